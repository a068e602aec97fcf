// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch latency: how long an async direct-I/O write completion waits
 * between being queued and its work starting to run, per CPU, for the
 * filesystems being watched. It tells an operator whether the completions
 * are starved before and after tuning, without changing any queue.
 *
 * How a completion is seen
 * ------------------------
 * iomap queues every async dio write completion as a work item whose
 * function is iomap_dio_complete_work (static in fs/iomap/direct-io.c).
 * Two probes on the workqueue tracepoints see it:
 *
 *   workqueue_queue_work     stamp the work with the time it was queued
 *   workqueue_execute_start  take the stamp, account the delay on this CPU
 *
 * The function's address is looked up once, by name, through a kprobe that
 * is registered disabled (so no text is patched) and unregistered at once:
 * kallsyms_lookup_name() is not exported. Which filesystem a completion
 * belongs to is read at execute time through the dio's iocb (compat.h).
 *
 * Stamps live in a fixed table indexed by a hash of the work's address.
 * A slot is one 64-bit word holding the time and a tag from the address,
 * written and taken with single atomic operations, so no lock is needed
 * between the CPU that queues and the one that runs the work (different
 * ones for unbound queues). A collision overwrites a stamp; the execution
 * then finds no matching tag and is counted as unmatched, not measured.
 *
 * Per-CPU statistics are written only by the probes on that CPU, with
 * preemption disabled by the probes themselves: 6.1 and 6.12 run
 * tracepoint probes so already, but the probes must not depend on it
 * (newer kernels run them under a preemptible SRCU guard, and
 * workqueue_execute_start fires with interrupts on). Readers on
 * other CPUs see each counter whole (64-bit loads) but not a snapshot of
 * all of them together, which statistics do not need.
 *
 * Probe lifetime
 * --------------
 * The probes are registered while something is watched, and only then:
 * every queue_work() in the system pays for them. diowq_watch_lock
 * serializes watch changes and (un)registration. A probe may still be
 * running just after it is unregistered; it only touches this file's
 * static data, so that is harmless until the module goes away, and
 * diowq_latency_exit() waits for it with tracepoint_synchronize_unregister().
 * Registering again first waits for the old probes the same way, so the
 * statistics are reset while no probe can run.
 *
 * Lock order: diowq_state_lock -> diowq_watch_lock (an untune ends the
 * watch of its filesystem) -> tracepoints_mutex. Unregistering waits for no
 * grace period, so the unmount hook, which untunes, stays quick.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>

#include "diowq.h"

#define DIOWQ_DIO_WORK_FN "iomap_dio_complete_work"

struct pool_workqueue;	/* private to kernel/workqueue.c; never looked at */

/* Stamp table: 2^12 slots, far more than completions ever in flight. */
#define DIOWQ_STAMP_BITS	12
#define DIOWQ_TIME_BITS		40	/* ns: wraps after 18 minutes */
#define DIOWQ_TAG_BITS		(64 - DIOWQ_TIME_BITS)
#define DIOWQ_TIME_MASK		((1ULL << DIOWQ_TIME_BITS) - 1)
#define DIOWQ_TAG_MASK		((1ULL << DIOWQ_TAG_BITS) - 1)

static atomic64_t diowq_stamps[1 << DIOWQ_STAMP_BITS];

struct diowq_cpu_latency {
	u64 completions;
	u64 sum_ns;
	u64 max_ns;
	u64 hist[DIOWQ_LATENCY_BUCKETS];
	u64 probe_ns;		/* this_cpu_add(): both probes write them */
	u64 probe_hits;
	u64 unmatched;
	dev_t last_dev;		/* of the last completion measured here */
	pid_t worker_pid;
	int worker_nice;
};

static DEFINE_PER_CPU(struct diowq_cpu_latency, diowq_cpu_latency);

/* What is watched: read by the probes without a lock, see below. */
static bool diowq_watch_all;
static unsigned int diowq_nr_watched;
static dev_t diowq_watched[DIOWQ_WATCH_MAX];

static DEFINE_MUTEX(diowq_watch_lock);
static work_func_t diowq_dio_work_fn;	/* resolved once, then constant */
static struct tracepoint *diowq_tp_queue, *diowq_tp_execute;
static bool diowq_probes_on;
static bool diowq_probes_ever;		/* registered since module load */

static atomic64_t *diowq_stamp_slot(struct work_struct *work, u64 *tag)
{
	u64 h = hash_64((unsigned long)work, DIOWQ_STAMP_BITS + DIOWQ_TAG_BITS);

	*tag = (h >> DIOWQ_STAMP_BITS) | 1;	/* never 0: 0 is an empty slot */
	return &diowq_stamps[h & ((1 << DIOWQ_STAMP_BITS) - 1)];
}

/*
 * The watch list is changed under diowq_watch_lock with single-word writes
 * and read here without it: a probe racing with a change may measure one
 * completion more or less, never touch memory that is not ours.
 */
static bool diowq_dev_watched(dev_t dev)
{
	unsigned int i, n = min_t(unsigned int, READ_ONCE(diowq_nr_watched),
				  DIOWQ_WATCH_MAX);

	if (READ_ONCE(diowq_watch_all))
		return true;
	for (i = 0; i < n; i++)
		if (READ_ONCE(diowq_watched[i]) == dev)
			return true;
	return false;
}

/* Called for every queue_work() in the system: return fast. */
static void diowq_probe_queue(void *data, int req_cpu,
			      struct pool_workqueue *pwq,
			      struct work_struct *work)
{
	u64 now, tag;
	atomic64_t *slot;

	if (READ_ONCE(work->func) != diowq_dio_work_fn)
		return;
	preempt_disable_notrace();
	now = ktime_get_mono_fast_ns();
	slot = diowq_stamp_slot(work, &tag);
	atomic64_set(slot, (now & DIOWQ_TIME_MASK) << DIOWQ_TAG_BITS | tag);
	this_cpu_inc(diowq_cpu_latency.probe_hits);
	this_cpu_add(diowq_cpu_latency.probe_ns,
		     ktime_get_mono_fast_ns() - now);
	preempt_enable_notrace();
}

/*
 * At execute start the work has not run yet, so its dio, the dio's iocb
 * and the iocb's file are all still alive (the file is put by the
 * completion itself).
 */
static dev_t diowq_dio_dev(struct work_struct *work)
{
	struct diowq_iomap_dio *dio =
		container_of(work, struct diowq_iomap_dio, aio.work);

	return file_inode(dio->iocb->ki_filp)->i_sb->s_dev;
}

static void diowq_account(struct diowq_cpu_latency *lat, u64 delay, dev_t dev)
{
	unsigned int bucket = min_t(unsigned int, fls64(delay),
				    DIOWQ_LATENCY_BUCKETS - 1);

	lat->completions++;
	lat->sum_ns += delay;
	lat->hist[bucket]++;
	if (delay > READ_ONCE(lat->max_ns))
		WRITE_ONCE(lat->max_ns, delay);
	lat->last_dev = dev;
	lat->worker_pid = current->pid;
	lat->worker_nice = task_nice(current);
}

static void diowq_probe_execute(void *data, struct work_struct *work)
{
	struct diowq_cpu_latency *lat;
	u64 now, stamp, tag;
	atomic64_t *slot;
	bool matched;
	dev_t dev;

	if (READ_ONCE(work->func) != diowq_dio_work_fn)
		return;
	/* The statistics of this CPU, and current's, stay ours meanwhile. */
	preempt_disable_notrace();
	now = ktime_get_mono_fast_ns();
	slot = diowq_stamp_slot(work, &tag);
	stamp = atomic64_read(slot);
	/* Take the slot even for a filesystem not watched: keep it clean. */
	matched = (stamp & DIOWQ_TAG_MASK) == tag &&
		  atomic64_cmpxchg(slot, stamp, 0) == stamp;
	dev = diowq_dio_dev(work);
	lat = this_cpu_ptr(&diowq_cpu_latency);
	if (diowq_dev_watched(dev)) {
		if (matched)
			diowq_account(lat, (now - (stamp >> DIOWQ_TAG_BITS)) &
					   DIOWQ_TIME_MASK, dev);
		else
			this_cpu_inc(diowq_cpu_latency.unmatched);
	}
	this_cpu_inc(diowq_cpu_latency.probe_hits);
	this_cpu_add(diowq_cpu_latency.probe_ns,
		     ktime_get_mono_fast_ns() - now);
	preempt_enable_notrace();
}

/*
 * Look the completion function up by name. A kprobe registered disabled
 * resolves the symbol (kallsyms, with the kernel's own checks) and arms
 * nothing. Its address may lie past the function's start (an IBT landing
 * pad is skipped), so take the start from the symbol's offset.
 */
static int diowq_resolve_dio_work_fn(void)
{
	struct kprobe kp = {
		.symbol_name = DIOWQ_DIO_WORK_FN,
		.flags = KPROBE_FLAG_DISABLED,
	};
	const size_t len = strlen(DIOWQ_DIO_WORK_FN);
	char sym[KSYM_SYMBOL_LEN];
	unsigned long addr, offset;
	int err;

	if (diowq_dio_work_fn)
		return 0;
	err = register_kprobe(&kp);
	if (err) {
		pr_warn("%s not found (%d): dispatch latency unavailable\n",
			DIOWQ_DIO_WORK_FN, err);
		return -EOPNOTSUPP;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	sprint_symbol(sym, addr);	/* "name+0xoff/0xsize" */
	if (strncmp(sym, DIOWQ_DIO_WORK_FN, len) || sym[len] != '+' ||
	    sscanf(sym + len + 1, "%lx/", &offset) != 1 || offset > addr) {
		pr_warn("%s resolved to %s: dispatch latency unavailable\n",
			DIOWQ_DIO_WORK_FN, sym);
		return -EOPNOTSUPP;
	}
	diowq_dio_work_fn = (work_func_t)(addr - offset);
	return 0;
}

struct diowq_tp_wanted {
	struct tracepoint **queue, **execute;
};

static void diowq_tp_match(struct tracepoint *tp, void *priv)
{
	struct diowq_tp_wanted *wanted = priv;

	if (!strcmp(tp->name, "workqueue_queue_work"))
		*wanted->queue = tp;
	else if (!strcmp(tp->name, "workqueue_execute_start"))
		*wanted->execute = tp;
}

static void diowq_stats_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&diowq_cpu_latency, cpu), 0,
		       sizeof(struct diowq_cpu_latency));
	memset(diowq_stamps, 0, sizeof(diowq_stamps));
}

static int diowq_probes_start(struct netlink_ext_ack *extack)
{
	struct diowq_tp_wanted wanted = {
		&diowq_tp_queue, &diowq_tp_execute,
	};
	int err;

	lockdep_assert_held(&diowq_watch_lock);
	if (diowq_probes_on)
		return 0;
	err = diowq_resolve_dio_work_fn();
	if (err) {
		NL_SET_ERR_MSG(extack, "iomap_dio_complete_work not found in this kernel");
		return err;
	}
	if (!diowq_tp_queue || !diowq_tp_execute)
		for_each_kernel_tracepoint(diowq_tp_match, &wanted);
	if (!diowq_tp_queue || !diowq_tp_execute) {
		NL_SET_ERR_MSG(extack, "workqueue tracepoints not found");
		return -EOPNOTSUPP;
	}

	/* Probes of an earlier registration may still be finishing. */
	if (diowq_probes_ever)
		tracepoint_synchronize_unregister();
	diowq_stats_reset();

	/*
	 * From the first registration attempt on, a probe of ours may run
	 * (the first one can succeed and the second fail): unload must wait
	 * for probes from now on.
	 */
	diowq_probes_ever = true;
	/* Execute first: a stamp is then never left behind by our start. */
	err = tracepoint_probe_register(diowq_tp_execute,
					diowq_probe_execute, NULL);
	if (err)
		goto fail;
	err = tracepoint_probe_register(diowq_tp_queue, diowq_probe_queue,
					NULL);
	if (err) {
		tracepoint_probe_unregister(diowq_tp_execute,
					    diowq_probe_execute, NULL);
		goto fail;
	}
	WRITE_ONCE(diowq_probes_on, true);
	pr_debug("dispatch latency probes registered\n");
	return 0;

fail:
	NL_SET_ERR_MSG(extack, "cannot register the workqueue tracepoint probes");
	return err;
}

static void diowq_probes_stop(void)
{
	lockdep_assert_held(&diowq_watch_lock);
	if (!diowq_probes_on)
		return;
	/* Only fails for a probe that is not registered: ours are. */
	tracepoint_probe_unregister(diowq_tp_queue, diowq_probe_queue, NULL);
	tracepoint_probe_unregister(diowq_tp_execute, diowq_probe_execute,
				    NULL);
	WRITE_ONCE(diowq_probes_on, false);
	pr_debug("dispatch latency probes unregistered\n");
}

static int diowq_watched_index(dev_t dev)
{
	unsigned int i;

	lockdep_assert_held(&diowq_watch_lock);
	for (i = 0; i < diowq_nr_watched; i++)
		if (diowq_watched[i] == dev)
			return i;
	return -1;
}

static bool diowq_watching_anything(void)
{
	return diowq_watch_all || diowq_nr_watched;
}

/*
 * Watch the filesystem on @dev, or everything with @all. The caller checked
 * that @dev holds a supported filesystem and holds no lock of ours, nor a
 * superblock: registering the probes may wait for a grace period.
 */
static int diowq_watch(dev_t dev, bool all, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&diowq_watch_lock);
	if (!all && diowq_watched_index(dev) >= 0)
		goto out;	/* already: nothing to do */
	if (!all && diowq_nr_watched == DIOWQ_WATCH_MAX) {
		NL_SET_ERR_MSG(extack, "too many filesystems watched: watch all instead");
		err = -ENOSPC;
		goto out;
	}
	err = diowq_probes_start(extack);
	if (err)
		goto out;
	if (all) {
		WRITE_ONCE(diowq_watch_all, true);
	} else {
		WRITE_ONCE(diowq_watched[diowq_nr_watched], dev);
		WRITE_ONCE(diowq_nr_watched, diowq_nr_watched + 1);
	}
out:
	mutex_unlock(&diowq_watch_lock);
	return err;
}

static int diowq_check_fstype(struct super_block *sb,
			      struct netlink_ext_ack *extack)
{
	if (diowq_fstype_supported(sb->s_type))
		return 0;
	NL_SET_ERR_MSG(extack, "filesystem type not supported (xfs and ext4 are)");
	return -EOPNOTSUPP;
}

static void diowq_watched_remove(unsigned int i)
{
	unsigned int last = diowq_nr_watched - 1;

	lockdep_assert_held(&diowq_watch_lock);
	WRITE_ONCE(diowq_watched[i], diowq_watched[last]);
	WRITE_ONCE(diowq_nr_watched, last);
}

/*
 * End the watch of @dev, or with @all the watch of every filesystem; each
 * is a watch of its own ("watching" lists them), so ending one leaves the
 * others, and a tool that watched everything for a while ends just that.
 */
static int diowq_unwatch(dev_t dev, bool all, struct netlink_ext_ack *extack)
{
	int i, err = 0;

	mutex_lock(&diowq_watch_lock);
	i = all ? -1 : diowq_watched_index(dev);
	if (all && diowq_watch_all) {
		WRITE_ONCE(diowq_watch_all, false);
	} else if (i >= 0) {
		diowq_watched_remove(i);
	} else {
		if (all)
			NL_SET_ERR_MSG(extack, "not watching all filesystems");
		else
			NL_SET_ERR_MSG(extack, "not watched");
		err = -ENOENT;
	}
	if (!diowq_watching_anything())
		diowq_probes_stop();
	mutex_unlock(&diowq_watch_lock);
	return err;
}

int diowq_watch_mount(const struct path *path, struct netlink_ext_ack *extack)
{
	struct super_block *sb = path->mnt->mnt_sb;

	return diowq_check_mount_root(path, extack) ?:
	       diowq_check_fstype(sb, extack) ?:
	       diowq_watch(sb->s_dev, false, extack);
}

int diowq_unwatch_mount(const struct path *path,
			struct netlink_ext_ack *extack)
{
	return diowq_check_mount_root(path, extack) ?:
	       diowq_unwatch(path->mnt->mnt_sb->s_dev, false, extack);
}

/* Only a mounted xfs or ext4 can be watched by device number. */
int diowq_watch_dev(dev_t dev, struct netlink_ext_ack *extack)
{
	if (!diowq_with_dev_sb(dev, NULL, NULL)) {
		NL_SET_ERR_MSG(extack, "no xfs or ext4 filesystem on that device");
		return -ENOENT;
	}
	return diowq_watch(dev, false, extack);
}

int diowq_unwatch_dev(dev_t dev, struct netlink_ext_ack *extack)
{
	return diowq_unwatch(dev, false, extack);
}

int diowq_watch_everything(struct netlink_ext_ack *extack)
{
	return diowq_watch(0, true, extack);
}

int diowq_unwatch_everything(struct netlink_ext_ack *extack)
{
	return diowq_unwatch(0, true, extack);
}

/* An untuned or unmounting superblock: its watch, if any, ends with it. */
void diowq_latency_forget(dev_t dev)
{
	int i;

	mutex_lock(&diowq_watch_lock);
	i = diowq_watched_index(dev);
	if (i >= 0) {
		diowq_watched_remove(i);
		if (!diowq_watching_anything())
			diowq_probes_stop();
	}
	mutex_unlock(&diowq_watch_lock);
}

bool diowq_latency_probes_on(void)
{
	return READ_ONCE(diowq_probes_on);
}

void diowq_latency_read_watch(struct diowq_watch_state *state)
{
	int cpu;

	memset(state, 0, sizeof(*state));
	mutex_lock(&diowq_watch_lock);
	state->probes = diowq_probes_on;
	state->all = diowq_watch_all;
	state->nr = diowq_nr_watched;
	memcpy(state->devs, diowq_watched, sizeof(state->devs));
	mutex_unlock(&diowq_watch_lock);

	for_each_possible_cpu(cpu) {
		const struct diowq_cpu_latency *lat =
			per_cpu_ptr(&diowq_cpu_latency, cpu);

		state->probe_ns += READ_ONCE(lat->probe_ns);
		state->probe_hits += READ_ONCE(lat->probe_hits);
		state->unmatched += READ_ONCE(lat->unmatched);
	}
}

/* Copy one CPU's statistics. */
void diowq_latency_read_cpu(int cpu, struct diowq_cpu_stats *stats)
{
	struct diowq_cpu_latency *lat = per_cpu_ptr(&diowq_cpu_latency, cpu);
	int i;

	stats->completions = READ_ONCE(lat->completions);
	stats->sum_ns = READ_ONCE(lat->sum_ns);
	stats->max_ns = READ_ONCE(lat->max_ns);
	for (i = 0; i < DIOWQ_LATENCY_BUCKETS; i++)
		stats->hist[i] = READ_ONCE(lat->hist[i]);
	stats->last_dev = READ_ONCE(lat->last_dev);
	stats->worker_pid = READ_ONCE(lat->worker_pid);
	stats->worker_nice = READ_ONCE(lat->worker_nice);
}

/*
 * Restart a CPU's maximum from 0 once @seen, the value a reader reported,
 * is still it; a larger one that came in meanwhile is kept for the next
 * reader. (The probe's own update is not atomic with this: a maximum
 * written at the very same moment may be lost.)
 */
void diowq_latency_clear_max(int cpu, u64 seen)
{
	cmpxchg64(&per_cpu_ptr(&diowq_cpu_latency, cpu)->max_ns, seen, 0);
}

/* Module unload, after every request is over: no probe outlives us. */
void diowq_latency_exit(void)
{
	mutex_lock(&diowq_watch_lock);
	WRITE_ONCE(diowq_watch_all, false);
	WRITE_ONCE(diowq_nr_watched, 0);
	diowq_probes_stop();
	mutex_unlock(&diowq_watch_lock);
	if (diowq_probes_ever)
		tracepoint_synchronize_unregister();
}
