// SPDX-License-Identifier: GPL-2.0
/*
 * The lock-out guard covers what 'bomgate disable' needs to run: the CLI
 * next to the daemon and every shared library the CLI loads, not only the
 * ones the daemon maps itself (the CLI also links libexpat and libyajl).
 * Regression test: the guard once listed the CLI but not its libraries, so
 * a policy passing the guard could leave the CLI unable to start under
 * mmap enforcement. 'bomgated --guard-list' runs without BPF.
 */
#include <limits.h>
#include <stdlib.h>
#include "kselftest_harness.h"
#include "testutil.h"

static char guard[16384], libs[16384];

TEST(guard_lists_the_cli_and_its_libraries)
{
	char cmd[1024], *line, *save = NULL;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "%s/bomgated --guard-list", tu_build());
	ASSERT_EQ(0, tu_run(cmd, guard, sizeof(guard))) TH_LOG("%s", guard);
	snprintf(cmd, sizeof(cmd), "%s/bomgate", tu_build());
	{
		char real[PATH_MAX], want[PATH_MAX + 4];

		ASSERT_NE(NULL, realpath(cmd, real));
		snprintf(want, sizeof(want), "  %s\n", real);
		EXPECT_NE(NULL, strstr(guard, want)) TH_LOG("%s", guard);
	}
	snprintf(cmd, sizeof(cmd),
		 "ldd %s/bomgate | sed -n 's|.*=> \\(/[^ ]*\\) .*|\\1|p'",
		 tu_build());
	ASSERT_EQ(0, tu_run(cmd, libs, sizeof(libs)));
	for (line = strtok_r(libs, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char real[PATH_MAX], want[PATH_MAX + 4];

		ASSERT_NE(NULL, realpath(line, real)) TH_LOG("%s", line);
		snprintf(want, sizeof(want), "  %s\n", real);
		EXPECT_NE(NULL, strstr(guard, want))
			TH_LOG("%s (the CLI loads it) is not guarded:\n%s", real, guard);
		n++;
	}
	/* libc, libcrypto, libelf, libz, libyajl, libexpat, libseccomp */
	EXPECT_LE(5, n);
}

TEST_HARNESS_MAIN
