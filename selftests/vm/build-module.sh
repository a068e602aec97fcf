#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER: build diowq.ko for one cached kernel (see fetch-kernel.sh) and print
# the path of the .ko on stdout; the build log goes to stderr.
#
# The sources (Kbuild, kmod/, include/) are copied afresh into $BUILD/kernels/<kver>/src so
# that the two kernels never share object files and a stale object never survives a source
# change. The module is small: a clean build takes seconds.
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

log "building diowq.ko for $kver"
make -C "$KDIR" M="$src" -j"$(nproc)" modules >&2
ko=$src/kmod/diowq.ko
[[ -f $ko ]] || die "the build produced no $ko"
# A module built against the wrong tree would only fail at insmod, inside the VM.
vermagic=$(modinfo -F vermagic "$ko")
[[ $vermagic == "$kver "* ]] || die "$ko has vermagic '$vermagic', expected $kver"
# A genetlink request for the family loads the installed module (MODULE_ALIAS_GENL_FAMILY).
alias=net-pf-16-proto-16-family-diowq
modinfo -F alias "$ko" | grep -qx "$alias" || die "$ko has no alias $alias"
echo "$ko"
