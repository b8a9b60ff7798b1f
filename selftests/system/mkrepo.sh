#!/bin/sh
# The apt repositories of the system test's trust-apt step, made with
# Debian's tools (dpkg-deb, apt-ftparchive, gpg) into DIR:
#   selftests/system/mkrepo.sh DIR
#   repo/     signed by the trusted key (key.asc, key.gpg): bgdemo 1.0
#             and 1.1 (a program, its shared library, a postinst that runs
#             a helper the package brings), bgtool 1.0
#   other/    signed by another key (other.gpg): bgother 1.0
#   local/    bgdemo 1.2, built here and in no repository
#   evil/     bgdemo 9.9, for the forged-index attack
set -eu
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export GNUPGHOME=$dir/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg -q --batch --passphrase '' --quick-gen-key 'bomgate test repo <repo@example.invalid>' ed25519 sign never
gpg -q --batch --passphrase '' --quick-gen-key 'another repo <other@example.invalid>' ed25519 sign never
fpr() { gpg --with-colons --list-keys "$1" | awk -F: '/^fpr/ { print $10; exit }'; }
gpg -q --export -a "$(fpr repo@example.invalid)" > "$dir/key.asc"
gpg -q --export "$(fpr repo@example.invalid)" > "$dir/key.gpg"
gpg -q --export "$(fpr other@example.invalid)" > "$dir/other.gpg"
fpr repo@example.invalid > "$dir/key.fpr"
fpr other@example.invalid > "$dir/other.fpr"

w=$dir/work
mkdir -p "$w"
# $1 name, $2 version, $3 output directory
pkg() {
	p=$w/$1-$2
	rm -rf "$p"
	mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/usr/lib/$1"
	cat > "$w/lib.c" <<EOT
const char *version(void) { return "$1 $2"; }
EOT
	# the program differs between versions too (not only its library)
	cat > "$w/main.c" <<EOT
#include <stdio.h>
const char *version(void);
__attribute__((used)) static const char built[] = "$1 $2";
int main(void) { puts(version()); return 0; }
EOT
	gcc -shared -fPIC -Wl,-soname,lib$1.so.1 -o "$p/usr/lib/$1/lib$1.so.1" "$w/lib.c"
	gcc -o "$p/usr/bin/$1" "$w/main.c" "$p/usr/lib/$1/lib$1.so.1" \
		-Wl,-rpath,/usr/lib/$1
	printf '#!/bin/sh\necho "%s %s set up" > /var/lib/%s-setup\n' "$1" "$2" "$1" \
		> "$p/usr/lib/$1/setup"
	chmod 755 "$p/usr/lib/$1/setup"
	printf '#!/bin/sh\nset -e\n[ "$1" = configure ] && /usr/lib/%s/setup\nexit 0\n' "$1" \
		> "$p/DEBIAN/postinst"
	chmod 755 "$p/DEBIAN/postinst"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: bomgate tests <t@example.invalid>\nDescription: a bomgate test package\n' \
		"$1" "$2" > "$p/DEBIAN/control"
	mkdir -p "$3"
	dpkg-deb --root-owner-group --build "$p" "$3/$1_$2_amd64.deb" > /dev/null
}
# $1 repository, $2 key
index() {
	r=$dir/$1
	(cd "$r" &&
	 mkdir -p dists/stable/main/binary-amd64 &&
	 apt-ftparchive packages pool > dists/stable/main/binary-amd64/Packages &&
	 apt-ftparchive -o APT::FTPArchive::Release::Origin=bomgate-test \
		-o APT::FTPArchive::Release::Suite=stable \
		-o APT::FTPArchive::Release::Codename=stable \
		-o APT::FTPArchive::Release::Components=main \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		release dists/stable > "$w/Release" &&
	 mv "$w/Release" dists/stable/Release &&
	 gpg -q --batch -u "$(cat "$dir/$2.fpr")" --clearsign \
		-o dists/stable/InRelease dists/stable/Release)
}
pkg bgdemo 1.0 "$dir/repo/pool"
pkg bgdemo 1.1 "$dir/repo/pool"
pkg bgtool 1.0 "$dir/repo/pool"
pkg bgother 1.0 "$dir/other/pool"
pkg bgdemo 1.2 "$dir/local"
pkg bgdemo 9.9 "$dir/evil"
index repo key
index other other
rm -rf "$w"
gpgconf --kill all 2>/dev/null || true
