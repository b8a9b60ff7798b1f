/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bomgated control protocol, spoken over a SOCK_SEQPACKET Unix socket:
 * one request per message, ASCII words separated by single spaces, at most
 * CTL_MAX_REQ bytes. Every request gets one reply message, a JSON object
 * whose "ok" member says whether it worked ("error" says why not). After a
 * successful "events" request the daemon sends one message per event
 * (one JSON object each, docs/events.md) until the client goes away.
 *
 *	status
 *	mode audit|enforce|off [CLASS] [token]
 *	reload
 *	disable [token]
 *	events
 *	coverage
 *	stage
 *
 * A request that ends in "token" carries two file descriptors
 * (SCM_RIGHTS): a step-down token and its detached signature (token.h),
 * which a sealed daemon needs to lower a mode or disable. "coverage"
 * carries one: a file (a memfd) the daemon writes the kernel's per-digest
 * counts into, as one bomgate.kcoverage/1 JSON object (docs/events.md),
 * so that a large answer never waits on the socket. "stage" carries one:
 * a file (a memfd) of NUL-terminated paths of .deb files apt is about to
 * unpack (bomgate apt-hook); the daemon stages those a trust-apt key of
 * the policy vouches for (apt_stage.h).
 */
#ifndef BOMGATE_CONTROL_H
#define BOMGATE_CONTROL_H

#include <stddef.h>

#define CTL_MAX_REQ		256
#define CTL_MAX_REPLY		(64 * 1024)
#define CTL_VERSION		1
#define CTL_MAX_FDS		2	/* token, signature */

enum ctl_verb {
	CTL_STATUS,
	CTL_MODE,
	CTL_RELOAD,
	CTL_DISABLE,
	CTL_EVENTS,
	CTL_COVERAGE,
	CTL_STAGE,
	CTL_TEST_SECCOMP,	/* only with bomgated --test-seccomp */
	CTL_NR_VERBS,
};

struct ctl_req {
	enum ctl_verb verb;
	int mode;		/* BG_MODE_* (mode) */
	int cls;		/* BG_CLASS_*, -1: every hook class (mode) */
	int token;		/* 1: a step-down token comes with it */
};

/* Parse one request message; -EINVAL with @err saying what is wrong. */
int ctl_parse(const void *buf, size_t len, struct ctl_req *req, char *err,
	      size_t errlen);
/* The request as it goes on the wire; returns its length or -ENOSPC. */
int ctl_format(const struct ctl_req *req, char *buf, size_t len);
const char *ctl_verb_name(enum ctl_verb v);

/* Client side: connect (fd or -errno), send one request and receive the
 * reply (NUL-terminated, at most @len - 1 bytes). */
int ctl_connect(const char *path);
int ctl_send(int fd, const struct ctl_req *req);
/* The same with @nfds file descriptors (at most CTL_MAX_FDS). */
int ctl_send_fds(int fd, const struct ctl_req *req, const int *fds,
		 int nfds);
/* Server side: one request message into @buf (at most @len bytes, not
 * terminated) and the descriptors that came with it (close-on-exec, at
 * most CTL_MAX_FDS; more, or truncated control data, are closed and
 * give -EBADMSG). Returns the message length (MSG_TRUNC: may be larger
 * than @len), 0 at end of file, -errno. */
int ctl_recv_req(int fd, void *buf, size_t len, int *fds, int *nfds);
/* One message into @buf (NUL-terminated). Returns its length, 0 when the
 * daemon closed the connection, -EMSGSIZE when it did not fit, -errno. */
int ctl_recv(int fd, char *buf, size_t len, int timeout_ms);

#endif
