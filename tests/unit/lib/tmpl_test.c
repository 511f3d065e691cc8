/* tmpl_test.c - unit tests for lib/tmpl.c: compiling and rendering Mustache-style templates. */
#include "tmpl.h"
#include "buf.h"
#include "tv.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define S_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define S_ASAN 1
#endif
#endif
#ifdef S_ASAN
#include <sanitizer/lsan_interface.h>
#endif

/*
 * Under ASan, fail if anything allocated so far is unreachable: leaks are reported only at exit,
 * which does not fail a Criterion test. Without ASan this checks nothing.
 */
static void S_assert_no_leaks(void)
{
#ifdef S_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked (see the report above)");
#endif
}

/* A set holding src under name; the test fails if it does not compile. */
static struct tmpl_set *S_set(const char *name, const char *src)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	int rc = tmpl_set_add(set, name, src, strlen(src), &err);
	cr_assert_eq(rc, 0, "%s does not compile: %s", name, err.ptr);
	buf_release(&err);
	return set;
}

/* Render src as template "t" with data; the output and error go to out and err. */
static int S_render(const char *src, const struct tv *data, int strict, struct buf *out,
                    struct buf *err)
{
	struct tmpl_set *set = S_set("t", src);
	int rc = tmpl_render(set, "t", data, strict, out, err);
	tmpl_set_free(set);
	return rc;
}

/* src rendered with data (not strict) is want, without error. */
static void S_renders(const char *src, const struct tv *data, const char *want)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc = S_render(src, data, 0, &out, &err);
	cr_assert_eq(rc, 0, "render of \"%s\" failed: %s", src, err.ptr);
	cr_assert_str_eq(out.ptr, want, "template \"%s\"", src);
	cr_assert_eq(out.len, strlen(want));
	cr_assert_eq(err.len, 0, "error for success: %s", err.ptr);
	buf_release(&out);
	buf_release(&err);
}

/* Compiling src as "t" fails with an error that starts with prefix and says something more. */
static void S_syntax_error(const char *src, const char *prefix)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "t", src, strlen(src), &err), -1, "\"%s\" compiled", src);
	cr_assert_eq(strncmp(err.ptr, prefix, strlen(prefix)), 0,
	             "error for \"%s\" is \"%s\", want \"%s...\"", src, err.ptr, prefix);
	cr_assert_gt(err.len, strlen(prefix), "error \"%s\" has no message", err.ptr);
	cr_assert_not(tmpl_set_has(set, "t"), "a template that failed to compile was added");
	tmpl_set_free(set);
	buf_release(&err);
	S_assert_no_leaks();
}

static void S_mktemp_dir(char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, n, "%s/okpay-tmpl-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void S_write(const char *dir, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static int S_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void S_rmtree(const char *dir)
{
	nftw(dir, S_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- text and variables --------------------------------------------------------------------- */

Test(tmpl, renders_plain_text)
{
	S_renders("Hello, world.\nSecond line.\n", NULL, "Hello, world.\nSecond line.\n");
}

Test(tmpl, renders_empty_template)
{
	S_renders("", NULL, "");
}

Test(tmpl, renders_single_braces_as_text)
{
	S_renders("a { b } c }} d", NULL, "a { b } c }} d");
}

Test(tmpl, substitutes_variable)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "name", "Ann");
	S_renders("Hi {{name}}!", d, "Hi Ann!");
	tv_free(d);
}

Test(tmpl, ignores_white_space_inside_tags)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "name", "Ann");
	S_renders("[{{ name }}][{{{ name }}}][{{& name }}][{{\tname\t}}]", d,
	          "[Ann][Ann][Ann][Ann]");
	tv_free(d);
}

Test(tmpl, escapes_html_special_characters)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "v", "<b>&\"'</b>");
	S_renders("{{v}}", d, "&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;");
	tv_free(d);
}

Test(tmpl, triple_mustache_is_not_escaped)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "html", "<p class=\"x\">a & b's</p>");
	S_renders("{{{html}}}", d, "<p class=\"x\">a & b's</p>");
	tv_free(d);
}

Test(tmpl, ampersand_tag_is_not_escaped)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "html", "<em>&amp;</em>");
	S_renders("{{&html}}", d, "<em>&amp;</em>");
	tv_free(d);
}

Test(tmpl, renders_same_variable_many_times)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "a", "1");
	tv_set_str(d, "b", "2");
	S_renders("{{a}}{{b}}{{a}} {{b}}", d, "121 2");
	tv_free(d);
}

Test(tmpl, renders_integers)
{
	struct tv *d = tv_new_obj();
	tv_set_int(d, "n", -15);
	S_renders("n={{n}}", d, "n=-15");
	tv_free(d);
}

Test(tmpl, missing_key_renders_empty_when_not_strict)
{
	struct tv *d = tv_new_obj();
	S_renders("[{{nope}}][{{{nope}}}][{{a.b}}]", d, "[][][]");
	S_renders("[{{nope}}]", NULL, "[]");
	tv_free(d);
}

Test(tmpl, strict_renders_present_keys)
{
	struct tv *d = tv_new_obj();
	struct buf out = BUF_INIT, err = BUF_INIT;
	tv_set_str(d, "a", "x");
	tv_set_str(d, "empty", "");
	cr_assert_eq(S_render("{{a}}[{{empty}}]", d, 1, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "x[]");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
}

Test(tmpl, strict_missing_key_fails_with_name_and_line)
{
	struct tv *d = tv_new_obj();
	struct buf out = BUF_INIT, err = BUF_INIT;
	tv_set_str(d, "a", "x");
	cr_assert_eq(S_render("{{a}}\nline two\n  {{missing}}\n", d, 1, &out, &err), -1);
	cr_assert_str_eq(err.ptr, "t:3: no value for missing");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
}

Test(tmpl, strict_missing_raw_key_fails)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(S_render("\n{{{body}}}", NULL, 1, &out, &err), -1);
	cr_assert_str_eq(err.ptr, "t:2: no value for body");
	buf_release(&out);
	buf_release(&err);
}

Test(tmpl, strict_missing_key_inside_section_reports_its_line)
{
	struct tv *d = tv_new_obj();
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tv *items = tv_set_list(d, "items");
	tv_set_str(tv_push_obj(items), "name", "a");
	tv_push_obj(items);
	cr_assert_eq(
	    S_render("<ul>\n{{#items}}\n<li>{{name}}</li>\n{{/items}}\n</ul>\n", d, 1, &out, &err),
	    -1);
	cr_assert_str_eq(err.ptr, "t:3: no value for name");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
	S_assert_no_leaks();
}

Test(tmpl, strict_missing_dotted_key_fails)
{
	struct tv *d = tv_new_obj();
	struct buf out = BUF_INIT, err = BUF_INIT;
	tv_set_obj(d, "user");
	cr_assert_eq(S_render("{{user.email}}", d, 1, &out, &err), -1);
	cr_assert_str_eq(err.ptr, "t:1: no value for user.email");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
}

Test(tmpl, strict_missing_section_is_not_an_error)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(S_render("a{{#nope}}b{{/nope}}{{^nope}}c{{/nope}}", NULL, 1, &out, &err), 0,
	             "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "ac");
	buf_release(&out);
	buf_release(&err);
}

/* --- sections ------------------------------------------------------------------------------- */

Test(tmpl, section_repeats_for_each_list_item)
{
	struct tv *d = tv_new_obj();
	struct tv *l = tv_set_list(d, "items");
	tv_set_str(tv_push_obj(l), "name", "a");
	tv_set_str(tv_push_obj(l), "name", "<b>");
	tv_set_str(tv_push_obj(l), "name", "c");
	S_renders("{{#items}}({{name}}){{/items}}", d, "(a)(&lt;b&gt;)(c)");
	tv_free(d);
}

Test(tmpl, section_over_list_of_strings_sets_dot)
{
	struct tv *d = tv_new_obj();
	struct tv *l = tv_set_list(d, "tags");
	tv_push_str(l, "fees", 4);
	tv_push_str(l, "a&b", 3);
	S_renders("{{#tags}}[{{.}}]{{/tags}}", d, "[fees][a&amp;b]");
	tv_free(d);
}

Test(tmpl, section_over_empty_list_renders_nothing)
{
	struct tv *d = tv_new_obj();
	tv_set_list(d, "items");
	S_renders("a{{#items}}item{{/items}}b", d, "ab");
	tv_free(d);
}

Test(tmpl, section_over_object_enters_it_once)
{
	struct tv *d = tv_new_obj();
	struct tv *u = tv_set_obj(d, "user");
	tv_set_str(u, "name", "Ann");
	tv_set_str(u, "email", "ann@example.com");
	S_renders("{{#user}}{{name}} &lt;{{email}}&gt;{{/user}}", d, "Ann &lt;ann@example.com&gt;");
	tv_free(d);
}

Test(tmpl, section_over_empty_object_renders_once)
{
	struct tv *d = tv_new_obj();
	tv_set_obj(d, "o");
	S_renders("{{#o}}x{{/o}}", d, "x");
	tv_free(d);
}

Test(tmpl, section_over_true_renders_once)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "show", 1);
	tv_set_str(d, "name", "Ann");
	S_renders("{{#show}}shown {{name}}{{/show}}", d, "shown Ann");
	tv_free(d);
}

Test(tmpl, section_over_false_is_skipped)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "show", 0);
	S_renders("a{{#show}}hidden{{/show}}b", d, "ab");
	tv_free(d);
}

Test(tmpl, section_over_missing_key_is_skipped)
{
	struct tv *d = tv_new_obj();
	S_renders("a{{#nope}}hidden{{/nope}}b", d, "ab");
	tv_free(d);
}

Test(tmpl, section_over_string_sets_dot)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "notice", "Fees <changed>");
	S_renders("{{#notice}}<p>{{.}}</p>{{/notice}}", d, "<p>Fees &lt;changed&gt;</p>");
	tv_free(d);
}

Test(tmpl, section_over_empty_string_is_skipped)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "notice", "");
	S_renders("a{{#notice}}<p>{{.}}</p>{{/notice}}b", d, "ab");
	tv_free(d);
}

Test(tmpl, inverted_section_renders_when_falsy)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "f", 0);
	tv_set_str(d, "e", "");
	tv_set_list(d, "l");
	S_renders("{{^f}}1{{/f}}{{^e}}2{{/e}}{{^l}}3{{/l}}{{^missing}}4{{/missing}}", d, "1234");
	tv_free(d);
}

Test(tmpl, inverted_section_is_skipped_when_truthy)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "t", 1);
	tv_set_str(d, "s", "x");
	tv_push_str(tv_set_list(d, "l"), "x", 1);
	tv_set_obj(d, "o");
	S_renders("a{{^t}}1{{/t}}{{^s}}2{{/s}}{{^l}}3{{/l}}{{^o}}4{{/o}}b", d, "ab");
	tv_free(d);
}

Test(tmpl, section_and_inverted_section_pair)
{
	struct tv *d = tv_new_obj();
	tv_set_list(d, "items");
	S_renders("{{#items}}{{.}}{{/items}}{{^items}}No items.{{/items}}", d, "No items.");
	tv_free(d);
}

Test(tmpl, nested_sections_look_up_outer_names)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "site", "OKpay");
	struct tv *cats = tv_set_list(d, "cats");
	struct tv *c = tv_push_obj(cats);
	tv_set_str(c, "title", "Fees");
	struct tv *arts = tv_set_list(c, "articles");
	tv_set_str(tv_push_obj(arts), "title2", "Limits");
	tv_set_str(tv_push_obj(arts), "title2", "Refunds");
	S_renders("{{#cats}}{{#articles}}{{site}}/{{title}}/{{title2}};{{/articles}}{{/cats}}", d,
	          "OKpay/Fees/Limits;OKpay/Fees/Refunds;");
	tv_free(d);
}

Test(tmpl, inner_name_hides_outer_name)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "name", "outer");
	struct tv *l = tv_set_list(d, "items");
	tv_set_str(tv_push_obj(l), "name", "inner");
	tv_push_obj(l);
	S_renders("{{#items}}{{name}},{{/items}}{{name}}", d, "inner,outer,outer");
	tv_free(d);
}

Test(tmpl, section_over_true_keeps_the_context)
{
	struct tv *d = tv_new_obj();
	struct tv *u = tv_set_obj(d, "user");
	tv_set_bool(u, "admin", 1);
	tv_set_str(u, "name", "Ann");
	S_renders("{{#user}}{{#admin}}{{name}} is admin{{/admin}}{{/user}}", d, "Ann is admin");
	tv_free(d);
}

Test(tmpl, same_section_name_nested)
{
	struct tv *d = tv_new_obj();
	struct tv *a = tv_set_obj(d, "a");
	struct tv *aa = tv_set_obj(a, "a");
	tv_set_str(aa, "v", "deep");
	S_renders("{{#a}}{{#a}}{{v}}{{/a}}{{/a}}", d, "deep");
	tv_free(d);
}

/* --- dotted names --------------------------------------------------------------------------- */

Test(tmpl, dotted_name_descends_into_objects)
{
	struct tv *d = tv_new_obj();
	struct tv *a = tv_set_obj(d, "a");
	struct tv *b = tv_set_obj(a, "b");
	tv_set_str(b, "c", "found");
	tv_set_str(a, "x", "ax");
	S_renders("{{a.b.c}} {{a.x}}", d, "found ax");
	tv_free(d);
}

Test(tmpl, dotted_name_first_part_found_from_inner_context)
{
	struct tv *d = tv_new_obj();
	struct tv *ui = tv_set_obj(d, "ui");
	tv_set_str(ui, "more", "Read more");
	struct tv *l = tv_set_list(d, "items");
	tv_set_str(tv_push_obj(l), "title", "A");
	S_renders("{{#items}}{{title}}: {{ui.more}}{{/items}}", d, "A: Read more");
	tv_free(d);
}

Test(tmpl, dotted_name_with_missing_part_renders_empty)
{
	struct tv *d = tv_new_obj();
	struct tv *a = tv_set_obj(d, "a");
	tv_set_str(a, "b", "x");
	S_renders("[{{a.nope}}][{{a.b.c}}][{{nope.b}}]", d, "[][][]");
	tv_free(d);
}

Test(tmpl, dotted_name_does_not_fall_back_to_outer_context)
{
	/* a is found in the inner context, which has no a.b: the outer a.b is not used. */
	struct tv *d = tv_new_obj();
	tv_set_str(tv_set_obj(d, "a"), "b", "outer");
	tv_set_obj(tv_set_obj(d, "inner"), "a");
	S_renders("{{#inner}}[{{a.b}}]{{/inner}}", d, "[]");
	tv_free(d);
}

Test(tmpl, dotted_name_as_section)
{
	struct tv *d = tv_new_obj();
	struct tv *l = tv_set_list(tv_set_obj(d, "page"), "links");
	tv_push_str(l, "x", 1);
	tv_push_str(l, "y", 1);
	S_renders("{{#page.links}}{{.}}{{/page.links}}", d, "xy");
	tv_free(d);
}

/* --- comments ------------------------------------------------------------------------------- */

Test(tmpl, comment_renders_nothing)
{
	S_renders("a{{! this is {not} rendered }}b", NULL, "ab");
}

Test(tmpl, comment_may_hold_any_characters)
{
	S_renders("a{{!<>&\"' # / ^ }}b{{!}}c", NULL, "abc");
}

/* --- standalone lines ----------------------------------------------------------------------- */

Test(tmpl, standalone_section_lines_leave_no_blank_line)
{
	struct tv *d = tv_new_obj();
	struct tv *l = tv_set_list(d, "items");
	tv_push_str(l, "a", 1);
	tv_push_str(l, "b", 1);
	S_renders("<ul>\n{{#items}}\n<li>{{.}}</li>\n{{/items}}\n</ul>\n", d,
	          "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	tv_free(d);
}

Test(tmpl, standalone_lines_with_indentation_leave_no_blank_line)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "show", 1);
	S_renders("<div>\n  {{#show}}  \n  <p>x</p>\n\t{{/show}}\t\n</div>\n", d,
	          "<div>\n  <p>x</p>\n</div>\n");
	tv_free(d);
}

Test(tmpl, standalone_skipped_section_leaves_no_blank_line)
{
	S_renders("a\n{{#nope}}\nhidden\n{{/nope}}\nb\n", NULL, "a\nb\n");
}

Test(tmpl, standalone_inverted_section_lines_leave_no_blank_line)
{
	S_renders("a\n{{^nope}}\nshown\n{{/nope}}\nb\n", NULL, "a\nshown\nb\n");
}

Test(tmpl, standalone_comment_line_leaves_no_blank_line)
{
	S_renders("a\n  {{! a note for template authors }}\nb\n", NULL, "a\nb\n");
}

Test(tmpl, standalone_lines_with_crlf_endings)
{
	S_renders("a\r\n{{#nope}}\r\nhidden\r\n{{/nope}}\r\nb\r\n", NULL, "a\r\nb\r\n");
}

Test(tmpl, standalone_tag_on_last_line_without_newline)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "t", 1);
	S_renders("{{#t}}\nx\n{{/t}}", d, "x\n");
	tv_free(d);
}

Test(tmpl, section_tags_within_text_keep_the_line)
{
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "t", 1);
	S_renders("a {{#t}}b{{/t}} c\n{{#t}}d{{/t}}\n", d, "a b c\nd\n");
	tv_free(d);
}

Test(tmpl, variable_alone_on_a_line_keeps_its_newline)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "v", "x");
	S_renders("{{v}}\n{{nope}}\nend", d, "x\n\nend");
	tv_free(d);
}

/* --- partials ------------------------------------------------------------------------------- */

Test(tmpl, partial_renders_in_current_context)
{
	struct tmpl_set *set = S_set("page", "<h1>{{title}}</h1>{{> footer}}");
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tv *d = tv_new_obj();
	cr_assert_eq(tmpl_set_add(set, "footer", "<footer>{{site}}</footer>", 25, &err), 0);
	tv_set_str(d, "title", "Fees");
	tv_set_str(d, "site", "OK&pay");
	cr_assert_eq(tmpl_render(set, "page", d, 1, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "<h1>Fees</h1><footer>OK&amp;pay</footer>");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
	tmpl_set_free(set);
}

Test(tmpl, partial_inside_section_sees_the_item)
{
	struct tmpl_set *set = S_set("list", "{{#items}}{{>item}}{{/items}}");
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tv *d = tv_new_obj();
	struct tv *l = tv_set_list(d, "items");
	cr_assert_eq(tmpl_set_add(set, "item", "<li>{{name}}@{{site}}</li>", 26, &err), 0);
	tv_set_str(d, "site", "s");
	tv_set_str(tv_push_obj(l), "name", "a");
	tv_set_str(tv_push_obj(l), "name", "b");
	cr_assert_eq(tmpl_render(set, "list", d, 0, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "<li>a@s</li><li>b@s</li>");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
	tmpl_set_free(set);
}

Test(tmpl, partial_may_be_added_after_its_user)
{
	struct tmpl_set *set = S_set("a", "[{{> b}}]");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "b", "B", 1, &err), 0);
	cr_assert_eq(tmpl_render(set, "a", NULL, 0, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "[B]");
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

Test(tmpl, unknown_partial_fails_with_message)
{
	struct tmpl_set *set = S_set("page", "line one\n{{> nosuch}}\n");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_render(set, "page", NULL, 0, &out, &err), -1);
	cr_assert(strncmp(err.ptr, "page:2: ", 8) == 0, "error is \"%s\"", err.ptr);
	cr_assert_not_null(strstr(err.ptr, "nosuch"), "error is \"%s\"", err.ptr);
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
	S_assert_no_leaks();
}

Test(tmpl, unknown_template_fails_with_message)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_render(set, "nosuch", NULL, 0, &out, &err), -1);
	cr_assert_not_null(strstr(err.ptr, "nosuch"), "error is \"%s\"", err.ptr);
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

Test(tmpl, partial_recursion_fails_cleanly, .timeout = 30)
{
	/* A template that includes itself must stop with an error, not overflow the stack. */
	struct tmpl_set *set = S_set("self", "x{{> self}}");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_render(set, "self", NULL, 0, &out, &err), -1);
	cr_assert(strncmp(err.ptr, "self:1: ", 8) == 0, "error is \"%s\"", err.ptr);
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
	S_assert_no_leaks();
}

Test(tmpl, mutual_partial_recursion_fails_cleanly, .timeout = 30)
{
	struct tmpl_set *set = S_set("a", "{{#x}}a{{> b}}{{/x}}");
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tv *d = tv_new_obj();
	tv_set_bool(d, "x", 1);
	cr_assert_eq(tmpl_set_add(set, "b", "b{{> a}}", 8, &err), 0);
	cr_assert_eq(tmpl_render(set, "a", d, 0, &out, &err), -1);
	cr_assert_gt(err.len, 0);
	cr_assert_eq(err.ptr[0] == 'a' || err.ptr[0] == 'b', 1, "error is \"%s\"", err.ptr);
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
	tmpl_set_free(set);
	S_assert_no_leaks();
}

/* A chain p0 -> p1 -> ... -> p<depth>, where p<depth> renders "end". */
static struct tmpl_set *S_partial_chain(int depth)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf name = BUF_INIT, src = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i <= depth; i++) {
		buf_reset(&name);
		buf_reset(&src);
		buf_addf(&name, "p%d", i);
		if (i < depth)
			buf_addf(&src, "{{> p%d}}", i + 1);
		else
			buf_adds(&src, "end");
		cr_assert_eq(tmpl_set_add(set, name.ptr, src.ptr, src.len, &err), 0, "%s", err.ptr);
	}
	buf_release(&name);
	buf_release(&src);
	buf_release(&err);
	return set;
}

Test(tmpl, partials_nested_32_deep_render)
{
	struct tmpl_set *set = S_partial_chain(32);
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_render(set, "p0", NULL, 0, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "end");
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

Test(tmpl, partials_nested_deeper_than_32_fail)
{
	struct tmpl_set *set = S_partial_chain(33);
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_render(set, "p0", NULL, 0, &out, &err), -1);
	cr_assert(strncmp(err.ptr, "p32:1: ", 7) == 0, "error is \"%s\"", err.ptr);
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

/* --- the set -------------------------------------------------------------------------------- */

Test(tmpl, set_has_reports_added_templates)
{
	struct tmpl_set *set = S_set("page", "x");
	cr_assert(tmpl_set_has(set, "page"));
	cr_assert_not(tmpl_set_has(set, "pag"));
	cr_assert_not(tmpl_set_has(set, "pages"));
	cr_assert_not(tmpl_set_has(set, ""));
	tmpl_set_free(set);
}

Test(tmpl, free_of_null_set_is_harmless)
{
	tmpl_set_free(NULL);
}

Test(tmpl, add_replaces_template_of_same_name)
{
	struct tmpl_set *set = S_set("t", "old");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "t", "new", 3, &err), 0);
	cr_assert_eq(tmpl_render(set, "t", NULL, 0, &out, &err), 0);
	cr_assert_str_eq(out.ptr, "new");
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
	S_assert_no_leaks();
}

Test(tmpl, add_uses_length_not_nul)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "t", "abc{{unclosed", 3, &err), 0, "%s", err.ptr);
	cr_assert_eq(tmpl_render(set, "t", NULL, 0, &out, &err), 0);
	cr_assert_str_eq(out.ptr, "abc");
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

Test(tmpl, compiled_template_renders_many_times)
{
	struct tmpl_set *set = S_set("t", "{{#l}}{{.}}{{/l}}|{{n}}");
	struct buf out = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i < 5; i++) {
		struct tv *d = tv_new_obj();
		struct tv *l = tv_set_list(d, "l");
		for (int k = 0; k < i; k++)
			tv_push_str(l, "x", 1);
		tv_set_int(d, "n", i);
		buf_reset(&out);
		cr_assert_eq(tmpl_render(set, "t", d, 1, &out, &err), 0, "%s", err.ptr);
		char want[32];
		snprintf(want, sizeof(want), "%.*s|%d", i, "xxxxx", i);
		cr_assert_str_eq(out.ptr, want);
		tv_free(d);
	}
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
}

struct S_thread_arg {
	const struct tmpl_set *set;
	const struct tv *data;
	int failures;
};

static void *S_thread_render(void *p)
{
	struct S_thread_arg *a = p;
	struct buf out = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i < 200; i++) {
		buf_reset(&out);
		if (tmpl_render(a->set, "page", a->data, 1, &out, &err) != 0 ||
		    !buf_eqs(&out, "<h1>T</h1><li>a</li><li>b</li>"))
			a->failures++;
	}
	buf_release(&out);
	buf_release(&err);
	return NULL;
}

Test(tmpl, renders_from_several_threads_at_once)
{
	struct tmpl_set *set = S_set("page", "<h1>{{title}}</h1>{{#items}}{{> item}}{{/items}}");
	struct buf err = BUF_INIT;
	struct tv *d = tv_new_obj();
	pthread_t th[4];
	struct S_thread_arg args[4];
	cr_assert_eq(tmpl_set_add(set, "item", "<li>{{.}}</li>", 14, &err), 0);
	tv_set_str(d, "title", "T");
	struct tv *l = tv_set_list(d, "items");
	tv_push_str(l, "a", 1);
	tv_push_str(l, "b", 1);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct S_thread_arg){set, d, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, S_thread_render, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(args[i].failures, 0, "thread %d failed %d times", i, args[i].failures);
	}
	buf_release(&err);
	tv_free(d);
	tmpl_set_free(set);
}

/* --- syntax errors -------------------------------------------------------------------------- */

Test(tmpl, unclosed_tag_fails_with_line)
{
	S_syntax_error("first\nsecond {{name\nthird", "t:2: ");
}

Test(tmpl, unclosed_tag_at_end_fails)
{
	S_syntax_error("text {{", "t:1: ");
}

Test(tmpl, unclosed_triple_mustache_fails)
{
	S_syntax_error("a\nb\n{{{html}}", "t:3: ");
}

Test(tmpl, unclosed_section_fails_with_line_of_opening_tag)
{
	S_syntax_error("a\n{{#items}}\nb\nc\n", "t:2: ");
}

Test(tmpl, unclosed_inner_section_fails)
{
	S_syntax_error("{{#a}}\n{{#b}}\n{{/a}}\n", "t:3: ");
}

Test(tmpl, mismatched_close_fails_with_line)
{
	S_syntax_error("{{#a}}\n\n{{/b}}", "t:3: ");
}

Test(tmpl, mismatched_close_names_the_tag)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "t", "{{#open}}{{/other}}", 19, &err), -1);
	cr_assert_not_null(strstr(err.ptr, "other"), "error is \"%s\"", err.ptr);
	buf_release(&err);
	tmpl_set_free(set);
}

Test(tmpl, close_without_open_fails)
{
	S_syntax_error("a\n{{/a}}", "t:2: ");
}

Test(tmpl, bad_tag_name_fails_with_line)
{
	S_syntax_error("a\nb\n{{bad name}}", "t:3: ");
}

Test(tmpl, bad_tag_names_fail)
{
	S_syntax_error("{{}}", "t:1: ");
	S_syntax_error("{{  }}", "t:1: ");
	S_syntax_error("{{{}}}", "t:1: ");
	S_syntax_error("{{#}}{{/}}", "t:1: ");
	S_syntax_error("{{a<b}}", "t:1: ");
	S_syntax_error("{{a\"b}}", "t:1: ");
	S_syntax_error("{{> }}", "t:1: ");
	S_syntax_error("{{=<% %>=}}", "t:1: ");
}

Test(tmpl, tag_spanning_lines_fails_with_line)
{
	S_syntax_error("a\n{{na\nme}}\n", "t:2: ");
}

Test(tmpl, comment_spanning_lines_fails)
{
	S_syntax_error("a\n{{! one\ntwo }}\n", "t:2: ");
}

Test(tmpl, section_tag_spanning_lines_fails)
{
	S_syntax_error("{{#a\n}}x{{/a}}", "t:1: ");
}

Test(tmpl, error_line_counts_lines_removed_by_standalone_tags)
{
	S_syntax_error("{{#a}}\n{{/a}}\n{{! note }}\n\n{{bad name}}\n", "t:5: ");
}

Test(tmpl, error_line_counts_lines_inside_text_and_tags)
{
	S_syntax_error("1\n{{x}}\n3 {{#s}}\n4{{/s}}\n5\n{{/oops}}", "t:6: ");
}

Test(tmpl, failed_add_keeps_earlier_template)
{
	struct tmpl_set *set = S_set("t", "good");
	struct buf out = BUF_INIT, err = BUF_INIT;
	cr_assert_eq(tmpl_set_add(set, "t", "{{#bad}}", 8, &err), -1);
	cr_assert_eq(tmpl_render(set, "t", NULL, 0, &out, &err), 0);
	cr_assert_str_eq(out.ptr, "good");
	buf_release(&out);
	buf_release(&err);
	tmpl_set_free(set);
	S_assert_no_leaks();
}

/* --- loading a directory -------------------------------------------------------------------- */

Test(tmpl, load_dir_adds_html_files_by_name)
{
	char dir[4096];
	struct tmpl_set *set = tmpl_set_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tv *d = tv_new_obj();
	S_mktemp_dir(dir, sizeof(dir));
	S_write(dir, "page.html", "<main>{{title}}</main>\n{{> footer}}");
	S_write(dir, "footer.html", "<footer>{{site}}</footer>\n");
	cr_assert_eq(tmpl_set_load_dir(set, dir, &err), 0, "%s", err.ptr);
	cr_assert(tmpl_set_has(set, "page"));
	cr_assert(tmpl_set_has(set, "footer"));
	cr_assert_not(tmpl_set_has(set, "page.html"));
	tv_set_str(d, "title", "Help");
	tv_set_str(d, "site", "OKpay");
	cr_assert_eq(tmpl_render(set, "page", d, 1, &out, &err), 0, "%s", err.ptr);
	cr_assert_str_eq(out.ptr, "<main>Help</main>\n<footer>OKpay</footer>\n");
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
	tmpl_set_free(set);
	S_rmtree(dir);
}

Test(tmpl, load_dir_ignores_other_files)
{
	char dir[4096], sub[4200];
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	S_write(dir, "notes.txt", "{{ not a template");
	S_write(dir, "page.html.bak", "{{ not a template");
	S_write(dir, "page.xhtml", "{{ not a template");
	S_write(dir, "ok.html", "fine");
	snprintf(sub, sizeof(sub), "%s/partials", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	S_write(sub, "inner.html", "nested");
	cr_assert_eq(tmpl_set_load_dir(set, dir, &err), 0, "%s", err.ptr);
	cr_assert(tmpl_set_has(set, "ok"));
	cr_assert_not(tmpl_set_has(set, "notes"));
	cr_assert_not(tmpl_set_has(set, "notes.txt"));
	cr_assert_not(tmpl_set_has(set, "page"));
	cr_assert_not(tmpl_set_has(set, "page.html"));
	cr_assert_not(tmpl_set_has(set, "inner"));
	buf_release(&err);
	tmpl_set_free(set);
	S_rmtree(dir);
}

Test(tmpl, load_dir_of_empty_directory_adds_nothing)
{
	char dir[4096];
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	cr_assert_eq(tmpl_set_load_dir(set, dir, &err), 0, "%s", err.ptr);
	cr_assert_eq(err.len, 0);
	buf_release(&err);
	tmpl_set_free(set);
	S_rmtree(dir);
}

Test(tmpl, load_dir_syntax_error_names_path_and_line)
{
	char dir[4096];
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT, want = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	S_write(dir, "bad.html", "<p>\n{{#open}}\n</p>\n");
	cr_assert_eq(tmpl_set_load_dir(set, dir, &err), -1);
	buf_addf(&want, "%s/bad.html:2: ", dir);
	cr_assert(strncmp(err.ptr, want.ptr, want.len) == 0, "error is \"%s\", want \"%s...\"",
	          err.ptr, want.ptr);
	cr_assert_gt(err.len, want.len);
	cr_assert_not(tmpl_set_has(set, "bad"));
	buf_release(&err);
	buf_release(&want);
	tmpl_set_free(set);
	S_rmtree(dir);
	S_assert_no_leaks();
}

Test(tmpl, load_dir_of_missing_directory_fails)
{
	char dir[4096], missing[4200];
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(missing, sizeof(missing), "%s/nosuch", dir);
	cr_assert_eq(tmpl_set_load_dir(set, missing, &err), -1);
	cr_assert(strncmp(err.ptr, missing, strlen(missing)) == 0, "error is \"%s\"", err.ptr);
	cr_assert_gt(err.len, strlen(missing));
	buf_release(&err);
	tmpl_set_free(set);
	S_rmtree(dir);
}

Test(tmpl, sections_nested_so_deep_that_the_work_explodes_fail_instead_of_running_for_hours)
{
	/* Twenty sections over a list of ten, nested: 10^20 visits. */
	struct tv *d = tv_new_obj();
	struct tv *list = tv_set_list(d, "l");
	for (int i = 0; i < 10; i++)
		tv_push_obj(list);
	struct buf src = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i < 20; i++)
		buf_adds(&src, "{{#l}}");
	buf_adds(&src, "x");
	for (int i = 0; i < 20; i++)
		buf_adds(&src, "{{/l}}");
	cr_assert_eq(S_render(src.ptr, d, 0, &out, &err), -1);
	cr_assert(strstr(err.ptr, "too much work"), "%s", err.ptr);
	/* Three levels (1,000 visits) are fine. */
	buf_reset(&out);
	buf_reset(&err);
	cr_assert_eq(S_render("{{#l}}{{#l}}{{#l}}x{{/l}}{{/l}}{{/l}}", d, 0, &out, &err), 0, "%s",
	             err.ptr);
	cr_assert_eq(out.len, 1000);
	buf_release(&src);
	buf_release(&out);
	buf_release(&err);
	tv_free(d);
}
