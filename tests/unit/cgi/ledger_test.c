/* ledger_test.c - double entry: balanced, all or nothing, never negative, exactly once. */
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
static long long card, fees, alice, bob;

static void S_setup(void)
{
	struct buf err = BUF_INIT;
	long long a, b;
	strcpy(path, "/tmp/okpay-ledger-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	unlink(path);
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
	buf_release(&err);
	cr_assert_eq(db_user_insert(db, "alice@example.com", "Alice", "h", "zh", 1, &a), 0);
	cr_assert_eq(db_user_insert(db, "bob@example.com", "Bob", "h", "en", 1, &b), 0);
	cr_assert_eq(db_account_wallet(db, a, "1000000018", 1, &alice), 0);
	cr_assert_eq(db_account_wallet(db, b, "1000000026", 1, &bob), 0);
	cr_assert_eq(db_account_system(db, "card_clearing", &card), 0);
	cr_assert_eq(db_account_system(db, "fee_income", &fees), 0);
}

static void S_teardown(void)
{
	char side[80];
	db_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static long long S_balance(long long account)
{
	long long b = -1;
	cr_assert_eq(db_account_balance(db, account, &b), 0);
	return b;
}

static long long S_count(const char *table)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char sql[64];
	long long n = -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

static enum db_post_result S_top_up(long long wallet, long long amount, const char *key)
{
	struct db_line lines[] = {{card, -amount}, {wallet, amount}};
	struct db_posting p = {"top_up", key, key ? key : "top up", amount, 0, lines, 2, 100};
	long long id;
	return db_post(db, &p, &id);
}

static void S_audit_clean(void)
{
	struct buf report = BUF_INIT;
	cr_assert_eq(db_audit(db, &report), 0, "audit: %s", report.ptr);
	buf_release(&report);
}

TestSuite(ledger, .init = S_setup, .fini = S_teardown);

Test(ledger, a_top_up_moves_money_and_balances)
{
	cr_assert_eq(S_top_up(alice, 10000, NULL), DB_POST_OK);
	cr_assert_eq(S_balance(alice), 10000);
	cr_assert_eq(S_balance(card), -10000);
	S_audit_clean();
}

Test(ledger, a_transfer_with_a_fee_balances_three_ways)
{
	cr_assert_eq(S_top_up(alice, 10000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -1030}, {bob, 1000}, {fees, 30}};
	struct db_posting p = {"transfer", NULL, "a->b 1000", 1000, 30, lines, 3, 100};
	long long id;
	cr_assert_eq(db_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(S_balance(alice), 8970);
	cr_assert_eq(S_balance(bob), 1000);
	cr_assert_eq(S_balance(fees), 30);
	S_audit_clean();
}

Test(ledger, a_wallet_never_goes_below_zero_and_nothing_half_happens)
{
	cr_assert_eq(S_top_up(alice, 100, NULL), DB_POST_OK);
	long long transfers = S_count("transfers"), entries = S_count("entries");
	/* Bob is credited first, then Alice's debit fails: the credit must be undone too. */
	struct db_line lines[] = {{bob, 200}, {alice, -200}};
	struct db_posting p = {"transfer", NULL, "a->b 200", 200, 0, lines, 2, 100};
	long long id;
	cr_assert_eq(db_post(db, &p, &id), DB_POST_INSUFFICIENT);
	cr_assert_eq(S_balance(alice), 100);
	cr_assert_eq(S_balance(bob), 0);
	cr_assert_eq(S_count("transfers"), transfers);
	cr_assert_eq(S_count("entries"), entries);
	S_audit_clean();
}

Test(ledger, unbalanced_or_empty_postings_are_refused)
{
	struct db_line unbalanced[] = {{card, -100}, {alice, 99}};
	struct db_line zero[] = {{card, 0}, {alice, 0}};
	struct db_posting p = {"top_up", NULL, "x", 100, 0, unbalanced, 2, 100};
	long long id;
	cr_assert_eq(db_post(db, &p, &id), DB_POST_INVALID);
	p.lines = zero;
	cr_assert_eq(db_post(db, &p, &id), DB_POST_INVALID);
	p.lines = unbalanced;
	p.nlines = 1;
	cr_assert_eq(db_post(db, &p, &id), DB_POST_INVALID);
	cr_assert_eq(S_count("transfers"), 0);
}

Test(ledger, the_same_key_and_request_replays_the_first_transfer)
{
	struct db_line lines[] = {{card, -500}, {alice, 500}};
	struct db_posting p = {"top_up", "key-1", "alice 500", 500, 0, lines, 2, 100};
	long long first, again;
	cr_assert_eq(db_post(db, &p, &first), DB_POST_OK);
	cr_assert_eq(db_post(db, &p, &again), DB_POST_REPLAYED);
	cr_assert_eq(again, first);
	cr_assert_eq(S_balance(alice), 500, "charged once");
	p.request = "alice 700";
	cr_assert_eq(db_post(db, &p, &again), DB_POST_CONFLICT, "same key, other request");
	cr_assert_eq(S_balance(alice), 500);
}

Test(ledger, the_audit_finds_a_corrupted_balance_and_an_unbalanced_transfer)
{
	cr_assert_eq(S_top_up(alice, 100, NULL), DB_POST_OK);
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(
	    sqlite3_exec(h, "UPDATE accounts SET balance = balance + 1 WHERE kind = 'fee_income'",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	cr_assert_eq(
	    sqlite3_exec(h,
	                 "INSERT INTO entries (transfer_id, account_id, amount, balance_after)"
	                 " VALUES (1, 1, 5, 0)",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	struct buf report = BUF_INIT;
	int n = db_audit(db, &report);
	cr_assert(n >= 2, "%d problems: %s", n, report.ptr);
	cr_assert(strstr(report.ptr, "entries sum to 5") != NULL, "%s", report.ptr);
	cr_assert(strstr(report.ptr, "balance 1 but its entries sum to 0") != NULL, "%s",
	          report.ptr);
	buf_release(&report);
}

/* Many senders at once, each on its own connection, as the portal's workers are. */
struct sender {
	long long from, to;
	int ok;
};

static void *S_send_all(void *arg)
{
	struct sender *s = arg;
	struct buf err = BUF_INIT;
	struct db *mine = db_open(path, &err);
	cr_assert_not_null(mine, "%s", err.ptr);
	for (int i = 0; i < 25; i++) {
		struct db_line lines[] = {{s->from, -10}, {s->to, 10}};
		struct db_posting p = {"transfer", NULL, "10", 10, 0, lines, 2, 100};
		long long id;
		enum db_post_result r = db_post(mine, &p, &id);
		cr_assert(r == DB_POST_OK || r == DB_POST_INSUFFICIENT, "result %d", r);
		s->ok += r == DB_POST_OK;
	}
	db_close(mine);
	buf_release(&err);
	return NULL;
}

Test(ledger, fifty_concurrent_sends_from_a_wallet_that_affords_ten_yield_ten)
{
	cr_assert_eq(S_top_up(alice, 100, NULL), DB_POST_OK);
	struct sender s[2] = {{alice, bob, 0}, {alice, bob, 0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, S_send_all, &s[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(s[0].ok + s[1].ok, 10);
	cr_assert_eq(S_balance(alice), 0);
	cr_assert_eq(S_balance(bob), 100);
	S_audit_clean();
}
