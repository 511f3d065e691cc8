/* links_test.c - unit tests for site-gen/links.c: link checking, rewriting and anchors. */
#include "links.h"
#include "markdown.h"
#include "pages.h"
#include "site_fixture.h"

static void S_setup(void)
{
	md_init();
	fx_setup();
}

TestSuite(links, .init = S_setup, .fini = fx_teardown);

#define FROM "zh/login/reset.md" /* the article whose links are resolved */
#define LINE 7                   /* the line the links are said to be on */

/* Resolve url as a link (or image) of FROM on line LINE. */
static int S_resolve(const char *url, int image, struct buf *out, struct buf *err)
{
	struct links_ctx ctx = {&fx.site, fx_find(FROM)};
	return links_resolve(&ctx, url, image, LINE, out, err);
}

/* url must be accepted and replaced by expect ("" to keep it as it is). */
static void S_expect_ok(const char *url, int image, const char *expect)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(S_resolve(url, image, &out, &err), 0, "rejected %s: %s", url, err.ptr);
	cr_assert_str_eq(err.ptr, "", "%s", url);
	cr_assert_str_eq(out.ptr, expect, "%s", url);
	buf_release(&out);
	buf_release(&err);
}

/* url must be refused with "content/FROM:LINE: " message. */
static void S_expect_error(const char *url, int image, const char *message)
{
	struct buf out = BUF_INIT, err = BUF_INIT, expect = BUF_INIT;
	buf_addf(&expect, "%s/%s:%d: %s\n", fx.content, FROM, LINE, message);
	cr_assert_eq(S_resolve(url, image, &out, &err), -1, "accepted %s", url);
	cr_assert_str_eq(err.ptr, expect.ptr);
	cr_assert_str_eq(out.ptr, "", "%s", url);
	buf_release(&out);
	buf_release(&err);
	buf_release(&expect);
}

/* --- relative links to articles ----------------------------------------------------------- */

Test(links, rewrites_relative_md_link_to_page_url)
{
	fx_load();
	S_expect_ok("../login/faq.md", 0, "/zh/login/faq/");
}

Test(links, rewrites_link_in_the_same_directory)
{
	fx_load();
	S_expect_ok("faq.md", 0, "/zh/login/faq/");
	S_expect_ok("./faq.md", 0, "/zh/login/faq/");
}

Test(links, rewrites_link_to_other_category)
{
	fx_load();
	S_expect_ok("../payments/fees.md", 0, "/zh/payments/fees/");
}

Test(links, rewrites_link_to_other_locale)
{
	fx_load();
	S_expect_ok("../../en/login/faq.md", 0, "/en/login/faq/");
}

Test(links, rewrites_link_by_category_not_directory)
{
	fx_article("zh/misc/moved.md", "payments", "", "x\n");
	fx_load();
	S_expect_ok("../misc/moved.md", 0, "/zh/payments/moved/");
}

Test(links, keeps_anchor_and_records_ref)
{
	fx_load();
	S_expect_ok("../login/faq.md#步骤", 0, "/zh/login/faq/#步骤");
	struct article *a = fx_find(FROM);
	cr_assert_eq(a->nrefs, 1);
	cr_assert_eq(a->refs[0].target, fx_find("zh/login/faq.md"));
	cr_assert_str_eq(a->refs[0].id, "步骤");
	cr_assert_eq(a->refs[0].line, LINE);
}

Test(links, records_percent_decoded_anchor)
{
	fx_load();
	S_expect_ok("faq.md#%E6%AD%A5%E9%AA%A4", 0, "/zh/login/faq/#%E6%AD%A5%E9%AA%A4");
	struct article *a = fx_find(FROM);
	cr_assert_eq(a->nrefs, 1);
	cr_assert_str_eq(a->refs[0].id, "步骤");
}

Test(links, records_same_page_anchor)
{
	fx_load();
	S_expect_ok("#步骤", 0, "");
	struct article *a = fx_find(FROM);
	cr_assert_eq(a->nrefs, 1);
	cr_assert_eq(a->refs[0].target, a);
	cr_assert_str_eq(a->refs[0].id, "步骤");
}

Test(links, records_no_ref_without_anchor)
{
	fx_load();
	S_expect_ok("faq.md", 0, "/zh/login/faq/");
	cr_assert_eq(fx_find(FROM)->nrefs, 0);
}

Test(links, rejects_link_to_missing_article)
{
	fx_load();
	S_expect_error("../login/nope.md", 0, "link target ../login/nope.md does not exist");
}

Test(links, rejects_link_to_draft)
{
	fx_load();
	S_expect_error("old.md", 0, "link target old.md is a draft or has errors");
}

Test(links, rejects_link_to_article_with_errors)
{
	fx_write("zh/login/broken.md", "---\ntitle: T\n---\n");
	fx_load();
	S_expect_error("broken.md", 0, "link target broken.md is a draft or has errors");
}

Test(links, rejects_link_leading_outside_content_dir)
{
	fx_load();
	S_expect_error("../../../x.md", 0,
	               "link ../../../x.md leads outside the content directory");
}

Test(links, rejects_link_climbing_out_and_back_in)
{
	fx_load();
	S_expect_error("../../../content/zh/login/faq.md", 0,
	               "link ../../../content/zh/login/faq.md leads outside the content "
	               "directory");
}

Test(links, rejects_relative_link_to_non_md_file)
{
	fx_load();
	S_expect_error("faq.html", 0, "link to faq.html: link to other articles by their .md file");
}

Test(links, rejects_relative_link_without_extension)
{
	fx_load();
	S_expect_error("../login/faq/", 0,
	               "link to ../login/faq/: link to other articles by their .md file");
}

Test(links, rejects_query_on_help_center_link)
{
	fx_load();
	S_expect_error("faq.md?x=1", 0, "links to help-center pages take no '?query'");
}

Test(links, rejects_empty_link)
{
	fx_load();
	S_expect_error("", 0, "empty link");
}

/* Found by tests/fuzz/links_fuzz.c: a decoded %0A started a line that read like another error. */
Test(links, error_message_keeps_decoded_control_bytes_encoded)
{
	fx_load();
	S_expect_error("nope%0Azh/x.md:1: fake.md", 0,
	               "link target nope%0Azh/x.md:1: fake.md does not exist");
	S_expect_error("a%1B[31m.txt", 0,
	               "link to a%1B[31m.txt: link to other articles by their .md file");
}

Test(links, error_message_encodes_control_bytes_of_scheme_and_path)
{
	fx_load();
	S_expect_error("java\nscript:x", 0,
	               "links may use http:, https: and mailto: only, not 'java%0Ascript:'");
	S_expect_error("/zh/\rnope/", 0,
	               "no page at /zh/%0Dnope/ (link to articles by their .md file)");
}

/* --- other schemes ------------------------------------------------------------------------ */

Test(links, keeps_http_link)
{
	fx_load();
	S_expect_ok("http://example.com/a?b=c#d", 0, "");
}

Test(links, keeps_https_link)
{
	fx_load();
	S_expect_ok("https://example.com/", 0, "");
	S_expect_ok("HTTPS://example.com/", 0, "");
}

Test(links, keeps_mailto_link)
{
	fx_load();
	S_expect_ok("mailto:help@okpay.example", 0, "");
}

Test(links, rejects_mailto_image)
{
	fx_load();
	S_expect_error("mailto:help@okpay.example", 1,
	               "links may use http:, https: and mailto: only, not 'mailto:'");
}

Test(links, rejects_javascript_link)
{
	fx_load();
	S_expect_error("javascript:alert(1)", 0,
	               "links may use http:, https: and mailto: only, not 'javascript:'");
}

Test(links, rejects_mixed_case_javascript_link)
{
	fx_load();
	S_expect_error("JavaScript:alert(1)", 0,
	               "links may use http:, https: and mailto: only, not 'JavaScript:'");
}

Test(links, rejects_data_link)
{
	fx_load();
	S_expect_error("data:text/html,x", 0,
	               "links may use http:, https: and mailto: only, not 'data:'");
}

Test(links, rejects_ftp_link)
{
	fx_load();
	S_expect_error("ftp://example.com/", 0,
	               "links may use http:, https: and mailto: only, not 'ftp:'");
}

Test(links, rejects_protocol_relative_link)
{
	fx_load();
	S_expect_error("//evil.example/x", 0,
	               "write the full address with https:// instead of '//'");
}

/* --- absolute paths ----------------------------------------------------------------------- */

Test(links, accepts_portal_paths_untouched)
{
	fx_load();
	S_expect_ok("/zh/account/login", 0, "");
	S_expect_ok("/en/support/contact", 0, "");
	S_expect_ok("/en/feedback", 0, "");
	S_expect_ok("/zh/search?q=密码", 0, "");
}

Test(links, rejects_path_that_only_looks_like_the_portal)
{
	fx_load();
	S_expect_error("/zh/accounts/", 0,
	               "no page at /zh/accounts/ (link to articles by their .md file)");
}

Test(links, accepts_absolute_paths_to_generated_pages)
{
	fx_load();
	S_expect_ok("/zh/login/", 0, "");
	S_expect_ok("/en/payments/", 0, "");
	S_expect_ok("/zh/login/faq/", 0, "");
	S_expect_ok("/zh/", 0, "");
	S_expect_ok("/en/contact/", 0, "");
}

Test(links, rejects_absolute_path_to_missing_page)
{
	fx_load();
	S_expect_error("/zh/nope/", 0, "no page at /zh/nope/ (link to articles by their .md file)");
}

Test(links, rejects_absolute_path_to_draft)
{
	fx_load();
	S_expect_error("/zh/login/old/", 0,
	               "no page at /zh/login/old/ (link to articles by their .md file)");
}

Test(links, rejects_absolute_path_without_trailing_slash)
{
	fx_load();
	S_expect_error("/zh/login/faq", 0,
	               "no page at /zh/login/faq (link to articles by their .md file)");
}

Test(links, rejects_query_on_absolute_page)
{
	fx_load();
	S_expect_error("/zh/login/?a=b", 0, "links to help-center pages take no '?query'");
}

Test(links, records_anchor_of_absolute_link)
{
	fx_load();
	S_expect_ok("/zh/login/faq/#步骤", 0, "");
	struct article *a = fx_find(FROM);
	cr_assert_eq(a->nrefs, 1);
	cr_assert_eq(a->refs[0].target, fx_find("zh/login/faq.md"));
	cr_assert_str_eq(a->refs[0].id, "步骤");
}

/* --- images ------------------------------------------------------------------------------- */

Test(links, rewrites_existing_image_to_its_path)
{
	fx_load();
	S_expect_ok("pic.png", 1, "/zh/login/pic.png");
	S_expect_ok("../login/pic.png", 1, "/zh/login/pic.png");
}

Test(links, rejects_missing_image)
{
	fx_load();
	S_expect_error("nope.png", 1, "image nope.png not found (png, jpg, gif, svg or webp)");
}

Test(links, rejects_image_of_other_type)
{
	fx_write("zh/login/doc.pdf", "%PDF");
	fx_load();
	S_expect_error("doc.pdf", 1, "image doc.pdf not found (png, jpg, gif, svg or webp)");
}

Test(links, rejects_image_outside_content_dir)
{
	fx_load();
	S_expect_error("../../../theme/assets/icons.svg", 1,
	               "link ../../../theme/assets/icons.svg leads outside the content directory");
}

/* --- links_is_portal and links_is_image --------------------------------------------------- */

Test(links, is_portal_matches_routes_of_both_locales)
{
	cr_assert(links_is_portal("/zh/account", 11));
	cr_assert(links_is_portal("/en/account/login", 17));
	cr_assert(links_is_portal("/zh/search.json", 15));
	cr_assert(links_is_portal("/en/support#form", 16));
}

Test(links, is_portal_rejects_other_paths)
{
	cr_assert_not(links_is_portal("/fr/account", 11));
	cr_assert_not(links_is_portal("/zh/accounting", 14));
	cr_assert_not(links_is_portal("zh/account", 10));
	cr_assert_not(links_is_portal("/zh/", 4));
	cr_assert_not(links_is_portal("/zh/login/", 10));
}

Test(links, is_image_knows_the_copied_extensions)
{
	cr_assert(links_is_image("a.png"));
	cr_assert(links_is_image("a.jpeg"));
	cr_assert(links_is_image("a.webp"));
	cr_assert(links_is_image("a.svg"));
	cr_assert_not(links_is_image("a.pdf"));
	cr_assert_not(links_is_image("a.PNG"));
	cr_assert_not(links_is_image("png"));
}

/* --- whole bodies and anchors ------------------------------------------------------------- */

#define LINKS "zh/login/links.md" /* an article written by a test; its body starts on line 9 */

/*
 * Write LINKS with body, load the site, render the body of every published article (so every
 * heading is known), then check LINKS's anchors. Returns LINKS.
 */
static struct article *S_render(const char *body)
{
	fx_article(LINKS, "login", "", body);
	fx_load();
	for (size_t i = 0; i < fx.site.nall; i++)
		if (index_published(fx.site.all[i]))
			pages_render_body(&fx.site, fx.site.all[i]);
	struct article *a = fx_find(LINKS);
	links_check_anchors(&fx.site, a);
	return a;
}

/* The errors expected of LINKS: "content/LINKS:line: message\n". */
static void S_expect_errors(const struct article *a, int line, const char *message)
{
	struct buf expect = BUF_INIT;
	if (message)
		buf_addf(&expect, "%s/%s:%d: %s\n", fx.content, LINKS, line, message);
	cr_assert_str_eq(a->err.ptr, expect.ptr);
	buf_release(&expect);
}

Test(links, render_body_rewrites_links_in_the_html)
{
	struct article *a =
	    S_render("See [the FAQ](faq.md) and [fees](../payments/fees.md#x-y).\n");
	cr_assert_not_null(strstr(a->doc.html.ptr, "<a href=\"/zh/login/faq/\">the FAQ</a>"), "%s",
	                   a->doc.html.ptr);
	cr_assert_not_null(strstr(a->doc.html.ptr, "<a href=\"/zh/payments/fees/#x-y\">fees</a>"),
	                   "%s", a->doc.html.ptr);
}

Test(links, render_body_reports_broken_link_with_its_line)
{
	struct article *a = S_render("Intro\n\n[x](nope.md)\n");
	S_expect_errors(a, 11, "link target nope.md does not exist");
}

Test(links, reports_link_to_missing_anchor)
{
	struct buf msg = BUF_INIT;
	struct article *a = S_render("Intro\n\n[x](faq.md#nope)\n");
	buf_addf(&msg, "no heading with id '#nope' in %s/zh/login/faq.md", fx.content);
	S_expect_errors(a, 11, msg.ptr);
	buf_release(&msg);
}

Test(links, accepts_link_to_existing_anchor)
{
	struct article *a = S_render("Intro\n\n[x](faq.md#other-topic)\n");
	S_expect_errors(a, 0, NULL);
}

Test(links, resolves_chinese_anchor)
{
	struct article *a = S_render("[x](faq.md#步骤)\n");
	S_expect_errors(a, 0, NULL);
}

Test(links, resolves_percent_encoded_chinese_anchor)
{
	struct article *a = S_render("[x](faq.md#%E6%AD%A5%E9%AA%A4)\n");
	S_expect_errors(a, 0, NULL);
}

Test(links, resolves_same_page_anchor)
{
	struct article *a = S_render("## 第二步：确认\n\n[上面](#第二步确认)\n");
	S_expect_errors(a, 0, NULL);
}

Test(links, reports_missing_same_page_anchor)
{
	struct buf msg = BUF_INIT;
	struct article *a = S_render("## Intro\n\n[x](#nowhere)\n");
	buf_addf(&msg, "no heading with id '#nowhere' in %s/%s", fx.content, LINKS);
	S_expect_errors(a, 11, msg.ptr);
	buf_release(&msg);
}

Test(links, reports_missing_anchor_of_absolute_link)
{
	struct buf msg = BUF_INIT;
	struct article *a = S_render("[x](/zh/login/faq/#nope)\n");
	buf_addf(&msg, "no heading with id '#nope' in %s/zh/login/faq.md", fx.content);
	S_expect_errors(a, 9, msg.ptr);
	buf_release(&msg);
}

/* Found by tests/fuzz/links_fuzz.c, as for links above: &#10; in a fragment is a line break. */
Test(links, missing_anchor_message_keeps_control_bytes_encoded)
{
	struct buf msg = BUF_INIT;
	struct article *a = S_render("## Intro\n\n[x](#a&#10;b)\n");
	buf_addf(&msg, "no heading with id '#a%%0Ab' in %s/%s", fx.content, LINKS);
	S_expect_errors(a, 11, msg.ptr);
	buf_release(&msg);
}

Test(links, render_body_again_forgets_old_refs)
{
	struct article *a = S_render("[x](faq.md#nope)\n");
	cr_assert_eq(a->nrefs, 1);
	buf_truncate(&a->err, a->err_load);
	pages_render_body(&fx.site, a);
	cr_assert_eq(a->nrefs, 1);
}
