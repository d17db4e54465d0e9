/* meta.c - ordered key/value metadata; see meta.h. */
#include "core/base/meta.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/err.h"

void yb_meta_init(struct yb_meta *m)
{
	m->kv = NULL;
	m->n = m->cap = 0;
}

void yb_meta_free(struct yb_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	free(m->kv);
	yb_meta_init(m);
}

static int meta_put(struct yb_meta *m, const char *key, char *value,
		    int numeric)
{
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->kv[i].key, key) == 0) {
			free(m->kv[i].value);
			m->kv[i].value = value;
			m->kv[i].numeric = numeric;
			return 0;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct yb_meta_kv *kv = realloc(m->kv, cap * sizeof(*kv));
		if (!kv)
			goto oom;
		m->kv = kv;
		m->cap = cap;
	}
	char *k = strdup(key);
	if (!k)
		goto oom;
	m->kv[m->n].key = k;
	m->kv[m->n].value = value;
	m->kv[m->n].numeric = numeric;
	m->n++;
	return 0;
oom:
	free(value);
	return YB_ENOMEM;
}

int yb_meta_set(struct yb_meta *m, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL;

	va_start(ap, fmt);
	int n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return YB_ENOMEM;
	return meta_put(m, key, v, 0);
}

int yb_meta_set_num(struct yb_meta *m, const char *key, double v)
{
	char *s = NULL;

	if (asprintf(&s, "%.9g", v) < 0)
		return YB_ENOMEM;
	return meta_put(m, key, s, 1);
}

int yb_meta_set_int(struct yb_meta *m, const char *key, long long v)
{
	char *s = NULL;

	if (asprintf(&s, "%lld", v) < 0)
		return YB_ENOMEM;
	return meta_put(m, key, s, 1);
}

const char *yb_meta_get(const struct yb_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			return m->kv[i].value;
	return NULL;
}

int yb_meta_merge(struct yb_meta *dst, const struct yb_meta *src,
		  const char *prefix)
{
	for (size_t i = 0; i < src->n; i++) {
		char *k = NULL, *v = strdup(src->kv[i].value);
		if (!v || asprintf(&k, "%s%s", prefix, src->kv[i].key) < 0) {
			free(v);
			return YB_ENOMEM;
		}
		int rc = meta_put(dst, k, v, src->kv[i].numeric);
		free(k);
		if (rc)
			return rc;
	}
	return 0;
}

size_t yb_meta_lines(const struct yb_meta *m, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		int k = snprintf(buf + off, len - off, "%s=%s\n", m->kv[i].key,
				 m->kv[i].value);
		if (k < 0 || (size_t)k >= len - off) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)k;
	}
	return off;
}

void yb_meta_parse_lines(struct yb_meta *m, const char *text,
			 const char *prefix)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		const char *eq = memchr(text, '=', len);
		if (eq && eq > text) {
			char key[128];
			size_t kl = (size_t)(eq - text);
			if (kl + strlen(prefix) < sizeof(key) - 1) {
				snprintf(key, sizeof(key), "%s%.*s", prefix,
					 (int)kl, text);
				yb_meta_set(m, key, "%.*s",
					    (int)(len - kl - 1), eq + 1);
			}
		}
		text += len + (nl ? 1 : 0);
	}
}
