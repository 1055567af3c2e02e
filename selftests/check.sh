#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check` and `make check-all`: builds, style gates, host tests, then
# for each kernel named: the module built against its headers (W=1, no
# warnings) and the QEMU tier booted on it.  Every gate and every TAP result
# counts as one test; with more than one kernel a table sums them up; the
# last line is "N passed, N failed, N skipped".  Exits non-zero on failure.
#
#   check.sh [-s full] [-k KERNEL]... [-x TIER]... [TEST...]
#	KERNEL: 6.1 (default) 5.10 6.12 7.2
#	-s full: stress tests at full size on the first kernel named (the
#	others run them at a tenth, 7.2's slow debug kernel at a hundredth)
#	-x host|install|bench: leave that tier out (selftests/mutants.sh
#	does, for tiers that cannot see what it plants)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=() stress=quick skip_tiers=" "
while getopts "k:s:x:" opt; do
	case $opt in
	k) kernels+=("$OPTARG") ;;
	s) stress=$OPTARG ;;
	x) skip_tiers+="$OPTARG " ;;
	*) exit 2 ;;
	esac
done
runs() { [[ $skip_tiers != *" $1 "* ]]; }	# runs TIER
shift $((OPTIND - 1))
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1)
cache=${ZWATCH_CACHE:-/var/cache/zwatch}
ksrc=$cache/linux-source-6.1
logs=$top/selftests/out
mkdir -p "$logs"
passed=0 failed=0 skipped=0

result() {	# result ok|fail|skip NAME [LOG]
	case $1 in
	ok) passed=$((passed + 1)); echo "ok - $2" ;;
	skip) skipped=$((skipped + 1)); echo "ok - $2 # SKIP" ;;
	*)
		failed=$((failed + 1))
		echo "not ok - $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" | tail -n 30
		;;
	esac
}

gate() {	# gate NAME CMD...: one result from a command's exit status
	local name=$1 log
	shift
	log=$logs/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_').log
	if "$@" >"$log" 2>&1; then
		result ok "$name"
	else
		result fail "$name" "$log"
		return 1
	fi
}

# tap PREFIX < TAP: one result per ok/not ok line, and each program's
# results counted against its plan.  A program's TAP starts at "TAP
# version" (or at its plan); a leading plan "1..N" promises N numbered
# results, a trailing one says how many came.  A shortfall, a surplus or no
# plan at all is a failure: a program that stops after k of N results loses
# nothing silently.  Unnumbered results ("not ok - PROG exited ...") are
# the runners' own and belong to no plan.  With skip_fails set to a
# program's name, a SKIP from it is a failure (the debug tier's fault
# injection must run).
skip_fails=
tap_plan_check() {	# tap_plan_check PREFIX, on tap()'s variables
	[ -n "$plan" ] && [ "$count" -ne "$plan" ] &&
		result fail "$1: $prog: $count results, its plan said 1..$plan"
	count=0 plan=
}
tap() {
	local line prog=- plans=0 count=0 plan=
	while IFS= read -r line; do
		echo "$line" >>"$logs/tap.log"
		case $line in
		"TAP version"*) tap_plan_check "$1" ;;
		"1.."[0-9]*)
			plans=$((plans + 1))
			if [ "$count" -eq 0 ] && [ -z "$plan" ]; then
				plan=${line#1..} plan=${plan%%[!0-9]*}
			else
				plan=${line#1..} plan=${plan%%[!0-9]*}
				tap_plan_check "$1"
			fi
			;;
		"# running "*) prog=${line#\# running } prog=${prog%% *} ;;
		"ok "[0-9]* | "not ok "[0-9]*) count=$((count + 1)) ;;
		esac
		case $line in
		"ok "*"# SKIP"*)
			if [ "$prog" = "$skip_fails" ]; then
				result fail "$1: ${line#ok } (a skip on this tier is a failure)"
			else
				result skip "$1: ${line#ok }"
			fi
			;;
		"ok "*) result ok "$1: ${line#ok }" ;;
		"not ok "*) result fail "$1: ${line#not ok }" ;;
		"#  RUN"* | "#"*" OK "*) ;;
		"#"*) echo "$line" ;;
		esac
	done
	tap_plan_check "$1"
	[ "$plans" -gt 0 ] || result fail "$1: no TAP plan: it did not run to its end"
}

# ran NAME RC LOG: a runner that exited non-zero must have said why in LOG
ran() {
	[ "$2" -eq 0 ] && return 0
	grep -q "^not ok" "$3" ||
		result fail "$1: exited with status $2 and reported no failure" "$3"
}

no_output() {	# passes when CMD succeeds and prints nothing
	local out
	out=$("$@" 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
}

: >"$logs/tap.log"

# Kernels are fetched and built into the cache in the background, at the
# lowest priority, while the gates and the first kernels' tiers run: 7.2's
# build from source (about 30 minutes cold beside a guest) is the long pole.
# Each leaves its exit status in kernel-K.rc: a kernel's jobs start once it
# is there.
declare -A kjob
for k in "${kernels[@]}"; do
	rm -f "$logs/kernel-$k.rc"
	# shellcheck disable=SC2016 # $1..$3 are the inner shell's
	nice -n 19 setsid bash -c '"$1" "$2" >"$3.env" 2>"$3.log"; echo $? >"$3.rc"' \
		kernel "$top/selftests/kernels.sh" "$k" "$logs/kernel-$k" &
	kjob[$k]=$!
done
# an interrupted check leaves no build (each is its own process group) and
# no guest running
kill_tree() {
	local child children
	children=$(pgrep -P "$1")
	kill "$1" 2>/dev/null
	for child in $children; do
		kill_tree "$child"
	done
}
stop_jobs() {
	local j
	for j in "${kjob[@]}"; do
		kill -- "-$j" 2>/dev/null
	done
	for j in $(jobs -p); do
		kill_tree "$j"
	done
}
trap stop_jobs EXIT

gate "build: tool" make -C "$top/tools/zwatch"
gate "build: selftests" make -C "$top/selftests" KSFT_DIR="$ksrc/tools/testing/selftests"
gate "build: host tests" make -C "$top/selftests/host" KSFT_DIR="$ksrc/tools/testing/selftests"

# Any diagnostic fails, whichever path it names: since 6.13, M= builds run
# in the module's directory and sparse says "module/x.c", not "$tree/...".
# So does a kbuild that refuses the checker and skips it (7.2 with Debian
# 12's sparse): kernels.sh names one that KDIR accepts.
sparse_clean() {	# sparse_clean KDIR TREE CHECK
	local out tree=$2
	out=$(make -C "$tree" module KDIR="$1" C=2 CHECK="$3" 2>&1) ||
		{ echo "$out"; return 1; }
	! echo "$out" | grep -E "(warning|error):|is not available or not up to date"
}
# --terse prints one line per problem and nothing for a clean file: any
# output, or a checkpatch that could not run, fails
checkpatch_clean() {
	local files
	files=$(cd "$top" && git ls-files 'module/*.[ch]' 'uapi/*.h')
	[ -n "$files" ] || { echo "checkpatch: no files to check"; return 1; }
	# shellcheck disable=SC2086 # one word per file
	(cd "$top" && no_output perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types -f $files)
}
uapi_compiles() {
	local t
	t=$(mktemp -d)
	printf '#include <linux/zwatch.h>\nint zw_uapi_version = ZWATCH_FORMAT_VERSION;\n' >"$t/c.c"
	cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$top/uapi" -c "$t/c.c" -o "$t/c.o" &&
		c++ -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic -I"$top/uapi" \
			-c "$t/c.c" -o "$t/cc.o"
	local rc=$?
	rm -rf "$t"
	return $rc
}
gate "style: checkpatch --strict (module, uapi)" checkpatch_clean
gate "style: uapi header compiles alone in C and C++" uapi_compiles

if runs host; then
	make -s -C "$top/selftests/host" run KSFT_DIR="$ksrc/tools/testing/selftests" \
		>"$logs/host.tap" 2>&1
	rc=$?
	tap host <"$logs/host.tap"
	ran host $rc "$logs/host.tap"
fi
# the DKMS-built module that the guests check is this run's or none
rm -f "$logs/dkms/zwatch.ko"
if runs install; then
	"$top/selftests/install/run.sh" >"$logs/install.tap" 2>&1
	rc=$?
	tap install <"$logs/install.tap"
	ran install $rc "$logs/install.tap"
fi

# the benchmark's quick run keeps it from rotting: every method must agree
# with the task set (on the default kernel; it builds the module for it).
# It runs before the kernels' tiers, while the kernels are still building.
if runs bench; then
	echo "# bench-quick (at $SECONDS s)"
	"$top/selftests/bench/bench.sh" -q -k 6.1 >"$logs/bench.tap" 2>&1
	rc=$?
	tap bench <"$logs/bench.tap"
	ran bench $rc "$logs/bench.tap"
fi

# ---- the kernels' tiers ---------------------------------------------------
# A guest emulates its CPUs in one host thread, so two guests run side by
# side on two cores.  Each kernel's tier is a job (the debug kernel's, half
# an hour of one core, is two); two workers take them in order, each the
# first whose kernel is in the cache.  Warm, the debug kernel's halves, the
# longest jobs, start at once; cold, the Debian kernels run while the debug
# kernel builds at the lowest priority.  Jobs write their results to files,
# printed below in the order of the kernels named.
debug_kernel=7.2
tests=("$@")
[ ${#tests[@]} -gt 0 ] ||
	mapfile -t tests < <(cd "$top/selftests" && ls zwatch_*_test zwatch_*_test.sh)
# The debug kernel's tier is about 25 minutes of one core; its halves, from
# guest seconds measured under KASAN: stress 330, hostile 240, proc 30-80,
# faults 50, sysfs 40; tool 370, events 100-230, load 120, udev 60.
first_half=" zwatch_stress_test zwatch_hostile_test zwatch_proc_test"
first_half+=" zwatch_faults_test zwatch_sysfs_test "
half1=() half2=()
for t in "${tests[@]}"; do
	case $first_half in
	*" $t "*) half1+=("$t") ;;
	*) half2+=("$t") ;;
	esac
done

prepare() {	# prepare K: builds zwatch.ko for K, in the cache by now
	local k=$1 ko=$logs/ko-$1 env msg
	if [ "$(cat "$logs/kernel-$k.rc")" != 0 ] || ! env=$(cat "$logs/kernel-$k.env"); then
		result fail "kernel $k: fetched or built into the cache" "$logs/kernel-$k.log"
		echo "built=no" >"$logs/kernel-$k.state"
		return
	fi
	eval "$env"
	msg="# kernel $k: $KVER in the cache (at $SECONDS s)"
	echo "$msg"
	echo "$msg" >&2
	# a tree of its own: two workers may build for two kernels at once
	rm -rf "$ko"
	mkdir -p "$ko"
	cp -r "$top/Makefile" "$top/Kbuild" "$top/VERSION" "$top/module" "$top/uapi" "$ko/"
	local built=no
	gate "build $k: module against $KVER headers (W=1, -Werror)" \
		make -C "$ko" module KDIR="$KDIR" && built=yes
	gate "style $k: sparse (C=2) and W=1 clean" sparse_clean "$KDIR" "$ko" "$CHECK"
	echo "built=$built $env" >"$logs/kernel-$k.state"
}

guest() {	# guest K PART TEST...: one guest on kernel K runs the tests
	local k=$1 part=$2 name="vm $1" size=$stress state
	shift 2
	until [ -e "$logs/kernel-$k.state" ]; do
		sleep 2
	done
	state=$(cat "$logs/kernel-$k.state")
	[ "${state%% *}" = built=yes ] || return 0
	eval "${state#* }"
	[ "$part" = all ] || name+=" ($part)"
	[ "$k" = "$debug_kernel" ] && size=debug
	[ "$k" = "${kernels[0]}" ] || [ "$size" = debug ] || size=quick
	local out=$logs/vm-$KVER-${part%/*} tap=$logs/vm-$k-${part%/*} dkms=()
	# the DKMS-built module is checked once per kernel
	case $part in all | 1/*) dkms=(-d) ;; esac
	echo "# $name: started (at $SECONDS s)" >&2
	local rc=0
	"$top/selftests/vm/run.sh" -k "$KVER" -i "$IMAGE" -m "$MODDIR" \
		-t "${ZWATCH_VM_TIMEOUT:-$([ "$size" = debug ] && echo 3600 || echo 1800)}" -o "$out" \
		-- "$top/selftests/vm/tests.sh" -s "$size" -m "$logs/ko-$k/module/zwatch.ko" \
		"${dkms[@]}" \
		"$@" >"$tap.tap" 2>"$tap.err" || rc=$?
	echo "# $name: done (at $SECONDS s)" >&2
	[ "$size" = debug ] && skip_fails=zwatch_faults_test
	tap "$name" <"$tap.tap"
	skip_fails=
	if grep -q "run.sh:" "$tap.err" || [ ! -s "$out/status" ]; then
		echo "run.sh: the guest did not report back" >>"$tap.err"
		result fail "$name: guest finished with a clean kernel log" "$tap.err"
	else
		result ok "$name: guest finished with a clean kernel log"
		ran "$name" $rc "$tap.tap"
	fi
}

queue=()	# "KERNEL PART", PART: all, 1/2 or 2/2
for k in "${kernels[@]}"; do
	[ "$k" = "$debug_kernel" ] || continue
	if [ ${#half1[@]} -gt 0 ] && [ ${#half2[@]} -gt 0 ]; then
		queue+=("$k 1/2" "$k 2/2")
	else
		queue+=("$k all")
	fi
done
for k in "${kernels[@]}"; do
	[ "$k" = "$debug_kernel" ] || queue+=("$k all")
done

run_job() {	# run_job K PART: the first job of a kernel builds its module
	local k=$1 part=$2
	mkdir "$logs/job-$k-prepare" 2>/dev/null &&
		prepare "$k" >"$logs/result-$k-prepare.out"
	case $part in
	1/2) set -- "${half1[@]}" ;;
	2/2) set -- "${half2[@]}" ;;
	*) set -- "${tests[@]}" ;;
	esac
	guest "$k" "$part" "$@" >"$logs/result-$k-${part%/*}.out"
}

worker() {	# takes jobs (claimed by mkdir, which only one worker wins)
	local job k part left
	while :; do
		left=no
		for job in "${queue[@]}"; do
			k=${job% *} part=${job#* }
			[ -d "$logs/job-$k-${part%/*}" ] && continue
			left=yes
			[ -e "$logs/kernel-$k.rc" ] || continue
			mkdir "$logs/job-$k-${part%/*}" 2>/dev/null || continue
			run_job "$k" "$part"
			continue 2
		done
		[ $left = yes ] || return 0
		sleep 2
	done
}

rm -rf "$logs"/result-*.out "$logs"/kernel-*.state "$logs"/vm-*.tap "$logs"/vm-*.err \
	"$logs"/job-*
worker &
w1=$!
worker &
wait $w1 $!

replay() {	# replay FILE: a job's results, counted here
	local line
	[ -e "$1" ] || return 0
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"ok - "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok - "*) passed=$((passed + 1)) ;;
		"not ok - "*) failed=$((failed + 1)) ;;
		esac
	done <"$1"
}

table=()
for k in "${kernels[@]}"; do
	p0=$passed f0=$failed built=no loaded=no KVER=-
	echo "# kernel $k"
	for part in prepare all 1 2; do
		replay "$logs/result-$k-$part.out"
	done
	state=$(cat "$logs/kernel-$k.state" 2>/dev/null)
	[ "${state%% *}" = built=yes ] && built=yes && eval "${state#* }"
	grep -qs "^# zwatch: loaded" "$logs/vm-$k"-*.tap && loaded=yes
	table+=("$(printf '%-6s %-22s %-5s %-6s %6d %6d' "$k" "$KVER" $built $loaded \
		$((passed - p0)) $((failed - f0)))")
done

echo "#"
printf '# %-6s %-22s %-5s %-6s %6s %6s\n' kernel release built loaded passed failed
for row in "${table[@]}"; do
	echo "# $row"
done
echo "# check took $SECONDS s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
