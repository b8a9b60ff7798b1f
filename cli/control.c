// SPDX-License-Identifier: GPL-2.0
/*
 * Client commands for the running bomgated: status, mode, reload, disable,
 * events. They speak lib/control.h over the control socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "cli.h"
#include "control.h"
#include "daemon_conf.h"
#include "text.h"
#include "vocab.h"

#define REPLY_TIMEOUT_MS 30000

struct ctl_opts {
	const char *socket;
	const char *token;	/* step-down token; its signature: TOKEN.sig */
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
		{ "token", required_argument, NULL, 't' },
		{ "hook", required_argument, NULL, 'C' },	/* old name */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->socket = DCONF_DEFAULT_SOCKET;
	o->cls = -1;
	while ((c = getopt_long(argc, argv, "s:jfC:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->token = optarg;
			break;
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

/*
 * The reply, parsed; NULL if it is not a JSON object. Control bytes a
 * sender left raw inside a string are taken as escaped (JSON wants them
 * as \u00XX), so a reason that carries one is still shown, escaped.
 */
static yajl_val reply_parse(const char *buf)
{
	size_t n = strlen(buf), k = 0;
	char *clean = malloc(n * 6 + 1);
	yajl_val v;

	if (!clean)
		return NULL;
	for (const unsigned char *c = (const unsigned char *)buf; *c; c++) {
		if (*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r')
			k += sprintf(clean + k, "\\u%04x", *c);
		else
			clean[k++] = *c;
	}
	clean[k] = '\0';
	v = yajl_tree_parse(clean, NULL, 0);
	free(clean);
	if (v && !YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		v = NULL;
	}
	return v;
}

/* The member at @path (NULL-terminated keys) of @v, or NULL. */
static yajl_val member(yajl_val v, const char *const *path, yajl_type type)
{
	return v ? yajl_tree_get(v, (const char **)path, type) : NULL;
}

#define MEMBER(v, type, ...) \
	member(v, (const char *const[]){ __VA_ARGS__, NULL }, type)

/* A string or number member as text ("?" when absent). Strings came off
 * the wire: escaped for the terminal (text.h). Each call has its own
 * buffer, for the several in one printf. */
static const char *text(yajl_val v)
{
	static char ring[6][512];
	static int next;

	if (YAJL_IS_NUMBER(v))
		return YAJL_GET_NUMBER(v);
	if (!YAJL_IS_STRING(v))
		return "?";
	return text_escape(ring[next++ % 6], sizeof(ring[0]),
			   YAJL_GET_STRING(v));
}

/* The exit code a reply means (bomgate-control(1)): 0 ok, 4 refused, 3
 * not a reply of bomgated's. On 0, *tree is the parse (free it). */
static int reply_exit(const char *buf, const char *what, yajl_val *tree)
{
	yajl_val v = reply_parse(buf), ok = MEMBER(v, yajl_t_any, "ok");

	if (tree)
		*tree = NULL;
	if (!ok || !(YAJL_IS_TRUE(ok) || YAJL_IS_FALSE(ok))) {
		fprintf(stderr, "bomgate: malformed reply from bomgated (%zu bytes)\n",
			strlen(buf));
		yajl_tree_free(v);
		return BG_EXIT_INPUT;
	}
	if (YAJL_IS_FALSE(ok)) {
		fprintf(stderr, "bomgate: %s: %s\n", what,
			text(MEMBER(v, yajl_t_any, "error")));
		yajl_tree_free(v);
		return BG_EXIT_REFUSED;
	}
	if (tree)
		*tree = v;
	else
		yajl_tree_free(v);
	return BG_EXIT_OK;
}

/* The token and TOKEN.sig, opened for the daemon to read. A bg_exit. */
static int open_token(const char *path, int fds[2])
{
	char sig[4096];

	if (snprintf(sig, sizeof(sig), "%s.sig", path) >= (int)sizeof(sig)) {
		fprintf(stderr, "bomgate: --token %s: name too long\n", path);
		return BG_EXIT_USAGE;
	}
	fds[0] = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fds[0] < 0) {
		fprintf(stderr, "bomgate: --token %s: %s\n", path,
			strerror(errno));
		return BG_EXIT_IO;
	}
	fds[1] = open(sig, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fds[1] < 0) {
		fprintf(stderr, "bomgate: --token %s: its signature %s: %s\n",
			path, sig, strerror(errno));
		close(fds[0]);
		return BG_EXIT_IO;
	}
	return 0;
}

/* Send @req; *reply is the raw reply, *tree its parse (free it). 0 when
 * the daemon said ok. */
static int ctl_call(const struct ctl_opts *o, const struct ctl_req *req,
		    char **reply, yajl_val *tree)
{
	static char buf[CTL_MAX_REPLY];
	int fd, ret;

	*tree = NULL;
	if (o->token && req->verb != CTL_MODE && req->verb != CTL_DISABLE) {
		fprintf(stderr, "bomgate: --token goes with disable and mode only\n");
		return BG_EXIT_USAGE;
	}
	fd = ctl_connect(o->socket);
	if (fd < 0) {
		fprintf(stderr, "bomgate: cannot reach bomgated at %s: %s\n",
			o->socket, strerror(-fd));
		return BG_EXIT_IO;
	}
	/* a refused client may find the connection closed already: the
	 * reply still says why */
	if (o->token) {
		int fds[2];

		ret = open_token(o->token, fds);
		if (ret) {
			close(fd);
			return ret;
		}
		ctl_send_fds(fd, req, fds, 2);
		close(fds[0]);
		close(fds[1]);
	} else {
		ctl_send(fd, req);
	}
	ret = ctl_recv(fd, buf, sizeof(buf), REPLY_TIMEOUT_MS);
	close(fd);
	if (ret <= 0) {
		fprintf(stderr, "bomgate: no reply from bomgated: %s\n",
			ret ? strerror(-ret) : "connection closed");
		return BG_EXIT_IO;
	}
	*reply = buf;
	return reply_exit(buf, "bomgated refused", tree);
}

/* The strings of array @a, space-separated, escaped. */
static void print_list(yajl_val a)
{
	for (size_t i = 0; a && YAJL_IS_ARRAY(a) && i < YAJL_GET_ARRAY(a)->len; i++)
		printf("%s%s", i ? " " : "", text(YAJL_GET_ARRAY(a)->values[i]));
}

/* What the kernel holds, read back by the daemon (not its memory). */
static void print_kernel(yajl_val r)
{
	yajl_val k = MEMBER(r, yajl_t_object, "kernel");

	if (!k)
		return;
	printf("kernel:   generation %s%s, %s link pins, %s tamper events\n",
	       text(MEMBER(k, yajl_t_any, "generation")),
	       YAJL_IS_FALSE(MEMBER(k, yajl_t_any, "matches_daemon")) ?
	       " (NOT the daemon's: changed behind its back)" : "",
	       text(MEMBER(k, yajl_t_any, "link_pins")),
	       text(MEMBER(k, yajl_t_any, "tampers")));
	if (!YAJL_IS_TRUE(MEMBER(k, yajl_t_any, "sealed"))) {
		printf("sealed:   no\n");
		return;
	}
	printf("sealed:   yes, %s signature(s) of the sealed signers needed, policy version >= %s, seal %s, last token %s\n",
	       text(MEMBER(k, yajl_t_any, "seal", "min_signers")),
	       text(MEMBER(k, yajl_t_any, "seal", "min_version")),
	       text(MEMBER(k, yajl_t_any, "seal", "id")),
	       text(MEMBER(k, yajl_t_any, "seal", "token_serial")));
	printf("  signers (sha256 of their certificates): ");
	print_list(MEMBER(k, yajl_t_array, "seal", "signers"));
	printf("\n  daemons (sha256 of bomgated): ");
	print_list(MEMBER(k, yajl_t_array, "seal", "daemons"));
	printf("\n");
}

static void print_scopes(yajl_val scopes)
{
	for (size_t s = 0; scopes && s < YAJL_GET_ARRAY(scopes)->len; s++) {
		yajl_val sc = YAJL_GET_ARRAY(scopes)->values[s];
		yajl_val modes = MEMBER(sc, yajl_t_object, "modes");

		printf("scope:    %s (line %s, cgroup %s):",
		       text(MEMBER(sc, yajl_t_any, "path")),
		       text(MEMBER(sc, yajl_t_any, "line")),
		       text(MEMBER(sc, yajl_t_any, "cgroup_id")));
		for (int i = 0; i < BG_CLASS_MAX && modes; i++)
			printf(" %s=%s", bg_class_name(i),
			       text(MEMBER(modes, yajl_t_any, bg_class_name(i))));
		printf("\n");
	}
}

/* trust-apt: which digests came from which package and repository */
static void print_staged(yajl_val t)
{
	yajl_val keys = MEMBER(t, yajl_t_array, "keys");
	yajl_val st = MEMBER(t, yajl_t_array, "staged");

	if (!keys || !YAJL_GET_ARRAY(keys)->len)
		return;
	printf("trust-apt: %s packages staged (%s digests), keys:",
	       text(MEMBER(t, yajl_t_any, "packages")),
	       text(MEMBER(t, yajl_t_any, "digests")));
	print_list(keys);
	printf("\n");
	for (size_t i = 0; st && i < YAJL_GET_ARRAY(st)->len; i++) {
		yajl_val p = YAJL_GET_ARRAY(st)->values[i];

		printf("staged:   %s %s %s (%s files) from %s, key %s\n",
		       text(MEMBER(p, yajl_t_any, "package")),
		       text(MEMBER(p, yajl_t_any, "version")),
		       text(MEMBER(p, yajl_t_any, "architecture")),
		       text(MEMBER(p, yajl_t_any, "files")),
		       text(MEMBER(p, yajl_t_any, "repository")),
		       text(MEMBER(p, yajl_t_any, "key")));
	}
}

static void print_status(yajl_val r)
{
	yajl_val modes = MEMBER(r, yajl_t_object, "modes");

	printf("policy:   %s version %s (sha256 %s)\n",
	       text(MEMBER(r, yajl_t_any, "policy", "name")),
	       text(MEMBER(r, yajl_t_any, "policy", "version")),
	       text(MEMBER(r, yajl_t_any, "policy", "sha256")));
	printf("signed:   %s\n", text(MEMBER(r, yajl_t_any, "policy", "signers")));
	printf("modes:   ");
	for (int i = 0; i < BG_CLASS_MAX && modes; i++)
		printf(" %s=%s", bg_class_name(i),
		       text(MEMBER(modes, yajl_t_any, bg_class_name(i))));
	printf("\n");
	print_scopes(MEMBER(r, yajl_t_array, "scopes"));
	print_staged(MEMBER(r, yajl_t_object, "trust_apt"));
	if (YAJL_IS_TRUE(MEMBER(r, yajl_t_any, "guard", "held_back")))
		printf("held:     enforce held back to audit (lock-out guard or empty allowlist: see the daemon log)\n");
	printf("counts:   allowed %s, denied %s, would-deny %s",
	       text(MEMBER(r, yajl_t_any, "allowed")),
	       text(MEMBER(r, yajl_t_any, "denied")),
	       text(MEMBER(r, yajl_t_any, "would_deny")));
	printf(", unmeasurable %s, drops %s\n",
	       text(MEMBER(r, yajl_t_any, "unmeasurable")),
	       text(MEMBER(r, yajl_t_any, "drops")));
	printf("daemon:   pid %s, up %s s%s\n",
	       text(MEMBER(r, yajl_t_any, "daemon", "pid")),
	       text(MEMBER(r, yajl_t_any, "daemon", "uptime_s")),
	       YAJL_IS_TRUE(MEMBER(r, yajl_t_any, "daemon", "resumed")) ?
	       ", resumed pinned enforcement" : "");
	print_kernel(r);
}

int do_status(int argc, char **argv)
{
	struct ctl_req req = { .verb = CTL_STATUS };
	struct ctl_opts o = {};
	yajl_val tree;
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
	ret = ctl_call(&o, &req, &r, &tree);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else
		print_status(tree);
	yajl_tree_free(tree);
	return BG_EXIT_OK;
}

int do_mode(int argc, char **argv)
{
	struct ctl_req req = { .verb = CTL_MODE };
	struct ctl_opts o = {};
	yajl_val tree;
	char *r;
	int ret;

	ret = ctl_getopt(argc, argv, &o,
			 "Usage: bomgate mode audit|enforce|off [--class C] [--json]\n"
			 "                 [--token TOKEN] [--socket PATH]\n\n"
			 "Switch every class (or C: " BG_CLASS_CHOICES ").\n"
			 "Enforce on exec/mmap is refused when the lock-out guard objects.\n"
			 "Sealed, lowering a mode needs a step-down token (TOKEN and\n"
			 "TOKEN.sig: bomgate token create) for this very change.\n"
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
	req.token = !!o.token;
	ret = ctl_call(&o, &req, &r, &tree);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else
		print_status(tree);
	yajl_tree_free(tree);
	return BG_EXIT_OK;
}

static int simple(int argc, char **argv, enum ctl_verb verb, const char *usage)
{
	struct ctl_req req = { .verb = verb };
	struct ctl_opts o = {};
	yajl_val tree;
	char *r;
	int ret;

	ret = ctl_getopt(argc, argv, &o, usage, 0);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	req.token = !!o.token;
	ret = ctl_call(&o, &req, &r, &tree);
	if (ret)
		return ret;
	if (o.json)
		printf("%s\n", r);
	else if (verb == CTL_RELOAD)
		print_status(tree);
	else
		printf("bomgate: enforcement disabled\n");
	yajl_tree_free(tree);
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
		      "Usage: bomgate disable [--token TOKEN] [--socket PATH]\n\n"
		      "Stop enforcement: every class off, pins removed, programs detached,\n"
		      "bomgated exits. Logged. The only way to end enforcement.\n"
		      "Sealed, it needs a step-down token (TOKEN and TOKEN.sig: bomgate\n"
		      "token create --action disable).\n"
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
	ret = reply_exit(buf, "events refused", NULL);
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

int do_coverage(int argc, char **argv)
{
	static char buf[CTL_MAX_REPLY];
	struct ctl_req req = { .verb = CTL_COVERAGE };
	struct ctl_opts o = {};
	char *text = NULL;
	int fd = -1, mfd = -1, ret;
	struct stat st;

	ret = ctl_getopt(argc, argv, &o,
			 "Usage: bomgate coverage [--socket PATH]\n\n"
			 "The kernel's per-digest decision counts (bomgated's coverage,\n"
			 "on by default) as one bomgate.kcoverage/1 JSON object on standard\n"
			 "output (docs/events.md): for each measured file digest and hook,\n"
			 "how often it was allowed and refused, first and last time. Save it\n"
			 "for 'bomgate report --kernel FILE'.\n"
			 "Exit: 0 ok, 2 usage, 3 malformed reply, 4 refused by bomgated,\n"
			 "5 bomgated unreachable (no socket, no reply).\n", 0);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	mfd = memfd_create("bomgate-coverage", MFD_CLOEXEC);
	if (mfd < 0) {
		fprintf(stderr, "bomgate: memfd_create: %s\n", strerror(errno));
		return BG_EXIT_INTERNAL;
	}
	fd = ctl_connect(o.socket);
	if (fd < 0) {
		fprintf(stderr, "bomgate: cannot reach bomgated at %s: %s\n",
			o.socket, strerror(-fd));
		ret = BG_EXIT_IO;
		goto out;
	}
	ret = ctl_send_fds(fd, &req, &mfd, 1);
	if (!ret)
		ret = ctl_recv(fd, buf, sizeof(buf), REPLY_TIMEOUT_MS);
	if (ret <= 0) {
		fprintf(stderr, "bomgate: no reply from bomgated: %s\n",
			ret ? strerror(-ret) : "connection closed");
		ret = BG_EXIT_IO;
		goto out;
	}
	ret = reply_exit(buf, "coverage refused", NULL);
	if (ret)
		goto out;
	if (fstat(mfd, &st) || !(text = malloc(st.st_size + 1)) ||
	    pread(mfd, text, st.st_size, 0) != st.st_size) {
		fprintf(stderr, "bomgate: cannot read the daemon's answer\n");
		ret = BG_EXIT_IO;
		goto out;
	}
	if (fwrite(text, 1, st.st_size, stdout) != (size_t)st.st_size ||
	    putchar('\n') == EOF || fflush(stdout)) {
		fprintf(stderr, "bomgate: standard output: %s\n", strerror(errno));
		ret = BG_EXIT_IO;
	}
out:
	free(text);
	if (fd >= 0)
		close(fd);
	close(mfd);
	return ret;
}
