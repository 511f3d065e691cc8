/* search_fuzz.c - libFuzzer driver for lib/search.c: queries as people type them, on an index. */
#include "fuzz.h"
#include "buf.h"
#include "search.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct search_doc docs[] = {
    {"zh", "/zh/payments/send-money/", "如何转账", "第一步：打开转账页面\n第二步：确认",
     "转账 付款", "给朋友转账的步骤。",
     "打开“转账”页面，输入收款人的邮箱或账号、金额，确认后即可转账。", "付款", "/zh/payments/"},
    {"zh", "/zh/login/forgot-password/", "忘记密码怎么办", "重置密码", "密码 验证码", "找回密码。",
     "在登录页点击“忘记密码”，我们会发送验证码和链接到你的邮箱。", "登录", "/zh/login/"},
    {"en", "/en/payments/send-money/", "How to send money", "Step one\nStep two",
     "transfer payment", "Send money to a friend.",
     "Open Send money, type the recipient's email or account number and the amount, then "
     "confirm. OKpay \"quotes\" NEAR(a b) -x *y (z",
     "Payments", "/en/payments/"},
};

static struct search *S_index(void)
{
	char path[64];
	struct buf err = BUF_INIT;
	snprintf(path, sizeof(path), "/tmp/okpay-search-fuzz-%d.db", (int)getpid());
	struct search_writer *w = search_writer_open(path, &err);
	CHECK(w);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		CHECK(search_writer_add(w, &docs[i], &err) == 0);
	CHECK(search_writer_close(w, 1, &err) == 0);
	struct search *s = search_open(path, &err);
	CHECK(s);
	unlink(path); /* the open handle keeps it */
	buf_release(&err);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct search *s;
	if (!s)
		s = S_index();
	const char *q = (const char *)data;
	struct buf expr = BUF_INIT;
	int terms = search_match_expr(&expr, q, size);
	CHECK(terms >= 0);
	CHECK((terms == 0) == (expr.len == 0));
	/* Whatever was typed, the index answers: FTS5 syntax in a query is only text. */
	for (int lang = 0; lang < 2; lang++) {
		struct search_hit *hits = NULL;
		long long total = -1;
		int n = search_query(s, lang ? "en" : "zh", q, size, 0, 10, &hits, &total);
		CHECK(n >= 0);
		CHECK(n <= 10 && total >= n);
		CHECK(terms > 0 || n == 0);
		for (int i = 0; i < n; i++) {
			CHECK(hits[i].url && hits[i].title && hits[i].snippet);
			CHECK(utf8_valid(hits[i].snippet, strlen(hits[i].snippet)));
			CHECK(!strstr(hits[i].snippet, "<script"));
		}
		search_hits_release(hits, n);
	}
	buf_release(&expr);
	return 0;
}
