/* feedback.c - "Was this helpful?" on every article: one vote per article, browser and day. */
#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "page.h"
#include "support.h"
#include "throttle.h"
#include "tv.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

#define VOTER_MAX_AGE (365L * 86400)

static const char *S_voter_cookie(const struct http_req *rq)
{
	return rq->app->secure_cookies ? "__Host-okpay_voter" : "okpay_voter";
}

/*
 * The browser's voter hash: from its voter cookie, or from a new one set now. The cookie is a
 * random token with nothing in it; the database keeps only its hash.
 */
static void S_voter(struct http_req *rq, struct http_resp *rs, unsigned char hash[32])
{
	const char *v = http_cookie(rq, S_voter_cookie(rq));
	if (v && auth_token_hash(v, strlen(v), hash) == 0)
		return;
	char token[AUTH_TOKEN_LEN + 1];
	auth_token_new(token, hash);
	struct buf c = BUF_INIT;
	buf_addf(&c, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld", S_voter_cookie(rq),
	         token, VOTER_MAX_AGE);
	if (rq->app->secure_cookies)
		buf_adds(&c, "; Secure");
	http_header(rs, "Set-Cookie", c.ptr);
	buf_release(&c);
}

static void S_json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
			buf_addf(b, "\\u%04x", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

/* The answer to the script on the article page: {"ok":…,"counted":…,"message":…}. */
static int S_json(struct http_req *rq, struct http_resp *rs, int status, int counted,
                  const char *key)
{
	buf_reset(&rs->body);
	buf_addf(&rs->body,
	         "{\"ok\":%s,\"counted\":%s,\"message\":", status == 200 ? "true" : "false",
	         counted ? "true" : "false");
	S_json_str(&rs->body, i18n_get(&rq->app->theme.ui, rq->locale, key));
	buf_adds(&rs->body, "}\n");
	http_header(rs, "Content-Type", "application/json; charset=utf-8");
	return status;
}

/* The thank-you (or refusal) page with a way back to the article. */
static int S_page(struct http_req *rq, struct http_resp *rs, int status, const char *article,
                  const char *key)
{
	struct tv *d = page_data(rq);
	tv_set_str(d, "message", i18n_get(&rq->app->theme.ui, rq->locale, key));
	if (article && support_article_ok(article))
		tv_set_str(d, "article", article);
	tv_set_bool(d, "refused", status != 200);
	return page_render(rq, rs, status, "feedback", "feedback_thanks_title", "feedback-thanks",
	                   d);
}

int h_feedback_done(struct http_req *rq, struct http_resp *rs)
{
	const char *again = http_field(rq, "again");
	return S_page(rq, rs, 200, http_field(rq, "article"),
	              *again ? "feedback_thanks_again" : "feedback_thanks");
}

int h_feedback(struct http_req *rq, struct http_resp *rs)
{
	const char *article = http_field(rq, "article"), *helpful = http_field(rq, "helpful");
	const char *comment = http_field(rq, "comment");
	int json = strcmp(http_field(rq, "format"), "json") == 0;
	const char *bad = NULL;
	if (!support_article_ok(article))
		bad = "feedback_err_article";
	else if (strcmp(helpful, "yes") != 0 && strcmp(helpful, "no") != 0)
		bad = "feedback_err_helpful";
	else if (utf8_length(comment, strlen(comment)) > SUPPORT_COMMENT_MAX)
		bad = "feedback_err_comment";
	if (bad)
		return json ? S_json(rq, rs, 400, 0, bad) : S_page(rq, rs, 400, article, bad);

	long retry = 0;
	int allowed = throttle_ip(rq, "feedback", SUPPORT_VOTES_PER_HOUR, 3600, &retry);
	if (allowed < 0)
		return handler_unavailable(rq, rs, "throttle");
	if (allowed == 0) {
		char v[32];
		snprintf(v, sizeof(v), "%ld", retry > 0 ? retry : 1);
		if (!json)
			return handler_too_many(rq, rs, retry);
		http_header(rs, "Retry-After", v);
		return S_json(rq, rs, 429, 0, "error_429_text");
	}
	unsigned char voter[32];
	S_voter(rq, rs, voter);
	int rc = db_feedback_add(rq->db, article, locale_info[rq->locale].code,
	                         strcmp(helpful, "yes") == 0, comment, voter,
	                         support_vote_day(rq->now), rq->now);
	if (rc < 0)
		return handler_unavailable(rq, rs, "feedback");
	if (json)
		return S_json(rq, rs, 200, rc == 0,
		              rc == 0 ? "feedback_thanks" : "feedback_thanks_again");
	struct buf loc = BUF_INIT;
	buf_adds(&loc, "/feedback?article=");
	http_query_value(&loc, article, strlen(article));
	if (rc == 1)
		buf_adds(&loc, "&again=1");
	int status = handler_see_other(rq, rs, loc.ptr);
	buf_release(&loc);
	return status;
}
