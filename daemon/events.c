// SPDX-License-Identifier: GPL-2.0
/*
 * Events: every record from the ring buffer becomes one JSON line
 * (docs/events.md) enriched with the component the policy names for the
 * digest and the parent process; identical repeated denials are coalesced;
 * the lines go to the sinks of evout.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "policy.h"
#include "sha256.h"

static void json_time(struct json_writer *w)
{
	struct timespec ts;
	struct tm tm;
	char buf[32], t[48];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(t, sizeof(t), "%s.%03ldZ", buf, ts.tv_nsec / 1000000);
	json_kv_string(w, "time", t);
}

/* Opens the line's object: schema, type, seq, time. */
static void head(struct daemon *d, struct json_writer *w, FILE *f,
		 const char *type)
{
	json_begin(w, f);
	json_object(w);
	json_kv_string(w, "schema", EVENT_SCHEMA);
	json_kv_string(w, "type", type);
	json_kv_u64(w, "seq", ++d->ev.seq);
	json_time(w);
}

/* A staged package as the component: what the issue calls its purl. */
static void package_json(struct json_writer *w, const struct apt_stage_pkg *pk)
{
	char *purl = NULL;

	json_object(w);
	json_kv_string(w, "name", pk->name);
	json_kv_string(w, "version", pk->version);
	if (asprintf(&purl, "pkg:deb/debian/%s@%s?arch=%s", pk->name,
		     pk->version, pk->arch) > 0)
		json_kv_string(w, "purl", purl);
	free(purl);
	json_kv_string(w, "repository", pk->repo);
	json_kv_string(w, "key", pk->fpr);
	json_kv_string(w, "sbom", "(trust-apt)");
	json_end(w);
}

/*
 * The component the kernel found for the digest (ev->comp), in the policy
 * it decided against (ev->generation): no second search. Only a writer
 * refused on the real file of an overlay mapping is decided without a
 * lookup; its digest is looked up here.
 */
static void component_json(struct daemon *d, struct json_writer *w,
			   const struct bg_event *ev)
{
	const struct policy *p = daemon_policy_of(d, ev->generation);
	const struct policy_component *c = NULL;
	const struct policy_source *s = NULL;
	__u32 comp = ev->comp;

	if (p && comp == POLICY_NO_COMPONENT &&
	    ev->reason == BG_REASON_WRITABLE) {
		const struct policy_entry *pe = policy__lookup(p, ev->digest);

		if (pe)
			comp = pe->component;
	}
	if (p && comp != POLICY_NO_COMPONENT)
		c = policy__component(p, comp);
	if (!c && p && comp != POLICY_NO_COMPONENT) {
		const struct apt_stage_pkg *pk = daemon_staged_pkg(d, p, comp);

		if (pk) {
			package_json(w, pk);
			return;
		}
	}
	if (!c) {
		json_null(w);
		return;
	}
	if (c->source != POLICY_SRC_POLICY)
		s = policy__source(p, c->source);
	json_object(w);
	json_kv_string(w, "name", c->name);
	json_kv_string(w, "version", c->version);
	json_kv_string(w, "purl", c->purl);
	json_kv_string(w, "sbom", s ? s->name : "(policy source)");
	json_end(w);
}

static void parent_json(struct json_writer *w, __u32 ppid)
{
	char p[64], exe[PATH_MAX], comm[32] = "";
	ssize_t n;
	FILE *cf;

	json_object(w);
	json_kv_u64(w, "pid", ppid);
	snprintf(p, sizeof(p), "/proc/%u/exe", ppid);
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		json_kv_string(w, "exe", exe);
	}
	snprintf(p, sizeof(p), "/proc/%u/comm", ppid);
	cf = fopen(p, "re");
	if (cf) {
		if (fgets(comm, sizeof(comm), cf)) {
			comm[strcspn(comm, "\n")] = '\0';
			json_kv_string(w, "comm", comm);
		}
		fclose(cf);
	}
	json_end(w);
}

void event_json(struct daemon *d, FILE *f, const struct bg_event *ev,
		const char *type, __u32 count, time_t first)
{
	char hex[65], s[BG_PATH_LEN + 1];
	struct json_writer w;

	head(d, &w, f, type);
	sha256_hex(ev->digest, hex);
	json_kv_string(&w, "hook", bg_hook_name(ev->hook));
	json_kv_string(&w, "decision", bg_decision_name(ev->decision));
	json_kv_string(&w, "reason", bg_reason_name(ev->reason));
	json_kv_string(&w, "mode", bg_mode_name(ev->mode));
	if (ev->scope) {
		const struct policy *p = daemon_policy_of(d, ev->generation);
		const struct policy_scope *sc = p ?
			policy__scope(p, ev->scope - 1) : NULL;

		json_kv_string(&w, "scope", sc ? sc->path : "?");
	}
	memcpy(s, ev->path, BG_PATH_LEN);
	s[BG_PATH_LEN] = '\0';
	json_kv_string(&w, "path", s);
	json_kv_string(&w, "sha256", bg_reason_measured(ev->reason) ? hex : "");
	json_kv_bool(&w, "cached", ev->cached);
	json_kv_i64(&w, "err", ev->err);
	json_kv_u64(&w, "pid", ev->tgid);
	json_kv_u64(&w, "tid", ev->pid);
	json_kv_u64(&w, "uid", ev->uid);
	memcpy(s, ev->comm, BG_COMM_LEN);
	s[BG_COMM_LEN] = '\0';
	json_kv_string(&w, "comm", s);
	json_key(&w, "parent");
	parent_json(&w, ev->ppid);
	json_key(&w, "component");
	component_json(d, &w, ev);
	json_kv_u64(&w, "policy_generation", ev->generation);
	json_kv_u64(&w, "policy_version", GEN_VERSION(ev->generation));
	json_kv_u64(&w, "cgroup_id", ev->cgroup_id);
	json_kv_u64(&w, "dev", ev->dev);
	json_kv_u64(&w, "ino", ev->ino);
	json_kv_u64(&w, "ktime_ns", ev->ktime_ns);
	json_kv_u64(&w, "count", count);
	if (first)
		json_kv_i64(&w, "first", first);
	json_end(&w);
}

static void event_line(struct daemon *d, const struct bg_event *ev,
		       const char *type, __u32 count, time_t first)
{
	struct json_buf b;

	if (json_buf_open(&b))
		return;
	event_json(d, b.f, ev, type, count, first);
	if (json_buf_close(&b))
		evout_emit(&d->ev, b.text, b.len,
			   ev->decision == BG_DEC_DENIED ? LOG_WARNING :
			   ev->decision == BG_DEC_WOULD_DENY ? LOG_NOTICE :
			   LOG_INFO);
	json_buf_free(&b);
}

static __u64 event_key(const struct bg_event *ev)
{
	unsigned char buf[BG_DIGEST_LEN + BG_PATH_LEN + 8], dg[32];
	__u64 k;

	memcpy(buf, ev->digest, BG_DIGEST_LEN);
	memcpy(buf + BG_DIGEST_LEN, ev->path, BG_PATH_LEN);
	buf[BG_DIGEST_LEN + BG_PATH_LEN] = ev->hook;
	buf[BG_DIGEST_LEN + BG_PATH_LEN + 1] = ev->decision;
	buf[BG_DIGEST_LEN + BG_PATH_LEN + 2] = ev->reason;
	memcpy(buf + BG_DIGEST_LEN + BG_PATH_LEN + 3, &ev->uid, 4);
	buf[BG_DIGEST_LEN + BG_PATH_LEN + 7] = ev->scope;	/* who decided */
	sha256_buf(buf, sizeof(buf), dg);
	memcpy(&k, dg, sizeof(k));
	return k ? k : 1;
}

static void slot_flush(struct daemon *d, struct coalesce_slot *s)
{
	if (s->count)
		event_line(d, &s->ev, "repeat", s->count, s->first);
	s->used = 0;
}

/* 1: a repeat of a denial reported less than coalesce_secs ago. */
static int coalesced(struct daemon *d, const struct bg_event *ev)
{
	struct evout *o = &d->ev;
	struct coalesce_slot *s, *oldest = NULL;
	time_t now = time(NULL);
	__u64 k;

	if (!o->coalesce_secs || ev->decision == BG_DEC_ALLOWED)
		return 0;
	k = event_key(ev);
	for (int i = 0; i < COALESCE_SLOTS; i++) {
		s = &o->slot[(k + i) % COALESCE_SLOTS];
		if (s->used && s->key == k) {
			s->count++;
			return 1;
		}
	}
	for (int i = 0; i < COALESCE_SLOTS; i++) {
		s = &o->slot[(k + i) % COALESCE_SLOTS];
		if (!s->used)
			break;
		if (!oldest || s->first < oldest->first)
			oldest = s;
		s = NULL;
	}
	if (!s) {
		slot_flush(d, oldest);
		s = oldest;
	}
	s->used = 1;
	s->key = k;
	s->first = now;
	s->count = 0;
	s->ev = *ev;
	return 0;
}

int daemon_on_event(void *ctx, const struct bg_event *ev)
{
	struct daemon *d = ctx;

	if (ev->reason == BG_REASON_UNMEASURABLE ||
	    ev->reason == BG_REASON_UNMEASURED_BUF ||
	    ev->reason == BG_REASON_UNMEASURED_DATA ||
	    ev->reason == BG_REASON_TOO_LARGE)
		d->unmeasurable++;
	if (ev->reason == BG_REASON_SEALED) {
		d->tampers++;
		event_line(d, ev, "tamper", 1, 0);	/* never coalesced */
		return 0;
	}
	if (coalesced(d, ev))
		return 0;
	event_line(d, ev, "decision", 1, 0);
	return 0;
}

/* Once a second: flush coalesced repeats whose window ended, report
 * ring buffer drops. */
void daemon_event_flush(struct daemon *d, time_t now)
{
	for (int i = 0; i < COALESCE_SLOTS; i++) {
		struct coalesce_slot *s = &d->ev.slot[i];

		if (s->used && now - s->first >= d->ev.coalesce_secs)
			slot_flush(d, s);
	}
}

void daemon_event_tick(struct daemon *d)
{
	__u64 c[BG_CNT_MAX];

	daemon_event_flush(d, time(NULL));
	if (engine__counters(d->e, c))
		return;
	if (c[BG_CNT_DROPS] > d->drops_seen) {
		struct json_writer w;
		struct json_buf b;

		if (!json_buf_open(&b)) {
			head(d, &w, b.f, "drops");
			json_kv_u64(&w, "dropped", c[BG_CNT_DROPS] - d->drops_seen);
			json_kv_u64(&w, "total", c[BG_CNT_DROPS]);
			json_end(&w);
			if (json_buf_close(&b))
				evout_emit(&d->ev, b.text, b.len, LOG_WARNING);
			json_buf_free(&b);
		}
		pr_warn("ring buffer full: %llu event(s) lost",
			(unsigned long long)(c[BG_CNT_DROPS] - d->drops_seen));
	}
	d->drops_seen = c[BG_CNT_DROPS];
}

/* A change in the kernel's state that this daemon did not make. */
void daemon_tamper(struct daemon *d, const char *what, const char *detail)
{
	struct json_writer w;
	struct json_buf b;

	d->tampers++;
	if (json_buf_open(&b))
		return;
	head(d, &w, b.f, "tamper");
	json_kv_string(&w, "hook", "state");
	json_kv_string(&w, "decision", "detected");
	json_kv_string(&w, "what", what);
	json_kv_string(&w, "detail", detail);
	json_kv_u64(&w, "policy_version", GEN_VERSION(d->generation));
	json_end(&w);
	if (json_buf_close(&b))
		evout_emit(&d->ev, b.text, b.len, LOG_CRIT);
	json_buf_free(&b);
}

void daemon_package_event(struct daemon *d, const char *deb,
			  const struct apt_stage_pkg *pkg, const char *why)
{
	struct json_writer w;
	struct json_buf b;

	if (json_buf_open(&b))
		return;
	head(d, &w, b.f, "package");
	json_kv_string(&w, "decision", pkg ? "staged" : "refused");
	json_kv_string(&w, "deb", deb);
	if (pkg) {
		json_key(&w, "component");
		package_json(&w, pkg);
		json_kv_u64(&w, "files", pkg->nfiles);
		json_kv_string(&w, "release", pkg->release);
		json_kv_u64(&w, "trust_line", pkg->trust_line);
	} else {
		json_kv_string(&w, "reason", "untrusted-package");
		json_kv_string(&w, "detail", why);
	}
	json_kv_u64(&w, "policy_version", GEN_VERSION(d->generation));
	json_end(&w);
	if (json_buf_close(&b))
		evout_emit(&d->ev, b.text, b.len, pkg ? LOG_INFO : LOG_WARNING);
	json_buf_free(&b);
}

void daemon_note(struct daemon *d, const char *action, int ok,
		 const char *detail)
{
	struct json_writer w;
	struct json_buf b;

	if (json_buf_open(&b))
		return;
	head(d, &w, b.f, "daemon");
	json_kv_string(&w, "action", action);
	json_kv_bool(&w, "ok", ok);
	json_kv_string(&w, "detail", detail);
	json_kv_u64(&w, "policy_version", GEN_VERSION(d->generation));
	json_end(&w);
	if (json_buf_close(&b))
		evout_emit(&d->ev, b.text, b.len, ok ? LOG_NOTICE : LOG_ERR);
	json_buf_free(&b);
}
