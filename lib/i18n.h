/* i18n.h - the two locales and the UI strings writers edit in content/ui.conf. */
#ifndef OKPAY_I18N_H
#define OKPAY_I18N_H

#include <stddef.h>

struct buf;
struct tv;

enum locale { LOCALE_ZH, LOCALE_EN, LOCALE__MAX };

struct locale_info {
	const char *code;      /* URL prefix and file directory: "zh" */
	const char *html_lang; /* <html lang>, hreflang: "zh-CN" */
	const char *og_locale; /* Open Graph: "zh_CN" */
};

extern const struct locale_info locale_info[LOCALE__MAX];

/** Locale whose code is the n bytes of s, or -1. */
int locale_from_code(const char *s, size_t n);

/* UI strings: one "[zh]" and one "[en]" section with the same keys. */
struct i18n {
	struct tv *strings[LOCALE__MAX]; /* one object per locale, key -> text */
};

/**
 * Load path into ui (zeroed by the caller). Every key must exist in every locale;
 * problems are appended to err as "path:line: message\n" and make it return -1.
 */
int i18n_load(struct i18n *ui, const char *path, struct buf *err);
void i18n_release(struct i18n *ui);
/** The text of key in locale, or the key itself when missing (never NULL). */
const char *i18n_get(const struct i18n *ui, enum locale l, const char *key);

/** Append a date (from "YYYY-MM-DD") the way the locale writes it: "2026年11月5日", "5 November
 * 2026". */
void i18n_date(struct buf *b, enum locale l, const char *iso);

#endif
