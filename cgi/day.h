/* day.h - calendar days in China Standard Time, as history filters and statements use them. */
#ifndef CGI_DAY_H
#define CGI_DAY_H

#include <stddef.h>

struct buf;

/*
 * The product's days are China Standard Time (UTC+8, no daylight saving time), whatever the
 * language or where the user is: a day starts at 16:00 UTC of the day before and lasts
 * exactly 86400 seconds. Dates are proleptic Gregorian.
 */

/** Seconds in a day; CST has no daylight saving time, so every day has this many. */
#define DAY_SECONDS 86400LL

/** A calendar date. */
struct day {
	int y; /* 1970..9999 */
	int m; /* 1..12 */
	int d; /* 1..days in that month */
};

/**
 * Read the n bytes at s as a date typed into a filter: exactly "YYYY-MM-DD" in ASCII digits,
 * nothing around it, a real date (2026-02-29 is not, 2028-02-29 is) in the years 1970..9999.
 * Returns 0 with *out set, or -1 (out untouched).
 */
int day_parse(const char *s, size_t n, struct day *out);
/** Days in month m (1..12) of year y. */
int day_month_len(int y, int m);
/** Unix seconds at which day d starts (00:00 China Standard Time). */
long long day_start(const struct day *d);
/** The China Standard Time day containing unix time t (t >= 0). */
struct day day_of(long long t);
/** <0, 0, >0 as a is before, the same as, or after b. */
int day_cmp(const struct day *a, const struct day *b);
/** Append d as "YYYY-MM-DD". */
void day_format(struct buf *b, const struct day *d);
/** Append unix time t as "YYYY-MM-DD HH:MM" in China Standard Time. */
void day_format_time(struct buf *b, long long t);

#endif
