/* router.h - from method and path to the handler, with the checks every request passes. */
#ifndef CGI_ROUTER_H
#define CGI_ROUTER_H

#include "http.h"

/**
 * Answer rq into rs: locale from the path, 404 for unknown pages, 405 with Allow for other
 * methods, 415/400 for bad bodies, the session, CSRF and Origin checks before any POST handler.
 * body_error is the form_error of parsing the body (FORM_OK if it parsed). Returns the status.
 */
int router_dispatch(struct http_req *rq, struct http_resp *rs, int body_error);

#endif
