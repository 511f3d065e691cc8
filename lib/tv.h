/* tv.h - template values: the tree of strings, booleans, lists and objects a template renders. */
#ifndef OKPAY_TV_H
#define OKPAY_TV_H

#include <stddef.h>

/*
 * A page's data is built as a tree of tv nodes and handed to tmpl_render.
 * A parent owns its children: tv_free on the root frees the whole tree,
 * except subtrees attached with tv_set_ref, which stay with their owner
 * (shared, read-only data such as the UI strings of a locale).
 * Keys are copied. Setting a key that exists replaces its value.
 * Lookups never modify a tree, so a finished tree may be read by many threads.
 */
enum tv_type { TV_NULL, TV_STR, TV_BOOL, TV_LIST, TV_OBJ };

struct tv;

struct tv *tv_new_obj(void);
struct tv *tv_new_list(void);
void tv_free(struct tv *v);

enum tv_type tv_type(const struct tv *v);
/** String contents (never NULL for TV_STR; "" for other types); length in *len if non-NULL. */
const char *tv_str(const struct tv *v, size_t *len);
/** Truth as a Mustache section sees it: false for NULL, false, "" and empty lists. */
int tv_truthy(const struct tv *v);
/** Number of items of a list (0 for other types). */
size_t tv_count(const struct tv *v);
/** Item i of a list. */
const struct tv *tv_item(const struct tv *v, size_t i);
/** Value of key in an object (n bytes of key), or NULL. */
const struct tv *tv_get(const struct tv *obj, const char *key, size_t n);

/* Setters on objects. Strings are copied. */
void tv_set_str(struct tv *obj, const char *key, const char *s);
void tv_set_strn(struct tv *obj, const char *key, const char *s, size_t n);
void tv_set_int(struct tv *obj, const char *key, long long i);
void tv_set_bool(struct tv *obj, const char *key, int b);
/** New empty object under key; returned for filling, owned by obj. */
struct tv *tv_set_obj(struct tv *obj, const char *key);
/** New empty list under key; returned for filling, owned by obj. */
struct tv *tv_set_list(struct tv *obj, const char *key);
/** Attach a subtree that obj does not own (it must outlive obj). */
void tv_set_ref(struct tv *obj, const char *key, const struct tv *shared);

/* Appending to lists. */
/** New empty object appended to list; owned by the list. */
struct tv *tv_push_obj(struct tv *list);
void tv_push_str(struct tv *list, const char *s, size_t n);

#endif
