/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detached CMS (PKCS#7 signedData, DER) signatures over compiled policies,
 * with RSA (PKCS#1 v1.5, SHA-256: what the kernel's PKCS#7 verifier takes)
 * or ECDSA P-256 keys and self-signed X.509 certificates.
 *
 * Trust model: a signer counts only when its certificate is one of the
 * trusted certificates given (pinned; no chain building, no system store)
 * and is valid now. M-of-N: min_signers distinct trusted certificates must
 * have signed, in one CMS with several SignerInfos or in several files.
 * Any signature that does not verify fails the whole verification.
 */
#ifndef BOMGATE_SIGN_H
#define BOMGATE_SIGN_H

#include <stddef.h>

enum sign_key_type {
	SIGN_KEY_RSA,
	SIGN_KEY_EC,		/* ECDSA on P-256 */
};

#define SIGN_RSA_BITS_DEFAULT	3072
#define SIGN_DAYS_DEFAULT	365

struct sign_keygen {
	enum sign_key_type type;
	int bits;		/* RSA only; 0: SIGN_RSA_BITS_DEFAULT */
	const char *subject;	/* "CN=name,O=org" or "/CN=name/O=org" */
	int days;		/* validity; 0: SIGN_DAYS_DEFAULT */
	long not_before;	/* seconds from now, may be negative (tests) */
	int force;		/* replace an existing private key */
};

/* Writes the private key (PEM, mode 0600) and a self-signed certificate
 * (PEM) through fileio (temp files + rename, symlinks refused). An
 * existing key is never replaced unless kg->force (-EEXIST, checked
 * before anything is generated and again, atomically, at the rename).
 * 0 or -errno, err says why. */
int sign_key_generate(const struct sign_keygen *kg, const char *key_path,
		      const char *cert_path, char *err, size_t errlen);

struct sign_signer {
	const char *key_path;	/* PEM private key */
	const char *cert_path;	/* PEM certificate matching it */
	const char *passphrase;	/* for an encrypted key; NULL: ask on the
				 * terminal if there is one */
};

/* One DER CMS with one SignerInfo per signer. *sig is malloc()ed. */
int sign_data(const void *data, size_t len, const struct sign_signer *signers,
	      int nr_signers, void **sig, size_t *siglen, char *err,
	      size_t errlen);

enum sign_status {
	SIGN_OK,
	SIGN_ERR_MALFORMED,		/* not a detached CMS signedData */
	SIGN_ERR_UNKNOWN_SIGNER,	/* signer not among trusted certs */
	SIGN_ERR_EXPIRED,		/* signer's certificate expired */
	SIGN_ERR_NOT_YET_VALID,		/* ... or not valid yet */
	SIGN_ERR_DIGEST_MISMATCH,	/* data is not what was signed */
	SIGN_ERR_BAD_SIGNATURE,		/* signature itself does not verify */
	SIGN_ERR_TOO_FEW_SIGNERS,	/* fewer than min_signers */
	SIGN_ERR_TRUST,			/* a trusted certificate is unusable */
	SIGN_ERR_KEY_USAGE,		/* signer's certificate is not for
					 * signing (RFC 5280 key usage) */
	SIGN_NR_STATUS
};

#define SIGN_MAX_SIGNERS	32

struct sign_result {
	enum sign_status status;
	int nr_signers;			/* distinct trusted signers verified */
	char signers[SIGN_MAX_SIGNERS][256];	/* their subjects */
};

struct sign_blob {
	const void *data;
	size_t len;
	const char *name;		/* for messages: the file name */
};

/*
 * Verify @data against the signatures. Returns 0 when every signature
 * verifies and at least @min_signers (>= 1) distinct trusted certificates
 * signed; -EKEYREJECTED with res->status and err naming the reason when
 * not; other -errno when a file cannot be read.
 */
int sign_verify_mem(const void *data, size_t len, const struct sign_blob *sigs,
		    int nr_sigs, const char *const *trust_paths, int nr_trust,
		    int min_signers, struct sign_result *res, char *err,
		    size_t errlen);
int sign_verify(const void *data, size_t len, const char *const *sig_paths,
		int nr_sigs, const char *const *trust_paths, int nr_trust,
		int min_signers, struct sign_result *res, char *err,
		size_t errlen);

/* Who signed @sig, without trusting anyone: per SignerInfo, the subject
 * and SHA-256 fingerprint of the certificate the CMS carries, and whether
 * the signature matches @data by that certificate's key. Nothing here is
 * a verification: anyone can make a certificate with any subject. */
struct sign_show_signer {
	char subject[256];
	char fingerprint[65];	/* "" when no certificate is included */
	int matches;		/* signature over @data verifies by it */
};

struct sign_show {
	int nr;
	struct sign_show_signer s[SIGN_MAX_SIGNERS];
};

/* 0, or -EKEYREJECTED (not a detached CMS signedData; err says). */
int sign_show(const void *data, size_t len, const struct sign_blob *sig,
	      struct sign_show *out, char *err, size_t errlen);

const char *sign_status_name(enum sign_status st);

/* SHA-256 of the DER of the (first) certificate in PEM file @cert_path. */
int sign_cert_fingerprint(const char *cert_path, unsigned char out[32],
			  char *err, size_t errlen);

#endif
