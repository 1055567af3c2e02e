#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch check, the monitoring plugin: exit statuses 0/1/2/3, the status
# line and its performance data, thresholds (alert above N), per-parent
# thresholds, --age, --comm, --cgroup, and UNKNOWN on every error.  Prints
# TAP.

. "$(dirname "$0")/lib.sh"

# valid.txt: 12 zombies, parents with 5 (3h12m), 3 (3m12s), 2, 1, 1
check() {
	proc_root valid.txt
	run check --proc-root "$root" "$@"
}

test_ok() {
	check -w 12 -c 20
	expect_rc 0
	expect_empty err
	expect_out_is <<'EOF'
ZOMBIES OK: 12 zombies under 5 parents; most: ppid 4242 (my\040daemon) with 5, oldest 2d4h (source module) | zombies=12;12;20;0; parents=5;;;0; parent_max=5;;;0; oldest=187200s;;;0; defunct_leaders=1;;;0;
EOF
}

test_warning() {
	check -w 11 -c 20
	expect_rc 1
	expect_in out "ZOMBIES WARNING: 12 zombies under 5 parents"
	expect_in out "| zombies=12;11;20;0;"
	expect_lines 1
}

test_critical() {
	check -w 5 -c 11
	expect_rc 2
	expect_in out "ZOMBIES CRITICAL: 12 zombies"
	expect_in out "zombies=12;5;11;0;"
}

# no threshold: always OK
test_no_thresholds() {
	check
	expect_rc 0
	expect_in out "ZOMBIES OK: 12 zombies under 5 parents"
	expect_in out "zombies=12;;;0;"
}

test_parent_thresholds() {
	check -w 100 -c 100 --parent-w 4
	expect_rc 1
	expect_in out "parent_max=5;4;;0;"
	check -w 100 --parent-w 3 --parent-c 4
	expect_rc 2
	expect_in out "parent_max=5;3;4;0;"
	check --parent-w 5 --parent-c 5
	expect_rc 0
}

# --comm: a critical application pages at its first zombie
test_comm() {
	check -c 0 --comm ABC
	expect_rc 2
	expect_in out "ZOMBIES CRITICAL: 1 zombies under 1 parents named ABC; most: ppid 31337 (ABC)"
	expect_in out "zombies=1;;0;0;"
	check -c 0 --comm nobody
	expect_rc 0
	expect_in out "ZOMBIES OK: 0 zombies under 0 parents named nobody (source module)"
}

test_cgroup() {
	check -w 2 --cgroup /user.slice
	expect_rc 1
	expect_in out "3 zombies under 1 parents in /user.slice"
	check -w 2 --cgroup /user.slice/user-1000.slice/x
	expect_rc 0
}

# --age: only parents whose oldest zombie waited at least SECS count
test_age() {
	check -c 8 --age 192
	expect_rc 2
	expect_in out "9 zombies under 3 parents with zombies older than 192s"
	check -c 8 --age 193
	expect_rc 0
	expect_in out "6 zombies under 2 parents"
	check -c 0 --age 200000
	expect_rc 0
	expect_in out "0 zombies under 0 parents"
}

# the scan has no ages: --age cannot be judged
test_age_without_module() {
	proc_root
	run check --proc-root "$root" --age 10 -c 0
	expect_rc 3
	expect_out_is <<'EOF'
ZOMBIES UNKNOWN: --age needs zombie ages, which only the zwatch module knows (source is proc)
EOF
}

test_proc_source() {
	proc_root
	fake_task "$root" 10 parent S 1 1 100
	fake_task "$root" 11 kid Z 10 1 200
	fake_task "$root" 12 kid Z 10 1 200
	run check --proc-root "$root" -w 1 -c 5
	expect_rc 1
	expect_empty err
	expect_in out "ZOMBIES WARNING: 2 zombies under 1 parents; most: ppid 10 (parent) with 2 (source proc) | zombies=2;1;5;0;"
	expect_not_in out "oldest"
}

test_unknown_usage() {
	check -w
	expect_rc 3
	expect_in out "ZOMBIES UNKNOWN: option '-w' needs an argument"
	expect_lines 1
	check -c lots
	expect_rc 3
	expect_in out "ZOMBIES UNKNOWN: -c: 'lots' is not a number"
	check --bogus
	expect_rc 3
	expect_lines 1
	check extra
	expect_rc 3
}

test_unknown_malformed() {
	proc_root truncated.txt
	run check --proc-root "$root" -c 1
	expect_rc 3
	expect_out_is <<EOF
ZOMBIES UNKNOWN: $root/zombies: malformed input: line 4: truncated: no newline at end of input (a bug: please report it; --source=proc works meanwhile)
EOF
}

test_unknown_no_module() {
	proc_root
	run check --source=module --proc-root "$root" -c 1
	expect_rc 3
	expect_in out "ZOMBIES UNKNOWN: $root/zombies not found: is the zwatch module loaded?"
}

# a "|" in a name must not start the performance data early
test_pipe_in_name() {
	proc_root
	printf '# zwatch 1 zombies=1 parents=1\nPPID ZOMBIES OLDEST_S START CGROUP COMM\n7 1 0 0 / a|b\n' >"$root/zombies"
	run check --proc-root "$root"
	expect_in out "(a\\174b)"
	[ "$(tr -cd '|' <"$tmp/out")" = "|" ] || fail "more than one | in '$(cat "$tmp/out")'"
}

# rows cut by the module: the header's total is what counts
test_rows_cut() {
	proc_root cut.txt
	run check --proc-root "$root" -c 3
	expect_rc 2
	expect_in out "ZOMBIES CRITICAL: 4 zombies under 3 parents"
	expect_in out "zombies=4;;3;0;"
}

test_help() {
	run check --help
	expect_rc 0
	expect_in out "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"
}

tap_run ok warning critical no_thresholds parent_thresholds comm cgroup age \
	age_without_module proc_source unknown_usage unknown_malformed \
	unknown_no_module pipe_in_name rows_cut help
