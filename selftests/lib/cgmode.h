/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the mode cgroup tests (issue #16): tune a filesystem in mode
 * cgroup below a cgroup v2 directory through sysfs, and look at the leaf
 * <dir>/diowq-<s_id> and its thread diowqcg/<s_id>.
 */
#ifndef DIOWQ_SELFTEST_CGMODE_H
#define DIOWQ_SELFTEST_CGMODE_H

#include <stdbool.h>
#include <sys/types.h>

/* echo "cgroup MNT DIR" > /sys/fs/diowq/tune: 0 or -errno. */
int dq_tune_cgroup(const char *mnt, const char *dir);

/*
 * The only pid in cgroup.procs of the cgroup name (below DQ_CGROUP_ROOT);
 * 0 if it cannot be read, is empty or holds several.
 */
pid_t dq_cg_only_pid(const char *name);

/* Does /proc/<pid> exist? */
bool dq_pid_alive(pid_t pid);

/* Poll until path is gone: 0, or -ETIMEDOUT. */
int dq_wait_path_gone(const char *path, unsigned int timeout_ms);

#endif /* DIOWQ_SELFTEST_CGMODE_H */
