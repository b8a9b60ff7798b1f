/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signed SBOM attestations: a DSSE envelope (bare, or inside a Sigstore
 * bundle's "dsseEnvelope") whose payload is an in-toto statement with an
 * SBOM predicate, as `cosign attest-blob --key` writes it. The signature
 * is checked against pinned public keys before anything of the payload is
 * used; the SBOM (the predicate) then goes to the ordinary readers.
 * See docs/sbom-readers.md, "Signed attestations".
 *
 *	struct attest_key k;
 *	attest_key_load(&k, "cosign.pub", err, sizeof(err));
 *	if (attest_sniff("sbom.bundle.json") == 1)
 *		attest_open("sbom.bundle.json", &k, 1, &a, err, sizeof(err));
 *	... a.predicate / a.predicate_len is the SBOM (JSON) ...
 *	attest_free(&a);
 *	attest_key_free(&k);
 */
#ifndef BOMGATE_ATTEST_H
#define BOMGATE_ATTEST_H

#include <stddef.h>

#include "sbom.h"

/* The envelope file is read whole: the SBOM is inside a base64 string. */
#define ATTEST_MAX_ENVELOPE	(64 * 1024 * 1024)
#define ATTEST_MAX_KEYS		16
#define ATTEST_MAX_SIGS		16	/* signatures tried per envelope */
#define ATTEST_MAX_SUBJECT	4096	/* bytes of the subject name kept */

struct attest_key {
	void *pkey;			/* EVP_PKEY */
	unsigned char fpr[32];		/* SHA-256 of the DER SubjectPublicKeyInfo */
	char type[16];			/* "ECDSA P-256", "Ed25519", "RSA-3072" */
};

struct attest {
	int signer;			/* index of the key that verified */
	unsigned char signer_fpr[32];
	char *subject_name;		/* subject[0].name */
	unsigned char subject_sha256[32];	/* subject[0].digest.sha256 */
	unsigned long nr_subjects;
	char *predicate_type;
	enum sbom_format format;	/* CDX_JSON, or AUTO for SPDX (2 or 3) */
	char *predicate;		/* the SBOM, re-serialized JSON */
	size_t predicate_len;
	unsigned char envelope_sha256[32];	/* of the file's bytes */
};

/* PEM SubjectPublicKeyInfo (ECDSA P-256/P-384/P-521, Ed25519, RSA >= 2048).
 * 0, or -errno (-ENOENT..., -EINVAL: not a usable public key). */
int attest_key_load(struct attest_key *k, const char *path, char *err,
		    size_t errlen);
void attest_key_free(struct attest_key *k);
/* "sha256:<64 hex>" into buf (at least 72 bytes). */
char *attest_fpr_str(const unsigned char fpr[32], char *buf, size_t len);

/* Does the file look like an envelope or bundle (its first top-level key
 * is one of theirs)? 1 yes, 0 no (any other JSON, XML, tag-value, syntax
 * errors: the SBOM readers speak about those), -errno when unreadable.
 * Reads only until the first key. */
int attest_sniff(const char *path);

/*
 * Read and verify one envelope. Returns 0, or:
 *   -EBADMSG      not an envelope/bundle, payloadType not in-toto, bad
 *                 base64, statement malformed, subject missing
 *   -EMEDIUMTYPE  predicateType is not an SBOM (CycloneDX, SPDX)
 *   -ENOKEY       no key given
 *   -EKEYREJECTED no signature verifies with any key (err lists them)
 *   -EFBIG        larger than ATTEST_MAX_ENVELOPE
 *   -ENOMEM, read errors.
 * err always gets "PATH: why" on failure. On success @a must be freed.
 */
int attest_open(const char *path, const struct attest_key *keys, int nr_keys,
		struct attest *a, char *err, size_t errlen);
void attest_free(struct attest *a);

/* The in-toto statement of a payload already verified (attest_open calls
 * it; exposed for the fuzzer): fills subject, predicate type and
 * predicate of @a (zeroed by the caller), which the caller frees with
 * attest_free() in any case. Errors as attest_open. */
int attest_parse_statement(const char *path, const unsigned char *p,
			   size_t plen, struct attest *a, char *err,
			   size_t errlen);

#endif
