/* conf.h - the "[section]" and "key: value" files that writers and operators edit. */
#ifndef OKPAY_CONF_H
#define OKPAY_CONF_H

#include <stddef.h>

struct buf;

/*
 * Format: UTF-8 text; blank lines and lines starting with '#' are ignored;
 * "[name]" starts a section; "key: value" sets a key of the current section.
 * Keys are lower-case ASCII letters, digits and '_' (and '.', '-').
 * A value may be wrapped in double quotes (\" and \\ escape inside them);
 * otherwise it runs to the end of the line, trimmed.
 */
struct conf_entry {
	char *key;   /* key */
	char *value; /* value, unquoted */
	int line;    /* line of the key */
};

struct conf_section {
	char *name;           /* text between the brackets */
	int line;             /* line of the "[name]" */
	struct conf_entry *e; /* entries in file order */
	size_t n;             /* entries used */
};

struct conf {
	char *path;             /* file name, for messages */
	struct conf_section *s; /* sections in file order */
	size_t n;               /* sections used */
};

/**
 * Parse n bytes of src read from path into c (which the caller zeroes first).
 * Every problem is appended to err as "path:line: message\n"; returns 0 if there were none,
 * else -1 (c then holds what could be parsed and must still be released).
 */
int conf_parse(struct conf *c, const char *path, const char *src, size_t n, struct buf *err);
/** Read and parse a file; -1 with a message in err if it cannot be read or has errors. */
int conf_load(struct conf *c, const char *path, struct buf *err);
void conf_release(struct conf *c);

/** Section by name, or NULL. */
const struct conf_section *conf_section(const struct conf *c, const char *name);
/** Entry of a section by key, or NULL. */
const struct conf_entry *conf_get(const struct conf_section *s, const char *key);

/**
 * Parse one "key: value" line (without its newline) as front matter and conf files share it.
 * On success stores the key span and the unquoted value in value (reset first) and returns 0;
 * else returns -1 and a short message (a static string) in *why.
 */
int conf_parse_line(const char *line, size_t n, const char **key, size_t *klen, struct buf *value,
                    const char **why);

#endif
