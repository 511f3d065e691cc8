/* frontmatter_test.c - unit tests for site-gen/frontmatter.c: the article metadata parser. */
#include "frontmatter.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <string.h>

/*
 * The valid block every test starts from. Its lines are numbered as in the file: the
 * opening '---' is line 1, title line 2 ... updated line 7, the closing '---' line 8
 * (line 9 when one extra line is added after updated).
 */
static const char *valid_lines[] = {
    "title: Reset your password",
    "summary: What to do when you forgot it",
    "category: login",
    "order: 3",
    "tags: [password, login]",
    "updated: 2026-11-05",
};

/*
 * Build a block from the valid lines: the line of key is replaced by line (or left out if
 * line is NULL), and extra (if not NULL) is added after the last key. A body follows.
 */
static void S_block(struct buf *src, const char *key, const char *line, const char *extra)
{
	buf_adds(src, "---\n");
	for (size_t i = 0; i < sizeof(valid_lines) / sizeof(valid_lines[0]); i++) {
		const char *l = valid_lines[i];
		if (key && strncmp(l, key, strlen(key)) == 0 && l[strlen(key)] == ':') {
			if (line)
				buf_addf(src, "%s\n", line);
			continue;
		}
		buf_addf(src, "%s\n", l);
	}
	if (extra)
		buf_addf(src, "%s\n", extra);
	buf_adds(src, "---\nbody\n");
}

/* Parse src as "t.md"; the errors (if any) are left in err. */
static int S_parse(struct fm *fm, const struct buf *src, struct buf *err)
{
	return fm_parse(fm, "t.md", src->ptr, src->len, err);
}

/* Parse a block with one line replaced and expect exactly the message expect. */
static void S_expect_error(const char *key, const char *line, const char *extra, const char *expect)
{
	struct buf src = BUF_INIT, err = BUF_INIT;
	struct fm fm;
	S_block(&src, key, line, extra);
	cr_assert_eq(S_parse(&fm, &src, &err), -1, "accepted:\n%s", src.ptr);
	cr_assert_str_eq(err.ptr, expect);
	fm_release(&fm);
	buf_release(&src);
	buf_release(&err);
}

/* Parse a block with one line replaced and expect no error. */
static void S_expect_ok(const char *key, const char *line, const char *extra, struct fm *fm)
{
	struct buf src = BUF_INIT, err = BUF_INIT;
	S_block(&src, key, line, extra);
	cr_assert_eq(S_parse(fm, &src, &err), 0, "rejected:\n%s\n%s", src.ptr, err.ptr);
	cr_assert_str_eq(err.ptr, "");
	buf_release(&src);
	buf_release(&err);
}

/* --- valid front matter ------------------------------------------------------------------- */

Test(frontmatter, parses_every_field_of_a_complete_block)
{
	const char *src = "---\n"
	                  "title: \"Reset your \\\"OKpay\\\" password\"\n"
	                  "summary: What to do when you forgot it\n"
	                  "category: login\n"
	                  "order: -2\n"
	                  "tags: [password,  login , 密码]\n"
	                  "updated: 2024-02-29\n"
	                  "draft: true\n"
	                  "aliases: [/zh/old-reset/, /zh/login/reset_%E5.html]\n"
	                  "---\n"
	                  "## Body\n";
	struct buf err = BUF_INIT;
	struct fm fm;

	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), 0, "%s", err.ptr);
	cr_assert_str_eq(err.ptr, "");
	cr_assert_str_eq(fm.title, "Reset your \"OKpay\" password");
	cr_assert_str_eq(fm.summary, "What to do when you forgot it");
	cr_assert_str_eq(fm.category, "login");
	cr_assert_eq(fm.order, -2);
	cr_assert_eq(fm.ntags, 3);
	cr_assert_str_eq(fm.tags[0], "password");
	cr_assert_str_eq(fm.tags[1], "login");
	cr_assert_str_eq(fm.tags[2], "密码");
	cr_assert_str_eq(fm.updated, "2024-02-29");
	cr_assert_eq(fm.draft, 1);
	cr_assert_eq(fm.naliases, 2);
	cr_assert_str_eq(fm.aliases[0], "/zh/old-reset/");
	cr_assert_str_eq(fm.aliases[1], "/zh/login/reset_%E5.html");
	for (int k = 0; k < FM__MAX; k++)
		cr_assert_eq(fm.line[k], k + 2, "line of key %d", k);
	cr_assert_str_eq(src + fm.body_off, "## Body\n");
	cr_assert_eq(fm.body_line, 11);
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, optional_keys_default_to_published_without_aliases)
{
	struct fm fm;
	S_expect_ok(NULL, NULL, NULL, &fm);
	cr_assert_eq(fm.draft, 0);
	cr_assert_eq(fm.naliases, 0);
	cr_assert_null(fm.aliases);
	cr_assert_eq(fm.line[FM_DRAFT], 0);
	cr_assert_eq(fm.line[FM_ALIASES], 0);
	cr_assert_eq(fm.body_line, 9);
	fm_release(&fm);
}

Test(frontmatter, parses_draft_false)
{
	struct fm fm;
	S_expect_ok(NULL, NULL, "draft: false", &fm);
	cr_assert_eq(fm.draft, 0);
	cr_assert_eq(fm.line[FM_DRAFT], 8);
	fm_release(&fm);
}

Test(frontmatter, parses_empty_tags_list)
{
	struct fm fm;
	S_expect_ok("tags", "tags: [ ]", NULL, &fm);
	cr_assert_eq(fm.ntags, 0);
	fm_release(&fm);
}

Test(frontmatter, skips_comments_and_blank_lines_but_counts_them)
{
	const char *src = "---\n# a comment\n\ntitle: T\nsummary: S\ncategory: c\norder: 1\n"
	                  "tags: [a]\nupdated: 2026-01-01\nbad: x\n---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr, "t.md:10: unknown key 'bad' (known keys: title, summary, "
	                          "category, order, tags, updated, draft, aliases)\n");
	cr_assert_eq(fm.line[FM_TITLE], 4);
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, parses_crlf_line_endings)
{
	const char *src =
	    "---\r\ntitle: \"Quoted title\"\r\nsummary: S\r\ncategory: login\r\n"
	    "order: 1\r\ntags: [a, b]\r\nupdated: 2026-01-31\r\ndraft: true\r\n---\r\n"
	    "body\r\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), 0, "%s", err.ptr);
	cr_assert_str_eq(fm.title, "Quoted title");
	cr_assert_str_eq(fm.summary, "S");
	cr_assert_str_eq(fm.category, "login");
	cr_assert_str_eq(fm.tags[1], "b");
	cr_assert_str_eq(fm.updated, "2026-01-31");
	cr_assert_eq(fm.draft, 1);
	cr_assert_str_eq(src + fm.body_off, "body\r\n");
	cr_assert_eq(fm.body_line, 10);
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, skips_utf8_byte_order_mark)
{
	const char *src = "\xef\xbb\xbf---\ntitle: 标题\nsummary: 摘要\ncategory: login\norder: 1\n"
	                  "tags: [登录]\nupdated: 2026-01-01\n---\n正文\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), 0, "%s", err.ptr);
	cr_assert_str_eq(fm.title, "标题");
	cr_assert_eq(fm.line[FM_TITLE], 2);
	cr_assert_str_eq(src + fm.body_off, "正文\n");
	cr_assert_eq(fm.body_line, 9);
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, accepts_closing_line_at_end_of_file)
{
	const char *src = "---\ntitle: T\nsummary: S\ncategory: c\norder: 1\ntags: [a]\n"
	                  "updated: 2026-01-01\n---";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), 0, "%s", err.ptr);
	cr_assert_eq(fm.body_off, strlen(src));
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, accepts_title_of_200_chinese_characters)
{
	struct buf line = BUF_INIT;
	struct fm fm;
	buf_adds(&line, "title: ");
	for (int i = 0; i < 200; i++)
		buf_adds(&line, "字");
	S_expect_ok("title", line.ptr, NULL, &fm);
	cr_assert_eq(strlen(fm.title), 600);
	fm_release(&fm);
	buf_release(&line);
}

Test(frontmatter, accepts_february_29_in_leap_year)
{
	struct fm fm;
	S_expect_ok("updated", "updated: 2024-02-29", NULL, &fm);
	cr_assert_str_eq(fm.updated, "2024-02-29");
	fm_release(&fm);
}

/* --- the block itself --------------------------------------------------------------------- */

Test(frontmatter, rejects_missing_opening_line)
{
	const char *src = "title: T\n---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "a/t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "a/t.md:1: missing front matter: the file must start with a line '---'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, rejects_empty_file)
{
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", "", 0, &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "t.md:1: missing front matter: the file must start with a line '---'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, rejects_opening_line_with_trailing_text)
{
	const char *src = "--- x\ntitle: T\n---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "t.md:1: missing front matter: the file must start with a line '---'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, rejects_block_that_is_never_closed)
{
	const char *src = "---\ntitle: T\nsummary: S\ncategory: c\norder: 1\ntags: [a]\n"
	                  "updated: 2026-01-01\n\nsome text here\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "t.md:9: expected 'key: value'\n"
	                 "t.md:1: front matter is never closed: end it with a line '---'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, rejects_unclosed_block_of_valid_keys)
{
	const char *src = "---\ntitle: T\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "t.md:1: front matter is never closed: end it with a line '---'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, reports_every_missing_key_of_an_empty_block)
{
	const char *src = "---\n---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr, "t.md:1: missing required key 'title'\n"
	                          "t.md:1: missing required key 'summary'\n"
	                          "t.md:1: missing required key 'category'\n"
	                          "t.md:1: missing required key 'order'\n"
	                          "t.md:1: missing required key 'tags'\n"
	                          "t.md:1: missing required key 'updated'\n");
	fm_release(&fm);
	buf_release(&err);
}

/* --- required keys ------------------------------------------------------------------------ */

Test(frontmatter, rejects_missing_title)
{
	S_expect_error("title", NULL, NULL, "t.md:1: missing required key 'title'\n");
}

Test(frontmatter, rejects_missing_summary)
{
	S_expect_error("summary", NULL, NULL, "t.md:1: missing required key 'summary'\n");
}

Test(frontmatter, rejects_missing_category)
{
	S_expect_error("category", NULL, NULL, "t.md:1: missing required key 'category'\n");
}

Test(frontmatter, rejects_missing_order)
{
	S_expect_error("order", NULL, NULL, "t.md:1: missing required key 'order'\n");
}

Test(frontmatter, rejects_missing_tags)
{
	S_expect_error("tags", NULL, NULL, "t.md:1: missing required key 'tags'\n");
}

Test(frontmatter, rejects_missing_updated)
{
	S_expect_error("updated", NULL, NULL, "t.md:1: missing required key 'updated'\n");
}

/* --- keys and lines ----------------------------------------------------------------------- */

Test(frontmatter, rejects_unknown_key)
{
	S_expect_error(NULL, NULL, "author: me",
	               "t.md:8: unknown key 'author' (known keys: title, summary, category, order, "
	               "tags, updated, draft, aliases)\n");
}

Test(frontmatter, rejects_duplicate_key)
{
	S_expect_error(NULL, NULL, "title: Again", "t.md:8: 'title' is already set on line 2\n");
}

Test(frontmatter, keeps_first_value_of_duplicate_key)
{
	struct buf src = BUF_INIT, err = BUF_INIT;
	struct fm fm;
	S_block(&src, NULL, NULL, "title: Again");
	cr_assert_eq(S_parse(&fm, &src, &err), -1);
	cr_assert_str_eq(fm.title, "Reset your password");
	cr_assert_eq(fm.line[FM_TITLE], 2);
	fm_release(&fm);
	buf_release(&src);
	buf_release(&err);
}

Test(frontmatter, rejects_upper_case_key)
{
	S_expect_error(NULL, NULL, "Draft: true", "t.md:8: keys are lower case\n");
}

Test(frontmatter, rejects_missing_space_after_colon)
{
	S_expect_error("title", "title:Reset", NULL,
	               "t.md:2: put a space after the ':'\nt.md:1: missing required key 'title'\n");
}

Test(frontmatter, rejects_indented_line)
{
	S_expect_error(NULL, NULL, "  draft: true",
	               "t.md:8: front matter lines may not be indented\n");
}

Test(frontmatter, rejects_tab_indented_line)
{
	S_expect_error(NULL, NULL, "\tdraft: true",
	               "t.md:8: front matter lines may not be indented\n");
}

Test(frontmatter, rejects_invalid_utf8)
{
	S_expect_error("title", "title: caf\xc3", NULL,
	               "t.md:2: not valid UTF-8 text\nt.md:1: missing required key 'title'\n");
}

Test(frontmatter, rejects_overlong_utf8_encoding)
{
	S_expect_error("summary", "summary: \xc0\xaf", NULL,
	               "t.md:3: not valid UTF-8 text\nt.md:1: missing required key 'summary'\n");
}

Test(frontmatter, rejects_nul_byte)
{
	const char src[] = "---\ntitle: a\0b\nsummary: S\ncategory: c\norder: 1\ntags: [a]\n"
	                   "updated: 2026-01-01\n---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "t.md", src, sizeof(src) - 1, &err), -1);
	cr_assert_str_eq(err.ptr,
	                 "t.md:2: not valid UTF-8 text\nt.md:1: missing required key 'title'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, rejects_unterminated_quoted_value)
{
	S_expect_error("summary", "summary: \"open", NULL,
	               "t.md:3: a quoted value must end with '\"'\n"
	               "t.md:1: missing required key 'summary'\n");
}

/* --- title and summary -------------------------------------------------------------------- */

Test(frontmatter, rejects_empty_title)
{
	S_expect_error("title", "title:", NULL, "t.md:2: title is empty\n");
}

Test(frontmatter, rejects_empty_quoted_summary)
{
	S_expect_error("summary", "summary: \"\"", NULL, "t.md:3: summary is empty\n");
}

Test(frontmatter, rejects_title_longer_than_200_characters)
{
	struct buf line = BUF_INIT;
	buf_adds(&line, "title: ");
	for (int i = 0; i < 201; i++)
		buf_adds(&line, "字");
	S_expect_error("title", line.ptr, NULL, "t.md:2: title is longer than 200 characters\n");
	buf_release(&line);
}

Test(frontmatter, rejects_summary_longer_than_300_characters)
{
	struct buf line = BUF_INIT;
	buf_adds(&line, "summary: ");
	for (int i = 0; i < 301; i++)
		buf_addc(&line, 'x');
	S_expect_error("summary", line.ptr, NULL,
	               "t.md:3: summary is longer than 300 characters\n");
	buf_release(&line);
}

/* --- category, order, draft --------------------------------------------------------------- */

Test(frontmatter, rejects_upper_case_category)
{
	S_expect_error("category", "category: Login", NULL,
	               "t.md:4: category must be a slug (lower-case letters, digits, '-')\n");
}

Test(frontmatter, rejects_category_with_space)
{
	S_expect_error("category", "category: log in", NULL,
	               "t.md:4: category must be a slug (lower-case letters, digits, '-')\n");
}

Test(frontmatter, rejects_empty_category)
{
	S_expect_error("category", "category:", NULL,
	               "t.md:4: category must be a slug (lower-case letters, digits, '-')\n");
}

Test(frontmatter, rejects_fractional_order)
{
	S_expect_error("order", "order: 3.5", NULL, "t.md:5: order must be a whole number\n");
}

Test(frontmatter, rejects_order_in_words)
{
	S_expect_error("order", "order: three", NULL, "t.md:5: order must be a whole number\n");
}

Test(frontmatter, rejects_empty_order)
{
	S_expect_error("order", "order:", NULL, "t.md:5: order must be a whole number\n");
}

Test(frontmatter, rejects_order_out_of_range)
{
	S_expect_error("order", "order: 99999999999999999999", NULL,
	               "t.md:5: order must be a whole number\n");
}

Test(frontmatter, rejects_draft_yes)
{
	S_expect_error(NULL, NULL, "draft: yes", "t.md:8: draft must be true or false\n");
}

Test(frontmatter, rejects_capitalised_draft_value)
{
	S_expect_error(NULL, NULL, "draft: True", "t.md:8: draft must be true or false\n");
}

/* --- dates -------------------------------------------------------------------------------- */

#define BAD_DATE "t.md:7: updated must be a real date written YYYY-MM-DD\n"

Test(frontmatter, rejects_february_30)
{
	S_expect_error("updated", "updated: 2026-02-30", NULL, BAD_DATE);
}

Test(frontmatter, rejects_month_13)
{
	S_expect_error("updated", "updated: 2026-13-01", NULL, BAD_DATE);
}

Test(frontmatter, rejects_short_date)
{
	S_expect_error("updated", "updated: 26-1-1", NULL, BAD_DATE);
}

Test(frontmatter, rejects_february_29_in_common_year)
{
	S_expect_error("updated", "updated: 2025-02-29", NULL, BAD_DATE);
}

/* --- lists -------------------------------------------------------------------------------- */

Test(frontmatter, rejects_tags_with_empty_item)
{
	S_expect_error("tags", "tags: [a,,b]", NULL, "t.md:6: a list item is empty\n");
}

Test(frontmatter, rejects_tags_with_trailing_comma)
{
	S_expect_error("tags", "tags: [a, b, ]", NULL, "t.md:6: a list item is empty\n");
}

Test(frontmatter, rejects_unbracketed_tags)
{
	S_expect_error("tags", "tags: a, b", NULL, "t.md:6: write a list as [first, second]\n");
}

Test(frontmatter, rejects_tags_without_closing_bracket)
{
	S_expect_error("tags", "tags: [a, b", NULL, "t.md:6: write a list as [first, second]\n");
}

Test(frontmatter, rejects_nested_list_in_tags)
{
	S_expect_error("tags", "tags: [a, [b]]", NULL, "t.md:6: a list item contains a bracket\n");
}

Test(frontmatter, rejects_tag_longer_than_40_characters)
{
	struct buf line = BUF_INIT;
	buf_adds(&line, "tags: [ok, ");
	for (int i = 0; i < 41; i++)
		buf_adds(&line, "签");
	buf_adds(&line, "]");
	S_expect_error("tags", line.ptr, NULL, "t.md:6: a tag is longer than 40 characters\n");
	buf_release(&line);
}

Test(frontmatter, accepts_tag_of_40_characters)
{
	struct buf line = BUF_INIT;
	struct fm fm;
	buf_adds(&line, "tags: [");
	for (int i = 0; i < 40; i++)
		buf_adds(&line, "签");
	buf_adds(&line, "]");
	S_expect_ok("tags", line.ptr, NULL, &fm);
	cr_assert_eq(fm.ntags, 1);
	fm_release(&fm);
	buf_release(&line);
}

Test(frontmatter, rejects_more_than_32_tags)
{
	struct buf line = BUF_INIT;
	buf_adds(&line, "tags: [");
	for (int i = 0; i < 33; i++)
		buf_addf(&line, "%st%d", i ? ", " : "", i);
	buf_adds(&line, "]");
	S_expect_error("tags", line.ptr, NULL, "t.md:6: a list has more than 32 items\n");
	buf_release(&line);
}

#define BAD_ALIAS                                                                                  \
	"t.md:8: an alias must be a path like /zh/old-page/ (ASCII letters, digits, - . _ ~ % "    \
	"and /)\n"

Test(frontmatter, rejects_alias_without_leading_slash)
{
	S_expect_error(NULL, NULL, "aliases: [zh/old/]", BAD_ALIAS);
}

Test(frontmatter, rejects_alias_with_parent_directory)
{
	S_expect_error(NULL, NULL, "aliases: [/zh/../etc/]", BAD_ALIAS);
}

Test(frontmatter, rejects_alias_ending_in_parent_directory)
{
	S_expect_error(NULL, NULL, "aliases: [/zh/..]", BAD_ALIAS);
}

Test(frontmatter, rejects_alias_with_space)
{
	S_expect_error(NULL, NULL, "aliases: [/zh/old page/]", BAD_ALIAS);
}

Test(frontmatter, rejects_alias_with_quote)
{
	S_expect_error(NULL, NULL, "aliases: [/zh/\"old\"/]", BAD_ALIAS);
}

Test(frontmatter, rejects_alias_with_double_slash)
{
	S_expect_error(NULL, NULL, "aliases: [//evil.example/]", BAD_ALIAS);
}

Test(frontmatter, rejects_bad_alias_after_good_one)
{
	S_expect_error(NULL, NULL, "aliases: [/zh/ok/, /zh/not ok/]", BAD_ALIAS);
}

/* --- several problems --------------------------------------------------------------------- */

Test(frontmatter, reports_every_error_in_one_file)
{
	const char *src = "---\n"
	                  "title: T\n"
	                  "order: x\n"
	                  "tags: a\n"
	                  "updated: 2026-02-30\n"
	                  "colour: red\n"
	                  "  draft: true\n"
	                  "title: Again\n"
	                  "---\n";
	struct buf err = BUF_INIT;
	struct fm fm;
	cr_assert_eq(fm_parse(&fm, "x/t.md", src, strlen(src), &err), -1);
	cr_assert_str_eq(err.ptr, "x/t.md:3: order must be a whole number\n"
	                          "x/t.md:4: write a list as [first, second]\n"
	                          "x/t.md:5: updated must be a real date written YYYY-MM-DD\n"
	                          "x/t.md:6: unknown key 'colour' (known keys: title, summary, "
	                          "category, order, tags, updated, draft, aliases)\n"
	                          "x/t.md:7: front matter lines may not be indented\n"
	                          "x/t.md:8: 'title' is already set on line 2\n"
	                          "x/t.md:1: missing required key 'summary'\n"
	                          "x/t.md:1: missing required key 'category'\n");
	fm_release(&fm);
	buf_release(&err);
}

Test(frontmatter, appends_to_existing_errors)
{
	struct buf src = BUF_INIT, err = BUF_INIT;
	struct fm fm;
	buf_adds(&err, "earlier\n");
	S_block(&src, NULL, NULL, NULL);
	cr_assert_eq(S_parse(&fm, &src, &err), 0);
	cr_assert_str_eq(err.ptr, "earlier\n");
	fm_release(&fm);
	buf_release(&src);
	buf_release(&err);
}

Test(frontmatter, release_empties_the_struct)
{
	struct fm fm;
	S_expect_ok(NULL, NULL, "aliases: [/a/]", &fm);
	fm_release(&fm);
	cr_assert_null(fm.title);
	cr_assert_null(fm.tags);
	cr_assert_eq(fm.ntags, 0);
	cr_assert_null(fm.aliases);
	fm_release(&fm);
}

/* --- fm_valid_slug ------------------------------------------------------------------------ */

static int S_slug(const char *s)
{
	return fm_valid_slug(s, strlen(s));
}

Test(frontmatter, valid_slug_accepts_letters_digits_and_inner_hyphens)
{
	cr_assert(S_slug("login"));
	cr_assert(S_slug("a"));
	cr_assert(S_slug("2fa"));
	cr_assert(S_slug("forgot-password-2"));
	cr_assert(
	    S_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 64 */
}

Test(frontmatter, valid_slug_rejects_empty)
{
	cr_assert_not(S_slug(""));
}

Test(frontmatter, valid_slug_rejects_more_than_64_characters)
{
	cr_assert_not(S_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

Test(frontmatter, valid_slug_rejects_leading_or_trailing_hyphen)
{
	cr_assert_not(S_slug("-login"));
	cr_assert_not(S_slug("login-"));
	cr_assert_not(S_slug("-"));
}

Test(frontmatter, valid_slug_rejects_upper_case)
{
	cr_assert_not(S_slug("Login"));
}

Test(frontmatter, valid_slug_rejects_other_characters)
{
	cr_assert_not(S_slug("log_in"));
	cr_assert_not(S_slug("log in"));
	cr_assert_not(S_slug("log.in"));
	cr_assert_not(S_slug("log/in"));
	cr_assert_not(S_slug("登录"));
}

Test(frontmatter, valid_slug_looks_at_n_bytes_only)
{
	cr_assert(fm_valid_slug("login.md", 5));
	cr_assert_not(fm_valid_slug("login.md", 6));
}

/* --- fm_valid_date ------------------------------------------------------------------------ */

static int S_date(const char *s)
{
	return fm_valid_date(s, strlen(s));
}

Test(frontmatter, valid_date_accepts_real_dates)
{
	cr_assert(S_date("2026-11-05"));
	cr_assert(S_date("2026-01-31"));
	cr_assert(S_date("2026-12-31"));
	cr_assert(S_date("2026-04-30"));
	cr_assert(S_date("1970-01-01"));
}

Test(frontmatter, valid_date_accepts_february_29_in_leap_years)
{
	cr_assert(S_date("2024-02-29"));
	cr_assert(S_date("2000-02-29"));
}

Test(frontmatter, valid_date_rejects_february_29_in_common_years)
{
	cr_assert_not(S_date("2025-02-29"));
	cr_assert_not(S_date("2100-02-29"));
}

Test(frontmatter, valid_date_rejects_days_past_end_of_month)
{
	cr_assert_not(S_date("2026-02-30"));
	cr_assert_not(S_date("2026-04-31"));
	cr_assert_not(S_date("2026-01-32"));
}

Test(frontmatter, valid_date_rejects_month_and_day_zero_or_month_13)
{
	cr_assert_not(S_date("2026-00-10"));
	cr_assert_not(S_date("2026-13-01"));
	cr_assert_not(S_date("2026-01-00"));
}

Test(frontmatter, valid_date_rejects_other_shapes)
{
	cr_assert_not(S_date("26-1-1"));
	cr_assert_not(S_date("2026-1-01"));
	cr_assert_not(S_date("2026/01/01"));
	cr_assert_not(S_date("2026-01-1x"));
	cr_assert_not(S_date("+026-01-01"));
	cr_assert_not(S_date("2026-01-011"));
	cr_assert_not(S_date(""));
}

Test(frontmatter, valid_date_rejects_years_before_1970)
{
	cr_assert_not(S_date("1969-12-31"));
}

Test(frontmatter, valid_date_looks_at_n_bytes_only)
{
	cr_assert(fm_valid_date("2026-11-05T10:00", 10));
	cr_assert_not(fm_valid_date("2026-11-05", 9));
}
