// SPDX-License-Identifier: GPL-2.0
/*
 * qname_test: unbound queues get sysfs names that no other queue of ours
 * has, live or retiring, whatever the superblocks' s_ids look like.
 *
 * An unbound queue is registered in sysfs as
 * /sys/devices/virtual/workqueue/<name>, and alloc_workqueue() fails on a
 * duplicate name. Two partitions of one disk (loop0p1, loop0p2) have
 * s_ids that share all but their last character; switching both between
 * unbound and highpri faster than the retired queues are destroyed needs
 * the fallback form of the name for both at once. Before the fix, that
 * form kept only "loop0p" and was checked against retiring queues only,
 * so the second filesystem's tune failed with ENOMEM.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/loopdev.h"

#define IMAGE "/tmp/diowq-qname.img"
#define PART_SIZE (64ull << 20)
#define NR_PARTS 2
#define ROUNDS 20

FIXTURE(qname) {
	struct dq_loop lo;
	struct dq_fs fs[NR_PARTS];
	struct dq_tagged_file tf[NR_PARTS];
};

FIXTURE_SETUP(qname)
{
	char path[PATH_MAX];
	unsigned int i;

	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_loop_available());
	DQ_SETUP(dq_partitioned_file(IMAGE, NR_PARTS, PART_SIZE));
	DQ_SETUP(dq_loop_attach_partitioned(&self->lo, IMAGE, NR_PARTS));
	for (i = 0; i < NR_PARTS; i++) {
		struct dq_fs *fs = &self->fs[i];

		snprintf(fs->dev, sizeof(fs->dev), "%.48sp%u", self->lo.dev,
			 i + 1);
		snprintf(fs->sid, sizeof(fs->sid), "%.48sp%u", self->lo.sid,
			 i + 1);
		snprintf(fs->mnt, sizeof(fs->mnt), DQ_MNT_BASE "/%s", fs->sid);
		DQ_SETUP(dq_mkfs(fs, "ext4"));
		DQ_SETUP(dq_mount(fs));
	}
	/* The mounts hold the device now; it goes with the last unmount. */
	dq_loop_release(&self->lo);
	DQ_SETUP(dq_module_load(""));
	for (i = 0; i < NR_PARTS; i++) {
		snprintf(path, sizeof(path), "%s/data", self->fs[i].mnt);
		DQ_SETUP(dq_tf_create(&self->tf[i], path, DQ_DATA_FILE_SIZE,
				      DQ_LAYOUT_WRITTEN));
	}
}

FIXTURE_TEARDOWN(qname)
{
	unsigned int i;

	for (i = 0; i < NR_PARTS; i++)
		dq_tf_close(&self->tf[i]);
	EXPECT_EQ(0, dq_machine_reset());
	unlink(IMAGE);
}

struct toggle {
	unsigned int fs;
	const char *mode;
};

/*
 * Each unbound queue retires while the next one of its filesystem is
 * created, and the other filesystem's unbound queue is live meanwhile.
 */
static const struct toggle round_steps[] = {
	{ 0, DIOWQ_MODE_UNBOUND_NAME }, { 1, DIOWQ_MODE_UNBOUND_NAME },
	{ 0, DIOWQ_MODE_HIGHPRI_NAME }, { 0, DIOWQ_MODE_UNBOUND_NAME },
	{ 1, DIOWQ_MODE_HIGHPRI_NAME }, { 1, DIOWQ_MODE_UNBOUND_NAME },
};

TEST_F_TIMEOUT(qname, unbound_names_stay_unique_while_queues_retire, 400)
{
	char queue[NR_PARTS][64];
	struct dq_writer *w[NR_PARTS];
	unsigned int round, step, i, failed = 0, clashes = 0;

	for (i = 0; i < NR_PARTS; i++) {
		struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);

		opts.cpu = i;

		ASSERT_EQ(0, dq_writer_start(&w[i], &self->tf[i], &opts));
		ASSERT_EQ(0, dq_writer_wait_progress(w[i], 100, 20000));
	}

	for (round = 0; round < ROUNDS; round++) {
		for (step = 0; step < ARRAY_SIZE(round_steps); step++) {
			const struct toggle *t = &round_steps[step];
			int err = dq_tune(t->mode, self->fs[t->fs].mnt);

			if (err && !failed++)
				TH_LOG("round %u: %s %s: %s", round,
				       self->fs[t->fs].sid, t->mode,
				       strerror(-err));
		}
		for (i = 0; i < NR_PARTS; i++) {
			if (dq_sb_queue(self->fs[i].sid, queue[i],
					sizeof(queue[i]))) {
				queue[i][0] = '\0';
				continue;
			}
			EXPECT_TRUE(dq_wq_sysfs_exists(queue[i]))
				TH_LOG("%s's queue %s is not in sysfs",
				       self->fs[i].sid, queue[i]);
		}
		if (!strcmp(queue[0], queue[1]) && !clashes++)
			TH_LOG("round %u: both use %s", round, queue[0]);
	}
	TH_LOG("last names: %s and %s", queue[0], queue[1]);
	EXPECT_EQ(0u, failed);
	EXPECT_EQ(0u, clashes);

	for (i = 0; i < NR_PARTS; i++) {
		struct dq_writer_result res;

		dq_writer_stop(w[i]);
		ASSERT_EQ(0, dq_writer_join(w[i], DQ_JOIN_MS, &res));
		dq_writer_log_result(self->fs[i].sid, &res);
		EXPECT_TRUE(dq_writer_result_ok(&res));
	}
}

DQ_TEST_MAIN
