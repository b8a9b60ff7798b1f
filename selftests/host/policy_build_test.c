// SPDX-License-Identifier: GPL-2.0
/*
 * The policy builder at scale: radix sort and merge of many digests
 * (shared prefixes, one digest many times), first component wins across
 * serializations, component de-duplication when every string is known,
 * and the streamed writer (regular file and character device).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fileio.h"
#include "policy.h"
#include "sha256.h"

/* Deterministic pseudo-random digest @i; digests of one @group share
 * their first 30 bytes, so the sort has to look at the last ones. */
static void digest_n(unsigned int i, unsigned int group, __u8 d[32])
{
	char s[32];

	snprintf(s, sizeof(s), "g%u", group);
	sha256_buf(s, strlen(s), d);
	d[30] = i >> 8;
	d[31] = i;
}

static struct policy *load(void *buf, size_t len)
{
	char err[256];
	struct policy *p = policy__from_mem(buf, len, err, sizeof(err));

	if (!p)
		fprintf(stderr, "# %s\n", err);
	return p;
}

TEST(many_digests_sorted_and_merged)
{
	struct policy_component c = { .name = "a", .source = POLICY_SRC_POLICY };
	struct policy_build_stats st;
	const struct policy_entry *e;
	struct policy_builder *b;
	struct policy *p;
	char name[32];
	int comp[8], i, k;
	__u8 d[32];
	void *buf;
	size_t len;

	b = policy_builder__new();
	ASSERT_NE(NULL, b);
	for (k = 0; k < 8; k++) {
		snprintf(name, sizeof(name), "comp%d", k);
		c.name = name;
		comp[k] = policy_builder__add_component(b, &c);
		ASSERT_EQ(k, comp[k]);
	}
	/* 4 groups of 5000 (one first byte each), every digest twice */
	for (k = 0; k < 2; k++)
		for (i = 0; i < 20000; i++) {
			digest_n(i % 5000, i / 5000, d);
			ASSERT_EQ(0, policy_builder__add_digest(b, d,
					POLICY_F_ALLOW, comp[(i + k) % 8]));
		}
	/* one digest 300 times: the first component must win */
	digest_n(7, 99, d);
	for (i = 0; i < 300; i++)
		ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW,
							comp[(i + 3) % 8]));
	digest_n(8, 99, d);	/* blocked after being allowed */
	ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW, comp[1]));
	ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_BLOCK, comp[2]));
	ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_BLOCK, comp[4]));
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, &st));
	EXPECT_EQ(40303ULL, st.digests_added);
	EXPECT_EQ(20002U, st.distinct);
	EXPECT_EQ(20001U, st.allowed);
	EXPECT_EQ(1U, st.blocked);
	EXPECT_EQ(1U, st.conflicts);
	EXPECT_EQ(20001U, st.shared);	/* not the allowed-then-blocked one */
	p = load(buf, len);	/* checks strictly ascending order */
	ASSERT_NE(NULL, p);
	EXPECT_EQ(20002U, policy__nr_entries(p));
	for (i = 0; i < 20000; i++) {
		digest_n(i % 5000, i / 5000, d);
		e = policy__lookup(p, d);
		ASSERT_NE(NULL, e);
		ASSERT_EQ(comp[i % 8], (int)e->component);
		ASSERT_EQ((__u32)(POLICY_F_ALLOW | POLICY_F_SHARED), e->flags);
	}
	digest_n(7, 99, d);
	EXPECT_EQ(comp[3], (int)policy__lookup(p, d)->component);
	digest_n(8, 99, d);
	e = policy__lookup(p, d);
	EXPECT_EQ((__u32)POLICY_F_BLOCK, e->flags);
	EXPECT_EQ(comp[2], (int)e->component);
	policy__free(p);
	free(buf);
	policy_builder__free(b);
}

/* Digests added after a serialization come after those merged before:
 * the first component still wins. */
TEST(first_component_wins_across_serializations)
{
	struct policy_component c = { .source = POLICY_SRC_POLICY };
	struct policy_builder *b = policy_builder__new();
	struct policy *p;
	int c0, c1, i;
	__u8 d[32];
	void *buf;
	size_t len;

	ASSERT_NE(NULL, b);
	c.name = "first";
	c0 = policy_builder__add_component(b, &c);
	c.name = "second";
	c1 = policy_builder__add_component(b, &c);
	/* one digest many times: merged, fewer entries than added */
	digest_n(0, 2, d);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW,
							c0));
	for (i = 0; i < 50; i++) {
		digest_n(i, 1, d);
		ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW,
							c0));
	}
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	free(buf);
	for (i = 0; i < 50; i++) {
		digest_n(i, 1, d);
		ASSERT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW,
							c1));
	}
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	p = load(buf, len);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(51U, policy__nr_entries(p));
	for (i = 0; i < 51; i++)
		ASSERT_EQ(c0, (int)policy__entry(p, i)->component);
	policy__free(p);
	free(buf);
	policy_builder__free(b);
}

/* Components are looked up only when all their strings exist already:
 * an early one added again after many new ones is found. */
TEST(component_dedup)
{
	struct policy_component c = { .version = "1.0", .purl = "pkg:x",
		.supplier = "S", .source = POLICY_SRC_POLICY };
	struct policy_builder *b = policy_builder__new();
	__u8 z[32] = {};
	char name[32];
	int i, s0, first, again;

	ASSERT_NE(NULL, b);
	s0 = policy_builder__add_source(b, z, "doc", BGP_FMT_CDX_JSON);
	ASSERT_EQ(0, s0);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "file%d", i);
		c.name = name;
		ASSERT_EQ(i, policy_builder__add_component(b, &c));
	}
	c.name = "file17";
	first = policy_builder__add_component(b, &c);
	EXPECT_EQ(17, first);
	c.version = "2.0";	/* a new string: a new component */
	EXPECT_EQ(5000, policy_builder__add_component(b, &c));
	c.version = "1.0";	/* all strings known, new combination */
	c.source = s0;
	again = policy_builder__add_component(b, &c);
	EXPECT_EQ(5001, again);
	c.name = "file4999";
	c.source = POLICY_SRC_POLICY;
	EXPECT_EQ(4999, policy_builder__add_component(b, &c));
	c.name = "file17";
	c.source = s0;
	EXPECT_EQ(again, policy_builder__add_component(b, &c));
	c.line = 99;		/* the line is not part of the identity */
	EXPECT_EQ(again, policy_builder__add_component(b, &c));
	policy_builder__free(b);
}

static struct policy_builder *sample(void)
{
	struct policy_component c = { .name = "n", .source = POLICY_SRC_POLICY };
	struct policy_builder *b = policy_builder__new();
	__u8 d[32];
	int i, idx;

	if (!b)
		return NULL;
	policy_builder__set_name(b, "stream");
	idx = policy_builder__add_component(b, &c);
	for (i = 0; i < 30000; i++) {	/* > 1 MiB: several buffers */
		digest_n(i, i % 7, d);
		policy_builder__add_digest(b, d, POLICY_F_ALLOW, idx);
	}
	return b;
}

TEST(streamed_write_equals_serialize)
{
	char path[] = "/tmp/policy_build_test.XXXXXX";
	struct policy_builder *b = sample(), *b2 = sample();
	void *buf = NULL, *file = NULL;
	size_t len, flen;
	int fd;

	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, b2);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	ASSERT_EQ(0, policy_builder__write(b2, path, NULL));
	ASSERT_EQ(0, fileio_read_file(path, 1 << 30, &file, &flen));
	unlink(path);
	ASSERT_EQ(len, flen);
	EXPECT_EQ(0, memcmp(buf, file, len));
	/* a character device is written in place, in two passes */
	EXPECT_EQ(0, policy_builder__write(b2, "/dev/null", NULL));
	EXPECT_EQ(-EISDIR, policy_builder__write(b2, "/tmp", NULL));
	free(buf);
	free(file);
	policy_builder__free(b);
	policy_builder__free(b2);
}

TEST_HARNESS_MAIN
