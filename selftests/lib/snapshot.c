// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs state snapshots: see snapshot.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "snapshot.h"
#include "sysfs.h"
#include "util.h"

static int add_line(struct dq_snapshot *snap, char *line)
{
	if (!line)
		return -ENOMEM;
	if (snap->nr == snap->alloc) {
		size_t alloc = snap->alloc ? 2 * snap->alloc : 32;
		char **lines = realloc(snap->lines, alloc * sizeof(*lines));

		if (!lines) {
			free(line);
			return -ENOMEM;
		}
		snap->lines = lines;
		snap->alloc = alloc;
	}
	snap->lines[snap->nr++] = line;
	return 0;
}

/* Newlines inside a value would split the line: show them as "\n". */
static void escape_value(char *dst, size_t size, const char *src)
{
	size_t used = 0;

	for (; *src && used + 3 < size; src++) {
		if (*src == '\n') {
			dst[used++] = '\\';
			dst[used++] = 'n';
		} else {
			dst[used++] = *src;
		}
	}
	dst[used] = '\0';
}

static int snapshot_file(struct dq_snapshot *snap, const char *path,
			 const char *name, mode_t mode)
{
	char raw[4096], value[8192];
	char *line;
	int len;

	if (!strcmp(name, DIOWQ_SB_ATTR_TUNED_MS)) {
		/* Present, but its value is a clock. */
		snprintf(value, sizeof(value), "(time, not compared)");
	} else if (!(mode & 0400)) {
		snprintf(value, sizeof(value), "(write-only)");
	} else {
		len = dq_read_file(path, raw, sizeof(raw));
		if (len < 0)
			snprintf(value, sizeof(value), "(read: %s)",
				 strerror(-len));
		else
			escape_value(value, sizeof(value), raw);
	}

	if (asprintf(&line, "%s %04o %s", path, mode & 07777, value) < 0)
		line = NULL;
	return add_line(snap, line);
}

static int snapshot_dir(struct dq_snapshot *snap, const char *dir)
{
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		char *line;

		/* An absent root is a state too (module not loaded). */
		if (asprintf(&line, "%s (%s)", dir, strerror(errno)) < 0)
			line = NULL;
		return add_line(snap, line);
	}

	while (!err && (de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st)) {
			err = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			char *line;

			if (asprintf(&line, "%s/ %04o", path,
				     st.st_mode & 07777) < 0)
				line = NULL;
			err = add_line(snap, line);
			if (!err)
				err = snapshot_dir(snap, path);
		} else {
			err = snapshot_file(snap, path, de->d_name, st.st_mode);
		}
	}
	closedir(d);
	return err;
}

/* The unbound queues' tunables: a refused tune must not leave one behind. */
static int snapshot_workqueues(struct dq_snapshot *snap)
{
	size_t prefix_len = strlen(DIOWQ_WQ_PREFIX);
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(DIOWQ_WQ_SYSFS_ROOT);
	if (!d)
		return -errno;

	while (!err && (de = readdir(d))) {
		char path[PATH_MAX], nice[64] = "", cpumask[256] = "";
		char *line;

		if (strncmp(de->d_name, DIOWQ_WQ_PREFIX, prefix_len))
			continue;
		snprintf(path, sizeof(path), "%s/%s/nice",
			 DIOWQ_WQ_SYSFS_ROOT, de->d_name);
		dq_read_value(path, nice, sizeof(nice));
		snprintf(path, sizeof(path), "%s/%s/cpumask",
			 DIOWQ_WQ_SYSFS_ROOT, de->d_name);
		dq_read_value(path, cpumask, sizeof(cpumask));
		if (asprintf(&line, "%s/%s nice=%s cpumask=%s",
			     DIOWQ_WQ_SYSFS_ROOT, de->d_name, nice,
			     cpumask) < 0)
			line = NULL;
		err = add_line(snap, line);
	}
	closedir(d);
	return err;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dq_snapshot_take(struct dq_snapshot *snap)
{
	int err;

	memset(snap, 0, sizeof(*snap));
	err = snapshot_dir(snap, DIOWQ_SYSFS_ROOT);
	if (!err)
		err = snapshot_workqueues(snap);
	if (err) {
		dq_snapshot_free(snap);
		return err;
	}
	qsort(snap->lines, snap->nr, sizeof(*snap->lines), compare_lines);
	return 0;
}

bool dq_snapshot_equal(const struct dq_snapshot *a,
		       const struct dq_snapshot *b)
{
	size_t i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++) {
		if (strcmp(a->lines[i], b->lines[i]))
			return false;
	}
	return true;
}

void dq_snapshot_log_diff(const struct dq_snapshot *before,
			  const struct dq_snapshot *after)
{
	size_t i = 0, j = 0;

	/* Both are sorted: walk them like a merge. */
	while (i < before->nr || j < after->nr) {
		int cmp;

		if (i == before->nr)
			cmp = 1;
		else if (j == after->nr)
			cmp = -1;
		else
			cmp = strcmp(before->lines[i], after->lines[j]);

		if (cmp < 0)
			dq_log("snapshot - %s", before->lines[i++]);
		else if (cmp > 0)
			dq_log("snapshot + %s", after->lines[j++]);
		else
			i++, j++;
	}
}

void dq_snapshot_free(struct dq_snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->nr; i++)
		free(snap->lines[i]);
	free(snap->lines);
	memset(snap, 0, sizeof(*snap));
}
