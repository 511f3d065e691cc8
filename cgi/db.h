/* db.h - the portal's database: every SQL statement of the service lives in db.c. */
#ifndef CGI_DB_H
#define CGI_DB_H

#include <stddef.h>

struct buf;
struct db;

/* A user row. Strings are owned by the struct; release with db_user_release. */
struct db_user {
	long long id;
	char *email; /* normalised as typed: local part as entered, domain lower case */
	char *name;
	char *password_hash;   /* crypto_pwhash_str output */
	char *locale;          /* "zh" or "en": language of mails */
	long long verified_at; /* 0 while the email is unverified */
	long long created_at;
	long long locked_at; /* set by customer service; 0 when not locked */
};

struct db_session {
	long long id;
	long long user_id;
	long long created_at, last_seen_at;
};

struct db_event {
	char *kind; /* login, login_failed, logout, registered, email_verified, ... */
	char *ip;
	char *user_agent;
	long long at;
};

struct db_mail {
	long long id;
	char *to, *subject, *text, *html, *message_id;
	long long created_at;
	int attempts;
	long long sent_at; /* 0 = not yet */
	char *last_error;
};

/**
 * Open (creating if needed) the database at path: WAL journal, foreign keys on, a busy timeout,
 * and every migration newer than PRAGMA user_version applied in one transaction each.
 * Returns NULL with a message in err.
 */
struct db *db_open(const char *path, struct buf *err);
void db_close(struct db *db);
/** Schema version after migrations (PRAGMA user_version). */
int db_version(struct db *db);
/** The last error message of this connection, for logs. */
const char *db_errmsg(struct db *db);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE). 0 or -1. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Users. Lookups return 1 found, 0 not found, -1 error. */
int db_user_by_email(struct db *db, const char *email, struct db_user *u);
int db_user_by_id(struct db *db, long long id, struct db_user *u);
/** Insert a user; 0 with *id set, 1 if the email exists already (case-insensitively), -1 error. */
int db_user_insert(struct db *db, const char *email, const char *name, const char *hash,
                   const char *locale, long long now, long long *id);
int db_user_set_verified(struct db *db, long long id, long long now);
int db_user_set_password(struct db *db, long long id, const char *hash);
void db_user_release(struct db_user *u);

/*
 * One-time tokens sent by mail, stored as hashes. purpose: "verify", "reset", "email", "undo".
 * A token may carry a short code (as its hash; typed instead of following the link) and data
 * (the new address of an email change).
 */
struct db_token {
	long long id, user_id;
	long long created_at, expires_at;
	long long used_at; /* 0 unused, -1 replaced by a newer one, else when used */
	int tries;         /* wrong codes typed so far */
	int has_code;
	unsigned char code_hash[32]; /* valid when has_code */
	char *data;                  /* owned; NULL if none */
};

/** Make every earlier token of this user and purpose unusable, then store the new one. */
int db_token_replace(struct db *db, long long user_id, const char *purpose,
                     const unsigned char hash[32], const unsigned char *code_hash, const char *data,
                     long long now, long long expires);
/** A token by hash and purpose in any state: 1 found, 0 not, -1 error. */
int db_token_get(struct db *db, const char *purpose, const unsigned char hash[32],
                 struct db_token *t);
/** The newest token of a user and purpose in any state: 1 found, 0 not, -1 error. */
int db_token_latest(struct db *db, long long user_id, const char *purpose, struct db_token *t);
/** Count one wrong code against a token. */
int db_token_try(struct db *db, long long id);
/** Make every unused token of this user and purpose unusable. */
int db_token_revoke(struct db *db, long long user_id, const char *purpose);
void db_token_release(struct db_token *t);
/** Mark a token used; 1 if this call used it, 0 if it was already used (a race lost). */
int db_token_use(struct db *db, const unsigned char hash[32], long long now);

/* Sessions: the token is stored only as its hash. */
int db_session_insert(struct db *db, const unsigned char hash[32], long long user_id, long long now,
                      const char *ip, const char *user_agent);
/** 1 found and live (not ended), 0 not found, -1 error. */
int db_session_find(struct db *db, const unsigned char hash[32], struct db_session *s);
int db_session_touch(struct db *db, long long id, long long now);
int db_session_end(struct db *db, long long id, long long now);

/* A session as the security page lists it. Strings owned; release with db_session_rows_release. */
struct db_session_row {
	long long id, user_id;
	long long created_at, last_seen_at, ended_at;
	char *ip, *user_agent;
};
/**
 * Sessions of a user seen since since, most recent first, at most max; ended ones too if
 * include_ended. Returns the count or -1.
 */
int db_sessions_of_user(struct db *db, long long user_id, long long since, int include_ended,
                        int max, struct db_session_row **out);
void db_session_rows_release(struct db_session_row *r, int n);
/** End every live session of a user but keep_id (0 ends all). Returns how many, or -1. */
int db_session_end_others(struct db *db, long long user_id, long long keep_id, long long now);
/** End session id if it is a live session of user_id. Returns 1 if it was, 0 if not, -1. */
int db_session_end_own(struct db *db, long long id, long long user_id, long long now);

/* Users, continued. */
/** 0 changed, 1 the address belongs to another account, -1 error. */
int db_user_set_email(struct db *db, long long id, const char *email);
int db_user_set_locked(struct db *db, long long id, long long locked_at);

/* Account activity. */
int db_event_add(struct db *db, long long user_id, const char *kind, const char *ip,
                 const char *user_agent, long long now);
/** Newest first, at most max; caller releases with db_events_release. Returns the count or -1. */
int db_events_recent(struct db *db, long long user_id, int max, struct db_event **out);
void db_events_release(struct db_event *e, int n);
/** One page of events, newest first, and the total count. Returns the count on the page or -1. */
int db_events_page(struct db *db, long long user_id, int offset, int max, struct db_event **out,
                   long long *total);
/** How many events of kind since since (and the time of the last one in *last). -1 on error. */
int db_event_count_since(struct db *db, long long user_id, const char *kind, long long since,
                         long long *last);

/* Outbox: mails are written in the transaction of the change that causes them. */
int db_mail_add(struct db *db, const char *to, const char *subject, const char *text,
                const char *html, long long now, long long *id);
/** The oldest unsent mail due at now; 1 found, 0 none, -1 error. */
int db_mail_next_due(struct db *db, long long now, struct db_mail *m);
/**
 * Take the oldest due mail for delivery: it is not due again before lease_until, so other
 * workers or machines leave it alone meanwhile (a crash before db_mail_sent retries it then).
 * 1 claimed, 0 none due, -1 error.
 */
int db_mail_claim(struct db *db, long long now, long long lease_until, struct db_mail *m);
int db_mail_sent(struct db *db, long long id, long long now);
int db_mail_failed(struct db *db, long long id, const char *error, long long retry_at);
/** Newest first (the dev mail viewer). Returns the count or -1. */
int db_mail_list(struct db *db, int max, struct db_mail **out);
int db_mail_by_id(struct db *db, long long id, struct db_mail *m);
void db_mail_release(struct db_mail *m);
void db_mails_release(struct db_mail *m, int n);

/* Rate limits shared by all workers and machines: a token bucket per key. */
/**
 * Take one token from the bucket key (capacity burst, refilling rate per second). Returns 1 if
 * allowed, 0 if limited (then *retry_after is the seconds until a token is back), -1 error.
 */
int db_rate_take(struct db *db, const char *key, double burst, double rate, long long now_ms,
                 long *retry_after);

/*
 * Failure counters (login throttling): failures in a row under key, each within window seconds
 * of the one before; shared by all workers and machines like the rate limits.
 */
/** The count now (0 if the last failure is older than window) and the time of the last one. */
int db_fail_get(struct db *db, const char *key, long long now, long long window, long long *last);
/** Record a failure at now; returns the new count or -1. */
int db_fail_add(struct db *db, const char *key, long long now, long long window);
int db_fail_clear(struct db *db, const char *key);

/*
 * The ledger: accounts (a wallet per user, and the system accounts card_clearing,
 * bank_clearing and fee_income), transfers, and their entries. Money is integer minor units.
 */
/** Id of a system account by kind. 0 or -1. */
int db_account_system(struct db *db, const char *kind, long long *id);
/** Id of the user's wallet; created with number when missing (number NULL: only look). 0 or -1. */
int db_account_wallet(struct db *db, long long user_id, const char *number, long long now,
                      long long *id);
int db_account_balance(struct db *db, long long id, long long *balance);

struct db_line {
	long long account; /* account id */
	long long amount;  /* minor units, + credit, - debit, never 0 */
};

struct db_posting {
	const char *kind;            /* "top_up", "transfer", ... */
	const char *idempotency_key; /* or NULL */
	const char *request;         /* canonical text of what was asked, to recognise a replay */
	long long amount, fee;       /* for the transfer row */
	const struct db_line *lines; /* entries; they must sum to zero */
	size_t nlines;
	long long now;
};

enum db_post_result {
	DB_POST_OK,           /* committed: *transfer_id is new */
	DB_POST_REPLAYED,     /* the key was used for the same request: *transfer_id is the first */
	DB_POST_CONFLICT,     /* the key was used for another request: nothing done */
	DB_POST_INSUFFICIENT, /* a wallet would go below zero: nothing done */
	DB_POST_INVALID,      /* lines do not balance or amounts are wrong: nothing done */
	DB_POST_ERROR         /* database error: nothing done */
};

/**
 * Post one transfer in one BEGIN IMMEDIATE transaction: the transfer row and every entry, each
 * balance moved with a guard that keeps wallets at zero or above; all or nothing.
 */
enum db_post_result db_post(struct db *db, const struct db_posting *p, long long *transfer_id);

/**
 * Check the ledger's invariants: every transfer's entries sum to zero, every cached balance
 * equals the sum of its entries, no wallet is negative. Appends one line per problem to report
 * and returns how many there were.
 */
int db_audit(struct db *db, struct buf *report);

#endif
