/* form.h - strict parsers for urlencoded bodies, query strings and Cookie headers. */
#ifndef OKPAY_FORM_H
#define OKPAY_FORM_H

#include <stddef.h>

/*
 * Rules:
 * - A struct form owns every string it points at; form_release frees them all, and nothing
 *   else may (the strings share one block, so never free() a single name or value).
 * - Names and values are NUL-terminated, contain no NUL byte, and their lengths are given.
 *   Parsed urlencoded text is valid UTF-8; cookie names and values are printable ASCII.
 * - Fields keep input order, repeated names included.
 * - The parsers overwrite *f without reading it: release a form before parsing into it again.
 * - A zeroed form ({0}) is a valid empty form.
 */

/** Longest name, in bytes after decoding, that either parser accepts. */
#define FORM_NAME_MAX 64
/** Most cookies cookie_parse keeps; later ones are ignored. */
#define COOKIE_MAX 50
/** Longest cookie value, in bytes without quotes, that cookie_parse keeps. */
#define COOKIE_VALUE_MAX 4096

struct form_field {
	char *name;       /* decoded name, NUL-terminated, owned by the form */
	size_t name_len;  /* bytes in name, excluding the NUL */
	char *value;      /* decoded value ("" if none), NUL-terminated, owned by the form */
	size_t value_len; /* bytes in value, excluding the NUL */
};

struct form {
	struct form_field *f; /* fields in input order; NULL when there are none */
	size_t n;             /* fields used */
	size_t alloc;         /* fields allocated */
	char *mem;            /* the one block holding all names and values */
};

enum form_error {
	FORM_OK = 0,
	FORM_BAD_ESCAPE, /* '%' not followed by two hex digits */
	FORM_BAD_UTF8,   /* a decoded name or value is not valid UTF-8 */
	FORM_NUL,        /* a NUL byte, raw or as %00 */
	FORM_TOO_MANY,   /* more than max_fields fields */
	FORM_TOO_LONG,   /* a name above FORM_NAME_MAX or a value above max_value bytes */
	FORM__MAX
};

/* --- parsing ---------------------------------------------------------------------------- */

/**
 * Parse an application/x-www-form-urlencoded body or a query string (without its '?'):
 * n bytes of s, which need not be NUL-terminated and are never read past n (s may be NULL
 * when n is 0).
 *
 * Pairs are separated by '&'; empty pairs ("a=1&&b=2", a trailing '&') are skipped. A pair
 * splits at its first '=' ("a=b=c" is a with value "b=c"); a pair without '=' is a name with
 * an empty value. '+' decodes to a space and %XX (either case of hex) to the byte XX, so "%2B"
 * is a literal '+'.
 *
 * Strict: every '%' must start %XX, every decoded name and value must be valid UTF-8 and free
 * of NUL bytes, at most max_fields fields, names at most FORM_NAME_MAX bytes and values at most
 * max_value bytes (both counted after decoding). Returns FORM_OK and fills *f, or the first
 * problem found, with *f empty and nothing allocated. Either way the caller releases *f with
 * form_release (harmless when empty).
 */
enum form_error form_parse_urlencoded(struct form *f, const char *s, size_t n, size_t max_fields,
                                      size_t max_value);

/**
 * Parse n bytes of a Cookie request header value (RFC 6265 cookie-string, "a=1; b=2") into *f.
 * Never fails: pairs that are not name=value with a token name and a value of cookie-octets
 * (optionally wrapped in double quotes, which are removed) are skipped, because other sites'
 * junk must not break our pages. Whitespace around pairs, names and values is ignored. Values
 * are not percent-decoded. Names over FORM_NAME_MAX bytes and values over COOKIE_VALUE_MAX
 * bytes are skipped; cookies after the first COOKIE_MAX are ignored. The caller releases *f.
 */
void cookie_parse(struct form *f, const char *header, size_t n);

/* --- lookup ----------------------------------------------------------------------------- */

/** Value of the first field named name, or NULL. The string belongs to f. */
const char *form_get(const struct form *f, const char *name);
/** Number of fields named name. */
size_t form_count(const struct form *f, const char *name);
/** 1 if some name occurs more than once in f, else 0. */
int form_has_duplicates(const struct form *f);

/* --- lifecycle -------------------------------------------------------------------------- */

/** Free everything f owns; f is then an empty form. Harmless on an empty or released form. */
void form_release(struct form *f);

/** Short lower-case description of e for logs ("malformed percent-encoding"); never NULL. */
const char *form_error_str(enum form_error e);

#endif
