/* totp.c - RFC 6238 codes through liboath, checked within a drift window and never twice. */
#include "totp.h"
#include "auth.h"
#include "buf.h"
#include "http.h"

#include <liboath/oath.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t S_once = PTHREAD_ONCE_INIT;
static int S_init_rc = -1;

static void S_init_once(void)
{
	S_init_rc = oath_init() == OATH_OK ? 0 : -1;
}

int totp_init(void)
{
	pthread_once(&S_once, S_init_once);
	return S_init_rc;
}

long long totp_step(long long t)
{
	return t / TOTP_PERIOD;
}

int totp_code(const unsigned char *secret, size_t n, long long t, unsigned digits, char *out)
{
	if (totp_init() < 0 || digits < 6 || digits > 8 || t < 0)
		return -1;
	return oath_totp_generate((const char *)secret, n, (time_t)t, TOTP_PERIOD,
	                          OATH_TOTP_DEFAULT_START_TIME, digits, out) == OATH_OK
	           ? 0
	           : -1;
}

enum totp_result totp_verify(const unsigned char *secret, size_t n, long long now,
                             const char *typed, long long last_step, long long *step)
{
	char want[TOTP_DIGITS + 1] = "", got[TOTP_DIGITS + 1] = "";
	size_t len = 0;
	enum totp_result rc = TOTP_WRONG;

	for (const char *p = typed; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || len == TOTP_DIGITS)
			return TOTP_WRONG;
		got[len++] = *p;
	}
	if (len != TOTP_DIGITS)
		return TOTP_WRONG;
	/*
	 * Every step of the window is generated and compared, so the time taken does not say
	 * which step (if any) matched. liboath's own validate functions compare with strcmp.
	 */
	long long now_step = totp_step(now), match = -1;
	for (long long s = now_step - TOTP_WINDOW; s <= now_step + TOTP_WINDOW; s++) {
		if (s < 0)
			continue;
		if (totp_code(secret, n, s * TOTP_PERIOD, TOTP_DIGITS, want) < 0) {
			rc = TOTP_ERROR;
			goto out;
		}
		if (auth_equal(want, got, TOTP_DIGITS) && match < 0)
			match = s;
	}
	if (match < 0)
		goto out;
	if (match <= last_step) {
		rc = TOTP_REPLAYED;
		goto out;
	}
	*step = match;
	rc = TOTP_OK;
out:
	auth_wipe(want, sizeof(want));
	auth_wipe(got, sizeof(got));
	return rc;
}

void totp_base32(struct buf *out, const unsigned char *secret, size_t n)
{
	char *b32 = NULL;
	size_t len = 0;
	if (oath_base32_encode((const char *)secret, n, &b32, &len) != OATH_OK || !b32)
		abort(); /* only out of memory: as xmalloc does */
	while (len > 0 && b32[len - 1] == '=')
		len--;
	buf_add(out, b32, len);
	auth_wipe(b32, len);
	free(b32);
}

void totp_group(struct buf *out, const char *text)
{
	for (size_t i = 0; text[i]; i++) {
		if (i > 0 && i % 4 == 0)
			buf_addc(out, ' ');
		buf_addc(out, text[i]);
	}
}

void totp_uri(struct buf *out, const char *issuer, const char *account, const char *base32)
{
	buf_adds(out, "otpauth://totp/");
	http_query_value(out, issuer, strlen(issuer));
	buf_addc(out, ':');
	http_query_value(out, account, strlen(account));
	buf_addf(out, "?secret=%s&issuer=", base32);
	http_query_value(out, issuer, strlen(issuer));
	buf_addf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_PERIOD);
}
