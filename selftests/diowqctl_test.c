// SPDX-License-Identifier: GPL-2.0
/*
 * diowqctl_test: the real diowqctl against the real module, as a user
 * runs it: status as a table and as JSON (checked by a strict parser and
 * compared with sysfs), tune/untune/mode switches and unbound tunables,
 * all-or-nothing multi-path requests, auto-tuning, monitor events as JSON
 * lines, refusals for unprivileged users and without the module, usage
 * errors (exit 2) and wrong filesystems (exit 1) that change nothing, and
 * help texts that name every option.
 *
 * Malformed netlink requests are netlink_test's: diowqctl never sends them.
 */
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/ctl.h"
#include "lib/json.h"

/* An event must reach the monitor within this. */
#define EVENT_MS 5000
/* ... and nothing else may follow within this. */
#define QUIET_MS 500

/* A success says nothing on stderr. */
#define EXPECT_QUIET_STDERR() do {					\
	EXPECT_EQ(0, cmd.err.len) dq_cmd_log(&cmd);			\
} while (0)

/* cmd's stdout is one JSON document (and nothing was cut off). */
#define ASSERT_STDOUT_JSON() do {					\
	ASSERT_EQ(0, cmd.out.lost);					\
	ASSERT_TRUE(dq_json_valid(cmd.out.buf)) dq_cmd_log(&cmd);	\
} while (0)

/* The string at path of json is want. */
#define EXPECT_JSON_STR(json, path, want) do {				\
	char __dq_v[512];						\
	int __dq_e = dq_json_string(json, path, __dq_v, sizeof(__dq_v));\
	EXPECT_EQ(0, __dq_e)						\
		TH_LOG("%s: %s (it is %s)", path, strerror(-__dq_e),	\
		       dq_json_type_name(dq_json_type_at(json, path)));	\
	if (!__dq_e)							\
		EXPECT_STREQ(want, __dq_v) TH_LOG("at %s", path);	\
} while (0)

#define EXPECT_JSON_INT(json, path, want) do {				\
	long long __dq_v = 0;						\
	int __dq_e = dq_json_int(json, path, &__dq_v);			\
	EXPECT_EQ(0, __dq_e)						\
		TH_LOG("%s: %s (it is %s)", path, strerror(-__dq_e),	\
		       dq_json_type_name(dq_json_type_at(json, path)));	\
	if (!__dq_e)							\
		EXPECT_EQ(want, __dq_v) TH_LOG("at %s", path);		\
} while (0)

#define EXPECT_JSON_TYPE(json, path, type) do {				\
	enum dq_json_type __dq_t = dq_json_type_at(json, path);		\
	EXPECT_EQ(type, __dq_t)						\
		TH_LOG("%s is %s, not %s", path,			\
		       dq_json_type_name(__dq_t),			\
		       dq_json_type_name(type));			\
} while (0)

/* The state now is the state before. */
#define EXPECT_UNCHANGED(before) do {					\
	struct dq_snapshot __dq_after;					\
	ASSERT_EQ(0, dq_snapshot_take(&__dq_after));			\
	EXPECT_TRUE(dq_snapshot_equal(before, &__dq_after))		\
		dq_snapshot_log_diff(before, &__dq_after);		\
	dq_snapshot_free(&__dq_after);					\
} while (0)

static const char *path_of(char *buf, size_t size, const char *prefix,
			   const char *key)
{
	snprintf(buf, size, "%s%s%s", prefix, *prefix ? "." : "", key);
	return buf;
}

/* The keys of a SUPERBLOCK that mirror a file of DIOWQ_SYSFS_ROOT/<sid>/. */
enum { SB_FSTYPE, SB_SOURCE, SB_DEV, SB_MODE, SB_WORKQUEUE, SB_ORIGIN };
static const char *const sb_sysfs_keys[] = {
	[SB_FSTYPE] = DIOWQ_SB_ATTR_FSTYPE,
	[SB_SOURCE] = DIOWQ_SB_ATTR_SOURCE,
	[SB_DEV] = DIOWQ_SB_ATTR_DEV,
	[SB_MODE] = DIOWQ_SB_ATTR_MODE,
	[SB_WORKQUEUE] = DIOWQ_SB_ATTR_WORKQUEUE,
	[SB_ORIGIN] = DIOWQ_SB_ATTR_ORIGIN,
};

/*
 * The SUPERBLOCK object at prefix describes fs as sysfs does: every key
 * there with the value of its sysfs file, swaps and tuned_ms numbers, and
 * mountpoints [fs->mnt] in status output (events have no mountpoints).
 */
/* tuned_ms counts jiffies: allow a few, and a slow emulated guest. */
#define TUNED_MS_SLACK 100

/*
 * tuned_ms at path is the time since the tune: not negative, and no more
 * than the time since just before the test tuned (before_tune_ms).
 */
static void expect_tuned_ms(struct __test_metadata *_metadata,
			    const char *json, const char *path,
			    uint64_t before_tune_ms)
{
	long long tuned_ms = -1, elapsed;

	ASSERT_EQ(0, dq_json_int(json, path, &tuned_ms))
		TH_LOG("%s: no integer", path);
	elapsed = (long long)(dq_now_ms() - before_tune_ms);
	EXPECT_LE(0, tuned_ms);
	EXPECT_GE(elapsed + TUNED_MS_SLACK, tuned_ms)
		TH_LOG("%s is %lld, but the test tuned %lld ms ago", path,
		       tuned_ms, elapsed);
}

static void expect_sb_json(struct __test_metadata *_metadata,
			   const char *json, const char *prefix,
			   const struct dq_fs *fs, bool in_status,
			   uint64_t before_tune_ms)
{
	char path[128], want[256];
	long long swaps = -1;
	unsigned int i;

	EXPECT_JSON_TYPE(json, prefix, DQ_JSON_OBJECT);
	EXPECT_JSON_STR(json, path_of(path, sizeof(path), prefix, "id"),
			fs->sid);
	for (i = 0; i < ARRAY_SIZE(sb_sysfs_keys); i++) {
		ASSERT_EQ(0, dq_read_sb_attr(fs->sid, sb_sysfs_keys[i], want,
					     sizeof(want)));
		EXPECT_JSON_STR(json, path_of(path, sizeof(path), prefix,
					      sb_sysfs_keys[i]), want);
	}
	ASSERT_EQ(0, dq_read_sb_number(fs->sid, DIOWQ_SB_ATTR_SWAPS, &swaps));
	EXPECT_JSON_INT(json, path_of(path, sizeof(path), prefix, "swaps"),
			swaps);
	expect_tuned_ms(_metadata, json,
			path_of(path, sizeof(path), prefix, "tuned_ms"),
			before_tune_ms);
	path_of(path, sizeof(path), prefix, "mountpoints");
	if (!in_status) {
		EXPECT_JSON_TYPE(json, path, DQ_JSON_NONE);
		return;
	}
	EXPECT_EQ(1, dq_json_count(json, path));
	EXPECT_JSON_STR(json, path_of(path, sizeof(path), prefix,
				      "mountpoints.0"), fs->mnt);
}

/* The line of text that starts with "word ", or NULL. */
static const char *line_starting(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, word, n) && (line[n] == ' ' || !line[n]))
			return line;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/*
 * The table row of fs in a status table: its id first, then each field
 * in the order of the columns.
 */
static void expect_sb_row(struct __test_metadata *_metadata,
			  const char *table, const struct dq_fs *fs,
			  const char *mode, const char *origin)
{
	const char *row = line_starting(table, fs->sid), *p;
	char queue[80], dev[32], line[512];
	const char *fields[] = { fs->fstype, fs->dev, dev, mode, queue, origin };
	unsigned int i;

	ASSERT_NE(NULL, row) TH_LOG("no row for %s in:\n%s", fs->sid, table);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(row, "\n"), row);
	ASSERT_EQ(0, dq_read_sb_attr(fs->sid, DIOWQ_SB_ATTR_DEV, dev,
				     sizeof(dev)));
	ASSERT_EQ(0, dq_sb_queue(fs->sid, queue, sizeof(queue)));
	p = line + strlen(fs->sid);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *at = strstr(p, fields[i]);

		EXPECT_NE(NULL, at) TH_LOG("row '%s' lacks '%s' (in order)",
					   line, fields[i]);
		if (at)
			p = at + strlen(fields[i]);
	}
	/* MOUNTED ON is the last column. */
	EXPECT_NE(NULL, strstr(p, fs->mnt)) TH_LOG("row '%s' lacks '%s'",
						   line, fs->mnt);
}


/*
 * The machine every test of the tool starts from: diowq loaded with its
 * defaults, XFS on disk B and ext4 on disk C mounted, nothing tuned.
 */
FIXTURE(ctl) {
	struct dq_fs xfs, ext4;
	struct dq_bg monitor;
	uint64_t before_tune_ms;	/* dq_now_ms() just before a test tunes */
};

FIXTURE_SETUP(ctl)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->xfs, DQ_DISK_B, "xfs"));
	DQ_SETUP(dq_fs_reuse(&self->ext4, DQ_DISK_C, "ext4"));
	DQ_SETUP(dq_module_load(""));
	ASSERT_FALSE(dq_sb_tuned(self->xfs.sid));
	ASSERT_FALSE(dq_sb_tuned(self->ext4.sid));
}

FIXTURE_TEARDOWN(ctl)
{
	/* Stops the monitor of the tests that started one. */
	EXPECT_EQ(0, dq_machine_reset());
}

/* --- status */

TEST_F(ctl, status_without_tuned_fs_shows_settings_and_says_so)
{
	ASSERT_CTL(0, "status");
	EXPECT_QUIET_STDERR();
	EXPECT_STDOUT_HAS("module version");
	EXPECT_STDOUT_HAS(DIOWQ_VERSION);
	EXPECT_STDOUT_HAS("default mode");
	EXPECT_STDOUT_HAS(DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_STDOUT_HAS("no filesystem is tuned");
}

TEST_F(ctl, status_json_without_tuned_fs_has_config_and_empty_list)
{
	char want[256];
	long long rescan;

	ASSERT_CTL(0, "-j", "status");
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_TYPE(cmd.out.buf, "", DQ_JSON_OBJECT);
	EXPECT_EQ(2, dq_json_count(cmd.out.buf, ""));
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_VERSION, want, sizeof(want)));
	EXPECT_JSON_STR(cmd.out.buf, "config.module_version", want);
	EXPECT_EQ(2, dq_json_count(cmd.out.buf, "config.supported_fstypes"));
	EXPECT_JSON_STR(cmd.out.buf, "config.supported_fstypes.0", "xfs");
	EXPECT_JSON_STR(cmd.out.buf, "config.supported_fstypes.1", "ext4");
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_DEFAULT_MODE, want, sizeof(want)));
	EXPECT_JSON_STR(cmd.out.buf, "config.default_mode", want);
	EXPECT_JSON_TYPE(cmd.out.buf, "config.auto_fstypes", DQ_JSON_ARRAY);
	EXPECT_EQ(0, dq_json_count(cmd.out.buf, "config.auto_fstypes"));
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_AUTO_RESCAN_MS, want,
				  sizeof(want)));
	rescan = atoll(want);
	EXPECT_JSON_INT(cmd.out.buf, "config.auto_rescan_ms", rescan);
	EXPECT_JSON_TYPE(cmd.out.buf, "superblocks", DQ_JSON_ARRAY);
	EXPECT_EQ(0, dq_json_count(cmd.out.buf, "superblocks"));
}

/* Is text exactly one line (one "\n", at its end)? */
static bool one_line(const char *text)
{
	const char *nl = strchr(text, '\n');

	return nl && !nl[1];
}

TEST_F(ctl, pretty_json_is_indented_and_holds_the_same_values)
{
	char compact[DQ_CMD_OUT_MAX + 1];

	self->before_tune_ms = dq_now_ms();
	ASSERT_EQ(0, dq_tune(NULL, self->xfs.mnt));
	ASSERT_CTL(0, "-j", "status", self->xfs.mnt);
	ASSERT_STDOUT_JSON();
	EXPECT_TRUE(one_line(cmd.out.buf)) TH_LOG("%s", cmd.out.buf);
	strcpy(compact, cmd.out.buf);
	ASSERT_CTL(0, "-p", "status", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_FALSE(one_line(cmd.out.buf));
	EXPECT_NE(NULL, strstr(cmd.out.buf, "\n    \"superblock\": {"))
		TH_LOG("%s", cmd.out.buf);
	expect_sb_json(_metadata, compact, "superblock", &self->xfs, true,
		       self->before_tune_ms);
	expect_sb_json(_metadata, cmd.out.buf, "superblock", &self->xfs, true,
		       self->before_tune_ms);
}

TEST_F(ctl, tune_uses_the_default_mode_and_status_table_shows_it)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_EQ(0, cmd.out.len);
	ASSERT_TRUE(dq_sb_tuned(self->xfs.sid));
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_MANUAL_NAME);

	ASSERT_CTL(0, "status");
	EXPECT_QUIET_STDERR();
	EXPECT_STDOUT_HAS("MOUNTED ON");
	expect_sb_row(_metadata, cmd.out.buf, &self->xfs,
		      DIOWQ_MODE_HIGHPRI_NAME, DIOWQ_ORIGIN_MANUAL_NAME);
	EXPECT_EQ(NULL, line_starting(cmd.out.buf, self->ext4.sid));
}

TEST_F(ctl, status_json_matches_sysfs)
{
	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->ext4.mnt);
	ASSERT_CTL(0, "-j", "status");
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	ASSERT_EQ(2, dq_json_count(cmd.out.buf, "superblocks"));
	/* Sorted by id: disk B's before disk C's. */
	expect_sb_json(_metadata, cmd.out.buf, "superblocks.0", &self->xfs,
		       true, self->before_tune_ms);
	expect_sb_json(_metadata, cmd.out.buf, "superblocks.1", &self->ext4,
		       true, self->before_tune_ms);
	EXPECT_JSON_STR(cmd.out.buf, "superblocks.1.mode",
			DIOWQ_MODE_UNBOUND_NAME);
}

TEST_F(ctl, status_of_a_tuned_mount_shows_it_alone)
{
	bool tuned = false;

	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt, self->ext4.mnt);
	ASSERT_CTL(0, "status", self->xfs.mnt, "-j");
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_EQ(3, dq_json_count(cmd.out.buf, ""));
	EXPECT_JSON_STR(cmd.out.buf, "path", self->xfs.mnt);
	EXPECT_EQ(0, dq_json_bool(cmd.out.buf, "tuned", &tuned));
	EXPECT_TRUE(tuned);
	expect_sb_json(_metadata, cmd.out.buf, "superblock", &self->xfs, true,
		       self->before_tune_ms);

	ASSERT_CTL(0, "status", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	expect_sb_row(_metadata, cmd.out.buf, &self->xfs,
		      DIOWQ_MODE_HIGHPRI_NAME, DIOWQ_ORIGIN_MANUAL_NAME);
	EXPECT_EQ(NULL, line_starting(cmd.out.buf, self->ext4.sid));
}

TEST_F(ctl, status_of_an_untuned_mount_says_not_tuned)
{
	bool tuned = true;

	ASSERT_CTL(0, "-j", "status", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_STR(cmd.out.buf, "path", self->xfs.mnt);
	EXPECT_EQ(0, dq_json_bool(cmd.out.buf, "tuned", &tuned));
	EXPECT_FALSE(tuned);
	EXPECT_JSON_TYPE(cmd.out.buf, "superblock", DQ_JSON_NULL);

	ASSERT_CTL(0, "status", self->xfs.mnt);
	EXPECT_STDOUT_HAS("not tuned");
}

/*
 * A mount point is bytes: spaces, quotes, backslashes, tabs and newlines
 * must come out of -j as valid JSON strings that decode to the same path.
 */
TEST_F(ctl, status_json_keeps_odd_mount_point_names)
{
	const char *odd = DQ_MNT_BASE "/a b\"c\\d\te\nf";
	char path[64], got[PATH_MAX];
	int i, n;

	ASSERT_EQ(0, dq_mkdir_p(odd));
	ASSERT_EQ(0, mount(self->xfs.mnt, odd, NULL, MS_BIND, NULL))
		TH_LOG("bind mount: %s", strerror(errno));
	ASSERT_CTL(0, "tune", odd);
	EXPECT_TRUE(dq_sb_tuned(self->xfs.sid));
	ASSERT_CTL(0, "-j", "status", odd);
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_STR(cmd.out.buf, "path", odd);
	n = dq_json_count(cmd.out.buf, "superblock.mountpoints");
	EXPECT_EQ(2, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "superblock.mountpoints.%d", i);
		ASSERT_EQ(0, dq_json_string(cmd.out.buf, path, got,
					    sizeof(got)));
		if (!strcmp(got, odd))
			break;
	}
	EXPECT_LT(i, n) TH_LOG("'%s' is not among the mountpoints: %s", odd,
			       cmd.out.buf);
}

/* --- tune, untune */

TEST_F(ctl, untune_gives_the_kernel_queue_back)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_TRUE(dq_sb_tuned(self->xfs.sid));
	ASSERT_CTL(0, "untune", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_EQ(0, cmd.out.len);
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
	ASSERT_CTL(0, "-j", "status");
	ASSERT_STDOUT_JSON();
	EXPECT_EQ(0, dq_json_count(cmd.out.buf, "superblocks"));
}

TEST_F(ctl, tune_unbound_sets_the_queue_nice_and_cpumask)
{
	char queue[80], path[PATH_MAX], val[256];
	unsigned long long cpumask = 0;

	ASSERT_CTL(0, "tune", self->xfs.mnt, "--mode", "unbound", "--nice",
		   "-5", "--cpus", "0");
	EXPECT_QUIET_STDERR();
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_UNBOUND_NAME);
	ASSERT_EQ(0, dq_sb_queue(self->xfs.sid, queue, sizeof(queue)));
	dq_wq_path(path, sizeof(path), queue, "nice");
	ASSERT_EQ(0, dq_read_value(path, val, sizeof(val)));
	EXPECT_STREQ("-5", val);
	dq_wq_path(path, sizeof(path), queue, "cpumask");
	ASSERT_EQ(0, dq_read_cpumask(path, &cpumask));
	/* --cpus 0: CPU 0 alone. */
	EXPECT_EQ(1ull, cpumask);
}

TEST_F(ctl, tune_with_another_mode_switches_it)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_SWAPS, "2");
	ASSERT_CTL(0, "tune", "-m", "highpri", self->xfs.mnt);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_SWAPS, "3");
}

TEST_F(ctl, tune_in_the_same_mode_changes_nothing)
{
	struct dq_snapshot before;

	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	ASSERT_EQ(0, dq_snapshot_take(&before));
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, untune_all_untunes_every_fs)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->ext4.mnt);
	ASSERT_CTL(0, "untune", "--all");
	EXPECT_QUIET_STDERR();
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));
}

/* --- several paths: all or nothing */

TEST_F(ctl, tune_two_mounts_tunes_both)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt, self->ext4.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_TRUE(dq_sb_tuned(self->xfs.sid));
	EXPECT_TRUE(dq_sb_tuned(self->ext4.sid));
}

TEST_F(ctl, untune_two_mounts_untunes_both)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt, self->ext4.mnt);
	ASSERT_CTL(0, "untune", self->xfs.mnt, self->ext4.mnt);
	EXPECT_QUIET_STDERR();
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));
}

TEST_F(ctl, tune_with_a_tmpfs_among_the_paths_tunes_none)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "tune", self->xfs.mnt, "/tmp");
	EXPECT_STDERR_HAS("/tmp");
	EXPECT_STDERR_HAS("not supported");
	EXPECT_STDERR_HAS("nothing was changed");
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, tune_with_a_plain_directory_among_the_paths_tunes_none)
{
	struct dq_snapshot before;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/not-a-mount", self->xfs.mnt);
	ASSERT_EQ(0, dq_mkdir_p(dir));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "tune", self->ext4.mnt, self->xfs.mnt, dir);
	EXPECT_STDERR_HAS(dir);
	EXPECT_STDERR_HAS("not a mount point");
	EXPECT_STDERR_HAS("nothing was changed");
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
	EXPECT_FALSE(dq_sb_tuned(self->ext4.sid));
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, untune_with_an_untuned_mount_among_the_paths_untunes_none)
{
	struct dq_snapshot before;

	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "untune", self->xfs.mnt, self->ext4.mnt);
	EXPECT_STDERR_HAS(self->ext4.mnt);
	EXPECT_STDERR_HAS("not tuned");
	EXPECT_STDERR_HAS("nothing was changed");
	EXPECT_TRUE(dq_sb_tuned(self->xfs.sid));
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

/* --- paths that are not a tunable filesystem's mount point */

TEST_F(ctl, tune_tmpfs_is_refused_as_not_supported)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "tune", "/tmp");
	EXPECT_STDERR_HAS("tmpfs is not supported");
	EXPECT_EQ(0, cmd.out.len);
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, tune_directory_below_a_mount_point_is_refused)
{
	struct dq_snapshot before;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/subdir", self->xfs.mnt);
	ASSERT_EQ(0, dq_mkdir_p(dir));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "tune", dir);
	EXPECT_STDERR_HAS("not a mount point");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, tune_nonexistent_path_is_refused)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "tune", DQ_MNT_BASE "/no-such-dir");
	EXPECT_STDERR_HAS(DQ_MNT_BASE "/no-such-dir");
	EXPECT_STDERR_HAS("no such file or directory");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

TEST_F(ctl, untune_untuned_mount_is_refused)
{
	EXPECT_CTL(1, "untune", self->xfs.mnt);
	EXPECT_STDERR_HAS("not tuned");
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));
}

TEST_F(ctl, tune_on_a_cpu_that_does_not_exist_is_refused)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	/* The VM has 2 CPUs; CPU 63 is not even possible. */
	EXPECT_CTL(1, "tune", "--mode", "unbound", "--cpus", "63",
		   self->xfs.mnt);
	EXPECT_STDERR_HAS("63");
	EXPECT_STDERR_HAS("not exist");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

/* --- auto */

TEST_F_TIMEOUT(ctl, auto_fstypes_tunes_mounted_and_new_mounts_of_that_type, 60)
{
	int ms;

	ASSERT_CTL(0, "auto", "--fstypes", "ext4");
	EXPECT_QUIET_STDERR();
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "ext4");
	/* The mounted one at once. */
	EXPECT_TRUE(dq_sb_tuned(self->ext4.sid));
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_AUTO_NAME);
	EXPECT_FALSE(dq_sb_tuned(self->xfs.sid));

	/* A new superblock by the rescan. */
	ASSERT_EQ(0, dq_umount(&self->ext4, 0));
	ASSERT_LE(0, dq_wait_sb_tuned(self->ext4.sid, false, 1000));
	ASSERT_EQ(0, dq_mount(&self->ext4));
	ms = dq_wait_sb_tuned(self->ext4.sid, true, DQ_AUTO_TUNE_MS);
	ASSERT_LE(0, ms) TH_LOG("new ext4 mount not tuned within %u ms",
				DQ_AUTO_TUNE_MS);
	EXPECT_SB_ATTR(self->ext4.sid, DIOWQ_SB_ATTR_ORIGIN,
		       DIOWQ_ORIGIN_AUTO_NAME);
	ASSERT_CTL(0, "-j", "status", self->ext4.mnt);
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_STR(cmd.out.buf, "superblock.origin",
			DIOWQ_ORIGIN_AUTO_NAME);
}

TEST_F(ctl, auto_json_shows_the_settings)
{
	char want[64];

	ASSERT_CTL(0, "auto", "--fstypes", "xfs,ext4", "--default-mode",
		   "unbound");
	ASSERT_CTL(0, "auto", "-j");
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_EQ(5, dq_json_count(cmd.out.buf, ""));
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_VERSION, want, sizeof(want)));
	EXPECT_JSON_STR(cmd.out.buf, "module_version", want);
	EXPECT_EQ(2, dq_json_count(cmd.out.buf, "supported_fstypes"));
	EXPECT_JSON_STR(cmd.out.buf, "default_mode", DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_EQ(2, dq_json_count(cmd.out.buf, "auto_fstypes"));
	EXPECT_JSON_STR(cmd.out.buf, "auto_fstypes.0", "xfs");
	EXPECT_JSON_STR(cmd.out.buf, "auto_fstypes.1", "ext4");
	EXPECT_JSON_TYPE(cmd.out.buf, "auto_rescan_ms", DQ_JSON_NUMBER);

	ASSERT_CTL(0, "auto");
	EXPECT_STDOUT_HAS("auto fstypes");
	EXPECT_STDOUT_HAS("xfs,ext4");
	EXPECT_STDOUT_HAS(DIOWQ_MODE_UNBOUND_NAME);
}

TEST_F(ctl, auto_empty_fstypes_clears_the_list)
{
	ASSERT_CTL(0, "auto", "--fstypes", "ext4");
	ASSERT_TRUE(dq_sb_tuned(self->ext4.sid));
	ASSERT_CTL(0, "auto", "--fstypes", "");
	EXPECT_QUIET_STDERR();
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
	/* What auto-tuning tuned stays tuned. */
	EXPECT_TRUE(dq_sb_tuned(self->ext4.sid));
	ASSERT_CTL(0, "-j", "auto");
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_TYPE(cmd.out.buf, "auto_fstypes", DQ_JSON_ARRAY);
	EXPECT_EQ(0, dq_json_count(cmd.out.buf, "auto_fstypes"));
}

TEST_F(ctl, auto_default_mode_is_used_by_tune_without_mode)
{
	ASSERT_CTL(0, "auto", "--default-mode", "unbound");
	EXPECT_QUIET_STDERR();
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	EXPECT_SB_ATTR(self->xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_UNBOUND_NAME);
}

TEST_F(ctl, auto_unsupported_fstype_is_refused)
{
	struct dq_snapshot before;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_CTL(1, "auto", "--fstypes", "ext4,vfat", "--default-mode",
		   "unbound");
	EXPECT_STDERR_HAS("vfat");
	EXPECT_STDERR_HAS("not supported");
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

/* --- version */

TEST_F(ctl, version_shows_tool_module_and_family_versions)
{
	char want[64];

	ASSERT_CTL(0, "version");
	EXPECT_QUIET_STDERR();
	EXPECT_STDOUT_HAS(DIOWQ_VERSION);
	ASSERT_CTL(0, "-j", "version");
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_STR(cmd.out.buf, "tool_version", DIOWQ_VERSION);
	ASSERT_EQ(0, dq_read_attr(DIOWQ_ATTR_VERSION, want, sizeof(want)));
	EXPECT_JSON_STR(cmd.out.buf, "module_version", want);
	EXPECT_JSON_INT(cmd.out.buf, "family_version", DIOWQ_GENL_VERSION);
	EXPECT_JSON_INT(cmd.out.buf, "expected_family_version",
			DIOWQ_GENL_VERSION);
}

/* --- monitor */

/* Is fd of pid a socket? */
static bool is_socket_fd(pid_t pid, long fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%ld", pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strncmp(target, "socket:", 7);
}

/* Has pid a socket with a lower number than fd? */
static bool has_socket_below(pid_t pid, long fd)
{
	long i;

	for (i = 0; i < fd; i++) {
		if (is_socket_fd(pid, i))
			return true;
	}
	return false;
}

/*
 * diowqctl monitor asks for the family on one netlink socket, then opens
 * a second one, joins the events group on it and sleeps in recv() on it.
 * Events sent before it joined are not for it: wait until /proc says it
 * sleeps in a receive on a socket that is not its first.
 */
static int wait_listening(pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (;;) {
		long nr, fd;
		int len = dq_read_file(path, buf, sizeof(buf));

		if (len == -ENOENT)
			return -ESRCH;
		if (len > 0 && sscanf(buf, "%ld 0x%lx", &nr, &fd) == 2 &&
		    (nr == SYS_recvfrom || nr == SYS_recvmsg) &&
		    is_socket_fd(pid, fd) && has_socket_below(pid, fd))
			return 0;
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(20);
	}
}

/* Start diowqctl [-j] monitor as who, and wait until it listens. */
static void start_monitor(struct __test_metadata *_metadata,
			  struct dq_bg *bg, enum dq_cmd_as as, bool json)
{
	static const char *const with_json[] = { CTL, "-j", "monitor", NULL };
	static const char *const plain[] = { CTL, "monitor", NULL };
	struct dq_cmd_opts opts = { .as = as };
	int err;

	ASSERT_EQ(0, dq_bg_start(bg, &opts, json ? with_json : plain));
	err = wait_listening(bg->pid, EVENT_MS);
	if (err) {
		dq_bg_stop(bg);
		TH_LOG("'%s' is not listening: %s; exit %d, stderr: %s",
		       bg->line, strerror(-err), bg->status, bg->err.buf);
	}
	ASSERT_EQ(0, err);
}

/* What an event must say about a superblock: sysfs before or after it. */
struct sb_view {
	char sid[64];
	char attrs[ARRAY_SIZE(sb_sysfs_keys)][256];
	long long swaps;
};

static void read_sb_view(struct __test_metadata *_metadata, const char *sid,
			 struct sb_view *v)
{
	unsigned int i;

	snprintf(v->sid, sizeof(v->sid), "%s", sid);
	for (i = 0; i < ARRAY_SIZE(sb_sysfs_keys); i++)
		ASSERT_EQ(0, dq_read_sb_attr(sid, sb_sysfs_keys[i],
					     v->attrs[i], sizeof(v->attrs[i])));
	ASSERT_EQ(0, dq_read_sb_number(sid, DIOWQ_SB_ATTR_SWAPS, &v->swaps));
}

/*
 * The monitor's next line, within EVENT_MS: one JSON object with event
 * and every key of a superblock but mountpoints, as in want.
 */
static void expect_json_event(struct __test_metadata *_metadata,
			      struct dq_bg *bg, const char *event,
			      const struct sb_view *want,
			      uint64_t before_tune_ms)
{
	char line[4096];
	unsigned int i;
	int err;

	err = dq_bg_read_line(bg, line, sizeof(line), EVENT_MS);
	ASSERT_EQ(0, err) TH_LOG("no '%s' event within %d ms: %s; stderr: %s",
				 event, EVENT_MS, strerror(-err), bg->err.buf);
	TH_LOG("event: %s", line);
	ASSERT_TRUE(dq_json_valid(line));
	EXPECT_JSON_TYPE(line, "", DQ_JSON_OBJECT);
	EXPECT_JSON_STR(line, "event", event);
	EXPECT_JSON_STR(line, "id", want->sid);
	for (i = 0; i < ARRAY_SIZE(sb_sysfs_keys); i++)
		EXPECT_JSON_STR(line, sb_sysfs_keys[i], want->attrs[i]);
	EXPECT_JSON_INT(line, "swaps", want->swaps);
	expect_tuned_ms(_metadata, line, "tuned_ms", before_tune_ms);
	/* event, id, the six above, swaps, tuned_ms; no mountpoints */
	EXPECT_EQ(10, dq_json_count(line, ""));
}

/* Nothing more within QUIET_MS, and nothing on stderr. */
static void expect_no_more_events(struct __test_metadata *_metadata,
				  struct dq_bg *bg)
{
	char line[4096];
	int err = dq_bg_read_line(bg, line, sizeof(line), QUIET_MS);

	EXPECT_EQ(-ETIMEDOUT, err) TH_LOG("unexpected: %s", line);
	EXPECT_TRUE(dq_bg_running(bg));
	dq_bg_stop(bg);
	EXPECT_STREQ("", bg->err.buf);
}

TEST_F(ctl, monitor_json_reports_a_tune)
{
	struct sb_view v;

	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	expect_json_event(_metadata, &self->monitor, "tuned", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

TEST_F(ctl, monitor_json_reports_a_mode_switch)
{
	struct sb_view v;

	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	EXPECT_STREQ(DIOWQ_MODE_UNBOUND_NAME, v.attrs[SB_MODE]);
	expect_json_event(_metadata, &self->monitor, "mode_changed", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

TEST_F(ctl, monitor_json_reports_an_untune)
{
	struct sb_view v;

	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	ASSERT_CTL(0, "untune", self->xfs.mnt);
	expect_json_event(_metadata, &self->monitor, "untuned", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

TEST_F(ctl, monitor_json_reports_an_unmount)
{
	struct sb_view v;

	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	ASSERT_EQ(0, dq_umount(&self->xfs, 0));
	expect_json_event(_metadata, &self->monitor, "unmounted", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

TEST_F(ctl, monitor_json_reports_an_auto_tune)
{
	struct sb_view v;

	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "auto", "--fstypes", "ext4");
	read_sb_view(_metadata, self->ext4.sid, &v);
	EXPECT_STREQ(DIOWQ_ORIGIN_AUTO_NAME, v.attrs[SB_ORIGIN]);
	expect_json_event(_metadata, &self->monitor, "auto_tuned", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

/* rmmod: the untune events, then the monitor ends (exit 1) and says why. */
TEST_F(ctl, monitor_ends_when_the_module_is_unloaded)
{
	char line[4096];
	struct sb_view v;
	int status;

	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	start_monitor(_metadata, &self->monitor, DQ_AS_US, true);
	ASSERT_EQ(0, dq_module_unload());
	expect_json_event(_metadata, &self->monitor, "untuned", &v,
			  self->before_tune_ms);
	EXPECT_EQ(-EPIPE, dq_bg_read_line(&self->monitor, line, sizeof(line),
					  EVENT_MS))
		TH_LOG("the monitor went on after rmmod: \"%s\"", line);
	status = dq_bg_stop(&self->monitor);
	EXPECT_EQ(1, status);
	EXPECT_TRUE(dq_contains(self->monitor.err.buf, "unloaded"))
		TH_LOG("stderr: %s", self->monitor.err.buf);
}

TEST_F(ctl, monitor_text_reports_an_event_per_line)
{
	char line[4096], want[512], queue[80], dev[32];
	int err;

	start_monitor(_metadata, &self->monitor, DQ_AS_US, false);
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	ASSERT_EQ(0, dq_sb_queue(self->xfs.sid, queue, sizeof(queue)));
	ASSERT_EQ(0, dq_read_sb_attr(self->xfs.sid, DIOWQ_SB_ATTR_DEV, dev,
				     sizeof(dev)));
	snprintf(want, sizeof(want),
		 "tuned %s fstype xfs source %s dev %s mode highpri workqueue %s origin manual",
		 self->xfs.sid, self->xfs.dev, dev, queue);
	err = dq_bg_read_line(&self->monitor, line, sizeof(line), EVENT_MS);
	ASSERT_EQ(0, err) TH_LOG("no event: %s", strerror(-err));
	EXPECT_STREQ(want, line);
	expect_no_more_events(_metadata, &self->monitor);
}

/* --- users without the right to change anything */

TEST_F(ctl, unprivileged_status_works)
{
	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	EXPECT_EQ(0, CTL_AS(DQ_AS_NOBODY, "-j", "status")) dq_cmd_log(&cmd);
	EXPECT_QUIET_STDERR();
	ASSERT_STDOUT_JSON();
	EXPECT_EQ(1, dq_json_count(cmd.out.buf, "superblocks"));
	expect_sb_json(_metadata, cmd.out.buf, "superblocks.0", &self->xfs,
		       true, self->before_tune_ms);
	EXPECT_EQ(0, CTL_AS(DQ_AS_NOBODY, "status", self->xfs.mnt))
		dq_cmd_log(&cmd);
	EXPECT_EQ(0, CTL_AS(DQ_AS_NOBODY, "auto")) dq_cmd_log(&cmd);
}

/* As nobody, diowqctl args... fails and says why; nothing changes. */
#define EXPECT_REFUSED_AS(as, ...) do {					\
	struct dq_snapshot __dq_before;					\
	ASSERT_EQ(0, dq_snapshot_take(&__dq_before));			\
	EXPECT_EQ(1, CTL_AS(as, __VA_ARGS__)) dq_cmd_log(&cmd);		\
	EXPECT_STDERR_HAS("CAP_SYS_ADMIN");				\
	EXPECT_STDERR_HAS("root");					\
	EXPECT_UNCHANGED(&__dq_before);					\
	dq_snapshot_free(&__dq_before);					\
} while (0)

TEST_F(ctl, unprivileged_tune_is_refused)
{
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "tune", self->xfs.mnt);
	/*
	 * genetlink refuses nobody (CAP_NET_ADMIN) before the module sees the
	 * request, without a message: the tool names both capabilities.
	 */
	EXPECT_STDERR_HAS("CAP_NET_ADMIN and CAP_SYS_ADMIN");
}

TEST_F(ctl, unprivileged_mode_switch_with_tunables_is_refused)
{
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "tune", "--mode", "unbound", "--nice",
			  "5", self->xfs.mnt);
}

TEST_F(ctl, unprivileged_untune_is_refused)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "untune", self->xfs.mnt);
}

TEST_F(ctl, unprivileged_untune_all_is_refused)
{
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "untune", "--all");
}

TEST_F(ctl, unprivileged_auto_fstypes_is_refused)
{
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "auto", "--fstypes", "xfs");
}

TEST_F(ctl, unprivileged_auto_default_mode_is_refused)
{
	EXPECT_REFUSED_AS(DQ_AS_NOBODY, "auto", "--default-mode", "unbound");
}

TEST_F(ctl, unprivileged_monitor_gets_events)
{
	struct sb_view v;

	start_monitor(_metadata, &self->monitor, DQ_AS_NOBODY, true);
	self->before_tune_ms = dq_now_ms();
	ASSERT_CTL(0, "tune", self->xfs.mnt);
	read_sb_view(_metadata, self->xfs.sid, &v);
	expect_json_event(_metadata, &self->monitor, "tuned", &v,
			  self->before_tune_ms);
	expect_no_more_events(_metadata, &self->monitor);
}

/*
 * Root without CAP_SYS_ADMIN passes genetlink's CAP_NET_ADMIN check and
 * meets the module's own, whose extack message the tool must quote.
 */
TEST_F(ctl, tune_without_cap_sys_admin_quotes_the_kernel)
{
	EXPECT_REFUSED_AS(DQ_AS_ROOT_WITHOUT_SYS_ADMIN, "tune", self->xfs.mnt);
	EXPECT_STDERR_HAS("kernel: changing diowq needs CAP_SYS_ADMIN");
	/* The message docs/usage.md quotes. */
	dq_cmd_log(&cmd);
}

/* --- usage errors */

/* One wrong command line; "@XFS" stands for the XFS mount point. */
struct bad_usage {
	const char *argv[10];
	const char *says;	/* part of the message on stderr */
};

static const struct bad_usage bad_usages[] = {
	{ { NULL }, "a command is required" },
	{ { "frobnicate" }, "unknown command 'frobnicate'" },
	{ { "--frobnicate", "status" }, "frobnicate" },
	{ { "status", "--frobnicate" }, "frobnicate" },
	{ { "status", "@XFS", "/tmp" }, "/tmp" },
	{ { "tune" }, "PATH" },
	{ { "tune", "@XFS", "--mode", "bogus" }, "unknown mode 'bogus'" },
	{ { "tune", "@XFS", "--mode" }, "--mode" },
	{ { "tune", "@XFS", "--mode", "unbound", "--nice", "99" }, "99" },
	{ { "tune", "@XFS", "--mode", "unbound", "--nice", "-21" }, "-21" },
	{ { "tune", "@XFS", "--mode", "unbound", "--nice", "x" }, "--nice" },
	{ { "tune", "@XFS", "--mode", "unbound", "--cpus", "0-" }, "0-" },
	{ { "tune", "@XFS", "--mode", "unbound", "--cpus", "1-0" }, "1-0" },
	{ { "tune", "@XFS", "--mode", "unbound", "--cpus", "" }, "--cpus" },
	{ { "tune", "@XFS", "--nice", "-5" }, "--mode unbound" },
	{ { "tune", "@XFS", "--cpus", "0" }, "--mode unbound" },
	{ { "tune", "@XFS", "--mode", "highpri", "--nice", "-5" },
	  "--mode unbound" },
	{ { "untune" }, "--all" },
	{ { "untune", "@XFS", "--all" }, "--all" },
	{ { "auto", "--fstypes", "xfs,,ext4" }, "xfs,,ext4" },
	{ { "auto", "--fstypes", "xfs,xfs" }, "twice" },
	{ { "auto", "--default-mode", "bogus" }, "unknown mode 'bogus'" },
	{ { "monitor", "extra" }, "extra" },
	{ { "version", "extra" }, "extra" },
};

TEST_F(ctl, bad_usage_exits_2_with_a_message_and_changes_nothing)
{
	struct dq_snapshot before;
	unsigned int i, j;

	/* Something tuned, so that "nothing changed" covers an entry. */
	ASSERT_CTL(0, "tune", "--mode", "unbound", self->xfs.mnt);
	ASSERT_EQ(0, dq_snapshot_take(&before));
	for (i = 0; i < ARRAY_SIZE(bad_usages); i++) {
		const char *argv[ARRAY_SIZE(bad_usages[i].argv) + 1] = { NULL };

		for (j = 0; bad_usages[i].argv[j]; j++)
			argv[j + 1] = strcmp(bad_usages[i].argv[j], "@XFS") ?
				      bad_usages[i].argv[j] : self->xfs.mnt;
		CTL_ARGV(DQ_AS_US, argv);
		EXPECT_EQ(2, cmd.status) dq_cmd_log(&cmd);
		EXPECT_EQ(0, cmd.out.len) dq_cmd_log(&cmd);
		EXPECT_STDERR_HAS(bad_usages[i].says);
		EXPECT_STDERR_HAS("--help");
	}
	EXPECT_UNCHANGED(&before);
	dq_snapshot_free(&before);
}

/* --- without the module */

FIXTURE(no_module) {
	struct dq_fs xfs;
};

FIXTURE_SETUP(no_module)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->xfs, DQ_DISK_B, "xfs"));
	ASSERT_FALSE(dq_module_loaded());
}

FIXTURE_TEARDOWN(no_module)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(no_module, every_command_fails_and_says_how_to_load_it)
{
	const char *const commands[][7] = {
		{ "status" },
		{ "-j", "status" },
		{ "status", "@XFS" },
		{ "tune", "@XFS" },
		{ "tune", "--mode", "unbound", "--nice", "-5", "@XFS" },
		{ "untune", "@XFS" },
		{ "untune", "--all" },
		{ "auto" },
		{ "auto", "--fstypes", "xfs" },
		{ "monitor" },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *argv[ARRAY_SIZE(commands[i]) + 2] = { NULL };

		for (j = 0; j < ARRAY_SIZE(commands[i]) && commands[i][j]; j++)
			argv[j + 1] = strcmp(commands[i][j], "@XFS") ?
				      commands[i][j] : self->xfs.mnt;
		CTL_ARGV(DQ_AS_US, argv);
		EXPECT_EQ(1, cmd.status) dq_cmd_log(&cmd);
		EXPECT_EQ(0, cmd.out.len) dq_cmd_log(&cmd);
		EXPECT_STDERR_HAS("not loaded");
		EXPECT_STDERR_HAS("modprobe diowq");
		EXPECT_STDERR_HAS("insmod");
	}
	EXPECT_FALSE(dq_module_loaded());
}

TEST_F(no_module, version_prints_the_tool_version_and_fails)
{
	EXPECT_CTL(1, "version");
	EXPECT_STDOUT_HAS(DIOWQ_VERSION);
	EXPECT_STDOUT_HAS("not loaded");
	EXPECT_STDERR_HAS("modprobe diowq");

	EXPECT_CTL(1, "-j", "version");
	ASSERT_STDOUT_JSON();
	EXPECT_JSON_STR(cmd.out.buf, "tool_version", DIOWQ_VERSION);
	EXPECT_JSON_TYPE(cmd.out.buf, "module_version", DQ_JSON_NULL);
	EXPECT_JSON_TYPE(cmd.out.buf, "family_version", DQ_JSON_NULL);
	EXPECT_JSON_INT(cmd.out.buf, "expected_family_version",
			DIOWQ_GENL_VERSION);
}

/* --- help: no module, no disk needed */

FIXTURE(help) {
	int unused;
};

/* A subcommand, and what its help must mention: every option. */
FIXTURE_VARIANT(help) {
	const char *cmd;
	const char *says[10];
};

FIXTURE_VARIANT_ADD(help, diowqctl) {
	.cmd = NULL,
	.says = { "status", "tune", "untune", "auto", "monitor", "version",
		  "--json", "--pretty", "--version", "Exit codes" },
};

FIXTURE_VARIANT_ADD(help, status) {
	.cmd = "status",
	.says = { "PATH", "-j" },
};

FIXTURE_VARIANT_ADD(help, tune) {
	.cmd = "tune",
	.says = { "PATH", "--mode", "highpri", "unbound", "--nice", "--cpus" },
};

FIXTURE_VARIANT_ADD(help, untune) {
	.cmd = "untune",
	.says = { "PATH", "--all" },
};

FIXTURE_VARIANT_ADD(help, auto) {
	.cmd = "auto",
	.says = { "--fstypes", "--default-mode", "highpri", "unbound", "-j" },
};

FIXTURE_VARIANT_ADD(help, monitor) {
	.cmd = "monitor",
	.says = { "tuned", "auto_tuned", "mode_changed", "untuned",
		  "unmounted", "-j" },
};

FIXTURE_VARIANT_ADD(help, version) {
	.cmd = "version",
	.says = { "-j" },
};

FIXTURE_SETUP(help)
{
}

FIXTURE_TEARDOWN(help)
{
}

TEST_F(help, names_every_option)
{
	const char *argv[4] = { NULL, variant->cmd, "--help", NULL };
	unsigned int i;

	if (!variant->cmd) {
		argv[1] = "--help";
		argv[2] = NULL;
	}
	CTL_ARGV(DQ_AS_US, argv);
	EXPECT_EQ(0, cmd.status) dq_cmd_log(&cmd);
	EXPECT_QUIET_STDERR();
	EXPECT_STDOUT_HAS("Usage: diowqctl");
	EXPECT_STDOUT_HAS("Examples:");
	for (i = 0; i < ARRAY_SIZE(variant->says) && variant->says[i]; i++)
		EXPECT_STDOUT_HAS(variant->says[i]);
}

TEST(version_flag_prints_the_tool_version)
{
	EXPECT_EQ(0, CTL_RUN("--version")) dq_cmd_log(&cmd);
	EXPECT_STREQ(DIOWQ_VERSION "\n", cmd.out.buf);
	EXPECT_EQ(0, cmd.err.len);
}

/* --- the instrument: a JSON checker that accepts anything proves nothing */

TEST(json_checker_accepts_json_and_refuses_the_rest)
{
	static const char *const good[] = {
		"{}", " [ ] \n", "0", "-0.5e+10", "\"\\u00e9\\ud83d\\ude00\"",
		"{\"a\":[1,true,false,null,{\"b\":\"\\\"\"}]}", "\"\xc3\xa9\"",
	};
	static const char *const bad[] = {
		"", "{", "{}}", "{} {}", "[1,]", "{\"a\":1,}", "{\"a\" 1}",
		"{a:1}", "'a'", "01", "1.", ".5", "-", "+1", "1e", "tru",
		"nul", "\"a", "\"\t\"", "\"\\x\"", "\"\\u12\"", "\"\\udc00\"",
		"\"\\ud800\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
		"{\"a\":1,\"a\":2}", "[1 2]", "NaN", "/* */ 1",
	};
	const char *doc = "{\"config\":{\"modes\":[\"highpri\",\"unbound\"],"
			  "\"n\":-12,\"t\":true},\"list\":[],\"s\":\"a\\nb\"}";
	char s[16];
	long long n;
	bool t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const char *text = good[i];

		EXPECT_EQ(0, dq_json_check(text, strlen(text), NULL))
			dq_log("refused good '%s'", text);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *text = bad[i];

		EXPECT_EQ(-EINVAL, dq_json_check(text, strlen(text), NULL))
			dq_log("accepted bad '%s'", text);
	}

	EXPECT_EQ(0, dq_json_string(doc, "config.modes.1", s, sizeof(s)));
	EXPECT_STREQ("unbound", s);
	EXPECT_EQ(0, dq_json_string(doc, "s", s, sizeof(s)));
	EXPECT_STREQ("a\nb", s);
	EXPECT_EQ(0, dq_json_string("\"\\u00e9\\ud83d\\ude00\\/\"", "", s,
				    sizeof(s)));
	EXPECT_STREQ("\xc3\xa9\xf0\x9f\x98\x80/", s);
	EXPECT_EQ(0, dq_json_int(doc, "config.n", &n));
	EXPECT_EQ(-12, n);
	EXPECT_EQ(0, dq_json_bool(doc, "config.t", &t));
	EXPECT_TRUE(t);
	EXPECT_EQ(2, dq_json_count(doc, "config.modes"));
	EXPECT_EQ(0, dq_json_count(doc, "list"));
	EXPECT_EQ(3, dq_json_count(doc, ""));
	EXPECT_EQ(-ENOENT, dq_json_string(doc, "config.modes.2", s, sizeof(s)));
	EXPECT_EQ(-ENOENT, dq_json_string(doc, "missing", s, sizeof(s)));
	EXPECT_EQ(-EINVAL, dq_json_string(doc, "config.n", s, sizeof(s)));
	EXPECT_EQ(-EINVAL, dq_json_int(doc, "s", &n));
	EXPECT_EQ(DQ_JSON_OBJECT, dq_json_type_at(doc, "config"));
	EXPECT_EQ(DQ_JSON_NONE, dq_json_type_at(doc, "config.x"));
}

DQ_CTL_TEST_MAIN
