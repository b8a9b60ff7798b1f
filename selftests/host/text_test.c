// SPDX-License-Identifier: GPL-2.0
/*
 * Untrusted text before the terminal (issue 11, bug 3): the escaping
 * rules of lib/text.c, then crafted SBOM names, versions and purls through
 * compile, inspect --entries, check and diff, and a hostile file name
 * through compile's warnings: no byte a terminal acts on comes out raw.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sha256.h"
#include "testutil.h"
#include "text.h"

#define OUT_MAX (64 * 1024)

static const char *esc(const char *s)
{
	static char buf[512];

	return text_escape(buf, sizeof(buf), s);
}

TEST(escape_rules)
{
	char small[8];

	EXPECT_STREQ("plain ascii-1.2 <pkg:deb/x@1>", esc("plain ascii-1.2 <pkg:deb/x@1>"));
	EXPECT_STREQ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6", esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6"));
	EXPECT_STREQ("a\\x1b[2Kb", esc("a\x1b[2Kb"));
	EXPECT_STREQ("\\x0dcr\\x0alf\\x09tab\\x08bs\\x7f", esc("\rcr\nlf\ttab\bbs\x7f"));
	EXPECT_STREQ("back\\\\slash", esc("back\\slash"));
	/* C1 CSI, bidi override and isolate */
	EXPECT_STREQ("\\xc2\\x9b31m", esc("\xc2\x9b" "31m"));
	EXPECT_STREQ("x\\xe2\\x80\\xaey", esc("x\xe2\x80\xaey"));
	EXPECT_STREQ("\\xe2\\x81\\xa6", esc("\xe2\x81\xa6"));
	/* not UTF-8: lone continuation, overlong, surrogate, > U+10FFFF,
	 * truncated at the end */
	EXPECT_STREQ("\\x80", esc("\x80"));
	EXPECT_STREQ("\\xc0\\xaf", esc("\xc0\xaf"));
	EXPECT_STREQ("\\xe0\\x80\\xaf", esc("\xe0\x80\xaf"));
	EXPECT_STREQ("\\xed\\xa0\\x80", esc("\xed\xa0\x80"));
	EXPECT_STREQ("\\xf4\\x90\\x80\\x80", esc("\xf4\x90\x80\x80"));
	EXPECT_STREQ("ok\\xe2\\x82", esc("ok\xe2\x82"));
	EXPECT_EQ(strlen("a\\x1bb"), text_escaped_len("a\x1b" "b"));
	/* cut short: whole escapes only, always terminated */
	EXPECT_STREQ("abc\\x1b", text_escape(small, sizeof(small), "abc\x1b" "def"));
	EXPECT_STREQ("ab", text_escape(small, 6, "ab\x1b" "def"));
	EXPECT_STREQ("", text_escape(small, sizeof(small), NULL));
}

FIXTURE(hostile) {
	char dir[64];
	char bin[PATH_MAX + 16];
	char out[OUT_MAX];
};

#define run tu_run_self

/* A CycloneDX SBOM of one file component. */
static void sbom(const char *dir, const char *name, const char *comps)
{
	char text[4096];

	snprintf(text, sizeof(text), "{\"bomFormat\":\"CycloneDX\","
		 "\"specVersion\":\"1.5\",\"components\":[%s]}\n", comps);
	tu_put(dir, name, text);
}

static void comp(char *buf, size_t len, const char *name,
		 const char *version, const char *purl, const char *hex)
{
	snprintf(buf, len, "{\"type\":\"file\",\"name\":\"%s\",\"version\":"
		 "\"%s\",\"purl\":\"%s\",\"hashes\":[{\"alg\":\"SHA-256\","
		 "\"content\":\"%s\"}]}", name, version, purl, hex);
}

/* Crafted: erase the line, move up, print a calm message. */
#define EVIL_NAME "\\r\\u001b[2K\\u001b[1Ano difference in digests or modes\\u001b[8m"
#define EVIL_VERSION "1\\u009b2J\\u202e"
#define EVIL_PURL "pkg:deb/x\\u0007@1"

FIXTURE_SETUP(hostile)
{
	char build[PATH_MAX], path[PATH_MAX], hex[65], a[1024], b[1024];
	char both[2100];
	__u8 d[32];

	ASSERT_NE(NULL, realpath(tu_build(), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	snprintf(self->dir, sizeof(self->dir), "/tmp/text_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	tu_put(self->dir, "good", "a good binary\n");
	tu_put(self->dir, "payload", "the payload\n");
	snprintf(path, sizeof(path), "%s/good", self->dir);
	ASSERT_EQ(0, sha256_file(path, d));
	sha256_hex(d, hex);
	comp(a, sizeof(a), "good", "1.0", "pkg:deb/good@1.0", hex);
	snprintf(path, sizeof(path), "%s/payload", self->dir);
	ASSERT_EQ(0, sha256_file(path, d));
	sha256_hex(d, hex);
	comp(b, sizeof(b), EVIL_NAME, EVIL_VERSION, EVIL_PURL, hex);
	snprintf(both, sizeof(both), "%s,%s", a, b);
	sbom(self->dir, "old.json", a);
	sbom(self->dir, "new.json", both);
	ASSERT_EQ(0, run(self, "$B compile --policy-version 1 old.json -o old.bgp && "
			 "$B compile --policy-version 2 new.json -o new.bgp"))
		TH_LOG("%s", self->out);
}

FIXTURE_TEARDOWN(hostile)
{
	if (tu_rm_rf(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* No byte of @s that a terminal would act on: C0 except '\n', DEL, C1
 * (as UTF-8 \xc2\x80..\x9f), U+202E. */
static const char *raw_control(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return (const char *)p;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return (const char *)p;
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae)
			return (const char *)p;
	}
	return NULL;
}

/* The crafted name once made diff look like "no difference". */
TEST_F(hostile, diff_shows_the_crafted_component)
{
	EXPECT_EQ(1, run(self, "$B diff old.bgp new.bgp"));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "+ becomes allowed: \\x0d\\x1b[2K\\x1b[1Ano difference"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1\\xc2\\x9b2J\\xe2\\x80\\xae <pkg:deb/x\\x07@1>"))
		TH_LOG("%s", self->out);
	/* JSON keeps the exact text, C0 controls \u-escaped */
	EXPECT_EQ(1, run(self, "$B diff --json old.bgp new.bgp"));
	EXPECT_EQ(NULL, memchr(self->out, 0x1b, strlen(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "\\u001b[2K")) TH_LOG("%s", self->out);
}

TEST_F(hostile, inspect_entries_and_check)
{
	EXPECT_EQ(0, run(self, "$B inspect --entries new.bgp"));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\\x1b[8m 1\\xc2\\x9b2J")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B check --policy new.bgp payload good"));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "payload: allowed: \\x0d\\x1b[2K"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "good: allowed: good 1.0 <pkg:deb/good@1.0>"))
		TH_LOG("%s", self->out);
}

/* A file name is untrusted too: compile's warnings and report, check's
 * verdict line, and every error message through the log escape it. */
TEST_F(hostile, hostile_file_names)
{
	EXPECT_EQ(0, run(self, "cp new.json \"$(printf 'x\\033[2Ky.json')\" && "
			 "cp payload \"$(printf 'p\\rq')\" && "
			 "$B compile --policy-version 3 x*y.json -o n.bgp && "
			 "$B check --policy n.bgp p*q"));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "x\\x1b[2Ky.json")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "p\\x0dq: allowed")) TH_LOG("%s", self->out);
	/* an SBOM problem names the file: the warning is escaped */
	tu_put(self->dir, "bad\x1b]0;owned\x07.json",
	       "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
	       "\"components\":[{\"type\":\"file\",\"name\":\"\\u001b[31mred\","
	       "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"zz\"}]}]}");
	EXPECT_EQ(0, run(self, "$B compile --policy-version 4 bad*.json new.json -o m.bgp"));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "bad\\x1b]0;owned\\x07.json:"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(5, run(self, "$B inspect \"$(printf 'nope\\033[H')\""));
	EXPECT_EQ(NULL, raw_control(self->out)) TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
