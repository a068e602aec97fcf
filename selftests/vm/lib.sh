# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the VM rig scripts. Sourced, never run.
#
# Everything downloaded or extracted lives under $DIOWQ_CACHE (outside the tree, survives
# `make clean`); everything built from the tree lives under $BUILD.

DIOWQ_CACHE=${DIOWQ_CACHE:-/var/cache/diowq}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
# The top-level Makefile passes BUILD on to us when it is set on its command line.
BUILD=${BUILD:-$REPO/build}

# Test programs that attach diowqctl's dispatch-latency BPF program (workqueue tracepoints,
# fentry). Attaching and detaching patches kernel text (static keys, trampolines), which has
# crashed guests under multi-threaded TCG (selftests/vm/README.md): they run only when named,
# in a boot of their own that run-vm.sh gives single-threaded TCG (check.sh does that per kernel).
# cgroup_test and cgroup_stress_test register and unregister the module's ftrace hook on
# queue_work_on() (mode cgroup) at every switch: the same text patching.
DIOWQ_PROBE_TESTS="diagnose_test cgroup_test cgroup_stress_test"

# is_probe_test NAME: is NAME one of DIOWQ_PROBE_TESTS?
is_probe_test() { [[ " $DIOWQ_PROBE_TESTS " == *" $1 "* ]]; }

# split_probe_tests: set normal_tests and probe_tests (comma-separated, for DIOWQ_TESTS) to
# the programs of the two boots check.sh makes per kernel. DIOWQ_TESTS unset: "" (the guest's
# default: all but the probe tests) and every probe test; set: its names, split.
split_probe_tests() {
	local t wanted=()
	normal_tests='' probe_tests=''
	if [[ -z ${DIOWQ_TESTS:-} ]]; then
		for t in $DIOWQ_PROBE_TESTS; do
			probe_tests+=${probe_tests:+,}$t
		done
		return
	fi
	IFS=, read -r -a wanted <<<"$DIOWQ_TESTS"
	for t in "${wanted[@]}"; do
		if is_probe_test "$t"; then
			probe_tests+=${probe_tests:+,}$t
		else
			normal_tests+=${normal_tests:+,}$t
		fi
	done
}

log() { printf 'diowq-vm: %s\n' "$*" >&2; }
die() { printf 'diowq-vm: error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[[ $(id -u) -eq 0 ]] || die "$1 needs root (apt-get, writes to $DIOWQ_CACHE)"
}

# Which apt the functions below use. By default the host's (Debian 12: the 6.x kernels), with
# .debs cached in $DIOWQ_CACHE/debs. apt_use_repo SUITE switches them to a configuration of
# the rig's own under $DIOWQ_CACHE/apt/SUITE/ (sources.list, lists, archives, an empty dpkg
# status): the host's /etc/apt is never read for sources nor written.
DEBIAN_MIRROR=${DIOWQ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Debian 12's debian-archive-keyring has the trixie (Debian 13) archive keys.
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
apt_opts=()
deb_dir=$DIOWQ_CACHE/debs
apt_updated_var=DIOWQ_APT_UPDATED

# apt_use_repo SUITE: Debian's SUITE (e.g. trixie-backports), main, amd64, from $DEBIAN_MIRROR.
apt_use_repo() {
	local suite=$1 d=$DIOWQ_CACHE/apt/$1 line
	line="deb [arch=amd64 signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR $suite main"
	if [[ ! -f $d/status || $(cat "$d/sources.list" 2>/dev/null) != "$line" ]]; then
		need_root "setting up apt for $suite in $d"
		[[ -r $DEBIAN_KEYRING ]] || die "no $DEBIAN_KEYRING (apt-get install debian-archive-keyring)"
		mkdir -p "$d"/{lists/partial,archives/partial,cache,sources.list.d,preferences.d}
		printf '%s\n' "$line" >"$d/sources.list"
		: >"$d/status"
	fi
	apt_opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=$d/sources.list.d"
		-o "Dir::Etc::preferences=$d/preferences" -o "Dir::Etc::preferencesparts=$d/preferences.d"
		-o "Dir::State::lists=$d/lists" -o "Dir::State::status=$d/status"
		-o "Dir::Cache=$d/cache" -o "Dir::Cache::archives=$d/archives"
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64)
	deb_dir=$d/archives
	apt_updated_var=DIOWQ_APT_UPDATED_${suite//[^A-Za-z0-9]/_}
}

# apt-get update at most once per rig run (and apt configuration): it is slow, and a stale
# list is only a problem when a download fails, which triggers it anyway.
apt_update_once() {
	[[ -z ${!apt_updated_var:-} ]] || return 0
	export "$apt_updated_var=1"
	log "apt-get update${apt_opts:+ (${deb_dir%/archives})}"
	DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q >&2
}

# deb_path PKG: where the .deb of PKG's candidate version is cached (may not exist yet).
deb_path() {
	local ver arch
	read -r ver arch < <(apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>/dev/null |
		awk '/^Version: /{v=$2} /^Architecture: /{a=$2} END{print v, a}')
	[[ -n $ver && -n $arch ]] || return 1
	# apt-get download escapes the epoch colon.
	printf '%s/%s_%s_%s.deb\n' "$deb_dir" "$1" "${ver//:/%3a}" "$arch"
}

# missing_debs PKG...: the packages whose candidate .deb is not cached.
missing_debs() {
	local pkg p
	for pkg in "$@"; do
		if ! p=$(deb_path "$pkg") || [[ ! -s $p ]]; then
			printf '%s\n' "$pkg"
		fi
	done
}

# apt-get download as root: the sandbox user cannot write into our cache, so do not ask it to.
apt_download() {
	[[ $# -gt 0 ]] || return 0
	(cd "$deb_dir" && apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root "$@" >&2)
}

# fetch_debs PKG...: make sure the candidate .deb of every PKG is in $deb_dir.
# A stale package list names versions the mirror no longer has: refresh once and retry.
fetch_debs() {
	local missing
	mkdir -p "$deb_dir"
	mapfile -t missing < <(missing_debs "$@")
	[[ ${#missing[@]} -eq 0 ]] && return 0
	log "downloading ${missing[*]}"
	if ! apt_download "${missing[@]}"; then
		apt_update_once
		mapfile -t missing < <(missing_debs "$@")
		apt_download "${missing[@]}" || die "cannot download ${missing[*]}"
	fi
	mapfile -t missing < <(missing_debs "$@")
	[[ ${#missing[@]} -eq 0 ]] || die "downloaded, yet not in $deb_dir: ${missing[*]}"
}

# Write KEY=value lines: values are paths and version strings, kept free of anything a
# shell would interpret so the file is both sourceable and trivially parsed by other tools.
write_env() {
	local file=$1 kv
	shift
	: >"$file"
	for kv in "$@"; do
		[[ $kv =~ ^[A-Z_][A-Z0-9_]*=[A-Za-z0-9._+/:,-]*$ ]] || die "unsafe env entry: $kv"
		printf '%s\n' "$kv" >>"$file"
	done
}
