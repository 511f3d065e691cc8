/* sniff.h - the type of an uploaded image, judged by its bytes alone. */
#ifndef OKPAY_SNIFF_H
#define OKPAY_SNIFF_H

#include <stddef.h>

/*
 * The filename and the Content-Type a client sends are its claims, not facts: an HTML or SVG
 * page named shot.png, served back as what it claims, runs script in our origin. So an upload
 * is an image only when its first bytes make one, and it is then stored and served with the
 * MIME type and extension given here, never with the client's.
 *
 * Sniffing judges the type, not the whole file: a PNG or JPEG that is cut short after its
 * header still sniffs as one. Whatever is not a PNG or JPEG by the rules below is "not an
 * image" (SNIFF_NONE): GIF, WebP, SVG, HTML, PDF, text, empty input.
 */

enum sniff_type {
	SNIFF_NONE = 0, /* not an image we accept */
	SNIFF_PNG,      /* signature, then a sane IHDR chunk with a matching CRC */
	SNIFF_JPEG,     /* SOI, then a marker segment that may follow it, complete */
	SNIFF__MAX
};

/**
 * The image type of the n bytes at p (p may be NULL when n is 0), by content only.
 * PNG: the 8-byte signature, then IHDR as the first chunk with length 13, width and height
 * 1 to 2^31-1, a bit depth allowed for its colour type, compression and filter 0, interlace 0
 * or 1, and the right CRC. JPEG: FF D8 (SOI), then a marker that can follow SOI (APP0-APP15,
 * DQT, DHT, DRI, a start of frame, COM) whose segment length is at least 2 and whose segment
 * lies inside the n bytes.
 */
enum sniff_type sniff_image(const void *p, size_t n);

/** "image/png" or "image/jpeg"; NULL for SNIFF_NONE (or any other value). Static. */
const char *sniff_mime(enum sniff_type t);
/** The extension to store and serve under, without the dot: "png", "jpg"; NULL for
 * SNIFF_NONE (or any other value). Static. */
const char *sniff_ext(enum sniff_type t);

#endif
