/* addmoney.c - placeholder until the wallet pages land. */
#include "handlers.h"
#include "page.h"

int h_add_money_form(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_add_money(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_add_money_bank(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}
