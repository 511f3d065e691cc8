/* policy.c - registration input rules: e-mail address syntax, password strength, names. */
#include "policy.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <zxcvbn.h>

/* The Unicode White_Space property. Browsers keep a no-break space pasted from a web page,
 * and Chinese input methods type U+3000 for a space. */
static int S_is_space(long cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Find the text inside surrounding white space: bytes [*start, *end) of s. Invalid UTF-8
 * counts as text, for the caller to refuse. */
static void S_trim(const char *s, size_t n, size_t *start, size_t *end)
{
	size_t i = 0, adv;
	int seen = 0;

	*start = *end = 0;
	while (i < n) {
		long cp = utf8_decode(s + i, n - i, &adv);
		if (!S_is_space(cp)) {
			if (!seen)
				*start = i;
			seen = 1;
			*end = i + adv;
		}
		i += adv;
	}
}

static int S_ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int S_ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* --- e-mail address ------------------------------------------------------------------------ */

/* RFC 5322 atext, without the dot. */
static int S_atext(int c)
{
	return S_ascii_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int S_dot_atom(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return 0;
		} else if (!S_atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static enum policy_email S_domain(const char *d, size_t n)
{
	size_t i = 0, labels = 0, last = 0;

	if (n > 253)
		return POLICY_EMAIL_TOO_LONG;
	for (;;) {
		size_t start = i;
		while (i < n && d[i] != '.') {
			if (!S_ascii_alnum((unsigned char)d[i]) && d[i] != '-')
				return POLICY_EMAIL_INVALID;
			i++;
		}
		if (i == start || d[start] == '-' || d[i - 1] == '-')
			return POLICY_EMAIL_INVALID;
		if (i - start > 63)
			return POLICY_EMAIL_TOO_LONG;
		labels++;
		last = start;
		if (i == n)
			break;
		i++; /* the dot; a trailing one leaves an empty label, refused above */
	}
	if (labels < 2)
		return POLICY_EMAIL_INVALID;
	/* An all-digit top-level label would make "user@192.0.2.1" look like a domain. */
	for (i = last; i < n; i++)
		if (!(d[i] >= '0' && d[i] <= '9'))
			return POLICY_EMAIL_OK;
	return POLICY_EMAIL_INVALID;
}

enum policy_email policy_email(struct buf *out, const char *in, size_t n)
{
	size_t start, end, len, local_len;
	const char *s, *at = NULL;
	enum policy_email rc;

	buf_reset(out);
	S_trim(in, n, &start, &end);
	s = in + start;
	len = end - start;
	if (len == 0)
		return POLICY_EMAIL_EMPTY;
	if (len > 254)
		return POLICY_EMAIL_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e)
			return POLICY_EMAIL_INVALID;
		if (c == '@') {
			if (at)
				return POLICY_EMAIL_INVALID;
			at = s + i;
		}
	}
	if (at == NULL)
		return POLICY_EMAIL_INVALID;
	local_len = (size_t)(at - s);
	if (local_len == 0 || !S_dot_atom(s, local_len))
		return POLICY_EMAIL_INVALID;
	if (local_len > 64)
		return POLICY_EMAIL_TOO_LONG;
	rc = S_domain(at + 1, len - local_len - 1);
	if (rc != POLICY_EMAIL_OK)
		return rc;
	buf_add(out, s, local_len + 1);
	for (size_t i = local_len + 1; i < len; i++)
		buf_addc(out, (char)S_ascii_lower((unsigned char)s[i]));
	return POLICY_EMAIL_OK;
}

/* --- password ------------------------------------------------------------------------------ */

/* Words a guesser tries first here, beyond zxcvbn's English lists: the service's name and
 * the Chinese "I love you" phrases that top Chinese password leaks. */
static const char *const S_context_words[] = {"okpay", "woaini", "5201314", "1314"};

#define S_USER_WORDS_MAX 64
/* Shorter words would match pieces of random passwords by chance. */
#define S_USER_WORD_MIN 3

/* The user dictionary for zxcvbn: NUL-separated words in one buffer. */
struct S_words {
	struct buf text;              /* the words, each followed by a NUL */
	size_t off[S_USER_WORDS_MAX]; /* where each word starts in text */
	size_t n;                     /* words used */
};

static void S_words_add(struct S_words *w, const char *s, size_t n)
{
	if (n < S_USER_WORD_MIN || w->n == S_USER_WORDS_MAX)
		return;
	w->off[w->n++] = w->text.len;
	buf_add(&w->text, s, n);
	buf_addc(&w->text, '\0');
}

/* Add s whole, then each of its runs of letters and digits (any non-ASCII byte counts as a
 * letter), so "li.wei+shop" gives "li.wei+shop", "wei" and "shop". */
static void S_words_add_split(struct S_words *w, const char *s, size_t n)
{
	size_t i = 0;

	S_words_add(w, s, n);
	while (i < n) {
		size_t start;
		while (i < n &&
		       !(S_ascii_alnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80))
			i++;
		start = i;
		while (i < n && (S_ascii_alnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80))
			i++;
		if (i > start && i - start < n)
			S_words_add(w, s + start, i - start);
	}
}

/* 1 if the n bytes of a equal the m bytes of b, ignoring ASCII case. */
static int S_same_ci(const char *a, size_t n, const char *b, size_t m)
{
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (S_ascii_lower((unsigned char)a[i]) != S_ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static double S_entropy(const char *pw, size_t n, const char *email, const char *name)
{
	struct S_words w = {.text = BUF_INIT};
	const char *dict[S_USER_WORDS_MAX + ARRAY_LEN(S_context_words) + 1];
	size_t k = 0;
	char *copy;
	double bits;

	if (email) {
		const char *at = strrchr(email, '@');
		S_words_add(&w, email, strlen(email));
		if (at)
			S_words_add_split(&w, email, (size_t)(at - email));
	}
	if (name)
		S_words_add_split(&w, name, strlen(name));
	for (size_t i = 0; i < w.n; i++)
		dict[k++] = w.text.ptr + w.off[i];
	for (size_t i = 0; i < ARRAY_LEN(S_context_words); i++)
		dict[k++] = S_context_words[i];
	dict[k] = NULL;

	/* zxcvbn wants a NUL-terminated string; a NUL inside pw ends it early, which can only
	 * lower the estimate. */
	copy = xstrndup(pw, n);
	bits = ZxcvbnMatch(copy, dict, NULL);
	explicit_bzero(copy, n);
	free(copy);
	buf_release(&w.text);
	return bits;
}

enum policy_password policy_password(const char *pw, size_t n, const char *email, const char *name)
{
	size_t len = utf8_length(pw, n);

	if (len < POLICY_PW_MIN)
		return POLICY_PW_TOO_SHORT;
	if (len > POLICY_PW_MAX)
		return POLICY_PW_TOO_LONG;
	if (email) {
		const char *at = strrchr(email, '@');
		if (S_same_ci(pw, n, email, strlen(email)) ||
		    (at && S_same_ci(pw, n, email, (size_t)(at - email))))
			return POLICY_PW_SAME_AS_EMAIL;
	}
	if (name && S_same_ci(pw, n, name, strlen(name)))
		return POLICY_PW_SAME_AS_NAME;
	if (S_entropy(pw, n, email, name) < POLICY_PW_MIN_BITS)
		return POLICY_PW_TOO_GUESSABLE;
	return POLICY_PW_OK;
}

/* --- full name ----------------------------------------------------------------------------- */

/* C0 and C1 controls and DEL; and the bidi embeddings, overrides and isolates, which can make
 * "Bob (admin)" appear where other text was typed. Bidi marks (U+200E, U+200F) are kept:
 * they change no other character's order. */
static int S_name_refused(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

enum policy_name policy_name(struct buf *out, const char *in, size_t n)
{
	size_t start, end, i, adv;

	buf_reset(out);
	if (!utf8_valid(in, n))
		return POLICY_NAME_INVALID;
	S_trim(in, n, &start, &end);
	if (start == end)
		return POLICY_NAME_EMPTY;
	if (utf8_length(in + start, end - start) > POLICY_NAME_MAX)
		return POLICY_NAME_TOO_LONG;
	for (i = start; i < end; i += adv)
		if (S_name_refused(utf8_decode(in + i, end - i, &adv)))
			return POLICY_NAME_INVALID;
	buf_add(out, in + start, end - start);
	return POLICY_NAME_OK;
}
