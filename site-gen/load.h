/* load.h - read the content tree: UI strings, categories, templates, assets and articles. */
#ifndef SITEGEN_LOAD_H
#define SITEGEN_LOAD_H

#include "site.h"

/**
 * Load everything under site->content_dir and site->theme_dir into site (whose directory
 * fields and threads are set). Problems go to site->err or the articles' err buffers.
 * Returns 0, or -1 if something could not be read at all.
 */
int load_site(struct site *site);

/** (Re-)read one article's file and front matter. Returns 0, -1 if the file is gone. */
int load_article(struct site *site, struct article *a);

/** New article for rel (relative to the content directory), not yet read; NULL if rel is not an
 * article path. */
struct article *load_article_new(struct site *site, const char *rel);
void load_article_free(struct article *a);

/** Free everything load_site and the index put into site (not the directory strings). */
void load_release(struct site *site);

/** Read the theme's templates and assets again (after an edit in watch mode). */
int load_theme(struct site *site);

#endif
