/* ledger.c - okpay-admin settle and audit: the money side of the operator's work. */
#include "admin.h"
#include "wallet.h"

#include <stdio.h>
#include <string.h>

static int S_settle(struct admin_ctx *c)
{
	const char *ref = c->pos[0];
	char number[17] = "", norm[10];
	struct http_req rq;
	size_t n = strlen(ref);
	if (n != 9)
		return admin_usage(c, "\"%s\" is not a deposit reference (D + 8 characters)", ref);
	/* References are written in upper case; people may type them otherwise. */
	for (size_t i = 0; i <= n; i++)
		norm[i] = (char)(ref[i] >= 'a' && ref[i] <= 'z' ? ref[i] - 32 : ref[i]);
	admin_req(c, &rq);
	enum wallet_result r = wallet_settle(&rq, norm, number);
	if (r == WALLET_NOT_FOUND) {
		admin_err(c, "no deposit with reference %s", norm);
		return ADMIN_NO;
	}
	if (r != WALLET_OK && r != WALLET_REPLAYED)
		return admin_db_error(c, "failed");
	struct buf details = BUF_INIT, out = BUF_INIT;
	buf_addf(&details, "%s transfer %s",
	         r == WALLET_OK ? "settled:" : "settled before:", number);
	/* The money moved already; a failure to log it is reported, not undone. */
	int logged = admin_log(c, norm, details.ptr);
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "reference");
		admin_out_json_str(&j, norm);
		admin_out_json_key(&j, "transfer");
		admin_out_json_str(&j, number);
		admin_out_json_key(&j, "settled_now");
		admin_out_json_bool(&j, r == WALLET_OK);
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else if (r == WALLET_OK) {
		buf_addf(&out, "%s settled: transfer %s\n", norm, number);
	} else {
		buf_addf(&out, "%s was settled before: transfer %s\n", norm, number);
	}
	admin_print(&out);
	buf_release(&details);
	buf_release(&out);
	return logged < 0 ? admin_db_error(c, "cannot write the operator log") : ADMIN_DONE;
}

const struct admin_cmd admin_cmd_settle = {
    .name = "settle",
    .args = "REF",
    .npos = 1,
    .summary = "credit a pending bank deposit to its owner's wallet",
    .help = "Credit the pending bank deposit with reference REF (D + 8 characters, any case) to\n"
            "its owner's wallet and mail them; prints the transfer number. Settling twice is\n"
            "harmless: it names the first transfer. Exit 1 when no deposit has that reference.\n",
    .flags = ADMIN_WRITES | ADMIN_MAIL,
    .run = S_settle,
};

static int S_audit(struct admin_ctx *c)
{
	struct buf report = BUF_INIT, out = BUF_INIT;
	int n = db_audit(c->db, &report);
	if (n < 0) {
		buf_release(&report);
		return admin_db_error(c, "cannot read the ledger");
	}
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "ok");
		admin_out_json_bool(&j, n == 0);
		admin_out_json_key(&j, "problems");
		admin_out_json_array(&j);
		/* One problem per line of the report. */
		for (char *line = report.ptr, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			admin_out_json_str(&j, line);
		}
		admin_out_json_end(&j, ']');
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else if (n == 0) {
		buf_adds(&out, "ledger ok\n");
	} else {
		buf_add(&out, report.ptr, report.len);
		buf_addf(&out, "ledger audit failed: %d problem%s\n", n, n == 1 ? "" : "s");
	}
	admin_print(&out);
	buf_release(&report);
	buf_release(&out);
	return n == 0 ? ADMIN_DONE : ADMIN_NO;
}

const struct admin_cmd admin_cmd_audit = {
    .name = "audit",
    .args = "",
    .summary = "check the ledger's invariants; exit 1 with a report when one fails",
    .help = "Check the ledger: every transfer's entries sum to zero, every cached balance equals\n"
            "the sum of its entries, no wallet is negative, no idempotency key (so no review)\n"
            "made more than one transfer, the daily totals of sends match the sends, and every\n"
            "stored review names the one transfer made under it. Prints \"ledger ok\", or one\n"
            "line per problem and exits 1. Reads only; safe while the portal serves.\n",
    .run = S_audit,
};
