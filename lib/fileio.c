// SPDX-License-Identifier: GPL-2.0
/*
 * Output files: temp file in the destination's directory, fsync, rename
 * onto the destination's own name (see fileio.h for the rules).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#define TMP_SUFFIX_LEN	7	/* ".XXXXXX" */
#define NR_SLOTS	4

/*
 * Temp files in flight, for the signal handler: it may only read what is
 * complete, so a slot's name is written before it is marked used.
 */
static struct {
	volatile sig_atomic_t used;
	int dirfd;
	char name[NAME_MAX + 1];
} slots[NR_SLOTS];

static int slot_get(int dirfd, const char *name)
{
	int i;

	for (i = 0; i < NR_SLOTS; i++) {
		if (slots[i].used)
			continue;
		slots[i].dirfd = dirfd;
		strcpy(slots[i].name, name);
		slots[i].used = 1;
		return i;
	}
	return -1;	/* cleaned up by the normal paths only */
}

static void slot_put(int i)
{
	if (i >= 0)
		slots[i].used = 0;
}

static void on_signal(int sig)
{
	int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (slots[i].used)
			unlinkat(slots[i].dirfd, slots[i].name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

void fileio_cleanup_on_signal(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction old;
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) || old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int fileio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* Split @path into an open directory and the name inside it. */
static int open_dir(struct fileio_out *o, const char *path)
{
	char *slash;

	o->dir_copy = strdup(path);
	if (!o->dir_copy)
		return -ENOMEM;
	slash = strrchr(o->dir_copy, '/');
	if (!slash) {
		o->base = path;
		o->dirfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		o->base = path + (slash - o->dir_copy) + 1;
		if (slash == o->dir_copy)
			slash++;	/* "/name": the root */
		*slash = '\0';
		o->dirfd = open(o->dir_copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (!*o->base || !strcmp(o->base, ".") || !strcmp(o->base, ".."))
		return -EISDIR;
	return o->dirfd < 0 ? -errno : 0;
}

static int open_in_place(struct fileio_out *o)
{
	struct stat st;

	o->in_place = 1;
	o->fd = openat(o->dirfd, o->base, O_WRONLY | O_NOFOLLOW | O_NOCTTY |
		       O_CLOEXEC);
	if (o->fd < 0)
		return -errno;
	/* swapped for a regular file since the lstat: would be written
	 * over without truncation */
	if (fstat(o->fd, &st))
		return -errno;
	return S_ISREG(st.st_mode) ? -EAGAIN : 0;
}

static int open_tmp(struct fileio_out *o)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t blen = strlen(o->base);
	unsigned char r[6];
	int tries, i;

	if (blen > NAME_MAX - TMP_SUFFIX_LEN)
		blen = NAME_MAX - TMP_SUFFIX_LEN;
	for (tries = 0; tries < 100; tries++) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return -errno;
		memcpy(o->tmp, o->base, blen);
		o->tmp[blen] = '.';
		for (i = 0; i < 6; i++)
			o->tmp[blen + 1 + i] = alnum[r[i] % (sizeof(alnum) - 1)];
		o->tmp[blen + TMP_SUFFIX_LEN] = '\0';
		o->fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL |
			       O_NOFOLLOW | O_CLOEXEC, 0600);
		if (o->fd >= 0) {
			o->slot = slot_get(o->dirfd, o->tmp);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	o->tmp[0] = '\0';
	return -errno;
}

/* What is at the destination decides how it is written. */
enum dest { DEST_NEW, DEST_REPLACE, DEST_IN_PLACE };

static int classify(const struct fileio_out *o, enum dest *d)
{
	struct stat st;

	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW)) {
		*d = DEST_NEW;
		return errno == ENOENT ? 0 : -errno;
	}
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	*d = S_ISREG(st.st_mode) ? DEST_REPLACE : DEST_IN_PLACE;
	if (*d == DEST_REPLACE && (o->flags & FILEIO_NOREPLACE))
		return -EEXIST;
	return 0;
}

static int out_init(struct fileio_out *o, const char *path, mode_t mode,
		    unsigned int flags, enum dest *d)
{
	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = o->slot = -1;
	o->mode = mode;
	o->flags = flags;
	if (!strcmp(path, "-")) {
		o->in_place = 1;
		o->fd = STDOUT_FILENO;
		*d = DEST_IN_PLACE;
		return 0;
	}
	return open_dir(o, path) ?: classify(o, d);
}

int fileio_out_open(struct fileio_out *o, const char *path, mode_t mode,
		    unsigned int flags)
{
	enum dest d;
	int err;

	err = out_init(o, path, mode, flags, &d);
	if (!err && !o->in_place)
		err = d == DEST_IN_PLACE ? open_in_place(o) : open_tmp(o);
	if (err)
		fileio_out_close(o, err);
	return err;
}

int fileio_out_check(const char *path, unsigned int flags)
{
	struct fileio_out o;
	enum dest d;

	return fileio_out_close(&o, out_init(&o, path, 0, flags, &d));
}

static int commit_rename(struct fileio_out *o)
{
	if (!(o->flags & FILEIO_NOREPLACE))
		return renameat(o->dirfd, o->tmp, o->dirfd, o->base) ? -errno : 0;
	if (!renameat2(o->dirfd, o->tmp, o->dirfd, o->base, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* no RENAME_NOREPLACE here: a hard link fails the same way */
	if (linkat(o->dirfd, o->tmp, o->dirfd, o->base, 0))
		return -errno;
	unlinkat(o->dirfd, o->tmp, 0);
	return 0;
}

int fileio_out_close(struct fileio_out *o, int err)
{
	int ret;

	if (o->in_place) {
		if (o->fd >= 0 && o->fd != STDOUT_FILENO && close(o->fd) &&
		    !err)
			err = -errno;
		goto out;
	}
	if (o->fd >= 0) {
		if (!err && (fchmod(o->fd, o->mode) || fsync(o->fd)))
			err = -errno;
		if (close(o->fd) && !err)
			err = -errno;
	}
	if (o->tmp[0]) {
		if (!err) {
			err = commit_rename(o);
			/* the rename itself durable; not every fs can */
			if (!err && fsync(o->dirfd) && errno != EINVAL)
				err = -errno;
		}
		if (err)
			unlinkat(o->dirfd, o->tmp, 0);
	}
out:
	slot_put(o->slot);
	ret = err;
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->dir_copy);
	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = o->slot = -1;
	return ret;
}

int fileio_write_file(const char *path, const void *buf, size_t len,
		      mode_t mode, unsigned int flags)
{
	struct fileio_out o;
	int err;

	err = fileio_out_open(&o, path, mode, flags);
	if (err)
		return err;
	return fileio_out_close(&o, fileio_write_all(o.fd, buf, len));
}

const char *fileio_strerror(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link: not followed (write to the file's own path, or remove the link)";
	case -EEXIST:
		return "exists: not replaced (--force replaces it)";
	case -EAGAIN:
		return "changed while being opened";
	default:
		return strerror(-err);
	}
}

/* A file's identity: its inode, or for a name not there yet, the inode
 * of its directory and the name. */
struct ident {
	dev_t dev;
	ino_t ino;
	int exists;
	const char *base;
};

static void ident_of(const char *path, char *buf, size_t len,
		     struct ident *id)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (!stat(path, &st)) {
		id->exists = 1;
	} else {
		id->base = slash ? slash + 1 : path;
		snprintf(buf, len, "%.*s", slash ? (int)(slash - path) + 1 : 1,
			 slash ? path : ".");
		if (stat(buf, &st))
			return;	/* cannot be created either */
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
}

int fileio_same_file(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX];
	struct ident x, y;

	if (!strcmp(a, "-") || !strcmp(b, "-"))
		return 0;
	if (!strcmp(a, b))
		return 1;
	ident_of(a, da, sizeof(da), &x);
	ident_of(b, db, sizeof(db), &y);
	if (x.exists != y.exists || x.dev != y.dev || x.ino != y.ino ||
	    (!x.dev && !x.ino))
		return 0;
	return x.exists || !strcmp(x.base, y.base);
}

int fileio_read_file(const char *path, size_t max, void **bufp, size_t *lenp)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *buf = NULL;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		err = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;	/* shrank under us: the loader reports it */
		done += n;
	}
	buf[done] = '\0';	/* text can be parsed in place */
	*bufp = buf;
	*lenp = done;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}
