#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the QEMU guest (bench.sh boots it): loads zwatch.ko, makes
# each task set, times every way of finding its zombies, checks that they
# all agree with the set, and measures the scan, the exit hooks and the
# periodic scan's CPU.  Prints TAP for the checks, "# " lines for people,
# and "raw<TAB>N<TAB>METHOD<TAB>REP<TAB>VALUE<TAB>EXTRA" lines for bench.sh.
#
#   bench-guest.sh [-H] [-s "SIZES"] [-r REPS] [-R REPS_AT_LARGEST]
#                  [-f FORK_ROUNDS] [-p FORK_PAIRS] [-c CPU_SECS]
#                  [-i SCAN_INTERVAL_MS]
#
# -H: on the host instead, for reference (no module, no emulation): only the
# methods that need no module, and the floor walk, named host_METHOD; no
# system setting is changed, so sizes must fit the host's pid_max.
#
# Methods (each run once per repetition, in turn, so that drift hits all):
#   read        open+read+close of /proc/zombies inside the stopwatch: the
#               kernel's cost without starting a program
#   cat         cat /proc/zombies
#   zwatch      zwatch list (reads /proc/zombies)
#   zwatch_proc zwatch list --source=proc (reads /proc/PID/stat itself)
#   ps          ps -eo stat=,ppid= | awk (count per parent)
#   top         top -bn1 | grep zombie (the total only)
#   true        /bin/true: what starting any program costs here
# Then: scan (scan_ns of the periodic scan, EXTRA = tasks it walked),
# floor (getpriority(PRIO_USER) walking every task, EXTRA = nr_threads),
# cpu_on/cpu_off (busy % of one CPU with interval_ms=1000 or 0, at the
# largest size), fork_on/fork_off (zw_forkbench ns per fork+exit+wait
# with the module loaded or not).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bench=$top/selftests/bench
sys=/sys/kernel/zwatch
tool=$top/tools/zwatch/zwatch
sizes="1000 10000" reps=1 reps_largest='' fork_rounds=2000 fork_pairs=1 cpu_secs=3
scan_ms=100 parents=100 host=no
while getopts "Hs:r:R:f:p:c:i:" opt; do
	case $opt in
	H) host=yes ;;
	s) sizes=$OPTARG ;;
	r) reps=$OPTARG ;;
	R) reps_largest=$OPTARG ;;
	f) fork_rounds=$OPTARG ;;
	p) fork_pairs=$OPTARG ;;
	c) cpu_secs=$OPTARG ;;
	i) scan_ms=$OPTARG ;;
	*) exit 2 ;;
	esac
done
largest=${sizes##* }
tmp=$(mktemp -d /tmp/zwbench.XXXXXX)
mkfifo "$tmp/fifo"
tapn=0 failures=0
taskset_pid=

tap() {		# tap ok|fail NAME [DETAIL]
	tapn=$((tapn + 1))
	if [ "$1" = ok ]; then
		echo "ok $tapn $2"
	else
		failures=$((failures + 1))
		echo "not ok $tapn $2"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/#   /'
	fi
}

raw() {		# raw N METHOD REP VALUE [EXTRA]
	printf 'raw\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:--}"
}

get() {		# get ATTR: one sysfs value
	local v
	read -r v <"$sys/$1"
	echo "$v"
}

# Sets interval_ms and returns once the scan that a change starts is over
# (and, for 0, once scans have stopped), so that no scan runs under what
# is measured next.
set_interval() {	# set_interval MS
	local s0 a b
	[ "$(get interval_ms)" = "$1" ] && return 0
	s0=$(get scans)
	echo "$1" >"$sys/interval_ms"
	while [ "$(get scans)" -le "$s0" ]; do
		sleep 0.05
	done
	[ "$1" = 0 ] || return 0
	b=$(get scans)
	while :; do
		a=$b
		sleep 1
		b=$(get scans)
		[ "$a" = "$b" ] && return 0
	done
}

# sleep without starting a program (that would be CPU time in the window)
pause_secs() {
	read -r -t "$1" <>"$tmp/fifo"
}

stop_taskset() {
	[ -n "$taskset_pid" ] || return 0
	kill -TERM "$taskset_pid" 2>/dev/null
	wait "$taskset_pid" 2>/dev/null
	taskset_pid=
}
trap 'stop_taskset; rm -rf "$tmp"' EXIT

# Room for 50000 processes and more: pids, threads, and root's limits.
ulimit -u unlimited 2>/dev/null
if [ $host = no ]; then
	echo 4194304 >/proc/sys/kernel/pid_max
	echo 1000000 >/proc/sys/kernel/threads-max
	if ! insmod "$top/module/zwatch.ko" interval_ms=0; then
		tap fail "insmod zwatch.ko"
		exit 1
	fi
	echo "# zwatch loaded on $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"
	raw 0 meta_kernel 0 "$(uname -r)"
	raw 0 meta_cpus 0 "$(nproc)"
	methods=(read cat zwatch zwatch_proc ps top true)
	prefix=
else
	echo "# host reference on $(uname -r), $(nproc) CPUs, no module"
	methods=(zwatch_proc ps top true)
	prefix=host_
fi
# what an SRE types: count the Z lines of ps per parent
ps_awk='$1 ~ /^Z/ { n[$2]++ } END { for (p in n) print p, n[p] }'

run_method() {	# run_method METHOD OUT: prints ns, or fails
	local t=$bench/zw_benchtime
	case $1 in
	read) "$t" -o "$2" -f /proc/zombies ;;
	cat) "$t" -o "$2" cat /proc/zombies ;;
	zwatch) "$t" -o "$2" "$tool" list ;;
	zwatch_proc) "$t" -o "$2" "$tool" list --source=proc ;;
	ps) "$t" -o "$2" ps -eo stat=,ppid= '|' awk "$ps_awk" ;;
	top) "$t" -o "$2" top -bn1 '|' grep zombie ;;
	true) "$t" -o "$2" /bin/true ;;
	esac
}

# Per-parent counts that METHOD's output gives, as "PPID COUNT" lines.
counts_of() {	# counts_of METHOD OUT
	case $1 in
	read | cat) awk 'NR > 2 { print $1, $2 }' "$2" ;;
	zwatch | zwatch_proc) awk 'f { print $1, $2 } $1 == "PPID" { f = 1 }' "$2" ;;
	ps) cat "$2" ;;
	esac
}

# Checks one output against the truth; prints what differs, fails if any.
check_output() {	# check_output METHOD OUT TRUTH
	local total got
	case $1 in
	true) return 0 ;;
	top)
		total=$(awk '{ s += $2 } END { print s + 0 }' "$3")
		got=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^zombie/) print $(i - 1) }' "$2")
		[ "$got" = "$total" ] && return 0
		# a shared host has zombies of its own: top sees them too
		[ $host = yes ] && [ "${got:-0}" -ge "$total" ] && return 0
		echo "top says '$got' zombies, the set has $total: $(cat "$2")"
		return 1
		;;
	esac
	# only the task set's parents: anything else in the guest is not ours
	counts_of "$1" "$2" | awk 'NR == FNR { want[$1]; next } $1 in want' "$3" - |
		sort -n >"$tmp/got"
	diff "$3" "$tmp/got" >"$tmp/diff" && return 0
	echo "per-parent counts differ from the set (< set, > $1):"
	head -n 10 "$tmp/diff"
	return 1
}

warm_up() {	# every program once, so that 9p and the page cache are warm
	local m
	for m in "${methods[@]}"; do
		run_method "$m" "$tmp/warm" >/dev/null
	done
}

start_taskset() {	# start_taskset N: returns when every task exists
	local n=$1 i
	rm -f "$tmp/truth"
	"$bench/zw_benchtasks" "$n" "$parents" $((n / 10)) "$tmp/truth" &
	taskset_pid=$!
	for ((i = 0; i < 6000; i++)); do
		[ -e "$tmp/truth" ] && return 0
		kill -0 "$taskset_pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$taskset_pid"
	taskset_pid=
	return 1
}

# scan_ns of REPS periodic scans, each read between two equal "scans";
# the tasks the last one walked go to $tmp/tasks.
measure_scan() {	# measure_scan N REPS
	local n=$1 i=0 last s1 s2 ns tasks
	set_interval "$scan_ms"
	last=$(get scans)
	while [ $i -lt "$2" ]; do
		sleep 0.05
		read -r s1 <"$sys/scans"
		read -r ns <"$sys/scan_ns"
		read -r tasks <"$sys/tasks"
		read -r s2 <"$sys/scans"
		[ "$s1" = "$s2" ] && [ "$s1" -gt "$last" ] || continue
		last=$s1
		i=$((i + 1))
		raw "$n" scan "$i" "$ns" "$tasks"
	done
	set_interval 0
	echo "$tasks" >"$tmp/tasks"
}

measure_floor() {	# measure_floor N REPS
	local n=$1 i=0 ns threads
	threads=$(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg)
	"$bench/zw_walkfloor" "$2" | while read -r ns; do
		i=$((i + 1))
		raw "$n" "${prefix}floor" "$i" "$ns" "$threads"
	done
}

busy_ticks() {	# $busy: all but idle and iowait, USER_HZ ticks, all CPUs
	local user nice system irq softirq steal
	read -r _ user nice system _ _ irq softirq steal _ </proc/stat
	busy=$((user + nice + system + irq + softirq + steal))
}

# Busy % of one CPU with the periodic scan on (1 s) and off, in turn.
measure_cpu() {		# measure_cpu N
	local n=$1 i mode b0 b1 s0 s1 hz pct
	hz=$(getconf CLK_TCK)
	for ((i = 1; i <= 2; i++)); do
		for mode in off on; do
			set_interval "$([ $mode = on ] && echo 1000 || echo 0)"
			pause_secs 1
			read -r s0 <"$sys/scans"
			busy_ticks
			b0=$busy
			pause_secs "$cpu_secs"
			busy_ticks
			b1=$busy
			read -r s1 <"$sys/scans"
			pct=$(awk -v d=$((b1 - b0)) -v hz="$hz" -v s="$cpu_secs" \
				'BEGIN { printf "%.3f", d / hz / s * 100 }')
			raw "$n" "cpu_$mode" "$i" "$pct" $((s1 - s0))
		done
	done
	set_interval 0
}

bench_size() {	# bench_size N
	local n=$1 m rep ns avail0 avail1 tasks detail ok r=$reps
	declare -A bad=()
	[ "$n" = "$largest" ] && [ -n "$reps_largest" ] && r=$reps_largest
	avail0=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
	if ! start_taskset "$n"; then
		tap fail "N=$n: the task set was made"
		return
	fi
	avail1=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
	raw "$n" "${prefix}meta_kib_per_task" 0 $(((avail0 - avail1) / n))
	echo "# N=$n: $n tasks, $((n / 10)) zombies under $parents parents, $(((avail0 - avail1) / 1024)) MiB"

	for ((rep = 1; rep <= r; rep++)); do
		for m in "${methods[@]}"; do
			if ! ns=$(run_method "$m" "$tmp/out.$m"); then
				bad[$m]="$m failed to run"
				continue
			fi
			raw "$n" "$prefix$m" "$rep" "$ns"
			if ! detail=$(check_output "$m" "$tmp/out.$m" "$tmp/truth"); then
				bad[$m]=$detail
			fi
		done
	done
	for m in "${methods[@]}"; do
		[ "$m" = true ] && continue
		if [ -n "${bad[$m]:-}" ]; then
			tap fail "N=$n: $prefix$m reports the task set's zombies per parent" "${bad[$m]}"
		else
			tap ok "N=$n: $prefix$m reports the task set's zombies per parent"
		fi
	done
	if [ $host = yes ]; then
		measure_floor "$n" "$r"
		stop_taskset
		return
	fi

	measure_scan "$n" "$r"
	read -r tasks <"$tmp/tasks"
	ok=ok
	detail="sysfs: zombies=$(get zombies) tasks=$tasks repairs=$(get repairs), set: $((n / 10)) zombies, $n tasks"
	[ "$(get zombies)" = $((n / 10)) ] && [ "$tasks" -ge "$n" ] &&
		[ "$(get repairs)" = 0 ] || ok=fail
	tap $ok "N=$n: the periodic scan walks every task and agrees with the set" "$detail"
	measure_floor "$n" "$r"
	[ "$n" = "$largest" ] && measure_cpu "$n"
	stop_taskset
}

# fork+exit+wait with the module loaded and not, in ABBA order.
bench_fork() {
	local i mode ns ok=ok
	for ((i = 1; i <= fork_pairs; i++)); do
		for mode in $( ((i % 2)) && echo "on off" || echo "off on"); do
			if [ $mode = on ] && [ ! -d /sys/module/zwatch ]; then
				insmod "$top/module/zwatch.ko" interval_ms=0 || ok=fail
			elif [ $mode = off ] && [ -d /sys/module/zwatch ]; then
				rmmod zwatch || ok=fail
			fi
			ns=$("$top/selftests/zw_forkbench" "$fork_rounds") || ok=fail
			raw 0 "fork_$mode" "$i" "$ns" "$fork_rounds"
		done
	done
	tap $ok "fork+exit+wait: $fork_pairs x $fork_rounds rounds with and without the module"
	[ -d /sys/module/zwatch ] || insmod "$top/module/zwatch.ko" interval_ms=0
}

warm_up
for n in $sizes; do
	bench_size "$n"
done
if [ $host = yes ]; then
	echo "1..$tapn"
	[ "$failures" -eq 0 ]
	exit
fi
bench_fork
detail="repairs=$(get repairs) lost=$(get lost)"
[ "$(get repairs)" = 0 ] && [ "$(get lost)" = 0 ] && ok=ok || ok=fail
tap $ok "module: no repairs and nothing lost over the run" "$detail"
if rmmod zwatch; then
	tap ok "rmmod zwatch"
else
	tap fail "rmmod zwatch"
fi
echo "1..$tapn"
[ "$failures" -eq 0 ]
