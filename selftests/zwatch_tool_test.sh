#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The zwatch tool against the real module, in the guest, as root, with
# zombies this test makes and checks in /proc: list (table, JSON,
# Prometheus), --source=proc against the module, filters, check, explain,
# kick (a parent that reaps on SIGCHLD, one that never does), watch on a
# tmux pseudo-terminal, events, get and set.  Prints TAP.
#
# Needs on the host: make -C tools/zwatch; make -C selftests zw_leaker.
top=$(cd "$(dirname "$0")/.." && pwd)
zwatch=$top/tools/zwatch/zwatch
leaker=$top/selftests/zw_leaker
parent_py=$top/selftests/host/zw_parent.py
sysfs=/sys/kernel/zwatch
cgdir=/sys/fs/cgroup/zwtool.test
work=$(mktemp -d /tmp/zw-tool.XXXXXX)
n=0 failed=0
pids=()

ok() { n=$((n + 1)); echo "ok $n $1${skip:+ # SKIP $skip}"; }
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
	[ -s "$work/why" ] && sed 's/^/# /' "$work/why"
}
# check NAME CMD...: one TAP line; CMD writes its reasons to $work/why, or
# sets $skip to why it could not check anything
check() {
	local name=$1
	shift
	: >"$work/why"
	skip=
	if "$@"; then ok "$name"; else not_ok "$name"; fi
	skip=
}
why() { echo "$*" >>"$work/why"; }
# milliseconds on the wall clock, which the module's ages follow
now_ms() { date +%s%3N; }

cleanup() {
	local p

	echo 0 >$sysfs/threshold 2>/dev/null
	echo 1000 >$sysfs/interval_ms 2>/dev/null
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	tmux -S "$work/tmux" kill-server 2>/dev/null
	rmdir "$cgdir" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# zombie_pids PPID: the reapable zombies of PPID, from /proc, sorted
zombie_pids() {
	local f s
	local -a fields

	for f in /proc/[0-9]*/stat; do
		read -r s <"$f" 2>/dev/null || continue
		read -ra fields <<<"${s##*) }"
		# state, ppid, ..., num_threads (field 20)
		[ "${fields[0]}" = Z ] && [ "${fields[1]}" = "$1" ] && [ "${fields[17]}" = 1 ] &&
			echo "${f//[^0-9]/}"
	done | sort -n
}

zombies_of() { zombie_pids "$1" | wc -l; }

# all_zombies: every reapable zombie whose parent is visible
all_zombies() {
	local f s n=0
	local -a fields

	for f in /proc/[0-9]*/stat; do
		read -r s <"$f" 2>/dev/null || continue
		read -ra fields <<<"${s##*) }"
		[ "${fields[0]}" = Z ] && [ "${fields[1]}" != 0 ] && [ "${fields[17]}" = 1 ] &&
			n=$((n + 1))
	done
	echo $n
}

# start_of PID: field 22 of /proc/PID/stat
start_of() {
	local s
	local -a fields

	read -r s <"/proc/$1/stat" || return 1
	read -ra fields <<<"${s##*) }"
	echo "${fields[19]}"
}

# wait_zombies PID COUNT: until PID has COUNT zombies (5 s at most)
wait_zombies() {
	for _ in $(seq 100); do
		[ "$(zombies_of "$1")" -eq "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# py EXPR FILE: evaluate EXPR on the JSON document in FILE, bound to d
py() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[2]))
print(eval(sys.argv[1]))' "$@"
}

# the row of PPID in a --json document: "zombies start cgroup comm"
json_row() {
	py '" ".join(str(x) for r in d["rows"] if r["ppid"] == '"$2"' for x in (r["zombies"], r["start"], r["cgroup"], r["comm"]))' "$1"
}

echo "TAP version 13"
echo "1..22"
[ -d $sysfs ] || insmod "$ZWATCH_KO"

# Leaker A, and leaker B in a cgroup of its own with a pids limit
echo +pids >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mkdir -p "$cgdir"
echo 50 >"$cgdir/pids.max" 2>/dev/null
t0=$(now_ms)
"$leaker" "zw tool A" 5 1 &
a=$!
pids+=("$a")
bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" zwtoolB 3 1' - "$cgdir" "$leaker" &
b=$!
pids+=("$b")
wait_zombies "$a" 5 && wait_zombies "$b" 3
# A's zombies all exited between t0 and now
t_made=$(now_ms)
check "leakers made 5 and 3 zombies" test "$(zombies_of "$a")" -eq 5 -a "$(zombies_of "$b")" -eq 3
sleep 2

# age_ok AGE FROM_MS TO_MS: whole seconds AGE of A's oldest zombie, read
# between FROM_MS and TO_MS, fits the test's own clock: at least the time
# since t_made, at most the time since t0 (each a millisecond's rounding)
age_ok() {
	[ "$1" -ge $((($2 - t_made - 1) / 1000)) ] && [ "$1" -le $((($3 - t0 + 1) / 1000)) ]
}

# the tool's AGE ("49s", "1m0s", "2h5m", "3d1h") in seconds
age_secs() {
	[[ $1 =~ ^(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?$ ]] && [ -n "$1" ] ||
		return 1
	echo $((${BASH_REMATCH[2]:-0} * 86400 + ${BASH_REMATCH[4]:-0} * 3600 +
		${BASH_REMATCH[6]:-0} * 60 + ${BASH_REMATCH[8]:-0}))
}

t_list() {
	local total pid_max line age from to
	from=$(now_ms)
	"$zwatch" list >"$work/list" 2>"$work/list.err" || { why "exit $?"; return 1; }
	to=$(now_ms)
	total=$(all_zombies)
	pid_max=$(cat /proc/sys/kernel/pid_max)
	[ -s "$work/list.err" ] && { why "stderr: $(cat "$work/list.err")"; return 1; }
	head -1 "$work/list" | grep -q "^$total zombies under .* (source: module)$" ||
		{ why "totals: $(head -1 "$work/list"), /proc has $total"; return 1; }
	grep -q "of kernel.pid_max ($pid_max) and .* of kernel.threads-max ($(cat /proc/sys/kernel/threads-max))" "$work/list" ||
		{ why "no shares: $(sed -n 2p "$work/list")"; return 1; }
	line=$(grep "zw\\\\040tool\\\\040A$" "$work/list")
	set -- $line
	# on the debug kernel the zombies may be a minute old by now
	age=$(age_secs "$3") || age=-1
	[ "$1" = "$a" ] && [ "$2" = 5 ] && [ "$4" = "$(start_of "$a")" ] &&
		age_ok "$age" "$from" "$to" ||
		{ why "row of A: '$line': made $(((from - t_made) / 1000))..$(((to - t0) / 1000)) s ago"
		  cat "$work/list" >>"$work/why"; return 1; }
}
check "list: totals as /proc, shares of pid_max and threads-max, leaker A's row" t_list

t_json() {
	local from to rowa rowb oldest
	from=$(now_ms)
	"$zwatch" list --json >"$work/json" || { why "exit $?"; return 1; }
	to=$(now_ms)
	/usr/bin/python3 -m json.tool "$work/json" >/dev/null || return 1
	rowa=$(json_row "$work/json" "$a")
	rowb=$(json_row "$work/json" "$b")
	[ "$rowa" = "5 $(start_of "$a") / zw tool A" ] || { why "A: '$rowa'"; return 1; }
	[ "$rowb" = "3 $(start_of "$b") /zwtool.test zwtoolB" ] || { why "B: '$rowb'"; return 1; }
	oldest=$(py '[r["oldest_s"] for r in d["rows"] if r["ppid"] == '"$a"'][0]' "$work/json")
	age_ok "$oldest" "$from" "$to" ||
		{ why "oldest_s $oldest, made $(((from - t_made) / 1000))..$(((to - t0) / 1000)) s ago"; return 1; }
	[ "$(py 'd["source"], d["zombies"], d["scan_ns"] is not None' "$work/json")" = "('module', $(all_zombies), True)" ] ||
		{ why "$(head -c 400 "$work/json")"; return 1; }
}
check "list --json: rows, START, cgroup, age as /proc and the clock say" t_json

t_prom() {
	"$zwatch" list --prometheus >"$work/prom" || return 1
	grep -qx "zwatch_parent_zombies{ppid=\"$a\",comm=\"zw tool A\",cgroup=\"/\"} 5" "$work/prom" &&
		grep -qx "zwatch_parent_zombies{ppid=\"$b\",comm=\"zwtoolB\",cgroup=\"/zwtool.test\"} 3" "$work/prom" &&
		grep -q '^zwatch_scan_duration_seconds [0-9.]*$' "$work/prom" &&
		grep -qx "zwatch_zombies $(all_zombies)" "$work/prom" ||
		{ grep -v '^#' "$work/prom" >>"$work/why"; return 1; }
}
check "list --prometheus: per-parent series and scan duration" t_prom

t_promtool() {
	if ! command -v promtool >/dev/null; then
		skip="promtool not installed (Debian package prometheus)"
		return 0
	fi
	promtool check metrics <"$work/prom" >>"$work/why" 2>&1
}
check "list --prometheus: promtool accepts it" t_promtool

# the same task set from both sources (a passing zombie of someone else
# may come between the two reads: three tries)
t_agree() {
	local key='sorted((r["ppid"], r["zombies"], r["start"], r["cgroup"], r["comm"]) for r in d["rows"])'
	for _ in 1 2 3; do
		"$zwatch" --json >"$work/m.json" || return 1
		"$zwatch" --source=proc --json >"$work/p.json" || return 1
		[ "$(py "$key" "$work/m.json")" = "$(py "$key" "$work/p.json")" ] &&
			[ "$(py 'd["zombies"], d["parents"], d["defunct_leaders"]' "$work/m.json")" = \
			  "$(py 'd["zombies"], d["parents"], d["defunct_leaders"]' "$work/p.json")" ] &&
			[ "$(py 'd["source"]' "$work/p.json")" = proc ] && return 0
		sleep 0.2
	done
	why "module: $(py "$key" "$work/m.json")"
	why "proc:   $(py "$key" "$work/p.json")"
	return 1
}
check "--source=proc and the module list the same parents and counts" t_agree

t_filters() {
	"$zwatch" list --json --comm zwtoolB >"$work/f1" &&
		"$zwatch" list --json --cgroup /zwtool.test >"$work/f2" || return 1
	[ "$(py '[r["ppid"] for r in d["rows"]]' "$work/f1")" = "[$b]" ] &&
		[ "$(py '[r["ppid"] for r in d["rows"]]' "$work/f2")" = "[$b]" ] &&
		[ "$(py 'd["matched"]["zombies"]' "$work/f2")" = 3 ] ||
		{ cat "$work/f1" "$work/f2" >>"$work/why"; return 1; }
}
check "list --comm and --cgroup keep leaker B only" t_filters

t_check() {
	local total out rc
	total=$(all_zombies)
	out=$("$zwatch" check -w $((total - 1)) -c $((total + 10)))
	rc=$?
	[ $rc -eq 1 ] && [[ $out == "ZOMBIES WARNING: $total zombies under "*"| zombies=$total;$((total - 1));$((total + 10));0;"* ]] ||
		{ why "rc $rc: $out"; return 1; }
	out=$("$zwatch" check -c 2 --comm zwtoolB)
	rc=$?
	[ $rc -eq 2 ] && [[ $out == "ZOMBIES CRITICAL: 3 zombies under 1 parents named zwtoolB; most: ppid $b (zwtoolB) with 3"* ]] ||
		{ why "rc $rc: $out"; return 1; }
	out=$("$zwatch" check --parent-c 4 --cgroup /zwtool.test)
	[ $? -eq 0 ] || { why "parent-c 4: $out"; return 1; }
	out=$("$zwatch" check -c 0 --age 86400)
	rc=$?
	[ $rc -eq 0 ] && [[ $out == "ZOMBIES OK: 0 zombies under 0 parents with zombies older than 86400s"* ]] ||
		{ why "rc $rc: $out"; return 1; }
}
check "check: WARNING, CRITICAL, OK by total, --comm, --parent-c, --age" t_check

t_explain() {
	"$zwatch" explain "$b" >"$work/explain" || { why "exit $?"; return 1; }
	grep -qF "SIGCHLD:  default: not caught, not ignored" "$work/explain" &&
		grep -qF "zombies:  3, oldest exited" "$work/explain" &&
		grep -qF "pids:     $(zombie_pids "$b" | tr '\n' ' ' | sed 's/ $//')" "$work/explain" &&
		grep -qF "why:  $b does not handle SIGCHLD" "$work/explain" ||
		{ cat "$work/explain" >>"$work/why"; return 1; }
	if [ -e "$cgdir/pids.current" ]; then
		grep -qF "cgroup:   /zwtool.test, pids.current $(cat "$cgdir/pids.current"), pids.max 50: its zombies take 6.0% of pids.max" "$work/explain" ||
			{ cat "$work/explain" >>"$work/why"; return 1; }
	fi
}
check "explain: disposition, zombie pids as in /proc, pids controller, verdict" t_explain

# a python3 parent whose SIGCHLD handler reaps, after its zombies exist
"$parent_py" reap 4 zwreaper >"$work/reaper" &
r=$!
pids+=("$r")
for _ in $(seq 100); do grep -q ready "$work/reaper" && break; sleep 0.05; done
t_kick_reaps() {
	[ "$(zombies_of "$r")" -eq 4 ] || { why "reaper has $(zombies_of "$r") zombies"; return 1; }
	"$zwatch" list --json >"$work/k.json"
	[ "$(json_row "$work/k.json" "$r")" = "4 $(start_of "$r") / zwreaper" ] ||
		{ why "module row: $(json_row "$work/k.json" "$r")"; return 1; }
	# a dry run sends nothing: this parent would reap at once if it did
	"$zwatch" kick "$r" --dry-run >"$work/kick" 2>&1 ||
		{ why "dry run: exit $?: $(cat "$work/kick")"; return 1; }
	grep -qxF "would send SIGCHLD to $r (zwreaper, start $(start_of "$r")) and wait up to 2000 ms for its 4 zombies to be reaped" "$work/kick" ||
		{ why "dry run: $(cat "$work/kick")"; return 1; }
	for _ in $(seq 10); do
		[ "$(zombies_of "$r")" -eq 4 ] ||
			{ why "dry run: $(zombies_of "$r") zombies left of 4"; return 1; }
		sleep 0.05
	done
	"$zwatch" kick "$r" >"$work/kick" 2>&1 || { why "exit $?: $(cat "$work/kick")"; return 1; }
	grep -qF "sent SIGCHLD to $r (zwreaper): all 4 zombies reaped" "$work/kick" ||
		{ cat "$work/kick" >>"$work/why"; return 1; }
	[ "$(zombies_of "$r")" -eq 0 ] || { why "still $(zombies_of "$r") zombies"; return 1; }
	"$zwatch" list --json >"$work/k.json"
	[ -z "$(json_row "$work/k.json" "$r")" ] || { why "the module still lists $r"; return 1; }
}
check "kick: --dry-run leaves a parent that reaps on SIGCHLD alone; kick takes its 4 zombies (module agrees)" t_kick_reaps

# ms_of CMD...: how long CMD took, in ms (its output is dropped)
ms_of() {
	local t
	t=$(now_ms)
	"$@" >/dev/null 2>&1
	echo $(($(now_ms) - t))
}

t_kick_fails() {
	local rc dry=999999 took ms

	# what the tool costs without the wait, at best, on this kernel
	for _ in 1 2 3; do
		ms=$(ms_of "$zwatch" kick "$a" --dry-run)
		[ "$ms" -lt "$dry" ] && dry=$ms
	done
	# kick does all a dry run does, then waits: ignoring --wait 500 would
	# wait the 2 s default.  Three tries, for a busy host.
	for _ in 1 2 3; do
		took=$(now_ms)
		"$zwatch" kick "$a" --wait 500 >"$work/kick" 2>&1
		rc=$?
		took=$(($(now_ms) - took))
		# waited at least the 0.5 s asked for (more on a slow kernel)
		[ $rc -eq 6 ] && grep -qE "5 of 5 zombies still there after (0\.[5-9]|[1-9])" "$work/kick" &&
			[ "$(zombies_of "$a")" -eq 5 ] ||
			{ why "rc $rc: $(cat "$work/kick")"; return 1; }
		[ "$took" -lt $((dry + 1500)) ] && return 0
		why "took $took ms, a dry run $dry ms: $(cat "$work/kick")"
	done
	return 1
}
check "kick --wait 500: zw_leaker does not reap: exit 6 within the wait, its 5 zombies stay" t_kick_fails

t_kick_refuses() {
	local rc
	"$zwatch" kick "$a" --start $(($(start_of "$a") + 1)) >"$work/kick" 2>&1
	rc=$?
	[ $rc -eq 7 ] || { why "wrong START: rc $rc: $(cat "$work/kick")"; return 1; }
	"$zwatch" kick 1 --dry-run >"$work/kick" 2>&1
	rc=$?
	[ $rc -eq 7 ] && grep -qF "refusing to kick PID 1 of the initial pid namespace" "$work/kick" ||
		{ why "PID 1: rc $rc: $(cat "$work/kick")"; return 1; }
	"$zwatch" kick "$a" --dry-run --start "$(start_of "$a")" >"$work/kick" 2>&1 ||
		{ why "dry run: $(cat "$work/kick")"; return 1; }
}
check "kick: refuses a changed START and PID 1; --dry-run" t_kick_refuses

# watch on a tmux pseudo-terminal: the rows show, q quits
t_watch() {
	export TMUX_TMPDIR=$work
	tmux -S "$work/tmux" new-session -d -x 200 -y 50 \
		"'$zwatch' watch -n 0.3; echo \$? >'$work/watch.rc'" || return 1
	for _ in $(seq 50); do
		tmux -S "$work/tmux" capture-pane -p >"$work/pane" 2>/dev/null
		grep -q "^ *$a  *5 .*zw\\\\040tool\\\\040A" "$work/pane" && break
		sleep 0.1
	done
	grep -q "(q quits)" "$work/pane" && grep -q "^ *$b  *3 .*zwtoolB" "$work/pane" ||
		{ cat "$work/pane" >>"$work/why"; return 1; }
	tmux -S "$work/tmux" send-keys q
	for _ in $(seq 50); do
		[ -s "$work/watch.rc" ] && break
		sleep 0.1
	done
	[ "$(cat "$work/watch.rc" 2>/dev/null)" = 0 ] || { why "q did not quit"; return 1; }
}
check "watch on a tmux terminal: leakers' rows, q quits with 0" t_watch

t_watch_pipe() {
	"$zwatch" watch -n 0.2 --count 2 --comm zwtoolB >"$work/frames" || return 1
	[ "$(grep -c '^zwatch watch: every 0.2s' "$work/frames")" -eq 2 ] &&
		grep -q "^ *$b  *3  *0 " "$work/frames" ||
		{ cat "$work/frames" >>"$work/why"; return 1; }
}
check "watch through a pipe: two frames, change 0 on the second" t_watch_pipe

# get: every file of the sysfs directory, no more (by_parent/ and events/
# are directories, not values); the tunables, which hold still, by value
t_get() {
	local k
	"$zwatch" get >"$work/get" || { why "exit $?"; return 1; }
	[ "$(cut -d' ' -f1 "$work/get" | sort)" = "$(find $sysfs/ -maxdepth 1 -type f -printf '%f\n' | sort)" ] ||
		{ why "keys: $(cut -d' ' -f1 "$work/get" | tr '\n' ' ')"
		  why "sysfs: $(find $sysfs/ -maxdepth 1 -type f -printf '%f ')"; return 1; }
	for k in interval_ms top_parents threshold parent_threshold spike_threshold hysteresis max_tracked; do
		grep -qx "$k  *$(cat $sysfs/$k)" "$work/get" || { why "$k: $(grep "^$k " "$work/get")"; return 1; }
	done
	[ "$("$zwatch" get zombies)" = "$(cat $sysfs/zombies)" ] &&
		[ "$("$zwatch" get interval_ms)" = "$(cat $sysfs/interval_ms)" ] || return 1
}
check "get: every sysfs value, and only those; values as in sysfs" t_get

t_set_range() {
	local rc out
	out=$("$zwatch" set threshold=4194305 2>&1)
	rc=$?
	[ $rc -eq 1 ] && [[ $out == *"the range is 0..4194304"* ]] &&
		[ "$(cat $sysfs/threshold)" = 0 ] || { why "rc $rc: $out"; return 1; }
}
check "set: out of range refused with the range, nothing written" t_set_range

# events: total_high when the threshold is reached, total_ok when unset
# The scan that judges must not run while a process of ours is a zombie
# (zwatch set itself, exiting, on the slow debug kernel, made it 9 of 8):
# scans stop first, the threshold is set, and the shell's own echo, which
# forks nothing, starts them again.
scans_stop() {
	local seen
	echo 0 >"$sysfs/interval_ms"
	for _ in $(seq 100); do
		seen=$(cat "$sysfs/scans")
		sleep 0.3
		[ "$(cat "$sysfs/scans")" = "$seen" ] && return 0
	done
	return 1
}
t_events_high() {
	local total
	"$zwatch" events --json --count 1 --timeout 20 >"$work/ev1" &
	local ev=$!
	sleep 0.5
	scans_stop || { why "scans did not stop"; return 1; }
	total=$(cat $sysfs/zombies)
	"$zwatch" set threshold="$total" >"$work/set" ||
		{ why "set: $(cat "$work/set")"; return 1; }
	grep -qx "threshold: 0 -> $total" "$work/set" || { cat "$work/set" >>"$work/why"; return 1; }
	echo 100 >"$sysfs/interval_ms"
	wait $ev
	/usr/bin/python3 -m json.tool "$work/ev1" >/dev/null 2>&1 ||
		{ why "not JSON: $(cat "$work/ev1")"; return 1; }
	[ "$(py 'd["event"], d["zombies"], d["threshold"]' "$work/ev1")" = "('total_high', $total, $total)" ] ||
		{ cat "$work/ev1" >>"$work/why"; return 1; }
	[ "$(cat $sysfs/state)" = high ] || { why "state $(cat $sysfs/state)"; return 1; }
}
check "events --json: total_high with the zombies and threshold set" t_events_high

t_events_ok() {
	"$zwatch" events --count 1 --timeout 20 >"$work/ev2" &
	local ev=$!
	sleep 0.5
	scans_stop || { why "scans did not stop"; return 1; }
	"$zwatch" set threshold=0 >/dev/null || return 1
	echo 100 >"$sysfs/interval_ms"
	wait $ev
	grep -q "^[0-9T:.-]*Z total_ok zombies=$(cat $sysfs/zombies) threshold=0$" "$work/ev2" ||
		{ cat "$work/ev2" >>"$work/why"; return 1; }
}
check "events: total_ok, one line, when the threshold is set to 0" t_events_ok

t_default_source() {
	"$zwatch" >"$work/d" 2>"$work/d.err" || return 1
	[ ! -s "$work/d.err" ] && grep -q "(source: module)" "$work/d" ||
		{ cat "$work/d" "$work/d.err" >>"$work/why"; return 1; }
}
check "zwatch alone: the module, no note" t_default_source

t_parent_gone() {
	kill "$a"
	wait "$a" 2>/dev/null
	for _ in $(seq 50); do
		"$zwatch" --json >"$work/g.json"
		[ -z "$(json_row "$work/g.json" "$a")" ] && return 0
		sleep 0.1
	done
	why "leaker A still listed after it was killed"
	return 1
}
check "a killed leaker leaves the list (init reaps its zombies)" t_parent_gone

t_restore() {
	"$zwatch" set threshold=0 interval_ms=1000 >/dev/null &&
		[ "$("$zwatch" get threshold)" = 0 ] &&
		[ "$("$zwatch" get interval_ms)" = 1000 ]
}
check "set: tunables restored (threshold 0, interval_ms 1000)" t_restore

t_help() {
	local c
	for c in list watch explain kick check events get set; do
		"$zwatch" "$c" --help | grep -q "^Usage: zwatch $c" || { why "$c --help"; return 1; }
	done
	man -l "$top/tools/zwatch/zwatch.8" >/dev/null 2>&1 || [ ! -e "$top/tools/zwatch/zwatch.8" ] ||
		{ why "man page does not format"; return 1; }
}
check "--help for every command" t_help

exit $failed
