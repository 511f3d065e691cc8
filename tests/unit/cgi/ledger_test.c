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
#include "numbers.h"
#include "wallet.h"

static char path[64];
static struct db *db;
static long long card, fees, alice, bob, alice_user, bob_user;

/* A posting of the shape the tests use: day 2026-11-25, at time 100. */
#define POSTING(kind_, key_, req_, amount_, fee_, lines_, n_)                                      \
	((struct db_posting){.kind = (kind_),                                                      \
	                     .idempotency_key = (key_),                                            \
	                     .request = (req_),                                                    \
	                     .amount = (amount_),                                                  \
	                     .fee = (fee_),                                                        \
	                     .lines = (lines_),                                                    \
	                     .nlines = (n_),                                                       \
	                     .day = 20261125,                                                      \
	                     .now = 100})

static enum db_post_result S_post(struct db *d, const struct db_posting *p, long long *id)
{
	char number[17];
	return db_post(d, p, id, number);
}

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
	struct db_account w;
	cr_assert_eq(db_wallet_new(db, a, "1000000018", 1, &w), 0);
	alice = w.id;
	cr_assert_eq(db_wallet_new(db, b, "1000000026", 1, &w), 0);
	bob = w.id;
	alice_user = a;
	bob_user = b;
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
	struct db_posting p = POSTING("top_up", key, key ? key : "top up", amount, 0, lines, 2);
	long long id;
	return S_post(db, &p, &id);
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
	struct db_posting p = POSTING("transfer", NULL, "a->b 1000", 1000, 30, lines, 3);
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
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
	struct db_posting p = POSTING("transfer", NULL, "a->b 200", 200, 0, lines, 2);
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_INSUFFICIENT);
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
	struct db_posting p = POSTING("top_up", NULL, "x", 100, 0, unbalanced, 2);
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_INVALID);
	p.lines = zero;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_INVALID);
	p.lines = unbalanced;
	p.nlines = 1;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_INVALID);
	cr_assert_eq(S_count("transfers"), 0);
}

Test(ledger, the_same_key_and_request_replays_the_first_transfer)
{
	struct db_line lines[] = {{card, -500}, {alice, 500}};
	struct db_posting p = POSTING("top_up", "key-1", "alice 500", 500, 0, lines, 2);
	long long first, again;
	cr_assert_eq(S_post(db, &p, &first), DB_POST_OK);
	cr_assert_eq(S_post(db, &p, &again), DB_POST_REPLAYED);
	cr_assert_eq(again, first);
	cr_assert_eq(S_balance(alice), 500, "charged once");
	p.request = "alice 700";
	cr_assert_eq(S_post(db, &p, &again), DB_POST_CONFLICT, "same key, other request");
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
		struct db_posting p = POSTING("transfer", NULL, "10", 10, 0, lines, 2);
		long long id;
		enum db_post_result r = S_post(mine, &p, &id);
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

/* --- the wallet's additions: numbers, limits, reviews, deposits, history ------------------ */

Test(ledger, transfers_are_numbered_per_day_with_a_check_digit)
{
	struct db_line lines[] = {{card, -100}, {alice, 100}};
	struct db_posting p = POSTING("top_up", "k1", "r1", 100, 0, lines, 2);
	char n1[17], n2[17], n3[17], again[17];
	long long id;
	cr_assert_eq(db_post(db, &p, &id, n1), DB_POST_OK);
	p.idempotency_key = "k2";
	cr_assert_eq(db_post(db, &p, &id, n2), DB_POST_OK);
	cr_assert_str_eq(n1, "T202611250000015"); /* Luhn over 20261125000001 */
	cr_assert_eq(strncmp(n2, "T20261125000002", 15), 0);
	cr_assert(numbers_transfer_valid(n2, strlen(n2)));
	p.idempotency_key = "k1";
	cr_assert_eq(db_post(db, &p, &id, again), DB_POST_REPLAYED);
	cr_assert_str_eq(again, n1, "a replay answers with the first transfer's number");
	p.idempotency_key = "k3";
	p.day = 20261126;
	cr_assert_eq(db_post(db, &p, &id, n3), DB_POST_OK);
	cr_assert_eq(strncmp(n3, "T20261126000001", 15), 0, "a new day counts from 1: %s", n3);
}

Test(ledger, the_daily_limit_counts_todays_sends_inside_the_transaction)
{
	cr_assert_eq(S_top_up(alice, 10000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -600}, {bob, 600}};
	struct db_posting p = POSTING("send", NULL, "600", 600, 0, lines, 2);
	p.from_user = alice_user;
	p.daily_limit = 1000;
	/* 2025-11-25 10:00 China Standard Time; its day started at 00:00 CST = 16:00 UTC. */
	p.now = 1764036000;
	p.day_start = wallet_day_start(p.now, NULL);
	cr_assert_eq(p.day_start, 1764000000);
	long long id, sent;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(db_sent_on_day(db, alice_user, p.day_start, &sent), 0);
	cr_assert_eq(sent, 600, "the day's total");
	cr_assert_eq(S_post(db, &p, &id), DB_POST_LIMIT, "600 + 600 > 1000");
	cr_assert_eq(S_balance(alice), 9400);
	p.now += 86400; /* the next day: the first send no longer counts */
	p.day_start += 86400;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(db_sent_on_day(db, alice_user, p.day_start, &sent), 0);
	cr_assert_eq(sent, 600);
	cr_assert_eq(db_sent_on_day(db, bob_user, p.day_start, &sent), 0);
	cr_assert_eq(sent, 0, "nothing sent: 0");
	S_audit_clean();
}

Test(ledger, migration_8_adds_up_the_sends_made_before_it)
{
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -100}, {bob, 100}};
	struct db_posting p = POSTING("send", NULL, "100", 100, 0, lines, 2);
	p.from_user = alice_user;
	p.now = 1764036000; /* 2025-11-25 10:00 CST */
	long long id, sent;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	p.now += 86400;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	db_close(db);
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
	                          "DROP TRIGGER transfers_sent_days; DROP TABLE sent_days;"
	                          " DROP TABLE operator_log;"
	                          " ALTER TABLE users DROP COLUMN locked_reason;"
	                          " DROP TABLE ticket_files; DROP TABLE ticket_messages;"
	                          " DROP TABLE tickets; DROP TABLE feedback;"
	                          " PRAGMA user_version = 7;",
	                          NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(h);
	struct buf err = BUF_INIT;
	db = db_open(path, &err);
	cr_assert_not_null(db, "%s", err.ptr);
	buf_release(&err);
	cr_assert_eq(db_sent_on_day(db, alice_user, 1764000000, &sent), 0);
	cr_assert_eq(sent, 200);
	cr_assert_eq(db_sent_on_day(db, alice_user, 1764000000 + 86400, &sent), 0);
	cr_assert_eq(sent, 100);
	S_audit_clean();
}

Test(ledger, the_audit_reports_a_daily_total_that_does_not_match_the_sends)
{
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -100}, {bob, 100}};
	struct db_posting p = POSTING("send", NULL, "100", 100, 0, lines, 2);
	p.from_user = alice_user;
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	S_audit_clean();
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "UPDATE sent_days SET amount = 1", NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(h);
	struct buf report = BUF_INIT;
	cr_assert_eq(db_audit(db, &report), 1, "%s", report.ptr);
	cr_assert(strstr(report.ptr, "sum to 100 but its daily total says 1"), "%s", report.ptr);
	buf_reset(&report);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "DELETE FROM sent_days", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	cr_assert_eq(db_audit(db, &report), 1, "a missing total: %s", report.ptr);
	cr_assert(strstr(report.ptr, "sum to 100 but its daily total says 0"), "%s", report.ptr);
	buf_release(&report);
}

static int S_failing_hook(struct db *d, long long id, const char *number, void *arg)
{
	(void)d;
	(void)id;
	(void)number;
	(*(int *)arg)++;
	return -1;
}

Test(ledger, a_failing_hook_undoes_the_whole_transfer)
{
	cr_assert_eq(S_top_up(alice, 100, NULL), DB_POST_OK);
	long long transfers = S_count("transfers");
	int called = 0;
	struct db_line lines[] = {{alice, -100}, {bob, 100}};
	struct db_posting p = POSTING("send", NULL, "100", 100, 0, lines, 2);
	p.hook = S_failing_hook;
	p.hook_arg = &called;
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_ERROR);
	cr_assert_eq(called, 1);
	cr_assert_eq(S_balance(alice), 100);
	cr_assert_eq(S_balance(bob), 0);
	cr_assert_eq(S_count("transfers"), transfers);
	S_audit_clean();
}

Test(ledger, a_review_key_makes_one_transfer_and_finds_it_again)
{
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -100}, {bob, 100}};
	struct db_posting p = POSTING("send", "send:REVIEWA", "send 100", 100, 0, lines, 2);
	long long id, again;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(S_post(db, &p, &again), DB_POST_REPLAYED);
	cr_assert_eq(again, id);
	cr_assert_eq(S_balance(bob), 100);

	struct db_transfer t = {0};
	cr_assert_eq(db_transfer_by_key(db, "send:REVIEWA", &t), 1);
	cr_assert_eq(t.id, id);
	db_transfer_release(&t);
	cr_assert_eq(db_transfer_by_key(db, "send:REVIEWB", &t), 0, "an unconfirmed review");
	db_transfer_release(&t);
	S_audit_clean();
}

Test(ledger, the_audit_reports_a_review_key_that_made_two_transfers)
{
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	struct db_line lines[] = {{alice, -100}, {bob, 100}};
	struct db_posting p = POSTING("send", "send:TWICE", "send 100", 100, 0, lines, 2);
	long long id;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	/* A copy whose UNIQUE index was lost, and a second transfer under the same key. */
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
	                          "PRAGMA writable_schema = ON;"
	                          " UPDATE sqlite_schema SET sql = replace(sql,"
	                          " 'idempotency_key TEXT UNIQUE', 'idempotency_key TEXT')"
	                          " WHERE name = 'transfers';"
	                          " DELETE FROM sqlite_schema WHERE name ="
	                          " 'sqlite_autoindex_transfers_1';",
	                          NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(h);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
	                          "INSERT INTO transfers (kind, idempotency_key, request, amount,"
	                          " created_at) SELECT kind, idempotency_key, request, amount,"
	                          " created_at FROM transfers WHERE idempotency_key = 'send:TWICE'",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	/* A fresh connection, as okpay-admin audit is: it reads the schema as the copy has it. */
	struct buf report = BUF_INIT;
	struct db *copy = db_open(path, &report);
	cr_assert_not_null(copy, "%s", report.ptr);
	int n = db_audit(copy, &report);
	db_close(copy);
	cr_assert(n >= 1, "%d problems: %s", n, report.ptr);
	cr_assert(strstr(report.ptr, "its idempotency key made 2 transfers"), "%s", report.ptr);
	buf_release(&report);
}

static struct db_posting S_settlement(const struct db_deposit *d, struct db_line lines[2],
                                      long long bank)
{
	lines[0] = (struct db_line){bank, -d->amount};
	lines[1] = (struct db_line){alice, d->amount};
	struct db_posting p = POSTING("deposit", NULL, "deposit", d->amount, 0, lines, 2);
	p.to_user = alice_user;
	p.reference = d->reference;
	return p;
}

Test(ledger, a_deposit_waits_until_settled_once)
{
	struct db_deposit d, same;
	long long bank, id, again;
	char number[17], number2[17];
	cr_assert_eq(db_account_system(db, "bank_clearing", &bank), 0);
	cr_assert_eq(db_deposit_new(db, alice_user, 5000, "DABCD2345", "key-1", 10, &d), 0);
	cr_assert_str_eq(d.reference, "DABCD2345");
	cr_assert_eq(d.settled_at, 0);
	cr_assert_eq(db_deposit_new(db, alice_user, 7000, "DZZZZ2345", "key-1", 11, &same), 2);
	cr_assert_str_eq(same.reference, "DABCD2345", "a resubmitted form finds the first");
	cr_assert_eq(db_deposit_new(db, alice_user, 7000, "DABCD2345", "key-2", 11, &same), 1,
	             "a taken reference asks for another");
	cr_assert_eq(S_balance(alice), 0);

	struct db_line lines[2];
	struct db_posting p = S_settlement(&d, lines, bank);
	cr_assert_eq(db_deposit_settle(db, "DABCD2345", &p, &id, number), DB_POST_OK);
	cr_assert_eq(db_deposit_settle(db, "DABCD2345", &p, &again, number2), DB_POST_REPLAYED);
	cr_assert_eq(again, id);
	cr_assert_str_eq(number2, number);
	cr_assert_eq(db_deposit_settle(db, "DNOPE2345", &p, &again, number2), DB_POST_INVALID);
	cr_assert_eq(S_balance(alice), 5000);
	cr_assert_eq(db_deposit_by_reference(db, "DABCD2345", &same), 1);
	cr_assert_eq(same.transfer_id, id);
	S_audit_clean();
}

Test(ledger, history_has_one_row_per_entry_and_pending_deposits)
{
	struct db_deposit d;
	struct db_movement *m;
	long long total, id;
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	/* A card-funded send passes through Alice's wallet: in from the card, out to Bob. */
	struct db_line lines[] = {
	    {card, -1033}, {fees, 33}, {alice, 1000}, {alice, -1000}, {bob, 1000}};
	struct db_posting p = POSTING("send", NULL, "card send", 1000, 33, lines, 5);
	p.method = "card";
	p.from_user = alice_user;
	p.to_user = bob_user;
	p.note = "dinner";
	p.now = 200;
	cr_assert_eq(S_post(db, &p, &id), DB_POST_OK);
	cr_assert_eq(db_deposit_new(db, alice_user, 300, "DPEND2345", "k", 300, &d), 0);

	struct db_history_query q = {.user_id = alice_user, .account_id = alice, .limit = 10};
	int n = db_history(db, &q, &m, &total);
	cr_assert_eq(n, 4);
	cr_assert_eq(total, 4);
	cr_assert_str_eq(m[0].status, "pending");
	cr_assert_str_eq(m[0].reference, "DPEND2345");
	cr_assert_eq(m[1].amount, -1000);
	cr_assert_eq(m[1].fee, 0);
	cr_assert_eq(m[1].balance_after, 1000);
	cr_assert_str_eq(m[1].other_name, "Bob");
	cr_assert_str_eq(m[1].other_number, "1000000026");
	cr_assert_str_eq(m[1].note, "dinner");
	cr_assert_eq(m[2].amount, 1000, "the card payment into the wallet");
	cr_assert_eq(m[2].fee, 33, "the fee shows once, on the card payment");
	cr_assert_eq(m[3].amount, 1000);
	cr_assert_eq(m[3].balance_after, 1000);
	db_movements_release(m, n);

	q.direction = -1;
	n = db_history(db, &q, &m, &total);
	cr_assert_eq(n, 1);
	db_movements_release(m, n);
	q.direction = 0;
	q.status = 2;
	n = db_history(db, &q, &m, &total);
	cr_assert_eq(n, 1);
	db_movements_release(m, n);

	/* Bob sees one row, money in from Alice, and no fee. */
	struct db_history_query qb = {.user_id = bob_user, .account_id = bob, .limit = 10};
	n = db_history(db, &qb, &m, &total);
	cr_assert_eq(n, 1);
	cr_assert_eq(m[0].amount, 1000);
	cr_assert_eq(m[0].fee, 0);
	cr_assert_str_eq(m[0].other_name, "Alice");
	char number[17];
	strcpy(number, m[0].number);
	db_movements_release(m, n);
	qb.number = number;
	n = db_history(db, &qb, &m, &total);
	cr_assert_eq(n, 1);
	db_movements_release(m, n);
	qb.number = "T202611259999990";
	n = db_history(db, &qb, &m, &total);
	cr_assert_eq(n, 0);
	db_movements_release(m, n);
	S_audit_clean();
}

Test(ledger, the_audit_reports_a_tampered_ledger)
{
	cr_assert_eq(S_top_up(alice, 1000, NULL), DB_POST_OK);
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
	                          "UPDATE accounts SET balance = balance + 1 WHERE kind ="
	                          " 'fee_income'; UPDATE entries SET amount = amount + 5"
	                          " WHERE id = 1",
	                          NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(h);
	struct buf report = BUF_INIT;
	int n = db_audit(db, &report);
	cr_assert_eq(n, 3, "unbalanced transfer, two accounts off: %s", report.ptr);
	cr_assert(strstr(report.ptr, "entries sum to 5, not 0"), "%s", report.ptr);
	buf_release(&report);
}
