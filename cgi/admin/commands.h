/* commands.h - every command of okpay-admin, one line each, in the order --help lists them. */
/*
 * ADMIN_COMMAND(name) names the struct admin_cmd admin_cmd_<name> defined in one of the files
 * of cgi/admin/. main.c includes this list twice: to declare them and to build its table.
 * No include guard, on purpose.
 */
ADMIN_COMMAND(user)
ADMIN_COMMAND(transfer)
ADMIN_COMMAND(tickets)
ADMIN_COMMAND(ticket)
ADMIN_COMMAND(feedback)
ADMIN_COMMAND(settle)
ADMIN_COMMAND(audit)
ADMIN_COMMAND(twostep_off)
ADMIN_COMMAND(searches)
ADMIN_COMMAND(log)
ADMIN_COMMAND(backup)
