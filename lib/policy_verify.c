// SPDX-License-Identifier: GPL-2.0
/*
 * Read, size-limit, verify (M of N trusted signers) and parse a signed
 * policy: the one way the daemon, 'bomgate check' and 'bomgate verify'
 * open a policy they are to trust.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "policy.h"
#include "sign.h"

char *policy_sig_default(const char *policy_path)
{
	char *s;

	if (asprintf(&s, "%s" POLICY_SIG_SUFFIX, policy_path) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void fail(struct policy_open_result *r, enum policy_open_step step,
		 int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct policy_open_result *r, enum policy_open_step step,
		 int err, const char *fmt, ...)
{
	va_list ap;

	r->step = step;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	errno = err;
}

static int verify(const char *path, const void *buf, size_t len,
		  const struct policy_trust *t, struct policy_open_result *r)
{
	const char *const *sigs = t->sigs;
	int nr_sigs = t->nr_sigs, ret;
	char *def = NULL, why[sizeof(r->err) - 64] = "";
	const char *one[1];

	if (!nr_sigs) {
		def = policy_sig_default(path);
		if (!def)
			return -ENOMEM;
		one[0] = def;
		sigs = one;
		nr_sigs = 1;
	}
	ret = sign_verify(buf, len, sigs, nr_sigs, t->trust, t->nr_trust,
			  t->min_signers ? t->min_signers : 1, &r->sign, why,
			  sizeof(why));
	free(def);
	if (ret)
		fail(r, POLICY_STEP_VERIFY, -ret, "%s",
		     why[0] ? why : strerror(-ret));
	return ret;
}

struct policy *policy__open_verified(const char *path,
				     const struct policy_trust *t,
				     struct policy_open_result *r)
{
	struct policy *p = NULL;
	char why[sizeof(r->err) - 64];
	void *buf = NULL;
	size_t len = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = fileio_read_file(path, BGP_MAX_FILE_SIZE, &buf, &len);
	if (ret) {
		fail(r, POLICY_STEP_READ, -ret, "%s: %s", path,
		     ret == -EFBIG ? "larger than 2 GiB, not a policy" :
		     ret == -EINVAL ? "not a regular file" : strerror(-ret));
		return NULL;
	}
	if (t && t->nr_trust) {
		ret = verify(path, buf, len, t, r);
		if (ret)
			goto out;
		r->verified = 1;
	}
	p = policy__from_mem(buf, len, why, sizeof(why));
	if (!p)
		fail(r, POLICY_STEP_PARSE, errno, "%s: %s", path, why);
out:
	ret = errno;
	free(buf);
	errno = ret;
	return p;
}
