// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of policy sources. One directive per line:
 *
 *	version N
 *	name TEXT
 *	sbom PATH [FORMAT]
 *	mode HOOK|all off|audit|enforce
 *	scope CGROUP-PATH HOOK|all off|audit|enforce
 *	allow-unmeasured-modules yes|no
 *	trust-fuse yes|no
 *	attestation-key PATH
 *	trust-apt KEYFILE [origin=GLOB] [suite=GLOB] [package=GLOB]
 *	require-attestation yes|no
 *	allow SHA256 REASON...
 *	block SHA256 REASON...
 *
 * Blank lines and lines starting with '#' are ignored. Every error names
 * FILE:LINE and the problem; the first error stops the parse.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "policy_source.h"
#include "sbom.h"
#include "sha256.h"

struct pctx {
	struct policy_src *src;
	const char *name;
	const char *basedir;
	unsigned long line;
	unsigned long version_line, name_line, unmeasured_line, fuse_line;
	unsigned long seal_line, attest_line;
	unsigned long mode_line[BG_CLASS_MAX + 1];	/* + "all" */
	int all_mode;
	char *err;
	size_t errlen;
};

static int perr(struct pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct pctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%lu: ", c->name, c->line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void policy_src__free(struct policy_src *src)
{
	size_t i;

	if (!src)
		return;
	for (i = 0; i < src->nr_sboms; i++)
		free(src->sboms[i].path);
	for (i = 0; i < src->nr_trusts; i++) {
		free(src->trusts[i].keyfile);
		free(src->trusts[i].origin);
		free(src->trusts[i].suite);
		free(src->trusts[i].package);
	}
	for (i = 0; i < src->nr_attest_keys; i++)
		free(src->attest_keys[i]);
	free(src->attest_keys);
	for (i = 0; i < src->nr_rules; i++)
		free(src->rules[i].reason);
	for (i = 0; i < src->nr_scopes; i++)
		free(src->scopes[i].path);
	free(src->sboms);
	free(src->rules);
	free(src->name);
	free(src->path);
	free(src);
}

/* Valid UTF-8 without control characters other than tab. Returns 0. */
static int check_text(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned int cp;

	while (i < len) {
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
				return -1;
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else {
			return -1;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += n + 1;
	}
	return 0;
}

/* Next token of @line at *pos: a run of non-blanks or a "quoted string"
 * (no escapes). Returns its length (0 at end of line), -1 on a missing
 * closing quote. The token is NUL-terminated in place. */
static int next_token(char *line, size_t *pos, char **tok)
{
	char *p = line + *pos, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	*tok = p;	/* callers may print it even on -1 */
	if (!*p) {
		*pos = p - line;
		return 0;
	}
	if (*p == '"') {
		end = strchr(p + 1, '"');
		if (!end)
			return -1;
		*end = '\0';
		*tok = p + 1;
		*pos = end + 1 - line;
		if (line[*pos] && line[*pos] != ' ' && line[*pos] != '\t')
			return -1;
		return end - p;	/* >= 1 even for "" */
	}
	end = p;
	while (*end && *end != ' ' && *end != '\t')
		end++;
	*tok = p;
	*pos = end - line;
	if (*end) {
		*end = '\0';
		(*pos)++;
	}
	return end - p;
}

static char *rest_of_line(char *line, size_t pos)
{
	char *p = line + pos, *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return p;
}

static int parse_version(struct pctx *c, char *line, size_t pos)
{
	char *tok, *end;
	unsigned long long v;
	int n;

	if (c->version_line)
		return perr(c, "version already given at line %lu",
			    c->version_line);
	n = next_token(line, &pos, &tok);
	if (n <= 0 || tok[0] < '0' || tok[0] > '9')
		return perr(c, "version needs a positive decimal number");
	errno = 0;
	v = strtoull(tok, &end, 10);
	if (errno || *end || v == 0)
		return perr(c, "version '%s' is not a number from 1 to 2^64-1",
			    tok);
	if (next_token(line, &pos, &tok))
		return perr(c, "unexpected '%s' after the version", tok);
	c->src->version = v;
	c->version_line = c->line;
	return 0;
}

static int parse_name(struct pctx *c, char *line, size_t pos)
{
	char *txt = rest_of_line(line, pos);

	if (c->name_line)
		return perr(c, "name already given at line %lu", c->name_line);
	if (!*txt)
		return perr(c, "name needs a text");
	if (*txt == '"' && strlen(txt) >= 2 && txt[strlen(txt) - 1] == '"') {
		txt[strlen(txt) - 1] = '\0';
		txt++;
	}
	c->src->name = strdup(txt);
	if (!c->src->name)
		return -ENOMEM;
	c->name_line = c->line;
	return 0;
}

static int parse_sbom(struct pctx *c, char *line, size_t pos)
{
	struct policy_src *src = c->src;
	struct policy_src_sbom *s, *n;
	char *path, *fmt = NULL, *extra;
	int len, f = SBOM_FMT_AUTO;

	len = next_token(line, &pos, &path);
	if (len < 0)
		return perr(c, "missing closing quote");
	if (len == 0 || !*path)
		return perr(c, "sbom needs a path");
	len = next_token(line, &pos, &fmt);
	if (len < 0)
		return perr(c, "missing closing quote");
	if (len > 0) {
		f = sbom_format_parse(fmt);
		if (f < 0)
			return perr(c, "unknown SBOM format '%s' (cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tv, auto)",
				    fmt);
		if (next_token(line, &pos, &extra))
			return perr(c, "unexpected '%s' after the format",
				    extra);
	}
	n = reallocarray(src->sboms, src->nr_sboms + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	src->sboms = n;
	s = &n[src->nr_sboms];
	memset(s, 0, sizeof(*s));
	if (path[0] == '/' || !c->basedir || !strcmp(c->basedir, "."))
		s->path = strdup(path);
	else if (asprintf(&s->path, "%s/%s", c->basedir, path) < 0)
		s->path = NULL;
	if (!s->path)
		return -ENOMEM;
	s->format = f;
	s->line = c->line;
	src->nr_sboms++;
	return 0;
}

/* "attestation-key PATH": a public key that signs SBOM attestations. */
static int parse_attest_key(struct pctx *c, char *line, size_t pos)
{
	struct policy_src *src = c->src;
	char *path, *extra, **n, *p;
	int len;

	len = next_token(line, &pos, &path);
	if (len < 0)
		return perr(c, "missing closing quote");
	if (len == 0 || !*path)
		return perr(c, "attestation-key needs the path of a public key");
	if (next_token(line, &pos, &extra))
		return perr(c, "unexpected '%s' after the key", extra);
	if (src->nr_attest_keys >= 16)	/* ATTEST_MAX_KEYS */
		return perr(c, "at most 16 attestation-key lines");
	n = reallocarray(src->attest_keys, src->nr_attest_keys + 1,
			 sizeof(*n));
	if (!n)
		return -ENOMEM;
	src->attest_keys = n;
	if (path[0] == '/' || !c->basedir || !strcmp(c->basedir, "."))
		p = strdup(path);
	else if (asprintf(&p, "%s/%s", c->basedir, path) < 0)
		p = NULL;
	if (!p)
		return -ENOMEM;
	n[src->nr_attest_keys++] = p;
	return 0;
}

/*
 * "trust-apt KEYFILE [origin=GLOB] [suite=GLOB] [package=GLOB]": files of
 * packages from an apt repository signed by the key in KEYFILE may run
 * (docs/policy.md, "Trusting a signed apt repository").
 */
static int parse_trust_apt(struct pctx *c, char *line, size_t pos)
{
	static const char *const keys[] = { "origin=", "suite=", "package=" };
	struct policy_src *src = c->src;
	struct policy_src_trust *t;
	char *path, *opt, **slot;
	int len;

	len = next_token(line, &pos, &path);
	if (len < 0)
		return perr(c, "missing closing quote");
	if (len == 0 || !*path)
		return perr(c, "usage: trust-apt KEYFILE [origin=GLOB] [suite=GLOB] [package=GLOB]");
	if (src->nr_trusts >= POLICY_SRC_MAX_TRUSTS)
		return perr(c, "at most %d trust-apt lines", POLICY_SRC_MAX_TRUSTS);
	t = &src->trusts[src->nr_trusts];
	memset(t, 0, sizeof(*t));
	t->line = c->line;
	src->nr_trusts++;
	if (path[0] == '/' || !c->basedir || !strcmp(c->basedir, "."))
		t->keyfile = strdup(path);
	else if (asprintf(&t->keyfile, "%s/%s", c->basedir, path) < 0)
		t->keyfile = NULL;
	if (!t->keyfile)
		return -ENOMEM;
	while ((len = next_token(line, &pos, &opt)) > 0) {
		size_t k;

		for (k = 0; k < 3; k++)
			if (!strncmp(opt, keys[k], strlen(keys[k])))
				break;
		if (k == 3)
			return perr(c, "trust-apt: unknown option '%.60s' (origin=, suite=, package=)",
				    opt);
		slot = k == 0 ? &t->origin : k == 1 ? &t->suite : &t->package;
		if (*slot)
			return perr(c, "trust-apt: %.*s given twice",
				    (int)strlen(keys[k]) - 1, keys[k]);
		if (!opt[strlen(keys[k])])
			return perr(c, "trust-apt: %s needs a pattern", keys[k]);
		*slot = strdup(opt + strlen(keys[k]));
		if (!*slot)
			return -ENOMEM;
	}
	return len < 0 ? perr(c, "missing closing quote") : 0;
}

/* "CLASS|all MODE" and nothing after it: @cls the class named, @h its
 * BG_CLASS_* (-1: all), @slot its index in a mode_line[] (BG_CLASS_MAX:
 * all), @m the BG_MODE_*. */
static int parse_class_mode(struct pctx *c, const char *cls,
			    const char *mode, char *line, size_t pos,
			    int *h, int *slot, int *m)
{
	char *extra;

	if (!strcmp(cls, "all")) {
		*h = -1;
		*slot = BG_CLASS_MAX;
	} else {
		*h = bg_class_parse(cls);
		if (*h < 0)
			return perr(c, "unknown class '%s' (" BG_CLASS_CHOICES ", all)",
				    cls);
		*slot = *h;
	}
	*m = bg_mode_parse(mode);
	if (*m < 0)
		return perr(c, "unknown mode '%s' (off, audit, enforce)", mode);
	if (next_token(line, &pos, &extra))
		return perr(c, "unexpected '%s' after the mode", extra);
	return 0;
}

static int parse_mode(struct pctx *c, char *line, size_t pos)
{
	char *cls, *mode;
	int h, m, slot, ret;

	if (next_token(line, &pos, &cls) <= 0 ||
	    next_token(line, &pos, &mode) <= 0)
		return perr(c, "usage: mode exec|mmap|module|firmware|kexec|all off|audit|enforce");
	ret = parse_class_mode(c, cls, mode, line, pos, &h, &slot, &m);
	if (ret)
		return ret;
	if (c->mode_line[slot])
		return perr(c, "mode for %s already given at line %lu", cls,
			    c->mode_line[slot]);
	c->mode_line[slot] = c->line;
	if (h < 0)
		c->all_mode = m;
	else
		c->src->modes[h] = m;
	return 0;
}

/* An absolute cgroup v2 path, written one way: no "//", "." or ".."
 * component, no final "/", not the root itself (that is "mode"). */
static int scope_path_ok(const char *p)
{
	const char *c = p;

	if (p[0] != '/' || !p[1] || p[strlen(p) - 1] == '/' || strstr(p, "//"))
		return 0;
	while ((c = strchr(c, '/'))) {
		c++;
		if ((c[0] == '.' && (c[1] == '/' || !c[1])) ||
		    (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2])))
			return 0;
	}
	return 1;
}

static struct policy_src_scope *scope_get(struct pctx *c, const char *path)
{
	struct policy_src *src = c->src;
	struct policy_src_scope *sc;

	for (size_t i = 0; i < src->nr_scopes; i++)
		if (!strcmp(src->scopes[i].path, path))
			return &src->scopes[i];
	if (src->nr_scopes == POLICY_SRC_MAX_SCOPES) {
		perr(c, "more than %d scopes", POLICY_SRC_MAX_SCOPES);
		return NULL;
	}
	sc = &src->scopes[src->nr_scopes];
	memset(sc, 0, sizeof(*sc));
	sc->path = strdup(path);
	if (!sc->path) {
		perr(c, "out of memory");
		return NULL;
	}
	sc->line = c->line;
	sc->all_mode = -1;
	src->nr_scopes++;
	return sc;
}

/* "scope PATH CLASS|all MODE": the mode of a class for the tasks of a
 * cgroup and its descendants; classes not named follow "all", else the
 * global mode. */
static int parse_scope(struct pctx *c, char *line, size_t pos)
{
	struct policy_src_scope *sc;
	char *path, *cls, *mode;
	int h, m, slot, n, ret;

	n = next_token(line, &pos, &path);
	if (n < 0)
		return perr(c, "missing closing quote");
	if (n == 0 || next_token(line, &pos, &cls) <= 0 ||
	    next_token(line, &pos, &mode) <= 0)
		return perr(c, "usage: scope /sys/fs/cgroup/PATH exec|mmap|module|firmware|kexec|all off|audit|enforce");
	if (!scope_path_ok(path))
		return perr(c, "scope '%.200s': not an absolute cgroup path written plainly (no '//', '.', '..' or final '/'; the root is 'mode')",
			    path);
	ret = parse_class_mode(c, cls, mode, line, pos, &h, &slot, &m);
	if (ret)
		return ret;
	sc = scope_get(c, path);
	if (!sc)
		return -EINVAL;
	if (sc->mode_line[slot])
		return perr(c, "scope %.200s: mode for %s already given at line %lu",
			    path, cls, sc->mode_line[slot]);
	sc->mode_line[slot] = c->line;
	if (h < 0)
		sc->all_mode = m;
	else
		sc->modes[h] = m;
	return 0;
}

/* "KEYWORD yes|no", at most once (@seen: the line it was given on). */
static int parse_yes_no(struct pctx *c, char *line, size_t pos,
			const char *kw, int *out, unsigned long *seen)
{
	char *v, *extra;

	if (*seen)
		return perr(c, "%s already given at line %lu", kw, *seen);
	if (next_token(line, &pos, &v) <= 0 ||
	    (strcmp(v, "yes") && strcmp(v, "no")))
		return perr(c, "%s needs yes or no", kw);
	if (next_token(line, &pos, &extra))
		return perr(c, "unexpected '%s' after %s", extra, v);
	*out = !strcmp(v, "yes");
	*seen = c->line;
	return 0;
}

static int parse_rule(struct pctx *c, char *line, size_t pos, __u32 flags)
{
	struct policy_src *src = c->src;
	struct policy_src_rule *r, *n;
	__u8 d[32];
	char *hex, *reason;
	const char *kw = flags & POLICY_F_DAEMON ? "daemon" :
			 flags == POLICY_F_ALLOW ? "allow" : "block";
	size_t i;
	int len;

	len = next_token(line, &pos, &hex);
	if (len <= 0 || sha256_parse_hex(hex, len, d))
		return perr(c, "%s needs a SHA-256 digest (64 hex digits)", kw);
	reason = rest_of_line(line, pos);
	if (!*reason)
		return perr(c, "%s %.64s needs a reason after the digest", kw,
			    hex);
	for (i = 0; i < src->nr_rules; i++)
		if (!memcmp(src->rules[i].sha256, d, 32))
			return perr(c, "digest %.64s already listed at line %lu",
				    hex, src->rules[i].line);
	n = reallocarray(src->rules, src->nr_rules + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	src->rules = n;
	r = &n[src->nr_rules];
	memcpy(r->sha256, d, 32);
	r->flags = flags;
	r->line = c->line;
	r->reason = strdup(reason);
	if (!r->reason)
		return -ENOMEM;
	src->nr_rules++;
	return 0;
}

static int parse_line(struct pctx *c, char *line)
{
	size_t pos = 0;
	char *kw;
	int n;

	n = next_token(line, &pos, &kw);
	if (n < 0)
		return perr(c, "missing closing quote");
	if (n == 0 || kw[0] == '#')
		return 0;
	if (!strcmp(kw, "version"))
		return parse_version(c, line, pos);
	if (!strcmp(kw, "name"))
		return parse_name(c, line, pos);
	if (!strcmp(kw, "sbom"))
		return parse_sbom(c, line, pos);
	if (!strcmp(kw, "mode"))
		return parse_mode(c, line, pos);
	if (!strcmp(kw, "scope"))
		return parse_scope(c, line, pos);
	if (!strcmp(kw, "allow-unmeasured-modules"))
		return parse_yes_no(c, line, pos, kw,
				    &c->src->allow_unmeasured_modules,
				    &c->unmeasured_line);
	if (!strcmp(kw, "attestation-key"))
		return parse_attest_key(c, line, pos);
	if (!strcmp(kw, "trust-apt"))
		return parse_trust_apt(c, line, pos);
	if (!strcmp(kw, "require-attestation"))
		return parse_yes_no(c, line, pos, kw,
				    &c->src->require_attestation,
				    &c->attest_line);
	if (!strcmp(kw, "trust-fuse"))
		return parse_yes_no(c, line, pos, kw, &c->src->trust_fuse,
				    &c->fuse_line);
	if (!strcmp(kw, "seal"))
		return parse_yes_no(c, line, pos, kw, &c->src->seal,
				    &c->seal_line);
	if (!strcmp(kw, "daemon"))
		return parse_rule(c, line, pos, POLICY_F_ALLOW | POLICY_F_DAEMON);
	if (!strcmp(kw, "allow"))
		return parse_rule(c, line, pos, POLICY_F_ALLOW);
	if (!strcmp(kw, "block"))
		return parse_rule(c, line, pos, POLICY_F_BLOCK);
	return perr(c, "unknown directive '%.40s' (version, name, sbom, attestation-key, require-attestation, trust-apt, mode, scope, allow-unmeasured-modules, trust-fuse, seal, daemon, allow, block)",
		    kw);
}

/* A seal names the daemon builds that keep control (BG_SEAL_DAEMONS). */
static int check_seal(struct pctx *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->src->nr_rules; i++)
		if (c->src->rules[i].flags & POLICY_F_DAEMON)
			n++;
	if (!c->src->seal)
		return 0;
	c->line = c->seal_line;
	if (!n)
		return perr(c, "seal needs at least one 'daemon SHA256 reason' line: the bomgated builds that may change enforcement once sealed (sha256sum /usr/sbin/bomgated)");
	if (n > POLICY_SEAL_DAEMONS)
		return perr(c, "seal: %zu daemon lines, at most %d", n,
			    POLICY_SEAL_DAEMONS);
	return 0;
}

static int parse_all(struct pctx *c, const char *buf, size_t len)
{
	char line[POLICY_SRC_MAX_LINE + 2];
	const char *p = buf, *end = buf + len, *nl;
	size_t ll;
	int err, i;

	for (c->line = 1; p < end; c->line++, p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		ll = nl - p;
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (memchr(p, '\0', ll))
			return perr(c, "NUL byte in the line");
		if (ll > POLICY_SRC_MAX_LINE)
			return perr(c, "line longer than %d bytes",
				    POLICY_SRC_MAX_LINE);
		if (check_text((const unsigned char *)p, ll))
			return perr(c, "invalid UTF-8 or control character");
		memcpy(line, p, ll);
		line[ll] = '\0';
		err = parse_line(c, line);
		if (err)
			return err;
	}
	if (!c->version_line) {
		c->line = c->line > 1 ? c->line - 1 : 1;
		return perr(c, "no 'version N' line: a policy needs a version that grows with every release");
	}
	for (i = 0; i < BG_CLASS_MAX; i++)
		if (!c->mode_line[i])
			c->src->modes[i] = c->all_mode;
	for (size_t s = 0; s < c->src->nr_scopes; s++) {
		struct policy_src_scope *sc = &c->src->scopes[s];

		for (i = 0; i < BG_CLASS_MAX; i++)
			if (!sc->mode_line[i])
				sc->modes[i] = sc->all_mode < 0 ?
					       BG_MODE_INHERIT : sc->all_mode;
	}
	return check_seal(c);
}

struct policy_src *policy_src__parse_mem(const char *buf, size_t len,
					 const char *name, const char *basedir,
					 char *err, size_t errlen)
{
	struct pctx c = {
		.name = name, .basedir = basedir, .err = err, .errlen = errlen,
		.all_mode = BG_MODE_AUDIT,
	};
	int ret;

	if (len > POLICY_SRC_MAX_SIZE) {
		c.line = 0;
		perr(&c, "larger than %d bytes", POLICY_SRC_MAX_SIZE);
		errno = EFBIG;
		return NULL;
	}
	c.src = calloc(1, sizeof(*c.src));
	if (!c.src || !(c.src->path = strdup(name))) {
		ret = -ENOMEM;
		goto out;
	}
	ret = parse_all(&c, buf, len);
out:
	if (ret) {
		if (ret == -ENOMEM && err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		policy_src__free(c.src);
		errno = -ret;
		return NULL;
	}
	return c.src;
}

struct policy_src *policy_src__parse(const char *path, char *err,
				     size_t errlen)
{
	struct policy_src *src;
	char *basedir = NULL, *slash;
	void *buf = NULL;
	size_t len = 0;
	int ret;

	ret = fileio_read_file(path, POLICY_SRC_MAX_SIZE, &buf, &len);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
				 ret == -EFBIG ? "too large for a policy source" :
				 ret == -EINVAL ? "not a regular file" :
				 strerror(-ret));
		errno = -ret;
		return NULL;
	}
	basedir = strdup(path);
	if (!basedir) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	slash = strrchr(basedir, '/');
	if (slash)
		*(slash == basedir ? slash + 1 : slash) = '\0';
	src = policy_src__parse_mem(buf, len, path, slash ? basedir : ".",
				    err, errlen);
	ret = errno;
	free(basedir);
	free(buf);
	errno = ret;
	return src;
}
