#!/bin/sh
# Run the host selftests, then the VM selftests on each kernel, and print
# one summary line: "N passed, N failed, N skipped".
#   scripts/check.sh BUILD "KERNELS" "TESTS" [--vm-only]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/vm/qemu.sh"
build=$1
kernels=$2
only=$3
vm_only=${4:-}
export BOMGATE_BUILD=$build
# The third-party SBOMs live beside the checkout (../shared/corpora); a
# checkout elsewhere (/tmp) finds the workplace's copy.
if [ -z "${BOMGATE_CORPORA:-}" ]; then
	BOMGATE_CORPORA=$top/../shared/corpora
	[ -d "$BOMGATE_CORPORA" ] || BOMGATE_CORPORA=/work/shared/corpora
fi
export BOMGATE_CORPORA
total_p=0 total_f=0 total_s=0
summary=""

want() {	# is test $1 selected by T=?
	[ -z "$only" ] && return 0
	for t in $(echo "$only" | tr ',' ' '); do
		case $1 in "$t"|"${t}_test") return 0 ;; esac
	done
	return 1
}

# count TAP file $1 with exit status $2 for test $3 into p/f/s
count() {
	tp=$(grep -cE '^ok [0-9]+' "$1" | head -1)
	ts=$(grep -cE '^ok [0-9]+ .*# SKIP' "$1" | head -1)
	tf=$(grep -cE '^not ok [0-9]+' "$1" | head -1)
	tp=$((tp - ts))
	if [ "$2" != 0 ] && [ "$tf" -eq 0 ]; then
		echo "not ok - $3 exited with status $2 without reporting a failure"
		tf=1
	fi
	p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
}

report() {	# $1 = group name
	summary="$summary$1: $p passed, $f failed, $s skipped
"
	total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
}

if [ -z "$vm_only" ]; then
	p=0 f=0 s=0
	mkdir -p "$build/results/host"
	for bin in "$build"/selftests/host/*_test; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		want "$name" || continue
		echo "# host: $name"
		tap=$build/results/host/$name.tap
		(cd "$top" && ${BOMGATE_TEST_WRAP:-} "$bin") > "$tap" 2>&1
		rc=$?
		sed 's/^/  /' "$tap" | grep -E '^  (not )?ok |^  # (FAIL|.*SKIP)' || true
		grep -E '^#.*(Expected|FAIL|[Aa]ssert)' "$tap" | sed 's/^/  /' | head -20
		count "$tap" $rc "$name"
	done
	report host

	# A short fuzz run of every libFuzzer target (make fuzz runs longer).
	p=0 f=0 s=0
	secs=${BOMGATE_FUZZ_SECS:-10}
	for bin in "$top"/build/fuzz/fuzz/*; do
		[ -x "$bin" ] && [ "$secs" -gt 0 ] || continue
		name=$(basename "$bin")
		want "$name" || continue
		if "$top/scripts/fuzz.sh" "$top/build/fuzz" "$secs" "fuzz/$name" \
			> "$build/results/host/$name.log" 2>&1; then
			echo "  ok - $name: ${secs}s without a crash, leak or timeout"
			p=$((p + 1))
		else
			echo "  not ok - $name: see $build/results/host/$name.log"
			tail -n 20 "$build/results/host/$name.log" | sed 's/^/    /'
			f=$((f + 1))
		fi
	done
	report fuzz
fi

for k in $kernels; do
	p=0 f=0 s=0
	sel=""
	# an arm64 kernel runs the arm64 build (make ARCH=arm64 vm-tests)
	kbuild=$build
	if [ "$(vm_kernel_arch "$top/.cache/kernels/$k")" = arm64 ]; then
		kbuild=${BOMGATE_BUILD_ARM64:-$build-arm64}
	fi
	if [ "$vm_only" = --vm-only-harness ]; then
		sel=$only	# harness self-tests: paths under selftests/vm/
	else
		for bin in "$kbuild"/selftests/vm/*_test; do
			[ -x "$bin" ] || continue
			name=$(basename "$bin")
			want "$name" && sel="$sel${sel:+,}$name"
		done
	fi
	[ -n "$sel" ] || continue
	echo "# vm[$k]: booting $(cat "$top/.cache/kernels/$k/release" 2>/dev/null || echo '?') for $sel"
	res=$build/results/vm-$k
	t0=$(date +%s)
	"$top/selftests/vm/run" -k "$k" -b "$kbuild" -t "$sel" -o "$res" \
		-T "${BOMGATE_VM_TIMEOUT:-300}" || f=$((f + 1))
	echo "# vm[$k]: $(($(date +%s) - t0)) s"
	for name in $(echo "$sel" | tr ',' ' '); do
		name=$(basename "$name")
		if [ -f "$res/$name.rc" ]; then
			sed 's/^/  /' "$res/$name.tap" | grep -E '^  (not )?ok |^  # .*(FAIL|SKIP|Expected)|^  # console: |^  # WARNING' || true
			count "$res/$name.tap" "$(cat "$res/$name.rc")" "$name"
		else
			echo "  not ok - $name: no report from the guest ($(cat "$res/error" 2>/dev/null))"
			f=$((f + 1))
		fi
	done
	report "vm[$k]"
done

# The system test: a Debian system booted under systemd, the package
# installed with apt, rebooted, upgraded, purged (selftests/system/run).
if [ -n "$kernels" ] && [ "$vm_only" != --vm-only-harness ] && want system_test &&
   [ "${BOMGATE_SYSTEM_TEST:-1}" = 1 ]; then
	p=0 f=0 s=0
	res=$build/results/system
	t0=$(date +%s)
	echo "# system: Debian under systemd, kernel ${BOMGATE_SYSTEM_KERNEL:-6.12}"
	"$top/selftests/system/run" -k "${BOMGATE_SYSTEM_KERNEL:-6.12}" -b "$build" \
		-o "$res" > "$build/results/system.log" 2>&1
	echo "# system: $(($(date +%s) - t0)) s"
	grep -E '^(not )?ok |^# ' "$res/system_test.tap" 2>/dev/null | sed 's/^/  /'
	if [ -f "$res/system_test.rc" ]; then
		count "$res/system_test.tap" "$(cat "$res/system_test.rc")" system_test
	else
		echo "  not ok - system_test: no report ($build/results/system.log)"
		tail -n 20 "$build/results/system.log" | sed 's/^/    /'
		f=$((f + 1))
	fi
	report system
fi

printf '%s' "$summary"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
