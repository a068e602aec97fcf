// SPDX-License-Identifier: GPL-2.0
/*
 * initfail_test: a load that fails late leaves nothing of ours behind.
 *
 * auto_fstypes=xfs makes the module's init look up the xfs filesystem
 * type, which loads xfs.ko when it is not loaded yet: with a modprobe
 * that takes a while and then fails, init fails after a long wait. A
 * request that reached the module during that wait must not outlive the
 * failed load: before the fix, a tune through /sys/fs/diowq/tune was
 * accepted in that window, and the failed load left our queue in the
 * superblock and an fsnotify mark whose handler was freed module text,
 * so the next unmount ran freed code.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MODPROBE_PATH "/proc/sys/kernel/modprobe"
#define SLOW_MODPROBE "/tmp/diowq-slow-failing-modprobe"
/* How long the failing modprobe takes: the window for requests. */
#define SLOW_MODPROBE_SECONDS 2

FIXTURE(initfail) {
	struct dq_fs fs;
	char modprobe[PATH_MAX];	/* the kernel's modprobe, to restore */
};

/* A shell script at path that sleeps, then fails. */
static int write_slow_failing_script(const char *path, int seconds)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	fprintf(f, "#!/bin/sh\nsleep %d\nexit 1\n", seconds);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && chmod(path, 0755))
		err = -errno;
	return err;
}

/* Unload xfs.ko so that looking the type up has to load it again. */
static int unload_xfs(void)
{
	if (access("/sys/module/xfs", F_OK))
		return 0;
	/* Built in (no refcnt file) or in use: this test cannot run. */
	if (access("/sys/module/xfs/refcnt", F_OK))
		return -EOPNOTSUPP;
	return syscall(SYS_delete_module, "xfs", O_NONBLOCK) ? -errno : 0;
}

FIXTURE_SETUP(initfail)
{
	int err;

	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_read_value(MODPROBE_PATH, self->modprobe,
			       sizeof(self->modprobe)) < 0 ? -EIO : 0);
	DQ_SETUP(dq_fs_create(&self->fs, DQ_DISK_A, "ext4"));
	err = unload_xfs();
	if (err) {
		dq_machine_reset();
		SKIP(return, "cannot unload xfs.ko: %s", strerror(-err));
	}
	DQ_SETUP(write_slow_failing_script(SLOW_MODPROBE,
					   SLOW_MODPROBE_SECONDS));
}

FIXTURE_TEARDOWN(initfail)
{
	EXPECT_EQ(0, dq_write_file(MODPROBE_PATH, self->modprobe,
				   strlen(self->modprobe)));
	unlink(SLOW_MODPROBE);
	EXPECT_EQ(0, dq_machine_reset());
	/* The other programs expect xfs to be there. */
	EXPECT_EQ(0, dq_need_fstype("xfs"));
}

TEST_F_TIMEOUT(initfail, failed_load_accepts_no_request_and_leaves_nothing, 120)
{
	unsigned int attempts = 0, accepted = 0;
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(2000);
	struct dq_writer_result res;
	struct dq_tagged_file tf;
	char path[PATH_MAX];
	struct dq_writer *w;
	int status = 0;
	pid_t loader;

	ASSERT_EQ(0, dq_write_file(MODPROBE_PATH, SLOW_MODPROBE,
				   strlen(SLOW_MODPROBE)));
	loader = fork();
	ASSERT_LE(0, loader);
	if (!loader)
		_exit(-dq_module_load("auto_fstypes=xfs"));

	/* Keep asking for a tune until the load is over, one way or another. */
	while (waitpid(loader, &status, WNOHANG) == 0) {
		attempts++;
		if (!dq_tune(NULL, self->fs.mnt))
			accepted++;
		dq_sleep_ms(5);
	}
	TH_LOG("%u tune requests during a load that took about %u s",
	       attempts, SLOW_MODPROBE_SECONDS);

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EINVAL, WEXITSTATUS(status))
		TH_LOG("insmod diowq.ko auto_fstypes=xfs: %s",
		       WEXITSTATUS(status) ? strerror(WEXITSTATUS(status)) :
					     "loaded");
	EXPECT_LT(10u, attempts) TH_LOG("the window was not tried");
	EXPECT_EQ(0u, accepted) TH_LOG("a request was taken by a failing load");
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));

	/* The kernel's queue is in place: async writes complete through it. */
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	ASSERT_EQ(0, dq_tf_create(&tf, path, DQ_DATA_FILE_SIZE,
				  DQ_LAYOUT_WRITTEN));
	ASSERT_EQ(0, dq_writer_start(&w, &tf, &opts));
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	EXPECT_TRUE(dq_writer_result_ok(&res));
	dq_tf_close(&tf);
	/* Before the fix, this ran the freed module's unmount hook. */
	EXPECT_EQ(0, dq_umount(&self->fs, 0));
}

DQ_TEST_MAIN
