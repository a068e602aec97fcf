/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's scratch disks ($DIOWQ_DISKS, e.g. "/dev/vda /dev/vdb /dev/vdc"):
 * making filesystems on them and mounting them under DQ_MNT_BASE.
 */
#ifndef DIOWQ_SELFTEST_DISK_H
#define DIOWQ_SELFTEST_DISK_H

#include <stdbool.h>
#include <stddef.h>

/* Everything the tests mount lives below here; reset unmounts it all. */
#define DQ_MNT_BASE "/mnt/diowq"

#define DQ_NR_DISKS 3

struct dq_fs {
	char dev[64];		/* block device, e.g. "/dev/vdb" */
	char sid[64];		/* s_id of its superblock, e.g. "vdb" */
	char mnt[128];		/* our mount point, DQ_MNT_BASE "/vdb" */
	char fstype[16];	/* "xfs", "ext4", "ext2" */
};

/* Is $DIOWQ_DISKS set (we are in the VM, allowed to format disks)? */
bool dq_disks_configured(void);

/* Describe disk number index (0-based) of $DIOWQ_DISKS; 0 or -errno. */
int dq_disk(unsigned int index, struct dq_fs *fs);

/*
 * Is this block device unused (not mounted, not held)? Checked before any
 * mkfs, so a misconfigured $DIOWQ_DISKS cannot format a disk in use.
 */
int dq_disk_unused(const char *dev);

/* Make sure the kernel knows fstype (modprobe it if needed): 0, -ENODEV. */
int dq_need_fstype(const char *fstype);

/* mkfs.<fstype> on fs->dev (quiet, forced) and remember fstype in fs. */
int dq_mkfs(struct dq_fs *fs, const char *fstype);

/* Create fs->mnt and mount fs->dev there as fs->fstype. */
int dq_mount(const struct dq_fs *fs);

/* umount2(fs->mnt, flags): 0 for a plain umount, MNT_DETACH for lazy. */
int dq_umount(const struct dq_fs *fs, int flags);

/* dq_disk() + dq_mkfs() + dq_mount(), in one step for fixture setups. */
int dq_fs_create(struct dq_fs *fs, unsigned int disk_index,
		 const char *fstype);

/*
 * Like dq_fs_create(), but keep the filesystem already on the disk if it
 * is of the right type and mounts: for tests that only need a mount, not
 * its contents, and would otherwise spend most of their time in mkfs.
 */
int dq_fs_reuse(struct dq_fs *fs, unsigned int disk_index,
		const char *fstype);

/* Mount a small tmpfs at mnt (an fs diowq does not support). */
int dq_mount_tmpfs(const char *mnt);

/*
 * The filesystem type of the mount whose root is mnt, as the kernel names
 * it in /proc/self/mountinfo (the superblock's type). -ENOENT if mnt is
 * not a mount point.
 */
int dq_mount_fstype(const char *mnt, char *buf, size_t size);

/* "major:minor" of a block device node, as diowq's "dev" shows it. */
int dq_dev_numbers(const char *dev, char *buf, size_t size);

/*
 * Unmount everything mounted below DQ_MNT_BASE, deepest first. A busy
 * mount is retried for a while, then detached lazily (and logged), so the
 * next test gets its disks back. 0, or the first -errno seen.
 */
int dq_umount_all(void);

#endif /* DIOWQ_SELFTEST_DISK_H */
