// SPDX-License-Identifier: GPL-2.0
/*
 * The kworker sampler. See sampler.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sampler.h"
#include "util.h"

#define KWORKER_PREFIX "kworker/"
#define RESCUER_PREFIX "R-"	/* after KWORKER_PREFIX */
#define COMM_LEN 64		/* the kernel formats these comms in 64 bytes */

/* New workers appear under load: look for them this often. */
#define RESCAN_MS 100
/* Pause between passes, so the sampler does not hog a vCPU. */
#define PASS_PAUSE_MS 2

enum sample_state {
	STATE_NO_QUEUE,		/* the worker never ran anything */
	STATE_RUNNING = DQ_KW_RUNNING,
	STATE_RAN_FRESH = DQ_KW_RAN_FRESH,
	STATE_RAN_STALE = DQ_KW_RAN_STALE,
};

struct worker {
	pid_t pid;
	int stat_fd;		/* /proc/PID/stat, re-read with pread(0) */
	char baseline[COMM_LEN];
	bool in_baseline;
	bool changed;		/* its comm differed from the baseline */
};

struct entry {
	char comm[COMM_LEN];
	int nice;
	enum sample_state state;
	uint64_t count;
};

struct dq_sampler {
	pthread_t thread;
	int cpu;
	atomic_bool stop;
	bool stopped;
	atomic_uint_fast64_t passes;

	struct worker *workers;
	size_t nr_workers, workers_alloc;
	pid_t *ignored;		/* pids known not to be kworkers */
	size_t nr_ignored, ignored_alloc;

	pthread_mutex_t lock;	/* entries: written by the thread */
	struct entry *entries;
	size_t nr_entries, entries_alloc;
};

static int grow(void **array, size_t *alloc, size_t nr, size_t elem)
{
	size_t want;
	void *p;

	if (nr < *alloc)
		return 0;
	want = *alloc ? 2 * *alloc : 64;
	p = realloc(*array, want * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*alloc = want;
	return 0;
}

/* Parse "PID (COMM) S ... NICE ..." into comm and nice. */
static bool parse_stat(const char *buf, char *comm, int *nice)
{
	const char *open = strchr(buf, '(');
	const char *close = strrchr(buf, ')');
	size_t len;

	if (!open || !close || close < open)
		return false;
	len = close - open - 1;
	if (len >= COMM_LEN)
		len = COMM_LEN - 1;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';

	/* Field 19 (nice) is the 17th after the comm. */
	return sscanf(close + 1,
		      " %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s"
		      " %*s %*s %*s %*s %d", nice) == 1;
}

static bool read_stat(int fd, char *comm, int *nice)
{
	char buf[1024];
	ssize_t n;

	/* seq_file starts over when read at offset 0: a fresh snapshot. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return parse_stat(buf, comm, nice);
}

static struct worker *find_worker(struct dq_sampler *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nr_workers; i++) {
		if (s->workers[i].pid == pid)
			return &s->workers[i];
	}
	return NULL;
}

static bool ignored(struct dq_sampler *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nr_ignored; i++) {
		if (s->ignored[i] == pid)
			return true;
	}
	return false;
}

/* Find kworkers we do not track yet; baseline: the first scan. */
static void scan_proc(struct dq_sampler *s, bool baseline)
{
	struct dirent *de;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char path[64], comm[COMM_LEN];
		struct worker *w;
		pid_t pid;
		int fd, nice;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (find_worker(s, pid) || ignored(s, pid))
			continue;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!read_stat(fd, comm, &nice)) {
			close(fd);
			continue;
		}
		if (strncmp(comm, KWORKER_PREFIX, strlen(KWORKER_PREFIX))) {
			close(fd);
			/*
			 * A new kthread is called "kthreadd" until it gets
			 * its name: check those again next time.
			 */
			if (strcmp(comm, "kthreadd") &&
			    !grow((void **)&s->ignored, &s->ignored_alloc,
				  s->nr_ignored, sizeof(*s->ignored)))
				s->ignored[s->nr_ignored++] = pid;
			continue;
		}
		if (grow((void **)&s->workers, &s->workers_alloc,
			 s->nr_workers, sizeof(*s->workers))) {
			close(fd);
			continue;
		}
		w = &s->workers[s->nr_workers++];
		memset(w, 0, sizeof(*w));
		w->pid = pid;
		w->stat_fd = fd;
		w->in_baseline = baseline;
		snprintf(w->baseline, sizeof(w->baseline), "%s", comm);
	}
	closedir(proc);
}

/* The queue part of a kworker comm, after its '+' or '-'; NULL if none. */
static const char *comm_queue(const char *comm)
{
	const char *sep = comm + strlen(KWORKER_PREFIX);

	/*
	 * Since 6.9 a rescuer is "kworker/R-<queue>": it names its queue
	 * from birth, whether it ever ran anything or not. No evidence.
	 */
	if (!strncmp(sep, RESCUER_PREFIX, strlen(RESCUER_PREFIX)))
		return NULL;
	/* "kworker/1:2H" and "kworker/u9:0" hold no '+' or '-'. */
	sep += strcspn(sep, "+-");
	return *sep ? sep + 1 : NULL;
}

static enum sample_state classify(struct worker *w, const char *comm)
{
	const char *queue = comm_queue(comm);

	if (!queue)
		return STATE_NO_QUEUE;
	if (strcmp(comm, w->baseline))
		w->changed = true;
	if (queue[-1] == '+')
		return STATE_RUNNING;
	return w->changed || !w->in_baseline ? STATE_RAN_FRESH :
					       STATE_RAN_STALE;
}

static void record(struct dq_sampler *s, const char *comm, int nice,
		   enum sample_state state)
{
	struct entry *e;
	size_t i;

	for (i = 0; i < s->nr_entries; i++) {
		e = &s->entries[i];
		if (e->nice == nice && e->state == state &&
		    !strcmp(e->comm, comm)) {
			e->count++;
			return;
		}
	}
	if (grow((void **)&s->entries, &s->entries_alloc, s->nr_entries,
		 sizeof(*s->entries)))
		return;
	e = &s->entries[s->nr_entries++];
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	e->nice = nice;
	e->state = state;
	e->count = 1;
}

static void sample_pass(struct dq_sampler *s)
{
	size_t i = 0;

	pthread_mutex_lock(&s->lock);
	while (i < s->nr_workers) {
		struct worker *w = &s->workers[i];
		char comm[COMM_LEN];
		int nice;

		if (!read_stat(w->stat_fd, comm, &nice)) {
			/* Gone (idle workers get reaped): forget it. */
			close(w->stat_fd);
			*w = s->workers[--s->nr_workers];
			continue;
		}
		record(s, comm, nice, classify(w, comm));
		i++;
	}
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&s->passes, 1);
}

static void *sampler_thread(void *arg)
{
	struct dq_sampler *s = arg;
	uint64_t last_scan = dq_now_ms();

	if (s->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	while (!atomic_load(&s->stop)) {
		if (dq_now_ms() - last_scan >= RESCAN_MS) {
			pthread_mutex_lock(&s->lock);
			scan_proc(s, false);
			pthread_mutex_unlock(&s->lock);
			last_scan = dq_now_ms();
		}
		sample_pass(s);
		dq_sleep_ms(PASS_PAUSE_MS);
	}
	return NULL;
}

static void sampler_cleanup(void *arg)
{
	struct dq_sampler *s = arg;

	dq_sampler_stop(s);
}

int dq_sampler_start(struct dq_sampler **sp, int cpu)
{
	struct dq_sampler *s;
	int err;

	*sp = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cpu = cpu;
	pthread_mutex_init(&s->lock, NULL);
	scan_proc(s, true);
	if (!s->nr_workers) {
		dq_log("no kworkers in /proc: cannot sample");
		free(s);
		return -ESRCH;
	}

	err = dq_cleanup_push(sampler_cleanup, s);
	if (err) {
		free(s);
		return err;
	}
	err = -pthread_create(&s->thread, NULL, sampler_thread, s);
	if (err) {
		dq_cleanup_forget(s);
		free(s);
		return err;
	}
	*sp = s;
	return 0;
}

void dq_sampler_stop(struct dq_sampler *s)
{
	if (s->stopped)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	s->stopped = true;
}

void dq_sampler_destroy(struct dq_sampler *s)
{
	size_t i;

	if (!s)
		return;
	dq_cleanup_forget(s);
	dq_sampler_stop(s);
	for (i = 0; i < s->nr_workers; i++)
		close(s->workers[i].stat_fd);
	free(s->workers);
	free(s->ignored);
	free(s->entries);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t dq_sampler_passes(const struct dq_sampler *s)
{
	return atomic_load(&((struct dq_sampler *)s)->passes);
}

uint64_t dq_sampler_count(const struct dq_sampler *s, const char *queue,
			  unsigned int states, int nice)
{
	struct dq_sampler *ms = (struct dq_sampler *)s;
	uint64_t count = 0;
	size_t i;

	pthread_mutex_lock(&ms->lock);
	for (i = 0; i < ms->nr_entries; i++) {
		const struct entry *e = &ms->entries[i];
		const char *q = comm_queue(e->comm);

		if (!q || strcmp(q, queue) || !(e->state & states))
			continue;
		if (nice != DQ_ANY_NICE && e->nice != nice)
			continue;
		count += e->count;
	}
	pthread_mutex_unlock(&ms->lock);
	return count;
}

static const char *state_name(enum sample_state state)
{
	switch (state) {
	case STATE_RUNNING:
		return "running";
	case STATE_RAN_FRESH:
		return "ran";
	case STATE_RAN_STALE:
		return "stale";
	default:
		return "idle";
	}
}

void dq_sampler_log(const struct dq_sampler *s, const char *filter)
{
	struct dq_sampler *ms = (struct dq_sampler *)s;
	size_t i;

	pthread_mutex_lock(&ms->lock);
	dq_log("sampler: %" PRIu64 " passes", dq_sampler_passes(s));
	for (i = 0; i < ms->nr_entries; i++) {
		const struct entry *e = &ms->entries[i];
		const char *q = comm_queue(e->comm);

		if (filter && (!q || !strstr(q, filter)))
			continue;
		dq_log("sampler: %-32s nice %3d %-7s %8" PRIu64, e->comm,
		       e->nice, state_name(e->state), e->count);
	}
	pthread_mutex_unlock(&ms->lock);
}
