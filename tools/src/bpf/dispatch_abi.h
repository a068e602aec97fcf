/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dispatch.bpf.c and its loader (dispatch_probe.cpp) share: the keys and values of the
 * program's maps. Plain C with fixed-size types, compiled by clang for BPF and by g++ for user
 * space alike.
 */
#ifndef DIOWQ_DISPATCH_ABI_H
#define DIOWQ_DISPATCH_ABI_H

#include <linux/types.h>

/* Log2 buckets of nanoseconds, as the module's were: bucket 0 counts 0 ns, bucket b counts
 * [2^(b-1), 2^b) ns, the last one everything from 2^30 ns up. */
#define DQ_DISPATCH_BUCKETS 32
/* A workqueue's name, cut to this (the kernel's limit is 24 on 6.1, 32 on 6.12). */
#define DQ_DISPATCH_QUEUE_LEN 32

/* The statistics of one filesystem (its s_dev, the kernel's encoding) on one CPU. */
struct dq_dispatch_key {
	__u32 cpu;
	__u32 dev;
};

struct dq_dispatch_stats {
	/* Dio write completions that ran from a queue, with their queue -> start delay. */
	__u64 queued;
	__u64 delay_sum_ns;
	__u64 delay_max_ns;
	__u64 delay_hist[DQ_DISPATCH_BUCKETS];
	/* How long those works ran (execute start to end). */
	__u64 run_sum_ns;
	/* Executions whose queueing was not seen (queued before the program was attached). */
	__u64 unmatched;
	/* Dio write completions of this filesystem on this CPU that ran without a queue: inline
	 * in the bio's end_io (7.x completes pure overwrites so), or in the submitting task (the
	 * I/O had ended before the submission returned). queued + unmatched + unqueued_writes is
	 * every completion, queued / that the share that went through a queue at all. 0 when that
	 * probe could not attach. */
	__u64 unqueued_writes;
	/* The largest delay in window number `window` (the windows map's value then): user space
	 * starts a new window by counting it up, and reads only a maximum of the current one. */
	__u64 window_max_ns;
	__u64 window;
	/* The last queued completion here: its worker and queue. */
	__u32 worker_pid;
	__s32 worker_nice;
	char queue[DQ_DISPATCH_QUEUE_LEN];
	/* The program's own: the struct workqueue_struct whose name is in queue, so that the name
	 * is read again only when the queue changes. */
	__u64 queue_source;
};

#endif /* DIOWQ_DISPATCH_ABI_H */
