#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-install.sh KVER TOOLS_BUILD: CI test of `make install` / `make uninstall` with DESTDIR,
# against a cached Debian kernel (selftests/vm/fetch-kernel.sh) and a diowqctl already built in
# TOOLS_BUILD. The Makefile and module sources are copied to a temporary directory, the module is
# built there (`make module`), and then
#   - install without a built module, and with the KDIR of another kernel, fail and install nothing;
#   - `make install DESTDIR=...` installs exactly the expected files (the module compressed as
#     the kernel's config says, with the right vermagic; diowqctl, which runs; the man pages if
#     docs/man has them; the bash completion), with the right modes;
#   - PREFIX=/usr moves everything but the module under /usr;
#   - `make uninstall` leaves the DESTDIR empty, and a second uninstall is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -eq 2 ]] || usage_die "usage: $PROG KVER TOOLS_BUILD"
kver=$1
tools_build=$(cd "$2" && pwd) || die "no directory $2"
cache=${DIOWQ_CACHE:-/var/cache/diowq}
kdir=$(cached_kdir "$kver")
[[ -x $tools_build/diowqctl ]] || die "$tools_build/diowqctl is not built"

tmp=$(mktemp -d /tmp/diowq-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
files_in() { [[ ! -d $1 ]] || (cd "$1" && find . -mindepth 1 -not -type d -printf '%P %m\n' | LC_ALL=C sort); }

# The tree `make install` runs in: the Makefile, the packaging scripts and what they install.
src=$tmp/src
mkdir -p "$src"
"$PKG_DIR/stage-sources.sh" --no-dkms-conf "$src/mod"
mv "$src/mod/"* "$src/" && rmdir "$src/mod"
cp "$REPO/Makefile" "$src/"
cp -r "$REPO/packaging" "$src/"
if [[ -d $REPO/docs/man ]]; then
	mkdir -p "$src/docs" && cp -r "$REPO/docs/man" "$src/docs/"
fi
mk=(make -C "$src" --no-print-directory KDIR="$kdir" TOOLS_BUILD="$tools_build")

# What a refused install must leave alone (expect_fail): the DESTDIR.
check_state() { files_in "$tmp/root"; }

# 1. Refusals.
expect_fail "install before building" "is not built" "${mk[@]}" install DESTDIR="$tmp/root"
"${mk[@]}" module >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; die "make module failed"; }
for other in "$cache"/kernels/*/env; do
	okdir=$(sed -n 's/^KDIR=//p' "$other")
	[[ $okdir != "$kdir" && -d $okdir ]] || continue
	expect_fail "install with another kernel's KDIR" "was built for" \
		make -C "$src" --no-print-directory KDIR="$okdir" TOOLS_BUILD="$tools_build" install DESTDIR="$tmp/root"
	break
done
expect_fail "a relative DESTDIR" "must be an absolute path" "${mk[@]}" install DESTDIR=root

# 2. Install into a DESTDIR.
case $(grep -E '^CONFIG_MODULE_COMPRESS_(GZIP|XZ|ZSTD)=y' "$kdir/.config" || true) in
*GZIP*) suffix=.gz ;;
*XZ*) suffix=.xz ;;
*ZSTD*) suffix=.zst ;;
*) suffix= ;;
esac
expected() { # PREFIX
	local p=${1#/}
	{
		echo "lib/modules/$kver/extra/kmod/diowq.ko$suffix 644"
		echo "$p/sbin/diowqctl 755"
		echo "$p/share/bash-completion/completions/diowqctl 644"
		[[ ! -f $src/docs/man/diowqctl.8 ]] || echo "$p/share/man/man8/diowqctl.8 644"
		[[ ! -f $src/docs/man/diowq.4 ]] || echo "$p/share/man/man4/diowq.4 644"
	} | LC_ALL=C sort
}
"${mk[@]}" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install failed"; }
got=$(files_in "$tmp/root")
if [[ $got == "$(expected /usr/local)" ]]; then
	ok "make install DESTDIR=... installed exactly:"
	while IFS= read -r l; do printf '      %s\n' "$l"; done <<<"$got"
else
	bad "make install: expected
$(expected /usr/local)
got
$got"
fi
ko=$tmp/root/lib/modules/$kver/extra/kmod/diowq.ko$suffix
if [[ -f $ko ]]; then
	vermagic=$(modinfo -F vermagic "$ko")
	[[ $vermagic == "$kver "* ]] && ok "installed module: vermagic '$vermagic'" ||
		bad "installed module: vermagic '$vermagic'"
fi
v=$("$tmp/root/usr/local/sbin/diowqctl" --version 2>&1) && [[ $v == *"$(diowq_version)"* ]] &&
	ok "installed diowqctl --version: $v" || bad "installed diowqctl --version: $v"
[[ ! -f $src/docs/man/diowqctl.8 ]] || ok "docs/man exists: the man pages were part of it"
[[ -f $src/docs/man/diowqctl.8 ]] || echo "note: no docs/man/diowqctl.8 in this tree: no man page to install"

# 3. Uninstall, twice.
"${mk[@]}" uninstall DESTDIR="$tmp/root" >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log"; bad "make uninstall failed"; }
left=$(find "$tmp/root" -mindepth 1 | sed "s|^$tmp/root/||")
[[ -z $left ]] && ok "make uninstall left $tmp/root empty" || bad "make uninstall left: $left"
out=$("${mk[@]}" uninstall DESTDIR="$tmp/root" 2>&1) && grep -q "nothing of diowq is installed" <<<"$out" &&
	ok "uninstall again: nothing to do" || bad "uninstall again: $out"

# 4. PREFIX=/usr.
"${mk[@]}" install DESTDIR="$tmp/root2" PREFIX=/usr >"$tmp/install2.log" 2>&1 || { cat "$tmp/install2.log"; bad "make install PREFIX=/usr failed"; }
got=$(files_in "$tmp/root2")
[[ $got == "$(expected /usr)" ]] && ok "PREFIX=/usr: $(wc -l <<<"$got") files in the right places" ||
	bad "PREFIX=/usr: expected
$(expected /usr)
got
$got"
"${mk[@]}" uninstall DESTDIR="$tmp/root2" PREFIX=/usr >/dev/null 2>&1 || bad "make uninstall PREFIX=/usr failed"
[[ -z $(find "$tmp/root2" -mindepth 1) ]] && ok "PREFIX=/usr: uninstalled, empty" ||
	bad "PREFIX=/usr: left $(find "$tmp/root2" -mindepth 1)"

[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "make install/uninstall: all checks passed for $kver"
