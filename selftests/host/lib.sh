# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the shell tests of the zwatch tool: running it, expectations,
# fake proc trees, and the TAP loop.  A test is a function test_NAME that
# calls fail (a failure, the test goes on) or sets $skip (with the reason).
#
# ZWATCH names the binary (default: tools/zwatch/zwatch of this tree).

set -u

here=$(cd "$(dirname "$0")" && pwd)
zwatch=${ZWATCH:-$here/../../tools/zwatch/zwatch}
fixtures=$here/fixtures

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

rc=0		# exit status of the last run
why=		# what a test found wrong
skip=		# why a test was skipped
nr_roots=0

# run ARGS...: run zwatch; $rc is its status, $tmp/out and $tmp/err its output
run() {
	"$zwatch" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# proc_root [FIXTURE]: $root is a new directory holding FIXTURE as "zombies"
proc_root() {
	nr_roots=$((nr_roots + 1))
	root=$tmp/proc$nr_roots
	mkdir "$root"
	if [ $# -gt 0 ]; then
		cp "$fixtures/$1" "$root/zombies"
	fi
}

# sysctls ROOT PID_MAX THREADS_MAX: the sysctls zwatch reads under ROOT
sysctls() {
	mkdir -p "$1/sys/kernel"
	echo "$2" >"$1/sys/kernel/pid_max"
	echo "$3" >"$1/sys/kernel/threads-max"
}

# fake_task ROOT PID COMM STATE PPID THREADS START [CGROUP [SIG...]]
#	a ROOT/PID with stat, status and cgroup as the kernel writes them;
#	SIG is "Ign=HEX", "Blk=HEX", "Cgt=HEX", "Tracer=PID" or "NSpid=A B"
fake_task() {
	local root=$1 pid=$2 comm=$3 state=$4 ppid=$5 threads=$6 start=$7
	local cgroup=${8:-/} ign=0 blk=0 cgt=0 tracer=0 nspid=$2 s
	local long

	if [ $# -gt 8 ]; then
		shift 8
	else
		shift $#
	fi
	for s in "$@"; do
		case $s in
		Ign=*) ign=${s#Ign=} ;;
		Blk=*) blk=${s#Blk=} ;;
		Cgt=*) cgt=${s#Cgt=} ;;
		Tracer=*) tracer=${s#Tracer=} ;;
		NSpid=*) nspid=${s#NSpid=} ;;
		esac
	done
	case $state in
	R) long="R (running)" ;;
	S) long="S (sleeping)" ;;
	D) long="D (disk sleep)" ;;
	T) long="T (stopped)" ;;
	t) long="t (tracing stop)" ;;
	Z) long="Z (zombie)" ;;
	*) long="$state (?)" ;;
	esac
	mkdir -p "$root/$pid"
	# fields 1-22, then the rest as the kernel has them
	printf '%s (%s) %s %s %s %s 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %s 0 %s 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' \
		"$pid" "$comm" "$state" "$ppid" "$pid" "$pid" "$threads" \
		"$start" >"$root/$pid/stat"
	printf 'Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%s\nNgid:\t0\nPid:\t%s\nPPid:\t%s\nTracerPid:\t%s\nUid:\t0\t0\t0\t0\nNSpid:\t%s\nThreads:\t%s\nSigQ:\t0/63245\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n' \
		"$comm" "$long" "$pid" "$pid" "$ppid" "$tracer" \
		"$(echo "$nspid" | sed 's/ /\t/g')" "$threads" \
		"$((0x$blk))" "$((0x$ign))" "$((0x$cgt))" >"$root/$pid/status"
	if [ "$cgroup" != - ]; then
		printf '0::%s\n' "$cgroup" >"$root/$pid/cgroup"
	else
		: >"$root/$pid/cgroup"
	fi
	echo 0 >"$root/$pid/wchan"
}

fail() {
	why="${why}$*
"
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"
}

# expect_err_is LINE: stderr is exactly LINE
expect_err_is() {
	printf '%s\n' "$1" >"$tmp/want"
	cmp -s "$tmp/want" "$tmp/err" ||
		fail "stderr is '$(cat "$tmp/err")', expected '$1'"
}

# expect_in out|err TEXT: stdout or stderr holds TEXT
expect_in() {
	grep -qF -- "$2" "$tmp/$1" ||
		fail "std$1 lacks '$2': '$(head -c 600 "$tmp/$1")'"
}

# expect_not_in out|err TEXT
expect_not_in() {
	! grep -qF -- "$2" "$tmp/$1" ||
		fail "std$1 has '$2': '$(head -c 600 "$tmp/$1")'"
}

expect_empty() {
	[ ! -s "$tmp/$1" ] || fail "std$1 not empty: '$(head -c 600 "$tmp/$1")'"
}

# expect_out_is: stdout is exactly what comes on stdin
expect_out_is() {
	cat >"$tmp/want"
	if ! cmp -s "$tmp/want" "$tmp/out"; then
		fail "stdout differs from the expected (-) output:"
		fail "$(diff -u "$tmp/want" "$tmp/out" | tail -n +3)"
	fi
}

# expect_lines N: stdout has N lines
expect_lines() {
	local n

	n=$(wc -l <"$tmp/out")
	[ "$n" -eq "$1" ] || fail "stdout has $n lines, expected $1: '$(head -c 600 "$tmp/out")'"
}

# json_get EXPR: evaluate a python expression on the JSON document in
# $tmp/out, bound to d; fails the test when it is not JSON
json_get() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$tmp/out" "$1" 2>"$tmp/pyerr" ||
		fail "python3 could not evaluate $1: $(cat "$tmp/pyerr")"
}

# expect_json EXPR VALUE: json_get EXPR prints VALUE
expect_json() {
	local got

	got=$(json_get "$1")
	[ "$got" = "$2" ] || fail "JSON $1 is '$got', expected '$2'"
}

# tap_run TEST...: run test_TEST for each, print TAP, exit 0 if all passed
tap_run() {
	local n=0 failed=0 t

	echo "TAP version 13"
	echo "1..$#"
	for t in "$@"; do
		n=$((n + 1))
		why=
		skip=
		if [ -x "$zwatch" ]; then
			"test_$t"
		else
			fail "$zwatch is not built"
		fi
		if [ -n "$skip" ]; then
			echo "ok $n - $t # SKIP $skip"
		elif [ -z "$why" ]; then
			echo "ok $n - $t"
		else
			echo "not ok $n - $t"
			printf '%s' "$why" | sed 's/^/# /'
			failed=$((failed + 1))
		fi
	done
	echo "# $((n - failed)) of $n passed"
	[ "$failed" -eq 0 ]
}
