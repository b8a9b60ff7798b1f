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
 *   install  policy install time and map memory for 10k/100k/1M digests
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../selftests/vm/vmtest.h"
/* The skeleton itself: detach/attach for the no-bomgate baseline, program
 * fds for run-time statistics, the outer policy map for memory. */
#include "engine_priv.h"

#define DIR		"/tmp/bgb"
#define STATIC_BIN	DIR "/static/busybox"
#define DYN_SRC		"/usr/bin/curl"
#define DYN_BIN		DIR "/dyn/curl"
#define MAX_LIBS	96
#define MAX_DIGESTS	(MAX_LIBS + 8)

enum { V_NONE, V_ENFORCE, V_AUDIT, V_MAX };
static const char *const vname[V_MAX] = { "none", "enforce", "audit" };

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
	int ndg;
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

static void set_variant(int v)
{
	char err[256];
	int mode = v == V_ENFORCE ? BG_MODE_ENFORCE : BG_MODE_AUDIT;
	int ret;

	if (v == V_NONE) {
		if (b.attached)
			bomgate_bpf__detach(b.e->skel);
		b.attached = 0;
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
	add_digest(copy);
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

/* Files the dynamic workload maps besides its ldd list (dlopen plugins). */
static char found[32][BG_PATH_LEN];
static int nfound;

static int on_discover(void *ctx, const struct bg_event *ev)
{
	if (ev->decision != BG_DEC_WOULD_DENY || ev->path[0] != '/' ||
	    !strncmp(ev->path, DIR "/", strlen(DIR "/")) || nfound == 32)
		return 0;
	for (int i = 0; i < nfound; i++)
		if (!strcmp(found[i], ev->path))
			return 0;
	memcpy(found[nfound++], ev->path, BG_PATH_LEN);
	return 0;
}

static int install_own(__u64 gen);

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
	if (vm_copy("/bin/busybox", STATIC_BIN, NULL) ||
	    vm_copy(DYN_SRC, DYN_BIN, NULL))
		die("copy binaries", errno);
	add_digest(STATIC_BIN);
	add_digest(DYN_BIN);
	setup_libs();
	progress("libraries");
	setup_big();

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
	printf("BENCH\tinfo\tpolicy_digests\t%d\n", b.ndg);
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
	double rmed[V_MAX];

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
		}
	}
	for (int w = 0; w < NWL; w++)
		for (int v = 0; v < V_MAX; v++) {
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

static void bench_install(void)
{
	static const __u32 sizes[] = { 10000, 100000, 1000000 };
	__u64 x = 0x9e3779b97f4a7c15ULL, gen = 100;

	for (int s = 0; s < 3; s++) {
		__u32 n = sizes[s];
		struct bg_policy_rec *r = calloc(n, sizeof(*r));
		double t[5];
		int reps = 5;
		long mem;

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
		/* the bench's own files stay allowed */
		for (int i = 0; i < b.ndg && i < (int)n; i++)
			memcpy(r[i].digest, b.dg[i], 32);
		qsort(r, n, sizeof(*r), cmp_rec);
		for (int i = 0; i < reps; i++) {
			double t0 = now_us();
			int ret = engine__install(b.e, r, n, gen++);

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
	progress("hooks done");
	if (!b.only || strstr(b.only, "first"))
		bench_first();
	progress("first exec done");
	if (!b.only || strstr(b.only, "install"))
		bench_install();
	progress("install done");
	close(stats_fd);

	engine__destroy(b.e);
	printf("BENCH\tdone\n");
	return 0;
}
