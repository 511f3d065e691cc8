/* money.c - amounts in integer minor units: parse what people type, format, compute fees. */
#include "money.h"
#include "buf.h"
#include "utf8.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

const struct money_currency money_cny = {"CNY", "\xc2\xa5", 2}; /* ¥ */

/* The half-width yen sign U+00A5 and its full-width twin U+FFE5, which Chinese input methods
 * type: both mean the currency whose symbol is either. */
#define YEN      "\xc2\xa5"
#define YEN_FULL "\xef\xbf\xa5"

/* Powers of ten up to 10^MONEY_DECIMALS_MAX. */
static const unsigned long long S_pow10[MONEY_DECIMALS_MAX + 1] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
};

/* --- parsing ------------------------------------------------------------------------------- */

/* The Unicode White_Space property. Browsers keep a no-break space pasted from a web page,
 * and Chinese input methods type U+3000 for a space. */
static int S_is_space(long cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Signs people use for "minus": ASCII, the hyphens and dashes word processors and input
 * methods substitute, the mathematical minus, and the small and full-width forms. */
static int S_is_minus(long cp)
{
	return cp == '-' || (cp >= 0x2010 && cp <= 0x2013) || cp == 0x2212 || cp == 0xfe63 ||
	       cp == 0xff0d;
}

/* Unicode decimal digits (general category Nd, Unicode 14) other than ASCII 0-9. */
static const long S_digits[][2] = {
    {0x660, 0x669},     {0x6f0, 0x6f9},     {0x7c0, 0x7c9},     {0x966, 0x96f},
    {0x9e6, 0x9ef},     {0xa66, 0xa6f},     {0xae6, 0xaef},     {0xb66, 0xb6f},
    {0xbe6, 0xbef},     {0xc66, 0xc6f},     {0xce6, 0xcef},     {0xd66, 0xd6f},
    {0xde6, 0xdef},     {0xe50, 0xe59},     {0xed0, 0xed9},     {0xf20, 0xf29},
    {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17e0, 0x17e9},   {0x1810, 0x1819},
    {0x1946, 0x194f},   {0x19d0, 0x19d9},   {0x1a80, 0x1a89},   {0x1a90, 0x1a99},
    {0x1b50, 0x1b59},   {0x1bb0, 0x1bb9},   {0x1c40, 0x1c49},   {0x1c50, 0x1c59},
    {0xa620, 0xa629},   {0xa8d0, 0xa8d9},   {0xa900, 0xa909},   {0xa9d0, 0xa9d9},
    {0xa9f0, 0xa9f9},   {0xaa50, 0xaa59},   {0xabf0, 0xabf9},   {0xff10, 0xff19},
    {0x104a0, 0x104a9}, {0x10d30, 0x10d39}, {0x11066, 0x1106f}, {0x110f0, 0x110f9},
    {0x11136, 0x1113f}, {0x111d0, 0x111d9}, {0x112f0, 0x112f9}, {0x11450, 0x11459},
    {0x114d0, 0x114d9}, {0x11650, 0x11659}, {0x116c0, 0x116c9}, {0x11730, 0x11739},
    {0x118e0, 0x118e9}, {0x11950, 0x11959}, {0x11c50, 0x11c59}, {0x11d50, 0x11d59},
    {0x11da0, 0x11da9}, {0x16a60, 0x16a69}, {0x16ac0, 0x16ac9}, {0x16b50, 0x16b59},
    {0x1d7ce, 0x1d7ff}, {0x1e140, 0x1e149}, {0x1e2f0, 0x1e2f9}, {0x1e950, 0x1e959},
    {0x1fbf0, 0x1fbf9},
};

static int S_is_other_digit(long cp)
{
	for (size_t i = 0; i < sizeof S_digits / sizeof S_digits[0]; i++)
		if (cp >= S_digits[i][0] && cp <= S_digits[i][1])
			return 1;
	return 0;
}

static int S_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Length of the code point at s if pred accepts it, else 0. */
static size_t S_match(const char *s, size_t n, int (*pred)(long))
{
	size_t adv;
	if (n == 0)
		return 0;
	long cp = utf8_decode(s, n, &adv);
	return cp >= 0 && pred(cp) ? adv : 0;
}

static int S_starts_with(const char *s, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);
	return len > 0 && len <= n && memcmp(s, prefix, len) == 0;
}

/* Length of c's symbol at the start of s, or 0. */
static size_t S_symbol(const char *s, size_t n, const struct money_currency *c)
{
	const char *sym = c->symbol ? c->symbol : "";
	if (strcmp(sym, YEN) == 0 || strcmp(sym, YEN_FULL) == 0) {
		if (S_starts_with(s, n, YEN))
			return strlen(YEN);
		if (S_starts_with(s, n, YEN_FULL))
			return strlen(YEN_FULL);
		return 0;
	}
	return S_starts_with(s, n, sym) ? strlen(sym) : 0;
}

/* Add the digit d to acc, scaled by ten. Once the value could pass LLONG_MAX, *big is set and
 * acc stops changing: the caller only needs to know it is too large. */
static void S_accumulate(long long *acc, int d, int *big)
{
	if (*big)
		return;
	if (*acc > (LLONG_MAX - d) / 10)
		*big = 1;
	else
		*acc = *acc * 10 + d;
}

/* The checks on the amount itself, bytes [p, end) of s after the symbol: see money.h. */
static enum money_error S_amount(const char *s, size_t p, size_t end, int decimals,
                                 long long max_minor, long long *minor)
{
	size_t i, adv, dot = end, dots = 0;

	for (i = p; i < end; i += adv) {
		long cp = utf8_decode(s + i, end - i, &adv);
		if (cp >= 0 && S_is_other_digit(cp))
			return MONEY_NON_ASCII_DIGITS;
	}

	/* "1e3", "1.5E-3", "2e+10": an 'e' after a digit or point and before a (signed) digit. */
	for (i = p; i < end; i++) {
		if ((s[i] != 'e' && s[i] != 'E') || i == p ||
		    !(S_is_digit(s[i - 1]) || s[i - 1] == '.'))
			continue;
		size_t j = i + 1;
		if (j < end && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < end && S_is_digit(s[j]))
			return MONEY_EXPONENT;
	}

	for (i = p; i < end; i++) {
		if (s[i] == '.') {
			dot = i;
			dots++;
		} else if (!S_is_digit(s[i]) && s[i] != ',') {
			return MONEY_NOT_A_NUMBER;
		}
	}
	if (dots > 1)
		return MONEY_NOT_A_NUMBER;
	/* A point needs digits on both sides: "12." and ".5" are likely typing slips. */
	int int_digits = 0, frac_digits = 0;
	for (i = p; i < dot; i++)
		int_digits += S_is_digit(s[i]);
	for (i = dot + 1; i < end; i++)
		frac_digits += S_is_digit(s[i]);
	if (int_digits == 0 || (dots == 1 && frac_digits == 0))
		return MONEY_NOT_A_NUMBER;

	/* Groups: 1-3 digits first (not starting with 0: "0,500" means a half in Europe), then
	 * exactly 3 after each ','. No ',' after the point. */
	if (memchr(s + p, ',', dot - p)) {
		size_t group = 0, first = 1;
		if (s[p] == '0')
			return MONEY_BAD_GROUPING;
		for (i = p; i <= dot; i++) {
			if (i < dot && S_is_digit(s[i])) {
				group++;
				continue;
			}
			if (first ? group < 1 || group > 3 : group != 3)
				return MONEY_BAD_GROUPING;
			first = 0;
			group = 0;
		}
	}
	if (dot < end && memchr(s + dot, ',', end - dot))
		return MONEY_BAD_GROUPING;

	if (frac_digits > decimals)
		return MONEY_TOO_MANY_DECIMALS;

	long long acc = 0;
	int big = 0;
	for (i = p; i < dot; i++)
		if (S_is_digit(s[i]))
			S_accumulate(&acc, s[i] - '0', &big);
	for (int k = 0; k < decimals; k++)
		S_accumulate(&acc, k < frac_digits ? s[dot + 1 + k] - '0' : 0, &big);
	if (!big && acc == 0)
		return MONEY_ZERO;
	if (big || acc > max_minor)
		return MONEY_TOO_LARGE;
	*minor = acc;
	return MONEY_OK;
}

enum money_error money_parse(const char *s, size_t n, const struct money_currency *c,
                             long long max_minor, long long *minor)
{
	size_t p = 0, end = n, adv, len;

	assert(c->decimals >= 0 && c->decimals <= MONEY_DECIMALS_MAX);
	*minor = 0;

	/* Trim white space at both ends; invalid UTF-8 counts as text, for the checks to refuse. */
	while (p < end && (len = S_match(s + p, end - p, S_is_space)) > 0)
		p += len;
	while (end > p) {
		size_t q = end - 1;
		while (q > p && ((unsigned char)s[q] & 0xc0) == 0x80)
			q--;
		long cp = utf8_decode(s + q, end - q, &adv);
		if (cp < 0 || q + adv != end || !S_is_space(cp))
			break;
		end = q;
	}
	if (p == end)
		return MONEY_EMPTY;

	/* A minus sign before or after the symbol: "-¥5", "¥-5", "¥ −5". */
	if (S_match(s + p, end - p, S_is_minus))
		return MONEY_NEGATIVE;
	if ((len = S_symbol(s + p, end - p, c)) > 0) {
		p += len;
		while (p < end && (len = S_match(s + p, end - p, S_is_space)) > 0)
			p += len;
		if (p == end)
			return MONEY_EMPTY;
		if (S_match(s + p, end - p, S_is_minus))
			return MONEY_NEGATIVE;
	}
	return S_amount(s, p, end, c->decimals, max_minor, minor);
}

/* Indexed by enum money_error; the keys are in content/ui.conf. */
static const char *const S_error_keys[MONEY__MAX] = {
    [MONEY_OK] = NULL,
    [MONEY_EMPTY] = "err_amount_empty",
    [MONEY_NEGATIVE] = "err_amount_negative",
    [MONEY_ZERO] = "err_amount_zero",
    [MONEY_TOO_MANY_DECIMALS] = "err_amount_too_many_decimals",
    [MONEY_EXPONENT] = "err_amount_exponent",
    [MONEY_NOT_A_NUMBER] = "err_amount_not_a_number",
    [MONEY_NON_ASCII_DIGITS] = "err_amount_non_ascii_digits",
    [MONEY_BAD_GROUPING] = "err_amount_bad_grouping",
    [MONEY_TOO_LARGE] = "err_amount_too_large",
};

const char *money_error_key(enum money_error e)
{
	if ((unsigned)e >= MONEY__MAX)
		return NULL;
	return S_error_keys[e];
}

/* --- formatting ---------------------------------------------------------------------------- */

/* The magnitude of v: unsigned, so that LLONG_MIN has one too. */
static unsigned long long S_abs(long long v)
{
	return v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

/* Append v in decimal, with a ',' between groups of three if grouped. */
static void S_add_integer(struct buf *out, unsigned long long v, int grouped)
{
	char tmp[32]; /* 20 digits and 6 commas */
	size_t i = sizeof tmp, digits = 0;

	do {
		if (grouped && digits > 0 && digits % 3 == 0)
			tmp[--i] = ',';
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		digits++;
	} while (v > 0);
	buf_add(out, tmp + i, sizeof tmp - i);
}

/* Append the major units and, if the currency has any, the point and the minor digits. */
static void S_add_amount(struct buf *out, unsigned long long mag, int decimals, int grouped)
{
	assert(decimals >= 0 && decimals <= MONEY_DECIMALS_MAX);
	unsigned long long unit = S_pow10[decimals];
	S_add_integer(out, mag / unit, grouped);
	if (decimals == 0)
		return;
	char tmp[MONEY_DECIMALS_MAX];
	unsigned long long frac = mag % unit;
	for (int i = decimals - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	buf_addc(out, '.');
	buf_add(out, tmp, (size_t)decimals);
}

void money_format(struct buf *out, long long minor, const struct money_currency *c, enum locale l)
{
	/* Chinese and English pages both write "¥1,234.50"; l keeps callers ready for a locale
	 * that differs. */
	(void)l;
	if (minor < 0)
		buf_addc(out, '-');
	if (c->symbol && c->symbol[0]) {
		buf_adds(out, c->symbol);
	} else {
		buf_adds(out, c->code);
		buf_adds(out,
		         "\xc2\xa0"); /* no-break space: keep "CNY" on the line of its amount */
	}
	S_add_amount(out, S_abs(minor), c->decimals, 1);
}

void money_decimal(struct buf *out, long long minor, const struct money_currency *c)
{
	if (minor < 0)
		buf_addc(out, '-');
	S_add_amount(out, S_abs(minor), c->decimals, 0);
}

/* --- arithmetic ---------------------------------------------------------------------------- */

int money_fee(long long amount, int rate_bp, long long fixed_minor, long long *fee)
{
	if (amount < 0 || rate_bp < 0 || fixed_minor < 0)
		return -1;
	/* With amount = q * 10000 + r, (amount * rate + 5000) / 10000 is exactly
	 * q * rate + (r * rate + 5000) / 10000, because q * rate * 10000 divides evenly. The
	 * second part is below 10000 * INT_MAX + 5000, far from overflow; only q * rate and the
	 * sums can overflow, and those are checked. */
	long long q = amount / 10000, r = amount % 10000;
	long long whole, part = (r * rate_bp + 5000) / 10000, sum;
	if (__builtin_mul_overflow(q, (long long)rate_bp, &whole) ||
	    __builtin_add_overflow(whole, part, &sum) ||
	    __builtin_add_overflow(sum, fixed_minor, &sum))
		return -1;
	*fee = sum;
	return 0;
}

int money_add(long long a, long long b, long long *out)
{
	long long sum;
	if (__builtin_add_overflow(a, b, &sum))
		return -1;
	*out = sum;
	return 0;
}

int money_sub(long long a, long long b, long long *out)
{
	long long diff;
	if (__builtin_sub_overflow(a, b, &diff))
		return -1;
	*out = diff;
	return 0;
}

int money_currency_parse(struct money_currency *c, char *spec)
{
	char *code = spec, *symbol, *decimals;
	symbol = strchr(code, ',');
	decimals = symbol ? strchr(symbol + 1, ',') : NULL;
	if (!decimals || strchr(decimals + 1, ','))
		return -1;
	*symbol++ = '\0';
	*decimals++ = '\0';
	if (strlen(code) != 3 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3 ||
	    strlen(symbol) > 8 || decimals[0] < '0' || decimals[0] > '4' || decimals[1]) {
		/* Put the commas back: the caller may report spec as it was. */
		symbol[-1] = ',';
		decimals[-1] = ',';
		return -1;
	}
	c->code = code;
	c->symbol = symbol;
	c->decimals = decimals[0] - '0';
	return 0;
}
