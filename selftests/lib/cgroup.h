/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 helpers (the VM mounts cgroup2 at DQ_CGROUP_ROOT): make a
 * child group, set its files, move processes in and out, remove it.
 */
#ifndef DIOWQ_SELFTEST_CGROUP_H
#define DIOWQ_SELFTEST_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DQ_CGROUP_ROOT "/sys/fs/cgroup"

/* Is controller ("memory", "cpu") available, and enabled for children? */
bool dq_cg_has_controller(const char *controller);
int dq_cg_enable_controller(const char *controller);

/* DQ_CGROUP_ROOT/name: create (no error if it exists), remove. */
int dq_cg_create(const char *name);
/* Move every process back to the root group, then rmdir; 0 or -errno. */
int dq_cg_destroy(const char *name);

int dq_cg_write(const char *name, const char *file, const char *value);
int dq_cg_read(const char *name, const char *file, char *buf, size_t size);
/* A single number file (memory.current), or "max" as UINT64_MAX. */
int dq_cg_read_u64(const char *name, const char *file, uint64_t *val);
/* A key of a flat keyed file (memory.events: "max 3"); -ENOENT if absent. */
int dq_cg_read_key(const char *name, const char *file, const char *key,
		   uint64_t *val);

/* Move process pid (0: the caller) into name ("" is the root group). */
int dq_cg_move(const char *name, pid_t pid);

#endif /* DIOWQ_SELFTEST_CGROUP_H */
