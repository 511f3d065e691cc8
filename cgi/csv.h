/* csv.h - writing CSV files that spreadsheet programs open safely: RFC 4180 and formula guard. */
#ifndef CGI_CSV_H
#define CGI_CSV_H

#include <stddef.h>

struct buf;

/*
 * Rules:
 * - Rows end in CRLF and cells are separated by ','; a cell is quoted ("...", with '"' doubled)
 *   only when it holds ',', '"', CR or LF (RFC 4180).
 * - Text cells that a spreadsheet would read as a formula, those starting with '=', '+', '-',
 *   '@', TAB or CR, get a leading "'" so they show as text and are never run (CSV injection).
 *   Number cells are written as given: "-12.50" must stay a number.
 * - The writer only appends to the caller's buf and keeps no other state than the column.
 */
struct csv {
	struct buf *out; /* where the file goes; owned by the caller */
	int col;         /* cells written in the current row */
};

/** The UTF-8 byte order mark, so spreadsheet programs read the file as UTF-8 (Chinese text). */
#define CSV_BOM "\xEF\xBB\xBF"

/** Start writing to out (appending). */
void csv_init(struct csv *c, struct buf *out);
/** Append the n bytes at s as a text cell of the current row, guarded against formulas. */
void csv_text(struct csv *c, const char *s, size_t n);
/** Append the NUL-terminated s as a text cell (csv_text). */
void csv_texts(struct csv *c, const char *s);
/** Append the NUL-terminated s as a number cell: quoted if it must be, never guarded. */
void csv_number(struct csv *c, const char *s);
/** End the current row with CRLF; the next cell starts a new row. */
void csv_end_row(struct csv *c);

#endif
