/*
 * main.c - okpay-portal: the FastCGI account portal. Threads share nothing but the socket and
 * the queue of requests waiting for a hash thread.
 */
#include "app.h"
#include "card.h"
#include "auth.h"
#include "totp.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "router.h"
#include "util.h"
#include "outbox.h"
#include "page.h"
#include "queue.h"
#include "search.h"
#include "support.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIELDS_MAX       200  /* form fields per request; no portal form has more than a dozen */
#define QUERY_VALUE_MAX  8192 /* bytes of one query string value, decoded */
#define HASH_RETRY_AFTER "5"  /* seconds, when the hash queue is full: a burst passes by then */

static struct app app;
static int listen_fd = -1;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
/* Requests that hash a password (router_hashes), accepted and waiting for a hash thread. */
static struct queue hash_queue;

static const char *S_env(FCGX_Request *r, const char *name)
{
	return FCGX_GetParam(name, r->envp);
}

/* 1 if path is the one page that takes multipart/form-data: the ticket form. */
static int S_multipart_path(const char *path)
{
	return (strncmp(path, "/zh/", 4) == 0 || strncmp(path, "/en/", 4) == 0) &&
	       strcmp(path + 3, "/support/contact") == 0;
}

/* Read exactly len bytes of body into b; 0, or -1 if the body was cut short. */
static int S_read_all(FCGX_Request *r, struct buf *b, size_t len)
{
	buf_grow(b, len);
	while (b->len < len) {
		int got = FCGX_GetStr(b->ptr + b->len, (int)(len - b->len), r->in);
		if (got <= 0)
			break;
		b->len += (size_t)got;
		b->ptr[b->len] = '\0';
	}
	return b->len < len ? -1 : 0;
}

/*
 * A multipart body: parsed strictly (cgi/multipart.h) into rq->upload, its text fields copied
 * into rq->form (through the urlencoded parser, so they meet the same rules and CSRF reads
 * them as for any form). The limits are generous on purpose: the ticket form itself counts
 * files and sizes and says what is wrong beside the field, which a parse error could not.
 */
static int S_read_multipart(FCGX_Request *r, struct http_req *rq, size_t len)
{
	static const struct multipart_limits lim = {
	    .max_parts = 32,
	    .max_files = 16,
	    .max_header = 1024,
	    .max_field = 64 * 1024,
	    .max_file = SUPPORT_BODY_MAX,
	};
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	size_t blen = 0;
	if (multipart_boundary(rq->content_type, strlen(rq->content_type), boundary, &blen) !=
	    MULTIPART_OK)
		return FORM_BAD_ESCAPE;
	if (S_read_all(r, &rq->upload_body, len) < 0)
		return -3;
	enum multipart_error e = multipart_parse(&rq->upload, rq->upload_body.ptr,
	                                         rq->upload_body.len, boundary, blen, &lim);
	if (e != MULTIPART_OK)
		return FORM_BAD_ESCAPE;
	struct buf enc = BUF_INIT;
	for (size_t i = 0; i < rq->upload.n; i++) {
		const struct multipart_part *p = &rq->upload.parts[i];
		if (p->filename)
			continue;
		if (enc.len)
			buf_addc(&enc, '&');
		http_query_value(&enc, p->name, p->name_len);
		buf_addc(&enc, '=');
		http_query_value(&enc, p->value, p->data_len);
	}
	int rc = (int)form_parse_urlencoded(&rq->form, enc.ptr, enc.len, FIELDS_MAX, lim.max_field);
	buf_release(&enc);
	return rc;
}

/*
 * Read the body up to HTTP_BODY_MAX (SUPPORT_BODY_MAX for the ticket form) and parse it.
 * Returns FORM_OK and friends, -1 for a POST that is neither urlencoded nor, where allowed,
 * multipart, -2 for one that is too large, -3 for one cut short, -4 for one that gives a
 * field twice.
 */
static int S_read_body(FCGX_Request *r, struct http_req *rq)
{
	const char *len_s = S_env(r, "CONTENT_LENGTH");
	long len = len_s && *len_s ? strtol(len_s, NULL, 10) : 0;
	if (strcmp(rq->method, "POST") != 0)
		return FORM_OK;
	const char *ct = rq->content_type ? rq->content_type : "";
	int multipart = strncasecmp(ct, "multipart/form-data", 19) == 0 &&
	                (ct[19] == '\0' || ct[19] == ';' || ct[19] == ' ');
	if (multipart && S_multipart_path(rq->path)) {
		if (len < 0 || len > SUPPORT_BODY_MAX)
			return -2;
		return S_read_multipart(r, rq, (size_t)len);
	}
	if (len < 0 || len > HTTP_BODY_MAX)
		return -2;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ct[33] != '\0' && ct[33] != ';'))
		return -1;
	struct buf body = BUF_INIT;
	/* A body shorter than announced was cut off: answer 400 rather than act on part of it. */
	int rc = S_read_all(r, &body, (size_t)len) < 0
	             ? -3
	             : (int)form_parse_urlencoded(&rq->form, body.ptr, body.len, FIELDS_MAX,
	                                          HTTP_BODY_MAX);
	/* Every field of the portal has one value: a second one is parameter pollution (400). */
	if (rc == FORM_OK && form_has_duplicates(&rq->form))
		rc = -4;
	buf_release(&body);
	return rc;
}

static void S_log(const struct http_req *rq, int status, double ms)
{
	if (!app.log)
		return;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/*
	 * The path only: query strings carry tokens and never reach the log. nginx hands over the
	 * decoded path, so bytes that could forge a line or confuse a reader are escaped again.
	 */
	struct buf path = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)rq->path; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '%')
			buf_addf(&path, "%%%02X", *p);
		else
			buf_addc(&path, (char)*p);
	pthread_mutex_lock(&app.log_lock);
	fprintf(app.log, "%s %s %s %s %d %.1fms\n", when, rq->remote_addr, rq->method, path.ptr,
	        status, ms);
	fflush(app.log);
	pthread_mutex_unlock(&app.log_lock);
	buf_release(&path);
}

/*
 * Answer r. busy: only say 503 with Retry-After, the themed page (the hash queue is full, or
 * the portal is stopping); the body is still read, so nginx's write of it does not fail.
 */
static void S_serve(FCGX_Request *r, struct db *db, struct search **search, int busy)
{
	long long t0 = util_now_ns();
	struct http_req rq = {0};
	struct http_resp rs = {0};
	buf_init(&rs.headers);
	buf_init(&rs.body);
	buf_init(&rq.upload_body);

	rq.app = &app;
	rq.db = db;
	rq.search = search;
	rq.now = (long long)time(NULL);
	rq.method = S_env(r, "REQUEST_METHOD");
	rq.path = S_env(r, "DOCUMENT_URI");
	rq.remote_addr = S_env(r, "REMOTE_ADDR");
	rq.user_agent = S_env(r, "HTTP_USER_AGENT");
	rq.origin = S_env(r, "HTTP_ORIGIN");
	rq.sec_fetch_site = S_env(r, "HTTP_SEC_FETCH_SITE");
	rq.content_type = S_env(r, "CONTENT_TYPE");
	rq.host = S_env(r, "HTTP_HOST");
	const char *https = S_env(r, "HTTPS");
	rq.https = https && *https;
	if (!rq.method)
		rq.method = "GET";
	if (!rq.path)
		rq.path = "/";
	if (!rq.remote_addr)
		rq.remote_addr = "";
	if (!rq.user_agent)
		rq.user_agent = "";
	if (rq.content_type && !*rq.content_type)
		rq.content_type = NULL;

	const char *qs = S_env(r, "QUERY_STRING");
	const char *cookie = S_env(r, "HTTP_COOKIE");
	if (cookie)
		cookie_parse(&rq.cookies, cookie, strlen(cookie));
	int body = S_read_body(r, &rq);
	/*
	 * Query values up to QUERY_VALUE_MAX: nginx refuses request lines over 8 KB anyway, and
	 * the search pages cut a long q themselves rather than refuse it.
	 */
	int qerr =
	    qs ? (int)form_parse_urlencoded(&rq.query, qs, strlen(qs), FIELDS_MAX, QUERY_VALUE_MAX)
	       : FORM_OK;
	if (qerr == FORM_OK && form_has_duplicates(&rq.query))
		qerr = -4;
	int status;
	if (busy) {
		rq.locale = strncmp(rq.path, "/en/", 4) == 0 ? LOCALE_EN : LOCALE_ZH;
		http_header(&rs, "Retry-After", HASH_RETRY_AFTER);
		/* Busy, not broken: "in a moment" rather than the outage text's "a few minutes". */
		status = page_error_text(&rq, &rs, 503, "error_busy_text");
	} else if (qerr != FORM_OK || !utf8_valid(rq.path, strlen(rq.path))) {
		/* Malformed query strings and paths are answered 400 whatever the page. */
		rq.locale = strncmp(rq.path, "/en/", 4) == 0 ? LOCALE_EN : LOCALE_ZH;
		status = page_error(&rq, &rs, 400);
	} else {
		status = router_dispatch(&rq, &rs, body);
	}
	if (!rs.status)
		rs.status = status;

	struct buf head = BUF_INIT;
	buf_addf(&head, "Status: %d %s\r\n", rs.status, http_reason(rs.status));
	buf_add(&head, rs.headers.ptr, rs.headers.len);
	buf_adds(&head, "Cache-Control: no-store\r\n");
	if (!strstr(rs.headers.ptr, "Referrer-Policy:"))
		buf_adds(&head, "Referrer-Policy: strict-origin-when-cross-origin\r\n");
	if (!strstr(rs.headers.ptr, "Content-Type:"))
		buf_adds(&head, "Content-Type: text/html; charset=utf-8\r\n");
	buf_adds(&head, "\r\n");
	FCGX_PutStr(head.ptr, (int)head.len, r->out);
	if (strcmp(rq.method, "HEAD") != 0)
		FCGX_PutStr(rs.body.ptr, (int)rs.body.len, r->out);
	S_log(&rq, rs.status, (util_now_ns() - t0) / 1e6);

	buf_release(&head);
	buf_release(&rs.headers);
	buf_release(&rs.body);
	form_release(&rq.query);
	form_release(&rq.form);
	multipart_release(&rq.upload);
	buf_release(&rq.upload_body);
	form_release(&rq.cookies);
	db_user_release(&rq.user);
}

static void S_unlock(void *mutex)
{
	pthread_mutex_unlock(mutex);
}

static void S_close_db(void *db)
{
	db_close(db);
}

static void S_close_search(void *slot)
{
	struct search **s = slot;
	if (*s)
		search_close(*s);
	*s = NULL;
}

/*
 * Copies the write-ahead log back into the database a few times a second, so that no request
 * pays for it (the workers' automatic checkpoints are off). PASSIVE: it never waits for
 * readers or writers, and whatever it could not copy is copied the next time.
 */
static void *S_checkpointer(void *arg)
{
	(void)arg;
	struct buf err = BUF_INIT;
	struct db *db = db_open(app.cfg.db_path, &err);
	if (!db) {
		fprintf(stderr, "okpay-portal: checkpoints: %s\n", err.ptr);
		buf_release(&err);
		return NULL;
	}
	/* A full or read-only disk fails every checkpoint: said once, and once when it passes. */
	int failing = 0;
	while (!app.stopping) {
		db_reopen_writable(db);
		db_enter();
		int rc = db_checkpoint(db);
		db_leave();
		if ((rc < 0) != failing) {
			failing = !failing;
			if (failing)
				fprintf(stderr, "okpay-portal: checkpoints: %s\n", db_errmsg(db));
			else
				fprintf(stderr, "okpay-portal: checkpoints: working again\n");
		}
		usleep(250 * 1000);
	}
	db_checkpoint(db);
	db_close(db);
	buf_release(&err);
	return NULL;
}

/*
 * S_serve inside the database gate (db_enter), after giving a connection that was opened
 * read-only the chance to come back read-write (db_reopen_writable: the disk was remounted).
 */
static void S_serve_in_db(FCGX_Request *r, struct db *db, struct search **search, int busy)
{
	db_reopen_writable(db);
	db_enter();
	S_serve(r, db, search, busy);
	db_leave();
}

/* The database connection of a thread that serves requests: each has its own. */
static struct db *S_thread_db(void)
{
	struct buf err = BUF_INIT;
	struct db *db = db_open(app.cfg.db_path, &err);
	if (!db) {
		fprintf(stderr, "okpay-portal: %s\n", err.ptr);
		buf_release(&err);
		exit(1);
	}
	buf_release(&err);
	db_checkpoint_auto(db, 0); /* S_checkpointer does it, outside requests */
	return db;
}

/* A request on the heap, so that a worker can hand it to a hash thread and take a new one. */
static FCGX_Request *S_request_new(void)
{
	FCGX_Request *r = xmalloc(sizeof(*r));
	FCGX_InitRequest(r, listen_fd, 0);
	return r;
}

/*
 * Free *slot and whatever request data and connection it still holds: a request accepted only
 * in part when a worker was cancelled, or none. FCGX_Free closes a connection only if open.
 */
static void S_request_drop(void *slot)
{
	FCGX_Request **r = slot;
	FCGX_Free(*r, 1);
	free(*r);
	*r = NULL;
}

/* The same for a request that was answered: flush and finish it first. */
static void S_request_done(FCGX_Request *r)
{
	FCGX_Finish_r(r);
	S_request_drop(&r);
}

static void *S_worker(void *arg)
{
	(void)arg;
	struct db *db = S_thread_db();
	struct search *search = NULL; /* opened by the first search this worker serves */
	FCGX_Request *r = S_request_new();
	/*
	 * Shutdown cancels workers while they wait in accept(), the only place cancellation is
	 * enabled: a request in progress always finishes, the accept lock is released and the
	 * connection closed by the cleanup handlers.
	 */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_push(S_close_db, db);
	pthread_cleanup_push(S_close_search, &search);
	pthread_cleanup_push(S_request_drop, &r);
	for (;;) {
		int rc;
		pthread_mutex_lock(&accept_lock);
		pthread_cleanup_push(S_unlock, &accept_lock);
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		rc = FCGX_Accept_r(r);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_cleanup_pop(1);
		if (rc < 0)
			break;
		const char *method = S_env(r, "REQUEST_METHOD"), *path = S_env(r, "DOCUMENT_URI");
		int busy = 0;
		/*
		 * A password hash takes 80 MiB and a tenth of a second of CPU or more: the hash
		 * threads do it, so that this thread goes back to the pages, which take a
		 * millisecond. The hash threads own what they take and finish it.
		 */
		if (router_hashes(method ? method : "GET", path ? path : "/")) {
			if (!app.stopping && queue_push(&hash_queue, r) == 0) {
				r = S_request_new();
				continue;
			}
			busy = 1; /* a full queue answers now rather than wait without end */
		}
		/* After SIGTERM the next accept() ends this thread (cancellation is pending). */
		S_serve_in_db(r, db, &search, busy);
		FCGX_Finish_r(r);
	}
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	return NULL;
}

/*
 * Serves the requests that hash a password, one at a time, from hash_queue; there are
 * --hash-threads of these, so at most that many hashes (80 MiB each) are ever in memory. Each
 * has its own database connection, as a worker. Ends when the queue is closed and empty;
 * what it pops once the portal is stopping is answered 503, not hashed, so that shutdown is
 * quick however long the queue.
 */
static void *S_hasher(void *arg)
{
	(void)arg;
	struct db *db = S_thread_db();
	struct search *search = NULL;
	FCGX_Request *r;
	/*
	 * At the workers' priority: a worker that wakes for a page preempts a hash anyway (it has
	 * slept, so the scheduler owes it CPU time). At nice +5 pages were no faster in
	 * bench-mixed (bench/RESULTS.md), and the systemd unit forbids setpriority (~@resources).
	 */
	while ((r = queue_pop(&hash_queue)) != NULL) {
		S_serve_in_db(r, db, &search, app.stopping);
		S_request_done(r);
	}
	S_close_search(&search);
	db_close(db);
	return NULL;
}

static void S_usage(FILE *f)
{
	fputs(
	    "usage: okpay-portal [options]\n"
	    "The OKpay account portal, a FastCGI responder behind nginx.\n\n"
	    "  --db PATH         SQLite database, created and migrated at start\n"
	    "                    ($OKPAY_DB, default var/okpay.db)\n"
	    "  --socket PATH     FastCGI Unix socket ($OKPAY_SOCKET, default var/run/okpay.sock);\n"
	    "                    unused when systemd passes one ($LISTEN_FDS)\n"
	    "  --theme DIR       templates and assets ($OKPAY_THEME, default theme)\n"
	    "  --content DIR     ui.conf with the UI strings ($OKPAY_CONTENT, default content)\n"
	    "  --mail-dir DIR    write outgoing mail as .eml files here\n"
	    "                    ($OKPAY_MAIL_DIR, default var/mail)\n"
	    "  --sendmail CMD    deliver through a sendmail-compatible command instead\n"
	    "                    ($OKPAY_SENDMAIL)\n"
	    "  --sendmail-timeout S  seconds one sendmail run may take, then it is killed\n"
	    "                    and the mail retried ($OKPAY_SENDMAIL_TIMEOUT, default 30)\n"
	    "  --mail-retry S    seconds before a failed mail is tried again, doubling per\n"
	    "                    attempt up to 120 times that ($OKPAY_MAIL_RETRY, default 30)\n"
	    "  --base-url URL    public address for links in mail ($OKPAY_BASE_URL,\n"
	    "                    default http://127.0.0.1:8080)\n"
	    "  --key PATH        server key, created with mode 0600 if missing\n"
	    "                    ($OKPAY_KEY, default var/secret.key)\n"
	    "  --log PATH        request log ($OKPAY_LOG, default var/log/portal.log)\n"
	    "  --search-db PATH  the help center's search index, written by site-gen and\n"
	    "                    reopened when it changes ($OKPAY_SEARCH_DB, default\n"
	    "                    build/search.db)\n"
	    "  --workers N       request threads ($OKPAY_WORKERS, default 4)\n"
	    "  --hash-threads N  threads that serve the requests which hash a password: login,\n"
	    "                    registration, password and email changes, two-step with the\n"
	    "                    password; at most N hashes (80 MiB each) at once\n"
	    "                    ($OKPAY_HASH_THREADS, default the number of online CPUs)\n"
	    "  --hash-queue N    such requests that may wait for a hash thread; more are\n"
	    "                    answered 503 with Retry-After ($OKPAY_HASH_QUEUE, default 64\n"
	    "                    per hash thread, at most 512)\n"
	    "  --dev             dev mode: /_dev/mail, cookies without Secure on plain HTTP\n"
	    "                    ($OKPAY_DEV=1)\n"
	    "  --currency C,S,D  currency code, symbol and decimals ($OKPAY_CURRENCY,\n"
	    "                    default CNY,¥,2)\n"
	    "  --card-fee-bp N   card fee rate in basis points ($OKPAY_CARD_FEE_BP, default\n"
	    "                    290 = 2.9%)\n"
	    "  --card-fee-fixed N  plus N minor units per card payment ($OKPAY_CARD_FEE_FIXED,\n"
	    "                    default 30 = ¥0.30)\n"
	    "  --limit-transfer N  largest send or top-up in minor units\n"
	    "                    ($OKPAY_LIMIT_TRANSFER, default 5000000 = ¥50,000)\n"
	    "  --limit-daily N   most sent per day (UTC+8) in minor units ($OKPAY_LIMIT_DAILY,\n"
	    "                    default 20000000 = ¥200,000)\n"
	    "  --review-ttl S    seconds a send's review can be confirmed ($OKPAY_REVIEW_TTL,\n"
	    "                    default 900)\n"
	    "  --twostep-key PATH  key that seals authenticator secrets, created with mode\n"
	    "                    0600 if missing ($OKPAY_TWOSTEP_KEY, default twostep.key\n"
	    "                    next to the server key: var/twostep.key);\n"
	    "                    $OKPAY_TWOSTEP_KEY_HEX (64 hex digits) gives the key itself\n"
	    "  --twostep-threshold N  sends above N minor units ask for a fresh code when\n"
	    "                    two-step verification is on ($OKPAY_TWOSTEP_THRESHOLD,\n"
	    "                    default 200000 = ¥2,000)\n"
	    "  --upload-dir DIR  ticket screenshots, under random names, mode 0600; never\n"
	    "                    served by nginx ($OKPAY_UPLOAD_DIR, default var/uploads)\n"
	    "  --reply-times T=H,...  expected reply time in hours per ticket topic (account,\n"
	    "                    send, add, security, other) ($OKPAY_REPLY_TIMES, default\n"
	    "                    account=24,send=24,add=24,security=4,other=48;\n"
	    "                    multiples of 24 are shown as business days)\n"
	    "  --help            this text\n",
	    f);
}

/*
 * The listening socket systemd passes (socket activation, deploy/systemd/okpay-portal.socket):
 * fd 3 when $LISTEN_PID is this process and $LISTEN_FDS is 1, else -1. systemd makes the
 * socket with the owner, group and mode of the .socket unit, so nginx can reach a portal that
 * runs as a user of its own, and keeps it open while the portal restarts (nginx's requests
 * wait instead of failing).
 */
static int S_inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid())
		return -1;
	if (strcmp(fds, "1") != 0)
		die("$LISTEN_FDS is %s: give the portal one socket", fds);
	/* Not for children (sendmail): they are not the process systemd meant. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	fcntl(3, F_SETFD, FD_CLOEXEC);
	return 3;
}

static const char *S_opt(const char *env, const char *def)
{
	const char *v = getenv(env);
	return v && *v ? v : def;
}

/* A whole number from min to max given to option what, or die. */
static long long S_number(const char *what, const char *s, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("%s takes a whole number from %lld to %lld, not \"%s\"", what, min, max, s);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"socket", required_argument, NULL, 's'},
	    {"theme", required_argument, NULL, 't'},
	    {"content", required_argument, NULL, 'c'},
	    {"mail-dir", required_argument, NULL, 'm'},
	    {"sendmail", required_argument, NULL, 'S'},
	    {"sendmail-timeout", required_argument, NULL, 'O'},
	    {"mail-retry", required_argument, NULL, 'A'},
	    {"base-url", required_argument, NULL, 'b'},
	    {"key", required_argument, NULL, 'k'},
	    {"log", required_argument, NULL, 'l'},
	    {"workers", required_argument, NULL, 'w'},
	    {"hash-threads", required_argument, NULL, 'E'},
	    {"hash-queue", required_argument, NULL, 'B'},
	    {"login-limit", required_argument, NULL, 'L'},
	    {"currency", required_argument, NULL, 'C'},
	    {"card-fee-bp", required_argument, NULL, 'F'},
	    {"card-fee-fixed", required_argument, NULL, 'X'},
	    {"limit-transfer", required_argument, NULL, 'T'},
	    {"limit-daily", required_argument, NULL, 'Y'},
	    {"review-ttl", required_argument, NULL, 'R'},
	    {"search-db", required_argument, NULL, 'Q'},
	    {"twostep-key", required_argument, NULL, 'K'},
	    {"twostep-threshold", required_argument, NULL, 'H'},
	    {"upload-dir", required_argument, NULL, 'U'},
	    {"reply-times", required_argument, NULL, 'P'},
	    {"dev", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct config *c = &app.cfg;
	struct buf err = BUF_INIT;
	int ch;

	util_set_progname(argv[0]);
	c->db_path = S_opt("OKPAY_DB", "var/okpay.db");
	c->socket_path = S_opt("OKPAY_SOCKET", "var/run/okpay.sock");
	c->theme_dir = S_opt("OKPAY_THEME", "theme");
	c->content_dir = S_opt("OKPAY_CONTENT", "content");
	c->mail_dir = S_opt("OKPAY_MAIL_DIR", "var/mail");
	c->sendmail = S_opt("OKPAY_SENDMAIL", NULL);
	const char *sendmail_timeout = S_opt("OKPAY_SENDMAIL_TIMEOUT", "30");
	const char *mail_retry = S_opt("OKPAY_MAIL_RETRY", "30");
	c->base_url = S_opt("OKPAY_BASE_URL", "http://127.0.0.1:8080");
	c->key_path = S_opt("OKPAY_KEY", "var/secret.key");
	c->log_path = S_opt("OKPAY_LOG", "var/log/portal.log");
	c->search_db = S_opt("OKPAY_SEARCH_DB", "build/search.db");
	c->workers = atoi(S_opt("OKPAY_WORKERS", "4"));
	const char *hash_threads = S_opt("OKPAY_HASH_THREADS", NULL);
	const char *hash_queue_max = S_opt("OKPAY_HASH_QUEUE", NULL);
	c->login_limit = atoi(S_opt("OKPAY_LOGIN_LIMIT", "100"));
	c->dev = strcmp(S_opt("OKPAY_DEV", "0"), "1") == 0;
	const char *currency = S_opt("OKPAY_CURRENCY", "CNY,¥,2");
	const char *fee_bp = S_opt("OKPAY_CARD_FEE_BP", "290");
	const char *fee_fixed = S_opt("OKPAY_CARD_FEE_FIXED", "30");
	const char *limit_transfer = S_opt("OKPAY_LIMIT_TRANSFER", "5000000");
	const char *limit_daily = S_opt("OKPAY_LIMIT_DAILY", "20000000");
	const char *review_ttl = S_opt("OKPAY_REVIEW_TTL", "900");
	c->twostep_key_path = S_opt("OKPAY_TWOSTEP_KEY", NULL);
	const char *twostep_key_hex = S_opt("OKPAY_TWOSTEP_KEY_HEX", NULL);
	const char *twostep_threshold = S_opt("OKPAY_TWOSTEP_THRESHOLD", "200000");
	c->upload_dir = S_opt("OKPAY_UPLOAD_DIR", "var/uploads");
	const char *reply_times = S_opt("OKPAY_REPLY_TIMES", NULL);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->db_path = optarg;
			break;
		case 's':
			c->socket_path = optarg;
			break;
		case 't':
			c->theme_dir = optarg;
			break;
		case 'c':
			c->content_dir = optarg;
			break;
		case 'm':
			c->mail_dir = optarg;
			break;
		case 'S':
			c->sendmail = optarg;
			break;
		case 'O':
			sendmail_timeout = optarg;
			break;
		case 'A':
			mail_retry = optarg;
			break;
		case 'b':
			c->base_url = optarg;
			break;
		case 'k':
			c->key_path = optarg;
			break;
		case 'l':
			c->log_path = optarg;
			break;
		case 'w':
			c->workers = atoi(optarg);
			break;
		case 'E':
			hash_threads = optarg;
			break;
		case 'B':
			hash_queue_max = optarg;
			break;
		case 'Q':
			c->search_db = optarg;
			break;
		case 'D':
			c->dev = 1;
			break;
		case 'L':
			c->login_limit = atoi(optarg);
			break;
		case 'C':
			currency = optarg;
			break;
		case 'F':
			fee_bp = optarg;
			break;
		case 'X':
			fee_fixed = optarg;
			break;
		case 'T':
			limit_transfer = optarg;
			break;
		case 'Y':
			limit_daily = optarg;
			break;
		case 'R':
			review_ttl = optarg;
			break;
		case 'K':
			c->twostep_key_path = optarg;
			twostep_key_hex = NULL;
			break;
		case 'H':
			twostep_threshold = optarg;
			break;
		case 'U':
			c->upload_dir = optarg;
			break;
		case 'P':
			reply_times = optarg;
			break;
		case 'h':
			S_usage(stdout);
			return 0;
		default:
			S_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		S_usage(stderr);
		return 2;
	}
	if (c->workers < 1 || c->workers > 64)
		die("--workers takes a number from 1 to 64");
	if (c->login_limit < 1)
		die("--login-limit takes a positive number");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->hash_threads = hash_threads ? (int)S_number("--hash-threads", hash_threads, 1, 64)
	                  : cpus < 1   ? 1
	                  : cpus > 64  ? 64
	                               : (int)cpus;
	/*
	 * Each waiting request holds nginx's connection, a file descriptor, and libfcgi closes
	 * connections with select(), which cannot take descriptors from 1024 (FD_SETSIZE) on:
	 * at most 512. A full default queue is already about 10 s of hashing on 2 cores.
	 */
	c->hash_queue = hash_queue_max ? (int)S_number("--hash-queue", hash_queue_max, 1, 512)
	                : 64 * c->hash_threads > 512 ? 512
	                                             : 64 * c->hash_threads;
	static char currency_spec[64];
	snprintf(currency_spec, sizeof(currency_spec), "%s", currency);
	if (strlen(currency) >= sizeof(currency_spec) ||
	    money_currency_parse(&c->currency, currency_spec) < 0)
		die("--currency takes CODE,SYMBOL,DECIMALS such as CNY,¥,2, not \"%s\"", currency);
	c->card_fee_bp = (int)S_number("--card-fee-bp", fee_bp, 0, 10000);
	c->card_fee_fixed = S_number("--card-fee-fixed", fee_fixed, 0, 1000000000LL);
	c->limit_transfer = S_number("--limit-transfer", limit_transfer, 1, 1000000000000000LL);
	c->limit_daily = S_number("--limit-daily", limit_daily, 1, 1000000000000000LL);
	c->review_ttl = S_number("--review-ttl", review_ttl, 1, 86400);
	/* At most 60: a claimed batch must fit in its 300 s lease even when every run times out. */
	c->sendmail_timeout = (int)S_number("--sendmail-timeout", sendmail_timeout, 1, 60);
	c->mail_retry = (int)S_number("--mail-retry", mail_retry, 1, 3600);
	c->twostep_threshold =
	    S_number("--twostep-threshold", twostep_threshold, 0, 1000000000000000LL);
	app.cards = &card_simulator;
	memcpy(c->reply_hours, support_reply_hours_default, sizeof(c->reply_hours));
	if (reply_times && support_reply_hours_parse(c->reply_hours, reply_times) < 0)
		die("--reply-times takes topic=hours pairs such as security=2,other=72 (topics "
		    "account, send, add, security, other; 1 to 720 hours), not \"%s\"",
		    reply_times);
	if (strncmp(c->base_url, "http://", 7) != 0 && strncmp(c->base_url, "https://", 8) != 0)
		die("--base-url must start with http:// or https://");
	/* Plain-HTTP cookies only for dev mode on a loopback address. */
	app.secure_cookies = !(c->dev && (strncmp(c->base_url, "http://127.", 11) == 0 ||
	                                  strncmp(c->base_url, "http://localhost", 16) == 0));

	if (auth_init() < 0)
		die("libsodium failed to initialise");
	if (auth_key_load(c->key_path, app.key, &err) < 0)
		die("%s", err.ptr);
	/* A key of its own: the CSRF key signs, this one seals, and either can be rotated alone. */
	static char twostep_key_path[4096];
	if (!c->twostep_key_path) {
		const char *slash = strrchr(c->key_path, '/');
		int dir = slash ? (int)(slash - c->key_path + 1) : 0;
		if (snprintf(twostep_key_path, sizeof(twostep_key_path), "%.*stwostep.key", dir,
		             c->key_path) >= (int)sizeof(twostep_key_path))
			die("--key path too long");
		c->twostep_key_path = twostep_key_path;
	}
	if (twostep_key_hex) {
		if (auth_key_from_hex(twostep_key_hex, app.twostep_key) < 0)
			die("OKPAY_TWOSTEP_KEY_HEX must be 64 hexadecimal digits");
	} else if (auth_key_load(c->twostep_key_path, app.twostep_key, &err) < 0) {
		die("%s", err.ptr);
	}
	if (totp_init() < 0)
		die("liboath failed to initialise");
	if (theme_load(&app.theme, c->theme_dir, c->content_dir, c->base_url, &err) < 0)
		die("theme: %s", err.ptr);
	struct db *db = db_open(c->db_path, &err);
	if (!db)
		die("%s", err.ptr);
	db_close(db);
	if (!c->sendmail && mkdir(c->mail_dir, 0755) < 0 && errno != EEXIST)
		die("cannot create %s: %s", c->mail_dir, strerror(errno));
	if (mkdir(c->upload_dir, 0700) < 0 && errno != EEXIST)
		die("cannot create %s: %s", c->upload_dir, strerror(errno));
	app.log = fopen(c->log_path, "a");
	if (!app.log)
		die("cannot open log %s: %s", c->log_path, strerror(errno));
	pthread_mutex_init(&app.log_lock, NULL);
	pthread_mutex_init(&app.mail_lock, NULL);
	pthread_cond_init(&app.mail_cond, NULL);

	if (FCGX_Init() != 0)
		die("FCGX_Init failed");
	int inherited = (listen_fd = S_inherited_socket()) >= 0;
	if (!inherited) {
		unlink(c->socket_path);
		mode_t old = umask(0);
		/*
		 * nginx's connections wait in this queue while every worker is busy (behind logins,
		 * each an argon2id hash): at 128, bench-mixed's 256 clients met 502s (connect:
		 * EAGAIN) in place of a slower page. The kernel caps it at net.core.somaxconn.
		 * (okpay-portal.socket's Backlog= defaults to SOMAXCONN.)
		 */
		listen_fd = FCGX_OpenSocket(c->socket_path, 1024);
		umask(old);
		if (listen_fd < 0)
			die("cannot listen on %s", c->socket_path);
		chmod(c->socket_path, 0660);
	}

	/* Only the main thread takes SIGTERM and SIGINT, with sigwait, to shut down in order. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_t mailer, checkpointer, *tid = xcalloc((size_t)c->workers, sizeof(*tid));
	pthread_t *hid = xcalloc((size_t)c->hash_threads, sizeof(*hid));
	queue_init(&hash_queue, (size_t)c->hash_queue);
	pthread_create(&mailer, NULL, outbox_thread, &app);
	pthread_create(&checkpointer, NULL, S_checkpointer, NULL);
	for (int i = 0; i < c->hash_threads; i++)
		pthread_create(&hid[i], NULL, S_hasher, NULL);
	for (int i = 0; i < c->workers; i++)
		pthread_create(&tid[i], NULL, S_worker, NULL);
	fprintf(stderr, "okpay-portal: %d workers and %d hash threads on %s%s\n", c->workers,
	        c->hash_threads, inherited ? "the socket from systemd" : c->socket_path,
	        c->dev ? " (dev mode)" : "");
	int sig = 0;
	sigwait(&stop_signals, &sig);
	app.stopping = 1;
	for (int i = 0; i < c->workers; i++)
		pthread_cancel(tid[i]);
	for (int i = 0; i < c->workers; i++)
		pthread_join(tid[i], NULL);
	/* No worker pushes any more: the hash threads answer what is queued, then end. */
	queue_close(&hash_queue);
	for (int i = 0; i < c->hash_threads; i++)
		pthread_join(hid[i], NULL);
	queue_release(&hash_queue);
	app_mail_wake(&app);
	pthread_join(mailer, NULL);
	pthread_join(checkpointer, NULL);
	if (!inherited) /* systemd's socket stays for the next start */
		unlink(c->socket_path);
	free(tid);
	free(hid);
	theme_release(&app.theme);
	fclose(app.log);
	buf_release(&err);
	return 0;
}
