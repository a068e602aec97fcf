#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh: take the few kernel source files the project builds and lints with out of
# Debian's linux-source-6.1 package, into $DIOWQ_CACHE/src/6.1/ (never into the tree):
#   tools/testing/selftests/kselftest_harness.h, kselftest.h   (the test programs' harness)
#   scripts/checkpatch.pl, spelling.txt, const_structs.checkpatch   (the style check)
# Prints its env file (KSFT_DIR, CHECKPATCH) on stdout. Cached: the env file is written last.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=6.1
root=$DIOWQ_CACHE/src/$series
members=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)

if [[ -f $root/env ]]; then
	cat "$root/env"
	exit 0
fi

need_root "fetching linux-source-$series"
pkg=linux-source-$series
fetch_debs "$pkg"
deb=$(deb_path "$pkg")

log "extracting ${#members[@]} files from $deb"
mkdir -p "$DIOWQ_CACHE/src"
tmp=$(mktemp -d "$DIOWQ_CACHE/src/.tmp-$series.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The .deb holds usr/src/linux-source-6.1.tar.xz, whose members sit under linux-source-6.1/.
# tar reads the whole xz stream either way; multi-threaded xz keeps that to seconds when the
# archive was written in blocks.
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/linux-source-$series.tar.xz" |
	xz -dc -T0 |
	tar -x -C "$tmp" --strip-components=1 "${members[@]/#/linux-source-$series/}"
for m in "${members[@]}"; do
	[[ -s $tmp/$m ]] || die "$pkg lacks $m"
done
chmod +x "$tmp/scripts/checkpatch.pl"

write_env "$tmp/env" \
	"KSFT_DIR=$root/tools/testing/selftests" \
	"CHECKPATCH=$root/scripts/checkpatch.pl"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
cat "$root/env"
