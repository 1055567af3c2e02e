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

if ! insmod "$ZWATCH_KO"; then
	echo "not ok 1 insmod $ZWATCH_KO"
	exit 1
fi
echo "# zwatch: loaded on $(uname -r) (at ${SECONDS} s)"
for t in "$@"; do
	echo "# running $t (at ${SECONDS} s)"
	"./$t" || status=1
done
echo "# tests done (at ${SECONDS} s)"
if [ -d /sys/module/zwatch ] && ! rmmod zwatch; then
	echo "not ok 1 rmmod zwatch at the end"
	status=1
fi
exit $status
