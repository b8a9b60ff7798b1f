/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program and capture its output: shared by host and VM tests. */
#ifndef BOMGATE_TESTUTIL_H
#define BOMGATE_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Run the shell command @cmd; stdout+stderr into @out. Returns exit status
 * (or -1 if it did not exit normally). */
static inline int tu_run(const char *cmd, char *out, size_t len)
{
	FILE *p;
	size_t n = 0;
	int st;

	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && len) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	} else {
		char buf[4096];

		while (fread(buf, 1, sizeof(buf), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run the shell command made of @fmt in @dir with $B the bomgate binary
 * @bin; stdout+stderr into @out. Returns the exit status as tu_run(). */
static inline int __attribute__((format(printf, 5, 6)))
tu_run_in(const char *dir, const char *bin, char *out, size_t len,
	  const char *fmt, ...)
{
	char args[2048], cmd[3 * 4096 + 2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && B='%s' && (%s) 2>&1", dir, bin,
		 args);
	return tu_run(cmd, out, len);
}

/* For fixtures with dir[], bin[] and out[]: run in self->dir. */
#define tu_run_self(self, ...) \
	tu_run_in((self)->dir, (self)->bin, (self)->out, sizeof((self)->out), \
		  __VA_ARGS__)

/* Remove a test's folder and everything in it. */
static inline int tu_rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Write @text to @dir/@name (test fixtures). */
static inline void tu_put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static inline const char *tu_build(void)
{
	const char *b = getenv("BOMGATE_BUILD");

	return b && *b ? b : "build";
}

#endif
