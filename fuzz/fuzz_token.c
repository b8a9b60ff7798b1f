// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for step-down tokens (lib/token.c). A token is
 * canonical: an accepted one formats back to exactly its bytes, and its
 * window is at most TOKEN_MAX_VALID; a refused one says where.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], buf[TOKEN_MAX_LEN + 1];
	struct token t;
	int n;

	err[0] = '\0';
	if (token_parse(data, size, &t, err, sizeof(err))) {
		if (strncmp(err, "line ", 5) && strncmp(err, "byte ", 5) &&
		    !strstr(err, "a token has at most"))
			abort();
		return 0;
	}
	n = token_format(&t, buf, sizeof(buf));
	if (n < 0 || (size_t)n != size || memcmp(buf, data, size))
		abort();
	if (t.not_after <= t.not_before ||
	    t.not_after - t.not_before > TOKEN_MAX_VALID)
		abort();
	return 0;
}
