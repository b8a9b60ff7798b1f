/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program and capture its output: shared by host and VM tests. */
#ifndef BOMGATE_TESTUTIL_H
#define BOMGATE_TESTUTIL_H

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
