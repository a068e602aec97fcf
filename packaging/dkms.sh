#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh install [KVER[=KDIR]]...   (make dkms-install)
# dkms.sh uninstall                  (make dkms-uninstall)
#
# install: copy the module's sources to $SOURCE_TREE/diowq-<version> (see stage-sources.sh),
# register them with DKMS, then build and install diowq.ko for each KVER (default: the running
# kernel) against KDIR (default: $INSTALL_TREE/KVER/build). From then on DKMS rebuilds the module
# whenever a kernel (with its headers) is installed. Running it again replaces the registered
# sources with the current ones: the result is the same as after the first run.
#
# uninstall: remove every diowq version this way installed from DKMS (and so the built modules
# from every kernel) and its sources. Nothing installed is not an error.
#
# The kernels are all checked before anything is changed. Sources that belong to a Debian package
# (diowq-dkms) are left alone: use apt for those.
#
# Environment, for tests and unusual setups (defaults are DKMS's own):
#   DKMS_TREE=/var/lib/dkms  SOURCE_TREE=/usr/src  INSTALL_TREE=/lib/modules
# With INSTALL_TREE set, depmod is not run (the tree is not the system's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $PROG install [KVER[=KDIR]]... | $PROG uninstall"
[[ $# -ge 1 ]] || usage_die "$usage"
action=$1
shift

dkms_opts=(--dkmstree "${DKMS_TREE:-/var/lib/dkms}" --sourcetree "${SOURCE_TREE:-/usr/src}"
	--installtree "${INSTALL_TREE:-/lib/modules}")
[[ -z ${INSTALL_TREE:-} ]] || dkms_opts+=(--no-depmod)
source_tree=${SOURCE_TREE:-/usr/src}
install_tree=${INSTALL_TREE:-/lib/modules}

command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
if [[ -z ${DKMS_TREE:-} || -z ${SOURCE_TREE:-} ]] && [[ $(id -u) -ne 0 ]]; then
	die "changing /usr/src and /var/lib/dkms needs root"
fi

# owner DIR: the Debian package DIR belongs to, if any.
owner() {
	command -v dpkg-query >/dev/null || return 0
	{ dpkg-query -S "$1" 2>/dev/null || true; } | sed -n '1s/:.*//p'
}

# registered_versions: the versions of diowq DKMS knows, one a line.
registered_versions() {
	dkms status -m diowq "${dkms_opts[@]}" 2>/dev/null |
		sed -n 's#^diowq/\([^,:]*\)[,:].*#\1#p' | LC_ALL=C sort -u
}

do_install() {
	local ver src pkg arg kver kdir rel rc
	local kvers=() kdirs=()
	ver=$(diowq_version)
	src=$source_tree/diowq-$ver
	[[ $# -gt 0 ]] || set -- "$(uname -r)"

	for arg in "$@"; do
		kver=${arg%%=*}
		if [[ $arg == *=* ]]; then kdir=${arg#*=}; else kdir=$install_tree/$kver/build; fi
		[[ -n $kver && -n $kdir ]] || usage_die "bad kernel '$arg' ($usage)"
		need_kdir "$kdir" "DKMS_KERNELS=\"$kver=/path/to/kernel/build\""
		rel=$(kernel_release "$kdir")
		[[ $rel == "$kver" ]] || die "$kdir is the build tree of $rel, not of $kver"
		kvers+=("$kver")
		kdirs+=("$kdir")
	done
	pkg=$(owner "$src")
	[[ -z $pkg ]] || die "$src belongs to the package $pkg: use apt-get (or remove $pkg first)"

	if grep -qxF "$ver" <<<"$(registered_versions)"; then
		log "diowq $ver is in DKMS already: replacing it with the sources of $REPO"
		dkms remove -m diowq -v "$ver" --all "${dkms_opts[@]}" >&2
	fi
	rm -rf "$src"
	"$PKG_DIR/stage-sources.sh" "$src"
	log "sources in $src"
	dkms add -m diowq -v "$ver" "${dkms_opts[@]}" >&2

	for i in "${!kvers[@]}"; do
		kver=${kvers[$i]} kdir=${kdirs[$i]}
		[[ -z ${INSTALL_TREE:-} ]] || mkdir -p "$install_tree/$kver"
		rc=0
		dkms build -m diowq -v "$ver" -k "$kver" --kernelsourcedir "$kdir" "${dkms_opts[@]}" >&2 ||
			rc=$?
		[[ $rc -ne 77 ]] || die "diowq supports kernels 6.1 and later, not $kver (sources stay registered)"
		[[ $rc -eq 0 ]] || die "dkms build for $kver failed (exit $rc): see the make.log it names"
		dkms install -m diowq -v "$ver" -k "$kver" --kernelsourcedir "$kdir" "${dkms_opts[@]}" >&2 ||
			die "dkms install for $kver failed"
	done
	log "diowq $ver is installed through DKMS for ${kvers[*]}"
}

do_uninstall() {
	local versions=() v src pkg
	mapfile -t versions < <(registered_versions)
	for v in "${versions[@]}"; do
		pkg=$(owner "$source_tree/diowq-$v")
		if [[ -n $pkg ]]; then
			log "diowq $v belongs to the package $pkg: leaving it (apt-get purge $pkg)"
			continue
		fi
		dkms remove -m diowq -v "$v" --all "${dkms_opts[@]}" >&2
		rm -rf "$source_tree/diowq-$v"
		log "removed diowq $v from DKMS and $source_tree"
	done
	# Sources copied but never registered (an interrupted install).
	for src in "$source_tree"/diowq-*; do
		[[ -d $src && -f $src/dkms.conf ]] || continue
		[[ -z $(owner "$src") ]] || continue
		grep -q '^PACKAGE_NAME="diowq"$' "$src/dkms.conf" || continue
		rm -rf "$src"
		log "removed $src"
	done
	[[ ${#versions[@]} -gt 0 ]] || log "diowq is not in DKMS: nothing to remove"
}

case $action in
install) do_install "$@" ;;
uninstall)
	[[ $# -eq 0 ]] || usage_die "$usage"
	do_uninstall
	;;
*) usage_die "$usage" ;;
esac
