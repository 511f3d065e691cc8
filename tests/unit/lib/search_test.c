/* search_test.c - the search index: write, replace, query, rank, and hostile queries. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "search.h"

static char path[64];

static void S_setup(void)
{
	strcpy(path, "/tmp/okpay-search-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
}

static void S_teardown(void)
{
	unlink(path);
}

static const struct search_doc docs[] = {
    {"zh", "/zh/security/forgot-password/", "忘记密码怎么办", "重置密码\n收不到邮件", "",
     "找回密码", "如果你忘记了登录密码，可以通过邮件重置。", "账户安全", "/zh/security/"},
    {"zh", "/zh/payments/send-money/", "如何转账", "填写收款人\n确认", "", "转账步骤",
     "转账前请核对收款人。密码不会在转账时使用。", "转账", "/zh/payments/"},
    {"zh", "/zh/payments/wrong-recipient/", "钱转错人了", "联系客服", "", "转错了怎么办",
     "如果钱转错人了，请立即联系客服。", "转账", "/zh/payments/"},
    {"en", "/en/security/forgot-password/", "Forgot your password", "Reset it", "", "Reset",
     "If you forgot your password, reset it by email.", "Security", "/en/security/"},
    {"en", "/en/payments/send-money/", "Send money", "Recipient", "", "How to send",
     "Sending money takes a minute. <script>alert(1)</script>", "Payments", "/en/payments/"},
};

static void S_write(size_t n)
{
	struct buf err = BUF_INIT;
	struct search_writer *w = search_writer_open(path, &err);
	cr_assert_not_null(w, "%s", err.ptr);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(search_writer_add(w, &docs[i], &err), 0, "%s", err.ptr);
	cr_assert_eq(search_writer_close(w, 1, &err), 0, "%s", err.ptr);
	buf_release(&err);
}

static struct search *S_open(void)
{
	struct buf err = BUF_INIT;
	struct search *s = search_open(path, &err);
	cr_assert_not_null(s, "%s", err.ptr);
	buf_release(&err);
	return s;
}

static int S_query(struct search *s, const char *locale, const char *q, struct search_hit **h,
                   long long *total)
{
	return search_query(s, locale, q, strlen(q), 0, 10, h, total);
}

TestSuite(search, .init = S_setup, .fini = S_teardown);

Test(search, a_two_character_word_finds_every_article_with_it)
{
	S_write(5);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "zh", "密码", &h, &total);
	cr_assert_eq(n, 2);
	cr_assert_eq(total, 2);
	cr_assert_str_eq(h[0].url, "/zh/security/forgot-password/", "the title match first");
	cr_assert(strstr(h[0].snippet, "<mark>"), "%s", h[0].snippet);
	cr_assert_str_eq(h[0].category, "账户安全");
	search_hits_release(h, n);
	search_close(s);
}

Test(search, a_colloquial_question_finds_its_article_first)
{
	S_write(5);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "zh", "钱转错人了怎么办", &h, &total);
	cr_assert_geq(n, 1);
	cr_assert_str_eq(h[0].url, "/zh/payments/wrong-recipient/");
	search_hits_release(h, n);
	search_close(s);
}

Test(search, locales_do_not_mix_and_english_is_stemmed)
{
	S_write(5);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "en", "sends", &h, &total);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(h[0].url, "/en/payments/send-money/");
	search_hits_release(h, n);
	n = S_query(s, "zh", "password", &h, &total);
	cr_assert_eq(n, 0, "English articles are not Chinese results");
	search_hits_release(h, n);
	search_close(s);
}

Test(search, snippets_are_escaped_html)
{
	S_write(5);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "en", "minute", &h, &total);
	cr_assert_eq(n, 1);
	cr_assert_null(strstr(h[0].snippet, "<script>"), "%s", h[0].snippet);
	cr_assert(strstr(h[0].snippet, "&lt;script&gt;"), "%s", h[0].snippet);
	search_hits_release(h, n);
	search_close(s);
}

Test(search, fts5_syntax_typed_by_people_is_only_text)
{
	static const char *const hostile[] = {
	    "\"",        "\"\"\"",  "NEAR(a b)", "*",       "-password", "(((",
	    ")",         "a:b",     "^reset",    "AND",     "OR NOT",    "locale:en",
	    "title : x", "\"reset", "'; --",     "{title}",
	};
	S_write(5);
	struct search *s = S_open();
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct search_hit *h;
		long long total;
		int n = S_query(s, "en", hostile[i], &h, &total);
		cr_assert_geq(n, 0, "query %s failed", hostile[i]);
		search_hits_release(h, n);
	}
	struct buf expr = BUF_INIT;
	cr_assert_eq(search_match_expr(&expr, "NEAR(\"a\" b)", 11), 2);
	/* Each term as the text it came from, quoted; "a" is a stop word. */
	cr_assert_str_eq(expr.ptr, "(\"NEAR b\" OR \"NEAR\" OR \"b\")");
	buf_release(&expr);
	search_close(s);
}

Test(search, queries_without_terms_find_nothing_and_long_ones_are_cut)
{
	S_write(5);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	cr_assert_eq(S_query(s, "zh", "！？。", &h, &total), 0);
	char q[2000];
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 600; i++)
		memcpy(q + 3 * i, "密", 3);
	cr_assert_geq(search_query(s, "zh", q, strlen(q), 0, 10, &h, &total), 0);
	search_hits_release(h, 0);
	search_close(s);
}

Test(search, a_replaced_index_is_picked_up_by_refresh)
{
	S_write(1);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "zh", "转账", &h, &total);
	cr_assert_eq(n, 0);
	S_write(5); /* a new file renamed over the old one */
	cr_assert_eq(search_refresh(s), 0);
	n = S_query(s, "zh", "转账", &h, &total);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(h[0].url, "/zh/payments/send-money/");
	search_hits_release(h, n);
	search_close(s);
}

Test(search, a_file_that_is_not_an_index_is_refused)
{
	struct buf err = BUF_INIT;
	FILE *f = fopen(path, "w");
	fputs("not sqlite", f);
	fclose(f);
	cr_assert_null(search_open(path, &err));
	cr_assert(strstr(err.ptr, "not an index"), "%s", err.ptr);
	buf_reset(&err);
	cr_assert_null(search_open("/nonexistent/search.db", &err));
	buf_release(&err);
}

/*
 * Many matches: 60 English articles that mention sending or money in passing, and three about
 * sending money, one with the exact words in its title.
 */
static void S_write_many(void)
{
	struct buf err = BUF_INIT, url = BUF_INIT, body = BUF_INIT;
	struct search_writer *w = search_writer_open(path, &err);
	cr_assert_not_null(w, "%s", err.ptr);
	for (int i = 0; i < 63; i++) {
		buf_reset(&url);
		buf_reset(&body);
		buf_addf(&url, "/en/a/%d/", i);
		const char *title = "Account settings";
		if (i == 20)
			title = "Send money to a friend";
		else if (i == 40)
			title = "Money you send abroad";
		else if (i == 50)
			title = "Fees";
		for (int k = 0; k <= i % 7; k++)
			buf_adds(&body, "Your account page lists your settings. ");
		buf_adds(&body, i % 2 ? "You can send a note. " : "Money arrives in a day. ");
		if (i == 50)
			buf_adds(&body, "A fee applies when you send money abroad. ");
		struct search_doc d = {"en", url.ptr,  title,  "",      "",
		                       "",   body.ptr, "Help", "/en/a/"};
		cr_assert_eq(search_writer_add(w, &d, &err), 0, "%s", err.ptr);
	}
	cr_assert_eq(search_writer_close(w, 1, &err), 0, "%s", err.ptr);
	buf_release(&err);
	buf_release(&url);
	buf_release(&body);
}

/* The urls of hits from offset, one a line. */
static void S_urls(struct search *s, const char *q, int offset, int limit, struct buf *out,
                   long long *total)
{
	struct search_hit *h;
	int n = search_query(s, "en", q, strlen(q), offset, limit, &h, total);
	cr_assert_geq(n, 0);
	for (int i = 0; i < n; i++)
		buf_addf(out, "%s\n", h[i].url);
	search_hits_release(h, n);
}

Test(search, two_passes_give_the_first_results_of_the_full_ranking)
{
	S_write_many();
	struct search *s = S_open();
	struct buf two = BUF_INIT, full = BUF_INIT;
	long long total2, total;
	search_set_candidates(s, 5);
	S_urls(s, "send money", 0, 3, &two, &total2);
	search_set_candidates(s, -1);
	S_urls(s, "send money", 0, 3, &full, &total);
	cr_assert_str_eq(two.ptr, full.ptr);
	cr_assert(strncmp(two.ptr, "/en/a/20/\n", 10) == 0, "the exact title first: %s", two.ptr);
	cr_assert_eq(total, 63, "every article has send or money");
	cr_assert_eq(total2, total, "the first pass finds what the phrase query finds");
	buf_release(&two);
	buf_release(&full);
	search_close(s);
}

Test(search, pages_past_the_candidates_neither_repeat_nor_skip_a_match)
{
	S_write_many();
	struct search *s = S_open();
	search_set_candidates(s, 4);
	struct buf all = BUF_INIT;
	long long total;
	for (int offset = 0; offset < 63; offset += 10)
		S_urls(s, "send money", offset, 10, &all, &total);
	for (int i = 0; i < 63; i++) {
		char url[32];
		snprintf(url, sizeof(url), "/en/a/%d/\n", i);
		const char *at = strstr(all.ptr, url);
		cr_assert_not_null(at, "%s missing", url);
		cr_assert_null(strstr(at + 1, url), "%s twice", url);
	}
	buf_release(&all);
	search_close(s);
}

Test(search, a_snippet_marks_overlapping_bigrams_once_and_cuts_with_ellipses)
{
	struct buf err = BUF_INIT, body = BUF_INIT;
	for (int i = 0; i < 40; i++)
		buf_adds(&body, "账户设置。");
	buf_adds(&body, "如果你忘记密码，请重置。");
	for (int i = 0; i < 40; i++)
		buf_adds(&body, "账户设置。");
	struct search_writer *w = search_writer_open(path, &err);
	cr_assert_not_null(w, "%s", err.ptr);
	struct search_doc d = {"zh", "/zh/a/", "帮助", "", "", "", body.ptr, "帮助", "/zh/"};
	cr_assert_eq(search_writer_add(w, &d, &err), 0, "%s", err.ptr);
	cr_assert_eq(search_writer_close(w, 1, &err), 0, "%s", err.ptr);
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = S_query(s, "zh", "忘记密码", &h, &total);
	cr_assert_eq(n, 1);
	cr_assert(strstr(h[0].snippet, "<mark>忘记密码</mark>"), "%s", h[0].snippet);
	cr_assert(strncmp(h[0].snippet, "…", strlen("…")) == 0, "%s", h[0].snippet);
	cr_assert(strstr(h[0].snippet + strlen(h[0].snippet) - strlen("…"), "…"), "%s",
	          h[0].snippet);
	search_hits_release(h, n);
	search_close(s);
	buf_release(&err);
	buf_release(&body);
}

Test(search, a_page_far_past_the_end_finds_nothing_and_counts_every_match)
{
	S_write_many();
	struct search *s = S_open();
	struct search_hit *h;
	long long total;
	int n = search_query(s, "en", "money", 5, 2000000000, 10, &h, &total);
	cr_assert_eq(n, 0);
	cr_assert_gt(total, 0);
	search_hits_release(h, n);
	search_close(s);
}
