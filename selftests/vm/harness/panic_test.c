// SPDX-License-Identifier: GPL-2.0
/* Harness self-test (not in make check): crash the guest kernel. */
#include <fcntl.h>
#include <unistd.h>
#include "kselftest_harness.h"

TEST(crashes_the_kernel)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "c", 1));
}

TEST_HARNESS_MAIN
