// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the SBOM readers: the input goes through
 * sbom_read_fd() on a memfd, once with format detection and once forced
 * to each format (the first byte picks which), so every reader sees
 * every input shape. A digest must never be reported after a malformed
 * hash, and every reported digest must be 64 hex digits of the input.
 *
 * SPDX 3 JSON-LD goes through the same JSON reader (and is one of the
 * forced formats); fuzz/seeds/fuzz_sbom/ has SPDX 3 documents and the
 * formats refused by name.
 *
 * JSON is read twice, with the reader's own tokenizer and with yajl
 * (sbom_json_use_yajl): both must accept the same documents and report
 * the same digests and counts. The known differences: yajl takes a
 * vertical tab or form feed for whitespace, which JSON does not, and it
 * accepts bytes after the top-level value that never complete a token
 * (a string left open at the end: '{...}"'), which JSON does not either.
 *
 * The tokenizer alone is also given the input in one piece and in small
 * pieces (sizes taken from the input): a token cut anywhere must give the
 * same callbacks, with the same strings, and the same verdict.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbom.h"
#include "sbom_priv.h"

struct seen {
	unsigned long n;
	unsigned long long sum;	/* order-sensitive digest of the digests */
};

static int on_digest(void *ctx, const struct sbom_digest *d)
{
	if (!d->comp)
		abort();
	/* touch every string: ASan catches a dangling one */
	if (d->comp->name)
		(void)strlen(d->comp->name);
	if (d->comp->version)
		(void)strlen(d->comp->version);
	if (d->comp->purl)
		(void)strlen(d->comp->purl);
	if (d->comp->supplier)
		(void)strlen(d->comp->supplier);
	if (d->comp->type)
		(void)strlen(d->comp->type);
	if (d->comp->ref)
		(void)strlen(d->comp->ref);
	{
		struct seen *s = ctx;
		int i;

		s->n++;
		for (i = 0; i < 32; i++)
			s->sum = s->sum * 1099511628211ULL + d->sha256[i];
		s->sum = s->sum * 31 + d->file_level;
	}
	return 0;
}

static void on_problem(void *ctx, const struct sbom_problem *p)
{
	if (!p->msg || !p->field || !p->path)
		abort();
}

static const struct sbom_ops ops = { on_digest, on_problem };

static char last_err[256];	/* the message of the last read_once() */

static int read_once(int fd, const uint8_t *data, size_t size,
		     enum sbom_format fmt, struct seen *s, struct sbom_stats *st)
{
	char *err = last_err;
	size_t errlen = sizeof(last_err);
	int ret;

	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) ||
	    write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET))
		abort();
	memset(s, 0, sizeof(*s));
	ret = sbom_read_fd(fd, "fuzz", fmt, &ops, s, st, err, errlen);
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (ret == -EINVAL && strncmp(err, "fuzz", 4))
		abort();		/* every error names the document */
	if (!ret && s->n != st->file_digests + st->package_digests)
		abort();
	if (!ret && st->bytes != size)
		abort();
	return ret;
}

static void run(int fd, const uint8_t *data, size_t size,
		enum sbom_format fmt)
{
	struct sbom_stats st, sty;
	struct seen s, sy;
	int ret, rety, trailing;

	ret = read_once(fd, data, size, fmt, &s, &st);
	trailing = ret == -EINVAL &&
		   strstr(last_err, "nothing after the end of the JSON value");
	if (fmt != SBOM_FMT_AUTO && fmt != SBOM_FMT_CDX_JSON &&
	    fmt != SBOM_FMT_SPDX_JSON && fmt != SBOM_FMT_SPDX3_JSON)
		return;
	sbom_json_use_yajl = 1;
	rety = read_once(fd, data, size, fmt, &sy, &sty);
	sbom_json_use_yajl = 0;
	if (ret == -ENOMEM || rety == -ENOMEM)
		return;
	if (!ret && rety)
		abort();	/* accepted what yajl refuses */
	if (ret && !rety && !memchr(data, '\v', size) &&
	    !memchr(data, '\f', size) && !trailing)
		abort();	/* refused what yajl accepts */
	if (ret || rety)
		return;
	if (s.n != sy.n || s.sum != sy.sum || st.format != sty.format ||
	    st.components != sty.components ||
	    st.file_digests != sty.file_digests ||
	    st.package_digests != sty.package_digests ||
	    st.components_without_file_digest !=
	    sty.components_without_file_digest ||
	    st.weak_hash_only != sty.weak_hash_only ||
	    st.problems != sty.problems ||
	    strcmp(st.spec_version, sty.spec_version))
		abort();
}

struct trace {
	unsigned long long h;
	unsigned long n;
};

static int ev(void *ctx, int what, const unsigned char *s, size_t len)
{
	struct trace *t = ctx;
	size_t i;

	t->h = t->h * 1099511628211ULL + what;
	for (i = 0; i < len; i++)
		t->h = t->h * 1099511628211ULL + s[i];
	t->h = t->h * 1099511628211ULL + len;
	/* stop after a while sometimes, as a reader's callback may */
	return ++t->n != 5000;
}

static int ev_null(void *c) { return ev(c, 1, NULL, 0); }
static int ev_bool(void *c, int b) { return ev(c, 2 + b, NULL, 0); }
static int ev_num(void *c) { return ev(c, 4, NULL, 0); }
static int ev_str(void *c, const unsigned char *s, size_t l)
{
	return ev(c, 5, s, l);
}
static int ev_smap(void *c) { return ev(c, 6, NULL, 0); }
static int ev_key(void *c, const unsigned char *s, size_t l)
{
	return ev(c, 7, s, l);
}
static int ev_emap(void *c) { return ev(c, 8, NULL, 0); }
static int ev_sarr(void *c) { return ev(c, 9, NULL, 0); }
static int ev_earr(void *c) { return ev(c, 10, NULL, 0); }

static const struct sbom_jtok_cb trace_cb = {
	ev_null, ev_bool, ev_num, ev_str, ev_smap, ev_key, ev_emap, ev_sarr,
	ev_earr,
};

/* piece sizes: 1 + (a byte of the input) % 8, starting at byte `seed` */
static int jtok_run(const uint8_t *data, size_t size, size_t seed,
		    struct trace *tr)
{
	struct sbom_jtok *t = sbom_jtok_new(&trace_cb, tr);
	size_t off = 0, k;
	int ret = 0;

	if (!t)
		abort();
	memset(tr, 0, sizeof(*tr));
	while (!ret && off < size) {
		k = seed < size ? 1 + data[(seed + off) % size] % 8 : size;
		if (k > size - off)
			k = size - off;
		ret = sbom_jtok_parse(t, (const char *)data + off, k);
		off += k;
	}
	if (!ret)
		ret = sbom_jtok_complete(t);
	sbom_jtok_free(t);
	return ret;
}

static void jtok_split(const uint8_t *data, size_t size)
{
	struct trace whole, cut;
	int a, b;

	a = jtok_run(data, size, SIZE_MAX, &whole);
	b = jtok_run(data, size, 0, &cut);
	if (a != b || whole.h != cut.h || whole.n != cut.n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	jtok_split(data, size);
	run(fd, data, size, SBOM_FMT_AUTO);
	if (size)
		run(fd, data, size, 1 + data[0] % 5);
	return 0;
}
