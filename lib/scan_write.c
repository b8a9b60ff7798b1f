// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a scan as CycloneDX 1.5 JSON or SPDX 2.3 JSON. Files owned by a
 * Debian package come grouped under it (a CycloneDX parent component, an
 * SPDX package with hasFiles), sorted by package and path so two scans of
 * the same system differ only in their serial number and time stamp
 * (SOURCE_DATE_EPOCH fixes the latter). One file per line, so the line
 * numbers `bomgate check` prints lead to the file's entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "json.h"
#include "policy.h"
#include "scan.h"
#include "sha256.h"

#ifndef BOMGATE_VERSION
#define BOMGATE_VERSION "0"
#endif

struct doc {
	const struct scan *s;
	const struct scan_entry **items;	/* kept files, sorted */
	size_t n;
	char uuid[37];
	char time[32];
};

static int cmp_item(const void *a, const void *b, void *arg)
{
	const struct scan_entry *x = *(const struct scan_entry *const *)a;
	const struct scan_entry *y = *(const struct scan_entry *const *)b;
	const struct scan *s = arg;
	const struct scan_pkg *p, *q;
	int c;

	if (x->pkg != y->pkg) {
		if (x->pkg < 0 || y->pkg < 0)
			return x->pkg < 0 ? 1 : -1;	/* unowned last */
		p = scan__pkg(s, x->pkg);
		q = scan__pkg(s, y->pkg);
		c = strcmp(p->name, q->name);
		if (!c)
			c = strcmp(p->arch, q->arch);
		if (!c)
			c = x->pkg < y->pkg ? -1 : 1;
		return c;
	}
	return strcmp(x->path, y->path);
}

static int doc_init(struct doc *d, const struct scan *s)
{
	const struct scan_entry *e;
	unsigned char r[16];
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->s = s;
	d->items = malloc((scan__count(s) + 1) * sizeof(*d->items));
	if (!d->items)
		return -ENOMEM;
	for (i = 0; i < scan__count(s); i++) {
		e = scan__entry(s, i);
		/* --verify-dpkg: only what is as its package installed it */
		if (!e->dup && !e->err && e->kind != SCAN_KIND_NONE &&
		    e->verify <= SCAN_VERIFY_OK)
			d->items[d->n++] = e;
	}
	if (d->n)
		qsort_r(d->items, d->n, sizeof(*d->items), cmp_item, (void *)s);
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -errno;
	r[6] = (r[6] & 0x0f) | 0x40;	/* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(d->uuid, sizeof(d->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
		 r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
		 r[14], r[15]);
	gmtime_r(&t, &tm);
	strftime(d->time, sizeof(d->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* --- CycloneDX 1.5 --------------------------------------------------------- */

static void cdx_identity(FILE *f, const struct scan_pkg *p)
{
	fprintf(f, ", \"version\": ");
	json_escape(f, p->version);
	fprintf(f, ", \"purl\": ");
	json_escape(f, p->purl);
}

static void cdx_file(FILE *f, const struct doc *d, size_t i,
		     const struct scan_pkg *p)
{
	const struct scan_entry *e = d->items[i];
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(e->sha256, hex);
	fprintf(f, "%s{ \"type\": \"file\", \"bom-ref\": \"file-%zu\", "
		"\"name\": ", p ? "        " : "    ", i + 1);
	json_escape(f, e->path);
	if (p)
		cdx_identity(f, p);
	fprintf(f, ", \"hashes\": [ { \"alg\": \"SHA-256\", \"content\": "
		"\"%s\" } ], \"properties\": [ { \"name\": \"bomgate:kind\", "
		"\"value\": \"%s\" }", hex, scan_kind_name(e->kind));
	if (e->flags & SCAN_F_CONFFILE)
		fprintf(f, ", { \"name\": \"bomgate:deb\", \"value\": "
			"\"conffile\" }");
	if (e->flags & SCAN_F_MAINT)
		fprintf(f, ", { \"name\": \"bomgate:deb\", \"value\": "
			"\"maintainer-script\" }");
	if (e->verify == SCAN_VERIFY_OK)
		fprintf(f, ", { \"name\": \"bomgate:dpkg-md5\", \"value\": "
			"\"verified\" }");
	fprintf(f, " ] }");
}

static void cdx_package(FILE *f, const struct scan_pkg *p)
{
	fprintf(f, "    { \"type\": \"library\", \"bom-ref\": ");
	json_escape(f, p->purl);
	fprintf(f, ", \"name\": ");
	json_escape(f, p->name);
	cdx_identity(f, p);
	if (p->maintainer && *p->maintainer) {
		fprintf(f, ", \"supplier\": { \"name\": ");
		json_escape(f, p->maintainer);
		fprintf(f, " }");
	}
	if (p->source || p->deb_sha256) {
		fprintf(f, ", \"properties\": [ ");
		if (p->source) {
			fprintf(f, "{ \"name\": \"debian:source\", "
				"\"value\": ");
			json_escape(f, p->source);
			fprintf(f, " }%s", p->deb_sha256 ? ", " : "");
		}
		if (p->deb_sha256) {
			fprintf(f, "{ \"name\": \"bomgate:deb-sha256\", "
				"\"value\": ");
			json_escape(f, p->deb_sha256);
			fprintf(f, " }");
		}
		fprintf(f, " ]");
	}
	fprintf(f, ",\n      \"components\": [\n");
}

static void cdx_write(FILE *f, const struct doc *d)
{
	const struct scan_pkg *p = NULL;
	size_t i;
	int cur = -1;

	fprintf(f, "{\n  \"bomFormat\": \"CycloneDX\",\n"
		"  \"specVersion\": \"1.5\",\n"
		"  \"serialNumber\": \"urn:uuid:%s\",\n  \"version\": 1,\n"
		"  \"metadata\": {\n    \"timestamp\": \"%s\",\n"
		"    \"tools\": { \"components\": [ { \"type\": \"application\", "
		"\"name\": \"bomgate\", \"version\": \"%s\" } ] }\n  },\n"
		"  \"components\": [\n", d->uuid, d->time, BOMGATE_VERSION);
	for (i = 0; i < d->n; i++) {
		int pkg = d->items[i]->pkg;

		if (i && pkg != cur)
			fprintf(f, cur >= 0 ? "\n    ] },\n" : ",\n");
		else if (i)
			fprintf(f, ",\n");
		if (pkg != cur || !i) {
			p = scan__pkg(d->s, pkg);
			if (p)
				cdx_package(f, p);
			cur = pkg;
		}
		cdx_file(f, d, i, p);
	}
	if (d->n && cur >= 0)
		fprintf(f, "\n    ] }");
	fprintf(f, "\n  ]\n}\n");
}

/* --- SPDX 2.3 -------------------------------------------------------------- */

static int cmp_hex40(const void *a, const void *b)
{
	return memcmp(a, b, 40);
}

/* SPDX 2.3 section 7.9: SHA-1 over the sorted SHA-1s of the package's
 * files (here: the files of the package this document lists). */
static int spdx_verification(const struct doc *d, size_t from, size_t to,
			     char out[41])
{
	char *all;
	unsigned char md[32];
	size_t i, k;
	unsigned int len;
	EVP_MD_CTX *ctx;
	int err = -EIO;

	all = malloc((to - from) * 40 + 1);
	ctx = EVP_MD_CTX_new();
	if (!all || !ctx) {
		err = -ENOMEM;
		goto out;
	}
	for (i = from; i < to; i++)
		for (k = 0; k < 20; k++)
			sprintf(all + (i - from) * 40 + 2 * k, "%02x",
				d->items[i]->sha1[k]);
	qsort(all, to - from, 40, cmp_hex40);
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, all, (to - from) * 40) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &len) != 1)
		goto out;
	for (k = 0; k < 20; k++)
		sprintf(out + 2 * k, "%02x", md[k]);
	err = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(all);
	return err;
}

static int spdx_package(FILE *f, const struct doc *d, size_t from, size_t to,
			int first)
{
	const struct scan_pkg *p = scan__pkg(d->s, d->items[from]->pkg);
	char code[41];
	size_t i;
	int err;

	err = spdx_verification(d, from, to, code);
	if (err)
		return err;
	fprintf(f, "%s    { \"SPDXID\": \"SPDXRef-Package-%d\", \"name\": ",
		first ? "" : ",\n", d->items[from]->pkg + 1);
	json_escape(f, p->name);
	fprintf(f, ", \"versionInfo\": ");
	json_escape(f, p->version);
	if (p->maintainer && *p->maintainer) {
		char *sup = NULL;

		if (asprintf(&sup, "Person: %s", p->maintainer) < 0)
			return -ENOMEM;
		fprintf(f, ", \"supplier\": ");
		json_escape(f, sup);
		free(sup);
	}
	fprintf(f, ", \"downloadLocation\": \"NOASSERTION\", "
		"\"filesAnalyzed\": true, \"packageVerificationCode\": { "
		"\"packageVerificationCodeValue\": \"%s\" },\n"
		"      \"externalRefs\": [ { \"referenceCategory\": "
		"\"PACKAGE-MANAGER\", \"referenceType\": \"purl\", "
		"\"referenceLocator\": ", code);
	json_escape(f, p->purl);
	fprintf(f, " } ],\n      \"hasFiles\": [");
	for (i = from; i < to; i++)
		fprintf(f, "%s\"SPDXRef-File-%zu\"", i > from ? ", " : " ",
			i + 1);
	fprintf(f, " ] }");
	return 0;
}

static void spdx_file(FILE *f, const struct doc *d, size_t i)
{
	const struct scan_entry *e = d->items[i];
	char hex[SHA256_HEX_LEN + 1];
	int k;

	sha256_hex(e->sha256, hex);
	fprintf(f, "%s    { \"SPDXID\": \"SPDXRef-File-%zu\", \"fileName\": ",
		i ? ",\n" : "", i + 1);
	json_escape(f, e->path);
	fprintf(f, ", \"fileTypes\": [ \"%s\" ], \"checksums\": [ { "
		"\"algorithm\": \"SHA256\", \"checksumValue\": \"%s\" }, { "
		"\"algorithm\": \"SHA1\", \"checksumValue\": \"",
		e->kind == SCAN_KIND_SCRIPT ? "TEXT" :
		e->kind == SCAN_KIND_FILE ? "OTHER" :
		e->kind == SCAN_KIND_MODULE_Z ? "ARCHIVE" : "BINARY", hex);
	for (k = 0; k < 20; k++)
		fprintf(f, "%02x", e->sha1[k]);
	fprintf(f, "\" } ], \"comment\": \"%s\" }", scan_kind_name(e->kind));
}

static int spdx_write(FILE *f, const struct doc *d)
{
	size_t i, j;
	int err, first = 1;

	fprintf(f, "{\n  \"spdxVersion\": \"SPDX-2.3\",\n"
		"  \"dataLicense\": \"CC0-1.0\",\n"
		"  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n"
		"  \"name\": \"bomgate-sbom-scan\",\n"
		"  \"documentNamespace\": "
		"\"https://spdx.org/spdxdocs/bomgate-sbom-scan-%s\",\n"
		"  \"creationInfo\": { \"created\": \"%s\", \"creators\": [ "
		"\"Tool: bomgate-%s\" ] },\n  \"packages\": [\n",
		d->uuid, d->time, BOMGATE_VERSION);
	for (i = 0; i < d->n && d->items[i]->pkg >= 0; i = j) {
		for (j = i; j < d->n && d->items[j]->pkg == d->items[i]->pkg; j++)
			;
		err = spdx_package(f, d, i, j, first);
		if (err)
			return err;
		first = 0;
	}
	fprintf(f, "\n  ],\n  \"files\": [\n");
	for (i = 0; i < d->n; i++)
		spdx_file(f, d, i);
	fprintf(f, "\n  ],\n  \"relationships\": [\n");
	first = 1;
	for (i = 0; i < d->n; i++) {
		if (d->items[i]->pkg >= 0 && i &&
		    d->items[i - 1]->pkg == d->items[i]->pkg)
			continue;
		fprintf(f, "%s    { \"spdxElementId\": \"SPDXRef-DOCUMENT\", "
			"\"relationshipType\": \"DESCRIBES\", "
			"\"relatedSpdxElement\": ", first ? "" : ",\n");
		if (d->items[i]->pkg >= 0)
			fprintf(f, "\"SPDXRef-Package-%d\" }",
				d->items[i]->pkg + 1);
		else
			fprintf(f, "\"SPDXRef-File-%zu\" }", i + 1);
		first = 0;
	}
	fprintf(f, "\n  ]\n}\n");
	return 0;
}

/* --- output ---------------------------------------------------------------- */

int scan__write_stream(struct scan *s, enum scan_out fmt, FILE *f)
{
	struct doc d;
	int err;

	err = doc_init(&d, s);
	if (!err) {
		if (fmt == SCAN_OUT_SPDX)
			err = spdx_write(f, &d);
		else
			cdx_write(f, &d);
	}
	free(d.items);
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
	return err;
}

int scan__write(struct scan *s, enum scan_out fmt, const char *path,
		char *errbuf, size_t errlen)
{
	struct fileio_out o;
	FILE *f = NULL;
	int err, fd;

	if (!strcmp(path, "-")) {
		err = scan__write_stream(s, fmt, stdout);
		if (err)
			snprintf(errbuf, errlen, "stdout: %s", strerror(-err));
		return err;
	}
	err = fileio_out_open(&o, path, 0644, 0);
	if (err)
		goto out;
	fd = dup(o.fd);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
	} else {
		err = scan__write_stream(s, fmt, f);
		if (fclose(f) && !err)
			err = -errno;
	}
	err = fileio_out_close(&o, err);
out:
	if (err)
		snprintf(errbuf, errlen, "%s: %s", path, fileio_strerror(err));
	return err;
}
