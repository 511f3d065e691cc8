/* auth_test.c - unit tests for cgi/auth.c: password hashes, tokens, codes, MACs, key file. */
#include "auth.h"
#include "buf.h"
#include "util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void S_init(void)
{
	cr_assert_eq(auth_init(), 0, "auth_init failed");
}

TestSuite(auth, .init = S_init);

/* Made by crypto_pwhash_str with weaker parameters (t=2, m=19 MiB) for this password. */
#define S_OLD_PW "correct horse battery staple"
#define S_OLD_HASH                                                                                 \
	"$argon2id$v=19$m=19456,t=2,p=1$gfpq8z6vEUsifvalW8azwQ$mQI4wk1nkAtSffth3uV+"               \
	"JEdTlwydU0QT2jvLNEK9K1k"
/* The same password hashed with Argon2i (not id) and our parameters. */
#define S_ARGON2I_HASH                                                                             \
	"$argon2i$v=19$m=81920,t=3,p=1$tuhry+Ersxh4xOiIN2nTkA$anFroiifrhFhRHarzjv+"                \
	"9ec5p0PD54xOrW308qqD/pw"

static const char S_B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void S_hash(char out[AUTH_PWHASH_STRBYTES], const char *pw)
{
	cr_assert_eq(auth_password_hash(out, pw, strlen(pw)), 0, "hashing %s failed", pw);
}

/* --- init ---------------------------------------------------------------------------------- */

Test(auth, init_can_be_called_again)
{
	cr_assert_eq(auth_init(), 0);
	cr_assert_eq(auth_init(), 0);
}

/* --- password hashing ---------------------------------------------------------------------- */

Test(auth, hash_then_verify_is_ok)
{
	char h[AUTH_PWHASH_STRBYTES];
	S_hash(h, "Vq7#xK2m mango");
	cr_assert_eq(auth_password_verify(h, "Vq7#xK2m mango", 14), AUTH_OK);
}

Test(auth, verify_wrong_password_is_mismatch)
{
	char h[AUTH_PWHASH_STRBYTES];
	S_hash(h, "Vq7#xK2m mango");
	cr_assert_eq(auth_password_verify(h, "Vq7#xK2m mangO", 14), AUTH_MISMATCH);
	cr_assert_eq(auth_password_verify(h, "Vq7#xK2m mango ", 15), AUTH_MISMATCH);
	cr_assert_eq(auth_password_verify(h, "", 0), AUTH_MISMATCH);
}

Test(auth, verify_uses_the_length_not_a_nul)
{
	char h[AUTH_PWHASH_STRBYTES];
	cr_assert_eq(auth_password_hash(h, "ab\0cd", 5), 0);
	cr_assert_eq(auth_password_verify(h, "ab\0cd", 5), AUTH_OK);
	cr_assert_eq(auth_password_verify(h, "ab", 2), AUTH_MISMATCH);
}

Test(auth, hash_is_argon2id_with_the_chosen_parameters)
{
	char h[AUTH_PWHASH_STRBYTES], want[64];
	S_hash(h, "some password");
	cr_assert(strncmp(h, "$argon2id$", 10) == 0, "hash %s", h);
	snprintf(want, sizeof want, "$m=%zu,t=%llu,p=1$", AUTH_PWHASH_MEM / 1024, AUTH_PWHASH_OPS);
	cr_assert(strstr(h, want) != NULL, "hash %s lacks %s", h, want);
}

Test(auth, chosen_parameters_meet_the_floor)
{
	cr_assert_geq(AUTH_PWHASH_OPS, 2);
	cr_assert_geq(AUTH_PWHASH_MEM, (size_t)19 * 1024 * 1024);
}

Test(auth, hashes_of_one_password_differ)
{
	char a[AUTH_PWHASH_STRBYTES], b[AUTH_PWHASH_STRBYTES];
	S_hash(a, "same password");
	S_hash(b, "same password");
	cr_assert_str_neq(a, b, "two hashes share a salt");
}

Test(auth, verify_accepts_hashes_with_other_parameters)
{
	cr_assert_eq(auth_password_verify(S_OLD_HASH, S_OLD_PW, strlen(S_OLD_PW)), AUTH_OK);
	cr_assert_eq(auth_password_verify(S_OLD_HASH, "correct horse battery stapler", 29),
	             AUTH_MISMATCH);
}

Test(auth, needs_rehash_is_0_for_own_parameters)
{
	char h[AUTH_PWHASH_STRBYTES];
	S_hash(h, "some password");
	cr_assert_eq(auth_password_needs_rehash(h), 0);
}

Test(auth, needs_rehash_is_1_for_weaker_parameters)
{
	cr_assert_eq(auth_password_needs_rehash(S_OLD_HASH), 1);
}

Test(auth, needs_rehash_is_minus_1_for_unreadable_hash)
{
	cr_assert_eq(auth_password_needs_rehash(""), -1);
	cr_assert_eq(auth_password_needs_rehash("$argon2id$garbage"), -1);
	cr_assert_eq(auth_password_needs_rehash("$2y$10$abcdefghijklmnopqrstuv"), -1);
	cr_assert_eq(auth_password_needs_rehash(S_ARGON2I_HASH), -1);
}

Test(auth, verify_reports_error_for_unreadable_hash)
{
	char h[AUTH_PWHASH_STRBYTES];
	S_hash(h, "pw");
	h[strlen(h) - 10] = '\0'; /* truncated in storage */
	cr_assert_eq(auth_password_verify(h, "pw", 2), AUTH_ERROR);
	cr_assert_eq(auth_password_verify("", "pw", 2), AUTH_ERROR);
	cr_assert_eq(auth_password_verify("$argon2id$v=19$m=19456,t=2,p=1$$", "pw", 2), AUTH_ERROR);
	cr_assert_eq(auth_password_verify(S_ARGON2I_HASH, S_OLD_PW, strlen(S_OLD_PW)), AUTH_ERROR);
	cr_assert_eq(auth_password_verify(NULL, "pw", 2), AUTH_ERROR);
}

Test(auth, verify_reports_error_not_mismatch_when_memory_runs_out)
{
	/* S_OLD_HASH claiming m = 4 TiB: the allocation fails, as it would under memory pressure.
	 * With overcommit_memory=1 the kernel would grant it and the test would exhaust RAM. */
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	int mode = f ? fgetc(f) : '0';
	if (f)
		fclose(f);
	if (mode == '1')
		cr_skip_test("vm.overcommit_memory is 1");
	const char *huge = "$argon2id$v=19$m=4294967295,t=2,p=1$gfpq8z6vEUsifvalW8azwQ$"
	                   "mQI4wk1nkAtSffth3uV+JEdTlwydU0QT2jvLNEK9K1k";
	cr_assert_eq(auth_password_verify(huge, S_OLD_PW, strlen(S_OLD_PW)), AUTH_ERROR);
}

static double S_seconds(void)
{
	return (double)util_now_ns() / 1e9;
}

Test(auth, verify_dummy_costs_as_much_as_a_verify)
{
	char h[AUTH_PWHASH_STRBYTES];
	double real = 1e9, dummy = 1e9;
	S_hash(h, "some password");
	/* Fastest of three of each, so a busy machine makes neither look cheap. */
	for (int i = 0; i < 3; i++) {
		double t0 = S_seconds();
		(void)auth_password_verify(h, "other password", 14);
		double t1 = S_seconds();
		auth_password_verify_dummy("other password", 14);
		double t2 = S_seconds();
		if (t1 - t0 < real)
			real = t1 - t0;
		if (t2 - t1 < dummy)
			dummy = t2 - t1;
	}
	cr_assert_geq(dummy, real / 2, "dummy verify %.1f ms, real verify %.1f ms", dummy * 1e3,
	              real * 1e3);
}

static const char S_hash_failed[] = "hash failed", S_verify_failed[] = "verify failed";

/* Thread body: NULL on success, else a pointer to one of the messages above. */
static void *S_hash_and_verify(void *arg)
{
	char h[AUTH_PWHASH_STRBYTES];
	const char *pw = arg;
	if (auth_password_hash(h, pw, strlen(pw)) != 0)
		return (void *)S_hash_failed;
	if (auth_password_verify(h, pw, strlen(pw)) != AUTH_OK)
		return (void *)S_verify_failed;
	return NULL;
}

Test(auth, hashes_from_more_threads_than_cpus_all_succeed)
{
	static char pw[4][32];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		snprintf(pw[i], sizeof pw[i], "password %d", i);
		cr_assert_eq(pthread_create(&t[i], NULL, S_hash_and_verify, pw[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *res;
		pthread_join(t[i], &res);
		cr_assert_null(res, "thread %d: %s", i, res ? (const char *)res : "");
	}
}

/* --- tokens -------------------------------------------------------------------------------- */

static void S_assert_b64url(const char *s, size_t want_len)
{
	cr_assert_eq(strlen(s), want_len, "%s has %zu characters", s, strlen(s));
	cr_assert_eq(strspn(s, S_B64URL), want_len, "%s has a character outside base64url", s);
}

Test(auth, token_is_43_base64url_characters)
{
	char tok[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(tok, hash);
	S_assert_b64url(tok, 43);
}

Test(auth, tokens_differ)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
	unsigned char ha[32], hb[32];
	auth_token_new(a, ha);
	auth_token_new(b, hb);
	cr_assert_str_neq(a, b);
	cr_assert(memcmp(ha, hb, 32) != 0, "two token hashes are equal");
}

Test(auth, token_hash_accepts_own_tokens_and_matches)
{
	char tok[AUTH_TOKEN_LEN + 1];
	unsigned char made[32], got[32];
	for (int i = 0; i < 50; i++) {
		auth_token_new(tok, made);
		cr_assert_eq(auth_token_hash(tok, strlen(tok), got), 0, "rejected own token %s",
		             tok);
		cr_assert(memcmp(made, got, 32) == 0, "hash of %s differs from auth_token_new's",
		          tok);
	}
}

Test(auth, token_hash_is_equal_for_equal_tokens_only)
{
	const char *a = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	const char *b = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE";
	unsigned char h1[32], h2[32], h3[32];
	cr_assert_eq(auth_token_hash(a, 43, h1), 0);
	cr_assert_eq(auth_token_hash(a, 43, h2), 0);
	cr_assert_eq(auth_token_hash(b, 43, h3), 0);
	cr_assert(memcmp(h1, h2, 32) == 0, "equal tokens, different hashes");
	cr_assert(memcmp(h1, h3, 32) != 0, "different tokens, equal hashes");
}

Test(auth, token_hash_rejects_wrong_lengths)
{
	char tok[AUTH_TOKEN_LEN + 1], longer[300];
	unsigned char hash[32];
	auth_token_new(tok, hash);
	cr_assert_eq(auth_token_hash(tok, 42, hash), -1);
	cr_assert_eq(auth_token_hash(tok, 0, hash), -1);
	memset(longer, 'A', sizeof longer);
	cr_assert_eq(auth_token_hash(longer, 44, hash), -1);
	cr_assert_eq(auth_token_hash(longer, 256, hash), -1);
}

Test(auth, token_hash_rejects_characters_outside_base64url)
{
	unsigned char hash[32];
	const char *bad[] = {
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+A", /* standard base64 */
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/A",
	    "AAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA",
	    "AAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
	    "AAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAAA",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		cr_assert_eq(auth_token_hash(bad[i], 43, hash), -1, "accepted %s", bad[i]);
	cr_assert_eq(auth_token_hash("AAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAAAAA", 43, hash), -1,
	             "accepted a NUL");
}

Test(auth, token_hash_rejects_padding)
{
	unsigned char hash[32];
	/* 42 characters and '=' (43 in all), and the padded 44-character form. */
	cr_assert_eq(auth_token_hash("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 43, hash), -1);
	cr_assert_eq(auth_token_hash("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 44, hash), -1);
}

Test(auth, token_hash_rejects_noncanonical_last_character)
{
	unsigned char hash[32];
	/* 43 characters carry 258 bits; the last two must be zero, so 'B' (000001) is not a
	 * spelling of any 32 bytes, though 'A' and 'E' are. */
	cr_assert_eq(auth_token_hash("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", 43, hash), -1);
}

/* --- codes --------------------------------------------------------------------------------- */

Test(auth, code_has_the_requested_length_and_alphabet)
{
	char code[17];
	memset(code, 'x', sizeof code);
	auth_code_new(code, 16);
	cr_assert_eq(strlen(code), 16, "code %s", code);
	cr_assert_eq(strspn(code, AUTH_CODE_ALPHABET), 16, "code %s", code);
	auth_code_new(code, 0);
	cr_assert_str_empty(code);
}

Test(auth, code_alphabet_has_no_ambiguous_characters)
{
	cr_assert_eq(strlen(AUTH_CODE_ALPHABET), 32);
	cr_assert_eq(strpbrk(AUTH_CODE_ALPHABET, "IO01abcdefghijklmnopqrstuvwxyz"), NULL);
}

Test(auth, codes_use_every_character_of_the_alphabet)
{
	/* 4000 draws from 32 characters: each appears about 125 times; a uniform generator
	 * misses one with probability below 1e-50. */
	static char code[4001];
	size_t count[32] = {0};
	auth_code_new(code, 4000);
	for (size_t i = 0; i < 4000; i++) {
		const char *p = strchr(AUTH_CODE_ALPHABET, code[i]);
		cr_assert_not_null(p, "character %c outside the alphabet", code[i]);
		count[p - AUTH_CODE_ALPHABET]++;
	}
	for (size_t i = 0; i < 32; i++)
		cr_assert(count[i] > 50 && count[i] < 250, "%c drawn %zu times of 4000",
		          AUTH_CODE_ALPHABET[i], count[i]);
}

Test(auth, codes_differ)
{
	char a[13], b[13];
	auth_code_new(a, 12);
	auth_code_new(b, 12);
	cr_assert_str_neq(a, b);
}

Test(auth, code_hash_accepts_own_codes)
{
	char code[9];
	unsigned char h1[32], h2[32];
	for (int i = 0; i < 50; i++) {
		auth_code_new(code, 8);
		cr_assert_eq(auth_code_hash(code, strlen(code), h1), 0, "rejected own code %s",
		             code);
		cr_assert_eq(auth_code_hash(code, strlen(code), h2), 0);
		cr_assert(auth_equal(h1, h2, 32), "two hashes of %s differ", code);
	}
}

Test(auth, code_hash_ignores_case_spaces_and_hyphens)
{
	unsigned char want[32], got[32];
	const char *same[] = {"abcd2345", "AbCd2345", " ABCD 2345 ", "ABCD-2345",
	                      "A\tB C-D 2 3 4 5"};
	cr_assert_eq(auth_code_hash("ABCD2345", 8, want), 0);
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		cr_assert_eq(auth_code_hash(same[i], strlen(same[i]), got), 0, "rejected %s",
		             same[i]);
		cr_assert(auth_equal(want, got, 32), "%s hashes unlike ABCD2345", same[i]);
	}
}

Test(auth, code_hash_differs_for_different_codes)
{
	unsigned char a[32], b[32], c[32];
	cr_assert_eq(auth_code_hash("ABCD2345", 8, a), 0);
	cr_assert_eq(auth_code_hash("ABCD2346", 8, b), 0);
	cr_assert_eq(auth_code_hash("ABCD234", 7, c), 0);
	cr_assert(!auth_equal(a, b, 32));
	cr_assert(!auth_equal(a, c, 32), "a prefix hashes like the whole code");
}

Test(auth, code_hash_uses_the_length_not_a_nul)
{
	unsigned char a[32], b[32];
	cr_assert_eq(auth_code_hash("ABCD2345XYZ", 8, a), 0);
	cr_assert_eq(auth_code_hash("ABCD2345", 8, b), 0);
	cr_assert(auth_equal(a, b, 32));
}

Test(auth, code_hash_rejects_characters_outside_the_alphabet)
{
	unsigned char hash[32];
	const char *bad[] = {"ABCD234O", "ABCD2341",  "ABCD234I",        "ABCD2340", "ABCD234.",
	                     "ABCD234_", "ABCD234\n", "ABCD234\xc3\xa9", "ＡBCD2345"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(hash, 0xAA, sizeof hash);
		cr_assert_eq(auth_code_hash(bad[i], strlen(bad[i]), hash), -1, "accepted %s",
		             bad[i]);
		for (int j = 0; j < 32; j++)
			cr_assert_eq(hash[j], 0, "hash not zeroed for %s", bad[i]);
	}
	cr_assert_eq(auth_code_hash("ABCD\0"
	                            "2345",
	                            9, hash),
	             -1, "accepted a NUL");
}

Test(auth, code_hash_rejects_empty_and_too_long)
{
	unsigned char hash[32];
	char longest[AUTH_CODE_MAX + 1], over[AUTH_CODE_MAX + 2];
	memset(longest, 'A', AUTH_CODE_MAX);
	longest[AUTH_CODE_MAX] = '\0';
	memset(over, 'A', AUTH_CODE_MAX + 1);
	over[AUTH_CODE_MAX + 1] = '\0';
	cr_assert_eq(auth_code_hash("", 0, hash), -1);
	cr_assert_eq(auth_code_hash("  - \t", 5, hash), -1, "only separators");
	cr_assert_eq(auth_code_hash(longest, AUTH_CODE_MAX, hash), 0);
	cr_assert_eq(auth_code_hash(over, AUTH_CODE_MAX + 1, hash), -1);
	cr_assert_eq(auth_code_hash("ABCD 2345 ABCD 2345", 19, hash), 0,
	             "separators do not count towards the limit");
}

/* --- equality ------------------------------------------------------------------------------ */

Test(auth, equal_is_1_for_equal_buffers)
{
	cr_assert_eq(auth_equal("abcdef", "abcdef", 6), 1);
	cr_assert_eq(auth_equal("abc", "abd", 2), 1);
}

Test(auth, equal_is_0_for_different_buffers)
{
	cr_assert_eq(auth_equal("abcdef", "abcdeg", 6), 0);
	cr_assert_eq(auth_equal("xbcdef", "abcdef", 6), 0);
}

/* --- MACs ---------------------------------------------------------------------------------- */

static const unsigned char S_key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char S_key2[32] = "0123456789abcdef0123456789abcdeF";

Test(auth, mac_is_43_base64url_characters_and_deterministic)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
	auth_mac(a, S_key, "session 42", 10);
	auth_mac(b, S_key, "session 42", 10);
	S_assert_b64url(a, 43);
	cr_assert_str_eq(a, b);
}

Test(auth, mac_verifies)
{
	char mac[AUTH_TOKEN_LEN + 1];
	auth_mac(mac, S_key, "session 42", 10);
	cr_assert_eq(auth_mac_verify(mac, strlen(mac), S_key, "session 42", 10), 1);
}

Test(auth, mac_rejects_tampered_message)
{
	char mac[AUTH_TOKEN_LEN + 1];
	auth_mac(mac, S_key, "session 42", 10);
	cr_assert_eq(auth_mac_verify(mac, strlen(mac), S_key, "session 43", 10), 0);
	cr_assert_eq(auth_mac_verify(mac, strlen(mac), S_key, "session 4", 9), 0);
}

Test(auth, mac_rejects_tampered_mac)
{
	char mac[AUTH_TOKEN_LEN + 1];
	auth_mac(mac, S_key, "session 42", 10);
	mac[5] = mac[5] == 'A' ? 'B' : 'A';
	cr_assert_eq(auth_mac_verify(mac, strlen(mac), S_key, "session 42", 10), 0);
}

Test(auth, mac_rejects_wrong_key)
{
	char mac[AUTH_TOKEN_LEN + 1];
	auth_mac(mac, S_key, "session 42", 10);
	cr_assert_eq(auth_mac_verify(mac, strlen(mac), S_key2, "session 42", 10), 0);
}

Test(auth, mac_rejects_truncated_mac)
{
	char mac[AUTH_TOKEN_LEN + 1];
	auth_mac(mac, S_key, "session 42", 10);
	cr_assert_eq(auth_mac_verify(mac, 42, S_key, "session 42", 10), 0);
	cr_assert_eq(auth_mac_verify(mac, 0, S_key, "session 42", 10), 0);
}

/* --- key file ------------------------------------------------------------------------------ */

/* A fresh directory for one test's key files; removed with its contents by S_rmdir. */
static void S_tmpdir(char dir[64])
{
	snprintf(dir, 64, "/tmp/auth_test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static int S_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void S_rmdir(const char *dir)
{
	nftw(dir, S_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* Number of entries in dir, "." and ".." excluded. */
static int S_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void S_write(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

Test(auth, key_file_is_created_with_mode_0600_and_32_bytes)
{
	char dir[64], path[96];
	unsigned char key[32], zero[32] = {0};
	struct buf err = BUF_INIT;
	struct stat st;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	cr_assert_eq(auth_key_load(path, key, &err), 0, "%s", err.ptr);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %04o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(st.st_size, 32);
	cr_assert(memcmp(key, zero, 32) != 0, "key is all zeros");
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_is_reused)
{
	char dir[64], path[96];
	unsigned char a[32], b[32];
	struct buf err = BUF_INIT, file = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	cr_assert_eq(auth_key_load(path, a, &err), 0, "%s", err.ptr);
	cr_assert_eq(auth_key_load(path, b, &err), 0, "%s", err.ptr);
	cr_assert(memcmp(a, b, 32) == 0, "second load gave another key");
	cr_assert_eq(buf_read_file(&file, path), 0);
	cr_assert(file.len == 32 && memcmp(file.ptr, a, 32) == 0, "key differs from the file");
	S_rmdir(dir);
	buf_release(&err);
	buf_release(&file);
}

Test(auth, key_file_leaves_no_temporary_file)
{
	char dir[64], path[96];
	unsigned char key[32];
	struct buf err = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	cr_assert_eq(auth_key_load(path, key, &err), 0, "%s", err.ptr);
	cr_assert_eq(S_entries(dir), 1, "files other than key in %s", dir);
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_readable_by_others_is_refused)
{
	char dir[64], path[96];
	unsigned char key[32];
	struct buf err = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	S_write(path, S_key, 32, 0644);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	cr_assert(strstr(err.ptr, path) != NULL, "message %s does not name the file", err.ptr);
	cr_assert(strstr(err.ptr, "0644") != NULL, "message %s does not give the mode", err.ptr);
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_readable_by_group_is_refused)
{
	char dir[64], path[96];
	unsigned char key[32];
	struct buf err = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	S_write(path, S_key, 32, 0640);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	cr_assert_neq(err.len, 0);
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_of_wrong_size_is_refused)
{
	char dir[64], path[96];
	unsigned char key[32], zero[32] = {0};
	struct buf err = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	S_write(path, "0123456789abcdef0123456789abcdef!", 33, 0600);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	cr_assert(strstr(err.ptr, "33 bytes") != NULL, "message %s", err.ptr);
	cr_assert(memcmp(key, zero, 32) == 0, "key not zeroed after refusal");
	S_write(path, "0123456789abcdef0123456789abcde", 31, 0600);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	S_write(path, "", 0, 0600);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_that_is_a_symlink_is_refused)
{
	char dir[64], path[96], target[96];
	unsigned char key[32];
	struct buf err = BUF_INIT;
	S_tmpdir(dir);
	snprintf(path, sizeof path, "%s/key", dir);
	snprintf(target, sizeof target, "%s/real", dir);
	S_write(target, S_key, 32, 0600);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(auth_key_load(path, key, &err), -1);
	S_rmdir(dir);
	buf_release(&err);
}

Test(auth, key_file_in_missing_directory_is_an_error)
{
	unsigned char key[32];
	struct buf err = BUF_INIT;
	cr_assert_eq(auth_key_load("/nonexistent-dir-for-auth-test/key", key, &err), -1);
	cr_assert(strstr(err.ptr, "/nonexistent-dir-for-auth-test/key") != NULL, "message %s",
	          err.ptr);
	buf_release(&err);
}

/* --- sealed values ------------------------------------------------------------------------- */

static const unsigned char S_seal_key_a[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char S_seal_key_b[32] = "fedcba9876543210fedcba9876543210";

Test(auth, a_sealed_value_opens_to_the_message)
{
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	const char msg[] = "1 2 3 review\nli@example.com\n备注";
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", msg, sizeof msg - 1), 0);
	cr_assert_eq(strspn(sealed.ptr, S_B64URL), sealed.len, "base64url only: %s", sealed.ptr);
	cr_assert(strstr(sealed.ptr, "example") == NULL);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), 0);
	cr_assert_eq(out.len, sizeof msg - 1);
	cr_assert_str_eq(out.ptr, msg);
	buf_release(&sealed);
	buf_release(&out);
}

Test(auth, the_same_message_seals_differently_each_time)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	cr_assert_eq(auth_seal(&a, S_seal_key_a, "review", "x", 1), 0);
	cr_assert_eq(auth_seal(&b, S_seal_key_a, "review", "x", 1), 0);
	cr_assert_str_neq(a.ptr, b.ptr, "a random nonce each time");
	buf_release(&a);
	buf_release(&b);
}

Test(auth, an_empty_message_seals_and_opens)
{
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", "", 0), 0);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), 0);
	cr_assert_eq(out.len, 0);
	buf_release(&sealed);
	buf_release(&out);
}

Test(auth, a_sealed_value_changed_in_any_character_does_not_open)
{
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", "amount 100", 10), 0);
	for (size_t i = 0; i < sealed.len; i++) {
		char keep = sealed.ptr[i];
		sealed.ptr[i] = keep == 'A' ? 'B' : 'A';
		cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), -1,
		             "changed at %zu", i);
		sealed.ptr[i] = keep;
	}
	cr_assert_eq(out.len, 0, "nothing written on failure");
	buf_release(&sealed);
	buf_release(&out);
}

Test(auth, a_sealed_value_cut_or_extended_does_not_open)
{
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", "amount 100", 10), 0);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len - 1), -1);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len - 4), -1);
	buf_adds(&sealed, "AAAA");
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), -1);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", "", 0), -1);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", "short", 5), -1);
	buf_release(&sealed);
	buf_release(&out);
}

Test(auth, a_sealed_value_opens_only_with_its_key_and_purpose)
{
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", "amount 100", 10), 0);
	cr_assert_eq(auth_unseal(&out, S_seal_key_b, "review", sealed.ptr, sealed.len), -1);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "other", sealed.ptr, sealed.len), -1);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), 0);
	buf_release(&sealed);
	buf_release(&out);
}

Test(auth, seal_refuses_a_message_over_the_limit_and_opens_one_at_it)
{
	static char big[AUTH_SEAL_MAX + 1];
	memset(big, 'x', sizeof big);
	struct buf sealed = BUF_INIT, out = BUF_INIT;
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", big, sizeof big), -1);
	cr_assert_eq(sealed.len, 0);
	cr_assert_eq(auth_seal(&sealed, S_seal_key_a, "review", big, AUTH_SEAL_MAX), 0);
	cr_assert_eq(auth_unseal(&out, S_seal_key_a, "review", sealed.ptr, sealed.len), 0);
	cr_assert_eq(out.len, AUTH_SEAL_MAX);
	buf_release(&sealed);
	buf_release(&out);
}

/* --- secrets at rest ----------------------------------------------------------------------- */

static const unsigned char S_box_key[32] = "0123456789abcdef0123456789abcdef";

Test(auth, box_seal_then_open_gives_the_secret_back)
{
	const unsigned char msg[20] = "12345678901234567890";
	unsigned char box[sizeof msg + AUTH_BOX_OVERHEAD], out[sizeof msg];
	auth_box_seal(box, msg, sizeof msg, S_box_key);
	cr_assert_neq(memcmp(box + 24, msg, sizeof msg), 0,
	              "the box does not hold the secret in the clear");
	cr_assert_eq(auth_box_open(out, box, sizeof box, S_box_key), 0);
	cr_assert_eq(memcmp(out, msg, sizeof msg), 0);
}

Test(auth, seals_of_one_secret_differ)
{
	const unsigned char msg[20] = "12345678901234567890";
	unsigned char a[sizeof msg + AUTH_BOX_OVERHEAD], b[sizeof a];
	auth_box_seal(a, msg, sizeof msg, S_box_key);
	auth_box_seal(b, msg, sizeof msg, S_box_key);
	cr_assert_neq(memcmp(a, b, sizeof a), 0, "a fresh nonce each time");
}

Test(auth, unseal_refuses_a_wrong_key)
{
	const unsigned char msg[20] = "12345678901234567890";
	unsigned char box[sizeof msg + AUTH_BOX_OVERHEAD], out[sizeof msg];
	unsigned char other[32];
	memcpy(other, S_box_key, 32);
	other[31] ^= 1;
	auth_box_seal(box, msg, sizeof msg, S_box_key);
	memset(out, 0xAA, sizeof out);
	cr_assert_eq(auth_box_open(out, box, sizeof box, other), -1);
	for (size_t i = 0; i < sizeof out; i++)
		cr_assert_eq(out[i], 0, "output zeroed after a refusal");
}

Test(auth, unseal_refuses_a_changed_or_short_box)
{
	const unsigned char msg[20] = "12345678901234567890";
	unsigned char box[sizeof msg + AUTH_BOX_OVERHEAD], out[sizeof msg];
	auth_box_seal(box, msg, sizeof msg, S_box_key);
	for (size_t i = 0; i < sizeof box; i += 7) {
		box[i] ^= 0x01;
		cr_assert_eq(auth_box_open(out, box, sizeof box, S_box_key), -1, "byte %zu changed",
		             i);
		box[i] ^= 0x01;
	}
	cr_assert_eq(auth_box_open(out, box, AUTH_BOX_OVERHEAD - 1, S_box_key), -1);
	cr_assert_eq(auth_box_open(out, box, sizeof box, S_box_key), 0);
}

Test(auth, key_from_hex_reads_64_hex_digits_only)
{
	unsigned char key[32];
	cr_assert_eq(auth_key_from_hex("000102030405060708090a0b0c0d0e0f"
	                               "101112131415161718191A1B1C1D1E1F",
	                               key),
	             0);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(key[i], i);
	cr_assert_eq(auth_key_from_hex("0001", key), -1);
	cr_assert_eq(auth_key_from_hex("000102030405060708090a0b0c0d0e0f"
	                               "101112131415161718191a1b1c1d1e1g",
	                               key),
	             -1);
	cr_assert_eq(key[0], 0, "key zeroed after a refusal");
	cr_assert_eq(auth_key_from_hex("000102030405060708090a0b0c0d0e0f"
	                               "101112131415161718191a1b1c1d1e1f00",
	                               key),
	             -1);
}
