#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch get and set against a fake sysfs (--sys-root): the values read,
# the values written, the ranges in the errors, nothing written when any
# value is bad, and a missing module.  Also events' usage.  Prints TAP.

. "$(dirname "$0")/lib.sh"

# a fake sysfs with the module's directory and values
sys_root() {
	sys=$tmp/sys$nr_roots
	nr_roots=$((nr_roots + 1))
	dir=$sys/kernel/zwatch
	mkdir -p "$dir"
	for a in zombies:7 parents:2 defunct_leaders:0 tasks:123 scans:9 \
		 scan_ns:45678 scan_max_section_ns:1234 tracked:7 repairs:0 \
		 lost:0 state:ok events_sent:0 events_suppressed:0 \
		 interval_ms:1000 top_parents:16 threshold:0 \
		 parent_threshold:0 spike_threshold:0 hysteresis:0; do
		echo "${a#*:}" >"$dir/${a%%:*}"
	done
}

test_get_all() {
	sys_root
	run get --sys-root "$sys"
	expect_rc 0
	expect_lines 19
	expect_in out "zombies              7"
	expect_in out "state                ok"
	expect_in out "interval_ms          1000"
	expect_in out "hysteresis           0"
}

test_get_one() {
	sys_root
	run get tasks --sys-root "$sys"
	expect_rc 0
	expect_out_is <<'EOF'
123
EOF
	run get --sys-root "$sys" scan_ns state
	expect_out_is <<'EOF'
scan_ns              45678
state                ok
EOF
}

test_get_unknown() {
	sys_root
	run get bogus --sys-root "$sys"
	expect_rc 1
	expect_in err "zwatch: no attribute 'bogus': zwatch get --help lists them"
}

test_set() {
	sys_root
	run set threshold=100 interval_ms=250 --sys-root "$sys"
	expect_rc 0
	expect_out_is <<'EOF'
threshold: 0 -> 100
interval_ms: 1000 -> 250
EOF
	[ "$(cat "$dir/threshold")" = 100 ] || fail "threshold holds $(cat "$dir/threshold")"
	[ "$(cat "$dir/interval_ms")" = 250 ] || fail "interval_ms holds $(cat "$dir/interval_ms")"
}

# ranges from the uapi header, in the message
test_set_ranges() {
	sys_root
	run set threshold=4194305 --sys-root "$sys"
	expect_rc 1
	expect_in err "zwatch: threshold: '4194305' is out of range: the range is 0..4194304"
	run set interval_ms=3600001 --sys-root "$sys"
	expect_in err "interval_ms: '3600001' is out of range: the range is 0..3600000"
	run set top_parents=257 --sys-root "$sys"
	expect_in err "top_parents: '257' is out of range: the range is 0..256"
	run set hysteresis=-1 --sys-root "$sys"
	expect_rc 1
	expect_in err "hysteresis: '-1' is not a number: the range is 0..4194304"
	run set top_parents=256 spike_threshold=4194304 parent_threshold=0 --sys-root "$sys"
	expect_rc 0
}

# a tunable whose range does not start at 0 (max_tracked, newer modules)
test_set_min() {
	if ! "$zwatch" set --help | grep -q "^  max_tracked "; then
		skip="this uapi header has no max_tracked"
		return
	fi
	sys_root
	echo 65536 >"$dir/max_tracked"
	run set max_tracked=15 --sys-root "$sys"
	expect_rc 1
	expect_in err "max_tracked: '15' is out of range: the range is 16..4194304"
	run set max_tracked=16 --sys-root "$sys"
	expect_rc 0
	[ "$(cat "$dir/max_tracked")" = 16 ] || fail "max_tracked holds $(cat "$dir/max_tracked")"
}

# one bad value: nothing is written
test_set_all_or_nothing() {
	sys_root
	run set threshold=5 top_parents=999 --sys-root "$sys"
	expect_rc 1
	[ "$(cat "$dir/threshold")" = 0 ] || fail "threshold was written"
}

test_set_read_only() {
	sys_root
	run set zombies=0 --sys-root "$sys"
	expect_rc 1
	expect_in err "zombies is read-only"
	run set threshold --sys-root "$sys"
	expect_rc 1
	expect_in err "'threshold' is not KEY=VALUE"
	run set nope=1 --sys-root "$sys"
	expect_rc 1
	expect_in err "no attribute 'nope'"
	run set --sys-root "$sys"
	expect_rc 1
}

test_no_module() {
	run get --sys-root "$tmp/empty"
	expect_rc 2
	expect_err_is "zwatch: $tmp/empty/kernel/zwatch not found: is the zwatch module loaded? (modprobe zwatch)"
	run set threshold=1 --sys-root "$tmp/empty"
	expect_rc 2
}

test_set_permission() {
	sys_root
	chmod 444 "$dir/threshold"
	if [ "$(id -u)" -ne 0 ]; then
		run set threshold=3 --sys-root "$sys"
	elif command -v setpriv >/dev/null &&
	     setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$zwatch" --version >/dev/null 2>&1; then
		chmod -R a+rX "$sys"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$zwatch" set threshold=3 --sys-root "$sys" >"$tmp/out" 2>"$tmp/err"
		rc=$?
	else
		skip="root, and cannot run $zwatch as uid 65534"
		return
	fi
	expect_rc 3
	expect_err_is "zwatch: cannot write $dir/threshold: Permission denied (run as root?)"
}

test_events_usage() {
	run events --count x
	expect_rc 1
	expect_in err "--count: 'x' is not a number"
	run events extra
	expect_rc 1
	run events --help
	expect_rc 0
	expect_in out "Usage: zwatch events [--json]"
}

# nothing happens: the timeout ends it, with nothing printed
test_events_timeout() {
	run events --timeout 1 --sys-root "$tmp/empty"
	expect_rc 0
	expect_empty out
	expect_in err "not found: the zwatch module is not loaded; waiting anyway"
}

tap_run get_all get_one get_unknown set set_ranges set_min set_all_or_nothing \
	set_read_only no_module set_permission events_usage events_timeout
