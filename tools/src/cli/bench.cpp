// SPDX-License-Identifier: GPL-2.0
#include <charconv>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/cgroup.hpp"
#include "bench/isolation.hpp"
#include "bench/units.hpp"
#include "cli/subcommands.hpp"

namespace diowq::cli {

namespace {

// The text of every option, checked and converted in the callback, so that each message names
// the option and says what it accepts.
struct RawBench {
    std::string directory;
    std::string bs = "4k";
    std::uint32_t iodepth = 128;
    std::uint32_t batch_submit = 0;
    std::uint32_t batch_complete_min = 1;
    std::uint32_t batch_complete_max = 0;
    std::string runtime = "20s";
    std::string ramp = "5s";
    std::string size = "1g";
    std::string pattern = "overwrite";
    std::string layout;
    unsigned rwmixread = 0;
    unsigned cpu = 0;
    std::string jobs = "1";
    std::string hierarchy = "flat";
    std::string node_cpus;
    std::string weight = "1000";
    std::string cgroup_parent;
    std::string configurations;
    bool matrix = false;
    unsigned repeat = 1;
    std::string warmup;
    std::string json_file;
    std::string plot_file;
    std::string progress = "auto";
    std::string engine = "builtin";
    std::string ioengine = "libaio";
    std::string uring_setup;
    bool no_latency = false;
    bool isolation = false;
    std::string cpu_max = "50000 100000";
    unsigned neighbour_weight = 0;
    std::uint32_t leaf_weight = 0;
};

template <typename T>
T checked(const char* option, const std::string& text, T (*parse)(std::string_view)) {
    try {
        return parse(text);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError(option, e.what());
    }
}

bench::Progress parse_progress(const std::string& text) {
    if (text == "auto") {
        return bench::Progress::automatic;
    }
    if (text == "bar") {
        return bench::Progress::bar;
    }
    if (text == "lines") {
        return bench::Progress::lines;
    }
    if (text == "none") {
        return bench::Progress::none;
    }
    throw CLI::ValidationError("--progress",
                               fmt::format("'{}' is not auto, bar, lines or none", text));
}

} // namespace

void add_bench_command(CLI::App& app, Command& selected) {
    auto* sub = app.add_subcommand(
        "bench", "Measure the starvation and diowq's cure: O_DIRECT writes inside and outside a "
                 "high-weight cgroup");
    auto raw = std::make_shared<RawBench>();
    sub->add_option("DIR", raw->directory,
                    "A directory on the XFS or ext4 filesystem to test; the file goes there")
        ->required()
        ->type_name("");

    const char* load = "Load (fio's libaio or io_uring engine)";
    sub->add_option("--bs", raw->bs, "Block size (default 4k)")->type_name("SIZE")->group(load);
    sub->add_option("--iodepth", raw->iodepth, "I/Os in flight (default 128)")
        ->type_name("N")
        ->check(CLI::Range(1, 65536).description(""))
        ->group(load);
    sub->add_option("--batch-submit", raw->batch_submit,
                    "I/Os per io_submit or io_uring_enter (default: --iodepth)")
        ->type_name("N")
        ->group(load);
    sub->add_option("--batch-complete-min", raw->batch_complete_min,
                    "Completions io_getevents or io_uring_enter waits for (default 1)")
        ->type_name("N")
        ->group(load);
    sub->add_option("--batch-complete-max", raw->batch_complete_max,
                    "Completions one reap takes at most (default: --iodepth)")
        ->type_name("N")
        ->group(load);
    sub->add_option("--runtime", raw->runtime, "Measured time per run (default 20s)")
        ->type_name("TIME")
        ->group(load);
    sub->add_option("--ramp", raw->ramp, "Unmeasured time before it (default 5s)")
        ->type_name("TIME")
        ->group(load);
    sub->add_option("--size", raw->size, "Size of the file (default 1g)")
        ->type_name("SIZE")
        ->group(load);
    sub->add_option("--pattern", raw->pattern,
                    "What the writes meet, so what their completions must do: overwrite (a file "
                    "written in full first; the default), unwritten (fallocated afresh before each "
                    "run: each write converts an extent), append (sequential from an empty file, "
                    "each write extending it; emptied again at --size), dsync (overwrites with "
                    "O_DSYNC: the disk's cache is flushed at completion unless it has FUA)")
        ->type_name("PATTERN")
        ->group(load);
    sub->add_option("--layout", raw->layout,
                    "The older name of two patterns: write is --pattern overwrite, fallocate is "
                    "--pattern unwritten")
        ->type_name("HOW")
        ->excludes("--pattern")
        ->group(load);
    sub->add_option("--rwmixread", raw->rwmixread, "Percentage of reads (default 0)")
        ->type_name("PCT")
        ->check(CLI::Range(0, 100).description(""))
        ->group(load);
    sub->add_option("--ioengine", raw->ioengine,
                    "libaio: Linux native AIO, as fio's libaio engine (default); io_uring: "
                    "io_uring as fio's, without registered files or buffers. Same batching, "
                    "offsets and measurement; with --engine fio, fio's --ioengine")
        ->type_name("NAME")
        ->group(load);
    sub->add_option("--uring-setup", raw->uring_setup,
                    "With --ioengine io_uring: fio, the ring set up as fio 3.33 sets it up "
                    "(COOP_TASKRUN, SINGLE_ISSUER, DEFER_TASKRUN where the kernel has them: a "
                    "completion reaches the submitter when it next waits; default); plain, no "
                    "setup flags, liburing's default (each completion interrupts the submitter)")
        ->type_name("HOW")
        ->group(load);
    sub->add_option("--engine", raw->engine,
                    "builtin, or fio: fio runs the same load, in the same places (default "
                    "builtin)")
        ->type_name("NAME")
        ->group(load);
    auto* cpu = sub->add_option("--cpu", raw->cpu,
                                "The CPU the load is pinned to (default: the last one it may use); "
                                "with --jobs, job 0's")
                    ->type_name("N")
                    ->group(load);
    sub->add_option("--jobs", raw->jobs,
                    "Submitters running at once (default 1), each pinned to a CPU of its own (job "
                    "0 on --cpu, the others on the highest free ones) and writing a file of its "
                    "own of --size, all in the same place; at most one per CPU this process may "
                    "use. The table and JSON give the total IOPS and each job's")
        ->type_name("N")
        ->group(load);

    const char* placement = "Placement";
    sub->add_option("--config", raw->configurations,
                    fmt::format("Configuration(s) to run: {}, or all (default outside_off; "
                                "with --matrix {})",
                                bench::configuration_names(), bench::default_matrix))
        ->type_name("LIST")
        ->group(placement);
    auto* weight_option =
        sub->add_option("--weight", raw->weight,
                        "cpu.weight of the load's cgroup, or auto: 100 x online CPUs (default "
                        "1000); --hierarchy flat only")
            ->type_name("N|auto")
            ->group(placement);
    sub->add_option("--hierarchy", raw->hierarchy,
                    "The load's cgroup: flat, one group with --weight (default); k8s, nested as "
                    "kubelet (cgroupfs driver) nests a container, kubepods/burstable/pod<uid>/"
                    "<container>, each level with the cpu.weight it gets for a Burstable pod "
                    "requesting all online CPUs, converted from cpu.shares as runc 1.3.2+, crun "
                    "1.23+ and kubelet 1.35+ do; k8s-linear, the same with the older linear "
                    "conversion (kubelet up to 1.34, older runc and crun)")
        ->type_name("HOW")
        ->group(placement);
    sub->add_option("--node-cpus", raw->node_cpus,
                    "With --hierarchy k8s or k8s-linear: the weights of a node with N CPUs and a "
                    "pod requesting all of them, instead of this machine's online CPUs (a "
                    "64-CPU node's kubepods has cpu.weight 3023, a 2-CPU one's 174)")
        ->type_name("N")
        ->group(placement);
    sub->add_option("--cgroup-parent", raw->cgroup_parent,
                    "Create the load's cgroup below this one (default: the root)")
        ->type_name("PATH")
        ->group(placement);
    const char* isolation_group = "Isolation (issue #16)";
    sub->add_flag("--isolation", raw->isolation,
                  fmt::format("The isolation bench: the load in pod A (--weight) and a CPU-bound "
                              "neighbour in pod B pinned to the load's CPU, per diowq mode, with "
                              "and without --cpu-max on pod A. Configurations: {} (default with "
                              "--matrix: all). Flat, one job",
                              bench::configuration_names(true)))
        ->group(isolation_group);
    auto* cpu_max =
        sub->add_option("--cpu-max", raw->cpu_max,
                        "Pod A's cpu.max in the capped_ configurations: QUOTA PERIOD in "
                        "microseconds (default \"50000 100000\"), QUOTA/PERIOD, or N% of one CPU")
            ->type_name("QUOTA PERIOD")
            ->group(isolation_group);
    auto* neighbour_weight = sub->add_option("--neighbour-weight", raw->neighbour_weight,
                                             "cpu.weight of pod B (default: pod A's, --weight)")
                                 ->type_name("N")
                                 ->check(CLI::Range(1, 10000).description(""))
                                 ->group(isolation_group);
    auto* leaf_weight =
        sub->add_option("--leaf-weight", raw->leaf_weight,
                        fmt::format("cpu.weight of mode cgroup's leaf below pod A (default: the "
                                    "module's, {})",
                                    DIOWQ_CG_WEIGHT))
            ->type_name("N")
            ->check(CLI::Range(1, 10000).description(""))
            ->group(isolation_group);
    sub->add_flag("--matrix", raw->matrix,
                  "Run every configuration --repeat times, interleaved, and compare them")
        ->group(placement);
    auto* repeat =
        sub->add_option("--repeat", raw->repeat,
                        fmt::format("Runs per configuration (default 1; with --matrix {})",
                                    bench::default_matrix_repeat))
            ->type_name("N")
            ->check(CLI::Range(1, 1000).description(""))
            ->group(placement);

    auto* warmup =
        sub->add_option("--warmup", raw->warmup,
                        fmt::format("Unrecorded run, outside and untuned, before the first "
                                    "(default 0; with --matrix {} s)",
                                    bench::default_matrix_warmup.count() / 1000))
            ->type_name("TIME")
            ->group(placement);

    const char* output = "Output";
    auto* json =
        sub->add_option("--json", raw->json_file, "Write every sample and the summary here")
            ->type_name("FILE")
            ->group(output);
    auto* plot = sub->add_option("--plot", raw->plot_file,
                                 "Write an SVG chart of IOPS here, and one of the dispatch latency "
                                 "next to it (FILE-latency.svg)")
                     ->type_name("FILE")
                     ->group(output);
    sub->add_flag("--no-latency", raw->no_latency,
                  "Do not record dispatch latency (by default diowqctl's BPF program measures it "
                  "while the bench runs)")
        ->group(output);
    sub->add_option("--progress", raw->progress,
                    "auto, bar, lines or none (default auto: a bar on a terminal)")
        ->type_name("HOW")
        ->group(output);

    sub->footer(R"(The load is fio's
  fio --ioengine=libaio --direct=1 --rw=randwrite --bs=4k --iodepth=128 \
      --iodepth_batch_submit=128 --iodepth_batch_complete_max=128 --time_based
on one file, pinned to one CPU (--ioengine io_uring: fio's --ioengine=io_uring, with the same
batching, offsets and measurement). Configurations:
  outside_off        where diowqctl runs, the kernel's completion queue: the baseline
  inside_off         in a new cgroup with --weight: the starvation
  inside_on          in the cgroup, the filesystem tuned highpri
  inside_on_unbound  in the cgroup, tuned unbound
  outside_on         no contention, tuned highpri: what diowq costs
  inside_renice      in the cgroup, every kworker of the CPU reniced to -20 once, before the
                     load starts (as by hand; workers created later stay at 0)
The cgroup is created directly below --cgroup-parent (the cpu controller is enabled on the way if
needed) and removed afterwards, also after an error or Ctrl-C; tuning and nice values are put
back. Needs root and, for the _on configurations, the diowq module.

--jobs N runs N submitters as threads of diowqctl, so all of them are wherever the configuration
puts the load: job 0 on --cpu, the others each on a CPU of its own, each on its own file
(diowq-bench.<pid>-<job>, --size each). IOPS is the total, IOPS PER JOB each job's median; the
context switches are counted on all their CPUs.

--hierarchy k8s puts the inside configurations' load where a Kubernetes container runs, below
--cgroup-parent: diowq-bench-<pid>-kubepods/burstable/pod<uid>/<container id> (kubelet's
cgroupfs names, its own top so that a node's kubepods is not touched), every level with
cpu.weight from cpu.shares = online CPUs x 1024 (a Burstable pod requesting all CPUs, no
reservations; --node-cpus N: a node of N CPUs); the outside configurations run where diowqctl
runs, as always.

The table shows medians over the runs; VS BASE is the ratio to outside_off's median, CTX/IO the
context switches on the load's CPU per I/O, CLAT the completion latency (submit to reap), DISP
the dispatch latency of the dio write completions (queued to running, all CPUs; measured by
diowqctl's BPF program, which needs BTF), IRQ the share of the disk's interrupts that CPU took.

--isolation (issue #16) replaces the configurations by the isolation bench's: below
--cgroup-parent, pod A (cpu.weight --weight) runs the load and pod B (--neighbour-weight, default
the same) a process spinning on the load's CPU; the filesystem is untuned (pods_off), tuned
highpri, unbound, or cgroup with its leaf below pod A (pods_cgroup: the completions are charged
to pod A); the capped_ configurations add pod A's cpu.max (--cpu-max, default 50 % of a CPU).
Each run reads both pods' cpu.stat and every kworker's run time (/proc/PID/schedstat) over the
measured window: B's share of the CPU against its fair share (its weight's part, or what pod A's
cap leaves), and the CPU the load cost in total, pod A's own plus the kworkers' (where the
completions run in every mode but cgroup). Its table and targets follow the usual one.

Examples:
  diowqctl bench /mnt/xfs --runtime 10s                 one run, outside the cgroup
  diowqctl bench /mnt/xfs --matrix                      outside_off, inside_off, inside_on x 5
  diowqctl bench /mnt/xfs --matrix --config all --repeat 5 --json out.json --plot out.svg
  diowqctl bench /mnt/xfs --matrix --pattern unwritten  writes into preallocated space
  diowqctl bench /mnt/xfs --config inside_off --weight auto
  diowqctl bench /mnt/xfs --matrix --engine fio         the same matrix with fio as the load
  diowqctl bench /mnt/xfs --matrix --ioengine io_uring  the matrix, submitting with io_uring
  diowqctl bench /mnt/xfs --matrix --jobs 2             two submitters on two CPUs
  diowqctl bench /mnt/xfs --matrix --hierarchy k8s      the load in a Kubernetes pod's cgroups
  diowqctl bench /mnt/xfs --matrix --hierarchy k8s --node-cpus 64
                                                        ... with a 64-CPU node's weights
  diowqctl bench /mnt/xfs --matrix --isolation --cpu-max 50%   pods A and B, each diowq mode)");

    sub->callback([&selected, raw, cpu, weight_option, repeat, warmup, json, plot, cpu_max,
                   neighbour_weight, leaf_weight] {
        bench::BenchOptions options;
        options.directory = raw->directory;
        auto& engine = options.engine;
        const std::uint64_t bs = checked("--bs", raw->bs, bench::parse_size);
        if (bs < 512 || bs % 512 != 0 || bs > (std::uint64_t{64} << 20)) {
            throw CLI::ValidationError("--bs", "must be a multiple of 512 up to 64m");
        }
        engine.block_size = std::uint32_t(bs);
        engine.iodepth = raw->iodepth;
        engine.batch_submit = raw->batch_submit == 0 ? raw->iodepth : raw->batch_submit;
        if (engine.batch_submit > engine.iodepth) {
            throw CLI::ValidationError("--batch-submit", "must be 1 to --iodepth");
        }
        engine.batch_complete_max =
            raw->batch_complete_max == 0 ? raw->iodepth : raw->batch_complete_max;
        engine.batch_complete_min = raw->batch_complete_min;
        if (engine.batch_complete_max > engine.iodepth) {
            throw CLI::ValidationError("--batch-complete-max", "must be 1 to --iodepth");
        }
        if (engine.batch_complete_min > engine.batch_complete_max) {
            throw CLI::ValidationError("--batch-complete-min", "must be 0 to --batch-complete-max");
        }
        engine.runtime = checked("--runtime", raw->runtime, bench::parse_duration);
        if (engine.runtime.count() == 0) {
            throw CLI::ValidationError("--runtime", "must be longer than 0");
        }
        engine.ramp = checked("--ramp", raw->ramp, bench::parse_duration);
        engine.read_percent = raw->rwmixread;
        const auto ioengine = bench::parse_io_engine(raw->ioengine);
        if (!ioengine) {
            throw CLI::ValidationError(
                "--ioengine", fmt::format("'{}' is not libaio or io_uring", raw->ioengine));
        }
        engine.ioengine = *ioengine;
        if (!raw->uring_setup.empty()) {
            const auto setup = bench::parse_uring_setup(raw->uring_setup);
            if (!setup) {
                throw CLI::ValidationError(
                    "--uring-setup", fmt::format("'{}' is not fio or plain", raw->uring_setup));
            }
            if (engine.ioengine != bench::IoEngine::io_uring) {
                throw CLI::ValidationError("--uring-setup", "sets up io_uring rings: it needs "
                                                            "--ioengine io_uring");
            }
            engine.uring_setup = *setup;
        }
        // The kernel's IORING_MAX_ENTRIES: a larger ring is refused.
        if (engine.ioengine == bench::IoEngine::io_uring && engine.iodepth > 32768) {
            throw CLI::ValidationError("--iodepth", "must be at most 32768 with io_uring");
        }
        options.file_size = checked("--size", raw->size, bench::parse_size);
        if (options.file_size < bs || options.file_size % bs != 0 ||
            options.file_size % 4096 != 0) {
            throw CLI::ValidationError("--size", "must be a multiple of the block size and of 4k");
        }
        if (!raw->layout.empty()) {
            const auto layout = bench::parse_layout(raw->layout);
            if (!layout) {
                throw CLI::ValidationError(
                    "--layout", fmt::format("'{}' is not write or fallocate", raw->layout));
            }
            options.pattern = *layout;
        } else {
            const auto pattern = bench::parse_pattern(raw->pattern);
            if (!pattern) {
                throw CLI::ValidationError(
                    "--pattern",
                    fmt::format("'{}' is not overwrite, unwritten, append or dsync", raw->pattern));
            }
            options.pattern = *pattern;
        }
        if (options.pattern == bench::Pattern::append) {
            if (engine.read_percent > 0) {
                throw CLI::ValidationError("--rwmixread", "append writes only: must be 0");
            }
            engine.offsets = bench::Offsets::append;
        }
        engine.dsync = options.pattern == bench::Pattern::dsync;
        if (cpu->count() > 0) {
            options.cpu = raw->cpu;
        }
        {
            unsigned jobs = 0;
            const auto* end = raw->jobs.data() + raw->jobs.size();
            const auto [ptr, err] = std::from_chars(raw->jobs.data(), end, jobs);
            if (err != std::errc() || ptr != end || jobs < 1 || jobs > bench::max_jobs) {
                throw CLI::ValidationError(
                    "--jobs", fmt::format("'{}' is not a number of jobs 1..{} (one per CPU)",
                                          raw->jobs, bench::max_jobs));
            }
            options.jobs = jobs;
        }
        const auto hierarchy = bench::parse_hierarchy(raw->hierarchy);
        if (!hierarchy) {
            throw CLI::ValidationError(
                "--hierarchy", fmt::format("'{}' is not flat, k8s or k8s-linear", raw->hierarchy));
        }
        options.hierarchy = *hierarchy;
        if (options.hierarchy != bench::Hierarchy::flat && weight_option->count() > 0) {
            throw CLI::ValidationError(
                "--weight", fmt::format("sets the flat group's weight; with --hierarchy {} every "
                                        "level has kubelet's weight (see --help)",
                                        raw->hierarchy));
        }
        if (!raw->node_cpus.empty()) {
            if (options.hierarchy == bench::Hierarchy::flat) {
                throw CLI::ValidationError(
                    "--node-cpus", "sets the Kubernetes levels' weights: it needs --hierarchy k8s "
                                   "or k8s-linear");
            }
            unsigned node_cpus = 0;
            const auto* end = raw->node_cpus.data() + raw->node_cpus.size();
            const auto [ptr, err] = std::from_chars(raw->node_cpus.data(), end, node_cpus);
            if (err != std::errc() || ptr != end || node_cpus < 1 ||
                node_cpus > bench::max_node_cpus) {
                throw CLI::ValidationError("--node-cpus",
                                           fmt::format("'{}' is not a number of CPUs 1..{}",
                                                       raw->node_cpus, bench::max_node_cpus));
            }
            options.node_cpus = node_cpus;
        }
        if (raw->weight != "auto") {
            unsigned weight = 0;
            const auto* end = raw->weight.data() + raw->weight.size();
            const auto [ptr, err] = std::from_chars(raw->weight.data(), end, weight);
            if (err != std::errc() || ptr != end || weight < 1 || weight > 10000) {
                throw CLI::ValidationError(
                    "--weight", fmt::format("'{}' is not auto or a weight 1..10000", raw->weight));
            }
            options.weight = weight;
        }
        try {
            options.cgroup_parent = bench::normalize_cgroup_path(raw->cgroup_parent);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("--cgroup-parent", e.what());
        }
        if (raw->isolation) {
            bench::IsolationOptions isolation;
            isolation.cpu_max = checked("--cpu-max", raw->cpu_max, bench::parse_cpu_max);
            isolation.neighbour_weight = raw->neighbour_weight;
            if (leaf_weight->count() > 0) {
                isolation.leaf_weight = raw->leaf_weight;
            }
            if (options.hierarchy != bench::Hierarchy::flat) {
                throw CLI::ValidationError("--isolation", "the pods are flat: leave --hierarchy "
                                                          "at flat");
            }
            if (options.jobs != 1) {
                throw CLI::ValidationError(
                    "--isolation", "the neighbour shares the one load's CPU: leave --jobs at 1");
            }
            options.isolation = isolation;
        } else if (cpu_max->count() > 0 || neighbour_weight->count() > 0 ||
                   leaf_weight->count() > 0) {
            throw CLI::ValidationError(cpu_max->count() > 0            ? "--cpu-max"
                                       : neighbour_weight->count() > 0 ? "--neighbour-weight"
                                                                       : "--leaf-weight",
                                       "belongs to the isolation bench: add --isolation");
        }
        options.matrix = raw->matrix;
        const std::string list = !raw->configurations.empty() ? raw->configurations
                                 : raw->isolation
                                     ? (raw->matrix ? bench::default_isolation_matrix : "pods_off")
                                 : raw->matrix ? bench::default_matrix
                                               : std::string(bench::baseline_name);
        try {
            options.configurations = bench::parse_configurations(list, raw->isolation);
        } catch (const std::invalid_argument& e) {
            throw CLI::ValidationError("--config", e.what());
        }
        if (!options.matrix && options.configurations.size() != 1) {
            throw CLI::ValidationError("--config",
                                       "name one configuration, or run them all with --matrix");
        }
        options.repeat = repeat->count() > 0 ? raw->repeat
                         : options.matrix    ? bench::default_matrix_repeat
                                             : 1;
        options.warmup = warmup->count() > 0
                             ? checked("--warmup", raw->warmup, bench::parse_duration)
                         : options.matrix ? bench::default_matrix_warmup
                                          : std::chrono::milliseconds(0);
        if (json->count() > 0) {
            options.json_file = raw->json_file;
        }
        if (plot->count() > 0) {
            options.plot_file = raw->plot_file;
        }
        options.latency = !raw->no_latency;
        options.progress = parse_progress(raw->progress);
        if (raw->engine == "builtin") {
            options.engine_kind = bench::EngineKind::builtin;
        } else if (raw->engine == "fio") {
            options.engine_kind = bench::EngineKind::fio;
        } else {
            throw CLI::ValidationError("--engine",
                                       fmt::format("'{}' is not builtin or fio", raw->engine));
        }
        if (options.engine_kind == bench::EngineKind::fio && options.jobs > 1) {
            throw CLI::ValidationError("--jobs",
                                       "the fio cross-check runs one job; use --engine builtin");
        }
        if (options.engine_kind == bench::EngineKind::fio &&
            options.engine.uring_setup == bench::UringSetup::plain) {
            throw CLI::ValidationError("--uring-setup", "fio sets its rings up its own way (as "
                                                        "--uring-setup fio); use --engine builtin");
        }
        selected = options;
    });
}

} // namespace diowq::cli
