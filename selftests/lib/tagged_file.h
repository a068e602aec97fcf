/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file of self-describing 4 KiB blocks, to prove that no direct-I/O write
 * was lost, torn or misplaced while diowq swapped queues under it.
 *
 * Every 4 KiB block written carries a header (magic, its own file offset,
 * the generation of the write that stored it, a checksum of the whole
 * block) and a payload derived from offset and generation. The file object
 * remembers the generation last written to each block; dq_tf_verify()
 * reads everything back with O_DIRECT and compares.
 */
#ifndef DIOWQ_SELFTEST_TAGGED_FILE_H
#define DIOWQ_SELFTEST_TAGGED_FILE_H

#include <limits.h>
#include <stdint.h>

#define DQ_BLOCK_SIZE 4096u

/* How the file is laid out before any test writes. */
enum dq_layout {
	/*
	 * Every block written (generation 1) and synced: later writes are
	 * pure overwrites, so the completion work does no metadata updates
	 * (the steady state of a database file).
	 */
	DQ_LAYOUT_WRITTEN,
	/*
	 * fallocate()d only: the first write to each block converts an
	 * unwritten extent in the completion work. Blocks never written
	 * must read back as zeros.
	 */
	DQ_LAYOUT_UNWRITTEN,
	/*
	 * Empty: size is only the most it may grow to, by appending writes
	 * that extend i_size in their completion. Verification reads up to
	 * the end of the file; no block written may lie beyond it.
	 */
	DQ_LAYOUT_EMPTY,
};

struct dq_tagged_file {
	int fd;			/* O_RDWR | O_DIRECT, -1 when closed */
	char path[PATH_MAX];
	uint64_t nr_blocks;	/* 4 KiB blocks in the file (its most for EMPTY) */
	/* Generation last written to each block; 0: never (zeros). */
	uint64_t *expected;
	uint64_t next_generation;
};

struct dq_verify_result {
	uint64_t blocks;	/* blocks checked */
	uint64_t bad;		/* blocks that did not match */
	uint64_t first_bad;	/* index of the first bad block */
	const char *first_why;	/* what was wrong with it */
	uint64_t first_expected, first_found;	/* generations */
};

/*
 * Create path (size bytes, a multiple of DQ_BLOCK_SIZE) laid out as asked,
 * synced, and open it for O_DIRECT I/O. The tagged file is registered for
 * cleanup (its fd would keep the mount busy) until dq_tf_destroy().
 */
int dq_tf_create(struct dq_tagged_file *tf, const char *path, uint64_t size,
		 enum dq_layout layout);

/* Close the file (the expectations stay, e.g. across a remount). */
void dq_tf_close(struct dq_tagged_file *tf);

/* Open tf->path again after dq_tf_close(). */
int dq_tf_reopen(struct dq_tagged_file *tf);

/* Close and free everything. */
void dq_tf_destroy(struct dq_tagged_file *tf);

/* Read every block back with O_DIRECT through tf->fd and check it. */
int dq_tf_verify(struct dq_tagged_file *tf, struct dq_verify_result *res);

/* Log a verification result (the first bad block in detail). */
void dq_tf_log_verify(const struct dq_tagged_file *tf,
		      const struct dq_verify_result *res);

/*
 * Fill one 4 KiB block for (offset, generation), header and checksum
 * included. Exposed for the writer.
 */
void dq_tf_fill_block(void *block, uint64_t offset, uint64_t generation);

#endif /* DIOWQ_SELFTEST_TAGGED_FILE_H */
