#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Throughput and peak memory of the SBOM readers on generated CycloneDX and
# SPDX JSON documents, against jq extracting the same digests, in one run.
#
#   scripts/bench-sbom.sh [BUILD]
#
# Environment:
#   SBOM_BENCH_SIZES  document sizes in MB (default "100"; "100 1000" adds
#                     the 1 GB documents with about 2 million files)
#   SBOM_BENCH_REPS   runs per tool and document (default 3; the median of
#                     the user CPU time is reported)
#   SBOM_BENCH_DATA   where the documents go (default BUILD/bench-data/sbom);
#                     they are kept for the next run: delete them when done
#   SBOM_BENCH_JQ=0   skip jq (it needs about 8 GB of memory per GB read)
#   SBOM_BENCH_BASE   a git revision: also measure the readers (lib/sbom*.c)
#                     of that revision, as tool "reader@REV"
#
# Tools measured, each on the same files:
#   reader      BUILD/bench/sbom_read: sbom_read() alone, built here
#               against BUILD/libbomgate.a
#   reader-yajl the same with the yajl tokenizer (sbom_json_use_yajl)
#   compile     bomgate compile --json DOC -o POLICY (reading, the digest
#               set, writing the policy)
#   jq          jq -r with the filters below
#   simdjson    bench/simdjson_count.cpp: simdjson's on-demand parser
#               (Debian's libsimdjson-dev) counting the same digests, the
#               reference of the targets; skipped without that package
# Output: one TSV line per tool and document on stdout
#   format MB tool bytes digests runs user_median_s user_MBps maxrss_kB
#   wall_median_s
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
sizes=${SBOM_BENCH_SIZES:-100}
reps=${SBOM_BENCH_REPS:-3}
data=${SBOM_BENCH_DATA:-$build/bench-data/sbom}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sbom.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$data" "$build/bench"

[ -f "$build/libbomgate.a" ] && [ -x "$build/bomgate" ] ||
	{ echo "bench-sbom: build first (make)" >&2; exit 1; }

# The reader alone: every digest goes to a callback that counts it.
cat > "$tmp/sbom_read.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "sbom.h"
#ifndef BASE
#include "sbom_priv.h"
#endif

static int count(void *ctx, const struct sbom_digest *d)
{
	(*(unsigned long *)ctx) += d->file_level;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct sbom_ops ops = { .digest = count };
	unsigned long n = 0;
	char err[512];

	if (argc != 3)
		return 2;
#ifndef BASE
	sbom_json_use_yajl = !strcmp(argv[1], "yajl");
#endif
	if (sbom_read(argv[2], SBOM_FMT_AUTO, &ops, &n, NULL, err,
		      sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%lu\n", n);
	return 0;
}
EOF
${CC:-gcc} -std=gnu11 -O2 -I"$top/lib" -o "$build/bench/sbom_read" \
	"$tmp/sbom_read.c" "$build/libbomgate.a" -lcrypto -lyajl -lexpat
simdjson=
if [ -f /usr/include/simdjson.h ]; then
	${CXX:-g++} -std=c++17 -O2 -o "$build/bench/simdjson_count" \
		"$top/bench/simdjson_count.cpp" -lsimdjson
	simdjson=simdjson
else
	echo "bench-sbom: no /usr/include/simdjson.h (libsimdjson-dev, make deps): no simdjson reference, its targets are left out" >&2
fi
base=${SBOM_BENCH_BASE:-}
if [ -n "$base" ]; then
	mkdir "$tmp/base"
	git -C "$top" archive "$base" lib | tar -x -C "$tmp/base"
	${CC:-gcc} -std=gnu11 -O2 -DBASE -I"$tmp/base/lib" \
		-o "$build/bench/sbom_read_base" "$tmp/sbom_read.c" \
		"$tmp/base"/lib/sbom*.c -lcrypto -lyajl -lexpat
fi

jq_cdx='.. | objects | select(.type? == "file") | .hashes[]? | select(.alg == "SHA-256") | .content'
jq_spdx='.files[]?.checksums[]? | select(.algorithm == "SHA256") | .checksumValue'

# $1 tool, $2 document, $3 format; prints "user_s maxrss_kB wall_s digests"
run1() {
	case $1 in
	reader) set -- "$build/bench/sbom_read" own "$2" ;;
	reader-yajl) set -- "$build/bench/sbom_read" yajl "$2" ;;
	reader@*) set -- "$build/bench/sbom_read_base" base "$2" ;;
	compile) set -- "$build/bomgate" compile --json "$2" \
		-o "$tmp/bench.bgp" ;;
	jq-cdx) set -- jq -r "$jq_cdx" "$2" ;;
	jq-spdx) set -- jq -r "$jq_spdx" "$2" ;;
	simdjson) set -- "$build/bench/simdjson_count" "$3" "$2" ;;
	esac
	# wall time from the clock here: time(1) rounds it to 10 ms
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %M' -o "$tmp/time" "$@" > "$tmp/out" ||
		{ echo "bench-sbom: failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	case $1 in
	*/bomgate) ndig=$(sed -n 's/.*"file_digests": *\([0-9]*\).*/\1/p' \
		"$tmp/out" | head -1) ;;
	*/sbom_read* | */simdjson_count) ndig=$(cat "$tmp/out") ;;
	*) ndig=$(wc -l < "$tmp/out") ;;
	esac
	echo "$(cat "$tmp/time") $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.4f", (b - a) / 1e9 }') $ndig"
}

printf 'format\tMB\ttool\tbytes\tdigests\truns\tuser_s\tMB_per_s\tmaxrss_kB\twall_s\n'
for mb in $sizes; do
	for fmt in cdx spdx; do
		doc=$data/sbom-${mb}M.$fmt.json
		# about 470 (CycloneDX) and 535 (SPDX) bytes per file
		per=470
		gfmt=cyclonedx
		[ $fmt = cdx ] || { per=535; gfmt=spdx; }
		[ -s "$doc" ] || python3 "$top/scripts/gen-sbom.py" \
			--format $gfmt --files $((mb * 1000000 / per)) \
			-o "$doc" 2>/dev/null
		bytes=$(stat -L -c %s "$doc")
		tools="$simdjson reader reader-yajl compile"
		[ -z "$base" ] || tools="reader@$base $tools"
		[ "${SBOM_BENCH_JQ:-1}" = 0 ] || tools="$tools jq-$fmt"
		for tool in $tools; do
			: > "$tmp/runs"
			i=0
			nrun=$reps
			# jq on a gigabyte takes minutes: once is enough
			[ "$tool" = "jq-$fmt" ] && [ "$mb" -ge 1000 ] && nrun=1
			while [ $i -lt $nrun ]; do
				run1 $tool "$doc" $fmt >> "$tmp/runs"
				i=$((i + 1))
			done
			wall=$(awk '{ print $3 }' "$tmp/runs" | sort -n |
				awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
			sort -n "$tmp/runs" | awk -v fmt=$fmt -v mb=$mb \
				-v tool=${tool%-$fmt} -v bytes="$bytes" \
				-v wall="$wall" '
				{ t[NR] = $1; m = $2 > m ? $2 : m; d = $4 }
				END {
					med = t[int((NR + 1) / 2)]
					printf "%s\t%s\t%s\t%d\t%d\t%d\t%.2f\t%.0f\t%d\t%.4f\n",
					       fmt, mb, tool, bytes, d, NR, med,
					       (med > 0 ? bytes / 1e6 / med : 0), m,
					       wall
				}'
		done
	done
done
