/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Staging the packages of a trusted apt repository (trust-apt): which of
 * the .deb files apt is about to unpack come from a Packages index that a
 * Release signed by a key of the policy lists, and the SHA-256 of every
 * file they install (data.tar and the maintainer scripts). bomgated adds
 * those digests to the policy in force; `bomgate apt verify --policy`
 * shows the same answer.
 *
 * The repositories are the ones apt itself fetched: the InRelease (or
 * Release + Release.gpg) and uncompressed Packages files of its lists
 * directory (/var/lib/apt/lists), each verified here against the pinned
 * key (lib/apt.c): whatever apt or root put there counts only if the
 * repository's key signed it.
 */
#ifndef BOMGATE_APT_STAGE_H
#define BOMGATE_APT_STAGE_H

#include <stddef.h>
#include <time.h>

#include "apt.h"
#include "policy.h"

#define APT_LISTS_DIR		"/var/lib/apt/lists"
#define APT_STAGE_MAX_DEBS	4096

/* A package staged: where it came from and how many files it brought. */
struct apt_stage_pkg {
	char *name, *version, *arch;
	char *repo;		/* "Origin Suite" of the Release, as signed */
	char *release;		/* the lists file it was verified from */
	char *deb;		/* the .deb file as named */
	char fpr[APT_FPR_MAX + 1];	/* the key that signed it */
	unsigned int trust_line;	/* its trust-apt line */
	unsigned char deb_sha256[SHA256_LEN];
	size_t nfiles;
};

struct apt_stage_digest {
	unsigned char sha256[SHA256_LEN];
	unsigned int pkg;	/* index in apt_stage.pkgs */
};

struct apt_stage {
	struct apt_stage_pkg *pkgs;
	size_t npkgs;
	struct apt_stage_digest *digests;	/* in package order */
	size_t ndigests;
};

/*
 * Called once per .deb: @pkg the package staged (then @why is NULL), or
 * NULL and @why saying why the .deb gets nothing ("not in a Packages
 * index signed by a trusted key", a digest mismatch naming the index and
 * line, a package name the trust-apt line does not cover, a malformed
 * package).
 */
typedef void (*apt_stage_cb)(void *ctx, const char *deb,
			     const struct apt_stage_pkg *pkg, const char *why);

/*
 * Stage @debs against the trust-apt keys of @p and the repositories in
 * @lists (NULL: APT_LISTS_DIR), appending to @st. Returns the number of
 * packages staged, or -errno for a failure that is not about one package
 * (-ENOKEY: @p trusts no key; out of memory; @lists unreadable) with @err.
 */
int apt_stage_debs(const struct policy *p, const char *lists,
		   char *const *debs, int ndebs, time_t now,
		   struct apt_stage *st, apt_stage_cb cb, void *ctx,
		   char *err, size_t errlen);
void apt_stage_free(struct apt_stage *st);
/* The strings of one package (for a caller that drops some). */
void apt_stage_pkg_free(struct apt_stage_pkg *pk);

#endif
