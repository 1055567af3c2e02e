#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark's report: from the raw data of one run, a markdown table
# (bench.md) and a plot of time against task count (bench.png, gnuplot).
#
#   report.sh [-n] META RAW OUTDIR
#	-n	no plot (the quick run)
#	META	"key=value ..." of the run: kernel, mem, reps, ... (bench.sh)
#	RAW	lines "N METHOD REP VALUE EXTRA", tab separated
#		(bench-guest.sh says what each METHOD is)
set -euo pipefail

plot=yes
if [ "${1:-}" = -n ]; then
	plot=no
	shift
fi
meta=$1 raw=$2 out=$3
mkdir -p "$out"

# medians and spreads: "N METHOD MEDIAN MIN MAX COUNT EXTRA" per pair
stats() {
	sort -t "$(printf '\t')" -k2,2 -k1,1n -k4,4g "$raw" | awk -F '\t' '
	function flush() {
		if (!cnt)
			return
		med = cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
		printf "%s %s %s %s %s %d %s\n", key_n, key_m, med, v[1], v[cnt], cnt, extra
		cnt = 0
	}
	{
		if ($1 != key_n || $2 != key_m)
			flush()
		key_n = $1; key_m = $2
		v[++cnt] = $4
		extra = $5
	}
	END { flush() }'
}

# pairs run back to back: the exit hooks' overhead and the scan's CPU
pairs() {
	awk -F '\t' '
	$2 == "fork_on" { fon[$3] = $4 }
	$2 == "fork_off" { foff[$3] = $4 }
	$2 == "cpu_on" { con[$1, $3] = $4; n = $1 }
	$2 == "cpu_off" { coff[$1, $3] = $4 }
	END {
		for (i in fon)
			if (i in foff)
				printf "0\tfork_pct\t%s\t%.3f\t-\n", i, (fon[i] / foff[i] - 1) * 100
		for (k in con)
			if (k in coff) {
				split(k, nk, SUBSEP)
				printf "%s\tcpu_diff\t%s\t%.3f\t-\n", nk[1], nk[2], con[k] - coff[k]
			}
	}' "$raw"
}

raw_all=$(mktemp)
trap 'rm -f "$raw_all"' EXIT
{ cat "$raw"; pairs; } >"$raw_all"
raw=$raw_all
stats >"$out/stats.txt"

awk -v meta="$meta" -v date="$(date -u +%Y-%m-%d)" '
function t(ns) {
	if (ns >= 1e9)
		return sprintf("%.2f s", ns / 1e9)
	if (ns >= 1e8)
		return sprintf("%.0f ms", ns / 1e6)
	if (ns >= 1e7)
		return sprintf("%.1f ms", ns / 1e6)
	return sprintf("%.2f ms", ns / 1e6)
}
function cell(n, m) {
	if (!((n, m) in med))
		return "-"
	if (cnt[n, m] == 1)
		return t(med[n, m])
	return sprintf("%s (%s-%s)", t(med[n, m]), t(lo[n, m]), t(hi[n, m]))
}
function ratio(n, a, b) {
	if (!((n, a) in med) || !((n, b) in med) || med[n, b] <= 0)
		return "-"
	return sprintf("%.0fx", med[n, a] / med[n, b])
}
function verdict(ok) {
	return ok ? "**met**" : "**not met**"
}
{
	n = $1; m = $2
	med[n, m] = $3; lo[n, m] = $4; hi[n, m] = $5; cnt[n, m] = $6
	extra[n, m] = $7
	if (n > 0 && !(n in seen)) {
		seen[n] = 1
		sizes[++nsizes] = n
	}
	if (m == "meta_kernel")
		kernel = $3
}
END {
	split("read cat zwatch zwatch_proc ps top true", order, " ")
	label["read"] = "`read()` of /proc/zombies, in process"
	label["cat"] = "`cat /proc/zombies`"
	label["zwatch"] = "`zwatch list`"
	label["zwatch_proc"] = "`zwatch list --source=proc`"
	label["ps"] = "`ps -eo stat=,ppid= \\| awk` (per parent)"
	label["top"] = "`top -bn1 \\| grep zombie`"
	label["true"] = "`/bin/true` (starting a program)"
	for (i = 1; i <= nsizes; i++)
		for (j = i + 1; j <= nsizes; j++)
			if (sizes[j] + 0 < sizes[i] + 0) {
				x = sizes[i]; sizes[i] = sizes[j]; sizes[j] = x
			}
	largest = sizes[nsizes]
	head = "|"; rule = "|---|"
	for (i = 1; i <= nsizes; i++) {
		head = head " " sizes[i] " tasks |"
		rule = rule "---|"
	}

	print "# zwatch benchmark"
	print ""
	printf "Run on %s, guest kernel %s, in QEMU **without KVM** (TCG software emulation,\n", date, kernel
	print "2 vCPUs) on a shared 2-core host. Everything is slowed down many times and"
	print "unevenly (a system call about 8x, a program start about 100x), so **ratios"
	print "measured in the same run matter; absolute times do not**."
	print ""
	printf "Run: `%s`.\n", meta
	print "Each size: N tasks, 10% of them zombies under 100 parents, the rest sleeping."
	print "Median of the repetitions, (min-max) when there was more than one; the methods"
	print "run in turn within each repetition. Every method was checked against the"
	print "task set (per-parent counts; top: the total). `top -bn1` sleeps 150 ms"
	print "before its one frame (to compute CPU%): that is in its times."
	print ""
	print "## Finding the zombies"
	print ""
	print "| method " head
	print rule
	for (k = 1; k <= 7; k++) {
		m = order[k]
		line = "| " label[m] " |"
		for (i = 1; i <= nsizes; i++)
			line = line " " cell(sizes[i], m) " |"
		print line
	}
	print ""
	print "Baseline / zwatch, ratio of the medians of this run:"
	print ""
	print "| ratio " head
	print rule
	split("ps:cat top:cat zwatch_proc:zwatch ps:zwatch ps:read", pairs, " ")
	for (k = 1; k <= 5; k++) {
		split(pairs[k], ab, ":")
		line = "| " label[ab[1]] " / " label[ab[2]] " |"
		for (i = 1; i <= nsizes; i++)
			line = line " " ratio(sizes[i], ab[1], ab[2]) " |"
		print line
	}
	print ""

	print "## The kernel scan"
	print ""
	print "`scan_ns` of the periodic scan (the full walk that cross-checks the exit"
	print "set), against the cheapest walk of every task userspace can start:"
	print "`getpriority(PRIO_USER, 0)` walks every task under RCU and reads its"
	print "credentials and nice value (timed from userspace: one system call more)."
	print "It reads one more pointer per task than a bare walk would, so it is an"
	print "upper bound on the floor; a scan at or below it does next to nothing per"
	print "task beyond the walk itself."
	print ""
	print "| tasks | walked | scan_ns | ns/task | floor walk | floor ns/task | scan / floor |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nsizes; i++) {
		n = sizes[i]
		if (!((n, "scan") in med))
			continue
		sp = med[n, "scan"] / extra[n, "scan"]
		fp = (n, "floor") in med ? med[n, "floor"] / extra[n, "floor"] : 0
		printf "| %s | %s | %s | %.0f | %s | %s | %s |\n", n, extra[n, "scan"],
			cell(n, "scan"), sp, cell(n, "floor"),
			fp ? sprintf("%.0f", fp) : "-", fp ? sprintf("%.1fx", sp / fp) : "-"
		pertask[n] = sp
	}
	print ""

	print "## The exit hooks"
	print ""
	if ((0, "fork_on") in med) {
		print "`zw_forkbench`: fork, _exit and waitpid in a loop, mean per round, with the"
		printf "module loaded and not, in ABBA order, %s rounds a run.\n", extra[0, "fork_on"]
		print ""
		print "| module | per round |"
		print "|---|---|"
		printf "| not loaded | %s |\n", cell(0, "fork_off")
		printf "| loaded | %s |\n", cell(0, "fork_on")
		hook = med[0, "fork_pct"]
		printf "| overhead, median of the %d pairs (min, max) | **%+.1f%%** (%+.1f%%, %+.1f%%) |\n", cnt[0, "fork_pct"], hook, lo[0, "fork_pct"], hi[0, "fork_pct"]
	}
	print ""

	print "## CPU taken by the periodic scan"
	print ""
	if ((largest, "cpu_on") in med) {
		printf "Busy time of the whole guest (/proc/stat), as %% of one CPU, with %s tasks,\n", largest
		print "with `interval_ms=1000` and with scans off, in turn."
		print ""
		print "| periodic scan | busy, % of one CPU | scans in the window |"
		print "|---|---|---|"
		printf "| off | %.2f (%.2f-%.2f) | %d |\n", med[largest, "cpu_off"], lo[largest, "cpu_off"], hi[largest, "cpu_off"], extra[largest, "cpu_off"]
		printf "| every 1 s | %.2f (%.2f-%.2f) | %d |\n", med[largest, "cpu_on"], lo[largest, "cpu_on"], hi[largest, "cpu_on"], extra[largest, "cpu_on"]
		cpu = med[largest, "cpu_diff"]
		walk = (largest, "scan") in med ? med[largest, "scan"] / 1e7 : 0
		printf "| on - off, median of the %d pairs | **%.2f** (%.2f-%.2f) |  |\n", cnt[largest, "cpu_diff"], cpu, lo[largest, "cpu_diff"], hi[largest, "cpu_diff"]
		print ""
		printf "The walk alone (scan_ns at %s tasks, once a second): %.2f%% of one CPU.\n", largest, walk
	}
	print ""

	hostm["host_zwatch_proc"] = label["zwatch_proc"]
	hostm["host_ps"] = label["ps"]
	hostm["host_top"] = label["top"]
	hostm["host_true"] = label["true"]
	split("host_zwatch_proc host_ps host_top host_true", horder, " ")
	if ((sizes[1], "host_ps") in med) {
		print "## For scale: the same commands on the host"
		print ""
		print "The host cannot load modules, so only what needs none; no emulation there."
		print ""
		hhead = "|"; hrule = "|---|"
		for (i = 1; i <= nsizes; i++)
			if ((sizes[i], "host_ps") in med) {
				hhead = hhead " " sizes[i] " tasks |"
				hrule = hrule "---|"
			}
		print "| method " hhead
		print hrule
		for (k = 1; k <= 4; k++) {
			line = "| " hostm[horder[k]] " |"
			for (i = 1; i <= nsizes; i++)
				if ((sizes[i], "host_ps") in med)
					line = line " " cell(sizes[i], horder[k]) " |"
			print line
		}
		line = "| floor walk, ns/task |"
		for (i = 1; i <= nsizes; i++)
			if ((sizes[i], "host_ps") in med)
				line = line sprintf(" %.0f |", med[sizes[i], "host_floor"] / extra[sizes[i], "host_floor"])
		print line
		line = "| ps pipeline / program start |"
		for (i = 1; i <= nsizes; i++)
			if ((sizes[i], "host_ps") in med)
				line = line " " ratio(sizes[i], "host_ps", "host_true") " |"
		print line
		print ""
	}

	print "## Targets"
	print ""
	print "| target | measured | |"
	print "|---|---|---|"
	for (i = 1; i <= nsizes; i++) {
		n = sizes[i]
		if (n < 10000 || !((n, "ps") in med))
			continue
		r = med[n, "ps"] / med[n, "cat"]
		printf "| `cat /proc/zombies` >= 100x faster than the ps pipeline at %s tasks | %.0fx (in-process read: %.0fx) | %s |\n", n, r, med[n, "ps"] / med[n, "read"], verdict(r >= 100)
	}
	if ((0, "fork_on") in med)
		printf "| exit hooks add < 5%% to fork+exit+wait | %+.1f%% | %s |\n", hook, verdict(hook < 5)
	if ((largest, "cpu_on") in med)
		printf "| periodic scan at %s tasks, 1 s: < 1%% of one CPU | %.2f%% (walk alone %.2f%%) | %s |\n", largest, cpu, walk, verdict(cpu < 1)
	if (largest in pertask)
		printf "| kernel scan cost per task (reported) | %.0f ns/task at %s tasks; the getpriority walk: %.0f | |\n", pertask[largest], largest, med[largest, "floor"] / extra[largest, "floor"]
}' "$out/stats.txt" >"$out/bench.md"

[ $plot = yes ] || exit 0

# one data block per method: tasks, median ms, min ms, max ms
awk '
BEGIN {
	split("read cat zwatch zwatch_proc ps top true scan floor", order, " ")
}
{ med[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5; if ($1 > 0) sizes[$1] = 1 }
END {
	for (k = 1; k <= 9; k++) {
		printf "# %s\n", order[k]
		for (n in sizes)
			if ((n, order[k]) in med)
				printf "%s %g %g %g\n", n, med[n, order[k]] / 1e6, lo[n, order[k]] / 1e6, hi[n, order[k]] / 1e6 | "sort -n"
		close("sort -n")
		printf "\n\n"
	}
}' "$out/stats.txt" >"$out/plot.dat"

kernel=$(awk '$2 == "meta_kernel" { print $3 }' "$out/stats.txt")
gnuplot <<EOF
set terminal pngcairo noenhanced size 1000,760 font ",10"
set output "$out/bench.png"
set title "zwatch benchmark, $(date -u +%Y-%m-%d), guest kernel $kernel\nQEMU without KVM (software emulation): ratios matter, absolute times do not"
set xlabel "tasks"
set ylabel "wall time (ms), median, bars min-max"
set logscale xy
set xrange [700:70000]
set grid
set key outside below maxrows 3
plot "$out/plot.dat" index 0 using 1:2:3:4 with yerrorlines lw 2 title "read() /proc/zombies", \
     "" index 1 using 1:2:3:4 with yerrorlines lw 2 title "cat /proc/zombies", \
     "" index 2 using 1:2:3:4 with yerrorlines lw 2 title "zwatch list", \
     "" index 3 using 1:2:3:4 with yerrorlines lw 2 title "zwatch list --source=proc", \
     "" index 4 using 1:2:3:4 with yerrorlines lw 2 title "ps -eo stat,ppid | awk", \
     "" index 5 using 1:2:3:4 with yerrorlines lw 2 title "top -bn1 | grep zombie", \
     "" index 6 using 1:2:3:4 with yerrorlines dt 2 title "/bin/true (program start)", \
     "" index 7 using 1:2:3:4 with yerrorlines lw 2 title "kernel scan alone (scan_ns)", \
     "" index 8 using 1:2:3:4 with yerrorlines dt 2 title "walk of every task: getpriority(PRIO_USER)"
EOF
