// SPDX-License-Identifier: GPL-2.0
/* bomgated settings: one setter for the configuration file and getopt. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "daemon_conf.h"
#include "vocab.h"
#include "policy.h"

void daemon_conf__init(struct daemon_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->min_signers = 1;
	c->mode = -1;
	c->events_max_bytes = 10 * 1024 * 1024;
	c->max_measure_bytes = (__u64)BG_MEASURE_MAX_DEFAULT_MIB << 20;
	c->events_keep = 5;
	c->events_syslog = 1;
	c->events_journal = 1;
	c->events_audit = 1;
	c->coalesce_secs = 10;
	c->seccomp = 1;
	c->coverage = 1;
}

static void free_list(char **l, int *n)
{
	for (int i = 0; i < *n; i++)
		free(l[i]);
	*n = 0;
}

void daemon_conf__free(struct daemon_conf *c)
{
	free(c->policy);
	free(c->signature);
	free_list(c->trust, &c->nr_trust);
	free_list(c->guard, &c->nr_guard);
	free(c->pin_dir);
	free(c->socket);
	free(c->socket_group);
	free(c->events_file);
	free(c->metrics_file);
	free(c->state_dir);
	free(c->apt_lists);
	free(c->dpkg_status);
	free(c->scope_cgroup);
	daemon_conf__init(c);
}

enum kind { K_STR, K_BOOL, K_INT, K_SIZE, K_LIST, K_MODE };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t cnt_off;		/* K_LIST: the counter */
	size_t cli_off;		/* K_LIST: "given on the command line" */
	long long min, max;	/* K_INT, K_SIZE */
};

#define OFF(f) offsetof(struct daemon_conf, f)
#define STR(n, f)	{ n, K_STR, OFF(f), 0, 0, 0, 0 }
#define BOOL(n, f)	{ n, K_BOOL, OFF(f), 0, 0, 0, 0 }
#define INT(n, f, lo, hi) { n, K_INT, OFF(f), 0, 0, lo, hi }
#define LIST(n, f)	{ n, K_LIST, OFF(f), OFF(nr_##f), OFF(f##_cli), 0, 0 }

static const struct key keys[] = {
	STR("policy", policy),
	STR("signature", signature),
	LIST("trust", trust),
	INT("min-signers", min_signers, 1, 32),
	{ "mode", K_MODE, OFF(mode), 0, 0, 0, 0 },
	BOOL("insecure-unsigned", insecure_unsigned),
	BOOL("allow-rollback", allow_rollback),
	BOOL("force", force),
	LIST("guard", guard),
	STR("pin-dir", pin_dir),
	STR("socket", socket),
	STR("socket-group", socket_group),
	STR("events-file", events_file),
	{ "events-max-size", K_SIZE, OFF(events_max_bytes), 0, 0, 4096,
	  1LL << 40 },
	INT("events-keep", events_keep, 0, 100),
	BOOL("events-stdout", events_stdout),
	BOOL("events-syslog", events_syslog),
	BOOL("events-journal", events_journal),
	BOOL("events-audit", events_audit),
	INT("coalesce", coalesce_secs, 0, 3600),
	BOOL("emit-allowed", emit_allowed),
	BOOL("coverage", coverage),
	INT("coverage-max", coverage_max, 1, 1 << 20),
	{ "max-measure-size", K_SIZE, OFF(max_measure_bytes), 0, 0, 1LL << 20,
	  1LL << 42 },
	STR("metrics", metrics_file),
	STR("state-dir", state_dir),
	STR("apt-lists", apt_lists),
	STR("dpkg-status", dpkg_status),
	STR("scope-cgroup", scope_cgroup),
	BOOL("seccomp", seccomp),
	BOOL("test-seccomp", test_seccomp),
	{ NULL, K_STR, 0, 0, 0, 0, 0 },
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) - 1 <= DCONF_MAX_KEYS,
	       "DCONF_MAX_KEYS too small for the settings table");

const char *daemon_conf__key(unsigned int i, int *is_bool)
{
	if (i >= sizeof(keys) / sizeof(keys[0]) - 1)
		return NULL;
	if (is_bool)
		*is_bool = keys[i].kind == K_BOOL;
	return keys[i].name;
}

static int parse_bool(const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
	    !strcmp(v, "off"))
		return 0;
	return -1;
}

/* "123", "10k", "10M", "1G" (powers of 1024). */
static int parse_size(const char *v, unsigned long long *out)
{
	unsigned long long n, mul = 1;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if (*end || n > ULLONG_MAX / mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

static int set_value(struct daemon_conf *c, const struct key *k,
		     const char *val, int from_cli, char *err, size_t errlen)
{
	char *base = (char *)c;
	unsigned long long sz;
	long long n;
	char *end, *dup;
	int b;

	switch (k->kind) {
	case K_STR:
		if (!*val) {
			snprintf(err, errlen, "%s needs a value", k->name);
			return -EINVAL;
		}
		dup = strdup(val);
		if (!dup)
			return -ENOMEM;
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = dup;
		return 0;
	case K_LIST: {
		char **list = (char **)(base + k->off);
		int *cnt = (int *)(base + k->cnt_off);
		int *cli = (int *)(base + k->cli_off);

		if (!*val) {
			snprintf(err, errlen, "%s needs a value", k->name);
			return -EINVAL;
		}
		if (from_cli && !*cli) {
			/* the command line replaces the file's list */
			free_list(list, cnt);
			*cli = 1;
		}
		if (*cnt >= DCONF_MAX_LIST) {
			snprintf(err, errlen, "%s given more than %d times",
				 k->name, DCONF_MAX_LIST);
			return -EINVAL;
		}
		dup = strdup(val);
		if (!dup)
			return -ENOMEM;
		list[(*cnt)++] = dup;
		return 0;
	}
	case K_BOOL:
		b = parse_bool(val);
		if (b < 0) {
			snprintf(err, errlen, "%s: '%.64s' is not yes or no",
				 k->name, val);
			return -EINVAL;
		}
		*(int *)(base + k->off) = b;
		return 0;
	case K_INT:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (errno || end == val || *end || n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: '%.64s' is not a number in %lld..%lld",
				 k->name, val, k->min, k->max);
			return -EINVAL;
		}
		*(int *)(base + k->off) = (int)n;
		return 0;
	case K_SIZE:
		if (parse_size(val, &sz) || sz < (unsigned long long)k->min ||
		    sz > (unsigned long long)k->max) {
			snprintf(err, errlen, "%s: '%.64s' is not a size from %lldk to %lldG (e.g. 10M)",
				 k->name, val, k->min >> 10, k->max >> 30);
			return -EINVAL;
		}
		*(__u64 *)(base + k->off) = sz;
		return 0;
	case K_MODE:
		if (!strcmp(val, "policy")) {
			c->mode = -1;
			return 0;
		}
		n = bg_mode_parse(val);
		if (n < 0) {
			snprintf(err, errlen, "mode: '%.64s' is not audit, enforce, off or policy",
				 val);
			return -EINVAL;
		}
		c->mode = (int)n;
		return 0;
	}
	return -EINVAL;
}

int daemon_conf__set(struct daemon_conf *c, const char *key, const char *val,
		     int from_cli, char *err, size_t errlen)
{
	const struct key *k;

	for (k = keys; k->name; k++) {
		if (strcmp(k->name, key))
			continue;
		if (!val) {
			if (k->kind != K_BOOL) {
				snprintf(err, errlen, "%s needs a value", key);
				return -EINVAL;
			}
			val = "yes";
		}
		return set_value(c, k, val, from_cli, err, errlen);
	}
	snprintf(err, errlen, "unknown setting '%.64s'", key);
	return -ENOENT;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int daemon_conf__parse_mem(struct daemon_conf *c, const char *buf, size_t len,
			   const char *name, char *err, size_t errlen)
{
	char line[DCONF_MAX_LINE + 1], msg[256];
	size_t pos = 0;
	unsigned long lineno = 0;
	int ret;

	if (len > DCONF_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", name,
			 DCONF_MAX_FILE);
		return -EFBIG;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char *k, *v, *eq;

		lineno++;
		if (n > DCONF_MAX_LINE) {
			snprintf(err, errlen, "%s:%lu: line longer than %d bytes",
				 name, lineno, DCONF_MAX_LINE);
			return -EINVAL;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			snprintf(err, errlen, "%s:%lu: NUL byte", name, lineno);
			return -EINVAL;
		}
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%lu: expected 'key = value'",
				 name, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (!*v) {
			snprintf(err, errlen, "%s:%lu: %.64s has no value", name,
				 lineno, k);
			return -EINVAL;
		}
		ret = daemon_conf__set(c, k, v, 0, msg, sizeof(msg));
		if (ret) {
			snprintf(err, errlen, "%s:%lu: %s", name, lineno, msg);
			return ret == -ENOENT ? -EINVAL : ret;
		}
	}
	return 0;
}

int daemon_conf__parse_file(struct daemon_conf *c, const char *path,
			    char *err, size_t errlen)
{
	void *buf = NULL;
	size_t len = 0;
	int ret;

	ret = fileio_read_file(path, DCONF_MAX_FILE, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = daemon_conf__parse_mem(c, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

int daemon_conf__check(const struct daemon_conf *c, char *err, size_t errlen)
{
	if (!c->policy) {
		snprintf(err, errlen, "no policy: give --policy FILE or 'policy = FILE' in the configuration");
		return -EINVAL;
	}
	if (!c->nr_trust && !c->insecure_unsigned) {
		snprintf(err, errlen, "no trusted certificate: give --trust CERT.pem (or, never in production, --insecure-unsigned)");
		return -EINVAL;
	}
	if (c->nr_trust && c->min_signers > c->nr_trust) {
		snprintf(err, errlen, "min-signers %d is more than the %d trusted certificates",
			 c->min_signers, c->nr_trust);
		return -EINVAL;
	}
	return 0;
}
