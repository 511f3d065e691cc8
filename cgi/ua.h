/* ua.h - a short, human description of a User-Agent header for activity lists. */
#ifndef CGI_UA_H
#define CGI_UA_H

struct buf;

/** Append e.g. "Chrome on Windows", "Safari on iPhone", "WeChat on Android", or "Unknown device".
 */
void ua_summary(struct buf *out, const char *user_agent);

#endif
