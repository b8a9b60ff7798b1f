#!/bin/sh
# make bench: measure bomgate in the test VM (both kernels) and on the host,
# then regenerate docs/performance.md from the results.
#
#   scripts/bench.sh BUILD
#
# Environment:
#   BENCH_KERNELS   kernels to boot (default "6.1 6.12")
#   BENCH_QUICK=1   a smoke run: few repeats, numbers not meaningful
#   BENCH_ALL=1     storm and build workloads on every kernel, not only the first
#   BENCH_1G=1      also the 1 GB SBOM documents (several minutes more)
#   BENCH_DOC       output document (default docs/performance.md)
#
# The VM part is build/bench/vm_bench, booted through selftests/vm/run with
# a test name relative to build/selftests/vm; its parameters travel in
# BUILD/bench/params because the guest does not inherit this environment.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
kernels=${BENCH_KERNELS:-"6.1 6.12"}
doc=${BENCH_DOC:-$top/docs/performance.md}
res=$build/bench-results
data=$build/bench-data
mkdir -p "$res" "$data" "$build/bench"

if [ -n "${BENCH_QUICK:-}" ]; then
	mode=quick
	sbom_reps=1
else
	mode=full
	sbom_reps=3
fi
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

# --- VM: exec latency, first exec, hook cost, policy install -------------
first_kernel=${kernels%% *}
for k in $kernels; do
	echo "# bench: vm[$k]"
	# The fapolicyd storm and the build run on the first kernel only
	# (BENCH_ALL=1: everywhere): they compare daemons, not kernels, and
	# keep make bench under 30 minutes.
	if [ "$k" != "$first_kernel" ] && [ -z "${BENCH_ALL:-}" ]; then
		echo "$mode only=exec,first,install" > "$build/bench/params"
	else
		echo "$mode" > "$build/bench/params"
	fi
	"$top/selftests/vm/run" -k "$k" -b "$build" -t ../../bench/vm_bench \
		-T 1500 -o "$res/vm-$k"
	tap=$res/vm-$k/vm_bench.tap
	if [ ! -f "$tap" ] || ! grep -q '^BENCH	done' "$tap"; then
		echo "bench: vm[$k] did not finish; see $tap and $res/vm-$k/console.log" >&2
		grep -E '^BENCH	error|^#' "$tap" 2>/dev/null | tail -5 >&2 || true
		exit 1
	fi
	grep '^BENCH	' "$tap" | sed "s/^BENCH	/$k	/" > "$res/vm-$k.tsv"
done

# --- host: SBOM compile vs jq --------------------------------------------
# $1 label, $2 output file, then the command; appends "secs maxrss_kb"
timed() {
	label=$1 outf=$2
	shift 2
	/usr/bin/time -f '%e %M' -o "$res/time.tmp" "$@" > "$outf" 2>/dev/null ||
		{ echo "bench: $label failed: $*" >&2; exit 1; }
	echo "$label $(cat "$res/time.tmp")" >> "$res/sbom.raw"
}

gen() {	# format files path
	[ -s "$3" ] || python3 "$top/scripts/gen-sbom.py" --format "$1" \
		--files "$2" -o "$3" 2>/dev/null
}

jq_cdx='.. | objects | select(.type? == "file") | .hashes[]? | select(.alg == "SHA-256") | .content'
jq_spdx='.files[]?.checksums[]? | select(.algorithm == "SHA256") | .checksumValue'

sizes="100"
[ -z "${BENCH_1G:-}" ] || sizes="100 1000"
[ -z "${BENCH_QUICK:-}" ] || sizes="10"
: > "$res/sbom.raw"
: > "$res/sbom.tsv"
for mb in $sizes; do
	# about 470 (CycloneDX) and 535 (SPDX) bytes per file component
	gen cyclonedx $((mb * 1000000 / 470)) "$data/sbom-${mb}M.cdx.json"
	gen spdx $((mb * 1000000 / 535)) "$data/sbom-${mb}M.spdx.json"
	for fmt in cdx spdx; do
		in=$data/sbom-${mb}M.$fmt.json
		eval "q=\$jq_$fmt"
		: > "$res/sbom.raw"
		i=0
		while [ $i -lt "$sbom_reps" ]; do
			timed bomgate "$res/compile.json" "$build/bomgate" compile \
				--json "$in" -o "$res/bench.bgp"
			timed jq "$res/jq.out" jq -r "$q" "$in"
			i=$((i + 1))
		done
		n_bg=$(sed -n 's/.*"file_digests":\([0-9]*\).*/\1/p' "$res/compile.json" | head -1)
		n_jq=$(wc -l < "$res/jq.out")
		bytes=$(stat -c %s "$in")
		for tool in bomgate jq; do
			[ $tool = bomgate ] && n=$n_bg || n=$n_jq
			awk -v tool=$tool -v fmt=$fmt -v bytes="$bytes" -v n="$n" '
				$1 == tool { t[++k] = $2; m = $3 > m ? $3 : m }
				END {
					for (i = 2; i <= k; i++)	# insertion sort (mawk)
						for (j = i; j > 1 && t[j - 1] > t[j]; j--) {
							x = t[j]; t[j] = t[j - 1]; t[j - 1] = x
						}
					med = t[int((k + 1) / 2)]
					printf "host\tsbom\t%s\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%d\n",
					       fmt, tool, bytes, n, k, med, t[1], t[k], m
				}' "$res/sbom.raw" >> "$res/sbom.tsv"
		done
	done
done
rm -f "$res/time.tmp" "$res/jq.out" "$res/bench.bgp"

# --- docs/performance.md -------------------------------------------------
t1=$(date +%s)
{
	echo "host	info	cpu	$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
	echo "host	info	ncpu	$(nproc)"
	echo "host	info	load	$load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "host	info	commit	$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "host	info	date	$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "host	info	minutes	$(( (t1 - t0 + 59) / 60 ))"
	echo "host	info	quick	${BENCH_QUICK:-0}"
	echo "host	info	kernel	$(uname -r)"
	for k in $kernels; do cat "$res/vm-$k.tsv"; done
	cat "$res/sbom.tsv"
} > "$res/all.tsv"
tmp=$(mktemp "$doc.XXXXXX")
BENCH_DOCDIR=$(dirname "$doc") python3 "$top/bench/report.py" "$res/all.tsv" > "$tmp"
mv "$tmp" "$doc"
echo "bench: wrote $doc (raw results: $res/all.tsv)"
