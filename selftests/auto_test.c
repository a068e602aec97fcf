// SPDX-License-Identifier: GPL-2.0
/*
 * auto_test: auto-tuning by filesystem type (auto_fstypes). Mounted XFS
 * and ext4 are tuned at load, new mounts within a rescan period or three,
 * an sb untuned by hand stays untuned until it is mounted anew, an empty
 * list stops auto-tuning, a list written at runtime applies at once, and
 * default_mode chooses the mode of auto-tuned superblocks.
 *
 * XFS is mounted on vda and ext4 on vdb before each test; vdc is left for
 * the tests that mount a filesystem later.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

FIXTURE(auto_tune) {
	struct dq_fs xfs, ext4, later;
};

FIXTURE_SETUP(auto_tune)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->xfs, DQ_DISK_A, "xfs"));
	DQ_SETUP(dq_fs_reuse(&self->ext4, DQ_DISK_B, "ext4"));
	DQ_SETUP(dq_disk(DQ_DISK_C, &self->later));
}

FIXTURE_TEARDOWN(auto_tune)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* Wait for an auto-tune of fs, then check it is one. */
static void expect_auto_tuned(struct __test_metadata *_metadata,
			      const struct dq_fs *fs, const char *mode)
{
	int ms = dq_wait_sb_tuned(fs->sid, true, DQ_AUTO_TUNE_MS);

	ASSERT_LE(0, ms) TH_LOG("%s (%s) not tuned after %u ms", fs->mnt,
				fs->fstype, DQ_AUTO_TUNE_MS);
	TH_LOG("%s tuned after %d ms", fs->sid, ms);
	EXPECT_SB_ATTR(fs->sid, DIOWQ_SB_ATTR_ORIGIN, DIOWQ_ORIGIN_AUTO_NAME);
	EXPECT_SB_ATTR(fs->sid, DIOWQ_SB_ATTR_FSTYPE, fs->fstype);
	EXPECT_SB_ATTR(fs->sid, DIOWQ_SB_ATTR_MODE, mode);
}

/* A fresh ext4 on vdc, mounted while diowq is already loaded. */
static void mount_later(struct __test_metadata *_metadata, struct dq_fs *fs)
{
	ASSERT_EQ(0, dq_mkfs(fs, "ext4"));
	ASSERT_EQ(0, dq_mount(fs));
}

TEST_F_TIMEOUT(auto_tune, load_tunes_mounted_xfs_and_ext4, 60)
{
	ASSERT_EQ(0, dq_module_load("auto_fstypes=xfs,ext4"));
	expect_auto_tuned(_metadata, &self->xfs, DIOWQ_MODE_HIGHPRI_NAME);
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_HIGHPRI_NAME);
}

TEST_F_TIMEOUT(auto_tune, new_mount_is_tuned_by_rescan, 60)
{
	ASSERT_EQ(0, dq_module_load("auto_fstypes=xfs,ext4"));
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_HIGHPRI_NAME);

	mount_later(_metadata, &self->later);
	expect_auto_tuned(_metadata, &self->later, DIOWQ_MODE_HIGHPRI_NAME);
}

TEST_F_TIMEOUT(auto_tune, untuned_sb_stays_untuned_until_mounted_anew, 60)
{
	ASSERT_EQ(0, dq_module_load("auto_fstypes=xfs,ext4"));
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_HIGHPRI_NAME);

	ASSERT_EQ(0, dq_untune(self->ext4.mnt));
	dq_sleep_ms(DQ_TWO_RESCANS_MS);
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));
	/* The other one is not affected. */
	EXPECT_TRUE(dq_sb_tuned(self->xfs.sid));

	/* A new mount is a new superblock: fair game again. */
	ASSERT_EQ(0, dq_umount(&self->ext4, 0));
	ASSERT_EQ(0, dq_mount(&self->ext4));
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_HIGHPRI_NAME);
}

TEST_F_TIMEOUT(auto_tune, empty_auto_fstypes_stops_auto_tuning, 60)
{
	ASSERT_EQ(0, dq_module_load("auto_fstypes=xfs,ext4"));
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_HIGHPRI_NAME);

	/* As "echo > auto_fstypes" writes it. */
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "\n"));
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");

	mount_later(_metadata, &self->later);
	dq_sleep_ms(DQ_TWO_RESCANS_MS);
	EXPECT_FALSE(dq_sb_tuned(self->later.sid));
}

TEST_F_TIMEOUT(auto_tune, written_auto_fstypes_tunes_mounted_xfs, 60)
{
	ASSERT_EQ(0, dq_module_load(""));
	/* Nothing is tuned without a list, however long we wait. */
	dq_sleep_ms(DQ_TWO_RESCANS_MS);
	ASSERT_FALSE(dq_sb_tuned(self->xfs.sid));
	ASSERT_FALSE(dq_sb_tuned(self->ext4.sid));

	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "xfs"));
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "xfs");
	expect_auto_tuned(_metadata, &self->xfs, DIOWQ_MODE_HIGHPRI_NAME);

	/* Only the listed type. */
	dq_sleep_ms(DQ_TWO_RESCANS_MS);
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));
}

TEST_F_TIMEOUT(auto_tune, default_mode_unbound_applies_to_auto_tuned, 60)
{
	char queue[80];

	ASSERT_EQ(0, dq_module_load("auto_fstypes=xfs,ext4 default_mode=unbound"));
	expect_auto_tuned(_metadata, &self->xfs, DIOWQ_MODE_UNBOUND_NAME);
	expect_auto_tuned(_metadata, &self->ext4, DIOWQ_MODE_UNBOUND_NAME);
	ASSERT_EQ(0, dq_sb_queue(self->xfs.sid, queue, sizeof(queue)));
	EXPECT_TRUE(dq_wq_sysfs_exists(queue));
	ASSERT_EQ(0, dq_sb_queue(self->ext4.sid, queue, sizeof(queue)));
	EXPECT_TRUE(dq_wq_sysfs_exists(queue));
}

DQ_TEST_MAIN
