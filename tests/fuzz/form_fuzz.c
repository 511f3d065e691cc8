/* form_fuzz.c - libFuzzer driver for cgi/form.c: both parsers, lookups and their invariants. */
#include "fuzz.h"
#include "form.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every parsed form promises: sizes, NULs, and lookups that find each name. */
static void S_check_form(const struct form *f, size_t max_fields, size_t max_value)
{
	CHECK(f->n <= max_fields);
	CHECK((f->n == 0) == (f->f == NULL));
	for (size_t i = 0; i < f->n; i++) {
		const struct form_field *fl = &f->f[i];
		CHECK(fl->name_len <= FORM_NAME_MAX);
		CHECK(fl->value_len <= max_value);
		CHECK(fl->name[fl->name_len] == '\0' && strlen(fl->name) == fl->name_len);
		CHECK(fl->value[fl->value_len] == '\0' && strlen(fl->value) == fl->value_len);
		const char *v = form_get(f, fl->name);
		CHECK(v != NULL);
		CHECK(form_count(f, fl->name) >= 1);
		/* form_get returns the first match, so never one after field i. */
		CHECK(v <= fl->value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct form f;

	/* The first byte picks small limits so that both sides of each limit are reached. */
	size_t max_fields = size ? (size_t)(data[0] % 16) : 4;
	size_t max_value = size ? (size_t)(data[0] / 16) * 4 : 8;

	enum form_error e = form_parse_urlencoded(&f, s, size, max_fields, max_value);
	CHECK(e >= FORM_OK && e < FORM__MAX);
	CHECK(form_error_str(e) != NULL);
	if (e == FORM_OK) {
		S_check_form(&f, max_fields, max_value);
		for (size_t i = 0; i < f.n; i++) {
			CHECK(utf8_valid(f.f[i].name, f.f[i].name_len));
			CHECK(utf8_valid(f.f[i].value, f.f[i].value_len));
		}
	} else {
		CHECK(f.n == 0 && f.f == NULL && f.mem == NULL);
	}
	form_release(&f);

	/* Generous limits: the whole input as one body. */
	e = form_parse_urlencoded(&f, s, size, SIZE_MAX, SIZE_MAX);
	if (e == FORM_OK)
		S_check_form(&f, SIZE_MAX, SIZE_MAX);
	form_get(&f, "csrf");
	form_release(&f);

	cookie_parse(&f, s, size);
	S_check_form(&f, COOKIE_MAX, COOKIE_VALUE_MAX);
	for (size_t i = 0; i < f.n; i++) {
		for (size_t k = 0; k < f.f[i].value_len; k++) {
			unsigned char c = (unsigned char)f.f[i].value[k];
			CHECK(c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' &&
			      c != '\\');
		}
		CHECK(f.f[i].name_len > 0);
	}
	form_get(&f, "sid");
	form_release(&f);
	return 0;
}
