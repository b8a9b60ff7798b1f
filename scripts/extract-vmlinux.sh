#!/bin/sh
# Print the uncompressed ELF vmlinux embedded in a bzImage to stdout.
# Tries each compressed-payload signature the x86 boot code may carry and
# keeps the first candidate that decompresses to an ELF file.
set -eu
img=$1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

try() {	# $1 = magic as printf string, $2 = grep pattern, $3 = decompressor
	for off in $(LC_ALL=C grep -obaP "$2" "$img" 2>/dev/null | cut -d: -f1); do
		tail -c +$((off + 1)) "$img" | $3 > "$tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			cat "$tmp"
			exit 0
		fi
	done
}
try xz   '\xfd7zXZ\x00'      'xz -dc'
try zstd '\x28\xb5\x2f\xfd'  'zstd -dc'
try gz   '\x1f\x8b\x08'      'gzip -dc'
echo "extract-vmlinux: no ELF payload found in $img" >&2
exit 1
