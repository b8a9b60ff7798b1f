/* SPDX-License-Identifier: GPL-2.0 */
/* bomgate report's records, shared by the text/JSON and HTML writers. */
#ifndef BOMGATE_CLI_REPORT_H
#define BOMGATE_CLI_REPORT_H

#include <stdio.h>
#include <linux/types.h>

#define MAX_PROCS	4
#define HASH_BITS	12
#define MAX_HOURS	(31 * 24)	/* timeline buckets */

/* The classes a report answers for, and the writers of running files. */
enum rclass { RC_EXEC, RC_MMAP, RC_MODULE, RC_FIRMWARE, RC_KEXEC,
	      RC_WRITERS, RC_MAX };

extern const char *const rclass_name[RC_MAX];

struct rec {
	struct rec *next;		/* hash chain */
	struct rec *all;		/* every record, in first-seen order */
	char sha[65];			/* "" when not measured */
	char *path;
	int rclass;
	unsigned int reasons;		/* bit per BG_REASON_* */
	unsigned int hooks;		/* bit per BG_HOOK_* */
	int enforced;			/* denied, not only would-deny */
	__u64 count;
	char first[32], last[32];
	int nprocs;
	char *procs[MAX_PROCS];		/* "comm (parent exe)" */
	char *sbom_note;		/* what the --sbom documents say, or NULL */
};

struct report {
	struct rec *tab[1 << HASH_BITS];
	struct rec *head, **tail;
	__u64 lines, events, skipped, allowed, tampers, drops;
	char first[32], last[32];
	/* allowed digests seen (for coverage): a record list of their own */
	struct rec *ran_tab[1 << HASH_BITS];
	__u64 nr_ran;
	__u64 kernel_entries, kernel_full;	/* --kernel */
	/* refused uses per hour ("YYYY-MM-DDTHH"), in the order first seen */
	char hour[MAX_HOURS][14];
	__u64 hour_uses[MAX_HOURS];
	int nhours, last_hour;
	__u64 hours_lost;		/* beyond MAX_HOURS buckets */
};

struct summary {
	__u64 files[RC_MAX], uses[RC_MAX], against_files[RC_MAX];
	__u64 newly_allowed;
};

struct policy;

void summarise(const struct report *rp, const struct policy *next,
	       struct summary *s);
void reasons_text(unsigned int bits, char *buf, size_t len);
const char *advice(const struct rec *r);
/* What @p says about @sha: 1 allowed, -1 blocked, 0 not listed. */
int report_verdict(const struct policy *p, const char *sha);
/* Reasons a policy decides (the others are about the file's state). */
#define POLICY_REASONS ((1U << BG_REASON_UNKNOWN) | (1U << BG_REASON_BLOCKED) | \
			(1U << BG_REASON_NO_POLICY))

/* The report as one self-contained HTML page (no script, no request
 * leaves it) into @f (cli/report_html.c). */
void report_html(FILE *f, const struct report *rp, const struct policy *next,
		 const char *next_path);

#endif
