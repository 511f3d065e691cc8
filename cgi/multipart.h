/* multipart.h - a strict, bounded parser for multipart/form-data request bodies (RFC 7578). */
#ifndef OKPAY_MULTIPART_H
#define OKPAY_MULTIPART_H

#include <stddef.h>

/*
 * Rules:
 * - The body is never copied whole: every part's data points into the body given to
 *   multipart_parse, so the body must outlive the struct multipart. Everything else a part
 *   points at (name, filename, content type, a text field's value) is owned by the struct
 *   multipart, in one block that only multipart_release frees.
 * - Line ends are CRLF only. A header line ending in a bare LF is refused (MULTIPART_BARE_LF),
 *   and so is an opening boundary line that ends in one (an LF-only body); inside data a bare LF
 *   is data, and "LF--boundary" is not a delimiter.
 * - A delimiter is CRLF "--" boundary followed by "--" (the close delimiter, after which
 *   everything is ignored epilogue) or by optional spaces and tabs and CRLF. The first one may
 *   also stand at the very start of the body; whatever comes before it is ignored preamble.
 *   Boundary text followed by anything else ("--boundaryX") is data.
 * - Part headers: "Name: value" lines; Content-Disposition is required (form-data with a name),
 *   Content-Type and Content-Transfer-Encoding are optional (the latter only 7bit, 8bit or
 *   binary), each at most once; other headers are ignored (RFC 7578 section 4.8). Header
 *   names and parameter names are case-insensitive; parameters come in any order, each at most
 *   once; values are tokens or quoted-strings (in which \" and \\ are escapes; any other
 *   backslash is kept, as browsers send Windows paths unescaped). Folded lines and control
 *   characters other than tab in header lines are refused.
 * - A part with a filename (or filename*) parameter is a file, any other is a text field. Text
 *   field values must be valid UTF-8 without NUL. Filenames: path stripped (everything up to
 *   the last '/' or '\'), then valid UTF-8 without control characters; kept for display only,
 *   never for storage. filename*= (RFC 5987) is accepted with the UTF-8 charset only and wins
 *   over filename= (RFC 6266). A file input left empty arrives as a file with filename "" and
 *   no data; handlers skip it.
 * - A text field's name may not appear again in the body; several files may share a name
 *   (<input type=file multiple>).
 * - Work is linear in the body size: each byte is looked at a bounded number of times, and
 *   no part is scanned further than its limit allows. The duplicate-name check compares each
 *   part with the ones before it, so keep max_parts small (tens).
 * - The parser overwrites *m without reading it: release before parsing into it again. A
 *   zeroed struct multipart ({0}) is a valid empty result.
 */

/** Longest boundary RFC 2046 allows. */
#define MULTIPART_BOUNDARY_MAX 70
/** Longest field name, in bytes, that multipart_parse accepts (as FORM_NAME_MAX). */
#define MULTIPART_NAME_MAX 64

/** What the caller allows; every limit is inclusive. */
struct multipart_limits {
	size_t max_parts;  /* parts in the body, text fields and files together */
	size_t max_files;  /* parts with a filename */
	size_t max_header; /* bytes of one part's header block, its CRLFs and blank line included */
	size_t max_field;  /* bytes of one text field's value */
	size_t max_file;   /* bytes of one file's data */
};

struct multipart_part {
	const char *name;     /* field name, NUL-terminated, valid UTF-8, owned by the multipart */
	size_t name_len;      /* bytes in name, excluding the NUL */
	const char *filename; /* NULL for a text field; a file's base name for display (maybe
	                         ""), NUL-terminated, valid UTF-8, no control characters */
	size_t filename_len;  /* bytes in filename, excluding the NUL */
	const char *content_type; /* the part's media type, lower case, without parameters
	                             ("image/png"); "text/plain" when the part names none */
	const char *value;        /* a text field's value, NUL-terminated, valid UTF-8 without
	                             NUL, owned by the multipart; NULL for a file */
	const char *data;         /* the part's bytes, inside the body given to multipart_parse
	                             (not owned, not NUL-terminated); a field's value's bytes */
	size_t data_len;          /* bytes in data (and in value) */
};

struct multipart {
	struct multipart_part *parts; /* in body order; NULL when there are none */
	size_t n;                     /* parts */
	size_t files;                 /* parts that are files */
	char *mem;                    /* the one block holding every string the parts own */
};

enum multipart_error {
	MULTIPART_OK = 0,
	MULTIPART_NOT_FORM_DATA,     /* the Content-Type is not multipart/form-data */
	MULTIPART_BAD_BOUNDARY,      /* boundary parameter missing, repeated, empty, too long, or
	                                with characters RFC 2046 does not allow */
	MULTIPART_NO_BOUNDARY,       /* the body never opens with the boundary */
	MULTIPART_NO_FINAL_BOUNDARY, /* the body ends before the close delimiter */
	MULTIPART_BARE_LF,           /* a line ends in LF without CR */
	MULTIPART_HEADER_TOO_LARGE,  /* a part's header block above max_header bytes */
	MULTIPART_MALFORMED_HEADER,  /* bad header line, Content-Disposition or Content-Type */
	MULTIPART_TOO_MANY_PARTS,    /* more than max_parts parts */
	MULTIPART_TOO_MANY_FILES,    /* more than max_files files */
	MULTIPART_FILE_TOO_LARGE,    /* a file above max_file bytes */
	MULTIPART_FIELD_TOO_LARGE, /* a name above MULTIPART_NAME_MAX or a value above max_field */
	MULTIPART_BAD_ENCODING,    /* invalid UTF-8, NUL or control characters in a name, value
	                              or filename; unknown charset or transfer encoding */
	MULTIPART_DUPLICATE_FIELD, /* a text field's name used by another part */
	MULTIPART__MAX
};

/* --- parsing ---------------------------------------------------------------------------- */

/**
 * Find the boundary in n bytes of a Content-Type header value ("multipart/form-data;
 * boundary=x", media type and parameter names in any case, the boundary quoted or not) and copy
 * it, NUL-terminated, into out (room for MULTIPART_BOUNDARY_MAX + 1 bytes), its length in *len.
 * The boundary must be 1 to 70 of RFC 2046's bchars, not ending in a space (and a token when
 * unquoted). Returns MULTIPART_OK, MULTIPART_NOT_FORM_DATA (answer 415) or
 * MULTIPART_BAD_BOUNDARY (also for a malformed header value); out is then "".
 */
enum multipart_error multipart_boundary(const char *content_type, size_t n, char *out, size_t *len);

/**
 * Parse n bytes of a multipart/form-data body (which need not be NUL-terminated and are never
 * read past n; body may be NULL when n is 0) delimited by boundary (boundary_len bytes, as
 * multipart_boundary gives it) into *m, within the limits lim.
 *
 * Returns MULTIPART_OK and fills *m, or the first problem found, with *m empty and nothing
 * allocated. Either way the caller releases *m with multipart_release (harmless when empty).
 */
enum multipart_error multipart_parse(struct multipart *m, const char *body, size_t n,
                                     const char *boundary, size_t boundary_len,
                                     const struct multipart_limits *lim);

/* --- lookup ----------------------------------------------------------------------------- */

/** The first part named name, or NULL. It belongs to m. */
const struct multipart_part *multipart_get(const struct multipart *m, const char *name);
/** Number of parts named name. */
size_t multipart_count(const struct multipart *m, const char *name);

/* --- lifecycle -------------------------------------------------------------------------- */

/** Free everything m owns; m is then empty. Harmless on an empty or released multipart. */
void multipart_release(struct multipart *m);

/** Short lower-case description of e for logs ("missing final boundary"); never NULL. */
const char *multipart_error_str(enum multipart_error e);

#endif
