/* segment.h - search terms from text: CJK as character bigrams, other words folded and stemmed. */
#ifndef OKPAY_SEGMENT_H
#define OKPAY_SEGMENT_H

#include <stddef.h>

/*
 * Chinese has no spaces between words, so the index cannot split on spaces. Every run of
 * CJK characters (Han, kana, Hangul) becomes its overlapping character bigrams, as Lucene's
 * CJK analyzer does: "忘记密码" gives 忘记 记密 密码, so a two-character word such as 密码 is
 * found wherever it occurs, and a phrase of bigrams matches the exact text first. A lone CJK
 * character is a term of its own. Other letters and digits form words: ASCII and full-width
 * letters folded to lower-case ASCII, Latin diacritics removed (é -> e), then a light English
 * stemmer (plurals, -ing, -ed: "transfers", "transferring"? no: "sending" -> "send",
 * "replies" -> "reply") and common English stop words dropped. Everything else (punctuation,
 * symbols, emoji, spaces, invalid UTF-8) separates terms.
 */

/** Longest word kept, in bytes; longer words are cut (they are never real search terms). */
#define SEGMENT_WORD_MAX 64

/**
 * Called for each term in order: the term (n bytes, not NUL-terminated), and the byte range
 * [start, end) of the text it came from. Return non-zero to stop; segment returns that value.
 */
typedef int (*segment_emit)(void *ctx, const char *term, size_t n, size_t start, size_t end);

/** Cut the n bytes at s into terms, calling emit for each. Returns 0 or emit's non-zero value. */
int segment(const char *s, size_t n, segment_emit emit, void *ctx);

struct sqlite3;
struct fts5_api;
/** Register segment as the FTS5 tokenizer "okpay" on the connection. 0 or -1. */
int segment_register(struct sqlite3 *db);
/** The connection's FTS5 API (to register tokenizers and functions), or NULL. */
struct fts5_api *segment_fts5(struct sqlite3 *db);

#endif
