// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod_test: unloading diowq while tuned filesystems are under I/O. XFS
 * on vda is tuned highpri, ext4 on vdb unbound, and both are written to
 * when rmmod runs: it must succeed, remove everything diowq made, lose
 * or fail no write, and hand the completions back to the kernel's own
 * dio/<s_id> queues.
 *
 * The ext4 superblock has already run async direct I/O before it is
 * tuned (its dio/ queue exists); the XFS one has not (diowq must leave it
 * a working queue all the same).
 *
 * The writes must queue their completions on every kernel, 7.x included,
 * which completes pure overwrites inline: the files are unwritten
 * DQ_QUEUED_FILE_SIZE ones, and each writer run has a seed of its own, so
 * that it does not retrace the blocks an earlier run wrote.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

#define LOAD_MS 3000
#define RUNNING_COMPLETIONS 200
#define MIN_SAMPLER_PASSES 100ull

struct tuned_fs {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	const char *mode;
	int cpu;		/* the writer's */
	unsigned int runs;	/* writer runs so far: the next one's seed */
	struct dq_writer *writer;
	char diowq[80];		/* "diowq-<s_id>" */
	char dio[80];		/* "dio/<s_id>" */
};

FIXTURE(rmmod) {
	struct tuned_fs xfs, ext4;
};

static int tuned_fs_setup(struct tuned_fs *t, unsigned int disk,
			  const char *fstype, const char *mode, int cpu)
{
	char path[PATH_MAX];
	int err;

	t->mode = mode;
	t->cpu = cpu;
	err = dq_fs_create(&t->fs, disk, fstype);
	if (err)
		return err;
	snprintf(t->diowq, sizeof(t->diowq), "%s%s", DIOWQ_WQ_PREFIX,
		 t->fs.sid);
	snprintf(t->dio, sizeof(t->dio), "dio/%s", t->fs.sid);
	snprintf(path, sizeof(path), "%s/data", t->fs.mnt);
	return dq_tf_create(&t->tf, path, DQ_QUEUED_FILE_SIZE,
			    DQ_LAYOUT_UNWRITTEN);
}

static int start_writer(struct tuned_fs *t, unsigned int ms)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(ms);

	opts.cpu = t->cpu;
	opts.seed = ++t->runs;
	return dq_writer_start(&t->writer, &t->tf, &opts);
}

static void join_writer(struct __test_metadata *_metadata, struct tuned_fs *t,
			unsigned int ms)
{
	struct dq_writer_result res;
	int err = dq_writer_join(t->writer, ms + DQ_JOIN_MS, &res);

	t->writer = NULL;
	dq_writer_log_result(t->fs.sid, &res);
	ASSERT_EQ(0, err) TH_LOG("the %s writer hung", t->fs.sid);
	EXPECT_TRUE(dq_writer_result_ok(&res));
}

/* An untuned async write run, so that ext4's own dio/ queue exists. */
static int warm_up(struct tuned_fs *t)
{
	struct dq_writer_result res;
	int err = start_writer(t, 300);

	if (!err)
		err = dq_writer_join(t->writer, DQ_JOIN_MS, &res);
	t->writer = NULL;
	if (!err && !dq_writer_result_ok(&res))
		err = -EIO;
	return err;
}

FIXTURE_SETUP(rmmod)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(tuned_fs_setup(&self->xfs, DQ_DISK_A, "xfs",
				DIOWQ_MODE_HIGHPRI_NAME, 1));
	DQ_SETUP(tuned_fs_setup(&self->ext4, DQ_DISK_B, "ext4",
				DIOWQ_MODE_UNBOUND_NAME, 0));
	DQ_SETUP(warm_up(&self->ext4));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(self->xfs.mode, self->xfs.fs.mnt));
	DQ_SETUP(dq_tune(self->ext4.mode, self->ext4.fs.mnt));
	DQ_SETUP(dq_sb_queue(self->ext4.fs.sid, self->ext4.diowq,
			     sizeof(self->ext4.diowq)));
}

FIXTURE_TEARDOWN(rmmod)
{
	EXPECT_EQ(0, dq_machine_reset());
}

static void verify(struct __test_metadata *_metadata, struct tuned_fs *t)
{
	struct dq_verify_result vr;

	ASSERT_EQ(0, dq_tf_verify(&t->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&t->tf, &vr);
}

TEST_F_TIMEOUT(rmmod, rmmod_under_io_untunes_all_and_loses_nothing, 180)
{
	int err;

	ASSERT_EQ(0, start_writer(&self->xfs, LOAD_MS));
	ASSERT_EQ(0, start_writer(&self->ext4, LOAD_MS));
	ASSERT_EQ(0, dq_writer_wait_progress(self->xfs.writer,
					     RUNNING_COMPLETIONS, 10000));
	ASSERT_EQ(0, dq_writer_wait_progress(self->ext4.writer,
					     RUNNING_COMPLETIONS, 10000));
	ASSERT_EQ(0, dq_writer_wait_in_flight(self->xfs.writer, 1, 10000));

	TH_LOG("rmmod with %llu + %llu writes in flight",
	       (unsigned long long)dq_writer_in_flight(self->xfs.writer),
	       (unsigned long long)dq_writer_in_flight(self->ext4.writer));
	err = dq_module_unload();
	EXPECT_EQ(0, err) TH_LOG("rmmod: %s", strerror(-err));
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
	/* rmmod waits for retired queues: nothing may linger. */
	EXPECT_FALSE(dq_wq_sysfs_exists(self->ext4.diowq));

	/* The writers keep going past the unload, then must all be fine. */
	join_writer(_metadata, &self->xfs, LOAD_MS);
	join_writer(_metadata, &self->ext4, LOAD_MS);
	verify(_metadata, &self->xfs);
	verify(_metadata, &self->ext4);
}

TEST_F_TIMEOUT(rmmod, completions_return_to_dio_queue_after_rmmod, 180)
{
	struct tuned_fs *all[] = { &self->xfs, &self->ext4 };
	struct dq_sampler *s;
	unsigned int i;

	/* Some I/O through diowq's queues first. */
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		ASSERT_EQ(0, start_writer(all[i], 1000));
	}
	for (i = 0; i < ARRAY_SIZE(all); i++)
		join_writer(_metadata, all[i], 1000);
	ASSERT_EQ(0, dq_module_unload());

	ASSERT_EQ(0, dq_sampler_start(&s, -1));
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		ASSERT_EQ(0, start_writer(all[i], LOAD_MS));
	}
	for (i = 0; i < ARRAY_SIZE(all); i++)
		join_writer(_metadata, all[i], LOAD_MS);
	dq_sampler_stop(s);
	ASSERT_LE(MIN_SAMPLER_PASSES, dq_sampler_passes(s));

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		EXPECT_LT(0ull, dq_sampler_count(s, all[i]->dio, DQ_KW_LIVE,
					      DQ_ANY_NICE))
			dq_sampler_log(s, all[i]->fs.sid);
		EXPECT_EQ(0ull, dq_sampler_count(s, all[i]->diowq, DQ_KW_LIVE,
					      DQ_ANY_NICE))
			dq_sampler_log(s, all[i]->fs.sid);
		verify(_metadata, all[i]);
	}
	dq_sampler_destroy(s);
}

DQ_TEST_MAIN
