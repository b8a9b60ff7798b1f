/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trust chain of a signed apt repository, checked the way apt checks
 * it, for the repository directive of issue 15 and `bomgate apt verify`:
 *
 *   pinned OpenPGP key (fingerprint)
 *     -> signature of InRelease (clearsigned) or Release + Release.gpg,
 *        verified by Debian's gpgv against a keyring holding exactly that
 *        key, and accepted only if gpgv reports a valid signature whose
 *        primary key has the pinned fingerprint
 *     -> the SHA256 (and size) Release lists for the Packages index
 *     -> the SHA256 (and size) the Packages stanza lists for a .deb.
 *
 * Only what gpgv verified is parsed (its output, not the file on disk).
 * Every refusal names the file and the line or field: "Packages:12:
 * SHA256: not 64 hex digits", "hello_1.0_amd64.deb: SHA-256 ab12...
 * differs from Packages:9 (hello 1.0 amd64: 34cd...)".
 */
#ifndef BOMGATE_APT_H
#define BOMGATE_APT_H

#include <stddef.h>
#include <time.h>

#include "sha256.h"

#define APT_GPGV	"/usr/bin/gpgv"
#define APT_GPG		"/usr/bin/gpg"
#define APT_FPR_MAX	64	/* v5 fingerprints: 32 bytes */
#define APT_MAX_INDEX_SIZE	(1024UL * 1024 * 1024)	/* a Packages file */
#define APT_MAX_RELEASE_SIZE	(64UL * 1024 * 1024)

/* One "hash size path" line of Release's SHA256 field. */
struct apt_index {
	char *path;
	unsigned long long size;
	unsigned char sha256[SHA256_LEN];
	unsigned long line;
};

struct apt_release {
	char *origin, *label, *suite, *codename;	/* NULL when absent */
	time_t valid_until;				/* 0 when absent */
	struct apt_index *idx;
	size_t n;
};

/* One stanza of a Packages index. */
struct apt_pkg {
	char *name, *version, *arch, *filename;
	unsigned long long size;
	unsigned char sha256[SHA256_LEN];
	unsigned long line;
};

struct apt_packages {
	struct apt_pkg *p;	/* sorted by name, version, architecture */
	size_t n;
};

/* Parsers of the (verified) text; 0 or -EINVAL/-ENOMEM with @err set. */
int apt_release_parse(const char *buf, size_t len, const char *file,
		      struct apt_release *r, char *err, size_t errlen);
void apt_release_free(struct apt_release *r);
int apt_packages_parse(const char *buf, size_t len, const char *file,
		       struct apt_packages *pk, char *err, size_t errlen);
void apt_packages_free(struct apt_packages *pk);
/* The stanza of @name @version @arch, or NULL. */
const struct apt_pkg *apt_packages_find(const struct apt_packages *pk,
					const char *name, const char *version,
					const char *arch);

struct apt_verify_opts {
	/* The pinned key: a fingerprint (40 or 64 hex digits, blanks
	 * allowed) found in @keyrings, or an OpenPGP key file holding one
	 * primary key (armored or binary). */
	const char *key;
	char *const *keyrings;
	int nkeyrings;
	const char *release;		/* InRelease, or Release */
	const char *release_sig;	/* Release.gpg; NULL: clearsigned */
	const char *packages;		/* the Packages index (uncompressed) */
	const char *index;		/* its path in Release; NULL: the
					 * entry that ends packages' path */
	char *const *debs;		/* .deb files to check, may be 0 */
	int ndebs;
	time_t now;			/* for Valid-Until; 0: time(NULL) */
	/* the pinned key itself (apt_key_pin): @key is its fingerprint,
	 * @keyrings unused, no gpg run */
	const void *pinned_key;
	size_t pinned_len;
	const char *gpg, *gpgv;		/* NULL: APT_GPG, APT_GPGV */
};

/* A .deb found in the index with its digest. */
struct apt_deb {
	const char *path;		/* as given */
	const struct apt_pkg *pkg;	/* its stanza in repo.packages */
};

struct apt_repo {
	char fpr[APT_FPR_MAX + 1];	/* the signer's primary key */
	struct apt_release release;
	const struct apt_index *index;	/* Release's entry for Packages */
	struct apt_packages packages;	/* every stanza, all verified */
	struct apt_deb *debs;
	int ndebs;
};

/*
 * The primary key @key (a key file, or a fingerprint in @keyrings) alone,
 * exported by gpg as a keyring into *@buf (malloc'd, *@len bytes), and its
 * fingerprint. 0, or -errno with @err.
 */
int apt_key_pin(const char *key, char *const *keyrings, int nkeyrings,
		char fpr[APT_FPR_MAX + 1], void **buf, size_t *len,
		char *err, size_t errlen);

/*
 * Verify the chain for @o into @repo. 0, or -errno with @err naming what
 * failed: -EKEYREJECTED (signature: bad, another key, weak digest),
 * -EBADMSG (a digest or size mismatch), -EINVAL (a parse problem),
 * -ENOMSG (no entry: Packages in Release, a .deb in Packages), -EKEYEXPIRED
 * (Valid-Until passed), -ENOEXEC (gpgv or gpg missing), -errno (I/O).
 */
int apt_repo_verify(const struct apt_verify_opts *o, struct apt_repo *repo,
		    char *err, size_t errlen);
void apt_repo_free(struct apt_repo *repo);

#endif
