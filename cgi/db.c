/* db.c - SQLite: migrations, one table of prepared statements, and the queries the portal runs. */
#include "db.h"
#include "buf.h"
#include "numbers.h"
#include "util.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Each migration runs once, in order, inside its own transaction, and ends by setting
 * user_version to its number. Never edit one that has shipped: add the next.
 */
static const char *migrations[] = {
    /* 1: accounts, one-time tokens, sessions, activity, outbox, rate limits */
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL,"
    " email_key TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " password_hash TEXT NOT NULL,"
    " locale TEXT NOT NULL CHECK (locale IN ('zh', 'en')),"
    " verified_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE tokens ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " purpose TEXT NOT NULL,"
    " hash BLOB NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " used_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX tokens_user ON tokens(user_id, purpose);"
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY,"
    " hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " last_seen_at INTEGER NOT NULL,"
    " ended_at INTEGER NOT NULL DEFAULT 0,"
    " ip TEXT NOT NULL,"
    " user_agent TEXT NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL,"
    " ip TEXT NOT NULL,"
    " user_agent TEXT NOT NULL,"
    " at INTEGER NOT NULL);"
    "CREATE INDEX events_user ON events(user_id, at);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " to_addr TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " body_text TEXT NOT NULL,"
    " body_html TEXT,"
    " created_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL,"
    " sent_at INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT);"
    "CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at);"
    "CREATE TABLE rate_limits ("
    " key TEXT PRIMARY KEY,"
    " tokens REAL NOT NULL,"
    " updated_ms INTEGER NOT NULL);"
    "PRAGMA user_version = 1;",
    /* 2: codes and data on tokens (password reset, email change), account locks */
    "ALTER TABLE tokens ADD COLUMN code_hash BLOB;"
    "ALTER TABLE tokens ADD COLUMN data TEXT;"
    "ALTER TABLE tokens ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN locked_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX events_kind ON events(user_id, kind, at);"
    "CREATE INDEX sessions_live ON sessions(user_id, ended_at, last_seen_at);"
    "PRAGMA user_version = 2;",
    /*
     * 3: the double-entry ledger. Every money movement is a transfer whose entries sum to
     * zero; accounts cache their balance, and a wallet may never go below zero.
     */
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('wallet', 'card_clearing', 'bank_clearing',"
    "  'fee_income')),"
    " user_id INTEGER UNIQUE REFERENCES users(id),"
    " number TEXT UNIQUE,"
    " balance INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " CHECK (kind != 'wallet' OR (balance >= 0 AND user_id IS NOT NULL)));"
    "INSERT INTO accounts (kind, created_at) VALUES ('card_clearing', 0), ('bank_clearing', 0),"
    " ('fee_income', 0);"
    "CREATE TABLE transfers ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " idempotency_key TEXT UNIQUE,"
    " request TEXT NOT NULL,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " fee INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE entries ("
    " id INTEGER PRIMARY KEY,"
    " transfer_id INTEGER NOT NULL REFERENCES transfers(id),"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " amount INTEGER NOT NULL CHECK (amount != 0),"
    " balance_after INTEGER NOT NULL);"
    "CREATE INDEX entries_account ON entries(account_id, id);"
    "CREATE INDEX entries_transfer ON entries(transfer_id);"
    "PRAGMA user_version = 3;",
    /*
     * 4: the wallet. Transfers get a number, their parties, a note and how they were paid;
     * numbers count per day; bank deposits wait as pending until settled; a send's review is
     * stored so that its Confirm button needs nothing in memory and confirms at most once.
     */
    "ALTER TABLE transfers ADD COLUMN number TEXT;"
    "ALTER TABLE transfers ADD COLUMN method TEXT NOT NULL DEFAULT 'balance';"
    "ALTER TABLE transfers ADD COLUMN from_user INTEGER REFERENCES users(id);"
    "ALTER TABLE transfers ADD COLUMN to_user INTEGER REFERENCES users(id);"
    "ALTER TABLE transfers ADD COLUMN note TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE transfers ADD COLUMN card TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE transfers ADD COLUMN reference TEXT NOT NULL DEFAULT '';"
    "CREATE UNIQUE INDEX transfers_number ON transfers(number);"
    "CREATE INDEX transfers_sent ON transfers(from_user, kind, created_at);"
    "CREATE TABLE transfer_days (day INTEGER PRIMARY KEY, seq INTEGER NOT NULL);"
    "CREATE TABLE deposits ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " reference TEXT NOT NULL UNIQUE,"
    " idempotency_key TEXT NOT NULL UNIQUE,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " created_at INTEGER NOT NULL,"
    " settled_at INTEGER NOT NULL DEFAULT 0,"
    " transfer_id INTEGER UNIQUE REFERENCES transfers(id));"
    "CREATE INDEX deposits_user ON deposits(user_id, settled_at);"
    "CREATE TABLE reviews ("
    " id INTEGER PRIMARY KEY,"
    " key_hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " recipient TEXT NOT NULL,"
    " to_user INTEGER NOT NULL REFERENCES users(id),"
    " to_account INTEGER NOT NULL REFERENCES accounts(id),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " fee INTEGER NOT NULL CHECK (fee >= 0),"
    " method TEXT NOT NULL,"
    " note TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " transfer_id INTEGER UNIQUE REFERENCES transfers(id));"
    "PRAGMA user_version = 4;",
    /*
     * 5: the search log: what visitors of the help center searched for and how many articles
     * it found, so writers can see what is missing. Nothing about who searched.
     */
    "CREATE TABLE search_log ("
    " id INTEGER PRIMARY KEY,"
    " query TEXT NOT NULL,"
    " locale TEXT NOT NULL CHECK (locale IN ('zh', 'en')),"
    " results INTEGER NOT NULL CHECK (results >= 0),"
    " at INTEGER NOT NULL);"
    "CREATE INDEX search_log_at ON search_log(at);"
    "PRAGMA user_version = 5;",
    /*
     * 6: the daily limit sums today's sends of one user on every review and confirmation;
     * with the amount in the index that is a short index range, not a row read per send.
     */
    "DROP INDEX transfers_sent;"
    "CREATE INDEX transfers_sent ON transfers(from_user, kind, created_at, amount);"
    "PRAGMA user_version = 6;",
    /*
     * 7: two-step verification. The authenticator secret is sealed (auth_box_seal) under a key
     * that is not in the database; enabled_at is 0 while enrolment waits for the first code;
     * last_step is the newest time step accepted, so no code is accepted twice. Recovery codes
     * are stored as hashes. A login half-way (password right, code still to come) lives in
     * login_pending, bound to the browser by a cookie whose token is stored as a hash. The
     * recovery codes just made wait sealed in codes_box until their page is left (codes_until).
     */
    "CREATE TABLE twostep ("
    " user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " secret BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " enabled_at INTEGER NOT NULL DEFAULT 0,"
    " last_step INTEGER NOT NULL DEFAULT 0,"
    " codes_box BLOB,"
    " codes_until INTEGER NOT NULL DEFAULT 0,"
    " codes_session INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE recovery_codes ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " hash BLOB NOT NULL,"
    " used_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX recovery_codes_user ON recovery_codes(user_id, used_at);"
    "CREATE TABLE login_pending ("
    " id INTEGER PRIMARY KEY,"
    " hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " tries INTEGER NOT NULL DEFAULT 0,"
    " done_at INTEGER NOT NULL DEFAULT 0,"
    " next TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX login_pending_expiry ON login_pending(expires_at);"
    "CREATE INDEX transfers_card ON transfers(card) WHERE card != '';"
    "PRAGMA user_version = 7;",
    /*
     * 8: what each user sent on each China Standard Time day, kept by a trigger on every send,
     * so the daily limit reads one row instead of summing the day's sends (which grows with
     * them, inside the posting transaction). day is the unix time the CST day starts.
     */
    "CREATE TABLE sent_days ("
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " day INTEGER NOT NULL,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " PRIMARY KEY (user_id, day)) WITHOUT ROWID;"
    "INSERT INTO sent_days (user_id, day, amount)"
    " SELECT from_user, (created_at + 28800) / 86400 * 86400 - 28800, sum(amount)"
    " FROM transfers WHERE kind = 'send' AND from_user IS NOT NULL GROUP BY 1, 2;"
    "CREATE TRIGGER transfers_sent_days AFTER INSERT ON transfers"
    " WHEN NEW.kind = 'send' AND NEW.from_user IS NOT NULL BEGIN"
    " INSERT INTO sent_days (user_id, day, amount)"
    " VALUES (NEW.from_user, (NEW.created_at + 28800) / 86400 * 86400 - 28800, NEW.amount)"
    " ON CONFLICT (user_id, day) DO UPDATE SET amount = amount + excluded.amount;"
    " END;"
    "PRAGMA user_version = 8;",
    /*
     * 9: support tickets with their messages and screenshots, and article feedback. A
     * ticket's requester is an account (user_id) or only an address; feedback keeps the hash
     * of a browser's voter cookie, never an address, session or account.
     */
    "CREATE TABLE tickets ("
    " id INTEGER PRIMARY KEY,"
    " number TEXT NOT NULL UNIQUE,"
    " user_id INTEGER REFERENCES users(id),"
    " email TEXT NOT NULL,"
    " locale TEXT NOT NULL CHECK (locale IN ('zh', 'en')),"
    " topic TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " transfer TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting', 'closed')),"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX tickets_user ON tickets(user_id, updated_at);"
    "CREATE INDEX tickets_status ON tickets(status, updated_at);"
    "CREATE TABLE ticket_messages ("
    " id INTEGER PRIMARY KEY,"
    " ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    " author TEXT NOT NULL CHECK (author IN ('requester', 'operator')),"
    " body TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);"
    "CREATE TABLE ticket_files ("
    " id INTEGER PRIMARY KEY,"
    " ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    " message_id INTEGER NOT NULL REFERENCES ticket_messages(id),"
    " stored TEXT NOT NULL UNIQUE,"
    " filename TEXT NOT NULL,"
    " mime TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),"
    " size INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX ticket_files_ticket ON ticket_files(ticket_id, id);"
    "CREATE TABLE feedback ("
    " id INTEGER PRIMARY KEY,"
    " article TEXT NOT NULL,"
    " locale TEXT NOT NULL CHECK (locale IN ('zh', 'en')),"
    " helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),"
    " comment TEXT NOT NULL DEFAULT '',"
    " voter BLOB NOT NULL,"
    " day INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " UNIQUE (voter, article, day));"
    "CREATE INDEX feedback_article ON feedback(article, at);"
    "PRAGMA user_version = 9;",
    /*
     * 10: the operator command line (okpay-admin). Every state-changing command leaves a row in
     * operator_log: when, which operator, the command, its target ("user:7", a reference) and
     * details (a lock's reason; never a secret). A lock keeps the reason the operator gave.
     */
    "CREATE TABLE operator_log ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " operator TEXT NOT NULL,"
    " command TEXT NOT NULL,"
    " target TEXT NOT NULL DEFAULT '',"
    " details TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX operator_log_at ON operator_log(at);"
    "ALTER TABLE users ADD COLUMN locked_reason TEXT NOT NULL DEFAULT '';"
    "PRAGMA user_version = 10;",
};

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_USER_BY_EMAIL,
	ST_USER_BY_ID,
	ST_USER_INSERT,
	ST_USER_SET_VERIFIED,
	ST_USER_SET_PASSWORD,
	ST_TOKEN_REVOKE,
	ST_TOKEN_INSERT,
	ST_TOKEN_USE,
	ST_SESSION_INSERT,
	ST_SESSION_FIND,
	ST_SESSION_TOUCH,
	ST_SESSION_END,
	ST_EVENT_ADD,
	ST_MAIL_ADD,
	ST_MAIL_NEXT,
	ST_MAIL_SENT,
	ST_MAIL_FAILED,
	ST_MAIL_LEASE,
	ST_MAIL_LIST,
	ST_MAIL_BY_ID,
	ST_RATE_GET,
	ST_RATE_PUT,
	ST_TOKEN_GET,
	ST_TOKEN_LATEST,
	ST_TOKEN_TRY,
	ST_SESSIONS_OF_USER,
	ST_SESSION_END_OTHERS,
	ST_SESSION_END_OWN,
	ST_EVENTS_PAGE,
	ST_EVENTS_COUNT,
	ST_EVENT_COUNT_SINCE,
	ST_USER_SET_EMAIL,
	ST_USER_SET_LOCKED,
	ST_RATE_DEL,
	ST_ACCOUNT_SYSTEM,
	ST_WALLET_BY_USER,
	ST_WALLET_BY_NUMBER,
	ST_WALLET_NEW,
	ST_ACCOUNT_BALANCE,
	ST_TRANSFER_BY_KEY,
	ST_TRANSFER_DAY_SEQ,
	ST_TRANSFER_INSERT,
	ST_SENT_ON_DAY,
	ST_LEDGER_MOVE,
	ST_ENTRY_INSERT,
	ST_TRANSFER_BY_NUMBER,
	ST_TRANSFER_BY_ID,
	ST_TRANSFER_BY_IDEM,
	ST_DEPOSIT_NEW,
	ST_DEPOSIT_BY_KEY,
	ST_DEPOSIT_BY_REF,
	ST_DEPOSIT_SETTLED,
	ST_HISTORY,
	ST_HISTORY_COUNT,
	ST_AUDIT_UNBALANCED,
	ST_AUDIT_CACHED,
	ST_AUDIT_NEGATIVE,
	ST_AUDIT_REVIEWS,
	ST_AUDIT_KEYS,
	ST_AUDIT_SENT_DAYS,
	ST_SEARCH_LOG_ADD,
	ST_SEARCH_LOG_REPORT,
	/* Two-step verification (migration 7). */
	ST_TWOSTEP_GET,
	ST_TWOSTEP_START,
	ST_TWOSTEP_ENABLE,
	ST_TWOSTEP_STEP,
	ST_TWOSTEP_DELETE,
	ST_TWOSTEP_CODES_BOX,
	ST_RECOVERY_DELETE,
	ST_RECOVERY_INSERT,
	ST_RECOVERY_USE,
	ST_RECOVERY_LEFT,
	ST_PENDING_NEW,
	ST_PENDING_GET,
	ST_PENDING_TRY,
	ST_PENDING_DONE,
	ST_PENDING_PURGE,
	ST_CARD_USED,
	/* okpay-admin, the operator command line (migration 10). */
	ST_ADMIN_USERS_FIND,
	ST_ADMIN_USER_LOCK,
	ST_ADMIN_USER_UNLOCK,
	ST_ADMIN_LOCK_REASON,
	ST_ADMIN_SESSIONS_LIVE,
	ST_ADMIN_ENTRIES,
	ST_ADMIN_OPLOG_ADD,
	ST_ADMIN_OPLOG_LIST,
	/* Support tickets and feedback (migration 9). */
	ST_TICKET_INSERT,
	ST_TICKET_MESSAGE_ADD,
	ST_TICKET_STATUS,
	ST_TICKET_FILE_ADD,
	ST_TICKET_BY_NUMBER,
	ST_TICKETS_LIST,
	ST_TICKET_MESSAGES,
	ST_TICKET_FILES,
	ST_TICKET_FILE,
	ST_TICKET_CLOSE,
	ST_TRANSFER_OF_USER,
	ST_FEEDBACK_ADD,
	ST_FEEDBACK_REPORT,
	ST_FEEDBACK_COMMENTS,
	ST__MAX
};

#define USER_COLS  "id, email, name, password_hash, locale, verified_at, created_at, locked_at"
#define TOKEN_COLS "id, user_id, created_at, expires_at, used_at, tries, code_hash, data"
#define MAIL_COLS                                                                                  \
	"id, to_addr, subject, body_text, body_html, created_at, attempts, sent_at, last_error"

#define WALLET_COLS "id, user_id, balance, created_at, number"
#define TRANSFER_COLS                                                                              \
	"id, coalesce(number, ''), kind, method, note, card, reference, amount, fee,"              \
	" coalesce(from_user, 0), coalesce(to_user, 0), created_at"
#define DEPOSIT_COLS                                                                               \
	"id, user_id, amount, created_at, settled_at, coalesce(transfer_id, 0),"                   \
	" reference"
/*
 * History rows: the entries on wallet ?2 with their transfers, the other party of a send, and
 * user ?1's pending deposits. The fee shows on the one entry it was paid with: the first entry
 * of the payer's wallet in a card transfer. Filters: ?3 since, ?4 until (0 = open), ?5
 * direction, ?6 status, ?7 number.
 */
#define HISTORY_ROWS                                                                               \
	"SELECT t.id AS tid, coalesce(t.number, '') AS number, t.kind, t.method,"                  \
	" 'completed' AS status, t.note, t.card, t.reference, e.amount AS amount,"                 \
	" CASE WHEN t.method = 'card' AND (t.kind = 'top_up' OR t.from_user = ?1)"                 \
	" AND e.id = (SELECT min(id) FROM entries WHERE transfer_id = t.id AND account_id = ?2)"   \
	" THEN t.fee ELSE 0 END AS fee, e.balance_after, t.created_at AS at,"                      \
	" coalesce(t.from_user, 0), coalesce(t.to_user, 0), coalesce(o.name, ''),"                 \
	" coalesce(oa.number, ''), e.id AS ord"                                                    \
	" FROM entries e JOIN transfers t ON t.id = e.transfer_id"                                 \
	" LEFT JOIN users o ON o.id = CASE WHEN t.from_user = ?1 THEN t.to_user"                   \
	" ELSE t.from_user END"                                                                    \
	" LEFT JOIN accounts oa ON oa.user_id = o.id AND oa.kind = 'wallet'"                       \
	" WHERE e.account_id = ?2"                                                                 \
	" UNION ALL SELECT 0, '', 'deposit', 'bank', 'pending', '', '', d.reference, d.amount,"    \
	" 0, 0, d.created_at, 0, d.user_id, '', '', 0 FROM deposits d"                             \
	" WHERE d.user_id = ?1 AND d.settled_at = 0"
#define HISTORY_WHERE                                                                              \
	"(?3 = 0 OR at >= ?3) AND (?4 = 0 OR at < ?4)"                                             \
	" AND (?5 = 0 OR (?5 = 1 AND amount > 0) OR (?5 = -1 AND amount < 0))"                     \
	" AND (?6 = 0 OR (?6 = 1 AND status = 'completed') OR (?6 = 2 AND status = 'pending'))"    \
	" AND (?7 IS NULL OR number = ?7)"

#define TICKET_COLS                                                                                \
	"t.id, t.number, coalesce(t.user_id, 0), t.email, t.locale, t.topic, t.subject,"           \
	" t.transfer, t.status, t.created_at, t.updated_at"

static const char *sql[ST__MAX] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email_key = lower(?1)",
    [ST_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
    [ST_USER_INSERT] = "INSERT INTO users (email, email_key, name, password_hash, locale,"
                       " created_at) VALUES (?1, lower(?1), ?2, ?3, ?4, ?5)",
    [ST_USER_SET_VERIFIED] = "UPDATE users SET verified_at = ?2 WHERE id = ?1 AND verified_at = 0",
    [ST_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ?2 WHERE id = ?1",
    [ST_TOKEN_REVOKE] = "UPDATE tokens SET used_at = -1 WHERE user_id = ?1 AND purpose = ?2"
                        " AND used_at = 0",
    [ST_TOKEN_INSERT] = "INSERT INTO tokens (user_id, purpose, hash, created_at, expires_at,"
                        " code_hash, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_TOKEN_USE] = "UPDATE tokens SET used_at = ?2 WHERE hash = ?1 AND used_at = 0",
    [ST_SESSION_INSERT] = "INSERT INTO sessions (hash, user_id, created_at, last_seen_at, ip,"
                          " user_agent) VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
    [ST_SESSION_FIND] = "SELECT id, user_id, created_at, last_seen_at FROM sessions"
                        " WHERE hash = ?1 AND ended_at = 0",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
    [ST_SESSION_END] = "UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at = 0",
    [ST_EVENT_ADD] = "INSERT INTO events (user_id, kind, ip, user_agent, at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_MAIL_ADD] = "INSERT INTO outbox (to_addr, subject, body_text, body_html, created_at,"
                    " next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    [ST_MAIL_NEXT] = "SELECT " MAIL_COLS " FROM outbox WHERE sent_at = 0"
                     " AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
    [ST_MAIL_SENT] = "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1,"
                     " last_error = NULL WHERE id = ?1",
    [ST_MAIL_FAILED] = "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
                       " next_attempt_at = ?3 WHERE id = ?1",
    [ST_MAIL_LEASE] = "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1 AND sent_at = 0",
    [ST_MAIL_LIST] = "SELECT " MAIL_COLS " FROM outbox ORDER BY id DESC LIMIT ?1",
    [ST_MAIL_BY_ID] = "SELECT " MAIL_COLS " FROM outbox WHERE id = ?1",
    [ST_RATE_GET] = "SELECT tokens, updated_ms FROM rate_limits WHERE key = ?1",
    [ST_RATE_PUT] = "INSERT INTO rate_limits (key, tokens, updated_ms) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT (key) DO UPDATE SET tokens = ?2, updated_ms = ?3",
    [ST_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM tokens WHERE hash = ?1 AND purpose = ?2",
    [ST_TOKEN_LATEST] = "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ?1 AND purpose = ?2"
                        " ORDER BY id DESC LIMIT 1",
    [ST_TOKEN_TRY] = "UPDATE tokens SET tries = tries + 1 WHERE id = ?1",
    [ST_SESSIONS_OF_USER] = "SELECT id, user_id, created_at, last_seen_at, ip, user_agent,"
                            " ended_at FROM sessions WHERE user_id = ?1 AND last_seen_at >= ?2"
                            " AND (?3 OR ended_at = 0) ORDER BY last_seen_at DESC, id DESC"
                            " LIMIT ?4",
    [ST_SESSION_END_OTHERS] = "UPDATE sessions SET ended_at = ?3 WHERE user_id = ?1"
                              " AND id != ?2 AND ended_at = 0",
    [ST_SESSION_END_OWN] = "UPDATE sessions SET ended_at = ?3 WHERE id = ?1 AND user_id = ?2"
                           " AND ended_at = 0",
    [ST_EVENTS_PAGE] = "SELECT kind, ip, user_agent, at FROM events WHERE user_id = ?1"
                       " ORDER BY at DESC, id DESC LIMIT ?2 OFFSET ?3",
    [ST_EVENTS_COUNT] = "SELECT count(*) FROM events WHERE user_id = ?1",
    [ST_EVENT_COUNT_SINCE] = "SELECT count(*), coalesce(max(at), 0) FROM events"
                             " WHERE user_id = ?1 AND kind = ?2 AND at >= ?3",
    [ST_USER_SET_EMAIL] = "UPDATE users SET email = ?2, email_key = lower(?2) WHERE id = ?1",
    [ST_USER_SET_LOCKED] = "UPDATE users SET locked_at = ?2 WHERE id = ?1",
    [ST_RATE_DEL] = "DELETE FROM rate_limits WHERE key = ?1",
    [ST_ACCOUNT_SYSTEM] = "SELECT id FROM accounts WHERE kind = ?1 AND user_id IS NULL",
    [ST_WALLET_BY_USER] = "SELECT " WALLET_COLS " FROM accounts"
                          " WHERE user_id = ?1 AND kind = 'wallet'",
    [ST_WALLET_BY_NUMBER] = "SELECT " WALLET_COLS " FROM accounts"
                            " WHERE number = ?1 AND kind = 'wallet'",
    [ST_WALLET_NEW] = "INSERT INTO accounts (kind, user_id, number, created_at)"
                      " VALUES ('wallet', ?1, ?2, ?3)",
    [ST_ACCOUNT_BALANCE] = "SELECT balance FROM accounts WHERE id = ?1",
    [ST_TRANSFER_BY_KEY] = "SELECT id, request, number FROM transfers WHERE idempotency_key = ?1",
    [ST_TRANSFER_DAY_SEQ] = "INSERT INTO transfer_days (day, seq) VALUES (?1, 1)"
                            " ON CONFLICT (day) DO UPDATE SET seq = seq + 1 RETURNING seq",
    [ST_TRANSFER_INSERT] = "INSERT INTO transfers (kind, idempotency_key, request, amount, fee,"
                           " created_at, number, method, from_user, to_user, note, card,"
                           " reference) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                           " coalesce(?11, ''), coalesce(?12, ''), coalesce(?13, ''))",
    [ST_SENT_ON_DAY] = "SELECT amount FROM sent_days WHERE user_id = ?1 AND day = ?2",
    /* The guard keeps wallets from going below zero whatever runs at the same time. */
    [ST_LEDGER_MOVE] = "UPDATE accounts SET balance = balance + ?2 WHERE id = ?1"
                       " AND (kind != 'wallet' OR balance + ?2 >= 0)"
                       " RETURNING balance",
    [ST_ENTRY_INSERT] = "INSERT INTO entries (transfer_id, account_id, amount, balance_after)"
                        " VALUES (?1, ?2, ?3, ?4)",
    [ST_TRANSFER_BY_NUMBER] = "SELECT " TRANSFER_COLS " FROM transfers WHERE number = ?1",
    [ST_TRANSFER_BY_ID] = "SELECT " TRANSFER_COLS " FROM transfers WHERE id = ?1",
    [ST_TRANSFER_BY_IDEM] = "SELECT " TRANSFER_COLS " FROM transfers WHERE idempotency_key = ?1",
    [ST_DEPOSIT_NEW] = "INSERT INTO deposits (user_id, reference, idempotency_key, amount,"
                       " created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_DEPOSIT_BY_KEY] = "SELECT " DEPOSIT_COLS " FROM deposits WHERE idempotency_key = ?1",
    [ST_DEPOSIT_BY_REF] = "SELECT " DEPOSIT_COLS " FROM deposits WHERE reference = ?1",
    [ST_DEPOSIT_SETTLED] = "UPDATE deposits SET settled_at = ?2, transfer_id = ?3"
                           " WHERE id = ?1 AND settled_at = 0",
    [ST_HISTORY] = "SELECT * FROM (" HISTORY_ROWS ") WHERE " HISTORY_WHERE
                   " ORDER BY at DESC, ord DESC LIMIT ?8 OFFSET ?9",
    [ST_HISTORY_COUNT] = "SELECT count(*) FROM (" HISTORY_ROWS ") WHERE " HISTORY_WHERE,
    [ST_AUDIT_UNBALANCED] = "SELECT transfer_id, sum(amount) FROM entries GROUP BY transfer_id"
                            " HAVING sum(amount) != 0",
    [ST_AUDIT_CACHED] = "SELECT a.id, a.balance, coalesce(sum(e.amount), 0) FROM accounts a"
                        " LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id"
                        " HAVING a.balance != coalesce(sum(e.amount), 0)",
    [ST_AUDIT_NEGATIVE] = "SELECT id, balance FROM accounts WHERE kind = 'wallet' AND balance < 0",
    /*
     * Reviews stored as rows (before sealed reviews): a confirmed one names the one transfer
     * made under its key, and no other names it.
     */
    [ST_AUDIT_REVIEWS] = "SELECT r.id, r.transfer_id FROM reviews r"
                         " LEFT JOIN transfers t ON t.id = r.transfer_id"
                         " WHERE r.transfer_id IS NOT NULL"
                         " AND (t.id IS NULL OR t.idempotency_key IS NOT 'review:' || r.id)"
                         " UNION ALL SELECT NULL, t.id FROM transfers t"
                         " WHERE t.idempotency_key LIKE 'review:%' AND NOT EXISTS (SELECT 1"
                         " FROM reviews r WHERE r.transfer_id = t.id)",
    /* An idempotency key (a sealed review's "send:" id, a form's key) made one transfer. */
    /* The daily totals the limit reads are the sums of the sends of each day. */
    [ST_AUDIT_SENT_DAYS] = "SELECT coalesce(t.user_id, d.user_id), coalesce(t.day, d.day),"
                           " coalesce(t.total, 0), coalesce(d.amount, 0) FROM"
                           " (SELECT from_user AS user_id, (created_at + 28800) / 86400 * 86400"
                           " - 28800 AS day, sum(amount) AS total FROM transfers"
                           " WHERE kind = 'send' AND from_user IS NOT NULL GROUP BY 1, 2) t"
                           " FULL JOIN sent_days d ON d.user_id = t.user_id AND d.day = t.day"
                           " WHERE t.total IS NOT d.amount",
    [ST_AUDIT_KEYS] = "SELECT min(id), count(*) FROM transfers WHERE idempotency_key IS NOT NULL"
                      " GROUP BY idempotency_key HAVING count(*) > 1",
    [ST_SEARCH_LOG_ADD] = "INSERT INTO search_log (query, locale, results, at)"
                          " VALUES (?1, ?2, ?3, ?4)",
    /* results: a bare column next to max(at), so SQLite takes it from the latest search. */
    [ST_SEARCH_LOG_REPORT] = "SELECT query, locale, count(*), results, max(at) FROM search_log"
                             " WHERE at >= ?1 AND (?2 = 0 OR results = 0)"
                             " GROUP BY query, locale"
                             " ORDER BY count(*) DESC, max(at) DESC, query, locale LIMIT ?3",
    [ST_TWOSTEP_GET] = "SELECT user_id, secret, created_at, enabled_at, last_step, codes_box,"
                       " codes_until, codes_session FROM twostep WHERE user_id = ?1",
    /* A new enrolment replaces one not finished, never a verification that is on. */
    [ST_TWOSTEP_START] = "INSERT INTO twostep (user_id, secret, created_at) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT (user_id) DO UPDATE SET secret = ?2, created_at = ?3,"
                         " last_step = 0, codes_box = NULL, codes_until = 0"
                         " WHERE enabled_at = 0",
    [ST_TWOSTEP_ENABLE] = "UPDATE twostep SET enabled_at = ?3, last_step = ?2"
                          " WHERE user_id = ?1 AND enabled_at = 0 AND last_step < ?2",
    /* The guard makes a code single-use even when two requests race with it. */
    [ST_TWOSTEP_STEP] = "UPDATE twostep SET last_step = ?2 WHERE user_id = ?1"
                        " AND enabled_at != 0 AND last_step < ?2",
    [ST_TWOSTEP_DELETE] = "DELETE FROM twostep WHERE user_id = ?1",
    [ST_TWOSTEP_CODES_BOX] = "UPDATE twostep SET codes_box = ?2, codes_until = ?3,"
                             " codes_session = ?4 WHERE user_id = ?1",
    [ST_RECOVERY_DELETE] = "DELETE FROM recovery_codes WHERE user_id = ?1",
    [ST_RECOVERY_INSERT] = "INSERT INTO recovery_codes (user_id, hash) VALUES (?1, ?2)",
    [ST_RECOVERY_USE] = "UPDATE recovery_codes SET used_at = ?3 WHERE user_id = ?1 AND hash = ?2"
                        " AND used_at = 0",
    [ST_RECOVERY_LEFT] = "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at = 0",
    [ST_PENDING_NEW] = "INSERT INTO login_pending (hash, user_id, created_at, expires_at, next)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_PENDING_GET] = "SELECT id, user_id, created_at, expires_at, tries, done_at, next"
                       " FROM login_pending WHERE hash = ?1",
    [ST_PENDING_TRY] = "UPDATE login_pending SET tries = tries + 1 WHERE id = ?1",
    [ST_PENDING_DONE] = "UPDATE login_pending SET done_at = ?2 WHERE id = ?1 AND done_at = 0",
    [ST_PENDING_PURGE] = "DELETE FROM login_pending WHERE expires_at < ?1",
    /* A card this account paid with before: a top-up into its wallet or a send from it. */
    [ST_CARD_USED] = "SELECT EXISTS (SELECT 1 FROM transfers WHERE card = ?2 AND method = 'card'"
                     " AND (from_user = ?1 OR (kind = 'top_up' AND to_user = ?1)))",
    /* okpay-admin, the operator command line (migration 10). */
    /* Part of an address, in any case (email_key is the lower-case address); exact first. */
    [ST_ADMIN_USERS_FIND] = "SELECT " USER_COLS " FROM users WHERE instr(email_key, lower(?1)) > 0"
                            " ORDER BY email_key != lower(?1), email_key LIMIT ?2",
    [ST_ADMIN_USER_LOCK] = "UPDATE users SET locked_at = ?2, locked_reason = ?3"
                           " WHERE id = ?1 AND locked_at = 0",
    [ST_ADMIN_USER_UNLOCK] = "UPDATE users SET locked_at = 0, locked_reason = ''"
                             " WHERE id = ?1 AND locked_at != 0",
    [ST_ADMIN_LOCK_REASON] = "SELECT locked_reason FROM users WHERE id = ?1",
    [ST_ADMIN_SESSIONS_LIVE] = "SELECT count(*) FROM sessions WHERE user_id = ?1 AND ended_at = 0"
                               " AND last_seen_at >= ?2 AND created_at >= ?3",
    [ST_ADMIN_ENTRIES] = "SELECT e.account_id, a.kind, coalesce(a.number, ''),"
                         " coalesce(u.email, ''), e.amount, e.balance_after FROM entries e"
                         " JOIN accounts a ON a.id = e.account_id"
                         " LEFT JOIN users u ON u.id = a.user_id"
                         " WHERE e.transfer_id = ?1 ORDER BY e.id",
    [ST_ADMIN_OPLOG_ADD] = "INSERT INTO operator_log (at, operator, command, target, details)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_ADMIN_OPLOG_LIST] = "SELECT id, at, operator, command, target, details FROM operator_log"
                            " WHERE at >= ?1 ORDER BY id",
    [ST_TICKET_INSERT] = "INSERT INTO tickets (number, user_id, email, locale, topic, subject,"
                         " transfer, created_at, updated_at) VALUES (?1, nullif(?2, 0), ?3, ?4,"
                         " ?5, ?6, ?7, ?8, ?8)",
    [ST_TICKET_MESSAGE_ADD] = "INSERT INTO ticket_messages (ticket_id, author, body, created_at)"
                              " VALUES (?1, ?2, ?3, ?4)",
    [ST_TICKET_STATUS] = "UPDATE tickets SET status = ?2, updated_at = ?3 WHERE id = ?1",
    [ST_TICKET_FILE_ADD] = "INSERT INTO ticket_files (ticket_id, message_id, stored, filename,"
                           " mime, size, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_TICKET_BY_NUMBER] = "SELECT " TICKET_COLS ", 0 FROM tickets t WHERE t.number = ?1",
    [ST_TICKETS_LIST] = "SELECT " TICKET_COLS ", (SELECT count(*) FROM ticket_messages m"
                        " WHERE m.ticket_id = t.id) FROM tickets t"
                        " WHERE (?1 = 0 OR t.user_id = ?1) AND (?2 IS NULL OR t.status = ?2)"
                        " ORDER BY t.updated_at DESC, t.id DESC LIMIT ?3",
    [ST_TICKET_MESSAGES] = "SELECT id, author, body, created_at FROM ticket_messages"
                           " WHERE ticket_id = ?1 ORDER BY id",
    [ST_TICKET_FILES] = "SELECT id, message_id, stored, filename, mime, size, created_at"
                        " FROM ticket_files WHERE ticket_id = ?1 ORDER BY id",
    [ST_TICKET_FILE] = "SELECT id, message_id, stored, filename, mime, size, created_at"
                       " FROM ticket_files WHERE ticket_id = ?1 AND id = ?2",
    [ST_TICKET_CLOSE] = "UPDATE tickets SET status = 'closed', updated_at = ?2"
                        " WHERE id = ?1 AND status != 'closed'",
    [ST_TRANSFER_OF_USER] = "SELECT EXISTS (SELECT 1 FROM transfers WHERE number = ?1"
                            " AND (from_user = ?2 OR to_user = ?2))",
    /* The UNIQUE (voter, article, day) constraint is the one-vote rule: a second is ignored. */
    [ST_FEEDBACK_ADD] = "INSERT INTO feedback (article, locale, helpful, comment, voter, day, at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                        " ON CONFLICT (voter, article, day) DO NOTHING",
    [ST_FEEDBACK_REPORT] = "SELECT article, locale, count(*), sum(helpful), max(at)"
                           " FROM feedback WHERE at >= ?1 GROUP BY article, locale"
                           " ORDER BY sum(helpful) * 1.0 / count(*), count(*) DESC, article,"
                           " locale",
    [ST_FEEDBACK_COMMENTS] = "SELECT comment FROM feedback WHERE article = ?1 AND locale = ?2"
                             " AND at >= ?3 AND comment != '' ORDER BY at DESC, id DESC"
                             " LIMIT ?4",
};

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[ST__MAX];
	int queued;  /* holds write_queue: between db_begin and the end of its transaction */
	char *path;  /* as given to db_open, for db_reopen_writable */
	int relaxed; /* db_durable(db, 0) was asked for */
	int no_autocheckpoint;    /* db_checkpoint_auto(db, 0) was asked for */
	long long writable_tried; /* unix second of the last db_reopen_writable attempt */
	struct db *next;          /* every open connection of the process, for the same */
	int rolled_back;          /* the error code the last db_rollback followed, for db_errmsg */
};

/*
 * Every connection of the process, and the gate units of work hold (db_enter) so that
 * db_reopen_writable can close and reopen all of them at a moment none is in use.
 */
static pthread_mutex_t S_open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *S_open;
static pthread_rwlock_t S_gate = PTHREAD_RWLOCK_INITIALIZER;

/*
 * Writers of one process queue here before asking SQLite for its write lock. Only one of them
 * could hold that lock anyway; waiting on a mutex wakes the next writer the moment the lock is
 * free, where SQLite's busy handler makes every waiter poll (and sleep past the release). Other
 * processes (okpay-admin, a second portal) still meet at SQLite's lock and its busy handler.
 */
static pthread_mutex_t write_queue = PTHREAD_MUTEX_INITIALIZER;
#define WRITE_QUEUE_WAIT 5 /* seconds, as the busy handler: then the caller sees a failure */

static char *S_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Fetch a prepared statement, reset and unbound: the one way SQL runs in this module. */
static sqlite3_stmt *S_st(struct db *db, enum stmt k)
{
	sqlite3_stmt *s = db->st[k];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Run a statement that returns no rows; -1 on error. */
static int S_exec(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int S_migrate(struct db *db, struct buf *err)
{
	int have = db_version(db);
	if (have > (int)ARRAY_LEN(migrations)) {
		buf_addf(err, "database schema version %d is newer than this program knows (%d)",
		         have, (int)ARRAY_LEN(migrations));
		return -1;
	}
	for (int v = have; v < (int)ARRAY_LEN(migrations); v++) {
		char *msg = NULL;
		if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->h, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			buf_addf(err, "migration %d: %s", v + 1, msg ? msg : sqlite3_errmsg(db->h));
			sqlite3_free(msg);
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

/*
 * Waiting for the write lock: SQLite's own busy timeout sleeps longer and longer (up to
 * 100 ms), so under load a writer that just missed the lock waits far longer than the lock
 * is held (a commit takes a few milliseconds). Polling every 200 us keeps those waits short;
 * after about 5 seconds the caller gets SQLITE_BUSY (a 503) as before.
 */
static int S_busy(void *arg, int tries)
{
	(void)arg;
	if (tries >= 1000 + 4800)
		return 0;
	usleep(tries < 1000 ? 200 : 1000); /* 0.2 s in short polls, then 4.8 s in 1 ms steps */
	return 1;
}

/* Open db->path into db->h with the statements prepared; -1 with a message in err. */
static int S_connect(struct db *db, struct buf *err)
{
	char *msg = NULL;
	if (sqlite3_open_v2(db->path, &db->h,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		buf_addf(err, "cannot open database %s: %s", db->path,
		         db->h ? sqlite3_errmsg(db->h) : "out of memory");
		return -1;
	}
	sqlite3_busy_handler(db->h, S_busy, NULL);
	if (sqlite3_exec(db->h,
	                 "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
	                 " PRAGMA synchronous = FULL;",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		buf_addf(err, "cannot set up database %s: %s", db->path, msg);
		sqlite3_free(msg);
		return -1;
	}
	if (S_migrate(db, err) < 0)
		return -1;
	for (int k = 0; k < ST__MAX; k++)
		if (!sql[k] || sqlite3_prepare_v3(db->h, sql[k], -1, SQLITE_PREPARE_PERSISTENT,
		                                  &db->st[k], NULL) != SQLITE_OK) {
			buf_addf(err, "cannot prepare statement %d: %s", k, sqlite3_errmsg(db->h));
			return -1;
		}
	if (db->relaxed)
		db_durable(db, 0);
	if (db->no_autocheckpoint)
		db_checkpoint_auto(db, 0);
	return 0;
}

static void S_disconnect(struct db *db)
{
	if (db->h)
		db_rollback(db);
	for (int k = 0; k < ST__MAX; k++) {
		sqlite3_finalize(db->st[k]);
		db->st[k] = NULL;
	}
	sqlite3_close(db->h);
	db->h = NULL;
}

struct db *db_open(const char *path, struct buf *err)
{
	struct db *db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	if (S_connect(db, err) < 0) {
		S_disconnect(db);
		free(db->path);
		free(db);
		return NULL;
	}
	pthread_mutex_lock(&S_open_lock);
	db->next = S_open;
	S_open = db;
	pthread_mutex_unlock(&S_open_lock);
	return db;
}

void db_enter(void)
{
	pthread_rwlock_rdlock(&S_gate);
}

void db_leave(void)
{
	pthread_rwlock_unlock(&S_gate);
}

/*
 * SQLite shares one shared-memory index (the -shm file) among all connections of a process to
 * the same database, and keeps it read-only if it was opened so: one connection opened again
 * would still be refused every write. Only once every connection is closed can they be opened
 * read-write, so all are, at a moment none is in use (the gate held for writing; if some unit
 * of work holds it, a try in the next second does it). Rare, and quick.
 */
int db_reopen_writable(struct db *db)
{
	long long now = (long long)time(NULL);
	if ((db->h && sqlite3_db_readonly(db->h, "main") != 1) || now == db->writable_tried)
		return db->h ? 0 : -1;
	db->writable_tried = now;
	int fd = open(db->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1; /* still read-only (EROFS, EACCES): nothing to do yet */
	close(fd);
	if (pthread_rwlock_trywrlock(&S_gate) != 0)
		return -1;
	struct buf err = BUF_INIT;
	int n = 0, failed = 0;
	pthread_mutex_lock(&S_open_lock);
	for (struct db *d = S_open; d; d = d->next)
		if (strcmp(d->path, db->path) == 0)
			S_disconnect(d);
	for (struct db *d = S_open; d; d = d->next) {
		if (strcmp(d->path, db->path) != 0)
			continue;
		n++;
		if (S_connect(d, &err) < 0) {
			failed++;
			fprintf(stderr, "okpay-portal: %s\n", err.ptr);
			buf_reset(&err);
		}
	}
	pthread_mutex_unlock(&S_open_lock);
	pthread_rwlock_unlock(&S_gate);
	buf_release(&err);
	fprintf(stderr, "okpay-portal: %s is writable again: %d connections reopened%s\n", db->path,
	        n - failed, failed ? " (some failed, tried again later)" : "");
	return db->h && sqlite3_db_readonly(db->h, "main") != 1 ? 0 : -1;
}

void db_durable(struct db *db, int durable)
{
	db->relaxed = !durable;
	sqlite3_exec(db->h, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	             NULL, NULL, NULL);
}

void db_checkpoint_auto(struct db *db, int on)
{
	db->no_autocheckpoint = !on;
	sqlite3_exec(db->h,
	             on ? "PRAGMA wal_autocheckpoint = 1000" : "PRAGMA wal_autocheckpoint = 0",
	             NULL, NULL, NULL);
}

int db_checkpoint(struct db *db)
{
	return sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
	               SQLITE_OK
	           ? 0
	           : -1;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&S_open_lock);
	for (struct db **p = &S_open; *p; p = &(*p)->next)
		if (*p == db) {
			*p = db->next;
			break;
		}
	pthread_mutex_unlock(&S_open_lock);
	S_disconnect(db);
	free(db->path);
	free(db);
}

int db_version(struct db *db)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *db_errmsg(struct db *db)
{
	/* After a rollback SQLite's own message says "not an error": name what was rolled back. */
	if (sqlite3_errcode(db->h) == SQLITE_OK && db->rolled_back)
		return sqlite3_errstr(db->rolled_back);
	return sqlite3_errmsg(db->h);
}

/* Leave the write queue once the transaction has ended (a failed COMMIT leaves it open). */
static void S_dequeue(struct db *db)
{
	if (db->queued && sqlite3_get_autocommit(db->h)) {
		db->queued = 0;
		pthread_mutex_unlock(&write_queue);
	}
}

int db_begin(struct db *db)
{
	if (!db->queued) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WRITE_QUEUE_WAIT;
		if (pthread_mutex_timedlock(&write_queue, &until) != 0)
			return -1;
		db->queued = 1;
	}
	int rc = S_exec(S_st(db, ST_BEGIN));
	S_dequeue(db);
	return rc;
}

int db_commit(struct db *db)
{
	int rc = S_exec(S_st(db, ST_COMMIT));
	S_dequeue(db);
	return rc;
}

void db_rollback(struct db *db)
{
	db->rolled_back = sqlite3_errcode(db->h);
	if (!sqlite3_get_autocommit(db->h))
		S_exec(S_st(db, ST_ROLLBACK));
	S_dequeue(db);
}

static int S_user_row(sqlite3_stmt *s, struct db_user *u)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(s, 0);
		u->email = S_col_text(s, 1);
		u->name = S_col_text(s, 2);
		u->password_hash = S_col_text(s, 3);
		u->locale = S_col_text(s, 4);
		u->verified_at = sqlite3_column_int64(s, 5);
		u->created_at = sqlite3_column_int64(s, 6);
		u->locked_at = sqlite3_column_int64(s, 7);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_user_by_email(struct db *db, const char *email, struct db_user *u)
{
	sqlite3_stmt *s = S_st(db, ST_USER_BY_EMAIL);
	sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
	return S_user_row(s, u);
}

int db_user_by_id(struct db *db, long long id, struct db_user *u)
{
	sqlite3_stmt *s = S_st(db, ST_USER_BY_ID);
	sqlite3_bind_int64(s, 1, id);
	return S_user_row(s, u);
}

int db_user_insert(struct db *db, const char *email, const char *name, const char *hash,
                   const char *locale, long long now, long long *id)
{
	sqlite3_stmt *s = S_st(db, ST_USER_INSERT);
	sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, locale, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(db->h);
		return 0;
	}
	return sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_UNIQUE ? 1 : -1;
}

int db_user_set_verified(struct db *db, long long id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_USER_SET_VERIFIED);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return S_exec(s);
}

int db_user_set_password(struct db *db, long long id, const char *hash)
{
	sqlite3_stmt *s = S_st(db, ST_USER_SET_PASSWORD);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	return S_exec(s);
}

void db_user_release(struct db_user *u)
{
	free(u->email);
	free(u->name);
	free(u->password_hash);
	free(u->locale);
	memset(u, 0, sizeof(*u));
}

int db_token_replace(struct db *db, long long user_id, const char *purpose,
                     const unsigned char hash[32], const unsigned char *code_hash, const char *data,
                     long long now, long long expires)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_REVOKE);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
	if (S_exec(s) < 0)
		return -1;
	s = S_st(db, ST_TOKEN_INSERT);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, expires);
	if (code_hash)
		sqlite3_bind_blob(s, 6, code_hash, 32, SQLITE_STATIC);
	if (data)
		sqlite3_bind_text(s, 7, data, -1, SQLITE_STATIC);
	return S_exec(s);
}

static int S_token_row(sqlite3_stmt *s, struct db_token *t)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		t->id = sqlite3_column_int64(s, 0);
		t->user_id = sqlite3_column_int64(s, 1);
		t->created_at = sqlite3_column_int64(s, 2);
		t->expires_at = sqlite3_column_int64(s, 3);
		t->used_at = sqlite3_column_int64(s, 4);
		t->tries = sqlite3_column_int(s, 5);
		t->has_code = sqlite3_column_bytes(s, 6) == 32;
		if (t->has_code)
			memcpy(t->code_hash, sqlite3_column_blob(s, 6), 32);
		t->data = S_col_text(s, 7);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_token_get(struct db *db, const char *purpose, const unsigned char hash[32],
                 struct db_token *t)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_GET);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
	return S_token_row(s, t);
}

int db_token_latest(struct db *db, long long user_id, const char *purpose, struct db_token *t)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_LATEST);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
	return S_token_row(s, t);
}

int db_token_try(struct db *db, long long id)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_TRY);
	sqlite3_bind_int64(s, 1, id);
	return S_exec(s);
}

int db_token_revoke(struct db *db, long long user_id, const char *purpose)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_REVOKE);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, purpose, -1, SQLITE_STATIC);
	return S_exec(s);
}

void db_token_release(struct db_token *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

int db_sessions_of_user(struct db *db, long long user_id, long long since, int include_ended,
                        int max, struct db_session_row **out)
{
	sqlite3_stmt *s = S_st(db, ST_SESSIONS_OF_USER);
	int n = 0;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int(s, 3, include_ended);
	sqlite3_bind_int(s, 4, max);
	*out = xcalloc((size_t)max + 1, sizeof(**out));
	while (n < max && sqlite3_step(s) == SQLITE_ROW) {
		struct db_session_row *r = &(*out)[n++];
		r->id = sqlite3_column_int64(s, 0);
		r->user_id = sqlite3_column_int64(s, 1);
		r->created_at = sqlite3_column_int64(s, 2);
		r->last_seen_at = sqlite3_column_int64(s, 3);
		r->ip = S_col_text(s, 4);
		r->user_agent = S_col_text(s, 5);
		r->ended_at = sqlite3_column_int64(s, 6);
	}
	sqlite3_reset(s);
	return n;
}

void db_session_rows_release(struct db_session_row *r, int n)
{
	for (int i = 0; r && i < n; i++) {
		free(r[i].ip);
		free(r[i].user_agent);
	}
	free(r);
}

int db_session_end_others(struct db *db, long long user_id, long long keep_id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_END_OTHERS);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, keep_id);
	sqlite3_bind_int64(s, 3, now);
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h);
}

int db_session_end_own(struct db *db, long long id, long long user_id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_END_OWN);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h);
}

/* A page of a user's events, newest first. */
static int S_events(struct db *db, long long user_id, int offset, int max, struct db_event **out)
{
	sqlite3_stmt *s = S_st(db, ST_EVENTS_PAGE);
	int n = 0;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int(s, 2, max);
	sqlite3_bind_int(s, 3, offset);
	*out = xcalloc((size_t)max + 1, sizeof(**out));
	while (n < max && sqlite3_step(s) == SQLITE_ROW) {
		(*out)[n].kind = S_col_text(s, 0);
		(*out)[n].ip = S_col_text(s, 1);
		(*out)[n].user_agent = S_col_text(s, 2);
		(*out)[n].at = sqlite3_column_int64(s, 3);
		n++;
	}
	sqlite3_reset(s);
	return n;
}

int db_events_page(struct db *db, long long user_id, int offset, int max, struct db_event **out,
                   long long *total)
{
	sqlite3_stmt *s = S_st(db, ST_EVENTS_COUNT);
	sqlite3_bind_int64(s, 1, user_id);
	*total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return S_events(db, user_id, offset, max, out);
}

int db_event_count_since(struct db *db, long long user_id, const char *kind, long long since,
                         long long *last)
{
	sqlite3_stmt *s = S_st(db, ST_EVENT_COUNT_SINCE);
	int n = -1;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, since);
	if (sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_int(s, 0);
		if (last)
			*last = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return n;
}

int db_user_set_email(struct db *db, long long id, const char *email)
{
	sqlite3_stmt *s = S_st(db, ST_USER_SET_EMAIL);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, email, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_UNIQUE ? 1 : -1;
}

int db_user_set_locked(struct db *db, long long id, long long locked_at)
{
	sqlite3_stmt *s = S_st(db, ST_USER_SET_LOCKED);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, locked_at);
	return S_exec(s);
}

int db_token_use(struct db *db, const unsigned char hash[32], long long now)
{
	sqlite3_stmt *s = S_st(db, ST_TOKEN_USE);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h) == 1;
}

int db_session_insert(struct db *db, const unsigned char hash[32], long long user_id, long long now,
                      const char *ip, const char *user_agent)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_INSERT);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, user_agent, -1, SQLITE_STATIC);
	return S_exec(s);
}

int db_session_find(struct db *db, const unsigned char hash[32], struct db_session *out)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_FIND);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->user_id = sqlite3_column_int64(s, 1);
		out->created_at = sqlite3_column_int64(s, 2);
		out->last_seen_at = sqlite3_column_int64(s, 3);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_session_touch(struct db *db, long long id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_TOUCH);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return S_exec(s);
}

int db_session_end(struct db *db, long long id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_SESSION_END);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return S_exec(s);
}

int db_event_add(struct db *db, long long user_id, const char *kind, const char *ip,
                 const char *user_agent, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_EVENT_ADD);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, user_agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	return S_exec(s);
}

int db_events_recent(struct db *db, long long user_id, int max, struct db_event **out)
{
	return S_events(db, user_id, 0, max, out);
}

void db_events_release(struct db_event *e, int n)
{
	for (int i = 0; e && i < n; i++) {
		free(e[i].kind);
		free(e[i].ip);
		free(e[i].user_agent);
	}
	free(e);
}

int db_mail_add(struct db *db, const char *to, const char *subject, const char *text,
                const char *html, long long now, long long *id)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_ADD);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	if (html)
		sqlite3_bind_text(s, 4, html, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	if (S_exec(s) < 0)
		return -1;
	if (id)
		*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

static void S_mail_row(sqlite3_stmt *s, struct db_mail *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->to = S_col_text(s, 1);
	m->subject = S_col_text(s, 2);
	m->text = S_col_text(s, 3);
	m->html = S_col_text(s, 4);
	m->created_at = sqlite3_column_int64(s, 5);
	m->attempts = sqlite3_column_int(s, 6);
	m->sent_at = sqlite3_column_int64(s, 7);
	m->last_error = S_col_text(s, 8);
	struct buf id = BUF_INIT;
	buf_addf(&id, "<outbox-%lld.%lld@okpay.example>", m->id, m->created_at);
	m->message_id = buf_detach(&id, NULL);
}

static int S_mail_one(sqlite3_stmt *s, struct db_mail *m)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		S_mail_row(s, m);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_mail_next_due(struct db *db, long long now, struct db_mail *m)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_NEXT);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, 1);
	return S_mail_one(s, m);
}

int db_mail_claim(struct db *db, long long now, long long lease_until, struct db_mail *m, int max)
{
	int n = 0, rc = SQLITE_DONE;
	if (db_begin(db) < 0)
		return -1;
	sqlite3_stmt *s = S_st(db, ST_MAIL_NEXT);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, max);
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		S_mail_row(s, &m[n++]);
	sqlite3_reset(s);
	int ok = n == max || rc == SQLITE_DONE;
	for (int i = 0; ok && i < n; i++) {
		s = S_st(db, ST_MAIL_LEASE);
		sqlite3_bind_int64(s, 1, m[i].id);
		sqlite3_bind_int64(s, 2, lease_until);
		ok = S_exec(s) == 0;
	}
	if (!ok || db_commit(db) < 0) {
		db_rollback(db);
		db_mails_release_each(m, n);
		return -1;
	}
	return n;
}

int db_mail_sent_many(struct db *db, const long long *ids, int n, long long now)
{
	int ok = db_begin(db) == 0;
	for (int i = 0; ok && i < n; i++) {
		sqlite3_stmt *s = S_st(db, ST_MAIL_SENT);
		sqlite3_bind_int64(s, 1, ids[i]);
		sqlite3_bind_int64(s, 2, now);
		ok = S_exec(s) == 0;
	}
	if (!ok || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int db_mail_by_id(struct db *db, long long id, struct db_mail *m)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_BY_ID);
	sqlite3_bind_int64(s, 1, id);
	return S_mail_one(s, m);
}

int db_mail_failed(struct db *db, long long id, const char *error, long long retry_at)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_FAILED);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, retry_at);
	return S_exec(s);
}

/* A lease that ends at retry_at is exactly a deferral: the same statement. */
int db_mail_defer(struct db *db, long long id, long long retry_at)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_LEASE);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, retry_at);
	return S_exec(s);
}

int db_mail_list(struct db *db, int max, struct db_mail **out)
{
	sqlite3_stmt *s = S_st(db, ST_MAIL_LIST);
	int n = 0;
	sqlite3_bind_int(s, 1, max);
	*out = xcalloc((size_t)max + 1, sizeof(**out));
	while (n < max && sqlite3_step(s) == SQLITE_ROW)
		S_mail_row(s, &(*out)[n++]);
	sqlite3_reset(s);
	return n;
}

void db_mail_release(struct db_mail *m)
{
	free(m->to);
	free(m->subject);
	free(m->text);
	free(m->html);
	free(m->message_id);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

void db_mails_release_each(struct db_mail *m, int n)
{
	for (int i = 0; i < n; i++)
		db_mail_release(&m[i]);
}

void db_mails_release(struct db_mail *m, int n)
{
	for (int i = 0; m && i < n; i++)
		db_mail_release(&m[i]);
	free(m);
}

int db_rate_take(struct db *db, const char *key, double burst, double rate, long long now_ms,
                 long *retry_after)
{
	/* Read and write inside one immediate transaction so workers cannot both take the last
	 * token. */
	int own = sqlite3_get_autocommit(db->h);
	if (own && db_begin(db) < 0)
		return -1;
	sqlite3_stmt *s = S_st(db, ST_RATE_GET);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	double tokens = burst;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		double have = sqlite3_column_double(s, 0);
		long long at = sqlite3_column_int64(s, 1);
		double elapsed = now_ms > at ? (double)(now_ms - at) / 1000.0 : 0;
		tokens = fmin(burst, have + elapsed * rate);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(s);
		goto fail;
	}
	sqlite3_reset(s);
	int allowed = tokens >= 1.0;
	if (allowed)
		tokens -= 1.0;
	else
		*retry_after = (long)ceil((1.0 - tokens) / rate);
	s = S_st(db, ST_RATE_PUT);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, tokens);
	sqlite3_bind_int64(s, 3, now_ms);
	if (S_exec(s) < 0)
		goto fail;
	if (own && db_commit(db) < 0)
		goto fail;
	return allowed;
fail:
	if (own)
		db_rollback(db);
	return -1;
}

/*
 * Failure counters share the rate_limits table: tokens holds the number of failures in a row,
 * updated_ms the time of the last one (in milliseconds, as for the buckets).
 */
int db_fail_get(struct db *db, const char *key, long long now, long long window, long long *last)
{
	sqlite3_stmt *s = S_st(db, ST_RATE_GET);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), n = 0;
	*last = 0;
	if (rc == SQLITE_ROW) {
		*last = sqlite3_column_int64(s, 1) / 1000;
		n = now - *last > window ? 0 : (int)sqlite3_column_double(s, 0);
	} else if (rc != SQLITE_DONE) {
		n = -1;
	}
	sqlite3_reset(s);
	return n;
}

int db_fail_add(struct db *db, const char *key, long long now, long long window)
{
	int own = sqlite3_get_autocommit(db->h);
	long long last;
	if (own && db_begin(db) < 0)
		return -1;
	int n = db_fail_get(db, key, now, window, &last);
	if (n < 0)
		goto fail;
	sqlite3_stmt *s = S_st(db, ST_RATE_PUT);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, n + 1);
	sqlite3_bind_int64(s, 3, now * 1000LL);
	if (S_exec(s) < 0 || (own && db_commit(db) < 0))
		goto fail;
	return n + 1;
fail:
	if (own)
		db_rollback(db);
	return -1;
}

int db_fail_clear(struct db *db, const char *key)
{
	sqlite3_stmt *s = S_st(db, ST_RATE_DEL);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return S_exec(s);
}

/* --- the ledger -------------------------------------------------------------------------- */

int db_account_system(struct db *db, const char *kind, long long *id)
{
	sqlite3_stmt *s = S_st(db, ST_ACCOUNT_SYSTEM);
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int S_wallet_row(sqlite3_stmt *s, struct db_account *a)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		a->id = sqlite3_column_int64(s, 0);
		a->user_id = sqlite3_column_int64(s, 1);
		a->balance = sqlite3_column_int64(s, 2);
		a->created_at = sqlite3_column_int64(s, 3);
		const unsigned char *n = sqlite3_column_text(s, 4);
		snprintf(a->number, sizeof(a->number), "%s", n ? (const char *)n : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_wallet_by_user(struct db *db, long long user_id, struct db_account *a)
{
	sqlite3_stmt *s = S_st(db, ST_WALLET_BY_USER);
	sqlite3_bind_int64(s, 1, user_id);
	return S_wallet_row(s, a);
}

int db_wallet_by_number(struct db *db, const char *number, struct db_account *a)
{
	sqlite3_stmt *s = S_st(db, ST_WALLET_BY_NUMBER);
	sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
	return S_wallet_row(s, a);
}

int db_wallet_new(struct db *db, long long user_id, const char *number, long long now,
                  struct db_account *a)
{
	sqlite3_stmt *s = S_st(db, ST_WALLET_NEW);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(db->h) != SQLITE_CONSTRAINT_UNIQUE)
			return -1;
		/* Which one: another wallet of this user (a race lost), or the number? */
		int mine = db_wallet_by_user(db, user_id, a);
		return mine == 1 ? 2 : mine == 0 ? 1 : -1;
	}
	return db_wallet_by_user(db, user_id, a) == 1 ? 0 : -1;
}

int db_account_balance(struct db *db, long long id, long long *balance)
{
	sqlite3_stmt *s = S_st(db, ST_ACCOUNT_BALANCE);
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*balance = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int db_sent_on_day(struct db *db, long long user_id, long long day, long long *sum)
{
	sqlite3_stmt *s = S_st(db, ST_SENT_ON_DAY);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, day);
	int rc = sqlite3_step(s);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void S_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* The next number of day p->day, counted in the same transaction as its transfer. */
static int S_number(struct db *db, int day, char number[17])
{
	sqlite3_stmt *s = S_st(db, ST_TRANSFER_DAY_SEQ);
	sqlite3_bind_int(s, 1, day);
	int rc = sqlite3_step(s);
	long long seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (seq < 1 || seq >= NUMBERS_TRANSFER_SEQS || day < 20000101 || day > 99991231)
		return -1;
	numbers_transfer(number, day / 10000, day / 100 % 100, day % 100, (unsigned)seq);
	return 0;
}

/* Everything of a posting inside the caller's transaction; on any result but OK, roll back. */
static enum db_post_result S_post(struct db *db, const struct db_posting *p, long long *id,
                                  char number[17])
{
	sqlite3_stmt *s;
	/* A key seen before answers with its first transfer, if the request is the same. */
	if (p->idempotency_key) {
		s = S_st(db, ST_TRANSFER_BY_KEY);
		sqlite3_bind_text(s, 1, p->idempotency_key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		enum db_post_result r = DB_POST_ERROR;
		if (rc == SQLITE_ROW) {
			const char *req = (const char *)sqlite3_column_text(s, 1);
			const char *num = (const char *)sqlite3_column_text(s, 2);
			*id = sqlite3_column_int64(s, 0);
			snprintf(number, 17, "%s", num ? num : "");
			r = req && strcmp(req, p->request) == 0 ? DB_POST_REPLAYED
			                                        : DB_POST_CONFLICT;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return r;
	}
	if (p->daily_limit > 0) {
		long long sent;
		if (db_sent_on_day(db, p->from_user, p->day_start, &sent) < 0)
			return DB_POST_ERROR;
		if (sent > p->daily_limit || p->amount > p->daily_limit - sent)
			return DB_POST_LIMIT;
	}
	if (S_number(db, p->day, number) < 0)
		return DB_POST_ERROR;
	s = S_st(db, ST_TRANSFER_INSERT);
	sqlite3_bind_text(s, 1, p->kind, -1, SQLITE_STATIC);
	S_bind_text_or_null(s, 2, p->idempotency_key);
	sqlite3_bind_text(s, 3, p->request, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, p->amount);
	sqlite3_bind_int64(s, 5, p->fee);
	sqlite3_bind_int64(s, 6, p->now);
	sqlite3_bind_text(s, 7, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, p->method ? p->method : "balance", -1, SQLITE_STATIC);
	if (p->from_user)
		sqlite3_bind_int64(s, 9, p->from_user);
	if (p->to_user)
		sqlite3_bind_int64(s, 10, p->to_user);
	S_bind_text_or_null(s, 11, p->note);
	S_bind_text_or_null(s, 12, p->card);
	S_bind_text_or_null(s, 13, p->reference);
	if (S_exec(s) < 0)
		return DB_POST_ERROR;
	*id = sqlite3_last_insert_rowid(db->h);
	for (size_t i = 0; i < p->nlines; i++) {
		s = S_st(db, ST_LEDGER_MOVE);
		sqlite3_bind_int64(s, 1, p->lines[i].account);
		sqlite3_bind_int64(s, 2, p->lines[i].amount);
		int rc = sqlite3_step(s);
		long long after = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return DB_POST_ERROR;
		if (sqlite3_changes(db->h) != 1)
			return DB_POST_INSUFFICIENT;
		s = S_st(db, ST_ENTRY_INSERT);
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, p->lines[i].account);
		sqlite3_bind_int64(s, 3, p->lines[i].amount);
		sqlite3_bind_int64(s, 4, after);
		if (S_exec(s) < 0)
			return DB_POST_ERROR;
	}
	if (p->hook && p->hook(db, *id, number, p->hook_arg) != 0)
		return DB_POST_ERROR;
	return DB_POST_OK;
}

static int S_posting_ok(const struct db_posting *p)
{
	long long sum = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		if (p->lines[i].amount == 0 ||
		    __builtin_add_overflow(sum, p->lines[i].amount, &sum))
			return 0;
	}
	return sum == 0 && p->nlines >= 2 && p->amount > 0 && p->fee >= 0 && p->request;
}

enum db_post_result db_post(struct db *db, const struct db_posting *p, long long *transfer_id,
                            char number[17])
{
	number[0] = '\0';
	if (!S_posting_ok(p))
		return DB_POST_INVALID;
	if (db_begin(db) < 0)
		return DB_POST_ERROR;
	enum db_post_result r = S_post(db, p, transfer_id, number);
	if (r == DB_POST_OK && db_commit(db) < 0)
		r = DB_POST_ERROR;
	if (r != DB_POST_OK)
		db_rollback(db);
	if (r != DB_POST_OK && r != DB_POST_REPLAYED)
		number[0] = '\0';
	return r;
}

static void S_transfer_row(sqlite3_stmt *s, struct db_transfer *t)
{
	t->id = sqlite3_column_int64(s, 0);
	const unsigned char *n = sqlite3_column_text(s, 1);
	snprintf(t->number, sizeof(t->number), "%s", n ? (const char *)n : "");
	t->kind = S_col_text(s, 2);
	t->method = S_col_text(s, 3);
	t->note = S_col_text(s, 4);
	t->card = S_col_text(s, 5);
	t->reference = S_col_text(s, 6);
	t->amount = sqlite3_column_int64(s, 7);
	t->fee = sqlite3_column_int64(s, 8);
	t->from_user = sqlite3_column_int64(s, 9);
	t->to_user = sqlite3_column_int64(s, 10);
	t->created_at = sqlite3_column_int64(s, 11);
}

static int S_transfer_one(sqlite3_stmt *s, struct db_transfer *t)
{
	memset(t, 0, sizeof(*t));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		S_transfer_row(s, t);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_transfer_by_number(struct db *db, const char *number, struct db_transfer *t)
{
	sqlite3_stmt *s = S_st(db, ST_TRANSFER_BY_NUMBER);
	sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
	return S_transfer_one(s, t);
}

int db_transfer_by_id(struct db *db, long long id, struct db_transfer *t)
{
	sqlite3_stmt *s = S_st(db, ST_TRANSFER_BY_ID);
	sqlite3_bind_int64(s, 1, id);
	return S_transfer_one(s, t);
}

int db_transfer_by_key(struct db *db, const char *key, struct db_transfer *t)
{
	sqlite3_stmt *s = S_st(db, ST_TRANSFER_BY_IDEM);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return S_transfer_one(s, t);
}

void db_transfer_release(struct db_transfer *t)
{
	free(t->kind);
	free(t->method);
	free(t->note);
	free(t->card);
	free(t->reference);
	memset(t, 0, sizeof(*t));
}

static int S_deposit_one(sqlite3_stmt *s, struct db_deposit *d)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		d->id = sqlite3_column_int64(s, 0);
		d->user_id = sqlite3_column_int64(s, 1);
		d->amount = sqlite3_column_int64(s, 2);
		d->created_at = sqlite3_column_int64(s, 3);
		d->settled_at = sqlite3_column_int64(s, 4);
		d->transfer_id = sqlite3_column_int64(s, 5);
		const unsigned char *r = sqlite3_column_text(s, 6);
		snprintf(d->reference, sizeof(d->reference), "%s", r ? (const char *)r : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_deposit_new(struct db *db, long long user_id, long long amount, const char *reference,
                   const char *key, long long now, struct db_deposit *d)
{
	sqlite3_stmt *s = S_st(db, ST_DEPOSIT_BY_KEY);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int found = S_deposit_one(s, d);
	if (found != 0)
		return found == 1 ? 2 : -1;
	s = S_st(db, ST_DEPOSIT_NEW);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, amount);
	sqlite3_bind_int64(s, 5, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(db->h) != SQLITE_CONSTRAINT_UNIQUE)
			return -1;
		/* The same key from a concurrent request, or a reference that exists. */
		s = S_st(db, ST_DEPOSIT_BY_KEY);
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		found = S_deposit_one(s, d);
		return found == 1 ? 2 : found == 0 ? 1 : -1;
	}
	s = S_st(db, ST_DEPOSIT_BY_REF);
	sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
	return S_deposit_one(s, d) == 1 ? 0 : -1;
}

int db_deposit_by_reference(struct db *db, const char *reference, struct db_deposit *d)
{
	sqlite3_stmt *s = S_st(db, ST_DEPOSIT_BY_REF);
	sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
	return S_deposit_one(s, d);
}

enum db_post_result db_deposit_settle(struct db *db, const char *reference,
                                      const struct db_posting *p, long long *transfer_id,
                                      char number[17])
{
	struct db_deposit d;
	struct db_transfer t;
	number[0] = '\0';
	if (!S_posting_ok(p))
		return DB_POST_INVALID;
	if (db_begin(db) < 0)
		return DB_POST_ERROR;
	enum db_post_result r = DB_POST_ERROR;
	int found = db_deposit_by_reference(db, reference, &d);
	if (found == 0)
		r = DB_POST_INVALID;
	if (found != 1)
		goto out;
	if (d.settled_at) {
		if (db_transfer_by_id(db, d.transfer_id, &t) == 1) {
			*transfer_id = t.id;
			memcpy(number, t.number, 17);
			r = DB_POST_REPLAYED;
			db_transfer_release(&t);
		}
		goto out;
	}
	if (d.amount != p->amount) {
		r = DB_POST_INVALID;
		goto out;
	}
	r = S_post(db, p, transfer_id, number);
	if (r != DB_POST_OK)
		goto out;
	sqlite3_stmt *s = S_st(db, ST_DEPOSIT_SETTLED);
	sqlite3_bind_int64(s, 1, d.id);
	sqlite3_bind_int64(s, 2, p->now);
	sqlite3_bind_int64(s, 3, *transfer_id);
	if (S_exec(s) < 0 || sqlite3_changes(db->h) != 1 || db_commit(db) < 0)
		r = DB_POST_ERROR;
out:
	if (r != DB_POST_OK)
		db_rollback(db);
	if (r != DB_POST_OK && r != DB_POST_REPLAYED)
		number[0] = '\0';
	return r;
}

static void S_bind_history(sqlite3_stmt *s, const struct db_history_query *q)
{
	sqlite3_bind_int64(s, 1, q->user_id);
	sqlite3_bind_int64(s, 2, q->account_id);
	sqlite3_bind_int64(s, 3, q->since);
	sqlite3_bind_int64(s, 4, q->until);
	sqlite3_bind_int(s, 5, q->direction);
	sqlite3_bind_int(s, 6, q->status);
	S_bind_text_or_null(s, 7, q->number);
}

int db_history(struct db *db, const struct db_history_query *q, struct db_movement **out,
               long long *total)
{
	*out = NULL;
	sqlite3_stmt *s = S_st(db, ST_HISTORY_COUNT);
	S_bind_history(s, q);
	int rc = sqlite3_step(s);
	*total = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return -1;
	s = S_st(db, ST_HISTORY);
	S_bind_history(s, q);
	sqlite3_bind_int(s, 8, q->limit);
	sqlite3_bind_int(s, 9, q->offset);
	int n = 0, cap = 0;
	struct db_movement *m = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			m = xrealloc(m, (size_t)cap * sizeof(*m));
		}
		struct db_movement *r = &m[n++];
		r->transfer_id = sqlite3_column_int64(s, 0);
		const unsigned char *num = sqlite3_column_text(s, 1);
		snprintf(r->number, sizeof(r->number), "%s", num ? (const char *)num : "");
		r->kind = S_col_text(s, 2);
		r->method = S_col_text(s, 3);
		r->status = S_col_text(s, 4);
		r->note = S_col_text(s, 5);
		r->card = S_col_text(s, 6);
		r->reference = S_col_text(s, 7);
		r->amount = sqlite3_column_int64(s, 8);
		r->fee = sqlite3_column_int64(s, 9);
		r->balance_after = sqlite3_column_int64(s, 10);
		r->at = sqlite3_column_int64(s, 11);
		r->from_user = sqlite3_column_int64(s, 12);
		r->to_user = sqlite3_column_int64(s, 13);
		r->other_name = S_col_text(s, 14);
		r->other_number = S_col_text(s, 15);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_movements_release(m, n);
		return -1;
	}
	*out = m;
	return n;
}

void db_movements_release(struct db_movement *m, int n)
{
	for (int i = 0; i < n; i++) {
		free(m[i].kind);
		free(m[i].method);
		free(m[i].status);
		free(m[i].note);
		free(m[i].card);
		free(m[i].reference);
		free(m[i].other_name);
		free(m[i].other_number);
	}
	free(m);
}

/* Append one line per row of an audit query and count them. */
static int S_audit(struct db *db, enum stmt k, struct buf *report, int *problems)
{
	sqlite3_stmt *s = S_st(db, k);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long a = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1),
		          c = sqlite3_column_int64(s, 2), d = sqlite3_column_int64(s, 3);
		if (k == ST_AUDIT_UNBALANCED)
			buf_addf(report, "transfer %lld: entries sum to %lld, not 0\n", a, b);
		else if (k == ST_AUDIT_CACHED)
			buf_addf(report, "account %lld: balance %lld but its entries sum to %lld\n",
			         a, b, c);
		else if (k == ST_AUDIT_NEGATIVE)
			buf_addf(report, "wallet %lld: negative balance %lld\n", a, b);
		else if (k == ST_AUDIT_SENT_DAYS)
			buf_addf(report,
			         "user %lld: the sends of the day starting %lld sum to %lld but its"
			         " daily total says %lld\n",
			         a, b, c, d);
		else if (k == ST_AUDIT_REVIEWS)
			buf_addf(report, "review %lld and transfer %lld do not name each other\n",
			         a, b);
		else
			buf_addf(report, "transfer %lld: its idempotency key made %lld transfers\n",
			         a, b);
		(*problems)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_audit(struct db *db, struct buf *report)
{
	static const enum stmt checks[] = {ST_AUDIT_UNBALANCED, ST_AUDIT_CACHED,
	                                   ST_AUDIT_NEGATIVE,   ST_AUDIT_REVIEWS,
	                                   ST_AUDIT_KEYS,       ST_AUDIT_SENT_DAYS};
	int problems = 0, rc = 0;
	/* One read transaction: the checks see the same ledger. */
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(checks); i++)
		rc |= S_audit(db, checks[i], report, &problems);
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return rc < 0 ? -1 : problems;
}

/* PRAGMA integrity_check on h: its lines into check; 0 when it says "ok", 1, or -1. */
static int S_integrity(sqlite3 *h, struct buf *check)
{
	sqlite3_stmt *s = NULL;
	int rc = -1, rows = 0, ok = 0, step;
	if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(s, 0);
		ok = ++rows == 1 && line && strcmp(line, "ok") == 0;
		buf_addf(check, "%s\n", line ? line : "");
	}
	if (step == SQLITE_DONE)
		rc = ok && rows == 1 ? 0 : 1;
out:
	sqlite3_finalize(s);
	return rc;
}

#define BACKUP_BUSY_MAX 500 /* 10 ms sleeps (5 s, as the busy handler) before giving up */

int db_backup(struct db *db, const char *path, int step_pages, int *pages, struct buf *check,
              struct buf *err)
{
	sqlite3 *to = NULL;
	sqlite3_backup *b = NULL;
	int rc = -1, busy = 0, snapshot = 0, step;
	*pages = 0;
	if (sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		buf_addf(err, "cannot open %s: %s", path,
		         to ? sqlite3_errmsg(to) : "out of memory");
		goto out;
	}
	/*
	 * One snapshot for the whole copy. Without it, a write by another connection between two
	 * steps (the portal writes many times a second) restarts the backup from its first page,
	 * possibly for ever. A read transaction held across the steps sees none of those writes,
	 * and in WAL mode blocks no writer: the WAL only grows until the copy ends.
	 */
	if (sqlite3_exec(db->h, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		buf_addf(err, "cannot read the database: %s", sqlite3_errmsg(db->h));
		goto out;
	}
	snapshot = 1;
	b = sqlite3_backup_init(to, "main", db->h, "main");
	if (!b) {
		buf_addf(err, "cannot start the backup: %s", sqlite3_errmsg(to));
		goto out;
	}
	while ((step = sqlite3_backup_step(b, step_pages)) != SQLITE_DONE) {
		if ((step == SQLITE_BUSY || step == SQLITE_LOCKED) && ++busy <= BACKUP_BUSY_MAX) {
			sqlite3_sleep(10);
		} else if (step != SQLITE_OK) {
			buf_addf(err, "backup to %s: %s", path, sqlite3_errstr(step));
			goto out;
		}
	}
	*pages = sqlite3_backup_pagecount(b);
	step = sqlite3_backup_finish(b);
	b = NULL;
	if (step != SQLITE_OK) {
		buf_addf(err, "backup to %s: %s", path, sqlite3_errmsg(to));
		goto out;
	}
	rc = S_integrity(to, check);
	if (rc < 0)
		buf_addf(err, "cannot check %s: %s", path, sqlite3_errmsg(to));
out:
	if (b)
		sqlite3_backup_finish(b);
	if (snapshot)
		sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	if (sqlite3_close(to) != SQLITE_OK && rc >= 0) {
		buf_addf(err, "cannot close %s: %s", path, sqlite3_errmsg(to));
		rc = -1;
	}
	return rc;
}

int db_search_log_add(struct db *db, const char *query, const char *locale, long long results,
                      long long now)
{
	sqlite3_stmt *s = S_st(db, ST_SEARCH_LOG_ADD);
	sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, locale, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, results);
	sqlite3_bind_int64(s, 4, now);
	return S_exec(s);
}

int db_search_log_report(struct db *db, long long since, int zero_only, int max,
                         struct db_search_row **out)
{
	sqlite3_stmt *s = S_st(db, ST_SEARCH_LOG_REPORT);
	struct db_search_row *r = NULL;
	size_t alloc = 0;
	int n = 0, rc = SQLITE_DONE;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, zero_only != 0);
	sqlite3_bind_int(s, 3, max > 0 ? max : -1);
	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			r = xrealloc(r, alloc * sizeof(*r));
		}
		struct db_search_row *row = &r[n++];
		row->query = S_col_text(s, 0);
		row->locale = S_col_text(s, 1);
		row->count = sqlite3_column_int64(s, 2);
		row->results = sqlite3_column_int64(s, 3);
		row->last_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_search_rows_release(r, n);
		return -1;
	}
	*out = r;
	return n;
}

void db_search_rows_release(struct db_search_row *r, int n)
{
	for (int i = 0; r && i < n; i++) {
		free(r[i].query);
		free(r[i].locale);
	}
	free(r);
}

/* --- two-step verification ----------------------------------------------------------------- */

/* Copy a blob column into a fixed array; a longer one than fits reads as none. */
static size_t S_col_blob(sqlite3_stmt *s, int i, unsigned char *out, size_t cap)
{
	int n = sqlite3_column_bytes(s, i);
	const void *p = sqlite3_column_blob(s, i);
	if (!p || n <= 0 || (size_t)n > cap)
		return 0;
	memcpy(out, p, (size_t)n);
	return (size_t)n;
}

/* Run a guarded UPDATE: 1 if it changed a row, 0 if the guard said no, -1 on error. */
static int S_changed(struct db *db, sqlite3_stmt *s)
{
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h) > 0 ? 1 : 0;
}

int db_twostep_get(struct db *db, long long user_id, struct db_twostep *t)
{
	sqlite3_stmt *s = S_st(db, ST_TWOSTEP_GET);
	sqlite3_bind_int64(s, 1, user_id);
	memset(t, 0, sizeof(*t));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		t->user_id = sqlite3_column_int64(s, 0);
		t->secret_len = S_col_blob(s, 1, t->secret, sizeof(t->secret));
		t->created_at = sqlite3_column_int64(s, 2);
		t->enabled_at = sqlite3_column_int64(s, 3);
		t->last_step = sqlite3_column_int64(s, 4);
		t->codes_len = S_col_blob(s, 5, t->codes_box, sizeof(t->codes_box));
		t->codes_until = sqlite3_column_int64(s, 6);
		t->codes_session = sqlite3_column_int64(s, 7);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_twostep_start(struct db *db, long long user_id, const unsigned char *box, size_t n,
                     long long now)
{
	sqlite3_stmt *s = S_st(db, ST_TWOSTEP_START);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_blob(s, 2, box, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return S_changed(db, s);
}

int db_twostep_enable(struct db *db, long long user_id, long long step, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_TWOSTEP_ENABLE);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, step);
	sqlite3_bind_int64(s, 3, now);
	return S_changed(db, s);
}

int db_twostep_use_step(struct db *db, long long user_id, long long step)
{
	sqlite3_stmt *s = S_st(db, ST_TWOSTEP_STEP);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, step);
	return S_changed(db, s);
}

int db_twostep_delete(struct db *db, long long user_id)
{
	sqlite3_stmt *s = S_st(db, ST_RECOVERY_DELETE);
	sqlite3_bind_int64(s, 1, user_id);
	if (S_exec(s) < 0)
		return -1;
	s = S_st(db, ST_TWOSTEP_DELETE);
	sqlite3_bind_int64(s, 1, user_id);
	return S_exec(s);
}

int db_twostep_codes_box(struct db *db, long long user_id, const unsigned char *box, size_t n,
                         long long until, long long session_id)
{
	sqlite3_stmt *s = S_st(db, ST_TWOSTEP_CODES_BOX);
	sqlite3_bind_int64(s, 1, user_id);
	if (box && n)
		sqlite3_bind_blob(s, 2, box, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, box ? until : 0);
	sqlite3_bind_int64(s, 4, box ? session_id : 0);
	return S_exec(s);
}

int db_recovery_replace(struct db *db, long long user_id, const unsigned char (*hashes)[32], int n)
{
	sqlite3_stmt *s = S_st(db, ST_RECOVERY_DELETE);
	sqlite3_bind_int64(s, 1, user_id);
	if (S_exec(s) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		s = S_st(db, ST_RECOVERY_INSERT);
		sqlite3_bind_int64(s, 1, user_id);
		sqlite3_bind_blob(s, 2, hashes[i], 32, SQLITE_STATIC);
		if (S_exec(s) < 0)
			return -1;
	}
	return 0;
}

int db_recovery_use(struct db *db, long long user_id, const unsigned char hash[32], long long now)
{
	sqlite3_stmt *s = S_st(db, ST_RECOVERY_USE);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return S_changed(db, s);
}

int db_recovery_left(struct db *db, long long user_id)
{
	sqlite3_stmt *s = S_st(db, ST_RECOVERY_LEFT);
	sqlite3_bind_int64(s, 1, user_id);
	int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int db_pending_new(struct db *db, const unsigned char hash[32], long long user_id, long long now,
                   long long expires, const char *next)
{
	sqlite3_stmt *s = S_st(db, ST_PENDING_NEW);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, expires);
	sqlite3_bind_text(s, 5, next ? next : "", -1, SQLITE_STATIC);
	return S_exec(s);
}

int db_pending_get(struct db *db, const unsigned char hash[32], struct db_pending *p)
{
	sqlite3_stmt *s = S_st(db, ST_PENDING_GET);
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	memset(p, 0, sizeof(*p));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(s, 0);
		p->user_id = sqlite3_column_int64(s, 1);
		p->created_at = sqlite3_column_int64(s, 2);
		p->expires_at = sqlite3_column_int64(s, 3);
		p->tries = sqlite3_column_int(s, 4);
		p->done_at = sqlite3_column_int64(s, 5);
		const unsigned char *next = sqlite3_column_text(s, 6);
		if (next && strlen((const char *)next) < sizeof(p->next))
			memcpy(p->next, next, strlen((const char *)next) + 1);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int db_pending_try(struct db *db, long long id)
{
	sqlite3_stmt *s = S_st(db, ST_PENDING_TRY);
	sqlite3_bind_int64(s, 1, id);
	return S_exec(s);
}

int db_pending_done(struct db *db, long long id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_PENDING_DONE);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return S_changed(db, s);
}

int db_pending_purge(struct db *db, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_PENDING_PURGE);
	sqlite3_bind_int64(s, 1, now);
	return S_exec(s);
}

int db_card_used(struct db *db, long long user_id, const char *card)
{
	sqlite3_stmt *s = S_st(db, ST_CARD_USED);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, card, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) != 0 : -1;
	sqlite3_reset(s);
	return rc;
}

/* --- okpay-admin, the operator command line (migration 10) -------------------------------- */

int db_users_find(struct db *db, const char *text, int max, struct db_user **out)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_USERS_FIND);
	int n = 0, rc = SQLITE_DONE;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	*out = xcalloc((size_t)max + 1, sizeof(**out));
	/* S_user_row resets the statement after each row; step on without it. */
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_user *u = &(*out)[n++];
		u->id = sqlite3_column_int64(s, 0);
		u->email = S_col_text(s, 1);
		u->name = S_col_text(s, 2);
		u->password_hash = S_col_text(s, 3);
		u->locale = S_col_text(s, 4);
		u->verified_at = sqlite3_column_int64(s, 5);
		u->created_at = sqlite3_column_int64(s, 6);
		u->locked_at = sqlite3_column_int64(s, 7);
	}
	if (n < max && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		db_users_release(*out, n);
		*out = NULL;
		return -1;
	}
	sqlite3_reset(s);
	return n;
}

void db_users_release(struct db_user *u, int n)
{
	for (int i = 0; u && i < n; i++)
		db_user_release(&u[i]);
	free(u);
}

int db_user_lock(struct db *db, long long id, long long now, const char *reason)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_USER_LOCK);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	return S_exec(s) < 0 ? -1 : sqlite3_changes(db->h) == 1;
}

int db_user_unlock(struct db *db, long long id)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_USER_UNLOCK);
	sqlite3_bind_int64(s, 1, id);
	return S_exec(s) < 0 ? -1 : sqlite3_changes(db->h) == 1;
}

char *db_user_lock_reason(struct db *db, long long id)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_LOCK_REASON);
	char *r = NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		r = S_col_text(s, 0);
	sqlite3_reset(s);
	return r;
}

int db_sessions_live(struct db *db, long long user_id, long long idle_since,
                     long long started_since)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_SESSIONS_LIVE);
	int n = -1;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, idle_since);
	sqlite3_bind_int64(s, 3, started_since);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

int db_transfer_entries(struct db *db, long long transfer_id, struct db_entry_row **out)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_ENTRIES);
	int n = 0, cap = 0, rc;
	*out = NULL;
	sqlite3_bind_int64(s, 1, transfer_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			*out = xrealloc(*out, (size_t)cap * sizeof(**out));
		}
		struct db_entry_row *e = &(*out)[n++];
		e->account_id = sqlite3_column_int64(s, 0);
		e->kind = S_col_text(s, 1);
		e->number = S_col_text(s, 2);
		e->email = S_col_text(s, 3);
		e->amount = sqlite3_column_int64(s, 4);
		e->balance_after = sqlite3_column_int64(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_entry_rows_release(*out, n);
		*out = NULL;
		return -1;
	}
	return n;
}

void db_entry_rows_release(struct db_entry_row *e, int n)
{
	for (int i = 0; e && i < n; i++) {
		free(e[i].kind);
		free(e[i].number);
		free(e[i].email);
	}
	free(e);
}

int db_oplog_add(struct db *db, long long at, const char *who, const char *command,
                 const char *target, const char *details)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_OPLOG_ADD);
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, target ? target : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, details ? details : "", -1, SQLITE_STATIC);
	return S_exec(s);
}

int db_oplog_list(struct db *db, long long since, struct db_oplog **out)
{
	sqlite3_stmt *s = S_st(db, ST_ADMIN_OPLOG_LIST);
	int n = 0, cap = 0, rc;
	*out = NULL;
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, (size_t)cap * sizeof(**out));
		}
		struct db_oplog *l = &(*out)[n++];
		l->id = sqlite3_column_int64(s, 0);
		l->at = sqlite3_column_int64(s, 1);
		l->who = S_col_text(s, 2);
		l->command = S_col_text(s, 3);
		l->target = S_col_text(s, 4);
		l->details = S_col_text(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_oplogs_release(*out, n);
		*out = NULL;
		return -1;
	}
	return n;
}

void db_oplogs_release(struct db_oplog *l, int n)
{
	for (int i = 0; l && i < n; i++) {
		free(l[i].who);
		free(l[i].command);
		free(l[i].target);
		free(l[i].details);
	}
	free(l);
}

/* --- support tickets and article feedback -------------------------------------------------- */

void db_ticket_release(struct db_ticket *t)
{
	free(t->email);
	free(t->locale);
	free(t->topic);
	free(t->subject);
	free(t->transfer);
	free(t->status);
	memset(t, 0, sizeof(*t));
}

void db_tickets_release(struct db_ticket *t, int n)
{
	for (int i = 0; t && i < n; i++)
		db_ticket_release(&t[i]);
	free(t);
}

void db_ticket_messages_release(struct db_ticket_message *m, int n)
{
	for (int i = 0; m && i < n; i++) {
		free(m[i].author);
		free(m[i].body);
	}
	free(m);
}

void db_ticket_files_release(struct db_ticket_file *f, int n)
{
	for (int i = 0; f && i < n; i++) {
		free(f[i].stored);
		free(f[i].filename);
		free(f[i].mime);
	}
	free(f);
}

static void S_ticket_row(sqlite3_stmt *s, struct db_ticket *t)
{
	t->id = sqlite3_column_int64(s, 0);
	const unsigned char *n = sqlite3_column_text(s, 1);
	snprintf(t->number, sizeof(t->number), "%s", n ? (const char *)n : "");
	t->user_id = sqlite3_column_int64(s, 2);
	t->email = S_col_text(s, 3);
	t->locale = S_col_text(s, 4);
	t->topic = S_col_text(s, 5);
	t->subject = S_col_text(s, 6);
	t->transfer = S_col_text(s, 7);
	t->status = S_col_text(s, 8);
	t->created_at = sqlite3_column_int64(s, 9);
	t->updated_at = sqlite3_column_int64(s, 10);
	t->messages = sqlite3_column_int64(s, 11);
}

int db_ticket_insert(struct db *db, const struct db_ticket *t, const char *body,
                     long long *ticket_id, long long *message_id)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_INSERT);
	sqlite3_bind_text(s, 1, t->number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, t->user_id);
	sqlite3_bind_text(s, 3, t->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, t->locale, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, t->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, t->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, t->transfer ? t->transfer : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, t->created_at);
	int rc = sqlite3_step(s);
	int ext = sqlite3_extended_errcode(db->h);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ext == SQLITE_CONSTRAINT_UNIQUE ? 1 : -1;
	*ticket_id = sqlite3_last_insert_rowid(db->h);
	s = S_st(db, ST_TICKET_MESSAGE_ADD);
	sqlite3_bind_int64(s, 1, *ticket_id);
	sqlite3_bind_text(s, 2, "requester", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, t->created_at);
	if (S_exec(s) < 0)
		return -1;
	*message_id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_ticket_message_add(struct db *db, long long ticket_id, const char *author, const char *body,
                          const char *status, long long now, long long *message_id)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_MESSAGE_ADD);
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_text(s, 2, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	if (S_exec(s) < 0)
		return -1;
	if (message_id)
		*message_id = sqlite3_last_insert_rowid(db->h);
	s = S_st(db, ST_TICKET_STATUS);
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return S_exec(s);
}

int db_ticket_file_add(struct db *db, long long ticket_id, long long message_id,
                       const struct db_ticket_file *f, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_FILE_ADD);
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, message_id);
	sqlite3_bind_text(s, 3, f->stored, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, f->filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, f->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, f->size);
	sqlite3_bind_int64(s, 7, now);
	return S_exec(s);
}

int db_ticket_by_number(struct db *db, const char *number, struct db_ticket *t)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_BY_NUMBER);
	sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	memset(t, 0, sizeof(*t));
	if (rc == SQLITE_ROW)
		S_ticket_row(s, t);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_tickets_list(struct db *db, long long user_id, const char *status, int max,
                    struct db_ticket **out)
{
	sqlite3_stmt *s = S_st(db, ST_TICKETS_LIST);
	struct db_ticket *r = NULL;
	size_t alloc = 0;
	int n = 0, rc;
	sqlite3_bind_int64(s, 1, user_id > 0 ? user_id : 0);
	if (status)
		sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, max > 0 ? max : -1);
	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			r = xrealloc(r, alloc * sizeof(*r));
		}
		memset(&r[n], 0, sizeof(r[n]));
		S_ticket_row(s, &r[n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_tickets_release(r, n);
		return -1;
	}
	*out = r;
	return n;
}

int db_ticket_messages(struct db *db, long long ticket_id, struct db_ticket_message **out)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_MESSAGES);
	struct db_ticket_message *r = NULL;
	size_t alloc = 0;
	int n = 0, rc;
	sqlite3_bind_int64(s, 1, ticket_id);
	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			r = xrealloc(r, alloc * sizeof(*r));
		}
		struct db_ticket_message *m = &r[n++];
		m->id = sqlite3_column_int64(s, 0);
		m->author = S_col_text(s, 1);
		m->body = S_col_text(s, 2);
		m->created_at = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_ticket_messages_release(r, n);
		return -1;
	}
	*out = r;
	return n;
}

static void S_file_row(sqlite3_stmt *s, struct db_ticket_file *f)
{
	f->id = sqlite3_column_int64(s, 0);
	f->message_id = sqlite3_column_int64(s, 1);
	f->stored = S_col_text(s, 2);
	f->filename = S_col_text(s, 3);
	f->mime = S_col_text(s, 4);
	f->size = sqlite3_column_int64(s, 5);
	f->created_at = sqlite3_column_int64(s, 6);
}

int db_ticket_files(struct db *db, long long ticket_id, struct db_ticket_file **out)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_FILES);
	struct db_ticket_file *r = NULL;
	size_t alloc = 0;
	int n = 0, rc;
	sqlite3_bind_int64(s, 1, ticket_id);
	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			r = xrealloc(r, alloc * sizeof(*r));
		}
		S_file_row(s, &r[n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_ticket_files_release(r, n);
		return -1;
	}
	*out = r;
	return n;
}

int db_ticket_file(struct db *db, long long ticket_id, long long id, struct db_ticket_file *f)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_FILE);
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, id);
	int rc = sqlite3_step(s);
	memset(f, 0, sizeof(*f));
	if (rc == SQLITE_ROW)
		S_file_row(s, f);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int db_ticket_close(struct db *db, long long ticket_id, long long now)
{
	sqlite3_stmt *s = S_st(db, ST_TICKET_CLOSE);
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, now);
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h) > 0;
}

int db_transfer_of_user(struct db *db, const char *number, long long user_id)
{
	sqlite3_stmt *s = S_st(db, ST_TRANSFER_OF_USER);
	sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	int rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) != 0 : -1;
	sqlite3_reset(s);
	return rc;
}

int db_feedback_add(struct db *db, const char *article, const char *locale, int helpful,
                    const char *comment, const unsigned char voter[32], long long day,
                    long long now)
{
	sqlite3_stmt *s = S_st(db, ST_FEEDBACK_ADD);
	sqlite3_bind_text(s, 1, article, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, locale, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, helpful != 0);
	sqlite3_bind_text(s, 4, comment ? comment : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, voter, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, day);
	sqlite3_bind_int64(s, 7, now);
	if (S_exec(s) < 0)
		return -1;
	return sqlite3_changes(db->h) > 0 ? 0 : 1;
}

void db_feedback_rows_release(struct db_feedback_row *r, int n)
{
	for (int i = 0; r && i < n; i++) {
		free(r[i].article);
		free(r[i].locale);
		for (int j = 0; j < r[i].n_comments; j++)
			free(r[i].comments[j]);
		free(r[i].comments);
	}
	free(r);
}

int db_feedback_report(struct db *db, long long since, int comments, struct db_feedback_row **out)
{
	sqlite3_stmt *s = S_st(db, ST_FEEDBACK_REPORT);
	struct db_feedback_row *r = NULL;
	size_t alloc = 0;
	int n = 0, rc;
	sqlite3_bind_int64(s, 1, since);
	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			r = xrealloc(r, alloc * sizeof(*r));
		}
		struct db_feedback_row *row = &r[n++];
		memset(row, 0, sizeof(*row));
		row->article = S_col_text(s, 0);
		row->locale = S_col_text(s, 1);
		row->votes = sqlite3_column_int64(s, 2);
		row->helpful = sqlite3_column_int64(s, 3);
		row->percent = row->votes ? (int)(row->helpful * 100 / row->votes) : 0;
		row->last_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	/* The comments of each article, after the report's statement is done with. */
	for (int i = 0; rc == SQLITE_DONE && i < n && comments > 0; i++) {
		sqlite3_stmt *c = S_st(db, ST_FEEDBACK_COMMENTS);
		sqlite3_bind_text(c, 1, r[i].article, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 2, r[i].locale, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 3, since);
		sqlite3_bind_int(c, 4, comments);
		r[i].comments = xcalloc((size_t)comments, sizeof(char *));
		while ((rc = sqlite3_step(c)) == SQLITE_ROW && r[i].n_comments < comments)
			r[i].comments[r[i].n_comments++] = S_col_text(c, 0);
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
		sqlite3_reset(c);
	}
	if (rc != SQLITE_DONE) {
		db_feedback_rows_release(r, n);
		return -1;
	}
	*out = r;
	return n;
}
