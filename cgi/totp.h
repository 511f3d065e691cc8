/* totp.h - time-based one-time codes (RFC 6238) for authenticator apps, over liboath. */
#ifndef CGI_TOTP_H
#define CGI_TOTP_H

#include <stddef.h>

struct buf;

/*
 * What every authenticator app reads from a QR code without extra parameters: HMAC-SHA-1,
 * 6 digits, a new code every 30 seconds counted from the Unix epoch. The arithmetic is
 * liboath's; this module adds the drift window, replay protection and the text forms of the
 * secret. Nothing here allocates memory the caller must free, except through a struct buf.
 */
#define TOTP_DIGITS     6
#define TOTP_PERIOD     30
#define TOTP_WINDOW     1  /* steps accepted before and after now, for clock drift */
#define TOTP_SECRET_LEN 20 /* bytes: 160 bits, the HMAC-SHA-1 block the RFC recommends */
#define TOTP_BASE32_LEN 32 /* characters of a TOTP_SECRET_LEN secret in base32 */

/** Initialise liboath once per process (safe from several threads). 0, or -1. */
int totp_init(void);

/** The time step of unix time t: floor(t / TOTP_PERIOD). */
long long totp_step(long long t);

/**
 * The code of the n-byte secret at unix time t with digits digits (6 to 8), written
 * NUL-terminated into out (at least digits + 1 bytes). Returns 0, or -1 on a liboath error.
 */
int totp_code(const unsigned char *secret, size_t n, long long t, unsigned digits, char *out);

enum totp_result {
	TOTP_OK,       /* the code matches a step in the window, later than the last one used */
	TOTP_WRONG,    /* not a code of this secret around now (or not 6 digits) */
	TOTP_REPLAYED, /* the code of a step already used or older: refused */
	TOTP_ERROR     /* liboath failed */
};

/**
 * Check a 6-digit code as typed (spaces ignored) against secret at unix time now, within
 * TOTP_WINDOW steps either side. A step at or before last_step (the last accepted, 0 if none)
 * is TOTP_REPLAYED. On TOTP_OK, *step is the step that matched: store it as the new
 * last_step. Every candidate is compared in constant time.
 */
enum totp_result totp_verify(const unsigned char *secret, size_t n, long long now,
                             const char *typed, long long last_step, long long *step);

/** Append the n-byte secret in RFC 4648 base32 without padding (what apps ask to be typed). */
void totp_base32(struct buf *out, const unsigned char *secret, size_t n);

/** Append text in groups of four characters separated by spaces: "ABCD EFGH ...". */
void totp_group(struct buf *out, const char *text);

/**
 * Append the otpauth:// URI of a key: label "issuer:account", secret in base32, and the
 * algorithm, digits and period spelt out. issuer and account are percent-encoded.
 */
void totp_uri(struct buf *out, const char *issuer, const char *account, const char *base32);

#endif
