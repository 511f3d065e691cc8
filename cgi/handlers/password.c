/* password.c - forgotten password, reset and change (not written yet). */
#include "handlers.h"
#include "page.h"

int h_forgot_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_forgot(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_forgot_sent(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_reset_code(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_reset_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_reset(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_password_change_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_password_change(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

