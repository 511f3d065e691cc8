/* main.c - okpay-admin: the operator's command line, on the portal's database while it serves. */
#include "admin.h"
#include "auth.h"
#include "day.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The commands, from commands.h: declared, then listed. */
#define ADMIN_COMMAND(name) extern const struct admin_cmd admin_cmd_##name;
#include "commands.h"
#undef ADMIN_COMMAND
#define ADMIN_COMMAND(name) &admin_cmd_##name,
static const struct admin_cmd *const commands[] = {
#include "commands.h"
    NULL};
#undef ADMIN_COMMAND

static const char S_options[] =
    "Options (before the command):\n"
    "  --db PATH          the portal's database ($OKPAY_DB, default var/okpay.db)\n"
    "  --theme DIR        templates, for mail ($OKPAY_THEME, default theme)\n"
    "  --content DIR      ui.conf, for mail ($OKPAY_CONTENT, default content)\n"
    "  --base-url URL     for links in mail ($OKPAY_BASE_URL)\n"
    "  --key PATH         the portal's server key, for signed links in mail ($OKPAY_KEY,\n"
    "                     default secret.key beside the database)\n"
    "  --currency C,S,D   the portal's currency ($OKPAY_CURRENCY, default CNY,¥,2)\n"
    "Every command also takes:\n"
    "  --json             JSON on stdout instead of text (one object or array)\n"
    "  --operator NAME    who is acting, for the operator log (default $USER); commands\n"
    "                     that change something refuse to run without one\n"
    "  --help             what the command does\n"
    "Exit status: 0 done, 1 not found or check failed, 2 usage, 3 error.\n";

/* "user lock ID --reason R" into b. */
static void S_synopsis(struct buf *b, const char *path, const struct admin_cmd *cmd)
{
	buf_adds(b, path);
	if (cmd->args && *cmd->args)
		buf_addf(b, " %s", cmd->args);
	for (const struct admin_opt *o = cmd->opts; o->name; o++)
		buf_addf(b, " %s--%s%s%s%s", o->required ? "" : "[", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "", o->required ? "" : "]");
}

static void S_help_all(FILE *f)
{
	fputs("usage: okpay-admin [OPTIONS] COMMAND [ARGS] [--json] [--operator NAME] [--help]\n"
	      "Commands:\n",
	      f);
	for (int i = 0; commands[i]; i++) {
		const struct admin_cmd *g = commands[i];
		for (int k = 0; g->sub ? g->sub[k] != NULL : k == 0; k++) {
			const struct admin_cmd *cmd = g->sub ? g->sub[k] : g;
			struct buf p = BUF_INIT, b = BUF_INIT;
			if (g->sub)
				buf_addf(&p, "%s ", g->name);
			buf_adds(&p, cmd->name);
			S_synopsis(&b, p.ptr, cmd);
			fprintf(f, "  %s\n      %s\n", b.ptr, cmd->summary);
			buf_release(&p);
			buf_release(&b);
		}
	}
	fputs(S_options, f);
	fputs("Run okpay-admin COMMAND --help for more about one command.\n", f);
}

static void S_help_group(FILE *f, const struct admin_cmd *g)
{
	fprintf(f, "usage: okpay-admin %s SUBCOMMAND [ARGS] [--json] [--help]\n", g->name);
	for (int k = 0; g->sub[k]; k++) {
		struct buf b = BUF_INIT, p = BUF_INIT;
		buf_addf(&p, "%s %s", g->name, g->sub[k]->name);
		S_synopsis(&b, p.ptr, g->sub[k]);
		fprintf(f, "  %s\n      %s\n", b.ptr, g->sub[k]->summary);
		buf_release(&b);
		buf_release(&p);
	}
	fputs("Exit status: 0 done, 1 not found or check failed, 2 usage, 3 error.\n", f);
}

static void S_usage_line(FILE *f, const char *path, const struct admin_cmd *cmd)
{
	struct buf b = BUF_INIT;
	S_synopsis(&b, path, cmd);
	fprintf(f, "usage: okpay-admin %s [--json]%s\n", b.ptr,
	        cmd->flags & ADMIN_WRITES ? " [--operator NAME]" : "");
	buf_release(&b);
}

static void S_help_cmd(FILE *f, const char *path, const struct admin_cmd *cmd)
{
	S_usage_line(f, path, cmd);
	fputs(cmd->help, f);
	fputs("Options:\n", f);
	for (const struct admin_opt *o = cmd->opts; o->name; o++) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-18s %s\n", b.ptr, o->help);
		buf_release(&b);
	}
	fprintf(f, "  %-18s %s\n", "--json", "JSON on stdout instead of text");
	if (cmd->flags & ADMIN_WRITES)
		fprintf(f, "  %-18s %s\n", "--operator NAME",
		        "who is acting, for the operator log (default $USER)");
	fputs("Exit status: 0 done, 1 not found or check failed, 2 usage, 3 error.\n", f);
}

/* --- helpers for the commands (admin.h) ---------------------------------------------------- */

const char *admin_opt(const struct admin_ctx *c, const char *name)
{
	for (int i = 0; c->cmd->opts[i].name; i++)
		if (strcmp(c->cmd->opts[i].name, name) == 0)
			return c->opt[i];
	return NULL;
}

void admin_err(const struct admin_ctx *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "okpay-admin: %s: ", c->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int admin_usage(const struct admin_ctx *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "okpay-admin: %s: ", c->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	S_usage_line(stderr, c->path, c->cmd);
	return ADMIN_USAGE;
}

int admin_db_error(const struct admin_ctx *c, const char *what)
{
	admin_err(c, "%s: %s", what, db_errmsg(c->db));
	return ADMIN_ERROR;
}

void admin_print(const struct buf *b)
{
	fwrite(b->ptr, 1, b->len, stdout);
}

int admin_since(const struct admin_ctx *c, const char *name, long long *since)
{
	const char *s = admin_opt(c, name);
	struct day d;
	*since = 0;
	if (!s)
		return ADMIN_DONE;
	if (day_parse(s, strlen(s), &d) < 0)
		return admin_usage(c, "--%s takes a date YYYY-MM-DD, not \"%s\"", name, s);
	*since = day_start(&d);
	return ADMIN_DONE;
}

int admin_id(const struct admin_ctx *c, const char *s, const char *what, long long *id)
{
	char *end;
	errno = 0;
	long long v = s[0] >= '1' && s[0] <= '9' ? strtoll(s, &end, 10) : 0;
	if (v <= 0 || errno || *end) {
		admin_usage(c, "\"%s\" is not a %s id (a number such as 42)", s, what);
		return -1;
	}
	*id = v;
	return 0;
}

void admin_req(const struct admin_ctx *c, struct http_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->app = c->app;
	rq->db = c->db;
	rq->now = c->now;
	rq->remote_addr = "okpay-admin";
	rq->user_agent = "okpay-admin";
}

int admin_log(const struct admin_ctx *c, const char *target, const char *details)
{
	return db_oplog_add(c->db, c->now, c->who, c->path, target, details);
}

/* --- main ---------------------------------------------------------------------------------- */

/*
 * The portal's server key, which signs the links in its mails: --key, $OKPAY_KEY, or
 * secret.key beside the database as the portal's defaults have it. Never made here: a key
 * the portal does not know would sign links that open nothing. 0, or -1 with a message.
 */
static int S_key(struct app *app, struct buf *err)
{
	struct config *cfg = &app->cfg;
	static char beside[4096];
	if (!cfg->key_path) {
		const char *slash = strrchr(cfg->db_path, '/');
		int dir = slash ? (int)(slash - cfg->db_path) : 0;
		snprintf(beside, sizeof(beside), "%.*s%ssecret.key", dir, cfg->db_path,
		         slash ? "/" : "");
		cfg->key_path = beside;
	}
	if (auth_init() < 0) {
		buf_adds(err, "libsodium failed to initialise");
		return -1;
	}
	if (access(cfg->key_path, F_OK) != 0) {
		buf_addf(err, "no server key at %s: give the portal's with --key", cfg->key_path);
		return -1;
	}
	return auth_key_load(cfg->key_path, app->key, err);
}

static const char *S_env(const char *env, const char *def)
{
	const char *v = getenv(env);
	return v && *v ? v : def;
}

/*
 * If argv[*i] is the option --name (as "--name VALUE" or "--name=VALUE"), store its value in
 * *val, advance *i past it and return 1; 0 if it is another argument; -1 if the value is
 * missing.
 */
static int S_take(int argc, char **argv, int *i, const char *name, int has_arg, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return 0;
	if (a[2 + n] == '=' && has_arg) {
		*val = a + 3 + n;
	} else if (a[2 + n] != '\0') {
		return 0;
	} else if (!has_arg) {
		*val = "";
	} else if (*i + 1 < argc) {
		*val = argv[++*i];
	} else {
		return -1;
	}
	++*i;
	return 1;
}

/* An operator's name as logged: printable, at most 64 bytes. */
static int S_who_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Parse the command's arguments into c. ADMIN_DONE, ADMIN_USAGE, or -1 after --help. */
static int S_args(struct admin_ctx *c, int argc, char **argv, int i)
{
	const struct admin_cmd *cmd = c->cmd;
	int npos = 0, dashdash = 0;
	while (i < argc) {
		const char *a = argv[i], *v = NULL;
		int r = 0;
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = 1, i++;
			continue;
		}
		if (dashdash || strncmp(a, "--", 2) != 0) {
			if (npos == cmd->npos)
				return admin_usage(c, "unexpected argument \"%s\"", a);
			c->pos[npos++] = argv[i++];
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			S_help_cmd(stdout, c->path, cmd);
			return -1;
		}
		if ((r = S_take(argc, argv, &i, "json", 0, &v)) == 1) {
			c->json = 1;
			continue;
		}
		if (r == 0 && (r = S_take(argc, argv, &i, "operator", 1, &v)) == 1) {
			c->who = v;
			continue;
		}
		for (int k = 0; r == 0 && cmd->opts[k].name; k++)
			if ((r = S_take(argc, argv, &i, cmd->opts[k].name, cmd->opts[k].arg != NULL,
			                &v)) == 1)
				c->opt[k] = v;
		if (r < 0)
			return admin_usage(c, "%s needs a value", a);
		if (r == 0)
			return admin_usage(c, "unknown option %s", a);
	}
	if (npos < cmd->npos)
		return admin_usage(c, "missing %s", cmd->args);
	for (int k = 0; cmd->opts[k].name; k++)
		if (cmd->opts[k].required && (!c->opt[k] || !*c->opt[k]))
			return admin_usage(c, "--%s is required", cmd->opts[k].name);
	return ADMIN_DONE;
}

int main(int argc, char **argv)
{
	static struct app app;
	static char currency_spec[64];
	struct config *cfg = &app.cfg;
	struct admin_ctx c = {.app = &app, .now = (long long)time(NULL)};
	struct buf err = BUF_INIT;
	const char *currency = S_env("OKPAY_CURRENCY", "CNY,¥,2");
	int i = 1, rc = ADMIN_ERROR;

	util_set_progname("okpay-admin");
	cfg->db_path = S_env("OKPAY_DB", "var/okpay.db");
	cfg->theme_dir = S_env("OKPAY_THEME", "theme");
	cfg->content_dir = S_env("OKPAY_CONTENT", "content");
	cfg->base_url = S_env("OKPAY_BASE_URL", "http://127.0.0.1:8080");
	cfg->key_path = S_env("OKPAY_KEY", NULL);
	c.who = getenv("USER");
	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		const char *v = NULL;
		int r;
		if (strcmp(argv[i], "--help") == 0) {
			S_help_all(stdout);
			return ADMIN_DONE;
		}
		if ((r = S_take(argc, argv, &i, "db", 1, &cfg->db_path)) ||
		    (r = S_take(argc, argv, &i, "theme", 1, &cfg->theme_dir)) ||
		    (r = S_take(argc, argv, &i, "content", 1, &cfg->content_dir)) ||
		    (r = S_take(argc, argv, &i, "base-url", 1, &cfg->base_url)) ||
		    (r = S_take(argc, argv, &i, "key", 1, &cfg->key_path)) ||
		    (r = S_take(argc, argv, &i, "currency", 1, &currency)) ||
		    (r = S_take(argc, argv, &i, "operator", 1, &c.who))) {
			if (r < 0) {
				fprintf(stderr, "okpay-admin: %s needs a value\n", argv[i]);
				return ADMIN_USAGE;
			}
		} else if ((r = S_take(argc, argv, &i, "json", 0, &v)) == 1) {
			c.json = 1;
		} else {
			fprintf(stderr, "okpay-admin: unknown option %s\n", argv[i]);
			S_help_all(stderr);
			return ADMIN_USAGE;
		}
	}
	if (i == argc) {
		S_help_all(stderr);
		return ADMIN_USAGE;
	}
	for (int k = 0; commands[k]; k++)
		if (strcmp(commands[k]->name, argv[i]) == 0)
			c.cmd = commands[k];
	if (!c.cmd) {
		fprintf(stderr, "okpay-admin: unknown command \"%s\"\n", argv[i]);
		S_help_all(stderr);
		return ADMIN_USAGE;
	}
	snprintf(c.path, sizeof(c.path), "%s", c.cmd->name);
	i++;
	if (c.cmd->sub) {
		const struct admin_cmd *g = c.cmd;
		if (i < argc && strcmp(argv[i], "--help") == 0) {
			S_help_group(stdout, g);
			return ADMIN_DONE;
		}
		c.cmd = NULL;
		for (int k = 0; i < argc && g->sub[k]; k++)
			if (strcmp(g->sub[k]->name, argv[i]) == 0)
				c.cmd = g->sub[k];
		if (!c.cmd) {
			if (i < argc)
				fprintf(stderr, "okpay-admin: %s: unknown subcommand \"%s\"\n",
				        g->name, argv[i]);
			else
				fprintf(stderr, "okpay-admin: %s: which one?\n", g->name);
			S_help_group(stderr, g);
			return ADMIN_USAGE;
		}
		snprintf(c.path, sizeof(c.path), "%s %s", g->name, c.cmd->name);
		i++;
	}
	int a = S_args(&c, argc, argv, i);
	if (a < 0)
		return ADMIN_DONE; /* --help */
	if (a != ADMIN_DONE)
		return a;
	snprintf(currency_spec, sizeof(currency_spec), "%s", currency);
	if (strlen(currency) >= sizeof(currency_spec) ||
	    money_currency_parse(&cfg->currency, currency_spec) < 0) {
		fprintf(stderr,
		        "okpay-admin: --currency takes CODE,SYMBOL,DECIMALS such as CNY,¥,2\n");
		return ADMIN_USAGE;
	}
	if (c.cmd->flags & ADMIN_WRITES) {
		if (!c.who || !*c.who)
			return admin_usage(&c, "who is acting? give --operator NAME or set $USER");
		if (!S_who_ok(c.who))
			return admin_usage(&c,
			                   "--operator takes a name of 1 to 64 printable bytes");
	}
	c.db = db_open(cfg->db_path, &err);
	if (!c.db) {
		fprintf(stderr, "okpay-admin: %s\n", err.ptr);
		buf_release(&err);
		return ADMIN_ERROR;
	}
	if ((c.cmd->flags & ADMIN_MAIL) && S_key(&app, &err) < 0) {
		fprintf(stderr, "okpay-admin: %s\n", err.ptr);
	} else if ((c.cmd->flags & ADMIN_MAIL) &&
	           theme_load(&app.theme, cfg->theme_dir, cfg->content_dir, cfg->base_url, &err) <
	               0) {
		fprintf(stderr, "okpay-admin: theme: %s\n", err.ptr);
	} else {
		rc = c.cmd->run(&c);
		if (c.cmd->flags & ADMIN_MAIL)
			theme_release(&app.theme);
	}
	db_close(c.db);
	buf_release(&err);
	return rc;
}
