/* mail.h - formatting and delivery of one outgoing message (the outbox's background thread). */
#ifndef OKPAY_MAIL_H
#define OKPAY_MAIL_H

struct buf;

/*
 * A message as the outbox stores it. Every field is borrowed: the functions below read
 * it and keep no pointer into it. Strings are NUL-terminated, so a NUL can never reach a
 * header; CR and LF are what mail_format watches for.
 */
struct mail_msg {
	const char *from;       /* "OKpay <no-reply@okpay.example>": printable ASCII only */
	const char *to;         /* one bare address, already validated: "li@example.com" */
	const char *subject;    /* UTF-8, any length; encoded and folded as needed */
	const char *text;       /* text/plain body, UTF-8; LF or CRLF line ends */
	const char *html;       /* text/html alternative, UTF-8, or NULL for text only */
	const char *message_id; /* "<...@okpay.example>", stable per outbox row so a retry of
	                           the same row is recognisable (same id, same file name) */
	long long date;         /* unix seconds; years 1900 to 9999 */
};

/* --- formatting ------------------------------------------------------------------------- */

/**
 * Append m as an RFC 5322 message to out (the caller owns out, as always).
 *
 * Every line ends in CRLF. Headers, in this order: From, To, Subject, Date (UTC,
 * "Thu, 01 Jan 1970 00:00:00 +0000"), Message-ID, MIME-Version: 1.0, Content-Type.
 * A subject of printable ASCII is written as it is, folded at spaces to 78 columns; any
 * other subject (non-ASCII, control characters, leading or trailing space, "=?", or a word
 * too long to fold under 998 columns) becomes RFC 2047 encoded-words "=?UTF-8?B?...?=",
 * one per line, none longer than 75 characters, each holding whole UTF-8 characters (bytes
 * that are not valid UTF-8 count as one character each).
 *
 * Without html the body is one text/plain; charset=UTF-8 part, otherwise a
 * multipart/alternative with text/plain then text/html. Bodies are quoted-printable
 * (RFC 2045): lines of at most 76 characters, soft breaks "=", '=' and bytes outside
 * printable ASCII encoded, as are a space or tab that ends a line, a '.' that starts one
 * (SMTP's end of data) and the 'F' of a line starting "From " (mbox). LF and CRLF become
 * CRLF; a body that does not end in a line break gets one. The boundary is "=_okpay_"
 * followed by hex digits hashed from message_id, so the output is deterministic; "=_"
 * cannot occur in quoted-printable text, so the boundary never collides with a body.
 *
 * Returns 0, or -1 with errno EINVAL and nothing appended when a field is NULL (html
 * aside), a header field contains CR or LF (header injection), from contains anything but
 * printable ASCII, to is not one bare address (printable ASCII, no space or any of
 * "(),:;<>\, exactly one '@' that is neither first nor last, at most 254 bytes),
 * message_id is not "<left@right>" in printable ASCII without spaces, a header line would
 * exceed 998 characters, or date is outside the years 1900 to 9999.
 */
int mail_format(struct buf *out, const struct mail_msg *m);

/* --- delivery --------------------------------------------------------------------------- */

/**
 * Write the formatted message to dir/<date>-<id>.eml, where <id> is message_id without its
 * angle brackets, every byte other than letters, digits and ". @ _ -" replaced by '_', and
 * cut at 200 bytes. The file appears atomically with mode 0644 whatever the umask: it is
 * written and fsync'ed as a hidden temporary file ".<name>.<pid>.<n>.tmp" in dir, then
 * renamed (and dir fsync'ed, best effort). A retry of the same message replaces the file.
 * Returns 0, or -1 with errno set (EINVAL for a message mail_format rejects); no temporary
 * file is left behind on failure.
 */
int mail_deliver_dir(const char *dir, const struct mail_msg *m);
/**
 * mail_deliver_dir without its fsyncs, for a batch: the messages are durable only after
 * mail_sync_dir(dir) returned 0 (one flush of the file system for the whole batch).
 */
int mail_deliver_dir_unsynced(const char *dir, const struct mail_msg *m);
/** Flush the file system that holds dir (syncfs). 0, or -1 with errno set. */
int mail_sync_dir(const char *dir);

/**
 * Pipe the formatted message to a sendmail-compatible command and wait for it.
 *
 * No shell is involved: cmd is split at spaces and tabs (no quoting), and the program is
 * found on PATH as execvp does, with argv = the words of cmd, "-i", "--", m->to.
 * The child gets the message on stdin, /dev/null as stdout, our stderr, default signal
 * dispositions, an empty signal mask, and its own process group; on glibc 2.34 and later
 * every other descriptor is closed in it, and ours are O_CLOEXEC in any case.
 *
 * timeout_ms (> 0) bounds the whole call, writing included: when it runs out, the child's
 * process group gets SIGKILL and is reaped. SIGPIPE (the child exits before reading
 * everything) is blocked in the calling thread only while writing, and a SIGPIPE the write
 * raised is consumed before the mask is restored: the process's signal dispositions are not
 * touched, so the caller need not ignore SIGPIPE. The caller must not set SIGCHLD to
 * SIG_IGN (the child could not be waited for).
 *
 * Returns 0 only if the whole message was written and the command exited with status 0.
 * Otherwise -1 with errno: EINVAL (bad message, empty cmd, timeout_ms <= 0), an error of
 * posix_spawnp such as ENOENT, EPIPE (the command did not read the whole message),
 * ETIMEDOUT, or EIO (the command exited non-zero or was killed by a signal).
 */
int mail_deliver_sendmail(const char *cmd, const struct mail_msg *m, int timeout_ms);

/**
 * Seconds to wait before retry attempt (1-based; values below 1 count as 1) after a
 * failure: 30, 60, 120, ... doubling up to a cap of 3600, plus a jitter of 0 to 10 % of
 * that figure derived from message_id and attempt (NULL counts as ""), so that messages
 * queued during one outage do not all retry in the same second. Always in [30, 3960].
 */
long mail_retry_delay(const char *message_id, int attempt);

#endif
