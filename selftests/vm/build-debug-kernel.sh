#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh [--cached]: build the debug kernel of `make check-debug` (KASAN,
# lockdep, debugobjects, kmemleak, hung-task and lockup detectors) from Debian's
# linux-source-6.1 with the small config of debug.config, cache it outside the tree and print
# its env file on stdout, in the format of fetch-kernel.sh's (SERIES=debug):
#
#   $DIOWQ_CACHE/debug/<kver>/           kver = <upstream version>-dbg-<first 8 of the key>
#     vmlinuz vmlinux System.map config  what QEMU boots (the bzImage: see below), symbols
#     lib/modules/<kver>/                modules_install output, depmod'ed
#     headers/usr/src/linux-headers-<kver>/   a KDIR for out-of-tree modules (as Debian's
#                                        linux-headers package: sources' Makefiles, include/,
#                                        scripts/, arch/x86/include, .config, Module.symvers)
#     env  build.info  build.log
#   $DIOWQ_CACHE/kernels/<kver> -> ../debug/<kver>   so that build-module.sh, build-initramfs.sh
#                                        and run-vm.sh take <kver> like a Debian kernel's
#
# The cache key hashes the source package's file name, debug.config, the compiler's version
# and RECIPE below: a rerun with the same inputs prints the cached env in well under a second.
# A cold build takes about half an hour on 2 cores (see build.info and docs/reliability.md).
#
# --cached: never build; print the env and exit 0 if the kernel is cached, exit 1 if not.
#
# Environment: DIOWQ_DEBUG_JOBS (make -j, default 2: the build runs at nice 19 and shares the
# machine), DIOWQ_DEBUG_KEEP_SRC=1 keeps the configured and built source tree next to the
# cache entry (src/, several GB) for debugging.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when a change to this script changes what it builds (debug.config is hashed already).
RECIPE=1

cached_only=0
case ${1:-} in
'') ;;
--cached) cached_only=1 ;;
*) echo "usage: $0 [--cached]" >&2; exit 2 ;;
esac

fragment=$VM_DIR/debug.config
[[ -f $fragment ]] || die "$fragment is missing"
jobs=${DIOWQ_DEBUG_JOBS:-2}
pkg=linux-source-6.1

# --- the source package: the newest one cached, else the candidate from apt.
find_deb() {
	local d
	for d in "$DIOWQ_CACHE"/debs/"$pkg"_*.deb; do
		[[ -s $d ]] && printf '%s\n' "$d"
	done | sort -V | tail -n1
}
deb=$(find_deb)
if [[ -z $deb ]]; then
	[[ $cached_only -eq 0 ]] || exit 1
	need_root "fetching $pkg"
	fetch_debs "$pkg"
	deb=$(find_deb)
	[[ -n $deb ]] || die "no $pkg .deb in $DIOWQ_CACHE/debs after downloading it"
fi
# linux-source-6.1_6.1.192-2_all.deb -> 6.1.192 (the Makefile's version is checked after the build).
debver=$(basename "$deb" .deb)
debver=${debver#"$pkg"_}
upstream=${debver%%-*}
[[ $upstream =~ ^6\.1\.[0-9]+$ ]] || die "cannot read the kernel version off $(basename "$deb")"

key=$(
	{
		echo "recipe $RECIPE"
		basename "$deb"
		gcc --version | head -n1
		cat "$fragment"
	} | sha256sum | cut -c1-8
)
kver=$upstream-dbg-$key
root=$DIOWQ_CACHE/debug/$kver

# Register the entry under kernels/ for the rest of the rig (idempotent).
link_entry() {
	mkdir -p "$DIOWQ_CACHE/kernels"
	ln -sfn "../debug/$kver" "$DIOWQ_CACHE/kernels/$kver"
}

if [[ -f $root/env ]]; then
	[[ -L $DIOWQ_CACHE/kernels/$kver ]] || link_entry
	cat "$root/env"
	exit 0
fi
[[ $cached_only -eq 0 ]] || exit 1

need_root "building the debug kernel"
mkdir -p "$DIOWQ_CACHE/debug"
# One build at a time; a second caller waits and then finds the entry cached.
exec 9>"$DIOWQ_CACHE/debug/.lock"
if ! flock -n 9; then
	log "another debug-kernel build is running; waiting for it"
	flock 9
fi
if [[ -f $root/env ]]; then
	link_entry
	cat "$root/env"
	exit 0
fi

tmp=$(mktemp -d "$DIOWQ_CACHE/debug/.tmp-$kver.XXXXXX")
src=$tmp/src
blog=$tmp/build.log
# A failed build leaves its log next to the cache entries, and nothing else.
trap 'cp -f "$blog" "$DIOWQ_CACHE/debug/$kver.failed.log" 2>/dev/null; rm -rf "$tmp"' EXIT
start=$(date +%s)
# Everything CPU-bound runs at the lowest priority: the build shares the machine.
run() { nice -n 19 "$@"; }
# kmake TARGET...: make in the source tree, output to build.log; its tail on failure.
kmake() {
	if ! run make -C "$src" -j"$jobs" "$@" >>"$blog" 2>&1; then
		tail -n 60 "$blog" >&2
		die "make $* failed (log: $blog)"
	fi
}

log "debug kernel $kver: unpacking $(basename "$deb")"
mkdir -p "$src"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$pkg.tar.xz" |
	run xz -dc -T"$jobs" |
	tar -x -C "$src" --strip-components=1
[[ $(make -s -C "$src" kernelversion) == "$upstream" ]] ||
	die "$pkg's Makefile is not version $upstream"

# --- config: defconfig, the fragment through scripts/config, olddefconfig, then check
# that every line of the fragment survived.
log "configuring: x86_64 defconfig + $(basename "$fragment")"
kmake defconfig
cfg=(--file "$src/.config" --disable LOCALVERSION_AUTO --set-str LOCALVERSION "-dbg-$key")
declare -A want=()
while IFS= read -r line; do
	if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]]; then
		sym=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $val in
		y) cfg+=(--enable "$sym") ;;
		m) cfg+=(--module "$sym") ;;
		\"*\") cfg+=(--set-str "$sym" "${val:1:${#val}-2}") ;;
		*) cfg+=(--set-val "$sym" "$val") ;;
		esac
		want[$sym]=$val
	elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		sym=${BASH_REMATCH[1]}
		cfg+=(--disable "$sym")
		want[$sym]=n
	elif [[ -n $line && $line != \#* ]]; then
		die "$fragment: cannot parse: $line"
	fi
done <"$fragment"
"$src/scripts/config" "${cfg[@]}"
kmake olddefconfig
bad=0
for sym in "${!want[@]}"; do
	got=$(sed -n "s/^CONFIG_$sym=//p" "$src/.config")
	[[ -n $got ]] || got=n
	if [[ $got != "${want[$sym]}" ]]; then
		printf 'diowq-vm: error: CONFIG_%s is %s after olddefconfig, debug.config wants %s\n' \
			"$sym" "$got" "${want[$sym]}" >&2
		bad=1
	fi
done
[[ $bad -eq 0 ]] || die "the config lost options of $fragment (missing dependencies?); see above"
# kernelrelease reads LOCALVERSION from include/config/auto.conf, which syncconfig writes.
kmake syncconfig
release=$(make -s -C "$src" kernelrelease)
[[ $release == "$kver" ]] || die "kernelrelease is $release, expected $kver"
log "config OK (${#want[@]} options checked); building with make -j$jobs at nice 19 (log: $blog)"
compile_start=$(date +%s)

# --- build: bzImage, modules. QEMU boots the bzImage: on 6.1, vmlinux's PVH entry with
# KASAN resets the machine before the first console line (the PVH code runs instrumented
# C before KASAN's shadow is mapped), so the rig's faster PVH boot is not an option here.
kmake bzImage modules
compile_s=$(($(date +%s) - compile_start))
log "compiled in $((compile_s / 60)) min $((compile_s % 60)) s"
kmake INSTALL_MOD_PATH="$tmp" modules_install
moddir=$tmp/lib/modules/$kver
[[ -f $moddir/modules.dep ]] || die "modules_install produced no $moddir/modules.dep"
cp "$src/vmlinux" "$tmp/vmlinux"
cp "$src/arch/x86/boot/bzImage" "$tmp/vmlinuz"
cp "$src/System.map" "$tmp/System.map"
cp "$src/.config" "$tmp/config"

# --- headers: what Debian's linux-headers package holds (scripts/package/builddeb's
# deploy_kernel_headers), enough for `make -C KDIR M=... modules`. The tree is built in
# place, so the sources and the generated files are listed from the same directory.
kdir_rel=usr/src/linux-headers-$kver
hdr=$tmp/headers/$kdir_rel
mkdir -p "$hdr"
(
	cd "$src"
	{
		find . arch/x86 -maxdepth 1 -name 'Makefile*'
		find include scripts -type f -o -type l
		find arch/x86 -name Kbuild.platforms -o -name Platform
		# Directory names without spaces: splitting is fine.
		# shellcheck disable=SC2046
		find $(find arch/x86 -name include -o -name scripts -type d) -type f
		find Module.symvers .config -type f
		if [[ -x tools/objtool/objtool ]]; then echo tools/objtool/objtool; fi
	} | LC_ALL=C sort -u | tar -c -f - -T -
) | tar -x -f - -C "$hdr"
for f in Makefile .config Module.symvers include/config/auto.conf scripts/basic/fixdep \
	scripts/mod/modpost scripts/module.lds; do
	[[ -e $hdr/$f ]] || die "the headers tree lacks $f"
done
# modules_install links build/ and source/ to the (temporary) source tree.
rm -f "$moddir/build" "$moddir/source"
ln -s "../../../headers/$kdir_rel" "$moddir/build"

if [[ ${DIOWQ_DEBUG_KEEP_SRC:-0} == 1 ]]; then
	log "keeping the built source tree in $root/src"
else
	rm -rf "$src"
fi
build_s=$(($(date +%s) - start))
cat >"$tmp/build.info" <<EOF
# $kver, built from $(basename "$deb") with $(basename "$fragment") on $(date -u +%Y-%m-%dT%H:%MZ)
# BUILD_SECONDS: unpack + configure + compile + install; COMPILE_SECONDS: make bzImage modules
BUILD_SECONDS=$build_s
COMPILE_SECONDS=$compile_s
JOBS=$jobs
HOST_CPUS=$(nproc)
EOF
write_env "$tmp/env" \
	"SERIES=debug" \
	"KVER=$kver" \
	"KROOT=$root" \
	"KERNEL=$root/vmlinuz" \
	"VMLINUZ=$root/vmlinuz" \
	"VMLINUX=$root/vmlinux" \
	"SYSTEM_MAP=$root/System.map" \
	"CONFIG=$root/config" \
	"MODDIR=$root/lib/modules/$kver" \
	"KDIR=$root/headers/$kdir_rel"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
rm -f "$DIOWQ_CACHE/debug/$kver.failed.log"
link_entry
log "debug kernel $kver cached in $root (built in $build_s s)"
cat "$root/env"
