// SPDX-License-Identifier: GPL-2.0
/*
 * Audit mode answers "what would break if I enforce?" (issue 16): a real
 * workload runs under a real bomgated in audit with a policy that misses
 * two programs; `bomgate report` over the daemon's own event file names
 * exactly those two, with their digests and how often each ran; the same
 * events against a fixed candidate policy would deny nothing; coverage
 * says the listed program ran.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "kselftest_harness.h"
#include "control.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgr"
#define OK	D "/ok/busybox"
#define BAD1	D "/bad1/busybox"
#define BAD2	D "/bad2/busybox"
#define PIN	"/sys/fs/bpf/bgr-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"

#include "daemontest.h"

static char hex1[65], hex2[65];

static int hex_of(const char *path, char hex[65])
{
	unsigned char dg[32];

	if (vm_sha256_file(path, dg))
		return -1;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	return 0;
}

/*
 * p1: OK, /bin/sh and what the lock-out guard lists (bomgated, the CLI,
 * their libraries: a daemon restarted, or the CLI run, in the gated
 * cgroup is no decision to report); p2: the same, and the two programs
 * p1 missed.
 */
static int make_policies(void)
{
	const char *b = tu_build();
	char ok[65], sh_[65], line[1200], comps[16384] = "";
	size_t l = 0;
	FILE *g;

	mkdir(D, 0755);
	mkdir(D "/ok", 0755);
	mkdir(D "/bad1", 0755);
	mkdir(D "/bad2", 0755);
	if (vm_copy("/bin/busybox", OK, NULL) ||
	    vm_copy("/bin/busybox", BAD1, "\n") ||
	    vm_copy("/bin/busybox", BAD2, "\n\n") ||
	    hex_of(OK, ok) || hex_of("/bin/sh", sh_) ||
	    hex_of(BAD1, hex1) || hex_of(BAD2, hex2))
		return -1;
	if (!access(D "/p2.bgp", F_OK))
		return 0;
	snprintf(line, sizeof(line), "%s/bomgated --guard-list", b);
	g = popen(line, "r");
	while (g && fgets(line, sizeof(line), g) && l < sizeof(comps) - 300)
		if (strlen(line) > 66 && line[64] == ' ')
			l += snprintf(comps + l, sizeof(comps) - l,
				      "{\"type\":\"file\",\"name\":\"guard\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%.64s\"}]},",
				      line);
	if (g)
		pclose(g);
	g = fopen(D "/sbom.json", "w");
	if (!g)
		return -1;
	fprintf(g, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[%s"
		"{\"type\":\"file\",\"name\":\"ok-busybox\",\"version\":\"1\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]},"
		"{\"type\":\"file\",\"name\":\"sh\",\"version\":\"1\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}]}\n",
		comps, ok, sh_);
	if (fclose(g))
		return -1;
	return sh("cd " D " && "
		  "%s/bomgate key generate --bits 2048 -o k.pem -c c.pem -s CN=auditor && "
		  "printf 'version 1\\nname p1\\nsbom sbom.json\\n' > p1.policy && "
		  "printf 'version 2\\nname p2\\nsbom sbom.json\\nallow %s bad1 is ours\\nallow %s bad2 is ours\\n' > p2.policy && "
		  "%s/bomgate compile -s p1.policy -o p1.bgp && %s/bomgate sign -k k.pem -c c.pem p1.bgp && "
		  "%s/bomgate compile -s p2.policy -o p2.bgp 2>&1",
		  b, hex1, hex2, b, b, b);
}

FIXTURE(report) {
	char cg[256];
	pid_t pid;
};

FIXTURE_SETUP(report)
{
	__u64 id;

	self->pid = -1;
	ASSERT_EQ(0, make_policies()) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, vm_copy(D "/p1.bgp", POL, NULL));
	ASSERT_EQ(0, vm_copy(D "/p1.bgp.sig", POL ".sig", NULL));
	engine_pin_remove(PIN);
	unlink(EVENTS);
	unlink(LOG);
	ASSERT_EQ(0, vm_cgroup_enter(self->cg, sizeof(self->cg), &id));
}

FIXTURE_TEARDOWN(report)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	engine_pin_remove(PIN);
	vm_cgroup_leave(self->cg);
}

/* Lines of EVENTS holding @needle (and @also, and @more, when not NULL):
 * the raw log's own count, to check the report against. */
static int lines_with3(const char *needle, const char *also, const char *more)
{
	const char *s = file(EVENTS);
	int n = 0;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char line[8192];

		snprintf(line, sizeof(line), "%.*s", (int)len, s);
		n += strstr(line, needle) && (!also || strstr(line, also)) &&
		     (!more || strstr(line, more));
		s += len + (e != NULL);
	}
	return n;
}

static int lines_with(const char *needle, const char *also)
{
	return lines_with3(needle, also, NULL);
}

TEST_F_TIMEOUT(report, audit_report_names_what_enforce_would_break, 240)
{
	const char *b = tu_build();
	char want[512];
	int u1, u2, m1, m2;

	self->pid = start(self->cg, "audit", "--coalesce 0");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(RAN_OK, run(BAD1));
	EXPECT_EQ(RAN_OK, run(BAD2));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_EQ(RAN_OK, run(OK));
	/* the daemon writes what the kernel reported: wait for all four */
	for (int i = 0; i < 100 && lines_with("\"decision\":\"would-deny\"", NULL) < 4; i++)
		usleep(100000);
	/* the kernel's counts, also after the daemon was killed and resumed */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = start(self->cg, "audit", "--coalesce 0");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(0, sh("%s/bomgate coverage --socket " SOCK " > " D "/cov.json", b))
		TH_LOG("%s", dt_out);
	kill(self->pid, SIGTERM);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	/* every decision is a use: the exec, and the loader mapping the
	 * program (busybox may also exec itself again) */
	u1 = lines_with3("\"path\":\"" BAD1 "\"", "\"would-deny\"", "\"hook\":\"exec\"");
	u2 = lines_with3("\"path\":\"" BAD2 "\"", "\"would-deny\"", "\"hook\":\"exec\"");
	m1 = lines_with3("\"path\":\"" BAD1 "\"", "\"would-deny\"", "\"hook\":\"mmap\"");
	m2 = lines_with3("\"path\":\"" BAD2 "\"", "\"would-deny\"", "\"hook\":\"mmap\"");
	EXPECT_LE(3, u1);
	EXPECT_LE(1, u2);
	EXPECT_EQ(u1 + u2 + m1 + m2, lines_with("\"would-deny\"", NULL))
		TH_LOG("%s", file(EVENTS));

	EXPECT_EQ(1, sh("%s/bomgate report --json " EVENTS " 2>&1", b));
	snprintf(want, sizeof(want), "\"path\":\"" BAD1 "\",\"sha256\":\"%s\",\"uses\":%d,", hex1, u1);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	snprintf(want, sizeof(want), "\"path\":\"" BAD2 "\",\"sha256\":\"%s\",\"uses\":%d,", hex2, u2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	snprintf(want, sizeof(want), "\"exec\":{\"ready\":false,\"files\":2,\"uses\":%d}", u1 + u2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	snprintf(want, sizeof(want), "\"mmap\":{\"ready\":%s,\"files\":%d,\"uses\":%d}",
		 m1 + m2 ? "false" : "true", !!m1 + !!m2, m1 + m2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	EXPECT_EQ(NULL, strstr(dt_out, OK "\"")) TH_LOG("%s", dt_out);

	/* the text says the same, and what to do */
	EXPECT_EQ(1, sh("%s/bomgate report " EVENTS " 2>&1", b));
	snprintf(want, sizeof(want), "exec      NOT READY: 2 distinct files, %d uses", u1 + u2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "fix: not in any SBOM"));

	/* the candidate policy would have denied nothing */
	EXPECT_EQ(0, sh("%s/bomgate report --json --against " D "/p2.bgp " EVENTS " 2>&1", b))
		TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"files_against\":0}"));
	snprintf(want, sizeof(want), "\"newly_allowed\":%d", 2 + !!m1 + !!m2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	/* ... and the policy in force is not it */
	EXPECT_EQ(1, sh("%s/bomgate report --against " D "/p1.bgp " EVENTS " 2>&1", b));

	/* coverage: without allowed events nothing shows as run; the
	 * kernel's counts know the listed busybox ran, twice */
	EXPECT_EQ(1, sh("%s/bomgate report --json --coverage --policy " POL " " EVENTS " 2>&1", b));
	EXPECT_NE(NULL, strstr(dt_out, "{\"name\":\"ok-busybox\",\"version\":\"1\",\"files\":1,\"ran\":0}"))
		TH_LOG("%s", dt_out);
	snprintf(want, sizeof(want), "\"sha256\":\"%s\",\"hook\":\"exec\",\"allowed\":0,\"refused\":%d,", hex1, u1);
	EXPECT_NE(NULL, strstr(file(D "/cov.json"), want)) TH_LOG("%s\n%s", want, file(D "/cov.json"));
	EXPECT_NE(NULL, strstr(dt_out, "\"full\":0,")) TH_LOG("%s", dt_out);
	EXPECT_EQ(1, sh("%s/bomgate report --json --coverage --policy " POL " --kernel " D "/cov.json 2>&1", b));
	EXPECT_NE(NULL, strstr(dt_out, "{\"name\":\"ok-busybox\",\"version\":\"1\",\"files\":1,\"ran\":1}"))
		TH_LOG("%s", dt_out);
	/* from the kernel's counts alone, the same two files would break */
	snprintf(want, sizeof(want), "\"path\":\"\",\"sha256\":\"%s\",\"uses\":%d,", hex1, u1);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
	snprintf(want, sizeof(want), "\"exec\":{\"ready\":false,\"files\":2,\"uses\":%d}", u1 + u2);
	EXPECT_NE(NULL, strstr(dt_out, want)) TH_LOG("%s\n%s", want, dt_out);
}

/* A full table is counted, never grown: two pairs fit, the rest are
 * counted as missed in status and in the dump. */
TEST_F_TIMEOUT(report, coverage_table_full_is_counted, 120)
{
	const char *b = tu_build();

	self->pid = start(self->cg, "audit", "--coverage-max 2");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(RAN_OK, run(OK));
	EXPECT_EQ(RAN_OK, run(BAD1));
	EXPECT_EQ(RAN_OK, run(BAD2));
	EXPECT_EQ(RAN_OK, run(BAD2));
	EXPECT_EQ(0, sh("%s/bomgate coverage --socket " SOCK, b)) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "\"max\":2,")) TH_LOG("%s", dt_out);
	EXPECT_EQ(NULL, strstr(dt_out, "\"full\":0,")) TH_LOG("%s", dt_out);
	EXPECT_LT(0, ctl("status"));
	EXPECT_EQ(NULL, strstr(dt_out, "\"coverage_full\":0")) TH_LOG("%s", dt_out);
}

TEST_HARNESS_MAIN
