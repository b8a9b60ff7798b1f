/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of struct engine, for lib/engine*.c only. */
#ifndef BOMGATE_ENGINE_PRIV_H
#define BOMGATE_ENGINE_PRIV_H

#include "engine.h"
#include "bomgate.skel.h"

struct engine {
	struct bomgate_bpf *skel;
	struct ring_buffer *rb;
	engine_event_fn event_fn;
	void *event_ctx;
	char left_out[256];
	unsigned int poll_budget;	/* events per engine__poll(), 0: all */
	unsigned int polled;		/* events delivered in this poll */
};

/* Allocate and open (not load) the skeleton; NULL and errno on failure. */
struct engine *engine_open(const struct engine_opts *opts, char *err,
			   size_t errlen);
/* Write the initial configuration record: modes off, scope, flags. */
int engine_seed_config(struct engine *e, const struct engine_opts *opts,
		       char *err, size_t errlen);
/* Write @n policy records into the new inner map (engine_swap_policy). */
typedef void (*engine_fill_fn)(void *ctx, struct bg_policy_rec *recs, __u32 n);
/* New inner map of @n records filled by @fill, swapped in at once. */
int engine_swap_policy(struct engine *e, __u32 n, __u64 generation,
		       engine_fill_fn fill, void *ctx);
/* The same with @nr_scopes scope records (most specific first) after the
 * digests, in the same map. */
int engine_swap_policy_scoped(struct engine *e, __u32 n,
			      const struct bg_scope_rec *scopes,
			      __u32 nr_scopes, __u64 generation,
			      engine_fill_fn fill, void *ctx);
/* An fd of the inner map in force and its header; -ENOENT without one. */
int engine_policy_fd(struct engine *e, struct bg_policy_hdr *hdr);
/* Leave out programs whose hook the running kernel lacks (engine.c). */
void engine_probe_hooks(struct engine *e);

#endif
