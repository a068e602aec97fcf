// SPDX-License-Identifier: GPL-2.0
/*
 * The asynchronous O_DIRECT writer. See writer.h.
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

#include <linux/fs.h>

#include "aio.h"
#include "util.h"
#include "writer.h"

/*
 * In-flight writes that complete nothing for this long are hung. Shorter
 * than the guest's 30 s hung-task panic, so the test gets to say so.
 */
#define DQ_WRITER_STALL_MS 15000

/* With the log, listen this long after the last write for stray events. */
#define DQ_WRITER_LINGER_MS 200

/* A teardown waits this long for a writer it stopped. */
#define DQ_WRITER_CLEANUP_MS 30000

/* --- the event log ------------------------------------------------------ */

void dq_iolog_init(struct dq_iolog *log)
{
	memset(log, 0, sizeof(*log));
}

void dq_iolog_free(struct dq_iolog *log)
{
	free(log->recs);
	dq_iolog_init(log);
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
	if (log->nr > log->submitted)
		log->nr--;
}

void dq_iolog_submitted(struct dq_iolog *log, uint64_t nr)
{
	log->submitted += nr;
}

static bool write_ok(int64_t res, int64_t res2, uint64_t size)
{
	return res == (int64_t)size && !res2;
}

/* Count the first io_event of a write; true if it wrote everything. */
static bool account_completion(struct dq_writer_result *acct, int64_t res,
			       int64_t res2, uint64_t size, uint64_t offset)
{
	acct->completed++;
	if (write_ok(res, res2, size))
		return true;
	if (!acct->failed++) {
		acct->first_bad_res = res;
		acct->first_bad_offset = offset;
	}
	if (res == -EIO) {
		acct->eio++;
	} else if (res >= 0 && res < (int64_t)size) {
		acct->short_writes++;
	} else if (acct->failed == acct->eio + acct->short_writes + 1) {
		/* The first failure of neither kind. */
		acct->first_other_res = res;
	}
	return false;
}

struct dq_iolog_rec *dq_iolog_event(struct dq_iolog *log,
				    struct dq_writer_result *acct, uint64_t id,
				    int64_t res, int64_t res2, uint64_t size)
{
	struct dq_iolog_rec *rec;

	acct->events++;
	/* Ids below submitted were handed to the kernel, in order. */
	if (id >= log->submitted) {
		acct->unknown++;
		return NULL;
	}
	rec = &log->recs[id];
	if (rec->events++) {
		acct->duplicated++;
		return NULL;
	}
	account_completion(acct, res, res2, size, rec->slot * size);
	return rec;
}

void dq_iolog_finish(const struct dq_iolog *log, struct dq_writer_result *acct)
{
	uint64_t i;

	acct->logged = true;
	acct->submitted = log->submitted;
	acct->lost = 0;
	for (i = 0; i < log->submitted; i++)
		if (!log->recs[i].events)
			acct->lost++;
}

/* --- the writer ---------------------------------------------------------- */

struct dq_request {
	struct iocb iocb;
	void *buf;
	uint64_t slot;		/* which block_size slot of the file */
	uint64_t generation;
	bool in_flight;		/* submitted, no io_event yet */
};

struct dq_writer {
	pthread_t thread;
	struct dq_tagged_file *tf;
	struct dq_writer_opts opts;
	uint64_t nr_slots;		/* block_size slots in the file */
	uint8_t *slot_busy;		/* a write to the slot is in flight */
	uint64_t next_append;		/* append: the next slot to write */
	struct dq_request *reqs;	/* queue_depth of them */
	unsigned int *free_reqs, nr_free;
	unsigned int *pending, nr_pending; /* prepared, not yet submitted */
	uint64_t rng;
	struct dq_iolog log;		/* opts.log_iocbs only */

	atomic_bool stop;
	atomic_bool done;
	atomic_uint_fast64_t completed;
	atomic_uint_fast64_t failed;
	atomic_uint_fast64_t in_flight;
	struct dq_writer_result res;	/* owned by the thread until done */
};

/* xorshift64*: fast, and reproducible from the seed. */
static uint64_t next_random(struct dq_writer *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static void fail(struct dq_writer *w, int err, const char *what)
{
	if (!w->res.error) {
		w->res.error = err;
		w->res.error_what = what;
	}
}

static bool may_submit(struct dq_writer *w, uint64_t start_ms)
{
	if (atomic_load(&w->stop) || w->res.error)
		return false;
	if (w->opts.duration_ms &&
	    dq_now_ms() - start_ms >= w->opts.duration_ms)
		return false;
	if (w->opts.max_writes &&
	    w->res.submitted + w->nr_pending >= w->opts.max_writes)
		return false;
	if (w->opts.append && w->next_append == w->nr_slots)
		return false;
	return true;
}

/*
 * Take a free request, aim it at a random idle slot, fill its blocks.
 * False if the log had no room for it.
 */
static bool prepare_write(struct dq_writer *w)
{
	unsigned int idx = w->free_reqs[w->nr_free - 1];
	struct dq_request *req = &w->reqs[idx];
	unsigned int blocks = w->opts.block_size / DQ_BLOCK_SIZE;
	uint64_t slot, offset, data = idx;
	unsigned int i;
	int err;

	if (w->opts.append) {
		slot = w->next_append++;
	} else {
		slot = next_random(w) % w->nr_slots;
		/* queue_depth is far below nr_slots, so this ends quickly. */
		while (w->slot_busy[slot])
			slot = (slot + 1) % w->nr_slots;
	}
	if (w->opts.log_iocbs) {
		err = dq_iolog_add(&w->log, slot, w->tf->next_generation, idx,
				   &data);
		if (err) {
			fail(w, err, "iolog");
			return false;
		}
	}
	w->nr_free--;
	w->slot_busy[slot] = 1;

	req->slot = slot;
	req->generation = w->tf->next_generation++;
	offset = slot * w->opts.block_size;
	for (i = 0; i < blocks; i++)
		dq_tf_fill_block((char *)req->buf + i * DQ_BLOCK_SIZE,
				 offset + i * DQ_BLOCK_SIZE, req->generation);

	memset(&req->iocb, 0, sizeof(req->iocb));
	req->iocb.aio_data = data;
	req->iocb.aio_lio_opcode = IOCB_CMD_PWRITE;
	req->iocb.aio_fildes = w->tf->fd;
	req->iocb.aio_buf = (uintptr_t)req->buf;
	req->iocb.aio_nbytes = w->opts.block_size;
	req->iocb.aio_offset = offset;
	req->iocb.aio_rw_flags = w->opts.dsync ? RWF_DSYNC : 0;

	w->pending[w->nr_pending++] = idx;
	return true;
}

static void release_request(struct dq_writer *w, unsigned int idx)
{
	w->reqs[idx].in_flight = false;
	w->slot_busy[w->reqs[idx].slot] = 0;
	w->free_reqs[w->nr_free++] = idx;
}

static void submit_pending(struct dq_writer *w, aio_context_t ctx)
{
	struct iocb *iocbs[w->opts.queue_depth];
	unsigned int i;
	int ret;

	if (!w->nr_pending)
		return;
	for (i = 0; i < w->nr_pending; i++)
		iocbs[i] = &w->reqs[w->pending[i]].iocb;

	ret = dq_io_submit(ctx, w->nr_pending, iocbs);
	if (ret < 0) {
		/* EAGAIN: no room right now; retry after reaping. */
		if (errno != EAGAIN)
			fail(w, -errno, "io_submit");
		return;
	}
	for (i = 0; i < (unsigned int)ret; i++)
		w->reqs[w->pending[i]].in_flight = true;
	w->res.submitted += ret;
	if (w->opts.log_iocbs)
		dq_iolog_submitted(&w->log, ret);
	atomic_fetch_add(&w->in_flight, ret);
	w->nr_pending -= ret;
	memmove(w->pending, w->pending + ret,
		w->nr_pending * sizeof(*w->pending));
}

/* Prepared but never submitted writes changed nothing on disk. */
static void drop_pending(struct dq_writer *w)
{
	while (w->nr_pending) {
		release_request(w, w->pending[--w->nr_pending]);
		/* Their ids are the newest ones, handed out in order. */
		if (w->opts.log_iocbs)
			dq_iolog_unadd(&w->log);
	}
}

/* The request an io_event is for, or NULL (counted) if there is none. */
static struct dq_request *event_request(struct dq_writer *w,
					const struct io_event *ev)
{
	struct dq_iolog_rec *rec;

	if (w->opts.log_iocbs) {
		rec = dq_iolog_event(&w->log, &w->res, ev->data, ev->res,
				     ev->res2, w->opts.block_size);
		return rec ? &w->reqs[rec->req] : NULL;
	}
	/* Without ids, an event for a request not in flight is all we see. */
	w->res.events++;
	if (ev->data >= w->opts.queue_depth || !w->reqs[ev->data].in_flight) {
		w->res.unknown++;
		return NULL;
	}
	account_completion(&w->res, ev->res, ev->res2, w->opts.block_size,
			   w->reqs[ev->data].iocb.aio_offset);
	return &w->reqs[ev->data];
}

static void complete_request(struct dq_writer *w, const struct io_event *ev)
{
	struct dq_request *req = event_request(w, ev);
	unsigned int blocks = w->opts.block_size / DQ_BLOCK_SIZE;
	unsigned int i;

	if (!req)
		return;
	if (write_ok(ev->res, ev->res2, w->opts.block_size)) {
		/* No other write to this slot was in flight: this is it. */
		for (i = 0; i < blocks; i++)
			w->tf->expected[req->slot * blocks + i] =
				req->generation;
	} else {
		atomic_fetch_add(&w->failed, 1);
		if (!w->opts.tolerate_errors && !atomic_load(&w->stop)) {
			dq_log("writer: the write at offset %llu failed (res %lld): stopping",
			       (unsigned long long)req->iocb.aio_offset,
			       (long long)ev->res);
			atomic_store(&w->stop, true);
		}
	}
	release_request(w, req - w->reqs);
	atomic_fetch_sub(&w->in_flight, 1);
	atomic_fetch_add(&w->completed, 1);
}

static void *writer_thread(void *arg)
{
	struct dq_writer *w = arg;
	unsigned int qd = w->opts.queue_depth;
	struct io_event events[qd];
	uint64_t start = dq_now_ms(), last_progress = start;
	aio_context_t ctx = 0;
	int n, i;

	if (w->opts.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->opts.cpu, &set);
		/* pid 0: just this thread. */
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

		while (w->nr_free && may_submit(w, start) && prepare_write(w))
			;
		submit_pending(w, ctx);

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
			/* What is in flight cannot be reaped: give up. */
			w->res.stalled = true;
			break;
		}
		if (n == 0) {
			if (dq_now_ms() - last_progress >= DQ_WRITER_STALL_MS) {
				/*
				 * Leak the context: io_destroy() would wait
				 * forever for the hung writes.
				 */
				w->res.stalled = true;
				break;
			}
			continue;
		}
		last_progress = dq_now_ms();
		for (i = 0; i < n; i++)
			complete_request(w, &events[i]);
	}

	drop_pending(w);
	/* With the log: a completion delivered twice would show up about now. */
	if (w->opts.log_iocbs && !w->res.stalled && !w->res.error) {
		struct timespec linger = {
			.tv_nsec = DQ_WRITER_LINGER_MS * 1000000l,
		};

		n = dq_io_getevents(ctx, 0, qd, events, &linger);
		for (i = 0; i < n; i++)
			complete_request(w, &events[i]);
	}
	if (!w->res.stalled)
		dq_io_destroy(ctx);
out:
	if (w->opts.log_iocbs)
		dq_iolog_finish(&w->log, &w->res);
	w->res.elapsed_ms = dq_now_ms() - start;
	atomic_store(&w->done, true);
	return NULL;
}

static void free_writer(struct dq_writer *w)
{
	unsigned int i;

	if (w->reqs) {
		for (i = 0; i < w->opts.queue_depth; i++)
			free(w->reqs[i].buf);
	}
	dq_iolog_free(&w->log);
	free(w->reqs);
	free(w->free_reqs);
	free(w->pending);
	free(w->slot_busy);
	free(w);
}

static void writer_cleanup(void *arg)
{
	struct dq_writer *w = arg;
	struct dq_writer_result res;

	dq_writer_stop(w);
	if (dq_writer_join(w, DQ_WRITER_CLEANUP_MS, &res))
		dq_log("a writer did not stop in %u ms", DQ_WRITER_CLEANUP_MS);
}

int dq_writer_start(struct dq_writer **wp, struct dq_tagged_file *tf,
		    const struct dq_writer_opts *opts)
{
	unsigned int i, qd = opts->queue_depth;
	struct dq_writer *w;
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
	dq_iolog_init(&w->log);
	w->nr_slots = tf->nr_blocks / (opts->block_size / DQ_BLOCK_SIZE);
	/* Room to pick idle slots at random, not just the few left. */
	if (w->nr_slots < 4ull * qd) {
		free(w);
		return -EINVAL;
	}

	w->slot_busy = calloc(w->nr_slots, 1);
	w->reqs = calloc(qd, sizeof(*w->reqs));
	w->free_reqs = calloc(qd, sizeof(*w->free_reqs));
	w->pending = calloc(qd, sizeof(*w->pending));
	err = -ENOMEM;
	if (!w->slot_busy || !w->reqs || !w->free_reqs || !w->pending)
		goto fail;
	for (i = 0; i < qd; i++) {
		if (posix_memalign(&w->reqs[i].buf, DQ_BLOCK_SIZE,
				   opts->block_size))
			goto fail;
		w->free_reqs[w->nr_free++] = i;
	}

	err = dq_cleanup_push(writer_cleanup, w);
	if (err)
		goto fail;
	err = -pthread_create(&w->thread, NULL, writer_thread, w);
	if (err) {
		dq_cleanup_forget(w);
		goto fail;
	}
	*wp = w;
	return 0;

fail:
	free_writer(w);
	return err;
}

uint64_t dq_writer_completed(struct dq_writer *w)
{
	return atomic_load(&w->completed);
}

uint64_t dq_writer_failed(struct dq_writer *w)
{
	return atomic_load(&w->failed);
}

uint64_t dq_writer_in_flight(struct dq_writer *w)
{
	return atomic_load(&w->in_flight);
}

int dq_writer_wait_progress(struct dq_writer *w, uint64_t min,
			    unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	while (atomic_load(&w->completed) < min) {
		if (atomic_load(&w->done))
			return -ECANCELED;
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		dq_sleep_ms(10);
	}
	return 0;
}

int dq_writer_wait_in_flight(struct dq_writer *w, uint64_t min,
			     unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	/* Spin: the window between two reaps can be microseconds long. */
	while (atomic_load(&w->in_flight) < min) {
		if (atomic_load(&w->done))
			return -ECANCELED;
		if (dq_now_ms() >= deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

void dq_writer_stop(struct dq_writer *w)
{
	atomic_store(&w->stop, true);
}

int dq_writer_join(struct dq_writer *w, unsigned int timeout_ms,
		   struct dq_writer_result *res)
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
		/* Hung: report what we know, leave the thread its memory. */
		memset(res, 0, sizeof(*res));
		res->completed = atomic_load(&w->completed);
		res->stalled = true;
		dq_cleanup_forget(w);
		return -err;
	}
	*res = w->res;
	dq_cleanup_forget(w);
	free_writer(w);
	return 0;
}

/* What both verdicts need: each write one event, nothing else wrong. */
static bool counted_once(const struct dq_writer_result *res)
{
	return !res->error && !res->stalled && !res->lost &&
	       !res->duplicated && !res->unknown &&
	       res->events == res->submitted &&
	       res->completed == res->submitted;
}

bool dq_writer_exactly_once(const struct dq_writer_result *res)
{
	return res->logged && counted_once(res);
}

bool dq_writer_result_ok(const struct dq_writer_result *res)
{
	return counted_once(res) && !res->failed;
}

void dq_writer_log_result(const char *name, const struct dq_writer_result *res)
{
	dq_log("%s: %" PRIu64 " submitted, %" PRIu64 " completed, %" PRIu64
	       " failed (%" PRIu64 " EIO, %" PRIu64 " short) in %" PRIu64
	       " ms (%" PRIu64 " IOPS)%s", name, res->submitted,
	       res->completed, res->failed, res->eio, res->short_writes,
	       res->elapsed_ms,
	       res->elapsed_ms ? res->completed * 1000 / res->elapsed_ms : 0,
	       res->stalled ? ", STALLED" : "");
	if (res->logged || res->unknown || res->events != res->completed)
		dq_log("%s: %" PRIu64 " io_events: %" PRIu64 " lost, %" PRIu64
		       " duplicated, %" PRIu64 " unknown%s", name, res->events,
		       res->lost, res->duplicated, res->unknown,
		       res->logged ? " (every iocb logged)" : "");
	if (res->failed)
		dq_log("%s: first failed write at offset %" PRIu64 ": res %"
		       PRId64, name, res->first_bad_offset,
		       res->first_bad_res);
	if (res->failed > res->eio + res->short_writes)
		dq_log("%s: first result neither the size, short nor -EIO: %"
		       PRId64, name, res->first_other_res);
	if (res->error)
		dq_log("%s: %s: %s", name, res->error_what,
		       strerror(-res->error));
}
