/* build.c - the build pipeline: load, index, render in parallel, check anchors, write, swap. */
#include "build.h"
#include "searchidx.h"
#include "index.h"
#include "links.h"
#include "load.h"
#include "pages.h"
#include "parallel.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files of the spare tree older than this were not written by the current build. */
static struct timespec prune_before;

static int S_prune(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F || flag == FTW_SL) {
		if (st->st_mtim.tv_sec < prune_before.tv_sec ||
		    (st->st_mtim.tv_sec == prune_before.tv_sec &&
		     st->st_mtim.tv_nsec < prune_before.tv_nsec))
			unlink(path);
	} else if (flag == FTW_DP && ftw->level > 0) {
		rmdir(path); /* only succeeds once it is empty */
	}
	return 0;
}

static size_t S_count_lines(const struct buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->ptr[i] == '\n';
	return n;
}

static size_t S_errors(const struct site *site)
{
	size_t n = S_count_lines(&site->err);
	for (size_t i = 0; i < site->nall; i++)
		n += S_count_lines(&site->all[i]->err);
	return n;
}

size_t build_report(struct site *site, int warnings)
{
	fputs(site->err.ptr, stderr);
	for (size_t i = 0; i < site->nall; i++)
		fputs(site->all[i]->err.ptr, stderr);
	if (warnings)
		fputs(site->warn.ptr, stderr);
	return S_errors(site);
}

/* Work shared by the render threads. */
struct render_job {
	struct site *site;
	struct article **list; /* articles to render */
	size_t n;
	const char *dir; /* where pages go */
	int force;       /* write even if the fingerprint is unchanged */
	atomic_size_t done;
	atomic_size_t written;
	int progress; /* print a progress line (stderr is a terminal) */
};

static void S_render_one(void *ctx, size_t i)
{
	struct render_job *job = ctx;
	struct article *a = job->list[i];
	struct buf page = BUF_INIT;

	if (a->dirty || !a->body_ok) {
		a->body_ok = pages_render_body(job->site, a) == 0;
		a->body_hash = util_hash64(a->doc.html.ptr, a->doc.html.len);
		a->dirty = 0;
	}
	if (a->body_ok) {
		unsigned long long fp = pages_fingerprint(job->site, a);
		if (job->force || fp != a->fingerprint) {
			if (pages_article(job->site, a, &page, &a->err) == 0 &&
			    pages_write(job->dir, a->url, &page, job->site->in_place, &a->err) ==
			        0) {
				a->fingerprint = fp;
				atomic_fetch_add(&job->written, 1);
			}
		}
	}
	buf_release(&page);
	size_t done = atomic_fetch_add(&job->done, 1) + 1;
	if (job->progress && (done % 500 == 0 || done == job->n))
		fprintf(stderr, "\rsite-gen: rendering %zu/%zu articles", done, job->n);
}

/* Render every published article (both locales) into dir; returns pages written. */
static size_t S_render_articles(struct site *site, const char *dir, int force, int progress)
{
	struct render_job job = {.site = site, .dir = dir, .force = force};
	size_t total = 0;
	for (int l = 0; l < LOCALE__MAX; l++)
		total += site->loc[l].na;
	job.list = xcalloc(total + 1, sizeof(*job.list));
	for (int l = 0; l < LOCALE__MAX; l++)
		for (size_t i = 0; i < site->loc[l].na; i++)
			job.list[job.n++] = site->loc[l].a[i];
	job.progress = progress && job.n >= 1000;
	atomic_init(&job.done, 0);
	atomic_init(&job.written, 0);
	parallel_for(site->threads, job.n, S_render_one, &job);
	if (job.progress)
		fputc('\n', stderr);
	for (size_t i = 0; i < job.n; i++)
		links_check_anchors(site, job.list[i]);
	free(job.list);
	return atomic_load(&job.written);
}

static int S_copy_file(const char *from, const char *to, struct buf *err)
{
	struct buf data = BUF_INIT;
	int rc = -1;
	if (buf_read_file(&data, from) < 0)
		buf_addf(err, "%s: %s\n", from, strerror(errno));
	else if (buf_write_file(to, data.ptr, data.len) < 0)
		buf_addf(err, "%s: %s\n", to, strerror(errno));
	else
		rc = 0;
	buf_release(&data);
	return rc;
}

static int S_copy_assets(struct site *site, const char *dir)
{
	const char *names[] = {"site.css", "site.js", "icons.svg", "favicon.svg"};
	const char *urls[] = {site->theme.css, site->theme.js, site->theme.icons,
	                      site->theme.favicon};
	struct buf from = BUF_INIT, to = BUF_INIT;
	int rc = 0;
	buf_addf(&to, "%s/assets", dir);
	mkdir(to.ptr, 0755);
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		buf_reset(&from);
		buf_reset(&to);
		buf_addf(&from, "%s/assets/%s", site->theme_dir, names[i]);
		buf_addf(&to, "%s%s", dir, urls[i]);
		if (S_copy_file(from.ptr, to.ptr, &site->err) < 0)
			rc = -1;
	}
	buf_release(&from);
	buf_release(&to);
	return rc;
}

/* Images next to the articles are published at the same path. */
static int S_copy_images(struct site *site, const char *rel, const char *dir)
{
	struct buf src = BUF_INIT, dst = BUF_INIT, sub = BUF_INIT;
	int rc = 0;
	buf_addf(&src, "%s/%s", site->content_dir, rel);
	DIR *d = opendir(src.ptr);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&sub);
		buf_addf(&sub, "%s/%s", rel, de->d_name);
		if (de->d_type == DT_DIR) {
			rc |= S_copy_images(site, sub.ptr, dir);
		} else if (links_is_image(de->d_name)) {
			struct buf from = BUF_INIT, page = BUF_INIT;
			buf_addf(&from, "%s/%s", site->content_dir, sub.ptr);
			if (buf_read_file(&page, from.ptr) < 0) {
				buf_addf(&site->err, "%s: %s\n", from.ptr, strerror(errno));
				rc = -1;
			} else {
				buf_reset(&dst);
				buf_addf(&dst, "/%s", sub.ptr);
				rc |= pages_write(dir, dst.ptr, &page, 0, &site->err);
			}
			buf_release(&from);
			buf_release(&page);
		}
	}
	if (d)
		closedir(d);
	buf_release(&src);
	buf_release(&dst);
	buf_release(&sub);
	return rc;
}

static int S_swap(const char *tmp, const char *out, struct buf *err)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno == ENOENT && rename(tmp, out) == 0)
		return 0;
	buf_addf(err, "%s: cannot replace it with %s: %s\n", out, tmp, strerror(errno));
	return -1;
}

static void S_mkdir_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	free(p);
}

int build_full(struct site *site, struct build_stats *st)
{
	long long t0 = util_now_ns();
	struct buf tmp = BUF_INIT, stamp = BUF_INIT;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	site->in_place = 0;
	load_release(site);
	load_site(site);
	long long t_load = util_now_ns();
	index_site(site);
	long long t_index = util_now_ns();

	/*
	 * The new site is written into a spare tree (the one replaced by the previous build) and
	 * swapped in whole. Overwriting its files in place is much cheaper than creating and
	 * deleting ten thousand files and directories each time; what this build did not write
	 * (its files are older than the stamp) is pruned before the swap.
	 */
	buf_addf(&tmp, "%s.spare", site->out_dir);
	S_mkdir_parents(tmp.ptr);
	if (mkdir(tmp.ptr, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "site-gen: %s: %s\n", tmp.ptr, strerror(errno));
		goto out;
	}
	buf_addf(&stamp, "%s/.stamp", tmp.ptr);
	int fd = open(stamp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct stat sst;
	if (fd < 0 || write(fd, "x", 1) != 1 || fstat(fd, &sst) < 0) {
		fprintf(stderr, "site-gen: %s: %s\n", stamp.ptr, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	prune_before = sst.st_mtim;
	st->articles = S_render_articles(site, tmp.ptr, 1, !site->quiet);
	long long t_render = util_now_ns();
	if (S_errors(site) == 0) {
		pages_write_others(site, tmp.ptr);
		S_copy_assets(site, tmp.ptr);
		for (int l = 0; l < LOCALE__MAX; l++)
			S_copy_images(site, locale_info[l].code, tmp.ptr);
	}
	long long t_others = util_now_ns();
	if (S_errors(site) == 0) {
		nftw(tmp.ptr, S_prune, 16, FTW_DEPTH | FTW_PHYS);
		unlink(stamp.ptr);
		if (S_swap(tmp.ptr, site->out_dir, &site->err) == 0)
			searchidx_write(site);
	}
	if (getenv("SITE_GEN_TIMING"))
		fprintf(
		    stderr,
		    "site-gen: load %.0f ms, index %.0f ms, render %.0f ms, other pages %.0f ms, "
		    "swap %.0f ms\n",
		    (t_load - t0) / 1e6, (t_index - t_load) / 1e6, (t_render - t_index) / 1e6,
		    (t_others - t_render) / 1e6, (util_now_ns() - t_others) / 1e6);
	st->errors = build_report(site, 1);
	st->warnings = S_count_lines(&site->warn);
	if (st->errors)
		goto out;
	rc = 0;
out:
	st->pages = st->articles + 2 * LOCALE__MAX + 4;
	for (int l = 0; l < LOCALE__MAX; l++)
		st->pages += site->loc[l].ncats + 1;
	st->ns = util_now_ns() - t0;
	buf_release(&tmp);
	buf_release(&stamp);
	return rc;
}

/* What index_site reads of an article: its place, order, tags, visibility and aliases. */
static void S_shape(const struct article *a, struct buf *out)
{
	buf_addf(out, "%d|%s|%ld|%d|", a->fm_ok, a->fm.category ? a->fm.category : "", a->fm.order,
	         a->fm.draft);
	for (size_t i = 0; i < a->fm.ntags; i++)
		buf_addf(out, "%s,", a->fm.tags[i]);
	buf_addc(out, '|');
	for (size_t i = 0; i < a->fm.naliases; i++)
		buf_addf(out, "%s,", a->fm.aliases[i]);
	buf_addc(out, '\n');
}

static int S_cmp_article_rel(const void *x, const void *y)
{
	return strcmp((*(struct article *const *)x)->rel, (*(struct article *const *)y)->rel);
}

/* The page file of an article that is no longer published goes away. */
static void S_remove_page(const char *dir, const char *url)
{
	struct buf p = BUF_INIT;
	buf_addf(&p, "%s%sindex.html", dir, url);
	unlink(p.ptr);
	buf_truncate(&p, p.len - strlen("index.html"));
	rmdir(p.ptr);
	buf_release(&p);
}

int build_incremental(struct site *site, char **rels, size_t n, struct build_stats *st)
{
	long long t0 = util_now_ns();
	int moved = 0, reindex = 0, sitemap = 0;
	struct article **changed = xcalloc(n + 1, sizeof(*changed));
	char **before = xcalloc(n + 1, sizeof(*before));
	char **gone = xcalloc(n + 1, sizeof(*gone));
	size_t nchanged = 0, ngone = 0;

	memset(st, 0, sizeof(*st));
	for (size_t k = 0; k < n; k++) {
		struct article *a = index_by_rel(site, rels[k]);
		if (!a) {
			a = load_article_new(site, rels[k]);
			if (!a)
				continue;
			site->all = xrealloc(site->all, (site->nall + 1) * sizeof(*site->all));
			site->all[site->nall++] = a;
			qsort(site->all, site->nall, sizeof(*site->all), S_cmp_article_rel);
			moved = 1;
		}
		char *prev = index_published(a) ? xstrdup(a->url) : NULL;
		char updated[sizeof(a->fm.updated)];
		memcpy(updated, a->fm.updated, sizeof(updated));
		struct buf shape = BUF_INIT;
		S_shape(a, &shape);
		if (load_article(site, a) < 0) {
			/* Deleted: drop it from the model, and its page from the site. */
			if (prev)
				gone[ngone++] = prev;
			size_t i = 0;
			while (site->all[i] != a)
				i++;
			memmove(&site->all[i], &site->all[i + 1],
			        (site->nall - i - 1) * sizeof(*site->all));
			site->nall--;
			load_article_free(a);
			moved = 1;
			buf_release(&shape);
			continue;
		}
		/* Only what places an article in the site needs a new index; text edits do not. */
		size_t len = shape.len;
		S_shape(a, &shape);
		if (!prev || len * 2 != shape.len || memcmp(shape.ptr, shape.ptr + len, len) != 0)
			reindex = 1;
		if (strcmp(updated, a->fm.updated) != 0)
			sitemap = 1;
		buf_release(&shape);
		changed[nchanged] = a;
		before[nchanged++] = prev;
	}

	site->in_place = 1;
	if (reindex || moved) {
		/* Addresses as indexed before, to remove the pages of articles that moved away. */
		size_t nold = 0;
		char **old = xcalloc(site->nall + 1, sizeof(*old));
		char **old_rel = xcalloc(site->nall + 1, sizeof(*old_rel));
		for (size_t i = 0; i < site->nall; i++)
			if (site->all[i]->url && site->all[i]->cat) {
				old_rel[nold] = xstrdup(site->all[i]->rel);
				old[nold++] = xstrdup(site->all[i]->url);
			}
		buf_reset(&site->err);
		buf_reset(&site->warn);
		index_site(site);
		for (size_t k = 0; k < nchanged; k++) {
			const char *now = index_published(changed[k]) ? changed[k]->url : NULL;
			if (!before[k] != !now || (now && strcmp(before[k], now) != 0))
				moved = 1;
		}
		/* A page that moved changes the links to it in other bodies: render them again. */
		for (size_t i = 0; moved && i < site->nall; i++)
			site->all[i]->dirty = 1;
		st->articles = S_render_articles(site, site->out_dir, 0, 0);
		/* An article with errors keeps its old page until it is fixed. */
		for (size_t i = 0; i < nold; i++) {
			const struct article *a = index_by_rel(site, old_rel[i]);
			if (!(a && a->err.len > 0) && !index_by_url(site, old[i]))
				S_remove_page(site->out_dir, old[i]);
			free(old[i]);
			free(old_rel[i]);
		}
		free(old);
		free(old_rel);
	} else {
		st->articles = S_render_articles(site, site->out_dir, 0, 0);
	}
	for (size_t i = 0; i < ngone; i++) {
		S_remove_page(site->out_dir, gone[i]);
		free(gone[i]);
	}
	for (size_t k = 0; k < nchanged; k++)
		free(before[k]);
	free(before);
	free(gone);
	long long t_articles = util_now_ns();
	if (reindex || moved) {
		pages_write_others(site, site->out_dir);
	} else {
		for (size_t k = 0; k < nchanged; k++)
			if (index_published(changed[k]))
				pages_write_around(site, site->out_dir, changed[k], sitemap);
	}
	if (getenv("SITE_GEN_TIMING"))
		fprintf(stderr, "site-gen: %s, articles %.1f ms, other pages %.1f ms\n",
		        reindex || moved ? "re-indexed" : "same index", (t_articles - t0) / 1e6,
		        (util_now_ns() - t_articles) / 1e6);
	free(changed);
	if (site->err.len == 0 && S_errors(site) == 0)
		searchidx_write(site);
	st->errors = build_report(site, 0);
	st->warnings = S_count_lines(&site->warn);
	st->pages = st->articles;
	st->ns = util_now_ns() - t0;
	return st->errors ? -1 : 0;
}
