#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench` and `make bench-quick`: zwatch against ps, top and /proc
# scanners, in one QEMU guest, with a table and a plot.
#
#   bench.sh [-q] [-k KERNEL] [-o DIR]
#	-q	quick: 1000 and 10000 tasks, one repetition, short fork and
#		CPU runs; TAP only (what `make check` runs), nothing written
#		outside selftests/out/bench-quick
#	-k	the guest kernel, as for `make check` (default 6.1)
#	-o	where the full run writes its results (default
#		selftests/bench/results): bench.md, bench.png, raw.tsv
#
# Sizes and repetitions can be changed from the environment:
#   BENCH_SIZES ("1000 10000 50000")  BENCH_REPS (5)  BENCH_REPS_LARGEST (3)
#   BENCH_FORK_ROUNDS (2000)  BENCH_FORK_PAIRS (6)  BENCH_CPU_SECS (20)
#   BENCH_MEM (MiB, 4096)  BENCH_TIMEOUT (s, 3600)
#   BENCH_HOST (yes; quick: no): also time ps, top, zwatch --source=proc,
#   /bin/true and the floor walk on the host itself (no module there), at
#   BENCH_HOST_SIZES ("1000 10000"), BENCH_HOST_REPS (3) times, for scale
# Prints TAP for every check (each method against the task set, the scan,
# the guest's kernel log) and exits non-zero if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/bench
kernel=6.1 quick=no results=
while getopts "qk:o:" opt; do
	case $opt in
	q) quick=yes ;;
	k) kernel=$OPTARG ;;
	o) results=$OPTARG ;;
	*) exit 2 ;;
	esac
done

if [ $quick = yes ]; then
	sizes=${BENCH_SIZES:-1000 10000} reps=${BENCH_REPS:-1}
	reps_largest=${BENCH_REPS_LARGEST:-$reps}
	fork_rounds=${BENCH_FORK_ROUNDS:-500} fork_pairs=${BENCH_FORK_PAIRS:-1}
	cpu_secs=${BENCH_CPU_SECS:-3} mem=${BENCH_MEM:-2048}
	timeout=${BENCH_TIMEOUT:-1200}
	host_ref=${BENCH_HOST:-no}
	work=$top/selftests/out/bench-quick
else
	sizes=${BENCH_SIZES:-1000 10000 50000} reps=${BENCH_REPS:-5}
	reps_largest=${BENCH_REPS_LARGEST:-3}
	fork_rounds=${BENCH_FORK_ROUNDS:-2000} fork_pairs=${BENCH_FORK_PAIRS:-6}
	cpu_secs=${BENCH_CPU_SECS:-20} mem=${BENCH_MEM:-4096}
	timeout=${BENCH_TIMEOUT:-3600}
	host_ref=${BENCH_HOST:-yes}
	work=$top/selftests/out/bench
	results=${results:-$here/results}
fi
mkdir -p "$work"
# the host reference: sizes within any pid_max, no system setting changed
host_sizes=${BENCH_HOST_SIZES:-1000 10000} host_reps=${BENCH_HOST_REPS:-3}
n=0 failed=0

tap() {		# tap ok|fail NAME [LOG]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" | tail -n 20
	fi
}

finish() {
	echo "1..$n"
	[ $failed -eq 0 ]
	exit
}

# The kernel, and everything built against it or for the guest.
if ! env=$("$top/selftests/kernels.sh" "$kernel" 2>"$work/kernel.log"); then
	tap fail "bench: kernel $kernel in the cache" "$work/kernel.log"
	finish
fi
eval "$env"
if ! { make -C "$top" module KDIR="$KDIR" &&
	make -C "$top/tools/zwatch" &&
	make -C "$top/selftests" zw_forkbench &&
	make -C "$here"; } >"$work/build.log" 2>&1; then
	tap fail "bench: module (against $KVER), tool and helpers built" "$work/build.log"
	finish
fi
echo "# bench: $KVER, sizes $sizes, $reps repetitions ($reps_largest at the largest), QEMU with $mem MiB"

started=$(date +%s)
guest_rc=0
(cd "$top" && selftests/vm/run.sh -k "$KVER" -i "$IMAGE" -m "$MODDIR" -t "$timeout" \
	-M "$mem" -o "$work/vm" -- selftests/bench/bench-guest.sh -s "$sizes" \
	-r "$reps" -R "$reps_largest" -f "$fork_rounds" -p "$fork_pairs" \
	-c "$cpu_secs") >"$work/guest.out" 2>"$work/guest.err" || guest_rc=$?
elapsed=$(($(date +%s) - started))

# the guest's TAP, renumbered into ours; its comments as they are
while IFS= read -r line; do
	case $line in
	"ok "*) tap ok "${line#ok [0-9]* }" ;;
	"not ok "*) tap fail "${line#not ok [0-9]* }" ;;
	"#"*) echo "$line" ;;
	esac
done < <(grep -v -e '^raw' -e '^1\.\.' "$work/guest.out")
if grep -q "run.sh:" "$work/guest.err" || [ ! -s "$work/vm/status" ]; then
	tap fail "bench: the guest finished, with a clean kernel log" "$work/guest.err"
else
	tap ok "bench: the guest finished, with a clean kernel log"
fi
# the guest's plan comes last: without it, bench-guest.sh stopped early; a
# non-zero exit with no failure reported is a failure of its own
guest_plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/guest.out" | tail -n 1)
guest_results=$(grep -cE '^(not )?ok [0-9]' "$work/guest.out")
if [ -z "$guest_plan" ] || [ "$guest_plan" -ne "$guest_results" ]; then
	tap fail "bench: the guest ran to its end (plan ${guest_plan:-none}, $guest_results results)"
elif [ "$guest_rc" -ne 0 ] && ! grep -q '^not ok' "$work/guest.out"; then
	tap fail "bench: the guest exited with status $guest_rc and reported no failure" \
		"$work/guest.err"
fi
echo "# bench: the guest ran for ${elapsed}s"

grep '^raw' "$work/guest.out" | cut -f 2- >"$work/raw.tsv"

# the same userspace commands on the host, without emulation, for scale
if [ "$host_ref" = yes ]; then
	"$here/bench-guest.sh" -H -s "$host_sizes" -r "$host_reps" \
		>"$work/host.out" 2>"$work/host.err"
	while IFS= read -r line; do
		case $line in
		"ok "*) tap ok "${line#ok [0-9]* }" ;;
		"not ok "*) tap fail "${line#not ok [0-9]* }" "$work/host.err" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(grep -v -e '^raw' -e '^1\.\.' "$work/host.out")
	grep '^raw' "$work/host.out" | cut -f 2- >>"$work/raw.tsv"
fi
meta="kernel=$KVER mem=$mem reps=$reps reps_largest=$reps_largest"
meta+=" fork_rounds=$fork_rounds fork_pairs=$fork_pairs cpu_secs=$cpu_secs"
meta+=" elapsed=$elapsed commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
if [ $quick = yes ]; then
	"$here/report.sh" -n "$meta" "$work/raw.tsv" "$work" >"$work/report.log" 2>&1
	# the times, the ratios and the targets; the rest is in bench.md
	awk '/^## / { show = /Finding|Targets/ } show' "$work/bench.md" | sed 's/^/# /'
	echo "# bench: the whole report: ${work#"$top"/}/bench.md"
else
	mkdir -p "$results"
	cp "$work/raw.tsv" "$results/raw.tsv"
	if "$here/report.sh" "$meta" "$results/raw.tsv" "$results" >"$work/report.log" 2>&1; then
		tap ok "bench: table and plot written to ${results#"$top"/}"
		cat "$results/bench.md"
	else
		tap fail "bench: table and plot written to ${results#"$top"/}" "$work/report.log"
	fi
fi
finish
