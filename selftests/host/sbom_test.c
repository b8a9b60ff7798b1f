// SPDX-License-Identifier: GPL-2.0
/*
 * SBOM readers: the third-party corpora (EXPECTATIONS.tsv and the CycloneDX
 * XML test resources) and small inline documents for each format.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "sbom.h"
#include "sbom_priv.h"

#define MAX_DIGESTS 8

struct got {
	unsigned long ndigests;
	struct {
		unsigned char sha256[32];
		int file_level;
		char name[64], version[32], purl[128], supplier[64], ref[64];
		unsigned long line;
	} d[MAX_DIGESTS];
	unsigned long nproblems;
	char problem[256];	/* the last one */
	int stop_after;		/* return -ECANCELED after that many */
	/* corpus mode: every digest must appear in the document */
	struct hexset *hex;
	unsigned long not_in_text;
};

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

/* Every maximal run of exactly 64 hex digits in a document, decoded and
 * sorted: a reported digest must be one of them. */
struct hexset {
	unsigned char (*v)[32];
	size_t n;
};

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void hexset_build(struct hexset *h, const char *t, size_t len)
{
	size_t i = 0, j, k;

	h->n = 0;
	h->v = malloc((len / 64 + 1) * 32);
	while (h->v && i < len) {
		for (j = i; j < len && hexval((unsigned char)t[j]) >= 0; j++)
			;
		if (j - i == 64) {
			for (k = 0; k < 32; k++)
				h->v[h->n][k] = hexval(t[i + 2 * k]) << 4 |
						hexval(t[i + 2 * k + 1]);
			h->n++;
		}
		i = j + 1;
	}
	if (h->v)
		qsort(h->v, h->n, 32, cmp32);
}

static int on_digest(void *ctx, const struct sbom_digest *d)
{
	struct got *g = ctx;
	unsigned long i = g->ndigests++;

	if (g->hex && !bsearch(d->sha256, g->hex->v, g->hex->n, 32, cmp32))
		g->not_in_text++;
	if (i < MAX_DIGESTS) {
		memcpy(g->d[i].sha256, d->sha256, 32);
		g->d[i].file_level = d->file_level;
		g->d[i].line = d->line;
		copy(g->d[i].name, sizeof(g->d[i].name), d->comp->name);
		copy(g->d[i].version, sizeof(g->d[i].version), d->comp->version);
		copy(g->d[i].purl, sizeof(g->d[i].purl), d->comp->purl);
		copy(g->d[i].supplier, sizeof(g->d[i].supplier),
		     d->comp->supplier);
		copy(g->d[i].ref, sizeof(g->d[i].ref), d->comp->ref);
	}
	if (g->stop_after && g->ndigests >= (unsigned long)g->stop_after)
		return -ECANCELED;
	return 0;
}

static void on_problem(void *ctx, const struct sbom_problem *p)
{
	struct got *g = ctx;

	g->nproblems++;
	snprintf(g->problem, sizeof(g->problem), "%s:%lu: %s: %s", p->path,
		 p->line, p->field, p->msg);
}

static const struct sbom_ops ops = { on_digest, on_problem };

/* All file-level digests of a document, sorted, for set comparisons. */
struct dset {
	unsigned char (*v)[32];
	size_t n, cap;
	unsigned long pkg;	/* package-level ones, counted */
};

static int dset_add(struct dset *s, const unsigned char d[32])
{
	void *p;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		p = realloc(s->v, s->cap * 32);
		if (!p)
			return -ENOMEM;
		s->v = p;
	}
	memcpy(s->v[s->n++], d, 32);
	return 0;
}

static int on_set_digest(void *ctx, const struct sbom_digest *d)
{
	struct dset *s = ctx;

	if (!d->file_level) {
		s->pkg++;
		return 0;
	}
	return dset_add(s, d->sha256);
}

static const struct sbom_ops set_ops = { on_set_digest, NULL };

/*
 * The independent count: jq over the same file. SPDX 3 file-level SHA-256
 * are the verifiedUsing entries of software_File elements whose algorithm
 * is sha256 and whose type is Hash (or absent) or PackageVerificationCode,
 * with a 64-hex-digit value (docs/sbom-readers.md). Returns the number of
 * hashes read, -1 when jq cannot be run.
 */
static const char jq_spdx3_files[] =
	"[.[\"@graph\"][] | select(.type == \"software_File\") |"
	" .verifiedUsing[]? | select(.algorithm == \"sha256\" and"
	" ((.type // \"Hash\") == \"Hash\" or"
	" .type == \"PackageVerificationCode\")) | .hashValue |"
	" select(test(\"^[0-9a-fA-F]{64}$\"))] | .[]";
static const char jq_spdx3_pkgs[] =
	"[.[\"@graph\"][] | select(.type == \"software_Package\") |"
	" .verifiedUsing[]? | select(.algorithm == \"sha256\" and"
	" (.type // \"Hash\") == \"Hash\") | .hashValue |"
	" select(test(\"^[0-9a-fA-F]{64}$\"))] | .[]";

static long jq_set(const char *filter, const char *path, struct dset *s)
{
	char cmd[8192], line[256];
	unsigned char d[32];
	long n = 0;
	FILE *f;
	int k;

	snprintf(cmd, sizeof(cmd), "jq -r '%s' '%s' 2>/dev/null", filter, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		for (k = 0; k < 32; k++)
			d[k] = hexval((unsigned char)line[2 * k]) << 4 |
			       hexval((unsigned char)line[2 * k + 1]);
		if (s && dset_add(s, d))
			break;
		n++;
	}
	if (pclose(f))
		return -1;
	if (s && s->n)	/* qsort(NULL, 0) is undefined (UBSan says so) */
		qsort(s->v, s->n, 32, cmp32);
	return n;
}

static int have_jq(void)
{
	return !system("jq --version >/dev/null 2>&1");
}

static int read_mem(const void *doc, size_t len, enum sbom_format fmt,
		    struct got *g, struct sbom_stats *st, char *err,
		    size_t errlen)
{
	int fd, ret;

	fd = memfd_create("sbom", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, doc, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return -EIO;
	}
	ret = sbom_read_fd(fd, "mem", fmt, &ops, g, st, err, errlen);
	close(fd);
	return ret;
}

#define READ(doc, fmt) \
	read_mem(doc, strlen(doc), fmt, &g, &st, err, sizeof(err))

static char *slurp(const char *path, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &sb) && (buf = malloc(sb.st_size + 1)) &&
	    read(fd, buf, sb.st_size) == sb.st_size) {
		buf[sb.st_size] = '\0';
		*len = sb.st_size;
	} else {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

static const char *corpora(void)
{
	const char *dir = getenv("BOMGATE_CORPORA");
	struct stat sb;

	if (!dir)
		dir = "../shared/corpora";
	return stat(dir, &sb) ? NULL : dir;
}

/* ---- corpora -------------------------------------------------------- */

static int split_tsv(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, '\t'))) {
		*line++ = '\0';
		f[n++] = line;
	}
	line = strchr(f[n - 1], '\n');
	if (line)
		*line = '\0';
	return n;
}

TEST(corpora_expectations)
{
	unsigned long nvalid = 0, nreject = 0, nschema = 0, nother = 0;
	unsigned long nspdx3 = 0, nspdx3_digests = 0;
	char path[4096], err[1024], line[8192], *f[10];
	const char *dir = corpora();
	struct sbom_stats st;
	FILE *tsv;
	int ret;

	if (!dir)
		SKIP(return, "no corpora (set BOMGATE_CORPORA or provide ../shared/corpora)");
	snprintf(path, sizeof(path), "%s/EXPECTATIONS.tsv", dir);
	tsv = fopen(path, "r");
	ASSERT_NE(NULL, tsv) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_NE(NULL, fgets(line, sizeof(line), tsv));
	ASSERT_EQ(0, strncmp(line, "path\tformat\tversion\tupstream_expectation\tindependent_schema_check\tfile_level_sha256", 83))
		TH_LOG("EXPECTATIONS.tsv columns changed: %s", line);
	while (fgets(line, sizeof(line), tsv)) {
		struct got g = { 0 };
		struct hexset hs = { 0 };
		const char *exp;
		char *text = NULL;
		size_t textlen = 0;

		if (split_tsv(line, f, 10) < 8)
			continue;
		exp = f[3];
		snprintf(path, sizeof(path), "%s/%s", dir, f[0]);
		if (strcmp(f[7], "ok")) {
			/* UTF-16: the hex check below needs UTF-8 text */
		} else {
			text = slurp(path, &textlen);
			ASSERT_NE(NULL, text) TH_LOG("%s", path);
		}
		if (text) {
			hexset_build(&hs, text, textlen);
			g.hex = &hs;
		}
		ret = sbom_read(path, SBOM_FMT_AUTO, &ops, &g, &st, err,
				sizeof(err));
		EXPECT_EQ(0, g.not_in_text)
			TH_LOG("%s: a digest not in the document", f[0]);
		if (!strcmp(f[1], "spdx3-jsonld")) {
			/* read now: the digest set must be jq's */
			struct dset got = { 0 }, want = { 0 };

			nspdx3++;
			ret = sbom_read(path, SBOM_FMT_AUTO, &set_ops, &got,
					&st, err, sizeof(err));
			EXPECT_EQ(0, ret) TH_LOG("%s", err);
			EXPECT_EQ(SBOM_FMT_SPDX3_JSON, st.format) TH_LOG("%s", f[0]);
			/* without jq: read, not compared */
			if (jq_set(jq_spdx3_files, path, &want) < 0)
				want.n = got.n = 0;
			if (got.n)
				qsort(got.v, got.n, 32, cmp32);
			EXPECT_EQ(want.n, got.n) TH_LOG("%s", f[0]);
			if (want.n == got.n && got.n)
				EXPECT_EQ(0, memcmp(want.v, got.v, 32 * got.n))
					TH_LOG("%s: digest sets differ", f[0]);
			nspdx3_digests += got.n;
			free(got.v);
			free(want.v);
		} else if (!strncmp(exp, "valid", 5) || !strcmp(exp, "warning")) {
			nvalid++;
			EXPECT_EQ(0, ret) TH_LOG("%s", err);
			EXPECT_EQ(strtoul(f[5], NULL, 10), st.file_digests)
				TH_LOG("%s: file-level SHA-256", f[0]);
			EXPECT_EQ(st.file_digests + st.package_digests,
				  g.ndigests);
		} else if (!strncmp(exp, "invalid (", 9) ||
			   !strncmp(exp, "out-of-scope", 12)) {
			nreject++;
			EXPECT_EQ(-EINVAL, ret) TH_LOG("%s accepted", f[0]);
			EXPECT_EQ(0, strncmp(err, path, strlen(path)))
				TH_LOG("message does not name the file: %s",
				       err);
			EXPECT_LT(strlen(path) + 4, strlen(err));
		} else if (!strcmp(exp, "invalid") || !strcmp(exp, "excluded")) {
			nschema++;	/* only: no malformed digest (above) */
		} else {
			nother++;
			if (!ret)
				EXPECT_EQ(strtoul(f[5], NULL, 10),
					  st.file_digests) TH_LOG("%s", f[0]);
		}
		free(hs.v);
		free(text);
	}
	fclose(tsv);
	TH_LOG("valid %lu, rejected %lu, schema-invalid %lu, other %lu, SPDX 3 %lu (%lu file digests)",
	       nvalid, nreject, nschema, nother, nspdx3, nspdx3_digests);
	EXPECT_LT(300, nvalid);
	EXPECT_LT(5, nreject);	/* SPDX 3 (28 rows) is read now */
	EXPECT_LT(20, nspdx3);
}

/* CycloneDX XML test resources: valid-* read, no malformed digest, and
 * the same file-level count as the JSON twin where there is one. */
TEST(corpora_cyclonedx_xml)
{
	unsigned long nvalid = 0, ntwins = 0;
	const char *dir = corpora();
	char pat[4096], err[1024], twin[4096];
	struct sbom_stats st, stj;
	glob_t gl;
	size_t i;
	int ret;

	if (!dir)
		SKIP(return, "no corpora (set BOMGATE_CORPORA or provide ../shared/corpora)");
	snprintf(pat, sizeof(pat),
		 "%s/cyclonedx-specification/tools/src/test/resources/*/*.xml",
		 dir);
	if (glob(pat, 0, NULL, &gl))
		SKIP(return, "no CycloneDX XML test resources in %s", dir);
	for (i = 0; i < gl.gl_pathc; i++) {
		const char *p = gl.gl_pathv[i], *base = strrchr(p, '/') + 1;
		struct hexset hs = { 0 };
		struct got g = { .hex = &hs };
		size_t len;
		char *text;

		text = slurp(p, &len);
		ASSERT_NE(NULL, text) TH_LOG("%s", p);
		hexset_build(&hs, text, len);
		ret = sbom_read(p, SBOM_FMT_AUTO, &ops, &g, &st, err,
				sizeof(err));
		EXPECT_EQ(0, g.not_in_text) TH_LOG("%s", p);
		free(hs.v);
		free(text);
		if (strncmp(base, "valid-", 6))
			continue;
		nvalid++;
		EXPECT_EQ(0, ret) TH_LOG("%s", err);
		EXPECT_EQ(SBOM_FMT_CDX_XML, st.format);
		snprintf(twin, sizeof(twin), "%.*s.json",
			 (int)(strlen(p) - 4), p);
		if (access(twin, R_OK))
			continue;
		ret = sbom_read(twin, SBOM_FMT_AUTO, NULL, NULL, &stj, err,
				sizeof(err));
		if (ret)
			continue;
		ntwins++;
		EXPECT_EQ(stj.file_digests, st.file_digests) TH_LOG("%s", p);
	}
	globfree(&gl);
	TH_LOG("%lu valid XML documents, %lu with a JSON twin", nvalid, ntwins);
	EXPECT_LT(100, nvalid);
}

/* ---- CycloneDX JSON ------------------------------------------------- */

static const char cdx_nested[] =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\n"
	"\"metadata\":{\"component\":{\"type\":\"application\",\"name\":\"app\"}},\n"
	"\"components\":[{\"type\":\"library\",\"name\":\"libfoo\",\n"
	"  \"version\":\"1.2\",\"purl\":\"pkg:deb/debian/libfoo@1.2\",\n"
	"  \"supplier\":{\"name\":\"ACME\"},\n"
	"  \"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}],\n"
	"  \"components\":[{\"type\":\"library\",\"name\":\"inner\",\"components\":[\n"
	"    {\"hashes\":[{\"content\":\"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\",\"alg\":\"SHA-256\"},\n"
	"                {\"alg\":\"SHA-1\",\"content\":\"cccccccccccccccccccccccccccccccccccccccc\"}],\n"
	"     \"type\":\"file\",\"name\":\"/usr/lib/libfoo.so.1\",\"bom-ref\":\"f1\"}]}]},\n"
	" {\"type\":\"library\",\"name\":\"weak\",\"hashes\":[{\"alg\":\"MD5\",\"content\":\"dddddddddddddddddddddddddddddddd\"}]}]}\n";

TEST(cdx_json_nested)
{
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(cdx_nested, SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_CDX_JSON, st.format);
	EXPECT_STREQ("1.6", st.spec_version);
	ASSERT_EQ(2, g.ndigests);
	/* the innermost file ends first; its keys came after its hashes */
	EXPECT_EQ(1, g.d[0].file_level);
	EXPECT_STREQ("/usr/lib/libfoo.so.1", g.d[0].name);
	EXPECT_STREQ("f1", g.d[0].ref);
	EXPECT_EQ(0xbb, g.d[0].sha256[0]);
	EXPECT_EQ(0xbb, g.d[0].sha256[31]);
	EXPECT_EQ(8, g.d[0].line);
	EXPECT_EQ(0, g.d[1].file_level);
	EXPECT_STREQ("libfoo", g.d[1].name);
	EXPECT_STREQ("1.2", g.d[1].version);
	EXPECT_STREQ("pkg:deb/debian/libfoo@1.2", g.d[1].purl);
	EXPECT_STREQ("ACME", g.d[1].supplier);
	EXPECT_EQ(1, st.file_digests);
	EXPECT_EQ(1, st.package_digests);
	EXPECT_EQ(5, st.components);
	/* app and weak: libfoo and inner contain the file */
	EXPECT_EQ(2, st.components_without_file_digest);
	EXPECT_EQ(1, st.weak_hash_only);
	EXPECT_EQ(1, g.nproblems);
	EXPECT_NE(NULL, strstr(g.problem, "weak"));
	EXPECT_EQ(strlen(cdx_nested), st.bytes);
}

TEST(cdx_json_doc_sha256)
{
	unsigned char md[32];
	unsigned int mdlen;
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(cdx_nested, SBOM_FMT_CDX_JSON));
	ASSERT_EQ(1, EVP_Digest(cdx_nested, strlen(cdx_nested), md, &mdlen,
				EVP_sha256(), NULL));
	EXPECT_EQ(0, memcmp(md, st.doc_sha256, 32));
}

TEST(cdx_json_malformed_hex)
{
	static const char *const bad[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0000",
		"",
	};
	char doc[1024], err[256];
	struct sbom_stats st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct got g = { 0 };

		snprintf(doc, sizeof(doc),
			 "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
			 "\"components\":[{\"type\":\"file\",\"name\":\"x\","
			 "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%s\"}]}]}",
			 bad[i]);
		ASSERT_EQ(0, READ(doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
		EXPECT_EQ(0, g.ndigests) TH_LOG("accepted \"%s\"", bad[i]);
		EXPECT_LE(1, g.nproblems) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(1, st.components_without_file_digest);
	}
}

TEST(cdx_json_alg_spellings)
{
	static const struct {
		const char *alg;
		int counted;
	} algs[] = {
		{ "SHA-256", 1 }, { "sha-256", 1 }, { "SHA256", 1 },
		{ "SHA3-256", 0 }, { "SHA-512", 0 }, { "SHA-256 ", 0 },
		{ "SHA-256\\u0000x", 0 }, { "BLAKE2b-256", 0 },
	};
	char doc[1024], err[256];
	struct sbom_stats st;
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct got g = { 0 };

		snprintf(doc, sizeof(doc),
			 "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\","
			 "\"components\":[{\"type\":\"file\",\"name\":\"x\","
			 "\"hashes\":[{\"alg\":\"%s\",\"content\":"
			 "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}]}]}",
			 algs[i].alg);
		ASSERT_EQ(0, READ(doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
		EXPECT_EQ(algs[i].counted, g.ndigests) TH_LOG("%s", algs[i].alg);
	}
}

static void expect_reject(struct __test_metadata *_metadata, const char *doc,
			  size_t len, enum sbom_format fmt, const char *what)
{
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];
	int ret;

	ret = read_mem(doc, len, fmt, &g, &st, err, sizeof(err));
	EXPECT_EQ(-EINVAL, ret) TH_LOG("accepted: %.80s", doc);
	EXPECT_NE(NULL, strstr(err, what)) TH_LOG("message \"%s\", want \"%s\"",
						   err, what);
	EXPECT_EQ(0, strncmp(err, "mem", 3));
}

#define REJECT(doc, fmt, what) \
	expect_reject(_metadata, doc, sizeof(doc) - 1, fmt, what)

TEST(json_hostile)
{
	char *deep;
	int i;

	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":\"\xc3\x28\"}",
	       SBOM_FMT_AUTO, "UTF-8");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[",
	       SBOM_FMT_AUTO, "truncated");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"\0}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":"
	       "[{\"name\":\"a\",\"name\":\"b\"}]}", SBOM_FMT_AUTO, "duplicate");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"bomFormat\":\"CycloneDX\"}",
	       SBOM_FMT_AUTO, "duplicate");
	REJECT("[1,2]", SBOM_FMT_AUTO, "array");
	/* a lone value, with the format forced past detection */
	REJECT("\"CycloneDX\"", SBOM_FMT_CDX_JSON, "JSON string");
	REJECT("12", SBOM_FMT_SPDX_JSON, "JSON number");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"\f}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":01}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":-}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":tru}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":1.}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":\"a\tb\"}",
	       SBOM_FMT_AUTO, "control character");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"v\":1e5",
	       SBOM_FMT_AUTO, "truncated");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",/*c*/\"v\":1}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("{\"spdxVersion\":\"SPDX-2.3\"}", SBOM_FMT_CDX_JSON, "bomFormat");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"} {}",
	       SBOM_FMT_AUTO, "syntax");
	REJECT("", SBOM_FMT_AUTO, "empty");
	REJECT("{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}",
	       SBOM_FMT_AUTO, "SPDX 3");
	/* a number too large for any integer type is not an error */
	{
		struct got g = { 0 };
		struct sbom_stats st;
		char err[256];

		EXPECT_EQ(0, READ("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
				  "\"version\":123456789012345678901234567890}",
				  SBOM_FMT_AUTO)) TH_LOG("%s", err);
	}
	deep = malloc(100000);
	ASSERT_NE(NULL, deep);
	strcpy(deep, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":");
	i = strlen(deep);
	memset(deep + i, '[', 50000);
	deep[i + 50000] = '\0';
	expect_reject(_metadata, deep, strlen(deep), SBOM_FMT_AUTO, "deeper");
	free(deep);
}

/* A component name longer than SBOM_MAX_STRING is refused; a long string
 * the readers do not keep is fine up to SBOM_MAX_TOKEN. */
TEST(json_long_strings)
{
	size_t n = SBOM_MAX_STRING + 10, big = SBOM_MAX_TOKEN + 10;
	char *doc, err[256];
	struct got g = { 0 };
	struct sbom_stats st;
	int len;

	doc = malloc(big + 200);
	ASSERT_NE(NULL, doc);
	len = sprintf(doc, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
		      "\"components\":[{\"name\":\"");
	memset(doc + len, 'a', n);
	strcpy(doc + len + n, "\"}]}");
	ASSERT_EQ(-EINVAL, read_mem(doc, strlen(doc), SBOM_FMT_AUTO, &g, &st,
				    err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "longer than"));
	len = sprintf(doc, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
		      "\"description\":\"");
	memset(doc + len, 'a', n);
	strcpy(doc + len + n, "\"}");
	EXPECT_EQ(0, read_mem(doc, strlen(doc), SBOM_FMT_AUTO, &g, &st, err,
			      sizeof(err))) TH_LOG("%s", err);
	memset(doc + len, 'a', big);
	strcpy(doc + len + big, "\"}");
	ASSERT_EQ(-EINVAL, read_mem(doc, strlen(doc), SBOM_FMT_AUTO, &g, &st,
				    err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "token longer than"));
	/* escaped quotes do not end the string, also when the backslash is
	 * the last byte of a read chunk (pad 0 or 1 shifts the pairs) */
	for (int pad = 0; pad < 2; pad++) {
		size_t k;

		len = sprintf(doc, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
			      "\"description\":\"%s", pad ? "x" : "");
		for (k = 0; k < big / 2; k++)
			memcpy(doc + len + 2 * k, "\\\"", 2);
		strcpy(doc + len + 2 * k, "\"}");
		EXPECT_EQ(-EINVAL, read_mem(doc, strlen(doc), SBOM_FMT_AUTO,
					    &g, &st, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "token longer than"))
			TH_LOG("pad %d: %s", pad, err);
	}
	/* an escaped backslash before the closing quote does end it */
	EXPECT_EQ(0, READ("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
			  "\"description\":\"a\\\\\",\"components\":[{\"type\":\"file\","
			  "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":"
			  "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}]}]}",
			  SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(1, st.file_digests);
	free(doc);
}

/* Many components across several 256 KiB chunks: exact counts, line
 * numbers, and the digest callback can stop the reader. */
TEST(json_many_chunks)
{
	size_t cap = 4 << 20, len = 0;
	struct got g = { 0 };
	struct sbom_stats st;
	char *doc, err[256];
	int i, n = 10000;

	doc = malloc(cap);
	ASSERT_NE(NULL, doc);
	len += sprintf(doc, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\n\"components\":[\n");
	for (i = 0; i < n; i++)
		len += sprintf(doc + len,
			       "{\"type\":\"file\",\"name\":\"/bin/f%d\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064x\"}]}%s\n",
			       i, i, i + 1 < n ? "," : "");
	len += sprintf(doc + len, "]}\n");
	ASSERT_LT(3 * 256 * 1024, len);
	ASSERT_EQ(0, read_mem(doc, len, SBOM_FMT_AUTO, &g, &st, err,
			      sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(n, st.file_digests);
	EXPECT_EQ(n, st.components);
	EXPECT_EQ(0, st.components_without_file_digest);
	EXPECT_EQ(3, g.d[0].line);
	memset(&g, 0, sizeof(g));
	g.stop_after = 5;
	EXPECT_EQ(-ECANCELED, read_mem(doc, len, SBOM_FMT_AUTO, &g, &st, err,
				       sizeof(err)));
	EXPECT_EQ(5, g.ndigests);
	EXPECT_EQ(7, g.d[4].line);
	EXPECT_EQ(4, g.d[4].sha256[31]);
	free(doc);
}

/*
 * Every token of a component cut by the end of the first 256 KiB chunk, at
 * every byte: strings with escapes, surrogate pairs and multibyte UTF-8,
 * numbers, literals, keys. The same with both tokenizers (own and yajl),
 * and a bad byte sequence is refused wherever the cut falls.
 */
static const char split_comp[] =
	"{\"type\":\"file\",\"name\":\"caf\\u00e9 \\ud83d\\ude00 \xc3\xa9\\/\\\"x\",\r\n"
	"\"n\":[-12.5e+3,0,1E-2,true,false,null,{}],\"bom-ref\":\"r\\t1\","
	"\"hashes\":[{\"alg\":\"SHA-256\",\"content\":"
	"\"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\"}]}";

static char *split_doc(size_t shift, const char *comp, size_t *len)
{
	static const char head[] = "{\"bomFormat\":\"CycloneDX\","
		"\"specVersion\":\"1.6\",\"pad\":\"";
	static const char mid[] = "\",\"components\":[";
	size_t pad = SBOM_CHUNK - shift - (sizeof(head) - 1) - (sizeof(mid) - 1);
	char *doc = malloc(SBOM_CHUNK + strlen(comp) + 8);

	if (!doc)
		return NULL;
	memcpy(doc, head, sizeof(head) - 1);
	memset(doc + sizeof(head) - 1, 'p', pad);
	*len = sprintf(doc + sizeof(head) - 1 + pad, "%s%s]}", mid, comp) +
	       sizeof(head) - 1 + pad;
	return doc;
}

TEST(json_split_tokens)
{
	static const char bad[][12] = {
		"\xe2\x82x", "\\x", "\\u12g4", "\x01", "\xf8\x80",
	};
	size_t shift, len, n = strlen(split_comp);
	struct sbom_stats st;
	char *doc, err[256];
	int yajl, ret;

	for (yajl = 0; yajl < 2; yajl++) {
		sbom_json_use_yajl = yajl;
		for (shift = 0; shift <= n; shift++) {
			struct got g = { 0 };

			doc = split_doc(shift, split_comp, &len);
			ASSERT_NE(NULL, doc);
			ret = read_mem(doc, len, SBOM_FMT_AUTO, &g, &st, err,
				       sizeof(err));
			free(doc);
			ASSERT_EQ(0, ret) TH_LOG("yajl %d shift %zu: %s",
						 yajl, shift, err);
			ASSERT_EQ(1, g.ndigests);
			EXPECT_EQ(0xff, g.d[0].sha256[31]);
			EXPECT_EQ(1, g.d[0].file_level);
			EXPECT_STREQ("caf\xc3\xa9 \xf0\x9f\x98\x80 \xc3\xa9/\"x",
				     g.d[0].name) TH_LOG("shift %zu", shift);
			EXPECT_STREQ("r\t1", g.d[0].ref);
			EXPECT_EQ(2, g.d[0].line);
			EXPECT_EQ(0, st.problems) TH_LOG("%s", g.problem);
		}
	}
	sbom_json_use_yajl = 0;
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		char comp[64];
		size_t k = snprintf(comp, sizeof(comp), "{\"name\":\"%s\"}",
				    bad[b]);

		for (shift = 0; shift <= k; shift++) {
			struct got g = { 0 };

			doc = split_doc(shift, comp, &len);
			ASSERT_NE(NULL, doc);
			ret = read_mem(doc, len, SBOM_FMT_AUTO, &g, &st, err,
				       sizeof(err));
			free(doc);
			EXPECT_EQ(-EINVAL, ret) TH_LOG("bad %zu shift %zu", b,
						       shift);
			EXPECT_NE(NULL, strstr(err, "JSON syntax error"))
				TH_LOG("%s", err);
		}
	}
}

/* ---- SPDX JSON ------------------------------------------------------ */

TEST(spdx_json)
{
	static const char doc[] =
		"{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\n"
		"\"files\":[{\"checksums\":[{\"algorithm\":\"SHA1\",\"checksumValue\":\"d6a770ba38583ed4bb4525bd96e50461655d2758\"},\n"
		"   {\"algorithm\":\"SHA256\",\"checksumValue\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}],\n"
		"   \"fileName\":\"./bin/hello\",\"SPDXID\":\"SPDXRef-hello\"},\n"
		" {\"fileName\":\"./README\",\"SPDXID\":\"SPDXRef-readme\",\"checksums\":[{\"algorithm\":\"MD5\",\"checksumValue\":\"624c1abb3664f4b35547e7c73864ad24\"}]}],\n"
		"\"packages\":[{\"name\":\"hello\",\"SPDXID\":\"SPDXRef-pkg\",\"versionInfo\":\"1.0\",\n"
		"  \"supplier\":\"Organization: ACME\",\"hasFiles\":[\"SPDXRef-hello\"],\n"
		"  \"externalRefs\":[{\"referenceCategory\":\"SECURITY\",\"referenceType\":\"cpe23Type\",\"referenceLocator\":\"cpe:2.3:a:x\"},\n"
		"     {\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:generic/hello@1.0\"}],\n"
		"  \"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\"}]}]}\n";
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_SPDX_JSON, st.format);
	EXPECT_STREQ("SPDX-2.3", st.spec_version);
	ASSERT_EQ(2, g.ndigests);
	EXPECT_EQ(1, g.d[0].file_level);
	EXPECT_STREQ("./bin/hello", g.d[0].name);
	EXPECT_STREQ("SPDXRef-hello", g.d[0].ref);
	EXPECT_EQ(3, g.d[0].line);
	EXPECT_EQ(0x00, g.d[0].sha256[0]);
	EXPECT_EQ(0xff, g.d[0].sha256[31]);
	EXPECT_EQ(0, g.d[1].file_level);
	EXPECT_STREQ("hello", g.d[1].name);
	EXPECT_STREQ("1.0", g.d[1].version);
	EXPECT_STREQ("Organization: ACME", g.d[1].supplier);
	EXPECT_STREQ("pkg:generic/hello@1.0", g.d[1].purl);
	EXPECT_EQ(1, st.file_digests);
	EXPECT_EQ(1, st.package_digests);
	EXPECT_EQ(1, st.weak_hash_only);
	EXPECT_EQ(3, st.components);
	EXPECT_EQ(1, st.components_without_file_digest);	/* README */
	REJECT("{\"spdxVersion\":\"SPDX-3.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\"}",
	       SBOM_FMT_AUTO, "unsupported spdxVersion");
	REJECT("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}",
	       SBOM_FMT_SPDX_JSON, "spdxVersion");
}

/* ---- SPDX 3.0 JSON-LD ---------------------------------------------- */

#define S3DATA "selftests/data/spdx3/"

/* Real documents from three producers (selftests/data/spdx3/README.md):
 * the file-level set must be the one jq extracts, and so must the
 * package-level count. */
TEST(spdx3_producers)
{
	static const char *const docs[] = {
		S3DATA "spdx-examples-hello-src.spdx3.json",
		S3DATA "sbom-tool-4.0.3-excerpt.spdx.json",
		S3DATA "yocto-wrlinux-shadow-excerpt.spdx.json",
	};
	struct sbom_stats st;
	char err[512];
	size_t i;

	if (!have_jq())
		SKIP(return, "no jq for the independent count");
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct dset got = { 0 }, want = { 0 };
		long npkg;

		ASSERT_EQ(0, sbom_read(docs[i], SBOM_FMT_AUTO, &set_ops, &got,
				       &st, err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(SBOM_FMT_SPDX3_JSON, st.format);
		EXPECT_STREQ("SPDX-3.0.1", st.spec_version);
		ASSERT_LE(0, jq_set(jq_spdx3_files, docs[i], &want));
		npkg = jq_set(jq_spdx3_pkgs, docs[i], NULL);
		qsort(got.v, got.n, 32, cmp32);
		EXPECT_LT(0, want.n) TH_LOG("%s: no digest to compare", docs[i]);
		ASSERT_EQ(want.n, got.n) TH_LOG("%s", docs[i]);
		EXPECT_EQ(0, memcmp(want.v, got.v, 32 * got.n)) TH_LOG("%s", docs[i]);
		EXPECT_EQ(want.n, st.file_digests);
		EXPECT_EQ(npkg, got.pkg) TH_LOG("%s", docs[i]);
		EXPECT_EQ(0, st.problems) TH_LOG("%s", docs[i]);
		TH_LOG("%s: %zu file-level, %lu package-level SHA-256", docs[i],
		       got.n, got.pkg);
		free(got.v);
		free(want.v);
	}
}

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	     c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define S3CTX "\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\""

/* Types compact and as full IRIs, type last, hashes of each kind, and
 * files joined to their package whichever comes first. */
static const char s3_doc[] =
	"{" S3CTX ",\"@graph\":[\n"
	"{\"type\":\"CreationInfo\",\"@id\":\"_:c\",\"specVersion\":\"3.0.1\"},\n"
	/* contains before both: joined */
	"{\"type\":\"Relationship\",\"spdxId\":\"urn:r1\",\"relationshipType\":\"contains\",\n"
	" \"to\":[\"urn:f1\",\"urn:f2\"],\"from\":\"urn:p1\"},\n"
	"{\"spdxId\":\"urn:p1\",\"name\":\"hello\",\"software_packageVersion\":\"1.0\",\n"
	" \"externalIdentifier\":[{\"type\":\"ExternalIdentifier\",\"externalIdentifierType\":\"purl\",\"identifier\":\"pkg:generic/hello@1.0\"}],\n"
	" \"verifiedUsing\":[{\"type\":\"Hash\",\"algorithm\":\"sha256\",\"hashValue\":\"" H("a") "\"},\n"
	"   {\"type\":\"PackageVerificationCode\",\"algorithm\":\"sha1\",\"hashValue\":\"d6a770ba38583ed4bb4525bd96e50461655d2758\"}],\n"
	" \"type\":\"software_Package\"},\n"
	"{\"name\":\"/usr/bin/hello\",\"spdxId\":\"urn:f1\",\"verifiedUsing\":[\n"
	"  {\"type\":\"Hash\",\"algorithm\":\"sha1\",\"hashValue\":\"d6a770ba38583ed4bb4525bd96e50461655d2758\"},\n"
	"  {\"type\":\"Hash\",\"algorithm\":\"sha256\",\"hashValue\":\"" H("B") "\"},\n"
	"  {\"type\":\"software_ContentIdentifier\",\"algorithm\":\"sha256\",\"hashValue\":\"" H("c") "\"}],\n"
	" \"type\":\"software_File\"},\n"
	/* full IRIs, the algorithm as an IRI */
	"{\"type\":\"https://spdx.org/rdf/3.0.1/terms/Software/File\",\"spdxId\":\"urn:f2\",\"name\":\"/usr/lib/libhello.so\",\n"
	" \"verifiedUsing\":[{\"algorithm\":\"https://spdx.org/rdf/3.0.1/terms/Core/HashAlgorithm/sha256\",\"hashValue\":\"" H("d") "\"}]},\n"
	/* a file before the package and relationship that name it */
	"{\"type\":\"File\",\"spdxId\":\"urn:f3\",\"name\":\"/usr/bin/late\",\n"
	" \"verifiedUsing\":[{\"type\":\"PackageVerificationCode\",\"algorithm\":\"sha256\",\"hashValue\":\"" H("e") "\"}]},\n"
	"{\"type\":\"software_Package\",\"spdxId\":\"urn:p2\",\"name\":\"late\",\"software_packageUrl\":\"pkg:generic/late@2\"},\n"
	"{\"type\":\"Relationship\",\"relationshipType\":\"CONTAINS\",\"from\":\"urn:p2\",\"to\":[\"urn:f3\"]},\n"
	/* a package that contains nothing with a digest, a weak-only file,
	 * and a snippet with a SHA-256 (not a component) */
	"{\"type\":\"software_Package\",\"spdxId\":\"urn:p3\",\"name\":\"empty\"},\n"
	"{\"type\":\"software_File\",\"spdxId\":\"urn:f4\",\"name\":\"weak\",\n"
	" \"verifiedUsing\":[{\"type\":\"Hash\",\"algorithm\":\"md5\",\"hashValue\":\"624c1abb3664f4b35547e7c73864ad24\"}]},\n"
	"{\"type\":\"software_Snippet\",\"spdxId\":\"urn:s1\",\n"
	" \"verifiedUsing\":[{\"type\":\"Hash\",\"algorithm\":\"sha256\",\"hashValue\":\"" H("f") "\"}]}\n"
	"]}\n";

TEST(spdx3_elements)
{
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(s3_doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_SPDX3_JSON, st.format);
	EXPECT_STREQ("SPDX-3.0.1", st.spec_version);
	ASSERT_EQ(4, g.ndigests);
	/* the package: package-level, its purl from externalIdentifier */
	EXPECT_EQ(0, g.d[0].file_level);
	EXPECT_EQ(0xaa, g.d[0].sha256[0]);
	EXPECT_STREQ("hello", g.d[0].name);
	EXPECT_STREQ("1.0", g.d[0].version);
	EXPECT_STREQ("pkg:generic/hello@1.0", g.d[0].purl);
	EXPECT_EQ(1, g.d[1].file_level);
	EXPECT_EQ(0xbb, g.d[1].sha256[31]);
	EXPECT_STREQ("/usr/bin/hello", g.d[1].name);
	EXPECT_STREQ("urn:f1", g.d[1].ref);
	EXPECT_STREQ("1.0", g.d[1].version);
	EXPECT_STREQ("pkg:generic/hello@1.0", g.d[1].purl);
	EXPECT_EQ(12, g.d[1].line);
	EXPECT_EQ(1, g.d[2].file_level);
	EXPECT_EQ(0xdd, g.d[2].sha256[0]);
	EXPECT_STREQ("/usr/lib/libhello.so", g.d[2].name);
	EXPECT_STREQ("pkg:generic/hello@1.0", g.d[2].purl);
	/* before its package: no package identity */
	EXPECT_EQ(1, g.d[3].file_level);
	EXPECT_EQ(0xee, g.d[3].sha256[0]);
	EXPECT_STREQ("/usr/bin/late", g.d[3].name);
	EXPECT_STREQ("", g.d[3].purl);
	EXPECT_EQ(3, st.file_digests);
	EXPECT_EQ(1, st.package_digests);
	EXPECT_EQ(7, st.components);	/* 3 packages, 4 files */
	/* "empty" and the weak file; "late" contains f3 (known at the end) */
	EXPECT_EQ(2, st.components_without_file_digest);
	EXPECT_EQ(1, st.weak_hash_only);
}

TEST(spdx3_refused_variants)
{
	REJECT("{\"@context\":\"https://spdx.org/rdf/3.1/spdx-context.jsonld\",\"@graph\":[]}",
	       SBOM_FMT_AUTO, "SPDX 3.1 JSON-LD");
	REJECT("{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\"type\":\"SpdxDocument\"}",
	       SBOM_FMT_AUTO, "without an \"@graph\"");
	REJECT("{\"@context\":{\"spdx\":\"https://spdx.org/rdf/3.0.1/terms/\"},\"@graph\":[]}",
	       SBOM_FMT_AUTO, "inline \"@context\"");
	REJECT("{\"@context\":\"http://spdx.org/rdf/terms\",\"@graph\":[]}",
	       SBOM_FMT_AUTO, "SPDX 2 JSON-LD");
	REJECT("{\"@graph\":[{\"@type\":\"https://spdx.org/rdf/3.0.1/terms/Software/File\"}]}",
	       SBOM_FMT_AUTO, "without \"@context\"");
	REJECT("[{\"@id\":\"urn:a\",\"@type\":[\"https://spdx.org/rdf/3.0.1/terms/Software/File\"]}]",
	       SBOM_FMT_AUTO, "JSON-LD");
	REJECT("{\"spdxVersion\":\"SPDX-3.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\"}",
	       SBOM_FMT_AUTO, "SPDX 3 is JSON-LD");
	REJECT("SPDXVersion: SPDX-3.0\n", SBOM_FMT_AUTO, "SPDX 3 has no tag-value");
	/* forced to SPDX 2 JSON, an SPDX 3 document says what it is */
	REJECT("{" S3CTX ",\"@graph\":[]}", SBOM_FMT_SPDX_JSON, "SPDX 3");
	/* an element's keys twice */
	REJECT("{" S3CTX ",\"@graph\":[{\"type\":\"software_File\",\"type\":\"software_Package\"}]}",
	       SBOM_FMT_AUTO, "duplicate key \"type\"");
}

/* Hostile and truncated SPDX 3: refused, with the document name and the
 * byte (minified JSON has one line). */
TEST(spdx3_truncated_and_minified)
{
	size_t len, cut;
	struct sbom_stats st;
	char *doc, err[512];
	unsigned long n = 0;

	doc = slurp(S3DATA "yocto-wrlinux-shadow-excerpt.spdx.json", &len);
	ASSERT_NE(NULL, doc);
	for (cut = 1; cut + 2 < len; cut += 499) {
		struct got g = { 0 };

		EXPECT_EQ(-EINVAL, read_mem(doc, cut, SBOM_FMT_AUTO, &g, &st,
					    err, sizeof(err))) TH_LOG("cut %zu", cut);
		EXPECT_EQ(0, strncmp(err, "mem:", 4)) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "byte")) TH_LOG("cut %zu: %s", cut, err);
		n++;
	}
	free(doc);
	TH_LOG("%lu truncations refused", n);
	/* minified: errors name the byte */
	{
		static const char bad[] = "{" S3CTX ",\"@graph\":[{\"type\":\"software_File\",\"name\":\"a\",\"name\":\"b\"}]}";
		static const char syn[] = "{" S3CTX ",\"@graph\":[{\"type\":\"software_File\",,}]}";
		struct got g = { 0 };
		char want[64];

		EXPECT_EQ(-EINVAL, READ(bad, SBOM_FMT_AUTO));
		/* where the second "name" key ends */
		snprintf(want, sizeof(want), "near byte %zu",
			 strstr(bad, "\"name\":\"b\"") - bad + 6);
		EXPECT_NE(NULL, strstr(err, want)) TH_LOG("%s (want %s)", err, want);
		EXPECT_EQ(0, strncmp(err, "mem:1: ", 7)) TH_LOG("%s", err);
		EXPECT_EQ(-EINVAL, READ(syn, SBOM_FMT_AUTO));
		EXPECT_NE(NULL, strstr(err, "JSON syntax error near byte")) TH_LOG("%s", err);
	}
}

/* Every token of an SPDX 3 file element cut by the end of the first read
 * chunk, with both tokenizers. */
TEST(spdx3_split_tokens)
{
	static const char elem[] =
		"{\"type\":\"software_File\",\"spdxId\":\"urn:x\",\"name\":\"caf\\u00e9\","
		"\"verifiedUsing\":[{\"type\":\"Hash\",\"algorithm\":\"sha256\",\"hashValue\":\""
		H("7") "\"}]}";
	static const char head[] = "{" S3CTX ",\"pad\":\"";
	static const char mid[] = "\",\"@graph\":[";
	size_t shift, len, n = strlen(elem);
	struct sbom_stats st;
	char *doc, err[256];
	int yajl;

	doc = malloc(SBOM_CHUNK + n + 16);
	ASSERT_NE(NULL, doc);
	for (yajl = 0; yajl < 2; yajl++) {
		sbom_json_use_yajl = yajl;
		for (shift = 0; shift <= n; shift++) {
			size_t pad = SBOM_CHUNK - shift - (sizeof(head) - 1) -
				     (sizeof(mid) - 1);
			struct got g = { 0 };

			memcpy(doc, head, sizeof(head) - 1);
			memset(doc + sizeof(head) - 1, 'p', pad);
			len = sizeof(head) - 1 + pad;
			len += sprintf(doc + len, "%s%s]}", mid, elem);
			ASSERT_EQ(0, read_mem(doc, len, SBOM_FMT_AUTO, &g, &st,
					      err, sizeof(err)))
				TH_LOG("yajl %d shift %zu: %s", yajl, shift, err);
			ASSERT_EQ(1, g.ndigests);
			EXPECT_EQ(1, g.d[0].file_level);
			EXPECT_EQ(0x77, g.d[0].sha256[31]);
			EXPECT_STREQ("caf\xc3\xa9", g.d[0].name);
		}
	}
	sbom_json_use_yajl = 0;
	free(doc);
}

/* Past the id bound: still read, every digest reported, one problem. */
TEST(spdx3_id_bound)
{
	size_t n = SBOM_SPDX3_MAX_IDS + 10, i, len = 0, cap = (n + 4) * 200;
	struct got g = { 0 };
	struct sbom_stats st;
	char *doc, err[256];

	doc = malloc(cap);
	ASSERT_NE(NULL, doc);
	len += sprintf(doc, "{" S3CTX ",\"@graph\":[\n"
		       "{\"type\":\"Relationship\",\"relationshipType\":\"contains\","
		       "\"from\":\"u:p\",\"to\":[\"u:0\"]},\n"
		       "{\"type\":\"software_Package\",\"spdxId\":\"u:p\","
		       "\"software_packageVersion\":\"7\"}");
	for (i = 0; i < n; i++)
		len += sprintf(doc + len, ",\n{\"type\":\"software_File\",\"spdxId\":\"u:%zu\","
			       "\"verifiedUsing\":[{\"algorithm\":\"sha256\",\"hashValue\":\"%064zx\"}]}",
			       i, i);
	len += sprintf(doc + len, "]}\n");
	ASSERT_LT(len, cap);
	ASSERT_EQ(0, read_mem(doc, len, SBOM_FMT_AUTO, &g, &st, err,
			      sizeof(err))) TH_LOG("%s", err);
	free(doc);
	EXPECT_EQ(n, st.file_digests);
	EXPECT_EQ(n, g.ndigests);
	EXPECT_STREQ("7", g.d[0].version);	/* joined before the bound */
	EXPECT_EQ(1, st.problems);
	EXPECT_NE(NULL, strstr(g.problem, "more than 262144 element ids"))
		TH_LOG("%s", g.problem);
	EXPECT_EQ(0, st.components_without_file_digest);
}

/* ---- refusals that name the format ------------------------------ */

TEST(refused_formats)
{
	static const unsigned char proto[] = {
		0x0a, 0x03, '1', '.', '5', 0x10, 0x01, 0x1a, 0x00,
	};

	REJECT("spdxVersion: SPDX-2.3\ndataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n",
	       SBOM_FMT_AUTO, "this is SPDX 2.3 YAML, not supported; convert it to SPDX JSON with pyspdxtools");
	REJECT("---\nSPDXID: SPDXRef-DOCUMENT\nname: x\nspdxVersion: \"SPDX-2.2\"\n",
	       SBOM_FMT_AUTO, "this is SPDX 2.2 YAML");
	REJECT("SPDXID: SPDXRef-DOCUMENT\nspdxVersion: 'SPDX-2.3'\n",
	       SBOM_FMT_SPDX_TV, "SPDX 2.3 YAML");
	REJECT("bomFormat: CycloneDX\nspecVersion: 1.5\n", SBOM_FMT_AUTO,
	       "CycloneDX YAML");
	REJECT("<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	       " xmlns:spdx=\"http://spdx.org/rdf/terms#\">\n<spdx:SpdxDocument/></rdf:RDF>\n",
	       SBOM_FMT_AUTO, "this is SPDX RDF/XML (rdf:RDF), not supported; convert it to SPDX JSON");
	REJECT("@prefix spdx: <https://spdx.org/rdf/3.0.1/terms/> .\n", SBOM_FMT_AUTO,
	       "RDF Turtle");
	expect_reject(_metadata, (const char *)proto, sizeof(proto),
		      SBOM_FMT_AUTO, "this is CycloneDX 1.5 protobuf, not supported; convert it to CycloneDX JSON");
}

/* Real SPDX YAML documents of the corpora (UTF-16 too) are refused by
 * name, not with a tag-value error. */
TEST(corpora_spdx_yaml)
{
	const char *dir = corpora();
	char pat[4096], err[512];
	struct sbom_stats st;
	unsigned long n = 0;
	glob_t gl;
	size_t i;

	if (!dir)
		SKIP(return, "no corpora (set BOMGATE_CORPORA or provide ../shared/corpora)");
	snprintf(pat, sizeof(pat), "%s/*/*/*.spdx.yaml", dir);
	if (glob(pat, 0, NULL, &gl))
		SKIP(return, "no SPDX YAML in %s", dir);
	for (i = 0; i < gl.gl_pathc; i++) {
		EXPECT_EQ(-EINVAL, sbom_read(gl.gl_pathv[i], SBOM_FMT_AUTO, NULL,
					     NULL, &st, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, " YAML, not supported; convert it to SPDX JSON"))
			TH_LOG("%s", err);
		EXPECT_EQ(0, strncmp(err, gl.gl_pathv[i], strlen(gl.gl_pathv[i])));
		n++;
	}
	globfree(&gl);
	TH_LOG("%lu SPDX YAML documents refused by name", n);
}

/* SPDX 2.1 carries the fields read from 2.2 the same way. */
TEST(spdx_2_1)
{
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ("SPDXVersion: SPDX-2.1\nFileName: ./a\n"
			  "FileChecksum: SHA256: " H("1") "\n", SBOM_FMT_AUTO))
		TH_LOG("%s", err);
	EXPECT_STREQ("SPDX-2.1", st.spec_version);
	EXPECT_EQ(1, st.file_digests);
	memset(&g, 0, sizeof(g));
	ASSERT_EQ(0, READ("{\"spdxVersion\":\"SPDX-2.1\",\"SPDXID\":\"SPDXRef-DOCUMENT\","
			  "\"files\":[{\"fileName\":\"./a\",\"checksums\":[{\"algorithm\":"
			  "\"SHA256\",\"checksumValue\":\"" H("2") "\"}]}]}",
			  SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_SPDX_JSON, st.format);
	EXPECT_EQ(1, st.file_digests);
	REJECT("SPDXVersion: SPDX-2.0\n", SBOM_FMT_AUTO, "SPDX-2.1 to SPDX-2.3");
}

/* ---- CycloneDX XML -------------------------------------------------- */

TEST(cdx_xml)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" xmlns:x=\"urn:other\" version=\"1\">\n"
		"<metadata><component type=\"application\"><name>app</name>\n"
		"  <hashes><hash alg=\"SHA-256\">1111111111111111111111111111111111111111111111111111111111111111</hash></hashes>\n"
		"</component></metadata>\n"
		"<components><component type=\"library\" bom-ref=\"lib\">\n"
		"  <supplier><name>ACME</name></supplier><name>libfoo</name><version>2.0</version>\n"
		"  <purl>pkg:deb/debian/libfoo@2.0</purl>\n"
		"  <components><component type=\"file\"><name>/usr/lib/libfoo.so</name><hashes>\n"
		"    <hash alg=\"SHA-256\">\n      2222222222222222222222222222222222222222222222222222222222222222\n    </hash>\n"
		"    <hash alg=\"SHA-256\">22222222222222222222222222222222222222222222222222222222222222</hash>\n"
		"  </hashes></component></components></component>\n"
		"  <x:component type=\"file\"><hashes><hash alg=\"SHA-256\">3333333333333333333333333333333333333333333333333333333333333333</hash></hashes></x:component>\n"
		"</components></bom>\n";
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_CDX_XML, st.format);
	EXPECT_STREQ("1.5", st.spec_version);
	ASSERT_EQ(2, g.ndigests);
	EXPECT_EQ(0, g.d[0].file_level);
	EXPECT_STREQ("app", g.d[0].name);
	EXPECT_EQ(1, g.d[1].file_level);
	EXPECT_STREQ("/usr/lib/libfoo.so", g.d[1].name);
	EXPECT_EQ(0x22, g.d[1].sha256[0]);
	EXPECT_EQ(10, g.d[1].line);
	EXPECT_EQ(1, g.nproblems);	/* the 62-digit one */
	EXPECT_EQ(3, st.components);
	EXPECT_EQ(1, st.components_without_file_digest);	/* app */
	REJECT("<?xml version=\"1.0\"?>\n<!DOCTYPE bom [<!ENTITY a \"aaaa\">]>\n"
	       "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>",
	       SBOM_FMT_AUTO, "DOCTYPE");
	REJECT("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components>",
	       SBOM_FMT_AUTO, "XML error");
	REJECT("<bom xmlns=\"http://cyclonedx.org/schema/bom/2.0\"/>",
	       SBOM_FMT_AUTO, "namespace");
	REJECT("<html/>", SBOM_FMT_AUTO, "not a CycloneDX");
	REJECT("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\0</bom>",
	       SBOM_FMT_AUTO, "XML error");
	REJECT("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><a>\xff</a></bom>",
	       SBOM_FMT_AUTO, "XML error");
}

/* ---- SPDX tag-value ------------------------------------------------- */

static const char tv_doc[] =
	"SPDXVersion: SPDX-2.3\r\n"
	"DataLicense: CC0-1.0\r\n"
	"DocumentComment: <text>FileChecksum: SHA256: 4444444444444444444444444444444444444444444444444444444444444444\r\n"
	"FileName: fake\r\n"
	"</text>\r\n"
	"\r\n"
	"PackageName: hello\r\n"
	"SPDXID: SPDXRef-pkg\r\n"
	"PackageVersion: 1.0\r\n"
	"PackageSupplier: Organization: ACME\r\n"
	"ExternalRef: PACKAGE-MANAGER purl pkg:generic/hello@1.0\r\n"
	"PackageChecksum: SHA256: 5555555555555555555555555555555555555555555555555555555555555555\r\n"
	"\r\n"
	"FileName: ./bin/hello\r\n"
	"SPDXID: SPDXRef-hello\r\n"
	"FileChecksum: SHA1: d6a770ba38583ed4bb4525bd96e50461655d2758\r\n"
	"FileChecksum: SHA256: 6666666666666666666666666666666666666666666666666666666666666666\r\n"
	"FileName: ./lib/weak.so\r\n"
	"FileChecksum: MD5: 624c1abb3664f4b35547e7c73864ad24\r\n"
	"SnippetSPDXID: SPDXRef-snip\r\n"
	"SPDXID: SPDXRef-ignored\r\n";

TEST(spdx_tv)
{
	struct got g = { 0 };
	struct sbom_stats st;
	char err[256];

	ASSERT_EQ(0, READ(tv_doc, SBOM_FMT_AUTO)) TH_LOG("%s", err);
	EXPECT_EQ(SBOM_FMT_SPDX_TV, st.format);
	EXPECT_STREQ("SPDX-2.3", st.spec_version);
	ASSERT_EQ(2, g.ndigests);
	EXPECT_EQ(1, g.d[0].file_level);
	EXPECT_STREQ("./bin/hello", g.d[0].name);
	EXPECT_STREQ("SPDXRef-hello", g.d[0].ref);
	EXPECT_STREQ("1.0", g.d[0].version);
	EXPECT_STREQ("pkg:generic/hello@1.0", g.d[0].purl);
	EXPECT_EQ(17, g.d[0].line);
	EXPECT_EQ(0x66, g.d[0].sha256[0]);
	EXPECT_EQ(0, g.d[1].file_level);
	EXPECT_STREQ("hello", g.d[1].name);
	EXPECT_STREQ("Organization: ACME", g.d[1].supplier);
	EXPECT_EQ(1, st.file_digests);
	EXPECT_EQ(1, st.package_digests);
	EXPECT_EQ(1, st.weak_hash_only);
	EXPECT_EQ(3, st.components);
	EXPECT_EQ(1, st.components_without_file_digest);
}

TEST(spdx_tv_utf16)
{
	size_t n = strlen(tv_doc), i;
	unsigned char *le = malloc(2 * n + 2), *be = malloc(2 * n + 2);
	struct sbom_stats st;
	char err[256];

	ASSERT_NE(NULL, le);
	ASSERT_NE(NULL, be);
	le[0] = 0xff, le[1] = 0xfe, be[0] = 0xfe, be[1] = 0xff;
	for (i = 0; i < n; i++) {
		le[2 + 2 * i] = tv_doc[i], le[3 + 2 * i] = 0;
		be[2 + 2 * i] = 0, be[3 + 2 * i] = tv_doc[i];
	}
	{
		struct got g = { 0 };

		EXPECT_EQ(0, read_mem(le, 2 * n + 2, SBOM_FMT_AUTO, &g, &st,
				      err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(1, st.file_digests);
		EXPECT_EQ(2, g.ndigests);
	}
	{
		struct got g = { 0 };

		EXPECT_EQ(0, read_mem(be, 2 * n + 2, SBOM_FMT_AUTO, &g, &st,
				      err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(1, st.file_digests);
		EXPECT_STREQ("./bin/hello", g.d[0].name);
	}
	/* an unpaired surrogate, and an odd trailing byte */
	le[2] = 0x00, le[3] = 0xd8;
	expect_reject(_metadata, (char *)le, 2 * n + 2, SBOM_FMT_AUTO, "UTF-16");
	le[2] = 'S', le[3] = 0;
	expect_reject(_metadata, (char *)le, 2 * n + 1, SBOM_FMT_AUTO, "UTF-16");
	free(le);
	free(be);
}

TEST(spdx_tv_hostile)
{
	REJECT("SPDXVersion: SPDX-2.3\nFileName: a\0b\n", SBOM_FMT_AUTO, "NUL");
	REJECT("DataLicense: CC0-1.0\nSPDXVersion: SPDX-2.3\n", SBOM_FMT_AUTO,
	       "first tag");
	REJECT("\x7f" "ELF\x02\x01\x01", SBOM_FMT_AUTO, "not SPDX tag-value");
	REJECT("SPDXVersion: SPDX-2.3\nPackageComment: <text>never closed\n",
	       SBOM_FMT_AUTO, "truncated");
	REJECT("SPDXVersion: SPDX-3.0\n", SBOM_FMT_AUTO, "unsupported");
	REJECT("SPDXVersion: SPDX-2.3\nthis line has no tag\n", SBOM_FMT_AUTO,
	       "Tag: value");
	REJECT("{\"spdxVersion\":\"SPDX-2.3\"}", SBOM_FMT_SPDX_TV, "first tag");
}

TEST(format_names)
{
	enum sbom_format f;

	for (f = SBOM_FMT_AUTO; f <= SBOM_FMT_SPDX3_JSON; f++)
		EXPECT_EQ(f, sbom_format_parse(sbom_format_name(f)));
	EXPECT_EQ(SBOM_FMT_CDX_JSON, sbom_format_parse("cyclonedx"));
	EXPECT_EQ(SBOM_FMT_SPDX_JSON, sbom_format_parse("spdx"));
	EXPECT_EQ(SBOM_FMT_SPDX3_JSON, sbom_format_parse("spdx3"));
	EXPECT_EQ((enum sbom_format)-1, sbom_format_parse("CycloneDX-JSON"));
	EXPECT_STREQ("unknown", sbom_format_name((enum sbom_format)99));
}

TEST(read_errors)
{
	struct sbom_stats st;
	char err[256];

	EXPECT_EQ(-ENOENT, sbom_read("/nonexistent/sbom.json", SBOM_FMT_AUTO,
				     &ops, NULL, &st, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/nonexistent/sbom.json"));
	EXPECT_EQ(-EISDIR, sbom_read("/", SBOM_FMT_AUTO, &ops, NULL, &st, err,
				     sizeof(err)));
}

TEST_HARNESS_MAIN
