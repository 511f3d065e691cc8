/* qr_test.c - QR codes as SVG: a well-formed image, nothing active inside, too long refused. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qr.h"

Test(qr, svg_of_an_otpauth_uri_is_one_path_without_script_or_style)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(
	    qr_svg(&b, "otpauth://totp/OKpay:a%40example.com?secret=GEZDGNBV", "QR <code>"), 0);
	cr_assert_eq(strncmp(b.ptr, "<?xml", 5), 0);
	cr_assert(strstr(b.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
	cr_assert(strstr(b.ptr, "<title>QR &lt;code&gt;</title>") != NULL, "title escaped");
	cr_assert(strstr(b.ptr, "<path fill=\"#000\" d=\"M") != NULL);
	cr_assert_null(strstr(b.ptr, "<script"));
	cr_assert_null(strstr(b.ptr, "style"));
	cr_assert(strstr(b.ptr, "</svg>\n") != NULL);
	buf_release(&b);
}

Test(qr, same_text_same_image)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	qr_svg(&a, "otpauth://totp/x?secret=AAAA", "t");
	qr_svg(&b, "otpauth://totp/x?secret=AAAA", "t");
	qr_svg(&c, "otpauth://totp/x?secret=AAAB", "t");
	cr_assert_str_eq(a.ptr, b.ptr);
	cr_assert_str_neq(a.ptr, c.ptr);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
}

Test(qr, text_too_long_for_any_version_is_refused)
{
	struct buf b = BUF_INIT;
	size_t n = 8000; /* version 40-M holds 2,331 bytes */
	char *text = malloc(n + 1);
	memset(text, 'A', n);
	text[n] = '\0';
	cr_assert_eq(qr_svg(&b, text, "t"), -1);
	free(text);
	buf_release(&b);
}
