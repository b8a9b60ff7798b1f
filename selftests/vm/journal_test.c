// SPDX-License-Identifier: GPL-2.0
/*
 * bomgated under systemd (issue 14), as far as a guest without systemd as
 * PID 1 can show it: with Debian's own systemd-journald running, each
 * event is a native entry with structured fields (journalctl finds a
 * would-deny by BOMGATE_DECISION with its path, digest and MESSAGE_ID, and
 * nothing goes to syslog twice); and the notify protocol of Type=notify
 * (READY, STATUS, RELOADING, WATCHDOG) arrives on a socket of the test's.
 */
#include <poll.h>
#include <signal.h>
#include <sys/un.h>
#include "kselftest_harness.h"
#include "control.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgj"
#define BAD	D "/bad/busybox"
#define PIN	"/sys/fs/bpf/bgj-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"
#define JOURNALD "/lib/systemd/systemd-journald"

#include "daemontest.h"

static int make_policy(void)
{
	const char *b = tu_build();
	unsigned char dg[32];
	char sh_[65];

	mkdir(D, 0755);
	mkdir(D "/bad", 0755);
	if (vm_copy("/bin/busybox", BAD, "\n"))
		return -1;
	if (!access(POL ".sig", F_OK))
		return 0;
	if (vm_sha256_file("/bin/sh", dg))
		return -1;
	for (int i = 0; i < 32; i++)
		sprintf(sh_ + 2 * i, "%02x", dg[i]);
	return sh("cd " D " && "
		  "printf '{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[]}' > sbom.json && "
		  "%s/bomgate key generate --bits 2048 -o k.pem -c c.pem -s CN=j && "
		  "printf 'version 1\\nname j\\nsbom sbom.json\\nallow %s the shell\\n' > p.policy && "
		  "%s/bomgate compile -s p.policy -o policy.bgp && %s/bomgate sign -k k.pem -c c.pem policy.bgp 2>&1",
		  b, sh_, b, b);
}

FIXTURE(journal) {
	char cg[256];
	pid_t pid, jd;
};

FIXTURE_SETUP(journal)
{
	__u64 id;

	self->pid = self->jd = -1;
	if (access("/etc/machine-id", F_OK))
		tu_put("/etc", "machine-id", "0123456789abcdef0123456789abcdef\n");
	ASSERT_EQ(0, make_policy()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(LOG);
	/* Debian's journald, run by hand (it makes its own sockets), where
	 * the root has one (the arm64 root is minbase: none) */
	if (!access(JOURNALD, X_OK))
		self->jd = fork();
	if (!self->jd) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(JOURNALD, JOURNALD, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; self->jd > 0 && i < 100 &&
	     access("/run/systemd/journal/socket", W_OK); i++)
		usleep(100000);
	if (self->jd > 0)
		ASSERT_EQ(0, access("/run/systemd/journal/socket", W_OK));
	ASSERT_EQ(0, vm_cgroup_enter(self->cg, sizeof(self->cg), &id));
}

FIXTURE_TEARDOWN(journal)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	engine_pin_remove(PIN);
	if (self->jd > 0) {
		kill(self->jd, SIGTERM);
		waitpid(self->jd, NULL, 0);
	}
	vm_cgroup_leave(self->cg);
}

TEST_F_TIMEOUT(journal, events_are_structured_journal_entries, 180)
{
	unsigned char dg[32];
	char hex[65], want[128];
	int found = 0;

	if (self->jd < 0)
		SKIP(return, "no %s in this root", JOURNALD);
	ASSERT_EQ(0, vm_sha256_file(BAD, dg));
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	self->pid = start(self->cg, "audit", "--coalesce 0");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(RAN_OK, run(BAD));
	snprintf(want, sizeof(want), "\"BOMGATE_SHA256\":\"%s\"", hex);
	for (int i = 0; i < 50 && !found; i++) {
		sh("journalctl -D /run/log/journal --no-pager -o json "
		   "BOMGATE_DECISION=would-deny BOMGATE_PATH=" BAD " 2>&1");
		found = strstr(dt_out, want) != NULL;
		if (!found)
			usleep(200000);
	}
	EXPECT_TRUE(found) TH_LOG("%s\n%s", dt_out, file(LOG));
	EXPECT_NE(NULL, strstr(dt_out, "\"BOMGATE_HOOK\":\"exec\""));
	EXPECT_NE(NULL, strstr(dt_out, "\"BOMGATE_REASON\":\"unknown-digest\""));
	EXPECT_NE(NULL, strstr(dt_out, "\"MESSAGE_ID\":\"5b8a3c1e9d2f4e07a6b1c4d8e2f3a901\""));
	EXPECT_NE(NULL, strstr(dt_out, "\"SYSLOG_IDENTIFIER\":\"bomgated\""));
	EXPECT_NE(NULL, strstr(dt_out, "\"BOMGATE_EVENT\":\"{")) TH_LOG("%s", dt_out);
	/* the daemon's own start, by its type */
	EXPECT_EQ(0, sh("journalctl -D /run/log/journal --no-pager -o json BOMGATE_TYPE=daemon BOMGATE_ACTION=start 2>&1"));
	EXPECT_NE(NULL, strstr(dt_out, "\"MESSAGE_ID\":\"5b8a3c1e9d2f4e07a6b1c4d8e2f3a904\""))
		TH_LOG("%s", dt_out);
	/* once, not again through syslog (journald reads /dev/log too) */
	sh("journalctl -D /run/log/journal --no-pager -o cat SYSLOG_IDENTIFIER=bomgated 2>&1 | grep -c '^{\"schema\"'");
	EXPECT_EQ(0, atoi(dt_out)) TH_LOG("%s", dt_out);
}

/*
 * Denials and would-denies as audit records: Debian's auditd runs in the
 * guest, and ausearch finds the AUDIT_TRUSTED_APP record of the
 * would-deny with its fields; a path that needs it comes hex-encoded.
 */
TEST_F_TIMEOUT(journal, would_deny_is_an_audit_record, 180)
{
	char want[128];
	pid_t ad;
	int found = 0;

	if (access("/sbin/auditd", X_OK) || access("/sbin/ausearch", X_OK))
		SKIP(return, "no auditd in this root");
	mkdir("/var/log/audit", 0700);
	ad = fork();
	if (!ad) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl("/sbin/auditd", "auditd", "-n", (char *)NULL);
		_exit(127);
	}
	usleep(500000);
	self->pid = start(self->cg, "audit", "--coalesce 0");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(RAN_OK, run(BAD));
	snprintf(want, sizeof(want), "path=\"%s\"", BAD);
	for (int i = 0; i < 50 && !found; i++) {
		sh("ausearch -m TRUSTED_APP 2>&1");
		found = strstr(dt_out, want) && strstr(dt_out, "decision=\"would-deny\"");
		if (!found)
			usleep(200000);
	}
	if (!found) {
		TH_LOG("ausearch: %s", dt_out);
		sh("auditctl -s 2>&1; tail -5 /var/log/audit/audit.log 2>&1; dmesg | grep -i audit | tail -5");
		TH_LOG("audit state: %s", dt_out);
		TH_LOG("daemon log: %s", file(LOG));
	}
	EXPECT_TRUE(found);
	sh("ausearch -m TRUSTED_APP 2>&1 | grep '%s'", want);
	EXPECT_NE(NULL, strstr(dt_out, "op=bomgate-decision")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "hook=\"exec\""));
	EXPECT_NE(NULL, strstr(dt_out, "reason=\"unknown-digest\""));
	EXPECT_NE(NULL, strstr(dt_out, "sha256=\""));
	EXPECT_NE(NULL, strstr(dt_out, "exe=\"")) TH_LOG("%s", dt_out);
	kill(ad, SIGTERM);
	waitpid(ad, NULL, 0);
}

/* One datagram on @fd within @ms into dt_out; its length or -1. */
static int notify_recv(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -1;
	n = recv(fd, dt_out, sizeof(dt_out) - 1, 0);
	if (n < 0)
		return -1;
	dt_out[n] = '\0';
	return n;
}

/* The next datagram holding @needle within @ms. */
static int notify_wait(int fd, const char *needle, int ms)
{
	for (int i = 0; i < ms / 100; i++)
		if (notify_recv(fd, 100) > 0 && strstr(dt_out, needle))
			return 1;
	return 0;
}

/*
 * systemd's notify protocol (Type=notify), spoken to a socket of ours as
 * systemd would hold it: READY=1 with what is enforced once the policy is
 * in force, RELOADING=1 and READY=1 around a SIGHUP reload, WATCHDOG=1
 * keep-alives at half of WATCHDOG_USEC.
 */
TEST_F_TIMEOUT(journal, notify_ready_reload_watchdog, 120)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), D "/notify.sock");
	unlink(sa.sun_path);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	self->pid = start(self->cg, "audit", "--coalesce 0");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_TRUE(notify_wait(fd, "READY=1", 10000));
	EXPECT_NE(NULL, strstr(dt_out, "STATUS=policy 'j' version 1: exec=audit mmap=audit"))
		TH_LOG("%s", dt_out);
	EXPECT_TRUE(notify_wait(fd, "WATCHDOG=1", 5000)) TH_LOG("%s", dt_out);
	kill(self->pid, SIGHUP);
	EXPECT_TRUE(notify_wait(fd, "RELOADING=1", 10000)) TH_LOG("%s", dt_out);
	EXPECT_TRUE(notify_wait(fd, "READY=1", 10000)) TH_LOG("%s", dt_out);
	/* still alive, still keeping the watchdog fed */
	EXPECT_TRUE(notify_wait(fd, "WATCHDOG=1", 5000));
	EXPECT_EQ(0, kill(self->pid, 0));
	close(fd);
}

TEST_HARNESS_MAIN
