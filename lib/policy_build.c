// SPDX-License-Identifier: GPL-2.0
/*
 * Building compiled policies: collect sources, components and digests,
 * then sort, merge duplicates (block wins over allow) and serialize into
 * the layout of policy_format.h.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "sha256.h"

struct bentry {
	__u8 sha256[32];
	__u32 flags;
	__u32 component;
	__u64 seq;		/* insertion order: first component wins */
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

/* Open-addressing hash set of indexes/offsets; 0 means empty, stored +1. */
struct hset {
	__u32 *slot;
	size_t cap;		/* power of two */
	size_t used;
};

struct policy_builder {
	__u64 version, created;
	__u32 flags;
	__u8 modes[BGP_NR_HOOKS];
	__u32 name;
	char *strings;
	size_t strings_len, strings_cap;
	struct hset strset;
	struct bcomp *comps;
	size_t nr_comps, comps_cap;
	struct hset compset;
	struct bsource *sources;
	size_t nr_sources, sources_cap;
	struct bentry *entries;
	size_t nr_entries, entries_cap;
};

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

static __u64 fnv(const void *data, size_t len)
{
	const __u8 *d = data;
	__u64 h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *d++) * 0x100000001b3ULL;
	return h;
}

static __u64 str_hash(struct policy_builder *b, __u32 off)
{
	return fnv(b->strings + off, strlen(b->strings + off));
}

static __u64 comp_hash(struct policy_builder *b, __u32 idx)
{
	struct bcomp *c = &b->comps[idx];

	return fnv(c->str, sizeof(c->str)) ^ fnv(&c->source, 4);
}

typedef __u64 (*hset_hash_fn)(struct policy_builder *b, __u32 v);

static int hset_rehash(struct policy_builder *b, struct hset *s,
		       hset_hash_fn hash)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i, j;
	__u32 *nslot;

	nslot = calloc(ncap, sizeof(*nslot));
	if (!nslot)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++) {
		if (!s->slot[i])
			continue;
		j = hash(b, s->slot[i] - 1) & (ncap - 1);
		while (nslot[j])
			j = (j + 1) & (ncap - 1);
		nslot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = nslot;
	s->cap = ncap;
	return 0;
}

static int intern(struct policy_builder *b, const char *s, __u32 *off)
{
	size_t len, i;
	__u64 h;
	int err;

	if (!s || !*s) {
		*off = 0;
		return 0;
	}
	len = strlen(s);
	if ((b->strset.used + 1) * 2 > b->strset.cap) {
		err = hset_rehash(b, &b->strset, str_hash);
		if (err)
			return err;
	}
	h = fnv(s, len);
	for (i = h & (b->strset.cap - 1); b->strset.slot[i];
	     i = (i + 1) & (b->strset.cap - 1)) {
		if (!strcmp(b->strings + b->strset.slot[i] - 1, s)) {
			*off = b->strset.slot[i] - 1;
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
	b->strset.slot[i] = b->strings_len + 1;
	b->strset.used++;
	b->strings_len += len + 1;
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
	for (i = 0; i < BGP_NR_HOOKS; i++)
		b->modes[i] = BGP_MODE_AUDIT;
	return b;
fail:
	policy_builder__free(b);
	errno = ENOMEM;
	return NULL;
}

void policy_builder__free(struct policy_builder *b)
{
	if (!b)
		return;
	free(b->strings);
	free(b->strset.slot);
	free(b->comps);
	free(b->compset.slot);
	free(b->sources);
	free(b->entries);
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
	return intern(b, name, &b->name);
}

void policy_builder__set_mode(struct policy_builder *b, enum policy_hook hook,
			      enum policy_mode mode)
{
	if ((unsigned int)hook < POLICY_NR_HOOKS &&
	    (unsigned int)mode <= POLICY_MODE_ENFORCE)
		b->modes[hook] = mode;
}

void policy_builder__set_allow_unmeasured_modules(struct policy_builder *b,
						  int allow)
{
	if (allow)
		b->flags |= BGP_F_ALLOW_UNMEASURED_MODULES;
	else
		b->flags &= ~BGP_F_ALLOW_UNMEASURED_MODULES;
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
	err = intern(b, name, &s->name);
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

int policy_builder__add_component(struct policy_builder *b,
				  const struct policy_component *c)
{
	const char *strs[5] = { c->name, c->version, c->purl, c->supplier,
				c->reason };
	struct bcomp *n;
	size_t i;
	__u64 h;
	int err, k;

	if (c->source != BGP_SRC_POLICY && c->source >= b->nr_sources)
		return -EINVAL;
	if (b->nr_comps >= INT_MAX - 1)
		return -E2BIG;
	err = grow((void **)&b->comps, &b->comps_cap, b->nr_comps + 1,
		   sizeof(*n));
	if (err)
		return err;
	n = &b->comps[b->nr_comps];
	memset(n, 0, sizeof(*n));
	for (k = 0; k < 5; k++) {
		err = intern(b, strs[k], &n->str[k]);
		if (err)
			return err;
	}
	n->source = c->source;
	n->line = c->line;
	if ((b->compset.used + 1) * 2 > b->compset.cap) {
		err = hset_rehash(b, &b->compset, comp_hash);
		if (err)
			return err;
	}
	h = comp_hash(b, b->nr_comps);
	for (i = h & (b->compset.cap - 1); b->compset.slot[i];
	     i = (i + 1) & (b->compset.cap - 1)) {
		struct bcomp *o = &b->comps[b->compset.slot[i] - 1];

		if (!memcmp(o->str, n->str, sizeof(n->str)) &&
		    o->source == n->source)
			return b->compset.slot[i] - 1;	/* same identity */
	}
	b->compset.slot[i] = b->nr_comps + 1;
	b->compset.used++;
	return b->nr_comps++;
}

int policy_builder__add_digest(struct policy_builder *b, const __u8 sha256[32],
			       __u32 flags, __u32 component)
{
	struct bentry *e;
	__u32 kind = flags & (BGP_E_ALLOW | BGP_E_BLOCK);
	int err;

	if ((kind != BGP_E_ALLOW && kind != BGP_E_BLOCK) ||
	    (flags & ~(BGP_E_ALLOW | BGP_E_BLOCK | BGP_E_EXTRA)))
		return -EINVAL;
	if (component != BGP_NO_COMPONENT && component >= b->nr_comps)
		return -EINVAL;
	if (b->nr_entries >= UINT32_MAX - 1)
		return -E2BIG;
	err = grow((void **)&b->entries, &b->entries_cap, b->nr_entries + 1,
		   sizeof(*e));
	if (err)
		return err;
	e = &b->entries[b->nr_entries];
	memcpy(e->sha256, sha256, 32);
	e->flags = flags;
	e->component = component;
	e->seq = b->nr_entries++;
	return 0;
}

static int bentry_cmp(const void *a, const void *b)
{
	const struct bentry *x = a, *y = b;
	int c = memcmp(x->sha256, y->sha256, 32);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort, then fold runs of one digest: block wins (a conflict when the run
 * also allows it); among allows, the first component added wins. */
static size_t merge_entries(struct policy_builder *b,
			    struct policy_build_stats *st)
{
	size_t i, j, out = 0;
	struct bentry *run, *blk;
	int allow;

	if (b->nr_entries)
		qsort(b->entries, b->nr_entries, sizeof(*b->entries),
		      bentry_cmp);
	for (i = 0; i < b->nr_entries; i = j) {
		run = &b->entries[i];
		blk = NULL;
		allow = 0;
		for (j = i; j < b->nr_entries &&
		     !memcmp(b->entries[j].sha256, run->sha256, 32); j++) {
			if (b->entries[j].flags & BGP_E_BLOCK) {
				if (!blk)
					blk = &b->entries[j];
			} else {
				allow++;
				if (b->entries[j].component != run->component &&
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
		}
		b->entries[out++] = *run;
		if (run->flags & BGP_E_BLOCK)
			st->blocked++;
		else
			st->allowed++;
	}
	return out;
}

static void finish_checksum(__u8 *buf, size_t len)
{
	struct bgp_header *h = (void *)buf;

	policy_checksum(buf, len, h->checksum);
}

int policy_builder__serialize(struct policy_builder *b, void **bufp,
			      size_t *lenp, struct policy_build_stats *stp)
{
	struct policy_build_stats st = { .digests_added = b->nr_entries };
	struct bgp_header *h;
	struct bgp_entry *e;
	struct bgp_component *c;
	struct bgp_source *s;
	__u64 len, eoff, coff, soff, stroff;
	size_t i, n;
	__u8 *buf;
	int k;

	n = merge_entries(b, &st);
	b->nr_entries = n;	/* merged in place; adding more is still fine */
	st.distinct = n;
	eoff = sizeof(*h);
	coff = eoff + (__u64)n * sizeof(*e);
	soff = coff + (__u64)b->nr_comps * sizeof(*c);
	stroff = soff + (__u64)b->nr_sources * sizeof(*s);
	len = stroff + b->strings_len;
	if (len > BGP_MAX_FILE_SIZE)
		return -EFBIG;
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	h = (void *)buf;
	memcpy(h->magic, BGP_MAGIC, BGP_MAGIC_LEN);
	h->format_version = htole32(BGP_FORMAT_VERSION);
	h->header_size = htole32(sizeof(*h));
	h->file_size = htole64(len);
	h->policy_version = htole64(b->version);
	h->created = htole64(b->created);
	h->flags = htole32(b->flags);
	for (k = 0; k < BGP_NR_HOOKS; k++)
		h->modes[k] = b->modes[k];
	h->name = htole32(b->name);
	h->nr_entries = htole32(n);
	h->entries_off = htole32(eoff);
	h->nr_components = htole32(b->nr_comps);
	h->components_off = htole32(coff);
	h->nr_sources = htole32(b->nr_sources);
	h->sources_off = htole32(soff);
	h->strings_off = htole32(stroff);
	h->strings_size = htole32(b->strings_len);
	e = (void *)(buf + eoff);
	for (i = 0; i < n; i++, e++) {
		memcpy(e->sha256, b->entries[i].sha256, 32);
		e->flags = htole32(b->entries[i].flags);
		e->component = htole32(b->entries[i].component);
	}
	c = (void *)(buf + coff);
	for (i = 0; i < b->nr_comps; i++, c++) {
		c->name = htole32(b->comps[i].str[0]);
		c->version = htole32(b->comps[i].str[1]);
		c->purl = htole32(b->comps[i].str[2]);
		c->supplier = htole32(b->comps[i].str[3]);
		c->reason = htole32(b->comps[i].str[4]);
		c->source = htole32(b->comps[i].source);
		c->line = htole32(b->comps[i].line);
	}
	s = (void *)(buf + soff);
	for (i = 0; i < b->nr_sources; i++, s++) {
		memcpy(s->sha256, b->sources[i].sha256, 32);
		s->name = htole32(b->sources[i].name);
		s->format = htole32(b->sources[i].format);
		s->nr_digests = htole64(b->sources[i].nr_digests);
	}
	memcpy(buf + stroff, b->strings, b->strings_len);
	finish_checksum(buf, len);
	*bufp = buf;
	*lenp = len;
	if (stp)
		*stp = st;
	return 0;
}

int policy_write_file(const char *path, const void *buf, size_t len)
{
	return policy_write_file_mode(path, buf, len, 0644);
}

/* Devices and FIFOs (e.g. -o /dev/null) are written in place: a rename
 * would replace them with a regular file. */
static int write_in_place(const char *path, const char *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		p += n;
		len -= n;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int policy_write_file_mode(const char *path, const void *buf, size_t len,
			   mode_t mode)
{
	const char *p = buf;
	char *tmp = NULL, *real = NULL;
	struct stat st;
	ssize_t n;
	int fd = -1, err = 0;

	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		return write_in_place(path, p, len);
	}
	/* replace what a symlink points to, not the link itself */
	real = realpath(path, NULL);
	if (real)
		path = real;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		free(real);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		p += n;
		len -= n;
	}
	if (fchmod(fd, mode) || fsync(fd)) {
		err = -errno;
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		err = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path))
		err = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (err)
		unlink(tmp);
	free(tmp);
	free(real);
	return err;
}

int policy_builder__write(struct policy_builder *b, const char *path,
			  struct policy_build_stats *st)
{
	void *buf = NULL;
	size_t len = 0;
	int err;

	err = policy_builder__serialize(b, &buf, &len, st);
	if (!err)
		err = policy_write_file(path, buf, len);
	free(buf);
	return err;
}
