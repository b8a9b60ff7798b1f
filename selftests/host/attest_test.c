// SPDX-License-Identifier: GPL-2.0
/*
 * Signed SBOM attestations made by cosign 3.1.1 (selftests/data/attest/
 * README.md), compiled by build/bomgate as a child process: verified ones
 * compile and record signer and subject; tampered ones, wrong keys, other
 * predicates and plain SBOMs under --require-attestation are refused with
 * their exit codes, naming the file. The fingerprints and digests
 * expected are computed here with OpenSSL, not copied from bomgate.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"
#include "attest.h"
#include "fileio.h"
#include "sha256.h"

#define OUT_MAX (256 * 1024)
#define DATA "selftests/data/attest"

/* cosign attest-blob outputs (see the README) */
#define CDX_P256 "minikube.cdx.cosign-p256.bundle.json"
#define SPDX_P256 "hello-src.spdx.cosign-p256.bundle.json"
#define SPDX_RSA "hello-source.spdx.rsa.bundle.json"
#define SPDX_P256_DSSE "hello-source.spdx.p256.dsse.json"
#define CDX_ED_COSIGN "minikube.cdx.ed25519.bundle.json"
#define CDX_ED_OSSL "minikube.cdx.ed25519-openssl.dsse.json"
#define PROVENANCE "provenance.cosign-p256.bundle.json"

FIXTURE(att) {
	char dir[64];
	char bin[PATH_MAX + 16];
	char data[PATH_MAX];
	char *out;
};

FIXTURE_SETUP(att)
{
	const char *b = getenv("BOMGATE_BUILD");
	char build[PATH_MAX];

	ASSERT_NE(NULL, realpath(b && *b ? b : "build", build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	ASSERT_EQ(0, access(self->bin, X_OK));
	ASSERT_NE(NULL, realpath(DATA, self->data));
	snprintf(self->dir, sizeof(self->dir), "/tmp/attest_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->out = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(att)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
	free(self->out);
}

/* "bomgate ARGS" in the test's directory, $D the data; output (stdout +
 * stderr) in self->out, returns the exit status. */
static int run(FIXTURE_DATA(att) *self, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int run(FIXTURE_DATA(att) *self, const char *fmt, ...)
{
	char args[2048], cmd[2 * PATH_MAX + 2200], sink[4096];
	size_t n = 0, r;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && D='%s' && '%s' %s 2>&1",
		 self->dir, self->data, self->bin, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while ((r = fread(self->out + n, 1, OUT_MAX - 1 - n, p)) > 0)
		n += r;
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	self->out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* "sha256:<hex>" of a PEM public key's DER SubjectPublicKeyInfo. */
static void key_fpr(const char *dir, const char *name, char out[80])
{
	unsigned char *der = NULL, d[32];
	char path[PATH_MAX + 64], hex[65];
	EVP_PKEY *pk = NULL;
	FILE *f;
	int n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	n = pk ? i2d_PUBKEY(pk, &der) : 0;
	if (n > 0) {
		sha256_buf(der, n, d);
		sha256_hex(d, hex);
		snprintf(out, 80, "sha256:%s", hex);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
}

static void file_sha256(const char *dir, const char *name, char hex[65])
{
	char path[PATH_MAX + 64];
	size_t len;
	void *buf;
	__u8 d[32];

	hex[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fileio_read_file(path, 1 << 24, &buf, &len))
		return;
	sha256_buf(buf, len, d);
	sha256_hex(d, hex);
	free(buf);
}

/* A copy of data/@name in the test's directory with the character @skip
 * bytes after the first @after replaced by another of the same base64
 * alphabet (doing it twice gives the original back): the JSON stays valid, the bytes signed or the signature do
 * not. */
static int tamper_in(FIXTURE_DATA(att) *self, const char *dir,
		     const char *name, const char *out, const char *after,
		     size_t skip)
{
	char path[PATH_MAX + 64], *p;
	size_t len;
	void *buf;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = fileio_read_file(path, 1 << 24, &buf, &len);
	if (ret)
		return ret;
	p = memmem(buf, len, after, strlen(after));
	if (!p || (size_t)(p - (char *)buf) + strlen(after) + skip >= len) {
		free(buf);
		return -ENOENT;
	}
	p += strlen(after) + skip;
	/* an involution inside the alphabet: case of a letter, 0<->1...,
	 * '+'<->'/' */
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		*p ^= 0x20;
	else if (*p >= '0' && *p <= '9')
		*p ^= 1;
	else
		*p = *p == '+' ? '/' : '+';
	snprintf(path, sizeof(path), "%s/%s", self->dir, out);
	ret = fileio_write_file(path, buf, len, 0644, 0);
	free(buf);
	return ret;
}

static int tamper(FIXTURE_DATA(att) *self, const char *name, const char *out,
		  const char *after, size_t skip)
{
	return tamper_in(self, self->data, name, out, after, skip);
}

/* data/@name twice, in the test's directory: JSON lines. */
static int twice(FIXTURE_DATA(att) *self, const char *name, const char *out)
{
	char path[PATH_MAX + 64], *two;
	size_t len;
	void *buf;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", self->data, name);
	ret = fileio_read_file(path, 1 << 24, &buf, &len);
	if (ret)
		return ret;
	two = malloc(2 * len);
	if (!two) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(two, buf, len);
	memcpy(two + len, buf, len);
	snprintf(path, sizeof(path), "%s/%s", self->dir, out);
	ret = fileio_write_file(path, two, 2 * len, 0644, 0);
	free(two);
	free(buf);
	return ret;
}

/* The "allow <hex>" lines of `inspect --entries`, sorted, one string. */
static void digest_set(FIXTURE_DATA(att) *self, const char *bgp, char *set,
		       size_t len)
{
	char *line, *save = NULL;
	size_t o = 0;

	set[0] = '\0';
	if (run(self, "inspect --entries %s", bgp))
		return;
	for (line = strtok_r(self->out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "allow ", 6) || strlen(line) < 70)
			continue;
		if (o + 66 >= len)
			break;
		memcpy(set + o, line + 6, 64);	/* entries come sorted */
		o += 64;
		set[o++] = '\n';
		set[o] = '\0';
	}
}

TEST_F(att, cosign_cyclonedx_compiles_and_records_signer_and_subject)
{
	char fpr[80], subj[65], want[512];

	key_fpr(self->data, "cosign.pub", fpr);
	ASSERT_NE('\0', fpr[0]);
	/* cosign's subject is the blob it was given: this SBOM's copy */
	file_sha256(self->data, "minikube-excerpt.cdx.json", subj);
	ASSERT_EQ(0, run(self, "compile --require-attestation -k \"$D/cosign.pub\" "
			 "\"$D/" CDX_P256 "\" -o p.bgp")) TH_LOG("%s", self->out);
	snprintf(want, sizeof(want), "attestation verified: key %s\n", fpr);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "inspect p.bgp"));
	snprintf(want, sizeof(want),
		 "/" CDX_P256 " [attestation key %s subject sha256:%s minikube.blob]",
		 fpr, subj);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s\nwant %s",
							self->out, want);
	EXPECT_NE(NULL, strstr(self->out, "(cyclonedx-json, 7 file digests)"));
	/* the source's digest is the envelope file's, as given */
	file_sha256(self->data, CDX_P256, subj);
	EXPECT_NE(NULL, strstr(self->out, subj));
	ASSERT_EQ(0, run(self, "compile --json -k \"$D/cosign.pub\" \"$D/" CDX_P256
			 "\" -o q.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "\"subject\":\"minikube.blob\""));
	EXPECT_NE(NULL, strstr(self->out,
			       "\"predicate_type\":\"https://cyclonedx.org/bom\""));
}

TEST_F(att, same_digests_as_the_plain_sbom)
{
	static const struct {
		const char *env, *key, *plain;
	} c[] = {
		{ CDX_P256, "cosign.pub", "minikube-excerpt.cdx.json" },
		{ SPDX_P256, "cosign.pub", "hello-src.spdx.json" },
		{ SPDX_RSA, "imp-rsa.pub", "hello-source.spdx.json" },
		{ SPDX_P256_DSSE, "imp-p256.pub", "hello-source.spdx.json" },
		{ CDX_ED_OSSL, "imp-ed25519.pub", "minikube-excerpt.cdx.json" },
	};
	static char a[64 * 1024], b[64 * 1024];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ASSERT_EQ(0, run(self, "compile -k \"$D/%s\" \"$D/%s\" -o a.bgp",
				 c[i].key, c[i].env)) TH_LOG("%s: %s", c[i].env,
							     self->out);
		ASSERT_EQ(0, run(self, "compile \"$D/%s\" -o b.bgp", c[i].plain));
		digest_set(self, "a.bgp", a, sizeof(a));
		digest_set(self, "b.bgp", b, sizeof(b));
		EXPECT_LT(4 * 65, strlen(a)) TH_LOG("%s", c[i].env);
		EXPECT_STREQ(b, a) TH_LOG("%s", c[i].env);
	}
}

TEST_F(att, tampered_payload_and_signature_are_refused)
{
	char fpr[80];

	key_fpr(self->data, "cosign.pub", fpr);
	/* one byte of the payload, well inside the SBOM */
	ASSERT_EQ(0, tamper(self, CDX_P256, "payload.json", "\"payload\":\"",
			    2000));
	EXPECT_EQ(4, run(self, "compile -k \"$D/cosign.pub\" payload.json -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "payload.json: 1 signature, none verifies with the key given: "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, fpr));
	ASSERT_EQ(0, tamper(self, CDX_P256, "sig.json", "\"sig\":\"", 20));
	EXPECT_EQ(4, run(self, "compile -k \"$D/cosign.pub\" sig.json -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "sig.json: 1 signature, none verifies"));
	ASSERT_EQ(0, tamper(self, SPDX_P256_DSSE, "dsse.json", "\"payload\":\"",
			    100));
	EXPECT_EQ(4, run(self, "compile -k \"$D/imp-p256.pub\" dsse.json -o x.bgp"));
	EXPECT_NE(0, access("x.bgp", F_OK));	/* nothing written */
	/* tampered back, the copy verifies again: the refusal was the byte */
	ASSERT_EQ(0, tamper(self, CDX_P256, "twice.json", "\"payload\":\"",
			    2000));
	ASSERT_EQ(0, tamper_in(self, self->dir, "twice.json", "twice.json",
			       "\"payload\":\"", 2000));
	EXPECT_EQ(0, run(self, "compile -k \"$D/cosign.pub\" twice.json -o y.bgp"))
		TH_LOG("%s", self->out);
}

TEST_F(att, wrong_key_no_key_and_cosign_ed25519)
{
	char rsa[80], p256[80];

	key_fpr(self->data, "imp-rsa.pub", rsa);
	key_fpr(self->data, "imp-p256.pub", p256);
	EXPECT_EQ(4, run(self, "compile -k \"$D/imp-rsa.pub\" -k \"$D/imp-p256.pub\" "
			 "\"$D/" CDX_P256 "\" -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, CDX_P256 ": 1 signature, none verifies with the keys given: "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, rsa));
	EXPECT_NE(NULL, strstr(self->out, p256));
	/* an attestation and no key: not verified, so not read */
	EXPECT_EQ(4, run(self, "compile \"$D/" SPDX_RSA "\" -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, SPDX_RSA ": a signed attestation, but no key"));
	/* with several keys, the one that verifies is the one recorded */
	ASSERT_EQ(0, run(self, "compile -k \"$D/cosign.pub\" -k \"$D/imp-rsa.pub\" "
			 "\"$D/" SPDX_RSA "\" -o r.bgp"));
	ASSERT_EQ(0, run(self, "inspect r.bgp"));
	EXPECT_NE(NULL, strstr(self->out, rsa));
	/* cosign 3.1.1 with an imported Ed25519 key writes a signature that
	 * is not pure Ed25519 over the PAE; cosign's own verify-blob-
	 * attestation refuses it too (README) */
	EXPECT_EQ(4, run(self, "compile -k \"$D/imp-ed25519.pub\" \"$D/" CDX_ED_COSIGN
			 "\" -o x.bgp"));
	EXPECT_NE(0, access("x.bgp", F_OK));
}

TEST_F(att, not_an_sbom_plain_sbom_and_malformed)
{
	EXPECT_EQ(3, run(self, "compile -k \"$D/cosign.pub\" \"$D/" PROVENANCE
			 "\" -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, PROVENANCE ": predicateType https://slsa.dev/provenance/v0.2 is not an SBOM"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(4, run(self, "compile --require-attestation -k \"$D/cosign.pub\" "
			 "\"$D/hello-src.spdx.json\" -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "hello-src.spdx.json: not a signed attestation"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(4, run(self, "compile --require-attestation - -o x.bgp < \"$D/"
			 CDX_P256 "\""));
	/* an attestation among plain SBOMs: all must be */
	EXPECT_EQ(4, run(self, "compile --require-attestation -k \"$D/cosign.pub\" "
			 "\"$D/" CDX_P256 "\" \"$D/hello-src.spdx.json\" -o x.bgp"));
	EXPECT_NE(0, access("x.bgp", F_OK));
	/* two envelopes as JSON lines */
	ASSERT_EQ(0, twice(self, SPDX_P256_DSSE, "x.jsonl"));
	EXPECT_EQ(3, run(self, "compile -k \"$D/imp-p256.pub\" x.jsonl -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "x.jsonl: 2 JSON objects on lines of their own (JSON lines?)"))
		TH_LOG("%s", self->out);
	/* the payload is not in-toto ("+json" -> "+jsoN") */
	ASSERT_EQ(0, tamper(self, SPDX_P256_DSSE, "bad.json", "in-toto+", 3));
	EXPECT_EQ(3, run(self, "compile -k \"$D/imp-p256.pub\" bad.json -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "bad.json: payloadType is application/vnd.in-toto+jsoN, not application/vnd.in-toto+json"))
		TH_LOG("%s", self->out);
	/* a key file that is not a key */
	EXPECT_EQ(3, run(self, "compile -k \"$D/hello-src.spdx.json\" \"$D/" CDX_P256
			 "\" -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "hello-src.spdx.json: not a PEM public key"));
	EXPECT_NE(0, access("x.bgp", F_OK));
}

TEST_F(att, policy_source_declares_key_and_requirement)
{
	char src[3 * PATH_MAX], path[PATH_MAX + 64], fpr[80];

	key_fpr(self->data, "imp-rsa.pub", fpr);
	snprintf(src, sizeof(src),
		 "version 3\n"
		 "attestation-key \"%s/imp-rsa.pub\"\n"
		 "require-attestation yes\n"
		 "sbom \"%s/" SPDX_RSA "\"\n", self->data, self->data);
	snprintf(path, sizeof(path), "%s/a.policy", self->dir);
	ASSERT_EQ(0, fileio_write_file(path, src, strlen(src), 0644, 0));
	ASSERT_EQ(0, run(self, "compile -s a.policy -o a.bgp")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, fpr));
	/* the source's requirement holds for the command line's SBOMs too */
	EXPECT_EQ(4, run(self, "compile -s a.policy \"$D/hello-src.spdx.json\" -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "hello-src.spdx.json: not a signed attestation"));
	/* relative to the source's directory, like sbom lines */
	snprintf(src, sizeof(src),
		 "version 3\nattestation-key imp-rsa.pub\nsbom " SPDX_RSA "\n");
	snprintf(path, sizeof(path), "%s/rel.policy", self->dir);
	ASSERT_EQ(0, fileio_write_file(path, src, strlen(src), 0644, 0));
	EXPECT_EQ(5, run(self, "compile -s rel.policy -o c.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "imp-rsa.pub: No such file"))
		TH_LOG("%s", self->out);
	snprintf(src, sizeof(src), "version 3\nattestation-key\n");
	ASSERT_EQ(0, fileio_write_file(path, src, strlen(src), 0644, 0));
	EXPECT_EQ(3, run(self, "compile -s rel.policy -o c.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "rel.policy:2: attestation-key needs the path of a public key"))
		TH_LOG("%s", self->out);
}

/* The library on its own: the sniffer and attest_open's results. */
TEST(attest_api)
{
	struct attest_key k;
	struct attest a;
	char err[1024];

	ASSERT_EQ(1, attest_sniff(DATA "/" CDX_P256));
	ASSERT_EQ(1, attest_sniff(DATA "/" SPDX_P256_DSSE));
	ASSERT_EQ(0, attest_sniff(DATA "/hello-src.spdx.json"));
	ASSERT_EQ(0, attest_sniff(DATA "/cosign.pub"));
	ASSERT_EQ(-ENOENT, attest_sniff(DATA "/missing"));
	ASSERT_EQ(0, attest_key_load(&k, DATA "/cosign.pub", err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_STREQ("ECDSA P-256", k.type);
	ASSERT_EQ(0, attest_open(DATA "/" SPDX_P256, &k, 1, &a, err,
				 sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, a.signer);
	EXPECT_STREQ("blob.txt", a.subject_name);
	EXPECT_STREQ("https://spdx.dev/Document", a.predicate_type);
	EXPECT_EQ(SBOM_FMT_AUTO, a.format);
	EXPECT_EQ(1, a.nr_subjects);
	EXPECT_EQ('{', a.predicate[0]);
	attest_free(&a);
	EXPECT_EQ(-EKEYREJECTED, attest_open(DATA "/" SPDX_RSA, &k, 1, &a, err,
					     sizeof(err)));
	EXPECT_EQ(-ENOKEY, attest_open(DATA "/" SPDX_RSA, &k, 0, &a, err,
				       sizeof(err)));
	EXPECT_EQ(-EBADMSG, attest_open(DATA "/hello-src.spdx.json", &k, 1, &a,
					err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a DSSE envelope")) TH_LOG("%s", err);
	attest_key_free(&k);
}

TEST_HARNESS_MAIN
