#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-chroot.sh SUITE [PKG...]: make sure $DIOWQ_CACHE/chroots/<SUITE>/ is a Debian SUITE
# (e.g. trixie) chroot with what building an out-of-tree module needs (gcc, make, libelf-dev,
# bc, kmod) and every PKG installed, and print its path on stdout.
#
# Kernels newer than the host's Debian are built with a newer compiler, and their kbuild
# programs (modpost, objtool) need a newer glibc: build-module.sh builds modules for them in
# the chroot of the Debian release they are packaged for, as that release's DKMS would. The
# chroot is made once with debootstrap (a few minutes; the marker .diowq-ready is written
# last) and then only gains the packages a new kernel's headers depend on (its env file's
# BUILD_DEPS); when nothing is missing, this takes a fraction of a second and needs no network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -ge 1 && $1 =~ ^[a-z]+$ ]] || { echo "usage: $0 SUITE [PKG...]" >&2; exit 2; }
suite=$1
shift
root=$DIOWQ_CACHE/chroots/$suite
# What kbuild runs for an external module, besides the compiler the headers name.
base=(gcc make libc6-dev libelf-dev bc kmod xz-utils)

if [[ ! -f $root/.diowq-ready ]]; then
	need_root "creating the Debian $suite chroot in $root"
	command -v debootstrap >/dev/null || die "no debootstrap on this host (make deps installs it)"
	[[ -r $DEBIAN_KEYRING ]] || die "no $DEBIAN_KEYRING (apt-get install debian-archive-keyring)"
	mkdir -p "$DIOWQ_CACHE/chroots"
	rm -rf "$DIOWQ_CACHE/chroots/.tmp-$suite".*
	tmp=$(mktemp -d "$DIOWQ_CACHE/chroots/.tmp-$suite.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "debootstrap $suite into $root (once)"
	start=$SECONDS
	debootstrap --variant=minbase --keyring="$DEBIAN_KEYRING" \
		--include="$(IFS=,; echo "${base[*]}")" "$suite" "$tmp" "$DEBIAN_MIRROR" >&2 ||
		die "debootstrap $suite failed (log: $tmp/debootstrap/debootstrap.log)"
	# The kernels come from $suite-backports: their headers may depend on packages from there.
	printf 'deb [signed-by=%s] %s %s-backports main\n' "$DEBIAN_KEYRING" "$DEBIAN_MIRROR" "$suite" \
		>"$tmp/etc/apt/sources.list.d/backports.list"
	cp "$DEBIAN_KEYRING" "$tmp$DEBIAN_KEYRING"
	touch "$tmp/.diowq-ready"
	mv "$tmp" "$root"
	trap - EXIT
	log "debootstrap $suite took $((SECONDS - start)) s"
fi

# Installed, per dpkg in the chroot (a virtual package never is: apt resolves it).
missing=()
for p in "${base[@]}" "$@"; do
	# shellcheck disable=SC2016 # dpkg-query expands it
	if [[ $(chroot "$root" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
	need_root "installing ${missing[*]} in the $suite chroot"
	log "installing ${missing[*]} in the $suite chroot"
	chroot "$root" apt-get -o APT::Sandbox::User=root update -q >&2 || die "apt-get update failed in $root"
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -o APT::Sandbox::User=root install -y -q --no-install-recommends \
		"${missing[@]}" >&2 || die "cannot install ${missing[*]} in $root"
	chroot "$root" apt-get clean
fi
echo "$root"
