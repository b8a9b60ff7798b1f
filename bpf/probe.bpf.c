// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes for 'bomgated --check'. Loaded, never attached: a program
 * that loads proves the kernel can verify it; nothing here runs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* BPF LSM + trampolines: any lsm/ program needs both. */
SEC("lsm/bpf")
int BPF_PROG(probe_lsm, int cmd, union bpf_attr *attr, unsigned int size,
	     int ret)
{
	return ret;
}

/* Sleepable LSM programs and the IMA hashing helper. */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(probe_ima_hash, struct linux_binprm *bprm, int ret)
{
	__u8 buf[32];

	if (ret)
		return ret;
	bpf_ima_file_hash(bprm->file, buf, sizeof(buf));
	return 0;
}
