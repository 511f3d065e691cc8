/* buf.c - growable byte buffer and whole-file helpers. */
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char buf_empty[1];

void buf_init(struct buf *b)
{
	b->ptr = buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->ptr);
	buf_init(b);
}

void buf_grow(struct buf *b, size_t n)
{
	if (b->len + n + 1 <= b->alloc)
		return;
	size_t want = b->alloc ? b->alloc : 64;
	while (want < b->len + n + 1)
		want = want / 2 * 3 + 64;
	if (b->alloc) {
		b->ptr = xrealloc(b->ptr, want);
	} else {
		char *p = xmalloc(want);
		memcpy(p, b->ptr, b->len);
		b->ptr = p;
	}
	b->ptr[b->len] = '\0';
	b->alloc = want;
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		len = b->len;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	if (!b->alloc) {
		p = xmalloc(1);
		p[0] = '\0';
	} else {
		p = b->ptr;
	}
	buf_init(b);
	return p;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(b->ptr + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->alloc) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

int buf_eqs(const struct buf *b, const char *s)
{
	size_t n = strlen(s);
	return b->len == n && memcmp(b->ptr, s, n) == 0;
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		buf_grow(b, (size_t)st.st_size);
	for (;;) {
		buf_grow(b, 8192);
		ssize_t r = read(fd, b->ptr + b->len, b->alloc - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		b->ptr[b->len] = '\0';
	}
	close(fd);
	return 0;
}

int buf_write_file(const char *path, const void *p, size_t n)
{
	struct buf tmp = BUF_INIT;
	int rc = -1, fd = -1, e = 0;
	const char *s = p;

	/* Process id and a counter keep concurrent writers of one directory apart. */
	static atomic_ulong counter;
	buf_addf(&tmp, "%s.tmp%ld.%lu", path, (long)getpid(), atomic_fetch_add(&counter, 1));
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		s += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0)
		goto out;
	rc = 0;
out:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp.ptr);
	buf_release(&tmp);
	errno = e;
	return rc;
}
