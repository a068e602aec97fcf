/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel holds for diowq, seen from user space, for leak checks:
 * memory counters from /proc/meminfo, diowq's queues (their rescuer
 * threads and unbound queues' sysfs directories) and its per-superblock
 * sysfs directories.
 */
#ifndef DIOWQ_SELFTEST_KSTATE_H
#define DIOWQ_SELFTEST_KSTATE_H

#include <stdbool.h>

/* A /proc/meminfo field in KiB ("SUnreclaim", "Percpu", ...); -errno. */
long long dq_meminfo_kb(const char *field);

/*
 * Kernel memory that does not come back by itself: unreclaimable slab,
 * per-CPU areas and kernel stacks, in KiB. What a leaked workqueue (its
 * per-CPU parts, its rescuer thread's task and stack) or entry would show
 * in.
 */
long long dq_kernel_unreclaimable_kb(void);

/*
 * Threads whose name says they serve a diowq queue: the rescuers of our
 * WQ_MEM_RECLAIM queues ("diowq-vdb" before 6.9, "kworker/R-diowq-vdb"
 * after) and workers currently running a diowq item.
 */
int dq_count_diowq_threads(void);

/* diowq-* directories under DIOWQ_WQ_SYSFS_ROOT (unbound queues). */
int dq_count_diowq_wq_dirs(void);

/* Per-superblock directories under DIOWQ_SYSFS_ROOT (-errno if none). */
int dq_count_sb_dirs(void);

/*
 * Wait until every retired queue of ours is gone (no thread, no workqueue
 * directory): 0 or -ETIMEDOUT (then log what is left).
 */
int dq_wait_queues_gone(unsigned int timeout_ms);

#endif /* DIOWQ_SELFTEST_KSTATE_H */
