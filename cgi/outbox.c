/* outbox.c - compose mails from the UI strings, queue them, and deliver them in the background. */
#include "outbox.h"
#include "app.h"
#include "handlers.h"
#include "html.h"
#include "mail.h"
#include "money.h"
#include "support.h"
#include "ua.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FROM  "OKpay <no-reply@okpay.example>"
#define LEASE 300 /* seconds a claimed mail is left to its deliverer */

static const char *S_t(const struct http_req *rq, enum locale l, const char *key)
{
	return i18n_get(&rq->app->theme.ui, l, key);
}

static enum locale S_locale(const struct db_user *u)
{
	int l = u->locale ? locale_from_code(u->locale, strlen(u->locale)) : -1;
	return l < 0 ? LOCALE_ZH : (enum locale)l;
}

/* One mail: paragraphs of text, links on lines of their own; the HTML part says the same. */
struct compose {
	struct buf text, html;
};

static void S_para(struct compose *c, const char *s)
{
	buf_adds(&c->text, s);
	buf_adds(&c->text, "\n\n");
	buf_adds(&c->html, "<p>");
	html_text(&c->html, s, strlen(s));
	buf_adds(&c->html, "</p>\n");
}

static void S_link(struct compose *c, const char *label, const char *url)
{
	buf_addf(&c->text, "%s\n%s\n\n", label, url);
	buf_adds(&c->html, "<p><a href=\"");
	html_url(&c->html, url, strlen(url));
	buf_adds(&c->html, "\">");
	html_text(&c->html, label, strlen(label));
	buf_adds(&c->html, "</a></p>\n");
}

static int S_queue(struct http_req *rq, const struct db_user *u, enum locale l, const char *subject,
                   struct compose *c)
{
	struct buf hello = BUF_INIT;
	/* "李伟，你好：" but "Hello Li Wei,": the greeting's word order differs by language. */
	if (l == LOCALE_ZH)
		buf_addf(&hello, "%s，%s：", u->name, S_t(rq, l, "mail_hello"));
	else
		buf_addf(&hello, "%s %s,", S_t(rq, l, "mail_hello"), u->name);
	/* The greeting goes first: prepend it to both parts. */
	struct compose full = {BUF_INIT, BUF_INIT};
	buf_adds(&full.html, "<!DOCTYPE html><html><body>\n");
	S_para(&full, hello.ptr);
	buf_add(&full.text, c->text.ptr, c->text.len);
	buf_add(&full.html, c->html.ptr, c->html.len);
	S_para(&full, S_t(rq, l, "mail_signature"));
	buf_adds(&full.html, "</body></html>\n");
	int rc =
	    db_mail_add(rq->db, u->email, subject, full.text.ptr, full.html.ptr, rq->now, NULL);
	buf_release(&hello);
	buf_release(&full.text);
	buf_release(&full.html);
	buf_release(&c->text);
	buf_release(&c->html);
	return rc;
}

int outbox_verify(struct http_req *rq, const struct db_user *u, const char *token)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s/%s/account/verify?token=%s", rq->app->cfg.base_url, locale_info[l].code,
	         token);
	S_para(&c, S_t(rq, l, "mail_verify_text"));
	S_link(&c, S_t(rq, l, "mail_verify_link"), url.ptr);
	S_para(&c, S_t(rq, l, "mail_verify_expiry"));
	S_para(&c, S_t(rq, l, "mail_verify_ignore"));
	buf_release(&url);
	return S_queue(rq, u, l, S_t(rq, l, "mail_verify_subject"), &c);
}

int outbox_register_attempt(struct http_req *rq, const struct db_user *u)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf login = BUF_INIT, reset = BUF_INIT;
	buf_addf(&login, "%s/%s/account/login", rq->app->cfg.base_url, locale_info[l].code);
	buf_addf(&reset, "%s/%s/account/password/forgot", rq->app->cfg.base_url,
	         locale_info[l].code);
	S_para(&c, S_t(rq, l, "mail_attempt_text"));
	S_link(&c, S_t(rq, l, "mail_attempt_login"), login.ptr);
	S_link(&c, S_t(rq, l, "mail_attempt_reset"), reset.ptr);
	S_para(&c, S_t(rq, l, "mail_attempt_ignore"));
	buf_release(&login);
	buf_release(&reset);
	return S_queue(rq, u, l, S_t(rq, l, "mail_attempt_subject"), &c);
}

int outbox_throttled(struct http_req *rq, const struct db_user *u)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf reset = BUF_INIT;
	buf_addf(&reset, "%s/%s/account/password/forgot", rq->app->cfg.base_url,
	         locale_info[l].code);
	S_para(&c, S_t(rq, l, "mail_throttled_text"));
	S_link(&c, S_t(rq, l, "mail_attempt_reset"), reset.ptr);
	S_para(&c, S_t(rq, l, "mail_throttled_ignore"));
	buf_release(&reset);
	return S_queue(rq, u, l, S_t(rq, l, "mail_throttled_subject"), &c);
}

int outbox_new_device(struct http_req *rq, const struct db_user *u, const char *when,
                      const char *device)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf line = BUF_INIT, security = BUF_INIT;
	S_para(&c, S_t(rq, l, "mail_new_device_text"));
	buf_addf(&line, "%s %s · %s %s · %s %s", S_t(rq, l, "activity_when"), when,
	         S_t(rq, l, "activity_ip"), rq->remote_addr, S_t(rq, l, "activity_device"), device);
	S_para(&c, line.ptr);
	buf_addf(&security, "%s/%s/account/security", rq->app->cfg.base_url, locale_info[l].code);
	S_link(&c, S_t(rq, l, "mail_new_device_link"), security.ptr);
	S_para(&c, S_t(rq, l, "mail_new_device_ignore"));
	buf_release(&line);
	buf_release(&security);
	return S_queue(rq, u, l, S_t(rq, l, "mail_new_device_subject"), &c);
}

int outbox_reset(struct http_req *rq, const struct db_user *u, const char *token, const char *code)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf url = BUF_INIT, line = BUF_INIT;
	buf_addf(&url, "%s/%s/account/password/reset?token=%s", rq->app->cfg.base_url,
	         locale_info[l].code, token);
	S_para(&c, S_t(rq, l, "mail_reset_text"));
	S_link(&c, S_t(rq, l, "mail_reset_link"), url.ptr);
	buf_addf(&line, "%s%s", S_t(rq, l, "mail_reset_code"), code);
	S_para(&c, line.ptr);
	S_para(&c, S_t(rq, l, "mail_reset_expiry"));
	S_para(&c, S_t(rq, l, "mail_reset_ignore"));
	buf_release(&url);
	buf_release(&line);
	return S_queue(rq, u, l, S_t(rq, l, "mail_reset_subject"), &c);
}

int outbox_password_changed(struct http_req *rq, const struct db_user *u, long long at)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf when = BUF_INIT, reset = BUF_INIT, contact = BUF_INIT;
	/* "已于 <time> 更改" but "was changed on <time>": the sentence is split around the time. */
	buf_adds(&when, S_t(rq, l, "mail_changed_before"));
	handler_time(&when, at);
	buf_adds(&when, S_t(rq, l, "mail_changed_after"));
	buf_addf(&reset, "%s/%s/account/password/forgot", rq->app->cfg.base_url,
	         locale_info[l].code);
	buf_addf(&contact, "%s/%s/contact/", rq->app->cfg.base_url, locale_info[l].code);
	S_para(&c, when.ptr);
	S_para(&c, S_t(rq, l, "mail_changed_sessions"));
	S_para(&c, S_t(rq, l, "mail_changed_not_you"));
	S_link(&c, S_t(rq, l, "mail_changed_reset"), reset.ptr);
	S_link(&c, S_t(rq, l, "mail_changed_contact"), contact.ptr);
	S_para(&c, S_t(rq, l, "mail_changed_ok"));
	buf_release(&when);
	buf_release(&reset);
	buf_release(&contact);
	return S_queue(rq, u, l, S_t(rq, l, "mail_changed_subject"), &c);
}

/* One "label: value" line of a money mail. */
static void S_fact(struct compose *c, const struct http_req *rq, enum locale l, const char *key,
                   const char *value)
{
	struct buf line = BUF_INIT;
	buf_addf(&line, "%s%s", S_t(rq, l, key), value);
	S_para(c, line.ptr);
	buf_release(&line);
}

static void S_amount_fact(struct compose *c, const struct http_req *rq, enum locale l,
                          const char *key, long long minor)
{
	struct buf b = BUF_INIT;
	money_format(&b, minor, &rq->app->cfg.currency, l);
	S_fact(c, rq, l, key, b.ptr);
	buf_release(&b);
}

int outbox_money(struct http_req *rq, const struct db_user *u, enum outbox_money_kind k,
                 const struct outbox_money *m)
{
	static const char *const name[] = {"sent", "received", "added", "deposit_asked",
	                                   "deposit_done"};
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf key = BUF_INIT, url = BUF_INIT, when = BUF_INIT;
	buf_addf(&key, "mail_money_%s_text", name[k]);
	S_para(&c, S_t(rq, l, key.ptr));
	if (m->number && *m->number)
		S_fact(&c, rq, l, "mail_money_number", m->number);
	if (m->reference)
		S_fact(&c, rq, l, "mail_money_reference", m->reference);
	S_amount_fact(&c, rq, l, "mail_money_amount", m->amount);
	if (m->fee > 0)
		S_amount_fact(&c, rq, l, "mail_money_fee", m->fee);
	if (m->other)
		S_fact(&c, rq, l, k == OUTBOX_MONEY_RECEIVED ? "mail_money_from" : "mail_money_to",
		       m->other);
	if (m->card)
		S_fact(&c, rq, l, "mail_money_card", m->card);
	if (m->note && *m->note)
		S_fact(&c, rq, l, "mail_money_note", m->note);
	handler_time(&when, rq->now);
	S_fact(&c, rq, l, "mail_money_when", when.ptr);
	if (k == OUTBOX_DEPOSIT_ASKED) {
		S_fact(&c, rq, l, "mail_money_bank_name", S_t(rq, l, "bank_payee_bank"));
		S_fact(&c, rq, l, "mail_money_bank_holder", S_t(rq, l, "bank_payee_name"));
		S_fact(&c, rq, l, "mail_money_bank_account", S_t(rq, l, "bank_payee_account"));
		buf_addf(&url, "%s/%s/account/add-money/bank?ref=%s", rq->app->cfg.base_url,
		         locale_info[l].code, m->reference);
	} else {
		buf_addf(&url, "%s/%s/account/transactions/%s", rq->app->cfg.base_url,
		         locale_info[l].code, m->number);
	}
	buf_reset(&key);
	buf_addf(&key, "mail_money_%s_link", name[k]);
	S_link(&c, S_t(rq, l, key.ptr), url.ptr);
	if (k == OUTBOX_MONEY_SENT || k == OUTBOX_MONEY_ADDED)
		S_para(&c, S_t(rq, l, "mail_money_not_you"));
	buf_reset(&key);
	buf_addf(&key, "mail_money_%s_subject", name[k]);
	int rc = S_queue(rq, u, l, S_t(rq, l, key.ptr), &c);
	buf_release(&key);
	buf_release(&url);
	buf_release(&when);
	return rc;
}

/*
 * Seconds before retry attempt (1-based): mail_retry_delay's 30, 60, 120, ... scaled to
 * --mail-retry (the tests make it 1 s; 30 gives exactly mail_retry_delay).
 */
static long S_retry_delay(const struct app *app, const struct db_mail *m, int attempt)
{
	return mail_retry_delay(m->message_id, attempt) * app->cfg.mail_retry / 30;
}

/*
 * A delivery that failed: retried later with backoff, or parked if it never can go out.
 * Returns when it is due again.
 */
static long long S_failed(struct app *app, struct db *db, const struct db_mail *m, long long now,
                          int err)
{
	/* A message mail_format refuses will never go out: park it instead of retrying. */
	int permanent = err == EINVAL;
	char why[160];
	snprintf(why, sizeof(why), "%s: %s", permanent ? "undeliverable" : "delivery failed",
	         strerror(err));
	long delay = permanent ? 100L * 365 * 86400 : S_retry_delay(app, m, m->attempts + 1);
	/* If the database refuses this too (a full disk), the mail stays claimed: lease, retry. */
	db_mail_failed(db, m->id, why, now + delay);
	fprintf(stderr, "okpay-portal: mail %lld: %s%s\n", m->id, why,
	        permanent ? " (not retried)" : "");
	return now + delay;
}

/*
 * 1 if err says the destination itself is unusable rather than this one message: the mail
 * directory is full, read-only or gone, the sendmail command is missing or hangs. The rest of
 * a batch would fail the same way (a hung command would hold the batch for its timeout per
 * mail), so it is handed back untried and logged once, not once per mail. A command's
 * non-zero exit (EIO) may be about one recipient and does not stop the batch.
 */
static int S_destination_down(const struct app *app, int err)
{
	if (err == ENOSPC || err == EDQUOT || err == EROFS || err == ENOENT || err == EACCES ||
	    err == ENOTDIR)
		return 1;
	return app->cfg.sendmail ? err == ETIMEDOUT : err == EIO;
}

/*
 * Deliver up to BATCH due mails. To a directory they are written without a flush each and
 * made durable together by one flush of the file system before any is marked sent: a crash
 * in between leaves them claimed, and they are delivered again (the same file name) when the
 * lease runs out. Returns how many were taken, 0 if none was due, -1 on a database error.
 */
#define BATCH 64

/* All of a claimed batch must be delivered within its lease, even at sendmail's timeout. */
static int S_batch_max(const struct app *app)
{
	int max = app->cfg.sendmail ? LEASE / app->cfg.sendmail_timeout - 2 : BATCH;
	return max < BATCH ? max : BATCH;
}

static int S_deliver(struct app *app, struct db *db)
{
	struct db_mail m[BATCH];
	long long sent[BATCH], retry_at = 0;
	int ok[BATCH], nsent = 0, deferred = 0, down = 0;
	long long now = (long long)time(NULL);
	int n = db_mail_claim(db, now, now + LEASE, m, S_batch_max(app));
	if (n <= 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct mail_msg msg = {
		    .from = FROM,
		    .to = m[i].to,
		    .subject = m[i].subject,
		    .text = m[i].text,
		    .html = m[i].html,
		    .message_id = m[i].message_id,
		    .date = m[i].created_at,
		};
		ok[i] = -1;
		if (down) {
			db_mail_defer(db, m[i].id, retry_at);
			deferred++;
			continue;
		}
		ok[i] = app->cfg.sendmail ? mail_deliver_sendmail(app->cfg.sendmail, &msg,
		                                                  app->cfg.sendmail_timeout * 1000)
		                          : mail_deliver_dir_unsynced(app->cfg.mail_dir, &msg);
		if (ok[i] < 0) {
			int e = errno;
			retry_at = S_failed(app, db, &m[i], now, e);
			down = S_destination_down(app, e);
		}
	}
	if (deferred)
		fprintf(stderr, "okpay-portal: mail: %d more not tried, due again in %lld s\n",
		        deferred, retry_at - now);
	int synced = app->cfg.sendmail || mail_sync_dir(app->cfg.mail_dir) == 0;
	int sync_err = errno;
	for (int i = 0; i < n; i++) {
		if (ok[i] == 0 && synced)
			sent[nsent++] = m[i].id;
		else if (ok[i] == 0)
			S_failed(app, db, &m[i], now, sync_err);
	}
	/* If this fails the mails stay claimed and go out again after the lease: never lost. */
	if (nsent)
		db_mail_sent_many(db, sent, nsent, (long long)time(NULL));
	db_mails_release_each(m, n);
	return n;
}

/*
 * Wait ms milliseconds, or until the portal stops; wake-ups for new mail do not cut it short.
 */
static void S_pause(struct app *app, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&app->mail_lock);
	while (!app->stopping &&
	       pthread_cond_timedwait(&app->mail_cond, &app->mail_lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&app->mail_lock);
}

/*
 * Under load nearly every request queues a mail. Delivering each batch the moment it is due
 * costs a claim, a flush of the file system and a "sent" mark per handful of mails, and those
 * compete with the workers' commits for the write lock and the disk (at 1,000 transfers/s
 * that was some 200 flushes a second). After a batch that was not full the thread therefore
 * waits PACE_MS before it claims again: mails go out in batches, at most PACE_MS later.
 */
#define PACE_MS 100

void *outbox_thread(void *arg)
{
	struct app *app = arg;
	struct buf err = BUF_INIT;
	struct db *db = db_open(app->cfg.db_path, &err);
	if (!db) {
		fprintf(stderr, "okpay-portal: mail thread: %s\n", err.ptr);
		buf_release(&err);
		return NULL;
	}
	/*
	 * Leases and "sent" marks need not wait for the disk: a crash of the process loses none,
	 * and a power cut at worst sends a mail again. Workers then wait less for the write lock.
	 */
	db_durable(db, 0);
	int trouble = 0; /* the last claim failed: said once, and once when it works again */
	while (!app->stopping) {
		db_reopen_writable(db);
		db_enter();
		int rc = S_deliver(app, db);
		db_leave();
		if ((rc < 0) != trouble) {
			trouble = rc < 0;
			fprintf(stderr, "okpay-portal: mail thread: %s\n",
			        trouble ? "cannot claim mail (database full, read-only or busy), "
			                  "trying every second"
			                : "claiming mail again");
		}
		if (rc > 0 && rc < S_batch_max(app))
			S_pause(app, PACE_MS);
		if (rc > 0)
			continue;
		/* Nothing due (or a busy database): sleep until woken or a second has passed. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&app->mail_lock);
		pthread_cond_timedwait(&app->mail_cond, &app->mail_lock, &until);
		pthread_mutex_unlock(&app->mail_lock);
	}
	db_close(db);
	buf_release(&err);
	return NULL;
}

/* A mail to addr instead of the account's address (a new address not yet confirmed). */
static int S_queue_to(struct http_req *rq, const struct db_user *u, const char *addr, enum locale l,
                      const char *subject, struct compose *c)
{
	struct db_user to = *u;
	struct buf a = BUF_INIT;
	buf_adds(&a, addr);
	to.email = a.ptr;
	int rc = S_queue(rq, &to, l, subject, c);
	buf_release(&a);
	return rc;
}

/* before + addr + after, one paragraph: the address sits inside a sentence in both languages. */
static void S_para_addr(struct compose *c, const struct http_req *rq, enum locale l,
                        const char *key, const char *addr)
{
	struct buf b = BUF_INIT, k = BUF_INIT;
	buf_addf(&k, "%s_before", key);
	buf_adds(&b, S_t(rq, l, k.ptr));
	buf_adds(&b, addr);
	buf_reset(&k);
	buf_addf(&k, "%s_after", key);
	buf_adds(&b, S_t(rq, l, k.ptr));
	S_para(c, b.ptr);
	buf_release(&b);
	buf_release(&k);
}

int outbox_email_confirm(struct http_req *rq, const struct db_user *u, const char *new_email,
                         const char *token)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s/%s/account/email/confirm?token=%s", rq->app->cfg.base_url,
	         locale_info[l].code, token);
	S_para(&c, S_t(rq, l, "mail_email_confirm_text"));
	S_link(&c, S_t(rq, l, "mail_email_confirm_link"), url.ptr);
	S_para(&c, S_t(rq, l, "mail_email_confirm_expiry"));
	S_para(&c, S_t(rq, l, "mail_email_confirm_ignore"));
	buf_release(&url);
	return S_queue_to(rq, u, new_email, l, S_t(rq, l, "mail_email_confirm_subject"), &c);
}

int outbox_email_requested(struct http_req *rq, const struct db_user *u, const char *new_email)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s/%s/account/security", rq->app->cfg.base_url, locale_info[l].code);
	S_para_addr(&c, rq, l, "mail_email_requested_text", new_email);
	S_para(&c, S_t(rq, l, "mail_email_requested_nothing"));
	S_para(&c, S_t(rq, l, "mail_email_requested_not_you"));
	S_link(&c, S_t(rq, l, "mail_email_requested_link"), url.ptr);
	buf_release(&url);
	return S_queue(rq, u, l, S_t(rq, l, "mail_email_requested_subject"), &c);
}

int outbox_email_changed(struct http_req *rq, const struct db_user *u, const char *new_email,
                         const char *token)
{
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s/%s/account/email/undo?token=%s", rq->app->cfg.base_url,
	         locale_info[l].code, token);
	S_para_addr(&c, rq, l, "mail_email_changed_text", new_email);
	S_para(&c, S_t(rq, l, "mail_email_changed_not_you"));
	S_link(&c, S_t(rq, l, "mail_email_changed_link"), url.ptr);
	S_para(&c, S_t(rq, l, "mail_email_changed_expiry"));
	buf_release(&url);
	return S_queue(rq, u, l, S_t(rq, l, "mail_email_changed_subject"), &c);
}

int outbox_twostep(struct http_req *rq, const struct db_user *u, enum outbox_twostep_kind k,
                   int remaining)
{
	static const char *const names[] = {
	    [OUTBOX_TWOSTEP_ON] = "on",
	    [OUTBOX_TWOSTEP_OFF] = "off",
	    [OUTBOX_TWOSTEP_RECOVERY] = "recovery",
	};
	enum locale l = S_locale(u);
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf key = BUF_INIT, line = BUF_INIT, device = BUF_INIT, url = BUF_INIT;
	buf_addf(&key, "mail_twostep_%s_text", names[k]);
	S_para(&c, S_t(rq, l, key.ptr));
	if (k == OUTBOX_TWOSTEP_RECOVERY) {
		buf_addf(&line, "%s%d%s", S_t(rq, l, "mail_twostep_left_before"), remaining,
		         S_t(rq, l, "mail_twostep_left_after"));
		S_para(&c, line.ptr);
		buf_reset(&line);
	}
	ua_summary(&device, rq->user_agent);
	buf_addf(&line, "%s ", S_t(rq, l, "activity_when"));
	handler_time(&line, rq->now);
	buf_addf(&line, " · %s %s · %s %s", S_t(rq, l, "activity_ip"), rq->remote_addr,
	         S_t(rq, l, "activity_device"), device.ptr);
	S_para(&c, line.ptr);
	buf_addf(&url, "%s/%s/account/security", rq->app->cfg.base_url, locale_info[l].code);
	S_link(&c, S_t(rq, l, "mail_new_device_link"), url.ptr);
	S_para(&c, S_t(rq, l, "mail_twostep_not_you"));
	buf_reset(&key);
	buf_addf(&key, "mail_twostep_%s_subject", names[k]);
	int rc = S_queue(rq, u, l, S_t(rq, l, key.ptr), &c);
	buf_release(&key);
	buf_release(&line);
	buf_release(&device);
	buf_release(&url);
	return rc;
}

/* --- okpay-admin, the operator command line ------------------------------------------------ */

int outbox_account_lock(struct http_req *rq, const struct db_user *u, int locked)
{
	enum locale l = S_locale(u);
	const char *k = locked ? "locked" : "unlocked";
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf key = BUF_INIT, when = BUF_INIT, contact = BUF_INIT;
	buf_addf(&key, "mail_account_%s_text", k);
	S_para(&c, S_t(rq, l, key.ptr));
	buf_addf(&when, "%s ", S_t(rq, l, "activity_when"));
	handler_time(&when, rq->now);
	S_para(&c, when.ptr);
	buf_reset(&key);
	buf_addf(&key, "mail_account_%s_next", k);
	S_para(&c, S_t(rq, l, key.ptr));
	buf_addf(&contact, "%s/%s/contact/", rq->app->cfg.base_url, locale_info[l].code);
	S_link(&c, S_t(rq, l, "mail_changed_contact"), contact.ptr);
	buf_reset(&key);
	buf_addf(&key, "mail_account_%s_subject", k);
	int rc = S_queue(rq, u, l, S_t(rq, l, key.ptr), &c);
	buf_release(&key);
	buf_release(&when);
	buf_release(&contact);
	return rc;
}

int outbox_ticket(struct http_req *rq, const struct db_ticket *t, enum outbox_ticket_kind k,
                  const char *text)
{
	int li = locale_from_code(t->locale, strlen(t->locale));
	enum locale l = li < 0 ? LOCALE_ZH : (enum locale)li;
	struct compose c = {BUF_INIT, BUF_INIT};
	struct buf line = BUF_INIT, url = BUF_INIT, subject = BUF_INIT;
	int topic = support_topic_from_code(t->topic);
	buf_adds(&c.html, "<!DOCTYPE html><html><body>\n");
	S_para(&c, S_t(rq, l, "mail_hello_plain"));
	buf_addf(
	    &subject, "%s %s",
	    S_t(rq, l,
	        k == OUTBOX_TICKET_CREATED ? "mail_ticket_subject" : "mail_ticket_reply_subject"),
	    t->number);
	buf_addf(&line, "%s %s", S_t(rq, l, "support_number_label"), t->number);
	S_para(&c, line.ptr);
	if (k == OUTBOX_TICKET_CREATED) {
		int h = topic >= 0 && rq->app->cfg.reply_hours[topic] > 0
		            ? rq->app->cfg.reply_hours[topic]
		            : support_reply_hours_default[topic >= 0 ? topic : SUPPORT_TOPIC_OTHER];
		S_para(&c, S_t(rq, l, "mail_ticket_text"));
		buf_reset(&line);
		buf_addf(&line, "%s ", S_t(rq, l, "support_reply_expected"));
		support_reply_time(&line, &rq->app->theme.ui, l, h);
		S_para(&c, line.ptr);
		buf_reset(&line);
		buf_addf(&line, "%s %s", S_t(rq, l, "support_subject"), t->subject);
		S_para(&c, line.ptr);
		S_para(&c, S_t(rq, l, "mail_ticket_copy"));
	} else {
		S_para(&c, S_t(rq, l, "mail_ticket_reply_text"));
	}
	S_para(&c, text);
	buf_adds(&url, rq->app->cfg.base_url);
	support_link(&url, rq->app->key, l, t->number, rq->now + SUPPORT_LINK_TTL);
	S_link(&c, S_t(rq, l, "mail_ticket_link"), url.ptr);
	S_para(&c, S_t(rq, l, "mail_ticket_link_note"));
	S_para(&c, S_t(rq, l, "mail_signature"));
	buf_adds(&c.html, "</body></html>\n");
	int rc = db_mail_add(rq->db, t->email, subject.ptr, c.text.ptr, c.html.ptr, rq->now, NULL);
	buf_release(&line);
	buf_release(&url);
	buf_release(&subject);
	buf_release(&c.text);
	buf_release(&c.html);
	return rc;
}
