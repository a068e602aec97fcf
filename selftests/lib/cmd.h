/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a program the way a user would and keeping what it said: its
 * stdout, its stderr and its exit status, each on its own. Optionally as
 * another user, or as root without CAP_SYS_ADMIN; optionally in the
 * background (for a program that runs until stopped, like a monitor),
 * reading its stdout line by line.
 *
 * The child's stdin is /dev/null; it inherits the environment and stays in
 * our process group, so the harness's timeout kills it with the test.
 */
#ifndef DIOWQ_SELFTEST_CMD_H
#define DIOWQ_SELFTEST_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Each stream keeps at most this much; the rest is counted, not kept. */
#define DQ_CMD_OUT_MAX 32768

/* A program that takes longer is killed (SIGKILL). */
#define DQ_CMD_TIMEOUT_MS 20000

/* The uid and gid of "nobody". */
#define DQ_UID_NOBODY 65534

/* Who runs it. */
enum dq_cmd_as {
	DQ_AS_US,		/* as the test runs: root */
	DQ_AS_NOBODY,		/* uid and gid DQ_UID_NOBODY, no groups */
	/* root, but with CAP_SYS_ADMIN gone from the bounding set */
	DQ_AS_ROOT_WITHOUT_SYS_ADMIN,
};

struct dq_cmd_opts {
	enum dq_cmd_as as;
	unsigned int timeout_ms;	/* 0: DQ_CMD_TIMEOUT_MS */
};

struct dq_stream {
	char buf[DQ_CMD_OUT_MAX + 1];	/* NUL-terminated */
	size_t len;			/* bytes kept in buf */
	size_t lost;			/* bytes that did not fit */
};

struct dq_cmd {
	/*
	 * Exit status 0-255, 256 + the signal number if it was killed, or
	 * -errno if it could not be run. A timeout kills it: 256 + SIGKILL,
	 * and timed_out is set.
	 */
	int status;
	bool timed_out;
	struct dq_stream out;
	struct dq_stream err;
	char line[512];		/* the command line, for messages */
};

/*
 * Run argv (argv[0] looked up in $PATH) to completion. opts may be NULL.
 * Returns cmd->status.
 */
int dq_cmd_run(struct dq_cmd *cmd, const struct dq_cmd_opts *opts,
	       const char *const argv[]);

/* Log the command line, its status, stdout and stderr as KTAP comments. */
void dq_cmd_log(const struct dq_cmd *cmd);

/* The tool under test, looked up in $PATH. */
#define DQ_CTL_PROG "diowqctl"

/*
 * Run diowqctl with argv[1..] (argv[0] is set here) as @as, and log the
 * command line and its exit status (who ran it, if not us). timeout_ms 0:
 * DQ_CMD_TIMEOUT_MS. Returns cmd->status. The tests drive it through the
 * macros of ctl.h.
 */
int dq_ctl_run(struct dq_cmd *cmd, enum dq_cmd_as as, unsigned int timeout_ms,
	       const char **argv);

/* A program left running. */
struct dq_bg {
	pid_t pid;		/* 0 once reaped */
	int out_fd, err_fd;	/* read ends, -1 once at EOF */
	struct dq_stream out;	/* stdout not yet handed out as lines */
	struct dq_stream err;	/* all of its stderr */
	int status;		/* as dq_cmd's, once it ended */
	char line[512];
};

/*
 * Start argv in the background. It is registered for cleanup (util.h):
 * dq_machine_reset() stops it if the test did not.
 */
int dq_bg_start(struct dq_bg *bg, const struct dq_cmd_opts *opts,
		const char *const argv[]);

/*
 * The next complete line of its stdout, without the "\n", within
 * timeout_ms: 0, -ETIMEDOUT, -EPIPE if its stdout ended first, -ENOSPC if
 * the line does not fit.
 */
int dq_bg_read_line(struct dq_bg *bg, char *line, size_t size,
		    unsigned int timeout_ms);

/* Is it still running? */
bool dq_bg_running(struct dq_bg *bg);

/*
 * Stop it (SIGTERM, then SIGKILL after a second), collect the rest of its
 * stderr, reap it and unregister it. Returns its status; idempotent.
 */
int dq_bg_stop(struct dq_bg *bg);

/* Does the text contain needle? (NULL text: no.) */
bool dq_contains(const char *text, const char *needle);

/* Is prog an executable file in a directory of $PATH? */
bool dq_in_path(const char *prog);

#endif /* DIOWQ_SELFTEST_CMD_H */
