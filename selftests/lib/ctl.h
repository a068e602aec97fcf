/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving diowqctl from a kselftest_harness test program, as a user would:
 * CTL_RUN(args...) runs it as root and returns its exit status, and `cmd`
 * keeps what it said until the next run. Include after kselftest_harness.h;
 * define CTL_TIMEOUT_MS first for commands that run longer than
 * DQ_CMD_TIMEOUT_MS.
 */
#ifndef DIOWQ_SELFTEST_CTL_H
#define DIOWQ_SELFTEST_CTL_H

#include "cmd.h"
#include "util.h"

#ifndef CTL_TIMEOUT_MS
#define CTL_TIMEOUT_MS 0
#endif

/* For dq_bg_start() and argv built by hand. */
#define CTL DQ_CTL_PROG

/* The last run's output: large, so one static buffer per test program. */
static struct dq_cmd cmd;

/* diowqctl argv[1..] (a NULL-terminated array) as who: its exit status. */
#define CTL_ARGV(as, argv) dq_ctl_run(&cmd, as, CTL_TIMEOUT_MS, argv)
/* diowqctl ARGS... as who. */
#define CTL_AS(as, ...) CTL_ARGV(as, ((const char *[]){ NULL, __VA_ARGS__, NULL }))
/* diowqctl ARGS... as root. */
#define CTL_RUN(...) CTL_AS(DQ_AS_US, __VA_ARGS__)

/* Expect diowqctl ARGS... to exit with want; log what it said if not. */
#define EXPECT_CTL(want, ...) do {					\
	int __dq_st = CTL_RUN(__VA_ARGS__);				\
	EXPECT_EQ(want, __dq_st) dq_cmd_log(&cmd);			\
} while (0)

#define ASSERT_CTL(want, ...) do {					\
	int __dq_st = CTL_RUN(__VA_ARGS__);				\
	ASSERT_EQ(want, __dq_st) dq_cmd_log(&cmd);			\
} while (0)

/* The last run's stdout or stderr contains needle. */
#define EXPECT_STDOUT_HAS(needle) do {					\
	EXPECT_TRUE(dq_contains(cmd.out.buf, needle)) {			\
		TH_LOG("stdout lacks '%s'", needle);			\
		dq_cmd_log(&cmd);					\
	}								\
} while (0)

#define EXPECT_STDERR_HAS(needle) do {					\
	EXPECT_TRUE(dq_contains(cmd.err.buf, needle)) {			\
		TH_LOG("stderr lacks '%s'", needle);			\
		dq_cmd_log(&cmd);					\
	}								\
} while (0)

/*
 * main() of a test program of diowqctl: DQ_TEST_MAIN's, and the tool must
 * be in $PATH (the VM's /usr/sbin), else every test would fail on its own.
 */
#define DQ_CTL_TEST_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		dq_program_prologue();					\
		if (!dq_in_path(CTL)) {					\
			ksft_print_header();				\
			ksft_exit_fail_msg("%s is not in PATH (%s): the VM should have it in /usr/sbin\n", \
					   CTL, getenv("PATH"));	\
		}							\
		return test_harness_run(argc, argv);			\
	}

#endif /* DIOWQ_SELFTEST_CTL_H */
