/* mail_test.c - unit tests for cgi/mail.c: message format, quoted-printable, delivery, retries. */
#include "mail.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char S_zh_subject[] = "验证你的 OKpay 邮箱";

/* A message with every field set; tests change what they are about. */
static struct mail_msg S_msg(void)
{
	struct mail_msg m = {
	    .from = "OKpay <no-reply@okpay.example>",
	    .to = "li@example.com",
	    .subject = "Verify your OKpay email",
	    .text = "Hello,\nplease verify your address.\n",
	    .html = NULL,
	    .message_id = "<42.verify@okpay.example>",
	    .date = 1700000000,
	};
	return m;
}

static void S_format(struct buf *out, const struct mail_msg *m)
{
	cr_assert_eq(mail_format(out, m), 0, "mail_format rejected a valid message");
}

/* --- reading a formatted message back ----------------------------------------------------- */

/* Offset of the blank line that ends the headers (the body starts 4 bytes later). */
static size_t S_header_end(const struct buf *msg)
{
	const char *p = strstr(msg->ptr, "\r\n\r\n");
	cr_assert_not_null(p, "no blank line after the headers");
	return (size_t)(p - msg->ptr) + 2;
}

/* The unfolded value of header name (without "name: "); 1 if found. */
static int S_header(const struct buf *msg, const char *name, struct buf *value)
{
	size_t end = S_header_end(msg), nlen = strlen(name);
	for (size_t i = 0; i < end;) {
		const char *eol = strstr(msg->ptr + i, "\r\n");
		if (strncmp(msg->ptr + i, name, nlen) == 0 && msg->ptr[i + nlen] == ':') {
			size_t j = i + nlen + 1;
			if (msg->ptr[j] == ' ')
				j++;
			for (;;) {
				const char *e = strstr(msg->ptr + j, "\r\n");
				buf_add(value, msg->ptr + j, (size_t)(e - (msg->ptr + j)));
				j = (size_t)(e - msg->ptr) + 2;
				if (msg->ptr[j] != ' ' && msg->ptr[j] != '\t')
					break;
			}
			return 1;
		}
		i = (size_t)(eol - msg->ptr) + 2;
	}
	return 0;
}

static int S_b64_value(char c)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;
	return p ? (int)(p - tab) : -1;
}

/* Decode base64 text s (n bytes, a multiple of 4, '=' padded) into out. */
static void S_b64_decode(struct buf *out, const char *s, size_t n)
{
	cr_assert_eq(n % 4, 0, "base64 length %zu is not a multiple of 4", n);
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = s[i + k] == '=' ? 0 : S_b64_value(s[i + k]);
			cr_assert_geq(v[k], 0, "bad base64 character '%c'", s[i + k]);
		}
		unsigned long w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
		                  (unsigned long)v[2] << 6 | (unsigned long)v[3];
		buf_addc(out, (char)(w >> 16));
		if (s[i + 2] != '=')
			buf_addc(out, (char)(w >> 8 & 255));
		if (s[i + 3] != '=')
			buf_addc(out, (char)(w & 255));
	}
}

/*
 * Decode an unfolded Subject made of encoded-words separated by spaces into out, checking
 * that each word is at most 75 characters and holds whole UTF-8 characters.
 */
static void S_decode_words(struct buf *out, const char *value)
{
	const char *p = value;
	int words = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		cr_assert(util_has_prefix(p, n, "=?UTF-8?B?") && util_has_suffix(p, n, "?="),
		          "not an encoded-word: %.*s", (int)n, p);
		cr_assert_leq(n, 75, "encoded-word of %zu characters", n);
		struct buf word = BUF_INIT;
		S_b64_decode(&word, p + 10, n - 12);
		cr_assert(utf8_valid(word.ptr, word.len),
		          "encoded-word %d splits a UTF-8 character: %.*s", words, (int)n, p);
		buf_add(out, word.ptr, word.len);
		buf_release(&word);
		words++;
		p += n;
	}
	cr_assert_gt(words, 0, "no encoded-word in \"%s\"", value);
}

static int S_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode quoted-printable text (n bytes) into out: "=\r\n" vanishes, "=XX" is a byte. */
static void S_qp_decode(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '=') {
			buf_addc(out, s[i]);
			continue;
		}
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		cr_assert(i + 2 < n, "truncated escape at the end");
		int hi = S_hexval(s[i + 1]), lo = S_hexval(s[i + 2]);
		cr_assert(hi >= 0 && lo >= 0, "bad escape =%c%c", s[i + 1], s[i + 2]);
		buf_addc(out, (char)(hi * 16 + lo));
		i += 2;
	}
}

/* What the body should decode to: LF and CRLF become CRLF, and it ends in a line break. */
static void S_crlf(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\n')
			buf_addc(out, '\r');
		buf_addc(out, *s);
	}
	if (!util_has_suffix(out->ptr, out->len, "\r\n"))
		buf_adds(out, "\r\n");
}

/* Format a text-only message with this body and decode the body back. */
static void S_qp_round_trip(const char *text, struct buf *msg)
{
	struct mail_msg m = S_msg();
	struct buf want = BUF_INIT, got = BUF_INIT;
	m.text = text;
	S_format(msg, &m);
	size_t body = S_header_end(msg) + 2;
	S_qp_decode(&got, msg->ptr + body, msg->len - body);
	S_crlf(&want, text);
	cr_assert(got.len == want.len && memcmp(got.ptr, want.ptr, got.len) == 0,
	          "decoded body differs:\n%s\nwant:\n%s", got.ptr, want.ptr);
	buf_release(&want);
	buf_release(&got);
}

/* Each line of the body (from offset body) as a callback-free loop: fails on a long line. */
static void S_body_lines_fit(const struct buf *msg, size_t body)
{
	for (size_t i = body; i < msg->len;) {
		const char *eol = strstr(msg->ptr + i, "\r\n");
		cr_assert_not_null(eol, "body does not end in CRLF");
		size_t n = (size_t)(eol - (msg->ptr + i));
		cr_assert_leq(n, 76, "body line of %zu characters: %.*s", n, (int)n, msg->ptr + i);
		if (n > 0)
			cr_assert(msg->ptr[i + n - 1] != ' ' && msg->ptr[i + n - 1] != '\t',
			          "body line ends in white space: %.*s", (int)n, msg->ptr + i);
		i += n + 2;
	}
}

/* --- subject ------------------------------------------------------------------------------ */

Test(mail, ascii_subject_stays_plain)
{
	struct mail_msg m = S_msg();
	struct buf msg = BUF_INIT;
	S_format(&msg, &m);
	cr_assert_not_null(strstr(msg.ptr, "\r\nSubject: Verify your OKpay email\r\n"), "%s",
	                   msg.ptr);
	cr_assert_null(strstr(msg.ptr, "=?"), "an encoded-word in a plain ASCII message");
	buf_release(&msg);
}

Test(mail, chinese_subject_becomes_encoded_words_that_decode_back)
{
	struct mail_msg m = S_msg();
	struct buf msg = BUF_INIT, value = BUF_INIT, decoded = BUF_INIT;
	m.subject = S_zh_subject;
	S_format(&msg, &m);
	cr_assert(S_header(&msg, "Subject", &value));
	cr_assert(util_has_prefix(value.ptr, value.len, "=?UTF-8?B?"), "%s", value.ptr);
	S_decode_words(&decoded, value.ptr);
	cr_assert_str_eq(decoded.ptr, S_zh_subject);
	buf_release(&msg);
	buf_release(&value);
	buf_release(&decoded);
}

Test(mail, long_mixed_subject_never_splits_a_utf8_character)
{
	/* 1-, 2-, 3- and 4-byte characters, long enough for many encoded-words. */
	struct buf subject = BUF_INIT, msg = BUF_INIT, value = BUF_INIT, decoded = BUF_INIT;
	for (int i = 0; i < 12; i++)
		buf_adds(&subject, "验证你的 OKpay 邮箱 café 😀 ");
	buf_adds(&subject, "完");
	struct mail_msg m = S_msg();
	m.subject = subject.ptr;
	S_format(&msg, &m);
	cr_assert(S_header(&msg, "Subject", &value));
	cr_assert_gt(strlen(value.ptr) / 76, 3, "expected many encoded-words: %s", value.ptr);
	S_decode_words(&decoded, value.ptr);
	cr_assert_str_eq(decoded.ptr, subject.ptr);
	buf_release(&subject);
	buf_release(&msg);
	buf_release(&value);
	buf_release(&decoded);
}

/* Every header line of msg is at most max characters; returns the number of Subject lines. */
static int S_header_lines_fit(const struct buf *msg, size_t max)
{
	size_t end = S_header_end(msg);
	int subject_lines = 0, in_subject = 0;
	for (size_t i = 0; i < end;) {
		const char *eol = strstr(msg->ptr + i, "\r\n");
		size_t n = (size_t)(eol - (msg->ptr + i));
		cr_assert_leq(n, max, "header line of %zu characters: %.*s", n, (int)n,
		              msg->ptr + i);
		if (util_has_prefix(msg->ptr + i, n, "Subject:"))
			in_subject = 1;
		else if (msg->ptr[i] != ' ' && msg->ptr[i] != '\t')
			in_subject = 0;
		subject_lines += in_subject;
		i += n + 2;
	}
	return subject_lines;
}

Test(mail, long_ascii_subject_folds_at_spaces)
{
	struct buf subject = BUF_INIT, msg = BUF_INIT, value = BUF_INIT;
	for (int i = 0; i < 20; i++)
		buf_addf(&subject, "%sword%d", i ? " " : "", i);
	buf_adds(&subject, " and-a-rather-long-hyphenated-token-at-the-end");
	struct mail_msg m = S_msg();
	m.subject = subject.ptr;
	S_format(&msg, &m);
	cr_assert_geq(S_header_lines_fit(&msg, 78), 2, "subject not folded:\n%s", msg.ptr);
	cr_assert(S_header(&msg, "Subject", &value));
	cr_assert_str_eq(value.ptr, subject.ptr, "unfolding does not give the subject back");
	buf_release(&subject);
	buf_release(&msg);
	buf_release(&value);
}

Test(mail, long_chinese_subject_folds_into_lines_of_at_most_78)
{
	struct buf subject = BUF_INIT, msg = BUF_INIT;
	for (int i = 0; i < 10; i++)
		buf_adds(&subject, S_zh_subject);
	struct mail_msg m = S_msg();
	m.subject = subject.ptr;
	S_format(&msg, &m);
	cr_assert_geq(S_header_lines_fit(&msg, 78), 3, "subject not folded:\n%s", msg.ptr);
	buf_release(&subject);
	buf_release(&msg);
}

Test(mail, unbreakable_ascii_subject_is_encoded_instead_of_exceeding_998)
{
	struct buf subject = BUF_INIT, msg = BUF_INIT, value = BUF_INIT, decoded = BUF_INIT;
	for (int i = 0; i < 1500; i++)
		buf_addc(&subject, 'a');
	struct mail_msg m = S_msg();
	m.subject = subject.ptr;
	S_format(&msg, &m);
	S_header_lines_fit(&msg, 78);
	cr_assert(S_header(&msg, "Subject", &value));
	S_decode_words(&decoded, value.ptr);
	cr_assert_str_eq(decoded.ptr, subject.ptr);
	buf_release(&subject);
	buf_release(&msg);
	buf_release(&value);
	buf_release(&decoded);
}

Test(mail, subject_that_looks_like_an_encoded_word_is_encoded)
{
	const char *tricky = "=?UTF-8?B?5pSv5LuY?= refund";
	struct buf msg = BUF_INIT, value = BUF_INIT, decoded = BUF_INIT;
	struct mail_msg m = S_msg();
	m.subject = tricky;
	S_format(&msg, &m);
	cr_assert(S_header(&msg, "Subject", &value));
	S_decode_words(&decoded, value.ptr);
	cr_assert_str_eq(decoded.ptr, tricky);
	buf_release(&msg);
	buf_release(&value);
	buf_release(&decoded);
}

Test(mail, empty_subject_is_an_empty_header)
{
	struct buf msg = BUF_INIT;
	struct mail_msg m = S_msg();
	m.subject = "";
	S_format(&msg, &m);
	cr_assert_not_null(strstr(msg.ptr, "\r\nSubject:\r\nDate: "), "%s", msg.ptr);
	buf_release(&msg);
}

/* --- other headers ------------------------------------------------------------------------ */

Test(mail, headers_come_in_order_with_rfc5322_date)
{
	struct buf msg = BUF_INIT;
	struct mail_msg m = S_msg();
	S_format(&msg, &m);
	const char *want = "From: OKpay <no-reply@okpay.example>\r\n"
	                   "To: li@example.com\r\n"
	                   "Subject: Verify your OKpay email\r\n"
	                   "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	                   "Message-ID: <42.verify@okpay.example>\r\n"
	                   "MIME-Version: 1.0\r\n"
	                   "Content-Type: text/plain; charset=UTF-8\r\n"
	                   "Content-Transfer-Encoding: quoted-printable\r\n"
	                   "\r\n";
	cr_assert(util_has_prefix(msg.ptr, msg.len, want), "got:\n%s", msg.ptr);
	buf_release(&msg);
}

Test(mail, date_of_the_epoch_and_of_a_leap_day)
{
	struct buf msg = BUF_INIT, value = BUF_INIT;
	struct mail_msg m = S_msg();
	m.date = 0;
	S_format(&msg, &m);
	cr_assert(S_header(&msg, "Date", &value));
	cr_assert_str_eq(value.ptr, "Thu, 01 Jan 1970 00:00:00 +0000");
	buf_reset(&msg);
	buf_reset(&value);
	m.date = 1709251199; /* the last second of 29 February 2024 */
	S_format(&msg, &m);
	cr_assert(S_header(&msg, "Date", &value));
	cr_assert_str_eq(value.ptr, "Thu, 29 Feb 2024 23:59:59 +0000");
	buf_release(&msg);
	buf_release(&value);
}

Test(mail, rejects_a_date_past_year_9999)
{
	struct buf msg = BUF_INIT;
	struct mail_msg m = S_msg();
	m.date = 253402300800LL; /* 10000-01-01 */
	cr_assert_eq(mail_format(&msg, &m), -1);
	cr_assert_eq(msg.len, 0);
	buf_release(&msg);
}

Test(mail, appends_to_what_the_buffer_holds)
{
	struct buf msg = BUF_INIT, alone = BUF_INIT;
	struct mail_msg m = S_msg();
	buf_adds(&msg, "prefix");
	S_format(&msg, &m);
	S_format(&alone, &m);
	cr_assert_eq(msg.len, 6 + alone.len);
	cr_assert(util_has_prefix(msg.ptr, msg.len, "prefix"));
	cr_assert_str_eq(msg.ptr + 6, alone.ptr);
	buf_release(&msg);
	buf_release(&alone);
}

/* --- line structure ----------------------------------------------------------------------- */

Test(mail, every_line_ends_in_crlf_and_fits)
{
	struct buf text = BUF_INIT, html = BUF_INIT, subject = BUF_INIT, msg = BUF_INIT;
	buf_adds(&text, "Unix\nline ends\r\nand DOS ones, a lone \r here, tabs\tand = signs\n");
	for (int i = 0; i < 30; i++)
		buf_adds(&text, "验证你的 OKpay 邮箱。");
	buf_adds(&text, "\n");
	for (int i = 0; i < 300; i++)
		buf_addc(&text, i % 7 ? 'x' : ' ');
	buf_adds(&html, "<p style=\"color: red\">");
	for (int i = 0; i < 40; i++)
		buf_adds(&html,
		         "请点击<a href=\"https://okpay.example/verify?t=abc&amp;x=1\">这里</a>");
	buf_adds(&html, "</p>");
	for (int i = 0; i < 8; i++)
		buf_adds(&subject, "验证你的 OKpay 邮箱 ");
	buf_adds(&subject, "!");
	struct mail_msg m = S_msg();
	m.text = text.ptr;
	m.html = html.ptr;
	m.subject = subject.ptr;
	S_format(&msg, &m);

	cr_assert(util_has_suffix(msg.ptr, msg.len, "\r\n"), "message does not end in CRLF");
	for (size_t i = 0; i < msg.len; i++) {
		if (msg.ptr[i] == '\n')
			cr_assert(i > 0 && msg.ptr[i - 1] == '\r', "bare LF at %zu", i);
		if (msg.ptr[i] == '\r')
			cr_assert(msg.ptr[i + 1] == '\n', "bare CR at %zu", i);
		cr_assert((unsigned char)msg.ptr[i] < 0x80, "8-bit byte at %zu", i);
	}
	S_header_lines_fit(&msg, 78);
	S_body_lines_fit(&msg, S_header_end(&msg) + 2);
	buf_release(&text);
	buf_release(&html);
	buf_release(&subject);
	buf_release(&msg);
}

/* --- quoted-printable --------------------------------------------------------------------- */

Test(mail, qp_round_trips_chinese_text)
{
	struct buf msg = BUF_INIT;
	S_qp_round_trip("你好，李先生：\n请在 24 小时内验证你的 OKpay 邮箱。\n——OKpay 团队\n",
	                &msg);
	cr_assert_not_null(strstr(msg.ptr, "=E4=BD=A0=E5=A5=BD"), "你好 not encoded:\n%s", msg.ptr);
	buf_release(&msg);
}

Test(mail, qp_encodes_equals_signs)
{
	struct buf msg = BUF_INIT;
	S_qp_round_trip("a=b\n==\n=41 is not A\n", &msg);
	cr_assert_not_null(strstr(msg.ptr, "\r\n\r\na=3Db\r\n=3D=3D\r\n=3D41 is not A\r\n"), "%s",
	                   msg.ptr);
	buf_release(&msg);
}

Test(mail, qp_soft_breaks_long_lines)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	for (int i = 0; i < 500; i++)
		buf_addc(&text, (char)('a' + i % 26));
	buf_adds(&text, "\n");
	for (int i = 0; i < 60; i++)
		buf_adds(&text, "邮"); /* 9 encoded characters each: escapes must not be split */
	buf_adds(&text, "\n");
	S_qp_round_trip(text.ptr, &msg);
	size_t body = S_header_end(&msg) + 2;
	S_body_lines_fit(&msg, body);
	cr_assert_not_null(strstr(msg.ptr + body, "=\r\n"), "no soft line break");
	buf_release(&text);
	buf_release(&msg);
}

Test(mail, qp_uses_all_76_columns_when_a_line_fits_exactly)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	for (int i = 0; i < 76; i++)
		buf_addc(&text, 'x');
	buf_adds(&text, "\n");
	S_qp_round_trip(text.ptr, &msg);
	size_t body = S_header_end(&msg) + 2;
	cr_assert_null(strstr(msg.ptr + body, "=\r\n"), "needless soft break:\n%s", msg.ptr + body);
	buf_release(&text);
	buf_release(&msg);
}

Test(mail, qp_encodes_trailing_whitespace)
{
	struct buf msg = BUF_INIT;
	S_qp_round_trip("space at the end \ntab at the end\t\r\nboth \t\nno newline at the end ",
	                &msg);
	size_t body = S_header_end(&msg) + 2;
	S_body_lines_fit(&msg, body);
	cr_assert_not_null(strstr(msg.ptr + body, "end=20\r\n"), "%s", msg.ptr + body);
	cr_assert_not_null(strstr(msg.ptr + body, "end=09\r\n"), "%s", msg.ptr + body);
	cr_assert_not_null(strstr(msg.ptr + body, "both =09\r\n"), "%s", msg.ptr + body);
	buf_release(&msg);
}

Test(mail, qp_escapes_a_line_that_is_just_a_dot)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	buf_adds(&text, "before\n.\n..\n.leading dot\n");
	/* A dot that lands at the start of a line only through a soft break. */
	for (int i = 0; i < 75; i++)
		buf_addc(&text, 'y');
	buf_adds(&text, ".z\n");
	S_qp_round_trip(text.ptr, &msg);
	size_t body = S_header_end(&msg) + 2;
	cr_assert_null(strstr(msg.ptr + body - 2, "\r\n."), "a body line starts with '.':\n%s",
	               msg.ptr + body);
	buf_release(&text);
	buf_release(&msg);
}

Test(mail, qp_escapes_from_at_line_start)
{
	struct buf msg = BUF_INIT;
	S_qp_round_trip("From here on\nFrom: not a header\n", &msg);
	size_t body = S_header_end(&msg) + 2;
	cr_assert_null(strstr(msg.ptr + body - 2, "\r\nFrom "), "mbox would mangle:\n%s",
	               msg.ptr + body);
	buf_release(&msg);
}

Test(mail, qp_turns_lf_into_crlf_and_ends_the_body_with_a_line_break)
{
	struct buf msg = BUF_INIT;
	S_qp_round_trip("one\ntwo\r\nthree", &msg);
	cr_assert(util_has_suffix(msg.ptr, msg.len, "\r\n\r\none\r\ntwo\r\nthree\r\n"), "%s",
	          msg.ptr);
	buf_release(&msg);
}

/* --- multipart ---------------------------------------------------------------------------- */

/* The boundary parameter of the message's Content-Type, into boundary. */
static void S_boundary_of(const struct buf *msg, struct buf *boundary)
{
	struct buf ct = BUF_INIT;
	cr_assert(S_header(msg, "Content-Type", &ct));
	cr_assert(util_has_prefix(ct.ptr, ct.len, "multipart/alternative;"), "%s", ct.ptr);
	const char *p = strstr(ct.ptr, "boundary=\"");
	cr_assert_not_null(p, "%s", ct.ptr);
	p += strlen("boundary=\"");
	const char *q = strchr(p, '"');
	cr_assert_not_null(q);
	buf_add(boundary, p, (size_t)(q - p));
	cr_assert(boundary->len >= 1 && boundary->len <= 70, "boundary of %zu characters",
	          boundary->len);
	buf_release(&ct);
}

static size_t S_count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Check that part (from p, n bytes) has the given type and decodes to want. */
static void S_check_part(const char *p, size_t n, const char *type, const char *want)
{
	struct buf head = BUF_INIT, got = BUF_INIT, expect = BUF_INIT;
	buf_addf(&head,
	         "Content-Type: %s; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	         type);
	cr_assert(util_has_prefix(p, n, head.ptr), "part headers:\n%.*s", (int)n, p);
	S_qp_decode(&got, p + head.len, n - head.len);
	/* The CRLF before the next delimiter belongs to it, so the part is the text as sent. */
	S_crlf(&expect, want);
	cr_assert(got.len == expect.len && memcmp(got.ptr, expect.ptr, got.len) == 0,
	          "%s part decodes to:\n%s", type, got.ptr);
	buf_release(&head);
	buf_release(&got);
	buf_release(&expect);
}

Test(mail, multipart_has_text_then_html_and_the_closing_boundary)
{
	struct buf msg = BUF_INIT, boundary = BUF_INIT, delim = BUF_INIT, close = BUF_INIT;
	struct mail_msg m = S_msg();
	m.text = "请验证你的邮箱：https://okpay.example/v?t=1\n";
	m.html = "<p>请<a href=\"https://okpay.example/v?t=1\">验证</a>你的邮箱。</p>\n";
	S_format(&msg, &m);
	cr_assert_not_null(strstr(msg.ptr, "\r\nMIME-Version: 1.0\r\n"));
	S_boundary_of(&msg, &boundary);
	buf_addf(&delim, "\r\n--%s\r\n", boundary.ptr);
	buf_addf(&close, "\r\n--%s--\r\n", boundary.ptr);

	size_t body = S_header_end(&msg) + 2;
	/* The body opens with the first delimiter (the CRLF before it ends the headers). */
	const char *first = msg.ptr + body - 2;
	cr_assert(util_has_prefix(first, strlen(first), delim.ptr), "body:\n%s", msg.ptr + body);
	const char *second = strstr(first + delim.len, delim.ptr);
	cr_assert_not_null(second, "no second part");
	cr_assert_null(strstr(second + delim.len, delim.ptr), "more than two parts");
	cr_assert(util_has_suffix(msg.ptr, msg.len, close.ptr), "no closing boundary at the end");
	cr_assert_eq(S_count(msg.ptr, close.ptr), 1);

	const char *text = first + delim.len, *html = second + delim.len;
	S_check_part(text, (size_t)(second - text), "text/plain", m.text);
	S_check_part(html, (size_t)(msg.ptr + msg.len - close.len - html), "text/html", m.html);
	buf_release(&msg);
	buf_release(&boundary);
	buf_release(&delim);
	buf_release(&close);
}

Test(mail, boundary_is_derived_from_the_message_id)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT, ba = BUF_INIT, bc = BUF_INIT;
	struct mail_msg m = S_msg();
	m.html = "<p>hi</p>";
	S_format(&a, &m);
	S_format(&b, &m);
	cr_assert_str_eq(a.ptr, b.ptr, "output is not deterministic");
	m.message_id = "<43.verify@okpay.example>";
	S_format(&c, &m);
	S_boundary_of(&a, &ba);
	S_boundary_of(&c, &bc);
	cr_assert_str_neq(ba.ptr, bc.ptr, "two messages share a boundary");
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
	buf_release(&ba);
	buf_release(&bc);
}

Test(mail, boundary_quoted_in_the_text_does_not_break_the_structure)
{
	struct buf first = BUF_INIT, boundary = BUF_INIT, text = BUF_INIT, msg = BUF_INIT;
	struct mail_msg m = S_msg();
	m.html = "<p>hi</p>";
	S_format(&first, &m);
	S_boundary_of(&first, &boundary);
	buf_addf(&text, "--%s\n--%s--\n", boundary.ptr, boundary.ptr);
	m.text = text.ptr;
	S_format(&msg, &m);
	buf_reset(&text);
	buf_addf(&text, "--%s", boundary.ptr);
	/* Two delimiters and the closing one, none from the text. */
	cr_assert_eq(S_count(msg.ptr, text.ptr), 3, "%s", msg.ptr);
	buf_release(&first);
	buf_release(&boundary);
	buf_release(&text);
	buf_release(&msg);
}

/* --- rejected messages -------------------------------------------------------------------- */

/* mail_format must refuse m and leave out exactly as it was. */
static void S_rejects(struct mail_msg m, const char *what)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "kept");
	errno = 0;
	cr_assert_eq(mail_format(&out, &m), -1, "accepted %s", what);
	cr_assert_eq(errno, EINVAL, "errno %d for %s", errno, what);
	cr_assert_str_eq(out.ptr, "kept", "appended something for %s", what);
	cr_assert_eq(out.len, 4);
	m.html = "<p>hi</p>";
	cr_assert_eq(mail_format(&out, &m), -1, "accepted %s (multipart)", what);
	cr_assert_str_eq(out.ptr, "kept", "appended something for %s (multipart)", what);
	buf_release(&out);
}

Test(mail, rejects_header_injection_in_to)
{
	struct mail_msg m = S_msg();
	const char *bad[] = {"li@example.com\r\nBcc: x@evil", "li@example.com\nBcc: x@evil",
	                     "li@example.com\rBcc: x@evil",   "li@example.com, x@evil",
	                     "li@example.com x@evil",         "Li <li@example.com>"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m.to = bad[i];
		S_rejects(m, bad[i]);
	}
}

Test(mail, rejects_header_injection_in_subject)
{
	struct mail_msg m = S_msg();
	const char *bad[] = {"Hi\r\nBcc: x@evil", "Hi\nBcc: x@evil", "Hi\rBcc: x@evil",
	                     "验证\r\n\r\n<script>"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m.subject = bad[i];
		S_rejects(m, bad[i]);
	}
}

Test(mail, rejects_header_injection_in_from)
{
	struct mail_msg m = S_msg();
	const char *bad[] = {"OKpay <no-reply@okpay.example>\r\nBcc: x@evil",
	                     "OKpay <no-reply@okpay.example>\nBcc: x@evil",
	                     "OKpay <no-reply@okpay.example>\r", "OKpay\t<no-reply@okpay.example>"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m.from = bad[i];
		S_rejects(m, bad[i]);
	}
}

Test(mail, rejects_header_injection_in_message_id)
{
	struct mail_msg m = S_msg();
	const char *bad[] = {"<1@okpay.example>\r\nBcc: x@evil",
	                     "<1@okpay.example\n>",
	                     "<1@okpay.example>\r",
	                     "1@okpay.example",
	                     "<1 2@okpay.example>",
	                     "<no-at-sign>"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m.message_id = bad[i];
		S_rejects(m, bad[i]);
	}
}

Test(mail, rejects_to_without_at)
{
	struct mail_msg m = S_msg();
	const char *bad[] = {"li.example.com", "", "@example.com", "li@", "li@a@example.com"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		m.to = bad[i];
		S_rejects(m, bad[i]);
	}
}

Test(mail, rejects_missing_fields)
{
	struct mail_msg m = S_msg();
	m.from = NULL;
	S_rejects(m, "NULL from");
	m = S_msg();
	m.to = NULL;
	S_rejects(m, "NULL to");
	m = S_msg();
	m.subject = NULL;
	S_rejects(m, "NULL subject");
	m = S_msg();
	m.text = NULL;
	S_rejects(m, "NULL text");
	m = S_msg();
	m.message_id = NULL;
	S_rejects(m, "NULL message_id");
}

/* --- files and processes for the delivery tests -------------------------------------------- */

static void S_mktemp_dir(char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, n, "%s/okpay-mail-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static int S_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void S_rmtree(const char *dir)
{
	nftw(dir, S_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Names in dir other than "." and "..", joined by spaces; returns how many. */
static size_t S_dir_entries(const char *dir, struct buf *names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t count = 0;
	cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (count++)
			buf_addc(names, ' ');
		buf_adds(names, de->d_name);
	}
	closedir(d);
	return count;
}

/* Write an executable sh script dir/name with this body; its path goes to path. */
static void S_script(const char *dir, const char *name, const char *body, struct buf *path)
{
	buf_addf(path, "%s/%s", dir, name);
	FILE *f = fopen(path->ptr, "we");
	cr_assert_not_null(f, "%s: %s", path->ptr, strerror(errno));
	fprintf(f, "#!/bin/sh\n%s\n", body);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path->ptr, 0755), 0);
}

static size_t S_open_fds(void)
{
	struct buf names = BUF_INIT;
	size_t n = S_dir_entries("/proc/self/fd", &names);
	buf_release(&names);
	return n - 1; /* the directory stream that listed them */
}

/* --- mail_deliver_dir --------------------------------------------------------------------- */

Test(mail, deliver_dir_writes_one_readable_eml_and_no_temp_file)
{
	char dir[256];
	struct buf names = BUF_INIT, path = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct stat st;
	struct mail_msg m = S_msg();
	m.subject = S_zh_subject;
	S_mktemp_dir(dir, sizeof(dir));
	mode_t old = umask(077);
	int rc = mail_deliver_dir(dir, &m);
	umask(old);
	cr_assert_eq(rc, 0, "mail_deliver_dir: %s", strerror(errno));

	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries: %s", names.ptr);
	cr_assert_str_eq(names.ptr, "1700000000-42.verify@okpay.example.eml");
	buf_addf(&path, "%s/%s", dir, names.ptr);
	cr_assert_eq(stat(path.ptr, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644, "mode %o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(buf_read_file(&got, path.ptr), 0);
	S_format(&want, &m);
	cr_assert_str_eq(got.ptr, want.ptr);

	/* A retry of the same row replaces the file rather than adding one. */
	cr_assert_eq(mail_deliver_dir(dir, &m), 0);
	buf_reset(&names);
	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries after retry: %s", names.ptr);
	S_rmtree(dir);
	buf_release(&names);
	buf_release(&path);
	buf_release(&got);
	buf_release(&want);
}

Test(mail, deliver_dir_keeps_a_hostile_message_id_inside_the_directory)
{
	char dir[256];
	struct buf names = BUF_INIT;
	struct mail_msg m = S_msg();
	m.message_id = "<../../etc/passwd/x@okpay.example>";
	S_mktemp_dir(dir, sizeof(dir));
	cr_assert_eq(mail_deliver_dir(dir, &m), 0, "mail_deliver_dir: %s", strerror(errno));
	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries: %s", names.ptr);
	cr_assert_str_eq(names.ptr, "1700000000-.._.._etc_passwd_x@okpay.example.eml");
	S_rmtree(dir);
	buf_release(&names);
}

Test(mail, deliver_dir_fails_for_a_missing_directory)
{
	char dir[256];
	struct buf missing = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&missing, "%s/nope", dir);
	errno = 0;
	cr_assert_eq(mail_deliver_dir(missing.ptr, &m), -1);
	cr_assert_eq(errno, ENOENT, "errno %d", errno);
	S_rmtree(dir);
	buf_release(&missing);
}

Test(mail, deliver_dir_writes_nothing_for_a_rejected_message)
{
	char dir[256];
	struct buf names = BUF_INIT;
	struct mail_msg m = S_msg();
	m.to = "li@example.com\r\nBcc: x@evil";
	S_mktemp_dir(dir, sizeof(dir));
	errno = 0;
	cr_assert_eq(mail_deliver_dir(dir, &m), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(S_dir_entries(dir, &names), 0, "entries: %s", names.ptr);
	S_rmtree(dir);
	buf_release(&names);
}

/* --- mail_deliver_sendmail ---------------------------------------------------------------- */

Test(mail, sendmail_receives_the_exact_message_and_argv)
{
	char dir[256];
	struct buf body = BUF_INIT, cmd = BUF_INIT, file = BUF_INIT, got = BUF_INIT,
	           want = BUF_INIT;
	struct mail_msg m = S_msg();
	m.html = "<p>验证</p>";
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&body, "printf '%%s\\n' \"$@\" > '%s/argv'\ncat > '%s/stdin'", dir, dir);
	S_script(dir, "sendmail", body.ptr, &cmd);

	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 5000), 0, "%s", strerror(errno));
	buf_addf(&file, "%s/argv", dir);
	cr_assert_eq(buf_read_file(&got, file.ptr), 0);
	cr_assert_str_eq(got.ptr, "-i\n--\nli@example.com\n");
	buf_reset(&file);
	buf_reset(&got);
	buf_addf(&file, "%s/stdin", dir);
	cr_assert_eq(buf_read_file(&got, file.ptr), 0);
	S_format(&want, &m);
	cr_assert(got.len == want.len && memcmp(got.ptr, want.ptr, got.len) == 0,
	          "stdin differs:\n%s", got.ptr);
	S_rmtree(dir);
	buf_release(&body);
	buf_release(&cmd);
	buf_release(&file);
	buf_release(&got);
	buf_release(&want);
}

Test(mail, sendmail_command_words_are_split_without_a_shell)
{
	char dir[256];
	struct buf body = BUF_INIT, script = BUF_INIT, cmd = BUF_INIT, file = BUF_INIT,
	           got = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&body, "printf '%%s\\n' \"$@\" > '%s/argv'\ncat > /dev/null", dir);
	S_script(dir, "sendmail", body.ptr, &script);
	/* A shell would expand $HOME, run the ';' command and honour the quotes. */
	buf_addf(&cmd, "  %s\t-f bounce@okpay.example $HOME ;touch\t'x y'  ", script.ptr);
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 5000), 0, "%s", strerror(errno));
	buf_addf(&file, "%s/argv", dir);
	cr_assert_eq(buf_read_file(&got, file.ptr), 0);
	cr_assert_str_eq(got.ptr, "-f\nbounce@okpay.example\n$HOME\n;touch\n'x\ny'\n-i\n--\n"
	                          "li@example.com\n");
	S_rmtree(dir);
	buf_release(&body);
	buf_release(&script);
	buf_release(&cmd);
	buf_release(&file);
	buf_release(&got);
}

Test(mail, sendmail_failing_command_returns_minus_one_quickly)
{
	char dir[256];
	struct buf cmd = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	S_script(dir, "sendmail", "cat > /dev/null\nexit 1", &cmd);
	long long t0 = util_now_ns();
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 5000), -1);
	long long ms = (util_now_ns() - t0) / 1000000;
	cr_assert_eq(errno, EIO, "errno %d", errno);
	cr_assert_lt(ms, 2000, "took %lld ms", ms);
	S_rmtree(dir);
	buf_release(&cmd);
}

Test(mail, sendmail_hanging_command_is_killed_at_the_timeout)
{
	char dir[256];
	struct buf cmd = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	S_script(dir, "sendmail", "sleep 10", &cmd);
	long long t0 = util_now_ns();
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 300), -1);
	long long ms = (util_now_ns() - t0) / 1000000;
	cr_assert_eq(errno, ETIMEDOUT, "errno %d", errno);
	cr_assert_geq(ms, 290, "gave up after %lld ms", ms);
	cr_assert_lt(ms, 1500, "took %lld ms", ms);
	S_rmtree(dir);
	buf_release(&cmd);
}

Test(mail, sendmail_timeout_covers_writing_to_a_command_that_never_reads)
{
	char dir[256];
	struct buf cmd = BUF_INIT, big = BUF_INIT;
	struct mail_msg m = S_msg();
	/* Far more than a pipe holds, so the write itself would block forever. */
	for (int i = 0; i < 20000; i++)
		buf_adds(&big, "<p>a paragraph of the newsletter nobody reads</p>\n");
	m.html = big.ptr;
	S_mktemp_dir(dir, sizeof(dir));
	S_script(dir, "sendmail", "sleep 10", &cmd);
	long long t0 = util_now_ns();
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 300), -1);
	long long ms = (util_now_ns() - t0) / 1000000;
	cr_assert_eq(errno, ETIMEDOUT, "errno %d", errno);
	cr_assert_lt(ms, 1500, "took %lld ms", ms);
	S_rmtree(dir);
	buf_release(&cmd);
	buf_release(&big);
}

/* 1 while process pid exists and is not a zombie. */
static int S_alive(long pid)
{
	struct buf path = BUF_INIT, stat = BUF_INIT;
	buf_addf(&path, "/proc/%ld/stat", pid);
	int alive = buf_read_file(&stat, path.ptr) == 0;
	if (alive) {
		const char *p = strrchr(stat.ptr, ')');
		alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
	buf_release(&path);
	buf_release(&stat);
	return alive;
}

Test(mail, sendmail_timeout_also_kills_the_commands_children)
{
	char dir[256];
	struct buf body = BUF_INIT, cmd = BUF_INIT, file = BUF_INIT, got = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&body, "sleep 10 &\necho $! > '%s/pid'\nwait", dir);
	S_script(dir, "sendmail", body.ptr, &cmd);
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 500), -1);
	buf_addf(&file, "%s/pid", dir);
	cr_assert_eq(buf_read_file(&got, file.ptr), 0, "the script did not record its child");
	long pid = strtol(got.ptr, NULL, 10);
	cr_assert_gt(pid, 0);
	int alive = 1;
	for (int i = 0; i < 100 && (alive = S_alive(pid)); i++)
		usleep(10000);
	cr_assert_not(alive, "the command's child %ld survived the timeout", pid);
	S_rmtree(dir);
	buf_release(&body);
	buf_release(&cmd);
	buf_release(&file);
	buf_release(&got);
}

Test(mail, sendmail_missing_command_returns_minus_one)
{
	struct mail_msg m = S_msg();
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail("/nonexistent/okpay/sendmail -t", &m, 1000), -1);
	cr_assert_eq(errno, ENOENT, "errno %d", errno);
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(" \t ", &m, 1000), -1);
	cr_assert_eq(errno, EINVAL, "errno %d", errno);
}

Test(mail, sendmail_rejected_message_runs_nothing)
{
	char dir[256];
	struct buf body = BUF_INIT, cmd = BUF_INIT, names = BUF_INIT;
	struct mail_msg m = S_msg();
	m.to = "li@example.com\r\nBcc: x@evil";
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&body, "touch '%s/ran'", dir);
	S_script(dir, "sendmail", body.ptr, &cmd);
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 1000), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries: %s", names.ptr);
	S_rmtree(dir);
	buf_release(&body);
	buf_release(&cmd);
	buf_release(&names);
}

/* Regression guard: with SIGPIPE at its default action, a command that exits without reading
 * a large message would kill the whole process (Criterion reports that as a crash). */
Test(mail, sendmail_command_that_does_not_read_survives_sigpipe)
{
	char dir[256];
	struct buf cmd = BUF_INIT, big = BUF_INIT;
	struct mail_msg m = S_msg();
	cr_assert_eq(signal(SIGPIPE, SIG_DFL) == SIG_ERR, 0);
	for (int i = 0; i < 20000; i++)
		buf_adds(&big, "<p>a paragraph of the newsletter nobody reads</p>\n");
	m.html = big.ptr;
	S_mktemp_dir(dir, sizeof(dir));
	S_script(dir, "sendmail", "exit 0", &cmd);
	errno = 0;
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 5000), -1);
	cr_assert_eq(errno, EPIPE, "errno %d", errno);
	/* Nothing was left pending either, to be delivered later. */
	sigset_t pending;
	sigemptyset(&pending);
	sigpending(&pending);
	cr_assert_not(sigismember(&pending, SIGPIPE), "a SIGPIPE is still pending");
	S_rmtree(dir);
	buf_release(&cmd);
	buf_release(&big);
}

Test(mail, sendmail_leaks_no_descriptors_to_the_command)
{
	char dir[256];
	struct buf body = BUF_INIT, cmd = BUF_INIT, file = BUF_INIT, got = BUF_INIT,
	           leaked = BUF_INIT;
	struct stat st;
	int p[2];
	struct mail_msg m = S_msg();
	/* A descriptor someone else opened without O_CLOEXEC. */
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(fstat(p[0], &st), 0);
	buf_addf(&leaked, "pipe:[%lu]", (unsigned long)st.st_ino);
	S_mktemp_dir(dir, sizeof(dir));
	buf_addf(&body, "cat > /dev/null\nls -l /proc/$$/fd > '%s/fds'", dir);
	S_script(dir, "sendmail", body.ptr, &cmd);
	cr_assert_eq(mail_deliver_sendmail(cmd.ptr, &m, 5000), 0, "%s", strerror(errno));
	buf_addf(&file, "%s/fds", dir);
	cr_assert_eq(buf_read_file(&got, file.ptr), 0);
	cr_assert_null(strstr(got.ptr, leaked.ptr), "%s reached the command:\n%s", leaked.ptr,
	               got.ptr);
	close(p[0]);
	close(p[1]);
	S_rmtree(dir);
	buf_release(&body);
	buf_release(&cmd);
	buf_release(&file);
	buf_release(&got);
	buf_release(&leaked);
}

Test(mail, sendmail_closes_its_own_descriptors)
{
	char dir[256];
	struct buf ok = BUF_INIT, fail = BUF_INIT, hang = BUF_INIT;
	struct mail_msg m = S_msg();
	S_mktemp_dir(dir, sizeof(dir));
	S_script(dir, "ok", "cat > /dev/null", &ok);
	S_script(dir, "fail", "exit 3", &fail);
	S_script(dir, "hang", "sleep 10", &hang);
	size_t before = S_open_fds();
	cr_assert_eq(mail_deliver_sendmail(ok.ptr, &m, 5000), 0);
	cr_assert_eq(mail_deliver_sendmail(fail.ptr, &m, 5000), -1);
	cr_assert_eq(mail_deliver_sendmail(hang.ptr, &m, 100), -1);
	cr_assert_eq(mail_deliver_sendmail("/nonexistent/sendmail", &m, 100), -1);
	cr_assert_eq(S_open_fds(), before, "descriptors leaked");
	S_rmtree(dir);
	buf_release(&ok);
	buf_release(&fail);
	buf_release(&hang);
}

/* --- retries ------------------------------------------------------------------------------ */

Test(mail, retry_delays_grow_exponentially_from_30_seconds)
{
	const char *id = "<42.verify@okpay.example>";
	long prev = 0;
	for (int n = 1; n <= 7; n++) {
		long base = 30L << (n - 1), d = mail_retry_delay(id, n);
		cr_assert(d >= base && d <= base + base / 10, "attempt %d: %ld s, base %ld", n, d,
		          base);
		cr_assert_gt(d, prev, "attempt %d: %ld s is not more than %ld", n, d, prev);
		prev = d;
	}
}

Test(mail, retry_delays_cap_at_one_hour)
{
	const char *id = "<42.verify@okpay.example>";
	const int attempts[] = {8, 9, 12, 31, 32, 33, 64, 1000, INT_MAX};
	for (size_t i = 0; i < ARRAY_LEN(attempts); i++) {
		long d = mail_retry_delay(id, attempts[i]);
		cr_assert(d >= 3600 && d <= 3960, "attempt %d: %ld s", attempts[i], d);
	}
	cr_assert_eq(mail_retry_delay(id, 0), mail_retry_delay(id, 1), "attempt 0 is not 1");
	cr_assert_eq(mail_retry_delay(id, -5), mail_retry_delay(id, 1), "attempt -5 is not 1");
}

Test(mail, retry_jitter_is_deterministic_and_spreads_messages)
{
	struct buf id = BUF_INIT;
	long seen[49] = {0};
	int distinct = 0;
	for (int i = 0; i < 100; i++) {
		buf_reset(&id);
		buf_addf(&id, "<%d.verify@okpay.example>", i);
		long d = mail_retry_delay(id.ptr, 5); /* base 480 s, jitter 0 to 48 s */
		cr_assert_eq(d, mail_retry_delay(id.ptr, 5), "not deterministic");
		cr_assert(d >= 480 && d <= 528, "%s: %ld s", id.ptr, d);
		if (!seen[d - 480]++)
			distinct++;
	}
	cr_assert_geq(distinct, 20, "only %d different delays for 100 messages", distinct);
	cr_assert_eq(mail_retry_delay(NULL, 1), mail_retry_delay("", 1));
	buf_release(&id);
}
