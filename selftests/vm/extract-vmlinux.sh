#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# extract-vmlinux.sh BZIMAGE OUT: write the uncompressed ELF kernel inside an x86 bzImage.
#
# Why: QEMU boots an ELF vmlinux through its PVH entry point, skipping the real-mode setup
# and the in-guest decompression, which is slow under TCG (6.1: ~1.5 s instead of ~4 s).
#
# Instead of scanning for compression magics (the kernel's scripts/extract-vmlinux), read
# the payload location from the boot protocol header (>= 2.08): setup_sects at 0x1f1, then
# payload_offset (relative to the protected-mode code after the setup sectors) and
# payload_length at 0x248/0x24c. The payload is the compressed vmlinux followed by its
# 4-byte little-endian uncompressed size.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BZIMAGE OUT" >&2; exit 2; }
in=$1 out=$2

u8() { od -An -tu1 -j "$1" -N1 "$in" | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N4 "$in" | tr -d ' '; }

[[ $(od -An -c -j $((0x202)) -N4 "$in" | tr -d ' ') == HdrS ]] ||
	{ echo "$in: not a bzImage" >&2; exit 1; }
setup_sects=$(u8 $((0x1f1)))
[[ $setup_sects -ne 0 ]] || setup_sects=4
pm_start=$(((setup_sects + 1) * 512))
payload_off=$((pm_start + $(u32 $((0x248)))))
payload_len=$(u32 $((0x24c)))
[[ $payload_len -gt 4 ]] || { echo "$in: no payload" >&2; exit 1; }

# dd, not tail|head: with pipefail, a reader that stops early would fail the pipe.
payload() {
	dd if="$in" iflag=skip_bytes,count_bytes skip="$payload_off" count=$((payload_len - 4)) \
		bs=4M status=none
}
magic=$(od -An -tx1 -j "$payload_off" -N4 "$in" | tr -d ' ')
case $magic in
fd377a58) decomp=(xz -dc) ;;
28b52ffd) decomp=(zstd -dcq) ;;
1f8b*) decomp=(gzip -dc) ;;
5d00*) decomp=(xz -dc --format=lzma) ;;
*) echo "$in: unsupported payload compression (magic $magic)" >&2; exit 1 ;;
esac

payload | "${decomp[@]}" >"$out.tmp"
expect=$(u32 $((payload_off + payload_len - 4)))
got=$(stat -c %s "$out.tmp")
[[ $got -eq $expect ]] || { rm -f "$out.tmp"; echo "$in: got $got bytes, expected $expect" >&2; exit 1; }
[[ $(head -c 4 "$out.tmp" | od -An -c | tr -d ' ') == 177ELF ]] ||
	{ rm -f "$out.tmp"; echo "$in: payload is not an ELF file" >&2; exit 1; }
mv "$out.tmp" "$out"
