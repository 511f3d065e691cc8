/* frontmatter.h - the metadata block between '---' lines at the top of every article. */
#ifndef SITEGEN_FRONTMATTER_H
#define SITEGEN_FRONTMATTER_H

#include <stddef.h>

struct buf;

enum fm_key {
	FM_TITLE,
	FM_SUMMARY,
	FM_CATEGORY,
	FM_ORDER,
	FM_TAGS,
	FM_UPDATED,
	FM_DRAFT,
	FM_ALIASES,
	FM__MAX
};

struct fm {
	char *title;    /* plain text, one line */
	char *summary;  /* plain text, one line */
	char *category; /* category slug; existence is checked by the caller */
	long order;     /* position in the category, lowest first */
	char **tags;    /* ntags plain-text tags */
	size_t ntags;
	char updated[11]; /* "YYYY-MM-DD", a real calendar date */
	int draft;        /* 1: not published */
	char **aliases;   /* naliases old URL paths, each starting with '/' */
	size_t naliases;
	int line[FM__MAX]; /* line of each key in the file, 0 if absent */
	size_t body_off;   /* offset of the Markdown body in the source */
	int body_line;     /* line number of the body's first line */
};

/**
 * Parse the front matter at the start of src (n bytes) read from path. All problems are
 * appended to err as "path:line: message\n"; returns 0 if there were none, else -1.
 * fm is filled as far as possible either way and must be released with fm_release.
 */
int fm_parse(struct fm *fm, const char *path, const char *src, size_t n, struct buf *err);
void fm_release(struct fm *fm);

/** 1 if s is a slug: 1 to 64 lower-case ASCII letters, digits and inner hyphens. */
int fm_valid_slug(const char *s, size_t n);
/** 1 if s is a real date written YYYY-MM-DD. */
int fm_valid_date(const char *s, size_t n);

#endif
