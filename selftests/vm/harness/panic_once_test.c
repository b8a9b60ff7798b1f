// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test (not in make check): crash the guest kernel the first
 * time only (a mark in the results share outlives the guest), pass the
 * second: the run must pass and the report must carry the WARNING.
 */
#include <fcntl.h>
#include <unistd.h>
#include "kselftest_harness.h"

#define MARK "/run/bomgate-results/panic_once.mark"

TEST(crashes_the_kernel_once)
{
	int fd;

	if (!access(MARK, F_OK))
		return;		/* the second run: pass */
	fd = open(MARK, O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	fsync(fd);
	close(fd);
	sync();
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "c", 1));
}

TEST_HARNESS_MAIN
