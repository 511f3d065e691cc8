/* pages.c - page data for the templates, structured data, feeds, sitemap and redirects. */
#include "pages.h"
#include "buf.h"
#include "html.h"
#include "index.h"
#include "links.h"
#include "tmpl.h"
#include "tv.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>

static int S_write_direct(const char *path, const struct buf *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < data->len) {
		ssize_t w = write(fd, data->ptr + off, data->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

int pages_write(const char *dir, const char *url_path, const struct buf *data, int in_place,
                struct buf *err)
{
	struct buf path = BUF_INIT;
	int rc = -1;
	buf_adds(&path, dir);
	size_t base = path.len;
	buf_adds(&path, url_path);
	if (path.ptr[path.len - 1] == '/')
		buf_adds(&path, "index.html");

	/* Usually only the page's own directory is missing: one mkdir, else the whole chain. */
	char *slash = strrchr(path.ptr, '/');
	*slash = '\0';
	int made = mkdir(path.ptr, 0755) == 0 || errno == EEXIST;
	for (size_t i = base + 1; !made && i <= path.len; i++) {
		if (path.ptr[i] != '/' && path.ptr[i] != '\0')
			continue;
		char c = path.ptr[i];
		path.ptr[i] = '\0';
		if (mkdir(path.ptr, 0755) < 0 && errno != EEXIST) {
			buf_addf(err, "%s: %s\n", path.ptr, strerror(errno));
			goto out;
		}
		path.ptr[i] = c;
		made = c == '\0' || (path.ptr + i == slash);
	}
	*slash = '/';
	/*
	 * A page being replaced in a live site is swapped in whole, and only if it changed (its
	 * date then still says when it did); a fresh tree is written directly.
	 */
	if (in_place) {
		struct buf old = BUF_INIT;
		int same = buf_read_file(&old, path.ptr) == 0 && old.len == data->len &&
		           memcmp(old.ptr, data->ptr, data->len) == 0;
		buf_release(&old);
		if (same) {
			rc = 0;
			goto out;
		}
	}
	if ((in_place ? buf_write_file(path.ptr, data->ptr, data->len)
	              : S_write_direct(path.ptr, data)) < 0) {
		buf_addf(err, "%s: %s\n", path.ptr, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	buf_release(&path);
	return rc;
}

int pages_render_body(struct site *site, struct article *a)
{
	struct links_ctx ctx = {site, a};
	md_doc_release(&a->doc);
	for (size_t i = 0; i < a->nrefs; i++)
		free(a->refs[i].id);
	free(a->refs);
	a->refs = NULL;
	a->nrefs = 0;
	return md_render(&a->doc, a->path, a->fm.body_line, a->src.ptr + a->fm.body_off,
	                 a->src.len - a->fm.body_off, a->locale, links_resolve, &ctx, &a->err);
}

/* Fragment for an href: bytes outside printable ASCII percent-encoded, as browsers send them. */
static void S_pct_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '"' && *p != '%' && *p != '<' && *p != '>')
			buf_addc(b, (char)*p);
		else
			buf_addf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

static void S_abs(struct buf *b, const struct site *site, const char *path)
{
	buf_adds(b, site->base_url);
	buf_adds(b, path);
}

static void S_set_url(struct tv *obj, const char *key, enum locale l, const char *rest)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s/%s", locale_info[l].code, rest);
	tv_set_strn(obj, key, b.ptr, b.len);
	buf_release(&b);
}

static void S_json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	html_json_string(b, s, strlen(s));
	buf_addc(b, '"');
}

static void S_json_url(struct buf *b, const struct site *site, const char *path)
{
	struct buf u = BUF_INIT;
	S_abs(&u, site, path);
	S_json_str(b, u.ptr);
	buf_release(&u);
}

/* JSON-LD for an article: BreadcrumbList and Article. Data, not script: CSP does not run it. */
static void S_article_jsonld(struct buf *b, const struct site *site, const struct article *a)
{
	enum locale l = a->locale;
	char home[8];
	snprintf(home, sizeof(home), "/%s/", locale_info[l].code);
	buf_adds(b, "[{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
	            "\"itemListElement\":[");
	buf_adds(b, "{\"@type\":\"ListItem\",\"position\":1,\"name\":");
	S_json_str(b, i18n_get(&site->theme.ui, l, "site_name"));
	buf_adds(b, ",\"item\":");
	S_json_url(b, site, home);
	buf_adds(b, "},{\"@type\":\"ListItem\",\"position\":2,\"name\":");
	S_json_str(b, a->cat->title);
	buf_adds(b, ",\"item\":");
	S_json_url(b, site, a->cat->url);
	buf_adds(b, "},{\"@type\":\"ListItem\",\"position\":3,\"name\":");
	S_json_str(b, a->fm.title);
	buf_adds(b, ",\"item\":");
	S_json_url(b, site, a->url);
	buf_adds(b, "}]},{\"@context\":\"https://schema.org\",\"@type\":\"Article\",\"headline\":");
	S_json_str(b, a->fm.title);
	buf_adds(b, ",\"description\":");
	S_json_str(b, a->fm.summary);
	buf_adds(b, ",\"inLanguage\":");
	S_json_str(b, locale_info[l].html_lang);
	buf_adds(b, ",\"dateModified\":");
	S_json_str(b, a->fm.updated);
	buf_adds(b, ",\"mainEntityOfPage\":");
	S_json_url(b, site, a->url);
	buf_adds(b, ",\"publisher\":{\"@type\":\"Organization\",\"name\":\"OKpay\"}}]");
}

static void S_breadcrumb(struct tv *list, const char *title, const char *url)
{
	struct tv *e = tv_push_obj(list);
	tv_set_str(e, "title", title);
	if (url)
		tv_set_str(e, "url", url);
}

static void S_link_obj(struct tv *obj, const char *key, const struct article *a)
{
	if (!a)
		return;
	struct tv *o = tv_set_obj(obj, key);
	tv_set_str(o, "title", a->fm.title);
	tv_set_str(o, "url", a->url);
}

static const char *S_switch_for(const struct site *site, const struct article *a, char *tmp,
                                size_t n)
{
	enum locale o = (enum locale) !a->locale;
	if (a->translation)
		return a->translation->url;
	const struct category *c = index_category(site, o, a->cat->slug);
	if (c)
		return c->url;
	snprintf(tmp, n, "/%s/", locale_info[o].code);
	return tmp;
}

int pages_article(const struct site *site, const struct article *a, struct buf *out,
                  struct buf *err)
{
	char tmp[16];
	struct buf date = BUF_INIT, ld = BUF_INIT;
	struct theme_page p = {
	    .kind = "article",
	    .title = a->fm.title,
	    .description = a->fm.summary,
	    .path = a->url,
	    .other_path = a->translation ? a->translation->url : NULL,
	    .switch_path = S_switch_for(site, a, tmp, sizeof(tmp)),
	};
	struct tv *layout = theme_layout(&site->theme, a->locale, &p);
	struct tv *body = tv_new_obj();

	struct tv *bc = tv_set_list(layout, "breadcrumbs");
	tv_set_bool(layout, "has_breadcrumbs", 1);
	S_breadcrumb(bc, i18n_get(&site->theme.ui, a->locale, "home"),
	             tv_str(tv_get(layout, "home_url", 8), NULL));
	S_breadcrumb(bc, a->cat->title, a->cat->url);
	S_breadcrumb(bc, a->fm.title, NULL);
	S_article_jsonld(&ld, site, a);
	tv_set_strn(layout, "jsonld", ld.ptr, ld.len);

	tv_set_ref(body, "t", site->theme.ui.strings[a->locale]);
	tv_set_str(body, "title", a->fm.title);
	tv_set_str(body, "summary", a->fm.summary);
	tv_set_str(body, "url", a->url);
	tv_set_str(body, "updated", a->fm.updated);
	i18n_date(&date, a->locale, a->fm.updated);
	tv_set_strn(body, "updated_human", date.ptr, date.len);
	tv_set_str(body, "feedback_url", tv_str(tv_get(layout, "feedback_url", 12), NULL));
	tv_set_str(body, "ticket_url", tv_str(tv_get(layout, "ticket_url", 10), NULL));
	struct tv *cat = tv_set_obj(body, "category");
	tv_set_str(cat, "title", a->cat->title);
	tv_set_str(cat, "url", a->cat->url);
	tv_set_strn(body, "body", a->doc.html.ptr, a->doc.html.len);

	struct tv *toc = tv_set_list(body, "toc");
	for (size_t i = 0; i < a->doc.nh; i++) {
		if (a->doc.h[i].level != 2 && a->doc.h[i].level != 3)
			continue;
		struct tv *e = tv_push_obj(toc);
		tv_set_int(e, "level", a->doc.h[i].level);
		tv_set_str(e, "id", a->doc.h[i].id);
		struct buf href = BUF_INIT;
		S_pct_encode(&href, a->doc.h[i].id);
		tv_set_strn(e, "href", href.ptr, href.len);
		buf_release(&href);
		tv_set_str(e, "text", a->doc.h[i].text);
	}
	tv_set_bool(body, "has_toc", tv_count(toc) >= 2);
	S_link_obj(body, "prev", a->prev);
	S_link_obj(body, "next", a->next);
	tv_set_bool(body, "has_pager", a->prev || a->next);
	struct tv *rel = tv_set_list(body, "related");
	for (size_t i = 0; i < a->nrelated; i++) {
		struct tv *e = tv_push_obj(rel);
		tv_set_str(e, "title", a->related[i]->fm.title);
		tv_set_str(e, "url", a->related[i]->url);
	}
	tv_set_bool(body, "has_related", a->nrelated > 0);

	int rc = theme_render(&site->theme, layout, "article", body, out, err);
	tv_free(body);
	tv_free(layout);
	buf_release(&date);
	buf_release(&ld);
	return rc;
}

static unsigned long long S_fp(unsigned long long h, const char *s)
{
	return util_hash64_add(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

unsigned long long pages_fingerprint(const struct site *site, const struct article *a)
{
	const char *fields[] = {
	    a->url,        a->fm.title,     a->fm.summary,  a->fm.updated,     a->cat->title,
	    a->cat->url,   site->theme.css, site->theme.js, site->theme.icons, site->theme.favicon,
	    site->base_url};
	const struct article *links[] = {a->prev, a->next, a->translation};
	unsigned long long h = util_hash64(&a->body_hash, sizeof(a->body_hash));

	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		h = S_fp(h, fields[i]);
	for (size_t i = 0; i < ARRAY_LEN(links); i++) {
		h = S_fp(h, links[i] ? links[i]->url : NULL);
		h = S_fp(h, links[i] ? links[i]->fm.title : NULL);
	}
	for (size_t i = 0; i < a->nrelated; i++) {
		h = S_fp(h, a->related[i]->url);
		h = S_fp(h, a->related[i]->fm.title);
	}
	if (!a->translation) {
		const struct category *c =
		    index_category(site, (enum locale) !a->locale, a->cat->slug);
		h = S_fp(h, c ? c->url : NULL);
	}
	return h ? h : 1;
}

static void S_categories(const struct site *site, enum locale l, struct tv *body, size_t top)
{
	struct tv *list = tv_set_list(body, "categories");
	const struct locale_site *ls = &site->loc[l];
	for (size_t i = 0; i < ls->ncats; i++) {
		const struct category *c = &ls->cats[i];
		if (c->na == 0)
			continue;
		struct tv *e = tv_push_obj(list);
		tv_set_str(e, "title", c->title);
		tv_set_str(e, "description", c->description);
		tv_set_str(e, "url", c->url);
		tv_set_str(e, "icon", c->icon);
		tv_set_int(e, "count", (long long)c->na);
		struct tv *t = tv_set_list(e, "top");
		for (size_t k = 0; k < c->na && k < top; k++) {
			struct tv *x = tv_push_obj(t);
			tv_set_str(x, "title", c->a[k]->fm.title);
			tv_set_str(x, "url", c->a[k]->url);
		}
	}
}

static void S_article_list(struct tv *obj, const struct category *c)
{
	struct tv *list = tv_set_list(obj, "articles");
	for (size_t k = 0; k < c->na; k++) {
		struct tv *x = tv_push_obj(list);
		tv_set_str(x, "title", c->a[k]->fm.title);
		tv_set_str(x, "summary", c->a[k]->fm.summary);
		tv_set_str(x, "url", c->a[k]->url);
	}
}

static int S_emit(struct site *site, const char *dir, const char *path, struct buf *page)
{
	int rc = pages_write(dir, path, page, site->in_place, &site->err);
	buf_reset(page);
	return rc;
}

/* Home, category, contact and 404 pages of locale l; with only set, just home and that category. */
static int S_locale_pages(struct site *site, enum locale l, const char *dir,
                          const struct category *only)
{
	enum locale o = (enum locale) !l;
	struct buf page = BUF_INIT, path = BUF_INIT, other = BUF_INIT;
	int rc = 0;
	const char *code = locale_info[l].code, *ocode = locale_info[o].code;

	/* Home. */
	buf_addf(&path, "/%s/", code);
	buf_addf(&other, "/%s/", ocode);
	struct theme_page p = {"home",
	                       i18n_get(&site->theme.ui, l, "site_name"),
	                       i18n_get(&site->theme.ui, l, "hero_text"),
	                       path.ptr,
	                       other.ptr,
	                       other.ptr,
	                       1};
	struct tv *layout = theme_layout(&site->theme, l, &p), *body = tv_new_obj();
	tv_set_ref(body, "t", site->theme.ui.strings[l]);
	tv_set_ref(body, "page", tv_get(layout, "page", 4));
	S_set_url(body, "search_url", l, "search");
	S_set_url(body, "contact_url", l, "contact/");
	S_set_url(body, "ticket_url", l, "support/contact");
	tv_set_str(body, "icons", site->theme.icons);
	S_categories(site, l, body, HOME_TOP);
	if (theme_render(&site->theme, layout, "home", body, &page, &site->err) < 0 ||
	    S_emit(site, dir, path.ptr, &page) < 0)
		rc = -1;
	tv_free(body);
	tv_free(layout);

	/* Categories. */
	for (size_t i = 0; i < site->loc[l].ncats; i++) {
		const struct category *c = &site->loc[l].cats[i];
		if (only && c != only)
			continue;
		const struct category *oc = index_category(site, o, c->slug);
		struct theme_page cp = {"category",
		                        c->title,
		                        c->description,
		                        c->url,
		                        oc ? oc->url : NULL,
		                        oc ? oc->url : other.ptr,
		                        0};
		layout = theme_layout(&site->theme, l, &cp);
		body = tv_new_obj();
		struct tv *bc = tv_set_list(layout, "breadcrumbs");
		tv_set_bool(layout, "has_breadcrumbs", 1);
		S_breadcrumb(bc, i18n_get(&site->theme.ui, l, "home"), path.ptr);
		S_breadcrumb(bc, c->title, NULL);
		tv_set_ref(body, "t", site->theme.ui.strings[l]);
		tv_set_str(body, "title", c->title);
		tv_set_str(body, "description", c->description);
		tv_set_str(body, "icon", c->icon);
		tv_set_str(body, "icons", site->theme.icons);
		tv_set_str(body, "home_url", path.ptr);
		S_set_url(body, "contact_url", l, "contact/");
		S_set_url(body, "ticket_url", l, "support/contact");
		S_article_list(body, c);
		if (theme_render(&site->theme, layout, "category", body, &page, &site->err) < 0 ||
		    S_emit(site, dir, c->url, &page) < 0)
			rc = -1;
		tv_free(body);
		tv_free(layout);
	}

	if (only)
		goto out;

	/* Contact. */
	buf_reset(&path);
	buf_addf(&path, "/%s/contact/", code);
	buf_reset(&other);
	buf_addf(&other, "/%s/contact/", ocode);
	struct theme_page kp = {"contact",
	                        i18n_get(&site->theme.ui, l, "contact_page_title"),
	                        i18n_get(&site->theme.ui, l, "contact_page_summary"),
	                        path.ptr,
	                        other.ptr,
	                        other.ptr,
	                        0};
	layout = theme_layout(&site->theme, l, &kp);
	body = tv_new_obj();
	struct tv *bc = tv_set_list(layout, "breadcrumbs");
	tv_set_bool(layout, "has_breadcrumbs", 1);
	char home[8];
	snprintf(home, sizeof(home), "/%s/", code);
	S_breadcrumb(bc, i18n_get(&site->theme.ui, l, "home"), home);
	S_breadcrumb(bc, kp.title, NULL);
	tv_set_ref(body, "t", site->theme.ui.strings[l]);
	tv_set_str(body, "icons", site->theme.icons);
	S_set_url(body, "ticket_url", l, "support/contact");
	const struct category *cs = index_category(site, l, "customer-service");
	if (cs) {
		struct tv *c = tv_set_obj(body, "category");
		tv_set_str(c, "title", cs->title);
		S_article_list(c, cs);
	}
	if (theme_render(&site->theme, layout, "contact", body, &page, &site->err) < 0 ||
	    S_emit(site, dir, path.ptr, &page) < 0)
		rc = -1;
	tv_free(body);
	tv_free(layout);

	/* Not found: no canonical URL, served by nginx for any missing path of the locale. */
	buf_reset(&other);
	buf_addf(&other, "/%s/", ocode);
	struct theme_page np = {"notfound",
	                        i18n_get(&site->theme.ui, l, "not_found_title"),
	                        i18n_get(&site->theme.ui, l, "not_found_text"),
	                        NULL,
	                        NULL,
	                        other.ptr,
	                        1};
	layout = theme_layout(&site->theme, l, &np);
	body = tv_new_obj();
	tv_set_ref(body, "t", site->theme.ui.strings[l]);
	tv_set_ref(body, "page", tv_get(layout, "page", 4));
	tv_set_str(body, "icons", site->theme.icons);
	S_set_url(body, "search_url", l, "search");
	S_set_url(body, "home_url", l, "");
	S_categories(site, l, body, 0);
	buf_reset(&path);
	buf_addf(&path, "/%s/404.html", code);
	if (theme_render(&site->theme, layout, "notfound", body, &page, &site->err) < 0 ||
	    pages_write(dir, path.ptr, &page, site->in_place, &site->err) < 0)
		rc = -1;
	if (l == LOCALE_ZH && pages_write(dir, "/404.html", &page, site->in_place, &site->err) < 0)
		rc = -1;
	tv_free(body);
	tv_free(layout);

out:
	buf_release(&page);
	buf_release(&path);
	buf_release(&other);
	return rc;
}

static int S_cmp_updated(const void *x, const void *y)
{
	const struct article *a = *(struct article *const *)x, *b = *(struct article *const *)y;
	int c = strcmp(b->fm.updated, a->fm.updated);
	return c ? c : strcmp(a->url, b->url);
}

#define FEED_MAX 20

static int S_feed(struct site *site, enum locale l, const char *dir)
{
	const struct locale_site *ls = &site->loc[l];
	struct article **sorted = xcalloc(ls->na + 1, sizeof(*sorted));
	struct buf x = BUF_INIT, u = BUF_INIT, path = BUF_INIT;
	memcpy(sorted, ls->a, ls->na * sizeof(*sorted));
	qsort(sorted, ls->na, sizeof(*sorted), S_cmp_updated);

	const char *title = i18n_get(&site->theme.ui, l, "feed_title");
	buf_addf(&path, "/%s/feed.xml", locale_info[l].code);
	buf_adds(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	buf_adds(&x, locale_info[l].html_lang);
	buf_adds(&x, "\">\n<title>");
	html_xml(&x, title, strlen(title));
	buf_adds(&x, "</title>\n<id>");
	S_abs(&u, site, path.ptr);
	html_xml(&x, u.ptr, u.len);
	buf_adds(&x, "</id>\n<link rel=\"self\" href=\"");
	html_xml(&x, u.ptr, u.len);
	buf_reset(&u);
	buf_adds(&x, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	char home[8];
	snprintf(home, sizeof(home), "/%s/", locale_info[l].code);
	S_abs(&u, site, home);
	html_xml(&x, u.ptr, u.len);
	buf_addf(&x, "\"/>\n<updated>%sT00:00:00Z</updated>\n<author><name>OKpay</name></author>\n",
	         ls->na ? sorted[0]->fm.updated : "2026-01-01");
	for (size_t i = 0; i < ls->na && i < FEED_MAX; i++) {
		const struct article *a = sorted[i];
		buf_reset(&u);
		S_abs(&u, site, a->url);
		buf_adds(&x, "<entry>\n<title>");
		html_xml(&x, a->fm.title, strlen(a->fm.title));
		buf_adds(&x, "</title>\n<id>");
		html_xml(&x, u.ptr, u.len);
		buf_adds(&x, "</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
		html_xml(&x, u.ptr, u.len);
		buf_addf(&x, "\"/>\n<updated>%sT00:00:00Z</updated>\n<summary>", a->fm.updated);
		html_xml(&x, a->fm.summary, strlen(a->fm.summary));
		buf_adds(&x, "</summary>\n</entry>\n");
	}
	buf_adds(&x, "</feed>\n");
	int rc = pages_write(dir, path.ptr, &x, site->in_place, &site->err);
	free(sorted);
	buf_release(&x);
	buf_release(&u);
	buf_release(&path);
	return rc;
}

static void S_sitemap_url(struct buf *x, const struct site *site, const char *path,
                          const char *lastmod, const char *alt[LOCALE__MAX])
{
	buf_adds(x, "<url><loc>");
	struct buf u = BUF_INIT;
	S_abs(&u, site, path);
	html_xml(x, u.ptr, u.len);
	buf_adds(x, "</loc>");
	if (lastmod)
		buf_addf(x, "<lastmod>%s</lastmod>", lastmod);
	for (int l = 0; alt && l < LOCALE__MAX; l++) {
		if (!alt[l])
			continue;
		buf_reset(&u);
		S_abs(&u, site, alt[l]);
		buf_addf(x, "<xhtml:link rel=\"alternate\" hreflang=\"%s\" href=\"",
		         locale_info[l].html_lang);
		html_xml(x, u.ptr, u.len);
		buf_adds(x, "\"/>");
	}
	buf_adds(x, "</url>\n");
	buf_release(&u);
}

static int S_sitemap(struct site *site, const char *dir)
{
	struct buf x = BUF_INIT, robots = BUF_INIT;
	buf_adds(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
	             "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
	for (int l = 0; l < LOCALE__MAX; l++) {
		enum locale o = (enum locale) !l;
		char home[8], ohome[8], contact[16], ocontact[16];
		snprintf(home, sizeof(home), "/%s/", locale_info[l].code);
		snprintf(ohome, sizeof(ohome), "/%s/", locale_info[o].code);
		snprintf(contact, sizeof(contact), "/%s/contact/", locale_info[l].code);
		snprintf(ocontact, sizeof(ocontact), "/%s/contact/", locale_info[o].code);
		const char *alt[LOCALE__MAX];
		alt[l] = home;
		alt[o] = ohome;
		S_sitemap_url(&x, site, home, NULL, alt);
		alt[l] = contact;
		alt[o] = ocontact;
		S_sitemap_url(&x, site, contact, NULL, alt);
		for (size_t i = 0; i < site->loc[l].ncats; i++) {
			const struct category *c = &site->loc[l].cats[i];
			const struct category *oc = index_category(site, o, c->slug);
			alt[l] = c->url;
			alt[o] = oc ? oc->url : NULL;
			S_sitemap_url(&x, site, c->url, NULL, alt);
		}
		for (size_t i = 0; i < site->loc[l].na; i++) {
			const struct article *a = site->loc[l].a[i];
			alt[l] = a->url;
			alt[o] = a->translation ? a->translation->url : NULL;
			S_sitemap_url(&x, site, a->url, a->fm.updated, alt);
		}
	}
	buf_adds(&x, "</urlset>\n");
	buf_adds(&robots, "User-agent: *\nDisallow: /zh/account/\nDisallow: /en/account/\n"
	                  "Disallow: /zh/support/\nDisallow: /en/support/\n"
	                  "Disallow: /zh/search\nDisallow: /en/search\n\nSitemap: ");
	S_abs(&robots, site, "/sitemap.xml\n");
	int rc = pages_write(dir, "/sitemap.xml", &x, site->in_place, &site->err) |
	         pages_write(dir, "/robots.txt", &robots, site->in_place, &site->err);
	buf_release(&x);
	buf_release(&robots);
	return rc ? -1 : 0;
}

/*
 * Aliases: a map that nginx includes (301 before anything else), a _redirects file in the
 * format static hosts read, and a small HTML page at each old path for any other CDN.
 */
static int S_redirects(struct site *site, const char *dir)
{
	struct buf map = BUF_INIT, netlify = BUF_INIT, stub = BUF_INIT, path = BUF_INIT;
	int rc = 0;
	buf_adds(&map, "# generated by site-gen from the articles' aliases\n");
	for (size_t i = 0; i < site->nall; i++) {
		const struct article *a = site->all[i];
		if (!index_published(a))
			continue;
		for (size_t k = 0; k < a->fm.naliases; k++) {
			const char *al = a->fm.aliases[k];
			if (index_is_page(site, al, strlen(al)) ||
			    links_is_portal(al, strlen(al))) {
				buf_addf(&site->err, "%s:%d: alias %s is the address of a page\n",
				         a->path, a->fm.line[FM_ALIASES], al);
				rc = -1;
				continue;
			}
			int dup = 0;
			for (size_t j = 0; j < i && !dup; j++)
				for (size_t m = 0;
				     index_published(site->all[j]) && m < site->all[j]->fm.naliases;
				     m++)
					dup |= strcmp(site->all[j]->fm.aliases[m], al) == 0;
			if (dup) {
				buf_addf(&site->err,
				         "%s:%d: alias %s is used by another article too\n",
				         a->path, a->fm.line[FM_ALIASES], al);
				rc = -1;
				continue;
			}
			buf_addf(&map, "\"%s\" \"%s\";\n", al, a->url);
			buf_addf(&netlify, "%s %s 301\n", al, a->url);
			buf_reset(&stub);
			buf_adds(&stub, "<!DOCTYPE html>\n<html lang=\"");
			buf_adds(&stub, locale_info[a->locale].html_lang);
			buf_adds(&stub, "\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
			html_text(&stub, a->fm.title, strlen(a->fm.title));
			buf_adds(&stub, "</title>\n<meta http-equiv=\"refresh\" content=\"0; url=");
			html_attr(&stub, a->url, strlen(a->url));
			buf_adds(&stub, "\">\n<link rel=\"canonical\" href=\"");
			S_abs(&stub, site, a->url);
			buf_adds(&stub, "\">\n</head>\n<body>\n<p><a href=\"");
			html_attr(&stub, a->url, strlen(a->url));
			buf_adds(&stub, "\">");
			html_text(&stub, a->fm.title, strlen(a->fm.title));
			buf_adds(&stub, "</a></p>\n</body>\n</html>\n");
			buf_reset(&path);
			buf_adds(&path, al);
			if (al[strlen(al) - 1] != '/' && !util_has_suffix(al, strlen(al), ".html"))
				buf_addc(&path, '/');
			if (pages_write(dir, path.ptr, &stub, site->in_place, &site->err) < 0)
				rc = -1;
		}
	}
	buf_addf(&netlify, "/ /zh/ 302\n");
	if (pages_write(dir, "/_redirects.map", &map, site->in_place, &site->err) < 0 ||
	    pages_write(dir, "/_redirects", &netlify, site->in_place, &site->err) < 0)
		rc = -1;
	buf_release(&map);
	buf_release(&netlify);
	buf_release(&stub);
	buf_release(&path);
	return rc;
}

static int S_root(struct site *site, const char *dir)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<title>OKpay</title>\n<meta http-equiv=\"refresh\" content=\"0; url=/zh/\">\n"
	             "</head>\n<body>\n<p><a href=\"/zh/\" hreflang=\"zh-CN\">OKpay 帮助中心</a> · "
	             "<a href=\"/en/\" hreflang=\"en\" lang=\"en\">OKpay Help Center</a></p>\n"
	             "</body>\n</html>\n");
	int rc = pages_write(dir, "/index.html", &b, site->in_place, &site->err);
	buf_release(&b);
	return rc;
}

int pages_write_others(struct site *site, const char *dir)
{
	int rc = 0;
	for (int l = 0; l < LOCALE__MAX; l++) {
		rc |= S_locale_pages(site, (enum locale)l, dir, NULL);
		rc |= S_feed(site, (enum locale)l, dir);
	}
	rc |= S_sitemap(site, dir);
	rc |= S_redirects(site, dir);
	rc |= S_root(site, dir);
	return rc ? -1 : 0;
}

int pages_write_around(struct site *site, const char *dir, const struct article *a, int sitemap)
{
	int rc = S_locale_pages(site, a->locale, dir, a->cat) | S_feed(site, a->locale, dir);
	if (sitemap)
		rc |= S_sitemap(site, dir);
	return rc ? -1 : 0;
}
