/*
 * meta.h - run metadata as an ordered list of key/value strings.
 *
 * Transports and the engine describe themselves into a yb_meta; the JSON
 * writer turns it into an object.  Keeping it a flat string list means no
 * module that describes itself needs to know about JSON: only the results
 * files (yb_meta_to_json for yb_output_json, and their reader, in
 * results.c) turn it into an object and back.
 */
#ifndef YB_META_H
#define YB_META_H

#include <stddef.h>

struct yb_meta_kv {
	char *key;
	char *value;
	int numeric; /* value is a JSON number literal */
};

struct yb_meta {
	struct yb_meta_kv *kv;
	size_t n, cap;
};

void yb_meta_init(struct yb_meta *m);
void yb_meta_free(struct yb_meta *m);
/* Set (or replace) key.  Returns 0 or YB_ENOMEM. */
int yb_meta_set(struct yb_meta *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int yb_meta_set_num(struct yb_meta *m, const char *key, double v);
int yb_meta_set_int(struct yb_meta *m, const char *key, long long v);
const char *yb_meta_get(const struct yb_meta *m, const char *key);
/* Copy every pair of src into dst with prefix prepended to the keys. */
int yb_meta_merge(struct yb_meta *dst, const struct yb_meta *src,
		  const char *prefix);

/*
 * As text, the form the control protocol carries: "key=value\n" per pair,
 * as many whole lines as fit in len (always terminated).  Returns the
 * length written.
 */
size_t yb_meta_lines(const struct yb_meta *m, char *buf, size_t len);

/*
 * The reverse: each "key=value" line of text set in m with prefix
 * prepended to the key.  Lines without a key or '=' are skipped, and so
 * are keys longer than 127 bytes with their prefix.
 */
void yb_meta_parse_lines(struct yb_meta *m, const char *text,
			 const char *prefix);

#endif /* YB_META_H */
