// SPDX-License-Identifier: GPL-2.0
// The comparison diowq is measured against: renice every kworker bound to the load's CPU to -20
// (what people do by hand), and put each back afterwards. Read from a /proc-like directory, so
// that the tests can give one of their own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace diowq::bench {

struct Kworker {
    pid_t pid = 0;
    std::string comm; // e.g. "kworker/1:2H-kblockd"
    int nice = 0;

    bool operator==(const Kworker&) const = default;
};

// A per-CPU kworker of `cpu`: "kworker/<cpu>:<id>[H][+-<queue>]" (not unbound "kworker/u...").
bool is_cpu_kworker(std::string_view comm, unsigned cpu);

// The nice value (field 19) of a /proc/PID/stat line; throws std::invalid_argument.
int parse_stat_nice(std::string_view stat);

// The kworkers of `cpu` now, in PID order.
std::vector<Kworker> find_cpu_kworkers(unsigned cpu, const std::string& proc = "/proc");

// Renices the kworkers of a CPU once, as one does by hand, while it lives; puts each one it
// changed back when it goes.
class KworkerRenice {
public:
    KworkerRenice(unsigned cpu, int nice, std::string proc = "/proc");
    KworkerRenice(const KworkerRenice&) = delete;
    KworkerRenice& operator=(const KworkerRenice&) = delete;
    ~KworkerRenice();

    // The kworkers changed, with the nice each had.
    const std::vector<Kworker>& changed() const { return changed_; }
    // How many kworkers of the CPU are not at the nice now: the pool creates workers as it
    // needs them, at nice 0, which is why a renice by hand does not last.
    std::size_t stragglers() const;

private:
    unsigned cpu_;
    int nice_;
    std::string proc_;
    std::vector<Kworker> changed_;
};

} // namespace diowq::bench
