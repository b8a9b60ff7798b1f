/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a Debian binary package (deb(5)) with libarchive: the ar
 * container, control.tar[.gz|.xz|.zst] (the control file, conffiles,
 * maintainer scripts) and data.tar[.gz|.xz|.zst|.bz2|.lzma] (the files).
 * The .deb is read once, as a stream: its own SHA-256 is of the very
 * bytes the members were read from.
 *
 * The input is hostile: every problem is an error naming the package
 * file, the member and the entry ("x.deb: data.tar.xz: ./usr/bin/a:
 * truncated"), never a crash; sizes are bounded.
 */
#ifndef BOMGATE_DEB_H
#define BOMGATE_DEB_H

#include <stddef.h>
#include <sys/types.h>

#include "sha256.h"

#define DEB_MAX_CONTROL		(1024 * 1024)	/* control, conffiles */
#define DEB_MAX_FILES		(1 << 20)	/* entries of data.tar */

enum deb_file_flags {
	DEB_FILE_CONFFILE = 1 << 0,	/* listed in conffiles */
	DEB_FILE_MAINT = 1 << 1,	/* a maintainer script (control.tar) */
};

struct deb_file {
	char *path;		/* "/usr/bin/x"; for a maintainer script
				 * "/var/lib/dpkg/info/NAME.postinst" */
	unsigned long long size;
	mode_t mode;
	int kind;		/* enum scan_kind, SCAN_KIND_FILE if none */
	unsigned int flags;	/* enum deb_file_flags */
	unsigned char sha256[SHA256_LEN];
	unsigned char sha1[20];
};

struct deb {
	/* from the control file; source and maintainer may be NULL */
	char *name, *version, *arch, *source, *maintainer;
	unsigned char sha256[SHA256_LEN];	/* of the .deb */
	unsigned long long size;
	struct deb_file *files;	/* regular files, data.tar order */
	size_t nfiles;
};

enum deb_read_flags {
	DEB_READ_DATA = 1 << 0,	/* hash every file of data.tar (else only
				 * the control member is read, and the
				 * rest of the .deb hashed) */
};

/* Read @path into @d (zeroed first). 0, or -errno with @err set:
 * -EINVAL a malformed package, -ENOMEM, -EIO, an open(2) error. */
int deb_read(const char *path, unsigned int flags, struct deb *d,
	     char *err, size_t errlen);
void deb_free(struct deb *d);

#endif
