/* addmoney.c - adding money to the wallet: by card at once, or by bank transfer with a reference.
 */
#include "app.h"
#include "auth.h"
#include "card.h"
#include "handlers.h"
#include "money.h"
#include "page.h"
#include "tv.h"
#include "twostep.h"
#include "wallet.h"

#include <string.h>

/* A text the page shows as is: one UI string. */
static void S_set_ui(struct http_req *rq, struct tv *d, const char *key, const char *ui_key)
{
	tv_set_str(d, key, i18n_get(&rq->app->theme.ui, rq->locale, ui_key));
}

/*
 * The form. key is the idempotency key the page carries: the submitted one while the visitor
 * corrects their input (nothing was asked of the wallet yet), else a fresh one (NULL). d may
 * hold errors and kept values already.
 */
static int S_form(struct http_req *rq, struct http_resp *rs, int status, struct tv *d,
                  const char *key, int card)
{
	char fresh[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	struct buf b = BUF_INIT;
	if (!key) {
		auth_token_new(fresh, hash);
		key = fresh;
	}
	tv_set_str(d, "key", key);
	tv_set_bool(d, "method_card", card);
	tv_set_bool(d, "method_bank", !card);
	handler_fee_rule(rq, &b);
	tv_set_strn(d, "fee_rule", b.ptr, b.len);
	handler_set_money(rq, d, "limit", rq->app->cfg.limit_transfer);
	buf_release(&b);
	if (twostep_money_form(rq, d, 0, 0, 1) < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "two-step");
	}
	return page_render(rq, rs, status, "add-money", "addmoney_title", "account-add-money", d);
}

int h_add_money_form(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct db_account a = {0};
	if (wallet_mine(rq, &a) < 0)
		return handler_unavailable(rq, rs, "wallet");
	struct tv *d = page_data(rq);
	handler_set_money(rq, d, "balance", a.balance);
	return S_form(rq, rs, 200, d, NULL, strcmp(http_field(rq, "method"), "bank") != 0);
}

int h_add_money(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	const char *amount = http_field(rq, "amount"), *method = http_field(rq, "method");
	const char *key = http_field(rq, "key");
	struct card_input in = {http_field(rq, "card_number"), http_field(rq, "card_expiry"),
	                        http_field(rq, "card_cvc")};
	struct card c = {0};
	struct db_account a = {0};
	struct tv *d = page_data(rq);
	int card = strcmp(method, "card") == 0, status;
	long long minor = 0;
	unsigned char hash[32];

	/* Everything the visitor typed is checked before anything is asked of the wallet. */
	handler_amount(rq, d, amount, &minor);
	if (strcmp(method, "card") != 0 && strcmp(method, "bank") != 0)
		page_field_error(rq, d, "method", "addmoney_err_method");
	int card_ok = card && handler_check_card(rq, d, &in, &c) == 0;
	/* A form without our key (or with a mangled one) cannot be made safe to resubmit. */
	int key_ok = auth_token_hash(key, strlen(key), hash) == 0;
	if (!key_ok)
		tv_set_str(d, "problem",
		           i18n_get(&rq->app->theme.ui, rq->locale, "addmoney_err_form"));
	if (tv_truthy(tv_get(d, "has_errors", 10)) || (card && !card_ok) || !key_ok) {
		card_wipe(&c);
		goto refused;
	}

	enum wallet_result r;
	char number[17] = "";
	if (card) {
		/* Two-step verification: a card this account never paid with asks for a code. */
		int up = twostep_stepup_money(rq, d, minor, 0, &c);
		if (up <= 0) {
			card_wipe(&c);
			if (up < 0) {
				tv_free(d);
				return handler_unavailable(rq, rs, "two-step");
			}
			goto refused;
		}
		r = wallet_top_up(rq, minor, &c, key, number);
		card_wipe(&c);
		if (r == WALLET_OK || r == WALLET_REPLAYED) {
			struct buf loc = BUF_INIT;
			buf_addf(&loc, "/account/transactions/%s?done=1", number);
			status = handler_see_other(rq, rs, loc.ptr);
			buf_release(&loc);
			tv_free(d);
			return status;
		}
	} else {
		struct db_deposit dep = {0};
		r = wallet_deposit(rq, minor, key, &dep);
		if (r == WALLET_OK || r == WALLET_REPLAYED) {
			struct buf loc = BUF_INIT;
			buf_addf(&loc, "/account/add-money/bank?ref=%s", dep.reference);
			status = handler_see_other(rq, rs, loc.ptr);
			buf_release(&loc);
			tv_free(d);
			return status;
		}
	}
	if (r == WALLET_ERROR) {
		tv_free(d);
		return handler_unavailable(rq, rs, card ? "top up" : "deposit");
	}
	switch (r) {
	case WALLET_OVER_LIMIT:
		page_field_error(rq, d, "amount", wallet_result_key(r));
		break;
	case WALLET_CARD_DECLINED:
	case WALLET_CARD_NO_FUNDS:
	case WALLET_CARD_ERROR:
		page_field_error(rq, d, "card_number", wallet_result_key(r));
		break;
	default: /* unverified, locked, a key used for something else: about the whole form */
		S_set_ui(rq, d, "problem",
		         wallet_result_key(r) ? wallet_result_key(r) : "error_503_text");
		break;
	}
	/*
	 * The wallet saw this request, and a card processor answers a retried key as it did the
	 * first time (even with another card): a new attempt gets a key of its own.
	 */
	key_ok = 0;
refused:
	if (!key_ok)
		key = NULL;
	page_keep(rq, d, "amount");
	page_keep(rq, d, "card_expiry");
	if (wallet_mine(rq, &a) < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "wallet");
	}
	handler_set_money(rq, d, "balance", a.balance);
	return S_form(rq, rs, 400, d, key, strcmp(method, "bank") != 0);
}

int h_add_money_bank(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	const char *ref = http_field(rq, "ref");
	struct db_deposit dep = {0};
	struct db_transfer t = {0};
	int found =
	    strlen(ref) < sizeof(dep.reference) ? db_deposit_by_reference(rq->db, ref, &dep) : 0;
	if (found < 0)
		return handler_unavailable(rq, rs, "deposit");
	/* Someone else's reference looks exactly like one that does not exist. */
	if (found == 0 || dep.user_id != rq->user.id)
		return page_error(rq, rs, 404);
	struct tv *d = page_data(rq);
	tv_set_str(d, "reference", dep.reference);
	handler_set_money(rq, d, "amount", dep.amount);
	struct buf b = BUF_INIT;
	handler_time(&b, dep.created_at);
	tv_set_strn(d, "created", b.ptr, b.len);
	if (dep.settled_at) {
		tv_set_bool(d, "settled", 1);
		buf_reset(&b);
		handler_time(&b, dep.settled_at);
		tv_set_strn(d, "settled_at", b.ptr, b.len);
		int got = dep.transfer_id ? db_transfer_by_id(rq->db, dep.transfer_id, &t) : 0;
		if (got < 0) {
			buf_release(&b);
			tv_free(d);
			return handler_unavailable(rq, rs, "transfer");
		}
		if (got > 0) {
			buf_reset(&b);
			buf_addf(&b, "/%s/account/transactions/%s", locale_info[rq->locale].code,
			         t.number);
			tv_set_strn(d, "receipt_url", b.ptr, b.len);
			tv_set_str(d, "number", t.number);
		}
		db_transfer_release(&t);
	}
	buf_release(&b);
	return page_render(rq, rs, 200, "add-money-bank", "addmoney_bank_title",
	                   "account-add-money-bank", d);
}
