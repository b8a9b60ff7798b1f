// SPDX-License-Identifier: GPL-2.0
/*
 * The policy commands of build/bomgate, run as a child process against
 * real SBOMs from the corpora: compile, inspect, diff, hash, check, key
 * generate, sign, verify. $BOMGATE_BUILD (default build) and
 * $BOMGATE_CORPORA (default ../shared/corpora).
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

#include "kselftest_harness.h"
#include "sha256.h"
#include "testutil.h"

#define OUT_MAX (256 * 1024)

/* Files from the corpora with their EXPECTATIONS.tsv file_level_sha256. */
#define SPDX_JSON "spdx-examples/software/example10/spdx2.3/hello-source.spdx.json"	/* 5 */
#define CDX_JSON "cyclonedx-gomod/examples/app_minikube-v1.23.1_with-files.bom.json"	/* 2542 */
#define SPDX_TV "spdx-examples/software/example1/spdx2.2/example1.spdx"		/* 3 */
#define CDX_SYNTAX "cyclonedx-sbom-utility/test/cyclonedx/1.3/cdx-1-3-syntax-err-1.json"
#define CDX_BADHASH "cyclonedx-specification/tools/src/test/resources/1.2/invalid-hash-sha256-1.2.json"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

FIXTURE(cli) {
	char dir[64];
	char bin[PATH_MAX + 16];
	char corpora[PATH_MAX];
	char *out;		/* stdout + stderr of the last run */
};

FIXTURE_SETUP(cli)
{
	struct stat st;

	char build[PATH_MAX];

	ASSERT_NE(NULL, realpath(env_or("BOMGATE_BUILD", "build"), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("no %s", self->bin);
	ASSERT_NE(NULL, realpath(env_or("BOMGATE_CORPORA", "../shared/corpora"),
				 self->corpora));
	ASSERT_EQ(0, stat(self->corpora, &st));
	snprintf(self->dir, sizeof(self->dir), "/tmp/cli_policy.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->out = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(cli)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
	free(self->out);
}

/* Run a shell command in the test's directory with $B the bomgate binary
 * and $C the corpora; returns the exit status, output in self->out. */
static int vshell(FIXTURE_DATA(cli) *self, const char *prefix,
		  const char *fmt, va_list ap)
{
	char args[2048], cmd[3 * PATH_MAX + 2048];
	size_t n = 0, r;
	FILE *p;
	int st;

	vsnprintf(args, sizeof(args), fmt, ap);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && B='%s' C='%s' && export B C && %s%s 2>&1",
		 self->dir, self->bin, self->corpora, prefix, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	char sink[4096];

	while ((r = fread(self->out + n, 1, OUT_MAX - 1 - n, p)) > 0)
		n += r;
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;	/* drain: a full buffer must not SIGPIPE the child */
	self->out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int shell(FIXTURE_DATA(cli) *self, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int shell(FIXTURE_DATA(cli) *self, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vshell(self, "", fmt, ap);
	va_end(ap);
	return ret;
}

/* "bomgate ARGS" */
static int run(FIXTURE_DATA(cli) *self, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int run(FIXTURE_DATA(cli) *self, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vshell(self, "\"$B\" ", fmt, ap);
	va_end(ap);
	return ret;
}

static void hex_of_text(const char *text, char hex[65])
{
	__u8 d[32];

	sha256_buf(text, strlen(text), d);
	sha256_hex(d, hex);
}

TEST_F(cli, help_everywhere)
{
	static const char *const cmds[] = {
		"compile", "inspect", "diff", "key generate", "sign", "verify",
		"hash", "check", "key",
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, run(self, "%s --help", cmds[i])) TH_LOG("%s", cmds[i]);
		EXPECT_NE(NULL, strstr(self->out, "Usage: bomgate"));
	}
	EXPECT_EQ(2, run(self, "compile a.json"));	/* no -o */
	EXPECT_EQ(2, run(self, "inspect"));
	EXPECT_EQ(2, run(self, "key frobnicate"));
}

TEST_F(cli, compile_corpora_and_inspect)
{
	ASSERT_EQ(0, run(self, "compile --json \"$C/" SPDX_JSON "\" \"$C/" CDX_JSON
			 "\" \"$C/" SPDX_TV "\" -o p.bgp")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"documents\":3,"));
	EXPECT_NE(NULL, strstr(self->out, "\"file_digests\":2550,")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"conflicts\":0,"));
	ASSERT_EQ(0, run(self, "compile \"$C/" SPDX_TV "\" -o q.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "documents read                  1\n"));
	EXPECT_NE(NULL, strstr(self->out, "file digests                    3 "));
	ASSERT_EQ(0, run(self, "inspect --json p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "{\"schema\":\"bomgate.inspect/1\",\"format_version\":1,\"policy_version\":"));
	EXPECT_NE(NULL, strstr(self->out, "\"blocked\":0,"));
	EXPECT_NE(NULL, strstr(self->out, "\"format\":\"spdx-tv\",\"file_digests\":3}"));
	EXPECT_NE(NULL, strstr(self->out, "\"format\":\"cyclonedx-json\",\"file_digests\":2542}"));
	EXPECT_NE(NULL, strstr(self->out, "\"exec\":\"audit\""));	/* audit first */
	/* the JSON is valid and has the keys the issue asks for */
	EXPECT_EQ(0, shell(self, "\"$B\" inspect --json --entries p.bgp | python3 -c '"
			 "import json,sys; d=json.load(sys.stdin); "
			 "assert d[\"digests\"] == len(d[\"entries\"]) >= 2540, d[\"digests\"]; "
			 "assert len(d[\"sources\"]) == 3; "
			 "assert {\"format_version\",\"policy_version\",\"components\"} <= d.keys()'"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "inspect p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "format version    1\n"));
}

TEST_F(cli, compile_rejects_bad_input_and_writes_nothing)
{
	EXPECT_EQ(3, run(self, "compile \"$C/" CDX_SYNTAX "\" -o bad.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "cdx-1-3-syntax-err-1.json:")) TH_LOG("%s", self->out);
	EXPECT_NE(0, access("bad.bgp", F_OK));
	EXPECT_EQ(0, run(self, "compile \"$C/" CDX_BADHASH "\" -o lax.bgp"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(3, run(self, "compile --strict \"$C/" CDX_BADHASH "\" -o strict.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "--strict: nothing written"));
	EXPECT_EQ(0, shell(self, "test ! -e strict.bgp"));
	EXPECT_EQ(5, run(self, "compile missing.json -o m.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "missing.json"));
	EXPECT_EQ(0, shell(self, "test -z \"$(ls | grep -e '^m.bgp' -e '^strict.bgp' -e '^bad.bgp')\""));
	tu_put(self->dir, "bad.policy", "version 2\nmode exec deny\n");
	EXPECT_EQ(3, run(self, "compile --source bad.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "bad.policy:2: unknown mode 'deny'"))
		TH_LOG("%s", self->out);
}

/* A policy source allowing one file and blocking another, plus an SBOM. */
static void make_policy(FIXTURE_DATA(cli) *self, const char *name,
			int version, const char *allow_text,
			const char *block_text, const char *mode)
{
	char src[PATH_MAX + 1024], a[65], b[65];

	hex_of_text(allow_text, a);
	hex_of_text(block_text, b);
	snprintf(src, sizeof(src),
		 "# test policy\nversion %d\nname test\nsbom %s/" SPDX_TV "\n"
		 "mode exec %s\nallow %s built in CI run 7\nblock %s known bad\n",
		 version, self->corpora, mode, a, b);
	tu_put(self->dir, "p.policy", src);
	(void)name;
}

TEST_F(cli, check_and_hash)
{
	char hex[65], want[256];

	tu_put(self->dir, "good", "good binary\n");
	tu_put(self->dir, "evil", "evil binary\n");
	tu_put(self->dir, "other", "unknown binary\n");
	make_policy(self, "p", 5, "good binary\n", "evil binary\n", "enforce");
	ASSERT_EQ(0, run(self, "compile --source p.policy -o p.bgp"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "check --policy p.bgp good"));
	EXPECT_NE(NULL, strstr(self->out, "good: allowed: policy source line 6: built in CI run 7"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, run(self, "check --policy p.bgp good evil"));
	EXPECT_NE(NULL, strstr(self->out, "evil: blocked: policy source line 7: known bad"));
	EXPECT_EQ(1, run(self, "check --policy p.bgp other"));
	EXPECT_NE(NULL, strstr(self->out, "other: not allowed: sha256 "));
	EXPECT_EQ(1, run(self, "check --json --policy p.bgp other"));
	EXPECT_NE(NULL, strstr(self->out, "\"verdict\":\"not allowed\""));
	EXPECT_EQ(5, run(self, "check --policy p.bgp nonexistent"));
	EXPECT_EQ(0, run(self, "inspect --json p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "\"policy_version\":5,"));
	EXPECT_NE(NULL, strstr(self->out, "\"exec\":\"enforce\""));
	EXPECT_NE(NULL, strstr(self->out, "\"blocked\":1,"));
	/* hash: sha256sum format, same digest as the library */
	hex_of_text("good binary\n", hex);
	snprintf(want, sizeof(want), "%s  good\n", hex);
	ASSERT_EQ(0, run(self, "hash good"));
	EXPECT_STREQ(want, self->out);
	EXPECT_EQ(0, shell(self, "\"$B\" hash good evil other | sha256sum -c --quiet"));
	EXPECT_EQ(0, run(self, "hash - < good"));
	EXPECT_EQ(5, run(self, "hash good nonexistent"));
	EXPECT_NE(NULL, strstr(self->out, want));
	EXPECT_NE(NULL, strstr(self->out, "nonexistent: No such file"));
}

TEST_F(cli, diff_by_component)
{
	make_policy(self, "a", 1, "x\n", "y\n", "audit");
	ASSERT_EQ(0, run(self, "compile --source p.policy -o a.bgp"));
	make_policy(self, "b", 2, "y\n", "x\n", "enforce");
	ASSERT_EQ(0, run(self, "compile --source p.policy -o b.bgp"));
	EXPECT_EQ(0, run(self, "diff a.bgp a.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "no difference"));
	EXPECT_EQ(1, run(self, "diff a.bgp b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "policy version 1 -> 2"));
	EXPECT_NE(NULL, strstr(self->out, "mode exec: audit -> enforce"));
	EXPECT_NE(NULL, strstr(self->out, "! becomes blocked: policy source line 7: known bad (1 digest)"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "+ unblocked, allowed: policy source line 6"));
	EXPECT_EQ(1, shell(self, "\"$B\" diff --json a.bgp b.bgp | python3 -c '"
			 "import json,sys; d=json.load(sys.stdin); "
			 "assert d[\"different\"]; "
			 "assert sorted(c[\"change\"] for c in d[\"changes\"]) == [\"blocked\",\"unblocked\"]; "
			 "sys.exit(1)'"));
	/* a policy against one compiled from a bigger SBOM set */
	ASSERT_EQ(0, run(self, "compile \"$C/" SPDX_TV "\" \"$C/" SPDX_JSON "\" -o c.bgp"));
	EXPECT_EQ(1, run(self, "diff a.bgp c.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "+ becomes allowed: "));
	EXPECT_NE(NULL, strstr(self->out, "hello-source.spdx.json")) TH_LOG("%s", self->out);
}

TEST_F(cli, corrupt_policy_rejected)
{
	ASSERT_EQ(0, run(self, "compile \"$C/" SPDX_TV "\" -o p.bgp"));
	EXPECT_EQ(0, shell(self, "head -c 300 p.bgp > t.bgp"));
	EXPECT_EQ(3, run(self, "inspect t.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "t.bgp: truncated")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, run(self, "check --policy t.bgp p.bgp"));
	EXPECT_EQ(0, shell(self, "cp p.bgp f.bgp && printf Z | dd of=f.bgp bs=1 seek=140 conv=notrunc 2>/dev/null"));
	EXPECT_EQ(3, run(self, "inspect f.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "checksum mismatch"));
	EXPECT_EQ(3, run(self, "inspect \"$C/" SPDX_TV "\""));
	EXPECT_NE(NULL, strstr(self->out, "bad magic"));
	EXPECT_EQ(5, run(self, "inspect nonexistent.bgp"));
}

TEST_F(cli, sign_and_verify)
{
	ASSERT_EQ(0, run(self, "compile \"$C/" SPDX_TV "\" -o p.bgp"));
	ASSERT_EQ(0, run(self, "key generate --type ec -o a.key --cert a.crt --subject CN=alice --days 30"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "key generate --type rsa --bits 2048 -o b.key --cert b.crt --subject /CN=bob"));
	ASSERT_EQ(0, run(self, "sign --key a.key --cert a.crt p.bgp"));
	EXPECT_EQ(0, shell(self, "test -s p.bgp.sig"));
	EXPECT_EQ(0, run(self, "verify --trust a.crt p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "verified"));
	EXPECT_EQ(0, shell(self, "openssl cms -verify -binary -inform DER -in p.bgp.sig -content p.bgp -noverify -out /dev/null"))
		TH_LOG("openssl disagrees: %s", self->out);
	EXPECT_EQ(4, run(self, "verify --trust b.crt p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "unknown signer /CN=alice"));
	EXPECT_EQ(4, run(self, "verify --trust a.crt --trust b.crt --min-signers 2 p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "too few signers"));
	ASSERT_EQ(0, run(self, "sign --key b.key --cert b.crt -o p.bgp.sig.bob p.bgp"));
	EXPECT_EQ(0, run(self, "verify --json --trust a.crt --trust b.crt --min-signers 2 p.bgp p.bgp.sig p.bgp.sig.bob"));
	EXPECT_NE(NULL, strstr(self->out, "\"verified\":true"));
	ASSERT_EQ(0, run(self, "sign --key a.key --cert a.crt --key b.key --cert b.crt -o both.sig p.bgp"));
	EXPECT_EQ(0, run(self, "verify --trust a.crt --trust b.crt -m 2 p.bgp both.sig"));
	EXPECT_EQ(1, run(self, "check --policy p.bgp --trust a.crt p.bgp.sig.bob"));
	EXPECT_NE(NULL, strstr(self->out, "p.bgp.sig.bob: not allowed"));
	/* tamper: still a valid policy (new checksum) but not what was signed */
	EXPECT_EQ(0, run(self, "compile --policy-version 9 \"$C/" SPDX_TV "\" -o p.bgp"));
	EXPECT_EQ(4, run(self, "verify --trust a.crt p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "digest mismatch"));
	EXPECT_EQ(4, run(self, "check --trust a.crt --policy p.bgp p.bgp"));
	EXPECT_EQ(3, run(self, "sign --key a.key --cert a.crt a.crt"));
	EXPECT_EQ(4, run(self, "sign --key a.key --cert b.crt p.bgp"));
}

/* The example policies in policies/ compile (cwd is the repo top). The
 * SBOM paths in them point into ../shared/corpora relative to policies/. */
TEST_F(cli, example_policies_compile)
{
	char top[PATH_MAX], want[PATH_MAX + 64];

	ASSERT_NE(NULL, getcwd(top, sizeof(top)));
	snprintf(want, sizeof(want), "%s/../shared/corpora", top);
	if (access("policies/production.policy", R_OK) || access(want, R_OK))
		SKIP(return, "not run from the repo top next to ../shared/corpora");
	ASSERT_EQ(0, run(self, "compile --json --source '%s/policies/audit-first.policy' -o a.bgp",
			 top)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "compile --json --source '%s/policies/production.policy' -o p.bgp",
			 top)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"documents\":3,"));
	EXPECT_NE(NULL, strstr(self->out, "\"conflicts\":1,"));	/* the empty file */
	EXPECT_EQ(0, run(self, "inspect --json p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "\"policy_version\":2,"));
	EXPECT_NE(NULL, strstr(self->out, "\"firmware\":\"audit\""));
	EXPECT_NE(NULL, strstr(self->out, "\"exec\":\"enforce\""));
	EXPECT_EQ(0, shell(self, ": > empty"));
	EXPECT_EQ(1, run(self, "check --policy p.bgp empty"));
	EXPECT_NE(NULL, strstr(self->out, "empty: blocked: policy source line"));
	EXPECT_EQ(1, run(self, "diff a.bgp p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "mode exec: audit -> enforce"));
	ASSERT_EQ(0, run(self, "compile --source '%s/policies/staged.policy' -o s.bgp",
			 top)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "inspect s.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "scope             /sys/fs/cgroup/app.slice (line 19): exec=audit mmap=audit module=inherit"))
		TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN

/* "scope PATH CLASS MODE": compiled into the policy, shown by inspect and
 * diff; a policy without scopes keeps the header's bytes 88..95 zero, so
 * it is the same file as before scopes existed. */
TEST_F(cli, scope_directives)
{
	char src[PATH_MAX + 1024], a[65];

	hex_of_text("x\n", a);
	snprintf(src, sizeof(src),
		 "version 4\nmode all enforce\n"
		 "scope /sys/fs/cgroup/app.slice exec audit\n"
		 "scope /sys/fs/cgroup/app.slice all off\n"
		 "scope \"/sys/fs/cgroup/system.slice/my unit.service\" mmap audit\n"
		 "allow %s test\nsbom %s/" SPDX_TV "\n", a, self->corpora);
	tu_put(self->dir, "s.policy", src);
	ASSERT_EQ(0, run(self, "compile --source s.policy -o s.bgp"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "inspect s.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "scope             /sys/fs/cgroup/app.slice (line 3): exec=audit mmap=off module=off firmware=off kexec=off"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "scope             /sys/fs/cgroup/system.slice/my unit.service (line 5): exec=inherit mmap=audit module=inherit"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, shell(self, "\"$B\" inspect --json s.bgp | python3 -c '"
			 "import json,sys; s=json.load(sys.stdin)[\"scopes\"]; "
			 "assert len(s) == 2, s; "
			 "assert s[0][\"path\"] == \"/sys/fs/cgroup/app.slice\"; "
			 "assert s[0][\"line\"] == 3; "
			 "assert s[0][\"modes\"][\"exec\"] == \"audit\"; "
			 "assert s[0][\"modes\"][\"kexec\"] == \"off\"; "
			 "assert s[1][\"modes\"][\"exec\"] == \"inherit\"; "
			 "assert s[1][\"modes\"][\"mmap\"] == \"audit\"'"))
		TH_LOG("%s", self->out);
	/* nr_scopes at offset 88 */
	EXPECT_EQ(0, shell(self, "test \"$(od -An -tu4 -j88 -N4 s.bgp | tr -d ' ')\" = 2"));

	/* the same without scopes: bytes 88..95 zero; diff names the change */
	snprintf(src, sizeof(src),
		 "version 4\nmode all enforce\nallow %s test\nsbom %s/" SPDX_TV "\n",
		 a, self->corpora);
	tu_put(self->dir, "n.policy", src);
	ASSERT_EQ(0, run(self, "compile --source n.policy -o n.bgp"));
	EXPECT_EQ(0, shell(self, "test \"$(od -An -tx1 -j88 -N8 n.bgp | tr -d ' ')\" = 0000000000000000"));
	EXPECT_EQ(1, run(self, "diff n.bgp s.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "scopes: now\nscope             /sys/fs/cgroup/app.slice"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "diff s.bgp s.bgp"));

	/* errors name the line */
	tu_put(self->dir, "b1.policy", "version 1\nscope /sys/fs/cgroup/a/../b exec audit\n");
	EXPECT_EQ(3, run(self, "compile --source b1.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b1.policy:2: scope '/sys/fs/cgroup/a/../b': not an absolute cgroup path"))
		TH_LOG("%s", self->out);
	tu_put(self->dir, "b2.policy", "version 1\nscope /sys/fs/cgroup/a exec audit\n\nscope /sys/fs/cgroup/a exec enforce\n");
	EXPECT_EQ(3, run(self, "compile --source b2.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b2.policy:4: scope /sys/fs/cgroup/a: mode for exec already given at line 2"))
		TH_LOG("%s", self->out);
	tu_put(self->dir, "b3.policy", "version 1\nscope /sys/fs/cgroup/a exec deny\n");
	EXPECT_EQ(3, run(self, "compile --source b3.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b3.policy:2: unknown mode 'deny'"));
	tu_put(self->dir, "b4.policy", "version 1\nscope / exec audit\nscope relative exec audit\n");
	EXPECT_EQ(3, run(self, "compile --source b4.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b4.policy:2: scope '/'"));
	tu_put(self->dir, "b5.policy", "version 1\nscope /sys/fs/cgroup/a/ exec audit\n");
	EXPECT_EQ(3, run(self, "compile --source b5.policy -o b.bgp"));
	EXPECT_EQ(0, shell(self, "(echo 'version 1'; for i in $(seq 17); do echo \"scope /sys/fs/cgroup/s$i exec audit\"; done) > b6.policy"));
	EXPECT_EQ(3, run(self, "compile --source b6.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b6.policy:18: more than 16 scopes"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, shell(self, "test ! -e b.bgp"));
}
