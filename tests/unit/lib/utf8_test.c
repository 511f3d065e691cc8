/* utf8_test.c - unit tests for lib/utf8.c: strict decoding, validation, encoding and length. */
#include "utf8.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <string.h>

/* Decode s (n bytes) and check the code point and the advance. */
static void S_decodes(const char *s, size_t n, long want, size_t want_adv)
{
	size_t adv = 0;
	long cp = utf8_decode(s, n, &adv);
	cr_assert_eq(cp, want, "decoded U+%04lX, want U+%04lX", (unsigned long)cp,
	             (unsigned long)want);
	cr_assert_eq(adv, want_adv, "advance %zu, want %zu", adv, want_adv);
}

/* Check that s (n bytes) is rejected by both utf8_decode (with *adv 1) and utf8_valid. */
static void S_rejects(const char *s, size_t n)
{
	size_t adv = 0;
	cr_assert_eq(utf8_decode(s, n, &adv), -1, "decode accepted %zu bytes starting %02x", n,
	             (unsigned char)s[0]);
	cr_assert_eq(adv, 1, "advance after an invalid sequence is %zu", adv);
	cr_assert_eq(utf8_valid(s, n), 0, "utf8_valid accepted %zu bytes starting %02x", n,
	             (unsigned char)s[0]);
}

/* --- decoding ------------------------------------------------------------------------------- */

Test(utf8, decodes_ascii)
{
	S_decodes("A", 1, 'A', 1);
	S_decodes("z rest", 6, 'z', 1);
	S_decodes("\x7f", 1, 0x7f, 1);
}

Test(utf8, decodes_nul_byte)
{
	S_decodes("\0", 1, 0, 1);
}

Test(utf8, decodes_two_byte_sequences)
{
	S_decodes("\xc3\xa9", 2, 0xe9, 2);   /* é */
	S_decodes("\xc2\x80", 2, 0x80, 2);   /* lowest */
	S_decodes("\xdf\xbf", 2, 0x7ff, 2);  /* highest */
	S_decodes("\xd0\x96x", 3, 0x416, 2); /* Ж, followed by more text */
}

Test(utf8, decodes_three_byte_sequences)
{
	S_decodes("\xe2\x82\xac", 3, 0x20ac, 3); /* € */
	S_decodes("\xe0\xa0\x80", 3, 0x800, 3);  /* lowest */
	S_decodes("\xed\x9f\xbf", 3, 0xd7ff, 3); /* just below the surrogates */
	S_decodes("\xee\x80\x80", 3, 0xe000, 3); /* just above the surrogates */
	S_decodes("\xef\xbf\xbf", 3, 0xffff, 3); /* highest */
}

Test(utf8, decodes_four_byte_sequences)
{
	S_decodes("\xf0\x9f\x98\x80", 4, 0x1f600, 4);  /* 😀 */
	S_decodes("\xf0\x90\x80\x80", 4, 0x10000, 4);  /* lowest */
	S_decodes("\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4); /* highest */
}

Test(utf8, rejects_overlong_two_byte_encoding)
{
	S_rejects("\xc0\x80", 2); /* NUL */
	S_rejects("\xc0\xaf", 2); /* '/' */
	S_rejects("\xc1\xbf", 2);
}

Test(utf8, rejects_overlong_three_byte_encoding)
{
	S_rejects("\xe0\x80\x80", 3);
	S_rejects("\xe0\x80\xaf", 3); /* '/' */
	S_rejects("\xe0\x9f\xbf", 3); /* U+07FF */
}

Test(utf8, rejects_overlong_four_byte_encoding)
{
	S_rejects("\xf0\x80\x80\x80", 4);
	S_rejects("\xf0\x80\x80\xaf", 4); /* '/' */
	S_rejects("\xf0\x8f\xbf\xbf", 4); /* U+FFFF */
}

Test(utf8, rejects_surrogates)
{
	S_rejects("\xed\xa0\x80", 3); /* U+D800 */
	S_rejects("\xed\xaf\xbf", 3); /* U+DBFF */
	S_rejects("\xed\xb0\x80", 3); /* U+DC00 */
	S_rejects("\xed\xbf\xbf", 3); /* U+DFFF */
}

Test(utf8, rejects_surrogate_pair_encoded_as_cesu8)
{
	S_rejects("\xed\xa0\xbd\xed\xb8\x80", 6);
}

Test(utf8, rejects_code_points_above_10ffff)
{
	S_rejects("\xf4\x90\x80\x80", 4); /* U+110000 */
	S_rejects("\xf7\xbf\xbf\xbf", 4);
}

Test(utf8, rejects_bytes_that_never_start_a_sequence)
{
	S_rejects("\xf5\x80\x80\x80", 4);
	S_rejects("\xf8\x88\x80\x80\x80", 5);
	S_rejects("\xfe", 1);
	S_rejects("\xff", 1);
}

Test(utf8, rejects_truncated_sequences)
{
	S_rejects("\xc3", 1);
	S_rejects("\xe2\x82", 2);
	S_rejects("\xe2", 1);
	S_rejects("\xf0\x9f\x98", 3);
	S_rejects("\xf0\x9f", 2);
	S_rejects("\xf0", 1);
}

Test(utf8, rejects_truncated_sequence_followed_by_text)
{
	S_rejects("\xc3"
	          "a",
	          2);
	S_rejects("\xe2\x82"
	          "a",
	          3);
	S_rejects("\xf0\x9f\x98"
	          "a",
	          4);
	S_rejects("\xe2\x82\xe2\x82\xac", 5);
}

Test(utf8, rejects_lone_continuation_bytes)
{
	S_rejects("\x80", 1);
	S_rejects("\xbf", 1);
	S_rejects("\x80\x80\x80", 3);
}

/* --- validation ----------------------------------------------------------------------------- */

Test(utf8, valid_accepts_empty_input)
{
	cr_assert_eq(utf8_valid("", 0), 1);
}

Test(utf8, valid_accepts_ascii)
{
	const char *s = "Hello, OKpay! <>&\"' 0123456789";
	cr_assert_eq(utf8_valid(s, strlen(s)), 1);
}

Test(utf8, valid_accepts_mixed_text)
{
	const char *s = "caf\xc3\xa9 \xe2\x82\xac"
	                "5 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
	cr_assert_eq(utf8_valid(s, strlen(s)), 1);
}

Test(utf8, valid_accepts_nul_bytes)
{
	cr_assert_eq(utf8_valid("a\0b\0", 4), 1);
}

Test(utf8, valid_rejects_bad_sequence_inside_text)
{
	const char *bad[] = {"\xc0\x80",         "\xe0\x80\x80", "\xed\xa0\x80",
	                     "\xf4\x90\x80\x80", "\x80",         "\xe2\x82"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf s = BUF_INIT;
		buf_adds(&s, "ok \xc3\xa9 ");
		buf_adds(&s, bad[i]);
		buf_adds(&s, " more \xe2\x82\xac");
		cr_assert_eq(utf8_valid(s.ptr, s.len), 0, "case %zu accepted", i);
		buf_release(&s);
	}
}

Test(utf8, valid_rejects_sequence_cut_by_length)
{
	/* The bytes after n are not part of the input. */
	cr_assert_eq(utf8_valid("ab\xe2\x82\xac", 4), 0);
	cr_assert_eq(utf8_valid("ab\xe2\x82\xac", 5), 1);
}

/* --- encoding ------------------------------------------------------------------------------- */

Test(utf8, encode_writes_expected_bytes)
{
	struct buf b = BUF_INIT;
	utf8_encode(&b, 'A');
	utf8_encode(&b, 0xe9);
	utf8_encode(&b, 0x20ac);
	utf8_encode(&b, 0x1f600);
	cr_assert_eq(b.len, 1 + 2 + 3 + 4);
	cr_assert_eq(memcmp(b.ptr, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", b.len), 0);
	buf_release(&b);
}

Test(utf8, encode_decode_round_trip)
{
	/* Every scalar value: encoding then decoding gives it back, in the shortest form. */
	struct buf b = BUF_INIT;
	for (long cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		buf_reset(&b);
		utf8_encode(&b, cp);
		size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (b.len != want)
			cr_assert_fail("U+%04lX encoded in %zu bytes, want %zu", cp, b.len, want);
		size_t adv = 0;
		long got = utf8_decode(b.ptr, b.len, &adv);
		if (got != cp || adv != b.len)
			cr_assert_fail("U+%04lX decoded as %ld (advance %zu)", cp, got, adv);
		if (!utf8_valid(b.ptr, b.len))
			cr_assert_fail("U+%04lX encoding not valid", cp);
	}
	buf_release(&b);
}

/* --- length --------------------------------------------------------------------------------- */

Test(utf8, length_of_empty_text_is_zero)
{
	cr_assert_eq(utf8_length("", 0), 0);
}

Test(utf8, length_of_ascii_is_byte_count)
{
	cr_assert_eq(utf8_length("hello", 5), 5);
}

Test(utf8, length_counts_code_points_not_bytes)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* a é € 😀 */
	cr_assert_eq(utf8_length(s, strlen(s)), 4);
}

Test(utf8, length_counts_nul_bytes)
{
	cr_assert_eq(utf8_length("a\0\xc3\xa9", 4), 3);
}
