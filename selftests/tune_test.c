// SPDX-License-Identifier: GPL-2.0
/*
 * tune_test: manual tuning through /sys/fs/diowq/tune and untune, on XFS
 * and ext4 in both modes: what the per-superblock directory reports, the
 * unbound queue's workqueue sysfs directory, idempotent re-tunes, mode
 * switches, untune by mount point and by s_id, and the default mode.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

FIXTURE(tune) {
	struct dq_fs fs;
	char queue[80];		/* "diowq-<s_id>": the first queue's name */
};

FIXTURE_VARIANT(tune) {
	const char *fstype;
	const char *mode;
	const char *other_mode;
};

FIXTURE_VARIANT_ADD(tune, xfs_highpri) {
	.fstype = "xfs",
	.mode = DIOWQ_MODE_HIGHPRI_NAME,
	.other_mode = DIOWQ_MODE_UNBOUND_NAME,
};

FIXTURE_VARIANT_ADD(tune, xfs_unbound) {
	.fstype = "xfs",
	.mode = DIOWQ_MODE_UNBOUND_NAME,
	.other_mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_VARIANT_ADD(tune, ext4_highpri) {
	.fstype = "ext4",
	.mode = DIOWQ_MODE_HIGHPRI_NAME,
	.other_mode = DIOWQ_MODE_UNBOUND_NAME,
};

FIXTURE_VARIANT_ADD(tune, ext4_unbound) {
	.fstype = "ext4",
	.mode = DIOWQ_MODE_UNBOUND_NAME,
	.other_mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_SETUP(tune)
{
	DQ_SETUP(dq_machine_reset());
	/* Nothing here reads file contents: any clean fs of the type will do. */
	DQ_SETUP(dq_fs_reuse(&self->fs, DQ_DISK_B, variant->fstype));
	DQ_SETUP(dq_module_load(""));
	snprintf(self->queue, sizeof(self->queue), "%s%s", DIOWQ_WQ_PREFIX,
		 self->fs.sid);
	ASSERT_FALSE(dq_sb_tuned(self->fs.sid));
}

FIXTURE_TEARDOWN(tune)
{
	EXPECT_EQ(0, dq_machine_reset());
}

static bool is_unbound(const char *mode)
{
	return !strcmp(mode, DIOWQ_MODE_UNBOUND_NAME);
}

static long long read_swaps(struct __test_metadata *_metadata,
			    const char *sid)
{
	long long swaps = -1;

	EXPECT_EQ(0, dq_read_sb_number(sid, DIOWQ_SB_ATTR_SWAPS, &swaps));
	return swaps;
}

/*
 * The queue sid runs on now, checked against its mode: one of sid's queue
 * names, with a workqueue sysfs directory when it is unbound, and none
 * when it is per-CPU. A per-CPU queue may share its name with an unbound
 * predecessor that still retires: that directory must go soon.
 */
static void expect_queue(struct __test_metadata *_metadata, const char *sid,
			 const char *mode, char *queue, size_t size)
{
	ASSERT_EQ(0, dq_sb_queue(sid, queue, size));
	EXPECT_TRUE(dq_is_sb_queue_name(sid, queue)) TH_LOG("queue %s", queue);
	/* Braces: the harness's checks expand to more than one statement. */
	if (is_unbound(mode)) {
		EXPECT_TRUE(dq_wq_sysfs_exists(queue))
			TH_LOG("no %s/%s", DIOWQ_WQ_SYSFS_ROOT, queue);
	} else {
		EXPECT_LE(0, dq_wait_wq_sysfs(queue, false, DQ_WQ_GONE_MS))
			TH_LOG("%s/%s stays", DIOWQ_WQ_SYSFS_ROOT, queue);
	}
}

TEST_F_TIMEOUT(tune, tune_by_path_creates_sb_directory, 60)
{
	char dev[32];

	ASSERT_EQ(0, dq_dev_numbers(self->fs.dev, dev, sizeof(dev)));
	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_TRUE(dq_sb_tuned(self->fs.sid));

	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_FSTYPE, variant->fstype);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SOURCE, self->fs.dev);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_DEV, dev);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_WORKQUEUE, self->queue);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_MANUAL_NAME);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SWAPS, "1");
}

/* tuned_ms counts jiffies: allow a few, and a slow emulated guest. */
#define TUNED_MS_SLACK 100

TEST_F_TIMEOUT(tune, tuned_ms_counts_time_since_tune, 60)
{
	long long first, second, first_bound, second_bound;
	uint64_t before_tune = dq_now_ms();

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_read_sb_number(self->fs.sid, DIOWQ_SB_ATTR_TUNED_MS,
				       &first));
	first_bound = dq_now_ms() - before_tune + TUNED_MS_SLACK;
	dq_sleep_ms(500);
	ASSERT_EQ(0, dq_read_sb_number(self->fs.sid, DIOWQ_SB_ATTR_TUNED_MS,
				       &second));
	second_bound = dq_now_ms() - before_tune + TUNED_MS_SLACK;
	/* No more than has passed since just before the tune... */
	EXPECT_LE(0, first);
	EXPECT_GE(first_bound, first);
	EXPECT_GE(second_bound, second);
	/* ... and the 500 ms in between did pass. */
	EXPECT_LE(first + 450, second);
}

TEST_F_TIMEOUT(tune, unbound_mode_alone_has_workqueue_sysfs_dir, 60)
{
	unsigned long long cpumask = 0, unbound_cpumask = 0;
	char path[PATH_MAX], nice[16];

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	if (!is_unbound(variant->mode)) {
		/* A per-CPU queue has no attributes to show. */
		EXPECT_FALSE(dq_wq_sysfs_exists(self->queue));
		return;
	}

	ASSERT_TRUE(dq_wq_sysfs_exists(self->queue));
	dq_wq_path(path, sizeof(path), self->queue, "nice");
	ASSERT_EQ(0, dq_read_value(path, nice, sizeof(nice)));
	/* WQ_HIGHPRI: unbound workers start at nice -20 too. */
	EXPECT_STREQ("-20", nice);
	/*
	 * diowq sets no cpumask of its own: the queue gets the one the
	 * kernel gives every unbound queue (wq_unbound_cpumask).
	 */
	dq_wq_path(path, sizeof(path), "cpumask", NULL);
	ASSERT_EQ(0, dq_read_cpumask(path, &unbound_cpumask));
	dq_wq_path(path, sizeof(path), self->queue, "cpumask");
	ASSERT_EQ(0, dq_read_cpumask(path, &cpumask));
	EXPECT_EQ(unbound_cpumask, cpumask);
	/* And it is the queue's own: a mask written to it is what it holds. */
	ASSERT_EQ(0, dq_write_file(path, "2", 1));
	ASSERT_EQ(0, dq_read_cpumask(path, &cpumask));
	EXPECT_EQ(2ull, cpumask);
}

TEST_F_TIMEOUT(tune, retune_in_same_mode_changes_nothing, 60)
{
	struct dq_snapshot before, after;

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&after));

	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	EXPECT_EQ(1, read_swaps(_metadata, self->fs.sid));
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F_TIMEOUT(tune, retune_in_other_mode_switches_mode, 60)
{
	char first[80], second[80], third[80];

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	expect_queue(_metadata, self->fs.sid, variant->mode, first,
		     sizeof(first));

	ASSERT_EQ(0, dq_tune(variant->other_mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->other_mode);
	EXPECT_EQ(2, read_swaps(_metadata, self->fs.sid));
	/* A switch is no new tune: still the same manual record. */
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_MANUAL_NAME);
	expect_queue(_metadata, self->fs.sid, variant->other_mode, second,
		     sizeof(second));
	/* The unbound queue switched away from goes, once retired. */
	if (is_unbound(variant->mode)) {
		EXPECT_LE(0, dq_wait_wq_sysfs(first, false, DQ_WQ_GONE_MS));
	}

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	EXPECT_EQ(3, read_swaps(_metadata, self->fs.sid));
	expect_queue(_metadata, self->fs.sid, variant->mode, third,
		     sizeof(third));
	if (is_unbound(variant->other_mode)) {
		EXPECT_LE(0, dq_wait_wq_sysfs(second, false, DQ_WQ_GONE_MS));
	}
}

TEST_F_TIMEOUT(tune, untune_by_path_removes_sb_directory, 60)
{
	char queue[80];

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_sb_queue(self->fs.sid, queue, sizeof(queue)));

	EXPECT_EQ(0, dq_untune(self->fs.mnt));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_LE(0, dq_wait_wq_sysfs(queue, false, DQ_WQ_GONE_MS));
}

TEST_F_TIMEOUT(tune, untune_by_sid_removes_sb_directory, 60)
{
	char queue[80];

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_sb_queue(self->fs.sid, queue, sizeof(queue)));

	EXPECT_EQ(0, dq_untune(self->fs.sid));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_LE(0, dq_wait_wq_sysfs(queue, false, DQ_WQ_GONE_MS));
}

TEST_F_TIMEOUT(tune, untune_of_untuned_fs_is_enoent, 60)
{
	EXPECT_EQ(-ENOENT, dq_untune(self->fs.mnt));
	EXPECT_EQ(-ENOENT, dq_untune(self->fs.sid));

	/* Also once it was tuned and untuned again. */
	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_untune(self->fs.mnt));
	EXPECT_EQ(-ENOENT, dq_untune(self->fs.mnt));
	EXPECT_EQ(-ENOENT, dq_untune(self->fs.sid));
}

/*
 * Whether swaps starts over at such a tune is left open by the interface
 * (the superblock is the same): not checked.
 */
TEST_F_TIMEOUT(tune, tune_after_untune_works, 60)
{
	char queue[80];

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_tune(variant->other_mode, self->fs.mnt));
	ASSERT_EQ(0, dq_untune(self->fs.mnt));
	ASSERT_FALSE(dq_sb_tuned(self->fs.sid));

	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_MANUAL_NAME);
	expect_queue(_metadata, self->fs.sid, variant->mode, queue,
		     sizeof(queue));
}

TEST_F_TIMEOUT(tune, tune_without_mode_uses_default_mode_param, 60)
{
	char params[64], queue[80];

	ASSERT_EQ(0, dq_module_unload());
	snprintf(params, sizeof(params), "default_mode=%s", variant->mode);
	ASSERT_EQ(0, dq_module_load(params));

	ASSERT_EQ(0, dq_tune(NULL, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	expect_queue(_metadata, self->fs.sid, variant->mode, queue,
		     sizeof(queue));
}

TEST_F_TIMEOUT(tune, tune_without_mode_uses_written_default_mode, 60)
{
	char queue[80];

	/* Via the other mode, so the write is a change in every variant. */
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, variant->other_mode));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, variant->mode));
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, variant->mode);

	ASSERT_EQ(0, dq_tune(NULL, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	expect_queue(_metadata, self->fs.sid, variant->mode, queue,
		     sizeof(queue));
}

TEST_F_TIMEOUT(tune, default_mode_change_leaves_tuned_sb_alone, 60)
{
	ASSERT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, variant->other_mode));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	EXPECT_EQ(1, read_swaps(_metadata, self->fs.sid));
}

DQ_TEST_MAIN
