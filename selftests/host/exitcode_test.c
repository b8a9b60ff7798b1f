// SPDX-License-Identifier: GPL-2.0
/*
 * Exit codes (issue 11, bug 7): every command's --help (on stdout, exit 0)
 * lists the same exit codes as its man page, and the control commands
 * return what bomgate-control(1) promises against a real Unix socket
 * that answers as bomgated would: ok, refused, malformed, silent, absent.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

#define OUT_MAX (64 * 1024)

static char out[OUT_MAX];

/* The exit codes named in @text: digits 0..7 standing alone and followed
 * by a word ("3 bad input", "5 I/O"), as a bit set. */
static unsigned int codes_in(const char *text)
{
	unsigned int set = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (*p < '0' || *p > '7' || (p[1] != ' ' && p[1] != '\n'))
			continue;
		if (p > text && !strchr(" \n(;,", p[-1]))
			continue;
		set |= 1U << (*p - '0');
	}
	return set;
}

/* The EXIT STATUS section of docs/man/@page. */
static int man_exit(const char *page, char *buf, size_t len)
{
	char path[256], *s, *e;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "docs/man/%s", page);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	s = strstr(buf, "## EXIT STATUS\n");
	if (!s)
		return -1;
	s += strlen("## EXIT STATUS\n");
	e = strstr(s, "\n## ");
	if (e)
		*e = '\0';
	e = strstr(s, "\n\n");	/* the first paragraph: the codes */
	if (e)
		*e = '\0';
	memmove(buf, s, strlen(s) + 1);
	return 0;
}

static const struct {
	const char *cmd, *page;
} cmds[] = {
	{ "doctor", "bomgate-doctor.1.md" },
	{ "compile", "bomgate-compile.1.md" },
	{ "inspect", "bomgate-inspect.1.md" },
	{ "diff", "bomgate-diff.1.md" },
	{ "key generate", "bomgate-key.1.md" },
	{ "sign", "bomgate-sign.1.md" },
	{ "verify", "bomgate-verify.1.md" },
	{ "token create", "bomgate-token.1.md" },
	{ "report", "bomgate-report.1.md" },
	{ "hash", "bomgate-hash.1.md" },
	{ "check", "bomgate-check.1.md" },
	{ "status", "bomgate-control.1.md" },
	{ "mode", "bomgate-control.1.md" },
	{ "reload", "bomgate-control.1.md" },
	{ "disable", "bomgate-control.1.md" },
	{ "events", "bomgate-control.1.md" },
	{ "coverage", "bomgate-control.1.md" },
	{ "sbom scan", "bomgate-sbom.1.md" },
	{ "sbom deb", "bomgate-sbom-deb.1.md" },
	{ "apt verify", "bomgate-apt.1.md" },
};

TEST(help_and_man_pages_agree)
{
	char cmd[512], man[16384];
	const char *ex;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s/bomgate %s --help 2>/dev/null",
			 tu_build(), cmds[i].cmd);
		EXPECT_EQ(0, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", cmds[i].cmd);
		ex = strstr(out, "Exit: ");
		EXPECT_NE(NULL, ex) TH_LOG("%s --help on stdout has no Exit: line: %s",
					   cmds[i].cmd, out);
		if (!ex)
			continue;
		ASSERT_EQ(0, man_exit(cmds[i].page, man, sizeof(man)))
			TH_LOG("%s", cmds[i].page);
		EXPECT_EQ(codes_in(man), codes_in(ex))
			TH_LOG("%s: --help says '%s', %s says '%s'", cmds[i].cmd,
			       ex, cmds[i].page, man);
	}
	/* and bomgate help CMD is the same text */
	snprintf(cmd, sizeof(cmd), "%s/bomgate help check 2>/dev/null", tu_build());
	EXPECT_EQ(0, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "Usage: bomgate check")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s/bomgate help no-such 2>&1", tu_build());
	EXPECT_EQ(2, tu_run(cmd, out, sizeof(out)));
}

/* Serve one connection on @path: read the request, answer @reply (NULL:
 * close without a word). */
static pid_t fake_daemon(const char *path, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, c;
	pid_t pid;
	char req[256];

	unlink(path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1))
		return -1;
	pid = fork();
	if (pid) {
		close(fd);
		return pid;
	}
	c = accept(fd, NULL, NULL);
	if (c < 0)
		_exit(1);
	if (recv(c, req, sizeof(req), 0) < 0)
		_exit(1);
	if (reply)
		send(c, reply, strlen(reply), MSG_NOSIGNAL);
	close(c);
	_exit(0);
}

TEST(control_exit_codes)
{
	static const char *const verbs[] = {
		"status", "mode enforce", "reload", "disable", "events",
	};
	static const struct {
		const char *reply;
		int code;
	} answers[] = {
		{ "{\"ok\":true,\"modes\":{}}", 0 },
		{ "{\"ok\":false,\"error\":\"lock-out guard: the policy would deny /sbin/init\"}", 4 },
		{ "HTTP/1.0 200 OK", 3 },
		{ NULL, 5 },
	};
	char dir[] = "/tmp/exitcode.XXXXXX", sock[64], cmd[512];
	size_t v, a;
	pid_t pid;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/c.sock", dir);
	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
		for (a = 0; a < sizeof(answers) / sizeof(answers[0]); a++) {
			pid = fake_daemon(sock, answers[a].reply);
			ASSERT_LT(0, pid);
			snprintf(cmd, sizeof(cmd), "%s/bomgate %s --socket %s 2>&1",
				 tu_build(), verbs[v], sock);
			EXPECT_EQ(answers[a].code, tu_run(cmd, out, sizeof(out)))
				TH_LOG("%s, reply %s: %s", verbs[v],
				       answers[a].reply, out);
			waitpid(pid, NULL, 0);
		}
		unlink(sock);
		snprintf(cmd, sizeof(cmd), "%s/bomgate %s --socket %s 2>&1",
			 tu_build(), verbs[v], sock);
		EXPECT_EQ(5, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
		snprintf(cmd, sizeof(cmd), "%s/bomgate %s --socket %s --no-such 2>&1",
			 tu_build(), verbs[v], sock);
		EXPECT_EQ(2, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	}
	/* the refusal is printed, escaped */
	pid = fake_daemon(sock, "{\"ok\":false,\"error\":\"no\x1b[2K\"}");
	snprintf(cmd, sizeof(cmd), "%s/bomgate reload --socket %s 2>&1",
		 tu_build(), sock);
	EXPECT_EQ(4, tu_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "no\\x1b[2K")) TH_LOG("%s", out);
	waitpid(pid, NULL, 0);
	unlink(sock);
	rmdir(dir);
}

TEST_HARNESS_MAIN
