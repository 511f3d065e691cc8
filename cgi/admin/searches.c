/* searches.c - okpay-admin searches: what visitors looked for in the help center. */
#include "admin.h"

#include <stdio.h>

static int S_searches(struct admin_ctx *c)
{
	long long since;
	int zero_only = admin_opt(c, "zero-results") != NULL;
	int rc = admin_since(c, "since", &since);
	if (rc != ADMIN_DONE)
		return rc;
	struct db_search_row *r = NULL;
	int n = db_search_log_report(c->db, since, zero_only, 0, &r);
	if (n < 0)
		return admin_db_error(c, "cannot read the search log");
	struct buf out = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_array(&j);
		for (int i = 0; i < n; i++) {
			buf_addc(&out, '\n');
			admin_out_json_object(&j);
			admin_out_json_key(&j, "query");
			admin_out_json_str(&j, r[i].query);
			admin_out_json_key(&j, "locale");
			admin_out_json_str(&j, r[i].locale);
			admin_out_json_key(&j, "count");
			admin_out_json_int(&j, r[i].count);
			admin_out_json_key(&j, "results");
			admin_out_json_int(&j, r[i].results);
			admin_out_json_key(&j, "last");
			admin_out_json_time(&j, r[i].last_at);
			admin_out_json_end(&j, '}');
		}
		buf_adds(&out, n ? "\n]\n" : "]\n");
	} else if (n == 0) {
		buf_adds(&out, zero_only ? "no searches without results\n" : "no searches\n");
	} else {
		static const char *const head[] = {"count", "results", "locale", "query"};
		struct admin_out_table t;
		admin_out_table_init(&t, 4, head);
		t.align[0] = t.align[1] = ADMIN_OUT_RIGHT;
		for (int i = 0; i < n; i++) {
			admin_out_table_cellf(&t, "%lld", r[i].count);
			admin_out_table_cellf(&t, "%lld", r[i].results);
			admin_out_table_cell(&t, r[i].locale);
			admin_out_table_cell(&t, r[i].query);
		}
		admin_out_table_render(&t, &out);
		admin_out_table_release(&t);
	}
	admin_print(&out);
	buf_release(&out);
	db_search_rows_release(r, n);
	return ADMIN_DONE;
}

const struct admin_cmd admin_cmd_searches = {
    .name = "searches",
    .args = "",
    .opts = {{"zero-results", NULL, "only searches that found nothing (what to write next)"},
             {"since", "YYYY-MM-DD", "only searches from that day on (China Standard Time)"}},
    .summary = "what visitors searched the help center for, most frequent first",
    .help = "What visitors searched the help center for: each query with how often it was\n"
            "searched, the articles it found the last time and its language, most frequent\n"
            "first. Queries are shown with control characters escaped.\n",
    .run = S_searches,
};
