// SPDX-License-Identifier: GPL-2.0
/*
 * A compiled policy (lib/policy.c) in the kernel: its entries become the
 * records of the inner policy map, its modes and flags the bg_config
 * record. The daemon hands a verified struct policy down and never sees
 * map records or config bits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

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
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < BG_CLASS_MAX; i++)
		m->mode[i] = policy__mode(p, i);
	m->flags = (policy__allow_unmeasured_modules(p) ?
		    BG_CFG_ALLOW_UNMEASURED_MODULES : 0) |
		   (policy__trust_fuse(p) ? BG_CFG_TRUST_FUSE : 0);
	m->nr_scopes = policy__nr_scopes(p);
	for (__u32 s = 0; s < m->nr_scopes; s++)
		memcpy(m->scope[s].mode, policy__scope(p, s)->modes,
		       BG_CLASS_MAX);
}

__u8 engine_modes_max(const struct engine_modes *m, int cls)
{
	__u8 mode = m->mode[cls];

	for (__u32 s = 0; s < m->nr_scopes; s++)
		if (engine_scope_mode(m, s, cls) > mode)
			mode = engine_scope_mode(m, s, cls);
	return mode;
}

/*
 * The id of a cgroup v2 directory is its inode number (kernfs); its level
 * is the number of directories between it and the root of the cgroup2
 * mount, which is what bpf_get_current_ancestor_cgroup_id() counts (the
 * daemon runs in the initial cgroup namespace).
 */
int engine_cgroup_resolve(const char *path, __u64 *id, __u32 *level)
{
	char real[PATH_MAX], *slash;
	struct statfs sfs;
	struct stat st, up;

	if (!realpath(path, real) || stat(real, &st) || statfs(real, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	*level = 0;
	while ((slash = strrchr(real, '/')) && slash != real) {
		*slash = '\0';
		if (stat(real, &up) || statfs(real, &sfs))
			return -errno;
		if (up.st_dev != st.st_dev || sfs.f_type != CGROUP2_SUPER_MAGIC)
			break;	/* @real was the root of the mount */
		(*level)++;
	}
	return 0;
}

/*
 * @path's cgroup id and level; a path that does not exist (yet) below a
 * cgroup v2 directory is pending: BG_SCOPE_PENDING, which no task's
 * ancestor id equals (no task can be in a cgroup that does not exist),
 * at the level it will have. 0, or -errno.
 */
static int scope_resolve(const char *path, __u64 *id, __u32 *level)
{
	char up[PATH_MAX], *slash;
	__u32 below = 0;
	int ret;

	ret = engine_cgroup_resolve(path, id, level);
	if (ret != -ENOENT)
		return ret;
	if (snprintf(up, sizeof(up), "%s", path) >= (int)sizeof(up))
		return -ENAMETOOLONG;
	while (ret == -ENOENT && (slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		below++;
		ret = engine_cgroup_resolve(up, id, level);
	}
	if (ret)
		return ret;
	*id = BG_SCOPE_PENDING;
	*level += below;
	return 0;
}

int engine_scopes_resolve(const struct policy *p, struct engine_modes *m,
			  char *err, size_t errlen)
{
	for (__u32 s = 0; s < m->nr_scopes; s++) {
		const struct policy_scope *ps = policy__scope(p, s);
		int ret = scope_resolve(ps->path, &m->scope[s].cgroup_id,
					&m->scope[s].level);

		if (!ret && !m->scope[s].level)
			ret = -EINVAL;	/* the root: that is the global mode */
		if (ret) {
			snprintf(err, errlen, "scope %s (policy source line %u): %s",
				 ps->path, ps->line,
				 ret == -ENOTDIR ? "not a cgroup v2 directory" :
				 ret == -EINVAL ? "the cgroup root (use 'mode')" :
				 strerror(-ret));
			return ret;
		}
	}
	/* the enclosing scope: the longest other path that is a prefix */
	for (__u32 s = 0; s < m->nr_scopes; s++) {
		const char *path = policy__scope(p, s)->path;
		size_t best = 0;

		m->scope[s].parent = 0;
		for (__u32 t = 0; t < m->nr_scopes; t++) {
			const char *up = policy__scope(p, t)->path;
			size_t l = strlen(up);

			if (t != s && l > best && !strncmp(path, up, l) &&
			    path[l] == '/') {
				best = l;
				m->scope[s].parent = t + 1;
			}
		}
	}
	return 0;
}

/* The records of @m's scopes, most specific (deepest) first; the policy's
 * order among equals. */
static __u32 scope_recs(const struct engine_modes *m, struct bg_scope_rec *r)
{
	__u32 n = 0;

	for (int lvl = INT_MAX; n < m->nr_scopes; ) {
		int next = -1;

		for (__u32 s = 0; s < m->nr_scopes; s++) {
			int l = m->scope[s].level;

			if (l == lvl) {
				memset(&r[n], 0, sizeof(r[n]));
				r[n].cgroup_id = m->scope[s].cgroup_id;
				r[n].level = l;
				r[n].index = s;
				r[n].parent = m->scope[s].parent;
				memcpy(r[n].mode, m->scope[s].mode,
				       BG_CLASS_MAX);
				n++;
			} else if (l < lvl && l > next) {
				next = l;
			}
		}
		if (next < 0)
			break;
		lvl = next;
	}
	return n;
}

int engine__get_modes(struct engine *e, struct engine_modes *m)
{
	struct bg_policy_hdr hdr;
	struct bg_config cfg;
	int ret = engine__get_config(e, &cfg), fd;

	if (ret)
		return ret;
	memset(m, 0, sizeof(*m));
	memcpy(m->mode, cfg.mode, sizeof(m->mode));
	m->flags = cfg.flags & BG_CFG_POLICY_FLAGS;
	fd = engine_policy_fd(e, &hdr);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	for (__u32 i = 0; i < hdr.nr_scopes && i < BG_SCOPE_MAX; i++) {
		__u32 key = hdr.count + 1 + i;
		struct bg_scope_rec r;
		struct engine_scope *sc;

		if (bpf_map_lookup_elem(fd, &key, &r)) {
			ret = -errno;
			break;
		}
		if (r.index >= BG_SCOPE_MAX)
			continue;
		sc = &m->scope[r.index];
		sc->cgroup_id = r.cgroup_id;
		sc->level = r.level;
		sc->parent = r.parent <= BG_SCOPE_MAX ? r.parent : 0;
		memcpy(sc->mode, r.mode, BG_CLASS_MAX);
		if (r.index >= m->nr_scopes)
			m->nr_scopes = r.index + 1;
	}
	close(fd);
	return ret;
}

int engine__refresh_scopes(struct engine *e, const struct policy *p,
			   int (*changed)(void *ctx, __u32 idx, __u64 old_id,
					  __u64 new_id), void *ctx)
{
	struct bg_policy_hdr hdr;
	int fd, ret = 0;

	if (!policy__nr_scopes(p))
		return 0;
	fd = engine_policy_fd(e, &hdr);
	if (fd < 0)
		return fd;
	for (__u32 i = 0; i < hdr.nr_scopes; i++) {
		__u32 key = hdr.count + 1 + i, level;
		const struct policy_scope *ps;
		struct bg_scope_rec r;
		__u64 id;

		if (bpf_map_lookup_elem(fd, &key, &r)) {
			ret = -errno;
			break;
		}
		ps = policy__scope(p, r.index);
		if (!ps || scope_resolve(ps->path, &id, &level) ||
		    level != r.level || id == r.cgroup_id)
			continue;
		if (changed)
			changed(ctx, r.index, r.cgroup_id, id);
		r.cgroup_id = id;
		/* one record: its cgroup id changes, nothing else */
		if (bpf_map_update_elem(fd, &key, &r, BPF_EXIST)) {
			ret = -errno;
			break;
		}
	}
	close(fd);
	return ret;
}

int engine__set_scope_modes(struct engine *e, const struct engine_modes *m)
{
	struct bg_policy_hdr hdr;
	int fd, ret = 0;

	fd = engine_policy_fd(e, &hdr);
	if (fd < 0)
		return fd == -ENOENT && !m->nr_scopes ? 0 : fd;
	if (hdr.nr_scopes != m->nr_scopes)
		ret = -ESTALE;	/* not the policy @m was read from */
	for (__u32 i = 0; !ret && i < hdr.nr_scopes; i++) {
		__u32 key = hdr.count + 1 + i;
		struct bg_scope_rec r;

		if (bpf_map_lookup_elem(fd, &key, &r)) {
			ret = -errno;
			break;
		}
		if (r.index >= m->nr_scopes)
			continue;
		for (int c = 0; c < BG_CLASS_MAX; c++)
			if (m->scope[r.index].mode[c] > BG_MODE_ENFORCE &&
			    m->scope[r.index].mode[c] != BG_MODE_INHERIT)
				ret = -EINVAL;
		memcpy(r.mode, m->scope[r.index].mode, BG_CLASS_MAX);
		/* one record: its mode bytes change, nothing else */
		if (!ret && bpf_map_update_elem(fd, &key, &r, BPF_EXIST))
			ret = -errno;
	}
	close(fd);
	return ret;
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
	struct bg_scope_rec recs[BG_SCOPE_MAX];
	__u32 n;
	int ret;

	if (m->nr_scopes > BG_SCOPE_MAX)
		return -EINVAL;
	for (__u32 s = 0; s < m->nr_scopes; s++)
		if (!m->scope[s].cgroup_id)
			return -EINVAL;	/* not resolved */
	n = scope_recs(m, recs);
	/* loosen first, swap, then tighten: never stricter than either */
	ret = engine__set_modes(e, m, true);
	if (!ret)
		ret = engine_swap_policy_scoped(e, policy__nr_entries(p), recs,
						n, generation,
						fill_from_policy, (void *)p);
	if (!ret)
		ret = engine__set_modes(e, m, false);
	return ret;
}

struct ext_fill {
	const struct policy *p;
	const struct bg_policy_rec *ext;
	__u32 n_ext;
};

/* The policy's entries and @ext's merged in digest order: a digest in
 * both keeps the policy's record (a block stays a block). */
static void fill_with_ext(void *ctx, struct bg_policy_rec *r, __u32 n)
{
	const struct ext_fill *f = ctx;
	__u32 i = 0, j = 0, k = 0, np = policy__nr_entries(f->p);

	while (k < n && (i < np || j < f->n_ext)) {
		const struct policy_entry *pe = i < np ?
						policy__entry(f->p, i) : NULL;
		int c = !pe ? 1 : j == f->n_ext ? -1 :
			memcmp(pe->sha256, f->ext[j].digest, BG_DIGEST_LEN);

		if (c <= 0) {
			memcpy(r[k].digest, pe->sha256, BG_DIGEST_LEN);
			r[k].comp = pe->component;
			r[k].flags = pe->flags & (BG_ENTRY_ALLOW |
						  BG_ENTRY_BLOCK);
			i++;
			j += !c;
		} else {
			r[k] = f->ext[j++];
		}
		k++;
	}
}

int engine__install_policy_ext(struct engine *e, const struct policy *p,
			       const struct engine_modes *m, __u64 generation,
			       const struct bg_policy_rec *ext, __u32 n_ext)
{
	struct ext_fill f = { .p = p, .ext = ext, .n_ext = n_ext };
	struct bg_scope_rec recs[BG_SCOPE_MAX];
	__u32 i = 0, j = 0, n = 0, np = policy__nr_entries(p), nr;
	int ret;

	for (__u32 x = 1; x < n_ext; x++)
		if (memcmp(ext[x - 1].digest, ext[x].digest,
			   BG_DIGEST_LEN) >= 0)
			return -EINVAL;	/* not strictly ascending */
	/* how many records the merge makes */
	while (i < np || j < n_ext) {
		int c = i == np ? 1 : j == n_ext ? -1 :
			memcmp(policy__entry(p, i)->sha256, ext[j].digest,
			       BG_DIGEST_LEN);

		i += c <= 0;
		j += c >= 0;
		n++;
	}
	if (m->nr_scopes > BG_SCOPE_MAX)
		return -EINVAL;
	for (__u32 s = 0; s < m->nr_scopes; s++)
		if (!m->scope[s].cgroup_id)
			return -EINVAL;
	nr = scope_recs(m, recs);
	ret = engine__set_modes(e, m, true);
	if (!ret)
		ret = engine_swap_policy_scoped(e, n, recs, nr, generation,
						fill_with_ext, &f);
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
