// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting AIO writer. See iolog.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aio.h"
#include "iolog.h"
#include "util.h"

/* In-flight writes that complete nothing for this long are hung. */
#define DQ_IOWRITER_STALL_MS 15000
/* After the last write completed, listen this long for stray events. */
#define DQ_IOWRITER_LINGER_MS 200
#define DQ_IOWRITER_CLEANUP_MS 30000

void dq_iolog_init(struct dq_iolog *log)
{
	memset(log, 0, sizeof(*log));
}

void dq_iolog_free(struct dq_iolog *log)
{
	free(log->recs);
	log->recs = NULL;
	log->nr = log->alloc = 0;
}

int dq_iolog_add(struct dq_iolog *log, uint64_t slot, uint64_t generation,
		 uint32_t req, uint64_t *id)
{
	struct dq_iolog_rec *rec;

	if (log->nr == log->alloc) {
		uint64_t alloc = log->alloc ? 2 * log->alloc : 4096;

		rec = realloc(log->recs, alloc * sizeof(*rec));
		if (!rec)
			return -ENOMEM;
		log->recs = rec;
		log->alloc = alloc;
	}
	rec = &log->recs[log->nr];
	memset(rec, 0, sizeof(*rec));
	rec->slot = slot;
	rec->generation = generation;
	rec->req = req;
	*id = log->nr++;
	return 0;
}

void dq_iolog_unadd(struct dq_iolog *log)
{
	if (log->nr)
		log->nr--;
}

void dq_iolog_submitted(struct dq_iolog *log, uint64_t nr)
{
	log->res.submitted += nr;
}

struct dq_iolog_rec *dq_iolog_event(struct dq_iolog *log, uint64_t id,
				    int64_t res, uint64_t size)
{
	struct dq_iolog_rec *rec;

	log->res.events++;
	/* Ids below submitted were handed to the kernel, in order. */
	if (id >= log->res.submitted) {
		log->res.unknown++;
		return NULL;
	}
	rec = &log->recs[id];
	if (rec->events++) {
		log->res.duplicated++;
		return NULL;
	}
	rec->res = res;
	if (res == (int64_t)size) {
		log->res.ok++;
		return rec;
	}
	if (res < 0) {
		log->res.failed++;
		if (res == -EIO) {
			log->res.eio++;
			return rec;
		}
	} else {
		log->res.odd++;
	}
	if (!log->res.first_other_res)
		log->res.first_other_res = res;
	return rec;
}

void dq_iolog_finish(struct dq_iolog *log, struct dq_iolog_result *res)
{
	uint64_t i;

	log->res.lost = 0;
	for (i = 0; i < log->res.submitted; i++)
		if (!log->recs[i].events)
			log->res.lost++;
	*res = log->res;
}

bool dq_iolog_exactly_once(const struct dq_iolog_result *res)
{
	return !res->error && !res->stalled && !res->lost &&
	       !res->duplicated && !res->unknown &&
	       res->events == res->submitted &&
	       res->ok + res->failed + res->odd == res->submitted;
}

bool dq_iolog_all_ok(const struct dq_iolog_result *res)
{
	return dq_iolog_exactly_once(res) && res->ok == res->submitted;
}

void dq_iolog_log_result(const char *name, const struct dq_iolog_result *res)
{
	dq_log("%s: %" PRIu64 " submitted, %" PRIu64 " io_events: %" PRIu64
	       " ok, %" PRIu64 " failed (%" PRIu64 " EIO), %" PRIu64
	       " short; %" PRIu64 " lost, %" PRIu64 " duplicated, %" PRIu64
	       " unknown; %" PRIu64 " ms%s", name, res->submitted, res->events,
	       res->ok, res->failed, res->eio, res->odd, res->lost,
	       res->duplicated, res->unknown, res->elapsed_ms,
	       res->stalled ? ", STALLED" : "");
	if (res->first_other_res)
		dq_log("%s: first result neither %s nor -EIO: %" PRId64, name,
		       "the size", res->first_other_res);
	if (res->error)
		dq_log("%s: %s: %s", name, res->error_what,
		       strerror(-res->error));
}

/* --- the writer thread ------------------------------------------------ */

struct dq_iowriter_req {
	struct iocb iocb;
	void *buf;
};

struct dq_iowriter {
	pthread_t thread;
	struct dq_tagged_file *tf;
	struct dq_writer_opts opts;
	uint64_t nr_slots;
	uint8_t *slot_busy;
	struct dq_iowriter_req *reqs;
	unsigned int *free_reqs, nr_free;
	uint64_t rng;
	struct dq_iolog log;	/* owned by the thread until done */

	atomic_bool stop;
	atomic_bool done;
	atomic_uint_fast64_t completed;
	atomic_uint_fast64_t failed;
	atomic_uint_fast64_t in_flight;
	uint64_t elapsed_ms;
};

static uint64_t next_random(struct dq_iowriter *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static void fail(struct dq_iowriter *w, int err, const char *what)
{
	if (!w->log.res.error) {
		w->log.res.error = err;
		w->log.res.error_what = what;
	}
}

static bool may_submit(struct dq_iowriter *w, uint64_t start_ms)
{
	if (atomic_load(&w->stop) || w->log.res.error)
		return false;
	if (w->opts.duration_ms &&
	    dq_now_ms() - start_ms >= w->opts.duration_ms)
		return false;
	if (w->opts.max_writes && w->log.res.submitted >= w->opts.max_writes)
		return false;
	return true;
}

/* Prepare and submit one write; false if nothing was submitted. */
static bool submit_one(struct dq_iowriter *w, aio_context_t ctx)
{
	unsigned int idx = w->free_reqs[w->nr_free - 1];
	struct dq_iowriter_req *req = &w->reqs[idx];
	unsigned int blocks = w->opts.block_size / DQ_BLOCK_SIZE;
	uint64_t slot = next_random(w) % w->nr_slots;
	uint64_t gen, id, offset;
	struct iocb *iocb = &req->iocb;
	unsigned int i;
	int err;

	while (w->slot_busy[slot])
		slot = (slot + 1) % w->nr_slots;
	gen = w->tf->next_generation;
	err = dq_iolog_add(&w->log, slot, gen, idx, &id);
	if (err) {
		fail(w, err, "iolog");
		return false;
	}
	offset = slot * w->opts.block_size;
	for (i = 0; i < blocks; i++)
		dq_tf_fill_block((char *)req->buf + i * DQ_BLOCK_SIZE,
				 offset + i * DQ_BLOCK_SIZE, gen);
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_data = id;
	iocb->aio_lio_opcode = IOCB_CMD_PWRITE;
	iocb->aio_fildes = w->tf->fd;
	iocb->aio_buf = (uintptr_t)req->buf;
	iocb->aio_nbytes = w->opts.block_size;
	iocb->aio_offset = offset;

	if (dq_io_submit(ctx, 1, &iocb) != 1) {
		dq_iolog_unadd(&w->log);
		if (errno != EAGAIN)
			fail(w, -errno, "io_submit");
		return false;
	}
	w->tf->next_generation++;
	w->slot_busy[slot] = 1;
	w->nr_free--;
	dq_iolog_submitted(&w->log, 1);
	atomic_fetch_add(&w->in_flight, 1);
	return true;
}

static void reap(struct dq_iowriter *w, const struct io_event *ev, int n)
{
	unsigned int blocks = w->opts.block_size / DQ_BLOCK_SIZE;
	int i;

	for (i = 0; i < n; i++) {
		struct dq_iolog_rec *rec;
		unsigned int b;

		rec = dq_iolog_event(&w->log, ev[i].data, ev[i].res,
				     w->opts.block_size);
		if (!rec)
			continue;	/* counted as duplicate or unknown */
		if (rec->res == (int64_t)w->opts.block_size) {
			for (b = 0; b < blocks; b++)
				w->tf->expected[rec->slot * blocks + b] =
					rec->generation;
		} else {
			atomic_fetch_add(&w->failed, 1);
		}
		w->slot_busy[rec->slot] = 0;
		w->free_reqs[w->nr_free++] = rec->req;
		atomic_fetch_sub(&w->in_flight, 1);
		atomic_fetch_add(&w->completed, 1);
	}
}

static void *iowriter_thread(void *arg)
{
	struct dq_iowriter *w = arg;
	unsigned int qd = w->opts.queue_depth;
	struct io_event events[qd];
	uint64_t start = dq_now_ms(), last_progress = start;
	aio_context_t ctx = 0;
	int n;

	if (w->opts.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->opts.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fail(w, -errno, "sched_setaffinity");
			goto out;
		}
	}
	if (dq_io_setup(qd, &ctx)) {
		fail(w, -errno, "io_setup");
		goto out;
	}

	for (;;) {
		struct timespec timeout = { .tv_sec = 1 };

		while (w->nr_free && may_submit(w, start) &&
		       submit_one(w, ctx))
			;
		if (!atomic_load(&w->in_flight)) {
			if (!may_submit(w, start))
				break;
			/* io_submit said EAGAIN with nothing in flight. */
			dq_sleep_ms(1);
			continue;
		}
		n = dq_io_getevents(ctx, 1, qd, events, &timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(w, -errno, "io_getevents");
			w->log.res.stalled = true;
			break;
		}
		if (n == 0) {
			if (dq_now_ms() - last_progress >= DQ_IOWRITER_STALL_MS) {
				w->log.res.stalled = true;
				break;
			}
			continue;
		}
		last_progress = dq_now_ms();
		reap(w, events, n);
	}

	/* A completion delivered twice would show up about now. */
	if (!w->log.res.stalled && !w->log.res.error) {
		struct timespec linger = {
			.tv_nsec = DQ_IOWRITER_LINGER_MS * 1000000l,
		};

		n = dq_io_getevents(ctx, 0, qd, events, &linger);
		if (n > 0)
			reap(w, events, n);
	}
	/* io_destroy() would wait forever for hung writes: leak it then. */
	if (!w->log.res.stalled)
		dq_io_destroy(ctx);
out:
	w->elapsed_ms = dq_now_ms() - start;
	atomic_store(&w->done, true);
	return NULL;
}

static void free_iowriter(struct dq_iowriter *w)
{
	unsigned int i;

	if (w->reqs) {
		for (i = 0; i < w->opts.queue_depth; i++)
			free(w->reqs[i].buf);
	}
	dq_iolog_free(&w->log);
	free(w->reqs);
	free(w->free_reqs);
	free(w->slot_busy);
	free(w);
}

static void iowriter_cleanup(void *arg)
{
	struct dq_iowriter *w = arg;
	struct dq_iolog_result res;

	dq_iowriter_stop(w);
	if (dq_iowriter_join(w, DQ_IOWRITER_CLEANUP_MS, &res))
		dq_log("a writer did not stop in %u ms",
		       DQ_IOWRITER_CLEANUP_MS);
}

int dq_iowriter_start(struct dq_iowriter **wp, struct dq_tagged_file *tf,
		      const struct dq_writer_opts *opts)
{
	unsigned int i, qd = opts->queue_depth;
	struct dq_iowriter *w;
	int err;

	*wp = NULL;
	if (!opts->block_size || opts->block_size % DQ_BLOCK_SIZE || !qd ||
	    tf->fd < 0)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->tf = tf;
	w->opts = *opts;
	w->rng = opts->seed ? opts->seed : 0x9e3779b97f4a7c15ull;
	w->nr_slots = tf->nr_blocks / (opts->block_size / DQ_BLOCK_SIZE);
	dq_iolog_init(&w->log);
	if (w->nr_slots < 4ull * qd) {
		free(w);
		return -EINVAL;
	}
	w->slot_busy = calloc(w->nr_slots, 1);
	w->reqs = calloc(qd, sizeof(*w->reqs));
	w->free_reqs = calloc(qd, sizeof(*w->free_reqs));
	err = -ENOMEM;
	if (!w->slot_busy || !w->reqs || !w->free_reqs)
		goto fail;
	for (i = 0; i < qd; i++) {
		if (posix_memalign(&w->reqs[i].buf, DQ_BLOCK_SIZE,
				   opts->block_size))
			goto fail;
		w->free_reqs[w->nr_free++] = i;
	}
	err = dq_cleanup_push(iowriter_cleanup, w);
	if (err)
		goto fail;
	err = -pthread_create(&w->thread, NULL, iowriter_thread, w);
	if (err) {
		dq_cleanup_forget(w);
		goto fail;
	}
	*wp = w;
	return 0;
fail:
	free_iowriter(w);
	return err;
}

uint64_t dq_iowriter_completed(struct dq_iowriter *w)
{
	return atomic_load(&w->completed);
}

uint64_t dq_iowriter_failed(struct dq_iowriter *w)
{
	return atomic_load(&w->failed);
}

uint64_t dq_iowriter_in_flight(struct dq_iowriter *w)
{
	return atomic_load(&w->in_flight);
}

int dq_iowriter_wait_progress(struct dq_iowriter *w, uint64_t min,
			      unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (atomic_load(&w->completed) < min) {
		if (atomic_load(&w->done))
			return -ECANCELED;
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(5);
	}
	return 0;
}

int dq_iowriter_wait_in_flight(struct dq_iowriter *w, uint64_t min,
			       unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (atomic_load(&w->in_flight) < min) {
		if (atomic_load(&w->done))
			return -ECANCELED;
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

void dq_iowriter_stop(struct dq_iowriter *w)
{
	atomic_store(&w->stop, true);
}

int dq_iowriter_join(struct dq_iowriter *w, unsigned int timeout_ms,
		     struct dq_iolog_result *res)
{
	struct timespec deadline;
	int err;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	err = pthread_timedjoin_np(w->thread, NULL, &deadline);
	if (err) {
		memset(res, 0, sizeof(*res));
		res->events = atomic_load(&w->completed);
		res->stalled = true;
		dq_cleanup_forget(w);
		return -err;
	}
	dq_iolog_finish(&w->log, res);
	res->elapsed_ms = w->elapsed_ms;
	dq_cleanup_forget(w);
	free_iowriter(w);
	return 0;
}
