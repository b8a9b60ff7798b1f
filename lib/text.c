// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping untrusted text for terminals (see text.h for what passes).
 */
#include <string.h>

#include "text.h"

/*
 * Length of the well-formed UTF-8 sequence at @s that may be shown as
 * is (RFC 3629 table 3 of well-formed byte sequences), or 0 when the byte
 * at @s must be escaped.
 */
static size_t shown_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n, i;

	if (*s >= 0x20 && *s < 0x7f)
		return *s == '\\' ? 0 : 1;
	if (*s < 0xc2 || *s > 0xf4)
		return 0;	/* control, DEL, continuation, overlong lead */
	n = *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
	cp = *s & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* truncated (also at the NUL) */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;	/* overlong, beyond Unicode, surrogate */
	if (cp <= 0x9f)
		return 0;	/* C1 control */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;	/* bidi override / isolate */
	return n;
}

/* Walk @s, handing out shown runs and escapes to @emit. */
static void walk(const char *s,
		 int (*emit)(void *arg, const char *p, size_t n), void *arg)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char esc[4] = { '\\', 'x' };
	size_t n;

	while (*p) {
		n = shown_len(p);
		if (n) {
			if (emit(arg, (const char *)p, n))
				return;
			p += n;
			continue;
		}
		if (*p == '\\') {
			if (emit(arg, "\\\\", 2))
				return;
		} else {
			esc[2] = hexd[*p >> 4];
			esc[3] = hexd[*p & 15];
			if (emit(arg, esc, 4))
				return;
		}
		p++;
	}
}

static int emit_file(void *arg, const char *p, size_t n)
{
	return fwrite(p, 1, n, arg) != n;
}

void text_fput(FILE *f, const char *s)
{
	if (s)
		walk(s, emit_file, f);
}

struct sink {
	char *buf;
	size_t len, used;
};

static int emit_buf(void *arg, const char *p, size_t n)
{
	struct sink *k = arg;

	if (k->used + n >= k->len)
		return 1;	/* whole pieces only */
	memcpy(k->buf + k->used, p, n);
	k->used += n;
	return 0;
}

char *text_escape(char *buf, size_t len, const char *s)
{
	struct sink k = { buf, len, 0 };

	if (!len)
		return buf;
	if (s)
		walk(s, emit_buf, &k);
	buf[k.used] = '\0';
	return buf;
}

static int emit_count(void *arg, const char *p, size_t n)
{
	*(size_t *)arg += n;
	return 0;
}

size_t text_escaped_len(const char *s)
{
	size_t n = 0;

	if (s)
		walk(s, emit_count, &n);
	return n;
}
