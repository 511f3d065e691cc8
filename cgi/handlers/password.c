/* password.c - forgotten password (a mailed link or code), reset, and change when signed in. */
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

#include <string.h>

#define RESET_TTL         (30 * 60)    /* seconds a reset link and its code work */
#define CODE_LEN          8            /* characters of the code: 40 bits */
#define CODE_TRIES        5            /* wrong codes that make the request void */
#define FORGOT_BURST      5.0          /* requests per client address ... */
#define FORGOT_RATE       (5.0 / 3600) /* ... refilled at 5 an hour */
#define FORGOT_ADDR_BURST 3.0          /* mails per account ... */
#define FORGOT_ADDR_RATE  (3.0 / 3600) /* ... refilled at 3 an hour */
#define EMAIL_ECHO_MAX    512          /* longest typed address carried to the next page */

/* --- small pieces -------------------------------------------------------------------------- */

/* The form's target, "/<lang><rest>", as "action" in d. */
static void S_action(struct http_req *rq, struct tv *d, const char *rest)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s%s", locale_info[rq->locale].code, rest);
	tv_set_strn(d, "action", b.ptr, b.len);
	buf_release(&b);
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

/* The new password, typed twice: errors go into d. Returns 1 if it may be used. */
static int S_new_password(struct http_req *rq, struct tv *d, const char *email, const char *name)
{
	static const char *msg[] = {NULL,
	                            "err_password_too_short",
	                            "err_password_too_long",
	                            "err_password_same_as_email",
	                            "err_password_same_as_name",
	                            "err_password_guessable"};
	const char *pw = http_field(rq, "password"), *pw2 = http_field(rq, "password2");
	int ok = 1;
	enum policy_password pp = policy_password(pw, strlen(pw), email, name);
	if (!*pw) {
		page_field_error(rq, d, "password", "err_password_empty");
		ok = 0;
	} else if (pp != POLICY_PW_OK) {
		page_field_error(rq, d, "password", msg[pp]);
		ok = 0;
	}
	if (strcmp(pw, pw2) != 0) {
		page_field_error(rq, d, "password2", "err_password_mismatch");
		ok = 0;
	}
	return ok;
}

/*
 * The change itself, inside the caller's transaction: the new hash, every session but keep
 * ended (0 ends all), the activity entry and the notice to the owner.
 */
static int S_set_password(struct http_req *rq, const struct db_user *u, const char *hash,
                          long long keep, const char *event)
{
	if (db_user_set_password(rq->db, u->id, hash) < 0 ||
	    db_session_end_others(rq->db, u->id, keep, rq->now) < 0 ||
	    db_event_add(rq->db, u->id, event, rq->remote_addr, rq->user_agent, rq->now) < 0 ||
	    outbox_password_changed(rq, u, rq->now) < 0)
		return -1;
	return 0;
}

/* --- asking for a reset -------------------------------------------------------------------- */

static int S_forgot_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	S_action(rq, d, "/account/password/forgot");
	return page_render(rq, rs, status, "forgot", "forgot_title", "account-forgot", d);
}

int h_forgot_form(struct http_req *rq, struct http_resp *rs)
{
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	page_keep(rq, d, "email");
	return S_forgot_page(rq, rs, 200, d);
}

int h_forgot(struct http_req *rq, struct http_resp *rs)
{
	struct buf email = BUF_INIT, loc = BUF_INIT;
	struct db_user u = {0};
	char token[AUTH_TOKEN_LEN + 1], code[CODE_LEN + 1];
	unsigned char token_hash[32], code_hash[32];
	long retry = 0;
	int status;

	int rc = S_rate(rq, "forgot-ip", rq->remote_addr, FORGOT_BURST, FORGOT_RATE, &retry);
	if (rc < 0)
		return handler_unavailable(rq, rs, "rate limit");
	if (rc == 0)
		return handler_too_many(rq, rs, retry);

	const char *e = http_field(rq, "email");
	enum policy_email pe = policy_email(&email, e, strlen(e));
	if (pe == POLICY_EMAIL_EMPTY) {
		/* An empty field says nothing about accounts: ask for the address. */
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "email", "err_email_empty");
		status = S_forgot_page(rq, rs, 400, d);
		goto out;
	}
	/*
	 * From here every address, with an account or not, even malformed, takes the same steps:
	 * a token and a code are made and hashed, one transaction takes a rate-limit token and
	 * looks the address up. Only an existing account's transaction also stores the token and
	 * queues the mail, and the answer is the same redirect.
	 */
	auth_token_new(token, token_hash);
	auth_code_new(code, CODE_LEN);
	if (auth_code_hash(code, CODE_LEN, code_hash) < 0) {
		status = handler_unavailable(rq, rs, "code hash");
		goto out;
	}
	/* Accounts are found case-insensitively; so is the limit that protects them. */
	for (char *c = email.ptr; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	int mail = S_rate(rq, "forgot-addr", pe == POLICY_EMAIL_OK ? email.ptr : "-",
	                  FORGOT_ADDR_BURST, FORGOT_ADDR_RATE, &retry);
	int found = pe == POLICY_EMAIL_OK ? db_user_by_email(rq->db, email.ptr, &u) : 0;
	if (mail < 0 || found < 0) {
		status = handler_unavailable(rq, rs, "forgot lookup");
		goto out;
	}
	/* Over the account's limit the answer stays the same; only no new mail goes out. */
	int send = found == 1 && mail == 1;
	if (send && (db_token_replace(rq->db, u.id, "reset", token_hash, code_hash, NULL, rq->now,
	                              rq->now + RESET_TTL) < 0 ||
	             db_event_add(rq->db, u.id, "reset_requested", rq->remote_addr, rq->user_agent,
	                          rq->now) < 0 ||
	             outbox_reset(rq, &u, token, code) < 0)) {
		status = handler_unavailable(rq, rs, "forgot");
		goto out;
	}
	if (db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "commit");
		goto out;
	}
	if (send)
		app_mail_wake(rq->app);
	/* The address as typed goes along, so the page for typing the code can fill it in. */
	buf_adds(&loc, "/account/password/sent");
	if (strlen(e) <= EMAIL_ECHO_MAX) {
		buf_adds(&loc, "?email=");
		http_query_value(&loc, e, strlen(e));
	}
	status = handler_see_other(rq, rs, loc.ptr);
out:
	db_user_release(&u);
	buf_release(&email);
	buf_release(&loc);
	return status;
}

/* --- the code, typed on the page after the request ----------------------------------------- */

static int S_sent_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	page_keep(rq, d, "email");
	S_action(rq, d, "/account/password/sent");
	return page_render(rq, rs, status, "forgot-sent", "forgot_sent_title",
	                   "account-forgot-sent", d);
}

int h_forgot_sent(struct http_req *rq, struct http_resp *rs)
{
	session_ensure_pre(rq, rs);
	return S_sent_page(rq, rs, 200, page_data(rq));
}

/*
 * Does code match the live reset request of the account at email (NULL: none)? Returns 1 with
 * u and t filled in, 0 if not, -1 on a database error. With count, a wrong code counts
 * against the request, and the last allowed wrong code voids it, link and code alike. Run
 * it inside a transaction, so parallel guesses cannot all read the same count.
 */
static int S_code_matches(struct http_req *rq, const char *email, const char *code,
                          struct db_user *u, struct db_token *t, int count)
{
	unsigned char typed[32];
	int well_formed = auth_code_hash(code, strlen(code), typed) == 0;
	if (!email)
		return 0;
	int rc = db_user_by_email(rq->db, email, u);
	if (rc <= 0)
		return rc;
	rc = db_token_latest(rq->db, u->id, "reset", t);
	if (rc <= 0)
		return rc;
	if (t->used_at != 0 || !t->has_code || t->tries >= CODE_TRIES || t->expires_at < rq->now)
		return 0;
	if (well_formed && auth_equal(typed, t->code_hash, 32))
		return 1;
	if (!count)
		return 0;
	if (db_token_try(rq->db, t->id) < 0)
		return -1;
	if (t->tries + 1 >= CODE_TRIES && db_token_revoke(rq->db, u->id, "reset") < 0)
		return -1;
	return 0;
}

int h_reset_code(struct http_req *rq, struct http_resp *rs)
{
	struct buf email = BUF_INIT;
	struct db_user u = {0};
	struct db_token t = {0};
	char hash[AUTH_PWHASH_STRBYTES];
	struct tv *d = NULL;
	int status;
	const char *e = http_field(rq, "email"), *code = http_field(rq, "code");
	const char *pw = http_field(rq, "password");
	const char *addr = policy_email(&email, e, strlen(e)) == POLICY_EMAIL_OK ? email.ptr : NULL;

	/* Check the code first, in its own transaction, so a wrong one always counts. */
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	int match = S_code_matches(rq, addr, code, &u, &t, 1);
	if (match < 0 || db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "code check");
		goto out;
	}
	d = page_data(rq);
	/* No account, no request, a wrong, void or expired code: one message for all. */
	if (!match)
		page_field_error(rq, d, "code", "err_code");
	/* The account's name is compared only once the code proved who is asking. */
	int ok = S_new_password(rq, d, match ? u.email : addr, match ? u.name : NULL);
	if (!match || !ok) {
		status = S_sent_page(rq, rs, 400, d);
		d = NULL;
		goto out;
	}
	tv_free(d);
	d = NULL;
	if (auth_password_hash(hash, pw, strlen(pw)) < 0) {
		status = handler_unavailable(rq, rs, "password hash");
		goto out;
	}
	/* Check again inside the transaction that uses it: one of two racing posts wins. */
	db_user_release(&u);
	db_token_release(&t);
	memset(&u, 0, sizeof(u));
	memset(&t, 0, sizeof(t));
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	match = S_code_matches(rq, addr, code, &u, &t, 0);
	if (match < 0) {
		status = handler_unavailable(rq, rs, "code check");
		goto out;
	}
	if (!match) {
		db_rollback(rq->db);
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code");
		status = S_sent_page(rq, rs, 400, d);
		d = NULL;
		goto out;
	}
	/* The code path has no token to name: revoking the account's live request uses it. */
	if (db_token_revoke(rq->db, u.id, "reset") < 0 ||
	    S_set_password(rq, &u, hash, 0, "password_reset") < 0) {
		status = handler_unavailable(rq, rs, "reset");
		goto out;
	}
	if (db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "commit");
		goto out;
	}
	app_mail_wake(rq->app);
	status = handler_see_other(rq, rs, "/account/login?reset=1");
out:
	tv_free(d);
	db_token_release(&t);
	db_user_release(&u);
	buf_release(&email);
	return status;
}

/* --- the link from the mail ---------------------------------------------------------------- */

static enum token_state S_check(struct http_req *rq, const char *token, unsigned char hash[32],
                                struct db_token *t)
{
	/* Too many wrong codes void the whole request, the link too. */
	return token_check(rq->db, "reset", token, CODE_TRIES, rq->now, hash, t);
}

/* The page for a link that cannot be used, with a way to ask for a new one. */
static int S_invalid(struct http_req *rq, struct http_resp *rs, enum token_state st)
{
	static const char *msg[] = {"", "reset_invalid_text", "reset_expired_text",
	                            "reset_used_text"};
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	tv_set_str(d, "reason", i18n_get(&rq->app->theme.ui, rq->locale, msg[st]));
	return page_render(rq, rs, st == TOKEN_FORGED ? 400 : 410, "reset-invalid",
	                   "reset_invalid_title", "account-reset-invalid", d);
}

static int S_reset_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d,
                        const char *token)
{
	tv_set_str(d, "token", token);
	S_action(rq, d, "/account/password/reset");
	return page_render(rq, rs, status, "reset", "reset_title", "account-reset", d);
}

int h_reset_form(struct http_req *rq, struct http_resp *rs)
{
	unsigned char hash[32];
	struct db_token t = {0};
	const char *token = http_field(rq, "token");
	/* The token is in the address: keep it out of Referer headers. A GET uses nothing (mail
	 * scanners open links). */
	http_header(rs, "Referrer-Policy", "no-referrer");
	enum token_state st = S_check(rq, token, hash, &t);
	db_token_release(&t);
	if (st == TOKEN_ERROR)
		return handler_unavailable(rq, rs, "token lookup");
	if (st != TOKEN_OK)
		return S_invalid(rq, rs, st);
	session_ensure_pre(rq, rs);
	return S_reset_page(rq, rs, 200, page_data(rq), token);
}

int h_reset(struct http_req *rq, struct http_resp *rs)
{
	unsigned char token_hash[32];
	struct db_token t = {0};
	struct db_user u = {0};
	char hash[AUTH_PWHASH_STRBYTES];
	const char *token = http_field(rq, "token"), *pw = http_field(rq, "password");
	int status;

	http_header(rs, "Referrer-Policy", "no-referrer");
	enum token_state st = S_check(rq, token, token_hash, &t);
	if (st == TOKEN_ERROR) {
		status = handler_unavailable(rq, rs, "token lookup");
		goto out;
	}
	if (st != TOKEN_OK) {
		status = S_invalid(rq, rs, st);
		goto out;
	}
	if (db_user_by_id(rq->db, t.user_id, &u) != 1) {
		status = handler_unavailable(rq, rs, "user lookup");
		goto out;
	}
	struct tv *d = page_data(rq);
	if (!S_new_password(rq, d, u.email, u.name)) {
		status = S_reset_page(rq, rs, 400, d, token);
		goto out;
	}
	tv_free(d);
	if (auth_password_hash(hash, pw, strlen(pw)) < 0) {
		status = handler_unavailable(rq, rs, "password hash");
		goto out;
	}
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	/* The state again, now that nobody else can write: a wrong code may have voided it. */
	db_token_release(&t);
	memset(&t, 0, sizeof(t));
	st = S_check(rq, token, token_hash, &t);
	if (st == TOKEN_OK) {
		int used = db_token_use(rq->db, token_hash, rq->now);
		st = used < 0 ? TOKEN_ERROR : used == 0 ? TOKEN_USED : TOKEN_OK;
	}
	if (st == TOKEN_ERROR) {
		status = handler_unavailable(rq, rs, "token lookup");
		goto out;
	}
	if (st != TOKEN_OK) {
		db_rollback(rq->db);
		status = S_invalid(rq, rs, st);
		goto out;
	}
	if (S_set_password(rq, &u, hash, 0, "password_reset") < 0) {
		status = handler_unavailable(rq, rs, "reset");
		goto out;
	}
	if (db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "commit");
		goto out;
	}
	app_mail_wake(rq->app);
	status = handler_see_other(rq, rs, "/account/login?reset=1");
out:
	db_user_release(&u);
	db_token_release(&t);
	return status;
}

/* --- changing the password when signed in -------------------------------------------------- */

static int S_change_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	S_action(rq, d, "/account/password/change");
	twostep_form(rq, d); /* the code field of two-step verification */
	return page_render(rq, rs, status, "password-change", "password_change_title",
	                   "account-password-change", d);
}

int h_password_change_form(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	return S_change_page(rq, rs, 200, page_data(rq));
}

int h_password_change(struct http_req *rq, struct http_resp *rs)
{
	char hash[AUTH_PWHASH_STRBYTES];
	if (handler_need_session(rq, rs))
		return 303;
	const char *cur = http_field(rq, "current_password"), *pw = http_field(rq, "password");

	/* The login waits apply here too: an open session is no shortcut for guessing. */
	long wait = throttle_login_wait(rq, rq->user.email);
	if (wait < 0)
		return handler_unavailable(rq, rs, "throttle");
	if (wait > 0)
		return handler_too_many(rq, rs, wait);
	enum auth_result ok = AUTH_MISMATCH;
	if (*cur)
		ok = auth_password_verify(rq->user.password_hash, cur, strlen(cur));
	else
		auth_password_verify_dummy(cur, 0);
	if (ok == AUTH_ERROR)
		return handler_unavailable(rq, rs, "password verify");
	struct tv *d = page_data(rq);
	if (ok != AUTH_OK) {
		/* Someone at an open session guessing: it counts like a failed login. */
		if (*cur && throttle_login_failed(rq, rq->user.email, &rq->user) < 0) {
			tv_free(d);
			return handler_unavailable(rq, rs, "event");
		}
		page_field_error(rq, d, "current_password",
		                 *cur ? "err_current_password" : "err_current_password_empty");
	}
	int fine = S_new_password(rq, d, rq->user.email, rq->user.name);
	if (fine && ok == AUTH_OK && strcmp(cur, pw) == 0) {
		page_field_error(rq, d, "password", "err_password_unchanged");
		fine = 0;
	}
	if (ok != AUTH_OK || !fine)
		return S_change_page(rq, rs, 400, d);
	/* Two-step verification: a fresh code, checked last so a typo elsewhere does not use it. */
	int up = twostep_stepup(rq, d, "code", 1, "err_code_needed_password");
	if (up <= 0) {
		if (up < 0) {
			tv_free(d);
			return handler_unavailable(rq, rs, "two-step");
		}
		return S_change_page(rq, rs, 400, d);
	}
	tv_free(d);
	if (auth_password_hash(hash, pw, strlen(pw)) < 0)
		return handler_unavailable(rq, rs, "password hash");
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	if (S_set_password(rq, &rq->user, hash, rq->session.id, "password_changed") < 0)
		return handler_unavailable(rq, rs, "password change");
	if (db_commit(rq->db) < 0)
		return handler_unavailable(rq, rs, "commit");
	app_mail_wake(rq->app);
	return handler_see_other(rq, rs, "/account/security?changed=1");
}
