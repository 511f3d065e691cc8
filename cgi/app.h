/* app.h - process-wide settings and state of the portal service, read-only once it serves. */
#ifndef CGI_APP_H
#define CGI_APP_H

#include <pthread.h>
#include <stdio.h>

#include "money.h"
#include "support.h"
#include "theme.h"

struct card_processor;

struct config {
	const char *db_path;     /* SQLite database */
	const char *socket_path; /* FastCGI Unix socket */
	const char *theme_dir;   /* templates and assets */
	const char *content_dir; /* ui.conf */
	const char *mail_dir;    /* .eml files, unless sendmail is set */
	const char *sendmail;    /* sendmail-compatible command, or NULL */
	int sendmail_timeout;    /* seconds one sendmail run may take before it is killed: 30 */
	int mail_retry;          /* seconds before the first retry of a failed mail: 30 */
	const char *base_url;    /* public address, no trailing slash */
	const char *log_path;    /* one line per request */
	const char *key_path;    /* 32-byte server key (CSRF MACs), created at first start */
	const char *search_db;   /* the help center's search index, written by site-gen */
	int dev;                 /* dev mode: /_dev/mail, cookies without Secure on plain HTTP */
	int workers;             /* request threads */
	int hash_threads;        /* threads for requests that hash a password (cgi/router.h) */
	int hash_queue;          /* such requests waiting for one; more are answered 503 */
	int login_limit;         /* login attempts per client address per 15 minutes */
	/* Money (issue 5): amounts in minor units of currency. */
	struct money_currency currency; /* default CNY, "¥", 2 decimals */
	int card_fee_bp;                /* card fee rate in basis points: 290 = 2.9% */
	long long card_fee_fixed;       /* plus this per card payment: 30 = ¥0.30 */
	long long limit_transfer;       /* largest single send or top-up: ¥50,000 */
	long long limit_daily;          /* most sent per China Standard Time day: ¥200,000 */
	long long review_ttl;           /* seconds a send's review can be confirmed: 900 */
	/* Two-step verification (issue 8). */
	const char *twostep_key_path; /* key that seals authenticator secrets, made if missing */
	long long twostep_threshold;  /* sends above this ask for a fresh code: ¥2,000 */
	/* Support tickets (issue 7). */
	const char *upload_dir; /* screenshots, under random names; never served by nginx */
	int reply_hours[SUPPORT_TOPIC__MAX]; /* expected reply per topic (0: the default) */
};

struct app {
	struct config cfg;
	struct theme theme;
	unsigned char key[32];         /* server key */
	unsigned char twostep_key[32]; /* seals authenticator secrets (never in the database) */
	const struct card_processor *cards; /* card_simulator unless a real one is configured */
	int secure_cookies;                 /* __Host- names and Secure */
	FILE *log;
	pthread_mutex_t log_lock;
	pthread_mutex_t mail_lock; /* wakes the mail thread early */
	pthread_cond_t mail_cond;
	volatile int stopping;
};

/** Ask the mail thread to look at the outbox now (after a commit that queued mail). */
void app_mail_wake(struct app *app);

#endif
