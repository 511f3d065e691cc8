/* transactions.c - the history of a wallet: the filtered list, a receipt per transfer, CSV. */
#include "app.h"
#include "csv.h"
#include "day.h"
#include "handlers.h"
#include "history.h"
#include "money.h"
#include "page.h"
#include "tv.h"
#include "wallet.h"

#include <stdio.h>
#include <string.h>

#define ROWS_PER_PAGE 20
#define CSV_ROWS_MAX  50000 /* a longer statement is refused: ask for a shorter range */
#define RECEIPT_PATH  "/account/transactions/"

static const char *S_t(struct http_req *rq, const char *key)
{
	return i18n_get(&rq->app->theme.ui, rq->locale, key);
}

static void S_money(struct http_req *rq, struct buf *b, long long minor)
{
	money_format(b, minor, &rq->app->cfg.currency, rq->locale);
}

/* The address of the history with q's filters on page. */
static void S_list_url(struct http_req *rq, struct buf *b, const struct history_query *q,
                       long long page)
{
	static const char *const dirs[] = {"out", "all", "in"}, *const stats[] = {
	                                                            "all", "completed", "pending"};
	char sep = '?';
	buf_addf(b, "/%s/account/transactions", locale_info[rq->locale].code);
	/* Every value was checked: digits, '-' and letters only, nothing to escape. */
	if (q->has_from) {
		buf_addf(b, "%cfrom=", sep), sep = '&';
		day_format(b, &q->from);
	}
	if (q->has_to) {
		buf_addf(b, "%cto=", sep), sep = '&';
		day_format(b, &q->to);
	}
	if (q->direction)
		buf_addf(b, "%cdirection=%s", sep, dirs[q->direction + 1]), sep = '&';
	if (q->status)
		buf_addf(b, "%cstatus=%s", sep, stats[q->status]), sep = '&';
	if (*q->number)
		buf_addf(b, "%cq=%s", sep, q->number), sep = '&';
	if (page > 1)
		buf_addf(b, "%cpage=%lld", sep, page);
}

static void S_page_link(struct http_req *rq, struct tv *d, const char *key,
                        const struct history_query *q, long long page)
{
	struct tv *o = tv_set_obj(d, key);
	struct buf b = BUF_INIT;
	S_list_url(rq, &b, q, page);
	tv_set_str(o, "url", b.ptr);
	tv_set_int(o, "page", page);
	buf_release(&b);
}

/* The history page around d: the wallet at the top, the statement link, the filter form. */
static int S_render(struct http_req *rq, struct http_resp *rs, int status, struct tv *d,
                    const struct db_account *a, const struct history_query *q)
{
	struct buf b = BUF_INIT;
	struct day from, to;
	S_money(rq, &b, a->balance);
	tv_set_str(d, "balance", b.ptr);
	buf_reset(&b);
	history_account_number(&b, a->number);
	tv_set_str(d, "account_number", b.ptr);
	history_statement_range(rq, q, &from, &to);
	struct tv *csv = tv_set_obj(d, "csv");
	buf_reset(&b);
	day_format(&b, &from);
	tv_set_str(csv, "from", b.ptr);
	buf_reset(&b);
	day_format(&b, &to);
	tv_set_str(csv, "to", b.ptr);
	buf_reset(&b);
	buf_addf(&b, "/%s/account/transactions.csv?from=", locale_info[rq->locale].code);
	day_format(&b, &from);
	buf_adds(&b, "&to=");
	day_format(&b, &to);
	tv_set_str(csv, "url", b.ptr);
	buf_release(&b);
	return page_render(rq, rs, status, "transactions", "tx_title", "account-transactions", d);
}

static void S_row(struct http_req *rq, struct tv *list, const struct db_movement *m)
{
	struct tv *r = tv_push_obj(list);
	struct buf b = BUF_INIT;
	int pending = strcmp(m->status, "pending") == 0;
	day_format_time(&b, m->at);
	tv_set_str(r, "when", b.ptr);
	buf_reset(&b);
	history_describe(rq, &b, m);
	tv_set_str(r, "desc", b.ptr);
	tv_set_str(r, "number", m->number);
	tv_set_str(r, "reference", strcmp(m->kind, "deposit") == 0 ? m->reference : "");
	tv_set_str(r, "note", m->note);
	buf_reset(&b);
	if (m->amount > 0)
		buf_addc(&b, '+');
	S_money(rq, &b, m->amount);
	tv_set_str(r, "amount", b.ptr);
	buf_reset(&b);
	if (m->fee > 0)
		S_money(rq, &b, m->fee);
	tv_set_str(r, "fee", b.len ? b.ptr : "—");
	buf_reset(&b);
	if (!pending)
		S_money(rq, &b, m->balance_after);
	tv_set_str(r, "balance", b.len ? b.ptr : "—");
	tv_set_bool(r, "pending", pending);
	tv_set_str(r, "status", S_t(rq, pending ? "tx_status_pending" : "tx_status_completed"));
	buf_reset(&b);
	/* A pending deposit has no transfer yet: its page is the bank transfer instructions. */
	if (*m->number)
		buf_addf(&b, "/%s%s%s", locale_info[rq->locale].code, RECEIPT_PATH, m->number);
	else
		buf_addf(&b, "/%s/account/add-money/bank?ref=%s", locale_info[rq->locale].code,
		         m->reference);
	tv_set_str(r, "url", b.ptr);
	tv_set_str(r, "label", *m->number ? m->number : m->reference);
	buf_release(&b);
}

int h_transactions(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct db_account a = {0};
	struct history_query q;
	struct tv *d = page_data(rq);
	int errors = history_query_read(rq, d, &q, 0);
	if (wallet_mine(rq, &a) < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "wallet");
	}
	if (errors)
		return S_render(rq, rs, 400, d, &a, &q);

	struct db_history_query hq = {
	    .user_id = rq->user.id,
	    .account_id = a.id,
	    .since = q.has_from ? day_start(&q.from) : 0,
	    .until = q.has_to ? day_start(&q.to) + DAY_SECONDS : 0,
	    .direction = q.direction,
	    .status = q.status,
	    .number = *q.number ? q.number : NULL,
	    .offset = (int)((q.page - 1) * ROWS_PER_PAGE),
	    .limit = ROWS_PER_PAGE,
	};
	struct db_movement *m = NULL;
	long long total = 0;
	int n = db_history(rq->db, &hq, &m, &total);
	if (n < 0) {
		tv_free(d);
		db_movements_release(m, 0);
		return handler_unavailable(rq, rs, "history");
	}
	struct tv *list = tv_set_list(d, "rows");
	for (int i = 0; i < n; i++)
		S_row(rq, list, &m[i]);
	db_movements_release(m, n);

	long long pages = (total + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE;
	tv_set_bool(d, "has_rows", n > 0);
	tv_set_bool(d, "filtered", q.has_from || q.has_to || q.direction || q.status || *q.number);
	tv_set_int(d, "total", total);
	tv_set_int(d, "page", q.page);
	tv_set_int(d, "pages", pages);
	int has_prev = q.page > 1, has_next = q.page < pages;
	/* Past the last page (rows went away, or a typed address), "previous" is the last one. */
	if (has_prev)
		S_page_link(rq, d, "prev", &q,
		            q.page - 1 < pages ? q.page - 1
		            : pages > 0        ? pages
		                               : 1);
	if (has_next)
		S_page_link(rq, d, "next", &q, q.page + 1);
	tv_set_bool(d, "has_pager", has_prev || has_next);
	return S_render(rq, rs, 200, d, &a, &q);
}

/* The statement's columns, in the page's language: UI strings csv_<name>. */
static const char *const S_csv_columns[] = {"csv_date",         "csv_number", "csv_type",
                                            "csv_counterparty", "csv_note",   "csv_amount",
                                            "csv_fee",          "csv_balance"};

static void S_csv_row(struct http_req *rq, struct csv *c, const struct db_movement *m)
{
	const struct money_currency *cur = &rq->app->cfg.currency;
	struct buf b = BUF_INIT;
	day_format_time(&b, m->at);
	csv_texts(c, b.ptr);
	csv_texts(c, m->number);
	csv_texts(c, S_t(rq, history_type_key(rq, m)));
	buf_reset(&b);
	if (strcmp(m->kind, "send") == 0 && !history_card_leg(rq, m)) {
		wallet_mask_name(&b, m->other_name);
		buf_adds(&b, " (");
		history_account_number(&b, m->other_number);
		buf_addc(&b, ')');
	} else {
		buf_adds(&b, strcmp(m->kind, "deposit") == 0 ? m->reference : m->card);
	}
	csv_texts(c, b.ptr);
	csv_texts(c, m->note);
	buf_reset(&b);
	money_decimal(&b, m->amount, cur);
	csv_number(c, b.ptr);
	buf_reset(&b);
	money_decimal(&b, m->fee, cur);
	csv_number(c, b.ptr);
	buf_reset(&b);
	money_decimal(&b, m->balance_after, cur);
	csv_number(c, b.ptr);
	csv_end_row(c);
	buf_release(&b);
}

int h_statement_csv(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct db_account a = {0};
	struct history_query q;
	struct day from, to;
	struct tv *d = page_data(rq);
	int errors = history_query_read(rq, d, &q, 1);
	if (wallet_mine(rq, &a) < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "wallet");
	}
	if (errors)
		return S_render(rq, rs, 400, d, &a, &q);
	history_statement_range(rq, &q, &from, &to);

	/* One query for the whole range, so rows arriving meanwhile cannot shift a page. */
	struct db_history_query hq = {
	    .user_id = rq->user.id,
	    .account_id = a.id,
	    .since = day_start(&from),
	    .until = day_start(&to) + DAY_SECONDS,
	    .status = 1,
	    .limit = CSV_ROWS_MAX + 1,
	};
	struct db_movement *m = NULL;
	long long total = 0;
	int n = db_history(rq->db, &hq, &m, &total);
	if (n < 0) {
		tv_free(d);
		db_movements_release(m, 0);
		return handler_unavailable(rq, rs, "statement");
	}
	if (n > CSV_ROWS_MAX) {
		db_movements_release(m, n);
		page_field_error(rq, d, "from", "tx_err_csv_too_long");
		return S_render(rq, rs, 400, d, &a, &q);
	}
	tv_free(d);

	struct csv c;
	buf_reset(&rs->body);
	buf_adds(&rs->body, CSV_BOM);
	csv_init(&c, &rs->body);
	for (size_t i = 0; i < sizeof(S_csv_columns) / sizeof(S_csv_columns[0]); i++)
		csv_texts(&c, S_t(rq, S_csv_columns[i]));
	csv_end_row(&c);
	/* db_history answers newest first; a statement reads oldest first. */
	for (int i = n - 1; i >= 0; i--)
		S_csv_row(rq, &c, &m[i]);
	db_movements_release(m, n);

	struct buf disp = BUF_INIT;
	buf_adds(&disp, "attachment; filename=\"okpay-statement-");
	day_format(&disp, &from);
	buf_addc(&disp, '-');
	day_format(&disp, &to);
	buf_adds(&disp, ".csv\"");
	http_header(rs, "Content-Type", "text/csv; charset=utf-8");
	http_header(rs, "Content-Disposition", disp.ptr);
	http_header(rs, "X-Content-Type-Options", "nosniff");
	buf_release(&disp);
	rs->status = 200;
	return 200;
}
