/* form.c - strict parsers for urlencoded bodies, query strings and Cookie headers. */
#include "form.h"
#include "utf8.h"
#include "util.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const S_error_str[FORM__MAX] = {
    [FORM_OK] = "no error",
    [FORM_BAD_ESCAPE] = "malformed percent-encoding",
    [FORM_BAD_UTF8] = "invalid utf-8",
    [FORM_NUL] = "nul byte",
    [FORM_TOO_MANY] = "too many fields",
    [FORM_TOO_LONG] = "name or value too long",
};

const char *form_error_str(enum form_error e)
{
	if ((unsigned)e >= FORM__MAX || !S_error_str[e])
		return "unknown error";
	return S_error_str[e];
}

void form_release(struct form *f)
{
	free(f->f);
	free(f->mem);
	*f = (struct form){0};
}

/*
 * Size of the one block that holds every name and value, so that parsing never reallocates it
 * (field pointers stay valid) and never allocates per field. Each field of raw length L (L >= 1,
 * as empty pairs are skipped) takes at most L + 2 bytes (decoding only shrinks; two NULs), and
 * there are at most k of them; also at most per_field bytes each, as limits stop decoding.
 */
static size_t S_block_size(size_t n, size_t max_fields, size_t per_field)
{
	size_t k = n / 2 + 1; /* fields need a separator between them */
	if (k > max_fields)
		k = max_fields;
	/* n is the size of an object in memory, so n + 2 * (n / 2 + 1) cannot overflow. */
	size_t by_input = n + 2 * k;
	if (k && per_field > SIZE_MAX / k)
		return by_input;
	return k * per_field < by_input ? k * per_field : by_input;
}

/* A new zeroed field at the end of f. */
static struct form_field *S_add_field(struct form *f)
{
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		f->f = xrealloc(f->f, f->alloc * sizeof(*f->f));
	}
	struct form_field *fl = &f->f[f->n++];
	*fl = (struct form_field){0};
	return fl;
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

/*
 * Decode n urlencoded bytes of in into out (room for min(n, max) + 1 bytes), NUL-terminate and
 * store the decoded length in *len. Stops at the first problem.
 */
static enum form_error S_decode(const char *in, size_t n, size_t max, char *out, size_t *len)
{
	size_t o = 0;
	unsigned high = 0; /* any byte >= 0x80? Only then is a UTF-8 check needed. */

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = S_hex((unsigned char)in[i + 1])) < 0 ||
			    (lo = S_hex((unsigned char)in[i + 2])) < 0)
				return FORM_BAD_ESCAPE;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == '\0')
			return FORM_NUL;
		if (o == max)
			return FORM_TOO_LONG;
		high |= c;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if ((high & 0x80) && !utf8_valid(out, o))
		return FORM_BAD_UTF8;
	*len = o;
	return FORM_OK;
}

enum form_error form_parse_urlencoded(struct form *f, const char *s, size_t n, size_t max_fields,
                                      size_t max_value)
{
	enum form_error err = FORM_OK;
	size_t per_field =
	    max_value > SIZE_MAX - FORM_NAME_MAX - 2 ? SIZE_MAX : FORM_NAME_MAX + max_value + 2;
	size_t size, used = 0, i = 0;

	*f = (struct form){0};
	if (n == 0)
		return FORM_OK;
	size = S_block_size(n, max_fields, per_field);
	f->mem = xmalloc(size);

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t name_end = eq ? (size_t)(eq - s) : end;
			size_t val = eq ? name_end + 1 : end;
			struct form_field *fl;

			if (f->n == max_fields) {
				err = FORM_TOO_MANY;
				goto fail;
			}
			fl = S_add_field(f);
			fl->name = f->mem + used;
			err = S_decode(s + i, name_end - i, FORM_NAME_MAX, fl->name, &fl->name_len);
			if (err)
				goto fail;
			used += fl->name_len + 1;
			fl->value = f->mem + used;
			err = S_decode(s + val, end - val, max_value, fl->value, &fl->value_len);
			if (err)
				goto fail;
			used += fl->value_len + 1;
			assert(used <= size);
		}
		i = end + 1;
	}
	return FORM_OK;

fail:
	form_release(f);
	return err;
}

/* RFC 7230 tchar, which RFC 6265 requires of cookie names. */
static int S_is_tchar(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* RFC 6265 cookie-octet: printable ASCII but for space, DQUOTE, comma, semicolon, backslash. */
static int S_is_cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

static int S_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrow [*b, *e) of s to exclude leading and trailing spaces and tabs. */
static void S_trim(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && S_is_ows(s[*b]))
		(*b)++;
	while (*e > *b && S_is_ows(s[*e - 1]))
		(*e)--;
}

void cookie_parse(struct form *f, const char *header, size_t n)
{
	size_t size, used = 0, i = 0;

	*f = (struct form){0};
	if (n == 0)
		return;
	size = S_block_size(n, COOKIE_MAX, FORM_NAME_MAX + COOKIE_VALUE_MAX + 2);
	f->mem = xmalloc(size);

	/* cookie-octets exclude ';', so even quoted values end at the next ';'. */
	while (i < n && f->n < COOKIE_MAX) {
		const char *semi = memchr(header + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - header) : n;
		const char *eq = memchr(header + i, '=', end - i);
		size_t nb = i, ne, vb, ve, k;

		i = end + 1;
		if (!eq)
			continue;
		ne = (size_t)(eq - header);
		vb = ne + 1;
		ve = end;
		S_trim(header, &nb, &ne);
		S_trim(header, &vb, &ve);
		if (ne == nb || ne - nb > FORM_NAME_MAX)
			continue;
		for (k = nb; k < ne && S_is_tchar((unsigned char)header[k]); k++)
			;
		if (k < ne)
			continue;
		if (ve - vb >= 2 && header[vb] == '"' && header[ve - 1] == '"') {
			vb++;
			ve--;
		}
		if (ve - vb > COOKIE_VALUE_MAX)
			continue;
		for (k = vb; k < ve && S_is_cookie_octet((unsigned char)header[k]); k++)
			;
		if (k < ve)
			continue;

		struct form_field *fl = S_add_field(f);
		fl->name = f->mem + used;
		fl->name_len = ne - nb;
		memcpy(fl->name, header + nb, fl->name_len);
		fl->name[fl->name_len] = '\0';
		used += fl->name_len + 1;
		fl->value = f->mem + used;
		fl->value_len = ve - vb;
		memcpy(fl->value, header + vb, fl->value_len);
		fl->value[fl->value_len] = '\0';
		used += fl->value_len + 1;
		assert(used <= size);
	}
}

const char *form_get(const struct form *f, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < f->n; i++)
		if (f->f[i].name_len == len && memcmp(f->f[i].name, name, len) == 0)
			return f->f[i].value;
	return NULL;
}

int form_has_duplicates(const struct form *f)
{
	/* Quadratic, but the portal parses at most FIELDS_MAX (200) fields. */
	for (size_t i = 1; i < f->n; i++)
		for (size_t k = 0; k < i; k++)
			if (f->f[k].name_len == f->f[i].name_len &&
			    memcmp(f->f[k].name, f->f[i].name, f->f[i].name_len) == 0)
				return 1;
	return 0;
}

size_t form_count(const struct form *f, const char *name)
{
	size_t len = strlen(name), count = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->f[i].name_len == len && memcmp(f->f[i].name, name, len) == 0)
			count++;
	return count;
}
