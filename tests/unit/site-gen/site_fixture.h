/* site_fixture.h - a tiny content tree on disk, loaded and indexed, for links and index tests. */
#ifndef TESTS_SITE_FIXTURE_H
#define TESTS_SITE_FIXTURE_H

#include "buf.h"
#include "index.h"
#include "load.h"
#include "site.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The tree every test starts from (before fx_load, a test may add files with fx_write and
 * fx_article):
 *   ui.conf                   [zh] and [en] with the same keys
 *   zh/ and en/categories.conf  [login] (order 1) and [payments] (order 2)
 *   zh/login/reset.md         "## 步骤" ...           en/login/reset.md
 *   zh/login/faq.md           "## 步骤", "## Other topic"  en/login/faq.md
 *   zh/login/old.md           a draft
 *   zh/payments/fees.md       no English translation
 *   zh/login/pic.png
 * An article's front matter takes lines 1-8 (9 with an extra line), so its body starts on
 * line 9 (10).
 */
struct fixture {
	char root[256];    /* temporary directory holding content/ and theme/ */
	char content[300]; /* root + "/content" */
	char theme[300];   /* root + "/theme" */
	struct site site;
	int loaded; /* load_site was called */
};

static struct fixture fx;

static void fx_mkdirs(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

/* Write text to root/rel, creating the directories on the way. */
static void fx_write_file(const char *root, const char *rel, const char *text)
{
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/%s", root, rel);
	char *slash = strrchr(path.ptr, '/');
	*slash = '\0';
	fx_mkdirs(path.ptr);
	*slash = '/';
	cr_assert_eq(buf_write_file(path.ptr, text, strlen(text)), 0, "write %s: %s", path.ptr,
	             strerror(errno));
	buf_release(&path);
}

/* Write text to content/rel. */
static void fx_write(const char *rel, const char *text)
{
	fx_write_file(fx.content, rel, text);
}

/* Write an article with valid front matter; extra (may be "") is one more line such as "draft:
 * true\n". */
static void fx_article(const char *rel, const char *category, const char *extra, const char *body)
{
	struct buf src = BUF_INIT;
	buf_addf(&src,
	         "---\ntitle: T\nsummary: S\ncategory: %s\norder: 1\ntags: [a]\n"
	         "updated: 2026-01-01\n%s---\n%s",
	         category, extra, body);
	fx_write(rel, src.ptr);
	buf_release(&src);
}

static const char fx_categories[] = "[login]\ntitle: Login\ndescription: Logging in.\norder: 1\n"
                                    "icon: key\n\n[payments]\ntitle: Payments\n"
                                    "description: Paying.\norder: 2\nicon: transfer\n";

static void fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.root, sizeof(fx.root), "%s/okpay-site-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(fx.root), "mkdtemp: %s", strerror(errno));
	snprintf(fx.content, sizeof(fx.content), "%s/content", fx.root);
	snprintf(fx.theme, sizeof(fx.theme), "%s/theme", fx.root);

	fx_mkdirs(fx.content);
	fx_write_file(fx.theme, "templates/.keep", "");
	fx_write_file(fx.theme, "assets/site.css", "body{}");
	fx_write_file(fx.theme, "assets/site.js", "");
	fx_write_file(fx.theme, "assets/icons.svg", "<svg/>");
	fx_write_file(fx.theme, "assets/favicon.svg", "<svg/>");

	fx_write("ui.conf",
	         "[zh]\nsite_name: 帮助中心\nhome: 首页\n\n[en]\nsite_name: Help center\n"
	         "home: Home\n");
	fx_write("zh/categories.conf", fx_categories);
	fx_write("en/categories.conf", fx_categories);
	fx_article("zh/login/reset.md", "login", "", "## 步骤\n\n文字\n");
	fx_article("zh/login/faq.md", "login", "", "## 步骤\n\n## Other topic\n");
	fx_article("zh/login/old.md", "login", "draft: true\n", "旧文章\n");
	fx_article("zh/payments/fees.md", "payments", "", "费用\n");
	fx_write("zh/login/pic.png", "not really a png");
	fx_article("en/login/reset.md", "login", "", "## Steps\n");
	fx_article("en/login/faq.md", "login", "", "## Steps\n");
}

/* Load and index the tree as it is now. */
static void fx_load(void)
{
	fx.site.content_dir = fx.content;
	fx.site.theme_dir = fx.theme;
	fx.site.threads = 1;
	fx.site.quiet = 1;
	/* A zeroed struct buf is not a valid buffer (buf.h); site-gen's main gets these from
	 * load_release before its first load_site. */
	buf_init(&fx.site.err);
	buf_init(&fx.site.warn);
	fx.loaded = 1;
	cr_assert_eq(load_site(&fx.site), 0);
	cr_assert_eq(index_site(&fx.site), 0);
}

/* The loaded article at content/rel; fails the test if there is none. */
static struct article *fx_find(const char *rel)
{
	struct article *a = index_by_rel(&fx.site, rel);
	cr_assert_not_null(a, "no article %s", rel);
	return a;
}

static int fx_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fx_teardown(void)
{
	if (fx.loaded)
		load_release(&fx.site);
	if (fx.root[0])
		nftw(fx.root, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
