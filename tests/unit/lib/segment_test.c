/* segment_test.c - the search tokenizer: Chinese bigrams, English words, and what separates. */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "segment.h"

static int S_collect(void *ctx, const char *term, size_t n, size_t start, size_t end)
{
	struct buf *b = ctx;
	buf_addf(b, "%s%.*s@%zu-%zu", b->len ? " " : "", (int)n, term, start, end);
	return 0;
}

/* The terms of s as "term@start-end ..." */
static void S_terms(const char *s, const char *want)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(segment(s, strlen(s), S_collect, &b), 0);
	cr_assert_str_eq(b.len ? b.ptr : "", want, "segment(\"%s\")", s);
	buf_release(&b);
}

/* Only the terms, without offsets. */
static void S_words(const char *s, const char *want)
{
	struct buf b = BUF_INIT, w = BUF_INIT;
	segment(s, strlen(s), S_collect, &b);
	for (char *p = b.ptr; p && *p;) {
		char *at = strchr(p, '@');
		buf_add(&w, p, (size_t)(at - p));
		p = strchr(at, ' ');
		if (p) {
			buf_addc(&w, ' ');
			p++;
		}
	}
	cr_assert_str_eq(w.len ? w.ptr : "", want, "segment(\"%s\")", s);
	buf_release(&b);
	buf_release(&w);
}

Test(segment, chinese_runs_become_overlapping_bigrams)
{
	S_terms("忘记密码", "忘记@0-6 记密@3-9 密码@6-12");
	S_words("钱转错人了怎么办", "钱转 转错 错人 人了 了怎 怎么 么办");
}

Test(segment, a_lone_cjk_character_is_a_term)
{
	S_words("钱", "钱");
	S_words("钱，到了", "钱 到了");
}

Test(segment, punctuation_separates_chinese_runs)
{
	S_words("密码。验证码！", "密码 验证 证码");
	S_words("「转账」", "转账");
}

Test(segment, english_is_folded_stemmed_and_loses_stop_words)
{
	S_words("How do I reset my Password?", "reset password");
	S_words("Sending transfers", "send transfer");
	S_words("replies verified added", "reply verify add");
	S_words("classes status", "class status");
	S_words("refused refuse arrived cancelled cancel", "refus refus arriv cancel cancel");
	S_words("fees free", "fee free");
}

Test(segment, diacritics_are_removed)
{
	S_words("Café RÉSUMÉ naïve", "caf resum naiv"); /* and stemmed */
}

Test(segment, full_width_ascii_is_folded)
{
	S_words("ＯＫｐａｙ １２３", "okpay 123");
}

Test(segment, mixed_queries_give_both_kinds_of_term)
{
	S_terms("OKpay 密码", "okpay@0-5 密码@6-12");
	S_words("OKpay密码", "okpay 密码");
	S_words("2步验证", "2 步验 验证");
}

Test(segment, emoji_and_symbols_separate_and_vanish)
{
	S_words("转账😀成功", "转账 成功");
	S_words("💸💸💸", "");
	S_words("¥50,000", "50 000");
}

Test(segment, invalid_utf8_separates_and_never_crashes)
{
	S_words("ab\xff"
	        "cd",
	        "ab cd");
	S_words("\xe5\xaf", "");
	S_words("", "");
}

Test(segment, hangul_and_kana_are_cjk)
{
	S_words("비밀번호", "비밀 밀번 번호");
	S_words("パスワード", "パス スワ ワー ード");
}

Test(segment, overlong_words_are_cut)
{
	char s[200];
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	struct buf b = BUF_INIT;
	segment(s, strlen(s), S_collect, &b);
	cr_assert(strncmp(b.ptr, "xxxx", 4) == 0);
	cr_assert_eq(strchr(b.ptr, '@') - b.ptr, SEGMENT_WORD_MAX);
	buf_release(&b);
}
