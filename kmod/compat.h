/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel version differences. diowq is built against
 * Debian's 6.1 and 6.12 kernels and is meant to build on v6.8; everything
 * that differs between them is decided here so the rest reads like
 * mainline code.
 */
#ifndef _DIOWQ_COMPAT_H
#define _DIOWQ_COMPAT_H

#include <linux/fs.h>
#include <linux/version.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#define DIOWQ_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/*
 * Workqueue names are truncated to WQ_NAME_LEN - 1 characters. The limit
 * is private to kernel/workqueue.c: 24 in v6.1, 32 in v6.12 (which also
 * warns when truncating). Compose names within the smaller limit so a
 * queue is called the same on every kernel and never truncated.
 */
#define DIOWQ_WQ_NAME_LEN 24

/*
 * sb_init_dio_done_wq() is exported (GPL) from v6.10 on, but declared only
 * in fs/internal.h, and it is private to fs/direct-io.c before: diowq
 * replicates it (swap.c) instead of calling it on any version.
 */

/*
 * struct iomap_dio is private to fs/iomap/direct-io.c. The latency probes
 * (latency.c) need its ->iocb to tell which filesystem a completion work
 * belongs to, so they mirror its layout up to aio.work. It is the same in
 * v6.1, v6.8 and v6.12 (only the submit half of the union, which ends
 * before aio.work does, differs). A newer kernel must be checked before
 * this is trusted.
 */
#if !DIOWQ_KERNEL_BEFORE(6, 13)
#error "check struct iomap_dio in fs/iomap/direct-io.c, then update compat.h"
#endif

struct diowq_iomap_dio {
	struct kiocb *iocb;
	const void *dops;
	loff_t i_size;
	loff_t size;
	atomic_t ref;
	unsigned int flags;
	int error;
	size_t done_before;
	bool wait_for_completion;
	union {
		struct {
			void *iter;
			void *waiter;
		} submit;
		struct {
			struct work_struct work;
		} aio;
	};
};

/* The attributes of a dump request: their home moved in v6.6. */
static inline struct nlattr **diowq_dump_attrs(struct netlink_callback *cb)
{
#if DIOWQ_KERNEL_BEFORE(6, 6)
	return genl_dumpit_info(cb)->attrs;
#else
	return genl_info_dump(cb)->attrs;
#endif
}

#endif /* _DIOWQ_COMPAT_H */
