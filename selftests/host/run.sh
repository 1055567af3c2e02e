#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh TEST...: run each test program in turn, its TAP on stdout, and exit
# non-zero if any of them failed.  A program that fails without printing a
# "not ok" line (it crashed, or bailed out early) gets one here, so that a
# reader counting TAP lines misses no failure.

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

failed=0
for t in "$@"; do
	{ "$t"; echo $? >"$tmp/rc"; } | tee "$tmp/tap"
	rc=$(cat "$tmp/rc")
	[ "$rc" -eq 0 ] && continue
	failed=$((failed + 1))
	grep -q '^not ok ' "$tmp/tap" ||
		echo "not ok - $(basename "$t") exited with status $rc"
done

if [ "$failed" -ne 0 ]; then
	echo "# $failed of $# test programs failed"
	exit 1
fi
