/* csv_test.c - CSV statements: RFC 4180 quoting, CRLF rows and the formula guard. */
#include <criterion/criterion.h>

#include "buf.h"
#include "csv.h"

/* One row of text cells, NULL-terminated, as the file would hold it. */
static void S_row(struct buf *b, const char *const *cells)
{
	struct csv c;
	csv_init(&c, b);
	for (; *cells; cells++)
		csv_texts(&c, *cells);
	csv_end_row(&c);
}

static void S_expect_text(const char *cell, const char *want)
{
	struct buf b = BUF_INIT;
	struct csv c;
	csv_init(&c, &b);
	csv_texts(&c, cell);
	cr_expect_str_eq(b.ptr, want, "cell [%s]", cell);
	buf_release(&b);
}

Test(csv, plain_cells_are_not_quoted)
{
	struct buf b = BUF_INIT;
	S_row(&b, (const char *const[]){"a", "T202611250000017", "", "李伟", NULL});
	cr_assert_str_eq(b.ptr, "a,T202611250000017,,李伟\r\n");
	buf_release(&b);
}

Test(csv, rows_end_in_crlf_and_restart_columns)
{
	struct buf b = BUF_INIT;
	struct csv c;
	csv_init(&c, &b);
	csv_texts(&c, "a");
	csv_texts(&c, "b");
	csv_end_row(&c);
	csv_texts(&c, "c");
	csv_end_row(&c);
	cr_assert_str_eq(b.ptr, "a,b\r\nc\r\n");
	buf_release(&b);
}

Test(csv, comma_quote_and_line_ends_are_quoted)
{
	S_expect_text("a,b", "\"a,b\"");
	S_expect_text("say \"hi\"", "\"say \"\"hi\"\"\"");
	S_expect_text("two\nlines", "\"two\nlines\"");
	S_expect_text("cr\rhere", "\"cr\rhere\"");
	S_expect_text("\"", "\"\"\"\"");
}

Test(csv, formula_starts_get_an_apostrophe)
{
	S_expect_text("=1+1", "'=1+1");
	S_expect_text("+86 123", "'+86 123");
	S_expect_text("-2", "'-2");
	S_expect_text("@SUM(A1)", "'@SUM(A1)");
	S_expect_text("\tx", "'\tx");
	S_expect_text("\rx", "\"'\rx\"");
}

Test(csv, guarded_cell_that_needs_quotes_keeps_the_apostrophe_inside)
{
	S_expect_text("=HYPERLINK(\"http://x\",\"y\")",
	              "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
}

Test(csv, formula_characters_later_in_a_cell_are_left_alone)
{
	S_expect_text("a=b", "a=b");
	S_expect_text(" =1", " =1");
	S_expect_text("Li W***", "Li W***");
}

Test(csv, numbers_are_never_guarded)
{
	struct buf b = BUF_INIT;
	struct csv c;
	csv_init(&c, &b);
	csv_number(&c, "-1234.50");
	csv_number(&c, "0.30");
	csv_texts(&c, "-1234.50");
	csv_end_row(&c);
	cr_assert_str_eq(b.ptr, "-1234.50,0.30,'-1234.50\r\n");
	buf_release(&b);
}

Test(csv, text_cell_with_length_may_hold_a_nul_free_prefix)
{
	struct buf b = BUF_INIT;
	struct csv c;
	csv_init(&c, &b);
	csv_text(&c, "abc,def", 3);
	cr_assert_str_eq(b.ptr, "abc");
	buf_release(&b);
}

Test(csv, bom_is_utf8_byte_order_mark)
{
	cr_assert_str_eq(CSV_BOM, "\xEF\xBB\xBF");
}
