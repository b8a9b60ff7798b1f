#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bomgate tour: scan this system into an SBOM, compile and sign a
# policy, start bomgated in audit mode, run a program the SBOM does not
# list (would-deny), switch to enforce (denied), show the status, disable.
#
# Run by scripts/demo.sh ('make demo'): inside the test VM, or directly on
# a machine whose kernel can run bomgate. Needs root. Environment:
#   BOMGATE_BUILD  the build folder (build/bomgate, build/bomgated)
#
# Only the demo's own processes are gated (a cgroup of their own, bomgated's
# --scope-cgroup testing aid), the pins and the control socket are the
# demo's own, and everything is undone at the end: the tour never locks
# anything else out, even on a real machine.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
build=${BOMGATE_BUILD:?BOMGATE_BUILD is not set}
bg=$build/bomgate
d=/tmp/bomgate-demo
cg=/sys/fs/cgroup/bomgate-demo
pin=/sys/fs/bpf/bomgate-demo
sock=$d/control.sock
events=$d/events.jsonl
daemon_pid=
t0=$(date +%s)

# --- narration helpers ------------------------------------------------------
step() {
	printf '\n=== %s [%ss]\n' "$*" $(($(date +%s) - t0))
}
say() {
	printf '%s\n' "$@" | fold -s -w 76 | sed 's/^/    /'
}
# show the command, run it, indent its output; returns its status
cmd() {
	printf '  # %s\n' "$*"
	"$@" > "$d/out" 2>&1
	rc=$?
	sed 's/^/    /' "$d/out"
	return $rc
}
fail() {
	printf '\nDEMO FAILED: %s\n' "$*"
	[ -f "$d/daemon.log" ] && { echo "bomgated's log:"; sed 's/^/    /' "$d/daemon.log"; }
	[ -f "$events" ] && { echo "last events:"; tail -n 5 "$events" | sed 's/^/    /'; }
	exit 1
}
# the last event about the file with digest @1 and decision @2 (grep: jq
# is slow under emulation; the daemon writes members in a fixed order)
event_line() {
	grep "\"decision\":\"$2\".*\"sha256\":\"$1\"" "$events" 2>/dev/null |
		tail -n 1
}
# ... shown with the members a newcomer cares about
show_event() {
	event_line "$1" "$2" |
		jq '{decision, reason, mode, path, sha256, comm,
		     parent: .parent.exe, component}' | sed 's/^/    /'
}
# wait up to 10 s for such an event
wait_event() {
	i=0
	while [ $i -lt 100 ]; do
		[ -n "$(event_line "$1" "$2")" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
cleanup() {
	# leave the demo cgroup, stop the daemon, remove what the demo pinned
	echo 0 > /sys/fs/cgroup/cgroup.procs 2>/dev/null
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		"$bg" disable --socket "$sock" > /dev/null 2>&1 ||
			kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	rm -rf "$pin"
	rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || fail "the tour needs root (BPF LSM programs)"
command -v jq > /dev/null || fail "jq is missing: run 'make deps'"
rm -rf "$d" "$pin"
mkdir -p "$d" || fail "cannot create $d"

echo "bomgate tour on $(uname -n), kernel $(uname -r)"
say "bomgate turns an SBOM (the list of software a machine is meant to run)" \
    "into a signed allowlist of SHA-256 digests that the kernel enforces on" \
    "every exec, executable mapping and module load."

# --- 1. SBOM ---------------------------------------------------------------
step "1. Scan this system into an SBOM"
say "No vendor SBOM here, so bomgate makes one: every ELF program, shared" \
    "library and script it is given, hashed and named after its Debian" \
    "package."
dirs="/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu"
# what the lock-out guard checks (bomgated, its libraries, the loader,
# PID 1, /bin/sh, the CLI): bomgate's own binaries are built from source,
# in no package, so they are named by path
"$build/bomgated" --guard-list | awk '{ print $2 }' > "$d/guard"
if [ -n "${BOMGATE_IN_VM:-}" ]; then
	say "In the VM, SHA-256 is emulated (about 100 times slower than" \
	    "natively), so the tour takes the programs and libraries under" \
	    "64 KB in $dirs," \
	    "the libraries of the tools it runs and of the bomgate CLI, and" \
	    "what the lock-out guard checks. On real hardware it scans those folders whole in seconds."
	tools="jq sed grep fold sleep date tail uname sha256sum cp awk cat"
	{
		find $dirs -maxdepth 1 -type f -size -64k
		cat "$d/guard"
		paths=$(for t in $tools; do command -v "$t"; done)
		readlink -f $paths
		# the CLI links more than bomgated maps (libexpat, libyajl)
		ldd $paths "$bg" | awk '/=> \// { print $3 }' | xargs -r readlink -f
	} | sort -u > "$d/files"
	printf '  # %s\n' "bomgate sbom scan -o system.cdx.json" \
		"    ($(wc -l < "$d/files") files: see $d/files)"
	"$bg" sbom scan -o "$d/system.cdx.json" $(cat "$d/files") \
		> "$d/out" 2>&1
else
	cat "$d/guard" > "$d/files"
	printf '  # %s\n' "bomgate sbom scan -o system.cdx.json $dirs (+ $(wc -l < "$d/guard") paths from bomgated --guard-list)"
	"$bg" sbom scan -o "$d/system.cdx.json" $dirs $(cat "$d/files") \
		> "$d/out" 2>&1
fi
rc=$?
sed 's/^/    /' "$d/out"
[ $rc -eq 0 ] || fail "bomgate sbom scan (exit $rc)"
say "The entry for /usr/bin/uname, for example (one file per line):"
grep -m1 '"name": "/usr/bin/uname"' "$d/system.cdx.json" | sed 's/, *$//' |
	jq -c '{name, version, purl, sha256: .hashes[0].content}' | sed 's/^/    /'

# --- 2. policy -------------------------------------------------------------
step "2. Compile the SBOM into a policy and sign it"
say "The kernel never reads SBOMs: 'compile' turns them into a compact" \
    "binary allowlist (docs/policy-format.md). bomgated loads only policies" \
    "signed by a certificate it trusts."
cmd "$bg" key generate --type ec -o "$d/key.pem" --cert "$d/cert.pem" \
	--subject "CN=bomgate demo" || fail "key generate"
cmd "$bg" compile --policy-version 1 --name demo -o "$d/policy.bgp" \
	"$d/system.cdx.json" || fail "compile"
cmd "$bg" sign --key "$d/key.pem" --cert "$d/cert.pem" "$d/policy.bgp" ||
	fail "sign"

# --- 3. daemon in audit mode ----------------------------------------------
step "3. Start bomgated in audit mode"
say "Audit mode reports what enforce would deny, and denies nothing: the" \
    "safe first step on any machine. For this tour bomgated gates only the" \
    "tour's own processes (cgroup $cg); a real deployment gates everything."
mkdir -p "$cg" || fail "cannot create the cgroup $cg"
printf '  # %s\n' "bomgated --policy policy.bgp --trust cert.pem --mode audit --emit-allowed ... &"
"$build/bomgated" --policy "$d/policy.bgp" --trust "$d/cert.pem" \
	--mode audit --emit-allowed --coalesce 0 --pin-dir "$pin" \
	--socket "$sock" --events-file "$events" --events-syslog=no \
	--scope-cgroup "$cg" > "$d/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until "$bg" status --socket "$sock" > /dev/null 2>&1; do
	kill -0 "$daemon_pid" 2>/dev/null || fail "bomgated exited"
	[ $i -lt 600 ] || fail "bomgated did not answer within 60 s"
	sleep 0.1
	i=$((i + 1))
done
sed 's/^/    /' "$d/daemon.log"
# from here on, every process the tour starts is gated
echo $$ > "$cg/cgroup.procs" || fail "cannot enter $cg"

# --- 4. an unknown program, audited -----------------------------------------
step "4. Run a program the SBOM does not list (audit: allowed, reported)"
say "A copy of /usr/bin/uname with one byte appended: it still runs, but" \
    "its digest is in no SBOM, like a tampered or smuggled binary."
cp /usr/bin/uname "$d/uname" && printf '\n' >> "$d/uname" ||
	fail "cannot make $d/uname"
cmd sha256sum /usr/bin/uname "$d/uname"
good=$(sha256sum < /usr/bin/uname | cut -d' ' -f1)
bad=$(sha256sum < "$d/uname" | cut -d' ' -f1)
cmd /usr/bin/uname -sr || fail "/usr/bin/uname did not run"
cmd "$d/uname" -sr || fail "$d/uname did not run in audit mode"
wait_event "$good" allowed || fail "no event for /usr/bin/uname"
wait_event "$bad" would-deny || fail "no would-deny event for $d/uname"
say "bomgated's event for the genuine uname names its component (from the SBOM):"
show_event "$good" allowed
say "and for the copy, a would-deny: unknown digest, no component, and who ran it:"
show_event "$bad" would-deny

say "Before switching, ask what enforcing would break: bomgate report reads" \
    "the daemon's event file (audit for a week on a real machine) and names" \
    "every file enforce would refuse, how often it ran, who ran it, and what" \
    "to add to the policy:"
cmd "$bg" report "$events" && fail "bomgate report found nothing that would break"
grep -q "$d/uname" "$d/out" || fail "bomgate report does not name $d/uname"

# --- 5. enforce --------------------------------------------------------------
step "5. Switch to enforce"
say "Before enforcing, the lock-out guard checks that the policy allows what" \
    "is needed to keep the machine running and repairable (bomgated, its" \
    "libraries, the dynamic loader, PID 1, /bin/sh, the bomgate CLI):"
"$build/bomgated" --guard-list | awk '{ print "    " $2 }'
cmd "$bg" mode enforce --socket "$sock" ||
	fail "bomgate mode enforce was refused"
cmd /usr/bin/uname -sr || fail "/usr/bin/uname was denied under enforce"
cmd "$d/uname" -sr && fail "$d/uname ran under enforce"
say "The kernel refused the exec (exit 126, EPERM). The event:"
wait_event "$bad" denied || fail "no denied event for $d/uname"
show_event "$bad" denied

# --- 6. status ---------------------------------------------------------------
step "6. What bomgated enforces: bomgate status"
cmd "$bg" status --socket "$sock"

# --- 7. disable --------------------------------------------------------------
step "7. Stop: bomgate disable"
say "Enforcement is pinned in the kernel: it survives bomgated crashing or" \
    "being killed. Only an explicit, logged 'bomgate disable' ends it."
cmd "$bg" disable --socket "$sock" || fail "bomgate disable"
wait "$daemon_pid"
daemon_pid=
cmd "$d/uname" -sr || fail "$d/uname still denied after disable"

step "Done"
say "Next: docs/demo.md (what you just saw), docs/daemon.md, docs/policy.md."
exit 0
