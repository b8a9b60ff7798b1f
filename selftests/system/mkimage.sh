#!/bin/sh
# The Debian system the system tests boot under systemd (selftests/system/run):
#   selftests/system/mkimage.sh KERNEL_DIR
# debootstrap (both stages here: same architecture) of bookworm with
# systemd, udev and auditd into an ext4 image, with nothing of bomgate in
# it: the test installs the package with apt. Made once into
# .cache/roots/system-amd64 (root.img, initrd.gz for KERNEL_DIR, "ok"
# holding the recipe: a changed recipe makes it again).
set -eu
kdir=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$top/.cache/roots/system-amd64
mirror=${BOMGATE_MIRROR:-http://deb.debian.org/debian}

# systemd as PID 1, udev, auditd; what the package's binaries link (apt
# installs a local .deb offline only when its dependencies are there).
pkgs=systemd,systemd-sysv,udev,auditd,kmod,libbpf1,libelf1,zlib1g,libssl3
pkgs=$pkgs,libyajl2,libexpat1,libseccomp2,libsystemd0,libaudit1,libarchive13
# what apt verify runs (gpgv is in minbase; gpg imports keys by fingerprint)
pkgs=$pkgs,gpgv,gpg
# trust-apt: bomgated verifies the repositories with RNP
pkgs=$pkgs,librnp0
recipe="bookworm $pkgs $(cat "$kdir/release") r1"
if [ -f "$dest/ok" ] && [ "$(cat "$dest/ok")" = "$recipe" ]; then
	exit 0
fi

start=$(date +%s)
new=$dest.tmp
root=$new/dir
rm -rf "$new"
mkdir -p "$root"
echo "mkimage: debootstrap bookworm ($pkgs)"
debootstrap --variant=minbase --include="$pkgs" bookworm "$root" \
	"$mirror" > "$new/log" 2>&1 ||
	{ tail -n 20 "$new/log" >&2; exit 1; }
rm -f "$root"/var/cache/apt/archives/*.deb

echo bomgate-system > "$root/etc/hostname"
: > "$root/etc/machine-id"	# made at first boot
cat > "$root/etc/fstab" <<'EOT'
/dev/vda	/	ext4	rw,errors=remount-ro	0 1
systest	/mnt/systest	9p	trans=virtio,version=9p2000.L,msize=262144,nofail	0 0
EOT
mkdir -p "$root/mnt/systest"
# the test's driver: runs the step the host put in the share, then powers
# off (selftests/system/guest.sh)
cat > "$root/etc/systemd/system/bomgate-systest.service" <<'EOT'
[Unit]
Description=bomgate system test step (from the host's share)
After=multi-user.target
RequiresMountsFor=/mnt/systest
ConditionPathExists=/mnt/systest/guest.sh

[Service]
Type=oneshot
ExecStart=/bin/sh /mnt/systest/guest.sh
StandardOutput=journal+console
TimeoutStartSec=1500

[Install]
WantedBy=multi-user.target
EOT
ln -s /etc/systemd/system/bomgate-systest.service \
	"$root/etc/systemd/system/multi-user.target.wants/"
# lean boots: no timers, no getty on the serial console (the test talks
# through the share)
rm -f "$root"/etc/systemd/system/timers.target.wants/*
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"

"$top/selftests/vm/mkinitrd.sh" "$kdir" "$new/initrd.gz" /bin/busybox \
	virtio_blk ext4
mkfs.ext4 -q -F -L bomgate-system -d "$root" "$new/root.img" 2048M
rm -rf "$root"
rm -rf "$dest"
mv "$new" "$dest"
echo "$recipe" > "$dest/ok"
echo "mkimage: $dest ready in $(($(date +%s) - start)) s," \
     "$(du -sh "$dest" | cut -f1) on disk"
