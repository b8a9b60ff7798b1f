// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate key generate | sign | verify: detached CMS signatures over
 * compiled policies (lib/sign.c does the cryptography).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "text.h"
#include "policy.h"
#include "sign.h"

#define MAX_ARGS	SIGN_MAX_SIGNERS

static int io_exit(int err)
{
	return err == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_IO;
}

/* --- key generate -------------------------------------------------------- */

static void keygen_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate key generate [--type rsa|ec] [--bits N] -o KEY.pem\n"
"                            --cert CERT.pem [--subject S] [--days N]\n"
"                            [--force]\n"
"\n"
"Create a signing key and a self-signed certificate for it.\n"
"  -t, --type rsa|ec   RSA (default, 3072 bits; kernels verify it) or\n"
"                      ECDSA P-256 (kernel 6.12+ only)\n"
"  -b, --bits N        RSA key size, 2048..16384\n"
"  -o, --output FILE   private key, PEM, mode 0600; an existing file is\n"
"                      not replaced without --force\n"
"  -c, --cert FILE     self-signed certificate, PEM (give it to verifiers)\n"
"  -s, --subject S     \"CN=name,O=org\" or \"/CN=name/O=org\"\n"
"  -d, --days N        validity in days (default %d)\n"
"  -f, --force         replace an existing private key\n"
"  -h, --help          this help\n"
"Outputs that are symbolic links are refused, never followed.\n"
"Exit: 0 written, 2 usage (also: KEY and CERT the same file), 5 cannot\n"
"write (also: KEY exists without --force, an output is a symlink).\n",
		SIGN_DAYS_DEFAULT);
}

static int key_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "bits", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "cert", required_argument, NULL, 'c' },
		{ "subject", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sign_keygen kg = { .type = SIGN_KEY_RSA };
	const char *key = NULL, *cert = NULL;
	char err[512], *end;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "t:b:o:c:s:d:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (!strcmp(optarg, "rsa")) {
				kg.type = SIGN_KEY_RSA;
			} else if (!strcmp(optarg, "ec") || !strcmp(optarg, "ecdsa")) {
				kg.type = SIGN_KEY_EC;
			} else {
				pr_err("key generate: --type is rsa or ec, not '%s'",
				       optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'b':
			kg.bits = strtol(optarg, &end, 10);
			if (*end || kg.bits < 2048 || kg.bits > 16384) {
				pr_err("key generate: --bits must be 2048..16384");
				return BG_EXIT_USAGE;
			}
			break;
		case 'o':
			key = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 's':
			kg.subject = optarg;
			break;
		case 'd':
			kg.days = strtol(optarg, &end, 10);
			if (*end || kg.days < 1 || kg.days > 36500) {
				pr_err("key generate: --days must be 1..36500");
				return BG_EXIT_USAGE;
			}
			break;
		case 'f':
			kg.force = 1;
			break;
		case 'h':
			keygen_usage(stdout);
			return BG_EXIT_OK;
		default:
			keygen_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (!key || !cert || optind != argc) {
		keygen_usage(stderr);
		return BG_EXIT_USAGE;
	}
	if (fileio_same_file(key, cert)) {
		pr_err("key generate: the key and the certificate cannot both be %s",
		       key);
		return BG_EXIT_USAGE;
	}
	ret = sign_key_generate(&kg, key, cert, err, sizeof(err));
	if (ret) {
		pr_err("key generate: %s", err);
		return ret == -EINVAL ? BG_EXIT_USAGE : io_exit(ret);
	}
	printf("wrote %s (private key) and %s (certificate)\n", key, cert);
	return BG_EXIT_OK;
}

static void key_usage(void)
{
	fprintf(stderr, "Usage: bomgate key generate [OPTIONS] (see --help)\n");
}

int do_key(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "generate", key_generate, "create a key and certificate" },
		{ NULL, NULL, NULL },
	};

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		keygen_usage(stdout);
		return BG_EXIT_OK;
	}
	return cmd_select(cmds, argc - 1, argv + 1, key_usage);
}

/* --- sign ---------------------------------------------------------------- */

static void sign_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate sign --key KEY.pem --cert CERT.pem [--key K2 --cert C2...]\n"
"                    [-o SIG] POLICY.bgp\n"
"\n"
"Write a detached CMS signature (DER) over POLICY.bgp, by default to\n"
"POLICY.bgp.sig. Several --key/--cert pairs give one signature with several\n"
"signers; signers may also sign separately, each into its own file.\n"
"  -k, --key FILE      PEM private key\n"
"  -c, --cert FILE     its certificate\n"
"  -o, --output FILE   signature file (not a symbolic link, not an input)\n"
"  -P, --passphrase-file FILE  the keys' passphrase: FILE's first line\n"
"  -E, --passphrase-env VAR    ... or environment variable VAR (for CI)\n"
"  -h, --help          this help\n"
"An encrypted key without either is asked for on the terminal; without a\n"
"terminal, sign says so and fails (exit 4).\n"
"Exit: 0 written, 2 usage (also: -o names an input), 3 not a valid\n"
"policy, 4 key/cert problem, 5 I/O error (also: -o is a symlink).\n");
}

/* --passphrase-file (first line) or --passphrase-env. A bg_exit. */
int cli_passphrase(const char *file, const char *env, char *buf,
			  size_t len)
{
	const char *v;
	FILE *f;

	if (file && env) {
		pr_err("sign: --passphrase-file or --passphrase-env, not both");
		return BG_EXIT_USAGE;
	}
	if (env) {
		v = getenv(env);
		if (!v) {
			pr_err("sign: --passphrase-env %s: no such environment variable",
			       env);
			return BG_EXIT_USAGE;
		}
		snprintf(buf, len, "%s", v);
		return BG_EXIT_OK;
	}
	f = fopen(file, "re");
	if (!f) {
		pr_err("%s: %s", file, strerror(errno));
		return BG_EXIT_IO;
	}
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return BG_EXIT_OK;
}

int cli_signer_opt(struct cli_signers *cs, int ch, const char *arg)
{
	switch (ch) {
	case 'k':
		if (cs->nkeys >= CLI_SIGNERS_MAX)
			return -BG_EXIT_USAGE;
		cs->s[cs->nkeys++].key_path = arg;
		return 1;
	case 'c':
		if (cs->ncerts >= CLI_SIGNERS_MAX)
			return -BG_EXIT_USAGE;
		cs->s[cs->ncerts++].cert_path = arg;
		return 1;
	case 'P':
		cs->pass_file = arg;
		return 1;
	case 'E':
		cs->pass_env = arg;
		return 1;
	}
	return 0;
}

int cli_signers_ready(struct cli_signers *cs, const char *cmd)
{
	int ret;

	if (!cs->nkeys || cs->nkeys != cs->ncerts) {
		pr_err("%s: give as many --cert as --key (at least one)", cmd);
		return BG_EXIT_USAGE;
	}
	if (!cs->pass_file && !cs->pass_env)
		return BG_EXIT_OK;
	ret = cli_passphrase(cs->pass_file, cs->pass_env, cs->pass,
			     sizeof(cs->pass));
	for (int i = 0; !ret && i < cs->nkeys; i++)
		cs->s[i].passphrase = cs->pass;
	return ret;
}

void cli_signers_done(struct cli_signers *cs)
{
	OPENSSL_cleanse(cs->pass, sizeof(cs->pass));
}

_Static_assert(CLI_SIGNERS_MAX == SIGN_MAX_SIGNERS, "signer limits");

/* -o over the policy, a key or a certificate would destroy it. */
static int same_as_input(const char *out, const char *policy,
			 const struct sign_signer *signers, int nr)
{
	int i;

	for (i = -1; i < nr; i++) {
		const char *in = i < 0 ? policy : signers[i].key_path;

		if (fileio_same_file(out, in) ||
		    (i >= 0 && fileio_same_file(out, signers[i].cert_path))) {
			pr_err("sign: -o %s is one of the inputs", out);
			return 1;
		}
	}
	return 0;
}

int do_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_SIGNER_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cli_signers cs;
	struct sign_signer signers[MAX_ARGS] = {};
	int ch, ret;
	char err[512], *out = NULL, *def = NULL;
	struct policy *p = NULL;
	void *data = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;

	memset(&cs, 0, sizeof(cs));
	cs.s = signers;
	while ((ch = getopt_long(argc, argv, "k:c:o:P:E:h", opts, NULL)) != -1) {
		ret = cli_signer_opt(&cs, ch, optarg);
		if (ret < 0)
			return -ret;
		if (ret)
			continue;
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			sign_usage(stdout);
			return BG_EXIT_OK;
		default:
			sign_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("sign: give one policy");
		sign_usage(stderr);
		return BG_EXIT_USAGE;
	}
	ret = cli_signers_ready(&cs, "sign");
	if (ret) {
		if (ret == BG_EXIT_USAGE)
			sign_usage(stderr);
		return ret;
	}
	if (!out) {
		def = policy_sig_default(argv[optind]);
		if (!def)
			return BG_EXIT_INTERNAL;
		out = def;
	}
	if (same_as_input(out, argv[optind], signers, cs.nkeys)) {
		ret = BG_EXIT_USAGE;
		goto out;
	}
	ret = fileio_read_file(argv[optind], BGP_MAX_FILE_SIZE, &data, &len);
	if (ret) {
		pr_err("%s: %s", argv[optind], strerror(-ret));
		ret = ret == -EFBIG ? BG_EXIT_INPUT : io_exit(ret);
		goto out;
	}
	/* Never sign something the daemon would refuse to load. */
	p = policy__from_mem(data, len, err, sizeof(err));
	if (!p) {
		pr_err("%s: %s: not signed", argv[optind], err);
		ret = BG_EXIT_INPUT;
		goto out;
	}
	ret = sign_data(data, len, signers, cs.nkeys, &sig, &siglen, err,
			sizeof(err));
	if (ret) {
		pr_err("sign: %s", err);
		ret = ret == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_VERIFY;
		goto out;
	}
	ret = fileio_write_file(out, sig, siglen, 0644, 0);
	if (ret) {
		pr_err("%s: cannot write: %s", out, fileio_strerror(ret));
		ret = io_exit(ret);
		goto out;
	}
	printf("signed %s (policy version %llu) -> %s\n", argv[optind],
	       (unsigned long long)policy__version(p), out);
	ret = BG_EXIT_OK;
out:
	cli_signers_done(&cs);
	policy__free(p);
	free(def);
	free(sig);
	free(data);
	return ret;
}

/* --- verify -------------------------------------------------------------- */

static void verify_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate verify --trust CERT.pem [--trust ...] [--min-signers N]\n"
"                      [--json] POLICY.bgp [SIG...]\n"
"       bomgate verify --show [--json] POLICY.bgp [SIG...]\n"
"\n"
"Check POLICY.bgp against its detached signatures (default POLICY.bgp.sig).\n"
"A signer counts when its certificate is one of the --trust certificates\n"
"and is valid now; every signature given must verify.\n"
"  -t, --trust FILE       trusted certificate(s), PEM (repeatable)\n"
"  -m, --min-signers N    distinct trusted signers required (default 1)\n"
"  -j, --json             result as JSON\n"
"  -S, --show             who signed (subject, certificate SHA-256, does the\n"
"                         signature match), trusting no one: not a\n"
"                         verification; instead of --trust; exit 0 shown\n"
"  -h, --help             this help\n"
"Exit: 0 verified, 2 usage, 3 not a valid policy, 4 verification failed\n"
"(unknown signer, expired, digest mismatch, too few signers...), 5 I/O.\n");
}

static void verify_print(const char *path, const struct policy *p,
			 const struct sign_result *res, const char *err,
			 int json)
{
	struct json_writer w;
	int i;

	if (json) {
		cli_json_answered = 1;
		json_begin(&w, stdout);
		json_object(&w);
		json_kv_string(&w, "schema", "bomgate.verify/1");
		json_kv_string(&w, "policy", path);
		json_kv_bool(&w, "verified", res->status == SIGN_OK);
		json_kv_string(&w, "status", sign_status_name(res->status));
		if (res->status != SIGN_OK)
			json_kv_string(&w, "error", err);
		if (p)
			json_kv_u64(&w, "policy_version", policy__version(p));
		json_key(&w, "signers");
		json_array(&w);
		for (i = 0; i < res->nr_signers; i++)
			json_string(&w, res->signers[i]);
		json_end(&w);
		json_end(&w);
		putchar('\n');
		return;
	}
	if (res->status != SIGN_OK)
		return;
	text_fput(stdout, path);
	printf(": verified, policy version %llu, %d signer%s:\n",
	       (unsigned long long)policy__version(p), res->nr_signers,
	       res->nr_signers == 1 ? "" : "s");
	for (i = 0; i < res->nr_signers; i++) {
		/* subjects are the certificates' text: escaped */
		printf("  ");
		text_fput(stdout, res->signers[i]);
		putchar('\n');
	}
}

/* verify --show: who signed, trusting no one. */
static void show_print(const char *policy, const char *sig,
		       const struct sign_show *sh, int json)
{
	struct json_writer w;
	int k;

	if (json) {
		json_begin(&w, stdout);
		json_object(&w);
		json_kv_string(&w, "schema", "bomgate.verify-show/1");
		json_kv_string(&w, "signature", sig);
		json_kv_string(&w, "policy", policy);
		json_kv_bool(&w, "verified", false);
		json_key(&w, "signers");
		json_array(&w);
		for (k = 0; k < sh->nr; k++) {
			json_object(&w);
			json_kv_string(&w, "subject", sh->s[k].subject);
			json_kv_string(&w, "sha256", sh->s[k].fingerprint);
			json_kv_bool(&w, "matches", sh->s[k].matches);
			json_end(&w);
		}
		json_end(&w);
		json_end(&w);
		putchar('\n');
		return;
	}
	text_fput(stdout, sig);
	printf(": %d signer%s (shown, NOT verified: no certificate is trusted here)\n",
	       sh->nr, sh->nr == 1 ? "" : "s");
	for (k = 0; k < sh->nr; k++) {
		printf("  ");
		text_fput(stdout, sh->s[k].subject);
		if (sh->s[k].fingerprint[0])
			printf("\n    certificate sha256 %s; its signature %s ",
			       sh->s[k].fingerprint, sh->s[k].matches ?
			       "matches" : "does NOT match");
		else
			printf("\n    no certificate in the signature; ");
		text_fput(stdout, policy);
		putchar('\n');
	}
}

static int show_sigs(char **args, int n, int json)
{
	struct sign_show sh;
	struct sign_blob b;
	char err[512], *def = NULL;
	void *data = NULL, *buf;
	size_t len, blen;
	int i, ret;

	ret = fileio_read_file(args[0], BGP_MAX_FILE_SIZE, &data, &len);
	if (ret) {
		pr_err("%s: %s", args[0], strerror(-ret));
		return ret == -EFBIG ? BG_EXIT_INPUT : io_exit(ret);
	}
	if (n == 1) {
		def = policy_sig_default(args[0]);
		if (!def) {
			free(data);
			return BG_EXIT_INTERNAL;
		}
	}
	for (i = n == 1 ? 0 : 1; i < n; i++) {
		const char *sig = def ? def : args[i];

		ret = fileio_read_file(sig, BGP_MAX_FILE_SIZE, &buf, &blen);
		if (ret) {
			pr_err("%s: %s", sig, strerror(-ret));
			ret = io_exit(ret);
			break;
		}
		b = (struct sign_blob){ buf, blen, sig };
		ret = sign_show(data, len, &b, &sh, err, sizeof(err));
		free(buf);
		if (ret) {
			pr_err("verify --show: %s", err);
			ret = BG_EXIT_VERIFY;
			break;
		}
		show_print(args[0], sig, &sh, json);
	}
	free(def);
	free(data);
	return ret;
}

int do_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "min-signers", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "show", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trust[MAX_ARGS];
	struct policy_open_result r;
	struct policy_trust t;
	struct policy *p;
	int ntrust = 0, min = 1, json = 0, show = 0, ch, ret;
	char *end;

	while ((ch = getopt_long(argc, argv, "t:m:jSh", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (ntrust >= MAX_ARGS)
				return BG_EXIT_USAGE;
			trust[ntrust++] = optarg;
			break;
		case 'm':
			min = strtol(optarg, &end, 10);
			if (*end || min < 1 || min > SIGN_MAX_SIGNERS) {
				pr_err("verify: --min-signers must be 1..%d",
				       SIGN_MAX_SIGNERS);
				return BG_EXIT_USAGE;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'S':
			show = 1;
			break;
		case 'h':
			verify_usage(stdout);
			return BG_EXIT_OK;
		default:
			verify_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (show && !ntrust && argc - optind >= 1)
		return show_sigs(argv + optind, argc - optind, json);
	if (!ntrust || show || argc - optind < 1) {
		pr_err("verify: need --trust CERT (or --show, without --trust) and a policy");
		verify_usage(stderr);
		return BG_EXIT_USAGE;
	}
	t = (struct policy_trust){
		.trust = trust, .nr_trust = ntrust, .min_signers = min,
		.sigs = (const char *const *)argv + optind + 1,
		.nr_sigs = argc - optind - 1,
	};
	/* signed is not enough: it must also be a policy we can load */
	p = policy__open_verified(argv[optind], &t, &r);
	if (!p) {
		ret = errno;
		if (r.step == POLICY_STEP_VERIFY && ret == EKEYREJECTED)
			verify_print(argv[optind], NULL, &r.sign, r.err, json);
		if (r.step == POLICY_STEP_PARSE)
			pr_err("signed but not a valid policy: %s", r.err);
		else
			pr_err("verify: %s", r.err);
		return policy_open_exit(&r, ret);
	}
	verify_print(argv[optind], p, &r.sign, r.err, json);
	policy__free(p);
	return BG_EXIT_OK;
}
