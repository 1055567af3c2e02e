#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots a kernel in QEMU with the host's root filesystem as the guest's
# userspace (read-only over 9p, tmpfs where tests write), runs one command
# there as root, and brings back its output and exit status.
#
#   run.sh -k KVER [-i IMAGE] [-m MODDIR] [-t TIMEOUT] [-o OUTDIR] [-1] -- CMD...
#
# KVER names the guest kernel: its image defaults to /boot/vmlinuz-KVER and
# its modules (9p and virtio, if not built in) to /lib/modules/KVER.  The
# guest runs CMD with bash in the host's filesystem; CMD's output is written
# to OUTDIR/output and echoed, its status to OUTDIR/status, the guest kernel
# log to OUTDIR/console.  -1: one boot only, even when the guest died
# before CMD started (see "booted once more" below).  Exits with CMD's
# status, or 1 when the guest kernel logged a warning, a bug, a lockdep or
# RCU report or a kmemleak report, or when the guest did not finish in time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${ZWATCH_CACHE:-/var/cache/zwatch}
kver= image= moddir= timeout=600 out= mem=${ZWATCH_VM_MEM:-2048} retry=yes

while getopts "k:i:m:t:o:M:1" opt; do
	case $opt in
	k) kver=$OPTARG ;;
	i) image=$OPTARG ;;
	m) moddir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	o) out=$OPTARG ;;
	M) mem=$OPTARG ;;
	1) retry=no ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ -z "$kver" ] || [ $# -eq 0 ]; then
	echo "usage: run.sh -k KVER [-i IMAGE] [-m MODDIR] [-t SECS] [-o DIR] -- CMD..." >&2
	exit 2
fi
image=${image:-/boot/vmlinuz-$kver}
moddir=${moddir:-/lib/modules/$kver}
out=${out:-$(mktemp -d /tmp/zwatch-vm.XXXXXX)}
mkdir -p "$out"
rm -f "$out/output" "$out/status" "$out/console" "$out/console.boot1" \
	"$out/dmesg" "$out/started"
[ -r "$image" ] || { echo "run.sh: no kernel image $image" >&2; exit 2; }

initrd=$("$here/initramfs.sh" "$kver" "$moddir") ||
	{ echo "run.sh: cannot build an initramfs for $kver" >&2; exit 1; }

# The command travels as a script in OUTDIR, which the guest mounts rw.
{
	printf 'cd %q\n' "$PWD"
	printf '%q ' "$@"
	echo
} >"$out/job"

# Two virtual CPUs, emulated by one host thread (ZWATCH_VM_TCG=multi for one
# each): with a thread each, a CPU running through a tracepoint's branch
# while loading the module patches it has hung in QEMU twice (RIP stuck at
# the patched site in do_exit() and in delayed_put_task_struct()).
cmdline="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 softlockup_panic=1"
cmdline+=" hung_task_panic=1 rcupdate.rcu_cpu_stall_panic=1 loglevel=7"
cmdline+=" zwvm.guest=$here/guest.sh zwvm.top=$(cd "$here/../.." && pwd)"

# No 5-level paging (la57=off).  With LA57, identify_boot_cpu() clears
# boot_cpu_data's capabilities while interrupts are on and alternatives are
# not yet applied: for a moment pgtable_l5_enabled() is false, so
# __VIRTUAL_MASK_SHIFT is 47 and KASAN's shadow starts above the 5-level
# direct map.  An interrupt in that window that touches a kmalloc'd irq_desc
# is reported as a wild-memory-access (the 7.2 debug kernel panicked so at
# boot).  zwatch does not depend on the paging mode; the CPU is otherwise
# QEMU's `max`.  ZWATCH_VM_CPU names another (selftests/vm/boots.sh).
boot() {
	timeout --foreground -k 10 "$timeout" \
		qemu-system-x86_64 -nographic -no-reboot -m "$mem" -smp 2 \
		-cpu "${ZWATCH_VM_CPU:-max,la57=off}" -machine q35 -accel tcg,thread="${ZWATCH_VM_TCG:-single}" \
		-kernel "$image" -initrd "$initrd" -append "$cmdline" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$out",mount_tag=zwout,security_model=none,multidevs=remap \
		-serial file:"$out/console" -monitor none -display none \
		-net none </dev/null >/dev/null 2>"$out/qemu.err"
}

status=0
boot || status=$?
# A guest that died before its command started (a boot flake, not a result
# of the tests) is booted once more; one that hung is not (it had its
# time).  The retry is said in the TAP output, as a comment: it is never a
# result.  The first boot's console is kept beside the second's.
if [ $retry = yes ] && [ ! -e "$out/started" ] && [ ! -e "$out/status" ] &&
   [ $status -ne 124 ] && [ $status -ne 137 ]; then
	mv "$out/console" "$out/console.boot1" 2>/dev/null
	echo "# retry: the guest died before its command started (qemu status $status);" \
		"booting once more; first console: $out/console.boot1"
	grep -aE 'BUG:|Kernel panic|WARNING:' "$out/console.boot1" 2>/dev/null |
		head -n 3 | sed 's/^/# retry:   /'
	status=0
	boot || status=$?
fi

[ -e "$out/output" ] && cat "$out/output"

fail=0
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	echo "run.sh: guest did not finish within ${timeout}s" >&2
	fail=1
elif [ ! -e "$out/status" ]; then
	echo "run.sh: guest stopped before the command finished (qemu status $status)" >&2
	fail=1
fi

# Whatever the tests said, a kernel that complained fails the run.
bad='BUG:|WARNING:|Oops|Call Trace|KASAN|possible circular locking|'
bad+='sleeping function called from invalid context|rcu_sched self-detected|'
bad+='rcu: INFO:|detected stall|unreferenced object|Kernel panic|'
bad+='general protection fault|UBSAN|inconsistent lock state|possible recursive locking|'
bad+='suspicious RCU usage|kmemleak: [0-9]+ new suspected|'
# a kmemleak that gave up (its own allocations failed) would pass any leak
bad+='kmemleak: Kernel memory leak detector disabled|kmemleak: Cannot allocate a kmemleak_object'
for log in "$out/console" "$out/dmesg" "$out/kmemleak"; do
	[ -e "$log" ] || continue
	if grep -aE "$bad" "$log" >"$out/kernel-complaints" 2>/dev/null; then
		echo "run.sh: the guest kernel complained ($log):" >&2
		head -n 20 "$out/kernel-complaints" >&2
		fail=1
		break
	fi
done

[ $fail -eq 0 ] || exit 1
exit "$(cat "$out/status")"
