#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Throughput of bomgate sbom scan on real directories of this machine, warm
# against the OpenSSL SHA-256 bound and cold against cat of the same files,
# at three sizes about 10x apart in file count, in one run.
#
#   scripts/bench-scan.sh [BUILD]
#
# Run as root on the host: the cold runs drop the page cache
# (sync; echo 3 > /proc/sys/vm/drop_caches), which slows other jobs on
# the machine for a while and changes nothing else.
#
# Environment:
#   SCAN_BENCH_ROOT   the largest tree (default /usr)
#   SCAN_BENCH_SIZES  which sizes: any of "1k 10k all" (default all three);
#                     1k and 10k are the directories under the root (up to
#                     three levels down) whose regular-file counts are
#                     closest to 1,000 and 10,000 among those where at
#                     least 5 % of the files may run
#   SCAN_BENCH_DIRS   the directories instead, one per size (labels are the
#                     paths)
#   SCAN_BENCH_REPS   warm runs after one warm-up run (default 3; median)
#   SCAN_BENCH_COLD=0 no cold runs (no page cache dropped)
#   SCAN_BENCH_THREADS  bomgate sbom scan -j (default: what scan uses
#                     without -j, the online CPUs)
#
# What is measured:
#   bound  BUILD/bench/sha256_bound (bench/sha256_bound.c): SHA-256 of
#          256 KiB blocks in cache through EVP, one thread, 3 s; times the
#          number of scan's hashing threads
#   warm   bomgate sbom scan -q -j N DIR -o FILE, page cache warm (one
#          run before), median wall time of the runs
#   cold   the same once after dropping the page cache (dentries and
#          inodes included)
#   cat    cat of the files scan hashed, in full, after dropping the page
#          cache: xargs -0 cat > /dev/null. scan also opens every other
#          regular file and reads its first 4 KiB to classify it (what
#          cannot run is not hashed); it never follows symlinks and skips
#          devices, FIFOs and sockets, which cat is never given either.
# bytes: sizes of the regular files scan hashed (the paths of the SBOM,
# from stat); MB/s = bytes / 1e6 / wall seconds.
#
# Output: TSV on stdout, a header line, then
#   kind label files hashed bytes threads runs wall_s MBps ref_MBps ratio
# bound: label "sha256", files/hashed 0, bytes and wall_s of the bound run,
#        MBps per core, ref_MBps = MBps x threads, ratio = threads
# warm:  files = regular files under DIR (find -type f), hashed = files in
#        the SBOM, ref_MBps = the bound, ratio = MBps / bound
# cold:  ref_MBps = the cat row's MBps for DIR, ratio = MBps / cat MBps
# cat:   ref_MBps and ratio 0
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
root=${SCAN_BENCH_ROOT:-/usr}
sizes=${SCAN_BENCH_SIZES:-"1k 10k all"}
reps=${SCAN_BENCH_REPS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$build/bench"

[ -x "$build/bomgate" ] || { echo "bench-scan: build first (make)" >&2; exit 1; }
threads=${SCAN_BENCH_THREADS:-$(getconf _NPROCESSORS_ONLN)}

${CC:-gcc} -std=gnu11 -O2 -o "$build/bench/sha256_bound" \
	"$top/bench/sha256_bound.c" -lcrypto

now() { date +%s.%N; }

# $1 target file count: the directory under $root closest to it (by the
# ratio) among those where at least 5 % of the files may be hashed (an
# execute bit, or a .so name), from one walk of the root
pick_dir() {
	awk -v want="$1" -v root="$root" '
	{
		m = substr($1, length($1) - 2)
		x = m ~ /[1357]/ || $2 ~ /\.so(\.|$)/
		n = split(substr($2, length(root) + 2), p, "/")
		d = root
		for (i = 1; i < n && i <= 3; i++) {
			d = d "/" p[i]
			c[d]++
			e[d] += x
		}
	}
	END {
		best = ""
		for (d in c) {
			if (e[d] * 20 < c[d])
				continue
			r = c[d] > want ? c[d] / want : want / c[d]
			if (best == "" || r < br || (r == br && d < best)) {
				best = d
				br = r
			}
		}
		print best
	}' "$tmp/all-files"
}

# paths without blanks (the rest are left out of the choice only)
find "$root" -xdev -type f -printf '%m %p\n' | grep -v '^[0-7]* .*[[:space:]]' \
	> "$tmp/all-files" || true
if [ -n "${SCAN_BENCH_DIRS:-}" ]; then
	dirs=$SCAN_BENCH_DIRS
else
	dirs=
	for sz in $sizes; do
		case $sz in
		1k) dirs="$dirs $(pick_dir 1000)" ;;
		10k) dirs="$dirs $(pick_dir 10000)" ;;
		all) dirs="$dirs $root" ;;
		*) echo "bench-scan: size $sz: 1k, 10k or all" >&2; exit 1 ;;
		esac
	done
fi

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# $1 DIR: one scan; prints the wall seconds, leaves the SBOM in $tmp/sbom
scan1() {
	t0=$(now)
	"$build/bomgate" sbom scan -q -j "$threads" "$1" -o "$tmp/sbom.json" ||
		[ $? -eq 5 ] ||	# BG_EXIT_IO: some file unreadable
		{ echo "bench-scan: bomgate sbom scan $1 failed" >&2; exit 1; }
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }'
}

# the paths the SBOM lists, NUL-separated, and the sum of their sizes
hashed_files() {
	python3 -c '
import json, sys
def walk(cs):
    for c in cs:
        if c.get("type") == "file":
            sys.stdout.write(c["name"] + "\0")
        walk(c.get("components", []))
walk(json.load(open(sys.argv[1])).get("components", []))
' "$tmp/sbom.json" > "$tmp/hashed"
}

median() { sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }

# kind label files hashed bytes runs wall ref
row() {
	awk -v k="$1" -v l="$2" -v f="$3" -v h="$4" -v b="$5" -v th="$threads" \
		-v r="$6" -v t="$7" -v ref="$8" 'BEGIN {
		mbps = t > 0 ? b / 1e6 / t : 0
		printf "%s\t%s\t%d\t%d\t%.0f\t%d\t%d\t%.4f\t%.1f\t%.1f\t%.4f\n",
		       k, l, f, h, b, th, r, t, mbps, ref,
		       (ref > 0 ? mbps / ref : 0)
	}'
}

printf 'kind\tlabel\tfiles\thashed\tbytes\tthreads\truns\twall_s\tMBps\tref_MBps\tratio\n'
set -- $("$build/bench/sha256_bound" 3)
bound=$(echo "$3 $threads" | awk '{ printf "%.1f", $1 * $2 }')
awk -v b="$1" -v t="$2" -v m="$3" -v th="$threads" -v bound="$bound" 'BEGIN {
	printf "bound\tsha256\t0\t0\t%.0f\t%d\t1\t%.4f\t%.1f\t%.1f\t%d\n",
	       b, th, t, m, bound, th }'

for dir in $dirs; do
	nfiles=$(find "$dir" -xdev -type f | wc -l)
	scan1 "$dir" > /dev/null	# warms the page cache
	hashed_files
	nhashed=$(tr -cd '\0' < "$tmp/hashed" | wc -c)
	bytes=$(xargs -0 -r stat -c %s < "$tmp/hashed" |
		awk '{ s += $1 } END { printf "%.0f\n", s }')
	: > "$tmp/runs"
	i=0
	while [ $i -lt "$reps" ]; do
		scan1 "$dir" >> "$tmp/runs"
		i=$((i + 1))
	done
	row warm "$dir" "$nfiles" "$nhashed" "$bytes" "$reps" \
		"$(median < "$tmp/runs")" "$bound"
	[ "${SCAN_BENCH_COLD:-1}" != 0 ] || continue
	drop_caches
	tcold=$(scan1 "$dir")
	drop_caches
	t0=$(now)
	xargs -0 -r cat < "$tmp/hashed" > /dev/null
	t1=$(now)
	tcat=$(echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }')
	catm=$(echo "$bytes $tcat" | awk '{ printf "%.1f", ($2 > 0 ? $1 / 1e6 / $2 : 0) }')
	row cold "$dir" "$nfiles" "$nhashed" "$bytes" 1 "$tcold" "$catm"
	row cat "$dir" "$nfiles" "$nhashed" "$bytes" 1 "$tcat" 0
done
