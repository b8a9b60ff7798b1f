// SPDX-License-Identifier: GPL-2.0
/*
 * Verify a policy, check it against the lock-out guard (guard.c) and the
 * policy in force (anti-rollback), install it and set the modes. Nothing in the
 * kernel changes until every check passed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"
#include "sign.h"

/* Read, verify and parse; @signers gets the subjects. */
static struct policy *policy_verified(const struct daemon_conf *c,
				      const char *const *trust, int nr_trust,
				      int min_signers, char *signers,
				      size_t slen, char *err, size_t errlen)
{
	const char *sig = c->signature;
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
			c->policy);
	p = policy__open_verified(c->policy, &t, &r);
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

int daemon_policy_apply(struct daemon *d, int reload, char *err,
			size_t errlen)
{
	const struct daemon_conf *c = d->conf;
	char signers[sizeof(d->signers)];
	struct engine_modes m;
	const char *trust[DCONF_MAX_LIST];
	int ret, held, nr_trust, min_signers;
	struct policy *p;
	__u64 gen, ver;

	ret = seal_trust(d, trust, &nr_trust, &min_signers, err, errlen);
	if (ret)
		return ret;
	p = policy_verified(c, trust, nr_trust, min_signers, signers,
			    sizeof(signers), err, errlen);
	if (!p)
		return -errno;
	ver = policy__version(p);
	if (d->generation && ver < GEN_VERSION(d->generation)) {
		if (!c->allow_rollback || d->seal.sealed) {
			snprintf(err, errlen, "%s: policy version %llu is older than version %llu in force (anti-rollback; --allow-rollback overrides)",
				 c->policy, (unsigned long long)ver,
				 (unsigned long long)GEN_VERSION(d->generation));
			ret = -ESTALE;
			goto fail;
		}
		pr_warn("rolling back from policy version %llu to %llu (--allow-rollback)",
			(unsigned long long)GEN_VERSION(d->generation),
			(unsigned long long)ver);
	}
	engine_modes_of_policy(p, &m);
	if (c->mode >= 0)
		memset(m.mode, c->mode, sizeof(m.mode));
	ret = seal_check_load(d, p, m.mode, err, errlen);
	if (ret)
		goto fail;
	held = guard_hold(d, p, m.mode);
	gen = gen_next(d->generation, ver);
	ret = engine__install_policy(d->e, p, &m, gen);
	if (ret) {
		snprintf(err, errlen, "cannot install the policy in the kernel: %s",
			 strerror(-ret));
		goto fail;
	}
	/* events decided against the old one may still be in the ring */
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
	pr_info("%s policy '%s' version %llu (sha256 %s, %u entries, signed by %s), generation %#llx",
		reload ? "reloaded" : "loaded", policy__name(p),
		(unsigned long long)ver, d->policy_sha, policy__nr_entries(p),
		d->signers, (unsigned long long)gen);
	return 0;
fail:
	policy__free(p);
	return ret;
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
	int ret;

	ret = engine__get_modes(d->e, &m);
	if (ret)
		goto kerr;
	for (int i = 0; i < BG_CLASS_MAX; i++) {
		if (cls >= 0 && cls != i)
			continue;
		if (mode < m.mode[i] && !authorised &&
		    seal_refuse(d, "lowering a mode",
						    err, errlen))
			return -EPERM;
		m.mode[i] = mode;
	}
	if (guard_hold(d, d->pol, m.mode)) {
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
	ret = engine__set_modes(d->e, &m, false);
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
