/* security.c - the security page (live sessions), account activity and "this wasn't me". */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "session.h"
#include "tv.h"
#include "twostep.h"
#include "ua.h"

#include <string.h>

#define SESSIONS_MAX    50 /* rows on the security page; more live sessions are unheard of */
#define EVENTS_PER_PAGE 20
#define PAGES_MAX       10000 /* ?page= beyond this is refused, so offsets stay small */
#define RESET_TTL       (30 * 60)
#define RESET_CODE_LEN  8

int handler_security_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	struct db_session_row *rows = NULL;
	int n = db_sessions_of_user(rq->db, rq->user.id, rq->now - SESSION_ABSOLUTE, 0,
	                            SESSIONS_MAX, &rows);
	int on = n < 0 ? -1 : twostep_form(rq, d);
	int left = on == 1 ? twostep_codes_left(rq) : 0;
	if (n < 0 || on < 0 || left < 0) {
		db_session_rows_release(rows, n < 0 ? 0 : n);
		tv_free(d);
		return handler_unavailable(rq, rs, "security");
	}
	if (on == 1) {
		struct tv *o = tv_set_obj(d, "twostep");
		tv_set_int(o, "left", left);
		tv_set_bool(o, "few", left <= 3);
		handler_set_money(rq, d, "threshold", rq->app->cfg.twostep_threshold);
	}
	struct tv *list = tv_set_list(d, "sessions");
	int others = 0;
	for (int i = 0; i < n; i++) {
		/* Idle or too old: session_load ends such a session at its next request. */
		int current = rows[i].id == rq->session.id;
		if (!current && (rq->now - rows[i].last_seen_at > SESSION_IDLE ||
		                 rq->now - rows[i].created_at > SESSION_ABSOLUTE))
			continue;
		struct tv *s = tv_push_obj(list);
		struct buf b = BUF_INIT;
		tv_set_int(s, "id", rows[i].id);
		tv_set_bool(s, "current", current);
		ua_summary(&b, rows[i].user_agent);
		tv_set_str(s, "device", b.ptr);
		tv_set_str(s, "ip", rows[i].ip ? rows[i].ip : "");
		buf_reset(&b);
		handler_time(&b, rows[i].created_at);
		tv_set_str(s, "started", b.ptr);
		buf_reset(&b);
		handler_time(&b, rows[i].last_seen_at);
		tv_set_str(s, "last_seen", b.ptr);
		buf_release(&b);
		others += !current;
	}
	db_session_rows_release(rows, n);
	tv_set_bool(d, "has_others", others > 0);
	return page_render(rq, rs, status, "security", "security_title", "account-security", d);
}

int h_security(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	if (*http_field(rq, "ended"))
		tv_set_bool(d, "ended", 1);
	long long count = http_number(http_field(rq, "others"), 4);
	if (count > 0) {
		struct tv *o = tv_set_obj(d, "ended_others");
		tv_set_int(o, "count", count);
	}
	if (*http_field(rq, "changed"))
		tv_set_bool(d, "changed", 1);
	/* Banners of two-step verification: saved codes, turned off, an enrolment too old. */
	if (*http_field(rq, "saved"))
		tv_set_bool(d, "twostep_saved", 1);
	if (strcmp(http_field(rq, "twostep"), "off") == 0)
		tv_set_bool(d, "twostep_turned_off", 1);
	if (*http_field(rq, "expired"))
		tv_set_bool(d, "twostep_expired", 1);
	return handler_security_page(rq, rs, 200, d);
}

int h_session_end(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	long long id = http_number(http_field(rq, "id"), 18);
	if (id < 0)
		return page_error(rq, rs, 400);
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	/* Only the account's own live sessions: an id of another account changes nothing. */
	int ended = db_session_end_own(rq->db, id, rq->user.id, rq->now);
	if (ended < 0 ||
	    (ended == 1 && db_event_add(rq->db, rq->user.id, "session_ended", rq->remote_addr,
	                                rq->user_agent, rq->now) < 0) ||
	    db_commit(rq->db) < 0)
		return handler_unavailable(rq, rs, "session end");
	if (ended == 1 && id == rq->session.id) {
		if (session_end(rq, rs) < 0)
			return handler_unavailable(rq, rs, "session end");
		return handler_see_other(rq, rs, "/account/login?bye=1");
	}
	return handler_see_other(rq, rs,
	                         ended == 1 ? "/account/security?ended=1" : "/account/security");
}

int h_sessions_end_others(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	int n = db_session_end_others(rq->db, rq->user.id, rq->session.id, rq->now);
	if (n < 0 ||
	    (n > 0 && db_event_add(rq->db, rq->user.id, "session_ended", rq->remote_addr,
	                           rq->user_agent, rq->now) < 0) ||
	    db_commit(rq->db) < 0)
		return handler_unavailable(rq, rs, "sessions end");
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/account/security?others=%d", n);
	int status = handler_see_other(rq, rs, n > 0 ? loc.ptr : "/account/security");
	buf_release(&loc);
	return status;
}

static void S_page_link(struct http_req *rq, struct tv *d, const char *key, long long page)
{
	struct tv *o = tv_set_obj(d, key);
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s/account/activity", locale_info[rq->locale].code);
	if (page > 1)
		buf_addf(&b, "?page=%lld", page);
	tv_set_str(o, "url", b.ptr);
	tv_set_int(o, "page", page);
	buf_release(&b);
}

int h_activity(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	const char *p = http_field(rq, "page");
	long long page = *p ? http_number(p, 5) : 1;
	if (page < 1 || page > PAGES_MAX)
		return page_error(rq, rs, 400);
	struct db_event *ev = NULL;
	long long total = 0;
	int n = db_events_page(rq->db, rq->user.id, (int)((page - 1) * EVENTS_PER_PAGE),
	                       EVENTS_PER_PAGE, &ev, &total);
	if (n < 0) {
		db_events_release(ev, 0);
		return handler_unavailable(rq, rs, "events");
	}
	struct tv *d = page_data(rq);
	struct tv *list = tv_set_list(d, "events");
	for (int i = 0; i < n; i++) {
		struct tv *e = tv_push_obj(list);
		struct buf b = BUF_INIT;
		buf_addf(&b, "event_%s", ev[i].kind);
		const char *what = i18n_get(&rq->app->theme.ui, rq->locale, b.ptr);
		/* A kind without a UI string yet is shown as stored rather than as the key. */
		tv_set_str(e, "what", what == b.ptr ? ev[i].kind : what);
		tv_set_bool(e, "warn",
		            strcmp(ev[i].kind, "login_failed") == 0 ||
		                strcmp(ev[i].kind, "account_locked") == 0);
		buf_reset(&b);
		handler_time(&b, ev[i].at);
		tv_set_str(e, "when", b.ptr);
		buf_reset(&b);
		ua_summary(&b, ev[i].user_agent);
		tv_set_str(e, "device", b.ptr);
		tv_set_str(e, "ip", ev[i].ip ? ev[i].ip : "");
		buf_release(&b);
	}
	db_events_release(ev, n);
	tv_set_bool(d, "has_events", n > 0);
	int has_prev = page > 1, has_next = (page - 1) * EVENTS_PER_PAGE + n < total;
	if (has_prev)
		S_page_link(rq, d, "prev", page - 1);
	if (has_next)
		S_page_link(rq, d, "next", page + 1);
	tv_set_bool(d, "has_pager", has_prev || has_next);
	return page_render(rq, rs, 200, "activity", "activity_page_title", "account-activity", d);
}

int h_not_me(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	char token[AUTH_TOKEN_LEN + 1], code[RESET_CODE_LEN + 1];
	unsigned char hash[32], code_hash[32];
	auth_token_new(token, hash);
	auth_code_new(code, RESET_CODE_LEN);
	if (auth_code_hash(code, RESET_CODE_LEN, code_hash) < 0)
		return handler_unavailable(rq, rs, "code hash");
	/*
	 * Every session ends, this one too: whoever else is signed in is out, and the password
	 * they may know stops working once the owner follows the reset link sent with it.
	 */
	if (db_begin(rq->db) < 0)
		return handler_unavailable(rq, rs, "begin");
	if (db_session_end_others(rq->db, rq->user.id, 0, rq->now) < 0 ||
	    db_event_add(rq->db, rq->user.id, "session_ended", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    db_token_replace(rq->db, rq->user.id, "reset", hash, code_hash, NULL, rq->now,
	                     rq->now + RESET_TTL) < 0 ||
	    db_event_add(rq->db, rq->user.id, "reset_requested", rq->remote_addr, rq->user_agent,
	                 rq->now) < 0 ||
	    outbox_reset(rq, &rq->user, token, code) < 0 || db_commit(rq->db) < 0)
		return handler_unavailable(rq, rs, "not me");
	app_mail_wake(rq->app);
	struct buf loc = BUF_INIT;
	buf_adds(&loc, "/account/password/sent?email=");
	http_query_value(&loc, rq->user.email, strlen(rq->user.email));
	/* The session row has ended already; this clears the cookie. */
	session_end(rq, rs);
	int status = handler_see_other(rq, rs, loc.ptr);
	buf_release(&loc);
	return status;
}
