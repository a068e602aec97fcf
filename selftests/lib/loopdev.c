// SPDX-License-Identifier: GPL-2.0
/*
 * Loop devices over sparse files: see loopdev.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopdev.h"
#include "util.h"

int dq_loop_available(void)
{
	const char *argv[] = { "modprobe", "loop", NULL };

	if (!access("/dev/loop-control", F_OK))
		return 0;
	dq_run(argv);
	return access("/dev/loop-control", F_OK) ? -ENODEV : 0;
}

int dq_sparse_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size))
		err = -errno;
	close(fd);
	return err;
}

/* A device another attach took between GET_FREE and ours: try again. */
#define DQ_LOOP_ATTEMPTS 16

static int loop_attach(struct dq_loop *lo, const char *backing,
		       uint32_t flags)
{
	struct loop_config cfg;
	int ctl, bfd, attempt, err = -EBUSY;

	memset(lo, 0, sizeof(*lo));
	lo->fd = -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	bfd = open(backing, O_RDWR | O_CLOEXEC);
	if (bfd < 0) {
		err = -errno;
		close(ctl);
		return err;
	}

	for (attempt = 0; attempt < DQ_LOOP_ATTEMPTS; attempt++) {
		int index = ioctl(ctl, LOOP_CTL_GET_FREE);
		int fd;

		if (index < 0) {
			err = -errno;
			break;
		}
		snprintf(lo->dev, sizeof(lo->dev), "/dev/loop%d", index);
		snprintf(lo->sid, sizeof(lo->sid), "loop%d", index);
		fd = open(lo->dev, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			break;
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = bfd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | flags;
		snprintf((char *)cfg.info.lo_file_name,
			 sizeof(cfg.info.lo_file_name), "%s", backing);
		if (!ioctl(fd, LOOP_CONFIGURE, &cfg)) {
			lo->fd = fd;
			err = 0;
			break;
		}
		err = -errno;
		close(fd);
		if (err != -EBUSY)
			break;
	}
	close(bfd);
	close(ctl);
	if (err)
		dq_log("attaching a loop device to %s: %s", backing,
		       strerror(-err));
	return err;
}

int dq_loop_attach(struct dq_loop *lo, const char *backing)
{
	return loop_attach(lo, backing, 0);
}

/* One MBR partition entry: type 0x83, LBA start and length in sectors. */
static void mbr_entry(uint8_t *e, uint32_t start, uint32_t sectors)
{
	e[4] = 0x83;
	memcpy(e + 8, &start, 4);	/* little endian, as x86 is */
	memcpy(e + 12, &sectors, 4);
}

int dq_partitioned_file(const char *path, unsigned int nr_parts,
			uint64_t part_size)
{
	uint32_t part_sectors = (uint32_t)(part_size / 512);
	uint8_t mbr[512] = { 0 };
	unsigned int i;
	int fd, err;

	if (!nr_parts || nr_parts > 4 || part_size % (1 << 20))
		return -EINVAL;
	/* Partitions start at 1 MiB and follow each other. */
	for (i = 0; i < nr_parts; i++)
		mbr_entry(mbr + 446 + 16 * i, 2048 + i * part_sectors,
			  part_sectors);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	err = dq_sparse_file(path, (1 << 20) + nr_parts * part_size);
	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = pwrite(fd, mbr, sizeof(mbr), 0) == sizeof(mbr) ? 0 : -EIO;
	close(fd);
	return err;
}

int dq_loop_attach_partitioned(struct dq_loop *lo, const char *backing,
			       unsigned int nr_parts)
{
	char part[80];
	unsigned int i;
	int err = loop_attach(lo, backing, LO_FLAGS_PARTSCAN);

	/* devtmpfs makes the partitions' nodes after the scan. */
	for (i = 1; !err && i <= nr_parts; i++) {
		snprintf(part, sizeof(part), "%sp%u", lo->dev, i);
		for (int tries = 0; tries < 100 && access(part, F_OK); tries++)
			dq_sleep_ms(20);
		if (access(part, F_OK))
			err = -ENOENT;
	}
	if (err)
		dq_log("partitions of %s: %s", lo->dev, strerror(-err));
	return err;
}

void dq_loop_release(struct dq_loop *lo)
{
	if (lo->fd >= 0)
		close(lo->fd);
	lo->fd = -1;
}
