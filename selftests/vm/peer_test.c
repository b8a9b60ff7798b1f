// SPDX-License-Identifier: GPL-2.0
/*
 * Peer check: the same allowlist given to bomgate (the engine, scoped to
 * this test's cgroup) and to fapolicyd (Debian's package: a file trust list
 * with path, size and SHA-256, "integrity = sha256", deny-by-default
 * execution rules for PEER_DIR only, so that the rest of the guest keeps
 * working) must give the same exec verdict for every case below. Each side
 * runs alone (bomgate, then fapolicyd) so that each verdict is its own.
 *
 * Where the two differ by design, a test case asserts the difference:
 * - fapolicyd trusts a path (with its size and hash), bomgate a content:
 *   a listed binary copied elsewhere runs under bomgate only;
 * - fapolicyd decides when a file is opened (an execve's open, or a plain
 *   open for reading), bomgate when it is executed or mapped executable:
 *   an unlisted file opened for reading and mapped PROT_EXEC is stopped by
 *   bomgate only;
 * - fapolicyd fails open: once its daemon is gone the kernel allows every
 *   pending and later access; bomgate's pinned programs keep enforcing
 *   after the process that loaded them is killed.
 *
 * fapolicyd gates the whole guest it runs in: it is started only inside
 * the test VM (BOMGATE_IN_VM), in the foreground, as a child of the test,
 * and killed at the end. Never on the host.
 */
#include <signal.h>
#include <time.h>
#include "kselftest_harness.h"
#include "vmtest.h"
#include "engine_pin.h"

#define FAPOLICYD	"/usr/sbin/fapolicyd"
#define FA_ETC		"/etc/fapolicyd"
#define FA_LOG		"/run/bgpeer-fapolicyd.log"
#define PIN		"/sys/fs/bpf/bgpeer"
#define PEER_DIR	"/tmp/bgpeer/"
#define D		"/tmp/bgpeer"
#define BB		"/bin/busybox"

/* busybox picks its applet from argv[0] unless it is called "busybox" */
#define ALLOWED		D "/allowed/busybox"
#define UNKNOWN		D "/unknown/busybox"
#define MODIFIED	D "/modified/busybox"
#define MOD_RAN		D "/modran/busybox"
#define COPY		D "/copy/busybox"
#define S_BADINTERP	D "/s-badinterp"
#define S_UNLISTED	D "/s-unlisted"
#define S_OK		D "/s-ok"
#define S_DATA		D "/s-data"

enum verdict { V_RUNS, V_DENIED, V_OTHER };
static const char *const vname[] = { "runs", "denied", "other" };

struct listed {
	const char *path;
	unsigned char dg[32];
	off_t size;
};

/* The allowlist, identical for both: digests for bomgate, path+size+digest
 * for fapolicyd. Filled by make_files(). */
static struct listed list[] = {
	{ .path = ALLOWED }, { .path = MODIFIED }, { .path = MOD_RAN },
	{ .path = S_BADINTERP }, { .path = S_OK },
};
#define NLIST ((int)(sizeof(list) / sizeof(list[0])))

struct peer_case {
	const char *name;
	const char *argv[4];
	enum verdict expect;
};

/* Exec verdicts both must give. Order matters: MOD_RAN runs first. */
static const struct peer_case cases[] = {
	{ "listed binary", { ALLOWED, "true" }, V_RUNS },
	{ "unknown binary", { UNKNOWN, "true" }, V_DENIED },
	{ "listed, then modified (same size)", { MODIFIED, "true" }, V_DENIED },
	{ "listed, ran, then modified (same size)", { MOD_RAN, "true" },
	  V_DENIED },
	{ "listed #! script, unknown interpreter", { S_BADINTERP }, V_DENIED },
	{ "unknown #! script, listed interpreter", { S_UNLISTED }, V_DENIED },
	{ "listed #! script, listed interpreter", { S_OK }, V_RUNS },
	/* shared limit: a script read as data by an allowed interpreter */
	{ "listed interpreter reading an unknown script",
	  { ALLOWED, "sh", S_DATA }, V_RUNS },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static int write_str(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* Overwrite the last byte: same size, different content. */
static int flip_last_byte(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	struct stat st;
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || pwrite(fd, "B", 1, st.st_size - 1) != 1)
		ret = -EIO;
	close(fd);
	return ret;
}

/* A fresh tree for one side; list[] gets the digests taken "at listing". */
static int make_files(void)
{
	static const char *const dirs[] = { "allowed", "unknown", "modified",
					    "modran", "copy" };
	char p[64];
	int ret = 0;

	if (system("rm -rf " D) < 0 || mkdir(D, 0755))
		return -errno;
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), D "/%s", dirs[i]);
		if (mkdir(p, 0755))
			return -errno;
	}
	ret = ret ?: vm_copy(BB, ALLOWED, NULL);
	ret = ret ?: vm_copy(BB, UNKNOWN, "\n");
	ret = ret ?: vm_copy(BB, MODIFIED, "A");
	ret = ret ?: vm_copy(BB, MOD_RAN, "C");
	ret = ret ?: vm_copy(BB, COPY, NULL);
	ret = ret ?: write_str(S_BADINTERP, "#!" UNKNOWN " sh\nexit 0\n", 0755);
	ret = ret ?: write_str(S_UNLISTED, "#!" ALLOWED " sh\nexit 0\n", 0755);
	ret = ret ?: write_str(S_OK, "#!" ALLOWED " sh\n# ok\nexit 0\n", 0755);
	ret = ret ?: write_str(S_DATA, "exit 0\n", 0644);
	for (int i = 0; !ret && i < NLIST; i++) {
		struct stat st;

		ret = vm_sha256_file(list[i].path, list[i].dg);
		if (!ret && stat(list[i].path, &st))
			ret = -errno;
		list[i].size = st.st_size;
	}
	/* after listing */
	return ret ?: flip_last_byte(MODIFIED);
}

static enum verdict run(const char *const argv[])
{
	int status = -1, err;

	err = vm_run((char *const *)argv, &status);
	if (err)
		return err == EPERM ? V_DENIED : V_OTHER;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? V_RUNS : V_OTHER;
}

/* Run every case in order; the one that needs it is modified after a run. */
static void run_cases(enum verdict *v)
{
	for (int i = 0; i < NCASES; i++) {
		if (!strcmp(cases[i].argv[0], MOD_RAN)) {
			const char *argv[] = { MOD_RAN, "true", NULL };

			run(argv);	/* the listed content, once */
			flip_last_byte(MOD_RAN);
		}
		v[i] = run(cases[i].argv);
	}
}

/* Map the first page of @path executable after opening it for reading:
 * 0 or the errno of the open or mmap, in a child (nothing stays mapped). */
static int map_exec(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (!pid) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			_exit(errno);
		if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
			 0) == MAP_FAILED)
			_exit(errno);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- bomgate side -------------------------------------------------------- */

static int bg_install(struct engine *e)
{
	unsigned char dg[NLIST][32];
	__u32 fl[NLIST];

	for (int i = 0; i < NLIST; i++) {
		memcpy(dg[i], list[i].dg, 32);
		fl[i] = BG_ENTRY_ALLOW;
	}
	return vm_install(e, dg, fl, NLIST, 1);
}

/* --- fapolicyd side ------------------------------------------------------ */

static int fa_configure(void)
{
	char line[512], hex[65];
	FILE *f;
	int ret;

	ret = write_str(FA_ETC "/fapolicyd.conf",
		"permissive = 0\n"
		"nice_val = 0\n"
		"q_size = 640\n"
		"uid = fapolicyd\n"
		"gid = fapolicyd\n"
		"do_stat_report = 0\n"
		"detailed_report = 0\n"
		"db_max_size = 50\n"
		"subj_cache_size = 1549\n"
		"obj_cache_size = 8191\n"
		/* the guest's /tmp (and /run/lock): not the overlay root */
		"watch_fs = tmpfs\n"
		"trust = file\n"
		"integrity = sha256\n"
		"syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust\n"
		"rpm_sha256_only = 0\n"
		"allow_filesystem_mark = 0\n", 0644);
	/* deny-by-default execution, for the test's files only */
	ret = ret ?: write_str(FA_ETC "/compiled.rules",
		"allow perm=execute all : dir=" PEER_DIR " trust=1\n"
		"deny perm=execute all : dir=" PEER_DIR "\n"
		"allow perm=any all : all\n", 0644);
	ret = ret ?: write_str(FA_ETC "/trust.d/fapolicyd.trust", "", 0644);
	if (ret)
		return ret;
	unlink(FA_ETC "/rules.d/90-deny-execute.rules");
	/* a fresh trust database, rebuilt from the file backend */
	if (system("rm -f /var/lib/fapolicyd/*.mdb; mkdir -p /run/fapolicyd;"
		   "chown root:fapolicyd /run/fapolicyd;"
		   "chmod 0770 /run/fapolicyd") < 0)
		return -errno;
	f = fopen(FA_ETC "/fapolicyd.trust.tmp", "w");
	if (!f)
		return -errno;
	for (int i = 0; i < NLIST; i++) {
		for (int j = 0; j < 32; j++)
			sprintf(hex + 2 * j, "%02x", list[i].dg[j]);
		snprintf(line, sizeof(line), "%s %lld %s\n", list[i].path,
			 (long long)list[i].size, hex);
		fputs(line, f);
	}
	if (fclose(f))
		return -errno;
	return rename(FA_ETC "/fapolicyd.trust.tmp",
		      FA_ETC "/fapolicyd.trust") ? -errno : 0;
}

static int log_has(const char *needle)
{
	char buf[16384];
	int fd = open(FA_LOG, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

/* Start fapolicyd in the foreground (denials on stderr); its pid once it
 * listens, or -errno. */
static pid_t fa_start(void)
{
	pid_t pid;

	unlink(FA_LOG);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open(FA_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		/* out of the test cgroup: bomgate must not judge fapolicyd */
		vm_write_file("/sys/fs/cgroup/cgroup.procs", "0");
		execl(FAPOLICYD, FAPOLICYD, "--debug-deny", NULL);
		_exit(127);
	}
	for (int i = 0; i < 1200; i++) {	/* 120 s: TCG is slow */
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (log_has("Starting to listen for events"))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -ECHILD;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

static void fa_stop(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	kill(pid, sig);
	waitpid(pid, NULL, 0);
}

static void print_log(struct __test_metadata *_metadata)
{
	char buf[4096];
	int fd = open(FA_LOG, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		TH_LOG("fapolicyd: %s", buf);
	}
}

FIXTURE(peer) {
	char cg[256];
	struct engine *e;
	pid_t fa, holder;
	char err[256];
};

FIXTURE_SETUP(peer)
{
	self->fa = -1;
	self->holder = -1;
	if (!getenv("BOMGATE_IN_VM"))
		SKIP(return, "fapolicyd gates the whole machine: VM only");
	if (access(FAPOLICYD, X_OK))
		SKIP(return, "%s: %s (make deps installs Debian's fapolicyd)",
		     FAPOLICYD, strerror(errno));
	engine_pin_remove(PIN);
	ASSERT_EQ(0, make_files());
}

FIXTURE_TEARDOWN(peer)
{
	fa_stop(self->fa, SIGTERM);
	if (self->holder > 0) {
		kill(self->holder, SIGKILL);
		waitpid(self->holder, NULL, 0);
	}
	engine_pin_remove(PIN);	/* nothing holds the links: detached */
	engine__destroy(self->e);
	if (self->cg[0])
		vm_cgroup_leave(self->cg);
}

/* Load bomgate scoped to our cgroup, enforce exec (and mmap if asked). */
static int bg_start(FIXTURE_DATA(peer) *self, int mmap_too)
{
	struct engine_opts o = {};
	int ret;

	ret = vm_engine_start(self->cg, sizeof(self->cg), &o, NULL, &self->e,
			      self->err, sizeof(self->err));
	ret = ret ?: bg_install(self->e);
	ret = ret ?: engine__set_mode(self->e, BG_CLASS_EXEC, BG_MODE_ENFORCE);
	if (!ret && mmap_too)
		ret = engine__set_mode(self->e, BG_CLASS_MMAP, BG_MODE_ENFORCE);
	return ret;
}

static void bg_stop(FIXTURE_DATA(peer) *self)
{
	engine__destroy(self->e);
	self->e = NULL;
	vm_cgroup_leave(self->cg);
	self->cg[0] = 0;
}

TEST_F_TIMEOUT(peer, same_exec_verdicts, 280)
{
	enum verdict bg[NCASES], fa[NCASES];

	/* bomgate alone */
	ASSERT_EQ(0, bg_start(self, 0)) TH_LOG("%s", self->err);
	run_cases(bg);
	bg_stop(self);

	/* fapolicyd alone, on a fresh copy of the same files */
	ASSERT_EQ(0, make_files());
	ASSERT_EQ(0, fa_configure());
	self->fa = fa_start();
	ASSERT_LT(0, self->fa) {
		print_log(_metadata);
		TH_LOG("fapolicyd did not start: %s", strerror(-self->fa));
	}
	run_cases(fa);
	fa_stop(self->fa, SIGTERM);
	self->fa = -1;

	for (int i = 0; i < NCASES; i++) {
		TH_LOG("%-46s expected %-6s bomgate %-6s fapolicyd %s",
		       cases[i].name, vname[cases[i].expect], vname[bg[i]],
		       vname[fa[i]]);
		EXPECT_EQ(cases[i].expect, bg[i]) TH_LOG("bomgate: %s",
							  cases[i].name);
		EXPECT_EQ(cases[i].expect, fa[i]) TH_LOG("fapolicyd: %s",
							  cases[i].name);
	}
	/* fapolicyd's denials are its own (its log names each one) */
	EXPECT_TRUE(log_has("dec=deny perm=execute")) print_log(_metadata);
	EXPECT_TRUE(log_has("path=" UNKNOWN)) print_log(_metadata);
	EXPECT_FALSE(log_has("path=" ALLOWED " ")) print_log(_metadata);
}

/* Difference 1: fapolicyd trusts a path, bomgate a content. */
TEST_F_TIMEOUT(peer, difference_copy_of_listed_binary_elsewhere, 240)
{
	const char *argv[] = { COPY, "true", NULL };

	ASSERT_EQ(0, bg_start(self, 0)) TH_LOG("%s", self->err);
	EXPECT_EQ(V_RUNS, run(argv));
	bg_stop(self);

	ASSERT_EQ(0, fa_configure());
	self->fa = fa_start();
	ASSERT_LT(0, self->fa) print_log(_metadata);
	EXPECT_EQ(V_DENIED, run(argv));
	EXPECT_TRUE(log_has("path=" COPY)) print_log(_metadata);
}

/*
 * Difference 2: fapolicyd decides on open, bomgate on exec and executable
 * mappings. An unknown file opened for reading and mapped PROT_EXEC: an
 * open for reading is all fapolicyd sees, and its execution rules do not
 * cover it; bomgate's mmap_file hook denies the mapping.
 */
TEST_F_TIMEOUT(peer, difference_exec_mapping_of_unknown_file, 240)
{
	ASSERT_EQ(0, bg_start(self, 1)) TH_LOG("%s", self->err);
	EXPECT_EQ(EPERM, map_exec(UNKNOWN));
	EXPECT_EQ(0, map_exec(ALLOWED));
	bg_stop(self);

	ASSERT_EQ(0, fa_configure());
	self->fa = fa_start();
	ASSERT_LT(0, self->fa) print_log(_metadata);
	EXPECT_EQ(0, map_exec(UNKNOWN));
	{
		const char *argv[] = { UNKNOWN, "true", NULL };

		EXPECT_EQ(V_DENIED, run(argv));	/* its exec still is */
	}
}

/*
 * Difference 3: fapolicyd fails open. Once its daemon is killed the kernel
 * answers "allow" for it; bomgate's links pinned in bpffs keep the policy in
 * force after the process that loaded them is killed (what bomgated does).
 */
TEST_F_TIMEOUT(peer, difference_daemon_killed, 240)
{
	const char *argv[] = { UNKNOWN, "true", NULL };
	int pfd[2];
	char c;

	ASSERT_EQ(0, vm_cgroup_enter(self->cg, sizeof(self->cg),
				     &(__u64){ 0 }));
	ASSERT_EQ(0, pipe(pfd));
	self->holder = fork();
	ASSERT_LE(0, self->holder);
	if (!self->holder) {
		struct engine_opts o = {};
		struct stat st;
		int resumed, ret;

		stat(self->cg, &st);
		o.scope_cgroup = st.st_ino;
		self->e = engine__open_pinned(&o, PIN, &resumed, self->err,
					      sizeof(self->err));
		ret = self->e ? 0 : -EIO;
		ret = ret ?: engine__attach(self->e, self->err, sizeof(self->err));
		ret = ret ?: engine__pin_links(self->e, PIN, self->err,
					       sizeof(self->err));
		ret = ret ?: bg_install(self->e);
		ret = ret ?: engine__set_mode(self->e, BG_CLASS_EXEC,
					      BG_MODE_ENFORCE);
		c = ret ? 'E' : 'R';
		if (write(pfd[1], &c, 1) != 1 || ret)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	ASSERT_EQ('R', c);
	EXPECT_EQ(V_DENIED, run(argv));
	kill(self->holder, SIGKILL);
	waitpid(self->holder, NULL, 0);
	self->holder = -1;
	EXPECT_EQ(V_DENIED, run(argv));	/* bomgate: still enforced */
	EXPECT_LT(0, engine_pin_count(PIN));
	engine_pin_remove(PIN);
	/* unpinned, nothing holds it: detached (6.12 releases the link a
	 * moment later, after an RCU grace period) */
	for (int i = 0; i < 150 && run(argv) != V_RUNS; i++)
		usleep(100 * 1000);
	EXPECT_EQ(V_RUNS, run(argv));
	vm_cgroup_leave(self->cg);
	self->cg[0] = 0;

	ASSERT_EQ(0, fa_configure());
	self->fa = fa_start();
	ASSERT_LT(0, self->fa) print_log(_metadata);
	EXPECT_EQ(V_DENIED, run(argv));
	fa_stop(self->fa, SIGKILL);
	self->fa = -1;
	EXPECT_EQ(V_RUNS, run(argv));	/* fapolicyd: fails open */
}

TEST_HARNESS_MAIN
