/* wallet.h - what people do with money in the portal: add it, send it, and find it again. */
#ifndef CGI_WALLET_H
#define CGI_WALLET_H

#include "card.h"
#include "db.h"
#include "http.h"

/*
 * The money flows for handlers. Each takes the request (its user, database, configuration and
 * time), checks everything, moves money in one ledger transaction and queues the mails of that
 * movement in the same transaction. Nothing is kept in process memory between requests, and a
 * send's review is not kept at all: its key is the review itself, sealed (auth_seal) so that
 * the browser carries it to the Confirm button without being able to read or change it.
 */

/** Longest note, in characters (code points). */
#define WALLET_NOTE_MAX 140
/** Characters of a review's random id (auth_code_new: 5 bits each, 130 bits). */
#define WALLET_REVIEW_ID_LEN 26

/*
 * Step two of a send, as its sealed key carries it. The id is random and is the transfer's
 * idempotency key ("send:" + id): however often and however concurrently a review is
 * confirmed, it makes one transfer.
 */
struct wallet_review {
	char id[WALLET_REVIEW_ID_LEN + 1];
	long long user_id, to_user, to_account; /* sender; recipient and their wallet */
	long long amount, fee, created_at, expires_at;
	long long transfer_id;              /* set by wallet_review_get once confirmed */
	char method[8];                     /* "balance" or "card" */
	char recipient[256];                /* as the sender typed it (email or number) */
	char note[WALLET_NOTE_MAX * 4 + 1]; /* "" if none */
};

/* Outcomes. Each refusal has a UI string (wallet_result_key); none changes anything. */
enum wallet_result {
	WALLET_OK,
	WALLET_REPLAYED,          /* the same request again: the first transfer stands */
	WALLET_UNVERIFIED,        /* the user's email address is not verified yet */
	WALLET_LOCKED,            /* the user's account is locked */
	WALLET_UNKNOWN_RECIPIENT, /* no verified account with that email or account number */
	WALLET_RECIPIENT_LOCKED,  /* the recipient cannot receive money now */
	WALLET_SELF,              /* the recipient is the sender */
	WALLET_INSUFFICIENT,      /* the balance is lower than the amount */
	WALLET_OVER_LIMIT,        /* the amount is above the per-transfer limit */
	WALLET_DAILY_LIMIT,       /* today's sends and this one are above the daily limit */
	WALLET_CARD_DECLINED,     /* the card's bank said no */
	WALLET_CARD_NO_FUNDS,     /* the card's account cannot cover it */
	WALLET_CARD_ERROR,        /* the card processor did not answer */
	WALLET_NOTE_TOO_LONG,     /* note over WALLET_NOTE_MAX characters, or not text */
	WALLET_EXPIRED,           /* the review is older than --review-ttl (15 minutes) */
	WALLET_NOT_FOUND,         /* no such review or deposit of this user */
	WALLET_CONFLICT,          /* a key reused for a different request */
	WALLET_ERROR,             /* the database failed: answer 503 */
	WALLET__MAX
};

/** UI string key of a result: "wallet_err_insufficient"; NULL for OK and REPLAYED. */
const char *wallet_result_key(enum wallet_result r);

/** The signed-in user's wallet, created with a fresh account number on first use. 0 or -1. */
int wallet_mine(struct http_req *rq, struct db_account *a);

/** The fee of funding amount by method: 0 for "balance" and "bank", the card fee for "card". */
int wallet_fee(const struct app *app, const char *method, long long amount, long long *fee);

/**
 * Add money by card: charge amount plus the card fee to c through the configured processor
 * and credit amount. key (from the form, per user) makes a resubmission return the first
 * transfer (WALLET_REPLAYED) and never charge again. Refused: UNVERIFIED, LOCKED, OVER_LIMIT,
 * CARD_*. On OK and REPLAYED the transfer number is in number.
 */
enum wallet_result wallet_top_up(struct http_req *rq, long long amount, const struct card *c,
                                 const char *key, char number[17]);

/**
 * Add money by bank transfer: a pending deposit whose reference ("D" + 8 characters) the user
 * writes on their bank transfer; credited when an operator settles it. key as for top-ups.
 * The instructions mail is queued. Refused: UNVERIFIED, LOCKED, OVER_LIMIT.
 */
enum wallet_result wallet_deposit(struct http_req *rq, long long amount, const char *key,
                                  struct db_deposit *d);

/**
 * Settle the pending deposit reference: credit it to its owner's wallet and mail them. For the
 * operator command line; rq needs only app, db and now. OK, REPLAYED (settled before),
 * NOT_FOUND, ERROR. number gets the transfer number.
 */
enum wallet_result wallet_settle(struct http_req *rq, const char *reference, char number[17]);

/**
 * Step one of a send: check the recipient (an email address or an account number, as typed),
 * the amount and the note against everything known now (UNVERIFIED, LOCKED, UNKNOWN_RECIPIENT,
 * RECIPIENT_LOCKED, SELF, OVER_LIMIT, DAILY_LIMIT, INSUFFICIENT for method "balance",
 * NOTE_TOO_LONG) and make a review; nothing is written. key gets the review's one-time key,
 * base64url (auth_seal), for the review page's address and its Confirm form.
 */
enum wallet_result wallet_review_new(struct http_req *rq, const char *recipient, long long amount,
                                     const char *note, const char *method, struct buf *key);

/**
 * The signed-in user's review with key, with the recipient (caller releases to). OK, EXPIRED
 * (r and to are still filled: show what it was), NOT_FOUND (not a key of ours, or another
 * user's), ERROR. A confirmed review has r->transfer_id set, expired or not.
 */
enum wallet_result wallet_review_get(struct http_req *rq, const char *key, struct wallet_review *r,
                                     struct db_user *to);

/**
 * Confirm a review (as wallet_review_get gave it, with its recipient): move the money once. c
 * is the card for method "card" (checked by card_validate), NULL for "balance". Confirming
 * again, at the same time or later, answers REPLAYED with the same transfer number; an expired
 * review EXPIRED. Everything is checked again (the balance, limits and both accounts may have
 * changed since the review). Both sides get a mail.
 */
enum wallet_result wallet_confirm(struct http_req *rq, const struct wallet_review *review,
                                  const struct db_user *recipient, const struct card *c,
                                  char number[17]);

/**
 * Append name as a review shows a recipient: the first word whole and the first character of
 * the rest followed by "***" ("Li Wei" -> "Li W***"); a name without spaces keeps its first
 * character ("王小明" -> "王**", one '*' per hidden character up to three; "Al" -> "A*").
 */
void wallet_mask_name(struct buf *out, const char *name);

/** Start (unix seconds) of the China Standard Time day containing t, and that day as YYYYMMDD. */
long long wallet_day_start(long long t, int *ymd);

#endif
