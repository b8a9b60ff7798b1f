/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiled bomgate policies (.bgp): loading (bounds-checked, never trusted)
 * and building. The file layout is in policy_format.h and
 * docs/policy-format.md; this is the in-memory view, in host byte order.
 *
 * Loading:
 *	p = policy__open("prod.bgp", err, sizeof(err));
 *	if (!p) -> -errno (EINVAL: corrupt, EFBIG, ENOMEM, I/O), err says why
 *	for (i = 0; i < policy__nr_entries(p); i++) e = policy__entry(p, i);
 *	e = policy__lookup(p, sha256);	// NULL: not in the policy
 *	policy__free(p);
 */
#ifndef BOMGATE_POLICY_H
#define BOMGATE_POLICY_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>

#include "policy_format.h"
#include "sign.h"
#include "vocab.h"

/*
 * Classes and modes are the kernel ABI's BG_CLASS_* and BG_MODE_*
 * (bomgate.h; policy_format.h asserts the file uses the same numbers),
 * named by vocab.h.
 */
#define POLICY_F_ALLOW		BGP_E_ALLOW
#define POLICY_F_BLOCK		BGP_E_BLOCK
#define POLICY_F_EXTRA		BGP_E_EXTRA
#define POLICY_F_SHARED		BGP_E_SHARED
#define POLICY_F_DAEMON		BGP_E_DAEMON
#define POLICY_NO_COMPONENT	BGP_NO_COMPONENT
#define POLICY_SRC_POLICY	BGP_SRC_POLICY

struct policy_entry {
	__u8 sha256[32];
	__u32 flags;		/* POLICY_F_*; BLOCK and ALLOW never both */
	__u32 component;	/* policy__component() index or NO_COMPONENT */
};

struct policy_component {
	const char *name;	/* never NULL; "" when the SBOM did not say */
	const char *version;
	const char *purl;
	const char *supplier;
	const char *reason;	/* allow/block lines of the source, else "" */
	__u32 source;		/* policy__source() index or POLICY_SRC_POLICY */
	__u32 line;		/* line in that SBOM / policy source, 0 unknown */
};

struct policy_source {
	__u8 sha256[32];	/* SHA-256 of the SBOM document */
	const char *name;	/* path as given to compile */
	__u32 format;		/* BGP_FMT_* */
	__u64 nr_digests;
};

struct policy_scope {
	const char *path;	/* absolute cgroup v2 directory */
	__u32 line;		/* its first line in the policy source */
	__u8 modes[BGP_NR_CLASSES];	/* BG_MODE_* or BG_MODE_INHERIT */
};

/* trust-apt: a signed apt repository key the policy delegates to. */
struct policy_apt_trust {
	const char *fpr;	/* primary key fingerprint, upper-case hex */
	__u8 *key;		/* an OpenPGP keyring holding that key alone */
	size_t key_len;
	const char *origin, *suite, *package;	/* fnmatch; "" any */
	__u32 line;
};

struct policy;

struct policy *policy__open(const char *path, char *err, size_t errlen);
struct policy *policy__from_mem(const void *buf, size_t len, char *err,
				size_t errlen);
void policy__free(struct policy *p);

__u32 policy__format_version(const struct policy *p);
__u64 policy__version(const struct policy *p);
__u64 policy__created(const struct policy *p);
const char *policy__name(const struct policy *p);
/* BG_MODE_* of class @cls (BG_CLASS_*); BG_MODE_OFF out of range. */
int policy__mode(const struct policy *p, unsigned int cls);
int policy__allow_unmeasured_modules(const struct policy *p);
int policy__trust_fuse(const struct policy *p);
/* The policy seals the system (BGP_F_SEAL); its daemon digests. */
int policy__seal(const struct policy *p);
int policy__daemon_digests(const struct policy *p, __u8 (*out)[32], int max);
/* SHA-256 of the whole .bgp file as loaded (what the signature covers). */
const __u8 *policy__file_sha256(const struct policy *p);

__u32 policy__nr_entries(const struct policy *p);
const struct policy_entry *policy__entry(const struct policy *p, __u32 i);
__u32 policy__nr_allowed(const struct policy *p);
__u32 policy__nr_blocked(const struct policy *p);
__u32 policy__nr_components(const struct policy *p);
const struct policy_component *policy__component(const struct policy *p,
						 __u32 idx);
__u32 policy__nr_sources(const struct policy *p);
const struct policy_source *policy__source(const struct policy *p, __u32 idx);
/* Trusted apt repository keys, in the order of the policy source. */
__u32 policy__nr_trusts(const struct policy *p);
const struct policy_apt_trust *policy__trust(const struct policy *p, __u32 idx);
/* Cgroup scopes, in the order of the policy source. */
__u32 policy__nr_scopes(const struct policy *p);
const struct policy_scope *policy__scope(const struct policy *p, __u32 idx);
/* Binary search in the sorted table; NULL when absent. */
const struct policy_entry *policy__lookup(const struct policy *p,
					  const __u8 sha256[32]);

const char *policy_format_name(__u32 bgp_fmt);

/* --- opening a policy to trust (policy_verify.c) -------------------- */

/* Detached signatures sit next to the policy as POLICY.bgp.sig. */
#define POLICY_SIG_SUFFIX	".sig"
/* malloc()ed "@policy_path.sig"; NULL and errno on failure. */
char *policy_sig_default(const char *policy_path);

struct policy_trust {
	const char *const *trust;	/* trusted certificates, PEM */
	int nr_trust;			/* 0: not verified (the caller's choice) */
	const char *const *sigs;	/* detached signatures */
	int nr_sigs;			/* 0: POLICY_SIG_SUFFIX next to it */
	int min_signers;		/* distinct trusted signers; 0: 1 */
};

enum policy_open_step {
	POLICY_STEP_READ,	/* errno: ENOENT.., EFBIG, EINVAL (not a file) */
	POLICY_STEP_VERIFY,	/* errno: EKEYREJECTED, ENOMEM, EIO.. */
	POLICY_STEP_PARSE,	/* errno: EINVAL (corrupt), ENOMEM */
};

struct policy_open_result {
	enum policy_open_step step;	/* on failure: which step */
	int verified;			/* the signature check ran and passed */
	struct sign_result sign;	/* signers (and status on failure) */
	char err[1024];			/* on failure: "PATH: why" (verify:
					 * the verifier's own words) */
};

/*
 * Read @path (at most BGP_MAX_FILE_SIZE), verify it against @t when @t
 * names trusted certificates, then parse it: nothing is parsed that did
 * not verify. NULL and errno on failure, @r says where and why.
 */
struct policy *policy__open_verified(const char *path,
				     const struct policy_trust *t,
				     struct policy_open_result *r);

/* --- building ------------------------------------------------------- */

struct policy_builder;

struct policy_build_stats {
	__u64 digests_added;	/* add_digest calls */
	__u32 distinct;		/* entries written */
	__u32 allowed;
	__u32 blocked;
	__u32 conflicts;	/* digest both allowed and blocked: blocked */
	__u32 shared;		/* digest allowed by several components */
};

struct policy_builder *policy_builder__new(void);
void policy_builder__free(struct policy_builder *b);
void policy_builder__set_version(struct policy_builder *b, __u64 version);
void policy_builder__set_created(struct policy_builder *b, __u64 created);
int policy_builder__set_name(struct policy_builder *b, const char *name);
void policy_builder__set_mode(struct policy_builder *b, unsigned int cls,
			      unsigned int mode);
void policy_builder__set_trust_fuse(struct policy_builder *b, int trust);
void policy_builder__set_seal(struct policy_builder *b, int seal);
void policy_builder__set_allow_unmeasured_modules(struct policy_builder *b,
						  int allow);
/* A cgroup scope: @path (checked by the source parser) with @modes
 * (BG_MODE_* or BG_MODE_INHERIT per class). Index or -errno (-E2BIG: more
 * than BGP_MAX_SCOPES). */
int policy_builder__add_scope(struct policy_builder *b, const char *path,
			      __u32 line, const __u8 modes[BGP_NR_CLASSES]);
/* trust-apt: the key @fpr (@key: a keyring holding it alone) and the
 * patterns (NULL or "": any). Index or -errno (-E2BIG: more than
 * BGP_MAX_TRUSTS). */
int policy_builder__add_trust(struct policy_builder *b, const char *fpr,
			      const void *key, size_t key_len,
			      const char *origin, const char *suite,
			      const char *package, __u32 line);
/* Return the new index, or -errno. */
int policy_builder__add_source(struct policy_builder *b, const __u8 sha256[32],
			       const char *name, __u32 bgp_fmt);
int policy_builder__add_component(struct policy_builder *b,
				  const struct policy_component *c);
/* flags: POLICY_F_ALLOW or POLICY_F_BLOCK, optionally | POLICY_F_EXTRA. */
int policy_builder__add_digest(struct policy_builder *b, const __u8 sha256[32],
			       __u32 flags, __u32 component);
/* Fill in what is known only after reading the SBOM. */
int policy_builder__update_source(struct policy_builder *b, __u32 source,
				  const __u8 sha256[32], __u32 bgp_fmt,
				  __u64 nr_digests);
/* Sorts, merges duplicates and serializes; *buf is malloc()ed. */
int policy_builder__serialize(struct policy_builder *b, void **buf,
			      size_t *len, struct policy_build_stats *st);
/* serialize + write through fileio_out (fileio.h): temp file in the
 * same directory + rename, devices in place, symlinks refused. */
int policy_builder__write(struct policy_builder *b, const char *path,
			  struct policy_build_stats *st);

/* --- small helpers shared by the CLI -------------------------------- */


/* The header checksum of a serialized policy (SHA-256 with the checksum
 * field taken as zeros). 0 or -EINVAL (shorter than a header), -EIO. */
int policy_checksum(const void *buf, size_t len, __u8 out[32]);

#endif
