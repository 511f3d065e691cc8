/* history.c - reading history filters strictly, and the words for each kind of movement. */
#include "history.h"
#include "app.h"
#include "numbers.h"
#include "page.h"
#include "tv.h"
#include "wallet.h"

#include <string.h>

static const char *S_t(struct http_req *rq, const char *key)
{
	return i18n_get(&rq->app->theme.ui, rq->locale, key);
}

/* One of the words of a select: its index in words, "" counting as the first, else -1. */
static int S_choice(const char *s, const char *const *words, int n)
{
	if (!*s)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/*
 * Read the query into q. Every bad parameter becomes a form error in d (the filter form shows
 * it beside the field); only from and to are read when range_only (the statement). Returns
 * the number of errors.
 */
int history_query_read(struct http_req *rq, struct tv *d, struct history_query *q, int range_only)
{
	static const char *const dirs[] = {"all", "in", "out"}, *const stats[] = {
	                                                            "all", "completed", "pending"};
	static const int dir_value[] = {0, 1, -1};
	const char *from = http_field(rq, "from"), *to = http_field(rq, "to");
	int errors = 0;
	memset(q, 0, sizeof(*q));
	q->page = 1;
	q->has_from = *from != '\0';
	q->has_to = *to != '\0';
	if (q->has_from && day_parse(from, strlen(from), &q->from) < 0) {
		page_field_error(rq, d, "from", "tx_err_from");
		q->has_from = 0, errors++;
	}
	if (q->has_to && day_parse(to, strlen(to), &q->to) < 0) {
		page_field_error(rq, d, "to", "tx_err_to");
		q->has_to = 0, errors++;
	}
	if (q->has_from && q->has_to && day_cmp(&q->from, &q->to) > 0) {
		page_field_error(rq, d, "to", "tx_err_range");
		errors++;
	}
	page_keep(rq, d, "from");
	page_keep(rq, d, "to");
	if (range_only)
		return errors;

	const char *dir = http_field(rq, "direction"), *st = http_field(rq, "status");
	const char *num = http_field(rq, "q"), *page = http_field(rq, "page");
	int i = S_choice(dir, dirs, 3);
	if (i < 0) {
		page_field_error(rq, d, "direction", "tx_err_direction");
		errors++;
	}
	q->direction = i < 0 ? 0 : dir_value[i];
	tv_set_bool(d, "dir_in", q->direction == 1);
	tv_set_bool(d, "dir_out", q->direction == -1);
	i = S_choice(st, stats, 3);
	if (i < 0) {
		page_field_error(rq, d, "status", "tx_err_status");
		errors++;
	}
	q->status = i < 0 ? 0 : i;
	tv_set_bool(d, "st_completed", q->status == 1);
	tv_set_bool(d, "st_pending", q->status == 2);
	if (*num && numbers_transfer_parse(num, strlen(num), q->number) < 0) {
		page_field_error(rq, d, "q", "tx_err_q");
		errors++;
	}
	if (*page && (q->page = http_number(page, 5)) < 1) {
		page_field_error(rq, d, "page", "tx_err_page");
		q->page = 1, errors++;
	}
	if (q->page > HISTORY_PAGES_MAX) {
		page_field_error(rq, d, "page", "tx_err_page");
		q->page = 1, errors++;
	}
	page_keep(rq, d, "q");
	return errors;
}

/*
 * The range of a statement: the dates asked for; an open start is the first of the end's
 * month, an open end is today (or the end of the start's month when the start is later), and
 * with neither it is the current month.
 */
void history_statement_range(struct http_req *rq, const struct history_query *q, struct day *from,
                             struct day *to)
{
	struct day today = day_of(rq->now);
	if (q->has_to) {
		*to = q->to;
	} else if (q->has_from && day_cmp(&q->from, &today) <= 0) {
		*to = today;
	} else {
		*to = q->has_from ? q->from : today;
		to->d = day_month_len(to->y, to->m);
	}
	if (q->has_from) {
		*from = q->from;
	} else {
		*from = *to;
		from->d = 1;
	}
}

/* "1234567890" as people read it: "123 456 7890". */
void history_account_number(struct buf *b, const char *n)
{
	if (strlen(n) != NUMBERS_ACCOUNT_LEN) {
		buf_adds(b, n);
		return;
	}
	buf_addf(b, "%.3s %.3s %s", n, n + 3, n + 6);
}

/*
 * A send paid by card moves the sender's wallet twice: the card pays the amount in (this
 * movement, which carries the fee), then it goes out to the recipient. The card is the
 * sender's business: the recipient's side never names it.
 */
int history_card_leg(struct http_req *rq, const struct db_movement *m)
{
	return strcmp(m->kind, "send") == 0 && strcmp(m->method, "card") == 0 &&
	       m->from_user == rq->user.id && m->amount > 0;
}

/* Where the money of a movement came from or went, as a history row says it. */
void history_describe(struct http_req *rq, struct buf *b, const struct db_movement *m)
{
	if (strcmp(m->kind, "top_up") == 0) {
		buf_adds(b, S_t(rq, "tx_desc_top_up"));
		buf_adds(b, m->card);
	} else if (strcmp(m->kind, "deposit") == 0) {
		buf_adds(b, S_t(rq, "tx_desc_deposit"));
		buf_adds(b, m->reference);
	} else if (history_card_leg(rq, m)) {
		buf_adds(b, S_t(rq, "tx_desc_card_payment"));
		buf_adds(b, m->card);
	} else if (m->from_user == rq->user.id) {
		buf_adds(b, S_t(rq, "tx_desc_out"));
		wallet_mask_name(b, m->other_name);
	} else {
		buf_adds(b, S_t(rq, "tx_desc_in_before"));
		wallet_mask_name(b, m->other_name);
		buf_adds(b, S_t(rq, "tx_desc_in_after"));
	}
}

/* UI string key of the type of a movement as seen by the user. */
const char *history_type_key(struct http_req *rq, const struct db_movement *m)
{
	if (strcmp(m->kind, "top_up") == 0)
		return "tx_type_top_up";
	if (strcmp(m->kind, "deposit") == 0)
		return "tx_type_deposit";
	if (history_card_leg(rq, m))
		return "tx_type_card_payment";
	return m->from_user == rq->user.id ? "tx_type_sent" : "tx_type_received";
}
