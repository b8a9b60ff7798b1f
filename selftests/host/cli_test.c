// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate doctor / bomgated --check on the host: the report is complete and
 * consistent with the exit status; --help and bad usage behave.
 */
#include "kselftest_harness.h"
#include "testutil.h"

static char out[65536];

static int run(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, tu_build(), arg);
	return tu_run(cmd, out, sizeof(out));
}

TEST(check_lists_every_requirement)
{
	static const char *const names[] = {
		"BPF LSM active", "kernel BTF", "IMA (file hashing)",
		"BPF LSM programs load", "sleepable LSM + ima hash", "privileges",
	};
	int rc = run("%s/bomgated --check 2>&1%s", "");

	ASSERT_TRUE(rc == 0 || rc == 1) TH_LOG("exit %d: %s", rc, out);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		EXPECT_NE(NULL, strstr(out, names[i])) TH_LOG("%s", names[i]);
	if (rc == 1) {
		/* each missing requirement says what to change */
		EXPECT_NE(NULL, strstr(out, "missing"));
		EXPECT_NE(NULL, strstr(out, "fix: "));
		EXPECT_NE(NULL, strstr(out, "cannot enforce on this kernel"));
	} else {
		EXPECT_NE(NULL, strstr(out, "This kernel can run bomgate."));
	}
}

TEST(doctor_json_agrees_with_exit_status)
{
	int rc = run("%s/bomgate doctor --json%s", "");

	ASSERT_TRUE(rc == 0 || rc == 1);
	EXPECT_NE(NULL, strstr(out, rc ? "\"can_enforce\":false" :
					 "\"can_enforce\":true")) TH_LOG("%s", out);
}

TEST(help_and_usage_errors)
{
	EXPECT_EQ(0, run("%s/bomgate --help 2>&1%s", ""));
	EXPECT_NE(NULL, strstr(out, "Usage: bomgate"));
	EXPECT_EQ(0, run("%s/bomgated --help 2>&1%s", ""));
	EXPECT_NE(NULL, strstr(out, "--check"));
	EXPECT_EQ(0, run("%s/bomgate doctor --help 2>&1%s", ""));
	EXPECT_EQ(2, run("%s/bomgate no-such-command 2>&1%s", ""));
	EXPECT_NE(NULL, strstr(out, "unknown command 'no-such-command'"));
	EXPECT_EQ(2, run("%s/bomgated --no-such-option 2>&1%s", ""));
	EXPECT_EQ(2, run("%s/bomgate doctor extra 2>&1%s", ""));
}

TEST_HARNESS_MAIN
