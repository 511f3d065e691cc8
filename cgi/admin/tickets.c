/* tickets.c - okpay-admin tickets, ticket show/reply/close and feedback: customer service. */
#include "admin.h"
#include "support.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The ticket number argument, upper-cased into number; ADMIN_DONE or ADMIN_USAGE. */
static int S_number(struct admin_ctx *c, char number[SUPPORT_NUMBER_LEN + 1])
{
	const char *arg = c->pos[0];
	if (!support_number_valid(arg, strlen(arg)))
		return admin_usage(c, "\"%s\" is not a ticket number (S + 8 digits)", arg);
	memcpy(number, arg, SUPPORT_NUMBER_LEN + 1);
	number[0] = 'S';
	return ADMIN_DONE;
}

static const char *const S_statuses[] = {"open", "waiting", "closed", NULL};

static int S_tickets(struct admin_ctx *c)
{
	const char *status = admin_opt(c, "status");
	if (status) {
		int ok = 0;
		for (int i = 0; S_statuses[i]; i++)
			ok |= strcmp(status, S_statuses[i]) == 0;
		if (!ok)
			return admin_usage(c, "--status takes open, waiting or closed, not \"%s\"",
			                   status);
	}
	struct db_ticket *t = NULL;
	int n = db_tickets_list(c->db, 0, status, 0, &t);
	if (n < 0)
		return admin_db_error(c, "cannot read the tickets");
	struct buf out = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_array(&j);
		for (int i = 0; i < n; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "number");
			admin_out_json_str(&j, t[i].number);
			admin_out_json_key(&j, "status");
			admin_out_json_str(&j, t[i].status);
			admin_out_json_key(&j, "topic");
			admin_out_json_str(&j, t[i].topic);
			admin_out_json_key(&j, "email");
			admin_out_json_str(&j, t[i].email);
			admin_out_json_key(&j, "user");
			if (t[i].user_id)
				admin_out_json_int(&j, t[i].user_id);
			else
				admin_out_json_null(&j);
			admin_out_json_key(&j, "subject");
			admin_out_json_str(&j, t[i].subject);
			admin_out_json_key(&j, "messages");
			admin_out_json_int(&j, t[i].messages);
			admin_out_json_key(&j, "updated");
			admin_out_json_time(&j, t[i].updated_at);
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		buf_addc(&out, '\n');
	} else if (n == 0) {
		buf_adds(&out, "no tickets\n");
	} else {
		static const char *const head[] = {"ticket",  "status",   "topic",  "email",
		                                   "subject", "messages", "updated"};
		struct admin_out_table tb;
		struct buf v = BUF_INIT;
		admin_out_table_init(&tb, 7, head);
		tb.align[5] = ADMIN_OUT_RIGHT;
		for (int i = 0; i < n; i++) {
			admin_out_table_cell(&tb, t[i].number);
			admin_out_table_cell(&tb, t[i].status);
			admin_out_table_cell(&tb, t[i].topic);
			admin_out_table_cell(&tb, t[i].email);
			admin_out_table_cell(&tb, t[i].subject);
			admin_out_table_cellf(&tb, "%lld", t[i].messages);
			buf_reset(&v);
			admin_out_time(&v, t[i].updated_at);
			admin_out_table_cell(&tb, v.ptr);
		}
		admin_out_table_render(&tb, &out);
		admin_out_table_release(&tb);
		buf_release(&v);
	}
	admin_print(&out);
	buf_release(&out);
	db_tickets_release(t, n);
	return ADMIN_DONE;
}

static int S_show(struct admin_ctx *c)
{
	char number[SUPPORT_NUMBER_LEN + 1];
	int rc = S_number(c, number);
	if (rc != ADMIN_DONE)
		return rc;
	struct db_ticket t = {0};
	struct db_ticket_message *m = NULL;
	struct db_ticket_file *f = NULL;
	int nm = 0, nf = 0;
	struct buf out = BUF_INIT, v = BUF_INIT;
	int found = db_ticket_by_number(c->db, number, &t);
	if (found == 0) {
		admin_err(c, "no ticket with number %s", number);
		rc = ADMIN_NO;
		goto out;
	}
	if (found < 0 || (nm = db_ticket_messages(c->db, t.id, &m)) < 0 ||
	    (nf = db_ticket_files(c->db, t.id, &f)) < 0) {
		nm = nm < 0 ? 0 : nm;
		nf = 0;
		rc = admin_db_error(c, "cannot read the ticket");
		goto out;
	}
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "number");
		admin_out_json_str(&j, t.number);
		admin_out_json_key(&j, "status");
		admin_out_json_str(&j, t.status);
		admin_out_json_key(&j, "topic");
		admin_out_json_str(&j, t.topic);
		admin_out_json_key(&j, "email");
		admin_out_json_str(&j, t.email);
		admin_out_json_key(&j, "user");
		if (t.user_id)
			admin_out_json_int(&j, t.user_id);
		else
			admin_out_json_null(&j);
		admin_out_json_key(&j, "locale");
		admin_out_json_str(&j, t.locale);
		admin_out_json_key(&j, "subject");
		admin_out_json_str(&j, t.subject);
		admin_out_json_key(&j, "transfer");
		admin_out_json_str(&j, t.transfer[0] ? t.transfer : NULL);
		admin_out_json_key(&j, "created");
		admin_out_json_time(&j, t.created_at);
		admin_out_json_key(&j, "messages");
		admin_out_json_array(&j);
		for (int i = 0; i < nm; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "author");
			admin_out_json_str(&j, m[i].author);
			admin_out_json_key(&j, "at");
			admin_out_json_time(&j, m[i].created_at);
			admin_out_json_key(&j, "body");
			admin_out_json_str(&j, m[i].body);
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		admin_out_json_key(&j, "files");
		admin_out_json_array(&j);
		for (int i = 0; i < nf; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "name");
			admin_out_json_str(&j, f[i].filename);
			admin_out_json_key(&j, "stored");
			admin_out_json_str(&j, f[i].stored);
			admin_out_json_key(&j, "type");
			admin_out_json_str(&j, f[i].mime);
			admin_out_json_key(&j, "bytes");
			admin_out_json_int(&j, f[i].size);
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		const char *head[] = {"ticket", t.number};
		struct admin_out_table tb;
		admin_out_table_init(&tb, 2, head);
		admin_out_table_cell(&tb, "status");
		admin_out_table_cell(&tb, t.status);
		admin_out_table_cell(&tb, "topic");
		admin_out_table_cell(&tb, t.topic);
		admin_out_table_cell(&tb, "from");
		buf_addf(&v, "%s%s", t.email, t.user_id ? "" : " (no account)");
		if (t.user_id)
			buf_addf(&v, " (user %lld)", t.user_id);
		admin_out_table_cell(&tb, v.ptr);
		admin_out_table_cell(&tb, "language");
		admin_out_table_cell(&tb, t.locale);
		admin_out_table_cell(&tb, "subject");
		admin_out_table_cell(&tb, t.subject);
		admin_out_table_cell(&tb, "transfer");
		admin_out_table_cell(&tb, t.transfer[0] ? t.transfer : "-");
		admin_out_table_cell(&tb, "created");
		buf_reset(&v);
		admin_out_time(&v, t.created_at);
		admin_out_table_cell(&tb, v.ptr);
		for (int i = 0; i < nf; i++) {
			admin_out_table_cell(&tb, "screenshot");
			admin_out_table_cellf(&tb, "%s (%s, %lld bytes, stored as %s)",
			                      f[i].filename, f[i].mime, f[i].size, f[i].stored);
		}
		admin_out_table_render(&tb, &out);
		admin_out_table_release(&tb);
		/* The conversation as text: bodies keep their lines, control characters shown. */
		for (int i = 0; i < nm; i++) {
			buf_reset(&v);
			admin_out_time(&v, m[i].created_at);
			buf_addf(&out, "\n--- %s, %s\n", m[i].author, v.ptr);
			for (const char *p = m[i].body; *p; p++) {
				unsigned char ch = (unsigned char)*p;
				if (ch == '\n' || ch == '\t' || ch >= 0x20)
					buf_addc(&out, *p);
				else
					buf_addf(&out, "\\x%02x", ch);
			}
			buf_addc(&out, '\n');
		}
	}
	admin_print(&out);
	rc = ADMIN_DONE;
out:
	db_ticket_release(&t);
	db_ticket_messages_release(m, nm);
	db_ticket_files_release(f, nf);
	buf_release(&out);
	buf_release(&v);
	return rc;
}

/* The whole of path into b, at most max bytes; ADMIN_DONE, ADMIN_USAGE or ADMIN_ERROR. */
static int S_read_file(struct admin_ctx *c, const char *path, size_t max, struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		admin_err(c, "cannot open %s: %s", path, strerror(errno));
		return ADMIN_USAGE;
	}
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && b->len <= max)
		buf_add(b, chunk, got);
	int err = ferror(f);
	if (f != stdin)
		fclose(f);
	if (err) {
		admin_err(c, "cannot read %s", path);
		return ADMIN_ERROR;
	}
	return ADMIN_DONE;
}

static int S_reply(struct admin_ctx *c)
{
	char number[SUPPORT_NUMBER_LEN + 1];
	int rc = S_number(c, number);
	if (rc != ADMIN_DONE)
		return rc;
	struct buf body = BUF_INIT;
	rc = S_read_file(c, admin_opt(c, "message-file"), SUPPORT_REPLY_MAX * 4, &body);
	if (rc != ADMIN_DONE)
		goto out;
	/* What the requester will read: text, without the file's trailing newlines. */
	while (body.len && (body.ptr[body.len - 1] == '\n' || body.ptr[body.len - 1] == '\r'))
		body.ptr[--body.len] = '\0';
	if (!utf8_valid(body.ptr, body.len) || memchr(body.ptr, '\0', body.len)) {
		rc = admin_usage(c, "the message is not UTF-8 text");
		goto out;
	}
	size_t chars = utf8_length(body.ptr, body.len);
	if (chars == 0 || chars > SUPPORT_REPLY_MAX) {
		rc = admin_usage(c, "the message must have 1 to %d characters, not %zu",
		                 SUPPORT_REPLY_MAX, chars);
		goto out;
	}
	struct http_req rq;
	admin_req(c, &rq);
	int r = support_operator_reply(&rq, number, body.ptr);
	if (r < 0) {
		rc = admin_db_error(c, "cannot store the reply");
		goto out;
	}
	if (r == 1) {
		admin_err(c, "no open ticket with number %s", number);
		rc = ADMIN_NO;
		goto out;
	}
	struct buf details = BUF_INIT;
	buf_addf(&details, "%zu characters", chars);
	if (admin_log(c, number, details.ptr) < 0)
		admin_err(c, "the reply was sent but the operator log could not be written");
	buf_release(&details);
	printf("replied to %s; the requester is mailed\n", number);
	rc = ADMIN_DONE;
out:
	buf_release(&body);
	return rc;
}

static int S_close(struct admin_ctx *c)
{
	char number[SUPPORT_NUMBER_LEN + 1];
	int rc = S_number(c, number);
	if (rc != ADMIN_DONE)
		return rc;
	struct http_req rq;
	admin_req(c, &rq);
	int r = support_close(&rq, number);
	if (r < 0)
		return admin_db_error(c, "cannot close the ticket");
	if (r == 1) {
		admin_err(c, "no open ticket with number %s", number);
		return ADMIN_NO;
	}
	if (admin_log(c, number, "") < 0)
		admin_err(c, "the ticket was closed but the operator log could not be written");
	printf("closed %s\n", number);
	return ADMIN_DONE;
}

static const struct admin_cmd S_cmd_show = {
    .name = "show",
    .args = "NUMBER",
    .npos = 1,
    .summary = "a ticket with its conversation and screenshots",
    .help = "A ticket (S + 8 digits): who sent it, its topic, status and transfer number,\n"
            "the conversation oldest first, and the screenshots with the names they are\n"
            "stored under in the portal's --upload-dir.\n",
    .run = S_show,
};

static const struct admin_cmd S_cmd_reply = {
    .name = "reply",
    .args = "NUMBER",
    .npos = 1,
    .opts = {{"message-file", "F", "the reply, UTF-8 text (- for standard input)", 1}},
    .summary = "answer a ticket; the requester is mailed",
    .help = "Answer a ticket with the text of file F: it is added to the conversation, the\n"
            "ticket waits for the requester, and the requester is mailed the answer with a\n"
            "link to the ticket, in the ticket's language. A closed ticket cannot be\n"
            "answered (exit 1).\n",
    .flags = ADMIN_WRITES | ADMIN_MAIL,
    .run = S_reply,
};

static const struct admin_cmd S_cmd_close = {
    .name = "close",
    .args = "NUMBER",
    .npos = 1,
    .summary = "close a ticket",
    .help = "Close a ticket. The requester can still read it; a reply of theirs opens it\n"
            "again. Closing a closed ticket changes nothing (exit 1).\n",
    .flags = ADMIN_WRITES,
    .run = S_close,
};

static const struct admin_cmd *const S_ticket_cmds[] = {&S_cmd_show, &S_cmd_reply, &S_cmd_close,
                                                        NULL};

const struct admin_cmd admin_cmd_ticket = {
    .name = "ticket",
    .summary = "one support ticket",
    .sub = S_ticket_cmds,
};

const struct admin_cmd admin_cmd_tickets = {
    .name = "tickets",
    .args = "",
    .opts = {{"status", "S", "only tickets in status S: open, waiting or closed"}},
    .summary = "support tickets, most recently changed first",
    .help = "Support tickets, most recently changed first: number, status (open: waiting for\n"
            "customer service; waiting: for the requester; closed), topic, requester,\n"
            "subject, messages and last change.\n",
    .run = S_tickets,
};

/* --- feedback ------------------------------------------------------------------------------ */

static int S_feedback(struct admin_ctx *c)
{
	long long since;
	int rc = admin_since(c, "since", &since);
	if (rc != ADMIN_DONE)
		return rc;
	struct db_feedback_row *r = NULL;
	int n = db_feedback_report(c->db, since, 3, &r);
	if (n < 0)
		return admin_db_error(c, "cannot read the feedback");
	struct buf out = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_array(&j);
		for (int i = 0; i < n; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "article");
			admin_out_json_str(&j, r[i].article);
			admin_out_json_key(&j, "locale");
			admin_out_json_str(&j, r[i].locale);
			admin_out_json_key(&j, "votes");
			admin_out_json_int(&j, r[i].votes);
			admin_out_json_key(&j, "helpful");
			admin_out_json_int(&j, r[i].helpful);
			admin_out_json_key(&j, "percent");
			admin_out_json_int(&j, r[i].percent);
			admin_out_json_key(&j, "last");
			admin_out_json_time(&j, r[i].last_at);
			admin_out_json_key(&j, "comments");
			admin_out_json_array(&j);
			for (int k = 0; k < r[i].n_comments; k++)
				admin_out_json_str(&j, r[i].comments[k]);
			admin_out_json_end(&j, ']');
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		buf_addc(&out, '\n');
	} else if (n == 0) {
		buf_adds(&out, "no feedback\n");
	} else {
		static const char *const head[] = {"helpful", "votes", "article",
		                                   "recent comments"};
		struct admin_out_table tb;
		struct buf v = BUF_INIT;
		admin_out_table_init(&tb, 4, head);
		tb.align[0] = tb.align[1] = ADMIN_OUT_RIGHT;
		for (int i = 0; i < n; i++) {
			admin_out_table_cellf(&tb, "%d%%", r[i].percent);
			admin_out_table_cellf(&tb, "%lld", r[i].votes);
			admin_out_table_cell(&tb, r[i].article);
			buf_reset(&v);
			for (int k = 0; k < r[i].n_comments; k++)
				buf_addf(&v, "%s\"%s\"", k ? " / " : "", r[i].comments[k]);
			admin_out_table_cell(&tb, v.len ? v.ptr : "-");
		}
		admin_out_table_render(&tb, &out);
		admin_out_table_release(&tb);
		buf_release(&v);
	}
	admin_print(&out);
	buf_release(&out);
	db_feedback_rows_release(r, n);
	return ADMIN_DONE;
}

const struct admin_cmd admin_cmd_feedback = {
    .name = "feedback",
    .args = "",
    .opts = {{"since", "YYYY-MM-DD", "only votes from that day on (China Standard Time)"}},
    .summary = "\"Was this helpful?\" per article, worst first",
    .help = "The answers to \"Was this helpful?\" per article and language: votes, the share\n"
            "of \"yes\", and the three newest comments, the least helpful articles first.\n",
    .run = S_feedback,
};
