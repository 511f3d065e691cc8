/* fields_fuzz.c - libFuzzer driver for the small parsers of single fields and headers. */
#include "fuzz.h"
#include "buf.h"
#include "day.h"
#include "http.h"
#include "numbers.h"
#include "policy.h"
#include "ua.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the portal may show or store from a field: valid UTF-8 without C0 controls or DEL. */
static void S_clean(const char *s, size_t n)
{
	CHECK(utf8_valid(s, n));
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void S_email(const char *s, size_t n)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	enum policy_email e = policy_email(&out, s, n);
	CHECK(e >= POLICY_EMAIL_OK && e < POLICY_EMAIL__MAX);
	if (e == POLICY_EMAIL_OK) {
		/* A mail header takes it as it is: ASCII, no space or line break, one '@'. */
		CHECK(out.len > 0 && out.len <= 254);
		for (size_t i = 0; i < out.len; i++)
			CHECK((unsigned char)out.ptr[i] > 0x20 && (unsigned char)out.ptr[i] < 0x7f);
		const char *at = strchr(out.ptr, '@');
		CHECK(at && !strchr(at + 1, '@'));
		CHECK(policy_email(&again, out.ptr, out.len) == POLICY_EMAIL_OK);
		CHECK(strcmp(again.ptr, out.ptr) == 0);
	} else {
		CHECK(out.len == 0);
	}
	buf_release(&out);
	buf_release(&again);
}

static void S_name(const char *s, size_t n)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	enum policy_name e = policy_name(&out, s, n);
	if (e == POLICY_NAME_OK) {
		S_clean(out.ptr, out.len);
		CHECK(out.len > 0 && utf8_length(out.ptr, out.len) <= POLICY_NAME_MAX);
		CHECK(policy_name(&again, out.ptr, out.len) == POLICY_NAME_OK);
		CHECK(strcmp(again.ptr, out.ptr) == 0);
	} else {
		CHECK(out.len == 0);
	}
	buf_release(&out);
	buf_release(&again);
}

static void S_numbers(const char *s, size_t n)
{
	char acct[11], tr[17], digits[32];
	size_t len = 99;
	if (numbers_ungroup(s, n, digits, sizeof(digits), &len) == 0) {
		CHECK(len > 0 && len < sizeof(digits) && strlen(digits) == len);
		CHECK(strspn(digits, "0123456789") == len);
	} else {
		CHECK(digits[0] == '\0');
	}
	int ok = numbers_account_valid(s, n);
	CHECK(ok == (numbers_account_parse(s, n, acct) == 0));
	if (ok) {
		CHECK(strlen(acct) == NUMBERS_ACCOUNT_LEN && numbers_account_valid(acct, 10));
	} else {
		CHECK(acct[0] == '\0');
	}
	ok = numbers_transfer_valid(s, n);
	CHECK(ok == (numbers_transfer_parse(s, n, tr) == 0));
	if (ok) {
		CHECK(strlen(tr) == NUMBERS_TRANSFER_LEN && tr[0] == 'T');
		CHECK(strspn(tr + 1, "0123456789") == 15 && numbers_transfer_valid(tr, 16));
	} else {
		CHECK(tr[0] == '\0');
	}
}

static void S_day(const char *s, size_t n)
{
	struct day d = {0, 0, 0}, again;
	if (day_parse(s, n, &d) == 0) {
		CHECK(d.y >= 1970 && d.y <= 9999 && d.m >= 1 && d.m <= 12);
		CHECK(d.d >= 1 && d.d <= day_month_len(d.y, d.m));
		/* A parsed day reads back as exactly what was typed. */
		struct buf b = BUF_INIT;
		day_format(&b, &d);
		CHECK(b.len == n && memcmp(b.ptr, s, n) == 0);
		CHECK(day_parse(b.ptr, b.len, &again) == 0 && day_cmp(&d, &again) == 0);
		struct day back = day_of(day_start(&d));
		CHECK(day_cmp(&d, &back) == 0);
		buf_release(&b);
	} else {
		CHECK(d.y == 0 && d.m == 0 && d.d == 0);
	}
}

/* Header values and paths arrive NUL-terminated: s is. */
static void S_http(const char *s)
{
	if (http_safe_return(s)) {
		/* Only a path of this site: never "//host", "/\host", a scheme or a control byte.
		 */
		CHECK(s[0] == '/' && (!strncmp(s, "/zh/", 4) || !strncmp(s, "/en/", 4)));
		CHECK(!strstr(s, "//") && !strchr(s, '\\'));
		for (const char *p = s; *p; p++)
			CHECK((unsigned char)*p > 0x20 && *p != 0x7f);
	}
	long long v = http_number(s, 9);
	if (v != -1) {
		char back[32];
		CHECK(v > 0 && v < 1000000000LL);
		snprintf(back, sizeof(back), "%lld", v);
		CHECK(strcmp(back, s) == 0);
	}
	struct buf b = BUF_INIT;
	http_query_value(&b, s, strlen(s));
	for (size_t i = 0; i < b.len; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%",
		             b.ptr[i]));
	buf_reset(&b);
	/* The device shown on the security page comes from a fixed set of words. */
	ua_summary(&b, s);
	CHECK(b.len > 0);
	S_clean(b.ptr, b.len);
	CHECK(!strpbrk(b.ptr, "<>&\"'"));
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	S_email(s, size);
	S_name(s, size);
	S_numbers(s, size);
	S_day(s, size);
	char *z = malloc(size + 1);
	memcpy(z, data, size);
	z[size] = '\0';
	S_http(z);
	free(z);
	return 0;
}
