/* devmail.c - /_dev/mail: the outbox in a browser, with clickable links (dev mode only). */
#include "app.h"
#include "handlers.h"
#include "html.h"
#include "page.h"
#include "tv.h"

#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200

int h_dev_mail_list(struct http_req *rq, struct http_resp *rs)
{
	struct db_mail *m = NULL;
	int n = db_mail_list(rq->db, LIST_MAX, &m);
	if (n < 0)
		return handler_unavailable(rq, rs, "mail list");
	struct tv *d = page_data(rq);
	struct tv *list = tv_set_list(d, "mails");
	for (int i = 0; i < n; i++) {
		struct tv *e = tv_push_obj(list);
		tv_set_int(e, "id", m[i].id);
		tv_set_str(e, "to", m[i].to);
		tv_set_str(e, "subject", m[i].subject);
		tv_set_int(e, "created", m[i].created_at);
		tv_set_bool(e, "sent", m[i].sent_at != 0);
	}
	tv_set_bool(d, "has_mails", n > 0);
	db_mails_release(m, n);
	return page_render(rq, rs, 200, "dev-mail", "dev_mail_title", "dev-mail", d);
}

/* Plain text with its http(s) links made clickable; everything escaped. */
static void S_linkify(struct buf *out, const char *s)
{
	while (*s) {
		const char *h = strstr(s, "http");
		if (!h || (strncmp(h, "http://", 7) != 0 && strncmp(h, "https://", 8) != 0)) {
			size_t n = h ? (size_t)(h - s) + 4 : strlen(s);
			html_text(out, s, n);
			s += n;
			continue;
		}
		html_text(out, s, (size_t)(h - s));
		size_t len = strcspn(h, " \t\r\n<>\"'");
		buf_adds(out, "<a href=\"");
		html_url(out, h, len);
		buf_adds(out, "\">");
		html_text(out, h, len);
		buf_adds(out, "</a>");
		s = h + len;
	}
}

int h_dev_mail_show(struct http_req *rq, struct http_resp *rs)
{
	const char *idp = strrchr(rq->path, '/') + 1;
	char *end;
	long long id = strtoll(idp, &end, 10);
	struct db_mail m = {0};
	if (*end || id <= 0)
		return page_error(rq, rs, 404);
	int rc = db_mail_by_id(rq->db, id, &m);
	if (rc < 0)
		return handler_unavailable(rq, rs, "mail");
	if (rc == 0)
		return page_error(rq, rs, 404);
	struct tv *d = page_data(rq);
	struct buf body = BUF_INIT;
	S_linkify(&body, m.text);
	tv_set_int(d, "id", m.id);
	tv_set_str(d, "to", m.to);
	tv_set_str(d, "subject", m.subject);
	tv_set_str(d, "message_id", m.message_id);
	tv_set_strn(d, "body_html", body.ptr, body.len);
	tv_set_bool(d, "sent", m.sent_at != 0);
	buf_release(&body);
	db_mail_release(&m);
	return page_render(rq, rs, 200, "dev-mail", "dev_mail_title", "dev-mail-show", d);
}
