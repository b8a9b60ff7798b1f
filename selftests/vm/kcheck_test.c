// SPDX-License-Identifier: GPL-2.0
/* In the VM (a kernel that can run bomgate), every check passes. */
#include "kselftest_harness.h"
#include "testutil.h"

static char out[65536];

TEST(check_passes_on_a_capable_kernel)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s/bomgated --check 2>&1", tu_build());
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "This kernel can run bomgate."));
	EXPECT_EQ(NULL, strstr(out, "missing"));
	snprintf(cmd, sizeof(cmd), "%s/bomgate doctor --json", tu_build());
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"can_enforce\":true"));
}

TEST_HARNESS_MAIN
