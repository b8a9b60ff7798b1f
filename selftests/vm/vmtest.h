/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the VM selftests: a private cgroup to scope the BPF
 * programs to this test's processes, file digests computed in userspace
 * (independently of the kernel), running a program and collecting events.
 */
#ifndef BOMGATE_VMTEST_H
#define BOMGATE_VMTEST_H

#include <errno.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/evp.h>

#include "engine.h"

#define VM_MAX_EVENTS 256

/* The dynamic loader and the libraries of the guest's architecture. */
#if defined(__x86_64__)
#define VM_LIBDIR	"/lib/x86_64-linux-gnu"
#define VM_LDSO		"/lib64/ld-linux-x86-64.so.2"
#elif defined(__aarch64__)
#define VM_LIBDIR	"/lib/aarch64-linux-gnu"
#define VM_LDSO		"/lib/ld-linux-aarch64.so.1"
#else
#error "VM tests: no loader path for this architecture"
#endif
#define VM_LIBC		VM_LIBDIR "/libc.so.6"

struct vm_events {
	int n;
	struct bg_event ev[VM_MAX_EVENTS];
};

static inline int vm_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Move this process into a new cgroup; its id scopes the BPF programs. */
static inline int vm_cgroup_enter(char *path, size_t len, __u64 *id)
{
	struct stat st;

	snprintf(path, len, "/sys/fs/cgroup/bgtest.%d", getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	{
		char procs[300];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
		return vm_write_file(procs, "0");
	}
}

static inline void vm_cgroup_leave(const char *path)
{
	vm_write_file("/sys/fs/cgroup/cgroup.procs", "0");
	rmdir(path);
}

static inline int vm_sha256_file(const char *path, unsigned char out[32])
{
	unsigned char buf[65536];
	unsigned int len = 32;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (n < 0)
		ret = -errno;
	else
		EVP_DigestFinal_ex(ctx, out, &len);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return ret;
}

/* Copy @src to @dst (mode 0755), then append @extra (may be NULL). */
static inline int vm_copy(const char *src, const char *dst, const char *extra)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	if (!ret && extra && write(out, extra, strlen(extra)) < 0)
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	return ret;
}

/*
 * Run @argv[0] with @argv; returns the errno of a failed execve (e.g.
 * EPERM when denied), or 0 with the exit status in *@status.
 */
static inline int vm_run(char *const argv[], int *status)
{
	int pfd[2], err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	waitpid(pid, status, 0);
	return err;
}

static inline int vm_on_event(void *ctx, const struct bg_event *ev)
{
	struct vm_events *v = ctx;

	if (v->n < VM_MAX_EVENTS)
		v->ev[v->n++] = *ev;
	return 0;
}

/*
 * Enter a private cgroup, load the engine scoped to it, attach, and collect
 * events into @ev (may be NULL). 0, or -errno with @err saying why.
 */
static inline int vm_engine_start(char *cg, size_t cglen,
				  struct engine_opts *o, struct vm_events *ev,
				  struct engine **ep, char *err, size_t errlen)
{
	struct engine *e;
	int ret;

	ret = vm_cgroup_enter(cg, cglen, &o->scope_cgroup);
	if (ret) {
		snprintf(err, errlen, "cannot enter a test cgroup: %s",
			 strerror(-ret));
		return ret;
	}
	e = engine__load(o, err, errlen);
	if (!e)
		return -errno;
	*ep = e;
	ret = engine__attach(e, err, errlen);
	if (!ret && ev) {
		ret = engine__set_event_cb(e, vm_on_event, ev);
		if (ret)
			snprintf(err, errlen, "no ring buffer: %s",
				 strerror(-ret));
	}
	return ret;
}

static inline int cmp_rec(const void *a, const void *b)
{
	return memcmp(((const struct bg_policy_rec *)a)->digest,
		      ((const struct bg_policy_rec *)b)->digest, BG_DIGEST_LEN);
}

/* Install @n digests with per-digest @flags (BG_ENTRY_*); comp = index. */
static inline int vm_install(struct engine *e, unsigned char (*dg)[32],
			     const __u32 *flags, __u32 n, __u64 gen)
{
	struct bg_policy_rec *r = calloc(n ? n : 1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	for (__u32 i = 0; i < n; i++) {
		memcpy(r[i].digest, dg[i], 32);
		r[i].comp = i;
		r[i].flags = flags[i];
	}
	qsort(r, n, sizeof(*r), cmp_rec);
	ret = engine__install(e, r, n, gen);
	free(r);
	return ret;
}


/* Find an event for @digest with @hook and @decision; NULL if none. */
static inline const struct bg_event *
vm_find_event(struct engine *e, struct vm_events *v, const unsigned char *dg,
	      int hook, int decision)
{
	engine__poll(e, 0);
	for (int i = 0; i < v->n; i++)
		if (v->ev[i].hook == hook && v->ev[i].decision == decision &&
		    (!dg || !memcmp(v->ev[i].digest, dg, 32)))
			return &v->ev[i];
	return NULL;
}

#endif
