/* links_fuzz.c - libFuzzer driver for site-gen/links.c, alone and through md_render. */
#include "fuzz.h"
#include "buf.h"
#include "index.h"
#include "links.h"
#include "load.h"
#include "markdown.h"
#include "site.h"
#include "util.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The site every input is resolved against, written once to a temporary directory and loaded
 * with the generator's own load_site and index_site (images are checked on disk, so the tree
 * stays until exit). As in tests/unit/site-gen/site_fixture.h: two categories, articles in both
 * locales, a draft, one with broken front matter, an image, a file that is not an image.
 */
static const struct {
	const char *rel;
	const char *text;
} S_files[] = {
    {"ui.conf", "[zh]\nsite_name: 帮助中心\nhome: 首页\n\n[en]\nsite_name: Help center\n"
                "home: Home\n"},
    {"zh/categories.conf", "[login]\ntitle: 登录\ndescription: D.\norder: 1\nicon: key\n\n"
                           "[payments]\ntitle: 付款\ndescription: D.\norder: 2\nicon: transfer\n"},
    {"en/categories.conf", "[login]\ntitle: Login\ndescription: D.\norder: 1\nicon: key\n\n"
                           "[payments]\ntitle: Pay\ndescription: D.\norder: 2\nicon: transfer\n"},
    {"zh/login/reset.md", "login|## 步骤\n\n文字 [FAQ](faq.md#步骤)\n"},
    {"zh/login/faq.md", "login|## 步骤\n\n## Other topic\n"},
    {"zh/login/old.md", "login|draft\n旧文章\n"},
    {"zh/payments/fees.md", "payments|费用\n"},
    {"en/login/reset.md", "login|## Steps\n"},
    {"en/login/faq.md", "login|## Steps\n"},
    {"en/payments/broken.md", "---\ntitle: T\n---\nno category\n"},
    {"zh/login/pic.png", "not really a png"},
    {"zh/payments/img/chart.svg", "<svg/>"},
    {"zh/login/notes.txt", "not an article"},
};

static char S_root[128];
static struct site S_site;
static struct article *S_from[8]; /* the articles whose links the inputs are */
static size_t S_nfrom;

static int S_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void S_cleanup(void)
{
	load_release(&S_site);
	nftw(S_root, S_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void S_write(const char *rel, const char *text)
{
	struct buf path = BUF_INIT, src = BUF_INIT;
	buf_addf(&path, "%s/content/%s", S_root, rel);
	for (char *p = path.ptr + strlen(S_root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path.ptr, 0755);
			*p = '/';
		}
	/* "category|[draft\n]body": an article with valid front matter. */
	const char *bar = strchr(text, '|');
	if (bar && util_has_suffix(rel, strlen(rel), ".md")) {
		const char *body = bar + 1;
		int draft = strncmp(body, "draft\n", 6) == 0;
		buf_addf(&src,
		         "---\ntitle: T\nsummary: S\ncategory: %.*s\norder: 1\ntags: [a]\n"
		         "updated: 2026-01-01\n%s---\n%s",
		         (int)(bar - text), text, draft ? "draft: true\n" : "", body + draft * 6);
	} else {
		buf_adds(&src, text);
	}
	CHECK(buf_write_file(path.ptr, src.ptr, src.len) == 0);
	buf_release(&path);
	buf_release(&src);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static char content[160], theme[160];
	snprintf(S_root, sizeof(S_root), "/tmp/okpay-links-fuzz-XXXXXX");
	CHECK(mkdtemp(S_root));
	for (size_t i = 0; i < sizeof(S_files) / sizeof(S_files[0]); i++)
		S_write(S_files[i].rel, S_files[i].text);
	snprintf(content, sizeof(content), "%s/content", S_root);
	snprintf(theme, sizeof(theme), "%s/theme", S_root);
	mkdir(theme, 0755);
	md_init();
	S_site.content_dir = content;
	S_site.theme_dir = theme;
	S_site.threads = 1;
	S_site.quiet = 1;
	buf_init(&S_site.err);
	buf_init(&S_site.warn);
	atexit(S_cleanup);
	/* The broken article is meant to fail, so load_site's result is not checked. */
	load_site(&S_site);
	CHECK(index_site(&S_site) == 0 || S_site.err.len > 0);
	for (size_t i = 0; i < S_site.nall && S_nfrom < 8; i++)
		if (index_published(S_site.all[i]))
			S_from[S_nfrom++] = S_site.all[i];
	CHECK(S_nfrom >= 4);
	return 0;
}

/* Forget what the last input recorded, as pages_render_body does before each render. */
static void S_forget_refs(struct article *a)
{
	for (size_t i = 0; i < a->nrefs; i++)
		free(a->refs[i].id);
	free(a->refs);
	a->refs = NULL;
	a->nrefs = 0;
}

/* Every line of err reads "path:line: message" with line in [lo, hi]. */
static void S_check_errors(const char *err, const char *path, int lo, int hi)
{
	size_t pl = strlen(path);
	for (const char *l = err; *l;) {
		const char *nl = strchr(l, '\n');
		CHECK(nl != NULL);
		CHECK(strncmp(l, path, pl) == 0 && l[pl] == ':');
		char *end;
		long line = strtol(l + pl + 1, &end, 10);
		CHECK(end > l + pl + 1 && end[0] == ':' && end[1] == ' ');
		CHECK(line >= lo && line <= hi);
		l = nl + 1;
	}
}

/*
 * The scheme a browser would see in an href or src: leading C0 controls and spaces dropped,
 * tabs and line breaks removed, as the URL standard says. 0 if the URL is relative.
 */
static size_t S_scheme(const char *u, size_t n, char *scheme, size_t size)
{
	size_t k = 0, i = 0;
	while (i < n && (unsigned char)u[i] <= 0x20)
		i++;
	for (; i < n && k + 1 < size; i++) {
		char c = u[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':')
			break;
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		int more = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
		if (!alpha && !(k > 0 && more))
			return 0;
		scheme[k++] = c;
	}
	if (i == n || u[i] != ':' || k == 0)
		return 0;
	scheme[k] = '\0';
	return k;
}

/* A URL that may stand in a page: http, https or mailto (not for images), a #fragment, or a
 * path on this host (never '//' or '/\', which browsers read as another host). */
static void S_check_url(const char *u, size_t n, int image)
{
	char scheme[16];
	if (S_scheme(u, n, scheme, sizeof(scheme))) {
		CHECK(!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https") ||
		      (!image && !strcasecmp(scheme, "mailto")));
		return;
	}
	CHECK(n > 0 && (u[0] == '#' || u[0] == '/'));
	CHECK(n < 2 || u[0] != '/' || (u[1] != '/' && u[1] != '\\'));
}

static void S_resolve_one(struct article *a, const char *url, int image)
{
	struct links_ctx ctx = {&S_site, a};
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc = links_resolve(&ctx, url, image, 42, &out, &err);
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		/* A refusal keeps nothing and says where. */
		CHECK(out.len == 0 && err.len > 0);
		S_check_errors(err.ptr, a->path, 42, 42);
		goto out;
	}
	CHECK(err.len == 0);
	const char *u = out.len ? out.ptr : url;
	S_check_url(u, strlen(u), image);
	if (out.len && image) {
		/* An image becomes the path of a file of the site that is an image. */
		struct buf file = BUF_INIT;
		buf_addf(&file, "%s%s", S_site.content_dir, out.ptr);
		CHECK(out.ptr[0] == '/' && links_is_image(out.ptr));
		CHECK(access(file.ptr, R_OK) == 0);
		CHECK(!strstr(out.ptr, "/../") && !strstr(out.ptr, "/./"));
		buf_release(&file);
	} else if (out.len) {
		/* A .md link becomes the URL of a published page, plus the fragment it had. */
		char *hash = strchr(out.ptr, '#');
		char *page = strndup(out.ptr, hash ? (size_t)(hash - out.ptr) : out.len);
		struct article *t = index_by_url(&S_site, page);
		CHECK(t && index_published(t) && strcmp(t->url, page) == 0);
		free(page);
	} else if (url[0] == '/') {
		size_t plen = strcspn(url, "#");
		CHECK(links_is_portal(url, plen) || index_is_page(&S_site, url, plen));
	}
out:
	buf_release(&out);
	buf_release(&err);
}

/* The value of an href or src attribute, from p to its closing quote at end. */
static void S_check_attr(const char *p, const char *end, int image, int clean)
{
	const char *q = end;
	for (const char *c = p; c < q; c++)
		CHECK((unsigned char)*c > 0x20 && *c != '<' && *c != '>' && *c != '\'' &&
		      *c != '`');
	/* cmark empties unsafe URLs itself; with no error reported, every URL is one we allow. */
	if (clean && q > p)
		S_check_url(p, (size_t)(q - p), image);
}

/* Stop the run unless the n bytes at w are one of the count words of list. */
static void S_known(const char *w, size_t n, const char *const *list, size_t count,
                    const char *what)
{
	size_t i = 0;
	while (i < count && (strlen(list[i]) != n || strncmp(w, list[i], n)))
		i++;
	if (i == count)
		fprintf(stderr, "unexpected %s: %.40s\n", what, w);
	CHECK(n > 0 && i < count);
}

/* Only the elements cmark-gfm writes for Markdown, and only URLs we allow in href and src. */
static void S_check_html(const struct buf *html, int clean)
{
	static const char *const tags[] = {
	    "p",      "h1",  "h2",   "h3",  "h4", "h5", "h6",    "a",         "img",   "em",
	    "strong", "del", "code", "pre", "ul", "ol", "li",    "table",     "thead", "tbody",
	    "tr",     "th",  "td",   "div", "br", "hr", "input", "blockquote"};
	const char *s = html->ptr, *end = html->ptr + html->len;
	CHECK(strlen(s) == html->len);
	for (const char *p = s; (p = memchr(p, '<', (size_t)(end - p))); p++) {
		if (!strncmp(p, "<!-- raw HTML omitted -->", 25))
			continue;
		const char *t = p[1] == '/' ? p + 2 : p + 1;
		size_t tl = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789");
		S_known(t, tl, tags, sizeof(tags) / sizeof(tags[0]), "tag");
		/* Attributes: known names only (no on*, no style), values quoted. */
		static const char *const attrs[] = {"href", "src",     "alt",     "title",
		                                    "id",   "class",   "align",   "start",
		                                    "type", "checked", "disabled"};
		const char *a = t + tl;
		for (;;) {
			a += strspn(a, " ");
			if (*a == '>' || (a[0] == '/' && a[1] == '>'))
				break;
			size_t nl = strspn(a, "abcdefghijklmnopqrstuvwxyz-");
			S_known(a, nl, attrs, sizeof(attrs) / sizeof(attrs[0]), "attribute");
			a += nl;
			if (*a != '=')
				continue;
			CHECK(a[1] == '"');
			const char *q = strchr(a + 2, '"');
			CHECK(q != NULL);
			if (!strncmp(a - nl, "href", 4) || !strncmp(a - nl, "src", 3))
				S_check_attr(a + 2, q, !strncmp(a - nl, "src", 3), clean);
			else
				CHECK(memchr(a + 2, '<', (size_t)(q - a - 2)) == NULL);
			a = q + 1;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* The first byte picks the article the input is written in and link or image. */
	struct article *a = S_from[(data[0] >> 1) % S_nfrom];
	int image = data[0] & 1;
	char *src = malloc(size);
	memcpy(src, data + 1, size - 1);
	src[size - 1] = '\0';

	/* The input up to its first NUL or line break as one destination. */
	char *url = strndup(src, strcspn(src, "\n"));
	S_resolve_one(a, url, image);
	free(url);
	S_forget_refs(a);

	/* The whole input as the article's body, on lines 9 onwards. */
	struct md_doc doc;
	struct buf err = BUF_INIT;
	struct links_ctx ctx = {&S_site, a};
	memset(&doc, 0, sizeof(doc));
	int rc = md_render(&doc, a->path, 9, src, size - 1, a->locale, links_resolve, &ctx, &err);
	CHECK(rc == (err.len ? -1 : 0));
	int lines = 1;
	for (size_t i = 0; i + 1 < size; i++)
		lines +=
		    src[i] == '\n' || (src[i] == '\r' && (i + 2 >= size || src[i + 1] != '\n'));
	S_check_errors(err.ptr, a->path, 9, 9 + lines - 1);
	S_check_html(&doc.html, rc == 0);
	for (size_t i = 0; i < doc.nh; i++)
		CHECK(doc.h[i].id[0] && doc.h[i].level >= 1 && doc.h[i].level <= 6);
	md_doc_release(&doc);
	buf_release(&err);
	S_forget_refs(a);
	free(src);
	return 0;
}
