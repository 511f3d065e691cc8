/* frontmatter.c - strict parser for article metadata: every mistake is reported with its line. */
#include "frontmatter.h"
#include "buf.h"
#include "conf.h"
#include "utf8.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *fm_names[FM__MAX] = {
    [FM_TITLE] = "title", [FM_SUMMARY] = "summary", [FM_CATEGORY] = "category",
    [FM_ORDER] = "order", [FM_TAGS] = "tags",       [FM_UPDATED] = "updated",
    [FM_DRAFT] = "draft", [FM_ALIASES] = "aliases",
};

static const int fm_required[FM__MAX] = {
    [FM_TITLE] = 1, [FM_SUMMARY] = 1, [FM_CATEGORY] = 1,
    [FM_ORDER] = 1, [FM_TAGS] = 1,    [FM_UPDATED] = 1,
};

#define TITLE_MAX   200 /* characters */
#define SUMMARY_MAX 300 /* characters */
#define LIST_MAX    32  /* items in tags or aliases */

int fm_valid_slug(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int fm_valid_date(const char *s, size_t n)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

/* Alias paths end up in nginx's configuration and in file names: keep them plain. */
static int S_valid_alias(const char *s, size_t n)
{
	if (n < 2 || n > 512 || s[0] != '/' || strstr(s, "//") || strstr(s, "/../") ||
	    strstr(s, "/./") || util_has_suffix(s, n, "/.."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("/-._~%", c)))
			return 0;
	}
	return 1;
}

static int S_single_line_text(struct buf *err, const char *path, int line, const char *key,
                              const char *v, size_t n, size_t max)
{
	if (n == 0) {
		buf_addf(err, "%s:%d: %s is empty\n", path, line, key);
		return -1;
	}
	if (utf8_length(v, n) > max) {
		buf_addf(err, "%s:%d: %s is longer than %zu characters\n", path, line, key, max);
		return -1;
	}
	return 0;
}

/* Parse "[a, b]" into a fresh array; items are trimmed and must not be empty. */
static int S_parse_list(const char *v, size_t n, char ***out, size_t *count, const char **why)
{
	*out = NULL;
	*count = 0;
	if (n < 2 || v[0] != '[' || v[n - 1] != ']') {
		*why = "write a list as [first, second]";
		return -1;
	}
	const char *p = v + 1, *end = v + n - 1;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		const char *a = p, *b = item_end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a == b) {
			*why = "a list item is empty";
			return -1;
		}
		if (*count == LIST_MAX) {
			*why = "a list has more than 32 items";
			return -1;
		}
		if (memchr(a, '[', (size_t)(b - a)) || memchr(a, ']', (size_t)(b - a))) {
			*why = "a list item contains a bracket";
			return -1;
		}
		*out = xrealloc(*out, (*count + 1) * sizeof(**out));
		(*out)[(*count)++] = xstrndup(a, (size_t)(b - a));
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static void S_free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void S_set(struct fm *fm, enum fm_key k, const char *path, int line, const char *v, size_t n,
                  struct buf *err)
{
	const char *why = NULL;
	char *endp;

	switch (k) {
	case FM_TITLE:
		if (S_single_line_text(err, path, line, "title", v, n, TITLE_MAX) == 0)
			fm->title = xstrndup(v, n);
		return;
	case FM_SUMMARY:
		if (S_single_line_text(err, path, line, "summary", v, n, SUMMARY_MAX) == 0)
			fm->summary = xstrndup(v, n);
		return;
	case FM_CATEGORY:
		if (!fm_valid_slug(v, n))
			why = "category must be a slug (lower-case letters, digits, '-')";
		else
			fm->category = xstrndup(v, n);
		break;
	case FM_ORDER:
		errno = 0;
		fm->order = strtol(v, &endp, 10);
		if (n == 0 || endp != v + n || errno || fm->order < -1000000 || fm->order > 1000000)
			why = "order must be a whole number";
		break;
	case FM_TAGS:
		if (S_parse_list(v, n, &fm->tags, &fm->ntags, &why) == 0)
			for (size_t i = 0; i < fm->ntags && !why; i++)
				if (utf8_length(fm->tags[i], strlen(fm->tags[i])) > 40)
					why = "a tag is longer than 40 characters";
		break;
	case FM_UPDATED:
		if (!fm_valid_date(v, n))
			why = "updated must be a real date written YYYY-MM-DD";
		else
			memcpy(fm->updated, v, 11 - 1);
		break;
	case FM_DRAFT:
		if (n == 4 && memcmp(v, "true", 4) == 0)
			fm->draft = 1;
		else if (n == 5 && memcmp(v, "false", 5) == 0)
			fm->draft = 0;
		else
			why = "draft must be true or false";
		break;
	case FM_ALIASES:
		if (S_parse_list(v, n, &fm->aliases, &fm->naliases, &why) == 0)
			for (size_t i = 0; i < fm->naliases && !why; i++)
				if (!S_valid_alias(fm->aliases[i], strlen(fm->aliases[i])))
					why = "an alias must be a path like /zh/old-page/ "
					      "(ASCII letters, digits, - . _ ~ % and /)";
		break;
	case FM__MAX:
		break;
	}
	if (why)
		buf_addf(err, "%s:%d: %s\n", path, line, why);
}

int fm_parse(struct fm *fm, const char *path, const char *src, size_t n, struct buf *err)
{
	struct buf value = BUF_INIT;
	size_t before = err->len, pos = 0;
	int line = 1, closed = 0;

	memset(fm, 0, sizeof(*fm));
	if (n >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	if (!(util_has_prefix(src + pos, n - pos, "---\n") ||
	      util_has_prefix(src + pos, n - pos, "---\r\n"))) {
		buf_addf(err, "%s:1: missing front matter: the file must start with a line '---'\n",
		         path);
		return -1;
	}
	pos = (size_t)((const char *)memchr(src + pos, '\n', n - pos) - src) + 1;
	while (pos < n) {
		const char *l = src + pos, *nl = memchr(l, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - l) : n - pos;
		pos += len + (nl ? 1 : 0);
		line++;
		if (len && l[len - 1] == '\r')
			len--;
		if (len == 3 && memcmp(l, "---", 3) == 0) {
			closed = 1;
			break;
		}
		if (!utf8_valid(l, len) || memchr(l, '\0', len)) {
			buf_addf(err, "%s:%d: not valid UTF-8 text\n", path, line);
			continue;
		}
		if (len == 0 || l[0] == '#')
			continue;
		const char *key, *why;
		size_t klen;
		if (l[0] == ' ' || l[0] == '\t') {
			buf_addf(err, "%s:%d: front matter lines may not be indented\n", path,
			         line);
			continue;
		}
		if (conf_parse_line(l, len, &key, &klen, &value, &why) < 0) {
			buf_addf(err, "%s:%d: %s\n", path, line, why);
			continue;
		}
		int k = 0;
		while (k < FM__MAX &&
		       !(strlen(fm_names[k]) == klen && !memcmp(fm_names[k], key, klen)))
			k++;
		if (k == FM__MAX) {
			buf_addf(err,
			         "%s:%d: unknown key '%.*s' (known keys: title, summary, category, "
			         "order, "
			         "tags, updated, draft, aliases)\n",
			         path, line, (int)klen, key);
			continue;
		}
		if (fm->line[k]) {
			buf_addf(err, "%s:%d: '%s' is already set on line %d\n", path, line,
			         fm_names[k], fm->line[k]);
			continue;
		}
		fm->line[k] = line;
		S_set(fm, (enum fm_key)k, path, line, value.ptr, value.len, err);
	}
	buf_release(&value);
	if (!closed) {
		buf_addf(err, "%s:1: front matter is never closed: end it with a line '---'\n",
		         path);
		return -1;
	}
	for (int k = 0; k < FM__MAX; k++)
		if (fm_required[k] && !fm->line[k])
			buf_addf(err, "%s:1: missing required key '%s'\n", path, fm_names[k]);
	fm->body_off = pos;
	fm->body_line = line + 1;
	return err->len == before ? 0 : -1;
}

void fm_release(struct fm *fm)
{
	free(fm->title);
	free(fm->summary);
	free(fm->category);
	S_free_list(fm->tags, fm->ntags);
	S_free_list(fm->aliases, fm->naliases);
	memset(fm, 0, sizeof(*fm));
}
