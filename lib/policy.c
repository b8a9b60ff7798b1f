// SPDX-License-Identifier: GPL-2.0
/*
 * Loading compiled policies. Nothing in the file is trusted: every count,
 * offset, flag and string reference is checked against the file's size
 * before use, and the layout must be exactly the canonical one the builder
 * writes, so one file has one meaning.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "policy.h"
#include "sha256.h"

struct policy {
	__u32 format_version;
	__u64 version;
	__u64 created;
	__u32 flags;
	__u8 modes[BGP_NR_CLASSES];
	__u8 file_sha256[32];
	const char *name;
	__u32 nr_entries, nr_components, nr_sources, nr_scopes, nr_trusts;
	__u32 nr_allowed, nr_blocked;
	struct policy_scope scopes[BGP_MAX_SCOPES];
	struct policy_apt_trust trusts[BGP_MAX_TRUSTS];
	struct policy_entry *entries;
	struct policy_component *components;
	struct policy_source *sources;
	char *strings;
	__u32 strings_size;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void policy__free(struct policy *p)
{
	if (!p)
		return;
	for (__u32 i = 0; i < p->nr_trusts; i++)
		free(p->trusts[i].key);
	free(p->entries);
	free(p->components);
	free(p->sources);
	free(p->strings);
	free(p);
}

/* A string reference: any offset inside the table is a valid C string since
 * the table ends with NUL (checked first). */
static int str_ok(const struct policy *p, __u32 off, const char **out)
{
	if (off >= p->strings_size)
		return -EINVAL;
	*out = p->strings + off;
	return 0;
}

static int check_header(const struct bgp_header *h, size_t len, char *err,
			size_t errlen)
{
	__u64 fsize = le64toh(h->file_size);
	int i;

	if (memcmp(h->magic, BGP_MAGIC, BGP_MAGIC_LEN)) {
		seterr(err, errlen, "not a bomgate policy (bad magic at offset 0)");
		return -EINVAL;
	}
	if (le32toh(h->format_version) != BGP_FORMAT_VERSION) {
		seterr(err, errlen, "unsupported format version %u at offset 8 (this bomgate reads %u)",
		       le32toh(h->format_version), BGP_FORMAT_VERSION);
		return -EINVAL;
	}
	if (le32toh(h->header_size) != sizeof(*h)) {
		seterr(err, errlen, "header_size %u at offset 12, expected %zu",
		       le32toh(h->header_size), sizeof(*h));
		return -EINVAL;
	}
	if (fsize != len) {
		seterr(err, errlen, "%s: header says %llu bytes, file has %zu",
		       fsize > len ? "truncated" : "trailing data",
		       (unsigned long long)fsize, len);
		return -EINVAL;
	}
	if (le32toh(h->flags) & ~BGP_F_ALL) {
		seterr(err, errlen, "unknown flags 0x%x at offset 40",
		       le32toh(h->flags) & ~BGP_F_ALL);
		return -EINVAL;
	}
	for (i = 0; i < BGP_MODES_LEN; i++) {
		if (h->modes[i] > (i < BGP_NR_CLASSES ? BGP_MODE_ENFORCE : 0)) {
			seterr(err, errlen, "invalid mode %u at offset %d",
			       h->modes[i], 44 + i);
			return -EINVAL;
		}
	}
	if (le32toh(h->nr_scopes) > BGP_MAX_SCOPES) {
		seterr(err, errlen, "nr_scopes %u at offset 88 is above %d",
		       le32toh(h->nr_scopes), BGP_MAX_SCOPES);
		return -EINVAL;
	}
	if (le32toh(h->nr_trusts) > BGP_MAX_TRUSTS) {
		seterr(err, errlen, "nr_trusts %u at offset 92 is above %d",
		       le32toh(h->nr_trusts), BGP_MAX_TRUSTS);
		return -EINVAL;
	}
	return 0;
}

int policy_checksum(const void *buf, size_t len, __u8 out[32])
{
	static const __u8 zero[32];
	const size_t at = offsetof(struct bgp_header, checksum);
	unsigned int outlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (len < sizeof(struct bgp_header))
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, buf, at) == 1 &&
	     EVP_DigestUpdate(ctx, zero, sizeof(zero)) == 1 &&
	     EVP_DigestUpdate(ctx, (const __u8 *)buf + at + 32,
			      len - at - 32) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static int check_checksum(const __u8 *buf, size_t len, __u8 *file_sha,
			  char *err, size_t errlen)
{
	const struct bgp_header *h = (const void *)buf;
	__u8 want[32];
	int ret;

	ret = sha256_buf(buf, len, file_sha);
	if (!ret)
		ret = policy_checksum(buf, len, want);
	if (ret) {
		seterr(err, errlen, "cannot compute SHA-256");
		return ret;
	}
	if (memcmp(want, h->checksum, 32)) {
		seterr(err, errlen, "checksum mismatch: the file is corrupt");
		return -EINVAL;
	}
	return 0;
}

/* Offsets and counts must describe exactly the canonical layout. */
static int check_layout(const struct bgp_header *h, size_t len, char *err,
			size_t errlen)
{
	__u64 ne = le32toh(h->nr_entries), nc = le32toh(h->nr_components);
	__u64 ns = le32toh(h->nr_sources), nsc = le32toh(h->nr_scopes);
	__u64 eoff = sizeof(*h);
	__u64 coff = eoff + ne * sizeof(struct bgp_entry);
	__u64 soff = coff + nc * sizeof(struct bgp_component);
	__u64 scoff = soff + ns * sizeof(struct bgp_source);
	__u64 toff = scoff + nsc * sizeof(struct bgp_scope);
	__u64 stroff = toff + le32toh(h->nr_trusts) * sizeof(struct bgp_trust);

	if (le32toh(h->entries_off) != eoff) {
		seterr(err, errlen, "entries_off %u at offset 60, expected %llu",
		       le32toh(h->entries_off), (unsigned long long)eoff);
		return -EINVAL;
	}
	if (le32toh(h->components_off) != coff) {
		seterr(err, errlen, "components_off %u at offset 68, expected %llu for %llu entries",
		       le32toh(h->components_off), (unsigned long long)coff,
		       (unsigned long long)ne);
		return -EINVAL;
	}
	if (le32toh(h->sources_off) != soff) {
		seterr(err, errlen, "sources_off %u at offset 76, expected %llu",
		       le32toh(h->sources_off), (unsigned long long)soff);
		return -EINVAL;
	}
	if (le32toh(h->strings_off) != stroff) {
		seterr(err, errlen, "strings_off %u at offset 80, expected %llu",
		       le32toh(h->strings_off), (unsigned long long)stroff);
		return -EINVAL;
	}
	if (stroff + le32toh(h->strings_size) != len ||
	    le32toh(h->strings_size) == 0) {
		seterr(err, errlen, "strings_size %u at offset 84 does not reach the end of the file (%zu bytes)",
		       le32toh(h->strings_size), len);
		return -EINVAL;
	}
	return 0;
}

static int load_strings(struct policy *p, const __u8 *buf,
			const struct bgp_header *h, char *err, size_t errlen)
{
	__u32 off = le32toh(h->strings_off);

	p->strings_size = le32toh(h->strings_size);
	if (buf[off] != '\0' || buf[off + p->strings_size - 1] != '\0') {
		seterr(err, errlen, "string table at offset %u must start and end with NUL",
		       off);
		return -EINVAL;
	}
	p->strings = malloc(p->strings_size);
	if (!p->strings)
		return -ENOMEM;
	memcpy(p->strings, buf + off, p->strings_size);
	if (str_ok(p, le32toh(h->name), &p->name)) {
		seterr(err, errlen, "name string offset %u at offset 52 is out of range",
		       le32toh(h->name));
		return -EINVAL;
	}
	return 0;
}

static int load_sources(struct policy *p, const __u8 *buf,
			const struct bgp_header *h, char *err, size_t errlen)
{
	const struct bgp_source *s;
	__u32 i, off = le32toh(h->sources_off);

	p->nr_sources = le32toh(h->nr_sources);
	p->sources = calloc(p->nr_sources ? p->nr_sources : 1,
			    sizeof(*p->sources));
	if (!p->sources)
		return -ENOMEM;
	for (i = 0; i < p->nr_sources; i++, off += sizeof(*s)) {
		s = (const void *)(buf + off);
		memcpy(p->sources[i].sha256, s->sha256, 32);
		p->sources[i].format = le32toh(s->format);
		p->sources[i].nr_digests = le64toh(s->nr_digests);
		if (str_ok(p, le32toh(s->name), &p->sources[i].name) ||
		    p->sources[i].format > BGP_FMT_SPDX_TV) {
			seterr(err, errlen, "source %u (offset %u): bad name or format",
			       i, off);
			return -EINVAL;
		}
	}
	return 0;
}

/* A scope names an absolute path, once, and a mode or "inherit" per class;
 * the source parser normalised the path (no "//", ".", ".." or final "/"). */
static int scope_ok(const struct policy *p, const struct bgp_scope *s,
		    const struct policy_scope *ps, __u32 i)
{
	if (ps->path[0] != '/' || !ps->path[1])
		return 0;
	for (int j = 0; j < BGP_MODES_LEN; j++) {
		__u8 m = s->modes[j];

		if (j >= BGP_NR_CLASSES ? m != 0 :
		    m > BGP_MODE_ENFORCE && m != BGP_MODE_INHERIT)
			return 0;
	}
	for (__u32 j = 0; j < i; j++)
		if (!strcmp(p->scopes[j].path, ps->path))
			return 0;
	return 1;
}

static int load_scopes(struct policy *p, const __u8 *buf,
		       const struct bgp_header *h, char *err, size_t errlen)
{
	__u32 i, off = le32toh(h->sources_off) +
		       le32toh(h->nr_sources) * sizeof(struct bgp_source);

	p->nr_scopes = le32toh(h->nr_scopes);	/* <= BGP_MAX_SCOPES */
	for (i = 0; i < p->nr_scopes; i++, off += sizeof(struct bgp_scope)) {
		const struct bgp_scope *s = (const void *)(buf + off);
		struct policy_scope *ps = &p->scopes[i];

		ps->line = le32toh(s->line);
		memcpy(ps->modes, s->modes, BGP_NR_CLASSES);
		if (str_ok(p, le32toh(s->path), &ps->path) ||
		    !scope_ok(p, s, ps, i)) {
			seterr(err, errlen, "scope %u (offset %u): bad path, duplicate or bad mode",
			       i, off);
			return -EINVAL;
		}
	}
	return 0;
}

/* 40 or 64 upper-case hex digits */
static int fpr_ok(const char *s)
{
	size_t n = strspn(s, "0123456789ABCDEF");

	return !s[n] && (n == 40 || n == 64);
}

/* hex of at least one byte, decoded into @t->key */
static int key_decode(struct policy_apt_trust *t, const char *hex)
{
	size_t n = strlen(hex), i;
	unsigned int v;

	if (!n || n % 2 || strspn(hex, "0123456789abcdef") != n)
		return -EINVAL;
	t->key = malloc(n / 2);
	if (!t->key)
		return -ENOMEM;
	for (i = 0; i < n / 2; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		t->key[i] = v;
	}
	t->key_len = n / 2;
	return 0;
}

static int load_trusts(struct policy *p, const __u8 *buf,
		       const struct bgp_header *h, char *err, size_t errlen)
{
	__u32 i, off = le32toh(h->strings_off) -
		       le32toh(h->nr_trusts) * sizeof(struct bgp_trust);
	const char *hex;
	int ret;

	p->nr_trusts = le32toh(h->nr_trusts);	/* <= BGP_MAX_TRUSTS */
	for (i = 0; i < p->nr_trusts; i++, off += sizeof(struct bgp_trust)) {
		const struct bgp_trust *t = (const void *)(buf + off);
		struct policy_apt_trust *pt = &p->trusts[i];
		static const __u8 zero[8];

		pt->line = le32toh(t->line);
		if (str_ok(p, le32toh(t->fpr), &pt->fpr) || !fpr_ok(pt->fpr) ||
		    str_ok(p, le32toh(t->key), &hex) ||
		    str_ok(p, le32toh(t->origin), &pt->origin) ||
		    str_ok(p, le32toh(t->suite), &pt->suite) ||
		    str_ok(p, le32toh(t->package), &pt->package) ||
		    memcmp(t->pad, zero, sizeof(zero))) {
			seterr(err, errlen, "trust %u (offset %u): bad fingerprint, string or padding",
			       i, off);
			return -EINVAL;
		}
		ret = key_decode(pt, hex);
		if (ret) {
			seterr(err, errlen, "trust %u (offset %u): the key is not hex",
			       i, off);
			return ret;
		}
	}
	return 0;
}

static int load_components(struct policy *p, const __u8 *buf,
			   const struct bgp_header *h, char *err, size_t errlen)
{
	const struct bgp_component *c;
	struct policy_component *pc;
	__u32 i, off = le32toh(h->components_off);

	p->nr_components = le32toh(h->nr_components);
	p->components = calloc(p->nr_components ? p->nr_components : 1,
			       sizeof(*p->components));
	if (!p->components)
		return -ENOMEM;
	for (i = 0; i < p->nr_components; i++, off += sizeof(*c)) {
		c = (const void *)(buf + off);
		pc = &p->components[i];
		pc->source = le32toh(c->source);
		pc->line = le32toh(c->line);
		if (str_ok(p, le32toh(c->name), &pc->name) ||
		    str_ok(p, le32toh(c->version), &pc->version) ||
		    str_ok(p, le32toh(c->purl), &pc->purl) ||
		    str_ok(p, le32toh(c->supplier), &pc->supplier) ||
		    str_ok(p, le32toh(c->reason), &pc->reason)) {
			seterr(err, errlen, "component %u (offset %u): string offset out of range",
			       i, off);
			return -EINVAL;
		}
		if (pc->source != BGP_SRC_POLICY && pc->source >= p->nr_sources) {
			seterr(err, errlen, "component %u (offset %u): source %u out of range (%u sources)",
			       i, off, pc->source, p->nr_sources);
			return -EINVAL;
		}
		if (c->pad) {
			seterr(err, errlen, "component %u (offset %u): padding not zero",
			       i, off);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_entries(struct policy *p, const __u8 *buf,
			const struct bgp_header *h, char *err, size_t errlen)
{
	const struct bgp_entry *e, *prev = NULL;
	struct policy_entry *pe;
	__u32 i, kind, off = le32toh(h->entries_off);

	p->nr_entries = le32toh(h->nr_entries);
	p->entries = calloc(p->nr_entries ? p->nr_entries : 1,
			    sizeof(*p->entries));
	if (!p->entries)
		return -ENOMEM;
	for (i = 0; i < p->nr_entries; i++, off += sizeof(*e)) {
		e = (const void *)(buf + off);
		pe = &p->entries[i];
		memcpy(pe->sha256, e->sha256, 32);
		pe->flags = le32toh(e->flags);
		pe->component = le32toh(e->component);
		if (prev && memcmp(prev->sha256, e->sha256, 32) >= 0) {
			seterr(err, errlen, "entry %u (offset %u): digests not in strictly ascending order",
			       i, off);
			return -EINVAL;
		}
		kind = pe->flags & (BGP_E_ALLOW | BGP_E_BLOCK);
		if ((pe->flags & ~BGP_E_ALL) ||
		    (kind != BGP_E_ALLOW && kind != BGP_E_BLOCK) ||
		    ((pe->flags & BGP_E_DAEMON) && kind != BGP_E_ALLOW)) {
			seterr(err, errlen, "entry %u (offset %u): invalid flags 0x%x",
			       i, off, pe->flags);
			return -EINVAL;
		}
		if (pe->component != BGP_NO_COMPONENT &&
		    pe->component >= p->nr_components) {
			seterr(err, errlen, "entry %u (offset %u): component %u out of range (%u components)",
			       i, off, pe->component, p->nr_components);
			return -EINVAL;
		}
		if (kind == BGP_E_ALLOW)
			p->nr_allowed++;
		else
			p->nr_blocked++;
		prev = e;
	}
	return 0;
}

struct policy *policy__from_mem(const void *data, size_t len, char *err,
				size_t errlen)
{
	const __u8 *buf = data;
	const struct bgp_header *h = data;
	struct policy *p = NULL;
	int ret, i;

	if (len < sizeof(*h)) {
		seterr(err, errlen, "truncated: %zu bytes, the header alone is %zu",
		       len, sizeof(*h));
		ret = -EINVAL;
		goto out;
	}
	if (len > BGP_MAX_FILE_SIZE) {
		seterr(err, errlen, "too large: %zu bytes (limit %llu)", len,
		       BGP_MAX_FILE_SIZE);
		ret = -EFBIG;
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	ret = check_header(h, len, err, errlen);
	if (!ret)
		ret = check_checksum(buf, len, p->file_sha256, err, errlen);
	if (!ret)
		ret = check_layout(h, len, err, errlen);
	if (!ret)
		ret = load_strings(p, buf, h, err, errlen);
	if (!ret)
		ret = load_sources(p, buf, h, err, errlen);
	if (!ret)
		ret = load_scopes(p, buf, h, err, errlen);
	if (!ret)
		ret = load_trusts(p, buf, h, err, errlen);
	if (!ret)
		ret = load_components(p, buf, h, err, errlen);
	if (!ret)
		ret = load_entries(p, buf, h, err, errlen);
	if (ret)
		goto out;
	p->format_version = le32toh(h->format_version);
	p->version = le64toh(h->policy_version);
	p->created = le64toh(h->created);
	p->flags = le32toh(h->flags);
	for (i = 0; i < BGP_NR_CLASSES; i++)
		p->modes[i] = h->modes[i];
out:
	if (ret) {
		if (ret == -ENOMEM)
			seterr(err, errlen, "out of memory");
		policy__free(p);
		errno = -ret;
		return NULL;
	}
	return p;
}

struct policy *policy__open(const char *path, char *err, size_t errlen)
{
	struct policy *p;
	void *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	ret = fileio_read_file(path, BGP_MAX_FILE_SIZE, &buf, &len);
	if (ret) {
		seterr(err, errlen, "%s: %s", path,
		       ret == -EFBIG ? "larger than 2 GiB, not a policy" :
		       ret == -EINVAL ? "not a regular file" : strerror(-ret));
		errno = -ret;
		return NULL;
	}
	p = policy__from_mem(buf, len, why, sizeof(why));
	ret = errno;
	free(buf);
	if (!p) {
		seterr(err, errlen, "%s: %s", path, why);
		errno = ret;
	}
	return p;
}

__u32 policy__format_version(const struct policy *p) { return p->format_version; }
__u64 policy__version(const struct policy *p) { return p->version; }
__u64 policy__created(const struct policy *p) { return p->created; }
const char *policy__name(const struct policy *p) { return p->name; }
const __u8 *policy__file_sha256(const struct policy *p) { return p->file_sha256; }
__u32 policy__nr_entries(const struct policy *p) { return p->nr_entries; }
__u32 policy__nr_allowed(const struct policy *p) { return p->nr_allowed; }
__u32 policy__nr_blocked(const struct policy *p) { return p->nr_blocked; }
__u32 policy__nr_components(const struct policy *p) { return p->nr_components; }
__u32 policy__nr_sources(const struct policy *p) { return p->nr_sources; }

__u32 policy__nr_scopes(const struct policy *p) { return p->nr_scopes; }

__u32 policy__nr_trusts(const struct policy *p) { return p->nr_trusts; }

const struct policy_apt_trust *policy__trust(const struct policy *p, __u32 idx)
{
	return idx < p->nr_trusts ? &p->trusts[idx] : NULL;
}

const struct policy_scope *policy__scope(const struct policy *p, __u32 idx)
{
	return idx < p->nr_scopes ? &p->scopes[idx] : NULL;
}

int policy__mode(const struct policy *p, unsigned int cls)
{
	if (cls >= BG_CLASS_MAX)
		return BG_MODE_OFF;
	return p->modes[cls];
}

int policy__allow_unmeasured_modules(const struct policy *p)
{
	return !!(p->flags & BGP_F_ALLOW_UNMEASURED_MODULES);
}

int policy__trust_fuse(const struct policy *p)
{
	return !!(p->flags & BGP_F_TRUST_FUSE);
}

int policy__seal(const struct policy *p)
{
	return !!(p->flags & BGP_F_SEAL);
}

int policy__daemon_digests(const struct policy *p, __u8 (*out)[32], int max)
{
	int n = 0;

	for (__u32 i = 0; i < p->nr_entries; i++) {
		const struct policy_entry *pe = &p->entries[i];

		if ((pe->flags & (BGP_E_DAEMON | BGP_E_ALLOW)) !=
		    (BGP_E_DAEMON | BGP_E_ALLOW))
			continue;
		if (n < max)
			memcpy(out[n], pe->sha256, 32);
		n++;
	}
	return n;
}

const struct policy_entry *policy__entry(const struct policy *p, __u32 i)
{
	return i < p->nr_entries ? &p->entries[i] : NULL;
}

const struct policy_component *policy__component(const struct policy *p,
						 __u32 idx)
{
	return idx < p->nr_components ? &p->components[idx] : NULL;
}

const struct policy_source *policy__source(const struct policy *p, __u32 idx)
{
	return idx < p->nr_sources ? &p->sources[idx] : NULL;
}

const struct policy_entry *policy__lookup(const struct policy *p,
					  const __u8 sha256[32])
{
	__u32 lo = 0, hi = p->nr_entries, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(sha256, p->entries[mid].sha256, 32);
		if (!c)
			return &p->entries[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const char *const fmt_names[] = {
	"unknown", "cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv",
};

const char *policy_format_name(__u32 fmt)
{
	return fmt <= BGP_FMT_SPDX_TV ? fmt_names[fmt] : "?";
}

