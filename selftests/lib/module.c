// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload through finit_module(2) and delete_module(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "module.h"
#include "sysfs.h"

const char *dq_module_path(void)
{
	const char *path = getenv("DIOWQ_KO");

	return path && *path ? path : NULL;
}

int dq_module_load(const char *params)
{
	const char *path = dq_module_path();
	int fd, ret;

	if (!path)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	if (ret)
		ret = -errno;
	close(fd);
	return ret;
}

int dq_module_unload(void)
{
	if (syscall(SYS_delete_module, DQ_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

bool dq_module_loaded(void)
{
	return dq_path_exists("/sys/module/" DQ_MODULE_NAME);
}
