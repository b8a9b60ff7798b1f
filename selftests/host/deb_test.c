// SPDX-License-Identifier: GPL-2.0
/*
 * The Debian package (issue 14), built with Debian's own tools from a copy
 * of this tree (dpkg-buildpackage -us -uc -b): lintian finds no error or
 * warning (the one override in debian/ says why), the package holds the
 * binaries, the unit, the configuration as a conffile and the man pages,
 * and installing it runs nothing that could enforce: no maintainer script
 * enables or starts the service.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

FIXTURE(deb) {
	char dir[64], bin[PATH_MAX], out[65536];
};

FIXTURE_SETUP(deb)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/deb_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->bin[0] = '\0';
}

FIXTURE_TEARDOWN(deb)
{
	tu_rm_rf(self->dir);
}

TEST_F_TIMEOUT(deb, builds_lintian_clean_and_installs_nothing_that_enforces, 900)
{
	char cwd[PATH_MAX];

	if (access("/usr/bin/dpkg-buildpackage", X_OK) ||
	    access("/usr/bin/lintian", X_OK) || access("/usr/bin/dh", X_OK))
		SKIP(return, "no dpkg-buildpackage, dh or lintian (make deps installs them)");
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	/* the tree as committed plus what is new and not ignored */
	ASSERT_EQ(0, tu_run_self(self,
		"mkdir src && (cd '%s' && git ls-files -co --exclude-standard -z) | "
		"(cd '%s' && tar --null -T - -cf -) | tar -C src -xf -",
		cwd, cwd)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, tu_run_self(self, "cd src && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -40 ../build.log; exit 1; }"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, tu_run_self(self, "lintian --fail-on error,warning bomgate_*_*.changes"))
		TH_LOG("%s", self->out);

	ASSERT_EQ(0, tu_run_self(self, "dpkg-deb -c bomgate_*_*.deb | awk '{ print $6 }'"));
	EXPECT_NE(NULL, strstr(self->out, "./usr/bin/bomgate\n"));
	EXPECT_NE(NULL, strstr(self->out, "./usr/sbin/bomgated\n"));
	EXPECT_NE(NULL, strstr(self->out, "./usr/lib/systemd/system/bomgated.service\n"));
	EXPECT_NE(NULL, strstr(self->out, "./etc/bomgate/bomgated.conf\n"));
	EXPECT_NE(NULL, strstr(self->out, "./usr/share/man/man8/bomgated.8.gz\n"));
	EXPECT_NE(NULL, strstr(self->out, "./usr/share/man/man1/bomgate-report.1.gz\n"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, tu_run_self(self, "mkdir ctl && dpkg-deb -e bomgate_*_*.deb ctl && cat ctl/conffiles"));
	EXPECT_NE(NULL, strstr(self->out, "/etc/bomgate/bomgated.conf"));
	/* nothing enables or starts the service: an upgrade only restarts
	 * a running daemon (try-restart), removal disables through bomgate
	 * (selftests/system runs all of it under systemd) */
	EXPECT_EQ(1, tu_run_self(self, "cat ctl/preinst ctl/postinst ctl/prerm ctl/postrm 2>/dev/null | grep -v '^[[:space:]]*echo' | "
				 "grep -E 'systemctl|deb-systemd-helper (enable|unmask)|deb-systemd-invoke (start|restart)'"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, tu_run_self(self, "grep -x '\t*deb-systemd-invoke try-restart bomgated.service ||' ctl/postinst && "
				 "grep -q '\\[ -n \"\\$2\" \\]' ctl/postinst && grep -x '\t*if ! bomgate disable; then' ctl/prerm"))
		TH_LOG("%s", self->out);
	/* the unit starts the packaged daemon with the packaged config */
	EXPECT_EQ(0, tu_run_self(self, "dpkg-deb --fsys-tarfile bomgate_*_*.deb | "
				 "tar -xOf - ./usr/lib/systemd/system/bomgated.service | "
				 "grep -x 'ExecStart=/usr/sbin/bomgated --config /etc/bomgate/bomgated.conf'"));
	/* the shared libraries it links are dependencies */
	EXPECT_EQ(0, tu_run_self(self, "dpkg-deb -f bomgate_*_*.deb Depends"));
	EXPECT_NE(NULL, strstr(self->out, "libssl3")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "libseccomp2"));
}

TEST_HARNESS_MAIN
