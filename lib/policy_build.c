// SPDX-License-Identifier: GPL-2.0
/*
 * Building compiled policies: collect sources, components and digests,
 * then sort, merge duplicates (block wins over allow) and serialize into
 * the layout of policy_format.h.
 *
 * Sized for SBOMs of millions of files: memory is the digest set, the
 * component table and the string table, each an array grown in place
 * (glibc moves big blocks with mremap, without copying), plus two open
 * addressing hash sets of 8-byte slots (load factor at most 3/4). Strings are copied once into the
 * table that is written out; the sets hold offsets and 32-bit hashes, so
 * probing and growing touch no string. The entries go to 256 arrays by
 * their first byte (appends, where one array and a sort by scattering
 * would miss the cache at every step); each array is sorted in place by a
 * radix sort on the next digest bytes and written to the file through a small
 * buffer that is hashed on the way (the header checksum is written last).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "policy.h"
#include "sha256.h"

struct bentry {
	__u8 sha256[32];
	__u32 flags;
	__u32 component;
	__u32 seq;		/* insertion order: first component wins */
};

struct bcomp {
	__u32 str[5];		/* name, version, purl, supplier, reason */
	__u32 source;
	__u32 line;
};

struct bsource {
	__u8 sha256[32];
	__u32 name;
	__u32 format;
	__u64 nr_digests;
};

/* Open-addressing hash set: val is an index/offset + 1 (0: empty), hash
 * its 32-bit hash, which places it (low bits) and filters compares. */
struct hslot {
	__u32 val;
	__u32 hash;
};

struct hset {
	struct hslot *slot;
	size_t cap;		/* power of two, or 0 */
	size_t used;
};

#define NR_STRS		5

struct bscope {
	__u32 path;
	__u32 line;
	__u8 modes[BGP_NR_CLASSES];
};

struct btrust {
	__u32 fpr, key, origin, suite, package, line;
};

struct policy_builder {
	struct bscope scopes[BGP_MAX_SCOPES];
	size_t nr_scopes;
	struct btrust trusts[BGP_MAX_TRUSTS];
	size_t nr_trusts;
	__u64 version, created;
	__u32 flags;
	__u8 modes[BGP_NR_CLASSES];
	__u32 name;
	char *strings;
	size_t strings_len, strings_cap;
	struct hset strset;
	__u32 last_str[NR_STRS];	/* per field: the last string seen */
	struct bcomp *comps;
	size_t nr_comps, comps_cap;
	struct hset compset;
	size_t comps_indexed;	/* comps[0..comps_indexed) are in compset */
	struct bsource *sources;
	size_t nr_sources, sources_cap;
	struct bbin {
		struct bentry *e;
		size_t n, cap;
	} bins[256];		/* entries by the first byte of the digest */
	size_t nr_entries;
	__u32 seq;
};

#define HUGE_PAGE	(2UL << 20)

/* Hash sets are probed at random: in big ones most probes would also miss
 * the TLB. Ask for huge pages (transparent_hugepage=madvise). Not for the
 * arrays grown by appending: measured slower, and bigger. */
static void advise_huge(void *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = reallocarray(*arr, ncap, elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

#define MIX1	0x9e3779b97f4a7c15ULL
#define MIX2	0xbf58476d1ce4e5b9ULL

static inline __u64 mix(__u64 h, __u64 w)
{
	h = (h ^ w) * MIX2;
	return h ^ (h >> 31);
}

static inline __u32 fold(__u64 h)
{
	h ^= h >> 29;
	h *= MIX1;
	return h ^ (h >> 32);
}

/* Eight bytes at a time; not keyed: a crafted SBOM can slow compile down,
 * nothing more. */
static __u32 str_hash(const char *s, size_t len)
{
	__u64 h = len * MIX1, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = mix(h, w);
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = mix(h, w);
	}
	return fold(h);
}

static __u32 comp_hash(const struct bcomp *c)
{
	__u64 h = MIX1;
	int k;

	for (k = 0; k < NR_STRS; k++)
		h = mix(h, c->str[k]);
	return fold(mix(h, c->source));
}

static int hset_grow(struct hset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i, j;
	struct hslot *nslot;

	if (ncap > (size_t)UINT32_MAX + 1)
		return -E2BIG;
	nslot = calloc(ncap, sizeof(*nslot));
	if (!nslot)
		return -ENOMEM;
	advise_huge(nslot, ncap * sizeof(*nslot));
	for (i = 0; i < s->cap; i++) {
		if (!s->slot[i].val)
			continue;
		for (j = s->slot[i].hash & (ncap - 1); nslot[j].val;
		     j = (j + 1) & (ncap - 1))
			;
		nslot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = nslot;
	s->cap = ncap;
	return 0;
}

/* Make room for one more value (load factor at most 3/4). */
static int hset_reserve(struct hset *s)
{
	if ((s->used + 1) * 4 > s->cap * 3)
		return hset_grow(s);
	return 0;
}

static int str_eq(const struct policy_builder *b, __u32 off, const char *s,
		  size_t len)
{
	return off + len < b->strings_len && !memcmp(b->strings + off, s, len) &&
	       !b->strings[off + len];
}

/* *off: the offset of @s in the string table, added if new (*fresh). */
static int intern(struct policy_builder *b, const char *s, __u32 *off,
		  int *fresh)
{
	struct hset *set = &b->strset;
	size_t len, i;
	__u32 h;
	int err;

	if (!s || !*s) {
		*off = 0;
		return 0;
	}
	len = strlen(s);
	err = hset_reserve(set);
	if (err)
		return err;
	h = str_hash(s, len);
	for (i = h & (set->cap - 1); set->slot[i].val;
	     i = (i + 1) & (set->cap - 1)) {
		if (set->slot[i].hash == h &&
		    str_eq(b, set->slot[i].val - 1, s, len)) {
			*off = set->slot[i].val - 1;
			return 0;
		}
	}
	if (b->strings_len + len + 1 > UINT32_MAX - 1)
		return -E2BIG;
	err = grow((void **)&b->strings, &b->strings_cap,
		   b->strings_len + len + 1, 1);
	if (err)
		return err;
	memcpy(b->strings + b->strings_len, s, len + 1);
	*off = b->strings_len;
	set->slot[i].val = b->strings_len + 1;
	set->slot[i].hash = h;
	set->used++;
	b->strings_len += len + 1;
	if (fresh)
		*fresh = 1;
	return 0;
}

struct policy_builder *policy_builder__new(void)
{
	struct policy_builder *b;
	int i;

	b = calloc(1, sizeof(*b));
	if (!b)
		goto fail;
	if (grow((void **)&b->strings, &b->strings_cap, 1, 1))
		goto fail;
	b->strings[0] = '\0';
	b->strings_len = 1;
	for (i = 0; i < BGP_NR_CLASSES; i++)
		b->modes[i] = BGP_MODE_AUDIT;
	return b;
fail:
	policy_builder__free(b);
	errno = ENOMEM;
	return NULL;
}

void policy_builder__free(struct policy_builder *b)
{
	int i;

	if (!b)
		return;
	free(b->strings);
	free(b->strset.slot);
	free(b->comps);
	free(b->compset.slot);
	free(b->sources);
	for (i = 0; i < 256; i++)
		free(b->bins[i].e);
	free(b);
}

void policy_builder__set_version(struct policy_builder *b, __u64 v)
{
	b->version = v;
}

void policy_builder__set_created(struct policy_builder *b, __u64 t)
{
	b->created = t;
}

int policy_builder__set_name(struct policy_builder *b, const char *name)
{
	return intern(b, name, &b->name, NULL);
}

void policy_builder__set_mode(struct policy_builder *b, unsigned int cls,
			      unsigned int mode)
{
	if (cls < BG_CLASS_MAX && mode <= BG_MODE_ENFORCE)
		b->modes[cls] = mode;
}

void policy_builder__set_allow_unmeasured_modules(struct policy_builder *b,
						  int allow)
{
	if (allow)
		b->flags |= BGP_F_ALLOW_UNMEASURED_MODULES;
	else
		b->flags &= ~BGP_F_ALLOW_UNMEASURED_MODULES;
}

void policy_builder__set_seal(struct policy_builder *b, int seal)
{
	if (seal)
		b->flags |= BGP_F_SEAL;
	else
		b->flags &= ~BGP_F_SEAL;
}

void policy_builder__set_trust_fuse(struct policy_builder *b, int trust)
{
	if (trust)
		b->flags |= BGP_F_TRUST_FUSE;
	else
		b->flags &= ~BGP_F_TRUST_FUSE;
}

int policy_builder__add_scope(struct policy_builder *b, const char *path,
			      __u32 line, const __u8 modes[BGP_NR_CLASSES])
{
	struct bscope *sc;
	int err;

	if (b->nr_scopes >= BGP_MAX_SCOPES)
		return -E2BIG;
	sc = &b->scopes[b->nr_scopes];
	err = intern(b, path, &sc->path, NULL);
	if (err)
		return err;
	sc->line = line;
	memcpy(sc->modes, modes, BGP_NR_CLASSES);
	return b->nr_scopes++;
}

int policy_builder__add_trust(struct policy_builder *b, const char *fpr,
			      const void *key, size_t key_len,
			      const char *origin, const char *suite,
			      const char *package, __u32 line)
{
	static const char hexd[] = "0123456789abcdef";
	struct btrust *t;
	char *hex;
	int err;

	if (b->nr_trusts >= BGP_MAX_TRUSTS)
		return -E2BIG;
	if (!key_len || key_len > (1U << 20))
		return -EINVAL;
	hex = malloc(2 * key_len + 1);
	if (!hex)
		return -ENOMEM;
	for (size_t i = 0; i < key_len; i++) {
		hex[2 * i] = hexd[((const __u8 *)key)[i] >> 4];
		hex[2 * i + 1] = hexd[((const __u8 *)key)[i] & 15];
	}
	hex[2 * key_len] = '\0';
	t = &b->trusts[b->nr_trusts];
	err = intern(b, fpr, &t->fpr, NULL);
	if (!err)
		err = intern(b, hex, &t->key, NULL);
	if (!err)
		err = intern(b, origin ? origin : "", &t->origin, NULL);
	if (!err)
		err = intern(b, suite ? suite : "", &t->suite, NULL);
	if (!err)
		err = intern(b, package ? package : "", &t->package, NULL);
	free(hex);
	if (err)
		return err;
	t->line = line;
	return b->nr_trusts++;
}

int policy_builder__add_source(struct policy_builder *b, const __u8 sha256[32],
			       const char *name, __u32 fmt)
{
	struct bsource *s;
	int err;

	if (b->nr_sources >= INT_MAX - 1)
		return -E2BIG;
	err = grow((void **)&b->sources, &b->sources_cap, b->nr_sources + 1,
		   sizeof(*s));
	if (err)
		return err;
	s = &b->sources[b->nr_sources];
	memset(s, 0, sizeof(*s));
	memcpy(s->sha256, sha256, 32);
	s->format = fmt <= BGP_FMT_SPDX_TV ? fmt : BGP_FMT_UNKNOWN;
	err = intern(b, name, &s->name, NULL);
	if (err)
		return err;
	return b->nr_sources++;
}

int policy_builder__update_source(struct policy_builder *b, __u32 source,
				  const __u8 sha256[32], __u32 fmt,
				  __u64 nr_digests)
{
	if (source >= b->nr_sources)
		return -EINVAL;
	memcpy(b->sources[source].sha256, sha256, 32);
	b->sources[source].format = fmt <= BGP_FMT_SPDX_TV ? fmt : BGP_FMT_UNKNOWN;
	b->sources[source].nr_digests = nr_digests;
	return 0;
}

static int comp_same(const struct bcomp *x, const struct bcomp *y)
{
	return !memcmp(x->str, y->str, sizeof(x->str)) && x->source == y->source;
}

/* Put comps[idx] in the set; the caller reserved room. Returns the slot of
 * an equal component already there, or -1 after adding it. */
static long compset_insert(struct policy_builder *b, size_t idx)
{
	struct hset *set = &b->compset;
	__u32 h = comp_hash(&b->comps[idx]);
	size_t i;

	for (i = h & (set->cap - 1); set->slot[i].val;
	     i = (i + 1) & (set->cap - 1)) {
		if (set->slot[i].hash == h &&
		    comp_same(&b->comps[set->slot[i].val - 1], &b->comps[idx]))
			return i;
	}
	set->slot[i].val = idx + 1;
	set->slot[i].hash = h;
	set->used++;
	return -1;
}

/* The set is filled only when a lookup needs it: a component with a
 * string never seen before is new, and that is every component of most
 * SBOMs (one per file, named after it). */
static int comp_find(struct policy_builder *b, size_t idx, long *found)
{
	long slot;
	int err;

	for (; b->comps_indexed <= idx; b->comps_indexed++) {
		err = hset_reserve(&b->compset);
		if (err)
			return err;
		slot = compset_insert(b, b->comps_indexed);
		if (slot >= 0) {
			*found = b->compset.slot[slot].val - 1;
			return 0;
		}
	}
	*found = -1;
	return 0;
}

int policy_builder__add_component(struct policy_builder *b,
				  const struct policy_component *c)
{
	const char *strs[NR_STRS] = { c->name, c->version, c->purl,
				      c->supplier, c->reason };
	struct bcomp *n;
	long found;
	int err, j, k, fresh = 0;

	if (c->source != BGP_SRC_POLICY && c->source >= b->nr_sources)
		return -EINVAL;
	if (b->nr_comps >= INT_MAX - 1)
		return -E2BIG;
	err = grow((void **)&b->comps, &b->comps_cap, b->nr_comps + 1,
		   sizeof(*n));
	if (err)
		return err;
	n = &b->comps[b->nr_comps];
	/* the name is mostly new: start loading its slot, then do the
	 * other fields while it comes */
	if (strs[0] && *strs[0] && b->strset.cap)
		__builtin_prefetch(&b->strset.slot[str_hash(strs[0],
				   strlen(strs[0])) & (b->strset.cap - 1)]);
	for (j = 1; j <= NR_STRS; j++) {
		k = j % NR_STRS;
		/* neighbours share version, purl, supplier: no lookup */
		if (strs[k] && *strs[k] &&
		    !strcmp(b->strings + b->last_str[k], strs[k])) {
			n->str[k] = b->last_str[k];
			continue;
		}
		err = intern(b, strs[k], &n->str[k], &fresh);
		if (err)
			return err;
		if (n->str[k])
			b->last_str[k] = n->str[k];
	}
	n->source = c->source;
	n->line = c->line;
	if (b->nr_comps && comp_same(n, n - 1))
		return b->nr_comps - 1;
	if (!fresh) {
		err = comp_find(b, b->nr_comps, &found);
		if (err)
			return err;
		if (found >= 0)
			return found;
	}
	return b->nr_comps++;
}

int policy_builder__add_digest(struct policy_builder *b, const __u8 sha256[32],
			       __u32 flags, __u32 component)
{
	struct bbin *bin = &b->bins[sha256[0]];
	struct bentry *e;
	__u32 kind = flags & (BGP_E_ALLOW | BGP_E_BLOCK);

	if ((kind != BGP_E_ALLOW && kind != BGP_E_BLOCK) ||
	    (flags & ~(BGP_E_ALLOW | BGP_E_BLOCK | BGP_E_EXTRA |
		       BGP_E_DAEMON)) ||
	    ((flags & BGP_E_DAEMON) && kind != BGP_E_ALLOW))
		return -EINVAL;
	if (component != BGP_NO_COMPONENT && component >= b->nr_comps)
		return -EINVAL;
	if (b->seq >= UINT32_MAX - 1)	/* nr_entries <= seq */
		return -E2BIG;
	if (bin->n == bin->cap) {
		/* by half: 256 arrays doubling would waste a third */
		size_t ncap = bin->cap < 16 ? 16 : bin->cap + bin->cap / 2;

		e = reallocarray(bin->e, ncap, sizeof(*e));
		if (!e)
			return -ENOMEM;
		bin->e = e;
		bin->cap = ncap;
	}
	e = &bin->e[bin->n++];
	memcpy(e->sha256, sha256, 32);
	e->flags = flags;
	e->component = component;
	e->seq = b->seq++;
	b->nr_entries++;
	return 0;
}

static int bentry_before(const struct bentry *x, const struct bentry *y,
			 int depth)
{
	int c = memcmp(x->sha256 + depth, y->sha256 + depth, 32 - depth);

	return c ? c < 0 : x->seq < y->seq;
}

static void insertion_sort(struct bentry *e, size_t n, int depth)
{
	struct bentry t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (!bentry_before(&e[i], &e[i - 1], depth))
			continue;
		t = e[i];
		for (j = i; j && bentry_before(&t, &e[j - 1], depth); j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

static int bentry_seq_cmp(const void *a, const void *b)
{
	const struct bentry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

#define RADIX_MIN	32

/* In-place MSD radix sort (American flag) on the digest bytes from
 * @depth; equal digests end up in insertion order (seq). */
static void radix_sort(struct bentry *e, size_t n, int depth)
{
	size_t count[256] = {}, head[256], tail[256], pos = 0, i;
	struct bentry t;
	unsigned int k, d;

	if (depth == 32) {	/* one digest, many times */
		qsort(e, n, sizeof(*e), bentry_seq_cmp);
		return;
	}
	if (n <= RADIX_MIN) {
		insertion_sort(e, n, depth);
		return;
	}
	for (i = 0; i < n; i++)
		count[e[i].sha256[depth]]++;
	for (k = 0; k < 256; k++) {
		head[k] = pos;
		pos += count[k];
		tail[k] = pos;
	}
	for (k = 0; k < 256; k++) {
		while (head[k] < tail[k]) {
			t = e[head[k]];
			d = t.sha256[depth];
			while (d != k) {
				struct bentry x = e[head[d]];

				e[head[d]++] = t;
				t = x;
				d = t.sha256[depth];
			}
			e[head[k]++] = t;
		}
	}
	for (k = 0, pos = 0; k < 256; pos += count[k++])
		if (count[k] > 1)
			radix_sort(e + pos, count[k], depth + 1);
}

/* Sort one bin, then fold runs of one digest: block wins (a conflict when
 * the run also allows it); among allows, the first component added wins. */
static void merge_bin(struct bbin *bin, struct policy_build_stats *st)
{
	struct bentry *e = bin->e, *run, *blk;
	size_t i, j, out = 0;
	__u32 daemon;
	int allow;

	radix_sort(e, bin->n, 1);
	for (i = 0; i < bin->n; i = j) {
		run = &e[i];
		blk = NULL;
		allow = 0;
		daemon = 0;
		for (j = i; j < bin->n &&
		     !memcmp(e[j].sha256, run->sha256, 32); j++) {
			daemon |= e[j].flags & BGP_E_DAEMON;
			if (e[j].flags & BGP_E_BLOCK) {
				if (!blk)
					blk = &e[j];
			} else {
				allow++;
				if (e[j].component != run->component &&
				    !(run->flags & BGP_E_SHARED)) {
					run->flags |= BGP_E_SHARED;
					st->shared++;
				}
			}
		}
		if (blk) {
			if (allow)
				st->conflicts++;
			run = blk;
			run->flags &= ~BGP_E_SHARED;
		} else {
			run->flags |= daemon;	/* listed anywhere: kept */
		}
		e[out++] = *run;
		if (run->flags & BGP_E_BLOCK)
			st->blocked++;
		else
			st->allowed++;
	}
	bin->n = out;
}

/* In place: adding more afterwards is fine. Returns the distinct count. */
static size_t merge_entries(struct policy_builder *b,
			    struct policy_build_stats *st)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 256; i++) {
		merge_bin(&b->bins[i], st);
		n += b->bins[i].n;
	}
	return n;
}

/* --- output --------------------------------------------------------- */

#define OUT_BUF		(256 * 1024)

/* Where serialized bytes go: a memory buffer, or a file descriptor through
 * a small buffer; hashed on the way when @md is set. */
struct sink {
	__u8 *mem;		/* whole-file buffer, or NULL */
	int fd;			/* else here, through buf */
	EVP_MD_CTX *md;
	__u8 *buf;
	size_t len, pos;	/* in buf; pos: bytes done in the file */
	int err;
};

static void sink_flush(struct sink *k)
{
	const __u8 *p = k->buf;
	size_t len = k->len;
	ssize_t n;

	if (k->err || !len)
		goto out;
	if (k->md && EVP_DigestUpdate(k->md, p, len) != 1) {
		k->err = -EIO;
		goto out;
	}
	while (k->fd >= 0 && len) {
		n = write(k->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			k->err = -errno;
			break;
		}
		p += n;
		len -= n;
	}
out:
	k->len = 0;
}

/* Room for @len bytes (at most OUT_BUF) at the returned pointer. */
static void *sink_get(struct sink *k, size_t len)
{
	void *p;

	if (k->mem) {
		p = k->mem + k->pos;
	} else {
		if (k->len + len > OUT_BUF)
			sink_flush(k);
		p = k->buf + k->len;
		k->len += len;
	}
	k->pos += len;
	return p;
}

static void sink_put(struct sink *k, const void *data, size_t len)
{
	size_t n;

	while (len) {
		n = len < OUT_BUF ? len : OUT_BUF;
		memcpy(sink_get(k, n), data, n);
		data = (const char *)data + n;
		len -= n;
	}
}

struct layout {
	__u64 eoff, coff, soff, scoff, toff, stroff, len;
	size_t nr_entries;
};

static int layout(const struct policy_builder *b, size_t n, struct layout *l)
{
	l->nr_entries = n;
	l->eoff = sizeof(struct bgp_header);
	l->coff = l->eoff + (__u64)n * sizeof(struct bgp_entry);
	l->soff = l->coff + (__u64)b->nr_comps * sizeof(struct bgp_component);
	l->scoff = l->soff + (__u64)b->nr_sources * sizeof(struct bgp_source);
	l->toff = l->scoff + (__u64)b->nr_scopes * sizeof(struct bgp_scope);
	l->stroff = l->toff + (__u64)b->nr_trusts * sizeof(struct bgp_trust);
	l->len = l->stroff + b->strings_len;
	return l->len > BGP_MAX_FILE_SIZE ? -EFBIG : 0;
}

/* The whole file, with @sum as the checksum field (zeros to compute it). */
static void emit(const struct policy_builder *b, const struct layout *l,
		 const __u8 sum[32], struct sink *k)
{
	struct bgp_header *h;
	struct bgp_entry *e;
	struct bgp_component *c;
	struct bgp_source *s;
	size_t i;
	int j;

	h = sink_get(k, sizeof(*h));
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, BGP_MAGIC, BGP_MAGIC_LEN);
	h->format_version = htole32(BGP_FORMAT_VERSION);
	h->header_size = htole32(sizeof(*h));
	h->file_size = htole64(l->len);
	h->policy_version = htole64(b->version);
	h->created = htole64(b->created);
	h->flags = htole32(b->flags);
	for (j = 0; j < BGP_NR_CLASSES; j++)
		h->modes[j] = b->modes[j];
	h->name = htole32(b->name);
	h->nr_entries = htole32(l->nr_entries);
	h->entries_off = htole32(l->eoff);
	h->nr_components = htole32(b->nr_comps);
	h->components_off = htole32(l->coff);
	h->nr_sources = htole32(b->nr_sources);
	h->sources_off = htole32(l->soff);
	h->strings_off = htole32(l->stroff);
	h->strings_size = htole32(b->strings_len);
	h->nr_scopes = htole32(b->nr_scopes);
	h->nr_trusts = htole32(b->nr_trusts);
	memcpy(h->checksum, sum, 32);
	for (j = 0; j < 256; j++) {
		const struct bbin *bin = &b->bins[j];

		for (i = 0; i < bin->n; i++) {
			e = sink_get(k, sizeof(*e));
			memcpy(e->sha256, bin->e[i].sha256, 32);
			e->flags = htole32(bin->e[i].flags);
			e->component = htole32(bin->e[i].component);
		}
	}
	for (i = 0; i < b->nr_comps; i++) {
		c = sink_get(k, sizeof(*c));
		c->name = htole32(b->comps[i].str[0]);
		c->version = htole32(b->comps[i].str[1]);
		c->purl = htole32(b->comps[i].str[2]);
		c->supplier = htole32(b->comps[i].str[3]);
		c->reason = htole32(b->comps[i].str[4]);
		c->source = htole32(b->comps[i].source);
		c->line = htole32(b->comps[i].line);
		c->pad = 0;
	}
	for (i = 0; i < b->nr_sources; i++) {
		s = sink_get(k, sizeof(*s));
		memcpy(s->sha256, b->sources[i].sha256, 32);
		s->name = htole32(b->sources[i].name);
		s->format = htole32(b->sources[i].format);
		s->nr_digests = htole64(b->sources[i].nr_digests);
	}
	for (i = 0; i < b->nr_scopes; i++) {
		struct bgp_scope *sc = sink_get(k, sizeof(*sc));

		memset(sc, 0, sizeof(*sc));
		sc->path = htole32(b->scopes[i].path);
		sc->line = htole32(b->scopes[i].line);
		memcpy(sc->modes, b->scopes[i].modes, BGP_NR_CLASSES);
	}
	for (i = 0; i < b->nr_trusts; i++) {
		struct bgp_trust *t = sink_get(k, sizeof(*t));

		memset(t, 0, sizeof(*t));
		t->fpr = htole32(b->trusts[i].fpr);
		t->key = htole32(b->trusts[i].key);
		t->origin = htole32(b->trusts[i].origin);
		t->suite = htole32(b->trusts[i].suite);
		t->package = htole32(b->trusts[i].package);
		t->line = htole32(b->trusts[i].line);
	}
	sink_put(k, b->strings, b->strings_len);
}

/* Sort and merge the digests (in place: adding more afterwards is fine). */
static int prepare(struct policy_builder *b, struct layout *l,
		   struct policy_build_stats *stp)
{
	struct policy_build_stats st = { .digests_added = b->nr_entries };
	size_t n;

	n = merge_entries(b, &st);
	b->nr_entries = n;
	st.distinct = n;
	if (stp)
		*stp = st;
	return layout(b, n, l);
}

int policy_builder__serialize(struct policy_builder *b, void **bufp,
			      size_t *lenp, struct policy_build_stats *stp)
{
	static const __u8 zero[32];
	struct sink k = { .fd = -1 };
	struct layout l;
	int err;

	err = prepare(b, &l, stp);
	if (err)
		return err;
	k.mem = malloc(l.len);
	if (!k.mem)
		return -ENOMEM;
	emit(b, &l, zero, &k);
	err = policy_checksum(k.mem, l.len,
			      ((struct bgp_header *)k.mem)->checksum);
	if (err) {
		free(k.mem);
		return err;
	}
	*bufp = k.mem;
	*lenp = l.len;
	return 0;
}

/* Serialize to @k (fd and md set), returning the file's checksum. */
static int emit_hashed(const struct policy_builder *b, const struct layout *l,
		       const __u8 in[32], struct sink *k, __u8 sum[32])
{
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1)
		return -EIO;
	k->len = k->pos = 0;
	emit(b, l, in, k);
	sink_flush(k);
	if (k->err)
		return k->err;
	if (EVP_DigestFinal_ex(k->md, sum, &outlen) != 1 || outlen != 32)
		return -EIO;
	return 0;
}

/* Streamed: the file is written once through a small buffer, hashed on
 * the way, and the checksum is written into the header at the end. */
int policy_builder__write(struct policy_builder *b, const char *path,
			  struct policy_build_stats *st)
{
	static const __u8 zero[32];
	const off_t at = offsetof(struct bgp_header, checksum);
	struct fileio_out o;
	struct sink k = { .fd = -1 };
	struct layout l;
	__u8 sum[32];
	ssize_t n;
	int err;

	err = prepare(b, &l, st);
	if (err)
		return err;
	k.buf = malloc(OUT_BUF);
	k.md = EVP_MD_CTX_new();
	if (!k.buf || !k.md) {
		err = -ENOMEM;
		goto out;
	}
	err = fileio_out_open(&o, path, 0644, 0);
	if (err)
		goto out;
	if (o.in_place) {
		/* no going back on a pipe: hash first, then write */
		err = emit_hashed(b, &l, zero, &k, sum);
		k.fd = o.fd;
		if (!err)
			err = emit_hashed(b, &l, sum, &k, sum);
	} else {
		k.fd = o.fd;
		err = emit_hashed(b, &l, zero, &k, sum);
		if (!err) {
			n = pwrite(o.fd, sum, 32, at);
			if (n != 32)
				err = n < 0 ? -errno : -EIO;
		}
	}
	err = fileio_out_close(&o, err);
out:
	EVP_MD_CTX_free(k.md);
	free(k.buf);
	return err;
}
