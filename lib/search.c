/* search.c - the search index: every SQL statement of build/search.db is here. */
#include "search.h"
#include "buf.h"
#include "html.h"
#include "segment.h"
#include "utf8.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <unicode/ubrk.h>
#include <unicode/utypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FORMAT "okpay-search 4" /* meta.format: what search_open accepts */

/*
 * The text is kept in docs, the body compressed (zlib): snippets need it, and uncompressed it
 * would make the index larger than the text it indexes. articles is an FTS5 index over the
 * view docs_text, which uncompresses the body when a snippet is made (okunzip).
 */
static const char schema[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO meta VALUES ('format', '" FORMAT "');"
    "CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, headings TEXT, keywords TEXT,"
    " body BLOB, locale TEXT, url TEXT, summary TEXT, category TEXT, category_url TEXT);"
    "CREATE VIEW docs_text AS SELECT id, title, headings, keywords, okunzip(body) AS body,"
    " locale, url, summary, category, category_url FROM docs;"
    /* locale is indexed (weight 0) so that a query can be limited to one language. */
    "CREATE VIRTUAL TABLE articles USING fts5(title, headings, keywords, body, locale,"
    " url UNINDEXED, summary UNINDEXED, category UNINDEXED, category_url UNINDEXED,"
    " content = 'docs_text', content_rowid = 'id', tokenize = 'okpay');"
    /* How many articles have each common term (the rarity okrank weighs terms by), so that a
     * query need not count them (rarer terms are counted: their lists are short). */
    "CREATE TABLE terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;";

/* Columns of the articles table, as the ranking function reads them. */
enum { COL_TITLE, COL_HEADINGS, COL_KEYWORDS, COL_BODY, COL_LOCALE, COL__INDEXED };
#define RANK "okrank"

static const char sql_insert_doc[] = "INSERT INTO docs (title, headings, keywords, body, locale,"
                                     " url, summary, category, category_url)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_insert[] = "INSERT INTO articles (rowid, title, headings, keywords, body,"
                                 " locale, url, summary, category, category_url)"
                                 " VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/*
 * Queries run in passes (search_query): the scan finds and scores every match in rowid order,
 * without the exact phrase and without FTS5's sorter; the best candidates are scored again with
 * the phrase (rescore), and the hits shown are read with their snippets (hit).
 */
enum { ST_SCAN, ST_RESCORE, ST_HIT, ST_DF, ST_COUNT, ST__MAX };
static const char *const sql_read[ST__MAX] = {
    [ST_SCAN] = "SELECT rowid, " RANK "(articles, ?2) FROM articles WHERE articles MATCH ?1",
    [ST_RESCORE] = "SELECT " RANK "(articles, ?3) FROM articles"
                   " WHERE articles MATCH ?1 AND rowid = ?2",
    [ST_HIT] = "SELECT url, title, category, category_url,"
               " oksnippet(articles) FROM articles"
               " WHERE articles MATCH ?1 AND rowid = ?2",
    /* A term's articles: stored for common terms, counted for the others (short lists). */
    [ST_DF] = "SELECT df FROM terms WHERE term = ?1",
    [ST_COUNT] = "SELECT count(*) FROM articles WHERE articles MATCH ?1",
};
/* Column lengths in tokens, one varint per column of articles, as FTS5 keeps them. */
static const char sql_lengths[] = "SELECT id, sz FROM articles_docsize";
/* Terms of fewer than 32 articles are left out of terms: a query counts them (sql_count). */
static const char sql_terms[] =
    "CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles, row);"
    "INSERT INTO terms SELECT term, doc FROM temp.vocab WHERE doc >= 32;"
    "DROP TABLE temp.vocab;";

struct search_writer {
	sqlite3 *h;
	sqlite3_stmt *insert_doc, *insert;
	char *path, *tmp;
};

/* A body as stored: its length (4 bytes, little-endian) and its zlib stream. NULL if too big. */
static unsigned char *S_zip(const char *text, size_t n, size_t *size)
{
	uLongf len = compressBound((uLong)n);
	if (n > 0xffffffffu)
		return NULL;
	unsigned char *z = xmalloc(4 + len);
	for (int i = 0; i < 4; i++)
		z[i] = (unsigned char)(n >> (8 * i));
	if (compress2(z + 4, &len, (const Bytef *)text, (uLong)n, 6) != Z_OK) {
		free(z);
		return NULL;
	}
	*size = 4 + len;
	return z;
}

/* okunzip(blob): the text of a stored body. */
static void S_unzip(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *z = sqlite3_value_blob(argv[0]);
	int size = sqlite3_value_bytes(argv[0]);
	if (!z || size < 4) {
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
		return;
	}
	uLongf n = (uLongf)z[0] | (uLongf)z[1] << 8 | (uLongf)z[2] << 16 | (uLongf)z[3] << 24;
	char *text = sqlite3_malloc64(n + 1);
	if (!text || uncompress((Bytef *)text, &n, z + 4, (uLong)(size - 4)) != Z_OK) {
		sqlite3_free(text);
		sqlite3_result_error(ctx, "search index: a body does not uncompress", -1);
		return;
	}
	sqlite3_result_text(ctx, text, (int)n, sqlite3_free);
}

static int S_register_unzip(sqlite3 *h)
{
	return sqlite3_create_function(h, "okunzip", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                               S_unzip, NULL, NULL) == SQLITE_OK
	           ? 0
	           : -1;
}

static void S_err(struct buf *err, sqlite3 *h, const char *what)
{
	buf_addf(err, "search index: %s: %s", what, h ? sqlite3_errmsg(h) : "out of memory");
}

struct search_writer *search_writer_open(const char *path, struct buf *err)
{
	struct search_writer *w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	struct buf tmp = BUF_INIT;
	buf_addf(&tmp, "%s.tmp", path);
	w->tmp = buf_detach(&tmp, NULL);
	unlink(w->tmp);
	if (sqlite3_open(w->tmp, &w->h) != SQLITE_OK || segment_register(w->h) < 0 ||
	    /* 16 KiB pages: a compressed body (~2 KiB) or an FTS5 leaf (~4 KiB) left most of a
	     * 4 KiB page empty, and the file was 30% larger. */
	    sqlite3_exec(w->h,
	                 "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF;"
	                 " PRAGMA synchronous = OFF; BEGIN;",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    S_register_unzip(w->h) < 0 ||
	    sqlite3_exec(w->h, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->h, sql_insert_doc, -1, &w->insert_doc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->h, sql_insert, -1, &w->insert, NULL) != SQLITE_OK) {
		S_err(err, w->h, w->tmp);
		search_writer_close(w, 0, err);
		return NULL;
	}
	return w;
}

int search_writer_add(struct search_writer *w, const struct search_doc *d, struct buf *err)
{
	const char *v[] = {d->title, d->headings, d->keywords, d->body,        d->locale,
	                   d->url,   d->summary,  d->category, d->category_url};
	const char *body = d->body ? d->body : "";
	size_t zsize = 0;
	unsigned char *z = S_zip(body, strlen(body), &zsize);
	int ok = z != NULL;
	sqlite3_reset(w->insert_doc);
	sqlite3_reset(w->insert);
	for (int i = 0; ok && i < (int)ARRAY_LEN(v); i++) {
		sqlite3_bind_text(w->insert, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
		if (i == 3)
			sqlite3_bind_blob(w->insert_doc, i + 1, z, (int)zsize, SQLITE_STATIC);
		else
			sqlite3_bind_text(w->insert_doc, i + 1, v[i] ? v[i] : "", -1,
			                  SQLITE_STATIC);
	}
	ok = ok && sqlite3_step(w->insert_doc) == SQLITE_DONE;
	if (ok) {
		sqlite3_bind_int64(w->insert, 10, sqlite3_last_insert_rowid(w->h));
		ok = sqlite3_step(w->insert) == SQLITE_DONE;
	}
	free(z);
	if (!ok) {
		S_err(err, w->h, d->url);
		return -1;
	}
	return 0;
}

int search_writer_close(struct search_writer *w, int commit, struct buf *err)
{
	int rc = 0;
	sqlite3_finalize(w->insert_doc);
	sqlite3_finalize(w->insert);
	if (commit && (sqlite3_exec(w->h, "INSERT INTO articles (articles) VALUES ('optimize');",
	                            NULL, NULL, NULL) != SQLITE_OK ||
	               sqlite3_exec(w->h, sql_terms, NULL, NULL, NULL) != SQLITE_OK ||
	               sqlite3_exec(w->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
	               sqlite3_exec(w->h, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)) {
		S_err(err, w->h, "finish");
		rc = -1;
	}
	if (sqlite3_close(w->h) != SQLITE_OK && commit) {
		buf_addf(err, "search index: cannot close %s", w->tmp);
		rc = -1;
	}
	if (commit && rc == 0 && rename(w->tmp, w->path) < 0) {
		buf_addf(err, "search index: cannot rename %s to %s", w->tmp, w->path);
		rc = -1;
	}
	if (!commit || rc < 0)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	free(w);
	return rc;
}

/* --- ranking ------------------------------------------------------------------------------- */

/*
 * okrank(articles): how well an article answers a query, negated (smaller ranks first, as
 * FTS5's bm25 does). BM25 alone let articles win on one rare word of a long question, or on
 * many mentions in a long FAQ, and a word in the title counted little more than one in the
 * body. Here each query term adds its rarity (idf) times where it occurs: 3 for the title, 1
 * for the headings and 1 for the keywords (summary and tags), both divided by their length
 * against the average as BM25 does, and BM25's saturating term
 * frequency for the body; the exact phrase adds the same again; and the sum is multiplied by
 * the squared share of the query's rarity the article covers, so an article that answers the
 * whole question beats one that shares a single word with it. The phrase is taken to be as
 * rare as the rarest term of the query (it contains them all): counting its articles meant
 * matching its positions in every article, the slowest part of a query.
 *
 * okrank(articles, ptr) takes what depends only on the query from search_query (struct
 * rank_terms, bound as a pointer) instead of asking FTS5 for it.
 */

/* What depends only on the query (and the index), worked out once per query. */
struct rank_terms {
	int n;                    /* phrases in the query */
	double *idf;              /* per phrase; 0 for the locale filter */
	int *size;                /* tokens per phrase: > 1 is the exact phrase */
	double total;             /* sum of idf over the single terms */
	double avg[COL__INDEXED]; /* average length of each column, in tokens */
	const int (*len)[3]; /* by rowid: lengths of headings, keywords, body; NULL: ask FTS5 */
	long long nlen;      /* rowids in len */
};

#define RANK_POINTER "okpay_rank_terms"

/* BM25's idf of a term in df of rows articles. */
static double S_idf(long long rows, long long df)
{
	return log(1.0 + ((double)rows - (double)df + 0.5) / ((double)df + 0.5));
}

/* Set the phrase's idf to the rarest term's and add up total. */
static void S_rank_phrase(struct rank_terms *t)
{
	double rarest = 0;
	t->total = 0;
	for (int i = 1; i < t->n; i++)
		if (t->size[i] == 1) {
			t->total += t->idf[i];
			if (t->idf[i] > rarest)
				rarest = t->idf[i];
		}
	for (int i = 1; i < t->n; i++)
		if (t->size[i] > 1)
			t->idf[i] = rarest;
}

static int S_count_rows(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	(void)api;
	(void)fts;
	(*(long long *)arg)++;
	return SQLITE_OK;
}

static void S_rank_terms_free(void *p)
{
	struct rank_terms *t = p;
	free(t->idf);
	free(t->size);
	free(t);
}

/* okrank(articles) without search_query's terms: ask FTS5 at the first row, keep for the rest. */
static struct rank_terms *S_rank_terms(const Fts5ExtensionApi *api, Fts5Context *fts)
{
	struct rank_terms *t = api->xGetAuxdata(fts, 0);
	if (t)
		return t;
	sqlite3_int64 rows = 0;
	t = xcalloc(1, sizeof(*t));
	t->n = api->xPhraseCount(fts);
	t->idf = xcalloc((size_t)t->n + 1, sizeof(*t->idf));
	t->size = xcalloc((size_t)t->n + 1, sizeof(*t->size));
	api->xRowCount(fts, &rows);
	for (int c = 0; c < COL__INDEXED; c++) {
		sqlite3_int64 size = 0;
		api->xColumnTotalSize(fts, c, &size);
		t->avg[c] = rows > 0 && size > 0 ? (double)size / (double)rows : 1;
	}
	for (int i = 1; i < t->n; i++) { /* phrase 0 is the locale filter */
		long long df = 0;
		t->size[i] = api->xPhraseSize(fts, i);
		if (t->size[i] == 1 && api->xQueryPhrase(fts, i, &df, S_count_rows) != SQLITE_OK)
			df = 0;
		t->idf[i] = S_idf(rows, df);
	}
	S_rank_phrase(t);
	if (api->xSetAuxdata(fts, t, S_rank_terms_free) != SQLITE_OK) {
		S_rank_terms_free(t);
		return NULL;
	}
	return t;
}

static void S_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
                   sqlite3_value **argv)
{
	struct rank_terms *t =
	    argc > 0 ? sqlite3_value_pointer(argv[0], RANK_POINTER) : S_rank_terms(api, fts);
	if (!t || t->n != api->xPhraseCount(fts)) {
		sqlite3_result_error(ctx, "okrank failed", -1);
		return;
	}
	/* Longer columns count for less (BM25's b): a FAQ has headings on every subject. */
	const double k1 = 1.2, b = 0.75;
	double norm[COL__INDEXED] = {1, 1, 1, 1, 1};
	sqlite3_int64 id = api->xRowid(fts);
	for (int c = COL_HEADINGS; c <= COL_BODY; c++) {
		int len = 0;
		/* Kept in memory by search_open: asking FTS5 is a lookup per row, half the time. */
		if (t->len && id > 0 && id < t->nlen)
			len = t->len[id][c - COL_HEADINGS];
		else
			api->xColumnSize(fts, c, &len);
		norm[c] = 1 - b + b * len / t->avg[c];
	}
	double score = 0, covered = 0;
	for (int i = 1; i < t->n; i++) {
		/*
		 * How often the phrase occurs in each column of this row. This runs for every
		 * matching row: walking each phrase's positions costs less than xInst, which
		 * sorts all of them first.
		 */
		int h[COL__INDEXED] = {0};
		Fts5PhraseIter it;
		int col, off;
		if (api->xPhraseFirst(fts, i, &it, &col, &off) != SQLITE_OK)
			continue;
		for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
			if (col < COL__INDEXED)
				h[col]++;
		if (!(h[COL_TITLE] || h[COL_HEADINGS] || h[COL_KEYWORDS] || h[COL_BODY]))
			continue;
		double tf = h[COL_BODY];
		double body = tf * (k1 + 1) / (tf + k1 * norm[COL_BODY]);
		score += t->idf[i] *
		         (3.0 * (h[COL_TITLE] > 0) + (h[COL_HEADINGS] > 0) / norm[COL_HEADINGS] +
		          (h[COL_KEYWORDS] > 0) / norm[COL_KEYWORDS] + body);
		if (t->size[i] == 1)
			covered += t->idf[i];
		else
			covered = t->total; /* the whole phrase is there: every term is */
	}
	double share = t->total > 0 ? covered / t->total : 1;
	if (share > 1)
		share = 1;
	sqlite3_result_double(ctx, -score * share * share);
}

/* --- snippets ------------------------------------------------------------------------------ */

/*
 * oksnippet(articles): the body's best SNIPPET_TOKENS tokens, matches between the bytes 1 and 2,
 * "…" where the body goes on, as FTS5's snippet(articles, 3, char(1), char(2), '…', 24)
 * chooses them (a new phrase counts 1000, a repeated one 1), starting at the sentence of the
 * first match if the window keeps its matches, else centred on them. FTS5's scores every
 * window against every match of every column and tokenizes the whole body twice: a third of
 * a query's time on a corpus where each article has a hundred matches. This tokenizes the
 * body once, up to the window's end.
 */
#define SNIPPET_TOKENS 24

/* A match in the body: its first token and its length in tokens. */
struct inst {
	int off, size, phrase;
};

static int S_cmp_inst(const void *a, const void *b)
{
	const struct inst *x = a, *y = b;
	return x->off != y->off ? (x->off > y->off) - (x->off < y->off) : x->phrase - y->phrase;
}

/*
 * The tokens from lo to lo + 2 * SNIPPET_TOKENS as segment gives them: byte ranges, and whether
 * a sentence (or a line) starts at each.
 */
struct window {
	const char *text;
	int lo, pos, prev_end;
	int start[2 * SNIPPET_TOKENS], end[2 * SNIPPET_TOKENS];
	unsigned char sentence[2 * SNIPPET_TOKENS];
};

/* Whether the text between two tokens ends a sentence: ". ", "? ", ": ", "。", a new line. */
static int S_sentence_gap(const char *s, int n)
{
	int i = n;
	while (i > 0 &&
	       (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\r' || s[i - 1] == '\n'))
		i--;
	if (memchr(s, '\n', (size_t)n))
		return 1;
	if (i < n && i > 0 && strchr(".!?:", s[i - 1]))
		return 1;
	return i >= 3 && (memcmp(s + i - 3, "。", 3) == 0 || memcmp(s + i - 3, "！", 3) == 0 ||
	                  memcmp(s + i - 3, "？", 3) == 0);
}

static int S_window_token(void *ctx, const char *term, size_t n, size_t start, size_t end)
{
	(void)term;
	(void)n;
	struct window *w = ctx;
	int i = w->pos - w->lo;
	if (i >= 0) {
		w->start[i] = (int)start;
		w->end[i] = (int)end;
		w->sentence[i] = w->pos == 0 ||
		                 ((int)start > w->prev_end &&
		                  S_sentence_gap(w->text + w->prev_end, (int)start - w->prev_end));
	}
	w->pos++;
	w->prev_end = (int)end;
	return i + 1 >= 2 * SNIPPET_TOKENS; /* stop after what a window can need */
}

static void S_oksnippet(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                        int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct inst *in = NULL;
	int n = 0, cap = 0, size = 0, nphrase = api->xPhraseCount(fts);
	const char *text;
	int bytes;
	if (api->xColumnText(fts, COL_BODY, &text, &bytes) != SQLITE_OK ||
	    api->xColumnSize(fts, COL_BODY, &size) != SQLITE_OK) {
		sqlite3_result_error(ctx, "oksnippet failed", -1);
		return;
	}
	for (int p = 0; p < nphrase; p++) {
		Fts5PhraseIter it;
		int col, off;
		if (api->xPhraseFirst(fts, p, &it, &col, &off) != SQLITE_OK)
			continue;
		for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
			if (col != COL_BODY)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				in = xrealloc(in, (size_t)cap * sizeof(*in));
			}
			in[n++] = (struct inst){off, api->xPhraseSize(fts, p), p};
		}
	}
	if (n > 1)
		qsort(in, (size_t)n, sizeof(*in), S_cmp_inst);

	/* The best window: from each match, the matches within SNIPPET_TOKENS, centred. */
	int best = 0, best_score = 0, first = 0, last = 0;
	unsigned char *seen = xcalloc((size_t)nphrase + 1, 1);
	for (int i = 0; i < n; i++) {
		int score = 0, end = in[i].off;
		memset(seen, 0, (size_t)nphrase);
		for (int j = i; j < n && in[j].off < in[i].off + SNIPPET_TOKENS; j++) {
			score += seen[in[j].phrase] ? 1 : 1000;
			seen[in[j].phrase] = 1;
			if (in[j].off + in[j].size > end)
				end = in[j].off + in[j].size;
		}
		int start = in[i].off - (SNIPPET_TOKENS - (end - in[i].off)) / 2;
		if (start + SNIPPET_TOKENS > size)
			start = size - SNIPPET_TOKENS;
		if (start < 0)
			start = 0;
		if (score > best_score) {
			best_score = score;
			best = start;
			first = in[i].off;
			last = end < in[i].off + SNIPPET_TOKENS ? end : in[i].off + SNIPPET_TOKENS;
		}
	}
	free(seen);

	/*
	 * Start at the sentence of the first match instead, if the window keeps its matches (as
	 * snippet() prefers sentence starts): any start from last - SNIPPET_TOKENS to first.
	 */
	struct window w = {.text = text, .lo = last > SNIPPET_TOKENS ? last - SNIPPET_TOKENS : 0};
	segment(text, (size_t)bytes, S_window_token, &w);
	int got = w.pos - w.lo;
	for (int k = first; n > 0 && k >= w.lo; k--)
		if (k - w.lo < got && w.sentence[k - w.lo]) {
			best = k;
			break;
		}
	int at0 = best - w.lo; /* the window's first token in w */
	if (at0 < 0 || at0 > got)
		at0 = got; /* not in what was read (cannot happen): an empty snippet */
	int ntok = got - at0 < SNIPPET_TOKENS ? got - at0 : SNIPPET_TOKENS;
	struct buf out = BUF_INIT;
	const int *ws = w.start + at0, *we = w.end + at0; /* the window's tokens */
	if (ntok > 0) {
		if (best > 0)
			buf_adds(&out, "…");
		/* Matches in the window marked, those that share bytes merged (bigrams overlap). */
		int at = ws[0], open = -1, close = -1;
		for (int i = 0; i <= n; i++) {
			int a = 0, b = 0;
			if (i < n) {
				a = in[i].off - best;
				b = in[i].off + in[i].size - 1 - best;
				if (b < 0 || a >= ntok)
					continue;
				a = a < 0 ? 0 : a;
				b = b >= ntok ? ntok - 1 : b;
				if (open >= 0 && ws[a] < we[close]) {
					close = b > close ? b : close;
					continue;
				}
			}
			if (open >= 0) {
				buf_add(&out, text + at, (size_t)(ws[open] - at));
				buf_addc(&out, '\001');
				buf_add(&out, text + ws[open], (size_t)(we[close] - ws[open]));
				buf_addc(&out, '\002');
				at = we[close];
			}
			open = a;
			close = b;
		}
		if (we[ntok - 1] > at)
			buf_add(&out, text + at, (size_t)(we[ntok - 1] - at));
		if (best + ntok < size)
			buf_adds(&out, "…");
	}
	free(in);
	size_t len;
	char *s = buf_detach(&out, &len);
	sqlite3_result_text(ctx, s, (int)len, free);
}

/* --- reading ------------------------------------------------------------------------------- */

int search_register(sqlite3 *h)
{
	fts5_api *api = segment_fts5(h);
	return segment_register(h) == 0 && S_register_unzip(h) == 0 && api &&
	               api->xCreateFunction(api, RANK, NULL, S_rank, NULL) == SQLITE_OK &&
	               api->xCreateFunction(api, "oksnippet", NULL, S_oksnippet, NULL) == SQLITE_OK
	           ? 0
	           : -1;
}

struct search {
	sqlite3 *h;
	sqlite3_stmt *st[ST__MAX];
	int (*len)[3];  /* by rowid: tokens in headings, keywords, body (okrank's norms) */
	long long nlen; /* entries in len: the largest rowid + 1 */
	long long rows; /* articles in the index */
	double avg[COL__INDEXED]; /* average tokens per column */
	int candidates;           /* search_set_candidates */
	char *path;
	dev_t dev;
	ino_t ino;
};

/* One varint of SQLite's format (big-endian, 7 bits a byte), as FTS5 writes column lengths. */
static const unsigned char *S_varint(const unsigned char *p, const unsigned char *end, int *v)
{
	unsigned int x = 0;
	for (int i = 0; i < 5 && p < end; i++) {
		x = (x << 7) | (*p & 0x7f);
		if (!(*p++ & 0x80)) {
			*v = (int)x;
			return p;
		}
	}
	return NULL;
}

/*
 * Load every article's column lengths and the averages: okrank needs them for every matching
 * row, and asking FTS5 is a B-tree lookup per row. 0, or -1 if the lengths do not decode.
 */
static int S_load_lengths(struct search *s)
{
	sqlite3_stmt *st;
	long long total[COL__INDEXED] = {0};
	int rc = -1;
	if (sqlite3_prepare_v2(s->h, sql_lengths, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const unsigned char *p = sqlite3_column_blob(st, 1);
		const unsigned char *end = p + sqlite3_column_bytes(st, 1);
		int col[COL__INDEXED];
		if (id < 0 || id > 0x7fffffff)
			goto out;
		for (int c = 0; c < COL__INDEXED; c++)
			if (!p || !(p = S_varint(p, end, &col[c])))
				goto out;
		if (id >= s->nlen) {
			long long n = s->nlen ? s->nlen : 1024;
			while (n <= id)
				n *= 2;
			s->len = xrealloc(s->len, (size_t)n * sizeof(*s->len));
			memset(s->len + s->nlen, 0, (size_t)(n - s->nlen) * sizeof(*s->len));
			s->nlen = n;
		}
		for (int c = COL_HEADINGS; c <= COL_BODY; c++)
			s->len[id][c - COL_HEADINGS] = col[c];
		for (int c = 0; c < COL__INDEXED; c++)
			total[c] += col[c];
		s->rows++;
	}
	if (step != SQLITE_DONE)
		goto out;
	/* As FTS5's xColumnTotalSize / xRowCount, so that both ways of ranking agree. */
	for (int c = 0; c < COL__INDEXED; c++)
		s->avg[c] = s->rows > 0 && total[c] > 0 ? (double)total[c] / (double)s->rows : 1;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static void S_release(struct search *s)
{
	for (int i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->h);
	free(s->len);
	free(s->path);
}

/* Open path into s (its fields are overwritten). 0 or -1 with a message in err. */
static int S_open(struct search *s, const char *path, struct buf *err)
{
	struct stat st;
	sqlite3_stmt *meta = NULL;
	memset(s, 0, sizeof(*s));
	s->candidates = SEARCH_CANDIDATES;
	if (stat(path, &st) < 0) {
		buf_addf(err, "search index %s: not found", path);
		return -1;
	}
	int ok = sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	         search_register(s->h) == 0 &&
	         sqlite3_prepare_v2(s->h, "SELECT value FROM meta WHERE key = 'format'", -1, &meta,
	                            NULL) == SQLITE_OK &&
	         sqlite3_step(meta) == SQLITE_ROW &&
	         strcmp((const char *)sqlite3_column_text(meta, 0), FORMAT) == 0;
	for (int i = 0; ok && i < ST__MAX; i++)
		ok = sqlite3_prepare_v2(s->h, sql_read[i], -1, &s->st[i], NULL) == SQLITE_OK;
	sqlite3_finalize(meta);
	if (ok && S_load_lengths(s) < 0) {
		buf_addf(err, "search index %s: cannot read the column lengths", path);
		S_release(s);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	if (!ok) {
		buf_addf(err, "search index %s: not an index (%s)", path,
		         s->h ? sqlite3_errmsg(s->h) : "out of memory");
		S_release(s);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	s->path = xstrdup(path);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

struct search *search_open(const char *path, struct buf *err)
{
	struct search *s = xmalloc(sizeof(*s));
	if (S_open(s, path, err) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int search_refresh(struct search *s)
{
	struct stat st;
	if (stat(s->path, &st) < 0)
		return -1; /* gone for a moment (or for good): keep serving what we have */
	if (st.st_dev == s->dev && st.st_ino == s->ino)
		return 0;
	struct search fresh;
	struct buf err = BUF_INIT;
	int rc = S_open(&fresh, s->path, &err);
	buf_release(&err);
	if (rc < 0)
		return -1;
	fresh.candidates = s->candidates;
	S_release(s);
	*s = fresh;
	return 0;
}

void search_set_candidates(struct search *s, int n)
{
	s->candidates = n;
}

void search_close(struct search *s)
{
	if (!s)
		return;
	S_release(s);
	free(s);
}

/*
 * The dictionary words of a query (ICU's word break rules, which know Chinese words): for the
 * byte at each character start, the index of its word and that word's length in characters.
 */
struct words {
	int *word;  /* by byte offset: word index, -1 inside a character */
	int *chars; /* by word index: characters in the word */
	size_t *at; /* by word index: byte offset where it starts (and the next one ends) */
};

/*
 * Chinese question and function words: they say a question is asked, not what about, and
 * every FAQ heading has them. A query's bigrams inside them are dropped, as English stop words.
 */
static const char *const zh_stop[] = {"怎么", "怎样", "如何",   "什么",   "为什么", "为何", "可以",
                                      "还是", "还能", "能不能", "是不是", "哪里",   "多少", "多久",
                                      "我的", "我们", "你们",   "一下",   "一个",   "需要", "应该"};

static int S_zh_stop(const char *q, const struct words *w, int word)
{
	size_t n = w->at[word + 1] - w->at[word];
	for (size_t i = 0; i < ARRAY_LEN(zh_stop); i++)
		if (strlen(zh_stop[i]) == n && memcmp(zh_stop[i], q + w->at[word], n) == 0)
			return 1;
	return 0;
}

static int S_words(const char *q, size_t n, struct words *w)
{
	UChar *u = xcalloc(n + 1, sizeof(*u));
	size_t *at = xcalloc(n + 1, sizeof(*at)); /* UTF-16 index -> byte offset */
	int32_t len = 0;
	w->word = xmalloc((n + 1) * sizeof(int));
	w->chars = xcalloc(n + 1, sizeof(int));
	w->at = xcalloc(n + 2, sizeof(size_t));
	for (size_t i = 0; i <= n; i++)
		w->word[i] = -1;
	for (size_t i = 0, adv; i < n; i += adv) {
		long c = utf8_decode(q + i, n - i, &adv);
		if (c < 0)
			c = 0xfffd;
		at[len] = i;
		if (c > 0xffff) {
			u[len++] = (UChar)(0xd800 + ((c - 0x10000) >> 10));
			at[len] = i;
			u[len++] = (UChar)(0xdc00 + ((c - 0x10000) & 0x3ff));
		} else {
			u[len++] = (UChar)c;
		}
	}
	at[len] = n;
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(UBRK_WORD, "zh", u, len, &st);
	int words = 0;
	if (U_SUCCESS(st)) {
		int32_t from = ubrk_first(bi);
		for (int32_t to = ubrk_next(bi); to != UBRK_DONE; from = to, to = ubrk_next(bi)) {
			w->at[words] = at[from];
			for (int32_t k = from; k < to; k++)
				if (k == 0 || at[k] != at[k - 1]) {
					w->word[at[k]] = words;
					w->chars[words]++;
				}
			w->at[++words] = at[to];
		}
		ubrk_close(bi);
	}
	free(u);
	free(at);
	return U_SUCCESS(st) ? 0 : -1;
}

/* A term of the query that is searched: its token (for its df) and where it is in the query. */
struct term {
	char token[SEGMENT_WORD_MAX + 1];
	size_t start, end;
};

/* Collects the source text of each term of a query, for search_match_expr. */
struct terms {
	const char *q;
	struct words w;
	int pass; /* 0: count the terms that would be kept; 1: write them */
	int keep_all, kept, phrase_terms;
	struct buf phrase, any;
	int n;
	struct term *term; /* the n terms of any */
	struct term *left; /* the nleft terms of the phrase left out of any */
	int nleft;
};

/*
 * A bigram to leave out of the query: its characters lie in two words, one of them longer than
 * a character, or it is inside a question word.
 */
static int S_straddles(const struct terms *t, size_t start, size_t end)
{
	if (!t->w.word)
		return 0;
	size_t second = start + 1;
	while (second < end && t->w.word[second] < 0)
		second++;
	if (second >= end || t->w.word[start] < 0)
		return 0; /* not two characters: a word or a lone character */
	int a = t->w.word[start], b = t->w.word[second];
	if (a == b)
		return S_zh_stop(t->q, &t->w, a);
	return t->w.chars[a] > 1 || t->w.chars[b] > 1;
}

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
	struct terms *t = ctx;
	int straddles = S_straddles(t, start, end);
	if (t->pass == 0) {
		t->kept += !straddles;
		return 0;
	}
	/*
	 * FTS5 tokenizes the strings of a MATCH expression with the table's tokenizer again, so
	 * each term is given as the text it came from: it becomes the very same term. The phrase
	 * keeps every term, so that the exact text still ranks first.
	 */
	if (t->phrase.len)
		buf_addc(&t->phrase, ' ');
	buf_add(&t->phrase, t->q + start, end - start);
	t->phrase_terms++;
	struct term *x;
	if (straddles && !t->keep_all) {
		t->left = xrealloc(t->left, ((size_t)t->nleft + 1) * sizeof(*t->left));
		x = &t->left[t->nleft++];
	} else {
		buf_adds(&t->any, " OR ");
		S_quoted(&t->any, t->q + start, end - start);
		t->term = xrealloc(t->term, ((size_t)t->n + 1) * sizeof(*t->term));
		x = &t->term[t->n++];
	}
	n = n < SEGMENT_WORD_MAX ? n : SEGMENT_WORD_MAX;
	memcpy(x->token, term, n);
	x->token[n] = '\0';
	x->start = start;
	x->end = end;
	return 0;
}

/*
 * Cut q into t's terms: t->any the terms OR'ed (" OR " first), t->phrase the exact text.
 * The caller releases t with S_terms_release.
 */
static void S_terms(struct terms *t, const char *q, size_t n)
{
	*t = (struct terms){.q = q, .phrase = BUF_INIT, .any = BUF_INIT};
	if (S_words(q, n, &t->w) < 0) {
		free(t->w.word);
		free(t->w.chars);
		free(t->w.at);
		t->w.word = t->w.chars = NULL;
		t->w.at = NULL;
	}
	segment(q, n, S_term, t);
	/* Nothing but straddling pairs ("人了"): keep them rather than search for nothing. */
	t->keep_all = t->kept == 0;
	t->pass = 1;
	segment(q, n, S_term, t);
}

static void S_terms_release(struct terms *t)
{
	free(t->w.word);
	free(t->w.chars);
	free(t->w.at);
	free(t->term);
	free(t->left);
	buf_release(&t->phrase);
	buf_release(&t->any);
}

/* Whether the expression of t has the exact phrase besides its terms. */
static int S_has_phrase(const struct terms *t)
{
	return t->n > 0 && !(t->n == 1 && t->phrase_terms == 1);
}

/* The MATCH expression of t's terms alone, OR'ed, or with the exact phrase first. */
static void S_expr(struct buf *out, const struct terms *t, int phrase)
{
	if (t->n == 0)
		return;
	buf_adds(out, "(");
	if (phrase) {
		/* The exact phrase, then any of its terms: okrank ranks phrase matches first. */
		S_quoted(out, t->phrase.ptr, t->phrase.len);
		buf_add(out, t->any.ptr, t->any.len);
	} else {
		buf_add(out, t->any.ptr + 4, t->any.len - 4);
	}
	buf_adds(out, ")");
}

int search_match_expr(struct buf *out, const char *q, size_t n)
{
	struct terms t;
	S_terms(&t, q, n);
	if (t.n == 1 && t.phrase_terms == 1)
		buf_add(out, t.any.ptr + 4, t.any.len - 4);
	else
		S_expr(out, &t, S_has_phrase(&t));
	int terms = t.n;
	S_terms_release(&t);
	return terms;
}

/* The snippet as HTML: text escaped, the match markers (bytes 1 and 2) as <mark>. */
static char *S_snippet(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p = s ? s : "";
	while (*p) {
		size_t k = strcspn(p, "\001\002");
		html_text(&b, p, k);
		p += k;
		if (*p)
			buf_adds(&b, *p++ == '\001' ? "<mark>" : "</mark>");
	}
	return buf_detach(&b, NULL);
}

static char *S_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return xstrdup(t ? (const char *)t : "");
}

/* A match of the scan: its rowid and okrank's score (smaller ranks first). */
struct cand {
	double score;
	long long id;
};

static int S_worse(const struct cand *a, const struct cand *b)
{
	return a->score > b->score || (a->score == b->score && a->id > b->id);
}

static int S_cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return S_worse(x, y) ? 1 : S_worse(y, x) ? -1 : 0;
}

/* Keep the k best matches in heap (n of them so far), the worst on top. */
static void S_keep(struct cand *heap, int *n, int k, struct cand c)
{
	int i;
	if (*n < k) {
		for (i = (*n)++; i > 0 && S_worse(&c, &heap[(i - 1) / 2]); i = (i - 1) / 2)
			heap[i] = heap[(i - 1) / 2];
		heap[i] = c;
		return;
	}
	if (k == 0 || !S_worse(&heap[0], &c))
		return;
	heap[0] = c;
	for (i = 0;;) {
		int l = 2 * i + 1, r = l + 1, w = i;
		if (l < *n && S_worse(&heap[l], &heap[w]))
			w = l;
		if (r < *n && S_worse(&heap[r], &heap[w]))
			w = r;
		if (w == i)
			break;
		struct cand x = heap[i];
		heap[i] = heap[w];
		heap[w] = x;
		i = w;
	}
}

/*
 * The articles with term x of q in *df: stored in terms, or else counted (count: 0 leaves it
 * at 0). Returns 1 if it was stored (a common term), 0 if not, -1 on an error.
 */
static int S_df(struct search *s, const char *q, const struct term *x, int count, long long *df)
{
	sqlite3_stmt *st = s->st[ST_DF];
	int rc = -1;
	*df = 0;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, x->token, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*df = sqlite3_column_int64(st, 0);
		rc = 1;
	} else if (step == SQLITE_DONE) {
		rc = 0;
		if (count) {
			struct buf quoted = BUF_INIT;
			S_quoted(&quoted, q + x->start, x->end - x->start);
			st = s->st[ST_COUNT];
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, quoted.ptr, (int)quoted.len, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				*df = sqlite3_column_int64(st, 0);
			else
				rc = -1;
			buf_release(&quoted);
		}
	}
	sqlite3_reset(st);
	sqlite3_reset(s->st[ST_DF]);
	return rc;
}

/*
 * The idf of each of t's terms into idf[], and in *rare whether a term of the phrase is in
 * fewer articles than terms keeps. 0 or -1.
 */
static int S_term_idf(struct search *s, const struct terms *t, double *idf, int *rare)
{
	*rare = 0;
	for (int i = 0; i < t->n + t->nleft; i++) {
		long long df;
		int stored = i < t->n ? S_df(s, t->q, &t->term[i], 1, &df)
		                      : S_df(s, t->q, &t->left[i - t->n], 0, &df);
		if (stored < 0)
			return -1;
		if (i < t->n)
			idf[i] = S_idf(s->rows, df);
		*rare |= !stored;
	}
	return 0;
}

/* okrank's view of a MATCH expression of S_expr: the locale, the phrase if any, the terms. */
static void S_rank_layout(struct rank_terms *r, const struct search *s, const struct terms *t,
                          const double *idf, int phrase)
{
	int first = phrase ? 2 : 1;
	r->n = first + t->n;
	r->idf = xcalloc((size_t)r->n, sizeof(*r->idf));
	r->size = xcalloc((size_t)r->n, sizeof(*r->size));
	if (phrase)
		r->size[1] = t->phrase_terms;
	for (int i = 0; i < t->n; i++) {
		r->idf[first + i] = idf[i];
		r->size[first + i] = 1;
	}
	S_rank_phrase(r);
	memcpy(r->avg, s->avg, sizeof(r->avg));
	r->len = (const int(*)[3])s->len;
	r->nlen = s->nlen;
}

/* Append the MATCH expression of t's terms (with the phrase or without) in locale to m. */
static void S_match(struct buf *m, const char *locale, const struct terms *t, int phrase)
{
	buf_adds(m, "locale : ");
	S_quoted(m, locale, strlen(locale));
	buf_adds(m, " AND ");
	S_expr(m, t, phrase);
}

int search_query(struct search *s, const char *locale, const char *q, size_t n, int offset,
                 int limit, struct search_hit **out, long long *total)
{
	struct terms t;
	struct buf full = BUF_INIT, scanned = BUF_INIT; /* MATCH of the hits, of the scan */
	struct rank_terms scan = {0}, exact = {0};
	struct cand *best = NULL;
	struct search_hit *h = NULL;
	double *idf = NULL;
	int rc = -1, count = 0, nbest = 0, step;
	*out = NULL;
	*total = 0;
	if (n > SEARCH_QUERY_MAX) {
		n = SEARCH_QUERY_MAX;
		while (n > 0 && ((unsigned char)q[n] & 0xc0) == 0x80)
			n--; /* not in the middle of a character */
	}
	S_terms(&t, q, n);
	if (t.n == 0) {
		S_terms_release(&t);
		return 0;
	}
	if (offset < 0)
		offset = 0;
	if (limit < 0)
		limit = 0;
	/*
	 * The first pass scores every match without the exact phrase: matching the phrase means
	 * comparing positions in every article that has its terms, and every phrase match has
	 * them, so the matches (and their count) are the same. The best candidates are then
	 * scored again with the phrase. A phrase with a rare term is cheap to match (FTS5 skips
	 * to the articles that have it) and is matched in the scan: the ranking is exact. So it
	 * is with candidates < 0 (the full ranking, for tests and benchmarks).
	 */
	int phrase = S_has_phrase(&t), rare;
	idf = xcalloc((size_t)t.n, sizeof(*idf));
	if (S_term_idf(s, &t, idf, &rare) < 0)
		goto out;
	int two_pass = phrase && s->candidates >= 0 && !rare;
	S_match(&full, locale, &t, phrase);
	S_match(&scanned, locale, &t, phrase && !two_pass);
	S_rank_layout(&scan, s, &t, idf, phrase && !two_pass);
	if (two_pass)
		S_rank_layout(&exact, s, &t, idf, 1);

	long long want = (long long)offset + limit;
	int k = (int)(want < s->candidates ? s->candidates
	              : want > INT_MAX     ? INT_MAX
	                                   : want),
	    cap = 0;
	sqlite3_stmt *st = s->st[ST_SCAN];
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, scanned.ptr, (int)scanned.len, SQLITE_STATIC);
	sqlite3_bind_pointer(st, 2, &scan, RANK_POINTER, NULL);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct cand c = {sqlite3_column_double(st, 1), sqlite3_column_int64(st, 0)};
		/* Grown as matches come: a page number typed far past the end costs nothing. */
		if (nbest == cap && cap < k) {
			cap = cap ? (cap > k / 2 ? k : 2 * cap) : (k < 64 ? k : 64);
			best = xrealloc(best, (size_t)cap * sizeof(*best));
		}
		S_keep(best, &nbest, k, c);
		(*total)++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		goto out;
	if (nbest > 1)
		qsort(best, (size_t)nbest, sizeof(*best), S_cmp_cand);

	if (two_pass) {
		int m = nbest < s->candidates ? nbest : s->candidates;
		st = s->st[ST_RESCORE];
		for (int i = 0; i < m; i++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, full.ptr, (int)full.len, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, best[i].id);
			sqlite3_bind_pointer(st, 3, &exact, RANK_POINTER, NULL);
			step = sqlite3_step(st);
			if (step == SQLITE_ROW)
				best[i].score = sqlite3_column_double(st, 0);
			else if (step != SQLITE_DONE)
				goto out;
		}
		sqlite3_reset(st);
		if (m > 1)
			qsort(best, (size_t)m, sizeof(*best), S_cmp_cand);
	}

	st = s->st[ST_HIT];
	for (int i = offset; i < nbest && i < want; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, full.ptr, (int)full.len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, best[i].id);
		if ((step = sqlite3_step(st)) != SQLITE_ROW)
			goto out;
		struct search_hit *x;
		h = xrealloc(h, ((size_t)count + 1) * sizeof(*h));
		x = &h[count++];
		x->url = S_col(st, 0);
		x->title = S_col(st, 1);
		x->category = S_col(st, 2);
		x->category_url = S_col(st, 3);
		x->snippet = S_snippet((const char *)sqlite3_column_text(st, 4));
	}
	*out = h;
	h = NULL;
	rc = count;
out:
	if (rc < 0) {
		search_hits_release(h, count);
		*total = 0;
	}
	sqlite3_reset(s->st[ST_SCAN]);
	sqlite3_reset(s->st[ST_RESCORE]);
	sqlite3_reset(s->st[ST_HIT]);
	free(scan.idf);
	free(scan.size);
	free(exact.idf);
	free(exact.size);
	free(best);
	free(idf);
	buf_release(&full);
	buf_release(&scanned);
	S_terms_release(&t);
	return rc;
}

void search_hits_release(struct search_hit *h, int n)
{
	for (int i = 0; i < n; i++) {
		free(h[i].url);
		free(h[i].title);
		free(h[i].category);
		free(h[i].category_url);
		free(h[i].snippet);
	}
	free(h);
}
