// SPDX-License-Identifier: GPL-2.0
/*
 * remount_test: `mount -o remount,ro` and back while tuned, and an
 * unmount while a swapped-out queue is still retiring (what unmount_test
 * does not cover).
 *
 * - With writes in flight a file is open for writing, so remount,ro is
 *   refused (EBUSY) and nothing of diowq's changes; the writes go on.
 * - After the writes drained and the file closed, remount,ro works and
 *   the filesystem stays tuned (same superblock, same queue); diowq can
 *   switch, untune and tune it while read-only; back to rw, new writes
 *   complete through it.
 * - remount,ro issued right after AIO writes were submitted and their
 *   file closed: each write holds its file, so the remount is refused
 *   until the last completion (on diowq's queue) has run and put it; then
 *   it succeeds and every write completed exactly once, successfully.
 * - Unmount right after a mode switch under I/O, while the old queue
 *   waits for its grace periods: the unmount works, the filesystem is
 *   untuned, every queue is destroyed, and the data is all there.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/aio.h"
#include "lib/fault.h"

#include <fcntl.h>
#include <sched.h>

#define LOAD_MS 2000
#define RUNNING_COMPLETIONS 200
#define PROGRESS_MS 15000
/* The raw AIO batch of the last-completion race. */
#define BATCH 32
#define REMOUNT_RETRY_MS 10000

FIXTURE(remount) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
};

DQ_FS_MODE_VARIANTS(remount);

FIXTURE_SETUP(remount)
{
	DQ_SETUP_DATA_FS(&self->fs, &self->tf, variant->fstype, variant->mode,
			 DQ_LAYOUT_WRITTEN);
}

FIXTURE_TEARDOWN(remount)
{
	EXPECT_EQ(0, dq_machine_reset());
}

static const char *other_mode(const char *mode)
{
	return strcmp(mode, DIOWQ_MODE_HIGHPRI_NAME) ?
	       DIOWQ_MODE_HIGHPRI_NAME : DIOWQ_MODE_UNBOUND_NAME;
}

/* Write for ms with the accounting writer; all must succeed, once. */
static uint64_t write_for(struct __test_metadata *_metadata,
			  struct dq_tagged_file *tf, unsigned int ms)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(ms, .log_iocbs = true);
	struct dq_writer_result res;
	struct dq_writer *w;

	EXPECT_EQ(0, dq_writer_start(&w, tf, &opts));
	if (!w)
		return 0;
	EXPECT_EQ(0, dq_writer_join(w, ms + DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	return res.completed - res.failed;
}

/* Read every block back through a read-only O_DIRECT descriptor. */
static void verify_ro(struct __test_metadata *_metadata,
		      struct dq_tagged_file *tf)
{
	struct dq_verify_result vr;

	dq_tf_close(tf);
	ASSERT_EQ(0, dq_tf_open_ro(tf));
	ASSERT_EQ(0, dq_tf_verify(tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(tf, &vr);
	dq_tf_close(tf);
}

TEST_F_TIMEOUT(remount, remount_ro_under_io_is_refused_and_changes_nothing, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct dq_snapshot before, after;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	uint64_t done;
	int err;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, PROGRESS_MS));

	err = dq_remount(&self->fs, true);
	TH_LOG("remount,ro with %llu writes in flight: %s",
	       (unsigned long long)dq_writer_in_flight(w), strerror(-err));
	EXPECT_EQ(-EBUSY, err);
	if (!err)
		dq_remount(&self->fs, false);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);

	done = dq_writer_completed(w);
	EXPECT_EQ(0, dq_writer_wait_progress(w, done + RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	ASSERT_EQ(0, dq_tf_verify(&self->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&self->tf, &vr);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F_TIMEOUT(remount, remount_ro_and_back_keeps_tuning, 180)
{
	struct dq_snapshot before, after;
	uint64_t writes;
	int err;

	writes = write_for(_metadata, &self->tf, LOAD_MS);
	dq_tf_close(&self->tf);

	ASSERT_EQ(0, dq_snapshot_take(&before));
	err = dq_remount(&self->fs, true);
	ASSERT_EQ(0, err) TH_LOG("remount,ro: %s", strerror(-err));
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
	verify_ro(_metadata, &self->tf);

	/* Requests work on a read-only filesystem. */
	EXPECT_EQ(0, dq_tune(other_mode(variant->mode), self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE,
		       other_mode(variant->mode));
	EXPECT_EQ(0, dq_untune(self->fs.mnt));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_EQ(0, dq_tune(variant->mode, self->fs.mnt));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);

	err = dq_remount(&self->fs, false);
	ASSERT_EQ(0, err) TH_LOG("remount,rw: %s", strerror(-err));
	EXPECT_TRUE(dq_sb_tuned(self->fs.sid));
	ASSERT_EQ(0, dq_tf_reopen(&self->tf));
	writes += write_for(_metadata, &self->tf, LOAD_MS);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	verify_ro(_metadata, &self->tf);
	ksft_print_msg("remount %s/%s: ro and back rw while tuned; %llu writes verified\n",
		       variant->fstype, variant->mode,
		       (unsigned long long)writes);
}

TEST_F_TIMEOUT(remount, remount_ro_waits_for_the_last_completion, 120)
{
	struct io_event events[BATCH + 1];
	struct dq_request_slot {
		void *buf;
		struct iocb iocb;
		uint64_t generation;
		unsigned int events;
	} req[BATCH];
	struct iocb *iocbs[BATCH];
	struct timespec timeout = { .tv_sec = 10 };
	struct timespec linger = { .tv_nsec = 200 * 1000000l };
	unsigned int i, refused = 0, ok = 0;
	aio_context_t ctx = 0;
	uint64_t deadline;
	int fd, n, err;

	write_for(_metadata, &self->tf, LOAD_MS / 2);
	dq_tf_close(&self->tf);
	fd = open(self->tf.path, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dq_io_setup(BATCH, &ctx));
	for (i = 0; i < BATCH; i++) {
		ASSERT_EQ(0, posix_memalign(&req[i].buf, DQ_BLOCK_SIZE,
					    DQ_BLOCK_SIZE));
		req[i].generation = self->tf.next_generation++;
		req[i].events = 0;
		/* Every 8th block: distinct, spread over the file. */
		dq_tf_fill_block(req[i].buf, (uint64_t)i * 8 * DQ_BLOCK_SIZE,
				 req[i].generation);
		memset(&req[i].iocb, 0, sizeof(req[i].iocb));
		req[i].iocb.aio_data = i;
		req[i].iocb.aio_lio_opcode = IOCB_CMD_PWRITE;
		req[i].iocb.aio_fildes = fd;
		req[i].iocb.aio_buf = (uintptr_t)req[i].buf;
		req[i].iocb.aio_nbytes = DQ_BLOCK_SIZE;
		req[i].iocb.aio_offset = (uint64_t)i * 8 * DQ_BLOCK_SIZE;
		iocbs[i] = &req[i].iocb;
	}
	ASSERT_EQ(BATCH, dq_io_submit(ctx, BATCH, iocbs));
	/* Only the in-flight writes hold the file open for writing now. */
	close(fd);

	deadline = dq_now_ms() + REMOUNT_RETRY_MS;
	while ((err = dq_remount(&self->fs, true)) == -EBUSY &&
	       dq_now_ms() < deadline) {
		refused++;
		sched_yield();
	}
	ASSERT_EQ(0, err) TH_LOG("remount,ro: %s after %u refusals",
				 strerror(-err), refused);

	/* Every write completed exactly once, successfully. */
	n = dq_io_getevents(ctx, BATCH, BATCH, events, &timeout);
	ASSERT_EQ(BATCH, n) TH_LOG("only %d of %d writes completed", n, BATCH);
	n = dq_io_getevents(ctx, 0, 1, events + BATCH, &linger);
	EXPECT_EQ(0, n) TH_LOG("a write completed twice");
	for (i = 0; i < BATCH; i++) {
		struct dq_request_slot *r = &req[events[i].data % BATCH];

		if (r->events++)
			TH_LOG("write %u completed twice",
			       (unsigned int)events[i].data);
		if (events[i].res == DQ_BLOCK_SIZE) {
			ok++;
			self->tf.expected[(r - req) * 8] = r->generation;
		}
	}
	EXPECT_EQ((unsigned int)BATCH, ok);
	for (i = 0; i < BATCH; i++)
		EXPECT_EQ(1u, req[i].events);
	dq_io_destroy(ctx);
	for (i = 0; i < BATCH; i++)
		free(req[i].buf);

	EXPECT_TRUE(dq_sb_tuned(self->fs.sid));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, variant->mode);
	verify_ro(_metadata, &self->tf);
	TH_LOG("remount,ro refused %u times until the last write completed",
	       refused);
	ASSERT_EQ(0, dq_remount(&self->fs, false));
}

TEST_F_TIMEOUT(remount, umount_while_old_queue_retires, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	int err;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, RUNNING_COMPLETIONS,
					       PROGRESS_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, PROGRESS_MS));
	/* Completions in flight may still land on the queue switched out. */
	ASSERT_EQ(0, dq_tune(other_mode(variant->mode), self->fs.mnt));
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));

	dq_tf_close(&self->tf);
	err = dq_umount(&self->fs, 0);
	ASSERT_EQ(0, err) TH_LOG("umount: %s", strerror(-err));
	EXPECT_LE(0, dq_wait_sb_tuned(self->fs.sid, false, 1000));
	EXPECT_LE(0, dq_wait_no_diowq_queues(DQ_WQ_GONE_MS));

	ASSERT_EQ(0, dq_mount(&self->fs));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	ASSERT_EQ(0, dq_tf_reopen(&self->tf));
	ASSERT_EQ(0, dq_tf_verify(&self->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&self->tf, &vr);
}

DQ_TEST_MAIN
