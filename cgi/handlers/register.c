/* register.c - /{lang}/account/register: create an account without revealing existing ones. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "policy.h"
#include "session.h"
#include "throttle.h"
#include "tv.h"

#include <stdio.h>
#include <string.h>

#define VERIFY_TTL         (24 * 3600)
#define REGISTER_IP_BURST  50.0         /* registrations from one address ... */
#define REGISTER_IP_PERIOD 3600.0       /* ... per hour */
#define ATTEMPT_BURST      3.0          /* "someone tried to register" mails per account ... */
#define ATTEMPT_RATE       (3.0 / 3600) /* ... refilled at 3 an hour */

static int S_form(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	return page_render(rq, rs, status, "register", "register_title", "account-register", d);
}

int h_register_form(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session)
		return handler_see_other(rq, rs, "/account/");
	session_ensure_pre(rq, rs);
	return S_form(rq, rs, 200, page_data(rq));
}

int h_register_sent(struct http_req *rq, struct http_resp *rs)
{
	return page_render(rq, rs, 200, "register-sent", "register_sent_title",
	                   "account-register-sent", page_data(rq));
}

/* Validate every field; errors go into d. Returns 1 if all are fine. */
static int S_validate(struct http_req *rq, struct tv *d, struct buf *name, struct buf *email)
{
	static const char *name_msg[] = {NULL, "err_name_empty", "err_name_too_long",
	                                 "err_name_invalid"};
	static const char *email_msg[] = {NULL, "err_email_empty", "err_email_too_long",
	                                  "err_email_invalid"};
	static const char *pw_msg[] = {NULL,
	                               "err_password_too_short",
	                               "err_password_too_long",
	                               "err_password_same_as_email",
	                               "err_password_same_as_name",
	                               "err_password_guessable"};
	const char *n = http_field(rq, "name"), *e = http_field(rq, "email");
	const char *pw = http_field(rq, "password"), *pw2 = http_field(rq, "password2");
	int ok = 1;

	enum policy_name pn = policy_name(name, n, strlen(n));
	if (pn != POLICY_NAME_OK) {
		page_field_error(rq, d, "name", name_msg[pn]);
		ok = 0;
	}
	enum policy_email pe = policy_email(email, e, strlen(e));
	if (pe != POLICY_EMAIL_OK) {
		page_field_error(rq, d, "email", email_msg[pe]);
		ok = 0;
	}
	enum policy_password pp = policy_password(pw, strlen(pw), email->ptr, name->ptr);
	if (!*pw) {
		page_field_error(rq, d, "password", "err_password_empty");
		ok = 0;
	} else if (pp != POLICY_PW_OK) {
		page_field_error(rq, d, "password", pw_msg[pp]);
		ok = 0;
	}
	if (strcmp(pw, pw2) != 0) {
		page_field_error(rq, d, "password2", "err_password_mismatch");
		ok = 0;
	}
	if (strcmp(http_field(rq, "terms"), "yes") != 0) {
		page_field_error(rq, d, "terms", "err_terms");
		ok = 0;
	}
	return ok;
}

int h_register(struct http_req *rq, struct http_resp *rs)
{
	struct buf name = BUF_INIT, email = BUF_INIT;
	struct db_user existing = {0};
	char hash[128], token[AUTH_TOKEN_LEN + 1];
	unsigned char token_hash[32];
	long long id;
	int status;
	long retry = 0;
	int allowed = throttle_ip(rq, "register", REGISTER_IP_BURST, REGISTER_IP_PERIOD, &retry);
	if (allowed <= 0) {
		status = allowed < 0 ? handler_unavailable(rq, rs, "rate limit")
		                     : handler_too_many(rq, rs, retry);
		goto out;
	}
	struct tv *d = page_data(rq);

	if (!S_validate(rq, d, &name, &email)) {
		page_keep(rq, d, "name");
		page_keep(rq, d, "email");
		status = S_form(rq, rs, 400, d);
		goto out;
	}
	tv_free(d);
	/* Hash before anything else, so that new and existing addresses cost the same. */
	const char *pw = http_field(rq, "password");
	if (auth_password_hash(hash, pw, strlen(pw)) < 0) {
		status = handler_unavailable(rq, rs, "password hash");
		goto out;
	}
	if (db_begin(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "begin");
		goto out;
	}
	int rc = db_user_insert(rq->db, email.ptr, name.ptr, hash, locale_info[rq->locale].code,
	                        rq->now, &id);
	if (rc == 1) {
		/* Same answer as for a new address; the owner learns about the attempt by mail. */
		long retry;
		char key[64];
		if (db_user_by_email(rq->db, email.ptr, &existing) != 1) {
			status = handler_unavailable(rq, rs, "register attempt");
			goto out;
		}
		/* At most a few such notices an hour, so nobody can flood an owner's inbox. */
		snprintf(key, sizeof(key), "attempt-mail:%lld", existing.id);
		int mail = db_rate_take(rq->db, key, ATTEMPT_BURST, ATTEMPT_RATE, rq->now * 1000LL,
		                        &retry);
		if (mail < 0 || (mail == 1 && outbox_register_attempt(rq, &existing) < 0)) {
			status = handler_unavailable(rq, rs, "register attempt");
			goto out;
		}
	} else if (rc == 0) {
		struct db_user u = {.id = id,
		                    .email = email.ptr,
		                    .name = name.ptr,
		                    .locale = (char *)locale_info[rq->locale].code};
		auth_token_new(token, token_hash);
		if (db_token_replace(rq->db, id, "verify", token_hash, NULL, NULL, rq->now,
		                     rq->now + VERIFY_TTL) < 0 ||
		    db_event_add(rq->db, id, "registered", rq->remote_addr, rq->user_agent,
		                 rq->now) < 0 ||
		    outbox_verify(rq, &u, token) < 0) {
			status = handler_unavailable(rq, rs, "register");
			goto out;
		}
	} else {
		status = handler_unavailable(rq, rs, "user insert");
		goto out;
	}
	if (db_commit(rq->db) < 0) {
		status = handler_unavailable(rq, rs, "commit");
		goto out;
	}
	app_mail_wake(rq->app);
	status = handler_see_other(rq, rs, "/account/register/sent");
out:
	db_user_release(&existing);
	buf_release(&name);
	buf_release(&email);
	return status;
}
