// SPDX-License-Identifier: GPL-2.0
/*
 * Event sinks: each JSON line goes to stdout, a file rotated by size,
 * syslog and (through a callback the control server sets) subscribers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemon.h"
#include "log.h"

int evout_open(struct evout *o, const struct daemon_conf *c)
{
	struct stat st;
	int fd;

	o->to_stdout = c->events_stdout;
	/* journald: native entries; its /dev/log would take syslog too */
	o->to_journal = c->events_journal && journal_available();
	o->to_syslog = c->events_syslog && !o->to_journal;
	if (c->events_audit) {
		int ret = audit_start();

		o->to_audit = !ret;
		if (ret)
			pr_info("no audit records: %s (a kernel without audit?)",
				strerror(-ret));
	}
	o->coalesce_secs = c->coalesce_secs;
	o->max = c->events_max_bytes;
	o->keep = c->events_keep;
	o->path = c->events_file;
	if (!o->path)
		return 0;
	fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	o->file = fdopen(fd, "a");
	if (!o->file) {
		close(fd);
		return -errno;
	}
	o->size = fstat(fd, &st) ? 0 : (__u64)st.st_size;
	return 0;
}

void evout_close(struct evout *o)
{
	audit_stop();
	if (o->file)
		fclose(o->file);
	o->file = NULL;
}

/* FILE -> FILE.1 -> ... -> FILE.keep (dropped); then a fresh FILE. */
static void evout_rotate(struct evout *o)
{
	char from[PATH_MAX], to[PATH_MAX];
	int fd;

	fclose(o->file);
	o->file = NULL;
	for (int i = o->keep; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", o->path);
		else
			snprintf(from, sizeof(from), "%s.%d", o->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", o->path, i);
		rename(from, to);
	}
	fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		  (o->keep ? 0 : O_TRUNC), 0640);
	if (fd >= 0)
		o->file = fdopen(fd, "a");
	if (!o->file) {
		pr_err("%s: cannot reopen the event file: %s", o->path,
		       strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	o->size = 0;
}

void evout_emit(struct evout *o, const char *line, size_t len, int prio)
{
	if (o->to_stdout) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (o->file) {
		if (o->size + len + 1 > o->max)
			evout_rotate(o);
		if (o->file) {
			fwrite(line, 1, len, o->file);
			fputc('\n', o->file);
			fflush(o->file);
			o->size += len + 1;
		}
	}
	if (o->to_journal && journal_emit(line, len, prio) < 0)
		syslog(prio, "%s", line);	/* journald went away */
	if (o->to_syslog)
		syslog(prio, "%s", line);
	if (o->to_audit && audit_emit(line, len) == -EIO && !o->audit_warned) {
		o->audit_warned = 1;
		pr_warn("an audit record could not be written (CAP_AUDIT_WRITE? auditd's backlog?): the events still go to the other outputs");
	}
	if (o->publish)
		o->publish(o->publish_ctx, line, len);
}
