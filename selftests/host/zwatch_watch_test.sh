#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zwatch watch: frames one after another when stdout is not a terminal,
# with the change per parent between them; and on a pseudo-terminal made
# by script(1): the screen redrawn, q quits, the terminal restored.
# Prints TAP.

. "$(dirname "$0")/lib.sh"

test_frames() {
	proc_root valid.txt
	"$zwatch" watch -n 1 --count 2 --proc-root "$root" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 0.4
	# between the frames: 4242 gains 3, 100 loses 1, 555 is new
	cat >"$root/zombies" <<'EOF'
# zwatch 1 zombies=16 parents=6 defunct_leaders=1 rows=6 cut=0
   PPID ZOMBIES OLDEST_S      START CGROUP COMM
   4242       8    11521     123456 /system.slice/my\040app.service my\040daemon
    555       4        1      77777 / newcomer
    100       2      193      98765 /user.slice/user-1000.slice back\134slash
    777       2       46       5555 - tab\011nl\012
      1       1   187201          1 / café
  31337       1        1          0 /a\134b \101\102C
EOF
	wait $pid
	rc=$?
	expect_rc 0
	expect_empty err
	[ "$(grep -c '^zwatch watch: every 1.0s' "$tmp/out")" -eq 2 ] ||
		fail "not two frames: '$(cat "$tmp/out")'"
	expect_not_in out "$(printf '\033')"
	expect_in out "zombies +4 since the last refresh"
	# first frame: no change known; second: +3, new, -1, 0
	expect_in out " PPID ZOMBIES CHANGE   AGE  START CGROUP"
	expect_in out " 4242       5      - 3h12m 123456 /system.slice/my\\040app.service my\\040daemon"
	expect_in out " 4242       8     +3 3h12m 123456 /system.slice/my\\040app.service my\\040daemon"
	expect_in out "  555       4    new    1s  77777 /                               newcomer"
	expect_in out "  100       2     -1 3m13s  98765 /user.slice/user-1000.slice     back\\134slash"
	expect_in out "  777       2      0   46s   5555 -                               tab\\011nl\\012"
}

test_filter() {
	proc_root valid.txt
	run watch --count 1 --comm ABC --proc-root "$root"
	expect_rc 0
	expect_in out "showing 1 zombies under 1 parents: --comm ABC"
	# rows: the first two fields are numbers
	[ "$(grep -c '^ *[0-9][0-9]*  *[0-9]' "$tmp/out")" -eq 1 ] ||
		fail "not one row"
	expect_not_in out "daemon"
}

test_usage() {
	run watch -n 0.05
	expect_rc 1
	expect_in err "-n: '0.05' is not a number of seconds from 0.1 up"
	run watch -n abc
	expect_rc 1
	run watch -n 1.2345
	expect_rc 1
}

# on a terminal: redrawn, q quits, the terminal is as it was
test_pty() {
	if ! command -v script >/dev/null; then
		skip="script(1) not installed (util-linux)"
		return
	fi
	proc_root valid.txt
	{ sleep 1; printf q; sleep 1; } |
		timeout 20 script -qec "'$zwatch' watch -n 0.2 --proc-root '$root'; echo zwatch-rc=\$?; stty -a" \
			/dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect_rc 0
	expect_in out "$(printf '\033[H\033[2J')"
	expect_in out "(q quits)"
	expect_in out "my\\040daemon"
	expect_in out "zwatch-rc=0"
	frames=$(grep -c "zwatch watch: every 0.2s" "$tmp/out")
	[ "$frames" -ge 2 ] || fail "$frames frames in a second at 0.2s"
	# whole words: " echo" alone would match " echoe" next to "-echo";
	# script(1) ends its lines with \r, which [[:space:]] takes
	grep -qE '(^| )icanon([[:space:]]|$)' "$tmp/out" &&
		grep -qE '(^| )echo([[:space:]]|$)' "$tmp/out" ||
		fail "terminal left without icanon or echo: $(grep -a icanon "$tmp/out")"
}

tap_run frames filter usage pty
