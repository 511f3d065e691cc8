/* corpus.c - write a synthetic help-center corpus for benchmarks: corpus DIR [ARTICLES]. */
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CATS     20
#define SECTIONS 6

static unsigned long long seed = 0x9e3779b97f4a7c15ULL;

static unsigned S_rand(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static const char *en_words[] = {
    "account",   "transfer", "money",  "password", "email",  "verify",  "card",      "bank",
    "balance",   "security", "login",  "support",  "ticket", "fee",     "limit",     "receipt",
    "statement", "device",   "the",    "your",     "you",    "can",     "when",      "with",
    "after",     "before",   "page",   "button",   "send",   "receive", "recipient", "amount",
    "history",   "code",     "phone",  "check",    "number", "wallet",  "review",    "confirm",
    "instantly", "usually",  "within", "business", "day",    "minutes", "open",      "choose",
    "enter",     "select",   "a",      "an",       "to",     "of",      "and",       "in",
    "is",        "it",       "for",    "on"};
static const char *zh_words[] = {
    "账户",   "转账", "余额",   "密码", "邮箱", "验证", "银行卡", "手续费", "限额", "回单",
    "对账单", "设备", "安全",   "登录", "客服", "工单", "收款人", "金额",   "记录", "验证码",
    "手机",   "确认", "页面",   "按钮", "你",   "可以", "如果",   "之后",   "之前", "通常",
    "立即",   "到账", "工作日", "分钟", "选择", "输入", "点击",   "打开",   "查看", "我们",
    "会",     "的",   "了",     "在",   "和",   "是",   "就",     "请"};

static void S_sentence(struct buf *b, int zh)
{
	int n = 8 + (int)S_rand(14);
	for (int i = 0; i < n; i++) {
		if (zh) {
			buf_adds(b, zh_words[S_rand(ARRAY_LEN(zh_words))]);
		} else {
			if (i)
				buf_addc(b, ' ');
			buf_adds(b, en_words[S_rand(ARRAY_LEN(en_words))]);
		}
	}
	buf_adds(b, zh ? "。" : ". ");
}

static void S_paragraph(struct buf *b, int zh, int sentences)
{
	for (int i = 0; i < sentences; i++)
		S_sentence(b, zh);
	buf_adds(b, "\n\n");
}

static void S_article(struct buf *b, int zh, unsigned id, unsigned n)
{
	unsigned cat = id % CATS;
	buf_addf(b,
	         "---\ntitle: %s %u\nsummary: %s\ncategory: cat%u\norder: %u\n"
	         "tags: [tag%u, tag%u, tag%u]\nupdated: 2026-%02u-%02u\n---\n\n",
	         zh ? "帮助文章" : "Help article", id,
	         zh ? "这是一篇用于性能测试的示例文章。" : "A sample article for the benchmark.",
	         cat, id / CATS, S_rand(60), S_rand(60), S_rand(60), 1 + S_rand(11),
	         1 + S_rand(28));
	S_paragraph(b, zh, 4);
	for (int s = 1; s <= SECTIONS; s++) {
		buf_addf(b, zh ? "## 第 %d 节\n\n" : "## Section %d\n\n", s);
		S_paragraph(b, zh, 7 + (int)S_rand(6));
		if (s == 2) {
			buf_adds(b, zh ? "| 方式 | 手续费 | 到账时间 |\n| --- | --- | --- |\n"
			               : "| Method | Fee | Arrives |\n| --- | --- | --- |\n");
			for (int r = 0; r < 4; r++)
				buf_addf(b, "| %s %d | ¥%u.%02u | %u %s |\n",
				         zh ? "方式" : "Method", r, S_rand(10), S_rand(100),
				         1 + S_rand(3), zh ? "天" : "days");
			buf_adds(b, "\n");
		}
		if (s == 3) {
			for (int r = 1; r <= 5; r++) {
				buf_addf(b, "%d. ", r);
				S_sentence(b, zh);
				buf_adds(b, "\n");
			}
			buf_adds(b, "\n");
		}
		if (s == 4) {
			for (int r = 0; r < 3; r++) {
				unsigned t = S_rand(n);
				buf_addf(b, "- [%s %u](../cat%u/article-%05u.md#%s)\n",
				         zh ? "相关" : "Related", t, t % CATS, t,
				         zh ? "第-1-节" : "section-1");
			}
			buf_adds(b, "\n> **");
			buf_adds(b, zh ? "提示：" : "Tip:");
			buf_adds(b, "** ");
			S_sentence(b, zh);
			buf_adds(b, "\n\n");
		}
	}
}

static void S_mkdir(const char *p)
{
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("%s: %s", p, strerror(errno));
}

int main(int argc, char **argv)
{
	util_set_progname(argv[0]);
	if (argc < 2)
		die("usage: corpus DIR [ARTICLES]");
	unsigned total = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
	unsigned per = total / 2;
	const char *locs[] = {"zh", "en"};
	struct buf path = BUF_INIT, b = BUF_INIT;
	size_t bytes = 0;

	S_mkdir(argv[1]);
	for (int l = 0; l < 2; l++) {
		int zh = l == 0;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", argv[1], locs[l]);
		S_mkdir(path.ptr);
		buf_reset(&b);
		for (unsigned c = 0; c < CATS; c++)
			buf_addf(
			    &b,
			    "[cat%u]\ntitle: %s %u\ndescription: %s\norder: %u\nicon: document\n\n",
			    c, zh ? "分类" : "Category", c,
			    zh ? "示例分类。" : "A sample category.", c);
		buf_addf(&path, "/categories.conf");
		if (buf_write_file(path.ptr, b.ptr, b.len) < 0)
			die("%s: %s", path.ptr, strerror(errno));
		for (unsigned c = 0; c < CATS; c++) {
			buf_reset(&path);
			buf_addf(&path, "%s/%s/cat%u", argv[1], locs[l], c);
			S_mkdir(path.ptr);
		}
		for (unsigned i = 0; i < per; i++) {
			buf_reset(&b);
			S_article(&b, zh, i, per);
			buf_reset(&path);
			buf_addf(&path, "%s/%s/cat%u/article-%05u.md", argv[1], locs[l], i % CATS,
			         i);
			if (buf_write_file(path.ptr, b.ptr, b.len) < 0)
				die("%s: %s", path.ptr, strerror(errno));
			bytes += b.len;
		}
	}
	printf("corpus: %u articles, %.1f MB of Markdown in %s\n", per * 2, bytes / 1e6, argv[1]);
	buf_release(&path);
	buf_release(&b);
	return 0;
}
