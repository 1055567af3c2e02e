#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: builds, style gates, host tests, and the QEMU tier on one
# kernel.  Every gate and every TAP result counts as one test; the last line
# is "N passed, N failed, N skipped".  Exits non-zero on any failure.
#
#   check.sh KDIR [TEST...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
shift
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

kver=$("$top/selftests/kver.sh" "$kdir")
: >"$logs/tap.log"

echo "# zwatch check on $kver ($kdir)"
gate "build: module (W=1, -Werror)" make -C "$top" module KDIR="$kdir"
gate "build: tool" make -C "$top/tools/zwatch"
gate "build: selftests" make -C "$top/selftests" KSFT_DIR="$ksrc/tools/testing/selftests"
gate "build: host tests" make -C "$top/selftests/host" KSFT_DIR="$ksrc/tools/testing/selftests"

sparse_clean() {
	local out
	out=$(make -C "$kdir" M="$top" C=2 W=1 modules 2>&1) || { echo "$out"; return 1; }
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
gate "style: sparse (C=2) clean" sparse_clean
gate "style: uapi header compiles alone in C and C++" uapi_compiles

make -s -C "$top/selftests/host" run KSFT_DIR="$ksrc/tools/testing/selftests" \
	>"$logs/host.tap" 2>&1
tap host <"$logs/host.tap"

out=$logs/vm-$kver
"$top/selftests/vm/run.sh" -k "$kver" -t "${ZWATCH_VM_TIMEOUT:-1200}" -o "$out" \
	-- selftests/vm/tests.sh "$@" >"$logs/vm.tap" 2>"$logs/vm-run.err"
tap "vm $kver" <"$logs/vm.tap"
if grep -q "run.sh:" "$logs/vm-run.err"; then
	result fail "vm $kver: guest finished with a clean kernel log" "$logs/vm-run.err"
else
	result ok "vm $kver: guest finished with a clean kernel log"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
