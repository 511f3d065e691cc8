/* html_test.c - unit tests for lib/html.c: HTML text, URL and JSON string escaping. */
#include "html.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Escape s with html_text and compare with want. */
static void S_text_is(const char *s, const char *want)
{
	struct buf b = BUF_INIT;
	html_text(&b, s, strlen(s));
	cr_assert_str_eq(b.ptr, want, "html_text(\"%s\")", s);
	cr_assert_eq(b.len, strlen(want));
	buf_release(&b);
}

/* html_url keeps s, escaped as want, and returns 0. */
static void S_url_kept(const char *s, size_t n, const char *want)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(html_url(&b, s, n), 0, "html_url rejected \"%s\"", s);
	cr_assert_str_eq(b.ptr, want, "html_url(\"%s\")", s);
	buf_release(&b);
}

/* html_url replaces s (n bytes) by "#" and returns -1. */
static void S_url_rejected(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(html_url(&b, s, n), -1, "html_url kept \"%s\"", s);
	cr_assert_str_eq(b.ptr, "#", "html_url(\"%s\") wrote \"%s\"", s, b.ptr);
	buf_release(&b);
}

static int S_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode a JSON string body (only the escapes html_json_string may write, \u below 0x100)
 * into out; -1 if the body is not a valid JSON string body.
 */
static int S_json_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"')
			return -1;
		if (c != '\\') {
			buf_addc(out, (char)c);
			continue;
		}
		if (++i == n)
			return -1;
		switch (s[i]) {
		case '"':
		case '\\':
		case '/':
			buf_addc(out, s[i]);
			break;
		case 'b':
			buf_addc(out, '\b');
			break;
		case 'f':
			buf_addc(out, '\f');
			break;
		case 'n':
			buf_addc(out, '\n');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case 'u': {
			if (n - i < 5)
				return -1;
			int v = 0;
			for (size_t k = 1; k <= 4; k++) {
				int h = S_hex(s[i + k]);
				if (h < 0)
					return -1;
				v = v * 16 + h;
			}
			if (v > 0xff)
				return -1;
			buf_addc(out, (char)v);
			i += 4;
			break;
		}
		default:
			return -1;
		}
	}
	return 0;
}

/* --- text ----------------------------------------------------------------------------------- */

Test(html, text_escapes_ampersand)
{
	S_text_is("a&b", "a&amp;b");
}

Test(html, text_escapes_less_than)
{
	S_text_is("<script>", "&lt;script&gt;");
}

Test(html, text_escapes_greater_than)
{
	S_text_is("a>b", "a&gt;b");
}

Test(html, text_escapes_double_quote)
{
	S_text_is("say \"hi\"", "say &quot;hi&quot;");
}

Test(html, text_escapes_single_quote)
{
	S_text_is("it's", "it&#39;s");
}

Test(html, text_escapes_all_special_characters_together)
{
	S_text_is("&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
	S_text_is("&&amp;", "&amp;&amp;amp;");
}

Test(html, text_leaves_other_bytes_unchanged)
{
	S_text_is("plain text, caf\xc3\xa9 \xe2\x82\xac / = ; #",
	          "plain text, caf\xc3\xa9 \xe2\x82\xac / = ; #");
	S_text_is("", "");
}

Test(html, text_appends_to_buffer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<p>");
	html_text(&b, "a<b", 3);
	buf_adds(&b, "</p>");
	cr_assert_str_eq(b.ptr, "<p>a&lt;b</p>");
	buf_release(&b);
}

Test(html, text_uses_length_not_nul)
{
	struct buf b = BUF_INIT;
	html_text(&b, "a<b<c", 3);
	cr_assert_str_eq(b.ptr, "a&lt;b");
	buf_reset(&b);
	html_text(&b, "a\0<", 3);
	cr_assert_eq(b.len, 6);
	cr_assert_eq(memcmp(b.ptr, "a\0&lt;", 6), 0);
	buf_release(&b);
}

Test(html, attr_escapes_like_text)
{
	struct buf b = BUF_INIT;
	html_attr(&b, "\" onmouseover='x'", 17);
	cr_assert_str_eq(b.ptr, "&quot; onmouseover=&#39;x&#39;");
	buf_release(&b);
}

Test(html, xml_escapes_like_text)
{
	struct buf b = BUF_INIT;
	html_xml(&b, "<a href=\"x\">&'</a>", 18);
	cr_assert_str_eq(b.ptr, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	buf_release(&b);
}

/* --- raw ------------------------------------------------------------------------------------ */

Test(html, raw_appends_unchanged)
{
	struct buf b = BUF_INIT;
	html_raw(&b, "<em>&amp;\"'</em>", 17);
	cr_assert_str_eq(b.ptr, "<em>&amp;\"'</em>");
	buf_release(&b);
}

/* --- URLs ----------------------------------------------------------------------------------- */

Test(html, url_allows_http)
{
	const char *u = "http://example.com/a";
	S_url_kept(u, strlen(u), u);
}

Test(html, url_allows_https)
{
	const char *u = "https://okpay.example/help/fees?x=1#top";
	S_url_kept(u, strlen(u), u);
}

Test(html, url_allows_mailto)
{
	const char *u = "mailto:support@okpay.example";
	S_url_kept(u, strlen(u), u);
}

Test(html, url_allows_allowed_schemes_in_any_case)
{
	const char *u[] = {"HTTP://EXAMPLE.COM", "Https://example.com", "hTtPs://x", "MAILTO:a@b.c",
	                   "MailTo:a@b.c"};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		S_url_kept(u[i], strlen(u[i]), u[i]);
}

Test(html, url_allows_relative_urls)
{
	const char *u[] = {"page.html",           "help/fees.html", "../index.html",    "/account",
	                   "//cdn.example/x.css", "./a:b",          "/path/with:colon", "?q=a:b"};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		S_url_kept(u[i], strlen(u[i]), u[i]);
}

Test(html, url_allows_fragment_urls)
{
	S_url_kept("#top", 4, "#top");
	S_url_kept("#a:b", 4, "#a:b");
}

Test(html, url_allows_empty_url)
{
	S_url_kept("", 0, "");
}

Test(html, url_escapes_kept_url)
{
	const char *u = "https://x.example/?a=1&b=\"2\"&c='3'<>";
	S_url_kept(u, strlen(u),
	           "https://x.example/?a=1&amp;b=&quot;2&quot;&amp;c=&#39;3&#39;&lt;&gt;");
}

Test(html, url_rejects_javascript)
{
	const char *u = "javascript:alert(1)";
	S_url_rejected(u, strlen(u));
}

Test(html, url_rejects_javascript_in_upper_case)
{
	const char *u = "JAVASCRIPT:alert(1)";
	S_url_rejected(u, strlen(u));
	u = "JavaScript:alert(1)";
	S_url_rejected(u, strlen(u));
}

Test(html, url_rejects_vbscript)
{
	const char *u = "vbscript:msgbox(1)";
	S_url_rejected(u, strlen(u));
}

Test(html, url_rejects_data)
{
	const char *u = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==";
	S_url_rejected(u, strlen(u));
	u = "DATA:text/html,<script>alert(1)</script>";
	S_url_rejected(u, strlen(u));
}

Test(html, url_rejects_other_schemes)
{
	const char *u[] = {"file:///etc/passwd", "ftp://x",   "httpx://x", "http2://x",
	                   "https2://x",         "mailtox:a", "htt:x",     "tel:123"};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		S_url_rejected(u[i], strlen(u[i]));
}

Test(html, url_rejects_scheme_after_leading_space)
{
	const char *u = " javascript:alert(1)";
	S_url_rejected(u, strlen(u));
}

Test(html, url_rejects_scheme_after_leading_control_characters)
{
	const char *u[] = {"\tjavascript:alert(1)", "\njavascript:alert(1)",
	                   "\x01javascript:alert(1)", "\x1f\x20javascript:alert(1)",
	                   "\r\n javascript:alert(1)"};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		S_url_rejected(u[i], strlen(u[i]));
}

Test(html, url_rejects_scheme_after_leading_nul)
{
	S_url_rejected("\0javascript:alert(1)", 20);
}

Test(html, url_rejects_scheme_with_embedded_tab_or_newline)
{
	/* Browsers drop tabs and newlines inside URLs, so these are still javascript: URLs. */
	const char *u[] = {"java\tscript:alert(1)", "java\nscript:alert(1)",
	                   "java\rscript:alert(1)"};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		S_url_rejected(u[i], strlen(u[i]));
}

Test(html, url_rejection_appends_to_buffer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<a href=\"");
	cr_assert_eq(html_url(&b, "javascript:x", 12), -1);
	buf_adds(&b, "\">");
	cr_assert_str_eq(b.ptr, "<a href=\"#\">");
	buf_release(&b);
}

Test(html, url_uses_length_not_nul)
{
	/* Only the first 4 bytes are the URL: "java" is a relative URL. */
	S_url_kept("javascript:alert(1)", 4, "java");
}

/* --- JSON strings --------------------------------------------------------------------------- */

Test(html, json_string_leaves_plain_text_unchanged)
{
	struct buf b = BUF_INIT;
	const char *s = "Hello, caf\xc3\xa9 \xe2\x82\xac 100/2 'x'";
	html_json_string(&b, s, strlen(s));
	cr_assert_str_eq(b.ptr, s);
	buf_release(&b);
}

Test(html, json_string_escapes_double_quote)
{
	struct buf b = BUF_INIT;
	html_json_string(&b, "a\"b", 3);
	cr_assert_str_eq(b.ptr, "a\\\"b");
	buf_release(&b);
}

Test(html, json_string_escapes_backslash)
{
	struct buf b = BUF_INIT;
	html_json_string(&b, "a\\b", 3);
	cr_assert_str_eq(b.ptr, "a\\\\b");
	buf_release(&b);
}

Test(html, json_string_escapes_newline)
{
	struct buf b = BUF_INIT;
	struct buf dec = BUF_INIT;
	html_json_string(&b, "a\nb", 3);
	cr_assert_null(memchr(b.ptr, '\n', b.len), "raw newline in %s", b.ptr);
	cr_assert_eq(S_json_decode(b.ptr, b.len, &dec), 0, "invalid JSON: %s", b.ptr);
	cr_assert_str_eq(dec.ptr, "a\nb");
	buf_release(&dec);
	buf_release(&b);
}

Test(html, json_string_escapes_control_characters)
{
	char in[32];
	struct buf b = BUF_INIT, dec = BUF_INIT;
	for (int i = 0; i < 32; i++)
		in[i] = (char)i;
	html_json_string(&b, in, sizeof(in));
	for (size_t i = 0; i < b.len; i++)
		cr_assert_geq((unsigned char)b.ptr[i], 0x20, "raw control byte %02x in output",
		              (unsigned char)b.ptr[i]);
	cr_assert_eq(S_json_decode(b.ptr, b.len, &dec), 0, "invalid JSON: %s", b.ptr);
	cr_assert_eq(dec.len, sizeof(in));
	cr_assert_eq(memcmp(dec.ptr, in, sizeof(in)), 0);
	buf_release(&dec);
	buf_release(&b);
}

Test(html, json_string_escapes_html_special_characters)
{
	/* "</script>" inside an inline script must not end it; & and > for good measure. */
	struct buf b = BUF_INIT;
	html_json_string(&b, "</script>&", 10);
	cr_assert_null(memchr(b.ptr, '<', b.len), "raw < in %s", b.ptr);
	cr_assert_null(memchr(b.ptr, '>', b.len), "raw > in %s", b.ptr);
	cr_assert_null(memchr(b.ptr, '&', b.len), "raw & in %s", b.ptr);
	cr_assert_eq(strcasecmp(b.ptr, "\\u003c/script\\u003e\\u0026"), 0, "got %s", b.ptr);
	buf_release(&b);
}

Test(html, json_string_round_trips_mixed_input)
{
	const char in[] = "x\"y\\z\n\t\r\x01<b>&amp;</b>\0end \xc3\xa9";
	struct buf b = BUF_INIT, dec = BUF_INIT;
	html_json_string(&b, in, sizeof(in) - 1);
	cr_assert_eq(S_json_decode(b.ptr, b.len, &dec), 0, "invalid JSON: %s", b.ptr);
	cr_assert_eq(dec.len, sizeof(in) - 1);
	cr_assert_eq(memcmp(dec.ptr, in, sizeof(in) - 1), 0);
	buf_release(&dec);
	buf_release(&b);
}

Test(html, json_string_appends_to_buffer)
{
	struct buf b = BUF_INIT;
	buf_addc(&b, '"');
	html_json_string(&b, "q\"", 2);
	buf_addc(&b, '"');
	cr_assert_str_eq(b.ptr, "\"q\\\"\"");
	buf_release(&b);
}
