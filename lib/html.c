/* html.c - escaping for HTML text, attributes, URLs and JSON strings. */
#include "html.h"
#include "buf.h"

#include <string.h>

void html_text(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, s + start, i - start);
		buf_adds(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

static int S_lower_eq(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower[i])
			return 0;
	}
	return 1;
}

static int S_url_allowed(const char *s, size_t n)
{
	/* A scheme is letters/digits/+.- before the first ':' that comes before any / ? #. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '/' || c == '?' || c == '#')
			return 1;
		if (c == ':') {
			static const char *ok[] = {"http", "https", "mailto"};
			for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
				if (strlen(ok[k]) == i && S_lower_eq(s, ok[k], i))
					return 1;
			return 0;
		}
		if ((unsigned char)c < 0x21)
			return 0;
	}
	return 1;
}

int html_url(struct buf *b, const char *s, size_t n)
{
	if (!S_url_allowed(s, n)) {
		buf_addc(b, '#');
		return -1;
	}
	html_text(b, s, n);
	return 0;
}

void html_raw(struct buf *b, const char *s, size_t n)
{
	buf_add(b, s, n);
}

void html_json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
			continue;
		buf_add(b, s + start, i - start);
		if (c == '"')
			buf_adds(b, "\\\"");
		else if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c == '\n')
			buf_adds(b, "\\n");
		else {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			buf_add(b, u, 6);
		}
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}
