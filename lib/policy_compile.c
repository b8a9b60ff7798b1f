// SPDX-License-Identifier: GPL-2.0
/*
 * The compile walk: policy source -> SBOM readers -> builder -> .bgp.
 * Each file-level SHA-256 an SBOM lists becomes an allow entry naming its
 * component and document; the source's allow/block lines become entries
 * of their own; the builder sorts, merges and writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "apt.h"
#include "attest.h"
#include "fileio.h"
#include "policy_compile.h"
#include "policy_source.h"

struct walk {
	struct policy_builder *b;
	const struct policy_compile_ops *ops;
	void *ctx;
	const char *path;	/* the document being read */
	__u32 source;		/* its index in the builder */
	const struct attest_key *keys;	/* attestation keys */
	int nr_keys;
	int require;		/* --require-attestation */
};

static int fail(struct policy_compile_result *r, enum policy_compile_step s,
		int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct policy_compile_result *r, enum policy_compile_step s,
		int err, const char *fmt, ...)
{
	va_list ap;

	r->step = s;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

static __u32 bgp_format(enum sbom_format f)
{
	switch (f) {
	case SBOM_FMT_CDX_JSON: return BGP_FMT_CDX_JSON;
	case SBOM_FMT_CDX_XML: return BGP_FMT_CDX_XML;
	case SBOM_FMT_SPDX_JSON: return BGP_FMT_SPDX_JSON;
	case SBOM_FMT_SPDX_TV: return BGP_FMT_SPDX_TV;
	default: return BGP_FMT_UNKNOWN;
	}
}

static int on_digest(void *arg, const struct sbom_digest *d)
{
	struct walk *w = arg;
	struct policy_component pc = {
		.name = d->comp ? d->comp->name : NULL,
		.version = d->comp ? d->comp->version : NULL,
		.purl = d->comp ? d->comp->purl : NULL,
		.supplier = d->comp ? d->comp->supplier : NULL,
		.source = w->source,
		.line = d->line > 0xffffffffUL ? 0 : d->line,
	};
	int idx;

	if (!d->file_level)
		return 0;	/* archives, not installed files: not allowed */
	idx = policy_builder__add_component(w->b, &pc);
	if (idx < 0)
		return idx;
	return policy_builder__add_digest(w->b, d->sha256, POLICY_F_ALLOW, idx);
}

static void on_problem(void *arg, const struct sbom_problem *p)
{
	struct walk *w = arg;
	struct sbom_problem named = *p;

	if (!w->ops || !w->ops->problem)
		return;
	if (!named.path)
		named.path = w->path;
	w->ops->problem(w->ctx, &named);
}

/* The name recorded in the policy's source table for an attestation:
 * "PATH [attestation key sha256:<64 hex> subject sha256:<64 hex> NAME]"
 * (docs/policy-format.md); the subject name, untrusted, comes last. */
static char *attested_name(const struct policy_compile_doc *d)
{
	char key[80], subj[80], *s;

	attest_fpr_str(d->signer, key, sizeof(key));
	attest_fpr_str(d->subject_sha256, subj, sizeof(subj));
	if (asprintf(&s, "%s [attestation key %s subject %s %s]", d->path,
		     key, subj, d->subject) < 0)
		return NULL;
	return s;
}

/* An attestation's predicate, verified, as a descriptor the readers
 * read like a file. */
static int predicate_fd(const struct attest *a)
{
	int fd = memfd_create("bomgate-predicate", MFD_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = fileio_write_all(fd, a->predicate, a->predicate_len);
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int open_attestation(struct walk *w, const char *path,
			    struct policy_compile_doc *doc, struct attest *a,
			    int *fd, struct policy_compile_result *r)
{
	char err[1024] = "";
	int ret;

	*fd = -1;
	if (!strcmp(path, "-")) {
		if (!w->require)
			return 0;
		return fail(r, POLICY_COMPILE_ATTEST, -EPERM,
			    "standard input: attestations are read from files, and --require-attestation refuses anything else");
	}
	ret = attest_sniff(path);
	if (ret < 0)
		return fail(r, POLICY_COMPILE_SBOM, ret, "%s: %s", path,
			    strerror(-ret));
	if (!ret) {
		if (!w->require)
			return 0;
		return fail(r, POLICY_COMPILE_ATTEST, -EPERM,
			    "%s: not a signed attestation (DSSE envelope or Sigstore bundle), and --require-attestation is set",
			    path);
	}
	ret = attest_open(path, w->keys, w->nr_keys, a, err, sizeof(err));
	if (ret)
		return fail(r, POLICY_COMPILE_ATTEST, ret, "%s", err);
	doc->attested = 1;
	memcpy(doc->signer, a->signer_fpr, 32);
	memcpy(doc->subject_sha256, a->subject_sha256, 32);
	doc->subject = a->subject_name;
	doc->predicate_type = a->predicate_type;
	a->subject_name = a->predicate_type = NULL;
	*fd = predicate_fd(a);
	if (*fd < 0)
		return fail(r, POLICY_COMPILE_SBOM, *fd, "%s: %s", path,
			    strerror(-*fd));
	return 0;
}

static int read_sbom(struct walk *w, const char *path, enum sbom_format fmt,
		     struct policy_compile_result *r)
{
	static const __u8 zero[32];
	const struct sbom_ops ops = { on_digest, on_problem };
	struct policy_compile_doc *doc = &r->docs[r->nr_docs];
	char err[512] = "", *name = NULL;
	struct attest a;
	int ret, fd;

	memset(&a, 0, sizeof(a));
	doc->path = path;
	ret = open_attestation(w, path, doc, &a, &fd, r);
	if (ret)
		goto out;
	if (fd >= 0) {
		name = attested_name(doc);
		if (!name) {
			ret = fail(r, POLICY_COMPILE_SBOM, -ENOMEM,
				   "%s: out of memory", path);
			goto out;
		}
		/* the predicateType says what it is: the readers check it */
		if (fmt == SBOM_FMT_AUTO)
			fmt = a.format;
	}
	ret = policy_builder__add_source(w->b, zero, name ? name : path,
					 BGP_FMT_UNKNOWN);
	if (ret < 0) {
		ret = fail(r, POLICY_COMPILE_SBOM, ret, "%s: %s", path,
			   strerror(-ret));
		goto out;
	}
	w->source = ret;
	w->path = path;
	if (fd >= 0)
		ret = sbom_read_fd(fd, path, fmt, &ops, w, &doc->st, err,
				   sizeof(err));
	else
		ret = sbom_read(path, fmt, &ops, w, &doc->st, err,
				sizeof(err));
	if (ret) {
		if (ret == -ENOMEM)
			ret = fail(r, POLICY_COMPILE_SBOM, ret,
				   "%s: out of memory", path);
		else if (fd >= 0)
			ret = fail(r, POLICY_COMPILE_SBOM, ret,
				   "%s: the attested SBOM (predicate): %s",
				   path, err[0] ? err : strerror(-ret));
		else
			ret = fail(r, POLICY_COMPILE_SBOM, ret, "%s",
				   err[0] ? err : strerror(-ret));
		goto out;
	}
	if (fd >= 0 && a.format == SBOM_FMT_AUTO &&
	    doc->st.format != SBOM_FMT_SPDX_JSON &&
	    doc->st.format != SBOM_FMT_SPDX3_JSON) {
		ret = fail(r, POLICY_COMPILE_ATTEST, -EMEDIUMTYPE,
			   "%s: predicateType says SPDX, the predicate is %s",
			   path, sbom_format_name(doc->st.format));
		goto out;
	}
	if (fd >= 0) /* the document is the file given, not the predicate */
		memcpy(doc->st.doc_sha256, a.envelope_sha256, 32);
	r->nr_docs++;
	r->components += doc->st.components;
	r->file_digests += doc->st.file_digests;
	r->package_digests += doc->st.package_digests;
	r->no_file_digest += doc->st.components_without_file_digest;
	r->weak_only += doc->st.weak_hash_only;
	r->problems += doc->st.problems;
	if (w->ops && w->ops->document)
		w->ops->document(w->ctx, doc);
	ret = policy_builder__update_source(w->b, w->source,
					    doc->st.doc_sha256,
					    bgp_format(doc->st.format),
					    doc->st.file_digests);
	if (ret)
		ret = fail(r, POLICY_COMPILE_SBOM, ret, "%s: %s", path,
			   strerror(-ret));
out:
	if (ret && doc->attested) {
		/* not counted: the result's free does not see it */
		free(doc->subject);
		free(doc->predicate_type);
		memset(doc, 0, sizeof(*doc));
	}
	if (fd >= 0)
		close(fd);
	free(name);
	attest_free(&a);
	return ret;
}

/* The source's allow/block lines: each its own component. */
static int add_rules(struct policy_builder *b, const struct policy_src *src)
{
	struct policy_component pc = { .source = POLICY_SRC_POLICY };
	int idx, ret;

	for (size_t i = 0; i < src->nr_rules; i++) {
		pc.reason = src->rules[i].reason;
		pc.line = src->rules[i].line;
		idx = policy_builder__add_component(b, &pc);
		if (idx < 0)
			return idx;
		ret = policy_builder__add_digest(b, src->rules[i].sha256,
						 src->rules[i].flags |
						 POLICY_F_EXTRA, idx);
		if (ret)
			return ret;
	}
	return 0;
}

/* The source's allow lines. */
static size_t nr_allowing(const struct policy_src *src)
{
	size_t n = 0;

	for (size_t i = 0; src && i < src->nr_rules; i++)
		n += !!(src->rules[i].flags & POLICY_F_ALLOW);
	return n;
}

static int apply_source(struct policy_builder *b,
			const struct policy_compile_opts *o,
			const struct policy_src *src)
{
	int ret;

	policy_builder__set_created(b, o->created);
	if (!src) {
		policy_builder__set_version(b, o->version);
		return policy_builder__set_name(b, o->name);
	}
	policy_builder__set_version(b, src->version);
	for (int i = 0; i < BG_CLASS_MAX; i++)
		policy_builder__set_mode(b, i, src->modes[i]);
	policy_builder__set_allow_unmeasured_modules(b,
					src->allow_unmeasured_modules);
	policy_builder__set_trust_fuse(b, src->trust_fuse);
	policy_builder__set_seal(b, src->seal);
	for (size_t i = 0; i < src->nr_scopes; i++) {
		ret = policy_builder__add_scope(b, src->scopes[i].path,
						src->scopes[i].line,
						src->scopes[i].modes);
		if (ret < 0)
			return ret;
	}
	ret = policy_builder__set_name(b, src->name);
	return ret ? ret : add_rules(b, src);
}

/* trust-apt lines: each key pinned (gpg exports it alone) into the policy. */
static int add_trusts(struct policy_builder *b, const struct policy_src *src,
		      struct policy_compile_result *r)
{
	char fpr[APT_FPR_MAX + 1], err[512];
	void *key;
	size_t len;
	int ret;

	for (size_t i = 0; src && i < src->nr_trusts; i++) {
		const struct policy_src_trust *t = &src->trusts[i];

		ret = apt_key_pin(t->keyfile, NULL, 0, fpr, &key, &len, err,
				  sizeof(err));
		if (ret)
			return fail(r, POLICY_COMPILE_SOURCE, ret,
				    "%s:%lu: trust-apt %s: %s", src->path,
				    t->line, t->keyfile, err);
		ret = policy_builder__add_trust(b, fpr, key, len, t->origin,
						t->suite, t->package, t->line);
		free(key);
		if (ret < 0)
			return fail(r, POLICY_COMPILE_SOURCE, ret,
				    "%s:%lu: trust-apt: %s", src->path,
				    t->line, strerror(-ret));
	}
	return 0;
}

static int walk(struct walk *w, const struct policy_compile_opts *o,
		const struct policy_src *src, struct policy_compile_result *r)
{
	size_t from_src = src ? src->nr_sboms : 0;
	int ret;

	ret = apply_source(w->b, o, src);
	if (ret)
		return fail(r, POLICY_COMPILE_SOURCE, ret, "%s: %s",
			    o->source ? o->source : "policy", strerror(-ret));
	ret = add_trusts(w->b, src, r);
	if (ret)
		return ret;
	for (size_t i = 0; i < from_src; i++) {
		ret = read_sbom(w, src->sboms[i].path, src->sboms[i].format, r);
		if (ret)
			return ret;
	}
	for (int i = 0; i < o->nr_sboms; i++) {
		ret = read_sbom(w, o->sboms[i], o->format, r);
		if (ret)
			return ret;
	}
	if (o->strict && r->problems)
		return fail(r, POLICY_COMPILE_STRICT, -EINVAL,
			    "compile: %lu problems in the SBOMs and --strict: nothing written",
			    r->problems);
	if (o->strict && !r->file_digests && !nr_allowing(src))
		return fail(r, POLICY_COMPILE_EMPTY, -EINVAL,
			    "compile: the policy would allow nothing (%lu components, %lu without a file-level SHA-256, %lu package-level digests) and --strict: nothing written",
			    r->components, r->no_file_digest,
			    r->package_digests);
	ret = policy_builder__write(w->b, o->output, &r->build);
	if (ret)
		return fail(r, POLICY_COMPILE_WRITE, ret, "%s: cannot write: %s",
			    o->output, fileio_strerror(ret));
	return 0;
}

int policy_compile(const struct policy_compile_opts *o,
		   const struct policy_compile_ops *ops, void *ctx,
		   struct policy_compile_result *r)
{
	struct walk w = { .ops = ops, .ctx = ctx,
			  .require = o->require_attestation };
	struct attest_key keys[ATTEST_MAX_KEYS];
	struct policy_src *src = NULL;
	size_t total, nr_keys;
	int ret;

	memset(r, 0, sizeof(*r));
	if (o->source) {
		src = policy_src__parse(o->source, r->err, sizeof(r->err));
		if (!src) {
			r->step = POLICY_COMPILE_SOURCE;
			return -errno;
		}
		w.require |= src->require_attestation;
	}
	nr_keys = o->nr_attest_keys + (src ? src->nr_attest_keys : 0);
	if (nr_keys > ATTEST_MAX_KEYS) {
		ret = fail(r, POLICY_COMPILE_ATTEST, -E2BIG,
			   "compile: at most %d attestation keys (%zu given)",
			   ATTEST_MAX_KEYS, nr_keys);
		goto out;
	}
	/* the command line's keys, then the source's */
	for (; (size_t)w.nr_keys < nr_keys; w.nr_keys++) {
		const char *kp = w.nr_keys < o->nr_attest_keys ?
			o->attest_keys[w.nr_keys] :
			src->attest_keys[w.nr_keys - o->nr_attest_keys];

		ret = attest_key_load(&keys[w.nr_keys], kp, r->err,
				      sizeof(r->err));
		if (ret) {
			r->step = POLICY_COMPILE_ATTEST;
			goto out;
		}
	}
	w.keys = keys;
	total = o->nr_sboms + (src ? src->nr_sboms : 0);
	if (!total && !(src && src->nr_trusts)) {
		ret = fail(r, POLICY_COMPILE_NO_SBOM, -EINVAL,
			   "compile: no SBOM given (on the command line or as 'sbom' lines in --source)");
		goto out;
	}
	w.b = policy_builder__new();
	r->docs = calloc(total, sizeof(*r->docs));
	if (!w.b || !r->docs) {
		ret = fail(r, POLICY_COMPILE_WRITE, -ENOMEM, "out of memory");
		goto out;
	}
	ret = walk(&w, o, src, r);
out:
	while (w.nr_keys > 0)
		attest_key_free(&keys[--w.nr_keys]);
	policy_builder__free(w.b);
	r->src = src;	/* the documents' paths point into it */
	return ret;
}

void policy_compile_result__free(struct policy_compile_result *r)
{
	for (int i = 0; r->docs && i < r->nr_docs; i++) {
		free(r->docs[i].subject);
		free(r->docs[i].predicate_type);
	}
	free(r->docs);
	r->docs = NULL;
	policy_src__free(r->src);
	r->src = NULL;
}
