/* money_test.c - unit tests for cgi/money.c: parsing amounts, formatting, fees, checked sums. */
#include "money.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

/* --- helpers ------------------------------------------------------------------------------- */

static const struct money_currency jpy = {"JPY", "¥", 0};
static const struct money_currency kwd = {"KWD", "KD", 3};

#define NO_LIMIT LLONG_MAX
/* Invisible characters, spelled out. */
#define NBSP       "\xc2\xa0"     /* U+00A0 NO-BREAK SPACE */
#define IDEO_SPACE "\xe3\x80\x80" /* U+3000 IDEOGRAPHIC SPACE, typed by Chinese input methods */

static void S_ok_in(const char *in, const struct money_currency *c, long long want)
{
	long long got = -1;
	enum money_error rc = money_parse(in, strlen(in), c, NO_LIMIT, &got);
	cr_assert_eq(rc, MONEY_OK, "\"%s\": code %d", in, rc);
	cr_assert_eq(got, want, "\"%s\" parsed as %lld, want %lld", in, got, want);
}

static void S_ok(const char *in, long long want)
{
	S_ok_in(in, &money_cny, want);
}

static void S_fails_in(const char *in, const struct money_currency *c, enum money_error want)
{
	long long got = -1;
	enum money_error rc = money_parse(in, strlen(in), c, NO_LIMIT, &got);
	cr_assert_eq(rc, want, "\"%s\": code %d, want %d", in, rc, want);
	cr_assert_eq(got, 0, "\"%s\" failed but stored %lld", in, got);
}

static void S_fails(const char *in, enum money_error want)
{
	S_fails_in(in, &money_cny, want);
}

static void S_format_is(long long minor, const struct money_currency *c, enum locale l,
                        const char *want)
{
	struct buf out = BUF_INIT;
	money_format(&out, minor, c, l);
	cr_assert_str_eq(out.ptr, want, "%lld formatted as \"%s\", want \"%s\"", minor, out.ptr,
	                 want);
	buf_release(&out);
}

static void S_decimal_is(long long minor, const struct money_currency *c, const char *want)
{
	struct buf out = BUF_INIT;
	money_decimal(&out, minor, c);
	cr_assert_str_eq(out.ptr, want, "%lld as decimal \"%s\", want \"%s\"", minor, out.ptr,
	                 want);
	buf_release(&out);
}

static long long S_fee(long long amount, int rate_bp, long long fixed)
{
	long long fee = -1;
	cr_assert_eq(money_fee(amount, rate_bp, fixed, &fee), 0, "fee on %lld overflowed", amount);
	return fee;
}

/* --- parsing: good input ------------------------------------------------------------------- */

Test(money, parses_one_fen)
{
	S_ok("0.01", 1);
}

Test(money, parses_whole_yuan)
{
	S_ok("1", 100);
}

Test(money, parses_one_decimal_as_tenths)
{
	S_ok("12.3", 1230);
}

Test(money, parses_two_decimals)
{
	S_ok("12.30", 1230);
}

Test(money, parses_thousands_separators)
{
	S_ok("1,234.50", 123450);
	S_ok("1,234.5", 123450);
	S_ok("1,234,567", 123456700);
	S_ok("999,999.99", 99999999);
}

Test(money, parses_amount_without_separators)
{
	S_ok("1234567.89", 123456789);
}

Test(money, parses_half_width_yen_sign)
{
	S_ok("¥99", 9900);
}

Test(money, parses_full_width_yen_sign)
{
	S_ok("￥99", 9900);
}

Test(money, parses_space_between_symbol_and_digits)
{
	S_ok("¥ 99", 9900);
	S_ok("￥" IDEO_SPACE "99", 9900);
}

Test(money, trims_surrounding_white_space)
{
	S_ok(" 50 ", 5000);
	S_ok("\t50\r\n", 5000);
	S_ok(NBSP "50" NBSP, 5000);
}

Test(money, trims_ideographic_space)
{
	S_ok(IDEO_SPACE "50" IDEO_SPACE, 5000);
	S_ok(IDEO_SPACE "¥50" IDEO_SPACE, 5000);
}

Test(money, accepts_leading_zeros)
{
	S_ok("007", 700);
	S_ok("00.50", 50);
}

Test(money, reads_only_n_bytes)
{
	long long got = 0;
	cr_assert_eq(money_parse("12345", 2, &money_cny, NO_LIMIT, &got), MONEY_OK);
	cr_assert_eq(got, 1200);
}

Test(money, parses_what_money_format_writes)
{
	static const long long v[] = {1, 5, 99, 100, 123450, 100000000, 99999999999};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct buf out = BUF_INIT;
		long long got = 0;
		money_format(&out, v[i], &money_cny, LOCALE_ZH);
		cr_assert_eq(money_parse(out.ptr, out.len, &money_cny, NO_LIMIT, &got), MONEY_OK,
		             "\"%s\"", out.ptr);
		cr_assert_eq(got, v[i], "\"%s\" parsed as %lld", out.ptr, got);
		buf_release(&out);
	}
}

/* --- parsing: refusals --------------------------------------------------------------------- */

Test(money, rejects_empty_input)
{
	S_fails("", MONEY_EMPTY);
	S_fails("   ", MONEY_EMPTY);
	S_fails(IDEO_SPACE, MONEY_EMPTY);
}

Test(money, rejects_symbol_without_amount_as_empty)
{
	S_fails("¥", MONEY_EMPTY);
	S_fails(" ￥ ", MONEY_EMPTY);
}

Test(money, rejects_ascii_minus)
{
	S_fails("-5", MONEY_NEGATIVE);
	S_fails(" -0.01", MONEY_NEGATIVE);
}

Test(money, rejects_unicode_minus_sign)
{
	S_fails("−5", MONEY_NEGATIVE); /* U+2212 MINUS SIGN */
}

Test(money, rejects_full_width_minus)
{
	S_fails("－5", MONEY_NEGATIVE); /* U+FF0D */
}

Test(money, rejects_minus_before_or_after_symbol)
{
	S_fails("-¥5", MONEY_NEGATIVE);
	S_fails("¥-5", MONEY_NEGATIVE);
	S_fails("¥ −5", MONEY_NEGATIVE);
}

Test(money, rejects_negative_exponent_as_negative)
{
	S_fails("-1e3", MONEY_NEGATIVE);
}

Test(money, rejects_zero)
{
	S_fails("0", MONEY_ZERO);
	S_fails("0.00", MONEY_ZERO);
	S_fails("000", MONEY_ZERO);
	S_fails("¥0.0", MONEY_ZERO);
}

Test(money, rejects_thirty_zeros_as_zero)
{
	S_fails("000000000000000000000000000000", MONEY_ZERO);
}

Test(money, rejects_too_many_decimals)
{
	S_fails("1.234", MONEY_TOO_MANY_DECIMALS);
	S_fails("0.001", MONEY_TOO_MANY_DECIMALS);
}

Test(money, rejects_trailing_zero_decimals)
{
	S_fails("12.300", MONEY_TOO_MANY_DECIMALS);
}

Test(money, rejects_exponent)
{
	S_fails("1e3", MONEY_EXPONENT);
	S_fails("1E3", MONEY_EXPONENT);
	S_fails("1.5e-3", MONEY_EXPONENT);
	S_fails("2e+10", MONEY_EXPONENT);
	S_fails("1e999999999999999999999", MONEY_EXPONENT);
}

Test(money, rejects_full_width_digits)
{
	S_fails("１２３", MONEY_NON_ASCII_DIGITS);
}

Test(money, rejects_full_width_digit_among_ascii)
{
	S_fails("12３", MONEY_NON_ASCII_DIGITS);
	S_fails("¥1.５", MONEY_NON_ASCII_DIGITS);
}

Test(money, rejects_arabic_indic_digits)
{
	S_fails("١٢٣", MONEY_NON_ASCII_DIGITS); /* U+0661-0663 */
}

Test(money, rejects_extended_arabic_indic_digits)
{
	S_fails("۱۲۳", MONEY_NON_ASCII_DIGITS); /* U+06F1-06F3, Persian */
}

Test(money, rejects_devanagari_digits)
{
	S_fails("१२", MONEY_NON_ASCII_DIGITS); /* U+0967-0968 */
}

Test(money, rejects_groups_of_the_wrong_size)
{
	S_fails("1,23,4", MONEY_BAD_GROUPING);
	S_fails("12,34", MONEY_BAD_GROUPING);
	S_fails("1,2345", MONEY_BAD_GROUPING);
	S_fails("1234,567", MONEY_BAD_GROUPING);
	S_fails("1,234,56.00", MONEY_BAD_GROUPING);
}

Test(money, rejects_separator_at_either_end)
{
	S_fails(",123", MONEY_BAD_GROUPING);
	S_fails("123,", MONEY_BAD_GROUPING);
	S_fails("1,234,.50", MONEY_BAD_GROUPING);
	S_fails("1,,234", MONEY_BAD_GROUPING);
}

Test(money, rejects_grouped_leading_zero)
{
	/* "0,500" is a half in much of Europe. */
	S_fails("0,500", MONEY_BAD_GROUPING);
}

Test(money, rejects_separator_after_the_point)
{
	S_fails("1.234,50", MONEY_BAD_GROUPING);
}

Test(money, rejects_leading_plus)
{
	S_fails("+5", MONEY_NOT_A_NUMBER);
	S_fails("＋5", MONEY_NOT_A_NUMBER); /* U+FF0B */
}

Test(money, rejects_letters)
{
	S_fails("abc", MONEY_NOT_A_NUMBER);
	S_fails("12abc", MONEY_NOT_A_NUMBER);
	S_fails("0x10", MONEY_NOT_A_NUMBER);
	S_fails("e3", MONEY_NOT_A_NUMBER);
	S_fails("100元", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_several_dots)
{
	S_fails("1.2.3", MONEY_NOT_A_NUMBER);
	S_fails("1..2", MONEY_NOT_A_NUMBER);
	S_fails("1.234.567", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_trailing_dot)
{
	S_fails("12.", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_leading_dot)
{
	S_fails(".5", MONEY_NOT_A_NUMBER);
	S_fails(".", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_space_inside_the_number)
{
	S_fails("1 234", MONEY_NOT_A_NUMBER);
	S_fails("12 .50", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_another_currency_symbol)
{
	S_fails("$5", MONEY_NOT_A_NUMBER);
	S_fails("5¥", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_invalid_utf8)
{
	S_fails("\xff"
	        "12",
	        MONEY_NOT_A_NUMBER);
	S_fails("12\xc3", MONEY_NOT_A_NUMBER);
}

Test(money, rejects_nul_byte)
{
	long long got = -1;
	cr_assert_eq(money_parse("1\0", 2, &money_cny, NO_LIMIT, &got), MONEY_NOT_A_NUMBER);
	cr_assert_eq(got, 0);
}

/* --- parsing: limits ----------------------------------------------------------------------- */

Test(money, accepts_max_minor_exactly)
{
	long long got = 0;
	cr_assert_eq(money_parse("1,000.00", 8, &money_cny, 100000, &got), MONEY_OK);
	cr_assert_eq(got, 100000);
}

Test(money, rejects_max_minor_plus_one)
{
	long long got = -1;
	cr_assert_eq(money_parse("1,000.01", 8, &money_cny, 100000, &got), MONEY_TOO_LARGE);
	cr_assert_eq(got, 0);
}

Test(money, accepts_llong_max)
{
	S_ok("92,233,720,368,547,758.07", LLONG_MAX);
}

Test(money, rejects_llong_max_plus_one)
{
	S_fails("92233720368547758.08", MONEY_TOO_LARGE);
}

Test(money, rejects_thirty_digits_without_overflow)
{
	S_fails("123456789012345678901234567890", MONEY_TOO_LARGE);
	S_fails("999999999999999999999999999999.99", MONEY_TOO_LARGE);
}

Test(money, accepts_thirty_digits_that_are_mostly_leading_zeros)
{
	S_ok("000000000000000000000000000001", 100);
}

/* --- parsing: other currencies ------------------------------------------------------------- */

Test(money, parses_currency_without_decimals)
{
	S_ok_in("1,234", &jpy, 1234);
	S_ok_in("￥500", &jpy, 500);
}

Test(money, rejects_any_decimals_for_currency_without_decimals)
{
	S_fails_in("5.0", &jpy, MONEY_TOO_MANY_DECIMALS);
	S_fails_in("5.5", &jpy, MONEY_TOO_MANY_DECIMALS);
}

Test(money, parses_currency_with_three_decimals)
{
	S_ok_in("1.5", &kwd, 1500);
	S_ok_in("1,234.567", &kwd, 1234567);
	S_ok_in("0.001", &kwd, 1);
	S_ok_in("KD 1.500", &kwd, 1500);
}

Test(money, rejects_four_decimals_for_currency_with_three)
{
	S_fails_in("1.2345", &kwd, MONEY_TOO_MANY_DECIMALS);
}

Test(money, rejects_yen_sign_for_other_currency)
{
	S_fails_in("¥5", &kwd, MONEY_NOT_A_NUMBER);
}

/* --- error keys ---------------------------------------------------------------------------- */

Test(money, names_the_ui_key_of_an_error)
{
	cr_assert_str_eq(money_error_key(MONEY_NEGATIVE), "err_amount_negative");
	cr_assert_str_eq(money_error_key(MONEY_TOO_LARGE), "err_amount_too_large");
}

Test(money, every_error_has_its_own_key)
{
	for (int e = MONEY_OK + 1; e < MONEY__MAX; e++) {
		const char *key = money_error_key((enum money_error)e);
		cr_assert_not_null(key, "error %d has no key", e);
		cr_assert_eq(strncmp(key, "err_amount_", 11), 0, "error %d: \"%s\"", e, key);
		for (int f = MONEY_OK + 1; f < e; f++)
			cr_assert_str_neq(key, money_error_key((enum money_error)f),
			                  "errors %d and %d share a key", f, e);
	}
}

Test(money, success_and_unknown_codes_have_no_key)
{
	cr_assert_null(money_error_key(MONEY_OK));
	cr_assert_null(money_error_key(MONEY__MAX));
}

/* --- formatting ---------------------------------------------------------------------------- */

Test(money, formats_zero)
{
	S_format_is(0, &money_cny, LOCALE_ZH, "¥0.00");
}

Test(money, formats_fen_below_one_yuan)
{
	S_format_is(5, &money_cny, LOCALE_ZH, "¥0.05");
}

Test(money, formats_thousands_with_separator)
{
	S_format_is(123450, &money_cny, LOCALE_ZH, "¥1,234.50");
	S_format_is(99999, &money_cny, LOCALE_ZH, "¥999.99");
}

Test(money, formats_millions)
{
	S_format_is(100000000, &money_cny, LOCALE_ZH, "¥1,000,000.00");
}

Test(money, formats_same_in_english)
{
	S_format_is(123450, &money_cny, LOCALE_EN, "¥1,234.50");
}

Test(money, formats_negative_with_minus_before_symbol)
{
	S_format_is(-123450, &money_cny, LOCALE_ZH, "-¥1,234.50");
	S_format_is(-30, &money_cny, LOCALE_EN, "-¥0.30");
}

Test(money, formats_llong_max)
{
	S_format_is(LLONG_MAX, &money_cny, LOCALE_ZH, "¥92,233,720,368,547,758.07");
}

Test(money, formats_llong_min)
{
	S_format_is(LLONG_MIN, &money_cny, LOCALE_ZH, "-¥92,233,720,368,547,758.08");
}

Test(money, format_appends_to_the_buffer)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "fee: ");
	money_format(&out, 320, &money_cny, LOCALE_EN);
	cr_assert_str_eq(out.ptr, "fee: ¥3.20");
	buf_release(&out);
}

Test(money, formats_currency_without_decimals)
{
	S_format_is(1234, &jpy, LOCALE_ZH, "¥1,234");
	S_format_is(0, &jpy, LOCALE_ZH, "¥0");
}

Test(money, formats_currency_with_three_decimals)
{
	S_format_is(1234567, &kwd, LOCALE_EN, "KD1,234.567");
	S_format_is(5, &kwd, LOCALE_EN, "KD0.005");
}

Test(money, formats_code_when_there_is_no_symbol)
{
	static const struct money_currency bare = {"CNY", NULL, 2}, blank = {"CNY", "", 2};
	S_format_is(123450, &bare, LOCALE_EN, "CNY" NBSP "1,234.50");
	S_format_is(-5, &blank, LOCALE_EN, "-CNY" NBSP "0.05");
}

/* --- CSV decimals -------------------------------------------------------------------------- */

Test(money, decimal_has_no_symbol_nor_grouping)
{
	S_decimal_is(123450, &money_cny, "1234.50");
	S_decimal_is(100000000, &money_cny, "1000000.00");
}

Test(money, decimal_writes_small_negative_amounts)
{
	S_decimal_is(-30, &money_cny, "-0.30");
	S_decimal_is(0, &money_cny, "0.00");
}

Test(money, decimal_is_exact_at_the_limits)
{
	S_decimal_is(LLONG_MAX, &money_cny, "92233720368547758.07");
	S_decimal_is(LLONG_MIN, &money_cny, "-92233720368547758.08");
}

Test(money, decimal_follows_the_currency_decimals)
{
	S_decimal_is(1234, &jpy, "1234");
	S_decimal_is(-1234567, &kwd, "-1234.567");
}

/* --- fees ---------------------------------------------------------------------------------- */

Test(money, fee_on_one_hundred_yuan)
{
	cr_assert_eq(S_fee(10000, 290, 30), 320); /* 2.90 + 0.30 */
}

Test(money, fee_on_one_fen_is_the_fixed_part)
{
	cr_assert_eq(S_fee(1, 290, 30), 30); /* 0.00029 rounds to 0 */
}

Test(money, fee_rounds_49_996_fen_to_50)
{
	cr_assert_eq(S_fee(1724, 290, 30), 80); /* 0.49996 -> 0.50, + 0.30 */
}

Test(money, fee_rounds_exact_half_up)
{
	cr_assert_eq(S_fee(50, 100, 0), 1);  /* 0.005 -> 0.01 */
	cr_assert_eq(S_fee(150, 100, 0), 2); /* 0.015 -> 0.02 */
}

Test(money, fee_rounds_below_half_down)
{
	cr_assert_eq(S_fee(49, 100, 0), 0);    /* 0.49 fen -> 0 */
	cr_assert_eq(S_fee(1706, 290, 0), 49); /* 49.474 fen -> 49 */
	cr_assert_eq(S_fee(4999, 1, 0), 0);    /* 0.4999 fen -> 0 */
	cr_assert_eq(S_fee(14999, 1, 0), 1);   /* 1.4999 fen -> 1 */
}

Test(money, fee_with_zero_rate_is_the_fixed_part)
{
	cr_assert_eq(S_fee(123456, 0, 30), 30);
}

Test(money, fee_on_large_amount_does_not_overflow_in_between)
{
	/* 10^17 * 290 is above LLONG_MAX; the fee is not. */
	cr_assert_eq(S_fee(100000000000000000LL, 290, 30), 2900000000000030LL);
	cr_assert_eq(S_fee(LLONG_MAX, 290, 30), 267477789068788528LL);
	cr_assert_eq(S_fee(LLONG_MAX, 10000, 0), LLONG_MAX);
}

Test(money, fee_detects_overflow)
{
	long long fee = 7;
	cr_assert_eq(money_fee(LLONG_MAX, 10001, 0, &fee), -1);
	cr_assert_eq(money_fee(LLONG_MAX, 10000, 1, &fee), -1);
	cr_assert_eq(money_fee(LLONG_MAX / 2, INT_MAX, 0, &fee), -1);
	cr_assert_eq(fee, 7, "fee changed on failure");
}

Test(money, fee_refuses_negative_arguments)
{
	long long fee = 7;
	cr_assert_eq(money_fee(-10000, 290, 30, &fee), -1);
	cr_assert_eq(money_fee(10000, -290, 30, &fee), -1);
	cr_assert_eq(money_fee(10000, 290, -30, &fee), -1);
	cr_assert_eq(fee, 7);
}

/* --- checked sums -------------------------------------------------------------------------- */

Test(money, add_sums)
{
	long long out = 0;
	cr_assert_eq(money_add(123450, -30, &out), 0);
	cr_assert_eq(out, 123420);
	cr_assert_eq(money_add(LLONG_MAX, LLONG_MIN, &out), 0);
	cr_assert_eq(out, -1);
}

Test(money, add_detects_overflow)
{
	long long out = 7;
	cr_assert_eq(money_add(LLONG_MAX, 1, &out), -1);
	cr_assert_eq(money_add(LLONG_MIN, -1, &out), -1);
	cr_assert_eq(out, 7);
}

Test(money, sub_subtracts)
{
	long long out = 0;
	cr_assert_eq(money_sub(10000, 320, &out), 0);
	cr_assert_eq(out, 9680);
	cr_assert_eq(money_sub(-1, LLONG_MAX, &out), 0);
	cr_assert_eq(out, LLONG_MIN);
}

Test(money, sub_detects_overflow)
{
	long long out = 7;
	cr_assert_eq(money_sub(LLONG_MIN, 1, &out), -1);
	cr_assert_eq(money_sub(0, LLONG_MIN, &out), -1);
	cr_assert_eq(out, 7);
}

Test(money, a_configured_currency_is_read_strictly)
{
	struct money_currency c = money_cny;
	char usd[] = "USD,$,2", jpy[] = "JPY,¥,0";
	cr_assert_eq(money_currency_parse(&c, usd), 0);
	cr_assert_str_eq(c.code, "USD");
	cr_assert_str_eq(c.symbol, "$");
	cr_assert_eq(c.decimals, 2);
	cr_assert_eq(money_currency_parse(&c, jpy), 0);
	cr_assert_str_eq(c.symbol, "¥");
	cr_assert_eq(c.decimals, 0);
	static const char *const bad[] = {"",         "CNY",    "CNY,¥",    "CNY,¥,2,x",
	                                  "cny,¥,2",  "CN,¥,2", "CNY,¥,5",  "CNY,¥,-1",
	                                  "CNY,¥,22", "CNY,¥,", "CNYY,¥,2", "CNY,123456789,2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char spec[32];
		snprintf(spec, sizeof(spec), "%s", bad[i]);
		cr_assert_eq(money_currency_parse(&c, spec), -1, "\"%s\"", bad[i]);
		cr_assert_str_eq(spec, bad[i], "left as it was");
		cr_assert_str_eq(c.code, "JPY", "untouched on error");
	}
}
