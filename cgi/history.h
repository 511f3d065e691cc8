/* history.h - a wallet's history as people ask for it and read it: filters, words, types. */
#ifndef CGI_HISTORY_H
#define CGI_HISTORY_H

#include "day.h"
#include "db.h"
#include "http.h"

struct tv;

/** Highest ?page= of the history: beyond it is a bad request, so offsets stay small. */
#define HISTORY_PAGES_MAX 10000

/** The filters of the history page and the range of a statement, as read from the query. */
struct history_query {
	struct day from, to;  /* valid when has_from, has_to */
	int has_from, has_to; /* 0 when the parameter is empty: the range is open there */
	int direction;        /* 0 all, 1 money in, -1 money out (as db_history_query) */
	int status;           /* 0 all, 1 completed, 2 pending (as db_history_query) */
	char number[17];      /* normalised transfer number, "" for no search */
	long long page;       /* 1-based */
};

/**
 * Read the query parameters from, to (YYYY-MM-DD, real dates, from <= to), direction
 * (all|in|out), status (all|completed|pending), q (a transfer number) and page into q; only
 * from and to when range_only (a statement). Each bad one is a form error in d beside its
 * field (page_field_error); every value is kept for the form (page_keep), and the select
 * states are set ("dir_in", "dir_out", "st_completed", "st_pending"). Returns the number of
 * errors.
 */
int history_query_read(struct http_req *rq, struct tv *d, struct history_query *q, int range_only);

/**
 * The date range of a statement for q: the dates asked for; an open start is the first of
 * the end's month, an open end is today (or the end of the start's month when the start is
 * later than today), and with neither it is the current month.
 */
void history_statement_range(struct http_req *rq, const struct history_query *q, struct day *from,
                             struct day *to);

/** Append a 10-digit account number as people read it: "123 456 7890" (else as given). */
void history_account_number(struct buf *b, const char *number);

/**
 * 1 if m is the card leg of a send paid by card: the card pays the amount into the sender's
 * wallet (this movement carries the fee), and a second movement sends it on.
 */
int history_card_leg(struct http_req *rq, const struct db_movement *m);

/**
 * Append what a history row says of m in the page's language: "Added by card visa •••• 4242",
 * "Bank transfer D1234ABCD", "Paid by card visa •••• 4242", "Sent to Li W***", "Received
 * from Li W***". Names of others are masked (wallet_mask_name). Not escaped.
 */
void history_describe(struct http_req *rq, struct buf *b, const struct db_movement *m);

/** UI string key of the type of m for the signed-in user: "tx_type_sent", ... */
const char *history_type_key(struct http_req *rq, const struct db_movement *m);

#endif
