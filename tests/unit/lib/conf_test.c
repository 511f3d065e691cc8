/* conf_test.c - unit tests for lib/conf.c: "[section]" / "key: value" files and their errors. */
#include "conf.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse src as "t.conf"; c must be released by the caller. */
static int S_parse(struct conf *c, const char *src, struct buf *err)
{
	memset(c, 0, sizeof(*c));
	return conf_parse(c, "t.conf", src, strlen(src), err);
}

/* src must be refused with exactly the messages expect. */
static void S_expect_error(const char *src, const char *expect)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, src, &err), -1, "accepted:\n%s", src);
	cr_assert_str_eq(err.ptr, expect);
	conf_release(&c);
	buf_release(&err);
}

/* The value of key in section, failing the test if either is missing. */
static const char *S_value(const struct conf *c, const char *section, const char *key)
{
	const struct conf_section *s = conf_section(c, section);
	cr_assert_not_null(s, "no section [%s]", section);
	const struct conf_entry *e = conf_get(s, key);
	cr_assert_not_null(e, "no key %s in [%s]", key, section);
	return e->value;
}

/* The value of the single line "[s]\n" line in a parse that must succeed (caller frees). */
static char *S_one(const char *line)
{
	struct buf src = BUF_INIT, err = BUF_INIT;
	struct conf c;
	buf_addf(&src, "[s]\n%s\n", line);
	cr_assert_eq(S_parse(&c, src.ptr, &err), 0, "rejected %s: %s", line, err.ptr);
	char *v = strdup(S_value(&c, "s", "k"));
	conf_release(&c);
	buf_release(&src);
	buf_release(&err);
	return v;
}

static void S_expect_value(const char *line, const char *expect)
{
	char *v = S_one(line);
	cr_assert_str_eq(v, expect, "value of %s", line);
	free(v);
}

/* --- valid files -------------------------------------------------------------------------- */

Test(conf, parses_sections_and_keys_in_file_order)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(
	    S_parse(&c, "[login]\ntitle: 登录\norder: 1\n\n[payments]\ntitle: Pay\n", &err), 0,
	    "%s", err.ptr);
	cr_assert_str_eq(c.path, "t.conf");
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.s[0].name, "login");
	cr_assert_eq(c.s[0].line, 1);
	cr_assert_eq(c.s[0].n, 2);
	cr_assert_str_eq(c.s[0].e[0].key, "title");
	cr_assert_str_eq(c.s[0].e[0].value, "登录");
	cr_assert_eq(c.s[0].e[0].line, 2);
	cr_assert_str_eq(c.s[0].e[1].key, "order");
	cr_assert_str_eq(c.s[0].e[1].value, "1");
	cr_assert_eq(c.s[0].e[1].line, 3);
	cr_assert_str_eq(c.s[1].name, "payments");
	cr_assert_eq(c.s[1].line, 5);
	cr_assert_str_eq(c.s[1].e[0].value, "Pay");
	cr_assert_eq(c.s[1].e[0].line, 6);
	conf_release(&c);
	buf_release(&err);
}

Test(conf, skips_comments_and_blank_lines_but_counts_them)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "# comment\n\n[a]\n  # indented comment\n\t\nk: v\n", &err), 0,
	             "%s", err.ptr);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.s[0].line, 3);
	cr_assert_eq(c.s[0].n, 1);
	cr_assert_eq(c.s[0].e[0].line, 6);
	conf_release(&c);
	buf_release(&err);
}

Test(conf, accepts_keys_with_digits_underscore_dot_and_hyphen)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a-1]\nx_2.b-c: v\n", &err), 0, "%s", err.ptr);
	cr_assert_str_eq(S_value(&c, "a-1", "x_2.b-c"), "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, accepts_indented_lines)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "  [a]\n\tk: v\n", &err), 0, "%s", err.ptr);
	cr_assert_str_eq(S_value(&c, "a", "k"), "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, trims_unquoted_values)
{
	S_expect_value("k:   two  words \t", "two  words");
}

Test(conf, keeps_characters_after_value_start)
{
	S_expect_value("k: a # not a comment: \"x\"", "a # not a comment: \"x\"");
}

Test(conf, accepts_empty_value)
{
	S_expect_value("k:", "");
	S_expect_value("k:   ", "");
}

Test(conf, unquotes_quoted_value)
{
	S_expect_value("k: \"  keeps spaces  \"", "  keeps spaces  ");
}

Test(conf, unescapes_quote_and_backslash_in_quoted_value)
{
	S_expect_value("k: \"say \\\"hi\\\" \\\\ back\"", "say \"hi\" \\ back");
}

Test(conf, keeps_other_backslashes_in_quoted_value)
{
	S_expect_value("k: \"a\\nb\"", "a\\nb");
}

Test(conf, accepts_empty_quoted_value)
{
	S_expect_value("k: \"\"", "");
}

Test(conf, parses_crlf_line_endings)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\r\nk: v\r\nq: \"x\"\r\n", &err), 0, "%s", err.ptr);
	cr_assert_str_eq(S_value(&c, "a", "k"), "v");
	cr_assert_str_eq(S_value(&c, "a", "q"), "x");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, skips_utf8_byte_order_mark)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "\xef\xbb\xbf[a]\nk: v\n", &err), 0, "%s", err.ptr);
	cr_assert_eq(c.s[0].line, 1);
	cr_assert_str_eq(S_value(&c, "a", "k"), "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, parses_last_line_without_newline)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\nk: v", &err), 0, "%s", err.ptr);
	cr_assert_str_eq(S_value(&c, "a", "k"), "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, parses_empty_file)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "", &err), 0);
	cr_assert_eq(c.n, 0);
	conf_release(&c);
	buf_release(&err);
}

/* --- lookups ------------------------------------------------------------------------------ */

Test(conf, section_and_get_return_null_when_missing)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\nk: v\n", &err), 0);
	cr_assert_null(conf_section(&c, "b"));
	cr_assert_null(conf_get(conf_section(&c, "a"), "x"));
	cr_assert_null(conf_get(NULL, "k"));
	cr_assert_str_eq(conf_get(conf_section(&c, "a"), "k")->value, "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, release_empties_the_struct)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\nk: v\n", &err), 0);
	conf_release(&c);
	cr_assert_eq(c.n, 0);
	cr_assert_null(c.s);
	cr_assert_null(c.path);
	conf_release(&c);
	buf_release(&err);
}

/* --- errors ------------------------------------------------------------------------------- */

Test(conf, rejects_key_before_any_section)
{
	S_expect_error("# header\nk: v\n[a]\n", "t.conf:2: 'k' comes before any [section]\n");
}

Test(conf, rejects_upper_case_section_name)
{
	S_expect_error("[Login]\n",
	               "t.conf:1: a section header is '[name]' with a lower-case name\n");
}

Test(conf, rejects_section_name_with_space)
{
	S_expect_error("[a b]\n",
	               "t.conf:1: a section header is '[name]' with a lower-case name\n");
}

Test(conf, rejects_unclosed_section_header)
{
	S_expect_error("[a\n", "t.conf:1: a section header is '[name]' with a lower-case name\n");
}

Test(conf, rejects_empty_section_name)
{
	S_expect_error("[]\n", "t.conf:1: a section header is '[name]' with a lower-case name\n");
}

Test(conf, rejects_text_after_section_header)
{
	S_expect_error("[a] x\n",
	               "t.conf:1: a section header is '[name]' with a lower-case name\n");
}

Test(conf, rejects_duplicate_key)
{
	S_expect_error("[a]\nk: 1\nk: 2\n", "t.conf:3: 'k' is already set on line 2\n");
}

Test(conf, keeps_first_value_of_duplicate_key)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\nk: 1\nk: 2\n", &err), -1);
	cr_assert_eq(c.s[0].n, 1);
	cr_assert_str_eq(S_value(&c, "a", "k"), "1");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, allows_same_key_in_different_sections)
{
	struct buf err = BUF_INIT;
	struct conf c;
	cr_assert_eq(S_parse(&c, "[a]\nk: 1\n[b]\nk: 2\n", &err), 0, "%s", err.ptr);
	cr_assert_str_eq(S_value(&c, "a", "k"), "1");
	cr_assert_str_eq(S_value(&c, "b", "k"), "2");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, rejects_duplicate_section)
{
	S_expect_error("[a]\nk: 1\n\n[a]\nj: 2\n",
	               "t.conf:4: section [a] already appears on line 1\n");
}

Test(conf, rejects_missing_space_after_colon)
{
	S_expect_error("[a]\nk:v\n", "t.conf:2: put a space after the ':'\n");
}

Test(conf, rejects_line_without_colon)
{
	S_expect_error("[a]\nk v\n", "t.conf:2: expected 'key: value'\n");
}

Test(conf, rejects_line_without_key)
{
	S_expect_error("[a]\n: v\n", "t.conf:2: expected 'key: value'\n");
}

Test(conf, rejects_upper_case_key)
{
	S_expect_error("[a]\nKey: v\n", "t.conf:2: keys are lower case\n");
}

Test(conf, rejects_key_with_upper_case_inside)
{
	S_expect_error("[a]\nsiteName: v\n", "t.conf:2: keys are lower case\n");
}

Test(conf, rejects_unterminated_quoted_value)
{
	S_expect_error("[a]\nk: \"open\n", "t.conf:2: a quoted value must end with '\"'\n");
}

Test(conf, rejects_lone_quote_value)
{
	S_expect_error("[a]\nk: \"\n", "t.conf:2: a quoted value must end with '\"'\n");
}

Test(conf, rejects_unescaped_quote_inside_quoted_value)
{
	S_expect_error("[a]\nk: \"a\"b\"\n",
	               "t.conf:2: write \\\" for a quote inside a quoted value\n");
}

Test(conf, rejects_invalid_utf8)
{
	S_expect_error("[a]\nk: caf\xe9\n", "t.conf:2: not valid UTF-8 text\n");
}

Test(conf, reports_line_numbers_with_crlf)
{
	S_expect_error("[a]\r\nk: 1\r\n\r\nk: 2\r\n", "t.conf:4: 'k' is already set on line 2\n");
}

Test(conf, reports_every_error_in_one_file)
{
	S_expect_error("k: 0\n[a]\nk: 1\nK: 2\nk: 3\n[B]\n[a]\nj:2\n",
	               "t.conf:1: 'k' comes before any [section]\n"
	               "t.conf:4: keys are lower case\n"
	               "t.conf:5: 'k' is already set on line 3\n"
	               "t.conf:6: a section header is '[name]' with a lower-case name\n"
	               "t.conf:7: section [a] already appears on line 2\n"
	               "t.conf:8: put a space after the ':'\n");
}

Test(conf, appends_to_existing_errors)
{
	struct buf err = BUF_INIT;
	struct conf c;
	buf_adds(&err, "earlier\n");
	cr_assert_eq(S_parse(&c, "[a]\nk: v\n", &err), 0);
	cr_assert_str_eq(err.ptr, "earlier\n");
	conf_release(&c);
	buf_release(&err);
}

/* --- conf_parse_line ---------------------------------------------------------------------- */

Test(conf, parse_line_gives_key_span_and_value)
{
	struct buf value = BUF_INIT;
	const char *line = "title: \"A \\\"B\\\"\"", *key = NULL, *why = NULL;
	size_t klen = 0;
	cr_assert_eq(conf_parse_line(line, strlen(line), &key, &klen, &value, &why), 0);
	cr_assert_eq(key, line);
	cr_assert_eq(klen, 5);
	cr_assert_str_eq(value.ptr, "A \"B\"");
	buf_release(&value);
}

Test(conf, parse_line_resets_value)
{
	struct buf value = BUF_INIT;
	const char *key, *why;
	size_t klen;
	buf_adds(&value, "old");
	cr_assert_eq(conf_parse_line("k: new", 6, &key, &klen, &value, &why), 0);
	cr_assert_str_eq(value.ptr, "new");
	buf_release(&value);
}

Test(conf, parse_line_looks_at_n_bytes_only)
{
	struct buf value = BUF_INIT;
	const char *key, *why;
	size_t klen;
	cr_assert_eq(conf_parse_line("k: abcdef", 5, &key, &klen, &value, &why), 0);
	cr_assert_str_eq(value.ptr, "ab");
	buf_release(&value);
}

Test(conf, parse_line_rejects_missing_colon)
{
	struct buf value = BUF_INIT;
	const char *key, *why = NULL;
	size_t klen;
	cr_assert_eq(conf_parse_line("key", 3, &key, &klen, &value, &why), -1);
	cr_assert_str_eq(why, "expected 'key: value'");
	buf_release(&value);
}

/* --- conf_load ---------------------------------------------------------------------------- */

Test(conf, load_reads_a_file)
{
	char path[] = "/tmp/okpay-conf-test-XXXXXX";
	struct buf err = BUF_INIT;
	struct conf c = {0};
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	cr_assert_eq(write(fd, "[a]\nk: v\n", 9), 9);
	close(fd);
	int rc = conf_load(&c, path, &err);
	unlink(path);
	cr_assert_eq(rc, 0, "%s", err.ptr);
	cr_assert_str_eq(c.path, path);
	cr_assert_str_eq(S_value(&c, "a", "k"), "v");
	conf_release(&c);
	buf_release(&err);
}

Test(conf, load_reports_missing_file)
{
	struct buf err = BUF_INIT;
	struct conf c = {0};
	cr_assert_eq(conf_load(&c, "/nonexistent/okpay.conf", &err), -1);
	cr_assert_str_eq(err.ptr, "/nonexistent/okpay.conf: No such file or directory\n");
	cr_assert_eq(c.n, 0);
	conf_release(&c);
	buf_release(&err);
}
