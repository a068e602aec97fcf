#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh: `make check-debug`. The whole VM selftest suite on a debug build of
# Debian's 6.1 sources (build-debug-kernel.sh: KASAN, lockdep, debugobjects, kmemleak,
# hung-task, soft-lockup and workqueue watchdogs), where any report of those checkers fails
# the run (judge.sh):
#   - build the test programs and diowqctl (as check.sh does);
#   - build the debug kernel, or take it from the cache ($DIOWQ_CACHE/debug/);
#   - build diowq.ko against it and boot it with every test program (run-vm.sh) but the probe
#     tests (see below);
# and end with `N passed, N failed[, N skipped]`. The exit status is non-zero if anything failed.
#
# The debug guest gets 3 GiB and long timeouts (run-vm.sh); DIOWQ_TESTS, DIOWQ_VM_TIMEOUT,
# DIOWQ_TEST_TIMEOUT, DIOWQ_VM_MEM, DIOWQ_ACCEL and DIOWQ_APPEND work as for run-vm.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pass=0 fail=0 skip=0
step() { # NAME COMMAND...: one counted host step, its output shown as it runs
	local name=$1 start=$SECONDS rc=0
	shift
	printf '\n==== %s\n' "$name"
	"$@" || rc=$?
	if [[ $rc -eq 0 ]]; then
		printf '[debug] PASS: %s (%d s)\n' "$name" $((SECONDS - start))
		pass=$((pass + 1))
	else
		printf '[debug] !!!! FAIL: %s (exit %d, %d s)\n' "$name" "$rc" $((SECONDS - start))
		fail=$((fail + 1))
	fi
	return "$rc"
}
totals() {
	local line="$pass passed, $fail failed"
	[[ $skip -gt 0 ]] && line+=", $skip skipped"
	printf '\n==== totals\n%s\n' "$line"
	[[ $fail -eq 0 ]]
}

ksft_dir=
fetch_source() { ksft_dir=$("$VM_DIR/fetch-source.sh" | sed -n 's/^KSFT_DIR=//p'); }
build_tests() {
	fetch_source
	[[ -n $ksft_dir ]] || { echo "no kselftest harness"; return 1; }
	# Only this build's programs may reach the VM (as in check.sh).
	rm -f "$BUILD"/selftests/*_test
	make -C "$REPO/selftests" -k -j"$(nproc)" O="$BUILD/selftests" KSFT_DIR="$ksft_dir"
}
build_tools() { make -C "$REPO" --no-print-directory tools TOOLS_BUILD="$BUILD/tools"; }
kernel_env=
build_kernel() { kernel_env=$("$VM_DIR/build-debug-kernel.sh"); }

step "build the test programs" build_tests || true
step "build diowqctl" build_tools || true
step "build or reuse the debug kernel" build_kernel || totals || exit 1
kver=$(sed -n 's/^KVER=//p' <<<"$kernel_env")
[[ -n $kver ]] || die "build-debug-kernel.sh printed no KVER"
if ! step "build diowq.ko for $kver" "$VM_DIR/build-module.sh" "$kver"; then
	totals || exit 1
fi
if ! compgen -G "$BUILD/selftests/*_test" >/dev/null; then
	echo "[debug] !!!! FAIL: no test programs were built; not booting $kver"
	fail=$((fail + 1))
	totals || exit 1
fi

# vm_boot RUN_NAME TESTS TITLE: one run-vm.sh boot, counted.
vm_boot() {
	local name=$1 tests=$2 start=$SECONDS summary
	printf '\n==== %s\n' "$3"
	summary=$BUILD/vm/$kver${name:+-$name}/summary.env
	rm -f "$summary"
	DIOWQ_RUN_NAME=$name DIOWQ_TESTS=$tests "$VM_DIR/run-vm.sh" "$kver" || true
	if [[ -f $summary ]]; then
		pass=$((pass + $(sed -n 's/^PASSED=//p' "$summary")))
		fail=$((fail + $(sed -n 's/^FAILED=//p' "$summary")))
		skip=$((skip + $(sed -n 's/^SKIPPED=//p' "$summary")))
	else
		echo "[debug] !!!! FAIL: the VM run ended without a verdict"
		fail=$((fail + 1))
	fi
	echo "[debug${name:+ $name}] VM run took $((SECONDS - start)) s (console: $BUILD/vm/$kver${name:+-$name}/console.log)"
}

# The suite without the probe tests (DIOWQ_PROBE_TESTS, lib.sh). Those exercise diowqctl's BPF
# program, not the module (which registers no probe of its own any more), and need BTF, which
# this kernel is not built with; their verdicts also compare with diowqctl's absolute 1 ms
# threshold, which a KASAN+lockdep kernel under TCG misses even when tuned. Name one in
# DIOWQ_TESTS to run it anyway, in a single-threaded TCG boot as check.sh does.
split_probe_tests
if [[ -z ${DIOWQ_TESTS:-} || -n $normal_tests ]]; then
	vm_boot "" "$normal_tests" "VM selftests on the debug kernel $kver"
fi
if [[ -n ${DIOWQ_TESTS:-} && -n $probe_tests ]]; then
	vm_boot probes "$probe_tests" \
		"VM selftests of the BPF program, single-threaded TCG, on the debug kernel $kver"
fi
totals
