/*
 * segment-icu.c - `make bench-search`: the index's character bigrams (lib/segment.c) against
 * dictionary segmentation with ICU's word BreakIterator, on the real help-center articles.
 * usage: segment-icu SOURCE_DB QUERIES|- OUTDIR [BUILDS]
 *
 * SOURCE_DB is a search index written by site-gen; its articles are read back from it. Two
 * indexes of the same articles are written into OUTDIR: bigram.db by lib/search.c's own writer
 * (tokenizer "okpay"), and icu.db with SOURCE_DB's own CREATE statement, optimize and VACUUM but
 * the tokenizer "okpay_icu" below. Each is built BUILDS times (default 3): the median time, the
 * file size and the number of distinct terms are printed. With QUERIES "-" that is all (for the
 * synthetic corpus, which has no test set).
 *
 * Otherwise every line of QUERIES ("locale<TAB>query<TAB>expected url", tests/search/queries.tsv)
 * is searched three ways, and a query passes when the expected url is among the first 3 hits:
 *   lib/search.c  bigram.db through search_query, exactly as the portal searches;
 *   all-bigrams   bigram.db, every term of the query quoted as the text it came from, the exact
 *                 phrase OR'ed with all the terms (the plain Lucene-CJK way);
 *   icu-words     icu.db, the same query building with ICU's words as the terms.
 * icu.db is opened with search_open too (it carries the source's format), and the last two
 * run on search_open's connections ranked by lib/search.c's own ranking function okrank (or,
 * without one, by BM25 with its column weights, the table "weights" below). That this ranking
 * is lib/search.c's is checked on every query (search_match_expr's expression through this
 * program's SQL must give search_query's top 3) and a difference is reported.
 *
 * "okpay_icu" differs from "okpay" only in Chinese and Japanese: ICU's word BreakIterator cuts
 * the text, a segment with the ideographic or kana rule status (ICU's dictionary words, e.g.
 * 忘记 / 密码) is one term; letters and digits go through lib/segment.c, so English is folded,
 * stemmed and stop-worded exactly as in the real index.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "buf.h"
#include "search.h"
#include "segment.h"
#include "util.h"

/* lib/search.c's column weights, by name (a column not named here weighs 0). */
static const struct {
	const char *name;
	double weight;
} weights[] = {{"title", 10.0}, {"headings", 5.0}, {"keywords", 5.0}, {"body", 1.0}};

/* --- the ICU tokenizer ------------------------------------------------------------------------ */

static UBreakIterator *word_bi;

struct shift {
	segment_emit emit;
	void *ctx;
	size_t base;
};

static int S_shifted(void *arg, const char *term, size_t n, size_t start, size_t end)
{
	struct shift *s = arg;
	return s->emit(s->ctx, term, n, s->base + start, s->base + end);
}

/* segment() with ICU's words for Chinese and Japanese; same signature and contract. */
static int S_icu_segment(const char *s, size_t n, segment_emit emit, void *ctx)
{
	UErrorCode st = U_ZERO_ERROR;
	UText *ut = utext_openUTF8(NULL, s, (int64_t)n, &st);
	ubrk_setUText(word_bi, ut, &st);
	if (U_FAILURE(st))
		die("icu: %s", u_errorName(st));
	int rc = 0;
	int32_t a = ubrk_first(word_bi), b;
	/* The boundaries of a UTF-8 UText are byte offsets. */
	while (rc == 0 && (b = ubrk_next(word_bi)) != UBRK_DONE) {
		int32_t status = ubrk_getRuleStatus(word_bi);
		if (status >= UBRK_WORD_KANA && status < UBRK_WORD_IDEO_LIMIT) {
			rc = emit(ctx, s + a, (size_t)(b - a), (size_t)a, (size_t)b);
		} else if (status >= UBRK_WORD_NUMBER) {
			struct shift sh = {emit, ctx, (size_t)a};
			rc = segment(s + a, (size_t)(b - a), S_shifted, &sh);
		}
		a = b;
	}
	utext_close(ut);
	return rc;
}

struct fts_ctx {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int S_fts_emit(void *arg, const char *term, size_t n, size_t start, size_t end)
{
	struct fts_ctx *f = arg;
	return f->token(f->ctx, 0, term, (int)n, (int)start, (int)end);
}

static int S_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx;
	(void)argv;
	(void)argc;
	static int instance;
	*out = (Fts5Tokenizer *)&instance;
	return SQLITE_OK;
}

static void S_delete(Fts5Tokenizer *t)
{
	(void)t;
}

static int S_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                      int (*token)(void *, int, const char *, int, int, int))
{
	(void)t;
	(void)flags;
	struct fts_ctx f = {ctx, token};
	return n > 0 ? S_icu_segment(text, (size_t)n, S_fts_emit, &f) : SQLITE_OK;
}

static void S_register_icu(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		die("fts5: %s", sqlite3_errmsg(db));
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	static fts5_tokenizer tok = {S_create, S_delete, S_tokenize};
	if (!api || api->xCreateTokenizer(api, "okpay_icu", NULL, &tok, NULL) != SQLITE_OK)
		die("cannot register the tokenizer okpay_icu");
}

/*
 * Every connection of this program gets "okpay_icu" as it opens (an SQLite auto-extension),
 * the ones search_open makes too; last_db is the latest of them. So icu.db opens through
 * search_open like the real index, and this program's queries run on search_open's own
 * connections, with lib/search.c's ranking function registered on them.
 */
static sqlite3 *last_db;

static int S_auto(sqlite3 *db, const char **err, const struct sqlite3_api_routines *api)
{
	(void)err;
	(void)api;
	S_register_icu(db);
	last_db = db;
	return SQLITE_OK;
}

/* --- query building as lib/search.c's search_match_expr, for either segmenter ------------- */

typedef int (*segmenter)(const char *, size_t, segment_emit, void *);

struct terms {
	const char *q;
	struct buf phrase, any;
	int n;
};

static void S_quoted(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

static int S_term(void *ctx, const char *term, size_t n, size_t start, size_t end)
{
	(void)term;
	(void)n;
	struct terms *t = ctx;
	if (t->phrase.len)
		buf_addc(&t->phrase, ' ');
	buf_add(&t->phrase, t->q + start, end - start);
	buf_adds(&t->any, " OR ");
	S_quoted(&t->any, t->q + start, end - start);
	t->n++;
	return 0;
}

static int S_match_expr(struct buf *out, const char *q, size_t n, segmenter seg)
{
	struct terms t = {q, BUF_INIT, BUF_INIT, 0};
	seg(q, n, S_term, &t);
	if (t.n == 1) {
		buf_add(out, t.any.ptr + 4, t.any.len - 4);
	} else if (t.n > 1) {
		buf_adds(out, "(");
		S_quoted(out, t.phrase.ptr, t.phrase.len);
		buf_add(out, t.any.ptr, t.any.len);
		buf_adds(out, ")");
	}
	buf_release(&t.phrase);
	buf_release(&t.any);
	return t.n;
}

/* --- articles and indexes --------------------------------------------------------------------- */

/* The columns of the source index's table, in order, and the articles' values. */
static int ncols;
static char **colname;
static char *format; /* the source's meta format, which search_open checks */

struct doc {
	char **col;
};

static size_t S_read_docs(const char *path, struct doc **out, size_t *text_bytes, char **sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    search_register(h) < 0 ||
	    sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_schema WHERE name = 'articles'", -1, &st,
	                       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die("%s: %s", path, sqlite3_errmsg(h));
	*sql = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die("%s: no format: %s", path, sqlite3_errmsg(h));
	format = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(h, "SELECT * FROM articles", -1, &st, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(h));
	ncols = sqlite3_column_count(st);
	colname = xmalloc((size_t)ncols * sizeof(*colname));
	for (int i = 0; i < ncols; i++)
		colname[i] = xstrdup(sqlite3_column_name(st, i));
	struct doc *d = NULL;
	size_t n = 0, cap = 0;
	*text_bytes = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			d = xrealloc(d, cap * sizeof(*d));
		}
		d[n].col = xmalloc((size_t)ncols * sizeof(char *));
		for (int i = 0; i < ncols; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			d[n].col[i] = xstrdup(t ? (const char *)t : "");
			if (strcmp(colname[i], "title") == 0 ||
			    strcmp(colname[i], "headings") == 0 || strcmp(colname[i], "body") == 0)
				*text_bytes += strlen(d[n].col[i]);
		}
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	*out = d;
	return n;
}

static const char *S_get(const struct doc *d, const char *name)
{
	for (int i = 0; i < ncols; i++)
		if (strcmp(colname[i], name) == 0)
			return d->col[i];
	return "";
}

static void S_build_bigram(const char *path, const struct doc *d, size_t n)
{
	struct buf err = BUF_INIT;
	struct search_writer *w = search_writer_open(path, &err);
	if (!w)
		die("%s", err.ptr);
	for (size_t i = 0; i < n; i++) {
		struct search_doc sd = {
		    .locale = S_get(&d[i], "locale"),
		    .url = S_get(&d[i], "url"),
		    .title = S_get(&d[i], "title"),
		    .headings = S_get(&d[i], "headings"),
		    .keywords = S_get(&d[i], "keywords"),
		    .summary = S_get(&d[i], "summary"),
		    .body = S_get(&d[i], "body"),
		    .category = S_get(&d[i], "category"),
		    .category_url = S_get(&d[i], "category_url"),
		};
		if (search_writer_add(w, &sd, &err) < 0)
			die("%s", err.ptr);
	}
	if (search_writer_close(w, 1, &err) < 0)
		die("%s", err.ptr);
	buf_release(&err);
}

static void S_quoted_sql(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

/*
 * As search_writer_open, _add and _close (commit) do, with the source index's own CREATE
 * statement but the ICU tokenizer.
 */
static void S_build_icu(const char *path, const char *create, const struct doc *d, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	struct buf sql = BUF_INIT;
	const char *tok = strstr(create, "'okpay'");
	if (!tok)
		die("the index is not made with the tokenizer okpay: %s", create);
	buf_adds(&sql, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	               "INSERT INTO meta VALUES ('format', ");
	S_quoted_sql(&sql, format);
	buf_adds(&sql, ");");
	/* The text goes into the FTS5 table itself here: no docs table, no view to read it from. */
	const char *ext = strstr(create, "content = 'docs_text', content_rowid = 'id', ");
	size_t extlen = ext ? strlen("content = 'docs_text', content_rowid = 'id', ") : 0;
	if (!ext)
		ext = tok;
	buf_add(&sql, create, (size_t)(ext - create));
	buf_add(&sql, ext + extlen, (size_t)(tok - ext - extlen));
	buf_adds(&sql, "'okpay_icu'");
	buf_adds(&sql, tok + strlen("'okpay'"));
	remove(path);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		die("%s: cannot open", path);
	S_register_icu(h);
	if (sqlite3_exec(h, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;", NULL,
	                 NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(h, sql.ptr, NULL, NULL, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(h));
	buf_reset(&sql);
	buf_adds(&sql, "INSERT INTO articles (");
	for (int c = 0; c < ncols; c++)
		buf_addf(&sql, "%s%s", c ? ", " : "", colname[c]);
	buf_adds(&sql, ") VALUES (");
	for (int c = 0; c < ncols; c++)
		buf_addf(&sql, "%s?%d", c ? ", " : "", c + 1);
	buf_adds(&sql, ")");
	if (sqlite3_prepare_v2(h, sql.ptr, -1, &st, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(h));
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		for (int c = 0; c < ncols; c++)
			sqlite3_bind_text(st, c + 1, d[i].col[c], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("%s: %s", S_get(&d[i], "url"), sqlite3_errmsg(h));
	}
	sqlite3_finalize(st);
	/* The terms' article counts that search_query reads (all of them: the same ranking). */
	if (sqlite3_exec(
	        h,
	        "INSERT INTO articles (articles) VALUES ('optimize');"
	        " CREATE TABLE terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;"
	        " CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles, row);"
	        " INSERT INTO terms SELECT term, doc FROM temp.vocab; DROP TABLE temp.vocab;"
	        " COMMIT; VACUUM;",
	        NULL, NULL, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(h));
	sqlite3_close(h);
	buf_release(&sql);
}

/* Distinct terms and term occurrences in the index at path. */
static void S_vocab(const char *path, int icu, long long *terms, long long *occurrences)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("%s: cannot open", path);
	if (icu)
		S_register_icu(h);
	else
		segment_register(h);
	if (sqlite3_exec(h, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles, 'row')",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT count(*), sum(cnt) FROM temp.v", -1, &st, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die("%s: %s", path, sqlite3_errmsg(h));
	*terms = sqlite3_column_int64(st, 0);
	*occurrences = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* --- the test set ----------------------------------------------------------------------------- */

enum variant { V_LIB, V_BIGRAMS, V_ICU, V__MAX };
static const char *const vname[V__MAX] = {"lib/search.c", "all-bigrams", "icu-words"};

struct query {
	char *locale, *text, *expected;
	int pass[V__MAX];
};

static size_t S_load(const char *path, struct query **out)
{
	struct buf b = BUF_INIT;
	if (buf_read_file(&b, path) < 0)
		die("cannot read %s", path);
	struct query *q = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *line = strtok_r(b.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2 || strncmp(line, "locale", 6) == 0 || line[0] == '#')
			continue;
		*t1 = *t2 = '\0';
		char *cr = strchr(t2 + 1, '\r');
		if (cr)
			*cr = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			q = xrealloc(q, cap * sizeof(*q));
		}
		q[n] = (struct query){xstrdup(line), xstrdup(t1 + 1), xstrdup(t2 + 1), {0}};
		n++;
	}
	buf_release(&b);
	*out = q;
	return n;
}

/* The first 3 urls for q through the portal's own search_query, "a b c" in out. */
static void S_top_lib(struct search *s, const struct query *q, struct buf *out)
{
	struct search_hit *hits;
	long long total;
	int n = search_query(s, q->locale, q->text, strlen(q->text), 0, 3, &hits, &total);
	if (n < 0)
		die("search_query failed: %s", q->text);
	for (int i = 0; i < n; i++)
		buf_addf(out, "%s%s", i ? " " : "", hits[i].url);
	if (n > 0)
		search_hits_release(hits, n);
}

/*
 * A prepared ranked query on h (a connection of search_open): ranked by lib/search.c's own
 * function okrank when it has one, else by BM25 with its column weights.
 */
static sqlite3_stmt *S_prepare(sqlite3 *h, const char **ranking)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	*ranking = "okrank(articles)";
	if (sqlite3_prepare_v2(h,
	                       "SELECT url FROM articles WHERE articles MATCH ?1"
	                       " ORDER BY okrank(articles) LIMIT 3",
	                       -1, &st, NULL) == SQLITE_OK)
		return st;
	buf_adds(&sql, "bm25(articles");
	for (int c = 0; c < ncols; c++) {
		double w = 0;
		for (size_t k = 0; k < ARRAY_LEN(weights); k++)
			if (strcmp(colname[c], weights[k].name) == 0)
				w = weights[k].weight;
		buf_addf(&sql, ", %.1f", w);
	}
	buf_adds(&sql, ")");
	static char rank[256];
	snprintf(rank, sizeof(rank), "%s", sql.ptr);
	*ranking = rank;
	buf_reset(&sql);
	buf_addf(&sql, "SELECT url FROM articles WHERE articles MATCH ?1 ORDER BY %s LIMIT 3",
	         rank);
	if (sqlite3_prepare_v2(h, sql.ptr, -1, &st, NULL) != SQLITE_OK)
		die("%s: %s", sql.ptr, sqlite3_errmsg(h));
	buf_release(&sql);
	return st;
}

/* The first 3 urls for the MATCH expression expr (without the locale) in locale. */
static void S_top_expr(sqlite3_stmt *st, const char *locale, const struct buf *expr,
                       struct buf *out)
{
	struct buf match = BUF_INIT;
	if (expr->len == 0)
		return;
	buf_adds(&match, "locale : ");
	S_quoted(&match, locale, strlen(locale));
	buf_adds(&match, " AND ");
	buf_add(&match, expr->ptr, expr->len);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, match.ptr, (int)match.len, SQLITE_STATIC);
	int rc, i = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_addf(out, "%s%s", i++ ? " " : "", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		die("query %s: %s", match.ptr, sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	buf_release(&match);
}

static int S_in(const struct buf *urls, const char *url)
{
	size_t n = strlen(url);
	for (const char *p = urls->ptr; (p = strstr(p, url)); p += n)
		if ((p == urls->ptr || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The terms of text as a segmenter cuts it, "a|b|c", for the differences list. */
static int S_show(void *ctx, const char *term, size_t n, size_t start, size_t end)
{
	(void)start;
	(void)end;
	struct buf *b = ctx;
	if (b->len)
		buf_addc(b, '|');
	buf_add(b, term, n);
	return 0;
}

/* Run the test set against both indexes; print the top-3 figures and the differences. */
static void S_compare(const char *queries, const char *bigram_db, const char *icu_db)
{
	struct query *q;
	size_t nq = S_load(queries, &q);
	if (nq == 0)
		die("no queries in %s", queries);
	struct buf err = BUF_INIT;
	struct search *s = search_open(bigram_db, &err);
	if (!s)
		die("%s", err.ptr);
	sqlite3 *hb = last_db;
	struct search *s_icu = search_open(icu_db, &err);
	if (!s_icu)
		die("%s", err.ptr);
	sqlite3 *hi = last_db;
	const char *ranking;
	sqlite3_stmt *sb = S_prepare(hb, &ranking), *si = S_prepare(hi, &ranking);
	printf("segment-icu: ranking: %s\n", ranking);
	int replica_diff = 0;

	for (size_t i = 0; i < nq; i++) {
		struct buf top[V__MAX] = {BUF_INIT, BUF_INIT, BUF_INIT}, expr = BUF_INIT,
		           check = BUF_INIT;
		const char *t = q[i].text;
		S_top_lib(s, &q[i], &top[V_LIB]);
		/* The ranking here must be lib/search.c's, or the comparison is unfair: the same
		 * expression gives the same top 3. */
		search_match_expr(&expr, t, strlen(t));
		S_top_expr(sb, q[i].locale, &expr, &check);
		if (!buf_eqs(&check, top[V_LIB].ptr) && replica_diff++ < 3)
			fprintf(stderr,
			        "segment-icu: warning: ranking differs from lib/search.c for %s\n",
			        t);
		buf_reset(&expr);
		S_match_expr(&expr, t, strlen(t), segment);
		S_top_expr(sb, q[i].locale, &expr, &top[V_BIGRAMS]);
		buf_reset(&expr);
		S_match_expr(&expr, t, strlen(t), S_icu_segment);
		S_top_expr(si, q[i].locale, &expr, &top[V_ICU]);
		for (int v = 0; v < V__MAX; v++) {
			q[i].pass[v] = S_in(&top[v], q[i].expected);
			buf_release(&top[v]);
		}
		buf_release(&expr);
		buf_release(&check);
	}
	const char *locs[] = {"zh", "en"};
	for (int v = 0; v < V__MAX; v++) {
		printf("segment-icu: top-3 %-12s", vname[v]);
		int all = 0, ok = 0;
		for (int l = 0; l < 2; l++) {
			int lt = 0, lo = 0;
			for (size_t i = 0; i < nq; i++)
				if (strcmp(q[i].locale, locs[l]) == 0) {
					lt++;
					lo += q[i].pass[v];
				}
			printf(" %s %d/%d (%.1f%%)", locs[l], lo, lt, lt ? 100.0 * lo / lt : 0.0);
			all += lt;
			ok += lo;
		}
		printf(" all %d/%d (%.1f%%)\n", ok, all, all ? 100.0 * ok / all : 0.0);
	}
	/* The portal's search against ICU words (the index's segmenter), and against all bigrams
	 * (its query building). */
	static const int pairs[][2] = {
	    {V_LIB, V_ICU}, {V_ICU, V_LIB}, {V_LIB, V_BIGRAMS}, {V_BIGRAMS, V_LIB}};
	for (size_t p = 0; p < ARRAY_LEN(pairs); p++) {
		int v = pairs[p][0], other = pairs[p][1];
		for (size_t i = 0; i < nq; i++) {
			if (!(q[i].pass[v] && !q[i].pass[other]))
				continue;
			struct buf a = BUF_INIT, b = BUF_INIT;
			search_match_expr(&a, q[i].text, strlen(q[i].text));
			S_icu_segment(q[i].text, strlen(q[i].text), S_show, &b);
			printf("segment-icu: %s, not %s: %s %s -> %s (lib: %s; icu: %s)\n",
			       vname[v], vname[other], q[i].locale, q[i].text, q[i].expected, a.ptr,
			       b.ptr);
			buf_release(&a);
			buf_release(&b);
		}
	}
	for (size_t i = 0; i < nq; i++)
		if (!q[i].pass[V_LIB] && !q[i].pass[V_BIGRAMS] && !q[i].pass[V_ICU])
			printf("segment-icu: none %s %s -> %s\n", q[i].locale, q[i].text,
			       q[i].expected);
	if (replica_diff)
		printf("segment-icu: warning: the ranking of this program differed from "
		       "lib/search.c on %d queries\n",
		       replica_diff);

	sqlite3_finalize(sb);
	sqlite3_finalize(si);
	search_close(s);
	search_close(s_icu);
	for (size_t i = 0; i < nq; i++) {
		free(q[i].locale);
		free(q[i].text);
		free(q[i].expected);
	}
	free(q);
	buf_release(&err);
}

static int S_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double S_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), S_cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long long S_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv)
{
	util_set_progname("segment-icu");
	if (argc != 4 && argc != 5)
		die("usage: segment-icu SOURCE_DB QUERIES|- OUTDIR [BUILDS]");
	int builds = argc > 4 ? atoi(argv[4]) : 3;
	if (builds < 1)
		builds = 1;
	UErrorCode ust = U_ZERO_ERROR;
	word_bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &ust);
	if (U_FAILURE(ust))
		die("icu: cannot open a word break iterator: %s", u_errorName(ust));
	sqlite3_auto_extension((void (*)(void))S_auto);

	struct doc *d;
	char *create;
	size_t text_bytes, nd = S_read_docs(argv[1], &d, &text_bytes, &create);
	if (nd == 0)
		die("%s: no articles", argv[1]);
	struct buf path[2] = {BUF_INIT, BUF_INIT};
	buf_addf(&path[0], "%s/bigram.db", argv[3]);
	buf_addf(&path[1], "%s/icu.db", argv[3]);
	const char *name[2] = {"bigrams", "icu"};

	printf("segment-icu: %zu articles, %.1f KB of indexed text (title, headings, body: %zu "
	       "bytes)\n",
	       nd, (double)text_bytes / 1e3, text_bytes);
	for (int k = 0; k < 2; k++) {
		double *ms = xmalloc((size_t)builds * sizeof(*ms));
		for (int r = 0; r < builds; r++) {
			long long t0 = util_now_ns();
			if (k == 0)
				S_build_bigram(path[0].ptr, d, nd);
			else
				S_build_icu(path[1].ptr, create, d, nd);
			ms[r] = (double)(util_now_ns() - t0) / 1e6;
		}
		double med = S_median(ms, (size_t)builds);
		free(ms);
		long long terms, occ;
		S_vocab(path[k].ptr, k, &terms, &occ);
		printf(
		    "segment-icu: %-7s index %.1f KB (%.2fx the text), built in %.0f ms (median of "
		    "%d), %lld distinct terms, %lld term occurrences\n",
		    name[k], (double)S_size(path[k].ptr) / 1e3,
		    (double)S_size(path[k].ptr) / (double)text_bytes, med, builds, terms, occ);
	}
	if (strcmp(argv[2], "-") != 0)
		S_compare(argv[2], path[0].ptr, path[1].ptr);

	for (size_t i = 0; i < nd; i++) {
		for (int c = 0; c < ncols; c++)
			free(d[i].col[c]);
		free(d[i].col);
	}
	free(d);
	for (int c = 0; c < ncols; c++)
		free(colname[c]);
	free(colname);
	free(create);
	free(format);
	buf_release(&path[0]);
	buf_release(&path[1]);
	ubrk_close(word_bi);
	return 0;
}
