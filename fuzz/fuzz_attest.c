// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the attestation reader (lib/attest.c). The first
 * byte picks the entry point:
 *   even: the whole file path: sniffing, the envelope or bundle JSON, the
 *         base64 of payload and signatures, PAE and the signature check
 *         against a key made at start-up (no input can be signed by it, so
 *         attest_open() must never succeed);
 *   odd:  the in-toto statement of a payload taken as verified, and the
 *         predicate re-serialized for the SBOM readers: when it is
 *         accepted, the predicate must be a JSON object the JSON reader
 *         reads to the end or refuses, never crashes on.
 * Seeds: fuzz/seeds/fuzz_attest/ (cosign-made bundles and envelopes, and
 * their statements).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "attest.h"
#include "fileio.h"
#include "sbom.h"

static struct attest_key key;

static void init_key(void)
{
	EVP_PKEY_CTX *c;

	if (key.pkey)
		return;
	c = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	if (!c || EVP_PKEY_keygen_init(c) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(c, NID_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_keygen(c, (EVP_PKEY **)&key.pkey) != 1)
		abort();
	EVP_PKEY_CTX_free(c);
}

static int to_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_attest", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && fileio_write_all(fd, data, size))
		abort();
	if (lseek(fd, 0, SEEK_SET) < 0)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attest a;
	char err[1024], path[64];
	int fd, ret;

	if (!size)
		return 0;
	init_key();
	memset(&a, 0, sizeof(a));
	if (!(data[0] & 1)) {
		fd = to_memfd(data + 1, size - 1);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ret = attest_sniff(path);
		if (ret < 0)
			abort();
		ret = attest_open(path, &key, 1, &a, err, sizeof(err));
		if (!ret || !err[0])
			abort();	/* nothing the fuzzer makes is signed */
		if (a.predicate || a.subject_name)
			abort();	/* freed on failure */
		close(fd);
		return 0;
	}
	ret = attest_parse_statement("statement", data + 1, size - 1, &a, err,
				     sizeof(err));
	if (!ret) {
		struct sbom_stats st;

		if (!a.subject_name || !a.predicate_type || !a.predicate ||
		    a.predicate[0] != '{')
			abort();
		fd = to_memfd((const uint8_t *)a.predicate, a.predicate_len);
		ret = sbom_read_fd(fd, "predicate", a.format, NULL, NULL, &st,
				   err, sizeof(err));
		if (ret && ret != -EINVAL && ret != -ENOMEM)
			abort();
		close(fd);
	} else if (!err[0]) {
		abort();
	}
	attest_free(&a);
	return 0;
}
