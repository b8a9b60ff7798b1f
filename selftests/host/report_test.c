// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate report from event files (issue 16): repeats add their counts,
 * lines that are not events are skipped with file:line (an error with
 * --strict), hostile paths and process names are escaped, dropped and
 * tamper events are called out, and the exit status answers "ready?".
 * The VM test report_test runs it on a real daemon's events.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

#define EV(type, hook, dec, reason, path, sha, comm, t, count) \
	"{\"schema\":\"bomgate.event/1\",\"type\":\"" type "\",\"seq\":1," \
	"\"time\":\"" t "\",\"hook\":\"" hook "\",\"decision\":\"" dec "\"," \
	"\"reason\":\"" reason "\",\"mode\":\"audit\",\"path\":\"" path "\"," \
	"\"sha256\":\"" sha "\",\"pid\":9,\"uid\":0,\"comm\":\"" comm "\"," \
	"\"parent\":{\"pid\":1,\"exe\":\"/usr/bin/dash\"},\"count\":" count "}\n"

FIXTURE(report) {
	char dir[64], bin[PATH_MAX], out[65536];
};

FIXTURE_SETUP(report)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/report_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_NE(NULL, realpath(tu_build(), self->bin));
	strncat(self->bin, "/bomgate", sizeof(self->bin) - strlen(self->bin) - 1);
	tu_put(self->dir, "a.jsonl",
	       EV("decision", "exec", "would-deny", "unknown-digest", "/opt/a",
		  SHA_A, "sh", "2026-01-02T00:00:01.000Z", "1")
	       EV("repeat", "exec", "would-deny", "unknown-digest", "/opt/a",
		  SHA_A, "sh", "2026-01-02T00:00:09.000Z", "6")
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"decision\",\"hook\":\"mm\n"
	       EV("decision", "mmap", "would-deny", "open-for-write",
		  "/opt/lib\\u001b[31m.so", SHA_B, "x\\u001b]0;pwn\\u0007", "2026-01-02T00:00:05.000Z", "1")
	       EV("decision", "exec", "allowed", "listed", "/bin/true",
		  SHA_B, "sh", "2026-01-02T00:00:03.000Z", "1")
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"drops\",\"time\":\"2026-01-02T00:00:06.000Z\",\"dropped\":3,\"total\":3}\n"
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"tamper\",\"time\":\"2026-01-02T00:00:07.000Z\",\"hook\":\"state\",\"decision\":\"detected\",\"what\":\"config\"}\n");
	tu_put(self->dir, "clean.jsonl",
	       EV("decision", "exec", "allowed", "listed", "/bin/true",
		  SHA_B, "sh", "2026-01-02T00:00:03.000Z", "1"));
}

FIXTURE_TEARDOWN(report)
{
	tu_rm_rf(self->dir);
}

TEST_F(report, repeats_add_up_and_hostile_text_is_escaped)
{
	EXPECT_EQ(1, tu_run_self(self, "$B report a.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "a.jsonl:3: not an event line"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "exec      NOT READY: 1 distinct files, 7 uses"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "mmap      NOT READY: 1 distinct files, 1 uses"));
	EXPECT_NE(NULL, strstr(self->out, "2026-01-02T00:00:01.000Z to 2026-01-02T00:00:09.000Z"));
	EXPECT_NE(NULL, strstr(self->out, "/opt/lib\\x1b[31m.so"));
	EXPECT_NE(NULL, strstr(self->out, "x\\x1b]0;pwn\\x07"));
	EXPECT_EQ(NULL, strchr(self->out, '\x1b'));
	EXPECT_NE(NULL, strstr(self->out, "3 events were dropped"));
	EXPECT_NE(NULL, strstr(self->out, "1 tamper events"));
	EXPECT_NE(NULL, strstr(self->out, "fix: listed, but open for writing"));

	EXPECT_EQ(1, tu_run_self(self, "$B report --json - < a.jsonl 2>/dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "\"path\":\"/opt/a\",\"sha256\":\"" SHA_A "\",\"uses\":7,\"enforced\":false"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"skipped\":1,\"dropped\":3,\"tampers\":1,\"allowed\":1"));
	EXPECT_NE(NULL, strstr(self->out, "\"path\":\"/opt/lib\\u001b[31m.so\""));
}

TEST_F(report, exit_status_and_bad_input)
{
	EXPECT_EQ(0, tu_run_self(self, "$B report clean.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "Nothing was denied or would have been."));
	EXPECT_EQ(3, tu_run_self(self, "$B report --strict a.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "--strict")) TH_LOG("%s", self->out);
	EXPECT_EQ(5, tu_run_self(self, "$B report missing.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "missing.jsonl: No such file"));
	EXPECT_EQ(3, tu_run_self(self, "$B report --against a.jsonl clean.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "a.jsonl:")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, tu_run_self(self, "$B report"));
	EXPECT_EQ(2, tu_run_self(self, "$B report --coverage clean.jsonl"));
}

TEST_HARNESS_MAIN
