// SPDX-License-Identifier: GPL-2.0
/*
 * Restoring the machine between tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"
#include "env.h"
#include "module.h"
#include "util.h"

/* rmmod right after an unmount can race the last superblock reference. */
#define DQ_UNLOAD_RETRY_MS 5000

static int unload_module(void)
{
	uint64_t deadline = dq_now_ms() + DQ_UNLOAD_RETRY_MS;
	int err;

	for (;;) {
		if (!dq_module_loaded())
			return 0;
		err = dq_module_unload();
		if (!err || err == -ENOENT)
			return 0;
		if ((err != -EAGAIN && err != -EBUSY) ||
		    dq_now_ms() >= deadline) {
			dq_log("cannot unload diowq: %s", strerror(-err));
			return err;
		}
		dq_sleep_ms(100);
	}
}

int dq_machine_reset(void)
{
	int err, first_err = 0;

	dq_cleanup_run_all();

	err = dq_umount_all();
	if (err) {
		dq_log("reset: unmounting %s/*: %s", DQ_MNT_BASE,
		       strerror(-err));
		first_err = err;
	}

	err = unload_module();
	if (err && !first_err)
		first_err = err;

	/* Tests rely on "/" as cwd: a relative path must not resolve. */
	if (chdir("/") && !first_err)
		first_err = -errno;
	return first_err;
}
