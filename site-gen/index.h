/* index.h - connect what was loaded: categories, URLs, neighbours, translations, related articles.
 */
#ifndef SITEGEN_INDEX_H
#define SITEGEN_INDEX_H

#include "site.h"

/**
 * (Re)build every derived field of site from the loaded articles and categories.conf files.
 * Problems go to site->err, site->warn and the articles' err. Safe to call again after
 * articles were reloaded, added or removed. Returns 0 (problems are reported, not returned).
 */
int index_site(struct site *site);

/** Free what index_site allocated (categories and per-locale lists). */
void index_release(struct site *site);

/** Article whose path relative to the content directory is rel, or NULL (binary search). */
struct article *index_by_rel(const struct site *site, const char *rel);
/** Published article with this URL path, or NULL. */
struct article *index_by_url(const struct site *site, const char *url);
/** 1 if url (a path, without #fragment) is a page the generator writes. */
int index_is_page(const struct site *site, const char *url, size_t n);
/** Category of locale l by slug, or NULL. */
struct category *index_category(const struct site *site, enum locale l, const char *slug);
/** 1 if the article is published: parsed without errors and not a draft. */
int index_published(const struct article *a);

#endif
