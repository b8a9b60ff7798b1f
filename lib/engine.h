/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side of bomgate as seen from userspace: load and attach the
 * BPF programs, set modes, swap policies atomically, read counters and
 * consume events. Used by bomgated and by the VM selftests.
 */
#ifndef BOMGATE_ENGINE_H
#define BOMGATE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bomgate.h"
#include "vocab.h"

struct engine;

struct engine_opts {
	__u64 scope_cgroup;	/* 0: whole system; else only this cgroup */
	__u32 ringbuf_bytes;	/* 0: default (1 MiB); power of 2 */
	__u32 flags;		/* BG_CFG_* initial flags */
	__u32 max_measure_mib;	/* 0: BG_MEASURE_MAX_DEFAULT_MIB */
	__u32 cover_max;	/* bg_cover entries; 0: BG_COVER_MAX */
};

/* Open and load every program the running kernel supports. Programs left
 * out (hook missing in this kernel) are listed by engine__left_out(). All
 * modes start at BG_MODE_OFF. NULL and errno on failure, with @err set. */
struct engine *engine__load(const struct engine_opts *opts, char *err,
			    size_t errlen);
int engine__attach(struct engine *e, char *err, size_t errlen);
void engine__destroy(struct engine *e);
const char *engine__left_out(const struct engine *e);

int engine__get_config(struct engine *e, struct bg_config *cfg);
int engine__set_config(struct engine *e, const struct bg_config *cfg);
int engine__set_mode(struct engine *e, int cls, int mode);
int engine__set_all_modes(struct engine *e, int mode);

/*
 * Install a policy: @recs sorted ascending by digest, unique, @n of them.
 * The kernel sees the old policy until the single map update that swaps in
 * the new one. @generation must be non-zero.
 */
int engine__install(struct engine *e, const struct bg_policy_rec *recs,
		    __u32 n, __u64 generation);
/* Generation of the policy in force, 0 if none. */
int engine__generation(struct engine *e, __u64 *generation);

/* --- a compiled policy in the kernel (engine_policy.c) ---------------- */

struct policy;

/* A cgroup scope of the policy, resolved on this machine. */
/* The id of a scope whose cgroup does not exist (yet): matches no task */
#define BG_SCOPE_PENDING	(~0ULL)

struct engine_scope {
	__u64 cgroup_id;		/* 0: not resolved; BG_SCOPE_PENDING */
	__u32 level;			/* depth below the cgroup root */
	__u32 parent;			/* 1 + the enclosing scope; 0 none */
	__u8 mode[BG_CLASS_MAX];	/* BG_MODE_* or BG_MODE_INHERIT */
};

/* What a policy decides: bg_config's modes and flags, and its scopes
 * (index = the policy's scope index). */
struct engine_modes {
	__u8 mode[BG_CLASS_MAX];	/* BG_MODE_* per BG_CLASS_* */
	__u32 flags;			/* BG_CFG_POLICY_FLAGS bits */
	__u32 nr_scopes;
	struct engine_scope scope[BG_SCOPE_MAX];
};

/* The mode class @cls has in scope @s: its own, else the enclosing
 * scope's, else the global one (BG_MODE_INHERIT resolved). */
static inline __u8 engine_scope_mode(const struct engine_modes *m, __u32 s,
				     int cls)
{
	for (int depth = 0; s < m->nr_scopes && depth < BG_SCOPE_MAX; depth++) {
		if (m->scope[s].mode[cls] != BG_MODE_INHERIT)
			return m->scope[s].mode[cls];
		if (!m->scope[s].parent)
			break;
		s = m->scope[s].parent - 1;
	}
	return m->mode[cls];
}

/* The highest mode of @cls anywhere: globally or in a scope. */
__u8 engine_modes_max(const struct engine_modes *m, int cls);

/* The modes, flags and scopes compiled into @p (scopes not resolved). */
void engine_modes_of_policy(const struct policy *p, struct engine_modes *m);
/* Resolve @p's scope paths (cgroup v2 directories) to cgroup ids and
 * levels. A path that does not exist yet below a cgroup v2 directory is
 * pending (BG_SCOPE_PENDING: no task is in it; engine__refresh_scopes()
 * gives it its id once it exists); any other path that is not a cgroup
 * v2 directory is an error naming it and its line in the policy source.
 * 0 or -errno. */
int engine_scopes_resolve(const struct policy *p, struct engine_modes *m,
			  char *err, size_t errlen);
/* The cgroup id and level (0: the root) of cgroup v2 directory @path. */
int engine_cgroup_resolve(const char *path, __u64 *id, __u32 *level);
/* The modes, policy flags and scopes in force. */
int engine__get_modes(struct engine *e, struct engine_modes *m);
/* Write the scope modes of @m into the policy in force (the scopes of the
 * policy it was installed with: same number, same order). */
int engine__set_scope_modes(struct engine *e, const struct engine_modes *m);
/* Resolve the scope paths of @p (the policy in force) again and give a
 * record whose cgroup appeared, was recreated or went away its new id
 * (one record update each), telling @changed first. 0 or -errno. */
int engine__refresh_scopes(struct engine *e, const struct policy *p,
			   int (*changed)(void *ctx, __u32 idx, __u64 old_id,
					  __u64 new_id), void *ctx);
/* Set modes and policy flags (not the scopes: they swap with the policy);
 * scope, BG_CFG_EMIT_ALLOWED and the measuring limit stay. @loosen_only: a mode only goes down, flags are only added. */
int engine__set_modes(struct engine *e, const struct engine_modes *m,
		      bool loosen_only);
/*
 * Install @p (a verified and parsed policy)
 * under @generation (non-zero) with modes @m: loosen the modes, swap the
 * policy in with one map update, then tighten them, so that no decision is
 * stricter than under either the old or the new policy. The scopes of @m
 * (resolved) swap in with the policy.
 */
int engine__install_policy(struct engine *e, const struct policy *p,
			   const struct engine_modes *m, __u64 generation);
/* The same with @ext merged in (staged digests: sorted strictly ascending,
 * components numbered by the caller); a digest in both keeps the
 * policy's record. */
int engine__install_policy_ext(struct engine *e, const struct policy *p,
			       const struct engine_modes *m, __u64 generation,
			       const struct bg_policy_rec *ext, __u32 n_ext);
/* The daemon's settings on an engine resumed from pins: scope, measuring
 * limit, BG_CFG_EMIT_ALLOWED as in @o (its other flags are added). */
int engine__set_opts(struct engine *e, const struct engine_opts *o);

/* Sealed mode (engine_seal.c). */
int engine__get_seal(struct engine *e, struct bg_seal *s);
int engine__set_seal(struct engine *e, const struct bg_seal *s);
/* BG_TASK_* of process @pid (0 when never marked). */
int engine__task_flags(struct engine *e, pid_t pid, __u32 *flags);
/* Fill the link ids and pin inodes of @e pinned in @dir into @s. */
int engine__seal_ids(struct engine *e, const char *dir, struct bg_seal *s);

/* Sum the per-CPU counters into @out[BG_CNT_MAX]. */
int engine__counters(struct engine *e, __u64 *out);
/* How many entries bg_cover holds at most (as loaded or pinned). */
__u32 engine__cover_max(struct engine *e);
/* Every bg_cover entry (BG_CFG_COVERAGE) to @cb, which stops the walk by
 * returning non-zero (returned). 0 or -errno. */
int engine__cover_each(struct engine *e,
		       int (*cb)(void *ctx, const struct bg_cover_key *k,
				 const struct bg_cover *v),
		       void *ctx);

typedef int (*engine_event_fn)(void *ctx, const struct bg_event *ev);
int engine__set_event_cb(struct engine *e, engine_event_fn fn, void *ctx);
/* Deliver pending events; wait up to @timeout_ms. Returns events or -errno.
 * With a budget set, at most that many events are delivered per call, so
 * a flood cannot starve the caller's other work; call again for more. */
int engine__poll(struct engine *e, int timeout_ms);
void engine__set_poll_budget(struct engine *e, unsigned int events);
int engine__events_fd(struct engine *e);

/* The inode cache entry of the open file @fd (tests, diagnostics). */
int engine__icache_lookup(struct engine *e, int fd, struct bg_icache *out);

#endif
