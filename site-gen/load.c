/* load.c - reading content/ and theme/ from disk, in parallel where it pays. */
#include "load.h"
#include "index.h"
#include "parallel.h"
#include "tmpl.h"
#include "tv.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct article *load_article_new(struct site *site, const char *rel)
{
	size_t n = strlen(rel);
	const char *slash = strchr(rel, '/');
	if (!slash || !util_has_suffix(rel, n, ".md"))
		return NULL;
	int l = locale_from_code(rel, (size_t)(slash - rel));
	if (l < 0)
		return NULL;
	struct article *a = xcalloc(1, sizeof(*a));
	struct buf p = BUF_INIT;
	buf_addf(&p, "%s/%s", site->content_dir, rel);
	a->path = buf_detach(&p, NULL);
	a->rel = xstrdup(rel);
	a->locale = (enum locale)l;
	const char *base = strrchr(rel, '/') + 1;
	a->slug = xstrndup(base, strlen(base) - 3);
	buf_init(&a->src);
	buf_init(&a->err);
	return a;
}

void load_article_free(struct article *a)
{
	if (!a)
		return;
	free(a->path);
	free(a->rel);
	free(a->slug);
	free(a->url);
	buf_release(&a->src);
	buf_release(&a->err);
	fm_release(&a->fm);
	md_doc_release(&a->doc);
	for (size_t i = 0; i < a->nrefs; i++)
		free(a->refs[i].id);
	free(a->refs);
	free(a);
}

int load_article(struct site *site, struct article *a)
{
	struct stat st;
	(void)site;
	buf_reset(&a->src);
	buf_reset(&a->err);
	fm_release(&a->fm);
	a->fm_ok = 0;
	if (stat(a->path, &st) < 0 || buf_read_file(&a->src, a->path) < 0) {
		buf_addf(&a->err, "%s: %s\n", a->path, strerror(errno));
		a->err_load = a->err.len;
		return -1;
	}
	a->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (!fm_valid_slug(a->slug, strlen(a->slug)))
		buf_addf(&a->err,
		         "%s:1: the file name must be a slug: lower-case letters, digits and '-', "
		         "ending in .md\n",
		         a->path);
	a->fm_ok = fm_parse(&a->fm, a->path, a->src.ptr, a->src.len, &a->err) == 0;
	a->err_load = a->err.len;
	a->dirty = 1;
	return 0;
}

/* Collect rel paths of *.md files below dir (relative path prefix rel). */
static void S_scan(struct site *site, const char *rel, char ***out, size_t *n, size_t *cap)
{
	struct buf dir = BUF_INIT, sub = BUF_INIT;
	buf_addf(&dir, "%s/%s", site->content_dir, rel);
	DIR *d = opendir(dir.ptr);
	struct dirent *de;
	if (!d) {
		buf_addf(&site->err, "%s: %s\n", dir.ptr, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		if (name[0] == '.' || name[0] == '_' || name[len - 1] == '~' || name[0] == '#')
			continue;
		buf_reset(&sub);
		buf_addf(&sub, "%s/%s", rel, name);
		int is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			struct stat st;
			struct buf full = BUF_INIT;
			buf_addf(&full, "%s/%s", site->content_dir, sub.ptr);
			is_dir = stat(full.ptr, &st) == 0 && S_ISDIR(st.st_mode);
			buf_release(&full);
		}
		if (is_dir) {
			S_scan(site, sub.ptr, out, n, cap);
		} else if (util_has_suffix(name, len, ".md")) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 256;
				*out = xrealloc(*out, *cap * sizeof(**out));
			}
			(*out)[(*n)++] = xstrndup(sub.ptr, sub.len);
		}
	}
	closedir(d);
out:
	buf_release(&dir);
	buf_release(&sub);
}

static int S_cmp_rel(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void S_load_one(void *ctx, size_t i)
{
	struct site *site = ctx;
	load_article(site, site->all[i]);
}

int load_theme(struct site *site)
{
	theme_release(&site->theme);
	return theme_load(&site->theme, site->theme_dir, site->content_dir, site->base_url,
	                  &site->err);
}

int load_site(struct site *site)
{
	char **rels = NULL;
	size_t n = 0, cap = 0;

	load_theme(site);
	for (int l = 0; l < LOCALE__MAX; l++)
		S_scan(site, locale_info[l].code, &rels, &n, &cap);
	qsort(rels, n, sizeof(*rels), S_cmp_rel);
	site->all = xcalloc(n, sizeof(*site->all));
	for (size_t i = 0; i < n; i++) {
		site->all[site->nall] = load_article_new(site, rels[i]);
		if (site->all[site->nall])
			site->nall++;
		free(rels[i]);
	}
	free(rels);
	parallel_for(site->threads, site->nall, S_load_one, site);
	return 0;
}

void load_release(struct site *site)
{
	for (size_t i = 0; i < site->nall; i++)
		load_article_free(site->all[i]);
	free(site->all);
	site->all = NULL;
	site->nall = 0;
	index_release(site);
	theme_release(&site->theme);
	buf_release(&site->err);
	buf_release(&site->warn);
}
