// SPDX-License-Identifier: GPL-2.0
/*
 * Output files under hostile and careless hands (issue 11, bugs 1, 2, 9):
 * a symlink planted where compile, sign, key generate or sbom scan write
 * is refused and its target left alone; devices and FIFOs are written in
 * place; a private key is not replaced without --force; -o naming an
 * input is refused; a signal leaves no temporary file. Real files, real
 * symlinks, real keys, build/bomgate run as a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fileio.h"
#include "testutil.h"

#define OUT_MAX (64 * 1024)

static const char target_text[] = "precious: must survive\n";

FIXTURE(out) {
	char dir[64];
	char bin[PATH_MAX + 16];
	char out[OUT_MAX];
};

static int get(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* Entries of @dir other than . and .. */
static int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int is_link(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !lstat(path, &st) && S_ISLNK(st.st_mode);
}

#define run tu_run_self

FIXTURE_SETUP(out)
{
	char build[PATH_MAX];

	ASSERT_NE(NULL, realpath(tu_build(), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	ASSERT_EQ(0, access(self->bin, X_OK));
	snprintf(self->dir, sizeof(self->dir), "/tmp/output_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	tu_put(self->dir, "sbom.json",
	    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\","
	    "\"components\":[{\"type\":\"file\",\"name\":\"a\",\"hashes\":"
	    "[{\"alg\":\"SHA-256\",\"content\":\"0000000000000000000000000000"
	    "000000000000000000000000000000000007\"}]}]}\n");
	tu_put(self->dir, "target", target_text);
}

FIXTURE_TEARDOWN(out)
{
	if (tu_rm_rf(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* The symlink and its target as they were, nothing else created. */
static void expect_untouched(struct __test_metadata *_metadata,
			     FIXTURE_DATA(out) *self, const char *link,
			     int others)
{
	char buf[256];

	EXPECT_TRUE(is_link(self->dir, link));
	ASSERT_EQ(0, get(self->dir, "target", buf, sizeof(buf)));
	EXPECT_STREQ(target_text, buf);
	EXPECT_EQ(others + 2, count_entries(self->dir));
}

/* Bug 1: scan__write freed the resolved path, then renamed onto it: the
 * SBOM landed in a file named by heap garbage, exit 0, target untouched. */
TEST_F(out, scan_to_symlink_is_refused)
{
	ASSERT_EQ(0, run(self, "ln -s target link.json && mkdir d && "
			 "cp /usr/bin/true d/"));
	EXPECT_EQ(5, run(self, "$B sbom scan -q d -o link.json"));
	EXPECT_NE(NULL, strstr(self->out, "link.json: is a symbolic link"))
		TH_LOG("%s", self->out);
	expect_untouched(_metadata, self, "link.json", 2);	/* sbom, d */
	/* the same scan to a plain name works */
	EXPECT_EQ(0, run(self, "$B sbom scan -q d -o plain.json"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "grep -q CycloneDX plain.json"));
}

/* Bug 2: root's compile -o /tmp/x.bgp replaced what a planted link
 * pointed to. */
TEST_F(out, compile_to_symlink_is_refused)
{
	ASSERT_EQ(0, run(self, "ln -s target x.bgp"));
	EXPECT_EQ(5, run(self, "$B compile sbom.json -o x.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "x.bgp: cannot write: is a symbolic link"))
		TH_LOG("%s", self->out);
	expect_untouched(_metadata, self, "x.bgp", 1);
	/* a dangling link (target not there yet) is refused too */
	ASSERT_EQ(0, run(self, "ln -s nowhere y.bgp"));
	EXPECT_EQ(5, run(self, "$B compile sbom.json -o y.bgp"));
	EXPECT_NE(0, access("nowhere", F_OK));
	EXPECT_EQ(2 + 2, count_entries(self->dir));
}

TEST_F(out, key_sign_to_symlink_are_refused)
{
	ASSERT_EQ(0, run(self, "ln -s target k.pem"));
	EXPECT_EQ(5, run(self, "$B key generate -t ec -o k.pem -c c.pem"));
	EXPECT_NE(NULL, strstr(self->out, "is a symbolic link"))
		TH_LOG("%s", self->out);
	EXPECT_NE(0, run(self, "test -e c.pem"));
	EXPECT_EQ(5, run(self, "$B key generate --force -t ec -o k.pem -c c.pem"));
	expect_untouched(_metadata, self, "k.pem", 1);
	ASSERT_EQ(0, run(self, "rm k.pem && ln -s target p.bgp.sig && "
			 "$B key generate -t ec -o k.pem -c c.pem && "
			 "$B compile sbom.json -o p.bgp"));
	EXPECT_EQ(5, run(self, "$B sign -k k.pem -c c.pem p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "p.bgp.sig: cannot write: is a symbolic link"))
		TH_LOG("%s", self->out);
	expect_untouched(_metadata, self, "p.bgp.sig", 4);
}

/* Replacing a regular file gives a new inode with the file's own mode;
 * a file that was replaced keeps no stray temporary beside it. */
TEST_F(out, replace_regular_file)
{
	char path[PATH_MAX], buf[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/target", self->dir);
	ASSERT_EQ(0, stat(path, &a));
	ASSERT_EQ(0, fileio_write_file(path, "new\n", 4, 0640, 0));
	ASSERT_EQ(0, stat(path, &b));
	EXPECT_NE(a.st_ino, b.st_ino);
	EXPECT_EQ(0640, b.st_mode & 0777);
	ASSERT_EQ(0, get(self->dir, "target", buf, sizeof(buf)));
	EXPECT_STREQ("new\n", buf);
	EXPECT_EQ(-EEXIST, fileio_write_file(path, "x", 1, 0600,
					     FILEIO_NOREPLACE));
	EXPECT_EQ(-EISDIR, fileio_write_file(self->dir, "x", 1, 0600, 0));
	snprintf(path, sizeof(path), "%s/no/such/dir/f", self->dir);
	EXPECT_EQ(-ENOENT, fileio_write_file(path, "x", 1, 0600, 0));
	EXPECT_EQ(2, count_entries(self->dir));
}

/* Devices and FIFOs are written in place, as before. */
TEST_F(out, fifo_and_device_in_place)
{
	char fifo[PATH_MAX], buf[64];
	struct stat st;
	ssize_t n;
	pid_t pid;
	int fd, status;

	snprintf(fifo, sizeof(fifo), "%s/pipe", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(fileio_write_file(fifo, "through\n", 8, 0644, 0) ? 1 : 0);
	fd = open(fifo, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	ASSERT_EQ(8, n);
	buf[n] = '\0';
	EXPECT_STREQ("through\n", buf);
	ASSERT_EQ(0, lstat(fifo, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(0, fileio_write_file("/dev/null", "x", 1, 0644, 0));
	ASSERT_EQ(0, stat("/dev/null", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* /dev/stdout is a symlink to /proc/self/fd/1: refused, "-" is the
	 * way to stdout */
	EXPECT_EQ(-ELOOP, fileio_write_file("/dev/stdout", "x", 1, 0644, 0));
	EXPECT_EQ(3, count_entries(self->dir));
}

/* Private keys are not replaced without --force; --force replaces the
 * key (mode 0600) but still not through a link. */
TEST_F(out, private_key_needs_force)
{
	char before[8192], after[8192];
	struct stat st;
	char path[PATH_MAX];

	ASSERT_EQ(0, run(self, "$B key generate -t ec -o k.pem -c c.pem"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, get(self->dir, "k.pem", before, sizeof(before)));
	EXPECT_EQ(5, run(self, "$B key generate -t ec -o k.pem -c c2.pem"));
	EXPECT_NE(NULL, strstr(self->out, "k.pem: exists: not replaced (--force"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, get(self->dir, "k.pem", after, sizeof(after)));
	EXPECT_STREQ(before, after);
	EXPECT_NE(0, run(self, "test -e c2.pem"));
	EXPECT_EQ(0, run(self, "$B key generate --force -t ec -o k.pem -c c.pem"));
	ASSERT_EQ(0, get(self->dir, "k.pem", after, sizeof(after)));
	EXPECT_STRNE(before, after);
	snprintf(path, sizeof(path), "%s/k.pem", self->dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	/* the openssl command line reads it back */
	EXPECT_EQ(0, run(self, "openssl pkey -in k.pem -noout"));
	EXPECT_EQ(4, count_entries(self->dir));	/* + c.pem, k.pem */
}

/* -o naming an input would destroy it. */
TEST_F(out, output_equal_to_an_input)
{
	char buf[512];

	EXPECT_EQ(2, run(self, "$B key generate -t ec -o same.pem -c ./same.pem"));
	EXPECT_NE(0, run(self, "test -e same.pem"));
	EXPECT_EQ(2, run(self, "$B key generate -t ec -o k.pem -c k.pem"));
	ASSERT_EQ(0, run(self, "$B key generate -t ec -o k.pem -c c.pem && "
			 "$B compile sbom.json -o p.bgp && cp p.bgp p.orig"));
	EXPECT_EQ(2, run(self, "$B sign -k k.pem -c c.pem -o p.bgp p.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "one of the inputs")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "cmp p.bgp p.orig"));
	EXPECT_EQ(2, run(self, "$B sign -k k.pem -c c.pem -o ./c.pem p.bgp"));
	EXPECT_EQ(0, run(self, "openssl x509 -in c.pem -noout"));
	EXPECT_EQ(2, run(self, "$B compile sbom.json -o sbom.json"));
	ASSERT_EQ(0, get(self->dir, "sbom.json", buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "{\"bomFormat\"", 12));
}

/* Bug 9: SIGINT or SIGTERM while an output is being written leaves no
 * OUT.XXXXXX behind, and the process still dies of the signal. */
TEST_F(out, signal_removes_the_temporary)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	char path[PATH_MAX];
	int i, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/out.bgp", self->dir);
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct fileio_out o;

			fileio_cleanup_on_signal();
			if (fileio_out_open(&o, path, 0644, 0) ||
			    fileio_write_all(o.fd, "half", 4))
				_exit(1);
			raise(sigs[i]);
			_exit(2);	/* not reached */
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("status %d", status);
		EXPECT_EQ(sigs[i], WTERMSIG(status));
		EXPECT_EQ(2, count_entries(self->dir));
	}
	/* without the handler the temporary stays: the test can fail */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct fileio_out o;

		if (fileio_out_open(&o, path, 0644, 0))
			_exit(1);
		raise(SIGTERM);
		_exit(2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(3, count_entries(self->dir));
}

TEST_HARNESS_MAIN
