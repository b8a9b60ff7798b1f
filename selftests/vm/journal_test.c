// SPDX-License-Identifier: GPL-2.0
/*
 * Events as native journal entries (issue 14): with Debian's own
 * systemd-journald running in the guest, bomgated sends each event with
 * structured fields, so journalctl finds a would-deny by BOMGATE_DECISION
 * with its path, digest and MESSAGE_ID, and nothing goes to syslog twice.
 */
#include <signal.h>
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
	if (access(JOURNALD, X_OK))
		SKIP(return, "no %s in this root", JOURNALD);
	if (access("/etc/machine-id", F_OK))
		tu_put("/etc", "machine-id", "0123456789abcdef0123456789abcdef\n");
	ASSERT_EQ(0, make_policy()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(LOG);
	/* Debian's journald, run by hand: it makes its own sockets */
	self->jd = fork();
	if (!self->jd) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(JOURNALD, JOURNALD, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access("/run/systemd/journal/socket", W_OK); i++)
		usleep(100000);
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

TEST_HARNESS_MAIN
