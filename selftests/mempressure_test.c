// SPDX-License-Identifier: GPL-2.0
/*
 * mempressure_test: completions keep moving under memory pressure. diowq's
 * queues are WQ_MEM_RECLAIM: when no new worker can be created because
 * memory is short, the queue's rescuer thread runs the completions.
 *
 * While a tuned filesystem is written to, two sources of pressure:
 *  - the test process itself (and so its AIO writer) sits in a cgroup
 *    whose memory.max is squeezed, next to a child that streams a disk
 *    through the page cache: every charge in the group reclaims. Only
 *    clean page cache is over the limit, so nothing there is OOM-killed;
 *  - a hog outside that group fills the guest's memory with anonymous
 *    pages, up to a margin, and keeps churning them. The hog volunteers
 *    for the OOM killer (oom_score_adj 1000), the test opts out (-1000).
 * Meanwhile the filesystem switches modes every two seconds (new queues
 * are allocated under pressure). Completions must keep coming (no window
 * of STALL_LIMIT_MS without one), no write may fail or get lost, and the
 * squeeze must really have hit (memory.events "max" > 0).
 *
 * The writes must queue their completions on every kernel, 7.x included,
 * which completes pure overwrites inline: the file is an unwritten
 * DQ_QUEUED_FILE_SIZE one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/cgroup.h"
#include "lib/kstate.h"

#define IO_CGROUP "diowq-mempressure"
#define IO_MEMORY_MAX "33554432"	/* 32 MiB */
#define PRESSURE_MS 15000
#define SWITCH_EVERY_MS 2000
#define STALL_LIMIT_MS 10000ull
/* The hog leaves this much of MemAvailable. */
#define HOG_MARGIN_MB 128
#define HOG_CHUNK (4ul << 20)

FIXTURE(mempressure) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	pid_t hog, churner;
};

FIXTURE_VARIANT(mempressure) {
	const char *fstype;
	const char *mode;
	const char *other_mode;
};

FIXTURE_VARIANT_ADD(mempressure, xfs_highpri) {
	.fstype = "xfs",
	.mode = DIOWQ_MODE_HIGHPRI_NAME,
	.other_mode = DIOWQ_MODE_UNBOUND_NAME,
};

FIXTURE_VARIANT_ADD(mempressure, ext4_unbound) {
	.fstype = "ext4",
	.mode = DIOWQ_MODE_UNBOUND_NAME,
	.other_mode = DIOWQ_MODE_HIGHPRI_NAME,
};

static pid_t *children[2];

/* Stop the pressure: kill the children, leave and remove the group. */
static void pressure_cleanup(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < 2; i++) {
		if (!children[i] || *children[i] <= 0)
			continue;
		kill(*children[i], SIGKILL);
		waitpid(*children[i], NULL, 0);
		*children[i] = 0;
	}
	dq_cg_move("", 0);
	dq_cg_destroy(IO_CGROUP);
}

static void set_oom_score_adj(int adj)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", adj);
	dq_write_file("/proc/self/oom_score_adj", buf, strlen(buf));
}

/* Child: read dev through the page cache, again and again. */
static void churn_page_cache(const char *dev)
{
	static char buf[1 << 20];
	int fd;

	set_oom_score_adj(1000);
	fd = open(dev, O_RDONLY);
	if (fd < 0)
		_exit(1);
	for (;;) {
		if (read(fd, buf, sizeof(buf)) <= 0)
			lseek(fd, 0, SEEK_SET);
	}
}

/*
 * Child: take size bytes of anonymous memory, touch it, tell the parent
 * (one byte on ready_fd), then keep freeing and retaking a chunk so that
 * reclaim never settles.
 */
static void hog_memory(size_t size, int ready_fd)
{
	size_t nr = size / HOG_CHUNK, i, turn = 0;
	/* No malloc in a child of a threaded process: mmap. */
	char **chunks = mmap(NULL, nr * sizeof(*chunks),
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	set_oom_score_adj(1000);
	if (chunks == MAP_FAILED)
		_exit(1);
	for (i = 0; i < nr; i++) {
		chunks[i] = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (chunks[i] == MAP_FAILED)
			_exit(2);
		memset(chunks[i], 0x5a, HOG_CHUNK);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(3);
	for (;; turn++) {
		i = turn % nr;
		munmap(chunks[i], HOG_CHUNK);
		chunks[i] = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (chunks[i] == MAP_FAILED)
			_exit(2);
		memset(chunks[i], (int)turn, HOG_CHUNK);
	}
}

/*
 * Voluntary context switches of the rescuer of queue (-1 if none): its
 * comm is the queue's name before 6.9, "kworker/R-<queue>" after (either
 * may be cut to 15 characters).
 */
static long long rescuer_switches(const char *queue)
{
	char path[64], buf[4096], *p;
	long long n = -1;
	struct dirent *de;
	pid_t pid;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while (n < 0 && (de = readdir(d))) {
		const char *name;
		char comm[80];
		size_t len;

		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (dq_read_value(path, comm, sizeof(comm)) < 0)
			continue;
		name = comm;
		if (!strncmp(name, "kworker/R-", strlen("kworker/R-")))
			name += strlen("kworker/R-");
		len = strlen(name);
		if (!len || strncmp(name, queue, len) ||
		    (queue[len] && strlen(comm) < 15))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (dq_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		p = strstr(buf, "voluntary_ctxt_switches:");
		if (p)
			n = atoll(p + strlen("voluntary_ctxt_switches:"));
	}
	closedir(d);
	return n;
}

FIXTURE_SETUP(mempressure)
{
	char path[PATH_MAX];

	self->hog = self->churner = 0;
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->fs, DQ_DISK_B, variant->fstype));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_tune(variant->mode, self->fs.mnt));
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	DQ_SETUP(dq_tf_create(&self->tf, path, DQ_QUEUED_FILE_SIZE,
			      DQ_LAYOUT_UNWRITTEN));
	children[0] = &self->hog;
	children[1] = &self->churner;
	DQ_SETUP(dq_cleanup_push(pressure_cleanup, NULL));
}

FIXTURE_TEARDOWN(mempressure)
{
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(mempressure, completions_keep_moving_under_memory_pressure, 240)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);
	uint64_t start, last_switch, last_done = 0, last_change, worst = 0;
	uint64_t max_events = 0, oom_kills = 0, hog_mb;
	unsigned int switches = 0, switch_failures = 0;
	long long avail_kb, resc_before, resc_after;
	struct dq_writer_result res;
	struct dq_verify_result vr;
	struct dq_writer *w;
	char queue[80];
	int pipefd[2];
	char ready;

	if (!dq_cg_has_controller("memory"))
		SKIP(return, "no memory cgroup controller in this kernel");
	ASSERT_EQ(0, dq_cg_enable_controller("memory"));
	ASSERT_EQ(0, dq_cg_create(IO_CGROUP));
	ASSERT_EQ(0, dq_cg_write(IO_CGROUP, "memory.max", IO_MEMORY_MAX));

	set_oom_score_adj(-1000);
	avail_kb = dq_meminfo_kb("MemAvailable");
	ASSERT_LT(0, avail_kb);
	ASSERT_LT(HOG_MARGIN_MB * 2 * 1024, avail_kb);
	hog_mb = avail_kb / 1024 - HOG_MARGIN_MB;

	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, 64, 10000));
	ASSERT_EQ(0, dq_sb_queue(self->fs.sid, queue, sizeof(queue)));
	resc_before = rescuer_switches(queue);

	/* The hog first, from outside the squeezed group. */
	ASSERT_EQ(0, pipe(pipefd));
	self->hog = fork();
	ASSERT_LE(0, self->hog);
	if (!self->hog) {
		close(pipefd[0]);
		hog_memory(hog_mb << 20, pipefd[1]);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &ready, 1))
		TH_LOG("the hog did not get its %llu MiB",
		       (unsigned long long)hog_mb);
	close(pipefd[0]);
	TH_LOG("hog holds %llu MiB of %lld MiB available; MemAvailable now %lld MiB",
	       (unsigned long long)hog_mb, avail_kb / 1024,
	       dq_meminfo_kb("MemAvailable") / 1024);

	/* Then us and the page-cache churner into the squeezed group. */
	ASSERT_EQ(0, dq_cg_move(IO_CGROUP, 0));
	self->churner = fork();
	ASSERT_LE(0, self->churner);
	if (!self->churner) {
		struct dq_fs other;

		if (dq_disk(DQ_DISK_A, &other))
			_exit(1);
		churn_page_cache(other.dev);
	}

	start = last_switch = last_change = dq_now_ms();
	while (dq_now_ms() - start < PRESSURE_MS) {
		uint64_t now = dq_now_ms(), done = dq_writer_completed(w);

		if (done != last_done) {
			last_done = done;
			last_change = now;
		} else if (now - last_change > worst) {
			worst = now - last_change;
		}
		if (worst > STALL_LIMIT_MS)
			break;
		if (now - last_switch >= SWITCH_EVERY_MS) {
			int err = dq_tune(switches % 2 ? variant->mode :
					  variant->other_mode, self->fs.mnt);

			/* ENOMEM is a fair answer under pressure. */
			if (err && err != -ENOMEM && !switch_failures++)
				TH_LOG("switch %u: %s", switches,
				       strerror(-err));
			switches++;
			last_switch = now;
		}
		dq_sleep_ms(50);
	}

	dq_cg_read_key(IO_CGROUP, "memory.events", "max", &max_events);
	dq_cg_read_key(IO_CGROUP, "memory.events", "oom_kill", &oom_kills);
	ASSERT_EQ(0, dq_sb_queue(self->fs.sid, queue, sizeof(queue)));
	resc_after = rescuer_switches(queue);
	TH_LOG("%llu completions under pressure, longest gap %llu ms, %u mode switches, memory.max hit %llu times, %llu OOM kills in the group",
	       (unsigned long long)last_done, (unsigned long long)worst,
	       switches, (unsigned long long)max_events,
	       (unsigned long long)oom_kills);
	TH_LOG("rescuer of %s: %lld voluntary context switches (a couple if it never ran; the first queue's had %lld)",
	       queue, resc_after, resc_before);
	EXPECT_GE(STALL_LIMIT_MS, worst) TH_LOG("completions stalled");
	EXPECT_LT(0ull, max_events) TH_LOG("the squeeze never hit");
	EXPECT_EQ(0ull, oom_kills);
	EXPECT_EQ(0u, switch_failures);
	/* The hog must have held on: otherwise there was no pressure. */
	EXPECT_EQ(0, waitpid(self->hog, NULL, WNOHANG))
		TH_LOG("the hog died (OOM-killed?)");

	pressure_cleanup(NULL);
	dq_writer_stop(w);
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res))
		TH_LOG("the writer hung");
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	ASSERT_EQ(0, dq_tf_verify(&self->tf, &vr));
	EXPECT_EQ(0ull, vr.bad) dq_tf_log_verify(&self->tf, &vr);
	TH_LOG("%llu writes verified", (unsigned long long)res.completed);
}

DQ_TEST_MAIN
