/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enforcement that outlives bomgated: the engine's maps and program links
 * pinned in bpffs (default /sys/fs/bpf/bomgate). A pinned link keeps its
 * program attached after every file descriptor is closed, so a daemon that
 * crashes or is killed leaves the policy and modes in force. A restarted
 * daemon reuses the pinned maps and links instead of attaching anew (no
 * gap). Only engine_pin_remove() (bomgate disable) ends it.
 */
#ifndef BOMGATE_ENGINE_PIN_H
#define BOMGATE_ENGINE_PIN_H

#include <stddef.h>
#include "engine.h"

/*
 * Open the engine with its maps pinned in @dir (created 0700 if missing).
 * When programs are already pinned there (*@resumed = 1), no program is
 * loaded: the pinned maps and links are reused and the configuration in
 * force (modes) is left untouched. Otherwise (*@resumed = 0) the programs
 * are loaded with every mode off, the maps pinned; the caller then calls
 * engine__attach() and engine__pin_links(). NULL + errno on failure.
 */
struct engine *engine__open_pinned(const struct engine_opts *opts,
				   const char *dir, int *resumed, char *err,
				   size_t errlen);
/* Pin every attached link in @dir (after engine__attach()). */
int engine__pin_links(struct engine *e, const char *dir, char *err,
		      size_t errlen);
/* Number of pinned program links in @dir (0 when none, -errno). */
int engine_pin_count(const char *dir);
/*
 * Remove every pin in @dir and @dir itself. Programs stay attached only as
 * long as some process still holds their link (the caller's engine): set
 * the modes off first, then destroy the engine.
 */
int engine_pin_remove(const char *dir);

#endif
