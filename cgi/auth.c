/* auth.c - password hashing, tokens, codes, MACs and the server key, over libsodium. */
#include "auth.h"
#include "buf.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(AUTH_PWHASH_STRBYTES == crypto_pwhash_STRBYTES, "hash string size");
_Static_assert(sizeof(AUTH_CODE_ALPHABET) - 1 == 32, "code alphabet has 32 characters");
_Static_assert(crypto_auth_BYTES == 32 && crypto_auth_KEYBYTES == 32, "crypto_auth sizes");
_Static_assert(AUTH_PWHASH_MEM >= (size_t)19 * 1024 * 1024 && AUTH_PWHASH_OPS >= 2,
               "below the OWASP floor for Argon2id");

#define S_B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

static pthread_once_t S_once = PTHREAD_ONCE_INIT;
static int S_init_rc = -1;
/* One slot per CPU: Argon2 is CPU- and memory-bound, so more hashes at once only add memory
 * (each takes AUTH_PWHASH_MEM) and make every one of them slower. */
static sem_t S_slots;
static char S_dummy[AUTH_PWHASH_STRBYTES];

static void S_slot_take(void)
{
	while (sem_wait(&S_slots) == -1 && errno == EINTR)
		;
}

static void S_slot_give(void)
{
	sem_post(&S_slots);
}

static void S_init_once(void)
{
	long cpus;
	unsigned char pw[32];

	if (sodium_init() < 0)
		return;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	if (cpus > 256)
		cpus = 256;
	if (sem_init(&S_slots, 0, (unsigned)cpus) == -1)
		return;
	/* The dummy hash has the same parameters as real ones, so verifying against it costs the
	 * same; its password is random and forgotten, so nothing ever matches it. */
	randombytes_buf(pw, sizeof pw);
	S_slot_take();
	int rc = crypto_pwhash_str(S_dummy, (const char *)pw, sizeof pw, AUTH_PWHASH_OPS,
	                           AUTH_PWHASH_MEM);
	S_slot_give();
	sodium_memzero(pw, sizeof pw);
	if (rc == -1)
		return;
	S_init_rc = 0;
}

int auth_init(void)
{
	if (pthread_once(&S_once, S_init_once) != 0)
		return -1;
	return S_init_rc;
}

/* --- passwords ----------------------------------------------------------------------------- */

/* A stored hash, taken apart. */
struct S_pwhash {
	unsigned long long ops; /* t: passes */
	size_t mem;             /* m, in bytes (the string gives KiB) */
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char hash[64]; /* expected output */
	size_t hash_len;        /* bytes used in hash */
};

/* Parse a decimal number of 1-10 digits up to UINT32_MAX at *s, advancing *s. */
static int S_parse_u32(const char **s, uint32_t *out)
{
	unsigned long long v = 0;
	const char *p = *s;
	size_t digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 11) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || digits > 10 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	*s = p;
	return 0;
}

/* Decode the base64 (standard alphabet, no padding) field at *s, which ends at stop (a '$' or
 * the end of the string), into out; advance *s past it. */
static int S_parse_b64(const char **s, char stop, unsigned char *out, size_t max, size_t *len)
{
	const char *field = *s;
	const char *field_end = stop ? strchr(field, stop) : field + strlen(field);
	const char *end = NULL;

	if (field_end == NULL)
		return -1;
	if (sodium_base642bin(out, max, field, (size_t)(field_end - field), NULL, len, &end,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    end != field_end)
		return -1;
	*s = field_end;
	return 0;
}

/*
 * Read "$argon2id$v=19$m=<KiB>,t=<passes>,p=1$<salt>$<hash>", the form crypto_pwhash_str
 * writes. We parse it ourselves rather than call crypto_pwhash_str_verify because libsodium
 * 1.0.18 reports every failure there, out of memory included, as a mismatch (fixed upstream
 * later), and AUTH_ERROR must not be confused with a wrong password.
 */
static int S_pwhash_parse(const char *s, struct S_pwhash *h)
{
	static const char prefix[] = "$argon2id$v=19$m=";
	uint32_t m, t;
	size_t salt_len;

	if (s == NULL || strnlen(s, AUTH_PWHASH_STRBYTES) >= AUTH_PWHASH_STRBYTES)
		return -1;
	if (strncmp(s, prefix, sizeof prefix - 1) != 0)
		return -1;
	s += sizeof prefix - 1;
	if (S_parse_u32(&s, &m) == -1 || strncmp(s, ",t=", 3) != 0)
		return -1;
	s += 3;
	if (S_parse_u32(&s, &t) == -1 || strncmp(s, ",p=1$", 5) != 0)
		return -1;
	s += 5;
	if (S_parse_b64(&s, '$', h->salt, sizeof h->salt, &salt_len) == -1 ||
	    salt_len != sizeof h->salt)
		return -1;
	s++;
	if (S_parse_b64(&s, '\0', h->hash, sizeof h->hash, &h->hash_len) == -1 ||
	    h->hash_len < crypto_pwhash_BYTES_MIN)
		return -1;
	h->ops = t;
	h->mem = (size_t)m * 1024;
	return 0;
}

int auth_password_hash(char out[AUTH_PWHASH_STRBYTES], const char *pw, size_t n)
{
	int rc;

	out[0] = '\0';
	if (auth_init() == -1)
		return -1;
	S_slot_take();
	rc = crypto_pwhash_str(out, pw, n, AUTH_PWHASH_OPS, AUTH_PWHASH_MEM);
	S_slot_give();
	if (rc != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

enum auth_result auth_password_verify(const char *hash, const char *pw, size_t n)
{
	struct S_pwhash h;
	unsigned char got[sizeof h.hash];
	enum auth_result res = AUTH_ERROR;
	int rc;

	if (auth_init() == -1 || S_pwhash_parse(hash, &h) == -1)
		return AUTH_ERROR;
	S_slot_take();
	rc = crypto_pwhash(got, h.hash_len, pw, n, h.salt, h.ops, h.mem,
	                   crypto_pwhash_ALG_ARGON2ID13);
	S_slot_give();
	if (rc == 0)
		res = sodium_memcmp(got, h.hash, h.hash_len) == 0 ? AUTH_OK : AUTH_MISMATCH;
	sodium_memzero(got, sizeof got);
	sodium_memzero(&h, sizeof h);
	return res;
}

int auth_password_needs_rehash(const char *hash)
{
	struct S_pwhash h;

	if (S_pwhash_parse(hash, &h) == -1)
		return -1;
	return h.ops != AUTH_PWHASH_OPS || h.mem != AUTH_PWHASH_MEM;
}

void auth_password_verify_dummy(const char *pw, size_t n)
{
	if (auth_init() == -1)
		return;
	(void)auth_password_verify(S_dummy, pw, n);
}

/* --- tokens, codes and MACs ---------------------------------------------------------------- */

/* Decode exactly AUTH_TOKEN_LEN characters of canonical base64url into 32 bytes. libsodium
 * rejects characters outside the alphabet, padding, and unused low bits that are not zero,
 * so every 32-byte value has exactly one accepted spelling. */
static int S_decode32(const char *s, size_t n, unsigned char out[32])
{
	size_t len = 0;
	const char *end = NULL;

	if (n != AUTH_TOKEN_LEN)
		return -1;
	if (sodium_base642bin(out, 32, s, n, NULL, &len, &end, S_B64URL) != 0 || end != s + n ||
	    len != 32) {
		sodium_memzero(out, 32);
		return -1;
	}
	return 0;
}

static void S_encode32(char out[AUTH_TOKEN_LEN + 1], const unsigned char in[32])
{
	_Static_assert(sodium_base64_ENCODED_LEN(32, S_B64URL) == AUTH_TOKEN_LEN + 1,
	               "token length");
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, in, 32, S_B64URL);
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1], unsigned char hash[32])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	S_encode32(out, raw);
	crypto_generichash(hash, 32, raw, sizeof raw, NULL, 0);
	sodium_memzero(raw, sizeof raw);
}

int auth_token_hash(const char *token, size_t n, unsigned char hash[32])
{
	unsigned char raw[32];

	if (S_decode32(token, n, raw) == -1)
		return -1;
	crypto_generichash(hash, 32, raw, sizeof raw, NULL, 0);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

void auth_code_new(char *out, size_t n)
{
	static const char alphabet[] = AUTH_CODE_ALPHABET;
	unsigned char raw[64];

	/*
	 * 32 letters divide 256: the low five bits of a random byte pick one uniformly. One
	 * randombytes_buf call per 64 characters, not one system call per character.
	 */
	for (size_t i = 0; i < n; i++) {
		if (i % sizeof raw == 0)
			randombytes_buf(raw, sizeof raw);
		out[i] = alphabet[raw[i % sizeof raw] & 31];
	}
	out[n] = '\0';
	sodium_memzero(raw, sizeof raw);
}

unsigned auth_random_below(unsigned upper)
{
	return randombytes_uniform(upper);
}

int auth_code_hash(const char *code, size_t n, unsigned char hash[32])
{
	char norm[AUTH_CODE_MAX];
	size_t len = 0;
	int rc = -1;

	memset(hash, 0, 32);
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (c == ' ' || c == '\t' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		/* The NUL check matters: strchr would find the alphabet's terminator. */
		if (c == '\0' || !strchr(AUTH_CODE_ALPHABET, c) || len == sizeof norm)
			goto out;
		norm[len++] = c;
	}
	if (len == 0)
		goto out;
	crypto_generichash(hash, 32, (const unsigned char *)norm, len, NULL, 0);
	rc = 0;
out:
	sodium_memzero(norm, sizeof norm);
	return rc;
}

int auth_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void auth_mac(char out[AUTH_TOKEN_LEN + 1], const unsigned char key[32], const void *msg, size_t n)
{
	unsigned char tag[crypto_auth_BYTES];

	crypto_auth(tag, msg, n, key);
	S_encode32(out, tag);
}

int auth_mac_verify(const char *mac, size_t n, const unsigned char key[32], const void *msg,
                    size_t msg_len)
{
	unsigned char tag[crypto_auth_BYTES];

	if (S_decode32(mac, n, tag) == -1)
		return 0;
	return crypto_auth_verify(tag, msg, msg_len, key) == 0;
}

/* --- sealed values ------------------------------------------------------------------------ */

/* The key of one purpose: keyed BLAKE2b of the label, so purposes never share a key. */
static void S_seal_key(unsigned char out[32], const unsigned char key[32], const char *purpose)
{
	crypto_generichash(out, 32, (const unsigned char *)purpose, strlen(purpose), key, 32);
}

int auth_seal(struct buf *out, const unsigned char key[32], const char *purpose, const void *msg,
              size_t n)
{
	unsigned char k[32], box[AUTH_BOX_OVERHEAD + AUTH_SEAL_MAX];
	char text[sodium_base64_ENCODED_LEN(sizeof box, S_B64URL)];

	if (n > AUTH_SEAL_MAX)
		return -1;
	S_seal_key(k, key, purpose);
	auth_box_seal(box, msg, n, k);
	sodium_bin2base64(text, sizeof text, box, AUTH_BOX_OVERHEAD + n, S_B64URL);
	buf_adds(out, text);
	sodium_memzero(k, sizeof k);
	return 0;
}

int auth_unseal(struct buf *out, const unsigned char key[32], const char *purpose,
                const char *sealed, size_t n)
{
	unsigned char k[32], box[AUTH_BOX_OVERHEAD + AUTH_SEAL_MAX], msg[AUTH_SEAL_MAX];
	size_t len = 0;
	const char *end = NULL;
	int rc = -1;

	/* As for tokens, libsodium's strict decoder gives every box one accepted spelling. */
	if (n > sodium_base64_ENCODED_LEN(sizeof box, S_B64URL) ||
	    sodium_base642bin(box, sizeof box, sealed, n, NULL, &len, &end, S_B64URL) != 0 ||
	    end != sealed + n || len < AUTH_BOX_OVERHEAD)
		return -1;
	S_seal_key(k, key, purpose);
	if (auth_box_open(msg, box, len, k) == 0) {
		buf_add(out, (const char *)msg, len - AUTH_BOX_OVERHEAD);
		rc = 0;
	}
	sodium_memzero(k, sizeof k);
	sodium_memzero(msg, sizeof msg);
	return rc;
}

/* --- secrets at rest ----------------------------------------------------------------------- */

_Static_assert(AUTH_BOX_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
               "sealed box overhead");
void auth_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void auth_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void auth_box_seal(unsigned char *out, const unsigned char *msg, size_t n,
                   const unsigned char key[32])
{
	/* Random 24-byte nonces never repeat in practice, so one key can seal every secret. */
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, msg, n, out, key);
}

int auth_box_open(unsigned char *out, const unsigned char *box, size_t n,
                  const unsigned char key[32])
{
	if (n < AUTH_BOX_OVERHEAD)
		return -1;
	if (crypto_secretbox_open_easy(out, box + crypto_secretbox_NONCEBYTES,
	                               n - crypto_secretbox_NONCEBYTES, box, key) != 0) {
		sodium_memzero(out, n - AUTH_BOX_OVERHEAD);
		return -1;
	}
	return 0;
}

int auth_key_from_hex(const char *hex, unsigned char key[32])
{
	size_t len = 0;
	const char *end = NULL;
	if (strlen(hex) != 64 || sodium_hex2bin(key, 32, hex, 64, NULL, &len, &end) != 0 ||
	    len != 32 || *end != '\0') {
		sodium_memzero(key, 32);
		return -1;
	}
	return 0;
}

/* --- server key ---------------------------------------------------------------------------- */

/* Read exactly n bytes; -1 with errno set on error, or errno 0 on a short file. */
static int S_read_all(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int S_write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Open an existing key file and check it: 1 read, 0 missing, -1 refused (message in err). */
static int S_key_read(const char *path, unsigned char key[32], struct buf *err)
{
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		buf_addf(err, "cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		buf_addf(err, "cannot stat key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_addf(err, "key file %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		buf_addf(err, "key file %s: group or others have access (mode %04o), want 0600",
		         path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size != 32) {
		buf_addf(err, "key file %s: %lld bytes, want 32", path, (long long)st.st_size);
		goto out;
	}
	if (S_read_all(fd, key, 32) == -1) {
		buf_addf(err, "cannot read key file %s: %s", path,
		         errno ? strerror(errno) : "file shrank");
		goto out;
	}
	rc = 1;
out:
	close(fd);
	return rc;
}

/*
 * Create the key file: write a private temporary file beside it, then link() it into place.
 * link fails with EEXIST if another process got there first, so the key file never exists
 * half-written and two processes starting together end up reading the same key.
 * Returns 1 created, 0 lost the race (read the winner's file), -1 error.
 */
static int S_key_create(const char *path, unsigned char key[32], struct buf *err)
{
	struct buf tmp = BUF_INIT;
	int fd = -1, rc = -1;

	buf_addf(&tmp, "%s.XXXXXX", path);
	fd = mkostemp(tmp.ptr, O_CLOEXEC); /* O_CREAT | O_EXCL, mode 0600 */
	if (fd == -1) {
		buf_addf(err, "cannot create key file %s: %s", path, strerror(errno));
		goto out;
	}
	randombytes_buf(key, 32);
	if (fchmod(fd, 0600) == -1 || S_write_all(fd, key, 32) == -1 || fsync(fd) == -1) {
		buf_addf(err, "cannot write key file %s: %s", tmp.ptr, strerror(errno));
		goto out;
	}
	if (link(tmp.ptr, path) == -1) {
		if (errno == EEXIST) {
			rc = 0;
			goto out;
		}
		buf_addf(err, "cannot create key file %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 1;
out:
	if (fd != -1) {
		close(fd);
		unlink(tmp.ptr);
	}
	buf_release(&tmp);
	return rc;
}

int auth_key_load(const char *path, unsigned char key[32], struct buf *err)
{
	int rc;

	buf_reset(err);
	rc = S_key_read(path, key, err);
	if (rc == 0) {
		rc = S_key_create(path, key, err);
		if (rc == 0)
			rc = S_key_read(path, key, err);
		if (rc == 0)
			buf_addf(err, "key file %s: vanished while being created", path);
	}
	if (rc != 1) {
		sodium_memzero(key, 32);
		return -1;
	}
	return 0;
}
