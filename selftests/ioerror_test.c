// SPDX-License-Identifier: GPL-2.0
/*
 * ioerror_test: write completions that carry an error reach the
 * application as errors, exactly once each, through diowq's queue.
 *
 * The filesystem sits on a device-mapper device over vdc. While an AIO
 * O_DIRECT writer keeps 32 tagged writes in flight on the tuned
 * filesystem, the table is switched to dm-flakey with error_writes (every
 * write fails with EIO, reads pass) for a window, during which the mode
 * is also switched away and back (errors complete across two queue
 * swaps), then back to the plain linear map. Every submitted iocb must get
 * exactly one io_event: the writer's log of ids (log_iocbs, lib/writer.h)
 * flags any lost, duplicated or unknown one. The failed ones must carry
 * -EIO (the first other errno is logged), some must have failed and some
 * succeeded after.
 * The filesystem may shut itself down (XFS, on a failed log write): the
 * unmount must still work, and after a fresh mount every block must hold
 * the generation of the last write that reported success.
 *
 * The first test feeds made-up events to the log, to show that it does
 * flag a lost, a duplicated and an unknown completion.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/dm.h"

#define DM_NAME "diowq-flakey"
#define RUNNING_COMPLETIONS 200
/* Errors that must come back within the window, before and after swaps. */
#define FAILED_BEFORE_SWAP 64ull
#define FAILED_AFTER_SWAP 64ull
/* After the window: completions the writer must still get. */
#define COMPLETIONS_AFTER 256
#define PROGRESS_MS 15000

FIXTURE(ioerror) {
	struct dq_dm dm;
	struct dq_fs fs;
	struct dq_tagged_file tf;
	bool no_dm;
};

DQ_FS_MODE_VARIANTS(ioerror);

FIXTURE_SETUP(ioerror)
{
	struct dq_fs disk;
	char path[PATH_MAX];

	DQ_SETUP(dq_machine_reset());
	if (dq_dm_available()) {
		self->no_dm = true;
		return;
	}
	DQ_SETUP(dq_disk(DQ_DISK_C, &disk));
	DQ_SETUP(dq_dm_create(&self->dm, DM_NAME, disk.dev));
	dq_dm_fs(&self->dm, &self->fs);
	DQ_SETUP(dq_mkfs(&self->fs, variant->fstype));
	DQ_SETUP(dq_mount(&self->fs));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(variant->mode, self->fs.mnt));
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	DQ_SETUP(dq_tf_create(&self->tf, path, DQ_DATA_FILE_SIZE,
			      DQ_LAYOUT_WRITTEN));
}

FIXTURE_TEARDOWN(ioerror)
{
	/* The dm cleanup unmounts and removes the device, then the rest. */
	EXPECT_EQ(0, dq_machine_reset());
}

static const char *other_mode(const char *mode)
{
	return strcmp(mode, DIOWQ_MODE_HIGHPRI_NAME) ?
	       DIOWQ_MODE_HIGHPRI_NAME : DIOWQ_MODE_UNBOUND_NAME;
}

/* Wait until at least min writes succeeded. */
static int wait_ok(struct dq_writer *w, uint64_t min, unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (dq_writer_completed(w) - dq_writer_failed(w) < min) {
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(5);
	}
	return 0;
}

/* Wait until at least min writes failed. */
static int wait_failed(struct dq_writer *w, uint64_t min,
		       unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (dq_writer_failed(w) < min) {
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(5);
	}
	return 0;
}

TEST_F_TIMEOUT(ioerror, failed_writes_complete_once_with_eio, 240)
{
	/* Failed writes are the point here: keep writing through them. */
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true,
							.tolerate_errors = true);
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	uint64_t failed0, done, ok0;
	bool recovered;
	int err;

	if (self->no_dm)
		SKIP(return, "no dm-flakey or no working dmsetup in this VM");

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, PROGRESS_MS));

	/* The window: writes fail, and the queue is swapped twice. */
	failed0 = dq_writer_failed(w);
	EXPECT_EQ(0ull, failed0);
	TH_LOG("failing writes with %llu in flight",
	       (unsigned long long)dq_writer_in_flight(w));
	err = dq_dm_fail_writes(&self->dm, true);
	EXPECT_EQ(0, err) TH_LOG("switching to dm-flakey: %s", strerror(-err));
	EXPECT_EQ(0, wait_failed(w, FAILED_BEFORE_SWAP, PROGRESS_MS))
		TH_LOG("only %llu writes failed",
		       (unsigned long long)dq_writer_failed(w));
	EXPECT_EQ(0, dq_tune(other_mode(variant->mode), self->fs.mnt));
	EXPECT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_EQ(0, wait_failed(w, dq_writer_failed(w) + FAILED_AFTER_SWAP,
				 PROGRESS_MS))
		TH_LOG("writes stopped failing after the swaps");
	err = dq_dm_fail_writes(&self->dm, false);
	ASSERT_EQ(0, err) TH_LOG("switching back to linear: %s",
				 strerror(-err));

	/*
	 * Completions keep coming, and succeed again, unless the filesystem
	 * shut itself down (then they keep failing, and reads fail below).
	 */
	done = dq_writer_completed(w);
	ok0 = done - dq_writer_failed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + COMPLETIONS_AFTER,
					       PROGRESS_MS));
	recovered = !wait_ok(w, ok0 + COMPLETIONS_AFTER, PROGRESS_MS);
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_exactly_once(&res));
	EXPECT_EQ(0ull, res.lost);
	EXPECT_EQ(0ull, res.duplicated);
	EXPECT_EQ(0ull, res.unknown);
	EXPECT_EQ(0ull, res.short_writes);
	EXPECT_LE(FAILED_BEFORE_SWAP + FAILED_AFTER_SWAP, res.eio);
	EXPECT_LT(res.failed, res.completed);
	if (res.failed != res.eio)
		TH_LOG("%llu writes failed with another errno than EIO (the filesystem gave up?)",
		       (unsigned long long)(res.failed - res.eio));

	/* Still tuned as before: the errors changed nothing of ours. */
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SWAPS, "3");

	err = dq_tf_verify(&self->tf, &vr);
	if (err) {
		TH_LOG("reading back online: %s (the filesystem shut down)",
		       strerror(-err));
	} else {
		EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&self->tf, &vr);
	}
	/* Writes that keep failing after the window: only if it shut down. */
	EXPECT_TRUE(recovered || err == -EIO)
		TH_LOG("writes kept failing after the window, yet reads work");

	/* Unmount works whatever state the filesystem is in, and untunes. */
	dq_tf_close(&self->tf);
	ASSERT_EQ(0, dq_umount(&self->fs, 0));
	EXPECT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, 1000));
	ASSERT_EQ(0, dq_mount(&self->fs));
	ASSERT_EQ(0, dq_tf_reopen(&self->tf));
	ASSERT_EQ(0, dq_tf_verify(&self->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&self->tf, &vr);
	ksft_print_msg("ioerror %s/%s: %llu writes, %llu failed with EIO, %llu other errors, each completed exactly once; %s; %llu blocks verified after remount\n",
		       variant->fstype, variant->mode,
		       (unsigned long long)res.submitted,
		       (unsigned long long)res.eio,
		       (unsigned long long)(res.failed - res.eio),
		       recovered ? "writes succeeded again after the window" :
				   "the filesystem shut down",
		       (unsigned long long)vr.blocks);
}

/* The accounting flags what the real tests must never see. */
TEST(iolog_flags_lost_duplicated_and_unknown_events)
{
	struct dq_writer_result res = { 0 };
	struct dq_iolog log;
	uint64_t id, i;

	dq_iolog_init(&log);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, dq_iolog_add(&log, i, i + 2, i, &id));
	dq_iolog_submitted(&log, 4);

	EXPECT_NE(NULL, dq_iolog_event(&log, &res, 0, DQ_BLOCK_SIZE, 0,
				       DQ_BLOCK_SIZE));
	EXPECT_NE(NULL, dq_iolog_event(&log, &res, 1, -EIO, 0, DQ_BLOCK_SIZE));
	/* 1 again: a duplicate; 7: never submitted; 2: never completes. */
	EXPECT_EQ(NULL, dq_iolog_event(&log, &res, 1, -EIO, 0, DQ_BLOCK_SIZE));
	EXPECT_EQ(NULL, dq_iolog_event(&log, &res, 7, DQ_BLOCK_SIZE, 0,
				       DQ_BLOCK_SIZE));
	EXPECT_NE(NULL, dq_iolog_event(&log, &res, 3, 512, 0, DQ_BLOCK_SIZE));
	dq_iolog_finish(&log, &res);
	dq_writer_log_result("made-up events", &res);

	EXPECT_EQ(4ull, res.submitted);
	EXPECT_EQ(5ull, res.events);
	EXPECT_EQ(3ull, res.completed);
	EXPECT_EQ(2ull, res.failed);
	EXPECT_EQ(1ull, res.eio);
	EXPECT_EQ(1ull, res.short_writes);
	EXPECT_EQ(1ull, res.lost);
	EXPECT_EQ(1ull, res.duplicated);
	EXPECT_EQ(1ull, res.unknown);
	EXPECT_FALSE(dq_writer_exactly_once(&res));
	dq_iolog_free(&log);

	/* Without the bad ones, it passes; a failed write is still once. */
	memset(&res, 0, sizeof(res));
	dq_iolog_init(&log);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dq_iolog_add(&log, i, i + 2, i, &id));
	dq_iolog_submitted(&log, 2);
	EXPECT_NE(NULL, dq_iolog_event(&log, &res, 0, DQ_BLOCK_SIZE, 0,
				       DQ_BLOCK_SIZE));
	EXPECT_NE(NULL, dq_iolog_event(&log, &res, 1, -EIO, 0, DQ_BLOCK_SIZE));
	dq_iolog_finish(&log, &res);
	EXPECT_TRUE(dq_writer_exactly_once(&res));
	EXPECT_FALSE(dq_writer_result_ok(&res));
	dq_iolog_free(&log);
}

DQ_TEST_MAIN
