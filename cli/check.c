// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate hash: sha256sum-compatible digests.
 * bomgate check: would a policy allow these files, and why.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "json.h"
#include "log.h"
#include "text.h"
#include "policy.h"
#include "sha256.h"
#include "sign.h"

/* sha256sum escapes '\\' and '\n' in names and then starts the line with
 * a backslash; do the same so 'sha256sum -c' reads our output. */
static void print_sum(const char *hex, const char *name)
{
	const char *s;
	int esc = !!strpbrk(name, "\\\n");

	printf("%s%s  ", esc ? "\\" : "", hex);
	for (s = name; *s; s++) {
		if (esc && *s == '\\')
			fputs("\\\\", stdout);
		else if (esc && *s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
	putchar('\n');
}

static int hash_one(const char *path, __u8 d[32])
{
	if (!strcmp(path, "-"))
		return sha256_fd(STDIN_FILENO, d);
	return sha256_file(path, d);
}

static void hash_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate hash FILE...\n"
"\n"
"Print the SHA-256 of each FILE ('-' is stdin) as sha256sum(1) does: the\n"
"digests the kernel measures and a policy lists.\n"
"  -h, --help   this help\n"
"Exit: 0 all hashed, 2 usage, 5 a file could not be read.\n");
}

int do_hash(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char hex[65];
	__u8 d[32];
	int ch, i, err, ret = BG_EXIT_OK;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			hash_usage(stdout);
			return BG_EXIT_OK;
		}
		hash_usage(stderr);
		return BG_EXIT_USAGE;
	}
	if (optind >= argc) {
		hash_usage(stderr);
		return BG_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		err = hash_one(argv[i], d);
		if (err) {
			pr_err("%s: %s", argv[i], strerror(-err));
			ret = BG_EXIT_IO;
			continue;
		}
		sha256_hex(d, hex);
		print_sum(hex, argv[i]);
	}
	if (fflush(stdout))
		ret = BG_EXIT_IO;
	return ret;
}

/* --- check --------------------------------------------------------------- */

static void check_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate check --policy POLICY.bgp [--trust CERT [--sig SIG]...]\n"
"                     [--json] [--sha256 HEX]... [PATH|DIR]...\n"
"\n"
"Would POLICY allow each file, and why: the component and SBOM that list\n"
"its SHA-256, or the block line that denies it. A DIR is checked file by\n"
"file (every regular file below it; links are not followed). A file not\n"
"in the policy whose path the policy lists with another digest is said\n"
"to have changed since its SBOM was made.\n"
"  -d, --sha256 HEX     explain a digest (from an event) without the file\n"
"  -p, --policy FILE    the compiled policy\n"
"  -t, --trust CERT     verify the policy's signature first (repeatable)\n"
"  -s, --sig FILE       signature files (default POLICY.bgp.sig)\n"
"  -m, --min-signers N  distinct signers required (needs --trust)\n"
"  -j, --json           one JSON object per file, one per line\n"
"  -h, --help           this help\n"
"Exit: 0 every file allowed, 1 any file not allowed, 2 usage (also: --sig\n"
"or --min-signers without --trust), 3 bad policy, 4 signature did not\n"
"verify, 5 a file or the policy could not be read.\n");
}

static void check_json(const char *path, const char *hex, const char *verdict,
		       const struct policy *p, const struct policy_entry *e,
		       const char *listed_with)
{
	const struct policy_component *c = e ? policy__component(p, e->component) : NULL;
	const struct policy_source *s = c ? policy__source(p, c->source) : NULL;

	struct json_writer w;

	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.check/1");
	json_kv_string(&w, "path", path);
	json_kv_string(&w, "sha256", hex);
	json_kv_string(&w, "verdict", verdict);
	if (c) {
		json_kv_string(&w, "component", c->name);
		json_kv_string(&w, "version", c->version);
		json_kv_string(&w, "purl", c->purl);
		json_kv_string(&w, "sbom", s ? s->name : "(policy source)");
		if (*c->reason)
			json_kv_string(&w, "reason", c->reason);
		json_kv_u64(&w, "line", c->line);
	}
	if (listed_with)
		json_kv_string(&w, "path_listed_with", listed_with);
	json_end(&w);
	putchar('\n');
}

static void check_text(const char *path, const char *hex, const char *verdict,
		       const struct policy *p, const struct policy_entry *e)
{
	const struct policy_component *c = e ? policy__component(p, e->component) : NULL;
	const struct policy_source *s = c ? policy__source(p, c->source) : NULL;

	text_fput(stdout, path);
	printf(": %s", verdict);
	if (!e) {
		printf(": sha256 %s is in no SBOM of the policy\n", hex);
		return;
	}
	if (!c) {
		printf("\n");
		return;
	}
	if (c->source == POLICY_SRC_POLICY) {
		printf(": policy source line %u: ", c->line);
		text_fput(stdout, c->reason);
		putchar('\n');
		return;
	}
	printf(": ");
	print_component_id(c);
	printf(" in ");
	text_fput(stdout, s ? s->name : "?");
	if (c->line)
		printf(":%u", c->line);
	if (e->flags & POLICY_F_SHARED)
		printf(" (and other components)");
	printf("\n");
}

int policy_open_exit(const struct policy_open_result *r, int err)
{
	if (err == ENOMEM)
		return BG_EXIT_INTERNAL;
	switch (r->step) {
	case POLICY_STEP_READ:
		return err == EFBIG || err == EINVAL ? BG_EXIT_INPUT : BG_EXIT_IO;
	case POLICY_STEP_VERIFY:
		return err == EKEYREJECTED ? BG_EXIT_VERIFY : BG_EXIT_IO;
	default:
		return BG_EXIT_INPUT;
	}
}

#define MAX_DIGESTS	64

struct check_opts {
	const char *policy;
	const char *trust[SIGN_MAX_SIGNERS], *sigs[SIGN_MAX_SIGNERS];
	int ntrust, nsigs, min, json, ndigests;
	__u8 digests[MAX_DIGESTS][32];
};

/* The entry that lists @path under another digest, if the policy has
 * one: the file changed since its SBOM was made (a stale SBOM). SBOMs of
 * installed files name components by path (bomgate sbom scan does). */
static const struct policy_entry *same_path(const struct policy *p,
					    const char *path)
{
	const struct policy_component *c;
	const struct policy_entry *e;
	char abs[PATH_MAX];
	__u32 i;

	if (!path || !realpath(path, abs))
		return NULL;
	for (i = 0; i < policy__nr_entries(p); i++) {
		e = policy__entry(p, i);
		c = policy__component(p, e->component);
		if (c && c->source != POLICY_SRC_POLICY &&
		    (!strcmp(c->name, path) || !strcmp(c->name, abs)) &&
		    !(e->flags & POLICY_F_BLOCK))
			return e;
	}
	return NULL;
}

/* One verdict: of the file @path, or of a digest alone (@path NULL). */
static int check_one(const struct policy *p, const struct check_opts *o,
		     const char *path, const __u8 d[32])
{
	const struct policy_entry *e = policy__lookup(p, d), *old = NULL;
	const char *verdict;
	char hex[65], oldhex[65];

	sha256_hex(d, hex);
	verdict = !e ? "not allowed" :
		  e->flags & POLICY_F_BLOCK ? "blocked" : "allowed";
	if (!e)
		old = same_path(p, path);
	if (old)
		sha256_hex(old->sha256, oldhex);
	if (o->json) {
		check_json(path ? path : "", hex, verdict, p, e,
			   old ? oldhex : NULL);
	} else {
		check_text(path ? path : hex, hex, verdict, p, e);
		if (old) {
			printf("  the policy lists this path with sha256 %s (",
			       oldhex);
			print_component_id(policy__component(p, old->component));
			printf("): the file changed since its SBOM was made\n");
		}
	}
	return !e || (e->flags & POLICY_F_BLOCK) ? BG_EXIT_FAIL : BG_EXIT_OK;
}

static const struct policy *walk_policy;
static const struct check_opts *walk_opts;
static int walk_ret;

static void merge_ret(int *ret, int r)
{
	/* an I/O error outranks "not allowed", which outranks ok */
	if (r == BG_EXIT_IO || (r == BG_EXIT_FAIL && *ret == BG_EXIT_OK))
		*ret = r;
}

static int check_path(const char *path)
{
	__u8 d[32];
	int err;

	err = sha256_file(path, d);
	if (err) {
		pr_err("%s: %s", path, strerror(-err));
		return BG_EXIT_IO;
	}
	return check_one(walk_policy, walk_opts, path, d);
}

static int walk_fn(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	if (type == FTW_DNR || type == FTW_NS) {
		pr_err("%s: cannot read", path);
		merge_ret(&walk_ret, BG_EXIT_IO);
	} else if (type == FTW_F && S_ISREG(st->st_mode)) {
		merge_ret(&walk_ret, check_path(path));
	}
	return 0;	/* symlinks, devices: not files that run */
}

/* Files, directories (every regular file below, links not followed) and
 * --sha256 digests. */
static int check_files(const struct policy *p, const struct check_opts *o,
		       char **paths, int n)
{
	struct stat st;
	int i, ret = BG_EXIT_OK;

	walk_policy = p;
	walk_opts = o;
	for (i = 0; i < o->ndigests; i++)
		merge_ret(&ret, check_one(p, o, NULL, o->digests[i]));
	for (i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") && !stat(paths[i], &st) &&
		    S_ISDIR(st.st_mode)) {
			walk_ret = BG_EXIT_OK;
			if (nftw(paths[i], walk_fn, 16, FTW_PHYS))
				merge_ret(&walk_ret, BG_EXIT_IO);
			merge_ret(&ret, walk_ret);
			continue;
		}
		merge_ret(&ret, check_path(paths[i]));
	}
	return ret;
}

int do_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "trust", required_argument, NULL, 't' },
		{ "sig", required_argument, NULL, 's' },
		{ "min-signers", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "sha256", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct check_opts o = { .min = 1 };
	struct policy_open_result r;
	struct policy_trust t;
	struct policy *p;
	char *end;
	int ch, ret, has_min = 0;

	while ((ch = getopt_long(argc, argv, "p:t:s:m:jd:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			o.policy = optarg;
			break;
		case 't':
			if (o.ntrust >= SIGN_MAX_SIGNERS)
				return BG_EXIT_USAGE;
			o.trust[o.ntrust++] = optarg;
			break;
		case 's':
			if (o.nsigs >= SIGN_MAX_SIGNERS)
				return BG_EXIT_USAGE;
			o.sigs[o.nsigs++] = optarg;
			break;
		case 'm':
			o.min = strtol(optarg, &end, 10);
			if (*end || o.min < 1 || o.min > SIGN_MAX_SIGNERS) {
				pr_err("check: --min-signers must be 1..%d",
				       SIGN_MAX_SIGNERS);
				return BG_EXIT_USAGE;
			}
			has_min = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'd':
			if (o.ndigests >= MAX_DIGESTS ||
			    sha256_parse_hex(optarg, strlen(optarg),
					     o.digests[o.ndigests])) {
				pr_err("check: --sha256 takes 64 hex digits (at most %d times)",
				       MAX_DIGESTS);
				return BG_EXIT_USAGE;
			}
			o.ndigests++;
			break;
		case 'h':
			check_usage(stdout);
			return BG_EXIT_OK;
		default:
			check_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	/* --sig or --min-signers without --trust would check nothing:
	 * the policy would be used unverified */
	if ((o.nsigs || has_min) && !o.ntrust) {
		pr_err("check: --%s needs --trust CERT (nothing would be verified)",
		       o.nsigs ? "sig" : "min-signers");
		return BG_EXIT_USAGE;
	}
	if (!o.policy || (optind >= argc && !o.ndigests)) {
		check_usage(stderr);
		return BG_EXIT_USAGE;
	}
	t = (struct policy_trust){
		.trust = o.trust, .nr_trust = o.ntrust,
		.sigs = o.sigs, .nr_sigs = o.nsigs, .min_signers = o.min,
	};
	p = policy__open_verified(o.policy, &t, &r);
	if (!p) {
		ret = errno;
		if (r.step == POLICY_STEP_VERIFY)
			pr_err("%s: %s", o.policy, r.err);
		else
			pr_err("%s", r.err);
		return policy_open_exit(&r, ret);
	}
	ret = check_files(p, &o, argv + optind, argc - optind);
	policy__free(p);
	return ret;
}
