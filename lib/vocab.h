/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words bomgate uses for the numbers of its kernel ABI (bpf/bomgate.h),
 * in logs, JSON, metrics, the CLI and the policy source: one table each.
 * A class (exec, mmap, module, firmware, kexec) has a mode; a hook (exec,
 * mmap, mprotect, module, ...) is where a decision was made. No BPF here:
 * the CLI links this without the enforcement object.
 */
#ifndef BOMGATE_VOCAB_H
#define BOMGATE_VOCAB_H

#include <stdbool.h>
#include <linux/types.h>

#include "bomgate.h"

/* Names for BG_CLASS_*, BG_MODE_*, BG_HOOK_*, BG_DEC_*, BG_REASON_*;
 * "?" for a number out of range. */
const char *bg_class_name(unsigned int cls);
const char *bg_mode_name(unsigned int mode);
/* A scope's mode: bg_mode_name(), or "inherit" (BG_MODE_INHERIT). */
const char *bg_scope_mode_name(unsigned int m);
const char *bg_hook_name(unsigned int hook);
const char *bg_decision_name(unsigned int dec);
const char *bg_reason_name(unsigned int reason);
/* Did the kernel measure the file for this reason (the digest is real)? */
bool bg_reason_measured(unsigned int reason);

/* The number for a name, or -EINVAL. */
int bg_class_parse(const char *s);
int bg_mode_parse(const char *s);

/* "exec, mmap, module, firmware, kexec": for messages naming the choices. */
#define BG_CLASS_CHOICES	"exec, mmap, module, firmware, kexec"

#endif
