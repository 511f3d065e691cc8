/* session.h - login sessions, the pre-session cookie and CSRF tokens bound to either. */
#ifndef CGI_SESSION_H
#define CGI_SESSION_H

#include "http.h"

#define SESSION_IDLE     (30 * 60)   /* seconds without a request before a session ends */
#define SESSION_ABSOLUTE (12 * 3600) /* seconds after login when it ends regardless */

/**
 * Find the request's session from its cookie; an expired one is ended. Sets rq->has_session
 * and rq->user. Returns 0, or -1 on a database error.
 */
int session_load(struct http_req *rq);
/** Start a new session for user_id (after login) and set its cookie; drops the pre-session cookie.
 */
int session_start(struct http_req *rq, struct http_resp *rs, long long user_id);
/** End the request's session server-side and clear its cookie. */
int session_end(struct http_req *rq, struct http_resp *rs);
/** Make sure a visitor without session has a pre-session cookie (for CSRF on forms). */
void session_ensure_pre(struct http_req *rq, struct http_resp *rs);

/** The CSRF token for forms on this request's page (bound to the session or pre-session). */
void session_csrf_token(const struct http_req *rq, char out[64]);
/**
 * 1 if a state-changing request may proceed: Origin and Sec-Fetch-Site (when sent) say
 * same origin, and the form's csrf field matches the session or pre-session. 0 otherwise.
 */
int session_csrf_ok(const struct http_req *rq);
/**
 * 1 if a POST comes from one of our own pages by its Origin (or, for "Origin: null",
 * Sec-Fetch-Site: same-origin): for forms on the static help center, which cannot carry a
 * token (the article feedback form). A POST with neither header is refused. 0 otherwise.
 */
int session_origin_ok(const struct http_req *rq);

/*
 * A login half-way: the password was right and the account has two-step verification, so the
 * session waits for the code. The browser holds a random token in its own cookie (5 minutes);
 * the database holds its hash, the user and where to go next (db_pending).
 */
/** Store a new half-way login for user_id and set its cookie. 0, or -1 on a database error. */
int session_pending_start(struct http_req *rq, struct http_resp *rs, long long user_id,
                          const char *next);
/**
 * The request's half-way login, if its cookie names one that is neither expired nor finished:
 * 1 (p filled), 0 none, -1 on a database error.
 */
int session_pending_load(struct http_req *rq, struct db_pending *p);
/** Clear the half-way login cookie (the row stays, finished or left to expire). */
void session_pending_clear(struct http_req *rq, struct http_resp *rs);

/** Cookie names: "__Host-okpay_session" (or "okpay_session" without Secure in dev mode). */
const char *session_cookie_name(const struct http_req *rq);
const char *session_pre_cookie_name(const struct http_req *rq);
const char *session_pending_cookie_name(const struct http_req *rq);

#endif
