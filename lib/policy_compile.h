/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiler: SBOMs and an optional policy source in, one .bgp out.
 * Library code does not log: problems in the SBOMs and each document read
 * come back through callbacks, failures as a step and a message.
 *
 *	struct policy_compile_opts o = { .source = "web.policy",
 *					 .output = "web.bgp" };
 *	struct policy_compile_result r;
 *	ret = policy_compile(&o, &ops, ctx, &r);	// 0 or -errno
 *	...r.err, r.step, r.docs[], r.build...
 *	policy_compile_result__free(&r);
 */
#ifndef BOMGATE_POLICY_COMPILE_H
#define BOMGATE_POLICY_COMPILE_H

#include <linux/types.h>

#include "policy.h"
#include "sbom.h"

struct policy_src;

struct policy_compile_opts {
	const char *source;		/* policy source file, or NULL */
	char *const *sboms;		/* more SBOMs, read after the source's */
	int nr_sboms;
	enum sbom_format format;	/* of @sboms; SBOM_FMT_AUTO */
	__u64 version;			/* without a source: policy version */
	const char *name;		/* without a source: policy name */
	__u64 created;			/* seconds since 1970 */
	int strict;			/* any SBOM problem: nothing written */
	const char *output;		/* the .bgp, written atomically */
	char *const *attest_keys;	/* PEM public keys (attest.h) */
	int nr_attest_keys;
	int require_attestation;	/* refuse any SBOM not a verified
					 * attestation */
};

/* One SBOM document as read. */
struct policy_compile_doc {
	const char *path;
	struct sbom_stats st;
	/* a verified attestation (attest.h): else all zero/NULL */
	int attested;
	unsigned char signer[32];	/* key fingerprint */
	char *subject;			/* subject[0].name (untrusted) */
	unsigned char subject_sha256[32];
	char *predicate_type;		/* untrusted */
};

struct policy_compile_ops {
	/* A problem in the document being read (p->path is never NULL). */
	void (*problem)(void *ctx, const struct sbom_problem *p);
	/* A document was read whole (optional). */
	void (*document)(void *ctx, const struct policy_compile_doc *doc);
};

enum policy_compile_step {
	POLICY_COMPILE_SOURCE,	/* the policy source: errno ENOENT/EACCES
				 * (I/O) or EINVAL, EFBIG (its content) */
	POLICY_COMPILE_NO_SBOM,	/* no SBOM at all (EINVAL) */
	POLICY_COMPILE_SBOM,	/* reading an SBOM: EINVAL, ENOMEM, I/O */
	POLICY_COMPILE_ATTEST,	/* an attestation: EKEYREJECTED, ENOKEY,
				 * EPERM (not one, but required): not
				 * verified; EBADMSG, EMEDIUMTYPE, EINVAL
				 * (a key file): malformed; I/O */
	POLICY_COMPILE_STRICT,	/* problems under strict (EINVAL) */
	POLICY_COMPILE_EMPTY,	/* under strict: nothing would be allowed
				 * (EINVAL) */
	POLICY_COMPILE_WRITE,	/* building or writing the .bgp: ENOMEM,
				 * EFBIG/E2BIG (too large), I/O */
};

struct policy_compile_result {
	enum policy_compile_step step;	/* on failure: where */
	char err[1024];			/* on failure: "FILE: why" */
	struct policy_compile_doc *docs;	/* documents read, in order */
	int nr_docs;
	/* totals over the documents */
	unsigned long components, file_digests, package_digests,
		      no_file_digest, weak_only, problems;
	struct policy_build_stats build;	/* of the written policy */
	struct policy_src *src;		/* the parsed source (private) */
};

int policy_compile(const struct policy_compile_opts *o,
		   const struct policy_compile_ops *ops, void *ctx,
		   struct policy_compile_result *r);
void policy_compile_result__free(struct policy_compile_result *r);

#endif
