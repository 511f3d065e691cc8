/* card_test.c - typed card details, brands, expiry at an injected time, and the simulator. */
#include <criterion/criterion.h>

#include <string.h>

#include "card.h"
#include "numbers.h"

/* Times in UTC around the month of November 2026. */
#define NOW       1795608000LL /* 2026-11-25 12:00:00 */
#define NOV_FIRST 1793491200LL /* 2026-11-01 00:00:00 */
#define OCT_LAST  1793491199LL /* 2026-10-31 23:59:59 */
#define NOV_LAST  1796083199LL /* 2026-11-30 23:59:59 */
#define DEC_FIRST 1796083200LL /* 2026-12-01 00:00:00 */

static enum card_error S_check(const char *number, const char *expiry, const char *cvc,
                               long long now, struct card *c)
{
	struct card_input in = {number, expiry, cvc};
	return card_validate(&in, now, c);
}

/* A non-amex card number with CVC 123, expiring 12/30. */
static enum card_error S_number(const char *number, struct card *c)
{
	return S_check(number, "12/30", "123", NOW, c);
}

/* Fill out with prefix, zeros up to len - 1 digits, and the Luhn check digit. */
static void S_make(char *out, const char *prefix, size_t len)
{
	size_t p = strlen(prefix);
	memcpy(out, prefix, p);
	memset(out + p, '0', len - 1 - p);
	out[len - 1] = (char)('0' + numbers_luhn_digit(out, len - 1));
	out[len] = '\0';
}

static const char *S_brand_of(const char *prefix, size_t len)
{
	static struct card c;
	char number[32];
	S_make(number, prefix, len);
	const char *cvc =
	    prefix[0] == '3' && (prefix[1] == '4' || prefix[1] == '7') ? "1234" : "123";
	if (S_check(number, "12/30", cvc, NOW, &c) != CARD_OK)
		return "(invalid)";
	return c.brand;
}

static int S_all_zero(const struct card *c)
{
	static const struct card zero;
	return memcmp(c, &zero, sizeof(*c)) == 0;
}

/* The number */

Test(card, test_numbers_validate)
{
	struct card c;
	cr_assert_eq(S_number("4242 4242 4242 4242", &c), CARD_OK);
	cr_assert_str_eq(c.number, "4242424242424242");
	cr_assert_str_eq(c.last4, "4242");
	cr_assert_str_eq(c.brand, "visa");
	cr_assert_eq(c.exp_month, 12);
	cr_assert_eq(c.exp_year, 2030);
	cr_assert_eq(S_number("4000-0000-0000-0002", &c), CARD_OK);
	cr_assert_str_eq(c.last4, "0002");
	cr_assert_eq(S_number("4000000000009995", &c), CARD_OK);
	cr_assert_str_eq(c.last4, "9995");
}

Test(card, luhn_failure_is_an_invalid_number)
{
	struct card c;
	cr_assert_eq(S_number("4242 4242 4242 4241", &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number("4242 4242 4242 4224", &c), CARD_NUMBER_INVALID, "swapped digits");
	cr_assert_eq(S_number("4000000000000001", &c), CARD_NUMBER_INVALID);
}

Test(card, number_has_twelve_to_nineteen_digits)
{
	struct card c;
	char number[32];
	for (size_t len = 8; len <= 24; len++) {
		S_make(number, "4", len);
		enum card_error want = len >= 12 && len <= 19 ? CARD_OK : CARD_NUMBER_INVALID;
		cr_assert_eq(S_number(number, &c), want, "%zu digits", len);
	}
}

Test(card, number_rejects_other_characters)
{
	struct card c;
	cr_assert_eq(S_number("", &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number(NULL, &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number("4242.4242.4242.4242", &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number("4242  4242 4242 4242", &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number("4242 4242 4242 4242-", &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_number("4242424242424242\xef\xbc\x92", &c), CARD_NUMBER_INVALID,
	             "full-width digit");
	cr_assert_eq(S_number(" 4242424242424242 ", &c), CARD_OK, "spaces around are dropped");
}

Test(card, failure_leaves_no_number_behind)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "12/30", "12", NOW, &c), CARD_CVC_INVALID);
	cr_assert(S_all_zero(&c));
	cr_assert_eq(S_check("4242424242424242", "10/26", "123", NOW, &c), CARD_EXPIRED);
	cr_assert(S_all_zero(&c));
}

Test(card, first_failing_field_wins)
{
	struct card c;
	cr_assert_eq(S_check("1234", "13/99", "x", NOW, &c), CARD_NUMBER_INVALID);
	cr_assert_eq(S_check("4242424242424242", "13/99", "x", NOW, &c), CARD_EXPIRY_INVALID);
	cr_assert_eq(S_check("4242424242424242", "01/20", "x", NOW, &c), CARD_EXPIRED);
}

/* Brands */

Test(card, brand_from_prefix)
{
	struct card c;
	cr_assert_str_eq(S_brand_of("4", 16), "visa");
	cr_assert_str_eq(S_brand_of("4", 13), "visa");
	cr_assert_str_eq(S_brand_of("51", 16), "mastercard");
	cr_assert_str_eq(S_brand_of("55", 16), "mastercard");
	cr_assert_str_eq(S_brand_of("2221", 16), "mastercard");
	cr_assert_str_eq(S_brand_of("2720", 16), "mastercard");
	cr_assert_str_eq(S_brand_of("34", 15), "amex");
	cr_assert_str_eq(S_brand_of("37", 15), "amex");
	cr_assert_str_eq(S_brand_of("62", 16), "unionpay");
	cr_assert_eq(S_number("5555 5555 5555 4444", &c), CARD_OK);
	cr_assert_str_eq(c.brand, "mastercard");
	cr_assert_eq(S_check("3782 822463 10005", "12/30", "1234", NOW, &c), CARD_OK);
	cr_assert_str_eq(c.brand, "amex");
}

Test(card, brand_edges_fall_back_to_card)
{
	cr_assert_str_eq(S_brand_of("50", 16), "card");
	cr_assert_str_eq(S_brand_of("56", 16), "card");
	cr_assert_str_eq(S_brand_of("2220", 16), "card");
	cr_assert_str_eq(S_brand_of("2721", 16), "card");
	cr_assert_str_eq(S_brand_of("35", 16), "card");
	cr_assert_str_eq(S_brand_of("6011", 16), "card", "discover is not one of ours");
	cr_assert_str_eq(S_brand_of("63", 16), "card");
}

/* Expiry */

Test(card, expiry_formats)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "07/29", "123", NOW, &c), CARD_OK);
	cr_assert_eq(c.exp_month, 7);
	cr_assert_eq(c.exp_year, 2029);
	cr_assert_eq(S_check("4242424242424242", "07 / 29", "123", NOW, &c), CARD_OK);
	cr_assert_eq(c.exp_month, 7);
	cr_assert_eq(S_check("4242424242424242", "0729", "123", NOW, &c), CARD_OK);
	cr_assert_eq(c.exp_year, 2029);
	cr_assert_eq(S_check("4242424242424242", " 07/29 ", "123", NOW, &c), CARD_OK);
}

Test(card, expiry_rejects_other_shapes)
{
	static const char *bad[] = {"",
	                            "7/29",
	                            "07/2029",
	                            "07-29",
	                            "07 /29",
	                            "07/ 29",
	                            "0/29",
	                            "ab/cd",
	                            "07/2",
	                            "072",
	                            "07290",
	                            "07//29",
	                            "\xef\xbc\x90"
	                            "7/29",
	                            "07\\29"};
	struct card c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(S_check("4242424242424242", bad[i], "123", NOW, &c),
		             CARD_EXPIRY_INVALID, "\"%s\"", bad[i]);
	cr_assert_eq(S_check("4242424242424242", NULL, "123", NOW, &c), CARD_EXPIRY_INVALID);
}

Test(card, expiry_month_must_be_one_to_twelve)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "13/30", "123", NOW, &c), CARD_EXPIRY_INVALID);
	cr_assert_eq(S_check("4242424242424242", "00/30", "123", NOW, &c), CARD_EXPIRY_INVALID);
	cr_assert_eq(S_check("4242424242424242", "01/30", "123", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "12/30", "123", NOW, &c), CARD_OK);
}

Test(card, expiry_this_month_is_still_good)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "11/26", "123", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "11/26", "123", NOV_FIRST, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "11/26", "123", NOV_LAST, &c), CARD_OK,
	             "good through the last second of the month");
}

Test(card, expiry_last_month_is_expired)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "10/26", "123", NOW, &c), CARD_EXPIRED);
	cr_assert_eq(S_check("4242424242424242", "10/26", "123", NOV_FIRST, &c), CARD_EXPIRED);
	cr_assert_eq(S_check("4242424242424242", "10/26", "123", OCT_LAST, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "11/26", "123", DEC_FIRST, &c), CARD_EXPIRED);
	cr_assert_eq(S_check("4242424242424242", "12/25", "123", NOW, &c), CARD_EXPIRED,
	             "same month a year ago");
}

Test(card, expiry_follows_the_injected_now)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "01/20", "123", 0, &c), CARD_OK, "1970");
	cr_assert_eq(S_check("4242424242424242", "12/99", "123", 4102444799LL, &c), CARD_OK,
	             "2099-12-31 23:59:59");
	cr_assert_eq(S_check("4242424242424242", "12/99", "123", 4102444800LL, &c), CARD_EXPIRED,
	             "2100-01-01: two-digit years end in 2099");
}

/* CVC */

Test(card, cvc_three_digits_for_most_brands)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "12/30", "123", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "12/30", "000", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("5555555555554444", "12/30", "999", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("4242424242424242", "12/30", "1234", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", "12", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("5555555555554444", "12/30", "1234", NOW, &c), CARD_CVC_INVALID);
}

Test(card, cvc_four_digits_for_amex)
{
	struct card c;
	cr_assert_eq(S_check("378282246310005", "12/30", "1234", NOW, &c), CARD_OK);
	cr_assert_eq(S_check("378282246310005", "12/30", "123", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("371449635398431", "12/30", "12345", NOW, &c), CARD_CVC_INVALID);
}

Test(card, cvc_only_ascii_digits)
{
	struct card c;
	cr_assert_eq(S_check("4242424242424242", "12/30", "12a", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", "", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", NULL, NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", "1 3", NOW, &c), CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", "12\xef\xbc\x93", NOW, &c),
	             CARD_CVC_INVALID);
	cr_assert_eq(S_check("4242424242424242", "12/30", " 123 ", NOW, &c), CARD_OK);
}

/* Describing */

Test(card, describe_shows_brand_and_last_four_only)
{
	struct card c;
	struct buf b = BUF_INIT;
	cr_assert_eq(S_number("4242 4242 4242 4242", &c), CARD_OK);
	card_describe(&b, &c);
	cr_assert_str_eq(b.ptr, "visa \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 4242");
	cr_assert_null(strstr(b.ptr, "42424"));
	buf_reset(&b);
	cr_assert_eq(S_check("3782 822463 10005", "12/30", "1234", NOW, &c), CARD_OK);
	card_describe(&b, &c);
	cr_assert_str_eq(b.ptr, "amex \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 0005");
	cr_assert_null(strstr(b.ptr, "3782"));
	cr_assert_null(strstr(b.ptr, "1234"), "nor the CVC");
	buf_release(&b);
}

Test(card, describe_appends)
{
	struct card c;
	struct buf b = BUF_INIT;
	cr_assert_eq(S_number("5555555555554444", &c), CARD_OK);
	buf_adds(&b, "paid with ");
	card_describe(&b, &c);
	cr_assert_str_eq(
	    b.ptr, "paid with mastercard \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 4444");
	buf_release(&b);
}

Test(card, wipe_clears_the_number)
{
	struct card c;
	cr_assert_eq(S_number("4242424242424242", &c), CARD_OK);
	card_wipe(&c);
	cr_assert(S_all_zero(&c));
}

/* The simulator */

static enum card_result S_charge(const char *number, const char *key, char auth[16])
{
	struct card c;
	cr_assert_eq(S_number(number, &c), CARD_OK);
	enum card_result r = card_simulator.charge(&c, 1250, key, auth);
	card_wipe(&c);
	return r;
}

Test(card, simulator_answers_the_test_numbers)
{
	char auth[16];
	cr_assert_str_eq(card_simulator.name, "simulator");
	cr_assert_eq(S_charge("4242 4242 4242 4242", "k1", auth), CARD_APPROVED);
	cr_assert_neq(auth[0], '\0');
	cr_assert_eq(S_charge("4000 0000 0000 0002", "k2", auth), CARD_DECLINED);
	cr_assert_str_eq(auth, "");
	cr_assert_eq(S_charge("4000 0000 0000 9995", "k3", auth), CARD_INSUFFICIENT_FUNDS);
	cr_assert_str_eq(auth, "");
}

Test(card, simulator_approves_other_valid_numbers)
{
	char auth[16];
	cr_assert_eq(S_charge("5555555555554444", "k", auth), CARD_APPROVED);
	cr_assert_eq(S_charge("4000000000000010", "k", auth), CARD_APPROVED);
}

Test(card, simulator_same_key_same_auth_code)
{
	char a[16], b[16], other[16];
	cr_assert_eq(S_charge("4242424242424242", "order-17/attempt", a), CARD_APPROVED);
	cr_assert_eq(S_charge("4242424242424242", "order-17/attempt", b), CARD_APPROVED);
	cr_assert_str_eq(a, b, "a retry is answered the same");
	cr_assert_eq(strlen(a), 12);
	cr_assert_eq(strncmp(a, "SIM-", 4), 0, "%s", a);
	cr_assert_eq(S_charge("4242424242424242", "order-18/attempt", other), CARD_APPROVED);
	cr_assert_str_neq(a, other, "another charge, another code");
}

Test(card, simulator_refuses_what_a_processor_would)
{
	char auth[16];
	struct card c;
	cr_assert_eq(S_number("4242424242424242", &c), CARD_OK);
	cr_assert_eq(card_simulator.charge(&c, 0, "k", auth), CARD_PROCESSOR_ERROR);
	cr_assert_eq(card_simulator.charge(&c, -5, "k", auth), CARD_PROCESSOR_ERROR);
	cr_assert_eq(card_simulator.charge(&c, 100, NULL, auth), CARD_PROCESSOR_ERROR);
	cr_assert_eq(card_simulator.charge(&c, 100, "", auth), CARD_PROCESSOR_ERROR);
	cr_assert_str_eq(auth, "");
	struct card forged = c;
	forged.number[15] = '1';
	cr_assert_eq(card_simulator.charge(&forged, 100, "k", auth), CARD_PROCESSOR_ERROR);
	struct card empty = {0};
	cr_assert_eq(card_simulator.charge(&empty, 100, "k", auth), CARD_PROCESSOR_ERROR);
}

static enum card_result S_always_down(const struct card *c, long long amount_minor,
                                      const char *idempotency_key, char auth_code[16])
{
	(void)c;
	(void)amount_minor;
	(void)idempotency_key;
	auth_code[0] = '\0';
	return CARD_PROCESSOR_ERROR;
}

static const struct card_processor S_down = {"down", S_always_down};

/* What a caller does, written once against the interface. */
static enum card_result S_pay(const struct card_processor *p, const char *number)
{
	struct card c;
	char auth[16];
	cr_assert_eq(S_number(number, &c), CARD_OK);
	enum card_result r = p->charge(&c, 100, "k", auth);
	card_wipe(&c);
	return r;
}

Test(card, processor_is_replaceable_through_the_table)
{
	cr_assert_eq(S_pay(&card_simulator, "4242424242424242"), CARD_APPROVED);
	cr_assert_eq(S_pay(&S_down, "4242424242424242"), CARD_PROCESSOR_ERROR);
}
