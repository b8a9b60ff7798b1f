// SPDX-License-Identifier: GPL-2.0
/* Pinning the engine in bpffs so enforcement survives the daemon. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine_pin.h"
#include "engine_priv.h"

#define LINK_PREFIX "link_"

static int pin_path(char *buf, size_t len, const char *dir, const char *pfx,
		    const char *name)
{
	int n = snprintf(buf, len, "%s/%s%s", dir, pfx, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int engine_pin_count(const char *dir)
{
	struct dirent *d;
	DIR *dh;
	int n = 0;

	dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dh)))
		if (!strncmp(d->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			n++;
	closedir(dh);
	return n;
}

static int set_map_pins(struct engine *e, const char *dir)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int ret;

	bpf_object__for_each_map(map, e->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		ret = pin_path(path, sizeof(path), dir, "", bpf_map__name(map));
		if (!ret)
			ret = bpf_map__set_pin_path(map, path);
		if (ret)
			return ret;
	}
	return 0;
}

/* Hold the pinned links so engine__destroy() closes (never detaches)
 * them; a program whose hook this kernel lacks has no pin. */
static int open_links(struct engine *e, const char *dir, char *err,
		      size_t errlen)
{
	const struct bpf_object_skeleton *s = e->skel->skeleton;
	char path[PATH_MAX];
	int ret, n = 0;

	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_link *l;

		ret = pin_path(path, sizeof(path), dir, LINK_PREFIX,
			       s->progs[i].name);
		if (ret)
			return ret;
		if (access(path, F_OK))
			continue;
		l = bpf_link__open(path);
		if (!l) {
			ret = -errno;
			snprintf(err, errlen, "%s: not a usable BPF link: %s",
				 path, strerror(-ret));
			return ret;
		}
		*s->progs[i].link = l;
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "%s: no pinned program links", dir);
		return -ENOENT;
	}
	return 0;
}

struct engine *engine__open_pinned(const struct engine_opts *opts,
				   const char *dir, int *resumed, char *err,
				   size_t errlen)
{
	struct bpf_program *prog;
	struct engine *e;
	int ret;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s (is bpffs mounted at /sys/fs/bpf?)",
			 dir, strerror(-ret));
		errno = -ret;
		return NULL;
	}
	ret = engine_pin_count(dir);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(-ret));
		errno = -ret;
		return NULL;
	}
	*resumed = ret > 0;
	e = engine_open(opts, err, errlen);
	if (!e)
		return NULL;
	ret = set_map_pins(e, dir);
	if (ret) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		goto fail;
	}
	if (*resumed) {
		/* the pinned links keep the running programs: load none */
		bpf_object__for_each_program(prog, e->skel->obj)
			bpf_program__set_autoload(prog, false);
	} else {
		engine_probe_hooks(e);
	}
	ret = bomgate_bpf__load(e->skel);
	if (ret) {
		snprintf(err, errlen, "%s: %s%s", *resumed ?
			 "cannot reuse the pinned maps" :
			 "the kernel refused the BPF programs", strerror(-ret),
			 *resumed ? " (left by another bomgate version? 'bomgate disable' removes them)" :
			 ret == -EPERM ? " (BPF LSM or BPF trampolines unavailable; run 'bomgated --check')" : "");
		goto fail;
	}
	if (*resumed) {
		ret = open_links(e, dir, err, errlen);
		if (ret)
			goto fail;
		return e;
	}
	ret = engine_seed_config(e, opts, err, errlen);
	if (ret)
		goto fail;
	return e;
fail:
	engine__destroy(e);
	errno = -ret;
	return NULL;
}

int engine__pin_links(struct engine *e, const char *dir, char *err,
		      size_t errlen)
{
	const struct bpf_object_skeleton *s = e->skel->skeleton;
	char path[PATH_MAX];
	int ret;

	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_link *l = *s->progs[i].link;

		if (!l)
			continue;	/* left out on this kernel */
		ret = pin_path(path, sizeof(path), dir, LINK_PREFIX,
			       s->progs[i].name);
		if (!ret)
			ret = bpf_link__pin(l, path);
		if (ret) {
			snprintf(err, errlen, "cannot pin %s: %s", path,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int engine_pin_remove(const char *dir)
{
	struct dirent *d;
	DIR *dh;
	int ret = 0;

	dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : -errno;
	/* links first: once a link pin is gone nothing re-opens it */
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(dh);
		while ((d = readdir(dh))) {
			int is_link = !strncmp(d->d_name, LINK_PREFIX,
					       strlen(LINK_PREFIX));

			if (d->d_name[0] == '.' || is_link != !pass)
				continue;
			if (unlinkat(dirfd(dh), d->d_name, 0) && !ret)
				ret = -errno;
		}
	}
	closedir(dh);
	if (rmdir(dir) && !ret)
		ret = -errno;
	return ret;
}
