/* markdown.h - render one article body with cmark-gfm: checks, link rewriting, heading ids. */
#ifndef SITEGEN_MARKDOWN_H
#define SITEGEN_MARKDOWN_H

#include <stddef.h>

#include "buf.h"
#include "i18n.h"

struct md_heading {
	int level;  /* 1..6 */
	char *id;   /* unique within the document */
	char *text; /* plain text of the heading */
};

struct md_doc {
	struct buf html;      /* rendered body */
	struct md_heading *h; /* every heading, in document order */
	size_t nh;
};

/**
 * Called for every link and image destination. Leave out empty to keep the URL, or append
 * the replacement to it. Return -1 after appending "path:line: message\n" to err for a link
 * that may not stand. image is 1 for image sources.
 */
typedef int (*md_resolve_fn)(void *ctx, const char *url, int image, int line, struct buf *out,
                             struct buf *err);

/** Register cmark-gfm's extensions; call once before any thread renders. */
void md_init(void);

/**
 * Render src (n bytes of Markdown whose first line is line first_line of path) into doc
 * (zeroed by the caller). Raw HTML and level-1 headings are errors; smart punctuation is used
 * for English only. Headings get ids (md_heading_id, de-duplicated with -1, -2, ...),
 * blockquotes that start with a bold Note:/Tip:/Warning: (注意：/提示：/警告：) become callouts.
 * Problems are appended to err as "path:line: message\n"; returns 0 if there were none.
 * Safe to call from several threads at once.
 */
int md_render(struct md_doc *doc, const char *path, int first_line, const char *src, size_t n,
              enum locale l, md_resolve_fn resolve, void *ctx, struct buf *err);
void md_doc_release(struct md_doc *doc);

/**
 * Append the id for a heading's text: ASCII letters lower-cased; letters, digits, CJK and
 * other non-punctuation characters, '-' and '_' kept; spaces become '-'; punctuation
 * (ASCII, general, CJK and full-width) dropped. "section" if nothing is left.
 */
void md_heading_id(struct buf *out, const char *text, size_t n);

#endif
