/* qr.h - QR codes as SVG images, drawn by the service itself with libqrencode. */
#ifndef CGI_QR_H
#define CGI_QR_H

struct buf;

/**
 * Append to out a standalone SVG document of text as a QR code (error correction level M,
 * 8-bit mode, a quiet zone of 4 modules): black modules as one path on a white square, with
 * title as its accessible name (escaped). No script, no style attribute. Returns 0, or -1 when
 * libqrencode cannot encode text (too long).
 */
int qr_svg(struct buf *out, const char *text, const char *title);

#endif
