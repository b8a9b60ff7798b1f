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
#   SBOM_BENCH_BASE also measure the SBOM readers of this git revision
#   SBOM_BENCH_JQ=0 no jq in the SBOM part
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
		echo "$mode only=exec,ref,first,install" > "$build/bench/params"
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

# --- host: SBOM readers, compile and jq ----------------------------------
# scripts/bench-sbom.sh: user CPU MB/s and peak RSS of sbom_read() alone,
# bomgate compile and jq on the same generated documents (kept in $data).
sizes="10 100"
[ -z "${BENCH_1G:-}" ] || sizes="10 100 1000"
[ -z "${BENCH_QUICK:-}" ] || sizes="10"
echo "# bench: host sbom ($sizes MB)"
SBOM_BENCH_SIZES=$sizes SBOM_BENCH_REPS=$sbom_reps SBOM_BENCH_DATA=$data \
	"$top/scripts/bench-sbom.sh" "$build" > "$res/sbom-bench.tsv"
tail -n +2 "$res/sbom-bench.tsv" | sed 's/^/host	sbom	/' > "$res/sbom.tsv"

# --- host: sbom scan -------------------------------------------------------
# scripts/bench-scan.sh: warm scans against the OpenSSL SHA-256 bound, cold
# scans against cat (drops the page cache), at three sizes of /usr.
scan_sizes="1k 10k all"
[ -z "${BENCH_QUICK:-}" ] || scan_sizes="1k"
echo "# bench: host scan ($scan_sizes)"
SCAN_BENCH_SIZES=$scan_sizes SCAN_BENCH_REPS=$sbom_reps \
	"$top/scripts/bench-scan.sh" "$build" > "$res/scan-bench.tsv"
tail -n +2 "$res/scan-bench.tsv" | sed 's/^/host	scan	/' > "$res/scan.tsv"

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
	cat "$res/scan.tsv"
} > "$res/all.tsv"
tmp=$(mktemp "$doc.XXXXXX")
if ! BENCH_DOCDIR=$(dirname "$doc") python3 "$top/bench/report.py" "$res/all.tsv" > "$tmp"; then
	rm -f "$tmp"
	echo "bench: bench/report.py failed; the results are kept in $res/all.tsv (run it again on them)" >&2
	exit 1
fi
mv "$tmp" "$doc"
echo "bench: wrote $doc (raw results: $res/all.tsv)"
