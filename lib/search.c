/* search.c - the search index: every SQL statement of build/search.db is here. */
#include "search.h"
#include "buf.h"
#include "html.h"
#include "segment.h"
#include "utf8.h"
#include "util.h"

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

#define FORMAT "okpay-search 3" /* meta.format: what search_open accepts */

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
    " content = 'docs_text', content_rowid = 'id', tokenize = 'okpay');";

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
 * Ranked through FTS5's rank column: FTS5 orders the matches itself and SQLite makes snippets
 * only for the rows it returns, not for every match before sorting.
 */
static const char sql_query[] = "SELECT url, title, category, category_url,"
                                " snippet(articles, 3, char(1), char(2), '…', 24) FROM articles"
                                " WHERE articles MATCH ?1 AND rank MATCH '" RANK "()'"
                                " ORDER BY rank LIMIT ?2 OFFSET ?3";
static const char sql_count[] = "SELECT count(*) FROM articles WHERE articles MATCH ?1";

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
	if (commit &&
	    (sqlite3_exec(w->h, "INSERT INTO articles (articles) VALUES ('optimize'); COMMIT;",
	                  NULL, NULL, NULL) != SQLITE_OK ||
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
 * whole question beats one that shares a single word with it.
 */

struct rank_terms {
	int n;                    /* phrases in the query */
	double *idf;              /* per phrase; 0 for the locale filter */
	int *size;                /* tokens per phrase: > 1 is the exact phrase */
	double total;             /* sum of idf over the single terms */
	double avg[COL__INDEXED]; /* average length of each column, in tokens */
};

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

/* What depends only on the query, worked out at the first row and kept for the others. */
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
		if (api->xQueryPhrase(fts, i, &df, S_count_rows) != SQLITE_OK)
			df = 0;
		t->idf[i] = log(1.0 + ((double)rows - (double)df + 0.5) / ((double)df + 0.5));
		if (t->size[i] == 1)
			t->total += t->idf[i];
	}
	if (api->xSetAuxdata(fts, t, S_rank_terms_free) != SQLITE_OK) {
		S_rank_terms_free(t);
		return NULL;
	}
	return t;
}

static void S_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc,
                   sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct rank_terms *t = S_rank_terms(api, fts);
	int ninst = 0;
	if (!t || api->xInstCount(fts, &ninst) != SQLITE_OK) {
		sqlite3_result_error(ctx, "okrank failed", -1);
		return;
	}
	/* Longer columns count for less (BM25's b): a FAQ has headings on every subject. */
	const double k1 = 1.2, b = 0.75;
	double norm[COL__INDEXED] = {1, 1, 1, 1, 1};
	for (int c = COL_HEADINGS; c <= COL_BODY; c++) {
		int len = 0;
		api->xColumnSize(fts, c, &len);
		norm[c] = 1 - b + b * len / t->avg[c];
	}
	/*
	 * hits[phrase][column]: how often each phrase occurs in each column of this row. This runs
	 * for every matching row, so short queries count on the stack.
	 */
	int stack[64][COL__INDEXED];
	int(*hits)[COL__INDEXED] = t->n < 64 ? stack : xmalloc(((size_t)t->n + 1) * sizeof(*hits));
	memset(hits, 0, ((size_t)t->n + 1) * sizeof(*hits));
	for (int i = 0; i < ninst; i++) {
		int phrase, col, off;
		if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK && phrase < t->n &&
		    col < COL__INDEXED)
			hits[phrase][col]++;
	}
	double score = 0, covered = 0;
	for (int i = 1; i < t->n; i++) {
		int *h = hits[i];
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
	if (hits != stack)
		free(hits);
	double share = t->total > 0 ? covered / t->total : 1;
	if (share > 1)
		share = 1;
	sqlite3_result_double(ctx, -score * share * share);
}

/* --- reading ------------------------------------------------------------------------------- */

int search_register(sqlite3 *h)
{
	fts5_api *api = segment_fts5(h);
	return segment_register(h) == 0 && S_register_unzip(h) == 0 && api &&
	               api->xCreateFunction(api, "okrank", NULL, S_rank, NULL) == SQLITE_OK
	           ? 0
	           : -1;
}

struct search {
	sqlite3 *h;
	sqlite3_stmt *query, *count;
	char *path;
	dev_t dev;
	ino_t ino;
};

/* Open path into s (its fields are overwritten). 0 or -1 with a message in err. */
static int S_open(struct search *s, const char *path, struct buf *err)
{
	struct stat st;
	sqlite3_stmt *meta = NULL;
	memset(s, 0, sizeof(*s));
	if (stat(path, &st) < 0) {
		buf_addf(err, "search index %s: not found", path);
		return -1;
	}
	int ok = sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	         search_register(s->h) == 0 &&
	         sqlite3_prepare_v2(s->h, "SELECT value FROM meta WHERE key = 'format'", -1, &meta,
	                            NULL) == SQLITE_OK &&
	         sqlite3_step(meta) == SQLITE_ROW &&
	         strcmp((const char *)sqlite3_column_text(meta, 0), FORMAT) == 0 &&
	         sqlite3_prepare_v2(s->h, sql_query, -1, &s->query, NULL) == SQLITE_OK &&
	         sqlite3_prepare_v2(s->h, sql_count, -1, &s->count, NULL) == SQLITE_OK;
	sqlite3_finalize(meta);
	if (!ok) {
		buf_addf(err, "search index %s: not an index (%s)", path,
		         s->h ? sqlite3_errmsg(s->h) : "out of memory");
		sqlite3_finalize(s->query);
		sqlite3_finalize(s->count);
		sqlite3_close(s->h);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	s->path = xstrdup(path);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static void S_release(struct search *s)
{
	sqlite3_finalize(s->query);
	sqlite3_finalize(s->count);
	sqlite3_close(s->h);
	free(s->path);
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
	S_release(s);
	*s = fresh;
	return 0;
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

/* Collects the source text of each term of a query, for search_match_expr. */
struct terms {
	const char *q;
	struct words w;
	int pass; /* 0: count the terms that would be kept; 1: write them */
	int keep_all, kept, phrase_terms;
	struct buf phrase, any;
	int n;
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
	(void)term;
	(void)n;
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
	if (straddles && !t->keep_all)
		return 0;
	buf_adds(&t->any, " OR ");
	S_quoted(&t->any, t->q + start, end - start);
	t->n++;
	return 0;
}

int search_match_expr(struct buf *out, const char *q, size_t n)
{
	struct terms t = {.q = q, .phrase = BUF_INIT, .any = BUF_INIT};
	if (S_words(q, n, &t.w) < 0) {
		free(t.w.word);
		free(t.w.chars);
		free(t.w.at);
		t.w.word = t.w.chars = NULL;
		t.w.at = NULL;
	}
	segment(q, n, S_term, &t);
	/* Nothing but straddling pairs ("人了"): keep them rather than search for nothing. */
	t.keep_all = t.kept == 0;
	t.pass = 1;
	segment(q, n, S_term, &t);
	free(t.w.word);
	free(t.w.chars);
	free(t.w.at);
	if (t.n == 1 && t.phrase_terms == 1) {
		buf_add(out, t.any.ptr + 4, t.any.len - 4);
	} else if (t.n > 0) {
		/* The exact phrase, then any of its terms: BM25 ranks phrase matches first. */
		buf_adds(out, "(");
		S_quoted(out, t.phrase.ptr, t.phrase.len);
		buf_add(out, t.any.ptr, t.any.len);
		buf_adds(out, ")");
	}
	buf_release(&t.phrase);
	buf_release(&t.any);
	return t.n;
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

int search_query(struct search *s, const char *locale, const char *q, size_t n, int offset,
                 int limit, struct search_hit **out, long long *total)
{
	struct buf expr = BUF_INIT, match = BUF_INIT;
	*out = NULL;
	*total = 0;
	if (n > SEARCH_QUERY_MAX) {
		n = SEARCH_QUERY_MAX;
		while (n > 0 && ((unsigned char)q[n] & 0xc0) == 0x80)
			n--; /* not in the middle of a character */
	}
	if (search_match_expr(&expr, q, n) == 0) {
		buf_release(&expr);
		return 0;
	}
	buf_adds(&match, "locale : ");
	S_quoted(&match, locale, strlen(locale));
	buf_adds(&match, " AND ");
	buf_add(&match, expr.ptr, expr.len);
	buf_release(&expr);

	int rc = -1, count = 0, cap = 0;
	struct search_hit *h = NULL;
	sqlite3_reset(s->count);
	sqlite3_bind_text(s->count, 1, match.ptr, (int)match.len, SQLITE_STATIC);
	if (sqlite3_step(s->count) != SQLITE_ROW)
		goto out;
	*total = sqlite3_column_int64(s->count, 0);
	sqlite3_reset(s->query);
	sqlite3_bind_text(s->query, 1, match.ptr, (int)match.len, SQLITE_STATIC);
	sqlite3_bind_int(s->query, 2, limit);
	sqlite3_bind_int(s->query, 3, offset);
	int step;
	while ((step = sqlite3_step(s->query)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			h = xrealloc(h, (size_t)cap * sizeof(*h));
		}
		struct search_hit *x = &h[count++];
		x->url = S_col(s->query, 0);
		x->title = S_col(s->query, 1);
		x->category = S_col(s->query, 2);
		x->category_url = S_col(s->query, 3);
		x->snippet = S_snippet((const char *)sqlite3_column_text(s->query, 4));
	}
	if (step != SQLITE_DONE) {
		search_hits_release(h, count);
		h = NULL;
		count = 0;
		goto out;
	}
	*out = h;
	rc = count;
out:
	sqlite3_reset(s->count);
	sqlite3_reset(s->query);
	buf_release(&match);
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
