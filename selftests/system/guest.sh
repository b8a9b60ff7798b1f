#!/bin/sh
# One step of the system test, run by bomgate-systest.service (after
# multi-user.target) inside the booted Debian system; the step is named in
# the share (/mnt/systest/step). Results: "ok - ..." / "not ok - ..." and
# "# ..." lines appended to /mnt/systest/results. Then power off.
# Everything it runs under enforce must be listed: it runs the system's
# own programs (scanned into the policy at install) and reads this file.
S=/mnt/systest
R=$S/results
step=$(cat $S/step)
UNLISTED=/usr/local/bin/bg-unlisted

ok() {	# $1 = status (0 = pass), $2... = what
	local rc=$1
	shift
	if [ "$rc" = 0 ]; then
		echo "ok - $step: $*" >> $R
	else
		echo "not ok - $step: $*" >> $R
	fi
	return "$rc"
}
note() { echo "# $step: $*" >> $R; }
attach() {	# $1 = name: command output for the report
	cat > "$S/$step-$1.txt"
}
probe() {	# the early unit's view: unlisted=N listed=N sysinit=STATE
	sed -n "s/^$1=//p" /run/bomgate-probe 2>/dev/null
}
status_json() { bomgate status --json 2>&1; }
has() { printf '%s' "$1" | grep -q -- "$2"; }
is() {	# A OP B what...: ok when [ A OP B ]
	local a=$1 op=$2 b=$3
	shift 3
	[ "$a" "$op" "$b" ]
	ok $? "$@"
}

# exec loop of $1 until /run/loop-stop; "RUNS REFUSED" into /run/loop-result
loop_start() {
	rm -f /run/loop-stop /run/loop-result
	( n=0 f=0
	  while [ ! -e /run/loop-stop ]; do
		"$1" > /dev/null 2>&1 || f=$((f + 1))
		n=$((n + 1))
	  done
	  echo "$n $f" > /run/loop-result ) &
}
loop_stop() {	# then read n f < /run/loop-result
	touch /run/loop-stop
	wait
}

# trust-apt under enforce, with apt and the repositories mkrepo.sh made
trust_apt() {
	A=$S/apt
	LISTS=/var/lib/apt/lists/_mnt_systest_apt_repo_dists_stable
	mv /etc/apt/sources.list /etc/apt/sources.list.offline
	mkdir -p /etc/apt/keyrings
	cp $A/key.gpg /etc/apt/keyrings/bgtest.gpg
	cp $A/other.gpg /etc/apt/keyrings/bgother.gpg
	cat > /etc/apt/sources.list.d/bgtest.list <<EOT
deb [signed-by=/etc/apt/keyrings/bgtest.gpg] file:$A/repo stable main
deb [signed-by=/etc/apt/keyrings/bgother.gpg] file:$A/other stable main
EOT
	apt-get update > $S/apt-update.txt 2>&1
	ok $? "trust-apt: apt-get update of the test repositories under enforce"

	# 1. install: a program, its library, a postinst running a helper
	apt-get install -y bgdemo=1.0 > $S/apt-install.txt 2>&1
	ok $? "trust-apt: apt-get install bgdemo=1.0 under enforce"
	grep -q "bomgate: trust-apt: 1 staged, 0 retired, 0 refused" $S/apt-install.txt
	ok $? "trust-apt: the hook staged it before dpkg unpacked it"
	is "$(bgdemo 2>&1)" = "bgdemo 1.0" "trust-apt: the program and its shared library run"
	is "$(cat /var/lib/bgdemo-setup 2>&1)" = "bgdemo 1.0 set up" "trust-apt: the postinst ran the helper the package brought"
	journalctl -b -o json BOMGATE_TYPE=package BOMGATE_DECISION=staged > $S/apt-staged.json 2>&1
	grep -q '"BOMGATE_COMPONENT":"bgdemo"' $S/apt-staged.json &&
		grep -q '"BOMGATE_PURL":"pkg:deb/debian/bgdemo@1.0?arch=amd64"' $S/apt-staged.json
	ok $? "trust-apt: a package event in the journal names the package, version and purl"

	# 2. upgrade while the old version runs in a loop
	dpkg-deb --fsys-tarfile $A/repo/pool/bgdemo_1.0_amd64.deb | tar -xO ./usr/bin/bgdemo > /var/tmp/bgdemo-1.0
	chmod +x /var/tmp/bgdemo-1.0
	loop_start bgdemo
	apt-get install -y bgdemo > $S/apt-upgrade.txt 2>&1
	ok $? "trust-apt: apt-get install bgdemo (the upgrade to 1.1) under enforce"
	loop_stop
	read n f < /run/loop-result
	is "$f" = 0 "trust-apt: during the upgrade the exec loop of bgdemo ran $n times, $f refused"
	is "$(bgdemo 2>&1)" = "bgdemo 1.1" "trust-apt: the new version runs"
	grep -q "bomgate: trust-apt: 0 staged, 1 retired" $S/apt-upgrade.txt
	ok $? "trust-apt: after the transaction the replaced version was retired"
	/var/tmp/bgdemo-1.0 > /dev/null 2>&1
	is $? = 126 "trust-apt: the old version's program (a copy) is denied once retired"
	s=$(status_json)
	echo "$s" | attach apt-status
	has "$s" '"package":"bgdemo","version":"1.1"' && ! has "$s" '"package":"bgdemo","version":"1.0"'
	ok $? "trust-apt: bomgate status lists bgdemo 1.1 staged (and not 1.0)"

	# 3. the same package built here: apt and dpkg unpack it, nothing of
	# it runs, its postinst's helper included (so the install fails)
	apt-get install -y --allow-downgrades $A/local/bgdemo_1.2_amd64.deb > $S/apt-local.txt 2>&1
	ok $((! $?)) "trust-apt: apt-get install of a local build fails: its postinst's helper is denied"
	grep -q "bgdemo_1.2_amd64.deb is not trusted, its programs will be denied: bgdemo 1.2 amd64 is in no Packages index signed by a trusted key" $S/apt-local.txt
	ok $? "trust-apt: the hook says the local build is not trusted and why"
	bgdemo > /dev/null 2>&1
	is $? = 126 "trust-apt: the local build's program is denied"
	journalctl -b -o json BOMGATE_TYPE=package BOMGATE_REASON=untrusted-package > $S/apt-untrusted.json 2>&1
	grep -q 'bgdemo_1.2_amd64.deb' $S/apt-untrusted.json
	ok $? "trust-apt: an untrusted-package event in the journal"
	apt-get install -y --allow-downgrades bgdemo=1.1 > $S/apt-back.txt 2>&1
	ok $? "trust-apt: the trusted version installs over the half-installed local build"
	dpkg -i $A/local/bgdemo_1.2_amd64.deb > $S/apt-dpkg.txt 2>&1
	ok $((! $?)) "trust-apt: dpkg -i of the local build fails the same way"
	bgdemo > /dev/null 2>&1
	is $? = 126 "trust-apt: dpkg -i (no hook at all): the program is denied"
	apt-get install -y --allow-downgrades bgdemo=1.1 >> $S/apt-back.txt 2>&1
	is "$(bgdemo 2>&1)" = "bgdemo 1.1" "trust-apt: the trusted version installed again runs"

	# 4. a repository apt trusts but the policy does not
	apt-get install -y bgother > $S/apt-other.txt 2>&1
	ok $((! $?)) "trust-apt: apt-get install bgother (repository signed by another key) fails: its postinst is denied"
	grep -q "bgother_1.0_amd64.deb is not trusted, its programs will be denied: .*signed by key .*not by the pinned key" $S/apt-other.txt
	ok $? "trust-apt: the hook names the other key"
	bgother > /dev/null 2>&1
	is $? = 126 "trust-apt: bgother is denied"
	apt-get purge -y bgother > $S/apt-other-purge.txt 2>&1
	ok $? "trust-apt: the half-installed bgother purged"

	# 5. root forges apt's index: its own package listed, fetched from the cache
	cp $A/evil/bgdemo_9.9_amd64.deb /var/cache/apt/archives/
	cp $A/evil/bgdemo_9.9_amd64.deb $A/repo/pool/
	# (for a file: source apt's list is a symbolic link to the
	# repository's file: a new file replaces it, the repository stays)
	L=${LISTS}_main_binary-amd64_Packages
	{ cat $L
	  echo
	  dpkg-deb -f $A/evil/bgdemo_9.9_amd64.deb
	  echo "Filename: pool/bgdemo_9.9_amd64.deb"
	  echo "Size: $(stat -c %s $A/evil/bgdemo_9.9_amd64.deb)"
	  echo "SHA256: $(sha256sum $A/evil/bgdemo_9.9_amd64.deb | cut -d' ' -f1)"
	} > $L.forged && mv $L.forged $L
	apt-get install -y bgdemo=9.9 > $S/apt-forged.txt 2>&1
	ok $((! $?)) "trust-apt: root lists its own bgdemo 9.9 in apt's index; apt unpacks it, its postinst is denied"
	grep -q "bgdemo_9.9_amd64.deb is not trusted.*_Packages: SHA-256 .* does not match" $S/apt-forged.txt
	ok $? "trust-apt: bomgated refuses the forged index (its digest is not the one the signed Release lists)"
	bgdemo > /dev/null 2>&1
	is $? = 126 "trust-apt: the forged package's program is denied"
	# apt does not check its own copy again: until it is fetched again
	# the whole repository is refused (the safe side)
	rm -f $L
	apt-get update > $S/apt-update2.txt 2>&1 &&
		apt-get install -y --allow-downgrades bgdemo=1.1 > $S/apt-back2.txt 2>&1
	is "$(bgdemo 2>&1)" = "bgdemo 1.1" "trust-apt: the index fetched again, bgdemo 1.1 runs"

	# 6. a daemon restart: staged again, verified again (the reboot: boot)
	systemctl restart bomgated
	is "$(bgdemo 2>&1)" = "bgdemo 1.1" "trust-apt: after systemctl restart bomgated bgdemo still runs"
	journalctl -b -u bomgated -o cat > $S/apt-restart.txt 2>&1
	grep -q "trust-apt: bgdemo 1.1 staged again (verified again)" $S/apt-restart.txt
	ok $? "trust-apt: the restarted daemon staged it again, verified again"

	# what the hook costs: the same reinstall with and without it,
	# alternated, after one warm-up (a note, not a check)
	apt-get install -y bgtool > $S/apt-time.txt 2>&1
	ok $? "trust-apt: apt-get install bgtool"
	with=0 without=0
	for i in 1 2 3; do
		t0=$(date +%s%N)
		apt-get install -y --reinstall bgtool >> $S/apt-time.txt 2>&1
		t1=$(date +%s%N)
		mv /etc/apt/apt.conf.d/60bomgate /root/60bomgate
		apt-get install -y --reinstall bgtool >> $S/apt-time.txt 2>&1
		t2=$(date +%s%N)
		mv /root/60bomgate /etc/apt/apt.conf.d/60bomgate
		with=$((with + (t1 - t0) / 1000000))
		without=$((without + (t2 - t1) / 1000000))
	done
	note "trust-apt: apt-get install --reinstall bgtool, 3 runs each, alternated: $((with / 3)) ms with the hook, $((without / 3)) ms without (ratio $((with * 100 / without)) %; TCG guest)"
	mv /etc/apt/sources.list.offline /etc/apt/sources.list
}

case $step in
install)
	# the package: installs, enables and starts nothing
	apt-get install -y $S/bomgate_0.1.0_amd64.deb > $S/install-apt.txt 2>&1
	ok $? "apt-get install of the package (offline, local .deb)"
	is "$(systemctl is-enabled bomgated 2>&1)" = disabled "installed, the service is not enabled"
	systemctl is-active -q bomgated
	ok $((! $?)) "installed, the service is not running"
	[ ! -e /sys/fs/bpf/bomgate ]
	ok $? "installed, nothing is enforced (no pins)"

	# the operator's policy: the system as installed, with the
	# maintainer scripts dpkg runs (files in /var/lib/dpkg/info, exec'd
	# like any program), and the next bomgate release from its own
	# package (files and maintainer scripts), signed
	mkdir -p /root/next/files /root/next/control
	dpkg-deb -x $S/bomgate_0.1.1_amd64.deb /root/next/files
	dpkg-deb -e $S/bomgate_0.1.1_amd64.deb /root/next/control
	bomgate sbom scan /usr /var/lib/dpkg/info -o /root/system.cdx.json > $S/install-scan.txt 2>&1 &&
	bomgate sbom scan /root/next -o /root/next.cdx.json >> $S/install-scan.txt 2>&1 &&
	# and the test repository's key (trust-apt, docs/policy.md)
	cat > /root/system.policy <<EOT
version 1
name system
sbom /root/system.cdx.json
sbom /root/next.cdx.json
trust-apt $S/apt/key.asc origin=bomgate-test
EOT
	bomgate compile -s /root/system.policy -o /etc/bomgate/policy.bgp >> $S/install-scan.txt 2>&1 &&
	bomgate sign -k $S/k.pem -c $S/c.pem /etc/bomgate/policy.bgp >> $S/install-scan.txt 2>&1 &&
	cp $S/c.pem /etc/bomgate/signer.pem
	ok $? "scan /usr, compile and sign the policy on the server"
	# made after the scan: in no SBOM
	cp /usr/bin/true $UNLISTED && printf x >> $UNLISTED
	printf 'mode = enforce\n' >> /etc/bomgate/bomgated.conf
	cp $S/bomgate-probe.service /etc/systemd/system/
	systemctl enable bomgate-probe.service bomgated > $S/install-enable.txt 2>&1
	ok $? "systemctl enable bomgated"
	systemctl start bomgated
	ok $? "systemctl start bomgated (the policy verifies)" ||
		journalctl -b -u bomgated --no-pager | tail -n 20 | sed 's/^/# /' >> $R
	$UNLISTED
	ok $((! $?)) "enforce: the unlisted program is denied before the reboot"
	trust_apt
	;;
boot)
	# enforcement before multi-user.target: the early unit
	is "$(probe unlisted)" = 126 "early in boot (before sysinit.target), the unlisted program is denied (exit $(probe unlisted))"
	is "$(bgdemo 2>&1)" = "bgdemo 1.1" "trust-apt: after a reboot the staged package still runs (staged again, verified again)"
	is "$(probe listed)" = 0 "early in boot, a listed program runs (exit $(probe listed))"
	is "$(probe sysinit)" != active "the early unit ran before sysinit.target was reached ($(probe sysinit))"
	st=$(systemctl show -p ActiveState --value bomgated)
	txt=$(systemctl show -p StatusText --value bomgated)
	has "$txt" "exec=enforce"
	ok $? "systemctl: bomgated $st, status text: $txt"
	is "$st" = active "bomgated is active"
	# what started before enforcement was in force (docs/daemon.md)
	ready=$(systemctl show -p ActiveEnterTimestampMonotonic --value bomgated)
	before=""
	for u in $(systemctl list-units --all --plain --no-legend --type=service,socket,mount,swap | cut -d' ' -f1); do
		t=$(systemctl show -p InactiveExitTimestampMonotonic --value "$u")
		[ "$u" != bomgated.service ] && [ -n "$t" ] && [ "$t" != 0 ] &&
			[ "$t" -lt "$ready" ] &&
			before="$before $u"
	done
	note "bomgated ready at $((ready / 1000)) ms of boot; started before it:$before"

	journalctl -b -o json BOMGATE_DECISION=denied BOMGATE_PATH=$UNLISTED > $S/boot-journal.json 2>&1
	grep -q '"BOMGATE_SHA256":"[0-9a-f]\{64\}"' $S/boot-journal.json &&
		grep -q '"MESSAGE_ID":"5b8a3c1e9d2f4e07a6b1c4d8e2f3a90' $S/boot-journal.json &&
		grep -q '"BOMGATE_HOOK":"exec"' $S/boot-journal.json
	ok $? "journalctl -o json BOMGATE_DECISION=denied BOMGATE_PATH=$UNLISTED: the denial with its fields"
	# one journal line per message (stderr is the journal stream, no
	# syslog copy), and a metrics file that cannot be written said once
	journalctl -b -u bomgated -o cat > $S/boot-daemon-lines.txt 2>&1
	is "$(grep -c '^loaded policy .system. version 1' $S/boot-daemon-lines.txt)" = 1 "each daemon log line once in the journal"
	is "$(grep -c 'metrics /var/lib/prometheus' $S/boot-daemon-lines.txt)" = 1 "an unwritable metrics file said once, not every 10 s"
	ausearch -m TRUSTED_APP -i > $S/boot-ausearch.txt 2>&1
	grep -q "$UNLISTED" $S/boot-ausearch.txt
	ok $? "ausearch -m TRUSTED_APP: the early denial's audit record"

	# upgrade under enforce while a listed program runs in a loop
	rm -f /run/loop-stop
	( n=0 f=0
	  while [ ! -e /run/loop-stop ]; do
		/usr/bin/true || f=$((f + 1))
		n=$((n + 1))
	  done
	  echo "$n $f" > /run/loop-result ) &
	since=$(date +%s)
	apt-get install -y $S/bomgate_0.1.1_amd64.deb > $S/boot-upgrade.txt 2>&1
	ok $? "apt-get install of the next version under enforce"
	touch /run/loop-stop
	wait
	read n f < /run/loop-result
	is "$f" = 0 "during the upgrade the exec loop ran $n times, $f refused"
	[ "$n" -gt 0 ]
	ok $? "the exec loop ran during the upgrade"
	s=$(status_json)
	echo "$s" | attach status-after-upgrade
	has "$s" '"version":"0.1.1"' && has "$s" '"resumed":true' &&
		has "$s" '"exec":"enforce"'
	ok $? "after the upgrade the new bomgated resumed the enforcement (version 0.1.1, resumed, exec enforce)"
	journalctl -o json --since "@$since" BOMGATE_DECISION=denied > $S/boot-upgrade-denials.json 2>&1
	! grep -v "\"BOMGATE_PATH\":\"$UNLISTED\"" $S/boot-upgrade-denials.json | grep -q BOMGATE_DECISION
	ok $? "no denial of anything but the unlisted program during the upgrade"
	$UNLISTED
	ok $((! $?)) "after the upgrade the unlisted program is still denied"
	systemctl reload bomgated && sleep 2
	has "$(systemctl show -p StatusText --value bomgated)" "exec=enforce"
	ok $? "systemctl reload: verified and in force again"

	# systemctl stop stops the daemon, not enforcement
	systemctl stop bomgated
	$UNLISTED
	ok $((! $?)) "systemctl stop: the daemon stops, the unlisted program stays denied"
	# the next boot finds this policy corrupt
	printf X | dd of=/etc/bomgate/policy.bgp bs=1 seek=300 conv=notrunc 2>/dev/null
	ok $? "the configured policy corrupted for the next boot"
	;;
corrupt)
	is "$(probe unlisted)" = 126 "boot with a corrupted policy: the unlisted program is still denied early (exit $(probe unlisted))"
	s=$(status_json)
	echo "$s" | attach status
	has "$s" '"last_known_good":true' && has "$s" '"path":"/var/lib/bomgate/last-good.bgp"'
	ok $? "bomgate status: the last known good policy is in force"
	journalctl -b -u bomgated -o cat > $S/corrupt-journal.txt 2>&1
	grep -q "enforcing the last known good policy /var/lib/bomgate/last-good.bgp instead of /etc/bomgate/policy.bgp, which was refused" $S/corrupt-journal.txt
	ok $? "the journal says why the configured policy was refused"
	has "$(systemctl show -p StatusText --value bomgated)" "LAST KNOWN GOOD"
	ok $? "systemctl status says it runs the last known good policy"

	# seal it (docs/sealing.md): the installed bomgated is the daemon
	cat > /root/sealed.policy <<EOT
version 2
name system-sealed
sbom /root/system.cdx.json
sbom /root/next.cdx.json
seal yes
daemon $(sha256sum /usr/sbin/bomgated | cut -d' ' -f1) bomgated 0.1.1 as installed
EOT
	bomgate compile -s /root/sealed.policy -o /etc/bomgate/policy.bgp > $S/corrupt-seal.txt 2>&1 &&
		bomgate sign -k $S/k.pem -c $S/c.pem /etc/bomgate/policy.bgp >> $S/corrupt-seal.txt 2>&1 &&
		systemctl reload bomgated
	# the daemon exits 8 to be marked at exec; systemd starts it again
	i=0
	until has "$(status_json)" '"sealed":true' || [ $i -ge 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	has "$(status_json)" '"sealed":true'
	ok $? "a signed policy with 'seal yes', reloaded: sealed (after systemd restarted the daemon to be marked)"
	is "$(systemctl show -p NRestarts --value bomgated)" -ge 1 "the sealing reload restarted bomgated"
	# root cannot remove it: prerm's 'bomgate disable' is refused
	apt-get purge -y bomgate > $S/corrupt-purge.txt 2>&1
	ok $((! $?)) "sealed: apt-get purge bomgate is refused"
	grep -q "a sealed system needs 'bomgate disable --token TOKEN' first" $S/corrupt-purge.txt &&
		grep -q "sealed: disable is refused" $S/corrupt-purge.txt
	ok $? "sealed: the refusal says why and what to do"
	[ -x /usr/sbin/bomgated ] && [ -e /sys/fs/bpf/bomgate ] && ! $UNLISTED 2>/dev/null
	ok $? "sealed: the package, the pins and enforcement stay"
	journalctl -b -o json BOMGATE_TYPE=tamper > $S/corrupt-tamper.json 2>&1
	grep -q '"BOMGATE_TYPE":"tamper"' $S/corrupt-tamper.json
	ok $? "sealed: the refused disable is a tamper event in the journal"
	;;
breakglass)
	# the signers are unreachable: booted with
	# systemd.mask=bomgated.service (docs/sealing.md, "Break-glass")
	is "$(systemctl is-active bomgated)" != active "break-glass boot: bomgated masked, not running"
	[ ! -e /sys/fs/bpf/bomgate ]
	ok $? "break-glass boot: nothing pinned, no seal (it lived in the kernel only)"
	is "$(probe unlisted)" = 0 "break-glass boot: the unlisted program runs (exit $(probe unlisted))"
	# the operator's way on: a newer signed policy without the seal
	bomgate compile --policy-version 3 --name system -o /etc/bomgate/policy.bgp \
		/root/system.cdx.json /root/next.cdx.json > $S/breakglass-policy.txt 2>&1 &&
		bomgate sign -k $S/k.pem -c $S/c.pem /etc/bomgate/policy.bgp >> $S/breakglass-policy.txt 2>&1
	ok $? "break-glass boot: an unsealed version 3 signed for the next boot"
	;;
purge)
	is "$(probe unlisted)" = 126 "normal boot again: enforced early (exit $(probe unlisted))"
	s=$(status_json)
	has "$s" '"version":3,' && has "$s" '"sealed":false'
	ok $? "normal boot again: policy version 3, not sealed"
	# remove and purge: enforcement ends through bomgate disable
	apt-get purge -y bomgate > $S/purge-apt.txt 2>&1
	ok $? "apt-get purge bomgate"
	[ ! -e /sys/fs/bpf/bomgate ]
	ok $? "after purge: nothing pinned"
	# the kernel detaches in a work item once the pins are gone
	i=0
	until $UNLISTED 2>/dev/null || [ $i -ge 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	$UNLISTED
	ok $? "after purge: the unlisted program runs"
	[ ! -e /etc/bomgate/bomgated.conf ] && [ ! -e /var/lib/bomgate ] &&
		[ ! -e /var/log/bomgate ] && [ ! -e /usr/sbin/bomgated ] &&
		[ ! -e /usr/bin/bomgate ]
	ok $? "after purge: the package's configuration, state, log and binaries gone"
	[ -f /etc/bomgate/policy.bgp ] && [ -f /etc/bomgate/signer.pem ]
	ok $? "after purge: the operator's own files (policy, certificate) are left in /etc/bomgate"
	journalctl -b -o json BOMGATE_ACTION=disable > $S/purge-disable.json 2>&1
	grep -q '"BOMGATE_ACTION":"disable"' $S/purge-disable.json
	ok $? "the journal records the disable that purge went through"
	systemctl is-system-running > $S/purge-state.txt 2>&1
	is "$(cat $S/purge-state.txt)" != maintenance "after purge: the system is usable ($(cat $S/purge-state.txt))"
	;;
*)
	ok 1 "unknown step '$step'"
	;;
esac
journalctl -b -u bomgated --no-pager > $S/$step-bomgated.log 2>&1
echo "done $step" >> $R
sync
systemctl poweroff --no-block
