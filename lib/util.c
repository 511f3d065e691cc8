/* util.c - allocation that cannot fail, fatal errors, clocks and hashing. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *progname = "okpay";

static void S_oom(size_t n)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n", progname, n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		S_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		S_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		S_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void util_set_progname(const char *name)
{
	const char *slash = strrchr(name, '/');
	progname = slash ? slash + 1 : name;
}

const char *util_progname(void)
{
	return progname;
}

void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

long long util_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int util_has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pn = strlen(prefix);
	return n >= pn && memcmp(s, prefix, pn) == 0;
}

int util_has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t sn = strlen(suffix);
	return n >= sn && memcmp(s + n - sn, suffix, sn) == 0;
}

unsigned long long util_hash64(const void *p, size_t n)
{
	return util_hash64_add(14695981039346656037ULL, p, n);
}

unsigned long long util_hash64_add(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}
