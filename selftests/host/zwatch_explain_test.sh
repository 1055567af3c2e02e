#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch explain PPID on fake proc trees: each cause it tells apart
# (SIGCHLD ignored, blocked, caught or default; stopped, traced, in D;
# PID 1 of a namespace), the zombie pids, the cgroup's pids.current and
# pids.max under --sys-root, and the verdict.  Prints TAP.

. "$(dirname "$0")/lib.sh"

# SIGCHLD is signal 17: bit 16 of the Sig* masks
SIGCHLD_MASK=10000

# explain_tree SIG...: parent 100 with zombies 101-103 and a defunct leader
explain_tree() {
	proc_root
	fake_task "$root" 1 systemd S 0 1 5 /init.scope
	fake_task "$root" 100 leaky S 1 1 4000 /app.slice/leaky.service "$@"
	for z in 103 101 102; do
		fake_task "$root" $z kid Z 100 1 4100
	done
	fake_task "$root" 104 threads Z 100 2 4100
	fake_task "$root" 105 live S 100 1 4100
}

explain() {
	run explain 100 --proc-root "$root" --sys-root "$tmp/nosys"
}

test_default_disposition() {
	explain_tree
	explain
	expect_rc 0
	expect_empty err
	expect_out_is <<'EOF'
100 (leaky), start 4000, parent 1
  state:    S (sleeping), wchan -
  traced:   no
  SIGCHLD:  default: not caught, not ignored (the signal does nothing); not blocked
  role:     an ordinary process (not PID 1 of any pid namespace)
  subreaper: unknown (/proc does not show PR_SET_CHILD_SUBREAPER)
  cgroup:   /app.slice/leaky.service, no pids controller there
  zombies:  3 (and 1 defunct leaders: exited, threads still running)
  pids:     101 102 103
why:  100 does not handle SIGCHLD and does not wait() for these children: an application bug (it forks and forgets).
next: fix it to wait() for its children; for now restart it: its zombies then go to init, which reaps them (a kick does not help: SIGCHLD does nothing to it).
EOF
}

test_ignored() {
	explain_tree Ign=$SIGCHLD_MASK
	explain
	expect_in out "SIGCHLD:  ignored (SIG_IGN)"
	expect_in out "why:  100 ignores SIGCHLD"
	expect_in out "a kick cannot help"
}

# another signal ignored is not SIGCHLD ignored
test_other_signal_ignored() {
	explain_tree Ign=8000 Cgt=20000
	explain
	expect_in out "SIGCHLD:  default"
}

test_caught() {
	explain_tree Cgt=$SIGCHLD_MASK
	explain
	expect_in out "SIGCHLD:  caught: it has a handler; not blocked"
	expect_in out "why:  100 catches SIGCHLD but leaves zombies"
	expect_in out "next: zwatch kick 100;"
}

test_blocked() {
	explain_tree Cgt=$SIGCHLD_MASK Blk=$SIGCHLD_MASK
	explain
	expect_in out "SIGCHLD:  caught: it has a handler; blocked"
	expect_in out "why:  100 blocks SIGCHLD"
}

test_stopped() {
	explain_tree
	fake_task "$root" 100 leaky T 1 1 4000 /app.slice/leaky.service
	explain
	expect_in out "state:    T (stopped)"
	expect_in out "why:  100 is stopped"
	expect_in out "next: kill -CONT 100"
}

test_traced() {
	explain_tree Tracer=77
	fake_task "$root" 77 gdb S 1 1 3000
	fake_task "$root" 100 leaky t 1 1 4000 /app.slice/leaky.service Tracer=77
	explain
	expect_in out "traced:   by 77 (gdb)"
	expect_in out "why:  100 is traced by 77 (gdb)"
}

test_disk_sleep() {
	explain_tree
	fake_task "$root" 100 leaky D 1 1 4000 /app.slice/leaky.service
	echo nfs_wait_bit_killable >"$root/100/wchan"
	explain
	expect_in out "state:    D (disk sleep), wchan nfs_wait_bit_killable"
	expect_in out "why:  100 is in uninterruptible sleep (in nfs_wait_bit_killable)"
}

# NSpid "100 1": PID 1 of a container, seen from outside
test_container_init() {
	explain_tree "NSpid=100 1"
	mkdir "$root/100/ns"
	ln -s "pid:[4026532999]" "$root/100/ns/pid"
	explain
	expect_in out "role:     PID 1 of its pid namespace (a container's init)"
	expect_in out "why:  100 is PID 1 of its pid namespace"
	expect_in out "docker run --init"
	expect_in out "for now: zwatch kick 100"
	expect_not_in out "--force"
}

# the system's init, which should reap orphans
test_system_init() {
	explain_tree
	fake_task "$root" 1 systemd S 0 1 5 /init.scope Cgt=$SIGCHLD_MASK
	fake_task "$root" 106 orphan Z 1 1 4200
	mkdir "$root/1/ns"
	ln -s "pid:[4026531836]" "$root/1/ns/pid"
	run explain 1 --proc-root "$root"
	expect_rc 0
	expect_in out "role:     PID 1 of the initial pid namespace: the system's init"
	expect_in out "why:  1 is the system's init"
	expect_in out "zwatch kick 1 --force"
	expect_in out "pids:     106"
}

test_pids_controller() {
	explain_tree
	cg=$tmp/sys/fs/cgroup/app.slice/leaky.service
	mkdir -p "$cg"
	echo 12 >"$cg/pids.current"
	echo 30 >"$cg/pids.max"
	run explain 100 --proc-root "$root" --sys-root "$tmp/sys"
	expect_in out "cgroup:   /app.slice/leaky.service, pids.current 12, pids.max 30: its zombies take 10% of pids.max (25% of pids.current)"
	echo max >"$cg/pids.max"
	run explain 100 --proc-root "$root" --sys-root "$tmp/sys"
	expect_in out "pids.current 12, pids.max max (25% of pids.current)"
}

test_no_zombies() {
	explain_tree
	fake_task "$root" 300 calm S 1 1 5
	run explain 300 --proc-root "$root"
	expect_rc 0
	expect_in out "zombies:  0"
	expect_in out "why:  300 has no zombie children now."
	expect_not_in out "pids: "
}

# the module's row adds the age of the oldest zombie
test_module_age() {
	explain_tree
	cat >"$root/zombies" <<'EOF'
# zwatch 1 zombies=3 parents=1 defunct_leaders=1 rows=1 cut=0
PPID ZOMBIES OLDEST_S START CGROUP COMM
100 3 7300 4000 /app.slice/leaky.service leaky
EOF
	explain
	expect_in out "zombies:  3 (and 1 defunct leaders: exited, threads still running), oldest exited 2h1m ago (module)"
}

test_many_pids() {
	proc_root
	fake_task "$root" 100 leaky S 1 1 4000
	for z in $(seq 201 225); do
		fake_task "$root" "$z" kid Z 100 1 4100
	done
	run explain 100 --proc-root "$root"
	expect_in out "pids:     201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 219 220 ... and 5 more"
}

test_no_process() {
	explain_tree
	run explain 4242 --proc-root "$root"
	expect_rc 8
	expect_err_is "zwatch: no process 4242 in $root"
}

test_usage() {
	run explain
	expect_rc 1
	expect_in err "explain: which PPID?"
	run explain 0
	expect_rc 1
}

tap_run default_disposition ignored other_signal_ignored caught blocked \
	stopped traced disk_sleep container_init system_init pids_controller no_zombies \
	module_age many_pids no_process usage
