/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOMGATE_CLI_H
#define BOMGATE_CLI_H

#include <stddef.h>

#include "exitcode.h"

/* One subcommand: argv[0] is the subcommand's own name. Returns a bg_exit. */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

/* Exact-match dispatch over a NULL-terminated table; prints @usage_fn's
 * output and returns BG_EXIT_USAGE on an unknown name. */
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       void (*usage_fn)(void));

struct policy_open_result;
/* The exit code for a failed policy__open_verified() (errno @err). */
int policy_open_exit(const struct policy_open_result *r, int err);

/* Subcommands, one family per file. */
int do_doctor(int argc, char **argv);		/* cli/doctor.c */
int do_compile(int argc, char **argv);		/* cli/compile.c */
int do_inspect(int argc, char **argv);		/* cli/inspect.c */
int do_diff(int argc, char **argv);		/* cli/inspect.c */
int do_key(int argc, char **argv);		/* cli/sign.c */
int do_sign(int argc, char **argv);		/* cli/sign.c */
int do_verify(int argc, char **argv);		/* cli/sign.c */
int do_hash(int argc, char **argv);		/* cli/check.c */
int do_check(int argc, char **argv);		/* cli/check.c */
int do_status(int argc, char **argv);		/* cli/control.c */
int do_mode(int argc, char **argv);		/* cli/control.c */
int do_reload(int argc, char **argv);		/* cli/control.c */
int do_disable(int argc, char **argv);		/* cli/control.c */
int do_events(int argc, char **argv);		/* cli/control.c */
int do_coverage(int argc, char **argv);		/* cli/control.c */
int do_sbom(int argc, char **argv);		/* cli/sbom.c */
int do_apt(int argc, char **argv);		/* cli/apt.c */

int do_token(int argc, char **argv);		/* cli/token.c */
int do_report(int argc, char **argv);		/* cli/report.c */

/* A key's passphrase from --passphrase-file FILE (its first line) or
 * --passphrase-env VAR into @buf (cli/sign.c). A bg_exit. */
int cli_passphrase(const char *file, const char *env, char *buf,
		   size_t len);

/* The signer options of sign and token create (cli/sign.c): -k/--key,
 * -c/--cert (as many of each), -P/--passphrase-file, -E/--passphrase-env. */
#define CLI_SIGNERS_MAX		32	/* SIGN_MAX_SIGNERS */
#define CLI_SIGNER_OPTS \
	{ "key", required_argument, NULL, 'k' }, \
	{ "cert", required_argument, NULL, 'c' }, \
	{ "passphrase-file", required_argument, NULL, 'P' }, \
	{ "passphrase-env", required_argument, NULL, 'E' }

struct sign_signer;
struct cli_signers {
	struct sign_signer *s;	/* CLI_SIGNERS_MAX of them */
	int nkeys, ncerts;
	const char *pass_file, *pass_env;
	char pass[1024];
};

/* Option @ch with @arg: 1 taken, 0 not a signer option, or -BG_EXIT_USAGE. */
int cli_signer_opt(struct cli_signers *cs, int ch, const char *arg);
/* After the options: as many certificates as keys, at least one, and the
 * passphrase read. A bg_exit; cli_signers_done() wipes the passphrase. */
int cli_signers_ready(struct cli_signers *cs, const char *cmd);
void cli_signers_done(struct cli_signers *cs);

/* Set by a command that printed its own JSON answer to a failure (verify):
 * main() then prints no bomgate.error/1 object after it. */
extern int cli_json_answered;

struct policy_component;
/* "name version <purl>" of a component, escaped (cli/inspect.c). */
void print_component_id(const struct policy_component *c);

#endif
