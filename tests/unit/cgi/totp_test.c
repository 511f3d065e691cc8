/* totp_test.c - RFC 6238 test vectors through the service's wrapper, drift window and replay. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "totp.h"

/* RFC 6238 appendix B: the SHA-1 seed is the ASCII of "12345678901234567890". */
static const unsigned char S_seed[] = "12345678901234567890";
#define SEED_LEN 20

static const struct {
	long long t;
	const char *code; /* 8 digits, as the RFC lists them */
} S_vectors[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"},
};

Test(totp, rfc6238_appendix_b_sha1_vectors)
{
	for (size_t i = 0; i < sizeof S_vectors / sizeof S_vectors[0]; i++) {
		char out[9];
		cr_assert_eq(totp_code(S_seed, SEED_LEN, S_vectors[i].t, 8, out), 0);
		cr_assert_str_eq(out, S_vectors[i].code, "T = %lld", S_vectors[i].t);
	}
}

Test(totp, six_digit_codes_are_the_last_six_of_the_vectors)
{
	for (size_t i = 0; i < sizeof S_vectors / sizeof S_vectors[0]; i++) {
		char out[7];
		cr_assert_eq(totp_code(S_seed, SEED_LEN, S_vectors[i].t, 6, out), 0);
		cr_assert_str_eq(out, S_vectors[i].code + 2, "T = %lld", S_vectors[i].t);
	}
}

Test(totp, verify_accepts_the_rfc_vectors_at_their_time)
{
	for (size_t i = 0; i < sizeof S_vectors / sizeof S_vectors[0]; i++) {
		long long step = -1, t = S_vectors[i].t;
		cr_assert_eq(totp_verify(S_seed, SEED_LEN, t, S_vectors[i].code + 2, 0, &step),
		             TOTP_OK, "T = %lld", t);
		cr_assert_eq(step, t / 30);
	}
}

/* The code of the step at offset steps from now. */
static void S_code_at(long long now, int offset, char out[7])
{
	cr_assert_eq(totp_code(S_seed, SEED_LEN, now + offset * TOTP_PERIOD, 6, out), 0);
}

Test(totp, verify_accepts_one_step_of_drift_either_way)
{
	long long now = 1795622400 + 7, step = 0;
	char code[7];
	for (int off = -1; off <= 1; off++) {
		S_code_at(now, off, code);
		cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, 0, &step), TOTP_OK,
		             "offset %d", off);
		cr_assert_eq(step, totp_step(now) + off);
	}
}

Test(totp, verify_refuses_two_steps_of_drift)
{
	long long now = 1795622400 + 7, step = 0;
	char code[7], inside[7];
	for (int off = -2; off <= 2; off += 4) {
		S_code_at(now, off, code);
		/* A code of two steps away could equal one inside the window by chance: skip it. */
		int clash = 0;
		for (int in = -1; in <= 1; in++) {
			S_code_at(now, in, inside);
			clash |= strcmp(code, inside) == 0;
		}
		if (!clash)
			cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, 0, &step), TOTP_WRONG,
			             "offset %d", off);
	}
}

Test(totp, a_used_step_or_an_older_one_is_a_replay)
{
	long long now = 1795622400 + 7, step = 0;
	char code[7];
	S_code_at(now, 0, code);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, 0, &step), TOTP_OK);
	long long used = step;
	/* Stored as last_step, the same code is refused now and for the rest of the window. */
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, used, &step), TOTP_REPLAYED);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now + TOTP_PERIOD, code, used, &step),
	             TOTP_REPLAYED);
	S_code_at(now, -1, code);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, used, &step), TOTP_REPLAYED,
	             "an older code after a newer one");
	S_code_at(now, 1, code);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, used, &step), TOTP_OK,
	             "the next step is still good");
	cr_assert_eq(step, used + 1);
}

Test(totp, verify_ignores_spaces_and_refuses_other_text)
{
	long long now = 1795622400 + 7, step = 0;
	char code[7], spaced[16];
	S_code_at(now, 0, code);
	snprintf(spaced, sizeof spaced, " %.3s %.3s ", code, code + 3);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, spaced, 0, &step), TOTP_OK);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, "", 0, &step), TOTP_WRONG);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, "12345", 0, &step), TOTP_WRONG);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, "1234567", 0, &step), TOTP_WRONG);
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, "12a456", 0, &step), TOTP_WRONG);
	/* Full-width digits look alike but are not ASCII digits. */
	cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, "１２３４５６", 0, &step), TOTP_WRONG);
}

Test(totp, verify_refuses_another_secret)
{
	const unsigned char other[] = "abcdefghijabcdefghij";
	long long now = 1795622400 + 7, step = 0;
	char code[7], mine[7];
	cr_assert_eq(totp_code(other, SEED_LEN, now, 6, code), 0);
	S_code_at(now, 0, mine);
	if (strcmp(code, mine) != 0)
		cr_assert_eq(totp_verify(S_seed, SEED_LEN, now, code, 0, &step), TOTP_WRONG);
}

Test(totp, base32_grouping_and_uri)
{
	struct buf b = BUF_INIT, g = BUF_INIT, uri = BUF_INIT;
	totp_base32(&b, S_seed, SEED_LEN);
	cr_assert_str_eq(b.ptr, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"); /* RFC 4648 of the seed */
	cr_assert_eq(b.len, TOTP_BASE32_LEN);
	totp_group(&g, b.ptr);
	cr_assert_str_eq(g.ptr, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
	totp_uri(&uri, "OKpay", "li.wei+1@example.com", b.ptr);
	cr_assert_str_eq(uri.ptr, "otpauth://totp/OKpay:li.wei%2B1%40example.com"
	                          "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=OKpay"
	                          "&algorithm=SHA1&digits=6&period=30");
	buf_release(&b);
	buf_release(&g);
	buf_release(&uri);
}
