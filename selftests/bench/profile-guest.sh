#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the time goes, for the targets the benchmark misses.  Runs inside
# the QEMU guest, with 10000 tasks (10% zombies under 100 parents):
#
#   selftests/vm/run.sh -k KVER -t 900 -M 2048 -o selftests/out/bench-profile \
#	-- selftests/bench/profile-guest.sh
#
# 1. `cat /proc/zombies` against its parts: the kernel's read alone, the
#    start of a program (dynamic and static), and strace of where cat's
#    system calls wait;
# 2. perf (cpu-clock samples, the guest has no PMU) of the periodic scan
#    and of readers of /proc/zombies;
# 3. the cost of one clock read, which the scan makes every 64 tasks.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bench=$top/selftests/bench
sys=/sys/kernel/zwatch
tmp=$(mktemp -d /tmp/zwprofile.XXXXXX)
n=${1:-10000}

echo 4194304 >/proc/sys/kernel/pid_max
echo 1000000 >/proc/sys/kernel/threads-max
insmod "$top/module/zwatch.ko" interval_ms=0 || exit 1
"$bench/zw_benchtasks" "$n" 100 $((n / 10)) "$tmp/truth" &
set_pid=$!
trap 'kill $set_pid; wait $set_pid; rmmod zwatch; rm -rf "$tmp"' EXIT
while [ ! -e "$tmp/truth" ]; do
	sleep 0.2
done

median() {	# median NAME CMD...: of 7 runs of zw_benchtime CMD
	local name=$1 i
	shift
	for ((i = 0; i < 7; i++)); do
		"$bench/zw_benchtime" -o "$tmp/out" "$@"
	done | sort -n | awk -v name="$name" '{ v[NR] = $1 }
		END { printf "%-44s %8.1f ms (min %.1f, max %.1f)\n", name,
			v[4] / 1e6, v[1] / 1e6, v[NR] / 1e6 }'
}

echo "# $(uname -r), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource), $n tasks"
echo "## 1. cat /proc/zombies, and its parts (median of 7)"
median "read() of /proc/zombies in process" -f /proc/zombies
median "/bin/true" /bin/true
median "cat /dev/null" cat /dev/null
median "cat /proc/zombies" cat /proc/zombies
median "busybox cat /proc/zombies (static)" busybox cat /proc/zombies
echo "## strace -T cat /proc/zombies: the slowest system calls"
strace -T -o "$tmp/strace" cat /proc/zombies >/dev/null
sort -t '<' -k 2 -rn "$tmp/strace" | head -n 8
echo "## strace -c cat /proc/zombies"
strace -c -o "$tmp/strace-c" cat /proc/zombies >/dev/null
head -n 10 "$tmp/strace-c"

echo "## 2. perf: the periodic scan every 100 ms, 4 s, kernel symbols"
echo 100 >"$sys/interval_ms"
perf record -q -e cpu-clock -a -g -o "$tmp/scan.data" -- sleep 4 >/dev/null 2>&1
echo 0 >"$sys/interval_ms"
perf report -i "$tmp/scan.data" --no-children --sort sym --stdio 2>/dev/null |
	grep -v -e '^#' -e '^$' -e native_safe_halt | grep '%' | head -n 24
echo "## perf: 50 reads of /proc/zombies, the reader only"
perf record -q -e cpu-clock -g -o "$tmp/read.data" -- \
	bash -c "for i in \$(seq 50); do exec 3</proc/zombies; cat <&3 >/dev/null; exec 3<&-; done" \
	>/dev/null 2>&1
perf report -i "$tmp/read.data" --no-children --sort sym --stdio 2>/dev/null |
	grep -v -e '^#' -e '^$' | grep '%' | grep -e '\[k\] zw_' -e hpet -e sort -e cgroup -e seq_ | head -n 24
echo "## 3. one clock read"
python3 -c '
import time
n = 20000
t0 = time.perf_counter_ns()
for _ in range(n):
    time.clock_gettime_ns(time.CLOCK_MONOTONIC)
print("clock_gettime(CLOCK_MONOTONIC): %.0f ns" % ((time.perf_counter_ns() - t0) / n))
' 2>/dev/null || echo "(no python3)"
