// SPDX-License-Identifier: GPL-2.0
/*
 * Executable mappings: shared libraries mapped by the dynamic loader, and
 * PROT_EXEC added later with mprotect(). Scoped to the test's cgroup.
 */
#include <limits.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "vmtest.h"

#define PROG	"/usr/bin/true"
#define LDSO	VM_LDSO
#define LIBC	VM_LIBC
#define DATA	"/tmp/bg-mprot"

FIXTURE(mmap) {
	char cg[256];
	struct engine *e;
	struct vm_events ev;
	unsigned char dg[3][32];	/* PROG, LDSO, LIBC */
	char libc[PATH_MAX];
};

FIXTURE_SETUP(mmap)
{
	struct engine_opts o = {};
	char err[256];

	ASSERT_NE(NULL, realpath(LIBC, self->libc));
	ASSERT_EQ(0, vm_sha256_file(PROG, self->dg[0]));
	ASSERT_EQ(0, vm_sha256_file(LDSO, self->dg[1]));
	ASSERT_EQ(0, vm_sha256_file(LIBC, self->dg[2]));
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, &self->ev,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(mmap)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
}

static int run_prog(void)
{
	char *argv[] = { PROG, NULL };
	int status = -1, err = vm_run(argv, &status);

	return err ? -err : WEXITSTATUS(status);
}

static void install(struct __test_metadata *_metadata, struct engine *e,
		    unsigned char (*dg)[32], int n, __u64 gen)
{
	__u32 fl[3] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW };

	ASSERT_EQ(0, vm_install(e, dg, fl, n, gen));
}

TEST_F(mmap, listed_libraries_load)
{
	install(_metadata, self->e, self->dg, 3, 1);
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_ENFORCE));
	EXPECT_EQ(0, run_prog());
	EXPECT_EQ(0, self->ev.n + engine__poll(self->e, 0));
}

TEST_F(mmap, unlisted_library_stops_the_program)
{
	const struct bg_event *ev;

	install(_metadata, self->e, self->dg, 2, 1);	/* no libc */
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_ENFORCE));
	/* the loader cannot map libc: the program fails to start */
	EXPECT_EQ(127, run_prog());
	ev = vm_find_event(self->e, &self->ev, self->dg[2], BG_HOOK_MMAP,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNKNOWN, ev->reason);
	EXPECT_STREQ(self->libc, ev->path);
}

TEST_F(mmap, audit_reports_unlisted_library)
{
	install(_metadata, self->e, self->dg, 2, 1);
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_AUDIT));
	EXPECT_EQ(0, run_prog());
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, self->dg[2],
				      BG_HOOK_MMAP, BG_DEC_WOULD_DENY));
}

TEST_F(mmap, off_ignores_mappings)
{
	install(_metadata, self->e, self->dg, 2, 1);
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_EXEC, BG_MODE_ENFORCE));
	EXPECT_EQ(0, run_prog());
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
				      BG_DEC_DENIED));
}

/* Map @path read-only, then try to make it executable. */
static int mprotect_exec(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		ret = -errno;
	munmap(p, 4096);
	return ret;
}

TEST_F(mmap, mprotect_exec_needs_a_listed_measured_file)
{
	unsigned char dg[1][32];
	const struct bg_event *ev;
	char *argv[] = { DATA, "true", NULL };
	int st;

	ASSERT_EQ(0, vm_copy("/bin/busybox", DATA, NULL));
	ASSERT_EQ(0, vm_sha256_file(DATA, dg[0]));
	install(_metadata, self->e, dg, 1, 1);
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MMAP, BG_MODE_ENFORCE));

	/* never measured: file_mprotect cannot hash, so it fails closed */
	EXPECT_EQ(-EPERM, mprotect_exec(DATA));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MPROTECT,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_NOT_MEASURED, ev->reason);

	/* measured by an exec (tmpfs: cached), listed: allowed */
	ASSERT_EQ(0, vm_run(argv, &st));
	EXPECT_EQ(0, mprotect_exec(DATA));

	/* measured, not listed: denied as unknown */
	install(_metadata, self->e, self->dg, 1, 2);
	EXPECT_EQ(-EPERM, mprotect_exec(DATA));
	ev = vm_find_event(self->e, &self->ev, dg[0], BG_HOOK_MPROTECT,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNKNOWN, ev->reason);

	/* audit: allowed, reported */
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MMAP, BG_MODE_AUDIT));
	EXPECT_EQ(0, mprotect_exec(DATA));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, dg[0],
				      BG_HOOK_MPROTECT, BG_DEC_WOULD_DENY));

	/* off: allowed, not even looked at */
	ASSERT_EQ(0, engine__set_mode(self->e, BG_CLASS_MMAP, BG_MODE_OFF));
	self->ev.n = 0;
	EXPECT_EQ(0, mprotect_exec(DATA));
	EXPECT_EQ(NULL, vm_find_event(self->e, &self->ev, NULL,
				      BG_HOOK_MPROTECT, BG_DEC_WOULD_DENY));
}

/* Known limit (docs/threat-model.md): anonymous executable memory (JITs)
 * is not file code and is not gated. */
TEST_F(mmap, anonymous_exec_memory_is_not_gated)
{
	void *p;

	install(_metadata, self->e, self->dg, 3, 1);
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_ENFORCE));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	munmap(p, 4096);
}

struct cover_count {
	int total, unmeasured;
};

static int count_cover(void *ctx, const struct bg_cover_key *k,
		       const struct bg_cover *v)
{
	static const unsigned char zero[32];
	struct cover_count *c = ctx;

	c->total++;
	c->unmeasured += !memcmp(k->digest, zero, sizeof(zero));
	return 0;
}

/*
 * Coverage counts decisions per measured digest only: a writable private
 * executable mapping is decided before anything is measured (no digest)
 * and must not be counted. measured() once tested a word past the digest
 * (whatever the stack held there); the verifier refused it once the stack
 * layout changed.
 */
TEST_F(mmap, coverage_counts_measured_decisions_only)
{
	const struct bg_event *ev;
	struct cover_count c = {};
	struct bg_config cfg;
	void *p;
	int fd;

	install(_metadata, self->e, self->dg, 3, 1);
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_AUDIT));
	ASSERT_EQ(0, engine__get_config(self->e, &cfg));
	cfg.flags |= BG_CFG_COVERAGE;
	ASSERT_EQ(0, engine__set_config(self->e, &cfg));
	EXPECT_EQ(0, run_prog());	/* measured decisions: counted */
	fd = open(LIBC, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE,
		 fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);	/* audit: allowed, reported */
	munmap(p, 4096);
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
			   BG_DEC_WOULD_DENY);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_EXECMOD, ev->reason);
	ASSERT_EQ(0, engine__cover_each(self->e, count_cover, &c));
	EXPECT_LT(0, c.total);
	EXPECT_EQ(0, c.unmeasured);
}

TEST_HARNESS_MAIN
