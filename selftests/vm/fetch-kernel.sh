#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh SERIES (6.1, 6.12 or 7.x): make the newest Debian kernel of that series
# bootable and buildable-against from $DIOWQ_CACHE/kernels/<kver>/, and print its env file
# (KEY=value lines, also saved as $DIOWQ_CACHE/kernels/<kver>/env) on stdout.
#
# 6.1 and 6.12 come from the host's apt (Debian 12, bookworm and its backports' 6.12). 7.x,
# the newest 7.<n> Debian has for Debian 13, comes from trixie-backports through an apt
# configuration of the rig's own (apt_use_repo in lib.sh): the host's apt sources are never
# touched. Its modules must be built with Debian 13's compiler and glibc: its env file says
# BUILD_CHROOT=trixie and the packages that chroot needs (BUILD_DEPS), and build-module.sh
# builds there (build-chroot.sh).
#
# The packages are downloaded and unpacked with dpkg -x, never installed: installing an image
# runs bootloader/initramfs hooks on the host, and the 6.12 headers package would pull in the
# signed image. A kernel already unpacked is reused as is (the env file is written last, so
# it marks a complete entry).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 && $1 =~ ^[0-9]+\.([0-9]+|x)$ ]] || { echo "usage: $0 SERIES   (6.1, 6.12, 7.x)" >&2; exit 2; }
series=$1

# image_pkgs: what holds the kernel (vmlinuz, config, System.map) and its modules.
# build_chroot: the Debian suite whose chroot builds modules for it (none: the host).
build_chroot=
if [[ $series == *.x ]]; then
	# Debian 13's 7.x kernels are split: linux-binary-<kver> has the vmlinuz,
	# linux-modules-<kver> the modules, linux-base-<kver> config, System.map and the
	# modules.builtin* files, all under /usr/lib/modules/<kver>/; linux-image-<kver> is only
	# their metapackage (and trixie-backports has no -unsigned image). Names look like
	# linux-binary-7.3.4+deb13-amd64.
	apt_use_repo trixie-backports
	build_chroot=trixie
	major=${series%.x}
	image_re="^linux-binary-${major}\\.[0-9]+\\.[0-9]+(-[0-9]+)?\\+deb[0-9]+-amd64\$"
	image_pkgs() { echo "linux-binary-$1 linux-modules-$1 linux-base-$1"; }
	kver_of() { sed -e 's/^linux-binary-//'; }
else
	# Debian 12 names the unsigned images linux-image-6.1.0-56-amd64-unsigned and
	# linux-image-6.12.117+deb12-amd64-unsigned.
	image_re="^linux-image-${series//./\\.}\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64-unsigned\$"
	image_pkgs() { echo "linux-image-$1-unsigned"; }
	kver_of() { sed -e 's/^linux-image-//' -e 's/-unsigned$//'; }
fi

# The newest ABI is the highest version sort.
newest_kver() {
	apt-cache "${apt_opts[@]}" search --names-only "$image_re" |
		awk '{print $1}' | sort -V | tail -n1 | kver_of
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
[[ -n $kver ]] || die "no package matching $image_re known to apt, none cached"

if [[ ! -f $DIOWQ_CACHE/kernels/$kver/env && -z ${!apt_updated_var:-} ]]; then
	# About to download: make sure it is the newest ABI and not a stale list's idea of it
	# (an update costs little next to the download, and mirrors drop superseded ABIs).
	need_root "fetching kernel $kver"
	if apt_update_once; then
		kver=$(newest_kver)
	fi
	[[ -n $kver ]] || die "apt no longer knows any package matching $image_re"
fi

root=$DIOWQ_CACHE/kernels/$kver
if [[ -f $root/env ]]; then
	cat "$root/env"
	exit 0
fi

need_root "fetching kernel $kver"
read -r -a images <<<"$(image_pkgs "$kver")"
headers_pkg=linux-headers-$kver
fetch_debs "${images[@]}" "$headers_pkg"
headers_deb=$(deb_path "$headers_pkg")
# The flavour headers depend on the -common headers and on the kbuild tools package, whose
# names differ between 6.1 (linux-kbuild-6.1) and 6.12 (linux-kbuild-6.12.117+deb12): read
# them off the package instead of guessing.
depends() { dpkg-deb -f "$1" Depends | tr ',|' '\n' | awk 'NF {print $1}' | sort -u; }
mapfile -t extra_pkgs < <(depends "$headers_deb" | grep -E '^linux-(headers-.*-common|kbuild-.*)$')
[[ ${#extra_pkgs[@]} -eq 2 ]] || die "unexpected dependencies of $headers_pkg: ${extra_pkgs[*]}"
fetch_debs "${extra_pkgs[@]}"
# What a chroot that builds modules for this kernel must have installed: everything these
# packages depend on (the compiler, pahole, the kbuild programs' libraries), but the kernel's
# own packages, which are unpacked here.
build_deps=
if [[ -n $build_chroot ]]; then
	build_deps=$(for p in "$headers_pkg" "${extra_pkgs[@]}"; do depends "$(deb_path "$p")"; done |
		grep -v '^linux-' | sort -u | paste -sd,)
fi

log "unpacking $kver into $root"
mkdir -p "$DIOWQ_CACHE/kernels"
tmp=$(mktemp -d "$DIOWQ_CACHE/kernels/.tmp-$kver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- image: boot files at the top, the module tree at lib/modules/<kver> (depmod -b layout).
# 6.x: /boot/{vmlinuz,config,System.map}-<kver> and /lib/modules/<kver>; 7.x: all of them in
# /usr/lib/modules/<kver>/.
for p in "${images[@]}"; do
	dpkg -x "$(deb_path "$p")" "$tmp/image"
done
moddir=
for d in "$tmp/image/lib/modules/$kver" "$tmp/image/usr/lib/modules/$kver"; do
	[[ -d $d ]] && moddir=$d
done
[[ -n $moddir ]] || die "${images[*]}: no modules/$kver"
for f in vmlinuz config System.map; do
	if [[ -f $tmp/image/boot/$f-$kver ]]; then
		mv "$tmp/image/boot/$f-$kver" "$tmp/$f"
	elif [[ -f $moddir/$f ]]; then
		mv "$moddir/$f" "$tmp/$f"
	else
		die "${images[*]}: no $f for $kver"
	fi
done
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
# The flavour Makefile includes /usr/src/linux-headers-<x>-common/Makefile: point it at the
# -common tree inside this root.
common=$(sed -n 's|^include /\(usr/src/linux-headers-.*-common\)/Makefile$|\1|p' "$tmp/headers/$kdir_rel/Makefile")
[[ -n $common && -d $tmp/headers/$common ]] || die "unexpected $kdir_rel/Makefile in $headers_pkg"
# 7.x's also sets KBUILD_OUTPUT=/usr/src/linux-headers-<kver>.
sed -i "s|/usr/src/|$root/headers/usr/src/|" "$tmp/headers/$kdir_rel/Makefile"
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
	"KDIR=$root/headers/$kdir_rel" \
	"BUILD_CHROOT=$build_chroot" \
	"BUILD_DEPS=$build_deps"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
cat "$root/env"
