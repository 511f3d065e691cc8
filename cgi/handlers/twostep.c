/* twostep.c - turning two-step verification on and off, its QR code and recovery codes. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "page.h"
#include "qr.h"
#include "session.h"
#include "throttle.h"
#include "totp.h"
#include "tv.h"
#include "twostep.h"

#include <stdio.h>
#include <string.h>

#define ISSUER "OKpay"

/*
 * The password of the signed-in user, typed into the field "password" of a form whose input
 * has the id field. The login throttle applies, and a wrong password counts against it.
 * 1 right, 0 wrong, empty or waiting (form error beside field), -1 failure.
 */
static int S_password(struct http_req *rq, struct tv *d, const char *field)
{
	const char *pw = http_field(rq, "password");
	long wait = throttle_login_wait(rq, rq->user.email);
	if (wait < 0)
		return -1;
	if (wait > 0) {
		page_field_error(rq, d, field, "err_code_wait");
		return 0;
	}
	enum auth_result ok = AUTH_MISMATCH;
	if (*pw)
		ok = auth_password_verify(rq->user.password_hash, pw, strlen(pw));
	else
		auth_password_verify_dummy(pw, 0);
	if (ok == AUTH_ERROR)
		return -1;
	if (ok == AUTH_OK)
		return 1;
	if (*pw && throttle_login_failed(rq, rq->user.email, &rq->user) < 0)
		return -1;
	page_field_error(rq, d, field, *pw ? "err_current_password" : "err_current_password_empty");
	return 0;
}

/* --- turning it on: password, QR code, first code ------------------------------------------ */

int h_twostep_start(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	int ok = S_password(rq, d, "twostep_password");
	if (ok <= 0) {
		if (ok < 0) {
			tv_free(d);
			return handler_unavailable(rq, rs, "password verify");
		}
		return handler_security_page(rq, rs, 400, d);
	}
	tv_free(d);
	int rc = twostep_enrol_start(rq);
	if (rc < 0)
		return handler_unavailable(rq, rs, "two-step start");
	/* Already on (a second tab): nothing to set up. */
	return handler_see_other(rq, rs, rc == 1 ? "/account/security" : "/account/twostep/setup");
}

static int S_setup_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	struct buf b32 = BUF_INIT, grouped = BUF_INIT;
	int rc = twostep_enrol_secret(rq, &b32);
	if (rc <= 0) {
		tv_free(d);
		buf_release(&b32);
		return rc < 0 ? handler_unavailable(rq, rs, "two-step secret")
		              : handler_see_other(rq, rs, "/account/security?expired=1");
	}
	totp_group(&grouped, b32.ptr);
	tv_set_str(d, "secret", grouped.ptr);
	tv_set_str(d, "account", rq->user.email);
	auth_wipe(b32.ptr, b32.len);
	auth_wipe(grouped.ptr, grouped.len);
	buf_release(&b32);
	buf_release(&grouped);
	/* The secret is in this page: keep it out of caches and Referer headers. */
	http_header(rs, "Referrer-Policy", "no-referrer");
	return page_render(rq, rs, status, "twostep-setup", "twostep_setup_title",
	                   "account-twostep-setup", d);
}

int h_twostep_setup(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	return S_setup_page(rq, rs, 200, page_data(rq));
}

int h_twostep_enable(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	long wait = 0;
	struct tv *d = NULL;
	switch (twostep_enrol_finish(rq, http_field(rq, "code"), &wait)) {
	case TWOSTEP_OK:
	case TWOSTEP_RECOVERY:
		return handler_see_other(rq, rs, "/account/twostep/codes");
	case TWOSTEP_EMPTY:
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_empty");
		return S_setup_page(rq, rs, 400, d);
	case TWOSTEP_WRONG:
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_setup_wrong");
		return S_setup_page(rq, rs, 400, d);
	case TWOSTEP_WAIT: {
		char v[32];
		snprintf(v, sizeof(v), "%ld", wait);
		http_header(rs, "Retry-After", v);
		d = page_data(rq);
		page_field_error(rq, d, "code", "err_code_wait");
		return S_setup_page(rq, rs, 429, d);
	}
	case TWOSTEP_ERROR:
	default:
		return handler_unavailable(rq, rs, "two-step enable");
	}
}

int h_twostep_qr(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct buf b32 = BUF_INIT, uri = BUF_INIT;
	int rc = twostep_enrol_secret(rq, &b32);
	if (rc <= 0) {
		buf_release(&b32);
		return rc < 0 ? handler_unavailable(rq, rs, "two-step secret")
		              : page_error(rq, rs, 404);
	}
	totp_uri(&uri, ISSUER, rq->user.email, b32.ptr);
	buf_reset(&rs->body);
	rc = qr_svg(&rs->body, uri.ptr, i18n_get(&rq->app->theme.ui, rq->locale, "twostep_qr_alt"));
	auth_wipe(b32.ptr, b32.len);
	auth_wipe(uri.ptr, uri.len);
	buf_release(&b32);
	buf_release(&uri);
	if (rc < 0) {
		buf_reset(&rs->body);
		return handler_unavailable(rq, rs, "qr code");
	}
	http_header(rs, "Content-Type", "image/svg+xml; charset=utf-8");
	http_header(rs, "X-Content-Type-Options", "nosniff");
	http_header(rs, "Referrer-Policy", "no-referrer");
	rs->status = 200;
	return 200;
}

/* --- recovery codes -------------------------------------------------------------------------- */

int h_twostep_codes(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	char codes[TWOSTEP_RECOVERY_N][TWOSTEP_RECOVERY_LEN + 2];
	int rc = twostep_codes_get(rq, codes);
	if (rc <= 0)
		return rc < 0 ? handler_unavailable(rq, rs, "recovery codes")
		              : handler_see_other(rq, rs, "/account/security");
	struct tv *d = page_data(rq);
	struct tv *list = tv_set_list(d, "codes");
	for (int i = 0; i < TWOSTEP_RECOVERY_N; i++)
		tv_push_str(list, codes[i], strlen(codes[i]));
	auth_wipe(codes, sizeof(codes));
	http_header(rs, "Referrer-Policy", "no-referrer");
	return page_render(rq, rs, 200, "twostep-codes", "twostep_codes_title",
	                   "account-twostep-codes", d);
}

int h_twostep_codes_txt(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	char codes[TWOSTEP_RECOVERY_N][TWOSTEP_RECOVERY_LEN + 2];
	int rc = twostep_codes_get(rq, codes);
	if (rc <= 0)
		return rc < 0 ? handler_unavailable(rq, rs, "recovery codes")
		              : page_error(rq, rs, 404);
	const struct i18n *ui = &rq->app->theme.ui;
	struct buf when = BUF_INIT;
	handler_time(&when, rq->now);
	buf_reset(&rs->body);
	/* CRLF: the file is read in Notepad as often as anywhere else. */
	buf_addf(&rs->body, "%s\r\n%s %s\r\n%s\r\n\r\n",
	         i18n_get(ui, rq->locale, "twostep_codes_file_title"), rq->user.email, when.ptr,
	         i18n_get(ui, rq->locale, "twostep_codes_file_text"));
	for (int i = 0; i < TWOSTEP_RECOVERY_N; i++)
		buf_addf(&rs->body, "%s\r\n", codes[i]);
	auth_wipe(codes, sizeof(codes));
	buf_release(&when);
	http_header(rs, "Content-Type", "text/plain; charset=utf-8");
	http_header(rs, "Content-Disposition", "attachment; filename=\"okpay-recovery-codes.txt\"");
	http_header(rs, "X-Content-Type-Options", "nosniff");
	rs->status = 200;
	return 200;
}

int h_twostep_codes_done(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	if (twostep_codes_forget(rq) < 0)
		return handler_unavailable(rq, rs, "recovery codes");
	return handler_see_other(rq, rs, "/account/security?saved=1");
}

/*
 * What the forms of an account with two-step verification on share: a session, verification
 * on, the password in the field whose input has the id password_field and, when code_field is
 * not NULL, a fresh code (checked only after the right password, so a wrong password does not
 * use a code up). 0 to go on; otherwise the status of the answer already made (the security
 * page with the errors, a redirect, or 503).
 */
static int S_checked(struct http_req *rq, struct http_resp *rs, const char *password_field,
                     const char *code_field)
{
	if (handler_need_session(rq, rs))
		return 303;
	int on = twostep_enabled(rq, rq->user.id);
	if (on < 0)
		return handler_unavailable(rq, rs, "two-step");
	if (!on)
		return handler_see_other(rq, rs, "/account/security");
	struct tv *d = page_data(rq);
	int ok = S_password(rq, d, password_field);
	if (ok == 1 && code_field)
		ok = twostep_stepup(rq, d, code_field, 1, "err_code_needed_off");
	if (ok == 1) {
		tv_free(d);
		return 0;
	}
	if (ok < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "two-step check");
	}
	return handler_security_page(rq, rs, 400, d);
}

int h_twostep_codes_new(struct http_req *rq, struct http_resp *rs)
{
	int status = S_checked(rq, rs, "codes_password", NULL);
	if (status)
		return status;
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	if (twostep_codes_new(rq) < 0 ||
	    db_event_add(rq->db, rq->user.id, "recovery_codes_new", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return handler_unavailable(rq, rs, "recovery codes");
	}
	return handler_see_other(rq, rs, "/account/twostep/codes");
}

/* --- turning it off: password and a fresh code ----------------------------------------------- */

int h_twostep_off(struct http_req *rq, struct http_resp *rs)
{
	int status = S_checked(rq, rs, "off_password", "off_code");
	if (status)
		return status;
	if (twostep_disable(rq) < 0)
		return handler_unavailable(rq, rs, "two-step off");
	return handler_see_other(rq, rs, "/account/security?twostep=off");
}
