// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs reads and writes, and the diowq sysfs layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "util.h"

int dq_read_file(const char *path, char *buf, size_t size)
{
	size_t used = 0;
	int fd, err = 0;

	if (!size)
		return -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	for (;;) {
		ssize_t n = read(fd, buf + used, size - 1 - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		used += n;
		if (used == size - 1) {
			char extra;

			/* Full buffer: only fine if the file ends here. */
			n = read(fd, &extra, 1);
			if (n != 0)
				err = n < 0 ? -errno : -ENOSPC;
			break;
		}
	}
	close(fd);
	buf[used] = '\0';
	return err ? err : (int)used;
}

int dq_read_value(const char *path, char *buf, size_t size)
{
	int len = dq_read_file(path, buf, size);

	if (len < 0)
		return len;
	if (len == 0 || buf[len - 1] != '\n')
		return -EBADMSG;
	buf[len - 1] = '\0';
	return 0;
}

int dq_read_cpumask(const char *path, unsigned long long *mask)
{
	char text[256], *p;
	int err = dq_read_value(path, text, sizeof(text));
	unsigned int digits = 0;

	if (err)
		return err;
	*mask = 0;
	for (p = text; *p; p++) {
		int nibble;

		if (*p == ',')
			continue;
		if (*p >= '0' && *p <= '9')
			nibble = *p - '0';
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			nibble = (*p | 0x20) - 'a' + 10;
		else
			return -EBADMSG;
		/* Leading zero words are fine; set bits past 63 are not. */
		if (*mask >> 60)
			return -ERANGE;
		*mask = *mask << 4 | nibble;
		digits++;
	}
	return digits ? 0 : -EBADMSG;
}

int dq_write_file(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

bool dq_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void dq_attr_path(char *buf, size_t size, const char *sid, const char *attr)
{
	if (sid)
		snprintf(buf, size, "%s/%s/%s", DIOWQ_SYSFS_ROOT, sid, attr);
	else
		snprintf(buf, size, "%s/%s", DIOWQ_SYSFS_ROOT, attr);
}

void dq_wq_path(char *buf, size_t size, const char *queue, const char *attr)
{
	if (attr)
		snprintf(buf, size, "%s/%s/%s", DIOWQ_WQ_SYSFS_ROOT, queue, attr);
	else
		snprintf(buf, size, "%s/%s", DIOWQ_WQ_SYSFS_ROOT, queue);
}

int dq_read_attr(const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];

	dq_attr_path(path, sizeof(path), NULL, attr);
	return dq_read_value(path, buf, size);
}

int dq_write_attr(const char *attr, const char *value)
{
	char path[PATH_MAX];

	dq_attr_path(path, sizeof(path), NULL, attr);
	return dq_write_file(path, value, strlen(value));
}

int dq_read_sb_attr(const char *sid, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];

	dq_attr_path(path, sizeof(path), sid, attr);
	return dq_read_value(path, buf, size);
}

int dq_read_sb_number(const char *sid, const char *attr, long long *val)
{
	char buf[32], *end;
	int err;

	err = dq_read_sb_attr(sid, attr, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	*val = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EBADMSG;
	return 0;
}

int dq_tune(const char *mode, const char *mnt)
{
	char cmd[PATH_MAX + 32];

	if (mode)
		snprintf(cmd, sizeof(cmd), "%s %s", mode, mnt);
	else
		snprintf(cmd, sizeof(cmd), "%s", mnt);
	return dq_write_attr(DIOWQ_ATTR_TUNE, cmd);
}

int dq_untune(const char *what)
{
	return dq_write_attr(DIOWQ_ATTR_UNTUNE, what);
}

/*
 * A tuned superblock's directory, as a reader can rely on it: kobject_add()
 * creates the directory first and its files after, so a poller can see the
 * directory while its files are still missing. The files are created in
 * the order of the module's attribute list, tuned_ms last, and removed
 * before the directory: its tuned_ms is there once all of it is.
 */
static void sb_ready_path(char *path, size_t size, const char *sid)
{
	snprintf(path, size, "%s/%s/%s", DIOWQ_SYSFS_ROOT, sid,
		 DIOWQ_SB_ATTR_TUNED_MS);
}

bool dq_sb_tuned(const char *sid)
{
	char path[PATH_MAX];

	sb_ready_path(path, sizeof(path), sid);
	return dq_path_exists(path);
}

const struct dq_swap_step dq_swap_cycle[DQ_SWAP_CYCLE_LEN] = {
	{ "tune highpri", DIOWQ_MODE_HIGHPRI_NAME },
	{ "switch to unbound", DIOWQ_MODE_UNBOUND_NAME },
	{ "untune", NULL },
	{ "tune unbound", DIOWQ_MODE_UNBOUND_NAME },
	{ "switch to highpri", DIOWQ_MODE_HIGHPRI_NAME },
	{ "untune", NULL },
};

int dq_swap_step(const struct dq_swap_step *step, const char *mnt,
		 const char *sid)
{
	char mode[32];
	int err;

	if (!step->mode) {
		err = dq_untune(mnt);
		if (!err && dq_sb_tuned(sid))
			err = -EPROTO;
		return err;
	}
	err = dq_tune(step->mode, mnt);
	if (!err)
		err = dq_read_sb_attr(sid, DIOWQ_SB_ATTR_MODE, mode,
				      sizeof(mode));
	if (!err && strcmp(mode, step->mode))
		err = -EPROTO;
	return err;
}

int dq_sb_queue(const char *sid, char *buf, size_t size)
{
	return dq_read_sb_attr(sid, DIOWQ_SB_ATTR_WORKQUEUE, buf, size);
}

bool dq_is_sb_queue_name(const char *sid, const char *queue)
{
	size_t prefix = strlen(DIOWQ_WQ_PREFIX), len = strlen(sid);
	const char *suffix;

	if (strncmp(queue, DIOWQ_WQ_PREFIX, prefix) ||
	    strncmp(queue + prefix, sid, len))
		return false;
	suffix = queue + prefix + len;
	if (!*suffix)
		return true;
	/* ".N", N a positive decimal */
	if (suffix[0] != '.' || suffix[1] < '1' || suffix[1] > '9')
		return false;
	return strspn(suffix + 1, "0123456789") == strlen(suffix + 1);
}

bool dq_wq_sysfs_exists(const char *queue)
{
	char path[PATH_MAX];

	dq_wq_path(path, sizeof(path), queue, NULL);
	return dq_path_exists(path);
}

/* Poll until path exists (or not), for up to timeout_ms. */
static int wait_path(const char *path, bool exists, unsigned int timeout_ms)
{
	uint64_t start = dq_now_ms();

	for (;;) {
		uint64_t waited = dq_now_ms() - start;

		if (dq_path_exists(path) == exists)
			return (int)waited;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		dq_sleep_ms(20);
	}
}

int dq_wait_sb_tuned(const char *sid, bool tuned, unsigned int timeout_ms)
{
	char path[PATH_MAX];

	sb_ready_path(path, sizeof(path), sid);
	return wait_path(path, tuned, timeout_ms);
}

int dq_wait_wq_sysfs(const char *queue, bool exists, unsigned int timeout_ms)
{
	char path[PATH_MAX];

	dq_wq_path(path, sizeof(path), queue, NULL);
	return wait_path(path, exists, timeout_ms);
}

int dq_possible_cpus(void)
{
	char buf[256], *p;
	int n = 0;

	if (dq_read_file("/sys/devices/system/cpu/possible", buf,
			 sizeof(buf)) < 0)
		return -EIO;
	/* "0-1", "0", "0-3,8-11". */
	for (p = buf; *p && *p != '\n';) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return -EBADMSG;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				return -EBADMSG;
		}
		n += hi - lo + 1;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}
