/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scanning a file system for what can run: ELF executables, shared
 * libraries and kernel modules (identified with libelf), compressed kernel
 * modules and '#!' scripts with an execute bit. Every one is hashed with
 * SHA-256, named after the Debian package that owns it (the dpkg database,
 * read as a stream) and written as a CycloneDX 1.5 or SPDX 2.3 JSON SBOM
 * that lib/sbom.h reads back. See docs/man/bomgate-sbom.1.md.
 */
#ifndef BOMGATE_SCAN_H
#define BOMGATE_SCAN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum scan_kind {
	SCAN_KIND_NONE = -1,	/* not something that runs */
	SCAN_KIND_EXEC,		/* ELF ET_EXEC */
	SCAN_KIND_DYN,		/* ELF ET_DYN: shared library or PIE */
	SCAN_KIND_MODULE,	/* ELF ET_REL named *.ko */
	SCAN_KIND_MODULE_Z,	/* *.ko.xz / .ko.zst / .ko.gz, magic checked */
	SCAN_KIND_SCRIPT,	/* '#!' with an execute bit */
	SCAN_KIND_FILE,		/* any other file (sbom deb lists them all) */
};

/* What a file is, from its first bytes (@n, up to 4 KiB), its name and
 * its mode: one of the kinds above but SCAN_KIND_FILE. */
int scan_classify(const char *buf, size_t n, const char *path, mode_t mode);

enum scan_entry_flags {
	SCAN_F_CONFFILE = 1 << 0,	/* a package's conffile */
	SCAN_F_MAINT = 1 << 1,		/* a maintainer script */
};

/* bomgate sbom scan --verify-dpkg: the file against the MD5 dpkg
 * recorded for it when its package was installed (info/PKG.md5sums). */
enum scan_verify {
	SCAN_VERIFY_NONE,	/* not asked */
	SCAN_VERIFY_OK,		/* as installed */
	SCAN_VERIFY_MODIFIED,	/* differs from the recorded MD5 */
	SCAN_VERIFY_UNOWNED,	/* no package owns it */
	SCAN_VERIFY_UNRECORDED,	/* owned, but no MD5 recorded for it */
};

enum scan_out {
	SCAN_OUT_CYCLONEDX,	/* CycloneDX 1.5 JSON */
	SCAN_OUT_SPDX,		/* SPDX 2.3 JSON */
};

#define SCAN_DPKG_DIR	"/var/lib/dpkg"
#define SCAN_MAX_THREADS 16

struct scan_stats {
	unsigned long dirs;		/* directories walked */
	unsigned long files;		/* regular files examined */
	unsigned long elf;		/* ELF files kept (exec + dyn + module) */
	unsigned long exec, dyn, modules, scripts;
	unsigned long hardlinks;	/* kept paths sharing another's inode */
	unsigned long unreadable;	/* files or directories not read */
	unsigned long skipped_mounts;	/* pseudo or other file systems */
	unsigned long excluded;		/* paths matching --exclude */
	unsigned long packages;		/* Debian packages owning a kept file */
	unsigned long owned;		/* kept files owned by a package */
	unsigned long verified;		/* --verify-dpkg: as installed */
	unsigned long modified;		/* differ from the recorded MD5 */
	unsigned long unowned;		/* no package owns them */
	unsigned long unrecorded;	/* owned, no MD5 recorded */
	unsigned long done;		/* files classified so far */
	unsigned long long bytes;	/* bytes hashed */
	double seconds;			/* wall time of scan__run() */
};

struct scan_opts {
	char *const *excludes;	/* fnmatch(3) patterns on the full path, or
				 * on the name alone when without '/' */
	int nexcludes;
	int one_filesystem;	/* do not cross into other mounts */
	const char *dpkg_dir;	/* NULL: SCAN_DPKG_DIR; "" no dpkg names */
	int threads;		/* hashing threads; 0: online CPUs */
	int sha1;		/* also compute SHA-1 (SPDX requires it) */
	const char *root;	/* the system the dpkg database describes is
				 * at @root (its paths are under it); NULL
				 * or "" for / */
	int verify_dpkg;	/* check files against info/PKG.md5sums:
				 * entry->verify, modified and unverified
				 * files left out of the SBOM */
	/* Problems: a file or directory that could not be read (err is the
	 * -errno, counted in unreadable), a dpkg database line that makes no
	 * sense (line > 0, err 0). May be NULL. Calls are serialized. */
	void (*problem)(void *ctx, const char *path, unsigned long line,
			int err, const char *msg);
	/* Called about five times a second from the calling thread while
	 * scanning (may be NULL). */
	void (*progress)(void *ctx, const struct scan_stats *st);
	void *ctx;
};

struct scan_pkg {
	char *name, *arch, *version, *maintainer;
	char *purl;		/* pkg:deb/debian/NAME@VERSION?arch=ARCH */
	char *source;		/* sbom deb: the Source field, or NULL */
	char *deb_sha256;	/* sbom deb: the .deb's SHA-256 (hex) */
	unsigned long nfiles;	/* kept files it owns */
};

struct scan_entry {
	const char *path;	/* absolute, symlinks in the roots resolved */
	unsigned long long size;
	dev_t dev;
	ino_t ino;
	mode_t mode;
	int kind;		/* enum scan_kind */
	int err;		/* -errno when it could not be read */
	int pkg;		/* index for scan__pkg(), -1 when unowned */
	int link;		/* index of the entry hashed for this inode */
	int dup;		/* the same path reached twice */
	int verify;		/* enum scan_verify */
	unsigned int flags;	/* enum scan_entry_flags */
	unsigned char sha256[32];
	unsigned char sha1[20];
	unsigned char md5[16];	/* with verify_dpkg */
	unsigned char md5_recorded[16];	/* SCAN_VERIFY_MODIFIED */
};

struct scan;

/* Returns NULL and sets errno (ENOMEM, EINVAL). */
struct scan *scan__new(const struct scan_opts *opts);
void scan__free(struct scan *s);

/*
 * Walk each root (a directory, or a single file), classify and hash what
 * can run, then name it from the dpkg database. Unreadable files are
 * reported to opts->problem and counted; they do not stop the scan.
 * Returns 0, or -errno for what stops it: a root that cannot be opened
 * (err gets "PATH: message"), -ENOMEM, -EIO (OpenSSL), a dpkg database
 * that exists but cannot be read.
 */
int scan__run(struct scan *s, char *const *roots, int nroots,
	      char *err, size_t errlen);

/* Write the SBOM to @path ("-" is stdout) through a temporary file in the
 * same directory renamed over it. Returns 0 or -errno (err filled). */
int scan__write(struct scan *s, enum scan_out fmt, const char *path,
		char *err, size_t errlen);
/* Same on a stream (not closed); 0 or -EIO. */
int scan__write_stream(struct scan *s, enum scan_out fmt, FILE *f);

/*
 * A scan made of packages rather than a walk (bomgate sbom deb): add a
 * package (its strings are copied; name, version and arch required, the
 * purl made from them) and files of it, then scan__write(). Returns the
 * package's index, or -errno; scan__add_file() 0 or -errno.
 */
int scan__add_pkg(struct scan *s, const struct scan_pkg *p);
int scan__add_file(struct scan *s, int pkg, const char *path, int kind,
		   unsigned int flags, unsigned long long size,
		   const unsigned char sha256[32], const unsigned char sha1[20]);

const struct scan_stats *scan__stats(const struct scan *s);
size_t scan__count(const struct scan *s);
const struct scan_entry *scan__entry(const struct scan *s, size_t i);
int scan__npkgs(const struct scan *s);
const struct scan_pkg *scan__pkg(const struct scan *s, int i);

/* "cyclonedx" ("cdx", "cyclonedx-json"), "spdx" ("spdx-json"); -1 if
 * unknown. */
int scan_out_parse(const char *s);
const char *scan_kind_name(int kind);

#endif
