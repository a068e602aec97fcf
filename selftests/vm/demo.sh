#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: `make demo` (after `make deps`). Boots the Debian 6.1 kernel in QEMU and, inside,
# tunes an XFS mount with diowq while a pinned fio load runs, showing the completion
# workers move to a nice -20 `diowq-vda` queue (demo-guest.sh has the script). Exits
# non-zero if any step fails or the kernel complains.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${DIOWQ_DEMO_SERIES:-6.1}
kver=$("$VM_DIR/fetch-kernel.sh" "$series" | sed -n 's/^KVER=//p')
[[ -n $kver ]] || die "could not fetch the $series kernel"
"$VM_DIR/build-module.sh" "$kver" >/dev/null
initrd=$("$VM_DIR/build-initramfs.sh" "$kver" --tests none -o "$BUILD/vm/$kver/demo-initramfs.cpio")
exec "$VM_DIR/run-vm.sh" "$kver" --demo --initrd "$initrd"
