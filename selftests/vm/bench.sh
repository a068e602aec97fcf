#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [--quick|--demo]: `make bench` (after `make deps`). For each kernel series it boots the
# newest Debian kernel in QEMU (2 vCPUs) ONCE, with an emulated NVMe disk backed by a file in
# /dev/shm, and runs `diowqctl bench --matrix` on XFS there (bench-guest.sh): the O_DIRECT write
# load inside and outside a cpu.weight=1000 cgroup, with and without diowq, interleaved and
# repeated. The guest prints the tables as it goes; the JSON with every sample and the SVG charts
# come back as $BUILD/bench/<name>.json, <name>.svg (IOPS) and <name>-latency.svg (the dispatch
# latency of the completions, from diowqctl's BPF program), where <name> is
# <kver>[-<pattern>][-io_uring][-jobs<N>][-<hierarchy>] (no -<pattern> for overwrite). At the end
# it prints the kernel x pattern table of the JSONs of the run (bench-table.sh) and writes it to
# $BUILD/bench/matrix.md.
#
# The full matrix (make bench; the default unless a single-matrix knob below is set): per kernel,
# in one boot, outside_off, inside_off, inside_on and inside_on_unbound for each of the four
# patterns with libaio and one job, then for the pattern that starved worst on that kernel (the
# lowest inside_off / outside_off among those whose completions were queued at least 10 % of the
# time; bench-guest.sh picks it from the JSON) the same matrix with io_uring, and with --jobs 2.
# Its budget, on 2 cores under TCG (per kernel; runs x (ramp + runtime) x 1.3 for TCG's overhead,
# each bench's 10 s warm-up and file layout ~20 s x 1.3, a boot ~60 s):
#   4 configurations x (4 patterns x 5 runs + 2 matrices x 3 runs) = 104 runs
#   104 x (1 + 5) s x 1.3 = 811 s;  6 benches x 26 s = 156 s;  boot 60 s:  1027 s = 17.1 min
#   3 kernels: 51.4 min, plus ~2 min on the host (diowqctl, the cached kernels' modules and
#   initramfs): about 53 min, inside the hour. 1.3 is the pessimistic side: a smoke run of the
#   full matrix (6.1, 72 runs of 1 + 3 s = 288 s) took 375 s in the VM, 60 s of it the 6 warm-ups,
#   which puts the full make bench nearer 45 min. First runs also download kernels and build the
#   7.x chroot.
#
# --quick (make bench-quick): the same full matrix in short: Debian 6.1 only, outside_off,
# inside_off and inside_on, 3 runs of 1 + 3 s, a 256 MiB file:
#   3 x (4 x 3 + 2 x 3) = 54 runs x 4 s x 1.3 = 281 s; 6 x 26 s; 60 s: ~500 s, about 8 min.
#
# --demo: make demo's short version, a single matrix: Debian 6.1 only, outside_off, inside_off and
# inside_on, 3 runs of 8 s each, a 512 MiB file; the table is the result.
#
# Environment (defaults of the full matrix, then --quick's, in parentheses; --demo has its own):
#   DIOWQ_BENCH_MODE     full or single: single runs the one matrix the knobs below describe, as
#                        make bench did before (full, unless DIOWQ_BENCH_PATTERN, _IOENGINE,
#                        _JOBS, _HIERARCHY, _FIO or _ARGS is set, or _LATENCY is 0: then single)
#   DIOWQ_BENCH_SERIES   kernels ("6.1 6.12 7.x"; "6.1")
#   DIOWQ_BENCH_CONFIG   configurations (outside_off,inside_off,inside_on,inside_on_unbound;
#                        outside_off,inside_off,inside_on; single: all)
#   DIOWQ_BENCH_REPEAT   runs of each configuration (5; 3; single: 5)
#   DIOWQ_BENCH_REPEAT2  full: runs of each in the io_uring and --jobs 2 matrices (3; 3)
#   DIOWQ_BENCH_RUNTIME  measured seconds per run (5; 3; single: 12)
#   DIOWQ_BENCH_RAMP     unmeasured seconds before each run (1; 1; single: 3)
#   DIOWQ_BENCH_SIZE     test file, one per job (512m; 256m; single: 1g); the disk is 2 GiB, so
#                        the full matrix's --jobs 2 needs it below ~900m
#   DIOWQ_BENCH_PATTERNS full: the patterns (overwrite,unwritten,append,dsync)
#   DIOWQ_BENCH_WEIGHT   the cgroup's cpu.weight (1000)
# single matrix only:
#   DIOWQ_BENCH_IOENGINE how the load submits, libaio or io_uring (libaio); the fio
#                        cross-check below uses the same; io_uring's results are named
#                        <kver>[-<pattern>]-io_uring.json, ...
#   DIOWQ_BENCH_PATTERN  the write pattern: overwrite, unwritten, append, dsync (overwrite); the
#                        results of another than overwrite are named <kver>-<pattern>.json, ...
#   DIOWQ_BENCH_JOBS     submitters, each on a CPU and a file of its own (1); the results of
#                        more are named <kver>[-<pattern>]-jobs<N>.json, ...
#   DIOWQ_BENCH_HIERARCHY the load's cgroup: flat, k8s or k8s-linear (flat; the others nest it as
#                        kubelet nests a container, with kubelet's weights, and ignore
#                        DIOWQ_BENCH_WEIGHT); the results of k8s are named <kver>...-k8s.json, ...
#   DIOWQ_BENCH_NODE_CPUS with a k8s hierarchy: the weights of a node of this many CPUs, not the
#                        guest's 2 (--node-cpus); the results are named <kver>...-k8s-node<N>.json
#   DIOWQ_BENCH_FIO      also run these configurations with fio as the load, the cross-check
#                        of docs/benchmarks.md, e.g. outside_off,inside_off,inside_on (none)
#   DIOWQ_BENCH_ARGS     more diowqctl bench options, for the load and the fio cross-check
#                        alike, e.g. "--batch-complete-min 1" (none); no commas
#   DIOWQ_BENCH_LATENCY  1: record dispatch latency (the bench attaches diowqctl's BPF program
#                        once, before the first run); 0: --no-latency, no program, and a single
#                        matrix (1; the full matrix needs it: its queued shares come from it)
#   DIOWQ_BENCH_ISOLATION 1: the isolation bench of issue #16 (diowqctl bench --isolation): the
#                        load in pod A, a CPU hog in pod B on the same CPU, per diowq mode (off,
#                        highpri, unbound, cgroup), with and without pod A's cpu.max;
#                        DIOWQ_BENCH_CONFIG then names its configurations (all eight); a single
#                        matrix, results named <kver>...-isolation.json. Mode cgroup registers an
#                        ftrace hook (kernel text patching) at every tune, which multi-threaded
#                        TCG does not survive reliably: the boot gets single-threaded TCG (both
#                        vCPUs on one host thread) unless DIOWQ_TCG_THREAD says otherwise
#   DIOWQ_BENCH_CPU_MAX  --isolation's pod A cpu.max, without spaces: 50% or QUOTA/PERIOD (50%)
#   DIOWQ_BENCH_LEAF_WEIGHT --isolation's --leaf-weight, mode cgroup's leaf's cpu.weight (the
#                        module's default, 10000); results named ...-isolation-leaf<N>.json
# and run-vm.sh's DIOWQ_ACCEL and DIOWQ_TCG_THREAD.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=
case ${1:-} in
--demo | --quick) variant=${1#--} ;;
"") ;;
*) echo "usage: $0 [--quick|--demo]" >&2; exit 2 ;;
esac

if [[ $variant == demo ]]; then
	mode=single
elif [[ -n ${DIOWQ_BENCH_PATTERN:-}${DIOWQ_BENCH_IOENGINE:-}${DIOWQ_BENCH_JOBS:-} ||
	-n ${DIOWQ_BENCH_HIERARCHY:-}${DIOWQ_BENCH_NODE_CPUS:-}${DIOWQ_BENCH_FIO:-}${DIOWQ_BENCH_ARGS:-} ||
	${DIOWQ_BENCH_LATENCY:-1} == 0 || ${DIOWQ_BENCH_ISOLATION:-0} == 1 ]]; then
	mode=${DIOWQ_BENCH_MODE:-single}
else
	mode=${DIOWQ_BENCH_MODE:-full}
fi
[[ $mode == full || $mode == single ]] || die "DIOWQ_BENCH_MODE must be full or single"

if [[ $variant == demo ]]; then
	series_list=${DIOWQ_BENCH_SERIES:-6.1}
	config=${DIOWQ_BENCH_CONFIG:-outside_off,inside_off,inside_on}
	repeat=${DIOWQ_BENCH_REPEAT:-3}
	runtime=${DIOWQ_BENCH_RUNTIME:-8}
	ramp=${DIOWQ_BENCH_RAMP:-2}
	size=${DIOWQ_BENCH_SIZE:-512m}
elif [[ $variant == quick ]]; then
	series_list=${DIOWQ_BENCH_SERIES:-6.1}
	config=${DIOWQ_BENCH_CONFIG:-outside_off,inside_off,inside_on}
	repeat=${DIOWQ_BENCH_REPEAT:-3}
	runtime=${DIOWQ_BENCH_RUNTIME:-3}
	ramp=${DIOWQ_BENCH_RAMP:-1}
	size=${DIOWQ_BENCH_SIZE:-256m}
elif [[ $mode == full ]]; then
	series_list=${DIOWQ_BENCH_SERIES:-6.1 6.12 7.x}
	config=${DIOWQ_BENCH_CONFIG:-outside_off,inside_off,inside_on,inside_on_unbound}
	repeat=${DIOWQ_BENCH_REPEAT:-5}
	runtime=${DIOWQ_BENCH_RUNTIME:-5}
	ramp=${DIOWQ_BENCH_RAMP:-1}
	size=${DIOWQ_BENCH_SIZE:-512m}
else
	series_list=${DIOWQ_BENCH_SERIES:-6.1 6.12 7.x}
	config=${DIOWQ_BENCH_CONFIG:-all}
	repeat=${DIOWQ_BENCH_REPEAT:-5}
	runtime=${DIOWQ_BENCH_RUNTIME:-12}
	ramp=${DIOWQ_BENCH_RAMP:-3}
	size=${DIOWQ_BENCH_SIZE:-1g}
fi
repeat2=${DIOWQ_BENCH_REPEAT2:-3}
patterns=${DIOWQ_BENCH_PATTERNS:-overwrite,unwritten,append,dsync}
weight=${DIOWQ_BENCH_WEIGHT:-1000}
pattern=${DIOWQ_BENCH_PATTERN:-overwrite}
valid_pattern() { [[ $1 == overwrite || $1 == unwritten || $1 == append || $1 == dsync ]]; }
valid_pattern "$pattern" || die "DIOWQ_BENCH_PATTERN must be overwrite, unwritten, append or dsync"
for p in ${patterns//,/ }; do
	valid_pattern "$p" || die "DIOWQ_BENCH_PATTERNS: $p is not overwrite, unwritten, append or dsync"
done
ioengine=${DIOWQ_BENCH_IOENGINE:-libaio}
[[ $ioengine == libaio || $ioengine == io_uring ]] || die "DIOWQ_BENCH_IOENGINE must be libaio or io_uring"
jobs=${DIOWQ_BENCH_JOBS:-1}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "DIOWQ_BENCH_JOBS must be a whole number from 1"
hierarchy=${DIOWQ_BENCH_HIERARCHY:-flat}
case $hierarchy in
flat | k8s | k8s-linear) ;;
*) die "DIOWQ_BENCH_HIERARCHY must be flat, k8s or k8s-linear" ;;
esac
node_cpus=${DIOWQ_BENCH_NODE_CPUS:-}
if [[ -n $node_cpus ]]; then
	[[ $node_cpus =~ ^[1-9][0-9]*$ ]] || die "DIOWQ_BENCH_NODE_CPUS must be a whole number from 1"
	[[ $hierarchy != flat ]] || die "DIOWQ_BENCH_NODE_CPUS needs DIOWQ_BENCH_HIERARCHY=k8s or k8s-linear"
fi
# The single matrix's results: <kver>[-<pattern>][-io_uring][-jobs<N>][-<hierarchy>].
suffix=
[[ $pattern == overwrite ]] || suffix+=-$pattern
[[ $ioengine == libaio ]] || suffix+=-$ioengine
[[ $jobs -eq 1 ]] || suffix+=-jobs$jobs
[[ $hierarchy == flat ]] || suffix+=-$hierarchy
[[ -z $node_cpus ]] || suffix+=-node$node_cpus
isolation=${DIOWQ_BENCH_ISOLATION:-0}
[[ $isolation == [01] ]] || die "DIOWQ_BENCH_ISOLATION must be 0 or 1"
cpu_max=${DIOWQ_BENCH_CPU_MAX:-50%}
[[ $cpu_max =~ ^[0-9]+(%|/[0-9]+)$ ]] || die "DIOWQ_BENCH_CPU_MAX must be N% or QUOTA/PERIOD"
if [[ $isolation == 1 ]]; then
	[[ $mode == single ]] || die "DIOWQ_BENCH_ISOLATION runs a single matrix: DIOWQ_BENCH_MODE=single"
	[[ $jobs -eq 1 && $hierarchy == flat && -z ${DIOWQ_BENCH_FIO:-} ]] ||
		die "DIOWQ_BENCH_ISOLATION: one job, flat, no fio cross-check"
	suffix+=-isolation
	leaf_weight=${DIOWQ_BENCH_LEAF_WEIGHT:-}
	[[ -z $leaf_weight || $leaf_weight =~ ^[1-9][0-9]*$ ]] ||
		die "DIOWQ_BENCH_LEAF_WEIGHT must be a weight 1..10000"
	[[ -z $leaf_weight ]] || suffix+=-leaf$leaf_weight
	export DIOWQ_TCG_THREAD=${DIOWQ_TCG_THREAD:-single}
fi
fio=${DIOWQ_BENCH_FIO:-}
[[ -z $fio || $jobs -eq 1 ]] || die "DIOWQ_BENCH_FIO runs one job: leave DIOWQ_BENCH_JOBS at 1"
extra_args=${DIOWQ_BENCH_ARGS:-}
[[ $extra_args != *,* ]] || die "DIOWQ_BENCH_ARGS cannot hold a comma (the guest's command line carries it)"
[[ -z $extra_args || $mode == single ]] || die "DIOWQ_BENCH_ARGS is for a single matrix (DIOWQ_BENCH_MODE=single)"
latency=${DIOWQ_BENCH_LATENCY:-1}
[[ $latency == [01] ]] || die "DIOWQ_BENCH_LATENCY must be 0 or 1"
[[ $mode == single || $latency == 1 ]] ||
	die "the full matrix needs the dispatch measurement: leave DIOWQ_BENCH_LATENCY at 1"
for v in repeat repeat2 runtime ramp; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "DIOWQ_BENCH_${v^^} must be a whole number (seconds for times)"
done

# Time limits from the plan: every run is ramp + runtime (x 1.3 under TCG); single: then the
# layout of the file, the boot, and plenty of slack; full: each bench's warm-up and file layout
# (~20 s x 1.3) and the boot (60 s). A hung guest still ends.
count() {
	if [[ $1 == all ]]; then
		if [[ $isolation == 1 ]]; then echo 8; else echo 7; fi
	else
		tr ',' '\n' <<<"$1" | grep -c .
	fi
}
if [[ $mode == full ]]; then
	benches=$(($(count "$patterns") + 2))
	runs=$(($(count "$config") * ($(count "$patterns") * repeat + 2 * repeat2)))
	planned=$((runs * (runtime + ramp) * 13 / 10 + benches * 26 + 60))
else
	runs=$(($(count "$config") * repeat))
	[[ -n $fio ]] && runs=$((runs + $(count "$fio") * repeat))
	planned=$((runs * (runtime + ramp) * 13 / 10 + 120))
fi
export DIOWQ_TEST_TIMEOUT=$((planned + 300))
export DIOWQ_VM_TIMEOUT=$((planned + 420))
# tsc=reliable: under TCG the guest finds its vCPUs' TSCs unsynchronized and falls back to the
# HPET, whose every read (each clock_gettime, several per I/O in fio) is an emulated MMIO access
# costing microseconds; real machines read the TSC in the vDSO. See docs/benchmarks.md.
export DIOWQ_APPEND="${DIOWQ_APPEND:+$DIOWQ_APPEND }tsc=reliable"
DIOWQ_APPEND+=" diowq_vm.bench_config=$config diowq_vm.bench_repeat=$repeat"
DIOWQ_APPEND+=" diowq_vm.bench_runtime=${runtime}s diowq_vm.bench_ramp=${ramp}s"
DIOWQ_APPEND+=" diowq_vm.bench_size=$size diowq_vm.bench_weight=$weight"
if [[ $mode == full ]]; then
	DIOWQ_APPEND+=" diowq_vm.bench_mode=full diowq_vm.bench_patterns=$patterns"
	DIOWQ_APPEND+=" diowq_vm.bench_repeat2=$repeat2"
else
	DIOWQ_APPEND+=" diowq_vm.bench_pattern=$pattern"
	DIOWQ_APPEND+=" diowq_vm.bench_jobs=$jobs diowq_vm.bench_hierarchy=$hierarchy"
	[[ -n $node_cpus ]] && DIOWQ_APPEND+=" diowq_vm.bench_node_cpus=$node_cpus"
	[[ -n $fio ]] && DIOWQ_APPEND+=" diowq_vm.bench_fio=$fio"
	DIOWQ_APPEND+=" diowq_vm.bench_ioengine=$ioengine"
	# The words travel as one, joined by commas.
	[[ -n $extra_args ]] && DIOWQ_APPEND+=" diowq_vm.bench_args=$(tr -s ' ' ',' <<<"$extra_args")"
	DIOWQ_APPEND+=" diowq_vm.bench_isolation=$isolation diowq_vm.bench_cpu_max=$cpu_max"
	[[ -z ${leaf_weight:-} ]] || DIOWQ_APPEND+=" diowq_vm.bench_leaf_weight=$leaf_weight"
fi
DIOWQ_APPEND+=" diowq_vm.bench_latency=$latency"

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
	# The files the guest sent, between their markers on the results port. Single: the guest
	# names them <kver>.json, ...; they are kept as <kver><suffix>.json, .... Full: the guest
	# names them as they are kept.
	ktap=$BUILD/vm/$kver/results.ktap
	if [[ $mode == full ]]; then
		mapfile -t names < <(tr -d '\r' <"$ktap" | sed -n 's/^# diowq-file: begin //p')
	else
		names=("$kver.json" "$kver.svg" "$kver-latency.svg" "$kver-fio.json")
	fi
	for name in "${names[@]}"; do
		if [[ $mode == full ]]; then kept=$name; else kept=${name/#$kver/$kver$suffix}; fi
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
	# Every matrix's JSON came back: each pattern's, then the worst one's io_uring and --jobs 2.
	expected=("$kver$suffix.json")
	if [[ $mode == full ]]; then
		expected=()
		for p in ${patterns//,/ }; do
			if [[ $p == overwrite ]]; then expected+=("$kver.json"); else expected+=("$kver-$p.json"); fi
		done
		expected+=("$(printf '%s\n' "${names[@]}" | grep -m1 -- '-io_uring\.json$' || echo "$kver-*-io_uring.json")")
		expected+=("$(printf '%s\n' "${names[@]}" | grep -m1 -- '-jobs2\.json$' || echo "$kver-*-jobs2.json")")
	fi
	missing=()
	for e in "${expected[@]}"; do
		[[ -s $outdir/$e ]] || missing+=("$e")
	done
	if [[ $rc -ne 0 || ${#missing[@]} -gt 0 ]]; then
		log "!!!! $kver: the bench failed (VM exit $rc${missing[*]:+; missing ${missing[*]}}; see $BUILD/vm/$kver/)"
		failed=1
	fi
	log "$kver: VM run took $((SECONDS - vm_start)) s"
done

log "results:"
for r in "${results[@]}"; do
	log "  $r"
done
# The kernel x pattern table of this run's JSONs (not make demo's: its table is the guest's; not
# the isolation bench's, which has no outside_off or inside_ configurations to fill it).
if [[ $variant != demo && $isolation != 1 ]]; then
	jsons=()
	for r in "${results[@]}"; do
		[[ $r == *.json ]] && jsons+=("$r")
	done
	if [[ ${#jsons[@]} -eq 0 ]]; then
		log "no JSON came back: no table"
	elif "$VM_DIR/bench-table.sh" "${jsons[@]}" >"$outdir/matrix.md.tmp"; then
		mv "$outdir/matrix.md.tmp" "$outdir/matrix.md"
		log "the kernel x pattern table ($outdir/matrix.md):"
		cat "$outdir/matrix.md"
	else
		rm -f "$outdir/matrix.md.tmp"
		log "!!!! bench-table.sh failed"
		failed=1
	fi
fi
log "bench took $((SECONDS - start)) s"
exit "$failed"
