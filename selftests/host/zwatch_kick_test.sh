#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch kick: its refusals (PID 1 of the initial pid namespace, a START
# that changed, from --start or from the module's row), --dry-run, and on
# this host's own /proc, a parent that reaps on SIGCHLD and one that does
# not.  Prints TAP.

. "$(dirname "$0")/lib.sh"

# the pid namespace link of the first process, as the kernel names it
INIT_PIDNS="pid:[4026531836]"

kick_tree() {
	proc_root
	fake_task "$root" 1 systemd S 0 1 5 /init.scope
	fake_task "$root" 100 leaky S 1 1 4000
	fake_task "$root" 101 kid Z 100 1 4100
	fake_task "$root" 102 kid Z 100 1 4100
	fake_task "$root" 2 kid Z 1 1 4100
	mkdir "$root/1/ns"
	ln -s "$INIT_PIDNS" "$root/1/ns/pid"
}

test_refuse_pid1() {
	kick_tree
	run kick 1 --proc-root "$root" --source=proc
	expect_rc 7
	expect_err_is "zwatch: refusing to kick PID 1 of the initial pid namespace (the system's init) without --force"
	expect_empty out
	# --force lifts the refusal: what it would do
	run kick 1 --force --dry-run --proc-root "$root" --source=proc
	expect_rc 0
	expect_in out "would send SIGCHLD to 1 (systemd, start 5)"
}

# PID 1 of a container's namespace is fair game
test_container_pid1() {
	kick_tree
	ln -sf "pid:[4026532999]" "$root/1/ns/pid"
	run kick 1 --dry-run --proc-root "$root" --source=proc
	expect_rc 0
	expect_in out "would send SIGCHLD to 1 (systemd, start 5) and wait up to 2000 ms for its 1 zombies"
}

# when the namespace cannot be told, PID 1 is taken as the system's init
test_refuse_pid1_unknown_ns() {
	kick_tree
	rm -r "$root/1/ns"
	run kick 1 --dry-run --proc-root "$root" --source=proc
	expect_rc 7
	expect_in err "refusing to kick PID 1"
}

test_refuse_changed_start() {
	kick_tree
	run kick 100 --start 3999 --proc-root "$root"
	expect_rc 7
	expect_err_is "zwatch: refusing to kick 100: its start time is 4000, not 3999 (from --start): it is another process now, or the listing is stale"
	run kick 100 --start 4000 --dry-run --proc-root "$root"
	expect_rc 0
	expect_in out "would send SIGCHLD to 100 (leaky, start 4000) and wait up to 2000 ms for its 2 zombies to be reaped"
}

# without --start, the START of the module's row is the reference
test_refuse_module_start() {
	kick_tree
	cat >"$root/zombies" <<'EOF'
# zwatch 1 zombies=2 parents=1 defunct_leaders=0 rows=1 cut=0
PPID ZOMBIES OLDEST_S START CGROUP COMM
100 2 60 1234 / leaky
EOF
	run kick 100 --dry-run --proc-root "$root"
	expect_rc 7
	expect_in err "its start time is 4000, not 1234 (from /proc/zombies)"
	sed -i 's/ 1234 / 4000 /' "$root/zombies"
	run kick 100 --dry-run --proc-root "$root"
	expect_rc 0
	# --source=proc does not consult the module
	sed -i 's/ 4000 / 1234 /' "$root/zombies"
	run kick 100 --dry-run --proc-root "$root" --source=proc
	expect_rc 0
}

test_no_process() {
	kick_tree
	run kick 4242 --proc-root "$root"
	expect_rc 8
	expect_err_is "zwatch: no process 4242 in $root"
}

test_no_zombies() {
	kick_tree
	fake_task "$root" 300 calm S 1 1 100
	run kick 300 --proc-root "$root" --source=proc
	expect_rc 0
	expect_out_is <<'EOF'
300 (calm) has no zombies: nothing to do
EOF
}

test_usage() {
	run kick
	expect_rc 1
	expect_in err "kick: which PPID?"
	run kick abc
	expect_rc 1
	expect_in err "'abc' is not a process id"
	run kick 1 2
	expect_rc 1
	run kick 5 --start x
	expect_rc 1
}

# wait for a zw_parent.py to be ready; its pid in $parent, children in $kids
start_parent() {
	"$here/zw_parent.py" "$1" "$2" "$3" >"$tmp/parent" &
	parent=$!
	for _ in $(seq 200); do
		grep -q ready "$tmp/parent" && break
		sleep 0.05
	done
	kids=$(sed -n 's/^ready //p' "$tmp/parent")
	[ -n "$kids" ] || fail "zw_parent.py $1 did not get ready"
}

stop_parent() {
	kill "$parent" 2>/dev/null
	wait "$parent" 2>/dev/null
}

# is_zombie PID: /proc says state Z
is_zombie() {
	[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

test_kick_reaps() {
	start_parent reap 3 zwkickreap
	for k in $kids; do
		is_zombie "$k" || fail "$k is not a zombie before the kick"
	done
	run kick "$parent" --source=proc
	expect_rc 0
	expect_in out "sent SIGCHLD to $parent (zwkickreap): all 3 zombies reaped within"
	for k in $kids; do
		! is_zombie "$k" || fail "$k is still a zombie after the kick"
	done
	stop_parent
}

test_kick_not_reaped() {
	start_parent never 2 zwkicknever
	run kick "$parent" --source=proc --wait 300
	expect_rc 6
	expect_in out "sent SIGCHLD to $parent (zwkicknever): 2 of 2 zombies still there after 0.3"
	expect_in out "it does not reap on SIGCHLD; see: zwatch explain $parent"
	for k in $kids; do
		is_zombie "$k" || fail "$k is gone, yet nothing reaped it"
	done
	stop_parent
}

# the real process's start time guards it too
test_kick_real_start() {
	start_parent never 1 zwkickstart
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$parent/stat")
	run kick "$parent" --source=proc --start $((start + 1)) --wait 100
	expect_rc 7
	run kick "$parent" --source=proc --start "$start" --wait 100
	expect_rc 6
	stop_parent
}

tap_run refuse_pid1 container_pid1 refuse_pid1_unknown_ns \
	refuse_changed_start refuse_module_start no_process no_zombies usage \
	kick_reaps kick_not_reaped kick_real_start
