// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate benchmarks, run as root inside the test VM by scripts/bench.sh.
 *
 *   exec     fork+exec+wait of a static and a dynamic binary: no bomgate
 *            (programs detached), enforce and audit (cached verdicts),
 *            interleaved in rounds
 *   first    first exec of 1/10/100 MB files (digest computed in the
 *            kernel) against sha256sum of the same file
 *   hook     kernel BPF run-time statistics per program (ns per call)
 *   ref      the same per hook (exec, mmap, mprotect, module read) for a
 *            bare program (bench/bare.bpf.c) and for bomgate's with a
 *            cached verdict, each attached alone, interleaved in rounds
 *   install  policy install time and map memory for 10k/100k/1M digests
 *   storm    thousands of denied execs: rate, CPU, events delivered, drops
 *            (bomgate enforce and fapolicyd)
 *   build    a small C project built with make -j2 in the tmpfs (none,
 *            bomgate enforce, fapolicyd)
 *
 * Variant "fapolicyd" is Debian's fapolicyd run in the foreground by this
 * program (bomgate detached): a file trust list with the same files (path,
 * size, SHA-256), integrity = sha256, deny-by-default execution and
 * shared-library opens. It watches tmpfs mounts only (watch_fs = tmpfs),
 * so the guest's overlay root stays ungated and usable.
 *
 * Every test file lives in the guest's tmpfs /tmp; the dynamic binary's
 * libraries are copied there too and bind-mounted over their paths (in a
 * private mount namespace) so that the 9p root never sits in the measured
 * path and every mapped file is cacheable. The programs are scoped to a
 * cgroup of this process.
 *
 * Output: one tab-separated "BENCH" line per result, read by
 * scripts/bench.sh; everything else is commentary.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../selftests/vm/vmtest.h"
/* The skeleton itself: detach/attach for the no-bomgate baseline, program
 * fds for run-time statistics, the outer policy map for memory. */
#include "engine_priv.h"
#include "bare.skel.h"

#define DIR		"/tmp/bgb"
#define STATIC_BIN	DIR "/static/busybox"
#define DYN_SRC		"/usr/bin/curl"
#define DYN_BIN		DIR "/dyn/curl"
#define MAX_LIBS	96
#define MAX_DIGESTS	(MAX_LIBS + 8 + 64)
#define FAPOLICYD	"/usr/sbin/fapolicyd"
#define FA_ETC		"/etc/fapolicyd"
#define FA_LOG		"/run/bgbench-fapolicyd.log"
#define BUILD_DIR	DIR "/build"
#define NSRC		12
/* a module of the guest kernel for the kernel_read_file reference */
#define REF_MOD		"ts_kmp"
#define REF_MOD_KO	DIR "/mod/" REF_MOD ".ko"

enum { V_NONE, V_ENFORCE, V_AUDIT, V_FAPOLICYD, V_MAX };
static const char *const vname[V_MAX] = { "none", "enforce", "audit",
					   "fapolicyd" };

struct workload {
	const char *name;
	char *argv[3];
};

static struct workload wl[] = {
	{ "static", { STATIC_BIN, "true", NULL } },
	{ "dynamic", { DYN_BIN, "--version", NULL } },
};
#define NWL ((int)(sizeof(wl) / sizeof(wl[0])))

static struct bench {
	struct engine *e;
	int attached;
	int variant;
	int devnull;
	unsigned char dg[MAX_DIGESTS][32];
	char *dgpath[MAX_DIGESTS];	/* path as fapolicyd sees it */
	int ndg;
	pid_t fa;			/* fapolicyd, while it runs */
	int have_fa;
	int have_mod;			/* REF_MOD_KO staged and listed */
	/* scale: BENCH_QUICK=1 in the environment for a smoke run */
	int rounds, per_round;
	const char *only;	/* sections to run; NULL: all */
} b;

static double t_start;

static void progress(const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("# %7.1f s: %s\n", ts.tv_sec + ts.tv_nsec / 1e9 - t_start, what);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "vm_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	printf("BENCH\terror\t%s\t%s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int on_event(void *ctx, const struct bg_event *ev);

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* fork+exec+wait; microseconds, or dies when the program did not run. */
static double time_run(char *const argv[])
{
	double t0 = now_us(), t1;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		dup2(b.devnull, 1);
		dup2(b.devnull, 2);
		execv(argv[0], argv);
		_exit(100 + (errno & 127));
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", errno);
	t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# %s: exit status 0x%x (variant %s; >= 100: execv errno+100)\n",
		       argv[0], status, vname[b.variant]);
		engine__set_event_cb(b.e, on_event, "failure");
		engine__poll(b.e, 100);
		die(argv[0], WIFEXITED(status) && WEXITSTATUS(status) >= 100 ?
			     WEXITSTATUS(status) - 100 : ECHILD);
	}
	return t1 - t0;
}

static int cmp_double(const void *a, const void *c)
{
	double x = *(const double *)a, y = *(const double *)c;

	return x < y ? -1 : x > y;
}

/* Sorts @v; quantile @q of n values (nearest rank). */
static double quant(double *v, int n, double q)
{
	int i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (int)(q * (n - 1) + 0.5);
	return v[i];
}

static void fa_start(void);
static void fa_stop(void);

static void set_variant(int v)
{
	char err[256];
	int mode = v == V_ENFORCE ? BG_MODE_ENFORCE : BG_MODE_AUDIT;
	int ret;

	if (v != V_FAPOLICYD && b.fa > 0)
		fa_stop();
	if (v == V_NONE || v == V_FAPOLICYD) {
		if (b.attached)
			bomgate_bpf__detach(b.e->skel);
		b.attached = 0;
		if (v == V_FAPOLICYD && b.fa <= 0)
			fa_start();
	} else {
		if (!b.attached && engine__attach(b.e, err, sizeof(err)))
			die(err, EINVAL);
		b.attached = 1;
		ret = engine__set_mode(b.e, BG_CLASS_EXEC, mode);
		if (!ret)
			ret = engine__set_mode(b.e, BG_CLASS_MMAP, mode);
		if (ret)
			die("engine__set_mode", ret);
	}
	b.variant = v;
}

/* --- setup: tmpfs copies, libraries bind-mounted, policy ------------------ */

static void add_digest(const char *path)
{
	int ret;

	if (b.ndg == MAX_DIGESTS)
		die("too many files", E2BIG);
	ret = vm_sha256_file(path, b.dg[b.ndg]);
	if (ret)
		die(path, ret);
	b.dgpath[b.ndg] = strdup(path);
	b.ndg++;
}

/* Copy @real into DIR/lib, bind the copy over it, list its digest. */
static void copy_over(const char *real)
{
	char copy[PATH_MAX + 16];

	snprintf(copy, sizeof(copy), DIR "/lib/%s", strrchr(real, '/') + 1);
	if (vm_copy(real, copy, NULL))
		die(copy, errno);
	if (mount(copy, real, NULL, MS_BIND, NULL))
		die(real, errno);
	/* fapolicyd sees the library at its real path (the bind mount) */
	add_digest(real);
}

/* Copy each library of DYN_SRC into DIR/lib and bind it over the original. */
static void setup_libs(void)
{
	char line[512], real[PATH_MAX];
	FILE *f;
	int n = 0;

	f = popen("ldd " DYN_SRC, "r");
	if (!f)
		die("ldd", errno);
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/'), *end;

		if (!p)
			continue;	/* linux-vdso */
		end = strpbrk(p, " \n");
		if (end)
			*end = 0;
		if (!realpath(p, real))
			continue;
		copy_over(real);
		n++;
	}
	pclose(f);
	printf("# %s: %d libraries copied to tmpfs and bind-mounted\n", DYN_SRC, n);
	printf("BENCH\tinfo\tdyn_libs\t%d\n", n);
}

static const long big_sizes[] = { 1L << 20, 10L << 20, 100L << 20 };
#define NBIG 3

static void big_path(char *buf, size_t len, int i)
{
	snprintf(buf, len, DIR "/big/f%ldM", big_sizes[i] >> 20);
}

/*
 * A minimal static x86-64 executable (exit(0)) followed by pseudo-random
 * padding up to the size: exec maps 129 bytes, the gate hashes it all.
 */
static const unsigned char tiny_elf[129] = {
	0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 0, 0x3e, 0, 1, 0, 0, 0,			/* EXEC, x86-64, v1 */
	0x78, 0, 0x40, 0, 0, 0, 0, 0,			/* e_entry 0x400078 */
	64, 0, 0, 0, 0, 0, 0, 0,			/* e_phoff */
	0, 0, 0, 0, 0, 0, 0, 0,				/* e_shoff */
	0, 0, 0, 0, 64, 0, 56, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	1, 0, 0, 0, 5, 0, 0, 0,				/* PT_LOAD, R+X */
	0, 0, 0, 0, 0, 0, 0, 0,				/* p_offset */
	0, 0, 0x40, 0, 0, 0, 0, 0,			/* p_vaddr */
	0, 0, 0x40, 0, 0, 0, 0, 0,			/* p_paddr */
	129, 0, 0, 0, 0, 0, 0, 0,			/* p_filesz */
	129, 0, 0, 0, 0, 0, 0, 0,			/* p_memsz */
	0, 0x10, 0, 0, 0, 0, 0, 0,			/* p_align */
	0xb8, 60, 0, 0, 0,				/* mov eax, 60 */
	0x31, 0xff,					/* xor edi, edi */
	0x0f, 0x05,					/* syscall */
};

static void setup_big(void)
{
	static char buf[1 << 16];
	char path[64];
	__u64 x = 88172645463325252ULL;

	for (int i = 0; i < NBIG; i++) {
		long left;
		int fd;

		big_path(path, sizeof(path), i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0 || write(fd, tiny_elf, sizeof(tiny_elf)) !=
			      (ssize_t)sizeof(tiny_elf))
			die(path, errno);
		for (left = big_sizes[i] - sizeof(tiny_elf); left > 0;) {
			size_t chunk = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);

			for (size_t j = 0; j + 8 <= sizeof(buf); j += 8) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				memcpy(buf + j, &x, 8);
			}
			if (write(fd, buf, chunk) != (ssize_t)chunk)
				die(path, errno);
			left -= chunk;
		}
		close(fd);
		add_digest(path);
	}
}

/*
 * REF_MOD of the guest kernel, unpacked into the tmpfs (cacheable, unlike
 * the 9p root and the overlay) and listed: the module workload of the
 * per-hook reference. Without it that hook is left out.
 */
static void setup_mod(void)
{
	struct utsname u;
	char cmd[512];

	uname(&u);
	snprintf(cmd, sizeof(cmd),
		 "m=/lib/modules/%s/kernel/lib/%s.ko; "
		 "if [ -f $m.xz ]; then xz -dc $m.xz > %s; else cp $m %s; fi",
		 u.release, REF_MOD, REF_MOD_KO, REF_MOD_KO);
	b.have_mod = !system(cmd);
	if (b.have_mod)
		add_digest(REF_MOD_KO);
	printf("BENCH\tinfo\tref_module\t%s\n",
	       b.have_mod ? REF_MOD : "absent (hook left out)");
}

/* Files the dynamic workload maps besides its ldd list (dlopen plugins),
 * then the toolchain the build runs. */
static char found[96][BG_PATH_LEN];
static int nfound;

static int on_discover(void *ctx, const struct bg_event *ev)
{
	if (ev->decision != BG_DEC_WOULD_DENY || ev->path[0] != '/' ||
	    !strncmp(ev->path, DIR "/", strlen(DIR "/")) || nfound == 96)
		return 0;
	for (int i = 0; i < nfound; i++)
		if (!strcmp(found[i], ev->path))
			return 0;
	memcpy(found[nfound++], ev->path, BG_PATH_LEN);
	return 0;
}

static int install_own(__u64 gen);
static struct bg_policy_rec *big_policy(__u32 n, __u32 *nr);
static void setup_build(void);
static void discover_build(void);
static void fa_configure(void);

static void discover(void)
{
	char real[PATH_MAX];
	int ret;

	if (engine__set_mode(b.e, BG_CLASS_EXEC, BG_MODE_AUDIT) ||
	    engine__set_mode(b.e, BG_CLASS_MMAP, BG_MODE_AUDIT))
		die("engine__set_mode", errno);
	engine__set_event_cb(b.e, on_discover, NULL);
	time_run(wl[1].argv);
	engine__poll(b.e, 200);
	engine__set_event_cb(b.e, NULL, NULL);
	for (int i = 0; i < nfound; i++) {
		if (!realpath(found[i], real))
			die(found[i], errno);
		copy_over(real);
	}
	printf("# %s maps %d more files (dlopen): copied and listed too\n",
	       DYN_SRC, nfound);
	printf("BENCH\tinfo\tdyn_dlopen\t%d\n", nfound);
	ret = install_own(2);
	if (ret)
		die("engine__install", ret);
}

/* The bench's own files, sorted, duplicates (same content) dropped. */
static int install_own(__u64 gen)
{
	struct bg_policy_rec r[MAX_DIGESTS] = {};
	int n = 0;

	for (int i = 0; i < b.ndg; i++) {
		memcpy(r[i].digest, b.dg[i], 32);
		r[i].comp = i;
		r[i].flags = BG_ENTRY_ALLOW;
	}
	qsort(r, b.ndg, sizeof(r[0]), cmp_rec);
	for (int i = 0; i < b.ndg; i++)
		if (!n || memcmp(r[n - 1].digest, r[i].digest, 32))
			r[n++] = r[i];
	return engine__install(b.e, r, n, gen);
}

static void setup(void)
{
	char cg[256], err[256];
	struct engine_opts o = {};
	int ret;

	b.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mount namespace", errno);
	mkdir(DIR, 0755);
	if (mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"))
		die("tmpfs " DIR, errno);
	mkdir(DIR "/static", 0755);
	mkdir(DIR "/dyn", 0755);
	mkdir(DIR "/lib", 0755);
	mkdir(DIR "/big", 0755);
	mkdir(DIR "/mod", 0755);
	if (vm_copy("/bin/busybox", STATIC_BIN, NULL) ||
	    vm_copy(DYN_SRC, DYN_BIN, NULL))
		die("copy binaries", errno);
	add_digest(STATIC_BIN);
	add_digest(DYN_BIN);
	setup_libs();
	progress("libraries");
	setup_big();
	setup_mod();

	ret = vm_cgroup_enter(cg, sizeof(cg), &o.scope_cgroup);
	if (ret)
		die("cgroup", ret);
	b.e = engine__load(&o, err, sizeof(err));
	if (!b.e)
		die(err, errno);
	if (engine__attach(b.e, err, sizeof(err)))
		die(err, EINVAL);
	b.attached = 1;
	if (*engine__left_out(b.e))
		printf("# left out: %s\n", engine__left_out(b.e));
	ret = install_own(1);
	if (ret)
		die("engine__install", ret);
	discover();
	if (!b.only || strstr(b.only, "build")) {
		setup_build();
		discover_build();
	}
	b.have_fa = !access(FAPOLICYD, X_OK);
	printf("BENCH\tinfo\tfapolicyd\t%s\n", b.have_fa ? FAPOLICYD :
	       "absent (variant left out)");
	if (b.have_fa)
		fa_configure();
	printf("BENCH\tinfo\tpolicy_digests\t%d\n", b.ndg);
}


/* --- fapolicyd: configuration, start, stop -------------------------------- */

static int write_str(const char *path, const char *str)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, str, strlen(str));
	close(fd);
	return n == (ssize_t)strlen(str) ? 0 : -EIO;
}

/* The same files as bomgate's policy: path, size, SHA-256 per line. */
static void fa_configure(void)
{
	FILE *f;
	int ret;

	ret = write_str(FA_ETC "/fapolicyd.conf",
		"permissive = 0\nnice_val = 0\nq_size = 640\n"
		"uid = fapolicyd\ngid = fapolicyd\n"
		"do_stat_report = 0\ndetailed_report = 0\ndb_max_size = 50\n"
		"subj_cache_size = 1549\nobj_cache_size = 8191\n"
		"watch_fs = tmpfs\ntrust = file\nintegrity = sha256\n"
		"syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust\n"
		"rpm_sha256_only = 0\nallow_filesystem_mark = 0\n");
	/* deny-by-default execution and shared-library loading */
	if (!ret)
		ret = write_str(FA_ETC "/compiled.rules",
			"allow perm=execute all : trust=1\n"
			"deny perm=execute all : all\n"
			"allow perm=open all : ftype=application/x-sharedlib trust=1\n"
			"deny perm=open all : ftype=application/x-sharedlib\n"
			"allow perm=any all : all\n");
	if (!ret)
		ret = write_str(FA_ETC "/trust.d/fapolicyd.trust", "");
	if (ret)
		die(FA_ETC, ret);
	unlink(FA_ETC "/rules.d/90-deny-execute.rules");
	if (system("rm -f /var/lib/fapolicyd/*.mdb; mkdir -p /run/fapolicyd;"
		   "chown root:fapolicyd /run/fapolicyd;"
		   "chmod 0770 /run/fapolicyd") < 0)
		die("fapolicyd directories", errno);
	f = fopen(FA_ETC "/fapolicyd.trust", "w");
	if (!f)
		die(FA_ETC "/fapolicyd.trust", errno);
	for (int i = 0; i < b.ndg; i++) {
		struct stat st;

		if (stat(b.dgpath[i], &st))
			die(b.dgpath[i], errno);
		fprintf(f, "%s %lld ", b.dgpath[i], (long long)st.st_size);
		for (int j = 0; j < 32; j++)
			fprintf(f, "%02x", b.dg[i][j]);
		fputc('\n', f);
	}
	if (fclose(f))
		die(FA_ETC "/fapolicyd.trust", errno);
}

static int fa_log_count(const char *needle)
{
	char line[1024];
	FILE *f = fopen(FA_LOG, "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void fa_start(void)
{
	pid_t pid;

	if (!b.have_fa)
		die("fapolicyd variant without fapolicyd", ENOENT);
	unlink(FA_LOG);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		int fd = open(FA_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(FAPOLICYD, FAPOLICYD, "--debug-deny", NULL);
		_exit(127);
	}
	for (int i = 0; i < 1200; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (fa_log_count("Starting to listen for events")) {
			b.fa = pid;
			return;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (system("cat " FA_LOG) < 0)
		perror("cat");
	die("fapolicyd did not start", ETIMEDOUT);
}

static void fa_stop(void)
{
	kill(b.fa, SIGTERM);
	waitpid(b.fa, NULL, 0);
	b.fa = 0;
}

/* user + system CPU of @pid in seconds */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		       &ut, &st);
	return (ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* busy CPU seconds of the whole guest (all CPUs) */
static double sys_busy(void)
{
	unsigned long long u, n, sy, idle, io, irq, sirq;
	FILE *f = fopen("/proc/stat", "r");
	int ok;

	if (!f)
		return 0;
	ok = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &sy,
		    &idle, &io, &irq, &sirq) == 7;
	fclose(f);
	return ok ? (u + n + sy + irq + sirq) / (double)sysconf(_SC_CLK_TCK) : 0;
}

/* --- 5. denial storm ------------------------------------------------------- */

#define UNKNOWN_BIN	DIR "/static/unknown"

static int storm_events;

static int on_storm(void *ctx, const struct bg_event *ev)
{
	if (ev->decision == BG_DEC_DENIED)
		storm_events++;
	return 0;
}

static void storm_one(int v, int n)
{
	char *argv[] = { UNKNOWN_BIN, "true", NULL };
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];
	double t0, t1, cpu0, cpu1, d0 = 0, d1 = 0, poll_cpu = 0;
	int denied = 0, ev0 = 0;

	set_variant(v);
	storm_events = 0;
	if (v == V_ENFORCE) {
		engine__poll(b.e, 0);
		engine__set_event_cb(b.e, on_storm, NULL);
		engine__counters(b.e, c0);
	} else {
		ev0 = fa_log_count("dec=deny");
		d0 = proc_cpu(b.fa);
	}
	cpu0 = sys_busy();
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork", errno);
		if (!pid) {
			execv(argv[0], argv);
			_exit(errno == EPERM ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		denied += WIFEXITED(status) && !WEXITSTATUS(status);
		if (v == V_ENFORCE && !(i % 64)) {
			struct timespec a, z;

			/* the event consumer, as bomgated would run it */
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
			engine__poll(b.e, 0);
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &z);
			poll_cpu += (z.tv_sec - a.tv_sec) + (z.tv_nsec - a.tv_nsec) / 1e9;
		}
	}
	t1 = now_us();
	cpu1 = sys_busy();
	if (v == V_ENFORCE) {
		struct timespec a, z;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		engine__poll(b.e, 200);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &z);
		poll_cpu += (z.tv_sec - a.tv_sec) + (z.tv_nsec - a.tv_nsec) / 1e9;
		engine__counters(b.e, c1);
		engine__set_event_cb(b.e, NULL, NULL);
		d1 = poll_cpu;
	} else {
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);	/* let the log catch up */
		d1 = proc_cpu(b.fa);
		storm_events = fa_log_count("dec=deny") - ev0;
	}
	printf("BENCH\tstorm\t%s\t%d\t%d\t%.2f\t%.0f\t%.2f\t%.3f\t%d\t%llu\n",
	       vname[v], n, denied, (t1 - t0) / 1e6, n / ((t1 - t0) / 1e6),
	       cpu1 - cpu0, d1 - d0, storm_events,
	       v == V_ENFORCE ? (unsigned long long)(c1[BG_CNT_DROPS] -
						     c0[BG_CNT_DROPS]) : 0ULL);
	fflush(stdout);
}

static void bench_storm(void)
{
	int n = b.rounds < 5 ? 300 : 1500;

	if (vm_copy(STATIC_BIN, UNKNOWN_BIN, "\n"))
		die(UNKNOWN_BIN, errno);
	storm_one(V_ENFORCE, n);
	if (b.have_fa)
		storm_one(V_FAPOLICYD, n);
}

/* --- 6. a small real build ----------------------------------------------- */

static char *make_argv[] = { "/usr/bin/make", "-s", "-j2", "-C", BUILD_DIR,
			     NULL };

static void build_clean(void)
{
	char p[64];

	for (int i = 0; i < NSRC; i++) {
		snprintf(p, sizeof(p), BUILD_DIR "/f%02d.o", i);
		unlink(p);
	}
	unlink(BUILD_DIR "/main.o");
	unlink(BUILD_DIR "/prog");
}

static void setup_build(void)
{
	char p[64], src[1024];
	int ret = 0;

	mkdir(BUILD_DIR, 0755);
	for (int i = 0; !ret && i < NSRC; i++) {
		snprintf(p, sizeof(p), BUILD_DIR "/f%02d.c", i);
		snprintf(src, sizeof(src),
			 "#include <stdio.h>\n#include <string.h>\n"
			 "struct s%d { int a[16]; char name[32]; };\n"
			 "static int mix(struct s%d *s, int k)\n{\n"
			 "\tint h = k;\n\tfor (int i = 0; i < 16; i++)\n"
			 "\t\th = h * 31 + s->a[i] + (int)strlen(s->name);\n"
			 "\treturn h;\n}\n"
			 "int f%02d(int k)\n{\n\tstruct s%d s = { { k } };\n"
			 "\tsnprintf(s.name, sizeof(s.name), \"f%%d\", k);\n"
			 "\treturn mix(&s, k) ^ %d;\n}\n", i, i, i, i, i);
		ret = write_str(p, src);
	}
	if (!ret) {
		char main_c[4096] = "#include <stdio.h>\n";
		size_t l = strlen(main_c);

		for (int i = 0; i < NSRC; i++)
			l += snprintf(main_c + l, sizeof(main_c) - l,
				      "int f%02d(int);\n", i);
		l += snprintf(main_c + l, sizeof(main_c) - l,
			      "int main(void)\n{\n\tint h = 0;\n");
		for (int i = 0; i < NSRC; i++)
			l += snprintf(main_c + l, sizeof(main_c) - l,
				      "\th ^= f%02d(h);\n", i);
		snprintf(main_c + l, sizeof(main_c) - l,
			 "\tprintf(\"%%d\\n\", h);\n\treturn 0;\n}\n");
		ret = write_str(BUILD_DIR "/main.c", main_c);
	}
	if (!ret)
		ret = write_str(BUILD_DIR "/Makefile",
			"OBJS = $(patsubst %.c,%.o,$(wildcard *.c))\n"
			"prog: $(OBJS)\n\tgcc -o $@ $(OBJS)\n"
			"%.o: %.c\n\tgcc -O1 -pipe -c $< -o $@\n");
	if (ret)
		die(BUILD_DIR, ret);
}

/* Already listed (copied or measured in place)? */
static int listed(const char *path)
{
	for (int i = 0; i < b.ndg; i++)
		if (!strcmp(b.dgpath[i], path))
			return 1;
	return 0;
}

/*
 * The toolchain (make, gcc, cc1, as, ld and their libraries) goes into
 * both allowlists: found by a build in audit mode. Like the other measured
 * files it is copied into tmpfs and bound over its path: on the 9p root
 * bomgate cannot trust a cached digest and would hash cc1 (tens of MB) on
 * every exec, which is the cost of the shared root, not of bomgate on a
 * local filesystem.
 */
static void discover_build(void)
{
	char real[PATH_MAX];
	int before = nfound;

	set_variant(V_AUDIT);
	engine__poll(b.e, 0);
	engine__set_event_cb(b.e, on_discover, NULL);
	build_clean();
	time_run(make_argv);
	engine__poll(b.e, 200);
	engine__set_event_cb(b.e, NULL, NULL);
	for (int i = before; i < nfound; i++) {
		if (!realpath(found[i], real))
			die(found[i], errno);
		if (!listed(real))
			copy_over(real);
	}
	printf("BENCH\tinfo\tbuild_tools\t%d\n", nfound - before);
	if (install_own(3))
		die("engine__install", EINVAL);
}

static void bench_build(void)
{
	/* the audit build of discover_build() warmed the caches up */
	int reps = b.rounds < 5 ? 1 : 2, nv = 0;
	int vs[3] = { V_NONE, V_ENFORCE, V_FAPOLICYD };
	double t[3][8], rr[3][8];
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];

	nv = b.have_fa ? 3 : 2;
	/* one untimed build per variant: first execs hash, caches fill */
	for (int k = 0; k < nv; k++) {
		set_variant(vs[k]);
		build_clean();
		time_run(make_argv);
	}
	engine__counters(b.e, c0);
	for (int r = 0; r < reps; r++)
		for (int k = 0; k < nv; k++) {
			double x;

			set_variant(vs[k]);
			build_clean();
			x = time_run(make_argv) / 1e6;
			t[k][r] = x;
		}
	engine__counters(b.e, c1);
	for (int r = 0; r < reps; r++)
		for (int k = 0; k < nv; k++)
			rr[k][r] = t[k][r] / t[0][r];
	for (int k = 0; k < nv; k++) {
		double med = quant(t[k], reps, 0.5), base = quant(t[0], reps, 0.5);

		printf("BENCH\tbuild\t%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.4f\t%.4f\t%.4f\n",
		       vname[vs[k]], NSRC + 1, reps, med, quant(t[k], reps, 0.0),
		       quant(t[k], reps, 1.0), med / base,
		       quant(rr[k], reps, 0.0), quant(rr[k], reps, 1.0));
	}
	printf("BENCH\thashes\tbuild\t%llu\t%llu\n",
	       (unsigned long long)(c1[BG_CNT_HASHES] - c0[BG_CNT_HASHES]),
	       (unsigned long long)(c1[BG_CNT_CACHE_HITS] - c0[BG_CNT_CACHE_HITS]));
	fflush(stdout);
}

/* --- diagnostics: which files each exec measures, and denials ------------ */

static int on_event(void *ctx, const struct bg_event *ev)
{
	const char *phase = ctx;

	if (ev->decision != BG_DEC_ALLOWED || !ev->cached)
		printf("BENCH\tevent\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", phase,
		       bg_hook_name(ev->hook), bg_decision_name(ev->decision),
		       bg_reason_name(ev->reason), ev->cached ? "cached" : "hashed",
		       ev->err, ev->path);
	return 0;
}

static void diag(void)
{
	struct bg_config cfg;
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];

	set_variant(V_ENFORCE);
	if (engine__get_config(b.e, &cfg))
		die("engine__get_config", errno);
	cfg.flags |= BG_CFG_EMIT_ALLOWED;
	engine__set_config(b.e, &cfg);
	for (int w = 0; w < NWL; w++) {
		time_run(wl[w].argv);
		engine__poll(b.e, 0);
		engine__set_event_cb(b.e, on_event, (void *)wl[w].name);
		engine__counters(b.e, c0);
		time_run(wl[w].argv);
		engine__counters(b.e, c1);
		engine__poll(b.e, 100);
		engine__set_event_cb(b.e, NULL, NULL);
		printf("BENCH\tcounters\t%s\t%llu\t%llu\n", wl[w].name,
		       (unsigned long long)(c1[BG_CNT_HASHES] - c0[BG_CNT_HASHES]),
		       (unsigned long long)(c1[BG_CNT_CACHE_HITS] -
					    c0[BG_CNT_CACHE_HITS]));
	}
	cfg.flags &= ~BG_CFG_EMIT_ALLOWED;
	engine__set_config(b.e, &cfg);
}

/* --- 1. exec latency ---------------------------------------------------- */

static void bench_exec(void)
{
	int n = b.rounds * b.per_round;
	double *s[NWL][V_MAX], *rr[NWL][V_MAX];
	double rmed[V_MAX] = { 0 };

	for (int w = 0; w < NWL; w++)
		for (int v = 0; v < V_MAX; v++) {
			s[w][v] = calloc(n, sizeof(double));
			rr[w][v] = calloc(b.rounds, sizeof(double));
			if (!s[w][v] || !rr[w][v])
				die("calloc", ENOMEM);
		}
	/* round -1 is the warm-up: page cache, inode cache, dcache */
	for (int r = -1; r < b.rounds; r++) {
		for (int w = 0; w < NWL; w++) {
			for (int v = 0; v < V_MAX; v++) {
				double one[64];

				if (v == V_FAPOLICYD && !b.have_fa)
					continue;
				set_variant(v);
				time_run(wl[w].argv);	/* per-block warm-up */
				for (int i = 0; i < b.per_round; i++) {
					one[i] = time_run(wl[w].argv);
					if (r >= 0)
						s[w][v][r * b.per_round + i] = one[i];
				}
				rmed[v] = quant(one, b.per_round, 0.5);
			}
			for (int v = 0; r >= 0 && v < V_MAX; v++)
				rr[w][v][r] = rmed[v] / rmed[V_NONE];
			set_variant(V_NONE);	/* stops fapolicyd */
		}
	}
	for (int w = 0; w < NWL; w++)
		for (int v = 0; v < V_MAX; v++) {
			if (v == V_FAPOLICYD && !b.have_fa)
				continue;
			double med = quant(s[w][v], n, 0.5);
			double p25 = quant(s[w][v], n, 0.25);
			double p75 = quant(s[w][v], n, 0.75);
			double base = quant(s[w][V_NONE], n, 0.5);

			printf("BENCH\texec\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.4f\t%.4f\t%.4f\n",
			       wl[w].name, vname[v], n, med, p25, p75, med / base,
			       quant(rr[w][v], b.rounds, 0.0),
			       quant(rr[w][v], b.rounds, 1.0));
			free(s[w][v]);
			free(rr[w][v]);
		}
	fflush(stdout);
}

/* --- 3. per-program run time from the kernel's BPF statistics ----------- */

struct pstat {
	char name[64];
	__u64 ns, cnt;
};

static int snap(struct pstat *ps, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, b.e->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || n == max)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			die("bpf_prog_get_info_by_fd", errno);
		snprintf(ps[n].name, sizeof(ps[n].name), "%s", bpf_program__name(p));
		ps[n].ns = info.run_time_ns;
		ps[n].cnt = info.run_cnt;
		n++;
	}
	return n;
}

static void print_hooks(const char *phase, struct pstat *a, struct pstat *z, int n)
{
	for (int i = 0; i < n; i++) {
		__u64 cnt = z[i].cnt - a[i].cnt, ns = z[i].ns - a[i].ns;

		if (!cnt)
			continue;
		printf("BENCH\thook\t%s\t%s\t%llu\t%.0f\n", phase, z[i].name,
		       (unsigned long long)cnt, (double)ns / cnt);
	}
	fflush(stdout);
}

static void bench_hooks(const char *phase, int v, int execs)
{
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];
	struct pstat a[16], z[16];
	int n;

	set_variant(v);
	for (int w = 0; w < NWL; w++)
		time_run(wl[w].argv);
	engine__counters(b.e, c0);
	n = snap(a, 16);
	for (int i = 0; i < execs; i++)
		for (int w = 0; w < NWL; w++)
			time_run(wl[w].argv);
	snap(z, 16);
	engine__counters(b.e, c1);
	print_hooks(phase, a, z, n);
	/* how many of those decisions hashed instead of using the cache */
	printf("BENCH\thashes\t%s\t%llu\t%llu\n", phase,
	       (unsigned long long)(c1[BG_CNT_HASHES] - c0[BG_CNT_HASHES]),
	       (unsigned long long)(c1[BG_CNT_CACHE_HITS] - c0[BG_CNT_CACHE_HITS]));
}

/* Per-digest coverage counting (BG_CFG_COVERAGE) on or off. */
static void set_coverage(int on)
{
	struct bg_config cfg;

	if (engine__get_config(b.e, &cfg))
		die("engine__get_config", errno);
	cfg.flags = on ? cfg.flags | BG_CFG_COVERAGE :
			 cfg.flags & ~BG_CFG_COVERAGE;
	if (engine__set_config(b.e, &cfg))
		die("engine__set_config", errno);
}

/* --- 3b. per-hook cost against a bare program ------------------------------ */

/*
 * Each hook bomgate gates files on gets its own workload, so that every
 * call of the hook is a gated decision with a cached verdict: exec of the
 * static binary, a PROT_EXEC private mapping of it, mprotect adding
 * PROT_EXEC to a read-only private mapping of it, finit_module of REF_MOD
 * (then removed). And, to tell the cost of a decision from the cost of
 * where it runs, the mmap of the same file as the first thing a freshly
 * forked child does (exec runs there too: in the new task, after the
 * fork's context switch). Variants, each attached alone (nothing else of bomgate
 * or of the bare object on the hooks): the bare program, bomgate enforcing,
 * the same with coverage counting, the same with allowed events.
 */
enum { RH_EXEC, RH_MMAP, RH_MPROTECT, RH_MODULE, RH_MMAP_FORK, RH_MAX };
static const char *const rh_name[RH_MAX] = { "exec", "mmap", "mprotect",
					     "module", "mmap-after-fork" };
/* the hook of each, as in the program's section name (lsm[.s]/HOOK) */
static const char *const rh_hook[RH_MAX] = { "bprm_check_security",
					     "mmap_file", "file_mprotect",
					     "kernel_read_file", "mmap_file" };

enum { RV_BARE, RV_ENFORCE, RV_COVERAGE, RV_ALLOWED, RV_P10K, RV_P100K,
       RV_P1M, RV_MAX };
static const char *const rv_name[RV_MAX] = { "bare", "enforce",
					     "enforce+coverage",
					     "enforce+allowed-events",
					     "enforce-10k-policy",
					     "enforce-100k-policy",
					     "enforce-1M-policy" };
/* the policy of each variant: the bench's own files, or that many digests
 * (the bench's own among them) */
static const __u32 rv_digests[RV_MAX] = { [RV_P10K] = 10000,
					  [RV_P100K] = 100000,
					  [RV_P1M] = 1000000 };

#define REF_MAX_ROUNDS	8

struct ref {
	struct bare_bpf *bare;
	struct bg_policy_rec *recs[RV_MAX];	/* rv_digests[] records */
	__u32 nrecs[RV_MAX];
	__u64 gen;
	int fd[RV_MAX][RH_MAX];		/* program on the hook, -1: none */
	const char *prog[RV_MAX][RH_MAX];
	int n[RH_MAX];			/* calls per round */
	__u64 ns[RV_MAX][RH_MAX], cnt[RV_MAX][RH_MAX];
	double round[RV_MAX][RH_MAX][REF_MAX_ROUNDS];	/* ns per call */
	__u64 hashed[RV_MAX], cached[RV_MAX];
};

/* The loaded program of @obj on @hook, or -1. */
static int ref_prog(struct bpf_object *obj, const char *hook,
		    const char **name)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);
		const char *h = strchr(sec, '/');
		int fd = bpf_program__fd(p);

		if (fd >= 0 && h && !strcmp(h + 1, hook)) {
			*name = bpf_program__name(p);
			return fd;
		}
	}
	return -1;
}

static void prog_stats(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("bpf_prog_get_info_by_fd", errno);
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
}

static void ref_set_flags(__u32 flags)
{
	struct bg_config cfg;

	if (engine__get_config(b.e, &cfg))
		die("engine__get_config", errno);
	cfg.flags = (cfg.flags & ~(BG_CFG_COVERAGE | BG_CFG_EMIT_ALLOWED)) |
		    flags;
	if (engine__set_config(b.e, &cfg))
		die("engine__set_config", errno);
}

/* Attach the programs of variant @v alone. */
static void ref_variant(struct ref *rf, int v)
{
	static const __u32 flags[RV_MAX] = {
		[RV_COVERAGE] = BG_CFG_COVERAGE,
		[RV_ALLOWED] = BG_CFG_EMIT_ALLOWED,
	};

	if (v == RV_BARE) {
		set_variant(V_NONE);
		if (bare_bpf__attach(rf->bare))
			die("bare_bpf__attach", errno);
		return;
	}
	bare_bpf__detach(rf->bare);
	set_variant(V_ENFORCE);
	ref_set_flags(flags[v]);
	/* a new inner map either way: the block's warm-up call searches */
	if (rv_digests[v] ? engine__install(b.e, rf->recs[v], rf->nrecs[v],
					    rf->gen++) :
			    install_own(rf->gen++))
		die("engine__install", EINVAL);
	/* the inner map swapped out (up to 38 MiB) is freed by a kernel
	 * worker (6.1: as soon as it is out; vfree, TLB flushes): let that
	 * happen before the block, not during its first hook */
	usleep(500 * 1000);
}

static void ref_work(int h, int n)
{
	int fd;

	if (h == RH_EXEC) {
		for (int i = 0; i < n; i++)
			time_run(wl[0].argv);
		return;
	}
	fd = open(h == RH_MODULE ? REF_MOD_KO : STATIC_BIN,
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(STATIC_BIN, errno);
	for (int i = 0; i < n; i++) {
		void *p;

		if (h == RH_MMAP_FORK) {
			int status;
			pid_t pid = fork();

			if (pid < 0)
				die("fork", errno);
			if (!pid)
				_exit(mmap(NULL, 4096, PROT_READ | PROT_EXEC,
					   MAP_PRIVATE, fd, 0) == MAP_FAILED);
			if (waitpid(pid, &status, 0) < 0 ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				die("mmap after fork " STATIC_BIN, ECHILD);
			continue;
		}
		if (h == RH_MODULE) {
			if (syscall(SYS_finit_module, fd, "", 0))
				die("finit_module " REF_MOD_KO, errno);
			if (syscall(SYS_delete_module, REF_MOD, O_NONBLOCK))
				die("delete_module " REF_MOD, errno);
			continue;
		}
		p = mmap(NULL, 4096, h == RH_MMAP ? PROT_READ | PROT_EXEC :
			 PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			die("mmap " STATIC_BIN, errno);
		if (h == RH_MPROTECT && mprotect(p, 4096, PROT_READ | PROT_EXEC))
			die("mprotect " STATIC_BIN, errno);
		munmap(p, 4096);
	}
	close(fd);
}

/* One block: variant @v on every hook; round @r < 0 is the warm-up. */
static void ref_block(struct ref *rf, int v, int r)
{
	__u64 c0[BG_CNT_MAX], c1[BG_CNT_MAX];

	ref_variant(rf, v);
	if (v != RV_BARE)
		engine__counters(b.e, c0);
	for (int h = 0; h < RH_MAX; h++) {
		__u64 ns0, n0, ns1, n1;

		if (rf->fd[v][h] < 0 || !rf->n[h])
			continue;
		ref_work(h, 1);		/* per-block warm-up */
		prog_stats(rf->fd[v][h], &ns0, &n0);
		ref_work(h, rf->n[h]);
		prog_stats(rf->fd[v][h], &ns1, &n1);
		if (v == RV_ALLOWED)
			engine__poll(b.e, 0);	/* the events: dropped */
		if (r < 0 || n1 == n0)
			continue;
		rf->ns[v][h] += ns1 - ns0;
		rf->cnt[v][h] += n1 - n0;
		rf->round[v][h][r] = (double)(ns1 - ns0) / (n1 - n0);
	}
	if (v != RV_BARE && r >= 0) {
		engine__counters(b.e, c1);
		rf->hashed[v] += c1[BG_CNT_HASHES] - c0[BG_CNT_HASHES];
		rf->cached[v] += c1[BG_CNT_CACHE_HITS] - c0[BG_CNT_CACHE_HITS];
	}
}

static void ref_print(struct ref *rf, int rounds)
{
	for (int h = 0; h < RH_MAX; h++)
		for (int v = 0; v < RV_MAX; v++) {
			double rr[REF_MAX_ROUNDS], ns, bare;

			if (!rf->cnt[v][h] || !rf->cnt[RV_BARE][h])
				continue;
			ns = (double)rf->ns[v][h] / rf->cnt[v][h];
			bare = (double)rf->ns[RV_BARE][h] / rf->cnt[RV_BARE][h];
			for (int r = 0; r < rounds; r++)
				rr[r] = rf->round[v][h][r] /
					rf->round[RV_BARE][h][r];
			/* the median round: one preempted call (TCG on a
			 * shared host) can make a block's total */
			printf("BENCH\tref\t%s\t%s\t%s\t%llu\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\n",
			       rh_name[h], rv_name[v], rf->prog[v][h],
			       (unsigned long long)rf->cnt[v][h], ns, ns / bare,
			       quant(rr, rounds, 0.0), quant(rr, rounds, 1.0),
			       quant(rr, rounds, 0.5));
		}
	for (int v = RV_ENFORCE; v < RV_MAX; v++)
		printf("BENCH\trefhashes\t%s\t%llu\t%llu\n", rv_name[v],
		       (unsigned long long)rf->hashed[v],
		       (unsigned long long)rf->cached[v]);
	fflush(stdout);
}

static void bench_ref(void)
{
	static struct ref rf;
	int rounds = b.rounds < 5 ? 2 : 5;

	rf.bare = bare_bpf__open_and_load();
	if (!rf.bare)
		die("bare_bpf__open_and_load", errno);
	rf.gen = 50;
	for (int v = 0; v < RV_MAX; v++)
		if (rv_digests[v])
			rf.recs[v] = big_policy(rv_digests[v], &rf.nrecs[v]);
	for (int h = 0; h < RH_MAX; h++) {
		rf.fd[RV_BARE][h] = ref_prog(rf.bare->obj, rh_hook[h],
					     &rf.prog[RV_BARE][h]);
		for (int v = RV_ENFORCE; v < RV_MAX; v++)
			rf.fd[v][h] = ref_prog(b.e->skel->obj, rh_hook[h],
					       &rf.prog[v][h]);
	}
	rf.n[RH_EXEC] = b.rounds < 5 ? 4 : 12;
	rf.n[RH_MMAP] = b.rounds < 5 ? 50 : 200;
	rf.n[RH_MPROTECT] = rf.n[RH_MMAP];
	rf.n[RH_MODULE] = !b.have_mod ? 0 : b.rounds < 5 ? 3 : 10;
	rf.n[RH_MMAP_FORK] = rf.n[RH_EXEC];
	if (engine__set_mode(b.e, BG_CLASS_MODULE, BG_MODE_ENFORCE))
		die("engine__set_mode", errno);
	for (int r = -1; r < rounds; r++)
		for (int v = 0; v < RV_MAX; v++)
			ref_block(&rf, r & 1 ? RV_MAX - 1 - v : v, r);
	bare_bpf__detach(rf.bare);
	ref_set_flags(0);
	if (engine__set_mode(b.e, BG_CLASS_MODULE, BG_MODE_OFF))
		die("engine__set_mode", errno);
	ref_print(&rf, rounds);
	bare_bpf__destroy(rf.bare);	/* names printed: still its own */
	for (int v = 0; v < RV_MAX; v++)
		free(rf.recs[v]);
	if (install_own(rf.gen))
		die("engine__install", EINVAL);
}

/* --- 2. first exec (uncached) vs sha256sum -------------------------------- */

static void invalidate(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);	/* bumps the cache stamp */

	if (fd < 0)
		die(path, errno);
	close(fd);
}

static void bench_first(void)
{
	static const int reps[NBIG] = { 9, 5, 3 };
	struct pstat a[16], z[16], acc[16];
	int np = 0;

	for (int i = 0; i < NBIG; i++) {
		int n = b.rounds < 5 ? 1 : reps[i];
		double first[16], cached[16], none[16], sum[16], rat[16];
		char path[64], phase[32];
		char *argv[] = { path, "true", NULL };
		char *sargv[] = { "/usr/bin/sha256sum", path, NULL };

		big_path(path, sizeof(path), i);
		set_variant(V_ENFORCE);
		time_run(argv);
		memset(acc, 0, sizeof(acc));
		for (int r = 0; r < n; r++) {
			/* alternate the order of the baseline pair */
			if (r & 1) {
				set_variant(V_NONE);
				sum[r] = time_run(sargv);
				none[r] = time_run(argv);
				set_variant(V_ENFORCE);
			}
			invalidate(path);
			np = snap(a, 16);
			first[r] = time_run(argv);
			snap(z, 16);
			for (int k = 0; k < np; k++) {
				memcpy(acc[k].name, z[k].name, sizeof(acc[k].name));
				acc[k].ns += z[k].ns - a[k].ns;
				acc[k].cnt += z[k].cnt - a[k].cnt;
			}
			cached[r] = time_run(argv);
			if (!(r & 1)) {
				set_variant(V_NONE);
				none[r] = time_run(argv);
				sum[r] = time_run(sargv);
				set_variant(V_ENFORCE);
			}
			rat[r] = first[r] / sum[r];
		}
		snprintf(phase, sizeof(phase), "first-%ldM", big_sizes[i] >> 20);
		memset(a, 0, sizeof(a));
		print_hooks(phase, a, acc, np);	/* the uncached execs only */
		printf("BENCH\tfirst\t%ld\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\n",
		       big_sizes[i] >> 20, n, quant(first, n, 0.5),
		       quant(cached, n, 0.5), quant(none, n, 0.5),
		       quant(sum, n, 0.5), quant(rat, n, 0.5), quant(rat, n, 0.0),
		       quant(rat, n, 1.0));
		fflush(stdout);
	}
}

/* --- 4. policy install time and memory ----------------------------------- */

static long inner_memlock(void)
{
	char path[64], line[128];
	__u32 zero = 0, id;
	long memlock = -1;
	FILE *f;
	int fd;

	if (bpf_map__lookup_elem(b.e->skel->maps.bg_policy, &zero, sizeof(zero),
				 &id, sizeof(id), 0))
		return -1;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "memlock: %ld", &memlock);
	if (f)
		fclose(f);
	close(fd);
	return memlock;
}

/*
 * @n policy records, sorted: pseudo-random digests, the bench's own files
 * (which stay allowed) among them.
 */
static struct bg_policy_rec *big_policy(__u32 n, __u32 *nr)
{
	struct bg_policy_rec *r = calloc(n, sizeof(*r));
	__u64 x = 0x9e3779b97f4a7c15ULL;
	__u32 k = 0;

	if (!r)
		die("calloc", ENOMEM);
	for (__u32 i = 0; i < n; i++) {
		for (int j = 0; j < 32; j += 8) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			memcpy(r[i].digest + j, &x, 8);
		}
		r[i].comp = i;
		r[i].flags = BG_ENTRY_ALLOW;
	}
	for (int i = 0; i < b.ndg && i < (int)n; i++)
		memcpy(r[i].digest, b.dg[i], 32);
	qsort(r, n, sizeof(*r), cmp_rec);
	for (__u32 i = 0; i < n; i++)	/* copies with the same content */
		if (!k || memcmp(r[k - 1].digest, r[i].digest, 32))
			r[k++] = r[i];
	*nr = k;
	return r;
}

static void bench_install(void)
{
	static const __u32 sizes[] = { 10000, 100000, 1000000 };
	__u64 gen = 100;

	for (int s = 0; s < 3; s++) {
		__u32 n = sizes[s], nr;	/* n: the row's name */
		struct bg_policy_rec *r = big_policy(n, &nr);
		double t[5];
		int reps = 5;
		long mem;

		for (int i = 0; i < reps; i++) {
			double t0 = now_us();
			int ret = engine__install(b.e, r, nr, gen++);

			if (ret)
				die("engine__install", ret);
			t[i] = (now_us() - t0) / 1e3;
		}
		mem = inner_memlock();
		printf("BENCH\tinstall\t%u\t%d\t%.1f\t%.1f\t%.1f\t%ld\n", n, reps,
		       quant(t, reps, 0.5), quant(t, reps, 0.0),
		       quant(t, reps, 1.0), mem);
		fflush(stdout);
		free(r);
	}
	/* cached decisions against the 1M-digest policy */
	bench_hooks("enforce-1M-policy", V_ENFORCE, b.per_round * 3);
}

/*
 * Parameters from scripts/bench.sh, which the guest cannot pass in the
 * environment: $BOMGATE_BUILD/bench/params, words "quick" (a smoke run)
 * and "only=exec,first" (sections to run).
 */
static void read_params(int *quick)
{
	static char buf[256];
	const char *build = getenv("BOMGATE_BUILD");
	char path[PATH_MAX], *p;
	FILE *f;

	*quick = 0;
	if (!build)
		return;
	snprintf(path, sizeof(path), "%s/bench/params", build);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	*quick = strstr(buf, "quick") != NULL;
	p = strstr(buf, "only=");
	if (p) {
		b.only = p + 5;
		p[5 + strcspn(p + 5, " ")] = 0;
	}
	printf("# params: %s\n", buf);
}

int main(int argc, char **argv)
{
	struct utsname u;
	int stats_fd, quick;

	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	read_params(&quick);
	b.rounds = quick ? 2 : 6;
	b.per_round = quick ? 3 : 6;
	printf("BENCH\tinfo\tkernel\t%s\n", u.release);
	printf("BENCH\tinfo\trounds\t%d\t%d\n", b.rounds, b.per_round);
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t_start = ts.tv_sec + ts.tv_nsec / 1e9;
		printf("# boot to bench: %.1f s\n", t_start);
	}
	setup();
	progress("setup done");
	diag();
	if (!b.only || strstr(b.only, "exec"))
		bench_exec();
	progress("exec done");

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		die("bpf_enable_stats", errno);
	bench_hooks("enforce", V_ENFORCE, b.per_round * 3);
	bench_hooks("audit", V_AUDIT, b.per_round * 3);
	set_coverage(1);
	bench_hooks("enforce+coverage", V_ENFORCE, b.per_round * 3);
	bench_hooks("audit+coverage", V_AUDIT, b.per_round * 3);
	set_coverage(0);
	progress("hooks done");
	if (!b.only || strstr(b.only, "ref"))
		bench_ref();
	progress("ref done");
	if (!b.only || strstr(b.only, "first"))
		bench_first();
	progress("first exec done");
	if (!b.only || strstr(b.only, "install"))
		bench_install();
	progress("install done");
	close(stats_fd);
	if (!b.only || strstr(b.only, "storm"))
		bench_storm();
	progress("storm done");
	if (!b.only || strstr(b.only, "build"))
		bench_build();
	progress("build done");
	set_variant(V_NONE);

	engine__destroy(b.e);
	printf("BENCH\tdone\n");
	return 0;
}
