#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The zwatch tool from the outside: exit statuses, messages and the table
# of list, with fixtures/ served as DIR/zombies through --proc-root.
# Prints TAP.  ZWATCH names the binary (default: this tree's).

. "$(dirname "$0")/lib.sh"

test_missing_module() {
	proc_root
	run --source=module --proc-root "$root"
	expect_rc 2
	expect_err_is "zwatch: $root/zombies not found: is the zwatch module loaded? (modprobe zwatch, or --source=proc)"
	expect_empty out
}

# without the module, the default source is a scan of /proc, with a note
test_missing_module_falls_back() {
	proc_root
	run --proc-root "$root"
	expect_rc 0
	expect_err_is "zwatch: note: $root/zombies not found (the zwatch module is not loaded): scanning $root/PID/stat instead; zombie ages are unknown"
	expect_out_is <<'EOF'
0 zombies under 0 parents, 0 defunct leaders (source: proc, ages unknown)
EOF
}

test_missing_proc_root() {
	run --proc-root "$tmp/nonexistent"
	expect_rc 5
	expect_err_is "zwatch: cannot read $tmp/nonexistent: No such file or directory (is it a proc file system?)"
}

test_truncated_file() {
	proc_root truncated.txt
	run --proc-root "$root"
	expect_rc 4
	expect_err_is "zwatch: $root/zombies: malformed input: line 4: truncated: no newline at end of input (a bug: please report it; --source=proc works meanwhile)"
	expect_empty out
}

test_not_a_zwatch_file() {
	proc_root not_zwatch.txt
	run --proc-root "$root"
	expect_rc 4
	expect_in err "malformed input: not a zwatch file: it starts with \"processor?: 0\""
}

test_unsupported_version() {
	proc_root version2.txt
	run --proc-root "$root"
	expect_rc 4
	expect_err_is "zwatch: cannot read $root/zombies: unsupported format version 2 (this zwatch reads version 1): update zwatch, or use --source=proc"
}

test_row_count_mismatch() {
	proc_root mismatch.txt
	run --proc-root "$root"
	expect_rc 4
	expect_in err "header says rows=3 but 2 rows follow"
}

test_valid_list() {
	proc_root valid.txt
	run list --proc-root "$root"
	expect_rc 0
	expect_empty err
	expect_out_is <<'EOF'
12 zombies under 5 parents, 1 defunct leaders (source: module)
 PPID ZOMBIES   AGE  START CGROUP                          COMM
 4242       5 3h12m 123456 /system.slice/my\040app.service my\040daemon
  100       3 3m12s  98765 /user.slice/user-1000.slice     back\134slash
  777       2   45s   5555 -                               tab\011nl\012
    1       1  2d4h      1 /                               caf\303\251
31337       1    0s      0 /a\134b                         ABC
EOF
}

test_list_is_default() {
	proc_root valid.txt
	run list --proc-root "$root"
	mv "$tmp/out" "$tmp/list.out"
	run --proc-root "$root"
	expect_rc 0
	cmp -s "$tmp/list.out" "$tmp/out" ||
		fail "'zwatch' and 'zwatch list' print different things"
}

test_ages() {
	proc_root ages.txt
	run --proc-root "$root"
	expect_rc 0
	ages=$(awk 'NR > 2 { printf "%s ", $3 }' "$tmp/out")
	[ "$ages" = "0s 59s 1m0s 59m59s 1h0m 23h59m 1d0h " ] ||
		fail "ages are '$ages'"
}

test_empty_list() {
	proc_root empty.txt
	run --proc-root "$root"
	expect_rc 0
	expect_out_is <<'EOF'
0 zombies under 0 parents, 0 defunct leaders (source: module)
EOF
}

test_huge_counts() {
	proc_root huge.txt
	run --proc-root "$root"
	expect_rc 0
	expect_in out "4294967295 zombies under 2 parents, 4294967295 defunct leaders"
	expect_in out "2147483647 4294967294 213503982334601d7h 18446744073709551615 /      big"
}

test_rows_cut() {
	proc_root cut.txt
	run --proc-root "$root"
	expect_rc 0
	expect_in out "4 zombies under 3 parents, 0 defunct leaders"
	expect_in out "2 more zombies under parents not listed (the module lists at most 4096 parents)"
}

test_permission_denied() {
	proc_root valid.txt
	chmod 000 "$root/zombies"
	if [ "$(id -u)" -ne 0 ]; then
		run --proc-root "$root"
	elif command -v setpriv >/dev/null &&
	     setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$zwatch" --version >/dev/null 2>&1; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$zwatch" --proc-root "$root" >"$tmp/out" 2>"$tmp/err"
		rc=$?
	else
		skip="root, and cannot run $zwatch as uid 65534"
		return
	fi
	expect_rc 3
	expect_err_is "zwatch: cannot open $root/zombies: Permission denied (run as root?)"
}

test_help() {
	run --help
	expect_rc 0
	expect_empty err
	expect_in out "Usage: zwatch"
	expect_in out "--proc-root DIR"
	expect_in out "Exit status"
	expect_in out "2  /proc/zombies not found"
	expect_in out "4  malformed input"
}

test_version() {
	run --version
	expect_rc 0
	expect_in out "zwatch "
	expect_in out "format version 1"
}

test_unknown_option() {
	run --bogus
	expect_rc 1
	expect_in err "zwatch: unknown option '--bogus'"
	expect_empty out
}

test_unknown_command() {
	run frobnicate
	expect_rc 1
	expect_in err "zwatch: unknown command 'frobnicate'"
}

test_missing_option_argument() {
	run --proc-root
	expect_rc 1
	expect_in err "needs an argument"
}

# the man page formats cleanly and documents every command and exit status
test_man_page() {
	page=$here/../../tools/zwatch/zwatch.8
	if ! command -v man >/dev/null; then
		skip="man not installed"
		return
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect_rc 0
	expect_empty err
	for c in list watch explain kick check events get set; do
		expect_in out "zwatch $c"
		grep -q "^   $c\b\|^   $c,\|^   get, set" "$tmp/out" ||
			fail "no section for $c"
	done
	# every status --help lists, in the EXIT STATUS section
	"$zwatch" --help | sed -n 's/^  \([0-9]\)  .*/\1/p' >"$tmp/codes"
	[ "$(wc -l <"$tmp/codes")" -eq 9 ] || fail "--help lists $(wc -l <"$tmp/codes") statuses"
	sed -n '/^EXIT STATUS/,/^FILES/p' "$tmp/out" >"$tmp/exit"
	while read -r code; do
		grep -q "^       $code  " "$tmp/exit" || fail "status $code not in the man page"
	done <"$tmp/codes"
}

test_install() {
	make -s -C "$here/../../tools/zwatch" install DESTDIR="$tmp/dest" \
		PREFIX=/usr >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect_rc 0
	[ -x "$tmp/dest/usr/sbin/zwatch" ] || fail "no /usr/sbin/zwatch"
	[ -f "$tmp/dest/usr/share/man/man8/zwatch.8" ] || fail "no zwatch.8"
}

tap_run man_page install missing_module missing_module_falls_back missing_proc_root \
	truncated_file not_a_zwatch_file unsupported_version row_count_mismatch \
	valid_list list_is_default ages empty_list huge_counts rows_cut \
	permission_denied help version unknown_option unknown_command \
	missing_option_argument
