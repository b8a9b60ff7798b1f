// SPDX-License-Identifier: GPL-2.0
/*
 * The bound for bomgate sbom scan: SHA-256 throughput of one core through
 * OpenSSL's EVP interface, the way lib/scan.c hashes (256 KiB updates of
 * a buffer in cache, one digest per 64 MiB "file").
 *
 *   sha256_bound [SECONDS]    prints "bytes seconds MB/s"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#define CHUNK	(256 * 1024)
#define PER_MD	256		/* updates per digest: 64 MiB */

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned long long bytes = 0;
	unsigned int len, i;
	EVP_MD_CTX *ctx;
	char *buf;

	buf = malloc(CHUNK);
	ctx = EVP_MD_CTX_new();
	if (!buf || !ctx)
		return 1;
	memset(buf, 0x5a, CHUNK);
	t0 = now_sec();
	do {
		if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
			return 1;
		for (i = 0; i < PER_MD; i++)
			if (EVP_DigestUpdate(ctx, buf, CHUNK) != 1)
				return 1;
		if (EVP_DigestFinal_ex(ctx, md, &len) != 1)
			return 1;
		bytes += (unsigned long long)PER_MD * CHUNK;
		t = now_sec() - t0;
	} while (t < secs);
	printf("%llu %.3f %.1f\n", bytes, t, bytes / 1e6 / t);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return 0;
}
