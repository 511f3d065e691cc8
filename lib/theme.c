/* theme.c - loading the theme and building the page frame shared by site-gen and the portal. */
#include "theme.h"
#include "buf.h"
#include "tmpl.h"
#include "tv.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *theme_asset_url(const char *theme_dir, const char *name, struct buf *err)
{
	struct buf path = BUF_INIT, src = BUF_INIT, url = BUF_INIT;
	buf_addf(&path, "%s/assets/%s", theme_dir, name);
	if (buf_read_file(&src, path.ptr) < 0) {
		buf_addf(err, "%s: %s\n", path.ptr, strerror(errno));
	} else {
		const char *dot = strrchr(name, '.');
		size_t stem = dot ? (size_t)(dot - name) : strlen(name);
		buf_addf(&url, "/assets/%.*s.%08llx%s", (int)stem, name,
		         util_hash64(src.ptr, src.len) & 0xffffffffULL, dot ? dot : "");
	}
	buf_release(&path);
	buf_release(&src);
	return buf_detach(&url, NULL);
}

int theme_load(struct theme *t, const char *theme_dir, const char *content_dir,
               const char *base_url, struct buf *err)
{
	struct buf path = BUF_INIT;
	size_t before = err->len;

	t->base_url = base_url;
	t->tmpl = tmpl_set_new();
	buf_addf(&path, "%s/templates", theme_dir);
	if (tmpl_set_load_dir(t->tmpl, path.ptr, err) < 0)
		buf_addc(err, '\n');
	buf_reset(&path);
	buf_addf(&path, "%s/ui.conf", content_dir);
	i18n_load(&t->ui, path.ptr, err);
	buf_release(&path);
	t->css = theme_asset_url(theme_dir, "site.css", err);
	t->js = theme_asset_url(theme_dir, "site.js", err);
	t->icons = theme_asset_url(theme_dir, "icons.svg", err);
	t->favicon = theme_asset_url(theme_dir, "favicon.svg", err);
	return err->len == before ? 0 : -1;
}

void theme_release(struct theme *t)
{
	tmpl_set_free(t->tmpl);
	i18n_release(&t->ui);
	free(t->css);
	free(t->js);
	free(t->icons);
	free(t->favicon);
	memset(t, 0, sizeof(*t));
}

void theme_abs_url(const struct theme *t, struct buf *out, const char *path)
{
	buf_adds(out, t->base_url);
	buf_adds(out, path);
}

static void S_set_abs(struct tv *obj, const char *key, const struct theme *t, const char *path)
{
	struct buf b = BUF_INIT;
	theme_abs_url(t, &b, path);
	tv_set_strn(obj, key, b.ptr, b.len);
	buf_release(&b);
}

static void S_set_url(struct tv *obj, const char *key, enum locale l, const char *rest)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s/%s", locale_info[l].code, rest);
	tv_set_strn(obj, key, b.ptr, b.len);
	buf_release(&b);
}

struct tv *theme_layout(const struct theme *t, enum locale l, const struct theme_page *p)
{
	struct tv *root = tv_new_obj();
	enum locale o = (enum locale) !l;
	tv_set_str(root, "lang", locale_info[l].code);
	tv_set_str(root, "html_lang", locale_info[l].html_lang);
	tv_set_str(root, "og_locale", locale_info[l].og_locale);
	tv_set_ref(root, "t", t->ui.strings[l]);
	tv_set_str(root, "css", t->css);
	tv_set_str(root, "js", t->js);
	tv_set_str(root, "icons", t->icons);
	tv_set_str(root, "favicon", t->favicon);
	S_set_url(root, "home_url", l, "");
	S_set_url(root, "contact_url", l, "contact/");
	S_set_url(root, "ticket_url", l, "support/contact");
	S_set_url(root, "search_url", l, "search");
	S_set_url(root, "account_url", l, "account/");
	S_set_url(root, "feedback_url", l, "feedback");
	S_set_url(root, "terms_url", l, "policies/terms-of-service/");
	S_set_url(root, "privacy_url", l, "policies/privacy-policy/");
	S_set_url(root, "feed_url", l, "feed.xml");

	struct tv *page = tv_set_obj(root, "page");
	tv_set_str(page, "kind", p->kind);
	tv_set_str(page, "title", p->title);
	tv_set_str(page, "description", p->description ? p->description : "");
	tv_set_str(page, "og_type", strcmp(p->kind, "article") == 0 ? "article" : "website");
	tv_set_bool(page, "hide_header_search", p->hide_header_search);
	if (p->path)
		S_set_abs(page, "canonical", t, p->path);

	struct tv *sw = tv_set_obj(root, "switch");
	tv_set_str(sw, "href", p->switch_path);
	tv_set_str(sw, "hreflang", locale_info[o].html_lang);

	struct tv *alt = tv_set_list(root, "alternates");
	if (p->path) {
		const char *paths[LOCALE__MAX];
		paths[l] = p->path;
		paths[o] = p->other_path;
		for (int k = 0; k < LOCALE__MAX; k++) {
			if (!paths[k])
				continue;
			struct tv *e = tv_push_obj(alt);
			tv_set_str(e, "hreflang", locale_info[k].html_lang);
			S_set_abs(e, "href", t, paths[k]);
		}
		if (paths[LOCALE_ZH]) {
			struct tv *e = tv_push_obj(alt);
			tv_set_str(e, "hreflang", "x-default");
			S_set_abs(e, "href", t, paths[LOCALE_ZH]);
		}
	}
	return root;
}

int theme_render(const struct theme *t, struct tv *layout, const char *body_tmpl,
                 const struct tv *body, struct buf *out, struct buf *err)
{
	struct buf content = BUF_INIT;
	int rc = tmpl_render(t->tmpl, body_tmpl, body, 1, &content, err);
	if (rc == 0) {
		tv_set_strn(layout, "content", content.ptr, content.len);
		rc = tmpl_render(t->tmpl, "layout", layout, 1, out, err);
	}
	if (rc < 0)
		buf_addc(err, '\n');
	buf_release(&content);
	return rc;
}
