/* search.c - the search index: every SQL statement of build/search.db is here. */
#include "search.h"
#include "buf.h"
#include "html.h"
#include "segment.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT "okpay-search 1" /* meta.format: what search_open accepts */

static const char schema[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO meta VALUES ('format', '" FORMAT "');"
    /* locale is indexed (weight 0) so that a query can be limited to one language. */
    "CREATE VIRTUAL TABLE articles USING fts5(title, headings, body, locale,"
    " url UNINDEXED, summary UNINDEXED, category UNINDEXED, category_url UNINDEXED,"
    " tokenize = 'okpay');";

/* Title ten times the body, headings five times: a word in a title says most. */
#define RANK "bm25(articles, 10.0, 5.0, 1.0, 0.0)"

static const char sql_insert[] = "INSERT INTO articles (title, headings, body, locale, url,"
                                 " summary, category, category_url)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_query[] = "SELECT url, title, category, category_url,"
                                " snippet(articles, 2, char(1), char(2), '…', 24) FROM articles"
                                " WHERE articles MATCH ?1 ORDER BY " RANK " LIMIT ?2 OFFSET ?3";
static const char sql_count[] = "SELECT count(*) FROM articles WHERE articles MATCH ?1";

struct search_writer {
	sqlite3 *h;
	sqlite3_stmt *insert;
	char *path, *tmp;
};

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
	    sqlite3_exec(w->h, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;", NULL,
	                 NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(w->h, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->h, sql_insert, -1, &w->insert, NULL) != SQLITE_OK) {
		S_err(err, w->h, w->tmp);
		search_writer_close(w, 0, err);
		return NULL;
	}
	return w;
}

int search_writer_add(struct search_writer *w, const struct search_doc *d, struct buf *err)
{
	const char *v[] = {d->title, d->headings, d->body,     d->locale,
	                   d->url,   d->summary,  d->category, d->category_url};
	sqlite3_reset(w->insert);
	for (int i = 0; i < 8; i++)
		sqlite3_bind_text(w->insert, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
	if (sqlite3_step(w->insert) != SQLITE_DONE) {
		S_err(err, w->h, d->url);
		return -1;
	}
	return 0;
}

int search_writer_close(struct search_writer *w, int commit, struct buf *err)
{
	int rc = 0;
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

/* --- reading ------------------------------------------------------------------------------- */

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
	         segment_register(s->h) == 0 &&
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

/* Collects the source text of each term of a query, for search_match_expr. */
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
	/*
	 * FTS5 tokenizes the strings of a MATCH expression with the table's tokenizer again, so
	 * each term is given as the text it came from: it becomes the very same term.
	 */
	if (t->phrase.len)
		buf_addc(&t->phrase, ' ');
	buf_add(&t->phrase, t->q + start, end - start);
	buf_adds(&t->any, " OR ");
	S_quoted(&t->any, t->q + start, end - start);
	t->n++;
	return 0;
}

int search_match_expr(struct buf *out, const char *q, size_t n)
{
	struct terms t = {q, BUF_INIT, BUF_INIT, 0};
	segment(q, n, S_term, &t);
	if (t.n == 1) {
		buf_add(out, t.any.ptr + 4, t.any.len - 4);
	} else if (t.n > 1) {
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
