/* html.h - HTML escaping. Escaping is the default; html_raw is the one grep-able exception. */
#ifndef OKPAY_HTML_H
#define OKPAY_HTML_H

#include <stddef.h>

struct buf;

/** Append s as HTML text or attribute value: & < > " ' are escaped. */
void html_text(struct buf *b, const char *s, size_t n);
/** Same as html_text; named for call sites that fill an attribute. */
#define html_attr html_text
/**
 * Append a URL for an href/src attribute, escaped. Only http:, https:, mailto: and
 * scheme-less (relative) URLs pass; anything else is replaced by "#". Returns 0 if the
 * URL was kept, -1 if it was replaced.
 */
int html_url(struct buf *b, const char *s, size_t n);
/** Append trusted HTML unchanged: only for rendered Markdown and literals. */
void html_raw(struct buf *b, const char *s, size_t n);
/** Append s escaped for a JSON string body (no surrounding quotes); also escapes < > & for
 * <script>-free safety. */
void html_json_string(struct buf *b, const char *s, size_t n);
/** Append s escaped for XML text (& < > " '), as html_text. */
#define html_xml html_text

#endif
