#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots a kernel N times in a row to its first command (`true`), one boot
# each (no retry), and counts the boots that did not come back clean: a
# panic, a kernel complaint, or no status.  The debug kernel's boot flake
# (issue 14) was found and its fix measured with it.  Prints TAP.
#
#   boots.sh [-k KERNEL] [-n N] [-j JOBS]	KERNEL as for make check (7.2);
#						N boots (30), JOBS at once (2)
# ZWATCH_VM_CPU picks the emulated CPU as for run.sh (default max,la57=off).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kernel=7.2 n=30 jobs=2
while getopts "k:n:j:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	n) n=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) exit 2 ;;
	esac
done
env=$("$top/selftests/kernels.sh" "$kernel") || exit 1
eval "$env"
work=$top/selftests/out/boots-$kernel
rm -rf "$work"
mkdir -p "$work"

boot() {	# boot I
	local started=$SECONDS
	if "$here/run.sh" -1 -k "$KVER" -i "$IMAGE" -m "$MODDIR" -t 600 -o "$work/$1" \
		-- true >"$work/$1.out" 2>"$work/$1.err"; then
		echo "ok $1 boot $1 of $n: clean, $((SECONDS - started)) s"
	else
		echo "not ok $1 boot $1 of $n: $(head -n 2 "$work/$1.err" | tr '\n' ' ')"
		grep -aE 'BUG:|Kernel panic' "$work/$1/console" 2>/dev/null | head -n 2 | sed 's/^/#   /'
	fi >"$work/$1.tap"
}

echo "TAP version 13"
echo "1..$n"
echo "# boots: $KVER, cpu ${ZWATCH_VM_CPU:-max,la57=off}, $n boots, $jobs at a time"
running=0
for i in $(seq 1 "$n"); do
	boot "$i" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
bad=0
for i in $(seq 1 "$n"); do
	cat "$work/$i.tap"
	grep -q '^not ok' "$work/$i.tap" && bad=$((bad + 1))
done
echo "# boots: $((n - bad)) of $n clean"
echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
