// SPDX-License-Identifier: GPL-2.0
/*
 * integrity_test: swapping a superblock's completion queue under load
 * loses, fails and corrupts nothing. An AIO O_DIRECT writer keeps 32
 * tagged 4 KiB writes in flight while the test tunes, switches modes and
 * untunes the filesystem over and over. Every completion must report
 * 4096 bytes, the writer must not hang, and every block must read back
 * (O_DIRECT, then again after a remount) as the last generation written.
 *
 * Two layouts: pure overwrites (the completion work is only bookkeeping),
 * and fallocate()d space, where the completion work converts unwritten
 * extents: a completion lost across a swap would leave zeros on disk.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

/* Each step runs the tune/untune path once with writes in flight. */
#define NR_SWAP_STEPS 150
/* Completions that must land between two steps: I/O spans every state. */
#define COMPLETIONS_PER_STEP 64
#define STEP_PROGRESS_MS 10000

FIXTURE(integrity) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
};

DQ_FS_LAYOUT_VARIANTS(integrity);

FIXTURE_SETUP(integrity)
{
	DQ_SETUP_DATA_FS(&self->fs, &self->tf, variant->fstype, NULL,
			 variant->layout);
}

FIXTURE_TEARDOWN(integrity)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(integrity, no_write_lost_while_queue_swaps, 400)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);
	unsigned int step, failed_steps = 0;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	uint64_t start;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, COMPLETIONS_PER_STEP,
					     STEP_PROGRESS_MS));

	start = dq_now_ms();
	for (step = 0; step < NR_SWAP_STEPS; step++) {
		const struct dq_swap_step *s =
			&dq_swap_cycle[step % DQ_SWAP_CYCLE_LEN];
		uint64_t done = dq_writer_completed(w);
		int err = dq_swap_step(s, self->fs.mnt, self->fs.sid);

		if (err && !failed_steps++)
			TH_LOG("step %u (%s): %s", step, s->what,
			       strerror(-err));
		/* Stop swapping once the writes stop: that is the finding. */
		err = dq_writer_wait_progress(w, done + COMPLETIONS_PER_STEP,
					      STEP_PROGRESS_MS);
		if (err) {
			TH_LOG("no write completed for %u ms after step %u (%s): %s",
			       STEP_PROGRESS_MS, step, s->what,
			       strerror(-err));
			break;
		}
	}
	TH_LOG("%u swap steps in %llu ms", step,
	       (unsigned long long)(dq_now_ms() - start));

	dq_writer_stop(w);
	/* A lost completion leaves the writer waiting forever: bound it. */
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	EXPECT_EQ(NR_SWAP_STEPS, (int)step);
	EXPECT_EQ(0u, failed_steps);
	/* The cycle ends untuned. */
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));

	/* After the remount: the extent conversions were committed too. */
	EXPECT_DATA_VERIFIED_TWICE(&self->fs, &self->tf, &vr);
}

DQ_TEST_MAIN
