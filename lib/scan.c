// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate sbom scan: walk directories, keep what can run, hash it, name it
 * from the dpkg database and write a CycloneDX or SPDX SBOM.
 *
 * Three phases: one thread walks the trees (openat/readdir, never following
 * a symlink, skipping pseudo file systems) and records the paths of regular
 * files; worker threads, started before the walk, take each path as soon as
 * it is recorded, open the file once, read its first 4 KiB, let libelf say
 * what it is and keep hashing only what can run; then the paths are sorted
 * and the dpkg status file and the *.list files are streamed and matched
 * against a hash table of the kept paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <openssl/evp.h>

#include "policy.h"
#include "scan.h"
#include "sha256.h"

#ifndef BOMGATE_VERSION
#define BOMGATE_VERSION "0"
#endif

#define SCAN_HEAD	4096		/* bytes read to classify a file */
#define SCAN_CHUNK	(256 * 1024)	/* read size while hashing */
#define SCAN_MAP_MIN	(1024 * 1024)	/* from this size: hash a mapping */
#define ARENA_BLOCK	(1024 * 1024)
#define SCAN_MAX_ROOTS	256	/* remembered to skip overlapping ones */
#define WALK_SHIFT	12
#define WALK_CHUNK0	((size_t)1 << WALK_SHIFT) /* the walk's first chunk */
#define WALK_CHUNKS	40	/* chunk k holds WALK_CHUNK0 << k entries */
#define WALK_BATCH	32	/* entries published at once, or a directory */

struct arena_block {
	struct arena_block *next;
	size_t used;
	char data[];
};

struct scan {
	struct scan_opts o;
	struct scan_stats st;
	struct scan_entry *ents;
	size_t n, cap;
	struct arena_block *arena;
	struct scan_pkg *pkgs;
	int npkgs, pkgcap;
	pthread_mutex_t lock;
	/*
	 * The walk's entries, hashed while the walk goes on: chunks that never
	 * move (workers keep pointers into them), moved to ents after it.
	 */
	struct scan_entry *chunk[WALK_CHUNKS];
	size_t wn;			/* entries walked (the walker's) */
	size_t avail;			/* of them, published (atomic) */
	size_t next;			/* next entry for a worker (atomic) */
	int walking;			/* more may be published (atomic) */
	int stop;			/* the walk failed (atomic) */
	int waiters;			/* workers waiting on more (atomic) */
	pthread_mutex_t wait;
	pthread_cond_t more;		/* entries published, or the end */
	int failed;			/* fatal worker error (atomic) */
	struct timespec t0, tprog;
	char path[PATH_MAX];		/* the walker's current path */
	const char *roots[SCAN_MAX_ROOTS]; /* resolved roots walked so far */
	size_t nroots;
};

/* --- helpers ------------------------------------------------------------- */

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void problem(struct scan *s, const char *path, unsigned long line,
		    int err, const char *msg)
{
	if (!s->o.problem)
		return;
	pthread_mutex_lock(&s->lock);
	s->o.problem(s->o.ctx, path, line, err, msg);
	pthread_mutex_unlock(&s->lock);
}

static void progress(struct scan *s, int force)
{
	struct timespec ts;
	long ms;

	if (!s->o.progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (ts.tv_sec - s->tprog.tv_sec) * 1000 +
	     (ts.tv_nsec - s->tprog.tv_nsec) / 1000000;
	if (!force && ms < 200)
		return;
	s->tprog = ts;
	s->o.progress(s->o.ctx, &s->st);
}

static char *arena_strdup(struct scan *s, const char *str, size_t len)
{
	struct arena_block *b = s->arena;
	char *p;

	if (!b || b->used + len + 1 > ARENA_BLOCK) {
		b = malloc(sizeof(*b) + (len + 1 > ARENA_BLOCK ? len + 1 :
							   ARENA_BLOCK));
		if (!b)
			return NULL;
		b->used = 0;
		b->next = s->arena;
		s->arena = b;
	}
	p = b->data + b->used;
	memcpy(p, str, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* --- phase 1: the walk ---------------------------------------------------- */

/* A new entry for the file at @path (@len bytes), counted. */
static int entry_init(struct scan *s, struct scan_entry *e, const char *path,
		      size_t len)
{
	memset(e, 0, sizeof(*e));
	e->path = arena_strdup(s, path, len);
	if (!e->path)
		return -ENOMEM;
	e->kind = SCAN_KIND_NONE;
	e->pkg = -1;
	s->st.files++;
	return 0;
}

static int add_entry(struct scan *s, const char *path, size_t len)
{
	struct scan_entry *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;

		e = realloc(s->ents, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		s->ents = e;
		s->cap = cap;
	}
	e = &s->ents[s->n];
	if (entry_init(s, e, path, len))
		return -ENOMEM;
	s->n++;
	return 0;
}

/* Entry @i of the walk: in chunk k, entries i + WALK_CHUNK0 in
 * [WALK_CHUNK0 << k, WALK_CHUNK0 << (k + 1)). */
static int walk_chunk(size_t i, size_t *off)
{
	unsigned long long j = i + WALK_CHUNK0;
	int k = 63 - __builtin_clzll(j) - WALK_SHIFT;

	*off = j - ((unsigned long long)WALK_CHUNK0 << k);
	return k;
}

static struct scan_entry *walk_ent(struct scan *s, size_t i)
{
	size_t off;
	int k = walk_chunk(i, &off);

	return &s->chunk[k][off];
}

/* Make what was walked so far visible to the workers; wake those
 * waiting. Once every WALK_BATCH entries and after each directory: not a
 * futex wake for each file while the workers keep up. */
static void publish(struct scan *s)
{
	__atomic_store_n(&s->avail, s->wn, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST))
		return;
	pthread_mutex_lock(&s->wait);
	pthread_cond_broadcast(&s->more);
	pthread_mutex_unlock(&s->wait);
}

/* A regular file found by the walk, for the workers to hash. */
static int add_walked(struct scan *s, const char *path, size_t len)
{
	struct scan_entry *e;
	size_t off;
	int k = walk_chunk(s->wn, &off);

	if (k >= WALK_CHUNKS || WALK_CHUNK0 << k > SIZE_MAX / sizeof(*e))
		return -ENOMEM;
	if (!s->chunk[k]) {
		s->chunk[k] = malloc((WALK_CHUNK0 << k) * sizeof(*e));
		if (!s->chunk[k])
			return -ENOMEM;
	}
	e = &s->chunk[k][off];
	if (entry_init(s, e, path, len))
		return -ENOMEM;
	s->wn++;
	if (!(s->wn % WALK_BATCH))
		publish(s);
	return 0;
}

static int excluded(const struct scan *s, const char *path, const char *name)
{
	int i;

	for (i = 0; i < s->o.nexcludes; i++) {
		const char *pat = s->o.excludes[i];

		if (!fnmatch(pat, strchr(pat, '/') ? path : name, 0))
			return 1;
	}
	return 0;
}

/* File systems with nothing installed on them: their files are generated by
 * the kernel (reading some of them blocks or has side effects). */
static int pseudo_fs(int fd)
{
	static const long magic[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC,
		CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEBUGFS_MAGIC,
		TRACEFS_MAGIC, SECURITYFS_MAGIC, BPF_FS_MAGIC, PSTOREFS_MAGIC,
		EFIVARFS_MAGIC, HUGETLBFS_MAGIC, 0x19800202 /* mqueue */, SELINUX_MAGIC,
		SMACK_MAGIC, BINFMTFS_MAGIC, 0x62656570 /* configfs */,
		0x65735543 /* fusectl */, NSFS_MAGIC,
	};
	struct statfs sfs;
	size_t i;

	if (fstatfs(fd, &sfs))
		return 0;
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if ((long)sfs.f_type == magic[i])
			return 1;
	return 0;
}

static int walk_dir(struct scan *s, int dfd, dev_t dev, size_t len);

/* s->path[0..len) is the directory @name inside @dfd; @parent its parent's
 * device. Errors other than -ENOMEM are reported and counted. */
static int walk_subdir(struct scan *s, int dfd, const char *name, dev_t parent,
		       size_t len)
{
	struct stat sb;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		problem(s, s->path, 0, -errno, NULL);
		s->st.unreadable++;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (sb.st_dev != parent &&
	    (s->o.one_filesystem || pseudo_fs(fd))) {
		s->st.skipped_mounts++;
		close(fd);
		return 0;
	}
	return walk_dir(s, fd, sb.st_dev, len);
}

/* Takes @dfd. */
static int walk_dir(struct scan *s, int dfd, dev_t dev, size_t len)
{
	struct dirent *de;
	struct stat sb;
	size_t nlen;
	DIR *d;
	int err = 0, type;

	d = fdopendir(dfd);
	if (!d) {
		problem(s, s->path, 0, -errno, NULL);
		s->st.unreadable++;
		close(dfd);
		return 0;
	}
	s->st.dirs++;
	progress(s, 0);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				problem(s, s->path, 0, -errno, NULL);
				s->st.unreadable++;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nlen = strlen(de->d_name);
		if (len + 1 + nlen >= sizeof(s->path)) {
			s->path[len] = '\0';
			problem(s, s->path, 0, -ENAMETOOLONG, de->d_name);
			s->st.unreadable++;
			continue;
		}
		s->path[len] = '/';
		memcpy(s->path + len + 1, de->d_name, nlen + 1);
		if (excluded(s, s->path, de->d_name)) {
			s->st.excluded++;
			continue;
		}
		type = de->d_type;
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &sb,
				    AT_SYMLINK_NOFOLLOW)) {
				problem(s, s->path, 0, -errno, NULL);
				s->st.unreadable++;
				continue;
			}
			type = S_ISDIR(sb.st_mode) ? DT_DIR :
			       S_ISREG(sb.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR)
			err = walk_subdir(s, dirfd(d), de->d_name, dev,
					  len + 1 + nlen);
		else if (type == DT_REG)
			err = add_walked(s, s->path, len + 1 + nlen);
		/* symlinks, devices, FIFOs, sockets: nothing to run */
		if (err)
			break;
	}
	s->path[len] = '\0';
	closedir(d);
	publish(s);
	return err;
}

/* Whether @real is, or is inside, a root walked before; if not, remember
 * it. */
static int root_seen(struct scan *s, const char *real, size_t len)
{
	const char *r;
	size_t i, rl;

	for (i = 0; i < s->nroots; i++) {
		r = s->roots[i];
		rl = strlen(r);
		if (!strncmp(r, real, rl) &&
		    (real[rl] == '\0' || real[rl] == '/' || rl == 1))
			return 1;
	}
	r = arena_strdup(s, real, len);
	if (r && s->nroots < SCAN_MAX_ROOTS)
		s->roots[s->nroots++] = r;
	return 0;
}

static int walk_root(struct scan *s, const char *root, char *errbuf,
		     size_t errlen)
{
	char *real;
	struct stat sb;
	size_t len;
	int fd = -1, err = 0;

	real = realpath(root, NULL);
	if (!real) {
		err = -errno;
		snprintf(errbuf, errlen, "%s: %s", root, strerror(-err));
		return err;
	}
	len = strlen(real);
	if (root_seen(s, real, len))
		goto out;	/* inside a root already walked: /usr, /lib */
	if (len >= sizeof(s->path)) {
		err = -ENAMETOOLONG;
		snprintf(errbuf, errlen, "%s: %s", root, strerror(-err));
		goto out;
	}
	memcpy(s->path, real, len + 1);
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb)) {
		err = -errno;
		snprintf(errbuf, errlen, "%s: %s", root, strerror(-err));
		goto out;
	}
	if (S_ISREG(sb.st_mode)) {
		err = add_walked(s, real, len);
	} else if (!S_ISDIR(sb.st_mode)) {
		err = -EINVAL;
		snprintf(errbuf, errlen, "%s: not a directory or regular file",
			 root);
	} else if (pseudo_fs(fd)) {
		s->st.skipped_mounts++;
	} else {
		/* "/" walks as "" + "/name" */
		if (len == 1)
			len = 0;
		err = walk_dir(s, fd, sb.st_dev, len);
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	free(real);
	return err;
}

/* --- phase 2: classify and hash ------------------------------------------- */

static int classify_elf(char *buf, size_t n, const char *path)
{
	GElf_Ehdr eh;
	Elf *elf;
	int kind = SCAN_KIND_NONE;

	elf = elf_memory(buf, n);
	if (!elf)
		return kind;
	if (elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh)) {
		if (eh.e_type == ET_EXEC)
			kind = SCAN_KIND_EXEC;
		else if (eh.e_type == ET_DYN)
			kind = SCAN_KIND_DYN;
		else if (eh.e_type == ET_REL && ends_with(path, ".ko"))
			kind = SCAN_KIND_MODULE;
	}
	elf_end(elf);
	return kind;
}

int scan_classify(const char *buf, size_t n, const char *path, mode_t mode)
{
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char gz[] = { 0x1f, 0x8b };

	if (n >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG))
		return classify_elf((char *)buf, n, path);
	if (n >= 2 && buf[0] == '#' && buf[1] == '!' && (mode & 0111))
		return SCAN_KIND_SCRIPT;
	if ((ends_with(path, ".ko.xz") && n >= sizeof(xz) &&
	     !memcmp(buf, xz, sizeof(xz))) ||
	    (ends_with(path, ".ko.zst") && n >= sizeof(zst) &&
	     !memcmp(buf, zst, sizeof(zst))) ||
	    (ends_with(path, ".ko.gz") && n >= sizeof(gz) &&
	     !memcmp(buf, gz, sizeof(gz))))
		return SCAN_KIND_MODULE_Z;
	return SCAN_KIND_NONE;
}

static ssize_t read_retry(int fd, char *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

struct hasher {
	EVP_MD_CTX *md, *md1;	/* SHA-256, SHA-1 (or NULL) */
	EVP_MD_CTX *md5;	/* --verify-dpkg: what dpkg records */
	char *buf;
};

static int hasher_init(struct hasher *h)
{
	if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1 ||
	    (h->md1 && EVP_DigestInit_ex(h->md1, EVP_sha1(), NULL) != 1) ||
	    (h->md5 && EVP_DigestInit_ex(h->md5, EVP_md5(), NULL) != 1))
		return -EIO;
	return 0;
}

static int hasher_update(struct hasher *h, const char *buf, size_t n)
{
	if (EVP_DigestUpdate(h->md, buf, n) != 1)
		return -EIO;
	if (h->md1 && EVP_DigestUpdate(h->md1, buf, n) != 1)
		return -EIO;
	if (h->md5 && EVP_DigestUpdate(h->md5, buf, n) != 1)
		return -EIO;
	return 0;
}

/*
 * Large files are hashed from a mapping of the page cache: read() would
 * copy every byte once more (a sixth of a warm scan's CPU time). A file
 * cut shorter while mapped raises SIGBUS on the pages past its new end:
 * the hashing thread then jumps back here and the file is hashed again
 * with read(), as if it had never been mapped.
 */
static __thread sigjmp_buf *scan_bus_jmp;

static void scan_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = scan_bus_jmp;

	(void)si;
	(void)uc;
	if (jb)
		siglongjmp(*jb, 1);
	signal(sig, SIG_DFL);	/* not a mapping of ours: the default */
	raise(sig);
}

static int hash_range(struct hasher *h, const char *map, size_t off,
		      size_t size)
{
	size_t n;

	for (; off < size; off += n) {
		n = size - off < SCAN_CHUNK ? size - off : SCAN_CHUNK;
		if (hasher_update(h, map + off, n))
			return -EIO;
	}
	return 0;
}

/* Hash bytes [@off, @size) of @fd from a mapping. Returns 0, 1 when it
 * could not (not mappable, or the file shrank: hash it with read()), or
 * -EIO. */
static int hash_mapped(struct hasher *h, int fd, size_t off, size_t size)
{
	sigjmp_buf jb;
	char *map;
	int err;

	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return 1;
	madvise(map, size, MADV_SEQUENTIAL);
	if (sigsetjmp(jb, 1)) {
		scan_bus_jmp = NULL;
		munmap(map, size);
		return 1;
	}
	scan_bus_jmp = &jb;
	err = hash_range(h, map, off, size);
	scan_bus_jmp = NULL;
	munmap(map, size);
	return err;
}

/* Hash what was read (@n bytes in h->buf) and the rest of @fd, which
 * fstat() said had @size bytes. Returns 0, -errno from read (reported by
 * the caller), or -EIO/-ENOMEM (fatal). */
static int hash_rest(struct scan *s, struct hasher *h, int fd, ssize_t n,
		     unsigned long long size, struct scan_entry *e)
{
	unsigned long long total = 0;
	unsigned int len;
	int err;

	if (hasher_init(h))
		return -EIO;
	if (size >= SCAN_MAP_MIN && size == (size_t)size &&
	    (unsigned long long)n < size) {
		if (hasher_update(h, h->buf, n))
			return -EIO;
		err = hash_mapped(h, fd, n, size);
		if (err < 0)
			return err;
		if (!err && lseek(fd, size, SEEK_SET) == (off_t)size) {
			total = size;	/* and what was added since fstat() */
		} else if (hasher_init(h) || lseek(fd, 0, SEEK_SET)) {
			return -EIO;	/* or start again with read() */
		}
		n = read_retry(fd, h->buf, SCAN_CHUNK);
	}
	while (n > 0) {
		if (hasher_update(h, h->buf, n))
			return -EIO;
		total += n;
		n = read_retry(fd, h->buf, SCAN_CHUNK);
	}
	if (n < 0) {
		e->err = n;
		return 0;
	}
	if (EVP_DigestFinal_ex(h->md, e->sha256, &len) != 1 ||
	    (h->md1 && EVP_DigestFinal_ex(h->md1, e->sha1, &len) != 1) ||
	    (h->md5 && EVP_DigestFinal_ex(h->md5, e->md5, &len) != 1))
		return -EIO;
	e->size = total;
	__atomic_add_fetch(&s->st.bytes, total, __ATOMIC_RELAXED);
	return 0;
}

/* Returns 0 (problems with the file are in e->err) or a fatal -errno. */
static int scan_file(struct scan *s, struct hasher *h, struct scan_entry *e)
{
	struct stat sb;
	ssize_t n = 0, r;
	int fd, err = 0;

	fd = open(e->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		  O_CLOEXEC);
	if (fd < 0) {
		e->err = -errno;
		return 0;
	}
	if (fstat(fd, &sb)) {
		e->err = -errno;
		goto out;
	}
	e->dev = sb.st_dev;
	e->ino = sb.st_ino;
	e->mode = sb.st_mode;
	e->size = sb.st_size;
	if (!S_ISREG(sb.st_mode) || sb.st_size < 2)
		goto out;	/* replaced since the walk, or too small */
	while (n < SCAN_HEAD) {
		r = read_retry(fd, h->buf + n, SCAN_HEAD - n);
		if (r < 0) {
			e->err = r;
			goto out;
		}
		if (!r)
			break;
		n += r;
	}
	e->kind = scan_classify(h->buf, n, e->path, e->mode);
	if (e->kind != SCAN_KIND_NONE)
		err = hash_rest(s, h, fd, n, sb.st_size, e);
out:
	close(fd);
	return err;
}

static void wake_all(struct scan *s)
{
	pthread_mutex_lock(&s->wait);
	pthread_cond_broadcast(&s->more);
	pthread_mutex_unlock(&s->wait);
}

/* Wait until the walk has published entry @i: 1, or 0 when it never will
 * (the walk ended before it or failed, or a worker failed). */
static int wait_for(struct scan *s, size_t i)
{
	int ok = 0;

	if (i < __atomic_load_n(&s->avail, __ATOMIC_ACQUIRE))
		return 1;
	pthread_mutex_lock(&s->wait);
	__atomic_add_fetch(&s->waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (i < __atomic_load_n(&s->avail, __ATOMIC_SEQ_CST)) {
			ok = 1;
			break;
		}
		if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&s->failed, __ATOMIC_SEQ_CST))
			break;
		if (!__atomic_load_n(&s->walking, __ATOMIC_SEQ_CST)) {
			/* the last entries are published before the end */
			ok = i < __atomic_load_n(&s->avail, __ATOMIC_SEQ_CST);
			break;
		}
		pthread_cond_wait(&s->more, &s->wait);
	}
	__atomic_sub_fetch(&s->waiters, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&s->wait);
	return ok;
}

/* Hashes the walk's entries as they are published; their problems are
 * reported after the walk, once sorted (mark_dups()). */
static void *worker(void *arg)
{
	struct scan *s = arg;
	struct hasher h = { NULL, NULL, NULL, NULL };
	size_t i;
	int err = 0;

	h.buf = malloc(SCAN_CHUNK);
	h.md = EVP_MD_CTX_new();
	if (s->o.sha1)
		h.md1 = EVP_MD_CTX_new();
	if (s->o.verify_dpkg)
		h.md5 = EVP_MD_CTX_new();
	if (!h.buf || !h.md || (s->o.sha1 && !h.md1) ||
	    (s->o.verify_dpkg && !h.md5)) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (__atomic_load_n(&s->failed, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&s->stop, __ATOMIC_RELAXED))
			break;
		i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
		if (!wait_for(s, i))
			break;
		err = scan_file(s, &h, walk_ent(s, i));
		if (err)
			break;
		__atomic_add_fetch(&s->st.done, 1, __ATOMIC_RELAXED);
	}
out:
	if (err) {
		__atomic_store_n(&s->failed, err, __ATOMIC_SEQ_CST);
		wake_all(s);
	}
	EVP_MD_CTX_free(h.md);
	EVP_MD_CTX_free(h.md1);
	EVP_MD_CTX_free(h.md5);
	free(h.buf);
	return NULL;
}

struct workers {
	pthread_t tid[SCAN_MAX_THREADS];
	struct sigaction old;	/* SIGBUS, restored after the last one */
	int started;
};

/* Before the walk: the workers wait for its entries. */
static int workers_start(struct scan *s, struct workers *w)
{
	struct sigaction sa = { .sa_flags = SA_SIGINFO };
	int i, nt = s->o.threads, err = 0;

	if (nt <= 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		nt = ncpu > 0 ? ncpu : 1;
	}
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	sa.sa_sigaction = scan_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &w->old))
		return -errno;
	s->wn = 0;
	s->avail = 0;
	s->next = 0;
	s->stop = 0;
	s->failed = 0;
	__atomic_store_n(&s->walking, 1, __ATOMIC_SEQ_CST);
	w->started = 0;
	for (i = 0; i < nt; i++) {
		err = -pthread_create(&w->tid[i], NULL, worker, s);
		if (err)
			break;
		w->started++;
	}
	if (!w->started) {
		s->walking = 0;
		sigaction(SIGBUS, &w->old, NULL);
		return err;
	}
	return 0;
}

/* After the walk (@walk_err what it returned): let the workers hash what
 * is left, or stop them when the walk failed. Returns a worker's fatal
 * error, or 0. */
static int workers_finish(struct scan *s, struct workers *w, int walk_err)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i;

	if (walk_err)
		__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	publish(s);	/* a regular file as a root */
	__atomic_store_n(&s->walking, 0, __ATOMIC_SEQ_CST);
	wake_all(s);
	while (!walk_err && s->o.progress &&
	       __atomic_load_n(&s->st.done, __ATOMIC_RELAXED) < s->wn &&
	       !__atomic_load_n(&s->failed, __ATOMIC_RELAXED)) {
		nanosleep(&ts, NULL);
		progress(s, 0);
	}
	for (i = 0; i < w->started; i++)
		pthread_join(w->tid[i], NULL);
	sigaction(SIGBUS, &w->old, NULL);
	return s->failed;
}

/* The walk's entries, once hashed, appended to the plain array. */
static int collect(struct scan *s)
{
	struct scan_entry *e;
	size_t i, n;
	int k;

	if (!s->wn)
		return 0;
	e = realloc(s->ents, (s->n + s->wn) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	s->ents = e;
	s->cap = s->n + s->wn;
	for (i = 0, k = 0; i < s->wn; i += n, k++) {
		n = WALK_CHUNK0 << k;
		if (n > s->wn - i)
			n = s->wn - i;
		memcpy(s->ents + s->n + i, s->chunk[k], n * sizeof(*e));
		free(s->chunk[k]);
		s->chunk[k] = NULL;
	}
	s->n += s->wn;
	s->wn = 0;
	s->avail = 0;
	s->next = 0;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	const struct scan_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * Overlapping roots (/usr and /usr/lib) reach a path twice: both were
 * hashed, the second one is left as if it had not been (not counted, its
 * bytes neither). The problems of the others are reported, in order.
 */
static void mark_dups(struct scan *s)
{
	struct scan_entry *e;
	const char *path;
	size_t i;

	if (s->n)
		qsort(s->ents, s->n, sizeof(*s->ents), cmp_path);
	for (i = 0; i < s->n; i++) {
		e = &s->ents[i];
		if (i && !strcmp(e->path, s->ents[i - 1].path)) {
			if (!e->err && e->kind != SCAN_KIND_NONE)
				s->st.bytes -= e->size;
			path = e->path;
			memset(e, 0, sizeof(*e));
			e->path = path;
			e->kind = SCAN_KIND_NONE;
			e->pkg = -1;
			e->dup = 1;
			s->st.files--;
			continue;
		}
		if (e->err)
			problem(s, e->path, 0, e->err, NULL);
	}
}

/* --- phase 3: the dpkg database ------------------------------------------- */

static int kept(const struct scan_entry *e)
{
	return !e->dup && !e->err && e->kind != SCAN_KIND_NONE;
}

struct path_table {
	size_t mask;
	int *slot;		/* entry index + 1, 0 empty */
};

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static int table_build(struct scan *s, struct path_table *t)
{
	size_t i, cnt = 0, sz = 16, j;

	for (i = 0; i < s->n; i++)
		cnt += kept(&s->ents[i]);
	while (sz < cnt * 2)
		sz <<= 1;
	t->slot = calloc(sz, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = sz - 1;
	for (i = 0; i < s->n; i++) {
		if (!kept(&s->ents[i]))
			continue;
		j = hash_str(s->ents[i].path, strlen(s->ents[i].path)) & t->mask;
		while (t->slot[j])
			j = (j + 1) & t->mask;
		t->slot[j] = i + 1;
	}
	return 0;
}

static struct scan_entry *table_find(struct scan *s, const struct path_table *t,
				     const char *path, size_t len)
{
	size_t j = hash_str(path, len) & t->mask;
	struct scan_entry *e;

	while (t->slot[j]) {
		e = &s->ents[t->slot[j] - 1];
		if (!strncmp(e->path, path, len) && !e->path[len])
			return e;
		j = (j + 1) & t->mask;
	}
	return NULL;
}

/* Merged /usr: dpkg still lists many files under /bin, /lib... that are
 * symlinks to usr/bin, usr/lib on the running system. */
static const char *const usr_alias[] = {
	"bin", "sbin", "lib", "lib32", "lib64", "libx32",
};

static unsigned int usr_aliases(const char *root)
{
	char link[PATH_MAX], want[32];
	unsigned int mask = 0;
	size_t i;
	ssize_t n;

	for (i = 0; i < sizeof(usr_alias) / sizeof(usr_alias[0]); i++) {
		snprintf(link, sizeof(link), "%s/%s", root, usr_alias[i]);
		n = readlink(link, want, sizeof(want) - 1);
		if (n <= 0)
			continue;
		want[n] = '\0';
		snprintf(link, sizeof(link), "usr/%s", usr_alias[i]);
		if (!strcmp(want, link) || !strcmp(want + (*want == '/'), link))
			mask |= 1u << i;
	}
	return mask;
}

/* A path of the dpkg database @line (length @len), found on disk: under
 * opts.root, and under /usr when the root's /bin... link there. */
static struct scan_entry *dpkg_find(struct scan *s, const struct path_table *t,
				    unsigned int alias, const char *line,
				    size_t len)
{
	const char *root = s->o.root ? s->o.root : "";
	size_t i, a, rl = strlen(root), usr = 0;
	char buf[PATH_MAX];

	if (rl && root[rl - 1] == '/')
		rl--;	/* "/" and "dir/" */
	for (i = 0; i < sizeof(usr_alias) / sizeof(usr_alias[0]); i++) {
		if (!(alias & (1u << i)))
			continue;
		a = strlen(usr_alias[i]);
		if (len > a + 1 && line[0] == '/' &&
		    !memcmp(line + 1, usr_alias[i], a) && line[a + 1] == '/') {
			usr = 4;
			break;
		}
	}
	if (!rl && !usr)
		return table_find(s, t, line, len);
	if (rl + usr + len >= sizeof(buf))
		return NULL;
	memcpy(buf, root, rl);
	memcpy(buf + rl, "/usr", usr);
	memcpy(buf + rl + usr, line, len);
	return table_find(s, t, buf, rl + usr + len);
}

static void pkg_free(struct scan_pkg *p)
{
	free(p->source);
	free(p->deb_sha256);
	free(p->name);
	free(p->arch);
	free(p->version);
	free(p->maintainer);
	free(p->purl);
}

/* purl version and qualifiers are percent-encoded (epochs have a ':'). */
static int purl_make(struct scan_pkg *p)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0, n = strlen(p->version);
	char *enc = malloc(3 * n + 1);
	int ret;

	if (!enc)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = p->version[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(".-_~+", c)) {
			enc[o++] = c;
		} else {
			enc[o++] = '%';
			enc[o++] = hex[c >> 4];
			enc[o++] = hex[c & 15];
		}
	}
	enc[o] = '\0';
	ret = asprintf(&p->purl, "pkg:deb/debian/%s@%s?arch=%s", p->name, enc,
		       p->arch);
	free(enc);
	if (ret < 0) {
		p->purl = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Keep a status paragraph whose files are on disk. */
static int pkg_add(struct scan *s, struct scan_pkg *p, const char *state)
{
	static const char *const on_disk[] = {
		"installed", "half-configured", "unpacked", "half-installed",
		"triggers-awaited", "triggers-pending",
	};
	const char *w;
	size_t i;
	int err;

	w = state ? strrchr(state, ' ') : NULL;
	if (!p->name || !w)
		goto drop;
	for (i = 0; i < sizeof(on_disk) / sizeof(on_disk[0]); i++)
		if (!strcmp(w + 1, on_disk[i]))
			break;
	if (i == sizeof(on_disk) / sizeof(on_disk[0]))
		goto drop;
	if (!p->version && !(p->version = strdup("")))
		goto nomem;
	if (!p->arch && !(p->arch = strdup("all")))
		goto nomem;
	err = purl_make(p);
	if (err)
		goto nomem;
	if (s->npkgs == s->pkgcap) {
		int cap = s->pkgcap ? s->pkgcap * 2 : 256;
		struct scan_pkg *np = realloc(s->pkgs, cap * sizeof(*np));

		if (!np)
			goto nomem;
		s->pkgs = np;
		s->pkgcap = cap;
	}
	s->pkgs[s->npkgs++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
nomem:
	pkg_free(p);
	memset(p, 0, sizeof(*p));
	return -ENOMEM;
drop:
	pkg_free(p);
	memset(p, 0, sizeof(*p));
	return 0;
}

static int status_field(struct scan *s, struct scan_pkg *p, char **state,
			const char *path, unsigned long lineno, char *line)
{
	char *colon = strchr(line, ':'), *v, **dst;

	if (!colon) {
		problem(s, path, lineno, 0, "line is neither 'Field: value' "
			"nor a continuation; ignored");
		return 0;
	}
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!strcmp(line, "Package"))
		dst = &p->name;
	else if (!strcmp(line, "Version"))
		dst = &p->version;
	else if (!strcmp(line, "Architecture"))
		dst = &p->arch;
	else if (!strcmp(line, "Maintainer"))
		dst = &p->maintainer;
	else if (!strcmp(line, "Status"))
		dst = state;
	else
		return 0;
	if (*dst) {
		problem(s, path, lineno, 0, "field repeated in one paragraph; "
			"the first one is kept");
		return 0;
	}
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int dpkg_status(struct scan *s, const char *dir, char *errbuf,
		       size_t errlen)
{
	struct scan_pkg p = { 0 };
	char *path = NULL, *line = NULL, *state = NULL;
	unsigned long lineno = 0;
	size_t cap = 0;
	ssize_t n;
	FILE *f = NULL;
	int err = 0;

	if (asprintf(&path, "%s/status", dir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		if (err == -ENOENT && !s->o.dpkg_dir) {
			/* not a Debian system: no names, not an error */
			problem(s, path, 0, err, "no Debian package names");
			err = 0;
		} else {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-err));
		}
		goto out;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n) {
			err = pkg_add(s, &p, state);
			free(state);
			state = NULL;
		} else if (line[0] != ' ' && line[0] != '\t') {
			err = status_field(s, &p, &state, path, lineno, line);
		}
		if (err)
			goto out;
	}
	if (ferror(f)) {
		err = -EIO;
		snprintf(errbuf, errlen, "%s:%lu: read error", path, lineno);
		goto out;
	}
	err = pkg_add(s, &p, state);
out:
	if (err == -ENOMEM)
		snprintf(errbuf, errlen, "%s: out of memory", path);
	pkg_free(&p);
	free(state);
	free(line);
	if (f)
		fclose(f);
	free(path);
	return err;
}

static FILE *dpkg_open_info(const char *dir, const struct scan_pkg *p,
			    const char *ext, char **path)
{
	FILE *f;

	if (asprintf(path, "%s/info/%s:%s.%s", dir, p->name, p->arch, ext) < 0)
		return *path = NULL, NULL;
	f = fopen(*path, "re");
	if (f || errno != ENOENT)
		return f;
	free(*path);
	if (asprintf(path, "%s/info/%s.%s", dir, p->name, ext) < 0)
		return *path = NULL, NULL;
	return fopen(*path, "re");
}

/*
 * dpkg-divert(1): the file a package ships at FROM is installed at TO,
 * unless the package is the one that made the diversion (BY; ":" for a
 * local diversion, made by no package). The *.list files keep FROM, so
 * without this every package listing FROM would be named for the file
 * there: /usr/bin/pg_config is postgresql-common's, libpq-dev's is
 * /usr/bin/pg_config.libpq-dev.
 */
struct diversion {
	char *from, *to, *by;
};

struct diversions {
	struct diversion *d;
	size_t n;
};

static int cmp_diversion(const void *a, const void *b)
{
	return strcmp(((const struct diversion *)a)->from,
		      ((const struct diversion *)b)->from);
}

static void diversions_free(struct diversions *dv)
{
	for (size_t i = 0; i < dv->n; i++) {
		free(dv->d[i].from);
		free(dv->d[i].to);
		free(dv->d[i].by);
	}
	free(dv->d);
	dv->d = NULL;
	dv->n = 0;
}

/* dir/diversions: three lines a diversion (from, to, by). Absent: none. */
static int diversions_read(struct scan *s, const char *dir,
			   struct diversions *dv)
{
	char *path = NULL, *line[3] = { NULL, NULL, NULL };
	size_t cap[3] = { 0, 0, 0 }, alloc = 0;
	unsigned long lineno = 0;
	struct diversion *nd;
	ssize_t n = 0;
	FILE *f;
	int i, err = 0;

	if (asprintf(&path, "%s/diversions", dir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		err = errno == ENOENT ? 0 : -errno;
		if (err)
			problem(s, path, 0, err, "diversions unknown");
		free(path);
		return 0;
	}
	for (;;) {
		for (i = 0; i < 3; i++) {
			n = getline(&line[i], &cap[i], f);
			if (n <= 0)
				break;
			lineno++;
			if (line[i][n - 1] == '\n')
				line[i][n - 1] = '\0';
		}
		if (i < 3) {
			if (i)
				problem(s, path, lineno, 0, "diversion cut short; ignored");
			break;
		}
		if (dv->n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			nd = realloc(dv->d, alloc * sizeof(*nd));
			if (!nd) {
				err = -ENOMEM;
				break;
			}
			dv->d = nd;
		}
		nd = &dv->d[dv->n];
		nd->from = strdup(line[0]);
		nd->to = strdup(line[1]);
		nd->by = strdup(line[2]);
		dv->n++;
		if (!nd->from || !nd->to || !nd->by) {
			err = -ENOMEM;
			break;
		}
	}
	if (!err && ferror(f))
		problem(s, path, lineno, -EIO, "read error");
	fclose(f);
	free(path);
	for (i = 0; i < 3; i++)
		free(line[i]);
	if (dv->n)
		qsort(dv->d, dv->n, sizeof(*dv->d), cmp_diversion);
	return err;
}

/* Where package @pkg's file listed as @line (length @len) really is. */
static const char *diverted(const struct diversions *dv, const char *pkg,
			    char *line, size_t *len)
{
	struct diversion key = { .from = line }, *d;

	if (!dv->n)
		return line;
	d = bsearch(&key, dv->d, dv->n, sizeof(*d), cmp_diversion);
	if (!d || !strcmp(d->by, pkg))
		return line;	/* not diverted, or the diverter's own */
	*len = strlen(d->to);
	return d->to;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	       c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "MD5HEX  relative/path" (dpkg writes two spaces); 0 or -EINVAL. */
static int md5sums_line(char *line, unsigned char md5[16], char **rel)
{
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		hi = hexval(line[2 * i]);
		lo = hi < 0 ? -1 : hexval(line[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		md5[i] = hi << 4 | lo;
	}
	line += 32;
	if (*line != ' ')
		return -EINVAL;
	while (*line == ' ')
		line++;
	if (!*line)
		return -EINVAL;
	line -= 1;
	*line = '/';	/* the path, absolute */
	*rel = line;
	return 0;
}

/* --verify-dpkg: each file against the MD5 its package recorded. */
static void dpkg_md5sums(struct scan *s, const char *dir, int i,
			 const struct path_table *t,
			 const struct diversions *dv, unsigned int alias)
{
	unsigned char md5[16];
	unsigned long lineno = 0;
	char *line = NULL, *path = NULL, *rel;
	struct scan_entry *e;
	const char *real;
	size_t cap = 0, len;
	ssize_t n;
	FILE *f;

	f = dpkg_open_info(dir, &s->pkgs[i], "md5sums", &path);
	if (!f) {
		if (path && errno != ENOENT)
			problem(s, path, 0, -errno, "checksums unknown");
		free(path);
		return;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (md5sums_line(line, md5, &rel)) {
			problem(s, path, lineno, 0, "not 'MD5  path'; ignored");
			continue;
		}
		len = strlen(rel);
		real = diverted(dv, s->pkgs[i].name, rel, &len);
		e = dpkg_find(s, t, alias, real, len);
		if (!e || e->pkg != i)
			continue;
		if (memcmp(e->md5, md5, 16)) {
			e->verify = SCAN_VERIFY_MODIFIED;
			memcpy(e->md5_recorded, md5, 16);
		} else {
			e->verify = SCAN_VERIFY_OK;
		}
	}
	if (ferror(f))
		problem(s, path, 0, -EIO, "read error");
	fclose(f);
	free(line);
	free(path);
}

static int dpkg_lists(struct scan *s, const char *dir)
{
	struct diversions dv = { NULL, 0 };
	struct path_table t = { 0, NULL };
	unsigned int alias = usr_aliases(s->o.root ? s->o.root : "");
	struct scan_entry *e;
	char *line = NULL, *path = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int i, err;

	err = table_build(s, &t);
	if (!err)
		err = diversions_read(s, dir, &dv);
	for (i = 0; !err && i < s->npkgs; i++) {
		f = dpkg_open_info(dir, &s->pkgs[i], "list", &path);
		if (!f) {
			if (!path) {
				err = -ENOMEM;
				break;
			}
			problem(s, path, 0, -errno, "package files unknown");
			free(path);
			continue;
		}
		while ((n = getline(&line, &cap, f)) > 0) {
			size_t len;
			const char *real;

			if (line[n - 1] == '\n')
				line[--n] = '\0';
			len = n;
			real = diverted(&dv, s->pkgs[i].name, line, &len);
			e = dpkg_find(s, &t, alias, real, len);
			if (e && e->pkg < 0) {
				e->pkg = i;
				s->pkgs[i].nfiles++;
			}
		}
		if (ferror(f))
			problem(s, path, 0, -EIO, "read error");
		fclose(f);
		free(path);
	}
	for (i = 0; !err && s->o.verify_dpkg && i < s->npkgs; i++)
		if (s->pkgs[i].nfiles)
			dpkg_md5sums(s, dir, i, &t, &dv, alias);
	free(line);
	free(t.slot);
	diversions_free(&dv);
	return err;
}

/* --- the scan -------------------------------------------------------------- */

struct scan *scan__new(const struct scan_opts *opts)
{
	struct scan *s;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (opts)
		s->o = *opts;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->wait, NULL);
	pthread_cond_init(&s->more, NULL);
	return s;
}

void scan__free(struct scan *s)
{
	struct arena_block *b, *next;
	int i;

	if (!s)
		return;
	for (b = s->arena; b; b = next) {
		next = b->next;
		free(b);
	}
	for (i = 0; i < s->npkgs; i++)
		pkg_free(&s->pkgs[i]);
	free(s->pkgs);
	free(s->ents);
	for (i = 0; i < WALK_CHUNKS; i++)
		free(s->chunk[i]);
	pthread_cond_destroy(&s->more);
	pthread_mutex_destroy(&s->wait);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void count(struct scan *s)
{
	struct scan_entry *e;
	size_t i;
	int k;

	for (i = 0; i < s->n; i++) {
		e = &s->ents[i];
		if (e->dup)
			continue;
		if (e->err) {
			s->st.unreadable++;
			continue;
		}
		k = e->kind;
		s->st.exec += k == SCAN_KIND_EXEC;
		s->st.dyn += k == SCAN_KIND_DYN;
		s->st.modules += k == SCAN_KIND_MODULE || k == SCAN_KIND_MODULE_Z;
		s->st.scripts += k == SCAN_KIND_SCRIPT;
		s->st.elf += k == SCAN_KIND_EXEC || k == SCAN_KIND_DYN ||
			     k == SCAN_KIND_MODULE;
		s->st.owned += k != SCAN_KIND_NONE && e->pkg >= 0;
		if (!s->o.verify_dpkg || k == SCAN_KIND_NONE)
			continue;
		if (e->verify == SCAN_VERIFY_NONE)
			e->verify = e->pkg < 0 ? SCAN_VERIFY_UNOWNED :
				    SCAN_VERIFY_UNRECORDED;
		s->st.verified += e->verify == SCAN_VERIFY_OK;
		s->st.modified += e->verify == SCAN_VERIFY_MODIFIED;
		s->st.unowned += e->verify == SCAN_VERIFY_UNOWNED;
		s->st.unrecorded += e->verify == SCAN_VERIFY_UNRECORDED;
	}
	for (k = 0; k < s->npkgs; k++)
		s->st.packages += s->pkgs[k].nfiles > 0;
}

int scan__run(struct scan *s, char *const *roots, int nroots, char *err,
	      size_t errlen)
{
	const char *dir = s->o.dpkg_dir ? s->o.dpkg_dir : SCAN_DPKG_DIR;
	double t0 = now_sec();
	char dummy[1], *rootdir = NULL, *realroot = NULL;
	struct workers w;
	int i, ret = 0, hret;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*err = '\0';
	if (s->o.root && *s->o.root) {
		/* the walk names files by their resolved paths */
		realroot = realpath(s->o.root, NULL);
		if (!realroot) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", s->o.root,
				 strerror(-ret));
			return ret;
		}
		s->o.root = realroot;
	}
	if (!s->o.dpkg_dir && s->o.root && *s->o.root) {
		if (asprintf(&rootdir, "%s%s", s->o.root, SCAN_DPKG_DIR) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		dir = rootdir;
	}
	if (s->o.verify_dpkg && !*dir) {
		snprintf(err, errlen, "--verify-dpkg needs the dpkg database");
		ret = -EINVAL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->tprog);
	/* the workers hash what the walk finds while it goes on */
	ret = workers_start(s, &w);
	if (ret) {
		snprintf(err, errlen, "hashing: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < nroots && !ret; i++)
		ret = walk_root(s, roots[i], err, errlen);
	hret = workers_finish(s, &w, ret);
	if (ret)
		goto out;
	if (hret) {
		ret = hret;
		snprintf(err, errlen, "hashing: %s", strerror(-ret));
		goto out;
	}
	ret = collect(s);
	if (ret)
		goto out;
	mark_dups(s);
	if (*dir) {
		ret = dpkg_status(s, dir, err, errlen);
		if (!ret)
			ret = dpkg_lists(s, dir);
		if (ret && !*err)
			snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		if (ret)
			goto out;
	}
	count(s);
out:
	if (ret == -ENOMEM && !*err)
		snprintf(err, errlen, "out of memory");
	s->st.seconds = now_sec() - t0;
	progress(s, 1);
	free(rootdir);
	if (realroot) {
		s->o.root = NULL;	/* the caller's is gone with it */
		free(realroot);
	}
	return ret;
}

int scan__add_pkg(struct scan *s, const struct scan_pkg *src)
{
	struct scan_pkg p = { 0 };
	int err;

	if (!src->name || !src->version || !src->arch)
		return -EINVAL;
	p.name = strdup(src->name);
	p.version = strdup(src->version);
	p.arch = strdup(src->arch);
	if (src->maintainer)
		p.maintainer = strdup(src->maintainer);
	if (src->source)
		p.source = strdup(src->source);
	if (src->deb_sha256)
		p.deb_sha256 = strdup(src->deb_sha256);
	if (!p.name || !p.version || !p.arch ||
	    (src->maintainer && !p.maintainer) ||
	    (src->source && !p.source) ||
	    (src->deb_sha256 && !p.deb_sha256)) {
		pkg_free(&p);
		return -ENOMEM;
	}
	err = pkg_add(s, &p, "install ok installed");
	return err ? err : s->npkgs - 1;
}

int scan__add_file(struct scan *s, int pkg, const char *path, int kind,
		   unsigned int flags, unsigned long long size,
		   const unsigned char sha256[32], const unsigned char sha1[20])
{
	struct scan_entry *e;
	int err;

	if (pkg >= s->npkgs || kind == SCAN_KIND_NONE)
		return -EINVAL;
	err = add_entry(s, path, strlen(path));
	if (err)
		return err;
	e = &s->ents[s->n - 1];
	e->pkg = pkg;
	e->kind = kind;
	e->flags = flags;
	e->size = size;
	e->mode = S_IFREG;
	memcpy(e->sha256, sha256, 32);
	if (sha1)
		memcpy(e->sha1, sha1, 20);
	if (pkg >= 0)
		s->pkgs[pkg].nfiles++;
	return 0;
}

const struct scan_stats *scan__stats(const struct scan *s)
{
	return &s->st;
}

size_t scan__count(const struct scan *s)
{
	return s->n;
}

const struct scan_entry *scan__entry(const struct scan *s, size_t i)
{
	return i < s->n ? &s->ents[i] : NULL;
}

int scan__npkgs(const struct scan *s)
{
	return s->npkgs;
}

const struct scan_pkg *scan__pkg(const struct scan *s, int i)
{
	return i >= 0 && i < s->npkgs ? &s->pkgs[i] : NULL;
}

int scan_out_parse(const char *str)
{
	if (!strcmp(str, "cyclonedx") || !strcmp(str, "cdx") ||
	    !strcmp(str, "cyclonedx-json") || !strcmp(str, "cdx-json"))
		return SCAN_OUT_CYCLONEDX;
	if (!strcmp(str, "spdx") || !strcmp(str, "spdx-json"))
		return SCAN_OUT_SPDX;
	return -1;
}

const char *scan_kind_name(int kind)
{
	switch (kind) {
	case SCAN_KIND_EXEC:
		return "elf-executable";
	case SCAN_KIND_DYN:
		return "elf-shared";
	case SCAN_KIND_MODULE:
		return "kernel-module";
	case SCAN_KIND_MODULE_Z:
		return "kernel-module-compressed";
	case SCAN_KIND_SCRIPT:
		return "script";
	case SCAN_KIND_FILE:
		return "file";
	default:
		return "none";
	}
}
