/* links.c - link checking: a broken link or anchor fails the build with the file and line. */
#include "links.h"
#include "buf.h"
#include "index.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int links_is_portal(const char *p, size_t n)
{
	static const char *routes[] = {"account", "support", "feedback", "search", "search.json"};
	if (n < 4 || p[0] != '/' || p[3] != '/' || locale_from_code(p + 1, 2) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
		size_t rl = strlen(routes[i]);
		if (n >= 4 + rl && memcmp(p + 4, routes[i], rl) == 0 &&
		    (n == 4 + rl || p[4 + rl] == '/' || p[4 + rl] == '?' || p[4 + rl] == '#'))
			return 1;
	}
	return 0;
}

int links_is_image(const char *name)
{
	static const char *ext[] = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"};
	for (size_t i = 0; i < ARRAY_LEN(ext); i++)
		if (util_has_suffix(name, strlen(name), ext[i]))
			return 1;
	return 0;
}

static int S_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *S_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && S_hex(s[i + 1]) >= 0 && S_hex(s[i + 2]) >= 0) {
			buf_addc(&b, (char)(S_hex(s[i + 1]) * 16 + S_hex(s[i + 2])));
			i += 2;
		} else {
			buf_addc(&b, s[i]);
		}
	}
	return buf_detach(&b, NULL);
}

/*
 * Append s (n bytes) for an error message with control bytes percent-encoded again: a
 * decoded %0A or an entity such as &#10; would otherwise start a line that reads like another
 * error, and an escape byte would reach the writer's terminal.
 */
static const char *S_shown(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			buf_addf(b, "%%%02X", c);
		else
			buf_addc(b, (char)c);
	}
	return b->ptr;
}

static void S_add_ref(struct article *a, struct article *target, const char *frag, size_t n,
                      int line)
{
	a->refs = xrealloc(a->refs, (a->nrefs + 1) * sizeof(*a->refs));
	a->refs[a->nrefs].target = target;
	a->refs[a->nrefs].id = S_decode(frag, n);
	a->refs[a->nrefs].line = line;
	a->nrefs++;
}

/* Join the directory of base with rel and fold "." and ".."; -1 if it climbs out. */
static int S_join(struct buf *out, const char *base, const char *rel, size_t n)
{
	const char *slash = strrchr(base, '/');
	struct buf path = BUF_INIT;
	if (slash)
		buf_add(&path, base, (size_t)(slash - base + 1));
	buf_add(&path, rel, n);
	buf_reset(out);
	const char *p = path.ptr;
	int rc = 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if ((len == 1 && p[0] == '.') || len == 0) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *last = out->len ? memrchr(out->ptr, '/', out->len) : NULL;
			if (!out->len) {
				rc = -1;
				break;
			}
			buf_truncate(out, last ? (size_t)(last - out->ptr) : 0);
		} else {
			if (out->len)
				buf_addc(out, '/');
			buf_add(out, p, len);
		}
		p += len + (e ? 1 : 0);
	}
	buf_release(&path);
	return rc;
}

static int S_scheme_len(const char *u)
{
	size_t i = 0;
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return 0;
	while (u[i] && u[i] != ':' && u[i] != '/' && u[i] != '?' && u[i] != '#')
		i++;
	return u[i] == ':' ? (int)i : 0;
}

int links_resolve(void *ctxp, const char *url, int image, int line, struct buf *out,
                  struct buf *err)
{
	struct links_ctx *ctx = ctxp;
	struct article *a = ctx->a;
	const char *path = a->path;
	size_t n = strlen(url);
	struct buf rel = BUF_INIT, shown = BUF_INIT;
	int rc = -1;
	char *raw = NULL;

	if (n == 0) {
		buf_addf(err, "%s:%d: empty link\n", path, line);
		goto out;
	}
	if (url[0] == '#') {
		S_add_ref(a, a, url + 1, n - 1, line);
		rc = 0;
		goto out;
	}
	int sl = S_scheme_len(url);
	if (sl) {
		if ((sl == 4 && !strncasecmp(url, "http", 4)) ||
		    (sl == 5 && !strncasecmp(url, "https", 5)) ||
		    (sl == 6 && !strncasecmp(url, "mailto", 6) && !image)) {
			rc = 0;
			goto out;
		}
		buf_addf(err, "%s:%d: links may use http:, https: and mailto: only, not '%s:'\n",
		         path, line, S_shown(&shown, url, (size_t)sl));
		goto out;
	}
	if (url[0] == '/' && url[1] == '/') {
		buf_addf(err, "%s:%d: write the full address with https:// instead of '//'\n", path,
		         line);
		goto out;
	}
	const char *hash = strchr(url, '#');
	size_t plen = hash ? (size_t)(hash - url) : n;
	const char *frag = hash ? hash + 1 : NULL;
	size_t flen = hash ? n - plen - 1 : 0;
	if (memchr(url, '?', plen) && !links_is_portal(url, plen)) {
		buf_addf(err, "%s:%d: links to help-center pages take no '?query'\n", path, line);
		goto out;
	}

	if (url[0] == '/') {
		if (links_is_portal(url, plen)) {
			rc = 0;
			goto out;
		}
		if (!index_is_page(ctx->site, url, plen)) {
			buf_addf(err, "%s:%d: no page at %s (link to articles by their .md file)\n",
			         path, line, S_shown(&shown, url, plen));
			goto out;
		}
		char *p = xstrndup(url, plen);
		struct article *t = index_by_url(ctx->site, p);
		free(p);
		if (frag && t)
			S_add_ref(a, t, frag, flen, line);
		rc = 0;
		goto out;
	}

	raw = S_decode(url, plen);
	S_shown(&shown, raw, strlen(raw));
	if (S_join(&rel, a->rel, raw, strlen(raw)) < 0) {
		buf_addf(err, "%s:%d: link %s leads outside the content directory\n", path, line,
		         shown.ptr);
		goto out;
	}
	if (image) {
		struct buf file = BUF_INIT;
		buf_addf(&file, "%s/%s", ctx->site->content_dir, rel.ptr);
		int ok = links_is_image(rel.ptr) && access(file.ptr, R_OK) == 0;
		buf_release(&file);
		if (!ok) {
			buf_addf(err, "%s:%d: image %s not found (png, jpg, gif, svg or webp)\n",
			         path, line, shown.ptr);
			goto out;
		}
		buf_addc(out, '/');
		buf_add(out, rel.ptr, rel.len);
		rc = 0;
		goto out;
	}
	if (!util_has_suffix(rel.ptr, rel.len, ".md")) {
		buf_addf(err, "%s:%d: link to %s: link to other articles by their .md file\n", path,
		         line, shown.ptr);
		goto out;
	}
	struct article *t = index_by_rel(ctx->site, rel.ptr);
	if (!t) {
		buf_addf(err, "%s:%d: link target %s does not exist\n", path, line, shown.ptr);
		goto out;
	}
	if (!index_published(t) || !t->url) {
		buf_addf(err, "%s:%d: link target %s is a draft or has errors\n", path, line,
		         shown.ptr);
		goto out;
	}
	buf_adds(out, t->url);
	if (frag) {
		buf_addc(out, '#');
		buf_add(out, frag, flen);
		S_add_ref(a, t, frag, flen, line);
	}
	rc = 0;
out:
	free(raw);
	buf_release(&rel);
	buf_release(&shown);
	return rc;
}

void links_check_anchors(struct site *site, struct article *a)
{
	(void)site;
	struct buf shown = BUF_INIT;
	for (size_t i = 0; i < a->nrefs; i++) {
		const struct anchor_ref *r = &a->refs[i];
		size_t k = 0;
		while (k < r->target->doc.nh && strcmp(r->target->doc.h[k].id, r->id) != 0)
			k++;
		if (k == r->target->doc.nh)
			buf_addf(&a->err, "%s:%d: no heading with id '#%s' in %s\n", a->path,
			         r->line, S_shown(&shown, r->id, strlen(r->id)), r->target->path);
	}
	buf_release(&shown);
}
