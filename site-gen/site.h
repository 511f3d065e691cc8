/* site.h - the help center as the generator holds it in memory: locales, categories, articles. */
#ifndef SITEGEN_SITE_H
#define SITEGEN_SITE_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "frontmatter.h"
#include "i18n.h"
#include "markdown.h"
#include "theme.h"

#define RELATED_MAX 5 /* related articles shown under an article */
#define HOME_TOP    5 /* articles per category on a home page */

struct article;

struct category {
	char *slug;         /* URL segment, same in every locale */
	char *title;        /* display name */
	char *description;  /* one sentence */
	char *icon;         /* icon name in the theme's sprite */
	long order;         /* position on the home page */
	int line;           /* line in categories.conf */
	char *url;          /* "/zh/login/" */
	struct article **a; /* published articles, by order then slug */
	size_t na;
};

/* A link to a #fragment, checked once every article's headings are known. */
struct anchor_ref {
	struct article *target; /* article whose heading is meant */
	char *id;               /* the fragment, percent-decoded */
	int line;               /* where the link is */
};

struct article {
	char *path; /* file as opened: "content/zh/login/forgot-password.md" */
	char *rel;  /* relative to the content directory: "zh/login/forgot-password.md" */
	enum locale locale;
	char *slug;                  /* file name without .md */
	char *url;                   /* "/zh/login/forgot-password/" */
	struct buf src;              /* file contents */
	struct fm fm;                /* front matter */
	int fm_ok;                   /* 1 if the front matter had no errors */
	long long mtime_ns;          /* modification time when read */
	struct category *cat;        /* NULL until indexed, or for an unknown category */
	struct article *prev, *next; /* neighbours in the category */
	struct article *translation; /* same slug in the other locale */
	size_t pos;                  /* index in its locale's list of published articles */
	struct article *related[RELATED_MAX];
	size_t nrelated;
	struct md_doc doc;       /* rendered body */
	struct anchor_ref *refs; /* #fragments this article links to */
	size_t nrefs;
	struct buf err;                 /* this article's problems, "path:line: message\n" */
	size_t err_load;                /* length of err after loading; the rest is redone */
	int dirty;                      /* source changed since its body was last rendered */
	int body_ok;                    /* body rendered without problems */
	unsigned long long body_hash;   /* hash of doc.html, taken when it is rendered */
	unsigned long long fingerprint; /* of everything its page shows; 0 = never written */
};

struct locale_site {
	struct category *cats; /* by order */
	size_t ncats;
	struct article **a; /* published articles of the locale, by category then order */
	size_t na;
};

struct site {
	char *content_dir;  /* "content" */
	char *theme_dir;    /* "theme" */
	char *out_dir;      /* "build/site" */
	char *search_db;    /* "build/search.db" */
	char *base_url;     /* "https://help.okpay.example", no trailing slash */
	int threads;        /* worker threads for the parallel phases */
	int quiet;          /* no progress line */
	int in_place;       /* pages replace files of the served site (watch mode), atomically */
	struct theme theme; /* templates, UI strings, asset URLs */
	struct locale_site loc[LOCALE__MAX];
	struct article **all; /* every Markdown file, drafts too, sorted by rel */
	size_t nall;
	struct buf err;  /* problems not tied to one article */
	struct buf warn; /* warnings */
};

#endif
