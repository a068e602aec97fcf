// SPDX-License-Identifier: GPL-2.0
/*
 * Scratch disks, filesystems and mounts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "disk.h"
#include "util.h"

bool dq_disks_configured(void)
{
	const char *disks = getenv("DIOWQ_DISKS");

	return disks && *disks;
}

int dq_disk(unsigned int index, struct dq_fs *fs)
{
	const char *disks = getenv("DIOWQ_DISKS");
	const char *p, *base;
	unsigned int i = 0;

	memset(fs, 0, sizeof(*fs));
	if (!disks)
		return -ENOENT;

	for (p = disks; *p; ) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		if (i++ != index) {
			p += len;
			continue;
		}
		if (len >= sizeof(fs->dev))
			return -ENAMETOOLONG;
		memcpy(fs->dev, p, len);
		fs->dev[len] = '\0';
		/* The kernel names a block device's superblock after it. */
		base = strrchr(fs->dev, '/');
		base = base ? base + 1 : fs->dev;
		snprintf(fs->sid, sizeof(fs->sid), "%s", base);
		snprintf(fs->mnt, sizeof(fs->mnt), "%s/%s", DQ_MNT_BASE,
			 fs->sid);
		return 0;
	}
	return -ENOENT;
}

int dq_disk_unused(const char *dev)
{
	struct stat st;
	int fd;

	if (stat(dev, &st))
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	/* O_EXCL on a block device fails with EBUSY if it is mounted. */
	fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static bool fstype_registered(const char *fstype)
{
	char line[128];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strrchr(line, '\t');

		name = name ? name + 1 : line;
		name[strcspn(name, "\n")] = '\0';
		found = !strcmp(name, fstype);
	}
	fclose(f);
	return found;
}

int dq_need_fstype(const char *fstype)
{
	const char *argv[] = { "modprobe", fstype, NULL };

	if (fstype_registered(fstype))
		return 0;
	dq_run(argv);
	return fstype_registered(fstype) ? 0 : -ENODEV;
}

/* Run the first of the candidate command lines that exists. */
static int run_first_available(const char *const *const cmds[], size_t nr)
{
	int status = -ENOENT;
	size_t i;

	for (i = 0; i < nr; i++) {
		status = dq_run(cmds[i]);
		/* 127: the shell convention for "no such program". */
		if (status != 127)
			break;
	}
	return status;
}

int dq_mkfs(struct dq_fs *fs, const char *fstype)
{
	const char *xfs[] = { "mkfs.xfs", "-f", "-q", fs->dev, NULL };
	const char *ext4[] = { "mkfs.ext4", "-F", "-q", fs->dev, NULL };
	/*
	 * e2fsprogs first: busybox also has a mkfs.ext2 applet, which knows
	 * no -q. "-t ext2" overrides the type mke2fs guesses from its name.
	 */
	const char *ext2_a[] = { "mkfs.ext4", "-t", "ext2", "-F", "-q",
				 fs->dev, NULL };
	const char *ext2_b[] = { "mke2fs", "-t", "ext2", "-F", "-q",
				 fs->dev, NULL };
	const char *const *ext2[] = { ext2_a, ext2_b };
	int err, status;

	err = dq_disk_unused(fs->dev);
	if (err) {
		dq_log("refusing to format %s: %s", fs->dev, strerror(-err));
		return err;
	}

	if (!strcmp(fstype, "xfs"))
		status = dq_run(xfs);
	else if (!strcmp(fstype, "ext4"))
		status = dq_run(ext4);
	else if (!strcmp(fstype, "ext2"))
		status = run_first_available(ext2, 2);
	else
		return -EINVAL;

	if (status < 0)
		return status;
	if (status)
		return -EIO;
	snprintf(fs->fstype, sizeof(fs->fstype), "%s", fstype);
	return 0;
}

int dq_mount(const struct dq_fs *fs)
{
	int err;

	err = dq_need_fstype(fs->fstype);
	if (err) {
		dq_log("the kernel has no %s filesystem", fs->fstype);
		return err;
	}
	err = dq_mkdir_p(fs->mnt);
	if (err)
		return err;
	if (mount(fs->dev, fs->mnt, fs->fstype, 0, NULL)) {
		err = -errno;
		dq_log("mount -t %s %s %s: %s", fs->fstype, fs->dev, fs->mnt,
		       strerror(errno));
		return err;
	}
	return 0;
}

int dq_umount(const struct dq_fs *fs, int flags)
{
	return umount2(fs->mnt, flags) ? -errno : 0;
}

int dq_fs_create(struct dq_fs *fs, unsigned int disk_index,
		 const char *fstype)
{
	int err;

	err = dq_disk(disk_index, fs);
	if (!err)
		err = dq_mkfs(fs, fstype);
	if (!err)
		err = dq_mount(fs);
	return err;
}

/* Read little-endian fields of the on-disk superblocks. */
static uint32_t le32_at(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What mkfs put on dev, as one of our fstype names; "" if unknown. */
static const char *disk_fstype(const char *dev)
{
	/* ext2/3/4 superblock at 1024: magic @56, compat @92, incompat @96. */
	enum { EXT_SB = 1024, EXT_MAGIC = 56, EXT_COMPAT = 92,
	       EXT_INCOMPAT = 96, EXT_HAS_JOURNAL = 0x4, EXT_EXTENTS = 0x40 };
	unsigned char buf[4096];
	const unsigned char *sb = buf + EXT_SB;
	ssize_t n;
	int fd;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "";
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n != sizeof(buf))
		return "";

	if (!memcmp(buf, "XFSB", 4))
		return "xfs";
	if (sb[EXT_MAGIC] != 0x53 || sb[EXT_MAGIC + 1] != 0xef)
		return "";
	if (le32_at(sb + EXT_INCOMPAT) & EXT_EXTENTS)
		return "ext4";
	if (!(le32_at(sb + EXT_COMPAT) & EXT_HAS_JOURNAL))
		return "ext2";
	return "";
}

int dq_fs_reuse(struct dq_fs *fs, unsigned int disk_index,
		const char *fstype)
{
	int err;

	err = dq_disk(disk_index, fs);
	if (err)
		return err;
	if (!strcmp(disk_fstype(fs->dev), fstype) &&
	    !dq_disk_unused(fs->dev)) {
		snprintf(fs->fstype, sizeof(fs->fstype), "%s", fstype);
		if (!dq_mount(fs))
			return 0;
	}
	err = dq_mkfs(fs, fstype);
	if (!err)
		err = dq_mount(fs);
	return err;
}

int dq_mount_tmpfs(const char *mnt)
{
	int err = dq_mkdir_p(mnt);

	if (err)
		return err;
	return mount("tmpfs", mnt, "tmpfs", 0, "size=16m") ? -errno : 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_mountinfo(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Call fn for every mount in /proc/self/mountinfo with its mount point and
 * filesystem type; stop early when fn returns non-zero and pass that on.
 */
static int for_each_mount(int (*fn)(const char *, const char *, void *), void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (!ret && getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX], fstype[64];
		char *sep;

		/* id parent maj:min root MOUNTPOINT opts [tags] - TYPE ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		unescape_mountinfo(mnt);
		ret = fn(mnt, fstype, arg);
	}
	free(line);
	fclose(f);
	return ret;
}

struct fstype_query {
	const char *mnt;
	char *buf;
	size_t size;
	bool found;
};

static int match_fstype(const char *mnt, const char *fstype, void *arg)
{
	struct fstype_query *q = arg;

	/* Keep looking: the last mount on a path is the visible one. */
	if (!strcmp(mnt, q->mnt)) {
		snprintf(q->buf, q->size, "%s", fstype);
		q->found = true;
	}
	return 0;
}

int dq_mount_fstype(const char *mnt, char *buf, size_t size)
{
	struct fstype_query q = { .mnt = mnt, .buf = buf, .size = size };
	int err = for_each_mount(match_fstype, &q);

	if (err)
		return err;
	return q.found ? 0 : -ENOENT;
}

int dq_dev_numbers(const char *dev, char *buf, size_t size)
{
	struct stat st;

	if (stat(dev, &st))
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	snprintf(buf, size, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

#define DQ_MAX_OUR_MOUNTS 16

struct our_mounts {
	char paths[DQ_MAX_OUR_MOUNTS][PATH_MAX];
	unsigned int nr;
};

static int collect_ours(const char *mnt, const char *fstype, void *arg)
{
	struct our_mounts *m = arg;

	(void)fstype;
	if (strncmp(mnt, DQ_MNT_BASE "/", strlen(DQ_MNT_BASE "/")))
		return 0;
	if (m->nr == DQ_MAX_OUR_MOUNTS)
		return 0;
	snprintf(m->paths[m->nr++], PATH_MAX, "%s", mnt);
	return 0;
}

/* Deepest first, and stacked mounts on one path one at a time. */
static int by_depth_desc(const void *a, const void *b)
{
	return (int)strlen(b) - (int)strlen(a);
}

/* How long a busy mount gets to become idle before we detach it. */
#define DQ_UMOUNT_BUSY_MS 3000

static int umount_patiently(const char *mnt)
{
	uint64_t deadline = dq_now_ms() + DQ_UMOUNT_BUSY_MS;

	for (;;) {
		if (!umount2(mnt, 0))
			return 0;
		if (errno != EBUSY || dq_now_ms() >= deadline)
			return -errno;
		dq_sleep_ms(100);
	}
}

int dq_umount_all(void)
{
	int first_err = 0;
	unsigned int pass;

	/* Each pass peels one layer; a few are plenty for our mounts. */
	for (pass = 0; pass < 8; pass++) {
		struct our_mounts *m = calloc(1, sizeof(*m));
		unsigned int i;
		int err;

		if (!m)
			return -ENOMEM;
		err = for_each_mount(collect_ours, m);
		if (err || !m->nr) {
			free(m);
			return err ? err : first_err;
		}
		qsort(m->paths, m->nr, sizeof(m->paths[0]), by_depth_desc);

		for (i = 0; i < m->nr; i++) {
			err = umount_patiently(m->paths[i]);
			if (err == -EBUSY) {
				dq_log("%s stays busy: detaching it",
				       m->paths[i]);
				umount2(m->paths[i], MNT_DETACH);
			}
			/* EINVAL: a stacked duplicate already went. */
			if (err && err != -EINVAL && !first_err)
				first_err = err;
		}
		free(m);
	}
	return first_err ? first_err : -EBUSY;
}
