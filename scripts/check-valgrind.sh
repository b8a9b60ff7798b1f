#!/bin/sh
# The host tests under Debian's valgrind (memcheck): the test programs
# themselves, and every bomgate/bomgated they start, through wrappers in a
# shadow build folder. ASan does not see everything (it does not intercept
# rename(2): the sbom scan -o LINK use-after-free went through it); any
# memcheck error fails the run.
#   scripts/check-valgrind.sh BUILD "TESTS"
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
only=${2:-}
# guard_test reads the binaries themselves (ldd, what bomgated maps): a
# wrapper script is not what it must look at
if [ -z "$only" ]; then
	for t in "$build"/selftests/host/*_test; do
		case ${t##*/} in guard_test) ;; *) only="$only${only:+,}${t##*/}" ;; esac
	done
fi
vg=$build/valgrind
command -v valgrind >/dev/null || { echo "valgrind not installed: run 'make deps'" >&2; exit 1; }
rm -rf "$vg"
mkdir -p "$vg/logs"
chmod 1777 "$vg/logs"	# tests also run bomgate as nobody (setpriv)
# the rest of the build folder as it is (tests read lib/*.o, kselftest...)
for f in "$build"/*; do
	case ${f##*/} in bomgate|bomgated|valgrind|results) continue ;; esac
	ln -s "$f" "$vg/${f##*/}"
done
VGOPTS="--error-exitcode=99 --track-origins=yes --leak-check=no \
--suppressions=$top/scripts/valgrind.supp --log-file=$vg/logs/%q{VG_NAME}.%p.log"
for b in bomgate bomgated; do
	cat > "$vg/$b" <<EOW
#!/bin/sh
VG_NAME=$b exec valgrind $VGOPTS "$build/$b" "\$@"
EOW
	chmod +x "$vg/$b"
done
# the tests' own processes (kselftest forks each test) under memcheck too
BOMGATE_TEST_WRAP="env VG_NAME=test valgrind $VGOPTS" \
	BOMGATE_FUZZ_SECS=0 "$top/scripts/check.sh" "$vg" "" "$only"
rc=$?
bad=$(grep -l 'ERROR SUMMARY: [1-9]' "$vg"/logs/*.log 2>/dev/null)
n=$(ls "$vg"/logs/*.log 2>/dev/null | wc -l)
if [ -n "$bad" ]; then
	for f in $bad; do
		echo "not ok - memcheck: $f"
		sed -n '1,40p' "$f" | sed 's/^/    /'
	done
	echo "valgrind: $(echo "$bad" | wc -l) of $n processes with errors"
	exit 1
fi
echo "valgrind: 0 errors in $n processes"
exit $rc
