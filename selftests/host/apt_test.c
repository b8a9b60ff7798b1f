// SPDX-License-Identifier: GPL-2.0
/*
 * Trust from a signed apt repository (issue 15), with Debian's own tools:
 * two tiny packages built with dpkg-deb (a program with a conffile, a
 * hard link and a maintainer script; a shared library), indexed with
 * apt-ftparchive and signed with a throwaway gpg key in a private
 * GNUPGHOME. Then:
 *   - bomgate sbom deb lists exactly the regular files dpkg-deb -x
 *     extracts, with their sha256sum, and the SBOM compiles;
 *   - bomgate apt verify accepts the repository (InRelease and
 *     Release + Release.gpg, a key file and a fingerprint) and refuses
 *     another key, a changed InRelease, a tampered Packages or .deb, a
 *     Release without the Packages entry, a malformed stanza;
 *   - bomgate sbom scan --verify-dpkg, on packages installed with
 *     dpkg --root into a temporary root (never the host's), reports a
 *     modified library and an unowned file.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testutil.h"

/* Run in the test's folder with its own GNUPGHOME. */
#define run(self, ...) tu_run_self(self, "export GNUPGHOME=$PWD/gnupg; " \
				   __VA_ARGS__)

#define K "--key ../key.asc"

static const char mkrepo[] =
"set -e\n"
"mkdir -m 700 gnupg\n"
"gpg -q --batch --passphrase '' --quick-gen-key 'Test Repo <repo@example.invalid>' ed25519 sign never\n"
"gpg -q --batch --passphrase '' --quick-gen-key 'Other <other@example.invalid>' ed25519 sign never\n"
"gpg --with-colons --list-keys repo@example.invalid | awk -F: '/^fpr/ { print $10; exit }' > fpr\n"
"gpg --with-colons --list-keys other@example.invalid | awk -F: '/^fpr/ { print $10; exit }' > fpr.other\n"
"gpg -q --export -a $(cat fpr) > key.asc\n"
"gpg -q --export > all.gpg\n"
"mkdir -p lib/DEBIAN lib/usr/lib/x86_64-linux-gnu lib/usr/share/doc/libhello1\n"
"echo 'int hello(void) { return 42; }' > h.c\n"
"gcc -shared -fPIC -Wl,-soname,libhello.so.1 -o lib/usr/lib/x86_64-linux-gnu/libhello.so.1.0 h.c\n"
"ln -s libhello.so.1.0 lib/usr/lib/x86_64-linux-gnu/libhello.so.1\n"
"echo docs > lib/usr/share/doc/libhello1/README\n"
"printf 'Package: libhello1\\nVersion: 1.0-1\\nArchitecture: amd64\\n"
	"Maintainer: T <t@example.invalid>\\nDescription: a library\\n' > lib/DEBIAN/control\n"
"mkdir -p app/DEBIAN app/usr/bin app/etc/hello app/usr/libexec/hello\n"
"echo 'int hello(void); int main(void) { return hello() != 42; }' > m.c\n"
"gcc -o app/usr/bin/hello m.c lib/usr/lib/x86_64-linux-gnu/libhello.so.1.0\n"
"ln app/usr/bin/hello app/usr/bin/hello-again\n"
"printf '#!/bin/sh\\necho set up\\n' > app/usr/libexec/hello/setup\n"
"chmod 755 app/usr/libexec/hello/setup\n"
"echo greeting=hi > app/etc/hello/hello.conf\n"
"echo /etc/hello/hello.conf > app/DEBIAN/conffiles\n"
"printf '#!/bin/sh\\nset -e\\n/usr/libexec/hello/setup\\n' > app/DEBIAN/postinst\n"
"chmod 755 app/DEBIAN/postinst\n"
"printf 'Package: hello\\nSource: hello-src\\nVersion: 2:1.0-1\\nArchitecture: amd64\\n"
	"Maintainer: T <t@example.invalid>\\nDepends: libhello1\\nDescription: a program\\n' > app/DEBIAN/control\n"
"mkdir repo\n"
"dpkg-deb --root-owner-group -Zxz --build lib repo/libhello1_1.0-1_amd64.deb > /dev/null\n"
"dpkg-deb --root-owner-group -Zzstd --build app repo/hello_1.0-1_amd64.deb > /dev/null\n"
"cd repo\n"
"apt-ftparchive packages . > Packages\n"
"apt-ftparchive release . > ../Release && mv ../Release .\n"
"gpg -q --batch -u $(cat ../fpr) --clearsign -o InRelease Release\n"
"gpg -q --batch -u $(cat ../fpr) -abs -o Release.gpg Release\n"
"gpg -q --batch -u $(cat ../fpr.other) --clearsign -o InRelease.other Release\n";

FIXTURE(apt) {
	char dir[64], bin[PATH_MAX + 16], out[65536];
};

FIXTURE_SETUP(apt)
{
	char build[PATH_MAX];
	static const char *const tools[] = {
		"/usr/bin/dpkg-deb", "/usr/bin/apt-ftparchive", "/usr/bin/gpg",
		"/usr/bin/gpgv", "/usr/bin/gcc", "/usr/bin/jq",
	};
	size_t i;
	int ret;

	self->dir[0] = '\0';
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (access(tools[i], X_OK))
			SKIP(return, "no %s (make deps installs it)", tools[i]);
	ASSERT_NE(NULL, realpath(tu_build(), build));
	snprintf(self->bin, sizeof(self->bin), "%s/bomgate", build);
	snprintf(self->dir, sizeof(self->dir), "/tmp/apt_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	tu_put(self->dir, "mkrepo.sh", mkrepo);
	ret = run(self, "sh mkrepo.sh");
	if (ret) {
		/* no teardown after a failed setup */
		TH_LOG("%s", self->out);
		run(self, "gpgconf --kill all");
		tu_rm_rf(self->dir);
	}
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(apt)
{
	if (!self->dir[0])
		return;
	/* the agent gpg started for signing */
	run(self, "gpgconf --kill all");
	tu_rm_rf(self->dir);
}

TEST_F(apt, sbom_deb_lists_every_regular_file_with_its_sha256)
{
	/* what dpkg-deb extracts, conffile left out as documented */
	ASSERT_EQ(0, run(self, "mkdir x && for d in repo/*.deb; do dpkg-deb -x $d x; done && "
		    "(cd x && find . -type f ! -path ./etc/hello/hello.conf -exec sha256sum {} +) | "
		    "sed 's|  \\./|  /|' | sort > want && "
		    "dpkg-deb -e repo/hello_1.0-1_amd64.deb ctl && "
		    "echo \"$(sha256sum < ctl/postinst | cut -c1-64)  /var/lib/dpkg/info/hello.postinst\" >> want && "
		    "sort -o want want && wc -l < want")) TH_LOG("%s", self->out);
	EXPECT_STREQ("6\n", self->out);
	ASSERT_EQ(0, run(self, "$B sbom deb -o sbom.json repo/*.deb")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "2 packages, 6 files")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "jq -r '.components[].components[] | \"\\(.hashes[0].content)  \\(.name)\"' "
		    "sbom.json | sort > got && diff want got")) TH_LOG("%s", self->out);
	/* one component per package, purl with the epoch encoded */
	ASSERT_EQ(0, run(self, "jq -r '.components[] | \"\\(.name) \\(.version) \\(.purl)\"' sbom.json"));
	EXPECT_STREQ("hello 2:1.0-1 pkg:deb/debian/hello@2%3A1.0-1?arch=amd64\n"
		     "libhello1 1.0-1 pkg:deb/debian/libhello1@1.0-1?arch=amd64\n",
		     self->out);
	/* the .deb's own digest is a property */
	EXPECT_EQ(0, run(self, "test \"$(jq -r '.components[0].properties[] | "
			 "select(.name == \"bomgate:deb-sha256\") | .value' sbom.json)\" = "
			 "\"$(sha256sum < repo/hello_1.0-1_amd64.deb | cut -c1-64)\""));
	/* it compiles, and the extracted program is allowed by it */
	ASSERT_EQ(0, run(self, "$B compile sbom.json -o p.bgp")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "$B check --policy p.bgp x/usr/bin/hello "
			 "x/usr/lib/x86_64-linux-gnu/libhello.so.1.0")) TH_LOG("%s", self->out);
	/* --conffiles lists the conffile too, marked */
	ASSERT_EQ(0, run(self, "$B sbom deb -q --conffiles repo/hello_1.0-1_amd64.deb | "
			 "jq -r '.components[].components[] | select(.name == \"/etc/hello/hello.conf\") | "
			 ".properties[1].value'"));
	EXPECT_STREQ("conffile\n", self->out);
}

TEST_F(apt, sbom_deb_refuses_a_malformed_package_naming_it)
{
	EXPECT_EQ(3, run(self, "head -c 2000 repo/hello_1.0-1_amd64.deb > cut.deb && $B sbom deb cut.deb"));
	EXPECT_NE(NULL, strstr(self->out, "cut.deb: ")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, run(self, "$B sbom deb repo/Packages"));
	EXPECT_NE(NULL, strstr(self->out, "repo/Packages: ")) TH_LOG("%s", self->out);
	EXPECT_EQ(5, run(self, "$B sbom deb no-such.deb"));
}

TEST_F(apt, verify_accepts_the_signed_repository)
{
	ASSERT_EQ(0, run(self, "cd repo && $B apt verify --key ../key.asc --release InRelease "
			 "--packages Packages *.deb")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "InRelease: good signature by ")) TH_LOG("%s", self->out);
	/* each .deb with the digest sha256sum gives */
	EXPECT_EQ(0, run(self, "cd repo && $B apt verify --key ../key.asc --release InRelease "
			 "--packages Packages *.deb | tail -n 2 | cut -d' ' -f1,2,3,4,5 > ../got && "
			 "sha256sum *.deb | sed 's/  hello_/  hello 2:1.0-1 amd64 hello_/; "
			 "s/  libhello1_/  libhello1 1.0-1 amd64 libhello1_/' | cut -d' ' -f1,2,3,4,5 > ../want && "
			 "diff ../want ../got")) TH_LOG("%s", self->out);
	/* Release + Release.gpg; a fingerprint in a keyring; JSON */
	EXPECT_EQ(0, run(self, "cd repo && $B apt verify --key ../key.asc --release Release "
			 "--signature Release.gpg --packages Packages hello_1.0-1_amd64.deb"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, run(self, "cd repo && $B apt verify --key \"$(cat ../fpr)\" --keyring ../all.gpg "
			 "--release InRelease --packages Packages --json --list | "
			 "jq -e '.signer == \"'$(cat ../fpr)'\" and .packages == 2 and "
			 "(.index_packages | length) == 2'")) TH_LOG("%s", self->out);
}

TEST_F(apt, verify_refuses_another_key)
{
	EXPECT_EQ(4, run(self, "cd repo && $B apt verify " K " --release InRelease.other "
			 "--packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "not by the pinned key")) TH_LOG("%s", self->out);
	/* the other key in the keyring does not help: the pin is a fingerprint */
	EXPECT_EQ(4, run(self, "cd repo && $B apt verify --key \"$(cat ../fpr)\" --keyring ../all.gpg "
			 "--release InRelease.other --packages Packages"));
	/* a key file with two keys pins nothing */
	EXPECT_EQ(4, run(self, "cd repo && $B apt verify --key ../all.gpg --release InRelease "
			 "--packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "2 primary keys")) TH_LOG("%s", self->out);
	/* a signed text changed afterwards */
	EXPECT_EQ(4, run(self, "cd repo && sed 's/^Date: .*/Date: Fri, 01 Jan 2100 00:00:00 UTC/' "
			 "InRelease > InRelease.changed && $B apt verify " K " --release "
			 "InRelease.changed --packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "BADSIG")) TH_LOG("%s", self->out);
	/* text outside the one signed message: refused before gpgv */
	EXPECT_EQ(3, run(self, "cd repo && cat InRelease InRelease.other > InRelease.two && "
			 "$B apt verify " K " --release InRelease.two --packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "InRelease.two:20: text after the signature")) TH_LOG("%s", self->out);
}

/* Debian signs with two keys: one by the pinned key is enough, as in apt */
TEST_F(apt, verify_accepts_a_second_signature_by_an_unknown_key)
{
	EXPECT_EQ(0, run(self, "cd repo && gpg -q --batch -u $(cat ../fpr.other) -u $(cat ../fpr) "
			 "--clearsign -o InRelease.both Release && "
			 "$B apt verify " K " --release InRelease.both --packages Packages"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(4, run(self, "cd repo && gpg -q --export -a $(cat ../fpr.other) > ../other.asc && "
			 "$B apt verify --key ../other.asc --release InRelease.both --packages Packages && "
			 "$B apt verify " K " --release InRelease.other --packages Packages"));
}

TEST_F(apt, verify_refuses_a_tampered_packages_index)
{
	EXPECT_EQ(4, run(self, "cd repo && sed -i 's/^Size: .*/Size: 1/' Packages && "
			 "$B apt verify " K " --release InRelease --packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "error: Packages: SHA-256 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "does not match InRelease:10 (Packages: "))
		TH_LOG("%s", self->out);
}

TEST_F(apt, verify_refuses_a_tampered_deb)
{
	EXPECT_EQ(4, run(self, "cd repo && printf x >> hello_1.0-1_amd64.deb && "
			 "$B apt verify " K " --release InRelease --packages Packages "
			 "hello_1.0-1_amd64.deb"));
	EXPECT_NE(NULL, strstr(self->out, "hello_1.0-1_amd64.deb: SHA-256 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "differs from Packages:1 (hello 2:1.0-1 amd64"))
		TH_LOG("%s", self->out);
	/* a package the index does not list */
	EXPECT_EQ(4, run(self, "cd repo && sed -i 's/^Version: 2:1.0-1/Version: 2:1.0-2/' ../app/DEBIAN/control && "
			 "dpkg-deb --root-owner-group --build ../app local.deb > /dev/null && "
			 "$B apt verify " K " --release InRelease --packages Packages local.deb"));
	EXPECT_NE(NULL, strstr(self->out, "local.deb: hello 2:1.0-2 amd64 is not in the Packages index"))
		TH_LOG("%s", self->out);
}

TEST_F(apt, verify_refuses_a_release_without_the_packages_entry)
{
	EXPECT_EQ(4, run(self, "cd repo && grep -v ' Packages$' Release > R && "
			 "gpg -q --batch -u $(cat ../fpr) --clearsign -o InR R && "
			 "$B apt verify " K " --release InR --packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "InR: no SHA256 entry names Packages")) TH_LOG("%s", self->out);
}

TEST_F(apt, verify_names_the_line_of_a_malformed_stanza)
{
	/* signed and hashed correctly, but not a valid index */
	EXPECT_EQ(3, run(self, "cd repo && sed -i '0,/^SHA256: /s/^SHA256: .*/SHA256: xyz/' Packages && "
			 "apt-ftparchive release . > ../R && mv ../R Release && "
			 "gpg -q --batch --yes -u $(cat ../fpr) --clearsign -o InRelease Release && "
			 "$B apt verify " K " --release InRelease --packages Packages"));
	EXPECT_NE(NULL, strstr(self->out, "Packages:")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, ": SHA256: not 64 hex digits")) TH_LOG("%s", self->out);
}

TEST_F(apt, verify_dpkg_reports_a_modified_file_in_a_temporary_root)
{
	/* a dpkg root of its own: nothing of the host's is touched */
	ASSERT_EQ(0, run(self, "mkdir -p R/var/lib/dpkg/info R/var/lib/dpkg/updates && "
			 "touch R/var/lib/dpkg/status && "
			 "dpkg --root=$PWD/R --force-not-root -i repo/libhello1_1.0-1_amd64.deb && "
			 "dpkg --root=$PWD/R --force-not-root --unpack repo/hello_1.0-1_amd64.deb"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, run(self, "$B sbom scan -q --root R --verify-dpkg -o s.json R/usr"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "4 as installed, 0 modified")) TH_LOG("%s", self->out);
	ASSERT_EQ(1, run(self, "printf x >> R/usr/lib/x86_64-linux-gnu/libhello.so.1.0 && "
			 "mkdir -p R/usr/local/bin && cp R/usr/bin/hello R/usr/local/bin/extra && "
			 "$B sbom scan -q --root R --verify-dpkg -o s.json R/usr"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "modified since install: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "/R/usr/lib/x86_64-linux-gnu/libhello.so.1.0 (libhello1 1.0-1 amd64): MD5 "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not owned by any package: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "3 as installed, 1 modified, 1 not owned")) TH_LOG("%s", self->out);
	/* neither is in the SBOM; the files as installed are */
	ASSERT_EQ(0, run(self, "jq -r '.. | objects | select(.type? == \"file\") | .name' s.json | "
			 "sed 's|.*/R/|/|' | sort"));
	EXPECT_STREQ("/usr/bin/hello\n/usr/bin/hello-again\n/usr/libexec/hello/setup\n", self->out);
	/* without --verify-dpkg the disk is trusted, as before */
	EXPECT_EQ(0, run(self, "$B sbom scan -q --root R -o s.json R/usr"));
}

/*
 * trust-apt: the policy holds the key, and bomgated's own check (RNP in
 * process, no gpg) stages what the signed index vouches for. "lists" is
 * laid out as apt's lists directory names a flat repository's files.
 */
#define STAGE_SETUP "printf 'version 1\\ntrust-apt key.asc\\n' > p.policy && " \
	"$B compile -s p.policy -o p.bgp > /dev/null && mkdir -p lists && " \
	"cp repo/InRelease lists/repo_._InRelease && cp repo/Packages lists/repo_._Packages && "

TEST_F(apt, stage_stages_what_the_pinned_key_signed)
{
	ASSERT_EQ(0, run(self, STAGE_SETUP "$B inspect p.bgp | grep -q \"^trust-apt  *$(cat fpr) (line 2)\" && "
			 "$B apt stage --policy p.bgp --lists lists repo/*.deb"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "staged hello 2:1.0-1 amd64 (5 files) from ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "staged libhello1 1.0-1 amd64 (2 files) from ")) TH_LOG("%s", self->out);
	/* Release + Release.gpg as apt keeps them */
	EXPECT_EQ(0, run(self, "rm lists/repo_._InRelease && cp repo/Release lists/repo_._Release && "
			 "cp repo/Release.gpg lists/repo_._Release.gpg && "
			 "$B apt stage --policy p.bgp --lists lists repo/hello_1.0-1_amd64.deb"))
		TH_LOG("%s", self->out);
}

TEST_F(apt, stage_refuses_another_key_a_changed_text_and_a_local_build)
{
	ASSERT_EQ(0, run(self, STAGE_SETUP "true")) TH_LOG("%s", self->out);
	/* the index is signed, but by a key the policy does not trust */
	EXPECT_EQ(4, run(self, "cp repo/InRelease.other lists/repo_._InRelease && "
			 "$B apt stage --policy p.bgp --lists lists repo/hello_1.0-1_amd64.deb"));
	EXPECT_NE(NULL, strstr(self->out, "refused repo/hello_1.0-1_amd64.deb: hello 2:1.0-1 amd64 is in no "
			       "Packages index signed by a trusted key (0 verified; refused: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not by the pinned key")) TH_LOG("%s", self->out);
	/* the signed text changed after signing */
	EXPECT_EQ(4, run(self, "sed 's/^Date: .*/Date: Fri, 01 Jan 2100 00:00:00 UTC/' repo/InRelease > "
			 "lists/repo_._InRelease && "
			 "$B apt stage --policy p.bgp --lists lists repo/hello_1.0-1_amd64.deb"));
	EXPECT_NE(NULL, strstr(self->out, "signature refused (bad signature): the signed text was changed"))
		TH_LOG("%s", self->out);
	/* the same package rebuilt here: not what the index lists */
	EXPECT_EQ(4, run(self, "cp repo/InRelease lists/repo_._InRelease && "
			 "echo 'int main(void) { return 3; }' > e.c && gcc -o app/usr/bin/hello e.c && "
			 "dpkg-deb --root-owner-group --build app local.deb > /dev/null && "
			 "$B apt stage --policy p.bgp --lists lists local.deb"));
	EXPECT_NE(NULL, strstr(self->out, "refused local.deb: SHA-256 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "differs from lists/repo_._Packages:1 (")) TH_LOG("%s", self->out);
	/* a tampered Packages file: the signed Release does not match it */
	EXPECT_EQ(4, run(self, "sed -i 's/^Size: .*/Size: 1/' lists/repo_._Packages && "
			 "$B apt stage --policy p.bgp --lists lists repo/hello_1.0-1_amd64.deb"));
	EXPECT_NE(NULL, strstr(self->out, "lists/repo_._Packages: SHA-256 ")) TH_LOG("%s", self->out);
	/* no lists at all, and a policy that trusts no key */
	EXPECT_EQ(5, run(self, "$B apt stage --policy p.bgp --lists no-such repo/hello_1.0-1_amd64.deb"));
	EXPECT_EQ(3, run(self, "$B sbom deb -q -o s.json repo/libhello1_1.0-1_amd64.deb && "
			 "$B compile -o q.bgp s.json > /dev/null && "
			 "$B apt stage --policy q.bgp --lists lists repo/hello_1.0-1_amd64.deb"));
	EXPECT_NE(NULL, strstr(self->out, "no trust-apt line")) TH_LOG("%s", self->out);
}

TEST_F(apt, stage_follows_the_trust_patterns)
{
	ASSERT_EQ(4, run(self, "printf 'version 1\\ntrust-apt key.asc package=lib*\\n' > p.policy && "
			 "$B compile -s p.policy -o p.bgp > /dev/null && mkdir -p lists && "
			 "cp repo/InRelease lists/repo_._InRelease && cp repo/Packages lists/repo_._Packages && "
			 "$B apt stage --policy p.bgp --lists lists repo/*.deb"));
	EXPECT_NE(NULL, strstr(self->out, "staged libhello1 1.0-1 amd64")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "but its trust-apt line 2 does not cover it (origin=* suite=* package=lib*)"))
		TH_LOG("%s", self->out);
	/* bad lines name themselves */
	EXPECT_EQ(3, run(self, "printf 'version 1\\ntrust-apt key.asc colour=red\\n' > b.policy && "
			 "$B compile -s b.policy -o b.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "b.policy:2: trust-apt: unknown option 'colour=red'")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, run(self, "printf 'version 1\\ntrust-apt all.gpg\\n' > c.policy && "
			 "$B compile -s c.policy -o c.bgp"));
	EXPECT_NE(NULL, strstr(self->out, "c.policy:2: trust-apt all.gpg: all.gpg: 2 primary keys")) TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
