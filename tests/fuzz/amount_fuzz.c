/* amount_fuzz.c - libFuzzer driver for cgi/money.c: strict amount parsing and its invariants. */
#include "fuzz.h"
#include "buf.h"
#include "money.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a parse promises: a refusal has a message and no amount; an amount is in range and
 * reads back the same from its plain decimal form. */
static void S_one(const char *s, size_t n, const struct money_currency *c, long long max)
{
	long long minor = -1;
	enum money_error e = money_parse(s, n, c, max, &minor);
	if (e != MONEY_OK) {
		CHECK(minor == 0);
		CHECK(money_error_key(e) != NULL);
		return;
	}
	CHECK(money_error_key(e) == NULL);
	CHECK(minor > 0 && minor <= max);
	struct buf b = BUF_INIT;
	money_decimal(&b, minor, c);
	long long again = -1;
	CHECK(money_parse(b.ptr, b.len, c, max, &again) == MONEY_OK);
	CHECK(again == minor);
	/* A tighter limit never accepts more. */
	CHECK(money_parse(s, n, c, minor - 1, &again) != MONEY_OK || minor - 1 < 1);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct money_currency cny = {"CNY", "¥", 2}, jpy = {"JPY", "", 0},
	                                   kwd = {"KWD", "KD", 3};
	const char *s = (const char *)data;
	S_one(s, size, &cny, LLONG_MAX);
	S_one(s, size, &cny, 5000000);
	S_one(s, size, &jpy, LLONG_MAX);
	S_one(s, size, &kwd, LLONG_MAX);
	return 0;
}
