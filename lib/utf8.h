/* utf8.h - strict UTF-8 decoding and validation. */
#ifndef OKPAY_UTF8_H
#define OKPAY_UTF8_H

#include <stddef.h>

struct buf;

/**
 * Decode one code point from s (n > 0 bytes available). Stores its length in *adv.
 * Returns the code point, or -1 for an invalid sequence (overlong form, surrogate,
 * above U+10FFFF, truncated); *adv is then 1 so a caller can skip the bad byte.
 */
long utf8_decode(const char *s, size_t n, size_t *adv);
/** 1 if all n bytes are valid UTF-8 (NUL bytes count as valid), else 0. */
int utf8_valid(const char *s, size_t n);
/** Append the UTF-8 encoding of code point cp (which must be valid). */
void utf8_encode(struct buf *b, long cp);
/** Number of code points in valid UTF-8 text. */
size_t utf8_length(const char *s, size_t n);

#endif
