#!/bin/sh
# Set up a Debian 12 machine for building and testing bomgate, and fetch the
# two test kernels into .cache/kernels (never installed into /boot).
# Idempotent: a second run with everything present does no network work.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache/kernels

PKGS="make gcc clang libclang-rt-14-dev llvm lld libbpf-dev bpftool libelf-dev zlib1g-dev \
libssl-dev openssl libseccomp-dev libyajl-dev libexpat1-dev pkg-config \
qemu-system-x86 busybox-static cpio kmod xz-utils zstd e2fsprogs jq \
linux-source-6.1 fapolicyd hyperfine gnuplot-nox python3 fuse3 libfuse3-dev"

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: must run as root to install packages (try: sudo make deps)" >&2
		exit 1
	fi
}

missing=""
for p in $PKGS; do
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
else
	updated=1
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
	echo "$kver" > "$dir/release"
	echo "$pkg" > "$dir/package"
	rm -rf "$dir/pkg"
	touch "$dir/ok"
}

fetch_kernel 6.1 '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$'
fetch_kernel 6.12 '^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
echo "deps: ok (kernels: $(cat "$cache/6.1/release") $(cat "$cache/6.12/release"))"
