// SPDX-License-Identifier: GPL-2.0
/*
 * Logging, time, program execution and the cleanup registry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void dq_logf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

uint64_t dq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dq_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Keep the tail of a program's output: that is where the error is. */
#define DQ_RUN_OUTPUT_MAX 4096

static void log_output(const char *out)
{
	const char *line = out;

	while (*line) {
		const char *end = strchrnul(line, '\n');

		dq_logf("#   %.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
}

int dq_run(const char *const argv[])
{
	char out[DQ_RUN_OUTPUT_MAX + 1];
	size_t used = 0;
	int pipefd[2];
	int status;
	pid_t pid;
	ssize_t n;
	char chunk[512];

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}

	close(pipefd[1]);
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (used + n > DQ_RUN_OUTPUT_MAX) {
			size_t drop = used + n - DQ_RUN_OUTPUT_MAX;

			if (drop > used)
				drop = used;
			memmove(out, out + drop, used - drop);
			used -= drop;
		}
		memcpy(out + used, chunk, n);
		used += n;
	}
	out[used] = '\0';
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}

	if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else
		status = 256 + WTERMSIG(status);

	if (status) {
		dq_log("'%s' failed with status %d; its output:", argv[0], status);
		log_output(out);
	}
	return status;
}

int dq_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);

	for (p = buf + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

/* A handful is plenty: a test has at most a few writers, files, samplers. */
#define DQ_CLEANUP_MAX 32

static struct {
	void (*fn)(void *arg);
	void *arg;
} cleanups[DQ_CLEANUP_MAX];
static unsigned int nr_cleanups;

int dq_cleanup_push(void (*fn)(void *arg), void *arg)
{
	if (nr_cleanups == DQ_CLEANUP_MAX)
		return -ENOSPC;
	cleanups[nr_cleanups].fn = fn;
	cleanups[nr_cleanups].arg = arg;
	nr_cleanups++;
	return 0;
}

void dq_cleanup_forget(void *arg)
{
	unsigned int i;

	for (i = nr_cleanups; i-- > 0;) {
		if (cleanups[i].arg != arg)
			continue;
		memmove(&cleanups[i], &cleanups[i + 1],
			(nr_cleanups - i - 1) * sizeof(cleanups[0]));
		nr_cleanups--;
		return;
	}
}

void dq_cleanup_run_all(void)
{
	while (nr_cleanups) {
		nr_cleanups--;
		cleanups[nr_cleanups].fn(cleanups[nr_cleanups].arg);
	}
}

bool dq_overwrites_complete_inline(void)
{
	struct utsname u;
	int major;

	if (uname(&u) || sscanf(u.release, "%d.", &major) != 1)
		return false;
	return major >= 7;
}
