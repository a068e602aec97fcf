/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel version differences. diowq is built against
 * Debian's 6.1 and 6.12 kernels and is meant to build on v6.8; everything
 * that differs between them is decided here so the rest reads like
 * mainline code. Nothing here depends on a private kernel structure.
 */
#ifndef _DIOWQ_COMPAT_H
#define _DIOWQ_COMPAT_H

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

#endif /* _DIOWQ_COMPAT_H */
