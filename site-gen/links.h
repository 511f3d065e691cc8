/* links.h - check every link of an article and rewrite .md paths to page URLs. */
#ifndef SITEGEN_LINKS_H
#define SITEGEN_LINKS_H

#include "site.h"

struct buf;

struct links_ctx {
	struct site *site;
	struct article *a; /* the article whose links are resolved */
};

/**
 * md_resolve_fn for articles (ctx is a struct links_ctx). Accepts http(s) and mailto URLs,
 * portal paths (/zh/account/..., /zh/support/..., /zh/feedback, /zh/search), pages the
 * generator writes, #fragments, relative paths to .md files (rewritten to their page URL),
 * and relative paths to images that exist. #fragments are recorded in the article's refs.
 */
int links_resolve(void *ctx, const char *url, int image, int line, struct buf *out,
                  struct buf *err);

/** After every article is rendered: report refs to headings that do not exist. */
void links_check_anchors(struct site *site, struct article *a);

/** 1 if path (n bytes) is served by the portal rather than by static files. */
int links_is_portal(const char *path, size_t n);

/** 1 if name ends in an image extension the site copies (.png .jpg .jpeg .gif .svg .webp). */
int links_is_image(const char *name);

#endif
