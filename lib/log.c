// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "text.h"

static const char *log_ident = "bomgate";
static int log_syslog;
static int log_journal_stderr;	/* stderr is a journal stream */
static enum log_level log_level = LOG_LVL_INFO;
static char last_error[1024];

const char *log_last_error(void)
{
	return last_error;
}

/* systemd's $JOURNAL_STREAM ("DEV:INODE") names stderr when it goes to
 * the journal: then stderr alone, with a priority prefix, or every line
 * would be there twice (stderr and syslog). */
static int stderr_is_journal(void)
{
	unsigned long long dev, ino;
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st))
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, int use_syslog)
{
	log_ident = ident;
	log_journal_stderr = stderr_is_journal();
	log_syslog = use_syslog && !log_journal_stderr;
	if (log_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

/*
 * Messages name files, SBOM fields and certificate subjects that come from
 * elsewhere: the whole message is escaped (text.h) on its way to stderr
 * and syslog, so a crafted name cannot move the cursor or rewrite the
 * lines above it.
 */
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char msg[4096], *esc;
	size_t n;

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	if (lvl == LOG_LVL_ERROR)
		text_escape(last_error, sizeof(last_error), msg);
	if (log_syslog) {
		n = text_escaped_len(msg) + 1;
		esc = malloc(n);
		syslog(prio[lvl], "%s", esc ? text_escape(esc, n, msg) : msg);
		free(esc);
	}
	if (log_journal_stderr)
		fprintf(stderr, "<%d>%s", prio[lvl], tag[lvl]);
	else
		fprintf(stderr, "%s: %s", log_ident, tag[lvl]);
	text_fput(stderr, msg);
	fputc('\n', stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_openssl(enum log_level lvl, const char *what)
{
	char buf[256], line[1024];
	unsigned long e;
	size_t len = 0;

	line[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		len += snprintf(line + len, len < sizeof(line) ? sizeof(line) - len : 0,
				"%s%s", len ? "; " : "", buf);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	log_msg(lvl, "%s%s%s", what, *line ? ": " : "", line);
}

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt,
			va_list ap)
{
	if (log_level < LOG_LVL_DEBUG)
		return 0;
	log_vmsg(LOG_LVL_DEBUG, fmt, ap);
	return 0;
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
