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

int dq_loop_attach(struct dq_loop *lo, const char *backing)
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
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
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

void dq_loop_release(struct dq_loop *lo)
{
	if (lo->fd >= 0)
		close(lo->fd);
	lo->fd = -1;
}
