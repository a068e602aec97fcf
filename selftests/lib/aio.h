/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux native AIO through the raw syscalls and <linux/aio_abi.h>: all the
 * writer needs, without libaio.
 */
#ifndef DIOWQ_SELFTEST_AIO_H
#define DIOWQ_SELFTEST_AIO_H

#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline int dq_io_setup(unsigned int nr_events, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr_events, ctx);
}

static inline int dq_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static inline int dq_io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
	return syscall(SYS_io_submit, ctx, nr, iocbs);
}

static inline int dq_io_getevents(aio_context_t ctx, long min_nr, long nr,
				  struct io_event *events,
				  struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min_nr, nr, events, timeout);
}

#endif /* DIOWQ_SELFTEST_AIO_H */
