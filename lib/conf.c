/* conf.c - parser for "[section]" / "key: value" files, shared with front matter. */
#include "conf.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int S_keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int S_space(char c)
{
	return c == ' ' || c == '\t';
}

int conf_parse_line(const char *line, size_t n, const char **key, size_t *klen, struct buf *value,
                    const char **why)
{
	size_t i = 0;
	buf_reset(value);
	while (i < n && S_keychar(line[i]))
		i++;
	if (i == 0 || i >= n || line[i] != ':') {
		*why = (i < n && line[i] >= 'A' && line[i] <= 'Z') ? "keys are lower case"
		                                                   : "expected 'key: value'";
		return -1;
	}
	*key = line;
	*klen = i;
	i++;
	if (i < n && !S_space(line[i])) {
		*why = "put a space after the ':'";
		return -1;
	}
	while (i < n && S_space(line[i]))
		i++;
	size_t end = n;
	while (end > i && S_space(line[end - 1]))
		end--;
	if (i < end && line[i] == '"') {
		if (end - i < 2 || line[end - 1] != '"') {
			*why = "a quoted value must end with '\"'";
			return -1;
		}
		for (size_t k = i + 1; k < end - 1; k++) {
			char c = line[k];
			if (c == '\\' && k + 1 < end - 1 &&
			    (line[k + 1] == '"' || line[k + 1] == '\\'))
				c = line[++k];
			else if (c == '"') {
				*why = "write \\\" for a quote inside a quoted value";
				return -1;
			}
			buf_addc(value, c);
		}
		return 0;
	}
	buf_add(value, line + i, end - i);
	return 0;
}

static void S_add_entry(struct conf_section *s, const char *key, size_t klen, struct buf *value,
                        int line)
{
	s->e = xrealloc(s->e, (s->n + 1) * sizeof(*s->e));
	s->e[s->n].key = xstrndup(key, klen);
	s->e[s->n].value = xstrndup(value->ptr, value->len);
	s->e[s->n].line = line;
	s->n++;
}

int conf_parse(struct conf *c, const char *path, const char *src, size_t n, struct buf *err)
{
	struct buf value = BUF_INIT;
	struct conf_section *cur = NULL;
	size_t before = err->len;
	int line = 0;

	c->path = xstrdup(path);
	if (n >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0) {
		src += 3;
		n -= 3;
	}
	for (size_t pos = 0; pos < n;) {
		const char *nl = memchr(src + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - src) : n;
		const char *l = src + pos;
		size_t len = end - pos;
		pos = end + 1;
		line++;
		if (len && l[len - 1] == '\r')
			len--;
		while (len && S_space(l[0])) {
			l++;
			len--;
		}
		if (!utf8_valid(l, len) || memchr(l, '\0', len)) {
			buf_addf(err, "%s:%d: not valid UTF-8 text\n", path, line);
			continue;
		}
		if (len == 0 || l[0] == '#')
			continue;
		if (l[0] == '[') {
			size_t k = 1;
			while (k < len && S_keychar(l[k]))
				k++;
			if (k == 1 || k >= len || l[k] != ']' || k + 1 != len) {
				buf_addf(
				    err,
				    "%s:%d: a section header is '[name]' with a lower-case name\n",
				    path, line);
				cur = NULL;
				continue;
			}
			for (size_t i = 0; i < c->n; i++)
				if (strlen(c->s[i].name) == k - 1 &&
				    memcmp(c->s[i].name, l + 1, k - 1) == 0) {
					buf_addf(
					    err,
					    "%s:%d: section [%.*s] already appears on line %d\n",
					    path, line, (int)(k - 1), l + 1, c->s[i].line);
				}
			c->s = xrealloc(c->s, (c->n + 1) * sizeof(*c->s));
			cur = &c->s[c->n++];
			memset(cur, 0, sizeof(*cur));
			cur->name = xstrndup(l + 1, k - 1);
			cur->line = line;
			continue;
		}
		const char *key, *why;
		size_t klen;
		if (conf_parse_line(l, len, &key, &klen, &value, &why) < 0) {
			buf_addf(err, "%s:%d: %s\n", path, line, why);
			continue;
		}
		if (!cur) {
			buf_addf(err, "%s:%d: '%.*s' comes before any [section]\n", path, line,
			         (int)klen, key);
			continue;
		}
		int dup = 0;
		for (size_t i = 0; i < cur->n; i++)
			if (strlen(cur->e[i].key) == klen &&
			    memcmp(cur->e[i].key, key, klen) == 0) {
				buf_addf(err, "%s:%d: '%.*s' is already set on line %d\n", path,
				         line, (int)klen, key, cur->e[i].line);
				dup = 1;
			}
		if (!dup)
			S_add_entry(cur, key, klen, &value, line);
	}
	buf_release(&value);
	return err->len == before ? 0 : -1;
}

int conf_load(struct conf *c, const char *path, struct buf *err)
{
	struct buf src = BUF_INIT;
	int rc;
	if (buf_read_file(&src, path) < 0) {
		buf_addf(err, "%s: %s\n", path, strerror(errno));
		c->path = xstrdup(path);
		return -1;
	}
	rc = conf_parse(c, path, src.ptr, src.len, err);
	buf_release(&src);
	return rc;
}

void conf_release(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t k = 0; k < c->s[i].n; k++) {
			free(c->s[i].e[k].key);
			free(c->s[i].e[k].value);
		}
		free(c->s[i].e);
		free(c->s[i].name);
	}
	free(c->s);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

const struct conf_section *conf_section(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->s[i].name, name) == 0)
			return &c->s[i];
	return NULL;
}

const struct conf_entry *conf_get(const struct conf_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->e[i].key, key) == 0)
			return &s->e[i];
	return NULL;
}
