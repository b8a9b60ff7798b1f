/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Step-down tokens: what lets a sealed bomgated lower a mode or disable
 * enforcement. A token is a short text, signed like a policy (a detached
 * CMS by the sealed signers, M of N), and bound so that it works once, on
 * one machine, under one seal and one policy generation, for a few days:
 *
 *	bomgate-token/1
 *	action: disable | mode audit|enforce|off [CLASS]
 *	machine-id: 32 hex digits (/etc/machine-id)
 *	seal-id: 32 hex digits (drawn at seal time, held in the kernel)
 *	serial: N (greater than the last serial used under this seal)
 *	generation: N (the policy generation in force)
 *	not-before: UNIX seconds
 *	not-after: UNIX seconds (at most TOKEN_MAX_VALID after not-before)
 *
 * Every line is required, in this order, each once; nothing else is
 * allowed (docs/sealing.md).
 */
#ifndef BOMGATE_TOKEN_H
#define BOMGATE_TOKEN_H

#include <stddef.h>
#include <time.h>
#include <linux/types.h>

#define TOKEN_MAGIC		"bomgate-token/1"
#define TOKEN_MAX_LEN		1024
#define TOKEN_MAX_VALID		(7 * 24 * 3600)
#define TOKEN_SKEW		300	/* clock difference tolerated, s */
#define TOKEN_ID_LEN		16

enum token_action {
	TOKEN_DISABLE,
	TOKEN_MODE,
};

struct token {
	enum token_action action;
	int mode;		/* BG_MODE_* (TOKEN_MODE) */
	int cls;		/* BG_CLASS_*, -1: every class (TOKEN_MODE) */
	__u8 machine_id[TOKEN_ID_LEN];
	__u8 seal_id[TOKEN_ID_LEN];
	__u64 serial;
	__u64 generation;
	__s64 not_before, not_after;
};

/* Parse @len bytes; -EINVAL with @err naming the line and the problem. */
int token_parse(const void *buf, size_t len, struct token *t, char *err,
		size_t errlen);
/* The token's text; its length, or -ENOSPC. */
int token_format(const struct token *t, char *buf, size_t len);
/* The action as words: "disable", "mode audit", "mode off exec". */
void token_action_text(const struct token *t, char *buf, size_t len);
/* Parse the action words of @s (as token_action_text writes them). */
int token_action_parse(const char *s, struct token *t, char *err,
		       size_t errlen);

/* What a token must match to be used now. */
struct token_bind {
	__u8 machine_id[TOKEN_ID_LEN];
	__u8 seal_id[TOKEN_ID_LEN];
	__u64 last_serial;
	__u64 generation;
	time_t now;
};

/* 0 when @t is valid for @b; -EPERM (-ESTALE for a used serial,
 * -ETIME outside its window) with @err saying which binding failed. */
int token_check(const struct token *t, const struct token_bind *b,
		char *err, size_t errlen);

/* /etc/machine-id (or @path) as 16 bytes; 0 or -errno. */
int token_machine_id(const char *path, __u8 id[TOKEN_ID_LEN]);

/* 32 hex digits; 0 or -EINVAL. */
int token_hex_parse(const char *s, __u8 id[TOKEN_ID_LEN]);
void token_hex(const __u8 id[TOKEN_ID_LEN], char out[2 * TOKEN_ID_LEN + 1]);

#endif
