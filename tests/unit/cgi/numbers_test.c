/* numbers_test.c - check digits, and account and transfer numbers as people type them. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <signal.h>
#include <string.h>

#include "numbers.h"

static int S_luhn(const char *s)
{
	return numbers_luhn_ok(s, strlen(s));
}

static int S_account(const char *s)
{
	return numbers_account_valid(s, strlen(s));
}

static int S_transfer(const char *s)
{
	return numbers_transfer_valid(s, strlen(s));
}

/* Luhn */

Test(numbers, luhn_known_vectors_pass)
{
	cr_assert(S_luhn("79927398713"));
	cr_assert(S_luhn("4242424242424242"));
	cr_assert(S_luhn("4000000000000002"));
	cr_assert(S_luhn("4000000000009995"));
	cr_assert(S_luhn("00"));
}

Test(numbers, luhn_known_vectors_fail_when_changed)
{
	cr_assert_not(S_luhn("79927398710"));
	cr_assert_not(S_luhn("79927398714"));
	cr_assert_not(S_luhn("4242424242424241"));
	cr_assert_not(S_luhn("4000000000000001"));
}

Test(numbers, luhn_digit_is_the_one_to_append)
{
	cr_assert_eq(numbers_luhn_digit("7992739871", 10), 3);
	cr_assert_eq(numbers_luhn_digit("424242424242424", 15), 2);
	cr_assert_eq(numbers_luhn_digit("400000000000000", 15), 2);
	cr_assert_eq(numbers_luhn_digit("000000000", 9), 0);
}

Test(numbers, luhn_rejects_non_digits_and_too_short)
{
	cr_assert_not(S_luhn(""));
	cr_assert_not(S_luhn("0"), "a check digit alone checks nothing");
	cr_assert_not(S_luhn("7992739871 3"));
	cr_assert_not(numbers_luhn_ok("79927"
	                              "\0"
	                              "398713",
	                              12),
	              "an embedded NUL is not a digit");
	cr_assert_eq(numbers_luhn_digit("79927a9871", 10), -1);
	cr_assert_eq(numbers_luhn_digit("-1", 2), -1);
}

/* Account numbers */

Test(numbers, account_is_serial_zero_padded_and_check_digit)
{
	char out[11];
	numbers_account(out, 0);
	cr_assert_str_eq(out, "0000000000");
	numbers_account(out, 799273987);
	cr_assert_str_eq(out, "7992739875");
	numbers_account(out, 42);
	cr_assert_str_eq(out, "0000000422");
	numbers_account(out, 999999999);
	cr_assert_eq(strlen(out), 10);
	cr_assert(numbers_luhn_ok(out, 10));
}

Test(numbers, account_serial_of_ten_digits_is_a_bug, .signal = SIGABRT, .init = cr_redirect_stderr)
{
	char out[11];
	numbers_account(out, NUMBERS_ACCOUNT_SERIALS);
}

Test(numbers, account_round_trips_for_many_serials)
{
	char out[11], back[11];
	for (unsigned long long serial = 0; serial < NUMBERS_ACCOUNT_SERIALS;
	     serial += 7919 * 1009ULL) {
		numbers_account(out, serial);
		cr_assert(numbers_account_valid(out, 10), "%s", out);
		cr_assert_eq(numbers_account_parse(out, 10, back), 0);
		cr_assert_str_eq(back, out);
	}
}

Test(numbers, account_every_single_digit_change_is_caught)
{
	static const unsigned long long serials[] = {0, 1, 42, 123456789, 799273987, 999999999};
	char good[11], bad[11];
	for (size_t k = 0; k < sizeof(serials) / sizeof(serials[0]); k++) {
		numbers_account(good, serials[k]);
		for (int pos = 0; pos < 10; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				if (d == good[pos])
					continue;
				memcpy(bad, good, sizeof(bad));
				bad[pos] = d;
				cr_assert_not(numbers_account_valid(bad, 10), "%s from %s", bad,
				              good);
			}
		}
	}
}

/*
 * Luhn's one blind spot among adjacent transpositions is 09 <-> 90: both pairs add the same
 * to the sum whichever digit is doubled. Assert exactly that: every other swap is caught.
 */
Test(numbers, account_adjacent_swaps_caught_except_09_90)
{
	char good[11], bad[11];
	int blind = 0;
	for (unsigned long long serial = 0; serial < NUMBERS_ACCOUNT_SERIALS;
	     serial += 1000003ULL) {
		numbers_account(good, serial);
		for (int pos = 0; pos + 1 < 10; pos++) {
			char a = good[pos], b = good[pos + 1];
			if (a == b)
				continue;
			memcpy(bad, good, sizeof(bad));
			bad[pos] = b;
			bad[pos + 1] = a;
			int is_09 = (a == '0' && b == '9') || (a == '9' && b == '0');
			cr_assert_eq(numbers_account_valid(bad, 10), is_09, "%s from %s", bad,
			             good);
			blind += is_09;
		}
	}
	cr_assert_gt(blind, 0, "the sample must include the blind spot to prove it");
}

Test(numbers, account_blind_spot_example)
{
	char good[11];
	numbers_account(good, 90);
	cr_assert_str_eq(good, "0000000901");
	cr_assert(S_account("0000009001"), "09 -> 90 goes unnoticed, as Luhn always has");
}

Test(numbers, account_rejects_wrong_lengths)
{
	cr_assert_not(S_account(""));
	cr_assert_not(S_account("000000000"), "nine digits");
	cr_assert_not(S_account("00000000000"), "eleven digits");
	cr_assert_not(S_account("79927398713"), "a valid Luhn number, but not ten digits");
	cr_assert_not(S_account("   "));
}

Test(numbers, account_rejects_non_digits)
{
	cr_assert_not(S_account("000000042a"));
	cr_assert_not(S_account("O000000422"), "letter O for zero");
	cr_assert_not(S_account("000000042.6"));
	cr_assert_not(S_account("+000000422"));
	cr_assert_not(numbers_account_valid("00000"
	                                    "\0"
	                                    "00422",
	                                    11));
}

Test(numbers, account_rejects_full_width_digits)
{
	/* "０００００００４２６" in full-width digits U+FF10.. as typed by a CJK input method. */
	const char *fw = "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90"
	                 "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x94\xef\xbc\x92\xef\xbc\x92";
	cr_assert_not(S_account(fw));
	cr_assert_not(S_account("000000042\xef\xbc\x92"), "one full-width digit is enough");
	cr_assert_not(S_account("\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa0\xd9\xa4"
	                        "\xd9\xa2\xd9\xa2"),
	              "Arabic-Indic digits");
}

Test(numbers, account_accepts_grouping_as_typed)
{
	char out[11];
	cr_assert(S_account("000 000 0422"));
	cr_assert(S_account("000-000-0422"));
	cr_assert(S_account("0000 000 422"));
	cr_assert(S_account("000-000 0422"));
	cr_assert(S_account(" 000 000 0422\n"), "pasted with whitespace around it");
	cr_assert_eq(numbers_account_parse("000-000-0422", 12, out), 0);
	cr_assert_str_eq(out, "0000000422");
	cr_assert_eq(numbers_account_parse("\t000 000 0422 ", 14, out), 0);
	cr_assert_str_eq(out, "0000000422");
}

Test(numbers, account_rejects_loose_separators)
{
	cr_assert_not(S_account("000--000-0422"));
	cr_assert_not(S_account("000  000 0422"));
	cr_assert_not(S_account("-0000000422"));
	cr_assert_not(S_account("0000000422-"));
	cr_assert_not(S_account("000 - 000 - 0422"));
	cr_assert_not(S_account("000/000/0422"));
	cr_assert_not(S_account("000.000.0422"));
	cr_assert_not(S_account("000\t000\t0422"), "tabs only around, not inside");
}

Test(numbers, account_rejects_wrong_check_digit)
{
	cr_assert_not(S_account("0000000420"));
	cr_assert_not(S_account("000 000 0427"));
}

Test(numbers, account_parse_failure_leaves_empty_string)
{
	char out[11];
	memset(out, 'x', sizeof(out));
	cr_assert_eq(numbers_account_parse("0000000427", 10, out), -1);
	cr_assert_str_eq(out, "");
	memset(out, 'x', sizeof(out));
	cr_assert_eq(numbers_account_parse("000000042200000", 15, out), -1);
	cr_assert_str_eq(out, "");
}

Test(numbers, ungroup_reads_digits_and_stops_at_size)
{
	char out[8];
	size_t len = 99;
	cr_assert_eq(numbers_ungroup("12 34-5", 7, out, sizeof(out), &len), 0);
	cr_assert_str_eq(out, "12345");
	cr_assert_eq(len, 5);
	cr_assert_eq(numbers_ungroup("1234 5678", 9, out, sizeof(out), &len), -1, "8 > 7 digits");
	cr_assert_str_eq(out, "");
	cr_assert_eq(len, 0);
	cr_assert_eq(numbers_ungroup(" - ", 3, out, sizeof(out), &len), -1);
}

/* Transfer numbers */

Test(numbers, transfer_is_t_date_sequence_check)
{
	char out[17];
	numbers_transfer(out, 2026, 11, 25, 123);
	cr_assert_eq(strlen(out), 16);
	cr_assert_eq(strncmp(out, "T20261125000123", 15), 0, "%s", out);
	cr_assert_eq(out[15] - '0', numbers_luhn_digit("20261125000123", 14));
	cr_assert_str_eq(out, "T202611250001237");
}

Test(numbers, transfer_round_trips_for_dates_and_sequences)
{
	static const unsigned seqs[] = {0, 1, 9, 90, 123, 99999, 500000, 999999};
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char out[17], back[17];
	for (int y = 2000; y <= 2100; y += 4) {
		for (int m = 1; m <= 12; m++) {
			int last = mdays[m - 1] + (m == 2 && y % 4 == 0 && y != 2100);
			for (int d = 1; d <= last; d += (d == last - 1 ? 1 : 3)) {
				for (size_t k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
					numbers_transfer(out, y, m, d, seqs[k]);
					cr_assert(S_transfer(out), "%s", out);
					cr_assert_eq(numbers_transfer_parse(out, 16, back), 0);
					cr_assert_str_eq(back, out);
				}
			}
		}
	}
}

Test(numbers, transfer_leap_days)
{
	char out[17];
	numbers_transfer(out, 2028, 2, 29, 1);
	cr_assert(S_transfer(out));
	numbers_transfer(out, 2000, 2, 29, 1);
	cr_assert(S_transfer(out), "2000 is a leap year (divisible by 400)");
}

/* A transfer number with the given 14 digits and the right check digit. */
static void S_with_check(char out[17], const char *digits14)
{
	out[0] = 'T';
	memcpy(out + 1, digits14, 14);
	out[15] = (char)('0' + numbers_luhn_digit(digits14, 14));
	out[16] = '\0';
}

Test(numbers, transfer_rejects_dates_that_do_not_exist)
{
	static const char *bad[] = {
	    "20260230000001", /* 30 February */
	    "20270229000001", /* not a leap year */
	    "21000229000001", /* 2100 is not a leap year */
	    "20261131000001", /* 31 November */
	    "20261300000001", /* month 13 */
	    "20260001000001", /* month 0 */
	    "20260100000001", /* day 0 */
	    "20260132000001", /* day 32 */
	    "19991231000001", /* before the wallet */
	    "00000101000001", /* year 0 */
	};
	char t[17];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		S_with_check(t, bad[i]);
		cr_assert_not(S_transfer(t), "%s", t);
	}
	S_with_check(t, "20260228000001");
	cr_assert(S_transfer(t), "the day before is fine");
}

Test(numbers, transfer_rejects_wrong_check_digit)
{
	char t[17];
	numbers_transfer(t, 2026, 11, 25, 123);
	for (char d = '0'; d <= '9'; d++) {
		t[15] = d;
		cr_assert_eq(S_transfer(t), d == '7', "%s", t);
	}
}

Test(numbers, transfer_every_single_digit_change_is_caught)
{
	char good[17], bad[17];
	numbers_transfer(good, 2026, 11, 25, 123);
	for (int pos = 1; pos < 16; pos++) {
		for (char d = '0'; d <= '9'; d++) {
			if (d == good[pos])
				continue;
			memcpy(bad, good, sizeof(bad));
			bad[pos] = d;
			cr_assert_not(S_transfer(bad), "%s", bad);
		}
	}
}

Test(numbers, transfer_rejects_wrong_lengths_and_shapes)
{
	cr_assert_not(S_transfer(""));
	cr_assert_not(S_transfer("T"));
	cr_assert_not(S_transfer("T20261125000123"), "no check digit");
	cr_assert_not(S_transfer("T2026112500012370"), "one digit too many");
	cr_assert_not(S_transfer("202611250001237"), "no T");
	cr_assert_not(S_transfer("X202611250001237"));
	cr_assert_not(S_transfer("TT202611250001237"));
	cr_assert_not(S_transfer("T 202611250001237"), "nothing inside is forgiven");
	cr_assert_not(S_transfer("T2026-11-25-000123-6"));
	cr_assert_not(S_transfer("T20261125000123\xef\xbc\x97"), "full-width check digit");
	cr_assert_not(numbers_transfer_valid("T2026112500\0\x31\x32\x33\x36", 16));
}

Test(numbers, transfer_parse_upper_cases_and_trims)
{
	char out[17];
	cr_assert(S_transfer("t202611250001237"), "lower-case t is valid");
	cr_assert_eq(numbers_transfer_parse("t202611250001237", 16, out), 0);
	cr_assert_str_eq(out, "T202611250001237");
	cr_assert_eq(numbers_transfer_parse("  t202611250001237\r\n", 20, out), 0);
	cr_assert_str_eq(out, "T202611250001237");
}

Test(numbers, transfer_parse_failure_leaves_empty_string)
{
	char out[17];
	memset(out, 'x', sizeof(out));
	cr_assert_eq(numbers_transfer_parse("T202611250001238", 16, out), -1);
	cr_assert_str_eq(out, "");
}

Test(numbers, transfer_impossible_date_is_a_bug, .signal = SIGABRT, .init = cr_redirect_stderr)
{
	char out[17];
	numbers_transfer(out, 2026, 2, 30, 1);
}

Test(numbers, transfer_seven_digit_sequence_is_a_bug, .signal = SIGABRT, .init = cr_redirect_stderr)
{
	char out[17];
	numbers_transfer(out, 2026, 11, 25, NUMBERS_TRANSFER_SEQS);
}
