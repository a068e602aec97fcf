#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh: `make soak`. Builds the test programs and the module, then boots each kernel of
# DIOWQ_SERIES (default "6.1 6.12") running only soak_test for DIOWQ_SOAK_MINUTES (default
# 10), and ends with `N passed, N failed` summed over the kernels (a kernel whose module does
# not build, or whose VM gives no verdict, counts as one failure). soak_test never runs in
# `make check`: guest-init skips it unless DIOWQ_TESTS names it.
#
#   DIOWQ_SERIES="6.1" DIOWQ_SOAK_MINUTES=2 selftests/vm/soak.sh
#   make soak SERIES=6.12 SOAK_MINUTES=30
#
# DIOWQ_SOAK_SEED replays a run's random sequence (soak_test logs the seed it used).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

read -r -a series_list <<<"${DIOWQ_SERIES:-6.1 6.12}"
minutes=${DIOWQ_SOAK_MINUTES:-10}
[[ $minutes =~ ^[1-9][0-9]*$ ]] || die "DIOWQ_SOAK_MINUTES must be a whole number of minutes > 0"
export DIOWQ_SOAK_MINUTES=$minutes DIOWQ_TESTS=soak_test
# The soak itself, plus its setup (three mkfs) and the last verification; then the boot.
export DIOWQ_TEST_TIMEOUT=$((minutes * 60 + 600))
export DIOWQ_VM_TIMEOUT=$((DIOWQ_TEST_TIMEOUT + 300))

src_env=$("$VM_DIR/fetch-source.sh")
ksft_dir=$(sed -n 's/^KSFT_DIR=//p' <<<"$src_env")
rm -f "$BUILD"/selftests/*_test
make -C "$REPO/selftests" -j"$(nproc)" O="$BUILD/selftests" KSFT_DIR="$ksft_dir" \
	"$BUILD/selftests/soak_test"

total_pass=0 total_fail=0
for s in "${series_list[@]}"; do
	printf '\n==== soak on Debian %s (%s min)\n' "$s" "$minutes"
	kver=$("$VM_DIR/fetch-kernel.sh" "$s" | sed -n 's/^KVER=//p') || kver=
	if [[ -z $kver ]] || ! "$VM_DIR/build-module.sh" "$kver"; then
		echo "[$s] !!!! FAIL: no kernel or no module for it"
		total_fail=$((total_fail + 1))
		continue
	fi
	start=$SECONDS
	summary=$BUILD/vm/$kver/summary.env
	rm -f "$summary"
	"$VM_DIR/run-vm.sh" "$kver" || true
	if [[ -f $summary ]]; then
		total_pass=$((total_pass + $(sed -n 's/^PASSED=//p' "$summary")))
		total_fail=$((total_fail + $(sed -n 's/^FAILED=//p' "$summary")))
	else
		echo "[$s] !!!! FAIL: the VM run ended without a verdict"
		total_fail=$((total_fail + 1))
	fi
	echo "[$s] soak VM run took $((SECONDS - start)) s"
done

printf '\n==== totals\n'
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
