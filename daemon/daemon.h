/* SPDX-License-Identifier: GPL-2.0 */
/* bomgated internals shared by the files of daemon/. */
#ifndef BOMGATED_DAEMON_H
#define BOMGATED_DAEMON_H

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include <linux/types.h>

#include "apt_stage.h"
#include "bomgate.h"
#include "daemon_conf.h"

struct engine;
struct policy;

/* Policy generation: version << 20 | reload counter (never 0, never reused
 * for one version until 2^20 reloads of it). */
#define GEN_SHIFT		20
#define GEN_VERSION(g)		((g) >> GEN_SHIFT)
#define EVENT_SCHEMA		"bomgate.event/1"
#define MAX_CLIENTS		16
#define COALESCE_SLOTS		256
#define GUARD_MAX		128

struct coalesce_slot {
	__u64 key;
	time_t first;
	__u32 count;		/* suppressed repeats since first */
	int used;
	struct bg_event ev;
};

struct evout {
	FILE *file;
	const char *path;
	__u64 size, max;
	int keep;
	int to_stdout, to_syslog, to_journal, to_audit;
	int coalesce_secs;
	int audit_warned;
	__u64 seq;
	struct coalesce_slot slot[COALESCE_SLOTS];
	/* every line also goes here (the control server's subscribers) */
	void (*publish)(void *ctx, const char *line, size_t len);
	void *publish_ctx;
};

struct client {
	int fd;			/* -1: free slot */
	int subscribed;
	pid_t pid;
	uid_t uid;
};

struct guard_report {
	int n;			/* paths the policy would deny */
	char path[GUARD_MAX][256];
};

struct daemon {
	struct daemon_conf *conf;
	struct engine *e;
	int resumed;
	struct policy *pol;	/* in force, under generation */
	struct policy *prev_pol;	/* the one before, under prev_generation */
	__u64 prev_generation;
	char policy_sha[65];
	char policy_path[4096];	/* the file the policy in force came from */
	int fallback;		/* it is the last known good one: */
	char fallback_why[512];	/* why the configured one was refused */
	char signers[512];	/* "; "-separated subjects or "(unsigned)" */
	__u64 generation;
	time_t started;
	int epfd, lsock;
	gid_t ctl_gid;
	int have_gid;
	struct client cl[MAX_CLIENTS];
	struct evout ev;
	int held_back;		/* lock-out guard kept exec/mmap in audit */
	struct guard_report guard;
	__u64 drops_seen, unmeasurable;
	int disabled;
	/* the kernel's state as this daemon last set or reported it */
	struct bg_config kcfg;
	__u64 kgen;
	__u32 knr_scopes;	/* the scope modes the daemon set */
	__u8 kscope[BG_SCOPE_MAX][BG_CLASS_MAX];
	int kpins;		/* link pins this daemon left */
	int kpins_seen;		/* link pins last reported */
	int kstate_known;
	__u64 tampers;		/* tamper events (refused or detected) */
	struct bg_seal seal;	/* as last read from the kernel */
	int seal_reexec;	/* sealing needs this daemon marked: re-exec */
	char machine_id[33];	/* /etc/machine-id at start, "" if none */
	int metrics_err;	/* the last metrics write's error, said once */
	int scope_err;		/* the last scope refresh's error, said once */
	struct apt_stage stage;	/* trust-apt: packages staged (stage.c) */
};

/* main.c: READY=1 (or @state) with the STATUS line, under systemd */
void daemon_notify_status(struct daemon *d, const char *state);

/* policyload.c */
int daemon_policy_apply(struct daemon *d, int reload, char *err,
			size_t errlen);
/* Every second: scopes whose cgroup appeared, was recreated or went. */
void daemon_scopes_refresh(struct daemon *d);
/* At a fresh start whose configured policy was refused (@why): enforce
 * the last known good policy of state-dir instead. 0, or -errno (-ENOENT:
 * none kept). */
int daemon_policy_fallback(struct daemon *d, const char *why);
/* @authorised: a step-down token allows lowering under a seal. */
int daemon_set_mode(struct daemon *d, int cls, int mode, int authorised,
		    char *err, size_t errlen);
/* The policy installed under @generation (the one in force or the one
 * before it), NULL if neither. */
const struct policy *daemon_policy_of(const struct daemon *d,
				      __u64 generation);
/* The generation after @cur for a policy of @version (GEN_SHIFT). */
__u64 gen_next(__u64 cur, __u64 version);

/* guard.c */
/* The paths @p would deny into @r; returns how many. */
int guard_check(const struct daemon_conf *c, const struct policy *p,
		struct guard_report *r);
/* "sha256  path" of every guarded path (bomgated --guard-list). */
int guard_list(const struct daemon_conf *c, FILE *f);
/* 1 when @modes are held back under @p (unless --force): a policy that
 * allows nothing keeps every class in audit; a guarded path it would deny
 * keeps exec and mmap in audit, d->guard lists them. */
struct engine_modes;
int guard_hold(struct daemon *d, const struct policy *p,
	       struct engine_modes *m);

/* journal.c: events as native journal entries */
int journal_available(void);
/* 0, or negative: not sent. */
int journal_emit(const char *line, size_t len, int prio);

/* audit.c: events as Linux audit records (AUDIT_TRUSTED_APP) */
int audit_start(void);
void audit_stop(void);
int audit_emit(const char *line, size_t len);

/* evout.c: the event sinks */
int evout_open(struct evout *o, const struct daemon_conf *c);
void evout_close(struct evout *o);
void evout_emit(struct evout *o, const char *line, size_t len, int prio);

/* stage.c: trust-apt */
/* Install @p (and the staged digests) under @gen. */
int daemon_install(struct daemon *d, const struct policy *p,
		   const struct engine_modes *m, __u64 gen);
/* A new policy @p: staged packages whose key it does not trust go. */
void daemon_stage_policy_changed(struct daemon *d, const struct policy *p);
/* The "stage" request: @listfd holds the .deb paths. */
/* 0 when it replied on @cfd, or -errno with @err for the caller to. */
int daemon_stage(struct daemon *d, int cfd, int listfd, char *err,
		 size_t errlen);
/* At start, before the first policy @p is installed: the packages staged
 * before (state-dir), staged again (verified again) when their .deb is
 * still there. */
void daemon_stage_restore(struct daemon *d, const struct policy *p);
/* The staged package the kernel's component index @comp names, or NULL. */
const struct apt_stage_pkg *daemon_staged_pkg(const struct daemon *d,
					      const struct policy *p,
					      __u32 comp);

/* events.c */
int daemon_on_event(void *ctx, const struct bg_event *ev);
void daemon_event_tick(struct daemon *d);
/* Write out coalesced repeats whose window has ended by @now. */
void daemon_event_flush(struct daemon *d, time_t now);
/* One event record as its JSON line (docs/events.md), no newline. */
void event_json(struct daemon *d, FILE *f, const struct bg_event *ev,
		const char *type, __u32 count, time_t first);
/* A daemon event (start, reload, mode, disable, refused...) as JSON. */
void daemon_note(struct daemon *d, const char *action, int ok,
		 const char *detail);
void daemon_tamper(struct daemon *d, const char *what, const char *detail);
/* trust-apt: @pkg staged from @deb, or NULL: @deb gets nothing (@why). */
void daemon_package_event(struct daemon *d, const char *deb,
			  const struct apt_stage_pkg *pkg, const char *why);

/* seal.c */
int seal_trust(struct daemon *d, const char **trust, int *nr_trust,
	       int *min_signers, char *err, size_t errlen);
int seal_check_load(struct daemon *d, const struct policy *p,
		    const struct engine_modes *m, char *err, size_t errlen);
int seal_update(struct daemon *d, const struct policy *p,
		const char *const *trust, int nr_trust, int min_signers,
		char *err, size_t errlen);
int seal_refuse(struct daemon *d, const char *what, char *err,
		size_t errlen);
/* A step-down token for @req (control.h) from @fds: 1 when it authorises
 * the request, 0 when the request has none (or needs none: not sealed),
 * -errno with @err when it is refused (a tamper event). */
struct ctl_req;
int seal_authorise(struct daemon *d, const struct ctl_req *req,
		   const int *fds, int nfds, char *err, size_t errlen);
void kstate_remember(struct daemon *d);
void kstate_check(struct daemon *d);

/* server.c */
int server_open(struct daemon *d, char *err, size_t errlen);
void server_close(struct daemon *d);
void server_accept(struct daemon *d);
void server_client(struct daemon *d, int idx);
int status_json(struct daemon *d, FILE *f);
/* evout's publish callback: @ctx is the daemon. */
void server_publish(void *ctx, const char *line, size_t len);
void server_reply_err(int fd, const char *why);

/* privs.c */
int privs_drop(char *err, size_t errlen);
int privs_seccomp(int test_verb, char *err, size_t errlen);

/* main.c: flags set by signal handlers and control requests */
extern volatile sig_atomic_t daemon_stop, daemon_reload;
int metrics_write(struct daemon *d);

#endif
