// SPDX-License-Identifier: GPL-2.0
/*
 * The reference for bomgate's per-hook cost (bench/vm_bench.c, "ref"): a
 * bare program on each hook bomgate gates files on, of the same kind
 * (sleepable where bomgate's is), each doing one array map lookup and
 * allowing. What it costs per call is what any BPF LSM program pays on
 * that hook in the same VM; bomgate's cost is reported against it.
 * Built for the bench only: nothing here is loaded by bomgate.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_ERRNO	4095

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bare_map SEC(".maps");

/* An earlier LSM's denial, as a value 6.10+ verifiers accept. */
static __always_inline int earlier(int ret)
{
	if (ret > 0 || ret < -MAX_ERRNO)
		return -1;	/* -EPERM */
	return ret;
}

static __always_inline int bare(int ret)
{
	__u32 zero = 0;

	if (ret)
		return earlier(ret);	/* an earlier LSM denied: keep it */
	bpf_map_lookup_elem(&bare_map, &zero);
	return 0;	/* the reference: allow */
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(bare_exec, struct linux_binprm *bprm, int ret)
{
	return bare(ret);
}

SEC("lsm.s/mmap_file")
int BPF_PROG(bare_mmap, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags, int ret)
{
	return bare(ret);
}

SEC("lsm/file_mprotect")
int BPF_PROG(bare_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	return bare(ret);
}

SEC("lsm.s/kernel_read_file")
int BPF_PROG(bare_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	return bare(ret);
}
