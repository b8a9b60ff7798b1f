// SPDX-License-Identifier: GPL-2.0
/*
 * trust-apt in the daemon: the "stage" request (bomgate apt-hook, before
 * dpkg unpacks anything) names .deb files; those a trust-apt key of the
 * policy in force vouches for (lib/apt_stage.c, verified in this process)
 * have their files' digests added to the policy in the kernel in one swap,
 * each as a component of its own (package, version, purl). The staged
 * packages stay while a policy trusting their key is in force; "stage"
 * with an empty list retires those dpkg no longer has installed at that
 * version (apt-hook --post, after the transaction).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "apt_stage.h"
#include "control.h"
#include "fileio.h"
#include "daemon.h"
#include "engine.h"
#include "json.h"
#include "log.h"

#define STAGE_MAX_LIST	(1 << 20)	/* bytes of paths in one request */
#define DPKG_STATUS	"/var/lib/dpkg/status"
#define STAGED_FILE	"staged"		/* in state-dir */

static int rec_cmp(const void *a, const void *b)
{
	return memcmp(((const struct bg_policy_rec *)a)->digest,
		      ((const struct bg_policy_rec *)b)->digest, BG_DIGEST_LEN);
}

/* The staged digests as kernel records for @p: sorted, one per digest
 * (the first package that brought it names it), components numbered
 * after @p's own. */
static int stage_recs(const struct daemon *d, const struct policy *p,
		      struct bg_policy_rec **out, __u32 *n)
{
	const struct apt_stage *st = &d->stage;
	struct bg_policy_rec *r;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!st->ndigests)
		return 0;
	r = calloc(st->ndigests, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < st->ndigests; i++) {
		memcpy(r[i].digest, st->digests[i].sha256, BG_DIGEST_LEN);
		r[i].comp = policy__nr_components(p) + st->digests[i].pkg;
		r[i].flags = BG_ENTRY_ALLOW;
	}
	/* stable order of equal digests is not needed: keep the first */
	qsort(r, st->ndigests, sizeof(*r), rec_cmp);
	for (size_t i = 0; i < st->ndigests; i++)
		if (!k || memcmp(r[k - 1].digest, r[i].digest, BG_DIGEST_LEN))
			r[k++] = r[i];
	*out = r;
	*n = k;
	return 0;
}

int daemon_install(struct daemon *d, const struct policy *p,
		   const struct engine_modes *m, __u64 gen)
{
	struct bg_policy_rec *recs;
	__u32 n;
	int ret;

	if (!d->stage.npkgs)
		return engine__install_policy(d->e, p, m, gen);
	ret = stage_recs(d, p, &recs, &n);
	if (!ret)
		ret = engine__install_policy_ext(d->e, p, m, gen, recs, n);
	free(recs);
	return ret;
}

const struct apt_stage_pkg *daemon_staged_pkg(const struct daemon *d,
					      const struct policy *p,
					      __u32 comp)
{
	__u32 base = policy__nr_components(p);

	if (comp < base || comp - base >= d->stage.npkgs)
		return NULL;
	return &d->stage.pkgs[comp - base];
}

/* Keep only the packages @keep says yes to (and their digests). */
static void stage_filter(struct apt_stage *st,
			 int (*keep)(const struct apt_stage_pkg *, void *),
			 void *ctx)
{
	unsigned int *map;
	size_t np = 0, nd = 0;

	map = calloc(st->npkgs ? st->npkgs : 1, sizeof(*map));
	if (!map)
		return;	/* nothing retired this time */
	for (size_t i = 0; i < st->npkgs; i++) {
		if (!keep(&st->pkgs[i], ctx)) {
			map[i] = ~0U;
			apt_stage_pkg_free(&st->pkgs[i]);
			continue;
		}
		map[i] = np;
		st->pkgs[np++] = st->pkgs[i];
	}
	for (size_t i = 0; i < st->ndigests; i++) {
		if (map[st->digests[i].pkg] == ~0U)
			continue;
		st->digests[nd] = st->digests[i];
		st->digests[nd++].pkg = map[st->digests[i].pkg];
	}
	st->npkgs = np;
	st->ndigests = nd;
	free(map);
}

static int key_trusted(const struct apt_stage_pkg *pk, void *ctx)
{
	const struct policy *p = ctx;

	for (__u32 t = 0; t < policy__nr_trusts(p); t++)
		if (!strcmp(policy__trust(p, t)->fpr, pk->fpr))
			return 1;
	return 0;
}

void daemon_stage_policy_changed(struct daemon *d, const struct policy *p)
{
	size_t before = d->stage.npkgs;

	stage_filter(&d->stage, key_trusted, (void *)p);
	if (d->stage.npkgs != before)
		pr_info("trust-apt: %zu staged packages dropped: the new policy no longer trusts their key",
			before - d->stage.npkgs);
}

/* Whether dpkg has @pk installed at its version ("Status: install ok
 * installed" in /var/lib/dpkg/status). */
static int dpkg_installed(const struct apt_stage_pkg *pk, void *ctx)
{
	const char *status = ctx, *s;
	size_t nl = strlen(pk->name);

	for (s = status; s && (s = strstr(s, "Package: ")); s++) {
		const char *end, *v, *st;

		if ((s != status && s[-1] != '\n') ||
		    strncmp(s + 9, pk->name, nl) || s[9 + nl] != '\n')
			continue;
		end = strstr(s, "\n\n");
		v = strstr(s, "\nVersion: ");
		st = strstr(s, "\nStatus: ");
		if (!v || !st || (end && (v > end || st > end)))
			return 0;
		return !strncmp(v + 10, pk->version, strlen(pk->version)) &&
		       v[10 + strlen(pk->version)] == '\n' &&
		       !strncmp(st + 9, "install ok installed\n", 21);
	}
	return 0;
}

/* state-dir/staged: the .deb paths of the staged packages, NUL-terminated,
 * staged again (and so verified again) at the next fresh start. */
static void stage_save(struct daemon *d)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!d->conf->state_dir)
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	for (size_t i = 0; i < d->stage.npkgs; i++)
		fwrite(d->stage.pkgs[i].deb, 1, strlen(d->stage.pkgs[i].deb) + 1,
		       f);
	if (fclose(f))
		return;
	snprintf(path, sizeof(path), "%s/%s", d->conf->state_dir, STAGED_FILE);
	ret = fileio_write_file(path, buf, len, 0600, 0);
	if (ret)
		pr_warn("trust-apt: cannot keep the staged packages in %s (a restart will not stage them again): %s",
			path, strerror(-ret));
	free(buf);
}

struct stage_ctx {
	struct daemon *d;
	FILE *f;
	struct json_writer *w;
	int refused;
};

static void on_deb(void *ctx, const char *deb, const struct apt_stage_pkg *pk,
		   const char *why)
{
	struct stage_ctx *c = ctx;
	struct json_writer *w = c->w;

	daemon_package_event(c->d, deb, pk, why);
	if (pk)
		pr_info("trust-apt: staged %s %s %s (%zu files) from %s, signed by %s",
			pk->name, pk->version, pk->arch, pk->nfiles, pk->repo,
			pk->fpr);
	else
		pr_warn("trust-apt: %s gets nothing: %s", deb, why);
	c->refused += !pk;
	json_object(w);
	json_kv_string(w, "deb", deb);
	json_kv_bool(w, "staged", !!pk);
	if (pk) {
		json_kv_string(w, "package", pk->name);
		json_kv_string(w, "version", pk->version);
		json_kv_string(w, "repository", pk->repo);
		json_kv_u64(w, "files", pk->nfiles);
	} else {
		json_kv_string(w, "reason", "untrusted-package");
		json_kv_string(w, "detail", why);
	}
	json_end(w);
}

/* The NUL-terminated paths in @fd (at most STAGE_MAX_LIST bytes). */
static int read_list(int fd, char **buf, char ***paths, int *n)
{
	struct stat sb;
	ssize_t got;
	char *p;

	*buf = NULL;
	*paths = NULL;
	*n = 0;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
	    sb.st_size > STAGE_MAX_LIST)
		return -EINVAL;
	*buf = malloc(sb.st_size + 1);
	if (!*buf)
		return -ENOMEM;
	got = pread(fd, *buf, sb.st_size, 0);
	if (got != sb.st_size)
		return -EIO;
	(*buf)[got] = '\0';
	if (got && (*buf)[got - 1] != '\0')
		return -EINVAL;
	for (p = *buf; p < *buf + got; p += strlen(p) + 1)
		(*n)++;
	if (*n > APT_STAGE_MAX_DEBS)
		return -E2BIG;
	*paths = calloc(*n ? *n : 1, sizeof(**paths));
	if (!*paths)
		return -ENOMEM;
	*n = 0;
	for (p = *buf; p < *buf + got; p += strlen(p) + 1) {
		if (*p != '/')
			return -EINVAL;
		(*paths)[(*n)++] = p;
	}
	return 0;
}

static int reinstall(struct daemon *d, char *err, size_t errlen)
{
	struct engine_modes m;
	__u64 gen;
	int ret;

	/* the modes in force stay: only the allowlist grows or shrinks */
	ret = engine__get_modes(d->e, &m);
	if (ret) {
		snprintf(err, errlen, "cannot read the kernel's modes: %s",
			 strerror(-ret));
		return ret;
	}
	gen = gen_next(d->generation, policy__version(d->pol));
	ret = daemon_install(d, d->pol, &m, gen);
	if (ret) {
		snprintf(err, errlen, "cannot install the staged digests in the kernel: %s",
			 strerror(-ret));
		return ret;
	}
	/* events of the generation before name the same policy */
	if (d->prev_pol != d->pol)
		policy__free(d->prev_pol);
	d->prev_pol = d->pol;
	d->prev_generation = d->generation;
	d->generation = gen;
	kstate_remember(d);
	return 0;
}

static void on_restored(void *ctx, const char *deb,
			const struct apt_stage_pkg *pk, const char *why)
{
	if (pk)
		pr_info("trust-apt: %s %s staged again (verified again) from %s",
			pk->name, pk->version, pk->repo);
	else
		pr_warn("trust-apt: %s, staged before, gets nothing now: %s",
			deb, why);
}

void daemon_stage_restore(struct daemon *d, const struct policy *p)
{
	char path[4096], err[1024], *buf = NULL, **paths = NULL, *s;
	size_t len;
	int n = 0, ret;

	if (!d->conf->state_dir || !policy__nr_trusts(p))
		return;
	snprintf(path, sizeof(path), "%s/%s", d->conf->state_dir, STAGED_FILE);
	ret = fileio_read_file(path, STAGE_MAX_LIST, (void **)&buf, &len);
	if (ret || !len || buf[len - 1]) {
		if (ret && ret != -ENOENT)
			pr_warn("%s: %s", path, strerror(-ret));
		free(buf);
		return;
	}
	for (s = buf; s < buf + len; s += strlen(s) + 1)
		n++;
	paths = calloc(n, sizeof(*paths));
	n = 0;
	for (s = buf; paths && s < buf + len; s += strlen(s) + 1)
		if (*s == '/' && access(s, R_OK) == 0)
			paths[n++] = s;
		else
			pr_warn("trust-apt: %s, staged before, is gone: its files are denied until it is installed again",
				s);
	if (paths && n) {
		ret = apt_stage_debs(p, d->conf->apt_lists, paths, n,
				     time(NULL), &d->stage, on_restored, d, err,
				     sizeof(err));
		if (ret < 0) {
			pr_err("trust-apt: the staged packages are not restored: %s",
			       err);
			apt_stage_free(&d->stage);
		}
	}
	free(paths);
	free(buf);
}

int daemon_stage(struct daemon *d, int cfd, int listfd, char *err,
		 size_t errlen)
{
	struct stage_ctx c = { .d = d };
	size_t pk0 = d->stage.npkgs, dg0 = d->stage.ndigests, len;
	char *buf = NULL, **paths = NULL, *text = NULL;
	struct json_writer w;
	int n, ret, staged = 0, retired = 0;
	FILE *f = NULL;

	ret = read_list(listfd, &buf, &paths, &n);
	if (ret) {
		snprintf(err, errlen, "stage: the list of .deb files is not absolute paths, each NUL-terminated, at most %d (%s)",
			 APT_STAGE_MAX_DEBS, strerror(-ret));
		goto fail;
	}
	if (!d->pol || !policy__nr_trusts(d->pol)) {
		snprintf(err, errlen, "stage: the policy in force has no trust-apt line: %s",
			 n ? "the packages get nothing (their programs are denied unless the policy lists them)" :
			 "nothing staged");
		ret = -ENOENT;
		goto fail;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	c.f = f;
	c.w = &w;
	json_begin(&w, f);
	json_object(&w);
	json_kv_bool(&w, "ok", true);
	json_key(&w, "debs");
	json_array(&w);
	if (n) {
		ret = apt_stage_debs(d->pol, d->conf->apt_lists, paths, n,
				     time(NULL), &d->stage, on_deb, &c, err,
				     errlen);
		if (ret < 0)
			goto undo;
		staged = ret;
	} else {
		/* after the transaction: what dpkg replaced or removed */
		char *status = NULL;
		size_t slen;

		const char *sp = d->conf->dpkg_status ?
				 d->conf->dpkg_status : DPKG_STATUS;

		ret = fileio_read_file(sp, 256 << 20, (void **)&status, &slen);
		if (ret) {
			snprintf(err, errlen, "%s: %s", sp, strerror(-ret));
			goto undo;
		}
		stage_filter(&d->stage, dpkg_installed, status);
		free(status);
		retired = pk0 - d->stage.npkgs;
	}
	json_end(&w);
	if ((staged || retired) && (ret = reinstall(d, err, errlen)))
		goto undo;
	json_kv_u64(&w, "staged", staged);
	json_kv_u64(&w, "retired", retired);
	json_kv_u64(&w, "refused", c.refused);
	json_kv_u64(&w, "packages", d->stage.npkgs);
	json_kv_u64(&w, "digests", d->stage.ndigests);
	json_end(&w);
	fclose(f);
	f = NULL;
	if (retired)
		pr_info("trust-apt: %d staged packages retired (no longer installed at that version)",
			retired);
	stage_save(d);
	if (len >= CTL_MAX_REPLY)
		snprintf(text, len, "{\"ok\":true,\"staged\":%d,\"retired\":%d,\"refused\":%d,\"truncated\":true}",
			 staged, retired, c.refused);
	send(cfd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(text);
	free(paths);
	free(buf);
	return 0;
undo:
	/* nothing half-done: the kernel and the list stay as they were */
	for (size_t i = pk0; i < d->stage.npkgs; i++)
		apt_stage_pkg_free(&d->stage.pkgs[i]);
	if (n) {
		d->stage.npkgs = pk0;
		d->stage.ndigests = dg0;
	}
fail:
	if (f)
		fclose(f);
	free(text);
	free(paths);
	free(buf);
	pr_err("%s", err);
	daemon_note(d, "stage", 0, err);
	return ret ? ret : -EINVAL;
}
