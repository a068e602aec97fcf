#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make demo` (busybox sh; guest-init runs it with diowq_vm.mode=demo and
# sends its output to the results port). It shows diowq doing its one job: an XFS mount's
# direct-I/O completions move from the kernel's nice-0 `dio/vda` queue to a nice -20
# `diowq-vda` queue, and back when untuned.
#
# shellcheck disable=SC3043  # busybox ash has `local`

DISK=/dev/vda
MNT=/mnt/xfs
SYSFS=/sys/fs/diowq

fail() {
	echo "demo: FAILED: $*"
	exit 1
}

# Show each command before running it, so the output reads like a terminal session.
run() {
	echo "# $*"
	"$@"
}

# PID, nice and comm of the kworkers running (or last having run) direct-I/O completions:
# their comm reads e.g. kworker/1:2H+diowq-vda or kworker/1:3+dio/vda. (The queues' rescuer
# threads, named plainly dio/vda and diowq-vda, only run under memory pressure: not shown.)
# Each distinct line is printed once, the first time a sample sees it.
#
# Each task's fields come from one read of its stat line (the comm is in it too): a kworker may
# exit between the listing of /proc and any read, and one that is gone is skipped, silently. The
# 2>/dev/null is on a group because a failed redirection is reported before the command's own
# redirections apply.
SEEN="|"
show_workers() {
	local d stat comm line
	for d in /proc/[0-9]*; do
		{ read -r stat <"$d/stat"; } 2>/dev/null || continue
		# "PID (COMM) STATE ...": the comm may hold spaces and parentheses, the fields after
		# its last ")" do not.
		comm=${stat#*(}
		comm=${comm%)*}
		case $comm in kworker/*diowq-* | kworker/*dio/*) ;; *) continue ;; esac
		# Fields after "(comm) ": state is 1st, nice is 17th (field 19 of proc(5)).
		# shellcheck disable=SC2086  # splitting the fields is the point
		set -- ${stat##*) }
		line=$(printf '    %6s  %4s  %s' "${d#/proc/}" "${17}" "$comm")
		case $SEEN in *"|$line|"*) continue ;; esac
		SEEN="$SEEN$line|"
		echo "$line"
	done
}

# Whether a process is still running (not gone, not a zombie), from one read of its stat line.
running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	# shellcheck disable=SC2086  # splitting the fields is the point
	set -- ${stat##*) }
	[ "$1" != Z ]
}

# A random 4 KiB O_DIRECT write load pinned to CPU 1, sampling the workers once a second.
# The file is laid out (fully written) by fio first, so the timed part is pure overwrites.
load() {
	local secs="$1" pid
	echo "# taskset 0x2 fio --rw=randwrite --bs=4k --direct=1 --ioengine=libaio --iodepth=32 --runtime=$secs"
	taskset 0x2 fio --name=demo --filename="$MNT/demo.fio" --size=128M --rw=randwrite \
		--bs=4k --direct=1 --ioengine=libaio --iodepth=32 --runtime="$secs" --time_based \
		--eta=never --output=/tmp/fio.out &
	pid=$!
	echo "       PID    NI  COMM   (completion kworkers, sampled while fio runs)"
	SEEN="|"
	while running "$pid"; do
		sleep 0.5
		show_workers
	done
	[ "$SEEN" != "|" ] || echo "    (no direct-I/O completion kworker seen)"
	wait "$pid" || fail "fio"
	grep -E '^ *(write:|clat \(|cpu)' /tmp/fio.out
}

echo "== diowq demo on $(uname -r), $(nproc) CPUs"
run mkfs.xfs -f -q "$DISK" || fail "mkfs.xfs"
mkdir -p "$MNT"
run mount -t xfs "$DISK" "$MNT" || fail "mount"

echo
echo "== untuned: completions run on the kernel's own dio/vda queue, at nice 0"
load 2

echo
echo "== tuned"
run insmod "$DIOWQ_KO" || fail "insmod"
echo "# echo $MNT > $SYSFS/tune"
echo "$MNT" >"$SYSFS/tune" || fail "tune"
echo "# grep . $SYSFS/* $SYSFS/vda/*"
grep -s . "$SYSFS"/* "$SYSFS"/vda/*
echo
echo "== tuned: completions run on diowq-vda, at nice -20"
load 5

echo
echo "== untune and unload"
echo "# echo $MNT > $SYSFS/untune"
echo "$MNT" >"$SYSFS/untune" || fail "untune"
run ls "$SYSFS"
run rmmod diowq || fail "rmmod"
[ ! -e "$SYSFS" ] || fail "$SYSFS still exists after rmmod"
run umount "$MNT" || fail "umount"
echo "== demo done"
