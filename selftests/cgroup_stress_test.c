// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_stress_test: the stress and safety cases of mode cgroup (issue
 * #16, "Tests"), on XFS and ext4, with an AIO O_DIRECT writer whose every
 * iocb is logged (exactly once) and whose data is verified:
 *
 * - toggles_under_io: DIOWQ_CG_TOGGLES requests (default 500 on each
 *   filesystem, the 1000 per run; DIOWQ_CG_TOGGLES=1000 for 1000
 *   on each) cycling untuned -> cgroup -> highpri -> untuned -> highpri
 *   -> cgroup -> untuned (every transition between the three states)
 *   with one writer running throughout; after each cgroup step the
 *   thread is the leaf's only pid, after each other step there is no
 *   leaf; completions keep landing; at the end no queue is left, the pod
 *   can be removed, the data reads back, the module unloads.
 * - unmount_under_io: a plain umount under I/O is refused (EBUSY) and
 *   changes nothing; a lazy one (umount -l) with the writer still
 *   writing keeps the superblock tuned and its completions diverted
 *   until the last file closes, then the leaf and the thread go.
 * - rmmod_under_io: rmmod with writes in flight returns with the leaf
 *   and the thread gone; the writes go on (on the kernel's queue).
 * - freeze_under_io: FIFREEZE with writes in flight (it waits for their
 *   completions, which our thread runs); while frozen, mode switches
 *   through cgroup/highpri/untune and then rmmod, from another thread,
 *   must finish within FROZEN_MAX_MS; thawed, the writes go on.
 * - cpu_max_others_progress: the pod has cpu.max CPUMAX_QUOTA/PERIOD
 *   (1 % of a CPU) and its own writer (a process in <pod>/app) writes to
 *   the tuned filesystem for a window in which the hung-task detector
 *   can fire (the guest panics on a task blocked for 30 s, which fails
 *   the run): the case has it check every second and keeps the limit
 *   for its timeout + 10 s, 40 s in the rig (DIOWQ_CPUMAX_MS sets the
 *   window, e.g. 60000); meanwhile a writer on another filesystem
 *   (tuned highpri), fsync()ed creates on the pod's own filesystem from
 *   the root cgroup, and a sleeper measuring its wake-up lateness must
 *   all make progress.
 *   It logs what the pod consumed against its quota: on 6.1/6.12 CFS
 *   bandwidth throttles our thread with the pod, on 7.x (per-task
 *   throttling at return to user space) kernel threads are never
 *   throttled. Then it untunes under the limit, the pod's writer still
 *   writing: the request (which waits for the drain) must return within
 *   MAX_UNTUNE_MS.
 * - namespaces: a request from a child pid namespace is refused
 *   (ESRCH: the thread has no pid there); from a child cgroup namespace,
 *   with cgroup2 mounted nsdelegate (as systemd mounts it), both a cgroup
 *   the requester cannot see and one it can are refused (ENOENT: the
 *   thread starts in the root cgroup, outside the namespace, and the
 *   kernel refuses the migration); nothing is left behind. Without
 *   nsdelegate (the rig's mount) a cgroup namespace is no delegation
 *   boundary and the request works: the thread lands in the leaf.
 * - pod_removal_while_tuned: rmdir of the pod, and of the leaf, is
 *   refused (EBUSY) while tuned; cgroup.kill on the pod leaves our
 *   kthread alone, cgroup.freeze does not freeze it (and the pod never
 *   reports itself frozen: cgroup.events "frozen 0"); completions keep
 *   being diverted. If the admin moves the thread out of the leaf and
 *   removes leaf and pod, the later untune still works (it finds the
 *   leaf gone) and nothing is left.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/cgmode.h"
#include "lib/cgroup.h"
#include "lib/diowq_test.h"
#include "lib/fault.h"

#define POD "diowq-spod"
#define POD_DIR DQ_CGROUP_ROOT "/" POD
#define APP POD "/app"
/* The namespace test's own delegated subtree. */
#define NSROOT "diowq-ns"
#define NSPROC NSROOT "/proc"
#define NSPOD NSROOT "/pod"
#define NSPOD_DIR DQ_CGROUP_ROOT "/" NSPOD

#define RUNNING_COMPLETIONS 200
#define PROGRESS_MS 15000
/* The unmount hook retires asynchronously: the leaf goes soon after. */
#define LEAF_GONE_MS 10000

/*
 * The issue asks for 1000: make check runs 500 on each filesystem. A
 * toggle costs ~170 ms in the rig's probes boot (single-threaded TCG,
 * 6.1), nearly all of it leaving mode cgroup (~0.6 s to untuned, ~0.4 s
 * to highpri: the thread stops, the leaf goes, RCU and RCU-tasks grace
 * periods pass); the other four steps take 1-70 ms. The writer's queue
 * depth makes no difference (4 or 32). See the log line for the rate.
 */
#define DEFAULT_TOGGLES 500
/*
 * 1000 toggles at 0.2 s with room to spare; low enough that a stuck case
 * fails alone and the program still ends within the rig's 600 s.
 */
#define TOGGLES_TIMEOUT_S 300
#define PROGRESS_EVERY 30

#define IN_FLIGHT 8
/* Below the guest's 30 s hung-task panic: the writer waits in D state. */
#define FROZEN_MAX_MS 15000
#define QUIET_MS 500

#define CPUMAX_QUOTA_US 1000
#define CPUMAX_PERIOD_US 100000
/*
 * "No task hangs under the limit" needs a window in which the hung-task
 * detector can fire. khungtaskd reports a task blocked for
 * hung_task_timeout_secs (30 s in the rig, which panics), but checks
 * only every timeout by default: a task that blocked at the start of a
 * window was reported 56 s later in the rig. The case has it check every
 * HUNG_CHECK_S (reported after 31.6 s on 6.1, 6.12 and 7.3) and keeps
 * the limit for the timeout + CPUMAX_MARGIN_S, so that a task blocked
 * in the window's first 9 s is reported while the limit is still on.
 */
#define HUNG_TIMEOUT_PATH "/proc/sys/kernel/hung_task_timeout_secs"
#define HUNG_INTERVAL_PATH "/proc/sys/kernel/hung_task_check_interval_secs"
#define HUNG_CHECK_S 1
#define CPUMAX_MARGIN_S 10
/* An untune under the limit, which waits for the drain. */
#define MAX_UNTUNE_MS 10000
/* Well below the guest's 30 s hung-task timeout. */
#define MAX_FSYNC_MS 20000
#define MAX_LATE_MS 10000
#define MIN_NEIGHBOUR_COMPLETIONS 1000ull

struct cgs_env {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	char leaf[128];		/* "diowq-spod/diowq-<s_id>", below the root */
	char leaf_dir[160];	/* its absolute path */
	char comm[96];		/* the thread's comm */
};

static void cgs_cleanup_cgroups(void)
{
	dq_cg_destroy(APP);
	dq_cg_destroy(POD);
	dq_cg_destroy(NSPOD);
	dq_cg_destroy(NSPROC);
	dq_cg_destroy(NSROOT);
}

static int cgs_env_setup(struct cgs_env *env, const char *fstype)
{
	char path[PATH_MAX];
	int err;

	err = dq_machine_reset();
	cgs_cleanup_cgroups();
	if (!err)
		err = dq_fs_create(&env->fs, DQ_DISK_B, fstype);
	if (!err)
		err = dq_module_load("");
	if (!err && !dq_cg_has_controller("cpu"))
		err = -EOPNOTSUPP;
	if (!err)
		err = dq_cg_enable_controller("cpu");
	if (!err)
		err = dq_cg_create(POD);
	if (!err)
		err = dq_cg_write(POD, "cgroup.subtree_control", "+cpu");
	if (err)
		return err;
	snprintf(env->leaf, sizeof(env->leaf), "%s/%s%s", POD,
		 DIOWQ_CG_LEAF_PREFIX, env->fs.sid);
	snprintf(env->leaf_dir, sizeof(env->leaf_dir), "%s/%s",
		 DQ_CGROUP_ROOT, env->leaf);
	snprintf(env->comm, sizeof(env->comm), "%s%s", DIOWQ_CG_THREAD_PREFIX,
		 env->fs.sid);
	snprintf(path, sizeof(path), "%s/data", env->fs.mnt);
	return dq_tf_create(&env->tf, path, DQ_QUEUED_FILE_SIZE,
			    DQ_LAYOUT_UNWRITTEN);
}

static long long diverted(const struct cgs_env *env)
{
	long long n = -1;

	if (dq_read_sb_number(env->fs.sid, DIOWQ_SB_ATTR_DIVERTED, &n))
		return -1;
	return n;
}

/* Tuned in mode cgroup below POD: the thread is in the leaf, and only it. */
static pid_t expect_thread_in_leaf(struct __test_metadata *_metadata,
				   const struct cgs_env *env)
{
	char buf[256], path[64];
	pid_t pid;

	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_CGROUP_NAME);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_CGROUP, env->leaf_dir);
	pid = dq_cg_only_pid(env->leaf);
	EXPECT_NE(0, pid) TH_LOG("%s/cgroup.procs: not one pid", env->leaf);
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	EXPECT_EQ(0, dq_read_value(path, buf, sizeof(buf)));
	EXPECT_STREQ(env->comm, buf);
	return pid;
}

/* Untuned, leaf and thread gone, the pod removable (it is removed). */
static void expect_all_gone(struct __test_metadata *_metadata,
			    const struct cgs_env *env, pid_t pid)
{
	EXPECT_FALSE(dq_path_exists(env->leaf_dir))
		TH_LOG("%s still there", env->leaf_dir);
	if (pid)
		EXPECT_FALSE(dq_pid_alive(pid)) TH_LOG("thread %d still there",
						       pid);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
}

static void join_writer(struct __test_metadata *_metadata, struct dq_writer *w,
			struct dq_writer_result *res)
{
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", res);
	EXPECT_TRUE(dq_writer_exactly_once(res));
	EXPECT_TRUE(dq_writer_result_ok(res));
}

/* The hung-task detector's timeout in seconds (0: off), or -errno. */
static long hung_task_timeout_s(void)
{
	char buf[32];
	int err = dq_read_value(HUNG_TIMEOUT_PATH, buf, sizeof(buf));

	return err ? err : strtol(buf, NULL, 10);
}

/*
 * Check every @interval seconds. khungtaskd picks the interval up when it
 * next wakes, which a write to the timeout (its own value) makes it do.
 */
static int hung_task_check_every(const char *interval)
{
	char timeout[32];
	int err;

	err = dq_write_file(HUNG_INTERVAL_PATH, interval, strlen(interval));
	if (!err)
		err = dq_read_value(HUNG_TIMEOUT_PATH, timeout,
				    sizeof(timeout));
	if (!err)
		err = dq_write_file(HUNG_TIMEOUT_PATH, timeout,
				    strlen(timeout));
	return err;
}

FIXTURE(cgs) {
	struct cgs_env env;
	struct dq_fs other;
	bool frozen;
	bool nsdelegate;
	char hung_interval[32];	/* to restore, if the case changed it */
};

FIXTURE_VARIANT(cgs) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(cgs, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(cgs, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(cgs)
{
	int err = cgs_env_setup(&self->env, variant->fstype);

	if (err == -EOPNOTSUPP) {
		dq_machine_reset();
		SKIP(return, "no cpu controller in the root cgroup");
	}
	DQ_SETUP(err);
}

FIXTURE_TEARDOWN(cgs)
{
	if (self->frozen)
		EXPECT_EQ(0, dq_fs_thaw(&self->env.fs));
	/* Back to the rig's mount options. */
	if (self->nsdelegate)
		EXPECT_EQ(0, mount(NULL, DQ_CGROUP_ROOT, NULL, MS_REMOUNT, ""));
	dq_cg_write(POD, "cpu.max", "max");
	if (self->hung_interval[0])
		EXPECT_EQ(0, hung_task_check_every(self->hung_interval));
	EXPECT_EQ(0, dq_machine_reset());	/* rmmod: removes our leaves */
	cgs_cleanup_cgroups();
}

/* 1. Toggles under I/O. */

enum cgs_state { UNTUNED, CGROUP, HIGHPRI };

static const enum cgs_state toggle_cycle[] = {
	CGROUP, HIGHPRI, UNTUNED, HIGHPRI, CGROUP, UNTUNED,
};

static const char *const state_names[] = { "untune", "cgroup", "highpri" };

TEST_F_TIMEOUT(cgs, toggles_under_io, TOGGLES_TIMEOUT_S)
{
	unsigned int toggles = dq_env_uint("DIOWQ_CG_TOGGLES", DEFAULT_TOGGLES);
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	uint64_t start, elapsed, c0, c1, last, min_window = UINT64_MAX;
	unsigned int t, failed = 0, wrong = 0, cg_steps = 0;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	start = dq_now_ms();
	c0 = dq_writer_completed(w);
	last = c0;
	for (t = 0; t < toggles; t++) {
		enum cgs_state s = toggle_cycle[t % ARRAY_SIZE(toggle_cycle)];
		bool ok;

		if (s == CGROUP)
			err = dq_tune_cgroup(env->fs.mnt, POD_DIR);
		else if (s == HIGHPRI)
			err = dq_tune(DIOWQ_MODE_HIGHPRI_NAME, env->fs.mnt);
		else
			err = dq_untune(env->fs.mnt);
		if (err && !failed++)
			TH_LOG("toggle %u (%s): %s", t, state_names[s],
			       strerror(-err));
		/* The request returns with the leaf made, or gone. */
		if (s == CGROUP) {
			ok = dq_cg_only_pid(env->leaf) != 0;
			cg_steps++;
		} else {
			ok = !dq_path_exists(env->leaf_dir);
		}
		if (!ok && !wrong++)
			TH_LOG("toggle %u (%s): the leaf is %s", t,
			       state_names[s], s == CGROUP ?
			       "missing or without its one thread" : "still there");
		if ((t + 1) % PROGRESS_EVERY)
			continue;
		err = dq_writer_wait_progress(w, last + 1, PROGRESS_MS);
		if (err) {
			TH_LOG("no write completed for %u ms up to toggle %u: %s",
			       PROGRESS_MS, t, strerror(-err));
			break;
		}
		c1 = dq_writer_completed(w);
		if (c1 - last < min_window)
			min_window = c1 - last;
		last = c1;
	}
	elapsed = dq_now_ms() - start;
	c1 = dq_writer_completed(w);
	if (min_window == UINT64_MAX)
		min_window = c1 - c0;
	join_writer(_metadata, w, &res);
	EXPECT_EQ(toggles, t);
	EXPECT_EQ(0u, failed);
	EXPECT_EQ(0u, wrong);

	if (dq_sb_tuned(env->fs.sid))
		EXPECT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_LE(0, dq_wait_no_diowq_queues(DQ_WQ_GONE_MS));
	expect_all_gone(_metadata, env, 0);
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
	EXPECT_EQ(0, dq_module_unload());
	ksft_print_msg("cgroup toggles %s: %u toggles (%u into cgroup) in %llu ms (%.1f ms each); %llu writes completed during them (>= %llu per %u toggles), %llu in all%s; %llu blocks verified twice\n",
		       variant->fstype, t, cg_steps,
		       (unsigned long long)elapsed,
		       t ? (double)elapsed / t : 0.0,
		       (unsigned long long)(c1 - c0),
		       (unsigned long long)min_window, PROGRESS_EVERY,
		       (unsigned long long)res.completed,
		       dq_writer_exactly_once(&res) ? ", each exactly once" :
						      ", NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

/* 2. Unmount, lazy unmount, rmmod, freeze under I/O. */

TEST_F_TIMEOUT(cgs, unmount_under_io, 240)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	long long div0, div1;
	struct dq_writer *w;
	uint64_t done;
	pid_t pid;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, IN_FLIGHT, PROGRESS_MS));

	/* Busy: refused, and nothing changes. */
	EXPECT_EQ(-EBUSY, dq_umount(&env->fs, 0));
	EXPECT_EQ(pid, expect_thread_in_leaf(_metadata, env));

	/* Lazy, with the writer writing: detached, still tuned, diverting. */
	TH_LOG("lazy umount with %llu writes in flight",
	       (unsigned long long)dq_writer_in_flight(w));
	ASSERT_EQ(0, dq_umount(&env->fs, MNT_DETACH));
	div0 = diverted(env);
	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + 2000, PROGRESS_MS * 2));
	div1 = diverted(env);
	EXPECT_TRUE(dq_sb_tuned(env->fs.sid));
	EXPECT_EQ(pid, dq_cg_only_pid(env->leaf));
	EXPECT_LT(div0, div1) TH_LOG("nothing diverted after the lazy umount");
	TH_LOG("%lld completions diverted after the lazy umount",
	       div1 - div0);
	join_writer(_metadata, w, &res);
	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
	EXPECT_TRUE(dq_sb_tuned(env->fs.sid));

	/* The last reference: the superblock goes, the leaf with it. */
	dq_tf_close(&env->tf);
	EXPECT_EQ(0, dq_wait_path_gone(env->leaf_dir, LEAF_GONE_MS))
		TH_LOG("%s still there after the last close", env->leaf_dir);
	EXPECT_LE(0, dq_wait_sb_tuned(env->fs.sid, false, LEAF_GONE_MS));
	expect_all_gone(_metadata, env, pid);

	/* What was acknowledged is on disk. */
	ASSERT_EQ(0, dq_mount(&env->fs));
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	ASSERT_EQ(0, dq_tf_reopen(&env->tf));
	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
	EXPECT_EQ(0, dq_module_unload());
	ksft_print_msg("cgroup unmount %s: busy umount refused, lazy umount with the writer running: %lld completions diverted after it, %llu writes%s, %llu blocks verified twice, leaf and thread gone at the last close\n",
		       variant->fstype, div1 - div0,
		       (unsigned long long)res.completed,
		       dq_writer_exactly_once(&res) ? " each exactly once" :
						      " NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

TEST_F_TIMEOUT(cgs, rmmod_under_io, 180)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	uint64_t done, t0, rmmod_ms;
	long long div;
	pid_t pid;
	int err;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, IN_FLIGHT, PROGRESS_MS));
	div = diverted(env);
	EXPECT_LT(0, div);

	TH_LOG("rmmod with %llu writes in flight, %lld diverted so far",
	       (unsigned long long)dq_writer_in_flight(w), div);
	t0 = dq_now_ms();
	err = dq_module_unload();
	rmmod_ms = dq_now_ms() - t0;
	EXPECT_EQ(0, err) TH_LOG("rmmod: %s", strerror(-err));
	EXPECT_FALSE(dq_module_loaded());
	/* rmmod returns with everything of ours gone. */
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_FALSE(dq_pid_alive(pid));
	EXPECT_EQ(0, dq_count_diowq_queues());

	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + 1000, PROGRESS_MS));
	join_writer(_metadata, w, &res);
	expect_all_gone(_metadata, env, pid);
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
	ksft_print_msg("cgroup rmmod %s: rmmod under I/O took %llu ms; %llu writes%s, %llu blocks verified twice\n",
		       variant->fstype, (unsigned long long)rmmod_ms,
		       (unsigned long long)res.completed,
		       dq_writer_exactly_once(&res) ? " each exactly once" :
						      " NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

/* What the request thread does while the filesystem is frozen. */
struct frozen_work {
	const struct cgs_env *env;
	unsigned int done;	/* requests that returned */
	unsigned int failed;
	int first_err;
	const char *first_what;
	int unload_err;
	uint64_t ms;
	atomic_bool finished;
};

static void *frozen_requests(void *arg)
{
	/* Ends in mode cgroup, so that rmmod has a thread to stop. */
	static const enum cgs_state steps[] = {
		HIGHPRI, CGROUP, UNTUNED, CGROUP, HIGHPRI, UNTUNED,
		HIGHPRI, CGROUP, UNTUNED, CGROUP,
	};
	struct frozen_work *fw = arg;
	uint64_t start = dq_now_ms();
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		if (steps[i] == CGROUP)
			err = dq_tune_cgroup(fw->env->fs.mnt, POD_DIR);
		else if (steps[i] == HIGHPRI)
			err = dq_tune(DIOWQ_MODE_HIGHPRI_NAME, fw->env->fs.mnt);
		else
			err = dq_untune(fw->env->fs.mnt);
		fw->done++;
		if (err && !fw->failed++) {
			fw->first_err = err;
			fw->first_what = state_names[steps[i]];
		}
	}
	fw->unload_err = dq_module_unload();
	fw->done++;
	fw->ms = dq_now_ms() - start;
	atomic_store(&fw->finished, true);
	return NULL;
}

TEST_F_TIMEOUT(cgs, freeze_under_io, 180)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	struct frozen_work fw = { .env = env };
	uint64_t t0, freeze_ms, quiet0, quiet1, done;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	long long div0, div1;
	struct dq_writer *w;
	pthread_t thread;
	bool stuck;
	pid_t pid;
	int err;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, IN_FLIGHT, PROGRESS_MS));

	/* FIFREEZE waits for the writes in flight: our thread completes them. */
	TH_LOG("freezing with %llu writes in flight",
	       (unsigned long long)dq_writer_in_flight(w));
	div0 = diverted(env);
	t0 = dq_now_ms();
	err = dq_fs_freeze(&env->fs);
	freeze_ms = dq_now_ms() - t0;
	ASSERT_EQ(0, err) TH_LOG("FIFREEZE: %s", strerror(-err));
	self->frozen = true;
	div1 = diverted(env);
	TH_LOG("frozen in %llu ms; %lld completions diverted meanwhile",
	       (unsigned long long)freeze_ms, div1 - div0);
	dq_sleep_ms(300);
	quiet0 = dq_writer_completed(w);
	dq_sleep_ms(QUIET_MS);
	quiet1 = dq_writer_completed(w);
	EXPECT_EQ(quiet0, quiet1) TH_LOG("writes completed on a frozen fs");
	EXPECT_EQ(pid, dq_cg_only_pid(env->leaf));

	ASSERT_EQ(0, pthread_create(&thread, NULL, frozen_requests, &fw));
	t0 = dq_now_ms();
	while (!atomic_load(&fw.finished) && dq_now_ms() - t0 < FROZEN_MAX_MS)
		dq_sleep_ms(10);
	stuck = !atomic_load(&fw.finished);
	if (stuck)
		TH_LOG("requests stuck on the frozen filesystem after %u ms (%u done): thawing",
		       FROZEN_MAX_MS, fw.done);
	err = dq_fs_thaw(&env->fs);
	EXPECT_EQ(0, err) TH_LOG("FITHAW: %s", strerror(-err));
	if (!err)
		self->frozen = false;
	pthread_join(thread, NULL);
	EXPECT_FALSE(stuck);
	EXPECT_EQ(0u, fw.failed) TH_LOG("first failed request (%s): %s",
					fw.first_what ? fw.first_what : "-",
					strerror(-fw.first_err));
	EXPECT_EQ(0, fw.unload_err) TH_LOG("rmmod while frozen: %s",
					   strerror(-fw.unload_err));
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_EQ(0, dq_count_diowq_queues());
	TH_LOG("%u requests (the last rmmod) while frozen took %llu ms",
	       fw.done, (unsigned long long)fw.ms);

	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	join_writer(_metadata, w, &res);
	expect_all_gone(_metadata, env, pid);
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
	ksft_print_msg("cgroup freeze %s: frozen in %llu ms with writes in flight; %u requests (switches through cgroup, then rmmod) while frozen in %llu ms; %llu writes%s; %llu blocks verified twice\n",
		       variant->fstype, (unsigned long long)freeze_ms, fw.done,
		       (unsigned long long)fw.ms,
		       (unsigned long long)res.completed,
		       dq_writer_exactly_once(&res) ? " each exactly once" :
						      " NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

/* 3. A tight cpu.max on the pod. */

/* What the pod's writer process reports to the test, in shared memory. */
struct pod_report {
	atomic_int state;	/* 0 starting, 1 writing, 2 done, -1 failed */
	int err;
	const char *what;
	atomic_ullong completed;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	int verify_err;
};

/* The pod's writer: a process in APP, until a byte arrives on stop_fd. */
static void pod_writer(struct cgs_env *env, struct pod_report *rep,
		       int stop_fd)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	struct dq_writer *w;
	int err;

	/* Never outlive the test, holding the filesystem. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rep->what = "moving into the pod";
	err = dq_cg_move(APP, 0);
	if (!err) {
		rep->what = "starting the writer";
		err = dq_writer_start(&w, &env->tf, &opts);
	}
	if (err) {
		rep->err = err;
		atomic_store(&rep->state, -1);
		_exit(1);
	}
	atomic_store(&rep->state, 1);
	/* A byte, or the test gone (POLLHUP): stop. */
	while (poll(&pfd, 1, 200) == 0)
		atomic_store(&rep->completed, dq_writer_completed(w));
	dq_writer_stop(w);
	rep->what = "joining the writer";
	err = dq_writer_join(w, DQ_JOIN_MS, &rep->res);
	if (!err) {
		rep->what = "verifying";
		rep->verify_err = dq_tf_verify(&env->tf, &rep->vr);
	}
	rep->err = err;
	atomic_store(&rep->state, err ? -1 : 2);
	_exit(err ? 1 : 0);
}

/* fsync()ed creates on the pod's filesystem, from the root cgroup. */
struct fsync_probe {
	const char *dir;
	atomic_bool stop;
	uint64_t count;
	uint64_t max_ms;
	int err;
};

static void *fsync_probe(void *arg)
{
	struct fsync_probe *p = arg;
	char path[PATH_MAX], block[4096];

	memset(block, 0x5a, sizeof(block));
	snprintf(path, sizeof(path), "%s/probe", p->dir);
	while (!atomic_load(&p->stop)) {
		uint64_t t0 = dq_now_ms(), ms;
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd < 0 || pwrite(fd, block, sizeof(block), 0) < 0 ||
		    fsync(fd) || close(fd) || unlink(path)) {
			p->err = -errno;
			break;
		}
		ms = dq_now_ms() - t0;
		if (ms > p->max_ms)
			p->max_ms = ms;
		p->count++;
		dq_sleep_ms(20);
	}
	return NULL;
}

TEST_F_TIMEOUT(cgs, cpu_max_others_progress, 300)
{
	long hung_s = hung_task_timeout_s();
	unsigned int window_ms;
	bool hang_shown;
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	struct fsync_probe probe = { .dir = env->fs.mnt };
	uint64_t usage0, usage1, thr0, thr1, lusage0, lusage1;
	uint64_t n0, n1, p0, p1, t0, t, max_late = 0, allowed_us;
	uint64_t untune_ms, done;
	struct dq_tagged_file other_tf;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct pod_report *rep;
	char path[PATH_MAX], val[64];
	struct dq_writer *w;
	pthread_t probe_thread;
	int stop[2], status, err;
	long long div0, div1;
	pid_t child;

	ASSERT_LT(0, hung_s) TH_LOG("%s: %ld: no hung-task detector to show that nothing hangs",
				    HUNG_TIMEOUT_PATH, hung_s);
	window_ms = dq_env_uint("DIOWQ_CPUMAX_MS",
				(hung_s + CPUMAX_MARGIN_S) * 1000);
	hang_shown = window_ms > (hung_s + HUNG_CHECK_S) * 1000;
	if (!hang_shown)
		TH_LOG("a %u ms window is too short for the hung-task detector (%ld s, checked every %d s): it shows progress only",
		       window_ms, hung_s, HUNG_CHECK_S);
	err = dq_read_value(HUNG_INTERVAL_PATH, self->hung_interval,
			    sizeof(self->hung_interval));
	if (err)
		self->hung_interval[0] = '\0';
	ASSERT_EQ(0, err) TH_LOG("%s: %s", HUNG_INTERVAL_PATH, strerror(-err));
	snprintf(val, sizeof(val), "%d", HUNG_CHECK_S);
	ASSERT_EQ(0, hung_task_check_every(val));

	/* The neighbour: another filesystem, tuned highpri, in the root. */
	ASSERT_EQ(0, dq_fs_create(&self->other, DQ_DISK_C, variant->fstype));
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, self->other.mnt));
	snprintf(path, sizeof(path), "%s/data", self->other.mnt);
	ASSERT_EQ(0, dq_tf_create(&other_tf, path, DQ_QUEUED_FILE_SIZE,
				  DQ_LAYOUT_UNWRITTEN));

	ASSERT_EQ(0, dq_cg_create(APP));
	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	ASSERT_NE(0, expect_thread_in_leaf(_metadata, env));

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, pipe(stop));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(stop[1]);
		pod_writer(env, rep, stop[0]);
	}
	close(stop[0]);
	t0 = dq_now_ms();
	while (atomic_load(&rep->state) == 0 && dq_now_ms() - t0 < PROGRESS_MS)
		dq_sleep_ms(10);
	ASSERT_EQ(1, atomic_load(&rep->state))
		TH_LOG("pod writer: %s: %s", rep->what, strerror(-rep->err));
	while (atomic_load(&rep->completed) < RUNNING_COMPLETIONS &&
	       dq_now_ms() - t0 < PROGRESS_MS)
		dq_sleep_ms(50);

	/* The limit, and everything else starts. */
	snprintf(val, sizeof(val), "%u %u", CPUMAX_QUOTA_US, CPUMAX_PERIOD_US);
	ASSERT_EQ(0, dq_cg_write(POD, "cpu.max", val));
	ASSERT_EQ(0, dq_writer_start(&w, &other_tf, &opts));
	ASSERT_EQ(0, pthread_create(&probe_thread, NULL, fsync_probe, &probe));
	ASSERT_EQ(0, dq_cg_read_key(POD, "cpu.stat", "usage_usec", &usage0));
	ASSERT_EQ(0, dq_cg_read_key(POD, "cpu.stat", "nr_throttled", &thr0));
	ASSERT_EQ(0, dq_cg_read_key(env->leaf, "cpu.stat", "usage_usec",
				    &lusage0));
	div0 = diverted(env);
	n0 = dq_writer_completed(w);
	p0 = atomic_load(&rep->completed);
	t0 = dq_now_ms();
	/* The rest of the machine: a sleeper must wake up on time. */
	while ((t = dq_now_ms()) - t0 < window_ms) {
		uint64_t late;

		dq_sleep_ms(100);
		late = dq_now_ms() - t - 100;
		if (late > max_late)
			max_late = late;
	}
	t = dq_now_ms() - t0;
	n1 = dq_writer_completed(w);
	p1 = atomic_load(&rep->completed);
	div1 = diverted(env);
	EXPECT_EQ(0, dq_cg_read_key(POD, "cpu.stat", "usage_usec", &usage1));
	EXPECT_EQ(0, dq_cg_read_key(POD, "cpu.stat", "nr_throttled", &thr1));
	EXPECT_EQ(0, dq_cg_read_key(env->leaf, "cpu.stat", "usage_usec",
				    &lusage1));
	atomic_store(&probe.stop, true);
	pthread_join(probe_thread, NULL);

	/*
	 * Untune while throttled, the pod's writer still writing (what a
	 * pod manager does before deleting a throttled pod): the request
	 * waits, uninterruptibly, until the retired thread has run what was
	 * diverted to it. Measured on 6.1: 1.2-3.2 s. At 0.1 % of a CPU
	 * (1000 1000000) ext4 took 14-31 s, with or without the thread
	 * moved out of the leaf first. Presumably (not traced) completions
	 * wait for a jbd2 commit that waits for the pod's own throttled
	 * writer to drop its journal handle; the fsync()s above stall up
	 * to ~1.5 s on ext4 too. Not something diowq can cure; see the
	 * notes on cpu.max.
	 */
	t0 = dq_now_ms();
	err = dq_untune(env->fs.mnt);
	untune_ms = dq_now_ms() - t0;
	EXPECT_EQ(0, err) TH_LOG("untune under cpu.max: %s", strerror(-err));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_GT(MAX_UNTUNE_MS, untune_ms);
	done = atomic_load(&rep->completed);
	t0 = dq_now_ms();
	while (atomic_load(&rep->completed) < done + 10 &&
	       dq_now_ms() - t0 < PROGRESS_MS)
		dq_sleep_ms(50);
	EXPECT_LE(done + 10, atomic_load(&rep->completed))
		TH_LOG("the pod's writer stalled after the untune");

	/* Lift the limit: the pod's writer finishes quickly. */
	EXPECT_EQ(0, dq_cg_write(POD, "cpu.max", "max"));
	ASSERT_EQ(1, write(stop[1], "x", 1));
	close(stop[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	join_writer(_metadata, w, &res);

	allowed_us = (uint64_t)t * 1000 * CPUMAX_QUOTA_US / CPUMAX_PERIOD_US;
	TH_LOG("%llu ms under cpu.max %u/%u: pod used %llu us (quota allows %llu us), %llu of it in the leaf; pod throttled %llu times; %lld completions diverted, pod writer %llu writes",
	       (unsigned long long)t, CPUMAX_QUOTA_US, CPUMAX_PERIOD_US,
	       (unsigned long long)(usage1 - usage0),
	       (unsigned long long)allowed_us,
	       (unsigned long long)(lusage1 - lusage0),
	       (unsigned long long)(thr1 - thr0), div1 - div0,
	       (unsigned long long)(p1 - p0));
	TH_LOG("meanwhile: neighbour fs %llu writes; %llu fsync()ed creates on the pod's fs from the root cgroup, slowest %llu ms; a 100 ms sleep woke up at most %llu ms late; untune under the limit took %llu ms",
	       (unsigned long long)(n1 - n0), (unsigned long long)probe.count,
	       (unsigned long long)probe.max_ms,
	       (unsigned long long)max_late, (unsigned long long)untune_ms);

	/* The limit bit. */
	EXPECT_LT(thr0, thr1);
	/* Others made progress, and nothing waited anywhere near a hang. */
	EXPECT_LE(MIN_NEIGHBOUR_COMPLETIONS, n1 - n0);
	EXPECT_EQ(0, probe.err) TH_LOG("fsync probe: %s",
				       strerror(-probe.err));
	EXPECT_LT(0ull, probe.count);
	EXPECT_GT(MAX_FSYNC_MS, probe.max_ms);
	EXPECT_GT(MAX_LATE_MS, max_late);
	/* The pod's own writes crawled but completed, each exactly once. */
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("pod writer: %s: %s", rep->what, strerror(-rep->err));
	EXPECT_EQ(2, atomic_load(&rep->state));
	dq_writer_log_result("pod writer", &rep->res);
	EXPECT_TRUE(dq_writer_exactly_once(&rep->res));
	EXPECT_TRUE(dq_writer_result_ok(&rep->res));
	EXPECT_EQ(0, rep->verify_err);
	EXPECT_EQ(0ull, rep->vr.bad);
	EXPECT_LT(0ull, rep->vr.blocks);

	EXPECT_EQ(0, rmdir(DQ_CGROUP_ROOT "/" APP));
	expect_all_gone(_metadata, env, 0);
	EXPECT_DATA_VERIFIED_TWICE(&self->other, &other_tf, &vr);
	ksft_print_msg("cgroup cpu.max %s: %llu ms at %u/%u: pod used %llu us (quota %llu us; leaf %llu us), throttled %llu times, pod writer %llu writes (%lld diverted); neighbour fs %llu writes, %llu fsync()ed creates on the pod's fs (slowest %llu ms), sleeper at most %llu ms late; untune under the limit %llu ms; %s\n",
		       variant->fstype, (unsigned long long)t,
		       CPUMAX_QUOTA_US, CPUMAX_PERIOD_US,
		       (unsigned long long)(usage1 - usage0),
		       (unsigned long long)allowed_us,
		       (unsigned long long)(lusage1 - lusage0),
		       (unsigned long long)(thr1 - thr0),
		       (unsigned long long)(p1 - p0), div1 - div0,
		       (unsigned long long)(n1 - n0),
		       (unsigned long long)probe.count,
		       (unsigned long long)probe.max_ms,
		       (unsigned long long)max_late,
		       (unsigned long long)untune_ms,
		       hang_shown ? "no hung task" :
		       "window too short to show that no task hangs");
	munmap(rep, sizeof(*rep));
}

/* 4. Namespaces. */

/* What a request from another namespace got, in shared memory. */
struct ns_report {
	int err;		/* of the step that failed, or of the request */
	const char *what;	/* NULL: the request was made */
	int err_hidden;		/* cgroup ns: the cgroup it cannot see */
};

/* Child of a child that unshared its pid namespace: pid 1 there. */
static int request_in_child_pidns(struct ns_report *rep, const char *mnt)
{
	pid_t child, grandchild;
	int status;

	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		if (unshare(CLONE_NEWPID)) {
			rep->what = "unshare(CLONE_NEWPID)";
			rep->err = -errno;
			_exit(1);
		}
		grandchild = fork();
		if (!grandchild) {
			rep->err = dq_tune_cgroup(mnt, POD_DIR);
			_exit(0);
		}
		if (grandchild < 0 || waitpid(grandchild, &status, 0) < 0) {
			rep->what = "fork in the pid namespace";
			rep->err = -errno;
		}
		_exit(0);
	}
	return waitpid(child, &status, 0) < 0 ? -errno : 0;
}

/*
 * A child process moves into NSROOT, unshares its cgroup namespace there
 * (NSROOT is its root), moves on into NSPROC and delegates the cpu
 * controller to NSPOD, which it can see; then asks for mode cgroup below
 * NSPOD (visible) and below POD (not in its namespace).
 */
static int request_in_child_cgroupns(struct ns_report *rep, const char *mnt)
{
	pid_t child;
	int status;

	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		int err;

		rep->what = "moving into " NSROOT;
		err = dq_cg_move(NSROOT, 0);
		if (!err) {
			rep->what = "unshare(CLONE_NEWCGROUP)";
			err = unshare(CLONE_NEWCGROUP) ? -errno : 0;
		}
		if (!err) {
			rep->what = "moving into " NSPROC;
			err = dq_cg_move(NSPROC, 0);
		}
		if (!err) {
			rep->what = "delegating cpu below " NSROOT;
			err = dq_cg_write(NSROOT, "cgroup.subtree_control",
					  "+cpu");
		}
		if (!err) {
			rep->what = "creating " NSPOD;
			err = dq_cg_create(NSPOD);
		}
		if (!err)
			err = dq_cg_write(NSPOD, "cgroup.subtree_control",
					  "+cpu");
		if (err) {
			rep->err = err;
			_exit(1);
		}
		rep->what = NULL;
		rep->err_hidden = dq_tune_cgroup(mnt, POD_DIR);
		rep->err = dq_tune_cgroup(mnt, NSPOD_DIR);
		_exit(0);
	}
	return waitpid(child, &status, 0) < 0 ? -errno : 0;
}

/* Nothing tuned, no leaf below either pod. */
static void expect_nothing_changed(struct __test_metadata *_metadata,
				   const struct cgs_env *env, const char *after)
{
	char leaf[PATH_MAX];

	EXPECT_FALSE(dq_sb_tuned(env->fs.sid)) TH_LOG("after %s", after);
	EXPECT_FALSE(dq_path_exists(env->leaf_dir)) TH_LOG("after %s", after);
	snprintf(leaf, sizeof(leaf), "%s/%s%s", NSPOD_DIR,
		 DIOWQ_CG_LEAF_PREFIX, env->fs.sid);
	EXPECT_FALSE(dq_path_exists(leaf)) TH_LOG("after %s", after);
	EXPECT_EQ(0, dq_count_diowq_queues()) TH_LOG("after %s", after);
}

static struct ns_report *cgroupns_request(struct __test_metadata *_metadata,
					  struct cgs_env *env)
{
	struct ns_report *rep = mmap(NULL, sizeof(*rep),
				     PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (rep == MAP_FAILED)
		return NULL;
	memset(rep, 0, sizeof(*rep));
	cgs_cleanup_cgroups();
	dq_cg_create(POD);
	dq_cg_write(POD, "cgroup.subtree_control", "+cpu");
	if (dq_cg_create(NSROOT) || dq_cg_create(NSPROC) ||
	    request_in_child_cgroupns(rep, env->fs.mnt)) {
		munmap(rep, sizeof(*rep));
		return NULL;
	}
	EXPECT_EQ(NULL, rep->what) TH_LOG("cgroup ns child: %s: %s",
					  rep->what, strerror(-rep->err));
	return rep;
}

TEST_F_TIMEOUT(cgs, namespaces, 120)
{
	struct cgs_env *env = &self->env;
	struct ns_report *rep;
	char leaf[PATH_MAX];
	pid_t pid;

	/* A child pid namespace: the thread has no pid there. */
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, request_in_child_pidns(rep, env->fs.mnt));
	EXPECT_EQ(NULL, rep->what) TH_LOG("pid ns child: %s: %s", rep->what,
					  strerror(-rep->err));
	EXPECT_EQ(-ESRCH, rep->err) TH_LOG("from a child pid namespace: %s",
					   strerror(-rep->err));
	expect_nothing_changed(_metadata, env, "the child pid namespace");
	TH_LOG("from a child pid namespace: %s", strerror(-rep->err));
	munmap(rep, sizeof(*rep));

	/*
	 * A child cgroup namespace, cgroup2 mounted nsdelegate (as systemd
	 * mounts it): the namespace is a delegation boundary.
	 */
	ASSERT_EQ(0, mount(NULL, DQ_CGROUP_ROOT, NULL, MS_REMOUNT,
			   "nsdelegate")) TH_LOG("remount nsdelegate: %m");
	self->nsdelegate = true;
	rep = cgroupns_request(_metadata, env);
	ASSERT_NE(NULL, rep);
	EXPECT_EQ(-ENOENT, rep->err_hidden)
		TH_LOG("nsdelegate, a cgroup outside the namespace: %s",
		       strerror(-rep->err_hidden));
	EXPECT_EQ(-ENOENT, rep->err)
		TH_LOG("nsdelegate, a cgroup inside the namespace: %s",
		       strerror(-rep->err));
	expect_nothing_changed(_metadata, env, "the child cgroup namespace");
	TH_LOG("nsdelegate, from a child cgroup namespace: outside %s, inside %s",
	       strerror(-rep->err_hidden), strerror(-rep->err));
	munmap(rep, sizeof(*rep));
	/* The pods it named can go: nothing of ours in them. */
	EXPECT_EQ(0, rmdir(NSPOD_DIR)) TH_LOG("rmdir %s: %m", NSPOD_DIR);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);

	/* Without nsdelegate a cgroup namespace is no boundary: it works. */
	ASSERT_EQ(0, mount(NULL, DQ_CGROUP_ROOT, NULL, MS_REMOUNT, ""));
	self->nsdelegate = false;
	rep = cgroupns_request(_metadata, env);
	ASSERT_NE(NULL, rep);
	/* Tuned below POD first, then switched below NSPOD. */
	EXPECT_EQ(0, rep->err_hidden) TH_LOG("%s", strerror(-rep->err_hidden));
	EXPECT_EQ(0, rep->err) TH_LOG("%s", strerror(-rep->err));
	munmap(rep, sizeof(*rep));
	snprintf(leaf, sizeof(leaf), "%s/%s%s", NSPOD, DIOWQ_CG_LEAF_PREFIX,
		 env->fs.sid);
	pid = dq_cg_only_pid(leaf);
	EXPECT_NE(0, pid) TH_LOG("no thread in %s", leaf);
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_CGROUP_NAME);
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	snprintf(leaf, sizeof(leaf), "%s/%s%s", NSPOD_DIR,
		 DIOWQ_CG_LEAF_PREFIX, env->fs.sid);
	EXPECT_FALSE(dq_path_exists(leaf));
	if (pid)
		EXPECT_FALSE(dq_pid_alive(pid));
	EXPECT_EQ(0, rmdir(NSPOD_DIR)) TH_LOG("rmdir %s: %m", NSPOD_DIR);
	ksft_print_msg("cgroup namespaces %s: child pid ns refused (ESRCH); child cgroup ns with nsdelegate refused (ENOENT) for a hidden and a visible cgroup; without nsdelegate it works; nothing left behind\n",
		       variant->fstype);
}

/* 5. Removing the pod while tuned. */

TEST_F_TIMEOUT(cgs, pod_removal_while_tuned, 180)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cgs_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	uint64_t done, frozen = 99;
	long long div0, div1;
	struct dq_writer *w;
	pid_t pid, pid2;
	int err;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));

	/* What a pod manager does first: refused, nothing wedges. */
	EXPECT_EQ(-1, rmdir(POD_DIR));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, rmdir(env->leaf_dir));
	EXPECT_EQ(EBUSY, errno);
	/* cgroup.kill skips kernel threads; cgroup.freeze does not stop it. */
	EXPECT_EQ(0, dq_cg_write(POD, "cgroup.kill", "1"));
	EXPECT_EQ(0, dq_cg_write(POD, "cgroup.freeze", "1"));
	div0 = diverted(env);
	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + 1000, PROGRESS_MS));
	div1 = diverted(env);
	EXPECT_LT(div0, div1) TH_LOG("nothing diverted with the pod frozen");
	EXPECT_EQ(0, dq_cg_read_key(POD, "cgroup.events", "frozen", &frozen));
	TH_LOG("pod frozen: cgroup.events says frozen %llu; %lld completions diverted meanwhile",
	       (unsigned long long)frozen, div1 - div0);
	/*
	 * Today's behaviour, to be documented: the freezer skips kernel
	 * threads but counts them, so a pod with our leaf never reports
	 * itself frozen (whoever waits for "frozen 1" waits in vain).
	 */
	EXPECT_EQ(0ull, frozen);
	EXPECT_EQ(0, dq_cg_write(POD, "cgroup.freeze", "0"));
	EXPECT_EQ(pid, expect_thread_in_leaf(_metadata, env));
	EXPECT_TRUE(dq_pid_alive(pid));

	/* Untune: then the pod goes. */
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	expect_all_gone(_metadata, env, pid);

	/*
	 * An admin moves the thread out and removes the leaf and the pod
	 * behind our back: completions keep running (in the root), and
	 * the untune still works, finding the leaf gone.
	 */
	ASSERT_EQ(0, dq_cg_create(POD));
	ASSERT_EQ(0, dq_cg_write(POD, "cgroup.subtree_control", "+cpu"));
	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid2 = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid2);
	EXPECT_EQ(0, dq_cg_move("", pid2));
	EXPECT_EQ(0, rmdir(env->leaf_dir)) TH_LOG("rmdir %s: %m",
						  env->leaf_dir);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
	div0 = diverted(env);
	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + 1000, PROGRESS_MS));
	div1 = diverted(env);
	EXPECT_LT(div0, div1);
	err = dq_untune(env->fs.mnt);
	EXPECT_EQ(0, err) TH_LOG("untune with the leaf gone: %s",
				 strerror(-err));
	EXPECT_FALSE(dq_pid_alive(pid2));
	EXPECT_FALSE(dq_path_exists(POD_DIR));

	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	join_writer(_metadata, w, &res);
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
	EXPECT_EQ(0, dq_module_unload());
	ksft_print_msg("cgroup pod removal %s: rmdir pod/leaf EBUSY while tuned; cgroup.kill spared the thread, cgroup.freeze left it running (cgroup.events frozen %llu); untune, then the pod went; leaf and pod removed behind our back: untune still fine; %llu writes%s, %llu blocks verified twice\n",
		       variant->fstype, (unsigned long long)frozen,
		       (unsigned long long)res.completed,
		       dq_writer_exactly_once(&res) ? " each exactly once" :
						      " NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

DQ_TEST_MAIN
