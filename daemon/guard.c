// SPDX-License-Identifier: GPL-2.0
/*
 * The lock-out guard: before exec or mmap go to enforce, every file the
 * system needs to stay manageable must be allowed by the policy: this
 * daemon and what it maps, the CLI next to it and its libraries, PID 1,
 * /bin/sh and the operator's --guard paths. And a policy that allows
 * nothing is not enforced at all without --force.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
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

static int add_path(struct guard_report *all, const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return -errno;
	for (int i = 0; i < all->n; i++)
		if (!strcmp(all->path[i], real))
			return 0;
	if (all->n == GUARD_MAX || strlen(real) >= sizeof(all->path[0]))
		return -E2BIG;
	memcpy(all->path[all->n++], real, strlen(real) + 1);
	return 0;
}

/*
 * The shared libraries @bin needs (DT_NEEDED), looked up in the folders of
 * the libraries this daemon maps (all->path[@from..]): the CLI and the
 * daemon are built and installed together. Without them 'bomgate disable'
 * would be allowed to exec and then fail to map libexpat.
 */
static void add_needed(struct guard_report *all, const char *bin, int from)
{
	int fd, to = all->n;
	Elf_Scn *scn = NULL;
	Elf *elf = NULL;

	fd = open(bin, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (elf_version(EV_CURRENT) != EV_NONE)
		elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *data = elf_getdata(scn, NULL);
		GElf_Shdr sh;
		GElf_Dyn dyn;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !data)
			continue;
		for (int i = 0; gelf_getdyn(data, i, &dyn); i++) {
			const char *name;

			if (dyn.d_tag != DT_NEEDED)
				continue;
			name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			for (int j = from; name && !strchr(name, '/') && j < to; j++) {
				char lib[PATH_MAX];
				const char *dir = all->path[j];
				int len = strrchr(dir, '/') - dir;

				snprintf(lib, sizeof(lib), "%.*s/%s", len, dir, name);
				if (!access(lib, F_OK)) {
					add_path(all, lib);
					break;
				}
			}
		}
	}
	elf_end(elf);
	close(fd);
}

/* What must stay runnable: this daemon's binary and every file it maps
 * executable (libraries, the dynamic loader), the CLI next to it and its
 * libraries, PID 1, /bin/sh and the operator's paths. */
static int guard_paths(const struct daemon_conf *c, struct guard_report *all)
{
	char line[PATH_MAX + 128], *slash;
	ssize_t n;
	FILE *f;

	all->n = 0;
	add_path(all, "/proc/self/exe");
	f = fopen("/proc/self/maps", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char perms[8], *path = strchr(line, '/');

			if (sscanf(line, "%*s %7s", perms) != 1 || !path ||
			    !strchr(perms, 'x'))
				continue;
			path[strcspn(path, "\n")] = '\0';
			add_path(all, path);
		}
		fclose(f);
	}
	/* the CLI next to the daemon: 'bomgate disable' must keep working */
	n = readlink("/proc/self/exe", line, sizeof(line) - 16);
	if (n > 0) {
		line[n] = '\0';
		slash = strrchr(line, '/');
		if (slash) {
			strcpy(slash + 1, "bomgate");
			if (!access(line, F_OK) && !add_path(all, line))
				add_needed(all, line, 1);
		}
	}
	add_path(all, "/proc/1/exe");
	add_path(all, "/bin/sh");
	for (int i = 0; i < c->nr_guard; i++)
		if (add_path(all, c->guard[i]))
			pr_warn("lock-out guard: %s: %s", c->guard[i],
				strerror(errno));
	return 0;
}

int guard_check(const struct daemon_conf *c, const struct policy *p,
		struct guard_report *r)
{
	static struct guard_report all;
	unsigned char dg[32];

	guard_paths(c, &all);
	r->n = 0;
	for (int i = 0; i < all.n; i++) {
		const struct policy_entry *pe = NULL;

		if (!sha256_file(all.path[i], dg))
			pe = policy__lookup(p, dg);
		if (pe && (pe->flags & POLICY_F_ALLOW) &&
		    !(pe->flags & POLICY_F_BLOCK))
			continue;
		memcpy(r->path[r->n++], all.path[i], sizeof(all.path[0]));
	}
	return r->n;
}

int guard_list(const struct daemon_conf *c, FILE *f)
{
	static struct guard_report all;
	unsigned char dg[32];
	char hex[65];

	guard_paths(c, &all);
	for (int i = 0; i < all.n; i++) {
		if (sha256_file(all.path[i], dg))
			continue;
		sha256_hex(dg, hex);
		fprintf(f, "%s  %s\n", hex, all.path[i]);
	}
	return 0;
}

/*
 * A policy that allows no digest, enforced, denies everything its classes
 * gate (an SBOM with only package-level hashes compiles to one): every
 * class stays in audit unless --force.
 */
/* Class @cls in audit wherever it is enforced: globally and in each
 * scope (a scope that inherits an enforced global mode follows it). */
static void hold_class(const struct policy *p, struct engine_modes *m,
		       int cls)
{
	if (m->mode[cls] == BG_MODE_ENFORCE)
		m->mode[cls] = BG_MODE_AUDIT;
	for (__u32 s = 0; s < m->nr_scopes; s++) {
		if (m->scope[s].mode[cls] != BG_MODE_ENFORCE)
			continue;
		m->scope[s].mode[cls] = BG_MODE_AUDIT;
		if (p && policy__scope(p, s))
			pr_err("lock-out guard: scope %s (line %u): %s held in audit mode",
			       policy__scope(p, s)->path,
			       policy__scope(p, s)->line, bg_class_name(cls));
	}
}

static int empty_hold(const struct daemon *d, const struct policy *p,
		      struct engine_modes *m)
{
	int i, n = 0;

	if (policy__nr_allowed(p))
		return 0;
	for (i = 0; i < BG_CLASS_MAX; i++)
		n += engine_modes_max(m, i) == BG_MODE_ENFORCE;
	if (!n)
		return 0;
	if (d->conf->force) {
		pr_warn("the policy allows nothing: enforcing anyway (--force); every file of an enforced class is denied");
		return 0;
	}
	pr_err("the policy allows nothing (no digest): every class stays in audit mode (compile it from SBOMs with file-level SHA-256 digests, or --force)");
	for (i = 0; i < BG_CLASS_MAX; i++)
		hold_class(NULL, m, i);
	return 1;
}

/*
 * Keep exec and mmap out of enforce when the guard finds a problem, in
 * every scope that enforces them: the daemon, the CLI and the operator's
 * shell may run in any of them (the guard does not guess which cgroup the
 * way back comes from), and one allowlist serves them all.
 */
int guard_hold(struct daemon *d, const struct policy *p,
	       struct engine_modes *m)
{
	if (empty_hold(d, p, m))
		return 1;
	if (engine_modes_max(m, BG_CLASS_EXEC) != BG_MODE_ENFORCE &&
	    engine_modes_max(m, BG_CLASS_MMAP) != BG_MODE_ENFORCE)
		return 0;
	if (!guard_check(d->conf, p, &d->guard))
		return 0;
	for (int i = 0; i < d->guard.n; i++)
		pr_err("lock-out guard: the policy would deny %s",
		       d->guard.path[i]);
	if (d->conf->force) {
		pr_warn("lock-out guard: %d path(s) would be denied; enforcing anyway (--force)",
			d->guard.n);
		return 0;
	}
	pr_err("lock-out guard: exec and mmap stay in audit mode in every scope that enforces them (add these files to the SBOM, or --force)");
	hold_class(p, m, BG_CLASS_EXEC);
	hold_class(p, m, BG_CLASS_MMAP);
	return 1;
}
