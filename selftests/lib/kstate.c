// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel state seen from user space: see kstate.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kstate.h"
#include "sysfs.h"
#include "util.h"

long long dq_meminfo_kb(const char *field)
{
	size_t len = strlen(field);
	long long val = -ENOENT;
	char line[256];
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			if (sscanf(line + len + 1, "%lld", &val) != 1)
				val = -EBADMSG;
			break;
		}
	}
	fclose(f);
	return val;
}

long long dq_kernel_unreclaimable_kb(void)
{
	static const char *const fields[] = {
		"SUnreclaim", "Percpu", "KernelStack",
	};
	long long sum = 0;
	unsigned int i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		long long v = dq_meminfo_kb(fields[i]);

		if (v < 0)
			return v;
		sum += v;
	}
	return sum;
}

/* Is comm the name of a thread serving one of our queues? */
static bool diowq_thread(const char *comm)
{
	/* "diowq-x" (rescuer, < 6.9), "kworker/R-diowq-x", "kworker/1:2H+diowq-x" */
	if (!strncmp(comm, DIOWQ_WQ_PREFIX, strlen(DIOWQ_WQ_PREFIX)))
		return true;
	if (!strncmp(comm, "kworker/R-" DIOWQ_WQ_PREFIX,
		     strlen("kworker/R-" DIOWQ_WQ_PREFIX)))
		return true;
	return strstr(comm, "+" DIOWQ_WQ_PREFIX) != NULL;
}

static int count_threads(bool log)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX], comm[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (dq_read_value(path, comm, sizeof(comm)) < 0)
			continue;	/* gone meanwhile */
		if (diowq_thread(comm)) {
			if (log)
				dq_log("diowq thread still there: %s (pid %s)",
				       comm, de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

int dq_count_diowq_threads(void)
{
	return count_threads(true);
}

static int count_dir(const char *dir, const char *prefix, bool dirs_only)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (prefix && strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (dirs_only && (lstat(path, &st) || !S_ISDIR(st.st_mode)))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

int dq_count_diowq_wq_dirs(void)
{
	return count_dir(DIOWQ_WQ_SYSFS_ROOT, DIOWQ_WQ_PREFIX, false);
}

int dq_count_sb_dirs(void)
{
	return count_dir(DIOWQ_SYSFS_ROOT, NULL, true);
}

int dq_wait_queues_gone(unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;
	int threads, dirs;

	for (;;) {
		threads = count_threads(false);
		dirs = dq_count_diowq_wq_dirs();
		if (!threads && dirs <= 0)
			return 0;
		if (dq_now_ms() >= deadline)
			break;
		dq_sleep_ms(200);
	}
	count_threads(true);
	dq_log("after %u ms: %d diowq threads, %d diowq workqueue directories left",
	       timeout_ms, threads, dirs);
	return -ETIMEDOUT;
}
