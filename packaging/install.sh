#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh install|uninstall: what `make install` and `make uninstall` run.
#
# install puts what `make` built where it belongs, under $DESTDIR:
#   kmod/diowq.ko              the kernel's modules_install: /lib/modules/<kver>/$INSTALL_MOD_DIR/kmod/
#                              (compressed as the kernel's config says), then depmod
#   $TOOLS_BUILD/diowqctl      $SBINDIR                      (default $PREFIX/sbin)
#   docs/man/diowqctl.8        $MANDIR/man8                  (default $PREFIX/share/man)
#   docs/man/diowq.4           $MANDIR/man4
#   packaging/bash-completion/diowqctl  $BASHCOMPDIR        (default $PREFIX/share/bash-completion/completions)
# It builds nothing (so `sudo make install` leaves no root-owned objects): build first with
# `make`. A module built for another kernel than KDIR's is refused.
#
# uninstall removes exactly those files, and the directories install created that are left
# empty: under a DESTDIR all of them, on the live system only the module's own directories.
# Removing what is not there is not an error.
#
# Environment (the Makefile passes its variables): DESTDIR, PREFIX (/usr/local), KDIR
# (/lib/modules/$(uname -r)/build), TOOLS_BUILD (build/tools), INSTALL_MOD_DIR (extra),
# SBINDIR, MANDIR, BASHCOMPDIR; for uninstall without a KDIR, KVER.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 && ($1 == install || $1 == uninstall) ]] || usage_die "usage: $PROG install|uninstall"
action=$1

destdir=${DESTDIR:-}
destdir=${destdir%/}
prefix=${PREFIX:-/usr/local}
kdir=${KDIR:-/lib/modules/$(uname -r)/build}
tools_build=${TOOLS_BUILD:-$REPO/build/tools}
mod_dir=${INSTALL_MOD_DIR:-extra}
sbindir=${SBINDIR:-$prefix/sbin}
mandir=${MANDIR:-$prefix/share/man}
bashcompdir=${BASHCOMPDIR:-$prefix/share/bash-completion/completions}
for d in "$prefix" "$sbindir" "$mandir" "$bashcompdir"; do
	[[ $d == /* ]] || usage_die "PREFIX, SBINDIR, MANDIR and BASHCOMPDIR must be absolute paths (got '$d')"
done
[[ -z $destdir || $destdir == /* ]] || usage_die "DESTDIR must be an absolute path (got '$destdir')"
[[ $mod_dir =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ ]] || usage_die "bad INSTALL_MOD_DIR '$mod_dir'"

# The non-module files: source (relative to the repository or absolute) and destination.
data_files() {
	printf '%s\t%s\n' "$tools_build/diowqctl" "$sbindir/diowqctl" \
		docs/man/diowqctl.8 "$mandir/man8/diowqctl.8" \
		docs/man/diowq.4 "$mandir/man4/diowq.4" \
		packaging/bash-completion/diowqctl "$bashcompdir/diowqctl"
}

do_install() {
	local kver ko vermagic src dst mode
	need_kdir "$kdir"
	kver=$(kernel_release "$kdir")
	ko=$REPO/kmod/diowq.ko
	[[ -f $ko ]] || die "kmod/diowq.ko is not built: run \`make module KDIR=$kdir\` first"
	vermagic=$(modinfo -F vermagic "$ko") || die "modinfo cannot read $ko"
	[[ $vermagic == "$kver "* ]] ||
		die "kmod/diowq.ko was built for ${vermagic%% *}, not $kver: \`make clean module KDIR=$kdir\`"
	[[ -x $tools_build/diowqctl ]] ||
		die "$tools_build/diowqctl is not built: run \`make tools\` (or pass TOOLS_BUILD=...)"

	log "installing diowq.ko for $kver into $destdir/lib/modules/$kver/$mod_dir"
	# DEPMOD=true: kbuild would run depmod only with a System.map (which Debian's headers lack)
	# and then also inside a DESTDIR; we run it below, on the live system only.
	# (6.1 takes DEPMOD from make's command line, 6.12 from the environment.)
	local args=(INSTALL_MOD_PATH="$destdir" INSTALL_MOD_DIR="$mod_dir" DEPMOD=true)
	# With CONFIG_MODULE_SIG_ALL (Debian 6.1) kbuild signs with the kernel's own key, which only
	# the kernel's build tree has: without it, skip the attempt rather than print SSL errors.
	# (Secure Boot: sign kmod/diowq.ko with packaging/sign-module.sh before installing.)
	local sig_key
	sig_key=$(sed -n 's/^CONFIG_MODULE_SIG_KEY="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' \
		"$kdir/include/config/auto.conf" 2>/dev/null || true)
	if [[ -n $sig_key && $sig_key != pkcs11:* && ! -f $sig_key && ! -f $kdir/$sig_key ]]; then
		args+=(CONFIG_MODULE_SIG_ALL=)
	fi
	DEPMOD=true make -C "$kdir" M="$REPO" "${args[@]}" modules_install >&2

	while IFS=$'\t' read -r src dst; do
		[[ $src == /* ]] || src=$REPO/$src
		if [[ ! -f $src ]]; then
			log "$src does not exist: not installing $dst"
			continue
		fi
		mode=644
		[[ $dst != "$sbindir/"* ]] || mode=755
		install -D -m "$mode" "$src" "$destdir$dst"
		log "installed $destdir$dst"
	done < <(data_files)

	if [[ -z $destdir && -d /lib/modules/$kver ]]; then
		depmod -a "$kver"
	fi
}

# prune DIR STOP: remove DIR and its parents while they are empty, up to (not including) STOP.
prune() {
	local dir=$1 stop=$2
	while [[ $dir == "$stop"/* && -d $dir ]]; do
		rmdir "$dir" 2>/dev/null || return 0
		dir=${dir%/*}
	done
}

do_uninstall() {
	local kver moddir f src dst removed=()
	if [[ -n ${KVER:-} ]]; then
		kver=$KVER
	elif [[ -d $kdir ]]; then
		kver=$(kernel_release "$kdir")
	else
		die "no kernel build tree at $kdir to tell the kernel release: pass KVER=<kver> (or KDIR=...)"
	fi
	moddir=$destdir/lib/modules/$kver/$mod_dir/kmod
	for f in "$moddir"/diowq.ko{,.gz,.xz,.zst}; do
		[[ -e $f ]] || continue
		rm -f "$f"
		removed+=("$f")
	done
	prune "$moddir" "$destdir/lib/modules/$kver"
	while IFS=$'\t' read -r src dst; do
		f=$destdir$dst
		[[ -e $f || -L $f ]] || continue
		rm -f "$f"
		removed+=("$f")
		[[ -z $destdir ]] || prune "${f%/*}" "$destdir"
	done < <(data_files)
	if [[ -n $destdir ]]; then
		prune "$destdir/lib/modules/$kver" "$destdir"
	elif [[ ${#removed[@]} -gt 0 && -d /lib/modules/$kver ]]; then
		depmod -a "$kver"
	fi
	if [[ ${#removed[@]} -eq 0 ]]; then
		log "nothing of diowq is installed (for $kver, under ${destdir:-/})"
	else
		printf 'removed %s\n' "${removed[@]}" >&2
	fi
}

case $action in
install) do_install ;;
uninstall) do_uninstall ;;
esac
