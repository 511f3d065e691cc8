/* admin_out.c - okpay-admin's output: terminal-safe text, aligned tables, JSON. */
#include "admin_out.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Zero-width: combining marks, zero-width space/joiners, variation selectors. */
static int S_zero_width(long cp)
{
	return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0xfeff;
}

/* East Asian Wide and Fullwidth (UAX #11), the ranges that matter in practice. */
static int S_wide(long cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||   /* Hangul Jamo */
	       (cp >= 0x2e80 && cp <= 0x303e) ||   /* CJK radicals, punctuation */
	       (cp >= 0x3041 && cp <= 0x33ff) ||   /* kana, CJK compatibility */
	       (cp >= 0x3400 && cp <= 0x4dbf) ||   /* CJK extension A */
	       (cp >= 0x4e00 && cp <= 0x9fff) ||   /* CJK unified ideographs */
	       (cp >= 0xa000 && cp <= 0xa4cf) ||   /* Yi */
	       (cp >= 0xac00 && cp <= 0xd7a3) ||   /* Hangul syllables */
	       (cp >= 0xf900 && cp <= 0xfaff) ||   /* CJK compatibility */
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||   /* CJK compatibility forms */
	       (cp >= 0xff00 && cp <= 0xff60) ||   /* full-width forms */
	       (cp >= 0xffe0 && cp <= 0xffe6) ||   /* full-width signs */
	       (cp >= 0x1f300 && cp <= 0x1f64f) || /* pictographs, emoticons */
	       (cp >= 0x1f900 && cp <= 0x1f9ff) || /* supplemental symbols */
	       (cp >= 0x20000 && cp <= 0x3fffd);   /* CJK extensions B and on */
}

size_t admin_out_width(const char *s, size_t n)
{
	size_t w = 0, adv;
	for (size_t i = 0; i < n; i += adv) {
		long cp = utf8_decode(s + i, n - i, &adv);
		if (cp < 0 || cp < 0x20 || cp == 0x7f)
			w += 4; /* \xNN */
		else if (cp >= 0x80 && cp <= 0x9f)
			w += 6; /* \u00NN */
		else if (S_zero_width(cp))
			;
		else
			w += S_wide(cp) ? 2 : 1;
	}
	return w;
}

void admin_out_text(struct buf *b, const char *s, size_t n)
{
	size_t adv;
	for (size_t i = 0; i < n; i += adv) {
		long cp = utf8_decode(s + i, n - i, &adv);
		if (cp < 0 || cp < 0x20 || cp == 0x7f)
			buf_addf(b, "\\x%02x", (unsigned char)s[i]);
		else if (cp >= 0x80 && cp <= 0x9f)
			buf_addf(b, "\\u%04lx", cp);
		else
			buf_add(b, s + i, adv);
	}
}

/* --- tables ------------------------------------------------------------------------------- */

void admin_out_table_init(struct admin_out_table *t, int ncols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < ADMIN_OUT_COLS_MAX ? ncols : ADMIN_OUT_COLS_MAX;
	for (int c = 0; c < t->ncols; c++)
		t->head[c] = head[c];
}

void admin_out_table_cell(struct admin_out_table *t, const char *s)
{
	if (t->col == 0) {
		if (t->nrows == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 16;
			t->cells = xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof(char *));
		}
		t->nrows++;
	}
	struct buf b = BUF_INIT;
	admin_out_text(&b, s ? s : "", s ? strlen(s) : 0);
	t->cells[(t->nrows - 1) * (size_t)t->ncols + (size_t)t->col] = buf_detach(&b, NULL);
	t->col = (t->col + 1) % t->ncols;
}

void admin_out_table_cellf(struct admin_out_table *t, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	admin_out_table_cell(t, b.ptr);
	buf_release(&b);
}

static void S_pad(struct buf *b, size_t n)
{
	while (n--)
		buf_addc(b, ' ');
}

/* One line: cells already terminal-safe (titles are literals). */
static void S_line(const struct admin_out_table *t, struct buf *b, const char *const *cells,
                   const size_t *width)
{
	size_t start = b->len;
	for (int c = 0; c < t->ncols; c++) {
		const char *s = cells[c] ? cells[c] : "";
		size_t w = admin_out_width(s, strlen(s));
		size_t pad = width[c] > w ? width[c] - w : 0;
		if (c)
			buf_adds(b, "  ");
		if (t->align[c] == ADMIN_OUT_RIGHT)
			S_pad(b, pad);
		buf_adds(b, s);
		if (t->align[c] == ADMIN_OUT_LEFT && c + 1 < t->ncols)
			S_pad(b, pad);
	}
	/* An empty last cell of a left-aligned column leaves padding of the one before. */
	while (b->len > start && b->ptr[b->len - 1] == ' ')
		buf_truncate(b, b->len - 1);
	buf_addc(b, '\n');
}

void admin_out_table_render(const struct admin_out_table *t, struct buf *b)
{
	size_t width[ADMIN_OUT_COLS_MAX] = {0};
	for (int c = 0; c < t->ncols; c++)
		width[c] = admin_out_width(t->head[c], strlen(t->head[c]));
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
			size_t w = s ? admin_out_width(s, strlen(s)) : 0;
			if (w > width[c])
				width[c] = w;
		}
	S_line(t, b, t->head, width);
	for (size_t r = 0; r < t->nrows; r++)
		S_line(t, b, (const char *const *)&t->cells[r * (size_t)t->ncols], width);
}

void admin_out_table_release(struct admin_out_table *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* --- JSON --------------------------------------------------------------------------------- */

void admin_out_json_string(struct buf *b, const char *s, size_t n)
{
	size_t adv;
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i += adv) {
		long cp = utf8_decode(s + i, n - i, &adv);
		switch (cp) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '\b':
			buf_adds(b, "\\b");
			break;
		case '\f':
			buf_adds(b, "\\f");
			break;
		case -1:
			buf_adds(b, "\\ufffd");
			break;
		default:
			if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
				buf_addf(b, "\\u%04lx", cp);
			else
				buf_add(b, s + i, adv);
		}
	}
	buf_addc(b, '"');
}

void admin_out_json_init(struct admin_out_json *j, struct buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

/* Before a value: a comma after the previous one at this depth, unless a key precedes it. */
static void S_value(struct admin_out_json *j)
{
	if (j->after_key)
		j->after_key = 0;
	else if (j->count[j->depth]++)
		buf_addc(j->b, ',');
}

static void S_open(struct admin_out_json *j, char c)
{
	S_value(j);
	buf_addc(j->b, c);
	if (j->depth + 1 < ADMIN_OUT_JSON_DEPTH)
		j->count[++j->depth] = 0;
}

void admin_out_json_object(struct admin_out_json *j)
{
	S_open(j, '{');
}

void admin_out_json_array(struct admin_out_json *j)
{
	S_open(j, '[');
}

void admin_out_json_end(struct admin_out_json *j, char close)
{
	buf_addc(j->b, close);
	if (j->depth > 0)
		j->depth--;
}

void admin_out_json_key(struct admin_out_json *j, const char *key)
{
	S_value(j);
	admin_out_json_string(j->b, key, strlen(key));
	buf_addc(j->b, ':');
	j->after_key = 1;
}

void admin_out_json_str(struct admin_out_json *j, const char *s)
{
	if (!s) {
		admin_out_json_null(j);
		return;
	}
	S_value(j);
	admin_out_json_string(j->b, s, strlen(s));
}

void admin_out_json_int(struct admin_out_json *j, long long v)
{
	S_value(j);
	buf_addf(j->b, "%lld", v);
}

void admin_out_json_bool(struct admin_out_json *j, int v)
{
	S_value(j);
	buf_adds(j->b, v ? "true" : "false");
}

void admin_out_json_null(struct admin_out_json *j)
{
	S_value(j);
	buf_adds(j->b, "null");
}

/* Unix time t in UTC: "2026-11-25T15:04:05Z" when iso, else "2026-11-25 15:04:05 UTC". */
static void S_utc(struct buf *b, long long t, int iso)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[40];
	gmtime_r(&tt, &tm);
	if (iso)
		strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm);
	buf_adds(b, s);
}

void admin_out_json_time(struct admin_out_json *j, long long t)
{
	if (!t) {
		admin_out_json_null(j);
		return;
	}
	S_value(j);
	buf_addc(j->b, '"');
	S_utc(j->b, t, 1);
	buf_addc(j->b, '"');
}

void admin_out_time(struct buf *b, long long t)
{
	if (!t)
		buf_addc(b, '-');
	else
		S_utc(b, t, 0);
}
