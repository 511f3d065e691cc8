/* day.c - calendar days in China Standard Time: strict parsing and day bounds. */
#include "day.h"
#include "buf.h"

#define CST_OFFSET (8 * 3600LL)

static int S_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int day_month_len(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && S_leap(y) ? 29 : len[m - 1];
}

/* n ASCII digits at s as a number, or -1. */
static int S_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int day_parse(const char *s, size_t n, struct day *out)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = S_digits(s, 4), m = S_digits(s + 5, 2), d = S_digits(s + 8, 2);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > day_month_len(y, m))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long long S_days(int y, int m, int d)
{
	y -= m <= 2;
	long long era = y / 400; /* y >= 0 here */
	long long yoe = y - era * 400;
	long long doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long day_start(const struct day *d)
{
	return S_days(d->y, d->m, d->d) * DAY_SECONDS - CST_OFFSET;
}

struct day day_of(long long t)
{
	long long z = (t + CST_OFFSET) / DAY_SECONDS + 719468;
	long long era = z / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	struct day r;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

int day_cmp(const struct day *a, const struct day *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	return a->d < b->d ? -1 : a->d > b->d;
}

void day_format(struct buf *b, const struct day *d)
{
	buf_addf(b, "%04d-%02d-%02d", d->y, d->m, d->d);
}

void day_format_time(struct buf *b, long long t)
{
	struct day d = day_of(t);
	long long s = (t + CST_OFFSET) % DAY_SECONDS;
	day_format(b, &d);
	buf_addf(b, " %02lld:%02lld", s / 3600, s % 3600 / 60);
}
