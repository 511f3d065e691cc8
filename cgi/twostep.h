/* twostep.h - two-step verification of an account: enrolment, codes, recovery codes, step-up. */
#ifndef CGI_TWOSTEP_H
#define CGI_TWOSTEP_H

#include "http.h"

struct card;
struct tv;

/*
 * The authenticator secret is sealed under app->twostep_key; recovery codes, login tokens and
 * every other secret here are stored as hashes. A code is checked by totp_verify (a step
 * either side of now) and then used with a guarded UPDATE, so no code is accepted twice, even
 * by two requests at once. Wrong codes count as failed logins of the account (throttle.h):
 * after five in a row the waits begin, whether the code was typed at login or at a step-up.
 */

#define TWOSTEP_ENROL_TTL    (15 * 60) /* seconds to type the first code after the QR code */
#define TWOSTEP_CODES_TTL    (15 * 60) /* new recovery codes can be seen and downloaded this long */
#define TWOSTEP_LOGIN_TTL    (5 * 60)  /* a login half-way expires after this */
#define TWOSTEP_LOGIN_TRIES  10        /* wrong codes that void a login half-way */
#define TWOSTEP_RECOVERY_N   10        /* recovery codes per set */
#define TWOSTEP_RECOVERY_LEN 10        /* characters of one (50 bits), shown as XXXXX-XXXXX */

enum twostep_result {
	TWOSTEP_OK,       /* the authenticator code was right: used now */
	TWOSTEP_RECOVERY, /* a recovery code was right: used now, the owner mailed */
	TWOSTEP_EMPTY,    /* nothing typed */
	TWOSTEP_WRONG,    /* wrong (or reused) code: counted as a failed login */
	TWOSTEP_WAIT,     /* too many wrong codes or passwords: not checked, wait */
	TWOSTEP_ERROR     /* database or crypto failure: answer 503 */
};

/** 1 if two-step verification is on for user_id, 0 if not, -1 on error. */
int twostep_enabled(struct http_req *rq, long long user_id);

/**
 * Start an enrolment for the signed-in user: a new random secret, sealed and stored as
 * pending (replacing an older pending one). 0, 1 if two-step verification is on already, -1.
 */
int twostep_enrol_start(struct http_req *rq);

/**
 * The pending secret of the signed-in user in base32, appended to b32 (secret text: the caller
 * should not log it). 1 found, 0 no enrolment pending or it expired, -1 error.
 */
int twostep_enrol_secret(struct http_req *rq, struct buf *b32);

/**
 * Finish the enrolment with the code typed: on a right code two-step verification is on,
 * a set of recovery codes is made (see twostep_codes_get), the event logged and the owner
 * mailed, all in one transaction. TWOSTEP_OK, TWOSTEP_EMPTY, TWOSTEP_WRONG (also when nothing
 * is pending), TWOSTEP_WAIT (*wait seconds) or TWOSTEP_ERROR.
 */
enum twostep_result twostep_enrol_finish(struct http_req *rq, const char *typed, long *wait);

/**
 * Check a code typed by u (six digits from the app, or a recovery code) and use it. The wait
 * of the account's login throttle is checked first (TWOSTEP_WAIT with *wait seconds); a wrong
 * code is counted there. A recovery code is logged (event "recovery_used") and mailed with
 * how many remain, in one transaction. Must not be called inside a transaction.
 */
enum twostep_result twostep_check(struct http_req *rq, const struct db_user *u, const char *typed,
                                  long *wait);

/**
 * Make a new set of recovery codes for the signed-in user (the old ones stop working) and keep
 * them sealed for this session for TWOSTEP_CODES_TTL, to be shown once. Inside the caller's
 * transaction. 0 or -1.
 */
int twostep_codes_new(struct http_req *rq);

/**
 * The new recovery codes of the signed-in user, if this session may still see them: each
 * "XXXXX-XXXXX" with a NUL, in codes. 1 shown, 0 none to show, -1 error.
 */
int twostep_codes_get(struct http_req *rq,
                      char codes[TWOSTEP_RECOVERY_N][TWOSTEP_RECOVERY_LEN + 2]);

/** Forget the new recovery codes kept for showing (the user has saved them). 0 or -1. */
int twostep_codes_forget(struct http_req *rq);

/** Unused recovery codes of the signed-in user, or -1. */
int twostep_codes_left(struct http_req *rq);

/**
 * Turn two-step verification off for the signed-in user: the secret and the recovery codes
 * are deleted, the event logged and the owner mailed, in one transaction. 0 or -1.
 */
int twostep_disable(struct http_req *rq);

/* --- step-up: a fresh code before what an attacker with the session would want ------------- */

/**
 * For a form that asks for a fresh code when the signed-in user has two-step verification:
 * sets "twostep_on" in d. 1 if on, 0 if off, -1 error.
 */
int twostep_form(struct http_req *rq, struct tv *d);

/**
 * The step-up check of a form whose field "code" carries the fresh code: when the signed-in
 * user has two-step verification on and need is 1, the code must be right (and is used);
 * otherwise this does nothing. A missing or wrong code is a form error in d beside the input
 * with the id field (why_key says why a code is asked, for an empty field). Returns 1 to go
 * on, 0 when the form must be shown again, -1 on error (503).
 */
int twostep_stepup(struct http_req *rq, struct tv *d, const char *field, int need,
                   const char *why_key);

/**
 * Whether a payment needs a fresh code: a send of more than the configured threshold, or a
 * card (when c is not NULL) this account has not paid with before (brand and last four
 * digits compared with its earlier transfers). 1 yes, 0 no, -1 error.
 */
int twostep_money_needs_code(struct http_req *rq, long long amount, int is_send,
                             const struct card *c);

/**
 * For the forms of a payment: sets in d "twostep_on", "stepup" (show the code field),
 * "stepup_send" (a send over the threshold: the field is needed), "stepup_card" (a card that
 * may be new: needed if it is) and "threshold" (formatted). 0, or -1 on error.
 */
int twostep_money_form(struct http_req *rq, struct tv *d, long long amount, int is_send,
                       int is_card);

/**
 * The step-up of a payment (twostep_money_needs_code, then twostep_stepup with field "code").
 * Returns 1 to go on, 0 when the form must be shown again (d has the error), -1 on error.
 */
int twostep_stepup_money(struct http_req *rq, struct tv *d, long long amount, int is_send,
                         const struct card *c);

#endif
