// SPDX-License-Identifier: GPL-2.0
/*
 * trust-apt staging (apt_stage.h): the repositories of apt's lists
 * directory verified against the policy's keys, then each .deb read once
 * (lib/deb.c) and looked up in them by name, version and architecture,
 * its SHA-256 and size compared with the stanza.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apt_stage.h"
#include "deb.h"

struct vrepo {
	const struct policy_apt_trust *t;
	struct apt_repo repo;
	char *release;		/* lists file */
	char *packages;
};

struct lists {
	struct vrepo *v;
	size_t n;
	char refusals[1024];	/* why repositories were refused, "; " */
	size_t refused;
};

/* apt's name of a lists file: the URI with '/' as '_' and '_' as "%5f". */
static char *unescape_index(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '_') {
			*o++ = '/';
		} else if (!strncasecmp(s, "%5f", 3)) {
			*o++ = '_';
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

/* One Release (@rel, with @sig or clearsigned) and one of its Packages
 * files verified against @t: kept in @l when it verifies. */
static int try_repo(struct lists *l, const struct policy_apt_trust *t,
		    const char *dir, const char *rel, const char *sig,
		    const char *pk, const char *prefix, time_t now)
{
	struct apt_verify_opts o = { .key = t->fpr, .pinned_key = t->key,
				     .pinned_len = t->key_len, .now = now };
	char relp[4096], sigp[4096], pkp[4096], err[512], *idx, *ext;
	struct vrepo *v;
	int ret;

	idx = unescape_index(pk + strlen(prefix));
	if (!idx)
		return -ENOMEM;
	/* a compressed copy is checked as the index it decompresses to */
	ext = strstr(idx, "Packages.");
	if (ext)
		ext[strlen("Packages")] = '\0';
	snprintf(relp, sizeof(relp), "%s/%s", dir, rel);
	snprintf(sigp, sizeof(sigp), "%s/%s", dir, sig ? sig : "");
	snprintf(pkp, sizeof(pkp), "%s/%s", dir, pk);
	o.release = relp;
	o.release_sig = sig ? sigp : NULL;
	o.packages = pkp;
	o.index = idx;
	v = reallocarray(l->v, l->n + 1, sizeof(*l->v));
	if (!v) {
		free(idx);
		return -ENOMEM;
	}
	l->v = v;
	v = &l->v[l->n];
	memset(v, 0, sizeof(*v));
	ret = apt_repo_verify(&o, &v->repo, err, sizeof(err));
	free(idx);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		size_t used = strlen(l->refusals);

		if (used < sizeof(l->refusals) - 1)
			snprintf(l->refusals + used, sizeof(l->refusals) - used,
				 "%s%s", l->refused ? "; " : "", err);
		l->refused++;
		return 0;
	}
	v->t = t;
	v->release = strdup(relp);
	v->packages = strdup(pkp);
	if (!v->release || !v->packages) {
		free(v->release);
		free(v->packages);
		apt_repo_free(&v->repo);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static int load_lists(struct lists *l, const struct policy *p,
		      const char *dir, time_t now, char *err, size_t errlen)
{
	struct dirent **names;
	int n, ret = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < n && !ret; i++) {
		const char *rel = names[i]->d_name, *sig = NULL;
		char prefix[512], signame[512];
		size_t plen;

		if (has_suffix(rel, "_InRelease")) {
			plen = strlen(rel) - strlen("InRelease");
		} else if (has_suffix(rel, "_Release")) {
			plen = strlen(rel) - strlen("Release");
			snprintf(signame, sizeof(signame), "%s.gpg", rel);
			sig = signame;
		} else {
			continue;
		}
		if (plen >= sizeof(prefix))
			continue;
		memcpy(prefix, rel, plen);
		prefix[plen] = '\0';
		for (int j = 0; j < n && !ret; j++) {
			const char *pk = names[j]->d_name;

			if (strncmp(pk, prefix, plen) ||
			    !(has_suffix(pk, "_Packages") ||
			      has_suffix(pk, "_Packages.lz4") ||
			      has_suffix(pk, "_Packages.gz") ||
			      has_suffix(pk, "_Packages.xz") ||
			      has_suffix(pk, "_Packages.zst")))
				continue;
			for (__u32 t = 0; t < policy__nr_trusts(p) && !ret; t++)
				ret = try_repo(l, policy__trust(p, t), dir, rel,
					       sig, pk, prefix, now);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret)
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
	return ret;
}

static void lists_free(struct lists *l)
{
	for (size_t i = 0; i < l->n; i++) {
		apt_repo_free(&l->v[i].repo);
		free(l->v[i].release);
		free(l->v[i].packages);
	}
	free(l->v);
}

static int match(const char *pat, const char *s)
{
	return !*pat || (s && !fnmatch(pat, s, 0));
}

static int add_pkg(struct apt_stage *st, const char *path,
		   const struct deb *d, const struct vrepo *v)
{
	const struct apt_release *r = &v->repo.release;
	struct apt_stage_digest *dg;
	struct apt_stage_pkg *pk;
	char repo[512];

	/* staged already (a reinstall, a restart): once is enough */
	for (size_t i = 0; i < st->npkgs; i++)
		if (!strcmp(st->pkgs[i].name, d->name) &&
		    !strcmp(st->pkgs[i].arch, d->arch) &&
		    !memcmp(st->pkgs[i].deb_sha256, d->sha256, SHA256_LEN))
			return i;
	pk = reallocarray(st->pkgs, st->npkgs + 1, sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	st->pkgs = pk;
	dg = reallocarray(st->digests, st->ndigests + d->nfiles + 1,
			  sizeof(*dg));
	if (!dg)
		return -ENOMEM;
	st->digests = dg;
	pk = &st->pkgs[st->npkgs];
	memset(pk, 0, sizeof(*pk));
	snprintf(repo, sizeof(repo), "%s %s", r->origin ? r->origin : "-",
		 r->suite ? r->suite : r->codename ? r->codename : "-");
	pk->name = strdup(d->name);
	pk->version = strdup(d->version);
	pk->arch = strdup(d->arch);
	pk->repo = strdup(repo);
	pk->release = strdup(v->release);
	pk->deb = strdup(path);
	if (!pk->name || !pk->version || !pk->arch || !pk->repo ||
	    !pk->release || !pk->deb) {
		apt_stage_pkg_free(pk);
		return -ENOMEM;
	}
	memcpy(pk->fpr, v->repo.fpr, sizeof(pk->fpr));
	pk->trust_line = v->t->line;
	memcpy(pk->deb_sha256, d->sha256, SHA256_LEN);
	pk->nfiles = d->nfiles;
	for (size_t i = 0; i < d->nfiles; i++) {
		memcpy(dg[st->ndigests].sha256, d->files[i].sha256,
		       SHA256_LEN);
		dg[st->ndigests].pkg = st->npkgs;
		st->ndigests++;
	}
	return st->npkgs++;
}

/* The repository that vouches for @d, or NULL with @why. */
static const struct vrepo *find(const struct lists *l, const struct deb *d,
				char *why, size_t whylen)
{
	char got[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	const struct vrepo *excluded = NULL;

	*why = '\0';
	for (size_t i = 0; i < l->n; i++) {
		const struct vrepo *v = &l->v[i];
		const struct apt_release *r = &v->repo.release;
		const struct apt_pkg *pk;

		pk = apt_packages_find(&v->repo.packages, d->name, d->version,
				       d->arch);
		if (!pk)
			continue;
		if (pk->size != d->size ||
		    memcmp(pk->sha256, d->sha256, SHA256_LEN)) {
			sha256_hex(d->sha256, got);
			sha256_hex(pk->sha256, want);
			snprintf(why, whylen, "SHA-256 %s (%llu bytes) differs "
				 "from %s:%lu (%s, %llu bytes)", got, d->size,
				 v->packages, pk->line, want, pk->size);
			continue;
		}
		if (!match(v->t->origin, r->origin) ||
		    !(match(v->t->suite, r->suite) ||
		      match(v->t->suite, r->codename)) ||
		    !match(v->t->package, d->name)) {
			excluded = v;
			continue;
		}
		return v;
	}
	if (*why)
		return NULL;
	if (excluded) {
		snprintf(why, whylen, "%s (%s %s) is signed by %s, but its "
			 "trust-apt line %u does not cover it (origin=%s "
			 "suite=%s package=%s)", excluded->release,
			 excluded->repo.release.origin ?
			 excluded->repo.release.origin : "-",
			 excluded->repo.release.suite ?
			 excluded->repo.release.suite : "-",
			 excluded->t->fpr, excluded->t->line,
			 *excluded->t->origin ? excluded->t->origin : "*",
			 *excluded->t->suite ? excluded->t->suite : "*",
			 *excluded->t->package ? excluded->t->package : "*");
		return NULL;
	}
	snprintf(why, whylen, "%s %s %s is in no Packages index signed by a "
		 "trusted key (%zu verified%s%s)", d->name, d->version, d->arch,
		 l->n, l->refused ? "; refused: " : "",
		 l->refused ? l->refusals : "");
	return NULL;
}

int apt_stage_debs(const struct policy *p, const char *dir,
		   char *const *debs, int ndebs, time_t now,
		   struct apt_stage *st, apt_stage_cb cb, void *ctx,
		   char *err, size_t errlen)
{
	struct lists l = { 0 };
	char why[1024];
	int ret = 0, staged = 0;

	*err = '\0';
	if (!policy__nr_trusts(p)) {
		snprintf(err, errlen, "the policy has no trust-apt line");
		return -ENOKEY;
	}
	if (ndebs > APT_STAGE_MAX_DEBS) {
		snprintf(err, errlen, "%d packages at once, at most %d",
			 ndebs, APT_STAGE_MAX_DEBS);
		return -E2BIG;
	}
	ret = load_lists(&l, p, dir ? dir : APT_LISTS_DIR, now, err, errlen);
	for (int i = 0; !ret && i < ndebs; i++) {
		const struct vrepo *v = NULL;
		struct deb d;
		int idx = 0;

		ret = deb_read(debs[i], DEB_READ_DATA, &d, why, sizeof(why));
		if (ret == -ENOMEM)
			break;
		if (!ret) {
			v = find(&l, &d, why, sizeof(why));
			if (v)
				idx = add_pkg(st, debs[i], &d, v);
			deb_free(&d);
			if (idx < 0) {
				ret = idx;
				break;
			}
		}
		ret = 0;
		if (v)
			staged++;
		if (cb)
			cb(ctx, debs[i], v ? &st->pkgs[idx] : NULL,
			   v ? NULL : why);
	}
	lists_free(&l);
	if (ret && !*err)
		snprintf(err, errlen, "%s", strerror(-ret));
	return ret ? ret : staged;
}

void apt_stage_pkg_free(struct apt_stage_pkg *pk)
{
	free(pk->name);
	free(pk->version);
	free(pk->arch);
	free(pk->repo);
	free(pk->release);
	free(pk->deb);
	memset(pk, 0, sizeof(*pk));
}

void apt_stage_free(struct apt_stage *st)
{
	for (size_t i = 0; i < st->npkgs; i++)
		apt_stage_pkg_free(&st->pkgs[i]);
	free(st->pkgs);
	free(st->digests);
	memset(st, 0, sizeof(*st));
}
