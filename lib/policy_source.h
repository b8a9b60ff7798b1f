/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The human-written policy source (policies/NAME.policy): a line-based
 * file documented in docs/policy.md. Parsing never touches the SBOMs it
 * names; bomgate compile does that.
 */
#ifndef BOMGATE_POLICY_SOURCE_H
#define BOMGATE_POLICY_SOURCE_H

#include <stddef.h>
#include <linux/types.h>

#include "policy.h"

#define POLICY_SRC_MAX_SIZE	(16 * 1024 * 1024)
#define POLICY_SRC_MAX_LINE	4096

struct policy_src_sbom {
	char *path;		/* resolved against the source's directory */
	int format;		/* enum sbom_format, SBOM_FMT_AUTO by default */
	unsigned long line;
};

#define POLICY_SEAL_DAEMONS	4	/* BG_SEAL_DAEMONS */

struct policy_src_rule {
	__u8 sha256[32];
	__u32 flags;		/* POLICY_F_ALLOW or POLICY_F_BLOCK (with
				 * POLICY_F_DAEMON: a "daemon" line) */
	char *reason;
	unsigned long line;
};

#define POLICY_SRC_MAX_SCOPES	16	/* BGP_MAX_SCOPES */
#define POLICY_SRC_MAX_TRUSTS	8	/* BGP_MAX_TRUSTS */

/* "trust-apt KEYFILE [origin=GLOB] [suite=GLOB] [package=GLOB]" */
struct policy_src_trust {
	char *keyfile;		/* resolved like sbom paths */
	char *origin, *suite, *package;	/* NULL: any */
	unsigned long line;
};

/* "scope PATH CLASS|all MODE" lines of one cgroup path. */
struct policy_src_scope {
	char *path;		/* absolute, normalised */
	unsigned long line;	/* its first line */
	__u8 modes[BG_CLASS_MAX];	/* BG_MODE_* or BG_MODE_INHERIT */
	unsigned long mode_line[BG_CLASS_MAX + 1];	/* + "all" */
	int all_mode;		/* -1: no "all" line */
};

struct policy_src {
	char *path;		/* as given */
	__u64 version;		/* >= 1, required */
	char *name;		/* NULL when not given */
	int modes[BG_CLASS_MAX];	/* BG_MODE_* per BG_CLASS_* */
	int allow_unmeasured_modules;
	int trust_fuse;
	int seal;		/* "seal yes": needs daemon lines */
	struct policy_src_sbom *sboms;
	size_t nr_sboms;
	struct policy_src_rule *rules;
	size_t nr_rules;
	struct policy_src_scope scopes[POLICY_SRC_MAX_SCOPES];
	size_t nr_scopes;
	struct policy_src_trust trusts[POLICY_SRC_MAX_TRUSTS];
	size_t nr_trusts;
	char **attest_keys;	/* "attestation-key PATH", resolved */
	size_t nr_attest_keys;
	int require_attestation;	/* "require-attestation yes" */
};

/* NULL + errno on failure; err gets "FILE:LINE: problem". */
struct policy_src *policy_src__parse(const char *path, char *err,
				     size_t errlen);
/* Same on a buffer; @name is used in messages, @basedir (may be NULL for
 * ".") resolves relative sbom paths. */
struct policy_src *policy_src__parse_mem(const char *buf, size_t len,
					 const char *name, const char *basedir,
					 char *err, size_t errlen);
void policy_src__free(struct policy_src *src);

#endif
