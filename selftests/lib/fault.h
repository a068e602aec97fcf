/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the fault tests (toggle, hotplug, freeze, remount, ioerror):
 * knobs from the environment, CPU hotplug, freeze/thaw, remounts, and
 * counting the queues diowq still has.
 */
#ifndef DIOWQ_SELFTEST_FAULT_H
#define DIOWQ_SELFTEST_FAULT_H

#include <stdbool.h>

#include "disk.h"
#include "tagged_file.h"

/*
 * An unsigned knob from the environment (the VM passes the kernel command
 * line's plain NAME=value words to the tests, e.g. DIOWQ_APPEND=
 * "DIOWQ_TOGGLES=5000"): def if unset, empty or not a number >= 1.
 */
unsigned int dq_env_uint(const char *name, unsigned int def);

/* /sys/devices/system/cpu/cpuN/online: does it exist, and write it. */
bool dq_cpu_hotpluggable(int cpu);
int dq_cpu_set_online(int cpu, bool online);
/* 1 online, 0 offline, -errno. */
int dq_cpu_online(int cpu);

/* FIFREEZE / FITHAW on the mount's root. */
int dq_fs_freeze(const struct dq_fs *fs);
int dq_fs_thaw(const struct dq_fs *fs);

/* mount -o remount,ro (ro) or remount,rw: 0 or -errno (EBUSY...). */
int dq_remount(const struct dq_fs *fs, bool ro);

/* Open tf->path read-only with O_DIRECT (a read-only mount): for verify. */
int dq_tf_open_ro(struct dq_tagged_file *tf);

/*
 * diowq queues still alive: the rescuer thread every one of them has
 * (WQ_MEM_RECLAIM; "diowq-<s_id>" before 6.9, "kworker/R-diowq-<s_id>"
 * since). Highpri queues have no sysfs directory, so this is the one
 * count that sees both kinds. -errno on failure.
 */
int dq_count_diowq_queues(void);
/* Poll until no diowq queue is left: ms it took, or -ETIMEDOUT. */
int dq_wait_no_diowq_queues(unsigned int timeout_ms);

#endif /* DIOWQ_SELFTEST_FAULT_H */
