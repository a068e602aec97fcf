#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: everything `make check` runs (after `make deps`), on both kernels:
#   host  - fetch the kernel sources' harness and checkpatch; build the test programs;
#           checkpatch the module and the uapi header
#   each kernel (DIOWQ_SERIES, default "6.1 6.12")
#         - fetch it, build diowq.ko against its headers, boot it with the tests (run-vm.sh)
# and ends with per-kernel totals and the line `N passed, N failed[, N skipped]`, summed
# over every KTAP result line of every test program, the host checks (one each), and the
# rig's own failures (judge.sh). A failing step is counted and the rest still runs; the exit
# status is non-zero if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

read -r -a series_list <<<"${DIOWQ_SERIES:-6.1 6.12}"

# checkpatch as for a new in-tree driver: --strict turns on the CHECK-level messages
# (alignment, spacing, kernel types) that maintainers of new code ask for, and any message
# fails. -f/--no-tree because these are files of an out-of-tree module, not a patch to a
# kernel tree. Ignored: LINUX_VERSION_CODE, since an out-of-tree module that builds on two
# kernels needs version tests, which the design keeps in one compat header.
checkpatch_flags=(--no-tree -f --strict --show-types --ignore LINUX_VERSION_CODE)

declare -A passed=() failed=() skipped=()
buckets=()
add() { # BUCKET PASSED FAILED SKIPPED
	[[ -v "passed[$1]" ]] || { buckets+=("$1"); passed[$1]=0 failed[$1]=0 skipped[$1]=0; }
	passed[$1]=$((passed[$1] + $2))
	failed[$1]=$((failed[$1] + $3))
	skipped[$1]=$((skipped[$1] + $4))
}

section() { printf '\n==== %s\n' "$*"; }

# host_check BUCKET NAME COMMAND...: one counted check; its output is shown as it runs.
host_check() {
	local bucket=$1 name=$2 start=$SECONDS rc=0
	shift 2
	section "$name"
	"$@" || rc=$?
	if [[ $rc -eq 0 ]]; then
		printf '[%s] PASS: %s (%d s)\n' "$bucket" "$name" $((SECONDS - start))
		add "$bucket" 1 0 0
	else
		printf '[%s] !!!! FAIL: %s (exit %d, %d s)\n' "$bucket" "$name" "$rc" $((SECONDS - start))
		add "$bucket" 0 1 0
	fi
	return "$rc"
}

# rig_step BUCKET NAME COMMAND...: a step the checks depend on (downloads, unpacking): its
# failure is counted as a rig failure, its success is not a test.
rig_step() {
	local bucket=$1 name=$2 rc=0
	shift 2
	"$@" || rc=$?
	if [[ $rc -eq 0 ]]; then
		printf '[%s] %s: done\n' "$bucket" "$name"
	else
		printf '[%s] !!!! FAIL: %s (exit %d)\n' "$bucket" "$name" "$rc"
		add "$bucket" 0 1 0
	fi
	return "$rc"
}

# --- host side.
add host 0 0 0
src_env=
fetch_source() { src_env=$("$VM_DIR/fetch-source.sh"); }
section "host checks"
rig_step host "fetch the kernel sources' harness and checkpatch" fetch_source || true
ksft_dir=$(sed -n 's/^KSFT_DIR=//p' <<<"$src_env")
checkpatch=$(sed -n 's/^CHECKPATCH=//p' <<<"$src_env")

build_tests() {
	[[ -n $ksft_dir ]] || { echo "no kselftest harness (fetching the sources failed)"; return 1; }
	[[ -f $REPO/selftests/Makefile ]] || { echo "selftests/Makefile does not exist yet"; return 1; }
	# Only binaries from this build may reach the VM: drop the old ones first. -k builds every
	# program that compiles even when another does not.
	rm -f "$BUILD"/selftests/*_test
	make -C "$REPO/selftests" -k -j"$(nproc)" O="$BUILD/selftests" KSFT_DIR="$ksft_dir"
}
host_check host "build the test programs" build_tests || true

run_checkpatch() {
	[[ -n $checkpatch ]] || { echo "no checkpatch.pl (fetching the sources failed)"; return 1; }
	local files=()
	mapfile -t files < <(cd "$REPO" && ls kmod/*.[ch] include/uapi/*.h 2>/dev/null)
	[[ ${#files[@]} -gt 0 ]] || { echo "no kmod/*.[ch] or include/uapi/*.h to check"; return 1; }
	(cd "$REPO" && "$checkpatch" "${checkpatch_flags[@]}" "${files[@]}")
}
host_check host "checkpatch ${checkpatch_flags[*]}" run_checkpatch || true

# diowqctl: build it (the VMs drive it too), keep its C++ formatted, and count each of its
# unit tests (GoogleTest cases run by ctest) as a test of its own.
build_tools() { make -C "$REPO" --no-print-directory tools TOOLS_BUILD="$BUILD/tools"; }
host_check host "build diowqctl" build_tools && tools_built=1 || tools_built=

check_format() {
	local files=()
	mapfile -t files < <(cd "$REPO" && find tools/src tools/tests -name '*.[ch]pp' | sort)
	(cd "$REPO" && clang-format --dry-run --Werror "${files[@]}")
}
host_check host "clang-format tools/" check_format || true

run_tool_tests() {
	local out rc=0 total failed_n
	section "diowqctl unit tests"
	out=$(ctest --test-dir "$BUILD/tools" --output-on-failure 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^ *[0-9]*/[0-9]* Test *#[0-9]*: .* Passed' || true
	total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' <<<"$out")
	failed_n=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' <<<"$out")
	if [[ -z $total || -z $failed_n || $total -eq 0 ]]; then
		echo "[tools] !!!! FAIL: ctest ran no test (exit $rc)"
		add tools 0 1 0
		return
	fi
	printf '[tools] %d passed, %d failed\n' $((total - failed_n)) "$failed_n"
	add tools $((total - failed_n)) "$failed_n" 0
}
if [[ -n $tools_built ]]; then
	run_tool_tests
fi

# --- each kernel: fetch and build for all first (a compile error on either kernel shows
# up in seconds), then the long part, the VMs.
declare -A kvers=() modules=()
kernel_env=
fetch_kernel() { kernel_env=$("$VM_DIR/fetch-kernel.sh" "$1"); }
for s in "${series_list[@]}"; do
	kernel_env=
	section "Debian $s kernel"
	rig_step "$s" "fetch the Debian $s kernel" fetch_kernel "$s" || continue
	kver=$(sed -n 's/^KVER=//p' <<<"$kernel_env")
	kvers[$s]=$kver
	if host_check "$s" "build diowq.ko for $kver" "$VM_DIR/build-module.sh" "$kver"; then
		modules[$s]=1
	fi
done

for s in "${series_list[@]}"; do
	kver=${kvers[$s]:-}
	[[ -n $kver ]] || continue
	if [[ -z ${modules[$s]:-} ]]; then
		echo "[$s] not booting $kver: there is no module to test"
		continue
	fi
	if ! compgen -G "$BUILD/selftests/*_test" >/dev/null; then
		echo "[$s] not booting $kver: no test programs were built"
		continue
	fi
	section "VM selftests on $kver"
	start=$SECONDS
	summary=$BUILD/vm/$kver/summary.env
	rm -f "$summary"
	"$VM_DIR/run-vm.sh" "$kver" || true
	if [[ -f $summary ]]; then
		add "$s" "$(sed -n 's/^PASSED=//p' "$summary")" "$(sed -n 's/^FAILED=//p' "$summary")" \
			"$(sed -n 's/^SKIPPED=//p' "$summary")"
	else
		echo "[$s] !!!! FAIL: the VM run ended without a verdict"
		add "$s" 0 1 0
	fi
	echo "[$s] VM run took $((SECONDS - start)) s"
done

# --- totals.
section "totals"
tp=0 tf=0 ts=0
for b in "${buckets[@]}"; do
	name=$b
	[[ -n ${kvers[$b]:-} ]] && name="$b (${kvers[$b]})"
	printf '  %-32s pass %4d   fail %4d   skip %4d\n' "$name" "${passed[$b]}" "${failed[$b]}" "${skipped[$b]}"
	tp=$((tp + passed[$b])) tf=$((tf + failed[$b])) ts=$((ts + skipped[$b]))
done
line="$tp passed, $tf failed"
[[ $ts -gt 0 ]] && line+=", $ts skipped"
echo "$line"
[[ $tf -eq 0 ]]
