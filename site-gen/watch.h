/* watch.h - rebuild on every save (inotify), re-rendering only what changed. */
#ifndef SITEGEN_WATCH_H
#define SITEGEN_WATCH_H

#include "site.h"

/**
 * Build once, then watch site->content_dir and site->theme_dir until killed. An edited article
 * is rebuilt incrementally; an edited template, asset, ui.conf or categories.conf triggers a
 * full build. Prints one line per rebuild to stdout, problems to stderr. Returns only on a
 * setup error (-1).
 */
int watch_run(struct site *site);

#endif
