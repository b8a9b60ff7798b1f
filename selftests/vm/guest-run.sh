#!/bin/sh
# Stage 2 of the test VM: runs on the overlay root (the host's own files),
# as PID 1. Sets up the mounts the tests need, runs each test binary with a
# time limit, writes NAME.tap and NAME.rc to the results share, powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
res=/run/bomgate-results
arg() { sed -n "s/.*bomgate\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# A checkout (or build folder) under /tmp: keep the host's /tmp reachable
# before the guest's own tmpfs covers it, and put those folders back.
mkdir -p /run/bomgate-hosttmp
mount --bind /tmp /run/bomgate-hosttmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
for d in $(arg top) $(arg build); do
	case $d in
	/tmp/*)
		[ -n "$(arg binds)" ] && continue
		mkdir -p "$d"
		mount --bind "/run/bomgate-hosttmp/${d#/tmp/}" "$d" ;;
	esac
done
# A root of the guest's own (arm64): the host's folders the tests read,
# from the host's root at /run/bomgate-host, at their own paths.
for d in $(arg binds | tr ',' ' '); do
	mkdir -p "$d"
	mount --bind "/run/bomgate-host$d" "$d"
done
off() {	# a root without systemd has no poweroff, only busybox's
	sync
	poweroff -f 2>/dev/null || busybox poweroff -f
}
mount -t tmpfs tmpfs /run/lock 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname bomgate-vm
ip link set lo up 2>/dev/null

top=$(arg top)
build=$(arg build)
kdir=$(arg kdir)
timeout=$(arg timeout)
kver=$(uname -r)
# The guest kernel's modules, for module-load tests and modprobe.
mkdir -p /lib/modules
ln -sfn "$kdir/root/lib/modules/$kver" "/lib/modules/$kver"

cd "$top" || { echo "no $top" > $res/fatal; off; }
export BOMGATE_BUILD=$build BOMGATE_TOP=$top BOMGATE_KDIR=$kdir BOMGATE_IN_VM=1
echo "$kver" > $res/kernel
for t in $(arg tests | tr ',' ' '); do
	# a test may be a path relative to selftests/vm (../../bench/NAME);
	# its results are named after the last component
	bin=$build/selftests/vm/$t
	t=${t##*/}
	if [ ! -x "$bin" ]; then
		echo "not ok 1 $t # no such test binary $bin" > "$res/$t.tap"
		echo 127 > "$res/$t.rc"
		continue
	fi
	echo "bomgate-vm: running $t" > /dev/console
	timeout -k 5 "$timeout" "$bin" > "$res/$t.tap" 2>&1
	echo $? > "$res/$t.rc"
	sync
	# on the console: a guest that dies later shows how memory went
	echo "bomgate-vm: after $t: $(grep -E '^(MemAvailable|Shmem):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')" > /dev/console
done
echo done > $res/done
off
