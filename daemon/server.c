// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: SOCK_SEQPACKET, root or the configured group only
 * (SO_PEERCRED), one bounded request per message, one JSON reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "json.h"
#include "control.h"
#include "token.h"
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "engine.h"
#include "engine_pin.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"

int server_open(struct daemon *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->conf->socket;
	struct epoll_event ev = { .events = EPOLLIN };
	char dir[PATH_MAX];
	int fd, ret;

	for (int i = 0; i < MAX_CLIENTS; i++)
		d->cl[i].fd = -1;
	if (d->conf->socket_group) {
		struct group *g = getgrnam(d->conf->socket_group);

		if (!g) {
			snprintf(err, errlen, "socket-group: no group '%s'",
				 d->conf->socket_group);
			return -ENOENT;
		}
		d->ctl_gid = g->gr_gid;
		d->have_gid = 1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-ret));
		return ret;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto err;
	unlink(path);	/* a stale socket of an earlier daemon */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, d->have_gid ? 0660 : 0600) ||
	    (d->have_gid && chown(path, 0, d->ctl_gid)) || listen(fd, 16))
		goto err;
	d->lsock = fd;
	ev.data.u32 = MAX_CLIENTS;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		goto err;
	return 0;
err:
	ret = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(-ret));
	if (fd >= 0)
		close(fd);
	d->lsock = -1;
	return ret;
}

void server_close(struct daemon *d)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (d->cl[i].fd >= 0)
			close(d->cl[i].fd);
	if (d->lsock >= 0) {
		close(d->lsock);
		unlink(d->conf->socket);
	}
	d->lsock = -1;
}

static void drop_client(struct daemon *d, int i)
{
	close(d->cl[i].fd);
	d->cl[i].fd = -1;
	d->cl[i].subscribed = 0;
}

static void reply(int fd, const char *msg)
{
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		pr_debug("control: reply lost: %s", strerror(errno));
}

void server_reply_err(int fd, const char *why)
{
	struct json_writer w;
	struct json_buf b;

	if (json_buf_open(&b))
		return;
	json_begin(&w, b.f);
	json_object(&w);
	json_kv_bool(&w, "ok", false);
	json_kv_string(&w, "error", why);
	json_end(&w);
	if (json_buf_close(&b))
		reply(fd, b.text);
	json_buf_free(&b);
}

void server_accept(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	int fd, i;

	fd = accept4(d->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl)) {
		close(fd);
		return;
	}
	if (cr.uid != 0 && !(d->have_gid && cr.gid == d->ctl_gid)) {
		pr_warn("control: refused uid %u gid %u pid %d (root or socket-group only)",
			cr.uid, cr.gid, cr.pid);
		server_reply_err(fd, "permission denied: root or the socket group only");
		close(fd);
		return;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (d->cl[i].fd < 0)
			break;
	if (i == MAX_CLIENTS) {
		server_reply_err(fd, "busy: too many control connections");
		close(fd);
		return;
	}
	ev.data.u32 = i;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return;
	}
	d->cl[i] = (struct client){ .fd = fd, .pid = cr.pid, .uid = cr.uid };
}

/* What the kernel has now (not what this daemon set): read back. */
static void kernel_json(struct daemon *d, struct json_writer *w)
{
	struct bg_config cfg = {};
	struct bg_seal s = {};
	__u64 gen = 0;
	char hex[65];

	engine__generation(d->e, &gen);
	engine__get_config(d->e, &cfg);
	engine__get_seal(d->e, &s);
	json_object(w);
	json_kv_u64(w, "generation", gen);
	json_kv_u64(w, "policy_version", GEN_VERSION(gen));
	json_kv_bool(w, "matches_daemon", gen == d->generation);
	json_kv_u64(w, "scope_cgroup", cfg.scope_cgroup);
	json_kv_u64(w, "flags", cfg.flags);
	json_kv_i64(w, "link_pins", engine_pin_count(d->conf->pin_dir));
	json_kv_u64(w, "tampers", d->tampers);
	json_kv_bool(w, "sealed", s.sealed);
	json_key(w, "seal");
	json_object(w);
	json_key(w, "daemons");
	json_array(w);
	for (__u32 i = 0; i < s.nr_daemons && i < BG_SEAL_DAEMONS; i++) {
		sha256_hex(s.daemon[i], hex);
		json_string(w, hex);
	}
	json_end(w);
	json_key(w, "signers");
	json_array(w);
	for (__u32 i = 0; i < s.nr_signers && i < BG_SEAL_SIGNERS; i++) {
		sha256_hex(s.signer[i], hex);
		json_string(w, hex);
	}
	json_end(w);
	json_kv_u64(w, "min_signers", s.min_signers);
	json_kv_u64(w, "min_version", s.min_version);
	token_hex(s.id, hex);
	json_kv_string(w, "id", s.sealed ? hex : "");
	json_kv_u64(w, "token_serial", s.token_serial);
	json_end(w);
	json_end(w);
}

/* The scopes in force, with the mode each class has in them. */
static void scopes_json(struct daemon *d, struct json_writer *w,
			const struct engine_modes *m)
{
	json_key(w, "scopes");
	json_array(w);
	for (__u32 s = 0; s < m->nr_scopes; s++) {
		const struct policy_scope *sc = d->pol ?
						policy__scope(d->pol, s) : NULL;

		json_object(w);
		json_kv_string(w, "path", sc ? sc->path : "");
		json_kv_u64(w, "line", sc ? sc->line : 0);
		json_kv_u64(w, "cgroup_id", m->scope[s].cgroup_id);
		json_kv_u64(w, "level", m->scope[s].level);
		json_key(w, "modes");
		json_object(w);
		for (int i = 0; i < BG_CLASS_MAX; i++)
			json_kv_string(w, bg_class_name(i),
				       bg_mode_name(engine_scope_mode(m, s, i)));
		json_end(w);
		json_key(w, "inherited");
		json_array(w);
		for (int i = 0; i < BG_CLASS_MAX; i++)
			if (m->scope[s].mode[i] == BG_MODE_INHERIT)
				json_string(w, bg_class_name(i));
		json_end(w);
		json_end(w);
	}
	json_end(w);
}

/* trust-apt: the keys of the policy and the packages staged from them
 * (at most 256 listed: a status reply stays below CTL_MAX_REPLY). */
static void trust_apt_json(struct daemon *d, struct json_writer *w)
{
	const struct apt_stage *st = &d->stage;

	json_key(w, "trust_apt");
	json_object(w);
	json_key(w, "keys");
	json_array(w);
	for (__u32 t = 0; d->pol && t < policy__nr_trusts(d->pol); t++)
		json_string(w, policy__trust(d->pol, t)->fpr);
	json_end(w);
	json_kv_u64(w, "packages", st->npkgs);
	json_kv_u64(w, "digests", st->ndigests);
	json_key(w, "staged");
	json_array(w);
	for (size_t i = 0; i < st->npkgs && i < 256; i++) {
		const struct apt_stage_pkg *pk = &st->pkgs[i];

		json_object(w);
		json_kv_string(w, "package", pk->name);
		json_kv_string(w, "version", pk->version);
		json_kv_string(w, "architecture", pk->arch);
		json_kv_string(w, "repository", pk->repo);
		json_kv_string(w, "key", pk->fpr);
		json_kv_u64(w, "files", pk->nfiles);
		json_end(w);
	}
	json_end(w);
	json_end(w);
}

int status_json(struct daemon *d, FILE *f)
{
	__u64 c[BG_CNT_MAX] = {};
	struct engine_modes m = {};
	__u64 sum[BG_DEC_MAX] = {};
	struct json_writer w;

	engine__get_modes(d->e, &m);
	engine__counters(d->e, c);
	json_begin(&w, f);
	json_object(&w);
	json_kv_bool(&w, "ok", true);
	json_kv_u64(&w, "protocol", CTL_VERSION);
	json_key(&w, "daemon");
	json_object(&w);
	json_kv_u64(&w, "pid", getpid());
	json_kv_string(&w, "version", BOMGATE_VERSION);
	json_kv_i64(&w, "uptime_s", time(NULL) - d->started);
	json_kv_bool(&w, "resumed", d->resumed);
	json_kv_string(&w, "pin_dir", d->conf->pin_dir);
	json_kv_string(&w, "machine_id", d->machine_id);
	json_end(&w);
	json_key(&w, "policy");
	json_object(&w);
	json_kv_string(&w, "path", d->policy_path);
	if (d->fallback) {
		json_kv_bool(&w, "last_known_good", 1);
		json_kv_string(&w, "configured", d->conf->policy);
		json_kv_string(&w, "configured_refused", d->fallback_why);
	}
	json_kv_string(&w, "name", d->pol ? policy__name(d->pol) : "");
	json_kv_u64(&w, "version", d->pol ? policy__version(d->pol) : 0);
	json_kv_u64(&w, "generation", d->generation);
	json_kv_string(&w, "sha256", d->policy_sha);
	json_kv_u64(&w, "entries", d->pol ? policy__nr_entries(d->pol) : 0);
	json_kv_string(&w, "signers", d->signers);
	json_end(&w);
	json_key(&w, "kernel");
	kernel_json(d, &w);
	json_key(&w, "modes");
	json_object(&w);
	for (int i = 0; i < BG_CLASS_MAX; i++)
		json_kv_string(&w, bg_class_name(i), bg_mode_name(m.mode[i]));
	json_end(&w);
	scopes_json(d, &w, &m);
	trust_apt_json(d, &w);
	json_key(&w, "guard");
	json_object(&w);
	json_kv_bool(&w, "held_back", d->held_back);
	json_key(&w, "would_deny");
	json_array(&w);
	for (int i = 0; d->held_back && i < d->guard.n; i++)
		json_string(&w, d->guard.path[i]);
	json_end(&w);
	json_end(&w);
	json_key(&w, "counters");
	json_object(&w);
	for (int h = 0; h < BG_HOOK_MAX; h++) {
		json_key(&w, bg_hook_name(h));
		json_object(&w);
		for (int k = 0; k < BG_DEC_MAX; k++) {
			__u64 v = c[h * BG_DEC_MAX + k];

			sum[k] += v;
			json_kv_u64(&w, bg_decision_name(k), v);
		}
		json_end(&w);
	}
	json_end(&w);
	json_kv_u64(&w, "allowed", sum[BG_DEC_ALLOWED]);
	json_kv_u64(&w, "denied", sum[BG_DEC_DENIED]);
	json_kv_u64(&w, "would_deny", sum[BG_DEC_WOULD_DENY]);
	json_kv_u64(&w, "unmeasurable", d->unmeasurable);
	json_kv_u64(&w, "drops", c[BG_CNT_DROPS]);
	json_kv_u64(&w, "hashes", c[BG_CNT_HASHES]);
	json_kv_u64(&w, "cache_hits", c[BG_CNT_CACHE_HITS]);
	json_kv_u64(&w, "verdict_hits", c[BG_CNT_VERDICT_HITS]);
	json_kv_u64(&w, "coverage_full", c[BG_CNT_COVER_FULL]);
	json_end(&w);
	return 0;
}

static void do_status(struct daemon *d, int fd)
{
	struct json_buf b;

	if (json_buf_open(&b)) {
		server_reply_err(fd, "out of memory");
		return;
	}
	status_json(d, b.f);
	if (json_buf_close(&b))
		reply(fd, b.text);
	json_buf_free(&b);
}

struct cover_out {
	struct json_writer w;
	__u64 n;
};

static int cover_one(void *ctx, const struct bg_cover_key *k,
		     const struct bg_cover *v)
{
	struct cover_out *o = ctx;
	char hex[65];

	sha256_hex(k->digest, hex);
	json_object(&o->w);
	json_kv_string(&o->w, "sha256", hex);
	json_kv_string(&o->w, "hook", bg_hook_name(k->hook));
	json_kv_u64(&o->w, "allowed", v->allowed);
	json_kv_u64(&o->w, "refused", v->refused);
	json_kv_u64(&o->w, "first_ns", v->first_ns);
	json_kv_u64(&o->w, "last_ns", v->last_ns);
	json_end(&o->w);
	o->n++;
	return 0;
}

/* The kernel's per-digest counts into the client's file @out. */
static void do_coverage(struct daemon *d, int fd, int out)
{
	__u64 c[BG_CNT_MAX] = {};
	struct cover_out o = {};
	struct timespec now;
	struct json_buf b;
	char msg[160];
	struct stat st;
	ssize_t n;
	int ret;

	if (fstat(out, &st) || !S_ISREG(st.st_mode)) {
		server_reply_err(fd, "coverage: the descriptor must be a regular file (a memfd)");
		return;
	}
	if (json_buf_open(&b)) {
		server_reply_err(fd, "out of memory");
		return;
	}
	engine__counters(d->e, c);
	clock_gettime(CLOCK_BOOTTIME, &now);
	json_begin(&o.w, b.f);
	json_object(&o.w);
	json_kv_string(&o.w, "schema", "bomgate.kcoverage/1");
	json_kv_u64(&o.w, "boot_ns", (__u64)now.tv_sec * 1000000000 + now.tv_nsec);
	json_kv_u64(&o.w, "time", time(NULL));
	json_kv_u64(&o.w, "max", engine__cover_max(d->e));
	json_kv_u64(&o.w, "full", c[BG_CNT_COVER_FULL]);
	json_kv_bool(&o.w, "counting", d->conf->coverage);
	json_key(&o.w, "entries");
	json_array(&o.w);
	ret = engine__cover_each(d->e, cover_one, &o);
	json_end(&o.w);
	json_end(&o.w);
	if (!json_buf_close(&b) || ret) {
		snprintf(msg, sizeof(msg), "coverage: cannot read the kernel's counts: %s",
			 strerror(ret ? -ret : ENOMEM));
		server_reply_err(fd, msg);
		json_buf_free(&b);
		return;
	}
	n = pwrite(out, b.text, strlen(b.text), 0);
	if (n != (ssize_t)strlen(b.text) || ftruncate(out, n)) {
		snprintf(msg, sizeof(msg), "coverage: cannot write the answer: %s",
			 n < 0 ? strerror(errno) : "short write");
		server_reply_err(fd, msg);
	} else {
		snprintf(msg, sizeof(msg), "{\"ok\":true,\"entries\":%llu,\"bytes\":%zd}",
			 (unsigned long long)o.n, n);
		reply(fd, msg);
	}
	json_buf_free(&b);
}

static void do_request(struct daemon *d, int i, const struct ctl_req *req,
		       const int *fds, int nfds)
{
	struct client *cl = &d->cl[i];
	char err[1024], who[64];
	int ret, authorised;

	snprintf(who, sizeof(who), "uid %u pid %d", cl->uid, cl->pid);
	authorised = seal_authorise(d, req, fds, nfds, err, sizeof(err));
	if (authorised < 0) {
		pr_err("%s refused (%s): %s", ctl_verb_name(req->verb), who, err);
		daemon_note(d, ctl_verb_name(req->verb), 0, err);
		server_reply_err(cl->fd, err);
		return;
	}
	switch (req->verb) {
	case CTL_STATUS:
		do_status(d, cl->fd);
		return;
	case CTL_MODE:
		ret = daemon_set_mode(d, req->cls, req->mode, authorised, err,
				      sizeof(err));
		if (ret) {
			pr_err("mode %s refused (%s): %s", bg_mode_name(req->mode),
			       who, err);
			daemon_note(d, "mode", 0, err);
			server_reply_err(cl->fd, err);
			return;
		}
		snprintf(err, sizeof(err), "%s for %s by %s",
			 bg_mode_name(req->mode),
			 req->cls < 0 ? "every class" : bg_class_name(req->cls), who);
		daemon_note(d, "mode", 1, err);
		do_status(d, cl->fd);
		return;
	case CTL_RELOAD:
		sd_notify(0, "RELOADING=1");
		ret = daemon_policy_apply(d, 1, err, sizeof(err));
		daemon_notify_status(d, "READY=1");
		if (ret) {
			pr_err("reload refused (%s); the policy in force is unchanged: %s",
			       who, err);
			daemon_note(d, "reload", 0, err);
			server_reply_err(cl->fd, err);
			return;
		}
		daemon_note(d, "reload", 1, who);
		do_status(d, cl->fd);
		return;
	case CTL_DISABLE:
		if (!authorised && seal_refuse(d, "disable", err, sizeof(err))) {
			pr_err("disable refused (%s): %s", who, err);
			daemon_note(d, "disable", 0, err);
			server_reply_err(cl->fd, err);
			return;
		}
		d->disabled = 1;	/* no tamper report for this */
		engine__set_all_modes(d->e, BG_MODE_OFF);
		ret = engine_pin_remove(d->conf->pin_dir);
		pr_warn("enforcement DISABLED by %s: every class off, pins removed from %s%s%s",
			who, d->conf->pin_dir, ret ? ": " : "",
			ret ? strerror(-ret) : "");
		daemon_note(d, "disable", 1, who);
		reply(cl->fd, "{\"ok\":true,\"disabled\":true}");
		d->disabled = 1;
		daemon_stop = 1;
		return;
	case CTL_COVERAGE:
		do_coverage(d, cl->fd, fds[0]);
		return;
	case CTL_STAGE:
		if (cl->uid) {
			server_reply_err(cl->fd, "stage: only root (apt) may stage packages");
			return;
		}
		if (daemon_stage(d, cl->fd, fds[0], err, sizeof(err)))
			server_reply_err(cl->fd, err);
		return;
	case CTL_EVENTS:
		cl->subscribed = 1;
		reply(cl->fd, "{\"ok\":true,\"subscribed\":true}");
		return;
	case CTL_TEST_SECCOMP:
		if (!d->conf->test_seccomp)
			break;
		pr_warn("test-seccomp: calling personality(2), outside the allowlist");
		syscall(SYS_personality, 0xffffffffUL);
		server_reply_err(cl->fd, "still alive: the seccomp filter did not trap");
		return;
	case CTL_NR_VERBS:
		break;
	}
	server_reply_err(cl->fd, "unknown request");
}

void server_client(struct daemon *d, int i)
{
	char buf[CTL_MAX_REQ + 1], err[256];
	int fds[CTL_MAX_FDS], nfds = 0;
	struct ctl_req req;
	int n;

	n = ctl_recv_req(d->cl[i].fd, buf, sizeof(buf), fds, &nfds);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n == -EBADMSG) {
		server_reply_err(d->cl[i].fd, "at most 2 descriptors (token, signature) may come with a request");
		return;
	}
	if (n <= 0) {
		/* closed, or an empty message: SEQPACKET has no such request */
		if (n == 0)
			server_reply_err(d->cl[i].fd, "empty request");
		drop_client(d, i);
		return;
	}
	if (n > CTL_MAX_REQ) {
		snprintf(err, sizeof(err), "request of %d bytes, at most %d allowed",
			 n, CTL_MAX_REQ);
		server_reply_err(d->cl[i].fd, err);
		goto out;
	}
	if (ctl_parse(buf, n, &req, err, sizeof(err))) {
		pr_debug("control: bad request from pid %d: %s", d->cl[i].pid,
			 err);
		server_reply_err(d->cl[i].fd, err);
		goto out;
	}
	if (req.verb == CTL_COVERAGE || req.verb == CTL_STAGE ? nfds != 1 :
	    nfds && !req.token) {
		server_reply_err(d->cl[i].fd, req.verb == CTL_COVERAGE ?
			  "coverage takes one descriptor: the file to write to" :
			  req.verb == CTL_STAGE ?
			  "stage takes one descriptor: the file of .deb paths" :
			  "descriptors came with a request that takes none");
		goto out;
	}
	do_request(d, i, &req, fds, nfds);
out:
	for (int k = 0; k < nfds; k++)
		close(fds[k]);
}

void server_publish(void *ctx, const char *line, size_t len)
{
	struct daemon *d = ctx;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (d->cl[i].fd < 0 || !d->cl[i].subscribed)
			continue;
		/* a subscriber that cannot keep up is dropped, never waited on */
		if (send(d->cl[i].fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			drop_client(d, i);
	}
}
