#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER: build diowq.ko for one cached kernel (see fetch-kernel.sh) and print
# the path of the .ko on stdout; the build log goes to stderr.
#
# The sources (Kbuild, kmod/, include/) are copied afresh into $BUILD/kernels/<kver>/src so
# that the kernels never share object files and a stale object never survives a source
# change. The module is small: a clean build takes seconds. Warnings are errors.
#
# A kernel whose env file names a BUILD_CHROOT (7.x: trixie) is built for in that Debian
# release's chroot (build-chroot.sh; root needed), as that release's DKMS would build it: its
# compiler and kbuild programs do not run on the host's Debian 12.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || { echo "usage: $0 KVER" >&2; exit 2; }
kver=$1
env_file=$DIOWQ_CACHE/kernels/$kver/env
[[ -f $env_file ]] || die "kernel $kver is not cached; run fetch-kernel.sh first"
# shellcheck source=/dev/null
. "$env_file"

src=$BUILD/kernels/$kver/src
rm -rf "$src"
mkdir -p "$src"
for p in Kbuild kmod include; do
	[[ -e $REPO/$p ]] || die "$REPO/$p is missing"
	cp -a "$REPO/$p" "$src/"
done

# DIOWQ_WERROR=y: warnings are errors here (kmod/Kbuild), not in users' DKMS builds.
mk=(make -C "$KDIR" M="$src" -j"$(nproc)" DIOWQ_WERROR=y modules)
if [[ -n ${BUILD_CHROOT:-} ]]; then
	# Built in a Debian $BUILD_CHROOT chroot (build-chroot.sh), with the kernel's cache entry
	# and the build directory bind-mounted at their own paths, in a mount namespace of this
	# command's own: the mounts go away with it, whatever happens. objtool reads /proc.
	need_root "building in the $BUILD_CHROOT chroot"
	IFS=, read -r -a deps <<<"${BUILD_DEPS:-}"
	croot=$("$VM_DIR/build-chroot.sh" "$BUILD_CHROOT" "${deps[@]}")
	mkdir -p "$croot$KROOT" "$croot$src"
	log "building diowq.ko for $kver in the Debian $BUILD_CHROOT chroot"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- sh -ec '
		croot=$1 kroot=$2 src=$3
		shift 3
		mount --bind "$kroot" "$croot$kroot"
		mount --bind "$src" "$croot$src"
		mount -t proc proc "$croot/proc"
		exec chroot "$croot" "$@"' sh "$croot" "$KROOT" "$src" "${mk[@]}" >&2 ||
		die "building diowq.ko for $kver in $croot failed"
else
	log "building diowq.ko for $kver"
	"${mk[@]}" >&2
fi
ko=$src/kmod/diowq.ko
[[ -f $ko ]] || die "the build produced no $ko"
# A module built against the wrong tree would only fail at insmod, inside the VM.
vermagic=$(modinfo -F vermagic "$ko")
[[ $vermagic == "$kver "* ]] || die "$ko has vermagic '$vermagic', expected $kver"
# A genetlink request for the family loads the installed module (MODULE_ALIAS_GENL_FAMILY).
alias=net-pf-16-proto-16-family-diowq
modinfo -F alias "$ko" | grep -qx "$alias" || die "$ko has no alias $alias"
echo "$ko"
