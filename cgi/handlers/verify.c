/* verify.c - email verification: a GET shows a Confirm button, only the POST uses the token. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "policy.h"
#include "session.h"
#include "token.h"
#include "tv.h"

#include <string.h>

#define VERIFY_TTL        (24 * 3600)
#define RESEND_BURST      5.0          /* per client address */
#define RESEND_RATE       (5.0 / 3600) /* tokens per second: 5 an hour */
#define RESEND_ADDR_BURST 3.0          /* per account email */
#define RESEND_ADDR_RATE  (3.0 / 3600)

static enum token_state S_check(struct http_req *rq, const char *token, unsigned char hash[32],
                                long long *user_id)
{
	struct db_token t = {0};
	enum token_state st = token_check(rq->db, "verify", token, 0, rq->now, hash, &t);
	*user_id = t.user_id;
	db_token_release(&t);
	return st;
}

/* The page for a link that cannot be used, with a way to ask for a new one. */
static int S_invalid(struct http_req *rq, struct http_resp *rs, enum token_state st)
{
	static const char *msg[] = {"", "verify_invalid_text", "verify_expired_text",
	                            "verify_used_text"};
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	tv_set_str(d, "reason", i18n_get(&rq->app->theme.ui, rq->locale, msg[st]));
	return page_render(rq, rs, st == TOKEN_FORGED ? 400 : 410, "verify-invalid",
	                   "verify_invalid_title", "account-verify-invalid", d);
}

int h_verify_page(struct http_req *rq, struct http_resp *rs)
{
	unsigned char hash[32];
	long long uid;
	const char *token = http_field(rq, "token");
	/* The token is in the address: keep it out of Referer headers. */
	http_header(rs, "Referrer-Policy", "no-referrer");
	enum token_state st = S_check(rq, token, hash, &uid);
	if (st == TOKEN_ERROR)
		return handler_unavailable(rq, rs, "token lookup");
	if (st != TOKEN_OK)
		return S_invalid(rq, rs, st);
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	tv_set_str(d, "token", token);
	return page_render(rq, rs, 200, "verify", "verify_title", "account-verify", d);
}

int h_verify(struct http_req *rq, struct http_resp *rs)
{
	unsigned char hash[32];
	long long uid;
	http_header(rs, "Referrer-Policy", "no-referrer");
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	enum token_state st = S_check(rq, http_field(rq, "token"), hash, &uid);
	if (st == TOKEN_ERROR)
		return handler_unavailable(rq, rs, "token lookup");
	if (st != TOKEN_OK) {
		db_rollback(rq->db);
		return S_invalid(rq, rs, st);
	}
	if (db_token_use(rq->db, hash, rq->now) != 1 ||
	    db_user_set_verified(rq->db, uid, rq->now) < 0 ||
	    db_event_add(rq->db, uid, "email_verified", rq->remote_addr, rq->user_agent, rq->now) <
	        0)
		return handler_unavailable(rq, rs, "verify");
	if (db_commit(rq->db) < 0)
		return handler_unavailable(rq, rs, "commit");
	return handler_see_other(rq, rs, "/account/verify/done");
}

int h_verify_done(struct http_req *rq, struct http_resp *rs)
{
	return page_render(rq, rs, 200, "verify-done", "verify_done_title", "account-verify-done",
	                   page_data(rq));
}

int h_resend_form(struct http_req *rq, struct http_resp *rs)
{
	session_ensure_pre(rq, rs);
	return page_render(rq, rs, 200, "resend", "resend_title", "account-resend", page_data(rq));
}

int h_resend_sent(struct http_req *rq, struct http_resp *rs)
{
	return page_render(rq, rs, 200, "resend-sent", "resend_sent_title", "account-resend-sent",
	                   page_data(rq));
}

static int S_rate(struct http_req *rq, const char *prefix, const char *who, double burst,
                  double rate, long *retry)
{
	struct buf key = BUF_INIT;
	buf_addf(&key, "%s:%s", prefix, who);
	int rc = db_rate_take(rq->db, key.ptr, burst, rate, rq->now * 1000LL, retry);
	buf_release(&key);
	return rc;
}

/* A new link for u, replacing older ones. */
static int S_send(struct http_req *rq, const struct db_user *u)
{
	char token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(token, hash);
	if (db_begin(rq->db) < 0)
		return -1;
	if (db_token_replace(rq->db, u->id, "verify", hash, NULL, NULL, rq->now,
	                     rq->now + VERIFY_TTL) < 0 ||
	    outbox_verify(rq, u, token) < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return -1;
	}
	app_mail_wake(rq->app);
	return 0;
}

int h_resend(struct http_req *rq, struct http_resp *rs)
{
	long retry = 0;
	int rc = S_rate(rq, "resend-ip", rq->remote_addr, RESEND_BURST, RESEND_RATE, &retry);
	if (rc < 0)
		return handler_unavailable(rq, rs, "rate limit");
	if (rc == 0)
		return handler_too_many(rq, rs, retry);

	if (rq->has_session) {
		if (rq->user.verified_at == 0 && S_send(rq, &rq->user) < 0)
			return handler_unavailable(rq, rs, "resend");
		return handler_see_other(rq, rs, "/account/?resent=1");
	}

	/* Anonymous: the answer is the same whether or not the address has an account. */
	struct buf email = BUF_INIT;
	const char *e = http_field(rq, "email");
	if (policy_email(&email, e, strlen(e)) != POLICY_EMAIL_OK) {
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "email", "err_email_invalid");
		page_keep(rq, d, "email");
		buf_release(&email);
		return page_render(rq, rs, 400, "resend", "resend_title", "account-resend", d);
	}
	struct db_user u = {0};
	int status = 0;
	/* Accounts are found case-insensitively; so is the limit that protects them. */
	for (char *c = email.ptr; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	rc = S_rate(rq, "resend-addr", email.ptr, RESEND_ADDR_BURST, RESEND_ADDR_RATE, &retry);
	if (rc < 0)
		status = handler_unavailable(rq, rs, "rate limit");
	else if (rc == 1 && db_user_by_email(rq->db, email.ptr, &u) == 1 && u.verified_at == 0 &&
	         S_send(rq, &u) < 0)
		status = handler_unavailable(rq, rs, "resend");
	if (!status)
		status = handler_see_other(rq, rs, "/account/verify/sent");
	db_user_release(&u);
	buf_release(&email);
	return status;
}
