// SPDX-License-Identifier: GPL-2.0
/*
 * Mode cgroup: a filesystem's dio completions run in a kthread of ours
 * that lives in a leaf cgroup below a cgroup v2 directory the user names
 * (a pod's), so that their CPU is charged to it. The choice of mechanism,
 * and what was rejected, is in docs/design.md ("Mode cgroup").
 *
 * The pieces
 * ----------
 * - The sentinel: a highpri queue of ours, installed in s_dio_done_wq with
 *   the ordinary swap protocol (swap.c). Whatever is not diverted (the hook
 *   absent, being removed, or refusing) runs there at nice -20: nothing is
 *   ever lost.
 * - The divert set: the sentinels whose items are diverted, an RCU list of
 *   struct diowq_cg keyed by the sentinel's pointer.
 * - The hook: an ftrace ops with IPMODIFY on queue_work_on(), registered
 *   only while a diowq_cg exists. Its handler looks the queue up in the
 *   set and, on a hit, makes queue_work_on() return into
 *   diowq_queue_work_on() instead, with the same arguments; every other
 *   call goes through untouched. iomap queues its completions with
 *   queue_work(sb->s_dio_done_wq, ...), i.e. queue_work_on(); nothing but
 *   dio completions is queued on s_dio_done_wq of the filesystems diowq
 *   tunes (xfs, ext4). The hook is an ftrace ops with SAVE_REGS, which
 *   x86-64 has on every kernel diowq supports.
 * - The thread, one per filesystem: it takes the items off its list and
 *   runs them, as a worker would.
 *
 * Honouring the workqueue core
 * ----------------------------
 * diowq_queue_work_on() does what queue_work_on() does up to the point
 * where the core would insert the item in a pool: it claims the PENDING
 * bit (an item already pending is not queued twice, and false is
 * returned), gives it back for an item disable_work() disabled (6.9+),
 * and with PENDING owned, work->entry is ours, exactly as it is the
 * pool's in the core. The thread, like process_one_work(), reads the
 * function, takes the item off the list (list_del_init: the core WARNs on
 * a non-empty entry when the item is queued again), clears PENDING with a
 * full barrier, so the function may queue the item again and sees
 * everything the queuer did, then calls the function and never touches
 * the item again: it may be freed (iomap frees the dio).
 *
 * What it does not do: an item on our list has no pool, so flush_work()
 * returns at once and cancel_work_sync() cannot steal it, and lockdep's
 * workqueue annotations are absent. The contract is therefore: only items
 * their owner never flushes, cancels or inspects, which holds for iomap's
 * and fs/direct-io.c's completions, the only items on s_dio_done_wq of
 * xfs and ext4 (overlayfs queues others on 6.12+: it is not supported).
 *
 * Why the divert set is race-free
 * -------------------------------
 * An item is added to a thread's list only by diowq_queue_work_on(),
 * between its own lookup in the set and the list_add, inside one RCU
 * read-side section. The handler's lookup only chooses where the call
 * returns to: the set may change before diowq_queue_work_on() runs (the
 * caller may be preempted in between), so it looks again, and on a miss
 * calls queue_work_on() itself, which the handler then lets through to
 * the sentinel, which is alive (below). So after diowq_cg_retire_begin()
 * and one RCU grace period no item can be added to the thread's list any
 * more: stopping the thread then (it drains its list first) runs every
 * diverted item exactly once.
 *
 * Drain protocol (untune, mode switch, unmount, rmmod)
 * ----------------------------------------------------
 * The sentinel is swapped out of s_dio_done_wq like any queue of ours and
 * retired (swap.c): diowq_queue_retire() unpublishes its diowq_cg first,
 * then the retire worker waits for synchronize_rcu() (the divert set, as
 * above) and synchronize_rcu_tasks() (completers and fallbacks preempted
 * while holding the sentinel's pointer), then destroys the diowq_cg
 * (kthread_stop() after the thread has run every item on its list, rmdir
 * of the leaf, the hook's removal queued with the last one) and only then
 * the sentinel (destroy_workqueue() runs what fell through to it). So the
 * kernel's generic_shutdown_super() never sees our sentinel, and no
 * diverted item outlives the queue it was queued on.
 *
 * RCU-tasks is the right wait for a completer preempted between loading
 * s_dio_done_wq and queueing, anywhere on the way through the trampoline,
 * the handler and diowq_queue_work_on(): a task preempted there is a
 * holdout until it switches voluntarily, which nothing on that path does;
 * completers in hard or soft interrupt context are covered by plain RCU.
 * That is also why the thread's list lock is a raw spinlock: on
 * PREEMPT_RT, blocking on a spinlock_t counts as a voluntary switch, and
 * a queuer would sleep in module text. Module text itself is covered by
 * unregister_ftrace_function(), which waits the same way when the last
 * user is gone (diowq_divert_unregister()); unload waits for that.
 *
 * A diowq_cg may also be retired alone while its sentinel lives on
 * (diowq_cg_retire()): the pod watch's fallback keeps the sentinel as the
 * filesystem's highpri queue, and an abandoned sentinel is someone
 * else's. Then one RCU grace period is enough: the sentinel stays alive
 * for whoever still holds its pointer.
 *
 * Getting the thread into the cgroup
 * ----------------------------------
 * Kernel threads cannot be moved with cgroup_attach_task_all() unless a
 * task is already in the target cgroup, and cgroup_attach_task() is not
 * exported. So the module does what the user would do, through the VFS,
 * in the context of the request and with the requester's credentials and
 * cgroup namespace: mkdir <dir>/diowq-<s_id>, write cpu.weight, and write
 * the new thread's pid to the leaf's cgroup.procs. The directory is
 * pinned by the request (struct diowq_cg_req: a path sysfs resolved, or
 * the file of the fd netlink was given), and the leaf is made relative to
 * exactly that directory (diowq_mkdir() checks the parent it finds is the
 * pinned one), so a chroot or mount namespace of the requester is
 * honoured and no path is trusted twice. The cgroup core allows
 * it for a kthread not bound with kthread_bind() (no PF_NO_SETAFFINITY)
 * once it runs its function (before, it refuses: EINVAL); it refuses a
 * leaf the requester's cgroup namespace does not see. The sentinel is
 * published only once the thread is in the leaf, so it never runs a
 * completion elsewhere.
 *
 * The pod's deletion
 * ------------------
 * cgroup v2 removes only a directory without children: while the leaf
 * exists, removing the pod's cgroup fails with EBUSY. A pod is deleted by
 * stopping its tasks first, so a watch (diowq_cg_watch(), every second)
 * looks for the pod to have had tasks of its own and then none, twice in
 * a row, and falls back (registry.c, diowq_cg_fall_back()): the sentinel
 * stays as the filesystem's queue, in mode highpri, the thread and leaf
 * are retired, and an event says so. The next attempt to remove the pod
 * (kubelet retries) succeeds. A pod whose last task merely restarts for
 * more than that is treated the same: tune it again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-cgroup.h>
#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/trace_recursion.h>
#include <linux/wait.h>

#include "diowq.h"

struct diowq_cg {
	struct workqueue_struct *wq;	/* the sentinel: the set's key */
	struct super_block *sb;		/* only compared, never dereferenced */
	struct list_head node;		/* in diowq_divert_set while published */
	bool published;			/* under diowq_divert_set_lock */
	/*
	 * Raw: taken with interrupts off by queuers in any context, which
	 * on PREEMPT_RT a spinlock_t (a sleeping lock) must not be; and a
	 * queuer must never sleep in module text (RCU-tasks, see above).
	 */
	raw_spinlock_t lock;
	struct list_head items;		/* diverted work items, by ->entry */
	struct task_struct *task;
	struct completion started;	/* the thread function runs */
	u64 diverted;			/* items run; written by the thread */
	struct path leaf;		/* pinned from mkdir to rmdir */
	struct cgroup *leaf_cgrp;	/* pinned; its parent is the pod */
	struct path dir;		/* the requested directory, pinned */
	char *leaf_name;		/* d_path() of the leaf, for readers */
	u32 weight;			/* cpu.weight; see diowq_cg_set_weight() */
	struct delayed_work watch;	/* is the pod emptied? */
	bool pod_was_busy;		/* the watch's, see diowq_cg_watch() */
	unsigned int pod_empty_ticks;
	struct list_head retire_node;	/* on diowq_cg_retired (alone) */
	struct list_head all_node;	/* on diowq_cg_all */
	bool retiring;			/* under diowq_cg_all_lock */
	char s_id[sizeof_field(struct super_block, s_id)];
};

/*
 * Every diowq_cg from its creation to the end of its destruction, so that
 * a request can wait for those of its own superblock being retired.
 */
static LIST_HEAD(diowq_cg_all);
static DEFINE_SPINLOCK(diowq_cg_all_lock);

static LIST_HEAD(diowq_divert_set);
static DEFINE_SPINLOCK(diowq_divert_set_lock);

/*
 * The hook's registration. diowq_divert_users counts the diowq_cg that
 * exist; the ops is registered from the first one on, and unregistered by
 * diowq_divert_unregister_work once none is left: unregistering waits for
 * RCU-tasks grace periods (seconds when a task in a throttled cgroup is a
 * holdout), which neither a request nor the retire worker should wait
 * for. A request that finds it under way is answered -EAGAIN.
 */
static DEFINE_MUTEX(diowq_divert_lock);
static unsigned int diowq_divert_users;
static bool diowq_divert_filtered;
static bool diowq_divert_registered;
/* Queued or running; cleared when the work is done. */
static bool diowq_divert_unregistering;

/*
 * Retirements under way: a diowq_cg unpublished for good and not yet
 * destroyed, or the hook being unregistered. diowq_cg_settle_wait is
 * woken whenever one ends (diowq_cg_wait_retired()).
 */
static atomic_t diowq_cg_retiring = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(diowq_cg_settle_wait);

/* Caller is in an RCU read-side section. */
static struct diowq_cg *diowq_divert_lookup(struct workqueue_struct *wq)
{
	struct diowq_cg *cg;

	list_for_each_entry_rcu(cg, &diowq_divert_set, node)
		if (cg->wq == wq)
			return cg;
	return NULL;
}

/*
 * Where the hook sends queue_work_on(@cpu, @wq, @work) for a sentinel: the
 * same prototype, and the same return value (false: already pending).
 */
static bool diowq_queue_work_on(int cpu, struct workqueue_struct *wq,
				struct work_struct *work)
{
	struct diowq_cg *cg;
	unsigned long flags;
	bool queued = false;

	rcu_read_lock();
	cg = diowq_divert_lookup(wq);
	if (!cg) {
		/* Unpublished since the handler looked: let the core queue it. */
		rcu_read_unlock();
		return queue_work_on(cpu, wq, work);
	}
	local_irq_save(flags);
	if (!test_and_set_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work))) {
		if (unlikely(diowq_work_disabled(work))) {
			/* As clear_pending_if_disabled(): give PENDING back. */
			clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work));
			/* Ordered as set_work_pool_and_clear_pending() is. */
			smp_mb__after_atomic();
		} else {
			raw_spin_lock(&cg->lock);
			list_add_tail(&work->entry, &cg->items);
			raw_spin_unlock(&cg->lock);
			queued = true;
		}
	}
	local_irq_restore(flags);
	if (queued)
		wake_up_process(cg->task);
	rcu_read_unlock();
	return queued;
}

static void notrace diowq_divert_handler(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct workqueue_struct *wq;
	int bit;

	/* Without the registers, let the call through: the sentinel runs it. */
	if (!regs)
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	wq = (struct workqueue_struct *)regs_get_kernel_argument(regs, 1);
	rcu_read_lock();
	if (diowq_divert_lookup(wq))
		diowq_ftrace_set_ip(fregs, (unsigned long)diowq_queue_work_on);
	rcu_read_unlock();
	ftrace_test_recursion_unlock(bit);
}

/*
 * PERMANENT, as livepatch's: while the hook is registered, the
 * kernel.ftrace_enabled sysctl cannot be turned off (which would let
 * every completion through to the sentinel, silently), and registering
 * fails while it is off.
 */
static struct ftrace_ops diowq_divert_ops = {
	.func = diowq_divert_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_PERMANENT,
};

static void diowq_cg_settle_done(void)
{
	atomic_dec(&diowq_cg_retiring);
	wake_up_all(&diowq_cg_settle_wait);
}

static int diowq_divert_get(struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&diowq_divert_lock);
	if (diowq_divert_unregistering) {
		NL_SET_ERR_MSG(extack, "the queue_work_on() hook is being removed: retry");
		err = -EAGAIN;
		goto out;
	}
	/*
	 * The filter is set once and kept across registrations until
	 * unload: ftrace_free_filter() frees the hash but leaves the ops
	 * pointing at it, so setting a filter again after it would free
	 * the hash a second time.
	 */
	if (!diowq_divert_filtered) {
		err = ftrace_set_filter_ip(&diowq_divert_ops,
					   (unsigned long)queue_work_on, 0, 1);
		diowq_divert_filtered = !err;
	}
	if (!err && !diowq_divert_registered) {
		err = register_ftrace_function(&diowq_divert_ops);
		diowq_divert_registered = !err;
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot hook queue_work_on() with ftrace");
		pr_err("cgroup mode: hooking queue_work_on() failed: %d\n", err);
	} else {
		diowq_divert_users++;
	}
out:
	mutex_unlock(&diowq_divert_lock);
	return err;
}

/*
 * Unregistering waits (ftrace_shutdown()) until no task runs the handler
 * or the trampoline: the last unregistration is also what makes module
 * text safe to free at unload. If it fails (ftrace killed itself after a
 * bug), the ops may still be called: the module pins itself, since
 * freeing its text would crash the next queue_work_on().
 */
static void diowq_divert_unregister(struct work_struct *work)
{
	int err;

	mutex_lock(&diowq_divert_lock);
	if (diowq_divert_users || !diowq_divert_registered) {
		diowq_divert_unregistering = false;
		mutex_unlock(&diowq_divert_lock);
		diowq_cg_settle_done();
		return;
	}
	mutex_unlock(&diowq_divert_lock);

	err = unregister_ftrace_function(&diowq_divert_ops);
	if (err) {
		pr_err("cgroup mode: unhooking queue_work_on() failed: %d; the module stays loaded\n",
		       err);
		__module_get(THIS_MODULE);
	}

	mutex_lock(&diowq_divert_lock);
	/* Failed: it may still be called, and stays registered for us. */
	diowq_divert_registered = err;
	diowq_divert_unregistering = false;
	mutex_unlock(&diowq_divert_lock);
	diowq_cg_settle_done();
}

static DECLARE_WORK(diowq_divert_unregister_work, diowq_divert_unregister);

static void diowq_divert_put(void)
{
	mutex_lock(&diowq_divert_lock);
	if (!--diowq_divert_users && !diowq_divert_unregistering) {
		diowq_divert_unregistering = true;
		atomic_inc(&diowq_cg_retiring);
		queue_work(diowq_system_unbound_wq,
			   &diowq_divert_unregister_work);
	}
	mutex_unlock(&diowq_divert_lock);
}

/*
 * The thread: run every item on the list, in order; exit once asked to
 * and the list is empty. The stop request comes only when nothing can be
 * added any more (see the drain protocol above), so nothing is left.
 *
 * Only its CPU time is the pod's: the I/O a completion issues (an XFS log
 * force for O_DSYNC, ext4's journal) is the shared filesystem's, and is
 * charged to the root's io controller as in a kworker, not throttled by
 * the pod's io.max.
 */
static int diowq_cg_thread(void *arg)
{
	struct diowq_cg *cg = arg;

#ifdef CONFIG_BLK_CGROUP
	kthread_associate_blkcg(blkcg_root_css);
#endif
	complete(&cg->started);
	for (;;) {
		struct work_struct *work = NULL;
		work_func_t fn = NULL;

		set_current_state(TASK_IDLE);
		raw_spin_lock_irq(&cg->lock);
		if (!list_empty(&cg->items)) {
			work = list_first_entry(&cg->items, struct work_struct,
						entry);
			list_del_init(&work->entry);
			/*
			 * As process_one_work(): the function first, then
			 * PENDING; under the lock, so that nothing (an IRQ
			 * on this CPU trying to cancel the item) finds it
			 * off the list and still pending.
			 */
			fn = READ_ONCE(work->func);
			clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work));
			/*
			 * As set_work_pool_and_clear_pending(): a queuer that
			 * sees PENDING clear must find its stores seen by
			 * the function, which it either runs after or is
			 * queued again for.
			 */
			smp_mb__after_atomic();
		}
		raw_spin_unlock_irq(&cg->lock);
		if (!work) {
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		WRITE_ONCE(cg->diverted, cg->diverted + 1);
		fn(work);
		/* @work may be gone now: never touched again. */
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
#ifdef CONFIG_BLK_CGROUP
	/* A kthread must exit without one (free_kthread_struct() WARNs). */
	kthread_associate_blkcg(NULL);
#endif
	return 0;
}

/* Write @val to @file of the directory @dir, as the requesting task. */
static int diowq_cg_write(const struct path *dir, const char *file,
			  const char *val)
{
	struct file *f = file_open_root(dir, file, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/*
 * rmdir the leaf. The thread has exited, but kthread_stop() returns before
 * the exiting task leaves its cgroup (cgroup_exit() comes late in
 * do_exit(), and 7.x unlinks a dead task only after its last switch),
 * and the leaf cannot be removed while populated. How long that takes is
 * not bounded by anything of ours: under the pod's cpu.max on 6.x the
 * exiting thread waits for the group's next quota (a period is at most
 * a second). So retry, every DIOWQ_CG_RMDIR_POLL_MS, for up to
 * DIOWQ_CG_RMDIR_MAX_MS, and say so when it takes long; not for ever: the
 * retire worker, and rmmod behind it, wait for this. A leaf that stays
 * populated (someone wrote a pid into it) is left, and logged. -ENOENT or
 * -EINVAL: someone removed it (or the pod it was in) already.
 */
#define DIOWQ_CG_RMDIR_POLL_MS	20
#define DIOWQ_CG_RMDIR_SLOW_MS	2000
#define DIOWQ_CG_RMDIR_MAX_MS	10000

static void diowq_cg_remove_leaf(struct diowq_cg *cg)
{
	unsigned int waited;
	int err;

	for (waited = 0;; waited += DIOWQ_CG_RMDIR_POLL_MS) {
		err = diowq_rmdir(&cg->leaf);
		if (err != -EBUSY || waited >= DIOWQ_CG_RMDIR_MAX_MS)
			break;
		if (waited == DIOWQ_CG_RMDIR_SLOW_MS)
			pr_info("cgroup mode: %pd is still populated, waiting up to %u s\n",
				cg->leaf.dentry, DIOWQ_CG_RMDIR_MAX_MS / 1000);
		msleep(DIOWQ_CG_RMDIR_POLL_MS);
	}
	if (err == -ENOENT || err == -EINVAL)
		pr_info("cgroup mode: %pd was removed by someone else\n",
			cg->leaf.dentry);
	else if (err)
		pr_err("cgroup mode: cannot remove %pd: %d; remove it by hand to free its parent\n",
		       cg->leaf.dentry, err);
}

/*
 * kthread_stop() returns while the thread is still in do_exit(); it is
 * released (its pid unhashed: /proc/<pid> gone) a little later, usually
 * by the time its leaf could be removed. Wait for that too, as long as
 * for the leaf, so that "untune returned" means "the thread is gone".
 */
static void diowq_cg_wait_released(struct task_struct *task)
{
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(DIOWQ_CG_RMDIR_MAX_MS);

	while (pid_alive(task)) {
		if (time_after(jiffies, deadline)) {
			pr_err("cgroup mode: thread %d has not exited after %u s\n",
			       task_pid_nr(task), DIOWQ_CG_RMDIR_MAX_MS / 1000);
			return;
		}
		usleep_range(500, 2000);
	}
}

static void diowq_cg_free(struct diowq_cg *cg)
{
	if (cg->leaf_cgrp)
		cgroup_put(cg->leaf_cgrp);
	path_put(&cg->dir);
	kfree(cg->leaf_name);
	kfree(cg);
}

static int diowq_cg_write_weight(const struct path *leaf, u32 weight)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", weight);
	return diowq_cg_write(leaf, "cpu.weight", buf);
}

/* The leaf's path as the requester sees it (its root, its mounts). */
static char *diowq_cg_leaf_name(const struct path *leaf)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	char *name, *ret;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	name = d_path(leaf, buf, PATH_MAX);
	if (IS_ERR(name)) {
		ret = name;
	} else {
		ret = kstrdup(name, GFP_KERNEL);
		if (!ret)
			ret = ERR_PTR(-ENOMEM);
	}
	kfree(buf);
	return ret;
}

/*
 * Does a task live below the pod, outside our leaves? Its populated
 * children, less the published leaves below it (populated while their
 * threads live: two filesystems of one pod have two). Tasks in
 * the pod's directory itself are not counted: cgroup v2 allows none once
 * its subtree_control holds cpu, which the leaf's cpu.weight needs. Read
 * without css_set_lock: a snapshot, and the watch wants two in a row.
 */
static bool diowq_cg_pod_busy(struct diowq_cg *cg)
{
	struct cgroup *pod = cgroup_parent(cg->leaf_cgrp);
	struct diowq_cg *leaf;
	int populated;

	if (!pod)
		return true;
	populated = READ_ONCE(pod->nr_populated_domain_children) +
		    READ_ONCE(pod->nr_populated_threaded_children);
	/* Our leaves below the pod, this one's and other filesystems'. */
	rcu_read_lock();
	list_for_each_entry_rcu(leaf, &diowq_divert_set, node)
		if (cgroup_parent(leaf->leaf_cgrp) == pod &&
		    cgroup_is_populated(leaf->leaf_cgrp))
			populated--;
	rcu_read_unlock();
	return populated > 0;
}

/*
 * The pod's deletion (see the top of this file): once the pod had a task
 * of its own and has none left for DIOWQ_CG_EMPTY_TICKS checks in a row,
 * fall back to the sentinel (registry.c), which retires this diowq_cg
 * and its leaf. A request running meanwhile (diowq_cg_fall_back() cannot
 * take diowq_ctl_lock) defers it to the next check.
 */
#define DIOWQ_CG_WATCH_MS	1000
#define DIOWQ_CG_EMPTY_TICKS	2

static void diowq_cg_watch(struct work_struct *work)
{
	struct diowq_cg *cg = container_of(to_delayed_work(work),
					   struct diowq_cg, watch);

	if (diowq_cg_pod_busy(cg)) {
		cg->pod_was_busy = true;
		cg->pod_empty_ticks = 0;
	} else if (cg->pod_was_busy &&
		   ++cg->pod_empty_ticks >= DIOWQ_CG_EMPTY_TICKS &&
		   diowq_cg_fall_back(cg->sb, cg)) {
		return;
	}
	queue_delayed_work(diowq_system_unbound_wq, &cg->watch,
			   msecs_to_jiffies(DIOWQ_CG_WATCH_MS));
}

/*
 * A request's directory must be a cgroup v2 directory: every directory of
 * a cgroup2 mount is a cgroup. The leaf made below it is what the kernel
 * checks further (the cpu controller, the requester's permissions and
 * cgroup namespace).
 */
int diowq_cg_check_dir(const struct path *dir, struct netlink_ext_ack *extack)
{
	if (dir->dentry->d_sb->s_magic != CGROUP2_SUPER_MAGIC) {
		NL_SET_ERR_MSG(extack, "not a cgroup v2 directory");
		return -EINVAL;
	}
	if (!d_is_dir(dir->dentry)) {
		NL_SET_ERR_MSG(extack, "the cgroup is not a directory");
		return -ENOTDIR;
	}
	return 0;
}

/*
 * The leaf's struct cgroup, from the thread just moved into it, checked
 * to be the leaf's by its inode number (kernfs numbers a cgroup's
 * directory inode with the cgroup's id): an admin may have moved the
 * thread on meanwhile.
 */
static int diowq_cg_pin_leaf(struct diowq_cg *cg)
{
	struct cgroup *cgrp;
	int err = -EAGAIN;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(cg->task);
	if (cgroup_ino(cgrp) == d_inode(cg->leaf.dentry)->i_ino &&
	    cgroup_tryget(cgrp)) {
		cg->leaf_cgrp = cgrp;
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/*
 * Make the leaf below @req's directory, its thread in it, and the hook:
 * everything but publishing the sentinel @wq. Called with diowq_ctl_lock
 * held, in the context of the request (as the requester).
 *
 * The hook is taken while the thread still idles in the root cgroup, so
 * that when it cannot be, the thread exits at once and the leaf, never
 * populated, is removed at once: an ordinary refusal (a livepatch on
 * queue_work_on(), the hook being removed) waits for nothing.
 */
struct diowq_cg *diowq_cg_create(struct super_block *sb,
				 struct workqueue_struct *wq,
				 const struct diowq_cg_req *req,
				 struct netlink_ext_ack *extack)
{
	const char *what = "creating the leaf";
	char buf[16];
	struct diowq_cg *cg;
	bool retiring;
	char *name;
	pid_t pid;
	int err;

	cg = kzalloc(sizeof(*cg), GFP_KERNEL);
	if (!cg)
		return ERR_PTR(-ENOMEM);
	cg->wq = wq;
	cg->sb = sb;
	strscpy(cg->s_id, sb->s_id, sizeof(cg->s_id));
	INIT_LIST_HEAD(&cg->node);
	INIT_LIST_HEAD(&cg->items);
	INIT_LIST_HEAD(&cg->retire_node);
	INIT_LIST_HEAD(&cg->all_node);
	raw_spin_lock_init(&cg->lock);
	init_completion(&cg->started);
	INIT_DELAYED_WORK(&cg->watch, diowq_cg_watch);
	cg->dir = req->dir;
	path_get(&cg->dir);
	cg->weight = req->weight;

	/* Spare a leaf and a thread when the hook refuses anyway. */
	if (READ_ONCE(diowq_divert_unregistering)) {
		NL_SET_ERR_MSG(extack, "the queue_work_on() hook is being removed: retry");
		err = -EAGAIN;
		goto err_free;
	}
	/* sysfs: the absolute path it resolved; netlink: relative to the fd. */
	if (req->dfd == AT_FDCWD)
		name = kasprintf(GFP_KERNEL, "%s/" DIOWQ_CG_LEAF_PREFIX "%s",
				 req->dir_name, sb->s_id);
	else
		name = kasprintf(GFP_KERNEL, DIOWQ_CG_LEAF_PREFIX "%s",
				 sb->s_id);
	if (!name) {
		err = -ENOMEM;
		goto err_free;
	}
	/*
	 * A leaf of ours is removed before its retirement stops being
	 * counted: sampled before and after the mkdir, a leaf that exists
	 * and is ours being retired is told from a foreign one.
	 */
	retiring = diowq_cg_retiring_any();
	err = diowq_mkdir(req->dfd, name, &cg->dir, &cg->leaf);
	kfree(name);
	if (err == -EEXIST && (retiring || diowq_cg_retiring_any())) {
		/* Ours, most likely, from a switch or untune just before. */
		NL_SET_ERR_MSG(extack, "a previous leaf is still being removed: retry");
		err = -EAGAIN;
		goto err_free;
	}
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "the leaf cgroup exists and is not ours");
		else if (err == -EAGAIN)
			NL_SET_ERR_MSG(extack, "the cgroup directory changed during the request");
		else
			NL_SET_ERR_MSG(extack, "cannot create the leaf cgroup");
		goto err_free;
	}
	what = "naming the leaf";
	cg->leaf_name = diowq_cg_leaf_name(&cg->leaf);
	if (IS_ERR(cg->leaf_name)) {
		err = PTR_ERR(cg->leaf_name);
		cg->leaf_name = NULL;
		goto err_rmdir;
	}
	what = "setting cpu.weight";
	err = diowq_cg_write_weight(&cg->leaf, cg->weight);
	if (err) {
		if (err == -ENOENT) {
			NL_SET_ERR_MSG(extack, "no cpu controller for the cgroup's children");
			err = -EOPNOTSUPP;
		} else {
			NL_SET_ERR_MSG(extack, "cannot set the leaf's cpu.weight");
		}
		goto err_rmdir;
	}

	what = "creating the thread";
	cg->task = kthread_create(diowq_cg_thread, cg,
				  DIOWQ_CG_THREAD_PREFIX "%s", sb->s_id);
	if (IS_ERR(cg->task)) {
		err = PTR_ERR(cg->task);
		goto err_rmdir;
	}
	/*
	 * A kthread cannot change cgroup until it runs its function
	 * (cgroup_kthread_ready(): until then it must stay in the root).
	 * Nothing is diverted to it before diowq_cg_publish(), so it idles
	 * in the root until it is moved.
	 */
	wake_up_process(cg->task);
	wait_for_completion(&cg->started);

	what = "hooking queue_work_on()";
	err = diowq_divert_get(extack);
	if (err)
		goto err_stop;

	/* The thread as the requester's pid namespace numbers it. */
	what = "moving the thread into the leaf";
	pid = task_pid_vnr(cg->task);
	err = -ESRCH;
	if (pid) {
		snprintf(buf, sizeof(buf), "%d", pid);
		err = diowq_cg_write(&cg->leaf, "cgroup.procs", buf);
	}
	if (!err)
		err = diowq_cg_pin_leaf(cg);
	if (err) {
		if (!pid)
			NL_SET_ERR_MSG(extack, "the thread is outside the caller's pid namespace");
		else if (err == -ENOENT)
			NL_SET_ERR_MSG(extack, "the leaf is outside the caller's cgroup namespace");
		else
			NL_SET_ERR_MSG(extack, "cannot move the thread into the leaf cgroup");
		goto err_unhook;
	}
	spin_lock(&diowq_cg_all_lock);
	list_add_tail(&cg->all_node, &diowq_cg_all);
	spin_unlock(&diowq_cg_all_lock);
	return cg;

err_unhook:
	diowq_divert_put();
err_stop:
	/* Its list is empty: it exits at once. */
	kthread_stop(cg->task);
err_rmdir:
	diowq_cg_remove_leaf(cg);
	path_put(&cg->leaf);
err_free:
	/*
	 * sysfs requests carry no extended ack: say it here; not for
	 * EAGAIN, which its callers retry (diowqctl, every 20 ms).
	 */
	if (err != -EAGAIN)
		pr_warn("%s: mode cgroup below %pd: %s failed: %d\n",
			sb->s_id, req->dir.dentry, what, err);
	diowq_cg_free(cg);
	return ERR_PTR(err);
}

/*
 * Change the leaf's cpu.weight, as the requester; written even when it is
 * the same, which repairs a weight changed by hand. The caller holds
 * diowq_ctl_lock and pins the superblock, so @cg can be retired by nobody
 * meanwhile (only a request, the superblock's unmount and the pod watch,
 * which takes diowq_ctl_lock, retire it).
 */
int diowq_cg_set_weight(struct diowq_cg *cg, u32 weight,
			struct netlink_ext_ack *extack)
{
	int err = diowq_cg_write_weight(&cg->leaf, weight);

	if (err) {
		NL_SET_ERR_MSG(extack, "cannot set the leaf's cpu.weight");
		return err;
	}
	WRITE_ONCE(cg->weight, weight);
	return 0;
}

/* From now on, items queued on the sentinel are diverted. */
void diowq_cg_publish(struct diowq_cg *cg)
{
	spin_lock(&diowq_divert_set_lock);
	list_add_tail_rcu(&cg->node, &diowq_divert_set);
	cg->published = true;
	spin_unlock(&diowq_divert_set_lock);
	queue_delayed_work(diowq_system_unbound_wq, &cg->watch,
			   msecs_to_jiffies(DIOWQ_CG_WATCH_MS));
}

/*
 * For good: no item is diverted any more once an RCU grace period has
 * passed after this (see the top of this file); items queued on the
 * sentinel meanwhile run there. Counted as a retirement under way until
 * diowq_cg_destroy() is done.
 */
void diowq_cg_retire_begin(struct diowq_cg *cg)
{
	spin_lock(&diowq_divert_set_lock);
	if (cg->published)
		list_del_rcu(&cg->node);
	cg->published = false;
	spin_unlock(&diowq_divert_set_lock);
	atomic_inc(&diowq_cg_retiring);
	spin_lock(&diowq_cg_all_lock);
	cg->retiring = true;
	spin_unlock(&diowq_cg_all_lock);
}

/*
 * Run what was diverted, stop the thread, remove the leaf. The caller
 * called diowq_cg_retire_begin() and waited for an RCU grace period
 * since; no lock of ours is held: an item may wait for a frozen
 * filesystem to be thawed.
 */
void diowq_cg_destroy(struct diowq_cg *cg)
{
	struct task_struct *task = cg->task;

	cancel_delayed_work_sync(&cg->watch);
	get_task_struct(task);
	kthread_stop(task);
	/* Cannot happen (the drain protocol); not a WARN: panic_on_warn. */
	if (!list_empty(&cg->items))
		pr_err("cgroup mode: %pd: items left behind by its thread\n",
		       cg->leaf.dentry);
	diowq_cg_remove_leaf(cg);
	diowq_cg_wait_released(task);
	put_task_struct(task);
	path_put(&cg->leaf);
	diowq_divert_put();
	spin_lock(&diowq_cg_all_lock);
	list_del(&cg->all_node);
	spin_unlock(&diowq_cg_all_lock);
	diowq_cg_free(cg);
	diowq_cg_settle_done();
}

/*
 * Retiring a diowq_cg whose sentinel lives on: the pod watch's fallback
 * keeps it as the filesystem's queue, and an abandoned one (swap.c) is
 * someone else's. No allocation: this path must not fail.
 */
static LIST_HEAD(diowq_cg_retired);
static DEFINE_SPINLOCK(diowq_cg_retired_lock);

static void diowq_cg_retire_workfn(struct work_struct *work)
{
	struct diowq_cg *cg, *tmp;
	LIST_HEAD(batch);

	spin_lock(&diowq_cg_retired_lock);
	list_splice_init(&diowq_cg_retired, &batch);
	spin_unlock(&diowq_cg_retired_lock);
	if (list_empty(&batch))
		return;
	/* Nothing is added to their lists any more. */
	synchronize_rcu();
	list_for_each_entry_safe(cg, tmp, &batch, retire_node) {
		list_del(&cg->retire_node);
		diowq_cg_destroy(cg);
	}
}

static DECLARE_WORK(diowq_cg_retire_work, diowq_cg_retire_workfn);

void diowq_cg_retire(struct diowq_cg *cg)
{
	diowq_cg_retire_begin(cg);
	spin_lock(&diowq_cg_retired_lock);
	list_add_tail(&cg->retire_node, &diowq_cg_retired);
	spin_unlock(&diowq_cg_retired_lock);
	queue_work(diowq_system_unbound_wq, &diowq_cg_retire_work);
}

/* Is a retirement under way (a leaf may still exist)? */
bool diowq_cg_retiring_any(void)
{
	return atomic_read(&diowq_cg_retiring) > 0;
}

static bool diowq_cg_sb_retiring(const char *s_id)
{
	struct diowq_cg *cg;
	bool any = false;

	spin_lock(&diowq_cg_all_lock);
	list_for_each_entry(cg, &diowq_cg_all, all_node)
		if (cg->retiring && !strcmp(cg->s_id, s_id))
			any = true;
	spin_unlock(&diowq_cg_all_lock);
	return any;
}

/*
 * Wait until no thread of the superblock @s_id (the name sysfs knows it
 * by; two tuned ones never share it) is being retired, its leaf removed;
 * with @hook, also until the hook is not being removed, so that a cgroup
 * tune after it can take it. Killable: -EINTR then.
 */
int diowq_cg_wait_retired(const char *s_id, bool hook)
{
	if (wait_event_killable(diowq_cg_settle_wait,
				!diowq_cg_sb_retiring(s_id) &&
				!(hook && READ_ONCE(diowq_divert_unregistering))))
		return -EINTR;
	return 0;
}

/*
 * Module unload, after the queues were retired and destroyed: retire
 * what is left alone, then wait for the hook's removal, which also makes
 * module text safe to free (diowq_divert_unregister()).
 */
void diowq_cg_exit(void)
{
	flush_work(&diowq_cg_retire_work);
	flush_work(&diowq_divert_unregister_work);
	if (diowq_divert_registered) {
		pr_err("cgroup mode: the queue_work_on() hook is still registered at unload\n");
		return;
	}
	if (diowq_divert_filtered)
		ftrace_free_filter(&diowq_divert_ops);
}

const char *diowq_cg_leaf(const struct diowq_cg *cg)
{
	return cg->leaf_name;
}

/*
 * The same cgroup however it was named: every mount of the cgroup2
 * hierarchy (another mount namespace's, a container's, a bind mount)
 * shares one kernfs superblock, so one dentry per directory.
 */
bool diowq_cg_same_dir(const struct diowq_cg *cg, const struct path *dir)
{
	return cg->dir.dentry == dir->dentry;
}

u32 diowq_cg_weight(const struct diowq_cg *cg)
{
	return READ_ONCE(cg->weight);
}

u64 diowq_cg_diverted(const struct diowq_cg *cg)
{
	return READ_ONCE(cg->diverted);
}
