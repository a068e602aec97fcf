# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the check-*.sh scripts, on top of lib.sh. Sourced, never run.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# One line per check, "ok: ..." or "FAIL: ..."; $fails counts the failures.
fails=0
ok() { printf 'ok: %s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

# cached_kdir KVER: the kernel build tree (KDIR) of a kernel selftests/vm/fetch-kernel.sh cached,
# or a clear error.
cached_kdir() {
	local env_file=${DIOWQ_CACHE:-/var/cache/diowq}/kernels/$1/env kdir
	[[ -f $env_file ]] || die "kernel $1 is not cached (selftests/vm/fetch-kernel.sh)"
	kdir=$(sed -n 's/^KDIR=//p' "$env_file")
	need_kdir "$kdir"
	printf '%s\n' "$kdir"
}

# expect_fail WHAT PATTERN CMD...: CMD fails, its output says PATTERN, and it changes nothing:
# check_state, a function of the calling script that prints what CMD must leave alone, prints
# the same after CMD as before.
expect_fail() {
	local what=$1 pattern=$2 out rc=0 before after
	shift 2
	before=$(check_state)
	out=$("$@" 2>&1) || rc=$?
	after=$(check_state)
	if [[ $rc -eq 0 ]]; then
		bad "$what: succeeded"
	elif ! grep -q -- "$pattern" <<<"$out"; then
		bad "$what: exit $rc but no '$pattern' in: $out"
	elif [[ $after != "$before" ]]; then
		bad "$what: changed what it must not: $(diff <(echo "$before") <(echo "$after") | head)"
	else
		ok "$what: exit $rc, '$(grep -m1 -- "$pattern" <<<"$out")'"
	fi
}

# owned_state [KVER...]: what diowq's packages, make dkms-install and DKMS can own or leave on
# this host, one "path type [size]" line each, sorted: anything named diowq* where they install
# (sources, DKMS registration, diowqctl and its files, the systemd unit and its enablement, the
# module in any kernel's tree), DKMS's signing key, and the module trees of KVER... (depmod). The
# checks compare it before and after; nothing else, since a shared CI host may install unrelated
# packages meanwhile (/usr/src/python3.11 ...).
owned_state() {
	local k paths=()
	mapfile -t paths < <({
		find /usr/src /var/lib/dkms /usr/sbin /usr/share/bash-completion/completions \
			/usr/share/man/man4 /usr/share/man/man8 /usr/share/doc /lib/systemd/system \
			/etc/modprobe.d -mindepth 1 -maxdepth 1 \( -name 'diowq*' -o -path '/var/lib/dkms/mok.*' \) \
			-print 2>/dev/null || true
		find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
			/var/lib/systemd/deb-systemd-helper-masked /lib/modules -name 'diowq*' -print \
			2>/dev/null || true
		for k in "$@"; do
			[[ ! -e /lib/modules/$k ]] || printf '%s\n' "/lib/modules/$k"
		done
	})
	[[ ${#paths[@]} -gt 0 ]] || return 0
	{ find "${paths[@]}" \( -type d -printf '%p d\n' \) -o -printf '%p %y %s\n' 2>/dev/null || true; } |
		LC_ALL=C sort -u
}
