#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing zwatch needs, and prepares the cache:
# the kselftest harness and checkpatch, taken from Debian's linux-source.
# Idempotent: when everything is present it only checks, in about a second.
set -euo pipefail

cache=${ZWATCH_CACHE:-/var/cache/zwatch}
srcver=6.1

packages=(
	build-essential kmod cpio busybox-static qemu-system-x86
	linux-image-amd64 linux-headers-amd64 "linux-source-$srcver"
	sparse python3 jq procps udev util-linux iproute2 xz-utils zstd
	prometheus tmux dkms prometheus-node-exporter curl systemd man-db gnuplot-nox
	flex bison bc libelf-dev libssl-dev debian-archive-keyring dwarves
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The harness and checkpatch come from the kernel's own source, unpacked
# outside the tree: tools/ and scripts/ only, not the whole 130 MB.
tarball=/usr/src/linux-source-$srcver.tar.xz
stamp=$cache/linux-source-$srcver/.stamp
if [ ! -e "$stamp" ] || [ "$tarball" -nt "$stamp" ]; then
	echo "deps: unpacking kselftest and checkpatch from $tarball"
	rm -rf "$cache/linux-source-$srcver"
	mkdir -p "$cache"
	tar -C "$cache" -xJf "$tarball" \
		"linux-source-$srcver/tools/testing/selftests/kselftest.h" \
		"linux-source-$srcver/tools/testing/selftests/kselftest_harness.h" \
		"linux-source-$srcver/scripts/checkpatch.pl" \
		"linux-source-$srcver/scripts/spelling.txt" \
		"linux-source-$srcver/scripts/const_structs.checkpatch"
	touch "$stamp"
fi
