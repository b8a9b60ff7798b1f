// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel module loads with real modules of the guest kernel: finit_module
 * is measured, init_module's buffer cannot be and is denied unless the
 * policy allows unmeasured module buffers.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "kselftest_harness.h"
#include "vmtest.h"

static const char *const mods[2] = { "ts_kmp", "ts_bm" };

/* Unpack /lib/modules/$(uname -r)/kernel/lib/NAME.ko[.xz] to /tmp/NAME.ko */
static int stage_module(const char *name, char *out, size_t len)
{
	struct utsname u;
	char cmd[512];

	uname(&u);
	snprintf(out, len, "/tmp/%s.ko", name);
	snprintf(cmd, sizeof(cmd),
		 "m=/lib/modules/%s/kernel/lib/%s.ko; "
		 "if [ -f $m.xz ]; then xz -dc $m.xz > %s; else cp $m %s; fi",
		 u.release, name, out, out);
	return system(cmd) ? -ENOENT : 0;
}

static int do_finit(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int do_init(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -EIO;
	return syscall(SYS_init_module, buf, (unsigned long)n, "") ? -errno : 0;
}

/* finit_module from a memfd holding @path's bytes, sealed or not. */
static int do_finit_memfd(const char *path, int seal)
{
	char buf[65536];
	int in = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	int mfd = memfd_create("bgmod", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ssize_t n;

	if (in < 0 || mfd < 0)
		return -EIO;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return -EIO;
	close(in);
	if (seal && fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK))
		return -errno;
	if (syscall(SYS_finit_module, mfd, "", 0))
		ret = -errno;
	close(mfd);
	return ret;
}

static void unload(const char *name)
{
	syscall(SYS_delete_module, name, O_NONBLOCK);
}

FIXTURE(module) {
	char cg[256];
	struct engine *e;
	struct vm_events ev;
	char path[2][128];
	unsigned char dg[2][32];
};

FIXTURE_SETUP(module)
{
	struct engine_opts o = {};
	__u32 fl = BG_ENTRY_ALLOW;
	char err[256];

	for (int i = 0; i < 2; i++) {
		unload(mods[i]);
		ASSERT_EQ(0, stage_module(mods[i], self->path[i],
					  sizeof(self->path[i])));
		ASSERT_EQ(0, vm_sha256_file(self->path[i], self->dg[i]));
	}
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, &self->ev,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
	/* policy: the first module only */
	ASSERT_EQ(0, vm_install(self->e, self->dg, &fl, 1, 1));
}

FIXTURE_TEARDOWN(module)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
	for (int i = 0; i < 2; i++)
		unload(mods[i]);
}

TEST_F(module, finit_listed_loads_unknown_denied)
{
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	EXPECT_EQ(0, do_finit(self->path[0]));
	EXPECT_EQ(-EPERM, do_finit(self->path[1]));
	ev = vm_find_event(self->e, &self->ev, self->dg[1], BG_HOOK_MODULE,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNKNOWN, ev->reason);
	EXPECT_STREQ(self->path[1], ev->path);
}

TEST_F(module, finit_audit_and_off)
{
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_AUDIT));
	EXPECT_EQ(0, do_finit(self->path[1]));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, self->dg[1],
				      BG_HOOK_MODULE, BG_DEC_WOULD_DENY));
	unload(mods[1]);
	self->ev.n = 0;
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_OFF));
	EXPECT_EQ(0, do_finit(self->path[1]));
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MODULE,
				      BG_DEC_WOULD_DENY));
}

TEST_F(module, init_module_buffer_denied_unless_allowed)
{
	struct bg_config cfg;
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	/* even a listed module cannot be measured from a buffer */
	EXPECT_EQ(-EPERM, do_init(self->path[0]));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MODULE_BUF,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNMEASURED_BUF, ev->reason);

	ASSERT_EQ(0, engine__get_config(self->e, &cfg));
	cfg.flags |= BG_CFG_ALLOW_UNMEASURED_MODULES;
	ASSERT_EQ(0, engine__set_config(self->e, &cfg));
	EXPECT_EQ(0, do_init(self->path[0]));
}

TEST_F(module, init_module_buffer_audit_and_off)
{
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_AUDIT));
	EXPECT_EQ(0, do_init(self->path[1]));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL,
				      BG_HOOK_MODULE_BUF, BG_DEC_WOULD_DENY));
	unload(mods[1]);
	self->ev.n = 0;
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_OFF));
	EXPECT_EQ(0, do_init(self->path[1]));
	EXPECT_EQ(0, self->ev.n + engine__poll(self->e, 0));
}

/*
 * A listed module's bytes in a memfd: the kernel measures them, but the
 * memfd's writers are invisible (no open, no write count), so they could
 * change between the measurement and the read. Only a sealed memfd loads.
 */
TEST_F(module, finit_from_memfd_needs_seals)
{
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	EXPECT_EQ(-EPERM, do_finit_memfd(self->path[0], 0));
	ev = vm_find_event(self->e, &self->ev, self->dg[0], BG_HOOK_MODULE,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_WRITABLE, ev->reason);
	EXPECT_EQ(0, do_finit_memfd(self->path[0], 1));
	unload(mods[0]);
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

/*
 * Kernels that decompress modules themselves (6.12: /sys/module/compression)
 * take the shipped .ko.xz with finit_module(MODULE_INIT_COMPRESSED_FILE):
 * the file measured is the one in the package, with the digest its SBOM
 * lists. kmod 31 and later (Debian 13) load modules this way.
 */
TEST_F(module, finit_compressed_file_measured_as_shipped)
{
	__u32 fl = BG_ENTRY_ALLOW;
	unsigned char dg[1][32];
	struct utsname u;
	char xz[256];
	int fd;

	if (access("/sys/module/compression", F_OK))
		SKIP(return, "this kernel does not decompress modules");
	uname(&u);
	snprintf(xz, sizeof(xz), "/lib/modules/%s/kernel/lib/%s.ko.xz",
		 u.release, mods[0]);
	ASSERT_EQ(0, vm_sha256_file(xz, dg[0]));
	ASSERT_EQ(0, vm_install(self->e, dg, &fl, 1, 2));
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	fd = open(xz, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, syscall(SYS_finit_module, fd, "",
			     MODULE_INIT_COMPRESSED_FILE)) TH_LOG("%s", strerror(errno));
	close(fd);
	unload(mods[0]);
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MODULE,
				      BG_DEC_DENIED));
}

/*
 * Debian's own modprobe (kmod 30 in Debian 12) decompresses .ko.xz itself
 * and hands the kernel a buffer, which cannot be measured. The set-up that
 * makes listed modules load with it (docs/policy.md): the modules stored
 * uncompressed and depmod run, so that modprobe passes the file
 * (finit_module) and the kernel measures it.
 */
TEST_F(module, modprobe_loads_listed_uncompressed_module)
{
	struct utsname u;
	char cmd[1024];

	uname(&u);
	snprintf(cmd, sizeof(cmd),
		 "rm -rf /tmp/bgmods && d=/tmp/bgmods/lib/modules/%s && "
		 "mkdir -p $d/kernel/lib && cp %s $d/kernel/lib/ && "
		 "depmod -b /tmp/bgmods %s", u.release, self->path[0], u.release);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	EXPECT_EQ(0, system("modprobe -d /tmp/bgmods ts_kmp"));
	EXPECT_NE(-1, access("/sys/module/ts_kmp", F_OK));
	unload(mods[0]);
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MODULE,
				      BG_DEC_DENIED));
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL,
				      BG_HOOK_MODULE_BUF, BG_DEC_DENIED));
	/* the second module is not listed: modprobe is refused */
	snprintf(cmd, sizeof(cmd),
		 "d=/tmp/bgmods/lib/modules/%s && cp %s $d/kernel/lib/ && "
		 "depmod -b /tmp/bgmods %s && ! modprobe -q -d /tmp/bgmods ts_bm",
		 u.release, self->path[1], u.release);
	EXPECT_EQ(0, system(cmd));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, self->dg[1],
				      BG_HOOK_MODULE, BG_DEC_DENIED));
}

TEST_HARNESS_MAIN
