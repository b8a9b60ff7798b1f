// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled policy format (build, load, look up, reject corruption) and the
 * policy source parser.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fileio.h"
#include "policy.h"
#include "policy_source.h"
#include "sha256.h"

static void digest_of(const char *s, __u8 d[32])
{
	sha256_buf(s, strlen(s), d);
}

/* A policy with 2 sources, 3 components, 100 SBOM digests (one shared by
 * two components, one also blocked) and one extra block line. */
static int build_sample(void **buf, size_t *len, struct policy_build_stats *st)
{
	struct policy_component c = { .name = "openssl", .version = "3.0.2",
		.purl = "pkg:deb/debian/openssl@3.0.2", .supplier = "Debian",
		.line = 7 };
	struct policy_component x = { .reason = "CVE-2099-0001 backdoor",
		.source = POLICY_SRC_POLICY, .line = 12 };
	struct policy_builder *b;
	__u8 d[32], z[32] = { 1 };
	char s[32];
	int i, c0, c1, c2, s0, s1, ret;

	b = policy_builder__new();
	if (!b)
		return -ENOMEM;
	policy_builder__set_version(b, 42);
	policy_builder__set_created(b, 1700000000);
	policy_builder__set_name(b, "web frontend");
	policy_builder__set_mode(b, BG_CLASS_EXEC, BG_MODE_ENFORCE);
	policy_builder__set_mode(b, BG_CLASS_FIRMWARE, BG_MODE_OFF);
	policy_builder__set_allow_unmeasured_modules(b, 1);
	policy_builder__set_trust_fuse(b, 1);
	s0 = policy_builder__add_source(b, z, "a.cdx.json", BGP_FMT_CDX_JSON);
	s1 = policy_builder__add_source(b, z, "b.spdx", BGP_FMT_SPDX_TV);
	c.source = s0;
	c0 = policy_builder__add_component(b, &c);
	c.name = "zlib";
	c.version = "1.2.13";
	c.purl = NULL;
	c.source = s1;
	c1 = policy_builder__add_component(b, &c);
	c2 = policy_builder__add_component(b, &x);
	/* same identity again: same index */
	if (policy_builder__add_component(b, &c) != c1)
		return -EINVAL;
	for (i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "file-%d", i);
		digest_of(s, d);
		policy_builder__add_digest(b, d, POLICY_F_ALLOW,
					   i < 50 ? c0 : c1);
	}
	digest_of("file-3", d);		/* shared with zlib */
	policy_builder__add_digest(b, d, POLICY_F_ALLOW, c1);
	digest_of("file-4", d);		/* allowed and blocked */
	policy_builder__add_digest(b, d, POLICY_F_BLOCK | POLICY_F_EXTRA, c2);
	digest_of("evil", d);
	policy_builder__add_digest(b, d, POLICY_F_BLOCK | POLICY_F_EXTRA, c2);
	policy_builder__update_source(b, s0, z, BGP_FMT_CDX_JSON, 50);
	ret = policy_builder__serialize(b, buf, len, st);
	policy_builder__free(b);
	return ret;
}

/* Recompute the checksum after a deliberate edit, to reach the
 * structural checks behind it. */
static void fix_checksum(__u8 *buf, size_t len)
{
	struct bgp_header *h = (void *)buf;

	memset(h->checksum, 0, 32);
	sha256_buf(buf, len, h->checksum);
}

TEST(round_trip)
{
	struct policy_build_stats st;
	const struct policy_component *c;
	const struct policy_entry *e;
	struct policy *p;
	char err[256];
	void *buf;
	size_t len;
	__u8 d[32];
	__u32 i;

	ASSERT_EQ(0, build_sample(&buf, &len, &st));
	EXPECT_EQ(103, st.digests_added);
	EXPECT_EQ(101U, st.distinct);
	EXPECT_EQ(99U, st.allowed);
	EXPECT_EQ(2U, st.blocked);
	EXPECT_EQ(1U, st.conflicts);
	EXPECT_EQ(1U, st.shared);
	p = policy__from_mem(buf, len, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(1U, policy__format_version(p));
	EXPECT_EQ(42ULL, policy__version(p));
	EXPECT_EQ(1700000000ULL, policy__created(p));
	EXPECT_STREQ("web frontend", policy__name(p));
	EXPECT_EQ(BG_MODE_ENFORCE, policy__mode(p, BG_CLASS_EXEC));
	EXPECT_EQ(BG_MODE_AUDIT, policy__mode(p, BG_CLASS_MMAP));
	EXPECT_EQ(BG_MODE_OFF, policy__mode(p, BG_CLASS_FIRMWARE));
	EXPECT_EQ(1, policy__allow_unmeasured_modules(p));
	EXPECT_EQ(1, policy__trust_fuse(p));
	EXPECT_EQ(101U, policy__nr_entries(p));
	EXPECT_EQ(99U, policy__nr_allowed(p));
	EXPECT_EQ(2U, policy__nr_blocked(p));
	EXPECT_EQ(3U, policy__nr_components(p));
	ASSERT_EQ(2U, policy__nr_sources(p));
	EXPECT_STREQ("a.cdx.json", policy__source(p, 0)->name);
	EXPECT_EQ(50ULL, policy__source(p, 0)->nr_digests);
	EXPECT_EQ((__u32)BGP_FMT_SPDX_TV, policy__source(p, 1)->format);
	for (i = 1; i < policy__nr_entries(p); i++)
		ASSERT_GT(0, memcmp(policy__entry(p, i - 1)->sha256,
				    policy__entry(p, i)->sha256, 32));
	digest_of("file-0", d);
	e = policy__lookup(p, d);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((__u32)POLICY_F_ALLOW, e->flags);
	c = policy__component(p, e->component);
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("openssl", c->name);
	EXPECT_STREQ("3.0.2", c->version);
	EXPECT_STREQ("pkg:deb/debian/openssl@3.0.2", c->purl);
	EXPECT_STREQ("Debian", c->supplier);
	EXPECT_STREQ("", c->reason);
	EXPECT_EQ(7U, c->line);
	digest_of("file-77", d);
	c = policy__component(p, policy__lookup(p, d)->component);
	EXPECT_STREQ("zlib", c->name);
	EXPECT_STREQ("", c->purl);
	digest_of("file-3", d);
	e = policy__lookup(p, d);
	EXPECT_EQ((__u32)(POLICY_F_ALLOW | POLICY_F_SHARED), e->flags);
	EXPECT_STREQ("openssl", policy__component(p, e->component)->name);
	digest_of("file-4", d);
	e = policy__lookup(p, d);
	EXPECT_EQ((__u32)(POLICY_F_BLOCK | POLICY_F_EXTRA), e->flags);
	c = policy__component(p, e->component);
	EXPECT_STREQ("CVE-2099-0001 backdoor", c->reason);
	EXPECT_EQ(POLICY_SRC_POLICY, c->source);
	digest_of("evil", d);
	EXPECT_NE(NULL, policy__lookup(p, d));
	digest_of("file-100", d);
	EXPECT_EQ(NULL, policy__lookup(p, d));
	memset(d, 0, 32);
	EXPECT_EQ(NULL, policy__lookup(p, d));
	memset(d, 0xff, 32);
	EXPECT_EQ(NULL, policy__lookup(p, d));
	EXPECT_EQ(NULL, policy__entry(p, 101));
	EXPECT_EQ(NULL, policy__component(p, 3));
	EXPECT_EQ(NULL, policy__source(p, 2));
	policy__free(p);
	free(buf);
}

TEST(empty_policy_and_defaults)
{
	struct policy_builder *b = policy_builder__new();
	struct policy *p;
	char err[256];
	void *buf;
	size_t len;
	int i;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	EXPECT_EQ(129U, len);	/* header + the empty string */
	p = policy__from_mem(buf, len, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(0U, policy__nr_entries(p));
	for (i = 0; i < BG_CLASS_MAX; i++)	/* audit first */
		EXPECT_EQ(BG_MODE_AUDIT, policy__mode(p, i));
	EXPECT_EQ(0, policy__allow_unmeasured_modules(p));
	EXPECT_EQ(0, policy__trust_fuse(p));
	EXPECT_EQ(NULL, policy__lookup(p, (const __u8 *)buf));
	policy__free(p);
	policy_builder__free(b);
	free(buf);
}

TEST(builder_rejects_bad_arguments)
{
	struct policy_builder *b = policy_builder__new();
	struct policy_component c = { .name = "x", .source = 5 };
	__u8 d[32] = {};

	ASSERT_NE(NULL, b);
	EXPECT_EQ(-EINVAL, policy_builder__add_component(b, &c));
	EXPECT_EQ(-EINVAL, policy_builder__add_digest(b, d, 0, POLICY_NO_COMPONENT));
	EXPECT_EQ(-EINVAL, policy_builder__add_digest(b, d, POLICY_F_ALLOW |
						      POLICY_F_BLOCK, POLICY_NO_COMPONENT));
	EXPECT_EQ(-EINVAL, policy_builder__add_digest(b, d, POLICY_F_ALLOW, 0));
	EXPECT_EQ(0, policy_builder__add_digest(b, d, POLICY_F_ALLOW,
						POLICY_NO_COMPONENT));
	policy_builder__free(b);
}

TEST(every_truncation_rejected)
{
	struct policy_build_stats st;
	struct policy *p;
	char err[256];
	void *buf;
	size_t len, n;

	ASSERT_EQ(0, build_sample(&buf, &len, &st));
	for (n = 0; n < len; n++) {
		err[0] = '\0';
		p = policy__from_mem(buf, n, err, sizeof(err));
		ASSERT_EQ(NULL, p) TH_LOG("accepted a %zu-byte truncation", n);
		ASSERT_EQ(EINVAL, errno);
		ASSERT_NE(0, err[0]);
	}
	free(buf);
}

TEST(every_bit_flip_rejected)
{
	struct policy_build_stats st;
	struct policy *p;
	char err[256];
	__u8 *buf;
	size_t len, i;
	int bit;

	ASSERT_EQ(0, build_sample((void **)&buf, &len, &st));
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			buf[i] ^= 1 << bit;
			p = policy__from_mem(buf, len, err, sizeof(err));
			ASSERT_EQ(NULL, p) TH_LOG("flip at %zu accepted", i);
			buf[i] ^= 1 << bit;
		}
	}
	/* and the original still loads */
	p = policy__from_mem(buf, len, err, sizeof(err));
	ASSERT_NE(NULL, p);
	policy__free(p);
	free(buf);
}

/* Behind a valid checksum: every flipped byte either loads into something
 * self-consistent or is rejected, never crashes (ASan run). */
TEST(flips_behind_valid_checksum_never_crash)
{
	struct policy_build_stats st;
	struct policy *p;
	char err[256];
	__u8 *buf, *copy;
	size_t len, i;
	__u32 k;
	int rejected = 0;

	ASSERT_EQ(0, build_sample((void **)&buf, &len, &st));
	copy = malloc(len);
	ASSERT_NE(NULL, copy);
	for (i = 0; i < len; i++) {
		if (i >= 96 && i < 128)
			continue;
		memcpy(copy, buf, len);
		copy[i] ^= 0xa5;
		fix_checksum(copy, len);
		p = policy__from_mem(copy, len, err, sizeof(err));
		if (!p) {
			rejected++;
			continue;
		}
		for (k = 0; k < policy__nr_entries(p); k++) {
			const struct policy_entry *e = policy__entry(p, k);

			ASSERT_EQ(e, policy__lookup(p, e->sha256));
			if (e->component != POLICY_NO_COMPONENT)
				ASSERT_NE(NULL, policy__component(p, e->component));
		}
		policy__free(p);
	}
	EXPECT_LT(100, rejected);
	free(copy);
	free(buf);
}

struct corrupt_case {
	size_t off;		/* 0 means: header field below */
	__u32 value;
	int width;		/* 1 or 4 */
	const char *msg;
};

FIXTURE(corrupt) {
	__u8 *buf;
	size_t len;
};

FIXTURE_VARIANT(corrupt) {
	const char *field;	/* for the log */
	int which;		/* see apply() */
	const char *msg;	/* expected in the error */
};

FIXTURE_VARIANT_ADD(corrupt, magic) { "magic", 0, "bad magic" };
FIXTURE_VARIANT_ADD(corrupt, version) { "format_version", 1, "unsupported format version 2" };
FIXTURE_VARIANT_ADD(corrupt, header_size) { "header_size", 2, "header_size" };
FIXTURE_VARIANT_ADD(corrupt, file_size) { "file_size", 3, "truncated" };
FIXTURE_VARIANT_ADD(corrupt, flags) { "flags", 4, "unknown flags" };
FIXTURE_VARIANT_ADD(corrupt, mode) { "mode", 5, "invalid mode 3" };
FIXTURE_VARIANT_ADD(corrupt, reserved_mode) { "modes[6]", 6, "invalid mode 1 at offset 50" };
FIXTURE_VARIANT_ADD(corrupt, nr_trusts) { "nr_trusts", 7, "nr_trusts 9 at offset 92 is above 8" };
FIXTURE_VARIANT_ADD(corrupt, trust_layout) { "nr_trusts without a table", 29, "strings_off" };
FIXTURE_VARIANT_ADD(corrupt, nr_scopes) { "nr_scopes", 19, "nr_scopes 17 at offset 88 is above 16" };
FIXTURE_VARIANT_ADD(corrupt, scope_layout) { "nr_scopes without a table", 20, "strings_off" };
FIXTURE_VARIANT_ADD(corrupt, nr_entries) { "nr_entries", 8, "components_off" };
FIXTURE_VARIANT_ADD(corrupt, strings_size) { "strings_size", 9, "strings_size" };
FIXTURE_VARIANT_ADD(corrupt, order) { "entry order", 10, "strictly ascending" };
FIXTURE_VARIANT_ADD(corrupt, entry_flags) { "entry flags", 11, "invalid flags 0x3" };
FIXTURE_VARIANT_ADD(corrupt, entry_comp) { "entry component", 12, "component 99 out of range" };
FIXTURE_VARIANT_ADD(corrupt, comp_string) { "component string", 13, "string offset out of range" };
FIXTURE_VARIANT_ADD(corrupt, comp_source) { "component source", 14, "source 7 out of range" };
FIXTURE_VARIANT_ADD(corrupt, strings_nul) { "last string byte", 15, "must start and end with NUL" };
FIXTURE_VARIANT_ADD(corrupt, source_format) { "source format", 16, "bad name or format" };
FIXTURE_VARIANT_ADD(corrupt, checksum) { "checksum", 17, "checksum mismatch" };
FIXTURE_VARIANT_ADD(corrupt, trailing) { "trailing byte", 18, "trailing data" };

FIXTURE_SETUP(corrupt)
{
	struct policy_build_stats st;

	ASSERT_EQ(0, build_sample((void **)&self->buf, &self->len, &st));
}

FIXTURE_TEARDOWN(corrupt)
{
	free(self->buf);
}

static void put32(__u8 *p, __u32 v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static __u32 get32(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

TEST_F(corrupt, rejected_with_reason)
{
	__u8 *b = self->buf;
	__u32 eoff = 128, coff = get32(b + 68), soff = get32(b + 76);
	__u32 stroff = get32(b + 80), ssize = get32(b + 84);
	size_t len = self->len;
	struct policy *p;
	char err[256] = "";
	int fix = 1;

	switch (variant->which) {
	case 0: b[0] = 'X'; break;
	case 1: put32(b + 8, 2); break;
	case 2: put32(b + 12, 64); break;
	case 3: put32(b + 16, len + 1); break;
	case 4: put32(b + 40, 0x80); break;
	case 5: b[44 + 1] = 3; break;
	case 6: b[44 + 6] = 1; break;
	case 7: put32(b + 92, 9); break;
	case 29: put32(b + 92, 1); break;
	case 8: put32(b + 56, get32(b + 56) + 1); break;
	case 9: put32(b + 84, ssize - 1); break;
	case 10: memcpy(b + eoff + 40, b + eoff, 32); break;
	case 11: put32(b + eoff + 32, 3); break;
	case 12: put32(b + eoff + 36, 99); break;
	case 13: put32(b + coff, ssize); break;
	case 14: put32(b + coff + 20, 7); break;
	case 15: b[stroff + ssize - 1] = 'x'; break;
	case 16: put32(b + soff + 36, 9); break;
	case 17: b[100] ^= 1; fix = 0; break;
	case 18: len++; b = realloc(b, len); b[len - 1] = 0;
		self->buf = b; break;
	case 19: put32(b + 88, 17); break;
	case 20: put32(b + 88, 1); break;
	}
	if (fix && len == self->len)
		fix_checksum(b, len);
	p = policy__from_mem(b, len, err, sizeof(err));
	ASSERT_EQ(NULL, p) TH_LOG("%s corruption accepted", variant->field);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(err, variant->msg)) TH_LOG("got: %s", err);
}

/* trust-apt records round-trip; a fingerprint that is not one, a key that
 * is not hex and padding that is not zero are refused, with the offset. */
TEST(trusts_round_trip_and_checks)
{
	static const char fpr[] = "4CB50190207B4758A3F73A8E6ED0E7B82643E131";
	static const __u8 key[] = { 0x99, 0x00, 0x0d, 0xab };
	const struct policy_apt_trust *t;
	struct policy_builder *b;
	struct policy *p;
	char err[256];
	__u8 *rec;
	void *buf;
	size_t len;

	b = policy_builder__new();
	ASSERT_NE(NULL, b);
	policy_builder__set_version(b, 1);
	ASSERT_EQ(0, policy_builder__add_trust(b, fpr, key, sizeof(key), "Debian",
					       "bookworm*", NULL, 7));
	for (int i = 1; i < BGP_MAX_TRUSTS; i++)
		ASSERT_EQ(i, policy_builder__add_trust(b, fpr, key, 1, NULL, NULL,
						       "lib*", 10 + i));
	EXPECT_EQ(-E2BIG, policy_builder__add_trust(b, fpr, key, 1, NULL, NULL, NULL, 1));
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	policy_builder__free(b);
	p = policy__from_mem(buf, len, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	ASSERT_EQ(BGP_MAX_TRUSTS, policy__nr_trusts(p));
	t = policy__trust(p, 0);
	EXPECT_STREQ(fpr, t->fpr);
	ASSERT_EQ(sizeof(key), t->key_len);
	EXPECT_EQ(0, memcmp(key, t->key, sizeof(key)));
	EXPECT_STREQ("Debian", t->origin);
	EXPECT_STREQ("bookworm*", t->suite);
	EXPECT_STREQ("", t->package);
	EXPECT_EQ(7, t->line);
	EXPECT_STREQ("lib*", policy__trust(p, 1)->package);
	EXPECT_EQ(NULL, policy__trust(p, BGP_MAX_TRUSTS));
	policy__free(p);

	/* the trust table is right before the strings */
	rec = (__u8 *)buf + get32((__u8 *)buf + 80) -
	      BGP_MAX_TRUSTS * sizeof(struct bgp_trust);
	for (int c = 0; c < 3; c++) {
		__u8 save[32];

		memcpy(save, rec, sizeof(save));
		if (c == 0)
			put32(rec + 0, get32(rec + 8));	/* fpr = "Debian" */
		else if (c == 1)
			put32(rec + 4, get32(rec + 0));	/* key = the fpr: upper case */
		else
			rec[31] = 1;
		fix_checksum(buf, len);
		p = policy__from_mem(buf, len, err, sizeof(err));
		EXPECT_EQ(NULL, p) TH_LOG("corruption %d accepted", c);
		policy__free(p);
		EXPECT_NE(NULL, strstr(err, "trust 0 (offset ")) TH_LOG("got: %s", err);
		memcpy(rec, save, sizeof(save));
	}
	free(buf);
}

/* Scopes round-trip through the builder and the loader; a bad mode, a
 * duplicate path, a relative path and a reserved mode byte are refused. */
TEST(scopes_round_trip_and_checks)
{
	__u8 m1[BGP_NR_CLASSES] = { BG_MODE_AUDIT, BG_MODE_INHERIT,
				    BG_MODE_OFF, BG_MODE_INHERIT,
				    BG_MODE_ENFORCE };
	__u8 m2[BGP_NR_CLASSES] = { BG_MODE_INHERIT, BG_MODE_ENFORCE,
				    BG_MODE_INHERIT, BG_MODE_INHERIT,
				    BG_MODE_INHERIT };
	const struct policy_scope *sc;
	struct policy_builder *b;
	struct bgp_header *h;
	struct policy *p;
	char err[256];
	void *buf;
	size_t len;
	__u8 *rec;

	b = policy_builder__new();
	ASSERT_NE(NULL, b);
	policy_builder__set_version(b, 1);
	ASSERT_EQ(0, policy_builder__add_scope(b, "/sys/fs/cgroup/app.slice", 9, m1));
	ASSERT_EQ(1, policy_builder__add_scope(b, "/sys/fs/cgroup/system.slice", 12, m2));
	for (int i = 2; i < BGP_MAX_SCOPES; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/fs/cgroup/s%d", i);
		ASSERT_EQ(i, policy_builder__add_scope(b, path, 20 + i, m2));
	}
	EXPECT_EQ(-E2BIG, policy_builder__add_scope(b, "/sys/fs/cgroup/x", 1, m2));
	ASSERT_EQ(0, policy_builder__serialize(b, &buf, &len, NULL));
	policy_builder__free(b);
	p = policy__from_mem(buf, len, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	ASSERT_EQ(BGP_MAX_SCOPES, policy__nr_scopes(p));
	sc = policy__scope(p, 0);
	EXPECT_STREQ("/sys/fs/cgroup/app.slice", sc->path);
	EXPECT_EQ(9, sc->line);
	EXPECT_EQ(0, memcmp(m1, sc->modes, sizeof(m1)));
	sc = policy__scope(p, 1);
	EXPECT_STREQ("/sys/fs/cgroup/system.slice", sc->path);
	EXPECT_EQ(0, memcmp(m2, sc->modes, sizeof(m2)));
	EXPECT_EQ(NULL, policy__scope(p, BGP_MAX_SCOPES));
	policy__free(p);

	/* the scope table is right before the strings: scope 0 at ... */
	h = buf;
	rec = (__u8 *)buf + le32toh(h->strings_off) -
	      BGP_MAX_SCOPES * sizeof(struct bgp_scope);
	rec[8] = 3;			/* a mode that is not one */
	fix_checksum(buf, len);
	EXPECT_EQ(NULL, policy__from_mem(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "scope 0 (offset")) TH_LOG("%s", err);
	rec[8] = BG_MODE_AUDIT;
	rec[8 + 5] = 1;			/* modes[5]: reserved */
	fix_checksum(buf, len);
	EXPECT_EQ(NULL, policy__from_mem(buf, len, err, sizeof(err)));
	rec[8 + 5] = 0;
	memcpy(rec + 16, rec, 4);	/* scope 1 with scope 0's path */
	fix_checksum(buf, len);
	EXPECT_EQ(NULL, policy__from_mem(buf, len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "scope 1 (offset")) TH_LOG("%s", err);
	memcpy(rec + 16, rec + 32, 4);	/* and with scope 2's: still twice */
	fix_checksum(buf, len);
	p = policy__from_mem(buf, len, err, sizeof(err));
	EXPECT_EQ(NULL, p) TH_LOG("scopes 1 and 2 share a path");
	policy__free(p);
	put32(rec, 0);			/* the empty string: not absolute */
	fix_checksum(buf, len);
	EXPECT_EQ(NULL, policy__from_mem(buf, len, err, sizeof(err)));
	free(buf);
}

TEST(open_file_and_errors)
{
	struct policy_build_stats st;
	char dir[] = "/tmp/policy_test.XXXXXX", path[64], err[512];
	struct policy *p;
	void *buf;
	size_t len;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.bgp", dir);
	ASSERT_EQ(0, build_sample(&buf, &len, &st));
	ASSERT_EQ(0, fileio_write_file(path, buf, len, 0644, 0));
	p = policy__open(path, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(policy__file_sha256(p),
			    (sha256_buf(buf, len, (__u8 *)err), err), 32));
	policy__free(p);
	unlink(path);
	p = policy__open(path, err, sizeof(err));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(NULL, strstr(err, "p.bgp"));
	p = policy__open(dir, err, sizeof(err));
	EXPECT_EQ(NULL, p);
	EXPECT_NE(NULL, strstr(err, "not a regular file"));
	rmdir(dir);
	free(buf);
}

/* --- policy source -------------------------------------------------------- */

TEST(source_parses)
{
	static const char text[] =
		"# production web tier\n"
		"version 7\r\n"
		"name \"web tier\"\n"
		"\n"
		"  sbom sboms/app.cdx.json\n"
		"sbom /abs/os.spdx spdx-tv\n"
		"sbom \"with space.json\" cyclonedx-json\n"
		"mode all enforce\n"
		"mode firmware audit\n"
		"allow-unmeasured-modules no\n"
		"trust-fuse yes\n"
		"allow 0000000000000000000000000000000000000000000000000000000000000001 hotfix #42 by ops\n"
		"block AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\tknown bad  \n";
	struct policy_src *src;
	char err[256];

	src = policy_src__parse_mem(text, strlen(text), "t.policy", "/etc/bg",
				    err, sizeof(err));
	ASSERT_NE(NULL, src) TH_LOG("%s", err);
	EXPECT_EQ(7ULL, src->version);
	EXPECT_STREQ("web tier", src->name);
	ASSERT_EQ(3U, src->nr_sboms);
	EXPECT_STREQ("/etc/bg/sboms/app.cdx.json", src->sboms[0].path);
	EXPECT_EQ(5UL, src->sboms[0].line);
	EXPECT_STREQ("/abs/os.spdx", src->sboms[1].path);
	EXPECT_NE(0, src->sboms[1].format);
	EXPECT_STREQ("/etc/bg/with space.json", src->sboms[2].path);
	EXPECT_EQ(BG_MODE_ENFORCE, src->modes[BG_CLASS_EXEC]);
	EXPECT_EQ(BG_MODE_ENFORCE, src->modes[BG_CLASS_KEXEC]);
	EXPECT_EQ(BG_MODE_AUDIT, src->modes[BG_CLASS_FIRMWARE]);
	EXPECT_EQ(0, src->allow_unmeasured_modules);
	EXPECT_EQ(1, src->trust_fuse);
	ASSERT_EQ(2U, src->nr_rules);
	EXPECT_EQ((__u32)POLICY_F_ALLOW, src->rules[0].flags);
	EXPECT_EQ(1, src->rules[0].sha256[31]);
	EXPECT_STREQ("hotfix #42 by ops", src->rules[0].reason);
	EXPECT_EQ((__u32)POLICY_F_BLOCK, src->rules[1].flags);
	EXPECT_EQ(0xaa, src->rules[1].sha256[0]);
	EXPECT_STREQ("known bad", src->rules[1].reason);
	EXPECT_EQ(13UL, src->rules[1].line);
	policy_src__free(src);
}

TEST(source_defaults_audit)
{
	struct policy_src *src;
	char err[256];
	int i;

	src = policy_src__parse_mem("version 1", 9, "m", NULL, err, sizeof(err));
	ASSERT_NE(NULL, src) TH_LOG("%s", err);
	for (i = 0; i < BG_CLASS_MAX; i++)
		EXPECT_EQ(BG_MODE_AUDIT, src->modes[i]);
	EXPECT_EQ(0U, src->nr_sboms);
	policy_src__free(src);
}

FIXTURE(src_err) {};
FIXTURE_SETUP(src_err) {}
FIXTURE_TEARDOWN(src_err) {}

FIXTURE_VARIANT(src_err) {
	const char *text;
	const char *want;	/* "FILE:LINE: ..." prefix or substring */
};

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

FIXTURE_VARIANT_ADD(src_err, no_version) { "mode exec audit\n", "x.policy:1: no 'version N' line" };
FIXTURE_VARIANT_ADD(src_err, version_twice) { "version 1\nversion 2\n", "x.policy:2: version already given at line 1" };
FIXTURE_VARIANT_ADD(src_err, version_zero) { "version 0\n", "x.policy:1: version '0'" };
FIXTURE_VARIANT_ADD(src_err, version_neg) { "version -1\n", "x.policy:1: version needs" };
FIXTURE_VARIANT_ADD(src_err, version_huge) { "version 18446744073709551616\n", "x.policy:1: version '1844" };
FIXTURE_VARIANT_ADD(src_err, version_junk) { "version 3 4\n", "x.policy:1: unexpected '4'" };
FIXTURE_VARIANT_ADD(src_err, unknown) { "version 1\n\nalow " H64 " x\n", "x.policy:3: unknown directive 'alow'" };
FIXTURE_VARIANT_ADD(src_err, bad_hook) { "version 1\nmode exce enforce\n", "x.policy:2: unknown class 'exce'" };
FIXTURE_VARIANT_ADD(src_err, bad_mode) { "version 1\nmode exec deny\n", "x.policy:2: unknown mode 'deny'" };
FIXTURE_VARIANT_ADD(src_err, mode_twice) { "version 1\nmode exec audit\nmode exec enforce\n", "x.policy:3: mode for exec already given at line 2" };
FIXTURE_VARIANT_ADD(src_err, mode_missing) { "version 1\nmode exec\n", "x.policy:2: usage: mode" };
FIXTURE_VARIANT_ADD(src_err, short_hex) { "version 1\nallow abcd reason\n", "x.policy:2: allow needs a SHA-256" };
FIXTURE_VARIANT_ADD(src_err, bad_hex) { "version 1\nblock " "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" " r\n", "x.policy:2: block needs a SHA-256" };
FIXTURE_VARIANT_ADD(src_err, no_reason) { "version 1\nblock " H64 "   \n", "x.policy:2: block " H64 " needs a reason" };
FIXTURE_VARIANT_ADD(src_err, dup_digest) { "version 1\nallow " H64 " a\nblock " H64 " b\n", "x.policy:3: digest " H64 " already listed at line 2" };
FIXTURE_VARIANT_ADD(src_err, bad_format) { "version 1\nsbom a.json yaml\n", "x.policy:2: unknown SBOM format 'yaml'" };
FIXTURE_VARIANT_ADD(src_err, no_path) { "version 1\nsbom\n", "x.policy:2: sbom needs a path" };
FIXTURE_VARIANT_ADD(src_err, quote) { "version 1\nsbom \"a b.json\n", "x.policy:2: missing closing quote" };
FIXTURE_VARIANT_ADD(src_err, unmeasured) { "version 1\nallow-unmeasured-modules maybe\n", "x.policy:2: allow-unmeasured-modules needs yes or no" };
FIXTURE_VARIANT_ADD(src_err, utf8) { "version 1\nname caf\xc3\n", "x.policy:2: invalid UTF-8" };
FIXTURE_VARIANT_ADD(src_err, overlong) { "version 1\nname \xc0\xaf\n", "x.policy:2: invalid UTF-8" };
FIXTURE_VARIANT_ADD(src_err, control) { "version 1\nname a\x1b[31m\n", "x.policy:2: invalid UTF-8 or control" };
/* found by fuzz_policy_source: a lone quote read an unset pointer */
FIXTURE_VARIANT_ADD(src_err, lone_quote) { "\"", "x.policy:1: missing closing quote" };
FIXTURE_VARIANT_ADD(src_err, quote_after_version) { "version 1 \"x\n", "x.policy:1: unexpected '\"x'" };
FIXTURE_VARIANT_ADD(src_err, trust_fuse_twice) { "version 1\ntrust-fuse no\ntrust-fuse yes\n", "x.policy:3: trust-fuse already given at line 2" };
FIXTURE_VARIANT_ADD(src_err, trust_fuse_value) { "version 1\ntrust-fuse maybe\n", "x.policy:2: trust-fuse needs yes or no" };
FIXTURE_VARIANT_ADD(src_err, name_twice) { "version 1\nname a\nname b\n", "x.policy:3: name already given" };

TEST_F(src_err, names_file_and_line)
{
	struct policy_src *src;
	char err[512] = "";

	src = policy_src__parse_mem(variant->text, strlen(variant->text),
				    "x.policy", NULL, err, sizeof(err));
	ASSERT_EQ(NULL, src);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, strncmp(err, variant->want, strlen(variant->want)))
		TH_LOG("got: %s", err);
}

TEST(source_nul_and_long_lines)
{
	char err[256], *big;
	struct policy_src *src;
	static const char nul[] = "version 1\nname a\0b\n";

	src = policy_src__parse_mem(nul, sizeof(nul) - 1, "n", NULL, err,
				    sizeof(err));
	ASSERT_EQ(NULL, src);
	EXPECT_STREQ("n:2: NUL byte in the line", err);
	big = malloc(POLICY_SRC_MAX_LINE + 20);
	ASSERT_NE(NULL, big);
	memset(big, 'a', POLICY_SRC_MAX_LINE + 20);
	memcpy(big, "version 1\nname ", 15);
	src = policy_src__parse_mem(big, POLICY_SRC_MAX_LINE + 20, "n", NULL,
				    err, sizeof(err));
	ASSERT_EQ(NULL, src);
	EXPECT_STREQ("n:2: line longer than 4096 bytes", err);
	free(big);
}

TEST(source_file_relative_paths)
{
	char dir[] = "/tmp/policy_src.XXXXXX", path[64], err[256];
	struct policy_src *src;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.policy", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("version 3\nsbom os.spdx.json\nmode exec enforce\n", f);
	fclose(f);
	src = policy_src__parse(path, err, sizeof(err));
	ASSERT_NE(NULL, src) TH_LOG("%s", err);
	snprintf(path, sizeof(path), "%s/os.spdx.json", dir);
	EXPECT_STREQ(path, src->sboms[0].path);
	policy_src__free(src);
	snprintf(path, sizeof(path), "%s/p.policy", dir);
	unlink(path);
	rmdir(dir);
	src = policy_src__parse(path, err, sizeof(err));
	EXPECT_EQ(NULL, src);
	EXPECT_EQ(ENOENT, errno);
}

TEST(sha256_helpers)
{
	static const char abc_hex[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char hex[65];
	__u8 d[32], e[32];

	ASSERT_EQ(0, sha256_buf("abc", 3, d));
	sha256_hex(d, hex);
	EXPECT_STREQ(abc_hex, hex);
	ASSERT_EQ(0, sha256_parse_hex(abc_hex, 64, e));
	EXPECT_EQ(0, memcmp(d, e, 32));
	EXPECT_EQ(-EINVAL, sha256_parse_hex(abc_hex, 63, e));
	EXPECT_EQ(-EINVAL, sha256_parse_hex("zz", 2, e));
	EXPECT_EQ(-ENOENT, sha256_file("/nonexistent/x", e));
}

TEST_HARNESS_MAIN
