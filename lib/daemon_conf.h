/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bomgated settings: the configuration file (/etc/bomgate/bomgated.conf,
 * "key = value" lines) and the command line share one setter, so every
 * key is also a long option and the command line wins.
 */
#ifndef BOMGATE_DAEMON_CONF_H
#define BOMGATE_DAEMON_CONF_H

#include <stddef.h>
#include <linux/types.h>

#define DCONF_DEFAULT_PATH	"/etc/bomgate/bomgated.conf"
#define DCONF_DEFAULT_PIN_DIR	"/sys/fs/bpf/bomgate"
#define DCONF_DEFAULT_SOCKET	"/run/bomgate/control.sock"
#define DCONF_MAX_LIST		32
#define DCONF_MAX_FILE		(64 * 1024)
#define DCONF_MAX_LINE		1024

struct daemon_conf {
	char *policy;			/* compiled policy (.bgp) */
	char *signature;		/* NULL: POLICY.sig */
	char *trust[DCONF_MAX_LIST];	/* trusted certificates, PEM */
	int nr_trust;
	int min_signers;		/* >= 1 */
	int mode;			/* -1: per class from the policy */
	int insecure_unsigned;
	int allow_rollback;
	int force;			/* enforce despite the lock-out guard */
	char *guard[DCONF_MAX_LIST];	/* extra paths that must stay allowed */
	int nr_guard;
	char *pin_dir;
	char *socket;
	char *socket_group;		/* NULL: root only */
	char *events_file;
	__u64 events_max_bytes;		/* rotate above this size */
	int events_keep;		/* rotated files kept */
	int events_stdout;
	int events_syslog;
	int events_journal;	/* native journal entries when journald runs */
	int events_audit;	/* denials as audit records (libaudit) */
	int coalesce_secs;		/* 0: no coalescing */
	int emit_allowed;
	int coverage;		/* per-digest counts in the kernel (bg_cover) */
	int coverage_max;	/* its entries; 0: BG_COVER_MAX */
	__u64 max_measure_bytes;	/* larger files are not hashed */
	char *metrics_file;
	char *state_dir;	/* last known good policy; NULL: none kept */
	char *apt_lists;	/* trust-apt: NULL is APT_LISTS_DIR */
	char *dpkg_status;	/* NULL is /var/lib/dpkg/status */
	char *scope_cgroup;		/* testing aid: gate one cgroup only */
	int seccomp;
	int test_seccomp;		/* testing aid: control verb that traps */
	/* internal: lists given on the command line replace the file's */
	int trust_cli, guard_cli;
};

/* The settings, one table for the file and the command line: the name of
 * setting @i and whether it is yes/no (its value optional on a command
 * line); NULL past the last one. */
#define DCONF_MAX_KEYS		32
const char *daemon_conf__key(unsigned int i, int *is_bool);

void daemon_conf__init(struct daemon_conf *c);
void daemon_conf__free(struct daemon_conf *c);

/*
 * Set @key (a long option name) to @val; @val is NULL for a flag given on
 * the command line ("yes"). 0, or -EINVAL/-ENOENT with @err saying why.
 */
int daemon_conf__set(struct daemon_conf *c, const char *key, const char *val,
		     int from_cli, char *err, size_t errlen);
/* Parse a configuration buffer; @name is used in messages ("FILE:LINE:"). */
int daemon_conf__parse_mem(struct daemon_conf *c, const char *buf, size_t len,
			   const char *name, char *err, size_t errlen);
/* Parse the file; -ENOENT when it does not exist (not an error for the
 * default path). */
int daemon_conf__parse_file(struct daemon_conf *c, const char *path,
			    char *err, size_t errlen);
/* Consistency once everything is set (policy given, trust or insecure). */
int daemon_conf__check(const struct daemon_conf *c, char *err, size_t errlen);

#endif
