/* users.c - okpay-admin user find, show, lock and unlock, and twostep-off: accounts. */
#include "admin.h"
#include "money.h"
#include "outbox.h"
#include "session.h"
#include "twostep.h"
#include "ua.h"

#include <stdlib.h>
#include <string.h>

#define FIND_MAX     50  /* rows user find shows: a search, not a dump of the table */
#define ACTIVITY_MAX 10  /* recent events user show lists */
#define REASON_MAX   500 /* bytes of a lock's reason */

/* --- user find ----------------------------------------------------------------------------- */

static int S_find(struct admin_ctx *c)
{
	const char *text = c->pos[0];
	if (!*text)
		return admin_usage(c, "give an address or a part of one");
	struct db_user *u = NULL;
	int n = db_users_find(c->db, text, FIND_MAX, &u);
	if (n < 0)
		return admin_db_error(c, "cannot read the users");
	struct buf out = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_array(&j);
		for (int i = 0; i < n; i++) {
			buf_addc(&out, '\n');
			admin_out_json_object(&j);
			admin_out_json_key(&j, "id");
			admin_out_json_int(&j, u[i].id);
			admin_out_json_key(&j, "email");
			admin_out_json_str(&j, u[i].email);
			admin_out_json_key(&j, "name");
			admin_out_json_str(&j, u[i].name);
			admin_out_json_key(&j, "verified");
			admin_out_json_bool(&j, u[i].verified_at != 0);
			admin_out_json_key(&j, "locked");
			admin_out_json_bool(&j, u[i].locked_at != 0);
			admin_out_json_key(&j, "created");
			admin_out_json_time(&j, u[i].created_at);
			admin_out_json_end(&j, '}');
		}
		buf_adds(&out, n ? "\n]\n" : "]\n");
	} else if (n > 0) {
		static const char *const head[] = {"id",       "email",  "name",
		                                   "verified", "locked", "created"};
		struct admin_out_table t;
		admin_out_table_init(&t, 6, head);
		t.align[0] = ADMIN_OUT_RIGHT;
		for (int i = 0; i < n; i++) {
			buf_reset(&t1);
			admin_out_time(&t1, u[i].created_at);
			admin_out_table_cellf(&t, "%lld", u[i].id);
			admin_out_table_cell(&t, u[i].email);
			admin_out_table_cell(&t, u[i].name);
			admin_out_table_cell(&t, u[i].verified_at ? "yes" : "no");
			admin_out_table_cell(&t, u[i].locked_at ? "LOCKED" : "no");
			admin_out_table_cell(&t, t1.ptr);
		}
		admin_out_table_render(&t, &out);
		admin_out_table_release(&t);
		if (n == FIND_MAX)
			buf_addf(&out, "(the first %d; type more of the address)\n", FIND_MAX);
	}
	admin_print(&out);
	if (n == 0)
		admin_err(c, "no account's email contains \"%s\"", text);
	buf_release(&out);
	buf_release(&t1);
	buf_release(&t2);
	db_users_release(u, n);
	return n ? ADMIN_DONE : ADMIN_NO;
}

static const struct admin_cmd S_cmd_find = {
    .name = "find",
    .args = "EMAIL",
    .npos = 1,
    .summary = "accounts whose email contains EMAIL, in any case",
    .help = "Accounts whose email address contains EMAIL, in any case: the exact address first,\n"
            "then the others by address, at most 50. A whole address finds that account; a\n"
            "part such as \"@example.com\" or \"li.wei\" finds every account that contains it.\n"
            "Exit 1 when none does.\n",
    .run = S_find,
};

/* --- user show ----------------------------------------------------------------------------- */

/* Load user id into *u for command c: ADMIN_DONE, ADMIN_NO (with a message), ADMIN_ERROR. */
static int S_user(struct admin_ctx *c, long long id, struct db_user *u)
{
	int found = db_user_by_id(c->db, id, u);
	if (found < 0)
		return admin_db_error(c, "cannot read the user");
	if (found == 0) {
		admin_err(c, "no user with id %lld", id);
		return ADMIN_NO;
	}
	return ADMIN_DONE;
}

static int S_show(struct admin_ctx *c)
{
	long long id;
	if (admin_id(c, c->pos[0], "user", &id) < 0)
		return ADMIN_USAGE;
	struct db_user u = {0};
	struct db_account w = {0};
	struct db_twostep ts;
	struct db_event *ev = NULL;
	struct buf out = BUF_INIT, v = BUF_INIT;
	char *reason = NULL;
	int nev = 0, rc = S_user(c, id, &u);
	if (rc != ADMIN_DONE)
		goto out;
	rc = ADMIN_ERROR;
	int has_wallet = db_wallet_by_user(c->db, id, &w);
	int twostep = db_twostep_get(c->db, id, &ts);
	int sessions =
	    db_sessions_live(c->db, id, c->now - SESSION_IDLE, c->now - SESSION_ABSOLUTE);
	reason = db_user_lock_reason(c->db, id);
	nev = db_events_recent(c->db, id, ACTIVITY_MAX, &ev);
	if (has_wallet < 0 || twostep < 0 || sessions < 0 || !reason || nev < 0) {
		rc = admin_db_error(c, "cannot read the account");
		goto out;
	}
	int twostep_on = twostep == 1 && ts.enabled_at != 0;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "id");
		admin_out_json_int(&j, u.id);
		admin_out_json_key(&j, "email");
		admin_out_json_str(&j, u.email);
		admin_out_json_key(&j, "name");
		admin_out_json_str(&j, u.name);
		admin_out_json_key(&j, "locale");
		admin_out_json_str(&j, u.locale);
		admin_out_json_key(&j, "created");
		admin_out_json_time(&j, u.created_at);
		admin_out_json_key(&j, "verified");
		admin_out_json_time(&j, u.verified_at);
		admin_out_json_key(&j, "locked");
		admin_out_json_time(&j, u.locked_at);
		admin_out_json_key(&j, "lock_reason");
		admin_out_json_str(&j, u.locked_at ? reason : NULL);
		admin_out_json_key(&j, "twostep");
		admin_out_json_bool(&j, twostep_on);
		admin_out_json_key(&j, "wallet");
		if (has_wallet) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "number");
			admin_out_json_str(&j, w.number);
			admin_out_json_key(&j, "balance");
			admin_out_json_int(&j, w.balance);
			admin_out_json_key(&j, "currency");
			admin_out_json_str(&j, c->app->cfg.currency.code);
			admin_out_json_end(&j, '}');
		} else {
			admin_out_json_null(&j);
		}
		admin_out_json_key(&j, "sessions");
		admin_out_json_int(&j, sessions);
		admin_out_json_key(&j, "activity");
		admin_out_json_array(&j);
		for (int i = 0; i < nev; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "at");
			admin_out_json_time(&j, ev[i].at);
			admin_out_json_key(&j, "event");
			admin_out_json_str(&j, ev[i].kind);
			admin_out_json_key(&j, "ip");
			admin_out_json_str(&j, ev[i].ip);
			admin_out_json_key(&j, "user_agent");
			admin_out_json_str(&j, ev[i].user_agent);
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		static const char *const head[] = {"account", ""};
		struct admin_out_table t;
		admin_out_table_init(&t, 2, head);
		admin_out_table_cell(&t, "id");
		admin_out_table_cellf(&t, "%lld", u.id);
		admin_out_table_cell(&t, "email");
		admin_out_table_cell(&t, u.email);
		admin_out_table_cell(&t, "name");
		admin_out_table_cell(&t, u.name);
		admin_out_table_cell(&t, "language");
		admin_out_table_cell(&t, u.locale);
		admin_out_table_cell(&t, "created");
		admin_out_time(&v, u.created_at);
		admin_out_table_cell(&t, v.ptr);
		admin_out_table_cell(&t, "verified");
		buf_reset(&v);
		if (u.verified_at)
			admin_out_time(&v, u.verified_at);
		admin_out_table_cell(&t, u.verified_at ? v.ptr : "no");
		admin_out_table_cell(&t, "locked");
		buf_reset(&v);
		if (u.locked_at) {
			buf_adds(&v, "LOCKED since ");
			admin_out_time(&v, u.locked_at);
			buf_addf(&v, ": %s", reason);
		}
		admin_out_table_cell(&t, u.locked_at ? v.ptr : "no");
		admin_out_table_cell(&t, "two-step");
		admin_out_table_cell(&t, twostep_on ? "on" : "off");
		admin_out_table_cell(&t, "wallet");
		admin_out_table_cell(&t, has_wallet ? w.number : "none");
		admin_out_table_cell(&t, "balance");
		buf_reset(&v);
		if (has_wallet)
			money_format(&v, w.balance, &c->app->cfg.currency, LOCALE_EN);
		admin_out_table_cell(&t, has_wallet ? v.ptr : "-");
		admin_out_table_cell(&t, "sessions");
		admin_out_table_cellf(&t, "%d live", sessions);
		admin_out_table_render(&t, &out);
		admin_out_table_release(&t);

		static const char *const evhead[] = {"activity (newest first)", "event", "address",
		                                     "device"};
		admin_out_table_init(&t, 4, evhead);
		for (int i = 0; i < nev; i++) {
			buf_reset(&v);
			admin_out_time(&v, ev[i].at);
			admin_out_table_cell(&t, v.ptr);
			admin_out_table_cell(&t, ev[i].kind);
			admin_out_table_cell(&t, ev[i].ip);
			buf_reset(&v);
			ua_summary(&v, ev[i].user_agent);
			admin_out_table_cell(&t, v.ptr);
		}
		buf_addc(&out, '\n');
		if (nev)
			admin_out_table_render(&t, &out);
		else
			buf_adds(&out, "no activity\n");
		admin_out_table_release(&t);
	}
	admin_print(&out);
	rc = ADMIN_DONE;
out:
	db_user_release(&u);
	db_events_release(ev, nev > 0 ? nev : 0);
	free(reason);
	buf_release(&out);
	buf_release(&v);
	return rc;
}

static const struct admin_cmd S_cmd_show = {
    .name = "show",
    .args = "ID",
    .npos = 1,
    .summary = "one account: profile, lock, two-step, wallet, sessions, recent activity",
    .help = "One account by id (user find gives it): email, name, language, when it was created\n"
            "and verified, whether it is locked (since when and why), two-step verification on\n"
            "or off, its wallet's number and balance, how many sessions are live and the last\n"
            "10 events of its activity. Exit 1 when there is no such user.\n",
    .run = S_show,
};

/* --- user lock, user unlock ---------------------------------------------------------------- */

static void S_lock_out(const struct admin_ctx *c, const struct db_user *u, int locked, int changed,
                       int ended)
{
	struct buf out = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "id");
		admin_out_json_int(&j, u->id);
		admin_out_json_key(&j, "email");
		admin_out_json_str(&j, u->email);
		admin_out_json_key(&j, "locked");
		admin_out_json_bool(&j, locked);
		admin_out_json_key(&j, "changed");
		admin_out_json_bool(&j, changed);
		admin_out_json_key(&j, "sessions_ended");
		admin_out_json_int(&j, ended);
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		buf_addf(&out, "user %lld ", u->id);
		admin_out_text(&out, u->email, strlen(u->email));
		if (!changed)
			buf_adds(&out, locked ? ": locked already\n" : ": not locked\n");
		else if (locked)
			buf_addf(&out, ": locked; %d session%s ended; the owner is mailed\n", ended,
			         ended == 1 ? "" : "s");
		else
			buf_adds(&out, ": unlocked; the owner is mailed\n");
	}
	admin_print(&out);
	buf_release(&out);
}

/*
 * Lock (locked 1) or unlock the account of c->pos[0] in one transaction: the flag, on a lock
 * the end of every session, the activity event, the mail and the operator log.
 */
static int S_set_lock(struct admin_ctx *c, int locked)
{
	long long id;
	const char *reason = locked ? admin_opt(c, "reason") : "";
	if (admin_id(c, c->pos[0], "user", &id) < 0)
		return ADMIN_USAGE;
	if (locked) {
		if (strlen(reason) > REASON_MAX)
			return admin_usage(c, "the reason is longer than %d bytes", REASON_MAX);
		for (const char *p = reason; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return admin_usage(c, "the reason has a control character");
	}
	struct http_req rq;
	admin_req(c, &rq);
	int rc = S_user(c, id, &rq.user);
	if (rc != ADMIN_DONE)
		goto out;
	struct buf target = BUF_INIT, details = BUF_INIT;
	int changed = -1, ended = 0;
	buf_addf(&target, "user:%lld", id);
	if (db_begin(c->db) < 0)
		goto fail;
	changed = locked ? db_user_lock(c->db, id, c->now, reason) : db_user_unlock(c->db, id);
	if (changed < 0)
		goto fail;
	if (changed) {
		/* A lock ends every session at once: nobody stays logged in to a locked account. */
		if (locked && (ended = db_session_end_others(c->db, id, 0, c->now)) < 0)
			goto fail;
		if (locked)
			buf_addf(&details, "%s (%d session%s ended)", reason, ended,
			         ended == 1 ? "" : "s");
		if (db_event_add(c->db, id, locked ? "account_locked" : "account_unlocked",
		                 rq.remote_addr, rq.user_agent, c->now) < 0 ||
		    outbox_account_lock(&rq, &rq.user, locked) < 0 ||
		    admin_log(c, target.ptr, details.ptr) < 0)
			goto fail;
	}
	if (db_commit(c->db) < 0)
		goto fail;
	S_lock_out(c, &rq.user, locked, changed, ended);
	rc = ADMIN_DONE;
	goto done;
fail:
	rc = admin_db_error(c, "failed, nothing changed");
	db_rollback(c->db);
done:
	buf_release(&target);
	buf_release(&details);
out:
	db_user_release(&rq.user);
	return rc;
}

static int S_lock(struct admin_ctx *c)
{
	return S_set_lock(c, 1);
}

static int S_unlock(struct admin_ctx *c)
{
	return S_set_lock(c, 0);
}

static const struct admin_cmd S_cmd_lock = {
    .name = "lock",
    .args = "ID",
    .npos = 1,
    .opts = {{"reason", "R", "why (required; kept for the operators, not mailed)", 1}},
    .summary = "lock an account: no login, no money; sessions ended, owner mailed",
    .help = "Lock the account with this id, for example when fraud is suspected: the portal\n"
            "refuses its logins (\"locked by customer service\") and its money movements, every\n"
            "session of it ends now, the activity page shows \"Account locked\", and the owner\n"
            "is mailed in their language. R is kept with the lock (user show, the operator log)\n"
            "and is not in the mail. Locking a locked account changes nothing.\n",
    .flags = ADMIN_WRITES | ADMIN_MAIL,
    .run = S_lock,
};

static const struct admin_cmd S_cmd_unlock = {
    .name = "unlock",
    .args = "ID",
    .npos = 1,
    .summary = "unlock an account; the owner is mailed",
    .help = "Unlock the account with this id: it can log in and move money again, the\n"
            "activity page shows \"Account unlocked\", and the owner is mailed. Unlocking an\n"
            "account that is not locked changes nothing.\n",
    .flags = ADMIN_WRITES | ADMIN_MAIL,
    .run = S_unlock,
};

static const struct admin_cmd *const S_user_cmds[] = {&S_cmd_find, &S_cmd_show, &S_cmd_lock,
                                                      &S_cmd_unlock, NULL};

const struct admin_cmd admin_cmd_user = {
    .name = "user",
    .summary = "accounts",
    .sub = S_user_cmds,
};

/* --- twostep-off --------------------------------------------------------------------------- */

static int S_twostep_off(struct admin_ctx *c)
{
	struct http_req rq;
	struct buf out = BUF_INIT, target = BUF_INIT;
	int rc = ADMIN_ERROR;
	admin_req(c, &rq);
	int found = db_user_by_email(c->db, c->pos[0], &rq.user);
	if (found == 0) {
		admin_err(c, "no account with email %s", c->pos[0]);
		rc = ADMIN_NO;
		goto out;
	}
	int on = found < 0 ? -1 : twostep_enabled(&rq, rq.user.id);
	if (on < 0 || (on == 1 && twostep_disable(&rq) < 0)) {
		rc = admin_db_error(c, "failed");
		goto out;
	}
	buf_addf(&target, "user:%lld", rq.user.id);
	/* Turned off already: nothing changed, nothing to log. */
	if (on == 1 && admin_log(c, target.ptr, "") < 0) {
		rc = admin_db_error(c, "turned off, but cannot write the operator log");
		goto out;
	}
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "id");
		admin_out_json_int(&j, rq.user.id);
		admin_out_json_key(&j, "email");
		admin_out_json_str(&j, rq.user.email);
		admin_out_json_key(&j, "changed");
		admin_out_json_bool(&j, on == 1);
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		admin_out_text(&out, rq.user.email, strlen(rq.user.email));
		buf_adds(&out, on == 1 ? ": two-step verification turned off; the owner is mailed\n"
		                       : ": two-step verification is off already\n");
	}
	admin_print(&out);
	rc = ADMIN_DONE;
out:
	db_user_release(&rq.user);
	buf_release(&out);
	buf_release(&target);
	return rc;
}

const struct admin_cmd admin_cmd_twostep_off = {
    .name = "twostep-off",
    .args = "EMAIL",
    .npos = 1,
    .summary = "turn two-step verification off for an owner who lost app and codes",
    .help = "Turn two-step verification off for the account with this email, for an owner who\n"
            "lost both the authenticator and the recovery codes (check who they are first).\n"
            "The activity shows twostep_off from okpay-admin and the owner is mailed.\n",
    .flags = ADMIN_WRITES | ADMIN_MAIL,
    .run = S_twostep_off,
};
