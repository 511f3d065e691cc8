/* page.c - every portal page goes through here: same frame, same escaping, same headers. */
#include "page.h"
#include "app.h"
#include "session.h"
#include "tv.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static void S_url(struct tv *obj, const char *key, enum locale l, const char *rest)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/%s/%s", locale_info[l].code, rest);
	tv_set_strn(obj, key, b.ptr, b.len);
	buf_release(&b);
}

struct tv *page_data(struct http_req *rq)
{
	struct tv *d = tv_new_obj();
	enum locale l = rq->locale;
	char csrf[64];
	tv_set_ref(d, "t", rq->app->theme.ui.strings[l]);
	tv_set_str(d, "lang", locale_info[l].code);
	session_csrf_token(rq, csrf);
	tv_set_str(d, "csrf", csrf);
	struct tv *u = tv_set_obj(d, "urls");
	S_url(u, "overview", l, "account/");
	S_url(u, "login", l, "account/login");
	S_url(u, "logout", l, "account/logout");
	S_url(u, "register", l, "account/register");
	S_url(u, "verify", l, "account/verify");
	S_url(u, "resend", l, "account/verify/resend");
	S_url(u, "forgot", l, "account/password/forgot");
	S_url(u, "terms", l, "policies/terms-of-service/");
	S_url(u, "privacy", l, "policies/privacy-policy/");
	S_url(u, "help", l, "");
	S_url(u, "contact", l, "contact/");
	S_url(u, "ticket", l, "support/contact");
	if (rq->has_session) {
		struct tv *user = tv_set_obj(d, "user");
		tv_set_str(user, "name", rq->user.name);
		tv_set_str(user, "email", rq->user.email);
		tv_set_bool(user, "verified", rq->user.verified_at != 0);
		tv_set_bool(d, "signed_in", 1);
		tv_set_bool(d, "unverified", rq->user.verified_at == 0);
	}
	tv_set_list(d, "errors");
	tv_set_obj(d, "err");
	tv_set_obj(d, "val");
	return d;
}

void page_field_error(struct http_req *rq, struct tv *data, const char *field, const char *msg_key)
{
	const char *msg = i18n_get(&rq->app->theme.ui, rq->locale, msg_key);
	struct tv *errors = (struct tv *)tv_get(data, "errors", 6);
	struct tv *e = tv_push_obj(errors);
	tv_set_str(e, "field", field);
	tv_set_str(e, "message", msg);
	struct tv *err = (struct tv *)tv_get(data, "err", 3);
	if (!tv_get(err, field, strlen(field)))
		tv_set_str(err, field, msg);
	tv_set_bool(data, "has_errors", 1);
}

void page_keep(struct http_req *rq, struct tv *data, const char *field)
{
	struct tv *val = (struct tv *)tv_get(data, "val", 3);
	tv_set_str(val, field, http_field(rq, field));
}

int page_render(struct http_req *rq, struct http_resp *rs, int status, const char *kind,
                const char *title_key, const char *tmpl, struct tv *data)
{
	const struct theme *th = &rq->app->theme;
	enum locale l = rq->locale;
	struct buf other = BUF_INIT, err = BUF_INIT;
	buf_addf(&other, "/%s%s", locale_info[!l].code, rq->route ? rq->route : "/");
	struct theme_page p = {
	    .kind = kind,
	    .title = i18n_get(&th->ui, l, title_key),
	    .description = i18n_get(&th->ui, l, "site_name"),
	    .path = NULL,
	    .other_path = NULL,
	    .switch_path = other.ptr,
	};
	struct tv *layout = theme_layout(th, l, &p);
	/* The search pages keep the query in the header's search box (search-form.html). */
	const struct tv *q = tv_get(data, "search_q", 8);
	if (q) {
		size_t qn;
		const char *qs = tv_str(q, &qn);
		tv_set_strn(layout, "search_q", qs, qn);
	}
	if (rq->has_session) {
		/* The header offers "Log out" on every portal page of a signed-in visitor. */
		char csrf[64];
		struct buf logout = BUF_INIT;
		session_csrf_token(rq, csrf);
		buf_addf(&logout, "/%s/account/logout", locale_info[l].code);
		tv_set_bool(layout, "signed_in", 1);
		tv_set_str(layout, "csrf", csrf);
		tv_set_strn(layout, "logout_url", logout.ptr, logout.len);
		buf_release(&logout);
	}
	buf_reset(&rs->body);
	if (theme_render(th, layout, tmpl, data, &rs->body, &err) < 0) {
		fprintf(stderr, "okpay-portal: %s", err.ptr);
		buf_reset(&rs->body);
		buf_adds(&rs->body, "Internal Server Error\n");
		status = 500;
	}
	rs->status = status;
	http_header(rs, "Content-Type",
	            status == 500 && err.len ? "text/plain; charset=utf-8"
	                                     : "text/html; charset=utf-8");
	tv_free(layout);
	tv_free(data);
	buf_release(&other);
	buf_release(&err);
	return status;
}

int page_error(struct http_req *rq, struct http_resp *rs, int status)
{
	return page_error_text(rq, rs, status, NULL);
}

int page_error_text(struct http_req *rq, struct http_resp *rs, int status, const char *text_key)
{
	char title[40], text[40];
	struct tv *d = page_data(rq);
	snprintf(title, sizeof(title), "error_%d_title", status);
	snprintf(text, sizeof(text), "error_%d_text", status);
	tv_set_str(d, "title", i18n_get(&rq->app->theme.ui, rq->locale, title));
	tv_set_str(d, "text", i18n_get(&rq->app->theme.ui, rq->locale, text_key ? text_key : text));
	tv_set_int(d, "status", status);
	return page_render(rq, rs, status, "error", title, "error", d);
}
