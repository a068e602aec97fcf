// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_test: every writable diowq file refuses malformed input with
 * the errno the interface documents, and a refused write changes nothing
 * (a snapshot of everything diowq shows in sysfs is taken before and after
 * each write). Each file also gets a positive control: the same kind of
 * write, well formed and newline-terminated as echo sends it, works.
 *
 * The state the refusals must not disturb: XFS on vda tuned highpri
 * (with a subdirectory that is not a mount root), a tmpfs mounted,
 * default_mode highpri, auto_fstypes "xfs".
 *
 * Every input reaches diowq's store as is, except two, where sysfs decides:
 * a zero-length write never calls the store (write returns 0), and an
 * input longer than a page is cut to its first PAGE_SIZE bytes, which the
 * store must refuse as too long (EINVAL).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/cmd.h"

#define TMPFS_MNT DQ_MNT_BASE "/tmpfs"

struct badinput_env {
	struct dq_fs xfs;
	const char *attr;	/* the file under test */
	char subdir[PATH_MAX];	/* a directory, not a mount root */
};

static void badinput_setup(struct __test_metadata *_metadata,
			   struct badinput_env *env, const char *attr)
{
	env->attr = attr;
	DQ_SETUP(dq_machine_reset());
	/* The refusals never touch the filesystem's contents. */
	DQ_SETUP(dq_fs_reuse(&env->xfs, DQ_DISK_A, "xfs"));
	snprintf(env->subdir, sizeof(env->subdir), "%s/subdir", env->xfs.mnt);
	DQ_SETUP(dq_mkdir_p(env->subdir));
	DQ_SETUP(dq_mount_tmpfs(TMPFS_MNT));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(DIOWQ_MODE_HIGHPRI_NAME, env->xfs.mnt));
	/* Not the default "", so a write that wrongly clears it shows. */
	DQ_SETUP(dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "xfs"));
}

/*
 * Write len bytes of buf to attr and expect err (0: the write is taken),
 * and that nothing diowq shows changed.
 */
static void expect_write(struct __test_metadata *_metadata, const char *attr,
			 const char *buf, size_t len, int err)
{
	struct dq_snapshot before, after;
	char path[PATH_MAX];
	int ret;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	dq_attr_path(path, sizeof(path), NULL, attr);
	ret = dq_write_file(path, buf, len);
	EXPECT_EQ(err, ret) TH_LOG("%zu bytes \"%.40s%s\" to %s: want %s, got %s",
				   len, buf, len > 40 ? "..." : "", attr,
				   err ? strerror(-err) : "success",
				   ret ? strerror(-ret) : "success");
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* The common case: a C string refused with err. */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct badinput_env *env, const char *input,
			   int err)
{
	expect_write(_metadata, env->attr, input, strlen(input), err);
}

/*
 * input, a NUL, then "junk": whatever stops reading at the NUL sees a valid
 * request (that would also change the state), so only a store that honours
 * the length it was given refuses it.
 */
static void expect_embedded_nul_refused(struct __test_metadata *_metadata,
					const struct badinput_env *env,
					const char *input)
{
	char buf[PATH_MAX + 8];
	size_t len = strlen(input);

	memcpy(buf, input, len);
	buf[len++] = '\0';
	memcpy(buf + len, "junk", 4);
	len += 4;
	expect_write(_metadata, env->attr, buf, len, -EINVAL);
}

/*
 * A valid request padded with pad to len bytes: a store that skips the
 * length check and trims the padding would take it. Refused with EINVAL
 * at any length of a page or more (sysfs hands over one page at most).
 */
static void expect_overlong_refused(struct __test_metadata *_metadata,
				    const struct badinput_env *env,
				    const char *input, char pad, size_t len)
{
	size_t used = strlen(input);
	char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	ASSERT_LT(used, len);
	memcpy(buf, input, used);
	memset(buf + used, pad, len - used);
	expect_write(_metadata, env->attr, buf, len, -EINVAL);
	free(buf);
}

/* In a child: lose CAP_SYS_ADMIN (still uid 0), then write; -errno. */
static int write_without_cap_sys_admin(const char *attr, const char *input)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	char path[PATH_MAX];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].permitted &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	dq_attr_path(path, sizeof(path), NULL, attr);
	return dq_write_file(path, input, strlen(input));
}

/*
 * A write that root may make is refused with EPERM once CAP_SYS_ADMIN is
 * gone: the file permissions alone would let any uid 0 through.
 */
static void expect_eperm_without_cap_sys_admin(struct __test_metadata *_metadata,
					       const struct badinput_env *env,
					       const char *valid_input)
{
	struct dq_snapshot before, after;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(-write_without_cap_sys_admin(env->attr, valid_input));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("\"%s\" to %s without CAP_SYS_ADMIN: got %s", valid_input,
		       env->attr, WEXITSTATUS(status) ?
		       strerror(WEXITSTATUS(status)) : "success");
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Format a request into a static buffer (one per test is all we need). */
static const char *fmt(const char *format, const char *arg)
{
	static char buf[PATH_MAX + 64];

	snprintf(buf, sizeof(buf), format, arg);
	return buf;
}

/* ---- tune: "[MODE ]/abs/mountpoint" ---------------------------------- */

FIXTURE(tune_file) {
	struct badinput_env env;
};

FIXTURE_SETUP(tune_file)
{
	badinput_setup(_metadata, &self->env, DIOWQ_ATTR_TUNE);
}

FIXTURE_TEARDOWN(tune_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(tune_file, root_without_cap_sys_admin_is_eperm)
{
	expect_eperm_without_cap_sys_admin(_metadata, &self->env,
					   fmt("unbound %s", self->env.xfs.mnt));
}

TEST_F(tune_file, newline_only_is_einval)
{
	expect_refused(_metadata, &self->env, "\n", -EINVAL);
}

TEST_F(tune_file, garbage_is_einval)
{
	expect_refused(_metadata, &self->env, "garbage", -EINVAL);
}

TEST_F(tune_file, page_sized_input_is_einval)
{
	expect_overlong_refused(_metadata, &self->env,
				fmt("unbound %s", self->env.xfs.mnt), '/',
				page_size());
}

TEST_F(tune_file, input_longer_than_a_page_is_einval)
{
	expect_overlong_refused(_metadata, &self->env,
				fmt("unbound %s", self->env.xfs.mnt), '/',
				page_size() + 1);
}

TEST_F(tune_file, input_of_8192_bytes_is_einval)
{
	expect_overlong_refused(_metadata, &self->env,
				fmt("unbound %s", self->env.xfs.mnt), '/', 8192);
}

/* From "/" (our cwd) it would even resolve to the mount root. */
TEST_F(tune_file, relative_path_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("unbound %s", self->env.xfs.mnt + 1), -EINVAL);
}

TEST_F(tune_file, nonexistent_path_is_enoent)
{
	expect_refused(_metadata, &self->env,
		       "unbound " DQ_MNT_BASE "/nonexistent", -ENOENT);
}

TEST_F(tune_file, directory_below_mount_root_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("unbound %s", self->env.subdir), -EINVAL);
}

TEST_F(tune_file, unknown_mode_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("bogusmode %s", self->env.xfs.mnt), -EINVAL);
}

/* "unbound2", not "highpri2": a prefix match would then change the mode. */
TEST_F(tune_file, mode_with_trailing_garbage_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("unbound2 %s", self->env.xfs.mnt), -EINVAL);
}

TEST_F(tune_file, mode_without_path_is_einval)
{
	expect_refused(_metadata, &self->env, "unbound", -EINVAL);
}

TEST_F(tune_file, negative_number_is_einval)
{
	expect_refused(_metadata, &self->env, "-1", -EINVAL);
}

TEST_F(tune_file, embedded_nul_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env,
				    fmt("unbound %s", self->env.xfs.mnt));
}

TEST_F(tune_file, newline_terminated_request_is_accepted)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_TUNE,
				   fmt("unbound %s\n", self->env.xfs.mnt)));
	EXPECT_SB_ATTR(self->env.xfs.sid, DIOWQ_SB_ATTR_MODE,
		       DIOWQ_MODE_UNBOUND_NAME);
}

/* ---- untune: "/abs/mountpoint" or a tuned s_id ------------------------- */

FIXTURE(untune_file) {
	struct badinput_env env;
};

FIXTURE_SETUP(untune_file)
{
	badinput_setup(_metadata, &self->env, DIOWQ_ATTR_UNTUNE);
}

FIXTURE_TEARDOWN(untune_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(untune_file, root_without_cap_sys_admin_is_eperm)
{
	expect_eperm_without_cap_sys_admin(_metadata, &self->env,
					   self->env.xfs.mnt);
}

TEST_F(untune_file, newline_only_is_einval)
{
	expect_refused(_metadata, &self->env, "\n", -EINVAL);
}

/* Anything not starting with '/' names an s_id: no tuned sb is called so. */
TEST_F(untune_file, unknown_sid_is_enoent)
{
	expect_refused(_metadata, &self->env, "garbage", -ENOENT);
}

TEST_F(untune_file, page_sized_input_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, self->env.xfs.mnt, '/',
				page_size());
}

TEST_F(untune_file, input_longer_than_a_page_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, self->env.xfs.mnt, '/',
				page_size() + 1);
}

TEST_F(untune_file, input_of_8192_bytes_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, self->env.xfs.mnt, '/',
				8192);
}

TEST_F(untune_file, relative_path_is_enoent)
{
	expect_refused(_metadata, &self->env, self->env.xfs.mnt + 1, -ENOENT);
}

TEST_F(untune_file, nonexistent_path_is_enoent)
{
	expect_refused(_metadata, &self->env, DQ_MNT_BASE "/nonexistent",
		       -ENOENT);
}

TEST_F(untune_file, directory_below_mount_root_is_einval)
{
	expect_refused(_metadata, &self->env, self->env.subdir, -EINVAL);
}

TEST_F(untune_file, untuned_mount_root_is_enoent)
{
	expect_refused(_metadata, &self->env, TMPFS_MNT, -ENOENT);
}

/* untune takes no mode, and no s_id holds a space: malformed. */
TEST_F(untune_file, mode_before_path_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("highpri %s", self->env.xfs.mnt), -EINVAL);
}

TEST_F(untune_file, negative_number_is_enoent)
{
	expect_refused(_metadata, &self->env, "-1", -ENOENT);
}

TEST_F(untune_file, embedded_nul_after_path_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env, self->env.xfs.mnt);
}

TEST_F(untune_file, embedded_nul_after_sid_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env, self->env.xfs.sid);
}

TEST_F(untune_file, newline_terminated_path_is_accepted)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_UNTUNE,
				   fmt("%s\n", self->env.xfs.mnt)));
	EXPECT_FALSE(dq_sb_tuned(self->env.xfs.sid));
}

TEST_F(untune_file, newline_terminated_sid_is_accepted)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_UNTUNE,
				   fmt("%s\n", self->env.xfs.sid)));
	EXPECT_FALSE(dq_sb_tuned(self->env.xfs.sid));
}

/* ---- default_mode: "highpri" or "unbound" ------------------------------ */

FIXTURE(default_mode_file) {
	struct badinput_env env;
};

FIXTURE_SETUP(default_mode_file)
{
	badinput_setup(_metadata, &self->env, DIOWQ_ATTR_DEFAULT_MODE);
}

FIXTURE_TEARDOWN(default_mode_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(default_mode_file, root_without_cap_sys_admin_is_eperm)
{
	expect_eperm_without_cap_sys_admin(_metadata, &self->env, "unbound");
}

TEST_F(default_mode_file, newline_only_is_einval)
{
	expect_refused(_metadata, &self->env, "\n", -EINVAL);
}

TEST_F(default_mode_file, garbage_is_einval)
{
	expect_refused(_metadata, &self->env, "garbage", -EINVAL);
}

TEST_F(default_mode_file, page_sized_input_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "unbound", ' ',
				page_size());
}

TEST_F(default_mode_file, input_longer_than_a_page_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "unbound", ' ',
				page_size() + 1);
}

TEST_F(default_mode_file, input_of_8192_bytes_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "unbound", ' ', 8192);
}

TEST_F(default_mode_file, relative_path_is_einval)
{
	expect_refused(_metadata, &self->env, self->env.xfs.mnt + 1, -EINVAL);
}

TEST_F(default_mode_file, path_is_einval)
{
	expect_refused(_metadata, &self->env, self->env.xfs.mnt, -EINVAL);
}

TEST_F(default_mode_file, mode_with_path_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("unbound %s", self->env.xfs.mnt), -EINVAL);
}

TEST_F(default_mode_file, mode_with_trailing_garbage_is_einval)
{
	expect_refused(_metadata, &self->env, "unbound2", -EINVAL);
}

TEST_F(default_mode_file, negative_number_is_einval)
{
	expect_refused(_metadata, &self->env, "-1", -EINVAL);
}

TEST_F(default_mode_file, embedded_nul_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env, "unbound");
}

TEST_F(default_mode_file, newline_terminated_mode_is_accepted)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_DEFAULT_MODE, "unbound\n"));
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_UNBOUND_NAME);
}

/* ---- auto_fstypes: "" or a comma list of supported types ---------------- */

FIXTURE(auto_fstypes_file) {
	struct badinput_env env;
};

FIXTURE_SETUP(auto_fstypes_file)
{
	badinput_setup(_metadata, &self->env, DIOWQ_ATTR_AUTO_FSTYPES);
}

FIXTURE_TEARDOWN(auto_fstypes_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/*
 * A well-formed name is EOPNOTSUPP whether or not such a filesystem exists:
 * telling "garbage" from a real type would mean asking the kernel for the
 * type, which may load its module, and a refused write must change nothing.
 */
TEST_F(auto_fstypes_file, root_without_cap_sys_admin_is_eperm)
{
	expect_eperm_without_cap_sys_admin(_metadata, &self->env, "ext4");
}

TEST_F(auto_fstypes_file, unknown_name_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "garbage", -EOPNOTSUPP);
}

TEST_F(auto_fstypes_file, non_name_characters_are_einval)
{
	expect_refused(_metadata, &self->env, "xfs;ext4", -EINVAL);
}

TEST_F(auto_fstypes_file, page_sized_input_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "xfs,ext4", ' ',
				page_size());
}

TEST_F(auto_fstypes_file, input_longer_than_a_page_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "xfs,ext4", ' ',
				page_size() + 1);
}

TEST_F(auto_fstypes_file, input_of_8192_bytes_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, "xfs,ext4", ' ', 8192);
}

TEST_F(auto_fstypes_file, empty_token_is_einval)
{
	expect_refused(_metadata, &self->env, "xfs,,ext4", -EINVAL);
}

TEST_F(auto_fstypes_file, leading_comma_is_einval)
{
	expect_refused(_metadata, &self->env, ",ext4", -EINVAL);
}

TEST_F(auto_fstypes_file, trailing_comma_is_einval)
{
	expect_refused(_metadata, &self->env, "ext4,", -EINVAL);
}

TEST_F(auto_fstypes_file, space_separated_list_is_einval)
{
	expect_refused(_metadata, &self->env, "xfs ext4", -EINVAL);
}

TEST_F(auto_fstypes_file, relative_path_is_einval)
{
	expect_refused(_metadata, &self->env, self->env.xfs.mnt + 1, -EINVAL);
}

TEST_F(auto_fstypes_file, mode_and_path_is_einval)
{
	expect_refused(_metadata, &self->env,
		       fmt("bogusmode %s", self->env.xfs.mnt), -EINVAL);
}

TEST_F(auto_fstypes_file, mode_name_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "highpri", -EOPNOTSUPP);
}

TEST_F(auto_fstypes_file, negative_number_is_einval)
{
	expect_refused(_metadata, &self->env, "-1", -EINVAL);
}

TEST_F(auto_fstypes_file, embedded_nul_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env, "xfs,ext4");
}

/* A filesystem type that exists (tmpfs always does) but is not supported. */
TEST_F(auto_fstypes_file, unsupported_fstype_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "tmpfs", -EOPNOTSUPP);
}

/* All or nothing: the supported ext4 must not be taken on its own. */
TEST_F(auto_fstypes_file, list_with_unsupported_fstype_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "ext4,tmpfs", -EOPNOTSUPP);
}

TEST_F(auto_fstypes_file, newline_terminated_list_is_accepted)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "xfs,ext4\n"));
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "xfs,ext4");
}

TEST_F(auto_fstypes_file, newline_only_clears_the_list)
{
	ASSERT_EQ(0, dq_write_attr(DIOWQ_ATTR_AUTO_FSTYPES, "\n"));
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
}

/* ---- every file ---------------------------------------------------------- */

FIXTURE(every_file) {
	struct badinput_env env;
};

FIXTURE_SETUP(every_file)
{
	badinput_setup(_metadata, &self->env, NULL);
}

FIXTURE_TEARDOWN(every_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* sysfs never calls a store for zero bytes: the write "succeeds" idle. */
TEST_F(every_file, zero_length_write_changes_nothing)
{
	static const char *const files[] = {
		DIOWQ_ATTR_TUNE, DIOWQ_ATTR_UNTUNE, DIOWQ_ATTR_DEFAULT_MODE,
		DIOWQ_ATTR_AUTO_FSTYPES, DIOWQ_ATTR_WATCH, DIOWQ_ATTR_UNWATCH,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		expect_write(_metadata, files[i], "", 0, 0);
}

/* ---- filesystems diowq does not support -------------------------------- */

FIXTURE(unsupported_fs) {
	struct badinput_env env;
};

FIXTURE_SETUP(unsupported_fs)
{
	badinput_setup(_metadata, &self->env, DIOWQ_ATTR_TUNE);
}

FIXTURE_TEARDOWN(unsupported_fs)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(unsupported_fs, tmpfs_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "highpri " TMPFS_MNT,
		       -EOPNOTSUPP);
}

TEST_F(unsupported_fs, procfs_is_eopnotsupp)
{
	expect_refused(_metadata, &self->env, "highpri /proc", -EOPNOTSUPP);
}

/*
 * ext2, whichever driver serves it: its own (fstype "ext2"), or ext4's
 * (CONFIG_EXT4_USE_FOR_EXT2, as in Debian's 6.1: still fstype "ext2").
 */
TEST_F_TIMEOUT(unsupported_fs, ext2_is_eopnotsupp, 60)
{
	struct dq_fs ext2;
	char type[32];

	ASSERT_EQ(0, dq_disk(DQ_DISK_C, &ext2));
	if (dq_need_fstype("ext2"))
		SKIP(return, "this kernel has no ext2 filesystem type");
	ASSERT_EQ(0, dq_mkfs(&ext2, "ext2"));
	ASSERT_EQ(0, dq_mount(&ext2));
	ASSERT_EQ(0, dq_mount_fstype(ext2.mnt, type, sizeof(type)));
	ASSERT_STREQ("ext2", type);

	expect_refused(_metadata, &self->env, fmt("highpri %s", ext2.mnt),
		       -EOPNOTSUPP);
	EXPECT_FALSE(dq_sb_tuned(ext2.sid));
}

/* ---- the rest of the sweep, table-driven --------------------------------- */

/*
 * More inputs for every writable file: numbers for names, case, stray
 * whitespace, paths that resolve to no mount root or to filesystems diowq
 * does not support (sysfs, devtmpfs, cgroup2, tmpfs, the initramfs root),
 * a closed fd's /proc link, over-long names; and writes to every read-only
 * file. "@MNT" stands for the tuned XFS mount point, "@SID" for its s_id.
 */
struct sweep_input {
	const char *file;	/* under DIOWQ_SYSFS_ROOT ("@SID/mode" too) */
	const char *input;
	int err;
};

#define LONG_NAME "/" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct sweep_input sweep_inputs[] = {
	/* tune */
	{ DIOWQ_ATTR_TUNE, "HIGHPRI @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "0 @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "1 @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "2 @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "-1 @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "4294967296 @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "unbound  @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, " @MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "unbound\t@MNT", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "unbound ", -EINVAL },
	{ DIOWQ_ATTR_TUNE, " ", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "unbound @MNT ", -ENOENT },
	{ DIOWQ_ATTR_TUNE, "unbound @MNT\n\n", -ENOENT },
	{ DIOWQ_ATTR_TUNE, "unbound @MNT/regular", -EINVAL },
	{ DIOWQ_ATTR_TUNE, "unbound @MNT/nonexistent/..", -ENOENT },
	{ DIOWQ_ATTR_TUNE, "unbound /sys", -EOPNOTSUPP },
	{ DIOWQ_ATTR_TUNE, "unbound /dev", -EOPNOTSUPP },
	{ DIOWQ_ATTR_TUNE, "unbound /sys/fs/cgroup", -EOPNOTSUPP },
	{ DIOWQ_ATTR_TUNE, "unbound /dev/shm", -EOPNOTSUPP },
	{ DIOWQ_ATTR_TUNE, "unbound /", -EOPNOTSUPP },
	{ DIOWQ_ATTR_TUNE, "unbound /proc/self/fd/999", -ENOENT },
	{ DIOWQ_ATTR_TUNE, "unbound " LONG_NAME, -ENAMETOOLONG },
	{ DIOWQ_ATTR_TUNE, "@SID", -EINVAL },
	/* untune */
	{ DIOWQ_ATTR_UNTUNE, " @MNT", -EINVAL },
	{ DIOWQ_ATTR_UNTUNE, " @SID", -EINVAL },
	{ DIOWQ_ATTR_UNTUNE, "@SID ", -EINVAL },
	{ DIOWQ_ATTR_UNTUNE, "@MNT ", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "@SID\n\n", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, ".", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "..", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "*", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "0", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "@MNT/regular", -EINVAL },
	{ DIOWQ_ATTR_UNTUNE, "/sys", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "/proc", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, "/proc/self/fd/999", -ENOENT },
	{ DIOWQ_ATTR_UNTUNE, LONG_NAME, -ENAMETOOLONG },
	/* default_mode */
	{ DIOWQ_ATTR_DEFAULT_MODE, "HIGHPRI", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "0", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "1", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "2", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "4294967296", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, " unbound", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "unbound ", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "unbound\n\n", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "highpri,unbound", -EINVAL },
	{ DIOWQ_ATTR_DEFAULT_MODE, "xfs", -EINVAL },
	/* auto_fstypes */
	{ DIOWQ_ATTR_AUTO_FSTYPES, "XFS", -EOPNOTSUPP },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "0", -EOPNOTSUPP },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "proc", -EOPNOTSUPP },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "xfs,tmpfs,ext4", -EOPNOTSUPP },
	{ DIOWQ_ATTR_AUTO_FSTYPES, ",", -EINVAL },
	{ DIOWQ_ATTR_AUTO_FSTYPES, " xfs", -EINVAL },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "xfs ", -EINVAL },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "xfs\n\n", -EINVAL },
	{ DIOWQ_ATTR_AUTO_FSTYPES, "@MNT", -EINVAL },
	/*
	 * watch and unwatch, malformed only. This program runs in the
	 * multi-threaded TCG boot, where a watch that is taken registers
	 * tracepoint probes (live text patching, not safe there): no input
	 * here may be a valid watch, not even one a kernel bug could take
	 * for one (an embedded NUL after "all", say). Those, and every
	 * refusal of a well-formed watch, are latency_test's.
	 */
	{ DIOWQ_ATTR_WATCH, "\n", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "garbage", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "ALL", -EINVAL },
	{ DIOWQ_ATTR_WATCH, " all", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "all all", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "highpri @MNT", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "mnt/diowq/vda", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "@SID", -EINVAL },
	/* unwatch never registers probes: anything goes. */
	{ DIOWQ_ATTR_UNWATCH, "\n", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "garbage", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "ALL", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "@SID", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "@MNT", -ENOENT },
	{ DIOWQ_ATTR_UNWATCH, "@MNT/regular", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, DQ_MNT_BASE "/nonexistent", -ENOENT },
	{ DIOWQ_ATTR_UNWATCH, "/dev/shm", -ENOENT },
	/* read-only files: no store at all */
	{ DIOWQ_ATTR_WATCHING, DIOWQ_WATCH_ALL_NAME, -EACCES },
	{ DIOWQ_ATTR_PROBES, "1", -EACCES },
	{ DIOWQ_ATTR_VERSION, "9.9.9", -EACCES },
	{ DIOWQ_ATTR_SUPPORTED_FSTYPES, "xfs,ext4,tmpfs", -EACCES },
	{ DIOWQ_ATTR_AUTO_RESCAN_MS, "1", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_MODE, "unbound", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_FSTYPE, "ext4", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_SOURCE, "/dev/null", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_DEV, "1:3", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_WORKQUEUE, "events", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_ORIGIN, "auto", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_SWAPS, "0", -EACCES },
	{ "@SID/" DIOWQ_SB_ATTR_TUNED_MS, "0", -EACCES },
};

/* Replace every "@MNT" and "@SID" of in by env's, into out. */
static void expand(char *out, size_t size, const char *in,
		   const struct badinput_env *env)
{
	size_t used = 0;

	while (*in && used + 1 < size) {
		const char *with = NULL;

		if (!strncmp(in, "@MNT", 4))
			with = env->xfs.mnt;
		else if (!strncmp(in, "@SID", 4))
			with = env->xfs.sid;
		if (with) {
			used += snprintf(out + used, size - used, "%s", with);
			in += 4;
		} else {
			out[used++] = *in++;
		}
	}
	out[used < size ? used : size - 1] = '\0';
}

FIXTURE(sweep) {
	struct badinput_env env;
};

FIXTURE_SETUP(sweep)
{
	char path[PATH_MAX];
	int fd;

	badinput_setup(_metadata, &self->env, NULL);
	snprintf(path, sizeof(path), "%s/regular", self->env.xfs.mnt);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(sweep)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(sweep, more_malformed_and_read_only_inputs_change_nothing)
{
	unsigned int i;

	/* Never opened as fd 999 by anyone: its /proc link must not exist. */
	ASSERT_EQ(-1, fcntl(999, F_GETFD));
	for (i = 0; i < ARRAY_SIZE(sweep_inputs); i++) {
		char file[PATH_MAX], input[PATH_MAX];

		expand(file, sizeof(file), sweep_inputs[i].file, &self->env);
		expand(input, sizeof(input), sweep_inputs[i].input, &self->env);
		expect_write(_metadata, file, input, strlen(input),
			     sweep_inputs[i].err);
	}
	dq_log("badinput: %zu more inputs refused with the documented errno, state unchanged",
	       ARRAY_SIZE(sweep_inputs));
}

/* In a child as nobody: every write EACCES, every read root's value. */
static int nobody_child(const struct badinput_env *env)
{
	static const char *const writable[][2] = {
		{ DIOWQ_ATTR_TUNE, "unbound @MNT" },
		{ DIOWQ_ATTR_UNTUNE, "@MNT" },
		{ DIOWQ_ATTR_UNTUNE, "@SID" },
		{ DIOWQ_ATTR_DEFAULT_MODE, "unbound" },
		{ DIOWQ_ATTR_AUTO_FSTYPES, "" },
		{ DIOWQ_ATTR_AUTO_FSTYPES, "xfs,ext4" },
		/* Refused by the file's mode: no store runs, no probes. */
		{ DIOWQ_ATTR_WATCH, "@MNT" },
		{ DIOWQ_ATTR_WATCH, DIOWQ_WATCH_ALL_NAME },
		{ DIOWQ_ATTR_UNWATCH, "@MNT" },
	};
	static const char *const readable[] = {
		DIOWQ_ATTR_VERSION, DIOWQ_ATTR_SUPPORTED_FSTYPES,
		DIOWQ_ATTR_AUTO_RESCAN_MS, DIOWQ_ATTR_DEFAULT_MODE,
		DIOWQ_ATTR_AUTO_FSTYPES, "@SID/" DIOWQ_SB_ATTR_MODE,
		"@SID/" DIOWQ_SB_ATTR_FSTYPE, "@SID/" DIOWQ_SB_ATTR_SOURCE,
		"@SID/" DIOWQ_SB_ATTR_DEV, "@SID/" DIOWQ_SB_ATTR_WORKQUEUE,
		"@SID/" DIOWQ_SB_ATTR_ORIGIN, "@SID/" DIOWQ_SB_ATTR_SWAPS,
		DIOWQ_ATTR_WATCHING, DIOWQ_ATTR_PROBES,
	};
	char root_values[ARRAY_SIZE(readable)][256];
	char file[PATH_MAX], input[PATH_MAX], path[PATH_MAX], val[256] = "";
	unsigned int i;
	int failures = 0;

	for (i = 0; i < ARRAY_SIZE(readable); i++) {
		expand(file, sizeof(file), readable[i], env);
		dq_attr_path(path, sizeof(path), NULL, file);
		if (dq_read_file(path, root_values[i], sizeof(root_values[i])) < 0)
			return 100;
	}
	if (setgroups(0, NULL) || setresgid(DQ_UID_NOBODY, DQ_UID_NOBODY,
					    DQ_UID_NOBODY) ||
	    setresuid(DQ_UID_NOBODY, DQ_UID_NOBODY, DQ_UID_NOBODY))
		return 101;
	for (i = 0; i < ARRAY_SIZE(writable); i++) {
		int err;

		expand(file, sizeof(file), writable[i][0], env);
		expand(input, sizeof(input), writable[i][1], env);
		dq_attr_path(path, sizeof(path), NULL, file);
		err = dq_write_file(path, input, strlen(input));
		if (err != -EACCES) {
			dq_log("nobody: \"%s\" to %s: %s", input, file,
			       err ? strerror(-err) : "taken");
			failures++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(readable); i++) {
		expand(file, sizeof(file), readable[i], env);
		dq_attr_path(path, sizeof(path), NULL, file);
		if (dq_read_file(path, val, sizeof(val)) < 0 ||
		    strcmp(val, root_values[i])) {
			dq_log("nobody: reading %s: \"%s\", root read \"%s\"",
			       file, val, root_values[i]);
			failures++;
		}
	}
	return failures;
}

TEST_F(sweep, nobody_reads_every_file_and_writes_none)
{
	struct dq_snapshot before, after;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dq_snapshot_take(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(nobody_child(&self->env));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("100/101: setup of the child failed; else the number of failed checks");
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

DQ_TEST_MAIN
