/* multipart_fuzz.c - libFuzzer driver for cgi/multipart.c and cgi/sniff.c and their invariants. */
#include "fuzz.h"
#include "multipart.h"
#include "sniff.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 if the n bytes at s hold a control character. */
static int S_has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* What every parsed body promises: limits, strings, and data inside the body at a delimiter. */
static void S_check(const struct multipart *m, const char *body, size_t n, const char *bnd,
                    size_t blen, const struct multipart_limits *lim)
{
	size_t files = 0;
	const char *prev_end = body;

	CHECK(m->n <= lim->max_parts);
	CHECK((m->n == 0) == (m->parts == NULL));
	CHECK((m->n == 0) == (m->mem == NULL));
	for (size_t i = 0; i < m->n; i++) {
		const struct multipart_part *p = &m->parts[i];
		/* data lies inside the body, after the previous part, and a delimiter follows it */
		CHECK(p->data >= prev_end && p->data <= body + n);
		CHECK(p->data_len <= (size_t)(body + n - p->data));
		CHECK((size_t)(body + n - p->data) - p->data_len >= 4 + blen);
		CHECK(memcmp(p->data + p->data_len, "\r\n--", 4) == 0);
		CHECK(memcmp(p->data + p->data_len + 4, bnd, blen) == 0);
		prev_end = p->data + p->data_len;

		CHECK(p->name_len > 0 && p->name_len <= MULTIPART_NAME_MAX);
		CHECK(p->name[p->name_len] == '\0' && strlen(p->name) == p->name_len);
		CHECK(utf8_valid(p->name, p->name_len) && !S_has_ctl(p->name, p->name_len));
		CHECK(p->content_type && strchr(p->content_type, '/'));
		for (const char *c = p->content_type; *c; c++)
			CHECK(!(*c >= 'A' && *c <= 'Z'));
		if (p->filename) {
			files++;
			CHECK(p->value == NULL);
			CHECK(p->data_len <= lim->max_file);
			CHECK(p->filename[p->filename_len] == '\0');
			CHECK(strlen(p->filename) == p->filename_len);
			CHECK(utf8_valid(p->filename, p->filename_len));
			CHECK(!S_has_ctl(p->filename, p->filename_len));
			CHECK(!memchr(p->filename, '/', p->filename_len));
			CHECK(!memchr(p->filename, '\\', p->filename_len));
			enum sniff_type t = sniff_image(p->data, p->data_len);
			CHECK(t >= SNIFF_NONE && t < SNIFF__MAX);
			CHECK((t == SNIFF_NONE) == (sniff_mime(t) == NULL));
			CHECK((t == SNIFF_NONE) == (sniff_ext(t) == NULL));
			if (t == SNIFF_PNG)
				CHECK(p->data_len >= 33 &&
				      memcmp(p->data, "\x89PNG\r\n\x1a\n", 8) == 0);
			if (t == SNIFF_JPEG)
				CHECK(p->data_len >= 6 && memcmp(p->data, "\xff\xd8\xff", 3) == 0);
		} else {
			CHECK(p->value != NULL);
			CHECK(p->data_len <= lim->max_field);
			CHECK(memcmp(p->value, p->data, p->data_len) == 0);
			CHECK(p->value[p->data_len] == '\0' && strlen(p->value) == p->data_len);
			CHECK(utf8_valid(p->value, p->data_len));
			/* a text field's name is nobody else's */
			CHECK(multipart_count(m, p->name) == 1);
		}
		CHECK(multipart_get(m, p->name) <= p);
	}
	CHECK(files == m->files && files <= lim->max_files);
}

/* 1 if a and b hold the same parts (same data pointers, same strings). */
static int S_same(const struct multipart *a, const struct multipart *b)
{
	if (a->n != b->n || a->files != b->files)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct multipart_part *p = &a->parts[i], *q = &b->parts[i];
		if (p->data != q->data || p->data_len != q->data_len ||
		    strcmp(p->name, q->name) != 0 ||
		    strcmp(p->content_type, q->content_type) != 0 || !p->filename != !q->filename ||
		    (p->filename && strcmp(p->filename, q->filename) != 0))
			return 0;
	}
	return 1;
}

/*
 * Parse exact-size heap copies of the body cut just after each of its first boundary texts
 * ("--" boundary and 0 to 3 more bytes), where a read past the end is likeliest; libFuzzer
 * alone seldom ends an input at exactly such a place, as nothing there adds coverage.
 */
static void S_cuts(const char *body, size_t n, const char *bnd, size_t blen)
{
	static const struct multipart_limits big = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX,
	                                            SIZE_MAX};
	char dash[2 + MULTIPART_BOUNDARY_MAX];
	size_t from = 0, found = 0;

	memcpy(dash, "--", 2);
	memcpy(dash + 2, bnd, blen);
	while (found++ < 8 && from < n) {
		const char *hit = memmem(body + from, n - from, dash, 2 + blen);
		if (!hit)
			break;
		size_t end = (size_t)(hit - body) + 2 + blen;
		for (size_t cut = end; cut <= end + 3 && cut <= n; cut++) {
			char *copy = malloc(cut ? cut : 1);
			struct multipart m;
			memcpy(copy, body, cut);
			if (multipart_parse(&m, copy, cut, bnd, blen, &big) == MULTIPART_OK)
				S_check(&m, copy, cut, bnd, blen, &big);
			multipart_release(&m);
			free(copy);
		}
		from = end;
	}
}

/*
 * The input: two bytes that pick small limits (so that both sides of each limit are reached),
 * a Content-Type header value up to the first LF, and the body after it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct multipart_limits big = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX,
	                                            SIZE_MAX};
	char bnd[MULTIPART_BOUNDARY_MAX + 1];
	size_t blen;
	struct multipart m, m2, m3;

	enum sniff_type t = sniff_image(data, size);
	CHECK(t >= SNIFF_NONE && t < SNIFF__MAX);
	if (size < 2)
		return 0;
	struct multipart_limits lim = {
	    .max_parts = data[0] & 7,
	    .max_files = (data[0] >> 3) & 3,
	    .max_header = 32 * (size_t)((data[0] >> 5) + 1),
	    .max_field = 4 * (size_t)(data[1] & 15),
	    .max_file = 16 * (size_t)(data[1] >> 4),
	};
	const char *ct = (const char *)data + 2;
	const char *lf = memchr(ct, '\n', size - 2);
	size_t ct_len = lf ? (size_t)(lf - ct) : size - 2;
	const char *body = lf ? lf + 1 : ct + ct_len;
	size_t n = size - 2 - ct_len - (lf ? 1 : 0);

	enum multipart_error e = multipart_boundary(ct, ct_len, bnd, &blen);
	CHECK(e == MULTIPART_OK || e == MULTIPART_NOT_FORM_DATA || e == MULTIPART_BAD_BOUNDARY);
	CHECK(multipart_error_str(e) != NULL);
	CHECK(strlen(bnd) == blen && blen <= MULTIPART_BOUNDARY_MAX);
	CHECK((e == MULTIPART_OK) == (blen > 0));
	if (e != MULTIPART_OK)
		return 0;

	e = multipart_parse(&m, body, n, bnd, blen, &lim);
	CHECK(e >= MULTIPART_OK && e < MULTIPART__MAX);
	CHECK(multipart_error_str(e) != NULL);
	if (e == MULTIPART_OK)
		S_check(&m, body, n, bnd, blen, &lim);
	else
		CHECK(m.n == 0 && m.parts == NULL && m.mem == NULL && m.files == 0);

	/* Generous limits accept whatever the small ones did, with the same parts. */
	enum multipart_error e2 = multipart_parse(&m2, body, n, bnd, blen, &big);
	if (e2 == MULTIPART_OK)
		S_check(&m2, body, n, bnd, blen, &big);
	if (e == MULTIPART_OK)
		CHECK(e2 == MULTIPART_OK && S_same(&m, &m2));

	/* Deterministic: the same input gives the same answer. */
	enum multipart_error e3 = multipart_parse(&m3, body, n, bnd, blen, &big);
	CHECK(e3 == e2 && S_same(&m2, &m3));

	multipart_release(&m);
	multipart_release(&m2);
	multipart_release(&m3);
	CHECK(m.n == 0 && m.parts == NULL);

	S_cuts(body, n, bnd, blen);
	return 0;
}
