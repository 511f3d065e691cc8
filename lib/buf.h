/* buf.h - a growable byte buffer, the one string type of this code base. */
#ifndef OKPAY_BUF_H
#define OKPAY_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Rules, as in git's strbuf:
 * - ptr is never NULL and always NUL-terminated, even when len is 0
 *   (an empty buffer points at a shared static "" until it first grows);
 * - the bytes may contain NULs: len, not strlen, is the length;
 * - memory leaves the buffer only through buf_detach; buf_release frees it.
 * Initialise with BUF_INIT or buf_init.
 */
struct buf {
	char *ptr;    /* contents, NUL-terminated */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* bytes allocated; 0 while ptr is the static "" */
};

extern char buf_empty[];
#define BUF_INIT                                                                                   \
	{                                                                                          \
		buf_empty, 0, 0                                                                    \
	}

void buf_init(struct buf *b);
/** Free the contents; the buffer is empty and usable again. */
void buf_release(struct buf *b);
/** Make room for at least n more bytes without changing the contents. */
void buf_grow(struct buf *b, size_t n);
/** Empty the buffer but keep its memory for reuse. */
void buf_reset(struct buf *b);
/** Shorten to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/** Hand the contents (always malloc'd, NUL-terminated) to the caller and empty the buffer. */
char *buf_detach(struct buf *b, size_t *len);

/* Appending; none of these can fail (out of memory aborts). */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/** 1 if the contents equal the NUL-terminated string s. */
int buf_eqs(const struct buf *b, const char *s);

/**
 * Read a whole file into b (appending). Returns 0, or -1 with errno set.
 */
int buf_read_file(struct buf *b, const char *path);
/**
 * Write n bytes to path atomically: a temporary file beside it, then rename.
 * Returns 0, or -1 with errno set (nothing is left behind on failure).
 */
int buf_write_file(const char *path, const void *p, size_t n);

#endif
