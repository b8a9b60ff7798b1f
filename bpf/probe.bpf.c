// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes for 'bomgated --check'. Loaded, never attached: a program
 * that loads proves the kernel can verify it; nothing here runs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * BPF LSM + trampolines: any lsm/ program needs both. No argument is read:
 * 6.19 added one to the bpf hooks, and the verifier of 6.10 and later wants
 * a return value it can prove is 0 or an errno.
 */
SEC("lsm/bpf")
int BPF_PROG(probe_lsm)
{
	return 0;	/* a probe: allow */
}

/* Sleepable LSM programs and the IMA hashing helper. */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(probe_ima_hash, struct linux_binprm *bprm, int ret)
{
	__u8 buf[32];

	if (ret)
		return ret > 0 || ret < -4095 ? -1 : ret;	/* keep a denial */
	bpf_ima_file_hash(bprm->file, buf, sizeof(buf));
	return 0;
}
