/* segment.c - the tokenizer of the search index, and its FTS5 wrapper. */
#include "segment.h"
#include "utf8.h"

#include <sqlite3.h>
#include <string.h>

/* Base letters of U+00C0..U+024F: diacritics removed; '?' keeps the letter; ' ' separates. */
static const char latin[] = "aaaaaaaceeeeiiiidnooooo ouuuuytsaaaaaaaceeeeiiiidnooooo ouuuuyty"
                            "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkklllllll"
                            "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
                            "????????????????????????????????oo?????????????uu???????????????"
                            "?????????????aaiioouuuuuuuuuu?aaaaaa??ggkkoooo??j???gg??nnaaaaoo"
                            "aaaaeeeeiiiioooorrrruuuusstt??hh??????aaeeooooooooyy????????????"
                            "????????????????";

/* Words too common to tell articles apart; dropped from the index and from queries. */
#define W(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}
static const struct {
	const char *w;
	size_t n;
} stop[] = {
    W("a"),     W("an"),    W("and"),  W("are"),  W("as"),   W("at"),   W("be"),   W("by"),
    W("can"),   W("do"),    W("does"), W("for"),  W("from"), W("how"),  W("i"),    W("if"),
    W("in"),    W("is"),    W("it"),   W("me"),   W("my"),   W("of"),   W("on"),   W("or"),
    W("so"),    W("that"),  W("the"),  W("this"), W("to"),   W("was"),  W("what"), W("when"),
    W("where"), W("which"), W("who"),  W("why"),  W("will"), W("with"), W("you"),  W("your"),
};
#undef W

static int S_cjk(long c)
{
	return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	       (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xac00 && c <= 0xd7af) || (c >= 0x20000 && c <= 0x2ffff);
}

/*
 * Append the folded form of a word character c to w (at most SEGMENT_WORD_MAX bytes); 0 if
 * c is not a word character.
 */
static int S_fold(long c, char *w, size_t *len)
{
	char tmp[4];
	size_t n = 0;
	if (c < 0x80 && *len < SEGMENT_WORD_MAX) { /* the common case, without the copy */
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
			w[(*len)++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			w[(*len)++] = (char)(c + 32);
		else
			return 0;
		return 1;
	}
	if (c >= 0xff01 && c <= 0xff5e)
		c -= 0xfee0; /* full-width ASCII */
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
		tmp[n++] = (char)c;
	} else if (c >= 'A' && c <= 'Z') {
		tmp[n++] = (char)(c + 32);
	} else if (c >= 0xc0 && c <= 0x24f) {
		char b = latin[c - 0xc0];
		if (b == ' ')
			return 0;
		if (b != '?') {
			tmp[n++] = b;
		} else {
			tmp[n++] = (char)(0xc0 | (c >> 6));
			tmp[n++] = (char)(0x80 | (c & 0x3f));
		}
	} else if ((c >= 0x370 && c <= 0x3ff) || (c >= 0x400 && c <= 0x4ff)) {
		/* Greek and Cyrillic letters count as letters, unfolded. */
		tmp[n++] = (char)(0xc0 | (c >> 6));
		tmp[n++] = (char)(0x80 | (c & 0x3f));
	} else {
		return 0;
	}
	if (*len + n <= SEGMENT_WORD_MAX) {
		memcpy(w + *len, tmp, n);
		*len += n;
	}
	return 1;
}

static int S_ends(const char *w, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	if (n <= k)
		return 0;
	/* A loop, not memcmp: the suffixes are 2 to 4 bytes and this runs for every word. */
	for (size_t i = 0; i < k; i++)
		if (w[n - k + i] != suffix[i])
			return 0;
	return 1;
}

/*
 * A light English stemmer, enough for plurals, -ing and -ed forms to meet their stems:
 * "replies" -> "reply", "sending" -> "send", "refused" and "refuse" -> "refus", "cancelled"
 * -> "cancel". It needs to be consistent, not pretty: index and queries share it.
 */
static size_t S_stem(char *w, size_t n)
{
	if (n > 4 && (S_ends(w, n, "ies") || S_ends(w, n, "ied"))) {
		w[n - 3] = 'y';
		return n - 2;
	}
	if (n > 4 && S_ends(w, n, "sses"))
		n -= 2;
	else if (n > 5 && S_ends(w, n, "ing"))
		n -= 3;
	else if (n > 4 && S_ends(w, n, "ed") && !S_ends(w, n, "eed"))
		n -= 2;
	else if (n > 3 && w[n - 1] == 's' && !S_ends(w, n, "ss") && !S_ends(w, n, "us") &&
	         !S_ends(w, n, "is"))
		n -= 1;
	if (n > 3 && w[n - 1] == 'e' && w[n - 2] != 'e')
		n -= 1; /* "arrive" and "arrived" meet at "arriv" */
	if (n > 3 && S_ends(w, n, "ell"))
		n -= 1; /* "cancelled" and "cancel" */
	return n;
}

static int S_stop(const char *w, size_t n)
{
	if (n > 5)
		return 0; /* no stop word is longer: most words end here */
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (stop[i].n == n && stop[i].w[0] == w[0] && memcmp(stop[i].w, w, n) == 0)
			return 1;
	return 0;
}

static int S_word(const char *w, size_t n, size_t start, size_t end, segment_emit emit, void *ctx)
{
	char buf[SEGMENT_WORD_MAX];
	if (S_stop(w, n))
		return 0;
	memcpy(buf, w, n);
	n = S_stem(buf, n);
	return emit(ctx, buf, n, start, end);
}

int segment(const char *s, size_t n, segment_emit emit, void *ctx)
{
	char w[SEGMENT_WORD_MAX];
	size_t wlen = 0, wstart = 0, i = 0;
	size_t prev = 0, prevlen = 0; /* the previous CJK character of the current run */
	int run = 0, in_word = 0, rc = 0;

	while (i < n && rc == 0) {
		size_t adv = 1;
		/* Most text of an English article is ASCII: no decoder call for it. */
		long c = (unsigned char)s[i] < 0x80 ? (unsigned char)s[i]
		                                    : utf8_decode(s + i, n - i, &adv);
		if (c >= 0 && S_cjk(c)) {
			if (in_word)
				rc = S_word(w, wlen, wstart, i, emit, ctx);
			in_word = 0;
			wlen = 0;
			if (run && rc == 0)
				rc = emit(ctx, s + prev, i + adv - prev, prev, i + adv);
			run++;
			prev = i;
			prevlen = adv;
		} else {
			if (run == 1)
				rc = emit(ctx, s + prev, prevlen, prev, prev + prevlen);
			run = 0;
			if (c >= 0 && S_fold(c, w, &wlen)) {
				if (!in_word)
					wstart = i;
				in_word = 1;
			} else if (in_word) {
				if (rc == 0)
					rc = S_word(w, wlen, wstart, i, emit, ctx);
				in_word = 0;
				wlen = 0;
			}
		}
		i += adv;
	}
	if (rc == 0 && in_word)
		rc = S_word(w, wlen, wstart, n, emit, ctx);
	if (rc == 0 && run == 1)
		rc = emit(ctx, s + prev, prevlen, prev, prev + prevlen);
	return rc;
}

/* --- FTS5 ---------------------------------------------------------------------------------- */

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
	static int instance; /* stateless: any non-NULL pointer will do */
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
	return n > 0 ? segment(text, (size_t)n, S_fts_emit, &f) : SQLITE_OK;
}

fts5_api *segment_fts5(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int segment_register(struct sqlite3 *db)
{
	static fts5_tokenizer tok = {S_create, S_delete, S_tokenize};
	fts5_api *api = segment_fts5(db);
	return api && api->xCreateTokenizer(api, "okpay", NULL, &tok, NULL) == SQLITE_OK ? 0 : -1;
}
