#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-deb-after-build.sh KVER: check-deb.sh on a tree in which the module was just built in
# place, as README's `make` does. It copies this tree (the files git tracks or would track, as
# they are now, into a git repository of their own, so that the copy is a checkout as this one
# is), runs `make module KDIR=<KVER's cached headers>` in the copy, which leaves objects and the
# generated kmod/diowq.mod.c next to the sources, and then the copy's check-deb.sh KVER. It passes
# when that passes: the packages hold the module's sources only, and the check expects no more.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -eq 1 ]] || usage_die "usage: $PROG KVER"
kver=$1
kdir=$(cached_kdir "$kver")
command -v git >/dev/null && [[ -e $REPO/.git ]] || die "$REPO is not a git checkout: no list of its files to copy"

tmp=$(mktemp -d /tmp/diowq-deb-built.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/diowq
mkdir "$tree"
# Uncommitted changes included; a tracked file deleted meanwhile is left out.
git -C "$REPO" ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[[ ! -e $REPO/$f && ! -L $REPO/$f ]] || printf '%s\0' "$f"
	done | tar -C "$REPO" --null -T - -c | tar -C "$tree" -x
git -C "$tree" init -q
git -C "$tree" add -A

make -C "$tree" --no-print-directory module KDIR="$kdir" >"$tmp/module.log" 2>&1 ||
	{ cat "$tmp/module.log"; die "make module KDIR=$kdir failed in the copy"; }
[[ -f $tree/kmod/diowq.mod.c ]] || die "the in-tree build left no kmod/diowq.mod.c: this checks nothing"
echo "ok: make module KDIR=$kdir in a copy of the tree left $(git -C "$tree" ls-files --others --ignored --exclude-standard | wc -l) build files, kmod/diowq.mod.c among them"
"$tree/packaging/check-deb.sh" "$kver"
