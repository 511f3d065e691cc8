/*
 * search-query.c - `make bench-search`: query latency of the search index inside the service.
 * usage: search-query DB QUERIES [RUNS]
 *
 * Opens DB with search_open as a portal worker does and runs every line of QUERIES
 * ("locale<TAB>query", a first line starting with "locale" is a header) as the results page
 * does: search_refresh (a stat of the file), then search_query with offset 0 and limit 10,
 * which counts all matches and fetches ten hits with their snippets, then search_hits_release.
 * Each query is timed alone (monotonic clock) from search_refresh to the release. One pass
 * warms the page cache and SQLite's cache first, as a running portal has them; then RUNS
 * passes (default 3) are measured.
 *
 * Prints one line per run and a summary line:
 *   "search-query: queries=N runs=R median_us=A p99_us=B mean_us=C max_us=D zero=Z errors=E"
 * (median and p99 are the medians over the runs of each run's median and p99; zero counts the
 * queries with no result, errors the queries search_query failed on), then the 10 slowest
 * queries of the last run with their number of matches:
 *   "search-query: slow US LOCALE TOTAL QUERY"
 * and last how often search_query's two passes give the first 10 hits of the full ranking
 * (search_set_candidates -1: every match scored with the exact phrase), in the same order and
 * as the same set, with the median and p99 of the full ranking's time:
 *   "search-query: full-ranking same_order=A same_set=B of=N median_us=M p99_us=P"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"
#include "util.h"

struct query {
	char locale[3];
	char *text;
	long long ns, total; /* of the last run */
};

static int S_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static int S_cmp_slow(const void *a, const void *b)
{
	const struct query *x = a, *y = b;
	return x->ns > y->ns ? -1 : x->ns < y->ns;
}

static int S_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The value at quantile q of n sorted values (nearest rank). */
static long long S_rank(const long long *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n + 0.999999);
	return v[i ? i - 1 : 0];
}

static double S_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), S_cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t S_load(const char *path, struct query **out)
{
	struct buf b = BUF_INIT;
	if (buf_read_file(&b, path) < 0)
		die("cannot read %s", path);
	struct query *q = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *line = strtok_r(b.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (!tab || tab - line != 2 || strncmp(line, "locale", 6) == 0)
			continue;
		char *end = strchr(tab + 1, '\t'); /* a third column (expected url) is ignored */
		if (end)
			*end = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			q = xrealloc(q, cap * sizeof(*q));
		}
		memcpy(q[n].locale, line, 2);
		q[n].locale[2] = '\0';
		q[n].text = xstrdup(tab + 1);
		n++;
	}
	buf_release(&b);
	*out = q;
	return n;
}

/* One query as the portal runs it; its time in ns, or -1 if search_query failed. */
static long long S_one(struct search *s, const struct query *q, long long *total)
{
	struct search_hit *hits;
	long long t0 = util_now_ns();
	search_refresh(s);
	int n = search_query(s, q->locale, q->text, strlen(q->text), 0, 10, &hits, total);
	if (n > 0)
		search_hits_release(hits, n);
	long long t = util_now_ns() - t0;
	return n < 0 ? -1 : t;
}

/* The urls of the first 10 hits of q, one per line, into out. */
static void S_top10(struct search *s, const struct query *q, struct buf *out, long long *ns)
{
	struct search_hit *hits;
	long long total, t0 = util_now_ns();
	int n = search_query(s, q->locale, q->text, strlen(q->text), 0, 10, &hits, &total);
	*ns = util_now_ns() - t0;
	for (int i = 0; i < n; i++)
		buf_addf(out, "%s\n", hits[i].url);
	if (n > 0)
		search_hits_release(hits, n);
}

/* Lines of a and b (one url each) as sorted sets: equal or not. */
static int S_same_set(const struct buf *a, const struct buf *b)
{
	if (a->len != b->len)
		return 0;
	for (const char *p = a->ptr; *p;) {
		const char *nl = strchr(p, '\n');
		size_t k = (size_t)(nl - p) + 1;
		int found = 0;
		for (const char *r = b->ptr; *r && !found;) {
			const char *rl = strchr(r, '\n');
			found = (size_t)(rl - r) + 1 == k && memcmp(p, r, k) == 0;
			r = rl + 1;
		}
		if (!found)
			return 0;
		p = nl + 1;
	}
	return 1;
}

int main(int argc, char **argv)
{
	util_set_progname("search-query");
	if (argc < 3)
		die("usage: search-query DB QUERIES [RUNS]");
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	if (runs < 1)
		runs = 1;
	struct buf err = BUF_INIT;
	struct search *s = search_open(argv[1], &err);
	if (!s)
		die("%s", err.ptr);
	struct query *q;
	size_t n = S_load(argv[2], &q);
	if (n == 0)
		die("no queries in %s", argv[2]);

	long long total, zero = 0, errors = 0;
	for (size_t i = 0; i < n; i++) { /* warm-up pass, also counts the empty answers */
		if (S_one(s, &q[i], &total) < 0) {
			errors++;
			fprintf(stderr, "search-query: failed: %s %s\n", q[i].locale, q[i].text);
		} else if (total == 0) {
			zero++;
		}
	}

	long long *t = xmalloc(n * sizeof(*t));
	double *med = xmalloc((size_t)runs * sizeof(*med)),
	       *p99 = xmalloc((size_t)runs * sizeof(*p99));
	double mean_sum = 0, max = 0;
	for (int r = 0; r < runs; r++) {
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			t[i] = S_one(s, &q[i], &total);
			if (t[i] < 0)
				t[i] = 0;
			q[i].ns = t[i];
			q[i].total = total;
			sum += (double)t[i];
		}
		qsort(t, n, sizeof(*t), S_cmp_ll);
		med[r] = (double)S_rank(t, n, 0.5) / 1e3;
		p99[r] = (double)S_rank(t, n, 0.99) / 1e3;
		mean_sum += sum / (double)n / 1e3;
		if ((double)t[n - 1] / 1e3 > max)
			max = (double)t[n - 1] / 1e3;
		printf("search-query: run %d: median %.0f us, p99 %.0f us, mean %.0f us, max %.0f "
		       "us\n",
		       r + 1, med[r], p99[r], sum / (double)n / 1e3, (double)t[n - 1] / 1e3);
	}
	printf("search-query: queries=%zu runs=%d median_us=%.0f p99_us=%.0f mean_us=%.0f "
	       "max_us=%.0f zero=%lld errors=%lld\n",
	       n, runs, S_median(med, (size_t)runs), S_median(p99, (size_t)runs), mean_sum / runs,
	       max, zero, errors);

	qsort(q, n, sizeof(*q), S_cmp_slow);
	for (size_t i = 0; i < n && i < 10; i++)
		printf("search-query: slow %.0f %s %lld %s\n", (double)q[i].ns / 1e3, q[i].locale,
		       q[i].total, q[i].text);
	size_t same_order = 0, same_set = 0;
	struct buf two = BUF_INIT, full = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		long long ns;
		buf_reset(&two);
		buf_reset(&full);
		search_set_candidates(s, SEARCH_CANDIDATES);
		S_top10(s, &q[i], &two, &ns);
		search_set_candidates(s, -1);
		S_top10(s, &q[i], &full, &ns);
		t[i] = ns;
		same_order += strcmp(two.ptr, full.ptr) == 0;
		same_set += S_same_set(&two, &full);
	}
	qsort(t, n, sizeof(*t), S_cmp_ll);
	printf("search-query: full-ranking same_order=%zu same_set=%zu of=%zu median_us=%.0f "
	       "p99_us=%.0f\n",
	       same_order, same_set, n, (double)S_rank(t, n, 0.5) / 1e3,
	       (double)S_rank(t, n, 0.99) / 1e3);
	buf_release(&two);
	buf_release(&full);
	for (size_t i = 0; i < n; i++)
		free(q[i].text);
	free(q);
	free(t);
	free(med);
	free(p99);
	search_close(s);
	buf_release(&err);
	return errors ? 1 : 0;
}
