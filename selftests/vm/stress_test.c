// SPDX-License-Identifier: GPL-2.0
/*
 * Policy swaps under concurrent execs never expose a half-loaded or empty
 * policy; a flooded ring buffer counts its drops and enforcement goes on.
 */
#include <signal.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "vmtest.h"

#define OK	"/tmp/bgs/ok/busybox"
#define BAD	"/tmp/bgs/bad/busybox"
#define ROUNDS	60

FIXTURE(stress) {
	char cg[256];
	struct engine *e;
	unsigned char dg[2][32];	/* OK, BAD */
};

FIXTURE_SETUP(stress)
{
	struct engine_opts o = { .ringbuf_bytes = 4096 };
	__u32 fl = BG_ENTRY_ALLOW;
	char err[256];

	mkdir("/tmp/bgs", 0755);
	mkdir("/tmp/bgs/ok", 0755);
	mkdir("/tmp/bgs/bad", 0755);
	ASSERT_EQ(0, vm_copy("/bin/busybox", OK, NULL));
	ASSERT_EQ(0, vm_copy("/bin/busybox", BAD, "\n"));
	ASSERT_EQ(0, vm_sha256_file(OK, self->dg[0]));
	ASSERT_EQ(0, vm_sha256_file(BAD, self->dg[1]));
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, NULL,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vm_install(self->e, self->dg, &fl, 1, 1));
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_EXEC, BG_MODE_ENFORCE));
}

FIXTURE_TEARDOWN(stress)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
}

static int run(const char *path)
{
	char *argv[] = { (char *)path, "true", NULL };
	int st = 0, err = vm_run(argv, &st);

	return err ? err : (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * A child execs OK and BAD in a loop while the parent swaps between two
 * policies that both list OK and neither lists BAD: every OK exec runs,
 * every BAD exec is denied, whatever the interleaving. The execs go on
 * until at least ROUNDS swaps happened during them, however slow the host.
 */
TEST_F(stress, swap_under_concurrent_exec)
{
	unsigned char dg3[3][32];
	__u32 fl[3] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW };
	int *bad_runs = mmap(NULL, 16, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, swaps = 0, rounds;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, bad_runs);
	bad_runs[0] = bad_runs[1] = bad_runs[2] = bad_runs[3] = 0;
	memcpy(dg3[0], self->dg[0], 32);
	memset(dg3[1], 0x11, 32);
	memset(dg3[2], 0xee, 32);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int i;

		/* bad_runs[2]: swaps so far (parent), [3]: rounds (child) */
		/* however slow the host: the test's time limit is the
		 * only bound */
		for (i = 0; i < ROUNDS || __atomic_load_n(&bad_runs[2],
							  __ATOMIC_RELAXED) < ROUNDS;
		     i++) {
			if (run(OK) != 0)
				bad_runs[0]++;	/* allowed binary refused */
			if (run(BAD) != EPERM)
				bad_runs[1]++;	/* unknown binary ran */
		}
		bad_runs[3] = i;
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		/* policy A: {OK}; policy B: {OK, two other digests} */
		int n = swaps & 1 ? 1 : 3;

		ASSERT_EQ(0, vm_install(self->e, dg3, fl, n, 2 + swaps));
		swaps++;
		__atomic_store_n(&bad_runs[2], swaps, __ATOMIC_RELAXED);
	}
	rounds = bad_runs[3];
	TH_LOG("%d policy swaps during %d exec pairs", swaps, rounds);
	/* the child ran until ROUNDS swaps had happened during its execs:
	 * what is asserted is that no verdict was wrong meanwhile */
	EXPECT_EQ(0, bad_runs[0]);
	EXPECT_EQ(0, bad_runs[1]);
}

/* Nobody reads the 4 KiB ring buffer: events are dropped and counted,
 * every denial still happens. */
TEST_F(stress, flooded_ring_buffer_counts_drops)
{
	__u64 c[BG_CNT_MAX];
	int denied = 0;

	for (int i = 0; i < 40; i++)
		denied += run(BAD) == EPERM;
	EXPECT_EQ(40, denied);
	ASSERT_EQ(0, engine__counters(self->e, c));
	EXPECT_EQ(40, c[BG_HOOK_EXEC * BG_DEC_MAX + BG_DEC_DENIED]);
	/* 4096 bytes hold 10 records of 376 + 8 bytes */
	EXPECT_EQ(30, c[BG_CNT_DROPS]);
	EXPECT_EQ(0, run(OK));
}

TEST_HARNESS_MAIN
