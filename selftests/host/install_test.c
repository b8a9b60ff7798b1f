// SPDX-License-Identifier: GPL-2.0
/*
 * make install (issue 14): into a DESTDIR, the binaries that run, a unit
 * that starts the installed daemon with the installed configuration, a
 * configuration that a second install never replaces, and a man page for
 * every page in docs/man that man(1) can read.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

FIXTURE(install) {
	char dir[64], bin[PATH_MAX], out[16384];
};

FIXTURE_SETUP(install)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/install_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_NE(NULL, realpath(tu_build(), self->bin));
}

FIXTURE_TEARDOWN(install)
{
	tu_rm_rf(self->dir);
}

static int mode_of(const char *dir, const char *path)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", dir, path);
	return stat(p, &st) ? -1 : (int)(st.st_mode & 07777);
}

TEST_F(install, into_destdir_and_again)
{
	char cwd[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int pages = 0;

	if (access("/usr/bin/go-md2man", X_OK))
		SKIP(return, "no go-md2man (make deps installs it)");
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	ASSERT_EQ(0, tu_run_self(self, "DESTDIR=%s/root '%s/scripts/install.sh' '%s'",
				 self->dir, cwd, self->bin)) TH_LOG("%s", self->out);
	EXPECT_EQ(0755, mode_of(self->dir, "/root/usr/bin/bomgate"));
	EXPECT_EQ(0755, mode_of(self->dir, "/root/usr/sbin/bomgated"));
	EXPECT_EQ(0644, mode_of(self->dir, "/root/usr/lib/systemd/system/bomgated.service"));
	EXPECT_EQ(0640, mode_of(self->dir, "/root/etc/bomgate/bomgated.conf"));
	EXPECT_EQ(0750, mode_of(self->dir, "/root/etc/bomgate"));
	EXPECT_EQ(0, tu_run_self(self, "root/usr/bin/bomgate --version && root/usr/sbin/bomgated --help"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, tu_run_self(self, "grep -x 'ExecStart=/usr/sbin/bomgated --config /etc/bomgate/bomgated.conf' root/usr/lib/systemd/system/bomgated.service"));

	/* a man page per docs/man page, readable by man(1) */
	d = opendir("docs/man");
	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char page[256];

		if (n < 6 || strcmp(e->d_name + n - 3, ".md"))
			continue;
		snprintf(page, sizeof(page), "%.*s", (int)(n - 3), e->d_name);
		EXPECT_EQ(0, tu_run_self(self, "zcat root/usr/share/man/man%c/%s.gz | grep -q '^\\.TH [A-Z-]* %c '",
					 page[strlen(page) - 1], page,
					 page[strlen(page) - 1])) TH_LOG("%s", page);
		pages++;
	}
	closedir(d);
	EXPECT_LE(14, pages);
	EXPECT_EQ(0, tu_run_self(self, "MANWIDTH=80 man -l root/usr/share/man/man1/bomgate-report.1.gz 2>&1 | grep -q 'EXIT STATUS'"))
		TH_LOG("%s", self->out);

	/* an edited configuration survives a second install */
	EXPECT_EQ(0, tu_run_self(self, "echo '# edited' >> root/etc/bomgate/bomgated.conf && "
				 "DESTDIR=%s/root '%s/scripts/install.sh' '%s' >/dev/null && "
				 "tail -n 1 root/etc/bomgate/bomgated.conf",
				 self->dir, cwd, self->bin)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "# edited"));

	/* another prefix: the unit starts the daemon installed there */
	EXPECT_EQ(0, tu_run_self(self, "DESTDIR=%s/opt PREFIX=/opt/bg SYSCONFDIR=/opt/bg/etc '%s/scripts/install.sh' '%s' >/dev/null && "
				 "grep -x 'ExecStart=/opt/bg/sbin/bomgated --config /opt/bg/etc/bomgate/bomgated.conf' opt/opt/bg/lib/systemd/system/bomgated.service",
				 self->dir, cwd, self->bin)) TH_LOG("%s", self->out);
	/* nothing to install from: said, exit 2 */
	EXPECT_EQ(2, tu_run_self(self, "DESTDIR=%s/x '%s/scripts/install.sh' %s/nowhere",
				 self->dir, cwd, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "run make first"));
}

TEST_HARNESS_MAIN
