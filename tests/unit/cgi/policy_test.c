/* policy_test.c - unit tests for cgi/policy.c: e-mail syntax, password strength, names. */
#include "policy.h"
#include "buf.h"

#include <criterion/criterion.h>
#include <string.h>

/* --- helpers ------------------------------------------------------------------------------- */

static void S_email_ok(const char *in, const char *want)
{
	struct buf out = BUF_INIT;
	enum policy_email rc = policy_email(&out, in, strlen(in));
	cr_assert_eq(rc, POLICY_EMAIL_OK, "\"%s\": code %d", in, rc);
	cr_assert_str_eq(out.ptr, want, "\"%s\" normalised to \"%s\"", in, out.ptr);
	buf_release(&out);
}

static void S_email_fails(const char *in, enum policy_email want)
{
	struct buf out = BUF_INIT;
	enum policy_email rc = policy_email(&out, in, strlen(in));
	cr_assert_eq(rc, want, "\"%s\": code %d, want %d", in, rc, want);
	cr_assert_eq(out.len, 0, "\"%s\" failed but wrote \"%s\"", in, out.ptr);
	buf_release(&out);
}

/* Append n copies of s to b. */
static void S_repeat(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_adds(b, s);
}

static enum policy_password S_pw(const char *pw, const char *email, const char *name)
{
	return policy_password(pw, strlen(pw), email, name);
}

static void S_pw_is(const char *pw, const char *email, const char *name, enum policy_password want)
{
	enum policy_password rc = S_pw(pw, email, name);
	cr_assert_eq(rc, want, "\"%s\": code %d, want %d", pw, rc, want);
}

/* Letters and digits from a fixed pseudo-random sequence: strong, repeatable passwords. */
static void S_random_pw(struct buf *b, size_t n)
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned long x = 0x9e3779b9UL;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245UL + 12345UL;
		buf_addc(b, set[(x >> 16) % (sizeof set - 1)]);
	}
}

static void S_name_ok(const char *in, const char *want)
{
	struct buf out = BUF_INIT;
	enum policy_name rc = policy_name(&out, in, strlen(in));
	cr_assert_eq(rc, POLICY_NAME_OK, "\"%s\": code %d", in, rc);
	cr_assert_str_eq(out.ptr, want);
	buf_release(&out);
}

static void S_name_fails(const char *in, size_t n, enum policy_name want)
{
	struct buf out = BUF_INIT;
	enum policy_name rc = policy_name(&out, in, n);
	cr_assert_eq(rc, want, "\"%s\": code %d, want %d", in, rc, want);
	cr_assert_eq(out.len, 0, "failed but wrote \"%s\"", out.ptr);
	buf_release(&out);
}

/* --- e-mail: accepted and normalised ------------------------------------------------------- */

Test(policy, email_accepts_tagged_address)
{
	S_email_ok("li.wei+tag@mail.example.com", "li.wei+tag@mail.example.com");
}

Test(policy, email_trims_surrounding_white_space)
{
	S_email_ok("  li.wei@example.com\t\r\n", "li.wei@example.com");
	/* no-break space from a web page, ideographic space from a Chinese input method */
	S_email_ok("\xc2\xa0li.wei@example.com\xe3\x80\x80", "li.wei@example.com");
}

Test(policy, email_lowercases_domain_not_local_part)
{
	S_email_ok("Li.Wei@Mail.EXAMPLE.Com", "Li.Wei@mail.example.com");
}

Test(policy, email_accepts_all_atext_characters)
{
	S_email_ok("a!#$%&'*+-/=?^_`{|}~z@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com");
}

Test(policy, email_accepts_hyphens_and_digits_inside_domain)
{
	S_email_ok("a@my-shop.example", "a@my-shop.example");
	S_email_ok("a@123.example.com", "a@123.example.com");
	S_email_ok("a@xn--fiqs8s.xn--fiqz9s", "a@xn--fiqs8s.xn--fiqz9s");
	S_email_ok("a@b.c0m", "a@b.c0m");
}

Test(policy, email_output_is_reset_first)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "old contents");
	cr_assert_eq(policy_email(&out, "a@b.co", 6), POLICY_EMAIL_OK);
	cr_assert_str_eq(out.ptr, "a@b.co");
	buf_adds(&out, "x");
	cr_assert_eq(policy_email(&out, "nonsense", 8), POLICY_EMAIL_INVALID);
	cr_assert_eq(out.len, 0);
	buf_release(&out);
}

Test(policy, email_reads_only_n_bytes)
{
	struct buf out = BUF_INIT;
	cr_assert_eq(policy_email(&out, "a@b.co trailing", 6), POLICY_EMAIL_OK);
	cr_assert_str_eq(out.ptr, "a@b.co");
	buf_release(&out);
}

/* --- e-mail: empty and too long ------------------------------------------------------------ */

Test(policy, email_empty_is_empty)
{
	S_email_fails("", POLICY_EMAIL_EMPTY);
	S_email_fails(" \t ", POLICY_EMAIL_EMPTY);
	S_email_fails("\xe3\x80\x80", POLICY_EMAIL_EMPTY);
}

/* local@domain with the given lengths; the domain is labels of 63 and a shorter last one. */
static void S_address(struct buf *b, size_t local, size_t domain)
{
	S_repeat(b, "a", local);
	buf_addc(b, '@');
	while (domain > 64) {
		S_repeat(b, "b", 63);
		buf_addc(b, '.');
		domain -= 64;
	}
	S_repeat(b, "c", domain);
}

Test(policy, email_of_254_characters_is_accepted)
{
	struct buf a = BUF_INIT;
	S_address(&a, 64, 189);
	cr_assert_eq(a.len, 254);
	S_email_ok(a.ptr, a.ptr);
	buf_release(&a);
}

Test(policy, email_of_255_characters_is_too_long)
{
	struct buf a = BUF_INIT;
	S_address(&a, 64, 190);
	cr_assert_eq(a.len, 255);
	S_email_fails(a.ptr, POLICY_EMAIL_TOO_LONG);
	buf_release(&a);
}

Test(policy, email_local_part_of_65_characters_is_too_long)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	S_repeat(&a, "a", 64);
	buf_adds(&a, "@example.com");
	S_email_ok(a.ptr, a.ptr);
	S_repeat(&b, "a", 65);
	buf_adds(&b, "@example.com");
	S_email_fails(b.ptr, POLICY_EMAIL_TOO_LONG);
	buf_release(&a);
	buf_release(&b);
}

Test(policy, email_label_of_64_characters_is_too_long)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	buf_adds(&a, "a@");
	S_repeat(&a, "x", 63);
	buf_adds(&a, ".com");
	S_email_ok(a.ptr, a.ptr);
	buf_adds(&b, "a@");
	S_repeat(&b, "x", 64);
	buf_adds(&b, ".com");
	S_email_fails(b.ptr, POLICY_EMAIL_TOO_LONG);
	buf_release(&a);
	buf_release(&b);
}

/* --- e-mail: invalid ----------------------------------------------------------------------- */

Test(policy, email_without_at_is_invalid)
{
	S_email_fails("li.wei.example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_with_two_at_signs_is_invalid)
{
	S_email_fails("li@wei@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li.wei@@example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_with_empty_local_part_is_invalid)
{
	S_email_fails("@example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_with_empty_domain_is_invalid)
{
	S_email_fails("li.wei@", POLICY_EMAIL_INVALID);
}

Test(policy, email_local_part_starting_with_dot_is_invalid)
{
	S_email_fails(".li@example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_local_part_ending_with_dot_is_invalid)
{
	S_email_fails("li.@example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_local_part_with_double_dot_is_invalid)
{
	S_email_fails("li..wei@example.com", POLICY_EMAIL_INVALID);
}

Test(policy, email_local_part_with_quotes_or_specials_is_invalid)
{
	S_email_fails("\"li wei\"@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li wei@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li(wei)@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li,wei@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li\\wei@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("<li@example.com>", POLICY_EMAIL_INVALID);
}

Test(policy, email_with_control_characters_is_invalid)
{
	S_email_fails("li\twei@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li@example.com\r\nBcc: x@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li\x7f@example.com", POLICY_EMAIL_INVALID);
	struct buf out = BUF_INIT;
	cr_assert_eq(policy_email(&out, "li\0@example.com", 15), POLICY_EMAIL_INVALID);
	buf_release(&out);
}

Test(policy, email_with_non_ascii_is_invalid)
{
	S_email_fails("\xe6\x9d\x8e\xe4\xbc\x9f@example.com", POLICY_EMAIL_INVALID); /* 李伟@ */
	S_email_fails("li@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b\xbd", POLICY_EMAIL_INVALID);
	S_email_fails("jos\xc3\xa9@example.com", POLICY_EMAIL_INVALID);
	S_email_fails("li\xff@example.com", POLICY_EMAIL_INVALID); /* not UTF-8 at all */
}

Test(policy, email_domain_with_single_label_is_invalid)
{
	S_email_fails("a@b", POLICY_EMAIL_INVALID);
	S_email_fails("root@localhost", POLICY_EMAIL_INVALID);
}

Test(policy, email_domain_with_numeric_tld_is_invalid)
{
	S_email_fails("a@b.123", POLICY_EMAIL_INVALID);
	S_email_fails("a@192.0.2.1", POLICY_EMAIL_INVALID);
}

Test(policy, email_domain_literal_is_invalid)
{
	S_email_fails("a@[192.0.2.1]", POLICY_EMAIL_INVALID);
}

Test(policy, email_label_starting_or_ending_with_hyphen_is_invalid)
{
	S_email_fails("a@-shop.example.com", POLICY_EMAIL_INVALID);
	S_email_fails("a@shop-.example.com", POLICY_EMAIL_INVALID);
	S_email_fails("a@shop.example.-com", POLICY_EMAIL_INVALID);
}

Test(policy, email_empty_label_is_invalid)
{
	S_email_fails("a@.example.com", POLICY_EMAIL_INVALID);
	S_email_fails("a@example..com", POLICY_EMAIL_INVALID);
	S_email_fails("a@example.com.", POLICY_EMAIL_INVALID);
}

Test(policy, email_label_with_other_characters_is_invalid)
{
	S_email_fails("a@exa_mple.com", POLICY_EMAIL_INVALID);
	S_email_fails("a@exa+mple.com", POLICY_EMAIL_INVALID);
	S_email_fails("a@example.com:8080", POLICY_EMAIL_INVALID);
}

/* --- password: length ---------------------------------------------------------------------- */

Test(policy, password_of_7_characters_is_too_short)
{
	S_pw_is("Vq7#xK2", NULL, NULL, POLICY_PW_TOO_SHORT);
}

Test(policy, password_strong_8_characters_is_accepted)
{
	/* zxcvbn: 52.6 bits (brute force only), far above 26.58 */
	S_pw_is("Vq7#xK2m", "li.wei@example.com", "Li Wei", POLICY_PW_OK);
}

Test(policy, password_of_128_characters_is_accepted)
{
	struct buf pw = BUF_INIT;
	S_random_pw(&pw, 128);
	S_pw_is(pw.ptr, NULL, NULL, POLICY_PW_OK);
	buf_release(&pw);
}

Test(policy, password_of_129_characters_is_too_long)
{
	struct buf pw = BUF_INIT;
	S_random_pw(&pw, 129);
	S_pw_is(pw.ptr, NULL, NULL, POLICY_PW_TOO_LONG);
	buf_release(&pw);
}

Test(policy, password_length_counts_code_points_not_bytes)
{
	/* 7 Chinese characters are 21 bytes: still too short. 8 are enough. */
	S_pw_is("\xe9\x95\xbf\xe5\x9f\x8e\xe4\xb8\x87\xe9\x87\x8c\xe9\xbb\x84\xe6\xb2\xb3\xe9\x95"
	        "\xbf",
	        NULL, NULL, POLICY_PW_TOO_SHORT); /* 长城万里黄河长 */
	S_pw_is("\xe9\x95\xbf\xe5\x9f\x8e\xe4\xb8\x87\xe9\x87\x8c\xe9\xbb\x84\xe6\xb2\xb3\xe9\x95"
	        "\xbf\xe6\xb1\x9f",
	        NULL, NULL, POLICY_PW_OK); /* 长城万里黄河长江 */
}

Test(policy, password_of_128_chinese_characters_is_accepted)
{
	/* 384 bytes, 128 code points */
	struct buf pw = BUF_INIT;
	S_repeat(&pw, "\xe6\x88\x91\xe7\x9a\x84\xe5\xaf\x86\xe7\xa0\x81\xe6\x98\xaf\xe9\x95\xbf",
	         21);                     /* 我的密码是长 */
	S_repeat(&pw, "\xe5\x9f\x8e", 2); /* 城 */
	cr_assert_eq(pw.len, 384);
	S_pw_is(pw.ptr, NULL, NULL, POLICY_PW_OK);
	buf_adds(&pw, "\xe5\x9f\x8e");
	S_pw_is(pw.ptr, NULL, NULL, POLICY_PW_TOO_LONG);
	buf_release(&pw);
}

/* --- password: guessable ------------------------------------------------------------------- */

Test(policy, password_password123_is_too_guessable)
{
	S_pw_is("password123", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_12345678_is_too_guessable)
{
	S_pw_is("12345678", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_qwertyuiop_is_too_guessable)
{
	S_pw_is("qwertyuiop", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_with_leet_substitutions_is_too_guessable)
{
	S_pw_is("P@ssw0rd!", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_same_as_email_is_refused)
{
	S_pw_is("zhaoxiaoming@mail.example.com", "zhaoxiaoming@mail.example.com", NULL,
	        POLICY_PW_SAME_AS_EMAIL);
	S_pw_is("ZhaoXiaoming@Mail.example.com", "zhaoxiaoming@mail.example.com", NULL,
	        POLICY_PW_SAME_AS_EMAIL);
}

Test(policy, password_same_as_email_local_part_is_refused)
{
	S_pw_is("ZHAOXIAOMING", "zhaoxiaoming@mail.example.com", NULL, POLICY_PW_SAME_AS_EMAIL);
}

Test(policy, password_same_as_name_is_refused)
{
	S_pw_is("zhao xiaoming", NULL, "Zhao Xiaoming", POLICY_PW_SAME_AS_NAME);
}

Test(policy, password_built_from_email_is_too_guessable)
{
	/* 36 bits alone; with the address in zxcvbn's user dictionary, 9 bits */
	S_pw_is("zhaoxiaoming1990", NULL, NULL, POLICY_PW_OK);
	S_pw_is("zhaoxiaoming1990", "zhaoxiaoming@mail.example.com", NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_built_from_name_words_is_too_guessable)
{
	S_pw_is("kpqzhaoxiaoming", NULL, NULL, POLICY_PW_OK);
	S_pw_is("kpqzhaoxiaoming", NULL, "Zhao Xiaoming", POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_built_from_service_name_is_too_guessable)
{
	S_pw_is("OKpay#2024", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_chinese_pet_phrase_is_too_guessable)
{
	S_pw_is("woaini1314", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
	S_pw_is("5201314520", NULL, NULL, POLICY_PW_TOO_GUESSABLE);
}

Test(policy, password_long_random_passphrase_is_accepted)
{
	S_pw_is("violet tractor mango sleepy harbor", "li.wei@example.com", "Li Wei", POLICY_PW_OK);
}

Test(policy, password_without_email_or_name_is_checked)
{
	S_pw_is("Tr0ub4dor&3x", NULL, NULL, POLICY_PW_OK);
}

/* --- name ---------------------------------------------------------------------------------- */

Test(policy, name_trims_surrounding_white_space)
{
	S_name_ok("  Li Wei \t\n", "Li Wei");
	S_name_ok("\xe3\x80\x80\xe6\x9d\x8e\xe4\xbc\x9f\xc2\xa0", "\xe6\x9d\x8e\xe4\xbc\x9f");
}

Test(policy, name_in_any_script_is_accepted)
{
	S_name_ok("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99", "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99");
	S_name_ok("Jos\xc3\xa9 \xc3\x91\xc3\xba\xc3\xb1"
	          "ez",
	          "Jos\xc3\xa9 \xc3\x91\xc3\xba\xc3\xb1"
	          "ez");
	S_name_ok("Seán O'Brien-Smith", "Seán O'Brien-Smith");
	S_name_ok("\xd8\xb9\xd9\x84\xd9\x8a", "\xd8\xb9\xd9\x84\xd9\x8a"); /* Arabic, RTL */
}

Test(policy, name_keeps_inner_spaces)
{
	S_name_ok("Li  Wei", "Li  Wei");
}

Test(policy, name_empty_is_empty)
{
	S_name_fails("", 0, POLICY_NAME_EMPTY);
	S_name_fails("  \t ", 4, POLICY_NAME_EMPTY);
	S_name_fails("\xe3\x80\x80", 3, POLICY_NAME_EMPTY);
}

Test(policy, name_of_100_code_points_is_accepted)
{
	struct buf name = BUF_INIT, padded = BUF_INIT;
	S_repeat(&name, "\xe6\x9d\x8e", 100); /* 李, 300 bytes */
	buf_addf(&padded, "  %s  ", name.ptr);
	S_name_ok(padded.ptr, name.ptr);
	buf_release(&name);
	buf_release(&padded);
}

Test(policy, name_of_101_code_points_is_too_long)
{
	struct buf n = BUF_INIT;
	S_repeat(&n, "a", 101);
	S_name_fails(n.ptr, n.len, POLICY_NAME_TOO_LONG);
	buf_release(&n);
}

Test(policy, name_with_control_characters_is_invalid)
{
	S_name_fails("Li\tWei", 6, POLICY_NAME_INVALID);
	S_name_fails("Li\nWei", 6, POLICY_NAME_INVALID);
	S_name_fails("Li\0Wei", 6, POLICY_NAME_INVALID);
	S_name_fails("Li\x7fWei", 6, POLICY_NAME_INVALID);
	S_name_fails("Li\xc2\x85Wei", 7, POLICY_NAME_INVALID); /* U+0085, C1 */
	S_name_fails("Li\xc2\x9bWei", 7, POLICY_NAME_INVALID); /* U+009B, C1 CSI */
}

Test(policy, name_with_bidi_override_is_invalid)
{
	S_name_fails("Bob\xe2\x80\xaenimda", 11, POLICY_NAME_INVALID); /* U+202E */
	S_name_fails("Bob\xe2\x80\xadx", 7, POLICY_NAME_INVALID);      /* U+202D */
}

Test(policy, name_with_bidi_embedding_or_isolate_is_invalid)
{
	S_name_fails("Bob\xe2\x80\xaax", 7, POLICY_NAME_INVALID); /* U+202A */
	S_name_fails("Bob\xe2\x81\xa6x", 7, POLICY_NAME_INVALID); /* U+2066 */
	S_name_fails("Bob\xe2\x81\xa9x", 7, POLICY_NAME_INVALID); /* U+2069 */
}

Test(policy, name_with_invalid_utf8_is_invalid)
{
	S_name_fails("Li\xff", 3, POLICY_NAME_INVALID);
	S_name_fails("Li\xc0\xaf", 4, POLICY_NAME_INVALID);     /* overlong '/' */
	S_name_fails("Li\xed\xa0\x80", 5, POLICY_NAME_INVALID); /* surrogate */
	S_name_fails("Li\xe6\x9d", 4, POLICY_NAME_INVALID);     /* truncated */
}
