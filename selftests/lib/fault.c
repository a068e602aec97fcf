// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the fault tests. See fault.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fault.h"
#include "sysfs.h"
#include "util.h"

unsigned int dq_env_uint(const char *name, unsigned int def)
{
	const char *val = getenv(name);
	unsigned long n;
	char *end;

	if (!val || !*val)
		return def;
	errno = 0;
	n = strtoul(val, &end, 10);
	if (errno || *end || !n || n > UINT_MAX || !isdigit((unsigned char)*val)) {
		dq_log("ignoring %s=%s (not a number >= 1)", name, val);
		return def;
	}
	return n;
}

static void cpu_online_path(char *buf, size_t size, int cpu)
{
	snprintf(buf, size, "/sys/devices/system/cpu/cpu%d/online", cpu);
}

bool dq_cpu_hotpluggable(int cpu)
{
	char path[PATH_MAX];

	cpu_online_path(path, sizeof(path), cpu);
	return !access(path, W_OK);
}

int dq_cpu_set_online(int cpu, bool online)
{
	char path[PATH_MAX];

	cpu_online_path(path, sizeof(path), cpu);
	return dq_write_file(path, online ? "1" : "0", 1);
}

int dq_cpu_online(int cpu)
{
	char path[PATH_MAX], val[8];
	int err;

	cpu_online_path(path, sizeof(path), cpu);
	err = dq_read_value(path, val, sizeof(val));
	if (err < 0)
		return err;
	return !strcmp(val, "1");
}

/* From <linux/fs.h>, which cannot be included next to <sys/mount.h>. */
#ifndef FIFREEZE
#define FIFREEZE _IOWR('X', 119, int)
#define FITHAW _IOWR('X', 120, int)
#endif

static int fs_ioctl(const struct dq_fs *fs, unsigned long req)
{
	int fd = open(fs->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, 0))
		err = -errno;
	close(fd);
	return err;
}

int dq_fs_freeze(const struct dq_fs *fs)
{
	return fs_ioctl(fs, FIFREEZE);
}

int dq_fs_thaw(const struct dq_fs *fs)
{
	return fs_ioctl(fs, FITHAW);
}

int dq_remount(const struct dq_fs *fs, bool ro)
{
	unsigned long flags = MS_REMOUNT | (ro ? MS_RDONLY : 0);

	return mount(fs->dev, fs->mnt, fs->fstype, flags, NULL) ? -errno : 0;
}

int dq_tf_open_ro(struct dq_tagged_file *tf)
{
	if (tf->fd >= 0)
		return -EBUSY;
	tf->fd = open(tf->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	return tf->fd < 0 ? -errno : 0;
}

static bool is_diowq_rescuer(const char *comm)
{
	/* A task comm has 15 characters: "kworker/R-diowq" may be all. */
	static const char rescuer[] = "kworker/R-diowq";

	return !strncmp(comm, DIOWQ_WQ_PREFIX, strlen(DIOWQ_WQ_PREFIX)) ||
	       !strncmp(comm, rescuer, strlen(rescuer));
}

int dq_count_diowq_queues(void)
{
	struct dirent *de;
	int n = 0;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		char path[PATH_MAX], comm[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		/* Threads come and go: a vanished one is not an error. */
		if (dq_read_value(path, comm, sizeof(comm)) < 0)
			continue;
		if (is_diowq_rescuer(comm))
			n++;
	}
	closedir(proc);
	return n;
}

int dq_wait_no_diowq_queues(unsigned int timeout_ms)
{
	uint64_t start = dq_now_ms();

	for (;;) {
		uint64_t waited = dq_now_ms() - start;
		int n = dq_count_diowq_queues();

		if (n < 0)
			return n;
		if (!n)
			return (int)waited;
		if (waited >= timeout_ms) {
			dq_log("%d diowq queues still alive after %llu ms", n,
			       (unsigned long long)waited);
			return -ETIMEDOUT;
		}
		dq_sleep_ms(50);
	}
}
