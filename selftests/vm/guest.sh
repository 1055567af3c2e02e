#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest, in the host's filesystem: the job that run.sh
# wrote, its output and status to /run/zwout, then the kernel log, after a
# kmemleak scan where the kernel has kmemleak.
out=/run/zwout
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8

bash "$out/job" >"$out/output" 2>&1
status=$?

if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak"
	[ -s "$out/kmemleak" ] && cat "$out/kmemleak" >>"$out/output"
fi
dmesg >"$out/dmesg"
echo "$status" >"$out/status"
sync
