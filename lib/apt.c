// SPDX-License-Identifier: GPL-2.0
/*
 * An apt repository's chain of trust (see apt.h): the pinned key, gpgv,
 * Release, Packages, the .deb.
 *
 * gpg and gpgv run in a private temporary home: gpg imports the key file
 * (or the keyrings holding the fingerprint), lists the primary keys with
 * --with-colons and exports exactly the pinned one into a keyring of its
 * own; gpgv verifies against that keyring alone, writes what the
 * signature covers to a file in the home (the text parsed afterwards)
 * and its status lines to another. A signature counts only if gpgv exits
 * 0, reports one VALIDSIG whose primary key fingerprint is the pinned
 * one, and no BADSIG, ERRSIG, EXPSIG, EXPKEYSIG or REVKEYSIG.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <archive.h>
#include <archive_entry.h>

#include "apt.h"
#include "deb.h"
#include "deb822.h"
#include "fileio.h"

/* --- Release ------------------------------------------------------------- */

struct rel_ctx {
	const char *file;
	struct apt_release *r;
	int seen;
};

static int parse_u64(const char *s, size_t n, unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!n || n > 19)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* "HEX SIZE PATH" */
static int index_line(struct rel_ctx *c, const struct deb822_field *f,
		      const char *s, size_t n, unsigned long line,
		      char *err, size_t errlen)
{
	const char *sp1, *sp2, *end = s + n;
	struct apt_index *ix;

	sp1 = memchr(s, ' ', n);
	if (!sp1 || sp1 - s != SHA256_HEX_LEN)
		goto bad;
	for (sp2 = sp1; sp2 < end && *sp2 == ' '; sp2++)
		;
	s = sp2;
	sp2 = memchr(s, ' ', end - s);
	if (!sp2)
		goto bad;
	ix = realloc(c->r->idx, (c->r->n + 1) * sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	c->r->idx = ix;
	ix = &c->r->idx[c->r->n];
	memset(ix, 0, sizeof(*ix));
	if (sha256_parse_hex(sp1 - SHA256_HEX_LEN, SHA256_HEX_LEN, ix->sha256) ||
	    parse_u64(s, sp2 - s, &ix->size))
		goto bad;
	while (sp2 < end && *sp2 == ' ')
		sp2++;
	if (sp2 == end || memchr(sp2, ' ', end - sp2) ||
	    memchr(sp2, '\t', end - sp2))
		goto bad;
	ix->path = strndup(sp2, end - sp2);
	if (!ix->path)
		return -ENOMEM;
	ix->line = line;
	c->r->n++;
	return 0;
bad:
	snprintf(err, errlen, "%s:%lu: SHA256: not 'SHA256 SIZE PATH'",
		 c->file, line);
	return -EINVAL;
}

/* RFC 2822 as apt writes it: "Thu, 03 Dec 2026 11:00:00 UTC". */
static int parse_date(const char *s, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return -EINVAL;
	while (*end == ' ')
		end++;
	if (strcmp(end, "UTC") && strcmp(end, "GMT") && strcmp(end, "+0000") &&
	    strcmp(end, "Z"))
		return -EINVAL;	/* apt writes UTC; others not taken */
	*t = timegm(&tm);
	return 0;
}

static int rel_para(void *ctx, const struct deb822_para *p, char *err,
		    size_t errlen)
{
	struct rel_ctx *c = ctx;
	const struct deb822_field *f;
	unsigned long lineno;
	char *vu = NULL;
	const char *s;
	size_t pos = 0, n;
	int ret;

	if (c->seen++) {
		snprintf(err, errlen, "%s:%lu: a second paragraph", c->file,
			 p->line);
		return -EINVAL;
	}
	if (deb822_strdup(p, "Origin", &c->r->origin) == -ENOMEM ||
	    deb822_strdup(p, "Label", &c->r->label) == -ENOMEM ||
	    deb822_strdup(p, "Suite", &c->r->suite) == -ENOMEM ||
	    deb822_strdup(p, "Codename", &c->r->codename) == -ENOMEM)
		return -ENOMEM;
	ret = deb822_strdup(p, "Valid-Until", &vu);
	if (ret == -ENOMEM)
		return ret;
	if (ret != -ENOENT) {
		if (!ret)
			ret = parse_date(vu, &c->r->valid_until);
		free(vu);
		if (ret) {
			f = deb822_get(p, "Valid-Until");
			snprintf(err, errlen, "%s:%lu: Valid-Until: not a "
				 "date like 'Thu, 03 Dec 2026 11:00:00 UTC'",
				 c->file, f->line);
			return -EINVAL;
		}
	}
	f = deb822_get(p, "SHA256");
	if (!f) {
		snprintf(err, errlen, "%s:%lu: no SHA256 field", c->file,
			 p->line);
		return -ENOMSG;
	}
	while (deb822_next_line(f, &pos, &s, &n, &lineno)) {
		ret = index_line(c, f, s, n, f->line + lineno, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int apt_release_parse(const char *buf, size_t len, const char *file,
		      struct apt_release *r, char *err, size_t errlen)
{
	struct rel_ctx c = { file, r, 0 };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = deb822_parse(buf, len, file, rel_para, &c, err, errlen);
	if (!ret && !c.seen) {
		snprintf(err, errlen, "%s: empty", file);
		ret = -EINVAL;
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	if (ret)
		apt_release_free(r);
	return ret;
}

void apt_release_free(struct apt_release *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->idx[i].path);
	free(r->idx);
	free(r->origin);
	free(r->label);
	free(r->suite);
	free(r->codename);
	memset(r, 0, sizeof(*r));
}

/* --- Packages ------------------------------------------------------------ */

struct pk_ctx {
	const char *file;
	struct apt_packages *pk;
	size_t cap;
};

static void pkg_free(struct apt_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->filename);
}

static int pk_para(void *ctx, const struct deb822_para *p, char *err,
		   size_t errlen)
{
	static const char *const need[] = {
		"Package", "Version", "Architecture", "Filename", "Size",
		"SHA256",
	};
	struct pk_ctx *c = ctx;
	const struct deb822_field *f;
	struct apt_pkg *n;
	char **dst[4];
	size_t i;
	int ret;

	if (c->pk->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		n = realloc(c->pk->p, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->pk->p = n;
		c->cap = cap;
	}
	n = &c->pk->p[c->pk->n];
	memset(n, 0, sizeof(*n));
	n->line = p->line;
	dst[0] = &n->name;
	dst[1] = &n->version;
	dst[2] = &n->arch;
	dst[3] = &n->filename;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		f = deb822_get(p, need[i]);
		if (!f) {
			snprintf(err, errlen, "%s:%lu: no %s field in this "
				 "stanza", c->file, p->line, need[i]);
			ret = -EINVAL;
			goto out;
		}
		if (i < 4)
			ret = deb822_strdup(p, need[i], dst[i]);
		else if (i == 4)
			ret = parse_u64(f->val, f->vlen, &n->size);
		else
			ret = f->vlen != SHA256_HEX_LEN ? -EINVAL :
			      sha256_parse_hex(f->val, f->vlen, n->sha256);
		if (ret == -ENOMEM)
			goto out;
		if (ret) {
			snprintf(err, errlen, "%s:%lu: %s: %s", c->file,
				 f->line, need[i], i == 5 ? "not 64 hex "
				 "digits" : i == 4 ? "not a number" :
				 "empty or not one line");
			goto out;
		}
	}
	c->pk->n++;
	return 0;
out:
	pkg_free(n);
	return ret;
}

static int pkg_cmp(const struct apt_pkg *a, const char *name,
		   const char *version, const char *arch)
{
	int c = strcmp(a->name, name);

	if (!c)
		c = strcmp(a->version, version);
	if (!c)
		c = strcmp(a->arch, arch);
	return c;
}

static int cmp_pkg(const void *x, const void *y)
{
	const struct apt_pkg *a = x, *b = y;
	int c = pkg_cmp(a, b->name, b->version, b->arch);

	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

int apt_packages_parse(const char *buf, size_t len, const char *file,
		       struct apt_packages *pk, char *err, size_t errlen)
{
	struct pk_ctx c = { file, pk, 0 };
	const struct apt_pkg *a, *b;
	size_t i;
	int ret;

	memset(pk, 0, sizeof(*pk));
	ret = deb822_parse(buf, len, file, pk_para, &c, err, errlen);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	if (ret)
		goto out;
	if (pk->n)
		qsort(pk->p, pk->n, sizeof(*pk->p), cmp_pkg);
	/* one stanza per package, version and architecture: else which
	 * digest a .deb must have would depend on the order */
	for (i = 1; i < pk->n; i++) {
		a = &pk->p[i - 1];
		b = &pk->p[i];
		if (!pkg_cmp(a, b->name, b->version, b->arch) &&
		    memcmp(a->sha256, b->sha256, SHA256_LEN)) {
			snprintf(err, errlen, "%s:%lu: %s %s %s listed again "
				 "with another SHA256 (first on line %lu)",
				 file, b->line, b->name, b->version, b->arch,
				 a->line);
			ret = -EINVAL;
			goto out;
		}
	}
	return 0;
out:
	apt_packages_free(pk);
	return ret;
}

void apt_packages_free(struct apt_packages *pk)
{
	size_t i;

	for (i = 0; i < pk->n; i++)
		pkg_free(&pk->p[i]);
	free(pk->p);
	memset(pk, 0, sizeof(*pk));
}

const struct apt_pkg *apt_packages_find(const struct apt_packages *pk,
					const char *name, const char *version,
					const char *arch)
{
	size_t lo = 0, hi = pk->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = pkg_cmp(&pk->p[mid], name, version, arch);
		if (!c) {
			while (mid && !pkg_cmp(&pk->p[mid - 1], name, version,
					       arch))
				mid--;
			return &pk->p[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- the signature --------------------------------------------------------- */

struct gpg_home {
	char dir[64];
	char path[128];		/* scratch: dir/NAME */
	int log;		/* stderr of the tools */
};

static const char *home_file(struct gpg_home *h, const char *name)
{
	snprintf(h->path, sizeof(h->path), "%s/%s", h->dir, name);
	return h->path;
}

static int rm_fn(const char *path, const struct stat *sb, int type,
		 struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void home_free(struct gpg_home *h)
{
	if (h->log >= 0)
		close(h->log);
	if (h->dir[0])
		nftw(h->dir, rm_fn, 8, FTW_DEPTH | FTW_PHYS);
}

/* The first line the tools wrote to stderr since @from, for messages. */
static const char *home_log(struct gpg_home *h, off_t from, char *buf,
			    size_t len)
{
	ssize_t n;
	char *nl;

	n = pread(h->log, buf, len - 1, from);
	if (n <= 0)
		return "no message";
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf;
}

/* Run @argv (no shell) with stdout to @out (-1: /dev/null), stderr to the
 * log, fd 3 to @status (-1: none). Its exit status, or -errno. */
static int run(struct gpg_home *h, const char *const argv[], int out,
	       int status)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
	int st, null;
	pid_t pid;

	if (access(argv[0], X_OK))
		return -ENOEXEC;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 ||
		    dup2(out >= 0 ? out : null, 1) < 0 || dup2(h->log, 2) < 0 ||
		    (status >= 0 && dup2(status, 3) < 0))
			_exit(126);
		close_range(status >= 0 ? 4 : 3, ~0U, 0);
		execve(argv[0], (char *const *)argv, env);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 40 or 64 hex digits, blanks allowed: upper-cased into @out. */
static int parse_fpr(const char *s, char out[APT_FPR_MAX + 1])
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F')) || n == APT_FPR_MAX)
			return -EINVAL;
		out[n++] = *s >= 'a' ? *s - 'a' + 'A' : *s;
	}
	out[n] = '\0';
	return n == 40 || n == 64 ? 0 : -EINVAL;
}

/* gpg --with-colons: the "fpr" line after each "pub" is the primary's.
 * Whether @fpr is one of them; *@count of them, *@only the last. */
static int primary_keys(const char *list, const char *fpr, int *count,
			char only[APT_FPR_MAX + 1])
{
	const char *l, *f;
	int want = 0, found = 0;
	size_t n, i;

	*count = 0;
	for (l = list; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 :
							NULL) {
		if (!strncmp(l, "pub:", 4)) {
			want = 1;
			continue;
		}
		if (strncmp(l, "fpr:", 4) || !want)
			continue;
		want = 0;
		for (f = l, i = 0; i < 9 && f; i++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		if (!f)
			continue;
		n = strcspn(f, ":\n");
		if (n > APT_FPR_MAX)
			continue;
		memcpy(only, f, n);
		only[n] = '\0';
		(*count)++;
		if (fpr && !strcasecmp(only, fpr))
			found = 1;
	}
	return found;
}

/* A keyring in the home holding exactly the pinned key: @fpr filled. */
static int pin_key(struct gpg_home *h, const struct apt_verify_opts *o,
		   char fpr[APT_FPR_MAX + 1], char *err, size_t errlen)
{
	const char *gpg = o->gpg ? o->gpg : APT_GPG;
	const char *argv[24 + 64];
	char *list = NULL, msg[256], only[APT_FPR_MAX + 1];
	int by_fpr = !parse_fpr(o->key, fpr), n = 0, i, fd, ret, count;
	off_t mark = lseek(h->log, 0, SEEK_END);
	size_t len;

	if (by_fpr && !o->nkeyrings) {
		snprintf(err, errlen, "key %s: a fingerprint needs the keyring "
			 "that holds it (--keyring)", fpr);
		return -EINVAL;
	}
	if (o->nkeyrings > 64) {
		snprintf(err, errlen, "more than 64 keyrings");
		return -EINVAL;
	}
	for (i = 0; i < (by_fpr ? o->nkeyrings : 1); i++) {
		const char *k = by_fpr ? o->keyrings[i] : o->key;

		if (access(k, R_OK)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", k, strerror(-ret));
			return ret;
		}
	}
	argv[n++] = gpg;
	argv[n++] = "--homedir";
	argv[n++] = h->dir;
	argv[n++] = "--batch";
	argv[n++] = "--no-autostart";
	argv[n++] = "--quiet";
	argv[n++] = "--import";
	if (by_fpr)
		for (i = 0; i < o->nkeyrings; i++)
			argv[n++] = o->keyrings[i];
	else
		argv[n++] = o->key;
	argv[n] = NULL;
	ret = run(h, argv, -1, -1);
	if (ret) {
		snprintf(err, errlen, "%s: gpg --import %s: %s",
			 by_fpr ? o->keyrings[0] : o->key,
			 ret < 0 ? strerror(-ret) : "failed",
			 home_log(h, mark, msg, sizeof(msg)));
		return ret < 0 ? ret : -EINVAL;
	}
	fd = open(home_file(h, "keys"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	n = 3;
	argv[n++] = "--batch";
	argv[n++] = "--no-autostart";
	argv[n++] = "--with-colons";
	argv[n++] = "--fingerprint";
	argv[n++] = "--list-keys";
	argv[n] = NULL;
	ret = run(h, argv, fd, -1);
	close(fd);
	if (!ret)
		ret = fileio_read_file(home_file(h, "keys"), 16 << 20,
				       (void **)&list, &len);
	if (ret) {
		snprintf(err, errlen, "gpg --list-keys: %s", ret < 0 ?
			 strerror(-ret) : home_log(h, mark, msg, sizeof(msg)));
		return ret < 0 ? ret : -EIO;
	}
	ret = primary_keys(list, by_fpr ? fpr : NULL, &count, only);
	free(list);
	if (by_fpr && !ret) {
		snprintf(err, errlen, "key %s: not a primary key in the "
			 "keyrings given", fpr);
		return -EKEYREJECTED;
	}
	if (!by_fpr && count != 1) {
		snprintf(err, errlen, "%s: %d primary keys; pin one with "
			 "--key FINGERPRINT --keyring %s", o->key, count,
			 o->key);
		return -EKEYREJECTED;
	}
	if (!by_fpr)
		memcpy(fpr, only, sizeof(only));
	fd = open(home_file(h, "pinned.gpg"), O_WRONLY | O_CREAT | O_EXCL |
		  O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = 3;
	argv[n++] = "--batch";
	argv[n++] = "--no-autostart";
	argv[n++] = "--export";
	argv[n++] = fpr;
	argv[n] = NULL;
	ret = run(h, argv, fd, -1);
	close(fd);
	if (ret) {
		snprintf(err, errlen, "gpg --export %s: %s", fpr, ret < 0 ?
			 strerror(-ret) : home_log(h, mark, msg, sizeof(msg)));
		return ret < 0 ? ret : -EIO;
	}
	return 0;
}

/*
 * The status lines of one gpgv run, apt's rule: at least one VALIDSIG,
 * each by the pinned primary key with a digest other than MD5, SHA-1 or
 * RIPEMD-160, and no BADSIG, EXPSIG, EXPKEYSIG or REVKEYSIG. Signatures
 * by keys not in the keyring (ERRSIG, NO_PUBKEY: Debian signs with two
 * keys) are not counted. gpgv's exit status must be 0 unless they
 * explain it.
 */
static int check_status(const char *st, int gpgv_exit, const char *fpr,
			const char *file, char *err, size_t errlen)
{
	static const char *const fatal[] = {
		"BADSIG ", "EXPSIG ", "EXPKEYSIG ", "REVKEYSIG ",
	};
	char other[17] = "", signer[APT_FPR_MAX + 1];
	int valid = 0, errsig = 0, i, algo;
	const char *l, *f, *w;
	size_t n;

	for (l = st; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "[GNUPG:] ", 9))
			continue;
		w = l + 9;
		for (i = 0; i < (int)(sizeof(fatal) / sizeof(fatal[0])); i++)
			if (!strncmp(w, fatal[i], strlen(fatal[i]))) {
				snprintf(err, errlen, "%s: signature refused "
					 "by gpgv (%.*s)%s", file,
					 (int)strlen(fatal[i]) - 1, fatal[i],
					 i ? "" : ": the signed text was "
					 "changed");
				return -EKEYREJECTED;
			}
		errsig += !strncmp(w, "ERRSIG ", 7);
		if (!strncmp(w, "NO_PUBKEY ", 10) && !other[0])
			snprintf(other, sizeof(other), "%.*s",
				 (int)strcspn(w + 10, " \n"), w + 10);
		if (strncmp(w, "VALIDSIG ", 9))
			continue;
		/* VALIDSIG fpr date ts expire version 0 pkalgo hashalgo
		 * class primary-fpr */
		algo = 0;
		for (f = w, i = 0; i < 10 && f; i++) {
			if (i == 8)
				algo = atoi(f);
			f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
		}
		n = f ? strcspn(f, " \n") : 0;
		snprintf(signer, sizeof(signer), "%.*s",
			 n <= APT_FPR_MAX ? (int)n : 0, f ? f : "");
		if (strcasecmp(signer, fpr)) {
			snprintf(err, errlen, "%s: signed by key %s, not by the "
				 "pinned key %s", file, signer[0] ? signer :
				 "(unknown)", fpr);
			return -EKEYREJECTED;
		}
		if (algo == 1 || algo == 2 || algo == 3) {
			snprintf(err, errlen, "%s: signature uses a weak "
				 "digest (OpenPGP hash algorithm %d)", file,
				 algo);
			return -EKEYREJECTED;
		}
		valid++;
	}
	if (!valid && other[0]) {
		snprintf(err, errlen, "%s: signed by key %s, not by the pinned "
			 "key %s", file, other, fpr);
		return -EKEYREJECTED;
	}
	if (!valid || (gpgv_exit && !errsig)) {
		snprintf(err, errlen, "%s: no valid signature by the pinned key "
			 "%s (gpgv exit %d)", file, fpr, gpgv_exit);
		return -EKEYREJECTED;
	}
	return 0;
}

/*
 * A clearsigned file as apt accepts it: one signed message from its first
 * line, one signature block, nothing after it, so the text gpgv verified
 * is the whole text. *@off: the lines before the signed text (armor
 * header, "Hash:" lines, the blank line), for messages.
 */
static int clearsign_check(const char *raw, size_t len, const char *file,
			   unsigned long *off, char *err, size_t errlen)
{
	static const char begin[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	static const char sig[] = "-----BEGIN PGP SIGNATURE-----";
	static const char end[] = "-----END PGP SIGNATURE-----";
	const char *l, *nl, *e = raw + len;
	unsigned long lineno = 0;
	int nbegin = 0, nsig = 0, nend = 0;
	size_t n;

	*off = 0;
	for (l = raw; l < e; l = nl + 1) {
		nl = memchr(l, '\n', e - l);
		if (!nl)
			nl = e;
		n = nl - l;
		if (n && l[n - 1] == '\r')
			n--;
		lineno++;
		if (nend && n) {
			snprintf(err, errlen, "%s:%lu: text after the "
				 "signature", file, lineno);
			return -EINVAL;
		}
		if (n == sizeof(begin) - 1 && !memcmp(l, begin, n)) {
			if (lineno != 1 || nbegin++)
				goto bad;
		} else if (lineno == 1) {
			goto bad;
		} else if (n == sizeof(sig) - 1 && !memcmp(l, sig, n)) {
			if (nsig++)
				goto bad;
		} else if (n == sizeof(end) - 1 && !memcmp(l, end, n)) {
			nend++;
		} else if (!n && !*off) {
			*off = lineno;
		}
	}
	if (nbegin == 1 && nsig == 1 && nend == 1)
		return 0;
bad:
	snprintf(err, errlen, "%s:%lu: not one clearsigned message (one "
		 "'%s' on the first line, one signature)", file, lineno, begin);
	return -EINVAL;
}

/*
 * gpgv over @o->release (and its detached signature): *@text is what the
 * signature covers, read from gpgv's output (clearsigned) or the copy
 * that was verified (detached).
 */
static int verify_release(struct gpg_home *h, const struct apt_verify_opts *o,
			  const char *fpr, char **text, size_t *len,
			  unsigned long *off, char *err, size_t errlen)
{
	const char *gpgv = o->gpgv ? o->gpgv : APT_GPGV;
	char keyring[128], signed_path[128], msg[256], *st = NULL, *raw = NULL;
	const char *argv[16];
	off_t mark = lseek(h->log, 0, SEEK_END);
	size_t stlen, rawlen;
	int n = 0, fd, ret;

	snprintf(keyring, sizeof(keyring), "%s", home_file(h, "pinned.gpg"));
	snprintf(signed_path, sizeof(signed_path), "%s", home_file(h, "signed"));
	ret = fileio_read_file(o->release, APT_MAX_RELEASE_SIZE,
			       (void **)&raw, &rawlen);
	if (ret) {
		snprintf(err, errlen, "%s: %s", o->release, strerror(-ret));
		return ret;
	}
	*off = 0;
	if (o->release_sig) {
		/* verify a private copy: what is parsed is what was checked */
		ret = fileio_write_file(signed_path, raw, rawlen, 0600, 0);
	} else {
		ret = clearsign_check(raw, rawlen, o->release, off, err,
				      errlen);
	}
	if (ret)
		goto out;
	fd = open(home_file(h, "status"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	argv[n++] = gpgv;
	argv[n++] = "--homedir";
	argv[n++] = h->dir;
	argv[n++] = "--keyring";
	argv[n++] = keyring;
	argv[n++] = "--status-fd";
	argv[n++] = "3";
	argv[n++] = "--weak-digest";
	argv[n++] = "SHA1";
	if (o->release_sig) {
		argv[n++] = o->release_sig;
		argv[n++] = signed_path;
	} else {
		argv[n++] = "--output";
		argv[n++] = signed_path;
		argv[n++] = o->release;
	}
	argv[n] = NULL;
	ret = run(h, argv, -1, fd);
	close(fd);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", gpgv, strerror(-ret));
		goto out;
	}
	n = ret;
	ret = fileio_read_file(home_file(h, "status"), 1 << 20, (void **)&st,
			       &stlen);
	if (ret)
		goto out;
	ret = check_status(st, n, fpr, o->release_sig ? o->release_sig :
			   o->release, err, errlen);
	if (ret == -EKEYREJECTED && strstr(err, "(gpgv exit"))
		snprintf(err + strlen(err), errlen - strlen(err), ": %s",
			 home_log(h, mark, msg, sizeof(msg)));
	if (ret)
		goto out;
	if (o->release_sig) {
		*text = raw;
		*len = rawlen;
		raw = NULL;
	} else {
		ret = fileio_read_file(signed_path, APT_MAX_RELEASE_SIZE,
				       (void **)text, len);
	}
out:
	if (ret && !*err)
		snprintf(err, errlen, "%s: %s", o->release, strerror(-ret));
	free(st);
	free(raw);
	return ret;
}

/*
 * RNP is loaded when a policy's key is first used (dlopen): the package
 * depends on librnp0, but a build (or a guest root) without it still runs
 * everything else, and says what is missing when trust-apt needs it.
 */
#define RNP_FUNCS \
	X(ffi_create) \
	X(ffi_destroy) \
	X(input_from_memory) \
	X(input_destroy) \
	X(import_keys) \
	X(output_to_memory) \
	X(output_destroy) \
	X(output_memory_get_buf) \
	X(op_verify_create) \
	X(op_verify_detached_create) \
	X(op_verify_execute) \
	X(op_verify_get_signature_count) \
	X(op_verify_get_signature_at) \
	X(op_verify_signature_get_status) \
	X(op_verify_signature_get_key) \
	X(op_verify_signature_get_hash) \
	X(key_is_primary) \
	X(key_get_fprint) \
	X(key_get_primary_fprint) \
	X(key_handle_destroy) \
	X(buffer_destroy) \
	X(op_verify_destroy) \
	X(op_verify_signature_get_handle) \
	X(signature_get_keyid) \
	X(signature_handle_destroy) \
	X(ffi_set_log_fd)

static struct {
#define X(f) __typeof__(rnp_##f) *f;
	RNP_FUNCS
#undef X
	int loaded;
} rnp;

static int rnp_load(char *err, size_t errlen)
{
	void *h;

	if (rnp.loaded)
		return 0;
	h = dlopen("librnp.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "trust-apt needs RNP, the OpenPGP library "
			 "(apt install librnp0): %s", dlerror());
		return -ENOPKG;
	}
#define X(f) \
	if (!(rnp.f = (__typeof__(rnp_##f) *)dlsym(h, "rnp_" #f))) { \
		snprintf(err, errlen, "librnp.so.0: no rnp_%s", #f); \
		dlclose(h); \
		return -ENOPKG; \
	}
	RNP_FUNCS
#undef X
	rnp.loaded = 1;
	return 0;
}

/*
 * The same check in this process, with RNP (librnp, Thunderbird's OpenPGP
 * library), for bomgated: the key comes from the signed policy, nothing is
 * run, and what is parsed is RNP's output (clearsigned) or the very bytes
 * it verified (detached). Accepted as gpgv is: at least one valid
 * signature whose primary key is the pin, none by the pin invalid or
 * expired, no weak digest; signatures by keys RNP does not have are not
 * counted.
 */
static int verify_release_rnp(const struct apt_verify_opts *o,
			      const char *fpr, char **text, size_t *len,
			      unsigned long *off, char *err, size_t errlen)
{
	const char *file = o->release_sig ? o->release_sig : o->release;
	rnp_input_t kin = NULL, in = NULL, sigin = NULL;
	rnp_op_verify_t op = NULL;
	rnp_output_t out = NULL;
	char *raw = NULL, *sigraw = NULL;
	size_t rawlen, siglen, n = 0, i;
	rnp_ffi_t ffi = NULL;
	int ret, valid = 0, quiet;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	*off = 0;
	ret = fileio_read_file(o->release, APT_MAX_RELEASE_SIZE,
			       (void **)&raw, &rawlen);
	if (!ret && o->release_sig)
		ret = fileio_read_file(o->release_sig, 1 << 20,
				       (void **)&sigraw, &siglen);
	if (ret) {
		snprintf(err, errlen, "%s: %s", file, strerror(-ret));
		goto out;
	}
	if (!o->release_sig) {
		ret = clearsign_check(raw, rawlen, o->release, off, err,
				      errlen);
		if (ret)
			goto out;
	}
	ret = rnp_load(err, errlen);
	if (ret)
		goto out;
	ret = -ENOMEM;
	if (rnp.ffi_create(&ffi, "GPG", "GPG") ||
	    /* its diagnostics are ours to give */
	    (devnull >= 0 && rnp.ffi_set_log_fd(ffi, devnull)) ||
	    rnp.input_from_memory(&kin, o->pinned_key, o->pinned_len, false))
		goto out;
	if (rnp.import_keys(ffi, kin, RNP_LOAD_SAVE_PUBLIC_KEYS, NULL)) {
		snprintf(err, errlen, "key %s: the policy's copy does not import",
			 fpr);
		ret = -EKEYREJECTED;
		goto out;
	}
	if (rnp.input_from_memory(&in, (const uint8_t *)raw, rawlen, false))
		goto out;
	if (o->release_sig) {
		if (rnp.input_from_memory(&sigin, (const uint8_t *)sigraw,
					  siglen, false) ||
		    rnp.op_verify_detached_create(&op, ffi, in, sigin))
			goto out;
	} else if (rnp.output_to_memory(&out, APT_MAX_RELEASE_SIZE) ||
		   rnp.op_verify_create(&op, ffi, in, out)) {
		goto out;
	}
	/* RNP (Debian's build) reports what it finds on stderr, which is
	 * the journal in bomgated: its findings are ours to report */
	quiet = devnull >= 0 ? fcntl(2, F_DUPFD_CLOEXEC, 3) : -1;
	if (quiet >= 0)
		dup2(devnull, 2);
	rnp.op_verify_execute(op);	/* each signature's status below */
	if (quiet >= 0) {
		dup2(quiet, 2);
		close(quiet);
	}
	rnp.op_verify_get_signature_count(op, &n);
	ret = -EKEYREJECTED;
	for (i = 0; i < n; i++) {
		rnp_op_verify_signature_t sig;
		rnp_key_handle_t key = NULL;
		char *signer = NULL, *hash = NULL;
		bool primary = false;
		rnp_result_t st;
		int pinned;

		if (rnp.op_verify_get_signature_at(op, i, &sig))
			continue;
		st = rnp.op_verify_signature_get_status(sig);
		if (st == RNP_ERROR_KEY_NOT_FOUND) {
			/* another key: not counted, but named if alone */
			rnp_signature_handle_t sh = NULL;
			char *id = NULL;

			if (!*err && !rnp.op_verify_signature_get_handle(sig, &sh) &&
			    !rnp.signature_get_keyid(sh, &id) && id)
				snprintf(err, errlen, "%s: signed by key %s, not "
					 "by the pinned key %s", file, id, fpr);
			rnp.buffer_destroy(id);
			rnp.signature_handle_destroy(sh);
			continue;
		}
		if (rnp.op_verify_signature_get_key(sig, &key) || !key)
			continue;
		if (!rnp.key_is_primary(key, &primary) && primary)
			rnp.key_get_fprint(key, &signer);
		else
			rnp.key_get_primary_fprint(key, &signer);
		rnp.key_handle_destroy(key);
		pinned = signer && !strcasecmp(signer, fpr);
		rnp.op_verify_signature_get_hash(sig, &hash);
		if (pinned && st != RNP_SUCCESS) {
			snprintf(err, errlen, "%s: signature refused (%s)%s",
				 file, st == RNP_ERROR_SIGNATURE_EXPIRED ?
				 "expired" : "bad signature",
				 st == RNP_ERROR_SIGNATURE_INVALID ?
				 ": the signed text was changed" : "");
		} else if (pinned && hash && (!strcasecmp(hash, "MD5") ||
			   !strcasecmp(hash, "SHA1") ||
			   !strcasecmp(hash, "RIPEMD160"))) {
			snprintf(err, errlen, "%s: signature uses a weak digest "
				 "(%s)", file, hash);
			pinned = -1;
		} else if (!pinned && st == RNP_SUCCESS && !*err) {
			snprintf(err, errlen, "%s: signed by key %s, not by the "
				 "pinned key %s", file, signer ? signer :
				 "(unknown)", fpr);
		}
		rnp.buffer_destroy(signer);
		rnp.buffer_destroy(hash);
		if (pinned && (st != RNP_SUCCESS || pinned < 0)) {
			valid = -1;
			break;
		}
		valid += pinned && st == RNP_SUCCESS;
	}
	if (valid <= 0) {
		if (!valid && !strstr(err, "signed by key"))
			snprintf(err, errlen, "%s: no valid signature by the "
				 "pinned key %s", file, fpr);
		goto out;
	}
	*err = '\0';
	if (o->release_sig) {
		*text = raw;
		*len = rawlen;
		raw = NULL;
	} else {
		uint8_t *buf;
		size_t blen;

		if (rnp.output_memory_get_buf(out, &buf, &blen, false) ||
		    !(*text = malloc(blen + 1))) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(*text, buf, blen);
		(*text)[blen] = '\0';
		*len = blen;
	}
	ret = 0;
out:
	if (ret == -ENOMEM && !*err)
		snprintf(err, errlen, "%s: OpenPGP (RNP): out of memory or "
			 "not an OpenPGP message", file);
	if (rnp.loaded) {
		rnp.op_verify_destroy(op);
		rnp.input_destroy(kin);
		rnp.input_destroy(in);
		rnp.input_destroy(sigin);
		rnp.output_destroy(out);
		rnp.ffi_destroy(ffi);
	}
	free(raw);
	free(sigraw);
	if (devnull >= 0)
		close(devnull);
	return ret;
}

/* --- the chain ------------------------------------------------------------- */

static const struct apt_index *find_index(const struct apt_release *r,
					  const char *path, const char *exact)
{
	const struct apt_index *best = NULL;
	size_t i, n = strlen(path), m;

	for (i = 0; exact && i < r->n; i++)
		if (!strcmp(r->idx[i].path, exact))
			return &r->idx[i];
	for (i = 0; !exact && i < r->n; i++) {
		m = strlen(r->idx[i].path);
		if (m > n || strcmp(path + n - m, r->idx[i].path) ||
		    (m < n && path[n - m - 1] != '/'))
			continue;
		if (!best || m > strlen(best->path))
			best = &r->idx[i];
	}
	return best;
}

/* apt keeps its lists compressed when told to (Acquire::GzipIndexes, and
 * lz4 by default then): the index is what they decompress to. */
static const char *const index_ext[] = { ".lz4", ".gz", ".xz", ".zst" };

static int index_compressed(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(index_ext) / sizeof(index_ext[0]); i++) {
		size_t m = strlen(index_ext[i]);

		if (n > m && !strcmp(path + n - m, index_ext[i]))
			return (int)m;
	}
	return 0;
}

static int read_index(const char *path, char **buf, size_t *len)
{
	struct archive *a;
	struct archive_entry *ae;
	size_t cap = 0;
	la_ssize_t n;
	int ret = 0;

	if (!index_compressed(path))
		return fileio_read_file(path, APT_MAX_INDEX_SIZE, (void **)buf,
					len);
	*buf = NULL;
	*len = 0;
	a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_format_raw(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	if (archive_read_open_filename(a, path, 65536) ||
	    archive_read_next_header(a, &ae)) {
		ret = errno ? -errno : -EINVAL;
		goto out;
	}
	for (;;) {
		if (*len + 65536 + 1 > cap) {
			char *nb;

			cap = cap ? 2 * cap : 1 << 20;
			if (cap > APT_MAX_INDEX_SIZE + 1) {
				ret = -EFBIG;
				goto out;
			}
			nb = realloc(*buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			*buf = nb;
		}
		n = archive_read_data(a, *buf + *len, 65536);
		if (n < 0) {
			ret = -EINVAL;
			goto out;
		}
		if (!n)
			break;
		*len += n;
	}
	(*buf)[*len] = '\0';
out:
	archive_read_free(a);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

static int check_packages(struct apt_repo *repo,
			  const struct apt_verify_opts *o, char *err,
			  size_t errlen)
{
	const char *rel = o->release;
	unsigned char d[SHA256_LEN];
	char got[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	char *buf = NULL, *real;
	size_t len;
	int ret;

	ret = read_index(o->packages, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "%s: %s", o->packages, ret == -EINVAL ?
			 "not a compressed index apt would keep" : strerror(-ret));
		return ret;
	}
	real = realpath(o->packages, NULL);
	if (real && index_compressed(real))
		real[strlen(real) - index_compressed(real)] = '\0';
	repo->index = find_index(&repo->release, real ? real : o->packages,
				 o->index);
	free(real);
	if (!repo->index) {
		snprintf(err, errlen, "%s: no SHA256 entry names %s", rel,
			 o->index ? o->index : o->packages);
		ret = -ENOMSG;
		goto out;
	}
	ret = sha256_buf(buf, len, d);
	if (ret)
		goto out;
	sha256_hex(d, got);
	sha256_hex(repo->index->sha256, want);
	if (len != repo->index->size || memcmp(d, repo->index->sha256,
					       SHA256_LEN)) {
		snprintf(err, errlen, "%s: SHA-256 %s (%zu bytes) does not "
			 "match %s:%lu (%s: %s, %llu bytes)", o->packages, got,
			 len, rel, repo->index->line, repo->index->path, want,
			 repo->index->size);
		ret = -EBADMSG;
		goto out;
	}
	ret = apt_packages_parse(buf, len, o->packages, &repo->packages, err,
				 errlen);
out:
	free(buf);
	return ret;
}

static int check_deb(struct apt_repo *repo, const char *path, char *err,
		     size_t errlen)
{
	char got[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	const struct apt_pkg *p;
	struct deb d;
	int ret;

	ret = deb_read(path, 0, &d, err, errlen);
	if (ret)
		return ret;
	p = apt_packages_find(&repo->packages, d.name, d.version, d.arch);
	sha256_hex(d.sha256, got);
	if (!p) {
		snprintf(err, errlen, "%s: %s %s %s is not in the Packages "
			 "index", path, d.name, d.version, d.arch);
		ret = -ENOMSG;
	} else if (d.size != p->size || memcmp(d.sha256, p->sha256,
						SHA256_LEN)) {
		sha256_hex(p->sha256, want);
		snprintf(err, errlen, "%s: SHA-256 %s (%llu bytes) differs "
			 "from Packages:%lu (%s %s %s: %s, %llu bytes)", path,
			 got, d.size, p->line, p->name, p->version, p->arch,
			 want, p->size);
		ret = -EBADMSG;
	} else {
		repo->debs[repo->ndebs].path = path;
		repo->debs[repo->ndebs].pkg = p;
		repo->ndebs++;
	}
	deb_free(&d);
	return ret;
}

static int check_release(struct apt_repo *repo,
			 const struct apt_verify_opts *o, char *text,
			 size_t len, unsigned long off, char *err,
			 size_t errlen)
{
	time_t now = o->now ? o->now : time(NULL);
	char *buf;
	int ret;

	/* blank lines before the text: line numbers of the file itself */
	buf = malloc(off + len + 1);
	if (!buf)
		return -ENOMEM;
	memset(buf, '\n', off);
	memcpy(buf + off, text, len);
	ret = apt_release_parse(buf, off + len, o->release, &repo->release,
				err, errlen);
	free(buf);
	if (ret)
		return ret;
	if (repo->release.valid_until && repo->release.valid_until < now) {
		snprintf(err, errlen, "%s: Valid-Until has passed: the "
			 "repository's signature is stale", o->release);
		return -EKEYEXPIRED;
	}
	return 0;
}

/* A private, empty gpg home in $TMPDIR (or /tmp) with its log open. */
static int home_make(struct gpg_home *h, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	int ret;

	h->log = -1;
	snprintf(h->dir, sizeof(h->dir), "%s/bomgate-apt.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(h->dir)) {
		ret = -errno;
		h->dir[0] = '\0';
		snprintf(err, errlen, "temporary directory: %s", strerror(-ret));
		return ret;
	}
	h->log = open(home_file(h, "log"), O_RDWR | O_CREAT | O_EXCL |
		      O_CLOEXEC, 0600);
	if (h->log < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", h->path, strerror(-ret));
		home_free(h);
		return ret;
	}
	return 0;
}

int apt_key_pin(const char *key, char *const *keyrings, int nkeyrings,
		char fpr[APT_FPR_MAX + 1], void **buf, size_t *len,
		char *err, size_t errlen)
{
	struct apt_verify_opts o = {
		.key = key, .keyrings = keyrings, .nkeyrings = nkeyrings,
	};
	struct gpg_home h;
	int ret;

	*err = '\0';
	*buf = NULL;
	ret = home_make(&h, err, errlen);
	if (ret)
		return ret;
	ret = pin_key(&h, &o, fpr, err, errlen);
	if (!ret) {
		ret = fileio_read_file(home_file(&h, "pinned.gpg"), 1 << 20,
				       buf, len);
		if (!ret && !*len)
			ret = -ENOKEY;
		if (ret)
			snprintf(err, errlen, "gpg --export %s: %s", fpr,
				 ret == -ENOKEY ? "nothing exported" :
				 strerror(-ret));
	}
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	home_free(&h);
	return ret;
}

int apt_repo_verify(const struct apt_verify_opts *o, struct apt_repo *repo,
		    char *err, size_t errlen)
{
	struct gpg_home h = { .log = -1 };
	char *text = NULL;
	size_t len = 0;
	unsigned long off = 0;
	int ret, i;

	memset(repo, 0, sizeof(*repo));
	*err = '\0';
	/* gpg and gpgv need a home; RNP (the policy's key) nothing */
	ret = o->pinned_key ? 0 : home_make(&h, err, errlen);
	if (ret)
		return ret;
	if (o->pinned_key) {
		/* the policy holds the key: verified here, nothing run */
		ret = parse_fpr(o->key, repo->fpr);
		if (ret)
			snprintf(err, errlen, "key %s: not a fingerprint", o->key);
		else
			ret = verify_release_rnp(o, repo->fpr, &text, &len,
						 &off, err, errlen);
	} else {
		ret = pin_key(&h, o, repo->fpr, err, errlen);
		if (!ret)
			ret = verify_release(&h, o, repo->fpr, &text, &len,
					     &off, err, errlen);
	}
	if (!ret)
		ret = check_release(repo, o, text, len, off, err, errlen);
	if (!ret)
		ret = check_packages(repo, o, err, errlen);
	if (!ret && o->ndebs) {
		repo->debs = calloc(o->ndebs, sizeof(*repo->debs));
		if (!repo->debs)
			ret = -ENOMEM;
	}
	for (i = 0; !ret && i < o->ndebs; i++)
		ret = check_deb(repo, o->debs[i], err, errlen);
	if (ret && !*err)
		snprintf(err, errlen, "%s", strerror(-ret));
	free(text);
	home_free(&h);
	if (ret)
		apt_repo_free(repo);
	return ret;
}

void apt_repo_free(struct apt_repo *repo)
{
	apt_release_free(&repo->release);
	apt_packages_free(&repo->packages);
	free(repo->debs);
	repo->debs = NULL;
	repo->ndebs = 0;
	repo->index = NULL;
}
