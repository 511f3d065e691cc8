/* overview.c - /{lang}/account/: who you are, your wallet and its last movements, recent activity.
 */
#include "app.h"
#include "handlers.h"
#include "history.h"
#include "money.h"
#include "page.h"
#include "tv.h"
#include "ua.h"
#include "wallet.h"

#include <string.h>

#define RECENT    10
#define MOVEMENTS 5

/* Balance, account number and the last few movements of the user's wallet. -1 on failure. */
static int S_wallet(struct http_req *rq, struct tv *d)
{
	struct db_account a = {0};
	struct db_movement *mv = NULL;
	long long total = 0;
	if (wallet_mine(rq, &a) < 0)
		return -1;
	struct db_history_query q = {
	    .user_id = rq->user.id, .account_id = a.id, .limit = MOVEMENTS};
	int n = db_history(rq->db, &q, &mv, &total);
	if (n < 0)
		return -1;
	const struct money_currency *cur = &rq->app->cfg.currency;
	struct buf b = BUF_INIT;
	money_format(&b, a.balance, cur, rq->locale);
	tv_set_strn(d, "balance", b.ptr, b.len);
	buf_reset(&b);
	/* Read aloud or copied by hand in groups: "123 456 7890". */
	buf_addf(&b, "%.3s %.3s %.4s", a.number, a.number + 3, a.number + 6);
	tv_set_strn(d, "account_number", b.ptr, b.len);
	struct tv *list = tv_set_list(d, "movements");
	for (int i = 0; i < n; i++) {
		struct tv *e = tv_push_obj(list);
		buf_reset(&b);
		handler_time(&b, mv[i].at);
		tv_set_strn(e, "when", b.ptr, b.len);
		buf_reset(&b);
		history_describe(rq, &b, &mv[i]);
		tv_set_strn(e, "what", b.ptr, b.len);
		tv_set_str(e, "note", mv[i].note);
		buf_reset(&b);
		int pending = strcmp(mv[i].status, "pending") == 0;
		if (mv[i].amount > 0)
			buf_addc(&b, '+');
		money_format(&b, mv[i].amount, cur, rq->locale);
		tv_set_strn(e, "amount", b.ptr, b.len);
		tv_set_bool(e, "in", mv[i].amount > 0);
		tv_set_bool(e, "pending", pending);
		buf_reset(&b);
		if (*mv[i].number) {
			tv_set_str(e, "number", mv[i].number);
			buf_addf(&b, "/%s/account/transactions/%s", locale_info[rq->locale].code,
			         mv[i].number);
		} else if (*mv[i].reference) {
			tv_set_str(e, "reference", mv[i].reference);
			buf_addf(&b, "/%s/account/add-money/bank?ref=%s",
			         locale_info[rq->locale].code, mv[i].reference);
		}
		if (b.len)
			tv_set_strn(e, "url", b.ptr, b.len);
	}
	tv_set_bool(d, "has_movements", n > 0);
	tv_set_bool(d, "more_movements", total > n);
	buf_release(&b);
	db_movements_release(mv, n);
	return 0;
}

int h_overview(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	struct db_event *ev = NULL;
	int n = db_events_recent(rq->db, rq->user.id, RECENT, &ev);
	if (n < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "events");
	}
	if (S_wallet(rq, d) < 0) {
		db_events_release(ev, n);
		tv_free(d);
		return handler_unavailable(rq, rs, "wallet");
	}
	if (*http_field(rq, "resent"))
		tv_set_bool(d, "resent", 1);
	struct tv *list = tv_set_list(d, "events");
	for (int i = 0; i < n; i++) {
		struct tv *e = tv_push_obj(list);
		struct buf b = BUF_INIT;
		buf_addf(&b, "event_%s", ev[i].kind);
		tv_set_str(e, "what", i18n_get(&rq->app->theme.ui, rq->locale, b.ptr));
		tv_set_bool(e, "warn", strcmp(ev[i].kind, "login_failed") == 0);
		buf_reset(&b);
		handler_time(&b, ev[i].at);
		tv_set_str(e, "when", b.ptr);
		buf_reset(&b);
		ua_summary(&b, ev[i].user_agent);
		tv_set_str(e, "device", b.ptr);
		tv_set_str(e, "ip", ev[i].ip);
		buf_release(&b);
	}
	tv_set_bool(d, "has_events", n > 0);
	db_events_release(ev, n);
	return page_render(rq, rs, 200, "overview", "overview_title", "account-overview", d);
}
