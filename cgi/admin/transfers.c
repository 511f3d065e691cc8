/* transfers.c - okpay-admin transfer show: one transfer with its parties and entries. */
#include "admin.h"
#include "money.h"

#include <string.h>

/* A party of a transfer as "user 7 li@example.com, wallet 1234567890", or "-" for none. */
static int S_party(struct admin_ctx *c, long long id, struct buf *b, struct db_user *u,
                   struct db_account *w)
{
	if (!id) {
		buf_addc(b, '-');
		return 0;
	}
	if (db_user_by_id(c->db, id, u) < 0 || db_wallet_by_user(c->db, id, w) < 0)
		return -1;
	buf_addf(b, "user %lld %s", id, u->email ? u->email : "?");
	if (w->number[0])
		buf_addf(b, ", wallet %s", w->number);
	return 0;
}

static void S_json_party(struct admin_out_json *j, long long id, const struct db_user *u,
                         const struct db_account *w)
{
	if (!id) {
		admin_out_json_null(j);
		return;
	}
	admin_out_json_object(j);
	admin_out_json_key(j, "id");
	admin_out_json_int(j, id);
	admin_out_json_key(j, "email");
	admin_out_json_str(j, u->email);
	admin_out_json_key(j, "name");
	admin_out_json_str(j, u->name);
	admin_out_json_key(j, "wallet");
	admin_out_json_str(j, w->number[0] ? w->number : NULL);
	admin_out_json_end(j, '}');
}

static int S_show(struct admin_ctx *c)
{
	char number[17];
	const char *arg = c->pos[0];
	size_t n = strlen(arg);
	int ok = n == 16 && (arg[0] == 'T' || arg[0] == 't');
	for (size_t i = 1; ok && i < n; i++)
		ok = arg[i] >= '0' && arg[i] <= '9';
	if (!ok)
		return admin_usage(c, "\"%s\" is not a transfer number (T + 15 digits)", arg);
	memcpy(number, arg, 17);
	number[0] = 'T';

	struct db_transfer t = {0};
	struct db_user from = {0}, to = {0};
	struct db_account fw = {0}, tw = {0};
	struct db_entry_row *e = NULL;
	struct buf out = BUF_INIT, v = BUF_INIT, pf = BUF_INIT, pt = BUF_INIT;
	const struct money_currency *cur = &c->app->cfg.currency;
	int ne = 0, rc = ADMIN_ERROR;
	int found = db_transfer_by_number(c->db, number, &t);
	if (found == 0) {
		admin_err(c, "no transfer with number %s", number);
		rc = ADMIN_NO;
		goto out;
	}
	if (found < 0 || S_party(c, t.from_user, &pf, &from, &fw) < 0 ||
	    S_party(c, t.to_user, &pt, &to, &tw) < 0 ||
	    (ne = db_transfer_entries(c->db, t.id, &e)) < 0) {
		ne = 0;
		rc = admin_db_error(c, "cannot read the transfer");
		goto out;
	}
	/* A transfer row exists only once its money moved: pending deposits have none yet. */
	if (c->json) {
		struct admin_out_json j;
		admin_out_json_init(&j, &out);
		admin_out_json_object(&j);
		admin_out_json_key(&j, "number");
		admin_out_json_str(&j, t.number);
		admin_out_json_key(&j, "status");
		admin_out_json_str(&j, "completed");
		admin_out_json_key(&j, "kind");
		admin_out_json_str(&j, t.kind);
		admin_out_json_key(&j, "method");
		admin_out_json_str(&j, t.method);
		admin_out_json_key(&j, "amount");
		admin_out_json_int(&j, t.amount);
		admin_out_json_key(&j, "fee");
		admin_out_json_int(&j, t.fee);
		admin_out_json_key(&j, "currency");
		admin_out_json_str(&j, cur->code);
		admin_out_json_key(&j, "from");
		S_json_party(&j, t.from_user, &from, &fw);
		admin_out_json_key(&j, "to");
		S_json_party(&j, t.to_user, &to, &tw);
		admin_out_json_key(&j, "note");
		admin_out_json_str(&j, t.note);
		admin_out_json_key(&j, "card");
		admin_out_json_str(&j, t.card);
		admin_out_json_key(&j, "reference");
		admin_out_json_str(&j, t.reference);
		admin_out_json_key(&j, "created");
		admin_out_json_time(&j, t.created_at);
		admin_out_json_key(&j, "entries");
		admin_out_json_array(&j);
		for (int i = 0; i < ne; i++) {
			admin_out_json_object(&j);
			admin_out_json_key(&j, "account");
			admin_out_json_int(&j, e[i].account_id);
			admin_out_json_key(&j, "kind");
			admin_out_json_str(&j, e[i].kind);
			admin_out_json_key(&j, "number");
			admin_out_json_str(&j, e[i].number[0] ? e[i].number : NULL);
			admin_out_json_key(&j, "owner");
			admin_out_json_str(&j, e[i].email[0] ? e[i].email : NULL);
			admin_out_json_key(&j, "amount");
			admin_out_json_int(&j, e[i].amount);
			admin_out_json_key(&j, "balance_after");
			admin_out_json_int(&j, e[i].balance_after);
			admin_out_json_end(&j, '}');
		}
		admin_out_json_end(&j, ']');
		admin_out_json_end(&j, '}');
		buf_addc(&out, '\n');
	} else {
		const char *head[] = {"transfer", t.number};
		struct admin_out_table tb;
		admin_out_table_init(&tb, 2, head);
		admin_out_table_cell(&tb, "status");
		admin_out_table_cell(&tb, "completed");
		admin_out_table_cell(&tb, "kind");
		admin_out_table_cell(&tb, t.kind);
		admin_out_table_cell(&tb, "method");
		admin_out_table_cell(&tb, t.method);
		admin_out_table_cell(&tb, "amount");
		money_format(&v, t.amount, cur, LOCALE_EN);
		admin_out_table_cell(&tb, v.ptr);
		admin_out_table_cell(&tb, "fee");
		buf_reset(&v);
		money_format(&v, t.fee, cur, LOCALE_EN);
		admin_out_table_cell(&tb, v.ptr);
		admin_out_table_cell(&tb, "from");
		admin_out_table_cell(&tb, pf.ptr);
		admin_out_table_cell(&tb, "to");
		admin_out_table_cell(&tb, pt.ptr);
		admin_out_table_cell(&tb, "note");
		admin_out_table_cell(&tb, t.note[0] ? t.note : "-");
		admin_out_table_cell(&tb, "card");
		admin_out_table_cell(&tb, t.card[0] ? t.card : "-");
		admin_out_table_cell(&tb, "reference");
		admin_out_table_cell(&tb, t.reference[0] ? t.reference : "-");
		admin_out_table_cell(&tb, "created");
		buf_reset(&v);
		admin_out_time(&v, t.created_at);
		admin_out_table_cell(&tb, v.ptr);
		admin_out_table_render(&tb, &out);
		admin_out_table_release(&tb);

		static const char *const ehead[] = {"entry account", "kind",   "number",
		                                    "owner",         "amount", "balance after"};
		admin_out_table_init(&tb, 6, ehead);
		tb.align[0] = tb.align[4] = tb.align[5] = ADMIN_OUT_RIGHT;
		for (int i = 0; i < ne; i++) {
			admin_out_table_cellf(&tb, "%lld", e[i].account_id);
			admin_out_table_cell(&tb, e[i].kind);
			admin_out_table_cell(&tb, e[i].number[0] ? e[i].number : "-");
			admin_out_table_cell(&tb, e[i].email[0] ? e[i].email : "-");
			buf_reset(&v);
			if (e[i].amount > 0)
				buf_addc(&v, '+');
			money_decimal(&v, e[i].amount, cur);
			admin_out_table_cell(&tb, v.ptr);
			buf_reset(&v);
			money_decimal(&v, e[i].balance_after, cur);
			admin_out_table_cell(&tb, v.ptr);
		}
		buf_addc(&out, '\n');
		admin_out_table_render(&tb, &out);
		admin_out_table_release(&tb);
	}
	admin_print(&out);
	rc = ADMIN_DONE;
out:
	db_transfer_release(&t);
	db_user_release(&from);
	db_user_release(&to);
	db_entry_rows_release(e, ne);
	buf_release(&out);
	buf_release(&v);
	buf_release(&pf);
	buf_release(&pt);
	return rc;
}

static const struct admin_cmd S_cmd_show = {
    .name = "show",
    .args = "NUMBER",
    .npos = 1,
    .summary = "one transfer: parties, amount, fee, method, note, card, entries",
    .help = "One transfer by its number (T + 15 digits, as on receipts): status, kind, method,\n"
            "amount and fee, both parties with their wallets, the note, the card (brand and last\n"
            "four digits only: nothing more is stored), the bank reference, and its ledger\n"
            "entries with each account's balance after them. Exit 1 when there is none.\n",
    .run = S_show,
};

static const struct admin_cmd *const S_transfer_cmds[] = {&S_cmd_show, NULL};

const struct admin_cmd admin_cmd_transfer = {
    .name = "transfer",
    .summary = "transfers",
    .sub = S_transfer_cmds,
};
