// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at @s (1..4), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, k;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 1, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 2, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 3, cp = s[0] & 0x07;
	else
		return 0;
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
	    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

void json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s++, f);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

int json_buf_open(struct json_buf *b)
{
	b->text = NULL;
	b->len = 0;
	b->f = open_memstream(&b->text, &b->len);
	return b->f ? 0 : -ENOMEM;
}

const char *json_buf_close(struct json_buf *b)
{
	int ret = fclose(b->f);

	b->f = NULL;
	return ret ? NULL : b->text;
}

void json_buf_free(struct json_buf *b)
{
	if (b->f)
		fclose(b->f);
	free(b->text);
	b->f = NULL;
	b->text = NULL;
}

void json_begin(struct json_writer *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->want_comma[0] = false;
	w->after_key = false;
}

/* Before any value or key: the comma that separates it from the last. */
static void sep(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->want_comma[w->depth])
		fputc(',', w->f);
	w->want_comma[w->depth] = true;
}

static void open_level(struct json_writer *w, char open, char close)
{
	sep(w);
	fputc(open, w->f);
	if (w->depth < JSON_MAX_DEPTH - 1)
		w->depth++;
	w->want_comma[w->depth] = false;
	w->close[w->depth] = close;
}

void json_object(struct json_writer *w)
{
	open_level(w, '{', '}');
}

void json_array(struct json_writer *w)
{
	open_level(w, '[', ']');
}

void json_end(struct json_writer *w)
{
	if (w->depth <= 0)
		return;
	fputc(w->close[w->depth], w->f);
	w->depth--;
}

void json_key(struct json_writer *w, const char *key)
{
	sep(w);
	fprintf(w->f, "\"%s\":", key);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	sep(w);
	json_escape(w->f, s);
}

void json_u64(struct json_writer *w, __u64 v)
{
	sep(w);
	fprintf(w->f, "%" PRIu64, (uint64_t)v);
}

void json_i64(struct json_writer *w, __s64 v)
{
	sep(w);
	fprintf(w->f, "%" PRId64, (int64_t)v);
}

void json_bool(struct json_writer *w, bool v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
	sep(w);
	fputs("null", w->f);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_u64(struct json_writer *w, const char *key, __u64 v)
{
	json_key(w, key);
	json_u64(w, v);
}

void json_kv_i64(struct json_writer *w, const char *key, __s64 v)
{
	json_key(w, key);
	json_i64(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}
