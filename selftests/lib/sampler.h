/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kworker sampler: which workqueue do the direct-I/O completions run on,
 * and at what nice level?
 *
 * /proc/PID/stat of a workqueue worker shows the worker's name plus the
 * queue of its latest work item: "kworker/1:2H+diowq-vdb" while it runs an
 * item of queue diowq-vdb, "kworker/1:2H-diowq-vdb" after (until it runs
 * another queue's work). A thread polls every kworker's stat file and
 * counts how often each (comm, nice) was seen.
 *
 * "-queue" can be stale: a worker keeps it from an earlier test until it
 * runs other work. So the sampler first takes a baseline of every
 * kworker's comm; a "-queue" sample only counts as fresh if that worker's
 * comm changed since the baseline (or the worker is new). "+queue" is
 * always live. Rescuers ("kworker/R-queue" since 6.9; "queue" before) are
 * not counted: their name holds their queue whether they ran or not.
 */
#ifndef DIOWQ_SELFTEST_SAMPLER_H
#define DIOWQ_SELFTEST_SAMPLER_H

#include <limits.h>
#include <stdint.h>

/* Which samples of a queue to count. */
#define DQ_KW_RUNNING	0x1	/* "+queue": running its work now */
#define DQ_KW_RAN_FRESH	0x2	/* "-queue", changed since the baseline */
#define DQ_KW_RAN_STALE	0x4	/* "-queue", as it was at the baseline */
/* Evidence that the queue's work ran during the sampling. */
#define DQ_KW_LIVE	(DQ_KW_RUNNING | DQ_KW_RAN_FRESH)
#define DQ_KW_ANY	(DQ_KW_LIVE | DQ_KW_RAN_STALE)

#define DQ_ANY_NICE INT_MIN

struct dq_sampler;

/*
 * Take the baseline and start sampling in a thread, pinned to cpu unless
 * it is -1. Registered for cleanup until dq_sampler_destroy().
 */
int dq_sampler_start(struct dq_sampler **sp, int cpu);

/* Stop sampling (the counts stay readable). */
void dq_sampler_stop(struct dq_sampler *s);

void dq_sampler_destroy(struct dq_sampler *s);

/* Number of passes over all kworkers so far. */
uint64_t dq_sampler_passes(const struct dq_sampler *s);

/*
 * How many samples showed a kworker with workqueue name queue (exactly,
 * e.g. "diowq-vdb" or "dio/vdb") in one of the states, at the given nice
 * (or DQ_ANY_NICE).
 */
uint64_t dq_sampler_count(const struct dq_sampler *s, const char *queue,
			  unsigned int states, int nice);

/* Log every (comm, nice) seen for queues containing filter (NULL: all). */
void dq_sampler_log(const struct dq_sampler *s, const char *filter);

#endif /* DIOWQ_SELFTEST_SAMPLER_H */
