/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of struct engine, for lib/engine*.c only. */
#ifndef BOMGATE_ENGINE_PRIV_H
#define BOMGATE_ENGINE_PRIV_H

#include "engine.h"
#include "bomgate.skel.h"

struct engine {
	struct bomgate_bpf *skel;
	struct ring_buffer *rb;
	engine_event_fn event_fn;
	void *event_ctx;
	char left_out[256];
};

/* Leave out programs whose hook the running kernel lacks (engine.c). */
void engine_probe_hooks(struct engine *e);

#endif
