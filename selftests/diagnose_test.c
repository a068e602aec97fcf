// SPDX-License-Identifier: GPL-2.0
/*
 * diagnose_test: diowqctl's dispatch-latency commands (diagnose, top,
 * watch, unwatch), which measure with diowqctl's BPF program, on XFS and
 * ext4, with the seed scenario of diowq: a process in a cgroup v2 group
 * with cpu.weight 1000 writes with libaio O_DIRECT from the CPU that takes
 * its completions.
 *
 * - Without the module loaded (diagnosing before installing anything):
 *   `diowqctl diagnose MNT --json` says "starved" (exit 3) for that CPU on
 *   the kernel's dio/<s_id>, names the process, its group and the weight,
 *   says how many of the filesystem's completions were queued, and the
 *   human verdict line says to tune the mount. With the module loaded and
 *   the mount tuned highpri, the same load is "ok" (exit 0), on
 *   diowq-<s_id> at nice -20. With no load: "idle". diagnose leaves no
 *   program of its own behind, and a pinned watch as it found it.
 * - What the program counts is what the writer did: every write queued its
 *   completion (6.1 and 6.12 queue every async write), all counted.
 * - `diowqctl top --iterations 2 --interval 1` prints two frames with a
 *   row per CPU, with or without a watch.
 * - `diowqctl watch --all`/`unwatch --all` pin and unpin the program;
 *   their refusals (a PATH, not root, nothing watched) change nothing.
 *
 * Attaching the program patches kernel text (tracepoints, fentry): this
 * program runs only in the single-threaded TCG boot (DIOWQ_PROBE_TESTS).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/cgroup.h"
#include "lib/bpf.h"
#include "lib/json.h"

/* The seed scenario: a group with the weight Kubernetes gives 10 CPUs. */
#define CGROUP "diowq-diagnose"
#define CGROUP_WEIGHT "1000"
#define CONTENDER_COMM "dq-contender"
/*
 * The CPU that takes the writer's completions: virtio-blk has a queue per
 * vCPU and the interrupt of a writer pinned to CPU n lands on CPU n
 * (vm-facts; completion_test and latency_test see them run there).
 */
#define WRITER_CPU 1
#define SAMPLE_SECONDS "3"
/*
 * diagnose's threshold for the tuned case (the default, 1ms, for the rest):
 * a tuned p99 of 2.8 ms was seen once on 6.12 (TCG), the starved case's is
 * 8 ms and more.
 */
#define TUNED_THRESHOLD_MS 4
#define MS_ARG(ms) #ms "ms"		/* diowqctl's spelling: "2ms" */
#define MS_ARG_OF(ms) MS_ARG(ms)
/* diowqctl's exit status for a "starved" verdict. */
#define EXIT_STARVED 3
/* diagnose samples for seconds, on an emulated machine. */
#define CTL_TIMEOUT_MS 60000
/* The log2 histogram diowqctl reports: 32 buckets of nanoseconds. */
#define HIST_BUCKETS 32
#include "lib/ctl.h"

#define EXPECT_JSON_STR(json, path, want) do {				\
	char __dq_v[512];						\
	int __dq_e = dq_json_string(json, path, __dq_v, sizeof(__dq_v));\
	EXPECT_EQ(0, __dq_e) TH_LOG("%s: %s", path, strerror(-__dq_e));	\
	if (!__dq_e)							\
		EXPECT_STREQ(want, __dq_v) TH_LOG("at %s", path);	\
} while (0)

#define EXPECT_JSON_INT(json, path, want) do {				\
	long long __dq_v = 0;						\
	int __dq_e = dq_json_int(json, path, &__dq_v);			\
	EXPECT_EQ(0, __dq_e) TH_LOG("%s: %s", path, strerror(-__dq_e));	\
	if (!__dq_e)							\
		EXPECT_EQ(want, __dq_v) TH_LOG("at %s", path);		\
} while (0)

#define EXPECT_JSON_BOOL(json, path, want) do {				\
	bool __dq_v = !(want);						\
	int __dq_e = dq_json_bool(json, path, &__dq_v);			\
	EXPECT_EQ(0, __dq_e) TH_LOG("%s: %s", path, strerror(-__dq_e));	\
	if (!__dq_e)							\
		EXPECT_EQ(want, __dq_v) TH_LOG("at %s", path);		\
} while (0)

/* The integer at printf-style path, or -1 (and a failed check). */
static long long json_int(struct __test_metadata *_metadata, const char *json,
			  const char *path)
{
	long long v = -1;
	int err = dq_json_int(json, path, &v);

	EXPECT_EQ(0, err) TH_LOG("%s: %s", path, strerror(-err));
	return err ? -1 : v;
}

static const char *at(char *buf, size_t size, const char *fmt, int i,
		      const char *key)
{
	snprintf(buf, size, fmt, i, key);
	return buf;
}

/* The index of cpus[] whose "cpu" is cpu, or -1. */
static int json_cpu_index(const char *json, int cpu)
{
	int i, n = dq_json_count(json, "cpus");
	char path[64];
	long long v;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "cpus.%d.cpu", i);
		if (!dq_json_int(json, path, &v) && v == cpu)
			return i;
	}
	return -1;
}

/* The line of text that starts with prefix, copied into buf, or false. */
static bool line_starting(const char *text, const char *prefix, char *buf,
			  size_t size)
{
	size_t n = strlen(prefix);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, prefix, n)) {
			snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"),
				 line);
			return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/* ---- the contender: a writer in the weight-1000 group, in a child ----- */

struct contender {
	pid_t pid;		/* 0: not running */
	int to_child;		/* closed: stop */
	int from_child;		/* "R" once writing, then the result */
	struct dq_writer_result res;
};

/* In the child: write until the parent closes the pipe, report, exit. */
static void contender_main(struct dq_tagged_file *tf, const char *cgroup,
			   int in, int out)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);
	struct dq_writer_result res;
	struct dq_writer *w;
	char c;

	if (cgroup && dq_cg_move(cgroup, 0))
		_exit(10);
	/* Threads created from now on (the writer) carry the name. */
	if (prctl(PR_SET_NAME, CONTENDER_COMM, 0, 0, 0))
		_exit(11);
	if (dq_writer_start(&w, tf, &opts))
		_exit(12);
	if (dq_writer_wait_progress(w, 1000, DQ_JOIN_MS))
		_exit(13);
	if (write(out, "R", 1) != 1)
		_exit(14);
	while (read(in, &c, 1) > 0)
		;
	dq_writer_stop(w);
	if (dq_writer_join(w, DQ_JOIN_MS, &res))
		_exit(15);
	if (write(out, &res, sizeof(res)) != sizeof(res))
		_exit(16);
	_exit(0);
}

static int contender_start(struct contender *c, struct dq_tagged_file *tf,
			   const char *cgroup)
{
	int to[2], from[2];
	char ready;

	memset(c, 0, sizeof(*c));
	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (!c->pid) {
		close(to[1]);
		close(from[0]);
		contender_main(tf, cgroup, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	c->to_child = to[1];
	c->from_child = from[0];
	if (read(c->from_child, &ready, 1) != 1 || ready != 'R')
		return -ECHILD;
	return 0;
}

/* Stop it: its result (0) or -errno. Idempotent. */
static int contender_stop(struct contender *c)
{
	int status, err = 0;

	if (!c->pid)
		return 0;
	close(c->to_child);
	if (read(c->from_child, &c->res, sizeof(c->res)) != sizeof(c->res)) {
		kill(c->pid, SIGKILL);
		err = -ECHILD;
	}
	close(c->from_child);
	if (waitpid(c->pid, &status, 0) != c->pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		err = err ?: -ECHILD;
	c->pid = 0;
	return err;
}

/* ---- fixture ------------------------------------------------------------ */

FIXTURE(diagnose) {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	struct contender contender;
	char devname[32];
	char dio[80];		/* "dio/<s_id>" */
	char diowq[80];		/* "diowq-<s_id>" */
	bool cgroup;
};

FIXTURE_VARIANT(diagnose) {
	const char *fstype;
};

FIXTURE_VARIANT_ADD(diagnose, xfs) {
	.fstype = "xfs",
};

FIXTURE_VARIANT_ADD(diagnose, ext4) {
	.fstype = "ext4",
};

FIXTURE_SETUP(diagnose)
{
	char path[PATH_MAX];
	struct stat st;

	self->tf.fd = -1;
	DQ_SETUP(dq_machine_reset());
	DQ_SETUP(dq_fs_reuse(&self->fs, DQ_DISK_B, variant->fstype));
	ASSERT_EQ(0, stat(self->fs.mnt, &st));
	snprintf(self->devname, sizeof(self->devname), "%u:%u",
		 major(st.st_dev), minor(st.st_dev));
	snprintf(self->dio, sizeof(self->dio), "dio/%s", self->fs.sid);
	snprintf(self->diowq, sizeof(self->diowq), "%s%s", DIOWQ_WQ_PREFIX,
		 self->fs.sid);
	snprintf(path, sizeof(path), "%s/data", self->fs.mnt);
	/* Writes that queue on every kernel, 7.x too (lib/diowq_test.h). */
	DQ_SETUP(dq_tf_create(&self->tf, path, DQ_QUEUED_FILE_SIZE,
			      DQ_LAYOUT_UNWRITTEN));
	/* A watch of an earlier test: gone (its programs with it). */
	if (dq_bpf_watch_pinned())
		CTL_RUN("unwatch", "--all");
}

FIXTURE_TEARDOWN(diagnose)
{
	contender_stop(&self->contender);
	if (dq_bpf_watch_pinned())
		EXPECT_CTL(0, "unwatch", "--all");
	if (self->cgroup)
		EXPECT_EQ(0, dq_cg_destroy(CGROUP));
	if (self->tf.fd >= 0)
		dq_tf_destroy(&self->tf);
	EXPECT_EQ(0, dq_machine_reset());
}

/* The group of the seed scenario; SKIP without the cpu controller. */
static bool make_cgroup(struct __test_metadata *_metadata,
			FIXTURE_DATA(diagnose) *self)
{
	char weight[32];

	if (!dq_cg_has_controller("cpu"))
		return false;
	EXPECT_EQ(0, dq_cg_enable_controller("cpu"));
	EXPECT_EQ(0, dq_cg_create(CGROUP));
	self->cgroup = true;
	EXPECT_EQ(0, dq_cg_write(CGROUP, "cpu.weight", CGROUP_WEIGHT));
	EXPECT_LE(0, dq_cg_read(CGROUP, "cpu.weight", weight, sizeof(weight)));
	EXPECT_STREQ(CGROUP_WEIGHT "\n", weight);
	return true;
}

/*
 * Nothing of diowqctl's program is loaded, nothing pinned. A program that
 * was detached is released once its last reference goes, which may take
 * a moment (an RCU grace period): give it a few seconds.
 */
static void expect_nothing_watched(struct __test_metadata *_metadata)
{
	uint64_t deadline = dq_now_ms() + 5000;
	int n;

	EXPECT_FALSE(dq_bpf_watch_pinned());
	while ((n = dq_bpf_programs(DQ_BPF_PROG_PREFIX)) > 0 &&
	       dq_now_ms() < deadline)
		dq_sleep_ms(100);
	EXPECT_EQ(0, n) TH_LOG("programs named " DQ_BPF_PROG_PREFIX "* still loaded");
}

/* The pinned watch is there, its programs attached. */
static void expect_watch_pinned(struct __test_metadata *_metadata)
{
	EXPECT_TRUE(dq_bpf_watch_pinned());
	/* queue_work, execute_start, execute_end, and fentry where allowed */
	EXPECT_LE(3, dq_bpf_programs(DQ_BPF_PROG_PREFIX));
}

/*
 * The JSON of a diagnose run: one object with the documented keys, an
 * entry per possible CPU with a 32-bucket histogram that sums to its
 * completions. Returns the index of WRITER_CPU's entry.
 */
static int check_diagnosis_json(struct __test_metadata *_metadata,
				const char *json, const char *verdict)
{
	char path[64], buf[64], message[1024] = "";
	long long completions, p50, p99, sum = 0, v;
	int i, b, ncpu = dq_json_count(json, "cpus");

	EXPECT_JSON_STR(json, "verdict", verdict);
	EXPECT_JSON_INT(json, "seconds", atoi(SAMPLE_SECONDS));
	EXPECT_EQ(DQ_JSON_STRING, dq_json_type_at(json, "message"));
	EXPECT_EQ(dq_possible_cpus(), ncpu);
	for (i = 0; i < ncpu; i++) {
		completions = json_int(_metadata, json,
				       at(path, sizeof(path), "cpus.%d.%s", i,
					  "completions"));
		EXPECT_EQ(HIST_BUCKETS,
			  dq_json_count(json, at(path, sizeof(path),
						 "cpus.%d.%s", i, "hist")));
		for (sum = 0, b = 0; b < HIST_BUCKETS; b++) {
			snprintf(path, sizeof(path), "cpus.%d.hist.%d", i, b);
			if (!dq_json_int(json, path, &v))
				sum += v;
		}
		EXPECT_EQ(completions, sum) TH_LOG("cpu entry %d", i);
		EXPECT_EQ(DQ_JSON_NUMBER,
			  dq_json_type_at(json, at(path, sizeof(path),
						   "cpus.%d.%s", i,
						   "per_second")));
		if (!completions)
			continue;
		p50 = json_int(_metadata, json, at(path, sizeof(path),
						   "cpus.%d.%s", i, "p50_ns"));
		p99 = json_int(_metadata, json, at(path, sizeof(path),
						   "cpus.%d.%s", i, "p99_ns"));
		EXPECT_LE(p50, p99) TH_LOG("cpu entry %d", i);
		EXPECT_LT(0, json_int(_metadata, json,
				      at(path, sizeof(path), "cpus.%d.%s", i,
					 "max_ns")));
	}
	i = json_cpu_index(json, WRITER_CPU);
	EXPECT_LE(0, i) TH_LOG("no entry for CPU %d", WRITER_CPU);
	/* The verdict line starts with the verdict. */
	snprintf(buf, sizeof(buf), "%s: ", verdict);
	EXPECT_EQ(0, dq_json_string(json, "message", message, sizeof(message)));
	dq_log("diagnose: %s", message);
	EXPECT_EQ(0, strncmp(message, buf, strlen(buf)))
		TH_LOG("message \"%s\"", message);
	return i;
}

/* ---- diagnose ------------------------------------------------------------ */

TEST_F_TIMEOUT(diagnose, weight_1000_group_starves_until_tuned, 240)
{
	char path[PATH_MAX], want[PATH_MAX + 64], line[1024];
	const char *json = cmd.out.buf;
	struct dq_tagged_file written;
	long long completions, pid, total;
	int i;

	if (!make_cgroup(_metadata, self))
		SKIP(return, "no cpu controller in cgroup v2");
	/*
	 * The seed's load, overwrites of a written file: what starves on
	 * 6.1 and 6.12, and what 7.x completes inline, with nothing queued
	 * that could starve. (The fixture's unwritten file queues on 7.x too,
	 * but a conversion per completion makes even a cured queue's wait
	 * exceed the threshold under emulation: the bench measures that.)
	 */
	snprintf(path, sizeof(path), "%s/written", self->fs.mnt);
	ASSERT_EQ(0, dq_tf_create(&written, path, DQ_DATA_FILE_SIZE,
				  DQ_LAYOUT_WRITTEN));
	ASSERT_EQ(0, contender_start(&self->contender, &written, CGROUP));
	if (dq_overwrites_complete_inline()) {
		/*
		 * Nothing queued, so nothing starved and nothing to tune:
		 * not-affected, with the completions that ran without a
		 * queue counted (inline in the bio's end_io, where the
		 * compiler inlined iomap_dio_complete_work: only the fentry
		 * on iomap_dio_complete sees them).
		 */
		ASSERT_CTL(0, "diagnose", self->fs.mnt, "--seconds",
			   SAMPLE_SECONDS, "--json");
		ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
		i = check_diagnosis_json(_metadata, json, "not-affected");
		ASSERT_LE(0, i) dq_cmd_log(&cmd);
		EXPECT_EQ(0, json_int(_metadata, json,
				      at(path, sizeof(path), "cpus.%d.%s", i,
					 "completions"))) dq_cmd_log(&cmd);
		ASSERT_EQ(1, dq_json_count(json, "filesystems")) dq_cmd_log(&cmd);
		EXPECT_JSON_STR(json, "filesystems.0.dev", self->devname);
		EXPECT_EQ(0, json_int(_metadata, json, "filesystems.0.queued"));
		EXPECT_LT(1000, json_int(_metadata, json,
					 "filesystems.0.completed")) dq_cmd_log(&cmd);
		ASSERT_EQ(0, contender_stop(&self->contender));
		EXPECT_TRUE(dq_writer_result_ok(&self->contender.res));
		dq_tf_destroy(&written);
		return;
	}

	/* No module: starved, behind our writer, in our group. */
	ASSERT_FALSE(dq_module_loaded());
	ASSERT_CTL(EXIT_STARVED, "diagnose", self->fs.mnt, "--seconds",
		   SAMPLE_SECONDS, "--json");
	ASSERT_EQ(0, cmd.out.lost);
	ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
	i = check_diagnosis_json(_metadata, json, "starved");
	ASSERT_LE(0, i);
	completions = json_int(_metadata, json, at(path, sizeof(path),
						   "cpus.%d.%s", i,
						   "completions"));
	EXPECT_LT(0, completions);
	EXPECT_LT(1000000, json_int(_metadata, json,
				    at(path, sizeof(path), "cpus.%d.%s", i,
				       "p99_ns"))) dq_cmd_log(&cmd);
	EXPECT_JSON_STR(json, at(path, sizeof(path), "cpus.%d.%s", i, "queue"),
			self->dio);
	EXPECT_JSON_INT(json, at(path, sizeof(path), "cpus.%d.%s", i,
				 "worker_nice"), 0);
	ASSERT_EQ(DQ_JSON_OBJECT,
		  dq_json_type_at(json, at(path, sizeof(path), "cpus.%d.%s", i,
					   "contender"))) dq_cmd_log(&cmd);
	pid = json_int(_metadata, json, at(path, sizeof(path), "cpus.%d.%s", i,
					   "contender.pid"));
	EXPECT_EQ(self->contender.pid, pid) dq_cmd_log(&cmd);
	EXPECT_JSON_STR(json, at(path, sizeof(path), "cpus.%d.%s", i,
				 "contender.comm"), CONTENDER_COMM);
	EXPECT_JSON_STR(json, at(path, sizeof(path), "cpus.%d.%s", i,
				 "contender.cgroup"), "/" CGROUP);
	EXPECT_JSON_INT(json, at(path, sizeof(path), "cpus.%d.%s", i,
				 "contender.cpu_weight"), atoi(CGROUP_WEIGHT));
	/* Every one of the filesystem's completions went through a queue. */
	ASSERT_EQ(1, dq_json_count(json, "filesystems")) dq_cmd_log(&cmd);
	EXPECT_JSON_STR(json, "filesystems.0.dev", self->devname);
	EXPECT_LE(completions, json_int(_metadata, json, "filesystems.0.queued"));
	if (dq_json_type_at(json, "filesystems.0.completed") == DQ_JSON_NUMBER)
		EXPECT_LE(json_int(_metadata, json, "filesystems.0.queued"),
			  json_int(_metadata, json, "filesystems.0.completed"));
	/* It attached the program, so it detached it, and loaded no module. */
	expect_nothing_watched(_metadata);
	EXPECT_FALSE(dq_module_loaded());

	/* The same as a sentence, with what to do about it. */
	ASSERT_CTL(EXIT_STARVED, "diagnose", self->fs.mnt, "--seconds", "2");
	snprintf(want, sizeof(want), "starved: dio completions on CPU %d ",
		 WRITER_CPU);
	EXPECT_TRUE(line_starting(cmd.out.buf, want, line, sizeof(line)))
		dq_cmd_log(&cmd);
	EXPECT_TRUE(dq_contains(line, CONTENDER_COMM)) TH_LOG("%s", line);
	EXPECT_TRUE(dq_contains(line, "in /" CGROUP " with cpu.weight "
				CGROUP_WEIGHT)) TH_LOG("%s", line);
	snprintf(want, sizeof(want), "diowqctl tune %s", self->fs.mnt);
	EXPECT_TRUE(dq_contains(line, want)) TH_LOG("%s", line);
	EXPECT_STDERR_HAS("sampling");
	expect_nothing_watched(_metadata);

	/*
	 * Tuned: the same load is fine, on our queue at nice -20. The
	 * threshold is TUNED_THRESHOLD_MS here: a nice -20 worker's wake-up in
	 * an emulated guest takes up to a few milliseconds (p99 0.4-1.0 ms
	 * usually, 2.8 ms once), still far below the starved case's 8 ms
	 * and more.
	 */
	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, self->fs.mnt));
	ASSERT_CTL(0, "diagnose", self->fs.mnt, "--seconds", SAMPLE_SECONDS,
		   "--threshold", MS_ARG_OF(TUNED_THRESHOLD_MS), "--json");
	ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
	i = check_diagnosis_json(_metadata, json, "ok");
	ASSERT_LE(0, i);
	EXPECT_LT(0, json_int(_metadata, json, at(path, sizeof(path),
						  "cpus.%d.%s", i,
						  "completions")));
	EXPECT_GE(TUNED_THRESHOLD_MS * 1000000LL,
		  json_int(_metadata, json, at(path, sizeof(path), "cpus.%d.%s",
					       i, "p99_ns"))) dq_cmd_log(&cmd);
	EXPECT_JSON_STR(json, at(path, sizeof(path), "cpus.%d.%s", i, "queue"),
			self->diowq);
	EXPECT_JSON_INT(json, at(path, sizeof(path), "cpus.%d.%s", i,
				 "worker_nice"), -20);
	/* Only starved CPUs get a contender. */
	EXPECT_EQ(DQ_JSON_NULL,
		  dq_json_type_at(json, at(path, sizeof(path), "cpus.%d.%s", i,
					   "contender")));
	expect_nothing_watched(_metadata);

	ASSERT_EQ(0, contender_stop(&self->contender));
	dq_writer_log_result("contender", &self->contender.res);
	EXPECT_TRUE(dq_writer_result_ok(&self->contender.res));
	/* What was measured did happen: no more than the writer did. */
	total = self->contender.res.completed;
	EXPECT_LT(completions, total);
	dq_tf_destroy(&written);
}

TEST_F_TIMEOUT(diagnose, no_load_is_idle_and_an_existing_watch_stays, 120)
{
	const char *json = cmd.out.buf;

	/* Watched before: diagnose must not end that watch. */
	ASSERT_CTL(0, "watch", "--all");
	ASSERT_CTL(0, "diagnose", self->fs.mnt, "--seconds", SAMPLE_SECONDS,
		   "--json");
	ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
	check_diagnosis_json(_metadata, json, "idle");
	expect_watch_pinned(_metadata);

	/* Every filesystem, the human way: still idle, still our watch. */
	ASSERT_CTL(0, "diagnose", "--seconds", "1");
	EXPECT_TRUE(dq_contains(cmd.out.buf, "idle: no direct-I/O write completions in 1 s"))
		dq_cmd_log(&cmd);
	expect_watch_pinned(_metadata);
	ASSERT_CTL(0, "unwatch", "--all");
	expect_nothing_watched(_metadata);
}

TEST_F_TIMEOUT(diagnose, nobody_cannot_attach_the_program, 60)
{
	struct dq_snapshot before, after;

	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_EQ(0, dq_snapshot_take(&before));
	EXPECT_EQ(1, CTL_AS(DQ_AS_NOBODY, "diagnose", self->fs.mnt,
			    "--seconds", "1")) dq_cmd_log(&cmd);
	EXPECT_STDERR_HAS("CAP_BPF");
	EXPECT_EQ(1, CTL_AS(DQ_AS_NOBODY, "watch", "--all")) dq_cmd_log(&cmd);
	EXPECT_STDERR_HAS("CAP_BPF");
	expect_nothing_watched(_metadata);
	ASSERT_EQ(0, dq_snapshot_take(&after));
	EXPECT_TRUE(dq_snapshot_equal(&before, &after))
		dq_snapshot_log_diff(&before, &after);
	dq_snapshot_free(&before);
	dq_snapshot_free(&after);
}

/* ---- top ----------------------------------------------------------------- */

/*
 * top's output without a terminal: one frame per iteration, each with
 * a table whose header starts with "CPU" and a row per CPU; no escape
 * sequences (clearing the screen is for terminals). Returns the number
 * of frames; the row of WRITER_CPU in the last one goes to row.
 */
static int top_frames(const char *out, char *row, size_t size)
{
	char want[16];
	const char *line = out;
	int frames = 0;

	row[0] = '\0';
	snprintf(want, sizeof(want), "%d ", WRITER_CPU);
	while (line && *line) {
		const char *p = line + strspn(line, " ");

		if (!strncmp(p, "CPU ", 4))
			frames++;
		else if (frames && !strncmp(p, want, strlen(want)))
			snprintf(row, size, "%.*s", (int)strcspn(p, "\n"), p);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return frames;
}

TEST_F_TIMEOUT(diagnose, top_prints_a_frame_per_iteration, 120)
{
	char row[256];

	/* No module, no watch: top attaches the program while it runs. */
	ASSERT_EQ(0, contender_start(&self->contender, &self->tf, NULL));
	ASSERT_CTL(0, "top", "--iterations", "2", "--interval", "1");
	EXPECT_EQ(2, top_frames(cmd.out.buf, row, sizeof(row)))
		dq_cmd_log(&cmd);
	EXPECT_EQ(NULL, strchr(cmd.out.buf, '\x1b')) dq_cmd_log(&cmd);
	/* The writer's CPU ran its completions, on the kernel's queue. */
	EXPECT_TRUE(dq_contains(row, self->dio)) TH_LOG("row: \"%s\"", row);
	expect_nothing_watched(_metadata);

	/* An existing watch: top uses it and leaves it. */
	ASSERT_EQ(0, dq_module_load(""));
	ASSERT_EQ(0, dq_tune(DIOWQ_MODE_HIGHPRI_NAME, self->fs.mnt));
	ASSERT_CTL(0, "watch", "--all");
	ASSERT_CTL(0, "top", "--iterations", "2", "--interval", "1");
	EXPECT_EQ(2, top_frames(cmd.out.buf, row, sizeof(row)))
		dq_cmd_log(&cmd);
	EXPECT_TRUE(dq_contains(row, self->diowq)) TH_LOG("row: \"%s\"", row);
	EXPECT_TRUE(dq_contains(row, "-20")) TH_LOG("row: \"%s\"", row);
	expect_watch_pinned(_metadata);
	/* --watch-all is accepted for old scripts and changes nothing. */
	ASSERT_CTL(0, "top", "--iterations", "1", "--interval", "1",
		   "--watch-all");
	EXPECT_EQ(1, top_frames(cmd.out.buf, row, sizeof(row)))
		dq_cmd_log(&cmd);
	expect_watch_pinned(_metadata);
	ASSERT_EQ(0, contender_stop(&self->contender));
	EXPECT_TRUE(dq_writer_result_ok(&self->contender.res));
}

/* ---- watch and unwatch ------------------------------------------------- */

TEST_F_TIMEOUT(diagnose, watch_and_unwatch_pin_and_unpin_the_program, 60)
{
	const char *json = cmd.out.buf;

	ASSERT_CTL(0, "watch", "--all");
	expect_watch_pinned(_metadata);
	ASSERT_CTL(0, "watch", "--all");	/* watched already: nothing to do */
	expect_watch_pinned(_metadata);
	ASSERT_CTL(0, "-j", "watch");
	ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
	EXPECT_JSON_BOOL(json, "probes", true);
	EXPECT_JSON_BOOL(json, "all", true);

	/* Refusals: a status, a reason, the watch as it was. */
	EXPECT_CTL(2, "watch", self->fs.mnt);
	EXPECT_STDERR_HAS("takes no PATH");
	EXPECT_CTL(2, "unwatch", self->fs.mnt);
	EXPECT_EQ(1, CTL_AS(DQ_AS_NOBODY, "unwatch", "--all"))
		dq_cmd_log(&cmd);
	expect_watch_pinned(_metadata);

	ASSERT_CTL(0, "unwatch", "--all");
	expect_nothing_watched(_metadata);
	EXPECT_CTL(1, "unwatch", "--all");
	EXPECT_STDERR_HAS("nothing is watched");
	ASSERT_CTL(0, "-j", "watch");
	EXPECT_JSON_BOOL(json, "probes", false);
}

/* Blocks of the file written at least once. */
static uint64_t blocks_written(const struct dq_tagged_file *tf)
{
	uint64_t i, n = 0;

	for (i = 0; i < tf->nr_blocks; i++)
		n += tf->expected[i] != 0;
	return n;
}

/*
 * What the program counts is what happened. Every write completion is
 * counted once, queued or not: exactly the writer's. Which of them went
 * through a queue depends on the kernel and on timing. On 6.1 and 6.12 every
 * async write queues its completion, but for those a submitter completes
 * itself when the I/O ended before io_submit() returned (see docs/design.md):
 * 1 % on an idle host, up to 11 % seen when the emulating host is busy. 7.x
 * queues only the writes that convert an unwritten block, the first to each
 * block (two in flight to one block may both convert, so a few more), but
 * again not those completed by the submitter.
 */
TEST_F_TIMEOUT(diagnose, program_counts_every_completion, 120)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(3000);
	const char *json = cmd.out.buf;
	long long queued, unmatched, completed, missed;
	struct dq_writer_result res;
	struct dq_writer *w;

	ASSERT_CTL(0, "watch", "--all");
	ASSERT_EQ(0, dq_writer_start(&w, &self->tf, &opts));
	ASSERT_EQ(0, dq_writer_join(w, DQ_JOIN_MS, &res));
	EXPECT_TRUE(dq_writer_result_ok(&res));
	ASSERT_CTL(0, "-j", "watch");
	ASSERT_TRUE(dq_json_valid(json)) dq_cmd_log(&cmd);
	queued = json_int(_metadata, json, "probe_hits");
	unmatched = json_int(_metadata, json, "unmatched");
	completed = json_int(_metadata, json, "completed");
	missed = json_int(_metadata, json, "missed");
	dq_log("program: %lld completions, %lld of them queued, %lld unmatched, %lld missed; writer: %llu completed",
	       completed, queued, unmatched, missed,
	       (unsigned long long)res.completed);
	EXPECT_LT(1000, (long long)res.completed);
	/*
	 * Every completion, but for those the kernel did not run the program
	 * for: an interrupt's completion (7.x completes overwrites in the
	 * bio's end_io) nested in a task's, on one CPU, is missed and counted
	 * as such. Attached before the first write, every execution's queueing
	 * was seen, but for the same reason.
	 */
	EXPECT_GE((long long)res.completed, completed) dq_cmd_log(&cmd);
	EXPECT_LE((long long)res.completed, completed + missed) dq_cmd_log(&cmd);
	/*
	 * An execution without its stamp: a queueing the kernel skipped (in
	 * missed), or a stamp lost to another work hashed to the same slot
	 * (dispatch.bpf.c: 2^14 slots; at most the writer's queue depth in
	 * flight). On 7.3 bursts beyond both were seen (XFS: 242 of 27939
	 * queued, 15 missed; usually 0), cause not established: the bound
	 * holds the latency to at least 98 % of the queued completions.
	 */
	EXPECT_LE(unmatched, missed + queued / 50) dq_cmd_log(&cmd);
	EXPECT_GE((long long)res.completed / 50, missed);
	EXPECT_GE(completed, queued);
	if (dq_overwrites_complete_inline()) {
		long long blocks = (long long)blocks_written(&self->tf);

		dq_log("%lld blocks written: the most that queue on this kernel", blocks);
		EXPECT_LE(queued, blocks + blocks / 20);
		EXPECT_LE(blocks / 2, queued);
	} else {
		EXPECT_LE(completed / 2, queued);
	}
	ASSERT_CTL(0, "unwatch", "--all");
}

DQ_CTL_TEST_MAIN
