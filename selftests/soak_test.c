// SPDX-License-Identifier: GPL-2.0
/*
 * soak_test: DIOWQ_SOAK_MINUTES (default 10) of everything at once. Three
 * filesystems (XFS on vda, ext4 on vdb, and vdc re-made as XFS or ext4 now
 * and then) are written to by AIO O_DIRECT writers the whole time, while
 * random steps tune (either mode, through sysfs or netlink), switch,
 * untune, untune all, unmount (plain or lazy) and mount again, remount
 * read-only and back, mkfs, and rmmod and reload the module. After every
 * step what sysfs shows must match what the test did, and every running
 * writer must make progress; every cycle of steps ends with all writers
 * joined and every block verified.
 *
 * Not part of the default suite (guest-init skips it unless it is named
 * in DIOWQ_TESTS): `make soak` runs it. DIOWQ_SOAK_SEED picks the random
 * sequence (default: the clock; it is logged, so a failure can be
 * replayed).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "lib/diowq_test.h"
#include "lib/genl.h"
#include "lib/kstate.h"

#define NR_FS 3
#define STEPS_PER_CYCLE 12
#define PROGRESS 16
#define PROGRESS_MS 20000
#define DATA_SIZE (8ull << 20)

enum step {
	STEP_TUNE_SYSFS,
	STEP_TUNE_NETLINK,
	STEP_UNTUNE_SYSFS,
	STEP_UNTUNE_NETLINK,
	STEP_UNTUNE_ALL,
	STEP_UNMOUNT,
	STEP_REMOUNT_RO,
	STEP_MKFS,
	STEP_RMMOD,
	NR_STEPS,
};

static const char *const step_names[NR_STEPS] = {
	"tune (sysfs)", "tune (netlink)", "untune (sysfs)", "untune (netlink)",
	"untune all", "unmount+mount", "remount ro+rw", "mkfs", "rmmod+insmod",
};

/* How often each step is picked, out of the sum. */
static const unsigned int step_weights[NR_STEPS] = {
	6, 6, 3, 3, 1, 2, 1, 1, 1,
};

struct soak_fs {
	struct dq_fs fs;
	struct dq_tagged_file tf;
	struct dq_writer *writer;
	bool tuned;		/* what sysfs must show */
	const char *mode;
	unsigned int disk;
};

struct soak_stats {
	uint64_t steps[NR_STEPS];
	uint64_t refused[NR_STEPS];	/* expected refusals (untune untuned) */
	uint64_t cycles;
	uint64_t writes_verified;
	uint64_t blocks_verified;
};

static struct dq_genl_reply reply;
static uint64_t rng;

static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static enum step pick_step(void)
{
	unsigned int sum = 0, i, r;

	for (i = 0; i < NR_STEPS; i++)
		sum += step_weights[i];
	r = next_random() % sum;
	for (i = 0; i < NR_STEPS; i++) {
		if (r < step_weights[i])
			return i;
		r -= step_weights[i];
	}
	return STEP_TUNE_SYSFS;
}

static const char *random_mode(void)
{
	return next_random() % 2 ? DIOWQ_MODE_UNBOUND_NAME :
				   DIOWQ_MODE_HIGHPRI_NAME;
}

FIXTURE(soak) {
	struct soak_fs fs[NR_FS];
	struct dq_genl nl;
	struct soak_stats st;
};

FIXTURE_SETUP(soak)
{
	static const char *const types[NR_FS] = { "xfs", "ext4", "xfs" };
	unsigned int i;

	DQ_SETUP(dq_machine_reset());
	for (i = 0; i < NR_FS; i++) {
		char path[PATH_MAX];

		self->fs[i].disk = i;
		DQ_SETUP(dq_fs_create(&self->fs[i].fs, i, types[i]));
		snprintf(path, sizeof(path), "%s/data", self->fs[i].fs.mnt);
		DQ_SETUP(dq_tf_create(&self->fs[i].tf, path, DATA_SIZE,
				      DQ_LAYOUT_WRITTEN));
	}
	DQ_SETUP(dq_module_load(""));
	DQ_SETUP(dq_genl_open(&self->nl));
}

FIXTURE_TEARDOWN(soak)
{
	dq_genl_close(&self->nl);
	EXPECT_EQ(0, dq_machine_reset());
}

static int start_writer(struct soak_fs *f, unsigned int i)
{
	struct dq_writer_opts opts = DQ_WRITER_DEFAULTS(0);

	opts.queue_depth = 16;
	opts.cpu = i % 2;
	opts.seed = next_random() | 1;
	return dq_writer_start(&f->writer, &f->tf, &opts);
}

/* Stop, join and check f's writer (if any); 0 or -errno. */
static int stop_writer(struct soak_fs *f, struct soak_stats *st)
{
	struct dq_writer_result res;
	int err;

	if (!f->writer)
		return 0;
	dq_writer_stop(f->writer);
	err = dq_writer_join(f->writer, DQ_JOIN_MS, &res);
	f->writer = NULL;
	if (err || !dq_writer_result_ok(&res)) {
		dq_writer_log_result(f->fs.sid, &res);
		return err ? err : -EIO;
	}
	st->writes_verified += res.completed;
	return 0;
}

static int verify(struct soak_fs *f, struct soak_stats *st)
{
	struct dq_verify_result vr;
	int err = dq_tf_verify(&f->tf, &vr);

	if (err)
		return err;
	if (vr.bad) {
		dq_tf_log_verify(&f->tf, &vr);
		return -EILSEQ;
	}
	st->blocks_verified += vr.blocks;
	return 0;
}

/* Does sysfs show what the test did to f? */
static int check_state(const struct soak_fs *f)
{
	char mode[32];
	int err;

	if (!f->tuned) {
		if (dq_sb_tuned(f->fs.sid)) {
			dq_log("%s: tuned in sysfs, untuned by the test",
			       f->fs.sid);
			return -EPROTO;
		}
		return 0;
	}
	err = dq_read_sb_attr(f->fs.sid, DIOWQ_SB_ATTR_MODE, mode,
			      sizeof(mode));
	if (err) {
		dq_log("%s: tuned %s by the test, but: %s", f->fs.sid, f->mode,
		       strerror(-err));
		return err;
	}
	if (strcmp(mode, f->mode)) {
		dq_log("%s: mode %s in sysfs, %s by the test", f->fs.sid, mode,
		       f->mode);
		return -EPROTO;
	}
	return 0;
}

/* A netlink TUNE (mode) or UNTUNE (!mode) of f's mount by its root fd. */
static int netlink_request(struct dq_genl *nl, struct soak_fs *f,
			   const char *mode)
{
	struct dq_genl_msg msg;
	int fd, err;

	fd = open(f->fs.mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dq_genl_msg_init(nl, &msg, mode ? DIOWQ_CMD_TUNE : DIOWQ_CMD_UNTUNE,
			 0);
	dq_genl_put_s32(&msg, DIOWQ_A_FD, fd);
	if (mode)
		dq_genl_put_u32(&msg, DIOWQ_A_MODE,
				strcmp(mode, DIOWQ_MODE_HIGHPRI_NAME) ?
				DIOWQ_MODE_UNBOUND : DIOWQ_MODE_HIGHPRI);
	err = dq_genl_call(nl, &msg, &reply);
	close(fd);
	if (!err)
		err = reply.error;
	if (err && err != -ENOENT)
		dq_log("netlink %s %s: %s (%s)", mode ? "tune" : "untune",
		       f->fs.mnt, strerror(-err), reply.extack);
	return err;
}

/* Unmount (plainly or lazily) with everything closed; tuned state goes. */
static int unmount_and_mount(struct soak_fs *f, struct soak_stats *st)
{
	bool lazy = next_random() % 2;
	int err;

	err = stop_writer(f, st);
	if (!err)
		err = verify(f, st);
	if (err)
		return err;
	dq_tf_close(&f->tf);
	err = dq_umount(&f->fs, lazy ? MNT_DETACH : 0);
	if (err)
		return err;
	f->tuned = false;
	/* A lazy unmount's hook fires once the last user is gone. */
	if (dq_wait_sb_tuned(f->fs.sid, false, 10000) < 0) {
		dq_log("%s: still tuned after the unmount", f->fs.sid);
		return -EPROTO;
	}
	err = dq_mount(&f->fs);
	if (!err)
		err = dq_tf_reopen(&f->tf);
	if (!err)
		err = verify(f, st);	/* what reached the disk */
	return err;
}

static int remount(struct soak_fs *f, unsigned long flags)
{
	if (mount(NULL, f->fs.mnt, NULL, MS_REMOUNT | flags, NULL)) {
		dq_log("remount %s %s: %s", f->fs.mnt,
		       flags & MS_RDONLY ? "ro" : "rw", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Read-only and back while (maybe) tuned: the tuning stays. A file open
 * for writing would make remount,ro EBUSY: the data file is closed first.
 */
static int remount_ro_rw(struct soak_fs *f, struct soak_stats *st)
{
	int err = stop_writer(f, st);

	if (err)
		return err;
	dq_tf_close(&f->tf);
	err = remount(f, MS_RDONLY);
	if (!err)
		err = check_state(f);
	if (!err)
		err = remount(f, 0);
	if (!err)
		err = dq_tf_reopen(&f->tf);
	if (!err)
		err = verify(f, st);
	return err;
}

/* vdc only: a new filesystem of the other type, untuned. */
static int remake(struct soak_fs *f, struct soak_stats *st)
{
	const char *type = strcmp(f->fs.fstype, "xfs") ? "xfs" : "ext4";
	char path[PATH_MAX];
	int err;

	err = stop_writer(f, st);
	if (!err)
		err = verify(f, st);
	if (err)
		return err;
	dq_tf_destroy(&f->tf);
	err = dq_umount(&f->fs, 0);
	if (err)
		return err;
	f->tuned = false;
	err = dq_mkfs(&f->fs, type);
	if (!err)
		err = dq_mount(&f->fs);
	snprintf(path, sizeof(path), "%s/data", f->fs.mnt);
	if (!err)
		err = dq_tf_create(&f->tf, path, DATA_SIZE, DQ_LAYOUT_WRITTEN);
	return err;
}

static int rmmod_insmod(struct soak_fs *fs, struct dq_genl *nl)
{
	unsigned int i;
	int err;

	err = dq_module_unload();
	if (err) {
		dq_log("rmmod: %s", strerror(-err));
		return err;
	}
	if (dq_path_exists(DIOWQ_SYSFS_ROOT) || dq_count_diowq_threads()) {
		dq_log("rmmod left something behind");
		return -EPROTO;
	}
	for (i = 0; i < NR_FS; i++)
		fs[i].tuned = false;
	err = dq_module_load("");
	if (err) {
		dq_log("insmod: %s", strerror(-err));
		return err;
	}
	/* The family is registered anew: its id may have changed. */
	dq_genl_close(nl);
	return dq_genl_open(nl);
}

static int untune_all(struct dq_genl *nl, struct soak_fs *fs)
{
	struct dq_genl_msg msg;
	unsigned int i;
	int err;

	dq_genl_msg_init(nl, &msg, DIOWQ_CMD_UNTUNE, 0);
	dq_genl_put(&msg, DIOWQ_A_ALL, NULL, 0);
	err = dq_genl_call(nl, &msg, &reply);
	if (!err)
		err = reply.error;
	if (err)
		return err;
	for (i = 0; i < NR_FS; i++)
		fs[i].tuned = false;
	return 0;
}

/* One step on filesystem f (chosen by the caller); 0 or -errno. */
static int run_step(FIXTURE_DATA(soak) *self, enum step step,
		    struct soak_fs *f)
{
	const char *mode = random_mode();
	int err = 0;

	switch (step) {
	case STEP_TUNE_SYSFS:
	case STEP_TUNE_NETLINK:
		err = step == STEP_TUNE_SYSFS ? dq_tune(mode, f->fs.mnt) :
		      netlink_request(&self->nl, f, mode);
		if (!err) {
			f->tuned = true;
			f->mode = mode;
		}
		break;
	case STEP_UNTUNE_SYSFS:
	case STEP_UNTUNE_NETLINK:
		err = step == STEP_UNTUNE_SYSFS ? dq_untune(f->fs.mnt) :
		      netlink_request(&self->nl, f, NULL);
		/* Untuning what is not tuned: ENOENT, and only then. */
		if (err == -ENOENT && !f->tuned) {
			self->st.refused[step]++;
			err = 0;
		} else if (!err && !f->tuned) {
			dq_log("%s: untuning it worked, but it was not tuned",
			       f->fs.sid);
			err = -EPROTO;
		}
		f->tuned = false;
		break;
	case STEP_UNTUNE_ALL:
		err = untune_all(&self->nl, self->fs);
		break;
	case STEP_UNMOUNT:
		err = unmount_and_mount(f, &self->st);
		break;
	case STEP_REMOUNT_RO:
		err = remount_ro_rw(f, &self->st);
		break;
	case STEP_MKFS:
		err = remake(&self->fs[NR_FS - 1], &self->st);
		break;
	case STEP_RMMOD:
		err = rmmod_insmod(self->fs, &self->nl);
		break;
	case NR_STEPS:
		break;
	}
	return err;
}

static unsigned int soak_minutes(void)
{
	const char *env = getenv("DIOWQ_SOAK_MINUTES");
	long v = env ? strtol(env, NULL, 10) : 0;

	return v > 0 ? (unsigned int)v : 10;
}

TEST_F_TIMEOUT(soak, mixed_operations_under_io_lose_nothing, 24 * 3600)
{
	unsigned int minutes = soak_minutes(), i, failures = 0;
	const char *seed_env = getenv("DIOWQ_SOAK_SEED");
	uint64_t start = dq_now_ms(), deadline, next_report, seed;

	seed = seed_env ? strtoull(seed_env, NULL, 0) : start ^ getpid();
	rng = seed | 1;
	deadline = start + minutes * 60000ull;
	next_report = start + 60000;
	TH_LOG("soaking for %u minutes, seed %llu (DIOWQ_SOAK_SEED)", minutes,
	       (unsigned long long)seed);

	for (i = 0; i < NR_FS; i++)
		ASSERT_EQ(0, start_writer(&self->fs[i], i));

	while (!failures && dq_now_ms() < deadline) {
		unsigned int s;

		for (s = 0; !failures && s < STEPS_PER_CYCLE; s++) {
			enum step step = pick_step();
			unsigned int which = next_random() % NR_FS;
			struct soak_fs *f = &self->fs[which];
			int err;

			err = run_step(self, step, f);
			self->st.steps[step]++;
			if (err) {
				TH_LOG("cycle %llu step %u: %s on %s: %s",
				       (unsigned long long)self->st.cycles, s,
				       step_names[step], f->fs.sid,
				       strerror(-err));
				failures++;
				break;
			}
			for (i = 0; i < NR_FS; i++) {
				struct soak_fs *g = &self->fs[i];

				if (check_state(g)) {
					TH_LOG("after %s on %s: %s is not as expected",
					       step_names[step], f->fs.sid,
					       g->fs.sid);
					failures++;
				}
				if (!g->writer) {
					err = start_writer(g, i);
				} else {
					err = dq_writer_wait_progress(g->writer,
						dq_writer_completed(g->writer) +
						PROGRESS, PROGRESS_MS);
				}
				if (err) {
					TH_LOG("after %s on %s: writer on %s: %s",
					       step_names[step], f->fs.sid,
					       g->fs.sid, strerror(-err));
					failures++;
				}
			}
		}
		/* End of a cycle: everything joined and verified. */
		for (i = 0; !failures && i < NR_FS; i++) {
			struct soak_fs *g = &self->fs[i];
			int err = stop_writer(g, &self->st);

			if (!err)
				err = verify(g, &self->st);
			if (!err)
				err = start_writer(g, i);
			if (err) {
				TH_LOG("cycle %llu: %s: %s",
				       (unsigned long long)self->st.cycles,
				       g->fs.sid, strerror(-err));
				failures++;
			}
		}
		self->st.cycles++;
		if (dq_now_ms() >= next_report) {
			dq_log("soak: %llu cycles, %llu writes verified after %llu s",
			       (unsigned long long)self->st.cycles,
			       (unsigned long long)self->st.writes_verified,
			       (unsigned long long)(dq_now_ms() - start) / 1000);
			next_report += 60000;
		}
	}

	for (i = 0; i < NR_FS; i++) {
		if (stop_writer(&self->fs[i], &self->st))
			failures++;
	}
	TH_LOG("%llu cycles in %llu s (seed %llu): %llu writes completed and verified, %llu block reads checked",
	       (unsigned long long)self->st.cycles,
	       (unsigned long long)(dq_now_ms() - start) / 1000,
	       (unsigned long long)seed,
	       (unsigned long long)self->st.writes_verified,
	       (unsigned long long)self->st.blocks_verified);
	for (i = 0; i < NR_STEPS; i++)
		TH_LOG("  %-18s %6llu (%llu refused as expected)",
		       step_names[i], (unsigned long long)self->st.steps[i],
		       (unsigned long long)self->st.refused[i]);
	EXPECT_EQ(0u, failures);
}

DQ_TEST_MAIN
