/* tmpl.h - Mustache-style templates: compiled once, rendered many times, escaping by default. */
#ifndef OKPAY_TMPL_H
#define OKPAY_TMPL_H

#include <stddef.h>

struct buf;
struct tv;

/*
 * Syntax (a subset of Mustache):
 *   {{name}}        value of name, HTML-escaped
 *   {{{name}}}      value of name, unescaped: only for trusted HTML (rendered Markdown)
 *   {{#name}}…{{/name}}  section: skipped if name is missing, false, "" or an empty list;
 *                   repeated for each item of a list; entered once otherwise
 *   {{^name}}…{{/name}}  inverted section: rendered only when name is falsy
 *   {{> partial}}   another template of the same set, rendered in the current context
 *   {{! comment}}   nothing
 * Names are looked up from the innermost section outwards; a dotted name a.b.c finds a that way,
 * then descends. "." is the current item. A line that holds only a section, inverted section,
 * closing or comment tag (and white space) leaves no blank line behind.
 */
struct tmpl_set;

/** New, empty set of templates. */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *set);

/**
 * Compile src (n bytes) and add it to the set under name (replacing one of that name).
 * On a syntax error returns -1 and appends "name:line: message" to err.
 */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t n,
                 struct buf *err);
/**
 * Add every *.html file of dir, named by its file name without ".html".
 * Returns 0, or -1 with the first problem ("path:line: message") appended to err.
 */
int tmpl_set_load_dir(struct tmpl_set *set, const char *dir, struct buf *err);
/** 1 if the set holds a template of that name. */
int tmpl_set_has(const struct tmpl_set *set, const char *name);

/**
 * Render template name with data into out. Missing variables render as nothing;
 * with strict set, the first missing variable (not section) is reported instead:
 * returns -1 and appends "template:line: no value for name" to err.
 * Also -1 for an unknown template or partial, partials nested deeper than 32, or a render that
 * would visit more than 10 million nodes or write more than 64 MiB (sections over lists nested
 * so deep that the work grows without bound).
 * The set and the data are only read: several threads may render at once.
 */
int tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *data, int strict,
                struct buf *out, struct buf *err);

#endif
