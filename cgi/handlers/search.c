/* search.c - the help center's search: the results page and the JSON for search-as-you-type. */
#include "app.h"
#include "handlers.h"
#include "html.h"
#include "page.h"
#include "search.h"
#include "tv.h"
#include "utf8.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define HITS_PER_PAGE      10
#define PAGE_MAX           100000 /* larger page numbers are the last page like any other */
#define JSON_LIMIT_DEFAULT 5
#define JSON_LIMIT_MAX     10

/*
 * Popular articles, suggested on the empty search page and when nothing was found: paths
 * after "/<lang>/", titled by the UI string named beside them.
 */
static const struct {
	const char *path;
	const char *title_key;
} popular[] = {
    {"login/forgot-password/", "search_popular_forgot_password"},
    {"payments/send-money/", "search_popular_send_money"},
    {"payments/wrong-recipient/", "search_popular_wrong_recipient"},
    {"payments/funding-methods-and-fees/", "search_popular_fees"},
    {"registration/email-not-received/", "search_popular_email_not_received"},
    {"login/locked-account/", "search_popular_locked_account"},
};

/* The query as searched: trimmed, cut to SEARCH_QUERY_MAX bytes at a character boundary. */
struct query {
	const char *s;
	size_t n;
	int cut; /* it was longer and has been cut */
};

/* Bytes of white space (ASCII, or U+3000 IDEOGRAPHIC SPACE of Chinese input) at s, or 0. */
static size_t S_space(const char *s, size_t n)
{
	if (n && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f' ||
	          s[0] == '\v'))
		return 1;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

static size_t S_trim_end(const char *s, size_t n)
{
	for (;;) {
		if (n && s[n - 1] && strchr(" \t\n\r\f\v", s[n - 1]))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			return n;
	}
}

/* Read q from the request; -1 if it is not text (the query string parser refuses most). */
static int S_query(struct http_req *rq, struct query *q)
{
	const char *s = http_field(rq, "q");
	size_t n = strlen(s), k;
	if (!utf8_valid(s, n))
		return -1;
	while ((k = S_space(s, n)) > 0) {
		s += k;
		n -= k;
	}
	n = S_trim_end(s, n);
	q->cut = n > SEARCH_QUERY_MAX;
	if (q->cut) {
		n = SEARCH_QUERY_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		n = S_trim_end(s, n);
	}
	q->s = s;
	q->n = n;
	return 0;
}

/*
 * A whole number of ASCII digits (leading zeros allowed), at most max: larger values are max.
 * -1 if s is empty or holds anything but digits.
 */
static long long S_digits(const char *s, long long max)
{
	long long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v > max ? v : v * 10 + (*s - '0');
	}
	return v > max ? max : v;
}

/*
 * This worker's index, opened at the first search and reopened when site-gen has replaced it.
 * NULL (logged) when there is none yet or it cannot be read.
 */
struct search *handler_search_index(struct http_req *rq)
{
	if (!rq->search)
		return NULL;
	if (*rq->search) {
		/* A failed reopen keeps the old index, which still answers. */
		search_refresh(*rq->search);
		return *rq->search;
	}
	struct buf err = BUF_INIT;
	*rq->search = search_open(rq->app->cfg.search_db, &err);
	if (!*rq->search)
		fprintf(stderr, "okpay-portal: %s\n", err.ptr);
	buf_release(&err);
	return *rq->search;
}

static void S_release(struct search_hit *hits, int n)
{
	if (hits)
		search_hits_release(hits, n > 0 ? n : 0);
}

/*
 * Data for search.html in one of its states: empty (no query), results, no results, or
 * unavailable. Every key the template reads is set, whatever the state.
 */
static struct tv *S_data(struct http_req *rq, const struct query *q)
{
	struct tv *d = page_data(rq);
	const char *lang = locale_info[rq->locale].code;
	struct buf b = BUF_INIT;
	tv_set_strn(d, "search_q", q->s, q->n);
	tv_set_strn(d, "query", q->s, q->n);
	tv_set_bool(d, "has_query", q->n > 0);
	tv_set_bool(d, "cut", q->cut);
	buf_addf(&b, "/%s/contact/", lang);
	tv_set_str(d, "contact_url", b.ptr);
	buf_reset(&b);
	buf_addf(&b, "/%s/support/contact", lang);
	tv_set_str(d, "ticket_url", b.ptr);
	buf_release(&b);
	return d;
}

/* The popular articles as a list "popular" of {title, url}. */
static void S_popular(struct http_req *rq, struct tv *d)
{
	struct tv *list = tv_set_list(d, "popular");
	for (size_t i = 0; i < ARRAY_LEN(popular); i++) {
		struct tv *o = tv_push_obj(list);
		struct buf b = BUF_INIT;
		buf_addf(&b, "/%s/%s", locale_info[rq->locale].code, popular[i].path);
		tv_set_str(o, "url", b.ptr);
		tv_set_str(o, "title",
		           i18n_get(&rq->app->theme.ui, rq->locale, popular[i].title_key));
		buf_release(&b);
	}
	tv_set_bool(d, "has_popular", 1);
}

/*
 * 503 when there is no index (not built yet, unreadable): a page that says so, with the
 * popular articles and the contact page instead.
 */
static int S_unavailable(struct http_req *rq, struct http_resp *rs, const struct query *q)
{
	struct tv *d = S_data(rq, q);
	tv_set_bool(d, "unavailable", 1);
	tv_set_bool(d, "show_contact", 1);
	S_popular(rq, d);
	http_header(rs, "Retry-After", "60");
	return page_render(rq, rs, 503, "search", "search_unavailable_title", "search", d);
}

/* A control character (C0 or DEL): never worth keeping in the log. */
static int S_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Bytes of a number at s: digits, possibly grouped by single spaces or hyphens
 * ("4111 1111 1111 1111", "138-0013-8000"); *digits gets how many digits it has.
 */
static size_t S_number_len(const char *s, size_t n, size_t *digits)
{
	size_t i = 0;
	*digits = 0;
	while (i < n) {
		if (s[i] >= '0' && s[i] <= '9') {
			(*digits)++;
			i++;
		} else if ((s[i] == ' ' || s[i] == '-') && i > 0 && i + 1 < n && s[i + 1] >= '0' &&
		           s[i + 1] <= '9') {
			i++;
		} else {
			break;
		}
	}
	return i;
}

/*
 * What the log keeps of a query: white space and control characters become one space;
 * numbers of 8 digits or more (phone, card, account and transfer numbers) become "[number]"
 * and words with an '@' (email addresses) "[email]", so the log says what people look for
 * without saying who they are. At most SEARCH_QUERY_MAX bytes.
 */
static void S_log_text(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, word_end = 0;
	while (i < n) {
		size_t k = S_space(s + i, n - i), digits;
		if (k || S_control((unsigned char)s[i])) {
			if (out->len && out->ptr[out->len - 1] != ' ')
				buf_addc(out, ' ');
			i += k ? k : 1;
			continue;
		}
		if (i >= word_end) {
			/* At the start of a word (up to white space): is it an address? */
			size_t j = i;
			int at = 0;
			while (j < n && !S_space(s + j, n - j) && !S_control((unsigned char)s[j]))
				at |= s[j++] == '@';
			if (at) {
				buf_adds(out, "[email]");
				i = j;
				continue;
			}
			word_end = j;
		}
		k = S_number_len(s + i, n - i, &digits);
		if (digits >= 8) {
			buf_adds(out, "[number]");
			i += k;
		} else if (k > 0) {
			buf_add(out, s + i, k);
			i += k;
		} else {
			buf_addc(out, s[i++]);
		}
	}
	size_t len = out->len;
	if (len > SEARCH_QUERY_MAX) {
		len = SEARCH_QUERY_MAX;
		while (len > 0 && ((unsigned char)out->ptr[len] & 0xc0) == 0x80)
			len--;
	}
	while (len > 0 && out->ptr[len - 1] == ' ')
		len--;
	buf_truncate(out, len);
}

static void S_log(struct http_req *rq, const struct query *q, long long total)
{
	struct buf text = BUF_INIT;
	S_log_text(&text, q->s, q->n);
	if (text.len &&
	    db_search_log_add(rq->db, text.ptr, locale_info[rq->locale].code, total, rq->now) < 0)
		fprintf(stderr, "okpay-portal: search log: %s\n", db_errmsg(rq->db));
	buf_release(&text);
}

static void S_page_link(struct http_req *rq, struct tv *d, const char *key, const struct query *q,
                        long long page)
{
	struct tv *o = tv_set_obj(d, key);
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s/search?q=", locale_info[rq->locale].code);
	http_query_value(&b, q->s, q->n);
	if (page > 1)
		buf_addf(&b, "&page=%lld", page);
	tv_set_str(o, "url", b.ptr);
	tv_set_int(o, "page", page);
	buf_release(&b);
}

int h_search(struct http_req *rq, struct http_resp *rs)
{
	struct query q;
	const char *p = http_field(rq, "page");
	long long page = *p ? S_digits(p, PAGE_MAX) : 1;
	if (S_query(rq, &q) < 0 || page < 1)
		return page_error(rq, rs, 400);

	struct tv *d;
	if (q.n == 0) {
		d = S_data(rq, &q);
		S_popular(rq, d);
		return page_render(rq, rs, 200, "search", "search_page_title", "search", d);
	}

	struct search *ix = handler_search_index(rq);
	if (!ix)
		return S_unavailable(rq, rs, &q);
	const char *lang = locale_info[rq->locale].code;
	struct search_hit *hits = NULL;
	long long total = 0;
	int n = search_query(ix, lang, q.s, q.n, (int)((page - 1) * HITS_PER_PAGE), HITS_PER_PAGE,
	                     &hits, &total);
	/* Past the end (an old link, a typed number): the last page instead. */
	if (n == 0 && total > 0) {
		page = (total + HITS_PER_PAGE - 1) / HITS_PER_PAGE;
		S_release(hits, 0);
		hits = NULL;
		n = search_query(ix, lang, q.s, q.n, (int)((page - 1) * HITS_PER_PAGE),
		                 HITS_PER_PAGE, &hits, &total);
	}
	if (n < 0) {
		fprintf(stderr, "okpay-portal: search index %s: query failed\n",
		        rq->app->cfg.search_db);
		S_release(hits, 0);
		return S_unavailable(rq, rs, &q);
	}
	/* Paging through the results is not a new search. */
	if (page == 1)
		S_log(rq, &q, total);

	d = S_data(rq, &q);
	tv_set_int(d, "total", total);
	tv_set_bool(d, "one", total == 1);
	tv_set_bool(d, "has_results", n > 0);
	tv_set_int(d, "start", (page - 1) * HITS_PER_PAGE + 1);
	struct tv *list = tv_set_list(d, "hits");
	for (int i = 0; i < n; i++) {
		struct tv *h = tv_push_obj(list);
		tv_set_str(h, "url", hits[i].url);
		tv_set_str(h, "title", hits[i].title);
		tv_set_str(h, "category", hits[i].category);
		tv_set_str(h, "category_url", hits[i].category_url);
		tv_set_str(h, "snippet", hits[i].snippet);
	}
	S_release(hits, n);
	long long pages = (total + HITS_PER_PAGE - 1) / HITS_PER_PAGE;
	int has_prev = page > 1 && n > 0, has_next = page < pages;
	if (has_prev)
		S_page_link(rq, d, "prev", &q, page - 1);
	if (has_next)
		S_page_link(rq, d, "next", &q, page + 1);
	tv_set_bool(d, "has_pager", has_prev || has_next);
	tv_set_int(d, "page", page);
	tv_set_int(d, "pages", pages);
	if (n == 0) {
		/* Nothing found: other ways to an answer. */
		tv_set_bool(d, "no_results", 1);
		tv_set_bool(d, "show_contact", 1);
		S_popular(rq, d);
	}
	return page_render(rq, rs, 200, "search", "search_page_title", "search", d);
}

/* A JSON string with its quotes; U+2028 and U+2029 escaped too, for old JavaScript parsers. */
static void S_json(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	buf_addc(b, '"');
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] == '\xe2' && s[i + 1] == '\x80' &&
		    (s[i + 2] == '\xa8' || s[i + 2] == '\xa9')) {
			html_json_string(b, s + start, i - start);
			buf_adds(b, s[i + 2] == '\xa8' ? "\\u2028" : "\\u2029");
			start = i + 3;
			i += 2;
		}
	}
	html_json_string(b, s + start, n - start);
	buf_addc(b, '"');
}

static void S_json_str(struct buf *b, const char *s)
{
	S_json(b, s ? s : "", s ? strlen(s) : 0);
}

int h_search_json(struct http_req *rq, struct http_resp *rs)
{
	struct query q;
	const char *l = http_field(rq, "limit");
	long long limit = *l ? S_digits(l, JSON_LIMIT_MAX) : JSON_LIMIT_DEFAULT;
	if (S_query(rq, &q) < 0 || limit < 0)
		return page_error(rq, rs, 400);
	if (limit == 0)
		limit = 1;

	struct search_hit *hits = NULL;
	long long total = 0;
	int n = 0;
	if (q.n > 0) {
		struct search *ix = handler_search_index(rq);
		n = ix ? search_query(ix, locale_info[rq->locale].code, q.s, q.n, 0, (int)limit,
		                      &hits, &total)
		       : -1;
		if (n < 0) {
			S_release(hits, 0);
			http_header(rs, "Content-Type", "application/json; charset=utf-8");
			http_header(rs, "Retry-After", "60");
			buf_adds(&rs->body, "{\"error\":\"search unavailable\"}\n");
			return 503;
		}
		S_log(rq, &q, total);
	}
	struct buf *b = &rs->body;
	buf_adds(b, "{\"query\":");
	S_json(b, q.s, q.n);
	buf_addf(b, ",\"total\":%lld,\"results\":[", total);
	for (int i = 0; i < n; i++) {
		buf_adds(b, i ? ",{\"title\":" : "{\"title\":");
		S_json_str(b, hits[i].title);
		buf_adds(b, ",\"url\":");
		S_json_str(b, hits[i].url);
		buf_adds(b, ",\"category\":");
		S_json_str(b, hits[i].category);
		buf_adds(b, ",\"snippet\":");
		S_json_str(b, hits[i].snippet);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
	S_release(hits, n);
	http_header(rs, "Content-Type", "application/json; charset=utf-8");
	return 200;
}
