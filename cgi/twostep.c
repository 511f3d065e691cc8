/* twostep.c - two-step verification: secrets sealed at rest, codes used once, recovery codes. */
#include "twostep.h"
#include "app.h"
#include "auth.h"
#include "card.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "throttle.h"
#include "totp.h"
#include "tv.h"

#include <string.h>

#define CODES_PLAIN (TWOSTEP_RECOVERY_N * TWOSTEP_RECOVERY_LEN)

_Static_assert(TOTP_SECRET_LEN + AUTH_BOX_OVERHEAD <= DB_TWOSTEP_BOX_MAX, "secret box size");
_Static_assert(CODES_PLAIN + AUTH_BOX_OVERHEAD <= DB_CODES_BOX_MAX, "codes box size");

int twostep_enabled(struct http_req *rq, long long user_id)
{
	struct db_twostep t;
	int rc = db_twostep_get(rq->db, user_id, &t);
	int on = rc == 1 && t.enabled_at != 0;
	auth_wipe(&t, sizeof(t));
	return rc < 0 ? -1 : on;
}

/* Open the sealed secret of t into secret (TOTP_SECRET_LEN bytes). 0, or -1. */
static int S_open(struct http_req *rq, const struct db_twostep *t,
                  unsigned char secret[TOTP_SECRET_LEN])
{
	if (t->secret_len != TOTP_SECRET_LEN + AUTH_BOX_OVERHEAD)
		return -1;
	return auth_box_open(secret, t->secret, t->secret_len, rq->app->twostep_key);
}

int twostep_enrol_start(struct http_req *rq)
{
	unsigned char secret[TOTP_SECRET_LEN], box[TOTP_SECRET_LEN + AUTH_BOX_OVERHEAD];
	auth_random(secret, sizeof(secret));
	auth_box_seal(box, secret, sizeof(secret), rq->app->twostep_key);
	auth_wipe(secret, sizeof(secret));
	int rc = db_twostep_start(rq->db, rq->user.id, box, sizeof(box), rq->now);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

/* The pending enrolment of the signed-in user, opened: 1, 0 none or expired, -1 error. */
static int S_pending(struct http_req *rq, struct db_twostep *t,
                     unsigned char secret[TOTP_SECRET_LEN])
{
	int rc = db_twostep_get(rq->db, rq->user.id, t);
	if (rc <= 0)
		return rc;
	if (t->enabled_at != 0 || rq->now - t->created_at > TWOSTEP_ENROL_TTL)
		return 0;
	return S_open(rq, t, secret) < 0 ? -1 : 1;
}

int twostep_enrol_secret(struct http_req *rq, struct buf *b32)
{
	struct db_twostep t;
	unsigned char secret[TOTP_SECRET_LEN];
	int rc = S_pending(rq, &t, secret);
	if (rc == 1)
		totp_base32(b32, secret, sizeof(secret));
	auth_wipe(secret, sizeof(secret));
	auth_wipe(&t, sizeof(t));
	return rc;
}

/* The login throttle of an account: TWOSTEP_WAIT (with *wait), TWOSTEP_ERROR, or TWOSTEP_OK. */
static enum twostep_result S_throttled(struct http_req *rq, const struct db_user *u, long *wait)
{
	long w = throttle_login_wait(rq, u->email);
	if (w < 0)
		return TWOSTEP_ERROR;
	*wait = w;
	return w > 0 ? TWOSTEP_WAIT : TWOSTEP_OK;
}

static enum twostep_result S_wrong(struct http_req *rq, const struct db_user *u)
{
	return throttle_login_failed(rq, u->email, u) < 0 ? TWOSTEP_ERROR : TWOSTEP_WRONG;
}

enum twostep_result twostep_enrol_finish(struct http_req *rq, const char *typed, long *wait)
{
	struct db_twostep t;
	unsigned char secret[TOTP_SECRET_LEN];
	enum twostep_result res = S_throttled(rq, &rq->user, wait);
	long long step = 0;
	if (res != TWOSTEP_OK)
		return res;
	if (!*typed)
		return TWOSTEP_EMPTY;
	int rc = S_pending(rq, &t, secret);
	if (rc < 0) {
		res = TWOSTEP_ERROR;
		goto out;
	}
	enum totp_result v =
	    rc == 1 ? totp_verify(secret, sizeof(secret), rq->now, typed, t.last_step, &step)
	            : TOTP_WRONG;
	if (v == TOTP_ERROR) {
		res = TWOSTEP_ERROR;
		goto out;
	}
	if (v != TOTP_OK) {
		res = S_wrong(rq, &rq->user);
		goto out;
	}
	res = TWOSTEP_ERROR;
	if (db_begin(rq->db) < 0)
		goto out;
	if (db_twostep_enable(rq->db, rq->user.id, step, rq->now) != 1 ||
	    twostep_codes_new(rq) < 0 ||
	    db_event_add(rq->db, rq->user.id, "twostep_on", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    outbox_twostep(rq, &rq->user, OUTBOX_TWOSTEP_ON, 0) < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		goto out;
	}
	app_mail_wake(rq->app);
	res = TWOSTEP_OK;
out:
	auth_wipe(secret, sizeof(secret));
	auth_wipe(&t, sizeof(t));
	return res;
}

/* 1 if typed is six digits once spaces and hyphens are gone (an authenticator code). */
static int S_looks_totp(const char *typed)
{
	int digits = 0;
	for (const char *p = typed; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != ' ' && *p != '\t' && *p != '-')
			return 0;
	}
	return digits == TOTP_DIGITS;
}

static enum twostep_result S_recovery(struct http_req *rq, const struct db_user *u,
                                      const char *typed)
{
	unsigned char hash[32];
	if (auth_code_hash(typed, strlen(typed), hash) < 0)
		return S_wrong(rq, u);
	if (db_begin(rq->db) < 0)
		return TWOSTEP_ERROR;
	int used = db_recovery_use(rq->db, u->id, hash, rq->now);
	int left = used == 1 ? db_recovery_left(rq->db, u->id) : 0;
	if (used < 0 || left < 0 ||
	    (used == 1 && (db_event_add(rq->db, u->id, "recovery_used", rq->remote_addr,
	                                rq->user_agent, rq->now) < 0 ||
	                   outbox_twostep(rq, u, OUTBOX_TWOSTEP_RECOVERY, left) < 0)) ||
	    db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return TWOSTEP_ERROR;
	}
	if (used == 0)
		return S_wrong(rq, u);
	app_mail_wake(rq->app);
	return TWOSTEP_RECOVERY;
}

enum twostep_result twostep_check(struct http_req *rq, const struct db_user *u, const char *typed,
                                  long *wait)
{
	struct db_twostep t;
	unsigned char secret[TOTP_SECRET_LEN];
	long long step = 0;
	enum twostep_result res = S_throttled(rq, u, wait);
	if (res != TWOSTEP_OK)
		return res;
	if (!*typed)
		return TWOSTEP_EMPTY;
	if (!S_looks_totp(typed))
		return S_recovery(rq, u, typed);
	res = TWOSTEP_ERROR;
	int rc = db_twostep_get(rq->db, u->id, &t);
	if (rc < 0 || (rc == 1 && t.enabled_at && S_open(rq, &t, secret) < 0))
		goto out;
	if (rc == 0 || !t.enabled_at) {
		res = S_wrong(rq, u);
		goto out;
	}
	enum totp_result v =
	    totp_verify(secret, sizeof(secret), rq->now, typed, t.last_step, &step);
	if (v == TOTP_ERROR)
		goto out;
	/* The guarded update decides between two requests racing with the same code. */
	int used = v == TOTP_OK ? db_twostep_use_step(rq->db, u->id, step) : 0;
	if (used < 0)
		goto out;
	res = used == 1 ? TWOSTEP_OK : S_wrong(rq, u);
out:
	auth_wipe(secret, sizeof(secret));
	auth_wipe(&t, sizeof(t));
	return res;
}

int twostep_codes_new(struct http_req *rq)
{
	char plain[CODES_PLAIN + 1];
	unsigned char hashes[TWOSTEP_RECOVERY_N][32], box[CODES_PLAIN + AUTH_BOX_OVERHEAD];
	int rc = -1;
	for (int i = 0; i < TWOSTEP_RECOVERY_N; i++) {
		char *code = plain + i * TWOSTEP_RECOVERY_LEN;
		auth_code_new(code, TWOSTEP_RECOVERY_LEN);
		if (auth_code_hash(code, TWOSTEP_RECOVERY_LEN, hashes[i]) < 0)
			goto out;
	}
	auth_box_seal(box, (const unsigned char *)plain, CODES_PLAIN, rq->app->twostep_key);
	if (db_recovery_replace(rq->db, rq->user.id, (const unsigned char(*)[32])hashes,
	                        TWOSTEP_RECOVERY_N) < 0 ||
	    db_twostep_codes_box(rq->db, rq->user.id, box, sizeof(box), rq->now + TWOSTEP_CODES_TTL,
	                         rq->session.id) < 0)
		goto out;
	rc = 0;
out:
	auth_wipe(plain, sizeof(plain));
	return rc;
}

int twostep_codes_get(struct http_req *rq, char codes[TWOSTEP_RECOVERY_N][TWOSTEP_RECOVERY_LEN + 2])
{
	struct db_twostep t;
	unsigned char plain[CODES_PLAIN];
	int rc = db_twostep_get(rq->db, rq->user.id, &t);
	if (rc <= 0)
		goto out;
	rc = 0;
	if (!t.enabled_at || t.codes_len != sizeof(plain) + AUTH_BOX_OVERHEAD ||
	    t.codes_session != rq->session.id || rq->now > t.codes_until)
		goto out;
	rc = -1;
	if (auth_box_open(plain, t.codes_box, t.codes_len, rq->app->twostep_key) < 0)
		goto out;
	for (int i = 0; i < TWOSTEP_RECOVERY_N; i++) {
		const unsigned char *c = plain + i * TWOSTEP_RECOVERY_LEN;
		int half = TWOSTEP_RECOVERY_LEN / 2;
		memcpy(codes[i], c, (size_t)half);
		codes[i][half] = '-';
		memcpy(codes[i] + half + 1, c + half, (size_t)(TWOSTEP_RECOVERY_LEN - half));
		codes[i][TWOSTEP_RECOVERY_LEN + 1] = '\0';
	}
	rc = 1;
out:
	auth_wipe(plain, sizeof(plain));
	auth_wipe(&t, sizeof(t));
	return rc;
}

int twostep_codes_forget(struct http_req *rq)
{
	return db_twostep_codes_box(rq->db, rq->user.id, NULL, 0, 0, 0);
}

int twostep_codes_left(struct http_req *rq)
{
	return db_recovery_left(rq->db, rq->user.id);
}

int twostep_disable(struct http_req *rq)
{
	if (db_begin(rq->db) < 0)
		return -1;
	if (db_twostep_delete(rq->db, rq->user.id) < 0 ||
	    db_event_add(rq->db, rq->user.id, "twostep_off", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    outbox_twostep(rq, &rq->user, OUTBOX_TWOSTEP_OFF, 0) < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return -1;
	}
	app_mail_wake(rq->app);
	return 0;
}

int twostep_form(struct http_req *rq, struct tv *d)
{
	int on = twostep_enabled(rq, rq->user.id);
	tv_set_bool(d, "twostep_on", on == 1);
	return on;
}

int twostep_stepup(struct http_req *rq, struct tv *d, const char *field, int need,
                   const char *why_key)
{
	if (!need)
		return 1;
	int on = twostep_form(rq, d);
	if (on <= 0)
		return on < 0 ? -1 : 1;
	long wait = 0;
	switch (twostep_check(rq, &rq->user, http_field(rq, "code"), &wait)) {
	case TWOSTEP_OK:
	case TWOSTEP_RECOVERY:
		/* The action it lets through is logged by its own code; this says a code was asked.
		 */
		return db_event_add(rq->db, rq->user.id, "twostep_stepup", rq->remote_addr,
		                    rq->user_agent, rq->now) < 0
		           ? -1
		           : 1;
	case TWOSTEP_EMPTY:
		page_field_error(rq, d, field, why_key);
		return 0;
	case TWOSTEP_WRONG:
		page_field_error(rq, d, field, "err_code_wrong");
		return 0;
	case TWOSTEP_WAIT:
		page_field_error(rq, d, field, "err_code_wait");
		return 0;
	case TWOSTEP_ERROR:
	default:
		return -1;
	}
}

int twostep_money_needs_code(struct http_req *rq, long long amount, int is_send,
                             const struct card *c)
{
	int on = twostep_enabled(rq, rq->user.id);
	if (on <= 0)
		return on;
	if (is_send && amount > rq->app->cfg.twostep_threshold)
		return 1;
	if (!c)
		return 0;
	struct buf desc = BUF_INIT;
	card_describe(&desc, c);
	int used = db_card_used(rq->db, rq->user.id, desc.ptr);
	buf_release(&desc);
	return used < 0 ? -1 : !used;
}

int twostep_money_form(struct http_req *rq, struct tv *d, long long amount, int is_send,
                       int is_card)
{
	int on = twostep_form(rq, d);
	if (on <= 0)
		return on;
	int send = is_send && amount > rq->app->cfg.twostep_threshold;
	tv_set_bool(d, "stepup", send || is_card);
	tv_set_bool(d, "stepup_send", send);
	tv_set_bool(d, "stepup_card", is_card);
	handler_set_money(rq, d, "threshold", rq->app->cfg.twostep_threshold);
	return 0;
}

int twostep_stepup_money(struct http_req *rq, struct tv *d, long long amount, int is_send,
                         const struct card *c)
{
	int need = twostep_money_needs_code(rq, amount, is_send, c);
	if (need < 0)
		return -1;
	int big = is_send && amount > rq->app->cfg.twostep_threshold;
	return twostep_stepup(rq, d, "code", need,
	                      big ? "err_code_needed_send" : "err_code_needed_card");
}
