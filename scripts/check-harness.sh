#!/bin/sh
# Prove the test harness fails what it must: a failing VM test, a test that
# hangs, and a guest kernel that panics each turn into failures, within the
# time limit, and make the summary (and so 'make check') fail.
#   scripts/check-harness.sh BUILD [KERNEL]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
kernel=${2:-6.1}
bad=0

expect() {	# $1 = description, $2 = test, $3 = unused, $4 = grep for the report
	start=$(date +%s)
	out=$("$top/scripts/check.sh" "$build" "$kernel" "harness/$2" --vm-only-harness 2>&1)
	rc=$?
	secs=$(( $(date +%s) - start ))
	last=$(echo "$out" | tail -n 1)
	if [ $rc -ne 0 ] && echo "$last" | grep -q '[1-9][0-9]* failed' &&
	   echo "$out" | grep -q "$4"; then
		echo "ok - $1: failed as it must in ${secs}s ($last)"
	else
		echo "not ok - $1: exit $rc in ${secs}s"
		echo "$out" | sed 's/^/  /'
		bad=1
	fi
}

export BOMGATE_VM_TIMEOUT=20
expect "a failing test fails the run" fail_test 20 'not ok 1 global.deliberately_broken'
expect "a hanging test is killed" hang_test 20 'exited with status 124'
expect "a panicking guest is a failure" panic_test 20 'panic_test: guest stopped without reporting'
# The panic takes only its own test: a new guest runs the ones after it.
expect "tests after a panic still run" panic_test,harness/fail_test 20 'not ok 1 global.deliberately_broken'
# A test that kills the guest once runs again and passes, with a WARNING.
start=$(date +%s)
out=$("$top/scripts/check.sh" "$build" "$kernel" harness/panic_once_test --vm-only-harness 2>&1)
rc=$?
last=$(echo "$out" | tail -n 1)
if [ $rc -eq 0 ] && echo "$last" | grep -q '^1 passed, 0 failed' &&
   echo "$out" | grep -q '# WARNING: the guest died while panic_once_test ran' &&
   echo "$out" | grep -q '# console: '; then
	echo "ok - a test that kills the guest once runs again, with a warning: $(( $(date +%s) - start ))s ($last)"
else
	echo "not ok - a test that kills the guest once: exit $rc"
	echo "$out" | sed 's/^/  /'
	bad=1
fi
# A guest that never powers off: the test's own limit is out of reach, the
# whole VM's limit kills QEMU.
BOMGATE_VM_TIMEOUT=1000 BOMGATE_VM_LIMIT=60 \
	expect "a hung guest is killed at the VM limit" hang_test 0 'guest killed after 60s'
[ $bad -eq 0 ] && echo "harness: all failure modes detected" || exit 1
