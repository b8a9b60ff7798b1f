// SPDX-License-Identifier: GPL-2.0
/*
 * SBOM reading: the part shared by every format. Opens the document, reads
 * it in fixed-size chunks, hashes the bytes as read, detects the encoding
 * (UTF-8 or UTF-16 with a byte order mark) and the format, and feeds the
 * chunks to the backend of that format (sbom_json.c, sbom_xml.c,
 * sbom_tv.c). Also the helpers the backends share: errors, problems,
 * hex and algorithm checks, and component bookkeeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "sbom_priv.h"

enum sbom_enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

struct sbom_utf16 {
	enum sbom_enc enc;
	unsigned char carry[2];	/* an odd byte left from the last chunk */
	int ncarry;
	unsigned int high;	/* pending high surrogate, or 0 */
};

static const char *const fmt_names[] = {
	[SBOM_FMT_AUTO] = "auto",
	[SBOM_FMT_CDX_JSON] = "cyclonedx-json",
	[SBOM_FMT_CDX_XML] = "cyclonedx-xml",
	[SBOM_FMT_SPDX_JSON] = "spdx-json",
	[SBOM_FMT_SPDX_TV] = "spdx-tv",
	[SBOM_FMT_SPDX3_JSON] = "spdx3-json",
};

static const struct {
	const char *alias;
	enum sbom_format fmt;
} fmt_aliases[] = {
	{ "cdx-json", SBOM_FMT_CDX_JSON },
	{ "cyclonedx", SBOM_FMT_CDX_JSON },
	{ "cdx-xml", SBOM_FMT_CDX_XML },
	{ "spdx", SBOM_FMT_SPDX_JSON },
	{ "spdx-tag-value", SBOM_FMT_SPDX_TV },
	{ "spdx3", SBOM_FMT_SPDX3_JSON },
	{ "spdx3-jsonld", SBOM_FMT_SPDX3_JSON },
};

enum sbom_format sbom_format_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
		if (!strcmp(s, fmt_names[i]))
			return (enum sbom_format)i;
	for (i = 0; i < sizeof(fmt_aliases) / sizeof(fmt_aliases[0]); i++)
		if (!strcmp(s, fmt_aliases[i].alias))
			return fmt_aliases[i].fmt;
	return (enum sbom_format)-1;
}

const char *sbom_format_name(enum sbom_format fmt)
{
	if ((unsigned int)fmt >= sizeof(fmt_names) / sizeof(fmt_names[0]))
		return "unknown";
	return fmt_names[fmt];
}

/* ---- messages ----------------------------------------------------------- */

int sbom_error(struct sbom_reader *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (r->failed || !r->err || !r->errlen)
		goto out;
	if (line)
		n = snprintf(r->err, r->errlen, "%s:%lu: ", r->name, line);
	else
		n = snprintf(r->err, r->errlen, "%s: ", r->name);
	if (n < 0 || (size_t)n >= r->errlen)
		goto out;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
out:
	r->failed = 1;
	return -EINVAL;
}

void sbom_problem(struct sbom_reader *r, unsigned long line,
		  const char *field, const char *fmt, ...)
{
	struct sbom_problem p;
	char msg[512];
	va_list ap;

	r->st->problems++;
	if (!r->ops->problem)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.path = r->name;
	p.line = line;
	p.field = field;
	p.msg = msg;
	r->ops->problem(r->ctx, &p);
}

void sbom_set_version(struct sbom_reader *r, const char *v)
{
	snprintf(r->st->spec_version, sizeof(r->st->spec_version), "%s", v);
}

/* ---- strings ------------------------------------------------------------ */

int sbom_str_set(struct sbom_str *s, const char *v, size_t len)
{
	s->len = 0;
	s->set = 1;
	return sbom_str_append(s, v, len);
}

int sbom_str_append(struct sbom_str *s, const char *v, size_t len)
{
	size_t cap;
	char *p;

	if (len > SBOM_MAX_STRING || s->len + len > SBOM_MAX_STRING)
		return -E2BIG;
	if (s->len + len + 1 > s->cap) {
		cap = s->cap ? s->cap : 64;
		while (cap < s->len + len + 1)
			cap *= 2;
		p = realloc(s->s, cap);
		if (!p)
			return -ENOMEM;
		s->s = p;
		s->cap = cap;
	}
	memcpy(s->s + s->len, v, len);
	s->len += len;
	s->s[s->len] = '\0';
	s->set = 1;
	return 0;
}

void sbom_str_clear(struct sbom_str *s)
{
	s->len = 0;
	s->set = 0;
	if (s->s)
		s->s[0] = '\0';
}

void sbom_str_free(struct sbom_str *s)
{
	free(s->s);
	memset(s, 0, sizeof(*s));
}

/* ---- hashes ------------------------------------------------------------- */

/* 0-15 for a hex digit, 16 for anything else. A table, not branches:
 * digits and letters alternate at random in a digest, and a mispredicted
 * branch per character made this the hottest function of the readers. */
#define HX(c) ((c) >= '0' && (c) <= '9' ? (c) - '0' :			\
	       (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 10 :		\
	       (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10 : 16)
#define HX4(c) HX(c), HX((c) + 1), HX((c) + 2), HX((c) + 3)
#define HX16(c) HX4(c), HX4((c) + 4), HX4((c) + 8), HX4((c) + 12)
#define HX64(c) HX16(c), HX16((c) + 16), HX16((c) + 32), HX16((c) + 48)
static const unsigned char hexval[256] = {
	HX64(0), HX64(64), HX64(128), HX64(192),
};

/* Exactly 64 hex digits (either case); nothing else, no spaces. */
int sbom_hex256(const char *s, size_t len, unsigned char out[32])
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int hi, lo, bad = 0;
	size_t i;

	if (len != 64)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		hi = hexval[u[2 * i]];
		lo = hexval[u[2 * i + 1]];
		bad |= hi | lo;
		out[i] = hi << 4 | lo;
	}
	return bad & 16 ? -EINVAL : 0;
}

/* CycloneDX spells it "SHA-256", SPDX "SHA256"; exact spellings first,
 * they are what documents almost always say. */
int sbom_alg_is_sha256(const char *alg)
{
	if (!strcmp(alg, "SHA-256") || !strcmp(alg, "SHA256"))
		return 1;
	return !strcasecmp(alg, "SHA-256") || !strcasecmp(alg, "SHA256");
}

/* Algorithms we know of but never accept as SHA-256. */
static int alg_is_known(const char *alg)
{
	static const char *const known[] = {
		"SHA-1", "SHA1", "SHA-512", "SHA512", "MD5", "SHA-384",
		"SHA384", "MD2", "MD4", "MD6", "SHA-224", "SHA224",
		"SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2b-256",
		"BLAKE2b-384", "BLAKE2b-512", "BLAKE2B-256", "BLAKE3", "ADLER32",
		"Streebog-256", "Streebog-512",
		/* SPDX 3 HashAlgorithm names */
		"sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b256",
		"blake2b384", "blake2b512", "crystalsDilithium",
		"crystalsKyber", "falcon",
	};
	size_t i;

	/* the common ones, spelled as the specifications spell them */
	if (!strcmp(alg, "SHA-1") || !strcmp(alg, "SHA1") ||
	    !strcmp(alg, "SHA-512") || !strcmp(alg, "SHA512"))
		return 1;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcasecmp(alg, known[i]))
			return 1;
	return 0;
}

/* ---- components --------------------------------------------------------- */

void sbom_comp_reset(struct sbom_comp *c, unsigned long line)
{
	sbom_str_clear(&c->name);
	sbom_str_clear(&c->version);
	sbom_str_clear(&c->purl);
	sbom_str_clear(&c->supplier);
	sbom_str_clear(&c->type);
	sbom_str_clear(&c->ref);
	c->npend = 0;
	c->line = line;
	c->n_sha256 = 0;
	c->n_other = 0;
	c->covered = 0;
	c->file_level = 0;
}

void sbom_comp_free(struct sbom_comp *c)
{
	sbom_str_free(&c->name);
	sbom_str_free(&c->version);
	sbom_str_free(&c->purl);
	sbom_str_free(&c->supplier);
	sbom_str_free(&c->type);
	sbom_str_free(&c->ref);
	free(c->pend);
	c->pend = NULL;
	c->npend = c->cappend = 0;
}

int sbom_comp_hash(struct sbom_reader *r, struct sbom_comp *c,
		   const char *alg, const char *value, size_t vlen,
		   unsigned long line, const char *field)
{
	unsigned char sha[32];
	struct sbom_pending *p;

	if (!alg) {
		sbom_problem(r, line, field, "hash without an algorithm: ignored");
		return 0;
	}
	if (!value) {
		sbom_problem(r, line, field, "%s hash without a value: ignored",
			     alg);
		return 0;
	}
	if (!sbom_alg_is_sha256(alg)) {
		if (!alg_is_known(alg))
			sbom_problem(r, line, field,
				     "unknown hash algorithm \"%.64s\": ignored",
				     alg);
		else
			c->n_other++;
		return 0;
	}
	if (sbom_hex256(value, vlen, sha)) {
		sbom_problem(r, line, field,
			     "SHA-256 value is not 64 hex digits (%zu bytes): ignored",
			     vlen);
		return 0;
	}
	if (c->npend == c->cappend) {
		size_t n = c->cappend ? c->cappend * 2 : 4;

		if (c->cappend >= SBOM_MAX_PENDING)
			return sbom_error(r, line,
					  "more than %d SHA-256 hashes on one component",
					  SBOM_MAX_PENDING);
		p = realloc(c->pend, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->pend = p;
		c->cappend = n;
	}
	memcpy(c->pend[c->npend].sha256, sha, 32);
	c->pend[c->npend].line = line;
	c->npend++;
	c->n_sha256++;
	return 0;
}

int sbom_comp_end(struct sbom_reader *r, struct sbom_comp *c, int file_level,
		  const char *what)
{
	struct sbom_component id = {
		.name = sbom_str_get(&c->name),
		.version = sbom_str_get(&c->version),
		.purl = sbom_str_get(&c->purl),
		.supplier = sbom_str_get(&c->supplier),
		.type = sbom_str_get(&c->type),
		.ref = sbom_str_get(&c->ref),
	};
	struct sbom_digest d = { .file_level = file_level, .comp = &id };
	size_t i;
	int err;

	r->st->components++;
	if (!c->n_sha256 && c->n_other) {
		r->st->weak_hash_only++;
		sbom_problem(r, c->line, what,
			     "%s \"%.128s\" has only hashes other than SHA-256",
			     what, id.name ? id.name : "(no name)");
	}
	if (file_level && c->n_sha256)
		c->covered = 1;
	if (!c->covered)
		r->st->components_without_file_digest++;
	for (i = 0; i < c->npend; i++) {
		memcpy(d.sha256, c->pend[i].sha256, 32);
		d.line = c->pend[i].line;
		if (file_level)
			r->st->file_digests++;
		else
			r->st->package_digests++;
		if (r->ops->digest) {
			err = r->ops->digest(r->ctx, &d);
			if (err)
				return err;
		}
	}
	c->npend = 0;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static int put_utf8(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* UTF-16 to UTF-8; out must hold 2 * len + 4 bytes. Returns the length
 * written or -EINVAL on an unpaired surrogate. */
static ssize_t utf16_to_utf8(struct sbom_utf16 *u, const unsigned char *in,
			     size_t len, char *out)
{
	size_t i = 0, o = 0;
	unsigned int cu;
	unsigned char b[2];

	while (i < len) {
		if (u->ncarry) {
			b[0] = u->carry[0];
			b[1] = in[i++];
			u->ncarry = 0;
		} else if (i + 1 < len) {
			b[0] = in[i];
			b[1] = in[i + 1];
			i += 2;
		} else {
			u->carry[0] = in[i++];
			u->ncarry = 1;
			break;
		}
		cu = u->enc == ENC_UTF16LE ? (b[1] << 8 | b[0]) :
					     (b[0] << 8 | b[1]);
		if (u->high) {
			if (cu < 0xdc00 || cu > 0xdfff)
				return -EINVAL;
			cu = 0x10000 + ((u->high - 0xd800) << 10) +
			     (cu - 0xdc00);
			u->high = 0;
		} else if (cu >= 0xd800 && cu <= 0xdbff) {
			u->high = cu;
			continue;
		} else if (cu >= 0xdc00 && cu <= 0xdfff) {
			return -EINVAL;
		}
		o += put_utf8(cu, out + o);
	}
	return o;
}

static int read_full(int fd, char *buf, size_t len, size_t *got)
{
	ssize_t n;

	*got = 0;
	while (*got < len) {
		n = read(fd, buf + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*got += n;
	}
	return 0;
}

static enum sbom_format sniff(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case ' ': case '\t': case '\r': case '\n':
			continue;
		case '{':
		case '[':
			return SBOM_FMT_SPDX_JSON;	/* JSON, either kind */
		case '<':
			return SBOM_FMT_CDX_XML;
		default:
			return SBOM_FMT_SPDX_TV;
		}
	}
	return SBOM_FMT_AUTO;
}

/* A line of the first chunk that starts with key (at column 0); returns
 * what follows the key, or NULL. */
static const char *line_key(const char *p, size_t len, const char *key)
{
	size_t n = strlen(key), i = 0;

	while (i + n <= len) {
		if (!memcmp(p + i, key, n))
			return p + i + n;
		while (i < len && p[i] != '\n')
			i++;
		i++;
	}
	return NULL;
}

/*
 * Formats that are not read, recognised by their first bytes so that the
 * message names them instead of a tag-value or JSON error. p is the start
 * of the first chunk (UTF-8, byte order mark skipped).
 */
static int refuse_known(struct sbom_reader *r, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	const char *v;
	char ver[8];
	size_t i, n;

	/* CycloneDX protobuf: field 1 (spec_version, a string) first */
	if (len >= 5 && u[0] == 0x0a && u[1] >= 3 && u[1] <= 4 &&
	    u[2] == '1' && u[3] == '.' && u[4] >= '0' && u[4] <= '9')
		return sbom_error(r, 0,
				  "this is CycloneDX %.*s protobuf, not supported; convert it to CycloneDX JSON with cyclonedx-cli (cyclonedx convert --input-format protobuf --output-format json)",
				  u[1], p + 2);
	for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
				p[i] == '\n'); i++)
		;
	p += i;
	len -= i;
	if ((len >= 7 && !memcmp(p, "@prefix", 7)) ||
	    (len >= 5 && !memcmp(p, "@base", 5)) ||
	    (len >= 7 && !strncasecmp(p, "PREFIX ", 7)))
		return sbom_error(r, 1,
				  "this is RDF Turtle (SPDX RDF?), not supported; convert it to SPDX JSON (SPDX 2.3 JSON or SPDX 3.0 JSON-LD)");
	v = line_key(p, len, "spdxVersion:");
	if (v) {
		v += strspn(v, " \t\"'");
		n = 0;
		if (!strncmp(v, "SPDX-", 5))
			for (v += 5; n < sizeof(ver) - 1 && v + n < p + len &&
			     ((v[n] >= '0' && v[n] <= '9') || v[n] == '.'); n++)
				ver[n] = v[n];
		ver[n] = '\0';
		return sbom_error(r, 0,
				  "this is SPDX %s YAML, not supported; convert it to SPDX JSON with pyspdxtools (pyspdxtools -i DOC.spdx.yaml -o DOC.spdx.json)",
				  n ? ver : "2.x");
	}
	if (line_key(p, len, "bomFormat:"))
		return sbom_error(r, 0,
				  "this is CycloneDX YAML, not supported; convert it to CycloneDX JSON");
	if ((len >= 3 && !memcmp(p, "---", 3)) ||
	    (len >= 5 && !memcmp(p, "%YAML", 5)))
		return sbom_error(r, 1,
				  "this is YAML without \"spdxVersion\" or \"bomFormat\": no SBOM format that is read");
	return 0;
}

static const struct sbom_backend *backend_of(enum sbom_format fmt)
{
	switch (fmt) {
	case SBOM_FMT_CDX_JSON:
	case SBOM_FMT_SPDX_JSON:
	case SBOM_FMT_SPDX3_JSON:
		return &sbom_json_backend;
	case SBOM_FMT_CDX_XML:
		return &sbom_xml_backend;
	case SBOM_FMT_SPDX_TV:
		return &sbom_tv_backend;
	default:
		return NULL;
	}
}

struct sbom_input {
	struct sbom_reader *r;
	int fd;
	char *buf, *tbuf;	/* raw chunk, transcoded chunk */
	EVP_MD_CTX *md;
	struct sbom_utf16 u16;
	const struct sbom_backend *be;
	int raw;		/* feed the raw bytes (XML decodes itself) */
};

static int input_feed(struct sbom_input *in, const char *p, size_t len,
		      size_t skip)
{
	struct sbom_reader *r = in->r;
	ssize_t n;

	if (in->raw || in->u16.enc == ENC_UTF8)
		return in->be->feed(r, p + skip, len - skip);
	n = utf16_to_utf8(&in->u16, (const unsigned char *)p + skip,
			  len - skip, in->tbuf);
	if (n < 0)
		return sbom_error(r, 0, "invalid UTF-16 (unpaired surrogate)");
	return in->be->feed(r, in->tbuf, n);
}

/* Encoding and format from the first chunk; returns the BOM length. */
static int input_detect(struct sbom_input *in, size_t len, size_t *skip)
{
	struct sbom_reader *r = in->r;
	const unsigned char *b = (const unsigned char *)in->buf;
	enum sbom_format sniffed;
	struct sbom_utf16 tmp;
	ssize_t n = 0;

	*skip = 0;
	if (len >= 4 && ((b[0] == 0xff && b[1] == 0xfe && !b[2] && !b[3]) ||
			 (!b[0] && !b[1] && b[2] == 0xfe && b[3] == 0xff)))
		return sbom_error(r, 1, "UTF-32 documents are not supported");
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		*skip = 3;
	} else if (len >= 2 && b[0] == 0xff && b[1] == 0xfe) {
		in->u16.enc = ENC_UTF16LE;
		*skip = 2;
	} else if (len >= 2 && b[0] == 0xfe && b[1] == 0xff) {
		in->u16.enc = ENC_UTF16BE;
		*skip = 2;
	}
	if (in->u16.enc == ENC_UTF8) {
		sniffed = sniff(in->buf + *skip, len - *skip);
	} else {
		tmp = in->u16;
		n = utf16_to_utf8(&tmp, b + *skip, len - *skip, in->tbuf);
		sniffed = n < 0 ? SBOM_FMT_SPDX_TV : sniff(in->tbuf, n);
	}
	if (sniffed == SBOM_FMT_AUTO)
		return sbom_error(r, 0, len ? "no content in the first %d KiB"
					    : "empty document",
				  SBOM_CHUNK / 1024);
	if (sniffed == SBOM_FMT_SPDX_TV && (r->fmt == SBOM_FMT_AUTO ||
					    r->fmt == SBOM_FMT_SPDX_TV)) {
		int err = in->u16.enc == ENC_UTF8 ?
			  refuse_known(r, in->buf + *skip, len - *skip) :
			  n >= 0 ? refuse_known(r, in->tbuf, n) : 0;

		if (err)
			return err;
	}
	if (r->fmt == SBOM_FMT_AUTO) {
		/* JSON: the backend tells CycloneDX from SPDX by the keys */
		r->fmt = sniffed == SBOM_FMT_SPDX_JSON ? SBOM_FMT_AUTO : sniffed;
		in->be = backend_of(sniffed);
	} else {
		in->be = backend_of(r->fmt);
	}
	if (in->be == &sbom_xml_backend) {
		in->raw = 1;
		*skip = 0;	/* expat reads the byte order mark itself */
	}
	return 0;
}

/* The next chunk, hashed and counted as read. */
static int input_read(struct sbom_input *in, size_t *len)
{
	int err;

	err = read_full(in->fd, in->buf, SBOM_CHUNK, len);
	if (err)
		return err;
	if (EVP_DigestUpdate(in->md, in->buf, *len) != 1)
		return -ENOMEM;
	in->r->st->bytes += *len;
	return 0;
}

static int input_run(struct sbom_input *in)
{
	struct sbom_reader *r = in->r;
	size_t len, skip;
	int err;

	err = input_read(in, &len);
	if (err)
		return err;
	err = input_detect(in, len, &skip);
	if (err)
		return err;
	err = in->be->init(r);
	if (err) {
		in->be->destroy(r);
		return err;
	}
	for (;;) {
		err = input_feed(in, in->buf, len, skip);
		if (err || len < SBOM_CHUNK)
			break;
		skip = 0;
		err = input_read(in, &len);
		if (err || !len)
			break;
	}
	if (!err && !in->raw && in->u16.enc != ENC_UTF8 &&
	    (in->u16.ncarry || in->u16.high))
		err = sbom_error(r, 0, "truncated UTF-16 text at the end");
	if (!err)
		err = in->be->finish(r);
	in->be->destroy(r);
	return err;
}

int sbom_read_fd(int fd, const char *name, enum sbom_format fmt,
		 const struct sbom_ops *ops, void *ctx, struct sbom_stats *st,
		 char *err, size_t errlen)
{
	struct sbom_stats local;
	struct sbom_reader r = {
		.name = name ? name : "(sbom)",
		.ops = ops,
		.ctx = ctx,
		.st = st ? st : &local,
		.err = err,
		.errlen = errlen,
		.fmt = fmt,
	};
	static const struct sbom_ops no_ops;
	struct sbom_input in = { .r = &r, .fd = fd };
	unsigned int mdlen;
	int ret;

	memset(r.st, 0, sizeof(*r.st));
	if (!ops)
		r.ops = &no_ops;
	if (err && errlen)
		err[0] = '\0';
	if (!backend_of(fmt) && fmt != SBOM_FMT_AUTO) {
		ret = sbom_error(&r, 0, "unknown SBOM format %d", (int)fmt);
		goto out;
	}
	in.buf = malloc(SBOM_CHUNK);
	in.tbuf = malloc(2 * SBOM_CHUNK + 4);
	in.md = EVP_MD_CTX_new();
	if (!in.buf || !in.tbuf || !in.md) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(in.md, EVP_sha256(), NULL) != 1) {
		ret = -ENOMEM;
		goto out;
	}
	ret = input_run(&in);
	if (EVP_DigestFinal_ex(in.md, r.st->doc_sha256, &mdlen) != 1 && !ret)
		ret = -ENOMEM;
	r.st->format = r.fmt;
out:
	if (ret && !r.failed && err && errlen)
		snprintf(err, errlen, "%s: %s", r.name, strerror(-ret));
	EVP_MD_CTX_free(in.md);
	free(in.tbuf);
	free(in.buf);
	return ret;
}

int sbom_read(const char *path, enum sbom_format fmt,
	      const struct sbom_ops *ops, void *ctx, struct sbom_stats *st,
	      char *err, size_t errlen)
{
	struct stat sb;
	int fd, ret;

	if (!strcmp(path, "-"))	/* stdin, streamed like any file */
		return sbom_read_fd(STDIN_FILENO, "stdin", fmt, ops, ctx, st,
				    err, errlen);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	if (fstat(fd, &sb)) {
		ret = -errno;
		goto fail;
	}
	if (S_ISDIR(sb.st_mode)) {
		ret = -EISDIR;
		goto fail;
	}
	ret = sbom_read_fd(fd, path, fmt, ops, ctx, st, err, errlen);
	close(fd);
	return ret;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	if (fd >= 0)
		close(fd);
	if (st)
		memset(st, 0, sizeof(*st));
	return ret;
}
