#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# stage-sources.sh [--no-dkms-conf] DEST: copy the module's sources (module_sources in lib.sh:
# Kbuild, kmod/*.[ch] and its Kbuild, include/**/*.h) into DEST, plus dkms.conf with
# PACKAGE_VERSION set from include/uapi/diowq.h. Only sources are copied, never what an in-tree
# build leaves (objects, the generated kmod/diowq.mod.c). DEST must not exist or be empty. Used by
# `make dkms-install` (packaging/dkms.sh) and debian/rules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

with_conf=1
if [[ ${1:-} == --no-dkms-conf ]]; then
	with_conf=
	shift
fi
[[ $# -eq 1 && -n $1 ]] || usage_die "usage: $PROG [--no-dkms-conf] DEST"
dest=$1
if [[ -e $dest ]] && [[ ! -d $dest || -n $(ls -A "$dest") ]]; then
	die "$dest exists and is not an empty directory"
fi

ver=$(diowq_version)
mapfile -t files < <(module_sources)
for f in "${files[@]}"; do
	[[ -f $REPO/$f ]] || die "$REPO/$f is missing"
done

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
(cd "$REPO" && cp --parents -p "${files[@]}" "$dest/")
if [[ -n $with_conf ]]; then
	grep -q '^PACKAGE_VERSION="#MODULE_VERSION#"$' "$REPO/dkms.conf" ||
		die "$REPO/dkms.conf has no PACKAGE_VERSION=\"#MODULE_VERSION#\" line to fill in"
	sed "s/#MODULE_VERSION#/$ver/" "$REPO/dkms.conf" >"$dest/dkms.conf"
	chmod 644 "$dest/dkms.conf"
fi
