/* overview.c - /{lang}/account/: who you are, whether your email is verified, recent activity. */
#include "app.h"
#include "handlers.h"
#include "page.h"
#include "tv.h"
#include "ua.h"

#include <string.h>

#define RECENT 10

int h_overview(struct http_req *rq, struct http_resp *rs)
{
	if (handler_need_session(rq, rs))
		return 303;
	struct tv *d = page_data(rq);
	struct db_event *ev = NULL;
	int n = db_events_recent(rq->db, rq->user.id, RECENT, &ev);
	if (n < 0) {
		tv_free(d);
		return handler_unavailable(rq, rs, "events");
	}
	tv_set_str(d, "balance", "¥0.00"); /* wallets come with the money work */
	if (*http_field(rq, "resent"))
		tv_set_bool(d, "resent", 1);
	struct tv *list = tv_set_list(d, "events");
	for (int i = 0; i < n; i++) {
		struct tv *e = tv_push_obj(list);
		struct buf b = BUF_INIT;
		buf_addf(&b, "event_%s", ev[i].kind);
		tv_set_str(e, "what", i18n_get(&rq->app->theme.ui, rq->locale, b.ptr));
		tv_set_bool(e, "warn", strcmp(ev[i].kind, "login_failed") == 0);
		buf_reset(&b);
		handler_time(&b, ev[i].at);
		tv_set_str(e, "when", b.ptr);
		buf_reset(&b);
		ua_summary(&b, ev[i].user_agent);
		tv_set_str(e, "device", b.ptr);
		tv_set_str(e, "ip", ev[i].ip);
		buf_release(&b);
	}
	tv_set_bool(d, "has_events", n > 0);
	db_events_release(ev, n);
	return page_render(rq, rs, 200, "overview", "overview_title", "account-overview", d);
}
