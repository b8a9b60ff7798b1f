// SPDX-License-Identifier: GPL-2.0
/*
 * Policy signatures with OpenSSL 3 (libcrypto only): key generation,
 * detached CMS signing, pinned-certificate verification with M-of-N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fileio.h"
#include "policy.h"
#include "sign.h"

#define SIG_MAX_SIZE	(1024 * 1024)

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Message plus the first OpenSSL error, then drain the queue. */
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	unsigned long e = ERR_peek_error();
	char ossl[256];
	va_list ap;
	int n;

	if (err && errlen) {
		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (e && n >= 0 && (size_t)n < errlen) {
			ERR_error_string_n(e, ossl, sizeof(ossl));
			snprintf(err + n, errlen - n, " (%s)", ossl);
		}
	}
	ERR_clear_error();
}

const char *sign_status_name(enum sign_status st)
{
	static const char *const names[] = {
		"ok", "malformed signature", "unknown signer", "expired",
		"not yet valid", "digest mismatch", "bad signature",
		"too few signers", "unusable trusted certificate",
		"certificate not for signing",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == SIGN_NR_STATUS,
		       "a name for every sign_status");

	return (unsigned int)st < SIGN_NR_STATUS ? names[st] : "?";
}

static int bio_to_file(BIO *bio, const char *path, mode_t mode,
		       unsigned int flags)
{
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);

	if (len < 0)
		return -EIO;
	return fileio_write_file(path, data, len, mode, flags);
}

/*
 * RFC 5280 for a policy signer's certificate: an end-entity certificate,
 * not a CA (4.2.1.9 basicConstraints, 4.2.1.3 keyCertSign), with a
 * keyUsage that includes digitalSignature (4.2.1.3), and an
 * extendedKeyUsage, when there is one, that allows code signing or any
 * purpose (4.2.1.12). NULL when fit, else why not.
 */
static const char *signer_unfit(X509 *x)
{
	uint32_t flags = X509_get_extension_flags(x);
	uint32_t ku = X509_get_key_usage(x);

	if (flags & EXFLAG_INVALID)
		return "has invalid or repeated extensions";
	if ((flags & EXFLAG_CA) || ((flags & EXFLAG_KUSAGE) &&
				    (ku & KU_KEY_CERT_SIGN)))
		return "is a CA certificate (CA:TRUE or keyCertSign), not a signer's";
	if (!(flags & EXFLAG_KUSAGE))
		return "has no keyUsage extension (digitalSignature is required)";
	if (!(ku & KU_DIGITAL_SIGNATURE))
		return "has a keyUsage without digitalSignature";
	if ((flags & EXFLAG_XKUSAGE) &&
	    !(X509_get_extended_key_usage(x) & (XKU_CODE_SIGN | XKU_ANYEKU)))
		return "has an extendedKeyUsage without codeSigning";
	return NULL;
}

/* Why @x cannot sign now (validity, then key usage), or NULL. */
static const char *signer_unusable(X509 *x)
{
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0)
		return "has expired";
	if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0)
		return "is not valid yet";
	return signer_unfit(x);
}

static int parse_subject(X509_NAME *name, const char *subject)
{
	char *copy, *tok, *save = NULL, *eq;
	const char *sep = subject[0] == '/' ? "/" : ",";
	int n = 0, ret = 0;

	copy = strdup(subject);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, sep, &save); tok;
	     tok = strtok_r(NULL, sep, &save)) {
		while (*tok == ' ')
			tok++;
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1]) {
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, tok, MBSTRING_UTF8,
						(unsigned char *)eq + 1, -1, -1, 0)) {
			ret = -EINVAL;
			break;
		}
		n++;
	}
	free(copy);
	return ret ? ret : n ? 0 : -EINVAL;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -EINVAL;
}

static X509 *make_cert(EVP_PKEY *key, const struct sign_keygen *kg,
		       char *err, size_t errlen)
{
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	X509_NAME *name;
	int days = kg->days > 0 ? kg->days : SIGN_DAYS_DEFAULT;

	x = X509_new();
	bn = BN_new();
	if (!x || !bn || !X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), kg->not_before) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x),
			     kg->not_before + (long)days * 86400) ||
	    !X509_set_pubkey(x, key)) {
		seterr(err, errlen, "cannot build the certificate");
		goto fail;
	}
	name = X509_get_subject_name(x);
	if (parse_subject(name, kg->subject ? kg->subject : "CN=bomgate policy signer")) {
		seterr(err, errlen, "bad --subject '%s' (want CN=name,O=org or /CN=name/O=org)",
		       kg->subject);
		goto fail;
	}
	if (!X509_set_issuer_name(x, name) ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, NID_ext_key_usage, "codeSigning") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    !X509_sign(x, key, EVP_sha256())) {
		seterr(err, errlen, "cannot sign the certificate");
		goto fail;
	}
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

int sign_key_generate(const struct sign_keygen *kg, const char *key_path,
		      const char *cert_path, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *kb = NULL, *cb = NULL;
	int bits = kg->bits ? kg->bits : SIGN_RSA_BITS_DEFAULT;
	unsigned int kflags = kg->force ? 0 : FILEIO_NOREPLACE;
	const char *bad = key_path;
	int ret;

	/* before the (slow) key generation */
	ret = fileio_out_check(key_path, kflags);
	if (!ret) {
		bad = cert_path;
		ret = fileio_out_check(cert_path, 0);
	}
	if (ret) {
		seterr(err, errlen, "%s: %s", bad, fileio_strerror(ret));
		goto out;
	}
	ret = -EINVAL;
	if (kg->type == SIGN_KEY_RSA) {
		if (bits < 2048 || bits > 16384) {
			seterr(err, errlen, "RSA key size %d out of range 2048..16384",
			       bits);
			goto out;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	}
	if (!key) {
		seterr(err, errlen, "key generation failed");
		goto out;
	}
	x = make_cert(key, kg, err, errlen);
	if (!x)
		goto out;
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (!kb || !cb ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x)) {
		seterr(err, errlen, "cannot encode the key or certificate");
		goto out;
	}
	ret = bio_to_file(kb, key_path, 0600, kflags);
	if (ret) {
		seterr(err, errlen, "%s: %s", key_path, fileio_strerror(ret));
		goto out;
	}
	ret = bio_to_file(cb, cert_path, 0644, 0);
	if (ret)
		seterr(err, errlen, "%s: %s", cert_path, fileio_strerror(ret));
out:
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return ret;
}

struct pass_ctx {
	const char *pass;
	int asked;		/* the key is encrypted */
	int no_tty;		/* ... and there was no one to ask */
};

static int pass_cb(char *buf, int size, int rwflag, void *arg)
{
	struct pass_ctx *pc = arg;
	int fd, n;

	pc->asked = 1;
	if (pc->pass) {
		n = strlen(pc->pass);
		if (n >= size)
			return -1;
		memcpy(buf, pc->pass, n);
		return n;
	}
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		pc->no_tty = 1;	/* CI: say what to do, do not hang */
		return -1;
	}
	close(fd);
	return PEM_def_callback(buf, size, rwflag, NULL);
}

static EVP_PKEY *load_key(const struct sign_signer *sg, char *err,
			  size_t errlen)
{
	struct pass_ctx pc = { .pass = sg->passphrase };
	EVP_PKEY *key = NULL;
	BIO *b = BIO_new_file(sg->key_path, "r");

	if (b)
		key = PEM_read_bio_PrivateKey(b, NULL, pass_cb, &pc);
	if (!key && pc.no_tty)
		seterr(err, errlen, "%s: the key is encrypted and there is no terminal to ask for its passphrase (give --passphrase-file FILE or --passphrase-env VAR)",
		       sg->key_path);
	else if (!key && pc.asked)
		seterr(err, errlen, "%s: cannot decrypt the key (wrong passphrase?)",
		       sg->key_path);
	else if (!key)
		seterr(err, errlen, "%s: cannot read a PEM private key",
		       sg->key_path);
	BIO_free(b);
	return key;
}

static X509 *load_cert(const char *path, char *err, size_t errlen)
{
	X509 *x = NULL;
	BIO *b = BIO_new_file(path, "r");

	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x && b && BIO_reset(b) == 0)
		x = d2i_X509_bio(b, NULL);
	if (!x)
		seterr(err, errlen, "%s: cannot read an X.509 certificate", path);
	BIO_free(b);
	return x;
}

int sign_data(const void *data, size_t len, const struct sign_signer *signers,
	      int nr, void **sig, size_t *siglen, char *err, size_t errlen)
{
	const unsigned int flags = CMS_BINARY | CMS_DETACHED | CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *in = NULL, *out = NULL;
	const char *why;
	char *p;
	long n;
	int i, ret = -EINVAL;

	cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL);
	if (!cms || nr < 1) {
		seterr(err, errlen, "cannot create a CMS structure");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		key = load_key(&signers[i], err, errlen);
		if (!key)
			goto out;
		x = load_cert(signers[i].cert_path, err, errlen);
		if (!x)
			goto out;
		if (X509_check_private_key(x, key) != 1) {
			seterr(err, errlen, "%s does not match the key %s",
			       signers[i].cert_path, signers[i].key_path);
			goto out;
		}
		/* a signature nobody could verify is not made */
		why = signer_unusable(x);
		if (why) {
			seterr(err, errlen, "%s: certificate %s: not signing",
			       signers[i].cert_path, why);
			goto out;
		}
		if (!CMS_add1_signer(cms, x, key, EVP_sha256(), flags)) {
			seterr(err, errlen, "%s: cannot add the signer",
			       signers[i].cert_path);
			goto out;
		}
		EVP_PKEY_free(key);
		X509_free(x);
		key = NULL;
		x = NULL;
	}
	in = BIO_new_mem_buf(data, len);
	out = BIO_new(BIO_s_mem());
	if (!in || !out || !CMS_final(cms, in, NULL, flags) ||
	    i2d_CMS_bio(out, cms) != 1) {
		seterr(err, errlen, "signing failed");
		goto out;
	}
	n = BIO_get_mem_data(out, &p);
	*sig = malloc(n ? n : 1);
	if (!*sig) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(*sig, p, n);
	*siglen = n;
	ret = 0;
out:
	BIO_free(in);
	BIO_free(out);
	EVP_PKEY_free(key);
	X509_free(x);
	CMS_ContentInfo_free(cms);
	return ret;
}

/* --- verification ------------------------------------------------------ */

struct vctx {
	STACK_OF(X509) *trust;
	struct sign_result *res;
	unsigned char seen[SIGN_MAX_SIGNERS][32];	/* cert fingerprints */
	char *err;
	size_t errlen;
};

static int load_trust(struct vctx *v, const char *const *paths, int nr)
{
	X509 *x;
	BIO *b;
	int i, n;

	for (i = 0; i < nr; i++) {
		b = BIO_new_file(paths[i], "r");
		if (!b) {
			seterr(v->err, v->errlen, "%s: cannot open trusted certificate",
			       paths[i]);
			return -ENOENT;
		}
		for (n = 0; (x = PEM_read_bio_X509(b, NULL, NULL, NULL)); n++)
			sk_X509_push(v->trust, x);
		ERR_clear_error();
		if (!n && BIO_reset(b) == 0 && (x = d2i_X509_bio(b, NULL))) {
			sk_X509_push(v->trust, x);
			n++;
		}
		BIO_free(b);
		if (!n) {
			v->res->status = SIGN_ERR_TRUST;
			seterr(v->err, v->errlen, "%s: no X.509 certificate in it",
			       paths[i]);
			return -EKEYREJECTED;
		}
	}
	return 0;
}

static void subject_of(X509 *x, char *buf, size_t len)
{
	X509_NAME_oneline(X509_get_subject_name(x), buf, len);
}

static int fail(struct vctx *v, enum sign_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vctx *v, enum sign_status st, const char *fmt, ...)
{
	va_list ap;

	v->res->status = st;
	if (v->err && v->errlen) {
		va_start(ap, fmt);
		vsnprintf(v->err, v->errlen, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return -EKEYREJECTED;
}

/* Who is this SignerInfo? For messages about unknown signers. */
static X509 *included_cert(STACK_OF(X509) *certs, CMS_SignerInfo *si);

static void describe_signer(CMS_ContentInfo *cms, CMS_SignerInfo *si,
			    char *buf, size_t len)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	X509 *x = included_cert(certs, si);

	if (x)
		subject_of(x, buf, len);
	else
		snprintf(buf, len, "(no certificate included)");
	sk_X509_pop_free(certs, X509_free);
}

static void time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	BIO *mb = BIO_new(BIO_s_mem());
	int n = 0;

	if (mb && ASN1_TIME_print(mb, t) > 0)
		n = BIO_read(mb, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(mb);
}

static int check_signer(struct vctx *v, const char *name, CMS_ContentInfo *cms,
			CMS_SignerInfo *si, X509 **out)
{
	char subj[256], when[64];
	const char *why;
	X509 *x = NULL;
	int i;

	for (i = 0; i < sk_X509_num(v->trust); i++) {
		if (!CMS_SignerInfo_cert_cmp(si, sk_X509_value(v->trust, i))) {
			x = sk_X509_value(v->trust, i);
			break;
		}
	}
	if (!x) {
		describe_signer(cms, si, subj, sizeof(subj));
		return fail(v, SIGN_ERR_UNKNOWN_SIGNER,
			    "%s: unknown signer %s: not among the %d trusted certificates",
			    name, subj, sk_X509_num(v->trust));
	}
	subject_of(x, subj, sizeof(subj));
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
		time_str(X509_get0_notAfter(x), when, sizeof(when));
		return fail(v, SIGN_ERR_EXPIRED,
			    "%s: signer %s: certificate expired on %s", name,
			    subj, when);
	}
	if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) {
		time_str(X509_get0_notBefore(x), when, sizeof(when));
		return fail(v, SIGN_ERR_NOT_YET_VALID,
			    "%s: signer %s: certificate not valid before %s",
			    name, subj, when);
	}
	why = signer_unfit(x);
	if (why)
		return fail(v, SIGN_ERR_KEY_USAGE, "%s: signer %s: certificate %s",
			    name, subj, why);
	*out = x;
	return 0;
}

static int has_reason(int reason)
{
	unsigned long e;

	while ((e = ERR_get_error()))
		if (ERR_GET_LIB(e) == ERR_LIB_CMS && ERR_GET_REASON(e) == reason)
			return 1;
	return 0;
}

static void record_signer(struct vctx *v, X509 *x)
{
	struct sign_result *res = v->res;
	unsigned char md[32];
	unsigned int mdlen = 0;
	int i;

	if (!X509_digest(x, EVP_sha256(), md, &mdlen))
		return;
	for (i = 0; i < res->nr_signers; i++)
		if (!memcmp(v->seen[i], md, 32))
			return;
	if (res->nr_signers >= SIGN_MAX_SIGNERS)
		return;
	memcpy(v->seen[res->nr_signers], md, 32);
	subject_of(x, res->signers[res->nr_signers],
		   sizeof(res->signers[0]));
	res->nr_signers++;
}

static int verify_one(struct vctx *v, const void *data, size_t len,
		      const struct sign_blob *sig)
{
	const unsigned int flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY |
				   CMS_NOINTERN;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *used = NULL;
	CMS_ContentInfo *cms = NULL;
	X509 *x;
	BIO *sb = NULL, *db = NULL;
	int i, ret = 0;

	sb = BIO_new_mem_buf(sig->data, sig->len);
	if (sb)
		cms = d2i_CMS_bio(sb, NULL);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1) {
		ret = fail(v, SIGN_ERR_MALFORMED,
			   "%s: not a detached CMS signedData signature",
			   sig->name);
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	used = sk_X509_new_null();
	if (!used || sk_CMS_SignerInfo_num(sis) < 1) {
		ret = fail(v, SIGN_ERR_MALFORMED, "%s: no signer in it",
			   sig->name);
		goto out;
	}
	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
		ret = check_signer(v, sig->name, cms,
				   sk_CMS_SignerInfo_value(sis, i), &x);
		if (ret)
			goto out;
		sk_X509_push(used, x);
	}
	db = BIO_new_mem_buf(data, len);
	if (!db || CMS_verify(cms, used, NULL, db, NULL, flags) != 1) {
		if (has_reason(CMS_R_CONTENT_VERIFY_ERROR))
			ret = fail(v, SIGN_ERR_DIGEST_MISMATCH,
				   "%s: digest mismatch: the policy is not the one that was signed",
				   sig->name);
		else
			ret = fail(v, SIGN_ERR_BAD_SIGNATURE,
				   "%s: bad signature: does not verify with the signer's key",
				   sig->name);
		goto out;
	}
	for (i = 0; i < sk_X509_num(used); i++)
		record_signer(v, sk_X509_value(used, i));
out:
	sk_X509_free(used);	/* borrowed from v->trust */
	BIO_free(sb);
	BIO_free(db);
	CMS_ContentInfo_free(cms);
	return ret;
}

/* The certificate @cms carries for @si, or NULL. Borrowed from @certs. */
static X509 *included_cert(STACK_OF(X509) *certs, CMS_SignerInfo *si)
{
	for (int i = 0; certs && i < sk_X509_num(certs); i++)
		if (!CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)))
			return sk_X509_value(certs, i);
	return NULL;
}

/* Does this one SignerInfo's signature cover @data, by @x's key? */
static int signer_matches(CMS_ContentInfo *cms, CMS_SignerInfo *si, X509 *x,
			  const void *data, size_t len)
{
	BIO *db = BIO_new_mem_buf(data, len), *chain = NULL, *next;
	char buf[4096];
	int ok = 0;

	CMS_SignerInfo_set1_signer_cert(si, x);
	if (db && CMS_SignerInfo_verify(si) == 1)
		chain = CMS_dataInit(cms, db);
	if (chain) {
		while (BIO_read(chain, buf, sizeof(buf)) > 0)
			;
		ok = CMS_SignerInfo_verify_content(si, chain) == 1;
		while (chain && chain != db) {
			next = BIO_pop(chain);
			BIO_free(chain);
			chain = next;
		}
	}
	BIO_free(db);
	ERR_clear_error();
	return ok;
}

static void show_one(const void *data, size_t len, CMS_ContentInfo *cms,
		     CMS_SignerInfo *si, X509 *x, struct sign_show_signer *o)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	subject_of(x, o->subject, sizeof(o->subject));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && mdlen == 32)
		for (int k = 0; k < 32; k++)
			sprintf(o->fingerprint + 2 * k, "%02x", md[k]);
	o->matches = signer_matches(cms, si, x, data, len);
}

int sign_show(const void *data, size_t len, const struct sign_blob *sig,
	      struct sign_show *out, char *err, size_t errlen)
{
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	X509 *x;
	BIO *sb;
	int i, ret = 0;

	memset(out, 0, sizeof(*out));
	sb = BIO_new_mem_buf(sig->data, sig->len);
	if (sb)
		cms = d2i_CMS_bio(sb, NULL);
	BIO_free(sb);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1) {
		seterr(err, errlen, "%s: not a detached CMS signedData signature",
		       sig->name);
		ret = -EKEYREJECTED;
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	certs = CMS_get1_certs(cms);
	for (i = 0; i < sk_CMS_SignerInfo_num(sis) && i < SIGN_MAX_SIGNERS; i++) {
		si = sk_CMS_SignerInfo_value(sis, i);
		x = included_cert(certs, si);
		if (!x)
			snprintf(out->s[i].subject, sizeof(out->s[i].subject),
				 "(no certificate included)");
		else
			show_one(data, len, cms, si, x, &out->s[i]);
		out->nr++;
	}
out:
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	return ret;
}

int sign_verify_mem(const void *data, size_t len, const struct sign_blob *sigs,
		    int nr_sigs, const char *const *trust_paths, int nr_trust,
		    int min_signers, struct sign_result *res, char *err,
		    size_t errlen)
{
	struct vctx v = { .res = res, .err = err, .errlen = errlen };
	char list[512];
	size_t n = 0;
	int i, ret;

	memset(res, 0, sizeof(*res));
	if (min_signers < 1)
		min_signers = 1;
	v.trust = sk_X509_new_null();
	if (!v.trust)
		return -ENOMEM;
	if (nr_trust < 1) {
		ret = fail(&v, SIGN_ERR_TRUST, "no trusted certificate given");
		goto out;
	}
	ret = load_trust(&v, trust_paths, nr_trust);
	if (ret)
		goto out;
	if (nr_sigs < 1) {
		ret = fail(&v, SIGN_ERR_MALFORMED, "no signature given");
		goto out;
	}
	for (i = 0; i < nr_sigs; i++) {
		ret = verify_one(&v, data, len, &sigs[i]);
		if (ret)
			goto out;
	}
	if (res->nr_signers < min_signers) {
		list[0] = '\0';
		for (i = 0; i < res->nr_signers && n < sizeof(list); i++)
			n += snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? ", " : "", res->signers[i]);
		ret = fail(&v, SIGN_ERR_TOO_FEW_SIGNERS,
			   "too few signers: %d distinct trusted signer%s (%s), %d required",
			   res->nr_signers, res->nr_signers == 1 ? "" : "s",
			   list, min_signers);
		goto out;
	}
	res->status = SIGN_OK;
out:
	sk_X509_pop_free(v.trust, X509_free);
	return ret;
}

int sign_verify(const void *data, size_t len, const char *const *sig_paths,
		int nr_sigs, const char *const *trust_paths, int nr_trust,
		int min_signers, struct sign_result *res, char *err,
		size_t errlen)
{
	struct sign_blob *blobs;
	void *buf;
	size_t blen;
	int i, ret = 0;

	memset(res, 0, sizeof(*res));
	blobs = calloc(nr_sigs > 0 ? nr_sigs : 1, sizeof(*blobs));
	if (!blobs)
		return -ENOMEM;
	for (i = 0; i < nr_sigs; i++) {
		ret = fileio_read_file(sig_paths[i], SIG_MAX_SIZE, &buf, &blen);
		if (ret) {
			if (err && errlen)
				snprintf(err, errlen, "%s: %s", sig_paths[i],
					 ret == -EFBIG ? "too large for a signature" :
					 strerror(-ret));
			goto out;
		}
		blobs[i].data = buf;
		blobs[i].len = blen;
		blobs[i].name = sig_paths[i];
	}
	ret = sign_verify_mem(data, len, blobs, nr_sigs, trust_paths, nr_trust,
			      min_signers, res, err, errlen);
out:
	for (i = 0; i < nr_sigs; i++)
		free((void *)blobs[i].data);
	free(blobs);
	return ret;
}

int sign_cert_fingerprint(const char *cert_path, unsigned char out[32],
			  char *err, size_t errlen)
{
	unsigned int len = 32;
	BIO *b = BIO_new_file(cert_path, "r");
	X509 *x = NULL, *more = NULL;
	int ret = -EINVAL;

	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x)
		more = PEM_read_bio_X509(b, NULL, NULL, NULL);
	ERR_clear_error();
	if (!x)
		seterr(err, errlen, "%s: cannot read a PEM X.509 certificate",
		       cert_path);
	else if (more)	/* a second one would be trusted unseen */
		seterr(err, errlen, "%s: holds more than one certificate (one per file when sealed)",
		       cert_path);
	else if (!X509_digest(x, EVP_sha256(), out, &len) || len != 32)
		seterr(err, errlen, "%s: cannot compute the certificate's SHA-256",
		       cert_path);
	else
		ret = 0;
	X509_free(more);
	X509_free(x);
	BIO_free(b);
	return ret;
}
