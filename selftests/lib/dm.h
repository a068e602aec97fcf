/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device-mapper device over one scratch disk, for the I/O error test: a
 * linear table (the disk as it is) that can be switched to dm-flakey with
 * error_writes (every write fails with EIO, reads pass) and back, with
 * I/O in flight. Driven with dmsetup (--noudevsync: the VM has no udev);
 * the device node is the kernel's own /dev/dm-N from devtmpfs.
 */
#ifndef DIOWQ_SELFTEST_DM_H
#define DIOWQ_SELFTEST_DM_H

#include <stdbool.h>
#include <stdint.h>

#include "disk.h"

struct dq_dm {
	char name[32];		/* dm name, e.g. "diowq-flakey" */
	char backing[64];	/* the disk below, e.g. "/dev/vdc" */
	uint64_t sectors;	/* its size in 512-byte sectors */
	char kname[16];		/* "dm-N": block device and s_id */
	char dev[32];		/* "/dev/dm-N" */
	bool created;
};

/*
 * Can this machine do it: dmsetup in $PATH, dm-flakey loadable. 0, or
 * -ENOENT (no dmsetup) / -ENODEV (no module), with a log line saying so.
 */
int dq_dm_available(void);

/*
 * Create name as a linear map of all of backing and find its /dev/dm-N.
 * A leftover device of that name (from a killed test) is removed first.
 * Registered for cleanup: the cleanup unmounts what is mounted on it
 * below DQ_MNT_BASE and removes it.
 */
int dq_dm_create(struct dq_dm *dm, const char *name, const char *backing);

/*
 * Switch the live table: failing writes (dm-flakey error_writes) or the
 * plain linear map. Suspends without freezing the filesystem (--nolockfs),
 * so writes stay in flight across the switch; the suspend waits for the
 * bios already in the device, and holds new ones until the resume.
 */
int dq_dm_fail_writes(struct dq_dm *dm, bool fail);

/*
 * Hold every new bio until dq_dm_resume() (a mount of it then waits in
 * its first read), without freezing a filesystem on it (--nolockfs). The
 * cleanup resumes a device left suspended.
 */
int dq_dm_suspend(struct dq_dm *dm);
int dq_dm_resume(struct dq_dm *dm);
/* Remove it (nothing may be mounted on it). Idempotent. */
int dq_dm_remove(struct dq_dm *dm);

/* Fill fs for the device: dev /dev/dm-N, sid dm-N, mnt DQ_MNT_BASE/dm-N. */
void dq_dm_fs(const struct dq_dm *dm, struct dq_fs *fs);

#endif /* DIOWQ_SELFTEST_DM_H */
