#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# judge.sh DIR LABEL [--timed-out SECS] [--no-ktap]: judge one VM run from DIR/console.log and
# DIR/results.ktap, print the verdict (failures loudly, prefixed with LABEL), write the
# counts to DIR/summary.env (PASSED, FAILED, SKIPPED, RIG_FAILED) and exit 1 if anything
# failed.
#
# Counting, as `make check` sums it:
#   - every top-level KTAP `ok` line of a test program passes, `ok ... # SKIP` is skipped,
#     `not ok` fails;
#   - a program that exits 4 (kselftest's skip) without any result line is one skip;
#   - with --no-ktap (the demo), a program without result lines passes or fails by its
#     exit status;
#   - one rig failure each for: a kernel complaint on the console (WARN, BUG, Oops, panic,
#     lockup, hung task, GPF, KASAN, UBSAN, lockdep, debugobjects, kmemleak; all of them
#     together count once); a program with a begin but no end line; a program that timed
#     out; a program that exited non-zero (other than 4) without a `not ok` line; a program
#     that exited 0 without any result line; and a missing `# diowq-vm: done` line, unless
#     one of the failures above already explains why the VM stopped early.
set -euo pipefail

usage() { echo "usage: $0 DIR LABEL [--timed-out SECS] [--no-ktap]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
dir=$1 label=$2
shift 2
timed_out='' no_ktap=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--timed-out) timed_out=${2:?}; shift 2 ;;
	--no-ktap) no_ktap=1; shift ;;
	*) usage ;;
	esac
done
console=$dir/console.log
results=$dir/results.ktap

say() { printf '[%s] %s\n' "$label" "$*"; }
loud() { printf '[%s] !!!! %s\n' "$label" "$*"; }

# Serial ports add CRs; a missing file is an empty run.
clean() { if [[ -f $1 ]]; then tr -d '\r' <"$1"; fi; }

# The kernel complains in these words; init and the tests never print them on the console
# (the tests' output goes to the results port).
crash_re='WARNING:|BUG:|Oops|Kernel panic|soft lockup|hung task|blocked for more than|general protection fault|KASAN|UBSAN'
# The debug kernel's checkers (make check-debug). Most of their reports start with WARNING: or
# BUG: already; named here so that none depends on that. kmemleak's report is what guest-init
# prints from /sys/kernel/debug/kmemleak after the tests.
crash_re+='|ODEBUG:|unreferenced object|suspected memory leak|possible circular locking'
crash_re+='|possible recursive locking|inconsistent lock state|suspicious RCU usage'
crash_re+='|sleeping function called from invalid context|workqueue lockup'
# RCU stall warnings: "rcu_preempt detected stalls", "self-detected stall", RCU-tasks' too.
crash_re+='|detected stall'

rig=0
crashed=0
if clean "$console" | grep -qE "$crash_re"; then
	crashed=1
	rig=$((rig + 1))
	loud "FAIL: the kernel complained (console: $console):"
	clean "$console" | grep -nE "$crash_re" | head -n 20 | while IFS= read -r l; do loud "  $l"; done
	loud "  first report with context:"
	first=$(clean "$console" | grep -nE "$crash_re" | head -n1 | cut -d: -f1)
	clean "$console" | sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" |
		while IFS= read -r l; do loud "  | $l"; done
	running=$(clean "$console" | sed -n '1,'"$first"'p' | grep -oE 'diowq-init: (begin|end) [^ ]+' | tail -n1)
	[[ $running == *begin* ]] && loud "  it happened while ${running##* } was running"
fi

# Per-program accounting from the results port: awk prints its complaints, then one line
# of counts.
verdict=$(
	clean "$results" | awk -v label="$label" -v no_ktap="$no_ktap" '
	function loud(msg) { printf "[%s] !!!! %s\n", label, msg }
	/^# diowq-test: begin / { cur = $4; names[++n] = cur; ended[cur] = ""; next }
	/^# diowq-test: end / {
		name = $4; ex = $5; sub(/^exit=/, "", ex); ended[name] = ex; cur = ""; next
	}
	/^# diowq-vm: done/ { done_seen = 1; next }
	cur != "" && /^ok / {
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) sk[cur]++; else ok[cur]++
		next
	}
	cur != "" && /^not ok / { nok[cur]++; next }
	END {
		for (i = 1; i <= n; i++) {
			t = names[i]; ex = ended[t]; results = ok[t] + nok[t] + sk[t]
			pass += ok[t]; fail += nok[t]; skip += sk[t]
			if (ex == "") {
				loud("FAIL: " t " never finished (begin line without an end line)")
				rig++; unfinished++
			} else if (ex == "timeout") {
				loud("FAIL: " t " timed out and was killed"); rig++
			} else if (no_ktap && results == 0) {
				if (ex == 0) pass++
				else { loud("FAIL: " t " exited " ex); rig++ }
			} else if (ex == 4 && results == 0) {
				skip++
			} else if (ex != 0 && ex != 4 && nok[t] == 0) {
				loud("FAIL: " t " exited " ex " without reporting a failed test"); rig++
			} else if (ex == 0 && results == 0) {
				loud("FAIL: " t " exited 0 without reporting any test"); rig++
			}
		}
		printf "counts %d %d %d %d %d %d\n", pass, fail, skip, rig, unfinished, done_seen
	}'
)
grep -v '^counts ' <<<"$verdict" || true
read -r _ pass fail skip prog_rig unfinished done_seen < <(grep '^counts ' <<<"$verdict")
rig=$((rig + prog_rig))

if [[ $done_seen -ne 1 ]]; then
	if [[ -n $timed_out ]]; then
		loud "FAIL: the VM timed out after $timed_out s (no '# diowq-vm: done' line)"
		rig=$((rig + 1))
	elif [[ $crashed -eq 0 && $unfinished -eq 0 ]]; then
		loud "FAIL: VM died or timed out (no '# diowq-vm: done' line)"
		rig=$((rig + 1))
	fi
	# A kernel complaint was shown above with its context; otherwise the end of the console
	# is the best clue.
	if [[ $crashed -eq 0 ]]; then
		loud "  last console lines ($console):"
		clean "$console" | tail -n 30 | while IFS= read -r l; do loud "  | $l"; done
	fi
fi

failed=$((fail + rig))
cat >"$dir/summary.env" <<EOF
PASSED=$pass
FAILED=$failed
SKIPPED=$skip
RIG_FAILED=$rig
EOF
say "$pass passed, $failed failed ($rig of them rig failures), $skip skipped"
[[ $failed -eq 0 ]]
