// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_test: the "diowq" generic netlink family, spoken raw (no libnl,
 * no diowqctl): config and status replies, tune/untune by file descriptor
 * and by device number, sysfs and netlink as two views of one state,
 * events, strict refusal of malformed requests with an extack message and
 * no change, and that an unprivileged user can read but not change.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/cmd.h"
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

/*
 * An O_PATH descriptor is the natural way to name a mount point without
 * opening it for reading: every command that takes FD accepts one.
 */
TEST_F(netlink, o_path_fd_names_a_mount_for_every_command)
{
	int fd = open(self->fs.mnt, O_PATH | O_DIRECTORY);
	uint32_t mode;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_TUNE, 0, fd, NULL,
			  DIOWQ_MODE_UNBOUND))
		TH_LOG("TUNE: %s", reply.extack);
	EXPECT_SB_ATTR(self->fs.sid, DIOWQ_SB_ATTR_MODE, "unbound");

	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, 0, fd, NULL, -1))
		TH_LOG("GET_SB: %s", reply.extack);
	EXPECT_STREQ(self->fs.sid, dq_genl_attr_str(&reply, 0, DIOWQ_A_SB_ID));
	EXPECT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_MODE, &mode));
	EXPECT_EQ(DIOWQ_MODE_UNBOUND, mode);

	EXPECT_EQ(0, call(&self->nl, DIOWQ_CMD_UNTUNE, 0, fd, NULL, -1))
		TH_LOG("UNTUNE: %s", reply.extack);
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	close(fd);
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

/* A valid target plus an attribute the command does not take. */
static void b_root_and_mode(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_u32(m, DIOWQ_A_MODE, DIOWQ_MODE_HIGHPRI);
}

static void b_root_and_all(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
	dq_genl_put_flag(m, DIOWQ_A_ALL);
}

static void b_root(struct dq_genl_msg *m, struct bad_ctx *c)
{
	dq_genl_put_s32(m, DIOWQ_A_FD, c->fd);
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
	/* Attributes a command does not take are refused, not ignored. */
	{ "untune with a mode", DIOWQ_CMD_UNTUNE, -EINVAL, b_root_and_mode },
	{ "tune with ALL", DIOWQ_CMD_TUNE, -EINVAL, b_root_and_all },
	{ "get_config with an fd", DIOWQ_CMD_GET_CONFIG, -EINVAL, b_root },
	{ "set_config with an fd", DIOWQ_CMD_SET_CONFIG, -EINVAL, b_root },
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

/*
 * The module measured dispatch latency up to 0.1; diowqctl's BPF program
 * does now. The commands answer EOPNOTSUPP and say where it went, as a
 * request and as a dump, privileged or not, and change nothing.
 */
TEST_F(netlink, retired_latency_commands_say_where_it_went)
{
	static const struct {
		uint8_t cmd;
		uint16_t flags;
	} retired[] = {
		{ DIOWQ_CMD_WATCH, 0 },
		{ DIOWQ_CMD_UNWATCH, 0 },
		{ DIOWQ_CMD_GET_WATCH, 0 },
		{ DIOWQ_CMD_GET_LATENCY, 0 },
		{ DIOWQ_CMD_GET_LATENCY, NLM_F_DUMP },
	};
	struct dq_snapshot before, after;
	unsigned int i;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	for (i = 0; i < ARRAY_SIZE(retired); i++) {
		struct dq_genl_msg msg;

		dq_genl_msg_init(&self->nl, &msg, retired[i].cmd,
				 retired[i].flags);
		ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
		EXPECT_EQ(-EOPNOTSUPP, reply.error)
			TH_LOG("command %u flags %#x", retired[i].cmd,
			       retired[i].flags);
		EXPECT_TRUE(dq_contains(reply.extack, "diowqctl"))
			TH_LOG("command %u: extack \"%s\"", retired[i].cmd,
			       reply.extack);
	}
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* ---- every attribute of every command, malformed ------------------------ */

/*
 * Each attribute in each of these shapes, sent to every command. Each
 * command has a policy of its own: an attribute it does not take is
 * refused whatever its shape ("Unsupported attribute", EINVAL); one it
 * takes is refused when malformed. Either way the netlink core refuses it
 * before any handler runs. Expected errors are the core's: EINVAL for a
 * wrong length, a wrong type, an unexpected NESTED flag or an unknown
 * attribute; ERANGE for a value out of the policy's range or a flag with a
 * payload.
 */
enum shape {
	SH_EMPTY,	/* no payload */
	SH_SHORT,	/* 2 bytes */
	SH_LONG,	/* 8 bytes, not a string */
	SH_HUGE,	/* 5000 bytes of 'a' and a NUL: > a page with headers */
	SH_STRING,	/* "unbound\0" */
	SH_NESTED,	/* u32 1 with NLA_F_NESTED set */
	SH_ALL_ONES,	/* u32 0xffffffff: -1 for the s32 */
	NR_SHAPES,
};

static const char *const shape_names[NR_SHAPES] = {
	"empty", "2 bytes", "8 bytes", "5000-byte string", "string",
	"NESTED flag", "0xffffffff",
};

struct attr_sweep {
	uint16_t type;
	const char *name;
	int error[NR_SHAPES];
};

#define INTEGER_ATTR(t, range_err) {					\
	.type = t, .name = #t,						\
	.error = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL,\
		   range_err },						\
}
#define REJECTED_ATTR(t) {						\
	.type = t, .name = #t,						\
	.error = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL,\
		   -EINVAL },						\
}

static const struct attr_sweep attr_sweep[] = {
	INTEGER_ATTR(DIOWQ_A_DEFAULT_MODE, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_FD, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_DEV_MAJOR, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_DEV_MINOR, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_MODE, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_CGROUP_FD, -ERANGE),
	INTEGER_ATTR(DIOWQ_A_CGROUP_WEIGHT, -ERANGE),
	/* A NUL-terminated string of at most 64 bytes; "unbound" is one. */
	{ .type = DIOWQ_A_AUTO_FSTYPES, .name = "DIOWQ_A_AUTO_FSTYPES",
	  .error = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, 1, -EINVAL,
		     -EINVAL } },
	/* A flag: nothing but an empty payload. */
	{ .type = DIOWQ_A_ALL, .name = "DIOWQ_A_ALL",
	  .error = { 1, -ERANGE, -ERANGE, -ERANGE, -ERANGE, -EINVAL,
		     -ERANGE } },
	REJECTED_ATTR(DIOWQ_A_UNSPEC),
	REJECTED_ATTR(DIOWQ_A_PAD),
	REJECTED_ATTR(DIOWQ_A_VERSION),
	REJECTED_ATTR(DIOWQ_A_SUPPORTED_FSTYPES),
	REJECTED_ATTR(DIOWQ_A_AUTO_RESCAN_MS),
	REJECTED_ATTR(DIOWQ_A_SB_ID),
	REJECTED_ATTR(DIOWQ_A_FSTYPE),
	REJECTED_ATTR(DIOWQ_A_SOURCE),
	REJECTED_ATTR(DIOWQ_A_WORKQUEUE),
	REJECTED_ATTR(DIOWQ_A_ORIGIN),
	REJECTED_ATTR(DIOWQ_A_SWAPS),
	REJECTED_ATTR(DIOWQ_A_TUNED_MS),
	REJECTED_ATTR(DIOWQ_A_EVENT),
	REJECTED_ATTR(DIOWQ_A_PROBES),
	REJECTED_ATTR(DIOWQ_A_WATCH_ALL),
	REJECTED_ATTR(DIOWQ_A_WATCHED),
	REJECTED_ATTR(DIOWQ_A_PROBE_NS),
	REJECTED_ATTR(DIOWQ_A_PROBE_HITS),
	REJECTED_ATTR(DIOWQ_A_UNMATCHED),
	REJECTED_ATTR(DIOWQ_A_HIST_BUCKETS),
	REJECTED_ATTR(DIOWQ_A_CPU),
	REJECTED_ATTR(DIOWQ_A_CPU_ONLINE),
	REJECTED_ATTR(DIOWQ_A_COMPLETIONS),
	REJECTED_ATTR(DIOWQ_A_LATENCY_SUM_NS),
	REJECTED_ATTR(DIOWQ_A_LATENCY_MAX_NS),
	REJECTED_ATTR(DIOWQ_A_LATENCY_HIST),
	REJECTED_ATTR(DIOWQ_A_WORKER_PID),
	REJECTED_ATTR(DIOWQ_A_WORKER_NICE),
	REJECTED_ATTR(DIOWQ_A_CLEAR_MAX),
	REJECTED_ATTR(DIOWQ_A_CGROUP),
	REJECTED_ATTR(DIOWQ_A_DIVERTED),
	REJECTED_ATTR(DIOWQ_A_MAX + 1),
	REJECTED_ATTR(0x3fff),
};

/*
 * Every command a request may carry, with the flags it is sent with. The
 * retired dispatch-latency commands (WATCH, UNWATCH, GET_WATCH, the
 * GET_LATENCY dump) keep their numbers and the family's policy: a
 * malformed attribute is refused before their handler says they are
 * retired.
 */
#define MOUNT_ATTRS DIOWQ_A_FD, DIOWQ_A_DEV_MAJOR, DIOWQ_A_DEV_MINOR

static const struct {
	uint8_t cmd;
	uint16_t flags;
	uint16_t takes[7];	/* the attributes its policy has, 0-ended */
} every_cmd[] = {
	{ DIOWQ_CMD_GET_CONFIG, 0, { 0 } },
	{ DIOWQ_CMD_SET_CONFIG, 0,
	  { DIOWQ_A_DEFAULT_MODE, DIOWQ_A_AUTO_FSTYPES } },
	{ DIOWQ_CMD_GET_SB, 0, { MOUNT_ATTRS } },
	{ DIOWQ_CMD_GET_SB, NLM_F_DUMP, { MOUNT_ATTRS } },
	{ DIOWQ_CMD_TUNE, 0,
	  { MOUNT_ATTRS, DIOWQ_A_MODE, DIOWQ_A_CGROUP_FD,
	    DIOWQ_A_CGROUP_WEIGHT } },
	{ DIOWQ_CMD_UNTUNE, 0, { MOUNT_ATTRS, DIOWQ_A_ALL } },
	{ DIOWQ_CMD_WATCH, 0, { 0 } },
	{ DIOWQ_CMD_UNWATCH, 0, { 0 } },
	{ DIOWQ_CMD_GET_WATCH, 0, { 0 } },
	{ DIOWQ_CMD_GET_LATENCY, NLM_F_DUMP, { 0 } },
};

static bool cmd_takes(unsigned int c, uint16_t type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(every_cmd[c].takes) && every_cmd[c].takes[i];
	     i++)
		if (every_cmd[c].takes[i] == type)
			return true;
	return false;
}

static void put_shape(struct dq_genl_msg *m, uint16_t type, enum shape sh)
{
	static char huge[5001];
	uint32_t one = 1, ones = 0xffffffff;
	uint64_t eight = 0x0101010101010101ull;

	switch (sh) {
	case SH_EMPTY:
		dq_genl_put(m, type, NULL, 0);
		break;
	case SH_SHORT:
		dq_genl_put(m, type, "ab", 2);
		break;
	case SH_LONG:
		dq_genl_put(m, type, &eight, sizeof(eight));
		break;
	case SH_HUGE:
		memset(huge, 'a', sizeof(huge) - 1);
		dq_genl_put(m, type, huge, sizeof(huge));
		break;
	case SH_STRING:
		dq_genl_put_str(m, type, "unbound");
		break;
	case SH_NESTED:
		dq_genl_put(m, type | NLA_F_NESTED, &one, sizeof(one));
		break;
	case SH_ALL_ONES:
		dq_genl_put(m, type, &ones, sizeof(ones));
		break;
	case NR_SHAPES:
		break;
	}
}

/* The test's own message buffer: what does not fit is refused, not sent cut. */
TEST_F(netlink, request_larger_than_the_buffer_is_not_sent)
{
	static char payload[DQ_GENL_MSG_CAP];
	struct dq_genl_msg msg;

	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_GET_CONFIG, 0);
	dq_genl_put(&msg, DIOWQ_A_AUTO_FSTYPES, payload, sizeof(payload));
	EXPECT_TRUE(msg.overflow);
	EXPECT_EQ(NLMSG_LENGTH(GENL_HDRLEN), msg.nlh.nlmsg_len);
	EXPECT_EQ(-EMSGSIZE, dq_genl_call(&self->nl, &msg, &reply));
}

TEST_F(netlink, every_attribute_malformed_in_every_command_is_refused)
{
	struct dq_snapshot before, after;
	unsigned int c, a, sh, tried = 0, wrong = 0;
	struct dq_genl_msg msg;

	ASSERT_EQ(0, dq_tune("unbound", self->fs.mnt));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "ext4"));
	ASSERT_EQ(0, dq_snapshot_take(&before));

	for (c = 0; c < ARRAY_SIZE(every_cmd); c++) {
		for (a = 0; a < ARRAY_SIZE(attr_sweep); a++) {
			for (sh = 0; sh < NR_SHAPES; sh++) {
				const struct attr_sweep *as = &attr_sweep[a];
				int want = cmd_takes(c, as->type) ?
					   as->error[sh] : -EINVAL;

				/* 1: a valid attribute, not a bad input. */
				if (want > 0)
					continue;
				dq_genl_msg_init(&self->nl, &msg,
						 every_cmd[c].cmd,
						 every_cmd[c].flags);
				put_shape(&msg, as->type, sh);
				ASSERT_EQ(0, dq_genl_call(&self->nl, &msg,
							  &reply));
				tried++;
				if (reply.error == want && reply.extack[0])
					continue;
				if (!wrong++ || wrong < 20)
					TH_LOG("cmd %u, %s as %s: want %s, got %s (\"%s\")",
					       every_cmd[c].cmd, as->name,
					       shape_names[sh],
					       strerror(-want),
					       reply.error ?
					       strerror(-reply.error) : "success",
					       reply.extack);
			}
		}
	}
	dq_log("netlink: %u attributes refused by the policies (%u commands x %zu attributes x %u shapes, less the valid ones)",
	       tried, (unsigned int)ARRAY_SIZE(every_cmd),
	       ARRAY_SIZE(attr_sweep), (unsigned int)NR_SHAPES);
	EXPECT_EQ(0u, wrong);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* ---- malformed messages -------------------------------------------------- */

TEST_F(netlink, truncated_and_overrunning_messages_are_refused)
{
	struct dq_snapshot before, after;
	struct dq_genl_msg msg;
	struct nlattr *nla;

	ASSERT_EQ(0, dq_tune("unbound", self->fs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&before));

	/* An attribute header shorter than a header: bytes left over. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNTUNE, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, self->root_fd);
	nla = (struct nlattr *)((char *)&msg.nlh + msg.nlh.nlmsg_len);
	nla->nla_len = 2;
	nla->nla_type = DIOWQ_A_MODE;
	msg.nlh.nlmsg_len += NLA_HDRLEN;
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EINVAL, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_STRNE("", reply.extack);

	/* An attribute that claims more than the message holds. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNTUNE, 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, self->root_fd);
	nla = (struct nlattr *)((char *)&msg.nlh + NLMSG_LENGTH(GENL_HDRLEN));
	nla->nla_len = 200;
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EINVAL, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_STRNE("", reply.extack);

	/* A message too short for the generic netlink header. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNTUNE, 0);
	msg.nlh.nlmsg_len = NLMSG_LENGTH(2);
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EINVAL, reply.error) TH_LOG("%s", reply.extack);

	/* The command of an event, which only the kernel sends. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_EVENT, 0);
	dq_genl_put_u32(&msg, DIOWQ_A_EVENT, DIOWQ_EVENT_UNTUNED);
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EOPNOTSUPP, reply.error) TH_LOG("%s", reply.extack);

	/* Command 0 (UNSPEC). */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNSPEC, 0);
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EOPNOTSUPP, reply.error) TH_LOG("%s", reply.extack);

	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* ---- every target a command may name, refused ---------------------------- */

enum target_kind {
	T_SUBDIR,	/* a directory below the mount root */
	T_REGULAR,	/* a regular file on the mount */
	T_TMPFS,	/* /dev/shm's root */
	T_PROC,		/* /proc's root */
	T_SYSFS,	/* /sys's root */
	T_CLOSED,	/* 999: no open file */
	T_MAX_FD,	/* INT32_MAX */
	T_O_PATH,	/* a directory below the root, opened O_PATH */
	T_SOCKET,	/* the netlink socket itself */
	T_PIPE,		/* a pipe */
	T_DEV_NULL,	/* DEV 1:3 (/dev/null's number) */
	T_DEV_ZERO,	/* DEV 0:0 */
	T_DEV_TMPFS,	/* DEV of /dev/shm's superblock */
	T_MAJOR_ONLY,	/* DEV_MAJOR without DEV_MINOR */
	T_MINOR_ONLY,	/* DEV_MINOR without DEV_MAJOR */
	NR_TARGETS,
};

static const char *const target_names[NR_TARGETS] = {
	"a directory below the mount root", "a regular file",
	"tmpfs's root", "/proc's root", "/sys's root", "a closed fd",
	"fd INT32_MAX", "an O_PATH fd of a directory below the root",
	"a socket", "a pipe", "dev 1:3", "dev 0:0", "tmpfs's dev",
	"DEV_MAJOR alone", "DEV_MINOR alone",
};

/* Errors for TUNE, UNTUNE and GET_SB in that order. */
static const int target_errors[NR_TARGETS][3] = {
	[T_SUBDIR] = { -EINVAL, -EINVAL, -EINVAL },
	[T_REGULAR] = { -EINVAL, -EINVAL, -EINVAL },
	[T_TMPFS] = { -EOPNOTSUPP, -ENOENT, -ENOENT },
	[T_PROC] = { -EOPNOTSUPP, -ENOENT, -ENOENT },
	[T_SYSFS] = { -EOPNOTSUPP, -ENOENT, -ENOENT },
	[T_CLOSED] = { -EBADF, -EBADF, -EBADF },
	[T_MAX_FD] = { -EBADF, -EBADF, -EBADF },
	[T_O_PATH] = { -EINVAL, -EINVAL, -EINVAL },
	[T_SOCKET] = { -EINVAL, -EINVAL, -EINVAL },
	[T_PIPE] = { -EINVAL, -EINVAL, -EINVAL },
	[T_DEV_NULL] = { -ENOENT, -ENOENT, -ENOENT },
	[T_DEV_ZERO] = { -ENOENT, -ENOENT, -ENOENT },
	[T_DEV_TMPFS] = { -ENOENT, -ENOENT, -ENOENT },
	[T_MAJOR_ONLY] = { -EINVAL, -EINVAL, -EINVAL },
	[T_MINOR_ONLY] = { -EINVAL, -EINVAL, -EINVAL },
};

/* Add target t to m; fds opened for it go to fds[0..1] (-1 if none). */
static void put_target(struct dq_genl_msg *m, enum target_kind t,
		       const struct dq_fs *fs, int nl_fd, int fds[2])
{
	char path[PATH_MAX];
	struct stat st;
	int fd = -1;

	fds[0] = fds[1] = -1;
	switch (t) {
	case T_SUBDIR:
		snprintf(path, sizeof(path), "%s/not-a-mount", fs->mnt);
		mkdir(path, 0755);
		fd = fds[0] = open(path, O_RDONLY | O_DIRECTORY);
		break;
	case T_REGULAR:
		snprintf(path, sizeof(path), "%s/a-file", fs->mnt);
		fd = fds[0] = open(path, O_RDWR | O_CREAT, 0600);
		break;
	case T_TMPFS:
		fd = fds[0] = open("/dev/shm", O_RDONLY | O_DIRECTORY);
		break;
	case T_PROC:
		fd = fds[0] = open("/proc", O_RDONLY | O_DIRECTORY);
		break;
	case T_SYSFS:
		fd = fds[0] = open("/sys", O_RDONLY | O_DIRECTORY);
		break;
	case T_CLOSED:
		fd = 999;
		break;
	case T_MAX_FD:
		fd = 0x7fffffff;
		break;
	case T_O_PATH:
		snprintf(path, sizeof(path), "%s/not-a-mount", fs->mnt);
		mkdir(path, 0755);
		fd = fds[0] = open(path, O_PATH);
		break;
	case T_SOCKET:
		fd = nl_fd;
		break;
	case T_PIPE:
		if (!pipe(fds))
			fd = fds[0];
		break;
	case T_DEV_NULL:
		dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, 1);
		dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 3);
		return;
	case T_DEV_ZERO:
		dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, 0);
		dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 0);
		return;
	case T_DEV_TMPFS:
		if (stat("/dev/shm", &st))
			memset(&st, 0, sizeof(st));
		dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, major(st.st_dev));
		dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, minor(st.st_dev));
		return;
	case T_MAJOR_ONLY:
		dq_genl_put_u32(m, DIOWQ_A_DEV_MAJOR, 8);
		return;
	case T_MINOR_ONLY:
		dq_genl_put_u32(m, DIOWQ_A_DEV_MINOR, 0);
		return;
	case NR_TARGETS:
		return;
	}
	dq_genl_put_s32(m, DIOWQ_A_FD, fd);
}

TEST_F(netlink, every_wrong_target_is_refused_by_every_command)
{
	static const uint8_t cmds[3] = {
		DIOWQ_CMD_TUNE, DIOWQ_CMD_UNTUNE, DIOWQ_CMD_GET_SB,
	};
	struct dq_snapshot before, after;
	unsigned int c, t, tried = 0;

	/* Something tuned, so "nothing changed" covers a live entry. */
	ASSERT_EQ(0, dq_tune("unbound", self->fs.mnt));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	for (c = 0; c < ARRAY_SIZE(cmds); c++) {
		for (t = 0; t < NR_TARGETS; t++) {
			int want = target_errors[t][c], fds[2];
			struct dq_genl_msg msg;

			dq_genl_msg_init(&self->nl, &msg, cmds[c], 0);
			put_target(&msg, t, &self->fs, self->nl.fd, fds);
			if (cmds[c] == DIOWQ_CMD_TUNE && t % 2)
				dq_genl_put_u32(&msg, DIOWQ_A_MODE,
						DIOWQ_MODE_HIGHPRI);
			ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
			if (fds[0] >= 0)
				close(fds[0]);
			if (fds[1] >= 0)
				close(fds[1]);
			tried++;
			EXPECT_EQ(want, reply.error)
				TH_LOG("cmd %u on %s: want %s, got %s (%s)",
				       cmds[c], target_names[t],
				       strerror(-want),
				       reply.error ? strerror(-reply.error) :
				       "success", reply.extack);
			EXPECT_STRNE("", reply.extack)
				TH_LOG("cmd %u on %s: no extack message",
				       cmds[c], target_names[t]);
		}
	}
	dq_log("netlink: %u requests naming a wrong target refused", tried);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F(netlink, set_config_refuses_each_half_and_applies_neither)
{
	struct dq_snapshot before, after;
	struct dq_genl_msg msg;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	/* A valid mode with a bad list: the mode must not be applied. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_u32(&msg, DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_UNBOUND);
	dq_genl_put_str(&msg, DIOWQ_A_AUTO_FSTYPES, "xfs,tmpfs");
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EOPNOTSUPP, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_STRNE("", reply.extack);
	/* The mode alone, out of range. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_u32(&msg, DIOWQ_A_DEFAULT_MODE, DIOWQ_MODE_MAX + 1);
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-ERANGE, reply.error) TH_LOG("%s", reply.extack);
	EXPECT_STRNE("", reply.extack);
	/* A list of 64 valid bytes plus one: over the policy's length. */
	dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_str(&msg, DIOWQ_A_AUTO_FSTYPES,
			"xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,xfs,x");
	ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
	EXPECT_EQ(-EINVAL, reply.error) TH_LOG("%s", reply.extack);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* ---- who may change things ------------------------------------------------- */

enum who {
	WHO_NOBODY,
	WHO_ROOT_WITHOUT_SYS_ADMIN,
	WHO_ROOT_WITHOUT_NET_ADMIN,
};

/* Become who; then every read works and every change is EPERM. */
static int restricted_child(enum who who, int root_fd)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int cap = who == WHO_ROOT_WITHOUT_SYS_ADMIN ? CAP_SYS_ADMIN :
		  CAP_NET_ADMIN;
	struct dq_genl_msg msg;
	struct dq_genl nl;
	int failures = 0;

	if (who == WHO_NOBODY) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			return 100;
	} else {
		if (syscall(SYS_capget, &hdr, data))
			return 100;
		data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
		data[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
		if (syscall(SYS_capset, &hdr, data))
			return 100;
	}
	/* After the drop: netlink checks the socket opener's rights too. */
	if (dq_genl_open(&nl))
		return 101;
	if (call(&nl, DIOWQ_CMD_GET_CONFIG, 0, -1, NULL, -1))
		failures |= 1;
	if (call(&nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL, -1) ||
	    reply.nr_msgs != 1)
		failures |= 2;
	if (call(&nl, DIOWQ_CMD_GET_SB, 0, root_fd, NULL, -1))
		failures |= 4;
	if (call(&nl, DIOWQ_CMD_TUNE, 0, root_fd, NULL, DIOWQ_MODE_UNBOUND) !=
	    -EPERM)
		failures |= 8;
	if (call(&nl, DIOWQ_CMD_UNTUNE, 0, root_fd, NULL, -1) != -EPERM)
		failures |= 16;
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_UNTUNE, 0);
	dq_genl_put(&msg, DIOWQ_A_ALL, NULL, 0);
	if (dq_genl_call(&nl, &msg, &reply) || reply.error != -EPERM)
		failures |= 32;
	dq_genl_msg_init(&nl, &msg, DIOWQ_CMD_SET_CONFIG, 0);
	dq_genl_put_str(&msg, DIOWQ_A_AUTO_FSTYPES, "");
	if (dq_genl_call(&nl, &msg, &reply) || reply.error != -EPERM)
		failures |= 64;
	/* Without CAP_SYS_ADMIN the handler says why. */
	if (who == WHO_ROOT_WITHOUT_SYS_ADMIN && !reply.extack[0])
		failures |= 128;
	/* sysfs: root without CAP_SYS_ADMIN is EPERM, nobody EACCES. */
	if (who != WHO_ROOT_WITHOUT_NET_ADMIN &&
	    dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, "highpri") !=
	    (who == WHO_NOBODY ? -EACCES : -EPERM))
		failures |= 256;
	dq_genl_close(&nl);
	return failures;
}

static void expect_restricted(struct __test_metadata *_metadata,
			      FIXTURE_DATA(netlink) *self, enum who who)
{
	struct dq_snapshot before, after;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dq_tune("unbound", self->fs.mnt));
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "ext4"));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(restricted_child(who, self->root_fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("failed checks (bits): 1 get_config, 2 dump, 4 get_sb, 8 tune, 16 untune, 32 untune all, 64 set_config, 128 extack, 256 sysfs write; 100/101 setup");
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

TEST_F(netlink, nobody_reads_but_cannot_untune_all)
{
	expect_restricted(_metadata, self, WHO_NOBODY);
}

TEST_F(netlink, root_without_cap_sys_admin_reads_but_changes_nothing)
{
	expect_restricted(_metadata, self, WHO_ROOT_WITHOUT_SYS_ADMIN);
}

TEST_F(netlink, root_without_cap_net_admin_reads_but_changes_nothing)
{
	expect_restricted(_metadata, self, WHO_ROOT_WITHOUT_NET_ADMIN);
}

/* ---- two writers at once ------------------------------------------------- */

#define HAMMER_MS 5000

struct hammer {
	const struct dq_fs *fs[2];
	int root_fd[2];
	atomic_bool stop;
	unsigned long ops, unexpected;
	int first_err;
	const char *first_what;
};

static void hammer_result(struct hammer *h, int err, bool enoent_ok,
			  const char *what)
{
	h->ops++;
	if (!err || (err == -ENOENT && enoent_ok))
		return;
	if (!h->unexpected++) {
		h->first_err = err;
		h->first_what = what;
	}
}

/* sysfs: tune in either mode, untune, default_mode, on either fs. */
static void *hammer_sysfs(void *arg)
{
	struct hammer *h = arg;
	unsigned int i = 0;

	while (!atomic_load(&h->stop)) {
		const struct dq_fs *fs = h->fs[i % 2];

		switch (i++ % 5) {
		case 0:
			hammer_result(h, dq_tune("highpri", fs->mnt), false,
				      "sysfs tune highpri");
			break;
		case 1:
			hammer_result(h, dq_tune("unbound", fs->mnt), false,
				      "sysfs tune unbound");
			break;
		case 2:
			hammer_result(h, dq_untune(fs->mnt), true,
				      "sysfs untune path");
			break;
		case 3:
			hammer_result(h, dq_untune(fs->sid), true,
				      "sysfs untune s_id");
			break;
		case 4:
			hammer_result(h, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE,
						       i % 2 ? "unbound" :
						       "highpri"),
				      false, "sysfs default_mode");
			break;
		}
	}
	return NULL;
}

/* netlink: the same conflicting requests, and UNTUNE ALL. */
static void *hammer_netlink(void *arg)
{
	static struct dq_genl_reply hreply;
	struct hammer *h = arg;
	struct dq_genl_msg msg;
	unsigned int i = 0;
	struct dq_genl nl;

	if (dq_genl_open(&nl)) {
		hammer_result(h, -EIO, false, "netlink open");
		return NULL;
	}
	while (!atomic_load(&h->stop)) {
		int fd = h->root_fd[(i + 1) % 2], err;
		unsigned int op = i++ % 5;
		bool enoent_ok = op >= 2 && op <= 3;

		dq_genl_msg_init(&nl, &msg, op < 2 ? DIOWQ_CMD_TUNE :
				 op < 4 ? DIOWQ_CMD_UNTUNE :
				 DIOWQ_CMD_SET_CONFIG, 0);
		if (op < 2) {
			dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
			dq_genl_put_u32(&msg, DIOWQ_A_MODE, op);
		} else if (op == 2) {
			dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
		} else if (op == 3) {
			dq_genl_put(&msg, DIOWQ_A_ALL, NULL, 0);
		} else {
			dq_genl_put_u32(&msg, DIOWQ_A_DEFAULT_MODE, i % 2);
		}
		err = dq_genl_call(&nl, &msg, &hreply);
		hammer_result(h, err ?: hreply.error, enoent_ok,
			      "netlink request");
	}
	dq_genl_close(&nl);
	return NULL;
}

/* sysfs and netlink agree on fs: 0, or what differs (logged). */
static int views_agree(struct dq_genl *nl, const struct dq_fs *fs, int fd)
{
	bool tuned = dq_sb_tuned(fs->sid);
	char mode[32], queue[80];
	const char *nl_queue;
	int err = call(nl, DIOWQ_CMD_GET_SB, 0, fd, NULL, -1);
	uint32_t nl_mode = 0;

	if (!tuned) {
		if (err != -ENOENT) {
			dq_log("%s: untuned in sysfs, GET_SB says %s", fs->sid,
			       strerror(-err));
			return -EPROTO;
		}
		return 0;
	}
	if (err || reply.nr_msgs != 1) {
		dq_log("%s: tuned in sysfs, GET_SB says %s", fs->sid,
		       strerror(-err));
		return -EPROTO;
	}
	if (dq_read_sb_attr(fs->sid, DIOWQ_SB_ATTR_MODE, mode, sizeof(mode)) ||
	    dq_read_sb_attr(fs->sid, DIOWQ_SB_ATTR_WORKQUEUE, queue,
			    sizeof(queue)))
		return -EPROTO;
	nl_queue = dq_genl_attr_str(&reply, 0, DIOWQ_A_WORKQUEUE);
	if (!dq_genl_attr_u32(&reply, 0, DIOWQ_A_MODE, &nl_mode) ||
	    strcmp(mode, nl_mode == DIOWQ_MODE_UNBOUND ? "unbound" :
		   "highpri") || !nl_queue || strcmp(queue, nl_queue)) {
		dq_log("%s: sysfs says %s on %s, netlink %u on %s", fs->sid,
		       mode, queue, nl_mode, nl_queue ? nl_queue : "(none)");
		return -EPROTO;
	}
	return 0;
}

TEST_F_TIMEOUT(netlink, sysfs_and_netlink_writers_at_once_leave_one_state, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);
	struct hammer h = { .fs = { &self->fs } };
	char path[PATH_MAX], mode[32];
	struct dq_writer_result res;
	struct dq_verify_result vr;
	/* Not on the stack: a failed ASSERT leaves it to the teardown. */
	static struct dq_tagged_file tf;
	pthread_t sysfs_thread, netlink_thread;
	struct dq_writer *w;
	struct dq_fs ext4;
	uint32_t val;
	int ext4_fd;

	ASSERT_EQ(0, dq_fs_reuse(&ext4, DQ_DISK_C, "ext4"));
	ext4_fd = open(ext4.mnt, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, ext4_fd);
	h.fs[1] = &ext4;
	h.root_fd[0] = self->root_fd;
	h.root_fd[1] = ext4_fd;
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	ASSERT_EQ(0, dq_tf_create(&tf, path, DQ_DATA_FILE_SIZE,
				  DQ_LAYOUT_WRITTEN));
	ASSERT_EQ(0, dq_writer_start(&w, &tf, &opts));

	ASSERT_EQ(0, pthread_create(&sysfs_thread, NULL, hammer_sysfs, &h));
	ASSERT_EQ(0, pthread_create(&netlink_thread, NULL, hammer_netlink,
				    &h));
	dq_sleep_ms(HAMMER_MS);
	atomic_store(&h.stop, true);
	pthread_join(sysfs_thread, NULL);
	pthread_join(netlink_thread, NULL);
	dq_log("netlink: %lu conflicting sysfs and netlink requests in %u ms, %lu unexpected errors",
	       h.ops, HAMMER_MS, h.unexpected);
	EXPECT_EQ(0ul, h.unexpected)
		TH_LOG("first: %s: %s", h.first_what, strerror(-h.first_err));

	/* One state, whichever way it is read. */
	EXPECT_EQ(0, views_agree(&self->nl, &self->fs, self->root_fd));
	EXPECT_EQ(0, views_agree(&self->nl, &ext4, ext4_fd));
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL,
			  -1));
	EXPECT_EQ((unsigned int)(dq_sb_tuned(self->fs.sid) +
				 dq_sb_tuned(ext4.sid)), reply.nr_msgs);
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_DEFAULT_MODE, mode, sizeof(mode)));
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_CONFIG, 0, -1, NULL, -1));
	ASSERT_TRUE(dq_genl_attr_u32(&reply, 0, DIOWQ_A_DEFAULT_MODE, &val));
	EXPECT_STREQ(mode, val == DIOWQ_MODE_UNBOUND ? "unbound" : "highpri");

	/* And the writes kept completing through all of it. */
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	ASSERT_EQ(0, dq_tf_verify(&tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&tf, &vr);
	dq_tf_destroy(&tf);
	close(ext4_fd);

	/* Everything can still be untuned, and the module unloads. */
	ASSERT_EQ(0, call(&self->nl, DIOWQ_CMD_GET_SB, NLM_F_DUMP, -1, NULL,
			  -1));
	{
		struct dq_genl_msg msg;

		dq_genl_msg_init(&self->nl, &msg, DIOWQ_CMD_UNTUNE, 0);
		dq_genl_put(&msg, DIOWQ_A_ALL, NULL, 0);
		ASSERT_EQ(0, dq_genl_call(&self->nl, &msg, &reply));
		EXPECT_EQ(0, reply.error);
	}
	EXPECT_FALSE(dq_sb_tuned(self->fs.sid));
	EXPECT_FALSE(dq_sb_tuned(ext4.sid));
}

DQ_TEST_MAIN
