#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-table.sh FILE.json...: the kernel x pattern table of docs/benchmarks.md, in markdown, from
# the JSON files `diowqctl bench --json` wrote (make bench's $BUILD/bench/*.json). It reads only
# the bench's own summaries (the "summary" object: medians over the repeats, and their ratios to
# outside_off's median) and computes nothing new from the runs:
#   starvation  inside_off's ratio (its median IOPS / outside_off's)
#   cure        inside_on's and inside_on_unbound's ratios
#   ctx/IO      each configuration's median context switches per I/O (outside_off, inside_off,
#               inside_on, inside_on_unbound)
#   queued      inside_off's queued_share_median: of the engine's writes, the share whose
#               completion the BPF program saw run from a queue (dispatch measurement)
# Values as the JSON has them (ratios and shares to 3 decimals, ctx/IO to 4). One row per file, sorted by kernel version, then the libaio --jobs 1 rows by pattern
# (overwrite, unwritten, append, dsync), then io_uring ("io_uring (plain setup)" for a ring set up
# without flags: --uring-setup plain, or a bench from before that option), --jobs N and the rest. "–": the value is
# not in the file (the configuration did not run, or ran without the dispatch measurement).
# Needs jq (make deps).
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 FILE.json..." >&2; exit 2; }
command -v jq >/dev/null || { echo "$0: needs jq (make deps)" >&2; exit 1; }

# shellcheck disable=SC2016  # jq's $variables, not the shell's
jq -r -s '
# The values as the JSON has them (ratios 3 decimals, ctx/IO 4, queued share 3): padded, never
# rounded again.
def fixed(d): if . == null then "–"
	else ([range(d)] | map(10) | reduce .[] as $x (1; . * $x)) as $m | (. * $m | round) as $n
	| ($n / $m | floor | tostring) + "."
	  + (($n % $m) | tostring | ("0000" + .)[-d:])
	end;
def percent: if . == null then "–" else (. * 100 | fixed(1)) + " %" end;
def patterns: ["overwrite", "unwritten", "append", "dsync"];
[ .[] | {
	kernel: (.kernel // "?"),
	pattern: (.setup.engine.pattern // "overwrite"),
	# io_uring rings set up without flags: --uring-setup plain, or a bench from before the
	# option (its rings had none); fio-style setup is plain "io_uring".
	io: ((.setup.engine.ioengine // "libaio") as $io
		| if $io == "io_uring" and (.setup.engine.uring_setup // "plain") == "plain"
		  then "io_uring (plain setup)" else $io end),
	jobs: (.setup.jobs // 1),
	hierarchy: (.setup.hierarchy.name // "flat"),
	engine: (.setup.engine.name // "builtin"),
	s: (.summary // {})
  }
  | .kind = (if .engine != "builtin" or .hierarchy != "flat" then 3
	elif .jobs > 1 then 2 elif .io != "libaio" then 1 else 0 end)
  | .load = ([.io] + (if .jobs > 1 then ["--jobs \(.jobs)"] else [] end)
	+ (if .hierarchy != "flat" then ["--hierarchy \(.hierarchy)"] else [] end)
	+ (if .engine != "builtin" then [.engine] else [] end) | join(", "))
]
| sort_by([(.kernel | [scan("[0-9]+") | tonumber]), .kernel, .kind,
	(.pattern as $p | patterns | index($p) // 9), .jobs, .io])
| ("| kernel | pattern | load | runs | starvation: inside_off / outside_off"
	+ " | cure: inside_on | cure: inside_on_unbound"
	+ " | ctx/IO: outside_off · inside_off · inside_on · inside_on_unbound"
	+ " | queued (inside_off) |"),
  "|---|---|---|---:|---:|---:|---:|---|---:|",
  (.[] | .s as $s | "| \(.kernel) | \(.pattern) | \(.load)"
	+ " | \(($s.inside_off.repeats // $s.outside_off.repeats // null) | if . == null then "–" else tostring end)"
	+ " | \($s.inside_off.ratio | fixed(3))"
	+ " | \($s.inside_on.ratio | fixed(3))"
	+ " | \($s.inside_on_unbound.ratio | fixed(3))"
	+ " | \([$s.outside_off, $s.inside_off, $s.inside_on, $s.inside_on_unbound]
		| map(.ctx_per_io_median | fixed(4)) | join(" · "))"
	+ " | \($s.inside_off.queued_share_median | percent) |")
' "$@"
