#!/bin/sh
# Set up a Debian 12 machine for building and testing bomgate, and fetch the
# two test kernels into .cache/kernels (never installed into /boot).
# Idempotent: a second run with everything present does no network work.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache/kernels

PKGS="make gcc clang libclang-rt-14-dev llvm lld libbpf-dev bpftool libelf-dev zlib1g-dev \
libssl-dev openssl libseccomp-dev libyajl-dev libexpat1-dev libarchive-dev librnp-dev gpgv gpg apt-utils pkg-config \
qemu-system-x86 busybox-static cpio kmod xz-utils zstd e2fsprogs jq \
linux-source-6.1 fapolicyd hyperfine gnuplot-nox python3 fuse3 libfuse3-dev valgrind chromium go-md2man man-db debhelper lintian dpkg-dev libsystemd-dev libaudit-dev auditd \
qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross debootstrap g++ libsimdjson-dev"
# arm64: the libraries the userspace links, through multiarch (the same
# versions as the amd64 ones: Multi-Arch: same).
PKGS_ARM64="libbpf-dev libelf-dev zlib1g-dev libssl-dev libseccomp-dev \
libyajl-dev libexpat1-dev libarchive-dev libfuse3-dev libsystemd-dev libaudit-dev"

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: must run as root to install packages (try: sudo make deps)" >&2
		exit 1
	fi
}

updated=1
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	need_root
	dpkg --add-architecture arm64
	updated=	# the arm64 indexes are not there yet
fi

missing=""
for p in $PKGS $(for p in $PKGS_ARM64; do echo "$p:arm64"; done); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

bp=/etc/apt/sources.list.d/bomgate-backports.sources
if [ ! -f "$bp" ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
	need_root
	cat > "$bp" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	updated=
fi

if [ -n "$missing" ]; then
	need_root
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	updated=1
	# fapolicyd's package starts its service; keep it from running on the
	# host (it would gate every exec on this machine).
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	apt-get install -y -q --no-install-recommends $missing
	rm -f /usr/sbin/policy-rc.d
	systemctl disable --now fapolicyd >/dev/null 2>&1 || true
fi

# Test kernels: Debian 6.1 (bookworm) and 6.12 (bookworm-backports).
fetch_kernel() {	# $1 = short name, $2 = apt search pattern
	dir=$cache/$1
	if [ -f "$dir/ok" ]; then
		return 0
	fi
	need_root
	[ -n "$updated" ] || { apt-get update -q; updated=1; }
	pkg=$(apt-cache search --names-only "$2" | awk '{print $1}' |
		grep -v -- '-dbg$' | grep -v unsigned | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "deps: no package matches $2" >&2; exit 1; }
	echo "deps: fetching kernel $1 ($pkg)"
	rm -rf "$dir"
	mkdir -p "$dir/pkg" "$dir/root"
	(cd "$dir/pkg" && apt-get download -q -o APT::Sandbox::User=root "$pkg")
	dpkg-deb -x "$dir"/pkg/*.deb "$dir/root"
	kver=$(ls "$dir/root/lib/modules")
	depmod -b "$dir/root" "$kver"
	ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	dpkg-deb -f "$dir"/pkg/*.deb Architecture > "$dir/arch"
	echo "$kver" > "$dir/release"
	echo "$pkg" > "$dir/package"
	rm -rf "$dir/pkg"
	touch "$dir/ok"
}

# Kernels of newer suites (Debian 13 and its backports), through a private
# apt state under .cache: the machine's own sources stay as they are.
papt=$top/.cache/apt
papt_ready=
private_apt() {
	if [ -z "$papt_ready" ]; then
		mkdir -p "$papt/etc/preferences.d" "$papt/etc/apt.conf.d" \
			"$papt/lists/partial" "$papt/cache/archives/partial"
		kr=/usr/share/keyrings/debian-archive-keyring.gpg
		cat > "$papt/etc/sources.list" <<SRC
deb [signed-by=$kr] http://deb.debian.org/debian trixie main
deb [signed-by=$kr] http://deb.debian.org/debian trixie-backports main
deb [signed-by=$kr] http://deb.debian.org/debian-security trixie-security main
SRC
		apt-get $PAPT -q update >/dev/null
		papt_ready=1
	fi
	"$@"
}
PAPT="-o Dir::Etc=$papt/etc -o Dir::State::Lists=$papt/lists \
-o Dir::Cache=$papt/cache -o Dir::State::status=/dev/null -o Debug::NoLocking=1"

# $1 = short name, $2 = apt search pattern. 7.x images are meta packages
# over linux-binary-VER, linux-modules-VER, linux-base-VER (image in
# usr/lib/modules/VER/vmlinuz): those are fetched with it.
fetch_kernel_private() {
	dir=$cache/$1
	if [ -f "$dir/ok" ]; then
		return 0
	fi
	need_root
	pkg=$(private_apt apt-cache $PAPT search --names-only "$2" |
		awk '{print $1}' | grep -v -- '-dbg$' | grep -v unsigned |
		sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "deps: no package matches $2" >&2; exit 1; }
	echo "deps: fetching kernel $1 ($pkg)"
	rm -rf "$dir"
	mkdir -p "$dir/pkg" "$dir/root"
	ver=${pkg#linux-image-}
	extra=$(apt-cache $PAPT show "$pkg" | sed -n 's/^Depends: //p' |
		tr ',' '\n' | sed 's/^ *//; s/ .*//' |
		grep -x -F -e "linux-binary-$ver" -e "linux-modules-$ver" \
			-e "linux-base-$ver" |
		sort -u || true)
	(cd "$dir/pkg" && apt-get $PAPT download -q \
		-o APT::Sandbox::User=root "$pkg" $extra)
	for d in "$dir"/pkg/*.deb; do
		dpkg-deb -x "$d" "$dir/root"
	done
	# usr-merged packages: /lib/modules is /usr/lib/modules
	if [ ! -d "$dir/root/lib/modules" ] && [ -d "$dir/root/usr/lib/modules" ]; then
		ln -s usr/lib "$dir/root/lib"
	fi
	kver=$(ls "$dir/root/lib/modules")
	depmod -b "$dir/root" "$kver"
	if [ -f "$dir/root/boot/vmlinuz-$kver" ]; then
		ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	else
		ln -sf "root/lib/modules/$kver/vmlinuz" "$dir/vmlinuz"
	fi
	echo "$kver" > "$dir/release"
	echo "$pkg" > "$dir/package"
	rm -rf "$dir/pkg"
	touch "$dir/ok"
}

fetch_kernel 6.1 '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$'
fetch_kernel 6.12 '^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
fetch_kernel_private 6.12-trixie '^linux-image-6\.12\.[0-9]+\+deb13-amd64$'
fetch_kernel_private 7 '^linux-image-7\.[0-9]+\.[0-9]+\+deb13-amd64$'
fetch_kernel 6.12-arm64 '^linux-image-6\.12\.[0-9]+\+deb12-arm64$'
# The arm64 guest cannot share this machine's root: it boots a Debian root
# of its own (.cache/roots/arm64), made once.
if [ ! -f "$top/.cache/roots/arm64/ok" ]; then
	need_root
	"$top/selftests/vm/mkroot.sh" arm64 "$cache/6.12-arm64"
fi
# The system test boots a Debian system of its own under systemd
# (.cache/roots/system-amd64), made once (again when its recipe changes).
need_root
"$top/selftests/system/mkimage.sh" "$cache/6.12"
echo "deps: ok (kernels:$(for k in 6.1 6.12 6.12-trixie 7 6.12-arm64; do printf ' %s' "$(cat "$cache/$k/release")"; done))"
