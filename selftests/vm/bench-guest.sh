#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench` and of make demo's short matrix (busybox sh; guest-init runs it
# with diowq_vm.mode=bench and sends its output to the results port). On an XFS filesystem on
# the emulated NVMe disk (run-vm.sh --nvme), with diowq loaded, it runs
#   diowqctl bench --matrix
# (the load pinned to the last CPU, whose NVMe queue's interrupt lands on that CPU), then, if
# asked, the same matrix with fio as the load, and sends the JSON and SVG files back to the host
# between "# diowq-file: begin NAME" and "# diowq-file: end NAME" lines.
#
# Dispatch latency: diowqctl bench attaches its BPF program (tracepoints and an fentry; the
# module has no probes any more) once, before its first run, and detaches it after its last, so
# kernel text is patched (which multi-threaded TCG has not always survived under load) only while
# the machine is idle. The fio cross-check runs with --no-latency so that the program is not
# attached a second time in the boot.
#
# Kernel command line knobs (all optional):
#   diowq_vm.bench_config=LIST   configurations (default all)
#   diowq_vm.bench_repeat=N      runs of each (default 5)
#   diowq_vm.bench_runtime=TIME  measured time of a run (default 12s)
#   diowq_vm.bench_ramp=TIME     unmeasured time before it (default 3s)
#   diowq_vm.bench_size=SIZE     the test file (default 1g)
#   diowq_vm.bench_weight=N|auto the cgroup's cpu.weight (default 1000)
#   diowq_vm.bench_pattern=NAME  the write pattern: overwrite, unwritten, append, dsync (default
#                                overwrite)
#   diowq_vm.bench_jobs=N        submitters, each on a CPU and a file of its own (default 1)
#   diowq_vm.bench_hierarchy=HOW the load's cgroup: flat, k8s or k8s-linear (default flat; not
#                                flat: bench_weight is not passed, the levels have kubelet's)
#   diowq_vm.bench_fio=LIST      also run these configurations with fio as the load (default:
#                                none); the same repeats, runtime and ramp
#   diowq_vm.bench_latency=0|1   record the dispatch latency, with diowqctl's BPF program (default 1)
#   diowq_vm.bench_ioengine=NAME libaio or io_uring, for the load and fio alike (default libaio)
#
# shellcheck disable=SC3043  # busybox ash has `local`

DISK=/dev/nvme0n1
MNT=/mnt/bench

fail() {
	echo "bench: FAILED: $*"
	exit 1
}

arg() {
	local a
	# shellcheck disable=SC2013  # the command line is space-separated words
	for a in $(cat /proc/cmdline); do
		case $a in "diowq_vm.$1="*) echo "${a#*=}" && return ;; esac
	done
	echo "$2"
}

# One file to the host: it reads the lines between the markers back into build/bench/.
send() {
	echo "# diowq-file: begin $2"
	cat "$1"
	echo
	echo "# diowq-file: end $2"
}

config=$(arg bench_config all)
repeat=$(arg bench_repeat 5)
runtime=$(arg bench_runtime 12s)
ramp=$(arg bench_ramp 3s)
size=$(arg bench_size 1g)
weight=$(arg bench_weight 1000)
pattern=$(arg bench_pattern overwrite)
jobs=$(arg bench_jobs 1)
hierarchy=$(arg bench_hierarchy flat)
fio=$(arg bench_fio "")
latency=$(arg bench_latency 1)
ioengine=$(arg bench_ioengine libaio)
kernel=$(uname -r)

# diowqctl counts context switches in debugfs's sched/debug: reading it changes nothing in the
# kernel (its fallback, a perf counter, patches kernel text, which hangs TCG guests now and then).
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug ||
	fail "mount debugfs"
modprobe nvme || fail "modprobe nvme"
i=0
while [ ! -b "$DISK" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b "$DISK" ] || fail "$DISK did not appear (run-vm.sh --nvme SIZE)"
mkfs.xfs -f -q "$DISK" || fail "mkfs.xfs $DISK"
mkdir -p "$MNT"
mount -t xfs "$DISK" "$MNT" || fail "mount $DISK"
insmod "$DIOWQ_KO" || fail "insmod $DIOWQ_KO"

echo "== diowqctl bench on $kernel, $(nproc) CPUs, XFS on $DISK (QEMU NVMe on /dev/shm)"
common="--matrix --config $config --repeat $repeat --runtime $runtime --ramp $ramp --size $size"
common="$common --pattern $pattern --progress lines --ioengine $ioengine"
common="$common --jobs $jobs --hierarchy $hierarchy"
[ "$hierarchy" != flat ] || common="$common --weight $weight"
[ "$latency" = 1 ] || common="$common --no-latency"
echo "# diowqctl bench $MNT $common"
# shellcheck disable=SC2086  # $common is a list of words
diowqctl bench "$MNT" $common --json /tmp/bench.json --plot /tmp/bench.svg ||
	fail "diowqctl bench"
# Every cgroup the bench made is gone (--hierarchy k8s nests four).
for group in /sys/fs/cgroup/diowq-bench-*; do
	[ ! -e "$group" ] || fail "diowqctl bench left a cgroup behind: $group"
done
echo "# no diowq-bench cgroup left"
# The bench's BPF program goes with its process; it pins nothing.
[ ! -e /sys/fs/bpf/diowq ] || fail "diowqctl bench left a pinned program behind"
send /tmp/bench.json "$kernel.json"
send /tmp/bench.svg "$kernel.svg"
[ ! -s /tmp/bench-latency.svg ] || send /tmp/bench-latency.svg "$kernel-latency.svg"

if [ -n "$fio" ]; then
	echo
	echo "== the same matrix with fio as the load (cross-check)"
	fio_common="--matrix --config $fio --repeat $repeat --runtime $runtime --ramp $ramp"
	fio_common="$fio_common --size $size --pattern $pattern --progress lines"
	fio_common="$fio_common --hierarchy $hierarchy"
	[ "$hierarchy" != flat ] || fio_common="$fio_common --weight $weight"
	fio_common="$fio_common --engine fio --ioengine $ioengine"
	fio_common="$fio_common --no-latency"
	echo "# diowqctl bench $MNT $fio_common"
	# shellcheck disable=SC2086
	diowqctl bench "$MNT" $fio_common --json /tmp/bench-fio.json ||
		fail "diowqctl bench --engine fio"
	send /tmp/bench-fio.json "$kernel-fio.json"
fi

rmmod diowq || fail "rmmod diowq"
umount "$MNT" || fail "umount $MNT"
echo "== bench done"
