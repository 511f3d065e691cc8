/* buf_test.c - unit tests for lib/buf.c: the growable buffer and the whole-file helpers. */
#include "buf.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp) for file tests; S_rmtree removes it. */
static void S_mktemp_dir(char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, n, "%s/okpay-buf-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static int S_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void S_rmtree(const char *dir)
{
	nftw(dir, S_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Names in dir other than "." and "..", joined by spaces in the order readdir gives them. */
static size_t S_dir_entries(const char *dir, struct buf *names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t count = 0;
	cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (count++)
			buf_addc(names, ' ');
		buf_adds(names, de->d_name);
	}
	closedir(d);
	return count;
}

/* --- initialisation and lifecycle --------------------------------------------------------- */

Test(buf, buf_init_is_empty_string)
{
	struct buf b;
	buf_init(&b);
	cr_assert_not_null(b.ptr);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.alloc, 0);
}

Test(buf, buf_init_macro_is_empty_string)
{
	struct buf b = BUF_INIT;
	cr_assert_not_null(b.ptr);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
	cr_assert(buf_eqs(&b, ""));
}

Test(buf, release_of_empty_buffer_is_harmless)
{
	struct buf b = BUF_INIT;
	buf_release(&b);
	buf_release(&b);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
}

Test(buf, release_leaves_empty_usable_buffer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "hello");
	buf_release(&b);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
	buf_adds(&b, "again");
	cr_assert_str_eq(b.ptr, "again");
	buf_release(&b);
}

Test(buf, grow_makes_room_and_keeps_contents)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	buf_grow(&b, 1000);
	cr_assert_geq(b.alloc, b.len + 1000 + 1);
	cr_assert_eq(b.len, 3);
	cr_assert_str_eq(b.ptr, "abc");
	buf_release(&b);
}

Test(buf, grow_of_empty_buffer_keeps_it_empty)
{
	struct buf b = BUF_INIT;
	buf_grow(&b, 10);
	cr_assert_geq(b.alloc, 11);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.ptr, "");
	buf_release(&b);
}

/* --- appending ------------------------------------------------------------------------------ */

Test(buf, add_appends_bytes)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "hello world", 5);
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq(b.ptr, "hello");
	buf_release(&b);
}

Test(buf, add_of_nothing_keeps_buffer_empty)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "x", 0);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.ptr, "");
	buf_release(&b);
}

Test(buf, adds_and_addc_append_in_order)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "ab");
	buf_addc(&b, 'c');
	buf_adds(&b, "");
	buf_adds(&b, "de");
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq(b.ptr, "abcde");
	buf_release(&b);
}

Test(buf, add_grows_across_many_appends)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_add(&b, "0123456789", (size_t)(i % 10) + 1);
	size_t want = 0;
	for (int i = 0; i < 10000; i++)
		want += (size_t)(i % 10) + 1;
	cr_assert_eq(b.len, want);
	cr_assert_eq(b.ptr[b.len], '\0');
	cr_assert_gt(b.alloc, b.len);
	/* Spot-check the contents: each append starts with '0'. */
	size_t pos = 0;
	for (int i = 0; i < 10000; i++) {
		size_t n = (size_t)(i % 10) + 1;
		cr_assert_eq(memcmp(b.ptr + pos, "0123456789", n), 0, "append %d corrupted", i);
		pos += n;
	}
	buf_release(&b);
}

Test(buf, addc_grows_across_many_appends)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	cr_assert_eq(b.len, 100000);
	cr_assert_eq(b.ptr[b.len], '\0');
	for (int i = 0; i < 100000; i++)
		cr_assert_eq(b.ptr[i], (char)('a' + i % 26), "byte %d", i);
	buf_release(&b);
}

Test(buf, addf_formats)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s=%d;%c", "n", -42, 'x');
	cr_assert_str_eq(b.ptr, "n=-42;x");
	cr_assert_eq(b.len, 7);
	buf_release(&b);
}

Test(buf, addf_appends_to_existing_contents)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "id:");
	buf_addf(&b, "%05d", 42);
	cr_assert_str_eq(b.ptr, "id:00042");
	cr_assert_eq(b.len, 8);
	buf_release(&b);
}

Test(buf, addf_of_empty_output_keeps_contents)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s", "");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.ptr, "");
	buf_adds(&b, "x");
	buf_addf(&b, "%s", "");
	cr_assert_str_eq(b.ptr, "x");
	buf_release(&b);
}

Test(buf, addf_grows_across_many_appends)
{
	struct buf b = BUF_INIT;
	char *want = malloc(100000);
	size_t wlen = 0;
	for (int i = 0; i < 5000; i++) {
		buf_addf(&b, "[%d:%s]", i, i % 2 ? "odd" : "even");
		wlen += (size_t)snprintf(want + wlen, 100000 - wlen, "[%d:%s]", i,
		                         i % 2 ? "odd" : "even");
	}
	cr_assert_eq(b.len, wlen);
	cr_assert_eq(strlen(b.ptr), wlen);
	cr_assert_eq(memcmp(b.ptr, want, wlen), 0);
	free(want);
	buf_release(&b);
}

Test(buf, addf_with_long_output)
{
	struct buf b = BUF_INIT;
	char *s = malloc(20001);
	memset(s, 'q', 20000);
	s[20000] = '\0';
	buf_addf(&b, "<%s>", s);
	cr_assert_eq(b.len, 20002);
	cr_assert_eq(b.ptr[0], '<');
	cr_assert_eq(b.ptr[20001], '>');
	cr_assert_eq(b.ptr[20002], '\0');
	cr_assert_eq(memcmp(b.ptr + 1, s, 20000), 0);
	free(s);
	buf_release(&b);
}

Test(buf, addf_with_long_output_into_partly_full_buffer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "head");
	cr_assert_gt(b.alloc, 0);
	buf_addf(&b, "%0*d|", 5000, 7);
	cr_assert_eq(b.len, 4 + 5000 + 1);
	cr_assert_eq(memcmp(b.ptr, "head", 4), 0);
	for (size_t i = 4; i < 4 + 4999; i++)
		cr_assert_eq(b.ptr[i], '0', "byte %zu", i);
	cr_assert_eq(b.ptr[4 + 4999], '7');
	cr_assert_eq(b.ptr[4 + 5000], '|');
	cr_assert_eq(b.ptr[b.len], '\0');
	buf_release(&b);
}

Test(buf, addf_filling_buffer_exactly)
{
	/* Output that ends exactly at the allocation must still leave room for the NUL. */
	struct buf b = BUF_INIT;
	buf_grow(&b, 1);
	size_t room = b.alloc - b.len - 1;
	char *s = malloc(room + 2);
	for (size_t extra = 0; extra < 2; extra++) {
		struct buf c = BUF_INIT;
		buf_grow(&c, 1);
		memset(s, 'z', room + extra);
		s[room + extra] = '\0';
		buf_addf(&c, "%s", s);
		cr_assert_eq(c.len, room + extra);
		cr_assert_lt(c.len, c.alloc);
		cr_assert_eq(c.ptr[c.len], '\0');
		cr_assert_eq(strlen(c.ptr), room + extra);
		buf_release(&c);
	}
	free(s);
	buf_release(&b);
}

/* --- detach, truncate, reset ---------------------------------------------------------------- */

Test(buf, detach_hands_over_contents)
{
	struct buf b = BUF_INIT;
	size_t len = 0;
	buf_adds(&b, "owned");
	char *p = buf_detach(&b, &len);
	cr_assert_str_eq(p, "owned");
	cr_assert_eq(len, 5);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.alloc, 0);
	/* The buffer no longer refers to p: it can grow without touching the caller's copy. */
	buf_adds(&b, "new contents");
	cr_assert_str_eq(p, "owned");
	free(p);
	buf_release(&b);
}

Test(buf, detach_of_empty_buffer_returns_malloced_string)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *p = buf_detach(&b, &len);
	cr_assert_not_null(p);
	cr_assert_str_eq(p, "");
	cr_assert_eq(len, 0);
	cr_assert_neq(p, buf_empty);
	free(p); /* ASan reports an invalid free if p is not from malloc */
}

Test(buf, detach_accepts_null_length)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "x");
	char *p = buf_detach(&b, NULL);
	cr_assert_str_eq(p, "x");
	free(p);
}

Test(buf, detach_keeps_embedded_nuls)
{
	struct buf b = BUF_INIT;
	size_t len;
	buf_add(&b, "a\0b", 3);
	char *p = buf_detach(&b, &len);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(p, "a\0b\0", 4), 0);
	free(p);
}

Test(buf, truncate_shortens)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "hello world");
	buf_truncate(&b, 5);
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq(b.ptr, "hello");
	buf_adds(&b, "!");
	cr_assert_str_eq(b.ptr, "hello!");
	buf_release(&b);
}

Test(buf, truncate_to_current_length_changes_nothing)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	buf_truncate(&b, 3);
	cr_assert_str_eq(b.ptr, "abc");
	cr_assert_eq(b.len, 3);
	buf_release(&b);
}

Test(buf, truncate_of_empty_buffer_is_harmless)
{
	struct buf b = BUF_INIT;
	buf_truncate(&b, 0);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.len, 0);
}

Test(buf, reset_empties_but_keeps_memory)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "some text");
	size_t alloc = b.alloc;
	char *ptr = b.ptr;
	buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.ptr, "");
	cr_assert_eq(b.alloc, alloc);
	cr_assert_eq(b.ptr, ptr);
	buf_release(&b);
}

/* --- embedded NULs and comparison ----------------------------------------------------------- */

Test(buf, embedded_nuls_are_kept)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "a\0b", 3);
	buf_addc(&b, '\0');
	buf_adds(&b, "c");
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(b.ptr, "a\0b\0c", 6), 0);
	buf_release(&b);
}

Test(buf, eqs_compares_whole_contents)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	cr_assert(buf_eqs(&b, "abc"));
	cr_assert_not(buf_eqs(&b, "ab"));
	cr_assert_not(buf_eqs(&b, "abcd"));
	cr_assert_not(buf_eqs(&b, "abd"));
	buf_release(&b);
}

Test(buf, eqs_uses_length_not_strlen)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "a\0b", 3);
	cr_assert_not(buf_eqs(&b, "a"));
	buf_release(&b);
}

/* --- files ---------------------------------------------------------------------------------- */

Test(buf, write_file_then_read_file_round_trip)
{
	char dir[4096], path[4200];
	struct buf data = BUF_INIT, got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data.bin", dir);
	/* Larger than one read, with every byte value including NUL. */
	for (int i = 0; i < 100000; i++)
		buf_addc(&data, (char)(i * 7 % 256));
	cr_assert_eq(buf_write_file(path, data.ptr, data.len), 0, "write: %s", strerror(errno));
	cr_assert_eq(buf_read_file(&got, path), 0, "read: %s", strerror(errno));
	cr_assert_eq(got.len, data.len);
	cr_assert_eq(memcmp(got.ptr, data.ptr, data.len), 0);
	cr_assert_eq(got.ptr[got.len], '\0');
	buf_release(&data);
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, read_file_appends_to_contents)
{
	char dir[4096], path[4200];
	struct buf got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	cr_assert_eq(buf_write_file(path, "world", 5), 0);
	buf_adds(&got, "hello ");
	cr_assert_eq(buf_read_file(&got, path), 0);
	cr_assert_str_eq(got.ptr, "hello world");
	cr_assert_eq(got.len, 11);
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, read_file_of_empty_file)
{
	char dir[4096], path[4200];
	struct buf got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/empty", dir);
	cr_assert_eq(buf_write_file(path, "", 0), 0);
	cr_assert_eq(buf_read_file(&got, path), 0);
	cr_assert_eq(got.len, 0);
	cr_assert_str_eq(got.ptr, "");
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, read_file_of_missing_file_fails_with_errno)
{
	char dir[4096], path[4200];
	struct buf got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/missing", dir);
	errno = 0;
	cr_assert_eq(buf_read_file(&got, path), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(got.len, 0);
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, read_file_of_directory_fails)
{
	char dir[4096];
	struct buf got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	errno = 0;
	cr_assert_eq(buf_read_file(&got, dir), -1);
	cr_assert_neq(errno, 0);
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, write_file_replaces_existing_file)
{
	char dir[4096], path[4200];
	struct buf got = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	cr_assert_eq(buf_write_file(path, "a much longer first version", 27), 0);
	cr_assert_eq(buf_write_file(path, "short", 5), 0);
	cr_assert_eq(buf_read_file(&got, path), 0);
	cr_assert_str_eq(got.ptr, "short");
	buf_release(&got);
	S_rmtree(dir);
}

Test(buf, write_file_leaves_no_temp_file)
{
	char dir[4096], path[4200];
	struct buf names = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/out.html", dir);
	cr_assert_eq(buf_write_file(path, "<p>hi</p>", 9), 0);
	cr_assert_eq(buf_write_file(path, "<p>again</p>", 12), 0);
	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries: %s", names.ptr);
	cr_assert_str_eq(names.ptr, "out.html");
	buf_release(&names);
	S_rmtree(dir);
}

Test(buf, write_file_into_missing_directory_fails_with_errno)
{
	char dir[4096], path[4200];
	struct buf names = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/no/such/dir/f.txt", dir);
	errno = 0;
	cr_assert_eq(buf_write_file(path, "x", 1), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(S_dir_entries(dir, &names), 0, "entries: %s", names.ptr);
	buf_release(&names);
	S_rmtree(dir);
}

Test(buf, write_file_failure_leaves_nothing_behind)
{
	/* The rename fails because the target is a directory; the temporary must go. */
	char dir[4096], path[4200];
	struct buf names = BUF_INIT;
	S_mktemp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/target", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	errno = 0;
	cr_assert_eq(buf_write_file(path, "data", 4), -1);
	cr_assert_neq(errno, 0);
	cr_assert_eq(S_dir_entries(dir, &names), 1, "entries: %s", names.ptr);
	cr_assert_str_eq(names.ptr, "target");
	buf_release(&names);
	S_rmtree(dir);
}
