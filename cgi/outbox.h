/* outbox.h - the mails the portal sends: composed here, queued in the database, delivered later. */
#ifndef CGI_OUTBOX_H
#define CGI_OUTBOX_H

#include "db.h"
#include "http.h"

/** Queue the verification mail with its link for token (inside the caller's transaction). */
int outbox_verify(struct http_req *rq, const struct db_user *u, const char *token);
/** Queue the notice to an account's owner that someone tried to register with the address. */
int outbox_register_attempt(struct http_req *rq, const struct db_user *u);

/**
 * The delivery thread: delivers due mail (as .eml files or through sendmail), retries failures
 * with backoff, never loses a message. arg is the struct app. Runs until app->stopping.
 */
void *outbox_thread(void *arg);

#endif
