#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: loads the freshly built zwatch.ko, runs each
# kselftest program named on the command line (all of them by default), and
# unloads the module at the end.  Everything printed is TAP.
#
#   tests.sh [-s full|quick|debug] [TEST...]
#	stress tests at full size, a tenth (default), or a fiftieth
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = -s ]; then
	export ZWATCH_STRESS=$2
	shift 2
fi
export ZWATCH_KO=$top/module/zwatch.ko
cd "$top/selftests" || exit 1

[ $# -gt 0 ] || set -- zwatch_*_test zwatch_*_test.sh
status=0

# the module as DKMS built it (selftests/install), where it fits this kernel
dkms_ko=$top/selftests/out/dkms/zwatch.ko
if [ -e "$dkms_ko" ] &&
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
