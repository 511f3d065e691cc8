/* queue.c - a bounded queue of pointers between threads (a ring under one mutex). */
#include "queue.h"
#include "util.h"

#include <stdlib.h>

void queue_init(struct queue *q, size_t cap)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	q->items = xcalloc(cap ? cap : 1, sizeof(*q->items));
	q->cap = cap ? cap : 1;
	q->head = 0;
	q->len = 0;
	q->closed = 0;
}

void queue_release(struct queue *q)
{
	free(q->items);
	q->items = NULL;
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
}

int queue_push(struct queue *q, void *item)
{
	int rc = -1;
	pthread_mutex_lock(&q->lock);
	if (q->closed || q->len == q->cap)
		goto out;
	q->items[(q->head + q->len) % q->cap] = item;
	q->len++;
	pthread_cond_signal(&q->nonempty);
	rc = 0;
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void *queue_pop(struct queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->lock);
	if (q->len) {
		item = q->items[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	pthread_mutex_unlock(&q->lock);
	return item;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_len(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
