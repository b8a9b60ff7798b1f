/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming SBOM readers: CycloneDX JSON (1.2-1.7), CycloneDX XML (1.0-1.7),
 * SPDX 2.1-2.3 JSON, SPDX 2.1-2.3 tag-value and SPDX 3.0.x JSON-LD.
 *
 * A document is read in fixed-size chunks and never held as a tree; memory
 * does not grow with the document, only with the nesting depth and the
 * length of the strings of the component being read (both bounded).
 * Every SHA-256 digest found is handed to ops->digest() together with the
 * identity of the component (or SPDX file/package) it belongs to. See
 * docs/sbom-readers.md for what is read from where.
 */
#ifndef BOMGATE_SBOM_H
#define BOMGATE_SBOM_H

#include <stddef.h>

enum sbom_format {
	SBOM_FMT_AUTO,
	SBOM_FMT_CDX_JSON,
	SBOM_FMT_CDX_XML,
	SBOM_FMT_SPDX_JSON,
	SBOM_FMT_SPDX_TV,
	SBOM_FMT_SPDX3_JSON,
};

/* SPDX 3: element ids kept to join files to the packages that contain
 * them (see docs/sbom-readers.md); beyond that, a problem. */
#define SBOM_SPDX3_MAX_IDS	(256 * 1024)
#define SBOM_SPDX3_MAX_PKGSTR	(16 * 1024 * 1024) /* package strings kept */

/* Hostile-input limits; exceeding one is a syntax error (-EINVAL). */
#define SBOM_MAX_DEPTH		64		/* JSON/XML nesting levels */
#define SBOM_MAX_STRING		(64 * 1024)	/* one kept string value */
#define SBOM_MAX_LINE		(1024 * 1024)	/* one tag-value line */
#define SBOM_MAX_TOKEN		(16 * 1024 * 1024) /* any JSON token, XML tag */

/* Identity of the component a digest belongs to. Every pointer is NULL when
 * the document does not say; all of it is valid only during the callback.
 * For SPDX files, name is the fileName, ref the SPDXID, and version/purl/
 * supplier are taken from the package that CONTAINS the file (when the
 * document says so through relationships or hasFiles, else NULL). SPDX 3
 * files: name, spdxId, and the version and purl of the package whose
 * "contains" relationship and element came before the file. */
struct sbom_component {
	const char *name;
	const char *version;
	const char *purl;
	const char *supplier;
	const char *type;	/* CycloneDX type, "file" or "package" for SPDX */
	const char *ref;	/* bom-ref / SPDXID */
};

struct sbom_digest {
	unsigned char sha256[32];
	int file_level;		/* 1: CycloneDX type "file" / SPDX file entry;
				 * 0: package-level (any other component) */
	const struct sbom_component *comp;
	unsigned long line;	/* where the hash was found, for messages */
};

/* A non-fatal problem: schema violations, malformed or weak-only hashes,
 * unknown algorithms... The digest concerned is never reported. */
struct sbom_problem {
	const char *path;	/* document name */
	unsigned long line;
	const char *field;	/* e.g. "components[].hashes[].content" */
	const char *msg;
};

struct sbom_ops {
	/* A SHA-256 digest. Return 0 to continue; nonzero stops reading and
	 * sbom_read() returns that value (use a negative errno). */
	int (*digest)(void *ctx, const struct sbom_digest *d);
	/* Optional (may be NULL); problems are counted in the stats anyway. */
	void (*problem)(void *ctx, const struct sbom_problem *p);
};

struct sbom_stats {
	enum sbom_format format;	/* the format actually read */
	char spec_version[16];		/* "1.6", "SPDX-2.3", ... or "" */
	unsigned long components;	/* components / SPDX packages + files */
	unsigned long file_digests;	/* file-level SHA-256, before dedup */
	unsigned long package_digests;	/* package-level SHA-256 */
	unsigned long components_without_file_digest;
	unsigned long weak_hash_only;	/* components with hashes, none SHA-256 */
	unsigned long problems;
	unsigned long long bytes;	/* document size as read */
	unsigned char doc_sha256[32];	/* SHA-256 of the document bytes */
};

/*
 * Read one SBOM. fmt SBOM_FMT_AUTO detects the format from the first bytes
 * and the first keys. Returns 0, or a negative errno:
 *   -EINVAL   syntax error, unknown format, limit exceeded (err gets
 *             "path:line: message")
 *   -EIO etc. read errors (err filled too), -ENOMEM,
 *   or the nonzero value returned by ops->digest().
 * ops, st may be NULL; err may be NULL when errlen is 0. Digests already
 * reported must be discarded when the call fails: a document is only known
 * to be complete and well-formed at its end.
 */
int sbom_read(const char *path, enum sbom_format fmt,
	      const struct sbom_ops *ops, void *ctx, struct sbom_stats *st,
	      char *err, size_t errlen);
/* Same on an open descriptor, read from its current offset until EOF;
 * name is used in messages. The descriptor is not closed. */
int sbom_read_fd(int fd, const char *name, enum sbom_format fmt,
		 const struct sbom_ops *ops, void *ctx, struct sbom_stats *st,
		 char *err, size_t errlen);

/* "auto", "cyclonedx-json" ("cdx-json", "cyclonedx"), "cyclonedx-xml"
 * ("cdx-xml"), "spdx-json" ("spdx"), "spdx-tv" ("spdx-tag-value"),
 * "spdx3-json" ("spdx3", "spdx3-jsonld").
 * Returns -1 cast to the enum ((enum sbom_format)-1) when unknown. */
enum sbom_format sbom_format_parse(const char *s);
const char *sbom_format_name(enum sbom_format fmt);

#endif
