// SPDX-License-Identifier: GPL-2.0
/*
 * DSSE envelopes with in-toto SBOM statements: find the envelope, check
 * its signature over PAE("DSSEv1", type, payload) with pinned keys, and
 * only then look into the payload.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "attest.h"
#include "sha256.h"
#include "fileio.h"
#include "text.h"

#define INTOTO_TYPE	"application/vnd.in-toto+json"
#define BUNDLE_TYPE	"application/vnd.dev.sigstore.bundle"

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

char *attest_fpr_str(const unsigned char fpr[32], char *buf, size_t len)
{
	size_t o;

	if (len < 72) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	o = (size_t)snprintf(buf, len, "sha256:");
	for (int i = 0; i < 32; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", fpr[i]);
	return buf;
}

int attest_key_load(struct attest_key *k, const char *path, char *err,
		    size_t errlen)
{
	unsigned char *der = NULL;
	EVP_PKEY *pk;
	FILE *f;
	int n, bits;

	memset(k, 0, sizeof(*k));
	f = fopen(path, "re");
	if (!f)
		return errf(err, errlen, -errno, "%s: %s", path,
			    strerror(errno));
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pk)
		return errf(err, errlen, -EINVAL,
			    "%s: not a PEM public key (-----BEGIN PUBLIC KEY-----)",
			    path);
	bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (bits != 256 && bits != 384 && bits != 521)
			goto unusable;
		snprintf(k->type, sizeof(k->type), "ECDSA P-%d", bits);
		break;
	case EVP_PKEY_ED25519:
		snprintf(k->type, sizeof(k->type), "Ed25519");
		break;
	case EVP_PKEY_RSA:
		if (bits < 2048)
			goto unusable;
		snprintf(k->type, sizeof(k->type), "RSA-%d", bits);
		break;
	default:
		goto unusable;
	}
	n = i2d_PUBKEY(pk, &der);
	if (n <= 0 || !EVP_Digest(der, n, k->fpr, NULL, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		EVP_PKEY_free(pk);
		return errf(err, errlen, -ENOMEM, "%s: cannot encode the key",
			    path);
	}
	OPENSSL_free(der);
	k->pkey = pk;
	return 0;
unusable:
	EVP_PKEY_free(pk);
	return errf(err, errlen, -EINVAL,
		    "%s: unsupported key (ECDSA P-256/384/521, Ed25519, RSA >= 2048 only)",
		    path);
}

void attest_key_free(struct attest_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

/* --- sniffing --------------------------------------------------------- */

struct sniff {
	int depth;
	int verdict;	/* -1 undecided, 0 no, 1 envelope or bundle */
};

static int sn_start_map(void *arg)
{
	((struct sniff *)arg)->depth++;
	return 1;
}

static int sn_end_map(void *arg)
{
	((struct sniff *)arg)->depth--;
	return 1;
}

static int sn_key(void *arg, const unsigned char *key, size_t len)
{
	static const char *const ours[] = {
		"payloadType", "payload", "signatures", "dsseEnvelope",
		"mediaType", "verificationMaterial",
	};
	struct sniff *s = arg;

	if (s->depth != 1)
		return 1;
	s->verdict = 0;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i]) == len && !memcmp(ours[i], key, len))
			s->verdict = 1;
	return 0;	/* decided: stop */
}

static int sn_other(void *arg)
{
	struct sniff *s = arg;

	if (s->depth == 0)
		s->verdict = 0;	/* top level is not an object */
	return s->verdict < 0;
}

static int sn_scalar(void *arg, const unsigned char *v, size_t l)
{
	(void)v;
	(void)l;
	return sn_other(arg);
}

static int sn_bool(void *arg, int b)
{
	(void)b;
	return sn_other(arg);
}

static int sn_num(void *arg, const char *v, size_t l)
{
	(void)v;
	(void)l;
	return sn_other(arg);
}

int attest_sniff(const char *path)
{
	static const yajl_callbacks cb = {
		.yajl_null = sn_other,
		.yajl_boolean = sn_bool,
		.yajl_number = sn_num,
		.yajl_string = sn_scalar,
		.yajl_start_map = sn_start_map,
		.yajl_map_key = sn_key,
		.yajl_end_map = sn_end_map,
		.yajl_start_array = sn_other,
	};
	struct sniff s = { .verdict = -1 };
	unsigned char buf[4096];
	struct stat sb;
	yajl_handle h;
	ssize_t n;
	int fd, ret = 0;

	/* only regular files: a pipe read here would lose its first bytes
	 * for the SBOM reader that opens it next */
	if (stat(path, &sb))
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	h = yajl_alloc(&cb, NULL, &s);
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	while (s.verdict < 0) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0 || yajl_parse(h, buf, n) != yajl_status_ok)
			break;
	}
	yajl_free(h);
	close(fd);
	return ret ? ret : s.verdict == 1;
}

/* --- base64 (standard or URL-safe alphabet, padding optional) ----------- */

static int b64_decode(const char *s, size_t n, unsigned char **out,
		      size_t *outlen)
{
	size_t pad = 0, len, i;
	unsigned char *in, *o;
	int r;

	while (n && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (n % 4 == 1 || n > INT_MAX / 2)
		return -EBADMSG;
	len = (n + 3) / 4 * 4;
	in = malloc(len + 1);
	o = malloc(len / 4 * 3 + 1);
	if (!in || !o) {
		free(in);
		free(o);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '+' || c == '/'))
			goto bad;
		in[i] = c;
	}
	pad = len - n;
	for (; i < len; i++)
		in[i] = '=';
	r = len ? EVP_DecodeBlock(o, in, (int)len) : 0;
	if (r < 0 || (size_t)r < pad)
		goto bad;
	free(in);
	*out = o;
	*outlen = (size_t)r - pad;
	return 0;
bad:
	free(in);
	free(o);
	return -EBADMSG;
}

/* --- the envelope ------------------------------------------------------- */

static yajl_val get(yajl_val obj, const char *key, yajl_type t)
{
	const char *p[] = { key, NULL };
	yajl_val v = obj ? yajl_tree_get(obj, p, yajl_t_any) : NULL;

	return v && v->type == t ? v : NULL;
}

static const char *get_str(yajl_val obj, const char *key)
{
	yajl_val v = get(obj, key, yajl_t_string);

	return v ? v->u.string : NULL;
}

static int verify_one(const struct attest_key *k, const unsigned char *sig,
		      size_t siglen, const unsigned char *msg, size_t msglen)
{
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx;
	int ok;

	switch (EVP_PKEY_get_base_id(k->pkey)) {
	case EVP_PKEY_EC:
		md = EVP_PKEY_get_bits(k->pkey) == 521 ? EVP_sha512() :
		     EVP_PKEY_get_bits(k->pkey) == 384 ? EVP_sha384() :
		     EVP_sha256();
		break;
	case EVP_PKEY_RSA:
		md = EVP_sha256();
		break;
	default:
		break;	/* Ed25519: no separate digest */
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EKEYREJECTED;
}

/* The predicate, written back as JSON (one key per line, so that the
 * readers' line numbers mean something), at most SBOM_MAX_DEPTH deep. */
static int emit(yajl_gen g, yajl_val v, int depth)
{
	size_t i;

	if (depth > SBOM_MAX_DEPTH)
		return -EBADMSG;
	switch (v->type) {
	case yajl_t_string:
		return yajl_gen_string(g, (const unsigned char *)v->u.string,
				       strlen(v->u.string)) ? -ENOMEM : 0;
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r,
				       strlen(v->u.number.r)) ? -ENOMEM : 0;
	case yajl_t_true:
	case yajl_t_false:
		return yajl_gen_bool(g, v->type == yajl_t_true) ? -ENOMEM : 0;
	case yajl_t_null:
		return yajl_gen_null(g) ? -ENOMEM : 0;
	case yajl_t_array:
		if (yajl_gen_array_open(g))
			return -ENOMEM;
		for (i = 0; i < v->u.array.len; i++) {
			int ret = emit(g, v->u.array.values[i], depth + 1);

			if (ret)
				return ret;
		}
		return yajl_gen_array_close(g) ? -ENOMEM : 0;
	case yajl_t_object:
		if (yajl_gen_map_open(g))
			return -ENOMEM;
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			int ret;

			if (yajl_gen_string(g, (const unsigned char *)k,
					    strlen(k)))
				return -ENOMEM;
			ret = emit(g, v->u.object.values[i], depth + 1);
			if (ret)
				return ret;
		}
		return yajl_gen_map_close(g) ? -ENOMEM : 0;
	default:
		return -EBADMSG;
	}
}

static int predicate_format(const char *t, enum sbom_format *fmt)
{
	static const struct {
		const char *uri;
		enum sbom_format fmt;
	} known[] = {
		{ "https://cyclonedx.org/bom", SBOM_FMT_CDX_JSON },
		{ "https://spdx.dev/Document", SBOM_FMT_AUTO },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t l = strlen(known[i].uri);

		if (!strncmp(t, known[i].uri, l) &&
		    (t[l] == '\0' || t[l] == '/')) {
			*fmt = known[i].fmt;
			return 0;
		}
	}
	return -EMEDIUMTYPE;
}

int attest_parse_statement(const char *path, const unsigned char *p,
			   size_t plen, struct attest *a, char *err,
			   size_t errlen)
{
	char ebuf[256], esc[512];
	yajl_val st, subj, s0, pred;
	const char *type, *name, *dig;
	const unsigned char *gbuf;
	yajl_gen g = NULL;
	size_t glen;
	char *txt;
	int ret;

	if (memchr(p, '\0', plen))
		return errf(err, errlen, -EBADMSG,
			    "%s: the in-toto statement contains a NUL byte",
			    path);
	txt = malloc(plen + 1);
	if (!txt)
		return -ENOMEM;
	memcpy(txt, p, plen);
	txt[plen] = '\0';
	st = yajl_tree_parse(txt, ebuf, sizeof(ebuf));
	free(txt);
	if (!st || st->type != yajl_t_object) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: the payload is not an in-toto statement (JSON object)",
			   path);
		goto out;
	}
	type = get_str(st, "_type");
	if (!type || strncmp(type, "https://in-toto.io/Statement/", 29)) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: the payload's _type is %s, not an in-toto statement (https://in-toto.io/Statement/v1)",
			   path, type ? text_escape(esc, sizeof(esc), type) :
			   "missing");
		goto out;
	}
	type = get_str(st, "predicateType");
	if (!type) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: the statement has no predicateType", path);
		goto out;
	}
	if (predicate_format(type, &a->format)) {
		ret = errf(err, errlen, -EMEDIUMTYPE,
			   "%s: predicateType %s is not an SBOM (https://cyclonedx.org/bom, https://spdx.dev/Document)",
			   path, text_escape(esc, sizeof(esc), type));
		goto out;
	}
	a->predicate_type = strdup(type);
	subj = get(st, "subject", yajl_t_array);
	s0 = subj && subj->u.array.len ? subj->u.array.values[0] : NULL;
	name = s0 ? get_str(s0, "name") : NULL;
	dig = NULL;
	if (s0) {
		const char *dp[] = { "digest", "sha256", NULL };
		yajl_val d = yajl_tree_get(s0, dp, yajl_t_string);

		dig = d ? d->u.string : NULL;
	}
	if (!name || !dig || strlen(dig) != 64 ||
	    sha256_parse_hex(dig, 64, a->subject_sha256)) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: the statement has no subject with a name and a sha256 digest",
			   path);
		goto out;
	}
	a->nr_subjects = subj->u.array.len;
	a->subject_name = strndup(name, ATTEST_MAX_SUBJECT);
	pred = get(st, "predicate", yajl_t_object);
	if (!pred) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: the statement's predicate is not a JSON object (an SBOM document)",
			   path);
		goto out;
	}
	g = yajl_gen_alloc(NULL);
	if (!g || !a->predicate_type || !a->subject_name) {
		ret = -ENOMEM;
		goto out;
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	ret = emit(g, pred, 1);
	if (ret == -EBADMSG) {
		errf(err, errlen, ret,
		     "%s: the predicate is nested deeper than %d levels",
		     path, SBOM_MAX_DEPTH);
		goto out;
	}
	if (ret)
		goto out;
	yajl_gen_get_buf(g, &gbuf, &glen);
	a->predicate = malloc(glen ? glen : 1);
	if (!a->predicate) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(a->predicate, gbuf, glen);
	a->predicate_len = glen;
out:
	if (g)
		yajl_gen_free(g);
	yajl_tree_free(st);
	if (ret == -ENOMEM)
		errf(err, errlen, ret, "%s: out of memory", path);
	return ret;
}

static int verify_envelope(const char *path, yajl_val env,
			   const struct attest_key *keys, int nr_keys,
			   unsigned char **payload, size_t *plen,
			   int *signer, char *err, size_t errlen)
{
	const char *ptype = get_str(env, "payloadType");
	const char *pb64 = get_str(env, "payload");
	yajl_val sigs = get(env, "signatures", yajl_t_array);
	unsigned char *pae = NULL;
	char esc[256];
	size_t n, paelen;
	int ret, nsig = 0;

	if (!ptype || !pb64 || !sigs)
		return errf(err, errlen, -EBADMSG,
			    "%s: not a DSSE envelope (needs payloadType, payload, signatures)",
			    path);
	if (strcmp(ptype, INTOTO_TYPE))
		return errf(err, errlen, -EBADMSG,
			    "%s: payloadType is %s, not " INTOTO_TYPE, path,
			    text_escape(esc, sizeof(esc), ptype));
	if (!sigs->u.array.len)
		return errf(err, errlen, -EKEYREJECTED,
			    "%s: the envelope has no signature", path);
	if (!nr_keys)
		return errf(err, errlen, -ENOKEY,
			    "%s: a signed attestation, but no key to verify it (--attestation-key)",
			    path);
	ret = b64_decode(pb64, strlen(pb64), payload, plen);
	if (ret)
		return errf(err, errlen, ret, ret == -ENOMEM ?
			    "%s: out of memory" :
			    "%s: the payload is not valid base64", path);
	/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body */
	n = strlen(ptype);
	paelen = 64 + n + *plen;
	pae = malloc(paelen);
	if (!pae) {
		ret = -ENOMEM;
		goto fail;
	}
	paelen = (size_t)snprintf((char *)pae, paelen, "DSSEv1 %zu %s %zu ",
				  n, ptype, *plen);
	memcpy(pae + paelen, *payload, *plen);
	paelen += *plen;
	ret = -EKEYREJECTED;
	for (size_t i = 0; i < sigs->u.array.len && i < ATTEST_MAX_SIGS; i++) {
		const char *s = get_str(sigs->u.array.values[i], "sig");
		unsigned char *sig;
		size_t siglen;

		if (!s || b64_decode(s, strlen(s), &sig, &siglen))
			continue;
		nsig++;
		for (int k = 0; k < nr_keys && ret; k++) {
			ret = verify_one(&keys[k], sig, siglen, pae, paelen);
			if (!ret)
				*signer = k;
			else if (ret != -EKEYREJECTED)
				break;
		}
		free(sig);
		if (ret != -EKEYREJECTED)
			break;
	}
	free(pae);
	if (ret == -EKEYREJECTED && errlen) {
		errf(err, errlen, 0,
		     "%s: %d signature%s, none verifies with the key%s given:",
		     path, nsig, nsig == 1 ? "" : "s", nr_keys == 1 ? "" : "s");
		for (int k = 0; k < nr_keys; k++) {
			size_t o = strlen(err);
			char f[80];

			if (o + 1 >= errlen)
				break;
			snprintf(err + o, errlen - o, " %s",
				 attest_fpr_str(keys[k].fpr, f, sizeof(f)));
		}
	}
	if (!ret)
		return 0;
fail:
	if (ret == -ENOMEM)
		errf(err, errlen, ret, "%s: out of memory", path);
	free(*payload);
	*payload = NULL;
	return ret;
}

int attest_open(const char *path, const struct attest_key *keys, int nr_keys,
		struct attest *a, char *err, size_t errlen)
{
	unsigned char *payload = NULL;
	char ebuf[256], esc[256];
	yajl_val root = NULL, env;
	const char *mt;
	size_t len, plen = 0, lines = 0;
	char *buf = NULL;
	int ret;

	memset(a, 0, sizeof(*a));
	a->signer = -1;
	ret = fileio_read_file(path, ATTEST_MAX_ENVELOPE, (void **)&buf, &len);
	if (ret == -EFBIG)
		return errf(err, errlen, ret,
			    "%s: larger than %d MiB, the limit for an attestation",
			    path, ATTEST_MAX_ENVELOPE >> 20);
	if (ret)
		return errf(err, errlen, ret, "%s: %s", path, strerror(-ret));
	if (!EVP_Digest(buf, len, a->envelope_sha256, NULL, EVP_sha256(),
			NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	/* JSON lines: one envelope per line, each starting with '{' in the
	 * first column (a pretty-printed object has only its first there) */
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '{' && (i == 0 || buf[i - 1] == '\n');
	if (memchr(buf, '\0', len)) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: not a DSSE envelope (NUL byte)", path);
		goto out;
	}
	{
		char *t = realloc(buf, len + 1);

		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		buf = t;
		buf[len] = '\0';
	}
	root = yajl_tree_parse(buf, ebuf, sizeof(ebuf));
	if (!root && lines > 1) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: %zu JSON objects on lines of their own (JSON lines?): one envelope per file, please split it",
			   path, lines);
		goto out;
	}
	if (!root || root->type != yajl_t_object) {
		ret = errf(err, errlen, -EBADMSG,
			   "%s: not a DSSE envelope or Sigstore bundle (not a JSON object)",
			   path);
		goto out;
	}
	env = root;
	mt = get_str(root, "mediaType");
	if (mt || get(root, "dsseEnvelope", yajl_t_any)) {
		if (!mt || strncmp(mt, BUNDLE_TYPE, strlen(BUNDLE_TYPE))) {
			ret = errf(err, errlen, -EBADMSG,
				   "%s: mediaType %s is not a Sigstore bundle",
				   path, mt ? text_escape(esc, sizeof(esc), mt) :
				   "missing");
			goto out;
		}
		env = get(root, "dsseEnvelope", yajl_t_object);
		if (!env) {
			ret = errf(err, errlen, -EBADMSG,
				   "%s: the Sigstore bundle holds no dsseEnvelope (a message signature is not an attestation)",
				   path);
			goto out;
		}
	}
	ret = verify_envelope(path, env, keys, nr_keys, &payload, &plen,
			      &a->signer, err, errlen);
	if (ret)
		goto out;
	memcpy(a->signer_fpr, keys[a->signer].fpr, 32);
	ret = attest_parse_statement(path, payload, plen, a, err, errlen);
out:
	if (ret == -ENOMEM)
		errf(err, errlen, ret, "%s: out of memory", path);
	yajl_tree_free(root);
	free(payload);
	free(buf);
	if (ret)
		attest_free(a);
	return ret;
}

void attest_free(struct attest *a)
{
	free(a->subject_name);
	free(a->predicate_type);
	free(a->predicate);
	a->subject_name = a->predicate_type = a->predicate = NULL;
	a->predicate_len = 0;
}
