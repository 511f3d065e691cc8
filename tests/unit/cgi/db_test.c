/* db_test.c - migrations, uniqueness, tokens, the outbox lease and rate limits. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"

static char path[64];
static struct db *db;
static struct buf err;

static void S_fresh(void)
{
	strcpy(path, "/tmp/okpay-dbtest-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	unlink(path);
	buf_init(&err);
}

static void S_setup(void)
{
	S_fresh();
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
}

/* Remove the database file at p and its -wal and -shm. */
static void S_unlink_db(const char *p)
{
	char side[128];
	unlink(p);
	snprintf(side, sizeof(side), "%s-wal", p);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", p);
	unlink(side);
}

static void S_teardown(void)
{
	db_close(db);
	db = NULL;
	S_unlink_db(path);
	buf_release(&err);
}

/* Run SQL directly with the sqlite3 API, as an older program or an operator would. */
static void S_sql(const char *sql)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
}

TestSuite(db, .init = S_setup, .fini = S_teardown);

Test(db, migrates_a_new_database_to_the_latest_version)
{
	cr_assert_eq(db_version(db), 10);
}

Test(db, reopening_keeps_data_and_version)
{
	long long id;
	cr_assert_eq(db_user_insert(db, "a@example.com", "A", "h", "zh", 1, &id), 0);
	db_close(db);
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
	cr_assert_eq(db_version(db), 10);
	struct db_user u = {0};
	cr_assert_eq(db_user_by_id(db, id, &u), 1);
	cr_assert_str_eq(u.email, "a@example.com");
	db_user_release(&u);
}

Test(db, migrates_an_old_schema_database)
{
	/* A database from before the first migration: version 0 with an unrelated table. */
	db_close(db);
	db = NULL;
	unlink(path);
	S_sql("CREATE TABLE legacy (x INTEGER); INSERT INTO legacy VALUES (42);");
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
	cr_assert_eq(db_version(db), 10);
	long long id;
	cr_assert_eq(db_user_insert(db, "b@example.com", "B", "h", "en", 1, &id), 0);
}

Test(db, refuses_a_database_newer_than_the_program)
{
	db_close(db);
	db = NULL;
	S_sql("PRAGMA user_version = 99;");
	struct db *d = db_open(path, &err);
	cr_assert_null(d);
	cr_assert(strstr(err.ptr, "newer") != NULL, "%s", err.ptr);
}

Test(db, email_is_unique_ignoring_case)
{
	long long id;
	cr_assert_eq(db_user_insert(db, "Li.Wei@example.com", "Li", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_user_insert(db, "li.wei@EXAMPLE.com", "Li", "h", "zh", 1, &id), 1);
	struct db_user u = {0};
	cr_assert_eq(db_user_by_email(db, "LI.WEI@example.com", &u), 1);
	cr_assert_str_eq(u.email, "Li.Wei@example.com", "the address is kept as typed");
	db_user_release(&u);
}

Test(db, a_new_token_replaces_the_old_one)
{
	long long id;
	unsigned char t1[32] = {1}, t2[32] = {2};
	struct db_token t = {0};
	cr_assert_eq(db_user_insert(db, "c@example.com", "C", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_token_replace(db, id, "verify", t1, NULL, NULL, 10, 100), 0);
	cr_assert_eq(db_token_get(db, "verify", t1, &t), 1);
	cr_assert_eq(t.user_id, id);
	cr_assert_eq(t.expires_at, 100);
	cr_assert_eq(t.used_at, 0);
	db_token_release(&t);
	cr_assert_eq(db_token_replace(db, id, "verify", t2, NULL, NULL, 20, 200), 0);
	cr_assert_eq(db_token_get(db, "verify", t1, &t), 1);
	cr_assert_neq(t.used_at, 0, "the replaced token can no longer be used");
	db_token_release(&t);
	cr_assert_eq(db_token_get(db, "verify", t2, &t), 1);
	cr_assert_eq(t.used_at, 0);
	db_token_release(&t);
}

Test(db, a_token_is_used_once)
{
	long long id;
	unsigned char h[32] = {7};
	struct db_token t = {0};
	cr_assert_eq(db_user_insert(db, "d@example.com", "D", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_token_replace(db, id, "verify", h, NULL, NULL, 10, 100), 0);
	cr_assert_eq(db_token_use(db, h, 11), 1);
	cr_assert_eq(db_token_use(db, h, 12), 0, "a second use loses");
	cr_assert_eq(db_token_get(db, "verify", h, &t), 1);
	cr_assert_eq(t.used_at, 11);
	db_token_release(&t);
}

Test(db, a_token_of_another_purpose_is_not_found)
{
	long long id;
	unsigned char h[32] = {9};
	struct db_token t = {0};
	cr_assert_eq(db_user_insert(db, "e@example.com", "E", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_token_replace(db, id, "verify", h, NULL, NULL, 10, 100), 0);
	cr_assert_eq(db_token_get(db, "reset", h, &t), 0);
}

Test(db, a_token_keeps_its_code_and_data_and_counts_tries)
{
	long long id;
	unsigned char h[32] = {4}, code[32] = {5};
	struct db_token t = {0};
	cr_assert_eq(db_user_insert(db, "g@example.com", "G", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_token_replace(db, id, "email", h, code, "new@example.com", 10, 100), 0);
	cr_assert_eq(db_token_latest(db, id, "email", &t), 1);
	cr_assert(t.has_code);
	cr_assert_eq(memcmp(t.code_hash, code, 32), 0);
	cr_assert_str_eq(t.data, "new@example.com");
	cr_assert_eq(db_token_try(db, t.id), 0);
	cr_assert_eq(db_token_try(db, t.id), 0);
	db_token_release(&t);
	cr_assert_eq(db_token_get(db, "email", h, &t), 1);
	cr_assert_eq(t.tries, 2);
	db_token_release(&t);
}

Test(db, a_claimed_mail_is_not_due_again_until_its_lease_ends)
{
	struct db_mail m = {0};
	long long id;
	cr_assert_eq(db_mail_add(db, "x@example.com", "S", "text", NULL, 100, &id), 0);
	cr_assert_eq(db_mail_claim(db, 100, 400, &m, 1), 1);
	cr_assert_eq(m.id, id);
	cr_assert(strstr(m.message_id, "@okpay.example>") != NULL);
	db_mail_release(&m);
	cr_assert_eq(db_mail_claim(db, 200, 500, &m, 1), 0, "leased to its first deliverer");
	cr_assert_eq(db_mail_claim(db, 400, 700, &m, 1), 1,
	             "due again after the lease: never lost");
	cr_assert_eq(db_mail_sent_many(db, &m.id, 1, 401), 0);
	db_mail_release(&m);
	cr_assert_eq(db_mail_claim(db, 10000, 10300, &m, 1), 0, "sent mail is never due again");
}

Test(db, mails_are_claimed_and_marked_sent_in_batches)
{
	struct db_mail m[4];
	long long ids[3];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(db_mail_add(db, "x@example.com", "S", "text", NULL, 100 + i, NULL), 0);
	cr_assert_eq(db_mail_claim(db, 200, 500, m, 2), 2, "at most max");
	cr_assert_eq(db_mail_claim(db, 200, 500, m + 2, 2), 1, "the rest, not the leased ones");
	for (int i = 0; i < 3; i++)
		ids[i] = m[i].id;
	cr_assert(ids[0] < ids[1] && ids[1] < ids[2], "oldest first");
	cr_assert_eq(db_mail_sent_many(db, ids, 3, 300), 0);
	db_mails_release_each(m, 3);
	cr_assert_eq(db_mail_claim(db, 1000, 1300, m, 4), 0, "sent mails are never due again");
}

Test(db, a_failed_mail_waits_for_its_retry_time)
{
	struct db_mail m = {0};
	cr_assert_eq(db_mail_add(db, "x@example.com", "S", "text", "<p>html</p>", 100, NULL), 0);
	cr_assert_eq(db_mail_claim(db, 100, 400, &m, 1), 1);
	cr_assert_eq(db_mail_failed(db, m.id, "smtp down", 160), 0);
	db_mail_release(&m);
	cr_assert_eq(db_mail_claim(db, 150, 450, &m, 1), 0);
	cr_assert_eq(db_mail_claim(db, 160, 460, &m, 1), 1);
	cr_assert_eq(m.attempts, 1);
	cr_assert_str_eq(m.last_error, "smtp down");
	db_mail_release(&m);
}

Test(db, rate_limit_allows_a_burst_then_refills)
{
	long retry = 0;
	for (int i = 0; i < 3; i++)
		cr_assert_eq(db_rate_take(db, "k", 3, 1.0 / 60, 1000, &retry), 1, "take %d", i);
	cr_assert_eq(db_rate_take(db, "k", 3, 1.0 / 60, 1000, &retry), 0);
	cr_assert(retry > 0 && retry <= 60, "retry after %ld", retry);
	cr_assert_eq(db_rate_take(db, "other", 3, 1.0 / 60, 1000, &retry), 1, "keys are separate");
	cr_assert_eq(db_rate_take(db, "k", 3, 1.0 / 60, 1000 + 61000, &retry), 1, "refilled");
}

Test(db, sessions_end_and_stay_ended)
{
	long long id;
	struct db_session s;
	unsigned char h[32] = {3};
	cr_assert_eq(db_user_insert(db, "f@example.com", "F", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_session_insert(db, h, id, 100, "127.0.0.1", "curl/8"), 0);
	cr_assert_eq(db_session_find(db, h, &s), 1);
	cr_assert_eq(s.user_id, id);
	cr_assert_eq(db_session_end(db, s.id, 200), 0);
	cr_assert_eq(db_session_find(db, h, &s), 0);
}

Test(db, search_log_groups_queries_most_frequent_first)
{
	cr_assert_eq(db_search_log_add(db, "密码", "zh", 12, 100), 0);
	cr_assert_eq(db_search_log_add(db, "fees", "en", 3, 110), 0);
	cr_assert_eq(db_search_log_add(db, "密码", "zh", 14, 120), 0);
	cr_assert_eq(db_search_log_add(db, "密码", "en", 0, 130), 0);
	cr_assert_eq(db_search_log_add(db, "密码", "zh", 13, 140), 0);
	struct db_search_row *r = NULL;
	int n = db_search_log_report(db, 0, 0, 0, &r);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(r[0].query, "密码");
	cr_assert_str_eq(r[0].locale, "zh");
	cr_assert_eq(r[0].count, 3);
	cr_assert_eq(r[0].results, 13, "the result count of the latest search");
	cr_assert_eq(r[0].last_at, 140);
	/* Equal counts: the more recent first; the same text in another locale is another row. */
	cr_assert_str_eq(r[1].query, "密码");
	cr_assert_str_eq(r[1].locale, "en");
	cr_assert_str_eq(r[2].query, "fees");
	db_search_rows_release(r, n);
}

Test(db, search_log_zero_results_only)
{
	db_search_log_add(db, "found", "en", 5, 100);
	db_search_log_add(db, "nothing", "en", 0, 110);
	db_search_log_add(db, "nothing", "en", 0, 120);
	db_search_log_add(db, "无结果", "zh", 0, 130);
	struct db_search_row *r = NULL;
	int n = db_search_log_report(db, 0, 1, 0, &r);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(r[0].query, "nothing");
	cr_assert_eq(r[0].count, 2);
	cr_assert_eq(r[0].results, 0);
	cr_assert_str_eq(r[1].query, "无结果");
	db_search_rows_release(r, n);
}

Test(db, search_log_since_and_max)
{
	db_search_log_add(db, "old", "en", 1, 100);
	db_search_log_add(db, "new", "en", 1, 200);
	db_search_log_add(db, "newer", "en", 1, 300);
	struct db_search_row *r = NULL;
	int n = db_search_log_report(db, 200, 0, 0, &r);
	cr_assert_eq(n, 2, "since is inclusive, older searches left out");
	cr_assert_str_eq(r[0].query, "newer");
	cr_assert_str_eq(r[1].query, "new");
	db_search_rows_release(r, n);
	n = db_search_log_report(db, 0, 0, 1, &r);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(r[0].query, "newer");
	db_search_rows_release(r, n);
}

Test(db, search_log_report_of_an_empty_log)
{
	struct db_search_row *r = (struct db_search_row *)1;
	cr_assert_eq(db_search_log_report(db, 0, 0, 0, &r), 0);
	cr_assert_null(r);
	db_search_rows_release(r, 0);
}

Test(db, search_log_refuses_an_unknown_locale)
{
	cr_assert_eq(db_search_log_add(db, "x", "fr", 1, 100), -1);
}

Test(db, search_log_stores_nothing_about_the_visitor)
{
	/* Regression guard for "no personal data": the table has these columns and no others. */
	sqlite3 *h;
	sqlite3_stmt *s;
	struct buf cols = BUF_INIT;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(
	    sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info('search_log')", -1, &s, NULL),
	    SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		buf_addf(&cols, "%s ", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	cr_assert_str_eq(cols.ptr, "id query locale results at ");
	buf_release(&cols);
}

Test(db, migration_5_adds_the_search_log_to_a_version_4_database)
{
	long long id;
	cr_assert_eq(db_user_insert(db, "g@example.com", "G", "h", "zh", 1, &id), 0);
	db_close(db);
	db = NULL;
	/* Version 4 had neither the search log nor the tables of migrations 7, 8 and 9. */
	S_sql("DROP TABLE search_log; DROP TABLE twostep; DROP TABLE recovery_codes;"
	      " DROP TABLE login_pending; DROP INDEX transfers_card; DROP TRIGGER"
	      " transfers_sent_days; DROP TABLE sent_days; DROP TABLE ticket_files;"
	      " DROP TABLE ticket_messages; DROP TABLE tickets; DROP TABLE feedback;"
	      " PRAGMA user_version = 4;");
	/* Nor those of migration 10 (okpay-admin). */
	S_sql("DROP TABLE operator_log; ALTER TABLE users DROP COLUMN locked_reason;");
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
	cr_assert_eq(db_version(db), 10);
	cr_assert_eq(db_search_log_add(db, "转账", "zh", 2, 100), 0);
	struct db_user u = {0};
	cr_assert_eq(db_user_by_id(db, id, &u), 1, "the data of version 4 is kept");
	db_user_release(&u);
}

/* --- two-step verification (migration 7) --------------------------------------------------- */

static long long S_twostep_user(void)
{
	long long id;
	static const unsigned char box[60] = "sealed secret";
	cr_assert_eq(db_user_insert(db, "two@example.com", "T", "h", "zh", 1, &id), 0);
	cr_assert_eq(db_twostep_start(db, id, box, sizeof box, 100), 1);
	return id;
}

Test(db, twostep_enrolment_turns_on_once_and_is_not_replaced_when_on)
{
	long long id = S_twostep_user();
	struct db_twostep t;
	cr_assert_eq(db_twostep_get(db, id, &t), 1);
	cr_assert_eq(t.enabled_at, 0);
	cr_assert_eq(t.secret_len, 60);
	cr_assert_eq(db_twostep_enable(db, id, 1000, 200), 1);
	cr_assert_eq(db_twostep_enable(db, id, 1001, 201), 0, "on already");
	static const unsigned char other[60] = "another secret";
	cr_assert_eq(db_twostep_start(db, id, other, sizeof other, 300), 0,
	             "a new enrolment does not replace one that is on");
	cr_assert_eq(db_twostep_get(db, id, &t), 1);
	cr_assert_eq(t.enabled_at, 200);
	cr_assert_eq(memcmp(t.secret, "sealed secret", 13), 0);
}

Test(db, twostep_step_is_used_once_and_never_an_older_one)
{
	long long id = S_twostep_user();
	cr_assert_eq(db_twostep_use_step(db, id, 1000), 0, "not on yet");
	cr_assert_eq(db_twostep_enable(db, id, 1000, 200), 1);
	cr_assert_eq(db_twostep_use_step(db, id, 1000), 0, "the enrolment's step again");
	cr_assert_eq(db_twostep_use_step(db, id, 1001), 1);
	cr_assert_eq(db_twostep_use_step(db, id, 1001), 0, "replay");
	cr_assert_eq(db_twostep_use_step(db, id, 999), 0, "older");
	cr_assert_eq(db_twostep_use_step(db, id, 1002), 1);
}

Test(db, recovery_code_works_once)
{
	long long id = S_twostep_user();
	unsigned char h[3][32];
	for (int i = 0; i < 3; i++)
		memset(h[i], 'a' + i, 32);
	cr_assert_eq(db_recovery_replace(db, id, (const unsigned char(*)[32])h, 3), 0);
	cr_assert_eq(db_recovery_left(db, id), 3);
	cr_assert_eq(db_recovery_use(db, id, h[1], 500), 1);
	cr_assert_eq(db_recovery_use(db, id, h[1], 501), 0, "second use");
	cr_assert_eq(db_recovery_left(db, id), 2);
	unsigned char unknown[32];
	memset(unknown, 'z', 32);
	cr_assert_eq(db_recovery_use(db, id, unknown, 502), 0);
	/* A new set replaces the old one entirely. */
	cr_assert_eq(db_recovery_replace(db, id, (const unsigned char(*)[32])h, 1), 0);
	cr_assert_eq(db_recovery_left(db, id), 1);
	cr_assert_eq(db_recovery_use(db, id, h[1], 503), 0, "an old code of the old set");
	/* Another user's code is not this user's. */
	long long other;
	cr_assert_eq(db_user_insert(db, "three@example.com", "U", "h", "zh", 1, &other), 0);
	cr_assert_eq(db_recovery_use(db, other, h[0], 504), 0);
	cr_assert_eq(db_twostep_delete(db, id), 0);
	cr_assert_eq(db_recovery_left(db, id), 0);
	struct db_twostep t;
	cr_assert_eq(db_twostep_get(db, id, &t), 0);
}

Test(db, pending_login_is_finished_once)
{
	long long id = S_twostep_user();
	unsigned char hash[32];
	memset(hash, 7, 32);
	cr_assert_eq(db_pending_new(db, hash, id, 100, 400, "/zh/account/send"), 0);
	struct db_pending p;
	cr_assert_eq(db_pending_get(db, hash, &p), 1);
	cr_assert_eq(p.user_id, id);
	cr_assert_eq(p.expires_at, 400);
	cr_assert_str_eq(p.next, "/zh/account/send");
	cr_assert_eq(db_pending_try(db, p.id), 0);
	cr_assert_eq(db_pending_done(db, p.id, 150), 1);
	cr_assert_eq(db_pending_done(db, p.id, 151), 0, "finished already");
	cr_assert_eq(db_pending_get(db, hash, &p), 1);
	cr_assert_eq(p.tries, 1);
	cr_assert_eq(p.done_at, 150);
	cr_assert_eq(db_pending_purge(db, 401 + 1), 0);
	cr_assert_eq(db_pending_get(db, hash, &p), 0, "purged after it expired");
}

/* Rows of table in the database file at p, read with the sqlite3 API. */
static long long S_rows(const char *p, const char *table)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char q[128];
	long long n = -1;
	snprintf(q, sizeof(q), "SELECT count(*) FROM %s", table);
	cr_assert_eq(sqlite3_open_v2(p, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, q, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

/* n users u0@example.com ... in one transaction. */
static void S_users(int n)
{
	long long id;
	char email[64];
	cr_assert_eq(db_begin(db), 0);
	for (int i = 0; i < n; i++) {
		snprintf(email, sizeof(email), "u%d@example.com", i);
		cr_assert_eq(db_user_insert(db, email, "U", "h", "zh", 1, &id), 0);
	}
	cr_assert_eq(db_commit(db), 0);
}

Test(db, backup_copies_the_database_and_checks_it)
{
	char copy[80];
	S_users(500);
	snprintf(copy, sizeof(copy), "%s.copy", path);
	struct buf check = BUF_INIT;
	int pages = 0;
	cr_assert_eq(db_backup(db, copy, 7, &pages, &check, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(check.ptr, "ok\n");
	cr_assert_gt(pages, 7, "copied in several steps");
	cr_assert_eq(S_rows(copy, "users"), 500);
	/* The copy is a database of this program: it opens at the same version. */
	struct db *d = db_open(copy, &err);
	cr_assert_not_null(d, "%s", err.ptr);
	cr_assert_eq(db_version(d), 10);
	struct db_user u = {0};
	cr_assert_eq(db_user_by_email(d, "u499@example.com", &u), 1);
	db_user_release(&u);
	db_close(d);
	buf_release(&check);
	S_unlink_db(copy);
}

struct S_writer {
	const char *path;
	volatile int stop;
	volatile long long done; /* users inserted so far */
};

static void *S_write_until_stopped(void *arg)
{
	struct S_writer *w = arg;
	struct buf e = BUF_INIT;
	struct db *d = db_open(w->path, &e);
	char email[64];
	long long id;
	if (!d)
		return NULL;
	db_durable(d, 0);
	for (long long i = 0; !w->stop; i++) {
		snprintf(email, sizeof(email), "writer%lld@example.com", i);
		if (db_user_insert(d, email, "W", "h", "zh", 1, &id) == 0)
			w->done = i + 1;
	}
	db_close(d);
	buf_release(&e);
	return NULL;
}

/*
 * As okpay-admin backup meets the portal: another connection writes all the time. The backup
 * ends, does not hold the writer up, and the copy is one snapshot (all users of some moment).
 */
Test(db, backup_finishes_while_another_connection_keeps_writing)
{
	char copy[80];
	S_users(2000);
	struct S_writer w = {.path = path};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, S_write_until_stopped, &w), 0);
	while (w.done < 20)
		usleep(1000);
	long long before = w.done;
	snprintf(copy, sizeof(copy), "%s.copy", path);
	struct buf check = BUF_INIT;
	int pages = 0;
	/* One page a step: hundreds of steps, each a chance for the writer to get in between. */
	int rc = db_backup(db, copy, 1, &pages, &check, &err);
	long long after = w.done;
	w.stop = 1;
	pthread_join(t, NULL);
	cr_assert_eq(rc, 0, "%s", err.ptr);
	cr_assert_str_eq(check.ptr, "ok\n");
	cr_assert_gt(pages, 100);
	cr_assert_gt(after, before, "the writer was not blocked by the copy");
	long long n = S_rows(copy, "users");
	cr_assert(n >= 2000 + before && n <= 2000 + after, "one snapshot: %lld users", n);
	buf_release(&check);
	S_unlink_db(copy);
}

Test(db, backup_fails_with_a_message_when_the_copy_cannot_be_made)
{
	struct buf check = BUF_INIT;
	int pages = 0;
	cr_assert_eq(db_backup(db, "/nonexistent-dir/okpay.db", 256, &pages, &check, &err), -1);
	cr_assert(strstr(err.ptr, "/nonexistent-dir/okpay.db") != NULL, "%s", err.ptr);
	buf_release(&check);
	/* The source is left as it was: not in a transaction, still writable. */
	long long id;
	cr_assert_eq(db_user_insert(db, "after@example.com", "A", "h", "zh", 1, &id), 0);
}
