#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of installing zwatch: `make install` and `make uninstall` into
# a DESTDIR (every file, its mode, PREFIX, the paths filled in), one version
# in the module, the tool, the man page and DKMS, the modprobe.d example
# against the module's parameters, `make dkms-install` then `dkms add` and
# `dkms build` against the installed kernel headers, the systemd units
# (systemd-analyze verify), the textfile writer's atomic update, a scrape of
# the real prometheus-node-exporter reading what the service's ExecStart
# wrote, and the Prometheus rules (promtool check rules, promtool test
# rules).  Nothing is written outside a temporary directory; no root needed
# but for what dkms wants.  Prints TAP, exits non-zero if a test failed.
#
#   selftests/install/run.sh [TEST...]	(default: all of them)
#
# KDIR: the kernel headers to build against (default: selftests/kdir.sh).
# Needs (Debian): build-essential, kmod, dkms, prometheus-node-exporter,
# prometheus (promtool), curl, systemd (systemd-analyze), man-db; a test
# whose tool is missing is skipped and says which package has it.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KDIR=${KDIR:-$("$top/selftests/kdir.sh")}
version=$(cat "$top/VERSION")

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
exporter_pid=
cleanup() {
	if [ -n "$exporter_pid" ]; then
		kill "$exporter_pid" 2>/dev/null
		wait "$exporter_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

why=		# what a test found wrong
skip=		# why a test was skipped

fail() {
	why="${why}$*
"
}

# need CMD PACKAGE: skip the test unless CMD is on PATH; returns 1 then
need() {
	command -v "$1" >/dev/null && return 0
	skip="$1 not installed (Debian package $2)"
	return 1
}

# have_kdir: skip the test unless there are headers to build against
have_kdir() {
	[ -f "$KDIR/Makefile" ] && return 0
	skip="no kernel headers in $KDIR (linux-headers-amd64; or set KDIR)"
	return 1
}

# mk LOG ARGS...: make ARGS in the top directory, output in $tmp/LOG; a
# failure fails the test with the end of that output
mk() {
	local log=$tmp/$1

	shift
	if ! make --no-print-directory -C "$top" KDIR="$KDIR" "$@" >"$log" 2>&1; then
		fail "make $* failed:"
		fail "$(tail -n 20 "$log")"
		return 1
	fi
}

kver() {
	"$top/selftests/kver.sh" "$KDIR"
}

# tree DIR: every file under DIR as "MODE PATH", sorted
tree() {
	(cd "$1" && find . -type f -printf '%m %P\n' | sort)
}

# expect_tree DIR: the files under DIR are exactly those on stdin
expect_tree() {
	sort >"$tmp/want"
	tree "$1" >"$tmp/got"
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		fail "files under $1 differ from the expected (-):"
		fail "$(diff -u "$tmp/want" "$tmp/got" | tail -n +3)"
	fi
}

# layout PREFIX KVER: the files `make install` lays out
layout() {
	cat <<EOF
644 etc/modprobe.d/zwatch.conf
644 lib/modules/$2/updates/zwatch.ko
644 usr/lib/udev/rules.d/90-zwatch.rules
755 usr/lib/zwatch/zwatch-textfile
755 usr/lib/zwatch/zwatch-udev-log
644 ${1#/}/lib/systemd/system/zwatch-textfile.service
644 ${1#/}/lib/systemd/system/zwatch-textfile.timer
755 ${1#/}/sbin/zwatch
644 ${1#/}/share/man/man8/zwatch.8
EOF
}

# the tree most tests look at: make install DESTDIR=$root, default PREFIX
root=$tmp/root
installed=	# ok, or why a test that needs it cannot run
install_once() {
	if [ -z "$installed" ]; then
		if ! have_kdir; then
			installed="skip:$skip"
		elif mk install.log install DESTDIR="$root"; then
			installed=ok
		else
			installed="fail:make install DESTDIR=$root failed"
		fi
	fi
	case $installed in
	ok) return 0 ;;
	skip:*) skip=${installed#skip:} ;;
	*) [ -n "$why" ] || fail "${installed#fail:}" ;;
	esac
	return 1
}

test_install_layout() {
	install_once || return
	layout /usr/local "$(kver)" | expect_tree "$root"
	if grep -rlI '@[A-Z_]*@' "$root" >"$tmp/left"; then
		fail "placeholders left in: $(cat "$tmp/left")"
	fi
	grep -q '^#!' "$root/usr/lib/zwatch/zwatch-textfile" ||
		fail "zwatch-textfile is not a script"
}

# the udev rules run the handler where install put it
test_install_udev_handler() {
	local run

	install_once || return
	run=$(sed -n 's/^ACTION.*RUN+="\([^"]*\)".*/\1/p' \
		"$root/usr/lib/udev/rules.d/90-zwatch.rules")
	[ "$run" = /usr/lib/zwatch/zwatch-udev-log ] ||
		fail "the rules run '$run'"
	[ -x "$root$run" ] || fail "$root$run is not installed or not executable"
}

test_install_prefix_usr() {
	local r=$tmp/usr-root unit

	have_kdir || return
	mk usr.log install DESTDIR="$r" PREFIX=/usr || return
	layout /usr "$(kver)" | expect_tree "$r"
	unit=$r/usr/lib/systemd/system/zwatch-textfile.service
	grep -qx 'Environment=ZWATCH=/usr/sbin/zwatch' "$unit" ||
		fail "the service does not run /usr/sbin/zwatch: $(grep ZWATCH= "$unit")"
	grep -qx 'ExecStart=/usr/lib/zwatch/zwatch-textfile' "$unit" ||
		fail "ExecStart: $(grep ExecStart "$unit")"
}

test_uninstall() {
	local r=$tmp/un-root

	have_kdir || return
	mk un1.log install DESTDIR="$r" || return
	mk un2.log uninstall DESTDIR="$r" || return
	expect_tree "$r" </dev/null
	[ ! -e "$r/usr/lib/zwatch" ] || fail "uninstall left usr/lib/zwatch"
}

# an edited /etc/modprobe.d/zwatch.conf survives install and uninstall
test_modprobe_conf_kept() {
	local r=$tmp/conf-root conf

	have_kdir || return
	conf=$r/etc/modprobe.d/zwatch.conf
	mk conf1.log install DESTDIR="$r" || return
	echo "options zwatch threshold=100" >>"$conf"
	mk conf2.log install DESTDIR="$r" || return
	grep -qx "options zwatch threshold=100" "$conf" ||
		fail "install overwrote the edited $conf"
	mk conf3.log uninstall DESTDIR="$r" || return
	grep -qx "options zwatch threshold=100" "$conf" ||
		fail "uninstall removed the edited $conf"
	grep -q "kept .*zwatch.conf" "$tmp/conf3.log" ||
		fail "uninstall did not say it kept $conf"
}

# one version: VERSION, modinfo, zwatch --version, the man page, dkms.conf
test_version_everywhere() {
	local ko got d=$tmp/ver-dkms

	install_once || return
	ko=$root/lib/modules/$(kver)/updates/zwatch.ko
	got=$(modinfo -F version "$ko")
	[ "$got" = "$version" ] || fail "modinfo version '$got', VERSION '$version'"
	got=$("$root/usr/local/sbin/zwatch" --version)
	case $got in
	"zwatch $version "*) ;;
	*) fail "zwatch --version says '$got', VERSION '$version'" ;;
	esac
	got=$(sed -n 's/^\.TH ZWATCH 8 "[^"]*" "\([^"]*\)".*/\1/p' \
		"$root/usr/local/share/man/man8/zwatch.8")
	[ "$got" = "zwatch $version" ] || fail "the man page's .TH says '$got'"
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$root/usr/local/share/man/man8/zwatch.8" \
			2>/dev/null | tail -n 1 | grep -q "zwatch $version" ||
			fail "the formatted man page does not end with 'zwatch $version'"
	fi
	mk ver-dkms.log dkms-install DESTDIR="$d" || return
	grep -qx "PACKAGE_VERSION=\"$version\"" "$d/usr/src/zwatch-$version/dkms.conf" ||
		fail "dkms.conf: $(grep PACKAGE_VERSION "$d/usr/src/zwatch-$version/dkms.conf")"
}

# the module installed is for the kernel of KDIR
test_install_module_kver() {
	local ko magic

	install_once || return
	ko=$root/lib/modules/$(kver)/updates/zwatch.ko
	magic=$(modinfo -F vermagic "$ko")
	[ "${magic%% *}" = "$(kver)" ] ||
		fail "vermagic '$magic' under lib/modules/$(kver)"
}

# every load parameter is in the example, commented out, with the module's
# default and range
test_modprobe_conf_params() {
	local conf ko name desc range def n=0

	install_once || return
	conf=$root/etc/modprobe.d/zwatch.conf
	ko=$root/lib/modules/$(kver)/updates/zwatch.ko
	if grep -q '^[[:space:]]*options' "$conf"; then
		fail "an option is set: $(grep '^[[:space:]]*options' "$conf")"
	fi
	while IFS=: read -r name desc; do
		n=$((n + 1))
		range=$(echo "$desc" | sed -n 's/.*(\([0-9]*\)-\([0-9]*\), default \([0-9]*\)).*/\1..\2/p')
		def=$(echo "$desc" | sed -n 's/.*, default \([0-9]*\)).*/\1/p')
		if [ -z "$range" ] || [ -z "$def" ]; then
			fail "modinfo: no range or default in '$name:$desc'"
			continue
		fi
		grep -qx "#options zwatch $name=$def" "$conf" ||
			fail "no '#options zwatch $name=$def' in zwatch.conf"
		# the paragraph of that line gives the range
		awk -v RS= -v p="#options zwatch $name=" 'index($0, p)' "$conf" |
			grep -qF "$range" || fail "the range $range of $name is not in zwatch.conf"
	done < <(modinfo -p "$ko")
	[ "$n" -ge 7 ] || fail "modinfo -p lists $n parameters"
	# uncommented, modprobe reads it
	if command -v modprobe >/dev/null; then
		mkdir -p "$tmp/modprobe.d"
		sed 's/^#options/options/' "$conf" >"$tmp/modprobe.d/zwatch.conf"
		n=$(modprobe -C "$tmp/modprobe.d" --showconfig 2>&1 |
			grep -c '^options zwatch ')
		[ "$n" -ge 7 ] || fail "modprobe --showconfig shows $n zwatch options"
	fi
}

# units that systemd accepts, with ExecStart where install put it
test_systemd_units_verify() {
	local u dir=$tmp/units

	install_once || return
	need systemd-analyze systemd || return
	mkdir -p "$dir"
	for u in zwatch-textfile.service zwatch-textfile.timer; do
		sed "s|^ExecStart=|ExecStart=$root|" \
			"$root/usr/local/lib/systemd/system/$u" >"$dir/$u"
	done
	if ! MANPATH=$root/usr/local/share/man systemd-analyze verify \
		"$dir/zwatch-textfile.service" "$dir/zwatch-textfile.timer" \
		>"$tmp/verify" 2>&1 || [ -s "$tmp/verify" ]; then
		fail "systemd-analyze verify: $(cat "$tmp/verify")"
	fi
	grep -qx 'Type=oneshot' "$dir/zwatch-textfile.service" ||
		fail "the service is not Type=oneshot"
	grep -qx 'Environment=ZWATCH_TEXTFILE_DIR=/var/lib/prometheus/node-exporter' \
		"$dir/zwatch-textfile.service" ||
		fail "the service does not default to Debian's textfile directory"
	grep -qx 'WantedBy=timers.target' "$dir/zwatch-textfile.timer" ||
		fail "the timer is not WantedBy=timers.target"
}

# fixture_proc DIR ZOMBIES PARENTS BIG SMALL: a proc tree with a
# /proc/zombies of two parents holding BIG and SMALL zombies
fixture_proc() {
	mkdir -p "$1/sys/kernel"
	echo 32768 >"$1/sys/kernel/pid_max"
	echo 15646 >"$1/sys/kernel/threads-max"
	cat >"$1/zombies" <<EOF
# zwatch 1 zombies=$2 parents=$3 defunct_leaders=1 rows=2 cut=0
   PPID ZOMBIES OLDEST_S      START CGROUP COMM
    123 $(printf '%7d' "$4")      240        867 /system.slice/leaky-daemon.service leaky-daemon
    124 $(printf '%7d' "$5")        1        868 /system.slice/app.service app\\040worker
EOF
}

# exec_start DIR ZWATCH_OPTS: run the installed service's ExecStart as
# systemd would, with its Environment= lines, writing into DIR, with the
# installed zwatch run with ZWATCH_OPTS
exec_start() {
	local unit=$root/usr/local/lib/systemd/system/zwatch-textfile.service
	local cmd env=()

	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	while IFS= read -r line; do
		env+=("$line")
	done < <(sed -n 's/^Environment=//p' "$unit")
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${env[@]}" \
		ZWATCH="$root/usr/local/sbin/zwatch" ZWATCH_TEXTFILE_DIR="$1" \
		ZWATCH_OPTS="$2" "$root$cmd"
}

# the textfile is replaced whole, readable by node_exporter, and kept when
# zwatch fails
test_textfile_atomic() {
	local dir=$tmp/textfile-atomic proc=$tmp/proc-atomic left

	install_once || return
	mkdir -p "$dir"
	fixture_proc "$proc" 52 2 40 12
	(umask 077 && exec_start "$dir" "--proc-root $proc") 2>"$tmp/err" ||
		fail "ExecStart failed: $(cat "$tmp/err")"
	"$root/usr/local/sbin/zwatch" --proc-root "$proc" list --prometheus |
		grep -v '^zwatch_collect_duration_seconds' >"$tmp/want"
	grep -v '^zwatch_collect_duration_seconds' "$dir/zwatch.prom" >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" ||
		fail "zwatch.prom is not zwatch's output: $(diff "$tmp/want" "$tmp/got")"
	[ "$(stat -c %a "$dir/zwatch.prom")" = 644 ] ||
		fail "zwatch.prom has mode $(stat -c %a "$dir/zwatch.prom") (umask 077)"
	# a failing zwatch (--source=module, no module: status 2) leaves it
	cp "$dir/zwatch.prom" "$tmp/before"
	if exec_start "$dir" "--source=module --proc-root $tmp/nowhere" 2>"$tmp/err"; then
		fail "ExecStart succeeded with zwatch failing"
	fi
	cmp -s "$tmp/before" "$dir/zwatch.prom" || fail "a failed run changed zwatch.prom"
	left=$(find "$dir" -mindepth 1 ! -name zwatch.prom)
	[ -z "$left" ] || fail "files left in the textfile directory: $left"
}

# free_port: a TCP port nobody listens on at 127.0.0.1
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# scrape URL: /metrics into $tmp/metrics
scrape() {
	curl -sf -o "$tmp/metrics" "$1"
}

# expect_metric LINE: the scrape has that exact sample line
expect_metric() {
	grep -qxF -- "$1" "$tmp/metrics" ||
		fail "no '$1' in /metrics: $(grep "^${1%%[{ ]*}" "$tmp/metrics" | head -n 5)"
}

# The real node_exporter, textfile collector only, on loopback: what the
# service's ExecStart writes shows in /metrics, and a second run updates it
test_node_exporter_scrape() {
	local dir=$tmp/textfile proc=$tmp/proc-scrape port url

	install_once || return
	need prometheus-node-exporter prometheus-node-exporter || return
	need curl curl || return
	need python3 python3 || return
	mkdir -p "$dir"
	fixture_proc "$proc" 52 2 40 12
	exec_start "$dir" "--proc-root $proc" 2>"$tmp/err" ||
		fail "ExecStart failed: $(cat "$tmp/err")"
	port=$(free_port)
	url=http://127.0.0.1:$port/metrics
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" >"$tmp/exporter.log" 2>&1 &
	exporter_pid=$!
	for _ in $(seq 50); do
		scrape "$url" && break
		sleep 0.1
	done
	if [ ! -s "$tmp/metrics" ]; then
		fail "node_exporter did not answer on $url: $(tail -n 5 "$tmp/exporter.log")"
		return
	fi
	expect_metric 'node_textfile_scrape_error 0'
	expect_metric 'zwatch_info{source="module"} 1'
	expect_metric 'zwatch_zombies 52'
	expect_metric 'zwatch_zombie_parents 2'
	expect_metric 'zwatch_defunct_leaders 1'
	expect_metric 'zwatch_parent_zombies{cgroup="/system.slice/leaky-daemon.service",comm="leaky-daemon",ppid="123"} 40'
	expect_metric 'zwatch_parent_zombies{cgroup="/system.slice/app.service",comm="app worker",ppid="124"} 12'
	expect_metric 'zwatch_parent_oldest_zombie_age_seconds{cgroup="/system.slice/leaky-daemon.service",comm="leaky-daemon",ppid="123"} 240'
	expect_metric 'zwatch_oldest_zombie_age_seconds 240'
	expect_metric 'zwatch_pid_max 32768'
	grep -q '^node_textfile_mtime_seconds{file="[^"]*zwatch.prom"} ' "$tmp/metrics" ||
		fail "no node_textfile_mtime_seconds for zwatch.prom"
	# the leak grows: the next run's numbers are what node_exporter serves
	fixture_proc "$proc" 72 2 60 12
	exec_start "$dir" "--proc-root $proc" 2>"$tmp/err" ||
		fail "ExecStart failed: $(cat "$tmp/err")"
	scrape "$url" || fail "the second scrape failed"
	expect_metric 'zwatch_zombies 72'
	expect_metric 'zwatch_parent_zombies{cgroup="/system.slice/leaky-daemon.service",comm="leaky-daemon",ppid="123"} 60'
	kill "$exporter_pid"
	wait "$exporter_pid" 2>/dev/null
	exporter_pid=
}

test_promtool_check_rules() {
	need promtool prometheus || return
	promtool check rules "$top/tools/prometheus/zwatch.rules.yml" >"$tmp/out" 2>&1 ||
		fail "$(cat "$tmp/out")"
}

# the alerts fire when they should and not otherwise (promtool's unit tests)
test_promtool_test_rules() {
	need promtool prometheus || return
	promtool test rules "$here/zwatch.rules.test.yml" >"$tmp/out" 2>&1 ||
		fail "$(cat "$tmp/out")"
}

test_dkms_install_layout() {
	local d=$tmp/dkms-root f

	mk dkms-layout.log dkms-install DESTDIR="$d" || return
	{
		echo "644 usr/src/zwatch-$version/dkms.conf"
		for f in Kbuild VERSION uapi/linux/zwatch.h module/Kbuild; do
			echo "644 usr/src/zwatch-$version/$f"
		done
		(cd "$top" && { git ls-files 'module/*.[ch]' 2>/dev/null ||
			find module -name '*.[ch]' ! -name '*.mod.c' | sort; }) |
			sed "s|^|644 usr/src/zwatch-$version/|"
	} | expect_tree "$d"
}

# dkms add and build from what dkms-install laid out, against the installed
# headers, in a private DKMS tree (the system's is not touched); the
# module it builds has the version and the kernel's vermagic
test_dkms_build() {
	local d=$tmp/dkms-src kv ko status

	need dkms dkms || return
	have_kdir || return
	kv=$(kver)
	mk dkms-src.log dkms-install DESTDIR="$d" || return
	mkdir -p "$tmp/dkms-tree" "$tmp/dkms-key"
	export mok_signing_key=$tmp/dkms-key/mok.key mok_certificate=$tmp/dkms-key/mok.pub
	set -- --sourcetree "$d/usr/src" --dkmstree "$tmp/dkms-tree"
	if ! dkms add -m zwatch -v "$version" "$@" >"$tmp/dkms.log" 2>&1; then
		fail "dkms add: $(tail -n 20 "$tmp/dkms.log")"
		return
	fi
	if ! dkms build -m zwatch -v "$version" -k "$kv" --kernelsourcedir "$KDIR" \
		"$@" >"$tmp/dkms.log" 2>&1; then
		fail "dkms build: $(tail -n 20 "$tmp/dkms.log")"
		fail "$(tail -n 30 "$tmp/dkms-tree/zwatch/$version/build/make.log" 2>/dev/null)"
		return
	fi
	status=$(dkms status -m zwatch -v "$version" -k "$kv" "$@" 2>&1)
	case $status in
	"zwatch/$version, $kv, "*": built"*) ;;
	*) fail "dkms status: '$status'" ;;
	esac
	ko=$(find "$tmp/dkms-tree/zwatch/$version/$kv" -name 'zwatch.ko*' | head -n 1)
	if [ -z "$ko" ]; then
		fail "no zwatch.ko in the DKMS tree"
		return
	fi
	[ "$(modinfo -F version "$ko")" = "$version" ] ||
		fail "the DKMS module's version is '$(modinfo -F version "$ko")'"
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kv" ] ||
		fail "the DKMS module's vermagic is '$(modinfo -F vermagic "$ko")'"
	# the QEMU tier loads it (selftests/vm/tests.sh)
	mkdir -p "$top/selftests/out/dkms"
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$top/selftests/out/dkms/zwatch.ko"
	unset mok_signing_key mok_certificate
}

all_tests=(install_layout install_udev_handler install_prefix_usr uninstall
	modprobe_conf_kept version_everywhere install_module_kver
	modprobe_conf_params systemd_units_verify textfile_atomic
	node_exporter_scrape promtool_check_rules promtool_test_rules
	dkms_install_layout dkms_build)
[ $# -gt 0 ] || set -- "${all_tests[@]}"

n=0 failed=0
echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	why=
	skip=
	"test_$t"
	if [ -n "$why" ]; then
		echo "not ok $n - $t"
		printf '%s' "$why" | sed 's/^/# /'
		failed=$((failed + 1))
	elif [ -n "$skip" ]; then
		echo "ok $n - $t # SKIP $skip"
	else
		echo "ok $n - $t"
	fi
done
echo "# $((n - failed)) of $n passed"
[ "$failed" -eq 0 ]
