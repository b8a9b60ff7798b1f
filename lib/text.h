/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOMGATE_TEXT_H
#define BOMGATE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Untrusted text on its way to a terminal: component names, versions and
 * purls from SBOMs, file names, certificate subjects, policy names.
 *
 * Printable ASCII and well-formed UTF-8 pass unchanged. Everything a
 * terminal could act on is shown as \xHH, one escape per byte: C0
 * controls (ESC, CR, BS, NUL...), DEL, C1 controls (U+0080..U+009F),
 * the bidirectional overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069, "Trojan Source"), and bytes that are not well-formed
 * UTF-8 (overlong forms, surrogates, beyond U+10FFFF, truncated
 * sequences). A backslash is shown as \\, so an escape in the output
 * always stands for a byte that was there. The --json outputs escape
 * through their JSON writer instead.
 */

/* Write @s escaped to @f. */
void text_fput(FILE *f, const char *s);

/* @s escaped into @buf (always terminated; cut short, whole escapes
 * only, when @len is too small). Returns @buf. */
char *text_escape(char *buf, size_t len, const char *s);

/* The escaped length of @s, without the terminating NUL. */
size_t text_escaped_len(const char *s);

#endif
