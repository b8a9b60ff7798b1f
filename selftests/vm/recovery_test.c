// SPDX-License-Identifier: GPL-2.0
/*
 * The way back (docs/man/bomgated.8.md, RECOVERY): enforcement pinned in
 * bpffs survives every process that loaded it; removing the pins with
 * 'rm -r' ends it once nothing else holds the links.
 */
#include <dirent.h>
#include "kselftest_harness.h"
#include "engine_pin.h"
#include "vmtest.h"

#define PINS	"/sys/fs/bpf/bgtest-recovery"
#define BAD	"/tmp/bgr/busybox"

static int rm_r(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && unlinkat(dirfd(d), de->d_name, 0)) {
			closedir(d);
			return -errno;
		}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

static int run_bad(void)
{
	char *argv[] = { BAD, "true", NULL };
	int st;

	return vm_run(argv, &st);
}

TEST(rm_pins_ends_orphaned_enforcement)
{
	struct engine_opts o = {};
	unsigned char dg[1][32];
	__u32 fl = BG_ENTRY_ALLOW;
	struct engine *e;
	char cg[256], err[256];
	int resumed;
	pid_t pid;
	int status;

	mkdir("/tmp/bgr", 0755);
	ASSERT_EQ(0, vm_copy("/bin/busybox", BAD, "\n"));
	memset(dg[0], 0x42, 32);	/* policy: something else only */
	ASSERT_EQ(0, vm_cgroup_enter(cg, sizeof(cg), &o.scope_cgroup));
	ASSERT_EQ(0, system("rm -rf " PINS));

	/* a "daemon" loads, pins and dies */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		e = engine__open_pinned(&o, PINS, &resumed, err, sizeof(err));
		if (!e || resumed || engine__attach(e, err, sizeof(err)) ||
		    engine__pin_links(e, PINS, err, sizeof(err)) ||
		    vm_install(e, dg, &fl, 1, 1) ||
		    engine__set_mode(e, BG_CLASS_EXEC, BG_MODE_ENFORCE))
			_exit(1);
		_exit(0);	/* no engine__destroy: like kill -9 */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* nobody holds the links but the pins: still enforced */
	EXPECT_EQ(EPERM, run_bad());
	EXPECT_LT(0, engine_pin_count(PINS));

	/* the operator's way back: what 'rm -r' does (this process cannot
	 * exec rm: it is inside the enforced scope, like a locked-out shell) */
	ASSERT_EQ(0, rm_r(PINS));
	/* the last link reference goes in an RCU callback: detached soon */
	for (int i = 0; i < 100 && run_bad() == EPERM; i++)
		usleep(100000);
	EXPECT_EQ(0, run_bad());
	vm_cgroup_leave(cg);
}

TEST_HARNESS_MAIN
