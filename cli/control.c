// SPDX-License-Identifier: GPL-2.0
/*
 * Client commands for the running bomgated: status, mode, reload, disable,
 * events. They speak lib/control.h over the control socket.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "daemon_conf.h"
#include "text.h"
#include "vocab.h"

#define REPLY_TIMEOUT_MS 30000

struct ctl_opts {
	const char *socket;
	int json, follow, cls;
};

static int ctl_getopt(int argc, char **argv, struct ctl_opts *o,
		      const char *usage, int extra)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "class", required_argument, NULL, 'C' },
		{ "hook", required_argument, NULL, 'C' },	/* old name */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->socket = DCONF_DEFAULT_SOCKET;
	o->cls = -1;
	while ((c = getopt_long(argc, argv, "s:jfC:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'f':
			o->follow = 1;
			break;
		case 'C':
			o->cls = bg_class_parse(optarg);
			if (o->cls < 0) {
				fprintf(stderr, "bomgate: unknown class '%s' (" BG_CLASS_CHOICES ")\n",
					optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (argc - optind != extra) {
		fputs(usage, stderr);
		return BG_EXIT_USAGE;
	}
	return 0;
}

/* The exit code a reply means (bomgate-control(1)): 0 ok, 4 refused, 3
 * not a reply of bomgated's. */
static int reply_exit(const char *buf, const char *what)
{
	const char *e;

	if (!strncmp(buf, "{\"ok\":true", 10))
		return BG_EXIT_OK;
	if (strncmp(buf, "{\"ok\":false", 11)) {
		fprintf(stderr, "bomgate: malformed reply from bomgated (%zu bytes)\n",
			strlen(buf));
		return BG_EXIT_INPUT;
	}
	e = strstr(buf, "\"error\":");
	fprintf(stderr, "bomgate: %s: ", what);
	text_fput(stderr, e ? e + 8 : buf);
	fputc('\n', stderr);
	return BG_EXIT_REFUSED;
}

/* Send @req, print the reply; 0 when the daemon said ok. */
static int ctl_call(const struct ctl_opts *o, const struct ctl_req *req,
		    char **reply)
{
	static char buf[CTL_MAX_REPLY];
	int fd, ret;

	fd = ctl_connect(o->socket);
	if (fd < 0) {
		fprintf(stderr, "bomgate: cannot reach bomgated at %s: %s\n",
			o->socket, strerror(-fd));
		return BG_EXIT_IO;
	}
	/* a refused client may find the connection closed already: the
	 * reply still says why */
	ctl_send(fd, req);
	ret = ctl_recv(fd, buf, sizeof(buf), REPLY_TIMEOUT_MS);
	close(fd);
	if (ret <= 0) {
		fprintf(stderr, "bomgate: no reply from bomgated: %s\n",
			ret ? strerror(-ret) : "connection closed");
		return BG_EXIT_IO;
	}
	*reply = buf;
	return reply_exit(buf, "bomgated refused");
}

/* The value after "\"key\":" in a flat reply (@json may be NULL: a part
 * the reply lacks), copied up to , or } and escaped for the terminal. */
static const char *field(const char *json, const char *key, char *out,
			 size_t len)
{
	char pat[64], raw[256];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = json ? strstr(json, pat) : NULL;
	if (!p)
		return "?";
	p += strlen(pat);
	if (*p == '"')
		p++;
	n = strcspn(p, "\",}");
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, p, n);
	raw[n] = '\0';
	return text_escape(out, len, raw);
}

static void print_status(const char *r)
{
	char a[256], b[256], c[256];
	const char *modes = strstr(r, "\"modes\":"), *tot;

	printf("policy:   %s version %s (sha256 %s)\n",
	       field(strstr(r, "\"policy\":"), "name", a, sizeof(a)),
	       field(strstr(r, "\"policy\":"), "version", b, sizeof(b)),
	       field(r, "sha256", c, sizeof(c)));
	printf("signed:   %s\n", field(r, "signers", a, sizeof(a)));
	printf("modes:   ");
	for (int i = 0; i < BG_CLASS_MAX && modes; i++)
		printf(" %s=%s", bg_class_name(i),
		       field(modes, bg_class_name(i), a, sizeof(a)));
	printf("\n");
	if (strstr(r, "\"held_back\":true"))
		printf("held:     enforce held back to audit (lock-out guard or empty allowlist: see the daemon log)\n");
	/* the totals follow the per-hook "counters" object */
	tot = strstr(r, "},\"allowed\"");
	tot = tot ? tot : r;
	printf("counts:   allowed %s, denied %s, would-deny %s",
	       field(tot, "allowed", a, sizeof(a)),
	       field(tot, "denied", b, sizeof(b)),
	       field(tot, "would_deny", c, sizeof(c)));
	printf(", unmeasurable %s, drops %s\n",
	       field(tot, "unmeasurable", a, sizeof(a)),
	       field(tot, "drops", b, sizeof(b)));
	printf("daemon:   pid %s, up %s s%s\n", field(r, "pid", a, sizeof(a)),
	       field(r, "uptime_s", b, sizeof(b)),
	       strstr(r, "\"resumed\":true") ? ", resumed pinned enforcement" : "");
}

int do_status(int argc, char **argv)
{
	struct ctl_req req = { .verb = CTL_STATUS };
	struct ctl_opts o = {};
	char *r;
	int ret;

	ret = ctl_getopt(argc, argv, &o,
			 "Usage: bomgate status [--json] [--socket PATH]\n\n"
			 "What the running bomgated enforces: mode per class, policy version,\n"
			 "digest and signer, decision counters, drops, uptime.\n"
			 "Exit: 0 ok, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
			 "5 bomgated unreachable (no socket, no reply).\n", 0);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	ret = ctl_call(&o, &req, &r);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else
		print_status(r);
	return BG_EXIT_OK;
}

int do_mode(int argc, char **argv)
{
	struct ctl_req req = { .verb = CTL_MODE };
	struct ctl_opts o = {};
	char *r;
	int ret;

	ret = ctl_getopt(argc, argv, &o,
			 "Usage: bomgate mode audit|enforce|off [--class C] [--json]\n\n"
			 "Switch every class (or C: " BG_CLASS_CHOICES ").\n"
			 "Enforce on exec/mmap is refused when the lock-out guard objects.\n"
			 "Exit: 0 done, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
			 "5 bomgated unreachable (no socket, no reply).\n", 1);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	req.mode = bg_mode_parse(argv[optind]);
	if (req.mode < 0) {
		fprintf(stderr, "bomgate: unknown mode '%s' (audit, enforce, off)\n",
			argv[optind]);
		return BG_EXIT_USAGE;
	}
	req.cls = o.cls;
	ret = ctl_call(&o, &req, &r);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else
		print_status(r);
	return BG_EXIT_OK;
}

static int simple(int argc, char **argv, enum ctl_verb verb, const char *usage)
{
	struct ctl_req req = { .verb = verb };
	struct ctl_opts o = {};
	char *r;
	int ret;

	ret = ctl_getopt(argc, argv, &o, usage, 0);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	ret = ctl_call(&o, &req, &r);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else if (verb == CTL_RELOAD)
		print_status(r);
	else
		printf("bomgate: enforcement disabled\n");
	return BG_EXIT_OK;
}

int do_reload(int argc, char **argv)
{
	return simple(argc, argv, CTL_RELOAD,
		      "Usage: bomgate reload [--json] [--socket PATH]\n\n"
		      "Verify the configured policy file again and swap it in. On any\n"
		      "failure the policy in force stays, untouched.\n"
		      "Exit: 0 reloaded, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
		      "5 bomgated unreachable (no socket, no reply).\n");
}

int do_disable(int argc, char **argv)
{
	return simple(argc, argv, CTL_DISABLE,
		      "Usage: bomgate disable [--socket PATH]\n\n"
		      "Stop enforcement: every class off, pins removed, programs detached,\n"
		      "bomgated exits. Logged. The only way to end enforcement.\n"
		      "Exit: 0 disabled, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
		      "5 bomgated unreachable (no socket, no reply).\n");
}

int do_events(int argc, char **argv)
{
	static char buf[CTL_MAX_REPLY];
	struct ctl_req req = { .verb = CTL_EVENTS };
	struct ctl_opts o = {};
	int fd, ret;

	ret = ctl_getopt(argc, argv, &o,
			 "Usage: bomgate events [--follow] [--json] [--socket PATH]\n\n"
			 "Print the daemon's events (JSON lines, docs/events.md) as they\n"
			 "happen. Without --follow, stop after 1 s without an event.\n"
			 "Exit: 0 ok, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
			 "5 bomgated unreachable (no socket, no reply).\n", 0);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	fd = ctl_connect(o.socket);
	if (fd < 0) {
		fprintf(stderr, "bomgate: cannot reach bomgated at %s: %s\n",
			o.socket, strerror(-fd));
		return BG_EXIT_IO;
	}
	ret = ctl_send(fd, &req);
	if (!ret)
		ret = ctl_recv(fd, buf, sizeof(buf), REPLY_TIMEOUT_MS);
	if (ret <= 0) {
		fprintf(stderr, "bomgate: no reply from bomgated: %s\n",
			ret ? strerror(-ret) : "connection closed");
		close(fd);
		return BG_EXIT_IO;
	}
	ret = reply_exit(buf, "events refused");
	if (ret) {
		close(fd);
		return ret;
	}
	for (;;) {
		ret = ctl_recv(fd, buf, sizeof(buf), o.follow ? -1 : 1000);
		if (ret <= 0)
			break;
		printf("%s\n", buf);
		fflush(stdout);
	}
	close(fd);
	return ret == 0 || ret == -ETIMEDOUT ? BG_EXIT_OK : BG_EXIT_IO;
}
