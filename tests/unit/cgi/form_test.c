/* form_test.c - unit tests for cgi/form.c: urlencoded and Cookie parsing, lookup, errors. */
#include "form.h"
#include "buf.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Under ASan, fail if anything allocated so far is unreachable: leaks are reported only at exit,
 * which does not fail a Criterion test (nor does a failure in .fini). Without ASan this checks
 * nothing.
 */
static void S_assert_no_leaks(void)
{
#ifdef S_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked (see the report above)");
#endif
}

/* Release f, then check that nothing it held was leaked. */
static void S_release(struct form *f)
{
	form_release(f);
	S_assert_no_leaks();
}

/* A string literal and its length, NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Limits for tests that are not about limits. */
#define FIELDS 100
#define VALUE  1000

/* Parse n bytes of s with the default limits, expecting success. */
static void S_parse(struct form *f, const char *s, size_t n)
{
	enum form_error e = form_parse_urlencoded(f, s, n, FIELDS, VALUE);
	cr_assert_eq(e, FORM_OK, "parse of \"%.*s\" failed: %s", (int)n, s, form_error_str(e));
}

/* Parse n bytes of s with the given limits, expecting error want and an empty form. */
static void S_rejects_with(const char *s, size_t n, size_t max_fields, size_t max_value,
                           enum form_error want)
{
	struct form f;
	memset(&f, 0xa5, sizeof(f)); /* the parser must not read what was there */
	enum form_error e = form_parse_urlencoded(&f, s, n, max_fields, max_value);
	cr_assert_eq(e, want, "parse of \"%.*s\" gave \"%s\", want \"%s\"", (int)n, s,
	             form_error_str(e), form_error_str(want));
	cr_assert_eq(f.n, 0, "%zu fields left after an error", f.n);
	cr_assert_null(f.f, "field array left after an error");
	cr_assert_null(f.mem, "string block left after an error");
	S_release(&f);
}

static void S_rejects(const char *s, size_t n, enum form_error want)
{
	S_rejects_with(s, n, FIELDS, VALUE, want);
}

/* Check field i of f: name and value, their lengths, and their NULs. */
static void S_field(const struct form *f, size_t i, const char *name, size_t name_len,
                    const char *value, size_t value_len)
{
	cr_assert_lt(i, f->n, "no field %zu: only %zu", i, f->n);
	const struct form_field *fl = &f->f[i];
	cr_assert_eq(fl->name_len, name_len, "field %zu name length %zu, want %zu", i, fl->name_len,
	             name_len);
	cr_assert_eq(memcmp(fl->name, name, name_len), 0, "field %zu name \"%s\", want \"%s\"", i,
	             fl->name, name);
	cr_assert_eq(fl->name[name_len], '\0', "field %zu name not NUL-terminated", i);
	cr_assert_eq(fl->value_len, value_len, "field %zu value length %zu, want %zu", i,
	             fl->value_len, value_len);
	cr_assert_eq(memcmp(fl->value, value, value_len), 0, "field %zu value \"%s\", want \"%s\"",
	             i, fl->value, value);
	cr_assert_eq(fl->value[value_len], '\0', "field %zu value not NUL-terminated", i);
}

/* Field i of f is name=value, both NUL-terminated strings without NULs. */
static void S_field_str(const struct form *f, size_t i, const char *name, const char *value)
{
	S_field(f, i, name, strlen(name), value, strlen(value));
}

/* A string of n copies of the NUL-terminated unit, prefixed by prefix; caller frees. */
static char *S_repeat(const char *prefix, const char *unit, size_t n, size_t *len)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, prefix);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, unit);
	return buf_detach(&b, len);
}

/* --- urlencoded: decoding ------------------------------------------------------------------ */

Test(form, decodes_percent_escapes)
{
	struct form f;
	S_parse(&f, LIT("a%20b=c%26d%3De"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "a b", "c&d=e");
	S_release(&f);
}

Test(form, decodes_upper_and_lower_case_hex)
{
	struct form f;
	S_parse(&f, LIT("x=%4a%4A%2f%2F%c3%A9"));
	S_field_str(&f, 0, "x", "JJ//\xc3\xa9");
	S_release(&f);
}

Test(form, decodes_plus_as_space)
{
	struct form f;
	S_parse(&f, LIT("full+name=Li+Lei++"));
	S_field_str(&f, 0, "full name", "Li Lei  ");
	S_release(&f);
}

Test(form, decodes_encoded_plus_as_plus)
{
	struct form f;
	S_parse(&f, LIT("q=1%2B1+%2b+2"));
	S_field_str(&f, 0, "q", "1+1 + 2");
	S_release(&f);
}

Test(form, splits_pair_at_first_equals_sign)
{
	struct form f;
	S_parse(&f, LIT("t=a=b=="));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "t", "a=b==");
	S_release(&f);
}

Test(form, accepts_raw_utf8)
{
	struct form f;
	S_parse(&f, LIT("\xe5\xaf\x86\xe7\xa0\x81=\xe5\xaf\x86"));
	S_field_str(&f, 0, "\xe5\xaf\x86\xe7\xa0\x81", "\xe5\xaf\x86");
	S_release(&f);
}

Test(form, accepts_encoded_chinese)
{
	struct form f;
	S_parse(&f, LIT("%E5%AF%86%E7%A0%81=%E5%AF%86%E7%A0%81"));
	S_field_str(&f, 0, "密码", "密码");
	S_release(&f);
}

Test(form, accepts_encoded_emoji)
{
	struct form f;
	S_parse(&f, LIT("note=ok%F0%9F%98%80%f4%8f%bf%bf"));
	S_field_str(&f, 0, "note", "ok\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"); /* 😀 and U+10FFFF */
	S_release(&f);
}

/* --- urlencoded: structure ----------------------------------------------------------------- */

Test(form, keeps_repeated_names_in_order)
{
	struct form f;
	S_parse(&f, LIT("tag=a&x=1&tag=b&tag=c"));
	cr_assert_eq(f.n, 4);
	S_field_str(&f, 0, "tag", "a");
	S_field_str(&f, 1, "x", "1");
	S_field_str(&f, 2, "tag", "b");
	S_field_str(&f, 3, "tag", "c");
	S_release(&f);
}

Test(form, accepts_empty_values)
{
	struct form f;
	S_parse(&f, LIT("a=&b=&c=3"));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "a", "");
	S_field_str(&f, 1, "b", "");
	S_field_str(&f, 2, "c", "3");
	S_release(&f);
}

Test(form, gives_name_without_equals_an_empty_value)
{
	struct form f;
	S_parse(&f, LIT("remember&a=1&debug"));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "remember", "");
	S_field_str(&f, 1, "a", "1");
	S_field_str(&f, 2, "debug", "");
	S_release(&f);
}

Test(form, accepts_empty_name)
{
	struct form f;
	S_parse(&f, LIT("=x"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "", "x");
	S_release(&f);
}

Test(form, accepts_empty_input)
{
	struct form f;
	memset(&f, 0xa5, sizeof(f));
	cr_assert_eq(form_parse_urlencoded(&f, "", 0, FIELDS, VALUE), FORM_OK);
	cr_assert_eq(f.n, 0);
	cr_assert_null(f.f);
	S_release(&f);
	cr_assert_eq(form_parse_urlencoded(&f, NULL, 0, FIELDS, VALUE), FORM_OK);
	cr_assert_eq(f.n, 0);
	S_release(&f);
}

Test(form, skips_empty_pairs)
{
	struct form f;
	S_parse(&f, LIT("&a=1&&&b=2"));
	cr_assert_eq(f.n, 2);
	S_field_str(&f, 0, "a", "1");
	S_field_str(&f, 1, "b", "2");
	S_release(&f);
	S_parse(&f, LIT("&&&"));
	cr_assert_eq(f.n, 0);
	S_release(&f);
}

Test(form, ignores_trailing_ampersand)
{
	struct form f;
	S_parse(&f, LIT("a=1&"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "a", "1");
	S_release(&f);
}

Test(form, reads_nothing_past_n)
{
	/* Exactly sized heap copies, so ASan sees any read past the end. */
	static const char *const inputs[] = {"a=1&b=%41", "a=%4", "a=%", "x", "a=b&"};
	struct form f;
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
		size_t n = strlen(inputs[i]);
		char *s = xmalloc(n);
		memcpy(s, inputs[i], n);
		form_parse_urlencoded(&f, s, n, FIELDS, VALUE);
		S_release(&f);
		free(s);
	}
	/* The byte after n would complete the escape; it must not be looked at. */
	cr_assert_eq(form_parse_urlencoded(&f, "a=%41", 4, FIELDS, VALUE), FORM_BAD_ESCAPE);
	S_parse(&f, "a=bc", 3);
	S_field_str(&f, 0, "a", "b");
	S_release(&f);
}

/* --- urlencoded: malformed escapes --------------------------------------------------------- */

Test(form, rejects_lone_percent)
{
	S_rejects(LIT("%"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=%"), FORM_BAD_ESCAPE);
}

Test(form, rejects_escape_with_one_hex_digit)
{
	S_rejects(LIT("%4"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=%4"), FORM_BAD_ESCAPE);
}

Test(form, rejects_escape_cut_by_separator)
{
	S_rejects(LIT("a=%4&b=1"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a%4=1"), FORM_BAD_ESCAPE);
}

Test(form, rejects_non_hex_escape)
{
	S_rejects(LIT("a=%G1"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=%1g"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=%+1"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=% 1"), FORM_BAD_ESCAPE);
}

Test(form, rejects_bad_escape_in_name)
{
	S_rejects(LIT("a%ZZ=1"), FORM_BAD_ESCAPE);
}

/* --- urlencoded: invalid UTF-8 ------------------------------------------------------------- */

Test(form, rejects_two_byte_overlong)
{
	S_rejects(LIT("p=%C0%AF"), FORM_BAD_UTF8); /* '/' */
}

Test(form, rejects_three_byte_overlong)
{
	S_rejects(LIT("p=%E0%80%AF"), FORM_BAD_UTF8); /* '/' */
}

Test(form, rejects_byte_ff)
{
	S_rejects(LIT("p=%FF"), FORM_BAD_UTF8);
}

Test(form, rejects_lone_continuation_byte)
{
	S_rejects(LIT("p=a%80b"), FORM_BAD_UTF8);
}

Test(form, rejects_surrogate)
{
	S_rejects(LIT("p=%ED%A0%80"), FORM_BAD_UTF8);
}

Test(form, rejects_code_point_above_10ffff)
{
	S_rejects(LIT("p=%F4%90%80%80"), FORM_BAD_UTF8);
}

Test(form, rejects_truncated_sequence)
{
	S_rejects(LIT("p=%E5%AF"), FORM_BAD_UTF8);
	/* Split across name and value: each is checked on its own. */
	S_rejects(LIT("%C3=%A9"), FORM_BAD_UTF8);
}

Test(form, rejects_raw_invalid_utf8)
{
	S_rejects(LIT("p=\xff"), FORM_BAD_UTF8);
}

Test(form, rejects_invalid_utf8_in_name)
{
	S_rejects(LIT("%FF=1"), FORM_BAD_UTF8);
}

/* --- urlencoded: NUL bytes ----------------------------------------------------------------- */

Test(form, rejects_encoded_nul)
{
	S_rejects(LIT("a=x%00y"), FORM_NUL);
	S_rejects(LIT("a%00=1"), FORM_NUL);
}

Test(form, rejects_raw_nul)
{
	S_rejects(LIT("a=x\0y"), FORM_NUL);
	S_rejects(LIT("a\0=1"), FORM_NUL);
	S_rejects(LIT("a=1&\0"), FORM_NUL);
}

/* --- urlencoded: limits -------------------------------------------------------------------- */

Test(form, accepts_exactly_max_fields)
{
	struct form f;
	cr_assert_eq(form_parse_urlencoded(&f, LIT("a=1&b=2&c=3&"), 3, VALUE), FORM_OK);
	cr_assert_eq(f.n, 3);
	S_release(&f);
}

Test(form, rejects_too_many_fields)
{
	S_rejects_with(LIT("a=1&b=2&c=3&d"), 3, VALUE, FORM_TOO_MANY);
	S_rejects_with(LIT("a"), 0, VALUE, FORM_TOO_MANY);
}

Test(form, empty_pairs_do_not_count_as_fields)
{
	struct form f;
	cr_assert_eq(form_parse_urlencoded(&f, LIT("&&a=1&&&&b=2&&"), 2, VALUE), FORM_OK);
	cr_assert_eq(f.n, 2);
	S_release(&f);
}

Test(form, accepts_10000_fields_with_max_10000)
{
	struct form f;
	size_t n;
	char *s = S_repeat("k=0", "&k=1", 9999, &n);
	cr_assert_eq(form_parse_urlencoded(&f, s, n, 10000, VALUE), FORM_OK);
	cr_assert_eq(f.n, 10000);
	S_field_str(&f, 0, "k", "0");
	S_field_str(&f, 9999, "k", "1");
	cr_assert_eq(form_count(&f, "k"), 10000);
	S_release(&f);
	free(s);
}

Test(form, rejects_10001_fields_with_max_10000)
{
	size_t n;
	char *s = S_repeat("k=0", "&k=1", 10000, &n);
	S_rejects_with(s, n, 10000, VALUE, FORM_TOO_MANY);
	free(s);
}

Test(form, accepts_name_of_64_bytes)
{
	struct form f;
	size_t n;
	char *s = S_repeat("", "n", FORM_NAME_MAX, &n);
	S_parse(&f, s, n);
	cr_assert_eq(f.f[0].name_len, 64);
	S_release(&f);
	free(s);
}

Test(form, rejects_name_of_65_bytes)
{
	size_t n;
	char *s = S_repeat("", "n", FORM_NAME_MAX + 1, &n);
	S_rejects(s, n, FORM_TOO_LONG);
	free(s);
	s = S_repeat("a=1&", "n", FORM_NAME_MAX + 1, &n);
	S_rejects(s, n, FORM_TOO_LONG);
	free(s);
}

Test(form, measures_name_after_decoding)
{
	struct form f;
	size_t n;
	char *s = S_repeat("", "%41", FORM_NAME_MAX, &n); /* 192 bytes, 64 decoded */
	S_parse(&f, s, n);
	cr_assert_eq(f.f[0].name_len, 64);
	S_release(&f);
	free(s);
}

Test(form, accepts_value_of_max_value_bytes)
{
	struct form f;
	cr_assert_eq(form_parse_urlencoded(&f, LIT("v=12345"), FIELDS, 5), FORM_OK);
	S_field_str(&f, 0, "v", "12345");
	S_release(&f);
}

Test(form, rejects_value_of_max_value_plus_one_bytes)
{
	S_rejects_with(LIT("v=123456"), FIELDS, 5, FORM_TOO_LONG);
}

Test(form, measures_value_after_decoding)
{
	struct form f;
	/* 15 bytes encoded, 5 decoded: within a 5-byte limit. */
	cr_assert_eq(form_parse_urlencoded(&f, LIT("v=%31%32%33%34%35"), FIELDS, 5), FORM_OK);
	S_field_str(&f, 0, "v", "12345");
	S_release(&f);
	S_rejects_with(LIT("v=%31%32%33%34%35%36"), FIELDS, 5, FORM_TOO_LONG);
}

Test(form, accepts_long_value_with_huge_limit)
{
	struct form f;
	size_t n;
	char *s = S_repeat("v=", "x", 100000, &n);
	cr_assert_eq(form_parse_urlencoded(&f, s, n, SIZE_MAX, SIZE_MAX), FORM_OK);
	cr_assert_eq(f.f[0].value_len, 100000);
	S_release(&f);
	free(s);
}

/* --- urlencoded: errors leave nothing behind ----------------------------------------------- */

Test(form, returns_nothing_partial_on_error)
{
	/* Good fields before the bad one must not survive. */
	S_rejects(LIT("a=1&b=2&c=%ZZ"), FORM_BAD_ESCAPE);
	S_rejects(LIT("a=1&b=2&c=%FF"), FORM_BAD_UTF8);
	S_rejects(LIT("a=1&b=2&c=%00"), FORM_NUL);
}

/* --- lookup and lifecycle ------------------------------------------------------------------ */

Test(form, get_returns_first_value)
{
	struct form f;
	S_parse(&f, LIT("a=1&b=2&a=3"));
	cr_assert_str_eq(form_get(&f, "a"), "1");
	cr_assert_str_eq(form_get(&f, "b"), "2");
	S_release(&f);
}

Test(form, get_returns_null_for_missing_name)
{
	struct form f;
	S_parse(&f, LIT("ab=1&b=2"));
	cr_assert_null(form_get(&f, "a"));
	cr_assert_null(form_get(&f, "abc"));
	cr_assert_null(form_get(&f, ""));
	S_release(&f);
	cr_assert_null(form_get(&f, "a"), "lookup in a released form");
}

Test(form, count_counts_repeated_names)
{
	struct form f;
	S_parse(&f, LIT("t=1&u=2&t=3&t=&tt=5"));
	cr_assert_eq(form_count(&f, "t"), 3);
	cr_assert_eq(form_count(&f, "u"), 1);
	cr_assert_eq(form_count(&f, "v"), 0);
	S_release(&f);
}

Test(form, release_twice_is_harmless)
{
	struct form f = {0};
	S_release(&f);
	S_parse(&f, LIT("a=1"));
	S_release(&f);
	S_release(&f);
	cr_assert_eq(f.n, 0);
	cr_assert_null(f.f);
	cr_assert_null(f.mem);
}

Test(form, error_str_names_every_error)
{
	for (int e = 0; e < FORM__MAX; e++) {
		const char *s = form_error_str((enum form_error)e);
		cr_assert_not_null(s);
		cr_assert_str_neq(s, "unknown error", "no string for error %d", e);
	}
	cr_assert_str_eq(form_error_str(FORM_BAD_ESCAPE), "malformed percent-encoding");
	cr_assert_str_eq(form_error_str(FORM__MAX), "unknown error");
}

/* --- cookies ------------------------------------------------------------------------------- */

Test(form, cookie_parses_typical_header)
{
	struct form f;
	cookie_parse(&f, LIT("sid=Zm9vYmFy.123; lang=zh-CN; theme=dark"));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "sid", "Zm9vYmFy.123");
	S_field_str(&f, 1, "lang", "zh-CN");
	S_field_str(&f, 2, "theme", "dark");
	S_release(&f);
}

Test(form, cookie_ignores_spaces_around_pairs)
{
	struct form f;
	cookie_parse(&f, LIT("  a=1;b=2 ;\tc = 3  "));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "a", "1");
	S_field_str(&f, 1, "b", "2");
	S_field_str(&f, 2, "c", "3");
	S_release(&f);
}

Test(form, cookie_removes_quotes_around_value)
{
	struct form f;
	cookie_parse(&f, LIT("a=\"xyz\"; b=\"\"; c=\"=1\""));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "a", "xyz");
	S_field_str(&f, 1, "b", "");
	S_field_str(&f, 2, "c", "=1");
	S_release(&f);
}

Test(form, cookie_skips_unbalanced_or_inner_quotes)
{
	struct form f;
	cookie_parse(&f, LIT("a=\"xyz; b=xyz\"; c=\"; d=x\"y; e=\"x\"y\"; ok=1"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "ok", "1");
	S_release(&f);
}

Test(form, cookie_skips_pair_without_equals)
{
	struct form f;
	cookie_parse(&f, LIT("junk; a=1; more junk"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "a", "1");
	S_release(&f);
}

Test(form, cookie_skips_empty_name)
{
	struct form f;
	cookie_parse(&f, LIT("=x; =; a=1"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "a", "1");
	S_release(&f);
}

Test(form, cookie_skips_invalid_name_characters)
{
	struct form f;
	cookie_parse(&f, LIT("a b=1; c(d=2; e/f=3; g\"=4; h\x01=5; \xe5\xaf\x86=6; ok!#$=7"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "ok!#$", "7");
	S_release(&f);
}

Test(form, cookie_skips_invalid_value_characters)
{
	struct form f;
	cookie_parse(&f, LIT("a=x y; b=x,y; c=x\\y; d=\xe5\xaf\x86; e=x\x7fy; f=1"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "f", "1");
	S_release(&f);
}

Test(form, cookie_skips_pair_with_nul_byte)
{
	struct form f;
	cookie_parse(&f, LIT("a=x\0y; b\0=1; c=3"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "c", "3");
	S_release(&f);
}

Test(form, cookie_keeps_equals_inside_value)
{
	struct form f;
	cookie_parse(&f, LIT("t=YWJj==; x=a=b"));
	cr_assert_eq(f.n, 2);
	S_field_str(&f, 0, "t", "YWJj==");
	S_field_str(&f, 1, "x", "a=b");
	S_release(&f);
}

Test(form, cookie_keeps_duplicate_names_in_order)
{
	struct form f;
	cookie_parse(&f, LIT("sid=new; x=1; sid=old"));
	cr_assert_eq(f.n, 3);
	S_field_str(&f, 0, "sid", "new");
	S_field_str(&f, 2, "sid", "old");
	cr_assert_str_eq(form_get(&f, "sid"), "new");
	cr_assert_eq(form_count(&f, "sid"), 2);
	S_release(&f);
}

Test(form, cookie_accepts_empty_value)
{
	struct form f;
	cookie_parse(&f, LIT("a=; b=2"));
	cr_assert_eq(f.n, 2);
	S_field_str(&f, 0, "a", "");
	S_release(&f);
}

Test(form, cookie_accepts_empty_header)
{
	struct form f;
	memset(&f, 0xa5, sizeof(f));
	cookie_parse(&f, "", 0);
	cr_assert_eq(f.n, 0);
	cr_assert_null(f.f);
	S_release(&f);
	cookie_parse(&f, NULL, 0);
	cr_assert_eq(f.n, 0);
	S_release(&f);
	cookie_parse(&f, LIT(" ; ;; "));
	cr_assert_eq(f.n, 0);
	S_release(&f);
}

Test(form, cookie_ignores_trailing_semicolon)
{
	struct form f;
	cookie_parse(&f, LIT("a=1;"));
	cr_assert_eq(f.n, 1);
	S_field_str(&f, 0, "a", "1");
	S_release(&f);
	cookie_parse(&f, LIT("a=1; b=2; "));
	cr_assert_eq(f.n, 2);
	S_release(&f);
}

Test(form, cookie_does_not_percent_decode)
{
	struct form f;
	cookie_parse(&f, LIT("a=%41+b; %41=1"));
	cr_assert_eq(f.n, 2);
	S_field_str(&f, 0, "a", "%41+b");
	S_field_str(&f, 1, "%41", "1");
	S_release(&f);
}

Test(form, cookie_keeps_at_most_50)
{
	struct form f;
	size_t n;
	char *s = S_repeat("c=0", "; c=1", 60, &n);
	cookie_parse(&f, s, n);
	cr_assert_eq(f.n, COOKIE_MAX);
	cr_assert_eq(COOKIE_MAX, 50);
	S_release(&f);
	free(s);
}

Test(form, cookie_junk_does_not_use_up_the_50)
{
	struct form f;
	struct buf b = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_adds(&b, i % 2 ? "junk; " : "bad=x y; ");
	buf_adds(&b, "sid=1");
	cookie_parse(&f, b.ptr, b.len);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(form_get(&f, "sid"), "1");
	S_release(&f);
	buf_release(&b);
}

Test(form, cookie_keeps_value_of_4096_bytes)
{
	struct form f;
	size_t n;
	char *s = S_repeat("a=", "v", COOKIE_VALUE_MAX, &n);
	cookie_parse(&f, s, n);
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.f[0].value_len, 4096);
	S_release(&f);
	free(s);
}

Test(form, cookie_skips_value_of_4097_bytes)
{
	struct form f;
	size_t n;
	char *s = S_repeat("a=", "v", COOKIE_VALUE_MAX + 1, &n);
	cookie_parse(&f, s, n);
	cr_assert_eq(f.n, 0);
	S_release(&f);
	free(s);
}

Test(form, cookie_skips_name_over_64_bytes)
{
	struct form f;
	struct buf b = BUF_INIT;
	for (int i = 0; i < FORM_NAME_MAX + 1; i++)
		buf_addc(&b, 'n');
	buf_adds(&b, "=1; ");
	for (int i = 0; i < FORM_NAME_MAX; i++)
		buf_addc(&b, 'm');
	buf_adds(&b, "=2");
	cookie_parse(&f, b.ptr, b.len);
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.f[0].name_len, 64);
	S_field(&f, 0, b.ptr + FORM_NAME_MAX + 5, FORM_NAME_MAX, "2", 1);
	S_release(&f);
	buf_release(&b);
}

Test(form, cookie_reads_nothing_past_n)
{
	static const char *const inputs[] = {"a=1; b=\"x", "a=\"", "a", "a=1;", "\""};
	struct form f;
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
		size_t n = strlen(inputs[i]);
		char *s = xmalloc(n);
		memcpy(s, inputs[i], n);
		cookie_parse(&f, s, n);
		S_release(&f);
		free(s);
	}
	cookie_parse(&f, "a=12; b=3", 3);
	S_field_str(&f, 0, "a", "1");
	cr_assert_eq(f.n, 1);
	S_release(&f);
}

Test(form, has_duplicates_finds_a_name_given_twice)
{
	struct form f;
	S_parse(&f, LIT("a=1&b=2&c=3"));
	cr_assert_eq(form_has_duplicates(&f), 0);
	S_release(&f);
	S_parse(&f, LIT("a=1&b=2&a=3"));
	cr_assert_eq(form_has_duplicates(&f), 1);
	S_release(&f);
	S_parse(&f, LIT("amount=1&amount=1"));
	cr_assert_eq(form_has_duplicates(&f), 1, "even with the same value");
	S_release(&f);
	S_parse(&f, LIT("ab=1&a=2&b=3"));
	cr_assert_eq(form_has_duplicates(&f), 0, "prefixes are other names");
	S_release(&f);
	S_parse(&f, LIT(""));
	cr_assert_eq(form_has_duplicates(&f), 0);
	S_release(&f);
}
