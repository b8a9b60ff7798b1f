// SPDX-License-Identifier: GPL-2.0
/* bomgate doctor: can this kernel run bomgate, and if not, what to change. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "kcheck.h"

static void doctor_usage(FILE *f)
{
	fprintf(f,
		"Usage: bomgate doctor [--json]\n\n"
		"Check every kernel requirement of bomgate (BPF LSM active, BTF,\n"
		"IMA, BPF trampolines, map types, privileges, bpffs) and print\n"
		"ok/warn/missing for each with what to change. Loads probe\n"
		"programs but never attaches them.\n\n"
		"Exit: 0 this kernel can enforce, 1 a requirement is missing, 2 usage.\n");
}

int do_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kcheck_report r;
	int c, json = 0, missing;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			doctor_usage(stdout);
			return BG_EXIT_OK;
		default:
			doctor_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bomgate doctor: unexpected argument '%s'\n",
			argv[optind]);
		return BG_EXIT_USAGE;
	}
	missing = kcheck_run(&r, NULL);
	if (json)
		kcheck_print_json(&r, stdout);
	else
		kcheck_print(&r, stdout);
	return missing ? BG_EXIT_FAIL : BG_EXIT_OK;
}
