/* theme.h - the one look of help center and portal: templates, UI strings, assets, page frame. */
#ifndef OKPAY_THEME_H
#define OKPAY_THEME_H

#include "i18n.h"

struct buf;
struct tmpl_set;
struct tv;

struct theme {
	struct tmpl_set *tmpl; /* the templates of theme/templates */
	struct i18n ui;        /* content/ui.conf */
	/* Content-hashed asset URLs, such as "/assets/site.1a2b3c4d.css": */
	char *css, *js, *icons, *favicon;
	const char *base_url; /* "https://help.okpay.example", no trailing slash; borrowed */
};

/**
 * Load templates from theme_dir/templates, UI strings from content_dir/ui.conf and the asset
 * names from theme_dir/assets into t (zeroed by the caller). base_url is borrowed and must
 * outlive t. Problems go to err as "path:line: message\n"; returns 0 or -1 (t must still be
 * released).
 */
int theme_load(struct theme *t, const char *theme_dir, const char *content_dir,
               const char *base_url, struct buf *err);
void theme_release(struct theme *t);

/**
 * Public URL of theme_dir/assets/name with the first 8 hex digits of its content hash in the
 * name: "site.css" -> "/assets/site.1a2b3c4d.css". Caller frees; "" (malloc'd) if unreadable,
 * with a message in err.
 */
char *theme_asset_url(const char *theme_dir, const char *name, struct buf *err);

/* What the page frame (layout.html) needs to know about one page. */
struct theme_page {
	const char *kind;        /* body class and ids: home, article, login, ... */
	const char *title;       /* <title> and og:title */
	const char *description; /* meta description */
	const char *path;        /* canonical URL path, or NULL (portal pages, 404) */
	const char *other_path;  /* the same page in the other locale, or NULL */
	const char *switch_path; /* where the language switch leads */
	int hide_header_search;  /* the page has its own search box */
};

/**
 * New data tree for layout.html: locale, UI strings (as "t"), asset URLs, the site's fixed
 * URLs for locale l, page info, language switch and hreflang alternates. Caller frees with
 * tv_free; the caller may add "breadcrumbs", "jsonld" and more before theme_render.
 */
struct tv *theme_layout(const struct theme *t, enum locale l, const struct theme_page *p);

/**
 * Render template body_tmpl with body, put the result into layout as "content" and render
 * layout.html into out. Strict: a variable missing from the data is an error. Returns 0, or
 * -1 with "template:line: message\n" in err.
 */
int theme_render(const struct theme *t, struct tv *layout, const char *body_tmpl,
                 const struct tv *body, struct buf *out, struct buf *err);

/** Append base_url + path. */
void theme_abs_url(const struct theme *t, struct buf *out, const char *path);

#endif
