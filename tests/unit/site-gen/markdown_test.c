/* markdown_test.c - unit tests for site-gen/markdown.c: rendering, heading ids, writers' rules. */
#include "markdown.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <string.h>

static void S_init(void)
{
	md_init();
}

TestSuite(markdown, .init = S_init);

/*
 * A resolver that records every call as "url image line\n" and can rewrite or reject:
 * a URL equal to from becomes to, a URL starting with reject is refused.
 */
struct recorder {
	struct buf calls;
	const char *from, *to;
	const char *reject;
};

static int S_record(void *ctx, const char *url, int image, int line, struct buf *out,
                    struct buf *err)
{
	struct recorder *r = ctx;
	buf_addf(&r->calls, "%s %d %d\n", url, image, line);
	if (r->reject && strncmp(url, r->reject, strlen(r->reject)) == 0) {
		buf_addf(err, "t.md:%d: refused %s\n", line, url);
		return -1;
	}
	if (r->from && strcmp(url, r->from) == 0)
		buf_adds(out, r->to);
	return 0;
}

/* Render src (body starting on line first_line) with a recorder; returns md_render's result. */
static int S_render(struct md_doc *doc, const char *src, int first_line, enum locale l,
                    struct recorder *r, struct buf *err)
{
	memset(doc, 0, sizeof(*doc));
	return md_render(doc, "t.md", first_line, src, strlen(src), l, S_record, r, err);
}

/* Render src in English, expect no error, and return the HTML in html (caller releases). */
static void S_html(struct buf *html, const char *src, enum locale l)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, src, 1, l, &r, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(err.ptr, "");
	buf_add(html, doc.html.ptr, doc.html.len);
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

/* Render src (body starting on line first_line) and expect exactly the errors expect. */
static void S_expect_error(const char *src, int first_line, const char *expect)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, src, first_line, LOCALE_EN, &r, &err), -1, "accepted: %s", src);
	cr_assert_str_eq(err.ptr, expect);
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

#define cr_assert_contains(hay, needle)                                                            \
	cr_assert_not_null(strstr((hay), (needle)), "no '%s' in:\n%s", (needle), (hay))
#define cr_assert_lacks(hay, needle)                                                               \
	cr_assert_null(strstr((hay), (needle)), "unexpected '%s' in:\n%s", (needle), (hay))

/* --- md_heading_id ------------------------------------------------------------------------ */

static void S_expect_id(const char *text, const char *expect)
{
	struct buf id = BUF_INIT;
	md_heading_id(&id, text, strlen(text));
	cr_assert_str_eq(id.ptr, expect, "id of '%s'", text);
	buf_release(&id);
}

Test(markdown, heading_id_lowercases_english_and_joins_words_with_hyphens)
{
	S_expect_id("Step 1: Open the form", "step-1-open-the-form");
}

Test(markdown, heading_id_keeps_chinese_and_drops_chinese_punctuation)
{
	S_expect_id("第一步：打开表单", "第一步打开表单");
	S_expect_id("《用户协议》、隐私政策。", "用户协议隐私政策");
}

Test(markdown, heading_id_of_mixed_chinese_and_english)
{
	S_expect_id("使用 OKpay App 转账", "使用-okpay-app-转账");
}

Test(markdown, heading_id_turns_ideographic_space_into_hyphen)
{
	S_expect_id("第一步\xe3\x80\x80登录", "第一步-登录");
}

Test(markdown, heading_id_drops_full_width_punctuation_and_keeps_full_width_digits)
{
	S_expect_id("（第１步）！", "第１步");
	S_expect_id("费用＝１０％", "费用１０");
}

Test(markdown, heading_id_drops_general_punctuation)
{
	S_expect_id("\xe2\x80\x9cQuoted\xe2\x80\x9d \xe2\x80\x94 text\xe2\x80\xa6", "quoted--text");
}

Test(markdown, heading_id_drops_emoji)
{
	S_expect_id("Done🎉", "done");
	S_expect_id("✅完成", "完成");
}

Test(markdown, heading_id_keeps_hyphen_underscore_and_digits)
{
	S_expect_id("two_factor-auth 2", "two_factor-auth-2");
}

Test(markdown, heading_id_of_only_punctuation_is_section)
{
	S_expect_id("？！……", "section");
	S_expect_id("?!", "section");
}

Test(markdown, heading_id_of_empty_text_is_section)
{
	S_expect_id("", "section");
}

Test(markdown, heading_id_skips_invalid_utf8)
{
	S_expect_id("a\xff"
	            "b",
	            "ab");
}

Test(markdown, heading_id_appends_to_buffer)
{
	struct buf id = BUF_INIT;
	buf_adds(&id, "x:");
	md_heading_id(&id, "!!", 2);
	cr_assert_str_eq(id.ptr, "x:section");
	buf_release(&id);
}

/* --- headings ----------------------------------------------------------------------------- */

Test(markdown, render_gives_headings_their_ids)
{
	struct buf html = BUF_INIT;
	S_html(&html, "## Step 1: Open the form\n\n### 第一步：打开表单\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<h2 id=\"step-1-open-the-form\">Step 1: Open the form</h2>");
	cr_assert_contains(html.ptr, "<h3 id=\"第一步打开表单\">第一步：打开表单</h3>");
	buf_release(&html);
}

Test(markdown, render_numbers_duplicate_headings)
{
	struct buf html = BUF_INIT;
	S_html(&html, "## FAQ\n\n## FAQ\n\n### faq\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<h2 id=\"faq\">FAQ</h2>");
	cr_assert_contains(html.ptr, "<h2 id=\"faq-1\">FAQ</h2>");
	cr_assert_contains(html.ptr, "<h3 id=\"faq-2\">faq</h3>");
	buf_release(&html);
}

Test(markdown, render_avoids_id_taken_by_an_earlier_numbered_heading)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "## A-1\n\n## A\n\n## A\n", 1, LOCALE_EN, &r, &err), 0);
	cr_assert_eq(doc.nh, 3);
	cr_assert_str_eq(doc.h[0].id, "a-1");
	cr_assert_str_eq(doc.h[1].id, "a");
	cr_assert_str_neq(doc.h[2].id, "a-1");
	cr_assert_str_neq(doc.h[2].id, "a");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_lists_headings_in_order_for_the_toc)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	const char *src = "Intro\n\n## Use `okpay` *now*\n\ntext\n\n### Steps\n\n## 常见问题\n";
	cr_assert_eq(S_render(&doc, src, 1, LOCALE_EN, &r, &err), 0, "%s", err.ptr);
	cr_assert_eq(doc.nh, 3);
	cr_assert_eq(doc.h[0].level, 2);
	cr_assert_str_eq(doc.h[0].id, "use-okpay-now");
	cr_assert_str_eq(doc.h[0].text, "Use okpay now");
	cr_assert_eq(doc.h[1].level, 3);
	cr_assert_str_eq(doc.h[1].id, "steps");
	cr_assert_str_eq(doc.h[1].text, "Steps");
	cr_assert_eq(doc.h[2].level, 2);
	cr_assert_str_eq(doc.h[2].id, "常见问题");
	cr_assert_str_eq(doc.h[2].text, "常见问题");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_gives_setext_headings_ids)
{
	struct buf html = BUF_INIT;
	S_html(&html, "Good to know\n------------\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<h2 id=\"good-to-know\">Good to know</h2>");
	buf_release(&html);
}

Test(markdown, render_ignores_heading_syntax_inside_code)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "```\n# not a heading\n<h2>x</h2>\n```\n\n## Real\n", 1,
	                      LOCALE_EN, &r, &err),
	             0, "%s", err.ptr);
	cr_assert_eq(doc.nh, 1);
	cr_assert_contains(doc.html.ptr, "&lt;h2&gt;x&lt;/h2&gt;");
	cr_assert_contains(doc.html.ptr, "<h2 id=\"real\">Real</h2>");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_rejects_level_one_heading)
{
	S_expect_error(
	    "Intro\n\n# Title\n", 5,
	    "t.md:7: use '##' for sections: the page title comes from the front matter\n");
}

Test(markdown, render_rejects_setext_level_one_heading)
{
	S_expect_error(
	    "Title\n=====\n", 9,
	    "t.md:9: use '##' for sections: the page title comes from the front matter\n");
}

/* --- raw HTML ----------------------------------------------------------------------------- */

Test(markdown, render_rejects_html_block)
{
	S_expect_error("Text\n\n<div>x</div>\n", 10,
	               "t.md:12: raw HTML is not allowed (<div>x</div>); write Markdown instead "
	               "(see content/README.md)\n");
}

Test(markdown, render_rejects_inline_html)
{
	S_expect_error("Line one<br>next\n", 3,
	               "t.md:3: raw HTML is not allowed (<br>); write Markdown instead "
	               "(see content/README.md)\n");
}

Test(markdown, render_reports_inline_html_on_its_own_line)
{
	S_expect_error("First line\nsecond <span>x</span> line\n", 20,
	               "t.md:21: raw HTML is not allowed (<span>); write Markdown instead "
	               "(see content/README.md)\n"
	               "t.md:21: raw HTML is not allowed (</span>); write Markdown instead "
	               "(see content/README.md)\n");
}

Test(markdown, render_rejects_html_comment)
{
	S_expect_error("Text\n\n<!-- c -->\n", 1,
	               "t.md:3: raw HTML is not allowed (<!-- c -->); write Markdown instead "
	               "(see content/README.md)\n");
}

Test(markdown, render_rejects_script_and_leaves_it_out)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "<script>alert(1)</script>\n", 4, LOCALE_EN, &r, &err), -1);
	cr_assert_str_eq(err.ptr, "t.md:4: raw HTML is not allowed (<script>alert(1)</script>); "
	                          "write Markdown instead (see content/README.md)\n");
	cr_assert_lacks(doc.html.ptr, "<script");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_shortens_long_html_in_message)
{
	S_expect_error("<div class=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n", 1,
	               "t.md:1: raw HTML is not allowed (<div class=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	               "...); write Markdown instead (see content/README.md)\n");
}

Test(markdown, render_reports_every_problem)
{
	S_expect_error(
	    "# One\n\n<p>x</p>\n\n# Two\n", 2,
	    "t.md:2: use '##' for sections: the page title comes from the front matter\n"
	    "t.md:4: raw HTML is not allowed (<p>x</p>); write Markdown instead "
	    "(see content/README.md)\n"
	    "t.md:6: use '##' for sections: the page title comes from the front matter\n");
}

Test(markdown, render_accepts_html_inside_code)
{
	struct buf html = BUF_INIT;
	S_html(&html, "Use `<br>` or\n\n    <div>\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<code>&lt;br&gt;</code>");
	cr_assert_contains(html.ptr, "&lt;div&gt;");
	buf_release(&html);
}

/* --- callouts ----------------------------------------------------------------------------- */

Test(markdown, render_turns_note_into_callout)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> **Note:** x\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<blockquote class=\"callout callout-note\">\n<p><strong>Note:"
	                             "</strong> x</p>\n</blockquote>");
	buf_release(&html);
}

Test(markdown, render_turns_tip_and_warning_into_callouts)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> **Tip:** a\n\ntext\n\n> **Warning:** b\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<blockquote class=\"callout callout-tip\">");
	cr_assert_contains(html.ptr, "<blockquote class=\"callout callout-warning\">");
	buf_release(&html);
}

Test(markdown, render_turns_chinese_labels_into_callouts)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> **注意：** 甲\n\n段落\n\n> **提示：** 乙\n\n段落\n\n> **警告：** 丙\n",
	       LOCALE_ZH);
	const char *note = strstr(html.ptr, "<blockquote class=\"callout callout-note\">");
	const char *tip = strstr(html.ptr, "<blockquote class=\"callout callout-tip\">");
	const char *warn = strstr(html.ptr, "<blockquote class=\"callout callout-warning\">");
	cr_assert(note && tip && warn, "%s", html.ptr);
	cr_assert(note < tip && tip < warn);
	buf_release(&html);
}

Test(markdown, render_accepts_chinese_labels_with_ascii_colon)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> **注意:** 甲\n", LOCALE_ZH);
	cr_assert_contains(html.ptr, "<blockquote class=\"callout callout-note\">");
	buf_release(&html);
}

Test(markdown, render_keeps_normal_blockquote_plain)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> Just a quote with **Note:** inside\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<blockquote>\n<p>Just a quote");
	cr_assert_lacks(html.ptr, "callout");
	buf_release(&html);
}

Test(markdown, render_keeps_blockquote_with_other_bold_start_plain)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> **Notes** are here\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<blockquote>");
	cr_assert_lacks(html.ptr, "callout");
	buf_release(&html);
}

Test(markdown, render_gives_each_blockquote_its_own_kind)
{
	struct buf html = BUF_INIT;
	S_html(&html, "> plain\n\n> **Tip:** outer\n>\n> > inner plain\n\n> **Warning:** last\n",
	       LOCALE_EN);
	const char *plain = strstr(html.ptr, "<blockquote>\n<p>plain");
	const char *tip = strstr(html.ptr, "<blockquote class=\"callout callout-tip\">");
	const char *inner = strstr(html.ptr, "<blockquote>\n<p>inner plain");
	const char *warn = strstr(html.ptr, "<blockquote class=\"callout callout-warning\">");
	cr_assert(plain && tip && inner && warn, "%s", html.ptr);
	cr_assert(plain < tip && tip < inner && inner < warn, "%s", html.ptr);
	buf_release(&html);
}

/* --- GFM extensions ----------------------------------------------------------------------- */

Test(markdown, render_wraps_tables)
{
	struct buf html = BUF_INIT;
	S_html(&html, "| a | b |\n|---|---|\n| 1 | 2 |\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<div class=\"table-wrap\"><table>");
	cr_assert_contains(html.ptr, "<td>2</td>");
	cr_assert_contains(html.ptr, "</table></div>");
	cr_assert_lacks(html.ptr, "<p>|");
	buf_release(&html);
}

Test(markdown, render_wraps_every_table)
{
	struct buf html = BUF_INIT;
	S_html(&html, "| a |\n|---|\n| 1 |\n\ntext\n\n| b |\n|---|\n| 2 |\n", LOCALE_EN);
	const char *first = strstr(html.ptr, "<div class=\"table-wrap\"><table>");
	cr_assert_not_null(first, "%s", html.ptr);
	cr_assert_contains(first + 1, "<div class=\"table-wrap\"><table>");
	buf_release(&html);
}

Test(markdown, render_supports_strikethrough)
{
	struct buf html = BUF_INIT;
	S_html(&html, "~~old~~ and ~single~\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<del>old</del>");
	cr_assert_contains(html.ptr, "~single~");
	buf_release(&html);
}

Test(markdown, render_autolinks_bare_addresses)
{
	struct buf html = BUF_INIT;
	S_html(&html, "See www.example.com for more\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<a href=\"http://www.example.com\">www.example.com</a>");
	buf_release(&html);
}

Test(markdown, render_passes_autolinks_to_the_resolver)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "text\n\nSee www.example.com\n", 1, LOCALE_EN, &r, &err), 0);
	cr_assert_str_eq(r.calls.ptr, "http://www.example.com 0 3\n");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_supports_task_lists)
{
	struct buf html = BUF_INIT;
	S_html(&html, "- [x] done\n- [ ] todo\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done");
	cr_assert_contains(html.ptr, "<input type=\"checkbox\" disabled=\"\" /> todo");
	buf_release(&html);
}

/* --- smart punctuation -------------------------------------------------------------------- */

Test(markdown, render_uses_smart_punctuation_in_english)
{
	struct buf html = BUF_INIT;
	S_html(&html, "Say \"hi\" -- it's fine...\n", LOCALE_EN);
	cr_assert_contains(html.ptr, "Say \xe2\x80\x9chi\xe2\x80\x9d \xe2\x80\x93 it\xe2\x80\x99s "
	                             "fine\xe2\x80\xa6");
	buf_release(&html);
}

Test(markdown, render_keeps_straight_quotes_in_chinese)
{
	struct buf html = BUF_INIT;
	S_html(&html, "点击 \"确定\" -- it's\n", LOCALE_ZH);
	cr_assert_contains(html.ptr, "点击 &quot;确定&quot; -- it's");
	cr_assert_lacks(html.ptr, "\xe2\x80\x9c");
	buf_release(&html);
}

/* --- links -------------------------------------------------------------------------------- */

Test(markdown, render_calls_resolver_for_links_and_images)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	const char *src = "[a](x.md#top)\n\n![pic](img/p.png)\n\n[b](https://example.com/)\n";
	cr_assert_eq(S_render(&doc, src, 10, LOCALE_EN, &r, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(r.calls.ptr, "x.md#top 0 10\nimg/p.png 1 12\nhttps://example.com/ 0 14\n");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_uses_the_rewritten_url)
{
	struct recorder r = {BUF_INIT, "../login/reset.md", "/zh/login/reset/", NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "[reset](../login/reset.md) [kept](https://example.com/)\n", 1,
	                      LOCALE_ZH, &r, &err),
	             0, "%s", err.ptr);
	cr_assert_contains(doc.html.ptr, "<a href=\"/zh/login/reset/\">reset</a>");
	cr_assert_contains(doc.html.ptr, "<a href=\"https://example.com/\">kept</a>");
	cr_assert_lacks(doc.html.ptr, ".md");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_rewrites_image_sources)
{
	struct recorder r = {BUF_INIT, "p.png", "/zh/login/p.png", NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "![alt](p.png)\n", 1, LOCALE_ZH, &r, &err), 0, "%s", err.ptr);
	cr_assert_contains(doc.html.ptr, "<img src=\"/zh/login/p.png\" alt=\"alt\" />");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_reports_rejected_link)
{
	struct recorder r = {BUF_INIT, NULL, NULL, "nope"};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "ok\n\n[x](nope.md)\n", 7, LOCALE_EN, &r, &err), -1);
	cr_assert_str_eq(err.ptr, "t.md:9: refused nope.md\n");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_passes_javascript_links_to_the_resolver)
{
	struct recorder r = {BUF_INIT, NULL, NULL, "javascript:"};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "[x](javascript:alert(1))\n", 1, LOCALE_EN, &r, &err), -1);
	cr_assert_str_eq(r.calls.ptr, "javascript:alert(1) 0 1\n");
	cr_assert_str_eq(err.ptr, "t.md:1: refused javascript:alert(1)\n");
	cr_assert_lacks(doc.html.ptr, "javascript:");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_escapes_rewritten_url)
{
	struct recorder r = {BUF_INIT, "x.md", "/a\"b<c>/", NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "[x](x.md)\n", 1, LOCALE_EN, &r, &err), 0);
	cr_assert_lacks(doc.html.ptr, "a\"b");
	cr_assert_lacks(doc.html.ptr, "<c>");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

/* --- results ------------------------------------------------------------------------------ */

Test(markdown, render_leaves_err_alone_when_all_is_well)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	buf_adds(&err, "earlier\n");
	cr_assert_eq(S_render(&doc, "## Fine\n\nText.\n", 1, LOCALE_EN, &r, &err), 0);
	cr_assert_str_eq(err.ptr, "earlier\n");
	cr_assert_str_eq(doc.html.ptr, "<h2 id=\"fine\">Fine</h2>\n<p>Text.</p>\n");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, render_of_empty_body_is_empty)
{
	struct buf html = BUF_INIT;
	S_html(&html, "", LOCALE_EN);
	cr_assert_str_eq(html.ptr, "");
	buf_release(&html);
}

/* Regression: md_render grew the html buffer of a zeroed doc by copying from its NULL ptr. */
Test(markdown, render_into_zeroed_doc_with_empty_body)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc = {0};
	cr_assert_eq(md_render(&doc, "t.md", 1, "", 0, LOCALE_ZH, S_record, &r, &err), 0);
	cr_assert_not_null(doc.html.ptr);
	cr_assert_str_eq(doc.html.ptr, "");
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}

Test(markdown, doc_release_empties_the_doc)
{
	struct recorder r = {BUF_INIT, NULL, NULL, NULL};
	struct buf err = BUF_INIT;
	struct md_doc doc;
	cr_assert_eq(S_render(&doc, "## A\n", 1, LOCALE_EN, &r, &err), 0);
	md_doc_release(&doc);
	cr_assert_eq(doc.nh, 0);
	cr_assert_null(doc.h);
	cr_assert_eq(doc.html.len, 0);
	md_doc_release(&doc);
	buf_release(&r.calls);
	buf_release(&err);
}
