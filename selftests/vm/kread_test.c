// SPDX-License-Identifier: GPL-2.0
/*
 * Firmware and kexec images read by the kernel (kernel_read_file) are
 * separate, configurable targets: measured and gated like modules.
 * Firmware requests come from the kernel's own test_firmware module.
 */
#include <limits.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/kexec.h>
#include "kselftest_harness.h"
#include "vmtest.h"

#define FW_DIR		"/tmp/bgfw"
#define FW_TRIGGER	"/sys/devices/virtual/misc/test_firmware/trigger_request"
#define FW_PATH_PARAM	"/sys/module/firmware_class/parameters/path"

FIXTURE(kread) {
	char cg[256];
	struct engine *e;
	struct vm_events ev;
	unsigned char dg[2][32];	/* good.bin, bad.bin */
};

static int write_fw(const char *name, const char *data)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), FW_DIR "/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(data, f);
	return fclose(f) ? -errno : 0;
}

FIXTURE_SETUP(kread)
{
	struct engine_opts o = {};
	__u32 fl = BG_ENTRY_ALLOW;
	char err[256];

	mkdir(FW_DIR, 0755);
	ASSERT_EQ(0, write_fw("bg-good.bin", "listed firmware\n"));
	ASSERT_EQ(0, write_fw("bg-bad.bin", "unlisted firmware\n"));
	ASSERT_EQ(0, vm_sha256_file(FW_DIR "/bg-good.bin", self->dg[0]));
	ASSERT_EQ(0, vm_sha256_file(FW_DIR "/bg-bad.bin", self->dg[1]));
	/* before any gating: the test module, and the firmware search path */
	ASSERT_EQ(0, system("modprobe test_firmware"));
	ASSERT_EQ(0, vm_write_file(FW_PATH_PARAM, FW_DIR));
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, &self->ev,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vm_install(self->e, self->dg, &fl, 1, 1));
}

FIXTURE_TEARDOWN(kread)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
}

/* 0 when the kernel loaded the firmware, else -errno of the request. */
static int request_fw(const char *name)
{
	return vm_write_file(FW_TRIGGER, name);
}

TEST_F(kread, firmware_listed_loads_unknown_denied)
{
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_FIRMWARE,
				      BG_MODE_ENFORCE));
	EXPECT_EQ(0, request_fw("bg-good.bin"));
	EXPECT_NE(0, request_fw("bg-bad.bin"));
	ev = vm_find_event(self->e, &self->ev, self->dg[1], BG_HOOK_FIRMWARE,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNKNOWN, ev->reason);
	EXPECT_STREQ(FW_DIR "/bg-bad.bin", ev->path);
}

TEST_F(kread, firmware_audit_and_off)
{
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_FIRMWARE, BG_MODE_AUDIT));
	EXPECT_EQ(0, request_fw("bg-bad.bin"));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, self->dg[1],
				      BG_HOOK_FIRMWARE, BG_DEC_WOULD_DENY));
	self->ev.n = 0;
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_FIRMWARE, BG_MODE_OFF));
	EXPECT_EQ(0, request_fw("bg-bad.bin"));
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL,
				      BG_HOOK_FIRMWARE, BG_DEC_WOULD_DENY));
}

/* Module enforcement does not gate firmware: separate targets. */
TEST_F(kread, firmware_is_its_own_target)
{
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MODULE, BG_MODE_ENFORCE));
	EXPECT_EQ(0, request_fw("bg-bad.bin"));
}

static int kexec_load_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_kexec_file_load, fd, -1, 1UL, "",
		    (unsigned long)KEXEC_FILE_NO_INITRAMFS))
		ret = -errno;
	close(fd);
	/* never leave an image staged */
	syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		(unsigned long)KEXEC_FILE_UNLOAD);
	return ret;
}

TEST_F(kread, kexec_image_unknown_denied)
{
	char img[PATH_MAX];
	struct utsname u;
	const struct bg_event *ev;

	/* Debian's arm64 6.12 is built without CONFIG_KEXEC_FILE */
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		    (unsigned long)KEXEC_FILE_UNLOAD) && errno == ENOSYS)
		SKIP(return, "no kexec_file_load in this kernel (CONFIG_KEXEC_FILE off)");
	uname(&u);
	snprintf(img, sizeof(img), "/boot/vmlinuz-%s", u.release);
	if (access(img, R_OK)) {
		const char *kdir = getenv("BOMGATE_KDIR");

		/* 7.x packages keep it under modules */
		snprintf(img, sizeof(img), "%s/root/boot/vmlinuz-%s",
			 kdir ? kdir : "", u.release);
		if (access(img, R_OK))
			snprintf(img, sizeof(img), "%s/root/lib/modules/%s/vmlinuz",
				 kdir ? kdir : "", u.release);
	}
	ASSERT_EQ(0, access(img, R_OK)) TH_LOG("no kernel image %s", img);
	{
		char real[PATH_MAX];

		ASSERT_NE(NULL, realpath(img, real));
		snprintf(img, sizeof(img), "%s", real);
	}
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_KEXEC, BG_MODE_ENFORCE));
	EXPECT_EQ(-EPERM, kexec_load_file(img));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_KEXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNKNOWN, ev->reason);
	EXPECT_STREQ(img, ev->path);
}

/* kexec_load hands the kernel a buffer: nothing to measure, denied, and
 * reported as what it is. */
TEST_F(kread, kexec_load_buffer_denied)
{
	static char seg[4096];
	struct kexec_segment s = {
		.buf = seg, .bufsz = sizeof(seg),
		.mem = (void *)0x1000000, .memsz = sizeof(seg),
	};
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_KEXEC, BG_MODE_ENFORCE));
	EXPECT_EQ(-1, syscall(SYS_kexec_load, 0x1000000UL, 1UL, &s, 0UL));
	EXPECT_EQ(EPERM, errno);
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_KEXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNMEASURED_DATA, ev->reason);
	syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL);	/* unload */
}

TEST_HARNESS_MAIN
