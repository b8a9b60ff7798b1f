#!/bin/sh
# Build the test VM's initramfs for one cached kernel:
#   selftests/vm/mkinitrd.sh KERNEL_DIR OUT.cpio.gz [BUSYBOX [MODULE...]]
# busybox-static (this machine's, or BUSYBOX for a guest of another
# architecture) plus the guest kernel's modules needed to mount the host
# root over 9p with a tmpfs overlay on top, and MODULEs (a root on a disk),
# insmod order from modprobe.
set -eu
kdir=$1
out=$2
busybox=${3:-/bin/busybox}
shift 2
[ $# -eq 0 ] || shift
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$(cat "$kdir/release")
root=$kdir/root

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/mods"
cp "$busybox" "$stage/bin/busybox"

i=0
modprobe -d "$root" -S "$kver" --show-depends -a virtio_pci 9p 9pnet_virtio overlay "$@" |
while read -r kind path _; do
	[ "$kind" = insmod ] || continue
	name=$(basename "$path")
	name=${name%.xz}
	name=${name%.zst}
	grep -qx "$name" "$stage/mods/order" 2>/dev/null && continue
	case $path in
	*.xz)	xz -dc "$path" > "$stage/mods/$name" ;;
	*.zst)	zstd -qdc "$path" > "$stage/mods/$name" ;;
	*)	cp "$path" "$stage/mods/$name" ;;
	esac
	echo "$name" >> "$stage/mods/order"
	i=$((i + 1))
done
cp "$top/selftests/vm/init" "$stage/init"
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
