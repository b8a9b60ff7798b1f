// SPDX-License-Identifier: GPL-2.0
/* The control protocol: every request round-trips; malformed ones are
 * refused with a reason, never accepted by accident. */
#include "kselftest_harness.h"
#include "control.h"
#include "vocab.h"

TEST(requests_parse_and_round_trip)
{
	static const char *const good[] = {
		"status", "reload", "disable", "events", "mode audit",
		"mode enforce", "mode off exec", "mode enforce mmap",
		"mode audit kexec",
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
		{ "a b c d e", 9, "too many words" },
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

TEST_HARNESS_MAIN
