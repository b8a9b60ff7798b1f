// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "vocab.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const class_names[] = {
	[BG_CLASS_EXEC] = "exec",
	[BG_CLASS_MMAP] = "mmap",
	[BG_CLASS_MODULE] = "module",
	[BG_CLASS_FIRMWARE] = "firmware",
	[BG_CLASS_KEXEC] = "kexec",
};
static const char *const mode_names[] = {
	[BG_MODE_OFF] = "off",
	[BG_MODE_AUDIT] = "audit",
	[BG_MODE_ENFORCE] = "enforce",
};
static const char *const hook_names[] = {
	[BG_HOOK_EXEC] = "exec",
	[BG_HOOK_MMAP] = "mmap",
	[BG_HOOK_MPROTECT] = "mprotect",
	[BG_HOOK_MODULE] = "module",
	[BG_HOOK_MODULE_BUF] = "module_buffer",
	[BG_HOOK_FIRMWARE] = "firmware",
	[BG_HOOK_KEXEC] = "kexec",
	[BG_HOOK_WRITE] = "write",
	[BG_HOOK_PROC_MEM] = "proc_mem",
	[BG_HOOK_EXEC_CHECK] = "exec-check",
	[BG_HOOK_BPF_MAP] = "bpf-map",
	[BG_HOOK_BPF_PROG] = "bpf-prog",
	[BG_HOOK_BPF] = "bpf",
	[BG_HOOK_PIN] = "pin",
	[BG_HOOK_MOUNT] = "mount",
	[BG_HOOK_PTRACE] = "ptrace",
	[BG_HOOK_BDEV_WRITE] = "bdev-write",
};
static const char *const dec_names[] = {
	[BG_DEC_ALLOWED] = "allowed",
	[BG_DEC_DENIED] = "denied",
	[BG_DEC_WOULD_DENY] = "would-deny",
};
static const char *const reason_names[] = {
	[BG_REASON_LISTED] = "listed",
	[BG_REASON_UNKNOWN] = "unknown-digest",
	[BG_REASON_BLOCKED] = "blocked-digest",
	[BG_REASON_UNMEASURABLE] = "unmeasurable",
	[BG_REASON_UNMEASURED_BUF] = "unmeasured-module-buffer",
	[BG_REASON_NO_POLICY] = "no-policy",
	[BG_REASON_NOT_MEASURED] = "not-measured",
	[BG_REASON_UNMEASURED_OK] = "unmeasured-buffer-allowed",
	[BG_REASON_WRITABLE] = "open-for-write",
	[BG_REASON_UNTRUSTED_FS] = "untrusted-filesystem",
	[BG_REASON_TOO_LARGE] = "too-large",
	[BG_REASON_EXECMOD] = "modified-mapping",
	[BG_REASON_MAPPED_EXEC] = "running",
	[BG_REASON_PROC_MEM] = "proc-mem-write",
	[BG_REASON_UNMEASURED_DATA] = "unmeasured-buffer",
	[BG_REASON_SPARSE] = "sparse-file",
	[BG_REASON_SEALED] = "sealed",
};

/* A new number in bomgate.h without a name here fails the build. */
_Static_assert(ARRAY_LEN(class_names) == BG_CLASS_MAX, "class names");
_Static_assert(ARRAY_LEN(mode_names) == BG_MODE_ENFORCE + 1, "mode names");
_Static_assert(ARRAY_LEN(hook_names) == BG_HOOK_MAX, "hook names");
_Static_assert(ARRAY_LEN(dec_names) == BG_DEC_MAX, "decision names");
_Static_assert(ARRAY_LEN(reason_names) == BG_REASON_MAX, "reason names");

#define NAME_OF(tbl, i) ((i) < ARRAY_LEN(tbl) && tbl[i] ? tbl[i] : "?")

const char *bg_class_name(unsigned int c) { return NAME_OF(class_names, c); }
const char *bg_mode_name(unsigned int m) { return NAME_OF(mode_names, m); }
const char *bg_scope_mode_name(unsigned int m)
{
	return m == BG_MODE_INHERIT ? "inherit" : bg_mode_name(m);
}

const char *bg_hook_name(unsigned int h) { return NAME_OF(hook_names, h); }
const char *bg_decision_name(unsigned int d) { return NAME_OF(dec_names, d); }
const char *bg_reason_name(unsigned int r) { return NAME_OF(reason_names, r); }

bool bg_reason_measured(unsigned int r)
{
	return r == BG_REASON_LISTED || r == BG_REASON_UNKNOWN ||
	       r == BG_REASON_BLOCKED || r == BG_REASON_WRITABLE;
}

static int parse_name(const char *const *tbl, unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(tbl[i], s))
			return i;
	return -EINVAL;
}

int bg_class_parse(const char *s)
{
	return parse_name(class_names, ARRAY_LEN(class_names), s);
}

int bg_mode_parse(const char *s)
{
	return parse_name(mode_names, ARRAY_LEN(mode_names), s);
}
