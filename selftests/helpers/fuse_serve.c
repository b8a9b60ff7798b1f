// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile FUSE server for attack_test: one read-only file, "prog", whose
 * bytes are those of FIRST until reads have reached its end PASSES times
 * (whole-file hashes: one for the exec, one for the mapping of its code),
 * and those of THEN (same size) afterwards: the bytes the kernel hashes are
 * not the bytes it later maps. Every read goes to the server (direct_io,
 * no page cache kept).
 *
 *   fuse_serve MOUNTPOINT FIRST THEN PASSES
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
	char *bytes[2];
	size_t size;
	int passes, whole;
} g;

static int load(const char *path, char **out, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st))
		return -errno;
	*out = malloc(st.st_size ? st.st_size : 1);
	if (!*out)
		return -ENOMEM;
	n = read(fd, *out, st.st_size);
	close(fd);
	if (n != st.st_size)
		return -EIO;
	*size = st.st_size;
	return 0;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/prog"))
		return -ENOENT;
	st->st_mode = S_IFREG | 0755;
	st->st_nlink = 1;
	st->st_size = g.size;
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/prog"))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	const char *src = g.bytes[g.whole >= g.passes];

	if ((size_t)off >= g.size)
		return 0;
	if (size > g.size - off)
		size = g.size - off;
	memcpy(buf, src + off, size);
	if ((size_t)off + size == g.size)
		g.whole++;
	return size;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "prog", NULL, 0, 0);
	return 0;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.open = fs_open,
	.read = fs_read,
	.readdir = fs_readdir,
};

int main(int argc, char **argv)
{
	size_t size2;
	char *fargv[] = { argv[0], "-f", "-s", argv[1], NULL };

	if (argc != 5 || atoi(argv[4]) < 0) {
		fprintf(stderr, "usage: fuse_serve MOUNTPOINT FIRST THEN PASSES\n");
		return 2;
	}
	g.passes = atoi(argv[4]);
	if (load(argv[2], &g.bytes[0], &g.size) ||
	    load(argv[3], &g.bytes[1], &size2) || size2 != g.size) {
		fprintf(stderr, "fuse_serve: cannot read %s and %s (same size)\n",
			argv[2], argv[3]);
		return 1;
	}
	return fuse_main(4, fargv, &ops, NULL);
}
