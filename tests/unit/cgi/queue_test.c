/* queue_test.c - the bounded queue between the accepting threads and the hash threads. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#include "queue.h"

#define ITEM(n) ((void *)(uintptr_t)(n))

Test(queue, pops_in_the_order_pushed)
{
	struct queue q;
	queue_init(&q, 4);
	for (uintptr_t i = 1; i <= 3; i++)
		cr_assert_eq(queue_push(&q, ITEM(i)), 0);
	cr_assert_eq(queue_len(&q), 3);
	for (uintptr_t i = 1; i <= 3; i++)
		cr_assert_eq(queue_pop(&q), ITEM(i));
	cr_assert_eq(queue_len(&q), 0);
	queue_release(&q);
}

Test(queue, refuses_a_push_when_full)
{
	struct queue q;
	queue_init(&q, 2);
	cr_assert_eq(queue_push(&q, ITEM(1)), 0);
	cr_assert_eq(queue_push(&q, ITEM(2)), 0);
	cr_assert_eq(queue_push(&q, ITEM(3)), -1);
	cr_assert_eq(queue_len(&q), 2);
	cr_assert_eq(queue_pop(&q), ITEM(1));
	cr_assert_eq(queue_push(&q, ITEM(3)), 0, "room again after a pop");
	queue_release(&q);
}

Test(queue, wraps_around_the_ring)
{
	struct queue q;
	queue_init(&q, 3);
	for (uintptr_t i = 1; i <= 30; i++) {
		cr_assert_eq(queue_push(&q, ITEM(i)), 0);
		if (i % 2 == 0) {
			cr_assert_eq(queue_pop(&q), ITEM(i - 1));
			cr_assert_eq(queue_pop(&q), ITEM(i));
		}
	}
	cr_assert_eq(queue_len(&q), 0);
	queue_release(&q);
}

Test(queue, drains_after_close_then_pops_null)
{
	struct queue q;
	queue_init(&q, 4);
	cr_assert_eq(queue_push(&q, ITEM(1)), 0);
	cr_assert_eq(queue_push(&q, ITEM(2)), 0);
	queue_close(&q);
	cr_assert_eq(queue_push(&q, ITEM(3)), -1, "closed: no more pushes");
	cr_assert_eq(queue_pop(&q), ITEM(1));
	cr_assert_eq(queue_pop(&q), ITEM(2));
	cr_assert_null(queue_pop(&q));
	cr_assert_null(queue_pop(&q), "and again: a closed queue never blocks");
	queue_release(&q);
}

static void *S_pop_one(void *q)
{
	return queue_pop(q);
}

Test(queue, close_wakes_every_waiting_pop)
{
	struct queue q;
	pthread_t t[3];
	queue_init(&q, 1);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, S_pop_one, &q);
	queue_close(&q);
	for (int i = 0; i < 3; i++) {
		void *got = ITEM(1);
		pthread_join(t[i], &got);
		cr_assert_null(got);
	}
	queue_release(&q);
}

#define HANDED 10000

static void *S_sum(void *q)
{
	uintptr_t sum = 0;
	void *p;
	while ((p = queue_pop(q)) != NULL)
		sum += (uintptr_t)p;
	return (void *)sum;
}

Test(queue, hands_every_item_to_exactly_one_popper)
{
	struct queue q;
	pthread_t t[4];
	queue_init(&q, 8);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, S_sum, &q);
	for (uintptr_t i = 1; i <= HANDED; i++)
		while (queue_push(&q, ITEM(i)) < 0)
			sched_yield(); /* full: the poppers catch up */
	queue_close(&q);
	uintptr_t total = 0;
	for (int i = 0; i < 4; i++) {
		void *sum;
		pthread_join(t[i], &sum);
		total += (uintptr_t)sum;
	}
	cr_assert_eq(total, (uintptr_t)HANDED * (HANDED + 1) / 2);
	queue_release(&q);
}
