// SPDX-License-Identifier: GPL-2.0
/*
 * bomgated settings: the configuration file parser, the command line
 * winning over it, and refusals that name the line and the problem.
 */
#include "kselftest_harness.h"
#include "daemon_conf.h"
#include "vocab.h"
#include "testutil.h"

#define PARSE(c, s, err) \
	daemon_conf__parse_mem(c, s, strlen(s), "t.conf", err, sizeof(err))

TEST(file_sets_every_kind)
{
	struct daemon_conf c;
	char err[256] = "";
	const char *s =
		"# comment\n"
		"  policy = /etc/bomgate/prod.bgp  \n"
		"trust=/etc/bomgate/a.pem\n"
		"trust = /etc/bomgate/b.pem\n"
		"min-signers = 2\n"
		"mode = enforce\r\n"
		"\n"
		"events-max-size = 2M\n"
		"events-syslog = no\n"
		"guard = /usr/sbin/sshd\n";

	daemon_conf__init(&c);
	ASSERT_EQ(0, PARSE(&c, s, err)) TH_LOG("%s", err);
	EXPECT_STREQ("/etc/bomgate/prod.bgp", c.policy);
	ASSERT_EQ(2, c.nr_trust);
	EXPECT_STREQ("/etc/bomgate/b.pem", c.trust[1]);
	EXPECT_EQ(2, c.min_signers);
	EXPECT_EQ(BG_MODE_ENFORCE, c.mode);
	EXPECT_EQ(2 * 1024 * 1024, c.events_max_bytes);
	EXPECT_EQ(0, c.events_syslog);
	ASSERT_EQ(1, c.nr_guard);
	EXPECT_EQ(0, daemon_conf__check(&c, err, sizeof(err)));
	daemon_conf__free(&c);
}

TEST(command_line_wins_and_replaces_lists)
{
	struct daemon_conf c;
	char err[256];

	daemon_conf__init(&c);
	ASSERT_EQ(0, PARSE(&c, "mode = audit\ntrust = /a.pem\ntrust = /b.pem\n"
			   "policy = /p.bgp\n", err));
	ASSERT_EQ(0, daemon_conf__set(&c, "mode", "enforce", 1, err,
				      sizeof(err)));
	ASSERT_EQ(0, daemon_conf__set(&c, "trust", "/cli.pem", 1, err,
				      sizeof(err)));
	ASSERT_EQ(0, daemon_conf__set(&c, "force", NULL, 1, err, sizeof(err)));
	EXPECT_EQ(BG_MODE_ENFORCE, c.mode);
	ASSERT_EQ(1, c.nr_trust);
	EXPECT_STREQ("/cli.pem", c.trust[0]);
	EXPECT_EQ(1, c.force);
	/* a second --trust adds to the command line's list */
	ASSERT_EQ(0, daemon_conf__set(&c, "trust", "/cli2.pem", 1, err,
				      sizeof(err)));
	EXPECT_EQ(2, c.nr_trust);
	daemon_conf__free(&c);
}

struct bad {
	const char *text;
	const char *msg;
};

TEST(bad_lines_are_refused_with_line_number)
{
	static const struct bad bad[] = {
		{ "policy = /p\nfrobnicate = 1\n", "t.conf:2: unknown setting 'frobnicate'" },
		{ "policy /p\n", "t.conf:1: expected 'key = value'" },
		{ "policy =\n", "t.conf:1: policy has no value" },
		{ "min-signers = 0\n", "t.conf:1: min-signers: '0' is not a number" },
		{ "min-signers = 2x\n", "t.conf:1: min-signers" },
		{ "mode = strict\n", "t.conf:1: mode: 'strict'" },
		{ "force = maybe\n", "t.conf:1: force: 'maybe' is not yes or no" },
		{ "events-max-size = 12Q\n", "t.conf:1: events-max-size" },
		{ "events-max-size = 100\n", "is not a size from 4k to 1024G" },
		{ "\n\ncoalesce = -1\n", "t.conf:3: coalesce" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct daemon_conf c;
		char err[256] = "";

		daemon_conf__init(&c);
		EXPECT_EQ(-EINVAL, PARSE(&c, bad[i].text, err)) TH_LOG("%zu", i);
		EXPECT_NE(NULL, strstr(err, bad[i].msg)) TH_LOG("%zu: %s", i, err);
		daemon_conf__free(&c);
	}
}

TEST(long_line_nul_and_too_many_list_items)
{
	struct daemon_conf c;
	char big[DCONF_MAX_LINE + 64], err[256];

	daemon_conf__init(&c);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(-EINVAL, PARSE(&c, big, err));
	EXPECT_NE(NULL, strstr(err, "longer than"));
	EXPECT_EQ(-EINVAL, daemon_conf__parse_mem(&c, "policy = a\0b\n", 12,
						  "t.conf", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "NUL"));
	for (int i = 0; i < DCONF_MAX_LIST; i++)
		ASSERT_EQ(0, PARSE(&c, "guard = /bin/true\n", err));
	EXPECT_EQ(-EINVAL, PARSE(&c, "guard = /bin/true\n", err));
	EXPECT_NE(NULL, strstr(err, "more than"));
	daemon_conf__free(&c);
}

TEST(check_requires_policy_and_trust)
{
	struct daemon_conf c;
	char err[256];

	daemon_conf__init(&c);
	EXPECT_EQ(-EINVAL, daemon_conf__check(&c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no policy"));
	ASSERT_EQ(0, PARSE(&c, "policy = /p.bgp\n", err));
	EXPECT_EQ(-EINVAL, daemon_conf__check(&c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no trusted certificate"));
	ASSERT_EQ(0, PARSE(&c, "insecure-unsigned = yes\n", err));
	EXPECT_EQ(0, daemon_conf__check(&c, err, sizeof(err)));
	ASSERT_EQ(0, PARSE(&c, "trust = /a.pem\nmin-signers = 2\n", err));
	EXPECT_EQ(-EINVAL, daemon_conf__check(&c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "min-signers 2"));
	daemon_conf__free(&c);
}

/* The binary: the file is read, the command line wins, errors exit 2. */
TEST(bomgated_reads_config_file)
{
	char cmd[512], out[4096];
	FILE *f = fopen("/tmp/bg-daemon-conf-test.conf", "w");

	ASSERT_NE(NULL, f);
	fputs("policy = /nonexistent/p.bgp\nbogus = 1\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/bomgated -c /tmp/bg-daemon-conf-test.conf 2>&1",
		 tu_build());
	EXPECT_EQ(2, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "bg-daemon-conf-test.conf:2: unknown setting 'bogus'"))
		TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s/bomgated --policy /p --min-signers 40 2>&1",
		 tu_build());
	EXPECT_EQ(2, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "min-signers")) TH_LOG("%s", out);
	unlink("/tmp/bg-daemon-conf-test.conf");
}

TEST_HARNESS_MAIN
