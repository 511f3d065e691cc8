/* tmpl.c - compile Mustache-style templates to a flat node list and render them against tv trees.
 */
#include "tmpl.h"
#include "buf.h"
#include "html.h"
#include "tv.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum tnode_kind { TN_TEXT, TN_VAR, TN_RAW, TN_SECTION, TN_INVERTED, TN_PARTIAL };

struct tnode {
	enum tnode_kind kind;
	const char *s; /* text, or the tag's name; points into the template's copy of its source */
	size_t len;    /* length of s */
	size_t end;    /* sections: index of the first node after the section */
	int line;      /* line of the tag in the source, for errors */
};

struct tmpl {
	char *name;          /* template name, for errors */
	char *src;           /* copy of the source; nodes point into it */
	struct tnode *nodes; /* flat list; a section's body follows it up to its end */
	size_t n, cap;
};

struct tmpl_set {
	struct tmpl **t;
	size_t n, cap;
};

#define MAX_DEPTH 32 /* nesting of sections plus partials, enough for any sane page */
/*
 * Nodes one render may visit. Sections over lists nest, so work can grow as items^depth (ten
 * nested sections over a list of ten: ten billion): a render that gets this far fails
 * instead of running for hours. The largest real page (a category of 5,000 articles in the
 * site benchmark) visits well under a million.
 */
#define MAX_STEPS  10000000UL
#define MAX_OUTPUT ((size_t)64 << 20) /* bytes one render may write: 64 MiB */

static void S_tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t);
}

static struct tnode *S_push(struct tmpl *t, enum tnode_kind kind, const char *s, size_t len,
                            int line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->nodes = xrealloc(t->nodes, t->cap * sizeof(*t->nodes));
	}
	struct tnode *nd = &t->nodes[t->n++];
	nd->kind = kind;
	nd->s = s;
	nd->len = len;
	nd->end = 0;
	nd->line = line;
	return nd;
}

static int S_valid_name(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int S_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Compile t->src; on error append "where:line: message" to err and return -1. */
static int S_compile(struct tmpl *t, const char *where, size_t n, struct buf *err)
{
	const char *src = t->src;
	size_t pos = 0, text_start = 0, line_start = 0;
	size_t open[MAX_DEPTH];
	size_t depth = 0;
	int line = 1;

	for (;;) {
		const char *p = pos < n ? memmem(src + pos, n - pos, "{{", 2) : NULL;
		if (!p)
			break;
		size_t tag = (size_t)(p - src);
		for (size_t i = pos; i < tag; i++)
			if (src[i] == '\n') {
				line++;
				line_start = i + 1;
			}
		int triple = tag + 2 < n && src[tag + 2] == '{';
		const char *close = triple ? "}}}" : "}}";
		size_t inner = tag + (triple ? 3 : 2);
		const char *q = memmem(src + inner, n - inner, close, strlen(close));
		if (!q) {
			buf_addf(err, "%s:%d: unclosed tag", where, line);
			return -1;
		}
		size_t after = (size_t)(q - src) + strlen(close);
		const char *a = src + inner, *b = q;
		if (memchr(a, '\n', (size_t)(b - a))) {
			buf_addf(err, "%s:%d: a tag may not span lines", where, line);
			return -1;
		}
		char sigil = triple ? '{' : 0;
		while (a < b && S_blank(*a))
			a++;
		if (!triple && a < b && strchr("#^/>!&", *a))
			sigil = *a++;
		while (a < b && S_blank(*a))
			a++;
		while (b > a && S_blank(b[-1]))
			b--;
		size_t nlen = (size_t)(b - a);
		if (sigil != '!' && !S_valid_name(a, nlen)) {
			buf_addf(err, "%s:%d: bad tag name '%.*s'", where, line, (int)nlen, a);
			return -1;
		}

		/* A standalone block tag takes its whole line with it. */
		size_t text_end = tag, next = after;
		if (sigil && sigil != '{' && sigil != '&' && line_start >= text_start) {
			int alone = 1;
			for (size_t i = line_start; i < tag && alone; i++)
				alone = S_blank(src[i]);
			size_t j = after;
			while (alone && j < n && S_blank(src[j]))
				j++;
			if (alone && (j == n || src[j] == '\n')) {
				text_end = line_start;
				next = j < n ? j + 1 : j;
			}
		}
		if (text_end > text_start)
			S_push(t, TN_TEXT, src + text_start, text_end - text_start, line);

		switch (sigil) {
		case '!':
			break;
		case '#':
		case '^':
			if (depth == MAX_DEPTH) {
				buf_addf(err, "%s:%d: sections nested too deeply", where, line);
				return -1;
			}
			open[depth++] = t->n;
			S_push(t, sigil == '#' ? TN_SECTION : TN_INVERTED, a, nlen, line);
			break;
		case '/': {
			struct tnode *o = depth ? &t->nodes[open[depth - 1]] : NULL;
			if (!o || o->len != nlen || memcmp(o->s, a, nlen) != 0) {
				buf_addf(err, "%s:%d: {{/%.*s}} closes no open section", where,
				         line, (int)nlen, a);
				return -1;
			}
			o->end = t->n;
			depth--;
			break;
		}
		case '>':
			S_push(t, TN_PARTIAL, a, nlen, line);
			break;
		case '{':
		case '&':
			S_push(t, TN_RAW, a, nlen, line);
			break;
		default:
			S_push(t, TN_VAR, a, nlen, line);
			break;
		}
		for (size_t i = tag; i < next && i < n; i++)
			if (src[i] == '\n') {
				line++;
				line_start = i + 1;
			}
		pos = text_start = next;
	}
	if (depth) {
		struct tnode *o = &t->nodes[open[depth - 1]];
		buf_addf(err, "%s:%d: section '%.*s' is never closed", where, o->line, (int)o->len,
		         o->s);
		return -1;
	}
	if (n > text_start)
		S_push(t, TN_TEXT, src + text_start, n - text_start, line);
	return 0;
}

struct tmpl_set *tmpl_set_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		S_tmpl_free(set->t[i]);
	free(set->t);
	free(set);
}

static struct tmpl *S_find(const struct tmpl_set *set, const char *name, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->t[i]->name) == n && memcmp(set->t[i]->name, name, n) == 0)
			return set->t[i];
	return NULL;
}

/* tmpl_set_add, with syntax errors reported against where (the file, when there is one). */
static int S_add(struct tmpl_set *set, const char *name, const char *where, const char *src,
                 size_t n, struct buf *err)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->src = xstrndup(src, n);
	if (S_compile(t, where, n, err) < 0) {
		S_tmpl_free(t);
		return -1;
	}
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->t[i]->name, name) == 0) {
			S_tmpl_free(set->t[i]);
			set->t[i] = t;
			return 0;
		}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->t = xrealloc(set->t, set->cap * sizeof(*set->t));
	}
	set->t[set->n++] = t;
	return 0;
}

int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t n, struct buf *err)
{
	return S_add(set, name, name, src, n, err);
}

int tmpl_set_has(const struct tmpl_set *set, const char *name)
{
	return S_find(set, name, strlen(name)) != NULL;
}

int tmpl_set_load_dir(struct tmpl_set *set, const char *dir, struct buf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct buf path = BUF_INIT, src = BUF_INIT;
	int rc = -1;

	if (!d) {
		buf_addf(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || !util_has_suffix(de->d_name, len, ".html"))
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, de->d_name);
		buf_reset(&src);
		if (buf_read_file(&src, path.ptr) < 0) {
			buf_addf(err, "%s: %s", path.ptr, strerror(errno));
			goto out;
		}
		char *name = xstrndup(de->d_name, len - 5);
		int r = S_add(set, name, path.ptr, src.ptr, src.len, err);
		free(name);
		if (r < 0)
			goto out;
	}
	rc = 0;
out:
	closedir(d);
	buf_release(&path);
	buf_release(&src);
	return rc;
}

/* Rendering state shared by nested calls. */
struct render {
	const struct tmpl_set *set;
	const struct tv *stack[MAX_DEPTH * 2 + 1]; /* context stack, innermost last */
	size_t depth;                              /* entries used in stack */
	int partials;                              /* partial nesting */
	unsigned long steps;                       /* nodes visited, up to MAX_STEPS */
	size_t out0;                               /* length of out before this render */
	int strict;
	struct buf *out, *err;
};

static const struct tv *S_lookup(const struct render *r, const char *name, size_t n)
{
	if (n == 1 && name[0] == '.')
		return r->stack[r->depth - 1];
	const char *dot = memchr(name, '.', n);
	size_t first = dot ? (size_t)(dot - name) : n;
	const struct tv *v = NULL;
	for (size_t i = r->depth; i-- > 0;)
		if ((v = tv_get(r->stack[i], name, first)))
			break;
	while (v && dot) {
		const char *rest = dot + 1;
		size_t left = n - (size_t)(rest - name);
		dot = memchr(rest, '.', left);
		size_t part = dot ? (size_t)(dot - rest) : left;
		v = tv_get(v, rest, part);
	}
	return v;
}

static int S_render(struct render *r, const struct tmpl *t, size_t from, size_t to);

static int S_push_ctx(struct render *r, const struct tv *v, const struct tmpl *t,
                      const struct tnode *nd)
{
	if (r->depth == ARRAY_LEN(r->stack)) {
		buf_addf(r->err, "%s:%d: nesting too deep", t->name, nd->line);
		return -1;
	}
	r->stack[r->depth++] = v;
	return 0;
}

static int S_section(struct render *r, const struct tmpl *t, size_t i)
{
	const struct tnode *nd = &t->nodes[i];
	const struct tv *v = S_lookup(r, nd->s, nd->len);
	int truthy = tv_truthy(v);

	if (nd->kind == TN_INVERTED)
		return truthy ? 0 : S_render(r, t, i + 1, nd->end);
	if (!truthy)
		return 0;
	if (tv_type(v) == TV_LIST) {
		for (size_t k = 0; k < tv_count(v); k++) {
			if (S_push_ctx(r, tv_item(v, k), t, nd) < 0)
				return -1;
			int rc = S_render(r, t, i + 1, nd->end);
			r->depth--;
			if (rc < 0)
				return -1;
		}
		return 0;
	}
	if (tv_type(v) == TV_BOOL)
		return S_render(r, t, i + 1, nd->end);
	if (S_push_ctx(r, v, t, nd) < 0)
		return -1;
	int rc = S_render(r, t, i + 1, nd->end);
	r->depth--;
	return rc;
}

static int S_render(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct tnode *nd = &t->nodes[i];
		if (++r->steps > MAX_STEPS || r->out->len - r->out0 > MAX_OUTPUT) {
			buf_addf(r->err,
			         "%s:%d: too much work (sections over lists nested too deeply)",
			         t->name, nd->line);
			return -1;
		}
		switch (nd->kind) {
		case TN_TEXT:
			buf_add(r->out, nd->s, nd->len);
			break;
		case TN_VAR:
		case TN_RAW: {
			const struct tv *v = S_lookup(r, nd->s, nd->len);
			if (!v && r->strict) {
				buf_addf(r->err, "%s:%d: no value for %.*s", t->name, nd->line,
				         (int)nd->len, nd->s);
				return -1;
			}
			size_t len;
			const char *s = tv_str(v, &len);
			if (tv_type(v) == TV_BOOL && tv_truthy(v)) {
				s = "true";
				len = 4;
			}
			if (nd->kind == TN_RAW)
				html_raw(r->out, s, len);
			else
				html_text(r->out, s, len);
			break;
		}
		case TN_SECTION:
		case TN_INVERTED:
			if (S_section(r, t, i) < 0)
				return -1;
			i = nd->end - 1;
			break;
		case TN_PARTIAL: {
			const struct tmpl *p = S_find(r->set, nd->s, nd->len);
			if (!p) {
				buf_addf(r->err, "%s:%d: no template named %.*s", t->name, nd->line,
				         (int)nd->len, nd->s);
				return -1;
			}
			if (r->partials == MAX_DEPTH) {
				buf_addf(r->err, "%s:%d: partials nested too deeply", t->name,
				         nd->line);
				return -1;
			}
			r->partials++;
			int rc = S_render(r, p, 0, p->n);
			r->partials--;
			if (rc < 0)
				return -1;
			break;
		}
		}
	}
	return 0;
}

int tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *data, int strict,
                struct buf *out, struct buf *err)
{
	struct render r = {.set = set, .strict = strict, .out = out, .err = err, .out0 = out->len};
	const struct tmpl *t = S_find(set, name, strlen(name));
	if (!t) {
		buf_addf(err, "no template named %s", name);
		return -1;
	}
	r.stack[r.depth++] = data;
	return S_render(&r, t, 0, t->n);
}
