// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate token create | show: step-down tokens for a sealed bomgated
 * (lib/token.h). The signers make one from the machine's status (bomgate
 * status --json), offline; the operator hands it to bomgate mode/disable
 * --token on that machine.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <yajl/yajl_tree.h>

#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "sign.h"
#include "text.h"
#include "token.h"

#define MAX_SIGNERS	SIGN_MAX_SIGNERS
#define STATUS_MAX	(64 * 1024)	/* CTL_MAX_REPLY */
#define VALID_DEFAULT	3600

static void create_usage(FILE *f)
{
	fprintf(f,
"Usage: bomgate token create --for STATUS.json --action ACTION\n"
"                            --key KEY.pem --cert CERT.pem [--key.. --cert..]\n"
"                            [--valid SECONDS] -o TOKEN\n"
"\n"
"Write a step-down token for the sealed bomgated whose 'bomgate status\n"
"--json' is STATUS.json to TOKEN, and its detached CMS signature by the\n"
"given signers to TOKEN.sig. It works once, on that machine, under that\n"
"seal and policy generation, from now for SECONDS (default %d, at most\n"
"%d). Give it to 'bomgate disable --token TOKEN' or 'bomgate mode\n"
"MODE [--class C] --token TOKEN' there.\n"
"  -f, --for FILE      the machine's status (bomgate status --json)\n"
"  -a, --action A      'disable' or 'mode audit|enforce|off [CLASS]'\n"
"  -k, --key FILE      PEM private key of a sealed signer\n"
"  -c, --cert FILE     its certificate\n"
"  -v, --valid S       seconds of validity\n"
"  -o, --output FILE   the token; its signature goes to FILE.sig\n"
"  -P, --passphrase-file FILE, -E, --passphrase-env VAR: as for sign\n"
"Outputs that are symbolic links are refused, never followed.\n"
"Exit: 0 written, 2 usage, 3 STATUS.json unusable (not sealed, fields\n"
"missing), 4 key/cert problem, 5 I/O error.\n",
		VALID_DEFAULT, TOKEN_MAX_VALID);
}

static yajl_val status_get(yajl_val v, yajl_type type, const char *a,
			   const char *b, const char *c)
{
	const char *path[] = { a, b, c, NULL };

	return yajl_tree_get(v, path, type);
}

/* The bindings of a token for the machine whose status is @path. */
static int token_for(const char *path, struct token *t)
{
	char ebuf[256], *text = NULL;
	yajl_val v = NULL, mid, sid, ser, gen, sealed;
	size_t len;
	int ret;

	ret = fileio_read_file(path, STATUS_MAX, (void **)&text, &len);
	if (ret) {
		pr_err("%s: %s", path, strerror(-ret));
		return BG_EXIT_IO;
	}
	v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	free(text);
	if (!v) {
		pr_err("%s: not JSON: %s", path, ebuf);
		return BG_EXIT_INPUT;
	}
	ret = BG_EXIT_INPUT;
	sealed = status_get(v, yajl_t_any, "kernel", "sealed", NULL);
	mid = status_get(v, yajl_t_string, "daemon", "machine_id", NULL);
	sid = status_get(v, yajl_t_string, "kernel", "seal", "id");
	ser = status_get(v, yajl_t_number, "kernel", "seal", "token_serial");
	gen = status_get(v, yajl_t_number, "kernel", "generation", NULL);
	if (!sealed || !mid || !sid || !ser || !gen ||
	    !YAJL_IS_INTEGER(ser) || !YAJL_IS_INTEGER(gen)) {
		pr_err("%s: not the output of 'bomgate status --json' (daemon.machine_id, kernel.sealed, kernel.seal.id, kernel.seal.token_serial, kernel.generation)",
		       path);
		goto out;
	}
	if (!YAJL_IS_TRUE(sealed)) {
		pr_err("%s: that bomgated is not sealed: it needs no token", path);
		goto out;
	}
	if (token_hex_parse(YAJL_GET_STRING(mid), t->machine_id)) {
		pr_err("%s: daemon.machine_id is not 32 hex digits (has the machine an /etc/machine-id?)",
		       path);
		goto out;
	}
	if (token_hex_parse(YAJL_GET_STRING(sid), t->seal_id)) {
		pr_err("%s: kernel.seal.id is not 32 hex digits", path);
		goto out;
	}
	t->serial = (__u64)YAJL_GET_INTEGER(ser) + 1;
	t->generation = YAJL_GET_INTEGER(gen);
	ret = BG_EXIT_OK;
out:
	yajl_tree_free(v);
	return ret;
}

static int token_write(const char *out, const struct token *t,
		       const struct sign_signer *signers, int nr)
{
	char text[TOKEN_MAX_LEN], err[512], *sigpath = NULL;
	void *sig = NULL;
	size_t siglen;
	int n, ret;

	n = token_format(t, text, sizeof(text));
	if (n < 0)
		return BG_EXIT_INTERNAL;
	ret = sign_data(text, n, signers, nr, &sig, &siglen, err,
			sizeof(err));
	if (ret) {
		pr_err("token: %s", err);
		return ret == -ENOMEM ? BG_EXIT_INTERNAL : BG_EXIT_VERIFY;
	}
	if (asprintf(&sigpath, "%s.sig", out) < 0) {
		free(sig);
		return BG_EXIT_INTERNAL;
	}
	ret = fileio_write_file(out, text, n, 0644, 0);
	if (ret) {
		pr_err("%s: cannot write: %s", out, fileio_strerror(ret));
	} else {
		ret = fileio_write_file(sigpath, sig, siglen, 0644, 0);
		if (ret)
			pr_err("%s: cannot write: %s", sigpath,
			       fileio_strerror(ret));
	}
	free(sigpath);
	free(sig);
	return ret ? BG_EXIT_IO : BG_EXIT_OK;
}

static int token_create(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_SIGNER_OPTS,
		{ "for", required_argument, NULL, 'f' },
		{ "action", required_argument, NULL, 'a' },
		{ "valid", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cli_signers cs;
	struct sign_signer signers[MAX_SIGNERS] = {};
	const char *status = NULL, *action = NULL, *out = NULL;
	int ch, ret;
	long valid = VALID_DEFAULT;
	struct token t = {};
	char err[256], act[64], *end;

	memset(&cs, 0, sizeof(cs));
	cs.s = signers;
	while ((ch = getopt_long(argc, argv, "f:a:k:c:v:o:P:E:h", opts,
				 NULL)) != -1) {
		ret = cli_signer_opt(&cs, ch, optarg);
		if (ret < 0)
			return -ret;
		if (ret)
			continue;
		switch (ch) {
		case 'f':
			status = optarg;
			break;
		case 'a':
			action = optarg;
			break;
		case 'v':
			errno = 0;
			valid = strtol(optarg, &end, 10);
			if (errno || *end || valid < 1 ||
			    valid > TOKEN_MAX_VALID) {
				pr_err("token: --valid %s: 1 to %d seconds",
				       optarg, TOKEN_MAX_VALID);
				return BG_EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			create_usage(stdout);
			return BG_EXIT_OK;
		default:
			create_usage(stderr);
			return BG_EXIT_USAGE;
		}
	}
	if (!status || !action || !out || optind != argc) {
		pr_err("token create: give --for, --action and -o");
		create_usage(stderr);
		return BG_EXIT_USAGE;
	}
	if (token_action_parse(action, &t, err, sizeof(err))) {
		pr_err("token create: --action '%s': %s", action, err);
		return BG_EXIT_USAGE;
	}
	ret = cli_signers_ready(&cs, "token create");
	if (ret)
		goto out;
	ret = token_for(status, &t);
	if (ret)
		goto out;
	t.not_before = time(NULL);
	t.not_after = t.not_before + valid;
	ret = token_write(out, &t, signers, cs.nkeys);
	if (ret)
		goto out;
	token_action_text(&t, act, sizeof(act));
	printf("token '%s' (serial %llu, generation %llu, valid %ld s) -> %s, %s.sig\n",
	       act, (unsigned long long)t.serial,
	       (unsigned long long)t.generation, valid, out, out);
out:
	cli_signers_done(&cs);
	return ret;
}

static int token_show(int argc, char **argv)
{
	char err[256], act[64], mid[33], sid[33], nb[32], na[32];
	struct token t;
	void *buf = NULL;
	size_t len;
	struct tm tm;
	time_t tt;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"Usage: bomgate token show TOKEN\n\n"
			"What a step-down token authorises and what it is bound to.\n"
			"It does not verify the signature: the sealed daemon does.\n"
			"Exit: 0 shown, 2 usage, 3 not a token, 5 cannot read.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ?
			BG_EXIT_OK : BG_EXIT_USAGE;
	}
	ret = fileio_read_file(argv[1], TOKEN_MAX_LEN + 1, &buf, &len);
	if (ret) {
		pr_err("%s: %s", argv[1], ret == -EFBIG ?
		       "larger than a token" : strerror(-ret));
		return ret == -EFBIG ? BG_EXIT_INPUT : BG_EXIT_IO;
	}
	ret = token_parse(buf, len, &t, err, sizeof(err));
	free(buf);
	if (ret) {
		pr_err("%s: %s", argv[1], err);
		return BG_EXIT_INPUT;
	}
	token_action_text(&t, act, sizeof(act));
	token_hex(t.machine_id, mid);
	token_hex(t.seal_id, sid);
	tt = t.not_before;
	strftime(nb, sizeof(nb), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	tt = t.not_after;
	strftime(na, sizeof(na), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	printf("action:     %s\nmachine:    %s\nseal:       %s\n"
	       "serial:     %llu\ngeneration: %llu\nvalid:      %s to %s\n",
	       act, mid, sid, (unsigned long long)t.serial,
	       (unsigned long long)t.generation, nb, na);
	return BG_EXIT_OK;
}

static const struct cmd token_cmds[] = {
	{ "create", token_create, "make and sign a step-down token" },
	{ "show", token_show, "what a token authorises and is bound to" },
	{ NULL, NULL, NULL },
};

static void token_usage(void)
{
	fprintf(stderr, "Usage: bomgate token create|show ...\n"
		"  create   make and sign a step-down token for a sealed bomgated\n"
		"  show     what a token authorises and is bound to\n");
}

int do_token(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		create_usage(stdout);
		return BG_EXIT_OK;
	}
	return cmd_select(token_cmds, argc - 1, argv + 1, token_usage);
}
