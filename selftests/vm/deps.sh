#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the host packages that `make check` and `make demo` need. Idempotent and quick:
# when everything is installed it does not touch apt at all.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# The VM and what goes into its initramfs.
	qemu-system-x86 busybox-static fio xfsprogs e2fsprogs cpio kmod
	# dmsetup: the I/O error test switches a dm-flakey table in the guest.
	dmsetup
	# Kernel packages are .debs with xz/zstd payloads; 6.12's modules are .ko.xz.
	xz-utils zstd
	# Out-of-tree module builds against Debian's headers (gcc-12 is what both kernels were
	# built with; 6.12's kbuild runs pahole for module BTF; readelf comes from binutils).
	build-essential gcc-12 libelf-dev bc flex bison libssl-dev dwarves binutils
	# The test programs are linked statically, with jansson's libjansson.a (lib/json.c);
	# native AIO they do through the raw syscalls (lib/aio.h), without libaio.
	libjansson-dev
	# checkpatch.pl is perl.
	perl
	# diowqctl (tools/): C++20 with CLI11, fmt and libnl-genl-3, liburing for the bench's
	# io_uring engine; GoogleTest for its unit tests.
	cmake g++ pkg-config libcli11-dev libfmt-dev libnl-3-dev libnl-genl-3-dev liburing-dev
	libgtest-dev
	# Its dispatch-latency BPF program: clang -target bpf, bpftool's skeleton, libbpf.
	clang libbpf-dev bpftool
	# 7.x modules are built in a Debian 13 chroot (build-chroot.sh), from trixie-backports'
	# headers; the keyring has Debian 13's archive keys.
	debootstrap debian-archive-keyring
	# Packaging checks (packaging/check-*.sh): DKMS, the Debian packages, module signing.
	dkms dh-dkms debhelper dpkg-dev openssl
	# Operations files: man page lint, the systemd unit check, the Kubernetes manifest check.
	mandoc systemd python3-yaml
	# make bench's kernel x pattern table from the result JSONs (bench-table.sh).
	jq
)

missing=()
for p in "${pkgs[@]}"; do
	if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

need_root "installing ${missing[*]}"
log "installing ${missing[*]}"
apt_update_once
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
