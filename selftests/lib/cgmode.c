// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the mode cgroup tests: see cgmode.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/diowq.h"
#include "cgmode.h"
#include "cgroup.h"
#include "sysfs.h"
#include "util.h"

int dq_tune_cgroup(const char *mnt, const char *dir)
{
	char req[PATH_MAX * 2];

	snprintf(req, sizeof(req), "%s %s %s", DIOWQ_MODE_CGROUP_NAME, mnt,
		 dir);
	return dq_write_attr(DIOWQ_ATTR_TUNE, req);
}

pid_t dq_cg_only_pid(const char *name)
{
	char buf[256], *line, *save;
	int pid = 0, n = 0;

	if (dq_cg_read(name, "cgroup.procs", buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		pid = atoi(line);
	return n == 1 ? pid : 0;
}

bool dq_pid_alive(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return dq_path_exists(path);
}

int dq_wait_path_gone(const char *path, unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (dq_path_exists(path)) {
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(50);
	}
	return 0;
}
