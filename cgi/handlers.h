/* handlers.h - one function per page and method; routed by router.c. Each returns the status. */
#ifndef CGI_HANDLERS_H
#define CGI_HANDLERS_H

#include "http.h"

typedef int (*handler_fn)(struct http_req *rq, struct http_resp *rs);

int h_overview(struct http_req *rq, struct http_resp *rs);
int h_register_form(struct http_req *rq, struct http_resp *rs);
int h_register(struct http_req *rq, struct http_resp *rs);
int h_register_sent(struct http_req *rq, struct http_resp *rs);
int h_verify_page(struct http_req *rq, struct http_resp *rs);
int h_verify(struct http_req *rq, struct http_resp *rs);
int h_verify_done(struct http_req *rq, struct http_resp *rs);
int h_resend_form(struct http_req *rq, struct http_resp *rs);
int h_resend(struct http_req *rq, struct http_resp *rs);
int h_resend_sent(struct http_req *rq, struct http_resp *rs);
int h_login_form(struct http_req *rq, struct http_resp *rs);
int h_login(struct http_req *rq, struct http_resp *rs);
int h_logout(struct http_req *rq, struct http_resp *rs);
/* Password recovery and change (handlers/password.c). */
int h_forgot_form(struct http_req *rq, struct http_resp *rs);
int h_forgot(struct http_req *rq, struct http_resp *rs);
int h_forgot_sent(struct http_req *rq, struct http_resp *rs);
int h_reset_code(struct http_req *rq, struct http_resp *rs);
int h_reset_form(struct http_req *rq, struct http_resp *rs);
int h_reset(struct http_req *rq, struct http_resp *rs);
int h_password_change_form(struct http_req *rq, struct http_resp *rs);
int h_password_change(struct http_req *rq, struct http_resp *rs);
/* Security page, sessions, activity (handlers/security.c); email change (handlers/email.c). */
int h_security(struct http_req *rq, struct http_resp *rs);
int h_session_end(struct http_req *rq, struct http_resp *rs);
int h_sessions_end_others(struct http_req *rq, struct http_resp *rs);
int h_activity(struct http_req *rq, struct http_resp *rs);
int h_not_me(struct http_req *rq, struct http_resp *rs);
/* Two-step verification (handlers/twostep.c; the login's second step is in login.c). */
int h_login_code_form(struct http_req *rq, struct http_resp *rs);
int h_login_code(struct http_req *rq, struct http_resp *rs);
int h_twostep_start(struct http_req *rq, struct http_resp *rs);
int h_twostep_setup(struct http_req *rq, struct http_resp *rs);
int h_twostep_enable(struct http_req *rq, struct http_resp *rs);
int h_twostep_qr(struct http_req *rq, struct http_resp *rs);
int h_twostep_codes(struct http_req *rq, struct http_resp *rs);
int h_twostep_codes_new(struct http_req *rq, struct http_resp *rs);
int h_twostep_codes_txt(struct http_req *rq, struct http_resp *rs);
int h_twostep_codes_done(struct http_req *rq, struct http_resp *rs);
int h_twostep_off(struct http_req *rq, struct http_resp *rs);
int h_email_form(struct http_req *rq, struct http_resp *rs);
int h_email(struct http_req *rq, struct http_resp *rs);
int h_email_confirm_page(struct http_req *rq, struct http_resp *rs);
int h_email_confirm(struct http_req *rq, struct http_resp *rs);
int h_email_undo_page(struct http_req *rq, struct http_resp *rs);
int h_email_undo(struct http_req *rq, struct http_resp *rs);
/* Money: adding (handlers/addmoney.c), sending (send.c), history (transactions.c). */
int h_add_money_form(struct http_req *rq, struct http_resp *rs);
int h_add_money(struct http_req *rq, struct http_resp *rs);
int h_add_money_bank(struct http_req *rq, struct http_resp *rs);
int h_send_form(struct http_req *rq, struct http_resp *rs);
int h_send(struct http_req *rq, struct http_resp *rs);
int h_send_review(struct http_req *rq, struct http_resp *rs);
int h_send_confirm(struct http_req *rq, struct http_resp *rs);
int h_transactions(struct http_req *rq, struct http_resp *rs);
int h_transaction(struct http_req *rq, struct http_resp *rs);
int h_statement_csv(struct http_req *rq, struct http_resp *rs);
/* Help-center search (handlers/search.c): no session needed. */
int h_search(struct http_req *rq, struct http_resp *rs);
int h_search_json(struct http_req *rq, struct http_resp *rs);
/* Support tickets (handlers/support.c) and article feedback (handlers/feedback.c). */
int h_ticket_form(struct http_req *rq, struct http_resp *rs);
int h_ticket_new(struct http_req *rq, struct http_resp *rs);
int h_ticket_sent(struct http_req *rq, struct http_resp *rs);
int h_tickets(struct http_req *rq, struct http_resp *rs);
int h_ticket(struct http_req *rq, struct http_resp *rs);
int h_ticket_reply(struct http_req *rq, struct http_resp *rs);
int h_feedback(struct http_req *rq, struct http_resp *rs);
int h_feedback_done(struct http_req *rq, struct http_resp *rs);
int h_dev_mail_list(struct http_req *rq, struct http_resp *rs);
int h_dev_mail_show(struct http_req *rq, struct http_resp *rs);

/* Shared by handlers. */
/** Redirect to login with a return path when there is no session; returns 0 if there is one. */
int handler_need_session(struct http_req *rq, struct http_resp *rs);
/** 303 to "/<lang><rest>". Returns 303. */
int handler_see_other(struct http_req *rq, struct http_resp *rs, const char *rest);
/** 429 page with Retry-After. */
int handler_too_many(struct http_req *rq, struct http_resp *rs, long retry_after);
/** Append a time the way every portal page shows it: "2026-11-25 23:15 (UTC+8)". */
void handler_time(struct buf *b, long long at);
/* Shared by the money pages (handlers/money.c). */
struct card;
struct card_input;
struct tv;
/** Append the card fee rule as configured: "2.9% + ¥0.30". */
void handler_fee_rule(struct http_req *rq, struct buf *b);
/**
 * Read the amount field as typed into *minor: a parse error, or an amount over the
 * per-transfer limit, is a form error beside "amount". 0 if the amount is good, else -1.
 */
int handler_amount(struct http_req *rq, struct tv *d, const char *typed, long long *minor);
/** Set key in d to minor formatted for the page's locale: "¥1,234.50". */
void handler_set_money(struct http_req *rq, struct tv *d, const char *key, long long minor);
/**
 * Check the card fields of a form: each empty field gets its own error, the others the first
 * mistake card_validate finds. 0 if the card is good (c filled; wipe it after use), else -1.
 */
int handler_check_card(struct http_req *rq, struct tv *d, const struct card_input *in,
                       struct card *c);
/**
 * The security page (sessions, password, two-step verification) with status and d (taken
 * over and freed), for its own GET and for the forms on it that come back with errors.
 */
int handler_security_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d);
struct search;
/**
 * This worker's search index (lib/search.h), opened at its first use and reopened when
 * site-gen replaced it; NULL (logged) when there is none. The worker owns it.
 */
struct search *handler_search_index(struct http_req *rq);
/** 503 page after a database or crypto failure, logged. */
int handler_unavailable(struct http_req *rq, struct http_resp *rs, const char *what);

#endif
