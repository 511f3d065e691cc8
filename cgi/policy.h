/* policy.h - what we accept as an e-mail address, a password and a name at registration. */
#ifndef OKPAY_POLICY_H
#define OKPAY_POLICY_H

#include <stddef.h>

struct buf;

/*
 * Each check returns a reason code; the caller maps it to a message in the user's language
 * (the __MAX sentinels size such tables). Lengths are limits on what we store, and "white
 * space" means the Unicode White_Space characters (ASCII space and tab, U+00A0 no-break
 * space, U+3000 ideographic space and the rest), which browsers and input methods add.
 */

/* --- e-mail address ------------------------------------------------------------------------ */

enum policy_email {
	POLICY_EMAIL_OK,
	POLICY_EMAIL_EMPTY,    /* nothing but white space */
	POLICY_EMAIL_TOO_LONG, /* over a length limit: address, local part, domain or label */
	POLICY_EMAIL_INVALID,  /* anything else */
	POLICY_EMAIL__MAX
};

/**
 * Check and normalise the n bytes at in. Surrounding white space is trimmed. The address
 * must be printable ASCII with exactly one '@' and at most 254 characters.
 * The local part (before the '@') is 1-64 characters, kept as typed (its case may matter to
 * the receiving server): an RFC 5321 dot-atom, that is atext (letters, digits and
 * !#$%&'*+-/=?^_`{|}~) in runs separated by single dots, with no dot first or last. Quoted
 * local parts are refused.
 * The domain is lower-cased and has at most 253 characters in two or more labels of 1-63
 * letters, digits and '-', no label starting or ending with '-', and a last label that is not
 * all digits. IP literals ("[192.0.2.1]") and a trailing dot are refused.
 * Addresses with non-ASCII characters (internationalised local parts and domains, RFC 6531,
 * or domains typed in Unicode instead of "xn--" form) are INVALID for now.
 * On POLICY_EMAIL_OK, out (reset first) holds the normalised address; otherwise it is empty.
 */
enum policy_email policy_email(struct buf *out, const char *in, size_t n);

/* --- password ------------------------------------------------------------------------------ */

enum policy_password {
	POLICY_PW_OK,
	POLICY_PW_TOO_SHORT,     /* under POLICY_PW_MIN characters */
	POLICY_PW_TOO_LONG,      /* over POLICY_PW_MAX characters */
	POLICY_PW_SAME_AS_EMAIL, /* the e-mail address or its local part, ignoring ASCII case */
	POLICY_PW_SAME_AS_NAME,  /* the name, ignoring ASCII case */
	POLICY_PW_TOO_GUESSABLE, /* zxcvbn estimates fewer than 10^8 guesses */
	POLICY_PW__MAX
};

/** Shortest and longest password, in code points (not bytes). */
#define POLICY_PW_MIN 8
#define POLICY_PW_MAX 128
/**
 * Least zxcvbn entropy accepted, in bits: log2(10^8). zxcvbn's score 3 ("safely
 * unguessable: moderate protection from offline slow-hash scenario") starts at 10^8 guesses.
 */
#define POLICY_PW_MIN_BITS 26.575424759098897

/**
 * Check the n bytes of pw, which must be valid UTF-8, as typed (never trimmed). There are
 * no composition rules. Checks in order: length in code points, then equality with email
 * (the whole address or its local part) and with name, then the zxcvbn estimate. zxcvbn gets
 * a user dictionary of the address, its local part and that part's pieces, the name and its
 * words, and a few words guessers try first on this service ("okpay", and the Chinese
 * pet phrases "woaini", "5201314" and "1314", which zxcvbn's English lists lack).
 * email and name may be NULL when unknown. Limits of zxcvbn: it judges bytes, so passwords
 * in Chinese characters look strong to it whatever they say, and it has no Chinese or pinyin
 * dictionary beyond the words above.
 */
enum policy_password policy_password(const char *pw, size_t n, const char *email, const char *name);

/* --- full name ----------------------------------------------------------------------------- */

enum policy_name {
	POLICY_NAME_OK,
	POLICY_NAME_EMPTY,    /* nothing but white space */
	POLICY_NAME_TOO_LONG, /* over POLICY_NAME_MAX code points after trimming */
	POLICY_NAME_INVALID,  /* invalid UTF-8, a control character or a bidi override */
	POLICY_NAME__MAX
};

/** Longest name, in code points. */
#define POLICY_NAME_MAX 100

/**
 * Check the n bytes at in as a full name: valid UTF-8, trimmed of surrounding white space,
 * 1-POLICY_NAME_MAX code points, no control characters (U+0000-U+001F, U+007F-U+009F, so no
 * tabs or line breaks inside) and no bidirectional embeddings, overrides or isolates
 * (U+202A-U+202E, U+2066-U+2069), which could make the name display as other text. Any
 * script is welcome; inner spaces are kept as typed.
 * On POLICY_NAME_OK, out (reset first) holds the trimmed name; otherwise it is empty.
 */
enum policy_name policy_name(struct buf *out, const char *in, size_t n);

#endif
