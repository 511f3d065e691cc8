/* searchidx.c - articles into the search index: title, headings, plain text, category. */
#include "searchidx.h"
#include "buf.h"
#include "search.h"
#include "util.h"

#include <string.h>

static const struct {
	const char *name, *text;
} entities[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};

void searchidx_text(struct buf *out, const char *html, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (html[i] == '<') {
			const char *end = memchr(html + i, '>', n - i);
			/* A tag separates words ("<li>a</li><li>b</li>" is "a b"). */
			if (out->len && out->ptr[out->len - 1] != '\n' &&
			    out->ptr[out->len - 1] != ' ')
				buf_addc(out, html[i + 1] == '/' ? '\n' : ' ');
			i = end ? (size_t)(end - html) + 1 : n;
			continue;
		}
		if (html[i] == '&') {
			size_t k = 0;
			while (k < ARRAY_LEN(entities) &&
			       strncmp(html + i, entities[k].name, strlen(entities[k].name)) != 0)
				k++;
			if (k < ARRAY_LEN(entities)) {
				buf_adds(out, entities[k].text);
				i += strlen(entities[k].name);
				continue;
			}
		}
		buf_addc(out, html[i++]);
	}
}

int searchidx_write(struct site *site)
{
	struct search_writer *w = search_writer_open(site->search_db, &site->err);
	if (!w)
		return -1;
	struct buf headings = BUF_INIT, body = BUF_INIT, keywords = BUF_INIT;
	int rc = 0;
	for (int l = 0; l < LOCALE__MAX && rc == 0; l++) {
		const struct locale_site *ls = &site->loc[l];
		for (size_t i = 0; i < ls->na && rc == 0; i++) {
			const struct article *a = ls->a[i];
			buf_reset(&headings);
			buf_reset(&body);
			buf_reset(&keywords);
			buf_adds(&keywords, a->fm.summary ? a->fm.summary : "");
			for (size_t k = 0; k < a->fm.ntags; k++)
				buf_addf(&keywords, "\n%s", a->fm.tags[k]);
			for (size_t h = 0; h < a->doc.nh; h++)
				if (a->doc.h[h].level <= 3)
					buf_addf(&headings, "%s\n", a->doc.h[h].text);
			searchidx_text(&body, a->doc.html.ptr, a->doc.html.len);
			struct search_doc d = {
			    .locale = locale_info[l].code,
			    .url = a->url,
			    .title = a->fm.title,
			    .headings = headings.len ? headings.ptr : "",
			    .keywords = keywords.len ? keywords.ptr : "",
			    .summary = a->fm.summary,
			    .body = body.len ? body.ptr : "",
			    .category = a->cat ? a->cat->title : "",
			    .category_url = a->cat ? a->cat->url : "",
			};
			rc = search_writer_add(w, &d, &site->err);
		}
	}
	buf_release(&headings);
	buf_release(&body);
	buf_release(&keywords);
	if (search_writer_close(w, rc == 0, &site->err) < 0)
		rc = -1;
	if (rc < 0)
		buf_addc(&site->err, '\n');
	return rc;
}
