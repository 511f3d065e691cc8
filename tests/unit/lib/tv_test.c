/* tv_test.c - unit tests for lib/tv.c: template value trees, their lookups and ownership. */
#include "tv.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define S_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define S_ASAN 1
#endif
#endif
#ifdef S_ASAN
#include <sanitizer/lsan_interface.h>
#endif

/* The string stored under key in obj, which must exist and be a string. */
static const char *S_get_str(const struct tv *obj, const char *key)
{
	const struct tv *v = tv_get(obj, key, strlen(key));
	cr_assert_not_null(v, "no value for %s", key);
	cr_assert_eq(tv_type(v), TV_STR, "%s is not a string", key);
	return tv_str(v, NULL);
}

/*
 * Under ASan, fail if anything allocated so far is unreachable: leaks are reported only at exit,
 * which does not fail a Criterion test. Without ASan this checks nothing.
 */
static void S_assert_no_leaks(void)
{
#ifdef S_ASAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked (see the report above)");
#endif
}

/* --- construction and types ----------------------------------------------------------------- */

Test(tv, new_obj_is_an_object)
{
	struct tv *o = tv_new_obj();
	cr_assert_eq(tv_type(o), TV_OBJ);
	tv_free(o);
}

Test(tv, new_list_is_an_empty_list)
{
	struct tv *l = tv_new_list();
	cr_assert_eq(tv_type(l), TV_LIST);
	cr_assert_eq(tv_count(l), 0);
	tv_free(l);
}

Test(tv, null_pointer_has_type_null)
{
	cr_assert_eq(tv_type(NULL), TV_NULL);
}

Test(tv, free_of_null_is_harmless)
{
	tv_free(NULL);
}

/* --- strings -------------------------------------------------------------------------------- */

Test(tv, set_str_then_get)
{
	struct tv *o = tv_new_obj();
	size_t len = 0;
	tv_set_str(o, "title", "Fees & limits");
	const struct tv *v = tv_get(o, "title", 5);
	cr_assert_not_null(v);
	cr_assert_eq(tv_type(v), TV_STR);
	cr_assert_str_eq(tv_str(v, &len), "Fees & limits");
	cr_assert_eq(len, 13);
	tv_free(o);
}

Test(tv, set_strn_keeps_n_bytes)
{
	struct tv *o = tv_new_obj();
	size_t len = 0;
	tv_set_strn(o, "k", "abcdef", 3);
	cr_assert_str_eq(tv_str(tv_get(o, "k", 1), &len), "abc");
	cr_assert_eq(len, 3);
	tv_set_strn(o, "z", "a\0b", 3);
	const char *s = tv_str(tv_get(o, "z", 1), &len);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(s, "a\0b", 4), 0);
	tv_free(o);
}

Test(tv, set_str_copies_the_string)
{
	struct tv *o = tv_new_obj();
	char s[] = "before";
	tv_set_str(o, "k", s);
	memcpy(s, "after!", 7);
	cr_assert_str_eq(S_get_str(o, "k"), "before");
	tv_free(o);
}

Test(tv, set_str_copies_the_key)
{
	struct tv *o = tv_new_obj();
	char key[] = "name";
	tv_set_str(o, key, "v");
	memcpy(key, "xxxx", 5);
	cr_assert_not_null(tv_get(o, "name", 4));
	cr_assert_null(tv_get(o, "xxxx", 4));
	tv_free(o);
}

Test(tv, empty_string_is_a_string)
{
	struct tv *o = tv_new_obj();
	size_t len = 99;
	tv_set_str(o, "e", "");
	const struct tv *v = tv_get(o, "e", 1);
	cr_assert_eq(tv_type(v), TV_STR);
	cr_assert_str_eq(tv_str(v, &len), "");
	cr_assert_eq(len, 0);
	tv_free(o);
}

Test(tv, str_of_non_string_is_empty)
{
	struct tv *o = tv_new_obj();
	size_t len = 99;
	tv_set_bool(o, "b", 1);
	tv_set_list(o, "l");
	cr_assert_str_eq(tv_str(tv_get(o, "b", 1), &len), "");
	cr_assert_eq(len, 0);
	len = 99;
	cr_assert_str_eq(tv_str(tv_get(o, "l", 1), &len), "");
	cr_assert_eq(len, 0);
	len = 99;
	cr_assert_str_eq(tv_str(o, &len), "");
	cr_assert_eq(len, 0);
	len = 99;
	cr_assert_str_eq(tv_str(NULL, &len), "");
	cr_assert_eq(len, 0);
	tv_free(o);
}

Test(tv, set_int_stores_decimal_string)
{
	struct tv *o = tv_new_obj();
	tv_set_int(o, "zero", 0);
	tv_set_int(o, "pos", 1234567);
	tv_set_int(o, "neg", -42);
	tv_set_int(o, "min", LLONG_MIN);
	tv_set_int(o, "max", LLONG_MAX);
	cr_assert_str_eq(S_get_str(o, "zero"), "0");
	cr_assert_str_eq(S_get_str(o, "pos"), "1234567");
	cr_assert_str_eq(S_get_str(o, "neg"), "-42");
	cr_assert_str_eq(S_get_str(o, "min"), "-9223372036854775808");
	cr_assert_str_eq(S_get_str(o, "max"), "9223372036854775807");
	tv_free(o);
}

Test(tv, set_bool_stores_a_boolean)
{
	struct tv *o = tv_new_obj();
	tv_set_bool(o, "yes", 1);
	tv_set_bool(o, "no", 0);
	tv_set_bool(o, "seven", 7);
	cr_assert_eq(tv_type(tv_get(o, "yes", 3)), TV_BOOL);
	cr_assert_eq(tv_type(tv_get(o, "no", 2)), TV_BOOL);
	cr_assert(tv_truthy(tv_get(o, "yes", 3)));
	cr_assert_not(tv_truthy(tv_get(o, "no", 2)));
	cr_assert(tv_truthy(tv_get(o, "seven", 5)));
	tv_free(o);
}

/* --- lookup --------------------------------------------------------------------------------- */

Test(tv, get_missing_key_returns_null)
{
	struct tv *o = tv_new_obj();
	cr_assert_null(tv_get(o, "nope", 4));
	tv_set_str(o, "name", "x");
	cr_assert_null(tv_get(o, "nope", 4));
	cr_assert_null(tv_get(o, "nam", 3));
	cr_assert_null(tv_get(o, "names", 5));
	tv_free(o);
}

Test(tv, get_uses_n_bytes_of_key)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "user", "ann");
	cr_assert_str_eq(tv_str(tv_get(o, "user.name", 4), NULL), "ann");
	cr_assert_null(tv_get(o, "user.name", 9));
	tv_free(o);
}

Test(tv, get_on_non_object_returns_null)
{
	struct tv *l = tv_new_list();
	tv_push_str(l, "x", 1);
	cr_assert_null(tv_get(l, "x", 1));
	cr_assert_null(tv_get(NULL, "x", 1));
	tv_free(l);
}

Test(tv, keys_are_case_sensitive)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "Name", "upper");
	tv_set_str(o, "name", "lower");
	cr_assert_str_eq(S_get_str(o, "Name"), "upper");
	cr_assert_str_eq(S_get_str(o, "name"), "lower");
	tv_free(o);
}

Test(tv, set_existing_key_replaces_value)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "k", "first");
	tv_set_str(o, "k", "second");
	cr_assert_str_eq(S_get_str(o, "k"), "second");
	tv_free(o);
	S_assert_no_leaks(); /* "first" must have been freed when it was replaced */
}

Test(tv, replace_changes_type)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "k", "text");
	struct tv *child = tv_set_obj(o, "k");
	tv_set_str(child, "inner", "x");
	cr_assert_eq(tv_type(tv_get(o, "k", 1)), TV_OBJ);
	tv_set_bool(o, "k", 0);
	cr_assert_eq(tv_type(tv_get(o, "k", 1)), TV_BOOL);
	tv_free(o);
	S_assert_no_leaks();
}

Test(tv, keys_past_index_threshold_are_all_found, .timeout = 30)
{
	struct tv *o = tv_new_obj();
	char key[32], val[32];
	for (int n = 1; n <= 20; n++) {
		snprintf(key, sizeof(key), "key%d", n);
		snprintf(val, sizeof(val), "value%d", n);
		tv_set_str(o, key, val);
		/* After every insertion, every key so far is still found. */
		for (int i = 1; i <= n; i++) {
			snprintf(key, sizeof(key), "key%d", i);
			snprintf(val, sizeof(val), "value%d", i);
			cr_assert_str_eq(S_get_str(o, key), val, "with %d keys", n);
		}
		cr_assert_null(tv_get(o, "key0", 4), "with %d keys", n);
	}
	tv_free(o);
}

Test(tv, hundreds_of_keys_are_all_found, .timeout = 30)
{
	struct tv *o = tv_new_obj();
	char key[32], val[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k.%d", i);
		snprintf(val, sizeof(val), "v%d", i * 3);
		tv_set_str(o, key, val);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k.%d", i);
		snprintf(val, sizeof(val), "v%d", i * 3);
		cr_assert_str_eq(S_get_str(o, key), val);
	}
	for (int i = 1000; i < 1100; i++) {
		snprintf(key, sizeof(key), "k.%d", i);
		cr_assert_null(tv_get(o, key, strlen(key)), "found %s", key);
	}
	tv_free(o);
}

Test(tv, replace_key_after_index_is_built, .timeout = 30)
{
	struct tv *o = tv_new_obj();
	char key[32], val[32];
	for (int i = 0; i < 150; i++) {
		snprintf(key, sizeof(key), "name%d", i);
		tv_set_str(o, key, "old");
	}
	for (int i = 0; i < 150; i += 2) {
		snprintf(key, sizeof(key), "name%d", i);
		snprintf(val, sizeof(val), "new%d", i);
		tv_set_str(o, key, val);
	}
	/* Adding keys after the replacements must not lose or duplicate anything. */
	for (int i = 150; i < 300; i++) {
		snprintf(key, sizeof(key), "name%d", i);
		tv_set_str(o, key, "late");
	}
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "name%d", i);
		if (i >= 150)
			snprintf(val, sizeof(val), "late");
		else if (i % 2 == 0)
			snprintf(val, sizeof(val), "new%d", i);
		else
			snprintf(val, sizeof(val), "old");
		cr_assert_str_eq(S_get_str(o, key), val);
	}
	tv_free(o);
	S_assert_no_leaks();
}

Test(tv, empty_key_is_a_key)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "", "nothing");
	cr_assert_str_eq(S_get_str(o, ""), "nothing");
	for (int i = 0; i < 20; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		tv_set_str(o, key, "x");
	}
	cr_assert_str_eq(S_get_str(o, ""), "nothing");
	tv_free(o);
}

/* --- truthiness ----------------------------------------------------------------------------- */

Test(tv, null_is_falsy)
{
	cr_assert_not(tv_truthy(NULL));
}

Test(tv, false_is_falsy)
{
	struct tv *o = tv_new_obj();
	tv_set_bool(o, "b", 0);
	cr_assert_not(tv_truthy(tv_get(o, "b", 1)));
	tv_free(o);
}

Test(tv, true_is_truthy)
{
	struct tv *o = tv_new_obj();
	tv_set_bool(o, "b", 1);
	cr_assert(tv_truthy(tv_get(o, "b", 1)));
	tv_free(o);
}

Test(tv, empty_string_is_falsy)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "s", "");
	cr_assert_not(tv_truthy(tv_get(o, "s", 1)));
	tv_free(o);
}

Test(tv, non_empty_string_is_truthy)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "s", "x");
	tv_set_str(o, "zero", "0");
	tv_set_str(o, "false", "false");
	cr_assert(tv_truthy(tv_get(o, "s", 1)));
	cr_assert(tv_truthy(tv_get(o, "zero", 4)));
	cr_assert(tv_truthy(tv_get(o, "false", 5)));
	tv_free(o);
}

Test(tv, empty_list_is_falsy)
{
	struct tv *l = tv_new_list();
	cr_assert_not(tv_truthy(l));
	tv_free(l);
}

Test(tv, non_empty_list_is_truthy)
{
	struct tv *l = tv_new_list();
	tv_push_str(l, "", 0);
	cr_assert(tv_truthy(l));
	tv_free(l);
}

Test(tv, objects_are_truthy_even_when_empty)
{
	struct tv *o = tv_new_obj();
	cr_assert(tv_truthy(o));
	tv_set_obj(o, "child");
	cr_assert(tv_truthy(tv_get(o, "child", 5)));
	tv_free(o);
}

/* --- lists ---------------------------------------------------------------------------------- */

Test(tv, list_keeps_items_in_order)
{
	struct tv *l = tv_new_list();
	tv_push_str(l, "one", 3);
	tv_push_str(l, "two!", 3);
	tv_push_str(l, "three", 5);
	cr_assert_eq(tv_count(l), 3);
	cr_assert_str_eq(tv_str(tv_item(l, 0), NULL), "one");
	cr_assert_str_eq(tv_str(tv_item(l, 1), NULL), "two");
	cr_assert_str_eq(tv_str(tv_item(l, 2), NULL), "three");
	tv_free(l);
}

Test(tv, list_holds_many_items)
{
	struct tv *l = tv_new_list();
	char s[16];
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(s, sizeof(s), "%d", i);
		tv_push_str(l, s, (size_t)n);
	}
	cr_assert_eq(tv_count(l), 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "%d", i);
		cr_assert_str_eq(tv_str(tv_item(l, (size_t)i), NULL), s);
	}
	tv_free(l);
}

Test(tv, push_obj_returns_object_owned_by_list)
{
	struct tv *l = tv_new_list();
	struct tv *a = tv_push_obj(l);
	struct tv *b = tv_push_obj(l);
	tv_set_str(a, "name", "a");
	tv_set_str(b, "name", "b");
	cr_assert_eq(tv_count(l), 2);
	cr_assert_eq(tv_item(l, 0), a);
	cr_assert_eq(tv_type(tv_item(l, 1)), TV_OBJ);
	cr_assert_str_eq(S_get_str(tv_item(l, 1), "name"), "b");
	tv_free(l);
	S_assert_no_leaks(); /* the list freed a and b */
}

Test(tv, set_list_returns_list_owned_by_object)
{
	struct tv *o = tv_new_obj();
	struct tv *l = tv_set_list(o, "items");
	tv_push_str(l, "x", 1);
	const struct tv *got = tv_get(o, "items", 5);
	cr_assert_eq(got, l);
	cr_assert_eq(tv_type(got), TV_LIST);
	cr_assert_eq(tv_count(got), 1);
	tv_free(o);
	S_assert_no_leaks();
}

Test(tv, set_obj_returns_object_owned_by_object)
{
	struct tv *o = tv_new_obj();
	struct tv *c = tv_set_obj(o, "user");
	tv_set_str(c, "email", "a@b.c");
	cr_assert_eq(tv_get(o, "user", 4), c);
	cr_assert_str_eq(S_get_str(tv_get(o, "user", 4), "email"), "a@b.c");
	tv_free(o);
	S_assert_no_leaks();
}

Test(tv, count_of_non_list_is_zero)
{
	struct tv *o = tv_new_obj();
	tv_set_str(o, "s", "abc");
	cr_assert_eq(tv_count(o), 0);
	cr_assert_eq(tv_count(tv_get(o, "s", 1)), 0);
	cr_assert_eq(tv_count(NULL), 0);
	tv_free(o);
}

/* --- borrowed subtrees ---------------------------------------------------------------------- */

Test(tv, ref_is_found_by_get)
{
	struct tv *shared = tv_new_obj();
	struct tv *o = tv_new_obj();
	tv_set_str(shared, "hello", "Hallo");
	tv_set_ref(o, "ui", shared);
	cr_assert_eq(tv_get(o, "ui", 2), shared);
	cr_assert_str_eq(S_get_str(tv_get(o, "ui", 2), "hello"), "Hallo");
	tv_free(o);
	tv_free(shared);
}

Test(tv, borrowed_ref_is_not_freed_by_tv_free)
{
	/* Under ASan a free of the shared tree by its borrowers shows as a use after free or a
	 * double free. */
	struct tv *shared = tv_new_obj();
	tv_set_str(shared, "hello", "Hallo");
	struct tv *l = tv_set_list(shared, "langs");
	tv_push_str(l, "de", 2);
	for (int round = 0; round < 3; round++) {
		struct tv *page = tv_new_obj();
		tv_set_ref(page, "ui", shared);
		struct tv *nested = tv_set_obj(page, "inner");
		tv_set_ref(nested, "ui", shared);
		tv_free(page);
	}
	cr_assert_str_eq(S_get_str(shared, "hello"), "Hallo");
	cr_assert_eq(tv_count(tv_get(shared, "langs", 5)), 1);
	tv_free(shared);
	S_assert_no_leaks();
}

Test(tv, replacing_borrowed_ref_does_not_free_it)
{
	struct tv *shared = tv_new_obj();
	struct tv *o = tv_new_obj();
	tv_set_str(shared, "k", "v");
	tv_set_ref(o, "ui", shared);
	tv_set_str(o, "ui", "replaced");
	cr_assert_str_eq(S_get_str(o, "ui"), "replaced");
	cr_assert_str_eq(S_get_str(shared, "k"), "v");
	tv_free(o);
	tv_free(shared);
}

Test(tv, ref_replacing_owned_value_frees_the_old_value)
{
	struct tv *shared = tv_new_obj();
	struct tv *o = tv_new_obj();
	struct tv *mine = tv_set_obj(o, "ui");
	tv_set_str(mine, "k", "mine");
	tv_set_ref(o, "ui", shared);
	cr_assert_eq(tv_get(o, "ui", 2), shared);
	tv_free(o);
	tv_free(shared);
	S_assert_no_leaks();
}

Test(tv, ref_in_indexed_object_is_not_freed)
{
	struct tv *shared = tv_new_obj();
	struct tv *o = tv_new_obj();
	char key[16];
	tv_set_str(shared, "k", "v");
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "ref%d", i);
		tv_set_ref(o, key, shared);
	}
	cr_assert_eq(tv_get(o, "ref49", 5), shared);
	tv_free(o);
	cr_assert_str_eq(S_get_str(shared, "k"), "v");
	tv_free(shared);
}
