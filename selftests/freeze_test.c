// SPDX-License-Identifier: GPL-2.0
/*
 * freeze_test: freezing a tuned filesystem with writes in flight, and
 * asking diowq for things while it is frozen, deadlocks nothing.
 *
 * FIFREEZE waits until every AIO write in flight has completed (their
 * completions run on diowq's queue: a lost one would hang the freeze),
 * then holds new writes until FITHAW. diowq retires swapped-out queues
 * in a worker precisely because draining one can block on a frozen
 * filesystem: so while frozen, the test toggles the filesystem through
 * tune, switch and untune far past the retire backlog (16), where each
 * request first waits for the retire worker, and, in a second test, unloads
 * the module (which waits for every queue to be destroyed). A helper
 * thread makes the requests; if they have not finished within
 * FROZEN_MAX_MS the main thread thaws the filesystem to free them and the
 * test fails. After the thaw the writes go on, every iocb must complete
 * exactly once with success, and every block must read back right,
 * online and after a remount.
 *
 * The writer blocks in io_submit() while the filesystem is frozen, in
 * uninterruptible sleep: the frozen period stays well below the guest's
 * 30 s hung-task panic.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/fault.h"

#include <pthread.h>
#include <stdatomic.h>

#define RUNNING_COMPLETIONS 200
/* Writes in flight when the freeze starts: a quarter of the queue depth. */
#define IN_FLIGHT 8
#define PROGRESS_MS 15000
/* Requests while frozen: 2/3 of them retire a queue, 5x the backlog. */
#define FROZEN_TOGGLES 120
/* The requests must be done by then, or they are stuck on the freeze. */
#define FROZEN_MAX_MS 15000
/* A frozen filesystem completes nothing: watch it this long. */
#define QUIET_MS 500

static const struct toggle {
	const char *mode;	/* tune in this mode; NULL: untune */
} cycle[] = {
	{ DIOWQ_MODE_HIGHPRI_NAME }, { DIOWQ_MODE_UNBOUND_NAME }, { NULL },
	{ DIOWQ_MODE_UNBOUND_NAME }, { DIOWQ_MODE_HIGHPRI_NAME }, { NULL },
};

FIXTURE(freeze) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	bool frozen;
};

FIXTURE_VARIANT(freeze) {
	const char *fstype;
	const char *mode;
	enum dq_layout layout;
};

FIXTURE_VARIANT_ADD(freeze, xfs_highpri) {
	.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME,
	.layout = DQ_LAYOUT_UNWRITTEN,
};

FIXTURE_VARIANT_ADD(freeze, xfs_unbound) {
	.fstype = "xfs", .mode = DIOWQ_MODE_UNBOUND_NAME,
	.layout = DQ_LAYOUT_WRITTEN,
};

FIXTURE_VARIANT_ADD(freeze, ext4_highpri) {
	.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME,
	.layout = DQ_LAYOUT_WRITTEN,
};

FIXTURE_VARIANT_ADD(freeze, ext4_unbound) {
	.fstype = "ext4", .mode = DIOWQ_MODE_UNBOUND_NAME,
	.layout = DQ_LAYOUT_UNWRITTEN,
};

FIXTURE_SETUP(freeze)
{
	DQ_SETUP_DATA_FS(&self->fs, &self->tf, variant->fstype, variant->mode,
			 variant->layout);
}

FIXTURE_TEARDOWN(freeze)
{
	/* A frozen filesystem would hold the writer and the unmount. */
	if (self->frozen)
		EXPECT_EQ(0, dq_fs_thaw(&self->fs));
	EXPECT_EQ(0, dq_machine_reset());
}

/* What the request thread does while the filesystem is frozen. */
struct frozen_work {
	const struct dq_fs *fs;
	bool unload;		/* rmmod instead of toggles */
	unsigned int done;	/* requests that returned */
	unsigned int failed;
	int first_err;
	uint64_t ms;
	atomic_bool finished;
};

static void *frozen_requests(void *arg)
{
	struct frozen_work *fw = arg;
	uint64_t start = dq_now_ms();
	unsigned int i;
	int err;

	if (fw->unload) {
		err = dq_module_unload();
		fw->done = 1;
		if (err) {
			fw->failed = 1;
			fw->first_err = err;
		}
	}
	for (i = 0; !fw->unload && i < FROZEN_TOGGLES; i++) {
		const struct toggle *t = &cycle[i % ARRAY_SIZE(cycle)];

		err = t->mode ? dq_tune(t->mode, fw->fs->mnt) :
				dq_untune(fw->fs->mnt);
		fw->done++;
		if (err && !fw->failed++)
			fw->first_err = err;
	}
	fw->ms = dq_now_ms() - start;
	atomic_store(&fw->finished, true);
	return NULL;
}

static void freeze_and_request(struct __test_metadata *_metadata,
			       FIXTURE_DATA(freeze) *self, const char *mode,
			       bool unload)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct frozen_work fw = { .fs = &self->fs, .unload = unload };
	uint64_t t0, freeze_ms, quiet0, quiet1, done;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	pthread_t thread;
	bool stuck;
	int err;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	/* A queue retiring, with completions on it, as the freeze begins. */
	ASSERT_EQ(0, dq_tune(strcmp(mode, DIOWQ_MODE_HIGHPRI_NAME) ?
			     DIOWQ_MODE_HIGHPRI_NAME : DIOWQ_MODE_UNBOUND_NAME,
			     self->fs.mnt));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, IN_FLIGHT, PROGRESS_MS));

	TH_LOG("freezing with %llu writes in flight",
	       (unsigned long long)dq_writer_in_flight(w));
	t0 = dq_now_ms();
	err = dq_fs_freeze(&self->fs);
	freeze_ms = dq_now_ms() - t0;
	ASSERT_EQ(0, err) TH_LOG("FIFREEZE: %s", strerror(-err));
	self->frozen = true;
	TH_LOG("frozen in %llu ms", (unsigned long long)freeze_ms);

	/* The freeze holds: no write completes now. */
	dq_sleep_ms(300);
	quiet0 = dq_writer_completed(w);
	dq_sleep_ms(QUIET_MS);
	quiet1 = dq_writer_completed(w);
	EXPECT_EQ(quiet0, quiet1) TH_LOG("writes completed on a frozen fs");

	ASSERT_EQ(0, pthread_create(&thread, NULL, frozen_requests, &fw));
	t0 = dq_now_ms();
	while (!atomic_load(&fw.finished) && dq_now_ms() - t0 < FROZEN_MAX_MS)
		dq_sleep_ms(10);
	stuck = !atomic_load(&fw.finished);
	if (stuck)
		TH_LOG("requests stuck on the frozen filesystem after %u ms (%u done): thawing",
		       FROZEN_MAX_MS, fw.done);
	err = dq_fs_thaw(&self->fs);
	EXPECT_EQ(0, err) TH_LOG("FITHAW: %s", strerror(-err));
	if (!err)
		self->frozen = false;
	pthread_join(thread, NULL);
	EXPECT_FALSE(stuck);
	EXPECT_EQ(0u, fw.failed) TH_LOG("first failed request: %s",
					strerror(-fw.first_err));
	TH_LOG("%u requests while frozen took %llu ms", fw.done,
	       (unsigned long long)fw.ms);

	/* Thawed: the writes go on. */
	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));

	EXPECT_DATA_VERIFIED_TWICE(&self->fs, &self->tf, &vr);
	ksft_print_msg("freeze: frozen in %llu ms with writes in flight; %u %s while frozen in %llu ms; %llu writes completed%s; %llu blocks verified twice\n",
		       (unsigned long long)freeze_ms, fw.done,
		       unload ? "rmmod" : "tune/switch/untune requests",
		       (unsigned long long)fw.ms,
		       (unsigned long long)(res.completed - res.failed),
		       dq_writer_result_ok(&res) ? ", each exactly once" :
					       ", NOT each exactly once",
		       (unsigned long long)vr.blocks);
}

TEST_F_TIMEOUT(freeze, toggles_while_frozen_do_not_deadlock, 180)
{
	freeze_and_request(_metadata, self, variant->mode, false);
	/* FROZEN_TOGGLES is a multiple of the cycle: it ends untuned. */
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_LE(0, dq_wait_no_diowq_queues(DQ_WQ_GONE_MS));
}

TEST_F_TIMEOUT(freeze, rmmod_while_frozen_does_not_deadlock, 180)
{
	freeze_and_request(_metadata, self, variant->mode, true);
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_EQ(0, dq_count_diowq_queues());
}

DQ_TEST_MAIN
