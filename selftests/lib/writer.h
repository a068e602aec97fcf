/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An asynchronous O_DIRECT writer: one thread, optionally pinned to a CPU,
 * keeps queue_depth random block writes in flight on a tagged file through
 * native AIO, for a duration, a number of writes, or until stopped. Every
 * async direct write's completion runs from the superblock's dio queue,
 * which is exactly what diowq swaps, so this is the load of every test.
 *
 * It never has two writes to the same block in flight, so the generation
 * it records for a block at completion is what the block must hold.
 */
#ifndef DIOWQ_SELFTEST_WRITER_H
#define DIOWQ_SELFTEST_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "tagged_file.h"

struct dq_writer_opts {
	unsigned int block_size;	/* per write, multiple of 4 KiB */
	unsigned int queue_depth;
	unsigned int duration_ms;	/* 0: no time limit */
	uint64_t max_writes;		/* 0: no count limit */
	int cpu;			/* pin the thread here; -1: don't */
	uint64_t seed;			/* for the random offsets */
};

/* The tests' usual load: 4 KiB, 32 in flight, pinned to CPU 1. */
#define DQ_WRITER_DEFAULTS(ms) {			\
	.block_size = DQ_BLOCK_SIZE,			\
	.queue_depth = 32,				\
	.duration_ms = (ms),				\
	.cpu = 1,					\
	.seed = 1,					\
}

struct dq_writer_result {
	uint64_t submitted;
	uint64_t completed;	/* io_events reaped */
	uint64_t failed;	/* of those, res != block_size */
	int64_t first_bad_res;	/* res of the first failed one */
	uint64_t first_bad_offset;
	int error;		/* -errno of a failed syscall, 0 if none */
	const char *error_what;	/* which syscall */
	bool stalled;		/* in-flight writes stopped completing */
	uint64_t elapsed_ms;
};

struct dq_writer;

/*
 * Start writing to tf (which must stay open until the writer is joined).
 * The writer is registered for cleanup: a teardown stops it.
 */
int dq_writer_start(struct dq_writer **wp, struct dq_tagged_file *tf,
		    const struct dq_writer_opts *opts);

/* Completions reaped so far (for "wait until it is really running"). */
uint64_t dq_writer_completed(struct dq_writer *w);
/* Writes submitted but not yet reaped right now. */
uint64_t dq_writer_in_flight(struct dq_writer *w);

/*
 * Wait until at least min completions were reaped. 0, -ETIMEDOUT, or
 * -ECANCELED if the writer ended first.
 */
int dq_writer_wait_progress(struct dq_writer *w, uint64_t min,
			    unsigned int timeout_ms);

/*
 * Wait until at least min writes are in flight at once (for "while I/O is
 * in flight" moments; it may of course change right after). 0, -ETIMEDOUT
 * or -ECANCELED.
 */
int dq_writer_wait_in_flight(struct dq_writer *w, uint64_t min,
			     unsigned int timeout_ms);

/* Ask it to stop submitting; it then reaps what is in flight and ends. */
void dq_writer_stop(struct dq_writer *w);

/*
 * Wait up to timeout_ms for the writer to end, fill *res and free it.
 * -ETIMEDOUT if it did not end: its I/O is hung; the writer is leaked
 * (its thread still owns it) and *res holds what it had done so far.
 */
int dq_writer_join(struct dq_writer *w, unsigned int timeout_ms,
		   struct dq_writer_result *res);

/* Every write completed, successfully, no syscall failed, nothing hung. */
bool dq_writer_result_ok(const struct dq_writer_result *res);
void dq_writer_log_result(const char *name, const struct dq_writer_result *res);

#endif /* DIOWQ_SELFTEST_WRITER_H */
