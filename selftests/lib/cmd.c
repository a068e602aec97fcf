// SPDX-License-Identifier: GPL-2.0
/*
 * Running programs with their output captured: see cmd.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "cmd.h"
#include "util.h"

/* "prog arg 'arg with space'": for messages only. */
static void describe(char *buf, size_t size, const char *const argv[])
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && used < size; i++) {
		bool quote = !argv[i][0] || strpbrk(argv[i], " \t\"$*?");

		used += snprintf(buf + used, size - used, "%s%s%s%s",
				 i ? " " : "", quote ? "'" : "", argv[i],
				 quote ? "'" : "");
	}
}

/* Drop CAP_SYS_ADMIN so that no exec can get it back. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].inheritable &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

static int become(enum dq_cmd_as as)
{
	switch (as) {
	case DQ_AS_US:
		return 0;
	case DQ_AS_NOBODY:
		if (setgroups(0, NULL) || setgid(DQ_UID_NOBODY) ||
		    setuid(DQ_UID_NOBODY))
			return -1;
		/* There is no way back. */
		if (!setuid(0))
			return -1;
		return 0;
	case DQ_AS_ROOT_WITHOUT_SYS_ADMIN:
		return drop_sys_admin();
	}
	return -1;
}

/* Fork and exec argv with stdout and stderr on pipes; -errno on failure. */
static int spawn(const struct dq_cmd_opts *opts, const char *const argv[],
		 pid_t *pid, int *out_fd, int *err_fd)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		int e = -errno;

		close(out[0]);
		close(out[1]);
		return e;
	}
	fflush(stdout);
	fflush(stderr);
	*pid = fork();
	if (*pid < 0) {
		int e = -errno;

		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (*pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(err[1], STDERR_FILENO) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		if (become(opts ? opts->as : DQ_AS_US)) {
			fprintf(stderr, "cannot change identity: %s\n",
				strerror(errno));
			_exit(126);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return 0;
}

static void keep(struct dq_stream *s, const char *data, size_t n)
{
	size_t room = DQ_CMD_OUT_MAX - s->len;
	size_t take = n < room ? n : room;

	memcpy(s->buf + s->len, data, take);
	s->len += take;
	s->lost += n - take;
	s->buf[s->len] = '\0';
}

/* Read what is there from *fd into s; close it and set -1 at EOF. */
static void drain(int *fd, struct dq_stream *s)
{
	char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n > 0) {
			keep(s, chunk, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EOF, or an error we cannot do anything about. */
		close(*fd);
		*fd = -1;
		return;
	}
}

/*
 * Wait up to timeout_ms for either fd to be readable and read it. Returns
 * false once both are closed or the time is up.
 */
static bool pump(int *out_fd, struct dq_stream *out, int *err_fd,
		 struct dq_stream *err, unsigned int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = *out_fd, .events = POLLIN },
		{ .fd = *err_fd, .events = POLLIN },
	};
	int n;

	if (*out_fd < 0 && *err_fd < 0)
		return false;
	n = poll(pfd, 2, timeout_ms);
	if (n < 0)
		return errno == EINTR;
	if (n == 0)
		return false;
	if (*out_fd >= 0 && pfd[0].revents)
		drain(out_fd, out);
	if (*err_fd >= 0 && pfd[1].revents)
		drain(err_fd, err);
	return true;
}

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 256 + WTERMSIG(status);
}

static unsigned int ms_left(uint64_t deadline)
{
	uint64_t now = dq_now_ms();

	return now < deadline ? deadline - now : 0;
}

int dq_cmd_run(struct dq_cmd *cmd, const struct dq_cmd_opts *opts,
	       const char *const argv[])
{
	unsigned int timeout = opts && opts->timeout_ms ? opts->timeout_ms :
			       DQ_CMD_TIMEOUT_MS;
	uint64_t deadline = dq_now_ms() + timeout;
	int out_fd, err_fd, err;
	pid_t pid;

	memset(cmd, 0, sizeof(*cmd));
	describe(cmd->line, sizeof(cmd->line), argv);
	err = spawn(opts, argv, &pid, &out_fd, &err_fd);
	if (err) {
		cmd->status = err;
		return err;
	}
	while (pump(&out_fd, &cmd->out, &err_fd, &cmd->err,
		    ms_left(deadline)))
		;
	if (out_fd >= 0 || err_fd >= 0) {
		cmd->timed_out = true;
		kill(pid, SIGKILL);
		/* Whatever it wrote before it died; a child of its own may
		 * still hold the pipes, so do not wait for EOF for long.
		 */
		deadline = dq_now_ms() + 1000;
		while (pump(&out_fd, &cmd->out, &err_fd, &cmd->err,
			    ms_left(deadline)))
			;
		if (out_fd >= 0)
			close(out_fd);
		if (err_fd >= 0)
			close(err_fd);
	}
	cmd->status = reap(pid);
	return cmd->status;
}

static void log_stream(const char *name, const struct dq_stream *s)
{
	const char *line = s->buf;

	if (!s->len) {
		dq_logf("#   %s: (empty)\n", name);
		return;
	}
	dq_logf("#   %s:\n", name);
	while (*line) {
		const char *end = strchrnul(line, '\n');

		dq_logf("#   | %.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
	if (s->lost)
		dq_logf("#   (%zu more bytes not kept)\n", s->lost);
}

void dq_cmd_log(const struct dq_cmd *cmd)
{
	dq_logf("# $ %s\n#   exit status %d%s\n", cmd->line, cmd->status,
		cmd->timed_out ? " (killed: timed out)" : "");
	log_stream("stdout", &cmd->out);
	log_stream("stderr", &cmd->err);
}

int dq_ctl_run(struct dq_cmd *cmd, enum dq_cmd_as as, unsigned int timeout_ms,
	       const char **argv)
{
	const struct dq_cmd_opts opts = { .as = as, .timeout_ms = timeout_ms };

	argv[0] = DQ_CTL_PROG;
	dq_cmd_run(cmd, &opts, argv);
	dq_log("$ %s%s -> exit %d", as == DQ_AS_NOBODY ? "(uid 65534) " :
	       as == DQ_AS_ROOT_WITHOUT_SYS_ADMIN ? "(no CAP_SYS_ADMIN) " : "",
	       cmd->line, cmd->status);
	return cmd->status;
}

static void bg_cleanup(void *arg)
{
	dq_bg_stop(arg);
}

int dq_bg_start(struct dq_bg *bg, const struct dq_cmd_opts *opts,
		const char *const argv[])
{
	int err;

	memset(bg, 0, sizeof(*bg));
	bg->out_fd = -1;
	bg->err_fd = -1;
	describe(bg->line, sizeof(bg->line), argv);
	err = spawn(opts, argv, &bg->pid, &bg->out_fd, &bg->err_fd);
	if (err) {
		bg->pid = 0;
		return err;
	}
	fcntl(bg->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(bg->err_fd, F_SETFL, O_NONBLOCK);
	err = dq_cleanup_push(bg_cleanup, bg);
	if (err)
		dq_bg_stop(bg);
	return err;
}

/* Hand out the first line of bg->out if there is a complete one. */
static int take_line(struct dq_bg *bg, char *line, size_t size)
{
	char *nl = memchr(bg->out.buf, '\n', bg->out.len);
	size_t len, rest;

	if (!nl)
		return -EAGAIN;
	len = nl - bg->out.buf;
	rest = bg->out.len - len - 1;
	if (len < size) {
		memcpy(line, bg->out.buf, len);
		line[len] = '\0';
	}
	memmove(bg->out.buf, nl + 1, rest);
	bg->out.len = rest;
	bg->out.buf[rest] = '\0';
	return len < size ? 0 : -ENOSPC;
}

int dq_bg_read_line(struct dq_bg *bg, char *line, size_t size,
		    unsigned int timeout_ms)
{
	uint64_t deadline = dq_now_ms() + timeout_ms;

	for (;;) {
		int err = take_line(bg, line, size);

		if (err != -EAGAIN)
			return err;
		if (bg->out_fd < 0)
			return -EPIPE;
		if (!ms_left(deadline))
			return -ETIMEDOUT;
		pump(&bg->out_fd, &bg->out, &bg->err_fd, &bg->err,
		     ms_left(deadline));
	}
}

bool dq_bg_running(struct dq_bg *bg)
{
	int status;
	pid_t r;

	if (!bg->pid)
		return false;
	r = waitpid(bg->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	if (r == bg->pid) {
		bg->status = WIFEXITED(status) ? WEXITSTATUS(status) :
			     256 + WTERMSIG(status);
		bg->pid = 0;
		dq_cleanup_forget(bg);
	}
	return false;
}

int dq_bg_stop(struct dq_bg *bg)
{
	uint64_t deadline;

	if (bg->pid) {
		kill(bg->pid, SIGTERM);
		deadline = dq_now_ms() + 1000;
		while (dq_bg_running(bg) && ms_left(deadline))
			pump(&bg->out_fd, &bg->out, &bg->err_fd, &bg->err,
			     50);
		if (bg->pid) {
			kill(bg->pid, SIGKILL);
			bg->status = reap(bg->pid);
			bg->pid = 0;
		}
	}
	/* What it said before it ended (it is gone: no blocking read). */
	if (bg->err_fd >= 0)
		drain(&bg->err_fd, &bg->err);
	if (bg->out_fd >= 0)
		drain(&bg->out_fd, &bg->out);
	if (bg->err_fd >= 0)
		close(bg->err_fd);
	if (bg->out_fd >= 0)
		close(bg->out_fd);
	bg->err_fd = -1;
	bg->out_fd = -1;
	dq_cleanup_forget(bg);
	return bg->status;
}

bool dq_contains(const char *text, const char *needle)
{
	return text && strstr(text, needle);
}

bool dq_in_path(const char *prog)
{
	char copy[PATH_MAX], file[PATH_MAX];
	const char *path = getenv("PATH");
	char *dir, *save;

	if (!path || strlen(path) >= sizeof(copy))
		return false;
	strcpy(copy, path);
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", dir, prog);
		if (!access(file, X_OK))
			return true;
	}
	return false;
}
