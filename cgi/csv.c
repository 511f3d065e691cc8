/* csv.c - CSV cells and rows, RFC 4180 quoting with a guard against spreadsheet formulas. */
#include "csv.h"
#include "buf.h"

#include <string.h>

void csv_init(struct csv *c, struct buf *out)
{
	c->out = out;
	c->col = 0;
}

/*
 * A cell that starts with one of these is a formula (or becomes one once a spreadsheet trims
 * the TAB or CR) in Excel, LibreOffice and Google Sheets: "=HYPERLINK(...)", "+1+cmd|...",
 * "@SUM(...)". The OWASP advice is a leading apostrophe, which the programs hide and which
 * makes the cell text.
 */
static int S_formula(const char *s, size_t n)
{
	return n > 0 && memchr("=+-@\t\r", s[0], 6) != NULL;
}

static void S_cell(struct csv *c, const char *s, size_t n, int guard)
{
	if (c->col++ > 0)
		buf_addc(c->out, ',');
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		buf_addc(c->out, '"');
	if (guard && S_formula(s, n))
		buf_addc(c->out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(c->out, '"');
		buf_addc(c->out, s[i]);
	}
	if (quote)
		buf_addc(c->out, '"');
}

void csv_text(struct csv *c, const char *s, size_t n)
{
	S_cell(c, s, n, 1);
}

void csv_texts(struct csv *c, const char *s)
{
	S_cell(c, s, strlen(s), 1);
}

void csv_number(struct csv *c, const char *s)
{
	S_cell(c, s, strlen(s), 0);
}

void csv_end_row(struct csv *c)
{
	buf_add(c->out, "\r\n", 2);
	c->col = 0;
}
