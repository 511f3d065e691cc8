/* security.c - sessions, account activity (not written yet). */
#include "handlers.h"
#include "page.h"

int h_security(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_session_end(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_sessions_end_others(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_activity(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

int h_not_me(struct http_req *rq, struct http_resp *rs)
{
	return page_error(rq, rs, 404);
}

