#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the bomgate tour (demo/tour.sh, see docs/demo.md).
#
#   scripts/demo.sh [BUILD]
#
# Where this kernel can run bomgate (BUILD/bomgated --check exits 0) the
# tour runs here, as root. Otherwise it boots Debian's 6.12 kernel in the
# QEMU test VM (selftests/vm/run) and streams the tour's output from the
# VM's results share as it is written. Environment:
#   BOMGATE_DEMO_VM=1       use the VM even when this kernel could run bomgate
#   BOMGATE_DEMO_KERNEL     kernel of the VM (default 6.12)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
kernel=${BOMGATE_DEMO_KERNEL:-6.12}

for f in bomgate bomgated; do
	[ -x "$build/$f" ] || { echo "demo: $build/$f is missing: run 'make'" >&2; exit 2; }
done

if [ -z "${BOMGATE_DEMO_VM:-}" ] && "$build/bomgated" --check > /dev/null 2>&1; then
	echo "demo: this kernel can run bomgate: the tour runs here"
	[ "$(id -u)" -eq 0 ] || { echo "demo: run it as root" >&2; exit 2; }
	BOMGATE_BUILD=$build exec sh "$top/demo/tour.sh"
fi

cat <<EOF
demo: this kernel cannot run bomgate; 'bomgated --check' says:
$("$build/bomgated" --check 2>&1 | grep -E '^ +missing' | sed 's/^ */    /')
demo: so the tour runs in a QEMU virtual machine booting Debian's $kernel
      kernel, which can. The VM sees this machine's files read-only (with a
      throw-away overlay) and runs the binaries just built. Emulation makes
      it slow: about 2-3 minutes.
EOF

# The guest runs BUILD/selftests/vm/<test>: the tour is copied next to the
# build so that a relative path reaches it, whatever BUILD is.
mkdir -p "$build/demo"
cp "$top/demo/tour.sh" "$build/demo/tour.sh.tmp"
chmod 0755 "$build/demo/tour.sh.tmp"
mv "$build/demo/tour.sh.tmp" "$build/demo/tour.sh"
out=$build/demo/results
rm -rf "$out"

"$top/selftests/vm/run" -k "$kernel" -b "$build" -t ../../demo/tour.sh \
	-T 600 -o "$out" &
vm=$!
trap 'kill $vm 2>/dev/null' INT TERM
# the guest writes the tour's output to the results share as it goes
tail -n +1 -F --pid=$vm "$out/tour.sh.tap" 2>/dev/null || true
wait $vm || true
rc=$(cat "$out/tour.sh.rc" 2>/dev/null || echo none)
if [ "$rc" != 0 ]; then
	echo "demo: the tour failed in the VM (exit $rc); console: $out/console.log" >&2
	exit 1
fi
