#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-completion.sh DIOWQCTL: CI test of packaging/bash-completion/diowqctl against a built
# diowqctl: sources the completion in a clean bash, completes command lines the way bash does
# (COMP_WORDS split at word breaks, COMP_CWORD) and compares the candidates with what
# `diowqctl --help` lists and with the known value sets.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -eq 1 && -x $1 ]] || usage_die "usage: $PROG DIOWQCTL (a built diowqctl)"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
comp=$PKG_DIR/bash-completion/diowqctl

# complete_line LINE: the candidates for the end of LINE, sorted, one line, space-separated.
complete_line() {
	# shellcheck disable=SC2016 # the script is for the inner bash, which gets $1 and $2
	env -i PATH="$(dirname "$bin"):/usr/bin:/bin" bash --norc --noprofile -c '
		set -u
		. "$1"
		line=$2
		# Split like readline: blanks separate words, "=" is a word of its own.
		read -r -a COMP_WORDS <<<"${line//=/ = }"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		_diowqctl diowqctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " " | sed "s/ $//"
	' _ "$comp" "$1"
}

# expect LINE WANT: the candidates are exactly WANT.
expect() {
	local got
	got=$(complete_line "$1")
	[[ $got == "$2" ]] && ok "'$1' -> $got" || bad "'$1' -> '$got', expected '$2'"
}

# The commands, as the binary lists them.
cmds=$("$bin" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' | LC_ALL=C sort | tr '\n' ' ')
cmds=${cmds% }
[[ $cmds == *tune* && $cmds == *status* ]] || die "cannot read the commands from $bin --help"
expect "diowqctl " "$cmds"
expect "diowqctl -j " "$cmds"
expect "diowqctl unt" "untune"
expect "diowqctl --v" "--version"
expect "diowqctl tune --m" "--mode"
expect "diowqctl tune --mode " "cgroup highpri unbound"
expect "diowqctl tune --mode c" "cgroup"
expect "diowqctl tune --cgroup-" "--cgroup-weight"
expect "diowqctl tune --cgroup-weight " ""
expect "diowqctl tune -m u" "unbound"
expect "diowqctl tune --mode=h" "highpri"
expect "diowqctl auto --default-mode " "highpri unbound"
expect "diowqctl auto --fstypes " "ext4 xfs xfs,ext4"
expect "diowqctl untune --a" "--all"
expect "diowqctl tune --nice " ""
expect "diowqctl bench /tmp --progress " "auto bar lines none"
expect "diowqctl bench /tmp --engine f" "fio"
expect "diowqctl bench /tmp --ioengine " "io_uring libaio"
expect "diowqctl bench /tmp --uring-setup " "fio plain"
expect "diowqctl bench /tmp --pattern " "append dsync overwrite unwritten"
expect "diowqctl bench /tmp --config outside_u" "outside_unwatched"
expect "diowqctl bench /tmp --hierarchy " "flat k8s k8s-linear"
expect "diowqctl bench /tmp --hierarchy=k" "k8s k8s-linear"
expect "diowqctl bench /tmp --jobs " "$(seq 1 "$(nproc)" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
expect "diowqctl bench /tmp --j" "--jobs --json"
expect "diowqctl version " ""
expect "diowqctl tune -c " ""
# --cgroup: directories (here, the one directory in an otherwise empty one).
dir=$(mktemp -d)
mkdir "$dir/pod"
expect "diowqctl tune --cgroup $dir/" "$dir/pod"
rm -rf "$dir"
if [[ " $cmds " == *" apply "* ]]; then
	# apply's -c is a file: the one file in an otherwise empty directory.
	dir=$(mktemp -d)
	touch "$dir/diowq.conf"
	expect "diowqctl apply -c $dir/" "$dir/diowq.conf"
	expect "diowqctl apply --w" "--watch"
	rm -rf "$dir"
fi
if [[ " $cmds " == *" diagnose "* ]]; then
	expect "diowqctl top --i" "--interval --iterations"
	expect "diowqctl top --interval " ""
	expect "diowqctl top " ""
	expect "diowqctl diagnose --threshold " "1ms 2ms 500us 5ms"
	expect "diowqctl diagnose --seconds " ""
	expect "diowqctl unwatch --a" "--all"
fi
# Options after the command: the command's and the global ones (CLI11 lets them fall through).
expect "diowqctl status -" "$(printf '%s\n' -h --help -V --version -j --json -p --pretty | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
# PATH arguments: the XFS and ext4 mount points.
mounts=$(awk '$3 == "xfs" || $3 == "ext4" {print $2}' /proc/self/mounts | LC_ALL=C sort -u | tr '\n' ' ')
expect "diowqctl tune " "${mounts% }"
expect "diowqctl watch " "${mounts% }"
expect "diowqctl diagnose " "${mounts% }"

[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "bash completion: all checks passed"
