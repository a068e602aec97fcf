/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dispatch latency, seen from user space: watching filesystems through
 * sysfs (watch, unwatch, watching, probes) and reading the module's
 * measurements over netlink (GET_WATCH, the GET_LATENCY dump), strictly
 * parsed: a reply that lacks an attribute the interface promises, or has
 * one of the wrong size, is -EPROTO (and logged), never a zero.
 *
 * Histogram buckets (include/uapi/diowq.h): bucket 0 counts 0 ns, bucket b
 * counts [2^(b-1), 2^b) ns, the last one everything from 2^30 ns on.
 */
#ifndef DIOWQ_SELFTEST_LATENCY_H
#define DIOWQ_SELFTEST_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/diowq.h"
#include "genl.h"

#define DQ_LAT_MAX_CPUS 64
#define DQ_LAT_MAX_WATCHED 16

/* One CPU's reply of the GET_LATENCY dump. */
struct dq_lat_cpu {
	uint32_t cpu;
	uint8_t online;
	uint64_t completions;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t hist[DIOWQ_LATENCY_BUCKETS];
	/* The last measured completion on this CPU, once there was one. */
	bool has_last;
	uint32_t dev_major, dev_minor;
	uint32_t worker_pid;
	int32_t worker_nice;
};

/* A whole dump: one entry per possible CPU, in reply order. */
struct dq_lat {
	unsigned int nr;
	struct dq_lat_cpu cpus[DQ_LAT_MAX_CPUS];
};

/* The GET_WATCH reply. */
struct dq_watch_info {
	uint8_t probes;
	uint8_t all;
	unsigned int nr_watched;
	struct {
		uint32_t major, minor;
	} watched[DQ_LAT_MAX_WATCHED];
	uint64_t probe_ns, probe_hits, unmatched;
	uint32_t hist_buckets;
};

/*
 * GET_LATENCY (dump), with CLEAR_MAX if asked. 0; the kernel's -errno
 * (its extack message, if any, in extack when not NULL); -EPROTO for a
 * malformed reply; or a socket -errno.
 */
int dq_lat_read(struct dq_genl *nl, bool clear_max, struct dq_lat *lat,
		char *extack, size_t extack_size);

/* The entry of CPU cpu, or NULL if the dump had none. */
const struct dq_lat_cpu *dq_lat_find(const struct dq_lat *lat,
				     unsigned int cpu);

/* Completions summed over every CPU. */
uint64_t dq_lat_total(const struct dq_lat *lat);

/*
 * after - before, CPU by CPU (matched by CPU number): completions, sum_ns
 * and hist; max_ns and the last-completion fields are after's. -EINVAL if
 * the two dumps do not have the same CPUs.
 */
int dq_lat_diff(const struct dq_lat *after, const struct dq_lat *before,
		struct dq_lat *delta);

/* Log every CPU's counters and its non-empty buckets. */
void dq_lat_log(const char *what, const struct dq_lat *lat);

/* GET_WATCH: 0, the kernel's -errno, -EPROTO or a socket -errno. */
int dq_watch_info(struct dq_genl *nl, struct dq_watch_info *wi);
bool dq_watch_info_has(const struct dq_watch_info *wi, uint32_t major,
		       uint32_t minor);

/* Bucket bounds in ns: [lower, upper); upper is UINT64_MAX for the last. */
uint64_t dq_bucket_lower(unsigned int b);
uint64_t dq_bucket_upper(unsigned int b);
/* The bucket a delay of ns falls in. */
unsigned int dq_bucket_of(uint64_t ns);
/* The highest non-empty bucket, or -1 if all are empty. */
int dq_hist_highest(const uint64_t hist[DIOWQ_LATENCY_BUCKETS]);
uint64_t dq_hist_sum(const uint64_t hist[DIOWQ_LATENCY_BUCKETS]);

/* sysfs: write what ("/mount/point" or "all") to watch or unwatch. */
int dq_watch(const char *what);
int dq_unwatch(const char *what);
/* probes: 0 or 1 into *on; -EBADMSG if it reads anything else. */
int dq_read_probes(int *on);
/*
 * watching, as is: every line "\n"-terminated ("" when nothing is
 * watched). -EBADMSG if it is not a list of such lines.
 */
int dq_read_watching(char *buf, size_t size);
/* Is line (e.g. "all", "254:16") one of the lines of a watching value? */
bool dq_watching_has(const char *watching, const char *line);
/* Number of lines of a watching value. */
unsigned int dq_watching_count(const char *watching);

/* The number of possible CPUs (/sys/devices/system/cpu/possible). */
int dq_possible_cpus(void);

#endif /* DIOWQ_SELFTEST_LATENCY_H */
