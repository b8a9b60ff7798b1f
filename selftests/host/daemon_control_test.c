// SPDX-License-Identifier: GPL-2.0
/* The control protocol: every request round-trips; malformed ones are
 * refused with a reason, never accepted by accident. */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "control.h"
#include "testutil.h"
#include "vocab.h"

TEST(requests_parse_and_round_trip)
{
	static const char *const good[] = {
		"status", "reload", "disable", "events", "mode audit",
		"mode enforce", "mode off exec", "mode enforce mmap",
		"mode audit kexec", "disable token", "mode off token",
		"mode audit firmware token",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ctl_req r;
		char err[128] = "", buf[CTL_MAX_REQ + 1];

		ASSERT_EQ(0, ctl_parse(good[i], strlen(good[i]), &r, err,
				       sizeof(err))) TH_LOG("%s: %s", good[i], err);
		ASSERT_EQ((int)strlen(good[i]), ctl_format(&r, buf, sizeof(buf)));
		EXPECT_STREQ(good[i], buf);
	}
}

TEST(mode_fields)
{
	struct ctl_req r;
	char err[128];

	ASSERT_EQ(0, ctl_parse("mode enforce mmap", 17, &r, err, sizeof(err)));
	EXPECT_EQ(CTL_MODE, r.verb);
	EXPECT_EQ(BG_MODE_ENFORCE, r.mode);
	EXPECT_EQ(BG_CLASS_MMAP, r.cls);
	ASSERT_EQ(0, ctl_parse("mode audit", 10, &r, err, sizeof(err)));
	EXPECT_EQ(-1, r.cls);
	EXPECT_EQ(0, r.token);
	ASSERT_EQ(0, ctl_parse("mode off module token", 21, &r, err, sizeof(err)));
	EXPECT_EQ(BG_MODE_OFF, r.mode);
	EXPECT_EQ(BG_CLASS_MODULE, r.cls);
	EXPECT_EQ(1, r.token);
	ASSERT_EQ(0, ctl_parse("disable token", 13, &r, err, sizeof(err)));
	EXPECT_EQ(CTL_DISABLE, r.verb);
	EXPECT_EQ(1, r.token);
}

struct bad {
	const char *req;
	size_t len;
	const char *msg;
};

TEST(malformed_requests_are_refused)
{
	static char longreq[CTL_MAX_REQ + 2];
	const struct bad bad[] = {
		{ "", 0, "empty request" },
		{ "stat", 4, "unknown request 'stat'" },
		{ "STATUS", 6, "unknown request" },
		{ "status now", 10, "takes no arguments" },
		{ "status\n", 7, "only printable ASCII" },
		{ "stat\0us", 7, "NUL byte at offset 4" },
		{ "mode", 4, "usage: mode" },
		{ "mode strict", 11, "unknown mode 'strict'" },
		{ "mode audit ptrace", 17, "unknown class 'ptrace'" },
		{ "mode audit exec x", 17, "usage: mode" },
		{ "mode  audit", 11, "empty word" },
		{ " status", 7, "empty word" },
		{ "status ", 7, "trailing space" },
		{ "mode\taudit", 10, "only printable ASCII" },
		{ "st\xc3\xa4tus", 7, "only printable ASCII" },
		{ "a b c d e f", 11, "too many words" },
		{ "disable now", 11, "usage: disable [token]" },
		{ "disable token token", 19, "usage: disable [token]" },
		{ "status token", 12, "takes no arguments" },
		{ "mode token", 10, "usage: mode" },
		{ "mode audit exec token x", 23, "usage: mode" },
		{ longreq, CTL_MAX_REQ + 1, "at most 256" },
	};

	memset(longreq, 'a', sizeof(longreq) - 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_req r;
		char err[128] = "";

		EXPECT_EQ(-EINVAL, ctl_parse(bad[i].req, bad[i].len, &r, err,
					     sizeof(err))) TH_LOG("%zu", i);
		EXPECT_NE(NULL, strstr(err, bad[i].msg))
			TH_LOG("%zu: '%s' vs '%s'", i, err, bad[i].msg);
	}
}

TEST(format_refuses_bad_verb_and_small_buffer)
{
	struct ctl_req r = { .verb = CTL_NR_VERBS };
	char buf[4];

	EXPECT_EQ(-EINVAL, ctl_format(&r, buf, sizeof(buf)));
	r.verb = CTL_STATUS;
	EXPECT_EQ(-ENOSPC, ctl_format(&r, buf, sizeof(buf)));
}

TEST(cli_without_daemon_says_unreachable)
{
	char cmd[256], out[1024];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/bomgate status --socket /nonexistent/bg.sock 2>&1",
		 getenv("BOMGATE_BUILD") ? getenv("BOMGATE_BUILD") : "build");
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	out[fread(out, 1, sizeof(out) - 1, p)] = '\0';
	st = pclose(p);
	EXPECT_EQ(5, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, "cannot reach bomgated")) TH_LOG("%s", out);
}

/*
 * The CLI reads the daemon's replies with a JSON parser: a reply served
 * over a real control socket is printed field by field (a signer with a
 * comma and a quote kept whole, control bytes shown as \\xHH), a refusal
 * exits 4 with the daemon's reason, a reply that is not JSON exits 3.
 */
static const char status_reply[] =
	"{\"ok\":true,\"protocol\":1,\"daemon\":{\"pid\":4242,\"version\":\"0.1.0\","
	"\"uptime_s\":17,\"resumed\":true,\"pin_dir\":\"/sys/fs/bpf/bomgate\"},"
	"\"policy\":{\"path\":\"/etc/p.bgp\",\"name\":\"web\\u001b[2J\",\"version\":7,"
	"\"generation\":7340033,\"sha256\":\"ab12\",\"entries\":3,"
	"\"signers\":\"/CN=alice, \\\"ops\\\"; /CN=bob\"},"
	"\"modes\":{\"exec\":\"enforce\",\"mmap\":\"audit\",\"module\":\"off\","
	"\"firmware\":\"off\",\"kexec\":\"audit\"},"
	"\"guard\":{\"held_back\":true,\"would_deny\":[\"/bin/sh\"]},"
	"\"counters\":{\"exec\":{\"allowed\":9,\"denied\":8,\"would-deny\":0}},"
	"\"allowed\":11,\"denied\":8,\"would_deny\":2,\"unmeasurable\":1,"
	"\"drops\":0,\"hashes\":5,\"cache_hits\":4,"
	"\"kernel\":{\"generation\":7340034,\"matches_daemon\":false,\"link_pins\":9,"
	"\"tampers\":2,\"sealed\":true,\"seal\":{\"daemons\":[\"d1\",\"d2\\u001b[31m\"],"
	"\"signers\":[\"f1\"],\"min_signers\":1,\"min_version\":7,"
	"\"id\":\"5d21\",\"token_serial\":3}}}";

static pid_t serve(const char *path, const char *const *replies, int n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4))
		return -1;
	pid = fork();
	if (pid) {
		close(fd);
		return pid;
	}
	for (int i = 0; i < n; i++) {
		char req[256];
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			_exit(1);
		if (recv(c, req, sizeof(req), 0) < 0 ||
		    send(c, replies[i], strlen(replies[i]), 0) < 0)
			_exit(1);
		close(c);
	}
	_exit(0);
}

TEST(cli_parses_daemon_replies)
{
	static const char *const replies[] = {
		status_reply,
		"{\"ok\":false,\"error\":\"lock-out guard: the policy would deny /bin/sh\"}",
		"{\"ok\":true, truncated",
	};
	char dir[] = "/tmp/bg-ctl-XXXXXX", sock[64], cmd[256], out[4096];
	int st;
	pid_t pid;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/s", dir);
	pid = serve(sock, replies, 3);
	ASSERT_LT(0, pid);

	snprintf(cmd, sizeof(cmd), "%s/bomgate status --socket %s 2>&1",
		 tu_build(), sock);
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "policy:   web\\x1b[2J version 7 (sha256 ab12)\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "signed:   /CN=alice, \"ops\"; /CN=bob\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "modes:    exec=enforce mmap=audit module=off firmware=off kexec=audit\n"));
	EXPECT_NE(NULL, strstr(out, "held:     enforce held back to audit"));
	EXPECT_NE(NULL, strstr(out, "counts:   allowed 11, denied 8, would-deny 2, unmeasurable 1, drops 0\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "daemon:   pid 4242, up 17 s, resumed pinned enforcement\n"));
	/* what the kernel holds, as the daemon read it back */
	EXPECT_NE(NULL, strstr(out, "kernel:   generation 7340034 (NOT the daemon's: changed behind its back), 9 link pins, 2 tamper events\n"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "sealed:   yes, 1 signature(s) of the sealed signers needed, policy version >= 7, seal 5d21, last token 3\n"));
	EXPECT_NE(NULL, strstr(out, "signers (sha256 of their certificates): f1\n"));
	EXPECT_NE(NULL, strstr(out, "daemons (sha256 of bomgated): d1 d2\\x1b[31m\n"))
		TH_LOG("%s", out);

	snprintf(cmd, sizeof(cmd), "%s/bomgate mode enforce --socket %s 2>&1",
		 tu_build(), sock);
	EXPECT_EQ(4, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "bomgated refused: lock-out guard: the policy would deny /bin/sh\n"))
		TH_LOG("%s", out);

	snprintf(cmd, sizeof(cmd), "%s/bomgate status --socket %s 2>&1",
		 tu_build(), sock);
	EXPECT_EQ(3, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "malformed reply")) TH_LOG("%s", out);

	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	unlink(sock);
	rmdir(dir);
}

TEST_HARNESS_MAIN
