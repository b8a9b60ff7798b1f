// SPDX-License-Identifier: GPL-2.0
/*
 * Verify a policy, check it against the lock-out guard (guard.c) and the
 * policy in force (anti-rollback), install it and set the modes. Nothing in the
 * kernel changes until every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "engine.h"
#include "fileio.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"
#include "sign.h"

/* Read, verify and parse; @signers gets the subjects. */
static struct policy *policy_verified(const char *path, const char *sig,
				      const char *const *trust, int nr_trust,
				      int min_signers, char *signers,
				      size_t slen, char *err, size_t errlen)
{
	struct policy_trust t = {
		.trust = trust,
		.nr_trust = nr_trust,
		.sigs = sig ? &sig : NULL,
		.nr_sigs = sig ? 1 : 0,
		.min_signers = min_signers,
	};
	struct policy_open_result r;
	struct policy *p;

	if (!nr_trust)
		pr_warn("INSECURE: policy %s is loaded WITHOUT signature verification (--insecure-unsigned); anyone who can write it controls what runs",
			path);
	p = policy__open_verified(path, &t, &r);
	if (!p) {
		snprintf(err, errlen, "%s", r.err);
		if (r.step == POLICY_STEP_VERIFY)
			errno = EKEYREJECTED;
		return NULL;
	}
	if (!r.verified) {
		snprintf(signers, slen, "(unsigned)");
		return p;
	}
	signers[0] = '\0';
	for (int i = 0; i < r.sign.nr_signers; i++) {
		size_t l = strlen(signers);

		snprintf(signers + l, slen - l, "%s%s", i ? "; " : "",
			 r.sign.signers[i]);
	}
	return p;
}

__u64 gen_next(__u64 cur, __u64 version)
{
	__u64 cnt = 1;

	version &= (1ULL << (64 - GEN_SHIFT)) - 1;
	if (GEN_VERSION(cur) == version)
		cnt = ((cur & ((1ULL << GEN_SHIFT) - 1)) + 1) &
		      ((1ULL << GEN_SHIFT) - 1);
	return version << GEN_SHIFT | (cnt ? cnt : 1);
}

/*
 * The last known good policy: a copy of the bytes that verified and went
 * into force, and their signature, in state-dir. A reboot (no pins) whose
 * configured policy does not verify enforces it instead; its version is
 * the anti-rollback floor of a fresh start.
 */
#define LKG_NAME	"last-good.bgp"
#define LKG_SIG_NAME	"last-good.bgp" POLICY_SIG_SUFFIX

static int lkg_path(const struct daemon_conf *c, const char *name,
		    char *buf, size_t len)
{
	if (!c->state_dir || !*c->state_dir)
		return -ENOENT;
	if ((size_t)snprintf(buf, len, "%s/%s", c->state_dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Is the kept copy already these bytes (digest @sha) and this signature? */
static int lkg_same(const char *dst, const char *dsig, const __u8 *sha,
		    const void *sig, size_t slen)
{
	void *kept = NULL;
	size_t klen = 0;
	__u8 have[32];
	int same;

	if (sha256_file(dst, have) || memcmp(have, sha, sizeof(have)))
		return 0;
	if (fileio_read_file(dsig, 1 << 20, &kept, &klen))
		return !slen && access(dsig, F_OK);
	same = klen == slen && !memcmp(kept, sig, slen);
	free(kept);
	return same;
}

/* Keep @p (read from @path, signature @sig) as the last known good one. */
static void lkg_save(const struct daemon_conf *c, const struct policy *p,
		     const char *path, const char *sig)
{
	char dst[PATH_MAX], dsig[PATH_MAX], sigbuf[PATH_MAX], hex[65];
	void *buf = NULL, *sbuf = NULL;
	size_t len, slen = 0;
	__u8 sha[32];
	int ret;

	if (lkg_path(c, LKG_NAME, dst, sizeof(dst)) ||
	    lkg_path(c, LKG_SIG_NAME, dsig, sizeof(dsig)) || !strcmp(path, dst))
		return;
	if (!sig) {
		snprintf(sigbuf, sizeof(sigbuf), "%s%s", path,
			 POLICY_SIG_SUFFIX);
		sig = sigbuf;
	}
	ret = fileio_read_file(path, BGP_MAX_FILE_SIZE, &buf, &len);
	if (ret)
		goto out;
	/* the bytes that verified, not whatever replaced them since */
	ret = sha256_buf(buf, len, sha);
	if (!ret && memcmp(sha, policy__file_sha256(p), sizeof(sha)))
		ret = -ESTALE;
	if (ret)
		goto out;
	ret = fileio_read_file(sig, 1 << 20, &sbuf, &slen);
	if (ret == -ENOENT) {
		/* unsigned (--insecure-unsigned): no stale signature kept */
		slen = 0;
		ret = 0;
	}
	if (ret)
		goto out;
	if (lkg_same(dst, dsig, sha, sbuf, slen))
		goto out_free;	/* every start re-applies it: no write (flash) */
	/* signature first: a crash between the two leaves a policy whose
	 * signature does not match, refused at the next boot (never a
	 * policy that passes with the wrong signature) */
	if (slen)
		ret = fileio_write_file(dsig, sbuf, slen, 0600, 0);
	else if (unlink(dsig) && errno != ENOENT)
		ret = -errno;
	if (!ret)
		ret = fileio_write_file(dst, buf, len, 0600, 0);
out:
	if (ret) {
		pr_warn("cannot keep the policy as the last known good one in %s: %s",
			c->state_dir, fileio_strerror(ret));
	} else {
		sha256_hex(sha, hex);
		pr_info("kept as the last known good policy: %s (sha256 %s)",
			dst, hex);
	}
out_free:
	free(buf);
	free(sbuf);
}

/* Version of the last known good policy, 0 if none (unverified: whoever
 * can write it can also delete it). */
static __u64 lkg_version(const struct daemon_conf *c)
{
	char path[PATH_MAX], err[256];
	struct policy *p;
	__u64 v;

	if (lkg_path(c, LKG_NAME, path, sizeof(path)) || access(path, F_OK))
		return 0;
	p = policy__open(path, err, sizeof(err));
	if (!p)
		return 0;
	v = policy__version(p);
	policy__free(p);
	return v;
}

static int policy_apply_from(struct daemon *d, const char *path,
			     const char *sig, int reload, char *err,
			     size_t errlen)
{
	const struct daemon_conf *c = d->conf;
	char signers[sizeof(d->signers)];
	struct engine_modes m;
	const char *trust[DCONF_MAX_LIST];
	int ret, held, nr_trust, min_signers;
	struct policy *p;
	__u64 gen, ver, floor;
	const char *what = "in force";

	ret = seal_trust(d, trust, &nr_trust, &min_signers, err, errlen);
	if (ret)
		return ret;
	p = policy_verified(path, sig, trust, nr_trust, min_signers, signers,
			    sizeof(signers), err, errlen);
	if (!p)
		return -errno;
	ver = policy__version(p);
	floor = GEN_VERSION(d->generation);
	if (!d->generation) {
		floor = lkg_version(c);
		what = "last known good (state-dir)";
	}
	if (ver < floor) {
		if (!c->allow_rollback || d->seal.sealed) {
			snprintf(err, errlen, "%s: policy version %llu is older than version %llu %s (anti-rollback; --allow-rollback overrides)",
				 path, (unsigned long long)ver,
				 (unsigned long long)floor, what);
			ret = -ESTALE;
			goto fail;
		}
		pr_warn("rolling back from policy version %llu to %llu (--allow-rollback)",
			(unsigned long long)floor, (unsigned long long)ver);
	}
	engine_modes_of_policy(p, &m);
	if (c->mode >= 0) {
		/* the daemon's --mode: every class, in every scope */
		memset(m.mode, c->mode, sizeof(m.mode));
		for (__u32 s = 0; s < m.nr_scopes; s++)
			memset(m.scope[s].mode, BG_MODE_INHERIT,
			       sizeof(m.scope[s].mode));
	}
	/* a scope path that is not a cgroup refuses the policy; one that
	 * does not exist yet (at boot, most slices) is pending: no task is
	 * in it, and the daemon gives it its id once it exists */
	ret = engine_scopes_resolve(p, &m, err, errlen);
	if (ret)
		goto fail;
	for (__u32 s = 0; s < m.nr_scopes; s++)
		if (m.scope[s].cgroup_id == BG_SCOPE_PENDING)
			pr_warn("scope %s (policy source line %u): no such cgroup yet; it takes effect when it appears (checked every second: processes started in it within that second follow the enclosing scope's modes)",
				policy__scope(p, s)->path,
				policy__scope(p, s)->line);
	ret = seal_check_load(d, p, &m, err, errlen);
	if (ret)
		goto fail;
	held = guard_hold(d, p, &m);
	gen = gen_next(d->generation, ver);
	/* staged packages stay while their key is trusted; a daemon that
	 * starts stages again what it staged before */
	if (!d->pol)
		daemon_stage_restore(d, p);
	daemon_stage_policy_changed(d, p);
	ret = daemon_install(d, p, &m, gen);
	if (ret) {
		snprintf(err, errlen, "cannot install the policy in the kernel: %s",
			 strerror(-ret));
		goto fail;
	}
	/* events decided against the old one may still be in the ring */
	if (d->prev_pol != d->pol)	/* a staging kept the same one */
		policy__free(d->prev_pol);
	d->prev_pol = d->pol;
	d->prev_generation = d->generation;
	d->pol = p;
	d->generation = gen;
	kstate_remember(d);
	if (seal_update(d, p, trust, nr_trust, min_signers, err, errlen)) {
		/* the policy is in force: the seal is what failed */
		pr_err("%s", err);
		daemon_note(d, "seal", 0, err);
	}
	d->held_back = held;
	sha256_hex(policy__file_sha256(p), d->policy_sha);
	memcpy(d->signers, signers, sizeof(signers));
	snprintf(d->policy_path, sizeof(d->policy_path), "%s", path);
	d->fallback = 0;
	pr_info("%s policy '%s' version %llu (sha256 %s, %u entries, signed by %s), generation %#llx",
		reload ? "reloaded" : "loaded", policy__name(p),
		(unsigned long long)ver, d->policy_sha, policy__nr_entries(p),
		d->signers, (unsigned long long)gen);
	lkg_save(c, p, path, sig);
	return 0;
fail:
	policy__free(p);
	return ret;
}

static int scope_changed(void *ctx, __u32 idx, __u64 old_id, __u64 new_id)
{
	const struct policy_scope *ps = policy__scope(ctx, idx);

	if (new_id == BG_SCOPE_PENDING)
		pr_warn("scope %s (line %u): the cgroup is gone; pending until it appears again",
			ps->path, ps->line);
	else
		pr_info("scope %s (line %u): cgroup %s (id %llu)", ps->path,
			ps->line, old_id == BG_SCOPE_PENDING ? "appeared" :
			"recreated", (unsigned long long)new_id);
	return 0;
}

void daemon_scopes_refresh(struct daemon *d)
{
	int ret;

	if (!d->pol || !policy__nr_scopes(d->pol))
		return;
	ret = engine__refresh_scopes(d->e, d->pol, scope_changed, d->pol);
	if (ret && ret != d->scope_err)
		pr_err("cannot update the policy's scopes in the kernel: %s",
		       strerror(-ret));
	d->scope_err = ret;
}

int daemon_policy_apply(struct daemon *d, int reload, char *err,
			size_t errlen)
{
	return policy_apply_from(d, d->conf->policy, d->conf->signature,
				 reload, err, errlen);
}

int daemon_policy_fallback(struct daemon *d, const char *why)
{
	char path[PATH_MAX], sig[PATH_MAX], err[1024];
	int ret;

	if (lkg_path(d->conf, LKG_NAME, path, sizeof(path)) ||
	    lkg_path(d->conf, LKG_SIG_NAME, sig, sizeof(sig)) ||
	    access(path, F_OK))
		return -ENOENT;
	ret = policy_apply_from(d, path, sig, 0, err, sizeof(err));
	if (ret) {
		pr_err("the last known good policy is refused too: %s", err);
		return ret;
	}
	d->fallback = 1;
	snprintf(d->fallback_why, sizeof(d->fallback_why), "%s", why);
	pr_warn("enforcing the last known good policy %s instead of %s, which was refused: %s",
		path, d->conf->policy, why);
	return 0;
}

const struct policy *daemon_policy_of(const struct daemon *d,
				      __u64 generation)
{
	if (!generation)
		return NULL;
	if (generation == d->generation)
		return d->pol;
	if (generation == d->prev_generation)
		return d->prev_pol;
	return NULL;
}

int daemon_set_mode(struct daemon *d, int cls, int mode, int authorised,
		    char *err, size_t errlen)
{
	struct engine_modes m;
	int ret, lower = 0;

	ret = engine__get_modes(d->e, &m);
	if (ret)
		goto kerr;
	/* a mode set at run time holds everywhere: globally and in every
	 * scope, until the next policy load brings the scopes' back */
	for (int i = 0; i < BG_CLASS_MAX; i++) {
		if (cls >= 0 && cls != i)
			continue;
		lower |= mode < engine_modes_max(&m, i);
		if (mode < engine_modes_max(&m, i) && !authorised &&
		    seal_refuse(d, "lowering a mode",
						    err, errlen))
			return -EPERM;
		m.mode[i] = mode;
		for (__u32 s = 0; s < m.nr_scopes; s++)
			m.scope[s].mode[i] = BG_MODE_INHERIT;
	}
	if (guard_hold(d, d->pol, &m)) {
		size_t l;

		if (!policy__nr_allowed(d->pol)) {
			snprintf(err, errlen, "the policy allows nothing: not enforced without --force");
			return -EPERM;
		}
		l = snprintf(err, errlen, "lock-out guard: the policy would deny");

		for (int i = 0; i < d->guard.n && l < errlen; i++)
			l += snprintf(err + l, errlen - l, " %s", d->guard.path[i]);
		return -EPERM;
	}
	/* scopes first when lowering, last when raising: never stricter
	 * than before or after */
	if (lower)
		ret = engine__set_scope_modes(d->e, &m);
	if (!ret)
		ret = engine__set_modes(d->e, &m, false);
	if (!ret && !lower)
		ret = engine__set_scope_modes(d->e, &m);
	if (ret)
		goto kerr;
	kstate_remember(d);
	d->held_back = 0;
	pr_info("mode %s for %s", bg_mode_name(mode),
		cls < 0 ? "every class" : bg_class_name(cls));
	return 0;
kerr:
	snprintf(err, errlen, "cannot update the configuration map: %s",
		 strerror(-ret));
	return ret;
}
