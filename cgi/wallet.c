/* wallet.c - the money flows: checks, ledger lines, and the mails of each movement. */
#include "wallet.h"
#include "app.h"
#include "auth.h"
#include "numbers.h"
#include "outbox.h"
#include "policy.h"
#include "utf8.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CST (8 * 3600) /* China Standard Time, the product's day boundary */

const char *wallet_result_key(enum wallet_result r)
{
	static const char *const keys[WALLET__MAX] = {
	    [WALLET_UNVERIFIED] = "wallet_err_unverified",
	    [WALLET_LOCKED] = "wallet_err_locked",
	    [WALLET_UNKNOWN_RECIPIENT] = "wallet_err_unknown_recipient",
	    [WALLET_RECIPIENT_LOCKED] = "wallet_err_recipient_locked",
	    [WALLET_SELF] = "wallet_err_self",
	    [WALLET_INSUFFICIENT] = "wallet_err_insufficient",
	    [WALLET_OVER_LIMIT] = "wallet_err_over_limit",
	    [WALLET_DAILY_LIMIT] = "wallet_err_daily_limit",
	    [WALLET_CARD_DECLINED] = "wallet_err_card_declined",
	    [WALLET_CARD_NO_FUNDS] = "wallet_err_card_no_funds",
	    [WALLET_CARD_ERROR] = "wallet_err_card_error",
	    [WALLET_NOTE_TOO_LONG] = "wallet_err_note_too_long",
	    [WALLET_EXPIRED] = "wallet_err_expired",
	    [WALLET_NOT_FOUND] = "wallet_err_not_found",
	    [WALLET_CONFLICT] = "wallet_err_conflict",
	    [WALLET_ERROR] = "wallet_err_error",
	};
	return r >= 0 && r < WALLET__MAX ? keys[r] : NULL;
}

long long wallet_day_start(long long t, int *ymd)
{
	long long local = t + CST;
	long long day = local / 86400 - (local % 86400 < 0);
	if (ymd) {
		time_t tt = (time_t)(day * 86400);
		struct tm tm;
		gmtime_r(&tt, &tm);
		*ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	}
	return day * 86400 - CST;
}

/* The wallet of user_id, created with a random unused account number when missing. */
static int S_wallet_of(struct db *db, long long user_id, long long now, struct db_account *a)
{
	int rc = db_wallet_by_user(db, user_id, a);
	/* Random serials: account numbers say nothing about how many accounts there are. */
	for (int tries = 0; rc == 0 && tries < 20; tries++) {
		char number[NUMBERS_ACCOUNT_LEN + 1];
		numbers_account(number, 100000000ULL + auth_random_below(900000000U));
		int made = db_wallet_new(db, user_id, number, now, a);
		rc = made == 0 || made == 2 ? 1 : made < 0 ? -1 : 0;
	}
	return rc == 1 ? 0 : -1;
}

int wallet_mine(struct http_req *rq, struct db_account *a)
{
	return S_wallet_of(rq->db, rq->user.id, rq->now, a);
}

int wallet_fee(const struct app *app, const char *method, long long amount, long long *fee)
{
	*fee = 0;
	if (strcmp(method, "card") != 0)
		return 0;
	return money_fee(amount, app->cfg.card_fee_bp, app->cfg.card_fee_fixed, fee);
}

static enum wallet_result S_can_pay(const struct db_user *u)
{
	if (u->locked_at)
		return WALLET_LOCKED;
	if (!u->verified_at)
		return WALLET_UNVERIFIED;
	return WALLET_OK;
}

static enum wallet_result S_post_result(enum db_post_result r)
{
	switch (r) {
	case DB_POST_OK:
		return WALLET_OK;
	case DB_POST_REPLAYED:
		return WALLET_REPLAYED;
	case DB_POST_CONFLICT:
		return WALLET_CONFLICT;
	case DB_POST_INSUFFICIENT:
		return WALLET_INSUFFICIENT;
	case DB_POST_LIMIT:
		return WALLET_DAILY_LIMIT;
	case DB_POST_INVALID:
		return WALLET_NOT_FOUND;
	default:
		return WALLET_ERROR;
	}
}

static enum wallet_result S_charge(struct http_req *rq, const struct card *c, long long total,
                                   const char *key)
{
	char auth_code[16];
	struct buf k = BUF_INIT;
	/* A retry with another card must not be taken for a replay of the first charge. */
	buf_addf(&k, "%s:%s%s:%lld", key, c->brand, c->last4, total);
	enum card_result r = rq->app->cards->charge(c, total, k.ptr, auth_code);
	buf_release(&k);
	switch (r) {
	case CARD_APPROVED:
		return WALLET_OK;
	case CARD_DECLINED:
		return WALLET_CARD_DECLINED;
	case CARD_INSUFFICIENT_FUNDS:
		return WALLET_CARD_NO_FUNDS;
	default:
		return WALLET_CARD_ERROR;
	}
}

/* What the mail hooks need: who gets which mail, with which facts. */
struct mails {
	struct http_req *rq;
	const struct db_user *to[2];
	enum outbox_money_kind kind[2];
	struct outbox_money m[2];
	int n;
};

static int S_mail_hook(struct db *db, long long transfer_id, const char *number, void *arg)
{
	(void)db;
	(void)transfer_id;
	struct mails *ms = arg;
	for (int i = 0; i < ms->n; i++) {
		ms->m[i].number = number;
		if (outbox_money(ms->rq, ms->to[i], ms->kind[i], &ms->m[i]) < 0)
			return -1;
	}
	return 0;
}

/* Keys from forms are ours (auth_token_new) but arrive from outside: a safe, bounded shape. */
static int S_key_ok(const char *key)
{
	size_t n = strlen(key);
	return n == AUTH_TOKEN_LEN && strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	                                          "wxyz0123456789-_") == n;
}

/* What adding money asks of the user, the amount and the form's one-time key. */
static enum wallet_result S_can_add(struct http_req *rq, long long amount, const char *key)
{
	enum wallet_result r = S_can_pay(&rq->user);
	if (r != WALLET_OK)
		return r;
	if (amount <= 0 || amount > rq->app->cfg.limit_transfer)
		return WALLET_OVER_LIMIT;
	return S_key_ok(key) ? WALLET_OK : WALLET_CONFLICT;
}

enum wallet_result wallet_top_up(struct http_req *rq, long long amount, const struct card *c,
                                 const char *key, char number[17])
{
	number[0] = '\0';
	enum wallet_result r = S_can_add(rq, amount, key);
	if (r != WALLET_OK)
		return r;
	struct db_account w;
	long long fee, total, card_acct, fee_acct, id;
	if (S_wallet_of(rq->db, rq->user.id, rq->now, &w) < 0 ||
	    db_account_system(rq->db, "card_clearing", &card_acct) < 0 ||
	    db_account_system(rq->db, "fee_income", &fee_acct) < 0)
		return WALLET_ERROR;
	if (wallet_fee(rq->app, "card", amount, &fee) < 0 || money_add(amount, fee, &total) < 0)
		return WALLET_OVER_LIMIT;

	struct buf idem = BUF_INIT, req = BUF_INIT, desc = BUF_INIT;
	buf_addf(&idem, "top_up:%lld:%s", rq->user.id, key);
	card_describe(&desc, c);
	buf_addf(&req, "top_up user=%lld amount=%lld fee=%lld card=%s", rq->user.id, amount, fee,
	         desc.ptr);
	r = S_charge(rq, c, total, idem.ptr);
	if (r == WALLET_OK) {
		struct db_line lines[3] = {{card_acct, -total}, {w.id, amount}, {fee_acct, fee}};
		struct mails ms = {rq, {&rq->user}, {OUTBOX_MONEY_ADDED}, {{0}}, 1};
		ms.m[0] = (struct outbox_money){.amount = amount, .fee = fee, .card = desc.ptr};
		int ymd;
		struct db_posting p = {
		    .kind = "top_up",
		    .method = "card",
		    .idempotency_key = idem.ptr,
		    .request = req.ptr,
		    .amount = amount,
		    .fee = fee,
		    .to_user = rq->user.id,
		    .card = desc.ptr,
		    .day_start = wallet_day_start(rq->now, &ymd),
		    .day = ymd,
		    .lines = lines,
		    .nlines = fee > 0 ? 3 : 2,
		    .now = rq->now,
		    .hook = S_mail_hook,
		    .hook_arg = &ms,
		};
		r = S_post_result(db_post(rq->db, &p, &id, number));
	}
	buf_release(&idem);
	buf_release(&req);
	buf_release(&desc);
	if (r == WALLET_OK)
		app_mail_wake(rq->app);
	return r;
}

enum wallet_result wallet_deposit(struct http_req *rq, long long amount, const char *key,
                                  struct db_deposit *d)
{
	enum wallet_result r = S_can_add(rq, amount, key);
	if (r != WALLET_OK)
		return r;
	struct buf idem = BUF_INIT;
	buf_addf(&idem, "deposit:%lld:%s", rq->user.id, key);
	int rc = 1;
	for (int tries = 0; rc == 1 && tries < 20; tries++) {
		char ref[10] = "D";
		auth_code_new(ref + 1, 8);
		if (db_begin(rq->db) < 0) {
			rc = -1;
			break;
		}
		rc = db_deposit_new(rq->db, rq->user.id, amount, ref, idem.ptr, rq->now, d);
		if (rc == 0) {
			struct outbox_money m = {
			    .number = "", .reference = d->reference, .amount = amount};
			if (outbox_money(rq, &rq->user, OUTBOX_DEPOSIT_ASKED, &m) < 0 ||
			    db_commit(rq->db) < 0)
				rc = -1;
		}
		if (rc != 0)
			db_rollback(rq->db);
	}
	buf_release(&idem);
	if (rc == 0)
		app_mail_wake(rq->app);
	/* A resubmitted form shows the first deposit, whatever amount was typed the second time. */
	return rc == 0 ? WALLET_OK : rc == 2 ? WALLET_REPLAYED : WALLET_ERROR;
}

enum wallet_result wallet_settle(struct http_req *rq, const char *reference, char number[17])
{
	struct db_deposit d;
	struct db_user u = {0};
	struct db_account w;
	long long bank, id;
	number[0] = '\0';
	int found = db_deposit_by_reference(rq->db, reference, &d);
	if (found <= 0)
		return found == 0 ? WALLET_NOT_FOUND : WALLET_ERROR;
	if (db_user_by_id(rq->db, d.user_id, &u) != 1 ||
	    S_wallet_of(rq->db, d.user_id, rq->now, &w) < 0 ||
	    db_account_system(rq->db, "bank_clearing", &bank) < 0) {
		db_user_release(&u);
		return WALLET_ERROR;
	}
	struct buf idem = BUF_INIT, req = BUF_INIT;
	buf_addf(&idem, "deposit:%s", d.reference);
	buf_addf(&req, "deposit user=%lld amount=%lld reference=%s", d.user_id, d.amount,
	         d.reference);
	struct db_line lines[2] = {{bank, -d.amount}, {w.id, d.amount}};
	struct mails ms = {rq, {&u}, {OUTBOX_DEPOSIT_DONE}, {{0}}, 1};
	ms.m[0] = (struct outbox_money){.amount = d.amount, .reference = d.reference};
	int ymd;
	struct db_posting p = {
	    .kind = "deposit",
	    .method = "bank",
	    .idempotency_key = idem.ptr,
	    .request = req.ptr,
	    .amount = d.amount,
	    .to_user = d.user_id,
	    .reference = d.reference,
	    .day_start = wallet_day_start(rq->now, &ymd),
	    .day = ymd,
	    .lines = lines,
	    .nlines = 2,
	    .now = rq->now,
	    .hook = S_mail_hook,
	    .hook_arg = &ms,
	};
	enum wallet_result r =
	    S_post_result(db_deposit_settle(rq->db, d.reference, &p, &id, number));
	buf_release(&idem);
	buf_release(&req);
	db_user_release(&u);
	return r;
}

/* The recipient as typed: an email address, or an account number (grouped or not). */
static enum wallet_result S_recipient(struct http_req *rq, const char *typed, struct db_user *to,
                                      struct db_account *w)
{
	struct buf email = BUF_INIT;
	char number[NUMBERS_ACCOUNT_LEN + 1];
	int found = 0;
	size_t n = strlen(typed);
	if (memchr(typed, '@', n)) {
		if (policy_email(&email, typed, n) == POLICY_EMAIL_OK)
			found = db_user_by_email(rq->db, email.ptr, to);
	} else if (numbers_account_parse(typed, n, number) == 0) {
		found = db_wallet_by_number(rq->db, number, w);
		if (found == 1)
			found = db_user_by_id(rq->db, w->user_id, to);
	}
	buf_release(&email);
	if (found < 0)
		return WALLET_ERROR;
	/* An account that has not verified its address cannot receive: it may not be theirs. */
	if (found == 0 || !to->verified_at)
		return WALLET_UNKNOWN_RECIPIENT;
	if (to->id == rq->user.id)
		return WALLET_SELF;
	if (to->locked_at)
		return WALLET_RECIPIENT_LOCKED;
	return S_wallet_of(rq->db, to->id, rq->now, w) < 0 ? WALLET_ERROR : WALLET_OK;
}

static int S_note_ok(const char *note)
{
	size_t n = strlen(note);
	if (!utf8_valid(note, n) || utf8_length(note, n) > WALLET_NOTE_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)note; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Limits and balance as they stand now; checked again inside the posting transaction. */
static enum wallet_result S_affordable(struct http_req *rq, long long amount, const char *method,
                                       const struct db_account *from)
{
	long long sent;
	if (amount > rq->app->cfg.limit_transfer)
		return WALLET_OVER_LIMIT;
	if (db_sent_on_day(rq->db, rq->user.id, wallet_day_start(rq->now, NULL), &sent) < 0)
		return WALLET_ERROR;
	if (sent > rq->app->cfg.limit_daily || amount > rq->app->cfg.limit_daily - sent)
		return WALLET_DAILY_LIMIT;
	if (strcmp(method, "balance") == 0 && from->balance < amount)
		return WALLET_INSUFFICIENT;
	return WALLET_OK;
}

/* The sealed form of a review: numbers, then the two strings of the lengths given. */
#define REVIEW_PURPOSE "review v1"
#define REVIEW_FORMAT  "%lld %lld %lld %lld %lld %lld %lld %26s %7s %zu %zu\n"

static int S_review_seal(struct http_req *rq, const struct wallet_review *r, struct buf *key)
{
	struct buf b = BUF_INIT;
	size_t rn = strlen(r->recipient), nn = strlen(r->note);
	buf_addf(&b, REVIEW_FORMAT, r->user_id, r->to_user, r->to_account, r->amount, r->fee,
	         r->created_at, r->expires_at, r->id, r->method, rn, nn);
	buf_add(&b, r->recipient, rn);
	buf_add(&b, r->note, nn);
	int rc = auth_seal(key, rq->app->key, REVIEW_PURPOSE, b.ptr, b.len);
	buf_release(&b);
	return rc;
}

/* 0 with r filled from key, -1 if key is not a review sealed by this service. */
static int S_review_open(struct http_req *rq, const char *key, struct wallet_review *r)
{
	struct buf b = BUF_INIT;
	size_t rn, nn;
	int used = 0, rc = -1;
	memset(r, 0, sizeof(*r));
	if (auth_unseal(&b, rq->app->key, REVIEW_PURPOSE, key, strlen(key)) < 0)
		goto out;
	/* Sealed by us, so well formed; the checks keep a bug elsewhere from becoming overflow. */
	if (sscanf(b.ptr, REVIEW_FORMAT "%n", &r->user_id, &r->to_user, &r->to_account, &r->amount,
	           &r->fee, &r->created_at, &r->expires_at, r->id, r->method, &rn, &nn,
	           &used) != 11 ||
	    used <= 0 || rn >= sizeof(r->recipient) || nn >= sizeof(r->note) ||
	    b.len - (size_t)used != rn + nn)
		goto out;
	memcpy(r->recipient, b.ptr + used, rn);
	memcpy(r->note, b.ptr + used + rn, nn);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

static void S_review_idem(struct buf *b, const struct wallet_review *r)
{
	buf_addf(b, "send:%s", r->id);
}

enum wallet_result wallet_review_new(struct http_req *rq, const char *recipient, long long amount,
                                     const char *note, const char *method, struct buf *key)
{
	enum wallet_result r = S_can_pay(&rq->user);
	if (r != WALLET_OK)
		return r;
	if (strcmp(method, "balance") != 0 && strcmp(method, "card") != 0)
		return WALLET_CONFLICT;
	if (!S_note_ok(note) || strlen(note) >= sizeof(((struct wallet_review *)0)->note))
		return WALLET_NOTE_TOO_LONG;
	if (strlen(recipient) >= sizeof(((struct wallet_review *)0)->recipient))
		return WALLET_UNKNOWN_RECIPIENT;
	struct db_user to = {0};
	struct db_account w, mine;
	r = S_recipient(rq, recipient, &to, &w);
	if (r == WALLET_OK && S_wallet_of(rq->db, rq->user.id, rq->now, &mine) < 0)
		r = WALLET_ERROR;
	if (r == WALLET_OK)
		r = S_affordable(rq, amount, method, &mine);
	struct wallet_review rv = {
	    .user_id = rq->user.id,
	    .to_user = to.id,
	    .to_account = w.id,
	    .amount = amount,
	    .created_at = rq->now,
	    .expires_at = rq->now + rq->app->cfg.review_ttl,
	};
	if (r == WALLET_OK && wallet_fee(rq->app, method, amount, &rv.fee) < 0)
		r = WALLET_OVER_LIMIT;
	if (r == WALLET_OK) {
		auth_code_new(rv.id, WALLET_REVIEW_ID_LEN);
		snprintf(rv.method, sizeof(rv.method), "%s", method);
		snprintf(rv.recipient, sizeof(rv.recipient), "%s", recipient);
		snprintf(rv.note, sizeof(rv.note), "%s", note);
		if (S_review_seal(rq, &rv, key) < 0)
			r = WALLET_ERROR;
	}
	db_user_release(&to);
	return r;
}

enum wallet_result wallet_review_get(struct http_req *rq, const char *key, struct wallet_review *r,
                                     struct db_user *to)
{
	memset(to, 0, sizeof(*to));
	if (S_review_open(rq, key, r) < 0 || r->user_id != rq->user.id)
		return WALLET_NOT_FOUND;
	struct buf idem = BUF_INIT;
	struct db_transfer t = {0};
	S_review_idem(&idem, r);
	int done = db_transfer_by_key(rq->db, idem.ptr, &t);
	buf_release(&idem);
	if (done == 1)
		r->transfer_id = t.id;
	db_transfer_release(&t);
	if (done < 0 || db_user_by_id(rq->db, r->to_user, to) != 1)
		return WALLET_ERROR;
	return !r->transfer_id && rq->now > r->expires_at ? WALLET_EXPIRED : WALLET_OK;
}

enum wallet_result wallet_confirm(struct http_req *rq, const struct wallet_review *review,
                                  const struct db_user *recipient, const struct card *c,
                                  char number[17])
{
	const struct wallet_review rv = *review;
	const struct db_user to = *recipient;
	struct db_account from;
	struct db_transfer t;
	number[0] = '\0';
	if (rv.transfer_id) {
		/* Confirmed before: the same answer, whatever happened since. */
		enum wallet_result r = db_transfer_by_id(rq->db, rv.transfer_id, &t) == 1
		                           ? WALLET_REPLAYED
		                           : WALLET_ERROR;
		if (r == WALLET_REPLAYED)
			memcpy(number, t.number, 17);
		db_transfer_release(&t);
		return r;
	}
	enum wallet_result r = rq->now > rv.expires_at ? WALLET_EXPIRED : WALLET_OK;
	int card = strcmp(rv.method, "card") == 0;
	if (r == WALLET_OK)
		r = S_can_pay(&rq->user);
	if (r == WALLET_OK)
		r = !to.verified_at ? WALLET_UNKNOWN_RECIPIENT
		    : to.locked_at  ? WALLET_RECIPIENT_LOCKED
		                    : WALLET_OK;
	if (r == WALLET_OK && card && !c)
		r = WALLET_CARD_ERROR;
	if (r == WALLET_OK && S_wallet_of(rq->db, rq->user.id, rq->now, &from) < 0)
		r = WALLET_ERROR;
	if (r == WALLET_OK)
		r = S_affordable(rq, rv.amount, rv.method, &from);
	if (r != WALLET_OK)
		goto out;

	long long card_acct, fee_acct, total, id;
	if (db_account_system(rq->db, "card_clearing", &card_acct) < 0 ||
	    db_account_system(rq->db, "fee_income", &fee_acct) < 0 ||
	    money_add(rv.amount, rv.fee, &total) < 0) {
		r = WALLET_ERROR;
		goto out;
	}
	struct buf idem = BUF_INIT, req = BUF_INIT, desc = BUF_INIT, me = BUF_INIT, them = BUF_INIT;
	S_review_idem(&idem, &rv);
	buf_addf(&req, "send from=%lld to=%lld amount=%lld fee=%lld method=%s", rq->user.id, to.id,
	         rv.amount, rv.fee, rv.method);
	if (card) {
		card_describe(&desc, c);
		r = S_charge(rq, c, total, idem.ptr);
	}
	wallet_mask_name(&me, rq->user.name);
	wallet_mask_name(&them, to.name);
	/*
	 * A card-funded send passes through the sender's wallet (in, then out) so that their
	 * statement shows both the card payment and the send, and still sums to their balance.
	 */
	struct db_line lines[5];
	size_t n = 0;
	if (card) {
		lines[n++] = (struct db_line){card_acct, -total};
		if (rv.fee > 0)
			lines[n++] = (struct db_line){fee_acct, rv.fee};
		lines[n++] = (struct db_line){from.id, rv.amount};
	}
	lines[n++] = (struct db_line){from.id, -rv.amount};
	lines[n++] = (struct db_line){rv.to_account, rv.amount};
	struct mails ms = {
	    rq, {&rq->user, &to}, {OUTBOX_MONEY_SENT, OUTBOX_MONEY_RECEIVED}, {{0}, {0}}, 2};
	ms.m[0] = (struct outbox_money){.amount = rv.amount,
	                                .fee = rv.fee,
	                                .other = them.ptr,
	                                .card = card ? desc.ptr : NULL,
	                                .note = rv.note};
	ms.m[1] = (struct outbox_money){.amount = rv.amount, .other = me.ptr, .note = rv.note};
	int ymd;
	struct db_posting p = {
	    .kind = "send",
	    .method = rv.method,
	    .idempotency_key = idem.ptr,
	    .request = req.ptr,
	    .amount = rv.amount,
	    .fee = rv.fee,
	    .from_user = rq->user.id,
	    .to_user = to.id,
	    .note = rv.note,
	    .card = card ? desc.ptr : NULL,
	    .daily_limit = rq->app->cfg.limit_daily,
	    .day_start = wallet_day_start(rq->now, &ymd),
	    .day = ymd,
	    .lines = lines,
	    .nlines = n,
	    .now = rq->now,
	    .hook = S_mail_hook,
	    .hook_arg = &ms,
	};
	if (r == WALLET_OK)
		r = S_post_result(db_post(rq->db, &p, &id, number));
	if (r == WALLET_OK)
		app_mail_wake(rq->app);
	buf_release(&idem);
	buf_release(&req);
	buf_release(&desc);
	buf_release(&me);
	buf_release(&them);
out:
	return r;
}

void wallet_mask_name(struct buf *out, const char *name)
{
	size_t n = strlen(name), adv, i = 0;
	const char *sp = memchr(name, ' ', n);
	if (sp && sp > name && sp + 1 < name + n) {
		/* "Li Wei" -> "Li W***": the given name whole, one letter of the rest. */
		size_t head = (size_t)(sp - name) + 1;
		buf_add(out, name, head);
		if (utf8_decode(name + head, n - head, &adv) < 0)
			adv = 1;
		buf_add(out, name + head, adv);
		buf_adds(out, "***");
		return;
	}
	if (n == 0)
		return;
	if (utf8_decode(name, n, &adv) < 0)
		adv = 1;
	buf_add(out, name, adv);
	int hidden = 0;
	for (i = adv; i < n && hidden < 3; i += adv, hidden++)
		if (utf8_decode(name + i, n - i, &adv) < 0)
			adv = 1;
	for (int k = 0; k < hidden; k++)
		buf_addc(out, '*');
}
