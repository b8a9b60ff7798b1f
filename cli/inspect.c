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

static void json_component(struct json_writer *w, const struct policy *p,
			   __u32 idx)
{
	const struct policy_component *c = policy__component(p, idx);
	const struct policy_source *s;

	if (!c) {
		json_null(w);
		return;
	}
	s = policy__source(p, c->source);
	json_object(w);
	json_kv_string(w, "name", c->name);
	json_kv_string(w, "version", c->version);
	json_kv_string(w, "purl", c->purl);
	json_kv_string(w, "supplier", c->supplier);
	if (*c->reason)
		json_kv_string(w, "reason", c->reason);
	json_kv_string(w, "sbom", s ? s->name : "(policy source)");
	json_kv_u64(w, "line", c->line);
	json_end(w);
}

static void json_modes(struct json_writer *w, const struct policy *p)
{
	json_key(w, "modes");
	json_object(w);
	for (int i = 0; i < BG_CLASS_MAX; i++)
		json_kv_string(w, bg_class_name(i), bg_mode_name(policy__mode(p, i)));
	json_end(w);
	json_key(w, "scopes");
	json_array(w);
	for (__u32 s = 0; s < policy__nr_scopes(p); s++) {
		const struct policy_scope *sc = policy__scope(p, s);

		json_object(w);
		json_kv_string(w, "path", sc->path);
		json_kv_u64(w, "line", sc->line);
		json_key(w, "modes");
		json_object(w);
		for (int i = 0; i < BG_CLASS_MAX; i++)
			json_kv_string(w, bg_class_name(i),
				       bg_scope_mode_name(sc->modes[i]));
		json_end(w);
		json_end(w);
	}
	json_end(w);
	json_key(w, "trust_apt");
	json_array(w);
	for (__u32 t = 0; t < policy__nr_trusts(p); t++) {
		const struct policy_apt_trust *pt = policy__trust(p, t);

		json_object(w);
		json_kv_string(w, "key", pt->fpr);
		json_kv_string(w, "origin", pt->origin);
		json_kv_string(w, "suite", pt->suite);
		json_kv_string(w, "package", pt->package);
		json_kv_u64(w, "line", pt->line);
		json_end(w);
	}
	json_end(w);
}

/* Two policies trust different apt keys or patterns. */
static int trusts_differ(const struct policy *a, const struct policy *b)
{
	if (policy__nr_trusts(a) != policy__nr_trusts(b))
		return 1;
	for (__u32 t = 0; t < policy__nr_trusts(a); t++) {
		const struct policy_apt_trust *x = policy__trust(a, t);
		const struct policy_apt_trust *y = policy__trust(b, t);

		if (strcmp(x->fpr, y->fpr) || strcmp(x->origin, y->origin) ||
		    strcmp(x->suite, y->suite) ||
		    strcmp(x->package, y->package))
			return 1;
	}
	return 0;
}

static void print_trusts(const struct policy *p)
{
	for (__u32 t = 0; t < policy__nr_trusts(p); t++) {
		const struct policy_apt_trust *pt = policy__trust(p, t);

		printf("trust-apt         %s (line %u)", pt->fpr, pt->line);
		if (*pt->origin) {
			printf(" origin=");
			text_fput(stdout, pt->origin);
		}
		if (*pt->suite) {
			printf(" suite=");
			text_fput(stdout, pt->suite);
		}
		if (*pt->package) {
			printf(" package=");
			text_fput(stdout, pt->package);
		}
		putchar('\n');
	}
}

/* Two policies' scopes differ (paths, order or modes). */
static int scopes_differ(const struct policy *a, const struct policy *b)
{
	if (policy__nr_scopes(a) != policy__nr_scopes(b))
		return 1;
	for (__u32 s = 0; s < policy__nr_scopes(a); s++) {
		const struct policy_scope *x = policy__scope(a, s);
		const struct policy_scope *y = policy__scope(b, s);

		if (strcmp(x->path, y->path) ||
		    memcmp(x->modes, y->modes, sizeof(x->modes)))
			return 1;
	}
	return 0;
}

static void print_scopes(const struct policy *p)
{
	for (__u32 s = 0; s < policy__nr_scopes(p); s++) {
		const struct policy_scope *sc = policy__scope(p, s);

		printf("scope             ");
		text_fput(stdout, sc->path);
		printf(" (line %u):", sc->line);
		for (int i = 0; i < BG_CLASS_MAX; i++)
			printf(" %s=%s", bg_class_name(i),
			       bg_scope_mode_name(sc->modes[i]));
		putchar('\n');
	}
}

static void inspect_json(const struct policy *p, int entries)
{
	const struct policy_source *s;
	const struct policy_entry *e;
	char hex[65], when[32];
	struct json_writer w;
	__u32 i;

	fmt_time(policy__created(p), when, sizeof(when));
	sha256_hex(policy__file_sha256(p), hex);
	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.inspect/1");
	json_kv_u64(&w, "format_version", policy__format_version(p));
	json_kv_u64(&w, "policy_version", policy__version(p));
	json_kv_string(&w, "name", policy__name(p));
	json_kv_string(&w, "created", when);
	json_kv_u64(&w, "created_epoch", policy__created(p));
	json_kv_string(&w, "sha256", hex);
	json_modes(&w, p);
	json_kv_bool(&w, "allow_unmeasured_modules",
		     policy__allow_unmeasured_modules(p));
	json_kv_bool(&w, "trust_fuse", policy__trust_fuse(p));
	json_kv_u64(&w, "digests", policy__nr_allowed(p));
	json_kv_u64(&w, "blocked", policy__nr_blocked(p));
	json_kv_u64(&w, "components", policy__nr_components(p));
	json_key(&w, "sources");
	json_array(&w);
	for (i = 0; i < policy__nr_sources(p); i++) {
		s = policy__source(p, i);
		sha256_hex(s->sha256, hex);
		json_object(&w);
		json_kv_string(&w, "name", s->name);
		json_kv_string(&w, "sha256", hex);
		json_kv_string(&w, "format", policy_format_name(s->format));
		json_kv_u64(&w, "file_digests", s->nr_digests);
		json_end(&w);
	}
	json_end(&w);
	if (entries) {
		json_key(&w, "entries");
		json_array(&w);
		for (i = 0; i < policy__nr_entries(p); i++) {
			e = policy__entry(p, i);
			sha256_hex(e->sha256, hex);
			json_object(&w);
			json_kv_string(&w, "sha256", hex);
			json_kv_string(&w, "action", e->flags & POLICY_F_BLOCK ?
				       "block" : "allow");
			json_key(&w, "component");
			json_component(&w, p, e->component);
			json_end(&w);
		}
		json_end(&w);
	}
	json_end(&w);
	putchar('\n');
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
	putchar('\n');
	print_scopes(p);
	print_trusts(p);
	printf("unmeasured modules %s\n",
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

static int header_diff(const struct policy *a, const struct policy *b)
{
	int i, n = 0;

	printf("policy version %llu -> %llu\n",
	       (unsigned long long)policy__version(a),
	       (unsigned long long)policy__version(b));
	if (policy__version(b) < policy__version(a))
		printf("warning: the new version is lower: the daemon refuses it (anti-rollback)\n");
	else if (policy__version(b) == policy__version(a))
		printf("warning: same version: raise it on every change\n");
	for (i = 0; i < BG_CLASS_MAX; i++) {
		if (policy__mode(a, i) == policy__mode(b, i))
			continue;
		printf("mode %s: %s -> %s\n", bg_class_name(i),
		       bg_mode_name(policy__mode(a, i)),
		       bg_mode_name(policy__mode(b, i)));
		n++;
	}
	if (policy__allow_unmeasured_modules(a) !=
	    policy__allow_unmeasured_modules(b)) {
		printf("unmeasured modules: %s\n",
		       policy__allow_unmeasured_modules(b) ?
		       "now allowed" : "now denied");
		n++;
	}
	if (policy__trust_fuse(a) != policy__trust_fuse(b)) {
		printf("FUSE filesystems: %s\n", policy__trust_fuse(b) ?
		       "now trusted" : "now refused");
		n++;
	}
	if (trusts_differ(a, b)) {
		printf("trust-apt: were\n");
		print_trusts(a);
		printf("trust-apt: now\n");
		print_trusts(b);
		n++;
	}
	if (scopes_differ(a, b)) {
		printf("scopes: were\n");
		print_scopes(a);
		printf("scopes: now\n");
		print_scopes(b);
		n++;
	}
	return n;
}

static void print_groups(const struct change_rec *recs, size_t nr,
			 int digests)
{
	size_t i, j, k;
	char hex[65];

	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && same_group(&recs[i], &recs[j]); j++)
			;
		printf("%s: ", change_text[recs[i].kind]);
		print_component(recs[i].p, recs[i].e->component);
		printf(" (%zu digest%s)\n", j - i, j - i == 1 ? "" : "s");
		for (k = i; digests && k < j; k++) {
			sha256_hex(recs[k].e->sha256, hex);
			printf("    %s\n", hex);
		}
	}
}

static void json_pair_bool(struct json_writer *w, const char *key, bool a,
			   bool b)
{
	json_key(w, key);
	json_array(w);
	json_bool(w, a);
	json_bool(w, b);
	json_end(w);
}

/* Returns nonzero when the two differ. */
static int diff_json(const struct policy *a, const struct policy *b,
		     const struct change_rec *recs, size_t nr)
{
	struct json_writer w;
	size_t i, j, k;
	char hex[65];
	int n = 0;

	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.diff/1");
	json_kv_u64(&w, "old_version", policy__version(a));
	json_kv_u64(&w, "new_version", policy__version(b));
	json_key(&w, "modes");
	json_object(&w);
	for (int c = 0; c < BG_CLASS_MAX; c++) {
		if (policy__mode(a, c) == policy__mode(b, c))
			continue;
		json_key(&w, bg_class_name(c));
		json_array(&w);
		json_string(&w, bg_mode_name(policy__mode(a, c)));
		json_string(&w, bg_mode_name(policy__mode(b, c)));
		json_end(&w);
		n++;
	}
	json_end(&w);
	json_pair_bool(&w, "allow_unmeasured_modules",
		       policy__allow_unmeasured_modules(a),
		       policy__allow_unmeasured_modules(b));
	json_pair_bool(&w, "trust_fuse", policy__trust_fuse(a),
		       policy__trust_fuse(b));
	n += policy__allow_unmeasured_modules(a) !=
	     policy__allow_unmeasured_modules(b);
	n += policy__trust_fuse(a) != policy__trust_fuse(b);
	json_kv_bool(&w, "scopes_changed", scopes_differ(a, b));
	n += scopes_differ(a, b);
	json_kv_bool(&w, "trust_apt_changed", trusts_differ(a, b));
	n += trusts_differ(a, b);
	json_key(&w, "changes");
	json_array(&w);
	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && same_group(&recs[i], &recs[j]); j++)
			;
		json_object(&w);
		json_kv_string(&w, "change", change_names[recs[i].kind]);
		json_kv_u64(&w, "digests", j - i);
		json_key(&w, "component");
		json_component(&w, recs[i].p, recs[i].e->component);
		json_key(&w, "sha256");
		json_array(&w);
		for (k = i; k < j; k++) {
			sha256_hex(recs[k].e->sha256, hex);
			json_string(&w, hex);
		}
		json_end(&w);
		json_end(&w);
	}
	json_end(&w);
	json_kv_bool(&w, "different", n || nr);
	json_end(&w);
	putchar('\n');
	return n || nr;
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
	if (json) {
		hdr = diff_json(a, b, recs, nr);
	} else {
		hdr = header_diff(a, b);
		print_groups(recs, nr, digests);
		if (!hdr && !nr)
			printf("no difference in digests or modes\n");
	}
	ret = hdr || nr ? BG_EXIT_FAIL : BG_EXIT_OK;
out:
	free(recs);
	policy__free(a);
	policy__free(b);
	return ret;
}
