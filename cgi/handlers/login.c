/* login.c - log in and log out; every failure looks and costs the same. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "page.h"
#include "policy.h"
#include "session.h"
#include "tv.h"

#include <string.h>

static void S_next(struct http_req *rq, struct tv *d)
{
	const char *next = http_field(rq, "next");
	if (http_safe_return(next))
		tv_set_str(d, "next", next);
}

int h_login_form(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session)
		return handler_see_other(rq, rs, "/account/");
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	S_next(rq, d);
	if (*http_field(rq, "bye"))
		tv_set_bool(d, "logged_out", 1);
	return page_render(rq, rs, 200, "login", "login_title", "account-login", d);
}

int h_login(struct http_req *rq, struct http_resp *rs)
{
	struct buf email = BUF_INIT;
	struct db_user u = {0};
	const char *e = http_field(rq, "email"), *pw = http_field(rq, "password");
	size_t pwlen = strlen(pw);
	int status, found = 0;
	enum auth_result ok = AUTH_MISMATCH;

	if (policy_email(&email, e, strlen(e)) == POLICY_EMAIL_OK) {
		found = db_user_by_email(rq->db, email.ptr, &u);
		if (found < 0) {
			status = handler_unavailable(rq, rs, "user lookup");
			goto out;
		}
	}
	/* An unknown address costs one hash too, so timing does not tell accounts apart. */
	if (found == 1)
		ok = auth_password_verify(u.password_hash, pw, pwlen);
	else
		auth_password_verify_dummy(pw, pwlen);
	if (ok == AUTH_ERROR) {
		status = handler_unavailable(rq, rs, "password verify");
		goto out;
	}
	if (ok != AUTH_OK) {
		if (found == 1)
			db_event_add(rq->db, u.id, "login_failed", rq->remote_addr, rq->user_agent,
			             rq->now);
		struct tv *d = page_data(rq);
		page_field_error(rq, d, "email", "err_login");
		page_keep(rq, d, "email");
		S_next(rq, d);
		status = page_render(rq, rs, 401, "login", "login_title", "account-login", d);
		goto out;
	}
	if (auth_password_needs_rehash(u.password_hash) == 1) {
		char hash[128];
		if (auth_password_hash(hash, pw, pwlen) == 0)
			db_user_set_password(rq->db, u.id, hash);
	}
	/* A new session at every login: whatever session this browser had ends here. */
	if (rq->has_session && db_session_end(rq->db, rq->session.id, rq->now) < 0) {
		status = handler_unavailable(rq, rs, "session end");
		goto out;
	}
	if (session_start(rq, rs, u.id) < 0 ||
	    db_event_add(rq->db, u.id, "login", rq->remote_addr, rq->user_agent, rq->now) < 0) {
		status = handler_unavailable(rq, rs, "session start");
		goto out;
	}
	const char *next = http_field(rq, "next");
	if (http_safe_return(next)) {
		http_redirect(rs, 303, next);
		status = 303;
	} else {
		status = handler_see_other(rq, rs, "/account/");
	}
out:
	db_user_release(&u);
	buf_release(&email);
	return status;
}

int h_logout(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session)
		db_event_add(rq->db, rq->user.id, "logout", rq->remote_addr, rq->user_agent,
		             rq->now);
	if (session_end(rq, rs) < 0)
		return handler_unavailable(rq, rs, "session end");
	return handler_see_other(rq, rs, "/account/login?bye=1");
}
