#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-initramfs.sh KVER [--ko FILE|none] [--tests DIR|none] [-o OUT]
#
# Build the guest's whole root filesystem as an uncompressed cpio (uncompressed: building
# and unpacking it both stay in the seconds even with fio's ~85 MB of libraries):
#   /init                          guest-init (busybox sh)
#   busybox + applet symlinks      sh, mount, insmod, modprobe, timeout, taskset, ...
#   mkfs.xfs xfs_io mkfs.ext4 fio  the host's, with their shared libraries (ldd); and jq, for
#   jq                             bench-guest.sh's reading of the bench's JSON
#   dmsetup                        the same, if the host has it (ioerror_test)
#   /lib/modules/<kver>/           the kernel's own modules the tests need, with their
#                                  dependencies, uncompressed, and a fresh modules.dep
#   /lib/diowq/diowq.ko            default: $BUILD/kernels/<kver>/src/kmod/diowq.ko
#   /usr/sbin/diowqctl             default: $BUILD/tools/diowqctl, with its libraries
#   /tests/                        default: the executables in $BUILD/selftests
#   /usr/share/diowq/demo-guest.sh, usage-guest.sh, bench-guest.sh
# Prints the cpio's path on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 KVER [--ko FILE|none] [--tests DIR|none] [--tool FILE|none] [-o OUT]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
kver=$1
shift
ko=$BUILD/kernels/$kver/src/kmod/diowq.ko
tests=$BUILD/selftests
tool=$BUILD/tools/diowqctl
out=$BUILD/vm/$kver/initramfs.cpio
while [[ $# -gt 0 ]]; do
	case $1 in
	--ko) ko=${2:?}; shift 2 ;;
	--tests) tests=${2:?}; shift 2 ;;
	--tool) tool=${2:?}; shift 2 ;;
	-o) out=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done

env_file=$DIOWQ_CACHE/kernels/$kver/env
[[ -f $env_file ]] || die "kernel $kver is not cached; run fetch-kernel.sh first"
# shellcheck source=/dev/null
. "$env_file"

# The kernel's modules the contract promises, plus nvme for tests that want a real blk-mq
# driver with a hardware queue per CPU. modprobe --show-depends adds dependencies and
# softdeps (crc32c for xfs/ext4), and says "builtin" for what needs no file.
modules=(virtio_pci virtio_blk xfs ext4 loop null_blk brd nvme)
# dm-flakey (with dm-mod): the I/O error test's window of failing writes.
modules+=(dm_flakey)
tools=(mkfs.xfs xfs_io mkfs.ext4 fio jq)
# Optional: a test that needs one of these skips in a guest without it.
optional_tools=(dmsetup)
for t in "${optional_tools[@]}"; do
	if PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t" >/dev/null; then
		tools+=("$t")
	else
		log "warning: no $t on this host (apt-get install $t); tests that need it will skip"
	fi
done

stage=$(dirname "$out")/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,lib/diowq,tests,usr/share/diowq}

# --- busybox: one static binary, every applet a symlink, never shadowing a real tool.
cp /bin/busybox "$stage/bin/busybox"
while read -r applet; do
	[[ -e $stage/$applet || $applet == bin/busybox ]] || ln -s /bin/busybox "$stage/$applet"
done < <(/bin/busybox --list-full)

# --- host tools and every shared library they (and any dynamic test) load.
declare -A libs=()
add_libs() {
	local l
	# ldd prints "name => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"; a static
	# binary makes it fail, which is fine.
	while read -r l; do
		if [[ -n $l ]]; then libs[$l]=1; fi
	done < <(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}
for t in "${tools[@]}"; do
	p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || die "$t is not installed (make deps)"
	# mkfs.ext4 is a symlink to mke2fs, which picks the filesystem type by its own name:
	# copying the file under the link's name keeps that working. rm first: a busybox
	# applet link in the way must be replaced, not written through.
	mkdir -p "$stage$(dirname "$p")"
	rm -f "$stage$p"
	cp -L "$p" "$stage$p"
	add_libs "$p"
done
cp /etc/mke2fs.conf "$stage/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"

# --- test programs.
if [[ $tests != none ]]; then
	if [[ -d $tests ]]; then
		find "$tests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/tests/" \;
		for t in "$stage"/tests/*; do
			[[ -e $t ]] && add_libs "$t"
		done
	else
		log "warning: no test directory $tests; the VM will run no tests"
	fi
fi
# --- diowqctl, which the tests drive too.
if [[ $tool != none ]]; then
	if [[ -x $tool ]]; then
		cp "$tool" "$stage/usr/sbin/diowqctl"
		add_libs "$tool"
	else
		log "warning: no $tool; the VM will have no diowqctl"
	fi
fi
for l in "${!libs[@]}"; do
	mkdir -p "$stage$(dirname "$l")"
	cp -L "$l" "$stage$l"
done

# --- kernel modules, uncompressed (busybox insmod/modprobe do not read .ko.xz), and a
# modules.dep for busybox modprobe, regenerated over just these files.
declare -A kos=()
for m in "${modules[@]}"; do
	# Built in (virtio_pci on 6.12 and 7.x; crc32c, a dependency, on 7.x): no file to copy.
	# modules.builtin names it by path, with dashes or underscores as in the source tree.
	if grep -qE "/${m//_/[-_]}\.ko\$" "$MODDIR/modules.builtin"; then
		log "$m is built into $kver"
		continue
	fi
	deps=$(modprobe -d "$KROOT" -S "$kver" --show-depends "$m") ||
		die "$m is neither a module of $kver nor built in (modprobe --show-depends failed)"
	while read -r verb path _; do
		if [[ $verb == insmod ]]; then kos[$path]=1; fi
	done <<<"$deps"
done
mdst=$stage/lib/modules/$kver
for k in "${!kos[@]}"; do
	rel=${k#"$MODDIR"/}
	rel=${rel%.xz}
	mkdir -p "$mdst/$(dirname "$rel")"
	case $k in
	*.ko.xz) xz -dc "$k" >"$mdst/$rel" ;;
	*.ko.zst) zstd -dcq "$k" >"$mdst/$rel" ;;
	*) cp "$k" "$mdst/$rel" ;;
	esac
done
cp "$MODDIR"/modules.{order,builtin,builtin.modinfo} "$mdst/"
depmod -b "$stage" "$kver"

# --- diowq.ko and the init scripts.
if [[ $ko != none ]]; then
	if [[ -f $ko ]]; then
		cp "$ko" "$stage/lib/diowq/diowq.ko"
	else
		log "warning: no $ko; the VM will have no diowq.ko"
	fi
fi
install -m 0755 "$VM_DIR/guest-init" "$stage/init"
install -m 0755 "$VM_DIR/demo-guest.sh" "$stage/usr/share/diowq/demo-guest.sh"
install -m 0755 "$VM_DIR/usage-guest.sh" "$stage/usr/share/diowq/usage-guest.sh"
install -m 0755 "$VM_DIR/bench-guest.sh" "$stage/usr/share/diowq/bench-guest.sh"

# --- pack: sorted for reproducibility, owned by root whoever builds it.
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "$out"
