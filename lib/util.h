/* util.h - allocation that cannot fail, and other small helpers shared by all programs. */
#ifndef OKPAY_UTIL_H
#define OKPAY_UTIL_H

#include <stddef.h>

/*
 * Out of memory is not recoverable for these programs: xmalloc and friends
 * print a message and abort(), so callers never check their results.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/** Copy of a NUL-terminated string; caller frees. */
char *xstrdup(const char *s);
/** Copy of n bytes plus a NUL; caller frees. */
char *xstrndup(const char *s, size_t n);

/** Print "prog: message" to stderr and exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/** Set the program name used by die() and warnings. */
void util_set_progname(const char *name);
const char *util_progname(void);

/** Monotonic clock in nanoseconds. */
long long util_now_ns(void);

/** 1 if s (length n) starts with the NUL-terminated prefix. */
int util_has_prefix(const char *s, size_t n, const char *prefix);
/** 1 if s (length n) ends with the NUL-terminated suffix. */
int util_has_suffix(const char *s, size_t n, const char *suffix);

/** 64-bit FNV-1a hash of n bytes; for hash tables and cache-busting names, not for secrets. */
unsigned long long util_hash64(const void *p, size_t n);
/** Continue a util_hash64 hash h with n more bytes (hashing pieces in turn equals hashing them
 * joined). */
unsigned long long util_hash64_add(unsigned long long h, const void *p, size_t n);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
