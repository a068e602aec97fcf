// SPDX-License-Identifier: GPL-2.0
/*
 * Mode cgroup (prototype, issue #16): a filesystem's dio completions run in
 * a kthread of ours that lives in a leaf cgroup below a cgroup v2
 * directory the user names (a pod's), so that their CPU is charged to it.
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
 *   dio completions is queued on s_dio_done_wq.
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
 * Why the divert set is race-free
 * -------------------------------
 * An item is added to a thread's list only by diowq_queue_work_on(),
 * between its own lookup in the set and the list_add, inside one RCU
 * read-side section. The handler's lookup only chooses where the call
 * returns to: the set may change before diowq_queue_work_on() runs (the
 * caller may be preempted in between), so it looks again, and on a miss
 * calls queue_work_on() itself, which the handler then lets through to
 * the sentinel, which is alive (below). So after diowq_cg_unpublish() and
 * one RCU grace period no item can be added to the thread's list any
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
 * of the leaf, the hook unregistered with the last one) and only then the
 * sentinel (destroy_workqueue() runs what fell through to it). So the
 * kernel's generic_shutdown_super() never sees our sentinel, and no
 * diverted item outlives the queue it was queued on.
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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/trace_recursion.h>

#include "diowq.h"

struct diowq_cg {
	struct workqueue_struct *wq;	/* the sentinel: the set's key */
	struct list_head node;		/* in diowq_divert_set while published */
	bool published;			/* under diowq_divert_set_lock */
	spinlock_t lock;		/* items */
	struct list_head items;		/* diverted work items, by ->entry */
	struct task_struct *task;
	struct completion started;	/* the thread function runs */
	unsigned long diverted;		/* items run; written by the thread */
	struct path leaf;		/* pinned from mkdir to rmdir */
	struct path dir;		/* the requested directory, pinned */
	char *leaf_name;		/* d_path() of the leaf, for readers */
	u32 weight;			/* cpu.weight; see diowq_cg_set_weight() */
};

static LIST_HEAD(diowq_divert_set);
static DEFINE_SPINLOCK(diowq_divert_set_lock);

/* How many diowq_cg exist; the hook is registered while non-zero. */
static DEFINE_MUTEX(diowq_divert_lock);
static unsigned int diowq_divert_users;
static bool diowq_divert_filtered;

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
			spin_lock(&cg->lock);
			list_add_tail(&work->entry, &cg->items);
			spin_unlock(&cg->lock);
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

static struct ftrace_ops diowq_divert_ops = {
	.func = diowq_divert_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static int diowq_divert_get(struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&diowq_divert_lock);
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
	if (!err && !diowq_divert_users)
		err = register_ftrace_function(&diowq_divert_ops);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot hook queue_work_on() with ftrace");
		pr_err("cgroup mode: hooking queue_work_on() failed: %d\n", err);
	} else {
		diowq_divert_users++;
	}
	mutex_unlock(&diowq_divert_lock);
	return err;
}

static void diowq_divert_put(void)
{
	mutex_lock(&diowq_divert_lock);
	if (!--diowq_divert_users)
		unregister_ftrace_function(&diowq_divert_ops);
	mutex_unlock(&diowq_divert_lock);
}

/* Module unload, after every diowq_cg was destroyed. */
void diowq_cg_exit(void)
{
	if (diowq_divert_filtered)
		ftrace_free_filter(&diowq_divert_ops);
}

/*
 * The thread: run every item on the list, in order; exit once asked to
 * and the list is empty. The stop request comes only when nothing can be
 * added any more (see the drain protocol above), so nothing is left.
 */
static int diowq_cg_thread(void *arg)
{
	struct diowq_cg *cg = arg;

	complete(&cg->started);
	for (;;) {
		struct work_struct *work = NULL;
		work_func_t fn;

		set_current_state(TASK_IDLE);
		spin_lock_irq(&cg->lock);
		if (!list_empty(&cg->items)) {
			work = list_first_entry(&cg->items, struct work_struct,
						entry);
			list_del_init(&work->entry);
		}
		spin_unlock_irq(&cg->lock);
		if (!work) {
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		/* As process_one_work(): the function first, then PENDING. */
		fn = READ_ONCE(work->func);
		clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work));
		/*
		 * As set_work_pool_and_clear_pending(): a queuer that sees
		 * PENDING clear must find its stores seen by the function,
		 * which it either runs after or is queued again for.
		 */
		smp_mb__after_atomic();
		WRITE_ONCE(cg->diverted, cg->diverted + 1);
		fn(work);
		/* @work may be gone now: never touched again. */
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
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
 * do_exit()), and the leaf cannot be removed while populated: retry for a
 * while.
 */
static void diowq_cg_remove_leaf(struct diowq_cg *cg)
{
	int err, tries;

	for (tries = 0; tries < 100; tries++) {
		err = diowq_rmdir(&cg->leaf);
		if (err != -EBUSY)
			break;
		msleep(20);
	}
	if (err)
		pr_err("cgroup mode: cannot remove %pd: %d\n", cg->leaf.dentry,
		       err);
}

static void diowq_cg_free(struct diowq_cg *cg)
{
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
	ret = IS_ERR(name) ? name : kstrdup(name, GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
	kfree(buf);
	return ret;
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
 * Make the leaf below @req's directory, its thread in it, and the hook:
 * everything but publishing the sentinel @wq. Called with diowq_ctl_lock
 * held, in the context of the request (as the requester).
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
	INIT_LIST_HEAD(&cg->node);
	INIT_LIST_HEAD(&cg->items);
	spin_lock_init(&cg->lock);
	init_completion(&cg->started);
	cg->dir = req->dir;
	path_get(&cg->dir);
	cg->weight = req->weight;

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
	 * A leaf of ours is removed by the retire worker before it stops
	 * counting its queue: sampled before and after the mkdir, a leaf
	 * that exists and is ours being retired is told from a foreign one.
	 */
	retiring = diowq_retire_cgroups_pending();
	err = diowq_mkdir(req->dfd, name, &cg->dir, &cg->leaf);
	kfree(name);
	if (err == -EEXIST && (retiring || diowq_retire_cgroups_pending())) {
		/* Ours, most likely, from a switch or untune just before. */
		NL_SET_ERR_MSG(extack, "a previous leaf is still being removed: retry");
		err = -EAGAIN;
		goto err_free;
	}
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "the leaf cgroup already exists");
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
	/* The thread as the requester's pid namespace numbers it. */
	what = "moving the thread into the leaf";
	pid = task_pid_vnr(cg->task);
	err = -ESRCH;
	if (pid) {
		snprintf(buf, sizeof(buf), "%d", pid);
		err = diowq_cg_write(&cg->leaf, "cgroup.procs", buf);
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot move the thread into the leaf cgroup");
		goto err_stop;
	}
	what = "hooking queue_work_on()";
	err = diowq_divert_get(extack);
	if (err)
		goto err_stop;
	return cg;

err_stop:
	/* Its list is empty: it exits at once. */
	kthread_stop(cg->task);
err_rmdir:
	diowq_cg_remove_leaf(cg);
	path_put(&cg->leaf);
err_free:
	/* sysfs requests carry no extended ack: say it here. */
	pr_warn("%s: mode cgroup below %pd: %s failed: %d\n", sb->s_id,
		req->dir.dentry, what, err);
	diowq_cg_free(cg);
	return ERR_PTR(err);
}

/*
 * Change the leaf's cpu.weight, as the requester. The caller holds
 * diowq_ctl_lock and pins the superblock, so @cg can be retired by nobody
 * meanwhile (only a request or the superblock's unmount retire it).
 */
int diowq_cg_set_weight(struct diowq_cg *cg, u32 weight,
			struct netlink_ext_ack *extack)
{
	int err;

	if (cg->weight == weight)
		return 0;
	err = diowq_cg_write_weight(&cg->leaf, weight);
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
}

/*
 * No item is diverted any more once an RCU grace period has passed after
 * this (see the top of this file); items queued on the sentinel meanwhile
 * run there.
 */
void diowq_cg_unpublish(struct diowq_cg *cg)
{
	spin_lock(&diowq_divert_set_lock);
	if (cg->published)
		list_del_rcu(&cg->node);
	cg->published = false;
	spin_unlock(&diowq_divert_set_lock);
}

/*
 * Run what was diverted, stop the thread, remove the leaf. The caller
 * unpublished @cg (or never published it) and waited for an RCU grace
 * period since; no lock of ours is held: an item may wait for a frozen
 * filesystem to be thawed.
 */
void diowq_cg_destroy(struct diowq_cg *cg)
{
	kthread_stop(cg->task);
	WARN_ON_ONCE(!list_empty(&cg->items));
	diowq_cg_remove_leaf(cg);
	path_put(&cg->leaf);
	diowq_divert_put();
	diowq_cg_free(cg);
}

const char *diowq_cg_leaf(const struct diowq_cg *cg)
{
	return cg->leaf_name;
}

bool diowq_cg_same_dir(const struct diowq_cg *cg, const struct path *dir)
{
	return path_equal(&cg->dir, dir);
}

u32 diowq_cg_weight(const struct diowq_cg *cg)
{
	return READ_ONCE(cg->weight);
}

unsigned long diowq_cg_diverted(const struct diowq_cg *cg)
{
	return READ_ONCE(cg->diverted);
}
