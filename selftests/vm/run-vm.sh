#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh KVER [--demo|--usage] [--initrd FILE]: boot one cached kernel (fetch-kernel.sh)
# in QEMU with the rig's initramfs and three empty 1 GiB virtio disks, stream the results
# port to stdout (each line prefixed with [SERIES]), then judge the run (judge.sh). Exits
# non-zero if anything failed. Artefacts: $BUILD/vm/<kver>/{console.log,results.ktap,summary.env}.
#
# --demo runs make demo's script instead of the tests, --usage the script that records the
# transcripts of docs/usage.md (usage-guest.sh); both print a plain transcript. --bench runs
# bench-guest.sh (make bench), which sends files back between "# diowq-file:" lines of the
# results port; they are kept out of the transcript.
#
# --nvme SIZE adds an emulated NVMe disk (/dev/nvme0n1 in the guest) of SIZE (e.g. 2G), backed
# by a file in /dev/shm like the others.
#
# Without --initrd it builds the initramfs first (build-initramfs.sh defaults: the module
# from build-module.sh, the tests from $BUILD/selftests).
#
# Environment:
#   DIOWQ_VM_TIMEOUT    seconds before the whole VM is killed (default 1500)
#   DIOWQ_TEST_TIMEOUT  seconds before the guest kills one test program (default 600)
#   DIOWQ_TESTS         comma-separated test program names to run (default: all but soak_test
#                       and the probe tests, DIOWQ_PROBE_TESTS in lib.sh)
#   DIOWQ_SOAK_MINUTES  soak_test's length in minutes (default 10); DIOWQ_SOAK_SEED its seed
#   DIOWQ_ACCEL         kvm, tcg or auto (default: auto = kvm if it boots this kernel)
#   DIOWQ_TCG_THREAD    single, multi or auto (default): how TCG runs the 2 vCPUs. auto is
#                       single when DIOWQ_TESTS names a probe test or with --usage (they patch
#                       kernel text, which multi-threaded TCG does not survive reliably), else
#                       multi (the bench registers its probes once, while the guest is idle)
#   DIOWQ_RUN_NAME      a second run of the same kernel, e.g. "probes": artefacts go to
#                       $BUILD/vm/<kver>-<name>/ and output is labelled "<series> <name>"
#   DIOWQ_APPEND        extra kernel command line
#   DIOWQ_VM_MEM        guest memory (default 2G; 3G for the debug kernel, which also
#                       defaults to a 10800 s VM and a 2400 s test timeout)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 KVER [--demo|--usage|--bench] [--nvme SIZE] [--initrd FILE]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
kver=$1
shift
mode="test"
initrd=
nvme_size=
while [[ $# -gt 0 ]]; do
	case $1 in
	--demo) mode=demo; shift ;;
	--usage) mode=usage; shift ;;
	--bench) mode=bench; shift ;;
	--nvme) nvme_size=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done

# The kernel splits its command line at spaces: of "a b" the guest would run a alone, and
# the probe-test check below would see neither name (multi-threaded TCG).
[[ ${DIOWQ_TESTS:-} != *[[:space:]]* ]] ||
	die "DIOWQ_TESTS is comma-separated, without spaces: '$DIOWQ_TESTS'"

env_file=$DIOWQ_CACHE/kernels/$kver/env
[[ -f $env_file ]] || die "kernel $kver is not cached; run fetch-kernel.sh first"
# shellcheck source=/dev/null
. "$env_file"
label=$SERIES
[[ $mode != test ]] && label="$SERIES $mode"
[[ -n ${DIOWQ_RUN_NAME:-} ]] && label+=" $DIOWQ_RUN_NAME"

# The debug kernel (build-debug-kernel.sh, SERIES=debug) runs KASAN, lockdep and kmemleak:
# KASAN's shadow takes an eighth of the memory, and everything runs several times slower.
mem=2G
if [[ $SERIES == debug ]]; then
	mem=3G
	: "${DIOWQ_VM_TIMEOUT:=10800}" "${DIOWQ_TEST_TIMEOUT:=2400}"
fi
mem=${DIOWQ_VM_MEM:-$mem}
vm_timeout=${DIOWQ_VM_TIMEOUT:-1500}
test_timeout=${DIOWQ_TEST_TIMEOUT:-600}
out=$BUILD/vm/$kver${DIOWQ_RUN_NAME:+-$DIOWQ_RUN_NAME}
mkdir -p "$out"
rm -f "$out/summary.env"
[[ -n $initrd ]] || initrd=$("$VM_DIR/build-initramfs.sh" "$kver" -o "$out/initramfs.cpio")

# Which of the selected programs register the tracepoint probes.
probe_tests=()
IFS=, read -r -a selected <<<"${DIOWQ_TESTS:-}"
for t in "${selected[@]}"; do
	if is_probe_test "$t"; then probe_tests+=("$t"); fi
done

# --- cleanup: the disks live in RAM (/dev/shm), so they must go whatever happens.
disks=()
qemu_pid=
tail_pid=
# Every step may fail (the process is gone already) without stopping the next one.
cleanup() {
	if [[ -n $qemu_pid ]]; then kill "$qemu_pid" 2>/dev/null || true; fi
	if [[ -n $tail_pid ]]; then kill "$tail_pid" 2>/dev/null || true; fi
	if [[ ${#disks[@]} -gt 0 ]]; then rm -f "${disks[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

cmdline="console=ttyS0 panic_on_warn=1 panic=-1 oops=panic softlockup_panic=1"
cmdline+=" hung_task_panic=1 diowq_vm.mode=$mode diowq_vm.timeout=$test_timeout"
[[ -n ${DIOWQ_TESTS:-} ]] && cmdline+=" diowq_vm.tests=$DIOWQ_TESTS"
# Not by default: the guest runs these only when diowq_vm.tests names them.
cmdline+=" diowq_vm.not_by_default=$(tr ' ' , <<<"soak_test $DIOWQ_PROBE_TESTS")"
[[ -n ${DIOWQ_SOAK_MINUTES:-} ]] && cmdline+=" diowq_vm.soak_minutes=$DIOWQ_SOAK_MINUTES"
[[ -n ${DIOWQ_SOAK_SEED:-} ]] && cmdline+=" diowq_vm.soak_seed=$DIOWQ_SOAK_SEED"
[[ -n ${DIOWQ_APPEND:-} ]] && cmdline+=" $DIOWQ_APPEND"

# The machine every boot shares. -no-reboot turns the guest's panic=-1 reboot into a QEMU
# exit; stdin is never read (CI has none).
qemu=(qemu-system-x86_64 -name "diowq-$kver" -nodefaults -no-user-config -nographic
	-monitor none -no-reboot -smp 2 -m "$mem" -kernel "$KERNEL" -initrd "$initrd")

# KVM when it really boots this kernel: some hosts expose a /dev/kvm that cannot run a
# stock kernel (e.g. a paravirtual one without VMX/SVM), so try it, then fall back to TCG.
probe_kvm() {
	[[ -r /dev/kvm && -w /dev/kvm ]] || return 1
	local log=$out/kvm-probe.log
	rm -f "$log"
	# In a subshell that outlives QEMU, so that bash's "Aborted" notice for a crashing QEMU
	# goes to /dev/null too.
	(
		timeout 30 "${qemu[@]}" -accel kvm -cpu host -serial "file:$log" \
			-append "console=ttyS0 diowq_vm.mode=probe" </dev/null || true
	) >/dev/null 2>&1
	if grep -q 'diowq-init: probe ok' "$log" 2>/dev/null; then
		return 0
	fi
	log "/dev/kvm cannot boot $kver here; using TCG"
	return 1
}
kvm=(-accel kvm -cpu host)
# Text patching (static keys, as registering the first tracepoint probe does) has crashed
# guests under multi-threaded TCG: single-threaded TCG runs both vCPUs in one host thread.
tcg_thread=${DIOWQ_TCG_THREAD:-auto}
case $tcg_thread in
single | multi) ;;
auto) # usage-guest.sh watches too (the transcripts of top and diagnose)
	tcg_thread=multi
	[[ ${#probe_tests[@]} -gt 0 || $mode == usage ]] && tcg_thread=single ;;
*) die "DIOWQ_TCG_THREAD must be single, multi or auto" ;;
esac
tcg=(-accel "tcg,thread=$tcg_thread" -cpu max)
case ${DIOWQ_ACCEL:-auto} in
kvm) accel=("${kvm[@]}") ;;
tcg) accel=("${tcg[@]}") ;;
auto)
	if probe_kvm; then
		accel=("${kvm[@]}")
	else
		accel=("${tcg[@]}")
	fi
	;;
*) die "DIOWQ_ACCEL must be kvm, tcg or auto" ;;
esac
if [[ ${accel[1]} == "tcg,thread=multi" && ${#probe_tests[@]} -gt 0 ]]; then
	log "warning: ${probe_tests[*]} under multi-threaded TCG: text patching may crash the guest"
fi

# Disks are named after this script's PID: a run killed too hard to clean up (SIGKILL)
# leaves files whose owner is gone, and the next run removes them.
for f in /dev/shm/diowq-[0-9]*-*; do
	[[ -e $f ]] || continue
	owner=${f#/dev/shm/diowq-}
	owner=${owner%%-*}
	if [[ $owner =~ ^[0-9]+$ ]] && ! kill -0 "$owner" 2>/dev/null; then
		log "removing $f, left by a dead run"
		rm -f "$f"
	fi
done

drives=()
cache=none
for name in vda vdb vdc; do
	d=$(mktemp "/dev/shm/diowq-$$-$kver-$name.XXXXXX")
	disks+=("$d")
	truncate -s 1G "$d"
	# cache=none needs O_DIRECT, which tmpfs has only since Linux 6.6.
	if [[ $cache == none ]] &&
		! dd if=/dev/zero of="$d" bs=4096 count=1 oflag=direct conv=notrunc status=none 2>/dev/null; then
		log "no O_DIRECT on /dev/shm (host kernel < 6.6?): disks use cache=writeback"
		cache=writeback
	fi
	drives+=(-drive "file=$d,format=raw,if=none,id=$name,cache=$cache,aio=io_uring"
		-device "virtio-blk-pci,drive=$name")
done
if [[ -n $nvme_size ]]; then
	d=$(mktemp "/dev/shm/diowq-$$-$kver-nvme.XXXXXX")
	disks+=("$d")
	truncate -s "$nvme_size" "$d"
	drives+=(-drive "file=$d,format=raw,if=none,id=nvme,cache=$cache,aio=io_uring"
		-device "nvme,drive=nvme,serial=diowq-bench")
fi

: >"$out/console.log"
: >"$out/results.ktap"
log "booting $kver (${accel[1]}, $mode mode, VM timeout ${vm_timeout}s); console: $out/console.log"
start=$(date +%s)
timeout -k 10 "$vm_timeout" "${qemu[@]}" "${accel[@]}" \
	-serial "file:$out/console.log" -serial "file:$out/results.ktap" \
	-append "$cmdline" "${drives[@]}" </dev/null &
qemu_pid=$!
# Stream the results port as it is written; tail ends by itself when QEMU is gone. Test
# output is prefixed with the kernel series; the demo is shown as a plain transcript.
filter=(-e 's/\r$//' -e "s/^/[$label] /")
[[ $mode != test ]] && filter=(-e 's/\r$//' -e '/^# diowq-\(test\|vm\): /d')
[[ $mode == bench ]] && filter+=(-e '/^# diowq-file: begin /,/^# diowq-file: end /d')
tail -n +1 -s 0.5 -F --pid="$qemu_pid" "$out/results.ktap" 2>/dev/null | sed -u "${filter[@]}" &
tail_pid=$!
rc=0
wait "$qemu_pid" || rc=$?
qemu_pid=
wait "$tail_pid" || true
tail_pid=
log "$kver: QEMU exited with $rc after $(($(date +%s) - start)) s"

judge_args=("$out" "$label")
[[ $mode != test ]] && judge_args+=(--no-ktap)
[[ $rc -eq 124 || $rc -eq 137 ]] && judge_args+=(--timed-out "$vm_timeout")
"$VM_DIR/judge.sh" "${judge_args[@]}"
