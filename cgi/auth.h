/* auth.h - passwords, tokens, one-time codes, MACs and the server key: the only door to libsodium.
 */
#ifndef OKPAY_AUTH_H
#define OKPAY_AUTH_H

#include <stddef.h>

struct buf;

/*
 * Rules:
 * - Call auth_init once at start-up, before any other function here (it is safe to call
 *   again, and from several threads). Without it the password functions fail with -1 or
 *   AUTH_ERROR, and the random ones must not be used.
 * - This is the only module that includes <sodium.h>; the rest of the code base reaches
 *   cryptography through these functions.
 * - Secrets given to the caller (tokens, codes, keys) live in caller-owned arrays; nothing
 *   here allocates memory the caller must free.
 */

/*
 * Argon2id parameters, chosen once for the project. Floor: t=2, m=19 MiB (OWASP ASVS);
 * ceiling: 250 ms per hash. Measured with crypto_pwhash_str (p=1) on the 2-core build
 * machine, idle, median of 5 hashes (first figure: one hash at a time; second: two at once,
 * one per core, as the semaphore allows):
 *
 *   t=2 m=19 MiB    17 ms /  19 ms       t=3 m=19 MiB    22 ms /  30 ms
 *   t=2 m=32 MiB    31 ms /  33 ms       t=3 m=32 MiB    40 ms /  42 ms
 *   t=2 m=46 MiB    47 ms /  49 ms       t=3 m=46 MiB    61 ms /  63 ms
 *   t=2 m=64 MiB    66 ms /  70 ms       t=3 m=64 MiB    88 ms /  90 ms
 *   t=2 m=96 MiB   105 ms / 108 ms       t=3 m=80 MiB   113 ms / 116 ms
 *   t=2 m=128 MiB  143 ms / 149 ms       t=3 m=96 MiB   138 ms / 147 ms
 *   t=4 m=64 MiB   106 ms / 113 ms
 *
 * Chosen: t=3, m=80 MiB: the strongest setting (an attacker's cost grows with passes x memory
 * squared, so t=3/80 beats t=4/64 and t=2/96) that stays under 120 ms with both cores hashing,
 * leaving 30 ms under the 150 ms target and half of the 250 ms ceiling. t=2/128 MiB and
 * t=3/96 MiB come within a few ms of 150 ms. While other builds and benchmarks loaded the
 * machine (load average 5), every time here roughly doubled. Memory in use is at most
 * CPUs x 80 MiB: 160 MiB here.
 * Changing these makes auth_password_needs_rehash say 1 for existing hashes, so users move to
 * the new setting at their next login.
 */
#define AUTH_PWHASH_OPS 3ULL
#define AUTH_PWHASH_MEM ((size_t)80 * 1024 * 1024)

/** Length of a token or MAC in base64url without padding (32 bytes). */
#define AUTH_TOKEN_LEN 43
/** Bytes in a stored password hash string, NUL included (libsodium's crypto_pwhash_STRBYTES). */
#define AUTH_PWHASH_STRBYTES 128

enum auth_result {
	AUTH_OK = 0,       /* the password matches */
	AUTH_MISMATCH = 1, /* the password does not match */
	AUTH_ERROR = -1    /* out of memory, or a stored hash we cannot read: answer 503 */
};

/* --- start-up ------------------------------------------------------------------------------ */

/**
 * Initialise libsodium, the semaphore that lets at most one password hash per CPU run at
 * once, and the dummy hash used by auth_password_verify_dummy (this costs one hash).
 * Returns 0, or -1 if libsodium cannot start. Later calls return the first call's result.
 */
int auth_init(void);

/* --- passwords ----------------------------------------------------------------------------- */

/*
 * Hashing and verifying wait for a free slot (one per CPU), so memory use stays bounded under
 * load; each takes about one AUTH_PWHASH_OPS/AUTH_PWHASH_MEM hash of time.
 */

/**
 * Hash the n bytes of pw with Argon2id and a random salt into out, a NUL-terminated string
 * such as "$argon2id$v=19$m=81920,t=3,p=1$<salt>$<hash>". Returns 0, or -1 (out is then "")
 * when memory runs out.
 */
int auth_password_hash(char out[AUTH_PWHASH_STRBYTES], const char *pw, size_t n);

/**
 * Check the n bytes of pw against a hash made by auth_password_hash (any t and m, so old
 * hashes keep working after the parameters change). Returns AUTH_OK, AUTH_MISMATCH, or
 * AUTH_ERROR when memory runs out or hash is not an Argon2id string of that form.
 */
enum auth_result auth_password_verify(const char *hash, const char *pw, size_t n);

/**
 * 1 if hash was made with parameters other than AUTH_PWHASH_OPS/AUTH_PWHASH_MEM (rehash the
 * password after a successful login), 0 if not, -1 if hash cannot be read.
 */
int auth_password_needs_rehash(const char *hash);

/**
 * Verify pw against a fixed dummy hash and ignore the result, so that a login for an
 * unknown e-mail address takes as long as one for a known address.
 */
void auth_password_verify_dummy(const char *pw, size_t n);

/* --- tokens, codes and MACs ---------------------------------------------------------------- */

/**
 * A new secret token: 32 random bytes as AUTH_TOKEN_LEN characters of base64url without
 * padding (NUL-terminated) in out, for the user's cookie or link, and their BLAKE2b-256 hash
 * in hash, for the database. Store only the hash.
 */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1], unsigned char hash[32]);

/**
 * Hash a token as received (n bytes, need not be NUL-terminated) into hash, to look it up.
 * Returns 0, or -1 if it is not exactly AUTH_TOKEN_LEN characters of canonical base64url
 * without padding that decode to 32 bytes.
 */
int auth_token_hash(const char *token, size_t n, unsigned char hash[32]);

/** The alphabet of auth_code_new: A-Z and 2-9 without I, O, 0 and 1 (32 characters). */
#define AUTH_CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/**
 * Write n characters chosen uniformly from AUTH_CODE_ALPHABET, then a NUL, into out (which
 * must hold n + 1 bytes). Each character carries 5 bits: use n >= 4 for the 20 bits that
 * one-time codes need.
 */
void auth_code_new(char *out, size_t n);

/** A number chosen uniformly from 0 to upper - 1 (upper >= 1), e.g. a new account's serial. */
unsigned auth_random_below(unsigned upper);

/** Longest code auth_code_hash accepts, not counting the spaces and hyphens it ignores. */
#define AUTH_CODE_MAX 16

/**
 * Hash a one-time code as typed (n bytes, need not be NUL-terminated) into hash (BLAKE2b-256,
 * as for tokens), to store it or to compare it with a stored hash through auth_equal. People
 * copy codes with stray spaces and in lower case: ASCII letters count as upper case, and
 * spaces, tabs and hyphens are ignored, so "abcd efgh" and "ABCDEFGH" hash alike. Returns 0,
 * or -1 (hash zeroed) if nothing remains, more than AUTH_CODE_MAX characters remain, or one
 * is outside AUTH_CODE_ALPHABET.
 */
int auth_code_hash(const char *code, size_t n, unsigned char hash[32]);

/** 1 if the n bytes at a and b are equal, 0 if not, in time that depends only on n. */
int auth_equal(const void *a, const void *b, size_t n);

/**
 * MAC of the n bytes of msg under a 32-byte key (HMAC-SHA512-256) as AUTH_TOKEN_LEN
 * characters of base64url without padding, NUL-terminated, in out.
 */
void auth_mac(char out[AUTH_TOKEN_LEN + 1], const unsigned char key[32], const void *msg, size_t n);

/**
 * 1 if mac (n bytes) is the auth_mac of msg (msg_len bytes) under key, else 0. The
 * comparison takes constant time.
 */
int auth_mac_verify(const char *mac, size_t n, const unsigned char key[32], const void *msg,
                    size_t msg_len);

/* --- sealed values ------------------------------------------------------------------------ */

/** Longest message auth_seal takes, in bytes. */
#define AUTH_SEAL_MAX 2048

/**
 * Seal the n bytes of msg for the client to hold and hand back: encrypted and authenticated
 * (XSalsa20-Poly1305, crypto_secretbox, a random nonce) under a key derived from the server
 * key and purpose (a short label, e.g. "review": a value sealed for one purpose never opens
 * for another), appended to out as base64url without padding. The client can neither read nor
 * change it. Returns 0, or -1 (out unchanged) if n > AUTH_SEAL_MAX.
 */
int auth_seal(struct buf *out, const unsigned char key[32], const char *purpose, const void *msg,
              size_t n);

/**
 * Open what auth_seal made: the message appended to out (with a NUL after it, not counted).
 * Returns 0, or -1 (out unchanged) if sealed (n bytes) is not canonical base64url of a sealed
 * value, is longer than any auth_seal output, or was not sealed under key for purpose, or was
 * changed in any bit.
 */
int auth_unseal(struct buf *out, const unsigned char key[32], const char *purpose,
                const char *sealed, size_t n);
/* --- secrets at rest ----------------------------------------------------------------------- */

/** Bytes a sealed box adds to its message: a random nonce and the authentication tag. */
#define AUTH_BOX_OVERHEAD 40

/** Fill the n bytes at p with random bytes (e.g. a new authenticator secret). */
void auth_random(void *p, size_t n);

/** Overwrite the n bytes at p with zeros in a way the compiler keeps (for secrets on the stack). */
void auth_wipe(void *p, size_t n);

/**
 * Encrypt and authenticate the n bytes of msg under a 32-byte key (crypto_secretbox, XSalsa20
 * and Poly1305, with a random nonce) into out, which must hold n + AUTH_BOX_OVERHEAD bytes
 * and is owned by the caller: the nonce, then the box.
 */
void auth_box_seal(unsigned char *out, const unsigned char *msg, size_t n,
                   const unsigned char key[32]);

/**
 * Open a box made by auth_box_seal (n bytes, nonce included) into out, which must hold
 * n - AUTH_BOX_OVERHEAD bytes. Returns 0, or -1 (out zeroed) when the box is too short,
 * was changed, or was sealed under another key.
 */
int auth_box_open(unsigned char *out, const unsigned char *box, size_t n,
                  const unsigned char key[32]);

/**
 * Read a 32-byte key given as 64 hexadecimal digits (a key from configuration instead of a key
 * file). Returns 0, or -1 (key zeroed) for anything else.
 */
int auth_key_from_hex(const char *hex, unsigned char key[32]);

/* --- server key ---------------------------------------------------------------------------- */

/**
 * Read the 32-byte server key from path into key. If path does not exist, create it with
 * mode 0600 and 32 random bytes (the file appears whole or not at all, so processes starting
 * together agree on one key). Returns 0, or -1 with a message in err (reset first) and key
 * zeroed when the file cannot be read or created, is not a regular file, grants any
 * permission to group or others, or does not hold exactly 32 bytes.
 */
int auth_key_load(const char *path, unsigned char key[32], struct buf *err);

#endif
