// SPDX-License-Identifier: GPL-2.0
/*
 * apply_test: `diowqctl apply` with a config file, as diowq.service runs
 * it, against the real module: the file's default mode, fstypes and mount
 * points end up in /sys/fs/diowq; applying twice changes nothing; --dry-run
 * changes nothing; with --watch a listed mount point that is mounted later
 * (and again after an unmount) gets tuned, a manual untune is respected,
 * and SIGTERM ends it with exit 0. Bad files (syntax, unknown mode, a path
 * that is not there or not a mount point, tmpfs, an unsupported fstype)
 * exit non-zero with FILE:LINE in the message and change nothing.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/ctl.h"

#define CONF "/tmp/apply_test.conf"

/* How long --watch may take to tune a new mount (it is woken by poll). */
#define WATCH_MS 5000

#define EXPECT_UNCHANGED(before) do {					\
	struct dq_snapshot __dq_after;					\
	ASSERT_EQ(0, dq_snapshot_take(&__dq_after));			\
	EXPECT_TRUE(dq_snapshot_equal(before, &__dq_after))		\
		dq_snapshot_log_diff(before, &__dq_after);		\
	dq_snapshot_free(&__dq_after);					\
} while (0)

/* Write CONF; fmt is printf's, so paths can be put in. */
static int write_conf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int write_conf(const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(CONF, "w");
	int err;

	if (!f)
		return -errno;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* The next line of bg's stdout that contains needle, within timeout_ms. */
static int bg_wait_line(struct dq_bg *bg, const char *needle,
			unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;
	char line[512];
	int err;

	for (;;) {
		uint64_t now = dq_now_ms();

		if (now >= deadline)
			return -ETIMEDOUT;
		err = dq_bg_read_line(bg, line, sizeof(line),
				      (unsigned int)(deadline - now));
		if (err)
			return err;
		dq_log("apply --watch: %s", line);
		if (strstr(line, needle))
			return 0;
	}
}

/*
 * diowq loaded with its defaults (highpri, no auto_fstypes), XFS on disk
 * B and ext4 on disk C mounted, nothing tuned.
 */
FIXTURE(apply) {
	struct dq_fs xfs, ext4;
	struct dq_bg watch;
};

FIXTURE_SETUP(apply)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->xfs, DQ_DISK_B, "xfs"));
	DQ_SETUP(dq_fs_reuse(&self->ext4, DQ_DISK_C, "ext4"));
	DQ_SETUP(dq_module_load(""));
	ASSERT_FALSE(dq_sb_tuned(self->xfs.sid));
	ASSERT_FALSE(dq_sb_tuned(self->ext4.sid));
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
}

FIXTURE_TEARDOWN(apply)
{
	/* Stops the watch of the tests that started one. */
	EXPECT_EQ(0, dq_machine_reset());
	unlink(CONF);
}

TEST_F(apply, mode_fstype_and_mount_reach_the_module)
{
	ASSERT_EQ(0, write_conf("# test\nmode unbound\nfstype ext4\n"
				"mount %s highpri   # own mode\n",
				self->xfs.mnt));
	ASSERT_CTL(0, "apply", "--config", CONF);
	EXPECT_EQ(0, cmd.err.len) dq_cmd_log(&cmd);
	EXPECT_STDOUT_HAS("default mode: highpri -> unbound");
	EXPECT_STDOUT_HAS("auto fstypes: none -> ext4");
	EXPECT_STDOUT_HAS("tuned");

	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "ext4");
	/* The listed mount, in its own mode, by request. */
	ASSERT_TRUE(dq_sb_tuned(self->xfs.sid));
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_ORIGIN, DIOWQ_ORIGIN_MANUAL_NAME);
	/* The ext4 mount, by the module's auto-tuning, in the new default. */
	ASSERT_LE(0, dq_wait_sb_tuned(self->ext4.sid, true, DQ_AUTO_TUNE_MS));
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_ORIGIN, DIOWQ_ORIGIN_AUTO_NAME);
}

TEST_F(apply, mount_without_mode_gets_the_files_default_mode)
{
	ASSERT_EQ(0, write_conf("mount %s\nmode unbound\nmount %s/\n",
				self->xfs.mnt, self->ext4.mnt));
	ASSERT_CTL(0, "apply", "-c", CONF);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
}

TEST_F(apply, applying_again_changes_nothing)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, write_conf("mode unbound\nfstype xfs\nmount %s\n",
				self->ext4.mnt));
	ASSERT_CTL(0, "apply", "-c", CONF);
	ASSERT_LE(0, dq_wait_sb_tuned(self->xfs.sid, true, DQ_AUTO_TUNE_MS));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	ASSERT_CTL(0, "apply", "-c", CONF);
	EXPECT_STDOUT_HAS("(unchanged)");
	EXPECT_STDOUT_HAS("already tuned, unbound");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(apply, dry_run_changes_nothing)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, write_conf("mode unbound\nfstype xfs,ext4\nmount %s\n",
				self->xfs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	ASSERT_CTL(0, "apply", "--dry-run", "-c", CONF);
	EXPECT_STDOUT_HAS("would tune");
	EXPECT_STDOUT_HAS("dry run: nothing was changed");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(apply, without_privilege_it_is_refused_and_changes_nothing)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, write_conf("mode unbound\nmount %s\n", self->xfs.mnt));
	ASSERT_EQ(0, chmod(CONF, 0644));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_EQ(1, CTL_AS(DQ_AS_NOBODY, "apply", "-c", CONF))
		dq_cmd_log(&cmd);
	EXPECT_STDERR_HAS("run diowqctl as root");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(apply, mount_namespace_of_init_is_this_one)
{
	ASSERT_EQ(0, write_conf("mount %s unbound\n", self->xfs.mnt));
	ASSERT_CTL(0, "apply", "--mount-namespace-of", "1", "-c", CONF);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);
}

/*
 * Bad files: every one also holds valid lines that would change something,
 * and the error names the file and the line of the problem.
 */
struct bad_conf {
	const char *name;
	int exit;
	const char *line;	/* the bad line, %s: a scratch dir */
	const char *says;
};

static const struct bad_conf bad_confs[] = {
	{ "syntax", 2, "mnt %s", CONF ":3: unknown statement 'mnt'" },
	{ "unknown mode", 2, "mount %s fast", CONF ":3: mount: unknown mode 'fast'" },
	{ "relative path", 2, "mount srv/data",
	  CONF ":3: mount: 'srv/data' is not an absolute path" },
	{ "no such path", 1, "mount %s/nonexistent", CONF ":3: " },
	{ "not a mount point", 1, "mount %s", "not a mount point" },
	{ "tmpfs", 1, "mount %s/tmpfs", "tmpfs is not supported" },
	{ "unsupported fstype", 1, "fstype xfs tmpfs",
	  CONF ":3: fstype: tmpfs not supported by the module" },
};

TEST_F(apply, bad_files_exit_non_zero_and_change_nothing)
{
	char scratch[] = DQ_MNT_BASE "/scratch", tmpfs[128], line[256];
	struct dq_snapshot before;
	unsigned int i;

	ASSERT_EQ(0, dq_mkdir_p(scratch));
	snprintf(tmpfs, sizeof(tmpfs), "%s/tmpfs", scratch);
	ASSERT_EQ(0, dq_mount_tmpfs(tmpfs));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	for (i = 0; i < ARRAY_SIZE(bad_confs); i++) {
		const struct bad_conf *bad = &bad_confs[i];

		dq_log("--- %s", bad->name);
		snprintf(line, sizeof(line), bad->line, scratch);
		ASSERT_EQ(0, write_conf("mode unbound\nmount %s\n%s\nmount %s\n",
					self->xfs.mnt, line, self->ext4.mnt));
		EXPECT_EQ(bad->exit, CTL_AS(DQ_AS_US, "apply", "-c", CONF))
			dq_cmd_log(&cmd);
		EXPECT_STDERR_HAS(bad->says);
		EXPECT_STDERR_HAS("nothing was changed");
		EXPECT_EQ(0, cmd.out.len) dq_cmd_log(&cmd);
		EXPECT_UNCHANGED(&before);
		/* --watch checks the same before it starts watching. */
		if (bad->exit == 2) {
			EXPECT_EQ(2, CTL_AS(DQ_AS_US, "apply", "--watch", "-c",
					    CONF)) dq_cmd_log(&cmd);
			EXPECT_UNCHANGED(&before);
		}
	}
	EXPECT_EQ(1, CTL_AS(DQ_AS_US, "apply", "-c", DQ_MNT_BASE "/none.conf"))
		dq_cmd_log(&cmd);
	EXPECT_STDERR_HAS("cannot read");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(apply, watch_tunes_a_listed_mount_when_it_is_mounted)
{
	struct dq_cmd_opts opts = { .as = DQ_AS_US };
	static const char *const argv[] = {
		CTL, "apply", "--watch", "-c", CONF, NULL
	};

	/* ext4 is not mounted when the watch starts. */
	ASSERT_EQ(0, dq_umount(&self->ext4, 0));
	ASSERT_EQ(0, write_conf("mount %s\nmount %s unbound\n", self->xfs.mnt,
				self->ext4.mnt));
	ASSERT_EQ(0, dq_bg_start(&self->watch, &opts, argv));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "not mounted yet, waiting",
				  WATCH_MS)) TH_LOG("stderr: %s", self->watch.err.buf);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));

	/* Mounted: tuned, in its mode, by request. */
	ASSERT_EQ(0, dq_mount(&self->ext4));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "tuned, unbound", WATCH_MS))
		TH_LOG("stderr: %s", self->watch.err.buf);
	ASSERT_TRUE(dq_sb_tuned(self->ext4.sid));
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_ORIGIN, DIOWQ_ORIGIN_MANUAL_NAME);

	/* Untuned by hand: left alone, even when other mounts come and go. */
	ASSERT_EQ(0, dq_untune(self->ext4.mnt));
	ASSERT_EQ(0, dq_umount(&self->xfs, 0));
	ASSERT_EQ(0, dq_mount(&self->xfs));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "tuned, highpri", WATCH_MS))
		TH_LOG("stderr: %s", self->watch.err.buf);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));

	/* Mounted again: tuned again. */
	ASSERT_EQ(0, dq_umount(&self->ext4, 0));
	ASSERT_EQ(0, dq_mount(&self->ext4));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "tuned, unbound", WATCH_MS))
		TH_LOG("stderr: %s", self->watch.err.buf);
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_MODE, DIOWQ_MODE_UNBOUND_NAME);

	/* SIGTERM: a clean exit, nothing said on stderr. */
	EXPECT_TRUE(dq_bg_running(&self->watch));
	EXPECT_EQ(0, dq_bg_stop(&self->watch));
	EXPECT_EQ(0, self->watch.err.len) TH_LOG("%s", self->watch.err.buf);
}

TEST_F(apply, watch_reports_an_unsupported_mount_and_goes_on)
{
	struct dq_cmd_opts opts = { .as = DQ_AS_US };
	static const char *const argv[] = {
		CTL, "apply", "--watch", "-c", CONF, NULL
	};
	char tmpfs[] = DQ_MNT_BASE "/later";

	ASSERT_EQ(0, dq_umount(&self->ext4, 0));
	ASSERT_EQ(0, write_conf("mount %s\nmount %s\n", tmpfs, self->ext4.mnt));
	ASSERT_EQ(0, dq_bg_start(&self->watch, &opts, argv));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "not mounted yet, waiting",
				  WATCH_MS));
	ASSERT_EQ(0, dq_mount_tmpfs(tmpfs));
	ASSERT_EQ(0, dq_mount(&self->ext4));
	ASSERT_EQ(0, bg_wait_line(&self->watch, "tuned, highpri", WATCH_MS))
		TH_LOG("stderr: %s", self->watch.err.buf);
	EXPECT_TRUE(dq_sb_tuned(self->ext4.sid));
	EXPECT_TRUE(dq_bg_running(&self->watch));
	EXPECT_EQ(0, dq_bg_stop(&self->watch));
	EXPECT_TRUE(dq_contains(self->watch.err.buf, CONF ":1: "))
		TH_LOG("stderr: %s", self->watch.err.buf);
	EXPECT_TRUE(dq_contains(self->watch.err.buf, "tmpfs is not supported"))
		TH_LOG("stderr: %s", self->watch.err.buf);
}

DQ_CTL_TEST_MAIN
