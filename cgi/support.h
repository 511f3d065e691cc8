/* support.h - support tickets and article feedback: numbers, topics, signed links, the rules. */
#ifndef CGI_SUPPORT_H
#define CGI_SUPPORT_H

#include <stddef.h>

#include "buf.h"
#include "i18n.h"

struct http_req;
struct app;

/*
 * Rules:
 * - A ticket number is "S" and 8 ASCII digits, the last a Luhn check digit over the first 7,
 *   so a number typed with one wrong digit or two swapped neighbours is told apart from a
 *   ticket that does not exist. Numbers are random (not a sequence), so they tell nobody how
 *   many tickets there are.
 * - A ticket is open (waiting for customer service), waiting (customer service answered and
 *   waits for the requester) or closed. A reply by the requester opens it again.
 * - A requester without an account reaches their ticket through a signed link: the ticket
 *   number and an expiry time, MACed with the server key. The link is the only key to the
 *   ticket, so pages that show it send Referrer-Policy: no-referrer.
 * - Feedback: one vote per article per browser per China Standard Time day. A browser is the
 *   random value of its voter cookie, stored only as a BLAKE2b hash.
 */

/** Ticket numbers: "S" + 8 digits, and the NUL. */
#define SUPPORT_NUMBER_LEN 9
/** Description length in characters (code points), inclusive. */
#define SUPPORT_DESCRIPTION_MIN 20
#define SUPPORT_DESCRIPTION_MAX 5000
/** Subject length in characters. */
#define SUPPORT_SUBJECT_MAX 120
/** A reply's length in characters (requester or operator). */
#define SUPPORT_REPLY_MAX 5000
/** Screenshots per ticket, and bytes per screenshot. */
#define SUPPORT_FILES_MAX 3
#define SUPPORT_FILE_MAX  (5 * 1024 * 1024)
/** The largest ticket form body the portal reads (nginx has the same limit there). */
#define SUPPORT_BODY_MAX (16 * 1024 * 1024)
/** Seconds a person needs at least to fill in the form; quicker posts are refused. */
#define SUPPORT_MIN_FILL 3
/** Seconds a signed ticket link stays valid. */
#define SUPPORT_LINK_TTL (30 * 86400)
/** New tickets per client address per hour. */
#define SUPPORT_TICKETS_PER_HOUR 10
/** Feedback comment length in characters. */
#define SUPPORT_COMMENT_MAX 500
/** Feedback votes per client address per hour (all articles together). */
#define SUPPORT_VOTES_PER_HOUR 60

enum support_topic {
	SUPPORT_TOPIC_ACCOUNT,  /* account and login */
	SUPPORT_TOPIC_SEND,     /* sending money */
	SUPPORT_TOPIC_ADD,      /* adding money */
	SUPPORT_TOPIC_SECURITY, /* security or suspicious activity */
	SUPPORT_TOPIC_OTHER,
	SUPPORT_TOPIC__MAX
};

/** "account", "send", "add", "security", "other": what forms post and the database keeps. */
extern const char *const support_topic_code[SUPPORT_TOPIC__MAX];
/** Default reply times in hours: security 4, account 24, send 24, add 24, other 48. */
extern const int support_reply_hours_default[SUPPORT_TOPIC__MAX];

/** The topic with code s, or -1. */
int support_topic_from_code(const char *s);

/**
 * Parse a reply-time setting: comma-separated "topic=hours" pairs ("security=2,other=72"),
 * hours 1 to 720, each topic at most once; topics not named keep what hours holds. 0, or -1
 * (hours unchanged) for anything else.
 */
int support_reply_hours_parse(int hours[SUPPORT_TOPIC__MAX], const char *s);

/**
 * Append the reply time of h hours in locale l: "4 小时内" / "within 4 hours"; whole multiples of
 * 24 are business days: "1 个工作日内" / "within 1 business day".
 */
void support_reply_time(struct buf *b, const struct i18n *ui, enum locale l, int h);

/* --- ticket numbers ------------------------------------------------------------------------ */

/** A new random ticket number in out. */
void support_number_new(char out[SUPPORT_NUMBER_LEN + 1]);
/**
 * 1 if s (n bytes) is a ticket number: "S" or "s", 8 ASCII digits, the right check digit;
 * nothing around it. 0 otherwise.
 */
int support_number_valid(const char *s, size_t n);

/* --- signed links -------------------------------------------------------------------------- */

/**
 * Append the path and query of the signed link to ticket number in locale l, valid until
 * expires: "/zh/support/tickets/S12345674?exp=...&sig=...".
 */
void support_link(struct buf *b, const unsigned char key[32], enum locale l, const char *number,
                  long long expires);
/**
 * 1 if sig is the signature of number and exp (decimal, as in the link) and exp is after now;
 * 0 otherwise.
 */
int support_link_ok(const unsigned char key[32], const char *number, const char *exp,
                    const char *sig, long long now);

/* --- feedback ------------------------------------------------------------------------------ */

/** The China Standard Time day of at, as the unix time it starts: the unit of one vote. */
long long support_vote_day(long long at);
/**
 * 1 if article is a path feedback may be about: "/zh/..." or "/en/..." with a further
 * segment, at most 300 bytes of letters, digits, '-', '_', '.' and '/', no "//" or "..".
 */
int support_article_ok(const char *article);

/* --- tickets, for the portal and the operator's command line ------------------------------- */

/**
 * An operator's reply to ticket number: stored, the ticket becomes "waiting" (for the
 * requester), and the requester is mailed the reply with a signed link to the ticket, all in
 * one transaction. rq needs app (key, UI strings, base URL), db and now. Returns 0, 1 if
 * there is no such ticket or it is closed, -1 on error (nothing changed).
 */
int support_operator_reply(struct http_req *rq, const char *number, const char *body);
/** Close ticket number. 0, 1 if there is no such ticket (or it was closed already), -1. */
int support_close(struct http_req *rq, const char *number);

#endif
