// SPDX-License-Identifier: GPL-2.0
/*
 * module_test: loading diowq.ko creates /sys/fs/diowq with the documented
 * files and defaults, unloading removes it, bad module parameters refuse
 * the load without leaving anything behind, and the module reloads.
 */
#include "kselftest_harness.h"
#include "lib/diowq_test.h"

#include <dirent.h>
#include <sys/stat.h>

enum access { READ_ONLY, WRITE_ONLY, READ_WRITE };

static const struct {
	const char *name;
	enum access access;
} documented_files[] = {
	{ DIOWQ_ATTR_VERSION, READ_ONLY },
	{ DIOWQ_ATTR_SUPPORTED_FSTYPES, READ_ONLY },
	{ DIOWQ_ATTR_DEFAULT_MODE, READ_WRITE },
	{ DIOWQ_ATTR_AUTO_FSTYPES, READ_WRITE },
	{ DIOWQ_ATTR_AUTO_RESCAN_MS, READ_ONLY },
	{ DIOWQ_ATTR_TUNE, WRITE_ONLY },
	{ DIOWQ_ATTR_UNTUNE, WRITE_ONLY },
};

FIXTURE(module) {
};

FIXTURE_SETUP(module)
{
	DQ_SETUP(dq_machine_reset());
	ASSERT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
}

FIXTURE_TEARDOWN(module)
{
	EXPECT_EQ(0, dq_machine_reset());
}

/* A refused load must leave neither the module nor its sysfs root. */
static void expect_load_refused(struct __test_metadata *_metadata,
				const char *params, int err)
{
	int ret = dq_module_load(params);

	EXPECT_EQ(err, ret) TH_LOG("insmod diowq.ko %s: %s", params,
				   ret ? strerror(-ret) : "loaded");
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
}

TEST_F(module, load_creates_sysfs_root_with_version)
{
	char raw[64];

	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_TRUE(dq_path_exists(DIOWQ_SYSFS_ROOT));
	/* The raw read: the value and exactly one newline. */
	ASSERT_LT(0, dq_read_file(DIOWQ_SYSFS_ROOT "/" DIOWQ_ATTR_VERSION, raw,
				  sizeof(raw)));
	EXPECT_STREQ(DIOWQ_VERSION "\n", raw);
	EXPECT_STREQ("0.1.0\n", raw);
}

TEST_F(module, load_creates_exactly_the_documented_files)
{
	unsigned int seen = 0, i;
	struct dirent *de;
	DIR *root;

	ASSERT_EQ(0, dq_module_load(""));

	for (i = 0; i < ARRAY_SIZE(documented_files); i++) {
		char path[PATH_MAX];
		struct stat st;

		dq_attr_path(path, sizeof(path), NULL,
			     documented_files[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path,
						     strerror(errno));
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_EQ(documented_files[i].access != WRITE_ONLY,
			  !!(st.st_mode & 0400)) TH_LOG("%s readable", path);
		EXPECT_EQ(documented_files[i].access != READ_ONLY,
			  !!(st.st_mode & 0200)) TH_LOG("%s writable", path);
		/* Only root may change anything. */
		EXPECT_EQ(0u, st.st_mode & 0022) TH_LOG("%s", path);
	}

	/* Nothing undocumented, and no superblock directories yet. */
	root = opendir(DIOWQ_SYSFS_ROOT);
	ASSERT_NE(NULL, root);
	while ((de = readdir(root))) {
		bool known = false;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		for (i = 0; i < ARRAY_SIZE(documented_files); i++)
			known |= !strcmp(de->d_name, documented_files[i].name);
		EXPECT_TRUE(known) TH_LOG("undocumented %s/%s",
					  DIOWQ_SYSFS_ROOT, de->d_name);
		seen++;
	}
	closedir(root);
	EXPECT_EQ(ARRAY_SIZE(documented_files), seen);
}

TEST_F(module, load_without_params_has_documented_defaults)
{
	ASSERT_EQ(0, dq_module_load(""));
	EXPECT_ATTR(DIOWQ_ATTR_SUPPORTED_FSTYPES, "xfs,ext4");
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "");
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_RESCAN_MS, "1000");
}

TEST_F(module, load_params_show_in_sysfs)
{
	ASSERT_EQ(0, dq_module_load("default_mode=unbound auto_fstypes=xfs,ext4"));
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_UNBOUND_NAME);
	EXPECT_ATTR(DIOWQ_ATTR_AUTO_FSTYPES, "xfs,ext4");
}

TEST_F(module, unload_removes_sysfs_root)
{
	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_TRUE(dq_path_exists(DIOWQ_SYSFS_ROOT));
	ASSERT_EQ(0, dq_module_unload());
	EXPECT_FALSE(dq_module_loaded());
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
}

TEST_F(module, unknown_default_mode_param_is_einval)
{
	expect_load_refused(_metadata, "default_mode=bogus", -EINVAL);
}

TEST_F(module, unsupported_auto_fstype_param_is_einval)
{
	expect_load_refused(_metadata, "auto_fstypes=vfat", -EINVAL);
}

TEST_F(module, empty_auto_fstype_token_param_is_einval)
{
	expect_load_refused(_metadata, "auto_fstypes=xfs,,ext4", -EINVAL);
}

TEST_F(module, reload_after_unload_works)
{
	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_EQ(0, dq_module_unload());
	ASSERT_EQ(0, dq_module_load(""));
	EXPECT_ATTR(DIOWQ_ATTR_VERSION, DIOWQ_VERSION);
}

TEST_F(module, load_after_refused_load_works)
{
	expect_load_refused(_metadata, "default_mode=bogus", -EINVAL);
	ASSERT_EQ(0, dq_module_load(""));
	EXPECT_ATTR(DIOWQ_ATTR_VERSION, DIOWQ_VERSION);
	EXPECT_ATTR(DIOWQ_ATTR_DEFAULT_MODE, DIOWQ_MODE_HIGHPRI_NAME);
}

DQ_TEST_MAIN
