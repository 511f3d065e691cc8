/* transactions.c - placeholder until the wallet pages land. */
#include "handlers.h"
#include "page.h"

int h_transactions(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_transaction(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_statement_csv(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}
