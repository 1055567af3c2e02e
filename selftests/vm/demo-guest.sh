#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the guest.
set -e
cd "$(dirname "$0")/../.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Load the module, alarm at 30 zombies, log alarms through udev"
run insmod module/zwatch.ko threshold=30 parent_threshold=25 interval_ms=200
run cat /proc/zombies
# the shipped rule, pointing at this tree's handler; syslog to a file
busybox syslogd -n -O /tmp/messages &
mkdir -p /run/udev/rules.d
sed "s|/usr/lib/zwatch/zwatch-udev-log|$PWD/tools/udev/zwatch-udev-log|" \
	tools/udev/90-zwatch.rules >/run/udev/rules.d/90-zwatch.rules
/lib/systemd/systemd-udevd --daemon 2>/dev/null
sleep 0.5

say "A daemon that forks workers and never wait()s for them"
selftests/zw_leaker leaky-daemon 40 20 &
daemon=$!

say "A container whose PID 1 does not reap (its own pid namespace)"
unshare --pid --fork --mount-proc selftests/zw_leaker app-pid1 12 20 &
sleep 1.5

say "What the kernel says: one row per leaking parent"
run cat /proc/zombies

say "The same through the tool"
run tools/zwatch/zwatch list || true

say "The container's own view: its /proc numbers its init as PPID 1"
ns_init=$(pgrep -x app-pid1 | head -n 1)
# /proc/PID/root leads into its mount namespace, where /proc is its own
run cat /proc/$ns_init/root/proc/zombies

say "The kernel crossed the thresholds: state is high, and the uevents reached"
say "udev, whose shipped rule logged them to the system log"
run cat /sys/kernel/zwatch/state
run grep zwatch: /tmp/messages

say "Global counters and the worst parents in sysfs"
run grep . /sys/kernel/zwatch/zombies /sys/kernel/zwatch/parents \
	/sys/kernel/zwatch/tasks /sys/kernel/zwatch/scan_ns
sleep 1.2
run ls /sys/kernel/zwatch/by_parent/
run grep . /sys/kernel/zwatch/by_parent/$daemon/comm \
	/sys/kernel/zwatch/by_parent/$daemon/zombies

say "Kill the daemon: init reaps its orphans, the row goes away"
kill "$daemon"
wait "$daemon" 2>/dev/null || true
sleep 0.5
run cat /proc/zombies

say "Below the threshold again: the alarm clears"
sleep 0.6
run grep -E 'total_ok|parent_ok' /tmp/messages
run cat /sys/kernel/zwatch/state

say "Unload"
pkill -x app-pid1 || true
udevadm control --exit
run rmmod zwatch
echo "done."
