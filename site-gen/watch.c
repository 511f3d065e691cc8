/* watch.c - the writers' loop: inotify events, a short debounce, then the smallest rebuild. */
#include "watch.h"
#include "build.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define DEBOUNCE_MS 15 /* editors write a file in several steps; wait for the last */
#define MASK        (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)

struct watch {
	int fd;
	char **dirs; /* by watch descriptor */
	size_t ndirs;
};

static void S_add(struct watch *w, const char *dir)
{
	int wd = inotify_add_watch(w->fd, dir, MASK | IN_ONLYDIR);
	if (wd < 0) {
		fprintf(stderr, "site-gen: cannot watch %s: %s\n", dir, strerror(errno));
		return;
	}
	if ((size_t)wd >= w->ndirs) {
		w->dirs = xrealloc(w->dirs, ((size_t)wd + 1) * sizeof(*w->dirs));
		for (size_t i = w->ndirs; i <= (size_t)wd; i++)
			w->dirs[i] = NULL;
		w->ndirs = (size_t)wd + 1;
	}
	free(w->dirs[wd]);
	w->dirs[wd] = xstrdup(dir);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		struct buf sub = BUF_INIT;
		buf_addf(&sub, "%s/%s", dir, de->d_name);
		S_add(w, sub.ptr);
		buf_release(&sub);
	}
	if (d)
		closedir(d);
}

/* Read pending events; adds the changed paths to list. */
static void S_drain(struct watch *w, char ***list, size_t *n)
{
	char ev[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len = read(w->fd, ev, sizeof(ev));
	for (char *p = ev; len > 0 && p < ev + len;) {
		struct inotify_event *e = (struct inotify_event *)p;
		p += sizeof(*e) + e->len;
		if (e->wd < 0 || (size_t)e->wd >= w->ndirs || !w->dirs[e->wd] || !e->len)
			continue;
		struct buf path = BUF_INIT;
		buf_addf(&path, "%s/%s", w->dirs[e->wd], e->name);
		if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO)))
			S_add(w, path.ptr);
		if (e->name[0] == '.' || util_has_suffix(e->name, strlen(e->name), "~") ||
		    (e->mask & IN_ISDIR) || ((e->mask & IN_CREATE) && !(e->mask & IN_MOVED_TO))) {
			buf_release(&path);
			continue;
		}
		size_t i = 0;
		while (i < *n && strcmp((*list)[i], path.ptr) != 0)
			i++;
		if (i == *n) {
			*list = xrealloc(*list, (*n + 1) * sizeof(**list));
			(*list)[(*n)++] = buf_detach(&path, NULL);
		}
		buf_release(&path);
	}
}

static void S_report(const char *what, const struct build_stats *st)
{
	if (st->errors)
		printf("site-gen: %s: %zu error%s, previous pages kept (%.1f ms)\n", what,
		       st->errors, st->errors == 1 ? "" : "s", st->ns / 1e6);
	else
		printf("site-gen: %s: rebuilt %zu article page%s in %.1f ms\n", what, st->articles,
		       st->articles == 1 ? "" : "s", st->ns / 1e6);
	fflush(stdout);
}

int watch_run(struct site *site)
{
	struct watch w = {0};
	struct build_stats st;
	size_t clen = strlen(site->content_dir);

	setvbuf(stdout, NULL, _IOLBF, 0);
	w.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w.fd < 0) {
		fprintf(stderr, "site-gen: inotify: %s\n", strerror(errno));
		return -1;
	}
	S_add(&w, site->content_dir);
	S_add(&w, site->theme_dir);
	int ok = build_full(site, &st) == 0;
	S_report("full build", &st);
	printf("site-gen: watching %s and %s\n", site->content_dir, site->theme_dir);

	for (;;) {
		struct pollfd pfd = {.fd = w.fd, .events = POLLIN};
		char **list = NULL;
		size_t n = 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -1;
		do
			S_drain(&w, &list, &n);
		while (poll(&pfd, 1, DEBOUNCE_MS) > 0);

		int full = !ok;
		char **rels = xcalloc(n + 1, sizeof(*rels));
		size_t nrels = 0;
		for (size_t i = 0; i < n; i++) {
			const char *p = list[i];
			size_t len = strlen(p);
			if (strncmp(p, site->content_dir, clen) == 0 && p[clen] == '/' &&
			    util_has_suffix(p, len, ".md"))
				rels[nrels++] = xstrdup(p + clen + 1);
			else if (util_has_suffix(p, len, ".conf") ||
			         strncmp(p, site->theme_dir, strlen(site->theme_dir)) == 0)
				full = 1;
		}
		if (full) {
			ok = build_full(site, &st) == 0;
			S_report("full build", &st);
		} else if (nrels) {
			build_incremental(site, rels, nrels, &st);
			S_report(rels[0], &st);
		}
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		for (size_t i = 0; i < nrels; i++)
			free(rels[i]);
		free(list);
		free(rels);
	}
}
