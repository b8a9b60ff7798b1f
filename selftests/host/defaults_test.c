// SPDX-License-Identifier: GPL-2.0
/*
 * Unsafe defaults and careless hands (issue 11, bugs 4, 8, 11): a policy
 * that allows nothing is reported loudly and fails --strict; the example
 * policy in docs/policy.md compiles as printed; check's signature options
 * without --trust are refused instead of silently checking nothing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

#define OUT_MAX (64 * 1024)
#define HELLO_SPDX "spdx-examples/software/example10/spdx2.3/hello-source.spdx.json"

FIXTURE(dflt) {
	char dir[64];
	char bin[PATH_MAX + 16];
	char out[OUT_MAX];
};

#define run tu_run_self

#define PKG_ONLY "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\"," \
	"\"components\":[{\"type\":\"library\",\"name\":\"pkg\",\"version\":\"1\"," \
	"\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" \
	"00000000000000000000000000000000000000000000000000000000000000aa\"}]}]}\n"
#define NO_COMPONENTS "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\"," \
	"\"components\":[]}\n"

FIXTURE_SETUP(dflt)
{
	char build[PATH_MAX];

	ASSERT_NE(NULL, realpath(tu_build(), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	snprintf(self->dir, sizeof(self->dir), "/tmp/defaults_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	tu_put(self->dir, "pkg.json", PKG_ONLY);
	tu_put(self->dir, "none.json", NO_COMPONENTS);
}

FIXTURE_TEARDOWN(dflt)
{
	if (tu_rm_rf(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* Bug 4: only package-level hashes, or no components, compiled silently
 * into a policy that denies everything under enforce, even --strict. */
TEST_F(dflt, empty_allowlist_is_loud_and_fails_strict)
{
	static const char *const docs[] = { "pkg.json", "none.json" };

	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(0, run(self, "$B compile --policy-version 1 %s -o e.bgp",
				 docs[i]));
		EXPECT_NE(NULL, strstr(self->out, "warning: e.bgp ALLOWS NOTHING"))
			TH_LOG("%s: %s", docs[i], self->out);
		EXPECT_NE(NULL, strstr(self->out, "refuses to enforce it without --force"));
		EXPECT_EQ(0, run(self, "rm e.bgp"));
		EXPECT_EQ(3, run(self, "$B compile --strict --policy-version 1 %s -o e.bgp",
				 docs[i]));
		EXPECT_NE(NULL, strstr(self->out, "would allow nothing")) TH_LOG("%s", self->out);
		EXPECT_NE(0, run(self, "test -e e.bgp"));
	}
	/* the JSON report says it too: allowed 0 */
	EXPECT_EQ(0, run(self, "$B compile --json --policy-version 1 pkg.json -o e.bgp 2>/dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "\"allowed\":0")) TH_LOG("%s", self->out);
	/* an allow line in the source is something allowed */
	tu_put(self->dir, "p.policy", "version 2\nsbom pkg.json\nallow "
	       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 hotfix\n");
	EXPECT_EQ(0, run(self, "$B compile --strict -s p.policy -o a.bgp"));
	EXPECT_EQ(NULL, strstr(self->out, "ALLOWS NOTHING")) TH_LOG("%s", self->out);
}

/* Bug 8: the example in docs/policy.md is the one users copy. */
TEST_F(dflt, docs_policy_example_compiles)
{
	char doc[65536], *s, *e, spdx[PATH_MAX + 128], top[PATH_MAX];
	const char *corpora = getenv("BOMGATE_CORPORA");
	FILE *f;
	size_t n;

	f = fopen("docs/policy.md", "r");
	ASSERT_NE(NULL, f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	s = strstr(doc, "```\n# web.policy\n");
	ASSERT_NE(NULL, s);
	s += 4;
	e = strstr(s, "```");
	ASSERT_NE(NULL, e);
	*e = '\0';
	tu_put(self->dir, "web.policy", s);
	if (!realpath(corpora && *corpora ? corpora : "../shared/corpora", top))
		SKIP(return, "no corpora (BOMGATE_CORPORA)");
	snprintf(spdx, sizeof(spdx), "%s/" HELLO_SPDX, top);
	if (access(spdx, R_OK))
		SKIP(return, "no corpora (BOMGATE_CORPORA)");
	ASSERT_EQ(0, run(self, "mkdir sboms && cp '%s' sboms/os.spdx.json", spdx));
	tu_put(self->dir, "sboms/app.cdx.xml",
	       "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" "
	       "version=\"1\"><components><component type=\"file\"><name>app</name>"
	       "<hashes><hash alg=\"SHA-256\">"
	       "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	       "</hash></hashes></component></components></bom>\n");
	EXPECT_EQ(0, run(self, "$B compile --strict -s web.policy -o web.bgp"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B inspect web.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "name              web tier\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "blocked digests   1\n")) TH_LOG("%s", self->out);
}

/* Bug 11: check -m 2 without --trust exited 0 on an unverified policy. */
TEST_F(dflt, check_signature_options_need_trust)
{
	ASSERT_EQ(0, run(self, "$B compile --policy-version 1 pkg.json -o p.bgp 2>/dev/null"));
	EXPECT_EQ(2, run(self, "$B check -m 2 --policy p.bgp pkg.json"));
	EXPECT_NE(NULL, strstr(self->out, "--min-signers needs --trust")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, run(self, "$B check --sig p.bgp.sig --policy p.bgp pkg.json"));
	EXPECT_NE(NULL, strstr(self->out, "--sig needs --trust")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, run(self, "$B check -m 0 --trust x --policy p.bgp pkg.json"));
	/* without any of them: an unverified check, as documented */
	EXPECT_EQ(1, run(self, "$B check --policy p.bgp pkg.json"));
}

/* What fapolicyd-cli and santactl users expect of check: a digest from an
 * event explained without the file, a directory checked file by file,
 * and a changed file told apart from an unknown one (stale SBOM). */
TEST_F(dflt, check_digest_dir_and_stale_sbom)
{
	char hex[80];

	ASSERT_EQ(0, run(self, "mkdir -p d/sub && cp /bin/true d/a && cp /bin/false d/sub/b && "
			 "ln -s /bin/ls d/link && $B sbom scan -q --no-dpkg d -o s.json && "
			 "$B compile --policy-version 1 s.json -o p.bgp >/dev/null"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B check --policy p.bgp d"));
	EXPECT_NE(NULL, strstr(self->out, "d/a: allowed")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "d/sub/b: allowed")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "d/link")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "echo changed >> d/sub/b"));
	EXPECT_EQ(1, run(self, "$B check --policy p.bgp d"));
	EXPECT_NE(NULL, strstr(self->out, "the file changed since its SBOM was made"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, run(self, "$B check --json --policy p.bgp d/sub/b"));
	EXPECT_NE(NULL, strstr(self->out, "\"path_listed_with\":\"")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "sha256sum /bin/true | cut -c1-64"));
	snprintf(hex, sizeof(hex), "%.64s", self->out);
	EXPECT_EQ(0, run(self, "$B check --policy p.bgp --sha256 %s", hex));
	EXPECT_NE(NULL, strstr(self->out, ": allowed: ")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, run(self, "$B check --policy p.bgp --sha256 %064d", 0));
	EXPECT_EQ(2, run(self, "$B check --policy p.bgp --sha256 abc"));
}

/* verify --show: who signed a .sig, without the trust certificate. */
TEST_F(dflt, verify_show_without_trust)
{
	char fp[128], *p;

	ASSERT_EQ(0, run(self, "$B key generate -t ec -o k.pem -c c.pem -s CN=alice && "
			 "$B compile --policy-version 1 pkg.json -o p.bgp && "
			 "$B sign -k k.pem -c c.pem p.bgp && cp p.bgp q.bgp && "
			 "printf x >> q.bgp")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "openssl x509 -in c.pem -noout -fingerprint -sha256 | "
			 "sed 's/.*=//; s/://g' | tr A-F a-f"));
	snprintf(fp, sizeof(fp), "%.64s", self->out);
	EXPECT_EQ(0, run(self, "$B verify --show p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "NOT verified")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "/CN=alice")) TH_LOG("%s", self->out);
	p = strstr(self->out, "certificate sha256 ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_EQ(0, strncmp(p + 19, fp, 64)) TH_LOG("%s vs %s", p, fp);
	EXPECT_NE(NULL, strstr(self->out, "its signature matches p.bgp"));
	EXPECT_EQ(0, run(self, "$B verify --show --json q.bgp p.bgp.sig"));
	EXPECT_NE(NULL, strstr(self->out, "\"verified\":false")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"matches\":false")) TH_LOG("%s", self->out);
	EXPECT_EQ(4, run(self, "$B verify --show p.bgp p.bgp"));
	EXPECT_EQ(2, run(self, "$B verify --show --trust c.pem p.bgp"));
}

/* An encrypted key in CI: no terminal is said, not an OpenSSL riddle;
 * a passphrase file or environment variable unlocks it. setsid(1): no
 * controlling terminal, whoever runs the tests. */
TEST_F(dflt, encrypted_key_without_a_terminal)
{
	ASSERT_EQ(0, run(self, "$B key generate -t ec -o k.pem -c c.pem && "
			 "openssl pkey -in k.pem -aes256 -passout pass:s3cret -out ke.pem && "
			 "$B compile --policy-version 1 pkg.json -o p.bgp 2>/dev/null && "
			 "echo s3cret > pass.txt")) TH_LOG("%s", self->out);
	EXPECT_EQ(4, run(self, "setsid -w $B sign -k ke.pem -c c.pem p.bgp < /dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "ke.pem: the key is encrypted and there is no "
			       "terminal to ask for its passphrase")) TH_LOG("%s", self->out);
	EXPECT_NE(0, run(self, "test -e p.bgp.sig"));
	EXPECT_EQ(0, run(self, "setsid -w $B sign -k ke.pem -c c.pem --passphrase-file pass.txt p.bgp"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B verify --trust c.pem p.bgp"));
	EXPECT_EQ(4, run(self, "BGK=wrong setsid -w $B sign -k ke.pem -c c.pem "
			 "--passphrase-env BGK -o w.sig p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "wrong passphrase")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "BGK=s3cret setsid -w $B sign -k ke.pem -c c.pem "
			 "--passphrase-env BGK -o e.sig p.bgp"));
	EXPECT_EQ(2, run(self, "$B sign -k ke.pem -c c.pem --passphrase-env NO_SUCH_VAR_X -o x.sig p.bgp"));
}

/* compile - reads stdin, -o - writes stdout (the report then on stderr),
 * like hash - and sbom scan -o -: the same bytes as through files. */
TEST_F(dflt, compile_stdin_stdout)
{
	ASSERT_EQ(0, run(self, "cp /bin/true t && $B sbom scan -q --no-dpkg t -o s.json"));
	EXPECT_EQ(0, run(self, "SOURCE_DATE_EPOCH=1700000000 $B compile --policy-version 3 "
			 "- -o - < s.json > a.bgp 2> report && grep -q '^compiled -$' report"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "cat s.json | SOURCE_DATE_EPOCH=1700000000 $B compile "
			 "--policy-version 3 - -o b.bgp > /dev/null && cmp a.bgp b.bgp"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B check --policy a.bgp t"));
	EXPECT_EQ(3, run(self, "$B compile --policy-version 3 - -o c.bgp < /dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "stdin: ")) TH_LOG("%s", self->out);
}

/* Every --json output names its schema and version, and a failure under
 * --json is a JSON object too (bomgate.error/1), on stdout. */
TEST_F(dflt, json_schemas_and_errors)
{
	static const struct {
		const char *cmd, *schema;
		int code;
	} runs[] = {
		{ "$B compile --json --policy-version 1 s.json -o q.bgp", "bomgate.compile/1", 0 },
		{ "$B inspect --json p.bgp", "bomgate.inspect/1", 0 },
		{ "$B diff --json p.bgp p.bgp", "bomgate.diff/1", 0 },
		{ "$B check --json --policy p.bgp t", "bomgate.check/1", 0 },
		{ "$B verify --json --trust c.pem p.bgp", "bomgate.verify/1", 0 },
		{ "$B verify --show --json p.bgp", "bomgate.verify-show/1", 0 },
		{ "$B doctor --json", "bomgate.doctor/1", -1 },
		{ "$B inspect --json nothing.bgp", "bomgate.error/1", 5 },
		{ "$B compile --json --policy-version 1 pkg.json", "bomgate.error/1", 2 },
		{ "$B check --json --policy p.bgp no-such-file", "bomgate.error/1", 5 },
		{ "$B verify --json --trust c.pem nothing.bgp", "bomgate.error/1", 5 },
		{ "$B verify --json --trust k.pem p.bgp", "bomgate.verify/1", 4 },
	};
	char want[128];
	int rc;

	ASSERT_EQ(0, run(self, "cp /bin/true t && $B sbom scan -q --no-dpkg t -o s.json && "
			 "$B key generate -t ec -o k.pem -c c.pem && "
			 "$B compile --policy-version 1 s.json -o p.bgp && $B sign -k k.pem -c c.pem p.bgp"))
		TH_LOG("%s", self->out);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		rc = run(self, "%s 2>/dev/null", runs[i].cmd);
		if (runs[i].code >= 0)
			EXPECT_EQ(runs[i].code, rc) TH_LOG("%s: %s", runs[i].cmd, self->out);
		snprintf(want, sizeof(want), "{\"schema\":\"%s\",", runs[i].schema);
		EXPECT_EQ(0, strncmp(self->out, want, strlen(want)))
			TH_LOG("%s: %s", runs[i].cmd, self->out);
		/* one object, one line */
		EXPECT_EQ(strlen(self->out) - 1, strcspn(self->out, "\n"))
			TH_LOG("%s: %s", runs[i].cmd, self->out);
	}
	EXPECT_EQ(5, run(self, "$B inspect --json nothing.bgp 2>/dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "\"command\":\"inspect\",\"exit\":5,"
			       "\"error\":\"nothing.bgp: No such file or directory\"}"))
		TH_LOG("%s", self->out);
}

/* A syntax error in minified JSON (one line) names the byte, not ":1:"
 * alone. The error is the '"' at byte 146 (1-based) where ',' belongs. */
TEST_F(dflt, minified_json_error_names_the_byte)
{
	tu_put(self->dir, "min.json",
	       "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":"
	       "[{\"type\":\"file\",\"name\":\"a\",\"hashes\":[{\"alg\":\"SHA-256\","
	       "\"content\":\"zz\"}]},{\"type\":\"file\" \"name\":\"b\"}]}");
	EXPECT_EQ(3, run(self, "$B compile min.json -o m.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "min.json:1: JSON syntax error near byte 146: "))
		TH_LOG("%s", self->out);
	EXPECT_NE(0, run(self, "test -e m.bgp"));
}

TEST_HARNESS_MAIN
