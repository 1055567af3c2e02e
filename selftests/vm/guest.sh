#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest, in the host's filesystem: the job that run.sh
# wrote, its output and status to /run/zwout, then the kernel log, after a
# kmemleak scan where the kernel has kmemleak.
out=/run/zwout
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8

# kmemleak's own scans (every 10 minutes, walking every object and every
# task's stack) cost minutes under emulation and find nothing the scan
# after the run would not: that one is the verdict
[ -w /sys/kernel/debug/kmemleak ] && echo scan=off >/sys/kernel/debug/kmemleak

# from here on a death of the guest is the job's, never a boot flake
: >"$out/started"
sync
bash "$out/job" >"$out/output" 2>&1
status=$?

if [ -w /sys/kernel/debug/kmemleak ]; then
	start=$SECONDS
	echo scan >/sys/kernel/debug/kmemleak
	echo "# kmemleak: scanned in $((SECONDS - start)) s" >>"$out/output"
	# it reports only objects older than 5 s at a scan's start: the last
	# rmmod's too, then
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak"
	[ -s "$out/kmemleak" ] && cat "$out/kmemleak" >>"$out/output"
fi
dmesg >"$out/dmesg"
echo "$status" >"$out/status"
sync
