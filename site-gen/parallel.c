/* parallel.c - a minimal work-sharing loop on pthreads with an atomic counter. */
#include "parallel.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>

struct job {
	atomic_size_t next; /* next item to hand out */
	size_t n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *S_worker(void *arg)
{
	struct job *j = arg;
	size_t i;
	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->fn(j->ctx, i);
	return NULL;
}

void parallel_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct job j = {.n = n, .fn = fn, .ctx = ctx};
	pthread_t tid[64];
	int started = 0;

	atomic_init(&j.next, 0);
	if (threads > 64)
		threads = 64;
	for (int t = 1; t < threads && (size_t)t < n; t++)
		if (pthread_create(&tid[started], NULL, S_worker, &j) == 0)
			started++;
	S_worker(&j);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
