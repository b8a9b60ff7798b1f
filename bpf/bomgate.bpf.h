/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-side helpers of bomgate.bpf.c: kernel struct drift and small macros. */
#ifndef BOMGATE_BPF_H
#define BOMGATE_BPF_H

#define ENOENT		2
#define EPROTO		71

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

		s->ctime_sec = BPF_CORE_READ(i, i_ctime_sec);
		s->ctime_nsec = BPF_CORE_READ(i, i_ctime_nsec);
		s->mtime_sec = BPF_CORE_READ(i, i_mtime_sec);
		s->mtime_nsec = BPF_CORE_READ(i, i_mtime_nsec);
	} else if (bpf_core_field_exists(struct inode___v67, __i_mtime)) {
		struct inode___v67 *i = (void *)inode;

		s->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		s->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
		s->mtime_sec = BPF_CORE_READ(i, __i_mtime.tv_sec);
		s->mtime_nsec = BPF_CORE_READ(i, __i_mtime.tv_nsec);
	} else if (bpf_core_field_exists(struct inode___v66, __i_ctime)) {
		struct inode___v66 *i = (void *)inode;

		s->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		s->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
		s->mtime_sec = BPF_CORE_READ(i, i_mtime.tv_sec);
		s->mtime_nsec = BPF_CORE_READ(i, i_mtime.tv_nsec);
	} else {
		struct inode___old *i = (void *)inode;

		s->ctime_sec = BPF_CORE_READ(i, i_ctime.tv_sec);
		s->ctime_nsec = BPF_CORE_READ(i, i_ctime.tv_nsec);
		s->mtime_sec = BPF_CORE_READ(i, i_mtime.tv_sec);
		s->mtime_nsec = BPF_CORE_READ(i, i_mtime.tv_nsec);
	}
}

#endif
