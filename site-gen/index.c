/* index.c - derived structure of the site, recomputed whole after every change (it is cheap). */
#include "index.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Category slugs that would shadow the portal's routes or the site's own files. */
static const char *reserved[] = {"account", "support", "feedback", "search", "contact",
                                 "assets",  "feed",    "404",      "_dev"};

int index_published(const struct article *a)
{
	return a->fm_ok && !a->fm.draft && a->cat;
}

struct article *index_by_rel(const struct site *site, const char *rel)
{
	size_t lo = 0, hi = site->nall;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(site->all[mid]->rel, rel);
		if (c == 0)
			return site->all[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct category *index_category(const struct site *site, enum locale l, const char *slug)
{
	const struct locale_site *ls = &site->loc[l];
	for (size_t i = 0; i < ls->ncats; i++)
		if (strcmp(ls->cats[i].slug, slug) == 0)
			return &ls->cats[i];
	return NULL;
}

/* URLs look like /zh/, /zh/contact/, /zh/<category>/ or /zh/<category>/<slug>/. */
struct article *index_by_url(const struct site *site, const char *url)
{
	char loc[3], cat[65], slug[65];
	int used = 0;
	if (sscanf(url, "/%2[a-z]/%64[a-z0-9-]/%64[a-z0-9-]/%n", loc, cat, slug, &used) != 3 ||
	    url[used] != '\0')
		return NULL;
	int l = locale_from_code(loc, strlen(loc));
	struct category *c = l < 0 ? NULL : index_category(site, (enum locale)l, cat);
	for (size_t i = 0; c && i < c->na; i++)
		if (strcmp(c->a[i]->slug, slug) == 0)
			return c->a[i];
	return NULL;
}

int index_is_page(const struct site *site, const char *url, size_t n)
{
	char *u = xstrndup(url, n);
	int ok = index_by_url(site, u) != NULL;
	for (int l = 0; l < LOCALE__MAX && !ok; l++) {
		const char *code = locale_info[l].code;
		char page[128];
		snprintf(page, sizeof(page), "/%s/", code);
		ok = strcmp(u, page) == 0;
		snprintf(page, sizeof(page), "/%s/contact/", code);
		ok = ok || strcmp(u, page) == 0;
		for (size_t i = 0; i < site->loc[l].ncats && !ok; i++)
			ok = strcmp(u, site->loc[l].cats[i].url) == 0;
	}
	free(u);
	return ok;
}

static void S_free_cats(struct locale_site *ls)
{
	for (size_t i = 0; i < ls->ncats; i++) {
		free(ls->cats[i].slug);
		free(ls->cats[i].title);
		free(ls->cats[i].description);
		free(ls->cats[i].icon);
		free(ls->cats[i].url);
		free(ls->cats[i].a);
	}
	free(ls->cats);
	free(ls->a);
	memset(ls, 0, sizeof(*ls));
}

void index_release(struct site *site)
{
	for (int l = 0; l < LOCALE__MAX; l++)
		S_free_cats(&site->loc[l]);
}

static int S_cmp_cat(const void *x, const void *y)
{
	const struct category *a = x, *b = y;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return strcmp(a->slug, b->slug);
}

static int S_cmp_article(const void *x, const void *y)
{
	const struct article *a = *(struct article *const *)x, *b = *(struct article *const *)y;
	if (a->cat != b->cat)
		return S_cmp_cat(a->cat, b->cat);
	if (a->fm.order != b->fm.order)
		return a->fm.order < b->fm.order ? -1 : 1;
	return strcmp(a->slug, b->slug);
}

/* Compare the part of the URL after the locale: "/login/faq/" pairs translations. */
static int S_cmp_path(const void *x, const void *y)
{
	const struct article *a = *(struct article *const *)x, *b = *(struct article *const *)y;
	return strcmp(strchr(a->url + 1, '/'), strchr(b->url + 1, '/'));
}

static void S_load_categories(struct site *site, enum locale l)
{
	struct locale_site *ls = &site->loc[l];
	struct conf c = {0};
	struct buf path = BUF_INIT;
	static const char *keys[] = {"title", "description", "order", "icon"};

	buf_addf(&path, "%s/%s/categories.conf", site->content_dir, locale_info[l].code);
	conf_load(&c, path.ptr, &site->err);
	ls->cats = xcalloc(c.n ? c.n : 1, sizeof(*ls->cats));
	for (size_t i = 0; i < c.n; i++) {
		const struct conf_section *s = &c.s[i];
		int bad = 0;
		if (!fm_valid_slug(s->name, strlen(s->name))) {
			buf_addf(&site->err, "%s:%d: [%s] is not a slug\n", path.ptr, s->line,
			         s->name);
			bad = 1;
		}
		for (size_t r = 0; r < ARRAY_LEN(reserved); r++)
			if (strcmp(s->name, reserved[r]) == 0) {
				buf_addf(&site->err,
				         "%s:%d: [%s] is reserved for the portal or the site\n",
				         path.ptr, s->line, s->name);
				bad = 1;
			}
		for (size_t k = 0; k < ARRAY_LEN(keys); k++)
			if (!conf_get(s, keys[k]) || !*conf_get(s, keys[k])->value) {
				buf_addf(&site->err, "%s:%d: [%s] needs '%s'\n", path.ptr, s->line,
				         s->name, keys[k]);
				bad = 1;
			}
		for (size_t k = 0; k < s->n; k++) {
			size_t r = 0;
			while (r < ARRAY_LEN(keys) && strcmp(s->e[k].key, keys[r]) != 0)
				r++;
			if (r == ARRAY_LEN(keys)) {
				buf_addf(
				    &site->err,
				    "%s:%d: unknown key '%s' (known: title, description, order, "
				    "icon)\n",
				    path.ptr, s->e[k].line, s->e[k].key);
				bad = 1;
			}
		}
		char *end = NULL;
		const struct conf_entry *order = conf_get(s, "order");
		long ord = order ? strtol(order->value, &end, 10) : 0;
		if (order && (end == order->value || *end)) {
			buf_addf(&site->err, "%s:%d: order must be a whole number\n", path.ptr,
			         order->line);
			bad = 1;
		}
		if (bad)
			continue;
		struct category *cat = &ls->cats[ls->ncats++];
		cat->slug = xstrdup(s->name);
		cat->title = xstrdup(conf_get(s, "title")->value);
		cat->description = xstrdup(conf_get(s, "description")->value);
		cat->icon = xstrdup(conf_get(s, "icon")->value);
		cat->order = ord;
		cat->line = s->line;
		struct buf url = BUF_INIT;
		buf_addf(&url, "/%s/%s/", locale_info[l].code, cat->slug);
		cat->url = buf_detach(&url, NULL);
	}
	qsort(ls->cats, ls->ncats, sizeof(*ls->cats), S_cmp_cat);
	conf_release(&c);
	buf_release(&path);
}

/* Every (tag, article) pair of a locale, sorted by tag: the candidates for related articles. */
struct tag_pair {
	const char *tag;
	struct article *a;
	size_t t;   /* index of the tag in a's list */
	size_t pos; /* a->pos, kept here so scoring touches no article */
};

static int S_cmp_pair(const void *x, const void *y)
{
	const struct tag_pair *a = x, *b = y;
	int c = strcmp(a->tag, b->tag);
	return c ? c : (a->pos < b->pos ? -1 : a->pos > b->pos);
}

/* A run of pairs with the same tag: [lo, hi) in the sorted pairs. */
struct tag_range {
	size_t lo, hi;
};

struct related_scratch {
	struct tag_pair *pairs; /* sorted by tag */
	size_t npairs;
	size_t *first;               /* by article position: its first entry in ranges */
	struct tag_range *ranges;    /* by article, by tag: the pairs sharing that tag */
	int *score;                  /* by article position, 0 between uses */
	const struct category **cat; /* by article position: its category */
	size_t *touched;             /* positions with a score */
	size_t ntouched;
};

static void S_touch(struct related_scratch *rs, size_t pos, int add)
{
	if (rs->score[pos] == 0)
		rs->touched[rs->ntouched++] = pos;
	rs->score[pos] += add;
}

/*
 * Related: each shared tag weighs 3, the same category 1; ties go to the category order.
 * Only articles that share a tag are scored; the rest of the category can only fill up.
 */
static void S_related(struct locale_site *ls, struct related_scratch *rs, struct article *a)
{
	for (size_t x = 0; x < a->fm.ntags; x++) {
		struct tag_range r = rs->ranges[rs->first[a->pos] + x];
		for (size_t k = r.lo; k < r.hi; k++)
			S_touch(rs, rs->pairs[k].pos, 3);
	}

	size_t nbest = 0;
	int best_score[RELATED_MAX];
	for (size_t t = 0; t < rs->ntouched; t++) {
		size_t pos = rs->touched[t];
		int s = rs->score[pos] + (rs->cat[pos] == a->cat);
		rs->score[pos] = 0;
		if (pos == a->pos)
			continue;
		if (nbest == RELATED_MAX &&
		    (s < best_score[nbest - 1] ||
		     (s == best_score[nbest - 1] && pos > a->related[nbest - 1]->pos)))
			continue;
		size_t k = nbest < RELATED_MAX ? nbest++ : RELATED_MAX - 1;
		while (k > 0 && (best_score[k - 1] < s ||
		                 (best_score[k - 1] == s && a->related[k - 1]->pos > pos))) {
			a->related[k] = a->related[k - 1];
			best_score[k] = best_score[k - 1];
			k--;
		}
		a->related[k] = ls->a[pos];
		best_score[k] = s;
	}
	/* Articles that share no tag score 1 for the category, below any shared tag: fill up. */
	for (size_t i = 0; i < a->cat->na && nbest < RELATED_MAX; i++) {
		struct article *b = a->cat->a[i];
		int seen = b == a;
		for (size_t k = 0; k < nbest && !seen; k++)
			seen = a->related[k] == b;
		if (!seen)
			a->related[nbest++] = b;
	}
	rs->ntouched = 0;
	a->nrelated = nbest;
}

static void S_all_related(struct locale_site *ls)
{
	struct related_scratch rs = {0};
	rs.first = xcalloc(ls->na + 1, sizeof(*rs.first));
	for (size_t i = 0; i < ls->na; i++) {
		rs.first[i] = rs.npairs;
		rs.npairs += ls->a[i]->fm.ntags;
	}
	rs.pairs = xcalloc(rs.npairs + 1, sizeof(*rs.pairs));
	rs.ranges = xcalloc(rs.npairs + 1, sizeof(*rs.ranges));
	rs.npairs = 0;
	for (size_t i = 0; i < ls->na; i++)
		for (size_t t = 0; t < ls->a[i]->fm.ntags; t++)
			rs.pairs[rs.npairs++] =
			    (struct tag_pair){ls->a[i]->fm.tags[t], ls->a[i], t, i};
	qsort(rs.pairs, rs.npairs, sizeof(*rs.pairs), S_cmp_pair);
	/* Compare tag strings once here, so that scoring needs no string comparison. */
	for (size_t lo = 0, hi; lo < rs.npairs; lo = hi) {
		for (hi = lo + 1; hi < rs.npairs && strcmp(rs.pairs[hi].tag, rs.pairs[lo].tag) == 0;
		     hi++)
			;
		for (size_t k = lo; k < hi; k++)
			rs.ranges[rs.first[rs.pairs[k].a->pos] + rs.pairs[k].t] =
			    (struct tag_range){lo, hi};
	}
	rs.score = xcalloc(ls->na + 1, sizeof(*rs.score));
	rs.cat = xcalloc(ls->na + 1, sizeof(*rs.cat));
	for (size_t i = 0; i < ls->na; i++)
		rs.cat[i] = ls->a[i]->cat;
	rs.touched = xcalloc(ls->na + 1, sizeof(*rs.touched));
	for (size_t i = 0; i < ls->na; i++)
		S_related(ls, &rs, ls->a[i]);
	free(rs.pairs);
	free(rs.ranges);
	free(rs.first);
	free(rs.score);
	free(rs.cat);
	free(rs.touched);
}

int index_site(struct site *site)
{
	for (int l = 0; l < LOCALE__MAX; l++) {
		S_free_cats(&site->loc[l]);
		S_load_categories(site, (enum locale)l);
		site->loc[l].a = xcalloc(site->nall ? site->nall : 1, sizeof(struct article *));
	}

	for (size_t i = 0; i < site->nall; i++) {
		struct article *a = site->all[i];
		buf_truncate(&a->err, a->err_load);
		a->cat = NULL;
		a->prev = a->next = a->translation = NULL;
		a->nrelated = 0;
		free(a->url);
		a->url = NULL;
		if (!a->fm_ok)
			continue;
		a->cat = index_category(site, a->locale, a->fm.category);
		if (!a->cat) {
			buf_addf(&a->err,
			         "%s:%d: unknown category '%s' (see %s/%s/categories.conf)\n",
			         a->path, a->fm.line[FM_CATEGORY], a->fm.category,
			         site->content_dir, locale_info[a->locale].code);
			continue;
		}
		struct buf url = BUF_INIT;
		buf_addf(&url, "%s%s/", a->cat->url, a->slug);
		a->url = buf_detach(&url, NULL);
		if (a->fm.draft)
			continue;
		struct locale_site *ls = &site->loc[a->locale];
		ls->a[ls->na++] = a;
	}

	/* URLs are unique: sort by path and drop the later of each pair. */
	struct article **by_slug[LOCALE__MAX];
	for (int l = 0; l < LOCALE__MAX; l++) {
		struct locale_site *ls = &site->loc[l];
		by_slug[l] = xcalloc(ls->na + 1, sizeof(struct article *));
		memcpy(by_slug[l], ls->a, ls->na * sizeof(struct article *));
		qsort(by_slug[l], ls->na, sizeof(struct article *), S_cmp_path);
		size_t kept = 0;
		for (size_t i = 0; i < ls->na; i++) {
			struct article *a = by_slug[l][i];
			if (kept && S_cmp_path(&by_slug[l][kept - 1], &a) == 0) {
				buf_addf(&a->err, "%s:1: %s is already the address of %s\n",
				         a->path, a->url, by_slug[l][kept - 1]->path);
				a->cat = NULL;
				continue;
			}
			by_slug[l][kept++] = a;
		}
		ls->na = kept;
		memcpy(ls->a, by_slug[l], kept * sizeof(struct article *));
	}

	for (int l = 0; l < LOCALE__MAX; l++) {
		struct locale_site *ls = &site->loc[l];
		qsort(ls->a, ls->na, sizeof(*ls->a), S_cmp_article);
		for (size_t i = 0; i < ls->na; i++) {
			struct category *c = ls->a[i]->cat;
			c->a = xrealloc(c->a, (c->na + 1) * sizeof(*c->a));
			c->a[c->na++] = ls->a[i];
		}
		for (size_t i = 0; i < ls->ncats; i++) {
			struct category *c = &ls->cats[i];
			for (size_t k = 0; k < c->na; k++) {
				c->a[k]->prev = k ? c->a[k - 1] : NULL;
				c->a[k]->next = k + 1 < c->na ? c->a[k + 1] : NULL;
			}
		}
		for (size_t i = 0; i < ls->na; i++)
			ls->a[i]->pos = i;
		S_all_related(ls);
	}

	/* Translations share category and slug; a missing one is a warning, not an error. */
	for (size_t i = 0; i < site->loc[LOCALE_ZH].na; i++) {
		struct article *a = by_slug[LOCALE_ZH][i];
		struct article **t = bsearch(&a, by_slug[LOCALE_EN], site->loc[LOCALE_EN].na,
		                             sizeof(struct article *), S_cmp_path);
		if (t) {
			a->translation = *t;
			(*t)->translation = a;
		}
	}
	for (int l = 0; l < LOCALE__MAX; l++)
		free(by_slug[l]);
	for (int l = 0; l < LOCALE__MAX; l++)
		for (size_t i = 0; i < site->loc[l].na; i++)
			if (!site->loc[l].a[i]->translation)
				buf_addf(&site->warn,
				         "%s: warning: no %s translation yet (its language switch "
				         "leads to the %s category page)\n",
				         site->loc[l].a[i]->path, locale_info[!l].code,
				         locale_info[!l].code);
	return 0;
}
