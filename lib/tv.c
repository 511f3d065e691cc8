/* tv.c - template value trees. Objects keep a small hash index once they grow past a few keys. */
#include "tv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tv_entry {
	char *key;      /* NULL in lists */
	size_t klen;    /* length of key */
	struct tv *val; /* the value */
	int borrowed;   /* 1 if val belongs to someone else (tv_set_ref) */
};

struct tv {
	enum tv_type type;
	char *s;            /* TV_STR contents, NUL-terminated */
	size_t len;         /* length of s */
	int b;              /* TV_BOOL */
	struct tv_entry *e; /* TV_LIST items or TV_OBJ members */
	size_t n, cap;      /* entries used and allocated */
	unsigned *index;    /* TV_OBJ: open-addressing table of entry numbers + 1, or NULL */
	size_t index_cap;   /* slots in index, a power of two */
};

#define INDEX_FROM 8 /* below this many keys a linear scan is faster than hashing */

static struct tv *S_new(enum tv_type t)
{
	struct tv *v = xcalloc(1, sizeof(*v));
	v->type = t;
	return v;
}

struct tv *tv_new_obj(void)
{
	return S_new(TV_OBJ);
}

struct tv *tv_new_list(void)
{
	return S_new(TV_LIST);
}

void tv_free(struct tv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->e[i].key);
		if (!v->e[i].borrowed)
			tv_free(v->e[i].val);
	}
	free(v->e);
	free(v->index);
	free(v->s);
	free(v);
}

enum tv_type tv_type(const struct tv *v)
{
	return v ? v->type : TV_NULL;
}

const char *tv_str(const struct tv *v, size_t *len)
{
	if (v && v->type == TV_STR) {
		if (len)
			*len = v->len;
		return v->s;
	}
	if (len)
		*len = 0;
	return "";
}

int tv_truthy(const struct tv *v)
{
	if (!v)
		return 0;
	switch (v->type) {
	case TV_NULL:
		return 0;
	case TV_STR:
		return v->len > 0;
	case TV_BOOL:
		return v->b;
	case TV_LIST:
		return v->n > 0;
	case TV_OBJ:
		return 1;
	}
	return 0;
}

size_t tv_count(const struct tv *v)
{
	return v && v->type == TV_LIST ? v->n : 0;
}

const struct tv *tv_item(const struct tv *v, size_t i)
{
	return v && v->type == TV_LIST && i < v->n ? v->e[i].val : NULL;
}

static size_t S_slot(const struct tv *obj, const char *key, size_t n)
{
	size_t mask = obj->index_cap - 1;
	size_t i = (size_t)util_hash64(key, n) & mask;
	while (obj->index[i]) {
		const struct tv_entry *e = &obj->e[obj->index[i] - 1];
		if (e->klen == n && memcmp(e->key, key, n) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void S_reindex(struct tv *obj)
{
	free(obj->index);
	obj->index_cap = 16;
	while (obj->index_cap < obj->n * 2)
		obj->index_cap *= 2;
	obj->index = xcalloc(obj->index_cap, sizeof(*obj->index));
	for (size_t i = 0; i < obj->n; i++)
		obj->index[S_slot(obj, obj->e[i].key, obj->e[i].klen)] = (unsigned)i + 1;
}

static struct tv_entry *S_find(const struct tv *obj, const char *key, size_t n)
{
	if (!obj || obj->type != TV_OBJ)
		return NULL;
	if (obj->index) {
		unsigned k = obj->index[S_slot(obj, key, n)];
		return k ? &obj->e[k - 1] : NULL;
	}
	for (size_t i = 0; i < obj->n; i++)
		if (obj->e[i].klen == n && memcmp(obj->e[i].key, key, n) == 0)
			return &obj->e[i];
	return NULL;
}

const struct tv *tv_get(const struct tv *obj, const char *key, size_t n)
{
	struct tv_entry *e = S_find(obj, key, n);
	return e ? e->val : NULL;
}

static struct tv_entry *S_append(struct tv *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->e = xrealloc(v->e, v->cap * sizeof(*v->e));
	}
	struct tv_entry *e = &v->e[v->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Store val under key, replacing (and freeing) any earlier value. */
static void S_put(struct tv *obj, const char *key, struct tv *val, int borrowed)
{
	size_t n = strlen(key);
	struct tv_entry *e = S_find(obj, key, n);
	if (e) {
		if (!e->borrowed)
			tv_free(e->val);
	} else {
		e = S_append(obj);
		e->key = xstrndup(key, n);
		e->klen = n;
		if (obj->n >= INDEX_FROM && obj->n * 2 > obj->index_cap)
			S_reindex(obj);
		else if (obj->index)
			obj->index[S_slot(obj, key, n)] = (unsigned)obj->n;
	}
	e->val = val;
	e->borrowed = borrowed;
}

static struct tv *S_strval(const char *s, size_t n)
{
	struct tv *v = S_new(TV_STR);
	v->s = xstrndup(s, n);
	v->len = n;
	return v;
}

void tv_set_strn(struct tv *obj, const char *key, const char *s, size_t n)
{
	S_put(obj, key, S_strval(s, n), 0);
}

void tv_set_str(struct tv *obj, const char *key, const char *s)
{
	tv_set_strn(obj, key, s, strlen(s));
}

void tv_set_int(struct tv *obj, const char *key, long long i)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", i);
	tv_set_strn(obj, key, tmp, (size_t)n);
}

void tv_set_bool(struct tv *obj, const char *key, int b)
{
	struct tv *v = S_new(TV_BOOL);
	v->b = b != 0;
	S_put(obj, key, v, 0);
}

struct tv *tv_set_obj(struct tv *obj, const char *key)
{
	struct tv *v = S_new(TV_OBJ);
	S_put(obj, key, v, 0);
	return v;
}

struct tv *tv_set_list(struct tv *obj, const char *key)
{
	struct tv *v = S_new(TV_LIST);
	S_put(obj, key, v, 0);
	return v;
}

void tv_set_ref(struct tv *obj, const char *key, const struct tv *shared)
{
	/* The cast is safe: borrowed values are never modified or freed through obj. */
	S_put(obj, key, (struct tv *)shared, 1);
}

struct tv *tv_push_obj(struct tv *list)
{
	struct tv *v = S_new(TV_OBJ);
	S_append(list)->val = v;
	return v;
}

void tv_push_str(struct tv *list, const char *s, size_t n)
{
	S_append(list)->val = S_strval(s, n);
}
