/* admin_out.h - okpay-admin's output: aligned text tables for people, JSON for scripts. */
#ifndef CGI_ADMIN_OUT_H
#define CGI_ADMIN_OUT_H

#include <stddef.h>

struct buf;

/*
 * Lives in cgi/ rather than cgi/admin/ so that the unit tests link it. Everything here
 * appends to a struct buf the caller owns; nothing prints.
 *
 * Text shown to the operator comes from the database, so from users: it goes through
 * admin_out_text, which writes control characters (C0, DEL, C1) and invalid UTF-8 as visible
 * escapes, so a name or a query can neither drive the terminal nor break a table's columns.
 */

/* --- terminal text ------------------------------------------------------------------------ */

/**
 * Columns the UTF-8 text s (n bytes) takes on a terminal: 2 for East Asian wide and full-width
 * characters (Chinese, Japanese, Korean, full-width forms, most emoji), 0 for combining marks
 * and zero-width characters, 1 for the rest. Invalid bytes count as the 4 columns of the \xNN
 * that admin_out_text writes for them; control characters likewise.
 */
size_t admin_out_width(const char *s, size_t n);
/** Append s (n bytes) safe for a terminal: control characters and invalid bytes as \xNN. */
void admin_out_text(struct buf *b, const char *s, size_t n);

/* --- tables ------------------------------------------------------------------------------- */

enum admin_out_align { ADMIN_OUT_LEFT, ADMIN_OUT_RIGHT };

#define ADMIN_OUT_COLS_MAX 12

/**
 * A table built row by row and written once every width is known. Cells are copied (made
 * terminal-safe on the way in). Columns are separated by two spaces; the last column is not
 * padded, so lines carry no trailing blanks. Release with admin_out_table_release.
 */
struct admin_out_table {
	int ncols;
	const char *head[ADMIN_OUT_COLS_MAX];           /* column titles (not copied: literals) */
	enum admin_out_align align[ADMIN_OUT_COLS_MAX]; /* numbers right, text left */
	char **cells;                                   /* nrows * ncols owned strings */
	size_t nrows, cap;
	int col; /* cells of the row being added so far */
};
/** Start a table of ncols (at most ADMIN_OUT_COLS_MAX) columns titled head, all left-aligned. */
void admin_out_table_init(struct admin_out_table *t, int ncols, const char *const *head);
/** Add the next cell of the current row (a new row after the last column). */
void admin_out_table_cell(struct admin_out_table *t, const char *s);
/** Same, formatted like printf. */
void admin_out_table_cellf(struct admin_out_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Append the table (titles, then rows) to b, each line ending in \n. */
void admin_out_table_render(const struct admin_out_table *t, struct buf *b);
void admin_out_table_release(struct admin_out_table *t);

/* --- JSON --------------------------------------------------------------------------------- */

/**
 * Append s (n bytes of UTF-8) as a JSON string with its quotes: \" and \\, control characters
 * as \n, \t, \r, \b, \f or \u00XX, DEL as \u007f, U+2028 and U+2029 as \u2028 and \u2029 (line
 * ends to JavaScript), invalid bytes as U+FFFD. The result parses in every JSON reader and is
 * plain ASCII except for valid characters above U+007F.
 */
void admin_out_json_string(struct buf *b, const char *s, size_t n);

/**
 * A JSON writer that places the commas: open and close objects and arrays, name members with
 * admin_out_json_key, then write a value. Nesting is at most ADMIN_OUT_JSON_DEPTH deep.
 */
#define ADMIN_OUT_JSON_DEPTH 16
struct admin_out_json {
	struct buf *b;                   /* where it writes (the caller's) */
	int depth;                       /* open objects and arrays */
	int count[ADMIN_OUT_JSON_DEPTH]; /* values written at each depth */
	int after_key;                   /* a key was written: its value comes without a comma */
};
void admin_out_json_init(struct admin_out_json *j, struct buf *b);
void admin_out_json_object(struct admin_out_json *j);
void admin_out_json_array(struct admin_out_json *j);
/** Close the innermost object or array. */
void admin_out_json_end(struct admin_out_json *j, char close);
void admin_out_json_key(struct admin_out_json *j, const char *key);
/** A string value; NULL writes null. */
void admin_out_json_str(struct admin_out_json *j, const char *s);
void admin_out_json_int(struct admin_out_json *j, long long v);
void admin_out_json_bool(struct admin_out_json *j, int v);
void admin_out_json_null(struct admin_out_json *j);
/** Unix time t as an ISO 8601 UTC string ("2026-11-25T15:04:05Z"), or null when t is 0. */
void admin_out_json_time(struct admin_out_json *j, long long t);

/** Append unix time t as "2026-11-25 15:04:05 UTC"; "-" when t is 0. */
void admin_out_time(struct buf *b, long long t);

#endif
