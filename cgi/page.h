/* page.h - portal pages in the shared theme, form errors, and error pages. */
#ifndef CGI_PAGE_H
#define CGI_PAGE_H

#include "http.h"

struct tv;

/**
 * New data object for a page body, pre-filled with what every portal template may use: t (UI
 * strings), lang, csrf, urls of the account pages, and the signed-in user (user.name,
 * user.email, user.verified) when there is one. Caller adds its own keys and passes it on.
 */
struct tv *page_data(struct http_req *rq);

/**
 * Render body template tmpl with data (which this takes over and frees) inside the layout,
 * titled with UI string title_key, as the response with status. Sets Content-Type,
 * Cache-Control: no-store and Referrer-Policy. A "search_q" string in data is also given to
 * the layout, where the header's search box shows it. Returns status.
 */
int page_render(struct http_req *rq, struct http_resp *rs, int status, const char *kind,
                const char *title_key, const char *tmpl, struct tv *data);

/** An error page: "error_<status>_title" and "error_<status>_text" UI strings. Returns status. */
int page_error(struct http_req *rq, struct http_resp *rs, int status);

/** page_error with the text of UI string text_key (NULL: the status's own). */
int page_error_text(struct http_req *rq, struct http_resp *rs, int status, const char *text_key);

/**
 * Form errors: add to data a message for field (UI string key msg_key), listed in the summary
 * ("errors") and available beside the field as "err.<field>". Counts in data's "has_errors".
 */
void page_field_error(struct http_req *rq, struct tv *data, const char *field, const char *msg_key);
/** Keep what the visitor typed: "val.<field>" (never call this for passwords). */
void page_keep(struct http_req *rq, struct tv *data, const char *field);

#endif
