// SPDX-License-Identifier: GPL-2.0
// Golden output: the text people read and the JSON scripts parse. A change here is a change of
// the tool's interface: JSON keys are stable.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "model_values.hpp"
#include "output/render.hpp"

namespace diowq::render {
namespace {

const Config config{"0.1.0", {"xfs", "ext4"}, Mode::highpri, {"xfs"}, 1000u};

const TunedFilesystem data{SuperblockStatus{"vdb", "xfs", "/dev/vdb", 254u, 16u, Mode::highpri,
                                            "diowq-vdb", Origin::manual, std::uint64_t{1},
                                            std::uint64_t{192000}, std::nullopt, std::nullopt,
                                            std::nullopt},
                           {"/srv/data"}};

const TunedFilesystem logs{SuperblockStatus{"nvme0n1p2", "ext4", "/dev/nvme0n1p2", 259u, 2u,
                                            Mode::unbound, "diowq-nvme0n1p2", Origin::automatic,
                                            std::uint64_t{12}, std::uint64_t{90061000},
                                            std::nullopt, std::nullopt, std::nullopt},
                           {"/srv/logs", "/mnt/logs"}};

const TunedFilesystem pod{
    SuperblockStatus{"vdc", "xfs", "/dev/vdc", 254u, 32u, Mode::cgroup, "diowq-vdc", Origin::manual,
                     std::uint64_t{1}, std::uint64_t{5000},
                     std::string("/sys/fs/cgroup/pod/diowq-vdc"), 700u, std::uint64_t{4242}},
    {"/srv/pod"}};

TEST(Render, Durations) {
    EXPECT_EQ(duration(0), "0ms");
    EXPECT_EQ(duration(999), "999ms");
    EXPECT_EQ(duration(1000), "1s");
    EXPECT_EQ(duration(59999), "59s");
    EXPECT_EQ(duration(192000), "3m12s");
    EXPECT_EQ(duration(3600000), "1h00m");
    EXPECT_EQ(duration(7500000), "2h05m");
    EXPECT_EQ(duration(90061000), "1d01h");
}

TEST(Render, StatusText) {
    EXPECT_EQ(status_text(config, {data, logs}),
              "module version     0.1.0\n"
              "supported fstypes  xfs,ext4\n"
              "default mode       highpri\n"
              "auto fstypes       xfs\n"
              "auto rescan        1000ms\n"
              "\n"
              "ID         FSTYPE  SOURCE          DEV     MODE     WORKQUEUE        ORIGIN  SWAPS"
              "  TUNED FOR  MOUNTED ON\n"
              "vdb        xfs     /dev/vdb        254:16  highpri  diowq-vdb        manual      1"
              "      3m12s  /srv/data\n"
              "nvme0n1p2  ext4    /dev/nvme0n1p2  259:2   unbound  diowq-nvme0n1p2  auto       12"
              "      1d01h  /srv/logs /mnt/logs\n");
}

TEST(Render, StatusTextWithNothingTuned) {
    const Config empty{"0.1.0", {"xfs", "ext4"}, Mode::unbound, {}, 1000u};
    EXPECT_EQ(status_text(empty, {}), "module version     0.1.0\n"
                                      "supported fstypes  xfs,ext4\n"
                                      "default mode       unbound\n"
                                      "auto fstypes       none\n"
                                      "auto rescan        1000ms\n"
                                      "\n"
                                      "no filesystem is tuned\n");
}

TEST(Render, StatusJson) {
    EXPECT_EQ(status_json(config, {data}).dump(),
              R"({"config":{"module_version":"0.1.0","supported_fstypes":["xfs","ext4"],)"
              R"("default_mode":"highpri","auto_fstypes":["xfs"],"auto_rescan_ms":1000},)"
              R"("superblocks":[{"id":"vdb","fstype":"xfs","source":"/dev/vdb","dev":"254:16",)"
              R"("mode":"highpri","workqueue":"diowq-vdb","origin":"manual","swaps":1,)"
              R"("tuned_ms":192000,"mountpoints":["/srv/data"]}]})");
}

TEST(Render, StatusJsonWithNothingTuned) {
    const Config bare{"0.1.0", {}, std::nullopt, {}, std::nullopt};
    EXPECT_EQ(status_json(bare, {}).dump(),
              R"({"config":{"module_version":"0.1.0","supported_fstypes":[],"default_mode":null,)"
              R"("auto_fstypes":[],"auto_rescan_ms":null},"superblocks":[]})");
}

TEST(Render, SuperblockJsonHasEveryKeyEvenWhenUnknown) {
    EXPECT_EQ(superblock_json(TunedFilesystem{test::only_id("vdb"), {}}).dump(),
              R"({"id":"vdb","fstype":null,"source":null,"dev":null,"mode":null,)"
              R"("workqueue":null,"origin":null,"swaps":null,"tuned_ms":null,"mountpoints":[]})");
}

TEST(Render, PrettyStatusJson) {
    EXPECT_EQ(path_status_json("/srv/data", data).dump(true), R"({
    "path": "/srv/data",
    "tuned": true,
    "superblock": {
        "id": "vdb",
        "fstype": "xfs",
        "source": "/dev/vdb",
        "dev": "254:16",
        "mode": "highpri",
        "workqueue": "diowq-vdb",
        "origin": "manual",
        "swaps": 1,
        "tuned_ms": 192000,
        "mountpoints": [
            "/srv/data"
        ]
    }
})");
}

TEST(Render, PathNotTuned) {
    EXPECT_EQ(path_status_text("/srv/other", std::nullopt), "/srv/other: not tuned\n");
    EXPECT_EQ(path_status_json("/srv/other", std::nullopt).dump(),
              R"({"path":"/srv/other","tuned":false,"superblock":null})");
}

TEST(Render, PathTunedText) {
    EXPECT_EQ(path_status_text("/srv/data", data),
              "ID   FSTYPE  SOURCE    DEV     MODE     WORKQUEUE  ORIGIN  SWAPS  TUNED FOR"
              "  MOUNTED ON\n"
              "vdb  xfs     /dev/vdb  254:16  highpri  diowq-vdb  manual      1      3m12s"
              "  /srv/data\n");
}

TEST(Render, UnknownValuesShowAsDashes) {
    EXPECT_EQ(path_status_text("/x", TunedFilesystem{test::only_id("vdb"), {}}),
              "ID   FSTYPE  SOURCE  DEV  MODE  WORKQUEUE  ORIGIN  SWAPS  TUNED FOR  MOUNTED ON\n"
              "vdb  -       -       -    -     -          -           -          -  -\n");
}

TEST(Render, ModeCgroupAddsItsColumnsForEveryRow) {
    EXPECT_EQ(status_text(config, {data, pod}),
              "module version     0.1.0\n"
              "supported fstypes  xfs,ext4\n"
              "default mode       highpri\n"
              "auto fstypes       xfs\n"
              "auto rescan        1000ms\n"
              "\n"
              "ID   FSTYPE  SOURCE    DEV     MODE     WORKQUEUE  ORIGIN  SWAPS  TUNED FOR"
              "  MOUNTED ON  CGROUP                        WEIGHT  DIVERTED\n"
              "vdb  xfs     /dev/vdb  254:16  highpri  diowq-vdb  manual      1      3m12s"
              "  /srv/data   -                                  -         -\n"
              "vdc  xfs     /dev/vdc  254:32  cgroup   diowq-vdc  manual      1         5s"
              "  /srv/pod    /sys/fs/cgroup/pod/diowq-vdc     700      4242\n");
}

TEST(Render, ModeCgroupJsonHasTheLeafWeightAndCount) {
    EXPECT_EQ(superblock_json(pod).dump(),
              R"({"id":"vdc","fstype":"xfs","source":"/dev/vdc","dev":"254:32","mode":"cgroup",)"
              R"("workqueue":"diowq-vdc","origin":"manual","swaps":1,"tuned_ms":5000,)"
              R"("cgroup":"/sys/fs/cgroup/pod/diowq-vdc","cgroup_weight":700,"diverted":4242,)"
              R"("mountpoints":["/srv/pod"]})");
}

TEST(Render, ModeCgroupEventNamesTheLeaf) {
    EXPECT_EQ(event_text(Event{EventKind::tuned, pod.superblock}),
              "tuned vdc fstype xfs source /dev/vdc dev 254:32 mode cgroup workqueue diowq-vdc "
              "origin manual cgroup /sys/fs/cgroup/pod/diowq-vdc\n");
}

TEST(Render, ConfigText) {
    EXPECT_EQ(config_text(config), "module version     0.1.0\n"
                                   "supported fstypes  xfs,ext4\n"
                                   "default mode       highpri\n"
                                   "auto fstypes       xfs\n"
                                   "auto rescan        1000ms\n");
}

TEST(Render, ConfigJson) {
    EXPECT_EQ(config_json(config).dump(),
              R"({"module_version":"0.1.0","supported_fstypes":["xfs","ext4"],)"
              R"("default_mode":"highpri","auto_fstypes":["xfs"],"auto_rescan_ms":1000})");
}

TEST(Render, EventLine) {
    EXPECT_EQ(event_text(Event{EventKind::mode_changed, data.superblock}),
              "mode_changed vdb fstype xfs source /dev/vdb dev 254:16 mode highpri workqueue "
              "diowq-vdb origin manual\n");
    EXPECT_EQ(event_text(Event{EventKind::unmounted, test::only_id("sdb1")}), "unmounted sdb1\n");
}

TEST(Render, EventNames) {
    EXPECT_EQ(event_name(EventKind::tuned), "tuned");
    EXPECT_EQ(event_name(EventKind::auto_tuned), "auto_tuned");
    EXPECT_EQ(event_name(EventKind::mode_changed), "mode_changed");
    EXPECT_EQ(event_name(EventKind::untuned), "untuned");
    EXPECT_EQ(event_name(EventKind::unmounted), "unmounted");
    EXPECT_EQ(event_name(EventKind::cgroup_fallback), "cgroup_fallback");
    EXPECT_EQ(event_name(static_cast<EventKind>(99)), "99");
}

// The pod's cgroup emptied: the module sends the superblock as it is now, in mode highpri with
// no leaf, so neither the line nor the JSON has cgroup keys.
TEST(Render, CgroupFallbackEventIsHighpriWithoutALeaf) {
    SuperblockStatus now = pod.superblock;
    now.mode = Mode::highpri;
    now.cgroup.reset();
    now.cgroup_weight.reset();
    now.diverted.reset();
    const Event fallback{EventKind::cgroup_fallback, now};
    EXPECT_EQ(event_text(fallback),
              "cgroup_fallback vdc fstype xfs source /dev/vdc dev 254:32 mode highpri workqueue "
              "diowq-vdc origin manual\n");
    EXPECT_EQ(event_json(fallback).dump(),
              R"({"event":"cgroup_fallback","id":"vdc","fstype":"xfs","source":"/dev/vdc",)"
              R"("dev":"254:32","mode":"highpri","workqueue":"diowq-vdc","origin":"manual",)"
              R"("swaps":1,"tuned_ms":5000})");
}

// A newer module's event (the first number this build does not know): shown as its number, in
// the line and in JSON (a string there, like a name).
TEST(Render, UnknownEventIsItsNumber) {
    const Event future{static_cast<EventKind>(__DIOWQ_EVENT_MAX), data.superblock};
    EXPECT_EQ(event_text(future),
              fmt::format("{} vdb fstype xfs source /dev/vdb dev 254:16 mode highpri workqueue "
                          "diowq-vdb origin manual\n",
                          __DIOWQ_EVENT_MAX));
    EXPECT_EQ(event_json(future).dump(),
              fmt::format(R"({{"event":"{}","id":"vdb","fstype":"xfs","source":"/dev/vdb",)"
                          R"("dev":"254:16","mode":"highpri","workqueue":"diowq-vdb",)"
                          R"("origin":"manual","swaps":1,"tuned_ms":192000}})",
                          __DIOWQ_EVENT_MAX));
}

TEST(Render, EventJsonIsOneLine) {
    EXPECT_EQ(event_json(Event{EventKind::auto_tuned, logs.superblock}).dump(),
              R"({"event":"auto_tuned","id":"nvme0n1p2","fstype":"ext4",)"
              R"("source":"/dev/nvme0n1p2","dev":"259:2","mode":"unbound",)"
              R"("workqueue":"diowq-nvme0n1p2","origin":"auto","swaps":12,"tuned_ms":90061000})");
}

TEST(Render, VersionText) {
    EXPECT_EQ(version_text(VersionInfo{"0.1.0", "0.1.0", 1u}),
              "diowqctl        0.1.0\n"
              "module          0.1.0\n"
              "netlink family  diowq version 1 (diowqctl speaks 1)\n");
    EXPECT_EQ(version_text(VersionInfo{"0.1.0", std::nullopt, std::nullopt}),
              "diowqctl        0.1.0\n"
              "module          not loaded\n"
              "netlink family  -\n");
    EXPECT_EQ(version_text(VersionInfo{"0.1.0", std::nullopt, 2u}),
              "diowqctl        0.1.0\n"
              "module          -\n"
              "netlink family  diowq version 2 (diowqctl speaks 1)\n");
}

TEST(Render, VersionJson) {
    EXPECT_EQ(version_json(VersionInfo{"0.1.0", "0.1.0", 1u}).dump(),
              R"({"tool_version":"0.1.0","module_version":"0.1.0","family_version":1,)"
              R"("expected_family_version":1})");
    EXPECT_EQ(version_json(VersionInfo{"0.1.0", std::nullopt, std::nullopt}).dump(),
              R"({"tool_version":"0.1.0","module_version":null,"family_version":null,)"
              R"("expected_family_version":1})");
}

} // namespace
} // namespace diowq::render
