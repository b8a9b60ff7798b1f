// SPDX-License-Identifier: GPL-2.0
/*
 * The per-inode digest cache is reused only while the file provably has
 * not changed. For each way a file can change (append, truncate, a write
 * through a shared mapping, rename over the path), on ext4 (a virtio disk),
 * tmpfs, the overlay root and ext4 on a loop device, a listed binary that
 * is modified must be measured again and denied. Filesystems without a
 * trustworthy change signal (overlayfs over 9p here, and any filesystem on
 * a loop device: its backing file changes behind the page cache) are
 * measured on every exec.
 */
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "vmtest.h"

FIXTURE(cache) {
	char cg[256];
	char path[256];
	struct engine *e;
	struct vm_events ev;
	unsigned char dg[32];
};

FIXTURE_VARIANT(cache) {
	const char *dir;
	int cacheable;
};

FIXTURE_VARIANT_ADD(cache, tmpfs) { .dir = "/tmp/bgc", .cacheable = 1 };
FIXTURE_VARIANT_ADD(cache, ext4) { .dir = "/mnt/bgext4/bgc", .cacheable = 1 };
FIXTURE_VARIANT_ADD(cache, loop) { .dir = "/mnt/bgloop/bgc", .cacheable = 0 };
FIXTURE_VARIANT_ADD(cache, overlay) { .dir = "/var/tmp/bgc", .cacheable = 0 };

/* ext4 on the VM's scratch disk (selftests/vm/run) */
static int mount_ext4(void)
{
	return system("grep -q ' /mnt/bgext4 ' /proc/mounts || { "
		      "modprobe virtio_blk && modprobe ext4 && udevadm settle 2>/dev/null; "
		      "for i in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done; "
		      "mkfs.ext4 -q -F /dev/vda && mkdir -p /mnt/bgext4 && "
		      "mount /dev/vda /mnt/bgext4; }");
}

static int mount_loop(void)
{
	return system("grep -q ' /mnt/bgloop ' /proc/mounts || { "
		      "modprobe loop && modprobe ext4 && "
		      "truncate -s 48M /tmp/bg-ext4.img && "
		      "mkfs.ext4 -q -F /tmp/bg-ext4.img && mkdir -p /mnt/bgloop && "
		      "mount -o loop /tmp/bg-ext4.img /mnt/bgloop; }");
}

FIXTURE_SETUP(cache)
{
	struct engine_opts o = {};
	__u32 fl = BG_ENTRY_ALLOW;
	char err[256];

	if (!strncmp(variant->dir, "/mnt/bgext4", 11))
		ASSERT_EQ(0, mount_ext4());
	if (!strncmp(variant->dir, "/mnt/bgloop", 11))
		ASSERT_EQ(0, mount_loop());
	mkdir(variant->dir, 0755);
	/* busybox runs its applet from argv[1] when called "busybox" */
	snprintf(self->path, sizeof(self->path), "%s/busybox", variant->dir);
	ASSERT_EQ(0, vm_copy("/bin/busybox", self->path, NULL));
	ASSERT_EQ(0, vm_sha256_file(self->path, self->dg));
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, &self->ev,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vm_install(self->e, &self->dg, &fl, 1, 1));
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_EXEC, BG_MODE_ENFORCE));
}

FIXTURE_TEARDOWN(cache)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
	unlink(self->path);
}

static __u64 counter(struct engine *e, int i)
{
	__u64 c[BG_CNT_MAX];

	return engine__counters(e, c) ? ~0ULL : c[i];
}

static __u64 hashes(struct engine *e)
{
	return counter(e, BG_CNT_HASHES);
}

/* errno of the exec (EPERM: denied), or 0 when it ran. */
static int run(const char *path)
{
	char *argv[] = { (char *)path, "true", NULL };
	int st;

	return vm_run(argv, &st);
}

/*
 * Exec twice (the second one from the cache where the filesystem allows
 * it), apply @change, and check the next exec is measured and denied.
 */
static void check_change(struct __test_metadata *_metadata,
			 FIXTURE_DATA(cache) *self,
			 const FIXTURE_VARIANT(cache) *variant,
			 int (*change)(const char *path), int must_deny)
{
	__u64 h0, h1, h2;

	ASSERT_EQ(0, run(self->path));
	h0 = hashes(self->e);
	ASSERT_EQ(0, run(self->path));
	h1 = hashes(self->e);
	/* unchanged: cached where the filesystem is trusted, else re-hashed */
	EXPECT_EQ(variant->cacheable ? h0 : h0 + 1, h1);

	ASSERT_EQ(0, change(self->path));
	if (must_deny) {
		EXPECT_EQ(EPERM, run(self->path));
		h2 = hashes(self->e);
		/* the changed file was measured again, not served stale */
		EXPECT_EQ(h1 + 1, h2);
		EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL,
					      BG_HOOK_EXEC, BG_DEC_DENIED));
	} else {
		EXPECT_EQ(0, run(self->path));
	}
}

static int append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "x", 1) != 1)
		ret = -EIO;
	close(fd);
	return ret;
}

static int shrink(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	return truncate(path, st.st_size - 4096) ? -errno : 0;
}

/* Flip one byte in the middle through a shared writable mapping. */
static int mmap_write(const char *path)
{
	int fd = open(path, O_RDWR);
	struct stat st;
	char *p;

	if (fd < 0 || fstat(fd, &st))
		return -errno;
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);	/* the mapping keeps the file writable */
	if (p == MAP_FAILED)
		return -errno;
	p[st.st_size / 2] ^= 0x55;
	msync(p, st.st_size, MS_SYNC);
	munmap(p, st.st_size);
	return 0;
}

static int rename_over(const char *path)
{
	char tmp[300];
	int ret;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ret = vm_copy("/bin/busybox", tmp, "#");
	if (ret)
		return ret;
	return rename(tmp, path) ? -errno : 0;
}

static int change_mode(const char *path)
{
	return chmod(path, 0700) ? -errno : 0;
}

TEST_F(cache, append_invalidates)
{
	check_change(_metadata, self, variant, append, 1);
}

TEST_F(cache, truncate_invalidates)
{
	check_change(_metadata, self, variant, shrink, 1);
}

TEST_F(cache, shared_mapping_write_invalidates)
{
	check_change(_metadata, self, variant, mmap_write, 1);
}

TEST_F(cache, rename_over_is_a_new_file)
{
	check_change(_metadata, self, variant, rename_over, 1);
}

TEST_F(cache, chmod_keeps_it_allowed)
{
	check_change(_metadata, self, variant, change_mode, 0);
}

/* A writer that stays open while the file runs again is never trusted. */
TEST_F(cache, open_writer_prevents_caching)
{
	__u64 h0;
	int fd;

	ASSERT_EQ(0, run(self->path));
	fd = open(self->path, O_WRONLY);
	ASSERT_LE(0, fd);
	/* exec of a file open for writing fails with ETXTBSY */
	EXPECT_EQ(ETXTBSY, run(self->path));
	close(fd);
	h0 = hashes(self->e);
	EXPECT_EQ(0, run(self->path));
	/* the open for write dropped the cached digest: measured again */
	EXPECT_EQ(h0 + 1, hashes(self->e));
}

/* A policy of the file's digest, flagged @fl, and a digest of @fill bytes. */
static int install_pair(FIXTURE_DATA(cache) *self, __u32 fl, int fill,
			__u64 gen)
{
	unsigned char dg[2][32];
	__u32 f[2] = { fl, BG_ENTRY_ALLOW };

	memcpy(dg[0], self->dg, 32);
	memset(dg[1], fill, 32);
	return vm_install(self->e, dg, f, 2, gen);
}

/*
 * The verdict kept with a digest belongs to the policy it was found in. A
 * second exec under the same policy is allowed without a search (on every
 * filesystem: a digest measured again is the same digest). A new policy
 * that drops the file or blocks it denies the next exec even when it is
 * installed with the same generation; one that lists it again allows it.
 */
TEST_F(cache, verdict_is_the_policys)
{
	__u64 v0, v1, gen = 1;

	ASSERT_EQ(0, run(self->path));
	v0 = counter(self->e, BG_CNT_VERDICT_HITS);
	ASSERT_EQ(0, run(self->path));
	v1 = counter(self->e, BG_CNT_VERDICT_HITS);
	EXPECT_EQ(v0 + 1, v1);

	/* the same generation, the file no longer listed */
	ASSERT_EQ(0, install_pair(self, 0, 0x11, gen));
	EXPECT_EQ(EPERM, run(self->path));
	ASSERT_EQ(0, install_pair(self, BG_ENTRY_ALLOW, 0x11, gen));
	EXPECT_EQ(0, run(self->path));
	EXPECT_EQ(0, run(self->path));
	EXPECT_EQ(v1 + 1, counter(self->e, BG_CNT_VERDICT_HITS));
	/* a block entry, same generation again */
	ASSERT_EQ(0, install_pair(self, BG_ENTRY_ALLOW | BG_ENTRY_BLOCK, 0x11,
				  gen));
	EXPECT_EQ(EPERM, run(self->path));
	EXPECT_EQ(v1 + 1, counter(self->e, BG_CNT_VERDICT_HITS));
	/* the very policy the verdict was kept under, installed again: a
	 * new inner map, searched again */
	ASSERT_EQ(0, install_pair(self, BG_ENTRY_ALLOW, 0x11, gen));
	EXPECT_EQ(0, run(self->path));
	EXPECT_EQ(v1 + 1, counter(self->e, BG_CNT_VERDICT_HITS));
}

/*
 * An allowed event names the component the digest is listed under: with
 * allowed events on, the policy is searched on every decision (a kept
 * verdict does not hold the component).
 */
TEST_F(cache, allowed_event_names_the_component)
{
	unsigned char dg[2][32];
	__u32 fl[2] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW };
	struct bg_config cfg;
	const struct bg_event *ev;
	__u64 v0;

	/* the file's digest second: component 1 */
	memset(dg[0], 0x11, 32);
	memcpy(dg[1], self->dg, 32);
	ASSERT_EQ(0, vm_install(self->e, dg, fl, 2, 2));
	ASSERT_EQ(0, run(self->path));
	ASSERT_EQ(0, run(self->path));	/* the verdict kept */
	ASSERT_EQ(0, engine__get_config(self->e, &cfg));
	cfg.flags |= BG_CFG_EMIT_ALLOWED;
	ASSERT_EQ(0, engine__set_config(self->e, &cfg));
	v0 = counter(self->e, BG_CNT_VERDICT_HITS);
	engine__poll(self->e, 0);
	self->ev.n = 0;
	EXPECT_EQ(0, run(self->path));
	ev = vm_find_event(self->e, &self->ev, self->dg, BG_HOOK_EXEC,
			   BG_DEC_ALLOWED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_LISTED, ev->reason);
	EXPECT_EQ(1, ev->comp);
	EXPECT_EQ(2, ev->generation);
	EXPECT_EQ(v0, counter(self->e, BG_CNT_VERDICT_HITS));
}

TEST_HARNESS_MAIN
