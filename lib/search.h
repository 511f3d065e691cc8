/* search.h - the help center's search index: written by site-gen, read by the portal. */
#ifndef OKPAY_SEARCH_H
#define OKPAY_SEARCH_H

#include <stddef.h>

struct buf;

/*
 * The index is an SQLite database with one FTS5 table of articles (both locales) and the
 * tokenizer "okpay" (lib/segment.h): Chinese, Japanese and Korean text as overlapping
 * character bigrams, other words case-folded, without diacritics and lightly stemmed. A query's
 * Chinese is also cut into dictionary words (ICU) so that bigrams straddling two words ("转账多久"
 * gives 账多) are left out of it: they match articles by accident. Every SQL
 * statement of the index is in lib/search.c. The file is a build product: site-gen writes a
 * new one next to the old and renames it into place, so readers see the old or the new index,
 * never half of one; the portal notices the new file and reopens it.
 */

/** A document to index: one article. All strings UTF-8, NUL-terminated. */
struct search_doc {
	const char *locale;       /* "zh" or "en" */
	const char *url;          /* "/zh/payments/send-money/" */
	const char *title;        /* weighted highest */
	const char *headings;     /* the article's ## and ### headings, one per line */
	const char *keywords;     /* the summary and the tags: what the article is about */
	const char *summary;      /* front matter summary, shown under a hit without snippet */
	const char *body;         /* the text of the article, no markup */
	const char *category;     /* category title, shown with the hit */
	const char *category_url; /* "/zh/payments/" */
};

struct sqlite3;
/**
 * Register what reading an index needs on a connection of one's own (tools, benchmarks): the
 * tokenizer "okpay", the ranking function okrank and okunzip, which the view of the text
 * uses. 0 or -1. search_open and the writer do it themselves.
 */
int search_register(struct sqlite3 *h);

/* --- writing (site-gen) -------------------------------------------------------------------- */

struct search_writer;

/**
 * Start a new index at path + ".tmp" (an old temporary file is replaced). NULL with a message
 * in err on failure.
 */
struct search_writer *search_writer_open(const char *path, struct buf *err);
/** Add one document. 0 or -1 (message in err). */
int search_writer_add(struct search_writer *w, const struct search_doc *d, struct buf *err);
/**
 * Finish: optimise, close, and rename the temporary file to path (atomic). With commit 0 the
 * temporary file is removed instead (a failed build leaves the old index alone). Frees w.
 * Returns 0 or -1 (message in err).
 */
int search_writer_close(struct search_writer *w, int commit, struct buf *err);

/* --- reading (portal) ---------------------------------------------------------------------- */

/** Longest query that is searched, in bytes after trimming; longer ones are cut at a character. */
#define SEARCH_QUERY_MAX 200

struct search;

/**
 * Open the index at path read-only (one handle per thread). NULL with a message in err if it
 * cannot be opened or is not an index. search_refresh reopens it when site-gen has replaced
 * the file since.
 */
struct search *search_open(const char *path, struct buf *err);
/** Reopen if the file at the handle's path is another file now. 0, or -1 (handle unchanged). */
int search_refresh(struct search *s);
void search_close(struct search *s);

struct search_hit {
	char *url, *title, *category, *category_url;
	char *snippet; /* HTML: escaped text with matches in <mark>...</mark>, "…" at cuts */
};

/**
 * Search locale's articles for the text q as a person typed it (any bytes: it is never passed
 * to FTS5 as syntax). Hits are ranked by okrank (lib/search.c: BM25-like, the title weighted
 * above the headings and those above the body, and the exact text first). Every match is
 * scored without the exact phrase, and the best SEARCH_CANDIDATES (or offset + limit, if more)
 * are scored again with it; the rest keep the order of the first score. Fills *out with at
 * most limit hits from offset (caller frees with search_hits_release) and *total with the
 * number of matching articles. Returns the number of hits in *out, 0 when q has no searchable
 * terms, or -1 on an error.
 */
int search_query(struct search *s, const char *locale, const char *q, size_t n, int offset,
                 int limit, struct search_hit **out, long long *total);
void search_hits_release(struct search_hit *h, int n);

/** Matches scored again with the exact phrase by search_query, unless set otherwise. */
#define SEARCH_CANDIDATES 20
/**
 * How many of the first pass's best matches search_query scores again with the exact phrase;
 * n < 0: every match is scored with it in one pass (the full ranking, for tests and
 * benchmarks: slower on queries with thousands of matches). Kept across search_refresh.
 */
void search_set_candidates(struct search *s, int n);

/**
 * The FTS5 MATCH expression for the text q (n bytes) as search_query uses it, for tests and
 * logs: every term quoted, so that quotes, NEAR, '*', '-', ':', '^' and parentheses typed by
 * people are only text. Appends to out and returns the number of terms (0: nothing to search).
 */
int search_match_expr(struct buf *out, const char *q, size_t n);

#endif
