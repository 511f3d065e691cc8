/* multipart.c - a strict, bounded parser for multipart/form-data request bodies (RFC 7578). */
#include "multipart.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const S_error_str[MULTIPART__MAX] = {
    [MULTIPART_OK] = "no error",
    [MULTIPART_NOT_FORM_DATA] = "not multipart/form-data",
    [MULTIPART_BAD_BOUNDARY] = "missing or invalid boundary parameter",
    [MULTIPART_NO_BOUNDARY] = "body does not open with the boundary",
    [MULTIPART_NO_FINAL_BOUNDARY] = "missing final boundary",
    [MULTIPART_BARE_LF] = "line ends in lf without cr",
    [MULTIPART_HEADER_TOO_LARGE] = "part header too large",
    [MULTIPART_MALFORMED_HEADER] = "malformed part header",
    [MULTIPART_TOO_MANY_PARTS] = "too many parts",
    [MULTIPART_TOO_MANY_FILES] = "too many files",
    [MULTIPART_FILE_TOO_LARGE] = "file too large",
    [MULTIPART_FIELD_TOO_LARGE] = "field name or value too large",
    [MULTIPART_BAD_ENCODING] = "invalid encoding",
    [MULTIPART_DUPLICATE_FIELD] = "duplicate field",
};

const char *multipart_error_str(enum multipart_error e)
{
	if ((unsigned)e >= MULTIPART__MAX || !S_error_str[e])
		return "unknown error";
	return S_error_str[e];
}

void multipart_release(struct multipart *m)
{
	free(m->parts);
	free(m->mem);
	*m = (struct multipart){0};
}

const struct multipart_part *multipart_get(const struct multipart *m, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < m->n; i++)
		if (m->parts[i].name_len == len && memcmp(m->parts[i].name, name, len) == 0)
			return &m->parts[i];
	return NULL;
}

size_t multipart_count(const struct multipart *m, const char *name)
{
	size_t len = strlen(name), count = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->parts[i].name_len == len && memcmp(m->parts[i].name, name, len) == 0)
			count++;
	return count;
}

/* --- header values: tokens, quoted-strings, parameters (RFC 7230, 7231) ------------------- */

/* RFC 7230 tchar. */
static int S_is_tchar(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* A control character: C0, DEL. */
static int S_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* 1 if the n bytes at s equal the lower-case NUL-terminated word, ignoring ASCII case. */
static int S_eq_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* A cursor over one header value. */
struct S_cur {
	const char *s; /* the value */
	size_t i;      /* next byte to read */
	size_t n;      /* bytes in the value */
};

static void S_skip_ows(struct S_cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
		c->i++;
}

/* Read a non-empty token at the cursor into [*b, *e); 0 if there is none. */
static int S_token(struct S_cur *c, size_t *b, size_t *e)
{
	*b = c->i;
	while (c->i < c->n && S_is_tchar((unsigned char)c->s[c->i]))
		c->i++;
	*e = c->i;
	return *e > *b;
}

/*
 * Append a parameter value at the cursor, token or quoted-string, to out without its quotes and
 * escapes; *quoted says which it was. Inside quotes only \" and \\ are escapes: browsers send
 * backslashes in Windows paths unescaped, and those must survive for the path to be stripped.
 * Returns 0, or -1 when there is no value or its quote is not closed.
 */
static int S_param_value(struct S_cur *c, struct buf *out, int *quoted)
{
	size_t b, e;

	if (c->i < c->n && c->s[c->i] == '"') {
		c->i++;
		while (c->i < c->n) {
			char ch = c->s[c->i++];
			if (ch == '"') {
				*quoted = 1;
				return 0;
			}
			if (ch == '\\' && c->i < c->n && (c->s[c->i] == '"' || c->s[c->i] == '\\'))
				ch = c->s[c->i++];
			buf_addc(out, ch);
		}
		return -1;
	}
	if (!S_token(c, &b, &e))
		return -1;
	buf_add(out, c->s + b, e - b);
	*quoted = 0;
	return 0;
}

/*
 * Read the next "; name=value" parameter at the cursor: the name's bounds in [*nb, *ne), the
 * value appended to val (which the caller empties). Returns 1 for a parameter, 0 at the end of
 * the value, -1 when malformed (as RFC 7231, no empty parameters and no space around '=').
 */
static int S_next_param(struct S_cur *c, size_t *nb, size_t *ne, struct buf *val, int *quoted)
{
	S_skip_ows(c);
	if (c->i == c->n)
		return 0;
	if (c->s[c->i] != ';')
		return -1;
	c->i++;
	S_skip_ows(c);
	if (!S_token(c, nb, ne) || c->i == c->n || c->s[c->i] != '=')
		return -1;
	c->i++;
	return S_param_value(c, val, quoted) == 0 ? 1 : -1;
}

/* Read "type/subtype" at the cursor into [*tb, *te) and [*sb, *se); 0 if malformed. */
static int S_media_type(struct S_cur *c, size_t *tb, size_t *te, size_t *sb, size_t *se)
{
	S_skip_ows(c);
	if (!S_token(c, tb, te) || c->i == c->n || c->s[c->i] != '/')
		return 0;
	c->i++;
	return S_token(c, sb, se);
}

/* --- the boundary ------------------------------------------------------------------------- */

/* RFC 2046 bchars: bcharsnospace and the space. */
static int S_is_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("'()+_,-./:=? ", c);
}

static int S_valid_boundary(const char *s, size_t n)
{
	if (n == 0 || n > MULTIPART_BOUNDARY_MAX || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!S_is_bchar((unsigned char)s[i]))
			return 0;
	return 1;
}

enum multipart_error multipart_boundary(const char *content_type, size_t n, char *out, size_t *len)
{
	enum multipart_error err = MULTIPART_NOT_FORM_DATA;
	struct S_cur c = {content_type, 0, n};
	struct buf val = BUF_INIT, boundary = BUF_INIT;
	size_t tb, te, sb, se, nb, ne;
	int found = 0, quoted, r;

	out[0] = '\0';
	*len = 0;
	if (!S_media_type(&c, &tb, &te, &sb, &se) ||
	    !S_eq_ci(content_type + tb, te - tb, "multipart") ||
	    !S_eq_ci(content_type + sb, se - sb, "form-data"))
		goto out;
	err = MULTIPART_BAD_BOUNDARY;
	while ((r = S_next_param(&c, &nb, &ne, &val, &quoted)) == 1) {
		if (S_eq_ci(content_type + nb, ne - nb, "boundary")) {
			/* Two boundaries: which one the sender meant is a guess. */
			if (found++ || !S_valid_boundary(val.ptr, val.len))
				goto out;
			buf_add(&boundary, val.ptr, val.len);
		}
		buf_reset(&val);
	}
	if (r == -1 || !found)
		goto out;
	memcpy(out, boundary.ptr, boundary.len + 1);
	*len = boundary.len;
	err = MULTIPART_OK;
out:
	buf_release(&val);
	buf_release(&boundary);
	return err;
}

/* --- the body ----------------------------------------------------------------------------- */

/* Where a part's strings start in the parser's string block, which may move as it grows. */
struct S_offsets {
	size_t name;     /* the name */
	size_t filename; /* the filename, if the part is a file */
	size_t ctype;    /* the content type */
	size_t value;    /* the value, if the part is a text field */
};

/* What one part's header block says. */
struct S_headers {
	int disposition;     /* Content-Disposition seen */
	int ctype;           /* Content-Type seen */
	int cte;             /* Content-Transfer-Encoding seen */
	int has_name;        /* name= seen */
	int has_filename;    /* filename= seen */
	int has_filename_x;  /* filename*= seen */
	struct buf name;     /* name= value */
	struct buf filename; /* filename= value */
	struct buf fname_x;  /* filename*= value, decoded */
	struct buf type;     /* media type, lower case */
	struct buf scratch;  /* parameter values being read */
};

struct S_parser {
	const char *body;                           /* the body */
	size_t n;                                   /* its bytes */
	char delim[4 + MULTIPART_BOUNDARY_MAX + 1]; /* CRLF "--" boundary */
	size_t delim_len;                           /* bytes in delim */
	const struct multipart_limits *lim;         /* the caller's limits */
	struct multipart *m;                        /* the result */
	size_t alloc;                               /* parts allocated in m */
	struct S_offsets *offs;                     /* one per part of m */
	struct buf mem;                             /* every string the parts own */
	struct S_headers h;                         /* the current part's headers */
};

/*
 * Whether the "--" boundary text at body[at] is a delimiter: 1 with *next after its line and
 * *close set for the close delimiter (then *next is after its "--"), 0 when it is data. *bare_lf
 * is set when the line would have been a delimiter but for a bare LF.
 */
static int S_delimiter(const struct S_parser *p, size_t at, size_t *next, int *close, int *bare_lf)
{
	size_t i = at + p->delim_len - 2;

	*bare_lf = 0;
	if (p->n - i >= 2 && p->body[i] == '-' && p->body[i + 1] == '-') {
		*close = 1;
		*next = i + 2;
		return 1;
	}
	/* Transport padding (RFC 2046): each byte is passed once, as delimiters cannot overlap. */
	while (i < p->n && (p->body[i] == ' ' || p->body[i] == '\t'))
		i++;
	if (p->n - i >= 2 && p->body[i] == '\r' && p->body[i + 1] == '\n') {
		*close = 0;
		*next = i + 2;
		return 1;
	}
	*bare_lf = i < p->n && p->body[i] == '\n';
	return 0;
}

/*
 * Find the first delimiter (CRLF "--" boundary) that lies in [from, end). Sets *at to its CRLF
 * and *next, *close as S_delimiter. Returns 0, or -1 if there is none.
 *
 * Linear: the needle's first byte, CR, occurs nowhere else in it (a boundary has no CR), so
 * the bytes a comparison matches after a CR hold no CR, and the next candidate starts beyond
 * them. memchr and memcmp rather than memmem, because ASan checks the whole haystack of every
 * memmem call, which made many near-miss candidates quadratic there.
 */
static int S_find_delimiter(const struct S_parser *p, size_t from, size_t end, size_t *at,
                            size_t *next, int *close)
{
	int bare_lf;

	while (end - from >= p->delim_len) {
		const char *cr = memchr(p->body + from, '\r', end - from - p->delim_len + 1);
		if (!cr)
			return -1;
		*at = (size_t)(cr - p->body);
		if (memcmp(cr, p->delim, p->delim_len) == 0 &&
		    S_delimiter(p, *at + 2, next, close, &bare_lf))
			return 0;
		from = *at + 1;
	}
	return -1;
}

static int S_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20; /* lower case; maps no other byte into a-f */
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 5987 attr-char. */
static int S_is_attr_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$&+-.^_`|~", c));
}

/* Decode an RFC 5987 ext-value (charset'language'pct-encoded) into out. */
static enum multipart_error S_ext_value(const char *s, size_t n, struct buf *out)
{
	const char *q1 = memchr(s, '\'', n), *q2;
	int hi, lo;

	if (!q1 || !(q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s))))
		return MULTIPART_MALFORMED_HEADER;
	/* RFC 8187 requires UTF-8 support only; guessing other charsets is not worth it. */
	if (!S_eq_ci(s, (size_t)(q1 - s), "utf-8"))
		return MULTIPART_BAD_ENCODING;
	for (size_t i = (size_t)(q2 + 1 - s); i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 || (hi = S_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = S_hex((unsigned char)s[i + 2])) < 0)
				return MULTIPART_MALFORMED_HEADER;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (!S_is_attr_char(c)) {
			return MULTIPART_MALFORMED_HEADER;
		}
		buf_addc(out, (char)c);
	}
	return MULTIPART_OK;
}

/* Read the value of a Content-Disposition header into p->h. */
static enum multipart_error S_disposition(struct S_parser *p, const char *v, size_t n)
{
	struct S_headers *h = &p->h;
	struct S_cur c = {v, 0, n};
	size_t b, e;
	int quoted, r;

	if (h->disposition++)
		return MULTIPART_MALFORMED_HEADER;
	if (!S_token(&c, &b, &e) || !S_eq_ci(v + b, e - b, "form-data"))
		return MULTIPART_MALFORMED_HEADER;
	buf_reset(&h->scratch);
	while ((r = S_next_param(&c, &b, &e, &h->scratch, &quoted)) == 1) {
		const char *pn = v + b;
		size_t pl = e - b;
		if (S_eq_ci(pn, pl, "name")) {
			if (h->has_name++)
				return MULTIPART_MALFORMED_HEADER;
			buf_add(&h->name, h->scratch.ptr, h->scratch.len);
		} else if (S_eq_ci(pn, pl, "filename")) {
			if (h->has_filename++)
				return MULTIPART_MALFORMED_HEADER;
			buf_add(&h->filename, h->scratch.ptr, h->scratch.len);
		} else if (S_eq_ci(pn, pl, "filename*")) {
			/* An ext-value is never quoted (RFC 5987 section 3.2). */
			if (h->has_filename_x++ || quoted)
				return MULTIPART_MALFORMED_HEADER;
			enum multipart_error err =
			    S_ext_value(h->scratch.ptr, h->scratch.len, &h->fname_x);
			if (err)
				return err;
		}
		buf_reset(&h->scratch);
	}
	if (r == -1 || !h->has_name || h->name.len == 0)
		return MULTIPART_MALFORMED_HEADER;
	return MULTIPART_OK;
}

/* Read the value of a part's Content-Type header into p->h. */
static enum multipart_error S_content_type(struct S_parser *p, const char *v, size_t n)
{
	struct S_headers *h = &p->h;
	struct S_cur c = {v, 0, n};
	size_t tb, te, sb, se, nb, ne;
	int quoted, r;

	if (h->ctype++ || !S_media_type(&c, &tb, &te, &sb, &se))
		return MULTIPART_MALFORMED_HEADER;
	/* Parameters are checked for syntax only: charset does not matter, text must be UTF-8. */
	buf_reset(&h->scratch);
	while ((r = S_next_param(&c, &nb, &ne, &h->scratch, &quoted)) == 1)
		buf_reset(&h->scratch);
	if (r == -1)
		return MULTIPART_MALFORMED_HEADER;
	buf_add(&h->type, v + tb, se - tb);
	for (size_t i = 0; i < h->type.len; i++)
		if (h->type.ptr[i] >= 'A' && h->type.ptr[i] <= 'Z')
			h->type.ptr[i] = (char)(h->type.ptr[i] + ('a' - 'A'));
	return MULTIPART_OK;
}

/* Read the header line body[b, e) (without its CRLF) into p->h. */
static enum multipart_error S_header_line(struct S_parser *p, size_t b, size_t e)
{
	const char *s = p->body;
	const char *colon = memchr(s + b, ':', e - b);
	size_t i, nend, vb, ve;

	/* A folded line (leading space) or a space before the colon fails the token test. */
	if (!colon || colon == s + b)
		return MULTIPART_MALFORMED_HEADER;
	nend = (size_t)(colon - s);
	for (i = b; i < nend; i++)
		if (!S_is_tchar((unsigned char)s[i]))
			return MULTIPART_MALFORMED_HEADER;
	for (i = nend + 1; i < e; i++)
		if (S_is_ctl((unsigned char)s[i]) && s[i] != '\t')
			return MULTIPART_MALFORMED_HEADER;
	vb = nend + 1;
	ve = e;
	while (vb < ve && (s[vb] == ' ' || s[vb] == '\t'))
		vb++;
	while (ve > vb && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
		ve--;

	if (S_eq_ci(s + b, nend - b, "content-disposition"))
		return S_disposition(p, s + vb, ve - vb);
	if (S_eq_ci(s + b, nend - b, "content-type"))
		return S_content_type(p, s + vb, ve - vb);
	if (S_eq_ci(s + b, nend - b, "content-transfer-encoding")) {
		/* Deprecated by RFC 7578; we decode nothing, so only identity encodings pass. */
		if (p->h.cte++)
			return MULTIPART_MALFORMED_HEADER;
		if (!S_eq_ci(s + vb, ve - vb, "7bit") && !S_eq_ci(s + vb, ve - vb, "8bit") &&
		    !S_eq_ci(s + vb, ve - vb, "binary"))
			return MULTIPART_BAD_ENCODING;
	}
	return MULTIPART_OK; /* other headers are ignored (RFC 7578 section 4.8) */
}

/* Empty p->h for the next part, keeping its buffers' memory. */
static void S_headers_reset(struct S_headers *h)
{
	struct S_headers keep = *h;
	*h = (struct S_headers){0};
	h->name = keep.name;
	h->filename = keep.filename;
	h->fname_x = keep.fname_x;
	h->type = keep.type;
	h->scratch = keep.scratch;
	buf_reset(&h->name);
	buf_reset(&h->filename);
	buf_reset(&h->fname_x);
	buf_reset(&h->type);
	buf_reset(&h->scratch);
}

/* Read the header block that starts at pos into p->h; *data is where the part's data starts. */
static enum multipart_error S_headers(struct S_parser *p, size_t pos, size_t *data)
{
	size_t start = pos, end;
	enum multipart_error err;

	S_headers_reset(&p->h);
	end = p->n - start > p->lim->max_header ? start + p->lim->max_header : p->n;
	for (;;) {
		const char *lf = memchr(p->body + pos, '\n', end - pos);
		if (!lf)
			return end == p->n ? MULTIPART_NO_FINAL_BOUNDARY
			                   : MULTIPART_HEADER_TOO_LARGE;
		size_t eol = (size_t)(lf - p->body);
		if (eol == pos || p->body[eol - 1] != '\r')
			return MULTIPART_BARE_LF;
		if (eol - 1 == pos) {
			*data = eol + 1;
			break;
		}
		err = S_header_line(p, pos, eol - 1);
		if (err)
			return err;
		pos = eol + 1;
	}
	if (!p->h.disposition)
		return MULTIPART_MALFORMED_HEADER;
	return MULTIPART_OK;
}

/* 1 if the n bytes at s are valid UTF-8 without control characters (tab included). */
static int S_clean_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (S_is_ctl((unsigned char)s[i]))
			return 0;
	return utf8_valid(s, n);
}

/* Append a string of n bytes and a NUL to p->mem; returns its offset. */
static size_t S_keep(struct S_parser *p, const char *s, size_t n)
{
	size_t off = p->mem.len;
	buf_add(&p->mem, s, n);
	buf_addc(&p->mem, '\0');
	return off;
}

/* The name, filename and type of the part whose headers are in p->h, checked, into a new part. */
static enum multipart_error S_add_part(struct S_parser *p, struct multipart_part **out)
{
	struct S_headers *h = &p->h;
	struct multipart *m = p->m;
	struct multipart_part *part;
	struct S_offsets *off;
	int is_file = h->has_filename || h->has_filename_x;

	if (h->name.len > MULTIPART_NAME_MAX)
		return MULTIPART_FIELD_TOO_LARGE;
	if (!S_clean_text(h->name.ptr, h->name.len))
		return MULTIPART_BAD_ENCODING;
	for (size_t i = 0; i < m->n; i++) {
		/* A text field's name is unique; files may share theirs. */
		if (m->parts[i].name_len == h->name.len &&
		    memcmp(p->mem.ptr + p->offs[i].name, h->name.ptr, h->name.len) == 0 &&
		    (!is_file || !m->parts[i].filename))
			return MULTIPART_DUPLICATE_FIELD;
	}
	if (is_file && m->files == p->lim->max_files)
		return MULTIPART_TOO_MANY_FILES;

	if (m->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 8;
		m->parts = xrealloc(m->parts, p->alloc * sizeof(*m->parts));
		p->offs = xrealloc(p->offs, p->alloc * sizeof(*p->offs));
	}
	part = &m->parts[m->n];
	off = &p->offs[m->n];
	*part = (struct multipart_part){0};
	*off = (struct S_offsets){0};
	part->name_len = h->name.len;
	off->name = S_keep(p, h->name.ptr, h->name.len);
	off->ctype = h->ctype ? S_keep(p, h->type.ptr, h->type.len) : S_keep(p, "text/plain", 10);
	if (is_file) {
		struct buf *f = h->has_filename_x ? &h->fname_x : &h->filename;
		const char *base = f->ptr;
		for (size_t i = 0; i < f->len; i++)
			if (f->ptr[i] == '/' || f->ptr[i] == '\\')
				base = f->ptr + i + 1;
		part->filename_len = f->len - (size_t)(base - f->ptr);
		if (!S_clean_text(base, part->filename_len))
			return MULTIPART_BAD_ENCODING;
		off->filename = S_keep(p, base, part->filename_len);
		/* Marks the part as a file until the pointers are set at the end. */
		part->filename = "";
		m->files++;
	}
	m->n++;
	*out = part;
	return MULTIPART_OK;
}

/* Point every part's strings into the block p->mem, now handed to m. */
static void S_finish(struct S_parser *p)
{
	struct multipart *m = p->m;

	if (m->n == 0) {
		buf_release(&p->mem);
		return;
	}
	m->mem = buf_detach(&p->mem, NULL);
	for (size_t i = 0; i < m->n; i++) {
		struct multipart_part *part = &m->parts[i];
		part->name = m->mem + p->offs[i].name;
		part->content_type = m->mem + p->offs[i].ctype;
		if (part->filename)
			part->filename = m->mem + p->offs[i].filename;
		else
			part->value = m->mem + p->offs[i].value;
	}
}

/* Parse the parts that follow the opening delimiter line, which ends at pos. */
static enum multipart_error S_parts(struct S_parser *p, size_t pos)
{
	const struct multipart_limits *lim = p->lim;
	struct multipart *m = p->m;
	enum multipart_error err;
	struct multipart_part *part;
	size_t data, end, at, next, limit;
	int close = 0;

	while (!close) {
		if (m->n == lim->max_parts)
			return MULTIPART_TOO_MANY_PARTS;
		err = S_headers(p, pos, &data);
		if (!err)
			err = S_add_part(p, &part);
		if (err)
			return err;

		/* Look no further than the limit: a huge part costs no more than a small one. */
		limit = part->filename ? lim->max_file : lim->max_field;
		end = p->n - data > limit && p->n - data - limit > p->delim_len
		          ? data + limit + p->delim_len
		          : p->n;
		if (S_find_delimiter(p, data, end, &at, &next, &close) == -1) {
			if (end == p->n)
				return MULTIPART_NO_FINAL_BOUNDARY;
			return part->filename ? MULTIPART_FILE_TOO_LARGE
			                      : MULTIPART_FIELD_TOO_LARGE;
		}
		part->data = p->body + data;
		part->data_len = at - data;
		if (!part->filename) {
			if (memchr(part->data, '\0', part->data_len) ||
			    !utf8_valid(part->data, part->data_len))
				return MULTIPART_BAD_ENCODING;
			p->offs[m->n - 1].value = S_keep(p, part->data, part->data_len);
		}
		pos = next;
	}
	return MULTIPART_OK;
}

enum multipart_error multipart_parse(struct multipart *m, const char *body, size_t n,
                                     const char *boundary, size_t boundary_len,
                                     const struct multipart_limits *lim)
{
	enum multipart_error err;
	struct S_parser p = {.body = body, .n = n, .lim = lim, .m = m};
	size_t at = 0, next = 0;
	int close = 0, bare_lf = 0, opened = 0;

	*m = (struct multipart){0};
	buf_init(&p.mem);
	buf_init(&p.h.name);
	buf_init(&p.h.filename);
	buf_init(&p.h.fname_x);
	buf_init(&p.h.type);
	buf_init(&p.h.scratch);
	if (!S_valid_boundary(boundary, boundary_len))
		return MULTIPART_BAD_BOUNDARY;
	memcpy(p.delim, "\r\n--", 4);
	memcpy(p.delim + 4, boundary, boundary_len);
	p.delim_len = 4 + boundary_len;

	/* The opening delimiter may start the body without its CRLF (no preamble). */
	err = MULTIPART_NO_BOUNDARY;
	if (n >= p.delim_len - 2 && memcmp(body, p.delim + 2, p.delim_len - 2) == 0)
		opened = S_delimiter(&p, 0, &next, &close, &bare_lf);
	if (bare_lf) {
		err = MULTIPART_BARE_LF; /* an LF-only body */
		goto out;
	}
	if (!opened && S_find_delimiter(&p, 0, n, &at, &next, &close) == -1)
		goto out;
	err = close ? MULTIPART_OK : S_parts(&p, next);
	if (!err)
		S_finish(&p);
out:
	if (err) {
		buf_release(&p.mem);
		multipart_release(m);
	}
	free(p.offs);
	buf_release(&p.h.name);
	buf_release(&p.h.filename);
	buf_release(&p.h.fname_x);
	buf_release(&p.h.type);
	buf_release(&p.h.scratch);
	return err;
}
