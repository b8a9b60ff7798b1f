/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-side helpers of bomgate.bpf.c: kernel struct drift and small macros. */
#ifndef BOMGATE_BPF_H
#define BOMGATE_BPF_H

#define ENOENT		2
#define ENOMEM		12
#define EFBIG		27
#define EACCES		13
#define ETXTBSY		26
#define EPROTO		71

#define MAX_ERRNO	4095

/*
 * An earlier answer on the same hook (a denial), as a value every verifier
 * accepts: 6.10 and later refuse LSM programs that may return anything
 * outside [-MAX_ERRNO, 0]. A denial stays a denial.
 */
static __always_inline int earlier(int ret)
{
	if (ret > 0 || ret < -MAX_ERRNO)
		return -1;	/* -EPERM */
	return ret;
}

#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

/*
 * Inode timestamps moved twice: 6.6 renamed i_ctime to __i_ctime, 6.7 did
 * the same for i_mtime, and 6.11 split both into _sec and _nsec fields.
 */
struct inode___v611 {
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

struct inode___v67 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));

struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

struct inode___old {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline void inode_times(struct inode *inode,
					struct bg_icache *s)
{
	if (bpf_core_field_exists(struct inode___v611, i_ctime_sec)) {
		struct inode___v611 *i = (void *)inode;

		s->ctime_sec = READ_ONCE(i->i_ctime_sec);
		s->ctime_nsec = READ_ONCE(i->i_ctime_nsec);
		s->mtime_sec = READ_ONCE(i->i_mtime_sec);
		s->mtime_nsec = READ_ONCE(i->i_mtime_nsec);
	} else if (bpf_core_field_exists(struct inode___v67, __i_mtime)) {
		struct inode___v67 *i = (void *)inode;

		s->ctime_sec = READ_ONCE(i->__i_ctime.tv_sec);
		s->ctime_nsec = READ_ONCE(i->__i_ctime.tv_nsec);
		s->mtime_sec = READ_ONCE(i->__i_mtime.tv_sec);
		s->mtime_nsec = READ_ONCE(i->__i_mtime.tv_nsec);
	} else if (bpf_core_field_exists(struct inode___v66, __i_ctime)) {
		struct inode___v66 *i = (void *)inode;

		s->ctime_sec = READ_ONCE(i->__i_ctime.tv_sec);
		s->ctime_nsec = READ_ONCE(i->__i_ctime.tv_nsec);
		s->mtime_sec = READ_ONCE(i->i_mtime.tv_sec);
		s->mtime_nsec = READ_ONCE(i->i_mtime.tv_nsec);
	} else {
		struct inode___old *i = (void *)inode;

		s->ctime_sec = READ_ONCE(i->i_ctime.tv_sec);
		s->ctime_nsec = READ_ONCE(i->i_ctime.tv_nsec);
		s->mtime_sec = READ_ONCE(i->i_mtime.tv_sec);
		s->mtime_nsec = READ_ONCE(i->i_mtime.tv_nsec);
	}
}

/* 6.14: AT_EXECVE_CHECK sets bprm->is_check */
struct linux_binprm___v614 {
	unsigned int is_check:1;
} __attribute__((preserve_access_index));

static __always_inline bool bprm_is_check(struct linux_binprm *bprm)
{
	struct linux_binprm___v614 *b = (void *)bprm;

	if (!bpf_core_field_exists(b->is_check))
		return false;
	return BPF_CORE_READ_BITFIELD_PROBED(b, is_check);
}

/* memfd seals (include/uapi/linux/fcntl.h) */
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_WRITE	0x0008

/*
 * Seals of a shmem inode: struct shmem_inode_info embeds the inode, so the
 * seals are found from the inode by the offsets the running kernel has.
 */
static __always_inline unsigned int shmem_seals(struct inode *inode)
{
	unsigned long base = (unsigned long)inode -
		bpf_core_field_offset(struct shmem_inode_info, vfs_inode);
	unsigned int seals = 0;

	bpf_probe_read_kernel(&seals, sizeof(seals), (void *)(base +
		bpf_core_field_offset(struct shmem_inode_info, seals)));
	return seals;
}

/* overlayfs's inode (module BTF): the upper inode it writes to */
struct ovl_inode___bg {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

static __always_inline struct inode *ovl_upper_inode(struct inode *inode)
{
	struct dentry *upper = NULL;
	unsigned long base;

	if (!bpf_core_type_exists(struct ovl_inode___bg))
		return NULL;
	base = (unsigned long)inode -
		bpf_core_field_offset(struct ovl_inode___bg, vfs_inode);
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)(base +
		bpf_core_field_offset(struct ovl_inode___bg, __upperdentry)));
	return upper ? BPF_CORE_READ(upper, d_inode) : NULL;
}

/* Open read-only files of @inode (IMA's count); -1 if this kernel has none. */
static __always_inline int inode_readers(struct inode *inode)
{
	if (!bpf_core_field_exists(inode->i_readcount))
		return -1;
	return BPF_CORE_READ(inode, i_readcount.counter);
}

#endif
