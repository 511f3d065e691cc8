/* router.c - the one table of portal pages. */
#include "router.h"
#include "app.h"
#include "handlers.h"
#include "page.h"
#include "session.h"
#include "util.h"

#include <string.h>

struct route {
	const char *path; /* after the locale prefix; a final '*' matches any rest (the handler
	                     reads it from rq->route) */
	handler_fn get;   /* GET and HEAD */
	handler_fn post;
};

static const struct route routes[] = {
    {"/account/", h_overview, NULL},
    {"/account/register", h_register_form, h_register},
    {"/account/register/sent", h_register_sent, NULL},
    {"/account/verify", h_verify_page, h_verify},
    {"/account/verify/done", h_verify_done, NULL},
    {"/account/verify/resend", h_resend_form, h_resend},
    {"/account/verify/sent", h_resend_sent, NULL},
    {"/account/login", h_login_form, h_login},
    {"/account/login/code", h_login_code_form, h_login_code},
    {"/account/logout", NULL, h_logout},
    {"/account/password/forgot", h_forgot_form, h_forgot},
    {"/account/password/sent", h_forgot_sent, h_reset_code},
    {"/account/password/reset", h_reset_form, h_reset},
    {"/account/password/change", h_password_change_form, h_password_change},
    {"/account/security", h_security, NULL},
    {"/account/security/end", NULL, h_session_end},
    {"/account/security/end-others", NULL, h_sessions_end_others},
    {"/account/activity", h_activity, NULL},
    {"/account/activity/not-me", NULL, h_not_me},
    {"/account/twostep/start", NULL, h_twostep_start},
    {"/account/twostep/setup", h_twostep_setup, h_twostep_enable},
    {"/account/twostep/qr.svg", h_twostep_qr, NULL},
    {"/account/twostep/codes", h_twostep_codes, h_twostep_codes_new},
    {"/account/twostep/codes.txt", h_twostep_codes_txt, NULL},
    {"/account/twostep/codes/done", NULL, h_twostep_codes_done},
    {"/account/twostep/off", NULL, h_twostep_off},
    {"/account/email", h_email_form, h_email},
    {"/account/email/confirm", h_email_confirm_page, h_email_confirm},
    {"/account/email/undo", h_email_undo_page, h_email_undo},
    {"/account/add-money", h_add_money_form, h_add_money},
    {"/account/add-money/bank", h_add_money_bank, NULL},
    {"/account/send", h_send_form, h_send},
    {"/account/send/review", h_send_review, NULL},
    {"/account/send/confirm", NULL, h_send_confirm},
    {"/account/transactions", h_transactions, NULL},
    {"/account/transactions.csv", h_statement_csv, NULL},
    {"/account/transactions/*", h_transaction, NULL},
    {"/support/contact", h_ticket_form, h_ticket_new},
    {"/support/sent", h_ticket_sent, NULL},
    {"/support/tickets", h_tickets, NULL},
    {"/support/tickets/*", h_ticket, h_ticket_reply},
    {"/feedback", h_feedback_done, h_feedback},
    {"/search", h_search, NULL},
    {"/search.json", h_search_json, NULL},
};

/*
 * POST handlers that verify or make a password hash (cgi/auth.h: argon2id, 80 MiB, 0.1 s of
 * CPU or more), directly or through a helper: router_hashes sends them to the hash threads.
 * A handler that starts to hash must be added here, or it holds up a worker again.
 */
static const handler_fn hashing_posts[] = {
    h_login, h_register,      h_reset_code,        h_reset,       h_password_change,
    h_email, h_twostep_start, h_twostep_codes_new, h_twostep_off,
};

static int S_match(const char *pattern, const char *route)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, route, n - 1) == 0 && route[n - 1] != '\0';
	return strcmp(pattern, route) == 0;
}

int router_hashes(const char *method, const char *path)
{
	if (strcmp(method, "POST") != 0 || strlen(path) < 4 || path[0] != '/' || path[3] != '/' ||
	    locale_from_code(path + 1, 2) < 0)
		return 0;
	const struct route *r = NULL;
	/* The first match, as router_dispatch takes it. */
	for (size_t i = 0; i < ARRAY_LEN(routes) && !r; i++)
		if (S_match(routes[i].path, path + 3))
			r = &routes[i];
	for (size_t i = 0; r && r->post && i < ARRAY_LEN(hashing_posts); i++)
		if (r->post == hashing_posts[i])
			return 1;
	return 0;
}

static int S_method_not_allowed(struct http_req *rq, struct http_resp *rs, const struct route *r)
{
	http_header(rs, "Allow",
	            r->get && r->post ? "GET, HEAD, POST"
	            : r->get          ? "GET, HEAD"
	                              : "POST");
	return page_error(rq, rs, 405);
}

static int S_dev(struct http_req *rq, struct http_resp *rs)
{
	rq->locale = LOCALE_EN;
	rq->route = NULL;
	if (!rq->app->cfg.dev)
		return page_error(rq, rs, 404);
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		http_header(rs, "Allow", "GET, HEAD");
		return page_error(rq, rs, 405);
	}
	if (strcmp(rq->path, "/_dev/mail") == 0 || strcmp(rq->path, "/_dev/mail/") == 0)
		return h_dev_mail_list(rq, rs);
	if (strncmp(rq->path, "/_dev/mail/", 11) == 0)
		return h_dev_mail_show(rq, rs);
	return page_error(rq, rs, 404);
}

int router_dispatch(struct http_req *rq, struct http_resp *rs, int body_error)
{
	const char *p = rq->path;
	int l = strlen(p) >= 3 && p[0] == '/' && (p[3] == '/' || p[3] == '\0')
	            ? locale_from_code(p + 1, 2)
	            : -1;

	if (session_load(rq) < 0)
		return handler_unavailable(rq, rs, "session");
	if (strncmp(p, "/_dev/", 6) == 0)
		return S_dev(rq, rs);
	rq->locale = l < 0 ? LOCALE_ZH : (enum locale)l;
	rq->route = l < 0 ? "/" : p + 3;
	if (l < 0)
		return page_error(rq, rs, 404);

	const struct route *r = NULL;
	for (size_t i = 0; i < ARRAY_LEN(routes) && !r; i++)
		if (S_match(routes[i].path, rq->route))
			r = &routes[i];
	if (!r)
		return page_error(rq, rs, 404);

	int is_get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
	int is_post = strcmp(rq->method, "POST") == 0;
	if ((is_get && !r->get) || (is_post && !r->post) || (!is_get && !is_post))
		return S_method_not_allowed(rq, rs, r);
	if (is_get)
		return r->get(rq, rs);

	if (body_error == -1) {
		http_header(rs, "Accept-Post",
		            strcmp(r->path, "/support/contact") == 0
		                ? "application/x-www-form-urlencoded, multipart/form-data"
		                : "application/x-www-form-urlencoded");
		return page_error(rq, rs, 415);
	}
	if (body_error == -2)
		return page_error(rq, rs, 413);
	if (body_error != FORM_OK)
		return page_error(rq, rs, 400);
	/*
	 * The feedback form sits on every static article page, which cannot carry a token: its
	 * POSTs are checked by Origin (or Sec-Fetch-Site) alone, and change nothing but a vote.
	 */
	if (r->post == h_feedback ? !session_origin_ok(rq) : !session_csrf_ok(rq))
		return page_error(rq, rs, 403);
	return r->post(rq, rs);
}
