/* email.c - changing the email address: asked with the password, done by a link to the new one. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "policy.h"
#include "session.h"
#include "throttle.h"
#include "token.h"
#include "tv.h"
#include "twostep.h"

#include <stdio.h>
#include <strings.h>
#include <string.h>

#define EMAIL_TTL (24 * 3600)     /* the link to the new address */
#define UNDO_TTL  (7 * 24 * 3600) /* the undo link to the old address */

/* The token of a mailed link (purpose "email" or "undo") as received; t is released by caller. */
static enum token_state S_check(struct http_req *rq, const char *purpose, unsigned char hash[32],
                                struct db_token *t)
{
	enum token_state st =
	    token_check(rq->db, purpose, http_field(rq, "token"), 0, rq->now, hash, t);
	/* Links of an email change always carry the address they are about. */
	return st != TOKEN_ERROR && st != TOKEN_FORGED && !t->data ? TOKEN_FORGED : st;
}

/* A link that cannot be used: why, and the way back to the account. */
static int S_invalid(struct http_req *rq, struct http_resp *rs, enum token_state st,
                     const char *title_key)
{
	static const char *msg[] = {"", "email_link_invalid_text", "email_link_expired_text",
	                            "email_link_used_text"};
	struct tv *d = page_data(rq);
	tv_set_str(d, "title", i18n_get(&rq->app->theme.ui, rq->locale, title_key));
	tv_set_str(d, "reason", i18n_get(&rq->app->theme.ui, rq->locale, msg[st]));
	return page_render(rq, rs, st == TOKEN_FORGED ? 400 : 410, "email-invalid", title_key,
	                   "account-email-invalid", d);
}

/* The address is someone else's by now: nothing was changed. */
static int S_taken(struct http_req *rq, struct http_resp *rs, const char *title_key)
{
	struct tv *d = page_data(rq);
	tv_set_str(d, "title", i18n_get(&rq->app->theme.ui, rq->locale, title_key));
	tv_set_str(d, "reason", i18n_get(&rq->app->theme.ui, rq->locale, "email_taken_text"));
	return page_render(rq, rs, 409, "email-invalid", title_key, "account-email-invalid", d);
}

static int S_form(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	twostep_form(rq, d); /* the code field; without it the check below asks for nothing */
	return page_render(rq, rs, status, "email", "email_change_title", "account-email", d);
}

int h_email_form(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	if (*http_field(rq, "sent"))
		tv_set_bool(d, "sent", 1);
	return S_form(rq, rs, 200, d);
}

int h_email(struct http_req *rq, struct http_resp *rs)
{
	static const char *email_err[POLICY_EMAIL__MAX] = {
	    [POLICY_EMAIL_EMPTY] = "err_email_empty",
	    [POLICY_EMAIL_TOO_LONG] = "err_email_too_long",
	    [POLICY_EMAIL_INVALID] = "err_email_invalid",
	};
	if (handler_need_session(rq, rs))
		return 303;
	struct buf email = BUF_INIT;
	struct db_user other = {0};
	const char *e = http_field(rq, "email"), *pw = http_field(rq, "password");
	int status;

	enum policy_email pe = policy_email(&email, e, strlen(e));
	const char *err = pe != POLICY_EMAIL_OK                        ? email_err[pe]
	                  : strcasecmp(email.ptr, rq->user.email) == 0 ? "err_email_same"
	                                                               : NULL;
	if (err) {
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "email", err);
		page_keep(rq, d, "email");
		status = S_form(rq, rs, 400, d);
		goto out;
	}
	/* A wrong password here counts as a failed login, waits included. */
	long wait = throttle_login_wait(rq, rq->user.email);
	if (wait < 0) {
		status = handler_unavailable(rq, rs, "throttle");
		goto out;
	}
	if (wait > 0) {
		char v[32];
		snprintf(v, sizeof(v), "%ld", wait);
		http_header(rs, "Retry-After", v);
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "password", "err_login_wait");
		page_keep(rq, d, "email");
		status = S_form(rq, rs, 429, d);
		goto out;
	}
	enum auth_result ok =
	    *pw ? auth_password_verify(rq->user.password_hash, pw, strlen(pw)) : AUTH_MISMATCH;
	if (ok == AUTH_ERROR) {
		status = handler_unavailable(rq, rs, "password verify");
		goto out;
	}
	if (ok != AUTH_OK) {
		/* Records the login_failed event, and starts the waits after a few in a row. */
		if (*pw && throttle_login_failed(rq, rq->user.email, &rq->user) < 0) {
			status = handler_unavailable(rq, rs, "throttle");
			goto out;
		}
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "password",
		                 *pw ? "err_email_password_wrong" : "err_email_password_empty");
		page_keep(rq, d, "email");
		status = S_form(rq, rs, 400, d);
		goto out;
	}
	/* Two-step verification: a fresh code too, before the failures are forgotten. */
	struct tv *d = page_data(rq);
	int up = twostep_stepup(rq, d, "code", 1, "err_code_needed_email");
	if (up <= 0) {
		if (up < 0) {
			tv_free(d);
			status = handler_unavailable(rq, rs, "two-step");
			goto out;
		}
		page_keep(rq, d, "email");
		status = S_form(rq, rs, 400, d);
		goto out;
	}
	tv_free(d);
	throttle_login_ok(rq, rq->user.email);

	int taken = db_user_by_email(rq->db, email.ptr, &other);
	if (taken < 0) {
		status = handler_unavailable(rq, rs, "user lookup");
		goto out;
	}
	/*
	 * An address with an account gets the same answer and nothing is sent anywhere, so this
	 * form does not tell which addresses have accounts.
	 */
	if (taken == 0) {
		char token[AUTH_TOKEN_LEN + 1];
		unsigned char hash[32];
		auth_token_new(token, hash);
		if (db_begin(rq->db) < 0 ||
		    db_token_replace(rq->db, rq->user.id, "email", hash, NULL, email.ptr, rq->now,
		                     rq->now + EMAIL_TTL) < 0 ||
		    outbox_email_confirm(rq, &rq->user, email.ptr, token) < 0 ||
		    outbox_email_requested(rq, &rq->user, email.ptr) < 0 || db_commit(rq->db) < 0) {
			status = handler_unavailable(rq, rs, "email change");
			goto out;
		}
		app_mail_wake(rq->app);
	}
	status = handler_see_other(rq, rs, "/account/email?sent=1");
out:
	db_user_release(&other);
	buf_release(&email);
	return status;
}

int h_email_confirm_page(struct http_req *rq, struct http_resp *rs)
{
	/* The token is in the address: keep it out of Referer headers. */
	http_header(rs, "Referrer-Policy", "no-referrer");
	if (*http_field(rq, "done"))
		return page_render(rq, rs, 200, "email-done", "email_done_title",
		                   "account-email-done", page_data(rq));
	unsigned char hash[32];
	struct db_token t = {0};
	enum token_state st = S_check(rq, "email", hash, &t);
	int status;
	if (st == TOKEN_ERROR)
		status = handler_unavailable(rq, rs, "token lookup");
	else if (st != TOKEN_OK)
		status = S_invalid(rq, rs, st, "email_confirm_invalid_title");
	else {
		session_ensure_pre(rq, rs);
		struct tv *d = page_data(rq);
		tv_set_str(d, "token", http_field(rq, "token"));
		tv_set_str(d, "email", t.data);
		status = page_render(rq, rs, 200, "email-confirm", "email_confirm_title",
		                     "account-email-confirm", d);
	}
	db_token_release(&t);
	return status;
}

int h_email_confirm(struct http_req *rq, struct http_resp *rs)
{
	unsigned char hash[32], undo_hash[32];
	char undo[AUTH_TOKEN_LEN + 1];
	struct db_token t = {0};
	struct db_user u = {0};
	int status;
	http_header(rs, "Referrer-Policy", "no-referrer");
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	enum token_state st = S_check(rq, "email", hash, &t);
	if (st == TOKEN_ERROR) {
		status = handler_unavailable(rq, rs, "token lookup");
		goto out;
	}
	if (st != TOKEN_OK) {
		db_rollback(rq->db);
		status = S_invalid(rq, rs, st, "email_confirm_invalid_title");
		goto out;
	}
	/* u keeps the old address: the undo link and the notice go there. */
	if (db_token_use(rq->db, hash, rq->now) != 1 || db_user_by_id(rq->db, t.user_id, &u) != 1) {
		status = handler_unavailable(rq, rs, "email confirm");
		goto out;
	}
	int rc = db_user_set_email(rq->db, u.id, t.data);
	if (rc == 1) {
		db_rollback(rq->db);
		status = S_taken(rq, rs, "email_confirm_invalid_title");
		goto out;
	}
	auth_token_new(undo, undo_hash);
	/* Following the link proved the new address, so it counts as verified. */
	if (rc < 0 || db_user_set_verified(rq->db, u.id, rq->now) < 0 ||
	    db_event_add(rq->db, u.id, "email_changed", rq->remote_addr, rq->user_agent, rq->now) <
	        0 ||
	    db_token_replace(rq->db, u.id, "undo", undo_hash, NULL, u.email, rq->now,
	                     rq->now + UNDO_TTL) < 0 ||
	    outbox_email_changed(rq, &u, t.data, undo) < 0 || db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "email confirm");
		goto out;
	}
	app_mail_wake(rq->app);
	status = handler_see_other(rq, rs, "/account/email/confirm?done=1");
out:
	db_user_release(&u);
	db_token_release(&t);
	return status;
}

int h_email_undo_page(struct http_req *rq, struct http_resp *rs)
{
	http_header(rs, "Referrer-Policy", "no-referrer");
	if (*http_field(rq, "done")) {
		struct tv *d = page_data(rq);
		tv_set_bool(d, "done", 1);
		return page_render(rq, rs, 200, "email-undo", "email_undo_title",
		                   "account-email-undo", d);
	}
	unsigned char hash[32];
	struct db_token t = {0};
	enum token_state st = S_check(rq, "undo", hash, &t);
	int status;
	if (st == TOKEN_ERROR)
		status = handler_unavailable(rq, rs, "token lookup");
	else if (st != TOKEN_OK)
		status = S_invalid(rq, rs, st, "email_undo_invalid_title");
	else {
		session_ensure_pre(rq, rs);
		struct tv *d = page_data(rq);
		tv_set_str(d, "token", http_field(rq, "token"));
		tv_set_str(d, "email", t.data);
		status = page_render(rq, rs, 200, "email-undo", "email_undo_title",
		                     "account-email-undo", d);
	}
	db_token_release(&t);
	return status;
}

int h_email_undo(struct http_req *rq, struct http_resp *rs)
{
	unsigned char hash[32];
	struct db_token t = {0};
	int status;
	http_header(rs, "Referrer-Policy", "no-referrer");
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	enum token_state st = S_check(rq, "undo", hash, &t);
	if (st == TOKEN_ERROR) {
		status = handler_unavailable(rq, rs, "token lookup");
		goto out;
	}
	if (st != TOKEN_OK) {
		db_rollback(rq->db);
		status = S_invalid(rq, rs, st, "email_undo_invalid_title");
		goto out;
	}
	if (db_token_use(rq->db, hash, rq->now) != 1) {
		status = handler_unavailable(rq, rs, "token use");
		goto out;
	}
	int rc = db_user_set_email(rq->db, t.user_id, t.data);
	if (rc == 1) {
		db_rollback(rq->db);
		status = S_taken(rq, rs, "email_undo_invalid_title");
		goto out;
	}
	/*
	 * Whoever changed the address knew the password: every session ends, pending changes are
	 * cancelled, and the owner is sent on to choose a new password.
	 */
	if (rc < 0 || db_session_end_others(rq->db, t.user_id, 0, rq->now) < 0 ||
	    db_token_revoke(rq->db, t.user_id, "email") < 0 ||
	    db_event_add(rq->db, t.user_id, "email_changed", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "email undo");
		goto out;
	}
	if (rq->has_session && rq->session.user_id == t.user_id)
		session_end(rq, rs);
	status = handler_see_other(rq, rs, "/account/email/undo?done=1");
out:
	db_token_release(&t);
	return status;
}
