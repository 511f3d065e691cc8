/* support.c - the ticket form, the requester's ticket list and ticket pages, screenshots. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "numbers.h"
#include "outbox.h"
#include "page.h"
#include "policy.h"
#include "search.h"
#include "session.h"
#include "sniff.h"
#include "support.h"
#include "throttle.h"
#include "tv.h"
#include "utf8.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_FIELD "screenshots"

/* Where a topic's articles are when search has nothing to suggest. */
static const char *const topic_category[SUPPORT_TOPIC__MAX] = {
    [SUPPORT_TOPIC_ACCOUNT] = "login",          [SUPPORT_TOPIC_SEND] = "payments",
    [SUPPORT_TOPIC_ADD] = "payments",           [SUPPORT_TOPIC_SECURITY] = "security",
    [SUPPORT_TOPIC_OTHER] = "customer-service",
};

static const char *S_t(struct http_req *rq, const char *key)
{
	return i18n_get(&rq->app->theme.ui, rq->locale, key);
}

static int S_hours(struct http_req *rq, int topic)
{
	int h = topic >= 0 && topic < SUPPORT_TOPIC__MAX ? rq->app->cfg.reply_hours[topic] : 0;
	return h > 0 ? h : support_reply_hours_default[topic >= 0 ? topic : SUPPORT_TOPIC_OTHER];
}

/* "<unix time>.<mac>": when the form was shown, signed so that it cannot be backdated. */
static void S_started(struct http_req *rq, struct buf *b, long long at)
{
	char msg[48], mac[AUTH_TOKEN_LEN + 1];
	int n = snprintf(msg, sizeof(msg), "ticket-form\n%lld", at);
	auth_mac(mac, rq->app->key, msg, (size_t)n);
	buf_addf(b, "%lld.%s", at, mac);
}

/* The time a signed "started" value gives, or -1 if it is not one of ours. */
static long long S_started_at(struct http_req *rq, const char *v)
{
	const char *dot = strchr(v, '.');
	if (!dot || dot - v > 12)
		return -1;
	char num[16], msg[48];
	memcpy(num, v, (size_t)(dot - v));
	num[dot - v] = '\0';
	long long at = http_number(num, 12);
	if (at <= 0)
		return -1;
	int n = snprintf(msg, sizeof(msg), "ticket-form\n%lld", at);
	return auth_mac_verify(dot + 1, strlen(dot + 1), rq->app->key, msg, (size_t)n) == 1 ? at
	                                                                                    : -1;
}

/* Articles that may answer the subject: from the search index, else the topic's category. */
static void S_suggest(struct http_req *rq, struct tv *d, const char *subject, int topic)
{
	size_t n = strlen(subject);
	if (n == 0)
		return;
	tv_set_bool(d, "asked", 1);
	struct search *ix = handler_search_index(rq);
	struct search_hit *hits = NULL;
	long long total = 0;
	int got =
	    ix ? search_query(ix, locale_info[rq->locale].code, subject,
	                      n > SEARCH_QUERY_MAX ? SEARCH_QUERY_MAX : n, 0, 5, &hits, &total)
	       : -1;
	if (got > 0) {
		struct tv *list = tv_set_list(d, "suggestions");
		for (int i = 0; i < got; i++) {
			struct tv *h = tv_push_obj(list);
			tv_set_str(h, "url", hits[i].url);
			tv_set_str(h, "title", hits[i].title);
			tv_set_str(h, "category", hits[i].category);
		}
		tv_set_bool(d, "has_suggestions", 1);
	} else {
		struct buf url = BUF_INIT;
		buf_addf(&url, "/%s/%s/", locale_info[rq->locale].code,
		         topic_category[topic >= 0 ? topic : SUPPORT_TOPIC_OTHER]);
		tv_set_str(d, "suggest_category_url", url.ptr);
		buf_release(&url);
	}
	if (hits)
		search_hits_release(hits, got);
}

/* The form with d's errors and kept values; status 200 or 400. */
static int S_form(struct http_req *rq, struct http_resp *rs, int status, struct tv *d)
{
	const struct tv *val = tv_get(d, "val", 3);
	const char *topic_v = tv_str(tv_get(val, "topic", 5), NULL);
	int chosen = support_topic_from_code(topic_v ? topic_v : http_field(rq, "topic"));
	struct tv *topics = tv_set_list(d, "topics");
	struct buf b = BUF_INIT;
	for (int i = 0; i < SUPPORT_TOPIC__MAX; i++) {
		struct tv *t = tv_push_obj(topics);
		char key[48];
		tv_set_str(t, "code", support_topic_code[i]);
		snprintf(key, sizeof(key), "support_topic_%s", support_topic_code[i]);
		tv_set_str(t, "label", S_t(rq, key));
		buf_reset(&b);
		support_reply_time(&b, &rq->app->theme.ui, rq->locale, S_hours(rq, i));
		tv_set_strn(t, "reply", b.ptr, b.len);
		tv_set_bool(t, "selected", i == chosen);
	}
	buf_reset(&b);
	S_started(rq, &b, rq->now);
	tv_set_strn(d, "started", b.ptr, b.len);
	buf_release(&b);
	const char *subject = tv_str(tv_get(val, "subject", 7), NULL);
	S_suggest(rq, d, subject ? subject : "", chosen);
	tv_set_int(d, "files_max", SUPPORT_FILES_MAX);
	return page_render(rq, rs, status, "support", "support_title", "support-contact", d);
}

int h_ticket_form(struct http_req *rq, struct http_resp *rs)
{
	/* Before page_data: the CSRF token of a visitor without account binds to this cookie. */
	session_ensure_pre(rq, rs);
	struct tv *d = page_data(rq);
	/* "Find answers" asks for this page again with the subject typed so far. */
	page_keep(rq, d, "subject");
	page_keep(rq, d, "topic");
	return S_form(rq, rs, 200, d);
}

/* One accepted screenshot: where it is in the body and what it is. */
struct shot {
	const struct multipart_part *part;
	enum sniff_type type;
	char stored[AUTH_TOKEN_LEN + 8]; /* token.ext under the upload directory, once written */
	int written;
};

static void S_path(struct http_req *rq, struct buf *b, const char *stored)
{
	buf_addf(b, "%s/%s", rq->app->cfg.upload_dir, stored);
}

/* Remove what was written of shots (a failed ticket leaves no file behind). */
static void S_unlink(struct http_req *rq, struct shot *s, int n)
{
	struct buf p = BUF_INIT;
	for (int i = 0; i < n; i++) {
		if (!s[i].written)
			continue;
		buf_reset(&p);
		S_path(rq, &p, s[i].stored);
		unlink(p.ptr);
		s[i].written = 0;
	}
	buf_release(&p);
}

/* Write each screenshot under a new random name, mode 0600, never over anything. 0 or -1. */
static int S_write(struct http_req *rq, struct shot *s, int n)
{
	struct buf p = BUF_INIT;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char token[AUTH_TOKEN_LEN + 1];
		unsigned char hash[32];
		auth_token_new(token, hash);
		snprintf(s[i].stored, sizeof(s[i].stored), "%s.%s", token, sniff_ext(s[i].type));
		buf_reset(&p);
		S_path(rq, &p, s[i].stored);
		int fd = open(p.ptr, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "okpay-portal: cannot create %s: %s\n", p.ptr,
			        strerror(errno));
			rc = -1;
			break;
		}
		s[i].written = 1;
		const char *at = s[i].part->data;
		size_t left = s[i].part->data_len;
		while (left > 0) {
			ssize_t w = write(fd, at, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			at += w;
			left -= (size_t)w;
		}
		if (fsync(fd) < 0 || close(fd) < 0)
			rc = -1;
	}
	buf_release(&p);
	return rc;
}

/* Trimmed copy of a field: people paste with spaces and line ends around. */
static void S_trim(struct buf *b, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	buf_add(b, s, n);
}

int h_ticket_new(struct http_req *rq, struct http_resp *rs)
{
	struct tv *d = page_data(rq);
	struct buf subject = BUF_INIT, body = BUF_INIT, email = BUF_INIT;
	struct shot shots[SUPPORT_FILES_MAX];
	int n_shots = 0, chosen = 0, status = 500;
	char transfer[17] = "";
	memset(shots, 0, sizeof(shots));

	/* A field people never see: only robots fill it in. They are told nothing. */
	if (*http_field(rq, "website")) {
		tv_free(d);
		return handler_see_other(rq, rs, "/support/sent");
	}
	for (const char *const *f =
	         (const char *const[]){"topic", "subject", "description", "transfer", NULL};
	     *f; f++)
		page_keep(rq, d, *f);
	if (!rq->has_session)
		page_keep(rq, d, "email");

	long long started = S_started_at(rq, http_field(rq, "started"));
	if (started < 0)
		tv_set_str(d, "problem", S_t(rq, "support_err_form"));
	else if (rq->now - started < SUPPORT_MIN_FILL)
		tv_set_str(d, "problem", S_t(rq, "support_err_too_fast"));

	int topic = support_topic_from_code(http_field(rq, "topic"));
	if (topic < 0)
		page_field_error(rq, d, "topic", "support_err_topic");
	S_trim(&subject, http_field(rq, "subject"));
	size_t subject_chars = utf8_length(subject.ptr, subject.len);
	if (subject_chars == 0)
		page_field_error(rq, d, "subject", "support_err_subject_empty");
	else if (subject_chars > SUPPORT_SUBJECT_MAX)
		page_field_error(rq, d, "subject", "support_err_subject_long");
	S_trim(&body, http_field(rq, "description"));
	size_t body_chars = utf8_length(body.ptr, body.len);
	if (body_chars < SUPPORT_DESCRIPTION_MIN)
		page_field_error(rq, d, "description", "support_err_description_short");
	else if (body_chars > SUPPORT_DESCRIPTION_MAX)
		page_field_error(rq, d, "description", "support_err_description_long");
	if (rq->has_session) {
		buf_adds(&email, rq->user.email);
	} else {
		const char *e = http_field(rq, "email");
		if (policy_email(&email, e, strlen(e)) != POLICY_EMAIL_OK)
			page_field_error(rq, d, "email", "support_err_email");
	}
	const char *tr = http_field(rq, "transfer");
	struct buf trimmed = BUF_INIT;
	S_trim(&trimmed, tr);
	if (trimmed.len) {
		if (numbers_transfer_parse(trimmed.ptr, trimmed.len, transfer) < 0) {
			page_field_error(rq, d, "transfer", "support_err_transfer");
		} else if (rq->has_session) {
			/* Anyone's number would tell whether it exists: only the requester's own.
			 */
			int mine = db_transfer_of_user(rq->db, transfer, rq->user.id);
			if (mine < 0) {
				buf_release(&trimmed);
				status = handler_unavailable(rq, rs, "transfer lookup");
				tv_free(d);
				goto out;
			}
			if (!mine)
				page_field_error(rq, d, "transfer",
				                 "support_err_transfer_not_yours");
		}
	}
	buf_release(&trimmed);

	/* Screenshots: judged by their bytes; an empty file input sends a nameless empty file. */
	int too_many = 0, too_large = 0, not_image = 0;
	for (size_t i = 0; i < rq->upload.n; i++) {
		const struct multipart_part *p = &rq->upload.parts[i];
		if (!p->filename || strcmp(p->name, FILES_FIELD) != 0 ||
		    (p->filename_len == 0 && p->data_len == 0))
			continue;
		chosen++;
		if (chosen > SUPPORT_FILES_MAX) {
			too_many = 1;
			continue;
		}
		enum sniff_type t = sniff_image(p->data, p->data_len);
		if (p->data_len > SUPPORT_FILE_MAX)
			too_large = 1;
		else if (t == SNIFF_NONE)
			not_image = 1;
		else
			shots[n_shots++] = (struct shot){.part = p, .type = t};
	}
	if (too_many)
		page_field_error(rq, d, FILES_FIELD, "support_err_files_count");
	if (too_large)
		page_field_error(rq, d, FILES_FIELD, "support_err_file_size");
	if (not_image)
		page_field_error(rq, d, FILES_FIELD, "support_err_file_type");

	if (tv_truthy(tv_get(d, "has_errors", 10)) || tv_get(d, "problem", 7)) {
		tv_set_bool(d, "files_again", chosen > 0);
		status = S_form(rq, rs, 400, d);
		goto out;
	}

	long retry = 0;
	int allowed = throttle_ip(rq, "ticket", SUPPORT_TICKETS_PER_HOUR, 3600, &retry);
	if (allowed <= 0) {
		tv_free(d);
		status = allowed < 0 ? handler_unavailable(rq, rs, "throttle")
		                     : handler_too_many(rq, rs, retry);
		goto out;
	}

	/* Files first, outside the transaction; any failure after this removes them again. */
	if (S_write(rq, shots, n_shots) < 0) {
		S_unlink(rq, shots, n_shots);
		tv_free(d);
		status = handler_unavailable(rq, rs, "upload");
		goto out;
	}
	struct db_ticket t = {
	    .user_id = rq->has_session ? rq->user.id : 0,
	    .email = email.ptr,
	    .locale = (char *)locale_info[rq->locale].code,
	    .topic = (char *)support_topic_code[topic],
	    .subject = subject.ptr,
	    .transfer = transfer,
	    .created_at = rq->now,
	};
	long long ticket_id = 0, message_id = 0;
	int rc = db_begin(rq->db);
	/* Numbers are random: draw again in the unlikely case one is taken. */
	for (int tries = 0; rc == 0; tries++) {
		support_number_new(t.number);
		rc = db_ticket_insert(rq->db, &t, body.ptr, &ticket_id, &message_id);
		if (rc == 1 && tries >= 5)
			rc = -1;
		if (rc == 1)
			rc = 0;
		else
			break;
	}
	for (int i = 0; rc == 0 && i < n_shots; i++) {
		struct db_ticket_file f = {
		    .stored = shots[i].stored,
		    .filename = (char *)shots[i].part->filename,
		    .mime = (char *)sniff_mime(shots[i].type),
		    .size = (long long)shots[i].part->data_len,
		};
		rc = db_ticket_file_add(rq->db, ticket_id, message_id, &f, rq->now);
	}
	if (rc == 0)
		rc = outbox_ticket(rq, &t, OUTBOX_TICKET_CREATED, body.ptr);
	if (rc == 0)
		rc = db_commit(rq->db);
	if (rc != 0) {
		S_unlink(rq, shots, n_shots);
		tv_free(d);
		status = handler_unavailable(rq, rs, "ticket");
		goto out;
	}
	app_mail_wake(rq->app);
	tv_free(d);
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/support/sent?n=%s&topic=%s", t.number, t.topic);
	status = handler_see_other(rq, rs, loc.ptr);
	buf_release(&loc);
out:
	buf_release(&subject);
	buf_release(&body);
	buf_release(&email);
	return status;
}

int h_ticket_sent(struct http_req *rq, struct http_resp *rs)
{
	struct tv *d = page_data(rq);
	const char *n = http_field(rq, "n");
	int topic = support_topic_from_code(http_field(rq, "topic"));
	if (support_number_valid(n, strlen(n)) && topic >= 0) {
		struct buf b = BUF_INIT;
		tv_set_str(d, "number", n);
		support_reply_time(&b, &rq->app->theme.ui, rq->locale, S_hours(rq, topic));
		tv_set_strn(d, "reply", b.ptr, b.len);
		buf_release(&b);
	}
	return page_render(rq, rs, 200, "support", "support_sent_title", "support-sent", d);
}

static void S_status(struct http_req *rq, struct tv *o, const char *status)
{
	char key[48];
	snprintf(key, sizeof(key), "support_status_%s", status);
	tv_set_str(o, "status", S_t(rq, key));
	tv_set_str(o, "status_code", status);
}

int h_tickets(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct db_ticket *t = NULL;
	int n = db_tickets_list(rq->db, rq->user.id, NULL, 0, &t);
	if (n < 0)
		return handler_unavailable(rq, rs, "tickets");
	struct tv *d = page_data(rq);
	struct tv *list = tv_set_list(d, "tickets");
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++) {
		struct tv *o = tv_push_obj(list);
		char key[48];
		tv_set_str(o, "number", t[i].number);
		tv_set_str(o, "subject", t[i].subject);
		snprintf(key, sizeof(key), "support_topic_%s", t[i].topic);
		tv_set_str(o, "topic", S_t(rq, key));
		S_status(rq, o, t[i].status);
		buf_reset(&b);
		handler_time(&b, t[i].updated_at);
		tv_set_strn(o, "updated", b.ptr, b.len);
		tv_set_int(o, "messages", t[i].messages);
	}
	tv_set_bool(d, "has_tickets", n > 0);
	buf_release(&b);
	db_tickets_release(t, n);
	return page_render(rq, rs, 200, "support", "support_tickets_title", "support-tickets", d);
}

/*
 * The ticket that rest ("S12345674" or "S12345674/files/3") names, if this request may see
 * it: the requester's session, or a valid signed link (exp and sig in the query or form).
 * Returns 1 (t filled, *file the attachment id or 0, *linked if by link), 0 not allowed or
 * not found, -1 error.
 */
static int S_ticket(struct http_req *rq, struct db_ticket *t, long long *file, int *linked)
{
	const char *rest = rq->route + strlen("/support/tickets/");
	char number[SUPPORT_NUMBER_LEN + 1];
	*file = 0;
	*linked = 0;
	if (strlen(rest) < 9 || !support_number_valid(rest, 9))
		return 0;
	if (rest[9] == '/') {
		if (strncmp(rest + 9, "/files/", 7) != 0 ||
		    (*file = http_number(rest + 16, 9)) <= 0)
			return 0;
	} else if (rest[9] != '\0') {
		return 0;
	}
	memcpy(number, rest, 9);
	number[0] = 'S';
	number[9] = '\0';
	int found = db_ticket_by_number(rq->db, number, t);
	if (found <= 0)
		return found;
	if (rq->has_session && t->user_id == rq->user.id)
		return 1;
	if (support_link_ok(rq->app->key, number, http_field(rq, "exp"), http_field(rq, "sig"),
	                    rq->now)) {
		*linked = 1;
		return 1;
	}
	db_ticket_release(t);
	return 0;
}

/* Nothing to see: log in first (then the owner sees it), else not found, whatever exists. */
static int S_no_ticket(struct http_req *rq, struct http_resp *rs)
{
	if (!rq->has_session && strcmp(rq->method, "GET") == 0)
		return handler_need_session(rq, rs);
	return page_error(rq, rs, 404);
}

/* The screenshot as an attachment with the type it was sniffed as. */
static int S_file(struct http_req *rq, struct http_resp *rs, const struct db_ticket *t,
                  long long id)
{
	struct db_ticket_file f = {0};
	int found = db_ticket_file(rq->db, t->id, id, &f);
	if (found < 0)
		return handler_unavailable(rq, rs, "ticket file");
	if (!found)
		return page_error(rq, rs, 404);
	struct buf p = BUF_INIT;
	S_path(rq, &p, f.stored);
	FILE *in = fopen(p.ptr, "rb");
	int status = 200;
	if (!in) {
		fprintf(stderr, "okpay-portal: cannot open %s: %s\n", p.ptr, strerror(errno));
		status = page_error(rq, rs, 404);
	} else {
		buf_reset(&rs->body);
		char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0 &&
		       rs->body.len <= SUPPORT_FILE_MAX)
			buf_add(&rs->body, chunk, got);
		fclose(in);
		char disp[96];
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s-%lld.%s\"", t->number, f.id,
		         strcmp(f.mime, "image/png") == 0 ? "png" : "jpg");
		http_header(rs, "Content-Type", f.mime);
		http_header(rs, "Content-Disposition", disp);
		/* X-Content-Type-Options: nosniff comes with every portal answer (nginx). */
		http_header(rs, "Referrer-Policy", "no-referrer");
	}
	buf_release(&p);
	free(f.stored);
	free(f.filename);
	free(f.mime);
	return status;
}

/* The ticket page: facts, conversation, screenshots and (unless closed) the reply box. */
static int S_ticket_page(struct http_req *rq, struct http_resp *rs, int status, struct tv *d,
                         const struct db_ticket *t, int linked)
{
	struct db_ticket_message *m = NULL;
	struct db_ticket_file *f = NULL;
	int nm = db_ticket_messages(rq->db, t->id, &m);
	int nf = nm < 0 ? -1 : db_ticket_files(rq->db, t->id, &f);
	if (nm < 0 || nf < 0) {
		db_ticket_messages_release(m, nm);
		tv_free(d);
		return handler_unavailable(rq, rs, "ticket");
	}
	struct buf b = BUF_INIT, q = BUF_INIT;
	char key[48];
	if (linked) {
		buf_adds(&q, "?exp=");
		http_query_value(&q, http_field(rq, "exp"), strlen(http_field(rq, "exp")));
		buf_adds(&q, "&sig=");
		http_query_value(&q, http_field(rq, "sig"), strlen(http_field(rq, "sig")));
		tv_set_str(d, "exp", http_field(rq, "exp"));
		tv_set_str(d, "sig", http_field(rq, "sig"));
		tv_set_bool(d, "linked", 1);
		/* The address is the key to the ticket: it must not leave in a Referer. */
		http_header(rs, "Referrer-Policy", "no-referrer");
	}
	tv_set_str(d, "number", t->number);
	tv_set_str(d, "subject", t->subject);
	snprintf(key, sizeof(key), "support_topic_%s", t->topic);
	tv_set_str(d, "topic", S_t(rq, key));
	S_status(rq, d, t->status);
	tv_set_str(d, "transfer", t->transfer);
	tv_set_bool(d, "closed", strcmp(t->status, "closed") == 0);
	tv_set_bool(d, "waiting", strcmp(t->status, "waiting") == 0);
	handler_time(&b, t->created_at);
	tv_set_strn(d, "created", b.ptr, b.len);
	struct tv *list = tv_set_list(d, "messages");
	for (int i = 0; i < nm; i++) {
		struct tv *o = tv_push_obj(list);
		int op = strcmp(m[i].author, "operator") == 0;
		tv_set_bool(o, "operator", op);
		tv_set_str(o, "author",
		           S_t(rq, op ? "support_author_operator" : "support_author_you"));
		tv_set_str(o, "body", m[i].body);
		buf_reset(&b);
		handler_time(&b, m[i].created_at);
		tv_set_strn(o, "at", b.ptr, b.len);
		struct tv *files = tv_set_list(o, "files");
		for (int j = 0; j < nf; j++) {
			if (f[j].message_id != m[i].id)
				continue;
			struct tv *fo = tv_push_obj(files);
			buf_reset(&b);
			buf_addf(&b, "/%s/support/tickets/%s/files/%lld%s",
			         locale_info[rq->locale].code, t->number, f[j].id, q.ptr);
			tv_set_strn(fo, "url", b.ptr, b.len);
			tv_set_str(fo, "name", f[j].filename[0] ? f[j].filename : f[j].stored);
			tv_set_int(fo, "kb", (f[j].size + 1023) / 1024);
		}
		tv_set_bool(o, "has_files", tv_count(files) > 0);
	}
	buf_reset(&b);
	buf_addf(&b, "/%s/support/tickets/%s", locale_info[rq->locale].code, t->number);
	tv_set_strn(d, "action", b.ptr, b.len);
	buf_release(&b);
	buf_release(&q);
	db_ticket_messages_release(m, nm);
	db_ticket_files_release(f, nf);
	return page_render(rq, rs, status, "support", "support_ticket_title", "support-ticket", d);
}

int h_ticket(struct http_req *rq, struct http_resp *rs)
{
	struct db_ticket t = {0};
	long long file = 0;
	int linked = 0, status;
	int ok = S_ticket(rq, &t, &file, &linked);
	if (ok < 0)
		return handler_unavailable(rq, rs, "ticket");
	if (ok == 0)
		return S_no_ticket(rq, rs);
	if (file)
		status = S_file(rq, rs, &t, file);
	else {
		session_ensure_pre(rq, rs); /* the reply box of a visitor with only the link */
		status = S_ticket_page(rq, rs, 200, page_data(rq), &t, linked);
	}
	db_ticket_release(&t);
	return status;
}

int h_ticket_reply(struct http_req *rq, struct http_resp *rs)
{
	struct db_ticket t = {0};
	long long file = 0;
	int linked = 0, status;
	int ok = S_ticket(rq, &t, &file, &linked);
	if (ok < 0)
		return handler_unavailable(rq, rs, "ticket");
	if (ok == 0 || file) {
		db_ticket_release(&t);
		return page_error(rq, rs, 404);
	}
	struct tv *d = page_data(rq);
	struct buf body = BUF_INIT;
	S_trim(&body, http_field(rq, "message"));
	size_t chars = utf8_length(body.ptr, body.len);
	page_keep(rq, d, "message");
	if (strcmp(t.status, "closed") == 0)
		tv_set_str(d, "problem", S_t(rq, "support_err_closed"));
	else if (chars == 0)
		page_field_error(rq, d, "message", "support_err_reply_empty");
	else if (chars > SUPPORT_REPLY_MAX)
		page_field_error(rq, d, "message", "support_err_reply_long");
	if (tv_truthy(tv_get(d, "has_errors", 10)) || tv_get(d, "problem", 7)) {
		status = S_ticket_page(rq, rs, 400, d, &t, linked);
		goto out;
	}
	long retry = 0;
	int allowed = throttle_ip(rq, "ticket-reply", 30, 3600, &retry);
	if (allowed <= 0) {
		tv_free(d);
		status = allowed < 0 ? handler_unavailable(rq, rs, "throttle")
		                     : handler_too_many(rq, rs, retry);
		goto out;
	}
	if (db_begin(rq->db) < 0 ||
	    db_ticket_message_add(rq->db, t.id, "requester", body.ptr, "open", rq->now, NULL) < 0 ||
	    db_commit(rq->db) < 0) {
		tv_free(d);
		status = handler_unavailable(rq, rs, "ticket reply");
		goto out;
	}
	tv_free(d);
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/support/tickets/%s", t.number);
	if (linked) {
		buf_adds(&loc, "?exp=");
		http_query_value(&loc, http_field(rq, "exp"), strlen(http_field(rq, "exp")));
		buf_adds(&loc, "&sig=");
		http_query_value(&loc, http_field(rq, "sig"), strlen(http_field(rq, "sig")));
	}
	status = handler_see_other(rq, rs, loc.ptr);
	buf_release(&loc);
out:
	buf_release(&body);
	db_ticket_release(&t);
	return status;
}
