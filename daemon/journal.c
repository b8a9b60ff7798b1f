// SPDX-License-Identifier: GPL-2.0
/*
 * Events as native journal entries (libsystemd): every member a client
 * filters on as its own field, BOMGATE_*, plus a MESSAGE_ID per event type
 * and the whole JSON line as BOMGATE_EVENT, so that
 * `journalctl BOMGATE_DECISION=denied -o json` finds denials without
 * parsing MESSAGE. Used instead of syslog when journald runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include <systemd/sd-journal.h>
#include <yajl/yajl_tree.h>

#include "daemon.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"
#define MAX_FIELDS	24

/* One MESSAGE_ID per event type (journalctl MESSAGE_ID=...). */
static const struct {
	const char *type, *id;
} message_ids[] = {
	{ "decision", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a901" },
	{ "repeat", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a902" },
	{ "drops", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a903" },
	{ "daemon", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a904" },
	{ "tamper", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a905" },
	{ "package", "5b8a3c1e9d2f4e07a6b1c4d8e2f3a906" },
};

/* JSON member -> journal field (nested members by path). */
static const struct {
	const char *field;
	const char *path[3];
} fields[] = {
	{ "BOMGATE_TYPE", { "type" } },
	{ "BOMGATE_DECISION", { "decision" } },
	{ "BOMGATE_HOOK", { "hook" } },
	{ "BOMGATE_REASON", { "reason" } },
	{ "BOMGATE_MODE", { "mode" } },
	{ "BOMGATE_PATH", { "path" } },
	{ "BOMGATE_SHA256", { "sha256" } },
	{ "BOMGATE_PID", { "pid" } },
	{ "BOMGATE_UID", { "uid" } },
	{ "BOMGATE_COMM", { "comm" } },
	{ "BOMGATE_PARENT_EXE", { "parent", "exe" } },
	{ "BOMGATE_COMPONENT", { "component", "name" } },
	{ "BOMGATE_VERSION", { "component", "version" } },
	{ "BOMGATE_PURL", { "component", "purl" } },
	{ "BOMGATE_POLICY_VERSION", { "policy_version" } },
	{ "BOMGATE_ACTION", { "action" } },
	{ "BOMGATE_WHAT", { "what" } },
	{ "BOMGATE_COUNT", { "count" } },
};

int journal_available(void)
{
	return !access(JOURNAL_SOCKET, W_OK);
}

static int add(struct iovec *iov, int *n, char **mem, const char *field,
	       const char *value)
{
	char *s;

	if (*n >= MAX_FIELDS + 6 || asprintf(&s, "%s=%s", field, value) < 0)
		return -1;
	mem[*n] = s;
	iov[*n].iov_base = s;
	iov[*n].iov_len = strlen(s);
	(*n)++;
	return 0;
}

/* A summary for MESSAGE: what a person reads in `journalctl -u`. */
static void summary(yajl_val v, char *buf, size_t len)
{
	const char *k[] = { "type", "decision", "hook", "path", "reason",
			    "action", "what", "detail" };
	size_t l = snprintf(buf, len, "bomgate");

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]) && l < len; i++) {
		const char *p[] = { k[i], NULL };
		yajl_val s = yajl_tree_get(v, p, yajl_t_string);

		if (s && YAJL_GET_STRING(s) && *YAJL_GET_STRING(s))
			l += snprintf(buf + l, len - l, " %s", YAJL_GET_STRING(s));
	}
}

int journal_emit(const char *line, size_t len, int prio)
{
	struct iovec iov[MAX_FIELDS + 6];
	char *mem[MAX_FIELDS + 6], msg[1024], num[32], *text;
	yajl_val v;
	int n = 0, ret = -1;

	text = strndup(line, len);
	if (!text)
		return -1;
	v = yajl_tree_parse(text, NULL, 0);
	if (!v)
		goto out;
	summary(v, msg, sizeof(msg));
	snprintf(num, sizeof(num), "%d", prio);
	if (add(iov, &n, mem, "MESSAGE", msg) ||
	    add(iov, &n, mem, "PRIORITY", num) ||
	    add(iov, &n, mem, "SYSLOG_IDENTIFIER", "bomgated"))
		goto out;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *p[4] = { fields[i].path[0], fields[i].path[1],
				     fields[i].path[2], NULL };
		yajl_val f = yajl_tree_get(v, p, yajl_t_any);
		const char *s = NULL;

		if (YAJL_IS_STRING(f))
			s = YAJL_GET_STRING(f);
		else if (YAJL_IS_NUMBER(f))
			s = YAJL_GET_NUMBER(f);
		if (s && add(iov, &n, mem, fields[i].field, s))
			goto out;
		if (i == 0 && s)
			for (size_t k = 0; k < sizeof(message_ids) / sizeof(message_ids[0]); k++)
				if (!strcmp(s, message_ids[k].type) &&
				    add(iov, &n, mem, "MESSAGE_ID", message_ids[k].id))
					goto out;
	}
	if (add(iov, &n, mem, "BOMGATE_EVENT", text))
		goto out;
	ret = sd_journal_sendv(iov, n);
out:
	for (int i = 0; i < n; i++)
		free(mem[i]);
	yajl_tree_free(v);
	free(text);
	return ret;
}
