// SPDX-License-Identifier: GPL-2.0
/*
 * A streaming JSON tokenizer for the SBOM readers (RFC 8259, strict).
 *
 * It does the work yajl did for lib/sbom_json.c, with the same callbacks,
 * but in one pass over each byte: a token cut by the end of a chunk is
 * resumed where it stopped, never lexed again from its start (yajl lexes
 * a buffered token again for every chunk it spans, which is quadratic in
 * its length). Strings are checked as they are scanned: UTF-8 structure
 * (the same rule as yajl: a lead byte and its continuation bytes), no
 * control characters, valid escapes. Only a string cut by a chunk end is
 * copied, and only a string with escapes is decoded; numbers and literals
 * are checked, never kept (the readers only want their type).
 *
 * Limits: a token longer than SBOM_MAX_TOKEN bytes (quotes excluded) and
 * containers nested deeper than SBOM_MAX_DEPTH are errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "sbom_priv.h"

/* what the grammar allows next */
enum expect {
	X_ROOT,		/* the document's value */
	X_END,		/* nothing but whitespace */
	X_KEY_OR_CLOSE,	/* after '{' */
	X_KEY,		/* after ',' in an object */
	X_COLON,	/* after a key */
	X_VALUE,	/* after ':', or after ',' in an array */
	X_VALUE_OR_CLOSE, /* after '[' */
	X_NEXT,		/* after a value in a container: ',' or the close */
};

/* a token cut by the end of a chunk */
enum partial { P_NONE, P_STR, P_NUM, P_LIT };

/* number states; the odd ones may end the number */
enum num {
	N_MINUS = 0, N_ZERO = 1, N_DOT = 2, N_INT = 3, N_E = 4, N_FRAC = 5,
	N_ESIGN = 6, N_EXP = 7,
};

/* byte classes inside a string */
enum { C_OK, C_QUOTE, C_ESC, C_CTRL, C_U2, C_U3, C_U4, C_BAD };

struct sbom_jtok {
	const struct sbom_jtok_cb *cb;
	void *ctx;
	enum expect x;
	int depth;
	unsigned char is_map[SBOM_MAX_DEPTH + 1];
	size_t pos;		/* in the current chunk, after the last token */
	/* the token cut by the end of the last chunk */
	enum partial part;
	int is_key;
	size_t tlen;		/* its length so far */
	char *tb;		/* a cut string's bytes (tlen of them) */
	size_t tcap;
	unsigned int u8;	/* UTF-8 continuation bytes still due */
	unsigned int esc;	/* 1 after '\', 2-5 in \uXXXX, else 0 */
	int has_esc;
	enum num num;
	const char *lit;	/* "true", "false" or "null" */
	char *db;		/* decoded string */
	size_t dcap;
	char msg[96];
};

static unsigned char str_class[256];
static unsigned char ws[256];
static signed char hexd[256];

static void __attribute__((constructor)) jtok_tables(void)
{
	int c;

	for (c = 0; c < 256; c++) {
		if (c < 0x20)
			str_class[c] = C_CTRL;
		else if (c == '"')
			str_class[c] = C_QUOTE;
		else if (c == '\\')
			str_class[c] = C_ESC;
		else if (c < 0x80)
			str_class[c] = C_OK;
		else if ((c >> 5) == 0x6)
			str_class[c] = C_U2;
		else if ((c >> 4) == 0xe)
			str_class[c] = C_U3;
		else if ((c >> 3) == 0x1e)
			str_class[c] = C_U4;
		else
			str_class[c] = C_BAD;
		ws[c] = c == ' ' || c == '\n' || c == '\t' || c == '\r';
		hexd[c] = c >= '0' && c <= '9' ? c - '0' :
			  c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			  c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	}
}

struct sbom_jtok *sbom_jtok_new(const struct sbom_jtok_cb *cb, void *ctx)
{
	struct sbom_jtok *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->ctx = ctx;
	return t;
}

void sbom_jtok_free(struct sbom_jtok *t)
{
	if (!t)
		return;
	free(t->tb);
	free(t->db);
	free(t);
}

size_t sbom_jtok_pos(const struct sbom_jtok *t)
{
	return t->pos;
}

const char *sbom_jtok_error(const struct sbom_jtok *t)
{
	return t->msg;
}

static int syntax(struct sbom_jtok *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int syntax(struct sbom_jtok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int too_long(struct sbom_jtok *t)
{
	snprintf(t->msg, sizeof(t->msg), "a JSON token longer than %d bytes",
		 SBOM_MAX_TOKEN);
	return -E2BIG;
}

static int unexpected(struct sbom_jtok *t, unsigned char c)
{
	static const char *const want[] = {
		[X_ROOT] = "a JSON value",
		[X_END] = "nothing after the end of the JSON value",
		[X_KEY_OR_CLOSE] = "a string key or '}'",
		[X_KEY] = "a string key",
		[X_COLON] = "':' after an object key",
		[X_VALUE] = "a value",
		[X_VALUE_OR_CLOSE] = "a value or ']'",
		[X_NEXT] = "',' or the end of the object or array",
	};

	if (c > 0x20 && c < 0x7f)
		return syntax(t, "'%c' where %s was expected", c, want[t->x]);
	return syntax(t, "byte 0x%02x where %s was expected", c, want[t->x]);
}

/* The grammar state after a complete value. */
static inline void after_value(struct sbom_jtok *t)
{
	t->x = t->depth ? X_NEXT : X_END;
}

static inline int is_value_expected(const struct sbom_jtok *t)
{
	return t->x == X_ROOT || t->x == X_VALUE || t->x == X_VALUE_OR_CLOSE;
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Nonzero when one of 8 bytes is a quote, a backslash, a control
 * character or not ASCII (the lowest flagged byte is a real one). */
static inline uint64_t special8(const unsigned char *u)
{
	uint64_t v, q, b;

	memcpy(&v, u, 8);
	q = v ^ (ONES * '"');
	b = v ^ (ONES * '\\');
	return (((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) |
		((b - ONES) & ~b) | v) & HIGHS;
}

/*
 * Skip plain string bytes 16 at a time: the first byte at or after @u that
 * is a quote, a backslash, a control character or not ASCII, or the last
 * position with fewer than 16 bytes left (the 8-byte and byte loops
 * finish). SSE2 is part of x86-64 and NEON of arm64: no runtime check.
 */
static inline const unsigned char *skip_plain16(const unsigned char *u,
						const unsigned char *e)
{
#if defined(__SSE2__)
	const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
	const __m128i c = _mm_set1_epi8(0x1f);

	while (e - u >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)u);
		__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, q),
					 _mm_cmpeq_epi8(v, b));
		unsigned int bits;

		/* v <= 0x1f: max(v, 0x1f) is 0x1f */
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, c), c));
		/* the high bit of a byte: not ASCII */
		bits = _mm_movemask_epi8(m) | _mm_movemask_epi8(v);
		if (bits)
			return u + __builtin_ctz(bits);
		u += 16;
	}
#elif defined(__ARM_NEON) && defined(__aarch64__)
	const uint8x16_t q = vdupq_n_u8('"'), b = vdupq_n_u8('\\');
	const uint8x16_t c = vdupq_n_u8(0x20), h = vdupq_n_u8(0x80);

	while (e - u >= 16) {
		uint8x16_t v = vld1q_u8(u);
		uint8x16_t m = vorrq_u8(vceqq_u8(v, q), vceqq_u8(v, b));

		m = vorrq_u8(m, vorrq_u8(vcltq_u8(v, c), vcgeq_u8(v, h)));
		if (vmaxvq_u8(m))
			return u;	/* the byte loop finds which one */
		u += 16;
	}
#else
	(void)e;
#endif
	return u;
}

/*
 * Scan string bytes from p, resuming the state in t. Returns the closing
 * quote, or end when the chunk ends first; NULL with t->msg on an error.
 */
static const char *str_scan(struct sbom_jtok *t, const char *p,
			    const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;
	unsigned int u8 = t->u8, esc = t->esc;
	unsigned char c;

	while (u < e) {
		c = *u;
		if (u8) {
			if ((c & 0xc0) != 0x80)
				goto bad_utf8;
			u8--;
			u++;
			continue;
		}
		if (esc) {
			if (esc == 1) {
				switch (c) {
				case '"': case '\\': case '/': case 'b':
				case 'f': case 'n': case 'r': case 't':
					esc = 0;
					break;
				case 'u':
					esc = 5;
					break;
				default:
					syntax(t, "invalid escape in a string");
					return NULL;
				}
			} else {
				if (hexd[c] < 0) {
					syntax(t, "a \\u escape needs 4 hex digits");
					return NULL;
				}
				if (--esc == 1)
					esc = 0;
			}
			u++;
			continue;
		}
		switch (str_class[c]) {
		case C_OK:
			u = skip_plain16(u + 1, e);
			while (e - u >= 8 && !special8(u))
				u += 8;
			while (u < e && str_class[*u] == C_OK)
				u++;
			continue;
		case C_QUOTE:
			t->u8 = 0;
			t->esc = 0;
			return (const char *)u;
		case C_ESC:
			esc = 1;
			t->has_esc = 1;
			break;
		case C_CTRL:
			syntax(t, "control character 0x%02x in a string", c);
			return NULL;
		case C_U2:
			u8 = 1;
			break;
		case C_U3:
			u8 = 2;
			break;
		case C_U4:
			u8 = 3;
			break;
		default:
			goto bad_utf8;
		}
		u++;
	}
	t->u8 = u8;
	t->esc = esc;
	return end;
bad_utf8:
	syntax(t, "invalid UTF-8 in a string");
	return NULL;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | cp >> 12;
		o[1] = 0x80 | (cp >> 6 & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | cp >> 18;
	o[1] = 0x80 | (cp >> 12 & 0x3f);
	o[2] = 0x80 | (cp >> 6 & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static unsigned int hex4(const unsigned char *s)
{
	return hexd[s[0]] << 12 | hexd[s[1]] << 8 | hexd[s[2]] << 4 |
	       hexd[s[3]];
}

/* Decode the escapes of a checked string body into t->db; an unpaired
 * UTF-16 surrogate becomes U+FFFD. The result is never longer. */
static int decode(struct sbom_jtok *t, const char *s, size_t len,
		  size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;
	unsigned int cp, lo;
	char *d;

	if (grow(&t->db, &t->dcap, len + 1))
		return -ENOMEM;
	d = t->db;
	while (i < len) {
		if (u[i] != '\\') {
			d[o++] = u[i++];
			continue;
		}
		switch (u[i + 1]) {
		case 'b': d[o++] = '\b'; break;
		case 'f': d[o++] = '\f'; break;
		case 'n': d[o++] = '\n'; break;
		case 'r': d[o++] = '\r'; break;
		case 't': d[o++] = '\t'; break;
		case 'u':
			cp = hex4(u + i + 2);
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len &&
			    u[i] == '\\' && u[i + 1] == 'u' &&
			    (lo = hex4(u + i + 2)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			o += put_utf8(d + o, cp);
			continue;
		default: d[o++] = u[i + 1]; break;	/* " \ / */
		}
		i += 2;
	}
	d[o] = '\0';
	*outlen = o;
	return 0;
}

/* A complete string body s (escapes unchecked no more): call back. */
static int str_done(struct sbom_jtok *t, const char *s, size_t len)
{
	const unsigned char *v = (const unsigned char *)s;
	int is_key = t->is_key, err, ok;

	if (t->has_esc) {
		err = decode(t, s, len, &len);
		if (err)
			return err;
		v = (const unsigned char *)t->db;
	}
	t->has_esc = 0;
	if (is_key) {
		ok = t->cb->key(t->ctx, v, len);
		t->x = X_COLON;
	} else {
		ok = t->cb->string(t->ctx, v, len);
		after_value(t);
	}
	return ok ? 0 : -ECANCELED;
}

/* Number bytes from p; returns where the number ends (the first byte not
 * in it), end when cut, NULL on an error. */
static const char *num_scan(struct sbom_jtok *t, const char *p,
			    const char *end)
{
	enum num n = t->num;
	unsigned char c;

	for (; p < end; p++) {
		c = *p;
		switch (n) {
		case N_MINUS:
			if (c == '0')
				n = N_ZERO;
			else if (c >= '1' && c <= '9')
				n = N_INT;
			else
				goto bad;
			continue;
		case N_INT:
			if (c >= '0' && c <= '9')
				continue;
			/* fall through */
		case N_ZERO:
			if (c == '.')
				n = N_DOT;
			else if (c == 'e' || c == 'E')
				n = N_E;
			else
				goto done;
			continue;
		case N_DOT:
			if (c < '0' || c > '9')
				goto bad;
			n = N_FRAC;
			continue;
		case N_FRAC:
			if (c >= '0' && c <= '9')
				continue;
			if (c == 'e' || c == 'E')
				n = N_E;
			else
				goto done;
			continue;
		case N_E:
			if (c == '+' || c == '-') {
				n = N_ESIGN;
				continue;
			}
			/* fall through */
		case N_ESIGN:
			if (c < '0' || c > '9')
				goto bad;
			n = N_EXP;
			continue;
		case N_EXP:
			if (c >= '0' && c <= '9')
				continue;
			goto done;
		}
	}
done:
	t->num = n;
	return p;
bad:
	syntax(t, "malformed number (a digit is missing)");
	return NULL;
}

static int num_done(struct sbom_jtok *t)
{
	if (!(t->num & 1))
		return syntax(t, "malformed number (a digit is missing)");
	after_value(t);
	return t->cb->number(t->ctx) ? 0 : -ECANCELED;
}

/* Literal bytes from p, t->tlen of t->lit matched so far; returns where it
 * ends, end when cut, NULL on a mismatch. */
static const char *lit_scan(struct sbom_jtok *t, const char *p,
			    const char *end)
{
	while (p < end && t->lit[t->tlen]) {
		if (*p != t->lit[t->tlen]) {
			syntax(t, "invalid literal (true, false or null)");
			return NULL;
		}
		p++;
		t->tlen++;
	}
	return p;
}

static int lit_done(struct sbom_jtok *t)
{
	int ok;

	after_value(t);
	if (t->lit[0] == 'n')
		ok = t->cb->null(t->ctx);
	else
		ok = t->cb->boolean(t->ctx, t->lit[0] == 't');
	return ok ? 0 : -ECANCELED;
}

/* Keep the cut part of a string; the limit counts it all. */
static int keep(struct sbom_jtok *t, const char *s, size_t n)
{
	if (t->tlen + n > SBOM_MAX_TOKEN)
		return too_long(t);
	if (t->part == P_STR && n) {
		if (grow(&t->tb, &t->tcap, t->tlen + n))
			return -ENOMEM;
		memcpy(t->tb + t->tlen, s, n);
	}
	t->tlen += n;
	return 0;
}

/* Finish the token cut by the last chunk; returns the bytes used from
 * this one, or -errno. */
static ssize_t resume(struct sbom_jtok *t, const char *buf, size_t len)
{
	const char *end = buf + len, *q;
	int err;

	switch (t->part) {
	case P_STR:
		q = str_scan(t, buf, end);
		if (!q)
			return -EINVAL;
		err = keep(t, buf, q - buf);
		if (err || q == end)
			return err ? err : (ssize_t)len;
		t->part = P_NONE;
		t->pos = q + 1 - buf;
		err = str_done(t, t->tb, t->tlen);
		return err ? err : (ssize_t)(q + 1 - buf);
	case P_NUM:
		q = num_scan(t, buf, end);
		if (!q)
			return -EINVAL;
		err = keep(t, buf, q - buf);
		if (err || q == end)
			return err ? err : (ssize_t)len;
		t->part = P_NONE;
		t->pos = q - buf;
		err = num_done(t);
		return err ? err : (ssize_t)(q - buf);
	case P_LIT:
		q = lit_scan(t, buf, end);
		if (!q)
			return -EINVAL;
		if (t->lit[t->tlen])
			return len;
		t->part = P_NONE;
		t->pos = q - buf;
		err = lit_done(t);
		return err ? err : (ssize_t)(q - buf);
	default:
		return 0;
	}
}

static int open_container(struct sbom_jtok *t, int map)
{
	int ok;

	if (!is_value_expected(t))
		return -1;
	if (t->depth >= SBOM_MAX_DEPTH)
		return syntax(t, "nested deeper than %d levels",
			      SBOM_MAX_DEPTH);
	ok = map ? t->cb->start_map(t->ctx) : t->cb->start_array(t->ctx);
	t->is_map[t->depth++] = map;
	t->x = map ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE;
	return ok ? 0 : -ECANCELED;
}

static int close_container(struct sbom_jtok *t, int map)
{
	int ok;

	if (!t->depth || t->is_map[t->depth - 1] != map)
		return -1;
	if (t->x != X_NEXT && t->x != (map ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE))
		return -1;
	t->depth--;
	ok = map ? t->cb->end_map(t->ctx) : t->cb->end_array(t->ctx);
	after_value(t);
	return ok ? 0 : -ECANCELED;
}

/* The chunk's tokens from p; 0 or -errno (-ECANCELED: a callback). */
static int tokens(struct sbom_jtok *t, const char *buf, const char *p,
		  const char *end)
{
	unsigned char c;
	const char *q;
	int err;

	while (p < end) {
		c = *p;
		if (ws[c]) {
			p++;
			continue;
		}
		t->pos = p + 1 - buf;
		switch (c) {
		case '{':
		case '[':
			err = open_container(t, c == '{');
			break;
		case '}':
		case ']':
			err = close_container(t, c == '}');
			break;
		case ',':
			if (t->x != X_NEXT)
				return unexpected(t, c);
			t->x = t->is_map[t->depth - 1] ? X_KEY : X_VALUE;
			p++;
			continue;
		case ':':
			if (t->x != X_COLON)
				return unexpected(t, c);
			t->x = X_VALUE;
			p++;
			continue;
		case '"':
			if (t->x == X_KEY || t->x == X_KEY_OR_CLOSE)
				t->is_key = 1;
			else if (is_value_expected(t))
				t->is_key = 0;
			else
				return unexpected(t, c);
			q = str_scan(t, p + 1, end);
			if (!q)
				return -EINVAL;
			if (q == end) {
				t->part = P_STR;
				t->tlen = 0;
				return keep(t, p + 1, end - p - 1);
			}
			t->pos = q + 1 - buf;
			err = str_done(t, p + 1, q - p - 1);
			if (err)
				return err;
			p = q + 1;
			continue;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			if (!is_value_expected(t))
				return unexpected(t, c);
			t->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
			q = num_scan(t, p + 1, end);
			if (!q)
				return -EINVAL;
			if (q == end) {
				t->part = P_NUM;
				t->tlen = 0;
				return keep(t, p, end - p);
			}
			t->pos = q - buf;
			err = num_done(t);
			if (err)
				return err;
			p = q;
			continue;
		case 't':
		case 'f':
		case 'n':
			if (!is_value_expected(t))
				return unexpected(t, c);
			t->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
			t->tlen = 0;
			q = lit_scan(t, p, end);
			if (!q)
				return -EINVAL;
			if (t->lit[t->tlen]) {
				t->part = P_LIT;
				return 0;
			}
			t->pos = q - buf;
			err = lit_done(t);
			if (err)
				return err;
			p = q;
			continue;
		default:
			return unexpected(t, c);
		}
		if (err < 0 && err != -1)
			return err;
		if (err == -1)
			return unexpected(t, c);
		p++;
	}
	t->pos = end - buf;
	return 0;
}

int sbom_jtok_parse(struct sbom_jtok *t, const char *buf, size_t len)
{
	ssize_t used;

	t->pos = 0;
	used = resume(t, buf, len);
	if (used < 0)
		return used;
	return tokens(t, buf, buf + used, buf + len);
}

/* The end of the document: a cut number ends here, anything else cut or
 * left open is a truncated document (-EPIPE). */
int sbom_jtok_complete(struct sbom_jtok *t)
{
	t->pos = 0;
	if (t->part == P_NUM) {
		t->part = P_NONE;
		if (!(t->num & 1))
			return -EPIPE;
		after_value(t);
		if (!t->cb->number(t->ctx))
			return -ECANCELED;
	}
	if (t->part != P_NONE || t->x != X_END)
		return -EPIPE;
	return 0;
}
