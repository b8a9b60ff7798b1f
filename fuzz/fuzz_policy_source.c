// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy source parser. An accepted source must
 * satisfy what compile relies on: a version >= 1, valid modes, digests
 * listed once, non-empty reasons; a rejected one names "fuzz:LINE: ".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_src *src;
	char err[512];
	size_t i, j;
	int h;

	err[0] = '\0';
	src = policy_src__parse_mem((const char *)data, size, "fuzz", "/base",
				    err, sizeof(err));
	if (!src) {
		if (strncmp(err, "fuzz:", 5))
			abort();
		return 0;
	}
	if (src->version < 1)
		abort();
	for (h = 0; h < BG_CLASS_MAX; h++)
		if (src->modes[h] < BG_MODE_OFF ||
		    src->modes[h] > BG_MODE_ENFORCE)
			abort();
	for (i = 0; i < src->nr_sboms; i++)
		if (!src->sboms[i].path[0] || !src->sboms[i].line)
			abort();
	for (i = 0; i < src->nr_rules; i++) {
		if (!src->rules[i].reason[0])
			abort();
		for (j = 0; j < i; j++)
			if (!memcmp(src->rules[i].sha256, src->rules[j].sha256, 32))
				abort();
	}
	policy_src__free(src);
	return 0;
}
