/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An asynchronous O_DIRECT writer: one thread, optionally pinned to a CPU,
 * keeps queue_depth random block writes in flight on a tagged file through
 * native AIO, for a duration, a number of writes, or until stopped. Every
 * async direct write's completion runs from the superblock's dio queue,
 * which is exactly what diowq swaps, so this is the load of every test.
 *
 * It never has two writes to the same block in flight, so the generation
 * it records for a block at a successful completion is what the block must
 * hold; a failed write leaves the previous generation expected.
 *
 * Two options make it the fault tests' writer:
 *
 * - log_iocbs: every submitted iocb gets an id of its own (its aio_data)
 *   and an entry in an event log (struct dq_iolog below), so that at the
 *   end each one is known to have completed exactly once: an iocb with no
 *   io_event is lost, a second io_event for the same id is duplicated, an
 *   io_event with an id never submitted is unknown. The log grows by one
 *   entry per write: for bounded runs, not for hours of load.
 * - tolerate_errors: failed writes (what the I/O error test provokes) are
 *   counted by kind and the writer keeps submitting. Without it the first
 *   failed write is logged and ends the run: the writer stops submitting
 *   and reaps what is in flight.
 * - append: the writes go to the file's blocks in order, from the first,
 *   each extending the file (a DQ_LAYOUT_EMPTY one), until the file has
 *   reached its size: then the writer ends as with max_writes.
 * - dsync: every write is RWF_DSYNC (as if the file were opened O_DSYNC):
 *   it completes once on stable storage, which on a device without FUA
 *   means a cache flush in the completion work.
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
	bool log_iocbs;			/* account every iocb by id */
	bool tolerate_errors;		/* keep writing after failed writes */
	bool dsync;			/* RWF_DSYNC writes */
	bool append;			/* in order, extending the file */
};

/*
 * The tests' usual load: 4 KiB, 32 in flight, pinned to CPU 1. Initializers
 * of the fields it leaves alone may follow the duration, e.g.
 * DQ_WRITER_DEFAULTS(0, .log_iocbs = true); to change a default, assign it
 * afterwards (-Woverride-init refuses initializing a field twice).
 */
#define DQ_WRITER_DEFAULTS(ms, ...) {			\
	.block_size = DQ_BLOCK_SIZE,			\
	.queue_depth = 32,				\
	.duration_ms = (ms),				\
	.cpu = 1,					\
	.seed = 1,					\
	__VA_ARGS__					\
}

struct dq_writer_result {
	uint64_t submitted;	/* iocbs io_submit() took */
	uint64_t completed;	/* of those, the ones that got an io_event */
	uint64_t failed;	/* of those, res != block_size (or res2 != 0) */
	uint64_t eio;		/* of the failed, res == -EIO */
	uint64_t short_writes;	/* of the failed, 0 <= res < block_size */
	int64_t first_bad_res;	/* res of the first failed one */
	uint64_t first_bad_offset;
	/* res of the first failed one that was neither -EIO nor short */
	int64_t first_other_res;
	uint64_t events;	/* io_events reaped, all of them */
	/* io_events for no iocb in flight (logged: for an id never submitted) */
	uint64_t unknown;
	bool logged;		/* opts.log_iocbs: the two below are counted */
	uint64_t lost;		/* submitted, never completed */
	uint64_t duplicated;	/* a second io_event for an id */
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

/* Writes that got their io_event so far (for "wait until it runs"). */
uint64_t dq_writer_completed(struct dq_writer *w);
/* Of those, the failed ones. */
uint64_t dq_writer_failed(struct dq_writer *w);
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
 * Wait up to timeout_ms for the writer to end (with log_iocbs it listens
 * a little longer for stray duplicate events first), fill *res and free
 * it. -ETIMEDOUT if it did not end: its I/O is hung; the writer is leaked
 * (its thread still owns it) and *res holds what it had done so far.
 */
int dq_writer_join(struct dq_writer *w, unsigned int timeout_ms,
		   struct dq_writer_result *res);

/*
 * Every submitted write got exactly one io_event, no event was unknown (or,
 * logged, lost or duplicated), no syscall failed, nothing hung. False for
 * a run without log_iocbs: only the log proves it.
 */
bool dq_writer_exactly_once(const struct dq_writer_result *res);
/* Every write completed, once and successfully; no syscall failed, no hang. */
bool dq_writer_result_ok(const struct dq_writer_result *res);
void dq_writer_log_result(const char *name, const struct dq_writer_result *res);

/*
 * The event log behind log_iocbs, usable on its own so that a test can
 * feed it made-up events and show that it flags lost, duplicated and
 * unknown ones. Ids are handed out in order and submitted in that order.
 */
struct dq_iolog_rec {
	uint64_t slot;		/* block_size slot of the file */
	uint64_t generation;
	uint32_t events;	/* io_events seen for this id */
	uint32_t req;		/* the writer's request index */
};

struct dq_iolog {
	struct dq_iolog_rec *recs;	/* indexed by id */
	uint64_t nr, alloc;
	uint64_t submitted;		/* ids below this were submitted */
};

void dq_iolog_init(struct dq_iolog *log);
void dq_iolog_free(struct dq_iolog *log);
/* A new id for a write about to be submitted; -ENOMEM. */
int dq_iolog_add(struct dq_iolog *log, uint64_t slot, uint64_t generation,
		 uint32_t req, uint64_t *id);
/* Forget the newest id: it was never submitted. */
void dq_iolog_unadd(struct dq_iolog *log);
/* io_submit() took the next nr ids. */
void dq_iolog_submitted(struct dq_iolog *log, uint64_t nr);
/*
 * Account one io_event for the write of size bytes with id into acct.
 * Returns the record if this is its first event (the caller then retires
 * the request), NULL for a duplicate or unknown id.
 */
struct dq_iolog_rec *dq_iolog_event(struct dq_iolog *log,
				    struct dq_writer_result *acct, uint64_t id,
				    int64_t res, int64_t res2, uint64_t size);
/* Count into acct the ids that never completed, and what was submitted. */
void dq_iolog_finish(const struct dq_iolog *log, struct dq_writer_result *acct);

#endif /* DIOWQ_SELFTEST_WRITER_H */
