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

/**
 * 1 if a request with method and path (the decoded path, locale prefix included) goes to a
 * handler that verifies or makes a password hash: a POST to login, registration, the password
 * pages, the email change or the two-step pages that ask for the password. The portal serves
 * those on its hash threads, so that they never hold up the threads of other pages. Else 0.
 */
int router_hashes(const char *method, const char *path);

#endif
