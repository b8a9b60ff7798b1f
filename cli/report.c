// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate report: what would break if this machine enforced. Reads the
 * daemon's event files (docs/events.md; offline, copied files are fine),
 * folds every denial and would-deny into one record per file (digest and
 * path), and says per class how many distinct files and how many uses
 * enforcing would have refused, who tried, and what to add. With
 * --policy, which listed components ran (from allowed events, when the
 * daemon emitted them); with --against NEXT.bgp, what that candidate
 * policy would still deny and what it newly allows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "cli.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"
#include "text.h"
#include "vocab.h"

#define REPORT_SCHEMA	"bomgate.report/1"
#define LINE_MAX_LEN	(64 * 1024)
#define MAX_BAD_SHOWN	5

#include "report.h"
#include "sbom.h"

const char *const rclass_name[RC_MAX] = {
	"exec", "mmap", "module", "firmware", "kexec", "writers",
};

static unsigned int hash_key(const char *sha, const char *path, int rc)
{
	unsigned int h = 2166136261u ^ rc;

	for (const char *s = sha; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (const char *s = path; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & ((1 << HASH_BITS) - 1);
}

static const char *str(yajl_val v, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);

	return s ? YAJL_GET_STRING(s) : NULL;
}

static __u64 num(yajl_val v, const char *key, __u64 dflt)
{
	const char *path[] = { key, NULL };
	yajl_val n = yajl_tree_get(v, path, yajl_t_number);

	return n && YAJL_IS_INTEGER(n) && YAJL_GET_INTEGER(n) >= 0 ?
	       (__u64)YAJL_GET_INTEGER(n) : dflt;
}

static int name_index(const char *(*name)(unsigned int), int max,
		      const char *s)
{
	for (int i = 0; s && i < max; i++)
		if (!strcmp(name(i), s))
			return i;
	return -1;
}

static int rclass_of_hook(int hook)
{
	switch (hook) {
	case BG_HOOK_EXEC:
	case BG_HOOK_EXEC_CHECK:
		return RC_EXEC;
	case BG_HOOK_MMAP:
	case BG_HOOK_MPROTECT:
		return RC_MMAP;
	case BG_HOOK_MODULE:
	case BG_HOOK_MODULE_BUF:
		return RC_MODULE;
	case BG_HOOK_FIRMWARE:
		return RC_FIRMWARE;
	case BG_HOOK_KEXEC:
		return RC_KEXEC;
	case BG_HOOK_WRITE:
	case BG_HOOK_PROC_MEM:
		return RC_WRITERS;
	}
	return -1;	/* sealed hooks: tampering, not breakage */
}

static void minmax(char *first, char *last, const char *t)
{
	if (!t || strlen(t) >= 32)
		return;
	if (!first[0] || strcmp(t, first) < 0)
		strcpy(first, t);
	if (!last[0] || strcmp(t, last) > 0)
		strcpy(last, t);
}

/* @count more refused uses in the hour of @t. */
static void add_hour(struct report *rp, const char *t, __u64 count)
{
	int i = rp->last_hour;

	if (!t || strlen(t) < 13)
		return;
	if (i >= rp->nhours || strncmp(rp->hour[i], t, 13)) {
		for (i = 0; i < rp->nhours; i++)
			if (!strncmp(rp->hour[i], t, 13))
				break;
		if (i == rp->nhours) {
			if (i == MAX_HOURS) {
				rp->hours_lost += count;
				return;
			}
			memcpy(rp->hour[i], t, 13);
			rp->hour[i][13] = '\0';
			rp->nhours++;
		}
	}
	rp->hour_uses[i] += count;
	rp->last_hour = i;
}

static void add_proc(struct rec *r, yajl_val ev)
{
	const char *pexe[] = { "parent", "exe", NULL };
	yajl_val pe = yajl_tree_get(ev, pexe, yajl_t_string);
	const char *comm = str(ev, "comm");
	char *p;

	if (r->nprocs == MAX_PROCS)
		return;
	if (asprintf(&p, "%s (parent %s)", comm ? comm : "?",
		     pe ? YAJL_GET_STRING(pe) : "gone") < 0)
		return;
	for (int i = 0; i < r->nprocs; i++)
		if (!strcmp(r->procs[i], p)) {
			free(p);
			return;
		}
	r->procs[r->nprocs++] = p;
}

/* The record of @sha at @path in class @rc (one file can break several
 * classes: an exec maps the file too). */
static struct rec *rec_get(struct rec **tab, const char *sha,
			   const char *path, int rc, int *created)
{
	unsigned int h = hash_key(sha, path, rc);
	struct rec *r;

	*created = 0;
	for (r = tab[h]; r; r = r->next)
		if (r->rclass == rc && !strcmp(r->sha, sha) &&
		    !strcmp(r->path, path))
			return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->path = strdup(path);
	if (!r->path) {
		free(r);
		return NULL;
	}
	snprintf(r->sha, sizeof(r->sha), "%s", sha);
	r->rclass = rc;
	r->next = tab[h];
	tab[h] = r;
	*created = 1;
	return r;
}

/* One event object. 0, or -ENOMEM. */
static int take(struct report *rp, yajl_val ev)
{
	const char *type = str(ev, "type"), *dec = str(ev, "decision");
	const char *sha = str(ev, "sha256"), *path = str(ev, "path");
	const char *t = str(ev, "time");
	int hook, reason, rc, created;
	__u64 count;
	struct rec *r;

	rp->events++;
	minmax(rp->first, rp->last, t);
	if (type && !strcmp(type, "tamper")) {
		rp->tampers++;
		return 0;
	}
	if (type && !strcmp(type, "drops")) {
		rp->drops += num(ev, "dropped", 0);
		return 0;
	}
	if (!type || (strcmp(type, "decision") && strcmp(type, "repeat")))
		return 0;
	hook = name_index(bg_hook_name, BG_HOOK_MAX, str(ev, "hook"));
	reason = name_index(bg_reason_name, BG_REASON_MAX, str(ev, "reason"));
	rc = hook < 0 ? -1 : rclass_of_hook(hook);
	if (rc < 0 || !dec)
		return 0;
	count = num(ev, "count", 1);
	if (!strcmp(type, "repeat"))
		count = count ? count : 1;	/* repeats folded into it */
	if (!sha || strlen(sha) != 64)
		sha = "";
	if (!path)
		path = "";
	if (!strcmp(dec, "allowed")) {
		rp->allowed += count;
		if (sha[0] && !rec_get(rp->ran_tab, sha, "", 0, &created))
			return -ENOMEM;
		rp->nr_ran += created;
		return 0;
	}
	if (strcmp(dec, "denied") && strcmp(dec, "would-deny"))
		return 0;
	r = rec_get(rp->tab, sha, path, rc, &created);
	if (!r)
		return -ENOMEM;
	if (created) {
		*rp->tail = r;
		rp->tail = &r->all;
	}
	r->hooks |= 1U << hook;
	if (reason >= 0)
		r->reasons |= 1U << reason;
	r->enforced |= !strcmp(dec, "denied");
	r->count += count;
	minmax(r->first, r->last, t);
	add_proc(r, ev);
	add_hour(rp, t, count);
	return 0;
}

/* Every line of @path ("-": standard input). A bg_exit. */
static int read_events(struct report *rp, const char *path, int strict)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL, ebuf[256];
	size_t cap = 0;
	ssize_t n;
	__u64 lineno = 0, bad = 0;
	int ret = BG_EXIT_OK;

	if (!f) {
		pr_err("%s: %s", path, strerror(errno));
		return BG_EXIT_IO;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		yajl_val v;

		lineno++;
		rp->lines++;
		if (n > LINE_MAX_LEN || !(v = yajl_tree_parse(line, ebuf,
							       sizeof(ebuf)))) {
			if (bad++ < MAX_BAD_SHOWN)
				pr_warn("%s:%llu: not an event line (%s)", path,
					(unsigned long long)lineno,
					n > LINE_MAX_LEN ? "longer than 64 KiB" :
					"not JSON");
			rp->skipped++;
			continue;
		}
		if (!YAJL_IS_OBJECT(v) ||
		    !str(v, "schema") || strcmp(str(v, "schema"), "bomgate.event/1")) {
			if (bad++ < MAX_BAD_SHOWN)
				pr_warn("%s:%llu: not a bomgate.event/1 object",
					path, (unsigned long long)lineno);
			rp->skipped++;
		} else if (take(rp, v)) {
			ret = BG_EXIT_INTERNAL;
		}
		yajl_tree_free(v);
		if (ret)
			break;
	}
	if (ferror(f)) {
		pr_err("%s: %s", path, strerror(errno));
		ret = BG_EXIT_IO;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (!ret && bad && strict) {
		pr_err("%s: %llu lines are not bomgate events (--strict)", path,
		       (unsigned long long)bad);
		ret = BG_EXIT_INPUT;
	}
	return ret;
}

#define KCOV_MAX	(64 << 20)
#define MAX_SBOMS	64

static int has_sha(const struct report *rp, const char *sha, int rc)
{
	for (const struct rec *r = rp->head; r; r = r->all)
		if (r->rclass == rc && !strcmp(r->sha, sha))
			return 1;
	return 0;
}

/*
 * The kernel's counts (bomgate coverage): allowed digests feed coverage;
 * refused ones the event files do not name (coalesced away, dropped, or
 * rotated out) become records of their own, without a path. A bg_exit.
 */
static int read_kernel(struct report *rp, const char *path)
{
	const char *epath[] = { "entries", NULL }, *spath[] = { "schema", NULL };
	char ebuf[256], *text = NULL;
	yajl_val v, ents, schema;
	size_t len;
	int ret, created;

	ret = fileio_read_file(path, KCOV_MAX, (void **)&text, &len);
	if (ret) {
		pr_err("%s: %s", path, strerror(-ret));
		return ret == -EFBIG ? BG_EXIT_INPUT : BG_EXIT_IO;
	}
	v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	free(text);
	schema = v ? yajl_tree_get(v, spath, yajl_t_string) : NULL;
	ents = v ? yajl_tree_get(v, epath, yajl_t_array) : NULL;
	if (!schema || !ents || !schema->u.string ||
	    strcmp(schema->u.string, "bomgate.kcoverage/1")) {
		pr_err("%s: not the output of 'bomgate coverage' (bomgate.kcoverage/1)",
		       path);
		yajl_tree_free(v);
		return BG_EXIT_INPUT;
	}
	rp->kernel_full = num(v, "full", 0);
	for (size_t i = 0; i < YAJL_GET_ARRAY(ents)->len; i++) {
		yajl_val e = YAJL_GET_ARRAY(ents)->values[i];
		const char *sha = str(e, "sha256");
		int hook = name_index(bg_hook_name, BG_HOOK_MAX, str(e, "hook"));
		int rc = hook < 0 ? -1 : rclass_of_hook(hook);
		__u64 refused = num(e, "refused", 0);
		struct rec *r;

		if (!sha || strlen(sha) != 64 || rc < 0)
			continue;
		rp->kernel_entries++;
		if (num(e, "allowed", 0)) {
			if (!rec_get(rp->ran_tab, sha, "", 0, &created))
				goto nomem;
			rp->nr_ran += created;
		}
		if (!refused || has_sha(rp, sha, rc))
			continue;
		r = rec_get(rp->tab, sha, "", rc, &created);
		if (!r)
			goto nomem;
		if (created) {
			*rp->tail = r;
			rp->tail = &r->all;
			snprintf(r->first, sizeof(r->first), "(kernel count)");
			snprintf(r->last, sizeof(r->last), "(kernel count)");
		}
		r->hooks |= 1U << hook;
		r->reasons |= 1U << BG_REASON_UNKNOWN;	/* or blocked: --against says */
		r->count += refused;
	}
	yajl_tree_free(v);
	return BG_EXIT_OK;
nomem:
	yajl_tree_free(v);
	return BG_EXIT_INTERNAL;
}

/* --- --sbom: what the SBOMs say about a refused file ------------------ */

#define SF_BITS		16

struct sfile {
	struct sfile *by_name, *by_sha;
	char sha[65];
	char *name;		/* normalised: no leading "./" or "/" */
	char *label;		/* "component version (SBOM line N)" */
};

struct sfiles {
	struct sfile *name_tab[1 << SF_BITS], *sha_tab[1 << SF_BITS];
	const char *doc;
	__u64 n;
};

static unsigned int sf_hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & ((1 << SF_BITS) - 1);
}

static const char *normalise(const char *p)
{
	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			return p;
	}
}

static int sf_digest(void *ctx, const struct sbom_digest *d)
{
	struct sfiles *sf = ctx;
	const struct sbom_component *c = d->comp;
	struct sfile *f;
	unsigned int h;

	if (!d->file_level || !c || !c->name || !*normalise(c->name))
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	sha256_hex(d->sha256, f->sha);
	f->name = strdup(normalise(c->name));
	if (!f->name || asprintf(&f->label, "%s%s%s (%s line %lu)", c->name,
				 c->version ? " " : "",
				 c->version ? c->version : "", sf->doc,
				 d->line) < 0) {
		free(f->name);
		free(f);
		return -ENOMEM;
	}
	h = sf_hash(f->name);
	f->by_name = sf->name_tab[h];
	sf->name_tab[h] = f;
	h = sf_hash(f->sha);
	f->by_sha = sf->sha_tab[h];
	sf->sha_tab[h] = f;
	sf->n++;
	return 0;
}

static const struct sfile *sf_by_sha(const struct sfiles *sf, const char *sha)
{
	for (const struct sfile *f = sf->sha_tab[sf_hash(sha)]; f; f = f->by_sha)
		if (!strcmp(f->sha, sha))
			return f;
	return NULL;
}

/* The SBOM file at @path or at a tail of it with a folder in it
 * ("opt/app/bin/x", "app/bin/x", "bin/x"; never a bare name). */
static const struct sfile *sf_by_path(const struct sfiles *sf,
				      const char *path)
{
	const char *p = normalise(path);

	while (p && strchr(p, '/')) {
		for (const struct sfile *f = sf->name_tab[sf_hash(p)]; f;
		     f = f->by_name)
			if (!strcmp(f->name, p))
				return f;
		p = strchr(p, '/');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static void sf_free(struct sfiles *sf)
{
	for (int i = 0; i < (1 << SF_BITS); i++) {
		struct sfile *f = sf->name_tab[i], *n;

		for (; f; f = n) {
			n = f->by_name;
			free(f->name);
			free(f->label);
			free(f);
		}
	}
}

/* Each refused file: in an SBOM but not in the policy, listed there with
 * another digest (a stale SBOM or a changed file), or in none. */
static int annotate(struct report *rp, char **sboms, int n)
{
	static struct sfiles sf;
	struct sbom_ops ops = { .digest = sf_digest };
	char err[512];
	int ret = BG_EXIT_OK;

	memset(&sf, 0, sizeof(sf));
	for (int i = 0; i < n; i++) {
		int r;

		sf.doc = sboms[i];
		r = sbom_read(sboms[i], SBOM_FMT_AUTO, &ops, &sf, NULL, err,
			      sizeof(err));
		if (r) {
			pr_err("%s", err);
			ret = r == -EINVAL ? BG_EXIT_INPUT :
			      r == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
			goto out;
		}
	}
	for (struct rec *r = rp->head; r; r = r->all) {
		const struct sfile *f = r->sha[0] ? sf_by_sha(&sf, r->sha) : NULL;
		int len;

		if (f)
			len = asprintf(&r->sbom_note, "listed as %s, not in the policy: compile it from that SBOM again",
				       f->label);
		else if ((f = r->path[0] ? sf_by_path(&sf, r->path) : NULL))
			len = asprintf(&r->sbom_note, "stale SBOM: %s lists this path with sha256 %.16s..., this file is another (updated or replaced since)",
				       f->label, f->sha);
		else
			len = asprintf(&r->sbom_note, "in none of the %d SBOM%s given",
				       n, n > 1 ? "s" : "");
		if (len < 0) {
			r->sbom_note = NULL;
			ret = BG_EXIT_INTERNAL;
			goto out;
		}
	}
out:
	sf_free(&sf);
	return ret;
}

int report_verdict(const struct policy *p, const char *sha)
{
	const struct policy_entry *e;
	__u8 d[32];

	if (!p || strlen(sha) != 64 || sha256_parse_hex(sha, 64, d))
		return 0;
	e = policy__lookup(p, d);
	if (!e)
		return 0;
	return e->flags & POLICY_F_BLOCK ? -1 : 1;
}


const char *advice(const struct rec *r)
{
	if (r->reasons & (1U << BG_REASON_BLOCKED))
		return "blocked on purpose by the policy: remove the block line only if it is wrong";
	if (r->reasons & (1U << BG_REASON_UNKNOWN))
		return r->sha[0] ? "not in any SBOM of the policy: add the SBOM of what ships it, or 'allow SHA256 REASON' in the policy source" :
				   "not in the policy";
	if (r->reasons & (1U << BG_REASON_WRITABLE))
		return "listed, but open for writing when it ran: stop the writer (or replace the file by rename)";
	if (r->reasons & (1U << BG_REASON_UNTRUSTED_FS))
		return "on FUSE or a user-namespace overlay: not measured; run it from a local filesystem";
	if (r->reasons & (1U << BG_REASON_TOO_LARGE))
		return "larger than max-measure-size: raise it in the policy source";
	if (r->reasons & (1U << BG_REASON_UNMEASURED_BUF))
		return "a module loaded from memory (init_module): load it from its file, or 'allow-unmeasured-modules yes'";
	if (r->reasons & (1U << BG_REASON_MAPPED_EXEC))
		return "a writer of a running file: update it by rename instead of in place";
	if (r->reasons & (1U << BG_REASON_SPARSE))
		return "a sparse tmpfs file: copy it with cp --sparse=never";
	return "see the reason in docs/events.md";
}


void summarise(const struct report *rp, const struct policy *next,
		      struct summary *s)
{
	memset(s, 0, sizeof(*s));
	for (const struct rec *r = rp->head; r; r = r->all) {
		s->files[r->rclass]++;
		s->uses[r->rclass] += r->count;
		if (!next)
			continue;
		/* a reason about the file's state stays, whatever the policy */
		if ((r->reasons & ~POLICY_REASONS) ||
		    report_verdict(next, r->sha) <= 0)
			s->against_files[r->rclass]++;
		else
			s->newly_allowed++;
	}
}

void reasons_text(unsigned int bits, char *buf, size_t len)
{
	size_t l = 0;

	buf[0] = '\0';
	for (int i = 0; i < BG_REASON_MAX && l < len; i++)
		if (bits & (1U << i))
			l += snprintf(buf + l, len - l, "%s%s", l ? "," : "",
				      bg_reason_name(i));
}

static void print_text(const struct report *rp, const struct policy *cur,
		       const struct policy *next, const char *next_path)
{
	struct summary s;
	char rs[256];

	summarise(rp, next, &s);
	printf("events:   %llu in %llu lines (%llu skipped), %s to %s\n",
	       (unsigned long long)rp->events, (unsigned long long)rp->lines,
	       (unsigned long long)rp->skipped,
	       rp->first[0] ? rp->first : "-", rp->last[0] ? rp->last : "-");
	if (rp->kernel_entries || rp->kernel_full)
		printf("kernel:   %llu digest counts%s\n",
		       (unsigned long long)rp->kernel_entries,
		       rp->kernel_full ? " (the kernel's table was full: some uses were not counted)" : "");
	if (rp->drops)
		printf("warning:  %llu events were dropped by the kernel: counts are lower bounds\n",
		       (unsigned long long)rp->drops);
	if (rp->tampers)
		printf("tamper:   %llu tamper events: read them first (bomgate events, docs/events.md)\n",
		       (unsigned long long)rp->tampers);
	printf("\nreadiness (what enforcing would have refused):\n");
	for (int c = 0; c < RC_MAX; c++) {
		printf("  %-9s %s", rclass_name[c],
		       s.files[c] ? "NOT READY" : "ready");
		if (s.files[c])
			printf(": %llu distinct files, %llu uses",
			       (unsigned long long)s.files[c],
			       (unsigned long long)s.uses[c]);
		if (next)
			printf("; with %s: %llu", next_path,
			       (unsigned long long)s.against_files[c]);
		printf("\n");
	}
	if (!rp->head)
		printf("\nNothing was denied or would have been.\n");
	else
		printf("\nwould-deny and denied, by file:\n");
	for (const struct rec *r = rp->head; r; r = r->all) {
		reasons_text(r->reasons, rs, sizeof(rs));
		printf("  %s ", rclass_name[r->rclass]);
		text_fput(stdout, r->path[0] ? r->path : "(no path)");
		printf("\n    sha256 %s, %llu uses, %s to %s, %s\n",
		       r->sha[0] ? r->sha : "(not measured)",
		       (unsigned long long)r->count, r->first, r->last, rs);
		for (int i = 0; i < r->nprocs; i++) {
			printf("    by ");
			text_fput(stdout, r->procs[i]);
			printf("\n");
		}
		if (next) {
			int v = report_verdict(next, r->sha);

			printf("    %s: %s\n", next_path,
			       (r->reasons & ~POLICY_REASONS) ?
			       "still denied (not a matter of the policy)" :
			       v > 0 ? "allowed" : v < 0 ? "blocked" :
			       "still not listed");
		}
		if (r->sbom_note) {
			printf("    sbom: ");
			text_fput(stdout, r->sbom_note);
			printf("\n");
		}
		printf("    fix: %s\n", advice(r));
	}
	(void)cur;
}

static void print_json(const struct report *rp, const struct policy *cur,
		       const struct policy *next)
{
	struct json_writer w;
	struct summary s;
	char rs[256];

	(void)cur;
	summarise(rp, next, &s);
	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", REPORT_SCHEMA);
	json_kv_u64(&w, "events", rp->events);
	json_kv_u64(&w, "lines", rp->lines);
	json_kv_u64(&w, "skipped", rp->skipped);
	json_kv_u64(&w, "dropped", rp->drops);
	json_kv_u64(&w, "tampers", rp->tampers);
	json_kv_u64(&w, "allowed", rp->allowed);
	json_kv_u64(&w, "kernel_entries", rp->kernel_entries);
	json_kv_u64(&w, "kernel_full", rp->kernel_full);
	json_kv_string(&w, "first", rp->first);
	json_kv_string(&w, "last", rp->last);
	json_key(&w, "readiness");
	json_object(&w);
	for (int c = 0; c < RC_MAX; c++) {
		json_key(&w, rclass_name[c]);
		json_object(&w);
		json_kv_bool(&w, "ready", !s.files[c]);
		json_kv_u64(&w, "files", s.files[c]);
		json_kv_u64(&w, "uses", s.uses[c]);
		if (next)
			json_kv_u64(&w, "files_against", s.against_files[c]);
		json_end(&w);
	}
	json_end(&w);
	json_key(&w, "files");
	json_array(&w);
	for (const struct rec *r = rp->head; r; r = r->all) {
		json_object(&w);
		json_kv_string(&w, "class", rclass_name[r->rclass]);
		json_kv_string(&w, "path", r->path);
		json_kv_string(&w, "sha256", r->sha);
		json_kv_u64(&w, "uses", r->count);
		json_kv_bool(&w, "enforced", r->enforced);
		json_kv_string(&w, "first", r->first);
		json_kv_string(&w, "last", r->last);
		reasons_text(r->reasons, rs, sizeof(rs));
		json_kv_string(&w, "reasons", rs);
		json_key(&w, "by");
		json_array(&w);
		for (int i = 0; i < r->nprocs; i++)
			json_string(&w, r->procs[i]);
		json_end(&w);
		if (next) {
			int v = report_verdict(next, r->sha);

			json_kv_string(&w, "against",
				       (r->reasons & ~POLICY_REASONS) ? "denied" :
				       v > 0 ? "allowed" : v < 0 ? "blocked" :
				       "unknown");
		}
		if (r->sbom_note)
			json_kv_string(&w, "sbom", r->sbom_note);
		json_kv_string(&w, "fix", advice(r));
		json_end(&w);
	}
	json_end(&w);
	if (next)
		json_kv_u64(&w, "newly_allowed", s.newly_allowed);
	json_end(&w);
	fputc('\n', stdout);
}

/* Coverage: which components of @p ran (allowed digests seen). */
static void print_coverage(const struct report *rp, const struct policy *p,
			   int json)
{
	__u32 nc = policy__nr_components(p), ne = policy__nr_entries(p);
	__u32 *listed = calloc(nc + 1, sizeof(*listed));
	__u32 *ran = calloc(nc + 1, sizeof(*ran));
	struct json_writer w;
	__u32 never = 0;

	if (!listed || !ran)
		goto out;
	for (__u32 i = 0; i < ne; i++) {
		const struct policy_entry *e = policy__entry(p, i);
		char hex[65];
		int created = 0;
		unsigned int h;
		const struct rec *r;

		if (!(e->flags & POLICY_F_ALLOW) || e->component >= nc)
			continue;
		listed[e->component]++;
		sha256_hex(e->sha256, hex);
		h = hash_key(hex, "", 0);
		for (r = rp->ran_tab[h]; r; r = r->next)
			if (!strcmp(r->sha, hex))
				break;
		ran[e->component] += r != NULL;
		(void)created;
	}
	if (json) {
		json_begin(&w, stdout);
		json_object(&w);
		json_kv_string(&w, "schema", "bomgate.coverage/1");
		json_kv_u64(&w, "allowed_events", rp->allowed);
		json_key(&w, "components");
		json_array(&w);
	} else {
		printf("\ncoverage (allowed events: %llu, kernel counts: %llu):\n",
		       (unsigned long long)rp->allowed,
		       (unsigned long long)rp->kernel_entries);
	}
	for (__u32 c = 0; c < nc; c++) {
		const struct policy_component *pc = policy__component(p, c);

		if (!listed[c])
			continue;
		never += !ran[c];
		if (json) {
			json_object(&w);
			json_kv_string(&w, "name", pc->name);
			json_kv_string(&w, "version", pc->version);
			json_kv_u64(&w, "files", listed[c]);
			json_kv_u64(&w, "ran", ran[c]);
			json_end(&w);
		} else {
			printf("  %4u/%-4u ", ran[c], listed[c]);
			print_component_id(pc);
			printf("%s\n", ran[c] ? "" : "  (never ran)");
		}
	}
	if (json) {
		json_end(&w);
		json_kv_u64(&w, "never_ran", never);
		json_end(&w);
		fputc('\n', stdout);
	} else {
		printf("  %u listed components never ran in this window\n", never);
	}
out:
	free(listed);
	free(ran);
}

static void report_free(struct report *rp)
{
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < (1 << HASH_BITS); i++) {
			struct rec *r = (t ? rp->ran_tab : rp->tab)[i], *n;

			for (; r; r = n) {
				n = r->next;
				for (int k = 0; k < r->nprocs; k++)
					free(r->procs[k]);
				free(r->path);
				free(r->sbom_note);
				free(r);
			}
		}
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate report [--policy P.bgp] [--against NEXT.bgp] [--coverage]\n"
"                      [--kernel COVERAGE.json] [--html FILE] [--sbom SBOM]\n"
"                      [--strict] [--json]\n"
"                      [EVENTS.jsonl...]\n"
"\n"
"What enforcing would have refused, from bomgated's event files (the\n"
"events-file and its rotations; '-' reads standard input): per class a\n"
"verdict, per file its digest, uses, first and last time, who tried, and\n"
"what to change.\n"
"  -p, --policy P.bgp     the policy in force (for --coverage)\n"
"  -a, --against NEXT.bgp what a candidate policy would still deny\n"
"  -c, --coverage         which listed components ran (allowed events,\n"
"                         or the kernel's counts: --kernel)\n"
"  -k, --kernel FILE      the kernel's counts (bomgate coverage > FILE)\n"
"  -H, --html FILE        also a self-contained HTML page with the charts\n"
"  -S, --sbom FILE        say per file what the SBOMs list for it: its\n"
"                         digest (the policy is behind), its path with\n"
"                         another digest (a stale SBOM), or nothing\n"
"  -s, --strict           lines that are not events are an error\n"
"  -j, --json             bomgate.report/1 (docs/events.md)\n"
"Exit: 0 every class ready (nothing would be refused), 1 something\n"
"would be refused (with --against: under NEXT), 2 usage, 3 a policy is\n"
"not valid, an SBOM is not, or (--strict) a line is not an event,\n"
"5 cannot read a file.\n");
}

/* The HTML page to @path, whole or not at all (fileio: symlinks refused). */
static int write_html(const char *path, const struct report *rp,
		      const struct policy *next, const char *next_path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return BG_EXIT_INTERNAL;
	report_html(f, rp, next, next_path);
	if (fclose(f)) {
		free(buf);
		return BG_EXIT_INTERNAL;
	}
	ret = fileio_write_file(path, buf, len, 0644, 0);
	free(buf);
	if (ret) {
		pr_err("%s: cannot write: %s", path, fileio_strerror(ret));
		return BG_EXIT_IO;
	}
	return BG_EXIT_OK;
}

static struct policy *open_policy(const char *path, int *ret)
{
	char err[512];
	struct policy *p = policy__open(path, err, sizeof(err));

	if (!p) {
		pr_err("%s: %s", path, err);
		*ret = errno == ENOENT || errno == EACCES ? BG_EXIT_IO :
		       BG_EXIT_INPUT;
	}
	return p;
}

int do_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "against", required_argument, NULL, 'a' },
		{ "coverage", no_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "html", required_argument, NULL, 'H' },
		{ "sbom", required_argument, NULL, 'S' },
		{ "strict", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pol = NULL, *against = NULL, *kernel = NULL, *html = NULL;
	char *sboms[MAX_SBOMS];
	int nsboms = 0;
	struct policy *cur = NULL, *next = NULL;
	int json = 0, strict = 0, coverage = 0, ch, ret = BG_EXIT_OK;
	static struct report rp;
	struct summary s;

	while ((ch = getopt_long(argc, argv, "p:a:ck:H:S:sjh", opts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			if (nsboms == MAX_SBOMS) {
				pr_err("report: at most %d --sbom", MAX_SBOMS);
				return BG_EXIT_USAGE;
			}
			sboms[nsboms++] = optarg;
			break;
		case 'H':
			html = optarg;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'p':
			pol = optarg;
			break;
		case 'a':
			against = optarg;
			break;
		case 'c':
			coverage = 1;
			break;
		case 's':
			strict = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return BG_EXIT_OK;
		default:
			usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if ((optind == argc && !kernel) || (coverage && !pol)) {
		pr_err("report: give event files or --kernel%s",
		       coverage && !pol ? " and --policy for --coverage" : "");
		usage(stderr);
		return BG_EXIT_USAGE;
	}
	memset(&rp, 0, sizeof(rp));
	rp.tail = &rp.head;
	if (pol && !(cur = open_policy(pol, &ret)))
		goto out;
	if (against && !(next = open_policy(against, &ret)))
		goto out;
	for (int i = optind; i < argc && !ret; i++)
		ret = read_events(&rp, argv[i], strict);
	if (!ret && kernel)
		ret = read_kernel(&rp, kernel);
	if (!ret && nsboms)
		ret = annotate(&rp, sboms, nsboms);
	if (ret)
		goto out;
	if (html) {
		ret = write_html(html, &rp, next, against);
		if (ret)
			goto out;
	}
	if (json)
		print_json(&rp, cur, next);
	else
		print_text(&rp, cur, next, against);
	if (coverage)
		print_coverage(&rp, cur, json);
	summarise(&rp, next, &s);
	for (int c = 0; c < RC_MAX; c++)
		if (next ? s.against_files[c] : s.files[c])
			ret = BG_EXIT_FAIL;
out:
	report_free(&rp);
	policy__free(cur);
	policy__free(next);
	return ret;
}
