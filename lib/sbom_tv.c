// SPDX-License-Identifier: GPL-2.0
/*
 * SPDX 2.1/2.2/2.3 tag-value, read line by line (2.1 has the same tags for
 * what is read here). A document starts with
 * SPDXVersion; "PackageName:" opens a package section, "FileName:" a file
 * (files after a package belong to it), "SnippetSPDXID:" and "LicenseID:"
 * close the file. Multi-line <text>...</text> values are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbom_priv.h"

enum tv_section { SEC_DOC, SEC_PKG, SEC_FILE, SEC_OTHER };

struct tv_state {
	char *line;		/* the line being assembled */
	size_t len, cap;
	unsigned long lineno;
	int in_text;
	int have_version;
	enum tv_section sec;
	int pkg_open;
	struct sbom_comp pkg, file;
};

static int tv_init(struct sbom_reader *r)
{
	r->priv = calloc(1, sizeof(struct tv_state));
	return r->priv ? 0 : -ENOMEM;
}

static int end_file(struct sbom_reader *r)
{
	struct tv_state *t = r->priv;
	int err = 0;

	if (t->sec != SEC_FILE)
		return 0;
	t->sec = SEC_OTHER;
	if (!t->file.n_sha256 && !t->file.n_other)
		sbom_problem(r, t->file.line, "FileChecksum",
			     "file \"%.128s\" has no checksum",
			     t->file.name.set ? t->file.name.s : "(no name)");
	if (t->pkg_open) {
		if (t->pkg.version.set)
			err = sbom_str_set(&t->file.version, t->pkg.version.s,
					   t->pkg.version.len);
		if (!err && t->pkg.purl.set)
			err = sbom_str_set(&t->file.purl, t->pkg.purl.s,
					   t->pkg.purl.len);
		if (!err && t->pkg.supplier.set)
			err = sbom_str_set(&t->file.supplier,
					   t->pkg.supplier.s,
					   t->pkg.supplier.len);
		if (err)
			return err;
	}
	err = sbom_comp_end(r, &t->file, 1, "file");
	if (!err && t->file.covered && t->pkg_open)
		t->pkg.covered = 1;
	return err;
}

static int end_pkg(struct sbom_reader *r)
{
	struct tv_state *t = r->priv;

	if (!t->pkg_open)
		return 0;
	t->pkg_open = 0;
	return sbom_comp_end(r, &t->pkg, 0, "package");
}

/* "SHA256: 0123..." */
static int checksum(struct sbom_reader *r, struct sbom_comp *c,
		    const char *v, const char *field)
{
	struct tv_state *t = r->priv;
	char alg[32];
	const char *colon = strchr(v, ':');
	size_t n;

	if (!colon || (n = colon - v) >= sizeof(alg)) {
		sbom_problem(r, t->lineno, field,
			     "expected \"ALGORITHM: value\": ignored");
		return 0;
	}
	memcpy(alg, v, n);
	alg[n] = '\0';
	while (n && alg[n - 1] == ' ')
		alg[--n] = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	return sbom_comp_hash(r, c, alg, v, strlen(v), t->lineno, field);
}

static int set(struct sbom_reader *r, struct sbom_str *s, const char *v)
{
	struct tv_state *t = r->priv;

	if (sbom_str_set(s, v, strlen(v)))
		return sbom_error(r, t->lineno, "value longer than %d bytes",
				  SBOM_MAX_STRING);
	return 0;
}

/* "SPDX-2.1", "SPDX-2.2", "SPDX-2.3"; another SPDX-x.y is refused, a value
 * that is no version at all is a problem (lenient readers accept it). */
static int version(struct sbom_reader *r, const char *v)
{
	struct tv_state *t = r->priv;

	t->have_version = 1;
	sbom_set_version(r, v);
	if (!strcmp(v, "SPDX-2.1") || !strcmp(v, "SPDX-2.2") ||
	    !strcmp(v, "SPDX-2.3"))
		return 0;
	if (!strncmp(v, "SPDX-", 5))
		return sbom_error(r, t->lineno,
				  "unsupported SPDXVersion \"%.32s\" (SPDX-2.1 to SPDX-2.3 are read%s)",
				  v, v[5] == '3' ?
				  "; SPDX 3 has no tag-value format, read its JSON-LD" :
				  "");
	sbom_problem(r, t->lineno, "SPDXVersion",
		     "\"%.32s\" is not an SPDX version: read as SPDX 2.x", v);
	return 0;
}

static int external_ref(struct sbom_reader *r, const char *v)
{
	struct tv_state *t = r->priv;
	char *copy, *cat, *type, *loc, *save = NULL;
	int err = 0;

	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	cat = strtok_r(copy, " \t", &save);
	type = strtok_r(NULL, " \t", &save);
	loc = strtok_r(NULL, " \t", &save);
	if (cat && type && loc && !strcmp(type, "purl") && !t->pkg.purl.set)
		err = set(r, &t->pkg.purl, loc);
	free(copy);
	return err;
}

static int tag(struct sbom_reader *r, const char *tg, const char *v)
{
	struct tv_state *t = r->priv;
	int err;

	if (!t->have_version) {
		if (strcmp(tg, "SPDXVersion"))
			return sbom_error(r, t->lineno,
					  "not SPDX tag-value: the first tag is \"%.32s\", not SPDXVersion",
					  tg);
		return version(r, v);
	}
	if (!strcmp(tg, "PackageName")) {
		err = end_file(r);
		if (!err)
			err = end_pkg(r);
		if (err)
			return err;
		sbom_comp_reset(&t->pkg, t->lineno);
		t->pkg_open = 1;
		t->sec = SEC_PKG;
		err = set(r, &t->pkg.type, "package");
		return err ? err : set(r, &t->pkg.name, v);
	}
	if (!strcmp(tg, "FileName")) {
		err = end_file(r);
		if (err)
			return err;
		sbom_comp_reset(&t->file, t->lineno);
		t->sec = SEC_FILE;
		err = set(r, &t->file.type, "file");
		return err ? err : set(r, &t->file.name, v);
	}
	if (!strcmp(tg, "SnippetSPDXID") || !strcmp(tg, "LicenseID")) {
		err = end_file(r);
		t->sec = SEC_OTHER;
		return err;
	}
	if (t->sec == SEC_PKG) {
		if (!strcmp(tg, "SPDXID"))
			return set(r, &t->pkg.ref, v);
		if (!strcmp(tg, "PackageVersion"))
			return set(r, &t->pkg.version, v);
		if (!strcmp(tg, "PackageSupplier"))
			return set(r, &t->pkg.supplier, v);
		if (!strcmp(tg, "ExternalRef"))
			return external_ref(r, v);
		if (!strcmp(tg, "PackageChecksum"))
			return checksum(r, &t->pkg, v, "PackageChecksum");
	} else if (t->sec == SEC_FILE) {
		if (!strcmp(tg, "SPDXID"))
			return set(r, &t->file.ref, v);
		if (!strcmp(tg, "FileChecksum"))
			return checksum(r, &t->file, v, "FileChecksum");
	}
	if (!strcmp(tg, "FileChecksum") || !strcmp(tg, "PackageChecksum"))
		sbom_problem(r, t->lineno, tg,
			     "checksum outside a %s section: ignored",
			     tg[0] == 'F' ? "file" : "package");
	return 0;
}

static int tv_line(struct sbom_reader *r, char *s, size_t len)
{
	struct tv_state *t = r->priv;
	char *colon, *v, *end;

	t->lineno++;
	if (memchr(s, '\0', len))
		return sbom_error(r, t->lineno, "NUL byte in a tag-value line");
	if (len && s[len - 1] == '\r')
		s[--len] = '\0';
	if (t->in_text) {
		if (strstr(s, "</text>"))
			t->in_text = 0;
		return 0;
	}
	s += strspn(s, " \t");
	if (!*s || *s == '#')
		return 0;
	colon = strchr(s, ':');
	if (!colon || colon == s || strcspn(s, " \t") < (size_t)(colon - s))
		return sbom_error(r, t->lineno,
				  t->have_version ?
				  "expected \"Tag: value\"" :
				  "not SPDX tag-value: expected \"SPDXVersion: SPDX-2.x\"");
	*colon = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (!strncmp(v, "<text>", 6)) {
		if (!strstr(v + 6, "</text>"))
			t->in_text = 1;
		return 0;
	}
	return tag(r, s, v);
}

static int line_append(struct sbom_reader *r, const char *p, size_t n)
{
	struct tv_state *t = r->priv;
	size_t cap;
	char *b;

	if (t->len + n > SBOM_MAX_LINE)
		return sbom_error(r, t->lineno + 1, "line longer than %d bytes",
				  SBOM_MAX_LINE);
	if (t->len + n + 1 > t->cap) {
		cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		b = realloc(t->line, cap);
		if (!b)
			return -ENOMEM;
		t->line = b;
		t->cap = cap;
	}
	memcpy(t->line + t->len, p, n);
	t->len += n;
	t->line[t->len] = '\0';
	return 0;
}

static int tv_feed(struct sbom_reader *r, const char *buf, size_t len)
{
	struct tv_state *t = r->priv;
	const char *nl, *p = buf, *end = buf + len;
	int err;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		err = line_append(r, p, (nl ? nl : end) - p);
		if (err || !nl)
			return err;
		err = tv_line(r, t->line, t->len);
		if (err)
			return err;
		t->len = 0;
		p = nl + 1;
	}
	return 0;
}

static int tv_finish(struct sbom_reader *r)
{
	struct tv_state *t = r->priv;
	int err;

	if (t->len) {
		err = tv_line(r, t->line, t->len);
		if (err)
			return err;
	}
	if (!t->have_version)
		return sbom_error(r, 0, "not SPDX tag-value: no SPDXVersion");
	if (t->in_text)
		return sbom_error(r, t->lineno,
				  "truncated document: <text> not closed");
	err = end_file(r);
	if (!err)
		err = end_pkg(r);
	r->fmt = SBOM_FMT_SPDX_TV;
	return err;
}

static void tv_destroy(struct sbom_reader *r)
{
	struct tv_state *t = r->priv;

	if (!t)
		return;
	free(t->line);
	sbom_comp_free(&t->pkg);
	sbom_comp_free(&t->file);
	free(t);
	r->priv = NULL;
}

const struct sbom_backend sbom_tv_backend = {
	.init = tv_init,
	.feed = tv_feed,
	.finish = tv_finish,
	.destroy = tv_destroy,
};
