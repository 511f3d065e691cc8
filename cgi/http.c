/* http.c - response headers, redirects and small request helpers. */
#include "http.h"
#include "util.h"

#include <string.h>

void http_header(struct http_resp *rs, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n:"))
		return;
	buf_adds(&rs->headers, name);
	buf_adds(&rs->headers, ": ");
	buf_adds(&rs->headers, value);
	buf_adds(&rs->headers, "\r\n");
}

void http_redirect(struct http_resp *rs, int status, const char *location)
{
	rs->status = status;
	http_header(rs, "Location", location);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 303:
		return "See Other";
	case 302:
		return "Found";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

const char *http_field(const struct http_req *rq, const char *name)
{
	const char *v = form_get(&rq->form, name);
	if (!v)
		v = form_get(&rq->query, name);
	return v ? v : "";
}

const char *http_cookie(const struct http_req *rq, const char *name)
{
	return form_get(&rq->cookies, name);
}

long long http_number(const char *s, size_t max_digits)
{
	size_t n = strlen(s);
	if (n == 0 || n > max_digits || s[0] == '0')
		return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void http_query_value(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c && strchr("-._~", c)))
			buf_addc(b, (char)c);
		else
			buf_addf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

int http_safe_return(const char *p)
{
	size_t n = strlen(p);
	if (n < 4 || n > 512 || p[0] != '/' || p[3] != '/' || locale_from_code(p + 1, 2) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		/* No scheme-relative "//", no backslashes browsers turn into slashes, no controls.
		 */
		if (c < 0x21 || c == 0x7f || c == '\\' ||
		    (c == '/' && i + 1 < n && p[i + 1] == '/'))
			return 0;
	}
	return 1;
}
