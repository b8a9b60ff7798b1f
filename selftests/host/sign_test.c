// SPDX-License-Identifier: GPL-2.0
/*
 * Policy signatures with real generated keys: RSA and ECDSA, wrong signer,
 * expired and not-yet-valid certificates, tampering, M-of-N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "fileio.h"
#include "policy.h"
#include "sign.h"

static const char data[] = "pretend this is a compiled policy\n";

FIXTURE(sign) {
	char dir[64];
	char key[4][96], cert[4][96];	/* alice rsa, bob ec, mallory, expired */
};

static void keygen(struct __test_metadata *_metadata, FIXTURE_DATA(sign) *self,
		   int i, enum sign_key_type type, const char *subj,
		   long not_before, int days)
{
	struct sign_keygen kg = { .type = type, .subject = subj,
				  .not_before = not_before, .days = days,
				  .bits = 2048, .force = 1 };
	char err[512], dir[64];

	memcpy(dir, self->dir, sizeof(dir));
	snprintf(self->key[i], sizeof(self->key[i]), "%s/k%d.pem", dir, i);
	snprintf(self->cert[i], sizeof(self->cert[i]), "%s/c%d.pem", dir, i);
	ASSERT_EQ(0, sign_key_generate(&kg, self->key[i], self->cert[i], err,
				       sizeof(err))) TH_LOG("%s", err);
}

FIXTURE_SETUP(sign)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/sign_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	keygen(_metadata, self, 0, SIGN_KEY_RSA, "CN=alice,O=ops", 0, 30);
	keygen(_metadata, self, 1, SIGN_KEY_EC, "/CN=bob/O=sec", 0, 30);
	keygen(_metadata, self, 2, SIGN_KEY_RSA, "CN=mallory", 0, 30);
	keygen(_metadata, self, 3, SIGN_KEY_EC, "CN=old", -10 * 86400, 1);
}

FIXTURE_TEARDOWN(sign)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

static int do_sign(FIXTURE_DATA(sign) *self, const int *who, int n,
		   const void *d, size_t len, struct sign_blob *out)
{
	struct sign_signer s[4] = {};
	char err[512];
	void *sig;
	size_t siglen;
	int i, ret;

	for (i = 0; i < n; i++) {
		s[i].key_path = self->key[who[i]];
		s[i].cert_path = self->cert[who[i]];
	}
	ret = sign_data(d, len, s, n, &sig, &siglen, err, sizeof(err));
	if (ret)
		return ret;
	out->data = sig;
	out->len = siglen;
	out->name = "test.sig";
	return 0;
}

/* A detached CMS made by OpenSSL itself, with any certificate: for the
 * ones bomgate's own sign_data() refuses to sign with. */
static int ossl_sign(const char *key, const char *cert, const void *d,
		     size_t len, struct sign_blob *out)
{
	const unsigned int flags = CMS_BINARY | CMS_DETACHED | CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL;
	FILE *f;
	int n = -1;

	f = fopen(key, "r");
	if (f) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	f = fopen(cert, "r");
	if (f) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	in = BIO_new_mem_buf(d, len);
	if (k && x && in)
		cms = CMS_sign(x, k, NULL, in, flags);
	if (cms)
		n = i2d_CMS_ContentInfo(cms, &der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	X509_free(x);
	EVP_PKEY_free(k);
	if (n <= 0)
		return -EIO;
	out->data = der;
	out->len = n;
	out->name = "ossl.sig";
	return 0;
}

static int verify(FIXTURE_DATA(sign) *self, const void *d, size_t len,
		  struct sign_blob *sigs, int nsigs, const int *trusted,
		  int ntrust, int min, struct sign_result *res, char *err,
		  size_t errlen)
{
	const char *t[4];
	int i;

	for (i = 0; i < ntrust; i++)
		t[i] = self->cert[trusted[i]];
	return sign_verify_mem(d, len, sigs, nsigs, t, ntrust, min, res, err,
			       errlen);
}

TEST_F(sign, rsa_and_ec_verify)
{
	static const int alice[] = { 0 }, bob[] = { 1 }, both[] = { 0, 1 };
	struct sign_blob a, b;
	struct sign_result res;
	char err[512];

	ASSERT_EQ(0, do_sign(self, alice, 1, data, sizeof(data), &a));
	ASSERT_EQ(0, do_sign(self, bob, 1, data, sizeof(data), &b));
	ASSERT_EQ(0, verify(self, data, sizeof(data), &a, 1, alice, 1, 1, &res,
			    err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(SIGN_OK, res.status);
	EXPECT_EQ(1, res.nr_signers);
	EXPECT_STREQ("/CN=alice/O=ops", res.signers[0]);
	ASSERT_EQ(0, verify(self, data, sizeof(data), &b, 1, both, 2, 1, &res,
			    err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("/CN=bob/O=sec", res.signers[0]);
	free((void *)a.data);
	free((void *)b.data);
}

TEST_F(sign, unknown_signer)
{
	static const int mallory[] = { 2 }, good[] = { 0, 1 };
	struct sign_blob s;
	struct sign_result res;
	char err[512];

	ASSERT_EQ(0, do_sign(self, mallory, 1, data, sizeof(data), &s));
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &s, 1, good,
					2, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_UNKNOWN_SIGNER, res.status);
	EXPECT_NE(NULL, strstr(err, "unknown signer /CN=mallory")) TH_LOG("%s", err);
	EXPECT_EQ(0, res.nr_signers);
	free((void *)s.data);
}

TEST_F(sign, expired_certificate)
{
	static const int old[] = { 3 };
	struct sign_blob s;
	struct sign_result res;
	char err[512];

	/* bomgate does not sign with it */
	EXPECT_EQ(-EINVAL, do_sign(self, old, 1, data, sizeof(data), &s));
	ASSERT_EQ(0, ossl_sign(self->key[3], self->cert[3], data, sizeof(data), &s));
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &s, 1, old,
					1, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_EXPIRED, res.status);
	EXPECT_NE(NULL, strstr(err, "certificate expired on")) TH_LOG("%s", err);
	OPENSSL_free((void *)s.data);
}

TEST_F(sign, not_yet_valid_certificate)
{
	static const int future[] = { 3 };
	struct sign_blob s;
	struct sign_result res;
	char err[512];

	keygen(_metadata, self, 3, SIGN_KEY_RSA, "CN=future", 86400, 10);
	EXPECT_EQ(-EINVAL, do_sign(self, future, 1, data, sizeof(data), &s));
	ASSERT_EQ(0, ossl_sign(self->key[3], self->cert[3], data, sizeof(data), &s));
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &s, 1, future,
					1, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_NOT_YET_VALID, res.status);
	OPENSSL_free((void *)s.data);
}

/* Issue 11, bug 5: verify accepted signer certificates that RFC 5280 does
 * not allow to sign: CA:TRUE, no keyUsage, keyUsage without
 * digitalSignature, an extendedKeyUsage without codeSigning. Certificates
 * made by the openssl command line; OpenSSL's own CMS signs with them. */
TEST_F(sign, signer_key_usage)
{
	static const struct {
		const char *ext, *why;
	} certs[] = {
		{ "basicConstraints=critical,CA:TRUE\nkeyUsage=digitalSignature,keyCertSign",
		  "is a CA certificate" },
		{ "basicConstraints=CA:FALSE", "has no keyUsage extension" },
		{ "basicConstraints=CA:FALSE\nkeyUsage=keyEncipherment",
		  "keyUsage without digitalSignature" },
		{ "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth",
		  "extendedKeyUsage without codeSigning" },
		{ "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning",
		  NULL },
		{ "keyUsage=digitalSignature", NULL },
	};
	char cmd[2048], k[128], c[128], err[512];
	const char *t[1] = { c };
	struct sign_signer sg = { .key_path = k, .cert_path = c };
	struct sign_result res;
	struct sign_blob s;
	void *sig;
	size_t len;

	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		snprintf(k, sizeof(k), "%s/ku%zu.key", self->dir, i);
		snprintf(c, sizeof(c), "%s/ku%zu.crt", self->dir, i);
		snprintf(cmd, sizeof(cmd),
			 "printf '[req]\ndistinguished_name=dn\n[dn]\n[x]\n%s\n' > %s/ku.cnf && "
			 "openssl req -x509 -config %s/ku.cnf -extensions x -newkey ec "
			 "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout %s -out %s "
			 "-subj /CN=ku%zu -days 30 2>/dev/null",
			 certs[i].ext, self->dir, self->dir, k, c, i);
		ASSERT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
		ASSERT_EQ(0, ossl_sign(k, c, data, sizeof(data), &s));
		if (!certs[i].why) {
			EXPECT_EQ(0, sign_verify_mem(data, sizeof(data), &s, 1, t, 1, 1,
						     &res, err, sizeof(err)))
				TH_LOG("%s: %s", certs[i].ext, err);
			ASSERT_EQ(0, sign_data(data, sizeof(data), &sg, 1, &sig,
					       &len, err, sizeof(err))) TH_LOG("%s", err);
			free(sig);
			OPENSSL_free((void *)s.data);
			continue;
		}
		EXPECT_EQ(-EKEYREJECTED, sign_verify_mem(data, sizeof(data), &s, 1,
							 t, 1, 1, &res, err,
							 sizeof(err)));
		EXPECT_EQ(SIGN_ERR_KEY_USAGE, res.status);
		EXPECT_NE(NULL, strstr(err, certs[i].why)) TH_LOG("%s", err);
		EXPECT_STREQ("certificate not for signing", sign_status_name(res.status));
		/* and bomgate's own sign refuses to make such a signature */
		EXPECT_EQ(-EINVAL, sign_data(data, sizeof(data), &sg, 1, &sig,
					     &len, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, certs[i].why)) TH_LOG("%s", err);
		OPENSSL_free((void *)s.data);
	}
}

TEST_F(sign, tampered_data)
{
	static const int alice[] = { 0 }, bob[] = { 1 };
	char copy[sizeof(data)], err[512];
	struct sign_result res;
	struct sign_blob s;
	int who;

	for (who = 0; who < 2; who++) {
		ASSERT_EQ(0, do_sign(self, who ? bob : alice, 1, data,
				     sizeof(data), &s));
		memcpy(copy, data, sizeof(data));
		copy[5] ^= 1;
		EXPECT_EQ(-EKEYREJECTED, verify(self, copy, sizeof(copy), &s, 1,
						who ? bob : alice, 1, 1, &res,
						err, sizeof(err)));
		EXPECT_EQ(SIGN_ERR_DIGEST_MISMATCH, res.status) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "digest mismatch"));
		/* one byte shorter */
		EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data) - 1,
						&s, 1, who ? bob : alice, 1, 1,
						&res, err, sizeof(err)));
		EXPECT_EQ(SIGN_ERR_DIGEST_MISMATCH, res.status);
		free((void *)s.data);
	}
}

TEST_F(sign, tampered_signature)
{
	static const int alice[] = { 0 };
	struct sign_result res;
	struct sign_blob s;
	char err[512];
	unsigned char *p;

	ASSERT_EQ(0, do_sign(self, alice, 1, data, sizeof(data), &s));
	p = (unsigned char *)s.data;
	p[s.len - 1] ^= 0x40;	/* last byte of the RSA signature value */
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &s, 1, alice,
					1, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_BAD_SIGNATURE, res.status) TH_LOG("%s", err);
	s.len = 10;		/* truncated: not CMS at all */
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &s, 1, alice,
					1, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_MALFORMED, res.status);
	free((void *)s.data);
}

TEST_F(sign, m_of_n)
{
	static const int alice[] = { 0 }, bob[] = { 1 }, ab[] = { 0, 1 };
	static const int trust3[] = { 0, 1, 2 };
	struct sign_blob sigs[3];
	struct sign_result res;
	char err[512];

	ASSERT_EQ(0, do_sign(self, alice, 1, data, sizeof(data), &sigs[0]));
	ASSERT_EQ(0, do_sign(self, bob, 1, data, sizeof(data), &sigs[1]));
	ASSERT_EQ(0, do_sign(self, ab, 2, data, sizeof(data), &sigs[2]));
	/* one signer, two required */
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), sigs, 1,
					trust3, 3, 2, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_TOO_FEW_SIGNERS, res.status);
	EXPECT_NE(NULL, strstr(err, "too few signers: 1 distinct")) TH_LOG("%s", err);
	/* the same signer twice still counts once */
	{
		struct sign_blob twice[2] = { sigs[0], sigs[0] };

		EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), twice,
						2, trust3, 3, 2, &res, err,
						sizeof(err)));
		EXPECT_EQ(SIGN_ERR_TOO_FEW_SIGNERS, res.status);
	}
	/* two files */
	EXPECT_EQ(0, verify(self, data, sizeof(data), sigs, 2, trust3, 3, 2,
			    &res, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2, res.nr_signers);
	/* one CMS, two SignerInfos */
	EXPECT_EQ(0, verify(self, data, sizeof(data), &sigs[2], 1, trust3, 3, 2,
			    &res, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2, res.nr_signers);
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &sigs[2], 1,
					trust3, 3, 3, &res, err, sizeof(err)));
	/* two signed, but one of them is not trusted: the whole set fails */
	EXPECT_EQ(-EKEYREJECTED, verify(self, data, sizeof(data), &sigs[2], 1,
					alice, 1, 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_UNKNOWN_SIGNER, res.status);
	free((void *)sigs[0].data);
	free((void *)sigs[1].data);
	free((void *)sigs[2].data);
}

TEST_F(sign, key_cert_mismatch_and_bad_inputs)
{
	struct sign_signer s = { .key_path = self->key[0], .cert_path = self->cert[1] };
	struct sign_keygen kg = { .type = SIGN_KEY_RSA, .subject = "bogus" };
	struct sign_result res;
	struct sign_blob b = { data, sizeof(data), "x" };
	const char *t[1] = { self->key[0] };	/* not a certificate */
	char err[512], k[128], c[128];
	void *sig;
	size_t len;

	EXPECT_EQ(-EINVAL, sign_data(data, sizeof(data), &s, 1, &sig, &len,
				     err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "does not match the key"));
	snprintf(k, sizeof(k), "%s/x.key", self->dir);
	snprintf(c, sizeof(c), "%s/x.crt", self->dir);
	EXPECT_EQ(-EINVAL, sign_key_generate(&kg, k, c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "bad --subject"));
	EXPECT_NE(0, access(k, F_OK));	/* nothing half-written */
	EXPECT_EQ(-EKEYREJECTED, sign_verify_mem(data, sizeof(data), &b, 1, t, 1,
						 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_TRUST, res.status);
	t[0] = self->cert[0];
	EXPECT_EQ(-EKEYREJECTED, sign_verify_mem(data, sizeof(data), &b, 1, t, 1,
						 1, &res, err, sizeof(err)));
	EXPECT_EQ(SIGN_ERR_MALFORMED, res.status);
	EXPECT_EQ(-EKEYREJECTED, sign_verify_mem(data, sizeof(data), &b, 0, t, 1,
						 1, &res, err, sizeof(err)));
}

TEST_F(sign, files_and_key_mode)
{
	static const int alice[] = { 0 };
	struct sign_blob s;
	struct sign_result res;
	char path[128], err[512];
	const char *sp[1] = { path }, *tp[1] = { self->cert[0] };
	struct stat st;

	ASSERT_EQ(0, stat(self->key[0], &st));
	EXPECT_EQ(0600U, st.st_mode & 0777);
	ASSERT_EQ(0, do_sign(self, alice, 1, data, sizeof(data), &s));
	snprintf(path, sizeof(path), "%s/p.sig", self->dir);
	ASSERT_EQ(0, fileio_write_file(path, s.data, s.len, 0644, 0));
	EXPECT_EQ(0, sign_verify(data, sizeof(data), sp, 1, tp, 1, 1, &res,
				 err, sizeof(err))) TH_LOG("%s", err);
	unlink(path);
	EXPECT_EQ(-ENOENT, sign_verify(data, sizeof(data), sp, 1, tp, 1, 1,
				       &res, err, sizeof(err)));
	free((void *)s.data);
}

TEST(rsa_default_is_3072_bits)
{
	struct sign_keygen kg = { .type = SIGN_KEY_RSA, .subject = "CN=d" };
	char dir[] = "/tmp/sign_key.XXXXXX", k[64], c[64], err[512];
	EVP_PKEY *key;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(k, sizeof(k), "%s/k.pem", dir);
	snprintf(c, sizeof(c), "%s/c.pem", dir);
	ASSERT_EQ(0, sign_key_generate(&kg, k, c, err, sizeof(err)));
	f = fopen(k, "r");
	ASSERT_NE(NULL, f);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ASSERT_NE(NULL, key);
	EXPECT_EQ(3072, EVP_PKEY_get_bits(key));
	EVP_PKEY_free(key);
	unlink(k);
	unlink(c);
	rmdir(dir);
}

TEST_HARNESS_MAIN
