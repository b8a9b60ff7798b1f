/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 of buffers and files (OpenSSL EVP, streaming in fixed chunks),
 * and the hex form used in sha256sum output, policy sources and messages.
 */
#ifndef BOMGATE_SHA256_H
#define BOMGATE_SHA256_H

#include <stddef.h>

#define SHA256_LEN	32
#define SHA256_HEX_LEN	64

/* Returns 0 or -ENOMEM/-EIO (OpenSSL failure). */
int sha256_buf(const void *buf, size_t len, unsigned char out[SHA256_LEN]);
/* Reads @fd from its current offset to EOF. Returns 0 or -errno. */
int sha256_fd(int fd, unsigned char out[SHA256_LEN]);
/* Returns 0 or -errno (open/read failure). */
int sha256_file(const char *path, unsigned char out[SHA256_LEN]);

/* Lower-case hex, NUL-terminated (hex must hold 65 bytes). */
void sha256_hex(const unsigned char d[SHA256_LEN], char hex[SHA256_HEX_LEN + 1]);
/* Parses exactly 64 hex digits (either case) into @out; 0 or -EINVAL. */
int sha256_parse_hex(const char *s, size_t len, unsigned char out[SHA256_LEN]);

#endif
