/* support.c - the rules of support tickets and article feedback, and the operator's actions. */
#include "support.h"
#include "app.h"
#include "auth.h"
#include "db.h"
#include "http.h"
#include "numbers.h"
#include "outbox.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const support_topic_code[SUPPORT_TOPIC__MAX] = {
    [SUPPORT_TOPIC_ACCOUNT] = "account", [SUPPORT_TOPIC_SEND] = "send",
    [SUPPORT_TOPIC_ADD] = "add",         [SUPPORT_TOPIC_SECURITY] = "security",
    [SUPPORT_TOPIC_OTHER] = "other",
};

/*
 * As content/FACTS.md promises. Someone may be in the account right now: security goes first.
 * Whole days are business days (support_reply_time says so).
 */
const int support_reply_hours_default[SUPPORT_TOPIC__MAX] = {
    [SUPPORT_TOPIC_ACCOUNT] = 24, [SUPPORT_TOPIC_SEND] = 24,  [SUPPORT_TOPIC_ADD] = 24,
    [SUPPORT_TOPIC_SECURITY] = 4, [SUPPORT_TOPIC_OTHER] = 48,
};

int support_topic_from_code(const char *s)
{
	for (int i = 0; s && i < SUPPORT_TOPIC__MAX; i++)
		if (strcmp(s, support_topic_code[i]) == 0)
			return i;
	return -1;
}

int support_reply_hours_parse(int hours[SUPPORT_TOPIC__MAX], const char *s)
{
	int out[SUPPORT_TOPIC__MAX], seen[SUPPORT_TOPIC__MAX] = {0};
	memcpy(out, hours, sizeof(out));
	const char *p = s;
	if (!p || !*p)
		return -1;
	for (;;) {
		const char *eq = strchr(p, '=');
		if (!eq)
			return -1;
		char topic[16];
		size_t n = (size_t)(eq - p);
		if (n == 0 || n >= sizeof(topic))
			return -1;
		memcpy(topic, p, n);
		topic[n] = '\0';
		int t = support_topic_from_code(topic);
		if (t < 0 || seen[t])
			return -1;
		seen[t] = 1;
		const char *d = eq + 1;
		if (*d < '1' || *d > '9')
			return -1;
		char *end;
		errno = 0;
		long h = strtol(d, &end, 10);
		if (errno || h < 1 || h > 720 || (*end != ',' && *end != '\0'))
			return -1;
		out[t] = (int)h;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	memcpy(hours, out, sizeof(out));
	return 0;
}

/* The one placeholder of the reply-time strings, replaced by hand (no format strings). */
static void S_fill(struct buf *b, const char *tmpl, const char *name, long long v)
{
	const char *at = strstr(tmpl, name);
	if (!at) {
		buf_adds(b, tmpl);
		return;
	}
	buf_add(b, tmpl, (size_t)(at - tmpl));
	buf_addf(b, "%lld", v);
	buf_adds(b, at + strlen(name));
}

void support_reply_time(struct buf *b, const struct i18n *ui, enum locale l, int h)
{
	if (h >= 24 && h % 24 == 0)
		S_fill(b, i18n_get(ui, l, h == 24 ? "support_reply_day" : "support_reply_days"),
		       "{n}", h / 24);
	else
		S_fill(b, i18n_get(ui, l, h == 1 ? "support_reply_hour" : "support_reply_hours"),
		       "{n}", h);
}

void support_number_new(char out[SUPPORT_NUMBER_LEN + 1])
{
	out[0] = 'S';
	/* The first digit is never 0, so numbers keep their width wherever they are shown. */
	out[1] = (char)('1' + auth_random_below(9));
	for (int i = 2; i < 8; i++)
		out[i] = (char)('0' + auth_random_below(10));
	out[8] = (char)('0' + numbers_luhn_digit(out + 1, 7));
	out[9] = '\0';
}

int support_number_valid(const char *s, size_t n)
{
	if (n != 9 || (s[0] != 'S' && s[0] != 's'))
		return 0;
	for (size_t i = 1; i < 9; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return numbers_luhn_ok(s + 1, 8);
}

/* The signed text: purpose, number and expiry, so a MAC made for anything else never fits. */
static size_t S_link_msg(char *msg, size_t cap, const char *number, const char *exp)
{
	int n = snprintf(msg, cap, "ticket-link\n%s\n%s", number, exp);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

void support_link(struct buf *b, const unsigned char key[32], enum locale l, const char *number,
                  long long expires)
{
	char exp[24], msg[96], sig[AUTH_TOKEN_LEN + 1];
	snprintf(exp, sizeof(exp), "%lld", expires);
	size_t n = S_link_msg(msg, sizeof(msg), number, exp);
	auth_mac(sig, key, msg, n);
	buf_addf(b, "/%s/support/tickets/%s?exp=%s&sig=%s", locale_info[l].code, number, exp, sig);
}

int support_link_ok(const unsigned char key[32], const char *number, const char *exp,
                    const char *sig, long long now)
{
	if (!number || !exp || !sig || http_number(exp, 12) <= now)
		return 0;
	char msg[96];
	size_t n = S_link_msg(msg, sizeof(msg), number, exp);
	return n > 0 && auth_mac_verify(sig, strlen(sig), key, msg, n) == 1;
}

long long support_vote_day(long long at)
{
	/* China Standard Time is UTC+8 all year: the day starts at 16:00 UTC the day before. */
	long long local = at + 8 * 3600;
	long long day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	return day * 86400 - 8 * 3600;
}

int support_article_ok(const char *a)
{
	size_t n = a ? strlen(a) : 0;
	if (n < 5 || n > 300 || a[0] != '/' || (strncmp(a, "/zh/", 4) && strncmp(a, "/en/", 4)))
		return 0;
	if (strstr(a, "//") || strstr(a, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '/'))
			return 0;
	}
	return 1;
}

int support_operator_reply(struct http_req *rq, const char *number, const char *body)
{
	struct db_ticket t = {0};
	int rc = -1;
	if (db_begin(rq->db) < 0)
		return -1;
	int found = db_ticket_by_number(rq->db, number, &t);
	if (found <= 0 || strcmp(t.status, "closed") == 0) {
		db_rollback(rq->db);
		rc = found < 0 ? -1 : 1;
		goto out;
	}
	if (db_ticket_message_add(rq->db, t.id, "operator", body, "waiting", rq->now, NULL) < 0 ||
	    outbox_ticket(rq, &t, OUTBOX_TICKET_REPLY, body) < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		goto out;
	}
	rc = 0;
out:
	db_ticket_release(&t);
	return rc;
}

int support_close(struct http_req *rq, const char *number)
{
	struct db_ticket t = {0};
	int found = db_ticket_by_number(rq->db, number, &t);
	int closed = found > 0 ? db_ticket_close(rq->db, t.id, rq->now) : 0;
	db_ticket_release(&t);
	if (found < 0 || closed < 0)
		return -1;
	return closed ? 0 : 1;
}
