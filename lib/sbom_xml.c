// SPDX-License-Identifier: GPL-2.0
/*
 * CycloneDX XML (1.0 to 1.7), read with expat's streaming parser, with the
 * same rules as CycloneDX JSON: <component type="file"> with
 * <hash alg="SHA-256"> is file-level, nested <components> at any depth,
 * <metadata><component> included. Elements of other namespaces (extensions,
 * signatures) are skipped. A DOCTYPE is refused: no entity tricks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <expat.h>

#include "sbom_priv.h"

#define RDF_NS		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define CDX_NS		"http://cyclonedx.org/schema/bom/"
#define CDX_NS_LEN	(sizeof(CDX_NS) - 1)

enum xrole {
	X_IGNORE, X_BOM, X_META, X_COMPS, X_COMP, X_SUPPLIER, X_HASHES,
	X_HASH, X_TEXT,
};

/* bits of struct xlevel.seen: children that may appear once */
enum { SEEN_NAME = 1, SEEN_VERSION = 2, SEEN_PURL = 4, SEEN_SUPPLIER = 8 };

struct xlevel {
	unsigned char role;
	unsigned char seen;
	struct sbom_str *target;	/* X_TEXT: where the text goes */
};

struct xml_state {
	XML_Parser p;
	char ns[64];		/* the document's CycloneDX namespace */
	size_t nslen;
	struct xlevel lv[SBOM_MAX_DEPTH + 1];
	int depth;
	struct sbom_comp *comps;
	int ncomp;
	struct sbom_str text, alg;
	int have_alg;
	unsigned long hash_line;
	int cb_err;
	int root_seen;
	int in_tag;
	size_t run;
};

static unsigned long xline(struct xml_state *x)
{
	return XML_GetCurrentLineNumber(x->p);
}

static void xfail(struct sbom_reader *r, int err)
{
	struct xml_state *x = r->priv;

	if (!x->cb_err)
		x->cb_err = err;
	XML_StopParser(x->p, XML_FALSE);
}

static const char *attr(const XML_Char **atts, const char *name)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], name))
			return atts[1];
	return NULL;
}

/* Local name if el is in the document's CycloneDX namespace, else NULL. */
static const char *local(struct xml_state *x, const char *el)
{
	if (strncmp(el, x->ns, x->nslen) || el[x->nslen] != '|')
		return NULL;
	return el + x->nslen + 1;
}

static int start_root(struct sbom_reader *r, const char *el)
{
	struct xml_state *x = r->priv;
	const char *bar = strchr(el, '|');
	const char *v;
	size_t len;

	x->root_seen = 1;
	if (bar && !strcmp(bar + 1, "RDF") &&
	    !strncmp(el, RDF_NS "|", sizeof(RDF_NS)))
		return sbom_error(r, xline(x),
				  "this is SPDX RDF/XML (rdf:RDF), not supported; convert it to SPDX JSON with pyspdxtools (pyspdxtools -i DOC.spdx.rdf.xml -o DOC.spdx.json) or tools-java (Convert)");
	if (!bar || strcmp(bar + 1, "bom") ||
	    strncmp(el, CDX_NS, CDX_NS_LEN))
		return sbom_error(r, xline(x),
				  "root element is not a CycloneDX <bom> (%.128s)",
				  el);
	len = bar - el;
	v = el + CDX_NS_LEN;
	if (len >= sizeof(x->ns) ||
	    (strncmp(v, "1.", 2) || bar - v != 3 || v[2] < '0' || v[2] > '7'))
		return sbom_error(r, xline(x),
				  "unsupported CycloneDX XML namespace \"%.*s\" (1.0 to 1.7 are read)",
				  (int)len, el);
	memcpy(x->ns, el, len);
	x->ns[len] = '\0';
	x->nslen = len;
	sbom_set_version(r, x->ns + CDX_NS_LEN);
	r->fmt = SBOM_FMT_CDX_XML;
	return 0;
}

static int text_child(struct sbom_reader *r, struct xlevel *p,
		      const char *name, struct xlevel *l)
{
	struct xml_state *x = r->priv;
	struct sbom_comp *c = &x->comps[x->ncomp - 1];
	static const struct {
		const char *name;
		int bit;
		size_t off;
	} fields[] = {
		{ "name", SEEN_NAME, offsetof(struct sbom_comp, name) },
		{ "version", SEEN_VERSION, offsetof(struct sbom_comp, version) },
		{ "purl", SEEN_PURL, offsetof(struct sbom_comp, purl) },
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(name, fields[i].name))
			continue;
		if (p->seen & fields[i].bit)
			return sbom_error(r, xline(x),
					  "duplicate <%s> in <component>", name);
		p->seen |= fields[i].bit;
		l->role = X_TEXT;
		l->target = (struct sbom_str *)((char *)c + fields[i].off);
		sbom_str_clear(&x->text);
		return 0;
	}
	return 0;
}

static int start_child(struct sbom_reader *r, const char *name,
		       const XML_Char **atts, struct xlevel *l)
{
	struct xml_state *x = r->priv;
	struct xlevel *p = &x->lv[x->depth - 1];
	struct sbom_comp *c;
	const char *v;
	int err;

	switch (p->role) {
	case X_BOM:
		if (!strcmp(name, "components"))
			l->role = X_COMPS;
		else if (!strcmp(name, "metadata"))
			l->role = X_META;
		return 0;
	case X_META:
		if (!strcmp(name, "component"))
			break;
		return 0;
	case X_COMPS:
		if (!strcmp(name, "component"))
			break;
		return 0;
	case X_COMP:
		if (!strcmp(name, "components")) {
			l->role = X_COMPS;
		} else if (!strcmp(name, "hashes")) {
			l->role = X_HASHES;
		} else if (!strcmp(name, "supplier")) {
			if (p->seen & SEEN_SUPPLIER)
				return sbom_error(r, xline(x),
						  "duplicate <supplier> in <component>");
			p->seen |= SEEN_SUPPLIER;
			l->role = X_SUPPLIER;
		} else {
			return text_child(r, p, name, l);
		}
		return 0;
	case X_SUPPLIER:
		if (!strcmp(name, "name")) {
			l->role = X_TEXT;
			l->target = &x->comps[x->ncomp - 1].supplier;
			sbom_str_clear(&x->text);
		}
		return 0;
	case X_HASHES:
		if (strcmp(name, "hash"))
			return 0;
		l->role = X_HASH;
		sbom_str_clear(&x->text);
		x->hash_line = xline(x);
		v = attr(atts, "alg");
		x->have_alg = !!v;
		if (v && sbom_str_set(&x->alg, v, strlen(v)))
			return sbom_error(r, xline(x), "hash alg too long");
		return 0;
	default:
		return 0;
	}
	/* a <component> */
	l->role = X_COMP;
	c = &x->comps[x->ncomp++];
	sbom_comp_reset(c, xline(x));
	v = attr(atts, "type");
	err = v ? sbom_str_set(&c->type, v, strlen(v)) : 0;
	v = attr(atts, "bom-ref");
	if (!err && v)
		err = sbom_str_set(&c->ref, v, strlen(v));
	if (err == -E2BIG)
		return sbom_error(r, xline(x),
				  "<component> attribute longer than %d bytes",
				  SBOM_MAX_STRING);
	return err;
}

static void XMLCALL on_start(void *ud, const XML_Char *el,
			     const XML_Char **atts)
{
	struct sbom_reader *r = ud;
	struct xml_state *x = r->priv;
	struct xlevel *l;
	const char *name;
	int err = 0;

	if (x->depth >= SBOM_MAX_DEPTH) {
		xfail(r, sbom_error(r, xline(x), "nested deeper than %d levels",
				    SBOM_MAX_DEPTH));
		return;
	}
	l = &x->lv[x->depth];
	l->role = X_IGNORE;
	l->seen = 0;
	l->target = NULL;
	if (!x->depth) {
		err = start_root(r, el);
		l->role = X_BOM;
	} else if (x->lv[x->depth - 1].role != X_IGNORE &&
		   x->lv[x->depth - 1].role != X_TEXT &&
		   x->lv[x->depth - 1].role != X_HASH &&
		   (name = local(x, el))) {
		err = start_child(r, name, atts, l);
	}
	x->depth++;
	if (err)
		xfail(r, err);
}

static void trim(const char **s, size_t *len)
{
	while (*len && strchr(" \t\r\n", **s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && strchr(" \t\r\n", (*s)[*len - 1]))
		(*len)--;
}

static int end_comp(struct sbom_reader *r)
{
	struct xml_state *x = r->priv;
	struct sbom_comp *c = &x->comps[x->ncomp - 1];
	const char *type = sbom_str_get(&c->type);
	int err;

	err = sbom_comp_end(r, c, type && !strcmp(type, "file"), "component");
	x->ncomp--;
	if (!err && c->covered && x->ncomp)
		x->comps[x->ncomp - 1].covered = 1;
	return err;
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
	struct sbom_reader *r = ud;
	struct xml_state *x = r->priv;
	struct xlevel *l = &x->lv[--x->depth];
	const char *s = x->text.s ? x->text.s : "";
	size_t len = x->text.len;
	int err = 0;

	switch (l->role) {
	case X_TEXT:
		trim(&s, &len);
		err = sbom_str_set(l->target, s, len);
		break;
	case X_HASH:
		trim(&s, &len);
		err = sbom_comp_hash(r, &x->comps[x->ncomp - 1],
				     x->have_alg ? x->alg.s : NULL, s, len,
				     x->hash_line, "hashes/hash");
		break;
	case X_COMP:
		err = end_comp(r);
		break;
	default:
		break;
	}
	if (err)
		xfail(r, err);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct sbom_reader *r = ud;
	struct xml_state *x = r->priv;
	int role = x->depth ? x->lv[x->depth - 1].role : X_IGNORE;
	int err;

	if (role != X_TEXT && role != X_HASH)
		return;
	if (memchr(s, '\0', len)) {
		xfail(r, sbom_error(r, xline(x), "NUL character in text"));
		return;
	}
	err = sbom_str_append(&x->text, s, len);
	if (err == -E2BIG)
		err = sbom_error(r, xline(x), "element text longer than %d bytes",
				 SBOM_MAX_STRING);
	if (err)
		xfail(r, err);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	struct sbom_reader *r = ud;
	struct xml_state *x = r->priv;

	xfail(r, sbom_error(r, xline(x),
			    "a DOCTYPE is not allowed in a CycloneDX document"));
}

static int xml_init(struct sbom_reader *r)
{
	struct xml_state *x;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	r->priv = x;
	x->comps = calloc(SBOM_MAX_DEPTH, sizeof(*x->comps));
	if (!x->comps)
		return -ENOMEM;
	x->p = XML_ParserCreateNS(NULL, '|');
	if (!x->p)
		return -ENOMEM;
	XML_SetUserData(x->p, r);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return 0;
}

/* expat keeps a whole tag in memory: bound the bytes from '<' to '>'. */
static int scan_tags(struct sbom_reader *r, const char *p, size_t len)
{
	struct xml_state *x = r->priv;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '<') {
			x->in_tag = 1;
			x->run = 0;
		} else if (p[i] == '>') {
			x->in_tag = 0;
		} else if (x->in_tag && ++x->run > SBOM_MAX_TOKEN) {
			return sbom_error(r, xline(x),
					  "an XML tag longer than %d bytes",
					  SBOM_MAX_TOKEN);
		}
	}
	return 0;
}

static int parse(struct sbom_reader *r, const char *buf, size_t len,
		 int final)
{
	struct xml_state *x = r->priv;

	if (XML_Parse(x->p, buf, len, final) == XML_STATUS_OK)
		return 0;
	if (x->cb_err)
		return x->cb_err;
	return sbom_error(r, xline(x), "XML error: %s",
			  XML_ErrorString(XML_GetErrorCode(x->p)));
}

static int xml_feed(struct sbom_reader *r, const char *buf, size_t len)
{
	int err;

	err = scan_tags(r, buf, len);
	if (err)
		return err;
	return parse(r, buf, len, 0);
}

static int xml_finish(struct sbom_reader *r)
{
	struct xml_state *x = r->priv;
	int err;

	err = parse(r, "", 0, 1);
	if (err)
		return err;
	if (!x->root_seen)
		return sbom_error(r, 0, "no XML root element");
	return 0;
}

static void xml_destroy(struct sbom_reader *r)
{
	struct xml_state *x = r->priv;
	int i;

	if (!x)
		return;
	if (x->p)
		XML_ParserFree(x->p);
	if (x->comps)
		for (i = 0; i < SBOM_MAX_DEPTH; i++)
			sbom_comp_free(&x->comps[i]);
	free(x->comps);
	sbom_str_free(&x->text);
	sbom_str_free(&x->alg);
	free(x);
	r->priv = NULL;
}

const struct sbom_backend sbom_xml_backend = {
	.init = xml_init,
	.feed = xml_feed,
	.finish = xml_finish,
	.destroy = xml_destroy,
};
