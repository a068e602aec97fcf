// SPDX-License-Identifier: GPL-2.0
// What a bench reports, from runs made up by hand: medians and ratios, the targets, the verdict,
// the JSON document's schema (the keys scripts and docs rely on) and the SVG chart's content.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/plot.hpp"
#include "bench/report_json.hpp"
#include "bench/report_table.hpp"
#include "bench/summary.hpp"
#include "bench/targets.hpp"
#include "bench/verdict.hpp"
#include "bench_support.hpp"
#include "json_reader.hpp"

namespace diowq::bench {
namespace {

RunRecord run(const std::string& configuration, unsigned round, double iops,
              std::uint64_t switches) {
    RunRecord r;
    r.configuration = configuration;
    r.round = round;
    r.engine.seconds = 10;
    r.engine.writes = static_cast<std::uint64_t>(iops * 10);
    r.engine.iops_samples = {iops * 0.9, iops, iops * 1.1};
    r.engine.latency.add(100'000);
    r.engine.cpu_system_seconds = 1;
    r.cpu_switches = switches;
    r.interrupts = {0, 1000};
    return r;
}

class BenchReportTest : public test::MadeUpBench {
protected:
    void SetUp() override {
        setup_ = test::vm_setup("6.1.0-56-amd64", "/mnt/xfs");
        setup_.switches_source = "sched_debug";
        setup_.options.configurations = all_configurations();
        setup_.options.repeat = 3;
        // outside 20k, 22k, 21k (median 21k) with 0.5 switches per I/O
        const std::vector<std::pair<const char*, std::vector<double>>> iops = {
            {"outside_off", {20000, 22000, 21000}},
            {"inside_off", {8000, 9000, 8400}},
            {"inside_on", {21000, 23100, 19950}},
            {"inside_on_unbound", {23100, 24000, 22050}},
            {"outside_on", {21000, 21200, 20800}},
            {"inside_renice", {17000, 16800, 18000}},
            {"outside_unwatched", {20500, 21500, 21200}},
        };
        unsigned sequence = 0;
        for (unsigned round = 0; round < 3; ++round) {
            for (const auto& [name, values] : iops) {
                const double v = values[round];
                const double per_io = std::string(name) == "inside_off" ? 2.0 : 0.5;
                auto r = run(name, round, v, static_cast<std::uint64_t>(v * 10 * per_io));
                r.sequence = sequence++;
                records_.push_back(std::move(r));
            }
        }
        summaries_ = summarize(setup_.options.configurations, records_, setup_.cpu);
    }
};

TEST_F(BenchReportTest, MediansAndRatios) {
    const auto& base = summary("outside_off");
    EXPECT_EQ(base.repeats, 3u);
    EXPECT_EQ(base.iops.median, 21000);
    EXPECT_EQ(base.ratio, 1.0);
    EXPECT_EQ(base.switches_per_io_median, 0.5);
    EXPECT_EQ(base.interrupt_share_median, 1.0);
    EXPECT_DOUBLE_EQ(base.cpu_us_per_io_median, 1e6 / 210000);
    const auto& inside = summary("inside_off");
    EXPECT_DOUBLE_EQ(*inside.ratio, 8400.0 / 21000);
    EXPECT_DOUBLE_EQ(*inside.switches_ratio, 4.0);
    EXPECT_DOUBLE_EQ(*summary("inside_on").ratio, 21000.0 / 21000);
    EXPECT_DOUBLE_EQ(*summary("inside_on").worst_ratio, 19950.0 / 21000);
}

TEST_F(BenchReportTest, TargetsAndVerdict) {
    const auto targets = evaluate_targets(summaries_);
    std::map<std::string, bool> met;
    for (const auto& t : targets) {
        met[t.name] = t.met;
    }
    EXPECT_EQ(met, (std::map<std::string, bool>{
                       {"highpri_vs_outside", true},          // 1.00
                       {"unbound_vs_outside", true},          // 23100 / 21000 = 1.10
                       {"inside_on_every_run", true},         // 19950 / 21000 = 0.95
                       {"inside_on_ctx_per_io", true},        // 1.0
                       {"inside_on_unbound_every_run", true}, // 1.05
                       {"inside_on_unbound_ctx_per_io", true},
                       {"no_contention_cost", true},     // 21000 / 21000
                       {"program_cost", true},           // 21200 / 21000 = 1.01
                       {"inside_on_beats_renice", true}, // 21000 > 17000
                       {"inside_on_unbound_beats_renice", true},
                   }));
    EXPECT_EQ(verdict(summaries_),
              "starvation: inside/off is 0.40x of outside; with diowq 1.00x (highpri), 1.10x "
              "(unbound); reniced kworkers 0.81x; uncontended with diowq 1.00x");
}

TEST_F(BenchReportTest, MissedTargetsAreMisses) {
    for (auto& r : records_) {
        if (r.configuration == "inside_on") {
            r.engine.writes = r.engine.writes * 9 / 10;
        }
    }
    std::map<std::string, Target> targets;
    for (auto& t : evaluate_targets(summarize(setup_.options.configurations, records_, 1))) {
        targets[t.name] = t;
    }
    ASSERT_EQ(targets.count("highpri_vs_outside"), 1u);
    ASSERT_EQ(targets.count("inside_on_every_run"), 1u);
    // inside_on's runs wrote 189000, 207900 and 179550 times in 10 s: a median of 18900 IOPS
    // against outside_off's 21000 is 0.90x, the worst run 17955 / 21000 = 0.855x.
    EXPECT_FALSE(targets["highpri_vs_outside"].met);
    EXPECT_DOUBLE_EQ(targets["highpri_vs_outside"].value, 0.9);
    EXPECT_FALSE(targets["inside_on_every_run"].met);
    EXPECT_DOUBLE_EQ(targets["inside_on_every_run"].value, 0.855);
    // The other targets still hold.
    EXPECT_TRUE(targets.at("unbound_vs_outside").met);
    EXPECT_TRUE(targets.at("inside_on_unbound_every_run").met);
}

TEST_F(BenchReportTest, NoBaselineNoRatios) {
    std::vector<Configuration> only{*find_configuration("inside_off")};
    const auto s = summarize(only, records_, 1);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].ratio, std::nullopt);
    EXPECT_TRUE(evaluate_targets(s).empty());
    EXPECT_EQ(verdict(s), "");
}

TEST_F(BenchReportTest, NoStarvationIsSaid) {
    std::vector<RunRecord> calm{run("outside_off", 0, 20000, 1), run("inside_off", 0, 19800, 1)};
    const auto s =
        summarize({*find_configuration("outside_off"), *find_configuration("inside_off")}, calm, 1);
    EXPECT_EQ(verdict(s), "no starvation here: inside/off is 0.99x of outside");
}

// 7.x completes pure overwrites inline: with (almost) nothing queued, the verdict says the
// kernel is not affected, whatever the ratios, and never that diowq cured anything.
TEST_F(BenchReportTest, InlineCompletionsAreNotAffected) {
    std::vector<RunRecord> inline_runs{run("outside_off", 0, 20000, 1),
                                       run("inside_off", 0, 20200, 1),
                                       run("inside_on", 0, 20100, 1)};
    for (auto& r : inline_runs) {
        r.check = CompletionCheck{};
        r.check->engine_writes = 200'000;
        r.check->module_completions = 4000;
        r.check->queued_share = 0.02;
    }
    const auto s = summarize({*find_configuration("outside_off"), *find_configuration("inside_off"),
                              *find_configuration("inside_on")},
                             inline_runs, 1);
    EXPECT_EQ(s[1].queued_share_median, 0.02);
    EXPECT_EQ(verdict(s).rfind("not affected on this kernel for this pattern: 2% of the writes' "
                               "completions went through a queue, the rest without one; inside/off "
                               "is 1.01x of outside",
                               0),
              0u)
        << verdict(s);

    // The same ratios with every completion queued: a queue that did not starve.
    for (auto& r : inline_runs) {
        r.check->queued_share = 1.0;
    }
    const auto queued = summarize(
        {*find_configuration("outside_off"), *find_configuration("inside_off")}, inline_runs, 1);
    EXPECT_EQ(verdict(queued).rfind("no starvation here", 0), 0u) << verdict(queued);
}

// Where the kernel completed the writes inline, the targets are no starvation and no harm from
// being tuned (within 3 %), not a cure: nothing was there to cure.
TEST_F(BenchReportTest, InlineCompletionsAreJudgedForHarmNotForACure) {
    std::vector<RunRecord> inline_runs{
        run("outside_off", 0, 20000, 1), run("inside_off", 0, 19800, 1),
        run("inside_on", 0, 20300, 1), run("inside_on_unbound", 0, 19000, 1)};
    for (auto& r : inline_runs) {
        r.check = CompletionCheck{};
        r.check->engine_writes = 200'000;
        r.check->module_completions = 1000;
        r.check->queued_share = 0.005;
    }
    const auto s =
        summarize({*find_configuration("outside_off"), *find_configuration("inside_off"),
                   *find_configuration("inside_on"), *find_configuration("inside_on_unbound")},
                  inline_runs, 1);
    ASSERT_TRUE(completions_mostly_inline(s));
    std::map<std::string, bool> met;
    for (const auto& t : evaluate_targets(s)) {
        met[t.name] = t.met;
    }
    EXPECT_EQ(met, (std::map<std::string, bool>{
                       {"inline_no_starvation", true},    // 0.99
                       {"inline_highpri_no_harm", true},  // 1.015
                       {"inline_unbound_no_harm", false}, // 0.95
                   }));

    // Queued, the same runs are judged for the cure.
    for (auto& r : inline_runs) {
        r.check->queued_share = 1.0;
    }
    const auto queued =
        summarize({*find_configuration("outside_off"), *find_configuration("inside_off"),
                   *find_configuration("inside_on"), *find_configuration("inside_on_unbound")},
                  inline_runs, 1);
    EXPECT_FALSE(completions_mostly_inline(queued));
    for (const auto& t : evaluate_targets(queued)) {
        EXPECT_EQ(t.name.rfind("inline_", 0), std::string::npos) << t.name;
    }
}

TEST_F(BenchReportTest, JsonSchema) {
    const auto targets = evaluate_targets(summaries_);
    const std::string json = report_json(setup_, records_, summaries_, targets, false).dump();
    EXPECT_EQ(json.rfind(R"({"tool_version":"0.1.0","kernel":"6.1.0-56-amd64","setup":{)", 0), 0u)
        << json.substr(0, 200);
    for (
        const char* key :
        {R"("runs":[{"configuration":"outside_off","round":0,"sequence":0,)",
         R"("iops":20000,"iops_min":18000,"iops_max":22000,"iops_mean":20000,)",
         R"("iops_samples":[18000,20000,22000],)", R"("ctx_per_io":0.5,)",
         R"("interrupts_per_cpu":[0,1000],"interrupt_share":1,)",
         R"("clat_ns":{"min":100000,"mean":100000,"p50":100000,)",
         R"("summary":{"outside_off":{"repeats":3,"iops_median":21000,"iops_min":20000,"iops_max":22000,)",
         R"("inside_off":{"repeats":3,"iops_median":8400,"iops_min":8000,"iops_max":9000,)",
         R"("ctx_per_io_median":2,"ctx_ratio":4,)", R"("inside_on":{)", R"("inside_on_unbound":{)",
         R"("outside_on":{)", R"("inside_renice":{)",
         R"("targets":[{"name":"highpri_vs_outside","claim":"inside_on >= 1.00x outside_off","value":1,"met":true},)",
         R"("verdict":"starvation: inside/off is 0.40x of outside;)",
         R"("engine":{"name":"builtin","ioengine":"libaio","uring_setup":null,"bs":4096,"iodepth":128,"batch_submit":128,"batch_complete_min":1,"batch_complete_max":128,"runtime_ms":20000,"ramp_ms":5000,"rwmixread":0,"size":1073741824,"pattern":"overwrite","layout":"write"},)",
         R"("repeat":3,"warmup_ms":0,"ctx_source":"sched_debug","ctx_unavailable":null,)",
         R"("interrupted":false})"}) {
        EXPECT_NE(json.find(key), std::string::npos) << "missing " << key;
    }
    // The document parses, and each run, each configuration's summary and each target has the
    // keys scripts read, in this order.
    const test::JsonNode doc = test::read_json(json);
    EXPECT_EQ(doc.keys(), "tool_version kernel setup runs summary targets verdict interrupted");
    const auto& runs = doc.at("runs").items;
    ASSERT_EQ(runs.size(), 21u);
    for (const auto& r : runs) {
        EXPECT_EQ(r.keys(),
                  "configuration round sequence seconds ios reads writes file_restarts iops "
                  "iops_min "
                  "iops_max iops_mean iops_stdev iops_samples clat_ns cpu_switches "
                  "ctx_per_io cpu_us_per_io cpu_user_s cpu_system_s "
                  "engine_voluntary_switches engine_involuntary_switches "
                  "interrupts_per_cpu interrupt_share reniced not_reniced_at_end diowq "
                  "dispatch completions_check jobs isolation")
            << "run " << r.at("sequence").text;
    }
    const auto& summary = doc.at("summary");
    EXPECT_EQ(summary.keys(),
              "outside_off inside_off inside_on inside_on_unbound outside_on inside_renice "
              "outside_unwatched");
    for (const auto& [name, s] : summary.members) {
        EXPECT_EQ(s.keys(), "repeats iops_median iops_min iops_max iops_stdev ratio worst_ratio "
                            "ctx_per_io_median ctx_ratio cpu_us_per_io_median clat_p50_ns_median "
                            "clat_p99_ns_median interrupt_share_median dispatch_runs "
                            "completions_median dispatch_p50_ns_median dispatch_p99_ns_median "
                            "dispatch_max_ns_median dispatch_max_ns "
                            "dispatch_load_cpu_share_median probe_ns_per_completion "
                            "dispatch_hist completions_check_failures queued_share_median "
                            "jobs_iops_median isolation")
            << name;
    }
    const auto& target_list = doc.at("targets").items;
    ASSERT_EQ(target_list.size(), 10u);
    for (const auto& t : target_list) {
        EXPECT_EQ(t.keys(), "name claim value met");
    }
}

TEST_F(BenchReportTest, UnknownCountsAreNull) {
    records_.resize(1);
    records_[0].cpu_switches.reset();
    records_[0].interrupts.clear();
    setup_.switches_source.reset();
    setup_.switches_unavailable = "perf_event_open: Permission denied";
    const auto s = summarize({*find_configuration("outside_off")}, records_, 1);
    const std::string json = report_json(setup_, records_, s, {}, true).dump();
    EXPECT_NE(json.find(R"("cpu_switches":null,"ctx_per_io":null,)"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("interrupts_per_cpu":null,"interrupt_share":null,)"), std::string::npos);
    EXPECT_NE(json.find(R"("ctx_per_io_median":null,"ctx_ratio":null,)"), std::string::npos);
    EXPECT_NE(json.find(R"("ctx_source":null,"ctx_unavailable":"perf_event_open: Permission )"),
              std::string::npos);
    EXPECT_NE(json.find(R"("verdict":null,"interrupted":true})"), std::string::npos);
}

TEST_F(BenchReportTest, SetupNamesTheIoEngineThatRan) {
    setup_.options.engine.ioengine = IoEngine::io_uring;
    const std::string json = report_json(setup_, records_, summaries_, {}, false).dump();
    EXPECT_NE(json.find(R"("engine":{"name":"builtin","ioengine":"io_uring","uring_setup":"fio",)"),
              std::string::npos)
        << json.substr(0, 600);
    const std::string text = report_text(setup_, records_, summaries_, {});
    EXPECT_NE(text.find("randwrite 4 KiB, io_uring, iodepth 128,"), std::string::npos) << text;

    setup_.options.engine.uring_setup = UringSetup::plain;
    EXPECT_NE(report_json(setup_, records_, summaries_, {}, false)
                  .dump()
                  .find(R"("ioengine":"io_uring","uring_setup":"plain",)"),
              std::string::npos);
    EXPECT_NE(report_text(setup_, records_, summaries_, {})
                  .find("randwrite 4 KiB, io_uring (plain setup), iodepth 128,"),
              std::string::npos);
    EXPECT_NE(iops_svg(setup_, records_, summaries_).find("O_DIRECT io_uring (plain setup), "),
              std::string::npos);
}

TEST_F(BenchReportTest, TextTable) {
    const std::string text =
        report_text(setup_, records_, summaries_, evaluate_targets(summaries_));
    EXPECT_NE(text.find("diowqctl bench on 6.1.0-56-amd64: xfs /mnt/xfs on /dev/nvme0n1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("CONFIGURATION"), std::string::npos);
    EXPECT_NE(text.find("\ninside_off         8.40k  8.00k  9.00k    0.40x   2.000    4.00x"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nstarvation: inside/off is 0.40x of outside"), std::string::npos);
    EXPECT_NE(text.find("  ok   inside_on >= 1.00x outside_off (is 1.000)"), std::string::npos)
        << text;
}

TEST_F(BenchReportTest, SvgChart) {
    const std::string svg = iops_svg(setup_, records_, summaries_);
    EXPECT_TRUE(test::is_svg_document(svg));
    const auto count = [&](const std::string& needle) { return test::occurrences(svg, needle); };
    EXPECT_EQ(count("<rect class=\"bar\""), 7u);
    EXPECT_EQ(count("<circle class=\"run\""), 21u);
    EXPECT_EQ(count("<path class=\"whisker\""), 7u);
    EXPECT_EQ(count("<line class=\"baseline\""), 1u);
    EXPECT_NE(svg.find("data-configuration=\"inside_on_unbound\""), std::string::npos);
    EXPECT_NE(svg.find(">8.40k (0.40x)</text>"), std::string::npos);
    EXPECT_NE(svg.find(">21.0k (1.00x)</text>"), std::string::npos);
    EXPECT_NE(svg.find("IOPS per configuration: 6.1.0-56-amd64"), std::string::npos);
    EXPECT_NE(svg.find(">inside_renice</text>"), std::string::npos);
    // The axis starts at 0 and covers the highest run (24k) with a 1-2-5 step.
    EXPECT_NE(svg.find(">0</text>"), std::string::npos);
    EXPECT_NE(svg.find(">25k</text>"), std::string::npos);
    EXPECT_NE(svg.find(">5k</text>"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_NE(svg.find(">overwrite writes, 1 job on CPU 1 of 2, one cgroup, cpu.weight 1000<"),
              std::string::npos)
        << svg;
}

// The charts say which load they show: pattern, jobs and their CPUs, the cgroup hierarchy.
TEST_F(BenchReportTest, SvgChartsNameTheLoad) {
    setup_.options.pattern = Pattern::unwritten;
    setup_.options.jobs = 2;
    setup_.cpus = {1, 0};
    setup_.options.hierarchy = Hierarchy::k8s;
    setup_.weight = 100;
    const std::string want = ">unwritten writes, 2 jobs on CPUs 1, 0 of 2, cgroups nested as "
                             "kubelet's (k8s, a 2-CPU node): the container's cpu.weight 100<";
    EXPECT_NE(iops_svg(setup_, records_, summaries_).find(want), std::string::npos);
    EXPECT_NE(dispatch_svg(setup_, summaries_).find(want), std::string::npos);
}

TEST(BenchPlot, NiceStepsAndEscapes) {
    EXPECT_EQ(nice_step(26880, 6), 5000);
    EXPECT_EQ(nice_step(100, 5), 20);
    EXPECT_EQ(nice_step(9, 6), 2);
    EXPECT_EQ(nice_step(0, 6), 1);
    EXPECT_EQ(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

} // namespace
} // namespace diowq::bench
