/* card.h - card details as typed, checked, and charged through a replaceable processor. */
#ifndef CGI_CARD_H
#define CGI_CARD_H

#include "buf.h"

/** A card as the user typed it; NUL-terminated strings, NULL reads as empty. */
struct card_input {
	const char *number; /* "4242 4242 4242 4242", spaces or hyphens allowed */
	const char *expiry; /* "MM/YY", "MM / YY" or "MMYY" */
	const char *cvc;    /* 3 digits, 4 for amex */
};

/* What is wrong with a card_input; the first failing field wins, in the order of the struct. */
enum card_error {
	CARD_OK,
	CARD_NUMBER_INVALID, /* not 12..19 digits, or fails the Luhn check */
	CARD_EXPIRY_INVALID, /* not MM/YY, or month not 1..12 */
	CARD_EXPIRED,        /* expiry month already over */
	CARD_CVC_INVALID,    /* wrong number of digits for the brand */
	CARD__MAX
};

/**
 * A checked card. The full number is kept only in memory, for the processor, and never
 * stored or logged: storage and logs get card_describe. Wipe it with card_wipe when done.
 */
struct card {
	char brand[16];  /* "visa", "mastercard", "amex", "unionpay" or "card" */
	char last4[5];   /* last four digits */
	int exp_month;   /* 1..12 */
	int exp_year;    /* four digits, e.g. 2029 */
	char number[20]; /* 12..19 digits, no separators */
};

/**
 * Check in and fill out. The number has 12..19 digits (spaces or hyphens between groups, see
 * numbers_ungroup) and passes the Luhn check; the expiry is "MM/YY", "MM / YY" or "MMYY" with
 * month 1..12 in year 20YY, and the card is good through the end of that month: it is expired
 * only once now (unix seconds, UTC) is in a later month. The CVC has 3 digits, 4 for amex.
 * The brand follows from the number's prefix: visa (4), mastercard (51-55, 2221-2720), amex
 * (34, 37), unionpay (62), else "card". Returns CARD_OK, or the first error with out all
 * zeroes (so no number lingers).
 */
enum card_error card_validate(const struct card_input *in, long long now, struct card *out);

/** Overwrite all of c, the full number included, in a way the compiler does not drop. */
void card_wipe(struct card *c);

enum card_result { CARD_APPROVED, CARD_DECLINED, CARD_INSUFFICIENT_FUNDS, CARD_PROCESSOR_ERROR };

/**
 * A card processor: a table of function pointers, so a real processor can replace the
 * simulator without its callers changing.
 */
struct card_processor {
	const char *name; /* for logs, e.g. "simulator" */
	/*
	 * Charge amount_minor (> 0, in the currency's minor unit) to the card c, which passed
	 * card_validate. idempotency_key (non-empty) names this one charge: a retry with the same
	 * key must not charge again and gets the same answer. On CARD_APPROVED the processor's
	 * authorisation code (NUL-terminated, at most 15 characters) is in auth_code; otherwise
	 * auth_code is "".
	 */
	enum card_result (*charge)(const struct card *c, long long amount_minor,
	                           const char *idempotency_key, char auth_code[16]);
};

/**
 * A processor that charges nothing, for development and tests. 4242 4242 4242 4242 is
 * approved, 4000 0000 0000 0002 declined, 4000 0000 0000 9995 declined for insufficient funds,
 * any other valid number approved. A card that could not pass card_validate, an amount <= 0,
 * or a missing key gives CARD_PROCESSOR_ERROR. The authorisation code depends only on the
 * idempotency key ("SIM-" and 8 hex digits), so a retried charge answers the same.
 */
extern const struct card_processor card_simulator;

/**
 * Append "visa •••• 4242" (brand, four U+2022 bullets, last four digits) to out: for display
 * and logs, never more than brand and last four. Not escaped: the text is ours, but HTML
 * output still goes through html_text.
 */
void card_describe(struct buf *out, const struct card *c);

#endif
