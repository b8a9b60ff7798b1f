// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the deb822 parser and the apt Release and Packages
 * parsers on top of it (what a mirror serves). An accepted Release has
 * index entries with a path; an accepted Packages index has every field
 * apt needs and is sorted; a refusal names "fuzz:LINE: " (or "fuzz: ").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apt.h"

static void refused(const char *err)
{
	if (strncmp(err, "fuzz:", 5))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apt_packages pk;
	struct apt_release r;
	char err[1024];
	size_t i;

	err[0] = '\0';
	if (apt_release_parse((const char *)data, size, "fuzz", &r, err,
			      sizeof(err))) {
		refused(err);
	} else {
		for (i = 0; i < r.n; i++)
			if (!r.idx[i].path[0] || !r.idx[i].line)
				abort();
		apt_release_free(&r);
	}
	err[0] = '\0';
	if (apt_packages_parse((const char *)data, size, "fuzz", &pk, err,
			       sizeof(err))) {
		refused(err);
		return 0;
	}
	for (i = 0; i < pk.n; i++) {
		if (!pk.p[i].name[0] || !pk.p[i].version[0] ||
		    !pk.p[i].arch[0] || !pk.p[i].filename[0] || !pk.p[i].line)
			abort();
		if (i && strcmp(pk.p[i - 1].name, pk.p[i].name) > 0)
			abort();
		if (apt_packages_find(&pk, pk.p[i].name, pk.p[i].version,
				      pk.p[i].arch) == NULL)
			abort();
	}
	apt_packages_free(&pk);
	return 0;
}
