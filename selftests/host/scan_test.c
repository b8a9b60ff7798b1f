// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate sbom scan, run as a child process of build/bomgate on a temporary
 * tree of real files (ELF executables and libraries copied from the system,
 * a relocatable object named .ko, scripts, text, symlinks, a FIFO, files
 * that cannot be read); the SBOM it writes is read back with sbom_read()
 * and compiled into a policy that `bomgate check` uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "sbom.h"
#include "sha256.h"
#include "testutil.h"

#define MAX_SEEN 64

struct seen {
	int n;
	struct {
		char name[PATH_MAX];
		char purl[256];
		char version[64];
		unsigned char d[32];
		int file_level;
	} e[MAX_SEEN];
};

static int seen_digest(void *ctx, const struct sbom_digest *d)
{
	struct seen *s = ctx;

	if (s->n == MAX_SEEN)
		return -E2BIG;
	snprintf(s->e[s->n].name, sizeof(s->e[0].name), "%s",
		 d->comp->name ? d->comp->name : "");
	snprintf(s->e[s->n].purl, sizeof(s->e[0].purl), "%s",
		 d->comp->purl ? d->comp->purl : "");
	snprintf(s->e[s->n].version, sizeof(s->e[0].version), "%s",
		 d->comp->version ? d->comp->version : "");
	memcpy(s->e[s->n].d, d->sha256, 32);
	s->e[s->n].file_level = d->file_level;
	s->n++;
	return 0;
}

static int seen_find(const struct seen *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].name, name))
			return i;
	return -1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out, err = 0;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (fchmod(out, mode))
		err = -errno;
	close(in);
	close(out);
	return err;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f))
		return -errno;
	return chmod(path, mode) ? -errno : 0;
}

/* Run build/bomgate with @argv (NULL-terminated, argv[0] ignored) with
 * stdout and stderr in files. As root, CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH are dropped from the bounding set first, so mode 000
 * means unreadable as it does for everyone else. Returns the exit status. */
static int run_bomgate(const char *bin, char *const argv[], const char *out,
		       const char *err)
{
	pid_t pid;
	int st, fd;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (!geteuid() &&
		    (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) ||
		     prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0)))
			_exit(126);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(bin, argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	static char buf[256 * 1024];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

FIXTURE(scan) {
	char dir[64];
	char tree[128];
	char bin[PATH_MAX + 16];
	char sbom[256], out[256], err[256];
	char exe[PATH_MAX], lib[PATH_MAX], obj[PATH_MAX + 16];
	const char *fmt;
	enum sbom_format rf;
};

FIXTURE_VARIANT(scan) {
	const char *fmt;
	enum sbom_format rf;
};

FIXTURE_VARIANT_ADD(scan, cyclonedx) {
	.fmt = "cyclonedx",
	.rf = SBOM_FMT_CDX_JSON,
};

FIXTURE_VARIANT_ADD(scan, spdx) {
	.fmt = "spdx",
	.rf = SBOM_FMT_SPDX_JSON,
};

static void tree_path(char *buf, size_t len, const char *tree, const char *rel)
{
	snprintf(buf, len, "%s/%s", tree, rel);
}

FIXTURE_SETUP(scan)
{
	char build[PATH_MAX], p[PATH_MAX];
	glob_t g;

	self->fmt = variant->fmt;
	self->rf = variant->rf;
	ASSERT_NE(NULL, realpath(tu_build(), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("no %s", self->bin);
	snprintf(self->obj, sizeof(self->obj), "%s/lib/scan.o", build);
	ASSERT_EQ(0, access(self->obj, R_OK)) TH_LOG("no %s", self->obj);
	ASSERT_NE(NULL, realpath("/usr/bin/true", self->exe));
	ASSERT_EQ(0, glob("/lib/*/libc.so.6", 0, NULL, &g)) TH_LOG("no libc");
	ASSERT_NE(NULL, realpath(g.gl_pathv[0], self->lib));
	globfree(&g);

	snprintf(self->dir, sizeof(self->dir), "/tmp/scan_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->tree, sizeof(self->tree), "%s/tree", self->dir);
	snprintf(self->sbom, sizeof(self->sbom), "%s/out.json", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/stdout", self->dir);
	snprintf(self->err, sizeof(self->err), "%s/stderr", self->dir);
#define T(rel) (tree_path(p, sizeof(p), self->tree, rel), p)
	ASSERT_EQ(0, mkdir(self->tree, 0755));
	ASSERT_EQ(0, mkdir(T("bin"), 0755));
	ASSERT_EQ(0, mkdir(T("lib"), 0755));
	ASSERT_EQ(0, mkdir(T("share"), 0755));
	ASSERT_EQ(0, mkdir(T("locked"), 0755));
	ASSERT_EQ(0, copy_file(self->exe, T("bin/true"), 0755));
	ASSERT_EQ(0, copy_file(self->lib, T("lib/libc.so.6"), 0644));
	ASSERT_EQ(0, copy_file(self->obj, T("lib/fake.ko"), 0644));
	ASSERT_EQ(0, copy_file(self->obj, T("lib/scan.o"), 0644));
	ASSERT_EQ(0, copy_file(self->exe, T("locked/true"), 0755));
	ASSERT_EQ(0, copy_file(self->exe, T("bin/secret"), 0755));
	ASSERT_EQ(0, write_file(T("bin/hello.sh"), "#!/bin/sh\necho hi\n", 0755));
	ASSERT_EQ(0, write_file(T("share/plain.sh"), "#!/bin/sh\necho no\n", 0644));
	ASSERT_EQ(0, write_file(T("share/readme.txt"), "not a program\n", 0644));
	ASSERT_EQ(0, write_file(T("share/x"), "#", 0755));
	ASSERT_EQ(0, symlink("true", T("bin/alias")));
	ASSERT_EQ(0, symlink("/usr/bin", T("outside")));
	ASSERT_EQ(0, mkfifo(T("bin/fifo"), 0755));
	ASSERT_EQ(0, chmod(T("bin/secret"), 0));
	ASSERT_EQ(0, chmod(T("locked"), 0));
#undef T
}

FIXTURE_TEARDOWN(scan)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx %s; rm -rf %s", self->dir,
		 self->dir);
	tu_run(cmd, NULL, 0);
}

static int read_back(const char *path, enum sbom_format rf, struct seen *s,
		     struct sbom_stats *st)
{
	char err[512] = "";
	const struct sbom_ops ops = { .digest = seen_digest };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = sbom_read(path, rf, &ops, s, st, err, sizeof(err));
	if (ret)
		fprintf(stderr, "# sbom_read: %s (%d)\n", err, ret);
	return ret;
}

/* Every kept file is listed with its real SHA-256, nothing else is; the
 * two unreadable ones are named on stderr and make the exit status 5. */
TEST_F(scan, tree)
{
	static const char *const kept[] = {
		"bin/true", "bin/hello.sh", "lib/libc.so.6", "lib/fake.ko",
	};
	char *const argv[] = { "bomgate", "sbom", "scan", "--no-dpkg",
			       "--format", (char *)self->fmt, "-o", self->sbom,
			       self->tree, NULL };
	char p[PATH_MAX], *err;
	unsigned char d[32];
	struct sbom_stats st;
	struct seen s;
	glob_t g;
	size_t i;
	int k;

	ASSERT_EQ(5, run_bomgate(self->bin, argv, self->out, self->err));
	err = slurp(self->err);
	EXPECT_NE(NULL, strstr(err, "tree/bin/secret: Permission denied"))
		TH_LOG("stderr: %s", err);
	EXPECT_NE(NULL, strstr(err, "tree/locked: Permission denied"))
		TH_LOG("stderr: %s", err);
	EXPECT_NE(NULL, strstr(err, "2 unreadable")) TH_LOG("stderr: %s", err);
	EXPECT_NE(NULL, strstr(err, "1 modules, 1 scripts"))
		TH_LOG("stderr: %s", err);

	ASSERT_EQ(0, read_back(self->sbom, self->rf, &s, &st));
	EXPECT_EQ(self->rf, st.format);
	EXPECT_EQ(0, st.problems);
	EXPECT_EQ(sizeof(kept) / sizeof(kept[0]), st.file_digests);
	EXPECT_EQ(0, st.package_digests);
	ASSERT_EQ(sizeof(kept) / sizeof(kept[0]), s.n);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		tree_path(p, sizeof(p), self->tree, kept[i]);
		k = seen_find(&s, p);
		ASSERT_LE(0, k) TH_LOG("%s not in the SBOM", p);
		ASSERT_EQ(0, sha256_file(p, d));
		EXPECT_EQ(0, memcmp(d, s.e[k].d, 32)) TH_LOG("%s digest", p);
		EXPECT_EQ(1, s.e[k].file_level);
	}
	/* the temporary file was renamed, nothing else left */
	snprintf(p, sizeof(p), "%s.*", self->sbom);
	EXPECT_EQ(GLOB_NOMATCH, glob(p, 0, NULL, &g));
}

/* A file in /usr/bin is named after its Debian package, as dpkg-query says. */
TEST_F(scan, dpkg_names)
{
	char *const argv[] = { "bomgate", "sbom", "scan", "--format",
			       (char *)self->fmt, "-o", self->sbom,
			       "/usr/bin/true", "/usr/bin/env", NULL };
	char pkg[256], purl[512], ver[128];
	struct sbom_stats st;
	struct seen s;
	unsigned char d[32];
	int k, ret;

	if (access("/var/lib/dpkg/status", R_OK))
		SKIP(return, "not a Debian system (no dpkg database)");
	ret = tu_run("dpkg-query -S /usr/bin/true 2>/dev/null || "
		     "dpkg-query -S /bin/true", pkg, sizeof(pkg));
	ASSERT_EQ(0, ret) TH_LOG("dpkg-query: %s", pkg);
	*strchr(pkg, ':') = '\0';
	snprintf(purl, sizeof(purl), "dpkg-query -W -f '${Version}' %s", pkg);
	ASSERT_EQ(0, tu_run(purl, ver, sizeof(ver)));
	snprintf(purl, sizeof(purl), "pkg:deb/debian/%s@%s?arch=", pkg, ver);

	ASSERT_EQ(0, run_bomgate(self->bin, argv, self->out, self->err))
		TH_LOG("stderr: %s", slurp(self->err));
	ASSERT_EQ(0, read_back(self->sbom, self->rf, &s, &st));
	ASSERT_EQ(2, s.n);
	k = seen_find(&s, self->exe);
	ASSERT_LE(0, k);
	if (self->rf == SBOM_FMT_CDX_JSON || *s.e[k].purl) {
		EXPECT_EQ(0, strncmp(purl, s.e[k].purl, strlen(purl)))
			TH_LOG("purl %s, want %s...", s.e[k].purl, purl);
		EXPECT_STREQ(ver, s.e[k].version);
	} else {
		/* the SPDX JSON reader does not (yet) give files the identity
		 * of the package whose hasFiles lists them: look at the
		 * document itself */
		char *doc = slurp(self->sbom), *pk;

		pk = strstr(doc, purl);
		ASSERT_NE(NULL, pk) TH_LOG("no %s in %s", purl, doc);
		EXPECT_NE(NULL, strstr(pk, "\"hasFiles\": [ \"SPDXRef-File-"));
	}
	ASSERT_EQ(0, sha256_file(self->exe, d));
	EXPECT_EQ(0, memcmp(d, s.e[k].d, 32));
	EXPECT_NE(NULL, strstr(slurp(self->err), "from 1 packages"));
}

/* compile the scan, then check: the scanned files are allowed (0), a
 * modified copy is not (1). */
TEST_F(scan, compile_check)
{
	char *const scan[] = { "bomgate", "sbom", "scan", "-q", "--format",
			       (char *)self->fmt, "-o", self->sbom,
			       "--exclude", "locked", "--exclude", "secret",
			       self->tree, NULL };
	char bgp[256], mod[256], t[PATH_MAX], l[PATH_MAX];
	char *const compile[] = { "bomgate", "compile", self->sbom, "-o", bgp,
				  NULL };
	char *const ok[] = { "bomgate", "check", "--policy", bgp, t, l, NULL };
	char *const bad[] = { "bomgate", "check", "--policy", bgp, t, mod,
			      NULL };
	int fd;

	snprintf(bgp, sizeof(bgp), "%s/p.bgp", self->dir);
	snprintf(mod, sizeof(mod), "%s/true.modified", self->dir);
	tree_path(t, sizeof(t), self->tree, "bin/true");
	tree_path(l, sizeof(l), self->tree, "lib/libc.so.6");
	ASSERT_EQ(0, run_bomgate(self->bin, scan, self->out, self->err))
		TH_LOG("%s", slurp(self->err));
	EXPECT_EQ('\0', *slurp(self->err)) TH_LOG("-q printed something");
	ASSERT_EQ(0, run_bomgate(self->bin, compile, self->out, self->err))
		TH_LOG("%s", slurp(self->err));
	ASSERT_EQ(0, run_bomgate(self->bin, ok, self->out, self->err))
		TH_LOG("%s", slurp(self->out));
	ASSERT_EQ(0, copy_file(self->exe, mod, 0755));
	fd = open(mod, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "", 1));
	close(fd);
	EXPECT_EQ(1, run_bomgate(self->bin, bad, self->out, self->err))
		TH_LOG("%s", slurp(self->out));
	EXPECT_NE(NULL, strstr(slurp(self->out), "true.modified: not allowed"));
}

/* -o - writes to stdout; pseudo file systems are not walked; a missing
 * root fails before anything is written. */
TEST_F(scan, stdout_pseudo_missing)
{
	char *const to_stdout[] = { "bomgate", "sbom", "scan", "--no-dpkg",
				    "--format", (char *)self->fmt, "-o", "-",
				    "/proc/self", NULL };
	char missing[256];
	char *const miss[] = { "bomgate", "sbom", "scan", "-o", self->sbom,
			       missing, NULL };
	struct sbom_stats st;
	struct seen s;

	ASSERT_EQ(0, run_bomgate(self->bin, to_stdout, self->out, self->err))
		TH_LOG("%s", slurp(self->err));
	ASSERT_EQ(0, read_back(self->out, self->rf, &s, &st));
	EXPECT_EQ(0, s.n);
	EXPECT_NE(NULL, strstr(slurp(self->err), "1 mounts skipped"));

	snprintf(missing, sizeof(missing), "%s/nonexistent", self->dir);
	EXPECT_EQ(5, run_bomgate(self->bin, miss, self->out, self->err));
	EXPECT_NE(NULL, strstr(slurp(self->err), "nonexistent: No such file"));
	EXPECT_NE(0, access(self->sbom, F_OK));
}

/* An output that is not a regular file (a FIFO here, /dev/null for real)
 * is written in place, never renamed over. */
TEST_F(scan, fifo_output)
{
	char fifo[256], copy[256], cmd[3 * PATH_MAX];
	struct sbom_stats st;
	struct stat sb;
	struct seen s;

	snprintf(fifo, sizeof(fifo), "%s/out.fifo", self->dir);
	snprintf(copy, sizeof(copy), "%s/copy.json", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	snprintf(cmd, sizeof(cmd), "timeout 20 cat %s > %s & %s sbom scan -q "
		 "--no-dpkg -f %s -o %s %s/bin/true; r=$?; wait; exit $r", fifo, copy,
		 self->bin, self->fmt, fifo, self->tree);
	ASSERT_EQ(0, tu_run(cmd, NULL, 0));
	ASSERT_EQ(0, lstat(fifo, &sb));
	EXPECT_TRUE(S_ISFIFO(sb.st_mode));
	ASSERT_EQ(0, read_back(copy, self->rf, &s, &st));
	EXPECT_EQ(1, s.n);
}

TEST(help)
{
	char out[4096];

	EXPECT_EQ(0, tu_run("\"${BOMGATE_BUILD:-build}/bomgate\" sbom scan --help",
			    out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "Usage: bomgate sbom scan"));
	EXPECT_EQ(0, tu_run("\"${BOMGATE_BUILD:-build}/bomgate\" sbom --help "
			    "2>&1", out, sizeof(out)));
	EXPECT_EQ(2, tu_run("\"${BOMGATE_BUILD:-build}/bomgate\" sbom scan "
			    "2>/dev/null", NULL, 0));
	EXPECT_EQ(2, tu_run("\"${BOMGATE_BUILD:-build}/bomgate\" sbom scan "
			    "-f xml /tmp 2>/dev/null", NULL, 0));
}

/* Issue 11, bug 10: dpkg diversions. A file listed by two packages, one
 * of which diverted the other's copy elsewhere, is the diverter's; the
 * other's is at the diversion's target; a local diversion (":") leaves
 * the original to no package. The shipper comes first in the status
 * file: without diversions it was named for both. */
TEST(dpkg_diversions)
{
	char dir[] = "/tmp/scan_div.XXXXXX", cmd[4096], text[2048];
	static char out[65536];
	char want[PATH_MAX + 128];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir -p tree db/info && "
		 "cp /bin/true tree/tool && cp /bin/false tree/tool.distrib && "
		 "cp /bin/echo tree/tool2 && cp /bin/sleep tree/tool2.local", dir);
	ASSERT_EQ(0, tu_run(cmd, NULL, 0));
	tu_put(dir, "db/status",
	       "Package: shipper\nStatus: install ok installed\nArchitecture: amd64\n"
	       "Version: 2\n\nPackage: diverter\nStatus: install ok installed\n"
	       "Architecture: all\nVersion: 1\n");
	snprintf(text, sizeof(text), "%s/tree/tool\n%s/tree/tool2\n", dir, dir);
	tu_put(dir, "db/info/shipper:amd64.list", text);
	snprintf(text, sizeof(text), "%s/tree/tool\n", dir);
	tu_put(dir, "db/info/diverter.list", text);
	snprintf(text, sizeof(text), "%s/tree/tool\n%s/tree/tool.distrib\ndiverter\n"
		 "%s/tree/tool2\n%s/tree/tool2.local\n:\n", dir, dir, dir, dir);
	tu_put(dir, "db/diversions", text);
	snprintf(cmd, sizeof(cmd), "%s/bomgate sbom scan -q --dpkg-dir %s/db %s/tree",
		 tu_build(), dir, dir);
	ASSERT_EQ(0, tu_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "\"name\": \"%s/tree/tool\", \"version\": \"1\", "
		 "\"purl\": \"pkg:deb/debian/diverter@1?arch=all\"", dir);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s in %s", want, out);
	snprintf(want, sizeof(want), "\"name\": \"%s/tree/tool.distrib\", \"version\": "
		 "\"2\", \"purl\": \"pkg:deb/debian/shipper@2?arch=amd64\"", dir);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s in %s", want, out);
	snprintf(want, sizeof(want), "\"name\": \"%s/tree/tool2.local\", \"version\": "
		 "\"2\"", dir);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s in %s", want, out);
	snprintf(want, sizeof(want), "\"name\": \"%s/tree/tool2\", \"hashes\"", dir);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("owned: %s", out);
	tu_rm_rf(dir);
}

/* The same on this machine's own database, where Debian diverts one. */
TEST(dpkg_diversions_of_this_system)
{
	static char out[65536];
	char cmd[512];

	if (access("/usr/bin/pg_config.libpq-dev", F_OK) ||
	    tu_run("grep -qx /usr/bin/pg_config /var/lib/dpkg/diversions", NULL, 0))
		SKIP(return, "no diverted /usr/bin/pg_config here");
	snprintf(cmd, sizeof(cmd), "%s/bomgate sbom scan -q /usr/bin/pg_config "
		 "/usr/bin/pg_config.libpq-dev", tu_build());
	ASSERT_EQ(0, tu_run(cmd, out, sizeof(out)));
	ASSERT_NE(NULL, strstr(out, "\"name\": \"/usr/bin/pg_config\", \"version\": "))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(strstr(out, "\"name\": \"/usr/bin/pg_config\""),
			       "\"purl\": \"pkg:deb/debian/postgresql-common@")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(strstr(out, "\"name\": \"/usr/bin/pg_config.libpq-dev\""),
			       "\"purl\": \"pkg:deb/debian/libpq-dev@")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
