#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: loads the freshly built zwatch.ko, runs each
# kselftest program named on the command line (all of them by default), and
# unloads the module at the end.  Everything printed is TAP.
#
#   tests.sh [-s full|quick|debug] [-m KO] [-d] [TEST...]
#	-s: stress tests at full size, a tenth (default), or a hundredth
#	-m: the module to test (default: module/zwatch.ko)
#	-d: first check the module DKMS built (selftests/install), if it
#	    was built for this kernel
top=$(cd "$(dirname "$0")/../.." && pwd)
export ZWATCH_KO=$top/module/zwatch.ko
dkms=no
while getopts "s:m:d" opt; do
	case $opt in
	s) export ZWATCH_STRESS=$OPTARG ;;
	m) ZWATCH_KO=$OPTARG ;;
	d) dkms=yes ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
cd "$top/selftests" || exit 1

[ $# -gt 0 ] || set -- zwatch_*_test zwatch_*_test.sh
status=0

# the module as DKMS built it (selftests/install), where it fits this kernel
dkms_ko=$top/selftests/out/dkms/zwatch.ko
if [ $dkms = yes ] && [ -e "$dkms_ko" ] &&
   [ "$(modinfo -F vermagic "$dkms_ko" | cut -d' ' -f1)" = "$(uname -r)" ]; then
	echo "TAP version 13"
	echo "1..1"
	if insmod "$dkms_ko" && [ "$(cat /sys/module/zwatch/version)" = "$(cat "$top/VERSION")" ] &&
	   head -n 1 /proc/zombies | grep -q "^# zwatch 1 " && rmmod zwatch; then
		echo "ok 1 the DKMS-built module loads, reports, unloads"
	else
		echo "not ok 1 the DKMS-built module loads, reports, unloads"
		rmmod zwatch 2>/dev/null
		status=1
	fi
fi

# The debug tier is there for its checkers: one that is missing is a
# failure, never a quietly smaller run.
if [ "${ZWATCH_STRESS:-}" = debug ]; then
	echo "TAP version 13"
	echo "1..2"
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo "ok 1 debug tier: kmemleak is on"
	else
		echo "not ok 1 debug tier: kmemleak is on (no writable /sys/kernel/debug/kmemleak)"
		status=1
	fi
	if [ -e /proc/thread-self/fail-nth ]; then
		echo "ok 2 debug tier: fault injection is on (/proc/thread-self/fail-nth)"
	else
		echo "not ok 2 debug tier: fault injection is on (no /proc/thread-self/fail-nth)"
		status=1
	fi
fi

if ! insmod "$ZWATCH_KO"; then
	echo "not ok 1 insmod $ZWATCH_KO"
	exit 1
fi
echo "# zwatch: loaded on $(uname -r) (at ${SECONDS} s)"
# A program that fails without saying "not ok" (it crashed, could not be
# run, or a shell test stopped early) gets a "not ok" here, as
# selftests/host/run.sh does; check.sh counts each program's results
# against its plan.
rcfile=$(mktemp) tapfile=$(mktemp)
for t in "$@"; do
	echo "# running $t (at ${SECONDS} s)"
	{ "./$t"; echo $? >"$rcfile"; } | tee "$tapfile"
	rc=$(cat "$rcfile")
	[ "$rc" = 0 ] && continue
	status=1
	grep -q '^not ok ' "$tapfile" || echo "not ok - $t exited with status $rc"
done
rm -f "$rcfile" "$tapfile"
echo "# tests done (at ${SECONDS} s)"
if [ -d /sys/module/zwatch ] && ! rmmod zwatch; then
	echo "not ok 1 rmmod zwatch at the end"
	status=1
fi
exit $status
