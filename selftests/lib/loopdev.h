/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loop devices over sparse files, for tests that need many small
 * filesystems (many superblocks) rather than a few big disks. A device is
 * attached with LO_FLAGS_AUTOCLEAR: it detaches by itself once the last
 * opener goes, i.e. at the unmount of the filesystem on it, after we
 * dropped our own descriptor (dq_loop_release()).
 */
#ifndef DIOWQ_SELFTEST_LOOPDEV_H
#define DIOWQ_SELFTEST_LOOPDEV_H

#include <limits.h>
#include <stdint.h>

struct dq_loop {
	char dev[64];		/* "/dev/loop12" */
	char sid[64];		/* "loop12": its superblock's s_id */
	int fd;			/* ours, -1 once released */
};

/* Load the loop driver if needed: 0 or -errno. */
int dq_loop_available(void);

/*
 * Create (or truncate to) a sparse file of size bytes at path unless it
 * exists with that size; 0 or -errno.
 */
int dq_sparse_file(const char *path, uint64_t size);

/* Attach a free loop device to backing; 0 or -errno. */
int dq_loop_attach(struct dq_loop *lo, const char *backing);

/*
 * A sparse file with an MBR of nr_parts (1 to 4) partitions of part_size
 * bytes each (a multiple of 1 MiB), the first at 1 MiB.
 */
int dq_partitioned_file(const char *path, unsigned int nr_parts,
			uint64_t part_size);
/*
 * Attach like dq_loop_attach(), with the partitions scanned: wait until
 * /dev/loopNp1 .. pN exist. Their superblocks' s_ids are "loopNpM".
 */
int dq_loop_attach_partitioned(struct dq_loop *lo, const char *backing,
			       unsigned int nr_parts);
/* Drop our descriptor: autoclear detaches it when nothing else holds it. */
void dq_loop_release(struct dq_loop *lo);

#endif /* DIOWQ_SELFTEST_LOOPDEV_H */
