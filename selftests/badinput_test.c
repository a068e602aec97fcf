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
 *
 * What every writable file is asked alike (no CAP_SYS_ADMIN, garbage,
 * overlong, relative path, negative number, embedded NUL, the positive
 * control) is one fixture, writable_file, with a variant per file; an
 * input only one file gets is a variant of its own of request; state has
 * the rest: zero-length writes, ext2, and a table-driven sweep.
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
	char subdir[PATH_MAX];	/* a directory, not a mount root */
};

static void badinput_setup(struct __test_metadata *_metadata,
			   struct badinput_env *env)
{
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
 * Replace every "@MNT", "@REL" and "@SID" of in by the tuned XFS mount
 * point, the same without its leading '/' (a relative path: from "/", our
 * cwd, it would even resolve to the mount root) and its s_id, into out.
 */
static void expand(char *out, size_t size, const char *in,
		   const struct badinput_env *env)
{
	size_t used = 0;

	while (*in && used + 1 < size) {
		const char *with = NULL;

		if (!strncmp(in, "@MNT", 4))
			with = env->xfs.mnt;
		else if (!strncmp(in, "@REL", 4))
			with = env->xfs.mnt + 1;
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

/* The template input ("@MNT" ...) to attr, refused with err. */
static void expect_refused(struct __test_metadata *_metadata,
			   const struct badinput_env *env, const char *attr,
			   const char *input, int err)
{
	char buf[PATH_MAX];

	expand(buf, sizeof(buf), input, env);
	expect_write(_metadata, attr, buf, strlen(buf), err);
}

/*
 * The template input, a NUL, then "junk": whatever stops reading at the
 * NUL sees a valid request (that would also change the state), so only a
 * store that honours the length it was given refuses it.
 */
static void expect_embedded_nul_refused(struct __test_metadata *_metadata,
					const struct badinput_env *env,
					const char *attr, const char *input)
{
	char buf[PATH_MAX + 8];
	size_t len;

	expand(buf, PATH_MAX, input, env);
	len = strlen(buf);
	buf[len++] = '\0';
	memcpy(buf + len, "junk", 4);
	len += 4;
	expect_write(_metadata, attr, buf, len, -EINVAL);
}

/*
 * A valid request padded with pad to len bytes: a store that skips the
 * length check and trims the padding would take it. Refused with EINVAL
 * at any length of a page or more (sysfs hands over one page at most).
 */
static void expect_overlong_refused(struct __test_metadata *_metadata,
				    const struct badinput_env *env,
				    const char *attr, const char *input,
				    char pad, size_t len)
{
	char request[PATH_MAX], *buf = malloc(len);
	size_t used;

	ASSERT_NE(NULL, buf);
	expand(request, sizeof(request), input, env);
	used = strlen(request);
	ASSERT_LT(used, len);
	memcpy(buf, request, used);
	memset(buf + used, pad, len - used);
	expect_write(_metadata, attr, buf, len, -EINVAL);
	free(buf);
}

/* Expect the template file to read want, or to be gone if want is NULL. */
static void expect_reads(struct __test_metadata *_metadata,
			 const struct badinput_env *env, const char *file,
			 const char *want)
{
	char name[PATH_MAX], val[256];
	int err;

	expand(name, sizeof(name), file, env);
	err = dq_read_attr(name, val, sizeof(val));
	if (!want) {
		EXPECT_EQ(-ENOENT, err) TH_LOG("%s is still there", name);
		return;
	}
	ASSERT_EQ(0, err) TH_LOG("reading %s: %s", name, strerror(-err));
	EXPECT_STREQ(want, val) TH_LOG("in %s", name);
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
					       const char *attr,
					       const char *valid_input)
{
	struct dq_snapshot before, after;
	char input[PATH_MAX];
	int status;
	pid_t pid;

	expand(input, sizeof(input), valid_input, env);
	ASSERT_EQ(0, dq_snapshot_take(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(-write_without_cap_sys_admin(attr, input));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("\"%s\" to %s without CAP_SYS_ADMIN: got %s", input,
		       attr, WEXITSTATUS(status) ?
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

/* ---- what every writable file refuses ---------------------------------- */

FIXTURE(writable_file) {
	struct badinput_env env;
};

/*
 * A writable file and its flavour of the same bad inputs. Inputs are
 * templates for expand(): "@MNT", "@REL", "@SID".
 */
FIXTURE_VARIANT(writable_file) {
	const char *attr;
	/*
	 * A request root may make: refused without CAP_SYS_ADMIN, and the
	 * start of the overlong and embedded-NUL inputs.
	 */
	const char *valid;
	char overlong_pad;	/* what pads valid to a page and more */
	int garbage_err;	/* "garbage" */
	const char *relative_path;	/* a valid request, path relative */
	int relative_path_err;
	int negative_number_err;	/* "-1" */
	/*
	 * The positive control: a newline-terminated request, as echo
	 * sends it, is taken, and then_file reads then_value (NULL: the
	 * file is gone).
	 */
	const char *accepted;
	const char *then_file;
	const char *then_value;
};

/* "[MODE ]/abs/mountpoint" */
FIXTURE_VARIANT_ADD(writable_file, tune) {
	.attr = DIOWQ_ATTR_TUNE,
	.valid = "unbound @MNT",
	.overlong_pad = '/',
	.garbage_err = -EINVAL,
	.relative_path = "unbound @REL",
	.relative_path_err = -EINVAL,
	.negative_number_err = -EINVAL,
	.accepted = "unbound @MNT\n",
	.then_file = "@SID/" DIOWQ_SB_ATTR_MODE,
	.then_value = DIOWQ_MODE_UNBOUND_NAME,
};

/*
 * "/abs/mountpoint" or a tuned s_id: anything not starting with '/' names
 * an s_id, and no tuned sb is called "garbage", "-1" or "mnt/diowq/vda".
 */
FIXTURE_VARIANT_ADD(writable_file, untune) {
	.attr = DIOWQ_ATTR_UNTUNE,
	.valid = "@MNT",
	.overlong_pad = '/',
	.garbage_err = -ENOENT,
	.relative_path = "@REL",
	.relative_path_err = -ENOENT,
	.negative_number_err = -ENOENT,
	.accepted = "@MNT\n",
	.then_file = "@SID/" DIOWQ_SB_ATTR_MODE,
	.then_value = NULL,
};

/* "highpri" or "unbound" */
FIXTURE_VARIANT_ADD(writable_file, default_mode) {
	.attr = DIOWQ_ATTR_DEFAULT_MODE,
	.valid = "unbound",
	.overlong_pad = ' ',
	.garbage_err = -EINVAL,
	.relative_path = "@REL",
	.relative_path_err = -EINVAL,
	.negative_number_err = -EINVAL,
	.accepted = "unbound\n",
	.then_file = DIOWQ_ATTR_DEFAULT_MODE,
	.then_value = DIOWQ_MODE_UNBOUND_NAME,
};

/*
 * "" or a comma list of supported types. A well-formed name is EOPNOTSUPP
 * whether or not such a filesystem exists: telling "garbage" from a real
 * type would mean asking the kernel for the type, which may load its
 * module, and a refused write must change nothing.
 */
FIXTURE_VARIANT_ADD(writable_file, auto_fstypes) {
	.attr = DIOWQ_ATTR_AUTO_FSTYPES,
	.valid = "xfs,ext4",
	.overlong_pad = ' ',
	.garbage_err = -EOPNOTSUPP,
	.relative_path = "@REL",
	.relative_path_err = -EINVAL,
	.negative_number_err = -EINVAL,
	.accepted = "xfs,ext4\n",
	.then_file = DIOWQ_ATTR_AUTO_FSTYPES,
	.then_value = "xfs,ext4",
};

FIXTURE_SETUP(writable_file)
{
	badinput_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(writable_file)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(writable_file, root_without_cap_sys_admin_is_eperm)
{
	expect_eperm_without_cap_sys_admin(_metadata, &self->env,
					   variant->attr, variant->valid);
}

TEST_F(writable_file, garbage_is_refused)
{
	expect_refused(_metadata, &self->env, variant->attr, "garbage",
		       variant->garbage_err);
}

TEST_F(writable_file, page_sized_input_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, variant->attr,
				variant->valid, variant->overlong_pad,
				page_size());
}

TEST_F(writable_file, input_longer_than_a_page_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, variant->attr,
				variant->valid, variant->overlong_pad,
				page_size() + 1);
}

TEST_F(writable_file, input_of_8192_bytes_is_einval)
{
	expect_overlong_refused(_metadata, &self->env, variant->attr,
				variant->valid, variant->overlong_pad, 8192);
}

TEST_F(writable_file, relative_path_is_refused)
{
	expect_refused(_metadata, &self->env, variant->attr,
		       variant->relative_path, variant->relative_path_err);
}

TEST_F(writable_file, negative_number_is_refused)
{
	expect_refused(_metadata, &self->env, variant->attr, "-1",
		       variant->negative_number_err);
}

TEST_F(writable_file, embedded_nul_is_einval)
{
	expect_embedded_nul_refused(_metadata, &self->env, variant->attr,
				    variant->valid);
}

TEST_F(writable_file, newline_terminated_request_is_accepted)
{
	char input[PATH_MAX];

	expand(input, sizeof(input), variant->accepted, &self->env);
	ASSERT_EQ(0, dq_write_attr(variant->attr, input));
	expect_reads(_metadata, &self->env, variant->then_file,
		     variant->then_value);
}

/* ---- what one file answers to one input ---------------------------------- */

FIXTURE(request) {
	struct badinput_env env;
};

/*
 * An input that only one file gets, and the documented answer: an errno
 * (and nothing changes), or 0 (taken: then_file reads then_value, or is
 * gone if that is NULL).
 */
FIXTURE_VARIANT(request) {
	const char *attr;
	const char *input;	/* a template for expand() */
	bool nul_then_junk;	/* input, a NUL, then "junk" */
	int err;
	const char *then_file;
	const char *then_value;
};

#define REFUSED(name, file, in, errno_) \
	FIXTURE_VARIANT_ADD(request, name) { \
		.attr = (file), .input = (in), .err = (errno_), \
	}

REFUSED(tune_newline_only_is_einval, DIOWQ_ATTR_TUNE, "\n", -EINVAL);
REFUSED(tune_nonexistent_path_is_enoent, DIOWQ_ATTR_TUNE,
	"unbound " DQ_MNT_BASE "/nonexistent", -ENOENT);
REFUSED(tune_directory_below_mount_root_is_einval, DIOWQ_ATTR_TUNE,
	"unbound @MNT/subdir", -EINVAL);
REFUSED(tune_unknown_mode_is_einval, DIOWQ_ATTR_TUNE, "bogusmode @MNT",
	-EINVAL);
/* "unbound2", not "highpri2": a prefix match would then change the mode. */
REFUSED(tune_mode_with_trailing_garbage_is_einval, DIOWQ_ATTR_TUNE,
	"unbound2 @MNT", -EINVAL);
REFUSED(tune_mode_without_path_is_einval, DIOWQ_ATTR_TUNE, "unbound",
	-EINVAL);
/* Filesystems diowq does not support. */
REFUSED(tune_tmpfs_is_eopnotsupp, DIOWQ_ATTR_TUNE, "highpri " TMPFS_MNT,
	-EOPNOTSUPP);
REFUSED(tune_procfs_is_eopnotsupp, DIOWQ_ATTR_TUNE, "highpri /proc",
	-EOPNOTSUPP);

REFUSED(untune_newline_only_is_einval, DIOWQ_ATTR_UNTUNE, "\n", -EINVAL);
REFUSED(untune_nonexistent_path_is_enoent, DIOWQ_ATTR_UNTUNE,
	DQ_MNT_BASE "/nonexistent", -ENOENT);
REFUSED(untune_directory_below_mount_root_is_einval, DIOWQ_ATTR_UNTUNE,
	"@MNT/subdir", -EINVAL);
REFUSED(untune_untuned_mount_root_is_enoent, DIOWQ_ATTR_UNTUNE, TMPFS_MNT,
	-ENOENT);
/* untune takes no mode, and no s_id holds a space: malformed. */
REFUSED(untune_mode_before_path_is_einval, DIOWQ_ATTR_UNTUNE,
	"highpri @MNT", -EINVAL);
FIXTURE_VARIANT_ADD(request, untune_embedded_nul_after_sid_is_einval) {
	.attr = DIOWQ_ATTR_UNTUNE, .input = "@SID", .nul_then_junk = true,
	.err = -EINVAL,
};
FIXTURE_VARIANT_ADD(request, untune_newline_terminated_sid_is_accepted) {
	.attr = DIOWQ_ATTR_UNTUNE, .input = "@SID\n",
	.then_file = "@SID/" DIOWQ_SB_ATTR_MODE, .then_value = NULL,
};

REFUSED(default_mode_newline_only_is_einval, DIOWQ_ATTR_DEFAULT_MODE, "\n",
	-EINVAL);
REFUSED(default_mode_path_is_einval, DIOWQ_ATTR_DEFAULT_MODE, "@MNT",
	-EINVAL);
REFUSED(default_mode_mode_with_path_is_einval, DIOWQ_ATTR_DEFAULT_MODE,
	"unbound @MNT", -EINVAL);
REFUSED(default_mode_mode_with_trailing_garbage_is_einval,
	DIOWQ_ATTR_DEFAULT_MODE, "unbound2", -EINVAL);

REFUSED(auto_fstypes_non_name_characters_are_einval,
	DIOWQ_ATTR_AUTO_FSTYPES, "xfs;ext4", -EINVAL);
REFUSED(auto_fstypes_empty_token_is_einval, DIOWQ_ATTR_AUTO_FSTYPES,
	"xfs,,ext4", -EINVAL);
REFUSED(auto_fstypes_leading_comma_is_einval, DIOWQ_ATTR_AUTO_FSTYPES,
	",ext4", -EINVAL);
REFUSED(auto_fstypes_trailing_comma_is_einval, DIOWQ_ATTR_AUTO_FSTYPES,
	"ext4,", -EINVAL);
REFUSED(auto_fstypes_space_separated_list_is_einval,
	DIOWQ_ATTR_AUTO_FSTYPES, "xfs ext4", -EINVAL);
REFUSED(auto_fstypes_mode_and_path_is_einval, DIOWQ_ATTR_AUTO_FSTYPES,
	"bogusmode @MNT", -EINVAL);
REFUSED(auto_fstypes_mode_name_is_eopnotsupp, DIOWQ_ATTR_AUTO_FSTYPES,
	"highpri", -EOPNOTSUPP);
/* A filesystem type that exists (tmpfs always does) but is not supported. */
REFUSED(auto_fstypes_unsupported_fstype_is_eopnotsupp,
	DIOWQ_ATTR_AUTO_FSTYPES, "tmpfs", -EOPNOTSUPP);
/* All or nothing: the supported ext4 must not be taken on its own. */
REFUSED(auto_fstypes_list_with_unsupported_fstype_is_eopnotsupp,
	DIOWQ_ATTR_AUTO_FSTYPES, "ext4,tmpfs", -EOPNOTSUPP);
FIXTURE_VARIANT_ADD(request, auto_fstypes_newline_only_clears_the_list) {
	.attr = DIOWQ_ATTR_AUTO_FSTYPES, .input = "\n",
	.then_file = DIOWQ_ATTR_AUTO_FSTYPES, .then_value = "",
};

FIXTURE_SETUP(request)
{
	badinput_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(request)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F(request, gets_the_documented_answer)
{
	char input[PATH_MAX];

	if (variant->nul_then_junk) {
		expect_embedded_nul_refused(_metadata, &self->env,
					    variant->attr, variant->input);
	} else if (variant->err) {
		expect_refused(_metadata, &self->env, variant->attr,
			       variant->input, variant->err);
	} else {
		expand(input, sizeof(input), variant->input, &self->env);
		ASSERT_EQ(0, dq_write_attr(variant->attr, input));
		expect_reads(_metadata, &self->env, variant->then_file,
			     variant->then_value);
	}
}

/* ---- every file, and everything else ----------------------------------- */

FIXTURE(state) {
	struct badinput_env env;
};

FIXTURE_SETUP(state)
{
	char path[PATH_MAX];
	int fd;

	badinput_setup(_metadata, &self->env);
	/* A regular file: no mount root, for the sweep. */
	snprintf(path, sizeof(path), "%s/regular", self->env.xfs.mnt);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(state)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* sysfs never calls a store for zero bytes: the write "succeeds" idle. */
TEST_F(state, zero_length_write_changes_nothing)
{
	static const char *const files[] = {
		DIOWQ_ATTR_TUNE, DIOWQ_ATTR_UNTUNE, DIOWQ_ATTR_DEFAULT_MODE,
		DIOWQ_ATTR_AUTO_FSTYPES,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		expect_write(_metadata, files[i], "", 0, 0);
}

/*
 * ext2, whichever driver serves it: its own (fstype "ext2"), or ext4's
 * (CONFIG_EXT4_USE_FOR_EXT2, as in Debian's 6.1: still fstype "ext2").
 */
TEST_F_TIMEOUT(state, ext2_is_eopnotsupp, 60)
{
	struct dq_fs ext2;
	char input[PATH_MAX], type[32];

	ASSERT_EQ(0, dq_disk(DQ_DISK_C, &ext2));
	if (dq_need_fstype("ext2"))
		SKIP(return, "this kernel has no ext2 filesystem type");
	ASSERT_EQ(0, dq_mkfs(&ext2, "ext2"));
	ASSERT_EQ(0, dq_mount(&ext2));
	ASSERT_EQ(0, dq_mount_fstype(ext2.mnt, type, sizeof(type)));
	ASSERT_STREQ("ext2", type);

	snprintf(input, sizeof(input), "highpri %s", ext2.mnt);
	expect_write(_metadata, DIOWQ_ATTR_TUNE, input, strlen(input),
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
	/* read-only files: no store at all */
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

TEST_F(state, more_malformed_and_read_only_inputs_change_nothing)
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
	};
	static const char *const readable[] = {
		DIOWQ_ATTR_VERSION, DIOWQ_ATTR_SUPPORTED_FSTYPES,
		DIOWQ_ATTR_AUTO_RESCAN_MS, DIOWQ_ATTR_DEFAULT_MODE,
		DIOWQ_ATTR_AUTO_FSTYPES, "@SID/" DIOWQ_SB_ATTR_MODE,
		"@SID/" DIOWQ_SB_ATTR_FSTYPE, "@SID/" DIOWQ_SB_ATTR_SOURCE,
		"@SID/" DIOWQ_SB_ATTR_DEV, "@SID/" DIOWQ_SB_ATTR_WORKQUEUE,
		"@SID/" DIOWQ_SB_ATTR_ORIGIN, "@SID/" DIOWQ_SB_ATTR_SWAPS,
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

TEST_F(state, nobody_reads_every_file_and_writes_none)
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
