// SPDX-License-Identifier: GPL-2.0
/*
 * CycloneDX JSON, SPDX 2.x JSON and SPDX 3.0 JSON-LD, read with the
 * streaming tokenizer of sbom_jtok.c (or, for differential tests, yajl's
 * streaming parser: both call the same callbacks below).
 *
 * A stack of levels follows the JSON containers; each level has a role
 * (the document root, a components array, one component, its hashes...)
 * decided by its parent's role and key. Everything else is skipped without
 * being kept. Component objects get a frame (struct sbom_comp) that holds
 * their identity and their SHA-256 hashes until the object ends.
 *
 * SPDX 3 is a flat "@graph" of elements whose "type" may come last: each
 * element gets a frame, and what it is decides at its end whether its
 * hashes are file-level (a File), package-level (a Package) or not read.
 * Files are joined to the package that contains them through a bounded
 * table of element ids (struct s3tab).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

#include "sbom_priv.h"
#include "sha256.h"

enum role {
	RO_IGNORE, RO_ROOT, RO_META, RO_COMPS, RO_COMP, RO_SUPPLIER,
	RO_HASHES, RO_HASH, RO_SFILES, RO_SFILE, RO_SPKGS, RO_SPKG,
	RO_EXTREFS, RO_EXTREF, RO_HASFILES, RO_S3CTX, RO_S3GRAPH, RO_S3ELEM,
	RO_S3TO, RO_NR
};

enum key {
	K_OTHER, K_BOMFORMAT, K_SPECVERSION, K_COMPONENTS, K_METADATA,
	K_COMPONENT, K_SPDXVERSION, K_SPDXID, K_FILES, K_PACKAGES, K_NAME,
	K_VERSION, K_PURL, K_TYPE, K_BOMREF, K_SUPPLIER, K_HASHES, K_ALG,
	K_CONTENT, K_FILENAME, K_VERSIONINFO, K_CHECKSUMS, K_ALGORITHM,
	K_CHECKSUMVALUE, K_EXTERNALREFS, K_REFTYPE, K_REFLOCATOR, K_HASFILES,
	K_CONTEXT, K_GRAPH, K_ID, K_PKGVERSION, K_PKGURL, K_VERIFIED,
	K_EXTID, K_RELTYPE, K_FROM, K_TO, K_HASHVALUE, K_NR
};

enum kind { KIND_UNKNOWN, KIND_CDX, KIND_SPDX, KIND_SPDX3 };

struct key_name {
	enum role role;
	enum kind kind;
	const char *name;
	enum key key;
	size_t len;
};

#define KN(ro, kind, name, key) { ro, kind, name, key, sizeof(name) - 1 }

/* Sorted by role: classify() only looks at the entries of one role. */
static const struct key_name key_names[] = {
	KN(RO_ROOT, KIND_CDX, "bomFormat", K_BOMFORMAT),
	KN(RO_ROOT, KIND_CDX, "specVersion", K_SPECVERSION),
	KN(RO_ROOT, KIND_CDX, "components", K_COMPONENTS),
	KN(RO_ROOT, KIND_CDX, "metadata", K_METADATA),
	KN(RO_ROOT, KIND_SPDX, "spdxVersion", K_SPDXVERSION),
	KN(RO_ROOT, KIND_SPDX, "SPDXID", K_SPDXID),
	KN(RO_ROOT, KIND_SPDX, "files", K_FILES),
	KN(RO_ROOT, KIND_SPDX, "packages", K_PACKAGES),
	KN(RO_ROOT, KIND_SPDX3, "@context", K_CONTEXT),
	KN(RO_ROOT, KIND_SPDX3, "@graph", K_GRAPH),
	KN(RO_META, KIND_CDX, "component", K_COMPONENT),
	KN(RO_COMP, KIND_CDX, "name", K_NAME),
	KN(RO_COMP, KIND_CDX, "version", K_VERSION),
	KN(RO_COMP, KIND_CDX, "purl", K_PURL),
	KN(RO_COMP, KIND_CDX, "type", K_TYPE),
	KN(RO_COMP, KIND_CDX, "bom-ref", K_BOMREF),
	KN(RO_COMP, KIND_CDX, "supplier", K_SUPPLIER),
	KN(RO_COMP, KIND_CDX, "hashes", K_HASHES),
	KN(RO_COMP, KIND_CDX, "components", K_COMPONENTS),
	KN(RO_SUPPLIER, KIND_CDX, "name", K_NAME),
	KN(RO_HASH, KIND_CDX, "alg", K_ALG),
	KN(RO_HASH, KIND_CDX, "content", K_CONTENT),
	KN(RO_HASH, KIND_SPDX, "algorithm", K_ALGORITHM),
	KN(RO_HASH, KIND_SPDX, "checksumValue", K_CHECKSUMVALUE),
	KN(RO_HASH, KIND_SPDX3, "type", K_TYPE),
	KN(RO_HASH, KIND_SPDX3, "@type", K_TYPE),
	KN(RO_HASH, KIND_SPDX3, "algorithm", K_ALGORITHM),
	KN(RO_HASH, KIND_SPDX3, "hashValue", K_HASHVALUE),
	KN(RO_SFILE, KIND_SPDX, "fileName", K_FILENAME),
	KN(RO_SFILE, KIND_SPDX, "SPDXID", K_SPDXID),
	KN(RO_SFILE, KIND_SPDX, "checksums", K_CHECKSUMS),
	KN(RO_SPKG, KIND_SPDX, "name", K_NAME),
	KN(RO_SPKG, KIND_SPDX, "versionInfo", K_VERSIONINFO),
	KN(RO_SPKG, KIND_SPDX, "SPDXID", K_SPDXID),
	KN(RO_SPKG, KIND_SPDX, "supplier", K_SUPPLIER),
	KN(RO_SPKG, KIND_SPDX, "checksums", K_CHECKSUMS),
	KN(RO_SPKG, KIND_SPDX, "externalRefs", K_EXTERNALREFS),
	KN(RO_SPKG, KIND_SPDX, "hasFiles", K_HASFILES),
	KN(RO_EXTREF, KIND_SPDX, "referenceType", K_REFTYPE),
	KN(RO_EXTREF, KIND_SPDX, "referenceLocator", K_REFLOCATOR),
	KN(RO_EXTREF, KIND_SPDX3, "externalIdentifierType", K_REFTYPE),
	KN(RO_EXTREF, KIND_SPDX3, "identifier", K_REFLOCATOR),
	KN(RO_S3ELEM, KIND_SPDX3, "type", K_TYPE),
	KN(RO_S3ELEM, KIND_SPDX3, "@type", K_TYPE),
	KN(RO_S3ELEM, KIND_SPDX3, "spdxId", K_ID),
	KN(RO_S3ELEM, KIND_SPDX3, "name", K_NAME),
	KN(RO_S3ELEM, KIND_SPDX3, "software_packageVersion", K_PKGVERSION),
	KN(RO_S3ELEM, KIND_SPDX3, "software_packageUrl", K_PKGURL),
	KN(RO_S3ELEM, KIND_SPDX3, "verifiedUsing", K_VERIFIED),
	KN(RO_S3ELEM, KIND_SPDX3, "externalIdentifier", K_EXTID),
	KN(RO_S3ELEM, KIND_SPDX3, "relationshipType", K_RELTYPE),
	KN(RO_S3ELEM, KIND_SPDX3, "from", K_FROM),
	KN(RO_S3ELEM, KIND_SPDX3, "to", K_TO),
};

struct level {
	unsigned char role;
	unsigned char key;	/* maps: the key whose value comes next */
	unsigned char is_map;
	unsigned long long seen; /* known keys seen, for duplicates */
};

/*
 * SPDX 3: element ids seen (SHA-256 of the id, first 16 bytes), to join a
 * File to the Package whose "contains" relationship names it (identity:
 * when both came before the file; "covered": in any order). Open
 * addressing, at most SBOM_SPDX3_MAX_IDS ids; a slot is 24 bytes and 24
 * more for a package's string pointers, at most twice as many slots as
 * ids: 24 MiB, plus SBOM_SPDX3_MAX_PKGSTR.
 */
#define S3_PKG		0x1	/* a Package element with this id was read */
#define S3_COVERED	0x2	/* package: contains a file with a digest */
#define S3_DIGEST	0x4	/* file: has a file-level SHA-256 */
#define S3_USED		0x8

struct s3ent {
	unsigned char key[16];
	int parent;		/* slot of the containing package, or -1 */
	unsigned short flags;
	unsigned short pad;
};

struct s3pkg {			/* identity of a package, for its files */
	char *name, *version, *purl;
};

struct s3tab {
	struct s3ent *slot;
	size_t nslot, nused;
	struct s3pkg *pkg;	/* by slot, allocated with slot */
	size_t strbytes;	/* package strings kept */
	int full;		/* the problem was reported */
};

int sbom_json_use_yajl;

struct json_state {
	struct sbom_jtok *t;	/* one of these two */
	yajl_handle h;
	enum kind kind;
	int fixed;		/* kind given by the caller */
	struct level lv[SBOM_MAX_DEPTH + 1];
	int depth;
	struct sbom_comp *comps;	/* SBOM_MAX_DEPTH frames */
	int ncomp;
	struct sbom_str alg, content, reftype, reflocator;
	unsigned long hash_line;
	struct sbom_str bomformat, specversion, spdxversion, spdxid;
	int root_done;
	int jsonld;		/* "@context": SPDX 3 */
	/* SPDX 3 */
	int ctx;		/* enum s3ctx: what "@context" said */
	char ctxver[16];	/* "3.0.1" (or the unsupported one) */
	int graph;		/* an "@graph" array was read */
	struct sbom_str s3type, reltype, from, htype;
	unsigned char (*to)[16];	/* "to" ids of the element */
	size_t nto, capto;
	struct s3tab tab;
	int cb_err;
	/* line numbers: newlines before the chunk, and inside it so far */
	const char *chunk;
	size_t counted;
	unsigned long line;
	/* token length guard: yajl buffers a whole token in memory. ncb
	 * callbacks in this chunk, the first ending at first_end, the last
	 * at last_end; run is the length of the token still open at the end
	 * of the previous chunks, 0 if none. */
	unsigned long ncb;
	size_t base;		/* bytes of the chunks before this one */
	size_t first_end, last_end;
	size_t run;
	/* key_names[kfirst[role]] to key_names[kend[role] - 1] */
	unsigned char kfirst[RO_NR], kend[RO_NR];
};

static inline size_t json_pos(struct json_state *j)
{
	return j->t ? sbom_jtok_pos(j->t) : yajl_get_bytes_consumed(j->h);
}

/* Every callback starts here: with yajl, where the token just completed
 * ends (sbom_jtok bounds its tokens itself). */
static inline void progress(struct json_state *j)
{
	size_t pos;

	if (j->t)
		return;
	pos = yajl_get_bytes_consumed(j->h);
	if (!j->ncb++)
		j->first_end = pos;
	j->last_end = pos;
}

static unsigned long cur_line(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	const char *p, *end;
	size_t pos;

	if (!j->chunk)
		return j->line;
	pos = json_pos(j);
	if (pos <= j->counted)
		return j->line;
	p = j->chunk + j->counted;
	end = j->chunk + pos;
	while ((p = memchr(p, '\n', end - p))) {
		j->line++;
		p++;
	}
	j->counted = pos;
	return j->line;
}

/* An error inside the document: its line and, for minified JSON where
 * every error is on line 1, the byte it was found near (from 1). */
static int json_error(struct sbom_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int json_error(struct sbom_reader *r, const char *fmt, ...)
{
	struct json_state *j = r->priv;
	unsigned long line = cur_line(r);
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sbom_error(r, line, "%s (near byte %zu)", msg,
			  j->base + (j->chunk ? json_pos(j) : 0));
}

static int fail(struct sbom_reader *r, int err)
{
	struct json_state *j = r->priv;

	j->cb_err = err;
	return 0;	/* stops yajl */
}

static const char *role_field(enum role ro)
{
	switch (ro) {
	case RO_COMP: return "component";
	case RO_SFILE: return "files[]";
	case RO_SPKG: return "packages[]";
	case RO_HASH: return "hash";
	case RO_HASHES: return "hashes";
	case RO_SUPPLIER: return "supplier";
	case RO_EXTREF: return "externalRefs[]";
	case RO_META: return "metadata";
	case RO_S3ELEM: return "@graph[]";
	case RO_S3CTX: return "@context";
	case RO_S3TO: return "to";
	default: return "document";
	}
}

static struct sbom_comp *top_comp(struct json_state *j)
{
	return j->ncomp ? &j->comps[j->ncomp - 1] : NULL;
}

/* A key of the root object decides between CycloneDX and SPDX. */
static void commit_kind(struct json_state *j, const unsigned char *k,
			size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		const struct key_name *kn = &key_names[i];

		if (kn->role == RO_ROOT && kn->len == len &&
		    !memcmp(kn->name, k, len)) {
			j->kind = kn->kind;
			return;
		}
	}
}

static enum key classify(struct json_state *j, enum role ro,
			 const unsigned char *k, size_t len)
{
	size_t i;

	for (i = j->kfirst[ro]; i < j->kend[ro]; i++) {
		const struct key_name *kn = &key_names[i];

		if (kn->len == len && kn->name[0] == k[0] &&
		    kn->kind == j->kind && !memcmp(kn->name, k, len))
			return kn->key;
	}
	return K_OTHER;
}

static int on_key(void *ctx, const unsigned char *k, size_t len)
{
	struct sbom_reader *r = ctx;
	struct json_state *j = r->priv;
	struct level *l = &j->lv[j->depth - 1];
	enum key key;

	progress(j);
	if (l->role == RO_IGNORE) {
		l->key = K_OTHER;
		return 1;
	}
	if (l->role == RO_ROOT && j->kind == KIND_UNKNOWN)
		commit_kind(j, k, len);
	if (l->role == RO_ROOT && len == 8 && !memcmp(k, "@context", 8))
		j->jsonld = 1;
	key = classify(j, l->role, k, len);
	if (key != K_OTHER) {
		if (l->seen & (1ull << key))
			return fail(r, json_error(r,
						  "duplicate key \"%.*s\" in %s",
						  (int)len, k,
						  role_field(l->role)));
		l->seen |= 1ull << key;
	}
	l->key = key;
	return 1;
}

static enum role child_role(struct json_state *j, const struct level *p,
			    int is_map)
{
	if (!p->is_map) {
		switch (p->role) {
		case RO_COMPS: return is_map ? RO_COMP : RO_IGNORE;
		case RO_HASHES: return is_map ? RO_HASH : RO_IGNORE;
		case RO_SFILES: return is_map ? RO_SFILE : RO_IGNORE;
		case RO_SPKGS: return is_map ? RO_SPKG : RO_IGNORE;
		case RO_EXTREFS: return is_map ? RO_EXTREF : RO_IGNORE;
		case RO_S3GRAPH: return is_map ? RO_S3ELEM : RO_IGNORE;
		default: return RO_IGNORE;
		}
	}
	switch (p->key) {
	case K_COMPONENTS: return is_map ? RO_IGNORE : RO_COMPS;
	case K_METADATA: return is_map ? RO_META : RO_IGNORE;
	case K_COMPONENT: return is_map ? RO_COMP : RO_IGNORE;
	case K_FILES: return is_map ? RO_IGNORE : RO_SFILES;
	case K_PACKAGES: return is_map ? RO_IGNORE : RO_SPKGS;
	case K_SUPPLIER: return is_map && j->kind == KIND_CDX ?
				RO_SUPPLIER : RO_IGNORE;
	case K_HASHES:
	case K_CHECKSUMS: return is_map ? RO_IGNORE : RO_HASHES;
	case K_EXTERNALREFS: return is_map ? RO_IGNORE : RO_EXTREFS;
	case K_HASFILES: return is_map ? RO_IGNORE : RO_HASFILES;
	case K_CONTEXT: return is_map ? RO_IGNORE : RO_S3CTX;
	case K_GRAPH: return is_map ? RO_IGNORE : RO_S3GRAPH;
	case K_VERIFIED: return is_map ? RO_IGNORE : RO_HASHES;
	case K_EXTID: return is_map ? RO_IGNORE : RO_EXTREFS;
	case K_TO: return is_map ? RO_IGNORE : RO_S3TO;
	default: return RO_IGNORE;
	}
}

/* A value of the wrong JSON type where we expected something. */
static void wrong_type(struct sbom_reader *r, const struct level *l,
		       const char *what)
{
	struct json_state *j = r->priv;

	if (l->role == RO_IGNORE || (l->role == RO_ROOT && !l->is_map))
		return;
	if (l->is_map && l->key == K_OTHER)
		return;
	if (!l->is_map && l->role == RO_HASFILES && !strcmp(what, "a string"))
		return;
	/* SPDX 3: an inline @context object, and inline objects in a context
	 * array, are allowed (and not read); externalIdentifier may name
	 * ExternalIdentifier elements by id (not followed) */
	if (l->role == RO_ROOT && l->key == K_CONTEXT)
		return;
	if (l->role == RO_S3CTX ||
	    (l->role == RO_EXTREFS && j->kind == KIND_SPDX3 &&
	     !strcmp(what, "a string")))
		return;
	sbom_problem(r, cur_line(r), role_field(l->role),
		     "unexpected %s (%s): ignored", what,
		     j->kind == KIND_SPDX ? "SPDX" :
		     j->kind == KIND_SPDX3 ? "SPDX 3" : "CycloneDX");
}

/* ---- SPDX 3 ------------------------------------------------------------ */

enum s3ctx { CTX_NONE, CTX_OK, CTX_OTHER_SPDX3, CTX_SPDX2, CTX_UNKNOWN,
	     CTX_INLINE };

/* One "@context" string: the SPDX 3 context is
 * https://spdx.org/rdf/3.0.N/spdx-context.jsonld (sbom-tool: .json). */
static void s3_context(struct json_state *j, const unsigned char *s,
		       size_t len)
{
	static const char tag[] = "spdx.org/rdf/";
	const unsigned char *p = NULL, *v;
	size_t i, n;

	for (i = 0; i + sizeof(tag) - 1 <= len; i++)
		if (!memcmp(s + i, tag, sizeof(tag) - 1)) {
			p = s + i + sizeof(tag) - 1;
			break;
		}
	if (!p) {
		if (j->ctx == CTX_NONE)
			j->ctx = CTX_UNKNOWN;
		return;
	}
	v = p;
	for (n = 0; v + n < s + len && v[n] != '/' && n < 15; n++)
		;
	if (v + n >= s + len || v[n] != '/' || !n) {
		if (j->ctx != CTX_OK && j->ctx != CTX_OTHER_SPDX3)
			j->ctx = CTX_SPDX2;	/* spdx.org/rdf/terms... */
		return;
	}
	if (!memcmp(v, "terms", n < 5 ? n : 5) && n == 5) {
		if (j->ctx != CTX_OK && j->ctx != CTX_OTHER_SPDX3)
			j->ctx = CTX_SPDX2;
		return;
	}
	if (j->ctx == CTX_OK)
		return;
	for (i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
			break;
	memcpy(j->ctxver, v, n);
	j->ctxver[n] = '\0';
	if (i == n && n >= 5 && !memcmp(v, "3.0.", 4))
		j->ctx = CTX_OK;
	else if (i == n)
		j->ctx = CTX_OTHER_SPDX3;
	else if (j->ctx == CTX_NONE)
		j->ctx = CTX_UNKNOWN;
}

/* The last path segment of a full IRI, or the value itself:
 * "https://spdx.org/rdf/3.0.1/terms/Software/File" -> "File". Compact
 * names keep their profile prefix ("software_File"). */
static const char *iri_tail(const char *v)
{
	const char *slash;

	if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8) &&
	    strncmp(v, "spdx:", 5))
		return v;
	slash = strrchr(v, '/');
	if (slash)
		return slash + 1;
	return strchr(v, ':') + 1;
}

enum s3type { S3_OTHER, S3_FILE, S3_PACKAGE, S3_RELATIONSHIP };

static enum s3type s3_type(const char *t)
{
	static const char *const pkgs[] = {
		"software_Package", "ai_AIPackage", "dataset_DatasetPackage",
	};
	const char *tail = iri_tail(t);
	size_t i;

	if (!strcmp(t, "software_File") || (t != tail && !strcmp(tail, "File")) ||
	    !strcmp(t, "File"))
		return S3_FILE;
	for (i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++)
		if (!strcmp(t, pkgs[i]))
			return S3_PACKAGE;
	if (t != tail && (!strcmp(tail, "Package") ||
			  !strcmp(tail, "AIPackage") ||
			  !strcmp(tail, "DatasetPackage")))
		return S3_PACKAGE;
	if (!strcmp(tail, "Relationship") ||
	    !strcmp(tail, "LifecycleScopedRelationship"))
		return S3_RELATIONSHIP;
	return S3_OTHER;
}

static void s3_key(const char *id, size_t len, unsigned char key[16])
{
	unsigned char md[32];

	sha256_buf(id, len, md);
	memcpy(key, md, 16);
}

static int s3_grow(struct s3tab *t)
{
	size_t n = t->nslot ? t->nslot * 2 : 1024, i, k;
	struct s3ent *slot = calloc(n, sizeof(*slot));
	struct s3pkg *pkg = calloc(n, sizeof(*pkg));
	int *map;

	map = t->nslot ? malloc(t->nslot * sizeof(*map)) : NULL;
	if (!slot || !pkg || (t->nslot && !map)) {
		free(slot);
		free(pkg);
		free(map);
		return -ENOMEM;
	}
	/* rehash; parents are slot numbers, so map old slots to new ones */
	for (i = 0; i < t->nslot; i++) {
		map[i] = -1;
		if (!(t->slot[i].flags & S3_USED))
			continue;
		memcpy(&k, t->slot[i].key, sizeof(k));
		for (k %= n; slot[k].flags & S3_USED; k = (k + 1) % n)
			;
		slot[k] = t->slot[i];
		pkg[k] = t->pkg[i];
		map[i] = k;
	}
	for (i = 0; i < n; i++)
		if ((slot[i].flags & S3_USED) && slot[i].parent >= 0)
			slot[i].parent = map[slot[i].parent];
	free(map);
	free(t->slot);
	free(t->pkg);
	t->slot = slot;
	t->pkg = pkg;
	t->nslot = n;
	return 0;
}

/* The slot of key; inserted when absent (-1: the table is full, -ENOMEM
 * as -2). */
static int s3_slot(struct sbom_reader *r, const unsigned char key[16],
		   int insert)
{
	struct json_state *j = r->priv;
	struct s3tab *t = &j->tab;
	size_t k = 0;

	if (t->nslot) {
		memcpy(&k, key, sizeof(k));
		for (k %= t->nslot; t->slot[k].flags & S3_USED;
		     k = (k + 1) % t->nslot)
			if (!memcmp(t->slot[k].key, key, 16))
				return k;
	}
	if (!insert)
		return -1;
	if (t->nused >= SBOM_SPDX3_MAX_IDS) {
		if (!t->full)
			sbom_problem(r, cur_line(r), "@graph",
				     "more than %d element ids: later files are not joined to their packages",
				     SBOM_SPDX3_MAX_IDS);
		t->full = 1;
		return -1;
	}
	if (2 * (t->nused + 1) > t->nslot) {
		if (s3_grow(t))
			return -2;
		return s3_slot(r, key, insert);
	}
	memcpy(t->slot[k].key, key, 16);
	t->slot[k].parent = -1;
	t->slot[k].flags = S3_USED;
	t->nused++;
	return k;
}

static char *s3_strdup(struct s3tab *t, const struct sbom_str *s)
{
	char *p;

	if (!s->set || t->strbytes + s->len + 1 > SBOM_SPDX3_MAX_PKGSTR)
		return NULL;
	p = malloc(s->len + 1);
	if (!p)
		return NULL;
	memcpy(p, s->s, s->len + 1);
	t->strbytes += s->len + 1;
	return p;
}

/* A Package ends: its digests are package-level; it is counted without a
 * file digest at the end of the document unless it contains one. */
static int s3_package(struct sbom_reader *r, struct sbom_comp *c)
{
	struct json_state *j = r->priv;
	struct s3pkg *pk;
	unsigned char key[16];
	int sl = -1;

	if (c->ref.set) {
		s3_key(c->ref.s, c->ref.len, key);
		sl = s3_slot(r, key, 1);
		if (sl == -2)
			return -ENOMEM;
	}
	if (sl >= 0 && !(j->tab.slot[sl].flags & S3_PKG)) {
		j->tab.slot[sl].flags |= S3_PKG;
		pk = &j->tab.pkg[sl];
		pk->name = s3_strdup(&j->tab, &c->name);
		pk->version = s3_strdup(&j->tab, &c->version);
		pk->purl = s3_strdup(&j->tab, &c->purl);
		c->covered = 1;	/* decided at the end (s3_finish) */
	}
	return sbom_comp_end(r, c, 0, "package");
}

static int s3_file(struct sbom_reader *r, struct sbom_comp *c)
{
	struct json_state *j = r->priv;
	unsigned char key[16];
	struct s3pkg *pk;
	int sl = -1, par, err;

	if (!c->n_sha256 && !c->n_other)
		sbom_problem(r, c->line, "verifiedUsing",
			     "file \"%.128s\" has no hash",
			     c->name.set ? c->name.s : "(no name)");
	if (c->ref.set) {
		s3_key(c->ref.s, c->ref.len, key);
		sl = s3_slot(r, key, 1);
		if (sl == -2)
			return -ENOMEM;
	}
	if (sl >= 0) {
		if (c->n_sha256)
			j->tab.slot[sl].flags |= S3_DIGEST;
		par = j->tab.slot[sl].parent;
		if (par >= 0 && c->n_sha256)
			j->tab.slot[par].flags |= S3_COVERED;
		pk = par >= 0 ? &j->tab.pkg[par] : NULL;
		err = 0;
		if (pk && pk->version)
			err = sbom_str_set(&c->version, pk->version,
					   strlen(pk->version));
		if (!err && pk && pk->purl)
			err = sbom_str_set(&c->purl, pk->purl,
					   strlen(pk->purl));
		if (err)
			return err;
	}
	return sbom_comp_end(r, c, 1, "file");
}

static int s3_relationship(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	unsigned char key[16];
	int from, sl;
	size_t i;

	if (!j->reltype.set || strcasecmp(iri_tail(j->reltype.s), "contains"))
		return 0;
	if (!j->from.set) {
		sbom_problem(r, cur_line(r), "from",
			     "\"contains\" relationship without \"from\": ignored");
		return 0;
	}
	s3_key(j->from.s, j->from.len, key);
	from = s3_slot(r, key, 1);
	if (from == -2)
		return -ENOMEM;
	for (i = 0; from >= 0 && i < j->nto; i++) {
		sl = s3_slot(r, j->to[i], 1);
		if (sl == -2)
			return -ENOMEM;
		if (sl < 0)
			break;
		/* an insertion may have grown (and rehashed) the table */
		from = s3_slot(r, key, 0);
		if (j->tab.slot[sl].parent < 0)
			j->tab.slot[sl].parent = from;
		if (j->tab.slot[sl].flags & S3_DIGEST)
			j->tab.slot[from].flags |= S3_COVERED;
	}
	return 0;
}

static int s3_to(struct sbom_reader *r, const unsigned char *s, size_t len)
{
	struct json_state *j = r->priv;
	void *p;
	size_t n;

	if (j->nto >= SBOM_SPDX3_MAX_IDS) {
		sbom_problem(r, cur_line(r), "to",
			     "more than %d ids in one relationship: the rest are ignored",
			     SBOM_SPDX3_MAX_IDS);
		return 0;
	}
	if (j->nto == j->capto) {
		n = j->capto ? 2 * j->capto : 16;
		p = realloc(j->to, n * sizeof(*j->to));
		if (!p)
			return -ENOMEM;
		j->to = p;
		j->capto = n;
	}
	s3_key((const char *)s, len, j->to[j->nto++]);
	return 0;
}

static int s3_element_end(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	struct sbom_comp *c = top_comp(j);
	int err = 0;

	if (!j->s3type.set) {
		sbom_problem(r, c->line, "@graph[]",
			     "element without \"type\": ignored");
		goto out;
	}
	switch (s3_type(j->s3type.s)) {
	case S3_FILE:
		err = sbom_str_set(&c->type, "file", 4);
		if (!err)
			err = s3_file(r, c);
		break;
	case S3_PACKAGE:
		err = sbom_str_set(&c->type, "package", 7);
		if (!err)
			err = s3_package(r, c);
		break;
	case S3_RELATIONSHIP:
		err = s3_relationship(r);
		break;
	default:
		break;	/* not a component: its hashes are not read */
	}
out:
	j->ncomp--;
	return err;
}

/* Packages that contain no file with a digest, now that all is known. */
static void s3_finish(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	size_t i;

	for (i = 0; i < j->tab.nslot; i++)
		if ((j->tab.slot[i].flags & (S3_PKG | S3_COVERED)) == S3_PKG)
			r->st->components_without_file_digest++;
}

static void s3_free(struct json_state *j)
{
	size_t i;

	for (i = 0; j->tab.pkg && i < j->tab.nslot; i++) {
		free(j->tab.pkg[i].name);
		free(j->tab.pkg[i].version);
		free(j->tab.pkg[i].purl);
	}
	free(j->tab.slot);
	free(j->tab.pkg);
	free(j->to);
	sbom_str_free(&j->s3type);
	sbom_str_free(&j->reltype);
	sbom_str_free(&j->from);
	sbom_str_free(&j->htype);
}

static int push(struct sbom_reader *r, int is_map)
{
	struct json_state *j = r->priv;
	struct level *p = j->depth ? &j->lv[j->depth - 1] : NULL;
	struct level *l;
	struct sbom_comp *c;
	enum role ro;

	progress(j);
	if (j->depth >= SBOM_MAX_DEPTH)
		return fail(r, json_error(r,
					  "nested deeper than %d levels",
					  SBOM_MAX_DEPTH));
	if (!p) {
		if (!is_map)
			return fail(r, json_error(r,
						  "the document is a JSON array, not an SBOM object (JSON-LD without \"@context\" and \"@graph\" is not read)"));
		ro = RO_ROOT;
	} else if (p->role == RO_IGNORE) {
		ro = RO_IGNORE;
	} else {
		ro = child_role(j, p, is_map);
		if (ro == RO_IGNORE)
			wrong_type(r, p, is_map ? "an object" : "an array");
		if (p->role == RO_ROOT && p->key == K_CONTEXT && is_map &&
		    j->ctx == CTX_NONE)
			j->ctx = CTX_INLINE;
	}
	l = &j->lv[j->depth++];
	l->role = ro;
	l->key = K_OTHER;
	l->is_map = is_map;
	l->seen = 0;
	switch (ro) {
	case RO_S3ELEM:
		sbom_str_clear(&j->s3type);
		sbom_str_clear(&j->reltype);
		sbom_str_clear(&j->from);
		j->nto = 0;
		c = &j->comps[j->ncomp++];
		sbom_comp_reset(c, cur_line(r));
		break;
	case RO_S3GRAPH:
		j->graph = 1;
		break;
	case RO_COMP:
	case RO_SFILE:
	case RO_SPKG:
		c = &j->comps[j->ncomp++];
		sbom_comp_reset(c, cur_line(r));
		if (ro != RO_COMP &&
		    sbom_str_set(&c->type, ro == RO_SFILE ? "file" : "package",
				 ro == RO_SFILE ? 4 : 7))
			return fail(r, -ENOMEM);
		break;
	case RO_HASH:
		sbom_str_clear(&j->alg);
		sbom_str_clear(&j->content);
		sbom_str_clear(&j->htype);
		j->hash_line = cur_line(r);
		break;
	case RO_EXTREF:
		sbom_str_clear(&j->reftype);
		sbom_str_clear(&j->reflocator);
		break;
	default:
		break;
	}
	return 1;
}

static int on_start_map(void *ctx)
{
	return push(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return push(ctx, 0);
}

static int end_comp(struct sbom_reader *r, enum role ro)
{
	struct json_state *j = r->priv;
	struct sbom_comp *c = top_comp(j);
	const char *type = sbom_str_get(&c->type);
	int file_level, err;

	if (ro == RO_COMP)
		file_level = type && !strcmp(type, "file");
	else
		file_level = ro == RO_SFILE;
	if (ro == RO_SFILE && !c->n_sha256 && !c->n_other)
		sbom_problem(r, c->line, "files[].checksums",
			     "file \"%.128s\" has no checksum",
			     c->name.set ? c->name.s : "(no fileName)");
	err = sbom_comp_end(r, c, file_level,
			    ro == RO_COMP ? "component" :
			    ro == RO_SFILE ? "file" : "package");
	j->ncomp--;
	if (!err && c->covered && j->ncomp)
		j->comps[j->ncomp - 1].covered = 1;
	return err;
}

/* An SPDX 3 integrity method: a Hash (or, as sbom-tool writes a file's
 * digests, a PackageVerificationCode) with algorithm and hashValue. */
static int s3_hash(struct sbom_reader *r, struct sbom_comp *c)
{
	struct json_state *j = r->priv;
	const char *t = j->htype.set ? iri_tail(j->htype.s) : NULL;
	const char *alg = j->alg.set ? iri_tail(j->alg.s) : NULL;

	if (t && strcmp(t, "Hash") && strcmp(t, "PackageVerificationCode"))
		return 0;	/* a ContentIdentifier or another method */
	/* a verification code over a package's files is no hash of anything
	 * installed: only a SHA-256 one (sbom-tool's file digests) is kept */
	if (t && !strcmp(t, "PackageVerificationCode") &&
	    (!alg || !sbom_alg_is_sha256(alg)))
		return 0;
	return sbom_comp_hash(r, c, alg, sbom_str_get(&j->content),
			      j->content.len, j->hash_line, "verifiedUsing[]");
}

static int pop(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	struct level *l = &j->lv[--j->depth];
	struct sbom_comp *c = top_comp(j);
	int err = 0;

	progress(j);
	switch (l->role) {
	case RO_ROOT:
		j->root_done = 1;
		break;
	case RO_COMP:
	case RO_SFILE:
	case RO_SPKG:
		err = end_comp(r, l->role);
		break;
	case RO_S3ELEM:
		err = s3_element_end(r);
		break;
	case RO_HASH:
		if (j->kind == KIND_SPDX3) {
			err = s3_hash(r, c);
			break;
		}
		err = sbom_comp_hash(r, c, sbom_str_get(&j->alg),
				     sbom_str_get(&j->content), j->content.len,
				     j->hash_line,
				     j->kind == KIND_CDX ? "hashes[]" :
							   "checksums[]");
		break;
	case RO_EXTREF:
		if (j->reftype.set && !strcmp(iri_tail(j->reftype.s), "purl") &&
		    j->reflocator.set && !c->purl.set)
			err = sbom_str_set(&c->purl, j->reflocator.s,
					   j->reflocator.len);
		break;
	default:
		break;
	}
	return err ? fail(r, err) : 1;
}

static int on_end(void *ctx)
{
	return pop(ctx);
}

static struct sbom_str *target(struct json_state *j, struct level *l)
{
	struct sbom_comp *c = top_comp(j);

	switch (l->role) {
	case RO_ROOT:
		switch (l->key) {
		case K_BOMFORMAT: return &j->bomformat;
		case K_SPECVERSION: return &j->specversion;
		case K_SPDXVERSION: return &j->spdxversion;
		case K_SPDXID: return &j->spdxid;
		default: return NULL;
		}
	case RO_COMP:
	case RO_SFILE:
	case RO_SPKG:
		switch (l->key) {
		case K_NAME:
		case K_FILENAME: return &c->name;
		case K_VERSION:
		case K_VERSIONINFO: return &c->version;
		case K_PURL: return &c->purl;
		case K_TYPE: return &c->type;
		case K_BOMREF:
		case K_SPDXID: return &c->ref;
		case K_SUPPLIER: return l->role == RO_SPKG ? &c->supplier : NULL;
		default: return NULL;
		}
	case RO_S3ELEM:
		switch (l->key) {
		case K_TYPE: return &j->s3type;
		case K_ID: return &c->ref;
		case K_NAME: return &c->name;
		case K_PKGVERSION: return &c->version;
		case K_PKGURL: return &c->purl;
		case K_RELTYPE: return &j->reltype;
		case K_FROM: return &j->from;
		default: return NULL;
		}
	case RO_SUPPLIER:
		return l->key == K_NAME ? &c->supplier : NULL;
	case RO_HASH:
		switch (l->key) {
		case K_ALG:
		case K_ALGORITHM: return &j->alg;
		case K_CONTENT:
		case K_HASHVALUE:
		case K_CHECKSUMVALUE: return &j->content;
		case K_TYPE: return &j->htype;
		default: return NULL;
		}
	case RO_EXTREF:
		switch (l->key) {
		case K_REFTYPE: return &j->reftype;
		case K_REFLOCATOR: return &j->reflocator;
		default: return NULL;
		}
	default:
		return NULL;
	}
}

static int on_scalar(struct sbom_reader *r, const char *what);

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct sbom_reader *r = ctx;
	struct json_state *j = r->priv;
	struct level *l;
	struct sbom_str *t;
	int err;

	if (!j->depth)		/* the whole document is a string */
		return on_scalar(r, "string");
	l = &j->lv[j->depth - 1];
	progress(j);
	if (l->role == RO_IGNORE)
		return 1;
	if (!l->is_map) {
		if (l->role == RO_HASFILES)
			top_comp(j)->covered = 1;
		else if (l->role == RO_S3CTX)
			s3_context(j, s, len);
		else if (l->role == RO_S3TO)
			return (err = s3_to(r, s, len)) ? fail(r, err) : 1;
		else
			wrong_type(r, l, "a string");
		return 1;
	}
	if (l->role == RO_ROOT && l->key == K_CONTEXT) {
		s3_context(j, s, len);
		return 1;
	}
	t = target(j, l);
	if (!t) {
		wrong_type(r, l, "a string");
		return 1;
	}
	if (memchr(s, '\0', len)) {
		sbom_problem(r, cur_line(r), role_field(l->role),
			     "string with a NUL character: ignored");
		return 1;
	}
	err = sbom_str_set(t, (const char *)s, len);
	if (err == -E2BIG)
		return fail(r, json_error(r,
					  "%s string longer than %d bytes",
					  role_field(l->role), SBOM_MAX_STRING));
	return err ? fail(r, err) : 1;
}

static int on_scalar(struct sbom_reader *r, const char *what)
{
	struct json_state *j = r->priv;

	progress(j);
	if (!j->depth)
		return fail(r, json_error(r,
					  "the document is a JSON %s, not an SBOM object",
					  what));
	wrong_type(r, &j->lv[j->depth - 1], what);
	return 1;
}

static int on_null(void *ctx)
{
	return on_scalar(ctx, "null");
}

static int on_bool(void *ctx, int b)
{
	return on_scalar(ctx, "boolean");
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return on_scalar(ctx, "number");
}

static int on_number_t(void *ctx)
{
	return on_scalar(ctx, "number");
}

static const struct sbom_jtok_cb jtok_callbacks = {
	.null = on_null,
	.boolean = on_bool,
	.number = on_number_t,
	.string = on_string,
	.start_map = on_start_map,
	.key = on_key,
	.end_map = on_end,
	.start_array = on_start_array,
	.end_array = on_end,
};

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

static int json_init(struct sbom_reader *r)
{
	struct json_state *j;
	size_t i;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	r->priv = j;
	for (i = sizeof(key_names) / sizeof(key_names[0]); i-- > 0; ) {
		j->kfirst[key_names[i].role] = i;
		if (!j->kend[key_names[i].role])
			j->kend[key_names[i].role] = i + 1;
	}
	j->comps = calloc(SBOM_MAX_DEPTH, sizeof(*j->comps));
	if (!j->comps)
		return -ENOMEM;
	if (sbom_json_use_yajl)
		j->h = yajl_alloc(&callbacks, NULL, r);
	else
		j->t = sbom_jtok_new(&jtok_callbacks, r);
	if (!j->h && !j->t)
		return -ENOMEM;
	j->line = 1;
	if (r->fmt == SBOM_FMT_CDX_JSON)
		j->kind = KIND_CDX;
	else if (r->fmt == SBOM_FMT_SPDX_JSON)
		j->kind = KIND_SPDX;
	else if (r->fmt == SBOM_FMT_SPDX3_JSON)
		j->kind = KIND_SPDX3;
	j->fixed = j->kind != KIND_UNKNOWN;
	return 0;
}

static int too_long(struct sbom_reader *r)
{
	return sbom_error(r, 0, "a JSON token longer than %d bytes",
			  SBOM_MAX_TOKEN);
}

static int is_sep(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
	       c == ',' || c == ':';
}

/*
 * yajl keeps a token that spans chunks in memory: bound its length. Every
 * token but the separators ends with a callback, which records where it
 * ended (progress()), so after a chunk: the token open at its start ended
 * at the first callback, and what follows the last callback, separators
 * skipped, is the start of the token still open. A chunk without callbacks
 * is all inside one token (or all separators). Nothing scans every byte.
 */
static int token_guard(struct sbom_reader *r, const char *buf, size_t len)
{
	struct json_state *j = r->priv;
	size_t i = 0;

	if (j->ncb) {
		if (j->run && j->run + j->first_end > SBOM_MAX_TOKEN)
			return too_long(r);
		j->run = 0;
		i = j->last_end;
	} else if (j->run) {
		j->run += len;
		i = len;
	}
	if (!j->run) {
		while (i < len && is_sep(buf[i]))
			i++;
		j->run = len - i;
	}
	if (j->run > SBOM_MAX_TOKEN)
		return too_long(r);
	return 0;
}

static int yajl_failed(struct sbom_reader *r, const char *buf, size_t len)
{
	struct json_state *j = r->priv;
	unsigned char *msg;
	unsigned long line;
	char *nl;
	int err;

	if (j->cb_err)
		return j->cb_err;
	line = cur_line(r);
	msg = yajl_get_error(j->h, 0, (const unsigned char *)buf, len);
	if (msg && (nl = strchr((char *)msg, '\n')))
		*nl = '\0';
	/* a line number says little in minified JSON: the byte too */
	err = sbom_error(r, line, "JSON syntax error near byte %zu: %s",
			 j->base + yajl_get_bytes_consumed(j->h),
			 msg ? (char *)msg : "unknown");
	if (msg)
		yajl_free_error(j->h, msg);
	return err;
}

static int jtok_failed(struct sbom_reader *r, int err)
{
	struct json_state *j = r->priv;

	switch (err) {
	case -ECANCELED:
		return j->cb_err ? j->cb_err : -ECANCELED;
	case -EINVAL:
		return sbom_error(r, cur_line(r), "JSON syntax error near byte %zu: %s",
				  j->base + sbom_jtok_pos(j->t),
				  sbom_jtok_error(j->t));
	case -E2BIG:
		return sbom_error(r, cur_line(r), "%s", sbom_jtok_error(j->t));
	default:
		return err;
	}
}

static int json_feed(struct sbom_reader *r, const char *buf, size_t len)
{
	struct json_state *j = r->priv;
	const char *p;
	int err;

	j->chunk = buf;
	j->counted = 0;
	j->ncb = 0;
	if (j->t) {
		err = sbom_jtok_parse(j->t, buf, len);
		if (err)
			return jtok_failed(r, err);
	} else {
		if (yajl_parse(j->h, (const unsigned char *)buf, len) !=
		    yajl_status_ok)
			return yajl_failed(r, buf, len);
		err = token_guard(r, buf, len);
		if (err)
			return err;
	}
	/* count the rest of the chunk's newlines */
	p = buf + j->counted;
	while ((p = memchr(p, '\n', buf + len - p))) {
		j->line++;
		p++;
	}
	j->chunk = NULL;
	j->base += len;
	return 0;
}

static int check_cdx(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	static const char *const versions[] = {
		"1.2", "1.3", "1.4", "1.5", "1.6", "1.7",
	};
	size_t i;

	if (!j->bomformat.set)
		return sbom_error(r, 0, "CycloneDX: no \"bomFormat\"");
	if (strcmp(j->bomformat.s, "CycloneDX"))
		return sbom_error(r, 0,
				  "\"bomFormat\" is \"%.32s\", not \"CycloneDX\"",
				  j->bomformat.s);
	if (!j->specversion.set)
		return sbom_error(r, 0, "CycloneDX: no \"specVersion\"");
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (!strcmp(j->specversion.s, versions[i]))
			break;
	if (i == sizeof(versions) / sizeof(versions[0]))
		return sbom_error(r, 0,
				  "unsupported CycloneDX specVersion \"%.32s\" (1.2 to 1.7 are read)",
				  j->specversion.s);
	sbom_set_version(r, j->specversion.s);
	r->fmt = SBOM_FMT_CDX_JSON;
	return 0;
}

static int check_spdx(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	const char *v = j->spdxversion.s;

	if (!j->spdxversion.set)
		return sbom_error(r, 0, "SPDX: no \"spdxVersion\"");
	if (j->spdxid.set && strcmp(j->spdxid.s, "SPDXRef-DOCUMENT"))
		return sbom_error(r, 0,
				  "SPDX: document SPDXID is \"%.64s\", not \"SPDXRef-DOCUMENT\"",
				  j->spdxid.s);
	/* another SPDX-x.y is refused; a value that is no version at all
	 * is a problem (lenient readers accept it) */
	if (!strncmp(v, "SPDX-", 5) && strcmp(v, "SPDX-2.1") &&
	    strcmp(v, "SPDX-2.2") && strcmp(v, "SPDX-2.3"))
		return sbom_error(r, 0,
				  "unsupported spdxVersion \"%.32s\" (SPDX-2.1 to SPDX-2.3 are read%s)",
				  v, v[5] == '3' ?
				  "; SPDX 3 is JSON-LD with \"@context\" and \"@graph\"" :
				  "");
	if (strncmp(v, "SPDX-", 5))
		sbom_problem(r, 0, "spdxVersion",
			     "\"%.32s\" is not an SPDX version: read as SPDX 2.x",
			     v);
	sbom_set_version(r, v);
	r->fmt = SBOM_FMT_SPDX_JSON;
	return 0;
}

static int check_spdx3(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	char v[24];

	switch (j->ctx) {
	case CTX_OK:
		break;
	case CTX_OTHER_SPDX3:
		return sbom_error(r, 0,
				  "this is SPDX %.15s JSON-LD (\"@context\"), not supported; SPDX 3.0.x JSON-LD is read",
				  j->ctxver);
	case CTX_SPDX2:
		return sbom_error(r, 0,
				  "this is SPDX 2 JSON-LD (\"@context\" spdx.org/rdf/terms), not supported; convert it to SPDX 2.3 JSON with tools-java (Convert)");
	case CTX_INLINE:
		return sbom_error(r, 0,
				  "JSON-LD with an inline \"@context\" object: not supported; SPDX 3.0.x JSON-LD whose \"@context\" is https://spdx.org/rdf/3.0.x/spdx-context.jsonld is read");
	case CTX_NONE:
		return sbom_error(r, 0,
				  "JSON-LD without \"@context\" (expanded?): not supported; SPDX 3.0.x JSON-LD with \"@context\" https://spdx.org/rdf/3.0.x/spdx-context.jsonld is read");
	default:
		return sbom_error(r, 0,
				  "JSON-LD whose \"@context\" does not name spdx.org/rdf/3.0.x: not an SBOM that is read");
	}
	if (!j->graph)
		return sbom_error(r, 0,
				  "SPDX 3 JSON-LD without an \"@graph\" array (a single element or a framed form): not supported");
	snprintf(v, sizeof(v), "SPDX-%s", j->ctxver);
	sbom_set_version(r, v);
	s3_finish(r);
	r->fmt = SBOM_FMT_SPDX3_JSON;
	return 0;
}

static int json_finish(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	int err;

	j->chunk = NULL;
	if (j->t)
		err = sbom_jtok_complete(j->t);
	else
		err = yajl_complete_parse(j->h) == yajl_status_ok ? 0 : -EPIPE;
	if (err) {
		if (j->cb_err)
			return j->cb_err;
		if (err == -ENOMEM)
			return err;
		return sbom_error(r, j->line,
				  "truncated JSON document (unexpected end at byte %zu)",
				  j->base);
	}
	if (!j->root_done)
		return sbom_error(r, j->line, "no JSON object in the document");
	switch (j->kind) {
	case KIND_CDX:
		return check_cdx(r);
	case KIND_SPDX:
		if (j->jsonld && !j->spdxversion.set)
			return sbom_error(r, 0,
					  "JSON-LD (\"@context\"), not SPDX 2 JSON: read SPDX 3 as spdx3-json (or auto)");
		return check_spdx(r);
	case KIND_SPDX3:
		return check_spdx3(r);
	default:
		if (j->jsonld)
			return sbom_error(r, 0,
					  "JSON-LD (\"@context\") that is not SPDX 3 JSON-LD: not supported");
		return sbom_error(r, 0,
				  "neither CycloneDX (no \"bomFormat\") nor SPDX (no \"spdxVersion\")");
	}
}

static void json_destroy(struct sbom_reader *r)
{
	struct json_state *j = r->priv;
	int i;

	if (!j)
		return;
	if (j->h)
		yajl_free(j->h);
	sbom_jtok_free(j->t);
	if (j->comps)
		for (i = 0; i < SBOM_MAX_DEPTH; i++)
			sbom_comp_free(&j->comps[i]);
	free(j->comps);
	sbom_str_free(&j->alg);
	sbom_str_free(&j->content);
	sbom_str_free(&j->reftype);
	sbom_str_free(&j->reflocator);
	sbom_str_free(&j->bomformat);
	sbom_str_free(&j->specversion);
	sbom_str_free(&j->spdxversion);
	sbom_str_free(&j->spdxid);
	s3_free(j);
	free(j);
	r->priv = NULL;
}

const struct sbom_backend sbom_json_backend = {
	.init = json_init,
	.feed = json_feed,
	.finish = json_finish,
	.destroy = json_destroy,
};
