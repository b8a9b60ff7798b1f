/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the SBOM readers (lib/sbom*.c); not a public API. */
#ifndef BOMGATE_SBOM_PRIV_H
#define BOMGATE_SBOM_PRIV_H

#include <stddef.h>
#include "sbom.h"

#define SBOM_CHUNK		(256 * 1024)
#define SBOM_MAX_PENDING	4096	/* SHA-256 hashes on one component */

struct sbom_reader;

struct sbom_backend {
	int (*init)(struct sbom_reader *r);
	/* UTF-8 (or, for XML, raw) bytes; returns 0 or -errno */
	int (*feed)(struct sbom_reader *r, const char *buf, size_t len);
	int (*finish)(struct sbom_reader *r);
	void (*destroy)(struct sbom_reader *r);
};

struct sbom_reader {
	const char *name;
	const struct sbom_ops *ops;
	void *ctx;
	struct sbom_stats *st;
	char *err;
	size_t errlen;
	int failed;		/* an error message is already in err */
	enum sbom_format fmt;	/* requested, then detected */
	void *priv;		/* backend state */
};

/* A string with a hard length limit (SBOM_MAX_STRING). */
struct sbom_str {
	char *s;
	size_t len, cap;
	int set;
};

int sbom_str_set(struct sbom_str *s, const char *v, size_t len);
int sbom_str_append(struct sbom_str *s, const char *v, size_t len);
void sbom_str_clear(struct sbom_str *s);
void sbom_str_free(struct sbom_str *s);
static inline const char *sbom_str_get(const struct sbom_str *s)
{
	return s->set ? s->s : NULL;
}

/* What one component (or SPDX file/package) has seen so far. Digests are
 * held until the component ends, so that identity keys that come after
 * the hashes in the document are known when the digest is reported. */
struct sbom_pending {
	unsigned char sha256[32];
	unsigned long line;
};

struct sbom_comp {
	struct sbom_str name, version, purl, supplier, type, ref;
	struct sbom_pending *pend;
	size_t npend, cappend;
	unsigned long line;	/* where it starts */
	int n_sha256;		/* valid SHA-256 hashes */
	int n_other;		/* valid hashes of other algorithms */
	int covered;		/* it or a nested component has a file digest */
	int file_level;		/* decided at the end (type == "file") */
};

void sbom_comp_reset(struct sbom_comp *c, unsigned long line);
void sbom_comp_free(struct sbom_comp *c);
/* Report the pending digests and count the component; 0 or -errno. */
int sbom_comp_end(struct sbom_reader *r, struct sbom_comp *c, int file_level,
		  const char *what);

/* Check one hash (alg, value) of component c found at line; a SHA-256 is
 * queued on c, anything malformed is a problem. */
int sbom_comp_hash(struct sbom_reader *r, struct sbom_comp *c,
		   const char *alg, const char *value, size_t vlen,
		   unsigned long line, const char *field);

/* "name:line: message" into r->err (first error wins); returns -EINVAL. */
int sbom_error(struct sbom_reader *r, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sbom_problem(struct sbom_reader *r, unsigned long line,
		  const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int sbom_hex256(const char *s, size_t len, unsigned char out[32]);
int sbom_alg_is_sha256(const char *alg);
void sbom_set_version(struct sbom_reader *r, const char *v);

/* The streaming JSON tokenizer (sbom_jtok.c). Callbacks return nonzero to
 * go on, 0 to stop (sbom_jtok_parse() then returns -ECANCELED). */
struct sbom_jtok_cb {
	int (*null)(void *ctx);
	int (*boolean)(void *ctx, int b);
	int (*number)(void *ctx);
	int (*string)(void *ctx, const unsigned char *s, size_t len);
	int (*start_map)(void *ctx);
	int (*key)(void *ctx, const unsigned char *s, size_t len);
	int (*end_map)(void *ctx);
	int (*start_array)(void *ctx);
	int (*end_array)(void *ctx);
};

struct sbom_jtok;
struct sbom_jtok *sbom_jtok_new(const struct sbom_jtok_cb *cb, void *ctx);
void sbom_jtok_free(struct sbom_jtok *t);
/* 0; -EINVAL syntax error, -E2BIG token too long (both: sbom_jtok_error());
 * -ECANCELED a callback returned 0; -ENOMEM */
int sbom_jtok_parse(struct sbom_jtok *t, const char *buf, size_t len);
/* 0; -EPIPE the document ends inside a value; -ECANCELED */
int sbom_jtok_complete(struct sbom_jtok *t);
/* Offset in the current chunk after the token being called back for. */
size_t sbom_jtok_pos(const struct sbom_jtok *t);
const char *sbom_jtok_error(const struct sbom_jtok *t);

/* Nonzero: the JSON reader uses yajl instead of sbom_jtok (kept for
 * differential fuzzing and benchmarks; not thread-safe to change). */
extern int sbom_json_use_yajl;

extern const struct sbom_backend sbom_json_backend;	/* CDX and SPDX */
extern const struct sbom_backend sbom_xml_backend;
extern const struct sbom_backend sbom_tv_backend;

#endif
