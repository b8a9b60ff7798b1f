// SPDX-License-Identifier: GPL-2.0
/* Harness self-test (not in make check): a test that fails. */
#include "kselftest_harness.h"

TEST(deliberately_broken)
{
	EXPECT_EQ(1, 2);
}

TEST_HARNESS_MAIN
