/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the bomgated VM tests. The including file defines D
 * (its work folder), PIN, SOCK, EVENTS, LOG and POL first; replies and
 * command output land in dt_out.
 */
#ifndef BOMGATE_DAEMONTEST_H
#define BOMGATE_DAEMONTEST_H

#include <stdarg.h>
#include <sys/socket.h>
#include "control.h"
#include "testutil.h"
#include "vmtest.h"

#define RAN_OK	1000	/* run() of a program that exited 0 */

static char dt_out[65536];

/* Run a shell command built from @fmt; its output in dt_out. */
static __attribute__((format(printf, 1, 2))) int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return tu_run(cmd, dt_out, sizeof(dt_out));
}

/* RAN_OK + exit status, or the errno of a refused execve. */
static __attribute__((unused)) int run(const char *path)
{
	char *argv[] = { (char *)path, "true", NULL };
	int status = -1, err;

	err = vm_run(argv, &status);
	if (err)
		return err;
	return WIFEXITED(status) ? WEXITSTATUS(status) + RAN_OK : -1;
}

/* One raw request; the reply in dt_out. The reply length or -errno. */
static int ctl_raw(const void *req, size_t len)
{
	int fd = ctl_connect(SOCK), n;

	if (fd < 0)
		return fd;
	/* a refused client may find the connection closed: read the
	 * reason anyway */
	send(fd, req, len, MSG_NOSIGNAL);
	n = ctl_recv(fd, dt_out, sizeof(dt_out), 30000);
	close(fd);
	return n;
}

static int ctl(const char *req)
{
	return ctl_raw(req, strlen(req));
}

/* Start bomgated on POL with @extra options, gating only cgroup @cg
 * (--scope-cgroup; NULL: the policy's own scopes decide), with --mode
 * @mode (NULL: the policy's modes); wait until it answers on SOCK. Its
 * pid, or -1. */
static __attribute__((unused)) pid_t start(const char *cg, const char *mode, const char *extra)
{
	char cmd[2048];
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "exec %s/bomgated --policy " POL " --trust " D "/c.pem %s%s "
		 "--pin-dir " PIN " --socket " SOCK " --events-file " EVENTS
		 " --events-syslog=no %s%s %s >>" LOG " 2>&1",
		 tu_build(), mode ? "--mode " : "", mode ? mode : "",
		 cg ? "--scope-cgroup " : "", cg ? cg : "", extra);
	pid = fork();
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 600 && pid > 0; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		if (ctl("status") > 0 && strstr(dt_out, "\"ok\":true"))
			return pid;
		usleep(100000);
	}
	return -1;
}

/* Make D/@name.bgp (and its signature) the policy POL the daemon loads;
 * in C, not cp(1): under enforce only what the policy lists runs. */
static __attribute__((unused)) int use_policy(const char *name)
{
	char from[256];

	snprintf(from, sizeof(from), D "/%s.bgp", name);
	if (vm_copy(from, POL, NULL))
		return -1;
	snprintf(from, sizeof(from), D "/%s.bgp.sig", name);
	return vm_copy(from, POL ".sig", NULL);
}

/* The contents of @path (truncated to dt_out's size), "" if unreadable. */
static const char *file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	dt_out[0] = '\0';
	if (f) {
		n = fread(dt_out, 1, sizeof(dt_out) - 1, f);
		fclose(f);
	}
	dt_out[n] = '\0';
	return dt_out;
}

#endif
