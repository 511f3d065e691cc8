/* money.c - pieces the money pages share: amounts, the fee rule, card fields. */
#include "app.h"
#include "card.h"
#include "handlers.h"
#include "money.h"
#include "page.h"
#include "tv.h"

#include <limits.h>
#include <string.h>

/* "2.9% + ¥0.30": the card fee rule as configured, for the form's hint. */
void handler_fee_rule(struct http_req *rq, struct buf *b)
{
	const struct config *cfg = &rq->app->cfg;
	int bp = cfg->card_fee_bp;
	buf_addf(b, "%d", bp / 100);
	if (bp % 100)
		buf_addf(b, bp % 10 ? ".%02d" : ".%d", bp % 10 ? bp % 100 : bp % 100 / 10);
	buf_adds(b, "%");
	if (cfg->card_fee_fixed > 0) {
		buf_adds(b, " + ");
		money_format(b, cfg->card_fee_fixed, &cfg->currency, rq->locale);
	}
}

void handler_set_money(struct http_req *rq, struct tv *d, const char *key, long long minor)
{
	struct buf b = BUF_INIT;
	money_format(&b, minor, &rq->app->cfg.currency, rq->locale);
	tv_set_strn(d, key, b.ptr, b.len);
	buf_release(&b);
}

/*
 * Each card field in form order: empty ones get their own message, the rest the first mistake
 * card_validate finds (it stops there). 0 if the card is good, with c filled.
 */
int handler_check_card(struct http_req *rq, struct tv *d, const struct card_input *in,
                       struct card *c)
{
	static const char *invalid[CARD__MAX] = {
	    [CARD_NUMBER_INVALID] = "addmoney_err_card_number",
	    [CARD_EXPIRY_INVALID] = "addmoney_err_card_expiry",
	    [CARD_EXPIRED] = "addmoney_err_card_expired",
	    [CARD_CVC_INVALID] = "addmoney_err_card_cvc",
	};
	enum card_error e = card_validate(in, rq->now, c);
	const char *err;
	err = !*in->number               ? "addmoney_err_card_number_empty"
	      : e == CARD_NUMBER_INVALID ? invalid[e]
	                                 : NULL;
	if (err)
		page_field_error(rq, d, "card_number", err);
	err = !*in->expiry                                    ? "addmoney_err_card_expiry_empty"
	      : e == CARD_EXPIRY_INVALID || e == CARD_EXPIRED ? invalid[e]
	                                                      : NULL;
	if (err)
		page_field_error(rq, d, "card_expiry", err);
	err = !*in->cvc ? "addmoney_err_card_cvc_empty" : e == CARD_CVC_INVALID ? invalid[e] : NULL;
	if (err)
		page_field_error(rq, d, "card_cvc", err);
	return e == CARD_OK ? 0 : -1;
}

int handler_amount(struct http_req *rq, struct tv *d, const char *typed, long long *minor)
{
	const struct config *cfg = &rq->app->cfg;
	enum money_error me = money_parse(typed, strlen(typed), &cfg->currency, LLONG_MAX, minor);
	if (me != MONEY_OK)
		page_field_error(rq, d, "amount", money_error_key(me));
	else if (*minor > cfg->limit_transfer)
		page_field_error(rq, d, "amount", "wallet_err_over_limit");
	else
		return 0;
	return -1;
}
