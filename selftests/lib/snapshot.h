/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot of everything diowq shows in sysfs, to prove that a refused
 * or no-op write changed nothing: every file under DIOWQ_SYSFS_ROOT with
 * its permissions and value (tuned_ms only by name: it changes with time),
 * and every diowq-* workqueue directory with its nice and cpumask.
 */
#ifndef DIOWQ_SELFTEST_SNAPSHOT_H
#define DIOWQ_SELFTEST_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

struct dq_snapshot {
	char **lines;	/* sorted, one per file or directory */
	size_t nr;
	size_t alloc;
};

int dq_snapshot_take(struct dq_snapshot *snap);
bool dq_snapshot_equal(const struct dq_snapshot *a,
		       const struct dq_snapshot *b);
/* Log the lines only in before ("-") and only in after ("+"). */
void dq_snapshot_log_diff(const struct dq_snapshot *before,
			  const struct dq_snapshot *after);
void dq_snapshot_free(struct dq_snapshot *snap);

#endif /* DIOWQ_SELFTEST_SNAPSHOT_H */
