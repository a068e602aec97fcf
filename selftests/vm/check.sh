#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: everything `make check` runs (after `make deps`), on both kernels:
#   host  - fetch the kernel sources' harness and checkpatch; build the test programs;
#           checkpatch the module and the uapi header
#   each kernel (DIOWQ_SERIES, default "6.1 6.12 7.x")
#         - fetch it, build diowq.ko against its headers (7.x: in a Debian 13 chroot,
#           build-chroot.sh), boot it with the tests (run-vm.sh),
#           then boot it again, under single-threaded TCG, with the tests that register the
#           tracepoint probes (DIOWQ_PROBE_TESTS in lib.sh), counted as "<series> probes"
# and ends with per-kernel totals and the line `N passed, N failed[, N skipped]`, summed
# over every KTAP result line of every test program, the host checks (one each), and the
# rig's own failures (judge.sh). A failing step is counted and the rest still runs; the exit
# status is non-zero if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

read -r -a series_list <<<"${DIOWQ_SERIES:-6.1 6.12 7.x}"

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

# Operations files (docs/operations.md): the man pages lint clean, the systemd unit verifies,
# the Kubernetes manifests pass our schema check, which must reject each broken variant.
check_man_pages() {
	(cd "$REPO" && mandoc -T lint -W warning docs/man/diowqctl.8 docs/man/diowq.4)
}
host_check host "mandoc -T lint -W warning docs/man/*" check_man_pages || true

verify_unit() {
	command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: not checked"; return 0; }
	# ExecStart names diowqctl bare (systemd's search path finds the installed one); point it
	# at the built one, which must exist, and do not ask for installed man pages. verify exits 0
	# on unknown keys and bad values, so anything it says is a failure; a copy with a typo must
	# make it say something (else this check could not fail).
	local dir rc=0 out tool=$BUILD/tools/diowqctl
	[[ -x $tool ]] || { echo "$tool is not built"; return 1; }
	dir=$(mktemp -d)
	sed "s|^ExecStart=diowqctl |ExecStart=$tool |" "$REPO/packaging/systemd/diowq.service" \
		>"$dir/diowq.service"
	sed 's/^Restart=/Restrat=/' "$dir/diowq.service" >"$dir/typo.service"
	if ! grep -q "^ExecStart=$tool " "$dir/diowq.service"; then
		echo "no ExecStart=diowqctl line"; rc=1
	elif ! out=$(cd "$dir" && systemd-analyze verify --man=no diowq.service 2>&1) || [[ -n $out ]]; then
		printf '%s\n' "$out"; rc=1
	elif [[ -z $(cd "$dir" && systemd-analyze verify --man=no typo.service 2>&1) ]]; then
		echo "systemd-analyze verify did not report the typo in typo.service"; rc=1
	fi
	rm -rf "$dir"
	return "$rc"
}
host_check host "systemd-analyze verify packaging/systemd/diowq.service" verify_unit || true

check_kubernetes() {
	local k=$REPO/packaging/kubernetes
	/usr/bin/python3 "$k/check_manifests.py" "$k/daemonset.yaml" "$k/configmap.yaml" &&
		/usr/bin/python3 "$k/test_check_manifests.py" &&
		if command -v shellcheck >/dev/null; then shellcheck "$k/load-module.sh"; fi
}
host_check host "Kubernetes manifests (check_manifests.py and its test)" check_kubernetes || true

# make bench's table (bench-table.sh, jq) from the fixture under testdata/bench-table/: the table
# it prints must be the one committed next to it (expected.md). And the guest's choice of the
# pattern that starved worst (bench-guest.sh's pick_worst, busybox sh and awk, and jq, as in the guest):
# the lowest inside_off ratio among the patterns with a queued share >= 10 %, else the lowest.
check_bench_table() {
	local d=$VM_DIR/testdata/bench-table picked
	diff -u "$d/expected.md" <("$VM_DIR/bench-table.sh" "$d"/*.json) || return
	picked=$(cd "$d" && busybox sh -c '
		awk() { busybox awk "$@"; }
		eval "$(sed -n "/^summary_value()/,/^}/p;/^less()/p;/^pick_worst()/,/^}/p" "$1")"
		pick_worst append:7.3.4+deb13-amd64-append.json dsync:7.3.4+deb13-amd64-dsync.json |
			tail -n 1
		pick_worst overwrite:6.12.117+deb12-amd64.json | tail -n 1' sh "$VM_DIR/bench-guest.sh")
	echo "$picked"
	diff -u - <(echo "$picked") <<-'EOF' || return
		# worst pattern: dsync (inside_off / outside_off 0.432, queued share >= 10 %)
		# worst pattern: overwrite (inside_off / outside_off 0.259; no pattern had a queued share >= 10 %)
	EOF
	if command -v shellcheck >/dev/null; then
		shellcheck -x "$VM_DIR/bench-table.sh" "$VM_DIR/bench.sh" "$VM_DIR/bench-guest.sh"
	fi
}
host_check host "bench-table.sh on its fixture" check_bench_table || true

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
declare -A kvers=() modules=() chroots=()
kernel_env=
fetch_kernel() { kernel_env=$("$VM_DIR/fetch-kernel.sh" "$1"); }
for s in "${series_list[@]}"; do
	kernel_env=
	section "Debian $s kernel"
	rig_step "$s" "fetch the Debian $s kernel" fetch_kernel "$s" || continue
	kver=$(sed -n 's/^KVER=//p' <<<"$kernel_env")
	kvers[$s]=$kver
	chroots[$s]=$(sed -n 's/^BUILD_CHROOT=//p' <<<"$kernel_env")
	if host_check "$s" "build diowq.ko for $kver" "$VM_DIR/build-module.sh" "$kver"; then
		modules[$s]=1
	fi
done

# --- packaging (packaging/check-*.sh, docs/packaging.md): DKMS for every kernel; signing, the
# Debian packages and make install against one; bash completion against the diowqctl above.
# They build with the host's dkms and compiler: only for kernels the host can build for (not
# 7.x, whose modules build-module.sh builds in a Debian 13 chroot).
pkg_kvers=()
section "packaging"
for s in "${series_list[@]}"; do
	[[ -n ${kvers[$s]:-} ]] || continue
	if [[ -n ${chroots[$s]} ]]; then
		echo "[pkg] not for ${kvers[$s]}: the host cannot build for it (built in the ${chroots[$s]} chroot)"
	else
		pkg_kvers+=("${kvers[$s]}")
	fi
done
if [[ -n $tools_built ]]; then
	host_check pkg "bash completion of diowqctl" \
		"$REPO/packaging/check-completion.sh" "$BUILD/tools/diowqctl" || true
fi
if [[ ${#pkg_kvers[@]} -gt 0 ]]; then
	host_check pkg "dkms build and install for ${pkg_kvers[*]}" \
		"$REPO/packaging/check-dkms.sh" "${pkg_kvers[@]}" || true
	host_check pkg "sign diowq.ko with a MOK key (${pkg_kvers[0]})" \
		"$REPO/packaging/check-sign.sh" "${pkg_kvers[0]}" || true
	if [[ -n $tools_built ]]; then
		host_check pkg "make install/uninstall with DESTDIR (${pkg_kvers[-1]})" \
			"$REPO/packaging/check-install.sh" "${pkg_kvers[-1]}" "$BUILD/tools" || true
	fi
	host_check pkg "Debian packages diowq-dkms and diowqctl (${pkg_kvers[0]})" \
		"$REPO/packaging/check-deb.sh" "${pkg_kvers[0]}" || true
	host_check pkg "Debian packages after an in-tree module build (${pkg_kvers[0]})" \
		"$REPO/packaging/check-deb-after-build.sh" "${pkg_kvers[0]}" || true
fi

# Each kernel boots twice: the suite without the probe tests (lib.sh, DIOWQ_PROBE_TESTS), and
# the probe tests alone under single-threaded TCG (run-vm.sh picks it for them), counted in a
# bucket of their own, "<series> probes". DIOWQ_TESTS, if set, is split between the two.
split_probe_tests

# vm_boot BUCKET KVER RUN_NAME TESTS: one run-vm.sh boot, its verdict added to BUCKET.
vm_boot() {
	local bucket=$1 kver=$2 name=$3 tests=$4 start=$SECONDS summary
	summary=$BUILD/vm/$kver${name:+-$name}/summary.env
	rm -f "$summary"
	DIOWQ_RUN_NAME=$name DIOWQ_TESTS=$tests "$VM_DIR/run-vm.sh" "$kver" || true
	if [[ -f $summary ]]; then
		add "$bucket" "$(sed -n 's/^PASSED=//p' "$summary")" "$(sed -n 's/^FAILED=//p' "$summary")" \
			"$(sed -n 's/^SKIPPED=//p' "$summary")"
	else
		echo "[$bucket] !!!! FAIL: the VM run ended without a verdict"
		add "$bucket" 0 1 0
	fi
	echo "[$bucket] VM run took $((SECONDS - start)) s"
}

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
	if [[ -z ${DIOWQ_TESTS:-} || -n $normal_tests ]]; then
		section "VM selftests on $kver"
		vm_boot "$s" "$kver" "" "$normal_tests"
	fi
	if [[ -n $probe_tests ]]; then
		section "VM selftests that watch (probes), single-threaded TCG, on $kver"
		kvers["$s probes"]=$kver
		vm_boot "$s probes" "$kver" probes "$probe_tests"
	fi
done

# --- the debug kernel (check-debug.sh, `make check-debug`: KASAN, lockdep, debugobjects,
# kmemleak). Its suite is `make check-debug`'s, not make check's: with three kernel lines a
# cold make check takes about an hour on 2 cores already, and the debug suite would add 16-22
# minutes (docs/reliability.md, "Debug kernel"). DIOWQ_CHECK_DEBUG=auto runs it if the kernel
# is cached (and DIOWQ_SERIES is unset), =yes builds it if needed; =no, the default, skips it.
debug_mode=${DIOWQ_CHECK_DEBUG:-no}
section "debug kernel"
if [[ $debug_mode == no || ($debug_mode == auto && -n ${DIOWQ_SERIES:-}) ]]; then
	echo "[debug] skipped (DIOWQ_CHECK_DEBUG=$debug_mode${DIOWQ_SERIES:+, DIOWQ_SERIES set}): \`make check-debug\` runs it"
elif [[ $debug_mode == auto ]] && ! "$VM_DIR/build-debug-kernel.sh" --cached >/dev/null 2>&1; then
	echo "[debug] SKIPPED: no cached debug kernel. \`make check-debug\` builds it once (about an hour"
	echo "[debug] cold on 2 shared cores) and runs the suite on it."
else
	debug_log=$BUILD/check-debug.log
	mkdir -p "$BUILD"
	"$VM_DIR/check-debug.sh" 2>&1 | tee "$debug_log" || true
	dp='' df='' ds=''
	read -r dp df ds < <(tail -n1 "$debug_log" |
		sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p') || true
	if [[ -n $dp ]]; then
		add debug "$dp" "$df" "${ds:-0}"
	else
		echo "[debug] !!!! FAIL: check-debug.sh ended without its totals line ($debug_log)"
		add debug 0 1 0
	fi
fi

# --- what failed, again, next to the totals: a CI log is often read from its end, and a VM
# run prints thousands of lines. For each failed test case of this run, the lines its harness
# printed from its "#  RUN" to its "not ok" (the last 40 of them), labelled with the boot.
failure_digest() { # LABEL KTAP
	awk -v label="$1" '
		/^# +RUN / { n = 0 }
		{ buf[n++ % 40] = $0 }
		/^not ok / {
			printf "[%s] ---- %s\n", label, $0
			for (i = (n > 40 ? n - 40 : 0); i < n; i++)
				printf "[%s] %s\n", label, buf[i % 40]
			n = 0
		}' "$2"
}
digest=
for b in "${buckets[@]}"; do
	[[ ${failed[$b]} -gt 0 && -n ${kvers[$b]:-} ]] || continue
	case $b in *" probes") run=${kvers[$b]}-probes ;; *) run=${kvers[$b]} ;; esac
	[[ -f $BUILD/vm/$run/results.ktap ]] || continue
	digest+=$(failure_digest "$b" "$BUILD/vm/$run/results.ktap")
done
if [[ -n $digest ]]; then
	section "failed test cases (their output again)"
	printf '%s\n' "$digest"
fi

# --- totals.
section "totals"
tp=0 tf=0 ts=0
for b in "${buckets[@]}"; do
	name=$b
	[[ -n ${kvers[$b]:-} ]] && name="$b (${kvers[$b]})"
	printf '  %-36s pass %4d   fail %4d   skip %4d\n' "$name" "${passed[$b]}" "${failed[$b]}" "${skipped[$b]}"
	tp=$((tp + passed[$b])) tf=$((tf + failed[$b])) ts=$((ts + skipped[$b]))
done
line="$tp passed, $tf failed"
[[ $ts -gt 0 ]] && line+=", $ts skipped"
echo "$line"
[[ $tf -eq 0 ]]
