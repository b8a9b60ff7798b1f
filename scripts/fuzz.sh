#!/bin/sh
# Run libFuzzer targets for a while each, seeded from the third-party
# corpora, and fail if any target finds a crash, leak or timeout.
#   scripts/fuzz.sh OUTDIR SECONDS TARGET...
# TARGET is a Kbuild fuzz-y entry (fuzz/NAME); its binary is OUTDIR/fuzz/NAME.
# Seeds: fuzz/seeds/NAME/ in the repo when it exists; for SBOM targets
# (NAME contains "sbom") every SBOM document under $BOMGATE_CORPORA
# (default ../shared/corpora) up to $FUZZ_SEED_MAX bytes. The growing corpus
# is kept in OUTDIR/corpus/NAME, crash inputs in OUTDIR/artifacts/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: $0 OUTDIR SECONDS TARGET..." >&2; exit 2; }
out=$1
secs=$2
shift 2
corpora=${BOMGATE_CORPORA:-$top/../shared/corpora}
[ -d "$corpora" ] || corpora=/work/shared/corpora
seed_max=${FUZZ_SEED_MAX:-65536}
failed=""

seed_sbom() {	# copy small SBOM documents of the corpora into $1
	[ -d "$corpora" ] || { echo "fuzz: no corpora at $corpora, unseeded" >&2; return; }
	find "$corpora" -type f \( -name '*.json' -o -name '*.xml' \
		-o -name '*.spdx' \) -size -"$seed_max"c 2>/dev/null |
	while read -r f; do
		# content-addressed names: re-seeding adds no duplicates
		cp "$f" "$1/seed-$(sha1sum < "$f" | cut -c1-16)"
	done
}

for t in "$@"; do
	name=$(basename "$t")
	bin=$out/fuzz/$name
	[ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; failed="$failed $name"; continue; }
	work=$out/corpus/$name
	mkdir -p "$work" "$out/artifacts"
	case $name in *sbom*) seed_sbom "$work" ;; esac
	seeds=""
	[ -d "$top/fuzz/seeds/$name" ] && seeds=$top/fuzz/seeds/$name
	printf '  %-9s %s (%ss, %s inputs)\n' FUZZ "$name" "$secs" \
		"$(ls "$work" | wc -l)"
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=262144 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" "$work" $seeds \
		> "$out/$name.log" 2>&1; then
		echo "fuzz: $name failed, see $out/$name.log and $out/artifacts/" >&2
		tail -n 30 "$out/$name.log" >&2
		failed="$failed $name"
	else
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' \
			"$out/$name.log" | sed "s/^/  $name /"
	fi
done
[ -z "$failed" ] || { echo "fuzz: FAILED:$failed" >&2; exit 1; }
