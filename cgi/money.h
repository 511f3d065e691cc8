/* money.h - amounts of money: parsing what people type, display and CSV formatting, fees. */
#ifndef OKPAY_MONEY_H
#define OKPAY_MONEY_H

#include <stddef.h>

#include "i18n.h"

struct buf;

/*
 * Rules:
 * - An amount is a long long count of minor units (fen for CNY: 123450 is ¥1,234.50). No
 *   floating point anywhere: a double cannot hold 0.10 exactly.
 * - Nothing here allocates except by appending to a caller's buf, and nothing keeps state:
 *   every function is safe to call from any thread.
 * - Arithmetic that could overflow is checked and reports -1; it never wraps.
 */

/* --- currencies ---------------------------------------------------------------------------- */

/** Most decimals a currency may have: 10^18 is the largest power of ten in a long long. */
#define MONEY_DECIMALS_MAX 18

struct money_currency {
	const char *code;   /* ISO 4217 code: "CNY" */
	const char *symbol; /* written before amounts: "¥"; NULL or "" writes the code instead */
	int decimals;       /* minor units per major unit as a power of ten, 0 to
	                       MONEY_DECIMALS_MAX: 2 for CNY, 0 for JPY, 3 for KWD */
};

/** The default currency of a deployment: {"CNY", "¥", 2}. */
extern const struct money_currency money_cny;

/**
 * Read a currency as configured, "CODE,SYMBOL,DECIMALS" ("CNY,¥,2", "USD,$,2", "JPY,¥,0"):
 * a three-letter upper-case code, a symbol of at most 8 bytes without commas, and 0 to 4
 * decimals. spec is cut in place, and c points into it: keep spec alive as long as c.
 * Returns 0, or -1 (c untouched) when spec is not of that form.
 */
int money_currency_parse(struct money_currency *c, char *spec);

/* --- parsing ------------------------------------------------------------------------------- */

enum money_error {
	MONEY_OK,
	MONEY_EMPTY,             /* nothing but white space (and perhaps the symbol) */
	MONEY_NEGATIVE,          /* a leading minus sign: '-', U+2212 '−', U+FF0D '－', ... */
	MONEY_ZERO,              /* the amount is zero: "0", "0.00" */
	MONEY_TOO_MANY_DECIMALS, /* more digits after the point than the currency has */
	MONEY_EXPONENT,          /* scientific notation: "1e3", "1.5E-2" */
	MONEY_NOT_A_NUMBER,      /* anything else: letters, '+', "1.2.3", "12.", ".5", "1 000" */
	MONEY_NON_ASCII_DIGITS, /* digits other than 0-9: full-width "１２３", Arabic-Indic ... */
	MONEY_BAD_GROUPING,     /* thousands separators not in groups of three: "1,23,4" */
	MONEY_TOO_LARGE,        /* above max_minor */
	MONEY__MAX
};

/**
 * Parse the n bytes at s (not necessarily NUL-terminated, never read past n) as an amount a
 * person typed into a form, in currency c. Both our locales write amounts the same way
 * ("1,234.50"), so the parser needs no locale.
 *
 * Accepted, in this order: optional white space (the Unicode White_Space characters, including
 * U+3000 typed by Chinese input methods); optionally c's symbol followed by optional white
 * space (for a currency whose symbol is "¥" or "￥", either of the two); ASCII digits, with
 * optional ',' thousands separators in groups of three ("1,234,567", not "1,23,4" nor
 * "0,500"); optionally '.' and between 1 and c->decimals digits; optional white space.
 * Leading zeros are allowed ("007" is 7).
 *
 * Refused, with the first reason that applies when checked in this order:
 * EMPTY, NEGATIVE (a minus sign before or after the symbol, whatever follows),
 * NON_ASCII_DIGITS (any Unicode decimal digit outside 0-9 anywhere in the amount),
 * EXPONENT, NOT_A_NUMBER (which includes a leading '+', a trailing point "12." and a leading
 * point ".5": a point needs digits on both sides; and invalid UTF-8), BAD_GROUPING (also a
 * ',' after the point, as in "1.234,50"), TOO_MANY_DECIMALS (also "12.300" for CNY: trailing
 * zeros are not dropped, because "12.300" means twelve thousand three hundred in much of
 * Europe; and any point at all for a currency with 0 decimals), ZERO, TOO_LARGE.
 *
 * max_minor is the largest amount accepted, in minor units (LLONG_MAX for no limit); input of
 * any length is safe ("999...9" with 30 digits is TOO_LARGE, never an overflow).
 * Returns MONEY_OK and stores the amount in *minor ("1,234.5" gives 123450 for CNY), or the
 * reason with *minor set to 0.
 */
enum money_error money_parse(const char *s, size_t n, const struct money_currency *c,
                             long long max_minor, long long *minor);

/**
 * The UI string key (content/ui.conf) of a parse error, such as "err_amount_negative" for
 * MONEY_NEGATIVE. NULL for MONEY_OK and for values outside the enum. Static storage.
 */
const char *money_error_key(enum money_error e);

/* --- formatting ---------------------------------------------------------------------------- */

/**
 * Append minor formatted for display in locale l: the symbol, the major units grouped by
 * three with ',', then '.' and exactly c->decimals digits (none and no point for 0 decimals):
 * "¥1,234.50", "¥0.05", negative "-¥1,234.50". Both zh and en write it this way today; the
 * locale is there so that may change without touching callers. Without a symbol, the code and
 * a no-break space come first: "CNY 1,234.50". Exact for every long long, LLONG_MIN included.
 * The text is not HTML-escaped (the symbol comes from configuration): escape it on output.
 */
void money_format(struct buf *out, long long minor, const struct money_currency *c, enum locale l);

/**
 * Append minor as a plain decimal for CSV statements and machines: no symbol, no grouping,
 * '-' for negative amounts, exactly c->decimals decimals: "1234.50", "-0.30", "0.00"; "1234"
 * for a currency with 0 decimals. Exact for every long long.
 */
void money_decimal(struct buf *out, long long minor, const struct money_currency *c);

/* --- arithmetic ---------------------------------------------------------------------------- */

/**
 * A card fee on amount (minor units): rate_bp basis points (290 is 2.9%) of the amount,
 * rounded half up to the minor unit, plus fixed_minor:
 * fee = (amount * rate_bp + 5000) / 10000 + fixed_minor, computed exactly in integers, with no
 * intermediate overflow even when amount * rate_bp exceeds a long long.
 * Example: 100.00 at 2.9% + 0.30 is 2.90 + 0.30 = 3.20; 17.24 gives 0.49996 -> 0.50, so 0.80.
 * Returns 0 and stores the fee in *fee, or -1 (leaving *fee alone) if the fee does not fit
 * a long long or any argument is negative (refunds are not fees).
 */
int money_fee(long long amount, int rate_bp, long long fixed_minor, long long *fee);

/** *out = a + b. Returns 0, or -1 (leaving *out alone) if the sum does not fit a long long. */
int money_add(long long a, long long b, long long *out);
/** *out = a - b. Returns 0, or -1 (leaving *out alone) if the result does not fit. */
int money_sub(long long a, long long b, long long *out);

#endif
