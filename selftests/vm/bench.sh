#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [--demo]: `make bench` (after `make deps`). For each kernel series it boots the
# newest Debian kernel in QEMU (2 vCPUs) with an emulated NVMe disk backed by a file in
# /dev/shm, and runs `diowqctl bench --matrix` on XFS there (bench-guest.sh): the O_DIRECT
# random-write load inside and outside a cpu.weight=1000 cgroup, with and without diowq,
# interleaved and repeated. The guest prints the table as it goes; the JSON with every sample
# and the SVG charts come back as $BUILD/bench/<kver>.json, <kver>.svg (IOPS) and
# <kver>-latency.svg (the dispatch latency of the completions, from diowqctl's BPF program).
#
# --demo: make demo's short version: Debian 6.1 only, outside_off, inside_off and inside_on,
# 3 runs of 8 s each, a 512 MiB file; the table is the result.
#
# Environment (defaults in parentheses; --demo changes the first six):
#   DIOWQ_BENCH_SERIES   kernels ("6.1 6.12")
#   DIOWQ_BENCH_CONFIG   configurations (all)
#   DIOWQ_BENCH_REPEAT   runs of each configuration (5)
#   DIOWQ_BENCH_RUNTIME  measured seconds per run (12)
#   DIOWQ_BENCH_RAMP     unmeasured seconds before each run (3)
#   DIOWQ_BENCH_SIZE     test file (1g)
#   DIOWQ_BENCH_WEIGHT   the cgroup's cpu.weight (1000)
#   DIOWQ_BENCH_IOENGINE how the load submits, libaio or io_uring (libaio); the fio
#                        cross-check below uses the same
#   DIOWQ_BENCH_PATTERN  the write pattern: overwrite, unwritten, append, dsync (overwrite); the
#                        results of another than overwrite are named <kver>-<pattern>.json, ...
#   DIOWQ_BENCH_JOBS     submitters, each on a CPU and a file of its own (1); the results of
#                        more are named <kver>[-<pattern>]-jobs<N>.json, ...
#   DIOWQ_BENCH_HIERARCHY the load's cgroup: flat, k8s or k8s-linear (flat; the others nest it as
#                        kubelet nests a container, with kubelet's weights, and ignore
#                        DIOWQ_BENCH_WEIGHT); the results of k8s are named <kver>...-k8s.json, ...
#   DIOWQ_BENCH_FIO      also run these configurations with fio as the load, the cross-check
#                        of docs/benchmarks.md, e.g. outside_off,inside_off,inside_on (none)
#   DIOWQ_BENCH_LATENCY  1: record dispatch latency (the bench attaches diowqctl's BPF program
#                        once, before the first run); 0: --no-latency, no program (1)
# and run-vm.sh's DIOWQ_ACCEL.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

demo=
case ${1:-} in
--demo) demo=1 ;;
"") ;;
*) echo "usage: $0 [--demo]" >&2; exit 2 ;;
esac

if [[ -n $demo ]]; then
	series_list=${DIOWQ_BENCH_SERIES:-6.1}
	config=${DIOWQ_BENCH_CONFIG:-outside_off,inside_off,inside_on}
	repeat=${DIOWQ_BENCH_REPEAT:-3}
	runtime=${DIOWQ_BENCH_RUNTIME:-8}
	ramp=${DIOWQ_BENCH_RAMP:-2}
	size=${DIOWQ_BENCH_SIZE:-512m}
else
	series_list=${DIOWQ_BENCH_SERIES:-6.1 6.12}
	config=${DIOWQ_BENCH_CONFIG:-all}
	repeat=${DIOWQ_BENCH_REPEAT:-5}
	runtime=${DIOWQ_BENCH_RUNTIME:-12}
	ramp=${DIOWQ_BENCH_RAMP:-3}
	size=${DIOWQ_BENCH_SIZE:-1g}
fi
weight=${DIOWQ_BENCH_WEIGHT:-1000}
pattern=${DIOWQ_BENCH_PATTERN:-overwrite}
case $pattern in
overwrite) suffix= ;;
unwritten | append | dsync) suffix=-$pattern ;;
*) die "DIOWQ_BENCH_PATTERN must be overwrite, unwritten, append or dsync" ;;
esac
jobs=${DIOWQ_BENCH_JOBS:-1}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "DIOWQ_BENCH_JOBS must be a whole number from 1"
[[ $jobs -eq 1 ]] || suffix+=-jobs$jobs
hierarchy=${DIOWQ_BENCH_HIERARCHY:-flat}
case $hierarchy in
flat) ;;
k8s | k8s-linear) suffix+=-$hierarchy ;;
*) die "DIOWQ_BENCH_HIERARCHY must be flat, k8s or k8s-linear" ;;
esac
fio=${DIOWQ_BENCH_FIO:-}
[[ -z $fio || $jobs -eq 1 ]] || die "DIOWQ_BENCH_FIO runs one job: leave DIOWQ_BENCH_JOBS at 1"
latency=${DIOWQ_BENCH_LATENCY:-1}
[[ $latency == [01] ]] || die "DIOWQ_BENCH_LATENCY must be 0 or 1"
ioengine=${DIOWQ_BENCH_IOENGINE:-libaio}
[[ $ioengine == libaio || $ioengine == io_uring ]] || die "DIOWQ_BENCH_IOENGINE must be libaio or io_uring"
for v in repeat runtime ramp; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "DIOWQ_BENCH_${v^^} must be a whole number (seconds for times)"
done

# Time limits from the plan: every run is ramp + runtime (plus a little under TCG), then the
# layout of the file, the boot, and plenty of slack; a hung guest still ends.
count() { if [[ $1 == all ]]; then echo 7; else tr ',' '\n' <<<"$1" | grep -c .; fi; }
runs=$(($(count "$config") * repeat))
[[ -n $fio ]] && runs=$((runs + $(count "$fio") * repeat))
planned=$((runs * (runtime + ramp) * 13 / 10 + 120))
export DIOWQ_TEST_TIMEOUT=$((planned + 300))
export DIOWQ_VM_TIMEOUT=$((planned + 420))
# tsc=reliable: under TCG the guest finds its vCPUs' TSCs unsynchronized and falls back to the
# HPET, whose every read (each clock_gettime, several per I/O in fio) is an emulated MMIO access
# costing microseconds; real machines read the TSC in the vDSO. See docs/benchmarks.md.
export DIOWQ_APPEND="${DIOWQ_APPEND:+$DIOWQ_APPEND }tsc=reliable"
DIOWQ_APPEND+=" diowq_vm.bench_config=$config diowq_vm.bench_repeat=$repeat"
DIOWQ_APPEND+=" diowq_vm.bench_runtime=${runtime}s diowq_vm.bench_ramp=${ramp}s"
DIOWQ_APPEND+=" diowq_vm.bench_size=$size diowq_vm.bench_weight=$weight"
DIOWQ_APPEND+=" diowq_vm.bench_pattern=$pattern"
DIOWQ_APPEND+=" diowq_vm.bench_jobs=$jobs diowq_vm.bench_hierarchy=$hierarchy"
[[ -n $fio ]] && DIOWQ_APPEND+=" diowq_vm.bench_fio=$fio"
DIOWQ_APPEND+=" diowq_vm.bench_latency=$latency diowq_vm.bench_ioengine=$ioengine"

# Under TCG every vCPU is a host thread: another VM on the same host takes CPU time from this
# one in bursts, and the runs stop being comparable.
others=$(pgrep -c -x 'qemu-system-x86' || true)
if [[ ${others:-0} -gt 0 ]]; then
	log "warning: $others other QEMU process(es) running on this host: expect noisy results"
fi

start=$SECONDS
# diowqctl runs the load in the guest: build it (the tool only; its tests are make tools-test's).
log "building diowqctl"
cmake -S "$REPO/tools" -B "$BUILD/tools" >/dev/null
cmake --build "$BUILD/tools" --target diowqctl --parallel "$(nproc)" >/dev/null

outdir=$BUILD/bench
mkdir -p "$outdir"
failed=0
results=()
for s in $series_list; do
	kver=$("$VM_DIR/fetch-kernel.sh" "$s" | sed -n 's/^KVER=//p')
	[[ -n $kver ]] || die "could not fetch the $s kernel"
	"$VM_DIR/build-module.sh" "$kver" >/dev/null
	initrd=$("$VM_DIR/build-initramfs.sh" "$kver" --tests none -o "$BUILD/vm/$kver/bench-initramfs.cpio")
	log "$kver: $runs runs of ${ramp}+${runtime} s, about $((planned / 60)) min"
	vm_start=$SECONDS
	rc=0
	"$VM_DIR/run-vm.sh" "$kver" --bench --nvme 2G --initrd "$initrd" || rc=$?
	# The files the guest sent, between their markers on the results port.
	ktap=$BUILD/vm/$kver/results.ktap
	for name in "$kver.json" "$kver.svg" "$kver-latency.svg" "$kver-fio.json"; do
		kept=${name/#$kver/$kver$suffix}
		rm -f "$outdir/$kept"
		tr -d '\r' <"$ktap" | awk -v n="$name" '
			$0 == "# diowq-file: end " n { on = 0 }
			on { print }
			$0 == "# diowq-file: begin " n { on = 1 }' >"$outdir/$kept.tmp"
		if [[ -s $outdir/$kept.tmp ]]; then
			mv "$outdir/$kept.tmp" "$outdir/$kept"
			results+=("$outdir/$kept")
		else
			rm -f "$outdir/$kept.tmp"
		fi
	done
	if [[ $rc -ne 0 || ! -s $outdir/$kver$suffix.json ]]; then
		log "!!!! $kver: the bench failed (VM exit $rc; see $BUILD/vm/$kver/)"
		failed=1
	fi
	log "$kver: VM run took $((SECONDS - vm_start)) s"
done

log "results:"
for r in "${results[@]}"; do
	log "  $r"
done
log "bench took $((SECONDS - start)) s"
exit "$failed"
