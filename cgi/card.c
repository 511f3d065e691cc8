/* card.c - checking typed card details, and the simulated processor used until a real one. */
#include "card.h"
#include "numbers.h"
#include "util.h"

#include <string.h>
#include <time.h>

static int S_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The string s (NULL reads as empty) without surrounding spaces, as start and length. */
static void S_field(const char *s, const char **p, size_t *n)
{
	if (s == NULL)
		s = "";
	size_t len = strlen(s);
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*p = s;
	*n = len;
}

/* 1 if the n bytes at p are all ASCII digits. */
static int S_all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!S_is_digit(p[i]))
			return 0;
	return 1;
}

static int S_prefix(const char *digits, int width)
{
	int v = 0;
	for (int i = 0; i < width; i++)
		v = v * 10 + (digits[i] - '0');
	return v;
}

/* The brand by issuer prefix; digits has at least 12 digits, so every prefix is there. */
static const char *S_brand(const char *digits)
{
	int p2 = S_prefix(digits, 2), p4 = S_prefix(digits, 4);
	if (digits[0] == '4')
		return "visa";
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return "mastercard";
	if (p2 == 34 || p2 == 37)
		return "amex";
	if (p2 == 62)
		return "unionpay";
	return "card";
}

/* Month and two-digit year from "MM/YY", "MM / YY" or "MMYY"; -1 for anything else. */
static int S_expiry(const char *s, int *month, int *yy)
{
	const char *p;
	size_t n;
	char d[4];
	S_field(s, &p, &n);
	if (n == 4 && S_all_digits(p, 4)) {
		memcpy(d, p, 4);
	} else if (n == 5 && p[2] == '/') {
		memcpy(d, p, 2);
		memcpy(d + 2, p + 3, 2);
	} else if (n == 7 && memcmp(p + 2, " / ", 3) == 0) {
		memcpy(d, p, 2);
		memcpy(d + 2, p + 5, 2);
	} else {
		return -1;
	}
	if (!S_all_digits(d, 4))
		return -1;
	*month = S_prefix(d, 2);
	*yy = S_prefix(d + 2, 2);
	return *month >= 1 && *month <= 12 ? 0 : -1;
}

enum card_error card_validate(const struct card_input *in, long long now, struct card *out)
{
	enum card_error err;
	const char *p;
	size_t n, len;
	int month, yy;
	struct tm tm;
	time_t t = (time_t)now;

	memset(out, 0, sizeof(*out));
	S_field(in->number, &p, &n);
	if (numbers_ungroup(p, n, out->number, sizeof(out->number), &len) == -1 || len < 12 ||
	    !numbers_luhn_ok(out->number, len)) {
		err = CARD_NUMBER_INVALID;
		goto fail;
	}
	const char *brand = S_brand(out->number);
	memcpy(out->brand, brand, strlen(brand) + 1);
	memcpy(out->last4, out->number + len - 4, 5);

	if (S_expiry(in->expiry, &month, &yy) == -1) {
		err = CARD_EXPIRY_INVALID;
		goto fail;
	}
	out->exp_month = month;
	out->exp_year = 2000 + yy;
	/* A card is good through the last day of its month; UTC, as the processor sees it. */
	if (gmtime_r(&t, &tm) == NULL) {
		err = CARD_EXPIRY_INVALID;
		goto fail;
	}
	if (out->exp_year * 12 + out->exp_month < (tm.tm_year + 1900) * 12 + tm.tm_mon + 1) {
		err = CARD_EXPIRED;
		goto fail;
	}

	S_field(in->cvc, &p, &n);
	if (n != (strcmp(out->brand, "amex") == 0 ? 4u : 3u) || !S_all_digits(p, n)) {
		err = CARD_CVC_INVALID;
		goto fail;
	}
	return CARD_OK;
fail:
	card_wipe(out);
	return err;
}

void card_wipe(struct card *c)
{
	explicit_bzero(c, sizeof(*c));
}

void card_describe(struct buf *out, const struct card *c)
{
	buf_adds(out, c->brand[0] != '\0' ? c->brand : "card");
	if (c->last4[0] != '\0') {
		buf_adds(
		    out,
		    " \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 "); /* U+2022 in UTF-8 */
		buf_add(out, c->last4, strnlen(c->last4, sizeof(c->last4) - 1));
	}
}

/* The simulator's answer for its test numbers, as Stripe documents them. */
static enum card_result S_sim_answer(const char *number)
{
	if (strcmp(number, "4000000000000002") == 0)
		return CARD_DECLINED;
	if (strcmp(number, "4000000000009995") == 0)
		return CARD_INSUFFICIENT_FUNDS;
	return CARD_APPROVED;
}

static enum card_result S_sim_charge(const struct card *c, long long amount_minor,
                                     const char *idempotency_key, char auth_code[16])
{
	static const char hex[] = "0123456789ABCDEF";
	auth_code[0] = '\0';
	if (c == NULL || amount_minor <= 0 || idempotency_key == NULL || idempotency_key[0] == '\0')
		return CARD_PROCESSOR_ERROR;
	size_t len = strnlen(c->number, sizeof(c->number));
	if (len < 12 || len >= sizeof(c->number) || !numbers_luhn_ok(c->number, len))
		return CARD_PROCESSOR_ERROR;

	enum card_result r = S_sim_answer(c->number);
	if (r != CARD_APPROVED)
		return r;
	/* From the key alone, so a retry of the same charge gets the same code, as it would
	 * from a real processor that honours idempotency keys. */
	unsigned long long h = util_hash64(idempotency_key, strlen(idempotency_key));
	memcpy(auth_code, "SIM-", 4);
	for (int i = 0; i < 8; i++)
		auth_code[4 + i] = hex[(h >> (60 - 4 * i)) & 0xf];
	auth_code[12] = '\0';
	return CARD_APPROVED;
}

const struct card_processor card_simulator = {"simulator", S_sim_charge};
