/* day_test.c - China Standard Time days: strict YYYY-MM-DD, real dates, day bounds. */
#include <criterion/criterion.h>

#include <string.h>

#include "buf.h"
#include "day.h"

static int S_parse(const char *s, struct day *d)
{
	return day_parse(s, strlen(s), d);
}

Test(day, parses_a_date)
{
	struct day d;
	cr_assert_eq(S_parse("2026-11-25", &d), 0);
	cr_assert_eq(d.y, 2026);
	cr_assert_eq(d.m, 11);
	cr_assert_eq(d.d, 25);
}

Test(day, leap_days_only_in_leap_years)
{
	struct day d;
	cr_assert_eq(S_parse("2028-02-29", &d), 0);
	cr_assert_eq(S_parse("2000-02-29", &d), 0);
	cr_assert_eq(S_parse("2026-02-29", &d), -1);
	cr_assert_eq(S_parse("2100-02-29", &d), -1);
}

Test(day, rejects_dates_that_do_not_exist)
{
	struct day d;
	cr_assert_eq(S_parse("2026-04-31", &d), -1);
	cr_assert_eq(S_parse("2026-13-01", &d), -1);
	cr_assert_eq(S_parse("2026-00-10", &d), -1);
	cr_assert_eq(S_parse("2026-01-00", &d), -1);
	cr_assert_eq(S_parse("2026-01-32", &d), -1);
	cr_assert_eq(S_parse("1969-12-31", &d), -1);
}

Test(day, rejects_other_spellings)
{
	struct day d;
	const char *bad[] = {"",           "2026-1-05",   "2026-01-5",   "26-01-05",
	                     "2026/01/05", "20260105",    " 2026-01-05", "2026-01-05 ",
	                     "2026-01-0a", "+026-01-05",  "2026-01-05x", "２０２６-01-05",
	                     "2026--1-05", "2026-01-05\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(S_parse(bad[i], &d), -1, "[%s]", bad[i]);
}

Test(day, never_reads_past_n)
{
	struct day d;
	cr_assert_eq(day_parse("2026-11-25", 9, &d), -1);
	cr_assert_eq(day_parse("2026-11-25XYZ", 10, &d), 0);
}

Test(day, day_starts_at_midnight_utc_plus_8)
{
	struct day d = {2026, 11, 25};
	/* 2026-11-25 00:00 UTC+8 is 2026-11-24 16:00 UTC. */
	cr_assert_eq(day_start(&d), 1795536000LL);
	struct day e = {1970, 1, 1};
	cr_assert_eq(day_start(&e), -8 * 3600LL);
}

Test(day, day_of_is_the_cst_date)
{
	/* 2026-11-24 15:59:59 UTC is still the 24th in CST; 16:00 UTC is the 25th. */
	struct day d = {2026, 11, 25};
	long long start = day_start(&d);
	struct day before = day_of(start - 1), at = day_of(start);
	cr_assert_eq(before.d, 24);
	cr_assert_eq(at.d, 25);
	cr_assert_eq(at.m, 11);
	cr_assert_eq(at.y, 2026);
}

Test(day, start_and_day_of_agree_over_many_years)
{
	for (int y = 1970; y <= 2400; y += 7)
		for (int m = 1; m <= 12; m++) {
			struct day d = {y, m, day_month_len(y, m)};
			long long t = day_start(&d);
			struct day r = day_of(t + DAY_SECONDS - 1);
			cr_assert_eq(day_cmp(&d, &r), 0, "%d-%d-%d", y, m, d.d);
			struct day next = day_of(t + DAY_SECONDS);
			cr_assert_eq(next.d, 1);
		}
}

Test(day, compares_dates)
{
	struct day a = {2026, 1, 31}, b = {2026, 2, 1}, c = {2025, 12, 31};
	cr_assert_lt(day_cmp(&a, &b), 0);
	cr_assert_gt(day_cmp(&a, &c), 0);
	cr_assert_eq(day_cmp(&a, &a), 0);
}

Test(day, formats_dates_and_times)
{
	struct buf b = BUF_INIT;
	struct day d = {2026, 3, 7};
	day_format(&b, &d);
	cr_assert_str_eq(b.ptr, "2026-03-07");
	buf_reset(&b);
	/* 2026-11-24 16:05 UTC is 2026-11-25 00:05 in CST. */
	struct day e = {2026, 11, 25};
	day_format_time(&b, day_start(&e) + 5 * 60);
	cr_assert_str_eq(b.ptr, "2026-11-25 00:05");
	buf_release(&b);
}
