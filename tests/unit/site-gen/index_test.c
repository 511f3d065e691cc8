/* index_test.c - unit tests for site-gen/index.c: categories, URLs, translations, neighbours. */
#include "index.h"
#include "site_fixture.h"

TestSuite(index, .init = fx_setup, .fini = fx_teardown);

/*
 * The lines of site->err about the content directory: the theme's templates and assets are
 * not this module's business, and a theme file added later must not break these tests.
 */
static void S_content_errors(struct buf *b)
{
	size_t n = strlen(fx.content);
	for (const char *p = fx.site.err.ptr; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, fx.content, n) == 0 && p[n] == '/')
			buf_add(b, p, len);
		p += len;
	}
}

/* Every problem with the content: site->err's and the articles'. */
static void S_problems(struct buf *b)
{
	S_content_errors(b);
	for (size_t i = 0; i < fx.site.nall; i++)
		buf_add(b, fx.site.all[i]->err.ptr, fx.site.all[i]->err.len);
}

/* site->err about the content must be exactly expect. */
static void S_expect_site_errors(const char *expect)
{
	struct buf got = BUF_INIT;
	S_content_errors(&got);
	cr_assert_str_eq(got.ptr, expect);
	buf_release(&got);
}

Test(index, indexes_valid_tree_without_errors)
{
	struct buf problems = BUF_INIT;
	fx_load();
	S_problems(&problems);
	cr_assert_str_eq(problems.ptr, "");
	cr_assert_eq(fx.site.nall, 6);
	cr_assert_eq(fx.site.loc[LOCALE_ZH].na, 3);
	cr_assert_eq(fx.site.loc[LOCALE_EN].na, 2);
	buf_release(&problems);
}

Test(index, gives_articles_urls_from_category_and_slug)
{
	fx_article("zh/misc/moved.md", "payments", "", "x\n");
	fx_load();
	cr_assert_str_eq(fx_find("zh/login/faq.md")->url, "/zh/login/faq/");
	cr_assert_str_eq(fx_find("en/login/reset.md")->url, "/en/login/reset/");
	cr_assert_str_eq(fx_find("zh/misc/moved.md")->url, "/zh/payments/moved/");
}

Test(index, orders_categories_by_their_order)
{
	fx_write("zh/categories.conf", "[zeta]\ntitle: Z\ndescription: d\norder: 1\nicon: i\n\n"
	                               "[login]\ntitle: L\ndescription: d\norder: 2\nicon: i\n\n"
	                               "[payments]\ntitle: P\ndescription: d\norder: 3\nicon: i\n");
	fx_load();
	const struct locale_site *ls = &fx.site.loc[LOCALE_ZH];
	cr_assert_eq(ls->ncats, 3);
	cr_assert_str_eq(ls->cats[0].slug, "zeta");
	cr_assert_str_eq(ls->cats[1].slug, "login");
	cr_assert_str_eq(ls->cats[1].url, "/zh/login/");
	cr_assert_eq(ls->cats[1].line, 7);
	cr_assert_str_eq(ls->cats[2].slug, "payments");
}

Test(index, lists_published_articles_of_a_category_with_neighbours)
{
	fx_load();
	struct category *c = index_category(&fx.site, LOCALE_ZH, "login");
	struct article *faq = fx_find("zh/login/faq.md"), *reset = fx_find("zh/login/reset.md");
	cr_assert_not_null(c);
	cr_assert_eq(c->na, 2);
	cr_assert_eq(c->a[0], faq);
	cr_assert_eq(c->a[1], reset);
	cr_assert_null(faq->prev);
	cr_assert_eq(faq->next, reset);
	cr_assert_eq(reset->prev, faq);
	cr_assert_null(reset->next);
}

Test(index, keeps_drafts_out_of_categories)
{
	fx_load();
	struct article *old = fx_find("zh/login/old.md");
	cr_assert_not(index_published(old));
	cr_assert_null(index_by_url(&fx.site, "/zh/login/old/"));
	struct category *c = index_category(&fx.site, LOCALE_ZH, "login");
	for (size_t i = 0; i < c->na; i++)
		cr_assert_neq(c->a[i], old);
}

Test(index, finds_articles_by_url)
{
	fx_load();
	cr_assert_eq(index_by_url(&fx.site, "/zh/login/faq/"), fx_find("zh/login/faq.md"));
	cr_assert_eq(index_by_url(&fx.site, "/en/login/faq/"), fx_find("en/login/faq.md"));
	cr_assert_null(index_by_url(&fx.site, "/zh/login/faq"));
	cr_assert_null(index_by_url(&fx.site, "/zh/login/faq/x"));
	cr_assert_null(index_by_url(&fx.site, "/zh/payments/faq/"));
	cr_assert_null(index_by_url(&fx.site, "/en/payments/fees/"));
}

Test(index, knows_the_pages_it_writes)
{
	fx_load();
	cr_assert(index_is_page(&fx.site, "/zh/", 4));
	cr_assert(index_is_page(&fx.site, "/en/contact/", 12));
	cr_assert(index_is_page(&fx.site, "/en/payments/", 13));
	cr_assert(index_is_page(&fx.site, "/zh/login/reset/#x", 16));
	cr_assert_not(index_is_page(&fx.site, "/zh/nope/", 9));
	cr_assert_not(index_is_page(&fx.site, "/fr/", 4));
	cr_assert_not(index_is_page(&fx.site, "/zh", 3));
}

/* --- problems ----------------------------------------------------------------------------- */

Test(index, reports_duplicate_url_in_one_locale)
{
	fx_article("zh/other/faq.md", "login", "", "x\n");
	fx_load();
	struct article *a = fx_find("zh/login/faq.md"), *b = fx_find("zh/other/faq.md");
	struct article *dup = a->err.len ? a : b, *kept = a->err.len ? b : a;
	struct buf expect = BUF_INIT;
	buf_addf(&expect, "%s:1: /zh/login/faq/ is already the address of %s\n", dup->path,
	         kept->path);
	cr_assert_str_eq(dup->err.ptr, expect.ptr);
	cr_assert_str_eq(kept->err.ptr, "");
	cr_assert_not(index_published(dup));
	cr_assert_eq(index_by_url(&fx.site, "/zh/login/faq/"), kept);
	cr_assert_eq(index_category(&fx.site, LOCALE_ZH, "login")->na, 2);
	buf_release(&expect);
}

Test(index, allows_same_slug_in_other_category)
{
	fx_article("zh/payments/faq.md", "payments", "", "x\n");
	fx_load();
	cr_assert_str_eq(fx_find("zh/payments/faq.md")->err.ptr, "");
	cr_assert_str_eq(fx_find("zh/login/faq.md")->err.ptr, "");
	cr_assert(index_published(fx_find("zh/payments/faq.md")));
}

Test(index, reports_unknown_category_on_its_line)
{
	struct buf expect = BUF_INIT;
	fx_article("zh/login/bad.md", "nope", "", "x\n");
	fx_load();
	struct article *a = fx_find("zh/login/bad.md");
	buf_addf(&expect,
	         "%s/zh/login/bad.md:4: unknown category 'nope' (see %s/zh/categories.conf)\n",
	         fx.content, fx.content);
	cr_assert_str_eq(a->err.ptr, expect.ptr);
	cr_assert_not(index_published(a));
	cr_assert_null(a->url);
	buf_release(&expect);
}

Test(index, reports_category_missing_from_one_locale)
{
	struct buf expect = BUF_INIT;
	fx_article("en/payments/fees.md", "payments", "", "x\n");
	fx_write("en/categories.conf", "[login]\ntitle: L\ndescription: d\norder: 1\nicon: i\n");
	fx_load();
	buf_addf(
	    &expect,
	    "%s/en/payments/fees.md:4: unknown category 'payments' (see %s/en/categories.conf)\n",
	    fx.content, fx.content);
	cr_assert_str_eq(fx_find("en/payments/fees.md")->err.ptr, expect.ptr);
	buf_release(&expect);
}

Test(index, reports_reserved_category)
{
	struct buf expect = BUF_INIT;
	fx_write("zh/categories.conf", "[login]\ntitle: L\ndescription: d\norder: 1\nicon: i\n\n"
	                               "[account]\ntitle: A\ndescription: d\norder: 2\nicon: i\n");
	fx_load();
	buf_addf(&expect,
	         "%s/zh/categories.conf:7: [account] is reserved for the portal or the site\n",
	         fx.content);
	S_expect_site_errors(expect.ptr);
	cr_assert_null(index_category(&fx.site, LOCALE_ZH, "account"));
	buf_release(&expect);
}

Test(index, reports_category_without_required_key)
{
	struct buf expect = BUF_INIT;
	fx_write("en/categories.conf", "[login]\ntitle: L\ndescription: d\norder: 1\nicon: i\n\n"
	                               "[payments]\ntitle: P\norder: x\nicon: i\ncolour: red\n");
	fx_load();
	buf_addf(&expect,
	         "%s/en/categories.conf:7: [payments] needs 'description'\n"
	         "%s/en/categories.conf:11: unknown key 'colour' (known: title, description, "
	         "order, icon)\n"
	         "%s/en/categories.conf:9: order must be a whole number\n",
	         fx.content, fx.content, fx.content);
	S_expect_site_errors(expect.ptr);
	cr_assert_null(index_category(&fx.site, LOCALE_EN, "payments"));
	buf_release(&expect);
}

/* --- translations ------------------------------------------------------------------------- */

Test(index, pairs_translations_by_category_and_slug)
{
	fx_load();
	struct article *zh = fx_find("zh/login/reset.md"), *en = fx_find("en/login/reset.md");
	cr_assert_eq(zh->translation, en);
	cr_assert_eq(en->translation, zh);
	cr_assert_eq(fx_find("zh/login/faq.md")->translation, fx_find("en/login/faq.md"));
}

Test(index, pairs_translations_in_different_directories)
{
	fx_article("en/elsewhere/fees.md", "payments", "", "x\n");
	fx_load();
	cr_assert_eq(fx_find("zh/payments/fees.md")->translation, fx_find("en/elsewhere/fees.md"));
	cr_assert_str_eq(fx.site.warn.ptr, "");
}

Test(index, does_not_pair_same_slug_in_other_category)
{
	fx_article("en/login/fees.md", "login", "", "x\n");
	fx_load();
	cr_assert_null(fx_find("zh/payments/fees.md")->translation);
	cr_assert_null(fx_find("en/login/fees.md")->translation);
}

Test(index, does_not_pair_with_draft)
{
	fx_article("en/login/old.md", "login", "", "x\n");
	fx_load();
	cr_assert_null(fx_find("en/login/old.md")->translation);
	cr_assert_null(fx_find("zh/login/old.md")->translation);
}

Test(index, warns_about_missing_translation)
{
	struct buf expect = BUF_INIT;
	fx_load();
	buf_addf(&expect,
	         "%s/zh/payments/fees.md: warning: no en translation yet (its language switch "
	         "leads to the en category page)\n",
	         fx.content);
	cr_assert_str_eq(fx.site.warn.ptr, expect.ptr);
	buf_release(&expect);
}

Test(index, warns_about_missing_chinese_translation)
{
	struct buf expect = BUF_INIT;
	fx_article("en/payments/fees.md", "payments", "", "x\n");
	fx_article("en/payments/limits.md", "payments", "", "x\n");
	fx_load();
	buf_addf(&expect,
	         "%s/en/payments/limits.md: warning: no zh translation yet (its language switch "
	         "leads to the zh category page)\n",
	         fx.content);
	cr_assert_str_eq(fx.site.warn.ptr, expect.ptr);
	buf_release(&expect);
}

Test(index, indexing_again_gives_the_same_result)
{
	fx_load();
	struct article *zh = fx_find("zh/login/reset.md");
	buf_reset(&fx.site.warn);
	cr_assert_eq(index_site(&fx.site), 0);
	cr_assert_str_eq(zh->url, "/zh/login/reset/");
	cr_assert_eq(zh->translation, fx_find("en/login/reset.md"));
	cr_assert_eq(index_category(&fx.site, LOCALE_ZH, "login")->na, 2);
	cr_assert_eq(fx.site.loc[LOCALE_ZH].na, 3);
}
