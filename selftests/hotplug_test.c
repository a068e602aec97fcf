// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_test: the CPU that takes the completions goes offline and comes
 * back, repeatedly, while a tuned filesystem is under I/O.
 *
 * The writer is pinned to CPU 1, so its writes' interrupts, and with a
 * highpri queue their completions, land on CPU 1; an unbound queue may be
 * restricted to CPU 1 too (its cpumask), so that its only CPU goes away.
 * Each cycle starts a writer pinned there, takes CPU 1 offline with writes
 * in flight (blk-mq drains that CPU's hardware queue, the workqueue core
 * unbinds or moves the workers), requires completions to keep landing on
 * the remaining CPU, brings CPU 1 back, requires more, and stops the
 * writer: every iocb completed once with success. Afterwards the tuned
 * state (sysfs and the queue's nice and cpumask) is what it was, and every
 * block reads back right, online and after a remount. DIOWQ_HOTPLUG_CYCLES
 * sets the number of cycles (default 10).
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/fault.h"

#define CPU 1
#define DEFAULT_CYCLES 10
#define COMPLETIONS_PER_PHASE 100
#define PROGRESS_MS 15000

FIXTURE(hotplug) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	char queue[80];
	bool no_hotplug;
};

FIXTURE_VARIANT(hotplug) {
	const char *fstype;
	const char *mode;
	const char *cpumask;	/* for an unbound queue; NULL: leave it */
};

FIXTURE_VARIANT_ADD(hotplug, xfs_highpri) {
	.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME,
};

/* The unbound queue's only CPU is the one that goes away. */
FIXTURE_VARIANT_ADD(hotplug, xfs_unbound_cpu1_only) {
	.fstype = "xfs", .mode = DIOWQ_MODE_UNBOUND_NAME, .cpumask = "2",
};

FIXTURE_VARIANT_ADD(hotplug, ext4_highpri) {
	.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME,
};

FIXTURE_VARIANT_ADD(hotplug, ext4_unbound) {
	.fstype = "ext4", .mode = DIOWQ_MODE_UNBOUND_NAME,
};

FIXTURE_SETUP(hotplug)
{
	char path[PATH_MAX];

	DQ_SETUP(dq_machine_reset());
	if (!dq_cpu_hotpluggable(CPU)) {
		self->no_hotplug = true;
		return;
	}
	DQ_SETUP(dq_cpu_set_online(CPU, true));
	DQ_SETUP(dq_fs_create(&self->fs, DQ_DISK_B, variant->fstype));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(variant->mode, self->fs.mnt));
	DQ_SETUP(dq_sb_queue(self->fs.sid, self->queue, sizeof(self->queue)));
	if (variant->cpumask) {
		dq_wq_path(path, sizeof(path), self->queue, "cpumask");
		DQ_SETUP(dq_write_file(path, variant->cpumask,
				       strlen(variant->cpumask)));
	}
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	DQ_SETUP(dq_tf_create(&self->tf, path, DQ_DATA_FILE_SIZE,
			      DQ_LAYOUT_WRITTEN));
}

FIXTURE_TEARDOWN(hotplug)
{
	if (!self->no_hotplug && dq_cpu_online(CPU) != 1)
		EXPECT_EQ(0, dq_cpu_set_online(CPU, true));
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(hotplug, completions_survive_cpu_offline_online, 300)
{
	unsigned int cycles = dq_env_uint("DIOWQ_HOTPLUG_CYCLES",
					  DEFAULT_CYCLES);
	uint64_t writes = 0, offline_completions = 0, off_ms = 0, on_ms = 0;
	struct dq_snapshot before, after;
	struct dq_verify_result vr;
	bool all_once = true;
	unsigned int c;

	if (self->no_hotplug)
		SKIP(return, "CPU %d cannot be taken offline here", CPU);
	ASSERT_EQ(0, dq_snapshot_take(&before));

	for (c = 0; c < cycles; c++) {
		struct dq_writer_opts opts =
			DQ_WRITER_DEFAULTS(0, .log_iocbs = true);
		struct dq_writer_result res;
		struct dq_writer *w;
		uint64_t t0, done;
		int err;

		opts.seed = c + 1;
		ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
		ASSERT_EQ(0, dq_writer_wait_progress(w, COMPLETIONS_PER_PHASE,
						       PROGRESS_MS));
		ASSERT_EQ(0, dq_writer_wait_in_flight(w, 1, PROGRESS_MS));

		t0 = dq_now_ms();
		err = dq_cpu_set_online(CPU, false);
		off_ms += dq_now_ms() - t0;
		ASSERT_EQ(0, err) TH_LOG("cycle %u: offlining CPU %d: %s", c,
					 CPU, strerror(-err));
		EXPECT_EQ(0, dq_cpu_online(CPU));
		done = dq_writer_completed(w);
		EXPECT_EQ(0, dq_writer_wait_progress(w, done +
						       COMPLETIONS_PER_PHASE,
						       PROGRESS_MS))
			TH_LOG("cycle %u: no completions with CPU %d offline",
			       c, CPU);
		offline_completions += dq_writer_completed(w) - done;

		t0 = dq_now_ms();
		err = dq_cpu_set_online(CPU, true);
		on_ms += dq_now_ms() - t0;
		ASSERT_EQ(0, err) TH_LOG("cycle %u: onlining CPU %d: %s", c,
					 CPU, strerror(-err));
		done = dq_writer_completed(w);
		EXPECT_EQ(0, dq_writer_wait_progress(w, done +
						       COMPLETIONS_PER_PHASE,
						       PROGRESS_MS))
			TH_LOG("cycle %u: no completions after onlining", c);

		dq_writer_stop(w);
		ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
			TH_LOG("cycle %u: the writer hung", c);
		EXPECT_TRUE(dq_writer_result_ok(&res))
			dq_writer_log_result("writer", &res);
		all_once = all_once && dq_writer_result_ok(&res);
		writes += res.completed - res.failed;
	}

	/* Nothing of ours noticed: same queue, mode, nice, cpumask. */
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);

	EXPECT_DATA_VERIFIED_TWICE(&self->fs, &self->tf, &vr);
	ksft_print_msg("hotplug %s/%s%s: %u offline/online cycles of CPU %d (%llu/%llu ms on average); %llu writes completed%s, %llu of them with CPU %d offline; %llu blocks verified twice\n",
		       variant->fstype, variant->mode,
		       variant->cpumask ? " (cpumask: CPU 1 only)" : "",
		       c, CPU, (unsigned long long)(c ? off_ms / c : 0),
		       (unsigned long long)(c ? on_ms / c : 0),
		       (unsigned long long)writes,
		       all_once ? " exactly once" : " (NOT all exactly once)",
		       (unsigned long long)offline_completions, CPU,
		       (unsigned long long)vr.blocks);
}

DQ_TEST_MAIN
