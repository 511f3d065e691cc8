/* admin.h - what every okpay-admin command shares: its description, its context, helpers. */
#ifndef CGI_ADMIN_ADMIN_H
#define CGI_ADMIN_ADMIN_H

#include "admin_out.h"
#include "app.h"
#include "buf.h"
#include "db.h"
#include "http.h"

/*
 * A command is a struct admin_cmd in the file of its group (users.c, transfers.c, ...), named
 * admin_cmd_<name>, and one line ADMIN_COMMAND(<name>) in commands.h; the Makefile builds
 * every .c file in cgi/admin. main.c parses the arguments the command declares (positional ones and
 * options, plus --json, --help and --operator, which every command has), opens the database,
 * loads the mail templates if it sends mail, makes sure a command that changes something
 * knows its operator, and calls run. A group (user, transfer) is a command with sub instead
 * of run.
 */

/* Exit status of okpay-admin. */
enum admin_exit {
	ADMIN_DONE = 0,  /* done, or the check passed */
	ADMIN_NO = 1,    /* the thing asked for is not there, or the check failed */
	ADMIN_USAGE = 2, /* the command line is wrong: usage on stderr */
	ADMIN_ERROR = 3  /* the database or the system failed */
};

/* Flags of a command. */
#define ADMIN_WRITES 1u /* changes something: needs an operator and leaves a row in the log */
#define ADMIN_MAIL   2u /* sends mail: needs the templates (--theme, --content) */

#define ADMIN_POS_MAX  3 /* positional arguments of one command */
#define ADMIN_OPTS_MAX 8 /* own options of one command */

/* An option of a command, besides --json, --help and --operator. */
struct admin_opt {
	const char *name; /* "reason" for --reason */
	const char *arg;  /* the value's name in help ("R"), or NULL for a flag */
	const char *help; /* one line */
	int required;     /* the command refuses to run without it */
};

struct admin_ctx;

struct admin_cmd {
	const char *name; /* "lock" */
	const char *args; /* positional arguments as usage shows them: "ID", "" */
	int npos;         /* how many positional arguments it takes */
	struct admin_opt opts[ADMIN_OPTS_MAX]; /* its own options, ended by a NULL name */
	const char *summary;                   /* one line for the list of commands */
	const char *help; /* what it does, for --help (lines of at most 80 columns) */
	unsigned flags;   /* ADMIN_WRITES, ADMIN_MAIL */
	int (*run)(struct admin_ctx *c);    /* returns an enum admin_exit */
	const struct admin_cmd *const *sub; /* a group: its subcommands, ended by NULL */
};

/* What a command runs with. */
struct admin_ctx {
	struct app *app; /* settings (currency, base URL) and, with ADMIN_MAIL, the theme */
	struct db *db;   /* the portal's database, open */
	const struct admin_cmd *cmd;     /* the command running */
	char path[64];                   /* its full name, "user lock": in messages and the log */
	const char *who;                 /* the operator (--operator or $USER); NULL if neither */
	int json;                        /* --json: write JSON instead of tables */
	long long now;                   /* unix seconds at start */
	const char *pos[ADMIN_POS_MAX];  /* positional arguments */
	const char *opt[ADMIN_OPTS_MAX]; /* values of cmd->opts by index: NULL absent, "" a flag */
};

/** The value of the command's option name ("" for a flag given), or NULL when absent. */
const char *admin_opt(const struct admin_ctx *c, const char *name);

/** Print "okpay-admin: <command>: <message>" and a newline to stderr. */
void admin_err(const struct admin_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** admin_err, then the command's usage line; returns ADMIN_USAGE. */
int admin_usage(const struct admin_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** admin_err with the database's last error; returns ADMIN_ERROR. */
int admin_db_error(const struct admin_ctx *c, const char *what);

/** Write b to stdout. */
void admin_print(const struct buf *b);

/**
 * Parse the option name as a China Standard Time day YYYY-MM-DD into *since (the unix time it
 * starts); 0 when the option is absent. ADMIN_DONE or ADMIN_USAGE (with a message).
 */
int admin_since(const struct admin_ctx *c, const char *name, long long *since);

/**
 * Parse s as a positive decimal id of a what ("user", "ticket") into *id: 0, or -1 with a usage
 * message ("\"abc\" is not a user id").
 */
int admin_id(const struct admin_ctx *c, const char *s, const char *what, long long *id);

/**
 * A request as the portal's modules expect it, from the operator's tool: the activity log and
 * the mails name "okpay-admin" as address and device.
 */
void admin_req(const struct admin_ctx *c, struct http_req *rq);

/**
 * Record the command in the operator log: now, the operator, c->path, target ("user:7", a
 * reference) and details (never a secret). Inside the caller's transaction when there is one.
 * 0 or -1.
 */
int admin_log(const struct admin_ctx *c, const char *target, const char *details);

#endif
