// SPDX-License-Identifier: GPL-2.0
/* The bomgated control protocol: parsing, formatting, client helpers. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control.h"
#include "vocab.h"

static const char *const verb_names[CTL_NR_VERBS] = {
	"status", "mode", "reload", "disable", "events", "coverage",
	"stage", "test-seccomp",
};

const char *ctl_verb_name(enum ctl_verb v)
{
	return v < CTL_NR_VERBS ? verb_names[v] : "?";
}

#define CTL_MAX_WORDS 5

/* Split into words at single spaces; only printable ASCII is accepted. */
static int split(char *s, char **w, char *err, size_t errlen)
{
	int n = 0;

	for (char *p = s; *p; p++) {
		if (*p < 0x21 && *p != ' ') {
			snprintf(err, errlen, "byte 0x%02x at offset %zu: only printable ASCII is allowed",
				 (unsigned char)*p, (size_t)(p - s));
			return -EINVAL;
		}
		if ((unsigned char)*p > 0x7e) {
			snprintf(err, errlen, "byte 0x%02x at offset %zu: only printable ASCII is allowed",
				 (unsigned char)*p, (size_t)(p - s));
			return -EINVAL;
		}
	}
	for (char *p = s; *p;) {
		if (*p == ' ') {
			snprintf(err, errlen, "empty word at offset %zu (one space between words)",
				 (size_t)(p - s));
			return -EINVAL;
		}
		if (n == CTL_MAX_WORDS) {
			snprintf(err, errlen, "too many words");
			return -EINVAL;
		}
		w[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
		if (!*p) {
			snprintf(err, errlen, "trailing space");
			return -EINVAL;
		}
	}
	return n;
}

int ctl_parse(const void *buf, size_t len, struct ctl_req *req, char *err,
	      size_t errlen)
{
	char s[CTL_MAX_REQ + 1], *w[CTL_MAX_WORDS];
	int n, v, want;

	if (len == 0) {
		snprintf(err, errlen, "empty request");
		return -EINVAL;
	}
	if (len > CTL_MAX_REQ) {
		snprintf(err, errlen, "request of %zu bytes, at most %d allowed",
			 len, CTL_MAX_REQ);
		return -EINVAL;
	}
	memcpy(s, buf, len);
	s[len] = '\0';
	if (strlen(s) != len) {
		snprintf(err, errlen, "NUL byte at offset %zu", strlen(s));
		return -EINVAL;
	}
	n = split(s, w, err, errlen);
	if (n < 0)
		return n;
	for (v = 0; v < CTL_NR_VERBS; v++)
		if (!strcmp(w[0], verb_names[v]))
			break;
	if (v == CTL_NR_VERBS) {
		snprintf(err, errlen, "unknown request '%.32s' (status, mode, reload, disable, events, coverage, stage)",
			 w[0]);
		return -EINVAL;
	}
	memset(req, 0, sizeof(*req));
	req->verb = v;
	req->cls = -1;
	if ((v == CTL_MODE || v == CTL_DISABLE) && n > 1 &&
	    !strcmp(w[n - 1], "token")) {
		req->token = 1;
		n--;
	}
	want = v == CTL_MODE ? 2 : 1;
	if (v == CTL_MODE && (n < 2 || n > 3)) {
		snprintf(err, errlen, "usage: mode audit|enforce|off [CLASS] [token]");
		return -EINVAL;
	}
	if (v == CTL_DISABLE && n != 1) {
		snprintf(err, errlen, "usage: disable [token]");
		return -EINVAL;
	}
	if (v != CTL_MODE && n != want) {
		snprintf(err, errlen, "'%s' takes no arguments", verb_names[v]);
		return -EINVAL;
	}
	if (v != CTL_MODE)
		return 0;
	req->mode = bg_mode_parse(w[1]);
	if (req->mode < 0) {
		snprintf(err, errlen, "unknown mode '%.16s' (audit, enforce, off)",
			 w[1]);
		return -EINVAL;
	}
	if (n == 3) {
		req->cls = bg_class_parse(w[2]);
		if (req->cls < 0) {
			snprintf(err, errlen, "unknown class '%.16s' (" BG_CLASS_CHOICES ")",
				 w[2]);
			return -EINVAL;
		}
	}
	return 0;
}

int ctl_format(const struct ctl_req *req, char *buf, size_t len)
{
	int n;

	if (req->verb >= CTL_NR_VERBS)
		return -EINVAL;
	if (req->verb != CTL_MODE)
		n = snprintf(buf, len, "%s", verb_names[req->verb]);
	else if (req->cls < 0)
		n = snprintf(buf, len, "mode %s", bg_mode_name(req->mode));
	else
		n = snprintf(buf, len, "mode %s %s", bg_mode_name(req->mode),
			     bg_class_name(req->cls));
	if (n >= 0 && (size_t)n < len && req->token)
		n += snprintf(buf + n, len - n, " token");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int ctl_send(int fd, const struct ctl_req *req)
{
	return ctl_send_fds(fd, req, NULL, 0);
}

int ctl_send_fds(int fd, const struct ctl_req *req, const int *fds,
		 int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(CTL_MAX_FDS * sizeof(int))];
	} c;
	char buf[CTL_MAX_REQ + 1];
	int n = ctl_format(req, buf, sizeof(buf));
	struct iovec iov = { .iov_base = buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n < 0)
		return n;
	if (nfds < 0 || nfds > CTL_MAX_FDS)
		return -EINVAL;
	iov.iov_len = n;
	if (nfds) {
		memset(&c, 0, sizeof(c));
		m.msg_control = c.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(&c.h), fds, nfds * sizeof(int));
	}
	if (sendmsg(fd, &m, MSG_NOSIGNAL) != n)
		return -errno;
	return 0;
}

int ctl_recv_req(int fd, void *buf, size_t len, int *fds, int *nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(CTL_MAX_FDS * sizeof(int)) + 64];
	} c;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	struct cmsghdr *h;
	int bad = 0;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		int k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (int i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(f));
			if (*nfds < CTL_MAX_FDS) {
				fds[(*nfds)++] = f;
			} else {
				close(f);
				bad = 1;
			}
		}
	}
	if (bad || (m.msg_flags & MSG_CTRUNC)) {
		for (int i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		return -EBADMSG;
	}
	return n;
}

int ctl_recv(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, len - 1, MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -EMSGSIZE;
	buf[n] = '\0';
	return (int)n;
}
