#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the path of an initramfs for kernel KVER, building it once into the
# cache: static busybox, the modules that mounting the host's root over 9p
# needs (when the kernel has them as modules), and selftests/vm/init.
#
#   initramfs.sh KVER MODDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${ZWATCH_CACHE:-/var/cache/zwatch}
kver=$1
moddir=$2
base=${moddir%/lib/modules/*}
[ "$base" = "$moddir" ] && base=/

key=$(cat "$here/init" /bin/busybox | md5sum | cut -c1-12)
img=$cache/initramfs/$kver-$key.cpio.gz
if [ -e "$img" ]; then
	echo "$img"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,zwout,lib/modules}
cp /bin/busybox "$work/bin/busybox"
for tool in sh mount umount mkdir insmod chroot poweroff sleep cat echo \
	    switch_root mknod ln dmesg sync; do
	ln -s busybox "$work/bin/$tool"
done
cp "$here/init" "$work/init"
chmod +x "$work/init"

# Modules in dependency order; compressed ones are unpacked, since
# busybox's insmod reads plain ELF only.
: >"$work/modules"
for m in virtio_pci 9pnet_virtio 9p; do
	# none listed: built in (or the guest will say it cannot mount)
	modprobe -d "$base" -S "$kver" --show-depends "$m" 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' || true
done | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case $ko in
	*.xz) xz -dc "$ko" >"$work/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.zst) zstd -qdc "$ko" >"$work/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$ko" "$work/lib/modules/$name" ;;
	esac
	echo "$name" >>"$work/modules"
done

mkdir -p "$cache/initramfs"
# two guests may start at once: each writes its own, the last rename wins
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.$$"
mv "$img.$$" "$img"
echo "$img"
