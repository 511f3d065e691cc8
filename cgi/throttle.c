/* throttle.c - failure counters live in the database, so every worker and machine sees them. */
#include "throttle.h"
#include "app.h"
#include "outbox.h"

#include <stdio.h>
#include <string.h>

long throttle_wait(int failures, long long last, long long now)
{
	if (failures < THROTTLE_FREE)
		return 0;
	long wait = THROTTLE_FIRST;
	for (int i = THROTTLE_FREE; i < failures && wait < THROTTLE_CAP; i++)
		wait *= 2;
	if (wait > THROTTLE_CAP)
		wait = THROTTLE_CAP;
	long long left = last + wait - now;
	return left > 0 ? (long)left : 0;
}

static void S_key(char *out, size_t n, const char *email)
{
	size_t i = snprintf(out, n, "login-fail:");
	for (const char *c = email; *c && i + 1 < n; c++)
		out[i++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	out[i] = '\0';
}

long throttle_login_wait(struct http_req *rq, const char *email)
{
	char key[320];
	long long last = 0;
	S_key(key, sizeof(key), email);
	int n = db_fail_get(rq->db, key, rq->now, THROTTLE_WINDOW, &last);
	return n < 0 ? -1 : throttle_wait(n, last, rq->now);
}

int throttle_login_failed(struct http_req *rq, const char *email, const struct db_user *u)
{
	char key[320];
	S_key(key, sizeof(key), email);
	int n = db_fail_add(rq->db, key, rq->now, THROTTLE_WINDOW);
	if (n < 0 || !u || u->id <= 0)
		return n;
	db_event_add(rq->db, u->id, "login_failed", rq->remote_addr, rq->user_agent, rq->now);
	if (n == THROTTLE_FREE) {
		/* One mail when the waits begin; a burst of guesses does not flood the owner. */
		char mkey[64];
		long retry;
		snprintf(mkey, sizeof(mkey), "throttle-mail:%lld", u->id);
		db_event_add(rq->db, u->id, "login_throttled", rq->remote_addr, rq->user_agent,
		             rq->now);
		if (db_rate_take(rq->db, mkey, 1, 1.0 / THROTTLE_WINDOW, rq->now * 1000LL,
		                 &retry) == 1 &&
		    outbox_throttled(rq, u) == 0)
			app_mail_wake(rq->app);
	}
	return n;
}

void throttle_login_ok(struct http_req *rq, const char *email)
{
	char key[320];
	S_key(key, sizeof(key), email);
	db_fail_clear(rq->db, key);
}

int throttle_ip(struct http_req *rq, const char *what, double burst, double period,
                long *retry_after)
{
	char key[128];
	snprintf(key, sizeof(key), "%s-ip:%s", what, rq->remote_addr);
	return db_rate_take(rq->db, key, burst, burst / period, rq->now * 1000LL, retry_after);
}
