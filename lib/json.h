/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer for every JSON bomgate prints: events, replies,
 * reports. It keeps the commas and the nesting, so producers only say
 * what goes where:
 *
 *	struct json_writer w;
 *	json_begin(&w, stdout);
 *	json_object(&w);
 *	json_kv_string(&w, "path", path);
 *	json_key(&w, "signers"); json_array(&w); ... json_end(&w);
 *	json_end(&w);
 *
 * Strings are escaped; bytes that are not UTF-8 become U+FFFD. Keys are
 * the producer's own literals and are written as they are.
 */
#ifndef BOMGATE_JSON_H
#define BOMGATE_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JSON_MAX_DEPTH	16

struct json_writer {
	FILE *f;
	int depth;
	bool want_comma[JSON_MAX_DEPTH];
	char close[JSON_MAX_DEPTH];	/* '}' or ']' per open level */
	bool after_key;		/* a value completes the member */
};

void json_begin(struct json_writer *w, FILE *f);
void json_object(struct json_writer *w);	/* { */
void json_array(struct json_writer *w);		/* [ */
void json_end(struct json_writer *w);		/* } or ] */
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);	/* NULL: "" */
void json_u64(struct json_writer *w, __u64 v);
void json_i64(struct json_writer *w, __s64 v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* key + value in one call */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_u64(struct json_writer *w, const char *key, __u64 v);
void json_kv_i64(struct json_writer *w, const char *key, __s64 v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

/* A JSON text built in memory: one event line, one reply. */
struct json_buf {
	FILE *f;		/* write to this between open and close */
	char *text;
	size_t len;
};

/* 0, or -ENOMEM. */
int json_buf_open(struct json_buf *b);
/* Ends writing: the text (NUL-terminated, b->len bytes) or NULL. */
const char *json_buf_close(struct json_buf *b);
void json_buf_free(struct json_buf *b);

/* @s as a JSON string literal on @f (for a line that is not built with
 * a writer). */
void json_escape(FILE *f, const char *s);

#endif
