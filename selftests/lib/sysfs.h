/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs access for the diowq selftests: raw file reads and writes that
 * return -errno (so a test can assert the exact errno a store refused
 * with), and the diowq layout on top of them (include/uapi/diowq.h).
 */
#ifndef DIOWQ_SELFTEST_SYSFS_H
#define DIOWQ_SELFTEST_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "uapi/diowq.h"

/*
 * Read a whole (small) file into buf, NUL-terminated. Returns the number of
 * bytes read, -ENOSPC if it does not fit, or -errno.
 */
int dq_read_file(const char *path, char *buf, size_t size);

/*
 * Read a sysfs value: diowq terminates every value with exactly one "\n",
 * which this strips. -EBADMSG if the newline is missing.
 */
int dq_read_value(const char *path, char *buf, size_t size);

/*
 * One write(2) of len bytes, as echo would do it (minus echo's newline
 * unless it is in buf). 0 if all len bytes were taken, -errno if the write
 * failed, -EIO if it was short.
 */
int dq_write_file(const char *path, const void *buf, size_t len);

bool dq_path_exists(const char *path);

/* DIOWQ_SYSFS_ROOT/attr, or DIOWQ_SYSFS_ROOT/sid/attr if sid is not NULL. */
void dq_attr_path(char *buf, size_t size, const char *sid, const char *attr);

/* DIOWQ_WQ_SYSFS_ROOT/<queue>[/attr]: an unbound queue's tunables. */
void dq_wq_path(char *buf, size_t size, const char *queue, const char *attr);

int dq_read_attr(const char *attr, char *buf, size_t size);
int dq_write_attr(const char *attr, const char *value);
int dq_read_sb_attr(const char *sid, const char *attr, char *buf,
		    size_t size);
/* Read a decimal per-sb attribute such as swaps into *val. */
int dq_read_sb_number(const char *sid, const char *attr, long long *val);

/* Write "MODE MNT" (or just "MNT" when mode is NULL) to tune. */
int dq_tune(const char *mode, const char *mnt);
/* Write a mount point or an s_id to untune. */
int dq_untune(const char *what);

/* Is there a DIOWQ_SYSFS_ROOT/<sid>/ directory, i.e. is sid tuned? */
bool dq_sb_tuned(const char *sid);

/*
 * The tune / switch / untune cycle the swap tests run under load, back to
 * back: highpri, unbound, untuned, unbound, highpri, untuned. It visits
 * every transition between the three states.
 */
struct dq_swap_step {
	const char *what;
	const char *mode;	/* tune in this mode; NULL: untune */
};

#define DQ_SWAP_CYCLE_LEN 6
extern const struct dq_swap_step dq_swap_cycle[DQ_SWAP_CYCLE_LEN];

/*
 * Take step on the filesystem mounted at mnt (s_id sid): 0 if it worked
 * and left the state it should, -EPROTO if it worked but did not, -errno.
 */
int dq_swap_step(const struct dq_swap_step *step, const char *mnt,
		 const char *sid);

/*
 * The name of the queue sid's completions run on now (its "workqueue"):
 * "diowq-<sid>", or "diowq-<sid>.N" for an unbound queue created while an
 * older one of that name still retires (sysfs needs unique names).
 */
int dq_sb_queue(const char *sid, char *buf, size_t size);
/* Is queue one of the names above for sid? */
bool dq_is_sb_queue_name(const char *sid, const char *queue);

/*
 * A cpumask file ("3", "00000003" or "00000000,00000003") as a number:
 * bit n is CPU n. -ERANGE beyond 64 CPUs, -EBADMSG if it is no mask.
 */
int dq_read_cpumask(const char *path, unsigned long long *mask);

/* Does queue have a workqueue sysfs directory (is it unbound)? */
bool dq_wq_sysfs_exists(const char *queue);

/*
 * Poll until sid is (tuned) or is not (!tuned) tuned, for up to timeout_ms.
 * Returns the milliseconds it took, or -ETIMEDOUT.
 */
int dq_wait_sb_tuned(const char *sid, bool tuned, unsigned int timeout_ms);

/*
 * The same for a queue's workqueue sysfs directory. A swapped-out queue is
 * destroyed after the swap, once no completion can still hold it (RCU and
 * RCU-tasks grace periods), so tests wait for its directory to go.
 */
int dq_wait_wq_sysfs(const char *queue, bool exists, unsigned int timeout_ms);

/* How long a retired queue's directory may linger (grace periods, TCG). */
#define DQ_WQ_GONE_MS 10000

/* How many CPUs /sys/devices/system/cpu/possible lists, or -errno. */
int dq_possible_cpus(void);

#endif /* DIOWQ_SELFTEST_SYSFS_H */
