/* SPDX-License-Identifier: GPL-2.0 */
/* Can this kernel run bomgate? One result per requirement, with a fix. */
#ifndef BOMGATE_KCHECK_H
#define BOMGATE_KCHECK_H

#include <stdio.h>

enum kcheck_status {
	KCHECK_OK,
	KCHECK_WARN,		/* works, with a limitation */
	KCHECK_MISSING,		/* enforcement cannot run */
};

struct kcheck_item {
	const char *name;
	enum kcheck_status status;
	char detail[384];
	char fix[512];
};

#define KCHECK_MAX 16
#define KCHECK_SEAL_MAX 8

struct kcheck_report {
	char release[128];
	int n;
	struct kcheck_item item[KCHECK_MAX];
	/* What a sealed system relies on (docs/sealing.md): never MISSING,
	 * enforcement runs without them; each WARN is a way around a seal
	 * for root. */
	int nr_seal;
	struct kcheck_item seal[KCHECK_SEAL_MAX];
};

/* Run every check; returns the number of MISSING items. @pin_dir (NULL:
 * the default) is where a running bomgate would be pinned: a sealed one
 * explains a refused probe. */
int kcheck_run(struct kcheck_report *r, const char *pin_dir);
void kcheck_print(const struct kcheck_report *r, FILE *f);
void kcheck_print_json(const struct kcheck_report *r, FILE *f);
const char *kcheck_status_name(enum kcheck_status s);

#endif
