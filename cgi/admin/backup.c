/* backup.c - okpay-admin backup: a checked copy of the live database, safe while it serves. */
#include "admin.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_STEP_PAGES 256 /* pages per step of SQLite's backup: 1 MiB at 4 KiB a page */

/* fsync the file or directory at path; 0 or -1 with errno. */
static int S_sync(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* The directory of path, for the fsync that makes the rename durable. */
static void S_dir(struct buf *dir, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		buf_adds(dir, ".");
	else if (slash == path)
		buf_adds(dir, "/");
	else
		buf_add(dir, path, (size_t)(slash - path));
}

static int S_backup(struct admin_ctx *c)
{
	const char *path = c->pos[0];
	struct buf tmp = BUF_INIT, journal = BUF_INIT, dir = BUF_INIT, check = BUF_INIT;
	struct buf err = BUF_INIT, out = BUF_INIT;
	int rc = ADMIN_ERROR, pages = 0;
	if (!admin_opt(c, "force") && access(path, F_OK) == 0) {
		rc = admin_usage(c, "%s exists: give another path or --force to replace it", path);
		goto out;
	}
	buf_addf(&tmp, "%s.tmp", path);
	buf_addf(&journal, "%s-journal", tmp.ptr);
	/* A .tmp beside path is what an interrupted backup left: ours to replace. */
	unlink(tmp.ptr);
	unlink(journal.ptr);
	/* The copy holds password hashes and sessions: owner only, whatever the umask says. */
	int fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		admin_err(c, "cannot create %s: %s", tmp.ptr, strerror(errno));
		goto out;
	}
	close(fd);
	long long t0 = util_now_ns();
	int r = db_backup(c->db, tmp.ptr, BACKUP_STEP_PAGES, &pages, &check, &err);
	double ms = (double)(util_now_ns() - t0) / 1e6;
	if (r != 0) {
		if (r < 0)
			admin_err(c, "%s", err.ptr);
		else
			admin_err(c, "the copy fails the integrity check, not kept:\n%s",
			          check.ptr);
		unlink(tmp.ptr);
		rc = r < 0 ? ADMIN_ERROR : ADMIN_NO;
		goto out;
	}
	/* Durable before it has its name, and the name durable before we say it is done. */
	S_dir(&dir, path);
	if (S_sync(tmp.ptr, O_RDONLY) < 0 || rename(tmp.ptr, path) < 0 ||
	    S_sync(dir.ptr, O_RDONLY | O_DIRECTORY) < 0) {
		admin_err(c, "cannot put the copy at %s: %s", path, strerror(errno));
		unlink(tmp.ptr);
		goto out;
	}
	struct stat st;
	long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "path");
		admin_out_json_str(&j, path);
		admin_out_json_key(&j, "pages");
		admin_out_json_int(&j, pages);
		admin_out_json_key(&j, "bytes");
		admin_out_json_int(&j, bytes);
		admin_out_json_key(&j, "ms");
		admin_out_json_int(&j, (long long)ms);
		admin_out_json_key(&j, "integrity");
		admin_out_json_str(&j, "ok");
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		buf_addf(&out, "%s: %d pages, %lld bytes in %.0f ms; integrity check ok\n", path,
		         pages, bytes, ms);
	}
	admin_print(&out);
	rc = ADMIN_DONE;
out:
	buf_release(&tmp);
	buf_release(&journal);
	buf_release(&dir);
	buf_release(&check);
	buf_release(&err);
	buf_release(&out);
	return rc;
}

const struct admin_cmd admin_cmd_backup = {
    .name = "backup",
    .args = "PATH",
    .npos = 1,
    .opts = {{.name = "force", .help = "replace PATH if it exists"}, {0}},
    .summary = "copy the database to PATH while the portal serves, and check the copy",
    .help = "Copy the database to PATH with SQLite's online backup API: one consistent\n"
            "snapshot, taken in steps of 256 pages while the portal keeps serving (writers\n"
            "are not blocked). The copy is written to PATH.tmp with mode 0600, checked with\n"
            "PRAGMA integrity_check, flushed to disk and renamed to PATH. Refuses an existing\n"
            "PATH unless --force. Exit 1 when the copy fails the check (it is not kept).\n"
            "The keys (secret.key, twostep.key) are not in the database: back them up apart.\n",
    .run = S_backup,
};
