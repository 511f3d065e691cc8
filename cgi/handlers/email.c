/* email.c - changing the email address (not written yet). */
#include "handlers.h"
#include "page.h"

int h_email_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_email(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_email_confirm_page(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_email_confirm(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_email_undo_page(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_email_undo(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

