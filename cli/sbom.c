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
#include "log.h"
#include "scan.h"

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
"  -j, --threads N       hashing threads (default: online CPUs)\n"
"  -q, --quiet           no progress and no summary\n"
"  -h, --help            this help\n"
"Exit: 0 written; 2 usage; 5 written, but some files could not be read\n"
"(listed on stderr), or the SBOM could not be written; 7 internal error.\n");
}

static void sbom_usage(void)
{
	fprintf(stderr,
		"Usage: bomgate sbom COMMAND [ARGS...]\n\nCommands:\n"
		"  scan       write an SBOM of the executables under directories\n"
		"\nSee bomgate sbom scan --help.\n");
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

struct scan_args {
	struct scan_opts o;
	char *excl[SCAN_MAX_EXCLUDES];
	const char *out;
	int fmt, quiet;
};

static int scan_parse(struct scan_args *a, int argc, char **argv)
{
	enum { OPT_ONEFS = 256, OPT_NODPKG, OPT_DPKGDIR };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "one-filesystem", no_argument, NULL, OPT_ONEFS },
		{ "no-dpkg", no_argument, NULL, OPT_NODPKG },
		{ "dpkg-dir", required_argument, NULL, OPT_DPKGDIR },
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
	ret = scan__stats(s)->unreadable ? BG_EXIT_IO : BG_EXIT_OK;
out:
	scan__free(s);
	return ret;
}

static const struct cmd sbom_cmds[] = {
	{ "scan", do_sbom_scan, "write an SBOM of the executables under DIRs" },
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
