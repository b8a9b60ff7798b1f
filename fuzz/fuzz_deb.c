// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the .deb reader (lib/deb.c over libarchive): any
 * bytes, read from a memfd as a package file. An accepted package has a
 * name, version and architecture and absolute file names; a refusal
 * names the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "deb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[4096];
	struct deb d;
	size_t i;
	int fd;

	fd = memfd_create("fuzz.deb", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (deb_read(path, DEB_READ_DATA, &d, err, sizeof(err))) {
		if (strncmp(err, path, strlen(path)))
			abort();
		close(fd);
		return 0;
	}
	if (!d.name[0] || !d.version[0] || !d.arch[0] || d.size != size)
		abort();
	for (i = 0; i < d.nfiles; i++)
		if (d.files[i].path[0] != '/')
			abort();
	deb_free(&d);
	close(fd);
	return 0;
}
