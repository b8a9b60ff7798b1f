#!/bin/sh
# make install: bomgate, bomgated, the systemd unit, the configuration
# (only where there is none: an edited one is never replaced), man pages
# made from docs/man with Debian's go-md2man, and the docs. Installing
# starts nothing and enforces nothing.
#   scripts/install.sh BUILD   (DESTDIR, PREFIX=/usr, SYSCONFDIR=/etc)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
dest=${DESTDIR:-}
prefix=${PREFIX:-/usr}
etc=${SYSCONFDIR:-/etc}
version=$(sed -n 's/^BOMGATE_VERSION := //p' "$top/Makefile")

for f in "$build/bomgate" "$build/bomgated"; do
	[ -x "$f" ] || { echo "install: no $f: run make first" >&2; exit 2; }
done
command -v go-md2man > /dev/null ||
	{ echo "install: go-md2man is missing (apt install go-md2man, or make deps)" >&2; exit 2; }

install -d "$dest$prefix/bin" "$dest$prefix/sbin" \
	"$dest$prefix/lib/systemd/system" "$dest$prefix/share/man/man1" \
	"$dest$prefix/share/man/man8" "$dest$prefix/share/doc/bomgate"
install -d -m 0750 "$dest$etc/bomgate"
install -m 0755 "$build/bomgate" "$dest$prefix/bin/bomgate"
install -m 0755 "$build/bomgated" "$dest$prefix/sbin/bomgated"
sed "s|/usr/sbin/bomgated|$prefix/sbin/bomgated|; s|/usr/bin/bomgate |$prefix/bin/bomgate |; s|/etc/bomgate/|$etc/bomgate/|; s|/usr/share/doc/bomgate/|$prefix/share/doc/bomgate/|" \
	"$top/daemon/bomgated.service" > "$dest$prefix/lib/systemd/system/bomgated.service"
chmod 0644 "$dest$prefix/lib/systemd/system/bomgated.service"
install -d "$dest$etc/apt/apt.conf.d"
sed "s|/usr/bin/bomgate|$prefix/bin/bomgate|g" "$top/daemon/60bomgate.apt.conf" \
	> "$dest$etc/apt/apt.conf.d/60bomgate"
chmod 0644 "$dest$etc/apt/apt.conf.d/60bomgate"
[ -e "$dest$etc/bomgate/bomgated.conf" ] ||
	install -m 0640 "$top/daemon/bomgated.conf" "$dest$etc/bomgate/bomgated.conf"

# docs/man/NAME.S.md -> NAME.S.gz: the "# name(S)" title becomes .TH, and
# the NAME line names the page itself ("bomgate sign - ..." becomes
# "bomgate-sign - ...": what whatis and apropos index)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for md in "$top"/docs/man/*.md; do
	page=$(basename "$md" .md)
	sec=${page##*.}
	name=${page%.*}
	sed -e "1s/^# \([a-z0-9-]*\)(\([0-9]\))\$/# \U\1\E \2 \"\" \"bomgate $version\" \"bomgate manual\"/" \
	    -e "/^## NAME\$/{n;s/^[^-]* - /$name - /}" \
		"$md" > "$tmp/$page.md"
	go-md2man -in "$tmp/$page.md" -out "$tmp/$page"
	gzip -9n < "$tmp/$page" > "$dest$prefix/share/man/man$sec/$page.gz"
done
install -m 0644 "$top"/docs/*.md "$dest$prefix/share/doc/bomgate/"
echo "installed into ${dest:-/}: $prefix/bin/bomgate, $prefix/sbin/bomgated, $prefix/lib/systemd/system/bomgated.service, $etc/bomgate/bomgated.conf, man pages"
