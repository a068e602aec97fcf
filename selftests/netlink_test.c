// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_test: the "diowq" generic netlink family, spoken raw (no libnl,
 * no diowqctl): config and status replies, tune/untune by file descriptor
 * and by device number, sysfs and netlink as two views of one state,
 * events, strict refusal of malformed requests with an extack message and
 * no change, and that an unprivileged user can read but not change.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/genl.h"

/* Replies are large: one static buffer, the tests are single threaded. */
static struct dq_genl_reply reply;

FIXTURE(netlink) {
	struct dq_fs fs;	/* xfs on disk B */
	struct dq_genl nl;
	int root_fd;		/* the xfs mount's root */
	dev_t dev;
};

FIXTURE_SETUP(netlink)
{
	struct stat st;

	self->root_fd = -1;
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->fs, DQ_DISK_B, "xfs"));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_genl_open(&self->nl));
	self->root_fd = open(self->fs.mnt, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, self->root_fd);
	ASSERT_EQ(0, fstat(self->root_fd, &st));
	self->dev = st.st_dev;
}

FIXTURE_TEARDOWN(netlink)
{
	if (self->root_fd >= 0)
		close(self->root_fd);
	dq_genl_close(&self->nl);
	EXPECT_EQ(0, dq_machine_reset());
}

/* Send a request with at most one target attribute; returns the error. */
static int call(struct dq_genl *nl, uint8_t cmd, uint16_t flags,
		int fd, const dev_t *dev, int mode)
{
	struct dq_genl_msg msg;
	int err;

	dq_genl_msg_init(nl, &msg, cmd, flags);
	if (fd >= 0)
		dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
	if (dev) {
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, major(*dev));
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MINOR, minor(*dev));
	}
	if (mode >= 0)
		dq_genl_put_u32(&msg, DIOWQ_A_MODE, mode);
	err = dq_genl_call(nl, &msg, &reply);
	return err ?: reply.error;
}

TEST_F(netlink, family_has_our_version_and_events_group)
{
	EXPECT_EQ(DIOWQ_GENL_VERSION, self->nl.version);
	EXPECT_NE(0, self->nl.events_group);
}

TEST_F(netlink, get_config_matches_sysfs)
{
	uint32_t val;

	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, "unbound"));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "ext4"));
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_CONFIG, 0, -1, NULL, -1));
	ASSERT_EQ(1, reply.nr_msgs);
	EXPECT_STREQ(DIOWQ_VERSION,
		     dq_genl_attr_str(&reply, 0, DIOWQ_A_VERSION));
	EXPECT_STREQ("xfs,ext4",
		     dq_genl_attr_str(&reply, 0, DIOWQ_A_SUPPORTED_FSTYPES));
	EXPECT_STREQ("ext4",
		     dq_genl_attr_str(&reply, 0, DIOWQ_A_AUTO_FSTYPES));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_DEFAULT_MODE, &val));
	EXPECT_EQ(DIOWQ_MODE_UNBOUND, val);
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_AUTO_RESCAN_MS,
				     &val));
	EXPECT_EQ(1000, val);
}

TEST_F(netlink, set_config_shows_in_sysfs)
{
	struct dq_genl_msg msg;

	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_u32(&msg, DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_UNBOUND);
	dq_genl_put_str(&msg, DIOWQ_A_AUTO_FSTYPES, "xfs");
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	ASSERT_EQ(0, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, "unbound");
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "xfs");
	/* The mounted xfs is auto-tuned in the new default mode at once. */
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_ORIGIN, "auto");
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, "unbound");
}

TEST_F(netlink, tune_by_fd_shows_in_sysfs_and_get_sb)
{
	char queue[64];
	uint32_t val;

	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_TUNE, 0, self->root_fd, NULL,
			  DIOWQ_MODE_UNBOUND)) TH_LOG("%s", reply.extack);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, "unbound");
	ASSERT_EQ(0, dq_sb_queue(self->fs.sid, queue, sizeof(queue)));

	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, 0, self->root_fd, NULL,
			  -1)) TH_LOG("%s", reply.extack);
	ASSERT_EQ(1, reply.nr_msgs);
	EXPECT_STREQ(self->fs.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
	EXPECT_STREQ("xfs", dq_genl_attr_str(&reply, 0, DIOWQ_A_FSTYPE));
	EXPECT_STREQ(self->fs.dev,
		     dq_genl_attr_str(&reply, 0, DIOWQ_A_SOURCE));
	EXPECT_STREQ(queue, dq_genl_attr_str(&reply, 0, DIOWQ_A_WORKQUEUE));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_MODE, &val));
	EXPECT_EQ(DIOWQ_MODE_UNBOUND, val);
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_DEV_MAJOR, &val));
	EXPECT_EQ(major(self->dev), val);
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_DEV_MINOR, &val));
	EXPECT_EQ(minor(self->dev), val);
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_ORIGIN, &val));
	EXPECT_EQ(DIOWQ_ORIGIN_MANUAL, val);

	/* Switch through netlink, see it in sysfs; untune, see it gone. */
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_TUNE, 0, self->root_fd, NULL,
			  DIOWQ_MODE_HIGHPRI));
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, "highpri");
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_SWAPS, "2");
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_UNTUNE, 0, self->root_fd, NULL,
			  -1));
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_EQ(-ENOENT, call(&self->nl, DIOWQ_CMD_GET_SB, 0, self->root_fd,
				NULL, -1));
	EXPECT_STRNE("", reply.extack);
}

TEST_F(netlink, sysfs_tune_shows_in_dump)
{
	struct dq_fs ext4;

	ASSERT_EQ(0, dq_fs_reuse(&ext4, DQ_DISK_C, "ext4"));
	ASSERT_EQ(0, dq_tune("highpri", self->fs.mnt));
	ASSERT_EQ(0, dq_tune("unbound", ext4.mnt));

	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL,
			  -1));
	ASSERT_EQ(2, reply.nr_msgs);
	EXPECT_STREQ(self->fs.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
	EXPECT_STREQ(ext4.sid, dq_genl_attr_str(&reply, 1, DIOWQ_A_SB_ID));
	EXPECT_STREQ("ext4", dq_genl_attr_str(&reply, 1, DIOWQ_A_FSTYPE));

	/* UNTUNE ALL empties both views. */
	{
		struct dq_genl_msg msg;

		dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNTUNE, 0);
		dq_genl_put(&msg, DIOWQ_A_ALL, NULL, 0);
		ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
		ASSERT_EQ(0, reply.error) TH_LOG("%s", reply.extack);
	}
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_FALSE(dq_sb_tuned(ext4.sid));
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL,
			  -1));
	EXPECT_EQ(0, reply.nr_msgs);
}

TEST_F(netlink, tune_and_untune_by_device_number)
{
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_TUNE, 0, -1, &self->dev, -1))
		TH_LOG("%s", reply.extack);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, "highpri");
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, 0, -1, &self->dev, -1));
	EXPECT_STREQ(self->fs.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_UNTUNE, 0, -1, &self->dev, -1))
		TH_LOG("%s", reply.extack);
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
}

/* Wait for the next event and check its kind and superblock. */
static void expect_event(struct __test_metadata *_metadata,
			 struct dq_genl *nl, uint32_t want, const char *sid)
{
	uint32_t event = 0;
	int err = dq_genl_recv_event(nl, &reply, 5000);

	ASSERT_EQ(0, err) TH_LOG("waiting for event %u: %s", want,
				 strerror(-err));
	EXPECT_EQ(DIOWQ_CMD_EVENT, dq_genl_cmd(&reply, 0));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_EVENT, &event));
	EXPECT_EQ(want, event);
	EXPECT_STREQ(sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
}

TEST_F(netlink, events_for_tune_switch_untune_unmount_and_auto)
{
	struct dq_genl events;
	struct dq_fs ext4;

	ASSERT_EQ(0, dq_genl_open(&events));
	ASSERT_EQ(0, dq_genl_subscribe_events(&events));

	ASSERT_EQ(0, dq_tune("highpri", self->fs.mnt));
	expect_event(_metadata, &events, DIOWQ_EVENT_TUNED, self->fs.sid);
	ASSERT_EQ(0, dq_tune("unbound", self->fs.mnt));
	expect_event(_metadata, &events, DIOWQ_EVENT_MODE_CHANGED,
		     self->fs.sid);
	ASSERT_EQ(0, dq_untune(self->fs.mnt));
	expect_event(_metadata, &events, DIOWQ_EVENT_UNTUNED, self->fs.sid);

	ASSERT_EQ(0, dq_tune(NULL, self->fs.mnt));
	expect_event(_metadata, &events, DIOWQ_EVENT_TUNED, self->fs.sid);
	close(self->root_fd);
	self->root_fd = -1;
	ASSERT_EQ(0, dq_umount(&self->fs, 0));
	expect_event(_metadata, &events, DIOWQ_EVENT_UNMOUNTED, self->fs.sid);

	ASSERT_EQ(0, dq_fs_reuse(&ext4, DQ_DISK_C, "ext4"));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "ext4"));
	expect_event(_metadata, &events, DIOWQ_EVENT_AUTO_TUNED, ext4.sid);

	/* Nothing else was sent. */
	EXPECT_EQ(-ETIMEDOUT, dq_genl_recv_event(&events, &reply, 300));
	dq_genl_close(&events);
}

#define __maybe_unused __attribute__((unused))

/*
 * What a bad request may name: our mount, its root's fd, its device; and
 * a file the builder opened, closed after the request (an open file would
 * keep the mount busy).
 */
struct bad_ctx {
	const struct dq_fs *fs;
	int fd;
	dev_t dev;
	int opened;
};

/* One malformed or refused request, and what the kernel must answer. */
struct bad_request {
	const char *what;
	uint8_t cmd;
	int error;
	void (*build)(struct dq_genl_msg *m, struct bad_ctx *c);
};

static void put_u8(struct dq_genl_msg *m, uint16_t type, uint8_t v)
{
	dq_genl_put(m, type, &v, sizeof(v));
}

static void b_nothing(struct dq_genl_msg *m __maybe_unused,
		      struct bad_ctx *c __maybe_unused)
{
}

static void b_fd_negative(struct dq_genl_msg *m,
			  struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, -1);
}

static void b_fd_closed(struct dq_genl_msg *m,
			struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, 1000);
}

static void b_fd_short(struct dq_genl_msg *m, struct bad_ctx *c)
{
	put_u8(m, DIOWQ_A_FD, c->fd);
}

static int open_for(struct bad_ctx *c, const char *path, int flags)
{
	c->opened = open(path, flags, 0600);
	if (c->opened < 0)
		dq_log("open %s: %s", path, strerror(errno));
	return c->opened;
}

static void b_fd_not_root(struct dq_genl_msg *m, struct bad_ctx *c)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/not-a-mount", c->fs->mnt);
	mkdir(path, 0755);
	dq_genl_put_s32(m, DIOWQ_A_FD, open_for(c, path, O_RDONLY));
}

static void b_fd_regular_file(struct dq_genl_msg *m, struct bad_ctx *c)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/a-file", c->fs->mnt);
	dq_genl_put_s32(m, DIOWQ_A_FD, open_for(c, path, O_RDWR | O_CREAT));
}

static void b_fd_tmpfs(struct dq_genl_msg *m,
		       struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, open_for(c, "/tmp", O_RDONLY));
}

static void b_fd_and_dev(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, major(c->dev));
	dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, minor(c->dev));
}

static void b_major_only(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, major(c->dev));
}

static void b_minor_too_big(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, major(c->dev));
	dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 1u << 20);
}

static void b_major_too_big(struct dq_genl_msg *m,
			    struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, 4096);
	dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 0);
}

static void b_dev_unknown(struct dq_genl_msg *m,
			  struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, 1);	/* mem: /dev/null */
	dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 3);
}

static void b_mode_out_of_range(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_u32(m, DIOWQ_A_MODE, 7);
}

static void b_mode_negative(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_s32(m, DIOWQ_A_MODE, -1);
}

static void b_mode_as_string(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_str(m, DIOWQ_A_MODE, "unbound");
}

static void b_unknown_attr(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_u32(m, DIOWQ_A_MAX + 10, 1);
}

static void b_reply_only_attr(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_str(m, DIOWQ_A_SB_ID, "vdb");
}

static void b_all_with_fd(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put(m, DIOWQ_A_ALL, NULL, 0);
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
}

static void b_untune_not_tuned(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
}

static void b_auto_unsupported(struct dq_genl_msg *m,
			       struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_str(m, DIOWQ_A_AUTO_FSTYPES, "vfat");
}

static void b_auto_malformed(struct dq_genl_msg *m,
			     struct bad_ctx *c __maybe_unused)
{
	dq_genl_put_str(m, DIOWQ_A_AUTO_FSTYPES, "xfs,,ext4");
}

static void b_auto_unterminated(struct dq_genl_msg *m,
				struct bad_ctx *c __maybe_unused)
{
	dq_genl_put(m, DIOWQ_A_AUTO_FSTYPES, "xfs", 3);
}

static void b_auto_overlong(struct dq_genl_msg *m,
			    struct bad_ctx *c __maybe_unused)
{
	char list[DIOWQ_AUTO_FSTYPES_MAXLEN * 4];
	size_t i;

	for (i = 0; i + 4 < sizeof(list); i += 4)
		memcpy(list + i, "xfs,", 4);
	memcpy(list + i - 1, "", 1);
	dq_genl_put_str(m, DIOWQ_A_AUTO_FSTYPES, list);
}

static void b_default_mode_bad(struct dq_genl_msg *m,
			       struct bad_ctx *c __maybe_unused)
{
	/* A valid list with a bad mode: neither may be applied. */
	dq_genl_put_str(m, DIOWQ_A_AUTO_FSTYPES, "xfs");
	dq_genl_put_u32(m, DIOWQ_A_DEFAULT_MODE, 2);
}

static const struct bad_request bad_requests[] = {
	{ "tune without a target", DIOWQ_CMD_TUNE, -EINVAL, b_nothing },
	{ "tune fd -1", DIOWQ_CMD_TUNE, -ERANGE, b_fd_negative },
	{ "tune closed fd", DIOWQ_CMD_TUNE, -EBADF, b_fd_closed },
	{ "tune fd as u8", DIOWQ_CMD_TUNE, -EINVAL, b_fd_short },
	{ "tune a directory that is no mount root", DIOWQ_CMD_TUNE, -EINVAL,
	  b_fd_not_root },
	{ "tune a regular file", DIOWQ_CMD_TUNE, -EINVAL, b_fd_regular_file },
	{ "tune tmpfs", DIOWQ_CMD_TUNE, -EOPNOTSUPP, b_fd_tmpfs },
	{ "tune fd and dev", DIOWQ_CMD_TUNE, -EINVAL, b_fd_and_dev },
	{ "tune major only", DIOWQ_CMD_TUNE, -EINVAL, b_major_only },
	{ "tune minor 2^20", DIOWQ_CMD_TUNE, -ERANGE, b_minor_too_big },
	{ "tune major 4096", DIOWQ_CMD_TUNE, -ERANGE, b_major_too_big },
	{ "tune /dev/null's number", DIOWQ_CMD_TUNE, -ENOENT, b_dev_unknown },
	{ "tune mode 7", DIOWQ_CMD_TUNE, -ERANGE, b_mode_out_of_range },
	{ "tune mode -1", DIOWQ_CMD_TUNE, -ERANGE, b_mode_negative },
	{ "tune mode as a string", DIOWQ_CMD_TUNE, -EINVAL, b_mode_as_string },
	{ "tune with an unknown attribute", DIOWQ_CMD_TUNE, -EINVAL,
	  b_unknown_attr },
	{ "tune with a reply-only attribute", DIOWQ_CMD_TUNE, -EINVAL,
	  b_reply_only_attr },
	{ "untune ALL with an fd", DIOWQ_CMD_UNTUNE, -EINVAL, b_all_with_fd },
	{ "untune what is not tuned", DIOWQ_CMD_UNTUNE, -ENOENT,
	  b_untune_not_tuned },
	{ "set_config with nothing", DIOWQ_CMD_SET_CONFIG, -EINVAL,
	  b_nothing },
	{ "auto vfat", DIOWQ_CMD_SET_CONFIG, -EOPNOTSUPP, b_auto_unsupported },
	{ "auto xfs,,ext4", DIOWQ_CMD_SET_CONFIG, -EINVAL, b_auto_malformed },
	{ "auto not NUL-terminated", DIOWQ_CMD_SET_CONFIG, -EINVAL,
	  b_auto_unterminated },
	{ "auto overlong", DIOWQ_CMD_SET_CONFIG, -EINVAL, b_auto_overlong },
	{ "valid auto with default mode 2", DIOWQ_CMD_SET_CONFIG, -ERANGE,
	  b_default_mode_bad },
};

TEST_F(netlink, bad_requests_are_refused_with_a_message_and_change_nothing)
{
	struct bad_ctx ctx = { &self->fs, self->root_fd, self->dev, -1 };
	struct dq_snapshot before, after;
	unsigned int i;

	/* Something tuned, so "nothing changed" covers a live entry too. */
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "ext4"));
	ASSERT_EQ(0, dq_snapshot_take(&before));

	for (i = 0; i < ARRAY_SIZE(bad_requests); i++) {
		const struct bad_request *bad = &bad_requests[i];
		struct dq_genl_msg msg;

		dq_genl_msg_init(&self->nl, &msg, bad->cmd, 0);
		bad->build(&msg, &ctx);
		ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
		if (ctx.opened >= 0)
			close(ctx.opened);
		ctx.opened = -1;
		EXPECT_EQ(bad->error, reply.error)
			TH_LOG("%s: got %s (%s)", bad->what,
			       strerror(-reply.error), reply.extack);
		EXPECT_STRNE("", reply.extack)
			TH_LOG("%s: no extack message", bad->what);
		if (bad->error == reply.error)
			dq_log("%s: %s: %s", bad->what, strerror(-reply.error),
			       reply.extack);
	}

	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F(netlink, unknown_command_is_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, call(&self->nl, DIOWQ_CMD_MAX + 5, 0, -1, NULL,
				    -1));
}

/* In a child that dropped root: reads work, every change is EPERM. */
static int unprivileged_child(int root_fd)
{
	struct dq_genl nl;
	struct dq_genl_msg msg;
	int failures = 0;

	if (setgid(65534) || setuid(65534))
		return 100;
	if (dq_genl_open(&nl))
		return 101;
	if (call(&nl, DIOWQ_CMD_GET_CONFIG, 0, -1, NULL, -1))
		failures |= 1;
	if (call(&nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL, -1) ||
	    reply.nr_msgs != 1)
		failures |= 2;
	if (call(&nl, DIOWQ_CMD_TUNE, 0, root_fd, NULL, DIOWQ_MODE_UNBOUND) !=
	    -EPERM)
		failures |= 4;
	if (call(&nl, DIOWQ_CMD_UNTUNE, 0, root_fd, NULL, -1) != -EPERM)
		failures |= 8;
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_u32(&msg, DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_UNBOUND);
	if (dq_genl_call(&nl, &msg, &reply) || reply.error != -EPERM)
		failures |= 16;
	/* sysfs: readable, not writable. */
	if (dq_write_attr(DIOWQ_ATTR_UNTUNE, "/") != -EACCES)
		failures |= 32;
	dq_genl_close(&nl);
	return failures;
}

TEST_F(netlink, unprivileged_user_reads_but_cannot_change)
{
	struct dq_snapshot before, after;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dq_tune("highpri", self->fs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_child(self->root_fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("failed checks (bits): 1 get_config, 2 dump, 4 tune, 8 untune, 16 set_config, 32 sysfs write");
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

DQ_TEST_MAIN
