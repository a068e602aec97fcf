/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel differences. diowq is built against Debian's
 * 6.1, 6.12 and 7.x kernels and is meant to build on v6.8; everything that
 * differs between them is decided here so the rest reads like mainline
 * code. Nothing here depends on a private kernel structure.
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
 * Feature tests, not version tests: Debian backports features into its
 * stable kernels (its 6.12.118 headers have WQ_PERCPU and system_dfl_wq),
 * so kmod/Kbuild greps the headers being built against and defines
 * DIOWQ_HAVE_* for what they declare. The code below turns each into one
 * name the rest of the module uses on every kernel.
 */

/*
 * WQ_PERCPU (mainline v6.17): from 7.x on, alloc_workqueue() WARNs (a
 * panic under panic_on_warn) when given neither WQ_PERCPU nor WQ_UNBOUND,
 * as the default is to become unbound. Before WQ_PERCPU existed, a queue
 * without WQ_UNBOUND was per-CPU: 0 asks for the same queue there.
 */
#ifdef DIOWQ_HAVE_WQ_PERCPU
#define DIOWQ_WQ_PERCPU WQ_PERCPU
#else
#define DIOWQ_WQ_PERCPU 0
#endif

/*
 * system_dfl_wq (v6.17) is the unbound system workqueue's new name; 7.x
 * deprecates system_unbound_wq and complains once when work is queued on
 * it. Same queue, the name the headers prefer.
 */
#ifdef DIOWQ_HAVE_SYSTEM_DFL_WQ
#define diowq_system_unbound_wq system_dfl_wq
#else
#define diowq_system_unbound_wq system_unbound_wq
#endif

/*
 * diowq_sb_init_dio_done_wq(): make sure @sb has the kernel's own
 * s_dio_done_wq, as the first async direct I/O would create it.
 *
 * sb_init_dio_done_wq() is declared in include/linux/fs/super.h from 7.x
 * on: call it, so the queue is exactly the kernel's whatever its flags
 * become. v6.10 to 6.12 export it (GPL) but declare it only in
 * fs/internal.h, and it is private to fs/direct-io.c before: there,
 * replicate it (same name, flags and cmpxchg race handling).
 */
#ifdef DIOWQ_HAVE_SB_INIT_DIO_DONE_WQ
static inline int diowq_sb_init_dio_done_wq(struct super_block *sb)
{
	return sb_init_dio_done_wq(sb);
}
#else
static inline int diowq_sb_init_dio_done_wq(struct super_block *sb)
{
	struct workqueue_struct *wq;

	wq = alloc_workqueue("dio/%s", WQ_MEM_RECLAIM | DIOWQ_WQ_PERCPU, 0,
			     sb->s_id);
	if (!wq)
		return -ENOMEM;
	if (cmpxchg(&sb->s_dio_done_wq, NULL, wq))
		destroy_workqueue(wq);
	return 0;
}
#endif

#endif /* _DIOWQ_COMPAT_H */
