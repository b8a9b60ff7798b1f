// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "engine_priv.h"

_Static_assert(sizeof(struct bg_event) == 376, "bg_event ABI");
_Static_assert(sizeof(struct bg_config) == 24, "bg_config ABI");
_Static_assert(sizeof(struct bg_policy_rec) == 40, "bg_policy_rec ABI");
_Static_assert(sizeof(struct bg_policy_hdr) == 40, "bg_policy_hdr ABI");
_Static_assert(sizeof(struct bg_icache) == 96, "bg_icache ABI");


/*
 * Leave out programs whose LSM hook this kernel does not have (the kernel
 * keeps one bpf_lsm_<hook> function per hook). Of the two mprotect gates,
 * one is loaded: where overlayfs reports its real files to
 * mmap_backing_file (6.12+), the plain one; else the one that finds the
 * overlay's inode under the real file's path (newer verifiers refuse that
 * walk, and do not need it).
 */
static bool struct_has_member(const struct btf *btf, const char *type,
			      const char *member)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
	return false;
}

void engine_probe_hooks(struct engine *e)
{
	struct bpf_program *prog;
	struct btf *vmlinux;
	size_t len = 0;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return;	/* load reports the real problem */
	bpf_program__set_autoload(
		btf__find_by_name_kind(vmlinux, "bpf_lsm_mmap_backing_file",
				       BTF_KIND_FUNC) >= 0 ?
		e->skel->progs.bg_mprotect_pathinode : e->skel->progs.bg_mprotect,
		false);
	/* AT_EXECVE_CHECK (6.14): bprm->is_check tells a check from an exec */
	if (!struct_has_member(vmlinux, "linux_binprm", "is_check")) {
		bpf_program__set_autoload(e->skel->progs.bg_exec_check, false);
		len = snprintf(e->left_out, sizeof(e->left_out),
			       "bprm_creds_for_exec (no AT_EXECVE_CHECK in this kernel)");
	}
	bpf_object__for_each_program(prog, e->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *hook = strchr(sec, '/');
		char fn[128];

		if (!hook)
			continue;
		snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook + 1);
		if (btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC) >= 0)
			continue;
		bpf_program__set_autoload(prog, false);
		len += snprintf(e->left_out + len,
				len < sizeof(e->left_out) ? sizeof(e->left_out) - len : 0,
				"%s%s (no such LSM hook in this kernel)",
				len ? ", " : "", hook + 1);
		if (len >= sizeof(e->left_out))
			len = sizeof(e->left_out) - 1;
	}
	btf__free(vmlinux);
}

struct engine *engine_open(const struct engine_opts *opts, char *err,
			   size_t errlen)
{
	struct engine *e;
	int ret;

	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	e->skel = bomgate_bpf__open();
	if (!e->skel) {
		ret = errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(ret));
		free(e);
		errno = ret;
		return NULL;
	}
	if (opts && opts->ringbuf_bytes)
		bpf_map__set_max_entries(e->skel->maps.bg_events,
					 opts->ringbuf_bytes);
	if (opts && opts->cover_max)
		bpf_map__set_max_entries(e->skel->maps.bg_cover,
					 opts->cover_max);
	return e;
}

int engine_seed_config(struct engine *e, const struct engine_opts *opts,
		       char *err, size_t errlen)
{
	struct bg_config cfg = {};
	int ret;

	cfg.scope_cgroup = opts ? opts->scope_cgroup : 0;
	cfg.flags = opts ? opts->flags : 0;
	cfg.max_measure_mib = opts ? opts->max_measure_mib : 0;
	ret = engine__set_config(e, &cfg);
	if (ret)
		snprintf(err, errlen, "cannot write the configuration map: %s",
			 strerror(-ret));
	return ret;
}

struct engine *engine__load(const struct engine_opts *opts, char *err,
			    size_t errlen)
{
	struct engine *e;
	int ret;

	e = engine_open(opts, err, errlen);
	if (!e)
		return NULL;
	engine_probe_hooks(e);
	ret = bomgate_bpf__load(e->skel);
	if (ret) {
		snprintf(err, errlen,
			 "the kernel refused the BPF programs: %s%s", strerror(-ret),
			 ret == -EPERM ? " (BPF LSM or BPF trampolines unavailable;"
			 " run 'bomgated --check')" : "");
		goto fail;
	}
	ret = engine_seed_config(e, opts, err, errlen);
	if (ret)
		goto fail;
	return e;
fail:
	engine__destroy(e);
	errno = -ret;
	return NULL;
}

int engine__attach(struct engine *e, char *err, size_t errlen)
{
	int ret = bomgate_bpf__attach(e->skel);

	if (ret)
		snprintf(err, errlen, "cannot attach the BPF LSM programs: %s",
			 strerror(-ret));
	return ret;
}

void engine__destroy(struct engine *e)
{
	if (!e)
		return;
	ring_buffer__free(e->rb);
	bomgate_bpf__destroy(e->skel);
	free(e);
}

const char *engine__left_out(const struct engine *e)
{
	return e->left_out;
}

int engine__get_config(struct engine *e, struct bg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map__lookup_elem(e->skel->maps.bg_config, &zero, sizeof(zero),
				 cfg, sizeof(*cfg), 0))
		return -errno;
	return 0;
}

int engine__set_config(struct engine *e, const struct bg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map__update_elem(e->skel->maps.bg_config, &zero, sizeof(zero),
				 cfg, sizeof(*cfg), BPF_ANY))
		return -errno;
	return 0;
}

int engine__set_mode(struct engine *e, int cls, int mode)
{
	struct bg_config cfg;
	int ret;

	if (cls < 0 || cls >= BG_CLASS_MAX || mode < 0 || mode > BG_MODE_ENFORCE)
		return -EINVAL;
	ret = engine__get_config(e, &cfg);
	if (ret)
		return ret;
	cfg.mode[cls] = mode;
	return engine__set_config(e, &cfg);
}

int engine__set_all_modes(struct engine *e, int mode)
{
	struct bg_config cfg;
	int ret;

	if (mode < 0 || mode > BG_MODE_ENFORCE)
		return -EINVAL;
	ret = engine__get_config(e, &cfg);
	if (ret)
		return ret;
	for (int i = 0; i < BG_CLASS_MAX; i++)
		cfg.mode[i] = mode;
	return engine__set_config(e, &cfg);
}

/*
 * Create an inner policy map for @n records, let @fill write them through
 * an mmap of it (one pass, no per-element syscalls), then swap it in with
 * the one map update that makes it visible to every hook.
 */
_Static_assert(sizeof(struct bg_scope_rec) == sizeof(struct bg_policy_rec),
	       "a scope record takes one policy record");

/*
 * The id of a new inner map (bg_policy_hdr.install_id): verdicts cached
 * under another one never match it. It must differ from every id of this
 * boot (the inode cache lives as long), not be secret: random, or before
 * the kernel's random pool is ready (an install early at boot) the boot
 * clock in nanoseconds, which no earlier install of this boot can have
 * reached. 0 (no caching) only in the 2^-64 case.
 */
static __u64 install_id(void)
{
	struct timespec ts;
	__u64 id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == sizeof(id))
		return id;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int engine_swap_policy(struct engine *e, __u32 n, __u64 generation,
		       engine_fill_fn fill, void *ctx)
{
	return engine_swap_policy_scoped(e, n, NULL, 0, generation, fill, ctx);
}

int engine_swap_policy_scoped(struct engine *e, __u32 n,
			      const struct bg_scope_rec *scopes,
			      __u32 nr_scopes, __u64 generation,
			      engine_fill_fn fill, void *ctx)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts,
		    .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	struct bg_policy_hdr hdr = {
		.generation = generation,
		.count = n,
		.magic = BG_POLICY_MAGIC,
		.nr_scopes = nr_scopes,
	};
	size_t len = (size_t)(n + 1 + nr_scopes) * sizeof(struct bg_policy_rec);
	__u32 zero = 0;
	void *mem;
	int fd, ret = 0;

	if (!generation || n > BG_POLICY_MAX || nr_scopes > BG_SCOPE_MAX)
		return -EINVAL;
	hdr.install_id = install_id();
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bg_policy_in", sizeof(__u32),
			    sizeof(struct bg_policy_rec), n + 1 + nr_scopes,
			    &mopts);
	if (fd < 0)
		return -errno;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	memcpy(mem, &hdr, sizeof(hdr));
	if (n)
		fill(ctx, (struct bg_policy_rec *)((char *)mem + sizeof(hdr)), n);
	if (nr_scopes)
		memcpy((char *)mem + (size_t)(n + 1) * sizeof(struct bg_policy_rec),
		       scopes,
		       nr_scopes * sizeof(*scopes));
	munmap(mem, len);
	/* the one step that makes the new policy visible to every hook */
	if (bpf_map__update_elem(e->skel->maps.bg_policy, &zero, sizeof(zero),
				 &fd, sizeof(fd), BPF_ANY))
		ret = -errno;
out:
	close(fd);
	return ret;
}

static void copy_recs(void *ctx, struct bg_policy_rec *out, __u32 n)
{
	memcpy(out, ctx, (size_t)n * sizeof(*out));
}

int engine__install(struct engine *e, const struct bg_policy_rec *recs,
		    __u32 n, __u64 generation)
{
	for (__u32 i = 1; i < n; i++)
		if (memcmp(recs[i - 1].digest, recs[i].digest, BG_DIGEST_LEN) >= 0)
			return -EINVAL;	/* must be sorted and unique */
	return engine_swap_policy(e, n, generation, copy_recs, (void *)recs);
}

int engine_policy_fd(struct engine *e, struct bg_policy_hdr *hdr)
{
	__u32 zero = 0, id;
	int fd;

	if (bpf_map__lookup_elem(e->skel->maps.bg_policy, &zero, sizeof(zero),
				 &id, sizeof(id), 0))
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, hdr)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

int engine__generation(struct engine *e, __u64 *generation)
{
	struct bg_policy_hdr hdr;
	__u32 zero = 0, id;
	int fd, ret = 0;

	*generation = 0;
	if (bpf_map__lookup_elem(e->skel->maps.bg_policy, &zero, sizeof(zero),
				 &id, sizeof(id), 0))
		return errno == ENOENT ? 0 : -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, &hdr))
		ret = -errno;
	else
		*generation = hdr.generation;
	close(fd);
	return ret;
}

_Static_assert(sizeof(struct bg_cover_key) == 40 &&
	       sizeof(struct bg_cover) == 32, "bg_cover ABI");

int engine__cover_each(struct engine *e,
		       int (*cb)(void *ctx, const struct bg_cover_key *k,
				 const struct bg_cover *v),
		       void *ctx)
{
	struct bpf_map *m = e->skel->maps.bg_cover;
	struct bg_cover_key k, next;
	struct bg_cover v;
	void *prev = NULL;
	int ret;

	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		k = next;
		prev = &k;
		if (bpf_map__lookup_elem(m, &k, sizeof(k), &v, sizeof(v), 0))
			continue;	/* deleted meanwhile */
		ret = cb(ctx, &k, &v);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

__u32 engine__cover_max(struct engine *e)
{
	return bpf_map__max_entries(e->skel->maps.bg_cover);
}

int engine__counters(struct engine *e, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 i = 0; i < BG_CNT_MAX; i++) {
		out[i] = 0;
		if (bpf_map__lookup_elem(e->skel->maps.bg_counters, &i, sizeof(i),
					 vals, ncpu * sizeof(*vals), 0)) {
			int ret = -errno;

			free(vals);
			return ret;
		}
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

static int engine_on_event(void *ctx, void *data, size_t len)
{
	struct engine *e = ctx;
	struct bg_event ev;

	if (len < sizeof(ev))
		return 0;	/* not ours: ignore */
	memcpy(&ev, data, sizeof(ev));
	if (ev.version != BG_EVENT_VERSION)
		return 0;
	if (e->event_fn) {
		int ret = e->event_fn(e->event_ctx, &ev);

		if (ret)
			return ret;
	}
	/* budget spent: stop here; libbpf keeps the rest for the next poll */
	if (e->poll_budget && ++e->polled >= e->poll_budget)
		return -E2BIG;
	return 0;
}

void engine__set_poll_budget(struct engine *e, unsigned int events)
{
	e->poll_budget = events;
}

int engine__set_event_cb(struct engine *e, engine_event_fn fn, void *ctx)
{
	e->event_fn = fn;
	e->event_ctx = ctx;
	if (e->rb)
		return 0;
	e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.bg_events),
				 engine_on_event, e, NULL);
	return e->rb ? 0 : -errno;
}

int engine__poll(struct engine *e, int timeout_ms)
{
	int ret;

	if (!e->rb)
		return -EINVAL;
	e->polled = 0;
	ret = ring_buffer__poll(e->rb, timeout_ms);
	return ret == -E2BIG ? (int)e->polled : ret;
}

int engine__events_fd(struct engine *e)
{
	return e->rb ? ring_buffer__epoll_fd(e->rb) : -EINVAL;
}

int engine__icache_lookup(struct engine *e, int fd, struct bg_icache *out)
{
	if (bpf_map__lookup_elem(e->skel->maps.bg_icache, &fd, sizeof(fd), out,
				 sizeof(*out), 0))
		return -errno;
	return 0;
}
