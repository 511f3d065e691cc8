/* build.h - full builds (into a temporary directory, then swapped in) and incremental rebuilds. */
#ifndef SITEGEN_BUILD_H
#define SITEGEN_BUILD_H

#include "site.h"

struct build_stats {
	size_t pages;    /* files written */
	size_t articles; /* article pages written */
	size_t errors;   /* problems reported */
	size_t warnings;
	long long ns; /* wall time */
};

/**
 * Load and render the whole site into a temporary directory beside site->out_dir and swap it in.
 * On any error nothing replaces the previous output: errors are printed, -1 returned.
 */
int build_full(struct site *site, struct build_stats *st);

/**
 * After the files named in rels (relative to the content directory) changed, were added or
 * removed: reload them, re-index, and rewrite in place only the pages whose content changed.
 * Pages of articles with errors keep their previous version. Returns 0, or -1 if errors remain.
 */
int build_incremental(struct site *site, char **rels, size_t n, struct build_stats *st);

/** Print site and article problems to stderr; returns how many error lines there were. */
size_t build_report(struct site *site, int warnings);

#endif
