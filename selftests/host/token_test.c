// SPDX-License-Identifier: GPL-2.0
/*
 * Step-down tokens (issue 13): the text format is strict and its errors
 * name the line; every binding (machine, seal, generation, serial, time)
 * refuses on its own; `bomgate token create` binds to a sealed daemon's
 * status, signs with real keys, and refuses an unsealed status, while
 * the signature verifies by the signer and not by another key.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fileio.h"
#include "sign.h"
#include "testutil.h"
#include "token.h"
#include "vocab.h"

static const char good[] =
	"bomgate-token/1\n"
	"action: mode audit exec\n"
	"machine-id: 00112233445566778899aabbccddeeff\n"
	"seal-id: ffeeddccbbaa99887766554433221100\n"
	"serial: 3\n"
	"generation: 1048577\n"
	"not-before: 1796000000\n"
	"not-after: 1796003600\n";

TEST(format_round_trip_and_strict_errors)
{
	static const struct {
		const char *from, *to, *err;
	} bad[] = {
		{ "bomgate-token/1", "bomgate-token/2", "line 1:" },
		{ "action: mode audit exec", "action: mode  audit", "line 2 (action)" },
		{ "action: mode audit exec", "action: mode audit exec token", "line 2 (action)" },
		{ "action: mode audit exec", "action: rm -rf", "line 2 (action)" },
		{ "machine-id: 0011", "machine-id: 0G11", "line 3 (machine-id)" },
		{ "seal-id: ffee", "seal-id: FFEE", "line 4 (seal-id)" },
		{ "serial: 3", "serial: 03", "line 5 (serial)" },
		{ "serial: 3", "serial: -3", "line 5 (serial)" },
		{ "generation: 1048577", "generation: 99999999999999999999", "line 6 (generation)" },
		{ "serial: 3\n", "", "line 5: 'serial: ' expected" },
		{ "not-after: 1796003600", "not-after: 1796000000", "line 8 (not-after)" },
		{ "not-after: 1796003600", "not-after: 1797000000", "line 8 (not-after)" },
		{ "not-after: 1796003600\n", "not-after: 1796003600", "no newline" },
		{ "not-after: 1796003600\n", "not-after: 1796003600\nx: y\n", "line 9:" },
		{ "serial: 3", "serial: 3\x1b[2J", "byte 0x1b at offset" },
		{ "not-after: 1796003600\n", "", "line 8: 'not-after' is missing" },
	};
	char buf[TOKEN_MAX_LEN], err[256], text[2048];
	struct token t;
	int n;

	ASSERT_EQ(0, token_parse(good, strlen(good), &t, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(TOKEN_MODE, t.action);
	EXPECT_EQ(BG_MODE_AUDIT, t.mode);
	EXPECT_EQ(BG_CLASS_EXEC, t.cls);
	EXPECT_EQ(3, t.serial);
	EXPECT_EQ(1048577, t.generation);
	EXPECT_EQ(0xff, t.seal_id[0]);
	n = token_format(&t, buf, sizeof(buf));
	ASSERT_EQ((int)strlen(good), n);
	EXPECT_EQ(0, memcmp(good, buf, n));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *at = strstr(good, bad[i].from);
		size_t pre;

		ASSERT_NE(NULL, at);
		pre = at - good;
		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, good,
			 bad[i].to, at + strlen(bad[i].from));
		err[0] = '\0';
		EXPECT_EQ(-EINVAL, token_parse(text, strlen(text), &t, err,
						sizeof(err))) TH_LOG("case %zu", i);
		EXPECT_NE(NULL, strstr(err, bad[i].err))
			TH_LOG("case %zu: '%s' does not say '%s'", i, err,
			       bad[i].err);
	}
	memset(text, 'x', sizeof(text));
	EXPECT_EQ(-EINVAL, token_parse(text, sizeof(text), &t, err,
					sizeof(err)));
}

TEST(each_binding_refuses_on_its_own)
{
	struct token t;
	struct token_bind b = {}, x;
	char err[256];

	ASSERT_EQ(0, token_parse(good, strlen(good), &t, err, sizeof(err)));
	memcpy(b.machine_id, t.machine_id, TOKEN_ID_LEN);
	memcpy(b.seal_id, t.seal_id, TOKEN_ID_LEN);
	b.generation = 1048577;
	b.last_serial = 2;
	b.now = 1796000100;
	ASSERT_EQ(0, token_check(&t, &b, err, sizeof(err))) TH_LOG("%s", err);

	x = b;
	x.machine_id[15] ^= 1;
	EXPECT_EQ(-EPERM, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "for machine 00112233"));
	x = b;
	x.seal_id[0] ^= 1;
	EXPECT_EQ(-EPERM, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "seal in the kernel is feeedd"));
	x = b;
	x.generation++;
	EXPECT_EQ(-EPERM, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "generation 1048577, 1048578 is in force"));
	x = b;
	x.last_serial = 3;	/* used once already */
	EXPECT_EQ(-ESTALE, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "serial 3 was used"));
	x = b;
	x.now = 1796000000 - TOKEN_SKEW - 1;
	EXPECT_EQ(-ETIME, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not valid before"));
	x.now = 1796000000 - TOKEN_SKEW;	/* clock difference tolerated */
	EXPECT_EQ(0, token_check(&t, &x, err, sizeof(err)));
	x.now = 1796003600 + TOKEN_SKEW + 1;
	EXPECT_EQ(-ETIME, token_check(&t, &x, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "expired"));
}

FIXTURE(cli) {
	char dir[64], bin[PATH_MAX], out[16384];
};

FIXTURE_SETUP(cli)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/token_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_NE(NULL, realpath(tu_build(), self->bin));
	strncat(self->bin, "/bomgate", sizeof(self->bin) - strlen(self->bin) - 1);
	ASSERT_EQ(0, tu_run_self(self,
		"$B key generate -o a.key -c a.crt -s CN=alice --bits 2048 && "
		"$B key generate -o m.key -c m.crt -s CN=mallory --bits 2048"))
		TH_LOG("%s", self->out);
	tu_put(self->dir, "sealed.json",
	       "{\"ok\":true,\"daemon\":{\"machine_id\":\"00112233445566778899aabbccddeeff\"},"
	       "\"kernel\":{\"generation\":2097153,\"sealed\":true,"
	       "\"seal\":{\"id\":\"ffeeddccbbaa99887766554433221100\",\"token_serial\":4}}}\n");
	tu_put(self->dir, "open.json",
	       "{\"ok\":true,\"daemon\":{\"machine_id\":\"00112233445566778899aabbccddeeff\"},"
	       "\"kernel\":{\"generation\":2097153,\"sealed\":false,"
	       "\"seal\":{\"id\":\"\",\"token_serial\":0}}}\n");
}

FIXTURE_TEARDOWN(cli)
{
	tu_rm_rf(self->dir);
}

TEST_F(cli, create_binds_to_the_status_and_signs)
{
	const char *trust_a[] = { "a.crt" }, *trust_m[] = { "m.crt" };
	struct sign_result res;
	struct token t;
	void *tok, *sig;
	size_t tlen, slen;
	char err[512], cwd[PATH_MAX];

	ASSERT_EQ(0, tu_run_self(self,
		"$B token create --for sealed.json --action 'mode off module' "
		"-k a.key -c a.crt --valid 600 -o t1")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "serial 5, generation 2097153"))
		TH_LOG("%s", self->out);
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, fileio_read_file("t1", TOKEN_MAX_LEN, &tok, &tlen));
	ASSERT_EQ(0, fileio_read_file("t1.sig", 65536, &sig, &slen));
	ASSERT_EQ(0, token_parse(tok, tlen, &t, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(TOKEN_MODE, t.action);
	EXPECT_EQ(BG_MODE_OFF, t.mode);
	EXPECT_EQ(BG_CLASS_MODULE, t.cls);
	EXPECT_EQ(5, t.serial);
	EXPECT_EQ(600, t.not_after - t.not_before);
	EXPECT_EQ(0x00, t.machine_id[0]);
	EXPECT_EQ(0xff, t.machine_id[15]);
	{
		struct sign_blob b = { sig, slen, "t1.sig" };

		EXPECT_EQ(0, sign_verify_mem(tok, tlen, &b, 1, trust_a, 1, 1,
					     &res, err, sizeof(err)))
			TH_LOG("%s", err);
		EXPECT_EQ(-EKEYREJECTED,
			  sign_verify_mem(tok, tlen, &b, 1, trust_m, 1, 1,
					  &res, err, sizeof(err)));
		((char *)tok)[tlen - 2] ^= 1;	/* a time edited */
		EXPECT_EQ(-EKEYREJECTED,
			  sign_verify_mem(tok, tlen, &b, 1, trust_a, 1, 1,
					  &res, err, sizeof(err)));
	}
	free(tok);
	free(sig);
	ASSERT_EQ(0, chdir(cwd));

	EXPECT_EQ(0, tu_run_self(self, "$B token show t1"));
	EXPECT_NE(NULL, strstr(self->out, "action:     mode off module"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "seal:       ffeeddccbbaa99887766554433221100"));
}

TEST_F(cli, create_refuses_what_cannot_be_a_token)
{
	EXPECT_EQ(3, tu_run_self(self,
		"$B token create --for open.json --action disable -k a.key -c a.crt -o t2"));
	EXPECT_NE(NULL, strstr(self->out, "not sealed")) TH_LOG("%s", self->out);
	EXPECT_NE(0, access("t2", F_OK));
	EXPECT_EQ(2, tu_run_self(self,
		"$B token create --for sealed.json --action 'mode sideways' -k a.key -c a.crt -o t2"));
	EXPECT_NE(NULL, strstr(self->out, "unknown mode")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, tu_run_self(self,
		"$B token create --for sealed.json --action disable --valid 604801 -k a.key -c a.crt -o t2"));
	EXPECT_EQ(4, tu_run_self(self,
		"$B token create --for sealed.json --action disable -k a.key -c m.crt -o t2"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(3, tu_run_self(self,
		"printf '{\"ok\":true}' > s.json && $B token create --for s.json --action disable -k a.key -c a.crt -o t2"));
	EXPECT_NE(NULL, strstr(self->out, "s.json: not the output")) TH_LOG("%s", self->out);
	/* an output planted as a symlink is not followed */
	EXPECT_EQ(5, tu_run_self(self,
		"ln -s /tmp/token_test_victim t3 && $B token create --for sealed.json --action disable -k a.key -c a.crt -o t3"));
	EXPECT_NE(0, access("/tmp/token_test_victim", F_OK));
	EXPECT_EQ(3, tu_run_self(self, "$B token show sealed.json"));
	EXPECT_NE(NULL, strstr(self->out, "sealed.json: line 1"));
}

TEST_HARNESS_MAIN
