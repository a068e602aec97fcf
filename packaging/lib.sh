# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the packaging scripts. Sourced, never run.

PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$PKG_DIR/.." && pwd)
PROG=${0##*/}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage_die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 2; }

# diowq_version: DIOWQ_VERSION from include/uapi/diowq.h, the one place the version lives.
diowq_version() {
	local header=$REPO/include/uapi/diowq.h ver
	[[ -r $header ]] || die "$header is missing"
	ver=$(sed -n 's/^#define[[:space:]]\{1,\}DIOWQ_VERSION[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' "$header")
	[[ $ver =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "no usable DIOWQ_VERSION in $header (got '$ver')"
	printf '%s\n' "$ver"
}

# kernel_release KDIR: the release a kernel build tree is for: UTS_RELEASE, what the vermagic
# of a module built there says (Debian 6.1's headers have a kernel.release of 6.1.<sublevel>).
kernel_release() {
	local kdir=$1 rel=
	if [[ -r $kdir/include/generated/utsrelease.h ]]; then
		rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
	elif [[ -r $kdir/include/config/kernel.release ]]; then
		rel=$(<"$kdir/include/config/kernel.release")
	fi
	[[ -n $rel ]] || die "cannot tell the kernel release of $kdir (no include/generated/utsrelease.h)"
	printf '%s\n' "$rel"
}

# need_kdir KDIR [HOW]: a kernel build tree modules can be built against, or a clear error
# (HOW: how to name another tree; default: KDIR=...).
need_kdir() {
	[[ -d $1 && -e $1/include && -e $1/Makefile ]] && return 0
	die "no kernel build tree at $1: install the headers (apt-get install linux-headers-<kver>) or pass ${2:-KDIR=/path/to/kernel/build}"
}

# module_sources: the module's source files, relative to REPO, one a line, sorted: Kbuild,
# kmod/Kbuild and the C files and headers of kmod/ and include/. In a git checkout, the ones git
# tracks or would track (not ignored) and that exist: an in-tree build (`make`) leaves
# kmod/diowq.mod.c, which is generated, not a source. Elsewhere (a release tarball, the copy
# dpkg-buildpackage builds in), every *.[ch] there but kbuild's *.mod.c.
module_sources() {
	local listed f
	{
		printf '%s\n' Kbuild kmod/Kbuild
		if [[ -e $REPO/.git ]] && listed=$(git -C "$REPO" ls-files --cached --others \
			--exclude-standard -- 'kmod/*.[ch]' 'include/*.[ch]' 2>/dev/null); then
			while IFS= read -r f; do
				[[ -z $f || ! -f $REPO/$f ]] || printf '%s\n' "$f"
			done <<<"$listed"
		else
			(cd "$REPO" && find kmod include -type f -name '*.[ch]' ! -name '*.mod.c')
		fi
	} | LC_ALL=C sort -u
}
