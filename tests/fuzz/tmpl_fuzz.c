/* tmpl_fuzz.c - libFuzzer driver for lib/tmpl.c: templates as writers could type them. */
#include "fuzz.h"
#include "buf.h"
#include "tmpl.h"
#include "tv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Data with markup in it: escaped output must never carry it through {{x}} (a template with
 * {{{x}}} or {{& x}}, spaces allowed, asks for it raw). */
static struct tv *S_data(void)
{
	struct tv *d = tv_new_obj();
	tv_set_str(d, "x", "<b x=\"1\">&'");
	tv_set_str(d, "name", "李伟");
	tv_set_int(d, "n", 42);
	tv_set_bool(d, "yes", 1);
	tv_set_bool(d, "no", 0);
	struct tv *list = tv_set_list(d, "items");
	for (int i = 0; i < 3; i++) {
		struct tv *o = tv_push_obj(list);
		tv_set_str(o, "x", "<i>");
		tv_set_int(o, "i", i);
	}
	struct tv *obj = tv_set_obj(d, "obj");
	tv_set_str(obj, "x", "\"quoted\"");
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tv *d;
	if (!d)
		d = S_data();
	if (size < 1)
		return 0;
	int strict = data[0] & 1;
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT, out = BUF_INIT;
	CHECK(tmpl_set_add(set, "p", "[{{x}}{{> t}}]", 14, &err) == 0);
	int rc = tmpl_set_add(set, "t", (const char *)data + 1, size - 1, &err);
	if (rc < 0) {
		CHECK(strncmp(err.ptr, "t:", 2) == 0);
	} else {
		CHECK(err.len == 0);
		/* Partials that include each other stop at a depth limit: an error, not a crash. */
		if (tmpl_render(set, "t", d, strict, &out, &err) < 0)
			CHECK(err.len > 0);
		else if (!memmem(data + 1, size - 1, "{{{", 3) &&
		         !memchr(data + 1, '&', size - 1) && !memchr(data + 1, '<', size - 1))
			CHECK(!memmem(out.ptr, out.len, "<b", 2) &&
			      !memmem(out.ptr, out.len, "<i>", 3));
	}
	tmpl_set_free(set);
	buf_release(&err);
	buf_release(&out);
	return 0;
}
