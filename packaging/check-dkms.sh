#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dkms.sh KVER...: CI test of dkms.conf and packaging/dkms.sh (make dkms-install and
# dkms-uninstall) with Debian's dkms, against cached Debian kernels (selftests/vm/fetch-kernel.sh;
# their KDIR is in /var/cache/diowq/kernels/<kver>/env). Everything happens in throwaway DKMS,
# source and module trees (DKMS_TREE, SOURCE_TREE, INSTALL_TREE), and the check fails if what
# diowq could leave on the host changed (owned_state in lib.sh: its paths in /usr/src,
# /var/lib/dkms and /lib/modules, and the module trees of KVER...). It checks that
#   - bad kernels are refused before anything is copied or registered;
#   - install registers diowq <DIOWQ_VERSION> with only its sources, builds it for every KVER
#     (a .ko whose vermagic is that KVER and whose version is DIOWQ_VERSION) and installs it;
#   - installing again replaces the registration (here: for the first kernel only);
#   - uninstall leaves nothing behind, and a second uninstall is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -ge 1 ]] || usage_die "usage: $PROG KVER..."
command -v dkms >/dev/null || die "dkms is not installed (selftests/vm/deps.sh installs it)"
declare -A kdirs=()
for k in "$@"; do
	kdirs[$k]=$(cached_kdir "$k")
done
ver=$(diowq_version)
arch=$(uname -m)

before=$(owned_state "$@")

tmp=$(mktemp -d /tmp/diowq-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export DKMS_TREE=$tmp/dkms SOURCE_TREE=$tmp/src INSTALL_TREE=$tmp/modules
mkdir -p "$DKMS_TREE" "$SOURCE_TREE" "$INSTALL_TREE"
dkms_sh=$PKG_DIR/dkms.sh
tree_empty() { [[ -z $(find "$DKMS_TREE" "$SOURCE_TREE" "$INSTALL_TREE" -mindepth 1 -not -type d) ]]; }
status() { dkms status -m diowq --dkmstree "$DKMS_TREE" --sourcetree "$SOURCE_TREE" --installtree "$INSTALL_TREE"; }

# What a refused install must leave alone (expect_fail): the DKMS, source and module trees.
check_state() { find "$DKMS_TREE" "$SOURCE_TREE" "$INSTALL_TREE" -mindepth 1 | LC_ALL=C sort; }

# 1. Bad kernels change nothing.
first=$1
other=${2:-$1}
expect_fail "a kernel without headers" "no kernel build tree" "$dkms_sh" install 9.9.9-nosuch
if [[ $other != "$first" ]]; then
	expect_fail "a KDIR of another kernel" "is the build tree of" \
		"$dkms_sh" install "$first=${kdirs[$other]}"
fi

# 2. Install for every kernel.
args=()
for k in "$@"; do args+=("$k=${kdirs[$k]}"); done
start=$SECONDS
"$dkms_sh" install "${args[@]}"
echo "dkms add/build/install for $* took $((SECONDS - start)) s"
src=$SOURCE_TREE/diowq-$ver
conf_ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf" 2>/dev/null || true)
[[ $conf_ver == "$ver" ]] && ok "dkms.conf in $src says PACKAGE_VERSION=$ver" ||
	bad "dkms.conf PACKAGE_VERSION '$conf_ver', DIOWQ_VERSION '$ver'"
# (an in-tree build's kmod/diowq.mod.c is generated: not a source either)
strays=$(cd "$src" && find . -type f \( -name '*.mod.c' -o ! -name '*.[ch]' ! -name Kbuild ! -name dkms.conf \))
[[ -z $strays ]] && ok "the registered sources are sources only ($(find "$src" -type f | wc -l) files)" ||
	bad "not sources: $strays"
for k in "$@"; do
	built=$(compgen -G "$DKMS_TREE/diowq/$ver/$k/$arch/module/diowq.ko*" | head -n1 || true)
	installed=$(compgen -G "$INSTALL_TREE/$k/updates/dkms/diowq.ko*" | head -n1 || true)
	if [[ -z $built ]]; then
		bad "$k: dkms built no module"
		continue
	fi
	vermagic=$(modinfo -F vermagic "$built")
	[[ $vermagic == "$k "* ]] && ok "$k: built, vermagic '$vermagic'" ||
		bad "$k: vermagic '$vermagic', expected $k"
	[[ $(modinfo -F version "$built") == "$ver" ]] && ok "$k: module version $ver" ||
		bad "$k: module version '$(modinfo -F version "$built")'"
	[[ -n $installed ]] && cmp -s "$built" "$installed" && ok "$k: installed as ${installed#"$tmp"/}" ||
		bad "$k: not installed into $INSTALL_TREE/$k/updates/dkms"
	grep -q "^diowq/$ver, $k, $arch: installed" <<<"$(status)" && ok "$k: dkms status says installed" ||
		bad "$k: dkms status: $(status)"
done

# 3. Install again, for the first kernel only: the registration is replaced.
if [[ $# -gt 1 ]]; then
	"$dkms_sh" install "$first=${kdirs[$first]}" 2>"$tmp/again.log" || {
		cat "$tmp/again.log"
		bad "installing again failed"
	}
	grep -q "replacing it" "$tmp/again.log" && ok "installing again replaces diowq $ver" ||
		bad "installing again did not say it replaced: $(cat "$tmp/again.log")"
	lines=$(status | grep -c . || true)
	if [[ $lines -eq 1 ]] && grep -q "^diowq/$ver, $first, $arch: installed" <<<"$(status)" &&
		[[ -z $(compgen -G "$INSTALL_TREE/$other/updates/dkms/diowq.ko*") ]]; then
		ok "after it: installed for $first only"
	else
		bad "after installing again: $(status); $(find "$INSTALL_TREE" -name 'diowq.ko*')"
	fi
fi

# 4. Uninstall, twice.
"$dkms_sh" uninstall
if tree_empty && [[ -z $(status) ]] && [[ -z $(find "$SOURCE_TREE" -mindepth 1 -name 'diowq-*') ]]; then
	ok "uninstall left no file in the DKMS, source and module trees"
else
	bad "after uninstall: $(status); $(find "$tmp" -mindepth 2 -not -type d | head)"
fi
out=$("$dkms_sh" uninstall 2>&1) && grep -q "nothing to remove" <<<"$out" &&
	ok "uninstall again: '$out'" || bad "uninstall again: $out"

# 5. The host is as it was.
after=$(owned_state "$@")
[[ $after == "$before" ]] && ok "the host's diowq paths in /usr/src, /var/lib/dkms and /lib/modules are unchanged" ||
	bad "the host changed: $(diff <(echo "$before") <(echo "$after") | head)"

[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "dkms: all checks passed for $*"
