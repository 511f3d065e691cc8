/*
 * wallet-raw.c - the baseline of `make bench-wallet`: balance sends posted straight through the
 * portal's database module (db_open: WAL, synchronous=FULL; db_post: one BEGIN IMMEDIATE
 * transaction per transfer), without HTTP, sessions, pages or nginx.
 * usage: wallet-raw --db PATH [--threads N] [--seconds S] [--users U] [--flow]
 *
 * PATH must not exist: a fresh database is made, U users get a wallet and money (top-ups through
 * db_post), then N threads, each with its own connection, post transfers for S seconds. Each
 * transfer has the shape of a confirmed balance send: kind "send", method "balance", an
 * idempotency key, the daily limit checked, two lines (sender -amount, recipient +amount).
 * --flow also does what the portal's Confirm adds inside that posting: two mails queued in its
 * hook (the review of step one is sealed into the page and writes nothing); one commit per
 * transfer, like the portal.
 *
 * Prints one line: "wallet-raw: threads=N seconds=S transfers=T tps=X p50_ms=A p99_ms=B
 * max_ms=M errors=E flow=F" (times of one whole transfer; errors are transfers that did not
 * answer OK, the first three of which are described on stderr).
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "numbers.h"
#include "util.h"

#define TOP_UP      100000000LL /* ¥1,000,000 a wallet: enough for any run */
#define AMOUNT      100LL       /* ¥1.00 a transfer */
#define DAILY_LIMIT 20000000LL  /* the default, so the check runs as in the portal */

struct user {
	long long id, wallet;
	char email[64];
};

static const char *db_path;
static int nusers = 64, nthreads = 1, flow;
static double seconds = 10;
static struct user *users;
static long long day_start;
static int day;

/* What one thread did. */
struct worker {
	pthread_t tid;
	int tid_index; /* 0 .. threads - 1 */
	int index;     /* the user sending now */
	long long done, errors;
	long long *lat; /* nanoseconds of each transfer */
	size_t nlat, cap;
};

/* The China Standard Time (UTC+8) day of t: its start in unix seconds, and YYYYMMDD. */
static void S_cst_day(long long t, long long *start, int *ymd)
{
	long long local = t + 8 * 3600;
	time_t tt = (time_t)local;
	struct tm tm;
	gmtime_r(&tt, &tm);
	*start = local - local % 86400 - 8 * 3600;
	*ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static struct db *S_open(void)
{
	struct buf err = BUF_INIT;
	struct db *db = db_open(db_path, &err);
	if (!db)
		die("%s", err.ptr);
	buf_release(&err);
	return db;
}

/* The users, their wallets and their money, through the same module the portal uses. */
static void S_prepare(void)
{
	struct db *db = S_open();
	long long card;
	if (db_account_system(db, "card_clearing", &card) < 0)
		die("no card_clearing account: %s", db_errmsg(db));
	long long now = time(NULL);
	users = xcalloc((size_t)nusers, sizeof(*users));
	for (int i = 0; i < nusers; i++) {
		struct user *u = &users[i];
		struct db_account a;
		char number[11];
		snprintf(u->email, sizeof(u->email), "raw%d@example.com", i);
		if (db_user_insert(db, u->email, "Raw Bench", "-", "zh", now, &u->id) != 0 ||
		    db_user_set_verified(db, u->id, now) < 0)
			die("cannot insert user %s: %s", u->email, db_errmsg(db));
		numbers_account(number, 100000 + (unsigned long long)i);
		if (db_wallet_new(db, u->id, number, now, &a) != 0)
			die("cannot make the wallet of %s: %s", u->email, db_errmsg(db));
		u->wallet = a.id;

		struct db_line lines[] = {{card, -TOP_UP}, {u->wallet, TOP_UP}};
		char key[32], request[64];
		snprintf(key, sizeof(key), "top-up-%d", i);
		snprintf(request, sizeof(request), "top_up card %lld", TOP_UP);
		struct db_posting p = {.kind = "top_up",
		                       .method = "card",
		                       .idempotency_key = key,
		                       .request = request,
		                       .amount = TOP_UP,
		                       .to_user = u->id,
		                       .card = "visa 4242",
		                       .day = day,
		                       .lines = lines,
		                       .nlines = 2,
		                       .now = now};
		long long id;
		char tnum[17];
		enum db_post_result r = db_post(db, &p, &id, tnum);
		if (r != DB_POST_OK)
			die("top-up of %s answered %d: %s", u->email, (int)r, db_errmsg(db));
	}
	db_close(db);
}

struct mails {
	const struct user *from, *to;
	long long now;
};

/* The confirm's hook in the portal queues a mail to each side; the same rows here. */
static int S_mails(struct db *db, long long transfer_id, const char *number, void *arg)
{
	const struct mails *m = arg;
	char subject[96];
	long long id;
	(void)transfer_id;
	snprintf(subject, sizeof(subject), "You sent ¥1.00 (%s)", number);
	if (db_mail_add(db, m->from->email, subject, "text of the mail, about this long.",
	                "<p>html of the mail, about this long.</p>", m->now, &id) < 0)
		return -1;
	snprintf(subject, sizeof(subject), "You received ¥1.00 (%s)", number);
	return db_mail_add(db, m->to->email, subject, "text of the mail, about this long.",
	                   "<p>html of the mail, about this long.</p>", m->now, &id) < 0
	           ? -1
	           : 0;
}

/* One transfer from user i to the next one: DB_POST_OK or another result. */
static int S_transfer(struct db *db, struct worker *w, long long seq)
{
	const struct user *from = &users[w->index], *to = &users[(w->index + 1) % nusers];
	long long now = time(NULL);
	char key[48], request[160];
	snprintf(key, sizeof(key), "raw-%d-%lld", w->index, seq);
	snprintf(request, sizeof(request), "send balance %lld to %s amount %lld note bench",
	         from->id, to->email, AMOUNT);
	struct mails m = {from, to, now};
	struct db_line lines[] = {{from->wallet, -AMOUNT}, {to->wallet, AMOUNT}};
	struct db_posting p = {.kind = "send",
	                       .method = "balance",
	                       .idempotency_key = key,
	                       .request = request,
	                       .amount = AMOUNT,
	                       .from_user = from->id,
	                       .to_user = to->id,
	                       .note = "bench",
	                       .daily_limit = DAILY_LIMIT,
	                       .day_start = day_start,
	                       .day = day,
	                       .lines = lines,
	                       .nlines = 2,
	                       .now = now,
	                       .hook = flow ? S_mails : NULL,
	                       .hook_arg = &m};
	long long id;
	char number[17];
	return (int)db_post(db, &p, &id, number);
}

static void *S_worker(void *arg)
{
	struct worker *w = arg;
	struct db *db = S_open();
	long long end = util_now_ns() + (long long)(seconds * 1e9);
	/* Each thread sends from its own users in turn, so no two threads debit one wallet. */
	int first = w->index;
	for (long long seq = 0;; seq++) {
		long long t0 = util_now_ns();
		if (t0 >= end)
			break;
		int rc = S_transfer(db, w, seq);
		if (rc == DB_POST_OK) {
			w->done++;
		} else if (w->errors++ < 3) {
			/* Say why, for the first few: the ledger should refuse nothing here. */
			fprintf(stderr,
			        "wallet-raw: thread %d: db_post answered %d (db_post_result); last "
			        "error of the connection: %s\n",
			        w->tid_index, rc, db_errmsg(db));
		}
		if (w->nlat == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 4096;
			w->lat = xrealloc(w->lat, w->cap * sizeof(*w->lat));
		}
		w->lat[w->nlat++] = util_now_ns() - t0;
		w->index += nthreads;
		if (w->index >= nusers)
			w->index = first;
	}
	db_close(db);
	return NULL;
}

static int S_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void S_usage(FILE *f)
{
	fputs("usage: wallet-raw --db PATH [--threads N] [--seconds S] [--users U] [--flow]\n"
	      "Posts balance sends through the portal's database module as fast as it can.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"threads", required_argument, NULL, 't'},
	    {"seconds", required_argument, NULL, 's'},
	    {"users", required_argument, NULL, 'u'},
	    {"flow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	util_set_progname("wallet-raw");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db_path = optarg;
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'u':
			nusers = atoi(optarg);
			break;
		case 'f':
			flow = 1;
			break;
		case 'h':
			S_usage(stdout);
			return 0;
		default:
			S_usage(stderr);
			return 2;
		}
	}
	if (!db_path || optind < argc || nthreads < 1 || nthreads > 64 || nusers < 2 ||
	    nusers < nthreads || !(seconds > 0)) {
		S_usage(stderr);
		return 2;
	}
	if (access(db_path, F_OK) == 0)
		die("%s exists: give the path of a new database", db_path);
	S_cst_day(time(NULL), &day_start, &day);
	S_prepare();

	struct worker *w = xcalloc((size_t)nthreads, sizeof(*w));
	long long t0 = util_now_ns();
	for (int i = 0; i < nthreads; i++) {
		w[i].index = w[i].tid_index = i;
		if (pthread_create(&w[i].tid, NULL, S_worker, &w[i]) != 0)
			die("cannot start a thread");
	}
	long long done = 0, errors = 0;
	size_t nlat = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		done += w[i].done;
		errors += w[i].errors;
		nlat += w[i].nlat;
	}
	double elapsed = (double)(util_now_ns() - t0) / 1e9;
	long long *lat = xcalloc(nlat ? nlat : 1, sizeof(*lat));
	size_t k = 0;
	for (int i = 0; i < nthreads; i++) {
		memcpy(lat + k, w[i].lat, w[i].nlat * sizeof(*lat));
		k += w[i].nlat;
		free(w[i].lat);
	}
	qsort(lat, nlat, sizeof(*lat), S_cmp);
	double p50 = nlat ? (double)lat[nlat / 2] / 1e6 : 0;
	double p99 = nlat ? (double)lat[(nlat * 99) / 100] / 1e6 : 0;
	double max = nlat ? (double)lat[nlat - 1] / 1e6 : 0;
	printf("wallet-raw: threads=%d seconds=%.2f transfers=%lld tps=%.1f p50_ms=%.3f "
	       "p99_ms=%.3f max_ms=%.1f errors=%lld flow=%d\n",
	       nthreads, elapsed, done, (double)done / elapsed, p50, p99, max, errors, flow);

	/* The ledger must still be right: the baseline counts only correct work. */
	struct db *db = S_open();
	struct buf report = BUF_INIT;
	int problems = db_audit(db, &report);
	if (problems != 0) {
		/* The first few lines say enough. */
		char *cut = report.ptr;
		for (int i = 0; i < 5 && cut && *cut; i++)
			cut = strchr(cut + 1, '\n');
		if (cut)
			*cut = '\0';
		die("audit found %d problems, the first:\n%s", problems, report.ptr);
	}
	buf_release(&report);
	db_close(db);
	free(lat);
	free(w);
	free(users);
	return 0;
}
