// SPDX-License-Identifier: GPL-2.0
/*
 * bomgated end to end, on a real kernel, with real signed policies made by
 * build/bomgate from a CycloneDX SBOM of the test's own binaries: audit
 * then enforce; tampered, wrongly signed and rolled-back policies refused
 * while the old one stays enforced; kill -9 keeps enforcement and a
 * restart resumes it; malformed control requests; the lock-out guard; a
 * syscall outside the seccomp allowlist kills the daemon, not enforcement.
 * Scoped with --scope-cgroup to this test's cgroup: nothing else is gated.
 */
#include <signal.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "kselftest_harness.h"
#include "control.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgd"
#define OK	D "/ok/busybox"
#define BAD	D "/bad/busybox"
#define PIN	"/sys/fs/bpf/bgd-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"	/* what the daemon loads */

#include "daemontest.h"


static void sbom_add(FILE *f, int *n, const char *name, const char *path)
{
	unsigned char dg[32];
	char hex[65];

	if (vm_sha256_file(path, dg))
		return;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	fprintf(f, "%s{\"type\":\"file\",\"name\":\"%s\",\"version\":\"1.0\",\"purl\":\"pkg:generic/%s@1.0\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}",
		(*n)++ ? "," : "", name, name, hex);
}

/* A CycloneDX SBOM: OK, build/bomgate, what the guard needs (unless
 * @no_guard), BAD (if @with_bad). */
static int write_sbom(const char *path, int no_guard, int with_bad)
{
	char p[1024], line[1200];
	FILE *f, *g;
	int n = 0;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[", f);
	sbom_add(f, &n, "ok-busybox", OK);
	if (with_bad)
		sbom_add(f, &n, "bad-busybox", BAD);
	snprintf(p, sizeof(p), "%s/bomgate", tu_build());
	sbom_add(f, &n, "bomgate", p);
	/* the CLI's own libraries (it links more than the daemon maps) */
	snprintf(p, sizeof(p), "ldd %s/bomgate", tu_build());
	g = popen(p, "r");
	while (g && fgets(line, sizeof(line), g)) {
		char *a = strstr(line, "=> /"), *e;

		if (!a || !(e = strstr(a, " (")))
			continue;
		*e = '\0';
		sbom_add(f, &n, "lib", a + 3);
	}
	if (g)
		pclose(g);
	sbom_add(f, &n, "sh", "/bin/sh");
	if (!no_guard) {
		snprintf(p, sizeof(p), "%s/bomgated --guard-list", tu_build());
		g = popen(p, "r");
		while (g && fgets(line, sizeof(line), g)) {
			line[strcspn(line, "\n")] = '\0';
			if (strlen(line) > 66)
				sbom_add(f, &n, "guard", line + 66);
		}
		if (g)
			pclose(g);
	}
	fputs("]}\n", f);
	return fclose(f) ? -errno : 0;
}

/* Keys, SBOMs and policies, made once per VM run. */
static int make_policies(void)
{
	const char *b = tu_build();

	if (!access(D "/empty.bgp.sig", F_OK))
		return 0;
	mkdir(D, 0755);
	mkdir(D "/ok", 0755);
	mkdir(D "/bad", 0755);
	if (vm_copy("/bin/busybox", OK, NULL) ||
	    vm_copy("/bin/busybox", BAD, "\n") ||
	    write_sbom(D "/sbom.json", 0, 0) ||
	    write_sbom(D "/sbom-bad.json", 0, 1) ||
	    write_sbom(D "/sbom-noguard.json", 1, 0))
		return -1;
	if (sh("%s/bomgate key generate --bits 2048 -o " D "/k.pem -c " D "/c.pem -s CN=bgtest 2>&1 && "
	       "%s/bomgate key generate --bits 2048 -o " D "/wk.pem -c " D "/wc.pem -s CN=wrong 2>&1 && "
	       "%s/bomgate compile --policy-version 1 --name t1 -o " D "/v1.bgp " D "/sbom.json 2>&1 && "
	       "%s/bomgate compile --policy-version 2 --name t2 -o " D "/v2.bgp " D "/sbom.json 2>&1 && "
	       "%s/bomgate compile --policy-version 3 --name t3 -o " D "/v3.bgp " D "/sbom-bad.json 2>&1 && "
	       "%s/bomgate compile --policy-version 5 --name noguard -o " D "/ng.bgp " D "/sbom-noguard.json 2>&1 && "
	       "printf 'version 6\\nname flags\\nsbom sbom.json\\nallow-unmeasured-modules yes\\ntrust-fuse yes\\n' > " D "/fl.policy && "
	       "%s/bomgate compile -s " D "/fl.policy -o " D "/fl.bgp 2>&1 && "
	       "%s/bomgate compile --policy-version 7 --name noflags -o " D "/nf.bgp " D "/sbom.json 2>&1 && "
	       "printf '{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"type\":\"library\",\"name\":\"pkg\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%%064d\"}]}]}' 7 > " D "/pkgonly.json && "
	       "%s/bomgate compile --policy-version 8 --name empty -o " D "/empty.bgp " D "/pkgonly.json 2>&1 && "
	       "for v in v1 v2 v3 ng fl nf empty; do %s/bomgate sign -k " D "/k.pem -c " D "/c.pem " D "/$v.bgp || exit 1; done 2>&1",
	       b, b, b, b, b, b, b, b, b, b))
		return -1;
	return 0;
}

FIXTURE(daemon) {
	char cg[256];
	pid_t pid;
};

FIXTURE_SETUP(daemon)
{
	__u64 id;

	self->pid = -1;
	ASSERT_EQ(0, make_policies()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(EVENTS);
	ASSERT_EQ(0, vm_cgroup_enter(self->cg, sizeof(self->cg), &id));
}

FIXTURE_TEARDOWN(daemon)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	/* no process holds the links any more: this detaches */
	engine_pin_remove(PIN);
	vm_cgroup_leave(self->cg);
}

/* Wait up to 5 s for @needle in the events file. */
static int event_seen(const char *needle)
{
	for (int i = 0; i < 50; i++) {
		if (strstr(file(EVENTS), needle))
			return 1;
		usleep(100000);
	}
	return 0;
}

/* The kernel's configuration as bomgated left it (pinned map). */
static int pinned_config(struct bg_config *cfg)
{
	__u32 zero = 0;
	int fd = bpf_obj_get(PIN "/bg_config"), ret;

	if (fd < 0)
		return -errno;
	ret = bpf_map_lookup_elem(fd, &zero, cfg) ? -errno : 0;
	close(fd);
	return ret;
}

/* What a policy says beyond digests reaches the kernel, and a policy that
 * says otherwise takes it back; the daemon's own limit too. */
TEST_F_TIMEOUT(daemon, policy_flags_reach_the_kernel, 240)
{
	struct bg_config cfg;

	ASSERT_EQ(0, use_policy("fl"));
	self->pid = start(self->cg, "audit", "--max-measure-size 64M");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_EQ(0, pinned_config(&cfg));
	EXPECT_TRUE(cfg.flags & BG_CFG_ALLOW_UNMEASURED_MODULES);
	EXPECT_TRUE(cfg.flags & BG_CFG_TRUST_FUSE);
	EXPECT_EQ(64U, cfg.max_measure_mib);

	ASSERT_EQ(0, use_policy("nf"));	/* version 7: no rollback */
	ASSERT_LT(0, ctl("reload")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":true")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, pinned_config(&cfg));
	EXPECT_FALSE(cfg.flags & BG_CFG_POLICY_FLAGS);
}

TEST_F_TIMEOUT(daemon, audit_then_enforce_then_disable, 240)
{
	int st;

	ASSERT_EQ(0, use_policy("v1"));
	self->pid = start(self->cg, "audit", "--emit-allowed");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));

	EXPECT_EQ(RAN_OK, run(BAD));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_TRUE(event_seen("\"decision\":\"would-deny\",\"reason\":\"unknown-digest\",\"mode\":\"audit\",\"path\":\"" BAD "\""))
		TH_LOG("%s", dt_out);
	/* enriched with the component the SBOM names */
	EXPECT_TRUE(event_seen("\"component\":{\"name\":\"ok-busybox\",\"version\":\"1.0\",\"purl\":\"pkg:generic/ok-busybox@1.0\""))
		TH_LOG("%s", dt_out);

	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"exec\":\"audit\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "CN=bgtest\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":1,")) TH_LOG("%s", dt_out);

	ASSERT_LT(0, ctl("mode enforce"));
	EXPECT_NE(NULL, strstr(dt_out, "\"exec\":\"enforce\"")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_TRUE(event_seen("\"decision\":\"denied\",\"reason\":\"unknown-digest\",\"mode\":\"enforce\",\"path\":\"" BAD "\""))
		TH_LOG("%s", dt_out);

	ASSERT_LT(0, ctl("disable"));
	EXPECT_NE(NULL, strstr(dt_out, "\"disabled\":true"));
	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_NE(0, access(PIN, F_OK));
	EXPECT_EQ(RAN_OK, run(BAD));
}

TEST_F_TIMEOUT(daemon, bad_policies_refused_old_one_stays, 240)
{
	ASSERT_EQ(0, use_policy("v2"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
	/* the second run of a listed file takes the kept verdict; status
	 * counts it (no allowed events here: they would search) */
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"verdict_hits\":")) TH_LOG("%s", dt_out);
	EXPECT_EQ(NULL, strstr(dt_out, "\"verdict_hits\":0,")) TH_LOG("%s", dt_out);

	/* tampered: v3 with one byte changed, v3's own signature */
	ASSERT_EQ(0, use_policy("v3"));
	{
		int fd = open(POL, O_WRONLY);

		ASSERT_LE(0, fd);
		ASSERT_EQ(1, pwrite(fd, "X", 1, 200));
		close(fd);
	}
	ASSERT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":false")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));

	/* wrong signer */
	ASSERT_EQ(0, vm_copy(D "/v3.bgp", POL, NULL));
	ASSERT_EQ(0, sh("%s/bomgate sign -k " D "/wk.pem -c " D "/wc.pem -o " POL ".sig " POL " 2>&1",
			tu_build()));
	ASSERT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":false")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));

	/* correctly signed, older version: anti-rollback */
	ASSERT_EQ(0, use_policy("v1"));
	ASSERT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "anti-rollback")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":2,")) TH_LOG("%s", dt_out);

	/* the good v3 (which lists BAD) is taken */
	ASSERT_EQ(0, use_policy("v3"));
	ASSERT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":3,")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run(BAD));
	EXPECT_TRUE(event_seen("\"action\":\"reload\",\"ok\":false")) TH_LOG("%s", dt_out);
}

/* The daemon killed and its pins removed, the kernel detaches the links
 * in a work item (after an RCU tasks-trace grace period for sleepable
 * programs): wait, boundedly, until the unlisted @path runs again. */
static int wait_unenforced(const char *path)
{
	int r = -1;

	for (int i = 0; i < 100; i++) {
		r = run(path);
		if (r != EPERM)
			break;
		usleep(100000);
	}
	return r;
}

/*
 * A reboot (no pins) whose configured policy does not verify enforces the
 * last known good one kept in state-dir; an older policy, correctly
 * signed, is a rollback even though nothing is pinned; with nothing kept,
 * nothing is enforced and the daemon says why.
 */
TEST_F_TIMEOUT(daemon, boot_with_refused_policy_enforces_last_known_good, 240)
{
	const char *st = "--state-dir " D "/state";
	char opt[512];
	int wst;

	ASSERT_EQ(0, sh("rm -rf " D "/state && mkdir -m 0700 " D "/state"));
	ASSERT_EQ(0, use_policy("v2"));
	self->pid = start(self->cg, "enforce", st);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
	ASSERT_EQ(0, access(D "/state/last-good.bgp", F_OK));
	ASSERT_EQ(0, access(D "/state/last-good.bgp.sig", F_OK));

	/* a restart re-applies the same policy: the kept copy is not
	 * written again (a rename would give it another inode) */
	{
		struct stat a, b;

		ASSERT_EQ(0, stat(D "/state/last-good.bgp", &a));
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
		self->pid = start(self->cg, "enforce", st);
		ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
		ASSERT_EQ(0, stat(D "/state/last-good.bgp", &b));
		EXPECT_EQ(a.st_ino, b.st_ino);
	}

	/* "reboot": the daemon and its pins go, the configured file rots */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	engine_pin_remove(PIN);
	ASSERT_EQ(RAN_OK, wait_unenforced(BAD));
	{
		int fd = open(POL, O_WRONLY);

		ASSERT_LE(0, fd);
		ASSERT_EQ(1, pwrite(fd, "X", 1, 200));
		close(fd);
	}
	self->pid = start(self->cg, "enforce", st);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"last_known_good\":true")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":2,")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"path\":\"" D "/state/last-good.bgp\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "enforcing the last known good policy")) TH_LOG("%s", dt_out);
	EXPECT_TRUE(event_seen("\"action\":\"policy-fallback\",\"ok\":false")) TH_LOG("%s", dt_out);

	/* a good newer policy is taken on reload and replaces the kept one */
	ASSERT_EQ(0, use_policy("v3"));
	ASSERT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":3,")) TH_LOG("%s", dt_out);
	EXPECT_EQ(NULL, strstr(dt_out, "last_known_good")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run(BAD));

	/* reboot onto an older, correctly signed policy: a rollback */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	EXPECT_EQ(0, engine_pin_remove(PIN));
	ASSERT_NE(EPERM, wait_unenforced("/bin/rm"));	/* v3 lists BAD */
	ASSERT_EQ(0, use_policy("v1"));
	self->pid = start(self->cg, "enforce", st);
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":3,")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "older than version 3 last known good")) TH_LOG("%s", dt_out);

	/* nothing kept and nothing that verifies: nothing enforced, said */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	engine_pin_remove(PIN);
	ASSERT_NE(EPERM, wait_unenforced("/bin/rm"));
	ASSERT_EQ(0, sh("rm -rf " D "/state/* && mkdir -p " D "/state"));
	ASSERT_EQ(0, vm_copy(D "/v3.bgp", POL, NULL));
	ASSERT_EQ(0, vm_copy(D "/v1.bgp.sig", POL ".sig", NULL));
	snprintf(opt, sizeof(opt), "exec %s/bomgated --policy " POL " --trust " D "/c.pem --mode enforce --pin-dir " PIN
		 " --socket " SOCK " --events-syslog=no --scope-cgroup %s %s >" D "/refused.log 2>&1",
		 tu_build(), self->cg, st);
	wst = system(opt);
	EXPECT_TRUE(WIFEXITED(wst) && WEXITSTATUS(wst) == 4) TH_LOG("status %#x", wst);
	EXPECT_NE(NULL, strstr(file(D "/refused.log"), "no last known good policy in " D "/state: nothing is enforced"))
		TH_LOG("%s", dt_out);
	EXPECT_NE(0, access(PIN, F_OK));
	EXPECT_EQ(RAN_OK, run(BAD));
}

TEST_F_TIMEOUT(daemon, kill9_keeps_enforcement_and_restart_resumes, 240)
{
	ASSERT_EQ(0, use_policy("v2"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run(BAD));

	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_LT(0, engine_pin_count(PIN));

	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"resumed\":true")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_EQ(RAN_OK, run(OK));
}

TEST_F_TIMEOUT(daemon, bad_control_messages_answered_with_errors, 240)
{
	static char big[4096];
	static const struct { const char *req; size_t len; const char *msg; } bad[] = {
		{ "stat\0us", 7, "NUL byte" },
		{ "mode bogus", 10, "unknown mode" },
		{ "\xff\xfe", 2, "printable ASCII" },
		{ "test-seccomp", 12, "unknown request" },	/* not enabled */
		{ "status please", 13, "takes no arguments" },
	};
	pid_t pid;
	int st;

	ASSERT_EQ(0, use_policy("v2"));
	self->pid = start(self->cg, "audit", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_LT(0, ctl_raw(bad[i].req, bad[i].len)) TH_LOG("%zu", i);
		EXPECT_NE(NULL, strstr(dt_out, "\"ok\":false")) TH_LOG("%zu %s", i, dt_out);
		EXPECT_NE(NULL, strstr(dt_out, bad[i].msg)) TH_LOG("%zu %s", i, dt_out);
	}
	memset(big, 'a', sizeof(big));
	ASSERT_LT(0, ctl_raw(big, sizeof(big)));
	EXPECT_NE(NULL, strstr(dt_out, "at most 256")) TH_LOG("%s", dt_out);
	/* not root and not in the socket group: the file mode (0600) stops
	 * it first; opened up, SO_PEERCRED still refuses */
	chmod(D, 0755);
	chmod(SOCK, 0666);
	pid = fork();
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		/* the refusal comes at accept, before any request */
		int fd = ctl_connect(SOCK);

		_exit(fd >= 0 && ctl_recv(fd, dt_out, sizeof(dt_out), 30000) > 0 &&
		      strstr(dt_out, "permission denied") ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	/* still serving */
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":true"));
}

TEST_F_TIMEOUT(daemon, lockout_guard_keeps_audit, 240)
{
	ASSERT_EQ(0, use_policy("ng"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"exec\":\"audit\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"held_back\":true")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "bomgated\"")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run(BAD));
	ASSERT_LT(0, ctl("mode enforce exec"));
	EXPECT_NE(NULL, strstr(dt_out, "lock-out guard")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "lock-out guard: the policy would deny"));
}

/* Issue 11: a policy that allows nothing (an SBOM with only package-level
 * hashes) is not enforced without --force: every class held in audit, a
 * later 'mode enforce' refused; --force enforces it (and, scoped to the
 * test's cgroup, denies even the listed-nowhere OK binary). */
TEST_F_TIMEOUT(daemon, empty_allowlist_needs_force, 240)
{
	ASSERT_EQ(0, use_policy("empty"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	for (int i = 0; i < BG_CLASS_MAX; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"%s\":\"audit\"", bg_class_name(i));
		EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s: %s", want, dt_out);
	}
	EXPECT_NE(NULL, strstr(dt_out, "\"held_back\":true")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "the policy allows nothing (no digest)"))
		TH_LOG("%s", file(LOG));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_EQ(RAN_OK, run(BAD));
	ASSERT_LT(0, ctl("mode enforce"));
	EXPECT_NE(NULL, strstr(dt_out, "allows nothing")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run(OK));

	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	engine_pin_remove(PIN);
	self->pid = start(self->cg, "enforce", "--force");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"exec\":\"enforce\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "enforcing anyway (--force)"));
	EXPECT_EQ(EPERM, run(OK));
}

TEST_F_TIMEOUT(daemon, syscall_outside_seccomp_kills_daemon_enforcement_stays, 240)
{
	int st;

	ASSERT_EQ(0, use_policy("v2"));
	self->pid = start(self->cg, "enforce", "--test-seccomp");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ctl("test-seccomp");
	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		TH_LOG("status %#x: %s", st, file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
}

TEST_HARNESS_MAIN
