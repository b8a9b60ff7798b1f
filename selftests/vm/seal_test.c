// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed mode against root (docs/threat-model.md, "Sealed: root's moves"):
 * a signed policy with "seal yes" names build/bomgated; then every move
 * of root's below must leave an unlisted payload denied and be reported as
 * a tamper event, also with the daemon killed; the genuine daemon with
 * hostile options gains nothing; a signed policy without seal steps down,
 * and disable then works. Unsealed, a change made behind the daemon's back
 * is reported within seconds. Runs last: while sealed, nothing but the
 * daemon opens a bg_* map anywhere in the guest.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "kselftest_harness.h"
#include "control.h"
#include "engine_pin.h"
#include "testutil.h"

#define D	"/tmp/bgs"
#define OK	D "/ok/busybox"
#define BAD	D "/bad/busybox"
#define PIN	"/sys/fs/bpf/bgs-test"
#define SOCK	D "/ctl.sock"
#define EVENTS	D "/events.jsonl"
#define LOG	D "/daemon.log"
#define POL	D "/policy.bgp"
#define EXT4	"/mnt/bgext4"

#include "daemontest.h"

static void sbom_add(FILE *f, int *n, const char *name, const char *path)
{
	unsigned char dg[32];
	char hex[65];

	if (vm_sha256_file(path, dg))
		return;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	fprintf(f, "%s{\"type\":\"file\",\"name\":\"%s\",\"version\":\"1.0\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}",
		(*n)++ ? "," : "", name, hex);
}

/* OK, the CLI and its libraries, /bin/sh and what the guard needs. */
static int write_sbom(const char *path)
{
	char p[1024], line[1200];
	FILE *f, *g;
	int n = 0;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[", f);
	sbom_add(f, &n, "ok-busybox", OK);
	sbom_add(f, &n, "ok-busybox-ext4", EXT4 "/bgs/busybox");
	snprintf(p, sizeof(p), "%s/bomgate", tu_build());
	sbom_add(f, &n, "bomgate", p);
	snprintf(p, sizeof(p), "ldd %s/bomgate; %s/bomgated --guard-list",
		 tu_build(), tu_build());
	g = popen(p, "r");
	while (g && fgets(line, sizeof(line), g)) {
		char *a = strstr(line, "=> /"), *e;

		line[strcspn(line, "\n")] = '\0';
		if (a && (e = strstr(a, " ("))) {
			*e = '\0';
			sbom_add(f, &n, "lib", a + 3);
		} else if (strlen(line) > 66 && line[64] == ' ') {
			sbom_add(f, &n, "guard", line + 66);
		}
	}
	if (g)
		pclose(g);
	sbom_add(f, &n, "sh", "/bin/sh");
	fputs("]}\n", f);
	return fclose(f) ? -errno : 0;
}

/* s10: sealed; s9: sealed but older; u11: unsealed (the step down);
 * f12: unsealed, signed by a foreign key. */
static int make_policies(void)
{
	const char *b = tu_build();
	unsigned char dg[32];
	char p[512], hex[65];

	if (!access(D "/s13.bgp.sig", F_OK))
		return 0;
	mkdir(D, 0755);
	mkdir(D "/ok", 0755);
	mkdir(D "/bad", 0755);
	mkdir(EXT4 "/bgs", 0755);
	snprintf(p, sizeof(p), "%s/bomgated", b);
	if (vm_sha256_file(p, dg))
		return -1;
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", dg[i]);
	/* an unlisted kernel module (a real one of this kernel) */
	if (sh("m=/lib/modules/$(uname -r)/kernel/lib/ts_kmp.ko; "
	       "if [ -f $m.xz ]; then xz -dc $m.xz > " D "/ts_kmp.ko; "
	       "else cp $m " D "/ts_kmp.ko; fi"))
		return -1;
	if (vm_copy("/bin/busybox", OK, NULL) ||
	    vm_copy("/bin/busybox", BAD, "\n") ||
	    vm_copy("/bin/busybox", EXT4 "/bgs/busybox", NULL) ||
	    write_sbom(D "/sbom.json"))
		return -1;
	return sh("cd " D " && "
		  "%s/bomgate key generate --bits 2048 -o k.pem -c c.pem -s CN=sealer && "
		  "%s/bomgate key generate --bits 2048 -o wk.pem -c wc.pem -s CN=foreign && "
		  "for v in 9 10 14; do printf 'version %%s\\nname sealed\\nsbom sbom.json\\nseal yes\\ndaemon %s bomgated under test\\n' $v > s$v.policy && "
		  "%s/bomgate compile -s s$v.policy -o s$v.bgp && %s/bomgate sign -k k.pem -c c.pem s$v.bgp || exit 1; done && "
		  "for v in 11 15; do printf 'version %%s\\nname unsealed\\nsbom sbom.json\\n' $v > u$v.policy && "
		  "%s/bomgate compile -s u$v.policy -o u$v.bgp && %s/bomgate sign -k k.pem -c c.pem u$v.bgp || exit 1; done && "
		  "printf 'version 12\\nname foreign\\nsbom sbom.json\\n' > f12.policy && "
		  "%s/bomgate compile -s f12.policy -o f12.bgp && %s/bomgate sign -k wk.pem -c wc.pem f12.bgp && "
		  "printf '{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[]}' > bare.json && "
		  "printf 'version 13\\nname bare\\nsbom bare.json\\nseal yes\\ndaemon %s bomgated under test\\n' > s13.policy && "
		  "%s/bomgate compile -s s13.policy -o s13.bgp && %s/bomgate sign -k k.pem -c c.pem s13.bgp 2>&1",
		  b, b, hex, b, b, b, b, b, b, hex, b, b);
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

static int sealed(void)
{
	for (int i = 0; i < 100; i++) {
		if (ctl("status") > 0 && strstr(dt_out, "\"sealed\":true"))
			return 1;
		usleep(100000);
	}
	return 0;
}

static int mount_ext4(void)
{
	return system("grep -q ' " EXT4 " ' /proc/mounts || { "
		      "modprobe virtio_blk && modprobe ext4 && udevadm settle 2>/dev/null; "
		      "for i in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done; "
		      "mkfs.ext4 -q -F /dev/vda && mkdir -p " EXT4 " && "
		      "mount /dev/vda " EXT4 "; }");
}

FIXTURE(seal) {
	char cg[256];
	pid_t pid;
};

FIXTURE_SETUP(seal)
{
	__u64 id;

	self->pid = -1;
	ASSERT_EQ(0, mount_ext4());
	ASSERT_EQ(0, make_policies()) TH_LOG("%s", dt_out);
	engine_pin_remove(PIN);
	unlink(EVENTS);
	unlink(LOG);
	ASSERT_EQ(0, vm_cgroup_enter(self->cg, sizeof(self->cg), &id));
}

FIXTURE_TEARDOWN(seal)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	engine_pin_remove(PIN);
	vm_cgroup_leave(self->cg);
}

/* Every id of @kind whose fd is refused; no bomgate object is handed out. */
static int refused_ids(int kind)
{
	__u32 id = 0;
	int refused = 0;

	for (;;) {
		struct bpf_prog_info pi = {};
		struct bpf_map_info mi = {};
		__u32 len;
		int fd, ret;

		ret = kind == 0 ? bpf_map_get_next_id(id, &id) :
		      kind == 1 ? bpf_prog_get_next_id(id, &id) :
				  bpf_link_get_next_id(id, &id);
		if (ret)
			break;
		fd = kind == 0 ? bpf_map_get_fd_by_id(id) :
		     kind == 1 ? bpf_prog_get_fd_by_id(id) :
				 bpf_link_get_fd_by_id(id);
		if (fd < 0) {
			refused += errno == EPERM;
			continue;
		}
		if (kind == 0) {
			len = sizeof(mi);
			if (!bpf_obj_get_info_by_fd(fd, &mi, &len) &&
			    !strncmp(mi.name, "bg_", 3))
				refused = -1000;	/* handed out */
		} else if (kind == 1) {
			len = sizeof(pi);
			if (!bpf_obj_get_info_by_fd(fd, &pi, &len) &&
			    !strncmp(pi.name, "bg_", 3))
				refused = -1000;	/* handed out */
		}
		close(fd);
	}
	return refused;
}

/* The moves that need no daemon: each refused, the payload still denied. */
static void root_moves(struct __test_metadata *_metadata, pid_t daemon)
{
	LIBBPF_OPTS(bpf_prog_load_opts, po,
		    .expected_attach_type = BPF_MODIFY_RETURN);
	struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct iovec l = { dt_out, 8 }, r = { 0, 8 };
	char p[64];
	int fd;

	/* map update through the pin, by id; programs, links by id */
	EXPECT_GT(0, bpf_obj_get(PIN "/bg_config"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_LE(5, refused_ids(0));
	EXPECT_LE(1, refused_ids(1));
	EXPECT_LE(1, refused_ids(2));
	/* the pins: open, list, unlink, rename */
	EXPECT_GT(0, bpf_obj_get(PIN "/link_bg_exec"));
	EXPECT_EQ(-1, unlink(PIN "/bg_policy"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(PIN, "/sys/fs/bpf/bgs-moved"));
	EXPECT_EQ(EPERM, errno);
	/* the bpffs: umount (also lazy), mounts over it */
	EXPECT_EQ(-1, umount2("/sys/fs/bpf", 0));
	EXPECT_EQ(-1, umount2("/sys/fs/bpf", MNT_DETACH));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mount("none", PIN, "tmpfs", 0, NULL));
	EXPECT_EQ(-1, mount("none", "/sys/fs/bpf", "tmpfs", 0, NULL));
	EXPECT_EQ(EPERM, errno);
	/* mount(2) MS_MOVE of the bpffs elsewhere: sb_mount sees only the
	 * source's name, so the move itself may pass; the pins stay theirs */
	mkdir(D "/mv", 0755);
	if (!mount("/sys/fs/bpf", D "/mv", NULL, MS_MOVE, NULL)) {
		EXPECT_EQ(-1, unlink(D "/mv/bgs-test/bg_policy"));
		EXPECT_EQ(EPERM, errno);
		EXPECT_EQ(-1, umount2(D "/mv", MNT_DETACH));
		EXPECT_EQ(EPERM, errno);
		EXPECT_EQ(EPERM, run(BAD));
		EXPECT_EQ(0, mount(D "/mv", "/sys/fs/bpf", NULL, MS_MOVE, NULL));
	} else {
		EXPECT_EQ(EPERM, errno);
	}
	/* an unlisted kernel module: the module class stays in enforce */
	fd = open(D "/ts_kmp.ko", O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd);
	EXPECT_EQ(-1, syscall(SYS_finit_module, fd, "", 0));
	EXPECT_EQ(EPERM, errno);
	if (fd >= 0)
		close(fd);
	/* programs that change a hook's outcome: fmod_ret, kprobe */
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "x", "GPL", ret0, 2, &po);
	EXPECT_GT(0, fd);
	EXPECT_EQ(EPERM, errno);
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "x", "GPL", ret0, 2, NULL);
	EXPECT_GT(0, fd);
	EXPECT_EQ(EPERM, errno);
	/* a raw write to the block device under a cached digest */
	EXPECT_EQ(RAN_OK, run(EXT4 "/bgs/busybox"));
	EXPECT_GT(0, open("/dev/vda", O_WRONLY));
	EXPECT_EQ(EPERM, errno);
	/* the daemon's memory */
	if (daemon > 0) {
		EXPECT_EQ(-1, ptrace(PTRACE_ATTACH, daemon, 0, 0));
		EXPECT_EQ(EPERM, errno);
		snprintf(p, sizeof(p), "/proc/%d/mem", daemon);
		EXPECT_GT(0, open(p, O_RDWR));
		r.iov_base = (void *)0x400000;
		EXPECT_EQ(-1, process_vm_writev(daemon, &l, 1, &r, 1, 0));
		EXPECT_EQ(EPERM, errno);
	}
	EXPECT_EQ(EPERM, run(BAD));
}

/*
 * A running, unsealed daemon reloads a policy that seals: the kernel marks
 * a sealed daemon only at exec and the sandbox allows no exec, so it says
 * so and exits 8 (systemd restarts it); enforcement stays meanwhile; the
 * daemon started again is marked and the system sealed.
 */
TEST_F_TIMEOUT(seal, reload_that_seals_restarts_to_be_marked, 240)
{
	int st;

	ASSERT_EQ(0, use_policy("u11"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"sealed\":false")) TH_LOG("%s", dt_out);

	ASSERT_EQ(0, use_policy("s14"));
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"version\":14,")) TH_LOG("%s", dt_out);
	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 8) TH_LOG("status %#x: %s", st, file(LOG));
	EXPECT_NE(NULL, strstr(file(LOG), "must start again to be marked")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));

	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_TRUE(sealed()) TH_LOG("%s\n%s", dt_out, file(LOG));
	EXPECT_EQ(EPERM, run(BAD));

	/* the signers unseal: a newer policy without the seal */
	ASSERT_EQ(0, use_policy("u15"));
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"sealed\":false")) TH_LOG("%s", dt_out);
}

TEST_F_TIMEOUT(seal, root_moves_refused_then_signers_step_down, 300)
{
	const char *b = tu_build();

	ASSERT_EQ(0, use_policy("s10"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_TRUE(sealed()) TH_LOG("%s\n%s", dt_out, file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_EQ(RAN_OK, run(OK));

	root_moves(_metadata, self->pid);
	/* loosening through the daemon */
	EXPECT_NE(0, sh("%s/bomgate disable --socket " SOCK " 2>&1", b));
	EXPECT_NE(NULL, strstr(dt_out, "sealed")) TH_LOG("%s", dt_out);
	EXPECT_NE(0, sh("%s/bomgate mode off --socket " SOCK " 2>&1", b));
	ASSERT_EQ(0, use_policy("s9"));	/* older */
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "older")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, use_policy("f12"));	/* foreign signer */
	EXPECT_LT(0, ctl("reload"));
	EXPECT_EQ(NULL, strstr(dt_out, "\"ok\":true")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_TRUE(sealed());

	/* every refusal was reported */
	EXPECT_TRUE(event_seen("\"hook\":\"bpf-map\",\"decision\":\"denied\",\"reason\":\"sealed\""));
	EXPECT_TRUE(event_seen("\"hook\":\"bpf-prog\""));
	EXPECT_TRUE(event_seen("\"hook\":\"bpf\""));
	EXPECT_TRUE(event_seen("\"hook\":\"pin\""));
	EXPECT_TRUE(event_seen("\"hook\":\"mount\""));
	EXPECT_TRUE(event_seen("\"hook\":\"ptrace\""));
	EXPECT_TRUE(event_seen("\"hook\":\"bdev-write\""));
	EXPECT_TRUE(event_seen("\"type\":\"tamper\""));

	/* the daemon killed: nothing changes, nobody is the daemon */
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	root_moves(_metadata, -1);
	/* the genuine daemon, hostile options: a foreign certificate */
	EXPECT_NE(0, sh("%s/bomgated --policy " D "/f12.bgp --trust " D "/wc.pem "
			"--trust " D "/c.pem --mode off --pin-dir " PIN
			" --socket " D "/x.sock --events-syslog=no --scope-cgroup %s 2>&1",
			b, self->cg));
	EXPECT_NE(NULL, strstr(dt_out, "sealed")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));

	/* the signers step down: a newer signed policy without seal */
	ASSERT_EQ(0, use_policy("s10"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_TRUE(sealed());
	ASSERT_EQ(0, use_policy("u11"));
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"sealed\":false")) TH_LOG("%s", dt_out);
	EXPECT_EQ(0, sh("%s/bomgate disable --socket " SOCK " 2>&1", b))
		TH_LOG("%s", dt_out);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	EXPECT_EQ(0, engine_pin_count(PIN));
	EXPECT_EQ(RAN_OK, run(BAD));
}

/* @path with its first @from replaced by @to (C: the shell's tools are
 * not listed under the seal). */
static int edit_file(const char *path, const char *out, const char *from,
		     const char *to)
{
	char buf[8192], *at;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	at = strstr(buf, from);
	if (!at)
		return -1;
	f = fopen(out, "w");
	if (!f)
		return -1;
	fprintf(f, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
	return fclose(f);
}

/* bomgate token create for the daemon's status now. */
static int token(const char *key, const char *status, const char *action,
		 const char *out)
{
	return sh("cd " D " && %s/bomgate token create --for %s --action '%s' "
		  "-k %s.pem -c %s.pem -o %s 2>&1", tu_build(), status, action,
		  key, key[0] == 'w' ? "wc" : "c", out);
}

static int with_token(const char *cmd, const char *tok)
{
	return sh("%s/bomgate %s --token " D "/%s --socket " SOCK " 2>&1",
		  tu_build(), cmd, tok);
}

/*
 * Sealed, the signers' step-down token lowers a mode or disables, once,
 * here, now: a token by another key, for another change, edited, for
 * another machine or used twice is refused, each a tamper event.
 */
TEST_F_TIMEOUT(seal, step_down_token_once_here_now, 300)
{
	const char *b = tu_build();
	char mid[64], other[64];

	if (access("/etc/machine-id", F_OK))
		tu_put("/etc", "machine-id", "0123456789abcdef0123456789abcdef\n");
	ASSERT_EQ(0, use_policy("s10"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_TRUE(sealed()) TH_LOG("%s\n%s", dt_out, file(LOG));
	ASSERT_EQ(0, sh("%s/bomgate status --json --socket " SOCK " > " D "/st.json", b));
	EXPECT_NE(NULL, strstr(file(D "/st.json"), "\"token_serial\":0"))
		TH_LOG("%s", dt_out);
	/* the text status says so too, from the kernel */
	EXPECT_EQ(0, sh("%s/bomgate status --socket " SOCK " 2>&1", b));
	EXPECT_NE(NULL, strstr(dt_out, "sealed:   yes, 1 signature(s)")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "daemons (sha256 of bomgated): ")) TH_LOG("%s", dt_out);

	ASSERT_EQ(0, token("k", "st.json", "mode audit", "ta")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, token("wk", "st.json", "mode audit", "tf")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, token("k", "st.json", "disable", "td")) TH_LOG("%s", dt_out);
	/* the same status with another machine's id */
	snprintf(mid, 33, "%s", file("/etc/machine-id"));
	ASSERT_EQ(32, strlen(mid));
	strcpy(other, mid);
	other[0] = mid[0] == '0' ? '1' : '0';
	ASSERT_EQ(0, edit_file(D "/st.json", D "/other.json", mid, other));
	ASSERT_EQ(0, token("k", "other.json", "mode audit", "tm")) TH_LOG("%s", dt_out);
	ASSERT_EQ(0, edit_file(D "/ta", D "/te", "serial: 1", "serial: 9"));
	ASSERT_EQ(0, vm_copy(D "/ta.sig", D "/te.sig", NULL));

	EXPECT_EQ(4, with_token("mode audit", "tf"));
	EXPECT_NE(NULL, strstr(dt_out, "token refused")) TH_LOG("%s", dt_out);
	EXPECT_EQ(4, with_token("mode audit", "td"));
	EXPECT_NE(NULL, strstr(dt_out, "authorises 'disable', not 'mode audit'"))
		TH_LOG("%s", dt_out);
	EXPECT_EQ(4, with_token("mode audit", "te"));
	EXPECT_NE(NULL, strstr(dt_out, "token refused")) TH_LOG("%s", dt_out);
	EXPECT_EQ(4, with_token("mode audit", "tm"));
	EXPECT_NE(NULL, strstr(dt_out, "token for machine")) TH_LOG("%s", dt_out);
	EXPECT_EQ(5, with_token("mode audit", "missing"));
	EXPECT_NE(NULL, strstr(dt_out, "missing: No such file")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));

	/* the genuine token: once */
	EXPECT_EQ(0, with_token("mode audit", "ta")) TH_LOG("%s", dt_out);
	EXPECT_EQ(RAN_OK, run(BAD));
	EXPECT_EQ(0, sh("%s/bomgate mode enforce --socket " SOCK " 2>&1", b))
		TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	EXPECT_EQ(4, with_token("mode audit", "ta"));
	EXPECT_NE(NULL, strstr(dt_out, "serial 1 was used")) TH_LOG("%s", dt_out);
	EXPECT_EQ(EPERM, run(BAD));
	/* made before the genuine one was used: its serial is spent too */
	EXPECT_EQ(4, with_token("disable", "td"));
	EXPECT_NE(NULL, strstr(dt_out, "serial 1 was used")) TH_LOG("%s", dt_out);
	EXPECT_TRUE(event_seen("\"what\":\"token\""));
	EXPECT_TRUE(sealed());

	/* disable with a fresh token */
	ASSERT_EQ(0, sh("%s/bomgate status --json --socket " SOCK " > " D "/st.json", b));
	EXPECT_NE(NULL, strstr(file(D "/st.json"), "\"token_serial\":1"));
	ASSERT_EQ(0, token("k", "st.json", "disable", "td2")) TH_LOG("%s", dt_out);
	EXPECT_EQ(0, with_token("disable", "td2")) TH_LOG("%s", dt_out);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	EXPECT_EQ(0, engine_pin_count(PIN));
	EXPECT_EQ(RAN_OK, run(BAD));
}

/* A library of the daemon's, copied with a byte more: unlisted. */
static int unlisted_library(char *out, size_t len)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libdl.so.2",
		"/lib/aarch64-linux-gnu/libdl.so.2",
	};

	snprintf(out, len, D "/bad/libdl.so.2");
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (!access(libs[i], R_OK))
			return vm_copy(libs[i], out, "\n");
	return -1;
}

/*
 * Sealed, the daemon's own code is enforced even with every class in
 * audit: root preloading an unlisted library into the genuine bomgated
 * gets it refused (ld.so ignores it), while the same preload into a shell
 * is only reported. A sealing policy that would deny the daemon's own
 * libraries is refused.
 */
TEST_F_TIMEOUT(seal, sealed_daemon_runs_only_listed_code, 240)
{
	const char *b = tu_build();
	char lib[256];

	ASSERT_EQ(0, unlisted_library(lib, sizeof(lib)));
	ASSERT_EQ(0, use_policy("s10"));
	self->pid = start(self->cg, "audit", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	ASSERT_TRUE(sealed()) TH_LOG("%s\n%s", dt_out, file(LOG));
	EXPECT_EQ(RAN_OK, run(BAD));	/* audit */

	sh("LD_PRELOAD=%s %s/bomgated --check 2>&1", lib, b);
	EXPECT_NE(NULL, strstr(dt_out, "cannot be preloaded")) TH_LOG("%s", dt_out);
	EXPECT_EQ(0, sh("LD_PRELOAD=%s /bin/sh -c 'echo shell ran' 2>&1", lib));
	EXPECT_EQ(NULL, strstr(dt_out, "cannot be preloaded")) TH_LOG("%s", dt_out);
	EXPECT_NE(NULL, strstr(dt_out, "shell ran"));

	/* the genuine bytes in a memfd that stays writable: whoever holds
	 * the fd could change them under the running daemon, so the kernel
	 * does not mark it: it cannot reach the pins it would resume from */
	{
		char src[256], buf[65536];
		int in, mfd = memfd_create("bomgated", 0);
		ssize_t n;
		int rc;

		snprintf(src, sizeof(src), "%s/bomgated", b);
		in = open(src, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, mfd);
		ASSERT_LE(0, in);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			ASSERT_EQ(n, write(mfd, buf, n));
		close(in);
		rc = sh("timeout 30 /proc/self/fd/%d --policy " POL " --trust " D "/c.pem "
			"--mode audit --pin-dir " PIN " --socket " D "/m.sock "
			"--events-syslog=no --scope-cgroup %s 2>&1", mfd, self->cg);
		close(mfd);
		TH_LOG("bomgated from a writable memfd: exit %d: %.300s", rc, dt_out);
		/* it ran (its own messages), and was refused */
		EXPECT_NE(NULL, strstr(dt_out, "bomgated:")) TH_LOG("%s", dt_out);
		EXPECT_NE(0, rc) TH_LOG("%s", dt_out);
		EXPECT_NE(124, rc) TH_LOG("ran as a daemon: %s", dt_out);
		/* and told why: the seal, not the kernel */
		EXPECT_NE(NULL, strstr(dt_out, "this refusal is the seal working")) TH_LOG("%s", dt_out);
		EXPECT_GT(0, ctl_connect(D "/m.sock"));
		EXPECT_TRUE(event_seen("\"reason\":\"sealed\""));
	}

	ASSERT_EQ(0, use_policy("s13"));
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "own code is always enforced")) TH_LOG("%s", dt_out);
	EXPECT_TRUE(sealed());

	/* down again for the next test: a signed policy without seal */
	ASSERT_EQ(0, use_policy("u11"));
	EXPECT_LT(0, ctl("reload"));
	EXPECT_NE(NULL, strstr(dt_out, "\"sealed\":false")) TH_LOG("%s", dt_out);
}

/* Unsealed, root can change the kernel's state; the daemon says so. */
TEST_F_TIMEOUT(seal, unsealed_tamper_reported_and_status_tells_the_kernel, 240)
{
	struct bg_config cfg;
	__u32 zero = 0;
	int fd;

	ASSERT_EQ(0, use_policy("u11"));
	self->pid = start(self->cg, "enforce", "");
	ASSERT_LT(0, self->pid) TH_LOG("%s", file(LOG));
	EXPECT_EQ(EPERM, run(BAD));
	fd = bpf_obj_get(PIN "/bg_config");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &zero, &cfg));
	memset(cfg.mode, BG_MODE_OFF, sizeof(cfg.mode));
	ASSERT_EQ(0, bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY));
	close(fd);
	EXPECT_TRUE(event_seen("\"type\":\"tamper\"")) TH_LOG("%s", file(LOG));
	EXPECT_TRUE(event_seen("\"what\":\"config\""));
	ASSERT_LT(0, ctl("status"));
	EXPECT_NE(NULL, strstr(dt_out, "\"exec\":\"off\"")) TH_LOG("%s", dt_out);

	/* pins removed behind its back: reported, and its stop says so */
	ASSERT_EQ(0, unlink(PIN "/link_bg_exec"));
	EXPECT_TRUE(event_seen("\"what\":\"pins\""));
	kill(self->pid, SIGTERM);
	waitpid(self->pid, NULL, 0);
	self->pid = -1;
	EXPECT_NE(NULL, strstr(file(LOG), "enforcement of those hooks ENDS"))
		TH_LOG("%s", dt_out);
}

TEST_HARNESS_MAIN
