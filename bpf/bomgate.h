/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ABI between the bomgate BPF programs and userspace: map values, the
 * configuration record and the event record. Fixed-width types and explicit
 * padding only; userspace asserts the sizes. Bump BG_EVENT_VERSION on any
 * change to struct bg_event.
 */
#ifndef BOMGATE_ABI_H
#define BOMGATE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_DIGEST_LEN		32
#define BG_PATH_LEN		256
#define BG_COMM_LEN		16
#define BG_EVENT_VERSION	1

/* Hook classes: each has its own mode. */
enum {
	BG_CLASS_EXEC = 0,	/* bprm_check_security */
	BG_CLASS_MMAP,		/* mmap_file, file_mprotect (PROT_EXEC) */
	BG_CLASS_MODULE,	/* kernel_read_file(MODULE), kernel_load_data */
	BG_CLASS_FIRMWARE,	/* kernel_read_file(FIRMWARE) */
	BG_CLASS_KEXEC,		/* kernel_read_file(KEXEC_IMAGE/INITRAMFS) */
	BG_CLASS_MAX,
};

/* Hooks, as reported in events and counters. */
enum {
	BG_HOOK_EXEC = 0,
	BG_HOOK_MMAP,
	BG_HOOK_MPROTECT,
	BG_HOOK_MODULE,		/* finit_module: file measured */
	BG_HOOK_MODULE_BUF,	/* init_module: buffer, cannot be measured */
	BG_HOOK_FIRMWARE,
	BG_HOOK_KEXEC,
	BG_HOOK_WRITE,		/* open/truncate for write of a running file */
	BG_HOOK_PROC_MEM,	/* open of /proc/PID/mem for write */
	BG_HOOK_EXEC_CHECK,	/* execveat(AT_EXECVE_CHECK): would it run? */
	/* sealed: bomgate's own objects and the daemon (BG_REASON_SEALED) */
	BG_HOOK_BPF_MAP,	/* fd of a bomgate map (by id, by pin) */
	BG_HOOK_BPF_PROG,	/* fd of a bomgate program */
	BG_HOOK_BPF,		/* bpf(2): link by id, hook-changing programs */
	BG_HOOK_PIN,		/* open, unlink, rename of bomgate's pins */
	BG_HOOK_MOUNT,		/* umount of or mount onto bomgate's bpffs */
	BG_HOOK_PTRACE,		/* ptrace, /proc/PID/mem, process_vm_writev */
	BG_HOOK_BDEV_WRITE,	/* a mounted block device opened for write */
	BG_HOOK_MAX,
};

enum {
	BG_MODE_OFF = 0,	/* not checked at all */
	BG_MODE_AUDIT,		/* decide, report would-be denials, allow */
	BG_MODE_ENFORCE,	/* decide and deny */
};
#define BG_MODE_INHERIT		0xff	/* bg_scope_rec.mode: the global one */

enum {
	BG_DEC_ALLOWED = 0,
	BG_DEC_DENIED,
	BG_DEC_WOULD_DENY,	/* audit mode */
	BG_DEC_MAX,
};

enum {
	BG_REASON_LISTED = 0,		/* digest allowed by the policy */
	BG_REASON_UNKNOWN,		/* digest not in the policy */
	BG_REASON_BLOCKED,		/* digest carries a block entry */
	BG_REASON_UNMEASURABLE,		/* hashing failed (err holds why) */
	BG_REASON_UNMEASURED_BUF,	/* init_module from a memory buffer */
	BG_REASON_NO_POLICY,		/* checked, but no policy installed */
	BG_REASON_NOT_MEASURED,		/* mprotect: file never measured */
	BG_REASON_UNMEASURED_OK,	/* buffer allowed by policy flag */
	BG_REASON_WRITABLE,		/* file has writers, or an unsealed memfd */
	BG_REASON_UNTRUSTED_FS,		/* FUSE, user-namespace overlay, loop */
	BG_REASON_TOO_LARGE,		/* larger than the measuring limit */
	BG_REASON_EXECMOD,		/* private copy written, then executed */
	BG_REASON_MAPPED_EXEC,		/* writer refused: file is running */
	BG_REASON_PROC_MEM,		/* writer of /proc/PID/mem refused */
	BG_REASON_UNMEASURED_DATA,	/* firmware/kexec buffer */
	BG_REASON_SPARSE,		/* shmem file with holes (userfaultfd) */
	BG_REASON_SEALED,		/* sealed: only the daemon may do this */
	BG_REASON_MAX,
};

/* Policy table entry flags. */
#define BG_ENTRY_ALLOW		(1U << 0)
#define BG_ENTRY_BLOCK		(1U << 1)

/*
 * The policy is an array map (inner map of bg_policy) of 1 + n records of
 * 40 bytes: record 0 is the header, records 1..n the digests in ascending
 * memcmp() order, each unique. Replacing the inner map swaps the whole
 * policy at once.
 */
struct bg_policy_hdr {
	__u64 generation;	/* changes with every install, never 0 */
	__u32 count;		/* number of digest records that follow */
	__u32 magic;		/* BG_POLICY_MAGIC */
	__u32 flags;		/* BG_POLICY_F_* */
	__u32 nr_scopes;	/* bg_scope_rec after the digest records */
	__u64 install_id;	/* random, new with every inner map: keys the
				 * verdicts cached in bg_icache.vtag; 0: none */
	__u32 __pad[2];
};

struct bg_policy_rec {
	__u8 digest[BG_DIGEST_LEN];
	__u32 comp;		/* component index in the compiled policy */
	__u32 flags;		/* BG_ENTRY_* */
};

/*
 * Cgroup scopes of the policy: @nr_scopes records after the @count digest
 * records, in the same map (they swap with the policy), most specific
 * first (@level descending). A task whose cgroup at @level of its
 * ancestry is @cgroup_id is in the scope. For each class the first scope
 * found that sets a mode for it decides (BG_MODE_INHERIT: the enclosing
 * scope's, and at last bg_config's).
 */
#define BG_SCOPE_MAX		16

struct bg_scope_rec {
	__u64 cgroup_id;
	__u8 mode[8];		/* BG_MODE_* or BG_MODE_INHERIT per class */
	__u32 level;		/* the cgroup's depth below the root (0) */
	__u32 index;		/* the scope's index in the compiled policy */
	__u32 parent;		/* 1 + index of the enclosing scope; 0 none
				 * (userspace's: the kernel walks levels) */
	__u8 __pad[12];
};

#define BG_POLICY_MAGIC		0x42475031	/* "BGP1" */
#define BG_POLICY_MAX		(1U << 24)	/* digest records, hard cap */

/* Configuration: one record in the bg_config array map. */
#define BG_CFG_EMIT_ALLOWED	(1U << 0)	/* events for allowed too */
#define BG_CFG_ALLOW_UNMEASURED_MODULES (1U << 1)
#define BG_CFG_TRUST_FUSE	(1U << 2)	/* FUSE measured, not refused */
#define BG_CFG_COVERAGE		(1U << 3)	/* count decisions per digest */
/* the daemon's flags (the policy's are below) */
#define BG_CFG_DAEMON_FLAGS	(BG_CFG_EMIT_ALLOWED | BG_CFG_COVERAGE)
/* the flags a policy sets (the rest are the daemon's) */
#define BG_CFG_POLICY_FLAGS	(BG_CFG_ALLOW_UNMEASURED_MODULES | \
				 BG_CFG_TRUST_FUSE)

struct bg_config {
	__u8 mode[8];		/* BG_MODE_* per BG_CLASS_* */
	__u32 flags;		/* BG_CFG_* */
	__u32 max_measure_mib;	/* larger files are not hashed; 0: default */
	__u64 scope_cgroup;	/* 0: whole system; else only this cgroup */
};

/*
 * Sealed state: one record in the bg_seal array map. Written by the
 * daemon when a signed policy says "seal"; from then on only a task whose
 * executable's digest is one of @daemon (marked at exec, inherited by its
 * threads only) may open bomgate's maps and programs, touch its pins or
 * bpffs, or trace the daemon. The signers and the version are kept here so
 * that a daemon restarted with another configuration cannot trust more.
 */
#define BG_SEAL_DAEMONS		4
#define BG_SEAL_SIGNERS		8
#define BG_SEAL_LINKS		32
#define BG_SEAL_PINS		48

struct bg_seal {
	__u32 sealed;		/* 1: sealed */
	__u32 nr_daemons;
	__u32 nr_signers;
	__u32 min_signers;	/* signatures required from @signer */
	__u32 nr_links;
	__u32 nr_pins;
	__u64 min_version;	/* no policy older than this */
	__u64 pin_dev;		/* s_dev of the bpffs holding the pins */
	__u8 daemon[BG_SEAL_DAEMONS][BG_DIGEST_LEN];
	__u8 signer[BG_SEAL_SIGNERS][BG_DIGEST_LEN]; /* SHA-256 of cert DER */
	__u32 link_id[BG_SEAL_LINKS];
	__u64 pin_ino[BG_SEAL_PINS];	/* the pin directory and its pins */
	__u8 id[16];		/* drawn at seal time: step-down tokens name it */
	__u64 token_serial;	/* the last step-down token used */
};

/* Per-task state (task storage). */
#define BG_TASK_DAEMON		(1U << 0)	/* running a sealed daemon */
#define BG_TASK_PENDING		(1U << 1)	/* exec of one in progress */

struct bg_task {
	__u32 flags;
	__u32 __pad;
};

/*
 * Hashing is not interruptible: a file is measured only up to this size
 * (MiB), so that no user can hold a CPU in the kernel for long. Larger
 * files are denied with BG_REASON_TOO_LARGE.
 */
#define BG_MEASURE_MAX_DEFAULT_MIB	512

/* Per-inode measurement cache (inode storage). */
struct bg_icache {
	__u8 digest[BG_DIGEST_LEN];
	__u64 wseq;		/* bumped by every open-for-write/truncate */
	__u64 dseq;		/* 1 + wseq the digest belongs to; 0, ~0: none */
	__u64 vtag;		/* verdict_tag(install_id, digest): the digest
				 * was found allowed in that policy; 0: none */
	__u64 size;
	__s64 mtime_sec, ctime_sec;
	__u32 mtime_nsec, ctime_nsec;
	__u32 busy;		/* a measurement is being stored */
	__u32 xmap;		/* BG_XMAP_*: mapped executable by a gate */
};

/* bg_icache.xmap: opening the file for write is refused while it runs */
#define BG_XMAP_EXEC	(1U << 0)	/* set by the exec gate */
#define BG_XMAP_MMAP	(1U << 1)	/* set by the mmap/mprotect gate */

struct bg_event {
	__u16 version;		/* BG_EVENT_VERSION */
	__u8 hook;		/* BG_HOOK_* */
	__u8 decision;		/* BG_DEC_* */
	__u8 reason;		/* BG_REASON_* */
	__u8 mode;		/* BG_MODE_* in force */
	__u8 cached;		/* digest came from the inode cache */
	__u8 scope;		/* 1 + policy scope index; 0: global modes */
	__u32 tgid, pid, ppid, uid;
	__s32 err;		/* hashing error (negative errno) or 0 */
	__u32 comp;		/* component index, ~0 if none */
	__u64 cgroup_id;
	__u64 dev;		/* s_dev of the file's superblock */
	__u64 ino;
	__u64 generation;	/* policy generation decided against */
	__u64 ktime_ns;		/* bpf_ktime_get_boot_ns() */
	__u8 digest[BG_DIGEST_LEN];
	char comm[BG_COMM_LEN];
	char path[BG_PATH_LEN];	/* NUL-terminated; may be a bare name */
};

#define BG_NR_COUNTERS	(BG_HOOK_MAX * BG_DEC_MAX)
/* extra per-CPU counters after the decision counters */
enum {
	BG_CNT_DROPS = BG_NR_COUNTERS,	/* ring buffer full */
	BG_CNT_HASHES,			/* bpf_ima_file_hash calls */
	BG_CNT_CACHE_HITS,
	BG_CNT_COVER_FULL,		/* bg_cover full: a digest not counted */
	BG_CNT_VERDICT_HITS,		/* allowed from bg_icache.vtag: no search */
	BG_CNT_MAX,
};

/*
 * Coverage (BG_CFG_COVERAGE): decisions on measured files counted per
 * digest and hook in the bg_cover hash map, so that an audit can say what
 * ran without one event per allowed use. Bounded: once BG_COVER_MAX
 * digest-hook pairs are in, a new one is not counted (BG_CNT_COVER_FULL).
 */
#define BG_COVER_MAX		16384

struct bg_cover_key {
	__u8 digest[BG_DIGEST_LEN];
	__u8 hook;		/* BG_HOOK_* */
	__u8 __pad[7];
};

struct bg_cover {
	__u64 allowed;		/* BG_DEC_ALLOWED */
	__u64 refused;		/* BG_DEC_DENIED and BG_DEC_WOULD_DENY */
	__u64 first_ns;		/* bpf_ktime_get_boot_ns() of the first */
	__u64 last_ns;		/* ... and of the last */
};

#endif /* BOMGATE_ABI_H */
