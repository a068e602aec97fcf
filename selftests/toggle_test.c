// SPDX-License-Identifier: GPL-2.0
/*
 * toggle_test: a thousand queue swaps under load lose nothing. An AIO
 * O_DIRECT writer keeps 32 tagged 4 KiB writes in flight while the test
 * tunes, switches modes and untunes the filesystem back to back, without
 * waiting for I/O between steps: highpri, unbound, untuned, unbound,
 * highpri, untuned, ... Every iocb must complete exactly once with 4096
 * bytes (the writer logs each one), completions must keep landing
 * throughout (checked every PROGRESS_EVERY toggles), every swapped-out
 * queue must be destroyed afterwards, and every block must read back,
 * online and after a remount, as the last generation written.
 *
 * The number of toggles is DIOWQ_TOGGLES (default 1000; the VM passes the
 * kernel command line's NAME=value words on, e.g. DIOWQ_APPEND=
 * "DIOWQ_TOGGLES=5000" for a longer run). The KTAP output reports the
 * toggles survived, the completions that landed during them and the
 * blocks verified.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/fault.h"

#define DEFAULT_TOGGLES 1000
/* Completions must have landed between two checks this far apart. */
#define PROGRESS_EVERY 50
#define PROGRESS_MS 15000
#define RUNNING_COMPLETIONS 200
/* Retiring a long backlog costs grace periods: generous under TCG. */
#define QUEUES_GONE_MS 30000

FIXTURE(toggle) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
};

DQ_FS_LAYOUT_VARIANTS(toggle);

FIXTURE_SETUP(toggle)
{
	DQ_SETUP_DATA_FS(&self->fs, &self->tf, variant->fstype, NULL,
			 variant->layout);
}

FIXTURE_TEARDOWN(toggle)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(toggle, thousand_toggles_under_io_lose_nothing, 500)
{
	unsigned int toggles = dq_env_uint("DIOWQ_TOGGLES", DEFAULT_TOGGLES);
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	uint64_t start, elapsed, c0, c1, last, min_window = UINT64_MAX;
	unsigned int t, failed = 0;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));

	start = dq_now_ms();
	c0 = dq_writer_completed(w);
	last = c0;
	for (t = 0; t < toggles; t++) {
		const struct dq_swap_step *tg =
			&dq_swap_cycle[t % DQ_SWAP_CYCLE_LEN];

		err = dq_swap_step(tg, self->fs.mnt, self->fs.sid);
		if (err && !failed++)
			TH_LOG("toggle %u (%s): %s", t, tg->what,
			       strerror(-err));
		if ((t + 1) % PROGRESS_EVERY)
			continue;
		/* Writes must keep completing across every stretch. */
		err = dq_writer_wait_progress(w, last + 1, PROGRESS_MS);
		if (err) {
			TH_LOG("no write completed for %u ms up to toggle %u (%s): %s",
			       PROGRESS_MS, t, tg->what, strerror(-err));
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
	TH_LOG("%u toggles in %llu ms; %llu writes completed meanwhile, at least %llu per %u toggles",
	       t, (unsigned long long)elapsed, (unsigned long long)(c1 - c0),
	       (unsigned long long)min_window, PROGRESS_EVERY);

	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	EXPECT_EQ(toggles, t);
	EXPECT_EQ(0u, failed);

	/* Leave it untuned, then every queue ever swapped out must go. */
	if (dq_sb_tuned(self->fs.sid))
		EXPECT_EQ(0, dq_untune(self->fs.mnt));
	err = dq_wait_no_diowq_queues(QUEUES_GONE_MS);
	EXPECT_LE(0, err) TH_LOG("swapped-out queues were not destroyed");
	if (err >= 0)
		TH_LOG("the last queues were gone %d ms after the last toggle",
		       err);

	EXPECT_DATA_VERIFIED_TWICE(&self->fs, &self->tf, &vr);

	/* And the module still unloads at once. */
	EXPECT_EQ(0, dq_module_unload());

	ksft_print_msg("toggle %s/%s: %u toggles survived in %llu ms; %llu writes completed during them (>= %llu per %u toggles), %llu in all%s; %llu blocks verified twice\n",
		       variant->fstype, variant->layout == DQ_LAYOUT_UNWRITTEN ?
		       "unwritten" : "overwrite", t,
		       (unsigned long long)elapsed,
		       (unsigned long long)(c1 - c0),
		       (unsigned long long)min_window, PROGRESS_EVERY,
		       (unsigned long long)(res.completed - res.failed),
		       dq_writer_result_ok(&res) ? ", each exactly once" :
					       ", NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

DQ_TEST_MAIN
