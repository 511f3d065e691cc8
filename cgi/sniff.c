/* sniff.c - the type of an uploaded image, judged by its bytes alone. */
#include "sniff.h"

#include <stdint.h>
#include <string.h>

static const char *const S_mime[SNIFF__MAX] = {
    [SNIFF_PNG] = "image/png",
    [SNIFF_JPEG] = "image/jpeg",
};

static const char *const S_ext[SNIFF__MAX] = {
    [SNIFF_PNG] = "png",
    [SNIFF_JPEG] = "jpg",
};

const char *sniff_mime(enum sniff_type t)
{
	return (unsigned)t < SNIFF__MAX ? S_mime[t] : NULL;
}

const char *sniff_ext(enum sniff_type t)
{
	return (unsigned)t < SNIFF__MAX ? S_ext[t] : NULL;
}

static uint32_t S_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 as PNG uses it (ISO 3309); bitwise, as it only ever covers IHDR's 17 bytes. */
static uint32_t S_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

/* A bit depth that PNG allows for the colour type (PNG specification, table 11.1). */
static int S_png_depth_ok(unsigned colour, unsigned depth)
{
	switch (colour) {
	case 0: /* greyscale */
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3: /* indexed */
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: /* truecolour */
	case 4: /* greyscale with alpha */
	case 6: /* truecolour with alpha */
		return depth == 8 || depth == 16;
	default:
		return 0;
	}
}

static int S_is_png(const unsigned char *p, size_t n)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	/* signature, IHDR's length and type, its 13 bytes of data, its CRC */
	if (n < 8 + 8 + 13 + 4 || memcmp(p, sig, 8) != 0)
		return 0;
	const unsigned char *ihdr = p + 8, *d = p + 16;
	uint32_t w = S_be32(d), h = S_be32(d + 4);
	if (S_be32(ihdr) != 13 || memcmp(ihdr + 4, "IHDR", 4) != 0)
		return 0;
	if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
		return 0;
	if (!S_png_depth_ok(d[9], d[8]) || d[10] != 0 || d[11] != 0 || d[12] > 1)
		return 0;
	return S_crc32(ihdr + 4, 4 + 13) == S_be32(d + 13);
}

/* A marker that can come right after SOI: tables, a frame header, APPn or a comment. */
static int S_jpeg_first_marker(unsigned char m)
{
	if (m >= 0xe0 && m <= 0xef) /* APP0-APP15: JFIF, Exif, ... */
		return 1;
	if (m >= 0xc0 && m <= 0xcf) /* SOF0-SOF15 and DHT (C4); not JPG (C8) nor DAC (CC) */
		return m != 0xc8 && m != 0xcc;
	return m == 0xdb || m == 0xdd || m == 0xfe; /* DQT, DRI, COM */
}

static int S_is_jpeg(const unsigned char *p, size_t n)
{
	/* SOI, then the marker (FF xx) and its segment's length, which counts itself. */
	if (n < 6 || p[0] != 0xff || p[1] != 0xd8 || p[2] != 0xff || !S_jpeg_first_marker(p[3]))
		return 0;
	size_t len = (size_t)p[4] << 8 | p[5];
	return len >= 2 && len <= n - 4;
}

enum sniff_type sniff_image(const void *p, size_t n)
{
	if (n == 0)
		return SNIFF_NONE;
	if (S_is_png(p, n))
		return SNIFF_PNG;
	if (S_is_jpeg(p, n))
		return SNIFF_JPEG;
	return SNIFF_NONE;
}
