/* main.c - okpay-admin: the operator's command line, on the portal's database while it serves. */
#include "app.h"
#include "buf.h"
#include "day.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "numbers.h"
#include "util.h"
#include "twostep.h"
#include "wallet.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Exit codes: 0 done, 1 the check failed or the thing asked for is not there, 2 usage. */
enum { EXIT_DONE = 0, EXIT_NO = 1, EXIT_USAGE = 2, EXIT_ERROR = 3 };

static void S_usage(FILE *f)
{
	fputs("usage: okpay-admin [options] COMMAND [ARGS]\n"
	      "Commands:\n"
	      "  settle REF   credit the pending bank deposit with reference REF (D + 8\n"
	      "               characters) to its owner's wallet and mail them; settling twice\n"
	      "               is harmless. Prints the transfer number.\n"
	      "  audit        check the ledger: every transfer balances, cached balances match\n"
	      "               their entries, no wallet is negative, every confirmed review made\n"
	      "               one transfer. Exit 1 with a report when any check fails.\n"
	      "  twostep-off EMAIL  turn two-step verification off for the account with this\n"
	      "               email, for an owner who lost both the authenticator and the\n"
	      "               recovery codes (check who they are first); the owner is mailed.\n"
	      "  searches     what visitors searched the help center for: each query with how\n"
	      "               often it was searched, the articles it found the last time and\n"
	      "               its language, most frequent first.\n"
	      "    --zero-results      only searches that found nothing (what to write next)\n"
	      "    --since YYYY-MM-DD  only searches from that day on (China Standard Time)\n"
	      "    --json              a JSON array instead of the table\n"
	      "Options:\n"
	      "  --db PATH        the portal's database ($OKPAY_DB, default var/okpay.db)\n"
	      "  --theme DIR      templates ($OKPAY_THEME, default theme)\n"
	      "  --content DIR    ui.conf, for the mails ($OKPAY_CONTENT, default content)\n"
	      "  --base-url URL   for links in mail ($OKPAY_BASE_URL)\n"
	      "  --currency C,S,D the portal's currency, for amounts in mail ($OKPAY_CURRENCY,\n"
	      "                   default CNY,¥,2)\n"
	      "  --help           this text\n"
	      "Exit status: 0 done, 1 check failed or not found, 2 usage, 3 error.\n",
	      f);
}

static const char *S_opt(const char *env, const char *def)
{
	const char *v = getenv(env);
	return v && *v ? v : def;
}

static int S_audit(struct db *db)
{
	struct buf report = BUF_INIT;
	int n = db_audit(db, &report);
	if (n < 0)
		fprintf(stderr, "okpay-admin: audit: cannot read the ledger: %s\n", db_errmsg(db));
	else if (n == 0)
		puts("ledger ok");
	else
		fputs(report.ptr, stdout);
	buf_release(&report);
	return n < 0 ? EXIT_ERROR : n == 0 ? EXIT_DONE : EXIT_NO;
}

/* Print s for a terminal: control characters (C0, DEL, C1) as \xNN, so a query cannot
 * drive the operator's terminal. s is valid UTF-8 (the portal logs only that). */
static void S_print_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			printf("\\u%04x", p[1]), p++;
		else
			putchar(*p);
	}
}

/* Append unix time t as ISO 8601 in UTC: "2026-11-25T15:04:05Z". */
static void S_iso_time(struct buf *b, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];
	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_adds(b, s);
}

static void S_json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	html_json_string(b, s, strlen(s));
	buf_addc(b, '"');
}

static int S_searches(struct db *db, int zero_only, const char *since_s, int json)
{
	long long since = 0;
	if (since_s) {
		struct day d;
		if (day_parse(since_s, strlen(since_s), &d) < 0) {
			fprintf(stderr,
			        "okpay-admin: searches: --since takes a date YYYY-MM-DD, not "
			        "\"%s\"\n",
			        since_s);
			return EXIT_USAGE;
		}
		since = day_start(&d);
	}
	struct db_search_row *r = NULL;
	int n = db_search_log_report(db, since, zero_only, 0, &r);
	if (n < 0) {
		fprintf(stderr, "okpay-admin: searches: cannot read the search log: %s\n",
		        db_errmsg(db));
		return EXIT_ERROR;
	}
	if (json) {
		struct buf b = BUF_INIT;
		buf_addc(&b, '[');
		for (int i = 0; i < n; i++) {
			buf_adds(&b, i ? ",\n{\"query\":" : "\n{\"query\":");
			S_json_str(&b, r[i].query);
			buf_adds(&b, ",\"locale\":");
			S_json_str(&b, r[i].locale);
			buf_addf(&b, ",\"count\":%lld,\"results\":%lld,\"last\":\"", r[i].count,
			         r[i].results);
			S_iso_time(&b, r[i].last_at);
			buf_adds(&b, "\"}");
		}
		buf_adds(&b, n ? "\n]\n" : "]\n");
		fputs(b.ptr, stdout);
		buf_release(&b);
	} else if (n == 0) {
		puts(zero_only ? "no searches without results" : "no searches");
	} else {
		printf("%8s %8s  %-6s  %s\n", "count", "results", "locale", "query");
		for (int i = 0; i < n; i++) {
			printf("%8lld %8lld  %-6s  ", r[i].count, r[i].results, r[i].locale);
			S_print_safe(r[i].query);
			putchar('\n');
		}
	}
	db_search_rows_release(r, n);
	return EXIT_DONE;
}

static int S_settle(struct app *app, struct db *db, const char *ref)
{
	char number[17];
	struct http_req rq = {.app = app, .db = db, .now = (long long)time(NULL)};
	/* References are written in upper case; people may type them otherwise. */
	char norm[10];
	size_t n = strlen(ref);
	if (n != 9) {
		fprintf(stderr, "okpay-admin: settle: \"%s\" is not a deposit reference (D + 8)\n",
		        ref);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i <= n; i++)
		norm[i] = (char)(ref[i] >= 'a' && ref[i] <= 'z' ? ref[i] - 32 : ref[i]);
	enum wallet_result r = wallet_settle(&rq, norm, number);
	switch (r) {
	case WALLET_OK:
		printf("%s settled: transfer %s\n", norm, number);
		return EXIT_DONE;
	case WALLET_REPLAYED:
		printf("%s was settled before: transfer %s\n", norm, number);
		return EXIT_DONE;
	case WALLET_NOT_FOUND:
		fprintf(stderr, "okpay-admin: settle: no deposit with reference %s\n", norm);
		return EXIT_NO;
	default:
		fprintf(stderr, "okpay-admin: settle: failed: %s\n", db_errmsg(db));
		return EXIT_ERROR;
	}
}

static int S_twostep_off(struct app *app, struct db *db, const char *email)
{
	/* The activity log and the mail say where it came from: the operator's tool. */
	struct http_req rq = {.app = app,
	                      .db = db,
	                      .now = (long long)time(NULL),
	                      .remote_addr = "okpay-admin",
	                      .user_agent = "okpay-admin"};
	int rc = EXIT_ERROR;
	int found = db_user_by_email(db, email, &rq.user);
	if (found == 0) {
		fprintf(stderr, "okpay-admin: twostep-off: no account with email %s\n", email);
		rc = EXIT_NO;
		goto out;
	}
	int on = found < 0 ? -1 : twostep_enabled(&rq, rq.user.id);
	if (on == 0) {
		printf("%s: two-step verification is off already\n", rq.user.email);
		rc = EXIT_DONE;
		goto out;
	}
	if (on < 0 || twostep_disable(&rq) < 0) {
		fprintf(stderr, "okpay-admin: twostep-off: failed: %s\n", db_errmsg(db));
		goto out;
	}
	printf("%s: two-step verification turned off; the owner is mailed\n", rq.user.email);
	rc = EXIT_DONE;
out:
	db_user_release(&rq.user);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},       {"theme", required_argument, NULL, 't'},
	    {"content", required_argument, NULL, 'c'},  {"base-url", required_argument, NULL, 'b'},
	    {"currency", required_argument, NULL, 'C'}, {"zero-results", no_argument, NULL, 'z'},
	    {"since", required_argument, NULL, 's'},    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	int zero_only = 0, json = 0;
	const char *since = NULL;
	static struct app app;
	struct config *c = &app.cfg;
	struct buf err = BUF_INIT;
	int ch;

	util_set_progname("okpay-admin");
	c->db_path = S_opt("OKPAY_DB", "var/okpay.db");
	c->theme_dir = S_opt("OKPAY_THEME", "theme");
	c->content_dir = S_opt("OKPAY_CONTENT", "content");
	c->base_url = S_opt("OKPAY_BASE_URL", "http://127.0.0.1:8080");
	const char *currency = S_opt("OKPAY_CURRENCY", "CNY,¥,2");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->db_path = optarg;
			break;
		case 't':
			c->theme_dir = optarg;
			break;
		case 'c':
			c->content_dir = optarg;
			break;
		case 'b':
			c->base_url = optarg;
			break;
		case 'C':
			currency = optarg;
			break;
		case 'z':
			zero_only = 1;
			break;
		case 's':
			since = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			S_usage(stdout);
			return EXIT_DONE;
		default:
			S_usage(stderr);
			return EXIT_USAGE;
		}
	}
	static char currency_spec[64];
	snprintf(currency_spec, sizeof(currency_spec), "%s", currency);
	if (strlen(currency) >= sizeof(currency_spec) ||
	    money_currency_parse(&c->currency, currency_spec) < 0) {
		fprintf(stderr,
		        "okpay-admin: --currency takes CODE,SYMBOL,DECIMALS such as CNY,¥,2\n");
		return EXIT_USAGE;
	}
	const char *cmd = optind < argc ? argv[optind] : NULL;
	int nargs = argc - optind - 1;
	int is_searches = cmd && strcmp(cmd, "searches") == 0;
	if (!cmd ||
	    !((strcmp(cmd, "audit") == 0 && nargs == 0) ||
	      (strcmp(cmd, "settle") == 0 && nargs == 1) ||
	      (strcmp(cmd, "twostep-off") == 0 && nargs == 1) || (is_searches && nargs == 0))) {
		S_usage(stderr);
		return EXIT_USAGE;
	}
	if (!is_searches && (zero_only || json || since)) {
		fprintf(stderr,
		        "okpay-admin: --zero-results, --since and --json are for searches\n");
		return EXIT_USAGE;
	}
	struct db *db = db_open(c->db_path, &err);
	if (!db) {
		fprintf(stderr, "okpay-admin: %s\n", err.ptr);
		buf_release(&err);
		return EXIT_ERROR;
	}
	int rc;
	if (strcmp(cmd, "audit") == 0) {
		rc = S_audit(db);
	} else if (is_searches) {
		rc = S_searches(db, zero_only, since, json);
	} else if (theme_load(&app.theme, c->theme_dir, c->content_dir, c->base_url, &err) < 0) {
		fprintf(stderr, "okpay-admin: theme: %s\n", err.ptr);
		rc = EXIT_ERROR;
	} else {
		rc = strcmp(cmd, "twostep-off") == 0 ? S_twostep_off(&app, db, argv[optind + 1])
		                                     : S_settle(&app, db, argv[optind + 1]);
		theme_release(&app.theme);
	}
	db_close(db);
	buf_release(&err);
	return rc;
}
