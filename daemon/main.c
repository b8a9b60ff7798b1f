// SPDX-License-Identifier: GPL-2.0
/*
 * bomgated: verify a signed policy, load it into the kernel and report
 * every decision. This file is the entry point; each phase is a helper.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "kcheck.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bomgated --check [--json]\n"
		"       bomgated [OPTIONS]\n\n"
		"  --check        check that this kernel can run bomgate and exit\n"
		"                 (0: it can; 1: a requirement is missing)\n"
		"  --json         with --check: machine-readable output\n"
		"  -v, --verbose  debug logging (includes libbpf's messages)\n"
		"  -h, --help     this text\n"
		"  -V, --version  print the version\n");
}

static int run_check(int json)
{
	struct kcheck_report r;
	int missing = kcheck_run(&r);

	if (json)
		kcheck_print_json(&r, stdout);
	else
		kcheck_print(&r, stdout);
	return missing ? BG_EXIT_FAIL : BG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, check = 0, json = 0;

	log_init("bomgated", 0);
	log_setup_libbpf();
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			check = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return BG_EXIT_OK;
		case 'V':
			printf("bomgated %s\n", BOMGATE_VERSION);
			return BG_EXIT_OK;
		default:
			usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bomgated: unexpected argument '%s'\n", argv[optind]);
		return BG_EXIT_USAGE;
	}
	if (check)
		return run_check(json);
	usage(stderr);
	return BG_EXIT_USAGE;
}
