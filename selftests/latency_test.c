// SPDX-License-Identifier: GPL-2.0
/*
 * latency_test: dispatch-latency measurement (watch, unwatch, watching,
 * probes; GET_WATCH, GET_LATENCY) on XFS and ext4, against libaio O_DIRECT
 * overwrites from lib/writer.c pinned to CPU 1:
 *
 * - a watched mount's async write completions are all measured: the
 *   measured count equals the completions the writer reaped, and the
 *   per-CPU histogram, sum and max agree with each other;
 * - CLEAR_MAX restarts each CPU's max after reading it, nothing else;
 * - watching only observes: completions keep running on the kernel's
 *   dio/<s_id> queue at nice 0 and nothing is tuned; tuning afterwards
 *   moves them to diowq-<s_id> at nice -20 and they are still measured,
 *   counters carried over; unbound completions are measured too;
 * - the probes go with the last watch: on unwatch, on untune of the
 *   watched filesystem, on rmmod (under I/O), and a watch of "all"
 *   measures a filesystem nobody watched by device;
 * - refused watch/unwatch requests (sysfs and netlink: bad paths, not a
 *   mount root, tmpfs, not watched, unprivileged) change nothing.
 *
 * Registering the probes patches kernel text: run this program only in a
 * single-threaded TCG boot (selftests/vm/run-vm.sh, DIOWQ_PROBE_TESTS).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/cmd.h"
#include "lib/genl.h"
#include "lib/latency.h"

/* The writer's runs: long enough for thousands of writes under TCG. */
#define LOAD_MS 2000
#define SHORT_LOAD_MS 1000
#define MIN_COMPLETIONS 200ull
/* The writer's CPU, where its completion interrupts land (vm-facts). */
#define WRITER_CPU 1
/* How often the worker's comm is looked at during a run. */
#define COMM_POLL_MS 50

#define TMPFS_MNT DQ_MNT_BASE "/tmpfs"

/* Dumps are large: static, the tests are single threaded. */
static struct dq_lat lat_before, lat_after, lat_delta;
static struct dq_genl_reply reply;

struct lat_env {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	struct dq_genl nl;
	int root_fd;
	dev_t dev;
	char devname[32];	/* "MAJOR:MINOR", as watching shows it */
	char dio[80];		/* the kernel's queue: "dio/<s_id>" */
	char diowq[80];		/* ours: "diowq-<s_id>" */
};

static int env_setup(struct lat_env *env, unsigned int disk,
		     const char *fstype, bool data_file)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	env->root_fd = -1;
	env->nl.fd = -1;
	env->tf.fd = -1;
	err = dq_fs_reuse(&env->fs, disk, fstype);
	if (err)
		return err;
	env->root_fd = open(env->fs.mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (env->root_fd < 0 || fstat(env->root_fd, &st))
		return -errno;
	env->dev = st.st_dev;
	snprintf(env->devname, sizeof(env->devname), "%u:%u",
		 major(env->dev), minor(env->dev));
	snprintf(env->dio, sizeof(env->dio), "dio/%s", env->fs.sid);
	snprintf(env->diowq, sizeof(env->diowq), "%s%s", DIOWQ_WQ_PREFIX,
		 env->fs.sid);
	if (!data_file)
		return 0;
	/* Pure overwrites, as in vm-facts: no conversions in the work. */
	snprintf(path, sizeof(path), "%s/data", env->fs.mnt);
	return dq_tf_create(&env->tf, path, DQ_DATA_FILE_SIZE,
			    DQ_LAYOUT_WRITTEN);
}

static void env_teardown(struct lat_env *env)
{
	if (env->root_fd >= 0)
		close(env->root_fd);
	env->root_fd = -1;
	dq_genl_close(&env->nl);
	if (env->tf.fd >= 0)
		dq_tf_destroy(&env->tf);
}

/* Send cmd with a target (fd >= 0, or dev, or all); the kernel's error. */
static int nl_target(struct dq_genl *nl, uint8_t cmd, int fd,
		     const dev_t *dev, bool all)
{
	struct dq_genl_msg msg;
	int err;

	dq_genl_msg_init(nl, &msg, cmd, 0);
	if (fd >= 0)
		dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
	if (dev) {
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, major(*dev));
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MINOR, minor(*dev));
	}
	if (all)
		dq_genl_put_flag(&msg, DIOWQ_A_ALL);
	err = dq_genl_call(nl, &msg, &reply);
	return err ?: reply.error;
}

/* probes and watching, from sysfs and from GET_WATCH, agree with want. */
static void expect_watch_state(struct __test_metadata *_metadata,
			       struct dq_genl *nl, int probes, bool all,
			       const char *const *devs, unsigned int nr_devs)
{
	struct dq_watch_info wi;
	char watching[512];
	unsigned int i;
	int on = -1;

	ASSERT_EQ(0, dq_read_probes(&on));
	EXPECT_EQ(probes, on);
	ASSERT_EQ(0, dq_read_watching(watching, sizeof(watching)));
	EXPECT_EQ(nr_devs + all, dq_watching_count(watching))
		TH_LOG("watching: \"%s\"", watching);
	EXPECT_EQ(all, dq_watching_has(watching, DIOWQ_WATCH_ALL_NAME))
		TH_LOG("watching: \"%s\"", watching);
	for (i = 0; i < nr_devs; i++) {
		EXPECT_TRUE(dq_watching_has(watching, devs[i]))
			TH_LOG("watching lacks %s: \"%s\"", devs[i], watching);
	}

	ASSERT_EQ(0, dq_watch_info(nl, &wi));
	EXPECT_EQ(probes, wi.probes);
	EXPECT_EQ(all, wi.all);
	EXPECT_EQ(nr_devs, wi.nr_watched);
	EXPECT_EQ(DIOWQ_LATENCY_BUCKETS, wi.hist_buckets);
	for (i = 0; i < nr_devs; i++) {
		unsigned int maj, min;

		ASSERT_EQ(2, sscanf(devs[i], "%u:%u", &maj, &min));
		EXPECT_TRUE(dq_watch_info_has(&wi, maj, min))
			TH_LOG("GET_WATCH lacks %s", devs[i]);
	}
}

#define EXPECT_NOTHING_WATCHED(nl) \
	expect_watch_state(_metadata, nl, 0, false, NULL, 0)
#define EXPECT_WATCHING(nl, ...)					\
	expect_watch_state(_metadata, nl, 1, false,			\
			   (const char *const[]){ __VA_ARGS__ },	\
			   ARRAY_SIZE(((const char *const[]){ __VA_ARGS__ })))

/*
 * One CPU's counters agree with each other: the histogram sums to the
 * completions, the sum of delays lies within the buckets' bounds, and the
 * max falls in bucket max_bucket (the highest non-empty bucket of the
 * values it is the max of). fresh: nothing was measured before (zeros).
 */
static void expect_cpu_consistent(struct __test_metadata *_metadata,
				  const struct dq_lat_cpu *c,
				  int max_bucket)
{
	uint64_t low = 0, high = 0;
	bool unbounded = false;
	unsigned int b;

	EXPECT_EQ(c->completions, dq_hist_sum(c->hist))
		TH_LOG("cpu %u: histogram sums to %" PRIu64 ", completions %" PRIu64,
		       c->cpu, dq_hist_sum(c->hist), c->completions);
	for (b = 0; b < DIOWQ_LATENCY_BUCKETS; b++) {
		low += c->hist[b] * dq_bucket_lower(b);
		if (dq_bucket_upper(b) == UINT64_MAX)
			unbounded |= c->hist[b] != 0;
		else
			high += c->hist[b] * (dq_bucket_upper(b) - 1);
	}
	EXPECT_LE(low, c->sum_ns)
		TH_LOG("cpu %u: sum %" PRIu64 " ns below the buckets' %" PRIu64,
		       c->cpu, c->sum_ns, low);
	if (!unbounded) {
		EXPECT_GE(high, c->sum_ns)
			TH_LOG("cpu %u: sum %" PRIu64 " ns above the buckets' %" PRIu64,
			       c->cpu, c->sum_ns, high);
	}
	if (max_bucket < 0) {
		EXPECT_EQ(0, c->max_ns) TH_LOG("cpu %u", c->cpu);
		return;
	}
	/* max >= every non-empty bucket's lower bound, and in the top one. */
	EXPECT_EQ(max_bucket, dq_bucket_of(c->max_ns))
		TH_LOG("cpu %u: max %" PRIu64 " ns is in bucket %u, the highest non-empty is %d",
		       c->cpu, c->max_ns, dq_bucket_of(c->max_ns), max_bucket);
	if (c->completions) {
		EXPECT_LE(c->sum_ns / c->completions, c->max_ns)
			TH_LOG("cpu %u: mean above max", c->cpu);
	}
}

/* Every CPU of a dump taken since the probes were registered. */
static void expect_dump_consistent(struct __test_metadata *_metadata,
				   const struct dq_lat *lat)
{
	unsigned int i;

	EXPECT_EQ(dq_possible_cpus(), (int)lat->nr);
	for (i = 0; i < lat->nr; i++)
		expect_cpu_consistent(_metadata, &lat->cpus[i],
				      dq_hist_highest(lat->cpus[i].hist));
}

/* A dump right after the probes were registered: all zero, no worker. */
static void expect_dump_empty(struct __test_metadata *_metadata,
			      const struct dq_lat *lat)
{
	unsigned int i;

	ASSERT_EQ(dq_possible_cpus(), (int)lat->nr);
	for (i = 0; i < lat->nr; i++) {
		const struct dq_lat_cpu *c = &lat->cpus[i];

		EXPECT_EQ(0, c->completions) TH_LOG("cpu %u", c->cpu);
		EXPECT_EQ(0, c->sum_ns) TH_LOG("cpu %u", c->cpu);
		EXPECT_EQ(0, c->max_ns) TH_LOG("cpu %u", c->cpu);
		EXPECT_EQ(0, dq_hist_sum(c->hist)) TH_LOG("cpu %u", c->cpu);
		EXPECT_FALSE(c->has_last) TH_LOG("cpu %u", c->cpu);
	}
}

/* Two dumps with the same counters on every CPU (max included). */
static void expect_same_counters(struct __test_metadata *_metadata,
				 const struct dq_lat *a,
				 const struct dq_lat *b)
{
	unsigned int i;

	ASSERT_EQ(a->nr, b->nr);
	for (i = 0; i < a->nr; i++) {
		const struct dq_lat_cpu *x = &a->cpus[i];
		const struct dq_lat_cpu *y = dq_lat_find(b, x->cpu);

		ASSERT_NE(NULL, y);
		EXPECT_EQ(x->completions, y->completions) TH_LOG("cpu %u", x->cpu);
		EXPECT_EQ(x->sum_ns, y->sum_ns) TH_LOG("cpu %u", x->cpu);
		EXPECT_EQ(x->max_ns, y->max_ns) TH_LOG("cpu %u", x->cpu);
		EXPECT_EQ(0, memcmp(x->hist, y->hist, sizeof(x->hist)))
			TH_LOG("cpu %u: histograms differ", x->cpu);
	}
}

/* A dump and the GET_WATCH counters, read one right after the other. */
struct lat_reading {
	struct dq_lat lat;
	struct dq_watch_info wi;
};

static struct lat_reading r_before, r_after;

static void read_dump(struct __test_metadata *_metadata, struct dq_genl *nl,
		      struct dq_lat *lat);

static void read_both(struct __test_metadata *_metadata, struct dq_genl *nl,
		      struct lat_reading *r)
{
	read_dump(_metadata, nl, &r->lat);
	ASSERT_EQ(0, dq_watch_info(nl, &r->wi));
}

static void read_dump(struct __test_metadata *_metadata, struct dq_genl *nl,
		      struct dq_lat *lat)
{
	char extack[256];
	int err = dq_lat_read(nl, false, lat, extack, sizeof(extack));

	ASSERT_EQ(0, err) TH_LOG("GET_LATENCY: %s (%s)", strerror(-err), extack);
}

/* What the last measured worker's comm said during a run. */
struct comm_tally {
	unsigned int looked;	/* comms read */
	unsigned int kernel_q;	/* ending in [+-]dio/<s_id> */
	unsigned int our_q;	/* ending in [+-]diowq-<s_id> */
	unsigned int nice_wrong; /* WORKER_NICE != want_nice */
	unsigned int nice_differs; /* WORKER_NICE != /proc/PID/stat's */
	char example[96];
};

static bool comm_ends_with_queue(const char *comm, const char *queue)
{
	size_t c = strlen(comm), q = strlen(queue);

	return c > q && !strcmp(comm + c - q, queue) &&
	       (comm[c - q - 1] == '-' || comm[c - q - 1] == '+');
}

/* The nice of a task, field 19 of /proc/PID/stat; INT_MIN if gone. */
static int proc_nice(pid_t pid)
{
	char path[64], buf[1024], *p;
	int i, nice;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (dq_read_file(path, buf, sizeof(buf)) < 0)
		return INT_MIN;
	p = strrchr(buf, ')');
	if (!p)
		return INT_MIN;
	/* Field 3 on, each after a space; nice is the 19th. */
	for (i = 3; i <= 19 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", &nice) != 1)
		return INT_MIN;
	return nice;
}

/*
 * Run the writer for ms on WRITER_CPU and, meanwhile, every COMM_POLL_MS,
 * read the dump and, for each CPU that measured completions since base
 * (so the worker named is one of this run's), the comm and nice of the
 * worker that ran the last of them.
 */
static void run_and_watch_workers(struct __test_metadata *_metadata,
				  struct lat_env *env, unsigned int ms,
				  const struct dq_lat *base, int want_nice,
				  struct comm_tally *t,
				  struct dq_writer_result *res)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(ms);
	static struct dq_lat mid;
	struct dq_writer *w;
	uint64_t end;

	memset(t, 0, sizeof(*t));
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	end = dq_now_ms() + ms;
	while (dq_now_ms() < end) {
		unsigned int i;

		dq_sleep_ms(COMM_POLL_MS);
		if (dq_lat_read(&env->nl, false, &mid, NULL, 0))
			continue;
		for (i = 0; i < mid.nr; i++) {
			const struct dq_lat_cpu *c = &mid.cpus[i];
			const struct dq_lat_cpu *b = dq_lat_find(base, c->cpu);
			char path[64], comm[64];
			bool kq, oq;
			int nice;

			if (!b || !c->has_last || c->completions <= b->completions)
				continue;
			snprintf(path, sizeof(path), "/proc/%u/comm",
				 c->worker_pid);
			if (dq_read_value(path, comm, sizeof(comm)))
				continue;
			nice = proc_nice(c->worker_pid);
			kq = comm_ends_with_queue(comm, env->dio);
			oq = comm_ends_with_queue(comm, env->diowq);
			t->looked++;
			t->kernel_q += kq;
			t->our_q += oq;
			t->nice_wrong += c->worker_nice != want_nice;
			t->nice_differs += nice != INT_MIN &&
					   nice != c->worker_nice;
			if (!t->example[0] || kq || oq)
				snprintf(t->example, sizeof(t->example),
					 "cpu %u: %s", c->cpu, comm);
		}
	}
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, res));
	dq_writer_log_result("writer", res);
	ASSERT_TRUE(dq_writer_result_ok(res));
	ASSERT_LE(MIN_COMPLETIONS, res->completed);
	dq_log("worker comms: %u read, %u on %s, %u on %s, %u with the wrong nice, e.g. %s",
	       t->looked, t->kernel_q, env->dio, t->our_q, env->diowq,
	       t->nice_wrong, t->example);
}

/* The writer for ms on WRITER_CPU; how many completions it reaped. */
static uint64_t run_writer(struct __test_metadata *_metadata,
			   struct dq_tagged_file *tf, unsigned int ms)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(ms);
	struct dq_writer_result res;
	struct dq_writer *w;

	if (dq_writer_start(&w, tf, &opts))
		return 0;
	if (dq_writer_join(w, ms + DQ_JOIN_MS, &res))
		return 0;
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));
	EXPECT_LE(MIN_COMPLETIONS, res.completed);
	return res.completed;
}

/*
 * Between two readings (dump + GET_WATCH) the writer reaped want
 * completions of a watched filesystem, and nothing else did async direct
 * I/O. Where each one went:
 *
 * - most ran as a work item (iomap_dio_complete_work) and were measured;
 * - a work whose queue-time stamp was lost is counted as unmatched:
 *   latency.c keeps stamps in a table hashed by the work's address, where
 *   two works in flight can collide;
 * - a write whose bio finished before io_submit() returned is completed
 *   by the submitter itself (iomap_dio_rw() drops the last reference and
 *   calls iomap_dio_complete()): no work item, nothing to measure. It is
 *   rare (a handful in tens of thousands here) and cannot be told apart
 *   from user space.
 *
 * So measured + unmatched <= want, the difference stays within 1 %; and
 * every work item that was queued was accounted for: PROBE_HITS counts
 * each dio completion work twice (queued and executed), so its delta is
 * exactly 2 * (measured + unmatched).
 */
static void expect_measured(struct __test_metadata *_metadata,
			    const struct lat_reading *after,
			    const struct lat_reading *before, uint64_t want)
{
	uint64_t unmatched = after->wi.unmatched - before->wi.unmatched;
	uint64_t hits = after->wi.probe_hits - before->wi.probe_hits;
	uint64_t measured, works;
	unsigned int i;

	ASSERT_EQ(0, dq_lat_diff(&after->lat, &before->lat, &lat_delta));
	measured = dq_lat_total(&lat_delta);
	works = measured + unmatched;
	dq_log("%" PRIu64 " completions reaped: %" PRIu64 " measured, %" PRIu64
	       " unmatched, %" PRIu64 " probe hits, %" PRIu64
	       " completed by the submitter", want, measured, unmatched, hits,
	       want - works);
	EXPECT_GE(want, works) {
		dq_lat_log("before", &before->lat);
		dq_lat_log("after", &after->lat);
	}
	EXPECT_GE(want / 100, want - works);
	EXPECT_EQ(2 * works, hits);
	EXPECT_GE(want / 20, unmatched);
	for (i = 0; i < lat_delta.nr; i++) {
		const struct dq_lat_cpu *d = &lat_delta.cpus[i];
		uint64_t hist_sum = dq_hist_sum(d->hist);

		EXPECT_EQ(d->completions, hist_sum) TH_LOG("cpu %u", d->cpu);
	}
}

/* ---- measurement, on XFS and ext4 ------------------------------------- */

FIXTURE(latency) {
	struct lat_env env;
};

FIXTURE_VARIANT(latency) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(latency, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(latency, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(latency)
{
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(env_setup(&self->env, DQ_DISK_B, variant->fstype, true));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_genl_open(&self->env.nl));
	EXPECT_NOTHING_WATCHED(&self->env.nl);
}

FIXTURE_TEARDOWN(latency)
{
	env_teardown(&self->env);
	EXPECT_EQ(0, dq_machine_reset());
}

TEST_F_TIMEOUT(latency, watch_measures_every_async_write_completion, 120)
{
	struct lat_env *env = &self->env;
	const struct dq_lat_cpu *c;
	uint64_t reaped;
	unsigned int i;

	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	EXPECT_WATCHING(&env->nl, env->devname);
	read_both(_metadata, &env->nl, &r_before);
	/* Freshly registered: nothing measured yet, not even elsewhere. */
	expect_dump_empty(_metadata, &r_before.lat);
	EXPECT_EQ(0, r_before.wi.unmatched);
	for (i = 0; i < r_before.lat.nr; i++) {
		EXPECT_EQ(1, r_before.lat.cpus[i].online)
			TH_LOG("cpu %u offline?", r_before.lat.cpus[i].cpu);
	}

	reaped = run_writer(_metadata, &env->tf, LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	dq_lat_log("after", &r_after.lat);

	/* Every reaped write completed through a measured work item. */
	expect_measured(_metadata, &r_after, &r_before, reaped);
	expect_dump_consistent(_metadata, &r_after.lat);
	EXPECT_LT(r_before.wi.probe_ns, r_after.wi.probe_ns);

	/* They ran where the interrupts came: on the writer's CPU. */
	c = dq_lat_find(&r_after.lat, WRITER_CPU);
	ASSERT_NE(NULL, c);
	EXPECT_LT(reaped / 2, c->completions);
	ASSERT_TRUE(c->has_last);
	EXPECT_EQ(major(env->dev), c->dev_major);
	EXPECT_EQ(minor(env->dev), c->dev_minor);
	EXPECT_LT(0, c->worker_pid);
	/* The kernel's dio queue: a nice-0 per-CPU worker. */
	EXPECT_EQ(0, c->worker_nice);
	for (i = 0; i < r_after.lat.nr; i++) {
		const struct dq_lat_cpu *o = &r_after.lat.cpus[i];

		/* No completion, no worker to name. */
		if (!o->completions) {
			EXPECT_FALSE(o->has_last) TH_LOG("cpu %u", o->cpu);
		}
	}
}

TEST_F_TIMEOUT(latency, clear_max_restarts_max_after_reading, 120)
{
	struct lat_env *env = &self->env;
	static struct dq_lat cleared;
	static struct lat_reading later;
	uint64_t reaped;
	unsigned int i;
	char extack[256];

	/* By file descriptor this time. */
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_WATCH, env->root_fd, NULL,
			       false)) TH_LOG("%s", reply.extack);
	EXPECT_WATCHING(&env->nl, env->devname);
	read_both(_metadata, &env->nl, &r_before);
	reaped = run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_measured(_metadata, &r_after, &r_before, reaped);
	expect_dump_consistent(_metadata, &r_after.lat);

	/* The clearing read still reports the max it clears. */
	ASSERT_EQ(0, dq_lat_read(&env->nl, true, &cleared, extack,
				 sizeof(extack))) TH_LOG("%s", extack);
	expect_same_counters(_metadata, &r_after.lat, &cleared);
	read_both(_metadata, &env->nl, &r_before);
	for (i = 0; i < r_before.lat.nr; i++) {
		const struct dq_lat_cpu *a = &r_before.lat.cpus[i];
		const struct dq_lat_cpu *b = dq_lat_find(&r_after.lat, a->cpu);

		ASSERT_NE(NULL, b);
		EXPECT_EQ(0, a->max_ns) TH_LOG("cpu %u", a->cpu);
		/* Only the max: the rest stays cumulative. */
		EXPECT_EQ(b->completions, a->completions) TH_LOG("cpu %u", a->cpu);
		EXPECT_EQ(b->sum_ns, a->sum_ns) TH_LOG("cpu %u", a->cpu);
		EXPECT_EQ(0, memcmp(a->hist, b->hist, sizeof(a->hist)));
	}

	/* The new max is the max of what came after the clearing only. */
	reaped = run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &later);
	expect_measured(_metadata, &later, &r_before, reaped);
	for (i = 0; i < lat_delta.nr; i++)
		expect_cpu_consistent(_metadata, &lat_delta.cpus[i],
				      dq_hist_highest(lat_delta.cpus[i].hist));
}

TEST_F_TIMEOUT(latency, watching_only_observes_and_tuning_keeps_measuring, 180)
{
	struct lat_env *env = &self->env;
	struct dq_writer_result res;
	struct comm_tally t;
	const struct dq_lat_cpu *c;
	struct dq_sampler *s;

	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	read_both(_metadata, &env->nl, &r_before);

	/* Watched only: the kernel's queue, nice 0; nothing tuned. */
	ASSERT_EQ(0, dq_sampler_start(&s, 0));
	run_and_watch_workers(_metadata, env, LOAD_MS, &r_before.lat, 0, &t,
			      &res);
	dq_sampler_stop(s);
	EXPECT_LT(0, t.kernel_q);
	EXPECT_EQ(0, t.our_q);
	EXPECT_EQ(0, t.nice_wrong);
	EXPECT_EQ(0, t.nice_differs);
	EXPECT_LT(0ull, dq_sampler_count(s, env->dio, DQ_KW_LIVE, 0))
		dq_sampler_log(s, env->fs.sid);
	/* Live only: an earlier test's worker may still carry the name. */
	EXPECT_EQ(0ull, dq_sampler_count(s, env->diowq, DQ_KW_LIVE, DQ_ANY_NICE))
		dq_sampler_log(s, env->fs.sid);
	dq_sampler_destroy(s);
	EXPECT_FALSE(dq_sb_tuned(env->fs.sid));
	EXPECT_EQ(-ENOENT, nl_target(&env->nl, DIOWQ_CMD_GET_SB, env->root_fd,
				     NULL, false));
	read_both(_metadata, &env->nl, &r_after);
	expect_measured(_metadata, &r_after, &r_before, res.completed);

	/* Tuning neither resets nor adds to the counters. */
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, env->fs.mnt));
	EXPECT_WATCHING(&env->nl, env->devname);
	read_both(_metadata, &env->nl, &r_before);
	expect_same_counters(_metadata, &r_after.lat, &r_before.lat);

	/* Tuned: our queue, nice -20, and still every completion counted. */
	run_and_watch_workers(_metadata, env, LOAD_MS, &r_before.lat, -20, &t,
			      &res);
	EXPECT_LT(0, t.our_q);
	EXPECT_EQ(0, t.kernel_q);
	EXPECT_EQ(0, t.nice_wrong);
	EXPECT_EQ(0, t.nice_differs);
	read_both(_metadata, &env->nl, &r_after);
	expect_measured(_metadata, &r_after, &r_before, res.completed);
	expect_dump_consistent(_metadata, &r_after.lat);
	c = dq_lat_find(&r_after.lat, WRITER_CPU);
	ASSERT_NE(NULL, c);
	ASSERT_TRUE(c->has_last);
	EXPECT_EQ(-20, c->worker_nice);
}

TEST_F_TIMEOUT(latency, unbound_completions_are_measured_where_they_run, 120)
{
	struct lat_env *env = &self->env;
	struct dq_writer_result res;
	struct comm_tally t;
	unsigned int i;

	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_UNBOUND_NAME, env->fs.mnt));
	ASSERT_EQ(0, dq_sb_queue(env->fs.sid, env->diowq, sizeof(env->diowq)));
	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	read_both(_metadata, &env->nl, &r_before);

	/*
	 * Queued on the interrupt's CPU, run by an unbound worker on any:
	 * the queue time must follow the work to the CPU that runs it.
	 */
	run_and_watch_workers(_metadata, env, LOAD_MS, &r_before.lat, -20, &t,
			      &res);
	EXPECT_LT(0, t.our_q);
	EXPECT_EQ(0, t.kernel_q);
	EXPECT_EQ(0, t.nice_wrong);
	EXPECT_EQ(0, t.nice_differs);
	read_both(_metadata, &env->nl, &r_after);
	dq_lat_log("after", &r_after.lat);
	expect_measured(_metadata, &r_after, &r_before, res.completed);
	expect_dump_consistent(_metadata, &r_after.lat);
	for (i = 0; i < r_after.lat.nr; i++) {
		const struct dq_lat_cpu *c = &r_after.lat.cpus[i];

		if (c->completions) {
			ASSERT_TRUE(c->has_last) TH_LOG("cpu %u", c->cpu);
			EXPECT_EQ(-20, c->worker_nice) TH_LOG("cpu %u", c->cpu);
		}
	}
}

TEST_F_TIMEOUT(latency, untune_ends_the_watch_of_that_fs, 120)
{
	struct lat_env *env = &self->env;

	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, env->fs.mnt));
	EXPECT_WATCHING(&env->nl, env->devname);
	ASSERT_EQ(0, dq_untune(env->fs.mnt));
	EXPECT_NOTHING_WATCHED(&env->nl);
	EXPECT_EQ(-ENOENT, dq_unwatch(env->fs.mnt));

	/* No probes, no measurements: the counters stand still. */
	read_both(_metadata, &env->nl, &r_before);
	run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_same_counters(_metadata, &r_before.lat, &r_after.lat);
	EXPECT_EQ(r_before.wi.probe_hits, r_after.wi.probe_hits);

	/* Also when tuned and watched through netlink, untuned by s_id. */
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_TUNE, env->root_fd, NULL,
			       false)) TH_LOG("%s", reply.extack);
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_WATCH, -1, &env->dev,
			       false)) TH_LOG("%s", reply.extack);
	EXPECT_WATCHING(&env->nl, env->devname);
	ASSERT_EQ(0, dq_untune(env->fs.sid));
	EXPECT_NOTHING_WATCHED(&env->nl);
}

TEST_F_TIMEOUT(latency, unwatch_removes_the_probes_with_the_last_watch, 180)
{
	struct lat_env *env = &self->env;
	struct lat_env other;
	uint64_t reaped;

	memset(&other, 0, sizeof(other));
	ASSERT_EQ(0, env_setup(&other, DQ_DISK_C, variant->fstype, true));

	/* Two watches, one per interface. */
	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_WATCH, -1, &other.dev,
			       false)) TH_LOG("%s", reply.extack);
	EXPECT_WATCHING(&env->nl, env->devname, other.devname);

	/* One goes: the probes stay for the other. */
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_UNWATCH, other.root_fd,
			       NULL, false)) TH_LOG("%s", reply.extack);
	EXPECT_WATCHING(&env->nl, env->devname);
	EXPECT_EQ(-ENOENT, nl_target(&env->nl, DIOWQ_CMD_UNWATCH, -1,
				     &other.dev, false));

	/* The unwatched fs is not measured, the watched one is. */
	read_both(_metadata, &env->nl, &r_before);
	run_writer(_metadata, &other.tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_same_counters(_metadata, &r_before.lat, &r_after.lat);
	EXPECT_EQ(r_before.wi.unmatched, r_after.wi.unmatched);
	reaped = run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_before);
	expect_measured(_metadata, &r_before, &r_after, reaped);

	/* The last one goes: so do the probes. */
	ASSERT_EQ(0, dq_unwatch(env->fs.mnt));
	EXPECT_NOTHING_WATCHED(&env->nl);
	EXPECT_EQ(-ENOENT, dq_unwatch(env->fs.mnt));
	read_both(_metadata, &env->nl, &r_before);
	run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_same_counters(_metadata, &r_before.lat, &r_after.lat);
	EXPECT_EQ(r_before.wi.probe_hits, r_after.wi.probe_hits);
	env_teardown(&other);
}

TEST_F_TIMEOUT(latency, rmmod_under_io_removes_the_probes, 180)
{
	struct lat_env *env = &self->env;
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(3 * LOAD_MS);
	struct dq_writer_result res;
	struct dq_writer *w;
	uint64_t before_unload;

	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	EXPECT_WATCHING(&env->nl, env->devname);

	/* Unload while completions are being measured. */
	ASSERT_EQ(0, dq_writer_start(&w, &env->tf, &opts));
	ASSERT_EQ(0, dq_writer_wait_progress(w, MIN_COMPLETIONS, DQ_JOIN_MS));
	ASSERT_EQ(0, dq_writer_wait_in_flight(w, 4, DQ_JOIN_MS));
	dq_genl_close(&env->nl);
	ASSERT_EQ(0, dq_module_unload());
	before_unload = dq_writer_completed(w);
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
	EXPECT_FALSE(dq_module_loaded());

	/* The writes go on and complete, with nothing of ours in the path. */
	ASSERT_EQ(0, dq_writer_wait_progress(w, before_unload + MIN_COMPLETIONS,
					     DQ_JOIN_MS));
	EXPECT_FALSE(dq_path_exists(DIOWQ_SYSFS_ROOT));
	ASSERT_EQ(0, dq_writer_join(w, 3 * LOAD_MS + DQ_JOIN_MS, &res));
	dq_writer_log_result("writer", &res);
	EXPECT_TRUE(dq_writer_result_ok(&res));

	/* Loaded again: nothing watched, nothing measured, I/O fine. */
	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_EQ(0, dq_genl_open(&env->nl));
	EXPECT_NOTHING_WATCHED(&env->nl);
	read_both(_metadata, &env->nl, &r_before);
	expect_dump_empty(_metadata, &r_before.lat);
	EXPECT_EQ(0, r_before.wi.probe_hits);
	run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_dump_empty(_metadata, &r_after.lat);
	EXPECT_EQ(0, r_after.wi.probe_hits);
}

TEST_F_TIMEOUT(latency, watch_all_measures_a_fs_not_watched_by_device, 120)
{
	struct lat_env *env = &self->env;
	uint64_t reaped;

	ASSERT_EQ(0, dq_watch(DIOWQ_WATCH_ALL_NAME));
	expect_watch_state(_metadata, &env->nl, 1, true, NULL, 0);
	read_both(_metadata, &env->nl, &r_before);
	reaped = run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_measured(_metadata, &r_after, &r_before, reaped);
	expect_dump_consistent(_metadata, &r_after.lat);

	/*
	 * "all" and a device at once: each is a watch of its own, and
	 * UNWATCH ALL ends the first only (then there is none to end).
	 */
	ASSERT_EQ(0, dq_watch(env->fs.mnt));
	expect_watch_state(_metadata, &env->nl, 1, true,
			   (const char *const[]){ env->devname }, 1);
	ASSERT_EQ(0, nl_target(&env->nl, DIOWQ_CMD_UNWATCH, -1, NULL, true))
		TH_LOG("%s", reply.extack);
	EXPECT_WATCHING(&env->nl, env->devname);
	EXPECT_EQ(-ENOENT, nl_target(&env->nl, DIOWQ_CMD_UNWATCH, -1, NULL,
				     true));
	EXPECT_EQ(-ENOENT, dq_unwatch(DIOWQ_WATCH_ALL_NAME));
	EXPECT_WATCHING(&env->nl, env->devname);
	/* Measured still, by device now. */
	read_both(_metadata, &env->nl, &r_before);
	reaped = run_writer(_metadata, &env->tf, SHORT_LOAD_MS);
	read_both(_metadata, &env->nl, &r_after);
	expect_measured(_metadata, &r_after, &r_before, reaped);
	ASSERT_EQ(0, dq_unwatch(env->fs.mnt));
	EXPECT_NOTHING_WATCHED(&env->nl);

	/* sysfs "all" (as echo writes it), unwatched through sysfs. */
	ASSERT_EQ(0, dq_watch(DIOWQ_WATCH_ALL_NAME "\n"));
	expect_watch_state(_metadata, &env->nl, 1, true, NULL, 0);
	ASSERT_EQ(0, dq_unwatch(DIOWQ_WATCH_ALL_NAME "\n"));
	EXPECT_NOTHING_WATCHED(&env->nl);
}

/* ---- refused requests change nothing ---------------------------------- */

/*
 * The state the refusals must leave alone: XFS on disk B (with a
 * subdirectory and a regular file), a tmpfs; in the "one_watched" variant
 * the XFS is watched (probes on), in "nothing_watched" nothing is, so a
 * refusal that registers the probes and forgets them shows as well.
 */
FIXTURE(refusal) {
	struct lat_env env;
	char subdir[PATH_MAX];
	char file[PATH_MAX];
};

FIXTURE_VARIANT(refusal) {
	bool watched;
};

FIXTURE_VARIANT_ADD(refusal, nothing_watched) {
	.watched = false,
};

FIXTURE_VARIANT_ADD(refusal, one_watched) {
	.watched = true,
};

FIXTURE_SETUP(refusal)
{
	int fd;

	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(env_setup(&self->env, DQ_DISK_B, "xfs", variant->watched));
	snprintf(self->subdir, sizeof(self->subdir), "%s/subdir",
		 self->env.fs.mnt);
	DQ_SETUP(dq_mkdir_p(self->subdir));
	snprintf(self->file, sizeof(self->file), "%s/regular",
		 self->env.fs.mnt);
	fd = open(self->file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	DQ_SETUP(dq_mount_tmpfs(TMPFS_MNT));
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_genl_open(&self->env.nl));
	if (variant->watched) {
		DQ_SETUP(dq_watch(self->env.fs.mnt));
		/* Something measured: a max that CLEAR_MAX would reset. */
		run_writer(_metadata, &self->env.tf, SHORT_LOAD_MS);
	}
}

FIXTURE_TEARDOWN(refusal)
{
	env_teardown(&self->env);
	EXPECT_EQ(0, dq_machine_reset());
}

/* Everything diowq shows about watching, both interfaces. */
struct watch_snapshot {
	struct dq_snapshot sysfs;	/* includes watching and probes */
	struct dq_watch_info wi;
};

static void take(struct __test_metadata *_metadata, struct dq_genl *nl,
		 struct watch_snapshot *s)
{
	ASSERT_EQ(0, dq_snapshot_take(&s->sysfs));
	ASSERT_EQ(0, dq_watch_info(nl, &s->wi));
}

static void expect_unchanged(struct __test_metadata *_metadata,
			     struct dq_genl *nl, struct watch_snapshot *before,
			     const char *what)
{
	struct watch_snapshot after;

	take(_metadata, nl, &after);
	EXPECT_TRUE(dq_snapshot_equal(&before->sysfs, &after.sysfs)) {
		TH_LOG("after %s", what);
		dq_snapshot_log_diff(&before->sysfs, &after.sysfs);
	}
	EXPECT_EQ(before->wi.probes, after.wi.probes) TH_LOG("after %s", what);
	EXPECT_EQ(before->wi.all, after.wi.all) TH_LOG("after %s", what);
	EXPECT_EQ(before->wi.nr_watched, after.wi.nr_watched)
		TH_LOG("after %s", what);
	EXPECT_EQ(0, memcmp(before->wi.watched, after.wi.watched,
			    sizeof(after.wi.watched))) TH_LOG("after %s", what);
	dq_snapshot_free(&after.sysfs);
}

struct sysfs_refusal {
	const char *attr;
	const char *input;	/* "@MNT", "@SUB", "@FILE" expand */
	int err;
};

static const struct sysfs_refusal sysfs_refusals[] = {
	{ DIOWQ_ATTR_WATCH, "\n", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "garbage", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "ALL", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "all all", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "mnt/diowq/vdb", -EINVAL },
	{ DIOWQ_ATTR_WATCH, DQ_MNT_BASE "/nonexistent", -ENOENT },
	{ DIOWQ_ATTR_WATCH, "@SUB", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "@FILE", -EINVAL },
	{ DIOWQ_ATTR_WATCH, "highpri @MNT", -EINVAL },
	{ DIOWQ_ATTR_WATCH, TMPFS_MNT, -EOPNOTSUPP },
	{ DIOWQ_ATTR_WATCH, "/proc", -EOPNOTSUPP },
	{ DIOWQ_ATTR_WATCH, "/sys", -EOPNOTSUPP },
	{ DIOWQ_ATTR_UNWATCH, "\n", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "garbage", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, DQ_MNT_BASE "/nonexistent", -ENOENT },
	{ DIOWQ_ATTR_UNWATCH, "@SUB", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, "@FILE", -EINVAL },
	{ DIOWQ_ATTR_UNWATCH, TMPFS_MNT, -ENOENT },
	/* "all" is a watch of its own, and not one of these. */
	{ DIOWQ_ATTR_UNWATCH, DIOWQ_WATCH_ALL_NAME, -ENOENT },
};

static void expand(char *out, size_t size, const char *in,
		   FIXTURE_DATA(refusal) *self)
{
	if (!strcmp(in, "@MNT"))
		snprintf(out, size, "%s", self->env.fs.mnt);
	else if (!strcmp(in, "@SUB"))
		snprintf(out, size, "%s", self->subdir);
	else if (!strcmp(in, "@FILE"))
		snprintf(out, size, "%s", self->file);
	else if (!strncmp(in, "highpri @MNT", 12))
		snprintf(out, size, "highpri %s", self->env.fs.mnt);
	else
		snprintf(out, size, "%s", in);
}

TEST_F_TIMEOUT(refusal, bad_sysfs_writes_are_refused_and_change_nothing, 60)
{
	struct watch_snapshot before;
	char what[PATH_MAX + 64], input[PATH_MAX], path[PATH_MAX];
	unsigned int i;

	take(_metadata, &self->env.nl, &before);
	for (i = 0; i < ARRAY_SIZE(sysfs_refusals); i++) {
		const struct sysfs_refusal *r = &sysfs_refusals[i];
		int err;

		expand(input, sizeof(input), r->input, self);
		dq_attr_path(path, sizeof(path), NULL, r->attr);
		err = dq_write_file(path, input, strlen(input));
		snprintf(what, sizeof(what), "\"%s\" to %s", input, r->attr);
		EXPECT_EQ(r->err, err) TH_LOG("%s: want %s, got %s", what,
					      strerror(-r->err),
					      err ? strerror(-err) : "success");
		expect_unchanged(_metadata, &self->env.nl, &before, what);
	}
	/*
	 * A valid request, then a NUL and junk, or padded to a page and
	 * more: only a store that honours the length it got refuses them.
	 */
	for (i = 0; i < 6; i++) {
		const char *attr = i % 2 ? DIOWQ_ATTR_UNWATCH : DIOWQ_ATTR_WATCH;
		const char *valid = i < 2 ? DIOWQ_WATCH_ALL_NAME :
				    self->env.fs.mnt;
		size_t len = strlen(valid), total;
		static char buf[16384];

		memcpy(buf, valid, len);
		if (i < 4) {
			memcpy(buf + len, "\0junk", 5);
			total = len + 5;
		} else {
			total = i == 4 ? (size_t)getpagesize() :
				(size_t)getpagesize() + 1;
			memset(buf + len, ' ', total - len);
		}
		dq_attr_path(path, sizeof(path), NULL, attr);
		snprintf(what, sizeof(what), "%zu bytes \"%s...\" to %s", total,
			 valid, attr);
		EXPECT_EQ(-EINVAL, dq_write_file(path, buf, total))
			TH_LOG("%s", what);
		expect_unchanged(_metadata, &self->env.nl, &before, what);
	}

	/* What is not watched cannot be unwatched. */
	if (!variant->watched) {
		EXPECT_EQ(-ENOENT, dq_unwatch(self->env.fs.mnt));
		expect_unchanged(_metadata, &self->env.nl, &before,
				 "unwatch of what is not watched");
	}
	dq_snapshot_free(&before.sysfs);
}

/* Netlink targets, each refused by WATCH (and UNWATCH) with its errno. */
enum nl_target_kind {
	NT_NONE, NT_FD_AND_DEV, NT_ALL_AND_FD, NT_SUBDIR, NT_FILE, NT_TMPFS,
	NT_CLOSED_FD, NT_DEV_NULL, NT_TMPFS_DEV, NT_MAJOR_ONLY, NR_NT,
};

static const char *const nt_names[NR_NT] = {
	"no target", "fd and dev", "ALL and fd", "a subdirectory",
	"a regular file", "tmpfs's root", "a closed fd", "dev 1:3",
	"tmpfs's dev", "DEV_MAJOR alone",
};

/* { WATCH, UNWATCH } */
static const int nt_errors[NR_NT][2] = {
	[NT_NONE] = { -EINVAL, -EINVAL },
	[NT_FD_AND_DEV] = { -EINVAL, -EINVAL },
	[NT_ALL_AND_FD] = { -EINVAL, -EINVAL },
	[NT_SUBDIR] = { -EINVAL, -EINVAL },
	[NT_FILE] = { -EINVAL, -EINVAL },
	[NT_TMPFS] = { -EOPNOTSUPP, -ENOENT },
	[NT_CLOSED_FD] = { -EBADF, -EBADF },
	[NT_DEV_NULL] = { -ENOENT, -ENOENT },
	[NT_TMPFS_DEV] = { -ENOENT, -ENOENT },
	[NT_MAJOR_ONLY] = { -EINVAL, -EINVAL },
};

static int send_nt(FIXTURE_DATA(refusal) *self, uint8_t cmd,
		   enum nl_target_kind t)
{
	struct dq_genl_msg msg;
	struct stat st;
	int fd = -1, err;

	dq_genl_msg_init(&self->env.nl, &msg, cmd, 0);
	switch (t) {
	case NT_NONE:
		break;
	case NT_FD_AND_DEV:
		dq_genl_put_s32(&msg, DIOWQ_A_FD, self->env.root_fd);
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, major(self->env.dev));
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MINOR, minor(self->env.dev));
		break;
	case NT_ALL_AND_FD:
		dq_genl_put_flag(&msg, DIOWQ_A_ALL);
		dq_genl_put_s32(&msg, DIOWQ_A_FD, self->env.root_fd);
		break;
	case NT_SUBDIR:
		fd = open(self->subdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
		break;
	case NT_FILE:
		fd = open(self->file, O_RDONLY | O_CLOEXEC);
		dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
		break;
	case NT_TMPFS:
		fd = open(TMPFS_MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
		break;
	case NT_CLOSED_FD:
		dq_genl_put_s32(&msg, DIOWQ_A_FD, 999);
		break;
	case NT_DEV_NULL:
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, 1);
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MINOR, 3);
		break;
	case NT_TMPFS_DEV:
		if (stat(TMPFS_MNT, &st))
			memset(&st, 0, sizeof(st));
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, major(st.st_dev));
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MINOR, minor(st.st_dev));
		break;
	case NT_MAJOR_ONLY:
		dq_genl_put_u32(&msg, DIOWQ_A_DEV_MAJOR, major(self->env.dev));
		break;
	case NR_NT:
		break;
	}
	err = dq_genl_call(&self->env.nl, &msg, &reply);
	if (fd >= 0)
		close(fd);
	return err ?: reply.error;
}

TEST_F_TIMEOUT(refusal, bad_netlink_targets_are_refused_and_change_nothing, 60)
{
	static const uint8_t cmds[2] = { DIOWQ_CMD_WATCH, DIOWQ_CMD_UNWATCH };
	struct watch_snapshot before;
	char what[128];
	unsigned int c, t;

	/* Never opened by anyone: fd 999 must be closed. */
	ASSERT_EQ(-1, fcntl(999, F_GETFD));
	take(_metadata, &self->env.nl, &before);
	for (c = 0; c < ARRAY_SIZE(cmds); c++) {
		for (t = 0; t < NR_NT; t++) {
			int err = send_nt(self, cmds[c], t);

			snprintf(what, sizeof(what), "%s of %s",
				 c ? "UNWATCH" : "WATCH", nt_names[t]);
			EXPECT_EQ(nt_errors[t][c], err)
				TH_LOG("%s: want %s, got %s (%s)", what,
				       strerror(-nt_errors[t][c]),
				       err ? strerror(-err) : "success",
				       reply.extack);
			EXPECT_STRNE("", reply.extack) TH_LOG("%s", what);
			expect_unchanged(_metadata, &self->env.nl, &before,
					 what);
		}
	}
	/* UNWATCH ALL without a watch of all; of something not watched. */
	EXPECT_EQ(-ENOENT, nl_target(&self->env.nl, DIOWQ_CMD_UNWATCH, -1,
				     NULL, true));
	EXPECT_STRNE("", reply.extack);
	expect_unchanged(_metadata, &self->env.nl, &before, "UNWATCH ALL");
	if (!variant->watched) {
		EXPECT_EQ(-ENOENT, nl_target(&self->env.nl, DIOWQ_CMD_UNWATCH,
					     self->env.root_fd, NULL, false));
		expect_unchanged(_metadata, &self->env.nl, &before,
				 "UNWATCH of what is not watched");
	}
	dq_snapshot_free(&before.sysfs);
}

enum restricted_who { AS_NOBODY, AS_ROOT_WITHOUT_SYS_ADMIN };

/*
 * In a child that became who: reads work (the same values as root's),
 * every change is refused. Returns a bit mask of failed checks.
 */
static int restricted_child(FIXTURE_DATA(refusal) *self,
			    enum restricted_who who, const char *root_watching,
			    int root_probes)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int sysfs_err = who == AS_NOBODY ? -EACCES : -EPERM;
	char watching[512], extack[256];
	struct dq_watch_info wi;
	struct dq_genl nl;
	int failures = 0, probes = -1;

	if (who == AS_NOBODY) {
		if (setgroups(0, NULL) ||
		    setresgid(DQ_UID_NOBODY, DQ_UID_NOBODY, DQ_UID_NOBODY) ||
		    setresuid(DQ_UID_NOBODY, DQ_UID_NOBODY, DQ_UID_NOBODY))
			return 1 << 30;
	} else {
		if (syscall(SYS_capget, &hdr, data))
			return 1 << 30;
		data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
			~CAP_TO_MASK(CAP_SYS_ADMIN);
		data[CAP_TO_INDEX(CAP_SYS_ADMIN)].permitted &=
			~CAP_TO_MASK(CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &hdr, data))
			return 1 << 30;
	}
	if (dq_genl_open(&nl))
		return 1 << 29;
	/* Reads. */
	if (dq_read_watching(watching, sizeof(watching)) ||
	    strcmp(watching, root_watching))
		failures |= 1;
	if (dq_read_probes(&probes) || probes != root_probes)
		failures |= 2;
	if (dq_watch_info(&nl, &wi) || wi.probes != root_probes)
		failures |= 4;
	if (dq_lat_read(&nl, false, &lat_delta, NULL, 0))
		failures |= 8;
	/* Changes. */
	if (dq_watch(self->env.fs.mnt) != sysfs_err)
		failures |= 16;
	if (dq_unwatch(self->env.fs.mnt) != sysfs_err)
		failures |= 32;
	if (dq_watch(DIOWQ_WATCH_ALL_NAME) != sysfs_err)
		failures |= 64;
	if (nl_target(&nl, DIOWQ_CMD_WATCH, self->env.root_fd, NULL,
		      false) != -EPERM)
		failures |= 128;
	if (nl_target(&nl, DIOWQ_CMD_WATCH, -1, NULL, true) != -EPERM)
		failures |= 256;
	if (nl_target(&nl, DIOWQ_CMD_UNWATCH, self->env.root_fd, NULL,
		      false) != -EPERM)
		failures |= 512;
	if (nl_target(&nl, DIOWQ_CMD_UNWATCH, -1, NULL, true) != -EPERM)
		failures |= 1024;
	if (dq_lat_read(&nl, true, &lat_delta, extack, sizeof(extack)) !=
	    -EPERM)
		failures |= 2048;
	dq_genl_close(&nl);
	return failures;
}

static void expect_restricted(struct __test_metadata *_metadata,
			      FIXTURE_DATA(refusal) *self,
			      enum restricted_who who)
{
	struct watch_snapshot before;
	char watching[512];
	int probes, pipefd[2], failures = -1, status;
	pid_t pid;

	ASSERT_EQ(0, dq_read_watching(watching, sizeof(watching)));
	ASSERT_EQ(0, dq_read_probes(&probes));
	take(_metadata, &self->env.nl, &before);
	/* A max that a wrongly allowed CLEAR_MAX would reset. */
	read_dump(_metadata, &self->env.nl, &lat_before);
	if (probes) {
		const struct dq_lat_cpu *c = dq_lat_find(&lat_before, WRITER_CPU);

		ASSERT_NE(NULL, c);
		ASSERT_LT(0, c->max_ns);
	}

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int f = restricted_child(self, who, watching, probes);

		if (write(pipefd[1], &f, sizeof(f)) != sizeof(f))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(sizeof(failures), read(pipefd[0], &failures,
					  sizeof(failures)));
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, failures)
		TH_LOG("failed checks (bits): 1 watching, 2 probes, 4 GET_WATCH, 8 GET_LATENCY, 16 sysfs watch, 32 sysfs unwatch, 64 sysfs watch all, 128 WATCH fd, 256 WATCH ALL, 512 UNWATCH fd, 1024 UNWATCH ALL, 2048 CLEAR_MAX; 1<<29/30 setup");
	expect_unchanged(_metadata, &self->env.nl, &before,
			 "the unprivileged requests");
	read_dump(_metadata, &self->env.nl, &lat_after);
	expect_same_counters(_metadata, &lat_before, &lat_after);
	dq_snapshot_free(&before.sysfs);
}

TEST_F_TIMEOUT(refusal, nobody_reads_but_cannot_watch, 60)
{
	expect_restricted(_metadata, self, AS_NOBODY);
}

TEST_F_TIMEOUT(refusal, root_without_cap_sys_admin_cannot_watch, 60)
{
	expect_restricted(_metadata, self, AS_ROOT_WITHOUT_SYS_ADMIN);
}

DQ_TEST_MAIN
