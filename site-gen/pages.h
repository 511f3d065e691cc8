/* pages.h - turn the site model into HTML pages, feeds, the sitemap and redirect maps. */
#ifndef SITEGEN_PAGES_H
#define SITEGEN_PAGES_H

#include "site.h"

struct buf;

/**
 * Render the Markdown body of article a into a->doc (resolving links), then its page into out.
 * Problems are appended to a->err. Returns 0 or -1. Thread-safe for distinct articles.
 */
int pages_render_body(struct site *site, struct article *a);
/** Render article a's complete page (body already rendered) into out. -1 with a message in err. */
int pages_article(const struct site *site, const struct article *a, struct buf *out,
                  struct buf *err);
/** Fingerprint of everything article a's page shows; equal fingerprints mean an equal page. */
unsigned long long pages_fingerprint(const struct site *site, const struct article *a);

/**
 * Write every page that is not an article (home, category, contact and 404 pages, feeds,
 * sitemap.xml, robots.txt, redirect maps, alias stubs, the / redirect) below dir.
 * Files are replaced atomically when site->in_place is set. Returns 0, or -1 with messages in
 * site->err.
 */
int pages_write_others(struct site *site, const char *dir);

/**
 * After a text edit of article a that left the index as it was: rewrite the pages that list it
 * (its locale's home, its category page, its feed) and, if sitemap is set, the sitemap.
 */
int pages_write_around(struct site *site, const char *dir, const struct article *a, int sitemap);

/**
 * Write data to dir + url_path (a path such as "/zh/login/" gets "index.html"), creating
 * directories. in_place: replace the file atomically (a live site); else write it directly
 * (a fresh tree that nobody serves yet). -1 with a message in err on failure.
 */
int pages_write(const char *dir, const char *url_path, const struct buf *data, int in_place,
                struct buf *err);

#endif
