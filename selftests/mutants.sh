#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-selftest-mutants`: shows that `make check` can fail.  Each
# mutant is a clone of HEAD with one planted defect; `make check`'s runner
# (selftests/check.sh, on the default kernel unless the mutant names
# another) runs there on the tests that can see it, and the mutant is killed when the run is red AND names the
# failure expected.  A red run for some other reason counts as not killed:
# it would hide a gate that passes without looking.  Prints TAP and a
# table; exits non-zero if any mutant survived.
#
#   mutants.sh [-j JOBS] [MUTANT...]	JOBS: runs side by side (default 2)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=2
while getopts "j:" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
work=$top/selftests/out/mutants
rm -rf "$work"
mkdir -p "$work"

# ---- the mutants: plant_NAME edits the clone in $1 -------------------------
# what each is for, the tests that run, and the line that must appear

# a test program that prints its plan and one result, then crashes
plant_crash() {
	cat >"$1/selftests/zwatch_zz_crash_test.c" <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <signal.h>
	#include <stdio.h>

	int main(void)
	{
		printf("TAP version 13\n1..3\nok 1 mutant: the first of three\n");
		fflush(stdout);
		raise(SIGSEGV);
		return 0;
	}
	EOF
	sed -i 's/^PROGS := /PROGS := zwatch_zz_crash_test /' "$1/selftests/Makefile"
}
tests_crash=zwatch_zz_crash_test
want_crash='^not ok - vm 6\.1: - zwatch_zz_crash_test exited with status 139$'

# a shell test that stops after two of its four results, exit status 0
plant_halfway() {
	printf '#!/bin/sh\necho "TAP version 13"\necho "1..4"\necho "ok 1 one"\necho "ok 2 two"\nexit 0\n' \
		>"$1/selftests/zwatch_zz_halfway_test.sh"
	chmod +x "$1/selftests/zwatch_zz_halfway_test.sh"
}
tests_halfway=zwatch_zz_halfway_test.sh
want_halfway='^not ok - vm 6\.1: zwatch_zz_halfway_test\.sh: 2 results, its plan said 1\.\.4$'

# trailing white space in the module: checkpatch's ERROR:TRAILING_WHITESPACE
plant_checkpatch() {
	sed -i '0,/^#include/s/^\(#include.*\)$/\1 /' "$1/module/main.c"
}
tests_checkpatch=zwatch_proc_test
want_checkpatch='^not ok - style: checkpatch --strict \(module, uapi\)$'

# a global that is declared nowhere: sparse warns, gcc at W=1 does not
plant_sparse() {
	printf '\nint zw_mutant_undeclared;\n' >>"$1/module/main.c"
}
tests_sparse=zwatch_proc_test
want_sparse='^not ok - style 6\.1: sparse \(C=2\) and W=1 clean$'

# the same on the debug kernel: since 6.13 sparse names "module/main.c",
# and Debian 12's sparse is too old for 7.2's kbuild (kernels.sh builds one)
plant_sparse72() {
	plant_sparse "$@"
}
kernel_sparse72=7.2
tests_sparse72=zwatch_udev_test.sh
want_sparse72='^not ok - style 7\.2: sparse \(C=2\) and W=1 clean$'

# the module counts a defunct leader as a zombie of its parent
plant_defunct() {
	perl -0pi -e 's/if \(kind == ZW_DEFUNCT\) \{\n\t\tc->defunct\+\+;\n\t\treturn;\n\t\}/if (kind == ZW_DEFUNCT)\n\t\tc->defunct++;/' \
		"$1/module/snapshot.c"
	perl -0ne 'exit !/if \(kind == ZW_DEFUNCT\)\n\t\tc->defunct\+\+;\n/' "$1/module/snapshot.c"
}
tests_defunct="zwatch_proc_test zwatch_sysfs_test"
want_defunct='^not ok - vm 6\.1: [0-9]+ '

# the module reports a parent's newest zombie's age as its oldest
plant_newest() {
	sed -i 's/row->oldest_exit_ns = min(row->oldest_exit_ns, ref->exit_ns);/row->oldest_exit_ns = max(row->oldest_exit_ns, ref->exit_ns);/' \
		"$1/module/snapshot.c"
	grep -q 'oldest_exit_ns = max(' "$1/module/snapshot.c"
}
tests_newest="zwatch_proc_test zwatch_sysfs_test"
want_newest='^not ok - vm 6\.1: [0-9]+ '

all=(crash halfway checkpatch sparse sparse72 defunct newest)
[ $# -gt 0 ] || set -- "${all[@]}"

# ---- running them ------------------------------------------------------------
mutate() {	# mutate NAME: clone, plant, run; leaves NAME.rc and NAME.out
	local name=$1 dir=$work/$1 tests kernel
	git clone -q "$top" "$dir" || { echo 2 >"$work/$name.rc"; return; }
	if ! "plant_$name" "$dir" || [ -z "$(git -C "$dir" status --porcelain)" ]; then
		echo "mutant $name: nothing planted" >"$work/$name.out"
		echo 3 >"$work/$name.rc"
		return
	fi
	git -C "$dir" diff >"$work/$name.diff"
	tests=tests_$name kernel=kernel_$name
	# shellcheck disable=SC2086 # a list of test names
	"$dir/selftests/check.sh" -k "${!kernel:-6.1}" -x install -x bench ${!tests} \
		>"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}

running=0
for m in "$@"; do
	declare -F "plant_$m" >/dev/null || { echo "mutants: no mutant $m (${all[*]})" >&2; exit 2; }
	mutate "$m" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

n=0 killed=0 table=()
echo "TAP version 13"
echo "1..$#"
for m in "$@"; do
	n=$((n + 1))
	rc=$(cat "$work/$m.rc" 2>/dev/null || echo none)
	want=want_$m
	line=$(grep -E "${!want}" "$work/$m.out" 2>/dev/null | head -n 1)
	summary=$(tail -n 1 "$work/$m.out" 2>/dev/null)
	if [ "$rc" != 0 ] && [ "$rc" != 2 ] && [ "$rc" != 3 ] && [ -n "$line" ]; then
		killed=$((killed + 1))
		echo "ok $n mutant $m: make check red ($summary)"
		echo "#   $line"
		verdict=killed
	else
		echo "not ok $n mutant $m: survived (exit $rc, $summary; wanted /${!want}/)"
		sed 's/^/#   /' "$work/$m.out" 2>/dev/null | grep '^#   not ok' | head -n 5
		verdict=SURVIVED
	fi
	table+=("$(printf '%-10s %-8s %s' "$m" "$verdict" "${line:-$summary}")")
done
echo "#"
printf '# %-10s %-8s %s\n' mutant verdict "the failure make check reported"
for row in "${table[@]}"; do
	echo "# $row"
done
echo "$killed passed, $((n - killed)) failed"
[ "$killed" -eq "$n" ]
