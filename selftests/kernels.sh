#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Puts one kernel of the test matrix in the cache and prints where it is:
#
#   kernels.sh KERNEL      KERNEL: 5.10 | 6.1 | 6.12 | 7.2
#   -> KVER=...  IMAGE=...  MODDIR=...  KDIR=...  CHECK=...  (shell assignments)
#
# CHECK is the sparse that KDIR's kbuild accepts: Debian 12's 0.6.4 is too
# old for kernels that use __typeof_unqual__ (7.2: "C=2 specified, but
# sparse is not available or not up to date", and the check is silently
# skipped), so for those, sparse is built from Debian sid's source package.
#
# 6.1 is Debian 12's own kernel, installed by deps.sh.  5.10 (bullseye) and
# 6.12 (bookworm-backports) are Debian's packages, fetched with a private
# apt state so the system's sources are never touched, and unpacked into
# the cache.  7.2 is built from Debian sid's linux-source-7.2 (its binary
# headers need a newer gcc and glibc than Debian 12 has) with a small config
# (selftests/kconfig: tinyconfig + guest + debug options); it is also the
# debug tier.  Everything is done once: a warm cache answers at once.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${ZWATCH_CACHE:-/var/cache/zwatch}
k=${1:?usage: kernels.sh 5.10|6.1|6.12|7.2}
dir=$cache/kernels/$k
envfile=$dir/env

log() { echo "kernels: $k: $*" >&2; }


# The archive this machine already uses (never named here): its URI for
# Debian's main archive, and for the security archive next to it.
debian_uri() {
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" { print $2 }'
		cat /etc/apt/sources.list 2>/dev/null | awk '$1 == "deb" { print $2 }'
	} | grep -E '/debian/?$' | head -n 1 || true
}

# a private apt state: its own sources, lists, cache, and an empty status,
# so that what this machine has installed does not count as a candidate
apt_private() {	# apt_private NAME SUITE...
	local name=$1 uri suite
	shift
	uri=$(debian_uri)
	[ -n "$uri" ] || { log "no Debian archive in the system's apt sources"; exit 1; }
	aptdir=$cache/apt/$name
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	: >"$aptdir/sources.list"
	: >"$aptdir/status"
	for suite in "$@"; do
		case $suite in
		*-security) echo "deb ${uri%/}-security $suite main" ;;
		*) echo "deb $uri $suite main" ;;
		esac >>"$aptdir/sources.list"
	done
	[ "${apt_src:-}" = yes ] && sed -n 's/^deb /deb-src /p' "$aptdir/sources.list" \
		>>"$aptdir/sources.list"
	aptopts=(-o "Dir::Etc::sourcelist=$aptdir/sources.list"
		 -o "Dir::Etc::sourceparts=-"
		 -o "Dir::State::Lists=$aptdir/lists"
		 -o "Dir::Cache=$aptdir/cache"
		 -o "Dir::State::status=$aptdir/status"
		 -o "APT::Get::List-Cleanup=0")
	apt-get -q "${aptopts[@]}" update >&2
}

fetch() {	# fetch PKG...: download into $dir/debs and unpack into $dir/root
	mkdir -p "$dir/debs" "$dir/root"
	(cd "$dir/debs" && apt-get -q "${aptopts[@]}" download "$@" >&2)
	local deb
	for deb in "$dir"/debs/*.deb; do
		dpkg -x "$deb" "$dir/root"
	done
}

# the package a metapackage points at, e.g. linux-image-5.10.0-33-amd64
dep_of() {
	apt-cache "${aptopts[@]}" depends "$1" |
		awk -v re="$2" '$1 == "Depends:" && $2 ~ re { print $2; exit }'
}

debian_kernel() {	# debian_kernel SUITE...
	local pkg abi kbuild headers
	apt_private "$k" "$@"
	pkg=$(dep_of linux-image-amd64 '^linux-image-[0-9]')
	abi=${pkg#linux-image-}
	headers=linux-headers-$abi
	kbuild=$(apt-cache "${aptopts[@]}" depends "$headers" |
		 awk '$1 == "Depends:" && $2 ~ /^linux-(kbuild|headers)-/ { print $2 }')
	log "fetching $pkg $headers $kbuild"
	rm -rf "$dir/debs" "$dir/root"
	# shellcheck disable=SC2086
	fetch "$pkg" "$headers" $kbuild
	# the flavour's Makefile includes the common one by absolute path
	sed -i "s|include /usr/src/|include $dir/root/usr/src/|" \
		"$dir/root/usr/src/$headers/Makefile"
	# the initramfs finds 9p's modules through modules.dep
	depmod -b "$dir/root" "$abi"
	kver=$abi
	image=$dir/root/boot/vmlinuz-$kver
	moddir=$dir/root/lib/modules/$kver
	kdir=$dir/root/usr/src/$headers
}

source_kernel() {	# source_kernel SUITE VERSION
	local src=$dir/src/linux-source-$2 want missing=0
	if [ ! -e "$src/.zwatch-unpacked" ]; then
		apt_private "$k" "$1"
		log "fetching linux-source-$2"
		rm -rf "$dir/debs" "$dir/root" "$dir/src"
		fetch "linux-source-$2"
		mkdir -p "$dir/src"
		log "unpacking"
		tar -C "$dir/src" -xJf "$dir/root/usr/src/linux-source-$2.tar.xz"
		rm -rf "$dir/root" "$dir/debs"
		touch "$src/.zwatch-unpacked"
	fi
	log "configuring: tinyconfig + $(cd "$here/kconfig" && echo *.config)"
	make -s -C "$src" tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" \
		"$here"/kconfig/*.config >/dev/null
	make -s -C "$src" olddefconfig >&2
	# every option asked for must have survived the dependency solver
	while read -r want; do
		case $want in
		CONFIG_*=*) grep -qx "$want" "$src/.config" ;;
		"# CONFIG_"*" is not set")
			want=${want#\# }
			! grep -q "^${want%% *}=" "$src/.config"
			;;
		*) continue ;;
		esac || { log "not as asked: $want"; missing=1; }
	done < <(cat "$here"/kconfig/*.config)
	[ $missing -eq 0 ] || exit 1
	log "building bzImage (incremental; from scratch about 15 minutes on 2 cores)"
	make -s -C "$src" -j"$(nproc)" LOCALVERSION=-zwatch bzImage modules_prepare >&2
	# external modules link against what vmlinux exports
	cp "$src/vmlinux.symvers" "$src/Module.symvers"
	kver=$(make -s -C "$src" LOCALVERSION=-zwatch kernelrelease)
	image=$src/arch/x86/boot/bzImage
	# everything the guest needs is built in: no modules to load
	moddir=$dir/modules/lib/modules/$kver
	mkdir -p "$moddir"
	kdir=$src
}

# checker KDIR: the sparse KDIR's kbuild accepts (scripts/checker-valid.sh,
# where the tree has one), else one built from sid's source, once
checker() {
	local valid=$1/scripts/checker-valid.sh src bin=$cache/sparse/sparse
	if [ ! -e "$valid" ] ||
	   [ "$(sh "$valid" sparse --arch=x86 -mlittle-endian -m64 2>/dev/null)" = 1 ]; then
		echo sparse
		return
	fi
	if [ ! -x "$bin" ]; then
		log "Debian 12's sparse is too old for this tree: building sid's"
		apt_src=yes apt_private sparse sid
		rm -rf "$cache/sparse" "$cache/sparse.src"
		mkdir -p "$cache/sparse.src"
		(cd "$cache/sparse.src" &&
			apt-get -q "${aptopts[@]}" source --download-only sparse >&2)
		tar -C "$cache/sparse.src" -xzf "$cache"/sparse.src/sparse_*.orig.tar.gz
		src=$(find "$cache/sparse.src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
		make -s -C "$src" -j"$(nproc)" sparse HAVE_SQLITE=no HAVE_GTK=no HAVE_LLVM=no \
			>"$cache/sparse.src/build.log" 2>&1 ||
			{ cat "$cache/sparse.src/build.log" >&2; exit 1; }
		mkdir -p "$cache/sparse"
		cp "$src/sparse" "$bin"
		rm -rf "$cache/sparse.src"
	fi
	[ "$(sh "$valid" "$bin" --arch=x86 -mlittle-endian -m64 2>/dev/null)" = 1 ] ||
		{ log "no sparse that $1 accepts"; exit 1; }
	echo "$bin"
}

# the kernel's assignments, and the checker for its tree
report() {	# report ENVFILE|-
	local line
	line=$(grep -v '^STAMP=' "$1")
	eval "$line"
	echo "$line CHECK=$(checker "$KDIR")"
}

if [ "$k" = 6.1 ]; then
	kdir=$("$here/kdir.sh")
	kver=$("$here/kver.sh" "$kdir")
	echo "KVER=$kver IMAGE=/boot/vmlinuz-$kver MODDIR=/lib/modules/$kver KDIR=$kdir" |
		report -
	exit 0
fi

# what a cached kernel was made from: change it and the kernel is redone
recipe=2
stamp=$(cat "$here/kconfig/"*.config <(echo "$recipe") | md5sum | cut -c1-12)
if [ -e "$envfile" ] && grep -q "STAMP=$stamp" "$envfile"; then
	report "$envfile"
	exit 0
fi

case $k in
5.10) debian_kernel bullseye bullseye-security ;;
6.12) debian_kernel bookworm-backports ;;
7.2) source_kernel sid 7.2 ;;
*) log "unknown kernel (5.10, 6.1, 6.12, 7.2)"; exit 2 ;;
esac

[ -r "$image" ] && [ -d "$kdir" ] || { log "incomplete: $image $kdir"; exit 1; }
printf 'KVER=%s IMAGE=%s MODDIR=%s KDIR=%s\nSTAMP=%s\n' \
	"$kver" "$image" "$moddir" "$kdir" "$stamp" >"$envfile"
report "$envfile"
