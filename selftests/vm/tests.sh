#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: loads the freshly built zwatch.ko, runs each
# kselftest program named on the command line (all of them by default), and
# unloads the module at the end.  Everything printed is TAP.
#
#   tests.sh [-s full] [TEST...]    -s full: stress tests at full size
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = -s ]; then
	export ZWATCH_STRESS=$2
	shift 2
fi
export ZWATCH_KO=$top/module/zwatch.ko
cd "$top/selftests" || exit 1

[ $# -gt 0 ] || set -- zwatch_*_test zwatch_*_test.sh
status=0
if ! insmod "$ZWATCH_KO"; then
	echo "not ok 1 insmod $ZWATCH_KO"
	exit 1
fi
echo "# zwatch: loaded on $(uname -r)"
for t in "$@"; do
	echo "# running $t"
	"./$t" || status=1
done
if [ -d /sys/module/zwatch ] && ! rmmod zwatch; then
	echo "not ok 1 rmmod zwatch at the end"
	status=1
fi
exit $status
