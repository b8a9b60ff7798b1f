// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate: compile SBOMs into signed policies, inspect and check them,
 * and talk to the bomgated daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "json.h"

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "help", do_help, "bomgate help COMMAND: that command's --help" },
	{ "doctor", do_doctor, "check that this kernel can run bomgate" },
	{ "compile", do_compile, "compile SBOMs (+ policy source) into a policy" },
	{ "inspect", do_inspect, "show what a compiled policy holds" },
	{ "diff", do_diff, "what changes between two policies" },
	{ "key", do_key, "generate a signing key and certificate" },
	{ "sign", do_sign, "sign a compiled policy (detached CMS)" },
	{ "verify", do_verify, "verify a policy's signatures" },
	{ "token", do_token, "a signed step-down token for a sealed bomgated" },
	{ "hash", do_hash, "SHA-256 of files, sha256sum-compatible" },
	{ "check", do_check, "would a policy allow these files, and why" },
	{ "status", do_status, "what the running bomgated enforces" },
	{ "mode", do_mode, "switch bomgated to audit or enforce" },
	{ "reload", do_reload, "verify and swap in the policy file again" },
	{ "disable", do_disable, "stop enforcement (logged)" },
	{ "events", do_events, "stream bomgated's events" },
	{ "coverage", do_coverage, "the kernel's per-digest decision counts" },
	{ "report", do_report, "what enforcing would have refused, from event files" },
	{ "sbom", do_sbom, "an SBOM of directories or .deb files (sbom scan, deb)" },
	{ "apt", do_apt, "verify a signed apt repository (apt verify)" },
	{ NULL, NULL, NULL },
};

static void usage_to(FILE *f)
{
	const struct cmd *c;

	fprintf(f,
		"Usage: bomgate [--verbose] COMMAND [ARGS...]\n"
		"       bomgate COMMAND --help, bomgate help COMMAND\n\nCommands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nExit codes: 0 ok, 1 no (denied/missing/different), "
		"2 usage, 3 bad input,\n4 signature (or refused by bomgated), "
		"5 I/O, 6 kernel, 7 internal.\nSee bomgate(1).\n");
}

static void usage(void)
{
	usage_to(stderr);
}

/* "help CMD [SUB]" is "CMD [SUB] --help". */
static int do_help(int argc, char **argv)
{
	char *args[4];
	int n = 0;

	if (argc < 2) {
		usage_to(stdout);
		return BG_EXIT_OK;
	}
	if (argc > 3 || !strcmp(argv[1], "help")) {
		usage();
		return BG_EXIT_USAGE;
	}
	args[n++] = argv[1];
	if (argc == 3)
		args[n++] = argv[2];
	args[n++] = "--help";
	args[n] = NULL;
	return cmd_select(cmds, n, args, usage);
}

/* A command given --json that fails (exit 2 and above; 1 is an answer,
 * printed as such) still prints one JSON object: what failed and why. */
int cli_json_answered;

static int wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--json"))
			return 1;
	}
	return 0;
}

static void json_error(const char *cmd, int code)
{
	struct json_writer w;

	fflush(stdout);
	json_begin(&w, stdout);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.error/1");
	json_kv_string(&w, "command", cmd);
	json_kv_i64(&w, "exit", code);
	json_kv_string(&w, "error", *log_last_error() ? log_last_error() :
		       code == BG_EXIT_USAGE ? "usage" : "failed");
	json_end(&w);
	putchar('\n');
}

int cmd_select(const struct cmd *table, int argc, char **argv,
	       void (*usage_fn)(void))
{
	const struct cmd *c;

	if (argc < 1) {
		usage_fn();
		return BG_EXIT_USAGE;
	}
	for (c = table; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return c->func(argc, argv);
	fprintf(stderr, "bomgate: unknown command '%s'\n", argv[0]);
	usage_fn();
	return BG_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	log_init("bomgate", 0);
	fileio_cleanup_on_signal();	/* no OUT.XXXXXX left on ^C */
	log_setup_libbpf();
	while ((c = getopt_long(argc, argv, "+hvV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_to(stdout);
			return BG_EXIT_OK;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'V':
			printf("bomgate %s\n", BOMGATE_VERSION);
			return BG_EXIT_OK;
		default:
			usage();
			return BG_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* subcommands run getopt_long afresh */
	ret = cmd_select(cmds, argc, argv, usage);
	if (ret >= BG_EXIT_USAGE && !cli_json_answered && wants_json(argc, argv))
		json_error(argv[0], ret);
	return ret;
}
