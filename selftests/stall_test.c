// SPDX-License-Identifier: GPL-2.0
/*
 * stall_test: a request of ours that waits stalls nobody else.
 *
 * The auto-tune rescan holds diowq_ctl_lock while it waits for each
 * superblock's s_umount, and a mount holds s_umount until it has read its
 * filesystem: a mount of a suspended device-mapper device holds it as long
 * as the device stays suspended. A tune request then waits for
 * diowq_ctl_lock. Before the fix, it waited inside the global genl_mutex
 * (the family had no parallel_ops), so every generic netlink family lookup
 * on the host (nlctrl: wireguard, nl80211, ethtool, ...) waited too, and so
 * did our unprivileged reads: GET_CONFIG and auto_fstypes took
 * diowq_ctl_lock.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/dm.h"
#include "lib/genl.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>

/* What a reader must answer within, while the request waits. */
#define READ_MS 1000
/* How long the parent waits for a report before calling it stalled. */
#define REPORT_MS 5000

FIXTURE(stall) {
	struct dq_fs ext4;	/* tuned by the request that waits */
	struct dq_dm dm;	/* the device whose mount holds s_umount */
	struct dq_fs held;	/* the xfs on it */
	pid_t children[3];
};

FIXTURE_SETUP(stall)
{
	struct dq_fs disk;
	int err;

	memset(self->children, 0, sizeof(self->children));
	DQ_SETUP(dq_machine_reset());
	err = dq_dm_available();
	if (err) {
		dq_machine_reset();
		SKIP(return, "no device mapper: %s", strerror(-err));
	}
	DQ_SETUP(dq_fs_create(&self->ext4, DQ_DISK_A, "ext4"));
	DQ_SETUP(dq_disk(DQ_DISK_C, &disk));
	DQ_SETUP(dq_dm_create(&self->dm, "diowq-held", disk.dev));
	dq_dm_fs(&self->dm, &self->held);
	DQ_SETUP(dq_mkfs(&self->held, "xfs"));
	DQ_SETUP(dq_mkdir_p(self->held.mnt));
	DQ_SETUP(dq_module_load(""));
}

FIXTURE_TEARDOWN(stall)
{
	unsigned int i;

	/* Whatever happened, let the held mount and the requests finish. */
	dq_dm_resume(&self->dm);
	for (i = 0; i < ARRAY_SIZE(self->children); i++) {
		if (self->children[i] <= 0)
			continue;
		kill(self->children[i], SIGKILL);
		waitpid(self->children[i], NULL, 0);
	}
	dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "");
	EXPECT_EQ(0, dq_machine_reset());
}

/* One reader's (or the waiting request's) answer, sent up a pipe. */
struct report {
	int err;
	uint64_t lookup_ms;	/* nlctrl: resolve the "diowq" family */
	uint64_t config_ms;	/* our GET_CONFIG */
	uint64_t dump_ms;	/* our GET_SB dump */
	uint64_t sysfs_ms;	/* read auto_fstypes */
};

/* Run fn in a child that writes its report to the returned pipe fd. */
static int spawn(pid_t *pid, void (*fn)(void *arg, struct report *r),
		 void *arg)
{
	struct report r = { 0 };
	int fds[2];

	if (pipe(fds))
		return -errno;
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (!*pid) {
		close(fds[0]);
		fn(arg, &r);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	return fds[0];
}

/* Wait up to ms for a report; -ETIMEDOUT if the child is still stuck. */
static int await_report(int fd, struct report *r, unsigned int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(fd, r, sizeof(*r)) == sizeof(*r) ? 0 : -EIO;
}

static void mount_held(void *arg, struct report *r)
{
	const struct dq_fs *fs = arg;

	r->err = dq_mount(fs);
}

static void tune_by_netlink(void *arg, struct report *r)
{
	const struct dq_fs *fs = arg;
	struct dq_genl_reply *reply = malloc(sizeof(*reply));
	struct dq_genl_msg msg;
	struct dq_genl nl;
	int fd;

	r->err = reply ? dq_genl_open(&nl) : -ENOMEM;
	if (r->err)
		return;
	fd = open(fs->mnt, O_RDONLY | O_DIRECTORY);
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_TUNE, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
	r->err = dq_genl_call(&nl, &msg, reply) ?: reply->error;
}

static void read_everything(void *arg, struct report *r)
{
	struct dq_genl_reply *reply = malloc(sizeof(*reply));
	struct dq_genl_msg msg;
	struct dq_genl nl;
	char val[128];
	uint64_t t;

	(void)arg;
	if (!reply) {
		r->err = -ENOMEM;
		return;
	}
	t = dq_now_ms();
	r->err = dq_genl_open(&nl);
	r->lookup_ms = dq_now_ms() - t;
	if (r->err)
		return;

	t = dq_now_ms();
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_GET_CONFIG, 0);
	r->err = dq_genl_call(&nl, &msg, reply) ?: reply->error;
	r->config_ms = dq_now_ms() - t;
	if (r->err)
		return;

	t = dq_now_ms();
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_GET_SB, NLM_F_DUMP);
	r->err = dq_genl_call(&nl, &msg, reply) ?: reply->error;
	r->dump_ms = dq_now_ms() - t;
	if (r->err)
		return;

	t = dq_now_ms();
	r->err = dq_read_attr(DIOWQ_ATTR_AUTO_FSTYPES, val, sizeof(val));
	r->sysfs_ms = dq_now_ms() - t;
}

TEST_F_TIMEOUT(stall, waiting_request_stalls_no_lookup_and_no_read, 180)
{
	struct report held = { 0 }, waiting = { 0 }, reads = { 0 };
	int held_fd, waiting_fd, reads_fd;

	/* The rescan, once a second, walks every xfs superblock. */
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "xfs"));
	ASSERT_EQ(0, dq_dm_suspend(&self->dm));

	held_fd = spawn(&self->children[0], mount_held, &self->held);
	ASSERT_LE(0, held_fd);
	/* Two rescans: one of them is now waiting for the held mount. */
	dq_sleep_ms(2500);
	ASSERT_EQ(-ETIMEDOUT, await_report(held_fd, &held, 0))
		TH_LOG("the mount of a suspended device did not wait: %s",
		       strerror(-held.err));

	waiting_fd = spawn(&self->children[1], tune_by_netlink, &self->ext4);
	ASSERT_LE(0, waiting_fd);
	ASSERT_EQ(-ETIMEDOUT, await_report(waiting_fd, &waiting, 1000))
		TH_LOG("the tune did not wait for the rescan: %s",
		       strerror(-waiting.err));

	/* The finding: while it waits, lookups and reads still answer. */
	reads_fd = spawn(&self->children[2], read_everything, NULL);
	ASSERT_LE(0, reads_fd);
	ASSERT_EQ(0, await_report(reads_fd, &reads, REPORT_MS))
		TH_LOG("lookups and reads stalled for %u ms behind the waiting request",
		       REPORT_MS);
	EXPECT_EQ(0, reads.err) TH_LOG("%s", strerror(-reads.err));
	EXPECT_GT(READ_MS, reads.lookup_ms);
	EXPECT_GT(READ_MS, reads.config_ms);
	EXPECT_GT(READ_MS, reads.dump_ms);
	EXPECT_GT(READ_MS, reads.sysfs_ms);
	TH_LOG("while a tune waited: family lookup %llu ms, GET_CONFIG %llu ms, GET_SB dump %llu ms, auto_fstypes %llu ms",
	       (unsigned long long)reads.lookup_ms,
	       (unsigned long long)reads.config_ms,
	       (unsigned long long)reads.dump_ms,
	       (unsigned long long)reads.sysfs_ms);

	/* Let go: the mount completes, then the rescan, then the tune. */
	ASSERT_EQ(0, dq_dm_resume(&self->dm));
	ASSERT_EQ(0, await_report(held_fd, &held, 30000));
	EXPECT_EQ(0, held.err) TH_LOG("mount: %s", strerror(-held.err));
	ASSERT_EQ(0, await_report(waiting_fd, &waiting, 30000));
	EXPECT_EQ(0, waiting.err) TH_LOG("tune: %s", strerror(-waiting.err));
	EXPECT_TRUE(dq_sb_tuned(self->ext4.sid));
	/* And the rescan found the new mount. */
	EXPECT_EQ(0, dq_wait_sb_tuned(self->held.sid, true, DQ_AUTO_TUNE_MS));
}

DQ_TEST_MAIN
