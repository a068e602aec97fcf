/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An accounting AIO O_DIRECT writer for the fault tests: like writer.h's,
 * but every submitted iocb gets an id of its own (its aio_data) and an
 * entry in a log, so that at the end each one is known to have completed
 * exactly once, with which result. It tolerates failed writes (they are
 * what the I/O error test provokes) and keeps submitting after them.
 *
 * The log is what proves "no completion lost, none duplicated": an iocb
 * with no io_event is lost, a second io_event for the same id is a
 * duplicate, an io_event with an id never submitted is unknown. The
 * accounting part (struct dq_iolog) is usable on its own, so that a test
 * can feed it made-up events and show that it does flag those cases.
 *
 * As with writer.h, no two writes to one block are ever in flight, so a
 * successful completion sets the block's expected generation in the tagged
 * file; a failed one leaves the previous generation expected.
 */
#ifndef DIOWQ_SELFTEST_IOLOG_H
#define DIOWQ_SELFTEST_IOLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "tagged_file.h"
#include "writer.h"

struct dq_iolog_rec {
	uint64_t slot;		/* block_size slot of the file */
	uint64_t generation;
	int64_t res;		/* of the first io_event */
	uint32_t events;	/* io_events seen for this id */
	uint32_t req;		/* the writer's request index */
};

struct dq_iolog_result {
	uint64_t submitted;	/* iocbs io_submit() accepted */
	uint64_t events;	/* io_events reaped, all of them */
	uint64_t ok;		/* first event: res == the write's size */
	uint64_t failed;	/* first event: res < 0 */
	uint64_t eio;		/* of those, -EIO */
	uint64_t odd;		/* first event: 0 <= res < size (short) */
	uint64_t lost;		/* submitted, never completed */
	uint64_t duplicated;	/* extra events for an id already completed */
	uint64_t unknown;	/* events for an id never submitted */
	int64_t first_other_res;	/* first res that was neither ok nor -EIO */
	int error;		/* -errno of a failed syscall, 0 if none */
	const char *error_what;
	bool stalled;		/* writes in flight stopped completing */
	uint64_t elapsed_ms;
};

struct dq_iolog {
	struct dq_iolog_rec *recs;	/* indexed by id */
	uint64_t nr, alloc;
	struct dq_iolog_result res;
};

void dq_iolog_init(struct dq_iolog *log);
void dq_iolog_free(struct dq_iolog *log);
/* A new id for a write about to be submitted; -ENOMEM. */
int dq_iolog_add(struct dq_iolog *log, uint64_t slot, uint64_t generation,
		 uint32_t req, uint64_t *id);
/* io_submit() took it (ids not taken are dropped with dq_iolog_unadd). */
void dq_iolog_submitted(struct dq_iolog *log, uint64_t nr);
/* Forget the newest id: it was never submitted. */
void dq_iolog_unadd(struct dq_iolog *log);
/*
 * Account one io_event. Returns the record if this is its first event (the
 * caller then retires the request), NULL for a duplicate or unknown id.
 */
struct dq_iolog_rec *dq_iolog_event(struct dq_iolog *log, uint64_t id,
				    int64_t res, uint64_t size);
/* Count the ids that never completed; fills *res. */
void dq_iolog_finish(struct dq_iolog *log, struct dq_iolog_result *res);

/* Each submitted write completed exactly once; no syscall failed, no hang. */
bool dq_iolog_exactly_once(const struct dq_iolog_result *res);
/* That, and every write succeeded. */
bool dq_iolog_all_ok(const struct dq_iolog_result *res);
void dq_iolog_log_result(const char *name, const struct dq_iolog_result *res);

struct dq_iowriter;

/*
 * Start writing to tf (opts as for dq_writer_start(); duration_ms and
 * max_writes are honoured). Registered for cleanup like a dq_writer.
 */
int dq_iowriter_start(struct dq_iowriter **wp, struct dq_tagged_file *tf,
		      const struct dq_writer_opts *opts);
/* io_events reaped so far (first events only), and of those failed. */
uint64_t dq_iowriter_completed(struct dq_iowriter *w);
uint64_t dq_iowriter_failed(struct dq_iowriter *w);
uint64_t dq_iowriter_in_flight(struct dq_iowriter *w);
/* As dq_writer_wait_progress() / dq_writer_wait_in_flight(). */
int dq_iowriter_wait_progress(struct dq_iowriter *w, uint64_t min,
			      unsigned int timeout_ms);
int dq_iowriter_wait_in_flight(struct dq_iowriter *w, uint64_t min,
			       unsigned int timeout_ms);
void dq_iowriter_stop(struct dq_iowriter *w);
/*
 * Wait up to timeout_ms for it to end (after stopping it reaps what is in
 * flight, then listens a little longer for stray duplicate events), fill
 * *res, free it. -ETIMEDOUT if it hung (it is leaked, *res partial).
 */
int dq_iowriter_join(struct dq_iowriter *w, unsigned int timeout_ms,
		     struct dq_iolog_result *res);

#endif /* DIOWQ_SELFTEST_IOLOG_H */
