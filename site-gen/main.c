/* main.c - site-gen: render the help center's Markdown into a static site. */
#include "build.h"
#include "load.h"
#include "markdown.h"
#include "util.h"
#include "watch.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void S_usage(FILE *f)
{
	fputs(
	    "usage: site-gen [options]\n"
	    "Render content/ (Markdown) with theme/ (templates, assets) into a static site.\n"
	    "\n"
	    "  --content DIR    Markdown, categories.conf and ui.conf (default: content)\n"
	    "  --theme DIR      templates/ and assets/ (default: theme)\n"
	    "  --out DIR        output directory, replaced whole on success (default: build/site)\n"
	    "  --search-db PATH the search index of the articles, replaced whole on success\n"
	    "                   (default: search.db beside the output directory)\n"
	    "  --base-url URL   absolute address of the site for canonical links, feeds and the\n"
	    "                   sitemap (default: $OKPAY_BASE_URL or http://127.0.0.1:8080)\n"
	    "  --jobs N         render threads (default: number of processors)\n"
	    "  --watch          build, then rebuild on every change until interrupted\n"
	    "  --quiet          no progress line\n"
	    "  --help           this text\n"
	    "\n"
	    "Errors are printed as path:line: message; the exit status is 1 if there were any,\n"
	    "and the previous output is then left untouched.\n",
	    f);
}

static int S_valid_base(const char *u)
{
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return 0;
	for (const char *p = u; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == 0x7f)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"content", required_argument, NULL, 'c'},
	    {"theme", required_argument, NULL, 't'},
	    {"out", required_argument, NULL, 'o'},
	    {"base-url", required_argument, NULL, 'b'},
	    {"search-db", required_argument, NULL, 's'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"watch", no_argument, NULL, 'w'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct site site = {0};
	const char *base = getenv("OKPAY_BASE_URL");
	int watch = 0, c;

	util_set_progname(argv[0]);
	buf_init(&site.err);
	buf_init(&site.warn);
	site.content_dir = xstrdup("content");
	site.theme_dir = xstrdup("theme");
	site.out_dir = xstrdup("build/site");
	site.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	site.quiet = !isatty(2);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			free(site.content_dir);
			site.content_dir = xstrdup(optarg);
			break;
		case 't':
			free(site.theme_dir);
			site.theme_dir = xstrdup(optarg);
			break;
		case 'o':
			free(site.out_dir);
			free(site.search_db);
			site.out_dir = xstrdup(optarg);
			break;
		case 'b':
			base = optarg;
			break;
		case 's':
			free(site.search_db);
			site.search_db = xstrdup(optarg);
			break;
		case 'j':
			site.threads = atoi(optarg);
			if (site.threads < 1 || site.threads > 64)
				die("--jobs takes a number from 1 to 64");
			break;
		case 'w':
			watch = 1;
			break;
		case 'q':
			site.quiet = 1;
			break;
		case 'h':
			S_usage(stdout);
			return 0;
		default:
			S_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		S_usage(stderr);
		return 2;
	}
	if (!base || !*base)
		base = "http://127.0.0.1:8080";
	if (!S_valid_base(base))
		die("base URL must start with http:// or https:// and contain no spaces or quotes: "
		    "%s",
		    base);
	site.base_url = xstrdup(base);
	size_t bl = strlen(site.base_url);
	while (bl > 0 && site.base_url[bl - 1] == '/')
		site.base_url[--bl] = '\0';
	for (char **d = (char *[]){site.content_dir, site.theme_dir, site.out_dir, NULL}; *d; d++) {
		size_t n = strlen(*d);
		while (n > 1 && (*d)[n - 1] == '/')
			(*d)[--n] = '\0';
	}
	if (site.threads < 1)
		site.threads = 1;
	if (!site.search_db) {
		/* Beside the site, not in it: the index is the portal's, not the CDN's. */
		const char *slash = strrchr(site.out_dir, '/');
		struct buf db = BUF_INIT;
		if (slash)
			buf_add(&db, site.out_dir, (size_t)(slash - site.out_dir) + 1);
		buf_adds(&db, "search.db");
		site.search_db = buf_detach(&db, NULL);
	}

	md_init();
	if (watch)
		return watch_run(&site) == 0 ? 0 : 1;

	struct build_stats st;
	int rc = build_full(&site, &st);
	if (rc == 0)
		fprintf(stderr, "site-gen: %zu pages (%zu articles) in %.2f s, %zu warning%s\n",
		        st.pages, st.articles, st.ns / 1e9, st.warnings,
		        st.warnings == 1 ? "" : "s");
	else
		fprintf(stderr, "site-gen: %zu error%s; %s left as it was\n", st.errors,
		        st.errors == 1 ? "" : "s", site.out_dir);
	load_release(&site);
	free(site.content_dir);
	free(site.theme_dir);
	free(site.out_dir);
	free(site.search_db);
	free(site.base_url);
	return rc == 0 ? 0 : 1;
}
