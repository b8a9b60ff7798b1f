// SPDX-License-Identifier: GPL-2.0
/*
 * A compiled policy (lib/policy.c) in the kernel: its entries become the
 * records of the inner policy map, its modes and flags the bg_config
 * record. The daemon hands a verified struct policy down and never sees
 * map records or config bits.
 */
#include <errno.h>
#include <string.h>

#include "engine_priv.h"
#include "policy.h"

/* The file's entry flags and component index are the kernel's
 * (asserted in policy_format.h): each entry is one record as it is. */
static void fill_from_policy(void *ctx, struct bg_policy_rec *r, __u32 n)
{
	const struct policy *p = ctx;

	for (__u32 i = 0; i < n; i++) {
		const struct policy_entry *pe = policy__entry(p, i);

		memcpy(r[i].digest, pe->sha256, BG_DIGEST_LEN);
		r[i].comp = pe->component;
		/* the loader admits exactly one of allow and block */
		r[i].flags = pe->flags & (BG_ENTRY_ALLOW | BG_ENTRY_BLOCK);
	}
}

void engine_modes_of_policy(const struct policy *p, struct engine_modes *m)
{
	for (int i = 0; i < BG_CLASS_MAX; i++)
		m->mode[i] = policy__mode(p, i);
	m->flags = (policy__allow_unmeasured_modules(p) ?
		    BG_CFG_ALLOW_UNMEASURED_MODULES : 0) |
		   (policy__trust_fuse(p) ? BG_CFG_TRUST_FUSE : 0);
}

int engine__get_modes(struct engine *e, struct engine_modes *m)
{
	struct bg_config cfg;
	int ret = engine__get_config(e, &cfg);

	if (ret)
		return ret;
	memcpy(m->mode, cfg.mode, sizeof(m->mode));
	m->flags = cfg.flags & BG_CFG_POLICY_FLAGS;
	return 0;
}

int engine__set_modes(struct engine *e, const struct engine_modes *m,
		      bool loosen_only)
{
	__u32 pflags = m->flags & BG_CFG_POLICY_FLAGS;
	struct bg_config cfg;
	int ret;

	for (int i = 0; i < BG_CLASS_MAX; i++)
		if (m->mode[i] > BG_MODE_ENFORCE)
			return -EINVAL;
	ret = engine__get_config(e, &cfg);
	if (ret)
		return ret;
	for (int i = 0; i < BG_CLASS_MAX; i++)
		if (!loosen_only || m->mode[i] < cfg.mode[i])
			cfg.mode[i] = m->mode[i];
	if (loosen_only)
		cfg.flags |= pflags;
	else
		cfg.flags = (cfg.flags & ~BG_CFG_POLICY_FLAGS) | pflags;
	return engine__set_config(e, &cfg);
}

int engine__install_policy(struct engine *e, const struct policy *p,
			   const struct engine_modes *m, __u64 generation)
{
	int ret;

	/* loosen first, swap, then tighten: never stricter than either */
	ret = engine__set_modes(e, m, true);
	if (!ret)
		ret = engine_swap_policy(e, policy__nr_entries(p), generation,
					 fill_from_policy, (void *)p);
	if (!ret)
		ret = engine__set_modes(e, m, false);
	return ret;
}

int engine__set_opts(struct engine *e, const struct engine_opts *o)
{
	struct bg_config cfg;
	int ret = engine__get_config(e, &cfg);

	if (ret)
		return ret;
	cfg.scope_cgroup = o->scope_cgroup;
	cfg.flags = (cfg.flags & ~BG_CFG_DAEMON_FLAGS) | o->flags;
	cfg.max_measure_mib = o->max_measure_mib;
	return engine__set_config(e, &cfg);
}
