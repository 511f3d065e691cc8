/* support_test.c - ticket numbers, reply times, signed links, the feedback vote rule, and the
 * database functions the operator's command line calls. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "http.h"
#include "support.h"

/* --- pure rules ---------------------------------------------------------------------------- */

Test(support, new_numbers_are_S_and_8_digits_with_a_check_digit)
{
	cr_assert_eq(auth_init() >= 0, 1);
	for (int i = 0; i < 200; i++) {
		char n[SUPPORT_NUMBER_LEN + 1];
		support_number_new(n);
		cr_assert_eq(strlen(n), 9);
		cr_assert_eq(n[0], 'S');
		for (int j = 1; j < 9; j++)
			cr_assert(n[j] >= '0' && n[j] <= '9', "%s", n);
		cr_assert_neq(n[1], '0', "%s keeps its width", n);
		cr_assert(support_number_valid(n, 9), "%s", n);
	}
}

Test(support, number_check_catches_typos_and_wrong_shapes)
{
	/* 1234567 has the Luhn check digit 4. */
	cr_assert(support_number_valid("S12345674", 9));
	cr_assert(support_number_valid("s12345674", 9), "a lower-case s is typed often");
	cr_assert_not(support_number_valid("S12345675", 9), "wrong check digit");
	cr_assert_not(support_number_valid("S21345674", 9), "swapped neighbours");
	cr_assert_not(support_number_valid("S1234567", 8), "too short");
	cr_assert_not(support_number_valid("S123456740", 10), "too long");
	cr_assert_not(support_number_valid("T12345674", 9), "another kind of number");
	cr_assert_not(support_number_valid("S1234567a", 9));
	cr_assert_not(support_number_valid(" S1234567", 9));
	cr_assert_not(support_number_valid("S１2345674", 9), "full-width digits are not digits");
}

Test(support, topics_round_trip_and_unknown_ones_are_refused)
{
	for (int i = 0; i < SUPPORT_TOPIC__MAX; i++)
		cr_assert_eq(support_topic_from_code(support_topic_code[i]), i);
	cr_assert_eq(support_topic_from_code("Security"), -1);
	cr_assert_eq(support_topic_from_code(""), -1);
	cr_assert_eq(support_topic_from_code(NULL), -1);
}

Test(support, reply_times_parse_strictly_and_keep_the_rest)
{
	int h[SUPPORT_TOPIC__MAX];
	memcpy(h, support_reply_hours_default, sizeof(h));
	cr_assert_eq(support_reply_hours_parse(h, "security=2,other=72"), 0);
	cr_assert_eq(h[SUPPORT_TOPIC_SECURITY], 2);
	cr_assert_eq(h[SUPPORT_TOPIC_OTHER], 72);
	cr_assert_eq(h[SUPPORT_TOPIC_ACCOUNT], 24);
	const char *bad[] = {"",
	                     "security",
	                     "security=",
	                     "security=0",
	                     "security=721",
	                     "security=2,",
	                     "security=2,security=3",
	                     "nope=2",
	                     "security=02",
	                     "security=2x",
	                     "security=-1",
	                     ",security=2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int before[SUPPORT_TOPIC__MAX];
		memcpy(before, h, sizeof(h));
		cr_assert_eq(support_reply_hours_parse(h, bad[i]), -1, "\"%s\"", bad[i]);
		cr_assert_eq(memcmp(before, h, sizeof(h)), 0, "\"%s\" changed nothing", bad[i]);
	}
}

Test(support, a_vote_day_is_a_china_standard_time_day)
{
	/* 2026-11-25 15:59:59 UTC is 23:59:59 in Beijing; a second later is the next day. */
	long long t = 1795622399;
	cr_assert_eq(support_vote_day(t), 1795536000);
	cr_assert_eq(support_vote_day(t + 1), 1795622400);
	cr_assert_eq(support_vote_day(t + 1), support_vote_day(t + 86400));
	cr_assert_neq(support_vote_day(t), support_vote_day(t + 1));
	cr_assert_eq(support_vote_day(0), -8 * 3600);
}

Test(support, feedback_is_only_about_our_article_paths)
{
	cr_assert(support_article_ok("/zh/payments/send-money/"));
	cr_assert(support_article_ok("/en/security/faq/"));
	cr_assert_not(support_article_ok("https://evil.example/"));
	cr_assert_not(support_article_ok("//evil.example/zh/x"));
	cr_assert_not(support_article_ok("/fr/payments/"));
	cr_assert_not(support_article_ok("/zh/../etc/passwd"));
	cr_assert_not(support_article_ok("/zh/a b/"));
	cr_assert_not(support_article_ok("/zh/<script>/"));
	cr_assert_not(support_article_ok(""));
	char longp[400];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	memcpy(longp, "/zh/", 4);
	cr_assert_not(support_article_ok(longp));
}

Test(support, signed_links_open_their_ticket_until_they_expire)
{
	cr_assert_eq(auth_init() >= 0, 1);
	unsigned char key[32] = {1, 2, 3};
	struct buf b = BUF_INIT;
	support_link(&b, key, LOCALE_EN, "S12345674", 2000000000);
	cr_assert(strncmp(b.ptr, "/en/support/tickets/S12345674?exp=2000000000&sig=", 49) == 0,
	          "%s", b.ptr);
	const char *sig = strstr(b.ptr, "sig=") + 4;
	cr_assert(support_link_ok(key, "S12345674", "2000000000", sig, 1900000000));
	cr_assert_not(support_link_ok(key, "S12345674", "2000000000", sig, 2000000000), "expired");
	cr_assert_not(support_link_ok(key, "S23456783", "2000000000", sig, 1900000000),
	              "another ticket");
	cr_assert_not(support_link_ok(key, "S12345674", "2000000001", sig, 1900000000),
	              "a later expiry");
	unsigned char other[32] = {9};
	cr_assert_not(support_link_ok(other, "S12345674", "2000000000", sig, 1900000000));
	cr_assert_not(support_link_ok(key, "S12345674", "2000000000", "", 1900000000));
	cr_assert_not(support_link_ok(key, "S12345674", NULL, sig, 1900000000));
	buf_release(&b);
}

Test(support, reply_times_read_in_both_languages)
{
	struct app app = {0};
	struct buf err = BUF_INIT, b = BUF_INIT;
	cr_assert_eq(theme_load(&app.theme, "theme", "content", "http://127.0.0.1:8080", &err), 0,
	             "%s", err.ptr);
	support_reply_time(&b, &app.theme.ui, LOCALE_EN, 4);
	cr_assert_str_eq(b.ptr, "within 4 hours");
	buf_reset(&b);
	support_reply_time(&b, &app.theme.ui, LOCALE_EN, 48);
	cr_assert_str_eq(b.ptr, "within 2 business days");
	buf_reset(&b);
	support_reply_time(&b, &app.theme.ui, LOCALE_EN, 24);
	cr_assert_str_eq(b.ptr, "within 1 business day");
	buf_reset(&b);
	support_reply_time(&b, &app.theme.ui, LOCALE_ZH, 4);
	cr_assert_str_eq(b.ptr, "4 小时内");
	buf_reset(&b);
	support_reply_time(&b, &app.theme.ui, LOCALE_ZH, 72);
	cr_assert_str_eq(b.ptr, "3 个工作日内");
	buf_release(&b);
	buf_release(&err);
	theme_release(&app.theme);
}

/* --- the database functions the operator's command line calls ------------------------------ */

static char path[64];
static struct app app;
static struct http_req rq;
static struct buf err;

static void S_setup(void)
{
	cr_assert(auth_init() >= 0);
	strcpy(path, "/tmp/okpay-supporttest-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	unlink(path);
	buf_init(&err);
	memset(&app, 0, sizeof(app));
	app.cfg.base_url = "https://help.okpay.example";
	memset(app.key, 7, sizeof(app.key));
	cr_assert_eq(theme_load(&app.theme, "theme", "content", app.cfg.base_url, &err), 0, "%s",
	             err.ptr);
	memset(&rq, 0, sizeof(rq));
	rq.app = &app;
	rq.db = db_open(path, &err);
	cr_assert_not_null(rq.db, "%s", err.ptr);
	rq.now = 1795622399;
}

static void S_teardown(void)
{
	db_close(rq.db);
	theme_release(&app.theme);
	char side[96];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	buf_release(&err);
}

/* A ticket by an anonymous requester with one message; returns its id. */
static long long S_ticket(const char *number, const char *email, const char *status, long long at)
{
	struct db_ticket t = {.email = (char *)email,
	                      .locale = (char *)"en",
	                      .topic = (char *)"send",
	                      .subject = (char *)"Money did not arrive",
	                      .transfer = (char *)"",
	                      .created_at = at};
	snprintf(t.number, sizeof(t.number), "%s", number);
	long long id = 0, mid = 0;
	cr_assert_eq(
	    db_ticket_insert(rq.db, &t, "I sent money yesterday and it is not there.", &id, &mid),
	    0);
	if (strcmp(status, "open") != 0)
		cr_assert_eq(
		    db_ticket_message_add(rq.db, id, "operator", "x", status, at + 1, NULL), 0);
	return id;
}

TestSuite(support_db, .init = S_setup, .fini = S_teardown);

Test(support_db, a_taken_number_is_reported_so_another_can_be_drawn)
{
	S_ticket("S12345674", "a@example.com", "open", 100);
	struct db_ticket t = {.email = (char *)"b@example.com",
	                      .locale = (char *)"zh",
	                      .topic = (char *)"other",
	                      .subject = (char *)"s",
	                      .created_at = 200};
	snprintf(t.number, sizeof(t.number), "S12345674");
	long long id, mid;
	cr_assert_eq(db_ticket_insert(rq.db, &t, "body", &id, &mid), 1);
}

Test(support_db, tickets_are_listed_by_status_newest_change_first)
{
	S_ticket("S12345674", "a@example.com", "open", 100);
	S_ticket("S23456783", "b@example.com", "waiting", 200);
	S_ticket("S34567892", "c@example.com", "open", 300);
	struct db_ticket *t = NULL;
	int n = db_tickets_list(rq.db, 0, "open", 0, &t);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(t[0].number, "S34567892");
	cr_assert_str_eq(t[1].number, "S12345674");
	cr_assert_eq(t[0].messages, 1);
	db_tickets_release(t, n);
	n = db_tickets_list(rq.db, 0, "waiting", 0, &t);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(t[0].number, "S23456783");
	cr_assert_eq(t[0].messages, 2);
	db_tickets_release(t, n);
	n = db_tickets_list(rq.db, 0, NULL, 0, &t);
	cr_assert_eq(n, 3, "no status: every ticket");
	db_tickets_release(t, n);
	n = db_tickets_list(rq.db, 0, "closed", 0, &t);
	cr_assert_eq(n, 0);
	db_tickets_release(t, n);
}

Test(support_db, a_ticket_shows_with_its_messages_and_attachments)
{
	long long id = S_ticket("S12345674", "a@example.com", "open", 100);
	struct db_ticket_message *m = NULL;
	int n = db_ticket_messages(rq.db, id, &m);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(m[0].author, "requester");
	struct db_ticket_file f = {.stored = (char *)"tok.png",
	                           .filename = (char *)"shot.png",
	                           .mime = (char *)"image/png",
	                           .size = 1234};
	cr_assert_eq(db_ticket_file_add(rq.db, id, m[0].id, &f, 100), 0);
	db_ticket_messages_release(m, n);
	struct db_ticket t;
	cr_assert_eq(db_ticket_by_number(rq.db, "S12345674", &t), 1);
	cr_assert_str_eq(t.email, "a@example.com");
	cr_assert_str_eq(t.status, "open");
	cr_assert_eq(t.user_id, 0);
	struct db_ticket_file *fs = NULL;
	n = db_ticket_files(rq.db, t.id, &fs);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(fs[0].stored, "tok.png");
	cr_assert_str_eq(fs[0].mime, "image/png");
	cr_assert_eq(fs[0].size, 1234);
	db_ticket_files_release(fs, n);
	cr_assert_eq(db_ticket_file(rq.db, t.id + 1, 1, &f), 0,
	             "another ticket's file is not found");
	db_ticket_release(&t);
	cr_assert_eq(db_ticket_by_number(rq.db, "S23456783", &t), 0);
}

Test(support_db, an_operator_reply_waits_for_the_requester_and_mails_a_signed_link)
{
	long long id = S_ticket("S12345674", "a@example.com", "open", 100);
	cr_assert_eq(support_operator_reply(&rq, "S12345674", "Please send a screenshot."), 0);
	struct db_ticket t;
	cr_assert_eq(db_ticket_by_number(rq.db, "S12345674", &t), 1);
	cr_assert_str_eq(t.status, "waiting");
	cr_assert_eq(t.updated_at, rq.now);
	db_ticket_release(&t);
	struct db_ticket_message *m = NULL;
	int n = db_ticket_messages(rq.db, id, &m);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(m[1].author, "operator");
	cr_assert_str_eq(m[1].body, "Please send a screenshot.");
	db_ticket_messages_release(m, n);

	struct db_mail *mail = NULL;
	n = db_mail_list(rq.db, 10, &mail);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(mail[0].to, "a@example.com");
	cr_assert(strstr(mail[0].subject, "S12345674"), "%s", mail[0].subject);
	cr_assert(strstr(mail[0].text, "Please send a screenshot."));
	const char *link =
	    strstr(mail[0].text, "https://help.okpay.example/en/support/tickets/S12345674?exp=");
	cr_assert_not_null(link, "%s", mail[0].text);
	char exp[24] = "", sig[64] = "";
	cr_assert_eq(sscanf(link,
	                    "https://help.okpay.example/en/support/tickets/"
	                    "S12345674?exp=%23[0-9]&sig=%63[A-Za-z0-9_-]",
	                    exp, sig),
	             2);
	cr_assert(support_link_ok(app.key, "S12345674", exp, sig, rq.now));
	cr_assert_eq(atoll(exp), rq.now + SUPPORT_LINK_TTL);
	db_mails_release(mail, n);
}

Test(support_db, no_reply_to_a_missing_or_closed_ticket_and_nothing_is_mailed)
{
	cr_assert_eq(support_operator_reply(&rq, "S12345674", "x"), 1);
	S_ticket("S12345674", "a@example.com", "open", 100);
	cr_assert_eq(support_close(&rq, "S12345674"), 0);
	cr_assert_eq(support_close(&rq, "S12345674"), 1, "closed already");
	cr_assert_eq(support_close(&rq, "S23456783"), 1, "no such ticket");
	cr_assert_eq(support_operator_reply(&rq, "S12345674", "x"), 1);
	struct db_ticket t;
	cr_assert_eq(db_ticket_by_number(rq.db, "S12345674", &t), 1);
	cr_assert_str_eq(t.status, "closed");
	db_ticket_release(&t);
	struct db_mail *mail = NULL;
	int n = db_mail_list(rq.db, 10, &mail);
	cr_assert_eq(n, 0);
	db_mails_release(mail, n);
}

Test(support_db, one_vote_per_article_per_browser_per_day)
{
	unsigned char a[32] = {1}, b[32] = {2};
	long long day = support_vote_day(rq.now);
	const char *p = "/en/payments/send-money/";
	cr_assert_eq(db_feedback_add(rq.db, p, "en", 1, "", a, day, rq.now), 0);
	cr_assert_eq(db_feedback_add(rq.db, p, "en", 0, "changed my mind", a, day, rq.now + 5), 1,
	             "the same browser again the same day");
	cr_assert_eq(db_feedback_add(rq.db, "/en/security/faq/", "en", 0, "", a, day, rq.now), 0,
	             "another article");
	cr_assert_eq(db_feedback_add(rq.db, p, "en", 0, "", b, day, rq.now), 0, "another browser");
	long long next = support_vote_day(rq.now + 1);
	cr_assert_eq(db_feedback_add(rq.db, p, "en", 0, "", a, next, rq.now + 1), 0,
	             "the next day");
	struct db_feedback_row *r = NULL;
	int n = db_feedback_report(rq.db, 0, 3, &r);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(r[0].article, "/en/security/faq/", "worst first");
	cr_assert_eq(r[1].votes, 3);
	cr_assert_eq(r[1].helpful, 1);
	cr_assert_eq(r[1].percent, 33);
	cr_assert_eq(r[1].n_comments, 0, "the ignored vote's comment is not stored");
	db_feedback_rows_release(r, n);
}

Test(support_db, the_feedback_report_has_recent_comments_and_a_since_date)
{
	unsigned char v[32] = {0};
	const char *p = "/zh/login/faq/";
	for (int i = 0; i < 5; i++) {
		char c[32];
		v[0] = (unsigned char)i;
		snprintf(c, sizeof(c), "comment %d", i);
		cr_assert_eq(db_feedback_add(rq.db, p, "zh", i == 0, c, v, 0, 1000 + i), 0);
	}
	struct db_feedback_row *r = NULL;
	int n = db_feedback_report(rq.db, 0, 2, &r);
	cr_assert_eq(n, 1);
	cr_assert_eq(r[0].votes, 5);
	cr_assert_eq(r[0].percent, 20);
	cr_assert_eq(r[0].n_comments, 2);
	cr_assert_str_eq(r[0].comments[0], "comment 4");
	cr_assert_str_eq(r[0].comments[1], "comment 3");
	cr_assert_eq(r[0].last_at, 1004);
	db_feedback_rows_release(r, n);
	n = db_feedback_report(rq.db, 1003, 10, &r);
	cr_assert_eq(n, 1);
	cr_assert_eq(r[0].votes, 2, "only votes since the date");
	cr_assert_eq(r[0].n_comments, 2);
	db_feedback_rows_release(r, n);
}
