/* searchidx.h - the search index of a built site (lib/search.h), written after its pages. */
#ifndef SITE_GEN_SEARCHIDX_H
#define SITE_GEN_SEARCHIDX_H

#include "site.h"

/**
 * Write the index of every published article of site, both locales, to site->search_db
 * (a new file renamed into place: readers see the old or the new index). Problems are
 * appended to site->err. Returns 0 or -1.
 */
int searchidx_write(struct site *site);

/** Append the text of rendered HTML without its tags, entities decoded, blocks on new lines. */
void searchidx_text(struct buf *out, const char *html, size_t n);

#endif
