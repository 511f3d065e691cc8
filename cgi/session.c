/* session.c - cookies carry random tokens; the database keeps only their hashes. */
#include "session.h"
#include "app.h"
#include "auth.h"
#include "twostep.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define TOUCH_EVERY 60 /* seconds: last-seen is written at most this often */

const char *session_cookie_name(const struct http_req *rq)
{
	return rq->app->secure_cookies ? "__Host-okpay_session" : "okpay_session";
}

const char *session_pre_cookie_name(const struct http_req *rq)
{
	return rq->app->secure_cookies ? "__Host-okpay_pre" : "okpay_pre";
}

const char *session_pending_cookie_name(const struct http_req *rq)
{
	return rq->app->secure_cookies ? "__Host-okpay_login" : "okpay_login";
}

static void S_cookie(struct http_req *rq, struct http_resp *rs, const char *name, const char *value,
                     long max_age)
{
	struct buf c = BUF_INIT;
	buf_addf(&c, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
	if (rq->app->secure_cookies)
		buf_adds(&c, "; Secure");
	if (max_age >= 0)
		buf_addf(&c, "; Max-Age=%ld", max_age);
	http_header(rs, "Set-Cookie", c.ptr);
	buf_release(&c);
}

int session_load(struct http_req *rq)
{
	const char *pre = http_cookie(rq, session_pre_cookie_name(rq));
	unsigned char scratch[32];
	if (pre && auth_token_hash(pre, strlen(pre), scratch) == 0)
		snprintf(rq->pre, sizeof(rq->pre), "%s", pre);

	const char *tok = http_cookie(rq, session_cookie_name(rq));
	if (!tok || auth_token_hash(tok, strlen(tok), rq->session_hash) < 0)
		return 0;
	int rc = db_session_find(rq->db, rq->session_hash, &rq->session);
	if (rc <= 0)
		return rc;
	if (rq->now - rq->session.last_seen_at > SESSION_IDLE ||
	    rq->now - rq->session.created_at > SESSION_ABSOLUTE) {
		db_session_end(rq->db, rq->session.id, rq->now);
		return 0;
	}
	if (db_user_by_id(rq->db, rq->session.user_id, &rq->user) != 1)
		return -1;
	if (rq->now - rq->session.last_seen_at >= TOUCH_EVERY)
		db_session_touch(rq->db, rq->session.id, rq->now);
	rq->has_session = 1;
	return 0;
}

int session_start(struct http_req *rq, struct http_resp *rs, long long user_id)
{
	char token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(token, hash);
	if (db_session_insert(rq->db, hash, user_id, rq->now, rq->remote_addr, rq->user_agent) < 0)
		return -1;
	S_cookie(rq, rs, session_cookie_name(rq), token, SESSION_ABSOLUTE);
	if (rq->pre[0])
		S_cookie(rq, rs, session_pre_cookie_name(rq), "", 0);
	return 0;
}

int session_end(struct http_req *rq, struct http_resp *rs)
{
	int rc = 0;
	if (rq->has_session)
		rc = db_session_end(rq->db, rq->session.id, rq->now);
	S_cookie(rq, rs, session_cookie_name(rq), "", 0);
	rq->has_session = 0;
	return rc;
}

void session_ensure_pre(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session || rq->pre[0])
		return;
	unsigned char hash[32];
	char token[AUTH_TOKEN_LEN + 1];
	auth_token_new(token, hash);
	snprintf(rq->pre, sizeof(rq->pre), "%s", token);
	S_cookie(rq, rs, session_pre_cookie_name(rq), token, -1);
}

/* The MAC input: "s" + session token hash, or "p" + pre-session token. */
static size_t S_binding(const struct http_req *rq, unsigned char *msg, size_t cap)
{
	if (rq->has_session) {
		msg[0] = 's';
		memcpy(msg + 1, rq->session_hash, 32);
		return 33;
	}
	size_t n = strlen(rq->pre);
	if (n == 0 || n + 1 > cap)
		return 0;
	msg[0] = 'p';
	memcpy(msg + 1, rq->pre, n);
	return n + 1;
}

void session_csrf_token(const struct http_req *rq, char out[64])
{
	unsigned char msg[80];
	size_t n = S_binding(rq, msg, sizeof(msg));
	if (n == 0) {
		out[0] = '\0';
		return;
	}
	auth_mac(out, rq->app->key, msg, n);
}

/* The Origin and Sec-Fetch-Site checks of every POST; require: either header must be there. */
static int S_origin_ok(const struct http_req *rq, int require)
{
	if (rq->sec_fetch_site && strcmp(rq->sec_fetch_site, "same-origin") != 0 &&
	    strcmp(rq->sec_fetch_site, "none") != 0)
		return 0;
	if (require && !rq->origin &&
	    !(rq->sec_fetch_site && strcmp(rq->sec_fetch_site, "same-origin") == 0))
		return 0;
	/*
	 * Pages that carry tokens send Referrer-Policy: no-referrer, under which browsers post
	 * "Origin: null"; Sec-Fetch-Site, which pages cannot forge, then vouches for the origin.
	 */
	int null_origin = rq->origin && strcmp(rq->origin, "null") == 0;
	if (null_origin && !(rq->sec_fetch_site && strcmp(rq->sec_fetch_site, "same-origin") == 0))
		return 0;
	if (rq->origin && !null_origin) {
		char expect[300];
		snprintf(expect, sizeof(expect), "%s://%s", rq->https ? "https" : "http",
		         rq->host ? rq->host : "");
		if (strcmp(rq->origin, expect) != 0 &&
		    strcmp(rq->origin, rq->app->cfg.base_url) != 0)
			return 0;
	}
	return 1;
}

int session_origin_ok(const struct http_req *rq)
{
	return S_origin_ok(rq, 1);
}

int session_csrf_ok(const struct http_req *rq)
{
	if (!S_origin_ok(rq, 0))
		return 0;
	const char *token = form_get(&rq->form, "csrf");
	unsigned char msg[80];
	size_t n = S_binding(rq, msg, sizeof(msg));
	if (!token || n == 0)
		return 0;
	return auth_mac_verify(token, strlen(token), rq->app->key, msg, n) == 1;
}

int session_pending_start(struct http_req *rq, struct http_resp *rs, long long user_id,
                          const char *next)
{
	char token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(token, hash);
	/* Old half-way logins are deleted here, where new ones are made: nothing else must run. */
	if (db_pending_purge(rq->db, rq->now - 3600) < 0 ||
	    db_pending_new(rq->db, hash, user_id, rq->now, rq->now + TWOSTEP_LOGIN_TTL, next) < 0)
		return -1;
	S_cookie(rq, rs, session_pending_cookie_name(rq), token, TWOSTEP_LOGIN_TTL);
	return 0;
}

int session_pending_load(struct http_req *rq, struct db_pending *p)
{
	unsigned char hash[32];
	const char *tok = http_cookie(rq, session_pending_cookie_name(rq));
	memset(p, 0, sizeof(*p));
	if (!tok || auth_token_hash(tok, strlen(tok), hash) < 0)
		return 0;
	int rc = db_pending_get(rq->db, hash, p);
	if (rc <= 0)
		return rc;
	return p->done_at == 0 && rq->now <= p->expires_at && p->tries < TWOSTEP_LOGIN_TRIES;
}

void session_pending_clear(struct http_req *rq, struct http_resp *rs)
{
	if (http_cookie(rq, session_pending_cookie_name(rq)))
		S_cookie(rq, rs, session_pending_cookie_name(rq), "", 0);
}
