/* qr.c - one SVG path per QR code: small, sharp at any size, no script or style inside. */
#include "qr.h"
#include "buf.h"
#include "html.h"

#include <qrencode.h>

#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white around the code, as ISO/IEC 18004 asks */

int qr_svg(struct buf *out, const char *text, const char *title)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return -1;
	int size = q->width + 2 * QUIET;
	buf_addf(out,
	         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\""
	         " height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\"><title>",
	         size, size, size * 6, size * 6);
	html_text(out, title, strlen(title));
	buf_addf(out,
	         "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	         size, size);
	/* Runs of dark modules on a row become one rectangle each: h for the run, then back. */
	for (int y = 0; y < q->width; y++) {
		for (int x = 0; x < q->width;) {
			if (!(q->data[y * q->width + x] & 1)) {
				x++;
				continue;
			}
			int run = 0;
			while (x + run < q->width && (q->data[y * q->width + x + run] & 1))
				run++;
			buf_addf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
			x += run;
		}
	}
	buf_adds(out, "\"/></svg>\n");
	QRcode_free(q);
	return 0;
}
