#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The shipped udev rules with the real systemd-udevd: a threshold crossed in
# the kernel ends as the handler's line in the system log, with the values
# the test expects.  Prints TAP.
top=$(cd "$(dirname "$0")/.." && pwd)
sysfs=/sys/kernel/zwatch
work=$(mktemp -d /tmp/zw-udev.XXXXXX)
log=$work/messages
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

cleanup() {
	echo 0 >$sysfs/threshold 2>/dev/null
	echo 1000 >$sysfs/interval_ms 2>/dev/null
	[ -n "${leaker:-}" ] && kill "$leaker" 2>/dev/null
	udevadm control --exit 2>/dev/null
	[ -n "${syslogd:-}" ] && kill "$syslogd" 2>/dev/null
	wait 2>/dev/null
	rm -rf /run/udev/rules.d/90-zwatch.rules "$work"
}
trap cleanup EXIT

echo "TAP version 13"
echo "1..4"
[ -d $sysfs ] || insmod "$ZWATCH_KO"

# the system log: busybox's syslogd, writing to a file
busybox syslogd -n -O "$log" &
syslogd=$!
# the shipped rules, with the handler where this tree has it
mkdir -p /run/udev/rules.d
sed "s|/usr/lib/zwatch/zwatch-udev-log|$top/tools/udev/zwatch-udev-log|" \
	"$top/tools/udev/90-zwatch.rules" >/run/udev/rules.d/90-zwatch.rules
/lib/systemd/systemd-udevd --daemon 2>"$work/udevd.err"
check "systemd-udevd runs with the shipped rules" udevadm control --ping

# the count the test builds on must hold still: earlier tests' orphans go
# to init, which reaps them when it gets to it (seconds on the debug kernel)
for _ in $(seq 300); do
	[ -z "$(ps -eo stat=,ppid= | awk '$1 ~ /^Z/ && $2 == 1')" ] && break
	sleep 0.1
done
echo 100 >$sysfs/interval_ms
base=$(cat $sysfs/zombies)
threshold=$((base + 6))
echo "$threshold" >$sysfs/threshold
"$top/selftests/zw_leaker" "zw udev" 6 1 &
leaker=$!

# up to two minutes: udevd, the handler and syslogd are slow on the debug
# kernel
want_high="zwatch: event=total_high zombies=$((base + 6)) threshold=$threshold"
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ]; do
	grep -q "$want_high" "$log" 2>/dev/null && break
	sleep 0.1
done
check "the handler logged total_high with the right values" grep -q "$want_high" "$log"

kill "$leaker"
wait "$leaker" 2>/dev/null
leaker=
# the alarm clears at the first scan below the threshold: init may not have
# reaped all six orphans by then (the debug kernel: 2 left), so any count
# from base up to threshold - 1 is right
ok_re="zwatch: event=total_ok zombies=([0-9]+) threshold=$threshold\$"
logged_ok() {
	local z
	z=$(sed -nE "s/.*$ok_re/\1/p" "$log" 2>/dev/null | head -n 1)
	[ -n "$z" ] && [ "$z" -ge "$base" ] && [ "$z" -lt "$threshold" ]
}
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ]; do
	grep -qE "$ok_re" "$log" 2>/dev/null && break
	sleep 0.1
done
check "the handler logged total_ok when the leaker went away" logged_ok
check "exactly one high and one ok were logged" \
	test "$(grep -c 'zwatch: event=total_' "$log")" -eq 2
sed 's/^/# /' "$log"
exit $failed
