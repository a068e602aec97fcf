// SPDX-License-Identifier: GPL-2.0
/*
 * The queue swap: creating our completion workqueues, installing them in
 * sb->s_dio_done_wq, and retiring them safely.
 *
 * Who touches sb->s_dio_done_wq:
 *  - sb_init_dio_done_wq(), at the first async dio: cmpxchg(NULL -> new);
 *  - generic_shutdown_super(), at unmount: destroy_workqueue() + NULL;
 *  - every dio write completion, from hard/soft irq or from task context
 *    (loop, dm, threaded irqs; preemptible there): a plain load of the
 *    field, then queue_work() on what it loaded;
 *  - diowq, only while the superblock is pinned (registry.c).
 *
 * Install: first make sure the kernel's own queue exists, exactly as
 * sb_init_dio_done_wq() would create it, so the field is never NULL while
 * we own it (a completion would queue_work(NULL)) and the kernel never
 * installs a queue behind our back. Then cmpxchg(kernel's -> ours). The
 * kernel's queue is kept: completions that loaded it before the swap
 * still queue on it, and untune or unmount puts it back.
 *
 * Restore or switch: cmpxchg(ours -> other). A completion may have loaded
 * our pointer just before and be about to queue_work() on it; queueing to
 * a queue that is draining or destroyed WARNs and drops the work, which
 * loses the aio completion and hangs inode_dio_wait() forever. So a queue
 * that was swapped out is retired, not destroyed:
 *  1. synchronize_rcu() waits out completers in irq, softirq and any
 *     preemption-disabled section;
 *  2. synchronize_rcu_tasks() waits until every task has voluntarily
 *     scheduled, which covers a task-context completer preempted between
 *     its load and queue_work();
 *  3. only then can nobody hold the pointer: destroy_workqueue() drains
 *     the works already queued (they run normally) and frees the queue.
 * The retire worker does this for every queue retired so far, so a storm
 * of toggles costs one pair of grace periods per batch, and no lock of
 * ours is held while waiting: a drain can block on a frozen filesystem,
 * whose thaw needs s_umount, which the unmount hook and the rescan hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/diowq.h>

#include "diowq.h"

static const char *const diowq_mode_names[__DIOWQ_MODE_MAX] = {
	[DIOWQ_MODE_HIGHPRI] = DIOWQ_MODE_HIGHPRI_NAME,
	[DIOWQ_MODE_UNBOUND] = DIOWQ_MODE_UNBOUND_NAME,
	[DIOWQ_MODE_CGROUP] = DIOWQ_MODE_CGROUP_NAME,
};

const char *diowq_mode_name(enum diowq_mode mode)
{
	return diowq_mode_names[mode];
}

int diowq_mode_parse(const char *name, enum diowq_mode *mode)
{
	int i = match_string(diowq_mode_names, __DIOWQ_MODE_MAX, name);

	if (i < 0)
		return -EINVAL;
	*mode = i;
	return 0;
}

/* The kernel's own queue, created as sb_init_dio_done_wq() does (compat.h). */
int diowq_kernel_queue_ensure(struct super_block *sb)
{
	if (READ_ONCE(sb->s_dio_done_wq))
		return 0;
	return diowq_sb_init_dio_done_wq(sb);
}

/*
 * Every queue of ours that exists, from its creation until it is destroyed
 * (diowq_queues: live, retiring or being destroyed), and the retiring ones:
 * swapped out, waiting for grace periods (pending), or being destroyed by
 * the worker (destroying). All are protected by diowq_queues_lock, which is
 * never held while sleeping on anything else.
 */
static LIST_HEAD(diowq_queues);
static LIST_HEAD(diowq_retire_pending);
static LIST_HEAD(diowq_retire_destroying);
static unsigned int diowq_retire_backlog;
static DEFINE_MUTEX(diowq_queues_lock);

/*
 * Beyond this many queues waiting for their grace periods, requests wait
 * for the retire worker first, so a toggle loop cannot pile up queues
 * (and their workers) faster than RCU-tasks grace periods retire them.
 */
#define DIOWQ_RETIRE_BACKLOG_MAX 16

static void diowq_retire_workfn(struct work_struct *work);
static DECLARE_WORK(diowq_retire_work, diowq_retire_workfn);

/* Is @name the sysfs name of an unbound queue of ours that still exists? */
static bool diowq_sysfs_name_taken(const char *name)
{
	struct diowq_queue *q;

	lockdep_assert_held(&diowq_queues_lock);
	list_for_each_entry(q, &diowq_queues, node)
		if (q->mode == DIOWQ_MODE_UNBOUND && !strcmp(q->name, name))
			return true;
	return false;
}

/*
 * The fallback name diowq-<s_id prefix>.N: "diowq-" + prefix + "." + up to
 * 10 digits + NUL fit in DIOWQ_WQ_NAME_LEN for any N.
 */
#define DIOWQ_WQ_SUFFIXED_PREFIX_LEN \
	(DIOWQ_WQ_NAME_LEN - (int)sizeof(DIOWQ_WQ_PREFIX) - 11)
static_assert(DIOWQ_WQ_SUFFIXED_PREFIX_LEN > 0);

/*
 * Name a new queue diowq-<s_id> and add it to diowq_queues. Unbound queues
 * are registered in sysfs (/sys/devices/virtual/workqueue/<name>), where
 * names must be unique, and alloc_workqueue() fails on a duplicate: another
 * unbound queue of the same superblock may still be retiring, and two long
 * s_ids may share the part that fits. Then pick diowq-<s_id prefix>.N, the
 * first N from @n on that no unbound queue of ours has, live, retiring or
 * abandoned: the check sees every name of ours that exists. Queue creation
 * is serialized by diowq_ctl_lock and the name is listed before the lock
 * is dropped, so nobody of ours can take it before alloc_workqueue() does.
 * Returns the N used, 0 for the plain name.
 */
static unsigned int diowq_queue_name(struct diowq_queue *q,
				     struct super_block *sb, unsigned int n)
{
	lockdep_assert_held(&diowq_ctl_lock);
	if (n)
		scnprintf(q->name, sizeof(q->name), DIOWQ_WQ_PREFIX "%.*s.%u",
			  DIOWQ_WQ_SUFFIXED_PREFIX_LEN, sb->s_id, n);
	else
		scnprintf(q->name, sizeof(q->name), DIOWQ_WQ_PREFIX "%s",
			  sb->s_id);

	mutex_lock(&diowq_queues_lock);
	if (q->mode == DIOWQ_MODE_UNBOUND)
		while (diowq_sysfs_name_taken(q->name))
			scnprintf(q->name, sizeof(q->name),
				  DIOWQ_WQ_PREFIX "%.*s.%u",
				  DIOWQ_WQ_SUFFIXED_PREFIX_LEN, sb->s_id, ++n);
	list_add_tail(&q->node, &diowq_queues);
	mutex_unlock(&diowq_queues_lock);
	return n;
}

/* The queue's workqueue is gone (or never was): its name is free again. */
static void diowq_queue_free(struct diowq_queue *q)
{
	mutex_lock(&diowq_queues_lock);
	list_del(&q->node);
	mutex_unlock(&diowq_queues_lock);
	kfree(q);
}

/*
 * A name can still be taken in sysfs by a queue we no longer list: one
 * abandoned before the module was last loaded. alloc_workqueue() then
 * fails; try the next few names before giving up.
 */
#define DIOWQ_NAME_ATTEMPTS 8

struct diowq_queue *diowq_queue_create(struct super_block *sb,
				       enum diowq_mode mode)
{
	/*
	 * WQ_MEM_RECLAIM as for the kernel's own queue: completions must
	 * make progress under memory pressure (rescuer thread). Mode
	 * cgroup's sentinel is a highpri queue (cgroup.c).
	 */
	unsigned int flags = WQ_MEM_RECLAIM | WQ_HIGHPRI;
	unsigned int n = 0, attempt;
	struct diowq_queue *q;

	if (mode == DIOWQ_MODE_UNBOUND)
		flags |= WQ_UNBOUND | WQ_SYSFS;
	else
		flags |= DIOWQ_WQ_PERCPU;

	for (attempt = 0; attempt < DIOWQ_NAME_ATTEMPTS; attempt++) {
		q = kzalloc(sizeof(*q), GFP_KERNEL);
		if (!q)
			return ERR_PTR(-ENOMEM);
		q->mode = mode;
		INIT_LIST_HEAD(&q->retire_node);
		n = diowq_queue_name(q, sb, n) + 1;

		q->wq = alloc_workqueue("%s", flags, 0, q->name);
		if (q->wq)
			return q;
		diowq_queue_free(q);
		if (mode != DIOWQ_MODE_UNBOUND)
			break;
	}
	return ERR_PTR(-ENOMEM);
}

/*
 * For a queue that was never installed: nobody can hold its pointer, and
 * it is destroyed at once. With a cgroup thread (published for a moment,
 * maybe) it is retired instead: its destruction waits for a grace period,
 * the thread's exit and the leaf's removal, which a refused request must
 * not wait for (netlink handlers never wait, see netlink.c).
 */
void diowq_queue_destroy_unused(struct diowq_queue *q)
{
	if (q->cg) {
		diowq_queue_retire(q);
		return;
	}
	destroy_workqueue(q->wq);
	diowq_queue_free(q);
}

/*
 * For a queue that someone else swapped out of s_dio_done_wq (see
 * diowq_queue_swap()): they may have kept its pointer to put it back
 * later, as we keep the kernel's, so its workqueue is left alive, never
 * destroyed. It stays on diowq_queues, so that its sysfs name stays
 * taken; unload frees only our wrapper (diowq_queues_exit()). A leak on a
 * path that only a second writer of the field can cause, rather than a
 * use after free.
 */
void diowq_queue_abandon(struct diowq_queue *q)
{
	pr_err("leaving workqueue %s to whoever replaced it\n", q->name);
	if (q->cg) {
		/*
		 * Our thread is module text: stop diverting, so what is
		 * still queued on the sentinel runs there, and retire the
		 * thread and its leaf alone; the sentinel is never
		 * destroyed.
		 */
		diowq_cg_retire(q->cg);
		q->cg = NULL;
	}
}

/*
 * Module unload, after diowq_retire_flush(): only abandoned queues are
 * left on the list; drop our wrappers, never their workqueues.
 */
void diowq_queues_exit(void)
{
	struct diowq_queue *q, *tmp;

	mutex_lock(&diowq_queues_lock);
	list_for_each_entry_safe(q, tmp, &diowq_queues, node) {
		list_del(&q->node);
		kfree(q);
	}
	mutex_unlock(&diowq_queues_lock);
}

int diowq_queue_swap(struct super_block *sb, struct workqueue_struct *from,
		     struct workqueue_struct *to)
{
	struct workqueue_struct *seen = cmpxchg(&sb->s_dio_done_wq, from, to);

	if (seen == from)
		return 0;
	/*
	 * Only diowq writes a non-NULL field, under diowq_state_lock, and
	 * the kernel clears it only after our unmount hook ran. Reaching
	 * this means another module swaps the field too: refuse loudly,
	 * but do not WARN (guests run with panic_on_warn).
	 */
	pr_err("%s: s_dio_done_wq changed behind our back, refusing to swap\n",
	       sb->s_id);
	return -EBUSY;
}

void diowq_queue_retire(struct diowq_queue *q)
{
	/* Nothing is diverted to its thread after the worker's grace period. */
	if (q->cg)
		diowq_cg_retire_begin(q->cg);
	mutex_lock(&diowq_queues_lock);
	list_add_tail(&q->retire_node, &diowq_retire_pending);
	diowq_retire_backlog++;
	mutex_unlock(&diowq_queues_lock);
	queue_work(diowq_system_unbound_wq, &diowq_retire_work);
}

static void diowq_retire_workfn(struct work_struct *work)
{
	struct diowq_queue *q, *tmp;

	/*
	 * A work item never runs concurrently with itself, so this run
	 * owns the destroying list; retirements that arrive meanwhile stay
	 * pending and re-queue us.
	 */
	mutex_lock(&diowq_queues_lock);
	list_splice_tail_init(&diowq_retire_pending, &diowq_retire_destroying);
	mutex_unlock(&diowq_queues_lock);

	if (list_empty(&diowq_retire_destroying))
		return;

	synchronize_rcu();
	synchronize_rcu_tasks();

	list_for_each_entry_safe(q, tmp, &diowq_retire_destroying, retire_node) {
		/*
		 * Mode cgroup: its thread runs every item diverted to it
		 * before the sentinel goes (cgroup.c, drain protocol).
		 */
		if (q->cg)
			diowq_cg_destroy(q->cg);
		destroy_workqueue(q->wq);
		mutex_lock(&diowq_queues_lock);
		list_del(&q->retire_node);
		list_del(&q->node);
		diowq_retire_backlog--;
		mutex_unlock(&diowq_queues_lock);
		kfree(q);
	}
}

/*
 * Called by requests before they take any lock: waiting here can last
 * until a frozen filesystem is thawed, and must block nobody else.
 */
void diowq_retire_throttle(void)
{
	bool over;

	mutex_lock(&diowq_queues_lock);
	over = diowq_retire_backlog > DIOWQ_RETIRE_BACKLOG_MAX;
	mutex_unlock(&diowq_queues_lock);
	if (over)
		flush_work(&diowq_retire_work);
}

/* Wait until every queue retired so far is destroyed. */
void diowq_retire_flush(void)
{
	flush_work(&diowq_retire_work);
}
