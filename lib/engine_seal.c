// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed mode as seen from userspace: the bg_seal record, the daemon mark
 * of a task, and the identities (link ids, pin inodes) the kernel guards.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine_priv.h"

_Static_assert(sizeof(struct bg_seal) == 40 + 32 * (BG_SEAL_DAEMONS +
		BG_SEAL_SIGNERS) + 4 * BG_SEAL_LINKS + 8 * BG_SEAL_PINS + 24,
	       "bg_seal ABI");

int engine__get_seal(struct engine *e, struct bg_seal *s)
{
	__u32 zero = 0;

	if (bpf_map__lookup_elem(e->skel->maps.bg_seal, &zero, sizeof(zero),
				 s, sizeof(*s), 0))
		return -errno;
	return 0;
}

int engine__set_seal(struct engine *e, const struct bg_seal *s)
{
	__u32 zero = 0;

	if (bpf_map__update_elem(e->skel->maps.bg_seal, &zero, sizeof(zero),
				 s, sizeof(*s), BPF_ANY))
		return -errno;
	return 0;
}

int engine__task_flags(struct engine *e, pid_t pid, __u32 *flags)
{
	struct bg_task t = {};
	int fd, ret = 0;

	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	if (bpf_map__lookup_elem(e->skel->maps.bg_task, &fd, sizeof(fd), &t,
				 sizeof(t), 0))
		ret = errno == ENOENT ? 0 : -errno;
	close(fd);
	*flags = t.flags;
	return ret;
}

static int add_pin(struct bg_seal *s, const struct stat *st)
{
	if (s->nr_pins && s->pin_dev != st->st_dev)
		return -EXDEV;
	if (s->nr_pins == BG_SEAL_PINS)
		return -E2BIG;
	s->pin_dev = st->st_dev;
	s->pin_ino[s->nr_pins++] = st->st_ino;
	return 0;
}

/*
 * What the kernel guards for @e pinned in @dir: the ids of its links, the
 * pin directory and every pin in it (device and inode numbers). The kernel
 * encodes s_dev as MAJOR << 20 | MINOR: bpffs has major 0, so the user
 * and kernel numbers agree.
 */
int engine__seal_ids(struct engine *e, const char *dir, struct bg_seal *s)
{
	const struct bpf_object_skeleton *sk = e->skel->skeleton;
	struct stat st;
	struct dirent *d;
	DIR *dh;
	int ret = 0;

	s->nr_links = 0;
	for (int i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link *l = *sk->progs[i].link;
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (!l)
			continue;	/* left out on this kernel */
		if (bpf_obj_get_info_by_fd(bpf_link__fd(l), &info, &len))
			return -errno;
		if (s->nr_links == BG_SEAL_LINKS)
			return -E2BIG;
		s->link_id[s->nr_links++] = info.id;
	}
	s->nr_pins = 0;
	dh = opendir(dir);
	if (!dh)
		return -errno;
	if (fstat(dirfd(dh), &st) || major(st.st_dev)) {
		ret = errno ? -errno : -EXDEV;
		goto out;
	}
	ret = add_pin(s, &st);
	while (!ret && (d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(dh), d->d_name, &st, AT_SYMLINK_NOFOLLOW))
			ret = -errno;
		else
			ret = add_pin(s, &st);
	}
out:
	closedir(dh);
	return ret;
}
