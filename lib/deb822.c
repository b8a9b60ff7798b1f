// SPDX-License-Identifier: GPL-2.0
/*
 * deb822 paragraphs, parsed in place (see deb822.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deb822.h"

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A line of only blanks separates paragraphs, as dpkg and apt read it. */
static int blank_line(const char *s, size_t n)
{
	while (n && (blank(*s) || *s == '\r')) {
		s++;
		n--;
	}
	return !n;
}

/* Debian Policy 5.1: US-ASCII but controls, space and ':'; not starting
 * with '#' or '-'. */
static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] == '#' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && (blank((*s)[*n - 1]) || (*s)[*n - 1] == '\r'))
		(*n)--;
}

static int field_start(struct deb822_para *p, const char *line, size_t n,
		       unsigned long lineno, const char *file, char *err,
		       size_t errlen)
{
	const char *colon = memchr(line, ':', n);
	struct deb822_field *f;
	unsigned int i;

	if (!colon) {
		snprintf(err, errlen, "%s:%lu: neither 'Field: value' nor a "
			 "continuation line", file, lineno);
		return -EINVAL;
	}
	if (!name_ok(line, colon - line)) {
		snprintf(err, errlen, "%s:%lu: malformed field name", file,
			 lineno);
		return -EINVAL;
	}
	for (i = 0; i < p->n; i++)
		if (p->f[i].nlen == (size_t)(colon - line) &&
		    !strncasecmp(p->f[i].name, line, p->f[i].nlen)) {
			snprintf(err, errlen, "%s:%lu: field '%.*s' repeated "
				 "(first on line %lu)", file, lineno,
				 (int)p->f[i].nlen, p->f[i].name, p->f[i].line);
			return -EINVAL;
		}
	if (p->n == DEB822_MAX_FIELDS) {
		snprintf(err, errlen, "%s:%lu: more than %d fields in the "
			 "paragraph of line %lu", file, lineno,
			 DEB822_MAX_FIELDS, p->line);
		return -EINVAL;
	}
	f = &p->f[p->n++];
	f->name = line;
	f->nlen = colon - line;
	f->val = colon + 1;
	f->vlen = n - (colon + 1 - line);
	trim(&f->val, &f->vlen);
	f->line = lineno;
	return 0;
}

int deb822_parse(const char *buf, size_t len, const char *file,
		 deb822_cb cb, void *ctx, char *err, size_t errlen)
{
	struct deb822_para *p;
	const char *line, *nl, *end = buf + len;
	unsigned long lineno = 0;
	struct deb822_field *last;
	size_t n;
	int ret = 0;

	if (memchr(buf, '\0', len)) {
		for (line = buf; *line; line++)
			lineno += *line == '\n';
		snprintf(err, errlen, "%s:%lu: NUL byte", file, lineno + 1);
		return -EINVAL;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	p->n = 0;
	for (line = buf; line < end && !ret; line = nl + 1) {
		nl = memchr(line, '\n', end - line);
		if (!nl)
			nl = end;
		n = nl - line;
		lineno++;
		if (blank_line(line, n)) {
			if (p->n)
				ret = cb(ctx, p, err, errlen);
			p->n = 0;
		} else if (blank(line[0])) {
			if (!p->n) {
				snprintf(err, errlen, "%s:%lu: continuation "
					 "line without a field", file, lineno);
				ret = -EINVAL;
				break;
			}
			/* the value runs on to the end of this line */
			last = &p->f[p->n - 1];
			if (!last->vlen)
				last->val = line - 1;	/* its '\n' */
			last->vlen = nl - last->val;
			while (last->vlen && last->val[last->vlen - 1] == '\r')
				last->vlen--;
		} else {
			if (!p->n)
				p->line = lineno;
			ret = field_start(p, line, n, lineno, file, err, errlen);
		}
	}
	if (!ret && p->n)
		ret = cb(ctx, p, err, errlen);
	free(p);
	return ret;
}

const struct deb822_field *deb822_get(const struct deb822_para *p,
				      const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->f[i].nlen == n && !strncasecmp(p->f[i].name, name, n))
			return &p->f[i];
	return NULL;
}

int deb822_strdup(const struct deb822_para *p, const char *name, char **out)
{
	const struct deb822_field *f = deb822_get(p, name);
	size_t i;

	*out = NULL;
	if (!f)
		return -ENOENT;
	if (!f->vlen)
		return -EINVAL;
	for (i = 0; i < f->vlen; i++)
		if ((unsigned char)f->val[i] < 0x20 && f->val[i] != '\t')
			return -EINVAL;	/* '\n': several lines */
	*out = strndup(f->val, f->vlen);
	return *out ? 0 : -ENOMEM;
}

int deb822_next_line(const struct deb822_field *f, size_t *pos,
		     const char **s, size_t *n, unsigned long *lineno)
{
	const char *v = f->val + *pos, *end = f->val + f->vlen, *nl;

	for (;;) {
		if (v > end || (v == end && *pos))
			return 0;
		nl = memchr(v, '\n', end - v);
		if (!nl)
			nl = end;
		*s = v;
		*n = nl - v;
		*lineno = 0;
		for (const char *c = f->val; c < v; c++)
			*lineno += *c == '\n';
		*pos = nl - f->val + 1;
		trim(s, n);
		if (*n)
			return 1;
		if (nl == end)
			return 0;
		v = nl + 1;
	}
}
