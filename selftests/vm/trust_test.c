// SPDX-License-Identifier: GPL-2.0
/*
 * trust-apt on a real kernel: bomgated stages the packages of a signed
 * repository that apt's hook names, in its own (sandboxed) process, and
 * the kernel lets exactly their files run. The repositories are made in
 * the guest with Debian's tools (selftests/system/mkrepo.sh: dpkg-deb,
 * apt-ftparchive, gpg), laid out as apt's lists directory; the hook is
 * fed apt's Pre-Install-Pkgs protocol 3 as apt writes it. Gated with
 * --scope-cgroup: only the programs run in this test's cgroup are judged
 * (exec class enforced). The booted-system test (selftests/system) does
 * the same with apt and dpkg themselves.
 */
#include <signal.h>
#include "kselftest_harness.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgtrust"
#define PIN	"/sys/fs/bpf/bgtrust-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"
#define APTD	D "/apt"
#define LISTS	D "/lists"
#define REPO_L	LISTS "/_srv_repo_dists_stable"
#define OTHER_L	LISTS "/_srv_other_dists_stable"
#define STATUS	D "/status"

#include "daemontest.h"

/* The daemon, with trust-apt's inputs in the test's folder. */
#define TRUST_OPTS "--state-dir " D "/state --apt-lists " LISTS \
		   " --dpkg-status " STATUS

/* What the lock-out guard needs listed: the daemon and the system's
 * tools it names. */
static int write_sbom(const char *path)
{
	char p[1024], line[1200], hex[65];
	unsigned char dg[32];
	FILE *f, *g;
	int n = 0;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[", f);
	snprintf(p, sizeof(p), "%s/bomgated --guard-list", tu_build());
	g = popen(p, "r");
	while (g && fgets(line, sizeof(line), g)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) <= 66 || vm_sha256_file(line + 66, dg))
			continue;
		for (int i = 0; i < 32; i++)
			sprintf(hex + 2 * i, "%02x", dg[i]);
		fprintf(f, "%s{\"type\":\"file\",\"name\":\"f%d\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}",
			n ? "," : "", n, hex);
		n++;
	}
	if (g)
		pclose(g);
	fputs("]}\n", f);
	return fclose(f) ? -errno : 0;
}

/* The repositories, apt's lists of them, the programs unpacked, the
 * signed policy (exec enforced, the test key trusted). */
static int make_all(void)
{
	char b[4096];

	if (!realpath(tu_build(), b))
		return -errno;
	if (!access(D "/trust.bgp.sig", F_OK))
		return 0;
	mkdir(D, 0755);
	if (write_sbom(D "/sbom.json"))
		return -1;
	return sh("set -e; cd " D "; sh %s/selftests/vm/mkrepo.sh " APTD " > mkrepo.log 2>&1 || { tail -n 20 mkrepo.log; exit 1; }; "
		  "mkdir -p " LISTS " state x; "
		  "cp " APTD "/repo/dists/stable/InRelease " REPO_L "_InRelease; "
		  "cp " APTD "/repo/dists/stable/main/binary-amd64/Packages " REPO_L "_main_binary-amd64_Packages; "
		  "cp " APTD "/other/dists/stable/InRelease " OTHER_L "_InRelease; "
		  "cp " APTD "/other/dists/stable/main/binary-amd64/Packages " OTHER_L "_main_binary-amd64_Packages; "
		  "for d in " APTD "/repo/pool/*.deb " APTD "/other/pool/*.deb " APTD "/local/*.deb " APTD "/evil/*.deb; do "
		  "  n=$(basename $d .deb); dpkg-deb -x $d x/$n; done; "
		  "printf 'version 1\\nmode exec enforce\\nsbom sbom.json\\ntrust-apt " APTD "/key.asc origin=bomgate-test\\n' > p.policy; "
		  "%s/bomgate key generate --bits 2048 -o k.pem -c c.pem -s CN=bgtest > /dev/null 2>&1; "
		  "%s/bomgate compile -s p.policy -o trust.bgp > /dev/null 2>&1; "
		  "%s/bomgate sign -k k.pem -c c.pem trust.bgp 2>&1",
		  b, b, b, b);
}

/* apt's Pre-Install-Pkgs stream (protocol 3) for @deb, to the hook. */
static int hook(const char *deb)
{
	return sh("printf 'VERSION 3\\nAPT::Architecture=amd64\\n\\n"
		  "pkg - - none < 1 amd64 same %s\\n' | %s/bomgate apt hook --socket " SOCK " 2>&1",
		  deb, tu_build());
}

static int hook_post(void)
{
	return sh("%s/bomgate apt hook --post --socket " SOCK " 2>&1 </dev/null",
		  tu_build());
}

static void dpkg_has(const char *name, const char *version)
{
	char s[256];

	snprintf(s, sizeof(s), "Package: %s\nStatus: install ok installed\nVersion: %s\n\n",
		 name, version);
	tu_put(D, "status", s);
}

/* Run @pkg's program in @cg (judged there): RAN_OK + its exit status
 * (its library from the unpacked package), or the errno of a refusal. */
static int run_in(const char *cg, const char *pkg, const char *prog)
{
	char path[512], lib[512], procs[300];
	int status, p[2], err = 0;
	pid_t pid;

	snprintf(path, sizeof(path), D "/x/%s/usr/bin/%s", pkg, prog);
	snprintf(lib, sizeof(lib), D "/x/%s/usr/lib/%s", pkg, prog);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (!pid) {
		char *argv[] = { path, NULL };
		char env[600];
		char *envp[] = { env, NULL };

		snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s", lib);
		if (vm_write_file(procs, "0"))
			_exit(125);
		execve(path, argv, envp);
		err = errno;
		_exit(write(p[1], &err, sizeof(err)) == sizeof(err) ? 126 : 127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	if (err)
		return err;
	return WIFEXITED(status) ? RAN_OK + WEXITSTATUS(status) : -1;
}

FIXTURE(trust) {
	pid_t pid;
	char cg[256];
	const char *missing;	/* a tool this guest's root lacks */
};

FIXTURE_SETUP(trust)
{
	static const char *const tools[] = {
		"/usr/bin/dpkg-deb", "/usr/bin/apt-ftparchive", "/usr/bin/gpg",
		"/usr/bin/gcc",
	};

	self->pid = -1;
	self->missing = NULL;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (access(tools[i], X_OK)) {
			/* the body checks it too: a skip here does not stop it */
			self->missing = tools[i];
			SKIP(return, "no %s in this guest's root (the amd64 guests share the build machine's)",
			     tools[i]);
		}
	ASSERT_EQ(0, make_all()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(EVENTS);
	unlink(LOG);
	snprintf(self->cg, sizeof(self->cg), "/sys/fs/cgroup/bgtrust.%d", getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	ASSERT_EQ(0, use_policy("trust"));
	/* nothing staged by an earlier run */
	unlink(D "/state/staged");
}

FIXTURE_TEARDOWN(trust)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	engine_pin_remove(PIN);
	if (!self->missing)
		rmdir(self->cg);
}

TEST_F_TIMEOUT(trust, staged_packages_run_others_do_not, 600)
{
	if (self->missing)
		SKIP(return, "no %s in this guest's root", self->missing);
	dpkg_has("bgdemo", "1.0");
	self->pid = start(self->cg, NULL, TRUST_OPTS);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	/* nothing staged yet: the package's program is denied */
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_1.0_amd64", "bgdemo"));

	/* 1. the hook hands it over: staged, it runs */
	EXPECT_EQ(0, hook(APTD "/repo/pool/bgdemo_1.0_amd64.deb"));
	EXPECT_NE(NULL, strstr(dt_out, "bomgate: trust-apt: 1 staged, 0 retired, 0 refused")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.0_amd64", "bgdemo")) TH_LOG("%s", file(LOG));
	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"packages\":1,")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "{\"package\":\"bgdemo\",\"version\":\"1.0\",\"architecture\":\"amd64\",\"repository\":\"bomgate-test stable\""))
		TH_LOG("%s", dt_out);

	/* 2. the upgrade: both while dpkg works, the old one retired after */
	EXPECT_EQ(0, hook(APTD "/repo/pool/bgdemo_1.1_amd64.deb"));
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.0_amd64", "bgdemo"));
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.1_amd64", "bgdemo"));
	dpkg_has("bgdemo", "1.1");
	EXPECT_EQ(0, hook_post());
	EXPECT_NE(NULL, strstr(dt_out, "0 staged, 1 retired")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_1.0_amd64", "bgdemo"));
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.1_amd64", "bgdemo"));

	/* 3. a local build of it: refused, said, denied */
	EXPECT_EQ(0, hook(APTD "/local/bgdemo_1.2_amd64.deb"));
	EXPECT_NE(NULL, strstr(dt_out, "bgdemo_1.2_amd64.deb is not trusted, its programs will be denied: "
			       "bgdemo 1.2 amd64 is in no Packages index signed by a trusted key")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_1.2_amd64", "bgdemo"));
	EXPECT_NE(NULL, strstr(file(EVENTS), "\"type\":\"package\",")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(EVENTS), "\"decision\":\"refused\",\"deb\":\"" APTD "/local/bgdemo_1.2_amd64.deb\",\"reason\":\"untrusted-package\""))
		TH_LOG("%s", dt_out);

	/* 4. a repository signed by another key */
	EXPECT_EQ(0, hook(APTD "/other/pool/bgother_1.0_amd64.deb"));
	EXPECT_NE(NULL, strstr(dt_out, "not by the pinned key")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(self->cg, "bgother_1.0_amd64", "bgother"));

	/* 5. root lists its own package in apt's copy of the index */
	EXPECT_EQ(0, sh("cp " REPO_L "_main_binary-amd64_Packages " D "/Packages.good && "
			"{ echo; dpkg-deb -f " APTD "/evil/bgdemo_9.9_amd64.deb; "
			"echo Filename: pool/bgdemo_9.9_amd64.deb; "
			"echo Size: $(stat -c %%s " APTD "/evil/bgdemo_9.9_amd64.deb); "
			"echo SHA256: $(sha256sum " APTD "/evil/bgdemo_9.9_amd64.deb | cut -d' ' -f1); "
			"} >> " REPO_L "_main_binary-amd64_Packages"));
	EXPECT_EQ(0, hook(APTD "/evil/bgdemo_9.9_amd64.deb"));
	EXPECT_NE(NULL, strstr(dt_out, "_Packages: SHA-256 ")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "does not match")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_9.9_amd64", "bgdemo"));
	/* what was staged before stays */
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.1_amd64", "bgdemo"));
	EXPECT_EQ(0, sh("cp " D "/Packages.good " REPO_L "_main_binary-amd64_Packages"));

	/* 6. kill -9 and a new daemon: staged again, verified again */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = start(self->cg, NULL, TRUST_OPTS);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(file(LOG), "trust-apt: bgdemo 1.1 staged again (verified again)")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(self->cg, "bgdemo_1.1_amd64", "bgdemo"));
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_1.0_amd64", "bgdemo"));
	/* a new start whose repository no longer verifies stages nothing */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	EXPECT_EQ(0, sh("cp " OTHER_L "_InRelease " REPO_L "_InRelease"));
	self->pid = start(self->cg, NULL, TRUST_OPTS);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(file(LOG), "staged before, gets nothing now")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(self->cg, "bgdemo_1.1_amd64", "bgdemo"));
	sh("cp " APTD "/repo/dists/stable/InRelease " REPO_L "_InRelease");
}

TEST_HARNESS_MAIN
