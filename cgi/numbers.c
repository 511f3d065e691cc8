/* numbers.c - check digits and the typed forms of account and transfer numbers. */
#include "numbers.h"

#include <assert.h>
#include <string.h>

/* Not isdigit(): that depends on the locale, and only ASCII digits are ours. */
static int S_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int S_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrow s to its text without the whitespace a paste brings along. */
static void S_trim(const char **s, size_t *n)
{
	while (*n > 0 && S_is_space((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && S_is_space((*s)[*n - 1]))
		(*n)--;
}

/* Write v as width digits, zero-padded, to p (no NUL). */
static void S_put_digits(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Value of the width ASCII digits at p, already known to be digits. */
static int S_get_digits(const char *p, int width)
{
	int v = 0;
	for (int i = 0; i < width; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * The Luhn sum of digits, doubling every second digit counting from the right, starting with
 * the rightmost when double_last (the check digit is not there yet) or the one before it (it
 * is). -1 for a byte that is not a digit.
 */
static int S_luhn_sum(const char *digits, size_t n, int double_last)
{
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		char c = digits[n - 1 - i];
		if (!S_is_digit(c))
			return -1;
		int d = c - '0';
		if ((i % 2 == 0) == (double_last != 0)) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10;
}

int numbers_luhn_ok(const char *digits, size_t n)
{
	return n >= 2 && S_luhn_sum(digits, n, 0) == 0;
}

int numbers_luhn_digit(const char *digits, size_t n)
{
	int sum = S_luhn_sum(digits, n, 1);
	return sum < 0 ? -1 : (10 - sum) % 10;
}

int numbers_ungroup(const char *s, size_t n, char *out, size_t size, size_t *len)
{
	size_t k = 0;
	if (size > 0)
		out[0] = '\0';
	*len = 0;
	S_trim(&s, &n);
	for (size_t i = 0; i < n; i++) {
		if (S_is_digit(s[i])) {
			if (k + 1 >= size)
				goto fail;
			out[k++] = s[i];
			continue;
		}
		/* A separator must sit between two digits: "1--2", "-12" and "12 " do not read
		 * as one number (the trailing space went with the trim). */
		if ((s[i] != ' ' && s[i] != '-') || i == 0 || i + 1 == n || !S_is_digit(s[i - 1]) ||
		    !S_is_digit(s[i + 1]))
			goto fail;
	}
	if (k == 0)
		goto fail;
	out[k] = '\0';
	*len = k;
	return 0;
fail:
	if (size > 0)
		out[0] = '\0';
	return -1;
}

void numbers_account(char out[11], unsigned long long serial)
{
	assert(serial < NUMBERS_ACCOUNT_SERIALS);
	S_put_digits(out, serial, 9);
	out[9] = (char)('0' + numbers_luhn_digit(out, 9));
	out[10] = '\0';
}

int numbers_account_parse(const char *s, size_t n, char out[11])
{
	size_t len;
	if (numbers_ungroup(s, n, out, NUMBERS_ACCOUNT_LEN + 1, &len) == -1)
		return -1;
	if (len != NUMBERS_ACCOUNT_LEN || !numbers_luhn_ok(out, len)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int numbers_account_valid(const char *s, size_t n)
{
	char scratch[NUMBERS_ACCOUNT_LEN + 1];
	return numbers_account_parse(s, n, scratch) == 0;
}

static int S_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static int S_date_ok(int y, int m, int d)
{
	return y >= 2000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= S_days_in_month(y, m);
}

void numbers_transfer(char out[17], int y, int m, int d, unsigned seq)
{
	assert(S_date_ok(y, m, d));
	assert(seq < NUMBERS_TRANSFER_SEQS);
	out[0] = 'T';
	S_put_digits(out + 1, (unsigned long long)y, 4);
	S_put_digits(out + 5, (unsigned long long)m, 2);
	S_put_digits(out + 7, (unsigned long long)d, 2);
	S_put_digits(out + 9, seq, 6);
	out[15] = (char)('0' + numbers_luhn_digit(out + 1, 14));
	out[16] = '\0';
}

int numbers_transfer_parse(const char *s, size_t n, char out[17])
{
	out[0] = '\0';
	S_trim(&s, &n);
	if (n != NUMBERS_TRANSFER_LEN || (s[0] != 'T' && s[0] != 't'))
		return -1;
	for (size_t i = 1; i < n; i++)
		if (!S_is_digit(s[i]))
			return -1;
	if (!S_date_ok(S_get_digits(s + 1, 4), S_get_digits(s + 5, 2), S_get_digits(s + 7, 2)))
		return -1;
	if (!numbers_luhn_ok(s + 1, 15))
		return -1;
	out[0] = 'T';
	memcpy(out + 1, s + 1, 15);
	out[16] = '\0';
	return 0;
}

int numbers_transfer_valid(const char *s, size_t n)
{
	char scratch[NUMBERS_TRANSFER_LEN + 1];
	return numbers_transfer_parse(s, n, scratch) == 0;
}
