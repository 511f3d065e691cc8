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
/*
 * Read-only file systems. A connection opened while its file system was read-only (after a
 * crash, a disk mounted read-only for a check) gets the file read-only from SQLite, and every
 * write fails with SQLITE_READONLY until it is opened again, together with every other
 * connection of the process to that file (they share SQLite's shared-memory index).
 */
/** Units of work (a request, a mail batch, a checkpoint) run between these two. */
void db_enter(void);
void db_leave(void);
/**
 * If db is read-only but its file can now be opened for writing, reopen every connection of
 * the process to the same file read-write, at a moment when none is inside db_enter (else
 * nothing happens, and a later call tries again), keeping db_durable and db_checkpoint_auto
 * settings. Call it outside db_enter/db_leave, before a unit of work; it tries at most once a
 * second per connection and costs one check otherwise. 0 if db is writable, else -1.
 */
int db_reopen_writable(struct db *db);
/**
 * Commits are durable (synchronous=FULL, the default: on disk before COMMIT returns) or, with
 * durable 0, only safe from a crash of the process (WAL's NORMAL: a power cut may lose the last
 * ones). For writes that can be redone without harm: reviews, the mail thread's bookkeeping.
 */
void db_durable(struct db *db, int durable);
/*
 * Checkpoints copy the write-ahead log back into the database. By default the connection whose
 * commit fills the log does it, inside a request; the portal's workers turn that off and a
 * thread of its own checkpoints instead (db_checkpoint: PASSIVE, never waits for anyone).
 */
void db_checkpoint_auto(struct db *db, int on);
int db_checkpoint(struct db *db);
/** Schema version after migrations (PRAGMA user_version). */
int db_version(struct db *db);
/** The last error message of this connection (or of what a rollback undid), for logs. */
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
 * Take the oldest due mails for delivery, at most max, into m (release each with
 * db_mail_release): they are not due again before lease_until, so other workers or machines
 * leave them alone meanwhile (a crash before db_mail_sent_many retries them then). One transaction
 * for all. Returns how many (0 if none is due) or -1.
 */
int db_mail_claim(struct db *db, long long now, long long lease_until, struct db_mail *m, int max);
/** Mark the n mails ids sent, in one transaction. 0 or -1. */
int db_mail_sent_many(struct db *db, const long long *ids, int n, long long now);
int db_mail_failed(struct db *db, long long id, const char *error, long long retry_at);
/**
 * Hand a claimed mail back untried, due again at retry_at; its attempts and last error stay
 * as they were. 0 or -1.
 */
int db_mail_defer(struct db *db, long long id, long long retry_at);
/** Newest first (the dev mail viewer). Returns the count or -1. */
int db_mail_list(struct db *db, int max, struct db_mail **out);
int db_mail_by_id(struct db *db, long long id, struct db_mail *m);
void db_mail_release(struct db_mail *m);
void db_mails_release(struct db_mail *m, int n);
/** Release each of the n mails of an array the caller owns (db_mail_claim's). */
void db_mails_release_each(struct db_mail *m, int n);

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

/** A user's wallet. */
struct db_account {
	long long id, user_id, balance, created_at;
	char number[11]; /* 10 digits, see numbers.h */
};
/** The wallet of a user: 1 found, 0 none yet, -1 error. */
int db_wallet_by_user(struct db *db, long long user_id, struct db_account *a);
/** The wallet with account number (10 digits): 1 found, 0 none, -1 error. */
int db_wallet_by_number(struct db *db, const char *number, struct db_account *a);
/**
 * Create the user's wallet with number. 0 created (a filled), 1 the number is taken (pick
 * another), 2 the user has a wallet already (a filled with it: a race lost), -1 error.
 */
int db_wallet_new(struct db *db, long long user_id, const char *number, long long now,
                  struct db_account *a);
int db_account_balance(struct db *db, long long id, long long *balance);
/**
 * What user_id sent on the China Standard Time day starting at day (unix seconds, as
 * wallet_day_start gives it) into *sum: a total a trigger keeps with every send. 0 or -1.
 */
int db_sent_on_day(struct db *db, long long user_id, long long day, long long *sum);

struct db_line {
	long long account; /* account id */
	long long amount;  /* minor units, + credit, - debit, never 0 */
};

struct db_posting {
	const char *kind;            /* "top_up", "deposit", "send" */
	const char *method;          /* "balance", "card" or "bank" */
	const char *idempotency_key; /* or NULL */
	const char *request;         /* canonical text of what was asked, to recognise a replay */
	long long amount, fee;       /* for the transfer row */
	long long from_user;         /* sender of a send; 0 for money from outside */
	long long to_user;           /* whose wallet the money reaches */
	const char *note;            /* the sender's note, or NULL */
	const char *card;            /* card_describe text of a card payment, or NULL */
	const char *reference;       /* bank reference of a deposit, or NULL */
	/*
	 * Daily limit: when daily_limit > 0, refused with DB_POST_LIMIT if the amounts of kind
	 * "send" from from_user created at or after day_start, plus this amount, exceed it.
	 * Checked inside the transaction, so concurrent sends cannot both slip under it.
	 */
	long long daily_limit, day_start;
	int day;                     /* YYYYMMDD (China Standard Time) for the transfer number */
	const struct db_line *lines; /* entries; they must sum to zero */
	size_t nlines;
	long long now;
	/*
	 * Called inside the transaction once everything is written, with the new transfer's id
	 * and number, to queue its mails; a non-zero return rolls everything back (DB_POST_ERROR).
	 */
	int (*hook)(struct db *db, long long transfer_id, const char *number, void *arg);
	void *hook_arg;
};

enum db_post_result {
	DB_POST_OK,           /* committed: the transfer is new */
	DB_POST_REPLAYED,     /* the key was used for the same request: the first transfer's */
	DB_POST_CONFLICT,     /* the key was used for another request: nothing done */
	DB_POST_INSUFFICIENT, /* a wallet would go below zero: nothing done */
	DB_POST_LIMIT,        /* the daily limit would be passed: nothing done */
	DB_POST_INVALID,      /* lines do not balance, amounts are wrong, or (settling) no such
	                         pending deposit: nothing done */
	DB_POST_ERROR         /* database error: nothing done */
};

/**
 * Post one transfer in one BEGIN IMMEDIATE transaction: the transfer row with its number
 * ("T" + day + daily sequence + check digit), every entry, each balance moved with a guard that
 * keeps wallets at zero or above, the hook; all or nothing. On OK and
 * REPLAYED, *transfer_id and number (17 bytes) name the transfer.
 */
enum db_post_result db_post(struct db *db, const struct db_posting *p, long long *transfer_id,
                            char number[17]);

/* A transfer as receipts show it. Strings owned; release with db_transfer_release. */
struct db_transfer {
	long long id;
	char number[17];
	char *kind, *method, *note, *card, *reference; /* note, card, reference: "" if none */
	long long amount, fee, from_user, to_user, created_at;
};
/** 1 found, 0 not, -1 error. */
int db_transfer_by_number(struct db *db, const char *number, struct db_transfer *t);
int db_transfer_by_id(struct db *db, long long id, struct db_transfer *t);
/** The transfer made under idempotency key (e.g. "send:" + a review's id). */
int db_transfer_by_key(struct db *db, const char *key, struct db_transfer *t);
void db_transfer_release(struct db_transfer *t);

/* Bank deposits: pending until an operator sees the money arrive and settles them. */
struct db_deposit {
	long long id, user_id, amount, created_at, settled_at; /* settled_at 0 while pending */
	long long transfer_id;                                 /* 0 while pending */
	char reference[10];                                    /* "D" + 8 characters */
};
/**
 * Record a pending deposit. key (per user, from the form) makes a resubmission harmless.
 * 0 created, 1 the reference is taken (pick another), 2 the key was used before (d filled with
 * that deposit), -1 error.
 */
int db_deposit_new(struct db *db, long long user_id, long long amount, const char *reference,
                   const char *key, long long now, struct db_deposit *d);
/** 1 found, 0 not, -1 error. */
int db_deposit_by_reference(struct db *db, const char *reference, struct db_deposit *d);
/**
 * Settle a pending deposit: p is a posting (kind "deposit", lines crediting the wallet) whose
 * transfer also marks the deposit settled, in the same transaction. Settling twice answers
 * DB_POST_REPLAYED with the first transfer; an unknown reference DB_POST_INVALID.
 */
enum db_post_result db_deposit_settle(struct db *db, const char *reference,
                                      const struct db_posting *p, long long *transfer_id,
                                      char number[17]);

/*
 * History: one row per entry on a wallet (a movement of its balance), newest first, and pending
 * deposits, which move nothing yet.
 */
struct db_movement {
	long long transfer_id;         /* 0 for a pending deposit */
	char number[17];               /* transfer number; "" for a pending deposit */
	char *kind;                    /* "top_up", "deposit", "send" */
	char *method;                  /* "balance", "card", "bank" */
	char *status;                  /* "completed" or "pending" */
	char *note, *card, *reference; /* "" if none */
	long long amount;              /* change of the wallet: + in, - out (pending: the amount) */
	long long fee;                 /* fee this user paid with this movement, else 0 */
	long long balance_after;       /* wallet balance after it; 0 for pending */
	long long at;
	long long from_user, to_user;
	char *other_name;   /* the other user of a send, "" otherwise */
	char *other_number; /* their wallet's account number, "" otherwise */
};
struct db_history_query {
	long long user_id, account_id; /* the user and their wallet */
	long long since, until;        /* unix seconds, since <= at < until; 0 = open */
	int direction;                 /* 0 all, 1 money in, -1 money out */
	int status;                    /* 0 all, 1 completed, 2 pending */
	const char *number;            /* only this transfer number, or NULL */
	int offset, limit;
};
/** Movements matching q, and how many match in all. Returns the count on the page or -1. */
int db_history(struct db *db, const struct db_history_query *q, struct db_movement **out,
               long long *total);
void db_movements_release(struct db_movement *m, int n);

/**
 * Check the ledger's invariants: every transfer's entries sum to zero, every cached balance
 * equals the sum of its entries, no wallet is negative, no idempotency key (so no review)
 * made more than one transfer, the daily totals of sends match the sends, and every stored review
 * names the one transfer made under it. Appends one line per problem to report and returns how many
 * there were (or -1 if the database could not be read).
 */
int db_audit(struct db *db, struct buf *report);

/**
 * Copy the database to a new SQLite file at path with SQLite's online backup API, step_pages
 * pages at a time (sleeping 10 ms and trying again while the source is busy or locked), then
 * run PRAGMA integrity_check on the copy. The copy is one snapshot, safe to take while the
 * portal serves: a read transaction is held across the steps, which in WAL mode blocks no
 * writer. path is created if missing (an existing file is overwritten). *pages gets the copy's
 * size in pages, check the integrity check's lines ("ok" when sound). Returns 0 when the copy
 * is sound, 1 when the integrity check found problems, -1 on error (message in err).
 */
int db_backup(struct db *db, const char *path, int step_pages, int *pages, struct buf *check,
              struct buf *err);

/*
 * The search log: each search of the help center as typed (cut to SEARCH_QUERY_MAX bytes),
 * its locale and how many articles it found. No address, user, session or cookie: the log
 * says what people look for, never who looked.
 */
/** Log one search at now. 0 or -1. */
int db_search_log_add(struct db *db, const char *query, const char *locale, long long results,
                      long long now);

/** Searches grouped by query and locale. Strings owned; release with db_search_rows_release. */
struct db_search_row {
	char *query;
	char *locale;      /* "zh" or "en" */
	long long count;   /* how many times it was searched */
	long long results; /* articles found the last time */
	long long last_at; /* when it was last searched (unix seconds) */
};
/**
 * Searches logged at or after since (unix seconds; 0 for all), grouped by query and locale,
 * most frequent first (then most recent). With zero_only, only the searches that found
 * nothing are counted. At most max rows (0: all). Fills *out (NULL when there are none) and
 * returns the count, or -1.
 */
int db_search_log_report(struct db *db, long long since, int zero_only, int max,
                         struct db_search_row **out);
void db_search_rows_release(struct db_search_row *r, int n);

/*
 * Two-step verification (migration 7): the sealed authenticator secret of a user, their
 * recovery codes (hashes) and logins half-way between password and code.
 */
#define DB_TWOSTEP_BOX_MAX 64  /* bytes of a sealed secret (20 + 40) with room to spare */
#define DB_CODES_BOX_MAX   256 /* bytes of the sealed recovery codes shown after enrolment */
struct db_twostep {
	long long user_id;
	unsigned char secret[DB_TWOSTEP_BOX_MAX]; /* sealed with auth_box_seal */
	size_t secret_len;
	long long created_at;
	long long enabled_at; /* 0 while enrolment waits for the first code */
	long long last_step;  /* newest time step accepted; no code of it or before is */
	unsigned char codes_box[DB_CODES_BOX_MAX]; /* sealed new recovery codes, or codes_len 0 */
	size_t codes_len;
	long long codes_until;   /* the codes_box may be shown until then */
	long long codes_session; /* and only to this session */
};
/** The user's row: 1 found, 0 none (two-step verification off, no enrolment), -1 error. */
int db_twostep_get(struct db *db, long long user_id, struct db_twostep *t);
/**
 * Start (or restart) an enrolment with the sealed secret box of n bytes. 1 stored, 0 refused
 * because two-step verification is on already, -1 error.
 */
int db_twostep_start(struct db *db, long long user_id, const unsigned char *box, size_t n,
                     long long now);
/** Turn the enrolment on, with step as the first step used. 1 done, 0 not pending, -1 error. */
int db_twostep_enable(struct db *db, long long user_id, long long step, long long now);
/**
 * Use time step step of an enabled verification: 1 accepted (it is later than any used
 * before), 0 refused (a replay, or a race lost to a request with the same code), -1 error.
 */
int db_twostep_use_step(struct db *db, long long user_id, long long step);
/** Turn two-step verification off: the secret and every recovery code are deleted. 0 or -1. */
int db_twostep_delete(struct db *db, long long user_id);
/** Keep the sealed recovery codes (n bytes; NULL and 0 to forget them) for session until. */
int db_twostep_codes_box(struct db *db, long long user_id, const unsigned char *box, size_t n,
                         long long until, long long session_id);
/** Replace every recovery code of the user by the n hashes. 0 or -1. */
int db_recovery_replace(struct db *db, long long user_id, const unsigned char (*hashes)[32], int n);
/** Use the recovery code with hash: 1 used now, 0 no such unused code, -1 error. */
int db_recovery_use(struct db *db, long long user_id, const unsigned char hash[32], long long now);
/** Unused recovery codes of the user, or -1. */
int db_recovery_left(struct db *db, long long user_id);

/* A login half-way: the password was right, the code is still to come. */
struct db_pending {
	long long id, user_id, created_at, expires_at;
	int tries;         /* wrong codes so far */
	long long done_at; /* 0 until the code was right (then the session exists) */
	char next[512];    /* where to go after login, "" for the overview */
};
int db_pending_new(struct db *db, const unsigned char hash[32], long long user_id, long long now,
                   long long expires, const char *next);
/** By token hash, in any state: 1 found, 0 not, -1 error. */
int db_pending_get(struct db *db, const unsigned char hash[32], struct db_pending *p);
int db_pending_try(struct db *db, long long id);
/** Mark it done: 1 if this call did, 0 if it was done already (a race lost), -1 error. */
int db_pending_done(struct db *db, long long id, long long now);
/** Delete the half-way logins that expired before now. 0 or -1. */
int db_pending_purge(struct db *db, long long now);

/** 1 if user_id paid with card (card_describe text) before, 0 if not, -1 error. */
int db_card_used(struct db *db, long long user_id, const char *card);

/*
 * okpay-admin, the operator command line (migration 10): finding and locking accounts, the
 * entries of a transfer, and the operator log.
 */
/**
 * Users whose email contains text, in any case (the exact address first, then by address), at
 * most max. Fills *out (release with db_users_release) and returns the count, or -1.
 */
int db_users_find(struct db *db, const char *text, int max, struct db_user **out);
void db_users_release(struct db_user *u, int n);
/** Lock the account with reason (kept for the operators): 1 locked now, 0 locked already, -1. */
int db_user_lock(struct db *db, long long id, long long now, const char *reason);
/** Unlock the account: 1 unlocked now, 0 it was not locked, -1 error. */
int db_user_unlock(struct db *db, long long id);
/** The reason given when the account was locked ("" if none), owned by the caller; NULL on error.
 */
char *db_user_lock_reason(struct db *db, long long id);
/** Live sessions of a user: not ended, seen at or after idle_since, started at or after
 * started_since. The count or -1. */
int db_sessions_live(struct db *db, long long user_id, long long idle_since,
                     long long started_since);

/* An entry of a transfer with its account. Strings owned; release with db_entry_rows_release. */
struct db_entry_row {
	long long account_id;
	char *kind;   /* "wallet", "card_clearing", "bank_clearing", "fee_income" */
	char *number; /* a wallet's account number, "" for system accounts */
	char *email;  /* a wallet owner's address, "" for system accounts */
	long long amount, balance_after;
};
/** The entries of a transfer in the order written. Fills *out and returns the count, or -1. */
int db_transfer_entries(struct db *db, long long transfer_id, struct db_entry_row **out);
void db_entry_rows_release(struct db_entry_row *e, int n);

/* The operator log: what operators did with okpay-admin. Never holds a secret. */
struct db_oplog {
	long long id, at;
	char *who;     /* the operator's name */
	char *command; /* "user lock", "settle", ... */
	char *target;  /* "user:7", a deposit reference, ... ("" if none) */
	char *details; /* free text such as a lock's reason ("" if none) */
};
/** Record one operator action at at. 0 or -1. */
int db_oplog_add(struct db *db, long long at, const char *who, const char *command,
                 const char *target, const char *details);
/** The actions at or after since, oldest first. Fills *out (release with db_oplogs_release),
 * returns the count or -1. */
int db_oplog_list(struct db *db, long long since, struct db_oplog **out);
void db_oplogs_release(struct db_oplog *l, int n);
/* --- support tickets and article feedback (migration 9) ------------------------------------ */

/* A ticket. Strings owned; release with db_ticket_release. */
struct db_ticket {
	long long id;
	char number[10];   /* "S" + 8 digits */
	long long user_id; /* 0 for a requester without an account */
	char *email;       /* where replies are mailed */
	char *locale;      /* "zh" or "en": the language of the form, and of its mails */
	char *topic;       /* support_topic_code */
	char *subject;
	char *transfer; /* transfer number the requester named, "" if none */
	char *status;   /* "open", "waiting" (for the requester) or "closed" */
	long long created_at, updated_at;
	long long messages; /* in lists: messages on the ticket */
};
void db_ticket_release(struct db_ticket *t);
/** Release n tickets of a list and the list. */
void db_tickets_release(struct db_ticket *t, int n);

struct db_ticket_message {
	long long id;
	char *author; /* "requester" or "operator" */
	char *body;
	long long created_at;
};
void db_ticket_messages_release(struct db_ticket_message *m, int n);

struct db_ticket_file {
	long long id, message_id;
	char *stored;   /* file name under the upload directory: random token + "." + ext */
	char *filename; /* the name the requester's computer gave it, for display only */
	char *mime;     /* the sniffed type: "image/png" or "image/jpeg" */
	long long size, created_at;
};
void db_ticket_files_release(struct db_ticket_file *f, int n);

/**
 * Insert a ticket (t: number, user_id, email, locale, topic, subject, transfer, created_at)
 * with its first message, inside the caller's transaction. *ticket_id and *message_id get the
 * new ids. Returns 0, 1 if the number is taken (draw another), -1 on error.
 */
int db_ticket_insert(struct db *db, const struct db_ticket *t, const char *body,
                     long long *ticket_id, long long *message_id);
/** Add a message by author ("requester" or "operator") and set the ticket's status. 0 or -1. */
int db_ticket_message_add(struct db *db, long long ticket_id, const char *author, const char *body,
                          const char *status, long long now, long long *message_id);
/** Record an attachment of message_id (f: stored, filename, mime, size). 0 or -1. */
int db_ticket_file_add(struct db *db, long long ticket_id, long long message_id,
                       const struct db_ticket_file *f, long long now);
/** The ticket with number (upper case): 1 found, 0 not, -1 error. */
int db_ticket_by_number(struct db *db, const char *number, struct db_ticket *t);
/**
 * Tickets, most recently changed first, at most max (<= 0: all): of user_id when it is > 0,
 * else of every requester; with status when it is not NULL. *out (release with
 * db_tickets_release) holds them with their message counts. Returns the count or -1.
 */
int db_tickets_list(struct db *db, long long user_id, const char *status, int max,
                    struct db_ticket **out);
/** The messages of a ticket, oldest first (release with db_ticket_messages_release). n or -1. */
int db_ticket_messages(struct db *db, long long ticket_id, struct db_ticket_message **out);
/** The attachments of a ticket in upload order (release with db_ticket_files_release). n or -1. */
int db_ticket_files(struct db *db, long long ticket_id, struct db_ticket_file **out);
/** Attachment id of ticket_id: 1 found, 0 not (or another ticket's), -1 error. */
int db_ticket_file(struct db *db, long long ticket_id, long long id, struct db_ticket_file *f);
/** Close the ticket: 1 closed now, 0 no such open ticket, -1 error. */
int db_ticket_close(struct db *db, long long ticket_id, long long now);
/** 1 if the transfer number is one user_id sent or received, 0 if not (or none), -1 error. */
int db_transfer_of_user(struct db *db, const char *number, long long user_id);

/**
 * A vote on article (path) in locale: helpful 1 or 0, comment "" for none, voter the hash
 * of the browser's voter cookie, day its China Standard Time day (support_vote_day).
 * Returns 0 stored, 1 if this voter voted on the article that day already (nothing stored),
 * -1 on error.
 */
int db_feedback_add(struct db *db, const char *article, const char *locale, int helpful,
                    const char *comment, const unsigned char voter[32], long long day,
                    long long now);
/* One article in the feedback report. Strings owned. */
struct db_feedback_row {
	char *article, *locale;
	long long votes, helpful; /* all votes, and the "yes" among them */
	int percent;              /* helpful * 100 / votes, rounded down */
	long long last_at;
	char **comments; /* the newest comments, newest first */
	int n_comments;
};
/**
 * Feedback per article since since (unix seconds, 0: all), worst first (lowest helpful share,
 * then most votes), with at most comments of its newest comments each. *out: release with
 * db_feedback_rows_release. Returns the count or -1.
 */
int db_feedback_report(struct db *db, long long since, int comments, struct db_feedback_row **out);
void db_feedback_rows_release(struct db_feedback_row *r, int n);

#endif
