/* admin_out_test.c - okpay-admin's output: display width, aligned tables, JSON escaping. */
#include <criterion/criterion.h>

#include <string.h>

#include "admin_out.h"
#include "buf.h"

static size_t S_width(const char *s)
{
	return admin_out_width(s, strlen(s));
}

static char *S_json(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	admin_out_json_string(&b, s, n);
	return buf_detach(&b, NULL);
}

Test(admin_out, ascii_is_one_column_per_character)
{
	cr_assert_eq(S_width(""), 0);
	cr_assert_eq(S_width("li.wei@example.com"), 18);
}

Test(admin_out, chinese_characters_take_two_columns)
{
	cr_assert_eq(S_width("王伟"), 4);
	cr_assert_eq(S_width("王伟 Wang"), 9);
	cr_assert_eq(S_width("账户被锁定（客服）"), 18); /* full-width parentheses too */
	cr_assert_eq(S_width("ｏｋ"), 4);                /* full-width Latin */
	cr_assert_eq(S_width("é"), 1);                   /* precomposed Latin: one */
	cr_assert_eq(S_width("e\xcc\x81"), 1);           /* e + combining acute: one */
}

Test(admin_out, control_characters_count_as_their_escapes)
{
	cr_assert_eq(S_width("a\x1b"), 5);    /* \x1b */
	cr_assert_eq(S_width("\xc2\x9b"), 6); /* C1 CSI as \u009b */
	cr_assert_eq(S_width("\xff"), 4);     /* invalid byte as \xff */
	struct buf b = BUF_INIT;
	admin_out_text(&b, "a\x1b[2Jb\xc2\x9b\xff", 9);
	cr_assert_str_eq(b.ptr, "a\\x1b[2Jb\\u009b\\xff");
	cr_assert_eq(admin_out_width(b.ptr, b.len), S_width("a\x1b[2Jb\xc2\x9b\xff"));
	buf_release(&b);
}

Test(admin_out, table_aligns_mixed_chinese_and_ascii)
{
	static const char *const head[] = {"id", "name", "email"};
	struct admin_out_table t;
	struct buf b = BUF_INIT;
	admin_out_table_init(&t, 3, head);
	t.align[0] = ADMIN_OUT_RIGHT;
	admin_out_table_cell(&t, "7");
	admin_out_table_cell(&t, "王伟");
	admin_out_table_cell(&t, "wang@example.com");
	admin_out_table_cell(&t, "12");
	admin_out_table_cell(&t, "Li Wei");
	admin_out_table_cellf(&t, "%s@%s", "li", "example.com");
	admin_out_table_render(&t, &b);
	cr_assert_str_eq(b.ptr, "id  name    email\n"
	                        " 7  王伟    wang@example.com\n"
	                        "12  Li Wei  li@example.com\n");
	admin_out_table_release(&t);
	buf_release(&b);
}

Test(admin_out, table_columns_line_up_on_screen)
{
	/* Every line's columns start at the same display column, whatever the script. */
	static const char *const head[] = {"a", "b"};
	static const char *const names[] = {"张三丰", "Zhang San Feng", "ab", "混合 mixed 文字"};
	struct admin_out_table t;
	struct buf b = BUF_INIT;
	admin_out_table_init(&t, 2, head);
	for (size_t i = 0; i < 4; i++) {
		admin_out_table_cell(&t, names[i]);
		admin_out_table_cell(&t, "X");
	}
	admin_out_table_render(&t, &b);
	size_t col = 0;
	int lines = 0;
	for (char *line = b.ptr, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
		char *x = strchr(line, lines ? 'X' : 'b');
		cr_assert(x && x < nl);
		size_t w = admin_out_width(line, (size_t)(x - line));
		if (lines)
			cr_assert_eq(w, col, "line %d: column at %zu, not %zu", lines, w, col);
		col = w;
	}
	cr_assert_eq(lines, 5);
	admin_out_table_release(&t);
	buf_release(&b);
}

Test(admin_out, table_lines_have_no_trailing_blanks)
{
	static const char *const head[] = {"key", "value"};
	struct admin_out_table t;
	struct buf b = BUF_INIT;
	admin_out_table_init(&t, 2, head);
	admin_out_table_cell(&t, "a long key");
	admin_out_table_cell(&t, "");
	admin_out_table_render(&t, &b);
	cr_assert_str_eq(b.ptr, "key         value\na long key\n");
	admin_out_table_release(&t);
	buf_release(&b);
}

Test(admin_out, table_cells_are_terminal_safe)
{
	static const char *const head[] = {"q"};
	struct admin_out_table t;
	struct buf b = BUF_INIT;
	admin_out_table_init(&t, 1, head);
	admin_out_table_cell(&t, "x\x1b]0;pwned\x07");
	admin_out_table_render(&t, &b);
	cr_assert_str_eq(b.ptr, "q\nx\\x1b]0;pwned\\x07\n");
	admin_out_table_release(&t);
	buf_release(&b);
}

Test(admin_out, json_escapes_quotes_and_backslashes)
{
	char *s = S_json("say \"hi\" \\ bye", 14);
	cr_assert_str_eq(s, "\"say \\\"hi\\\" \\\\ bye\"");
	free(s);
}

Test(admin_out, json_escapes_control_characters)
{
	char *s = S_json("a\nb\tc\rd\x01\x1f\x7f\b\f", 12);
	cr_assert_str_eq(s, "\"a\\nb\\tc\\rd\\u0001\\u001f\\u007f\\b\\f\"");
	free(s);
	s = S_json("nul\0x", 5);
	cr_assert_str_eq(s, "\"nul\\u0000x\"");
	free(s);
}

Test(admin_out, json_escapes_line_and_paragraph_separators)
{
	char *s = S_json("a\xe2\x80\xa8"
	                 "b\xe2\x80\xa9"
	                 "c",
	                 9);
	cr_assert_str_eq(s, "\"a\\u2028b\\u2029c\"");
	free(s);
}

Test(admin_out, json_keeps_chinese_and_replaces_invalid_bytes)
{
	char *s = S_json("王伟\xff", 7);
	cr_assert_str_eq(s, "\"王伟\\ufffd\"");
	free(s);
}

Test(admin_out, json_writer_places_commas)
{
	struct buf b = BUF_INIT;
	struct admin_out_json j;
	admin_out_json_init(&j, &b);
	admin_out_json_object(&j);
	admin_out_json_key(&j, "id");
	admin_out_json_int(&j, 7);
	admin_out_json_key(&j, "name");
	admin_out_json_str(&j, "王\"");
	admin_out_json_key(&j, "tags");
	admin_out_json_array(&j);
	admin_out_json_bool(&j, 1);
	admin_out_json_null(&j);
	admin_out_json_object(&j);
	admin_out_json_end(&j, '}');
	admin_out_json_end(&j, ']');
	admin_out_json_key(&j, "none");
	admin_out_json_str(&j, NULL);
	admin_out_json_key(&j, "at");
	admin_out_json_time(&j, 1764083045);
	admin_out_json_end(&j, '}');
	cr_assert_str_eq(b.ptr,
	                 "{\"id\":7,\"name\":\"王\\\"\",\"tags\":[true,null,{}],\"none\":null,"
	                 "\"at\":\"2025-11-25T15:04:05Z\"}");
	buf_release(&b);
}
