/* queue.h - a bounded queue of pointers handed from threads that accept to threads that work. */
#ifndef CGI_QUEUE_H
#define CGI_QUEUE_H

#include <pthread.h>
#include <stddef.h>

/*
 * First in, first out, at most cap items. Pushing never waits: a full queue refuses, so that
 * the caller can answer "busy" at once rather than hold its thread. Popping waits for an item,
 * or for the queue to be closed and empty. The queue holds the pointers, never what they point
 * to: whoever pops an item owns it.
 */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty; /* signalled on push and, to all, on close */
	void **items;            /* ring of cap slots */
	size_t cap;              /* most items at once */
	size_t head;             /* slot of the oldest item */
	size_t len;              /* items in the queue */
	int closed;              /* no more pushes; pops drain what is left */
};

/** Set up q for at most cap items (cap >= 1). Release with queue_release. */
void queue_init(struct queue *q, size_t cap);

/** Free what q holds (not the items: it must be empty, or their owner elsewhere). */
void queue_release(struct queue *q);

/** Add item at the tail: 0, or -1 (item stays the caller's) if q is full or closed. */
int queue_push(struct queue *q, void *item);

/**
 * Take the oldest item, waiting while q is empty and open. Returns the item, now the caller's,
 * or NULL once q is closed and empty.
 */
void *queue_pop(struct queue *q);

/** Refuse further pushes and wake every waiting pop; what is queued can still be popped. */
void queue_close(struct queue *q);

/** Items in q now (a snapshot: other threads may change it at once). */
size_t queue_len(struct queue *q);

#endif
