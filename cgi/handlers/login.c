/* login.c - log in and log out; every failure looks and costs the same. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "page.h"
#include "policy.h"
#include "session.h"
#include "throttle.h"
#include "tv.h"
#include "ua.h"
#include "outbox.h"
#include "twostep.h"

#include <stdio.h>
#include <string.h>

#define LOGIN_IP_PERIOD (15 * 60.0) /* --login-limit attempts from one address per this */
#define NEW_DEVICE_DAYS 90

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
	if (*http_field(rq, "reset"))
		tv_set_bool(d, "reset_done", 1);
	if (*http_field(rq, "expired"))
		tv_set_bool(d, "code_expired", 1);
	return page_render(rq, rs, 200, "login", "login_title", "account-login", d);
}

/* The login form again, with one message for every kind of failure. */
static int S_refuse(struct http_req *rq, struct http_resp *rs, int status, const char *msg_key,
                    long wait)
{
	struct tv *d = page_data(rq);
	page_field_error(rq, d, "email", msg_key);
	page_keep(rq, d, "email");
	S_next(rq, d);
	if (wait > 0) {
		char v[32];
		snprintf(v, sizeof(v), "%ld", wait);
		http_header(rs, "Retry-After", v);
		tv_set_int(d, "wait_minutes", (wait + 59) / 60);
	}
	return page_render(rq, rs, status, "login", "login_title", "account-login", d);
}

/*
 * A device is known when a session of the last 90 days had the same browser and system and
 * came from the same network (the first three parts of an IPv4 address, else the address).
 */
static int S_known_device(struct http_req *rq, long long user_id, const char *device)
{
	struct db_session_row *rows = NULL;
	struct buf net = BUF_INIT, d = BUF_INIT;
	int n = db_sessions_of_user(rq->db, user_id, rq->now - NEW_DEVICE_DAYS * 86400LL, 1, 200,
	                            &rows);
	int known = n <= 0; /* no history (a first login) is not news */
	const char *dot = strrchr(rq->remote_addr, '.');
	buf_add(&net, rq->remote_addr,
	        dot && !strchr(rq->remote_addr, ':') ? (size_t)(dot - rq->remote_addr)
	                                             : strlen(rq->remote_addr));
	for (int i = 0; i < n && !known; i++) {
		buf_reset(&d);
		ua_summary(&d, rows[i].user_agent);
		known = strcmp(d.ptr, device) == 0 && strncmp(rows[i].ip, net.ptr, net.len) == 0 &&
		        (rows[i].ip[net.len] == '\0' || rows[i].ip[net.len] == '.');
	}
	db_session_rows_release(rows, n);
	buf_release(&net);
	buf_release(&d);
	return known;
}

/*
 * The password (and the code, with two-step verification) was right: a new session, the
 * login event, the new-device mail, and on to next when it is a safe return path.
 */
static int S_finish(struct http_req *rq, struct http_resp *rs, const struct db_user *u,
                    const char *next)
{
	struct buf device = BUF_INIT;
	int status;
	ua_summary(&device, rq->user_agent);
	/*
	 * One transaction: a crash or a full disk leaves either the whole login (old session
	 * ended, new one, its event, the new-device mail) or none of it, never a session whose
	 * login is not in the activity or whose new-device mail was lost.
	 */
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	int known = S_known_device(rq, u->id, device.ptr);
	/* A new session at every login: whatever session this browser had ends here. */
	if (rq->has_session && db_session_end(rq->db, rq->session.id, rq->now) < 0) {
		status = handler_unavailable(rq, rs, "session end");
		goto out;
	}
	if (session_start(rq, rs, u->id) < 0 ||
	    db_event_add(rq->db, u->id, "login", rq->remote_addr, rq->user_agent, rq->now) < 0) {
		status = handler_unavailable(rq, rs, "session start");
		goto out;
	}
	if (!known) {
		struct buf when = BUF_INIT;
		handler_time(&when, rq->now);
		int rc = db_event_add(rq->db, u->id, "new_device", rq->remote_addr, rq->user_agent,
		                      rq->now) < 0 ||
		         outbox_new_device(rq, u, when.ptr, device.ptr) < 0;
		buf_release(&when);
		if (rc) {
			status = handler_unavailable(rq, rs, "new device");
			goto out;
		}
	}
	if (db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "commit");
		goto out;
	}
	if (!known)
		app_mail_wake(rq->app);
	if (http_safe_return(next)) {
		http_redirect(rs, 303, next);
		status = 303;
	} else {
		status = handler_see_other(rq, rs, "/account/");
	}
out:
	buf_release(&device);
	return status;
}

int h_login(struct http_req *rq, struct http_resp *rs)
{
	struct buf email = BUF_INIT;
	struct db_user u = {0};
	const char *e = http_field(rq, "email"), *pw = http_field(rq, "password");
	size_t pwlen = strlen(pw);
	int status, found = 0;
	long retry = 0;
	enum auth_result ok = AUTH_MISMATCH;

	int allowed = throttle_ip(rq, "login", rq->app->cfg.login_limit, LOGIN_IP_PERIOD, &retry);
	if (allowed < 0) {
		status = handler_unavailable(rq, rs, "rate limit");
		goto out;
	}
	if (!allowed) {
		status = handler_too_many(rq, rs, retry);
		goto out;
	}
	if (policy_email(&email, e, strlen(e)) != POLICY_EMAIL_OK) {
		buf_reset(&email);
		buf_adds(&email, e);
	} else {
		found = db_user_by_email(rq->db, email.ptr, &u);
		if (found < 0) {
			status = handler_unavailable(rq, rs, "user lookup");
			goto out;
		}
	}
	/* While the waits last even the right password is refused, unchecked. */
	long wait = throttle_login_wait(rq, email.ptr);
	if (wait < 0) {
		status = handler_unavailable(rq, rs, "throttle");
		goto out;
	}
	if (wait > 0) {
		status = S_refuse(rq, rs, 429, "err_login_wait", wait);
		goto out;
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
		/* The failure itself gets the generic answer; the waits apply to the next tries. */
		if (throttle_login_failed(rq, email.ptr, found == 1 ? &u : NULL) < 0) {
			status = handler_unavailable(rq, rs, "throttle");
			goto out;
		}
		status = S_refuse(rq, rs, 401, "err_login", 0);
		goto out;
	}
	int twostep = twostep_enabled(rq, u.id);
	if (twostep < 0) {
		status = handler_unavailable(rq, rs, "two-step");
		goto out;
	}
	/* With two-step verification the failures are forgotten only once the code is right. */
	if (!twostep)
		throttle_login_ok(rq, email.ptr);
	if (u.locked_at) {
		status = S_refuse(rq, rs, 403, "err_login_locked", 0);
		goto out;
	}
	if (auth_password_needs_rehash(u.password_hash) == 1) {
		char hash[128];
		if (auth_password_hash(hash, pw, pwlen) == 0)
			db_user_set_password(rq->db, u.id, hash);
	}
	if (twostep) {
		const char *next = http_field(rq, "next");
		if (session_pending_start(rq, rs, u.id, http_safe_return(next) ? next : "") < 0) {
			status = handler_unavailable(rq, rs, "pending login");
			goto out;
		}
		status = handler_see_other(rq, rs, "/account/login/code");
		goto out;
	}
	status = S_finish(rq, rs, &u, http_field(rq, "next"));
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

/* --- the second step: the code from the authenticator app, or a recovery code -------------- */

static int S_code_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	return page_render(rq, rs, status, "login-code", "login_code_title", "account-login-code",
	                   d);
}

/* The half-way login is gone (expired, finished, voided): back to the password. */
static int S_code_expired(struct http_req *rq, struct http_resp *rs)
{
	session_pending_clear(rq, rs);
	return handler_see_other(rq, rs, "/account/login?expired=1");
}

int h_login_code_form(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session)
		return handler_see_other(rq, rs, "/account/");
	struct db_pending p;
	int rc = session_pending_load(rq, &p);
	if (rc < 0)
		return handler_unavailable(rq, rs, "pending login");
	if (rc == 0)
		return S_code_expired(rq, rs);
	session_ensure_pre(rq, rs);
	return S_code_page(rq, rs, 200, page_data(rq));
}

int h_login_code(struct http_req *rq, struct http_resp *rs)
{
	struct db_pending p;
	struct db_user u = {0};
	long retry = 0, wait = 0;
	int status;
	int allowed = throttle_ip(rq, "login", rq->app->cfg.login_limit, LOGIN_IP_PERIOD, &retry);
	if (allowed <= 0)
		return allowed < 0 ? handler_unavailable(rq, rs, "rate limit")
		                   : handler_too_many(rq, rs, retry);
	int rc = session_pending_load(rq, &p);
	if (rc < 0)
		return handler_unavailable(rq, rs, "pending login");
	if (rc == 0)
		return S_code_expired(rq, rs);
	rc = db_user_by_id(rq->db, p.user_id, &u);
	if (rc <= 0) {
		db_user_release(&u);
		return rc < 0 ? handler_unavailable(rq, rs, "user lookup") : S_code_expired(rq, rs);
	}
	struct tv *d = NULL;
	enum twostep_result res = twostep_check(rq, &u, http_field(rq, "code"), &wait);
	switch (res) {
	case TWOSTEP_OK:
	case TWOSTEP_RECOVERY:
		/* Only one request finishes a half-way login, however many carry a right code. */
		rc = db_pending_done(rq->db, p.id, rq->now);
		if (rc <= 0) {
			status = rc < 0 ? handler_unavailable(rq, rs, "pending login")
			                : S_code_expired(rq, rs);
			break;
		}
		throttle_login_ok(rq, u.email);
		session_pending_clear(rq, rs);
		if (u.locked_at) {
			d = page_data(rq);
			page_field_error(rq, d, "code", "err_login_locked");
			status = S_code_page(rq, rs, 403, d);
			break;
		}
		status = S_finish(rq, rs, &u, p.next);
		break;
	case TWOSTEP_EMPTY:
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_empty");
		status = S_code_page(rq, rs, 400, d);
		break;
	case TWOSTEP_WRONG:
		if (db_pending_try(rq->db, p.id) < 0) {
			status = handler_unavailable(rq, rs, "pending login");
			break;
		}
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_wrong");
		status = S_code_page(rq, rs, 401, d);
		break;
	case TWOSTEP_WAIT: {
		char v[32];
		snprintf(v, sizeof(v), "%ld", wait);
		http_header(rs, "Retry-After", v);
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_wait");
		tv_set_int(d, "wait_minutes", (wait + 59) / 60);
		status = S_code_page(rq, rs, 429, d);
		break;
	}
	case TWOSTEP_ERROR:
	default:
		status = handler_unavailable(rq, rs, "two-step check");
		break;
	}
	db_user_release(&u);
	return status;
}
