/* outbox.h - the mails the portal sends: composed here, queued in the database, delivered later. */
#ifndef CGI_OUTBOX_H
#define CGI_OUTBOX_H

#include "db.h"
#include "http.h"

/** Queue the verification mail with its link for token (inside the caller's transaction). */
int outbox_verify(struct http_req *rq, const struct db_user *u, const char *token);
/** Queue the notice to an account's owner that someone tried to register with the address. */
int outbox_register_attempt(struct http_req *rq, const struct db_user *u);

/** Queue the mail that tells the owner logins are being slowed down, with a reset link. */
int outbox_throttled(struct http_req *rq, const struct db_user *u);
/** Queue the "new sign-in" mail: when (already formatted), the request's address, device. */
int outbox_new_device(struct http_req *rq, const struct db_user *u, const char *when,
                      const char *device);

/**
 * Queue the password reset mail: the link for token and the code to type instead, both valid
 * for 30 minutes and once (inside the caller's transaction).
 */
int outbox_reset(struct http_req *rq, const struct db_user *u, const char *token, const char *code);
/**
 * Queue the notice that the password of u was changed or reset at the time at (unix seconds),
 * with what to do if it was not the owner (inside the caller's transaction).
 */
int outbox_password_changed(struct http_req *rq, const struct db_user *u, long long at);

/**
 * The delivery thread: delivers due mail (as .eml files or through sendmail), retries failures
 * with backoff, never loses a message. arg is the struct app. Runs until app->stopping.
 */
void *outbox_thread(void *arg);

/**
 * Queue the mail to new_email (not yet the account's) with the link for token that makes it
 * the account's address. In u's language; inside the caller's transaction.
 */
int outbox_email_confirm(struct http_req *rq, const struct db_user *u, const char *new_email,
                         const char *token);
/** Queue the notice to u's current address that a change to new_email was asked for. */
int outbox_email_requested(struct http_req *rq, const struct db_user *u, const char *new_email);
/**
 * Queue the notice to u's old address (u->email) that the address is now new_email, with the
 * undo link for token.
 */
int outbox_email_changed(struct http_req *rq, const struct db_user *u, const char *new_email,
                         const char *token);

/* What a money mail tells: which kind of mail, and the facts of its transfer or deposit. */
enum outbox_money_kind {
	OUTBOX_MONEY_SENT,     /* to the sender of a send */
	OUTBOX_MONEY_RECEIVED, /* to its recipient */
	OUTBOX_MONEY_ADDED,    /* a card top-up went through */
	OUTBOX_DEPOSIT_ASKED,  /* how to make the bank transfer of a deposit */
	OUTBOX_DEPOSIT_DONE    /* a bank deposit was credited */
};
struct outbox_money {
	const char *number;    /* transfer number; "" for a deposit not yet settled */
	const char *reference; /* bank reference of a deposit, else NULL */
	long long amount, fee;
	const char *other; /* the other party as shown (masked name), else NULL */
	const char *card;  /* card_describe text of a card payment, else NULL */
	const char *note;  /* the sender's note, else NULL */
};
/** Queue a money mail to u (inside the transaction that moved the money). */
int outbox_money(struct http_req *rq, const struct db_user *u, enum outbox_money_kind k,
                 const struct outbox_money *m);

/* What a two-step verification mail tells the owner. */
enum outbox_twostep_kind {
	OUTBOX_TWOSTEP_ON,       /* two-step verification was turned on */
	OUTBOX_TWOSTEP_OFF,      /* it was turned off */
	OUTBOX_TWOSTEP_RECOVERY, /* a recovery code was used; remaining says how many are left */
};
/**
 * Queue a two-step verification notice to u: what happened, when, from which address and
 * device, and what to do if it was not the owner (inside the caller's transaction).
 */
int outbox_twostep(struct http_req *rq, const struct db_user *u, enum outbox_twostep_kind k,
                   int remaining);

/* okpay-admin, the operator command line. */
/**
 * Queue the notice that customer service locked (locked 1) or unlocked (0) u's account, with
 * when and how to reach customer service, in u's language (inside the caller's transaction).
 * The operator's reason is not in it: it is a note for the operators.
 */
int outbox_account_lock(struct http_req *rq, const struct db_user *u, int locked);
/* Support ticket mails, to the requester's address in the ticket's language. */
enum outbox_ticket_kind {
	OUTBOX_TICKET_CREATED, /* the number, a copy of the request, the expected reply time */
	OUTBOX_TICKET_REPLY,   /* customer service answered: a copy of the answer */
};
struct db_ticket;
/**
 * Queue a ticket mail to t's requester: text is the description (CREATED) or the operator's
 * answer (REPLY), always followed by a signed link to the ticket page valid for
 * SUPPORT_LINK_TTL (inside the caller's transaction).
 */
int outbox_ticket(struct http_req *rq, const struct db_ticket *t, enum outbox_ticket_kind k,
                  const char *text);

#endif
