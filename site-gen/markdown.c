/* markdown.c - cmark-gfm rendering with the writers' rules enforced on the syntax tree. */
#include "markdown.h"
#include "util.h"
#include "utf8.h"
#include "html.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>
#include <string.h>

static cmark_syntax_extension *exts[4];
static const char *ext_names[4] = {"table", "autolink", "strikethrough", "tasklist"};

void md_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
	for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
		exts[i] = cmark_find_syntax_extension(ext_names[i]);
		if (!exts[i])
			die("cmark-gfm has no %s extension", ext_names[i]);
	}
}

/* Code points that are punctuation or symbols in headings' ids: dropped. */
static int S_punct(long cp)
{
	if (cp < 0x80)
		return !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		         (cp >= '0' && cp <= '9') || cp == '-' || cp == '_' || cp == ' ');
	return (cp >= 0x80 && cp <= 0xbf) || (cp >= 0x2000 && cp <= 0x206f) ||
	       (cp >= 0x2190 && cp <= 0x2bff) || (cp >= 0x3001 && cp <= 0x303f) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff01 && cp <= 0xff0f) ||
	       (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
	       (cp >= 0xff5b && cp <= 0xff65) || (cp >= 0x1f000 && cp <= 0x1faff) || cp == 0xfeff ||
	       cp == 0xd7 || cp == 0xf7;
}

void md_heading_id(struct buf *out, const char *text, size_t n)
{
	size_t start = out->len, adv;
	for (size_t i = 0; i < n; i += adv) {
		long cp = utf8_decode(text + i, n - i, &adv);
		if (cp < 0)
			continue;
		if (cp == ' ' || cp == 0x3000 || cp == '\t')
			buf_addc(out, '-');
		else if (cp >= 'A' && cp <= 'Z')
			buf_addc(out, (char)(cp - 'A' + 'a'));
		else if (!S_punct(cp))
			buf_add(out, text + i, adv);
	}
	if (out->len == start)
		buf_adds(out, "section");
}

struct render_state {
	struct md_doc *doc;
	const char *path;
	int first_line;
	struct buf *err;
	char *callout; /* per blockquote in document order: 0, or 'n'ote 't'ip 'w'arning */
	size_t nquotes;
	md_resolve_fn resolve;
	void *ctx;
};

static int S_line(struct render_state *st, cmark_node *node)
{
	int l = 0;
	for (cmark_node *p = node; p && !l; p = cmark_node_parent(p))
		l = cmark_node_get_start_line(p);
	return st->first_line + (l > 0 ? l - 1 : 0);
}

static void S_plain_text(struct buf *b, cmark_node *node)
{
	for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			buf_adds(b, cmark_node_get_literal(c));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			buf_addc(b, ' ');
		else
			S_plain_text(b, c);
	}
}

static void S_heading(struct render_state *st, cmark_node *node)
{
	struct md_doc *doc = st->doc;
	struct buf text = BUF_INIT, id = BUF_INIT;
	int level = cmark_node_get_heading_level(node);

	if (level == 1)
		buf_addf(
		    st->err,
		    "%s:%d: use '##' for sections: the page title comes from the front matter\n",
		    st->path, S_line(st, node));
	S_plain_text(&text, node);
	md_heading_id(&id, text.ptr, text.len);
	size_t base = id.len;
	for (int k = 1;; k++) {
		size_t i = 0;
		while (i < doc->nh && strcmp(doc->h[i].id, id.ptr) != 0)
			i++;
		if (i == doc->nh)
			break;
		buf_truncate(&id, base);
		buf_addf(&id, "-%d", k);
	}
	doc->h = xrealloc(doc->h, (doc->nh + 1) * sizeof(*doc->h));
	doc->h[doc->nh].level = level;
	doc->h[doc->nh].id = buf_detach(&id, NULL);
	doc->h[doc->nh].text = buf_detach(&text, NULL);
	doc->nh++;
}

static char S_callout_kind(cmark_node *quote)
{
	static const struct {
		const char *label;
		char kind;
	} labels[] = {{"Note:", 'n'},  {"Tip:", 't'},   {"Warning:", 'w'},
	              {"注意：", 'n'}, {"提示：", 't'}, {"警告：", 'w'},
	              {"注意:", 'n'},  {"提示:", 't'},  {"警告:", 'w'}};
	cmark_node *p = cmark_node_first_child(quote);
	if (!p || cmark_node_get_type(p) != CMARK_NODE_PARAGRAPH)
		return 0;
	cmark_node *strong = cmark_node_first_child(p);
	if (!strong || cmark_node_get_type(strong) != CMARK_NODE_STRONG)
		return 0;
	cmark_node *t = cmark_node_first_child(strong);
	if (!t || cmark_node_get_type(t) != CMARK_NODE_TEXT || cmark_node_next(t))
		return 0;
	const char *lit = cmark_node_get_literal(t);
	for (size_t i = 0; i < ARRAY_LEN(labels); i++)
		if (strcmp(lit, labels[i].label) == 0)
			return labels[i].kind;
	return 0;
}

static void S_link(struct render_state *st, cmark_node *node, int image)
{
	struct buf out = BUF_INIT;
	const char *url = cmark_node_get_url(node);
	if (st->resolve(st->ctx, url ? url : "", image, S_line(st, node), &out, st->err) == 0 &&
	    out.len)
		cmark_node_set_url(node, out.ptr);
	buf_release(&out);
}

static void S_walk(struct render_state *st, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node *node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE: {
			const char *lit = cmark_node_get_literal(node);
			size_t len = strcspn(lit, "\r\n");
			buf_addf(st->err,
			         "%s:%d: raw HTML is not allowed (%.*s%s); write Markdown instead "
			         "(see content/README.md)\n",
			         st->path, S_line(st, node), (int)(len > 40 ? 40 : len), lit,
			         len > 40 ? "..." : "");
			break;
		}
		case CMARK_NODE_HEADING:
			S_heading(st, node);
			break;
		case CMARK_NODE_LINK:
			S_link(st, node, 0);
			break;
		case CMARK_NODE_IMAGE:
			S_link(st, node, 1);
			break;
		case CMARK_NODE_BLOCK_QUOTE:
			st->callout = xrealloc(st->callout, st->nquotes + 1);
			st->callout[st->nquotes++] = S_callout_kind(node);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/*
 * Add ids to headings and classes to callouts and wrap tables. Raw HTML is refused and code
 * is escaped, so these tags in cmark's output can only be the nodes walked above, in order.
 */
static void S_decorate(struct render_state *st, const char *html, size_t n)
{
	struct buf *out = &st->doc->html;
	size_t heading = 0, quote = 0, start = 0;
	static const char *kinds = "ntw";
	static const char *classes[] = {"callout callout-note", "callout callout-tip",
	                                "callout callout-warning"};

	buf_grow(out, n + st->doc->nh * 16);
	for (size_t i = 0; i < n; i++) {
		if (html[i] != '<')
			continue;
		const char *p = html + i;
		size_t left = n - i;
		if (left >= 4 && p[1] == 'h' && p[2] >= '1' && p[2] <= '6' && p[3] == '>' &&
		    heading < st->doc->nh) {
			buf_add(out, html + start, i - start);
			buf_addf(out, "<h%c id=\"", p[2]);
			html_attr(out, st->doc->h[heading].id, strlen(st->doc->h[heading].id));
			buf_adds(out, "\">");
			heading++;
			start = i + 4;
		} else if (util_has_prefix(p, left, "<blockquote>") && quote < st->nquotes) {
			char k = st->callout[quote++];
			if (!k)
				continue;
			buf_add(out, html + start, i - start);
			buf_addf(out, "<blockquote class=\"%s\">",
			         classes[strchr(kinds, k) - kinds]);
			start = i + strlen("<blockquote>");
		} else if (util_has_prefix(p, left, "<table>")) {
			buf_add(out, html + start, i - start);
			buf_adds(out, "<div class=\"table-wrap\"><table>");
			start = i + strlen("<table>");
		} else if (util_has_prefix(p, left, "</table>")) {
			buf_add(out, html + start, i - start);
			buf_adds(out, "</table></div>");
			start = i + strlen("</table>");
		}
	}
	buf_add(out, html + start, n - start);
}

int md_render(struct md_doc *doc, const char *path, int first_line, const char *src, size_t n,
              enum locale l, md_resolve_fn resolve, void *ctx, struct buf *err)
{
	int opts =
	    CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
	struct render_state st = {.doc = doc,
	                          .path = path,
	                          .first_line = first_line,
	                          .err = err,
	                          .resolve = resolve,
	                          .ctx = ctx};
	size_t before = err->len;

	/* The caller zeroes doc, and a zeroed struct buf (ptr NULL) is not yet a valid buffer. */
	buf_init(&doc->html);
	/* Smart quotes would turn Chinese writers' “” and ASCII habits into the wrong marks. */
	if (l == LOCALE_EN)
		opts |= CMARK_OPT_SMART;
	cmark_parser *parser = cmark_parser_new(opts);
	for (size_t i = 0; i < ARRAY_LEN(exts); i++)
		cmark_parser_attach_syntax_extension(parser, exts[i]);
	cmark_parser_feed(parser, src, n);
	cmark_node *root = cmark_parser_finish(parser);
	S_walk(&st, root);
	char *html = cmark_render_html(root, opts, cmark_parser_get_syntax_extensions(parser));
	S_decorate(&st, html, strlen(html));
	free(html);
	free(st.callout);
	cmark_node_free(root);
	cmark_parser_free(parser);
	return err->len == before ? 0 : -1;
}

void md_doc_release(struct md_doc *doc)
{
	for (size_t i = 0; i < doc->nh; i++) {
		free(doc->h[i].id);
		free(doc->h[i].text);
	}
	free(doc->h);
	buf_release(&doc->html);
	memset(doc, 0, sizeof(*doc));
}
