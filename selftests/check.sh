#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check` and `make check-all`: builds, style gates, host tests, then
# for each kernel named: the module built against its headers (W=1, no
# warnings) and the QEMU tier booted on it.  Every gate and every TAP result
# counts as one test; with more than one kernel a table sums them up; the
# last line is "N passed, N failed, N skipped".  Exits non-zero on failure.
#
#   check.sh [-s full] [-k KERNEL]... [TEST...]
#	KERNEL: 6.1 (default) 5.10 6.12 7.2
#	-s full: stress tests at full size on the first kernel named (the
#	others run them at a tenth, 7.2's slow debug kernel at a fiftieth)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=() stress=quick
while getopts "k:s:" opt; do
	case $opt in
	k) kernels+=("$OPTARG") ;;
	s) stress=$OPTARG ;;
	*) exit 2 ;;
	esac
done
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
	fi
}

tap() {		# tap PREFIX < TAP: one result per ok/not ok line
	local line name
	while IFS= read -r line; do
		echo "$line" >>"$logs/tap.log"
		case $line in
		"ok "*"# SKIP"*) result skip "$1: ${line#ok }" ;;
		"ok "*) result ok "$1: ${line#ok }" ;;
		"not ok "*) result fail "$1: ${line#not ok }" ;;
		"#  RUN"* | "#"*" OK "*) ;;
		"#"*) echo "$line" ;;
		esac
	done
}

no_output() {	# passes when CMD succeeds and prints nothing
	local out
	out=$("$@" 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
}

: >"$logs/tap.log"

# Kernels are fetched and built into the cache in the background, at the
# lowest priority, while the gates and the first kernels' tiers run: 7.2's
# build from source (about 16 minutes cold on 2 cores) is the long pole.
declare -A kjob
for k in "${kernels[@]}"; do
	nice -n 19 setsid "$top/selftests/kernels.sh" "$k" \
		>"$logs/kernel-$k.env" 2>"$logs/kernel-$k.log" &
	kjob[$k]=$!
done
# an interrupted check leaves no build running (each is its own group)
stop_builds() {
	local j
	for j in "${kjob[@]}"; do
		kill -- "-$j" 2>/dev/null
	done
}
trap stop_builds EXIT

gate "build: tool" make -C "$top/tools/zwatch"
gate "build: selftests" make -C "$top/selftests" KSFT_DIR="$ksrc/tools/testing/selftests"
gate "build: host tests" make -C "$top/selftests/host" KSFT_DIR="$ksrc/tools/testing/selftests"

sparse_clean() {	# sparse_clean KDIR
	local out
	out=$(make -C "$top" module KDIR="$1" C=2 2>&1) || { echo "$out"; return 1; }
	! echo "$out" | grep -E "^$top.*(warning|error):"
}
checkpatch_clean() {
	(cd "$top" && perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types -f $(git ls-files 'module/*.[ch]' 'uapi/*.h')) |
		grep -v "^total: 0 errors, 0 warnings, 0 checks" | grep . && return 1
	return 0
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

make -s -C "$top/selftests/host" run KSFT_DIR="$ksrc/tools/testing/selftests" \
	>"$logs/host.tap" 2>&1
tap host <"$logs/host.tap"
"$top/selftests/install/run.sh" >"$logs/install.tap" 2>&1
tap install <"$logs/install.tap"

echo "# bench-quick (at $SECONDS s)"
# the benchmark's quick run keeps it from rotting: every method must agree
# with the task set (on the default kernel; it builds the module for it).
# It runs before the kernels' tiers, while the kernels are still building.
"$top/selftests/bench/bench.sh" -q -k 6.1 >"$logs/bench.tap" 2>&1
tap bench <"$logs/bench.tap"
grep -q "^ok " "$logs/bench.tap" || result fail "bench: bench-quick ran" "$logs/bench.tap"

table=()
for k in "${kernels[@]}"; do
	p0=$passed f0=$failed built=no loaded=no
	echo "# kernel $k (at $SECONDS s)"
	waited=$SECONDS
	if ! wait "${kjob[$k]}" || ! env=$(cat "$logs/kernel-$k.env"); then
		result fail "kernel $k: fetched or built into the cache" "$logs/kernel-$k.log"
		table+=("$(printf '%-6s %-22s %-5s %-6s %6s %6s' "$k" - no no 0 1)")
		continue
	fi
	eval "$env"
	echo "# kernel $k: in the cache after waiting $((SECONDS - waited)) s for it"
	gate "build $k: module against $KVER headers (W=1, -Werror)" \
		make -C "$top" module KDIR="$KDIR" && built=yes
	gate "style $k: sparse (C=2) clean" sparse_clean "$KDIR"
	if [ $built = yes ]; then
		out=$logs/vm-$KVER
		"$top/selftests/vm/run.sh" -k "$KVER" -i "$IMAGE" -m "$MODDIR" \
			-t "${ZWATCH_VM_TIMEOUT:-$([ "$k" = 7.2 ] && echo 3600 || echo 1800)}" -o "$out" \
			-- selftests/vm/tests.sh -s "$([ "$k" = 7.2 ] && echo debug || echo "$stress")" \
			"$@" >"$logs/vm-$k.tap" 2>"$logs/vm-$k.err"
		grep -q "^# zwatch: loaded" "$logs/vm-$k.tap" && loaded=yes
		tap "vm $k" <"$logs/vm-$k.tap"
		if grep -q "run.sh:" "$logs/vm-$k.err" || [ ! -s "$out/status" ]; then
			echo "run.sh: the guest did not report back" >>"$logs/vm-$k.err"
			result fail "vm $k: guest finished with a clean kernel log" "$logs/vm-$k.err"
		else
			result ok "vm $k: guest finished with a clean kernel log"
		fi
	fi
	table+=("$(printf '%-6s %-22s %-5s %-6s %6d %6d' "$k" "$KVER" $built $loaded \
		$((passed - p0)) $((failed - f0)))")
	stress=quick
done


echo "#"
printf '# %-6s %-22s %-5s %-6s %6s %6s\n' kernel release built loaded passed failed
for row in "${table[@]}"; do
	echo "# $row"
done
echo "# check took $SECONDS s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
