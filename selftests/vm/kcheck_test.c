// SPDX-License-Identifier: GPL-2.0
/* In the VM (a kernel that can run bomgate), every check passes. */
#include "kselftest_harness.h"
#include "testutil.h"

static char out[65536];

TEST(check_passes_on_a_capable_kernel)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s/bomgated --check 2>&1", tu_build());
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "This kernel can run bomgate."));
	EXPECT_EQ(NULL, strstr(out, "missing"));
	snprintf(cmd, sizeof(cmd), "%s/bomgate doctor --json", tu_build());
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"can_enforce\":true"));
}

/* The item @name of doctor's "seal" array, as JSON text up to its end. */
static const char *seal_item(const char *name)
{
	char cmd[256], key[64];
	const char *at;

	snprintf(cmd, sizeof(cmd), "%s/bomgate doctor --json", tu_build());
	if (tu_run(cmd, out, sizeof(out)) < 0)
		return "";
	at = strstr(out, "\"seal\":[");
	snprintf(key, sizeof(key), "{\"name\":\"%s\"", name);
	at = at ? strstr(at, key) : NULL;
	if (!at)
		return "";
	((char *)strchr(at, '}'))[1] = '\0';
	return at;
}

/*
 * doctor says what a seal relies on, read from the kernel's own knobs:
 * turning unprivileged BPF on turns its item to a warning with the fix.
 */
TEST(doctor_reports_what_a_seal_relies_on)
{
	static const char *const names[] = {
		"secure boot", "lockdown integrity", "module signatures",
		"unprivileged bpf", "kexec_load", "writes to mounted disks",
	};
	char was[8] = "";
	FILE *f;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		EXPECT_NE(0, strlen(seal_item(names[i])))
			TH_LOG("%s: %s", names[i], out);
	}
	/* the guest boots through SeaBIOS: no Secure Boot to rely on */
	EXPECT_NE(NULL, strstr(seal_item("secure boot"), "\"status\":\"warn\""));

	f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(was, sizeof(was), f));
	fclose(f);
	if (was[0] != '2')
		SKIP(return, "unprivileged_bpf_disabled is %c: only 2 can be turned off and back", was[0]);
	EXPECT_NE(NULL, strstr(seal_item("unprivileged bpf"), "\"status\":\"ok\""));
	ASSERT_EQ(0, system("echo 0 > /proc/sys/kernel/unprivileged_bpf_disabled"));
	EXPECT_NE(NULL, strstr(seal_item("unprivileged bpf"), "\"status\":\"warn\""))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "unprivileged_bpf_disabled=2"));
	ASSERT_EQ(0, system("echo 2 > /proc/sys/kernel/unprivileged_bpf_disabled"));
	EXPECT_NE(NULL, strstr(seal_item("unprivileged bpf"), "\"status\":\"ok\""));
}

TEST_HARNESS_MAIN
