// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege once the programs are loaded and attached: keep only the
 * capabilities the event loop needs and allow only the system calls it
 * makes (libseccomp; anything else kills the process, while the pinned
 * programs go on enforcing).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <seccomp.h>

#include "daemon.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/*
 * CAP_BPF + CAP_SYS_ADMIN: create the next policy map, read map state by
 * id; CAP_PERFMON: BPF on 5.8+ kernels alongside CAP_BPF;
 * CAP_DAC_READ_SEARCH: read policies, certificates, /proc; CAP_SYS_PTRACE:
 * the parent's /proc/PID/exe in events; CAP_AUDIT_WRITE: audit records.
 */
static const int keep_caps[] = {
	CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON, CAP_DAC_READ_SEARCH,
	CAP_SYS_PTRACE, CAP_AUDIT_WRITE,
};

static int kept(int cap)
{
	for (size_t i = 0; i < sizeof(keep_caps) / sizeof(keep_caps[0]); i++)
		if (keep_caps[i] == cap)
			return 1;
	return 0;
}

int privs_drop(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	int last = 63;

	for (int cap = 0; cap <= last; cap++) {
		if (kept(cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -errno;
		}
	}
	for (size_t i = 0; i < sizeof(keep_caps) / sizeof(keep_caps[0]); i++) {
		int cap = keep_caps[i];

		data[cap / 32].effective |= 1U << (cap % 32);
		data[cap / 32].permitted |= 1U << (cap % 32);
	}
	if (syscall(SYS_capset, &h, data)) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* What the event loop, reloads (OpenSSL, libbpf), event output, syslog
 * and disable use. */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(ftruncate),
	SCMP_SYS(close), SCMP_SYS(openat),
	SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(statx),
	SCMP_SYS(statfs), SCMP_SYS(fstatfs),	/* policy scopes: cgroup2? */
	SCMP_SYS(lseek), SCMP_SYS(getdents64), SCMP_SYS(unlinkat),
	SCMP_SYS(unlink), SCMP_SYS(rmdir), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(fchmod), SCMP_SYS(fcntl),
	SCMP_SYS(ioctl), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt),
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(shutdown),
	SCMP_SYS(memfd_create),
	/* engine__task_flags: is this daemon the sealed one (a reload
	 * that seals asks) */
	SCMP_SYS(pidfd_open),
	SCMP_SYS(bpf), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(brk),
	/* RNP (trust-apt): Botan locks its key memory */
	SCMP_SYS(mlock), SCMP_SYS(munlock),
	/* ... and writes to stderr, silenced around it */
	SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(futex), SCMP_SYS(getrandom), SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(getpid),
	SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(sysinfo), SCMP_SYS(uname),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit),
};

int privs_seccomp(int test_verb, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int ret = 0;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i] < 0)
			continue;	/* not on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
		if (ret) {
			snprintf(err, errlen, "seccomp_rule_add(%d): %s",
				 allowed[i], strerror(-ret));
			goto out;
		}
	}
	ret = seccomp_load(ctx);
	if (ret)
		snprintf(err, errlen, "seccomp_load: %s", strerror(-ret));
	else if (test_verb)
		fprintf(stderr, "bomgated: seccomp allowlist of %zu system calls installed\n",
			sizeof(allowed) / sizeof(allowed[0]));
out:
	seccomp_release(ctx);
	return ret;
}
