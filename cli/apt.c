// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate apt verify: the trust chain of a signed apt repository, from a
 * pinned key to the .deb files (lib/apt.c), for operators and tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "apt.h"
#include "cli.h"
#include "json.h"
#include "log.h"
#include "sha256.h"
#include "text.h"

#define APT_MAX_KEYRINGS	64

static void verify_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate apt verify --key FPR|KEYFILE [--keyring FILE]...\n"
"                          --release InRelease|Release [--signature Release.gpg]\n"
"                          --packages Packages [--index PATH] [--list] [--json]\n"
"                          [DEB...]\n"
"\n"
"Verify a signed apt repository the way apt trusts it: the signature of\n"
"InRelease (or Release and its detached Release.gpg) by the pinned key,\n"
"checked with gpgv against a keyring holding that key alone; the SHA256\n"
"and size Release lists for the Packages index; each DEB's SHA-256 and\n"
"size against its stanza in Packages.\n"
"\n"
"  -k, --key FPR|FILE    the pinned key: a fingerprint (40 or 64 hex\n"
"                        digits) found in --keyring, or a key file holding\n"
"                        one primary key\n"
"  -K, --keyring FILE    OpenPGP keyring searched for FPR; repeatable\n"
"  -r, --release FILE    InRelease (clearsigned) or Release\n"
"  -s, --signature FILE  Release.gpg: Release is signed apart\n"
"  -p, --packages FILE   the Packages index (uncompressed)\n"
"  -i, --index PATH      its entry in Release (main/binary-amd64/Packages);\n"
"                        default: the entry that ends FILE's path\n"
"  -l, --list            print every package of the index\n"
"      --json            one JSON object on stdout\n"
"  -h, --help            this help\n"
"Exit: 0 verified; 2 usage; 3 malformed Release, Packages or .deb; 4 refused:\n"
"signature, key, digest or size mismatch, missing entry, expired; 5 cannot\n"
"read a file or run gpg/gpgv; 7 internal error.\n");
}

static void apt_usage(void)
{
	fprintf(stderr,
		"Usage: bomgate apt COMMAND [ARGS...]\n\nCommands:\n"
		"  verify     check a signed repository, its index and .deb files\n"
		"\nSee bomgate apt verify --help.\n");
}

static int verify_exit(int err)
{
	switch (err) {
	case -EKEYREJECTED:
	case -EKEYEXPIRED:
	case -EBADMSG:
	case -ENOMSG:
		return BG_EXIT_VERIFY;
	case -EINVAL:
		return BG_EXIT_INPUT;
	case -ENOMEM:
		return BG_EXIT_INTERNAL;
	default:
		return BG_EXIT_IO;
	}
}

static void print_pkg(const struct apt_pkg *p, const char *path)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(p->sha256, hex);
	printf("%s  ", hex);
	text_fput(stdout, p->name);
	putchar(' ');
	text_fput(stdout, p->version);
	putchar(' ');
	text_fput(stdout, p->arch);
	putchar(' ');
	text_fput(stdout, path ? path : p->filename);
	putchar('\n');
}

static void json_pkg(struct json_writer *w, const struct apt_pkg *p,
		     const char *path)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(p->sha256, hex);
	json_object(w);
	json_kv_string(w, "package", p->name);
	json_kv_string(w, "version", p->version);
	json_kv_string(w, "architecture", p->arch);
	json_kv_string(w, "sha256", hex);
	json_kv_u64(w, "size", p->size);
	json_kv_string(w, path ? "path" : "filename", path ? path :
		       p->filename);
	json_end(w);
}

static void verify_json(const struct apt_repo *r, const char *rel, int list)
{
	struct json_writer w;
	size_t i;
	int k;

	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.apt-verify/1");
	json_kv_string(&w, "signer", r->fpr);
	json_kv_string(&w, "release", rel);
	json_kv_string(&w, "origin", r->release.origin);
	json_kv_string(&w, "suite", r->release.suite);
	json_kv_string(&w, "index", r->index->path);
	json_kv_u64(&w, "packages", r->packages.n);
	json_key(&w, "debs");
	json_array(&w);
	for (k = 0; k < r->ndebs; k++)
		json_pkg(&w, r->debs[k].pkg, r->debs[k].path);
	json_end(&w);
	if (list) {
		json_key(&w, "index_packages");
		json_array(&w);
		for (i = 0; i < r->packages.n; i++)
			json_pkg(&w, &r->packages.p[i], NULL);
		json_end(&w);
	}
	json_end(&w);
	putchar('\n');
}

static void verify_text(const struct apt_repo *r, const char *rel, int list)
{
	size_t i;
	int k;

	text_fput(stdout, rel);
	printf(": good signature by %s", r->fpr);
	if (r->release.origin || r->release.suite) {
		printf(" (");
		text_fput(stdout, r->release.origin ? r->release.origin : "");
		putchar(' ');
		text_fput(stdout, r->release.suite ? r->release.suite : "");
		putchar(')');
	}
	printf("\nPackages: matches ");
	text_fput(stdout, rel);
	printf(":%lu (", r->index->line);
	text_fput(stdout, r->index->path);
	printf("), %zu packages\n", r->packages.n);
	for (k = 0; k < r->ndebs; k++)
		print_pkg(r->debs[k].pkg, r->debs[k].path);
	for (i = 0; list && i < r->packages.n; i++)
		print_pkg(&r->packages.p[i], NULL);
}

static int do_apt_verify(int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "release", required_argument, NULL, 'r' },
		{ "signature", required_argument, NULL, 's' },
		{ "packages", required_argument, NULL, 'p' },
		{ "index", required_argument, NULL, 'i' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct apt_verify_opts o = { 0 };
	char *keyrings[APT_MAX_KEYRINGS], err[8192];
	struct apt_repo repo;
	int ch, json = 0, list = 0, ret;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "k:K:r:s:p:i:lh", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			o.key = optarg;
			break;
		case 'K':
			if (o.nkeyrings == APT_MAX_KEYRINGS) {
				pr_err("more than %d --keyring",
				       APT_MAX_KEYRINGS);
				return BG_EXIT_USAGE;
			}
			keyrings[o.nkeyrings++] = optarg;
			break;
		case 'r':
			o.release = optarg;
			break;
		case 's':
			o.release_sig = optarg;
			break;
		case 'p':
			o.packages = optarg;
			break;
		case 'i':
			o.index = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			verify_usage(stdout);
			return BG_EXIT_OK;
		default:
			verify_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (!o.key || !o.release || !o.packages) {
		pr_err("--key, --release and --packages are required");
		verify_usage(stderr);
		return BG_EXIT_USAGE;
	}
	o.keyrings = keyrings;
	o.debs = argv + optind;
	o.ndebs = argc - optind;
	ret = apt_repo_verify(&o, &repo, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		return verify_exit(ret);
	}
	if (json)
		verify_json(&repo, o.release, list);
	else
		verify_text(&repo, o.release, list);
	apt_repo_free(&repo);
	return BG_EXIT_OK;
}

static const struct cmd apt_cmds[] = {
	{ "verify", do_apt_verify, "check a signed repository and .deb files" },
	{ NULL, NULL, NULL },
};

int do_apt(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		apt_usage();
		return BG_EXIT_OK;
	}
	return cmd_select(apt_cmds, argc - 1, argv + 1, apt_usage);
}
