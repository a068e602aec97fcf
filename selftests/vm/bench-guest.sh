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
#   diowq_vm.bench_node_cpus=N   with a k8s hierarchy, the weights of a node of N CPUs (default:
#                                the guest's)
#   diowq_vm.bench_fio=LIST      also run these configurations with fio as the load (default:
#                                none); the same repeats, runtime and ramp
#   diowq_vm.bench_latency=0|1   record the dispatch latency, with diowqctl's BPF program (default 1)
#   diowq_vm.bench_ioengine=NAME libaio or io_uring, for the load and fio alike (default libaio)
#   diowq_vm.bench_isolation=0|1 1: the isolation bench (diowqctl bench --isolation): pods A and
#                                B on the load's CPU, each diowq mode, with and without pod A's
#                                cpu.max; bench_config then names its configurations (default
#                                all); single mode only
#   diowq_vm.bench_cpu_max=CAP   --isolation's --cpu-max, without spaces (default 50%)
#   diowq_vm.bench_leaf_weight=N --isolation's --leaf-weight (default: none, the module's)
#   diowq_vm.bench_args=A,B,... more diowqctl bench options (commas for spaces), for the load
#                                and fio alike (default none)
#   diowq_vm.bench_mode=MODE     single (default): the one matrix above; full: make bench's matrix
#                                (below), which ignores bench_pattern, _ioengine, _jobs and _fio
#   diowq_vm.bench_patterns=LIST full: the patterns of its libaio part (default all four)
#   diowq_vm.bench_repeat2=N     full: runs of each configuration in the io_uring and --jobs 2
#                                matrices (default bench_repeat)
#
# The full matrix (make bench): one diowqctl bench --matrix per pattern of bench_patterns, libaio,
# one job; then, for the pattern that starved worst here, one with --ioengine io_uring and one
# with --jobs 2. Worst: the lowest inside_off ratio (its median IOPS / outside_off's) among the
# patterns whose inside_off queued_share_median is at least 0.1 (the kernel queued at least a
# tenth of their completions: where it queues none, there is nothing for diowq to cure); when no
# pattern qualifies, the lowest ratio of all. The ratios come from the bench's own JSON (its
# "summary"), read with awk: busybox has no JSON tool. Each bench attaches the BPF program once,
# while the guest is idle between two benches. The files come back already named as make bench
# keeps them: <kver>[-<pattern>][-io_uring][-jobs<N>].json, .svg, -latency.svg.
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
node_cpus=$(arg bench_node_cpus "")
fio=$(arg bench_fio "")
latency=$(arg bench_latency 1)
ioengine=$(arg bench_ioengine libaio)
extra_args=$(arg bench_args "" | tr ',' ' ')
mode=$(arg bench_mode single)
isolation=$(arg bench_isolation 0)
cpu_max=$(arg bench_cpu_max 50%)
leaf_weight=$(arg bench_leaf_weight "")
patterns=$(arg bench_patterns overwrite,unwritten,append,dsync)
repeat2=$(arg bench_repeat2 "$repeat")
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

# The file names of a bench: <kver>[-<pattern>][-io_uring][-jobs<N>] (make bench's names).
name_of() {
	local name="$kernel"
	[ "$1" = overwrite ] || name=$name-$1
	[ "$2" = libaio ] || name=$name-$2
	[ "$3" = 1 ] || name=$name-jobs$3
	echo "$name"
}

# run_bench NAME PATTERN IOENGINE JOBS REPEAT: one diowqctl bench --matrix; its JSON stays in
# /tmp/NAME.json, and it and the charts go to the host as NAME.json, NAME.svg, NAME-latency.svg.
run_bench() {
	local args
	args="--matrix --config $config --repeat $5 --runtime $runtime --ramp $ramp --size $size"
	args="$args --pattern $2 --progress lines --ioengine $3"
	args="$args --jobs $4 --hierarchy $hierarchy"
	[ "$hierarchy" != flat ] || args="$args --weight $weight"
	[ -z "$node_cpus" ] || args="$args --node-cpus $node_cpus"
	[ "$latency" = 1 ] || args="$args --no-latency"
	[ "$isolation" != 1 ] || args="$args --isolation --cpu-max $cpu_max"
	[ "$isolation" != 1 ] || [ -z "$leaf_weight" ] || args="$args --leaf-weight $leaf_weight"
	[ -z "$extra_args" ] || args="$args $extra_args"
	rm -f /tmp/bench.json /tmp/bench.svg /tmp/bench-latency.svg
	echo "# diowqctl bench $MNT $args"
	# shellcheck disable=SC2086  # $args is a list of words
	diowqctl bench "$MNT" $args --json /tmp/bench.json --plot /tmp/bench.svg ||
		fail "diowqctl bench ($1)"
	# Every cgroup the bench made is gone (--hierarchy k8s nests four, --isolation makes two
	# pods and mode cgroup a leaf in pod A).
	for group in /sys/fs/cgroup/diowq-bench-*; do
		[ ! -e "$group" ] || fail "diowqctl bench left a cgroup behind: $group"
	done
	echo "# no diowq-bench cgroup left"
	# The bench's BPF program goes with its process; it pins nothing.
	[ ! -e /sys/fs/bpf/diowq ] || fail "diowqctl bench left a pinned program behind"
	cp /tmp/bench.json "/tmp/$1.json"
	send /tmp/bench.json "$1.json"
	send /tmp/bench.svg "$1.svg"
	[ ! -s /tmp/bench-latency.svg ] || send /tmp/bench-latency.svg "$1-latency.svg"
}

# summary_value FILE CONFIGURATION KEY: a number of the "summary" object of a bench JSON (null
# when absent).
summary_value() {
	jq -r --arg c "$2" --arg k "$3" '.summary[$c][$k]' "$1"
}

# less A B: is the number A below B (B empty: yes)?
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b == "" || a + 0 < b + 0) }'; }

# pick_worst PATTERN:FILE...: which pattern starved worst, from each one's bench JSON. Prints a
# line per pattern and, last, "# worst pattern: NAME (why)".
pick_worst() {
	local worst='' worst_ratio='' any='' any_ratio='' pf p f r q
	for pf in "$@"; do
		p=${pf%%:*}
		f=${pf#*:}
		r=$(summary_value "$f" inside_off ratio)
		q=$(summary_value "$f" inside_off queued_share_median)
		echo "# $p: inside_off / outside_off ${r:-null}, inside_off queued share ${q:-null}"
		case $r in "" | null) continue ;; esac
		if less "$r" "$any_ratio"; then any=$p any_ratio=$r; fi
		case $q in "" | null) continue ;; esac
		less "$q" 0.1 && continue
		if less "$r" "$worst_ratio"; then worst=$p worst_ratio=$r; fi
	done
	if [ -n "$worst" ]; then
		echo "# worst pattern: $worst (inside_off / outside_off $worst_ratio, queued share >= 10 %)"
	elif [ -n "$any" ]; then
		echo "# worst pattern: $any (inside_off / outside_off $any_ratio; no pattern had a" \
			"queued share >= 10 %)"
	else
		echo "# worst pattern: overwrite (no inside_off ratio in the results)"
	fi
}

if [ "$mode" = full ]; then
	# shellcheck disable=SC2086  # the list is comma-separated words
	for p in $(echo "$patterns" | tr ',' ' '); do
		echo
		echo "== pattern $p, libaio, 1 job"
		run_bench "$(name_of "$p" libaio 1)" "$p" libaio 1 "$repeat"
	done
	pairs=''
	for p in $(echo "$patterns" | tr ',' ' '); do
		pairs="$pairs $p:/tmp/$(name_of "$p" libaio 1).json"
	done
	# shellcheck disable=SC2086  # a list of words
	picked=$(pick_worst $pairs)
	echo "$picked"
	worst=$(echo "$picked" | tail -n 1)
	worst=${worst#\# worst pattern: }
	worst=${worst%% *}
	echo
	echo "== pattern $worst, io_uring, 1 job"
	run_bench "$(name_of "$worst" io_uring 1)" "$worst" io_uring 1 "$repeat2"
	echo
	echo "== pattern $worst, libaio, 2 jobs"
	run_bench "$(name_of "$worst" libaio 2)" "$worst" libaio 2 "$repeat2"
	fio=''
else
	# make bench names the files: they go as <kver>.json, ...
	run_bench "$kernel" "$pattern" "$ioengine" "$jobs" "$repeat"
fi

if [ -n "$fio" ]; then
	echo
	echo "== the same matrix with fio as the load (cross-check)"
	fio_common="--matrix --config $fio --repeat $repeat --runtime $runtime --ramp $ramp"
	fio_common="$fio_common --size $size --pattern $pattern --progress lines"
	fio_common="$fio_common --hierarchy $hierarchy"
	[ "$hierarchy" != flat ] || fio_common="$fio_common --weight $weight"
	[ -z "$node_cpus" ] || fio_common="$fio_common --node-cpus $node_cpus"
	fio_common="$fio_common --engine fio --ioengine $ioengine"
	fio_common="$fio_common --no-latency"
	[ -z "$extra_args" ] || fio_common="$fio_common $extra_args"
	echo "# diowqctl bench $MNT $fio_common"
	# shellcheck disable=SC2086
	diowqctl bench "$MNT" $fio_common --json /tmp/bench-fio.json ||
		fail "diowqctl bench --engine fio"
	send /tmp/bench-fio.json "$kernel-fio.json"
fi

rmmod diowq || fail "rmmod diowq"
umount "$MNT" || fail "umount $MNT"
echo "== bench done"
