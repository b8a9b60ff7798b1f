// SPDX-License-Identifier: GPL-2.0
/*
 * A .deb read as one stream with libarchive (see deb.h): the ar reader
 * pulls the package through read_deb(), which hashes every byte it hands
 * on; each tar member is a second archive reading from the first.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "deb.h"
#include "deb822.h"
#include "scan.h"

#define DEB_CHUNK	(64 * 1024)

struct deb_in {
	int fd;
	EVP_MD_CTX *md;
	unsigned long long size;
	char buf[DEB_CHUNK];
	int failed;		/* -errno of read(2) or OpenSSL */
};

struct deb_ctx {
	const char *path;
	struct deb *d;
	struct archive *outer;
	const char *member;
	char *control;		/* the control file */
	size_t control_len;
	char *conffiles;
	size_t conffiles_len;
	size_t filecap;
	EVP_MD_CTX *md, *md1;	/* per file */
	char mbuf[DEB_CHUNK];	/* a member's bytes on their way to tar */
	char *err;
	size_t errlen;
};

static ssize_t read_deb(struct archive *a, void *arg, const void **buf)
{
	struct deb_in *in = arg;
	ssize_t n;

	do {
		n = read(in->fd, in->buf, sizeof(in->buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		in->failed = -errno;
		if (a)
			archive_set_error(a, errno, "read: %s",
					  strerror(errno));
		return -1;
	}
	if (n && EVP_DigestUpdate(in->md, in->buf, n) != 1) {
		in->failed = -EIO;
		if (a)
			archive_set_error(a, EIO, "SHA-256 failed");
		return -1;
	}
	in->size += n;
	*buf = in->buf;
	return n;
}

static ssize_t read_member(struct archive *a, void *arg, const void **buf)
{
	struct deb_ctx *c = arg;
	la_ssize_t n;

	n = archive_read_data(c->outer, c->mbuf, sizeof(c->mbuf));
	if (n < 0) {
		archive_set_error(a, EINVAL, "%s",
				  archive_error_string(c->outer));
		return -1;
	}
	*buf = c->mbuf;
	return n;
}

static int fail(struct deb_ctx *c, int err, const char *entry,
		const char *what)
{
	snprintf(c->err, c->errlen, "%s%s%s%s%s: %s", c->path,
		 c->member ? ": " : "", c->member ? c->member : "",
		 entry ? ": " : "", entry ? entry : "", what);
	return err;
}

/* "./usr/bin/x" -> "/usr/bin/x". NULL for the root itself. */
static char *entry_path(const char *name)
{
	char *p;

	if (name[0] == '.' && (name[1] == '/' || !name[1]))
		name++;
	while (name[0] == '/' && name[1] == '/')
		name++;
	if (!*name || !strcmp(name, "/"))
		return NULL;
	if (asprintf(&p, "%s%s", *name == '/' ? "" : "/", name) < 0)
		return NULL;
	return p;
}

static struct deb_file *file_new(struct deb_ctx *c)
{
	struct deb *d = c->d;
	struct deb_file *f;

	if (d->nfiles == c->filecap) {
		size_t cap = c->filecap ? c->filecap * 2 : 64;

		f = realloc(d->files, cap * sizeof(*f));
		if (!f)
			return NULL;
		d->files = f;
		c->filecap = cap;
	}
	f = &d->files[d->nfiles];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Hash the current entry of @a into @f, classifying its first bytes. */
static int hash_entry(struct deb_ctx *c, struct archive *a,
		      struct deb_file *f, const char *name)
{
	char buf[DEB_CHUNK], head[4096];
	size_t hn = 0;
	unsigned int len;
	la_ssize_t n;

	if (EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(c->md1, EVP_sha1(), NULL) != 1)
		return fail(c, -EIO, name, "SHA-256 failed");
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (hn < sizeof(head)) {
			size_t k = (size_t)n < sizeof(head) - hn ? (size_t)n :
				   sizeof(head) - hn;

			memcpy(head + hn, buf, k);
			hn += k;
		}
		if (EVP_DigestUpdate(c->md, buf, n) != 1 ||
		    EVP_DigestUpdate(c->md1, buf, n) != 1)
			return fail(c, -EIO, name, "SHA-256 failed");
		f->size += n;
	}
	if (n < 0)
		return fail(c, -EINVAL, name, archive_error_string(a));
	if (EVP_DigestFinal_ex(c->md, f->sha256, &len) != 1 ||
	    EVP_DigestFinal_ex(c->md1, f->sha1, &len) != 1)
		return fail(c, -EIO, name, "SHA-256 failed");
	f->kind = scan_classify(head, hn, f->path, f->mode);
	if (f->kind == SCAN_KIND_NONE)
		f->kind = SCAN_KIND_FILE;
	return 0;
}

/* A hard link in data.tar has no data: it is the file it links to. */
static int link_entry(struct deb_ctx *c, struct deb_file *f,
		      const char *name, const char *target)
{
	char *t = entry_path(target);
	size_t i;

	if (!t)
		return fail(c, -ENOMEM, name, "out of memory");
	for (i = 0; i < c->d->nfiles; i++)
		if (!strcmp(c->d->files[i].path, t))
			break;
	free(t);
	if (i == c->d->nfiles)
		return fail(c, -EINVAL, name, "hard link to a file not "
			    "before it in the archive");
	memcpy(f->sha256, c->d->files[i].sha256, sizeof(f->sha256));
	memcpy(f->sha1, c->d->files[i].sha1, sizeof(f->sha1));
	f->size = c->d->files[i].size;
	f->kind = c->d->files[i].kind;
	return 0;
}

static int data_entry(struct deb_ctx *c, struct archive *a,
		      struct archive_entry *ae)
{
	const char *name = archive_entry_pathname(ae);
	const char *hl = archive_entry_hardlink(ae);
	struct deb_file *f;
	int err;

	if (!name)
		return fail(c, -EINVAL, NULL, "an entry without a name");
	if (!hl && archive_entry_filetype(ae) != AE_IFREG)
		return 0;	/* directories, symlinks, devices */
	if (c->d->nfiles >= DEB_MAX_FILES)
		return fail(c, -EINVAL, name, "too many files");
	f = file_new(c);
	if (!f)
		return fail(c, -ENOMEM, name, "out of memory");
	f->path = entry_path(name);
	if (!f->path)
		return fail(c, -EINVAL, name, "not a file name");
	f->mode = archive_entry_mode(ae);
	c->d->nfiles++;
	if (hl)
		err = link_entry(c, f, name, hl);
	else
		err = hash_entry(c, a, f, name);
	return err;
}

/* control.tar: keep control and conffiles, hash the maintainer scripts. */
static int control_entry(struct deb_ctx *c, struct archive *a,
			 struct archive_entry *ae)
{
	static const char *const maint[] = {
		"preinst", "postinst", "prerm", "postrm", "config",
	};
	const char *name = archive_entry_pathname(ae), *base;
	char **buf = NULL;
	size_t *blen = NULL, i;
	la_int64_t sz, got;
	la_ssize_t n;
	int err;

	if (!name)
		return fail(c, -EINVAL, NULL, "an entry without a name");
	if (archive_entry_filetype(ae) != AE_IFREG)
		return 0;
	base = name[0] == '.' && name[1] == '/' ? name + 2 : name;
	if (!strcmp(base, "control")) {
		buf = &c->control;
		blen = &c->control_len;
	} else if (!strcmp(base, "conffiles")) {
		buf = &c->conffiles;
		blen = &c->conffiles_len;
	}
	if (buf) {
		sz = archive_entry_size(ae);
		if (*buf)
			return fail(c, -EINVAL, name, "listed twice");
		if (sz < 0 || sz > DEB_MAX_CONTROL)
			return fail(c, -EINVAL, name, "too large");
		*buf = malloc(sz + 1);
		if (!*buf)
			return fail(c, -ENOMEM, name, "out of memory");
		for (got = 0; got < sz; got += n) {
			n = archive_read_data(a, *buf + got, sz - got);
			if (n <= 0)
				return fail(c, -EINVAL, name, n < 0 ?
					    archive_error_string(a) :
					    "truncated");
		}
		(*buf)[sz] = '\0';
		*blen = sz;
		return 0;
	}
	for (i = 0; i < sizeof(maint) / sizeof(maint[0]); i++)
		if (!strcmp(base, maint[i]))
			break;
	if (i == sizeof(maint) / sizeof(maint[0]))
		return 0;	/* md5sums, shlibs, triggers, ... */
	err = data_entry(c, a, ae);
	if (!err)
		c->d->files[c->d->nfiles - 1].flags |= DEB_FILE_MAINT;
	return err;
}

static int read_tar(struct deb_ctx *c, int control)
{
	struct archive_entry *ae;
	struct archive *a;
	int r, err = 0;

	a = archive_read_new();
	if (!a)
		return fail(c, -ENOMEM, NULL, "out of memory");
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_lzma(a);
	if (archive_read_open(a, c, NULL, read_member, NULL) != ARCHIVE_OK) {
		err = fail(c, -EINVAL, NULL, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		err = control ? control_entry(c, a, ae) :
				data_entry(c, a, ae);
		if (err)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		err = fail(c, -EINVAL, NULL, archive_error_string(a) ?:
			   "malformed tar");
out:
	archive_read_free(a);
	return err;
}

static int member_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) &&
	       (!name[n] || !strcmp(name + n, ".gz") ||
		!strcmp(name + n, ".xz") || !strcmp(name + n, ".zst") ||
		!strcmp(name + n, ".bz2") || !strcmp(name + n, ".lzma"));
}

static int control_fields(struct deb_ctx *c, const struct deb822_para *p)
{
	struct deb *d = c->d;
	int err;

	if ((err = deb822_strdup(p, "Package", &d->name)) ||
	    (err = deb822_strdup(p, "Version", &d->version)) ||
	    (err = deb822_strdup(p, "Architecture", &d->arch)))
		return fail(c, err == -ENOMEM ? err : -EINVAL, "control",
			    err == -ENOENT ? "Package, Version or "
			    "Architecture missing" : "Package, Version or "
			    "Architecture: not one line");
	err = deb822_strdup(p, "Maintainer", &d->maintainer);
	if (err == -ENOMEM)
		return fail(c, err, "control", "out of memory");
	err = deb822_strdup(p, "Source", &d->source);
	if (err == -ENOMEM)
		return fail(c, err, "control", "out of memory");
	return 0;
}

static int on_control(void *ctx, const struct deb822_para *p, char *err,
		      size_t errlen)
{
	struct deb_ctx *c = ctx;

	if (c->d->name)
		return fail(c, -EINVAL, "control", "more than one paragraph");
	return control_fields(c, p);
}

static int parse_control(struct deb_ctx *c)
{
	char name[PATH_MAX + 64];
	int err;

	if (!c->control)
		return fail(c, -EINVAL, NULL, "control.tar has no control file");
	snprintf(name, sizeof(name), "%s: control", c->path);
	err = deb822_parse(c->control, c->control_len, name, on_control, c,
			   c->err, c->errlen);
	if (!err && !c->d->name)
		err = fail(c, -EINVAL, "control", "empty");
	return err;
}

/* Maintainer scripts are named where dpkg keeps them; conffiles flagged. */
static int finish(struct deb_ctx *c)
{
	struct deb *d = c->d;
	const char *l, *nl, *path, *end;
	size_t i, n;
	char *p;

	for (i = 0; i < d->nfiles; i++) {
		if (!(d->files[i].flags & DEB_FILE_MAINT))
			continue;
		if (asprintf(&p, "/var/lib/dpkg/info/%s.%s", d->name,
			     d->files[i].path + 1) < 0)
			return fail(c, -ENOMEM, NULL, "out of memory");
		free(d->files[i].path);
		d->files[i].path = p;
	}
	if (!c->conffiles)
		return 0;
	end = c->conffiles + c->conffiles_len;
	/* "[flags ]/etc/x" per line (remove-on-upgrade, dpkg 1.20) */
	for (l = c->conffiles; l < end; l = nl + 1) {
		nl = memchr(l, '\n', end - l);
		if (!nl)
			nl = end;
		path = memchr(l, '/', nl - l);
		if (!path)
			continue;
		n = nl - path;
		while (n && (path[n - 1] == ' ' || path[n - 1] == '\t' ||
			     path[n - 1] == '\r'))
			n--;
		for (i = 0; i < d->nfiles; i++)
			if (!(d->files[i].flags & DEB_FILE_MAINT) &&
			    !strncmp(d->files[i].path, path, n) &&
			    !d->files[i].path[n])
				d->files[i].flags |= DEB_FILE_CONFFILE;
	}
	return 0;
}

/* The members in dpkg's order: debian-binary, control.tar, data.tar;
 * others (named "_...") are skipped. */
static int read_members(struct deb_ctx *c, unsigned int flags)
{
	struct archive_entry *ae;
	char ver[16];
	int r, err = 0, step = 0;
	la_ssize_t n;

	while ((r = archive_read_next_header(c->outer, &ae)) == ARCHIVE_OK) {
		c->member = archive_entry_pathname(ae);
		if (!c->member)
			return fail(c, -EINVAL, NULL, "a member without a name");
		if (step == 0) {
			if (strcmp(c->member, "debian-binary"))
				return fail(c, -EINVAL, NULL, "not a Debian "
					    "package: no debian-binary first");
			n = archive_read_data(c->outer, ver, sizeof(ver) - 1);
			if (n < 4 || memcmp(ver, "2.", 2))
				return fail(c, -EINVAL, NULL, "unsupported "
					    "format version (2.x only)");
			step = 1;
		} else if (step == 1 && member_is(c->member, "control.tar")) {
			err = read_tar(c, 1);
			if (!err)
				err = parse_control(c);
			step = 2;
		} else if (step == 2 && member_is(c->member, "data.tar")) {
			if (flags & DEB_READ_DATA)
				err = read_tar(c, 0);
			step = 3;
		} else if (c->member[0] != '_') {
			return fail(c, -EINVAL, NULL, step < 3 ?
				    "unexpected member (control.tar, then "
				    "data.tar)" : "unexpected member after "
				    "data.tar");
		}
		if (err)
			return err;
	}
	c->member = NULL;
	if (r != ARCHIVE_EOF)
		return fail(c, -EINVAL, NULL, archive_error_string(c->outer) ?:
			    "malformed ar archive");
	if (step < 3)
		return fail(c, -EINVAL, NULL, step < 2 ? "no control.tar" :
			    "no data.tar");
	return finish(c);
}

/* The rest of the file, so the digest covers all of it. */
static int drain(struct deb_in *in)
{
	const void *buf;
	ssize_t n;

	do {
		n = read_deb(NULL, in, &buf);
	} while (n > 0);
	return n < 0 ? in->failed : 0;
}

int deb_read(const char *path, unsigned int flags, struct deb *d,
	     char *err, size_t errlen)
{
	struct deb_ctx c = { .path = path, .d = d, .err = err,
			     .errlen = errlen };
	struct deb_in *in = NULL;
	unsigned int len;
	int ret;

	memset(d, 0, sizeof(*d));
	in = malloc(sizeof(*in));
	if (in) {
		in->fd = -1;
		in->md = NULL;
	}
	c.md = EVP_MD_CTX_new();
	c.md1 = EVP_MD_CTX_new();
	c.outer = archive_read_new();
	if (!in || !c.md || !c.md1 || !c.outer) {
		ret = fail(&c, -ENOMEM, NULL, "out of memory");
		goto out;
	}
	in->size = 0;
	in->failed = 0;
	in->md = EVP_MD_CTX_new();
	in->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in->fd < 0) {
		ret = -errno;
		fail(&c, ret, NULL, strerror(-ret));
		goto out;
	}
	if (!in->md || EVP_DigestInit_ex(in->md, EVP_sha256(), NULL) != 1) {
		ret = fail(&c, -EIO, NULL, "SHA-256 failed");
		goto out;
	}
	archive_read_support_format_ar(c.outer);
	if (archive_read_open(c.outer, in, NULL, read_deb, NULL) !=
	    ARCHIVE_OK) {
		ret = fail(&c, in->failed ?: -EINVAL, NULL,
			   archive_error_string(c.outer) ?: "not an archive");
		goto out;
	}
	ret = read_members(&c, flags);
	if (!ret)
		ret = drain(in);
	if (!ret && EVP_DigestFinal_ex(in->md, d->sha256, &len) != 1)
		ret = fail(&c, -EIO, NULL, "SHA-256 failed");
	d->size = in->size;
out:
	if (ret && in && in->failed && ret == -EINVAL)
		ret = in->failed;
	if (c.outer)
		archive_read_free(c.outer);
	if (in) {
		if (in->fd >= 0)
			close(in->fd);
		EVP_MD_CTX_free(in->md);
	}
	free(in);
	EVP_MD_CTX_free(c.md);
	EVP_MD_CTX_free(c.md1);
	free(c.control);
	free(c.conffiles);
	if (ret)
		deb_free(d);
	return ret;
}

void deb_free(struct deb *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		free(d->files[i].path);
	free(d->files);
	free(d->name);
	free(d->version);
	free(d->arch);
	free(d->source);
	free(d->maintainer);
	memset(d, 0, sizeof(*d));
}
