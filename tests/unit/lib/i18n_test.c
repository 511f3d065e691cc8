/* i18n_test.c - unit tests for lib/i18n.c: locales, UI strings from ui.conf, localised dates. */
#include "i18n.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64]; /* the ui.conf a test writes; removed by S_teardown */

static void S_teardown(void)
{
	if (path[0])
		unlink(path);
}

TestSuite(i18n, .fini = S_teardown);

/* Write text to a fresh temporary file whose name is left in path. */
static void S_write(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/okpay-i18n-test-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	size_t n = strlen(text);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* Load text as ui.conf and expect exactly the errors expect (with "P:" for the path). */
static void S_expect_error(const char *text, const char *expect)
{
	struct buf err = BUF_INIT, want = BUF_INIT;
	struct i18n ui = {0};
	S_write(text);
	for (const char *p = expect; *p; p++)
		if (p[0] == 'P' && p[1] == ':' && (p == expect || p[-1] == '\n'))
			buf_adds(&want, path);
		else
			buf_addc(&want, *p);
	cr_assert_eq(i18n_load(&ui, path, &err), -1, "accepted:\n%s", text);
	cr_assert_str_eq(err.ptr, want.ptr);
	i18n_release(&ui);
	buf_release(&err);
	buf_release(&want);
}

/* --- locales ------------------------------------------------------------------------------ */

Test(i18n, locale_from_code_knows_both_locales)
{
	cr_assert_eq(locale_from_code("zh", 2), LOCALE_ZH);
	cr_assert_eq(locale_from_code("en", 2), LOCALE_EN);
	cr_assert_eq(locale_from_code("en/login", 2), LOCALE_EN);
}

Test(i18n, locale_from_code_rejects_other_codes)
{
	cr_assert_eq(locale_from_code("fr", 2), -1);
	cr_assert_eq(locale_from_code("z", 1), -1);
	cr_assert_eq(locale_from_code("zho", 3), -1);
	cr_assert_eq(locale_from_code("", 0), -1);
	cr_assert_eq(locale_from_code("ZH", 2), -1);
}

Test(i18n, locale_info_names_both_locales)
{
	cr_assert_str_eq(locale_info[LOCALE_ZH].code, "zh");
	cr_assert_str_eq(locale_info[LOCALE_ZH].html_lang, "zh-CN");
	cr_assert_str_eq(locale_info[LOCALE_EN].code, "en");
	cr_assert_str_eq(locale_info[LOCALE_EN].og_locale, "en_US");
}

/* --- ui.conf ------------------------------------------------------------------------------ */

Test(i18n, loads_strings_of_both_locales)
{
	struct buf err = BUF_INIT;
	struct i18n ui = {0};
	S_write("# UI strings\n[zh]\nhome: 首页\nsearch: \" 搜索 \"\n\n[en]\nhome: Home\nsearch: "
	        "Search\n");
	cr_assert_eq(i18n_load(&ui, path, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(err.ptr, "");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_ZH, "home"), "首页");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_ZH, "search"), " 搜索 ");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_EN, "home"), "Home");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_EN, "search"), "Search");
	i18n_release(&ui);
	buf_release(&err);
}

Test(i18n, get_returns_the_key_when_missing)
{
	struct buf err = BUF_INIT;
	struct i18n ui = {0};
	S_write("[zh]\nhome: 首页\n[en]\nhome: Home\n");
	cr_assert_eq(i18n_load(&ui, path, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(i18n_get(&ui, LOCALE_ZH, "no_such_key"), "no_such_key");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_EN, "no_such_key"), "no_such_key");
	i18n_release(&ui);
	buf_release(&err);
}

Test(i18n, rejects_key_missing_from_english)
{
	S_expect_error("[zh]\nhome: 首页\nsearch: 搜索\n\n[en]\nhome: Home\n",
	               "P:3: 'search' has no [en] translation\n");
}

Test(i18n, rejects_key_missing_from_chinese)
{
	S_expect_error("[zh]\nhome: 首页\n\n[en]\nhome: Home\nextra: More\n",
	               "P:6: 'extra' has no [zh] translation\n");
}

Test(i18n, keeps_strings_of_a_file_with_errors)
{
	struct buf err = BUF_INIT;
	struct i18n ui = {0};
	S_write("[zh]\nhome: 首页\nsearch: 搜索\n[en]\nhome: Home\n");
	cr_assert_eq(i18n_load(&ui, path, &err), -1);
	cr_assert_str_eq(i18n_get(&ui, LOCALE_ZH, "search"), "搜索");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_EN, "search"), "search");
	i18n_release(&ui);
	buf_release(&err);
}

Test(i18n, rejects_unknown_locale_section)
{
	S_expect_error("[zh]\nhome: 首页\n[en]\nhome: Home\n\n[fr]\nhome: Accueil\n",
	               "P:6: unknown locale [fr]\n");
}

Test(i18n, rejects_missing_locale_section)
{
	S_expect_error("[zh]\nhome: 首页\n", "P:1: no [en] section\n");
}

Test(i18n, reports_errors_of_the_file_itself)
{
	S_expect_error("[zh]\nhome: 首页\nhome: 主页\n[en]\nhome: Home\n",
	               "P:3: 'home' is already set on line 2\n");
}

Test(i18n, reports_missing_file)
{
	struct buf err = BUF_INIT;
	struct i18n ui = {0};
	cr_assert_eq(i18n_load(&ui, "/nonexistent/ui.conf", &err), -1);
	cr_assert_str_eq(err.ptr, "/nonexistent/ui.conf: No such file or directory\n"
	                          "/nonexistent/ui.conf:1: no [zh] section\n"
	                          "/nonexistent/ui.conf:1: no [en] section\n");
	cr_assert_str_eq(i18n_get(&ui, LOCALE_ZH, "home"), "home");
	i18n_release(&ui);
	buf_release(&err);
}

Test(i18n, reports_every_error)
{
	S_expect_error("[zh]\na: 1\nb: 2\n[en]\nb: 2\nc: 3\n[de]\n",
	               "P:7: unknown locale [de]\n"
	               "P:2: 'a' has no [en] translation\n"
	               "P:6: 'c' has no [zh] translation\n");
}

Test(i18n, release_twice_is_harmless)
{
	struct buf err = BUF_INIT;
	struct i18n ui = {0};
	S_write("[zh]\nhome: 首页\n[en]\nhome: Home\n");
	cr_assert_eq(i18n_load(&ui, path, &err), 0, "%s", err.ptr);
	i18n_release(&ui);
	cr_assert_null(ui.strings[LOCALE_ZH]);
	cr_assert_null(ui.strings[LOCALE_EN]);
	i18n_release(&ui);
	buf_release(&err);
}

/* --- dates -------------------------------------------------------------------------------- */

static void S_expect_date(enum locale l, const char *iso, const char *expect)
{
	struct buf b = BUF_INIT;
	i18n_date(&b, l, iso);
	cr_assert_str_eq(b.ptr, expect, "date %s", iso);
	buf_release(&b);
}

Test(i18n, date_in_chinese)
{
	S_expect_date(LOCALE_ZH, "2026-11-05", "2026年11月5日");
	S_expect_date(LOCALE_ZH, "2026-01-31", "2026年1月31日");
}

Test(i18n, date_in_english)
{
	S_expect_date(LOCALE_EN, "2026-11-05", "5 November 2026");
	S_expect_date(LOCALE_EN, "2026-01-31", "31 January 2026");
	S_expect_date(LOCALE_EN, "2024-12-09", "9 December 2024");
}

Test(i18n, date_appends_to_buffer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "Updated ");
	i18n_date(&b, LOCALE_EN, "2026-05-01");
	cr_assert_str_eq(b.ptr, "Updated 1 May 2026");
	buf_release(&b);
}

Test(i18n, date_leaves_bad_month_as_it_is)
{
	S_expect_date(LOCALE_EN, "2026-13-01", "2026-13-01");
	S_expect_date(LOCALE_ZH, "2026-00-01", "2026-00-01");
}

Test(i18n, date_does_not_read_past_short_text)
{
	/* A heap copy of exactly the string's size, so reading past its end is caught. */
	char *soon = strdup("soon"), *empty = strdup("");
	S_expect_date(LOCALE_EN, soon, "soon");
	S_expect_date(LOCALE_ZH, empty, "");
	free(soon);
	free(empty);
}
