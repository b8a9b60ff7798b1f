// SPDX-License-Identifier: GPL-2.0
/*
 * Only measured bytes run: each test is an attack by an unprivileged user
 * (uid 65534, in the test's cgroup) that, on a kernel gate that measured
 * once and trusted the result, ran code in no policy. Every payload exits
 * 42; a test passes when the payload never runs, the gate says why, and
 * the listed program still works. Whole-guest enforcement is not needed:
 * the engine is scoped to this test's cgroup, where the attacker runs.
 */
#include <elf.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#include <sys/ioctl.h>
#include "kselftest_harness.h"
#include "vmtest.h"

#define NOBODY	65534
#define LDSO	VM_LDSO
#define LIBC	VM_LIBC
#define SLEEP	"/usr/bin/sleep"
#define BB	"/bin/busybox"
#define HOME	"/tmp/bgatt"		/* the attacker's own directory */
#define PAYLOAD_RC 42

/* Shell commands run from outside the test's cgroup: the shell and the
 * tools it runs are not in the test policy. Its exit status. */
static int sh(const char *cmd)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		vm_write_file("/sys/fs/cgroup/cgroup.procs", "0");
		_exit(WEXITSTATUS(system(cmd)));
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(attack) {
	char cg[256];
	struct engine *e;
	struct vm_events ev;
	unsigned char dg[4][32];	/* SLEEP, LDSO, LIBC, BB */
};

static const char *const listed[4] = { SLEEP, LDSO, LIBC, BB };

FIXTURE_SETUP(attack)
{
	struct engine_opts o = {};
	__u32 fl[4] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW,
			BG_ENTRY_ALLOW };
	char err[256];

	sh("rm -rf " HOME);
	ASSERT_EQ(0, mkdir(HOME, 0755));
	ASSERT_EQ(0, chown(HOME, NOBODY, NOBODY));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, vm_sha256_file(listed[i], self->dg[i]));
	ASSERT_EQ(0, vm_engine_start(self->cg, sizeof(self->cg), &o, &self->ev,
				     &self->e, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vm_install(self->e, self->dg, fl, 4, 1));
	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_ENFORCE));
}

FIXTURE_TEARDOWN(attack)
{
	engine__destroy(self->e);
	vm_cgroup_leave(self->cg);
	sh("umount -l " HOME "/mnt 2>/dev/null; rm -rf " HOME);
}

/* Run @fn as the unprivileged user in a child; its exit status, or -1. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(99);
		/* dropping root made us undumpable: our children's /proc
		 * files would be root's until they exec */
		prctl(PR_SET_DUMPABLE, 1);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * exit_group(42): what every attack tries to get to run, and the no-op
 * instruction a sled is made of (SLED_NOP: that many bytes, little-endian;
 * a sled holds whole instructions and ends in the payload).
 */
#if defined(__x86_64__)
static const unsigned char payload[] = {
	0xbf, PAYLOAD_RC, 0, 0, 0,	/* mov $42, %edi */
	0xb8, 0xe7, 0, 0, 0,		/* mov $231, %eax */
	0x0f, 0x05,			/* syscall */
};
#define SLED_NOP	0x90U			/* nop */
#define SLED_NOP_LEN	1
#define REG_PC(r)	((r).rip)
#elif defined(__aarch64__)
static const unsigned char payload[] = {
	0x40, 0x05, 0x80, 0xd2,		/* mov x0, #42 */
	0xc8, 0x0b, 0x80, 0xd2,		/* mov x8, #94 */
	0x01, 0x00, 0x00, 0xd4,		/* svc #0 */
};
#define SLED_NOP	0xd503201fU		/* nop */
#define SLED_NOP_LEN	4
#define REG_PC(r)	((r).pc)
#else
#error "attack_test: no payload for this architecture"
#endif
_Static_assert(PAYLOAD_RC == 42, "the payloads exit with 42");
_Static_assert(sizeof(payload) % SLED_NOP_LEN == 0, "whole instructions");

/* Fill @len bytes at @p with no-ops, then the payload in its last
 * instruction slots; @len is cut to whole instructions. */
static void sled_fill(unsigned char *p, size_t len)
{
	__u32 nop = SLED_NOP;

	len -= len % SLED_NOP_LEN;
	for (size_t i = 0; i < len; i += SLED_NOP_LEN)
		memcpy(p + i, &nop, SLED_NOP_LEN);
	memcpy(p + len - sizeof(payload), payload, sizeof(payload));
	__builtin___clear_cache((char *)p, (char *)p + len);
}

/*
 * Where the code of ELF file @fd is: its .text section. A NOP sled over it
 * that ends in the payload runs the payload wherever execution lands in
 * it. Only .text: where the executable segment also holds the symbol and
 * relocation tables and the PLT (arm64 links without -z separate-code),
 * a sled over the whole segment breaks the loader before the payload.
 */
static int text_range(int fd, off_t *off, size_t *len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, names;
	char name[8];	/* ".text" and its NUL fit */

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    pread(fd, &names, sizeof(names),
		  eh.e_shoff + eh.e_shstrndx * sizeof(sh)) != sizeof(names))
		return -EIO;
	for (int i = 0; i < eh.e_shnum; i++) {
		if (pread(fd, &sh, sizeof(sh), eh.e_shoff + i * sizeof(sh)) !=
		    sizeof(sh) ||
		    pread(fd, name, sizeof(name) - 1,
			  names.sh_offset + sh.sh_name) != sizeof(name) - 1)
			return -EIO;
		name[sizeof(name) - 1] = '\0';
		if (sh.sh_type == SHT_PROGBITS && !strcmp(name, ".text")) {
			*off = sh.sh_offset;
			*len = sh.sh_size;
			return 0;
		}
	}
	return -ENOENT;
}

static int build_sled(int fd, unsigned char **buf, off_t *off, size_t *len)
{
	int ret = text_range(fd, off, len);

	if (ret)
		return ret;
	*buf = malloc(*len);
	if (!*buf)
		return -ENOMEM;
	sled_fill(*buf, *len);
	return 0;
}

/* Write the sled over the code of @path through a descriptor opened for
 * writing: -errno of the open (ETXTBSY: refused), or 0 once written. */
static int sled_over(const char *path)
{
	unsigned char *buf;
	size_t len;
	off_t off;
	int fd, ret;

	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	ret = build_sled(fd, &buf, &off, &len);
	if (!ret) {
		ret = pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -errno;
		free(buf);
	}
	close(fd);
	return ret;
}

/* Wait until process @pid has @path mapped (the loader is done). */
static int wait_mapped(pid_t pid, const char *path)
{
	char maps[64], line[512];

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(maps, "r");
		int found = 0;

		if (!f)
			return -errno;
		while (fgets(line, sizeof(line), f))
			if (strstr(line, path) && strstr(line, "r-xp"))
				found = 1;
		fclose(f);
		if (found)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static int copy_as_mine(const char *src, const char *dst)
{
	return vm_copy(src, dst, NULL);
}

struct victim {
	char *const *argv;
	char *const *envp;
	const char *mapped;	/* file to rewrite once mapped */
	int open_err;		/* out: -errno of the writer's open */
};

/* Start the victim, wait for @mapped to be mapped, rewrite it, and return
 * the victim's exit status (PAYLOAD_RC: the rewritten bytes ran). */
static int rewrite_running(void *arg)
{
	struct victim *v = arg;
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return 98;
	if (!pid) {
		execve(v->argv[0], v->argv, v->envp);
		_exit(97);
	}
	if (wait_mapped(pid, v->mapped)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 96;
	}
	v->open_err = sled_over(v->mapped);
	waitpid(pid, &st, 0);
	/* report the writer's refusal in the low bits of a distinct code */
	if (!WIFEXITED(st))
		return 95;
	if (WEXITSTATUS(st) == PAYLOAD_RC)
		return PAYLOAD_RC;
	return v->open_err == -ETXTBSY ? 0 : 10 + WEXITSTATUS(st);
}

/* Row 1: a copy of a listed libc, loaded with LD_LIBRARY_PATH and written
 * while mapped. */
TEST_F(attack, rewrite_mapped_library_copy)
{
	char *argv[] = { SLEEP, "3", NULL };
	char *envp[] = { "LD_LIBRARY_PATH=" HOME, NULL };
	struct victim v = { argv, envp, HOME "/libc.so.6", 0 };
	const struct bg_event *ev;

	ASSERT_EQ(0, copy_as_mine(LIBC, HOME "/libc.so.6"));
	ASSERT_EQ(0, chown(HOME "/libc.so.6", NOBODY, NOBODY));
	EXPECT_EQ(0, as_nobody(rewrite_running, &v));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_WRITE,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_MAPPED_EXEC, ev->reason);
	EXPECT_EQ(NOBODY, ev->uid);
	/* nothing maps it any more: the owner may change it again */
	EXPECT_EQ(0, as_nobody((int (*)(void *))sled_over, HOME "/libc.so.6"));
}

/* Row 2: a program started by the loader (mapped, not exec'd: no
 * ETXTBSY from the kernel), rewritten while it runs. */
TEST_F(attack, rewrite_program_run_by_the_loader)
{
	char *argv[] = { LDSO, HOME "/sleep", "3", NULL };
	char *envp[] = { NULL };
	struct victim v = { argv, envp, HOME "/sleep", 0 };

	ASSERT_EQ(0, copy_as_mine(SLEEP, HOME "/sleep"));
	ASSERT_EQ(0, chown(HOME "/sleep", NOBODY, NOBODY));
	EXPECT_EQ(0, as_nobody(rewrite_running, &v));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_WRITE,
				      BG_DEC_DENIED));
}

/* Audit mode reports the same writer as would-deny, and lets it write. */
TEST_F(attack, audit_reports_writer_of_running_file)
{
	char *argv[] = { LDSO, HOME "/sleep", "3", NULL };
	char *envp[] = { NULL };
	struct victim v = { argv, envp, HOME "/sleep", 0 };

	ASSERT_EQ(0, engine__set_all_modes(self->e, BG_MODE_AUDIT));
	ASSERT_EQ(0, copy_as_mine(SLEEP, HOME "/sleep"));
	ASSERT_EQ(0, chown(HOME "/sleep", NOBODY, NOBODY));
	/* audit lets the payload run: that is what audit means */
	EXPECT_EQ(PAYLOAD_RC, as_nobody(rewrite_running, &v));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_WRITE,
				      BG_DEC_WOULD_DENY));
}

static int fill_memfd(int mfd, const char *src)
{
	char buf[65536];
	ssize_t n;
	int in = open(src, O_RDONLY);

	if (in < 0)
		return -errno;
	if (ftruncate(mfd, 0) || lseek(mfd, 0, SEEK_SET))
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return -EIO;
	close(in);
	return 0;
}

static int fexec_rc(int mfd, char *const argv[])
{
	int st;
	pid_t pid = fork();

	if (!pid) {
		fexecve(mfd, argv, environ);
		_exit(errno == EPERM ? 126 : 127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Row 3: listed bytes in a memfd, fexecve, then other bytes written
 * through the memfd's own descriptor (no open, no writer count). */
static int memfd_swap(void *arg)
{
	char *run42[] = { "busybox", "sh", "-c", "exit 42", NULL };
	int mfd = memfd_create("bg", MFD_ALLOW_SEALING);
	const char *bad = arg;
	int rc1, rc2;

	if (mfd < 0 || fill_memfd(mfd, BB))
		return 90;
	rc1 = fexec_rc(mfd, run42);	/* listed bytes, but writable */
	if (fill_memfd(mfd, bad))
		return 91;
	rc2 = fexec_rc(mfd, run42);	/* unlisted bytes */
	if (rc1 == PAYLOAD_RC || rc2 == PAYLOAD_RC)
		return PAYLOAD_RC;
	return rc1 == 126 && rc2 == 126 ? 0 : 10;
}

TEST_F(attack, memfd_rewritten_between_execs)
{
	const struct bg_event *ev;

	/* busybox with one byte more: runs the same, digest unlisted */
	ASSERT_EQ(0, vm_copy(BB, HOME "/bad", "\n"));
	EXPECT_EQ(0, as_nobody(memfd_swap, HOME "/bad"));
	ev = vm_find_event(self->e, &self->ev, self->dg[3], BG_HOOK_EXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_WRITABLE, ev->reason);
}

/* Listed bytes in an unsealed memfd, exec'd twice: the second finds the
 * verdict kept by the first (the digest is listed), and must still be
 * refused (its writers are invisible). */
static int memfd_twice(void *arg)
{
	char *run42[] = { "busybox", "sh", "-c", "exit 42", NULL };
	int mfd = memfd_create("bg", MFD_ALLOW_SEALING);
	int rc1, rc2;

	if (mfd < 0 || fill_memfd(mfd, BB))
		return 90;
	rc1 = fexec_rc(mfd, run42);
	rc2 = fexec_rc(mfd, run42);
	return rc1 == 126 && rc2 == 126 ? 0 : 10;
}

TEST_F(attack, unsealed_memfd_refused_with_a_kept_verdict)
{
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];
	const struct bg_event *ev;

	ASSERT_EQ(0, engine__counters(self->e, c0));
	EXPECT_EQ(0, as_nobody(memfd_twice, NULL));
	ASSERT_EQ(0, engine__counters(self->e, c1));
	/* the second exec took the kept verdict, then saw the memfd */
	EXPECT_LT(c0[BG_CNT_VERDICT_HITS], c1[BG_CNT_VERDICT_HITS]);
	EXPECT_EQ(c0[BG_HOOK_EXEC * BG_DEC_MAX + BG_DEC_DENIED] + 2,
		  c1[BG_HOOK_EXEC * BG_DEC_MAX + BG_DEC_DENIED]);
	ASSERT_NE(NULL, vm_find_event(self->e, &self->ev, self->dg[3],
				      BG_HOOK_EXEC, BG_DEC_DENIED));
	/* the second denial (the last) names the component too: searched
	 * for, the kept verdict does not hold it */
	ev = NULL;
	for (int i = 0; i < self->ev.n; i++)
		if (self->ev.ev[i].hook == BG_HOOK_EXEC &&
		    self->ev.ev[i].decision == BG_DEC_DENIED &&
		    !memcmp(self->ev.ev[i].digest, self->dg[3], 32))
			ev = &self->ev.ev[i];
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_WRITABLE, ev->reason);
	EXPECT_EQ(3, ev->comp);
}

/* A memfd sealed against writing is final: listed bytes run (runc). */
static int memfd_sealed(void *arg)
{
	char *run0[] = { "busybox", "true", NULL };
	int mfd = memfd_create("bg", MFD_ALLOW_SEALING);

	if (mfd < 0 || fill_memfd(mfd, BB))
		return 90;
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
		  F_SEAL_GROW | F_SEAL_SEAL))
		return 91;
	if (write(mfd, "x", 1) >= 0)
		return 92;	/* the kernel keeps the seal */
	return fexec_rc(mfd, run0);
}

TEST_F(attack, sealed_memfd_with_listed_bytes_runs)
{
	EXPECT_EQ(0, as_nobody(memfd_sealed, NULL));
}

/* Row 8: a private writable copy of a listed file, written, then made
 * executable (SELinux calls it execmod); or mapped writable+executable. */
static int execmod(void *arg)
{
	unsigned char *p;
	off_t off;
	size_t len;
	int fd = open(LIBC, O_RDONLY);

	if (fd < 0 || text_range(fd, &off, &len))
		return 90;
	off &= ~4095L;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
	if (p == MAP_FAILED)
		return 91;
	memcpy(p, payload, sizeof(payload));
	__builtin___clear_cache((char *)p, (char *)p + sizeof(payload));
	if (!mprotect(p, 4096, PROT_READ | PROT_EXEC))
		((void (*)(void))p)();		/* runs the payload */
	if (errno != EPERM)
		return 11;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE,
		 fd, off);
	if (p != MAP_FAILED) {
		memcpy(p, payload, sizeof(payload));
		__builtin___clear_cache((char *)p, (char *)p + sizeof(payload));
		((void (*)(void))p)();
	}
	return errno == EPERM ? 0 : 12;
}

TEST_F(attack, execmod_private_copy)
{
	const struct bg_event *ev;

	EXPECT_EQ(0, as_nobody(execmod, NULL));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MPROTECT,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_EXECMOD, ev->reason);
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_EXECMOD, ev->reason);
}

/* Row 9: the payload written over libc's code through /proc/self/mem. */
static int proc_mem(void *arg)
{
	unsigned char *text = (unsigned char *)getpid;	/* in libc */
	int fd = open("/proc/self/mem", O_RDWR);

	if (fd < 0)
		return errno == EACCES ? 0 : 10;
	if (pwrite(fd, payload, sizeof(payload), (off_t)text) ==
	    sizeof(payload))
		getpid();	/* runs the payload */
	return 11;
}

TEST_F(attack, proc_self_mem_write)
{
	const struct bg_event *ev;

	EXPECT_EQ(0, as_nobody(proc_mem, NULL));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_PROC_MEM,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_PROC_MEM, ev->reason);
	/* reading it (debuggers, ps) stays allowed */
	{
		int fd = open("/proc/self/mem", O_RDONLY);

		EXPECT_LE(0, fd);
		close(fd);
	}
}

/*
 * PTRACE_POKETEXT writes a traced child's text like /proc/PID/mem does.
 * bomgate does not refuse ptrace (debuggers need it); the kernel's knob
 * kernel.yama.ptrace_scope=2 keeps it to CAP_SYS_PTRACE. With the knob the
 * attack fails; without it, it is the documented limit.
 */
static int ptrace_poke(void *arg)
{
	unsigned long word, nops = 0;
	struct user_regs_struct regs;
	struct iovec io = { &regs, sizeof(regs) };
	__u32 nop = SLED_NOP;
	int st;
	pid_t pid = fork();

	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(errno == EPERM ? 50 : 51);
		raise(SIGSTOP);
		getpid();	/* what the payload replaces */
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 90;
	if (!WIFSTOPPED(st))	/* TRACEME refused: the child said why */
		return WEXITSTATUS(st) == 50 ? 0 : 10;
	/* point the child at the payload written over getpid's text */
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io))
		return 91;
	for (size_t i = 0; i < sizeof(nops); i += SLED_NOP_LEN)
		memcpy((char *)&nops + i, &nop, SLED_NOP_LEN);
	for (size_t i = 0; i < sizeof(payload); i += sizeof(word)) {
		word = nops;	/* nop-padded */
		memcpy(&word, payload + i, sizeof(payload) - i < sizeof(word) ?
		       sizeof(payload) - i : sizeof(word));
		if (ptrace(PTRACE_POKETEXT, pid, (char *)getpid + i,
			   (void *)word))
			return 92;
	}
	REG_PC(regs) = (unsigned long)getpid;
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &io) ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL))
		return 93;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 94;
}

TEST_F(attack, ptrace_poke_needs_the_yama_knob)
{
	char old[16] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, old, sizeof(old) - 1));
	close(fd);
	/* without the knob: the limit bomgate documents */
	ASSERT_EQ(0, vm_write_file("/proc/sys/kernel/yama/ptrace_scope", "0"));
	EXPECT_EQ(PAYLOAD_RC, as_nobody(ptrace_poke, NULL));
	/* with it: no unprivileged tracer, no payload */
	ASSERT_EQ(0, vm_write_file("/proc/sys/kernel/yama/ptrace_scope", "2"));
	EXPECT_EQ(0, as_nobody(ptrace_poke, NULL));
	vm_write_file("/proc/sys/kernel/yama/ptrace_scope", old);
}

/*
 * A hole in a tmpfs file, filled by userfaultfd. A listed binary with an
 * all-zero page (python3.11 has 51) copied sparse to tmpfs has the listed
 * digest; that page mapped executable and private is a hole, and
 * UFFDIO_COPY (allowed to users in user-mode-only mode) puts any bytes
 * there without a write to the file or an mprotect.
 */
#define PY	"/usr/bin/python3.11"

static long zero_page(const char *path)
{
	unsigned char buf[4096], zero[4096] = {};
	int fd = open(path, O_RDONLY);
	long ret = -1;

	for (long off = 0; fd >= 0 && pread(fd, buf, 4096, off) == 4096;
	     off += 4096)
		if (!memcmp(buf, zero, 4096)) {
			ret = off;
			break;
		}
	close(fd);
	return ret;
}

static int sparse_copy(const char *src, const char *dst)
{
	unsigned char buf[4096], zero[4096] = {};
	int in = open(src, O_RDONLY), out;
	ssize_t n;
	off_t off = 0;

	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (n != 4096 || memcmp(buf, zero, 4096))
			if (pwrite(out, buf, n, off) != n)
				return -EIO;
		off += n;
	}
	if (ftruncate(out, off))
		return -errno;
	close(in);
	return close(out) ? -errno : 0;
}

struct hole {
	const char *path;
	long off;
};

static int uffd_fill(void *arg)
{
	const struct hole *h = arg;
	long off = h->off;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_copy copy = {};
	static unsigned char page[4096] __attribute__((aligned(4096)));
	unsigned char *p;
	int fd = open(h->path, O_RDONLY), uffd;

	if (fd < 0)
		return 90;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, off);
	if (p == MAP_FAILED)
		return errno == EPERM ? 0 : 10;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return 91;
	reg.range.start = (unsigned long)p;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return 92;
	sled_fill(page, sizeof(page));
	copy.dst = (unsigned long)p;
	copy.src = (unsigned long)page;
	copy.len = 4096;
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		return 93;
	((void (*)(void))p)();	/* runs the payload */
	return 11;
}

static void uffd_attack(struct __test_metadata *_metadata,
			FIXTURE_DATA(attack) *self, const char *path)
{
	__u32 fl[5] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW,
			BG_ENTRY_ALLOW, BG_ENTRY_ALLOW };
	unsigned char dg[5][32];
	const struct bg_event *ev;
	struct hole h = { path, zero_page(PY) };

	if (h.off < 0)
		SKIP(return, "no all-zero page in " PY);
	memcpy(dg, self->dg, sizeof(self->dg));
	ASSERT_EQ(0, vm_sha256_file(PY, dg[4]));
	ASSERT_EQ(0, vm_install(self->e, dg, fl, 5, 2));
	ASSERT_EQ(0, sparse_copy(PY, path));
	ASSERT_EQ(0, chown(path, NOBODY, NOBODY));
	{	/* the copy is the listed file, byte for byte */
		unsigned char c[32];

		ASSERT_EQ(0, vm_sha256_file(path, c));
		ASSERT_EQ(0, memcmp(c, dg[4], 32));
	}
	EXPECT_EQ(0, as_nobody(uffd_fill, &h));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_SPARSE, ev->reason);
	unlink(path);
}

TEST_F(attack, userfaultfd_fills_a_hole_of_a_listed_file)
{
	uffd_attack(_metadata, self, HOME "/py");
}

/* The same through the overlay root: the mapping is of its tmpfs upper. */
TEST_F(attack, userfaultfd_fills_a_hole_through_overlay)
{
	mkdir("/var/tmp/bgatt-py", 0755);
	uffd_attack(_metadata, self, "/var/tmp/bgatt-py/py");
}

/* Row 10: a huge sparse file is not hashed (it would hold the CPU for
 * minutes, deaf to SIGKILL): refused at once. */
#define EXT4_DIR	"/mnt/bgext4/bgatt"	/* on the VM's scratch disk */

static int huge_exec(void *arg)
{
	char *argv[] = { EXT4_DIR "/huge", NULL };
	int fd = open(argv[0], O_RDWR | O_CREAT | O_TRUNC, 0755);
	void *p;

	if (fd < 0 || ftruncate(fd, 8LL << 30))
		return 90;
	close(fd);
	execv(argv[0], argv);
	if (errno != EPERM)
		return 10;
	fd = open(argv[0], O_RDONLY);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED)
		return 11;
	return errno == EPERM ? 0 : 12;
}

TEST_F(attack, huge_sparse_file_not_hashed)
{
	const struct bg_event *ev;

	/* ext4, not tmpfs: a sparse tmpfs file is refused for its holes */
	ASSERT_EQ(0, sh("grep -q ' /mnt/bgext4 ' /proc/mounts || { "
			"modprobe virtio_blk && modprobe ext4; "
			"for i in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done; "
			"mkfs.ext4 -q -F /dev/vda && mkdir -p /mnt/bgext4 && "
			"mount /dev/vda /mnt/bgext4; } && mkdir -p " EXT4_DIR
			" && chown 65534 " EXT4_DIR));
	EXPECT_EQ(0, as_nobody(huge_exec, NULL));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_EXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_TOO_LARGE, ev->reason);
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
				      BG_DEC_DENIED));
	unlink(EXT4_DIR "/huge");
}

/*
 * Row 5: an unprivileged FUSE mount (fusermount3) whose server hands the
 * kernel's hash the listed bytes and the exec's page reads other bytes.
 * The server is a listed program here: an attacker would use a listed
 * FUSE client (sshfs) and a server of their own.
 */
#define FUSE_DIR	HOME "/fuse"

static int fuse_attack(void *arg)
{
	const char *serve = arg;
	char *argv[] = { FUSE_DIR "/prog", "true", NULL };
	struct stat st;
	int rc = -1, status;
	pid_t srv, pid;

	srv = fork();
	if (!srv) {
		int log = open(HOME "/fuse.log", O_WRONLY | O_CREAT | O_TRUNC,
			       0644);

		dup2(log, 2);
		execl(serve, "fuse_serve", FUSE_DIR, BB, HOME "/sled", "2",
		      NULL);
		perror("exec fuse_serve");
		_exit(97);
	}
	for (int i = 0; i < 500 && stat(argv[0], &st); i++)
		usleep(10000);
	if (stat(argv[0], &st))
		rc = 90;
	if (rc < 0) {
		pid = fork();
		if (!pid) {
			execv(argv[0], argv);
			_exit(errno == EPERM ? 126 : 127);
		}
		waitpid(pid, &status, 0);
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 91;
	}
	pid = fork();
	if (!pid) {
		execl("/usr/bin/fusermount3", "fusermount3", "-u", "-z",
		      FUSE_DIR, NULL);
		_exit(97);
	}
	waitpid(pid, &status, 0);
	kill(srv, SIGTERM);
	waitpid(srv, &status, 0);
	if (rc == PAYLOAD_RC)
		return PAYLOAD_RC;
	return rc == 126 ? 0 : 10 + rc;
}

TEST_F(attack, fuse_serves_other_bytes_than_hashed)
{
	static const char *const tools[3] = {
		"/usr/bin/fusermount3", VM_LIBDIR "/libfuse3.so.3",
		NULL,
	};
	__u32 fl[7] = { BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW,
			BG_ENTRY_ALLOW, BG_ENTRY_ALLOW, BG_ENTRY_ALLOW,
			BG_ENTRY_ALLOW };
	unsigned char dg[7][32];
	char serve[PATH_MAX];
	const struct bg_event *ev;

	snprintf(serve, sizeof(serve), "%s/selftests/helpers/fuse_serve",
		 getenv("BOMGATE_BUILD") ? getenv("BOMGATE_BUILD") : "build");
	memcpy(dg, self->dg, sizeof(self->dg));
	ASSERT_EQ(0, vm_sha256_file(tools[0], dg[4]));
	ASSERT_EQ(0, vm_sha256_file(tools[1], dg[5]));
	ASSERT_EQ(0, vm_sha256_file(serve, dg[6]));
	ASSERT_EQ(0, vm_install(self->e, dg, fl, 7, 2));
	/* udev makes it 0666 on a real system; the VM has no udev */
	ASSERT_EQ(0, sh("modprobe fuse 2>/dev/null; chmod 0666 /dev/fuse"));
	ASSERT_EQ(0, vm_copy(BB, HOME "/sled", NULL));
	ASSERT_EQ(0, sled_over(HOME "/sled"));
	ASSERT_EQ(0, mkdir(FUSE_DIR, 0755));
	ASSERT_EQ(0, chown(FUSE_DIR, NOBODY, NOBODY));
	EXPECT_EQ(0, as_nobody(fuse_attack, serve)) {
		char log[512] = "";
		int fd = open(HOME "/fuse.log", O_RDONLY);

		if (fd >= 0 && read(fd, log, sizeof(log) - 1) < 0)
			log[0] = '\0';
		TH_LOG("fuse_serve: %s", log);
	}
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_EXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNTRUSTED_FS, ev->reason);
}

/* Row 6: an overlay the user mounts in a user namespace, lower layer the
 * user's own: its bytes can change under any mapping. */
static int userns_overlay(void *arg)
{
	char *argv[] = { HOME "/mnt/busybox", "true", NULL };
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return 90;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0 && (write(fd, "deny", 4) < 0 || close(fd)))
		return 91;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (vm_write_file("/proc/self/uid_map", map))
		return 92;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (vm_write_file("/proc/self/gid_map", map))
		return 93;
	if (mount("overlay", HOME "/mnt", "overlay", 0,
		  "lowerdir=" HOME "/lower,upperdir=" HOME "/upper,workdir="
		  HOME "/work"))
		return 94;
	execv(argv[0], argv);
	return errno == EPERM ? 0 : 10;
}

TEST_F(attack, user_namespace_overlay_untrusted)
{
	const struct bg_event *ev;

	ASSERT_EQ(0, sh("mkdir -p " HOME "/lower " HOME "/upper " HOME "/work " HOME
	       "/mnt && chown -R 65534:65534 " HOME));
	ASSERT_EQ(0, vm_copy(BB, HOME "/lower/busybox", NULL));
	EXPECT_EQ(0, as_nobody(userns_overlay, NULL));
	ev = vm_find_event(self->e, &self->ev, NULL, BG_HOOK_EXEC,
			   BG_DEC_DENIED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(BG_REASON_UNTRUSTED_FS, ev->reason);
}

/* Row 7: ext4 on a loop device whose backing file the user owns: a listed
 * binary runs, the user rewrites its blocks in the image, the page cache
 * goes (drop_caches; memory pressure does the same), and it runs again. */
static int first_block(const char *path, __u64 *phys)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[1];
	} f = { .fm = { .fm_length = ~0ULL, .fm_extent_count = 1,
			.fm_flags = FIEMAP_FLAG_SYNC } };
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, FS_IOC_FIEMAP, &f) ? -errno : 0;
	close(fd);
	if (!ret && !f.fm.fm_mapped_extents)
		ret = -ENOENT;
	if (!ret)
		*phys = f.ext[0].fe_physical;
	return ret;
}

TEST_F(attack, loop_backing_file_rewritten)
{
	char *argv[] = { "/mnt/bgatt-loop/busybox", "true", NULL };
	unsigned char junk[7] = { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a };
	__u64 phys = 0;
	int st, fd;

	ASSERT_EQ(0, sh("modprobe loop && truncate -s 32M " HOME "/img && "
			    "mkfs.ext4 -q -F " HOME "/img && chown 65534 " HOME
			    "/img && mkdir -p /mnt/bgatt-loop && "
			    "mount -o loop " HOME "/img /mnt/bgatt-loop"));
	ASSERT_EQ(0, vm_copy(BB, "/mnt/bgatt-loop/busybox", NULL));
	ASSERT_EQ(0, first_block("/mnt/bgatt-loop/busybox", &phys));
	ASSERT_EQ(0, vm_run(argv, &st));
	ASSERT_EQ(0, vm_run(argv, &st));
	/* the user's write: the ELF header's padding bytes, harmless to
	 * run, enough to change the digest */
	fd = open(HOME "/img", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(7, pwrite(fd, junk, 7, phys + 9));
	close(fd);
	sh("sync; echo 3 > /proc/sys/vm/drop_caches");
	EXPECT_EQ(EPERM, vm_run(argv, &st));
	sh("umount /mnt/bgatt-loop");
}

/* Row 12: mprotect(PROT_EXEC) of a listed file on the overlay root, right
 * after it was measured by an exec: decided from that measurement. */
TEST_F(attack, mprotect_on_overlay_root_after_exec)
{
	char *argv[] = { "/var/tmp/bgatt-bb/busybox", "true", NULL };
	int st, fd;
	void *p;

	mkdir("/var/tmp/bgatt-bb", 0755);
	ASSERT_EQ(0, vm_copy(BB, argv[0], NULL));
	ASSERT_EQ(0, vm_run(argv, &st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	fd = open(argv[0], O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	munmap(p, 4096);
	close(fd);
	unlink(argv[0]);
}

/* Held: the loader running an unlisted program maps it: denied. */
TEST_F(attack, loader_direct_run_of_unlisted)
{
	char *argv[] = { LDSO, HOME "/bad", "true", NULL };
	int st;

	ASSERT_EQ(0, vm_copy(BB, HOME "/bad", "\n"));
	ASSERT_EQ(0, vm_run(argv, &st));
	EXPECT_NE(0, WEXITSTATUS(st));
	EXPECT_NE(NULL, vm_find_event(self->e, &self->ev, NULL, BG_HOOK_MMAP,
				      BG_DEC_DENIED));
}

/* Held: replacing a running program by rename (dpkg's way) is allowed,
 * and what runs next is the new file, measured. */
TEST_F(attack, rename_over_running_file_is_allowed)
{
	char *argv[] = { LDSO, HOME "/sleep", "1", NULL };
	int st;
	pid_t pid;

	ASSERT_EQ(0, vm_copy(SLEEP, HOME "/sleep", NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execv(argv[0], argv);
		_exit(97);
	}
	ASSERT_EQ(0, wait_mapped(pid, HOME "/sleep"));
	ASSERT_EQ(0, vm_copy(SLEEP, HOME "/sleep.new", NULL));
	EXPECT_EQ(0, rename(HOME "/sleep.new", HOME "/sleep"));
	waitpid(pid, &st, 0);
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
