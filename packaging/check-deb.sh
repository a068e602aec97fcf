#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-deb.sh KVER: CI test of debian/: builds diowq-dkms and diowqctl with
# `dpkg-buildpackage -us -uc -b` from a copy of the tree in a temporary directory, checks their
# contents, installs each on this host, exercises it and purges it again:
#   - the build has no compiler warning; the .debs hold what they should (the module's sources
#     only, module_sources in lib.sh: those git tracks, not the kmod/diowq.mod.c an in-tree build
#     leaves, and dkms.conf at DIOWQ_VERSION; diowqctl, its completion and, when docs/man has
#     them, its man pages); lintian, if installed, finds no error;
#   - diowqctl: `diowqctl --version` says DIOWQ_VERSION, `diowqctl --help` works; it ships
#     the systemd unit and example config when packaging/ has them;
#   - diowq-dkms: installs although this host has no headers for its running kernel (the
#     postinst's autoinstall skips it), registers diowq/<version> with DKMS, and
#     `dkms build -k KVER --kernelsourcedir <cached headers>` builds a module for KVER;
#   - purging leaves what the packages own or could leave behind (owned_state in lib-check.sh:
#     diowq's paths in /usr/src, /var/lib/dkms, /lib/modules, the installed files, the unit's
#     enablement) and dpkg's list as they were.
# DEB_BUILD_OPTIONS defaults to "nocheck parallel=2": make check runs the unit tests itself.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -eq 1 ]] || usage_die "usage: $PROG KVER"
kver=$1
[[ $(id -u) -eq 0 ]] || die "installing packages needs root"
kdir=$(cached_kdir "$kver")
for t in dpkg-buildpackage dh dh_dkms dkms cmake; do
	command -v "$t" >/dev/null || die "$t is missing (selftests/vm/deps.sh installs it)"
done
ver=$(diowq_version)
debarch=$(dpkg --print-architecture)
for p in diowqctl diowq-dkms; do
	if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != "" ]] &&
		[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p") != un* ]]; then
		die "$p is installed on this host already: not touching it (purge it first)"
	fi
done
[[ ! -e /usr/src/diowq-$ver && ! -e /var/lib/dkms/diowq ]] ||
	die "diowq $ver is in /usr/src or /var/lib/dkms already (make dkms-uninstall first)"

# What the packages own or could leave behind (lib-check.sh), and dpkg's view of them.
host_state() {
	owned_state "$kver"
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 'diowq*' 2>/dev/null || true
}
before=$(host_state)
had_mok=$(ls /var/lib/dkms/mok.* 2>/dev/null || true)

tmp=$(mktemp -d /tmp/diowq-deb.XXXXXX)
installed=()
cleanup() {
	local p
	for p in "${installed[@]}"; do
		dpkg --purge "$p" >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# dpkg_run ARGS...: dpkg, waiting (up to 2 min) while another dpkg or apt holds the lock.
dpkg_run() {
	local i out rc
	for ((i = 0; i < 60; i++)); do
		rc=0
		out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" 2>&1) || rc=$?
		if [[ $rc -ne 0 ]] && grep -q 'lock' <<<"$out" && ! grep -q 'Setting up' <<<"$out"; then
			sleep 2
			continue
		fi
		printf '%s\n' "$out"
		return "$rc"
	done
	printf '%s\n' "$out"
	return 1
}

# 1. Build from a copy of the tree: sources only (no build output, no .git).
src=$tmp/diowq-$ver
mkdir -p "$src"
tar -C "$REPO" --exclude=./.git --exclude=./build --exclude='./obj-*' \
	--exclude=./debian/diowqctl --exclude=./debian/diowq-dkms --exclude=./debian/tmp \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
	--exclude=modules.order --exclude=Module.symvers -c . | tar -C "$src" -x
start=$SECONDS
rc=0
(cd "$src" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck parallel=2} \
	dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]]; then
	tail -n 60 "$tmp/build.log"
	die "dpkg-buildpackage failed (exit $rc)"
fi
ok "dpkg-buildpackage -us -uc -b built $(find "$tmp" -maxdepth 1 -name '*.deb' -printf '%f ' | LC_ALL=C sort)in $((SECONDS - start)) s"
warnings=$(grep -E '\.(c|cc|cpp|h|hpp):[0-9]+(:[0-9]+)?: warning:' "$tmp/build.log" || true)
[[ -z $warnings ]] && ok "no compiler warning in the package build" || bad "compiler warnings: $warnings"

dkms_deb=$tmp/diowq-dkms_${ver}_all.deb
ctl_deb=$tmp/diowqctl_${ver}_$debarch.deb
[[ -f $dkms_deb && -f $ctl_deb ]] || die "expected $dkms_deb and $ctl_deb; got $(ls "$tmp")"

# 2. Contents.
contents() { dpkg-deb -c "$1" | awk '{print $NF}' | sed 's|^\./|/|; s|/$||'; }
srcdir=/usr/src/diowq-$ver
want_src=$(module_sources | sed "s|^|$srcdir/|")
got_src=$(dpkg-deb -c "$dkms_deb" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\./|/|' |
	grep "^$srcdir/" | grep -v '/dkms.conf$' | LC_ALL=C sort)
[[ $got_src == "$want_src" ]] && ok "diowq-dkms: $(wc -l <<<"$got_src") source files in $srcdir, nothing else" ||
	bad "diowq-dkms sources: expected
$want_src
got
$got_src"
conf=$(dpkg-deb --fsys-tarfile "$dkms_deb" | tar -xO ".$srcdir/dkms.conf")
grep -qx "PACKAGE_VERSION=\"$ver\"" <<<"$conf" && grep -qx 'PACKAGE_NAME="diowq"' <<<"$conf" &&
	ok "diowq-dkms: dkms.conf names diowq $ver" || bad "diowq-dkms: dkms.conf: $(grep PACKAGE_ <<<"$conf")"
[[ $(dpkg-deb -f "$dkms_deb" Architecture) == all ]] && grep -q dkms <<<"$(dpkg-deb -f "$dkms_deb" Depends)" &&
	ok "diowq-dkms: Architecture all, Depends: $(dpkg-deb -f "$dkms_deb" Depends)" ||
	bad "diowq-dkms control: $(dpkg-deb -f "$dkms_deb" Architecture Depends)"

ctl_files=$(contents "$ctl_deb")
want_ctl=(/usr/sbin/diowqctl /usr/share/bash-completion/completions/diowqctl)
[[ ! -f $REPO/docs/man/diowqctl.8 ]] || want_ctl+=(/usr/share/man/man8/diowqctl.8.gz)
[[ ! -f $REPO/docs/man/diowq.4 ]] || want_ctl+=(/usr/share/man/man4/diowq.4.gz)
[[ ! -f $REPO/packaging/systemd/diowq.service ]] || want_ctl+=(/lib/systemd/system/diowq.service)
[[ ! -f $REPO/packaging/config/diowq.conf ]] || want_ctl+=(/usr/share/doc/diowqctl/examples/diowq.conf)
missing=()
for f in "${want_ctl[@]}"; do grep -qx "$f" <<<"$ctl_files" || missing+=("$f"); done
[[ ${#missing[@]} -eq 0 ]] && ok "diowqctl: has ${want_ctl[*]}" || bad "diowqctl: lacks ${missing[*]}"
[[ -f $REPO/docs/man/diowqctl.8 ]] || echo "note: no docs/man/diowqctl.8 in this tree: no man page to package"
if [[ -f $REPO/packaging/systemd/diowq.service ]]; then
	grep -q "deb-systemd-helper.*enable.*'diowq.service'" <<<"$(dpkg-deb -I "$ctl_deb" postinst 2>/dev/null)" &&
		ok "diowqctl: its postinst enables diowq.service" || bad "diowqctl: no enabling of diowq.service in its postinst"
fi
deps=$(dpkg-deb -f "$ctl_deb" Depends)
[[ $deps == *libnl-genl-3* && $deps == *libfmt* ]] && ok "diowqctl: Depends: $deps" || bad "diowqctl: Depends: $deps"
if command -v lintian >/dev/null; then
	lintian --fail-on error "$dkms_deb" "$ctl_deb" && ok "lintian: no error" || bad "lintian found errors"
else
	echo "note: lintian is not installed: not run"
fi

# The version has one source: a header that disagrees with debian/changelog stops the build.
sed -i "s/^#define DIOWQ_VERSION\([[:space:]]*\)\"$ver\"/#define DIOWQ_VERSION\1\"9.9.9\"/" \
	"$src/include/uapi/diowq.h"
out=$(cd "$src" && dpkg-buildpackage -us -uc -b 2>&1) && bad "a version mismatch built" ||
	{ grep -q "debian/changelog is at $ver but include/uapi/diowq.h at 9.9.9" <<<"$out" &&
		ok "a header at 9.9.9 with the changelog at $ver stops the build" ||
		bad "version mismatch: $(tail -n3 <<<"$out")"; }

# 3. diowqctl: install, run, purge.
out=$(dpkg_run -i "$ctl_deb") && installed+=(diowqctl) && ok "dpkg -i diowqctl" ||
	bad "dpkg -i diowqctl: $out"
v=$(/usr/sbin/diowqctl --version 2>&1) && [[ $v == *"$ver"* ]] && ok "diowqctl --version: $v" ||
	bad "diowqctl --version: $v"
h=$(/usr/sbin/diowqctl --help 2>&1) && grep -q '^Subcommands:' <<<"$h" &&
	ok "diowqctl --help: $(grep -c '^  [a-z]' <<<"$h") commands and options listed" || bad "diowqctl --help: $h"
out=$(dpkg_run --purge diowqctl) && installed=() && [[ ! -e /usr/sbin/diowqctl ]] &&
	ok "dpkg --purge diowqctl" || bad "dpkg --purge diowqctl: $out"

# 4. diowq-dkms: install (no headers for the running kernel), build for KVER, purge.
out=$(dpkg_run -i "$dkms_deb") && installed+=(diowq-dkms) &&
	ok "dpkg -i diowq-dkms (running kernel $(uname -r), no headers for it): postinst said: $(grep -v '^\(Selecting\|(Reading\|Preparing\|Unpacking\|Setting up\)' <<<"$out" | tr '\n' ' ')" ||
	bad "dpkg -i diowq-dkms: $out"
st=$(dkms status -m diowq 2>&1 || true)
grep -qx "diowq/$ver: added" <<<"$st" && ok "dkms status: $st" || bad "dkms status: '$st'"
start=$SECONDS
if out=$(dkms build -m diowq -v "$ver" -k "$kver" --kernelsourcedir "$kdir" 2>&1); then
	ko=$(compgen -G "/var/lib/dkms/diowq/$ver/$kver/$(uname -m)/module/diowq.ko*" | head -n1 || true)
	vermagic=$([[ -n $ko ]] && modinfo -F vermagic "$ko" || true)
	[[ $vermagic == "$kver "* ]] && ok "dkms build -k $kver: vermagic '$vermagic' ($((SECONDS - start)) s)" ||
		bad "dkms build -k $kver: module '$ko', vermagic '$vermagic'"
else
	bad "dkms build -k $kver failed: $out"
	cat "/var/lib/dkms/diowq/$ver/build/make.log" 2>/dev/null || true
fi
# make dkms-install and dkms-uninstall leave the package's sources alone.
out=$("$PKG_DIR/dkms.sh" install "$kver=$kdir" 2>&1) && bad "make dkms-install over the package: succeeded" ||
	{ grep -q "belongs to the package diowq-dkms" <<<"$out" &&
		ok "make dkms-install refuses: $(tail -n1 <<<"$out")" || bad "make dkms-install over the package: $out"; }
out=$("$PKG_DIR/dkms.sh" uninstall 2>&1) && grep -q "belongs to the package diowq-dkms" <<<"$out" &&
	[[ -f $srcdir/dkms.conf ]] && grep -q "^diowq/$ver" <<<"$(dkms status -m diowq)" &&
	ok "make dkms-uninstall leaves the package's diowq alone" || bad "make dkms-uninstall with the package: $out"
out=$(dpkg_run --purge diowq-dkms) && installed=() && ok "dpkg --purge diowq-dkms" ||
	bad "dpkg --purge diowq-dkms: $out"
[[ ! -e /var/lib/dkms/diowq && ! -e $srcdir ]] && ok "purged: no /var/lib/dkms/diowq, no $srcdir" ||
	bad "after purge: $(ls -d /var/lib/dkms/diowq "$srcdir" 2>&1)"

# 5. The host is as it was (dkms must not have made itself a signing key either).
now_mok=$(ls /var/lib/dkms/mok.* 2>/dev/null || true)
if [[ $now_mok != "$had_mok" ]]; then
	bad "dkms created a MOK key pair: $now_mok (removed)"
	[[ -n $had_mok ]] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
fi
after=$(host_state)
[[ $after == "$before" ]] && ok "the host is as it was (diowq's paths in /usr/src, /var/lib/dkms, /lib/modules, installed files, dpkg)" ||
	bad "the host changed: $(diff <(echo "$before") <(echo "$after") | head)"

[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "debian packages: all checks passed"
