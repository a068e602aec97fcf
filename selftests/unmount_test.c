// SPDX-License-Identifier: GPL-2.0
/*
 * unmount_test: a tuned superblock's end of life. A plain unmount after
 * I/O untunes it; an unmount refused with EBUSY (I/O in flight) changes
 * nothing; a lazy unmount under I/O keeps it tuned while the last open
 * file lives and untunes it when that closes, with every write intact; a
 * remounted or re-made filesystem on the same disk is a new superblock
 * that starts untuned and tunes normally.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

#include <sys/mount.h>

/* An unmount untunes before umount(2) returns; allow a little slack. */
#define UNTUNE_MS 1000
#define LOAD_MS 2000
/* "In flight" means the writer is past its start-up. */
#define RUNNING_COMPLETIONS 200

FIXTURE(unmount) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	char data[PATH_MAX];
	char queue[80];		/* the tuned sb's queue */
};

DQ_FS_MODE_VARIANTS(unmount);

FIXTURE_SETUP(unmount)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_create(&self->fs, DQ_DISK_B, variant->fstype));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(variant->mode, self->fs.mnt));
	DQ_SETUP(dq_sb_queue(self->fs.sid, self->queue, sizeof(self->queue)));
	snprintf(self->data, sizeof(self->data), "%s/data", self->fs.mnt);
	DQ_SETUP(dq_tf_create(&self->tf, self->data, DQ_DATA_FILE_SIZE,
			      DQ_LAYOUT_WRITTEN));
}

FIXTURE_TEARDOWN(unmount)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* Write for ms, to the end; every write must have succeeded. */
static void write_for(struct __test_metadata *_metadata,
		      struct dq_tagged_file *tf, unsigned int ms)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(ms);
	struct dq_writer_result res;
	struct dq_writer *w;

	ASSERT_EQ(0, dq_writer_start(&w, tf, &opts));
	ASSERT_EQ(0, dq_writer_join(w, ms + DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	ASSERT_TRUE(dq_writer_result_ok(&res));
}

static void verify(struct __test_metadata *_metadata,
		   struct dq_tagged_file *tf)
{
	struct dq_verify_result vr;

	ASSERT_EQ(0, dq_tf_verify(tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(tf, &vr);
}

TEST_F_TIMEOUT(unmount, umount_after_io_removes_sb_directory, 120)
{
	write_for(_metadata, &self->tf, LOAD_MS);
	dq_tf_close(&self->tf);
	ASSERT_TRUE(dq_sb_tuned(self->fs.sid));

	ASSERT_EQ(0, dq_umount(&self->fs, 0));
	EXPECT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, UNTUNE_MS));
	EXPECT_LE(0, dq_wait_wq_sysfs(self->queue, false, DQ_WQ_GONE_MS));
}

TEST_F_TIMEOUT(unmount, busy_umount_under_io_changes_nothing, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(3 * LOAD_MS);
	struct dq_snapshot before, after;
	struct dq_writer_result res;
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS, 10000));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, 10000));

	err = dq_umount(&self->fs, 0);
	TH_LOG("umount with %llu writes in flight: %s",
	       (unsigned long long)dq_writer_in_flight(w), strerror(-err));
	EXPECT_EQ(-EBUSY, err);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);

	ASSERT_EQ(0, dq_writer_join(w, 3 * LOAD_MS + DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	verify(_metadata, &self->tf);
	EXPECT_TRUE(dq_sb_tuned(self->fs.sid));

	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F_TIMEOUT(unmount, lazy_umount_untunes_when_last_file_closes, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(3 * LOAD_MS);
	struct dq_writer_result res;
	struct dq_writer *w;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS, 10000));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, 10000));

	TH_LOG("lazy umount with %llu writes in flight",
	       (unsigned long long)dq_writer_in_flight(w));
	ASSERT_EQ(0, dq_umount(&self->fs, MNT_DETACH));
	/* Detached, but the superblock lives on with our open file. */
	EXPECT_TRUE(dq_sb_tuned(self->fs.sid));

	ASSERT_EQ(0, dq_writer_join(w, 3 * LOAD_MS + DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	verify(_metadata, &self->tf);
	EXPECT_TRUE(dq_sb_tuned(self->fs.sid));

	/* The last reference: now the superblock goes, and diowq with it. */
	dq_tf_close(&self->tf);
	EXPECT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, UNTUNE_MS));
	EXPECT_LE(0, dq_wait_wq_sysfs(self->queue, false, DQ_WQ_GONE_MS));
}

TEST_F_TIMEOUT(unmount, new_superblock_on_same_disk_starts_untuned, 180)
{
	write_for(_metadata, &self->tf, LOAD_MS);
	dq_tf_close(&self->tf);
	ASSERT_EQ(0, dq_umount(&self->fs, 0));
	ASSERT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, UNTUNE_MS));

	/* Same disk, same s_id, new superblock: no auto_fstypes, no tune. */
	ASSERT_EQ(0, dq_mount(&self->fs));
	dq_sleep_ms(DQ_TWO_RESCANS_MS);
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SWAPS, "1");
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_MANUAL_NAME);
	/* The old data survived, and new writes work on the new tune. */
	ASSERT_EQ(0, dq_tf_reopen(&self->tf));
	verify(_metadata, &self->tf);
	write_for(_metadata, &self->tf, LOAD_MS);
	verify(_metadata, &self->tf);
	dq_tf_destroy(&self->tf);

	/* A new filesystem altogether. */
	ASSERT_EQ(0, dq_umount(&self->fs, 0));
	ASSERT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, UNTUNE_MS));
	ASSERT_EQ(0, dq_mkfs(&self->fs, variant->fstype));
	ASSERT_EQ(0, dq_mount(&self->fs));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SWAPS, "1");
	ASSERT_EQ(0, dq_tf_create(&self->tf, self->data, DQ_DATA_FILE_SIZE,
				  DQ_LAYOUT_WRITTEN));
	write_for(_metadata, &self->tf, LOAD_MS);
	verify(_metadata, &self->tf);
}

DQ_TEST_MAIN
