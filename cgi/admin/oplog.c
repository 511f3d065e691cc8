/* oplog.c - okpay-admin log: what operators did, from the operator log (migration 10). */
#include "admin.h"

static int S_log(struct admin_ctx *c)
{
	long long since;
	int rc = admin_since(c, "since", &since);
	if (rc != ADMIN_DONE)
		return rc;
	struct db_oplog *l = NULL;
	int n = db_oplog_list(c->db, since, &l);
	if (n < 0)
		return admin_db_error(c, "cannot read the operator log");
	struct buf out = BUF_INIT, when = BUF_INIT;
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_array(&j);
		for (int i = 0; i < n; i++) {
			buf_addc(&out, '\n');
			admin_out_json_object(&j);
			admin_out_json_key(&j, "id");
			admin_out_json_int(&j, l[i].id);
			admin_out_json_key(&j, "at");
			admin_out_json_time(&j, l[i].at);
			admin_out_json_key(&j, "operator");
			admin_out_json_str(&j, l[i].who);
			admin_out_json_key(&j, "command");
			admin_out_json_str(&j, l[i].command);
			admin_out_json_key(&j, "target");
			admin_out_json_str(&j, l[i].target);
			admin_out_json_key(&j, "details");
			admin_out_json_str(&j, l[i].details);
			admin_out_json_end(&j, '}');
		}
		buf_adds(&out, n ? "\n]\n" : "]\n");
	} else if (n == 0) {
		buf_adds(&out, "no operator actions\n");
	} else {
		static const char *const head[] = {"time", "operator", "command", "target",
		                                   "details"};
		struct admin_out_table t;
		admin_out_table_init(&t, 5, head);
		for (int i = 0; i < n; i++) {
			buf_reset(&when);
			admin_out_time(&when, l[i].at);
			admin_out_table_cell(&t, when.ptr);
			admin_out_table_cell(&t, l[i].who);
			admin_out_table_cell(&t, l[i].command);
			admin_out_table_cell(&t, l[i].target);
			admin_out_table_cell(&t, l[i].details);
		}
		admin_out_table_render(&t, &out);
		admin_out_table_release(&t);
	}
	admin_print(&out);
	buf_release(&out);
	buf_release(&when);
	db_oplogs_release(l, n);
	return ADMIN_DONE;
}

const struct admin_cmd admin_cmd_log = {
    .name = "log",
    .args = "",
    .opts = {{"since", "YYYY-MM-DD", "only actions from that day on (China Standard Time)"}},
    .summary = "the operator log: who did what with okpay-admin, oldest first",
    .help = "The operator log: every command that changed something (user lock and unlock,\n"
            "settle, twostep-off), with its time, operator, target and details, oldest first.\n",
    .run = S_log,
};
