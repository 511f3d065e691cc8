/* i18n.c - locales, UI strings and localised dates. */
#include "i18n.h"
#include "buf.h"
#include "conf.h"
#include "tv.h"

#include <stdlib.h>
#include <string.h>

const struct locale_info locale_info[LOCALE__MAX] = {
    [LOCALE_ZH] = {"zh", "zh-CN", "zh_CN"},
    [LOCALE_EN] = {"en", "en", "en_US"},
};

int locale_from_code(const char *s, size_t n)
{
	for (int l = 0; l < LOCALE__MAX; l++)
		if (strlen(locale_info[l].code) == n && memcmp(locale_info[l].code, s, n) == 0)
			return l;
	return -1;
}

int i18n_load(struct i18n *ui, const char *path, struct buf *err)
{
	struct conf c = {0};
	size_t before = err->len;
	const struct conf_section *sec[LOCALE__MAX];

	conf_load(&c, path, err);
	for (int l = 0; l < LOCALE__MAX; l++) {
		sec[l] = conf_section(&c, locale_info[l].code);
		if (!sec[l])
			buf_addf(err, "%s:1: no [%s] section\n", path, locale_info[l].code);
		ui->strings[l] = tv_new_obj();
	}
	for (size_t i = 0; i < c.n; i++)
		if (locale_from_code(c.s[i].name, strlen(c.s[i].name)) < 0)
			buf_addf(err, "%s:%d: unknown locale [%s]\n", path, c.s[i].line,
			         c.s[i].name);
	for (int l = 0; l < LOCALE__MAX; l++) {
		if (!sec[l])
			continue;
		for (size_t k = 0; k < sec[l]->n; k++) {
			const struct conf_entry *e = &sec[l]->e[k];
			tv_set_str(ui->strings[l], e->key, e->value);
			for (int o = 0; o < LOCALE__MAX; o++)
				if (o != l && sec[o] && !conf_get(sec[o], e->key))
					buf_addf(err, "%s:%d: '%s' has no [%s] translation\n", path,
					         e->line, e->key, locale_info[o].code);
		}
	}
	conf_release(&c);
	return err->len == before ? 0 : -1;
}

void i18n_release(struct i18n *ui)
{
	for (int l = 0; l < LOCALE__MAX; l++) {
		tv_free(ui->strings[l]);
		ui->strings[l] = NULL;
	}
}

const char *i18n_get(const struct i18n *ui, enum locale l, const char *key)
{
	const struct tv *v = tv_get(ui->strings[l], key, strlen(key));
	return v ? tv_str(v, NULL) : key;
}

void i18n_date(struct buf *b, enum locale l, const char *iso)
{
	static const char *months[] = {"January",   "February", "March",    "April",
	                               "May",       "June",     "July",     "August",
	                               "September", "October",  "November", "December"};
	/* Check the length first: iso + 5 and iso + 8 lie past the end of a shorter string. */
	if (strlen(iso) != 10 || atoi(iso + 5) < 1 || atoi(iso + 5) > 12) {
		buf_adds(b, iso);
		return;
	}
	int y = atoi(iso), m = atoi(iso + 5), d = atoi(iso + 8);
	if (l == LOCALE_ZH)
		buf_addf(b, "%d年%d月%d日", y, m, d);
	else
		buf_addf(b, "%d %s %d", d, months[m - 1], y);
}
