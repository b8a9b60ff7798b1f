// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate doctor / bomgated --check on the host: the report is complete and
 * consistent with the exit status; --help and bad usage behave.
 */
#include "kselftest_harness.h"
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

static char out[65536];

/* Run "BUILD/@args" in a shell. */
static int run(const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/%s", tu_build(), args);
	return tu_run(cmd, out, sizeof(out));
}

TEST(check_lists_every_requirement)
{
	static const char *const names[] = {
		"BPF LSM active", "kernel BTF", "IMA (file hashing)",
		"BPF LSM programs load", "sleepable LSM + ima hash", "privileges",
	};
	int rc = run("bomgated --check 2>&1");

	ASSERT_TRUE(rc == 0 || rc == 1) TH_LOG("exit %d: %s", rc, out);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *name = names[i];

		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("%s", name);
	}
	if (rc == 1) {
		/* each missing requirement says what to change */
		EXPECT_NE(NULL, strstr(out, "missing"));
		EXPECT_NE(NULL, strstr(out, "fix: "));
		EXPECT_NE(NULL, strstr(out, "cannot enforce on this kernel"));
	} else {
		EXPECT_NE(NULL, strstr(out, "This kernel can run bomgate."));
	}
}

TEST(doctor_json_agrees_with_exit_status)
{
	int rc = run("bomgate doctor --json");

	ASSERT_TRUE(rc == 0 || rc == 1);
	EXPECT_NE(NULL, strstr(out, rc ? "\"can_enforce\":false" :
					 "\"can_enforce\":true")) TH_LOG("%s", out);
}

TEST(help_and_usage_errors)
{
	EXPECT_EQ(0, run("bomgate --help 2>&1"));
	EXPECT_NE(NULL, strstr(out, "Usage: bomgate"));
	EXPECT_EQ(0, run("bomgated --help 2>&1"));
	EXPECT_NE(NULL, strstr(out, "--check"));
	EXPECT_EQ(0, run("bomgate doctor --help 2>&1"));
	EXPECT_EQ(2, run("bomgate no-such-command 2>&1"));
	EXPECT_NE(NULL, strstr(out, "unknown command 'no-such-command'"));
	EXPECT_EQ(2, run("bomgated --no-such-option 2>&1"));
	EXPECT_EQ(2, run("bomgate doctor extra 2>&1"));
}

/* -o /dev/null discards the policy; it never replaces the device. */
TEST(compile_to_dev_null_keeps_the_device)
{
	char sbom[] = "/tmp/bg-cli-XXXXXX";
	struct stat st;
	char cmd[128];
	FILE *f;
	int fd;

	fd = mkstemp(sbom);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
		"\"components\":[{\"type\":\"file\",\"name\":\"a\","
		"\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064d\"}]}]}",
		7);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "bomgate compile %s -o /dev/null 2>&1", sbom);
	EXPECT_EQ(0, run(cmd)) TH_LOG("%s", out);
	unlink(sbom);
	ASSERT_EQ(0, stat("/dev/null", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

/* Issue 11, bug 6: with securityfs not mounted, lockdown was "ok, no
 * lockdown LSM" and the LSM list "missing"; unreadable is not absent, and
 * the kernel configuration and lsm= are the documented fallback. In a
 * private mount namespace, so the host's mounts stay as they are. */
TEST(doctor_unreadable_is_not_absent)
{
	char cmd[512];

	if (geteuid() || access("/usr/bin/unshare", X_OK))
		SKIP(return, "needs root and unshare(1)");
	snprintf(cmd, sizeof(cmd), "unshare -m sh -c 'umount /sys/kernel/security "
		 "2>/dev/null; %s/bomgate doctor --json'", tu_build());
	ASSERT_LE(0, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "{\"name\":\"lockdown\",\"status\":\"warn\","
			       "\"detail\":\"cannot tell: securityfs is not mounted"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "cannot read /sys/kernel/security/lsm (No such "
			       "file or directory: securityfs is not mounted)")) TH_LOG("%s", out);
	/* the fallback says what the kernel was built with, when it can */
	EXPECT_TRUE(strstr(out, "CONFIG_BPF_LSM") ||
		    strstr(out, "no kernel configuration to tell")) TH_LOG("%s", out);
	/* mounted (in the namespace), it is read */
	snprintf(cmd, sizeof(cmd), "unshare -m sh -c 'mountpoint -q /sys/kernel/security || "
		 "mount -t securityfs securityfs /sys/kernel/security; "
		 "%s/bomgate doctor --json'", tu_build());
	ASSERT_LE(0, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "{\"name\":\"lockdown\",\"status\":\"ok\""))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"detail\":\"active LSMs: ")) TH_LOG("%s", out);
}

/* As non-root, EPERM is our privileges, not the kernel. */
TEST(doctor_as_non_root_blames_privileges)
{
	char cmd[512];

	if (geteuid() || access("/usr/bin/setpriv", X_OK))
		SKIP(return, "needs root (to drop it) and setpriv(1)");
	snprintf(cmd, sizeof(cmd), "setpriv --reuid=65534 --regid=65534 "
		 "--clear-groups %s/bomgate doctor --json", tu_build());
	EXPECT_EQ(1, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "{\"name\":\"privileges\",\"status\":\"missing\""));
	EXPECT_NE(NULL, strstr(out, "{\"name\":\"BPF LSM programs load\",\"status\":"
			       "\"warn\",\"detail\":\"not checked: loading BPF programs needs root"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "{\"name\":\"BPF map types\",\"status\":\"warn\""))
		TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "trampolines")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
