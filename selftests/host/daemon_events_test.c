// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's logic without BPF, linked from libbomgated.a: the event
 * line against docs/events.md, coalescing of repeated denials, policy
 * generations and the component an event names, and the lock-out guard
 * against real policies over real files.
 */
#include <limits.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "kselftest_harness.h"
#include "daemon.h"
#include "engine.h"
#include "policy.h"
#include "sha256.h"

/* A policy allowing @n digests, component i named "comp-i" in "s.json". */
static struct policy *make_policy(const __u8 (*dg)[32], int n, __u64 ver,
				  __u32 block_last)
{
	static const __u8 zero[32];
	static const __u8 scope_modes[BG_CLASS_MAX] = {
		BG_MODE_AUDIT, BG_MODE_INHERIT, BG_MODE_INHERIT,
		BG_MODE_INHERIT, BG_MODE_INHERIT };
	struct policy_builder *b = policy_builder__new();
	struct policy *p = NULL;
	char name[32], err[256];
	void *buf = NULL;
	size_t len;
	int src;

	if (!b)
		return NULL;
	policy_builder__set_version(b, ver);
	src = policy_builder__add_source(b, zero, "s.json", BGP_FMT_CDX_JSON);
	for (int i = 0; i < n && src >= 0; i++) {
		struct policy_component c = { .name = name, .version = "1",
					      .source = src };
		int idx;

		snprintf(name, sizeof(name), "comp-%d", i);
		idx = policy_builder__add_component(b, &c);
		if (idx < 0 || policy_builder__add_digest(b, dg[i],
				block_last && i == n - 1 ? POLICY_F_BLOCK :
				POLICY_F_ALLOW, idx))
			goto out;
	}
	if (src >= 0 && policy_builder__add_scope(b, "/sys/fs/cgroup/app.slice",
						  4, scope_modes) < 0)
		goto out;
	if (!policy_builder__serialize(b, &buf, &len, NULL))
		p = policy__from_mem(buf, len, err, sizeof(err));
out:
	free(buf);
	policy_builder__free(b);
	return p;
}

static void digest_of(const char *s, __u8 dg[32])
{
	sha256_buf(s, strlen(s), dg);
}

static struct bg_event event(const __u8 dg[32], __u32 comp, __u64 gen,
			     __u8 decision, __u8 reason)
{
	struct bg_event ev = {
		.version = BG_EVENT_VERSION, .hook = BG_HOOK_EXEC,
		.decision = decision, .reason = reason, .mode = BG_MODE_ENFORCE,
		.tgid = 10, .pid = 11, .ppid = getpid(), .uid = 1000,
		.comp = comp, .cgroup_id = 7, .dev = 8, .ino = 9,
		.generation = gen, .ktime_ns = 12,
	};

	memcpy(ev.digest, dg, 32);
	strcpy(ev.path, "/usr/bin/x");
	strcpy(ev.comm, "sh");
	return ev;
}

static char *render(struct daemon *d, const struct bg_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	event_json(d, f, ev, "decision", 1, 0);
	fclose(f);
	return buf;
}

/* The members docs/events.md lists for every object and for decisions,
 * with their documented type. */
struct doc_member {
	char name[32];
	char type[32];
};

static int doc_members(struct doc_member *m, int max)
{
	char line[4096];
	int n = 0, in = 0;
	FILE *f = fopen("docs/events.md", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *type;

		if (!strncmp(line, "## ", 3))
			in = !strncmp(line, "## `decision`", 13);
		if (!strncmp(line, "Every object has", 16))
			in = 1;
		if (!in || strncmp(line, "| `", 3))
			continue;
		type = strchr(line + 1, '|');	/* end of the name cell */
		if (!type)
			continue;
		*type++ = '\0';
		while (*type == ' ')
			type++;
		type[strcspn(type, "|")] = '\0';
		while (*type && type[strlen(type) - 1] == ' ')
			type[strlen(type) - 1] = '\0';
		/* "| `pid`, `tid`, `uid` |": one member each */
		while ((p = strchr(p, '`')) && n < max) {
			char *e = strchr(p + 1, '`');

			if (!e)
				break;
			snprintf(m[n].name, sizeof(m[n].name), "%.*s",
				 (int)(e - p - 1), p + 1);
			snprintf(m[n].type, sizeof(m[n].type), "%s", type);
			n++;
			p = e + 1;
		}
	}
	fclose(f);
	return n;
}

static const char *type_of(yajl_val v)
{
	return YAJL_IS_STRING(v) ? "string" : YAJL_IS_NUMBER(v) ? "number" :
	       YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v) ? "bool" :
	       YAJL_IS_OBJECT(v) ? "object" : YAJL_IS_NULL(v) ? "null" : "?";
}

FIXTURE(ev) {
	struct daemon_conf conf;
	struct daemon d;
	char dir[32], file[64];
	__u8 dg[3][32];
};

FIXTURE_SETUP(ev)
{
	daemon_conf__init(&self->conf);
	strcpy(self->dir, "/tmp/bg-ev-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->file, sizeof(self->file), "%s/events", self->dir);
	self->conf.events_file = self->file;
	self->conf.events_stdout = 0;
	self->conf.events_syslog = 0;
	self->conf.coalesce_secs = 60;
	self->d.conf = &self->conf;
	ASSERT_EQ(0, evout_open(&self->d.ev, &self->conf));
	digest_of("a", self->dg[0]);
	digest_of("b", self->dg[1]);
	digest_of("c", self->dg[2]);
}

FIXTURE_TEARDOWN(ev)
{
	evout_close(&self->d.ev);
	policy__free(self->d.pol);
	policy__free(self->d.prev_pol);
	unlink(self->file);
	rmdir(self->dir);
	self->conf.events_file = NULL;
	daemon_conf__free(&self->conf);
}

/* Every member the event line has is documented with its type, and every
 * documented decision member is there. */
TEST_F(ev, decision_line_matches_docs)
{
	struct doc_member m[64];
	int n = doc_members(m, 64), k = 0;
	struct bg_event e;
	yajl_val v;
	char *s, why[128];

	ASSERT_LT(20, n) TH_LOG("docs/events.md: %d members read", n);
	self->d.pol = make_policy((const __u8 (*)[32])self->dg, 2, 3, 0);
	ASSERT_NE(NULL, self->d.pol);
	self->d.generation = gen_next(0, 3);
	e = event(self->dg[1], policy__lookup(self->d.pol, self->dg[1])->component,
		  self->d.generation, BG_DEC_DENIED, BG_REASON_LISTED);
	e.scope = 1;	/* decided by the policy's first scope */
	s = render(&self->d, &e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"scope\":\"/sys/fs/cgroup/app.slice\""))
		TH_LOG("%s", s);
	v = yajl_tree_parse(s, why, sizeof(why));
	ASSERT_NE(NULL, v) TH_LOG("%s: %s", why, s);
	ASSERT_TRUE(YAJL_IS_OBJECT(v));
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		int j;

		for (j = 0; j < n; j++)
			if (!strcmp(m[j].name, key))
				break;
		EXPECT_GT(n, j) TH_LOG("member '%s' is not in docs/events.md", key);
		if (j < n)
			EXPECT_NE(NULL, strstr(m[j].type,
					       type_of(v->u.object.values[i])))
				TH_LOG("%s: documented %s, is %s", key, m[j].type,
				       type_of(v->u.object.values[i]));
	}
	for (int j = 0; j < n; j++) {
		const char *path[] = { m[j].name, NULL };

		if (yajl_tree_get(v, path, yajl_t_any))
			k++;
		else
			TH_LOG("documented member '%s' missing", m[j].name);
	}
	EXPECT_EQ(n, k);
	{
		const char *name[] = { "component", "name", NULL };
		const char *sbom[] = { "component", "sbom", NULL };

		EXPECT_STREQ("comp-1", YAJL_GET_STRING(yajl_tree_get(v, name,
								  yajl_t_string)));
		EXPECT_STREQ("s.json", YAJL_GET_STRING(yajl_tree_get(v, sbom,
								  yajl_t_string)));
	}
	yajl_tree_free(v);
	free(s);
}

/* The component comes from the event's index in the policy of the
 * event's generation: the one before the swap still names its own. */
TEST_F(ev, component_from_the_generation_decided_against)
{
	struct policy *p1, *p2;
	struct bg_event e;
	__u64 g1, g2;
	char *s;

	p1 = make_policy((const __u8 (*)[32])self->dg, 2, 3, 0);
	/* v4 lists c first: a's index differs */
	p2 = make_policy((const __u8 (*)[32])self->dg + 1, 2, 4, 0);
	ASSERT_NE(NULL, p1);
	ASSERT_NE(NULL, p2);
	g1 = gen_next(0, 3);
	g2 = gen_next(g1, 4);
	self->d.pol = p1;
	self->d.generation = g1;
	/* the swap, as daemon_policy_apply() does it */
	self->d.prev_pol = self->d.pol;
	self->d.prev_generation = self->d.generation;
	self->d.pol = p2;
	self->d.generation = g2;
	EXPECT_EQ(p2, daemon_policy_of(&self->d, g2));
	EXPECT_EQ(p1, daemon_policy_of(&self->d, g1));
	EXPECT_EQ(NULL, daemon_policy_of(&self->d, gen_next(g2, 4)));
	EXPECT_EQ(NULL, daemon_policy_of(&self->d, 0));

	/* decided against v3: b is comp-1 there */
	e = event(self->dg[1], policy__lookup(p1, self->dg[1])->component, g1,
		  BG_DEC_ALLOWED, BG_REASON_LISTED);
	s = render(&self->d, &e);
	EXPECT_NE(NULL, strstr(s, "\"component\":{\"name\":\"comp-1\"")) TH_LOG("%s", s);
	free(s);
	/* the same digest decided against v4: comp-0 */
	e = event(self->dg[1], policy__lookup(p2, self->dg[1])->component, g2,
		  BG_DEC_ALLOWED, BG_REASON_LISTED);
	s = render(&self->d, &e);
	EXPECT_NE(NULL, strstr(s, "\"component\":{\"name\":\"comp-0\"")) TH_LOG("%s", s);
	free(s);
	/* a generation no longer kept, or no component: null */
	e.generation = gen_next(g2, 4);
	s = render(&self->d, &e);
	EXPECT_NE(NULL, strstr(s, "\"component\":null,")) TH_LOG("%s", s);
	free(s);
	e = event(self->dg[0], ~0U, g2, BG_DEC_DENIED, BG_REASON_UNKNOWN);
	s = render(&self->d, &e);
	EXPECT_NE(NULL, strstr(s, "\"component\":null,")) TH_LOG("%s", s);
	free(s);
}

TEST(generations)
{
	__u64 g = gen_next(0, 5);

	EXPECT_EQ((5ULL << GEN_SHIFT) | 1, g);
	EXPECT_EQ(5, GEN_VERSION(g));
	/* a reload of the same version counts up, a new version restarts */
	EXPECT_EQ((5ULL << GEN_SHIFT) | 2, gen_next(g, 5));
	EXPECT_EQ((6ULL << GEN_SHIFT) | 1, gen_next(gen_next(g, 5), 6));
	/* a rollback is a new generation too */
	EXPECT_EQ((4ULL << GEN_SHIFT) | 1, gen_next(g, 4));
	/* the counter wraps past 0: never generation 0, never reused at once */
	g = (5ULL << GEN_SHIFT) | ((1ULL << GEN_SHIFT) - 1);
	EXPECT_EQ((5ULL << GEN_SHIFT) | 1, gen_next(g, 5));
	EXPECT_NE(0, gen_next(0, 0));
	EXPECT_NE(0, gen_next(gen_next(0, 0), 0));
}

static int lines(const char *path, const char *needle)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !needle || strstr(line, needle);
	fclose(f);
	return n;
}

/* Repeated denials are one line, then one 'repeat' with the count when
 * the window ends; allowed decisions and other denials are not folded. */
TEST_F(ev, coalescing)
{
	struct bg_event a = event(self->dg[0], ~0U, 1, BG_DEC_DENIED,
				  BG_REASON_UNKNOWN);
	struct bg_event b = a, ok = a, other_uid = a;
	time_t now = time(NULL);

	strcpy(b.path, "/usr/bin/y");
	ok.decision = BG_DEC_ALLOWED;
	other_uid.uid = 0;
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, daemon_on_event(&self->d, &a));
	EXPECT_EQ(0, daemon_on_event(&self->d, &b));
	EXPECT_EQ(0, daemon_on_event(&self->d, &ok));
	EXPECT_EQ(0, daemon_on_event(&self->d, &ok));
	EXPECT_EQ(0, daemon_on_event(&self->d, &other_uid));
	EXPECT_EQ(5, lines(self->file, NULL));
	EXPECT_EQ(3, lines(self->file, "\"decision\":\"denied\""));
	/* not yet: the window is open */
	daemon_event_flush(&self->d, now + 1);
	EXPECT_EQ(5, lines(self->file, NULL));
	daemon_event_flush(&self->d, now + 61);
	EXPECT_EQ(6, lines(self->file, NULL));
	EXPECT_EQ(1, lines(self->file, "\"type\":\"repeat\""));
	{
		char line[4096] = "";
		FILE *f = fopen(self->file, "re");

		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f) && !strstr(line, "\"repeat\""))
			;
		fclose(f);
		EXPECT_NE(NULL, strstr(line, "\"count\":3,\"first\":")) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, "\"uid\":1000,")) TH_LOG("%s", line);
	}
	/* the window ended: the next one is reported again */
	EXPECT_EQ(0, daemon_on_event(&self->d, &a));
	EXPECT_EQ(7, lines(self->file, NULL));
	/* coalesce = 0: every decision */
	self->d.ev.coalesce_secs = 0;
	EXPECT_EQ(0, daemon_on_event(&self->d, &b));
	EXPECT_EQ(0, daemon_on_event(&self->d, &b));
	EXPECT_EQ(9, lines(self->file, NULL));
}

/* Digests of every guarded path, as 'bomgated --guard-list' prints them;
 * the operator's --guard file last. */
static int guarded(struct daemon_conf *c, __u8 (*dg)[32], int max)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	int n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || guard_list(c, f))
		return -1;
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		for (int i = 0; i < 32; i++)
			sscanf(line + 2 * i, "%2hhx", &dg[n][i]);
		n++;
	}
	free(buf);
	return n;
}

TEST(guard_against_real_policies)
{
	char dir[] = "/tmp/bg-guard-XXXXXX", mine[64], real[PATH_MAX];
	static __u8 dg[GUARD_MAX][32];
	struct daemon_conf c;
	struct daemon d = { .conf = &c };
	struct policy *p;
	struct engine_modes em = { .mode = { BG_MODE_ENFORCE, BG_MODE_ENFORCE } };
	__u8 *modes = em.mode;
	int n, found = 0;
	FILE *f;

	daemon_conf__init(&c);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(mine, sizeof(mine), "%s/tool", dir);
	f = fopen(mine, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "operator tool %s\n", dir);
	fclose(f);
	c.guard[c.nr_guard++] = strdup(mine);

	/* a policy that lists none of them: /bin/sh and the tool are named */
	digest_of("unrelated", dg[0]);
	p = make_policy((const __u8 (*)[32])dg, 1, 1, 0);
	ASSERT_NE(NULL, p);
	EXPECT_LT(2, guard_check(&c, p, &d.guard));
	ASSERT_NE(NULL, realpath("/bin/sh", real));
	for (int i = 0; i < d.guard.n; i++)
		found += !strcmp(d.guard.path[i], real) ||
			 !strcmp(d.guard.path[i], mine);
	EXPECT_EQ(2, found);
	EXPECT_EQ(1, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_AUDIT, modes[BG_CLASS_EXEC]);
	EXPECT_EQ(BG_MODE_AUDIT, modes[BG_CLASS_MMAP]);
	/* audit is never held back; --force enforces anyway */
	EXPECT_EQ(0, guard_hold(&d, p, &em));
	modes[BG_CLASS_EXEC] = BG_MODE_ENFORCE;
	c.force = 1;
	EXPECT_EQ(0, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_ENFORCE, modes[BG_CLASS_EXEC]);
	c.force = 0;
	policy__free(p);

	/* a policy that allows nothing: every enforced class held in audit */
	p = make_policy((const __u8 (*)[32])dg, 0, 1, 0);
	ASSERT_NE(NULL, p);
	modes[BG_CLASS_EXEC] = modes[BG_CLASS_KEXEC] = BG_MODE_ENFORCE;
	EXPECT_EQ(1, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_AUDIT, modes[BG_CLASS_EXEC]);
	EXPECT_EQ(BG_MODE_AUDIT, modes[BG_CLASS_KEXEC]);
	policy__free(p);
	modes[BG_CLASS_EXEC] = modes[BG_CLASS_MMAP] = BG_MODE_ENFORCE;
	modes[BG_CLASS_KEXEC] = BG_MODE_OFF;

	/* every guarded file allowed: nothing to hold back */
	n = guarded(&c, dg, GUARD_MAX);
	ASSERT_LT(3, n);
	p = make_policy((const __u8 (*)[32])dg, n, 1, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, guard_check(&c, p, &d.guard));
	EXPECT_EQ(0, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_ENFORCE, modes[BG_CLASS_EXEC]);
	policy__free(p);

	/* a scope that enforces exec while the global mode is audit is
	 * checked too, and held in audit alone */
	p = make_policy((const __u8 (*)[32])dg, 1, 1, 0);
	ASSERT_NE(NULL, p);
	memset(modes, BG_MODE_AUDIT, BG_CLASS_MAX);
	em.nr_scopes = 2;
	memset(em.scope[0].mode, BG_MODE_INHERIT, BG_CLASS_MAX);
	memset(em.scope[1].mode, BG_MODE_INHERIT, BG_CLASS_MAX);
	EXPECT_EQ(0, guard_hold(&d, p, &em));
	em.scope[1].mode[BG_CLASS_EXEC] = BG_MODE_ENFORCE;
	EXPECT_EQ(1, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_AUDIT, em.scope[1].mode[BG_CLASS_EXEC]);
	EXPECT_EQ(BG_MODE_INHERIT, em.scope[0].mode[BG_CLASS_EXEC]);
	EXPECT_EQ(BG_MODE_AUDIT, modes[BG_CLASS_EXEC]);
	/* an enforced global mode inherited by a scope: held globally */
	modes[BG_CLASS_MMAP] = BG_MODE_ENFORCE;
	EXPECT_EQ(1, guard_hold(&d, p, &em));
	EXPECT_EQ(BG_MODE_AUDIT, engine_scope_mode(&em, 0, BG_CLASS_MMAP));
	em.nr_scopes = 0;
	policy__free(p);

	/* the same with the operator's tool blocked: only it is named */
	p = make_policy((const __u8 (*)[32])dg, n, 1, 1);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, guard_check(&c, p, &d.guard));
	EXPECT_STREQ(mine, d.guard.path[0]);
	policy__free(p);

	unlink(mine);
	rmdir(dir);
	daemon_conf__free(&c);
}

TEST_HARNESS_MAIN
