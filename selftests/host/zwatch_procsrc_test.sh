#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# --source=proc: the table computed from fake proc trees (DIR/PID/stat,
# status, cgroup as the kernel writes them), and, on this host's own /proc,
# zombies this test makes.  Prints TAP.

. "$(dirname "$0")/lib.sh"

# A tree with two leaking parents, a defunct leader, a zombie whose parent
# is outside the namespace (ppid 0) and live processes.
leaky_tree() {
	proc_root
	sysctls "$root" 32768 1000
	fake_task "$root" 1 systemd S 0 1 5 /init.scope
	fake_task "$root" 100 "leaky daemon" S 1 1 4000 /system.slice/leaky.service
	fake_task "$root" 200 "a) (b" S 1 3 5000 /user.slice
	fake_task "$root" 300 worker S 1 1 6000 -
	for z in 101 102 103; do
		fake_task "$root" $z child Z 100 1 4100
	done
	fake_task "$root" 201 child Z 200 1 5100
	fake_task "$root" 202 child Z 200 1 5100
	fake_task "$root" 301 child Z 300 1 6100
	# exited leader, two threads still running: not reapable
	fake_task "$root" 302 threaded Z 300 3 6100
	# parent not visible from this namespace
	fake_task "$root" 400 orphan Z 0 1 7000
	fake_task "$root" 500 live R 100 1 8000
}

test_proc_table() {
	leaky_tree
	run --source=proc --proc-root "$root"
	expect_rc 0
	expect_empty err
	expect_out_is <<'EOF'
6 zombies under 3 parents, 1 defunct leaders (source: proc, ages unknown)
zombies hold 0.018% of kernel.pid_max (32768) and 0.60% of kernel.threads-max (1000)
PPID ZOMBIES AGE START CGROUP                      COMM
 100       3   -  4000 /system.slice/leaky.service leaky\040daemon
 200       2   -  5000 /user.slice                 a)\040(b
 300       1   -  6000 -                           worker
EOF
}

# the default source without the module file is proc, and says so
test_proc_default() {
	leaky_tree
	run --proc-root "$root" --json
	expect_rc 0
	expect_in err "note: $root/zombies not found"
	expect_json 'd["source"], d["ages_known"]' "('proc', False)"
	expect_json '[(r["ppid"], r["zombies"], r["start"], r["comm"]) for r in d["rows"]]' \
		"[(100, 3, 4000, 'leaky daemon'), (200, 2, 5000, 'a) (b'), (300, 1, 6000, 'worker')]"
	expect_json '[r["oldest_s"] for r in d["rows"]]' "[None, None, None]"
	expect_json 'd["defunct_leaders"], d["zombies"], d["parents"]' "(1, 6, 3)"
}

# --source=module insists on the module even when a scan would work
test_proc_module_forced() {
	leaky_tree
	run --source=module --proc-root "$root"
	expect_rc 2
	expect_in err "zombies not found: is the zwatch module loaded?"
}

# given the module's file, the default is the module; proc still scans
test_proc_vs_module_file() {
	leaky_tree
	cat >"$root/zombies" <<'EOF'
# zwatch 1 zombies=6 parents=3 defunct_leaders=1 rows=3 cut=0
   PPID ZOMBIES OLDEST_S      START CGROUP COMM
    100       3       10       4000 /system.slice/leaky.service leaky\040daemon
    200       2        5       5000 /user.slice a)\040(b
    300       1        1       6000 - worker
EOF
	run --proc-root "$root" --json
	expect_empty err
	expect_json 'd["source"]' module
	mv "$tmp/out" "$tmp/module.json"
	run --proc-root "$root" --source=proc --json
	expect_json 'd["source"]' proc
	/usr/bin/python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
key = lambda d: [(r["ppid"], r["zombies"], r["start"], r["cgroup"], r["comm"]) for r in d["rows"]]
sys.exit(key(a) != key(b) or a["zombies"] != b["zombies"])' \
		"$tmp/module.json" "$tmp/out" ||
		fail "module file and proc scan disagree"
}

test_proc_malformed_stat() {
	leaky_tree
	echo "garbage" >"$root/103/stat"
	run --source=proc --proc-root "$root"
	expect_rc 4
	expect_err_is "zwatch: $root/103/stat: malformed input: not a /proc/PID/stat line"
}

# a task that vanished between readdir and open is skipped
test_proc_vanished() {
	leaky_tree
	mkdir "$root/999"
	run --source=proc --proc-root "$root"
	expect_rc 0
	expect_in out "6 zombies under 3 parents"
}

# a parent that vanished takes its zombies with it
test_proc_parent_gone() {
	leaky_tree
	rm -r "$root/200"
	run --source=proc --proc-root "$root"
	expect_rc 0
	expect_in out "4 zombies under 2 parents"
	expect_not_in out "a)"
}

# this host's /proc: the zombies of a python3 parent, found by pid
test_proc_real_zombies() {
	"$here/zw_parent.py" never 4 zwhosttest >"$tmp/parent" &
	parent=$!
	for _ in $(seq 100); do
		grep -q ready "$tmp/parent" && break
		sleep 0.05
	done
	run --source=proc --json --comm zwhosttest
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$parent/stat")
	kill "$parent"
	wait "$parent" 2>/dev/null
	expect_rc 0
	expect_json '[(r["ppid"], r["zombies"], r["start"]) for r in d["rows"]]' \
		"[($parent, 4, $start)]"
}

tap_run proc_table proc_default proc_module_forced proc_vs_module_file \
	proc_malformed_stat proc_vanished proc_parent_gone proc_real_zombies
