/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every diowq test program includes after kselftest_harness.h: the
 * helpers, plus the few macros that need the harness (they use _metadata).
 */
#ifndef DIOWQ_SELFTEST_DIOWQ_TEST_H
#define DIOWQ_SELFTEST_DIOWQ_TEST_H

#ifndef __KSELFTEST_HARNESS_H
#error "include kselftest_harness.h first"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi/diowq.h"
#include "disk.h"
#include "env.h"
#include "module.h"
#include "sampler.h"
#include "snapshot.h"
#include "sysfs.h"
#include "tagged_file.h"
#include "util.h"
#include "writer.h"

/* Which of $DIOWQ_DISKS a test uses for what. */
#define DQ_DISK_A 0	/* vda */
#define DQ_DISK_B 1	/* vdb: the single-filesystem tests' disk */
#define DQ_DISK_C 2	/* vdc */

/* The auto-tune rescan period is 1 s: allow three for a new mount. */
#define DQ_AUTO_TUNE_MS 3000
/* Long enough for two rescans that must not change anything. */
#define DQ_TWO_RESCANS_MS 2500

/* A tagged data file: big enough for random 4 KiB writes, quick to lay out. */
#define DQ_DATA_FILE_SIZE (16ull << 20)

/*
 * A tagged data file for tests whose load must queue its completions on
 * s_dio_done_wq on every kernel: laid out DQ_LAYOUT_UNWRITTEN (fallocated,
 * instant) and big enough that most random 4 KiB writes of a few seconds
 * under TCG (~25k a second) land in a block never written. 6.1 and 6.12
 * queue every async write's completion; 7.x completes a pure overwrite
 * inline in the bio's end_io and queues only writes that need work at
 * completion, e.g. converting an unwritten extent. (Appends would not do
 * on ext4, which waits for extending direct writes in the submitter.)
 * Fits a 1 GiB disk.
 */
#define DQ_QUEUED_FILE_SIZE (512ull << 20)

/* Writers get this long to end after their run; beyond it they are hung. */
#define DQ_JOIN_MS 30000

/*
 * One FIXTURE_SETUP step. The harness skips FIXTURE_TEARDOWN when a setup
 * fails, so a failing step resets the machine itself before failing: the
 * next test must not inherit our mounts or our module.
 */
#define DQ_SETUP(expr) do {						\
	int __dq_err = (expr);						\
	if (__dq_err) {							\
		TH_LOG("setup: %s: %s", #expr, strerror(-__dq_err));	\
		dq_machine_reset();					\
	}								\
	ASSERT_EQ(0, __dq_err);						\
} while (0)

/*
 * The filesystem x mode matrix most fixtures run on: the variant struct
 * (fstype, mode) of @fixture and its four instances.
 */
#define DQ_FS_MODE_VARIANTS(fixture)					\
	FIXTURE_VARIANT(fixture) {					\
		const char *fstype;					\
		const char *mode;					\
	};								\
	FIXTURE_VARIANT_ADD(fixture, xfs_highpri) {			\
		.fstype = "xfs", .mode = DIOWQ_MODE_HIGHPRI_NAME,	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, xfs_unbound) {			\
		.fstype = "xfs", .mode = DIOWQ_MODE_UNBOUND_NAME,	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, ext4_highpri) {			\
		.fstype = "ext4", .mode = DIOWQ_MODE_HIGHPRI_NAME,	\
	};								\
	FIXTURE_VARIANT_ADD(fixture, ext4_unbound) {			\
		.fstype = "ext4", .mode = DIOWQ_MODE_UNBOUND_NAME,	\
	}

/*
 * The filesystem x data layout matrix of the swap tests: pure overwrites
 * (the completion work is only bookkeeping) and fallocate()d space (it
 * converts unwritten extents: a completion lost across a swap would leave
 * zeros on disk), on XFS and ext4. The variant struct (fstype, layout) of
 * @fixture and its four instances.
 */
#define DQ_FS_LAYOUT_VARIANTS(fixture)					\
	FIXTURE_VARIANT(fixture) {					\
		const char *fstype;					\
		enum dq_layout layout;					\
	};								\
	FIXTURE_VARIANT_ADD(fixture, xfs_overwrite) {			\
		.fstype = "xfs", .layout = DQ_LAYOUT_WRITTEN,		\
	};								\
	FIXTURE_VARIANT_ADD(fixture, xfs_unwritten) {			\
		.fstype = "xfs", .layout = DQ_LAYOUT_UNWRITTEN,		\
	};								\
	FIXTURE_VARIANT_ADD(fixture, ext4_overwrite) {			\
		.fstype = "ext4", .layout = DQ_LAYOUT_WRITTEN,		\
	};								\
	FIXTURE_VARIANT_ADD(fixture, ext4_unwritten) {			\
		.fstype = "ext4", .layout = DQ_LAYOUT_UNWRITTEN,	\
	}

/*
 * The setup of the tests that write a tagged file under load: from a
 * clean machine, a fresh fstype filesystem on vdb in *fs, the module
 * loaded, the filesystem tuned in mode (NULL: left untuned), and in *tf a
 * DQ_DATA_FILE_SIZE data file on it laid out as layout.
 */
#define DQ_SETUP_DATA_FS(fs, tf, fstype, mode, layout) do {		\
	char __dq_path[PATH_MAX];					\
									\
	DQ_SETUP(dq_machine_reset());					\
	DQ_SETUP(dq_fs_create(fs, DQ_DISK_B, fstype));			\
	DQ_SETUP(dq_module_load(""));					\
	if (mode)							\
		DQ_SETUP(dq_tune(mode, (fs)->mnt));			\
	snprintf(__dq_path, sizeof(__dq_path), "%s/data", (fs)->mnt);	\
	DQ_SETUP(dq_tf_create(tf, __dq_path, DQ_DATA_FILE_SIZE,	\
			      layout));					\
} while (0)

/*
 * Every block of tf reads back as the last generation whose write
 * succeeded: online, then again after fs is unmounted and mounted afresh
 * (what was acknowledged is also on disk). Leaves the result in *vr.
 */
#define EXPECT_DATA_VERIFIED_TWICE(fs, tf, vr) do {			\
	ASSERT_EQ(0, dq_tf_verify(tf, vr));				\
	EXPECT_EQ(0ull, (vr)->bad) dq_tf_log_verify(tf, vr);		\
	dq_tf_close(tf);						\
	ASSERT_EQ(0, dq_umount(fs, 0));					\
	ASSERT_EQ(0, dq_mount(fs));					\
	ASSERT_EQ(0, dq_tf_reopen(tf));					\
	ASSERT_EQ(0, dq_tf_verify(tf, vr));				\
	EXPECT_EQ(0ull, (vr)->bad) dq_tf_log_verify(tf, vr);		\
} while (0)

/* Expect DIOWQ_SYSFS_ROOT/<sid>/<attr> to read want (plus its "\n"). */
#define EXPECT_SB_ATTR(sid, attr, want) do {				\
	char __dq_val[256];						\
	int __dq_err = dq_read_sb_attr(sid, attr, __dq_val,		\
				       sizeof(__dq_val));		\
	EXPECT_EQ(0, __dq_err)						\
		TH_LOG("reading %s/%s: %s", sid, attr,			\
		       strerror(-__dq_err));				\
	if (!__dq_err) {						\
		EXPECT_STREQ(want, __dq_val)				\
			TH_LOG("in %s/%s", sid, attr);			\
	}								\
} while (0)

/* Expect a global attribute to read want. */
#define EXPECT_ATTR(attr, want) do {					\
	char __dq_val[256];						\
	int __dq_err = dq_read_attr(attr, __dq_val, sizeof(__dq_val));	\
	EXPECT_EQ(0, __dq_err)						\
		TH_LOG("reading %s: %s", attr, strerror(-__dq_err));	\
	if (!__dq_err) {						\
		EXPECT_STREQ(want, __dq_val) TH_LOG("in %s", attr);	\
	}								\
} while (0)

/*
 * Call first in main(). These programs format disks and load a module:
 * outside the diowq VM ($DIOWQ_DISKS and $DIOWQ_KO unset) skip them all;
 * inside it, start from a clean machine with free disks, or bail out.
 */
static inline void dq_program_prologue(void)
{
	struct dq_fs fs;
	unsigned int i;
	int err;

	if (!dq_disks_configured() || !dq_module_path()) {
		ksft_print_header();
		ksft_exit_skip("not in the diowq VM: $DIOWQ_DISKS and $DIOWQ_KO are unset (%s)\n",
			       "these tests format disks");
	}
	if (access(dq_module_path(), R_OK)) {
		ksft_print_header();
		ksft_exit_fail_msg("DIOWQ_KO=%s: %s\n", dq_module_path(),
				   strerror(errno));
	}
	/* mkfs and modprobe live in sbin. */
	if (!getenv("PATH"))
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);

	err = dq_machine_reset();
	for (i = 0; !err && i < DQ_NR_DISKS; i++) {
		err = dq_disk(i, &fs);
		if (!err)
			err = dq_disk_unused(fs.dev);
		if (err) {
			ksft_print_header();
			ksft_exit_fail_msg("disk %u of DIOWQ_DISKS='%s': %s\n",
					   i, getenv("DIOWQ_DISKS"),
					   strerror(-err));
		}
	}
	if (err) {
		ksft_print_header();
		ksft_exit_fail_msg("cannot reset the machine: %s\n",
				   strerror(-err));
	}
}

/* main() of every test program: skip outside the VM, then run the tests. */
#define DQ_TEST_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		dq_program_prologue();					\
		return test_harness_run(argc, argv);			\
	}

#endif /* DIOWQ_SELFTEST_DIOWQ_TEST_H */
