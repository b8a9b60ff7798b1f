/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOMGATE_EXITCODE_H
#define BOMGATE_EXITCODE_H

/*
 * Exit codes of bomgate and bomgated, documented in docs/man/bomgate.1.md.
 * Only command handlers and main() turn -errno values into these.
 */
enum bg_exit {
	BG_EXIT_OK = 0,		/* success; every file checked is allowed */
	BG_EXIT_FAIL = 1,	/* the answer is "no": a file not allowed, a
				 * kernel requirement missing, a diff found */
	BG_EXIT_USAGE = 2,	/* bad command line */
	BG_EXIT_INPUT = 3,	/* malformed input: SBOM, policy source, .bgp */
	BG_EXIT_VERIFY = 4,	/* signature verification failed */
	BG_EXIT_REFUSED = 4,	/* bomgated refused a control request (same
				 * number: "not accepted") */
	BG_EXIT_IO = 5,		/* cannot read or write a file */
	BG_EXIT_KERNEL = 6,	/* kernel refused: BPF load/attach/map update */
	BG_EXIT_INTERNAL = 7,	/* out of memory, bug */
	BG_EXIT_RESTART = 8,	/* bomgated: a reload sealed the system and
				 * this daemon must start again to be marked
				 * (systemd restarts it; enforcement stays) */
};

#endif
