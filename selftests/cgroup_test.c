// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_test: mode cgroup (issue #16), through
 * /sys/fs/diowq/tune "cgroup MOUNT CGROUP_DIR[ WEIGHT]" and through
 * netlink (TUNE with MODE cgroup, CGROUP_FD and CGROUP_WEIGHT).
 *
 * - tuned, an AIO O_DIRECT writer's completions run in diowq's thread
 *   (comm diowqcg/<s_id>), which sits in the leaf cgroup
 *   <pod>/diowq-<s_id> (its pid is the leaf's only one in cgroup.procs,
 *   cpu.weight is DIOWQ_CG_WEIGHT), and the leaf's cpu.stat usage_usec
 *   grows with the I/O; the module's "diverted" count (items its thread
 *   ran) is at least half the writes and at most all of them; every write
 *   completes exactly once and reads back;
 * - untune stops the thread and removes the leaf before it returns, so the
 *   pod's cgroup can be removed at once;
 * - switching cgroup -> highpri -> cgroup -> untune under I/O loses
 *   nothing, and unmounting a tuned filesystem removes the leaf;
 * - a bad cgroup (missing, not cgroup v2, relative, no cpu controller for
 *   its children, no cgroup given) is refused with nothing changed;
 * - the leaf's weight: set by the request, changed in place by a second
 *   request below the same directory (same thread), bad ones refused;
 * - netlink: the leaf is made below the directory of the fd, GET_SB
 *   reports it with the weight and the diverted count, UNTUNE answers at
 *   once and the leaf goes shortly after (the caller polls, as diowqctl
 *   does), and bad input (no fd, a closed fd, an O_PATH fd, a regular
 *   file, a directory not on cgroup2, a cgroup file, weight 0 or 10001,
 *   the fd or the weight with another mode) is refused with an extack
 *   message and nothing changed;
 * - diowqctl tune --mode cgroup --cgroup DIR [--cgroup-weight N]: the
 *   leaf and its weight, status (table and JSON) shows mode cgroup, the
 *   leaf and the diverted count, bad input exits non-zero with nothing
 *   changed, and a switch or untune returns only once the leaf is gone
 *   (the tool polls: the module's netlink requests do not wait);
 * - the pod's deletion: once the pod had a task and has none left, the
 *   module falls back to highpri, removes the leaf (the pod can then be
 *   removed) and sends a CGROUP_FALLBACK event; a pod that never had a
 *   task is left alone;
 * - the same pod through a second cgroup2 mount is the same directory.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/cgmode.h"
#include "lib/cgroup.h"
#include "lib/diowq_test.h"
#include "lib/ctl.h"
#include "lib/genl.h"

#define POD "diowq-pod"
#define POD_DIR DQ_CGROUP_ROOT "/" POD
#define NOCPU "diowq-nocpu"
#define LOAD_MS 3000
#define MIN_COMPLETIONS 1000ull
#define MIN_COMPLETIONS_MS 60000
/* The unmount hook retires asynchronously: the leaf goes soon after. */
#define LEAF_GONE_MS 10000

struct cg_env {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	char leaf[128];		/* "diowq-pod/diowq-<s_id>", below the root */
	char leaf_dir[160];	/* its absolute path */
	char comm[96];		/* the thread's comm */
};

static int cg_env_setup(struct cg_env *env, const char *fstype)
{
	char path[PATH_MAX];
	int err;

	err = dq_machine_reset();
	if (!err)
		err = dq_fs_create(&env->fs, DQ_DISK_B, fstype);
	if (!err)
		err = dq_module_load("");
	if (!err && !dq_cg_has_controller("cpu"))
		err = -EOPNOTSUPP;
	if (!err)
		err = dq_cg_enable_controller("cpu");
	dq_cg_destroy(POD);
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

static void cg_env_teardown(void)
{
	dq_machine_reset();	/* rmmod: removes our leaves */
	dq_cg_destroy(NOCPU);
	dq_cg_destroy(POD);
}

static long long diverted(struct __test_metadata *_metadata,
			  const struct cg_env *env)
{
	long long n = -1;

	EXPECT_EQ(0, dq_read_sb_number(env->fs.sid, DIOWQ_SB_ATTR_DIVERTED,
				       &n));
	return n;
}

/* Tuned in mode cgroup below POD: the thread is in the leaf, and only it. */
static pid_t expect_thread_in_leaf_weight(struct __test_metadata *_metadata,
					  const struct cg_env *env,
					  unsigned int weight)
{
	char buf[256], path[64], want[200];
	pid_t pid;

	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_CGROUP_NAME);
	snprintf(want, sizeof(want), "%s", env->leaf_dir);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_CGROUP, want);
	EXPECT_LE(0, dq_cg_read(env->leaf, "cpu.weight", buf, sizeof(buf)));
	EXPECT_EQ(weight, (unsigned int)atoi(buf));
	snprintf(want, sizeof(want), "%u", weight);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_CGROUP_WEIGHT, want);
	pid = dq_cg_only_pid(env->leaf);
	EXPECT_NE(0, pid) TH_LOG("%s/cgroup.procs: not one pid", env->leaf);
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	EXPECT_EQ(0, dq_read_value(path, buf, sizeof(buf)));
	EXPECT_STREQ(env->comm, buf);
	return pid;
}

static pid_t expect_thread_in_leaf(struct __test_metadata *_metadata,
				   const struct cg_env *env)
{
	return expect_thread_in_leaf_weight(_metadata, env, DIOWQ_CG_WEIGHT);
}

/*
 * Write LOAD_MS and at least MIN_COMPLETIONS writes, every iocb logged;
 * returns the result in *res.
 */
static void write_load(struct __test_metadata *_metadata, struct cg_env *env,
		       struct dq_writer_result *res)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	usleep(LOAD_MS * 1000);
	err = dq_writer_wait_progress(w, MIN_COMPLETIONS, MIN_COMPLETIONS_MS);
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, res));
	dq_writer_log_result("writer", res);
	ASSERT_EQ(0, err);
	EXPECT_TRUE(dq_writer_exactly_once(res));
	EXPECT_TRUE(dq_writer_result_ok(res));
	EXPECT_LE(MIN_COMPLETIONS, res->completed);
}

FIXTURE(cgroup) {
	struct cg_env env;
};

FIXTURE_VARIANT(cgroup) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(cgroup, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(cgroup, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(cgroup)
{
	int err = cg_env_setup(&self->env, variant->fstype);

	if (err == -EOPNOTSUPP) {
		cg_env_teardown();
		SKIP(return, "no cpu controller in the root cgroup");
	}
	DQ_SETUP(err);
}

FIXTURE_TEARDOWN(cgroup)
{
	cg_env_teardown();
}

TEST_F_TIMEOUT(cgroup, completions_run_in_the_leaf, 180)
{
	struct cg_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	uint64_t usage0 = 0, usage1 = 0;
	long long div0, div1;
	pid_t pid;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);

	ASSERT_EQ(0, dq_cg_read_key(env->leaf, "cpu.stat", "usage_usec",
				    &usage0));
	div0 = diverted(_metadata, env);
	write_load(_metadata, env, &res);
	div1 = diverted(_metadata, env);
	ASSERT_EQ(0, dq_cg_read_key(env->leaf, "cpu.stat", "usage_usec",
				    &usage1));
	TH_LOG("%llu writes; %lld completions diverted; leaf usage %llu -> %llu us",
	       (unsigned long long)res.completed, div1 - div0,
	       (unsigned long long)usage0, (unsigned long long)usage1);

	/* The same thread all along, and it did the completions' work. */
	EXPECT_EQ(pid, dq_cg_only_pid(env->leaf));
	EXPECT_LT(usage0, usage1);
	/*
	 * Nothing but the writer's completions is diverted; not all of them
	 * are queued (a write whose bio ends before io_submit() returns
	 * completes in the submitter; 7.x completes overwrites inline), but
	 * writes into unwritten space mostly are.
	 */
	EXPECT_LE(div1 - div0, (long long)res.completed);
	EXPECT_LE((long long)res.completed / 2, div1 - div0);

	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);

	/* Untune: thread and leaf gone when it returns; the pod can go. */
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_FALSE(dq_pid_alive(pid)) TH_LOG("thread %d still there", pid);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);

	/* What was acknowledged is on disk. */
	dq_tf_close(&env->tf);
	ASSERT_EQ(0, dq_umount(&env->fs, 0));
	ASSERT_EQ(0, dq_mount(&env->fs));
	ASSERT_EQ(0, dq_tf_reopen(&env->tf));
	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
}

TEST_F_TIMEOUT(cgroup, switch_modes_under_io, 300)
{
	static const char *const steps[] = {
		DIOWQ_MODE_CGROUP_NAME, DIOWQ_MODE_HIGHPRI_NAME,
		DIOWQ_MODE_CGROUP_NAME, NULL, DIOWQ_MODE_CGROUP_NAME,
		DIOWQ_MODE_UNBOUND_NAME, DIOWQ_MODE_CGROUP_NAME, NULL,
	};
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct cg_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	unsigned int round, i;
	uint64_t done;

	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	for (round = 0; round < 5; round++) {
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			const char *mode = steps[i];
			int err;

			done = dq_writer_completed(w);
			if (!mode)
				err = dq_untune(env->fs.mnt);
			else if (!strcmp(mode, DIOWQ_MODE_CGROUP_NAME))
				err = dq_tune_cgroup(env->fs.mnt, POD_DIR);
			else
				err = dq_tune(mode, env->fs.mnt);
			ASSERT_EQ(0, err) TH_LOG("round %u step %u (%s): %s",
						 round, i, mode ? mode : "untune",
						 strerror(-err));
			if (mode && !strcmp(mode, DIOWQ_MODE_CGROUP_NAME)) {
				EXPECT_NE(0, expect_thread_in_leaf(_metadata,
								   env));
			} else {
				EXPECT_FALSE(dq_path_exists(env->leaf_dir));
			}
			/* Completions keep coming in every mode. */
			ASSERT_EQ(0, dq_writer_wait_progress(w, done + 200,
							     MIN_COMPLETIONS_MS));
		}
	}
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_exactly_once(&res));
	EXPECT_TRUE(dq_writer_result_ok(&res));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
}

TEST_F_TIMEOUT(cgroup, unmount_removes_the_leaf, 180)
{
	struct cg_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	pid_t pid;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	write_load(_metadata, env, &res);

	dq_tf_close(&env->tf);
	ASSERT_EQ(0, dq_umount(&env->fs, 0));
	EXPECT_EQ(0, dq_wait_path_gone(env->leaf_dir, LEAF_GONE_MS))
		TH_LOG("%s still there after the unmount", env->leaf_dir);
	if (pid)
		EXPECT_FALSE(dq_pid_alive(pid));
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
	ASSERT_EQ(0, dq_mount(&env->fs));
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	ASSERT_EQ(0, dq_tf_reopen(&env->tf));
	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
}

/* Refused, and nothing changed: not tuned, no leaf anywhere. */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct cg_env *env, const char *req, int want)
{
	char leaf[PATH_MAX];
	int err = dq_write_attr(DIOWQ_ATTR_TUNE, req);

	EXPECT_EQ(want, err) TH_LOG("tune \"%s\": %s", req, strerror(-err));
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid)) TH_LOG("after \"%s\"", req);
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	snprintf(leaf, sizeof(leaf), "%s/%s/%s%s", DQ_CGROUP_ROOT, NOCPU,
		 DIOWQ_CG_LEAF_PREFIX, env->fs.sid);
	EXPECT_FALSE(dq_path_exists(leaf));
}

TEST_F(cgroup, bad_cgroup_is_refused)
{
	struct cg_env *env = &self->env;
	char req[PATH_MAX * 2];

	snprintf(req, sizeof(req), "cgroup %s", env->fs.mnt);
	expect_refused(_metadata, env, req, -EINVAL);
	snprintf(req, sizeof(req), "cgroup %s %s/missing", env->fs.mnt,
		 POD_DIR);
	expect_refused(_metadata, env, req, -ENOENT);
	snprintf(req, sizeof(req), "cgroup %s %s", env->fs.mnt, POD);
	expect_refused(_metadata, env, req, -EINVAL);
	/* A directory, but not of cgroup v2. */
	snprintf(req, sizeof(req), "cgroup %s %s", env->fs.mnt, env->fs.mnt);
	expect_refused(_metadata, env, req, -EINVAL);
	/* A file of a cgroup, not a directory. */
	snprintf(req, sizeof(req), "cgroup %s %s/cpu.weight", env->fs.mnt,
		 POD_DIR);
	expect_refused(_metadata, env, req, -ENOTDIR);
	/* A cgroup whose children get no cpu controller. */
	ASSERT_EQ(0, dq_cg_create(NOCPU));
	snprintf(req, sizeof(req), "cgroup %s %s/%s", env->fs.mnt,
		 DQ_CGROUP_ROOT, NOCPU);
	expect_refused(_metadata, env, req, -EOPNOTSUPP);
	EXPECT_EQ(0, rmdir(DQ_CGROUP_ROOT "/" NOCPU));
	/* Never a default mode: it needs a directory per request. */
	EXPECT_EQ(-EINVAL, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE,
					 DIOWQ_MODE_CGROUP_NAME));
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI_NAME);

	/* And the good request still works afterwards. */
	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	EXPECT_NE(0, expect_thread_in_leaf(_metadata, env));
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
}

TEST_F(cgroup, sysfs_weight_set_and_changed_in_place)
{
	struct cg_env *env = &self->env;
	char req[PATH_MAX * 2];
	pid_t pid;

	snprintf(req, sizeof(req), "cgroup %s %s 300", env->fs.mnt, POD_DIR);
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	pid = expect_thread_in_leaf_weight(_metadata, env, 300);
	ASSERT_NE(0, pid);
	/* Below the same directory again: the weight only, same thread. */
	snprintf(req, sizeof(req), "cgroup %s %s 5000", env->fs.mnt, POD_DIR);
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	EXPECT_EQ(pid, expect_thread_in_leaf_weight(_metadata, env, 5000));
	/* Bad weights: refused, the weight and the thread unchanged. */
	snprintf(req, sizeof(req), "cgroup %s %s 0", env->fs.mnt, POD_DIR);
	EXPECT_EQ(-EINVAL, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	snprintf(req, sizeof(req), "cgroup %s %s 10001", env->fs.mnt, POD_DIR);
	EXPECT_EQ(-EINVAL, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	snprintf(req, sizeof(req), "cgroup %s %s 12x", env->fs.mnt, POD_DIR);
	EXPECT_EQ(-EINVAL, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	snprintf(req, sizeof(req), "cgroup %s 300", env->fs.mnt);
	EXPECT_EQ(-EINVAL, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	EXPECT_EQ(pid, expect_thread_in_leaf_weight(_metadata, env, 5000));
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
}

/* ---- netlink ------------------------------------------------------------ */

/* Replies are large: one static buffer, the tests are single threaded. */
static struct dq_genl_reply reply;

/*
 * TUNE the mount of @mnt_fd; @mode < 0: no MODE, @cg_fd < 0: no
 * CGROUP_FD, @weight 0: no CGROUP_WEIGHT. Returns the reply's error.
 */
static int nl_tune(struct dq_genl *nl, int mnt_fd, int mode, int cg_fd,
		   uint32_t weight)
{
	struct dq_genl_msg msg;
	int err;

	dq_genl_msg_init(nl, &msg, DIOWQ_CMD_TUNE, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, mnt_fd);
	if (mode >= 0)
		dq_genl_put_u32(&msg, DIOWQ_A_MODE, mode);
	if (cg_fd >= 0)
		dq_genl_put_s32(&msg, DIOWQ_A_CGROUP_FD, cg_fd);
	if (weight)
		dq_genl_put_u32(&msg, DIOWQ_A_CGROUP_WEIGHT, weight);
	err = dq_genl_call(nl, &msg, &reply);
	return err ?: reply.error;
}

static int nl_cmd_fd(struct dq_genl *nl, uint8_t cmd, int mnt_fd)
{
	struct dq_genl_msg msg;
	int err;

	dq_genl_msg_init(nl, &msg, cmd, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, mnt_fd);
	err = dq_genl_call(nl, &msg, &reply);
	return err ?: reply.error;
}

struct nl_env {
	struct dq_genl nl;
	int mnt_fd;
	int pod_fd;
};

static void nl_env_open(struct __test_metadata *_metadata,
			const struct cg_env *env, struct nl_env *ne)
{
	ASSERT_EQ(0, dq_genl_open(&ne->nl));
	ne->mnt_fd = open(env->fs.mnt, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, ne->mnt_fd);
	ne->pod_fd = open(POD_DIR, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, ne->pod_fd);
}

static void nl_env_close(struct nl_env *ne)
{
	close(ne->pod_fd);
	close(ne->mnt_fd);
	dq_genl_close(&ne->nl);
}

/*
 * TUNE in mode cgroup below POD, retrying EAGAIN (with an extack) for up
 * to LEAF_GONE_MS, as diowqctl does; *@waited_ms: how long it retried.
 */
static int nl_tune_retrying(struct nl_env *ne, uint64_t *waited_ms)
{
	uint64_t t0 = dq_now_ms();
	int err;

	for (;;) {
		err = nl_tune(&ne->nl, ne->mnt_fd, DIOWQ_MODE_CGROUP,
			      ne->pod_fd, 0);
		if (err != -EAGAIN || !reply.extack[0] ||
		    dq_now_ms() - t0 > LEAF_GONE_MS)
			break;
		dq_sleep_ms(20);
	}
	*waited_ms = dq_now_ms() - t0;
	return err;
}

TEST_F_TIMEOUT(cgroup, netlink_tune_runs_completions_in_the_leaf, 180)
{
	struct cg_env *env = &self->env;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	uint64_t div0 = 0, div1 = 0;
	struct nl_env ne;
	uint32_t val = 0;
	uint64_t t0;
	pid_t pid;
	int err;

	nl_env_open(_metadata, env, &ne);
	/* The process' cwd is elsewhere: the leaf is relative to the fd. */
	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, nl_tune(&ne.nl, ne.mnt_fd, DIOWQ_MODE_CGROUP, ne.pod_fd,
			     700)) TH_LOG("%s", reply.extack);
	pid = expect_thread_in_leaf_weight(_metadata, env, 700);
	ASSERT_NE(0, pid);

	/* GET_SB: mode 2, the leaf as we see it, the weight, the count. */
	ASSERT_EQ(0, nl_cmd_fd(&ne.nl, DIOWQ_CMD_GET_SB, ne.mnt_fd));
	EXPECT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_MODE, &val));
	EXPECT_EQ(DIOWQ_MODE_CGROUP, val);
	EXPECT_STREQ(env->leaf_dir,
		     dq_genl_attr_str(&reply, 0, DIOWQ_A_CGROUP) ?: "(none)");
	EXPECT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_CGROUP_WEIGHT, &val));
	EXPECT_EQ(700u, val);
	EXPECT_TRUE(dq_genl_attr_u64(&reply, 0, DIOWQ_A_DIVERTED, &div0));

	write_load(_metadata, env, &res);
	ASSERT_EQ(0, nl_cmd_fd(&ne.nl, DIOWQ_CMD_GET_SB, ne.mnt_fd));
	EXPECT_TRUE(dq_genl_attr_u64(&reply, 0, DIOWQ_A_DIVERTED, &div1));
	TH_LOG("%llu writes; %llu completions diverted (GET_SB)",
	       (unsigned long long)res.completed,
	       (unsigned long long)(div1 - div0));
	EXPECT_LE(div1 - div0, res.completed);
	EXPECT_LE(res.completed / 2, div1 - div0);
	EXPECT_EQ(pid, dq_cg_only_pid(env->leaf));

	/* Again below the same directory: the weight changes in place. */
	ASSERT_EQ(0, nl_tune(&ne.nl, ne.mnt_fd, DIOWQ_MODE_CGROUP, ne.pod_fd,
			     0)) TH_LOG("%s", reply.extack);
	EXPECT_EQ(pid, expect_thread_in_leaf_weight(_metadata, env,
						    DIOWQ_CG_WEIGHT));

	/*
	 * UNTUNE answers without waiting for the retire worker; the leaf
	 * and the thread go shortly after, and the pod can then be removed.
	 */
	t0 = dq_now_ms();
	ASSERT_EQ(0, nl_cmd_fd(&ne.nl, DIOWQ_CMD_UNTUNE, ne.mnt_fd))
		TH_LOG("%s", reply.extack);
	TH_LOG("UNTUNE answered in %llu ms; leaf %s then",
	       (unsigned long long)(dq_now_ms() - t0),
	       dq_path_exists(env->leaf_dir) ? "still there" : "gone");
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	EXPECT_EQ(0, dq_wait_path_gone(env->leaf_dir, LEAF_GONE_MS))
		TH_LOG("%s still there", env->leaf_dir);
	EXPECT_FALSE(dq_pid_alive(pid)) TH_LOG("thread %d still there", pid);

	/*
	 * Tune, untune, tune at once: a tune may find the previous leaf
	 * still being removed, or the hook being removed after the last
	 * untune, and then says so (EAGAIN) instead of waiting; a retry
	 * succeeds once that is done.
	 */
	ASSERT_EQ(0, nl_tune_retrying(&ne, &t0)) TH_LOG("%s", reply.extack);
	TH_LOG("tune after the untune: %llu ms of EAGAIN",
	       (unsigned long long)t0);
	ASSERT_EQ(0, nl_cmd_fd(&ne.nl, DIOWQ_CMD_UNTUNE, ne.mnt_fd));
	err = nl_tune_retrying(&ne, &t0);
	ASSERT_EQ(0, err) TH_LOG("%s", reply.extack);
	TH_LOG("tune right after an untune: %llu ms of EAGAIN",
	       (unsigned long long)t0);
	EXPECT_NE(0, expect_thread_in_leaf(_metadata, env));
	ASSERT_EQ(0, nl_cmd_fd(&ne.nl, DIOWQ_CMD_UNTUNE, ne.mnt_fd));
	EXPECT_EQ(0, dq_wait_path_gone(env->leaf_dir, LEAF_GONE_MS));
	nl_env_close(&ne);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);

	dq_tf_close(&env->tf);
	ASSERT_EQ(0, dq_umount(&env->fs, 0));
	ASSERT_EQ(0, dq_mount(&env->fs));
	ASSERT_EQ(0, dq_tf_reopen(&env->tf));
	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
}

/* Refused with an extack message, and nothing changed. */
static void expect_nl_refused(struct __test_metadata *_metadata,
			      const struct cg_env *env, struct nl_env *ne,
			      const char *what, int mode, int cg_fd,
			      uint32_t weight, int want, const char *was)
{
	char leaf[PATH_MAX];
	int err = nl_tune(&ne->nl, ne->mnt_fd, mode, cg_fd, weight);

	EXPECT_EQ(want, err) TH_LOG("%s: %s (\"%s\")", what, strerror(-err),
				    reply.extack);
	EXPECT_STRNE("", reply.extack) TH_LOG("%s: no extack message", what);
	if (was) {
		EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, was);
	} else {
		EXPECT_FALSE(dq_sb_tuned(env->fs.sid)) TH_LOG("after %s", what);
	}
	EXPECT_FALSE(dq_path_exists(env->leaf_dir)) TH_LOG("after %s", what);
	snprintf(leaf, sizeof(leaf), "%s/%s/%s%s", DQ_CGROUP_ROOT, NOCPU,
		 DIOWQ_CG_LEAF_PREFIX, env->fs.sid);
	EXPECT_FALSE(dq_path_exists(leaf));
}

static void nl_bad_round(struct __test_metadata *_metadata,
			 const struct cg_env *env, struct nl_env *ne,
			 const char *was)
{
	int path_fd, file_fd, cgfile_fd, plain_fd, nocpu_fd, closed_fd;
	char path[PATH_MAX];

	path_fd = open(POD_DIR, O_PATH | O_DIRECTORY);
	ASSERT_LE(0, path_fd);
	snprintf(path, sizeof(path), "%s/data", env->fs.mnt);
	file_fd = open(path, O_RDONLY);
	ASSERT_LE(0, file_fd);
	cgfile_fd = open(POD_DIR "/cpu.weight", O_RDONLY);
	ASSERT_LE(0, cgfile_fd);
	plain_fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, plain_fd);
	nocpu_fd = open(DQ_CGROUP_ROOT "/" NOCPU, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, nocpu_fd);
	closed_fd = dup(plain_fd);
	ASSERT_LE(0, closed_fd);
	close(closed_fd);

	expect_nl_refused(_metadata, env, ne, "mode cgroup, no fd",
			  DIOWQ_MODE_CGROUP, -1, 0, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "mode cgroup, weight, no fd",
			  DIOWQ_MODE_CGROUP, -1, 500, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "fd with mode highpri",
			  DIOWQ_MODE_HIGHPRI, ne->pod_fd, 0, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "fd with no mode",
			  -1, ne->pod_fd, 0, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "weight with mode unbound",
			  DIOWQ_MODE_UNBOUND, -1, 500, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "a closed fd",
			  DIOWQ_MODE_CGROUP, closed_fd, 0, -EBADF, was);
	expect_nl_refused(_metadata, env, ne, "an O_PATH fd",
			  DIOWQ_MODE_CGROUP, path_fd, 0, -EBADF, was);
	expect_nl_refused(_metadata, env, ne, "a regular file",
			  DIOWQ_MODE_CGROUP, file_fd, 0, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "a directory not on cgroup2",
			  DIOWQ_MODE_CGROUP, plain_fd, 0, -EINVAL, was);
	expect_nl_refused(_metadata, env, ne, "a cgroup file",
			  DIOWQ_MODE_CGROUP, cgfile_fd, 0, -ENOTDIR, was);
	expect_nl_refused(_metadata, env, ne, "weight 0xffffffff",
			  DIOWQ_MODE_CGROUP, ne->pod_fd, 0xffffffff, -ERANGE,
			  was);
	expect_nl_refused(_metadata, env, ne, "weight 10001",
			  DIOWQ_MODE_CGROUP, ne->pod_fd, 10001, -ERANGE, was);
	expect_nl_refused(_metadata, env, ne, "a cgroup with no cpu for children",
			  DIOWQ_MODE_CGROUP, nocpu_fd, 0, -EOPNOTSUPP, was);
	close(nocpu_fd);
	close(plain_fd);
	close(cgfile_fd);
	close(file_fd);
	close(path_fd);
}

TEST_F(cgroup, netlink_bad_cgroup_is_refused)
{
	uint64_t t0;
	struct cg_env *env = &self->env;
	struct dq_genl_msg msg;
	char queue[128];
	struct nl_env ne;

	ASSERT_EQ(0, dq_cg_create(NOCPU));
	nl_env_open(_metadata, env, &ne);
	/* Weight 0 as such: nl_tune() takes 0 for "none". */
	dq_genl_msg_init(&ne.nl, &msg, DIOWQ_CMD_TUNE, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, ne.mnt_fd);
	dq_genl_put_u32(&msg, DIOWQ_A_MODE, DIOWQ_MODE_CGROUP);
	dq_genl_put_s32(&msg, DIOWQ_A_CGROUP_FD, ne.pod_fd);
	dq_genl_put_u32(&msg, DIOWQ_A_CGROUP_WEIGHT, 0);
	ASSERT_EQ(0, dq_genl_call(&ne.nl, &msg, &reply));
	EXPECT_EQ(-ERANGE, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));

	/* Untuned: stays untuned. */
	nl_bad_round(_metadata, env, &ne, NULL);
	/* Tuned highpri: stays highpri, on the same queue. */
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, env->fs.mnt));
	snprintf(queue, sizeof(queue), "%s%s", DIOWQ_WQ_PREFIX, env->fs.sid);
	nl_bad_round(_metadata, env, &ne, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_WORKQUEUE, queue);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_SWAPS, "1");

	/* And the good request still works afterwards. */
	ASSERT_EQ(0, nl_tune_retrying(&ne, &t0)) TH_LOG("%s", reply.extack);
	EXPECT_NE(0, expect_thread_in_leaf(_metadata, env));
	ASSERT_EQ(0, dq_untune(env->fs.mnt));	/* sysfs: waits for the leaf */
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	nl_env_close(&ne);
	EXPECT_EQ(0, rmdir(DQ_CGROUP_ROOT "/" NOCPU));
}

/* ---- diowqctl ---------------------------------------------------------- */

/* Still tuned below POD with @weight, by the same thread @pid. */
static void expect_unchanged(struct __test_metadata *_metadata,
			     const struct cg_env *env, unsigned int weight,
			     pid_t pid, const char *after)
{
	EXPECT_EQ(pid, expect_thread_in_leaf_weight(_metadata, env, weight))
		TH_LOG("after %s", after);
}

TEST_F_TIMEOUT(cgroup, diowqctl_tune_cgroup, 180)
{
	struct cg_env *env = &self->env;
	struct dq_writer_result res;
	pid_t pid;

	ASSERT_CTL(0, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR, "--cgroup-weight", "800");
	EXPECT_EQ(0, cmd.err.len) dq_cmd_log(&cmd);
	pid = expect_thread_in_leaf_weight(_metadata, env, 800);
	ASSERT_NE(0, pid);
	write_load(_metadata, env, &res);

	EXPECT_CTL(0, "status", env->fs.mnt);
	EXPECT_STDOUT_HAS(" cgroup ");
	EXPECT_STDOUT_HAS(env->leaf_dir);
	EXPECT_STDOUT_HAS("DIVERTED");
	EXPECT_CTL(0, "-j", "status", env->fs.mnt);
	EXPECT_STDOUT_HAS("\"mode\":\"cgroup\"");
	EXPECT_STDOUT_HAS("\"cgroup_weight\":800");
	EXPECT_STDOUT_HAS("\"diverted\":");
	EXPECT_STDOUT_HAS(env->leaf_dir);
	EXPECT_CTL(0, "status");
	EXPECT_STDOUT_HAS(env->leaf_dir);

	/* Usage errors: exit 2, nothing changed. */
	EXPECT_CTL(2, "tune", env->fs.mnt, "--mode", "cgroup");
	EXPECT_STDERR_HAS("--cgroup DIR");
	expect_unchanged(_metadata, env, 800, pid, "--mode cgroup alone");
	EXPECT_CTL(2, "tune", env->fs.mnt, "--mode", "highpri", "--cgroup",
		   POD_DIR);
	expect_unchanged(_metadata, env, 800, pid, "--cgroup with highpri");
	EXPECT_CTL(2, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR, "--cgroup-weight", "0");
	EXPECT_CTL(2, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR, "--cgroup-weight", "10001");
	expect_unchanged(_metadata, env, 800, pid, "bad weights");
	/* Bad directories: exit 1, said why, nothing changed. */
	EXPECT_CTL(1, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   env->fs.mnt);
	EXPECT_STDERR_HAS("not a cgroup v2 directory");
	EXPECT_CTL(1, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR "/missing");
	EXPECT_STDERR_HAS("cannot open the cgroup directory");
	EXPECT_CTL(1, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR "/cpu.weight");
	EXPECT_STDERR_HAS("Not a directory");
	expect_unchanged(_metadata, env, 800, pid, "bad directories");
	/* The kernel's refusal (no cpu controller below it), said by the tool. */
	ASSERT_EQ(0, dq_cg_create(NOCPU));
	EXPECT_CTL(1, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   DQ_CGROUP_ROOT "/" NOCPU);
	EXPECT_STDERR_HAS("cpu controller");
	EXPECT_EQ(0, rmdir(DQ_CGROUP_ROOT "/" NOCPU));
	expect_unchanged(_metadata, env, 800, pid, "a cgroup without cpu");

	/* The same directory again: the weight only, the same thread. */
	EXPECT_CTL(0, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR);
	expect_unchanged(_metadata, env, DIOWQ_CG_WEIGHT, pid, "a new weight");

	/* A switch returns once the old leaf is gone. */
	EXPECT_CTL(0, "tune", env->fs.mnt, "--mode", "highpri");
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_FALSE(dq_pid_alive(pid));
	/* Back, and untune: the leaf is gone when it returns. */
	EXPECT_CTL(0, "tune", env->fs.mnt, "--mode", "cgroup", "--cgroup",
		   POD_DIR);
	pid = expect_thread_in_leaf(_metadata, env);
	EXPECT_CTL(0, "untune", env->fs.mnt);
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	if (pid)
		EXPECT_FALSE(dq_pid_alive(pid));
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
}

/* ---- the pod's deletion, and the same pod through another mount -------- */

#define APP POD "/app"
#define APP_DIR DQ_CGROUP_ROOT "/" APP
/* The module checks every second and wants two empty checks in a row. */
#define FALLBACK_MS 10000
#define BUSY_MS 3000

/* A task of the pod's own: a child sleeping in POD/app. */
static pid_t pod_task_start(struct __test_metadata *_metadata)
{
	pid_t pid;

	EXPECT_EQ(0, dq_cg_create(APP));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	EXPECT_LT(0, pid);
	if (pid > 0)
		EXPECT_EQ(0, dq_cg_move(APP, pid));
	return pid;
}

static void pod_task_stop(struct __test_metadata *_metadata, pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		EXPECT_EQ(pid, waitpid(pid, NULL, 0));
	}
	EXPECT_EQ(0, rmdir(APP_DIR)) TH_LOG("rmdir %s: %m", APP_DIR);
}

/* Wait for the filesystem's mode to read @mode; its time, or -1. */
static long long wait_mode(const struct cg_env *env, const char *mode,
			   unsigned int timeout_ms)
{
	uint64_t start = dq_now_ms();
	char buf[32];

	for (;;) {
		if (!dq_read_sb_attr(env->fs.sid, DIOWQ_SB_ATTR_MODE, buf,
				     sizeof(buf)) &&
		    !strcmp(buf, mode))
			return dq_now_ms() - start;
		if (dq_now_ms() - start >= timeout_ms)
			return -1;
		dq_sleep_ms(50);
	}
}

/*
 * The pod's deletion: while tuned, its cgroup cannot be removed (the leaf
 * is a child). Once the pod had a task of its own and has none left, the
 * module falls back to highpri on its own, removes the leaf and says so
 * in a CGROUP_FALLBACK event; the pod can then be removed, and the
 * writer's completions (outside the pod) went on throughout. A pod that
 * never had a task (as in the tests above) is left alone. The pod has a
 * second volume, tuned below it too: each one's leaf is not a task of the
 * pod for the other, so both fall back.
 */
TEST_F_TIMEOUT(cgroup, pod_emptied_falls_back_to_highpri, 180)
{
	struct cg_env *env = &self->env;
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_genl events;
	struct dq_writer *w;
	uint32_t event = 0, mode = 0;
	char other_leaf[PATH_MAX];
	struct dq_fs other;
	long long took;
	pid_t pid, task;

	ASSERT_EQ(0, dq_fs_reuse(&other, DQ_DISK_C, variant->fstype));
	ASSERT_EQ(0, dq_tune_cgroup(other.mnt, POD_DIR));
	snprintf(other_leaf, sizeof(other_leaf), "%s/%s%s", POD_DIR,
		 DIOWQ_CG_LEAF_PREFIX, other.sid);
	ASSERT_TRUE(dq_path_exists(other_leaf));
	ASSERT_EQ(0, dq_genl_open(&events));
	ASSERT_EQ(0, dq_genl_subscribe_events(&events));
	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	ASSERT_EQ(0, dq_genl_recv_event(&events, &reply, 5000));
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));

	/* Never had a task: still in mode cgroup after three checks. */
	dq_sleep_ms(BUSY_MS);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_CGROUP_NAME);

	/* A task of its own: the pod is busy, and cannot be removed. */
	task = pod_task_start(_metadata);
	dq_sleep_ms(BUSY_MS);
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_CGROUP_NAME);
	EXPECT_EQ(pid, dq_cg_only_pid(env->leaf));
	EXPECT_EQ(-1, rmdir(POD_DIR));
	EXPECT_EQ(EBUSY, errno);

	/* Its last task gone: highpri, the leaf and the thread gone. */
	pod_task_stop(_metadata, task);
	took = wait_mode(env, DIOWQ_MODE_HIGHPRI_NAME, FALLBACK_MS);
	TH_LOG("fell back %lld ms after the pod's last task left", took);
	EXPECT_LE(0, took);
	EXPECT_TRUE(dq_sb_tuned(env->fs.sid));
	EXPECT_SB_ATTR(env->fs.sid, DIOWQ_SB_ATTR_CGROUP, "");
	EXPECT_EQ(0, dq_wait_path_gone(env->leaf_dir, LEAF_GONE_MS))
		TH_LOG("%s still there after the fallback", env->leaf_dir);
	EXPECT_FALSE(dq_pid_alive(pid)) TH_LOG("thread %d still there", pid);
	EXPECT_EQ(0, dq_wait_path_gone(other_leaf, FALLBACK_MS + LEAF_GONE_MS))
		TH_LOG("%s still there after the fallback", other_leaf);
	EXPECT_SB_ATTR(other.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);

	/* Said in an event, which reports the new mode. */
	ASSERT_EQ(0, dq_genl_recv_event(&events, &reply, 5000));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_EVENT, &event));
	EXPECT_EQ(DIOWQ_EVENT_CGROUP_FALLBACK, event);
	/* The other volume's may come first. */
	if (!strcmp(other.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID) ?: "")) {
		ASSERT_EQ(0, dq_genl_recv_event(&events, &reply, 5000));
		ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_EVENT, &event));
		EXPECT_EQ(DIOWQ_EVENT_CGROUP_FALLBACK, event);
	}
	EXPECT_STREQ(env->fs.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_MODE, &mode));
	EXPECT_EQ(DIOWQ_MODE_HIGHPRI, mode);
	EXPECT_EQ(NULL, dq_genl_attr(&reply, 0, DIOWQ_A_CGROUP));
	dq_genl_close(&events);
	EXPECT_EQ(0, dq_untune(other.mnt));
	EXPECT_EQ(0, dq_umount(&other, 0));

	/* Completions went on throughout; the sentinel is an ordinary queue. */
	ASSERT_EQ(0, dq_writer_wait_progress(w, MIN_COMPLETIONS,
					     MIN_COMPLETIONS_MS));
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_exactly_once(&res));
	EXPECT_TRUE(dq_writer_result_ok(&res));
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	EXPECT_DATA_VERIFIED_TWICE(&env->fs, &env->tf, &vr);
}

/*
 * The same pod named through a second mount of cgroup2 (a container's
 * view): the same directory, so the weight changes in place with the same
 * thread, and is not taken for a switch.
 */
#define CG2_MNT "/tmp/diowq-cgroup2"

TEST_F(cgroup, same_pod_through_another_cgroup2_mount)
{
	struct cg_env *env = &self->env;
	char req[PATH_MAX * 2];
	pid_t pid;

	ASSERT_EQ(0, dq_tune_cgroup(env->fs.mnt, POD_DIR));
	pid = expect_thread_in_leaf(_metadata, env);
	ASSERT_NE(0, pid);
	if (mkdir(CG2_MNT, 0755))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, mount("none", CG2_MNT, "cgroup2", 0, NULL))
		TH_LOG("mount cgroup2 on %s: %m", CG2_MNT);
	snprintf(req, sizeof(req), "%s %s %s/%s 300", DIOWQ_MODE_CGROUP_NAME,
		 env->fs.mnt, CG2_MNT, POD);
	EXPECT_EQ(0, dq_write_attr(DIOWQ_ATTR_TUNE, req));
	EXPECT_EQ(pid, expect_thread_in_leaf_weight(_metadata, env, 300));
	EXPECT_EQ(0, umount(CG2_MNT));
	rmdir(CG2_MNT);
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_FALSE(dq_path_exists(env->leaf_dir));
	EXPECT_EQ(0, rmdir(POD_DIR)) TH_LOG("rmdir %s: %m", POD_DIR);
}

DQ_TEST_MAIN
