/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the diowq selftests: logging, time, running
 * programs, and a cleanup registry that lets a fixture teardown stop
 * whatever a failed test left running.
 *
 * Nothing in lib/ includes kselftest_harness.h (it defines globals), so
 * helpers report failure as -errno and log with dq_log(), which prints
 * KTAP diagnostic lines ("# ...") on stderr like the harness's TH_LOG().
 */
#ifndef DIOWQ_SELFTEST_UTIL_H
#define DIOWQ_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define dq_log(fmt, ...) \
	dq_logf("# diowq: " fmt "\n", ##__VA_ARGS__)

void dq_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds of CLOCK_MONOTONIC: for deadlines and elapsed times. */
uint64_t dq_now_ms(void);
void dq_sleep_ms(unsigned int ms);

/*
 * Run argv[0] (looked up in $PATH) with stdin from /dev/null and its output
 * captured. Returns its exit status (0-255), 256 + signal number if it was
 * killed, or -errno if it could not be started. On a non-zero status the
 * captured output is logged, so a failing mkfs explains itself.
 */
int dq_run(const char *const argv[]);

/*
 * Does this kernel complete a pure overwrite inline, in the bio's end_io,
 * instead of queueing it on s_dio_done_wq? The kernel lines diowq is
 * tested on (README, "Support"): Debian's 6.1 and 6.12 queue every async
 * direct write's completion, 7.x only those that need completion work.
 */
bool dq_overwrites_complete_inline(void);

/* mkdir -p; 0 or -errno. */
int dq_mkdir_p(const char *path);

/*
 * Cleanup registry. A helper that starts something a test must not leak
 * (a writer thread, an open file on a mount we want to unmount) registers
 * a callback; dq_cleanup_run_all() calls the outstanding ones, newest first.
 * Used by dq_machine_reset(), which every teardown calls. Main thread only.
 */
int dq_cleanup_push(void (*fn)(void *arg), void *arg);
/* Forget arg's callback without running it (the owner cleaned up itself). */
void dq_cleanup_forget(void *arg);
void dq_cleanup_run_all(void);

#endif /* DIOWQ_SELFTEST_UTIL_H */
