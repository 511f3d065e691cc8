/* mail.c - RFC 5322/2045/2047 formatting of one message, and delivery to a directory or sendmail.
 */
#include "mail.h"
#include "buf.h"
#include "utf8.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* RFC 5322 2.1.1: a line MUST be at most 998 characters and SHOULD be at most 78. */
#define S_LINE_MAX  998
#define S_LINE_WANT 78
/* RFC 2045 6.7: encoded lines of at most 76 characters, the soft break's '=' included. */
#define S_QP_LINE 76
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets, angle brackets included. */
#define S_ADDR_MAX 254
/* Longest message id kept in a file name, well under NAME_MAX with the date and suffixes. */
#define S_FILE_ID_MAX 200

static const char S_hex[] = "0123456789ABCDEF";

/* --- validation ------------------------------------------------------------------------- */

/* 1 if every byte of s is printable ASCII, space included. */
static int S_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/*
 * The addresses come validated from the form layer; this is the last line of defence for
 * the two places they end up unquoted, a header and sendmail's argv. Anything that could
 * start a second address, a comment or a new line is refused.
 */
static int S_valid_to(const char *to)
{
	size_t n = strlen(to);
	const char *at = strchr(to, '@');
	if (n == 0 || n > S_ADDR_MAX || !S_printable(to))
		return 0;
	if (strpbrk(to, " \"(),:;<>\\"))
		return 0;
	return at && at != to && at[1] != '\0' && !strchr(at + 1, '@');
}

/* "<left@right>": printable ASCII, no spaces, brackets only at the ends. */
static int S_valid_message_id(const char *id)
{
	size_t n = strlen(id);
	const char *at = strchr(id, '@');
	if (n < 5 || id[0] != '<' || id[n - 1] != '>' || !S_printable(id))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (id[i] == ' ' || id[i] == '<' || id[i] == '>')
			return 0;
	return at && at > id + 1 && at < id + n - 2;
}

static int S_valid(const struct mail_msg *m)
{
	if (!m || !m->from || !m->to || !m->subject || !m->text || !m->message_id)
		return 0;
	if (!S_printable(m->from) || !S_valid_to(m->to) || !S_valid_message_id(m->message_id))
		return 0;
	if (strpbrk(m->subject, "\r\n"))
		return 0;
	return strlen("From: ") + strlen(m->from) <= S_LINE_MAX &&
	       strlen("Message-ID: ") + strlen(m->message_id) <= S_LINE_MAX;
}

/* --- headers ---------------------------------------------------------------------------- */

/* "Thu, 01 Jan 1970 00:00:00 +0000" by hand: strftime's names follow the locale. */
static int S_date(struct buf *out, long long date)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	time_t t = (time_t)date;

	if ((long long)t != date || !gmtime_r(&t, &tm))
		return -1;
	if (tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
		return -1;
	buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

static void S_base64(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		buf_addc(out, tab[(v >> 18) & 63]);
		buf_addc(out, tab[(v >> 12) & 63]);
		buf_addc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		buf_addc(out, i + 2 < n ? tab[v & 63] : '=');
	}
}

/*
 * A plain subject is folded before a space that follows a non-space (so no line ends in
 * white space), greedily to S_LINE_WANT. With out NULL nothing is written: the return
 * value, the longest line including "Subject: ", tells whether folding can keep every line
 * under S_LINE_MAX.
 */
static size_t S_fold_plain(struct buf *out, const char *s, size_t n)
{
	size_t line = strlen("Subject: "), longest = 0, start = 0;

	for (size_t p = 1; p <= n; p++) {
		if (p < n && !(s[p] == ' ' && s[p - 1] != ' '))
			continue;
		size_t seg = p - start;
		if (start > 0 && line + seg > S_LINE_WANT) {
			if (out)
				buf_add(out, "\r\n", 2);
			longest = line > longest ? line : longest;
			line = 0;
		}
		if (out)
			buf_add(out, s + start, seg);
		line += seg;
		start = p;
	}
	return line > longest ? line : longest;
}

/*
 * Subjects that are not plain ASCII, or would be misread as such, are sent as encoded-words.
 * Leading and trailing spaces would be lost to header parsing, "=?" would be decoded by the
 * reader as if it were an encoded-word.
 */
static int S_subject_is_plain(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	if (!S_printable(s) || s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "=?"))
		return 0;
	return S_fold_plain(NULL, s, n) <= S_LINE_MAX;
}

/*
 * RFC 2047: an encoded-word is at most 75 characters, "=?UTF-8?B?" and "?=" take 12, so its
 * base64 text is at most 60 characters (45 bytes). The first word also shares its line with
 * "Subject: ": 9 + 12 + 56 characters of base64 (42 bytes) keep that line within 78. Each
 * word ends at a character boundary (RFC 2047 section 5: no character split across words).
 */
static void S_encode_subject(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, limit = 42;

	while (i < n) {
		size_t j = i, adv;
		while (j < n) {
			utf8_decode(s + j, n - j, &adv);
			if (j + adv - i > limit)
				break;
			j += adv;
		}
		if (i > 0)
			buf_add(out, "\r\n ", 3);
		buf_adds(out, "=?UTF-8?B?");
		S_base64(out, (const unsigned char *)s + i, j - i);
		buf_adds(out, "?=");
		i = j;
		limit = 45;
	}
}

static void S_subject(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	buf_adds(out, "Subject:");
	if (n > 0)
		buf_addc(out, ' ');
	if (S_subject_is_plain(s, n))
		S_fold_plain(out, s, n);
	else
		S_encode_subject(out, s, n);
	buf_add(out, "\r\n", 2);
}

/* --- bodies ----------------------------------------------------------------------------- */

/* 1 if s[i] is the last byte of its line: the text or the line ends right after it. */
static int S_ends_line(const char *s, size_t n, size_t i)
{
	if (i + 1 == n || s[i + 1] == '\n')
		return 1;
	return s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n';
}

/* The encoding of byte i written at column col: 1 byte as it is, or 3 as "=XX". */
static size_t S_qp_token(char tok[3], const char *s, size_t n, size_t i, size_t col)
{
	unsigned char c = (unsigned char)s[i];
	int literal;

	if (c == ' ' || c == '\t')
		literal = !S_ends_line(s, n, i);
	else if (c < 33 || c > 126 || c == '=')
		literal = 0;
	else if (col == 0 && c == '.')
		literal = 0;
	else if (col == 0 && c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
		literal = 0;
	else
		literal = 1;
	if (literal) {
		tok[0] = (char)c;
		return 1;
	}
	tok[0] = '=';
	tok[1] = S_hex[c >> 4];
	tok[2] = S_hex[c & 15];
	return 3;
}

/*
 * Quoted-printable per RFC 2045 6.7. A token that is not the last of its line must leave
 * room for the '=' of a soft break; the last one may use column 76. A lone CR is not a line
 * break and is encoded (=0D) like any other control byte. Ends with CRLF.
 */
static void S_qp(struct buf *out, const char *s)
{
	size_t n = strlen(s), col = 0, i = 0;

	while (i < n) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			buf_add(out, "\r\n", 2);
			col = 0;
			i += s[i] == '\r' ? 2 : 1;
			continue;
		}
		char tok[3];
		size_t t = S_qp_token(tok, s, n, i, col);
		if (col + t > (S_ends_line(s, n, i) ? S_QP_LINE : S_QP_LINE - 1)) {
			buf_add(out, "=\r\n", 3);
			col = 0;
			t = S_qp_token(tok, s, n, i, col);
		}
		buf_add(out, tok, t);
		col += t;
		i++;
	}
	if (col > 0)
		buf_add(out, "\r\n", 2);
}

static void S_part_headers(struct buf *out, const char *type)
{
	buf_addf(out,
	         "Content-Type: %s; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: quoted-printable\r\n",
	         type);
}

/*
 * "=_" cannot appear in quoted-printable output ('=' is always followed by hex digits or a
 * line break), so this boundary can never occur inside a part, whatever the text says. The
 * hash only makes it look like the random boundaries other mailers use, and keeps it stable.
 */
static void S_boundary(struct buf *out, const char *message_id)
{
	unsigned long long h = util_hash64(message_id, strlen(message_id));
	unsigned long long h2 = util_hash64_add(h, "boundary", 8);
	buf_addf(out, "=_okpay_%016llx%016llx", h, h2);
}

/* --- mail_format ------------------------------------------------------------------------ */

int mail_format(struct buf *out, const struct mail_msg *m)
{
	size_t start = out->len;
	struct buf boundary = BUF_INIT;

	if (!S_valid(m))
		goto fail;
	buf_addf(out, "From: %s\r\nTo: %s\r\n", m->from, m->to);
	S_subject(out, m->subject);
	buf_adds(out, "Date: ");
	if (S_date(out, m->date) == -1)
		goto fail;
	buf_addf(out, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n", m->message_id);

	if (!m->html) {
		S_part_headers(out, "text/plain");
		buf_add(out, "\r\n", 2);
		S_qp(out, m->text);
		return 0;
	}
	S_boundary(&boundary, m->message_id);
	buf_addf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
	         boundary.ptr);
	buf_addf(out, "--%s\r\n", boundary.ptr);
	S_part_headers(out, "text/plain");
	buf_add(out, "\r\n", 2);
	S_qp(out, m->text);
	/* The CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1). */
	buf_addf(out, "\r\n--%s\r\n", boundary.ptr);
	S_part_headers(out, "text/html");
	buf_add(out, "\r\n", 2);
	S_qp(out, m->html);
	buf_addf(out, "\r\n--%s--\r\n", boundary.ptr);
	buf_release(&boundary);
	return 0;

fail:
	buf_truncate(out, start);
	buf_release(&boundary);
	errno = EINVAL;
	return -1;
}

/* --- mail_deliver_dir ------------------------------------------------------------------- */

static int S_write_full(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int S_deliver_dir(const char *dir, const struct mail_msg *m, int sync)
{
	static atomic_ulong counter;
	struct buf msg = BUF_INIT, name = BUF_INIT, path = BUF_INIT, tmp = BUF_INIT;
	int rc = -1, e = 0, fd = -1, dfd, created = 0;

	if (!dir || mail_format(&msg, m) == -1) {
		e = EINVAL;
		goto out;
	}
	buf_addf(&name, "%lld-", m->date);
	/* The id sits between brackets; S_valid_message_id made sure of them. */
	const char *id = m->message_id + 1;
	size_t idlen = strlen(id) - 1;
	for (size_t i = 0; i < idlen && i < S_FILE_ID_MAX; i++) {
		char c = id[i];
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || strchr(".@_-", c);
		buf_addc(&name, keep ? c : '_');
	}
	buf_adds(&name, ".eml");
	buf_addf(&path, "%s/%s", dir, name.ptr);
	/* Hidden and without the .eml suffix, so nothing that picks up *.eml sees it half-written.
	 */
	buf_addf(&tmp, "%s/.%s.%ld.%lu.tmp", dir, name.ptr, (long)getpid(),
	         atomic_fetch_add(&counter, 1));

	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	created = 1;
	/* The umask would otherwise decide, and the reader may be another user (an MTA). */
	if (fchmod(fd, 0644) < 0 || S_write_full(fd, msg.ptr, msg.len) < 0 ||
	    (sync && fsync(fd) < 0)) {
		e = errno;
		goto out;
	}
	int r = close(fd);
	fd = -1;
	if (r < 0 || rename(tmp.ptr, path.ptr) < 0) {
		e = errno;
		goto out;
	}
	/* Make the rename itself durable before the outbox row is marked as sent. Best effort:
	 * some file systems refuse fsync on a directory, and the file is complete either way. */
	dfd = sync ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlink(tmp.ptr);
	buf_release(&msg);
	buf_release(&name);
	buf_release(&path);
	buf_release(&tmp);
	errno = e;
	return rc;
}

int mail_deliver_dir(const char *dir, const struct mail_msg *m)
{
	return S_deliver_dir(dir, m, 1);
}

int mail_deliver_dir_unsynced(const char *dir, const struct mail_msg *m)
{
	return S_deliver_dir(dir, m, 0);
}

int mail_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = syncfs(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* --- mail_deliver_sendmail -------------------------------------------------------------- */

static long long S_ms_left(long long deadline_ns)
{
	long long left = deadline_ns - util_now_ns();
	return left <= 0 ? 0 : (left + 999999) / 1000000;
}

/* Write everything to the non-blocking fd before the deadline, or -1 with errno. */
static int S_write_until(int fd, const char *p, size_t n, long long deadline_ns)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		long long ms = S_ms_left(deadline_ns);
		if (ms == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		if (poll(&pfd, 1, ms > INT_MAX ? INT_MAX : (int)ms) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * A write to a pipe whose reader is gone raises SIGPIPE in the writing thread, and its
 * default action ends the whole server. Rather than ignore it process-wide (a decision for
 * main, not for a library), block it in this thread while writing; if the write raised one
 * (EPIPE) and none was pending before, take it off the pending set before unblocking, so it
 * is never delivered. This is the usual recipe for pipes, which have no MSG_NOSIGNAL.
 */
static int S_write_nosigpipe(int fd, const char *p, size_t n, long long deadline_ns)
{
	sigset_t pipe_set, pending, old;
	int r, e, was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

	r = S_write_until(fd, p, n, deadline_ns);
	e = errno;
	if (r < 0 && e == EPIPE && !was_pending) {
		const struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

/*
 * Reap pid before the deadline: 0 with *status, or -1 with errno (ETIMEDOUT). There is no
 * waitpid with a timeout; polling with naps from 1 ms growing to 16 ms returns soon after a
 * quick command ends and costs a few dozen wake-ups a second for a slow one.
 */
static int S_wait_until(pid_t pid, int *status, long long deadline_ns)
{
	long long nap = 1000000;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		long long left = deadline_ns - util_now_ns();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (nap > left)
			nap = left;
		struct timespec ts = {(time_t)(nap / 1000000000), (long)(nap % 1000000000)};
		nanosleep(&ts, NULL);
		if (nap < 16000000)
			nap *= 2;
	}
}

/* Kill the child's whole process group (sendmail may have forked helpers) and reap it. */
static void S_kill_reap(pid_t pid)
{
	int status;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* The words of cmd, split at spaces and tabs, in a NULL-terminated array with room for
 * extra more entries. The array and the words live in one allocation; free the array. */
static char **S_split(const char *cmd, size_t extra, size_t *count)
{
	size_t n = 0, len = strlen(cmd);
	for (size_t i = 0; i < len; i++)
		if (cmd[i] != ' ' && cmd[i] != '\t' &&
		    (i == 0 || cmd[i - 1] == ' ' || cmd[i - 1] == '\t'))
			n++;
	char **argv = xmalloc((n + extra + 1) * sizeof(*argv) + len + 1);
	char *words = (char *)(argv + n + extra + 1);
	memcpy(words, cmd, len + 1);
	n = 0;
	for (char *p = words; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		argv[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[n] = NULL;
	*count = n;
	return argv;
}

int mail_deliver_sendmail(const char *cmd, const struct mail_msg *m, int timeout_ms)
{
	struct buf msg = BUF_INIT;
	char **argv = NULL;
	size_t argc = 0;
	int fds[2] = {-1, -1};
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc = -1, e = 0, status, have_fa = 0, have_attr = 0;
	long long deadline;

	if (!cmd || timeout_ms <= 0 || mail_format(&msg, m) == -1) {
		e = EINVAL;
		goto out;
	}
	deadline = util_now_ns() + (long long)timeout_ms * 1000000;
	argv = S_split(cmd, 3, &argc);
	if (argc == 0) {
		e = EINVAL;
		goto out;
	}
	argv[argc++] = (char *)"-i";
	argv[argc++] = (char *)"--";
	argv[argc++] = (char *)m->to;
	argv[argc] = NULL;

	if (pipe2(fds, O_CLOEXEC) < 0 || fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0) {
		e = errno;
		goto out;
	}
	/*
	 * posix_spawnp rather than fork + execvp: safe in a threaded process (nothing but
	 * exec-related work runs in the child), cheap (vfork-style on glibc), and it reports a
	 * failed exec (ENOENT) as its return value.
	 */
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	have_fa = 1;
	if ((e = posix_spawn_file_actions_adddup2(&fa, fds[0], 0)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) != 0)
		goto out;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* Descriptors someone else opened without O_CLOEXEC must not reach the command either. */
	if ((e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0)
		goto out;
#endif
	if ((e = posix_spawnattr_init(&attr)) != 0)
		goto out;
	have_attr = 1;
	/* Ignored signals stay ignored across exec: a server that ignores SIGPIPE or SIGHUP must
	 * not pass that on. Its own process group lets a timeout kill the command's children. */
	sigemptyset(&none);
	sigfillset(&all);
	if ((e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                             POSIX_SPAWN_SETPGROUP)) != 0 ||
	    (e = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (e = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
	    (e = posix_spawnattr_setpgroup(&attr, 0)) != 0)
		goto out;
	if ((e = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ)) != 0) {
		pid = -1;
		goto out;
	}
	close(fds[0]);
	fds[0] = -1;

	if (S_write_nosigpipe(fds[1], msg.ptr, msg.len, deadline) < 0)
		e = errno;
	close(fds[1]);
	fds[1] = -1;
	if (e == ETIMEDOUT)
		goto out;
	/* Even after EPIPE, wait: the command is ours to reap. */
	if (S_wait_until(pid, &status, deadline) < 0) {
		if (errno == ECHILD)
			pid = -1;
		e = errno;
		goto out;
	}
	pid = -1;
	if (e)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		e = EIO;
		goto out;
	}
	rc = 0;
out:
	if (pid > 0)
		S_kill_reap(pid);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (have_attr)
		posix_spawnattr_destroy(&attr);
	free(argv);
	buf_release(&msg);
	errno = e;
	return rc;
}

/* --- retries ---------------------------------------------------------------------------- */

long mail_retry_delay(const char *message_id, int attempt)
{
	long base = 30;
	const char *id = message_id ? message_id : "";

	if (attempt < 1)
		attempt = 1;
	/* 30 << 7 is already past the cap: no shift can overflow. */
	for (int i = 1; i < attempt && base < 3600; i++)
		base *= 2;
	if (base > 3600)
		base = 3600;
	unsigned long long h = util_hash64(id, strlen(id));
	h = util_hash64_add(h, &attempt, sizeof(attempt));
	return base + (long)(h % (unsigned long long)(base / 10 + 1));
}
