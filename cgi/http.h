/* http.h - one request and its response: parsing what nginx hands over, writing the answer. */
#ifndef CGI_HTTP_H
#define CGI_HTTP_H

#include "buf.h"
#include "db.h"
#include "form.h"
#include "i18n.h"
#include "multipart.h"

struct app;
struct db;
struct search;

#define HTTP_BODY_MAX (64 * 1024) /* the same limit as nginx's client_max_body_size */

struct http_req {
	struct app *app;
	struct db *db;      /* this worker's connection */
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* decoded path without the query (DOCUMENT_URI) */
	const char *route;  /* path after "/zh" or "/en": "/account/login" */
	enum locale locale;
	struct form query; /* parsed query string */
	struct form form;  /* parsed urlencoded body (POST), or a multipart body's text fields */
	/*
	 * A multipart/form-data body (only where the router allows one: the ticket form): its
	 * parts, whose file data point into upload_body. Text fields are in form as well.
	 */
	struct multipart upload;
	struct buf upload_body;
	struct form cookies;
	const char *remote_addr;
	const char *user_agent; /* "" if absent */
	const char *origin;     /* NULL if absent */
	const char *sec_fetch_site;
	const char *content_type;
	const char *host;
	int https;
	long long now; /* unix seconds when the request arrived */
	/*
	 * Where this worker keeps its search index (lib/search.h), opened at its first search
	 * and closed when the worker ends; NULL outside a worker (okpay-admin).
	 */
	struct search **search;
	/* Filled by session_load: */
	int has_session;
	struct db_session session;
	unsigned char session_hash[32];
	struct db_user user; /* valid when has_session */
	char pre[64];        /* pre-session cookie value, "" if none */
};

struct http_resp {
	int status;
	struct buf headers; /* "Name: value\r\n" lines */
	struct buf body;
};

/** Append a response header; value must not contain CR or LF (it is dropped if it does). */
void http_header(struct http_resp *rs, const char *name, const char *value);
/** 303 See Other (after a POST) or another 3xx to a same-site path. */
void http_redirect(struct http_resp *rs, int status, const char *location);
/** Reason phrase of a status code. */
const char *http_reason(int status);
/** Value of the first form field or query parameter name, or "" if absent. */
const char *http_field(const struct http_req *rq, const char *name);
/** Value of cookie name, or NULL. */
const char *http_cookie(const struct http_req *rq, const char *name);
/**
 * A positive decimal of at most max_digits ASCII digits, without sign or leading zero, as ids
 * and page numbers arrive in forms and addresses; -1 for anything else (a bad request).
 */
long long http_number(const char *s, size_t max_digits);
/** Append the n bytes at s percent-encoded for a query value: all but RFC 3986 unreserved. */
void http_query_value(struct buf *b, const char *s, size_t n);
/** 1 if path is a safe place to return to after login: "/zh/..." or "/en/...", same site. */
int http_safe_return(const char *path);

#endif
