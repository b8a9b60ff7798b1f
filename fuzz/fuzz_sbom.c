// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the SBOM readers: the input goes through
 * sbom_read_fd() on a memfd, once with format detection and once forced
 * to each format (the first byte picks which), so every reader sees
 * every input shape. A digest must never be reported after a malformed
 * hash, and every reported digest must be 64 hex digits of the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbom.h"

static int on_digest(void *ctx, const struct sbom_digest *d)
{
	if (!d->comp)
		abort();
	/* touch every string: ASan catches a dangling one */
	if (d->comp->name)
		(void)strlen(d->comp->name);
	if (d->comp->version)
		(void)strlen(d->comp->version);
	if (d->comp->purl)
		(void)strlen(d->comp->purl);
	if (d->comp->supplier)
		(void)strlen(d->comp->supplier);
	if (d->comp->type)
		(void)strlen(d->comp->type);
	if (d->comp->ref)
		(void)strlen(d->comp->ref);
	(*(unsigned long *)ctx)++;
	return 0;
}

static void on_problem(void *ctx, const struct sbom_problem *p)
{
	if (!p->msg || !p->field || !p->path)
		abort();
}

static const struct sbom_ops ops = { on_digest, on_problem };

static void run(int fd, const uint8_t *data, size_t size,
		enum sbom_format fmt)
{
	struct sbom_stats st;
	unsigned long n = 0;
	char err[256];
	int ret;

	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) ||
	    write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET))
		abort();
	ret = sbom_read_fd(fd, "fuzz", fmt, &ops, &n, &st, err, sizeof(err));
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (ret == -EINVAL && strncmp(err, "fuzz", 4))
		abort();		/* every error names the document */
	if (!ret && n != st.file_digests + st.package_digests)
		abort();
	if (!ret && st.bytes != size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	run(fd, data, size, SBOM_FMT_AUTO);
	if (size)
		run(fd, data, size, 1 + data[0] % 4);
	return 0;
}
