#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch list: the totals (share of kernel.pid_max and threads-max), the
# --comm and --cgroup filters, --json read back by python3's json module and
# --prometheus checked by promtool (skipped when promtool is missing: it is
# in Debian's prometheus package).  Prints TAP.

. "$(dirname "$0")/lib.sh"

# valid.txt with sysctls: 12 zombies of 4194304 PIDs and 63245 threads
test_shares() {
	proc_root valid.txt
	sysctls "$root" 4194304 63245
	run --proc-root "$root"
	expect_rc 0
	expect_in out "zombies hold 0.00029% of kernel.pid_max (4194304) and 0.019% of kernel.threads-max (63245)"
	sysctls "$root" 100 24
	run --proc-root "$root"
	expect_in out "zombies hold 12% of kernel.pid_max (100) and 50% of kernel.threads-max (24)"
}

test_filter_comm() {
	proc_root valid.txt
	run list --proc-root "$root" --comm "my daemon"
	expect_rc 0
	expect_out_is <<'EOF'
12 zombies under 5 parents, 1 defunct leaders (source: module)
showing 5 zombies under 1 parents: --comm my\040daemon
PPID ZOMBIES   AGE  START CGROUP                          COMM
4242       5 3h12m 123456 /system.slice/my\040app.service my\040daemon
EOF
}

# a prefix matches whole path components: /user.slice, not /user.sl
test_filter_cgroup() {
	proc_root valid.txt
	run --proc-root "$root" list --cgroup /user.slice
	expect_rc 0
	expect_in out "showing 3 zombies under 1 parents: --cgroup /user.slice"
	expect_in out "back\\134slash"
	expect_not_in out "my\\040daemon"
	run --proc-root "$root" list --cgroup /user.sl
	expect_in out "showing 0 zombies under 0 parents"
	expect_lines 2
	run --proc-root "$root" list --cgroup /
	expect_in out "showing 10 zombies under 4 parents"
	run --proc-root "$root" list --cgroup user.slice
	expect_rc 1
	expect_in err "--cgroup wants a path from the cgroup root"
}

test_filter_age() {
	proc_root valid.txt
	run --proc-root "$root" list --age 192
	expect_rc 0
	expect_in out "showing 9 zombies under 3 parents: --age 192"
}

test_json_valid() {
	proc_root valid.txt
	sysctls "$root" 4194304 63245
	run --proc-root "$root" list --json
	expect_rc 0
	/usr/bin/python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/pyerr" ||
		fail "python3 -m json.tool: $(cat "$tmp/pyerr")"
	expect_json 'd["zwatch_json"]' 1
	expect_json 'd["source"]' module
	expect_json 'd["ages_known"]' True
	expect_json 'd["zombies"], d["parents"], d["defunct_leaders"], d["cut"]' "(12, 5, 1, 0)"
	expect_json 'd["pid_max"], d["threads_max"]' "(4194304, 63245)"
	expect_json 'round(d["pid_max_ratio"] * 4194304)' 12
	expect_json 'round(d["threads_max_ratio"] * 63245)' 12
	expect_json '[r["ppid"] for r in d["rows"]]' "[4242, 100, 777, 1, 31337]"
	expect_json '[r["zombies"] for r in d["rows"]]' "[5, 3, 2, 1, 1]"
	expect_json '[r["oldest_s"] for r in d["rows"]]' "[11520, 192, 45, 187200, 0]"
	expect_json '[r["start"] for r in d["rows"]]' "[123456, 98765, 5555, 1, 0]"
	expect_json 'd["matched"]' "{'zombies': 12, 'parents': 5}"
	expect_json 'd["filter"]' "{'comm': None, 'cgroup': None}"
}

# names come back byte for byte: blanks, backslash, tab, newline, UTF-8
test_json_strings() {
	proc_root valid.txt
	run --proc-root "$root" --json
	expect_json '[r["comm"] for r in d["rows"]]' "['my daemon', 'back\\\\slash', 'tab\\tnl\\n', 'café', 'ABC']"
	expect_json '[r["cgroup"] for r in d["rows"]]' "['/system.slice/my app.service', '/user.slice/user-1000.slice', None, '/', '/a\\\\b']"
}

# a byte that is not UTF-8 is still valid JSON: U+00XX
test_json_not_utf8() {
	proc_root
	printf '# zwatch 1 zombies=1 parents=1\nPPID ZOMBIES OLDEST_S START CGROUP COMM\n7 1 0 0 / \\377"q\n' >"$root/zombies"
	run --proc-root "$root" --json
	expect_rc 0
	expect_json 'd["rows"][0]["comm"]' 'ÿ"q'
}

test_json_filtered() {
	proc_root valid.txt
	run --proc-root "$root" list --json --cgroup /user.slice --comm 'back\slash'
	expect_json 'd["zombies"], d["matched"]["zombies"]' "(12, 3)"
	expect_json '[r["ppid"] for r in d["rows"]]' "[100]"
	expect_json 'd["filter"]["cgroup"]' /user.slice
	run --proc-root "$root" list --json --comm nobody
	expect_json 'd["rows"]' "[]"
}

test_json_empty() {
	proc_root empty.txt
	run --proc-root "$root" --json
	expect_rc 0
	expect_json 'd["zombies"], d["rows"], d["pid_max"]' "(0, [], None)"
}

promtool_check() {
	promtool check metrics <"$tmp/out" >"$tmp/prom" 2>&1 ||
		fail "promtool check metrics: $(cat "$tmp/prom")"
}

test_prometheus_valid() {
	if ! command -v promtool >/dev/null; then
		skip="promtool not installed (Debian package prometheus)"
		return
	fi
	proc_root valid.txt
	sysctls "$root" 4194304 63245
	run --proc-root "$root" --prometheus
	expect_rc 0
	promtool_check
	proc_root empty.txt
	run --proc-root "$root" --prometheus
	promtool_check
}

test_prometheus_values() {
	proc_root valid.txt
	sysctls "$root" 4194304 63245
	run --proc-root "$root" list --prometheus
	expect_in out '# TYPE zwatch_zombies gauge'
	expect_in out '# HELP zwatch_zombies '
	expect_in out 'zwatch_zombies 12'
	expect_in out 'zwatch_zombie_parents 5'
	expect_in out 'zwatch_defunct_leaders 1'
	expect_in out 'zwatch_info{source="module"} 1'
	expect_in out 'zwatch_parent_zombies{ppid="4242",comm="my daemon",cgroup="/system.slice/my app.service"} 5'
	expect_in out 'zwatch_parent_oldest_zombie_age_seconds{ppid="1",comm="café",cgroup="/"} 187200'
	expect_in out 'zwatch_oldest_zombie_age_seconds 187200'
	expect_in out 'zwatch_pid_max 4194304'
	expect_in out 'zwatch_threads_max 63245'
	expect_in out 'zwatch_collect_duration_seconds '
	[ "$(grep -c '^zwatch_parent_zombies{' "$tmp/out")" -eq 5 ] ||
		fail "not 5 zwatch_parent_zombies series"
}

# label values: backslash, double quote and newline escaped
test_prometheus_escaping() {
	proc_root valid.txt
	run --proc-root "$root" --prometheus
	expect_in out 'zwatch_parent_zombies{ppid="100",comm="back\\slash",cgroup="/user.slice/user-1000.slice"} 3'
	expect_in out "zwatch_parent_zombies{ppid=\"777\",comm=\"tab	nl\\n\",cgroup=\"\"} 2"
	expect_in out 'cgroup="/a\\b"} 1'
	proc_root
	printf '# zwatch 1 zombies=1 parents=1\nPPID ZOMBIES OLDEST_S START CGROUP COMM\n7 1 0 0 /q"\\012 a"b\\134\\377\n' >"$root/zombies"
	run --proc-root "$root" --prometheus
	expect_in out 'zwatch_parent_zombies{ppid="7",comm="a\"b\\�",cgroup="/q\"\n"} 1'
	if command -v promtool >/dev/null; then
		promtool_check
	fi
}

test_prometheus_filtered() {
	proc_root valid.txt
	run --proc-root "$root" --prometheus --comm ABC
	expect_in out 'zwatch_zombies 12'
	[ "$(grep -c '^zwatch_parent_zombies{' "$tmp/out")" -eq 1 ] ||
		fail "--comm ABC keeps not 1 series"
	expect_in out 'zwatch_parent_zombies{ppid="31337",comm="ABC",cgroup="/a\\b"} 1'
}

tap_run shares filter_comm filter_cgroup filter_age json_valid json_strings \
	json_not_utf8 json_filtered json_empty prometheus_valid \
	prometheus_values prometheus_escaping prometheus_filtered
