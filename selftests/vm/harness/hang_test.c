// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test (not in make check): a test that never finishes and
 * never reports. Deliberately not a kselftest_harness program, whose own
 * per-test timeout would report a failure before the harness limits act.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("TAP version 13\n1..1\n# hanging on purpose\n");
	fflush(stdout);
	for (;;)
		pause();
}
