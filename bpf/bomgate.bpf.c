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
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_seal);
} bg_seal SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bg_task);
} bg_task SEC(".maps");

/* Block devices under filesystems with cached digests (s_dev: BG_BDEV_*). */
#define BG_BDEV_CACHED	1	/* digests of its files are cached */
#define BG_BDEV_WRITTEN	2	/* opened for write since: cache not trusted */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} bg_bdevs SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_COVER_MAX);
	__type(key, struct bg_cover_key);
	__type(value, struct bg_cover);
} bg_cover SEC(".maps");

/* Filesystems whose files change only through paths the cache observes
 * (open for write, truncate). Remote and stacked filesystems (9p, NFS,
 * overlayfs) can change under us: measured on every use. */
#define EXT4_SUPER_MAGIC	0xEF53
#define XFS_SUPER_MAGIC		0x58465342
#define BTRFS_SUPER_MAGIC	0x9123683E
#define TMPFS_MAGIC		0x01021994
#define SQUASHFS_MAGIC		0x73717368
#define EROFS_SUPER_MAGIC_V1	0xE0F5E1E2
#define F2FS_SUPER_MAGIC	0xF2F52010
#define FUSE_SUPER_MAGIC	0x65735546
#define OVERLAYFS_SUPER_MAGIC	0x794c7630
#define PROC_SUPER_MAGIC	0x9fa0
#define HUGETLBFS_MAGIC		0x958458f6
#define LOOP_MAJOR		7
#define SB_KERNMOUNT		(1UL << 22)

/*
 * Fields of the hooks' kernel objects are read directly: their pointers are
 * BTF pointers, which the verifier turns into faulting loads (a bad pointer
 * reads 0, as bpf_probe_read_kernel does) with no helper call each; CO-RE
 * relocates the offsets all the same. BPF_CORE_READ stays where a pointer
 * was itself read by a helper (ovl_upper_inode) and on sealed-mode paths.
 */
static __always_inline unsigned long fs_magic(struct inode *inode)
{
	return inode->i_sb->s_magic;
}

/* A filesystem on a loop device: its backing file can be rewritten behind
 * the page cache, so nothing measured there is cached. */
static __always_inline bool on_loop(struct inode *inode)
{
	struct block_device *bdev = inode->i_sb->s_bdev;

	return bdev && bdev->bd_disk->major == LOOP_MAJOR;
}

/*
 * A block device under a filesystem with cached digests, opened for write
 * (raw writes change the file behind the page cache and every write
 * observer): nothing cached there is trusted again until reboot. Sealed,
 * the open is refused instead (bg_file_open).
 */
static __always_inline bool bdev_written(struct inode *inode)
{
	__u32 dev = inode->i_sb->s_dev;
	__u32 *st;

	if (!inode->i_sb->s_bdev)
		return false;	/* not on a block device */
	st = bpf_map_lookup_elem(&bg_bdevs, &dev);
	return st && *st == BG_BDEV_WRITTEN;
}

/* Note that digests on @inode's block device are cached from now on. */
static __always_inline void bdev_note_cached(struct inode *inode)
{
	__u32 dev = inode->i_sb->s_dev, v = BG_BDEV_CACHED;

	if (inode->i_sb->s_bdev)
		bpf_map_update_elem(&bg_bdevs, &dev, &v, BPF_NOEXIST);
}

static __always_inline bool fs_cacheable(struct inode *inode)
{
	if (bdev_written(inode))
		return false;
	switch (fs_magic(inode)) {
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case SQUASHFS_MAGIC:
	case EROFS_SUPER_MAGIC_V1:
	case F2FS_SUPER_MAGIC:
		return !on_loop(inode);
	}
	return false;
}

/*
 * Filesystems whose bytes at page-fault time need not be the bytes the
 * kernel hashed: a FUSE server answers each read as it likes (and can
 * drop the page cache), and an overlay mounted in a user namespace has
 * layers its mounter writes directly. Nothing there is measurable. A
 * policy may trust FUSE (virtiofs roots): then it is measured on every use.
 */
static __always_inline bool fs_untrusted(struct inode *inode,
					struct bg_config *cfg)
{
	unsigned long magic = fs_magic(inode);

	if (magic == FUSE_SUPER_MAGIC)
		return !(cfg->flags & BG_CFG_TRUST_FUSE);
	if (magic == HUGETLBFS_MAGIC)
		return true;	/* holes filled by userfaultfd, see sparse() */
	return magic == OVERLAYFS_SUPER_MAGIC &&
	       inode->i_sb->s_user_ns->level > 0;
}

/*
 * A tmpfs (shmem) file with holes: userfaultfd (open to users in
 * user-mode-only mode) fills a hole of a private mapping with any bytes,
 * with no write to the file and no mprotect. A listed binary with an
 * all-zero page, copied sparse, has the listed digest. Every page of a
 * dense shmem file is allocated (in memory or swap): i_blocks tells.
 */
static __always_inline bool sparse(struct inode *inode)
{
	unsigned long magic = fs_magic(inode);
	__u64 size, blocks;

	/* an overlay maps its upper file (tmpfs in containers and here),
	 * found through a probe read: its fields are probe reads too */
	if (magic == OVERLAYFS_SUPER_MAGIC) {
		struct inode *upper = ovl_upper_inode(inode);

		if (!upper)
			return false;	/* lower only: copied up to write */
		magic = BPF_CORE_READ(upper, i_sb, s_magic);
		size = BPF_CORE_READ(upper, i_size);
		blocks = BPF_CORE_READ(upper, i_blocks);
	} else {
		size = inode->i_size;
		blocks = inode->i_blocks;
	}
	if (magic != TMPFS_MAGIC)
		return false;	/* userfaultfd fills holes of shmem only */
	return blocks << 9 < ((size + 4095) & ~4095ULL);
}

/* A memfd (or other internal shmem file): its writers are not counted in
 * i_writecount and never pass file_open. */
static __always_inline bool is_pseudo(struct inode *inode)
{
	return inode->i_sb->s_flags & SB_KERNMOUNT;
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bg_counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void read_stamp(struct inode *inode, struct bg_icache *s)
{
	s->size = READ_ONCE(inode->i_size);
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
	__u64 wseq0;		/* write sequence before hashing */
	__u32 comp;
	__s32 err;
	__u8 reason;
	__u8 cached;
	__u8 scope;		/* 1 + the policy scope that decided; 0 none */
};

static __always_inline __u64 max_measure(struct bg_config *cfg)
{
	__u64 mib = cfg->max_measure_mib;

	return (mib ? mib : BG_MEASURE_MAX_DEFAULT_MIB) << 20;
}

/* Copy the digest out of @c if it belongs to the file as it is now. */
static __always_inline bool cache_hit(struct bg_icache *c,
				      const struct bg_icache *now,
				      struct bg_ctx *d)
{
	__u64 s1 = READ_ONCE(c->dseq);

	/* dseq is wseq + 1 of the measurement: a new (zeroed) entry or
	 * one being rewritten (~0) never matches */
	if (s1 != READ_ONCE(c->wseq) + 1 || !stamp_equal(c, now))
		return false;
	__builtin_memcpy(d->digest, c->digest, BG_DIGEST_LEN);
	/* digest copied whole: nobody replaced it meanwhile */
	return READ_ONCE(c->dseq) == s1;
}

static __always_inline void cache_store(struct bg_icache *c,
					const struct bg_icache *now,
					const __u64 *digest, __u64 seq)
{
	if (__sync_val_compare_and_swap(&c->busy, 0, 1))
		return;
	WRITE_ONCE(c->dseq, ~0ULL);
	__builtin_memcpy(c->digest, digest, BG_DIGEST_LEN);
	c->size = now->size;
	c->ctime_sec = now->ctime_sec;
	c->ctime_nsec = now->ctime_nsec;
	c->mtime_sec = now->mtime_sec;
	c->mtime_nsec = now->mtime_nsec;
	WRITE_ONCE(c->dseq, seq + 1);
	WRITE_ONCE(c->busy, 0);
}

/*
 * Find the digest of @file, from the cache of @inode when the file is
 * provably unchanged since it was measured, else by hashing it (sleepable
 * hooks only). Files on filesystems that are not cacheable keep their last
 * measurement too, but only for the gate that cannot hash (mprotect): the
 * exec and mmap gates measure them on every use. @c: @inode's cache entry
 * (icache_get()), or NULL. Returns 0 or a negative errno (-EFBIG: larger
 * than the measuring limit).
 */
static __always_inline int measure(struct file *file, struct inode *inode,
				   struct bg_icache *c, struct bg_ctx *d,
				   bool can_hash, __u64 max)
{
	struct bg_icache now = {};
	bool store;
	int ret;

	read_stamp(inode, &now);
	if (c && (!can_hash || fs_cacheable(inode)) && cache_hit(c, &now, d)) {
		d->cached = 1;
		d->wseq0 = READ_ONCE(c->wseq);
		count(BG_CNT_CACHE_HITS);
		return 0;
	}
	if (!can_hash)
		return -ENOENT;
	if (now.size > max)
		return -EFBIG;	/* hashing cannot be interrupted: bounded */

	d->wseq0 = c ? READ_ONCE(c->wseq) : 0;
	/* an open writer may change the file while (or after) we hash it */
	store = c && READ_ONCE(inode->i_writecount.counter) <= 0 &&
		!is_pseudo(inode);

	count(BG_CNT_HASHES);
	ret = bpf_ima_file_hash(file, d->digest, BG_DIGEST_LEN);
	if (ret < 0)
		return ret;
	if (ret != HASH_ALGO_SHA256)
		return -EPROTO;	/* IMA hashes with another algorithm */

	if (store && READ_ONCE(c->wseq) == d->wseq0 &&
	    READ_ONCE(inode->i_writecount.counter) <= 0) {
		/* a device writer from now on makes it untrusted */
		bdev_note_cached(inode);
		cache_store(c, &now, d->digest, d->wseq0);
	}
	return 0;
}

/*
 * After a listed digest: can the bytes that will run differ from the bytes
 * measured? A writer open now (or one that came and went while we hashed)
 * can change them under the mapping; a memfd's writers are invisible, so
 * it must be sealed against writing and shrinking first.
 */
static __always_inline bool changeable(struct inode *inode,
				       struct bg_icache *c, struct bg_ctx *d)
{
	if (READ_ONCE(inode->i_writecount.counter) > 0)
		return true;
	if (c && READ_ONCE(c->wseq) != d->wseq0)
		return true;
	if (is_pseudo(inode)) {
		if (fs_magic(inode) != TMPFS_MAGIC)
			return true;	/* hugetlbfs and others: no seals read */
		return (shmem_seals(inode) & (F_SEAL_WRITE | F_SEAL_SHRINK)) !=
		       (F_SEAL_WRITE | F_SEAL_SHRINK);
	}
	return false;
}

/*
 * @inode's cache entry, made if missing (NULL: no memory). One lookup per
 * decision: measure(), changeable() and the running mark share it.
 */
static __always_inline struct bg_icache *icache_get(struct inode *inode)
{
	return bpf_inode_storage_get(&bg_icache, inode, 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * Mark @c's inode as running code before anything is measured, so that an
 * opener for write that comes after sees the mark (and is refused) or is
 * seen by changeable() here: both sides write, then read the other's side.
 */
static __always_inline bool mark_running(struct bg_icache *c, __u32 bit)
{
	if (!c)
		return false;	/* no memory for the mark: writers unseen */
	__sync_fetch_and_or(&c->xmap, bit);	/* a full barrier */
	return true;
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

/*
 * The verdict cached in bg_icache.vtag: "@dg is allowed by the policy
 * install @id". A function of the two alone (a bijection of @id for a
 * given digest), so a tag written for another digest, or under another
 * policy (a new random id, whatever its generation), does not match: no
 * lock, and a stale or misplaced tag is a miss, never an allow.
 */
static __always_inline __u64 verdict_tag(__u64 id, const __u64 *dg)
{
	__u64 h = id;

	for (int i = 0; i < 4; i++) {
		h ^= dg[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	return h | 1;	/* never 0: a new entry's */
}

/*
 * Look the digest up in the policy in force: sets reason, comp, generation.
 * @c: an inode cache entry to keep the verdict in (an allowed digest is
 * then not searched again under the same policy), or NULL; with @fast the
 * verdict kept there is used, and d->comp stays ~0 (the component is only
 * reported, never decides).
 */
static __always_inline void lookup(struct bg_ctx *d, struct bg_icache *c,
				   bool fast)
{
	struct bg_policy_hdr *hdr;
	struct bg_policy_rec *rec;
	__u32 zero = 0, lo = 1, hi, mid;
	__u64 tag = 0;
	void *inner;

	inner = bpf_map_lookup_elem(&bg_policy, &zero);
	hdr = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	if (!hdr || hdr->magic != BG_POLICY_MAGIC) {
		d->reason = BG_REASON_NO_POLICY;
		return;
	}
	d->generation = hdr->generation;
	if (c && hdr->install_id) {
		tag = verdict_tag(hdr->install_id, d->digest);
		if (fast && READ_ONCE(c->vtag) == tag) {
			d->reason = BG_REASON_LISTED;
			count(BG_CNT_VERDICT_HITS);
			return;
		}
	}
	hi = hdr->count;
	d->reason = BG_REASON_UNKNOWN;
	for (int i = 0; i < BG_SEARCH_STEPS && lo <= hi; i++) {
		int cmp;

		mid = lo + (hi - lo) / 2;
		rec = bpf_map_lookup_elem(inner, &mid);
		if (!rec)
			return;
		cmp = digest_cmp(d->digest, (const __u64 *)rec->digest);
		if (!cmp) {
			d->comp = rec->comp;
			/* a block entry wins over an allow entry */
			if (rec->flags & BG_ENTRY_BLOCK) {
				d->reason = BG_REASON_BLOCKED;
			} else if (rec->flags & BG_ENTRY_ALLOW) {
				d->reason = BG_REASON_LISTED;
				if (c && tag)
					WRITE_ONCE(c->vtag, tag);
			}
			return;
		}
		if (cmp < 0)
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
	e->scope = d->scope;
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	e->ppid = task->real_parent->tgid;
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

		e->dev = inode->i_sb->s_dev;
		e->ino = inode->i_ino;
		if (can_dpath) {
			if (bpf_d_path(&file->f_path, e->path, sizeof(e->path)) < 0)
				e->path[0] = '\0';
		}
		if (!e->path[0])
			bpf_probe_read_kernel_str(e->path, sizeof(e->path),
				file->f_path.dentry->d_name.name);
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

/* The policy in force (inner map) and its header, or NULL. */
static __always_inline void *policy_in_force(struct bg_policy_hdr **hdr)
{
	__u32 zero = 0;
	void *inner;

	inner = bpf_map_lookup_elem(&bg_policy, &zero);
	*hdr = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	return *hdr ? inner : NULL;
}

/*
 * Scope record @i of the policy in force (@inner, @hdr), deepest first,
 * or NULL past the last one.
 */
static __always_inline struct bg_scope_rec *
scope_rec(void *inner, struct bg_policy_hdr *hdr, __u32 i)
{
	__u32 idx = hdr->count + 1 + i;

	if (i >= hdr->nr_scopes)
		return NULL;
	return bpf_map_lookup_elem(inner, &idx);
}

/*
 * The mode of @cls for the current task: the most specific scope of the
 * policy holding the task's cgroup (its own or an ancestor) that sets a
 * mode for @cls decides (@d->scope names it); a task in no such scope
 * gets bg_config's mode. One helper call and one array lookup per scope
 * (at most BG_SCOPE_MAX), none without scopes.
 */
static __always_inline __u8 class_mode(struct bg_config *cfg, __u8 cls,
				       struct bg_ctx *d)
{
	__u8 mode = cfg->mode[cls & 7];
	struct bg_policy_hdr *hdr;
	void *inner;

	inner = policy_in_force(&hdr);
	if (!inner || !hdr->nr_scopes)
		return mode;	/* no scopes: the global mode */
	for (__u32 i = 0; i < BG_SCOPE_MAX; i++) {
		struct bg_scope_rec *sc = scope_rec(inner, hdr, i);

		if (!sc)
			break;
		if (sc->mode[cls & 7] == BG_MODE_INHERIT ||
		    bpf_get_current_ancestor_cgroup_id(sc->level) !=
		    sc->cgroup_id)
			continue;	/* not this scope's class, or task */
		d->scope = (sc->index & 0x7f) + 1;
		mode = sc->mode[cls & 7];
		break;
	}
	return mode;
}

/*
 * The highest mode of @cls anywhere (bg_config's and every scope's): for
 * decisions that protect files running in any cgroup (their writers).
 */
static __always_inline __u8 max_mode(struct bg_config *cfg, __u8 cls)
{
	__u8 mode = cfg->mode[cls & 7];
	struct bg_policy_hdr *hdr;
	void *inner;

	inner = policy_in_force(&hdr);
	if (!inner || !hdr->nr_scopes)
		return mode;	/* no scopes: the global mode */
	for (__u32 i = 0; i < BG_SCOPE_MAX; i++) {
		struct bg_scope_rec *sc = scope_rec(inner, hdr, i);
		__u8 m;

		if (!sc)
			break;
		m = sc->mode[cls & 7];
		if (m != BG_MODE_INHERIT && m > mode)
			mode = m;
	}
	return mode;
}

static __always_inline bool in_scope(struct bg_config *cfg)
{
	return !cfg->scope_cgroup ||
	       bpf_get_current_cgroup_id() == cfg->scope_cgroup;
}

/* One more decision on a measured digest (BG_CFG_COVERAGE). */
static __always_inline void cover(struct bg_ctx *d, __u8 hook, __u8 dec)
{
	struct bg_cover_key k = { .hook = hook };
	struct bg_cover *c, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();

	__builtin_memcpy(k.digest, d->digest, BG_DIGEST_LEN);
	c = bpf_map_lookup_elem(&bg_cover, &k);
	if (!c) {
		fresh.first_ns = now;
		/* -EEXIST: another CPU added it first; -E2BIG: full */
		bpf_map_update_elem(&bg_cover, &k, &fresh, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&bg_cover, &k);
		if (!c) {
			count(BG_CNT_COVER_FULL);
			return;
		}
	}
	if (dec == BG_DEC_ALLOWED)
		__sync_fetch_and_add(&c->allowed, 1);
	else
		__sync_fetch_and_add(&c->refused, 1);
	WRITE_ONCE(c->last_ns, now);
}

static __always_inline bool measured(const struct bg_ctx *d)
{
	/* an all-zero digest: not measured (digest is __u64[4]: the words
	 * themselves, not "digest + 8", which was 64 bytes on, past it) */
	return d->digest[0] | d->digest[1] | d->digest[2] | d->digest[3];
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
	if ((cfg->flags & BG_CFG_COVERAGE) && measured(d))
		cover(d, hook, dec);
	if (dec != BG_DEC_ALLOWED || (cfg->flags & BG_CFG_EMIT_ALLOWED))
		emit(d, file, hook, dec, mode, can_dpath);
	return dec == BG_DEC_DENIED ? -EPERM : 0;	/* deny only in enforce */
}

/* Which inode the mprotect gate finds a measurement on: 6.1's overlayfs
 * maps the real file under the overlay's path (the measured inode). */
static __always_inline struct inode *measured_inode(struct file *file)
{
	struct inode *path_inode = file->f_path.dentry->d_inode;

	return path_inode ? path_inode : file->f_inode;
}

static __always_inline struct bg_seal *seal_get(void)
{
	__u32 zero = 0;
	struct bg_seal *s = bpf_map_lookup_elem(&bg_seal, &zero);

	return s && READ_ONCE(s->sealed) ? s : NULL;
}

static __always_inline bool task_is_daemon(struct task_struct *t)
{
	struct bg_task *ts = bpf_task_storage_get(&bg_task, t, 0, 0);

	return ts && (ts->flags & BG_TASK_DAEMON);
}

/*
 * The sealed daemon's own code is always enforced, whatever the modes and
 * the scope: code it maps decides over bomgate itself (an LD_PRELOAD of
 * an unlisted library into the genuine binary would otherwise run marked).
 */
static __always_inline bool sealed_daemon_self(void)
{
	return seal_get() && task_is_daemon(bpf_get_current_task_btf());
}

/*
 * The whole decision for a file-backed hook. @xbit: the file is about to
 * run (BG_XMAP_*), 0 for kernel reads; @pre: a reason decided before any
 * measuring (BG_REASON_EXECMOD), or BG_REASON_MAX.
 */
static __always_inline int gate_file_alt(struct file *file, __u8 hook,
					 __u8 cls, bool sleepable, __u32 xbit,
					 __u8 pre, bool alt_ok)
{
	struct bg_config *cfg = bg_cfg();
	struct bg_ctx d = { .comp = ~0U };
	struct inode *inode = file->f_inode;
	struct bg_icache *c;
	__u8 mode;
	int err;

	if (!cfg)
		return 0;	/* cannot happen: array map; allow */
	mode = class_mode(cfg, cls, &d);
	if (xbit && sealed_daemon_self())
		mode = BG_MODE_ENFORCE;	/* the sealed daemon: always gated */
	else if (mode == BG_MODE_OFF || !in_scope(cfg))
		return 0;	/* not gated: allow */

	if (pre == BG_REASON_MAX && xbit && sparse(inode))
		pre = BG_REASON_SPARSE;
	if (pre != BG_REASON_MAX || fs_untrusted(inode, cfg)) {
		/* decided without measuring */
		d.reason = pre != BG_REASON_MAX ? pre : BG_REASON_UNTRUSTED_FS;
		lookup_generation(&d);
		return verdict(&d, cfg, file, hook, mode, sleepable);
	}
	c = icache_get(inode);
	if (xbit && !mark_running(c, xbit))
		err = -ENOMEM;	/* cannot keep writers off: fail closed */
	else
		err = measure(file, inode, c, &d, sleepable, max_measure(cfg));
	if (err == -ENOENT && alt_ok) {
		struct inode *alt = measured_inode(file);

		if (alt && alt != inode)
			err = measure(file, alt, bpf_inode_storage_get(
					&bg_icache, alt, 0, 0), &d, false, 0);
	}
	if (err) {
		d.err = err;
		/* cannot measure: deny in enforce (fail closed), report */
		if (err == -EFBIG)
			d.reason = BG_REASON_TOO_LARGE;
		else
			d.reason = sleepable ? BG_REASON_UNMEASURABLE :
					       BG_REASON_NOT_MEASURED;
		lookup_generation(&d);
	} else {
		/* listed: allow; unknown or blocked: deny in enforce. An
		 * allowed event names the component: searched for */
		lookup(&d, c, !(cfg->flags & BG_CFG_EMIT_ALLOWED));
		if (d.reason == BG_REASON_LISTED && changeable(inode, c, &d)) {
			if (d.comp == ~0U)
				lookup(&d, NULL, false);  /* for the event */
			d.reason = BG_REASON_WRITABLE;
		}
	}
	return verdict(&d, cfg, file, hook, mode, sleepable);
}

static __always_inline int gate_file(struct file *file, __u8 hook, __u8 cls,
				     bool sleepable, __u32 xbit, __u8 pre)
{
	return gate_file_alt(file, hook, cls, sleepable, xbit, pre, false);
}

/*
 * Sealed mode. Once the daemon has set bg_seal.sealed (a signed policy
 * asked for it), bomgate's maps, programs, links and pins, the bpffs that
 * holds them and the daemon's memory belong to the daemon alone: a task
 * whose executable had one of the sealed daemon digests when it was
 * exec'd (and its threads). Root is no exception. Every refusal is a
 * tamper event (BG_REASON_SEALED).
 */
#define BPF_FS_MAGIC		0xcafe4a11
#define S_IFMT			00170000
#define S_IFBLK			0060000
#define CLONE_THREAD		0x00010000
#define MS_MOVE			8192

/* Sealed, and the current task is not the daemon: the seal applies. */
static __always_inline struct bg_seal *seal_applies(void)
{
	struct bg_seal *s = seal_get();

	if (!s || task_is_daemon(bpf_get_current_task_btf()))
		return NULL;
	return s;
}

/* Refuse, and say what was tried: @what (a bomgate object or target). */
static __always_inline int tamper(__u8 hook, const char *what, __u32 wlen,
				  __u64 dev, __u64 ino)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct bg_event *e;

	count(hook * BG_DEC_MAX + BG_DEC_DENIED);
	e = bpf_ringbuf_reserve(&bg_events, sizeof(*e), 0);
	if (!e) {
		count(BG_CNT_DROPS);
		return -EPERM;	/* sealed: refused, unreported */
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->version = BG_EVENT_VERSION;
	e->hook = hook;
	e->decision = BG_DEC_DENIED;
	e->reason = BG_REASON_SEALED;
	e->mode = BG_MODE_ENFORCE;
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->comp = ~0U;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->dev = dev;
	e->ino = ino;
	e->ktime_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, wlen < sizeof(e->path) ?
				  wlen : sizeof(e->path), what);
	bpf_ringbuf_submit(e, 0);
	return -EPERM;	/* sealed: refused */
}

/* bomgate's maps and programs are all named bg_* (libbpf's internal maps
 * "bomgate.*"): another's object of that name is refused too, which only
 * costs its owner a rename. */
static __always_inline bool ours(const char *name)
{
	char n[8] = {};

	bpf_probe_read_kernel(n, sizeof(n), name);
	return (n[0] == 'b' && n[1] == 'g' && n[2] == '_') ||
	       (n[0] == 'b' && n[1] == 'o' && n[2] == 'm' && n[3] == 'g' &&
		n[4] == 'a' && n[5] == 't' && n[6] == 'e');
}

SEC("lsm/bpf_map")
int BPF_PROG(bg_seal_map, struct bpf_map *map, fmode_t fmode)
{
	if (!seal_applies() || !ours(map->name))
		return 0;	/* not sealed, the daemon, or not ours: allow */
	return tamper(BG_HOOK_BPF_MAP, map->name, sizeof(map->name), 0,
		      map->id);	/* sealed: refused */
}

SEC("lsm/bpf_prog")
int BPF_PROG(bg_seal_prog, struct bpf_prog *prog)
{
	struct bpf_prog_aux *aux = prog->aux;

	if (!seal_applies() || !ours(aux->name))
		return 0;	/* not sealed, the daemon, or not ours: allow */
	return tamper(BG_HOOK_BPF_PROG, aux->name, sizeof(aux->name), 0,
		      aux->id);	/* sealed: refused */
}

/*
 * Program types that run in any task's context with helpers that change
 * an outcome or another task's memory (bpf_override_return, fmod_ret on
 * security_*, bpf_probe_write_user), and links of bomgate's by id.
 */
static __always_inline bool hook_changing(__u32 type)
{
	return type == BPF_PROG_TYPE_KPROBE ||
	       type == BPF_PROG_TYPE_TRACEPOINT ||
	       type == BPF_PROG_TYPE_PERF_EVENT ||
	       type == BPF_PROG_TYPE_RAW_TRACEPOINT ||
	       type == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE ||
	       type == BPF_PROG_TYPE_TRACING ||
	       type == BPF_PROG_TYPE_EXT ||
	       type == BPF_PROG_TYPE_LSM;
}

SEC("lsm/bpf")
int BPF_PROG(bg_seal_bpf, int cmd, union bpf_attr *attr)
{
	struct bg_seal *s = seal_applies();
	char what[32] = "BPF_PROG_LOAD type ";

	if (!s)
		return 0;	/* not sealed, or the daemon: allow */
	if (cmd == BPF_PROG_LOAD) {
		__u32 type = BPF_CORE_READ(attr, prog_type);

		if (!hook_changing(type))
			return 0;	/* cannot change a hook's outcome: allow */
		what[19] = '0' + type / 10 % 10;
		what[20] = '0' + type % 10;
		return tamper(BG_HOOK_BPF, what, sizeof(what), 0,
			      type);	/* sealed: refused */
	}
	if (cmd == BPF_LINK_GET_FD_BY_ID) {
		__u32 id = BPF_CORE_READ(attr, link_id);
		__u32 n = s->nr_links;

		for (int i = 0; i < BG_SEAL_LINKS; i++) {
			if (i >= n)
				break;
			if (s->link_id[i] == id)
				return tamper(BG_HOOK_BPF,
					      "BPF_LINK_GET_FD_BY_ID", 22, 0,
					      id);	/* sealed: refused */
		}
	}
	return 0;	/* not about bomgate: allow */
}

static __always_inline bool pinned(struct bg_seal *s, struct inode *inode)
{
	__u64 ino;
	__u32 n;

	if (BPF_CORE_READ(inode, i_sb, s_dev) != s->pin_dev ||
	    fs_magic(inode) != BPF_FS_MAGIC)
		return false;
	ino = BPF_CORE_READ(inode, i_ino);
	n = s->nr_pins;
	for (int i = 0; i < BG_SEAL_PINS; i++) {
		if (i >= n)
			break;
		if (s->pin_ino[i] == ino)
			return true;
	}
	return false;
}

/* Every use of a pin (BPF_OBJ_GET, unlink, lookup in its directory). */
SEC("lsm/inode_permission")
int BPF_PROG(bg_seal_pin, struct inode *inode, int mask)
{
	struct bg_seal *s = seal_get();

	if (!s || !pinned(s, inode) ||
	    task_is_daemon(bpf_get_current_task_btf()))
		return 0;	/* not sealed, not a pin, or the daemon: allow */
	return tamper(BG_HOOK_PIN, "pin", 4, s->pin_dev,
		      inode->i_ino);	/* sealed: refused */
}

/* A rename within the pin directory's parent needs no permission on it. */
SEC("lsm/inode_rename")
int BPF_PROG(bg_seal_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry)
{
	struct bg_seal *s = seal_get();
	struct inode *moved = old_dentry->d_inode;
	struct inode *over = new_dentry->d_inode;

	if (!s || task_is_daemon(bpf_get_current_task_btf()))
		return 0;	/* not sealed, or the daemon: allow */
	if ((moved && pinned(s, moved)) || (over && pinned(s, over)))
		return tamper(BG_HOOK_PIN, "rename", 7, s->pin_dev,
			      moved ? moved->i_ino : 0);	/* sealed: refused */
	return 0;	/* not a pin: allow */
}

static __always_inline bool on_pin_fs(struct bg_seal *s, struct vfsmount *mnt)
{
	return mnt && BPF_CORE_READ(mnt, mnt_sb, s_dev) == s->pin_dev &&
	       BPF_CORE_READ(mnt, mnt_sb, s_magic) == BPF_FS_MAGIC;
}

SEC("lsm/sb_umount")
int BPF_PROG(bg_seal_umount, struct vfsmount *mnt, int flags)
{
	struct bg_seal *s = seal_applies();

	if (!s || !on_pin_fs(s, mnt))
		return 0;	/* not sealed, the daemon, or not ours: allow */
	return tamper(BG_HOOK_MOUNT, "umount", 7, s->pin_dev,
		      0);	/* sealed: refused */
}

/* Mounting onto (or moving) a point inside the pins' bpffs. */
SEC("lsm/sb_mount")
int BPF_PROG(bg_seal_mount, const char *dev_name, const struct path *path,
	     const char *type, unsigned long flags)
{
	struct bg_seal *s = seal_applies();

	if (!s || !on_pin_fs(s, path->mnt))
		return 0;	/* not sealed, the daemon, or not ours: allow */
	return tamper(BG_HOOK_MOUNT, flags & MS_MOVE ? "mount --move" :
		      "mount", 13, s->pin_dev, 0);	/* sealed: refused */
}

SEC("lsm/move_mount")
int BPF_PROG(bg_seal_move_mount, const struct path *from_path,
	     const struct path *to_path)
{
	struct bg_seal *s = seal_applies();

	if (!s || (!on_pin_fs(s, from_path->mnt) &&
		   !on_pin_fs(s, to_path->mnt)))
		return 0;	/* not sealed, the daemon, or not ours: allow */
	return tamper(BG_HOOK_MOUNT, "move_mount", 11, s->pin_dev,
		      0);	/* sealed: refused */
}

/* ptrace attach, /proc/PID/mem, process_vm_writev, pidfd_getfd. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(bg_seal_ptrace, struct task_struct *child, unsigned int mode)
{
	struct bg_seal *s = seal_applies();

	if (!s || !task_is_daemon(child))
		return 0;	/* not sealed, the daemon, or another: allow */
	return tamper(BG_HOOK_PTRACE, child->comm, sizeof(child->comm), 0,
		      child->tgid);	/* sealed: refused */
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(bg_seal_traceme, struct task_struct *parent)
{
	struct bg_seal *s = seal_get();

	if (!s || !task_is_daemon(bpf_get_current_task_btf()) ||
	    task_is_daemon(parent))
		return 0;	/* not sealed, or not the daemon: allow */
	return tamper(BG_HOOK_PTRACE, parent->comm, sizeof(parent->comm), 0,
		      parent->tgid);	/* sealed: refused */
}

/* The daemon's threads are the daemon; its children are not. */
SEC("lsm/task_alloc")
int BPF_PROG(bg_seal_task, struct task_struct *task, unsigned long clone_flags)
{
	struct bg_task *ts;

	if (!(clone_flags & CLONE_THREAD) ||
	    !task_is_daemon(bpf_get_current_task_btf()))
		return 0;	/* not a thread of the daemon: allow */
	ts = bpf_task_storage_get(&bg_task, task, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts)
		return -ENOMEM;	/* cannot mark the thread: refuse it */
	ts->flags = BG_TASK_DAEMON;
	return 0;	/* marked: allow */
}

/*
 * Exec, after the gate allowed it: remember whether the binary is a sealed
 * daemon (BG_TASK_PENDING); the mark becomes BG_TASK_DAEMON only once the
 * exec is past the point of no return (bg_seal_committed), so a failed
 * exec leaves the old image unmarked. Every exec clears the mark.
 */
static __always_inline int seal_note_exec(struct linux_binprm *bprm)
{
	struct bg_ctx d = { .comp = ~0U };
	struct bg_config *cfg;
	struct bg_icache *c;
	struct inode *inode;
	struct bg_task *ts;
	struct bg_seal *s;
	__u32 zero = 0;
	bool daemon = false;

	s = bpf_map_lookup_elem(&bg_seal, &zero);
	if (!s || !READ_ONCE(s->nr_daemons)) {
		ts = bpf_task_storage_get(&bg_task, bpf_get_current_task_btf(),
					  0, 0);
		if (ts)
			ts->flags &= ~BG_TASK_PENDING;
		return 0;	/* no daemon named: nothing to mark */
	}
	cfg = bg_cfg();
	inode = bprm->file->f_inode;
	c = icache_get(inode);
	if (cfg && !fs_untrusted(inode, cfg) &&
	    !measure(bprm->file, inode, c, &d, true, max_measure(cfg)) &&
	    !changeable(inode, c, &d)) {
		__u32 n = s->nr_daemons;

		for (int i = 0; i < BG_SEAL_DAEMONS; i++) {
			if (i >= n)
				break;
			if (!digest_cmp(d.digest, (const __u64 *)s->daemon[i]))
				daemon = true;
		}
	}
	ts = bpf_task_storage_get(&bg_task, bpf_get_current_task_btf(), 0,
				  daemon ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (ts) {
		if (daemon)
			ts->flags |= BG_TASK_PENDING;
		else
			ts->flags &= ~BG_TASK_PENDING;
	}
	return 0;	/* noted: the exec gate decided */
}

SEC("lsm/bprm_committed_creds")
int BPF_PROG(bg_seal_committed, struct linux_binprm *bprm)
{
	struct bg_task *ts;

	ts = bpf_task_storage_get(&bg_task, bpf_get_current_task_btf(), 0, 0);
	if (ts)
		ts->flags = ts->flags & BG_TASK_PENDING ? BG_TASK_DAEMON : 0;
	return 0;	/* void hook */
}

/*
 * A block device under cached digests opened for write: sealed, refused
 * (a raw write changes a file behind every observer); otherwise the cache
 * of that filesystem is no longer trusted.
 */
static __always_inline int bdev_open_write(struct file *file)
{
	struct inode *inode = file->f_inode;
	__u32 dev = BPF_CORE_READ(inode, i_rdev), v = BG_BDEV_WRITTEN;
	__u32 *st = bpf_map_lookup_elem(&bg_bdevs, &dev);

	if (!st)
		return 0;	/* no digest cached from it: allow */
	if (seal_applies())
		return tamper(BG_HOOK_BDEV_WRITE, "block device", 13, dev,
			      BPF_CORE_READ(inode, i_ino));	/* sealed: refused */
	if (*st != BG_BDEV_WRITTEN)
		bpf_map_update_elem(&bg_bdevs, &dev, &v, BPF_ANY);
	return 0;	/* cache of that filesystem distrusted: allow */
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(bg_exec, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	ret = gate_file(bprm->file, BG_HOOK_EXEC, BG_CLASS_EXEC, true,
			BG_XMAP_EXEC, BG_REASON_MAX);
	if (!ret)
		seal_note_exec(bprm);	/* the sealed daemon? */
	return ret;	/* decided */
}

/*
 * execveat(AT_EXECVE_CHECK) (6.14+): an interpreter asks whether a script
 * would be allowed to run, and stops there: bprm_check_security is never
 * reached. Decided exactly like an exec.
 */
SEC("lsm.s/bprm_creds_for_exec")
int BPF_PROG(bg_exec_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	if (!bprm_is_check(bprm))
		return 0;	/* an exec: bg_exec decides, later */
	return gate_file(bprm->file, BG_HOOK_EXEC_CHECK, BG_CLASS_EXEC, true,
			 0, BG_REASON_MAX);	/* decided */
}

#define PROT_WRITE	0x2
#define MAP_TYPE	0x0f
#define MAP_PRIVATE	0x02
#define VM_WRITE	0x2
#define VM_SHARED	0x8

SEC("lsm.s/mmap_file")
int BPF_PROG(bg_mmap, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags, int ret)
{
	__u8 pre = BG_REASON_MAX;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	if (!file || !(prot & PROT_EXEC))
		return 0;	/* not an executable file mapping: allow */
	/* a private copy that is writable and executable: what is written
	 * into it runs, measured or not (SELinux: execmod) */
	if ((prot & PROT_WRITE) && (flags & MAP_TYPE) == MAP_PRIVATE)
		pre = BG_REASON_EXECMOD;
	return gate_file(file, BG_HOOK_MMAP, BG_CLASS_MMAP, true,
			 BG_XMAP_MMAP, pre);	/* decided */
}

/*
 * file_mprotect is not a sleepable hook (6.1 and 6.12), so nothing can be
 * hashed here: only a digest already in the inode cache decides. A file
 * that was never measured is denied in enforce mode. A private mapping
 * whose pages were copied on write (anon_vma), or that stays writable,
 * no longer holds the file's bytes: refused.
 */
static __always_inline int mprotect_gate(struct vm_area_struct *vma,
					 unsigned long prot, int ret,
					 bool alt_ok)
{
	unsigned long vm_flags;
	struct file *file;
	__u8 pre = BG_REASON_MAX;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	if (!(prot & PROT_EXEC))
		return 0;	/* not executable afterwards: allow */
	file = vma->vm_file;
	if (!file)
		return 0;	/* anonymous memory: not file code, allow */
	vm_flags = vma->vm_flags;
	if (!(vm_flags & VM_SHARED) &&
	    ((prot & PROT_WRITE) || vma->anon_vma))
		pre = BG_REASON_EXECMOD;
	else if (vm_flags & VM_EXEC)
		return 0;	/* not adding PROT_EXEC: allow */
	return gate_file_alt(file, BG_HOOK_MPROTECT, BG_CLASS_MMAP, false,
			     BG_XMAP_MMAP, pre, alt_ok);	/* cache */
}

/* Kernels with mmap_backing_file (6.12+): the real inode has the digest. */
SEC("lsm/file_mprotect")
int BPF_PROG(bg_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	return mprotect_gate(vma, prot, ret, false);	/* decided */
}

/* Older kernels (6.1): the overlay's inode, under the real file's path. The
 * engine loads one of the two (engine_probe_hooks). */
SEC("lsm/file_mprotect")
int BPF_PROG(bg_mprotect_pathinode, struct vm_area_struct *vma,
	     unsigned long reqprot, unsigned long prot, int ret)
{
	return mprotect_gate(vma, prot, ret, true);	/* decided */
}

/*
 * 6.12 and later: overlayfs maps the real file in place of the overlay's.
 * Carry the mark and the measurement over to the real inode, so that its
 * writers are refused and mprotect finds the digest; a writer of the real
 * file is one the overlay's inode never saw.
 */
SEC("lsm/mmap_backing_file")
int BPF_PROG(bg_mmap_backing, struct vm_area_struct *vma,
	     struct file *backing_file, struct file *user_file, int ret)
{
	struct bg_icache *u, *r, now = {};
	struct inode *real = backing_file->f_inode;
	struct bg_ctx d = { .comp = ~0U };
	struct bg_config *cfg;
	__u32 xmap;
	__u8 mode;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	if (!(vma->vm_flags & VM_EXEC))
		return 0;	/* not executable: allow */
	u = bpf_inode_storage_get(&bg_icache, user_file->f_inode, 0, 0);
	xmap = u ? READ_ONCE(u->xmap) : 0;
	if (!xmap)
		return 0;	/* the overlay's file was not gated: allow */
	r = bpf_inode_storage_get(&bg_icache, real, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!r)
		return 0;	/* the overlay's inode keeps its mark: allow */
	__sync_fetch_and_or(&r->xmap, xmap);	/* a full barrier */
	if (READ_ONCE(real->i_writecount.counter) <= 0) {
		read_stamp(real, &now);
		if (cache_hit(u, &now, &d))
			cache_store(r, &now, d.digest, READ_ONCE(r->wseq));
		return 0;	/* no writer of the real file: allow */
	}
	cfg = bg_cfg();
	if (!cfg)
		return 0;	/* cannot happen: array map; allow */
	mode = class_mode(cfg, BG_CLASS_MMAP, &d);
	if (mode == BG_MODE_OFF)
		return 0;	/* not gated now: allow */
	/* the real file has a writer: deny in enforce */
	d.reason = BG_REASON_WRITABLE;
	lookup_generation(&d);
	return verdict(&d, cfg, backing_file, BG_HOOK_MMAP, mode, false);
}

SEC("lsm.s/kernel_read_file")
int BPF_PROG(bg_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	__u8 hook, cls;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
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
	return gate_file(file, hook, cls, true, 0, BG_REASON_MAX); /* decided */
}

SEC("lsm/kernel_load_data")
int BPF_PROG(bg_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	struct bg_ctx d = { .comp = ~0U };
	struct bg_config *cfg;
	__u8 hook, cls, mode;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
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
	mode = class_mode(cfg, cls, &d);
	if (mode == BG_MODE_OFF || !in_scope(cfg))
		return 0;	/* not gated: allow */
	lookup_generation(&d);
	/* a buffer cannot be measured: deny in enforce unless the policy
	 * explicitly allows unmeasured module buffers */
	if (hook != BG_HOOK_MODULE_BUF)
		d.reason = BG_REASON_UNMEASURED_DATA;
	else if (cfg->flags & BG_CFG_ALLOW_UNMEASURED_MODULES)
		d.reason = BG_REASON_UNMEASURED_OK;
	else
		d.reason = BG_REASON_UNMEASURED_BUF;
	return verdict(&d, cfg, NULL, hook, mode, false);	/* decided */
}

/*
 * Writers of a running file. Any open for write or truncate makes the
 * cached digest of that inode stale, before the first byte can change. A
 * file mapped executable by a gate is refused to writers (ETXTBSY, as the
 * kernel does for a running exec) while any read-only opener remains:
 * every executable mapping holds one. On overlayfs the mapping holds the
 * real file: the upper inode's readers count too (a file only in the lower
 * layer is copied up before it is written, and the mapping keeps the lower
 * bytes).
 */
static __always_inline int write_guard(struct inode *inode, struct file *file,
				       bool can_dpath)
{
	struct bg_ctx d = { .comp = ~0U };
	struct bg_config *cfg;
	struct bg_icache *c;
	__u8 mode = BG_MODE_OFF, m;
	int readers;
	__u32 xmap;

	c = bpf_inode_storage_get(&bg_icache, inode, 0, 0);
	if (!c)
		return 0;	/* never measured nor run: allow */
	__sync_fetch_and_add(&c->wseq, 1);	/* a full barrier */
	xmap = READ_ONCE(c->xmap);
	if (!xmap)
		return 0;	/* never ran: allow */
	cfg = bg_cfg();
	if (!cfg)
		return 0;	/* cannot happen: array map; allow */
	/* the file may run in any cgroup: the highest mode anywhere */
	if (xmap & BG_XMAP_EXEC)
		mode = max_mode(cfg, BG_CLASS_EXEC);
	m = max_mode(cfg, BG_CLASS_MMAP);
	if ((xmap & BG_XMAP_MMAP) && m > mode)
		mode = m;
	if (mode == BG_MODE_OFF)
		return 0;	/* not gated now: allow */
	readers = inode_readers(inode);
	if (readers >= 0 && fs_magic(inode) == OVERLAYFS_SUPER_MAGIC) {
		struct inode *upper = ovl_upper_inode(inode);

		if (upper)
			readers += inode_readers(upper);
	}
	if (readers == 0) {
		/* nothing maps it any more: allow, and forget the mark (an
		 * executable mapping in the making holds a reader already) */
		__sync_fetch_and_and(&c->xmap, 0);
		return 0;	/* not running any more: allow */
	}
	/* running: refuse the writer in enforce (ETXTBSY) */
	__builtin_memcpy(d.digest, c->digest, BG_DIGEST_LEN);
	d.reason = BG_REASON_MAPPED_EXEC;
	lookup_generation(&d);
	return verdict(&d, cfg, file, BG_HOOK_WRITE, mode, can_dpath) ?
	       -ETXTBSY : 0;
}

/* /proc/PID/mem written: FOLL_FORCE copies over read-only text. */
static __always_inline bool is_proc_mem(struct file *file)
{
	char name[4] = {};

	if (fs_magic(file->f_inode) != PROC_SUPER_MAGIC)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name),
				  file->f_path.dentry->d_name.name);
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && !name[3];
}

SEC("lsm.s/file_open")
int BPF_PROG(bg_file_open, struct file *file, int ret)
{
	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	if (!(file->f_mode & FMODE_WRITE))
		return 0;	/* not a writer: allow */
	if ((file->f_inode->i_mode & S_IFMT) == S_IFBLK)
		return bdev_open_write(file);	/* decided */
	if (is_proc_mem(file)) {
		struct bg_config *cfg = bg_cfg();
		struct bg_ctx d = { .comp = ~0U };
		__u8 mode;

		if (!cfg)
			return 0;	/* cannot happen: array map; allow */
		/* the target may run in any scope: the highest mode */
		mode = max_mode(cfg, BG_CLASS_MMAP);
		if (mode == BG_MODE_OFF || !in_scope(cfg))
			return 0;	/* not gated: allow */
		d.reason = BG_REASON_PROC_MEM;
		lookup_generation(&d);
		return verdict(&d, cfg, file, BG_HOOK_PROC_MEM, mode, true) ?
		       -EACCES : 0;
	}
	return write_guard(file->f_inode, file, true);
}

SEC("lsm/path_truncate")
int BPF_PROG(bg_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	return write_guard(path->dentry->d_inode, NULL, false);
}
