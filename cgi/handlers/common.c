/* common.c - small pieces every handler uses. */
#include "app.h"
#include "handlers.h"
#include "page.h"
#include "tv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int handler_see_other(struct http_req *rq, struct http_resp *rs, const char *rest)
{
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/%s%s", locale_info[rq->locale].code, rest);
	http_redirect(rs, 303, loc.ptr);
	buf_release(&loc);
	return 303;
}

int handler_need_session(struct http_req *rq, struct http_resp *rs)
{
	if (rq->has_session)
		return 0;
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/%s/account/login?next=", locale_info[rq->locale].code);
	/* The path is ours and safe-checked: only characters that need no escaping in a query. */
	if (http_safe_return(rq->path) && !strpbrk(rq->path, "&#%?+ "))
		buf_adds(&loc, rq->path);
	http_redirect(rs, 303, loc.ptr);
	buf_release(&loc);
	return 303;
}

int handler_too_many(struct http_req *rq, struct http_resp *rs, long retry_after)
{
	char v[32];
	snprintf(v, sizeof(v), "%ld", retry_after > 0 ? retry_after : 1);
	http_header(rs, "Retry-After", v);
	struct tv *d = page_data(rq);
	tv_set_str(d, "title", i18n_get(&rq->app->theme.ui, rq->locale, "error_429_title"));
	tv_set_str(d, "text", i18n_get(&rq->app->theme.ui, rq->locale, "error_429_text"));
	tv_set_int(d, "retry_minutes", (retry_after + 59) / 60);
	tv_set_int(d, "status", 429);
	return page_render(rq, rs, 429, "error", "error_429_title", "error", d);
}

int handler_unavailable(struct http_req *rq, struct http_resp *rs, const char *what)
{
	fprintf(stderr, "okpay-portal: %s %s: %s failed: %s\n", rq->method, rq->path, what,
	        db_errmsg(rq->db));
	db_rollback(rq->db);
	/* No cookie for what was just rolled back (a new session's) may reach the browser. */
	buf_reset(&rs->headers);
	http_header(rs, "Retry-After", "30");
	return page_error(rq, rs, 503);
}

/* Times are shown in China Standard Time, the product's home zone, in both languages. */
void handler_time(struct buf *b, long long at)
{
	time_t t = (time_t)(at + 8 * 3600);
	struct tm tm;
	char s[32];
	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
	buf_adds(b, s);
	buf_adds(b, " (UTC+8)");
}
