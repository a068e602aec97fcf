// SPDX-License-Identifier: GPL-2.0
/*
 * device-mapper through dmsetup. See dm.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "dm.h"
#include "sysfs.h"
#include "util.h"

/* A busy unmount in the cleanup is retried this long. */
#define DQ_DM_UMOUNT_MS 3000

int dq_dm_available(void)
{
	const char *modprobe[] = { "modprobe", "dm_flakey", NULL };
	const char *version[] = { "dmsetup", "--noudevsync", "version", NULL };
	int status;

	dq_run(modprobe);
	if (!dq_path_exists("/sys/module/dm_flakey")) {
		dq_log("no dm-flakey module (modprobe dm_flakey failed)");
		return -ENODEV;
	}
	status = dq_run(version);
	if (status) {
		dq_log("dmsetup does not work here (status %d)", status);
		return -ENOENT;
	}
	return 0;
}

/* "dm-N" of the dm device called name, from /sys/block/dm-* /dm/name. */
static int find_kname(const char *name, char *kname, size_t size)
{
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	d = opendir("/sys/block");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX], val[64];

		if (strncmp(de->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name",
			 de->d_name);
		if (dq_read_value(path, val, sizeof(val)) < 0 ||
		    strcmp(val, name))
			continue;
		if (strlen(de->d_name) >= size)
			continue;
		memcpy(kname, de->d_name, strlen(de->d_name) + 1);
		err = 0;
		break;
	}
	closedir(d);
	return err;
}

static int dmsetup(const char *verb, const char *name, const char *table)
{
	const char *argv[] = { "dmsetup", "--noudevsync", verb, name,
			       table ? "--table" : NULL, table, NULL };
	int status = dq_run(argv);

	if (status < 0)
		return status;
	return status ? -EIO : 0;
}

static int remove_by_name(const char *name)
{
	const char *argv[] = { "dmsetup", "--noudevsync", "remove", "--force",
			       "--retry", name, NULL };
	char kname[16];

	if (find_kname(name, kname, sizeof(kname)))
		return 0;
	return dq_run(argv) ? -EBUSY : 0;
}

void dq_dm_fs(const struct dq_dm *dm, struct dq_fs *fs)
{
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->dev, sizeof(fs->dev), "%s", dm->dev);
	snprintf(fs->sid, sizeof(fs->sid), "%s", dm->kname);
	snprintf(fs->mnt, sizeof(fs->mnt), "%s/%s", DQ_MNT_BASE, dm->kname);
}

static void dm_cleanup(void *arg)
{
	struct dq_dm *dm = arg;
	uint64_t deadline = dq_now_ms() + DQ_DM_UMOUNT_MS;
	struct dq_fs fs;

	if (!dm->created)
		return;
	/* A test that failed half-way may have left it without writes. */
	dq_dm_fail_writes(dm, false);
	dq_dm_fs(dm, &fs);
	while (umount2(fs.mnt, 0) && errno == EBUSY && dq_now_ms() < deadline)
		dq_sleep_ms(100);
	if (dq_dm_remove(dm))
		dq_log("cannot remove dm device %s", dm->name);
}

int dq_dm_create(struct dq_dm *dm, const char *name, const char *backing)
{
	char path[PATH_MAX], val[32], table[128];
	const char *base;
	int err;

	memset(dm, 0, sizeof(*dm));
	snprintf(dm->name, sizeof(dm->name), "%s", name);
	snprintf(dm->backing, sizeof(dm->backing), "%s", backing);
	base = strrchr(backing, '/');
	base = base ? base + 1 : backing;
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", base);
	err = dq_read_value(path, val, sizeof(val));
	if (err < 0)
		return err;
	dm->sectors = strtoull(val, NULL, 10);
	if (!dm->sectors)
		return -EINVAL;

	err = remove_by_name(name);
	if (err)
		return err;
	snprintf(table, sizeof(table), "0 %" PRIu64 " linear %s 0",
		 dm->sectors, backing);
	err = dmsetup("create", name, table);
	if (err)
		return err;
	dm->created = true;
	err = dq_cleanup_push(dm_cleanup, dm);
	if (!err)
		err = find_kname(name, dm->kname, sizeof(dm->kname));
	if (err) {
		dq_cleanup_forget(dm);
		dq_dm_remove(dm);
		return err;
	}
	snprintf(dm->dev, sizeof(dm->dev), "/dev/%s", dm->kname);
	/* devtmpfs makes the node; give it a moment under TCG. */
	for (int i = 0; i < 50 && access(dm->dev, F_OK); i++)
		dq_sleep_ms(20);
	return access(dm->dev, F_OK) ? -ENOENT : 0;
}

int dq_dm_fail_writes(struct dq_dm *dm, bool fail)
{
	const char *suspend[] = { "dmsetup", "--noudevsync", "suspend",
				  "--nolockfs", dm->name, NULL };
	char table[160];
	int err, status;

	if (fail)
		/* up 0 s, down 1 s: always down; error_writes: EIO. */
		snprintf(table, sizeof(table),
			 "0 %" PRIu64 " flakey %s 0 0 1 1 error_writes",
			 dm->sectors, dm->backing);
	else
		snprintf(table, sizeof(table), "0 %" PRIu64 " linear %s 0",
			 dm->sectors, dm->backing);
	err = dmsetup("load", dm->name, table);
	if (err)
		return err;
	status = dq_run(suspend);
	/* Resume whatever happened: a device left suspended hangs writers. */
	err = dmsetup("resume", dm->name, NULL);
	if (status)
		return status < 0 ? status : -EIO;
	return err;
}

int dq_dm_suspend(struct dq_dm *dm)
{
	const char *suspend[] = { "dmsetup", "--noudevsync", "suspend",
				  "--nolockfs", dm->name, NULL };
	int status = dq_run(suspend);

	if (status)
		return status < 0 ? status : -EIO;
	return 0;
}

int dq_dm_resume(struct dq_dm *dm)
{
	return dmsetup("resume", dm->name, NULL);
}

int dq_dm_remove(struct dq_dm *dm)
{
	int err;

	if (!dm->created)
		return 0;
	err = remove_by_name(dm->name);
	if (!err) {
		dm->created = false;
		dq_cleanup_forget(dm);
	}
	return err;
}
