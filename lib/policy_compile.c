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

#include "fileio.h"
#include "policy_compile.h"
#include "policy_source.h"

struct walk {
	struct policy_builder *b;
	const struct policy_compile_ops *ops;
	void *ctx;
	const char *path;	/* the document being read */
	__u32 source;		/* its index in the builder */
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

static int read_sbom(struct walk *w, const char *path, enum sbom_format fmt,
		     struct policy_compile_result *r)
{
	static const __u8 zero[32];
	const struct sbom_ops ops = { on_digest, on_problem };
	struct policy_compile_doc *doc = &r->docs[r->nr_docs];
	char err[512] = "";
	int ret;

	ret = policy_builder__add_source(w->b, zero, path, BGP_FMT_UNKNOWN);
	if (ret < 0)
		return fail(r, POLICY_COMPILE_SBOM, ret, "%s: %s", path,
			    strerror(-ret));
	w->source = ret;
	w->path = path;
	doc->path = path;
	ret = sbom_read(path, fmt, &ops, w, &doc->st, err, sizeof(err));
	if (ret) {
		if (ret == -ENOMEM)
			return fail(r, POLICY_COMPILE_SBOM, ret,
				    "%s: out of memory", path);
		return fail(r, POLICY_COMPILE_SBOM, ret, "%s",
			    err[0] ? err : strerror(-ret));
	}
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
	return ret ? fail(r, POLICY_COMPILE_SBOM, ret, "%s: %s", path,
			  strerror(-ret)) : 0;
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
	ret = policy_builder__set_name(b, src->name);
	return ret ? ret : add_rules(b, src);
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
	struct walk w = { .ops = ops, .ctx = ctx };
	struct policy_src *src = NULL;
	size_t total;
	int ret;

	memset(r, 0, sizeof(*r));
	if (o->source) {
		src = policy_src__parse(o->source, r->err, sizeof(r->err));
		if (!src) {
			r->step = POLICY_COMPILE_SOURCE;
			return -errno;
		}
	}
	total = o->nr_sboms + (src ? src->nr_sboms : 0);
	if (!total) {
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
	policy_builder__free(w.b);
	r->src = src;	/* the documents' paths point into it */
	return ret;
}

void policy_compile_result__free(struct policy_compile_result *r)
{
	free(r->docs);
	r->docs = NULL;
	policy_src__free(r->src);
	r->src = NULL;
}
