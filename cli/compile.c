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
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "text.h"
#include "attest.h"
#include "policy_compile.h"

#define MAX_PROBLEMS_SHOWN	10

/* What the report needs besides the library's result. */
struct compile_ctx {
	unsigned long problems_shown;	/* in the document being read */
	int verbose;
};

static void compile_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate compile [OPTIONS] [SBOM...] -o POLICY.bgp\n"
"SBOM '-' is standard input; -o - writes the policy to standard output\n"
"(the report then goes to standard error).\n"
"\n"
"Read SBOMs (CycloneDX JSON/XML, SPDX JSON/tag-value, SPDX 3 JSON-LD) and\n"
"write a compiled policy allowing the file-level SHA-256 digests they list.\n"
"\n"
"  -s, --source FILE        policy source: version, modes, SBOMs, extra\n"
"                           allow/block digests (see bomgate-compile(1))\n"
"  -f, --format F           SBOM format for the SBOMs on the command line:\n"
"                           auto (default), cyclonedx-json, cyclonedx-xml,\n"
"                           spdx-json, spdx-tv, spdx3-json\n"
"      --strict             any problem in an SBOM is an error\n"
"      --policy-version N   policy version when there is no --source\n"
"                           (default: the creation time in seconds)\n"
"      --name NAME          policy name when there is no --source\n"
"  -k, --attestation-key KEY.pub\n"
"                           PEM public key (ECDSA, Ed25519, RSA) that signs\n"
"                           attestations (repeatable, up to %d): an SBOM\n"
"                           given as a DSSE envelope or Sigstore bundle\n"
"                           (cosign attest-blob) is verified before it is read\n"
"      --require-attestation  every SBOM must be a verified attestation\n"
"  -o, --output FILE        the compiled policy (written atomically; not a\n"
"                           symbolic link, not an input)\n"
"      --json               report as JSON on stdout\n"
"  -v, --verbose            show every SBOM problem, not the first %d\n"
"  -h, --help               this help\n"
"\n"
"SOURCE_DATE_EPOCH, when set, is used as the creation time.\n"
"A policy that would allow nothing is reported loudly; with --strict it is\n"
"an error and nothing is written.\n"
"Exit: 0 written, 2 usage (also: -o names an input), 3 bad SBOM or policy\n"
"source (also: a malformed attestation, a predicate that is not an SBOM, a\n"
"key file that is not a public key), or --strict and a problem or an empty\n"
"allowlist (nothing written), 4 an attestation does not verify with any\n"
"key given, no key given for one, or --require-attestation and an SBOM\n"
"that is not one, 5 I/O error (also: -o is a symbolic link), 7 internal.\n",
		ATTEST_MAX_KEYS, MAX_PROBLEMS_SHOWN);
}

static void on_problem(void *arg, const struct sbom_problem *p)
{
	struct compile_ctx *c = arg;

	if (!c->verbose && c->problems_shown++ >= MAX_PROBLEMS_SHOWN)
		return;
	pr_warn("%s:%lu: %s%s%s", p->path, p->line, p->field ? p->field : "",
		p->field ? ": " : "", p->msg);
}

static void on_document(void *arg, const struct policy_compile_doc *doc)
{
	struct compile_ctx *c = arg;

	if (c->problems_shown > MAX_PROBLEMS_SHOWN)
		pr_warn("%s: %lu more problems not shown (use --verbose)",
			doc->path, c->problems_shown - MAX_PROBLEMS_SHOWN);
	if (!doc->st.file_digests && doc->st.weak_hash_only)
		pr_warn("%s: only weak hashes (no SHA-256) for %lu components: nothing allowed from them",
			doc->path, doc->st.weak_hash_only);
	c->problems_shown = 0;
}

static void print_json(FILE *f, const struct policy_compile_result *r,
		       const char *out)
{
	const struct policy_build_stats *st = &r->build;
	struct json_writer w;

	json_begin(&w, f);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.compile/1");
	json_kv_string(&w, "output", out);
	json_kv_u64(&w, "documents", r->nr_docs);
	json_kv_u64(&w, "components", r->components);
	json_kv_u64(&w, "file_digests", r->file_digests);
	json_kv_u64(&w, "distinct_digests", st->distinct);
	json_kv_u64(&w, "allowed", st->allowed);
	json_kv_u64(&w, "blocked", st->blocked);
	json_kv_u64(&w, "components_without_file_digest", r->no_file_digest);
	json_kv_u64(&w, "package_level_digests", r->package_digests);
	json_kv_u64(&w, "weak_hash_only", r->weak_only);
	json_kv_u64(&w, "conflicts", st->conflicts);
	json_kv_u64(&w, "shared_digests", st->shared);
	json_kv_u64(&w, "problems", r->problems);
	json_key(&w, "sources");
	json_array(&w);
	for (int i = 0; i < r->nr_docs; i++) {
		const struct policy_compile_doc *d = &r->docs[i];

		json_object(&w);
		json_kv_string(&w, "path", d->path);
		json_kv_string(&w, "format", sbom_format_name(d->st.format));
		json_kv_string(&w, "spec_version", d->st.spec_version);
		json_kv_u64(&w, "components", d->st.components);
		json_kv_u64(&w, "file_digests", d->st.file_digests);
		json_kv_u64(&w, "problems", d->st.problems);
		if (d->attested) {
			char k[80], s[80];

			json_key(&w, "attestation");
			json_object(&w);
			json_kv_string(&w, "key", attest_fpr_str(d->signer, k,
								 sizeof(k)));
			json_kv_string(&w, "subject", d->subject);
			json_kv_string(&w, "subject_sha256",
				       attest_fpr_str(d->subject_sha256, s,
						      sizeof(s)));
			json_kv_string(&w, "predicate_type",
				       d->predicate_type);
			json_end(&w);
		}
		json_end(&w);
	}
	json_end(&w);
	json_end(&w);
	fputc('\n', f);
}

static void print_report(FILE *f, const struct policy_compile_result *r,
			 const char *out, int json)
{
	const struct policy_build_stats *st = &r->build;
	const struct policy_compile_doc *reps = r->docs;
	int i, nr = r->nr_docs;

	if (json) {
		print_json(f, r, out);
		return;
	}
	fprintf(f, "compiled ");
	text_fput(f, out);
	fputc('\n', f);
	for (i = 0; i < nr; i++) {
		/* the path may be hostile, spec_version comes from the SBOM */
		size_t w = text_escaped_len(reps[i].path);

		fprintf(f, "  ");
		text_fput(f, reps[i].path);
		fprintf(f, "%*s %s ", w < 44 ? (int)(44 - w) : 0, "",
		       sbom_format_name(reps[i].st.format));
		text_fput(f, reps[i].st.spec_version);
		fprintf(f, ": %lu components, %lu file digests, %lu problems\n",
		       reps[i].st.components, reps[i].st.file_digests,
		       reps[i].st.problems);
		if (reps[i].attested) {
			char k[80], d[80];

			fprintf(f, "    attestation verified: key %s\n"
				"    subject %s ",
				attest_fpr_str(reps[i].signer, k, sizeof(k)),
				attest_fpr_str(reps[i].subject_sha256, d,
					       sizeof(d)));
			text_fput(f, reps[i].subject);
			fprintf(f, ", predicateType ");
			text_fput(f, reps[i].predicate_type);
			fputc('\n', f);
		}
	}
	fprintf(f, "documents read                  %lu\n", (unsigned long)r->nr_docs);
	fprintf(f, "components                      %lu\n", r->components);
	fprintf(f, "file digests                    %lu (before de-duplication)\n",
	       r->file_digests);
	fprintf(f, "distinct digests                %u (%u allowed, %u blocked)\n",
	       st->distinct, st->allowed, st->blocked);
	fprintf(f, "components without file digest  %lu (cannot run under enforce)\n",
	       r->no_file_digest);
	fprintf(f, "package-level digests           %lu (not allowed: they hash archives)\n",
	       r->package_digests);
	fprintf(f, "weak-hash only                  %lu (no SHA-256: not allowed)\n",
	       r->weak_only);
	fprintf(f, "conflicts                       %u (allowed and blocked: blocked wins)\n",
	       st->conflicts);
	fprintf(f, "shared digests                  %u (same file in several components)\n",
	       st->shared);
	fprintf(f, "problems                        %lu\n", r->problems);
}

struct compile_opts {
	const char *source, *out, *name;
	char *keys[ATTEST_MAX_KEYS + 1];
	int nr_keys, require_attestation;
	enum sbom_format fmt;
	int strict, json, has_version;
	__u64 version;
};

/* Compiles, loads, and under enforce denies every exec: say so loudly. */
static void warn_empty(const struct policy_compile_result *r, const char *out)
{
	pr_warn("%s ALLOWS NOTHING: no file-level SHA-256 digest was found "
		"(%lu components, %lu without a file digest, %lu package-level "
		"digests, which hash archives, not installed files)", out,
		r->components, r->no_file_digest, r->package_digests);
	pr_warn("under enforce every exec, mmap and module load would be "
		"denied; bomgated refuses to enforce it without --force, and "
		"--strict makes this an error");
}

static int compile_exit(const struct policy_compile_result *r, int err)
{
	if (err == -ENOMEM)
		return BG_EXIT_INTERNAL;
	switch (r->step) {
	case POLICY_COMPILE_SOURCE:
		return err == -ENOENT || err == -EACCES ? BG_EXIT_IO :
		       BG_EXIT_INPUT;
	case POLICY_COMPILE_NO_SBOM:
		return BG_EXIT_USAGE;
	case POLICY_COMPILE_SBOM:
		return err == -EINVAL ? BG_EXIT_INPUT : BG_EXIT_IO;
	case POLICY_COMPILE_ATTEST:
		if (err == -EKEYREJECTED || err == -ENOKEY || err == -EPERM)
			return BG_EXIT_VERIFY;
		if (err == -EBADMSG || err == -EMEDIUMTYPE || err == -EINVAL ||
		    err == -EFBIG || err == -E2BIG)
			return BG_EXIT_INPUT;
		return BG_EXIT_IO;
	case POLICY_COMPILE_STRICT:
	case POLICY_COMPILE_EMPTY:
		return BG_EXIT_INPUT;
	default:
		return err == -EFBIG || err == -E2BIG ? BG_EXIT_INPUT :
		       BG_EXIT_IO;
	}
}

static int compile_run(struct compile_opts *o, char **sboms, int nr)
{
	struct compile_ctx c = { .verbose = log_get_level() >= LOG_LVL_DEBUG };
	const struct policy_compile_ops ops = { on_problem, on_document };
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	struct policy_compile_opts po = {
		.source = o->source,
		.sboms = sboms,
		.nr_sboms = nr,
		.format = o->fmt,
		.version = o->version,
		.name = o->name,
		.created = epoch ? strtoull(epoch, NULL, 10) : (__u64)time(NULL),
		.strict = o->strict,
		.output = o->out,
		.attest_keys = o->keys,
		.nr_attest_keys = o->nr_keys,
		.require_attestation = o->require_attestation,
	};
	struct policy_compile_result r;
	int ret;

	ret = policy_compile(&po, &ops, &c, &r);
	if (ret) {
		pr_err("%s", r.err);
		ret = compile_exit(&r, ret);
	} else {
		/* with -o -, stdout is the policy: the report goes to stderr */
		print_report(strcmp(o->out, "-") ? stdout : stderr, &r,
			     o->out, o->json);
		if (!r.build.allowed)
			warn_empty(&r, o->out);
	}
	policy_compile_result__free(&r);
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
		{ "attestation-key", required_argument, NULL, 'k' },
		{ "require-attestation", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compile_opts o = { .fmt = SBOM_FMT_AUTO };
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:f:k:o:vh", opts, NULL)) != -1) {
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
		case 'k':
			if (o.nr_keys == ATTEST_MAX_KEYS) {
				pr_err("compile: at most %d --attestation-key",
				       ATTEST_MAX_KEYS);
				return BG_EXIT_USAGE;
			}
			o.keys[o.nr_keys++] = optarg;
			break;
		case 'R':
			o.require_attestation = 1;
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
	for (ch = optind - 1; ch < argc; ch++) {
		const char *in = ch < optind ? o.source : argv[ch];

		if (in && fileio_same_file(o.out, in)) {
			pr_err("compile: -o %s is one of the inputs", o.out);
			return BG_EXIT_USAGE;
		}
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
