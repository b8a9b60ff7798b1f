// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate apt verify: the trust chain of a signed apt repository, from a
 * pinned key to the .deb files (lib/apt.c), for operators and tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "apt.h"
#include "apt_stage.h"
#include "control.h"
#include "daemon_conf.h"
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

static void stage_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate apt stage --policy POLICY.bgp [--lists DIR] DEB...\n"
"\n"
"What bomgated would stage for DEB files apt is about to unpack, checked\n"
"here the way bomgated checks them: the repositories of apt's lists\n"
"directory (InRelease, or Release and Release.gpg, and uncompressed\n"
"Packages files) verified in this process against the trust-apt keys of\n"
"POLICY.bgp, then each DEB's SHA-256, size, name, version and\n"
"architecture against their Packages stanzas and the trust-apt patterns.\n"
"One line per DEB: 'staged NAME VERSION ARCH (N files) from ORIGIN SUITE'\n"
"or 'refused DEB: why'.\n"
"\n"
"  -P, --policy FILE   the compiled policy (its signature is not checked:\n"
"                      'bomgate verify' does that)\n"
"  -L, --lists DIR     apt's lists directory (default " APT_LISTS_DIR ")\n"
"  -h, --help          this help\n"
"Exit: 0 every DEB staged; 4 one or more refused; 2 usage; 3 the policy is\n"
"malformed or trusts no key; 5 cannot read the lists; 7 internal error.\n");
}

static void stage_print(void *ctx, const char *deb,
			const struct apt_stage_pkg *pk, const char *why)
{
	int *refused = ctx;

	if (!pk) {
		(*refused)++;
		printf("refused ");
		text_fput(stdout, deb);
		printf(": ");
		text_fput(stdout, why);
		putchar('\n');
		return;
	}
	printf("staged ");
	text_fput(stdout, pk->name);
	putchar(' ');
	text_fput(stdout, pk->version);
	putchar(' ');
	text_fput(stdout, pk->arch);
	printf(" (%zu files) from ", pk->nfiles);
	text_fput(stdout, pk->repo);
	printf(", signed by %s (trust-apt line %u)\n", pk->fpr,
	       pk->trust_line);
}

static int do_apt_stage(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "lists", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *lists = NULL;
	struct apt_stage st = { 0 };
	struct policy *p;
	char err[1024];
	int ch, ret, refused = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "P:L:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			policy = optarg;
			break;
		case 'L':
			lists = optarg;
			break;
		case 'h':
			stage_usage(stdout);
			return BG_EXIT_OK;
		default:
			stage_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (!policy || optind == argc) {
		pr_err("--policy and at least one DEB are required");
		stage_usage(stderr);
		return BG_EXIT_USAGE;
	}
	p = policy__open(policy, err, sizeof(err));
	if (!p) {
		pr_err("%s", err);
		return errno == EINVAL ? BG_EXIT_INPUT : BG_EXIT_IO;
	}
	ret = apt_stage_debs(p, lists, argv + optind, argc - optind, 0, &st,
			     stage_print, &refused, err, sizeof(err));
	apt_stage_free(&st);
	policy__free(p);
	if (ret < 0) {
		pr_err("%s", err);
		return ret == -ENOKEY ? BG_EXIT_INPUT : ret == -ENOMEM ?
		       BG_EXIT_INTERNAL : BG_EXIT_IO;
	}
	return refused ? BG_EXIT_VERIFY : BG_EXIT_OK;
}

static void hook_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate apt hook [--post] [--socket PATH]\n"
"\n"
"apt's hook (the package's /etc/apt/apt.conf.d/60bomgate): as\n"
"DPkg::Pre-Install-Pkgs (protocol version 3 on standard input) it hands\n"
"the .deb files apt is about to unpack to bomgated, which stages those a\n"
"trust-apt key of the policy vouches for before dpkg runs; with --post\n"
"(DPkg::Post-Invoke) bomgated retires staged packages dpkg no longer has\n"
"installed at that version. It never stops apt: a package bomgated\n"
"refuses is reported here, and its programs are denied under enforce\n"
"unless the policy lists them.\n"
"Exit: 0 (also when bomgated is not running); 2 usage.\n");
}

/* The .deb paths of a Pre-Install-Pkgs version 2 or 3 stream: after the
 * configuration lines and a blank line, one line per package whose last
 * field is the .deb (or **CONFIGURE**, **REMOVE**). */
static int hook_read(FILE *in, FILE *list, int *n)
{
	char *line = NULL, *last;
	size_t cap = 0;
	ssize_t len;
	int body = 0, first = 1;

	*n = 0;
	while ((len = getline(&line, &cap, in)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (first) {
			first = 0;
			if (strcmp(line, "VERSION 2") && strcmp(line, "VERSION 3")) {
				pr_err("apt hook: standard input is not apt's Pre-Install-Pkgs protocol version 2 or 3 (set DPkg::Tools::Options::/usr/bin/bomgate::Version \"3\")");
				free(line);
				return -EINVAL;
			}
			continue;
		}
		if (!body) {
			body = !*line;
			continue;
		}
		last = strrchr(line, ' ');
		last = last ? last + 1 : line;
		if (*last != '/')
			continue;	/* **CONFIGURE**, **REMOVE** */
		fwrite(last, 1, strlen(last) + 1, list);
		(*n)++;
	}
	free(line);
	return 0;
}

static const char *jstr(yajl_val v, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val m = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;

	return m ? YAJL_GET_STRING(m) : "?";
}

static unsigned long long jnum(yajl_val v, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val m = v ? yajl_tree_get(v, path, yajl_t_number) : NULL;

	return m && YAJL_IS_INTEGER(m) ? YAJL_GET_INTEGER(m) : 0;
}

/* bomgated's reply to "stage", for the operator watching apt (after the
 * transaction, @post: only what was retired). */
static void hook_report(const char *reply, int post)
{
	const char *path[] = { "debs", NULL };
	yajl_val v = yajl_tree_parse(reply, NULL, 0), debs;

	if (!v || !YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		return;
	}
	if (post && !jnum(v, "retired")) {
		yajl_tree_free(v);
		return;
	}
	if (yajl_tree_get(v, (const char *[]){ "ok", NULL }, yajl_t_false)) {
		fprintf(stderr, "bomgate: trust-apt: ");
		text_fput(stderr, jstr(v, "error"));
		fputc('\n', stderr);
		yajl_tree_free(v);
		return;
	}
	debs = yajl_tree_get(v, path, yajl_t_array);
	for (size_t i = 0; debs && i < YAJL_GET_ARRAY(debs)->len; i++) {
		yajl_val e = YAJL_GET_ARRAY(debs)->values[i];

		if (yajl_tree_get(e, (const char *[]){ "staged", NULL },
				  yajl_t_true))
			continue;
		fprintf(stderr, "bomgate: trust-apt: ");
		text_fput(stderr, jstr(e, "deb"));
		fprintf(stderr, " is not trusted, its programs will be denied: ");
		text_fput(stderr, jstr(e, "detail"));
		fputc('\n', stderr);
	}
	fprintf(stderr, "bomgate: trust-apt: %llu staged, %llu retired, %llu refused\n",
		jnum(v, "staged"), jnum(v, "retired"), jnum(v, "refused"));
	yajl_tree_free(v);
}

static int do_apt_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "post", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char reply[CTL_MAX_REPLY];
	struct ctl_req req = { .verb = CTL_STAGE };
	const char *sock = DCONF_DEFAULT_SOCKET;
	int ch, post = 0, mfd, fd, n = 0, ret;
	FILE *list;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "pS:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			post = 1;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			hook_usage(stdout);
			return BG_EXIT_OK;
		default:
			hook_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	mfd = memfd_create("bomgate-stage", MFD_CLOEXEC);
	list = mfd >= 0 ? fdopen(dup(mfd), "w") : NULL;
	if (!list) {
		pr_err("apt hook: memfd: %s", strerror(errno));
		return BG_EXIT_OK;
	}
	ret = post ? 0 : hook_read(stdin, list, &n);
	fclose(list);
	if (ret || (!post && !n)) {
		close(mfd);
		return BG_EXIT_OK;	/* nothing to unpack */
	}
	fd = ctl_connect(sock);
	if (fd < 0) {
		/* no daemon: nothing is enforced that staging would change */
		close(mfd);
		return BG_EXIT_OK;
	}
	ret = ctl_send_fds(fd, &req, &mfd, 1);
	if (!ret)
		ret = ctl_recv(fd, reply, sizeof(reply), 10 * 60 * 1000);
	close(fd);
	close(mfd);
	if (ret <= 0) {
		pr_err("apt hook: no reply from bomgated: %s",
		       ret ? strerror(-ret) : "connection closed");
		return BG_EXIT_OK;
	}
	hook_report(reply, post);
	return BG_EXIT_OK;
}

static const struct cmd apt_cmds[] = {
	{ "verify", do_apt_verify, "check a signed repository and .deb files" },
	{ "stage", do_apt_stage, "what bomgated would stage for .deb files" },
	{ "hook", do_apt_hook, "apt's hook: hand bomgated the packages" },
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
