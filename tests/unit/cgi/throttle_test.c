/* throttle_test.c - the waits after failed logins: none, then 1, 2, 4, 8, at most 15 minutes. */
#include <criterion/criterion.h>

#include "throttle.h"

Test(throttle, no_wait_for_the_first_four_failures)
{
	for (int n = 0; n < THROTTLE_FREE; n++)
		cr_assert_eq(throttle_wait(n, 1000, 1000), 0, "after %d failures", n);
}

Test(throttle, waits_double_from_one_minute)
{
	cr_assert_eq(throttle_wait(5, 1000, 1000), 60);
	cr_assert_eq(throttle_wait(6, 1000, 1000), 120);
	cr_assert_eq(throttle_wait(7, 1000, 1000), 240);
	cr_assert_eq(throttle_wait(8, 1000, 1000), 480);
}

Test(throttle, waits_stop_growing_at_fifteen_minutes)
{
	cr_assert_eq(throttle_wait(9, 1000, 1000), 900);
	cr_assert_eq(throttle_wait(50, 1000, 1000), 900);
	cr_assert_eq(throttle_wait(1 << 30, 1000, 1000), 900, "no overflow for huge counts");
}

Test(throttle, the_wait_runs_from_the_last_failure)
{
	cr_assert_eq(throttle_wait(5, 1000, 1030), 30);
	cr_assert_eq(throttle_wait(5, 1000, 1060), 0);
	cr_assert_eq(throttle_wait(5, 1000, 5000), 0);
	cr_assert_eq(throttle_wait(6, 1000, 1119), 1);
}
