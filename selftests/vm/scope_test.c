// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup scopes of a signed policy ("scope PATH CLASS MODE"), end to end
 * with bomgated: the same unlisted payload is denied in a cgroup whose
 * scope enforces exec and allowed with a would-deny event in one whose
 * scope audits it; the most specific scope wins both ways round; status
 * and events name the scope; a cgroup that does not exist yet is pending
 * and takes effect when it appears, a path that is no cgroup refuses the
 * policy; the
 * lock-out guard holds a scope that would deny the daemon in audit.
 *
 * The policy's global mode is off and the test's cgroup (OUTER) is the
 * outermost scope: it stands for "the whole system", so nothing outside
 * this test is ever gated. No --scope-cgroup: the testing aid gates one
 * cgroup exactly, scopes cover whole subtrees.
 */
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgscope"
#define OK	D "/ok/busybox"
#define BAD	D "/bad/busybox"
#define PIN	"/sys/fs/bpf/bgscope-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"
#define OUTER	"/sys/fs/cgroup/bgscope"
#define INNER	OUTER "/app"
#define LATE	OUTER "/nonexistent"	/* made during a test */

#include "daemontest.h"

static void sbom_add(FILE *f, int *n, const char *path)
{
	unsigned char dg[32];
	char hex[65];

	if (vm_sha256_file(path, dg))
		return;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	fprintf(f, "%s{\"type\":\"file\",\"name\":\"f%d\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}",
		*n ? "," : "", *n, hex);
	(*n)++;
}

/* OK and everything the lock-out guard names (unless @no_guard). */
static int write_sbom(const char *path, int no_guard)
{
	char p[1024], line[1200];
	FILE *f, *g;
	int n = 0;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[", f);
	sbom_add(f, &n, OK);
	snprintf(p, sizeof(p), "%s/bomgated --guard-list", tu_build());
	g = no_guard ? NULL : popen(p, "r");
	while (g && fgets(line, sizeof(line), g)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) > 66)
			sbom_add(f, &n, line + 66);
	}
	if (g)
		pclose(g);
	fputs("]}\n", f);
	return fclose(f) ? -errno : 0;
}

/* Compile and sign policy @name: global off, then @scopes lines. */
static int make_policy(const char *name, int version, const char *sbom,
		       const char *scopes)
{
	const char *b = tu_build();

	return sh("printf 'version %d\\nmode all off\\nsbom %s\\n%s' > " D "/%s.policy && "
		  "%s/bomgate compile -s " D "/%s.policy -o " D "/%s.bgp 2>&1 && "
		  "%s/bomgate sign -k " D "/k.pem -c " D "/c.pem " D "/%s.bgp 2>&1",
		  version, sbom, scopes, name, b, name, name, b, name);
}

static int make_all(void)
{
	if (!access(D "/ng.bgp.sig", F_OK))
		return 0;
	mkdir(D, 0755);
	mkdir(D "/ok", 0755);
	mkdir(D "/bad", 0755);
	if (vm_copy("/bin/busybox", OK, NULL) ||
	    vm_copy("/bin/busybox", BAD, "\n") ||
	    write_sbom(D "/sbom.json", 0) ||
	    write_sbom(D "/sbom-noguard.json", 1))
		return -1;
	if (sh("%s/bomgate key generate --bits 2048 -o " D "/k.pem -c " D "/c.pem -s CN=bgtest 2>&1",
	       tu_build()))
		return -1;
	/* outer enforce, inner audit; and the reverse */
	return make_policy("ea", 1, "sbom.json",
			   "scope " OUTER " exec enforce\\nscope " INNER " exec audit\\n") ||
	       make_policy("ae", 2, "sbom.json",
			   "scope " OUTER " exec audit\\nscope " INNER " all enforce\\n") ||
	       make_policy("in", 3, "sbom.json",
			   "scope " OUTER " exec enforce\nscope " INNER " mmap audit\n") ||
	       make_policy("miss", 4, "sbom.json",
			   "scope " OUTER " exec enforce\\n\\nscope " OUTER "/nonexistent exec audit\\n") ||
	       make_policy("ng", 5, "sbom-noguard.json",
			   "scope " OUTER " exec enforce\\n") ||
	       make_policy("nc", 6, "sbom.json",
			   "scope " OUTER " exec enforce\\nscope " D " exec audit\\n");
}

/* bomgated (in OUTER, like this test): the policy's modes and scopes */
static pid_t start_daemon(void)
{
	return start(NULL, NULL, "--coalesce 0");
}

/* Run @path in cgroup @cg: RAN_OK + exit status, or the execve errno. */
static int run_in(const char *cg, const char *path)
{
	char procs[256];
	int fds[2], err = 0, st;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	pid = fork();
	if (!pid) {
		char *argv[] = { (char *)path, "true", NULL };

		err = vm_write_file(procs, "0");
		if (!err) {
			execv(path, argv);
			err = errno;
		}
		if (write(fds[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (err)
		return err;
	return WIFEXITED(st) ? WEXITSTATUS(st) + RAN_OK : -1;
}

/* As uid/gid 65534 (nobody), from this test's cgroup OUTER: move into
 * @cg (its cgroup.procs; @moved: 0 or the errno), then run @path either
 * way: RAN_OK + exit status, or the execve errno. */
static int run_as_nobody_moving_to(const char *cg, const char *path,
				   int *moved)
{
	char procs[256];
	int fds[2], res[2] = { 0, 0 }, st;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	pid = fork();
	if (!pid) {
		char *argv[] = { (char *)path, "true", NULL };

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(125);
		res[0] = vm_write_file(procs, "0");
		execv(path, argv);
		res[1] = errno;
		if (write(fds[1], res, sizeof(res)) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	/* the move's result comes only with a failed exec: ask again */
	if (read(fds[0], res, sizeof(res)) != sizeof(res))
		res[0] = res[1] = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	*moved = res[0];
	if (res[1])
		return res[1];
	return WIFEXITED(st) ? WEXITSTATUS(st) + RAN_OK : -1;
}

/* How many times @needle is in the events file. */
static int events_with(const char *needle)
{
	const char *p = file(EVENTS);
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p++;
	}
	return n;
}

/* Wait up to 5 s for more than @before events with @needle. */
static int event_more(const char *needle, int before)
{
	for (int i = 0; i < 50; i++) {
		if (events_with(needle) > before)
			return 1;
		usleep(100000);
	}
	return 0;
}

static int event_seen(const char *needle)
{
	for (int i = 0; i < 50; i++) {
		if (strstr(file(EVENTS), needle))
			return 1;
		usleep(100000);
	}
	return 0;
}

FIXTURE(scope) {
	pid_t pid;
};

FIXTURE_SETUP(scope)
{
	self->pid = -1;
	mkdir(OUTER, 0755);
	mkdir(INNER, 0755);
	ASSERT_EQ(0, vm_write_file(OUTER "/cgroup.procs", "0"));
	ASSERT_EQ(0, make_all()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(EVENTS);
	unlink(LOG);
}

FIXTURE_TEARDOWN(scope)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	engine_pin_remove(PIN);
	vm_write_file("/sys/fs/cgroup/cgroup.procs", "0");
	rmdir(LATE);
	rmdir(INNER);
	rmdir(OUTER);
}

/* Outer enforce, inner audit: BAD denied outside, allowed with a
 * would-deny naming the inner scope inside. Then the reverse. */
#define DENIED_OUTER "\"decision\":\"denied\",\"reason\":\"unknown-digest\",\"mode\":\"enforce\",\"scope\":\"" OUTER "\",\"path\":\"" BAD "\""

TEST_F_TIMEOUT(scope, most_specific_scope_decides, 240)
{
	int n;

	ASSERT_EQ(0, use_policy("ea"));
	self->pid = start_daemon();
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"scopes\":[{\"path\":\"" OUTER "\",\"line\":4,"))
		TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"held_back\":false")) TH_LOG("%s", dt_out);
	EXPECT_EQ(0, sh("%s/bomgate status --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "scope:    " INNER " (line 5, cgroup "))
		TH_LOG("%s", dt_out);

	EXPECT_EQ(RAN_OK, run_in(OUTER, OK));
	EXPECT_EQ(EPERM, run_in(OUTER, BAD));
	EXPECT_EQ(RAN_OK, run_in(INNER, BAD));
	EXPECT_TRUE(event_seen(DENIED_OUTER)) TH_LOG("%s", dt_out);
	EXPECT_TRUE(event_seen("\"decision\":\"would-deny\",\"reason\":\"unknown-digest\",\"mode\":\"audit\",\"scope\":\"" INNER "\",\"path\":\"" BAD "\""))
		TH_LOG("%s", dt_out);
	/* outside every scope (global off): not gated */
	EXPECT_EQ(RAN_OK, run_in("/sys/fs/cgroup", BAD));

	/* the reverse, by a signed reload */
	ASSERT_EQ(0, use_policy("ae"));
	ASSERT_LT(0, ctl("reload")) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":true")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(OUTER, BAD));
	EXPECT_EQ(EPERM, run_in(INNER, BAD));
	EXPECT_EQ(RAN_OK, run_in(INNER, OK));

	/* a class the inner scope does not name: the enclosing scope's */
	ASSERT_EQ(0, use_policy("in"));
	ASSERT_LT(0, ctl("reload")) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":true")) TH_LOG("%s", dt_out);
	n = events_with(DENIED_OUTER);
	EXPECT_EQ(EPERM, run_in(INNER, BAD));
	EXPECT_TRUE(event_more(DENIED_OUTER, n)) TH_LOG("%s", dt_out);
	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"path\":\"" INNER "\",\"line\":5,"))
		TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"modes\":{\"exec\":\"enforce\",\"mmap\":\"audit\",\"module\":\"off\",\"firmware\":\"off\",\"kexec\":\"off\"},\"inherited\":[\"exec\",\"module\",\"firmware\",\"kexec\"]"))
		TH_LOG("%s", dt_out);

	/* a run-time mode holds in every scope */
	ASSERT_LT(0, ctl("mode audit"));
	EXPECT_NE(NULL, strstr(dt_out, "\"ok\":true")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(INNER, BAD));
}

/* Wait up to 10 s for @needle in the daemon's log. */
static int log_seen(const char *needle)
{
	for (int i = 0; i < 100; i++) {
		if (strstr(file(LOG), needle))
			return 1;
		usleep(100000);
	}
	return 0;
}

/* A scope whose cgroup does not exist yet (at boot, most slices) loads
 * pending: no task can be in it; once the cgroup appears the daemon
 * gives the scope its id, and again when it is recreated. A path that is
 * not a cgroup refuses the policy, naming the line; the old one stays. */
TEST_F_TIMEOUT(scope, pending_cgroup_takes_effect_when_it_appears, 240)
{
	rmdir(LATE);
	ASSERT_EQ(0, use_policy("ea"));
	self->pid = start_daemon();
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_EQ(0, use_policy("miss"));
	ASSERT_LT(0, ctl("reload")) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":4,")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "scope " LATE " (policy source line 6): no such cgroup yet"))
		TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run_in(OUTER, BAD));

	ASSERT_EQ(0, mkdir(LATE, 0755));
	EXPECT_TRUE(log_seen("scope " LATE " (line 6): cgroup appeared")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(LATE, BAD));
	EXPECT_TRUE(event_seen("\"mode\":\"audit\",\"scope\":\"" LATE "\""));

	/* gone, then made again: a new cgroup id, found again */
	ASSERT_EQ(0, rmdir(LATE));
	EXPECT_TRUE(log_seen("scope " LATE " (line 6): the cgroup is gone")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, mkdir(LATE, 0755));
	for (int i = 0; i < 100 && run_in(LATE, BAD) != RAN_OK; i++)
		usleep(100000);
	EXPECT_EQ(RAN_OK, run_in(LATE, BAD));

	ASSERT_EQ(0, use_policy("nc"));
	ASSERT_LT(0, ctl("reload")) TH_LOG("%s", file(LOG));
	EXPECT_NE(NULL, strstr(dt_out, "scope " D " (policy source line 5): not a cgroup v2 directory"))
		TH_LOG("%s", dt_out);
	/* "miss" stays: LATE audits, the rest of OUTER enforces */
	EXPECT_EQ(EPERM, run_in(OUTER, BAD));
	EXPECT_EQ(EPERM, run_in(INNER, BAD));
	EXPECT_EQ(RAN_OK, run_in(LATE, BAD));
}

/*
 * The attack on a looser scope: an unprivileged user in the enforced
 * OUTER moves itself into the audited INNER. cgroup.procs is root's: the
 * move is refused and the payload stays denied. Delegated to the user
 * (systemd Delegate=, user@.service: the enclosing cgroup's cgroup.procs
 * and the inner one are theirs), the move works and the payload runs with
 * a would-deny: the documented limit (docs/threat-model.md).
 */
TEST_F_TIMEOUT(scope, unprivileged_user_cannot_move_into_a_looser_scope, 240)
{
	int moved = -1;

	ASSERT_EQ(0, use_policy("ea"));
	self->pid = start_daemon();
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run_as_nobody_moving_to(INNER, BAD, &moved));
	EXPECT_NE(0, moved) TH_LOG("moved into " INNER " as nobody");

	/* delegated: the escape the threat model names */
	ASSERT_EQ(0, chown(OUTER "/cgroup.procs", 65534, 65534));
	ASSERT_EQ(0, chown(INNER "/cgroup.procs", 65534, 65534));
	EXPECT_EQ(RAN_OK, run_as_nobody_moving_to(INNER, BAD, &moved));
	EXPECT_EQ(0, moved);
	EXPECT_TRUE(event_seen("\"mode\":\"audit\",\"scope\":\"" INNER "\""));
	EXPECT_EQ(0, chown(OUTER "/cgroup.procs", 0, 0));
	EXPECT_EQ(0, chown(INNER "/cgroup.procs", 0, 0));
}

/*
 * A file mapped executable by a task in a scope that enforces mmap (INNER,
 * "ae") cannot be opened for writing from a cgroup where mmap is not
 * gated at all (OUTER, the global mode off): the writer is judged by the
 * strictest mode of any scope, since the file may be running anywhere.
 */
TEST_F_TIMEOUT(scope, writer_is_judged_by_the_strictest_scope, 240)
{
	const char *copy = D "/map/busybox";
	int ready[2], fd;
	char c;
	pid_t child;

	mkdir(D "/map", 0755);
	ASSERT_EQ(0, vm_copy(OK, copy, NULL));	/* same bytes: listed */
	ASSERT_EQ(0, use_policy("ae"));
	self->pid = start_daemon();
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		void *p;
		int m;

		close(ready[0]);
		if (vm_write_file(INNER "/cgroup.procs", "0"))
			_exit(1);
		m = open(copy, O_RDONLY);
		p = m < 0 ? MAP_FAILED :
		    mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, m, 0);
		if (p == MAP_FAILED)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the mapping in " INNER " failed");
	close(ready[0]);
	fd = open(copy, O_WRONLY);
	EXPECT_GT(0, fd);
	EXPECT_EQ(ETXTBSY, errno);
	if (fd >= 0)
		close(fd);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* The daemon runs in OUTER; a policy enforcing exec there without the
 * daemon's files is held in audit in that scope, and says so. */
TEST_F_TIMEOUT(scope, lockout_guard_checks_every_enforced_scope, 240)
{
	ASSERT_EQ(0, use_policy("ng"));
	self->pid = start_daemon();
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(0, sh("%s/bomgate status --json --socket " SOCK, tu_build()));
	EXPECT_NE(NULL, strstr(dt_out, "\"held_back\":true")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"cgroup_id\":")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"modes\":{\"exec\":\"audit\"")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(file(LOG), "lock-out guard: scope " OUTER " (line 4): exec held in audit mode"))
		TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(OUTER, BAD));
	EXPECT_TRUE(event_seen("\"decision\":\"would-deny\""));
	/* and 'mode enforce exec' is refused by the guard */
	ASSERT_LT(0, ctl("mode enforce exec"));
	EXPECT_NE(NULL, strstr(dt_out, "lock-out guard")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run_in(OUTER, BAD));
}

TEST_HARNESS_MAIN
