/* send.c - placeholder until the wallet pages land. */
#include "handlers.h"
#include "page.h"

int h_send_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_send(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_send_review(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_send_confirm(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}
