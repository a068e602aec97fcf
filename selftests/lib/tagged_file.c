// SPDX-License-Identifier: GPL-2.0
/*
 * Self-describing blocks: layout, fill and verification. See tagged_file.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tagged_file.h"
#include "util.h"

#define DQ_BLOCK_MAGIC "diowqBLK"	/* 8 bytes, no terminator stored */

struct dq_block_header {
	char magic[8];
	uint64_t offset;	/* byte offset of this block in the file */
	uint64_t generation;	/* the write that stored this block */
	uint64_t checksum;	/* of the whole block, this field as zero */
};

#define WORDS_PER_BLOCK (DQ_BLOCK_SIZE / sizeof(uint64_t))
#define CHECKSUM_WORD (offsetof(struct dq_block_header, checksum) / \
		       sizeof(uint64_t))
#define HEADER_WORDS (sizeof(struct dq_block_header) / sizeof(uint64_t))

/* Big sequential I/O for layout and verification. */
#define DQ_CHUNK_SIZE (1024u * 1024u)

/* FNV-1a over 64-bit words, with a shift to mix the high bits down. */
static uint64_t block_checksum(const uint64_t *words)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < WORDS_PER_BLOCK; i++) {
		hash ^= i == CHECKSUM_WORD ? 0 : words[i];
		hash *= 0x100000001b3ull;
		hash ^= hash >> 29;
	}
	return hash;
}

void dq_tf_fill_block(void *block, uint64_t offset, uint64_t generation)
{
	struct dq_block_header *hdr = block;
	uint64_t *words = block;
	uint64_t seed = offset ^ (generation * 0x9e3779b97f4a7c15ull);
	size_t i;

	/*
	 * The payload differs for every (offset, generation): a block torn
	 * between two writes, or holding another block's data, fails the
	 * checksum even if its header survived.
	 */
	for (i = HEADER_WORDS; i < WORDS_PER_BLOCK; i++)
		words[i] = seed + i * 0xbf58476d1ce4e5b9ull;

	memcpy(hdr->magic, DQ_BLOCK_MAGIC, sizeof(hdr->magic));
	hdr->offset = offset;
	hdr->generation = generation;
	hdr->checksum = 0;
	hdr->checksum = block_checksum(words);
}

static void tf_cleanup(void *arg)
{
	struct dq_tagged_file *tf = arg;

	dq_tf_close(tf);
	free(tf->expected);
	tf->expected = NULL;
}

static int write_layout(struct dq_tagged_file *tf)
{
	uint64_t size = tf->nr_blocks * DQ_BLOCK_SIZE;
	uint64_t pos, i;
	void *buf;
	int err = 0;

	if (posix_memalign(&buf, DQ_BLOCK_SIZE, DQ_CHUNK_SIZE))
		return -ENOMEM;

	for (pos = 0; pos < size && !err; pos += DQ_CHUNK_SIZE) {
		size_t len = size - pos < DQ_CHUNK_SIZE ? size - pos :
							   DQ_CHUNK_SIZE;
		ssize_t n;

		for (i = 0; i < len / DQ_BLOCK_SIZE; i++)
			dq_tf_fill_block((char *)buf + i * DQ_BLOCK_SIZE,
					 pos + i * DQ_BLOCK_SIZE, 1);
		n = pwrite(tf->fd, buf, len, pos);
		if (n < 0)
			err = -errno;
		else if ((size_t)n != len)
			err = -EIO;
	}
	free(buf);

	for (i = 0; i < tf->nr_blocks; i++)
		tf->expected[i] = 1;
	return err;
}

int dq_tf_create(struct dq_tagged_file *tf, const char *path, uint64_t size,
		 enum dq_layout layout)
{
	int err;

	memset(tf, 0, sizeof(*tf));
	tf->fd = -1;
	if (!size || size % DQ_BLOCK_SIZE)
		return -EINVAL;
	if (strlen(path) >= sizeof(tf->path))
		return -ENAMETOOLONG;
	strcpy(tf->path, path);
	tf->nr_blocks = size / DQ_BLOCK_SIZE;
	tf->next_generation = 2;
	tf->expected = calloc(tf->nr_blocks, sizeof(*tf->expected));
	if (!tf->expected)
		return -ENOMEM;

	tf->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC,
		      0644);
	if (tf->fd < 0) {
		err = -errno;
		goto fail;
	}
	err = dq_cleanup_push(tf_cleanup, tf);
	if (err)
		goto fail;

	if (layout == DQ_LAYOUT_WRITTEN)
		err = write_layout(tf);
	else if (layout == DQ_LAYOUT_UNWRITTEN && fallocate(tf->fd, 0, 0, size))
		err = -errno;
	if (!err && fsync(tf->fd))
		err = -errno;
	if (err) {
		dq_log("laying out %s: %s", path, strerror(-err));
		dq_tf_destroy(tf);
	}
	return err;

fail:
	tf_cleanup(tf);
	return err;
}

void dq_tf_close(struct dq_tagged_file *tf)
{
	if (tf->fd >= 0)
		close(tf->fd);
	tf->fd = -1;
}

int dq_tf_reopen(struct dq_tagged_file *tf)
{
	if (tf->fd >= 0)
		return -EBUSY;
	tf->fd = open(tf->path, O_RDWR | O_DIRECT | O_CLOEXEC);
	return tf->fd < 0 ? -errno : 0;
}

void dq_tf_destroy(struct dq_tagged_file *tf)
{
	dq_cleanup_forget(tf);
	tf_cleanup(tf);
}

static const char *check_block(const uint64_t *words, uint64_t offset,
			       uint64_t expected, uint64_t *found)
{
	const struct dq_block_header *hdr = (const void *)words;
	size_t i;

	*found = 0;
	if (!expected) {
		for (i = 0; i < WORDS_PER_BLOCK; i++) {
			if (words[i])
				return "never written, but not zeros";
		}
		return NULL;
	}
	if (memcmp(hdr->magic, DQ_BLOCK_MAGIC, sizeof(hdr->magic)))
		return "no block header (lost or misplaced write)";
	*found = hdr->generation;
	if (hdr->offset != offset)
		return "header of another block (misplaced write)";
	if (block_checksum(words) != hdr->checksum)
		return "checksum mismatch (torn or corrupted block)";
	if (hdr->generation != expected)
		return "stale generation (a completed write is missing)";
	return NULL;
}

/* Count a bad block; the first one is kept in detail. */
static void record_bad(struct dq_verify_result *res, uint64_t block,
		       const char *why, uint64_t expected, uint64_t found)
{
	if (res->bad++)
		return;
	res->first_bad = block;
	res->first_why = why;
	res->first_expected = expected;
	res->first_found = found;
}

/* Blocks past the end of the file: none may have been written. */
static void check_beyond_eof(const struct dq_tagged_file *tf, uint64_t size,
			     struct dq_verify_result *res)
{
	uint64_t block;

	for (block = size / DQ_BLOCK_SIZE; block < tf->nr_blocks; block++) {
		if (tf->expected[block])
			record_bad(res, block,
				   "beyond the end of the file (lost i_size update)",
				   tf->expected[block], 0);
	}
}

int dq_tf_verify(struct dq_tagged_file *tf, struct dq_verify_result *res)
{
	uint64_t size = tf->nr_blocks * DQ_BLOCK_SIZE;
	struct stat st;
	uint64_t pos;
	void *buf;
	int err = 0;

	memset(res, 0, sizeof(*res));
	if (tf->fd < 0)
		return -EBADF;
	/* An appended file ends where its writes do: read up to there. */
	if (fstat(tf->fd, &st))
		return -errno;
	if ((uint64_t)st.st_size > size || st.st_size % DQ_BLOCK_SIZE)
		return -EFBIG;
	size = st.st_size;
	check_beyond_eof(tf, size, res);
	if (posix_memalign(&buf, DQ_BLOCK_SIZE, DQ_CHUNK_SIZE))
		return -ENOMEM;

	for (pos = 0; pos < size && !err; pos += DQ_CHUNK_SIZE) {
		size_t len = size - pos < DQ_CHUNK_SIZE ? size - pos :
							   DQ_CHUNK_SIZE;
		ssize_t n = pread(tf->fd, buf, len, pos);
		size_t i;

		if (n < 0) {
			err = -errno;
			break;
		}
		if ((size_t)n != len) {
			err = -EIO;
			break;
		}
		for (i = 0; i < len / DQ_BLOCK_SIZE; i++) {
			uint64_t block = pos / DQ_BLOCK_SIZE + i;
			uint64_t found;
			const char *why;

			why = check_block((uint64_t *)((char *)buf +
						       i * DQ_BLOCK_SIZE),
					  block * DQ_BLOCK_SIZE,
					  tf->expected[block], &found);
			res->blocks++;
			if (why)
				record_bad(res, block, why, tf->expected[block],
					   found);
		}
	}
	free(buf);
	return err;
}

void dq_tf_log_verify(const struct dq_tagged_file *tf,
		      const struct dq_verify_result *res)
{
	dq_log("%s: %" PRIu64 " of %" PRIu64 " blocks checked, %" PRIu64
	       " bad", tf->path, res->blocks, tf->nr_blocks, res->bad);
	if (res->bad)
		dq_log("%s: first bad block %" PRIu64 " (offset %" PRIu64
		       "): %s; expected generation %" PRIu64 ", found %"
		       PRIu64, tf->path, res->first_bad,
		       res->first_bad * DQ_BLOCK_SIZE, res->first_why,
		       res->first_expected, res->first_found);
}
