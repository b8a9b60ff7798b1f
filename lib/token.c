// SPDX-License-Identifier: GPL-2.0
/* Step-down tokens (token.h): parsing, formatting, binding checks. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "token.h"
#include "vocab.h"

static const char *const fields[] = {
	"action", "machine-id", "seal-id", "serial", "generation",
	"not-before", "not-after",
};

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

int token_hex_parse(const char *s, __u8 id[TOKEN_ID_LEN])
{
	if (strlen(s) != 2 * TOKEN_ID_LEN)
		return -EINVAL;
	for (int i = 0; i < TOKEN_ID_LEN; i++) {
		unsigned int v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return -EINVAL;
		}
		id[i] = v;
	}
	return 0;
}

void token_hex(const __u8 id[TOKEN_ID_LEN], char out[2 * TOKEN_ID_LEN + 1])
{
	for (int i = 0; i < TOKEN_ID_LEN; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
}

/* A decimal number without sign, leading zeros or overflow. */
static int parse_u64(const char *s, __u64 *v)
{
	__u64 n = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return 0;
}

int token_action_parse(const char *s, struct token *t, char *err,
		       size_t errlen)
{
	char w[3][16];
	int n;

	t->cls = -1;
	if (!strcmp(s, "disable")) {
		t->action = TOKEN_DISABLE;
		return 0;
	}
	n = sscanf(s, "%15s %15s %15s", w[0], w[1], w[2]);
	if (n >= 2 && !strcmp(w[0], "mode")) {
		char again[64];

		t->action = TOKEN_MODE;
		t->mode = bg_mode_parse(w[1]);
		if (t->mode < 0) {
			snprintf(err, errlen, "unknown mode '%.16s' (audit, enforce, off)",
				 w[1]);
			return -EINVAL;
		}
		if (n == 3) {
			t->cls = bg_class_parse(w[2]);
			if (t->cls < 0) {
				snprintf(err, errlen, "unknown class '%.16s' (" BG_CLASS_CHOICES ")",
					 w[2]);
				return -EINVAL;
			}
		}
		/* exactly the canonical words, one space apart */
		token_action_text(t, again, sizeof(again));
		if (!strcmp(again, s))
			return 0;
	}
	snprintf(err, errlen, "action must be 'disable' or 'mode audit|enforce|off [CLASS]'");
	return -EINVAL;
}

void token_action_text(const struct token *t, char *buf, size_t len)
{
	if (t->action == TOKEN_DISABLE)
		snprintf(buf, len, "disable");
	else if (t->cls < 0)
		snprintf(buf, len, "mode %s", bg_mode_name(t->mode));
	else
		snprintf(buf, len, "mode %s %s", bg_mode_name(t->mode),
			 bg_class_name(t->cls));
}

static int field(struct token *t, int i, const char *v, char *err,
		 size_t errlen)
{
	__u64 n;

	switch (i) {
	case 0:
		return token_action_parse(v, t, err, errlen);
	case 1:
	case 2:
		if (!token_hex_parse(v, i == 1 ? t->machine_id : t->seal_id))
			return 0;
		snprintf(err, errlen, "32 lower-case hex digits expected");
		return -EINVAL;
	}
	if (parse_u64(v, &n)) {
		snprintf(err, errlen, "a decimal number expected");
		return -EINVAL;
	}
	if (i == 3)
		t->serial = n;
	else if (i == 4)
		t->generation = n;
	else if (n > INT64_MAX) {
		snprintf(err, errlen, "time out of range");
		return -EINVAL;
	} else if (i == 5)
		t->not_before = n;
	else
		t->not_after = n;
	return 0;
}

int token_parse(const void *buf, size_t len, struct token *t, char *err,
		size_t errlen)
{
	char s[TOKEN_MAX_LEN + 1], e[160], *line, *next;
	unsigned int nr = 0;

	memset(t, 0, sizeof(*t));
	if (len > TOKEN_MAX_LEN) {
		snprintf(err, errlen, "%zu bytes, a token has at most %d",
			 len, TOKEN_MAX_LEN);
		return -EINVAL;
	}
	memcpy(s, buf, len);
	s[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if ((c < 0x20 && c != '\n') || c > 0x7e) {
			snprintf(err, errlen, "byte 0x%02x at offset %zu: a token is printable ASCII",
				 c, i);
			return -EINVAL;
		}
	}
	if (!len || s[len - 1] != '\n') {
		snprintf(err, errlen, "line %u: the last line has no newline",
			 (unsigned int)NR_FIELDS + 1);
		return -EINVAL;
	}
	for (line = s; *line; line = next, nr++) {
		char *colon;

		next = strchr(line, '\n');
		*next++ = '\0';
		if (nr == 0) {
			if (strcmp(line, TOKEN_MAGIC)) {
				snprintf(err, errlen, "line 1: '%s' expected",
					 TOKEN_MAGIC);
				return -EINVAL;
			}
			continue;
		}
		if (nr > NR_FIELDS) {
			snprintf(err, errlen, "line %u: nothing may follow 'not-after'",
				 nr + 1);
			return -EINVAL;
		}
		colon = strstr(line, ": ");
		if (!colon || (size_t)(colon - line) != strlen(fields[nr - 1]) ||
		    strncmp(line, fields[nr - 1], colon - line)) {
			snprintf(err, errlen, "line %u: '%s: ' expected",
				 nr + 1, fields[nr - 1]);
			return -EINVAL;
		}
		if (field(t, nr - 1, colon + 2, e, sizeof(e))) {
			snprintf(err, errlen, "line %u (%s): %s", nr + 1,
				 fields[nr - 1], e);
			return -EINVAL;
		}
	}
	if (nr != NR_FIELDS + 1) {
		snprintf(err, errlen, "line %u: '%s' is missing", nr + 1,
			 nr ? fields[nr - 1] : TOKEN_MAGIC);
		return -EINVAL;
	}
	if (t->not_after <= t->not_before ||
	    t->not_after - t->not_before > TOKEN_MAX_VALID) {
		snprintf(err, errlen, "line %u (not-after): must be after not-before, by at most %d s",
			 (unsigned int)NR_FIELDS + 1, TOKEN_MAX_VALID);
		return -EINVAL;
	}
	return 0;
}

int token_format(const struct token *t, char *buf, size_t len)
{
	char act[64], mid[33], sid[33];
	int n;

	token_action_text(t, act, sizeof(act));
	token_hex(t->machine_id, mid);
	token_hex(t->seal_id, sid);
	n = snprintf(buf, len, "%s\naction: %s\nmachine-id: %s\nseal-id: %s\n"
		     "serial: %llu\ngeneration: %llu\nnot-before: %lld\n"
		     "not-after: %lld\n", TOKEN_MAGIC, act, mid, sid,
		     (unsigned long long)t->serial,
		     (unsigned long long)t->generation,
		     (long long)t->not_before, (long long)t->not_after);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int token_check(const struct token *t, const struct token_bind *b,
		char *err, size_t errlen)
{
	char want[33], got[33];

	if (memcmp(t->machine_id, b->machine_id, TOKEN_ID_LEN)) {
		token_hex(t->machine_id, got);
		token_hex(b->machine_id, want);
		snprintf(err, errlen, "token for machine %s, this is %s", got,
			 want);
		return -EPERM;
	}
	if (memcmp(t->seal_id, b->seal_id, TOKEN_ID_LEN)) {
		token_hex(t->seal_id, got);
		token_hex(b->seal_id, want);
		snprintf(err, errlen, "token for seal %s, the seal in the kernel is %s",
			 got, want);
		return -EPERM;
	}
	if (t->generation != b->generation) {
		snprintf(err, errlen, "token for policy generation %llu, %llu is in force",
			 (unsigned long long)t->generation,
			 (unsigned long long)b->generation);
		return -EPERM;
	}
	if (t->serial <= b->last_serial) {
		snprintf(err, errlen, "token serial %llu was used already (the last used is %llu)",
			 (unsigned long long)t->serial,
			 (unsigned long long)b->last_serial);
		return -ESTALE;
	}
	if (b->now + TOKEN_SKEW < t->not_before) {
		snprintf(err, errlen, "token not valid before %lld, now is %lld",
			 (long long)t->not_before, (long long)b->now);
		return -ETIME;
	}
	if (b->now - TOKEN_SKEW > t->not_after) {
		snprintf(err, errlen, "token expired at %lld, now is %lld",
			 (long long)t->not_after, (long long)b->now);
		return -ETIME;
	}
	return 0;
}

int token_machine_id(const char *path, __u8 id[TOKEN_ID_LEN])
{
	char buf[2 * TOKEN_ID_LEN + 2];
	ssize_t n;
	int fd, ret;

	fd = open(path ? path : "/etc/machine-id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	ret = -errno;
	close(fd);
	if (n < 0)
		return ret;
	buf[n] = '\0';
	if (n == 2 * TOKEN_ID_LEN + 1 && buf[2 * TOKEN_ID_LEN] == '\n')
		buf[2 * TOKEN_ID_LEN] = '\0';
	return token_hex_parse(buf, id);
}
