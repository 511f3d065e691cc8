/* throttle.h - slowing down password guessing, per account and per client address. */
#ifndef CGI_THROTTLE_H
#define CGI_THROTTLE_H

#include "http.h"

#define THROTTLE_FREE 5 /* failed logins in a row before waits begin */
#define THROTTLE_WINDOW                                                                            \
	(15 * 60)                /* a failure more than this after the previous one starts over    \
	                          */
#define THROTTLE_FIRST 60        /* the first wait, doubled after every further failure */
#define THROTTLE_CAP   (15 * 60) /* the longest wait */

/**
 * Seconds still to wait at now after failures failed logins in a row, the last at last;
 * 0 when a login may be tried. Waits: none for the first four failures, then 1, 2, 4, 8 and
 * at most 15 minutes after the last failure.
 */
long throttle_wait(int failures, long long last, long long now);

/**
 * The wait for logins to the address email (normalised; unknown addresses are throttled the
 * same way, so the wait tells nothing about whether an account exists). -1 on error.
 */
long throttle_login_wait(struct http_req *rq, const char *email);
/**
 * Count a failed login (or a wrong current password) for email. Returns the failures in a row
 * now, or -1. user_id > 0 also records a login_failed event, and on the failure that starts the
 * waits a login_throttled event and one mail to the owner with a reset link.
 */
int throttle_login_failed(struct http_req *rq, const char *email, const struct db_user *u);
/** Forget the failures of email after a successful login. */
void throttle_login_ok(struct http_req *rq, const char *email);

/**
 * Per-client-address limit for a form: bucket "<what>-ip:<address>" with burst requests,
 * refilled over period seconds. 1 allowed, 0 limited (*retry_after set), -1 error.
 */
int throttle_ip(struct http_req *rq, const char *what, double burst, double period,
                long *retry_after);

#endif
