// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "sha256.h"

#define SHA256_CHUNK	(256 * 1024)

int sha256_buf(const void *buf, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int outlen = 0;

	if (EVP_Digest(buf, len, out, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != SHA256_LEN)
		return -EIO;
	return 0;
}

int sha256_fd(int fd, unsigned char out[SHA256_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *chunk = NULL;
	unsigned int outlen = 0;
	ssize_t n;
	int err = 0;

	chunk = malloc(SHA256_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (!chunk || !ctx) {
		err = -ENOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err = -EIO;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, SHA256_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, chunk, n) != 1) {
			err = -EIO;
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, out, &outlen) != 1 || outlen != SHA256_LEN)
		err = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	free(chunk);
	return err;
}

int sha256_file(const char *path, unsigned char out[SHA256_LEN])
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	err = sha256_fd(fd, out);
	close(fd);
	return err;
}

void sha256_hex(const unsigned char d[SHA256_LEN], char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sha256_parse_hex(const char *s, size_t len, unsigned char out[SHA256_LEN])
{
	int i, hi, lo;

	if (len != SHA256_HEX_LEN)
		return -EINVAL;
	for (i = 0; i < SHA256_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}
