/* receipt.c - the receipt of one transfer, for the two people it concerns and nobody else. */
#include "app.h"
#include "handlers.h"
#include "history.h"
#include "money.h"
#include "numbers.h"
#include "page.h"
#include "tv.h"
#include "wallet.h"

#include <string.h>

#define RECEIPT_PATH "/account/transactions/"

static const char *S_t(struct http_req *rq, const char *key)
{
	return i18n_get(&rq->app->theme.ui, rq->locale, key);
}

/* A side of the transfer: name and grouped account number under key ("from", "to"). */
static void S_party(struct tv *d, const char *key, const char *name, const char *number)
{
	struct tv *o = tv_set_obj(d, key);
	struct buf b = BUF_INIT;
	tv_set_str(o, "name", name);
	history_account_number(&b, number);
	tv_set_str(o, "account", b.ptr);
	buf_release(&b);
}

/*
 * The other user of a send, as the receipt shows them: the masked name and their account
 * number. 0, or -1 on a database error. A user who is gone shows as a dash.
 */
static int S_other(struct http_req *rq, struct tv *d, const char *key, long long id)
{
	struct db_user u = {0};
	struct db_account a = {0};
	struct buf name = BUF_INIT;
	int rc = -1;
	int found = db_user_by_id(rq->db, id, &u);
	if (found < 0)
		goto out;
	if (found && db_wallet_by_user(rq->db, id, &a) < 0)
		goto out;
	if (found)
		wallet_mask_name(&name, u.name);
	else
		buf_adds(&name, "—");
	S_party(d, key, name.ptr, a.number);
	rc = 0;
out:
	buf_release(&name);
	db_user_release(&u);
	return rc;
}

int h_transaction(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	const char *rest = rq->route + strlen(RECEIPT_PATH);
	char number[17];
	if (!*rest)
		return handler_see_other(rq, rs, "/account/transactions");
	if (numbers_transfer_parse(rest, strlen(rest), number) < 0)
		return page_error(rq, rs, 404);

	struct db_transfer t = {0};
	struct db_account mine = {0};
	struct buf b = BUF_INIT;
	int status;
	int found = db_transfer_by_number(rq->db, number, &t);
	if (found < 0) {
		status = handler_unavailable(rq, rs, "transfer");
		goto out;
	}
	/* Someone else's transfer answers as if it did not exist. */
	if (!found || (t.from_user != rq->user.id && t.to_user != rq->user.id)) {
		status = page_error(rq, rs, 404);
		goto out;
	}
	if (wallet_mine(rq, &mine) < 0) {
		status = handler_unavailable(rq, rs, "wallet");
		goto out;
	}
	int is_send = strcmp(t.kind, "send") == 0;
	int sent = is_send && t.from_user == rq->user.id;
	/* Who paid sees the fee, the total and how it was paid; a recipient sees what arrived. */
	int payer = !is_send || sent;

	struct tv *d = page_data(rq);
	tv_set_str(d, "number", t.number);
	handler_time(&b, t.created_at);
	tv_set_str(d, "when", b.ptr);
	const char *type = sent                            ? "tx_type_sent"
	                   : is_send                       ? "tx_type_received"
	                   : strcmp(t.kind, "top_up") == 0 ? "tx_type_top_up"
	                                                   : "tx_type_deposit";
	tv_set_str(d, "type", S_t(rq, type));
	if (!is_send) {
		buf_reset(&b);
		if (strcmp(t.kind, "top_up") == 0) {
			buf_adds(&b, S_t(rq, "receipt_from_card"));
			buf_adds(&b, t.card);
		} else {
			buf_adds(&b, S_t(rq, "receipt_from_bank"));
			buf_adds(&b, t.reference);
		}
		S_party(d, "from", b.ptr, "");
		S_party(d, "to", rq->user.name, mine.number);
	} else if (sent) {
		S_party(d, "from", rq->user.name, mine.number);
		if (S_other(rq, d, "to", t.to_user) < 0) {
			tv_free(d);
			status = handler_unavailable(rq, rs, "recipient");
			goto out;
		}
	} else {
		if (S_other(rq, d, "from", t.from_user) < 0) {
			tv_free(d);
			status = handler_unavailable(rq, rs, "sender");
			goto out;
		}
		S_party(d, "to", rq->user.name, mine.number);
	}
	handler_set_money(rq, d, "amount", t.amount);
	if (payer) {
		long long total;
		tv_set_bool(d, "payer", 1);
		handler_set_money(rq, d, "fee", t.fee);
		handler_set_money(rq, d, "total",
		                  money_add(t.amount, t.fee, &total) == 0 ? total : t.amount);
		buf_reset(&b);
		if (strcmp(t.method, "card") == 0) {
			buf_adds(&b, S_t(rq, "receipt_method_card"));
			buf_adds(&b, t.card);
		} else {
			buf_adds(&b,
			         S_t(rq, strcmp(t.method, "bank") == 0 ? "receipt_method_bank"
			                                               : "receipt_method_balance"));
		}
		tv_set_str(d, "method", b.ptr);
	}
	tv_set_str(d, "note", t.note);
	/* A transfer exists only once its money moved: every receipt is of a completed one. */
	tv_set_str(d, "status", S_t(rq, "tx_status_completed"));
	if (strcmp(http_field(rq, "done"), "1") == 0 && payer)
		tv_set_str(d, "done", S_t(rq, sent ? "receipt_done_sent" : "receipt_done_added"));
	status = page_render(rq, rs, 200, "receipt", "receipt_title", "account-receipt", d);
out:
	buf_release(&b);
	db_transfer_release(&t);
	return status;
}
