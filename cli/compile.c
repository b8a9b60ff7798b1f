// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate compile: SBOMs (+ an optional policy source) -> POLICY.bgp,
 * with a report of what was read and what could not be used.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "policy.h"
#include "policy_source.h"
#include "sbom.h"
#include "sha256.h"

#define MAX_PROBLEMS_SHOWN	10

struct doc_report {
	const char *path;
	struct sbom_stats st;
};

struct compile_ctx {
	struct policy_builder *b;
	__u32 source;
	const char *path;
	unsigned long problems_shown;
	int verbose;
	int err;
	/* totals */
	unsigned long docs, components, file_digests, package_digests,
		      no_file_digest, weak_only, problems;
};

static void compile_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate compile [OPTIONS] [SBOM...] -o POLICY.bgp\n"
"\n"
"Read SBOMs (CycloneDX JSON/XML, SPDX JSON/tag-value) and write a compiled\n"
"policy allowing the file-level SHA-256 digests they list.\n"
"\n"
"  -s, --source FILE        policy source: version, modes, SBOMs, extra\n"
"                           allow/block digests (see bomgate-compile(1))\n"
"  -f, --format F           SBOM format for the SBOMs on the command line:\n"
"                           auto (default), cyclonedx-json, cyclonedx-xml,\n"
"                           spdx-json, spdx-tv\n"
"      --strict             any problem in an SBOM is an error\n"
"      --policy-version N   policy version when there is no --source\n"
"                           (default: the creation time in seconds)\n"
"      --name NAME          policy name when there is no --source\n"
"  -o, --output FILE        the compiled policy (written atomically)\n"
"      --json               report as JSON on stdout\n"
"  -v, --verbose            show every SBOM problem, not the first %d\n"
"  -h, --help               this help\n"
"\n"
"SOURCE_DATE_EPOCH, when set, is used as the creation time.\n"
"Exit: 0 written, 2 usage, 3 bad SBOM or policy source (nothing written),\n"
"5 I/O error.\n", MAX_PROBLEMS_SHOWN);
}

static __u32 bgp_format(enum sbom_format f)
{
	switch (f) {
	case SBOM_FMT_CDX_JSON: return BGP_FMT_CDX_JSON;
	case SBOM_FMT_CDX_XML: return BGP_FMT_CDX_XML;
	case SBOM_FMT_SPDX_JSON: return BGP_FMT_SPDX_JSON;
	case SBOM_FMT_SPDX_TV: return BGP_FMT_SPDX_TV;
	default: return BGP_FMT_UNKNOWN;
	}
}

static int on_digest(void *arg, const struct sbom_digest *d)
{
	struct compile_ctx *c = arg;
	struct policy_component pc = {
		.name = d->comp ? d->comp->name : NULL,
		.version = d->comp ? d->comp->version : NULL,
		.purl = d->comp ? d->comp->purl : NULL,
		.supplier = d->comp ? d->comp->supplier : NULL,
		.source = c->source,
		.line = d->line > 0xffffffffUL ? 0 : d->line,
	};
	int idx;

	if (!d->file_level)
		return 0;	/* archives, not installed files: not allowed */
	idx = policy_builder__add_component(c->b, &pc);
	if (idx < 0)
		return idx;
	return policy_builder__add_digest(c->b, d->sha256, POLICY_F_ALLOW, idx);
}

static void on_problem(void *arg, const struct sbom_problem *p)
{
	struct compile_ctx *c = arg;

	if (!c->verbose && c->problems_shown++ >= MAX_PROBLEMS_SHOWN)
		return;
	pr_warn("%s:%lu: %s%s%s", p->path ? p->path : c->path, p->line,
		p->field ? p->field : "", p->field ? ": " : "", p->msg);
}

static int read_sbom(struct compile_ctx *c, const char *path,
		     enum sbom_format fmt, struct doc_report *rep)
{
	static const __u8 zero[32];
	const struct sbom_ops ops = { on_digest, on_problem };
	char err[512];
	int ret;

	ret = policy_builder__add_source(c->b, zero, path, BGP_FMT_UNKNOWN);
	if (ret < 0)
		return ret;
	c->source = ret;
	c->path = path;
	c->problems_shown = 0;
	memset(&rep->st, 0, sizeof(rep->st));
	rep->path = path;
	ret = sbom_read(path, fmt, &ops, c, &rep->st, err, sizeof(err));
	if (ret) {
		if (ret == -ENOMEM)
			pr_err("%s: out of memory", path);
		else
			pr_err("%s", err[0] ? err : strerror(-ret));
		return ret;
	}
	if (c->problems_shown > MAX_PROBLEMS_SHOWN)
		pr_warn("%s: %lu more problems not shown (use --verbose)", path,
			c->problems_shown - MAX_PROBLEMS_SHOWN);
	if (!rep->st.file_digests && rep->st.weak_hash_only)
		pr_warn("%s: only weak hashes (no SHA-256) for %lu components: nothing allowed from them",
			path, rep->st.weak_hash_only);
	c->docs++;
	c->components += rep->st.components;
	c->file_digests += rep->st.file_digests;
	c->package_digests += rep->st.package_digests;
	c->no_file_digest += rep->st.components_without_file_digest;
	c->weak_only += rep->st.weak_hash_only;
	c->problems += rep->st.problems;
	return policy_builder__update_source(c->b, c->source,
					     rep->st.doc_sha256,
					     bgp_format(rep->st.format),
					     rep->st.file_digests);
}

static int add_rules(struct compile_ctx *c, const struct policy_src *src)
{
	struct policy_component pc = { .source = POLICY_SRC_POLICY };
	size_t i;
	int idx, ret;

	for (i = 0; i < src->nr_rules; i++) {
		pc.reason = src->rules[i].reason;
		pc.line = src->rules[i].line;
		idx = policy_builder__add_component(c->b, &pc);
		if (idx < 0)
			return idx;
		ret = policy_builder__add_digest(c->b, src->rules[i].sha256,
						 src->rules[i].flags |
						 POLICY_F_EXTRA, idx);
		if (ret)
			return ret;
	}
	return 0;
}

static void print_report(const struct compile_ctx *c, const char *out,
			 const struct policy_build_stats *st,
			 const struct doc_report *reps, int nr, int json)
{
	int i;

	if (json) {
		printf("{\"output\":");
		policy_json_string(stdout, out);
		printf(",\"documents\":%lu,\"components\":%lu,"
		       "\"file_digests\":%lu,\"distinct_digests\":%u,"
		       "\"allowed\":%u,\"blocked\":%u,"
		       "\"components_without_file_digest\":%lu,"
		       "\"package_level_digests\":%lu,\"weak_hash_only\":%lu,"
		       "\"conflicts\":%u,\"shared_digests\":%u,\"problems\":%lu,"
		       "\"sources\":[",
		       c->docs, c->components, c->file_digests, st->distinct,
		       st->allowed, st->blocked, c->no_file_digest,
		       c->package_digests, c->weak_only, st->conflicts,
		       st->shared, c->problems);
		for (i = 0; i < nr; i++) {
			printf("%s{\"path\":", i ? "," : "");
			policy_json_string(stdout, reps[i].path);
			printf(",\"format\":\"%s\",\"spec_version\":",
			       sbom_format_name(reps[i].st.format));
			policy_json_string(stdout, reps[i].st.spec_version);
			printf(",\"components\":%lu,\"file_digests\":%lu,"
			       "\"problems\":%lu}", reps[i].st.components,
			       reps[i].st.file_digests, reps[i].st.problems);
		}
		printf("]}\n");
		return;
	}
	printf("compiled %s\n", out);
	for (i = 0; i < nr; i++)
		printf("  %-44s %s %s: %lu components, %lu file digests, %lu problems\n",
		       reps[i].path, sbom_format_name(reps[i].st.format),
		       reps[i].st.spec_version, reps[i].st.components,
		       reps[i].st.file_digests, reps[i].st.problems);
	printf("documents read                  %lu\n", c->docs);
	printf("components                      %lu\n", c->components);
	printf("file digests                    %lu (before de-duplication)\n",
	       c->file_digests);
	printf("distinct digests                %u (%u allowed, %u blocked)\n",
	       st->distinct, st->allowed, st->blocked);
	printf("components without file digest  %lu (cannot run under enforce)\n",
	       c->no_file_digest);
	printf("package-level digests           %lu (not allowed: they hash archives)\n",
	       c->package_digests);
	printf("weak-hash only                  %lu (no SHA-256: not allowed)\n",
	       c->weak_only);
	printf("conflicts                       %u (allowed and blocked: blocked wins)\n",
	       st->conflicts);
	printf("shared digests                  %u (same file in several components)\n",
	       st->shared);
	printf("problems                        %lu\n", c->problems);
}

struct compile_opts {
	const char *source, *out, *name;
	enum sbom_format fmt;
	int strict, json, has_version;
	__u64 version;
};

static int apply_source(struct compile_ctx *c, const struct compile_opts *o,
			const struct policy_src *src)
{
	int i, ret;

	if (!src) {
		policy_builder__set_version(c->b, o->version);
		return policy_builder__set_name(c->b, o->name);
	}
	policy_builder__set_version(c->b, src->version);
	for (i = 0; i < BG_CLASS_MAX; i++)
		policy_builder__set_mode(c->b, i, src->modes[i]);
	policy_builder__set_allow_unmeasured_modules(c->b,
					src->allow_unmeasured_modules);
	policy_builder__set_trust_fuse(c->b, src->trust_fuse);
	ret = policy_builder__set_name(c->b, src->name);
	return ret ? ret : add_rules(c, src);
}

static int compile_run(struct compile_opts *o, char **sboms, int nr)
{
	struct compile_ctx c = { .verbose = log_get_level() >= LOG_LVL_DEBUG };
	struct policy_build_stats st;
	struct policy_src *src = NULL;
	struct doc_report *reps = NULL;
	char err[512];
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	int i, n = 0, total, ret = BG_EXIT_INPUT;

	if (o->source) {
		src = policy_src__parse(o->source, err, sizeof(err));
		if (!src) {
			pr_err("%s", err);
			return errno == ENOENT || errno == EACCES ? BG_EXIT_IO :
			       BG_EXIT_INPUT;
		}
	}
	total = nr + (src ? (int)src->nr_sboms : 0);
	if (!total) {
		pr_err("compile: no SBOM given (on the command line or as 'sbom' lines in --source)");
		ret = BG_EXIT_USAGE;
		goto out;
	}
	c.b = policy_builder__new();
	reps = calloc(total, sizeof(*reps));
	if (!c.b || !reps) {
		ret = BG_EXIT_INTERNAL;
		goto out;
	}
	policy_builder__set_created(c.b, epoch ? strtoull(epoch, NULL, 10) :
				    (__u64)time(NULL));
	if (apply_source(&c, o, src)) {
		ret = BG_EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < total; i++, n++) {
		if (src && i < (int)src->nr_sboms)
			ret = read_sbom(&c, src->sboms[i].path,
					src->sboms[i].format, &reps[n]);
		else
			ret = read_sbom(&c, sboms[i - (total - nr)], o->fmt,
					&reps[n]);
		if (ret) {
			ret = ret == -EINVAL ? BG_EXIT_INPUT :
			      ret == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
			goto out;
		}
	}
	ret = BG_EXIT_INPUT;
	if (o->strict && c.problems) {
		pr_err("compile: %lu problems in the SBOMs and --strict: nothing written",
		       c.problems);
		goto out;
	}
	ret = policy_builder__write(c.b, o->out, &st);
	if (ret) {
		pr_err("%s: cannot write: %s", o->out, strerror(-ret));
		ret = ret == -ENOMEM ? BG_EXIT_INTERNAL :
		      ret == -EFBIG || ret == -E2BIG ? BG_EXIT_INPUT : BG_EXIT_IO;
		goto out;
	}
	print_report(&c, o->out, &st, reps, n, o->json);
	ret = BG_EXIT_OK;
out:
	free(reps);
	policy_builder__free(c.b);
	policy_src__free(src);
	return ret;
}

int do_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 'S' },
		{ "policy-version", required_argument, NULL, 'P' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compile_opts o = { .fmt = SBOM_FMT_AUTO };
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:f:o:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.source = optarg;
			break;
		case 'f':
			o.fmt = sbom_format_parse(optarg);
			if ((int)o.fmt < 0) {
				pr_err("compile: unknown format '%s'", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'S':
			o.strict = 1;
			break;
		case 'P':
			errno = 0;
			o.version = strtoull(optarg, &end, 10);
			if (errno || *end || !o.version || optarg[0] == '-') {
				pr_err("compile: --policy-version needs a number >= 1");
				return BG_EXIT_USAGE;
			}
			o.has_version = 1;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			compile_usage(stdout);
			return BG_EXIT_OK;
		default:
			compile_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (!o.out) {
		pr_err("compile: -o POLICY.bgp is required");
		return BG_EXIT_USAGE;
	}
	if (o.source && (o.has_version || o.name)) {
		pr_err("compile: --policy-version and --name come from the --source file");
		return BG_EXIT_USAGE;
	}
	if (!o.has_version) {
		const char *epoch = getenv("SOURCE_DATE_EPOCH");

		o.version = epoch ? strtoull(epoch, NULL, 10) : (__u64)time(NULL);
	}
	return compile_run(&o, argv + optind, argc - optind);
}
