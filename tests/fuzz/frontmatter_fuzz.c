/* frontmatter_fuzz.c - libFuzzer driver for site-gen/frontmatter.c and its invariants. */
#include "fuzz.h"
#include "buf.h"
#include "frontmatter.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void S_text(const char *s)
{
	if (s)
		CHECK(utf8_valid(s, strlen(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm fm;
	struct buf err = BUF_INIT;
	memset(&fm, 0, sizeof(fm));
	int rc = fm_parse(&fm, "fuzz.md", (const char *)data, size, &err);
	/* Success says nothing; a failure names the file and a line for every problem. */
	if (rc == 0) {
		CHECK(err.len == 0);
		CHECK(fm.body_off <= size);
		CHECK(fm.title && *fm.title);
		CHECK(fm_valid_date(fm.updated, strlen(fm.updated)));
	} else {
		CHECK(rc == -1 && err.len > 0 && err.ptr[err.len - 1] == '\n');
		for (const char *line = err.ptr; *line; line = strchr(line, '\n') + 1)
			CHECK(strncmp(line, "fuzz.md:", 8) == 0 && line[8] >= '0' &&
			      line[8] <= '9');
	}
	S_text(fm.title);
	S_text(fm.summary);
	for (size_t i = 0; i < fm.ntags; i++)
		S_text(fm.tags[i]);
	/* fm is filled as far as possible even on errors; a clean parse has only valid aliases. */
	for (size_t i = 0; rc == 0 && i < fm.naliases; i++)
		CHECK(fm.aliases[i][0] == '/');
	fm_release(&fm);
	buf_release(&err);
	return 0;
}
