// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed mode in the daemon, and the read-back of the kernel's state.
 *
 * A signed policy with "seal yes" names the bomgated builds (daemon lines)
 * that may change enforcement. The daemon records them in the kernel with
 * the fingerprints of the certificates it trusted, the signature count and
 * the policy version; from then on the kernel lets only a task exec'd from
 * one of those builds near bomgate's BPF objects, and this code refuses
 * every loosening that the sealed signers did not sign: a new policy must
 * be signed by them (a certificate added on disk gains nothing) and not be
 * older, and modes cannot be lowered nor enforcement disabled. A signed
 * policy without "seal" unseals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/random.h>

#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"
#include "sign.h"
#include "control.h"
#include "token.h"

static int sealed(struct daemon *d)
{
	if (engine__get_seal(d->e, &d->seal))
		memset(&d->seal, 0, sizeof(d->seal));
	return d->seal.sealed;
}

int seal_refuse(struct daemon *d, const char *what, char *err, size_t errlen)
{
	if (!sealed(d))
		return 0;
	snprintf(err, errlen, "sealed: %s is refused; a new policy signed by the sealed signers (without 'seal yes') unseals",
		 what);
	return -EPERM;
}

static int sealed_signer(const struct bg_seal *s, const unsigned char *fp)
{
	for (__u32 i = 0; i < s->nr_signers && i < BG_SEAL_SIGNERS; i++)
		if (!memcmp(s->signer[i], fp, 32))
			return 1;
	return 0;
}

/*
 * The certificates a policy may be verified with: the configuration's, and
 * when sealed only those among them whose fingerprint was sealed, with at
 * least the sealed number of signatures.
 */
int seal_trust(struct daemon *d, const char **trust, int *nr_trust,
	       int *min_signers, char *err, size_t errlen)
{
	const struct daemon_conf *c = d->conf;
	unsigned char fp[32];
	char ferr[512];
	int n = 0;

	*min_signers = c->min_signers;
	if (!sealed(d)) {
		for (int i = 0; i < c->nr_trust; i++)
			trust[i] = c->trust[i];
		*nr_trust = c->nr_trust;
		return 0;
	}
	if (!c->nr_trust) {
		snprintf(err, errlen, "sealed: an unsigned policy (--insecure-unsigned) is refused");
		return -EPERM;
	}
	if (c->allow_rollback) {
		snprintf(err, errlen, "sealed: --allow-rollback is refused");
		return -EPERM;
	}
	for (int i = 0; i < c->nr_trust; i++) {
		if (sign_cert_fingerprint(c->trust[i], fp, ferr, sizeof(ferr))) {
			pr_warn("sealed: %s", ferr);
			continue;
		}
		if (sealed_signer(&d->seal, fp))
			trust[n++] = c->trust[i];
		else
			pr_warn("sealed: %s is not a sealed signer: not trusted",
				c->trust[i]);
	}
	if (!n) {
		snprintf(err, errlen, "sealed: none of the %d trusted certificates configured is a sealed signer",
			 c->nr_trust);
		return -EPERM;
	}
	*nr_trust = n;
	if (*min_signers < (int)d->seal.min_signers)
		*min_signers = d->seal.min_signers;
	return 0;
}

/*
 * A policy about to be installed: under a seal, its version and modes;
 * when it seals, it must allow what the daemon maps (a sealed daemon's own
 * code is always enforced: a policy that denied it would leave a daemon
 * that cannot start again).
 */
int seal_check_load(struct daemon *d, const struct policy *p,
		    const struct engine_modes *m, char *err, size_t errlen)
{
	__u64 version = policy__version(p);
	struct engine_modes cur;

	if (policy__seal(p)) {
		int n = guard_check(d->conf, p, &d->guard);

		if (n > 0) {
			size_t l = snprintf(err, errlen, "seal: a sealed daemon's own code is always enforced, and the policy would deny");

			for (int i = 0; i < n && i < d->guard.n && l < errlen; i++)
				l += snprintf(err + l, errlen - l, " %s",
					      d->guard.path[i]);
			return -EPERM;
		}
	}
	if (!d->seal.sealed)
		return 0;
	if (version < d->seal.min_version) {
		snprintf(err, errlen, "sealed: policy version %llu is older than the sealed version %llu",
			 (unsigned long long)version,
			 (unsigned long long)d->seal.min_version);
		return -ESTALE;
	}
	if (d->conf->mode >= 0 && !engine__get_modes(d->e, &cur))
		for (int i = 0; i < BG_CLASS_MAX; i++)
			if (m->mode[i] < engine_modes_max(&cur, i)) {
				snprintf(err, errlen, "sealed: mode %s for %s (configuration) is lower than in force",
					 bg_mode_name(m->mode[i]),
					 bg_class_name(i));
				return -EPERM;
			}
	return 0;
}

static int self_marked(struct daemon *d)
{
	__u32 flags = 0;

	return !engine__task_flags(d->e, getpid(), &flags) &&
	       (flags & BG_TASK_DAEMON);
}

static void digest_list(const struct bg_seal *s, char *buf, size_t len)
{
	char hex[65];
	size_t l = 0;

	buf[0] = '\0';
	for (__u32 i = 0; i < s->nr_daemons && i < BG_SEAL_DAEMONS; i++) {
		sha256_hex(s->daemon[i], hex);
		l += snprintf(buf + l, len - l, "%s%s", i ? " " : "", hex);
		if (l >= len)
			break;
	}
}

/* After @p was installed: seal, reseal (new signers, version) or unseal. */
int seal_update(struct daemon *d, const struct policy *p,
		const char *const *trust, int nr_trust, int min_signers,
		char *err, size_t errlen)
{
	struct bg_seal ns = {};
	char list[4 * 65 + 8], ferr[512];
	int was = d->seal.sealed, ret;

	if (!policy__seal(p)) {
		if (!was && !d->seal.nr_daemons)
			return 0;	/* never sealed */
		ret = engine__set_seal(d->e, &ns);
		if (ret)
			goto kerr;
		if (was) {
			pr_warn("UNSEALED by policy '%s' version %llu (signed by the sealed signers)",
				policy__name(p),
				(unsigned long long)policy__version(p));
			daemon_note(d, "unseal", 1, policy__name(p));
		}
		d->seal = ns;
		return 0;
	}
	ret = policy__daemon_digests(p, ns.daemon, BG_SEAL_DAEMONS);
	ns.nr_daemons = ret < BG_SEAL_DAEMONS ? ret : BG_SEAL_DAEMONS;
	if (nr_trust > BG_SEAL_SIGNERS) {
		snprintf(err, errlen, "seal: %d trusted certificates, at most %d can be sealed",
			 nr_trust, BG_SEAL_SIGNERS);
		return -E2BIG;
	}
	for (int i = 0; i < nr_trust; i++) {
		if (sign_cert_fingerprint(trust[i], ns.signer[i], ferr,
					  sizeof(ferr))) {
			snprintf(err, errlen, "seal: %s", ferr);
			return -EINVAL;
		}
	}
	ns.nr_signers = nr_trust;
	if (was) {
		/* a reseal keeps the seal's identity: tokens stay bound */
		memcpy(ns.id, d->seal.id, sizeof(ns.id));
		ns.token_serial = d->seal.token_serial;
	} else if (getrandom(ns.id, sizeof(ns.id), 0) != sizeof(ns.id)) {
		snprintf(err, errlen, "seal: no random seal id: %s",
			 strerror(errno));
		return -EIO;
	}
	ns.min_signers = min_signers;
	ns.min_version = policy__version(p);
	if (!nr_trust) {
		snprintf(err, errlen, "seal: an unsigned policy cannot seal (--insecure-unsigned)");
		return -EPERM;
	}
	ret = engine__seal_ids(d->e, d->conf->pin_dir, &ns);
	if (ret) {
		snprintf(err, errlen, "seal: cannot read the pins in %s: %s",
			 d->conf->pin_dir, strerror(-ret));
		return ret;
	}
	digest_list(&ns, list, sizeof(list));
	ns.sealed = self_marked(d);
	if (!ns.sealed && was) {
		/* cannot happen: an unmarked task cannot reach the maps */
		snprintf(err, errlen, "seal: this daemon is not a sealed daemon");
		return -EPERM;
	}
	ret = engine__set_seal(d->e, &ns);
	if (ret)
		goto kerr;
	d->seal = ns;
	if (!ns.sealed) {
		/* started before the seal named it: the kernel marks a daemon
		 * at exec only */
		d->seal_reexec = 1;
		pr_warn("seal: this bomgated was started before the seal named its digest (%s); it must start again to seal",
			  list);
		return 0;
	}
	d->seal_reexec = 0;
	if (!was) {
		pr_warn("SEALED by policy '%s' version %llu: only bomgated %s may change enforcement, with %d of %d sealed signers",
			policy__name(p), (unsigned long long)ns.min_version,
			list, ns.min_signers, ns.nr_signers);
		daemon_note(d, "seal", 1, list);
	}
	return 0;
kerr:
	snprintf(err, errlen, "cannot write the seal to the kernel: %s",
		 strerror(-ret));
	return ret;
}

static int link_pins(const char *dir)
{
	struct dirent *e;
	DIR *dh = opendir(dir);
	int n = 0;

	if (!dh)
		return 0;
	while ((e = readdir(dh)))
		n += !strncmp(e->d_name, "link_", 5);
	closedir(dh);
	return n;
}

/* The state this daemon just set: what kstate_check() compares against. */
/* The scopes' modes in the kernel, as kept in struct daemon. */
static int kscopes(struct daemon *d, __u32 *nr,
		   __u8 (*out)[BG_CLASS_MAX])
{
	struct engine_modes m;
	int ret = engine__get_modes(d->e, &m);

	if (ret)
		return ret;
	*nr = m.nr_scopes;
	for (__u32 s = 0; s < m.nr_scopes; s++)
		memcpy(out[s], m.scope[s].mode, BG_CLASS_MAX);
	return 0;
}

void kstate_remember(struct daemon *d)
{
	if (engine__get_config(d->e, &d->kcfg) ||
	    engine__generation(d->e, &d->kgen) ||
	    kscopes(d, &d->knr_scopes, d->kscope)) {
		d->kstate_known = 0;
		return;
	}
	d->kpins = d->kpins_seen = link_pins(d->conf->pin_dir);
	d->kstate_known = 1;
}

/*
 * Once a second: did anyone else change the kernel's state? Each change
 * is reported once (then remembered as the new state); status shows what
 * the kernel has, not what the daemon set.
 */
void kstate_check(struct daemon *d)
{
	__u8 scope[BG_SCOPE_MAX][BG_CLASS_MAX];
	struct bg_config cfg;
	char what[256];
	__u32 nr;
	__u64 gen;
	int pins;

	if (!d->kstate_known || d->disabled)
		return;
	if (!engine__get_config(d->e, &cfg) &&
	    memcmp(&cfg, &d->kcfg, sizeof(cfg))) {
		size_t l = snprintf(what, sizeof(what), "modes");

		for (int i = 0; i < BG_CLASS_MAX && l < sizeof(what); i++)
			l += snprintf(what + l, sizeof(what) - l, " %s=%s",
				      bg_class_name(i),
				      bg_mode_name(cfg.mode[i]));
		if (l < sizeof(what))
			snprintf(what + l, sizeof(what) - l,
				 ", flags %#x, scope cgroup %llu", cfg.flags,
				 (unsigned long long)cfg.scope_cgroup);
		pr_err("TAMPER: the configuration in the kernel was changed, not by this daemon: %s",
			what);
		daemon_tamper(d, "config", what);
		d->kcfg = cfg;
	}
	if (!kscopes(d, &nr, scope) && nr == d->knr_scopes &&
	    memcmp(scope, d->kscope, nr * sizeof(scope[0]))) {
		snprintf(what, sizeof(what), "the modes of the policy's cgroup scopes");
		pr_err("TAMPER: the configuration in the kernel was changed, not by this daemon: %s",
		       what);
		daemon_tamper(d, "config", what);
		memcpy(d->kscope, scope, sizeof(scope));
	}
	if (!engine__generation(d->e, &gen) && gen != d->kgen) {
		snprintf(what, sizeof(what), "generation %#llx in the kernel, %#llx installed",
			 (unsigned long long)gen, (unsigned long long)d->kgen);
		pr_err("TAMPER: the policy in the kernel was replaced, not by this daemon: %s",
			what);
		daemon_tamper(d, "policy", what);
		d->kgen = gen;
	}
	pins = link_pins(d->conf->pin_dir);
	if (pins != d->kpins_seen) {
		snprintf(what, sizeof(what), "%d link pins in %s, %d expected",
			 pins, d->conf->pin_dir, d->kpins);
		pr_err("TAMPER: pins changed, not by this daemon: %s%s", what,
			pins < d->kpins ? " (enforcement ends when this daemon stops)" : "");
		daemon_tamper(d, "pins", what);
		d->kpins_seen = pins;
	}
}

/* The whole of regular file @fd, at most @max bytes, into malloc()ed *buf. */
static int read_fd(int fd, size_t max, void **buf, size_t *len,
		   const char *what, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the %s must come as an open regular file",
			 what);
		return -EINVAL;
	}
	if (st.st_size <= 0 || (size_t)st.st_size > max) {
		snprintf(err, errlen, "the %s has %lld bytes (1 to %zu allowed)",
			 what, (long long)st.st_size, max);
		return -EINVAL;
	}
	*buf = malloc(st.st_size);
	if (!*buf)
		return -ENOMEM;
	n = pread(fd, *buf, st.st_size, 0);
	if (n != st.st_size) {
		snprintf(err, errlen, "cannot read the %s: %s", what,
			 n < 0 ? strerror(errno) : "short read");
		free(*buf);
		*buf = NULL;
		return -EIO;
	}
	*len = n;
	return 0;
}

/* Is @t the token for request @req? */
static int token_matches(const struct token *t, const struct ctl_req *req,
			 char *err, size_t errlen)
{
	char want[64], got[64];
	struct token r = {
		.action = req->verb == CTL_DISABLE ? TOKEN_DISABLE : TOKEN_MODE,
		.mode = req->mode, .cls = req->cls,
	};

	token_action_text(&r, want, sizeof(want));
	token_action_text(t, got, sizeof(got));
	if (strcmp(want, got)) {
		snprintf(err, errlen, "the token authorises '%s', not '%s'", got,
			 want);
		return -EPERM;
	}
	return 0;
}

static int token_verify(struct daemon *d, const struct ctl_req *req,
			const int *fds, struct token *t, char *err,
			size_t errlen)
{
	const char *trust[DCONF_MAX_LIST];
	void *tok = NULL, *sig = NULL;
	size_t tlen, slen;
	struct sign_result res;
	struct token_bind b = { .now = time(NULL) };
	int ret, nr_trust, min_signers;

	if (!d->machine_id[0]) {
		snprintf(err, errlen, "this machine has no /etc/machine-id: tokens cannot be bound to it");
		return -EPERM;
	}
	ret = read_fd(fds[0], TOKEN_MAX_LEN, &tok, &tlen, "token", err,
		      errlen);
	if (!ret)
		ret = read_fd(fds[1], 64 * 1024, &sig, &slen,
			      "token signature", err, errlen);
	if (!ret)
		ret = seal_trust(d, trust, &nr_trust, &min_signers, err,
				 errlen);
	if (!ret) {
		struct sign_blob blob = { sig, slen, "token signature" };

		ret = sign_verify_mem(tok, tlen, &blob, 1, trust, nr_trust,
				      min_signers, &res, err, errlen);
	}
	if (!ret)
		ret = token_parse(tok, tlen, t, err, errlen);
	if (!ret)
		ret = token_matches(t, req, err, errlen);
	if (!ret) {
		token_hex_parse(d->machine_id, b.machine_id);
		memcpy(b.seal_id, d->seal.id, sizeof(b.seal_id));
		b.last_serial = d->seal.token_serial;
		ret = engine__generation(d->e, &b.generation);
		if (ret)
			snprintf(err, errlen, "cannot read the policy generation: %s",
				 strerror(-ret));
	}
	if (!ret)
		ret = token_check(t, &b, err, errlen);
	free(tok);
	free(sig);
	return ret;
}

int seal_authorise(struct daemon *d, const struct ctl_req *req,
		   const int *fds, int nfds, char *err, size_t errlen)
{
	char e[768], act[64];
	struct token t;
	int ret;

	if (!req->token)
		return 0;
	if (nfds != 2) {
		snprintf(err, errlen, "a request with a token carries two descriptors (token, signature), not %d",
			 nfds);
		return -EINVAL;
	}
	if (!sealed(d)) {
		pr_info("token: not sealed, the request needs none");
		return 0;
	}
	ret = token_verify(d, req, fds, &t, e, sizeof(e));
	if (!ret) {
		/* used once: the serial is in the kernel before the action */
		d->seal.token_serial = t.serial;
		ret = engine__set_seal(d->e, &d->seal);
		if (ret)
			snprintf(e, sizeof(e), "cannot record the token's serial in the kernel: %s",
				 strerror(-ret));
	}
	if (ret) {
		snprintf(err, errlen, "step-down token refused: %s", e);
		daemon_tamper(d, "token", e);
		return ret;
	}
	token_action_text(&t, act, sizeof(act));
	snprintf(e, sizeof(e), "serial %llu authorises '%s'",
		 (unsigned long long)t.serial, act);
	pr_warn("step-down token accepted: %s", e);
	daemon_note(d, "token", 1, e);
	return 1;
}
