// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 helpers: see cgroup.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "sysfs.h"
#include "util.h"

static void cg_path(char *buf, size_t size, const char *name,
		    const char *file)
{
	snprintf(buf, size, "%s%s%s%s%s", DQ_CGROUP_ROOT, *name ? "/" : "",
		 name, file ? "/" : "", file ? file : "");
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

bool dq_cg_has_controller(const char *controller)
{
	char buf[512];

	return dq_cg_read("", "cgroup.controllers", buf, sizeof(buf)) >= 0 &&
	       has_word(buf, controller);
}

int dq_cg_enable_controller(const char *controller)
{
	char buf[512], req[64];
	int err;

	err = dq_cg_read("", "cgroup.subtree_control", buf, sizeof(buf));
	if (err < 0)
		return err;
	if (has_word(buf, controller))
		return 0;
	snprintf(req, sizeof(req), "+%s", controller);
	return dq_cg_write("", "cgroup.subtree_control", req);
}

int dq_cg_create(const char *name)
{
	char path[PATH_MAX];

	cg_path(path, sizeof(path), name, NULL);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int dq_cg_destroy(const char *name)
{
	char path[PATH_MAX], procs[4096];
	uint64_t deadline = dq_now_ms() + 5000;
	char *line, *save;

	cg_path(path, sizeof(path), name, NULL);
	if (access(path, F_OK))
		return 0;
	for (;;) {
		if (dq_cg_read(name, "cgroup.procs", procs, sizeof(procs)) < 0)
			procs[0] = '\0';
		for (line = strtok_r(procs, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			dq_cg_move("", (pid_t)atoi(line));
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		/* Dying processes leave a group only once they are reaped. */
		if (errno != EBUSY || dq_now_ms() >= deadline)
			return -errno;
		dq_sleep_ms(50);
	}
}

int dq_cg_write(const char *name, const char *file, const char *value)
{
	char path[PATH_MAX];

	cg_path(path, sizeof(path), name, file);
	return dq_write_file(path, value, strlen(value));
}

int dq_cg_read(const char *name, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];

	cg_path(path, sizeof(path), name, file);
	return dq_read_file(path, buf, size);
}

int dq_cg_read_u64(const char *name, const char *file, uint64_t *val)
{
	char buf[64];
	int err = dq_cg_read(name, file, buf, sizeof(buf));

	if (err < 0)
		return err;
	if (!strncmp(buf, "max", 3)) {
		*val = UINT64_MAX;
		return 0;
	}
	return sscanf(buf, "%" SCNu64, val) == 1 ? 0 : -EBADMSG;
}

int dq_cg_read_key(const char *name, const char *file, const char *key,
		   uint64_t *val)
{
	size_t len = strlen(key);
	char buf[4096], *line, *save;
	int err = dq_cg_read(name, file, buf, sizeof(buf));

	if (err < 0)
		return err;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, len) && line[len] == ' ')
			return sscanf(line + len + 1, "%" SCNu64, val) == 1 ?
			       0 : -EBADMSG;
	}
	return -ENOENT;
}

int dq_cg_move(const char *name, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid ? pid : getpid());
	return dq_cg_write(name, "cgroup.procs", buf);
}
