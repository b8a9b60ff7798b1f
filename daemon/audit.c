// SPDX-License-Identifier: GPL-2.0
/*
 * Denials, would-denies and tampering as Linux audit records (libaudit):
 * AUDIT_TRUSTED_APP user messages with key=value fields, so that
 * ausearch, aureport and audisp forwarding see them beside the rest of
 * the audit trail. Values from the event (path, comm) are encoded the
 * audit way (hex when they hold anything but plain characters).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libaudit.h>
#include <yajl/yajl_tree.h>

#include "daemon.h"
#include "log.h"

static int audit_fd = -1;

int audit_start(void)
{
	audit_fd = audit_open();
	if (audit_fd < 0)
		return -errno;
	return 0;
}

void audit_stop(void)
{
	if (audit_fd >= 0)
		audit_close(audit_fd);
	audit_fd = -1;
}

static const char *member(yajl_val v, const char *a, const char *b)
{
	const char *p[] = { a, b, NULL };
	yajl_val s = yajl_tree_get(v, p, yajl_t_any);

	if (YAJL_IS_STRING(s))
		return YAJL_GET_STRING(s);
	if (YAJL_IS_NUMBER(s))
		return YAJL_GET_NUMBER(s);
	return NULL;
}

/* " key=value" with the value encoded when it needs to be. */
static size_t field(char *buf, size_t len, size_t l, const char *key,
		    const char *value)
{
	char *enc;

	if (!value || l >= len)
		return l;
	enc = audit_encode_nv_string(key, value, 0);
	if (!enc)
		return l;
	l += snprintf(buf + l, len - l, " %s", enc);
	free(enc);
	return l;
}

int audit_emit(const char *line, size_t len)
{
	const char *type, *dec;
	char msg[2048], *text;
	yajl_val v;
	size_t l;
	int ret = 0;

	if (audit_fd < 0)
		return 0;
	/* most lines are not for the audit trail: no parse for them (the
	 * writer's member order and spacing are fixed: events.c) */
#define HAS(s)	memmem(line, len, s, sizeof(s) - 1)
	if (!HAS("\"decision\":\"denied\"") &&
	    !HAS("\"decision\":\"would-deny\"") &&
	    !HAS("\"type\":\"tamper\""))
		return 0;
#undef HAS
	text = strndup(line, len);
	if (!text)
		return -ENOMEM;
	v = yajl_tree_parse(text, NULL, 0);
	free(text);
	if (!v)
		return -EINVAL;
	type = member(v, "type", NULL);
	dec = member(v, "decision", NULL);
	/* breakage and attacks, not every allowed use nor daemon chatter */
	if (!type || (strcmp(type, "tamper") &&
		      ((strcmp(type, "decision") && strcmp(type, "repeat")) ||
		       !dec || !strcmp(dec, "allowed"))))
		goto out;
	l = snprintf(msg, sizeof(msg), "op=bomgate-%s", type);
	l = field(msg, sizeof(msg), l, "decision", dec);
	l = field(msg, sizeof(msg), l, "hook", member(v, "hook", NULL));
	l = field(msg, sizeof(msg), l, "reason", member(v, "reason", NULL));
	l = field(msg, sizeof(msg), l, "what", member(v, "what", NULL));
	l = field(msg, sizeof(msg), l, "path", member(v, "path", NULL));
	l = field(msg, sizeof(msg), l, "sha256", member(v, "sha256", NULL));
	l = field(msg, sizeof(msg), l, "bg_pid", member(v, "pid", NULL));
	l = field(msg, sizeof(msg), l, "bg_uid", member(v, "uid", NULL));
	l = field(msg, sizeof(msg), l, "bg_comm", member(v, "comm", NULL));
	l = field(msg, sizeof(msg), l, "purl", member(v, "component", "purl"));
	l = field(msg, sizeof(msg), l, "count", member(v, "count", NULL));
	field(msg, sizeof(msg), l, "policy_version",
	      member(v, "policy_version", NULL));
	/* result: the refusal succeeded (denied) or did not happen; no
	 * host name or address: libaudit would resolve them (a DNS lookup
	 * the sandbox refuses), and exe= names the daemon anyway */
	if (audit_log_user_message(audit_fd, AUDIT_TRUSTED_APP, msg, NULL,
				   NULL, NULL, dec && !strcmp(dec, "denied") ?
				   0 : 1) <= 0)
		ret = -EIO;
out:
	yajl_tree_free(v);
	return ret;
}
