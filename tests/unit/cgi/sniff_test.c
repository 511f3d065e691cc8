/* sniff_test.c - unit tests for cgi/sniff.c: PNG and JPEG by content, everything else refused. */
#include "sniff.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* A 1x1 red PNG (IHDR, IDAT, IEND), as zlib and the PNG specification make it. */
static const unsigned char S_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xf7, 0x03, 0x41,
    0x43, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

/* A 1x1 grey JFIF JPEG, as cjpeg -grayscale -optimize writes it (djpeg decodes it). */
static const unsigned char S_jpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10,
    0x0e, 0x0d, 0x0e, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23,
    0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40,
    0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d,
    0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01,
    0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x14,
    0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x3f, 0xff, 0xd9};

/* The type of n bytes of p, sniffed from an exactly sized heap copy (ASan sees over-reads). */
static enum sniff_type S_sniff(const void *p, size_t n)
{
	void *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	enum sniff_type t = sniff_image(copy, n);
	free(copy);
	return t;
}

/* S_png with byte i replaced by v. */
static enum sniff_type S_png_with(size_t i, unsigned char v)
{
	unsigned char b[sizeof(S_png)];
	memcpy(b, S_png, sizeof(b));
	b[i] = v;
	return S_sniff(b, sizeof(b));
}

/* S_png with these IHDR fields and the CRC to match them (defined at the end). */
static enum sniff_type S_png_ihdr(unsigned long width, unsigned long height, unsigned char depth,
                                  unsigned char colour, unsigned char interlace);

Test(sniff, recognises_png)
{
	enum sniff_type t = S_sniff(S_png, sizeof(S_png));
	cr_assert_eq(t, SNIFF_PNG);
	cr_assert_str_eq(sniff_mime(t), "image/png");
	cr_assert_str_eq(sniff_ext(t), "png");
}

Test(sniff, recognises_jpeg)
{
	enum sniff_type t = S_sniff(S_jpeg, sizeof(S_jpeg));
	cr_assert_eq(t, SNIFF_JPEG);
	cr_assert_str_eq(sniff_mime(t), "image/jpeg");
	cr_assert_str_eq(sniff_ext(t), "jpg");
}

Test(sniff, recognises_jpeg_starting_with_exif_or_tables)
{
	static const unsigned char exif[] = {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x04, 'E', 'x'};
	static const unsigned char dqt[] = {0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02};
	static const unsigned char com[] = {0xff, 0xd8, 0xff, 0xfe, 0x00, 0x03, 'a'};
	cr_assert_eq(S_sniff(exif, sizeof(exif)), SNIFF_JPEG);
	cr_assert_eq(S_sniff(dqt, sizeof(dqt)), SNIFF_JPEG);
	cr_assert_eq(S_sniff(com, sizeof(com)), SNIFF_JPEG);
}

Test(sniff, none_has_no_mime_or_extension)
{
	cr_assert_null(sniff_mime(SNIFF_NONE));
	cr_assert_null(sniff_ext(SNIFF_NONE));
	cr_assert_null(sniff_mime(SNIFF__MAX));
	cr_assert_null(sniff_ext((enum sniff_type) - 1));
}

Test(sniff, rejects_empty_input)
{
	cr_assert_eq(sniff_image(NULL, 0), SNIFF_NONE);
	cr_assert_eq(S_sniff("", 0), SNIFF_NONE);
}

Test(sniff, rejects_html_named_png)
{
	static const char html[] = "<!DOCTYPE html><html><script>alert(1)</script></html>";
	cr_assert_eq(S_sniff(html, sizeof(html) - 1), SNIFF_NONE);
}

Test(sniff, rejects_svg)
{
	static const char svg[] =
	    "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "onload=\"alert(1)\"/>";
	cr_assert_eq(S_sniff(svg, sizeof(svg) - 1), SNIFF_NONE);
}

Test(sniff, rejects_gif)
{
	static const char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!";
	cr_assert_eq(S_sniff(gif, sizeof(gif) - 1), SNIFF_NONE);
}

Test(sniff, rejects_webp)
{
	static const char webp[] = "RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00";
	cr_assert_eq(S_sniff(webp, sizeof(webp) - 1), SNIFF_NONE);
}

Test(sniff, rejects_png_behind_a_bom)
{
	unsigned char b[sizeof(S_png) + 3] = {0xef, 0xbb, 0xbf};
	memcpy(b + 3, S_png, sizeof(S_png));
	cr_assert_eq(S_sniff(b, sizeof(b)), SNIFF_NONE, "a PNG behind a BOM is not a PNG");
}

Test(sniff, rejects_png_signature_alone)
{
	cr_assert_eq(S_sniff(S_png, 8), SNIFF_NONE);
}

Test(sniff, rejects_png_cut_inside_ihdr)
{
	for (size_t n = 0; n < 33; n++)
		cr_assert_eq(S_sniff(S_png, n), SNIFF_NONE, "%zu bytes sniffed as an image", n);
	cr_assert_eq(S_sniff(S_png, 33), SNIFF_PNG, "IHDR complete: the type is known");
}

Test(sniff, rejects_png_with_bad_signature)
{
	cr_assert_eq(S_png_with(0, 0x88), SNIFF_NONE);
}

Test(sniff, rejects_png_with_crlf_mangled_to_lf)
{
	cr_assert_eq(S_png_with(4, '\n'), SNIFF_NONE);
}

Test(sniff, rejects_png_without_ihdr_first)
{
	cr_assert_eq(S_png_with(12, 'i'), SNIFF_NONE);
}

Test(sniff, rejects_png_with_ihdr_length_other_than_13)
{
	cr_assert_eq(S_png_with(11, 0x0e), SNIFF_NONE);
}

Test(sniff, rejects_png_with_zero_width_or_height)
{
	cr_assert_eq(S_png_ihdr(1, 1, 8, 2, 0), SNIFF_PNG, "the helper's own IHDR must pass");
	cr_assert_eq(S_png_ihdr(0, 1, 8, 2, 0), SNIFF_NONE);
	cr_assert_eq(S_png_ihdr(1, 0, 8, 2, 0), SNIFF_NONE);
}

Test(sniff, rejects_png_with_dimensions_above_2_to_the_31)
{
	cr_assert_eq(S_png_ihdr(0x7fffffffUL, 1, 8, 2, 0), SNIFF_PNG);
	cr_assert_eq(S_png_ihdr(0x80000000UL, 1, 8, 2, 0), SNIFF_NONE);
	cr_assert_eq(S_png_ihdr(1, 0xffffffffUL, 8, 2, 0), SNIFF_NONE);
}

Test(sniff, rejects_png_with_wrong_ihdr_crc)
{
	cr_assert_eq(S_png_with(32, 0xdf), SNIFF_NONE);
}

Test(sniff, rejects_png_with_impossible_depth_for_colour)
{
	cr_assert_eq(S_png_ihdr(1, 1, 4, 2, 0), SNIFF_NONE);  /* truecolour needs 8 or 16 */
	cr_assert_eq(S_png_ihdr(1, 1, 16, 3, 0), SNIFF_NONE); /* indexed at most 8 */
	cr_assert_eq(S_png_ihdr(1, 1, 8, 5, 0), SNIFF_NONE);  /* no colour type 5 */
	cr_assert_eq(S_png_ihdr(1, 1, 3, 0, 0), SNIFF_NONE);
}

Test(sniff, accepts_every_valid_depth_and_colour)
{
	cr_assert_eq(S_png_ihdr(1, 1, 1, 0, 0), SNIFF_PNG);
	cr_assert_eq(S_png_ihdr(1, 1, 16, 0, 1), SNIFF_PNG);
	cr_assert_eq(S_png_ihdr(1, 1, 2, 3, 0), SNIFF_PNG);
	cr_assert_eq(S_png_ihdr(1, 1, 16, 4, 0), SNIFF_PNG);
	cr_assert_eq(S_png_ihdr(1, 1, 8, 6, 1), SNIFF_PNG);
}

Test(sniff, rejects_png_with_bad_interlace)
{
	cr_assert_eq(S_png_ihdr(1, 1, 8, 2, 2), SNIFF_NONE);
}

Test(sniff, rejects_jpeg_soi_alone)
{
	static const unsigned char soi[] = {0xff, 0xd8, 0xff};
	cr_assert_eq(S_sniff(soi, sizeof(soi)), SNIFF_NONE);
	cr_assert_eq(S_sniff(soi, 2), SNIFF_NONE);
}

Test(sniff, rejects_jpeg_cut_inside_its_first_segment)
{
	/* The APP0 segment is 2 + 16 bytes after SOI. */
	for (size_t n = 0; n < 20; n++)
		cr_assert_eq(S_sniff(S_jpeg, n), SNIFF_NONE, "%zu bytes sniffed as an image", n);
	cr_assert_eq(S_sniff(S_jpeg, 20), SNIFF_JPEG);
}

Test(sniff, rejects_jpeg_with_marker_that_cannot_follow_soi)
{
	static const unsigned char marks[] = {0xd8, 0xd9, 0xda, 0xd0, 0x00, 0xff, 0xc8, 0x01};
	for (size_t i = 0; i < sizeof(marks); i++) {
		unsigned char b[] = {0xff, 0xd8, 0xff, marks[i], 0x00, 0x04, 0x00, 0x00};
		cr_assert_eq(S_sniff(b, sizeof(b)), SNIFF_NONE, "marker %02x accepted", marks[i]);
	}
}

Test(sniff, rejects_jpeg_with_segment_length_below_two)
{
	static const unsigned char b[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0x00};
	cr_assert_eq(S_sniff(b, sizeof(b)), SNIFF_NONE);
}

Test(sniff, ignores_what_follows_the_header)
{
	/* A polyglot: sniffing names the type; serving it as that type with nosniff is safe. */
	unsigned char b[sizeof(S_png) + 20];
	memcpy(b, S_png, sizeof(S_png));
	memcpy(b + sizeof(S_png), "<script>x</script>  ", 20);
	cr_assert_eq(S_sniff(b, sizeof(b)), SNIFF_PNG);
}

/* CRC-32 of PNG, to build IHDRs for the tests above. */
static unsigned long S_crc(const unsigned char *p, size_t n)
{
	unsigned long c = 0xffffffffUL;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320UL ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffUL;
}

static void S_put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static enum sniff_type S_png_ihdr(unsigned long width, unsigned long height, unsigned char depth,
                                  unsigned char colour, unsigned char interlace)
{
	unsigned char b[sizeof(S_png)];
	memcpy(b, S_png, sizeof(b));
	S_put32(b + 16, width);
	S_put32(b + 20, height);
	b[24] = depth;
	b[25] = colour;
	b[28] = interlace;
	S_put32(b + 29, S_crc(b + 12, 17));
	return S_sniff(b, sizeof(b));
}
