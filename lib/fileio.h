/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOMGATE_FILEIO_H
#define BOMGATE_FILEIO_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The one way bomgate writes an output file.
 *
 * A regular destination is never written in place and never resolved:
 * a temporary file is created next to it (same directory, O_EXCL |
 * O_NOFOLLOW, mode 0600 until committed), written, fsync'ed, given its
 * mode and renamed over the destination's own name. A destination that
 * is a symbolic link is refused (-ELOOP), whoever planted it; a device or
 * a FIFO (-o /dev/null, a pipe) is opened in place without following a
 * link; "-" is stdout. Readers of the destination see the old file or the
 * new one, never half of it, and an error (or SIGINT/SIGTERM, see
 * fileio_cleanup_on_signal()) leaves no temporary file behind.
 */

enum fileio_flags {
	/* Refuse to replace an existing file (-EEXIST), atomically
	 * (RENAME_NOREPLACE): private keys. */
	FILEIO_NOREPLACE = 1 << 0,
};

struct fileio_out {
	int fd;			/* write here */
	int dirfd;		/* the destination's directory */
	int in_place;		/* device, FIFO or stdout: no rename */
	unsigned int flags;
	mode_t mode;
	const char *base;	/* destination name inside dirfd */
	char *dir_copy;
	int slot;		/* signal clean-up slot, -1 if none */
	char tmp[NAME_MAX + 1];
};

/* Start writing @path ("-" for stdout). 0 or -errno (-ELOOP: a symbolic
 * link, -EISDIR, -EEXIST with FILEIO_NOREPLACE). */
int fileio_out_open(struct fileio_out *o, const char *path, mode_t mode,
		    unsigned int flags);

/* What fileio_out_open() would refuse @path with, without writing
 * anything: check before slow work (generating a key). 0 or -errno. */
int fileio_out_check(const char *path, unsigned int flags);

/* Commit what was written when @err is 0 (mode, fsync, rename), else
 * drop it. Returns the first error (@err if set). */
int fileio_out_close(struct fileio_out *o, int err);

/* write(2) until done, retrying EINTR. 0 or -errno. */
int fileio_write_all(int fd, const void *buf, size_t len);

/* The whole of @buf to @path, as above. */
int fileio_write_file(const char *path, const void *buf, size_t len,
		      mode_t mode, unsigned int flags);

/* strerror(-err), with the writer's own meanings spelt out. */
const char *fileio_strerror(int err);

/* 1 when @a and @b name the same file (same string, or the same inode
 * when both exist), else 0: "-o equal to an input". */
int fileio_same_file(const char *a, const char *b);

/* SIGINT, SIGTERM and SIGHUP remove the temporary files of writers in
 * progress, then terminate the process as the signal would. Signals the
 * process ignores stay ignored. */
void fileio_cleanup_on_signal(void);

/* --- reading -------------------------------------------------------- */

/* Read a whole regular file of at most @max bytes into malloc()ed memory,
 * followed by a NUL that *@len does not count (text parses in place).
 * 0, or -errno (-EINVAL: not a regular file, -EFBIG: larger than @max). */
int fileio_read_file(const char *path, size_t max, void **buf, size_t *len);

#endif
