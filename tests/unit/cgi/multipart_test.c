/* multipart_test.c - unit tests for cgi/multipart.c: boundary, structure, headers, limits. */
#include "multipart.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define S_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define S_ASAN 1
#endif
#endif
#ifdef S_ASAN
#include <sanitizer/lsan_interface.h>
#endif

/* Under ASan, fail if anything allocated so far is unreachable (see form_test.c). */
static void S_assert_no_leaks(void)
{
#ifdef S_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked (see the report above)");
#endif
}

/* A string literal and its length, NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Bodies are written with these: boundary XyZ, CRLF line ends. */
#define BND           "XyZ"
#define DASH          "--" BND "\r\n"
#define END           "--" BND "--\r\n"
#define CD(name)      "Content-Disposition: form-data; name=\"" name "\"\r\n"
#define CDF(name, fn) "Content-Disposition: form-data; name=\"" name "\"; filename=\"" fn "\"\r\n"
#define FIELD(n, v)   DASH CD(n) "\r\n" v "\r\n"
#define FILE_(n, fn, type, data)                                                                   \
	DASH CDF(n, fn) "Content-Type: " type "\r\n"                                               \
	                "\r\n" data "\r\n"

/* Limits for tests that are not about limits. */
static const struct multipart_limits S_lim = {
    .max_parts = 10, .max_files = 3, .max_header = 1024, .max_field = 4096, .max_file = 65536};

/* The exactly sized heap copy of the last body parsed, so ASan sees any read past its end. */
static char *S_body;
static size_t S_body_len;

static void S_fini(void)
{
	free(S_body);
	S_body = NULL;
}

TestSuite(multipart, .fini = S_fini);

/* Parse n bytes of s (through a heap copy) with lim, into m. */
static enum multipart_error S_run(struct multipart *m, const char *s, size_t n,
                                  const struct multipart_limits *lim)
{
	free(S_body);
	S_body = malloc(n ? n : 1);
	memcpy(S_body, s, n);
	S_body_len = n;
	memset(m, 0xa5, sizeof(*m)); /* the parser must not read what was there */
	return multipart_parse(m, S_body, n, BND, strlen(BND), lim);
}

/* Parse with lim, expecting success; every part's data must lie in the body. */
static void S_parse_with(struct multipart *m, const char *s, size_t n,
                         const struct multipart_limits *lim)
{
	enum multipart_error e = S_run(m, s, n, lim);
	cr_assert_eq(e, MULTIPART_OK, "parse of \"%.*s\" failed: %s", (int)n, s,
	             multipart_error_str(e));
	for (size_t i = 0; i < m->n; i++) {
		const struct multipart_part *p = &m->parts[i];
		cr_assert(p->data >= S_body && p->data + p->data_len <= S_body + S_body_len,
		          "part %zu data outside the body", i);
		cr_assert_eq(p->name[p->name_len], '\0');
		cr_assert_not_null(p->content_type);
		cr_assert((p->filename == NULL) != (p->value == NULL), "part %zu: file and field",
		          i);
	}
}

static void S_parse(struct multipart *m, const char *s, size_t n)
{
	S_parse_with(m, s, n, &S_lim);
}

/* Parse with lim, expecting error want and an empty result. */
static void S_rejects_with(const char *s, size_t n, const struct multipart_limits *lim,
                           enum multipart_error want)
{
	struct multipart m;
	enum multipart_error e = S_run(&m, s, n, lim);
	cr_assert_eq(e, want, "parse of \"%.*s\" gave \"%s\", want \"%s\"",
	             (int)(n < 300 ? n : 300), s, multipart_error_str(e),
	             multipart_error_str(want));
	cr_assert_eq(m.n, 0, "%zu parts left after an error", m.n);
	cr_assert_eq(m.files, 0);
	cr_assert_null(m.parts, "part array left after an error");
	cr_assert_null(m.mem, "string block left after an error");
	multipart_release(&m);
	S_assert_no_leaks();
}

static void S_rejects(const char *s, size_t n, enum multipart_error want)
{
	S_rejects_with(s, n, &S_lim, want);
}

static void S_release(struct multipart *m)
{
	multipart_release(m);
	S_assert_no_leaks();
}

/* Part i of m is the text field name=value. */
static void S_field(const struct multipart *m, size_t i, const char *name, const char *value,
                    size_t value_len)
{
	cr_assert_lt(i, m->n, "no part %zu: only %zu", i, m->n);
	const struct multipart_part *p = &m->parts[i];
	cr_assert_str_eq(p->name, name);
	cr_assert_eq(p->name_len, strlen(name));
	cr_assert_null(p->filename, "part %zu is a file", i);
	cr_assert_not_null(p->value);
	cr_assert_eq(p->data_len, value_len, "part %zu length %zu, want %zu", i, p->data_len,
	             value_len);
	cr_assert_eq(memcmp(p->value, value, value_len), 0, "part %zu value \"%s\"", i, p->value);
	cr_assert_eq(memcmp(p->data, value, value_len), 0);
	cr_assert_eq(p->value[value_len], '\0');
}

static void S_field_str(const struct multipart *m, size_t i, const char *name, const char *value)
{
	S_field(m, i, name, value, strlen(value));
}

/* Part i of m is a file. */
static void S_file(const struct multipart *m, size_t i, const char *name, const char *filename,
                   const char *type, const char *data, size_t data_len)
{
	cr_assert_lt(i, m->n, "no part %zu: only %zu", i, m->n);
	const struct multipart_part *p = &m->parts[i];
	cr_assert_str_eq(p->name, name);
	cr_assert_not_null(p->filename, "part %zu is not a file", i);
	cr_assert_str_eq(p->filename, filename);
	cr_assert_eq(p->filename_len, strlen(filename));
	cr_assert_str_eq(p->content_type, type);
	cr_assert_null(p->value);
	cr_assert_eq(p->data_len, data_len, "part %zu length %zu, want %zu", i, p->data_len,
	             data_len);
	cr_assert_eq(memcmp(p->data, data, data_len), 0);
}

/* The filename a single file part with this Content-Disposition gets. */
static void S_filename(const char *disposition, const char *want)
{
	struct buf b = BUF_INIT;
	struct multipart m;
	buf_addf(&b, DASH "Content-Disposition: %s\r\n\r\nx\r\n" END, disposition);
	S_parse(&m, b.ptr, b.len);
	cr_assert_eq(m.n, 1);
	cr_assert_not_null(m.parts[0].filename);
	cr_assert_str_eq(m.parts[0].filename, want, "%s gave filename \"%s\", want \"%s\"",
	                 disposition, m.parts[0].filename, want);
	S_release(&m);
	buf_release(&b);
}

/* A single part with this Content-Disposition is refused with want. */
static void S_rejects_disposition(const char *disposition, enum multipart_error want)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, DASH "Content-Disposition: %s\r\n\r\nx\r\n" END, disposition);
	S_rejects(b.ptr, b.len, want);
	buf_release(&b);
}

/* n copies of unit between prefix and suffix; caller frees. */
static char *S_repeat(const char *prefix, const char *unit, size_t n, const char *suffix,
                      size_t *len)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, prefix);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, unit);
	buf_adds(&b, suffix);
	return buf_detach(&b, len);
}

/* --- boundary from Content-Type ------------------------------------------------------------ */

/* The boundary multipart_boundary finds in the Content-Type ct, expecting success. */
static void S_boundary(const char *ct, const char *want)
{
	char out[MULTIPART_BOUNDARY_MAX + 1];
	size_t len = 99;
	enum multipart_error e = multipart_boundary(ct, strlen(ct), out, &len);
	cr_assert_eq(e, MULTIPART_OK, "\"%s\": %s", ct, multipart_error_str(e));
	cr_assert_str_eq(out, want);
	cr_assert_eq(len, strlen(want));
}

static void S_boundary_rejects(const char *ct, enum multipart_error want)
{
	char out[MULTIPART_BOUNDARY_MAX + 1];
	size_t len = 99;
	enum multipart_error e = multipart_boundary(ct, strlen(ct), out, &len);
	cr_assert_eq(e, want, "\"%s\" gave \"%s\", want \"%s\"", ct, multipart_error_str(e),
	             multipart_error_str(want));
	cr_assert_str_eq(out, "");
	cr_assert_eq(len, 0);
}

Test(multipart, boundary_unquoted)
{
	S_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
	           "----WebKitFormBoundary7MA4YWxkTrZu0gW");
}

Test(multipart, boundary_quoted_with_space_and_specials)
{
	S_boundary("multipart/form-data; boundary=\"a b(c)+_,-./:=?'9\"", "a b(c)+_,-./:=?'9");
}

Test(multipart, boundary_media_type_and_parameters_in_any_case_and_order)
{
	S_boundary("Multipart/Form-Data;charset=UTF-8; BOUNDARY=abc;x=\"y\"", "abc");
}

Test(multipart, boundary_with_whitespace_around)
{
	S_boundary("  multipart/form-data \t;  boundary=abc  ", "abc");
}

Test(multipart, boundary_of_seventy_characters)
{
	char ct[128], want[71];
	memset(want, 'b', 70);
	want[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", want);
	S_boundary(ct, want);
}

Test(multipart, boundary_rejects_seventy_one_characters)
{
	char ct[128], b[72];
	memset(b, 'b', 71);
	b[71] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
	S_boundary_rejects(ct, MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_missing_parameter)
{
	S_boundary_rejects("multipart/form-data", MULTIPART_BAD_BOUNDARY);
	S_boundary_rejects("multipart/form-data; charset=utf-8", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_empty)
{
	S_boundary_rejects("multipart/form-data; boundary=", MULTIPART_BAD_BOUNDARY);
	S_boundary_rejects("multipart/form-data; boundary=\"\"", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_trailing_space)
{
	S_boundary_rejects("multipart/form-data; boundary=\"abc \"", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_unquoted_character_outside_bchars)
{
	S_boundary_rejects("multipart/form-data; boundary=a!b", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_quoted_character_outside_bchars)
{
	S_boundary_rejects("multipart/form-data; boundary=\"a@b\"", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_escaped_quote)
{
	S_boundary_rejects("multipart/form-data; boundary=\"a\\\"b\"", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_non_ascii)
{
	S_boundary_rejects("multipart/form-data; boundary=\"a\xc3\xa9\"", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_repeated_parameter)
{
	S_boundary_rejects("multipart/form-data; boundary=a; boundary=a", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_unterminated_quote)
{
	S_boundary_rejects("multipart/form-data; boundary=\"abc", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_parameter_without_value)
{
	S_boundary_rejects("multipart/form-data; boundary", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_spaces_around_equals)
{
	S_boundary_rejects("multipart/form-data; boundary = abc", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_trailing_semicolon)
{
	S_boundary_rejects("multipart/form-data; boundary=abc;", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_parameter_without_semicolon)
{
	S_boundary_rejects("multipart/form-data boundary=abc", MULTIPART_BAD_BOUNDARY);
}

Test(multipart, boundary_rejects_multipart_mixed)
{
	S_boundary_rejects("multipart/mixed; boundary=abc", MULTIPART_NOT_FORM_DATA);
}

Test(multipart, boundary_rejects_urlencoded)
{
	S_boundary_rejects("application/x-www-form-urlencoded", MULTIPART_NOT_FORM_DATA);
}

Test(multipart, boundary_rejects_longer_subtype)
{
	S_boundary_rejects("multipart/form-data-x; boundary=abc", MULTIPART_NOT_FORM_DATA);
}

Test(multipart, boundary_rejects_empty_content_type)
{
	S_boundary_rejects("", MULTIPART_NOT_FORM_DATA);
}

Test(multipart, parse_rejects_invalid_boundary_argument)
{
	struct multipart m;
	const char body[] = DASH CD("a") "\r\n1\r\n" END;
	cr_assert_eq(multipart_parse(&m, LIT(body), "", 0, &S_lim), MULTIPART_BAD_BOUNDARY);
	cr_assert_eq(m.n, 0);
	cr_assert_eq(multipart_parse(&m, LIT(body), "a b ", 4, &S_lim), MULTIPART_BAD_BOUNDARY);
	multipart_release(&m);
}

/* --- structure ----------------------------------------------------------------------------- */

Test(multipart, parses_text_fields_in_order)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("topic", "wallet") FIELD("subject", "Hello") END));
	cr_assert_eq(m.n, 2);
	cr_assert_eq(m.files, 0);
	S_field_str(&m, 0, "topic", "wallet");
	S_field_str(&m, 1, "subject", "Hello");
	S_release(&m);
}

Test(multipart, parses_file_with_name_and_type)
{
	struct multipart m;
	S_parse(&m,
	        LIT(FIELD("subject", "help") FILE_("shot", "a.png", "image/png", "\x89PNG") END));
	cr_assert_eq(m.n, 2);
	cr_assert_eq(m.files, 1);
	S_file(&m, 1, "shot", "a.png", "image/png", "\x89PNG", 4);
	S_release(&m);
}

Test(multipart, file_data_points_into_the_body)
{
	struct multipart m;
	const char body[] = FILE_("shot", "a.png", "image/png", "0123456789") END;
	S_parse(&m, LIT(body));
	const char *at = strstr(body, "0123456789");
	cr_assert_eq(m.parts[0].data, S_body + (at - body));
	S_release(&m);
}

Test(multipart, field_value_is_an_owned_copy)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "xyz") END));
	cr_assert_neq(m.parts[0].value, m.parts[0].data);
	cr_assert(m.parts[0].value < S_body || m.parts[0].value >= S_body + S_body_len);
	S_release(&m);
}

Test(multipart, content_type_defaults_to_text_plain)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "1") DASH CDF("f", "x.bin") "\r\nzz\r\n" END));
	cr_assert_str_eq(m.parts[0].content_type, "text/plain");
	cr_assert_str_eq(m.parts[1].content_type, "text/plain");
	S_release(&m);
}

Test(multipart, content_type_is_lower_cased_without_parameters)
{
	struct multipart m;
	S_parse(&m, LIT(FILE_("f", "a.png", "Image/PNG; q=\"x y\"", "z") END));
	cr_assert_str_eq(m.parts[0].content_type, "image/png");
	S_release(&m);
}

Test(multipart, ignores_preamble_and_epilogue)
{
	struct multipart m;
	S_parse(&m, LIT("This is a preamble --XyZ not a delimiter\r\n" FIELD("a", "1") END
	                "epilogue\r\n--XyZ\r\n" CD("b") "\r\n2\r\n"));
	cr_assert_eq(m.n, 1);
	S_field_str(&m, 0, "a", "1");
	S_release(&m);
}

Test(multipart, accepts_close_delimiter_without_crlf)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "1") "--XyZ--"));
	cr_assert_eq(m.n, 1);
	S_release(&m);
}

Test(multipart, boundary_text_without_crlf_dashes_is_data)
{
	struct multipart m;
	const char v[] = "x--XyZ\r\nXyZ\r\n-XyZ--\n--XyZ\r\n\r-- XyZ";
	S_parse(&m, LIT(FIELD("a", "x--XyZ\r\nXyZ\r\n-XyZ--\n--XyZ\r\n\r-- XyZ") END));
	cr_assert_eq(m.n, 1);
	S_field(&m, 0, "a", v, sizeof(v) - 1);
	S_release(&m);
}

Test(multipart, boundary_prefix_followed_by_other_text_is_data)
{
	struct multipart m;
	const char v[] = "1\r\n--XyZa\r\n--XyZ-\r\n--XyZ \tx\r\n--XyZ\r";
	S_parse(&m, LIT(FIELD("a", "1\r\n--XyZa\r\n--XyZ-\r\n--XyZ \tx\r\n--XyZ\r") END));
	cr_assert_eq(m.n, 1);
	S_field(&m, 0, "a", v, sizeof(v) - 1);
	S_release(&m);
}

Test(multipart, data_may_end_in_crlf)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "line\r\n") END));
	S_field_str(&m, 0, "a", "line\r\n");
	S_release(&m);
}

Test(multipart, accepts_transport_padding_after_boundary)
{
	struct multipart m;
	S_parse(&m, LIT("--XyZ \t \r\n" CD("a") "\r\n1\r\n--XyZ  \r\n" CD("b") "\r\n2\r\n" END));
	cr_assert_eq(m.n, 2);
	S_field_str(&m, 1, "b", "2");
	S_release(&m);
}

Test(multipart, accepts_zero_length_field)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "") FIELD("b", "") END));
	cr_assert_eq(m.n, 2);
	S_field_str(&m, 0, "a", "");
	S_field_str(&m, 1, "b", "");
	S_release(&m);
}

Test(multipart, accepts_zero_length_file)
{
	struct multipart m;
	S_parse(&m, LIT(FILE_("f", "empty.png", "image/png", "") END));
	S_file(&m, 0, "f", "empty.png", "image/png", "", 0);
	S_release(&m);
}

Test(multipart, empty_file_input_gives_empty_filename)
{
	struct multipart m;
	S_parse(&m, LIT(FILE_("shot", "", "application/octet-stream", "") END));
	cr_assert_eq(m.files, 1);
	S_file(&m, 0, "shot", "", "application/octet-stream", "", 0);
	S_release(&m);
}

Test(multipart, accepts_body_without_parts)
{
	struct multipart m;
	S_parse(&m, LIT(END));
	cr_assert_eq(m.n, 0);
	cr_assert_null(m.parts);
	cr_assert_null(m.mem);
	S_release(&m);
}

Test(multipart, data_may_hold_any_bytes_in_a_file)
{
	struct multipart m;
	const char data[] = "\0\xff\xfe\r\n\n\r--X";
	S_parse(&m,
	        LIT(FILE_("f", "b.bin", "application/octet-stream", "\0\xff\xfe\r\n\n\r--X") END));
	S_file(&m, 0, "f", "b.bin", "application/octet-stream", data, sizeof(data) - 1);
	S_release(&m);
}

Test(multipart, reads_nothing_past_n)
{
	/* S_run copies every body to an exactly sized heap block; here the ends are cut short. */
	static const char full[] = FIELD("a", "1") FILE_("f", "a.png", "image/png", "zz") END;
	for (size_t n = 0; n < sizeof(full) - 3; n++) { /* all but "--\r\n" */
		struct multipart m;
		enum multipart_error e = S_run(&m, full, n, &S_lim);
		cr_assert_neq(e, MULTIPART_OK, "prefix of %zu bytes accepted", n);
		multipart_release(&m);
	}
}

Test(multipart, rejects_empty_body)
{
	S_rejects("", 0, MULTIPART_NO_BOUNDARY);
	struct multipart m;
	cr_assert_eq(multipart_parse(&m, NULL, 0, BND, 3, &S_lim), MULTIPART_NO_BOUNDARY);
}

Test(multipart, rejects_body_without_boundary)
{
	S_rejects(LIT("a=1&b=2"), MULTIPART_NO_BOUNDARY);
}

Test(multipart, rejects_body_with_only_longer_boundaries)
{
	S_rejects(LIT("--XyZa\r\n" CD("a") "\r\n1\r\n--XyZa--\r\n"), MULTIPART_NO_BOUNDARY);
}

Test(multipart, rejects_missing_final_boundary)
{
	S_rejects(LIT(FIELD("a", "1")), MULTIPART_NO_FINAL_BOUNDARY);
}

Test(multipart, rejects_final_boundary_without_dashes)
{
	S_rejects(LIT(FIELD("a", "1") "--XyZ"), MULTIPART_NO_FINAL_BOUNDARY);
}

Test(multipart, rejects_final_boundary_with_one_dash)
{
	S_rejects(LIT(FIELD("a", "1") "--XyZ-"), MULTIPART_NO_FINAL_BOUNDARY);
}

Test(multipart, rejects_body_cut_in_data)
{
	S_rejects(LIT(DASH CD("a") "\r\nhalf a val"), MULTIPART_NO_FINAL_BOUNDARY);
}

Test(multipart, rejects_body_cut_in_headers)
{
	S_rejects(LIT(DASH "Content-Disposition: form-da"), MULTIPART_NO_FINAL_BOUNDARY);
	S_rejects(LIT(DASH CD("a")), MULTIPART_NO_FINAL_BOUNDARY);
}

Test(multipart, rejects_lf_only_body)
{
	S_rejects(LIT("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n--XyZ--\n"),
	          MULTIPART_BARE_LF);
}

Test(multipart, rejects_bare_lf_ending_a_header_line)
{
	S_rejects(LIT(DASH "Content-Disposition: form-data; name=\"a\"\n\r\n1\r\n" END),
	          MULTIPART_BARE_LF);
}

Test(multipart, rejects_bare_lf_ending_the_header_block)
{
	S_rejects(LIT(DASH CD("a") "\n1\r\n" END), MULTIPART_BARE_LF);
}

Test(multipart, lf_only_delimiter_inside_data_is_data)
{
	S_rejects(LIT(DASH CD("a") "\r\n1\n--XyZ--\n"), MULTIPART_NO_FINAL_BOUNDARY);
}

/* --- headers ------------------------------------------------------------------------------- */

Test(multipart, reads_parameters_in_any_order_and_case)
{
	struct multipart m;
	S_parse(&m, LIT(DASH "content-disposition: Form-Data; FileName=\"b.png\"; NAME=shot\r\n"
	                     "CONTENT-TYPE: image/png\r\n\r\nz\r\n" END));
	S_file(&m, 0, "shot", "b.png", "image/png", "z", 1);
	S_release(&m);
}

Test(multipart, accepts_unquoted_parameters_and_whitespace)
{
	struct multipart m;
	S_parse(&m, LIT(DASH "Content-Disposition:form-data ;\tname=topic  \r\n\r\nx\r\n" END));
	S_field_str(&m, 0, "topic", "x");
	S_release(&m);
}

Test(multipart, ignores_unknown_headers_and_parameters)
{
	struct multipart m;
	S_parse(&m, LIT(DASH "X-Junk: \xe4\xbd\xa0 ok\r\n"
	                     "Content-Disposition: form-data; size=3; name=\"a\"; x=\"y;z\"\r\n"
	                     "Content-Length: 1\r\n\r\n1\r\n" END));
	S_field_str(&m, 0, "a", "1");
	S_release(&m);
}

Test(multipart, accepts_identity_transfer_encodings)
{
	struct multipart m;
	S_parse(&m, LIT(DASH CD("a") "Content-Transfer-Encoding: BINARY\r\n\r\n1\r\n" DASH CD(
	                "b") "Content-Transfer-Encoding: 8bit\r\n\r\n2\r\n" END));
	cr_assert_eq(m.n, 2);
	S_release(&m);
}

Test(multipart, rejects_other_transfer_encodings)
{
	S_rejects(LIT(DASH CD("a") "Content-Transfer-Encoding: base64\r\n\r\nMQ==\r\n" END),
	          MULTIPART_BAD_ENCODING);
	S_rejects(LIT(DASH CD("a") "Content-Transfer-Encoding: quoted-printable\r\n\r\n1\r\n" END),
	          MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_repeated_transfer_encoding)
{
	S_rejects(LIT(DASH CD("a") "Content-Transfer-Encoding: 8bit\r\n"
	                           "Content-Transfer-Encoding: 8bit\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_part_without_disposition)
{
	S_rejects(LIT(DASH "Content-Type: text/plain\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_part_without_headers)
{
	S_rejects(LIT(DASH "\r\n1\r\n" END), MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_disposition_other_than_form_data)
{
	S_rejects_disposition("attachment; name=\"a\"", MULTIPART_MALFORMED_HEADER);
	S_rejects_disposition("inline", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_empty_disposition)
{
	S_rejects_disposition("", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_missing_name)
{
	S_rejects_disposition("form-data", MULTIPART_MALFORMED_HEADER);
	S_rejects_disposition("form-data; filename=\"a.png\"", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_empty_name)
{
	S_rejects_disposition("form-data; name=\"\"", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_name_parameter)
{
	S_rejects_disposition("form-data; name=a; name=b", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_name_parameter_in_other_case)
{
	S_rejects_disposition("form-data; name=a; NAME=a", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_filename_parameter)
{
	S_rejects_disposition("form-data; name=a; filename=x; filename=y",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_filename_star_parameter)
{
	S_rejects_disposition("form-data; name=a; filename*=UTF-8''x; filename*=UTF-8''y",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_disposition_header)
{
	S_rejects(LIT(DASH CD("a") CD("b") "\r\n1\r\n" END), MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_repeated_content_type)
{
	S_rejects(LIT(DASH CD(
	              "a") "Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_content_type_without_subtype)
{
	S_rejects(LIT(DASH CD("a") "Content-Type: text\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_content_type_with_malformed_parameter)
{
	S_rejects(LIT(DASH CD("a") "Content-Type: text/plain; charset\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_empty_content_type)
{
	S_rejects(LIT(DASH CD("a") "Content-Type: \r\n\r\n1\r\n" END), MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_header_line_without_colon)
{
	S_rejects(LIT(DASH CD("a") "garbage\r\n\r\n1\r\n" END), MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_folded_header_line)
{
	S_rejects(LIT(DASH "Content-Disposition: form-data;\r\n name=\"a\"\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_space_before_colon)
{
	S_rejects(LIT(DASH "Content-Disposition : form-data; name=a\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_nul_in_header)
{
	S_rejects(LIT(DASH "Content-Disposition: form-data; name=\"a\0b\"\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_bare_cr_in_header)
{
	S_rejects(LIT(DASH "Content-Disposition: form-data; name=\"a\rb\"\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_del_in_header)
{
	S_rejects(LIT(DASH "Content-Disposition: form-data; name=\"a\x7f\"\r\n\r\n1\r\n" END),
	          MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_unterminated_quote)
{
	S_rejects_disposition("form-data; name=\"a", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_quote_closed_only_by_an_escaped_quote)
{
	S_rejects_disposition("form-data; name=a; filename=\"a.png\\\"",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_trailing_semicolon_in_disposition)
{
	S_rejects_disposition("form-data; name=a;", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_parameter_without_value)
{
	S_rejects_disposition("form-data; name", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_unquoted_value_with_space)
{
	S_rejects_disposition("form-data; name=a b", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_parameter_without_semicolon)
{
	S_rejects_disposition("form-data name=a", MULTIPART_MALFORMED_HEADER);
}

/* --- names and filenames ------------------------------------------------------------------- */

Test(multipart, unescapes_quotes_in_filename)
{
	S_filename("form-data; name=f; filename=\"say \\\"hi\\\".png\"", "say \"hi\".png");
}

Test(multipart, unescapes_nested_quotes_in_filename)
{
	S_filename("form-data; name=f; filename=\"\\\"\\\"a\\\" \\\"b\\\"\\\".png\"",
	           "\"\"a\" \"b\"\".png");
}

Test(multipart, keeps_semicolons_and_equals_in_quoted_filename)
{
	S_filename("form-data; name=f; filename=\"a; name=b=c.png\"", "a; name=b=c.png");
}

Test(multipart, strips_unix_path_from_filename)
{
	S_filename("form-data; name=f; filename=\"../../etc/passwd\"", "passwd");
}

Test(multipart, strips_windows_path_sent_unescaped)
{
	S_filename("form-data; name=f; filename=\"C:\\Users\\li\\shot.png\"", "shot.png");
}

Test(multipart, escaped_backslash_counts_as_a_path_separator)
{
	S_filename("form-data; name=f; filename=\"dir\\\\a.png\"", "a.png");
}

Test(multipart, keeps_percent_escapes_in_filename)
{
	/* Browsers send " as %22; decoding would also change a real "%22" in a name. */
	S_filename("form-data; name=f; filename=\"a%22b.png\"", "a%22b.png");
}

Test(multipart, keeps_utf8_filename)
{
	S_filename("form-data; name=f; filename=\"\xe6\x88\xaa\xe5\x9b\xbe.png\"",
	           "\xe6\x88\xaa\xe5\x9b\xbe.png");
}

Test(multipart, decodes_filename_star_in_utf8)
{
	S_filename("form-data; name=f; filename*=UTF-8''%E6%88%AA%e5%9b%be%20x.png",
	           "\xe6\x88\xaa\xe5\x9b\xbe x.png");
	S_filename("form-data; name=f; filename*=utf-8'zh'a.png", "a.png");
}

Test(multipart, filename_star_wins_over_filename)
{
	S_filename("form-data; name=f; filename*=UTF-8''new.png; filename=\"old.png\"", "new.png");
	S_filename("form-data; filename=\"old.png\"; name=f; filename*=UTF-8''new.png", "new.png");
}

Test(multipart, strips_path_from_filename_star)
{
	S_filename("form-data; name=f; filename*=UTF-8''..%2F..%2Fx.png", "x.png");
}

Test(multipart, rejects_filename_star_in_other_charsets)
{
	S_rejects_disposition("form-data; name=f; filename*=iso-8859-1''caf%E9.png",
	                      MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_quoted_filename_star)
{
	S_rejects_disposition("form-data; name=f; filename*=\"UTF-8''a.png\"",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_truncated_escape_in_filename_star)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8''a%2.png",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_filename_star_without_language)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8'a.png",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_filename_star_without_charset)
{
	S_rejects_disposition("form-data; name=f; filename*=a.png", MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_raw_quote_in_filename_star)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8''a'b",
	                      MULTIPART_MALFORMED_HEADER);
}

Test(multipart, rejects_encoded_nul_in_filename)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8''a%00.png",
	                      MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_encoded_newline_in_filename)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8''a%0A.png",
	                      MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_tab_in_filename)
{
	S_rejects_disposition("form-data; name=f; filename=\"a\tb.png\"", MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_invalid_utf8_in_filename)
{
	S_rejects_disposition("form-data; name=f; filename=\"a\xff.png\"", MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_overlong_utf8_in_filename_star)
{
	S_rejects_disposition("form-data; name=f; filename*=UTF-8''%C0%AF.png",
	                      MULTIPART_BAD_ENCODING);
}

Test(multipart, unescapes_quotes_in_name)
{
	struct multipart m;
	S_parse(&m, LIT(DASH "Content-Disposition: form-data; name=\"a\\\"b\"\r\n\r\n1\r\n" END));
	cr_assert_str_eq(m.parts[0].name, "a\"b");
	S_release(&m);
}

Test(multipart, rejects_invalid_utf8_in_name)
{
	S_rejects_disposition("form-data; name=\"\xc3\"", MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_tab_in_name)
{
	S_rejects_disposition("form-data; name=\"a\tb\"", MULTIPART_BAD_ENCODING);
}

Test(multipart, accepts_name_of_64_bytes)
{
	struct multipart m;
	struct buf b = BUF_INIT;
	buf_addf(&b, DASH "Content-Disposition: form-data; name=%064d\r\n\r\n1\r\n" END, 7);
	S_parse(&m, b.ptr, b.len);
	cr_assert_eq(m.parts[0].name_len, 64);
	S_release(&m);
	buf_release(&b);
}

Test(multipart, rejects_name_over_64_bytes)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, DASH "Content-Disposition: form-data; name=%065d\r\n\r\n1\r\n" END, 7);
	S_rejects(b.ptr, b.len, MULTIPART_FIELD_TOO_LARGE);
	buf_release(&b);
}

/* --- duplicates ---------------------------------------------------------------------------- */

Test(multipart, rejects_duplicate_text_field)
{
	S_rejects(LIT(FIELD("email", "a@b.c") FIELD("email", "x@y.z") END),
	          MULTIPART_DUPLICATE_FIELD);
}

Test(multipart, rejects_file_named_like_a_field)
{
	S_rejects(LIT(FIELD("shot", "x") FILE_("shot", "a.png", "image/png", "z") END),
	          MULTIPART_DUPLICATE_FIELD);
}

Test(multipart, rejects_field_named_like_a_file)
{
	S_rejects(LIT(FILE_("shot", "a.png", "image/png", "z") FIELD("shot", "x") END),
	          MULTIPART_DUPLICATE_FIELD);
}

Test(multipart, files_may_share_a_name)
{
	struct multipart m;
	S_parse(&m, LIT(FILE_("shot", "a.png", "image/png", "1")
	                    FILE_("shot", "b.png", "image/png", "2") END));
	cr_assert_eq(m.files, 2);
	cr_assert_eq(multipart_count(&m, "shot"), 2);
	cr_assert_eq(multipart_get(&m, "shot"), &m.parts[0]);
	S_release(&m);
}

Test(multipart, get_and_count_find_fields)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("a", "1") FIELD("b", "2") END));
	cr_assert_str_eq(multipart_get(&m, "b")->value, "2");
	cr_assert_null(multipart_get(&m, "c"));
	cr_assert_eq(multipart_count(&m, "a"), 1);
	cr_assert_eq(multipart_count(&m, "c"), 0);
	S_release(&m);
	cr_assert_null(multipart_get(&m, "a"));
}

/* --- UTF-8 --------------------------------------------------------------------------------- */

Test(multipart, accepts_utf8_field_values)
{
	struct multipart m;
	S_parse(&m, LIT(FIELD("d", "\xe8\xbd\xac\xe8\xb4\xa6 \xf0\x9f\x98\x80") END));
	S_field_str(&m, 0, "d", "\xe8\xbd\xac\xe8\xb4\xa6 \xf0\x9f\x98\x80");
	S_release(&m);
}

Test(multipart, rejects_invalid_utf8_in_field)
{
	S_rejects(LIT(FIELD("d", "a\xff") END), MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_truncated_utf8_in_field)
{
	S_rejects(LIT(FIELD("d", "\xe8\xbd") END), MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_overlong_utf8_in_field)
{
	S_rejects(LIT(FIELD("d", "\xc0\xaf") END), MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_surrogate_in_field)
{
	S_rejects(LIT(FIELD("d", "\xed\xa0\x80") END), MULTIPART_BAD_ENCODING);
}

Test(multipart, rejects_nul_in_field)
{
	S_rejects(LIT(FIELD("d", "a\0b") END), MULTIPART_BAD_ENCODING);
}

/* --- limits -------------------------------------------------------------------------------- */

Test(multipart, accepts_max_parts)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_parts = 2;
	S_parse_with(&m, LIT(FIELD("a", "1") FIELD("b", "2") END), &lim);
	cr_assert_eq(m.n, 2);
	S_release(&m);
}

Test(multipart, rejects_too_many_parts)
{
	struct multipart_limits lim = S_lim;
	lim.max_parts = 2;
	S_rejects_with(LIT(FIELD("a", "1") FIELD("b", "2") FIELD("c", "3") END), &lim,
	               MULTIPART_TOO_MANY_PARTS);
}

Test(multipart, rejects_any_part_when_max_parts_is_zero)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_parts = 0;
	S_rejects_with(LIT(FIELD("a", "1") END), &lim, MULTIPART_TOO_MANY_PARTS);
	S_parse_with(&m, LIT(END), &lim);
	S_release(&m);
}

Test(multipart, parses_many_parts)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	struct buf b = BUF_INIT;
	lim.max_parts = 5000;
	for (int i = 0; i < 5000; i++)
		buf_addf(&b, DASH "Content-Disposition: form-data; name=f%d\r\n\r\n%d\r\n", i, i);
	buf_adds(&b, END);
	S_parse_with(&m, b.ptr, b.len, &lim);
	cr_assert_eq(m.n, 5000);
	S_field_str(&m, 4999, "f4999", "4999");
	S_release(&m);
	buf_release(&b);
}

Test(multipart, stops_at_max_parts_of_a_huge_body)
{
	size_t n;
	struct multipart_limits lim = S_lim;
	lim.max_parts = 16;
	char *body = S_repeat("", DASH CDF("a", "x") "\r\n\r\n", 200000, END, &n);
	lim.max_files = 100;
	S_rejects_with(body, n, &lim, MULTIPART_TOO_MANY_PARTS);
	free(body);
}

Test(multipart, accepts_max_files)
{
	struct multipart m;
	S_parse(&m, LIT(FILE_("s", "1.png", "image/png", "1") FILE_("s", "2.png", "image/png", "2")
	                    FILE_("s", "3.png", "image/png", "3") FIELD("subject", "x") END));
	cr_assert_eq(m.files, 3);
	S_release(&m);
}

Test(multipart, rejects_too_many_files)
{
	S_rejects(LIT(FILE_("s", "1.png", "image/png", "1") FILE_("s", "2.png", "image/png", "2")
	                  FILE_("s", "3.png", "image/png", "3")
	                      FILE_("t", "4.png", "image/png", "4") END),
	          MULTIPART_TOO_MANY_FILES);
}

Test(multipart, accepts_header_block_at_limit)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	const char head[] = CD("a") "\r\n";
	lim.max_header = sizeof(head) - 1;
	S_parse_with(&m, LIT(DASH CD("a") "\r\n1\r\n" END), &lim);
	S_release(&m);
}

Test(multipart, rejects_header_block_over_limit)
{
	struct multipart_limits lim = S_lim;
	const char head[] = CD("a") "\r\n";
	lim.max_header = sizeof(head) - 2;
	S_rejects_with(LIT(DASH CD("a") "\r\n1\r\n" END), &lim, MULTIPART_HEADER_TOO_LARGE);
}

Test(multipart, rejects_huge_header_line)
{
	size_t n;
	char *body = S_repeat(DASH "X-Junk: ", "a", 4 << 20, "\r\n" CD("a") "\r\n1\r\n" END, &n);
	S_rejects(body, n, MULTIPART_HEADER_TOO_LARGE);
	free(body);
}

Test(multipart, rejects_many_small_header_lines_over_limit)
{
	size_t n;
	char *body = S_repeat(DASH, "X-A: b\r\n", 100000, CD("a") "\r\n1\r\n" END, &n);
	S_rejects(body, n, MULTIPART_HEADER_TOO_LARGE);
	free(body);
}

Test(multipart, accepts_field_at_limit)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_field = 5;
	S_parse_with(&m, LIT(FIELD("a", "12345") FILE_("f", "a", "a/b", "123456") END), &lim);
	S_field_str(&m, 0, "a", "12345");
	S_release(&m);
}

Test(multipart, rejects_field_over_limit)
{
	struct multipart_limits lim = S_lim;
	lim.max_field = 5;
	S_rejects_with(LIT(FIELD("a", "123456") END), &lim, MULTIPART_FIELD_TOO_LARGE);
}

Test(multipart, accepts_file_at_limit)
{
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_file = 6;
	S_parse_with(&m, LIT(FILE_("f", "a", "a/b", "123456") FIELD("a", "1234567") END), &lim);
	cr_assert_eq(m.parts[0].data_len, 6);
	S_release(&m);
}

Test(multipart, rejects_file_over_limit)
{
	struct multipart_limits lim = S_lim;
	lim.max_file = 6;
	S_rejects_with(LIT(FILE_("f", "a", "a/b", "1234567") END), &lim, MULTIPART_FILE_TOO_LARGE);
}

Test(multipart, rejects_oversized_file_before_reading_the_rest)
{
	/* The limit is reached before the missing final boundary is: too large, not truncated. */
	size_t n;
	char *body = S_repeat(DASH CDF("f", "a.png") "\r\n", "0123456789", 1 << 20, "", &n);
	S_rejects(body, n, MULTIPART_FILE_TOO_LARGE);
	free(body);
}

Test(multipart, accepts_limits_of_size_max)
{
	struct multipart m;
	struct multipart_limits lim = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
	S_parse_with(&m, LIT(FIELD("a", "1") FILE_("f", "a", "a/b", "2") END), &lim);
	cr_assert_eq(m.n, 2);
	S_release(&m);
}

/* --- hostile input ------------------------------------------------------------------------- */

/* Seconds of CPU time used so far. */
static double S_cpu(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

Test(multipart, near_miss_delimiters_take_linear_time)
{
	/* 8 MB of "\r\n--XyZx": every one starts a delimiter that is not one. */
	size_t n;
	char *body = S_repeat(DASH CDF("f", "a") "\r\n", "\r\n--XyZx", 1 << 20, "\r\n" END, &n);
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_file = SIZE_MAX;
	double t = S_cpu();
	S_parse_with(&m, body, n, &lim);
	cr_assert_lt(S_cpu() - t, 2.0, "%.2f s for %zu bytes", S_cpu() - t, n);
	cr_assert_eq(m.parts[0].data_len, (size_t)8 << 20);
	S_release(&m);
	free(body);
}

Test(multipart, padding_runs_take_linear_time)
{
	size_t n;
	char *body = S_repeat(DASH CDF("f", "a") "\r\n", "\r\n--XyZ                         x",
	                      1 << 18, "\r\n" END, &n);
	struct multipart m;
	struct multipart_limits lim = S_lim;
	lim.max_file = SIZE_MAX;
	double t = S_cpu();
	S_parse_with(&m, body, n, &lim);
	cr_assert_lt(S_cpu() - t, 2.0, "%.2f s for %zu bytes", S_cpu() - t, n);
	S_release(&m);
	free(body);
}

Test(multipart, error_strings_cover_every_error)
{
	for (int e = 0; e < MULTIPART__MAX; e++) {
		const char *s = multipart_error_str((enum multipart_error)e);
		cr_assert_not_null(s);
		cr_assert_str_neq(s, "unknown error", "error %d has no string", e);
	}
	cr_assert_str_eq(multipart_error_str(MULTIPART__MAX), "unknown error");
}

Test(multipart, release_is_harmless_twice)
{
	struct multipart m = {0};
	multipart_release(&m);
	multipart_release(&m);
	S_parse(&m, LIT(FIELD("a", "1") END));
	multipart_release(&m);
	multipart_release(&m);
	S_assert_no_leaks();
}
