// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate sbom scan: an SBOM of what can run under some directories, for
 * users who have no vendor SBOMs (a whole Debian system, an image).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deb.h"
#include "log.h"
#include "scan.h"
#include "sha256.h"

#define SCAN_MAX_EXCLUDES	256

static void scan_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate sbom scan [OPTIONS] DIR...\n"
"\n"
"Write an SBOM listing the SHA-256 of every ELF executable, shared library\n"
"and kernel module (compressed ones too) and every '#!' script with an\n"
"execute bit under DIR (a file is scanned alone), named after the Debian\n"
"package that owns it. Symlinks are not followed; /proc, /sys and other\n"
"pseudo file systems are skipped.\n"
"\n"
"  -f, --format F        cyclonedx (CycloneDX 1.5 JSON, default) or spdx\n"
"                        (SPDX 2.3 JSON)\n"
"  -o, --output FILE     where to write it, atomically ('-': stdout, the\n"
"                        default)\n"
"  -x, --exclude PATTERN skip paths matching the fnmatch(3) PATTERN (the\n"
"                        whole path if PATTERN has a '/', else the name);\n"
"                        repeatable\n"
"      --one-filesystem  stay on the file system of each DIR\n"
"      --no-dpkg         do not read the Debian package database\n"
"      --dpkg-dir DIR    the dpkg database (default " SCAN_DPKG_DIR ")\n"
"      --root DIR        the system the dpkg database describes is at DIR\n"
"                        (an image, a chroot): its database DIR" SCAN_DPKG_DIR "\n"
"                        unless --dpkg-dir, its paths under DIR\n"
"      --verify-dpkg     check each file against the MD5 dpkg recorded at\n"
"                        install (dpkg records no SHA-256): files modified\n"
"                        since, not owned by a package or without a\n"
"                        recorded MD5 are listed on stderr and left out\n"
"  -j, --threads N       hashing threads (default: online CPUs)\n"
"  -q, --quiet           no progress and no summary\n"
"  -h, --help            this help\n"
"Exit: 0 written; 1 written, but --verify-dpkg found modified files; 2 usage;\n"
"5 written, but some files could not be read (listed on stderr), or the SBOM\n"
"could not be written; 7 internal error.\n");
}

static void sbom_usage(void)
{
	fprintf(stderr,
		"Usage: bomgate sbom COMMAND [ARGS...]\n\nCommands:\n"
		"  scan       write an SBOM of the executables under directories\n"
		"  deb        write an SBOM of Debian packages (.deb files)\n"
		"\nSee bomgate sbom scan --help, bomgate sbom deb --help.\n");
}

struct scan_ui {
	int tty;
	int shown;	/* a progress line is on the screen */
};

static void scan_problem(void *ctx, const char *path, unsigned long line,
			 int err, const char *msg)
{
	struct scan_ui *ui = ctx;

	if (ui->shown) {
		fputs("\r\033[K", stderr);
		ui->shown = 0;
	}
	if (line)
		pr_warn("%s:%lu: %s", path, line, msg);
	else if (msg)
		pr_warn("%s: %s: %s", path, msg, strerror(-err));
	else
		pr_err("%s: %s", path, strerror(-err));
}

static void scan_progress(void *ctx, const struct scan_stats *st)
{
	struct scan_ui *ui = ctx;

	fprintf(stderr, "\r\033[K%lu dirs, %lu files, %lu classified, "
		"%.1f MB hashed", st->dirs, st->files, st->done,
		st->bytes / 1e6);
	ui->shown = 1;
}

static void scan_summary(const struct scan_stats *st)
{
	double t = st->seconds > 0 ? st->seconds : 1e-9;

	fprintf(stderr,
		"scanned %lu files in %lu dirs: %lu ELF (%lu executables, %lu "
		"shared/PIE), %lu modules, %lu scripts; %lu files from %lu "
		"packages; %lu unreadable, %lu excluded, %lu mounts skipped; "
		"%.1f MB hashed in %.2f s (%.0f files/s, %.0f MB/s)\n",
		st->files, st->dirs, st->elf, st->exec, st->dyn, st->modules,
		st->scripts, st->owned, st->packages, st->unreadable,
		st->excluded, st->skipped_mounts, st->bytes / 1e6, t,
		st->files / t, st->bytes / 1e6 / t);
}

static void md5_hex(const unsigned char d[16], char hex[33])
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* --verify-dpkg: every file that is not as its package installed it. */
static void verify_report(const struct scan *s)
{
	const struct scan_stats *st = scan__stats(s);
	const struct scan_entry *e;
	const struct scan_pkg *p;
	char disk[33], rec[33];
	size_t i;

	for (i = 0; i < scan__count(s); i++) {
		e = scan__entry(s, i);
		p = scan__pkg(s, e->pkg);
		switch (e->verify) {
		case SCAN_VERIFY_MODIFIED:
			md5_hex(e->md5, disk);
			md5_hex(e->md5_recorded, rec);
			pr_warn("modified since install: %s (%s %s %s): MD5 %s, "
				"dpkg recorded %s", e->path, p->name,
				p->version, p->arch, disk, rec);
			break;
		case SCAN_VERIFY_UNOWNED:
			pr_warn("not owned by any package: %s", e->path);
			break;
		case SCAN_VERIFY_UNRECORDED:
			pr_warn("no MD5 recorded by %s: %s", p->name, e->path);
			break;
		}
	}
	fprintf(stderr, "verify-dpkg: %lu as installed, %lu modified, %lu not "
		"owned by a package, %lu without a recorded MD5 (dpkg records "
		"MD5 only); only the first are in the SBOM\n", st->verified,
		st->modified, st->unowned, st->unrecorded);
}

struct scan_args {
	struct scan_opts o;
	char *excl[SCAN_MAX_EXCLUDES];
	const char *out;
	int fmt, quiet;
};

static int scan_parse(struct scan_args *a, int argc, char **argv)
{
	enum { OPT_ONEFS = 256, OPT_NODPKG, OPT_DPKGDIR, OPT_ROOT, OPT_VERIFY };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "one-filesystem", no_argument, NULL, OPT_ONEFS },
		{ "no-dpkg", no_argument, NULL, OPT_NODPKG },
		{ "dpkg-dir", required_argument, NULL, OPT_DPKGDIR },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "verify-dpkg", no_argument, NULL, OPT_VERIFY },
		{ "threads", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "f:o:x:j:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			a->fmt = scan_out_parse(optarg);
			if (a->fmt < 0) {
				pr_err("unknown format '%s' (cyclonedx, spdx)",
				       optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'x':
			if (a->o.nexcludes >= SCAN_MAX_EXCLUDES) {
				pr_err("more than %d --exclude",
				       SCAN_MAX_EXCLUDES);
				return BG_EXIT_USAGE;
			}
			a->excl[a->o.nexcludes++] = optarg;
			break;
		case OPT_ONEFS:
			a->o.one_filesystem = 1;
			break;
		case OPT_NODPKG:
			a->o.dpkg_dir = "";
			break;
		case OPT_DPKGDIR:
			a->o.dpkg_dir = optarg;
			break;
		case OPT_ROOT:
			a->o.root = optarg;
			break;
		case OPT_VERIFY:
			a->o.verify_dpkg = 1;
			break;
		case 'j':
			a->o.threads = strtol(optarg, &end, 10);
			if (*end || a->o.threads < 1 ||
			    a->o.threads > SCAN_MAX_THREADS) {
				pr_err("--threads: 1 to %d", SCAN_MAX_THREADS);
				return BG_EXIT_USAGE;
			}
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			scan_usage(stdout);
			return -1;
		default:
			scan_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		scan_usage(stderr);
		return BG_EXIT_USAGE;
	}
	return 0;
}

static int do_sbom_scan(int argc, char **argv)
{
	struct scan_args a = { .out = "-", .fmt = SCAN_OUT_CYCLONEDX };
	struct scan_ui ui = { 0, 0 };
	struct scan *s = NULL;
	char err[PATH_MAX + 256];
	int ret;

	optind = 0;
	ret = scan_parse(&a, argc, argv);
	if (ret)
		return ret < 0 ? BG_EXIT_OK : ret;
	a.o.excludes = a.excl;
	a.o.sha1 = a.fmt == SCAN_OUT_SPDX;
	a.o.problem = scan_problem;
	a.o.ctx = &ui;
	ui.tty = !a.quiet && isatty(STDERR_FILENO);
	if (ui.tty)
		a.o.progress = scan_progress;
	s = scan__new(&a.o);
	if (!s) {
		pr_err("scan: %s", strerror(errno));
		return BG_EXIT_INTERNAL;
	}
	ret = scan__run(s, argv + optind, argc - optind, err, sizeof(err));
	if (ui.shown)
		fputs("\r\033[K", stderr);
	if (ret) {
		pr_err("%s", err);
		ret = ret == -ENOMEM || ret == -EIO ? BG_EXIT_INTERNAL :
		      ret == -EINVAL ? BG_EXIT_USAGE : BG_EXIT_IO;
		goto out;
	}
	ret = scan__write(s, a.fmt, a.out, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		ret = ret == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
		goto out;
	}
	if (!a.quiet)
		scan_summary(scan__stats(s));
	if (a.o.verify_dpkg)
		verify_report(s);
	ret = scan__stats(s)->unreadable ? BG_EXIT_IO :
	      scan__stats(s)->modified ? BG_EXIT_FAIL : BG_EXIT_OK;
out:
	scan__free(s);
	return ret;
}

static void deb_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate sbom deb [OPTIONS] FILE.deb...\n"
"\n"
"Write an SBOM of Debian packages: one component per package (name,\n"
"version, purl pkg:deb/debian/NAME@VERSION?arch=ARCH, supplier, source,\n"
"the .deb's SHA-256) holding a file component with the SHA-256 of every\n"
"regular file of its data.tar and of its maintainer scripts, read with\n"
"libarchive. Directories and symlinks are not listed, nor conffiles\n"
"unless --conffiles.\n"
"\n"
"  -f, --format F        cyclonedx (CycloneDX 1.5 JSON, default) or spdx\n"
"  -o, --output FILE     where to write it, atomically ('-': stdout, the\n"
"                        default)\n"
"      --conffiles       list conffiles too (an administrator edits them:\n"
"                        the digest shipped may not be the one on disk)\n"
"  -q, --quiet           no summary\n"
"  -h, --help            this help\n"
"Exit: 0 written; 2 usage; 3 a malformed .deb; 5 a file could not be read, or\n"
"the SBOM could not be written; 7 internal error.\n");
}

static int deb_add(struct scan *s, const struct deb *d, int conffiles,
		   unsigned long *nfiles)
{
	char hex[SHA256_HEX_LEN + 1];
	struct scan_pkg p = {
		.name = d->name, .version = d->version, .arch = d->arch,
		.maintainer = d->maintainer, .source = d->source,
		.deb_sha256 = hex,
	};
	const struct deb_file *f;
	unsigned int flags;
	size_t i;
	int pkg, err;

	sha256_hex(d->sha256, hex);
	pkg = scan__add_pkg(s, &p);
	if (pkg < 0)
		return pkg;
	for (i = 0; i < d->nfiles; i++) {
		f = &d->files[i];
		if ((f->flags & DEB_FILE_CONFFILE) && !conffiles)
			continue;
		flags = (f->flags & DEB_FILE_CONFFILE ? SCAN_F_CONFFILE : 0) |
			(f->flags & DEB_FILE_MAINT ? SCAN_F_MAINT : 0);
		err = scan__add_file(s, pkg, f->path, f->kind, flags, f->size,
				     f->sha256, f->sha1);
		if (err)
			return err;
		(*nfiles)++;
	}
	return 0;
}

static int do_sbom_deb(int argc, char **argv)
{
	enum { OPT_CONFFILES = 256 };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "conffiles", no_argument, NULL, OPT_CONFFILES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "-";
	int fmt = SCAN_OUT_CYCLONEDX, conffiles = 0, quiet = 0, ch, i, ret = 0;
	unsigned long nfiles = 0;
	char err[PATH_MAX + 512];
	struct scan *s;
	struct deb d;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:o:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			fmt = scan_out_parse(optarg);
			if (fmt < 0) {
				pr_err("unknown format '%s' (cyclonedx, spdx)",
				       optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_CONFFILES:
			conffiles = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			deb_usage(stdout);
			return BG_EXIT_OK;
		default:
			deb_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		deb_usage(stderr);
		return BG_EXIT_USAGE;
	}
	s = scan__new(NULL);
	if (!s) {
		pr_err("sbom deb: %s", strerror(errno));
		return BG_EXIT_INTERNAL;
	}
	for (i = optind; i < argc && !ret; i++) {
		ret = deb_read(argv[i], DEB_READ_DATA, &d, err, sizeof(err));
		if (ret) {
			pr_err("%s", err);
			break;
		}
		ret = deb_add(s, &d, conffiles, &nfiles);
		if (ret)
			pr_err("%s: %s", argv[i], strerror(-ret));
		deb_free(&d);
	}
	if (ret) {
		ret = ret == -EINVAL ? BG_EXIT_INPUT : ret == -ENOMEM ||
		      ret == -EIO ? BG_EXIT_INTERNAL : BG_EXIT_IO;
		goto out;
	}
	ret = scan__write(s, fmt, out, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		ret = ret == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
		goto out;
	}
	if (!quiet)
		fprintf(stderr, "%d packages, %lu files\n", scan__npkgs(s),
			nfiles);
out:
	scan__free(s);
	return ret;
}

static const struct cmd sbom_cmds[] = {
	{ "scan", do_sbom_scan, "write an SBOM of the executables under DIRs" },
	{ "deb", do_sbom_deb, "write an SBOM of .deb files" },
	{ NULL, NULL, NULL },
};

int do_sbom(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		sbom_usage();
		return BG_EXIT_OK;
	}
	return cmd_select(sbom_cmds, argc - 1, argv + 1, sbom_usage);
}
