#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots the default kernel in QEMU, loads zwatch.ko, starts two
# zombie leaks and shows what zwatch says about them.
#
#   demo.sh KDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$1
kver=$("$top/selftests/kver.sh" "$kdir")
make -s -C "$top/selftests" zw_leaker >/dev/null
echo "Booting Linux $kver in QEMU (software emulation: about 15 seconds)..."
cd "$top"
exec selftests/vm/run.sh -k "$kver" -t 300 -o "$top/selftests/out/demo" \
	-- selftests/vm/demo-guest.sh
