// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate inspect: what a compiled policy contains.
 * bomgate diff: what changes between two policies, by component.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "cli.h"
#include "log.h"
#include "text.h"
#include "policy.h"
#include "sha256.h"

static int open_exit(int err)
{
	return err == EINVAL || err == EFBIG ? BG_EXIT_INPUT :
	       err == ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
}

static struct policy *open_policy(const char *path, int *exit_code)
{
	char err[512];
	struct policy *p;

	p = policy__open(path, err, sizeof(err));
	if (!p) {
		*exit_code = open_exit(errno);
		pr_err("%s", err);
	}
	return p;
}

static void fmt_time(__u64 t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)t);
}

static void json_component(const struct policy *p, __u32 idx)
{
	const struct policy_component *c = policy__component(p, idx);
	const struct policy_source *s;

	if (!c) {
		printf("null");
		return;
	}
	printf("{\"name\":");
	json_escape(stdout, c->name);
	printf(",\"version\":");
	json_escape(stdout, c->version);
	printf(",\"purl\":");
	json_escape(stdout, c->purl);
	printf(",\"supplier\":");
	json_escape(stdout, c->supplier);
	if (*c->reason) {
		printf(",\"reason\":");
		json_escape(stdout, c->reason);
	}
	s = policy__source(p, c->source);
	printf(",\"sbom\":");
	if (s)
		json_escape(stdout, s->name);
	else
		printf("\"(policy source)\"");
	printf(",\"line\":%u}", c->line);
}

static void inspect_json(const struct policy *p, int entries)
{
	const struct policy_source *s;
	const struct policy_entry *e;
	char hex[65], when[32];
	__u32 i;

	fmt_time(policy__created(p), when, sizeof(when));
	sha256_hex(policy__file_sha256(p), hex);
	printf("{\"schema\":\"bomgate.inspect/1\",\"format_version\":%u,"
	       "\"policy_version\":%llu,\"name\":",
	       policy__format_version(p),
	       (unsigned long long)policy__version(p));
	json_escape(stdout, policy__name(p));
	printf(",\"created\":\"%s\",\"created_epoch\":%llu,\"sha256\":\"%s\","
	       "\"modes\":{", when, (unsigned long long)policy__created(p), hex);
	for (i = 0; i < BG_CLASS_MAX; i++)
		printf("%s\"%s\":\"%s\"", i ? "," : "", bg_class_name(i),
		       bg_mode_name(policy__mode(p, i)));
	printf("},\"allow_unmeasured_modules\":%s,\"trust_fuse\":%s,"
	       "\"digests\":%u,\"blocked\":%u,\"components\":%u,\"sources\":[",
	       policy__allow_unmeasured_modules(p) ? "true" : "false",
	       policy__trust_fuse(p) ? "true" : "false",
	       policy__nr_allowed(p), policy__nr_blocked(p),
	       policy__nr_components(p));
	for (i = 0; i < policy__nr_sources(p); i++) {
		s = policy__source(p, i);
		sha256_hex(s->sha256, hex);
		printf("%s{\"name\":", i ? "," : "");
		json_escape(stdout, s->name);
		printf(",\"sha256\":\"%s\",\"format\":\"%s\",\"file_digests\":%llu}",
		       hex, policy_format_name(s->format),
		       (unsigned long long)s->nr_digests);
	}
	printf("]");
	if (entries) {
		printf(",\"entries\":[");
		for (i = 0; i < policy__nr_entries(p); i++) {
			e = policy__entry(p, i);
			sha256_hex(e->sha256, hex);
			printf("%s{\"sha256\":\"%s\",\"action\":\"%s\",\"component\":",
			       i ? "," : "", hex,
			       e->flags & POLICY_F_BLOCK ? "block" : "allow");
			json_component(p, e->component);
			printf("}");
		}
		printf("]");
	}
	printf("}\n");
}

/* "name version <purl>": SBOM text, escaped. */
void print_component_id(const struct policy_component *c)
{
	text_fput(stdout, *c->name ? c->name : "(unnamed)");
	if (*c->version) {
		putchar(' ');
		text_fput(stdout, c->version);
	}
	if (*c->purl) {
		printf(" <");
		text_fput(stdout, c->purl);
		putchar('>');
	}
}

static void print_component(const struct policy *p, __u32 idx)
{
	const struct policy_component *c = policy__component(p, idx);
	const struct policy_source *s;

	if (!c) {
		printf("(no component)");
		return;
	}
	if (c->source == POLICY_SRC_POLICY) {
		printf("policy source line %u: ", c->line);
		text_fput(stdout, c->reason);
		return;
	}
	print_component_id(c);
	s = policy__source(p, c->source);
	if (s) {
		printf(" from ");
		text_fput(stdout, s->name);
	}
}

static void inspect_text(const struct policy *p, int entries)
{
	const struct policy_source *s;
	const struct policy_entry *e;
	char hex[65], when[32];
	__u32 i;

	fmt_time(policy__created(p), when, sizeof(when));
	sha256_hex(policy__file_sha256(p), hex);
	printf("format version    %u\n", policy__format_version(p));
	printf("policy version    %llu\n", (unsigned long long)policy__version(p));
	printf("name              ");
	text_fput(stdout, *policy__name(p) ? policy__name(p) : "-");
	putchar('\n');
	printf("created           %s\n", when);
	printf("sha256            %s\n", hex);
	printf("modes            ");
	for (i = 0; i < BG_CLASS_MAX; i++)
		printf(" %s=%s", bg_class_name(i),
		       bg_mode_name(policy__mode(p, i)));
	printf("\nunmeasured modules %s\n",
	       policy__allow_unmeasured_modules(p) ? "allowed" : "denied");
	printf("FUSE filesystems  %s\n",
	       policy__trust_fuse(p) ? "trusted (measured)" : "refused");
	printf("allowed digests   %u\n", policy__nr_allowed(p));
	printf("blocked digests   %u\n", policy__nr_blocked(p));
	printf("components        %u\n", policy__nr_components(p));
	printf("sources           %u\n", policy__nr_sources(p));
	for (i = 0; i < policy__nr_sources(p); i++) {
		s = policy__source(p, i);
		sha256_hex(s->sha256, hex);
		printf("  %s  ", hex);
		text_fput(stdout, s->name);
		printf(" (%s, %llu file digests)\n",
		       policy_format_name(s->format),
		       (unsigned long long)s->nr_digests);
	}
	for (i = 0; entries && i < policy__nr_entries(p); i++) {
		e = policy__entry(p, i);
		sha256_hex(e->sha256, hex);
		printf("%s %s  ", e->flags & POLICY_F_BLOCK ? "block" : "allow",
		       hex);
		print_component(p, e->component);
		printf("\n");
	}
}

static void inspect_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate inspect [--json] [--entries] POLICY.bgp\n"
"\n"
"Show what a compiled policy holds: versions, modes, counts, source SBOMs.\n"
"  -j, --json      as one JSON object\n"
"  -e, --entries   also list every digest with its component\n"
"  -h, --help      this help\n"
"Exit: 0 ok, 2 usage, 3 corrupt or not a policy, 5 cannot read.\n");
}

int do_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "entries", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy *p;
	int ch, json = 0, entries = 0, ret = BG_EXIT_OK;

	while ((ch = getopt_long(argc, argv, "jeh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'e':
			entries = 1;
			break;
		case 'h':
			inspect_usage(stdout);
			return BG_EXIT_OK;
		default:
			inspect_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		inspect_usage(stderr);
		return BG_EXIT_USAGE;
	}
	p = open_policy(argv[optind], &ret);
	if (!p)
		return ret;
	if (json)
		inspect_json(p, entries);
	else
		inspect_text(p, entries);
	policy__free(p);
	return BG_EXIT_OK;
}

/* --- diff ---------------------------------------------------------------- */

enum change {
	CH_ALLOWED,	/* new digest allowed */
	CH_REMOVED,	/* allowed before, absent now */
	CH_BLOCKED,	/* allowed or absent before, blocked now */
	CH_UNBLOCKED,	/* blocked before, allowed now */
	CH_UNLISTED,	/* blocked before, absent now */
	CH_NR,
};

static const char *const change_names[CH_NR] = {
	"allowed", "removed", "blocked", "unblocked", "unlisted",
};
static const char *const change_text[CH_NR] = {
	"+ becomes allowed", "- no longer allowed", "! becomes blocked",
	"+ unblocked, allowed", "~ no longer blocked (still denied when enforced)",
};

struct change_rec {
	enum change kind;
	const struct policy *p;		/* where the component lives */
	const struct policy_entry *e;
};

static const char *cstr(const struct change_rec *r, int field)
{
	const struct policy_component *c = policy__component(r->p,
							     r->e->component);
	const struct policy_source *s;

	if (!c)
		return "";
	switch (field) {
	case 0: return c->name;
	case 1: return c->version;
	case 2: return c->purl;
	case 3: return c->reason;
	default:
		s = policy__source(r->p, c->source);
		return s ? s->name : "(policy source)";
	}
}

static int rec_cmp(const void *a, const void *b)
{
	const struct change_rec *x = a, *y = b;
	int f, c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	for (f = 0; f < 5; f++) {
		c = strcmp(cstr(x, f), cstr(y, f));
		if (c)
			return c;
	}
	return memcmp(x->e->sha256, y->e->sha256, 32);
}

static int same_group(const struct change_rec *x, const struct change_rec *y)
{
	int f;

	if (x->kind != y->kind)
		return 0;
	for (f = 0; f < 5; f++)
		if (strcmp(cstr(x, f), cstr(y, f)))
			return 0;
	return 1;
}

static int classify(const struct policy_entry *o, const struct policy_entry *n)
{
	int oblk = o && (o->flags & POLICY_F_BLOCK);
	int nblk = n && (n->flags & POLICY_F_BLOCK);

	if (o && n && oblk == nblk)
		return -1;
	if (!o)
		return nblk ? CH_BLOCKED : CH_ALLOWED;
	if (!n)
		return oblk ? CH_UNLISTED : CH_REMOVED;
	return nblk ? CH_BLOCKED : CH_UNBLOCKED;
}

static int collect(const struct policy *a, const struct policy *b,
		   struct change_rec **out, size_t *nr)
{
	__u32 i = 0, j = 0, na = policy__nr_entries(a), nb = policy__nr_entries(b);
	const struct policy_entry *o, *n;
	struct change_rec *recs;
	size_t k = 0;
	int c, kind;

	recs = calloc((size_t)na + nb + 1, sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	while (i < na || j < nb) {
		o = i < na ? policy__entry(a, i) : NULL;
		n = j < nb ? policy__entry(b, j) : NULL;
		c = !o ? 1 : !n ? -1 : memcmp(o->sha256, n->sha256, 32);
		if (c < 0)
			n = NULL, i++;
		else if (c > 0)
			o = NULL, j++;
		else
			i++, j++;
		kind = classify(o, n);
		if (kind < 0)
			continue;
		recs[k].kind = kind;
		recs[k].p = n ? b : a;
		recs[k].e = n ? n : o;
		k++;
	}
	if (k)
		qsort(recs, k, sizeof(*recs), rec_cmp);
	*out = recs;
	*nr = k;
	return 0;
}

static int header_diff(const struct policy *a, const struct policy *b,
		       int json)
{
	int i, n = 0;

	if (json) {
		printf("\"old_version\":%llu,\"new_version\":%llu,\"modes\":{",
		       (unsigned long long)policy__version(a),
		       (unsigned long long)policy__version(b));
	} else {
		printf("policy version %llu -> %llu\n",
		       (unsigned long long)policy__version(a),
		       (unsigned long long)policy__version(b));
		if (policy__version(b) < policy__version(a))
			printf("warning: the new version is lower: the daemon refuses it (anti-rollback)\n");
		else if (policy__version(b) == policy__version(a))
			printf("warning: same version: raise it on every change\n");
	}
	for (i = 0; i < BG_CLASS_MAX; i++) {
		if (policy__mode(a, i) == policy__mode(b, i))
			continue;
		if (json)
			printf("%s\"%s\":[\"%s\",\"%s\"]", n ? "," : "",
			       bg_class_name(i),
			       bg_mode_name(policy__mode(a, i)),
			       bg_mode_name(policy__mode(b, i)));
		else
			printf("mode %s: %s -> %s\n", bg_class_name(i),
			       bg_mode_name(policy__mode(a, i)),
			       bg_mode_name(policy__mode(b, i)));
		n++;
	}
	if (policy__allow_unmeasured_modules(a) !=
	    policy__allow_unmeasured_modules(b)) {
		if (!json)
			printf("unmeasured modules: %s\n",
			       policy__allow_unmeasured_modules(b) ?
			       "now allowed" : "now denied");
		n++;
	}
	if (policy__trust_fuse(a) != policy__trust_fuse(b)) {
		if (!json)
			printf("FUSE filesystems: %s\n", policy__trust_fuse(b) ?
			       "now trusted" : "now refused");
		n++;
	}
	if (json)
		printf("},\"allow_unmeasured_modules\":[%s,%s],"
		       "\"trust_fuse\":[%s,%s],",
		       policy__allow_unmeasured_modules(a) ? "true" : "false",
		       policy__allow_unmeasured_modules(b) ? "true" : "false",
		       policy__trust_fuse(a) ? "true" : "false",
		       policy__trust_fuse(b) ? "true" : "false");
	return n;
}

static void print_groups(const struct change_rec *recs, size_t nr, int json,
			 int digests)
{
	size_t i, j, k, g = 0;
	char hex[65];

	if (json)
		printf("\"changes\":[");
	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && same_group(&recs[i], &recs[j]); j++)
			;
		if (json) {
			printf("%s{\"change\":\"%s\",\"digests\":%zu,\"component\":",
			       g++ ? "," : "", change_names[recs[i].kind], j - i);
			json_component(recs[i].p, recs[i].e->component);
			printf(",\"sha256\":[");
			for (k = i; k < j; k++) {
				sha256_hex(recs[k].e->sha256, hex);
				printf("%s\"%s\"", k > i ? "," : "", hex);
			}
			printf("]}");
			continue;
		}
		printf("%s: ", change_text[recs[i].kind]);
		print_component(recs[i].p, recs[i].e->component);
		printf(" (%zu digest%s)\n", j - i, j - i == 1 ? "" : "s");
		for (k = i; digests && k < j; k++) {
			sha256_hex(recs[k].e->sha256, hex);
			printf("    %s\n", hex);
		}
	}
	if (json)
		printf("]");
}

static void diff_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate diff [--json] [--digests] OLD.bgp NEW.bgp\n"
"\n"
"What changes from OLD to NEW, grouped by component: digests that become\n"
"allowed, are no longer allowed, become blocked or are unblocked; mode and\n"
"version changes.\n"
"  -j, --json      as one JSON object\n"
"  -d, --digests   list every digest under its component\n"
"  -h, --help      this help\n"
"Exit: 0 no difference, 1 different, 2 usage, 3 corrupt policy, 5 cannot\n"
"read.\n");
}

int do_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "digests", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy *a = NULL, *b = NULL;
	struct change_rec *recs = NULL;
	size_t nr = 0;
	int ch, json = 0, digests = 0, ret = BG_EXIT_OK, hdr;

	while ((ch = getopt_long(argc, argv, "jdh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'd':
			digests = 1;
			break;
		case 'h':
			diff_usage(stdout);
			return BG_EXIT_OK;
		default:
			diff_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		diff_usage(stderr);
		return BG_EXIT_USAGE;
	}
	a = open_policy(argv[optind], &ret);
	if (a)
		b = open_policy(argv[optind + 1], &ret);
	if (!a || !b)
		goto out;
	if (collect(a, b, &recs, &nr)) {
		ret = BG_EXIT_INTERNAL;
		goto out;
	}
	if (json)
		printf("{\"schema\":\"bomgate.diff/1\",");
	hdr = header_diff(a, b, json);
	print_groups(recs, nr, json, digests);
	if (json)
		printf(",\"different\":%s}\n", hdr || nr ? "true" : "false");
	else if (!hdr && !nr)
		printf("no difference in digests or modes\n");
	ret = hdr || nr ? BG_EXIT_FAIL : BG_EXIT_OK;
out:
	free(recs);
	policy__free(a);
	policy__free(b);
	return ret;
}
