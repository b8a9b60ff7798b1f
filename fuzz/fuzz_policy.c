// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the compiled policy loader. Each input is loaded
 * as is (the checksum rejects almost everything) and again with its
 * checksum recomputed, so the structural checks behind it are reached.
 * A loaded policy must be self-consistent: every entry found by lookup,
 * every reference inside its tables.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "sha256.h"

static void walk(const struct policy *p)
{
	const struct policy_component *c;
	const struct policy_source *s;
	const struct policy_entry *e;
	__u32 i;
	int h;

	(void)strlen(policy__name(p));
	for (h = 0; h < BG_CLASS_MAX; h++)
		if (policy__mode(p, h) > BG_MODE_ENFORCE)
			abort();
	for (i = 0; i < policy__nr_sources(p); i++) {
		s = policy__source(p, i);
		(void)strlen(s->name);
	}
	for (i = 0; i < policy__nr_components(p); i++) {
		c = policy__component(p, i);
		(void)(strlen(c->name) + strlen(c->version) + strlen(c->purl) +
		       strlen(c->supplier) + strlen(c->reason));
		if (c->source != POLICY_SRC_POLICY && !policy__source(p, c->source))
			abort();
	}
	for (i = 0; i < policy__nr_entries(p); i++) {
		e = policy__entry(p, i);
		if (policy__lookup(p, e->sha256) != e)
			abort();
		if (!(e->flags & POLICY_F_ALLOW) == !(e->flags & POLICY_F_BLOCK))
			abort();
		if (e->component != POLICY_NO_COMPONENT &&
		    !policy__component(p, e->component))
			abort();
	}
	if (policy__nr_allowed(p) + policy__nr_blocked(p) != policy__nr_entries(p))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p;
	struct bgp_header *h;
	uint8_t *copy;
	char err[256];

	p = policy__from_mem(data, size, err, sizeof(err));
	if (p) {
		walk(p);
		policy__free(p);
	} else if (!err[0]) {
		abort();	/* every rejection says why */
	}
	if (size < sizeof(*h))
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	h = (struct bgp_header *)copy;
	/* make the header plausible so the deeper checks run too */
	memcpy(h->magic, BGP_MAGIC, BGP_MAGIC_LEN);
	h->file_size = htole64(size);
	memset(h->checksum, 0, sizeof(h->checksum));
	sha256_buf(copy, size, h->checksum);
	p = policy__from_mem(copy, size, err, sizeof(err));
	if (p) {
		walk(p);
		policy__free(p);
	}
	free(copy);
	return 0;
}
