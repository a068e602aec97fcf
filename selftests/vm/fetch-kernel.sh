#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh SERIES (6.1 or 6.12): make the newest Debian kernel of that series
# bootable and buildable-against from $DIOWQ_CACHE/kernels/<kver>/, and print its env file
# (KEY=value lines, also saved as $DIOWQ_CACHE/kernels/<kver>/env) on stdout.
#
# The packages are downloaded and unpacked with dpkg -x, never installed: installing an image
# runs bootloader/initramfs hooks on the host, and the 6.12 headers package would pull in the
# signed image. A kernel already unpacked is reused as is (the env file is written last, so
# it marks a complete entry).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 && $1 =~ ^[0-9]+\.[0-9]+$ ]] || { echo "usage: $0 SERIES   (e.g. 6.1, 6.12)" >&2; exit 2; }
series=$1

# Debian names the unsigned images linux-image-6.1.0-56-amd64-unsigned and
# linux-image-6.12.117+deb12-amd64-unsigned; the newest ABI is the highest version sort.
newest_kver() {
	apt-cache search --names-only \
		"^linux-image-${series//./\\.}\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64-unsigned\$" |
		awk '{print $1}' | sort -V | tail -n1 |
		sed -e 's/^linux-image-//' -e 's/-unsigned$//'
}

# Without package lists (and no way to get them), fall back to what is already cached.
cached_kver() {
	local env
	for env in "$DIOWQ_CACHE"/kernels/*/env; do
		if [[ -f $env ]] && grep -qx "SERIES=$series" "$env"; then
			sed -n 's/^KVER=//p' "$env"
		fi
	done | sort -V | tail -n1
}

kver=$(newest_kver)
if [[ -z $kver ]]; then
	need_root "fetching the $series kernel"
	apt_update_once || log "apt-get update failed; trying the cache"
	kver=$(newest_kver)
fi
[[ -n $kver ]] || kver=$(cached_kver)
[[ -n $kver ]] || die "no linux-image-$series.*-amd64-unsigned package known to apt, none cached"

if [[ ! -f $DIOWQ_CACHE/kernels/$kver/env && -z ${DIOWQ_APT_UPDATED:-} ]]; then
	# About to download: make sure it is the newest ABI and not a stale list's idea of it
	# (an update costs little next to the download, and mirrors drop superseded ABIs).
	need_root "fetching kernel $kver"
	if apt_update_once; then
		kver=$(newest_kver)
	fi
	[[ -n $kver ]] || die "apt no longer knows any linux-image-$series.*-amd64-unsigned"
fi

root=$DIOWQ_CACHE/kernels/$kver
if [[ -f $root/env ]]; then
	cat "$root/env"
	exit 0
fi

need_root "fetching kernel $kver"
image_pkg=linux-image-$kver-unsigned
headers_pkg=linux-headers-$kver
fetch_debs "$image_pkg" "$headers_pkg"
headers_deb=$(deb_path "$headers_pkg")
# The flavour headers depend on the -common headers and on the kbuild tools package, whose
# names differ between 6.1 (linux-kbuild-6.1) and 6.12 (linux-kbuild-6.12.117+deb12): read
# them off the package instead of guessing.
mapfile -t extra_pkgs < <(dpkg-deb -f "$headers_deb" Depends | tr ',|' '\n' |
	awk '{print $1}' | grep -E '^linux-(headers-.*-common|kbuild-.*)$' | sort -u)
[[ ${#extra_pkgs[@]} -eq 2 ]] || die "unexpected dependencies of $headers_pkg: ${extra_pkgs[*]}"
fetch_debs "${extra_pkgs[@]}"

log "unpacking $kver into $root"
mkdir -p "$DIOWQ_CACHE/kernels"
tmp=$(mktemp -d "$DIOWQ_CACHE/kernels/.tmp-$kver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- image: boot files at the top, the module tree at lib/modules/<kver> (depmod -b layout).
dpkg -x "$(deb_path "$image_pkg")" "$tmp/image"
for f in vmlinuz config System.map; do
	mv "$tmp/image/boot/$f-$kver" "$tmp/$f"
done
moddir=
for d in "$tmp/image/lib/modules/$kver" "$tmp/image/usr/lib/modules/$kver"; do
	[[ -d $d ]] && moddir=$d
done
[[ -n $moddir ]] || die "$image_pkg has no modules/$kver"
mkdir -p "$tmp/lib/modules"
mv "$moddir" "$tmp/lib/modules/$kver"
rm -rf "$tmp/image"
# Debian generates modules.dep in the image's postinst, which dpkg -x does not run.
depmod -b "$tmp" "$kver"

# --- vmlinux for QEMU's PVH entry (faster under TCG); keep vmlinuz as the fallback.
kernel=$root/vmlinuz
if grep -qx 'CONFIG_PVH=y' "$tmp/config" && "$VM_DIR/extract-vmlinux.sh" "$tmp/vmlinuz" "$tmp/vmlinux"; then
	kernel=$root/vmlinux
fi

# --- headers: the flavour, -common and kbuild packages unpacked into one root.
for pkg in "$headers_pkg" "${extra_pkgs[@]}"; do
	dpkg -x "$(deb_path "$pkg")" "$tmp/headers"
done
kdir_rel=usr/src/linux-headers-$kver
# The flavour Makefile is one line, `include /usr/src/linux-headers-<x>-common/Makefile`:
# point it at the -common tree inside this root.
common=$(sed -n 's|^include /\(usr/src/linux-headers-.*-common\)/Makefile$|\1|p' "$tmp/headers/$kdir_rel/Makefile")
[[ -n $common && -d $tmp/headers/$common ]] || die "unexpected $kdir_rel/Makefile in $headers_pkg"
sed -i "s|^include /usr/src/|include $root/headers/usr/src/|" "$tmp/headers/$kdir_rel/Makefile"
# Absolute symlinks (lib/modules/<kver>/build and source) would point into the host's /usr:
# make them relative, inside the root.
while IFS= read -r -d '' link; do
	target=$(readlink "$link")
	[[ $target == /* ]] || continue
	ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$tmp/headers$target")" "$link"
done < <(find "$tmp/headers" -type l -print0)
for f in Makefile .config Module.symvers scripts/basic/fixdep scripts/mod/modpost; do
	[[ -e $tmp/headers/$kdir_rel/$f ]] || die "headers tree lacks $f"
done

write_env "$tmp/env" \
	"SERIES=$series" \
	"KVER=$kver" \
	"KROOT=$root" \
	"KERNEL=$kernel" \
	"VMLINUZ=$root/vmlinuz" \
	"VMLINUX=$( [[ $kernel == "$root/vmlinux" ]] && echo "$root/vmlinux")" \
	"SYSTEM_MAP=$root/System.map" \
	"CONFIG=$root/config" \
	"MODDIR=$root/lib/modules/$kver" \
	"KDIR=$root/headers/$kdir_rel"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
cat "$root/env"
