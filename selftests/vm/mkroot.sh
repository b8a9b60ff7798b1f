#!/bin/sh
# Make the Debian root a guest of another architecture boots (it cannot
# share this machine's root the way an amd64 guest does):
#   selftests/vm/mkroot.sh ARCH KERNEL_DIR
# debootstrap's first stage unpacks the packages here; its second stage
# (the maintainer scripts, which run the guest's own binaries) runs inside
# a QEMU guest booting KERNEL_DIR, so no binfmt or qemu-user is needed.
# The root is an ext4 image (9p refuses the device nodes debootstrap
# makes): .cache/roots/ARCH/root.img, next to the busybox the initramfs
# runs, marked complete by the file "ok". The tests boot it read-only
# under a tmpfs overlay.
set -eu
arch=$1
kdir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/vm/qemu.sh"
dest=$top/.cache/roots/$arch
new=$dest.tmp
root=$new/dir
mirror=${BOMGATE_MIRROR:-http://deb.debian.org/debian}

# What the VM tests run besides their own binaries: busybox (the payload
# of most tests), modprobe/depmod, mkfs.ext4, xz, python3.11 (a large
# binary), fusermount3, fapolicyd (peer_test), and the libraries bomgate
# and the helpers link.
pkgs=busybox-static,kmod,e2fsprogs,xz-utils,zstd,python3.11-minimal
pkgs=$pkgs,fuse3,fapolicyd,iproute2,libelf1,zlib1g,libssl3,libyajl2
pkgs=$pkgs,libexpat1,libseccomp2,libfuse3-3

start=$(date +%s)
rm -rf "$new"
mkdir -p "$root"
log=$new/log
echo "mkroot: debootstrap --foreign $arch ($pkgs)"
debootstrap --foreign --arch="$arch" --variant=minbase --include="$pkgs" \
	bookworm "$root" "$mirror" > "$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; exit 1; }

# Services the maintainer scripts would start (fapolicyd) stay stopped.
# /etc/mtab (no systemd to make it): fusermount3 -u of a user's mount
# finds the mount there.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
cat > "$root/bomgate-stage2" <<'EOF'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
res=/run/bomgate-results
/debootstrap/debootstrap --second-stage > $res/stage2.log 2>&1 &&
	ln -sfn ../proc/self/mounts /etc/mtab &&
	rm -f /var/cache/apt/archives/*.deb /bomgate-stage2 &&
	echo ok > $res/done
sync
busybox poweroff -f || echo o > /proc/sysrq-trigger
EOF
chmod +x "$root/bomgate-stage2"

# The initramfs needs a busybox of the guest's architecture: the one
# debootstrap fetched (installed only by the second stage).
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dpkg-deb -x "$root"/var/cache/apt/archives/busybox-static_*_"$arch".deb \
	"$stage/bb"
cp "$stage/bb/bin/busybox" "$new/busybox"
"$top/selftests/vm/mkinitrd.sh" "$kdir" "$stage/initrd.gz" "$new/busybox" \
	virtio_blk ext4
mkdir -p "$stage/res"
# sparse: about as much disk as the files take
mkfs.ext4 -q -F -L bomgate-root -d "$root" "$new/root.img" 1536M
rm -rf "$root"

echo "mkroot: second stage in a $arch guest"
vm_qemu "$arch"
timeout -k 10 1800 $VM_QEMU -m 1536 -smp 2 -nographic -no-reboot -nic none \
	-kernel "$kdir/vmlinuz" -initrd "$stage/initrd.gz" \
	-append "console=$VM_CONSOLE quiet panic=-1 bomgate.root=vda bomgate.rootrw=1 bomgate.stage2=/bomgate-stage2" \
	-drive file="$new/root.img",if=virtio,format=raw,cache=unsafe \
	-virtfs local,path="$stage/res",mount_tag=results,security_model=none \
	< /dev/null > "$new/console.log" 2>&1 || true
cat "$stage/res/stage2.log" >> "$log" 2>/dev/null || true
if [ ! -f "$stage/res/done" ]; then
	echo "mkroot: the second stage failed; see $log, $new/console.log" >&2
	tail -n 30 "$log" "$new/console.log" >&2 || true
	exit 1
fi
rm -rf "$dest"
mv "$new" "$dest"
touch "$dest/ok"
echo "mkroot: $dest ready in $(($(date +%s) - start)) s," \
     "$(du -sh "$dest" | cut -f1) on disk"
