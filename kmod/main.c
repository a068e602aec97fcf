// SPDX-License-Identifier: GPL-2.0
/*
 * diowq: keep direct-I/O write completions from being CPU-starved.
 *
 * Async O_DIRECT writes through iomap complete in a per-CPU kworker at nice
 * 0 in the root cgroup, on the superblock's s_dio_done_wq; a busy submitter
 * in a heavily weighted cgroup starves it. diowq gives chosen superblocks a
 * dedicated high-priority completion queue instead. This file only wires
 * the pieces together:
 *
 *   registry.c   known superblocks, tune/untune, the locking protocol
 *   swap.c       queue creation, the swap, safe retirement
 *   unmount.c    the unmount hook (fsnotify FS_UNMOUNT mark)
 *   sysfs.c      /sys/fs/diowq
 *   netlink.c    the "diowq" generic netlink family
 *   autotune.c   auto_fstypes and the rescan
 *
 * Measuring the dispatch latency of completions needs no module: diowqctl
 * does it with a BPF program (tools/src/bpf/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include <uapi/diowq.h>

#include "diowq.h"

enum diowq_mode diowq_default_mode = DIOWQ_MODE_HIGHPRI;

/*
 * Load-time only, hence mode 0: the live values are in /sys/fs/diowq, and
 * a stale copy under /sys/module would be a second source of truth.
 */
static char *auto_fstypes = "";
module_param(auto_fstypes, charp, 0);
MODULE_PARM_DESC(auto_fstypes,
		 "Comma-separated filesystem types to tune automatically (xfs,ext4)");

static char *default_mode = DIOWQ_MODE_HIGHPRI_NAME;
module_param(default_mode, charp, 0);
MODULE_PARM_DESC(default_mode,
		 "Queue mode when none is given: highpri (default) or unbound");

/*
 * Module unload, and a load that fails once requests could arrive. The
 * order matters: stop taking sysfs requests, stop the rescan, refuse
 * netlink requests and put every kernel queue back (listeners get an event
 * each), unregister the family, wait for our queues to be destroyed and
 * our sysfs directories released, then for our fsnotify marks to be freed
 * (after which no handler of ours can run).
 */
static void diowq_shutdown(bool netlink_registered)
{
	diowq_sysfs_exit_begin();
	diowq_auto_stop();
	diowq_requests_stop();
	if (netlink_registered)
		diowq_netlink_exit();
	diowq_retire_flush();
	diowq_cg_exit();
	diowq_queues_exit();
	diowq_sysfs_exit_end();
	diowq_unmount_watch_exit();
}

/*
 * Everything that can fail slowly comes first, before anyone can send a
 * request: parsing auto_fstypes may load a filesystem module, which can
 * take long and fail. The parsed list is installed before sysfs shows it,
 * so a write to auto_fstypes that comes in meanwhile wins, as one to
 * default_mode does. Then the entry points; the family is registered
 * last, and should that fail, sysfs may have taken requests meanwhile, so
 * the error path is the whole of unload. Only then does the first rescan
 * tune what the list names.
 */
static int __init diowq_init(void)
{
	struct diowq_auto_list auto_list;
	int err;

	err = diowq_mode_parse(default_mode, &diowq_default_mode);
	/* Mode cgroup needs a cgroup per request: never a default. */
	if (!err && diowq_default_mode == DIOWQ_MODE_CGROUP) {
		diowq_default_mode = DIOWQ_MODE_HIGHPRI;
		err = -EINVAL;
	}
	if (err) {
		pr_err("default_mode=%s: expected %s or %s\n", default_mode,
		       DIOWQ_MODE_HIGHPRI_NAME, DIOWQ_MODE_UNBOUND_NAME);
		return err;
	}
	err = diowq_auto_parse(auto_fstypes, &auto_list);
	if (err) {
		pr_err("auto_fstypes=%s: %s\n", auto_fstypes,
		       err == -EOPNOTSUPP ? "only xfs and ext4 are supported" :
					    "expected a comma-separated list of types");
		/* A bad module parameter is EINVAL, whatever was wrong. */
		return err == -EOPNOTSUPP ? -EINVAL : err;
	}

	err = diowq_unmount_watch_init();
	if (err) {
		diowq_auto_list_release(&auto_list);
		return err;
	}
	/* Cannot fail: only unload stops auto-tuning. */
	mutex_lock(&diowq_ctl_lock);
	diowq_auto_install(&auto_list);
	mutex_unlock(&diowq_ctl_lock);

	err = diowq_sysfs_init();
	if (err)
		goto err_auto;
	err = diowq_netlink_init();
	if (err) {
		diowq_shutdown(false);
		return err;
	}
	diowq_auto_start();
	pr_info("version %s loaded\n", DIOWQ_VERSION);
	return 0;

err_auto:
	diowq_auto_stop();
	diowq_unmount_watch_exit();
	return err;
}

static void __exit diowq_exit(void)
{
	diowq_shutdown(true);
	pr_info("unloaded\n");
}

module_init(diowq_init);
module_exit(diowq_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Dedicated direct-I/O completion workqueues for chosen filesystems");
MODULE_VERSION(DIOWQ_VERSION);
