// SPDX-License-Identifier: GPL-2.0
/*
 * completion_test: where the direct-I/O completions really run. While an
 * AIO O_DIRECT writer pinned to CPU 1 writes into a file's fallocated
 * (unwritten) space, a sampler watches every kworker's comm
 * ("kworker/1:2H+diowq-vdb") and nice:
 *
 * - tuned, the completions run on diowq-<s_id> workers at nice -20, and
 *   never on the kernel's dio/<s_id> queue;
 * - untuned (the control), they run on dio/<s_id> and never on diowq:
 *   the sampler can tell the two apart;
 * - unbound, the workers follow the queue's nice set through
 *   /sys/devices/virtual/workqueue/diowq-<s_id>/nice.
 *
 * The writes must queue their completions on every kernel, 7.x included,
 * which completes pure overwrites inline: DQ_QUEUED_FILE_SIZE, unwritten.
 *
 * - overwrites of a fully written file, tuned or not, run on the queue
 *   where the kernel queues them (6.1, 6.12) and on no queue at all where
 *   it completes them inline (7.x); either way every write completes and
 *   the data reads back.
 * - O_DSYNC overwrites (RWF_DSYNC) of a written file queue on every
 *   kernel where the device has no FUA, as the rig's virtio disks: the
 *   completion flushes the device's cache. Tuned, diowq runs them.
 * - appends to an empty file queue on XFS, which extends i_size in the
 *   completion work, on every kernel; ext4 writes them synchronously and
 *   completes them in the submitter, on no queue.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"

/* Seconds of load per sample run: enough samples even under TCG. */
#define LOAD_MS 3000
/* Proof that the run was a run: lower bounds far below what TCG does. */
#define MIN_COMPLETIONS 1000ull
/* How long past LOAD_MS the writer may take to reach them. */
#define MIN_COMPLETIONS_MS 60000
#define MIN_SAMPLER_PASSES 100ull

struct completion_env {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	char diowq[80];		/* our queue: "diowq-<s_id>" (workqueue) */
	char dio[80];		/* "dio/<s_id>": the kernel's own queue */
};

static int env_setup_layout(struct completion_env *env, const char *fstype,
			    uint64_t size, enum dq_layout layout)
{
	char path[PATH_MAX];
	int err;

	err = dq_machine_reset();
	if (!err)
		err = dq_fs_create(&env->fs, DQ_DISK_B, fstype);
	if (!err)
		err = dq_module_load("");
	if (err)
		return err;
	snprintf(env->diowq, sizeof(env->diowq), "%s%s", DIOWQ_WQ_PREFIX,
		 env->fs.sid);
	snprintf(env->dio, sizeof(env->dio), "dio/%s", env->fs.sid);
	snprintf(path, sizeof(path), "%s/data", env->fs.mnt);
	return dq_tf_create(&env->tf, path, size, layout);
}

/* Unwritten extents: completions that queue on every kernel. */
static int env_setup(struct completion_env *env, const char *fstype)
{
	return env_setup_layout(env, fstype, DQ_QUEUED_FILE_SIZE,
				DQ_LAYOUT_UNWRITTEN);
}

/*
 * Run the writer (4 KiB, queue depth 32, pinned to CPU 1) with the sampler
 * on CPU 0 for LOAD_MS and until MIN_COMPLETIONS writes have completed:
 * the debug kernel (KASAN, lockdep) converts unwritten extents at ~100 a
 * second under emulation, where the others do thousands. Both must have
 * done real work.
 */
static void sample_load_with(struct __test_metadata *_metadata,
			     struct completion_env *env, struct dq_sampler **sp,
			     const struct dq_writer_opts *opts)
{
	struct dq_writer_result res;
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_sampler_start(sp, 0));
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, opts));
	usleep(LOAD_MS * 1000);
	err = dq_writer_wait_progress(w, MIN_COMPLETIONS, MIN_COMPLETIONS_MS);
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	ASSERT_EQ(0, err) dq_writer_log_result("writer", &res);
	dq_sampler_stop(*sp);

	dq_writer_log_result("writer", &res);
	ASSERT_TRUE(dq_writer_result_ok(&res));
	ASSERT_LE(MIN_COMPLETIONS, res.completed);
	ASSERT_LE(MIN_SAMPLER_PASSES, dq_sampler_passes(*sp));
}

static void sample_load(struct __test_metadata *_metadata,
			struct completion_env *env, struct dq_sampler **sp)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);

	sample_load_with(_metadata, env, sp, &opts);
}

/* The margins, for whoever wonders how close a run came to failing. */
static void log_counts(struct __test_metadata *_metadata,
		       const struct completion_env *env,
		       const struct dq_sampler *s)
{
	TH_LOG("%llu passes; %s: %llu running, %llu ran; %s: %llu running, %llu ran",
	       (unsigned long long)dq_sampler_passes(s), env->diowq,
	       (unsigned long long)dq_sampler_count(s, env->diowq, DQ_KW_RUNNING,
						    DQ_ANY_NICE),
	       (unsigned long long)dq_sampler_count(s, env->diowq, DQ_KW_RAN_FRESH,
						    DQ_ANY_NICE),
	       env->dio,
	       (unsigned long long)dq_sampler_count(s, env->dio, DQ_KW_RUNNING,
						    DQ_ANY_NICE),
	       (unsigned long long)dq_sampler_count(s, env->dio, DQ_KW_RAN_FRESH,
						    DQ_ANY_NICE));
}

FIXTURE(tuned) {
	struct completion_env env;
};

DQ_FS_MODE_VARIANTS(tuned);

FIXTURE_SETUP(tuned)
{
	DQ_SETUP(env_setup(&self->env, variant->fstype));
}

FIXTURE_TEARDOWN(tuned)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(tuned, completions_run_on_diowq_at_nice_minus_20, 120)
{
	struct completion_env *env = &self->env;
	struct dq_sampler *s;

	/* Tuned before the first async write: no dio/ queue ever ran. */
	ASSERT_EQ(0, dq_tune(variant->mode, env->fs.mnt));
	ASSERT_EQ(0, dq_sb_queue(env->fs.sid, env->diowq, sizeof(env->diowq)));
	sample_load(_metadata, env, &s);
	log_counts(_metadata, env, s);

	EXPECT_LT(0ull, dq_sampler_count(s, env->diowq, DQ_KW_LIVE, -20))
		dq_sampler_log(s, env->fs.sid);
	EXPECT_EQ(0ull, dq_sampler_count(s, env->dio, DQ_KW_RUNNING, DQ_ANY_NICE))
		dq_sampler_log(s, env->fs.sid);
	dq_sampler_destroy(s);
}

FIXTURE(untuned) {
	struct completion_env env;
};

FIXTURE_VARIANT(untuned) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(untuned, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(untuned, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(untuned)
{
	DQ_SETUP(env_setup(&self->env, variant->fstype));
}

FIXTURE_TEARDOWN(untuned)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* The control: loaded but not tuned, nothing of ours may run. */
TEST_F_TIMEOUT(untuned, completions_run_on_dio_queue_at_nice_0, 120)
{
	struct completion_env *env = &self->env;
	struct dq_sampler *s;

	sample_load(_metadata, env, &s);
	log_counts(_metadata, env, s);

	EXPECT_LT(0ull, dq_sampler_count(s, env->dio, DQ_KW_LIVE, 0))
		dq_sampler_log(s, env->fs.sid);
	EXPECT_EQ(0ull, dq_sampler_count(s, env->diowq, DQ_KW_LIVE, DQ_ANY_NICE))
		dq_sampler_log(s, env->fs.sid);
	dq_sampler_destroy(s);
}

FIXTURE(unbound_nice) {
	struct completion_env env;
};

FIXTURE_VARIANT(unbound_nice) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(unbound_nice, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(unbound_nice, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(unbound_nice)
{
	DQ_SETUP(env_setup(&self->env, variant->fstype));
}

FIXTURE_TEARDOWN(unbound_nice)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(unbound_nice, workers_follow_the_queue_nice, 120)
{
	struct completion_env *env = &self->env;
	char path[PATH_MAX], nice[16];
	struct dq_sampler *s;

	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_UNBOUND_NAME, env->fs.mnt));
	ASSERT_EQ(0, dq_sb_queue(env->fs.sid, env->diowq, sizeof(env->diowq)));
	dq_wq_path(path, sizeof(path), env->diowq, "nice");
	ASSERT_EQ(0, dq_write_file(path, "-5", 2));
	ASSERT_EQ(0, dq_read_value(path, nice, sizeof(nice)));
	ASSERT_STREQ("-5", nice);

	sample_load(_metadata, env, &s);
	log_counts(_metadata, env, s);

	EXPECT_LT(0ull, dq_sampler_count(s, env->diowq, DQ_KW_LIVE, -5))
		dq_sampler_log(s, env->fs.sid);
	/* Set before the first write: nothing ran at the old -20. */
	EXPECT_EQ(0ull, dq_sampler_count(s, env->diowq, DQ_KW_RUNNING, -20))
		dq_sampler_log(s, env->fs.sid);
	dq_sampler_destroy(s);
}

/*
 * Does the device advertise FUA (/sys/block/<disk>/queue/fua)? The disk's
 * name is the superblock's s_id (dq_disk() took it from the device).
 */
static bool device_has_fua(const struct dq_fs *fs)
{
	char path[PATH_MAX], value[8] = "";

	snprintf(path, sizeof(path), "/sys/block/%s/queue/fua", fs->sid);
	return dq_read_file(path, value, sizeof(value)) > 0 && value[0] == '1';
}

FIXTURE(overwrite) {
	struct completion_env env;
};

FIXTURE_VARIANT(overwrite) {
	const char *fstype;
	const char *mode;	/* NULL: untuned */
	bool dsync;		/* RWF_DSYNC writes */
};

FIXTURE_VARIANT_ADD(overwrite, xfs_untuned) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(overwrite, xfs_highpri) {
	.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_VARIANT_ADD(overwrite, ext4_untuned) {
	.fstype = "ext4",
};

FIXTURE_VARIANT_ADD(overwrite, ext4_highpri) {
	.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_VARIANT_ADD(overwrite, xfs_dsync_untuned) {
	.fstype = "xfs", .dsync = true,
};

FIXTURE_VARIANT_ADD(overwrite, xfs_dsync_highpri) {
	.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME, .dsync = true,
};

FIXTURE_VARIANT_ADD(overwrite, ext4_dsync_untuned) {
	.fstype = "ext4", .dsync = true,
};

FIXTURE_VARIANT_ADD(overwrite, ext4_dsync_highpri) {
	.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME, .dsync = true,
};

FIXTURE_SETUP(overwrite)
{
	/* Fully written first: the load is pure overwrites. */
	DQ_SETUP(env_setup_layout(&self->env, variant->fstype,
				  DQ_DATA_FILE_SIZE, DQ_LAYOUT_WRITTEN));
}

FIXTURE_TEARDOWN(overwrite)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/*
 * Tune (mode, or NULL: untuned), run the writer's load on the file, and
 * check where its completions ran: on no queue where the kernel completes
 * them without one, else on diowq's queue when tuned and the kernel's when
 * not. Every write must read back.
 */
static void check_load(struct __test_metadata *_metadata,
		       struct completion_env *env, const char *mode,
		       const struct dq_writer_opts *opts, bool queued)
{
	unsigned long long ours, kernels;
	struct dq_verify_result vr;
	struct dq_sampler *s;

	if (mode) {
		ASSERT_EQ(0, dq_tune(mode, env->fs.mnt));
		ASSERT_EQ(0, dq_sb_queue(env->fs.sid, env->diowq,
					 sizeof(env->diowq)));
	}
	sample_load_with(_metadata, env, &s, opts);
	log_counts(_metadata, env, s);
	ours = dq_sampler_count(s, env->diowq, DQ_KW_LIVE, DQ_ANY_NICE);
	kernels = dq_sampler_count(s, env->dio, DQ_KW_LIVE, DQ_ANY_NICE);
	TH_LOG("%s, %s: %s%s writes must %s", env->fs.fstype,
	       mode ? mode : "untuned", opts->dsync ? "O_DSYNC " : "",
	       opts->append ? "appending" : "overwriting",
	       queued ? "be queued" : "complete without a queue");

	if (!queued) {
		EXPECT_EQ(0ull, ours) dq_sampler_log(s, env->fs.sid);
		EXPECT_EQ(0ull, kernels) dq_sampler_log(s, env->fs.sid);
	} else if (mode) {
		EXPECT_LT(0ull, ours) dq_sampler_log(s, env->fs.sid);
		EXPECT_EQ(0ull, dq_sampler_count(s, env->dio, DQ_KW_RUNNING,
						 DQ_ANY_NICE))
			dq_sampler_log(s, env->fs.sid);
	} else {
		EXPECT_LT(0ull, kernels) dq_sampler_log(s, env->fs.sid);
		EXPECT_EQ(0ull, ours) dq_sampler_log(s, env->fs.sid);
	}
	dq_sampler_destroy(s);

	ASSERT_EQ(0, dq_tf_verify(&env->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&env->tf, &vr);
}

/*
 * 6.1 and 6.12 queue every overwrite's completion, 7.x none, but for an
 * O_DSYNC one on a device without FUA: its completion must flush the
 * device's cache, which needs a task, on every kernel.
 */
TEST_F_TIMEOUT(overwrite, run_where_the_kernel_queues_them, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .dsync = variant->dsync);
	bool inline_comp = dq_overwrites_complete_inline();

	if (variant->dsync) {
		bool fua = device_has_fua(&self->env.fs);

		TH_LOG("the device has %s", fua ? "FUA" : "no FUA");
		inline_comp = inline_comp && fua;
	}
	check_load(_metadata, &self->env, variant->mode, &opts, !inline_comp);
}

FIXTURE(append) {
	struct completion_env env;
};

FIXTURE_VARIANT(append) {
	const char *fstype;
	const char *mode;	/* NULL: untuned */
	bool queued;		/* the filesystem queues the completions */
};

/* XFS extends i_size in the completion work, which is queued. */
FIXTURE_VARIANT_ADD(append, xfs_untuned) {
	.fstype = "xfs", .queued = true,
};

FIXTURE_VARIANT_ADD(append, xfs_highpri) {
	.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME, .queued = true,
};

/*
 * ext4 performs extending direct writes synchronously
 * (IOMAP_DIO_FORCE_WAIT, fs/ext4/file.c): the submitter waits in
 * io_submit() and completes each write itself, on every kernel.
 */
FIXTURE_VARIANT_ADD(append, ext4_untuned) {
	.fstype = "ext4",
};

FIXTURE_VARIANT_ADD(append, ext4_highpri) {
	.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_SETUP(append)
{
	DQ_SETUP(env_setup_layout(&self->env, variant->fstype,
				  DQ_QUEUED_FILE_SIZE, DQ_LAYOUT_EMPTY));
}

FIXTURE_TEARDOWN(append)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* Appends, from an empty file, in order: where the filesystem queues them. */
TEST_F_TIMEOUT(append, run_where_the_filesystem_queues_them, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .append = true);
	struct stat st;

	check_load(_metadata, &self->env, variant->mode, &opts, variant->queued);
	ASSERT_EQ(0, fstat(self->env.tf.fd, &st));
	TH_LOG("the file grew to %lld bytes", (long long)st.st_size);
	EXPECT_LT(0, st.st_size);
}

DQ_TEST_MAIN
