/* send.c - sending money: the form, the review page, and its one Confirm button. */
#include "app.h"
#include "card.h"
#include "handlers.h"
#include "money.h"
#include "page.h"
#include "tv.h"
#include "twostep.h"
#include "utf8.h"
#include "wallet.h"

#include <string.h>

/* The send form prefilled with what a review asked: "Edit" and "start again" go there. */
static void S_edit_url(struct http_req *rq, struct buf *b, const struct wallet_review *r)
{
	buf_addf(b, "/%s/account/send?recipient=", locale_info[rq->locale].code);
	http_query_value(b, r->recipient, strlen(r->recipient));
	buf_adds(b, "&amount=");
	struct buf amount = BUF_INIT;
	money_decimal(&amount, r->amount, &rq->app->cfg.currency);
	http_query_value(b, amount.ptr, strlen(amount.ptr));
	buf_release(&amount);
	if (*r->note) {
		buf_adds(b, "&note=");
		http_query_value(b, r->note, strlen(r->note));
	}
	buf_adds(b, "&method=");
	http_query_value(b, r->method, strlen(r->method));
}

/* --- the form ------------------------------------------------------------------------------ */

static int S_form(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	const struct config *cfg = &rq->app->cfg;
	struct db_account a = {0};
	if (wallet_mine(rq, &a) < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "wallet");
	}
	int card = strcmp(http_field(rq, "method"), "card") == 0;
	tv_set_bool(d, "method_balance", !card);
	tv_set_bool(d, "method_card", card);
	handler_set_money(rq, d, "balance", a.balance);
	handler_set_money(rq, d, "limit", cfg->limit_transfer);
	handler_set_money(rq, d, "limit_daily", cfg->limit_daily);
	struct buf b = BUF_INIT;
	handler_fee_rule(rq, &b);
	tv_set_strn(d, "fee_rule", b.ptr, b.len);
	buf_release(&b);
	tv_set_int(d, "note_max", WALLET_NOTE_MAX);
	return page_render(rq, rs, status, "send", "send_title", "account-send", d);
}

static void S_keep(struct http_req *rq, struct tv *d)
{
	page_keep(rq, d, "recipient");
	page_keep(rq, d, "amount");
	page_keep(rq, d, "note");
}

int h_send_form(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	/* The review page's "Edit" link brings back what was typed. */
	S_keep(rq, d);
	return S_form(rq, rs, 200, d);
}

int h_send(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	const char *recipient = http_field(rq, "recipient"), *amount = http_field(rq, "amount");
	const char *note = http_field(rq, "note"), *method = http_field(rq, "method");
	struct tv *d = page_data(rq);
	long long minor = 0;

	/* Leading and trailing spaces of a pasted address or number are not part of it. */
	while (*recipient == ' ' || *recipient == '\t')
		recipient++;
	size_t rn = strlen(recipient);
	while (rn && (recipient[rn - 1] == ' ' || recipient[rn - 1] == '\t'))
		rn--;
	struct buf to = BUF_INIT;
	buf_add(&to, recipient, rn);

	if (!to.len)
		page_field_error(rq, d, "recipient", "send_err_recipient_empty");
	else if (to.len > 254)
		page_field_error(rq, d, "recipient", "wallet_err_unknown_recipient");
	handler_amount(rq, d, amount, &minor);
	if (utf8_length(note, strlen(note)) > WALLET_NOTE_MAX)
		page_field_error(rq, d, "note", "wallet_err_note_too_long");
	if (strcmp(method, "balance") != 0 && strcmp(method, "card") != 0)
		page_field_error(rq, d, "method", "send_err_method");
	if (tv_truthy(tv_get(d, "has_errors", 10)))
		goto refused;

	struct buf key = BUF_INIT;
	enum wallet_result r = wallet_review_new(rq, to.ptr, minor, note, method, &key);
	if (r == WALLET_OK) {
		struct buf loc = BUF_INIT;
		buf_addf(&loc, "/account/send/review?key=%s", key.ptr);
		int status = handler_see_other(rq, rs, loc.ptr);
		buf_release(&loc);
		buf_release(&key);
		buf_release(&to);
		tv_free(d);
		return status;
	}
	buf_release(&key);
	if (r == WALLET_ERROR) {
		buf_release(&to);
		tv_free(d);
		return handler_unavailable(rq, rs, "review");
	}
	const char *field = NULL;
	switch (r) {
	case WALLET_UNKNOWN_RECIPIENT:
	case WALLET_SELF:
	case WALLET_RECIPIENT_LOCKED:
		field = "recipient";
		break;
	case WALLET_INSUFFICIENT:
	case WALLET_OVER_LIMIT:
	case WALLET_DAILY_LIMIT:
		field = "amount";
		break;
	case WALLET_NOTE_TOO_LONG:
		field = "note";
		break;
	default:
		break;
	}
	const char *msg = wallet_result_key(r) ? wallet_result_key(r) : "error_503_text";
	if (field)
		page_field_error(rq, d, field, msg);
	else /* unverified, locked: about the whole account, not one field */
		tv_set_str(d, "problem", i18n_get(&rq->app->theme.ui, rq->locale, msg));
refused:
	buf_release(&to);
	S_keep(rq, d);
	return S_form(rq, rs, 400, d);
}

/* --- review and confirm -------------------------------------------------------------------- */

/* The review page of r (to is the recipient); d may hold a refusal or card errors already. */
static int S_review(struct http_req *rq, struct http_resp *rs, int status, struct tv *d,
                    const char *key, const struct wallet_review *r, const struct db_user *to)
{
	struct db_account acc = {0};
	struct buf b = BUF_INIT;
	int got = db_wallet_by_user(rq->db, to->id, &acc);
	if (got < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "recipient wallet");
	}
	tv_set_str(d, "key", key);
	wallet_mask_name(&b, to->name);
	tv_set_strn(d, "name", b.ptr, b.len);
	tv_set_str(d, "recipient", r->recipient);
	/* What was typed is shown as typed; the account number only when it adds something. */
	if (got > 0) {
		buf_reset(&b);
		buf_addf(&b, "%.3s %.3s %.4s", acc.number, acc.number + 3, acc.number + 6);
		tv_set_strn(d, "account_number", b.ptr, b.len);
	}
	long long total = r->amount;
	if (money_add(r->amount, r->fee, &total) < 0)
		total = r->amount;
	handler_set_money(rq, d, "amount", r->amount);
	handler_set_money(rq, d, "fee", r->fee);
	handler_set_money(rq, d, "total", total);
	tv_set_bool(d, "free", r->fee == 0);
	tv_set_str(d, "note", r->note);
	int card = strcmp(r->method, "card") == 0;
	tv_set_bool(d, "method_card", card);
	tv_set_bool(d, "method_balance", !card);
	if (card) {
		buf_reset(&b);
		handler_fee_rule(rq, &b);
		tv_set_strn(d, "fee_rule", b.ptr, b.len);
	}
	buf_reset(&b);
	handler_time(&b, r->expires_at);
	tv_set_strn(d, "expires", b.ptr, b.len);
	buf_reset(&b);
	S_edit_url(rq, &b, r);
	tv_set_strn(d, "edit_url", b.ptr, b.len);
	buf_release(&b);
	twostep_money_form(rq, d, r->amount, 1, card); /* the code field, when one is asked */
	return page_render(rq, rs, status, "review", "review_title", "account-review", d);
}

/* 410: the review is too old to confirm; the way to start again keeps what was asked. */
static int S_expired(struct http_req *rq, struct http_resp *rs, const struct wallet_review *r)
{
	struct tv *d = page_data(rq);
	struct buf b = BUF_INIT;
	S_edit_url(rq, &b, r);
	tv_set_strn(d, "again_url", b.ptr, b.len);
	buf_release(&b);
	return page_render(rq, rs, 410, "review-expired", "review_expired_title",
	                   "account-review-expired", d);
}

/* 303 to the receipt of transfer id (the review was confirmed already). */
static int S_to_receipt(struct http_req *rq, struct http_resp *rs, long long transfer_id)
{
	struct db_transfer t = {0};
	int got = db_transfer_by_id(rq->db, transfer_id, &t);
	if (got < 0)
		return handler_unavailable(rq, rs, "transfer");
	if (got == 0) {
		db_transfer_release(&t);
		return page_error(rq, rs, 404);
	}
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/account/transactions/%s?done=1", t.number);
	int status = handler_see_other(rq, rs, loc.ptr);
	buf_release(&loc);
	db_transfer_release(&t);
	return status;
}

int h_send_review(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	/* The key is a capability in the address: keep it out of Referer headers. */
	http_header(rs, "Referrer-Policy", "no-referrer");
	const char *key = http_field(rq, "key");
	struct wallet_review r;
	struct db_user to = {0};
	int status;
	enum wallet_result res = wallet_review_get(rq, key, &r, &to);
	if (res == WALLET_ERROR)
		status = handler_unavailable(rq, rs, "review");
	else if (res == WALLET_NOT_FOUND)
		status = page_error(rq, rs, 404);
	else if (r.transfer_id)
		status = S_to_receipt(rq, rs, r.transfer_id);
	else if (res == WALLET_EXPIRED)
		status = S_expired(rq, rs, &r);
	else
		status = S_review(rq, rs, 200, page_data(rq), key, &r, &to);
	db_user_release(&to);
	return status;
}

int h_send_confirm(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	http_header(rs, "Referrer-Policy", "no-referrer");
	const char *key = http_field(rq, "key");
	struct wallet_review r;
	struct db_user to = {0};
	struct card c = {0};
	struct tv *d = NULL;
	int status;
	enum wallet_result res = wallet_review_get(rq, key, &r, &to);
	if (res == WALLET_ERROR) {
		status = handler_unavailable(rq, rs, "review");
		goto out;
	}
	if (res == WALLET_NOT_FOUND) {
		status = page_error(rq, rs, 404);
		goto out;
	}
	/* A second click, a reload, a retry: the first confirmation stands. */
	if (r.transfer_id) {
		status = S_to_receipt(rq, rs, r.transfer_id);
		goto out;
	}
	if (res == WALLET_EXPIRED) {
		status = S_expired(rq, rs, &r);
		goto out;
	}
	int card = strcmp(r.method, "card") == 0;
	if (card) {
		struct card_input in = {http_field(rq, "card_number"),
		                        http_field(rq, "card_expiry"), http_field(rq, "card_cvc")};
		d = page_data(rq);
		if (handler_check_card(rq, d, &in, &c) < 0) {
			page_keep(rq, d, "card_expiry");
			status = S_review(rq, rs, 400, d, key, &r, &to);
			goto out;
		}
		tv_free(d);
	}
	/* Two-step verification: a fresh code for a large amount or a new card (twostep.h). */
	d = page_data(rq);
	int up = twostep_stepup_money(rq, d, r.amount, 1, card ? &c : NULL);
	if (up < 0) {
		tv_free(d);
		status = handler_unavailable(rq, rs, "two-step");
		goto out;
	}
	if (up == 0) {
		page_keep(rq, d, "card_expiry");
		status = S_review(rq, rs, 400, d, key, &r, &to);
		goto out;
	}
	tv_free(d);
	char number[17] = "";
	res = wallet_confirm(rq, &r, &to, card ? &c : NULL, number);
	card_wipe(&c);
	switch (res) {
	case WALLET_OK:
	case WALLET_REPLAYED: {
		struct buf loc = BUF_INIT;
		buf_addf(&loc, "/account/transactions/%s?done=1", number);
		status = handler_see_other(rq, rs, loc.ptr);
		buf_release(&loc);
		break;
	}
	case WALLET_ERROR:
		status = handler_unavailable(rq, rs, "confirm");
		break;
	case WALLET_NOT_FOUND:
		status = page_error(rq, rs, 404);
		break;
	case WALLET_EXPIRED:
		status = S_expired(rq, rs, &r);
		break;
	default:
		d = page_data(rq);
		if (card && (res == WALLET_CARD_DECLINED || res == WALLET_CARD_NO_FUNDS ||
		             res == WALLET_CARD_ERROR)) {
			page_field_error(rq, d, "card_number", wallet_result_key(res));
			page_keep(rq, d, "card_expiry");
		} else {
			tv_set_str(d, "problem",
			           i18n_get(&rq->app->theme.ui, rq->locale,
			                    wallet_result_key(res) ? wallet_result_key(res)
			                                           : "error_503_text"));
		}
		status = S_review(rq, rs, 400, d, key, &r, &to);
		break;
	}
out:
	card_wipe(&c);
	db_user_release(&to);
	return status;
}
