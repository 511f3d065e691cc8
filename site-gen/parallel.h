/* parallel.h - run a function over 0..n-1 on a few threads. */
#ifndef SITEGEN_PARALLEL_H
#define SITEGEN_PARALLEL_H

#include <stddef.h>

/**
 * Call fn(ctx, i) for every i in [0, n) on up to threads threads (the caller's included);
 * items are handed out one at a time, so uneven items balance. Returns when all are done.
 */
void parallel_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
