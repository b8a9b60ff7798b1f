// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate: allow code to run only if its SHA-256 is in the policy.
 *
 * Gated: exec (every level of a #! chain), PROT_EXEC file mappings, adding
 * PROT_EXEC with mprotect, module/firmware/kexec files read by the kernel,
 * and module buffers handed to init_module. The file is measured in the
 * kernel (bpf_ima_file_hash) and the digest is kept in inode storage for as
 * long as the file provably has not changed. Nothing here waits on
 * userspace; userspace only swaps the policy map and sets the modes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bomgate.h"
#include "bomgate.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM		1
#define PROT_EXEC	0x4
#define VM_EXEC		0x4
#define FMODE_WRITE	0x2
#define HASH_ALGO_SHA256 4

/* Number of binary search steps: enough for BG_POLICY_MAX records. */
#define BG_SEARCH_STEPS	25

struct bg_policy_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct bg_policy_rec));
};

/* Slot 0 holds the policy in force; userspace replaces it in one update. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct bg_policy_inner);
} bg_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_config);
} bg_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bg_icache);
} bg_icache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} bg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bg_counters SEC(".maps");

/* Filesystems whose files change only through paths the cache observes
 * (open for write, truncate). Remote and stacked filesystems (9p, NFS,
 * FUSE, overlayfs) can change under us: measured on every use. */
#define EXT4_SUPER_MAGIC	0xEF53
#define XFS_SUPER_MAGIC		0x58465342
#define BTRFS_SUPER_MAGIC	0x9123683E
#define TMPFS_MAGIC		0x01021994
#define SQUASHFS_MAGIC		0x73717368
#define EROFS_SUPER_MAGIC_V1	0xE0F5E1E2
#define F2FS_SUPER_MAGIC	0xF2F52010

static __always_inline bool fs_cacheable(struct inode *inode)
{
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);

	switch (magic) {
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case SQUASHFS_MAGIC:
	case EROFS_SUPER_MAGIC_V1:
	case F2FS_SUPER_MAGIC:
		return true;
	}
	return false;
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bg_counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void read_stamp(struct inode *inode, struct bg_icache *s)
{
	s->i_version = BPF_CORE_READ(inode, i_version.counter);
	s->size = BPF_CORE_READ(inode, i_size);
	inode_times(inode, s);
}

static __always_inline bool stamp_equal(const struct bg_icache *a,
					const struct bg_icache *b)
{
	/*
	 * Not i_version: once IMA has queried it, 6.1 bumps it on atime
	 * updates too (every first exec after a write), and it misses
	 * changes on tmpfs/overlayfs anyway. Content changes are caught by
	 * the write observers (wseq); size/ctime/mtime are belt and braces.
	 */
	return a->size == b->size &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/* A decision in progress. */
struct bg_ctx {
	__u64 digest[4];
	__u64 generation;
	__u32 comp;
	__s32 err;
	__u8 reason;
	__u8 cached;
};

/*
 * Find the digest, from the cache when the file is provably unchanged since
 * it was measured, else by hashing it (sleepable hooks only). Returns 0 or a
 * negative errno (the file cannot be measured here).
 */
static __always_inline int measure(struct file *file, struct bg_ctx *d,
				   bool can_hash)
{
	struct inode *inode = file->f_inode;
	struct bg_icache now = {}, *c;
	__u64 seq0;
	bool cacheable;
	int ret;

	cacheable = fs_cacheable(inode);
	c = cacheable ? bpf_inode_storage_get(&bg_icache, inode, 0,
				BPF_LOCAL_STORAGE_GET_F_CREATE) : NULL;
	read_stamp(inode, &now);
	if (c) {
		__u64 s1 = READ_ONCE(c->dseq);

		/* dseq is wseq + 1 of the measurement: a new (zeroed) entry
		 * or one being rewritten (~0) never matches */
		if (s1 == READ_ONCE(c->wseq) + 1 && stamp_equal(c, &now)) {
			__builtin_memcpy(d->digest, c->digest, BG_DIGEST_LEN);
			/* digest copied whole: nobody replaced it meanwhile */
			if (READ_ONCE(c->dseq) == s1) {
				d->cached = 1;
				count(BG_CNT_CACHE_HITS);
				return 0;
			}
		}
	}
	if (!can_hash)
		return -ENOENT;

	seq0 = c ? READ_ONCE(c->wseq) : 0;
	/* an open writer may change the file while (or after) we hash it */
	if (BPF_CORE_READ(inode, i_writecount.counter) > 0)
		c = NULL;

	count(BG_CNT_HASHES);
	ret = bpf_ima_file_hash(file, d->digest, BG_DIGEST_LEN);
	if (ret < 0)
		return ret;
	if (ret != HASH_ALGO_SHA256)
		return -EPROTO;	/* IMA hashes with another algorithm */

	if (c && READ_ONCE(c->wseq) == seq0 &&
	    BPF_CORE_READ(inode, i_writecount.counter) <= 0 &&
	    __sync_val_compare_and_swap(&c->busy, 0, 1) == 0) {
		WRITE_ONCE(c->dseq, ~0ULL);
		__builtin_memcpy(c->digest, d->digest, BG_DIGEST_LEN);
		c->i_version = now.i_version;
		c->size = now.size;
		c->ctime_sec = now.ctime_sec;
		c->ctime_nsec = now.ctime_nsec;
		c->mtime_sec = now.mtime_sec;
		c->mtime_nsec = now.mtime_nsec;
		WRITE_ONCE(c->dseq, seq0 + 1);
		WRITE_ONCE(c->busy, 0);
	}
	return 0;
}

static __always_inline int digest_cmp(const __u64 *a, const __u64 *b)
{
	for (int i = 0; i < 4; i++) {
		__u64 x = __builtin_bswap64(a[i]), y = __builtin_bswap64(b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* Look the digest up in the policy in force: sets reason, comp, generation. */
static __always_inline void lookup(struct bg_ctx *d)
{
	struct bg_policy_hdr *hdr;
	struct bg_policy_rec *rec;
	__u32 zero = 0, lo = 1, hi, mid;
	void *inner;

	inner = bpf_map_lookup_elem(&bg_policy, &zero);
	hdr = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	if (!hdr || hdr->magic != BG_POLICY_MAGIC) {
		d->reason = BG_REASON_NO_POLICY;
		return;
	}
	d->generation = hdr->generation;
	hi = hdr->count;
	d->reason = BG_REASON_UNKNOWN;
	for (int i = 0; i < BG_SEARCH_STEPS && lo <= hi; i++) {
		int c;

		mid = lo + (hi - lo) / 2;
		rec = bpf_map_lookup_elem(inner, &mid);
		if (!rec)
			return;
		c = digest_cmp(d->digest, (const __u64 *)rec->digest);
		if (!c) {
			d->comp = rec->comp;
			/* a block entry wins over an allow entry */
			if (rec->flags & BG_ENTRY_BLOCK)
				d->reason = BG_REASON_BLOCKED;
			else if (rec->flags & BG_ENTRY_ALLOW)
				d->reason = BG_REASON_LISTED;
			return;
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
}

/* Only the generation, for decisions made without a digest. */
static __always_inline void lookup_generation(struct bg_ctx *d)
{
	struct bg_policy_hdr *hdr;
	__u32 zero = 0;
	void *inner;

	inner = bpf_map_lookup_elem(&bg_policy, &zero);
	hdr = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	if (hdr)
		d->generation = hdr->generation;
}

static __always_inline void emit(struct bg_ctx *d, struct file *file,
				 __u8 hook, __u8 decision, __u8 mode,
				 bool can_dpath)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	e = bpf_ringbuf_reserve(&bg_events, sizeof(*e), 0);
	if (!e) {
		count(BG_CNT_DROPS);
		return;
	}
	e->version = BG_EVENT_VERSION;
	e->hook = hook;
	e->decision = decision;
	e->reason = d->reason;
	e->mode = mode;
	e->cached = d->cached;
	e->__pad0 = 0;
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->err = d->err;
	e->comp = d->comp;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->generation = d->generation;
	e->ktime_ns = bpf_ktime_get_boot_ns();
	__builtin_memcpy(e->digest, d->digest, BG_DIGEST_LEN);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->path[0] = '\0';
	if (file) {
		struct inode *inode = file->f_inode;

		e->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		e->ino = BPF_CORE_READ(inode, i_ino);
		if (can_dpath) {
			if (bpf_d_path(&file->f_path, e->path, sizeof(e->path)) < 0)
				e->path[0] = '\0';
		}
		if (!e->path[0])
			bpf_probe_read_kernel_str(e->path, sizeof(e->path),
				BPF_CORE_READ(file, f_path.dentry, d_name.name));
	} else {
		e->dev = 0;
		e->ino = 0;
	}
	bpf_ringbuf_submit(e, 0);
}

static __always_inline struct bg_config *bg_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bg_config, &zero);
}

static __always_inline bool in_scope(struct bg_config *cfg)
{
	return !cfg->scope_cgroup ||
	       bpf_get_current_cgroup_id() == cfg->scope_cgroup;
}

/* Turn a reason into the hook's return value under @mode, count and report. */
static __always_inline int verdict(struct bg_ctx *d, struct bg_config *cfg,
				   struct file *file, __u8 hook, __u8 mode,
				   bool can_dpath)
{
	__u8 dec;

	if (d->reason == BG_REASON_LISTED ||
	    d->reason == BG_REASON_UNMEASURED_OK)
		dec = BG_DEC_ALLOWED;
	else if (mode == BG_MODE_ENFORCE)
		dec = BG_DEC_DENIED;
	else
		dec = BG_DEC_WOULD_DENY;

	count(hook * BG_DEC_MAX + dec);
	if (dec != BG_DEC_ALLOWED || (cfg->flags & BG_CFG_EMIT_ALLOWED))
		emit(d, file, hook, dec, mode, can_dpath);
	return dec == BG_DEC_DENIED ? -EPERM : 0;	/* deny only in enforce */
}

/* The whole decision for a file-backed hook. */
static __always_inline int gate_file(struct file *file, __u8 hook, __u8 cls,
				     bool sleepable)
{
	struct bg_config *cfg = bg_cfg();
	struct bg_ctx d = { .comp = ~0U };
	__u8 mode;
	int err;

	if (!cfg)
		return 0;	/* cannot happen: array map; allow */
	mode = cfg->mode[cls & 7];
	if (mode == BG_MODE_OFF || !in_scope(cfg))
		return 0;	/* not gated: allow */

	err = measure(file, &d, sleepable);
	if (err) {
		d.err = err;
		/* cannot measure: deny in enforce (fail closed), report */
		d.reason = sleepable ? BG_REASON_UNMEASURABLE :
				       BG_REASON_NOT_MEASURED;
		lookup_generation(&d);
	} else {
		/* listed: allow; unknown or blocked: deny in enforce */
		lookup(&d);
	}
	return verdict(&d, cfg, file, hook, mode, sleepable);
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(bg_exec, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;	/* an earlier LSM denied: keep its answer */
	return gate_file(bprm->file, BG_HOOK_EXEC, BG_CLASS_EXEC, true);	/* decided */
}

SEC("lsm.s/mmap_file")
int BPF_PROG(bg_mmap, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags, int ret)
{
	if (ret)
		return ret;	/* an earlier LSM denied: keep its answer */
	if (!file || !(prot & PROT_EXEC))
		return 0;	/* not an executable file mapping: allow */
	return gate_file(file, BG_HOOK_MMAP, BG_CLASS_MMAP, true);	/* decided */
}

/*
 * file_mprotect is not a sleepable hook (6.1 and 6.12), so nothing can be
 * hashed here: only a digest already in the inode cache decides. A file
 * that was never measured is denied in enforce mode.
 */
SEC("lsm/file_mprotect")
int BPF_PROG(bg_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file;

	if (ret)
		return ret;	/* an earlier LSM denied: keep its answer */
	if (!(prot & PROT_EXEC) || (BPF_CORE_READ(vma, vm_flags) & VM_EXEC))
		return 0;	/* not adding PROT_EXEC: allow */
	file = vma->vm_file;
	if (!file)
		return 0;	/* anonymous memory: not file code, allow */
	return gate_file(file, BG_HOOK_MPROTECT, BG_CLASS_MMAP, false); /* cache */
}

SEC("lsm.s/kernel_read_file")
int BPF_PROG(bg_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	__u8 hook, cls;

	if (ret)
		return ret;	/* an earlier LSM denied: keep its answer */
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_MODULE)) {
		hook = BG_HOOK_MODULE;
		cls = BG_CLASS_MODULE;
	} else if (id == bpf_core_enum_value(enum kernel_read_file_id,
					     READING_FIRMWARE)) {
		hook = BG_HOOK_FIRMWARE;
		cls = BG_CLASS_FIRMWARE;
	} else if (id == bpf_core_enum_value(enum kernel_read_file_id,
					     READING_KEXEC_IMAGE) ||
		   id == bpf_core_enum_value(enum kernel_read_file_id,
					     READING_KEXEC_INITRAMFS)) {
		hook = BG_HOOK_KEXEC;
		cls = BG_CLASS_KEXEC;
	} else {
		return 0;	/* policy files, certificates: not code, allow */
	}
	return gate_file(file, hook, cls, true);	/* decided */
}

SEC("lsm/kernel_load_data")
int BPF_PROG(bg_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	struct bg_ctx d = { .comp = ~0U };
	struct bg_config *cfg;
	__u8 hook, cls, mode;

	if (ret)
		return ret;	/* an earlier LSM denied: keep its answer */
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_MODULE)) {
		hook = BG_HOOK_MODULE_BUF;
		cls = BG_CLASS_MODULE;
	} else if (id == bpf_core_enum_value(enum kernel_load_data_id,
					     LOADING_FIRMWARE)) {
		hook = BG_HOOK_FIRMWARE;
		cls = BG_CLASS_FIRMWARE;
	} else if (id == bpf_core_enum_value(enum kernel_load_data_id,
					     LOADING_KEXEC_IMAGE)) {
		hook = BG_HOOK_KEXEC;
		cls = BG_CLASS_KEXEC;
	} else {
		return 0;	/* not code: allow */
	}
	cfg = bg_cfg();
	if (!cfg)
		return 0;	/* cannot happen: array map; allow */
	mode = cfg->mode[cls & 7];
	if (mode == BG_MODE_OFF || !in_scope(cfg))
		return 0;	/* not gated: allow */
	lookup_generation(&d);
	/* a buffer cannot be measured: deny in enforce unless the policy
	 * explicitly allows unmeasured module buffers */
	if (hook == BG_HOOK_MODULE_BUF &&
	    (cfg->flags & BG_CFG_ALLOW_UNMEASURED_MODULES))
		d.reason = BG_REASON_UNMEASURED_OK;
	else
		d.reason = BG_REASON_UNMEASURED_BUF;
	return verdict(&d, cfg, NULL, hook, mode, false);	/* decided */
}

/* Cache invalidation: any open for write or truncate makes the cached digest
 * of that inode stale, before the first byte can change. */
static __always_inline void invalidate(struct inode *inode)
{
	struct bg_icache *c;

	c = bpf_inode_storage_get(&bg_icache, inode, 0, 0);
	if (c)
		__sync_fetch_and_add(&c->wseq, 1);
}

SEC("lsm/file_open")
int BPF_PROG(bg_file_open, struct file *file, int ret)
{
	if (BPF_CORE_READ(file, f_mode) & FMODE_WRITE)
		invalidate(file->f_inode);
	return ret;	/* never denies */
}

SEC("lsm/path_truncate")
int BPF_PROG(bg_path_truncate, const struct path *path, int ret)
{
	invalidate(path->dentry->d_inode);
	return ret;	/* never denies */
}
